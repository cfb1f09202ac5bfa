//! Masternodes running the chain, against real node processes: four validators of `--chain
//! local`; a fifth node's account registers with a larger stake and sets the session keys its
//! node generated (`author_rotateKeysWithOwner`), and two sessions later it is an authority
//! that authors blocks; an existing masternode leaves and drops out of the set; the session's
//! rewards are paid in proportion to the stakes.

mod common;

use codec::{Decode, Encode};
use common::{NodeProcess, Rpc};
use jsonrpsee::rpc_params;
use serde_json::Value;
use sonm_runtime::{
	configs::market::FeePot, genesis_config_presets::GENESIS_STAKE, opaque::SessionKeys, AccountId,
	Balance, RuntimeCall, RuntimeEvent, EXISTENTIAL_DEPOSIT,
};
use sp_core::crypto::Ss58Codec;
use sp_io::hashing::{twox_128, twox_64};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};

/// The accounts of the current set, from `masternodes_activeSet`.
async fn active_set(rpc: &Rpc) -> Vec<(String, Balance)> {
	let set = rpc.call("masternodes_activeSet", rpc_params![]).await.expect("active set");
	set.as_array()
		.expect("a list")
		.iter()
		.map(|member| {
			let stake = member["stake"].as_str().expect("a stake").parse().expect("a number");
			(member["account"].as_str().expect("an account").to_string(), stake)
		})
		.collect()
}

/// Blocks `who` authored so far in the current session, at block `at`.
async fn blocks_authored(rpc: &Rpc, who: &AccountId, at: sp_core::H256) -> u32 {
	let key = [
		twox_128(b"Masternodes").to_vec(),
		twox_128(b"BlocksAuthored").to_vec(),
		twox_64(&who.encode()).to_vec(),
		who.encode(),
	]
	.concat();
	rpc.storage(&key, Some(at))
		.await
		.map(|raw| u32::decode(&mut &raw[..]).unwrap())
		.unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fifth_masternode_joins_the_set_another_leaves_and_rewards_follow_stake() {
	let dir = tempfile::tempdir().expect("temporary directory");
	// Alice to Dave run with their dev keys; Eve's node is a validator with an empty keystore.
	let nodes: Vec<NodeProcess> = common::local_network(
		dir.path(),
		&[
			("alice", "--alice"),
			("bob", "--bob"),
			("charlie", "--charlie"),
			("dave", "--dave"),
			("eve", "--validator"),
		],
	);
	let alice = nodes[0].rpc.clone();
	let eve_node = nodes[4].rpc.clone();
	alice.wait_for_finalized(1).await;
	let ss58 = |who: Sr25519Keyring| who.to_account_id().to_ss58check();
	assert_eq!(active_set(&alice).await.len(), 4);

	// Eve's node generates session keys and proves them for Eve's account; Eve registers
	// them and registers as a masternode with twice the genesis stake.
	let eve = Eve.to_account_id();
	let generated = eve_node
		.call("author_rotateKeysWithOwner", rpc_params![common::to_hex(&eve.encode())])
		.await
		.expect("the node generates session keys");
	let hex_bytes = |value: &Value| {
		hex::decode(value.as_str().expect("hex").trim_start_matches("0x")).expect("hex")
	};
	let keys = SessionKeys::decode(&mut &hex_bytes(&generated["keys"])[..]).expect("keys");
	let proof = hex_bytes(&generated["proof"]);
	let set_keys = RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof });
	alice.submit_ok(Eve, set_keys).await;
	let stake = 2 * GENESIS_STAKE;
	let register = RuntimeCall::Masternodes(pallet_masternodes::Call::register { stake });
	alice.submit_ok(Eve, register).await;

	// Two session changes later Eve is in the set, first by stake, and authors blocks.
	common::wait_for("Eve in the active set", || async {
		let set = active_set(&alice).await;
		(set.first().map(|(who, _)| who.as_str()) == Some(&ss58(Eve))).then_some(())
	})
	.await;
	assert_eq!(active_set(&alice).await.len(), 5);
	common::wait_for("a block authored by Eve", || async {
		let (_, best) = alice.best().await?;
		(blocks_authored(&alice, &eve, best).await > 0).then_some(())
	})
	.await;

	// Dave leaves: his stake unbonds and he drops out of the set two sessions on.
	let leave = RuntimeCall::Masternodes(pallet_masternodes::Call::leave {});
	alice.submit_ok(Dave, leave).await;
	let list = alice.call("masternodes_list", rpc_params![]).await.expect("masternodes");
	let dave = list
		.as_array()
		.expect("a list")
		.iter()
		.find(|masternode| masternode["account"] == ss58(Dave))
		.expect("Dave is still registered while his stake unbonds")
		.clone();
	assert_eq!((dave["leaving"].clone(), dave["stake"].clone()), (Value::Bool(true), "0".into()));
	assert_eq!(dave["unbonding"][0]["amount"], GENESIS_STAKE.to_string());
	common::wait_for("Dave out of the set", || async {
		let set = active_set(&alice).await;
		(!set.iter().any(|(who, _)| *who == ss58(Dave))).then_some(())
	})
	.await;
	let set = active_set(&alice).await;
	let accounts: Vec<&str> = set.iter().map(|(who, _)| who.as_str()).collect();
	let expected = [ss58(Eve), ss58(Alice), ss58(Bob), ss58(Charlie)];
	let mut sorted_tail = accounts[1..].to_vec();
	sorted_tail.sort();
	let mut expected_tail: Vec<&str> = expected[1..].iter().map(String::as_str).collect();
	expected_tail.sort();
	assert_eq!((accounts[0], sorted_tail), (expected[0].as_str(), expected_tail));

	// Fees arrive in the pot (here: a transfer into it); the next session's end pays them out
	// by stake: Eve two shares, the others one each.
	let fees = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: FeePot::get().into(),
		value: 1_000 * sonm_runtime::SNM,
	});
	alice.submit_ok(Sr25519Keyring::Ferdie, fees).await;
	let (rewards, paid_at) = common::wait_for("rewards paid", || async {
		let (number, hash) = alice.best().await?;
		let rewards: Vec<(AccountId, Balance)> = alice
			.events(hash)
			.await
			.into_iter()
			.filter_map(|record| match record.event {
				RuntimeEvent::Masternodes(pallet_masternodes::Event::Rewarded {
					who,
					amount,
					..
				}) => Some((who, amount)),
				_ => None,
			})
			.collect();
		(!rewards.is_empty()).then_some((rewards, number))
	})
	.await;
	let parent = alice.block_hash(paid_at - 1).await.expect("the parent block");
	let available = alice.free_balance_at(&FeePot::get(), Some(parent)).await - EXISTENTIAL_DEPOSIT;
	println!("rewards at #{paid_at} of {available} in the pot: {rewards:?}");
	// The session pays the members that authored in it. On a busy machine a member may miss
	// its two or three slots of a ten-block session: it keeps its seat (the slot window) but is
	// not paid for that session, and the others share the pot by their stakes.
	let stake_of = |who: &AccountId| {
		set.iter()
			.find(|(member, _)| *member == who.to_ss58check())
			.map(|(_, stake)| *stake)
			.expect("a member of the set")
	};
	let total: Balance = rewards.iter().map(|(who, _)| stake_of(who)).sum();
	for (who, amount) in &rewards {
		let share = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
			available,
			stake_of(who),
			total,
			sp_runtime::Rounding::Down,
		);
		assert_eq!(Some(*amount), share, "{who}'s share of {available}, rounded down");
	}
	for (member, _) in &set {
		let member = AccountId::from_ss58check(member).expect("an account");
		if !rewards.iter().any(|(who, _)| *who == member) {
			assert_eq!(
				blocks_authored(&alice, &member, parent).await,
				0,
				"{member} authored in the session yet was not paid"
			);
			println!("{member} authored nothing in the paid session: unpaid, still in the set");
		}
	}
	drop(nodes);
}
