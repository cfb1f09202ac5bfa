//! Every call of the gatekeeper, each refusal by name, and the invariants after each step.

use crate::{mock::*, pallet::*, Error, Event};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use sonm_primitives::gatekeeper::{
	key_registration_digest, Deposit, DepositKey, DepositStatus, EthAddress, EthSignature,
};
use sp_runtime::DispatchError;

type Origin = frame_system::RawOrigin<AccountId>;

const CUSTOMER: AccountId = 20;
const ETH_RECIPIENT: EthAddress = [0x11; 20];

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// A deposit of `amount` to the customer in Ethereum transaction `n`.
fn deposit(n: u8, amount: Balance) -> Deposit<AccountId, Balance> {
	Deposit { key: DepositKey { tx_hash: [n; 32], log_index: 0 }, recipient: CUSTOMER, amount }
}

/// Asserts `result` is `Ok` and the invariants hold after it.
fn ok(result: sp_runtime::DispatchResult) {
	assert_ok!(result);
	Gatekeeper::do_try_state().expect("the invariants hold after the call");
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Gatekeeper(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn balance(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// `who`'s signature of withdrawal `id` for its current set.
fn payout_signature(who: AccountId, id: u64) -> EthSignature {
	let withdrawal = Withdrawals::<Test>::get(id).unwrap();
	let current = CurrentSet::<Test>::get();
	let complete = Gatekeeper::is_complete(withdrawal.set_id, &withdrawal.signatures);
	let kept = complete && withdrawal.set_id + OLD_SET_GRACE >= current;
	let set_id = if kept { withdrawal.set_id } else { current };
	let digest =
		Gatekeeper::domain()
			.unwrap()
			.payout_digest(id, &withdrawal.to, withdrawal.amount, set_id);
	eth_sign(&eth_pair(who), &digest)
}

/// `who`'s signature installing the set being collected.
fn set_change_signature(who: AccountId) -> EthSignature {
	let current = CurrentSet::<Test>::get();
	let next = SignerSets::<Test>::get(current + 1).unwrap();
	let digest = Gatekeeper::domain().unwrap().set_change_digest(
		current + 1,
		&next.signers,
		next.threshold,
		current,
	);
	eth_sign(&eth_pair(who), &digest)
}

/// Registers masternode `who`'s key with a valid proof.
fn register(who: AccountId) {
	let pair = eth_pair(who);
	let digest = key_registration_digest(&Gatekeeper::genesis_hash(), &codec::Encode::encode(&who));
	ok(Gatekeeper::register_eth_key(signed(who), eth_key(&pair), eth_sign(&pair, &digest)));
}

#[test]
fn genesis_makes_set_zero_of_the_masternodes_keys() {
	new_test_ext(|| {
		let set = SignerSets::<Test>::get(0).unwrap();
		let mut keys: Vec<EthAddress> = (1..=4).map(key_of).collect();
		keys.sort();
		assert_eq!(set.signers.into_inner(), keys);
		assert_eq!(set.threshold, 3);
		assert_eq!(CurrentSet::<Test>::get(), 0);
		assert_eq!(GenesisIssuance::<Test>::get(), 11 * 1_000_000);
		assert!(Gatekeeper::signer_set_info(None).unwrap().complete);
	});
}

#[test]
fn a_masternode_registers_a_key_it_proves_it_holds() {
	new_test_ext(|| {
		register(5);
		assert_eq!(EthKeys::<Test>::get(5), Some(key_of(5)));
		assert_eq!(KeyOwners::<Test>::get(key_of(5)), Some(5));
		assert!(events().contains(&Event::EthKeyRegistered { who: 5, key: key_of(5) }));

		let pair = eth_pair(7);
		let proof = |who: AccountId| {
			key_registration_digest(&Gatekeeper::genesis_hash(), &codec::Encode::encode(&who))
		};
		// Not a masternode.
		assert_noop!(
			Gatekeeper::register_eth_key(signed(7), eth_key(&pair), eth_sign(&pair, &proof(7))),
			Error::<Test>::NotMasternode
		);
		// A proof made for another account, and a proof by another key.
		assert_noop!(
			Gatekeeper::register_eth_key(signed(6), eth_key(&pair), eth_sign(&pair, &proof(5))),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			Gatekeeper::register_eth_key(
				signed(6),
				eth_key(&pair),
				eth_sign(&eth_pair(6), &proof(6))
			),
			Error::<Test>::BadSignature
		);
		// A key another masternode registered.
		let taken = eth_pair(1);
		assert_noop!(
			Gatekeeper::register_eth_key(signed(6), eth_key(&taken), eth_sign(&taken, &proof(6))),
			Error::<Test>::KeyInUse
		);
		// A new key replaces the old one, which is free again.
		ok(Gatekeeper::register_eth_key(signed(5), eth_key(&pair), eth_sign(&pair, &proof(5))));
		assert_eq!(EthKeys::<Test>::get(5), Some(eth_key(&pair)));
		assert_eq!(KeyOwners::<Test>::get(key_of(5)), None);
	});
}

#[test]
fn more_than_two_thirds_of_the_active_set_mint_a_deposit_once() {
	new_test_ext(|| {
		let d = deposit(1, 1_000);
		let before = balance(CUSTOMER);
		ok(Gatekeeper::attest_deposit(signed(1), d.clone()));
		ok(Gatekeeper::attest_deposit(signed(2), d.clone()));
		assert_eq!(balance(CUSTOMER), before, "two of four are not more than two thirds");
		assert_eq!(Gatekeeper::deposit_info(d.key).unwrap().status, DepositStatus::Voting);
		assert_noop!(
			Gatekeeper::attest_deposit(signed(2), d.clone()),
			Error::<Test>::AlreadyAttested
		);
		ok(Gatekeeper::attest_deposit(signed(3), d.clone()));
		assert_eq!(balance(CUSTOMER), before + 1_000);
		assert!(events().contains(&Event::DepositMinted {
			key: d.key,
			recipient: CUSTOMER,
			amount: 1_000
		}));
		assert_eq!(Minted::<Test>::get(), 1_000);
		// The fourth attestation, and any later one, mints nothing more.
		assert_noop!(
			Gatekeeper::attest_deposit(signed(4), d.clone()),
			Error::<Test>::AlreadyMinted
		);
		let info = Gatekeeper::deposit_info(d.key).unwrap();
		assert_eq!(info.status, DepositStatus::Minted);
		assert_eq!(info.attesters, vec![1, 2, 3]);
		assert_eq!(Gatekeeper::deposits_from(0, 10).len(), 1);
	});
}

#[test]
fn attestations_are_refused_by_name() {
	new_test_ext(|| {
		assert_noop!(
			Gatekeeper::attest_deposit(signed(5), deposit(1, 1_000)),
			Error::<Test>::NotActive
		);
		assert_noop!(
			Gatekeeper::attest_deposit(signed(1), deposit(1, 0)),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Gatekeeper::attest_deposit(signed(1), deposit(1, ED - 1)),
			Error::<Test>::BelowMinimum
		);
		ok(Gatekeeper::pause(signed(4)));
		assert_noop!(
			Gatekeeper::attest_deposit(signed(1), deposit(1, 1_000)),
			Error::<Test>::IsPaused
		);
		ok(Gatekeeper::unpause(Origin::Root.into()));
		EthereumContract::<Test>::kill();
		assert_noop!(
			Gatekeeper::attest_deposit(signed(1), deposit(1, 1_000)),
			Error::<Test>::NoContract
		);
	});
}

#[test]
fn disagreeing_attesters_are_reported_and_only_agreement_mints() {
	new_test_ext(|| {
		let honest = deposit(1, 1_000);
		let forged = Deposit { amount: 9_000, ..honest.clone() };
		ok(Gatekeeper::attest_deposit(signed(1), honest.clone()));
		ok(Gatekeeper::attest_deposit(signed(4), forged));
		assert!(events().contains(&Event::ConflictingAttestation { key: honest.key, by: 4 }));
		ok(Gatekeeper::attest_deposit(signed(2), honest.clone()));
		assert_eq!(Minted::<Test>::get(), 0, "two agreeing of four do not mint");
		ok(Gatekeeper::attest_deposit(signed(3), honest.clone()));
		assert_eq!(Minted::<Test>::get(), 1_000);
	});
}

#[test]
fn votes_of_masternodes_that_left_the_set_do_not_count() {
	new_test_ext(|| {
		let d = deposit(1, 1_000);
		ok(Gatekeeper::attest_deposit(signed(1), d.clone()));
		ok(Gatekeeper::attest_deposit(signed(4), d.clone()));
		new_session(vec![1, 2, 3, 5]);
		ok(Gatekeeper::attest_deposit(signed(2), d.clone()));
		assert_eq!(Minted::<Test>::get(), 0, "1 and 2 of the new set; 4 left");
		ok(Gatekeeper::attest_deposit(signed(5), d.clone()));
		assert_eq!(Minted::<Test>::get(), 1_000);
	});
}

#[test]
fn the_daily_mint_cap_defers_a_deposit_to_a_later_day() {
	new_test_ext(|| {
		let big = deposit(1, MINT_CAP - 1_000);
		let over = deposit(2, 2_000);
		for who in 1..=3 {
			ok(Gatekeeper::attest_deposit(signed(who), big.clone()));
			ok(Gatekeeper::attest_deposit(signed(who), over.clone()));
		}
		assert_eq!(Minted::<Test>::get(), MINT_CAP - 1_000);
		assert!(events().contains(&Event::DepositDeferred { key: over.key }));
		assert_eq!(Gatekeeper::deposit_info(over.key).unwrap().status, DepositStatus::Approved);
		assert_noop!(
			Gatekeeper::claim_deposit(signed(9), over.key),
			Error::<Test>::DailyMintCapReached
		);
		assert_noop!(
			Gatekeeper::claim_deposit(signed(9), deposit(3, 1).key),
			Error::<Test>::NotApproved
		);
		advance(86_400);
		ok(Gatekeeper::claim_deposit(signed(9), over.key));
		assert_eq!(Minted::<Test>::get(), MINT_CAP + 1_000);
		assert_noop!(Gatekeeper::claim_deposit(signed(9), over.key), Error::<Test>::NotApproved);
		assert_eq!(Gatekeeper::state().minted_today, 2_000);
	});
}

#[test]
fn a_withdrawal_burns_pays_the_fee_to_the_pot_and_waits_for_signatures() {
	new_test_ext(|| {
		let before = balance(CUSTOMER);
		ok(Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT));
		assert_eq!(balance(CUSTOMER), before - 1_000);
		assert_eq!(balance(POT), 1_000_000 + FEE);
		assert_eq!(Burned::<Test>::get(), 1_000 - FEE);
		assert!(events().contains(&Event::WithdrawalRequested {
			id: 0,
			who: CUSTOMER,
			to: ETH_RECIPIENT,
			amount: 1_000 - FEE,
			fee: FEE,
		}));
		let listed = Gatekeeper::withdrawals_from(0, 10);
		assert_eq!(listed.len(), 1);
		assert_eq!(
			(listed[0].amount, listed[0].set_id, listed[0].complete),
			(1_000 - FEE, 0, false)
		);
	});
}

#[test]
fn withdrawals_are_refused_by_name() {
	new_test_ext(|| {
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), FEE, ETH_RECIPIENT),
			Error::<Test>::BelowFee
		);
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), 1_000, [0; 20]),
			Error::<Test>::ZeroAddress
		);
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), WITHDRAW_CAP + FEE + 1, ETH_RECIPIENT),
			Error::<Test>::DailyWithdrawCapReached
		);
		// More than the account has: the currency refuses and nothing changes.
		assert!(Gatekeeper::withdraw(signed(30), 1_000, ETH_RECIPIENT).is_err());
		ok(Gatekeeper::pause(signed(1)));
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT),
			Error::<Test>::IsPaused
		);
		ok(Gatekeeper::unpause(Origin::Root.into()));
		EthereumContract::<Test>::kill();
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT),
			Error::<Test>::NoContract
		);
	});
}

#[test]
fn signatures_are_verified_on_chain_and_complete_at_the_threshold() {
	new_test_ext(|| {
		ok(Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT));
		// Not a signer: no key, and a key outside the set.
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(6), 0, payout_signature(6, 0)),
			Error::<Test>::NotSigner
		);
		register(5);
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(5), 0, payout_signature(5, 0)),
			Error::<Test>::NotSigner
		);
		// Another signer's signature, a signature over other data, a malleated one.
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(1), 0, payout_signature(2, 0)),
			Error::<Test>::BadSignature
		);
		let other = eth_sign(&eth_pair(1), &[9u8; 32]);
		assert_noop!(Gatekeeper::sign_withdrawal(signed(1), 0, other), Error::<Test>::BadSignature);
		let mut high_s = payout_signature(1, 0);
		high_s[64] = 1;
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(1), 0, high_s),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(1), 7, payout_signature(1, 0)),
			Error::<Test>::UnknownWithdrawal
		);

		ok(Gatekeeper::sign_withdrawal(signed(3), 0, payout_signature(3, 0)));
		ok(Gatekeeper::sign_withdrawal(signed(1), 0, payout_signature(1, 0)));
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(1), 0, payout_signature(1, 0)),
			Error::<Test>::AlreadySigned
		);
		ok(Gatekeeper::sign_withdrawal(signed(2), 0, payout_signature(2, 0)));
		assert!(events().contains(&Event::WithdrawalSigned { id: 0, set_id: 0 }));
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(4), 0, payout_signature(4, 0)),
			Error::<Test>::AlreadyComplete
		);
		let listed = &Gatekeeper::withdrawals_from(0, 1)[0];
		assert!(listed.complete);
		let signers: Vec<EthAddress> = listed.signatures.iter().map(|(key, _)| *key).collect();
		let mut sorted = signers.clone();
		sorted.sort();
		assert_eq!(signers, sorted, "signatures come sorted by signer, as the contract wants");
	});
}

#[test]
fn a_new_active_set_rotates_the_signers_on_the_old_sets_signatures() {
	new_test_ext(|| {
		register(5);
		ok(Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT));
		ok(Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT));
		for who in 1..=3 {
			ok(Gatekeeper::sign_withdrawal(signed(who), 0, payout_signature(who, 0)));
		}
		ok(Gatekeeper::sign_withdrawal(signed(1), 1, payout_signature(1, 1)));

		new_session(vec![1, 2, 3, 5]);
		let mut keys: Vec<EthAddress> = [1, 2, 3, 5].into_iter().map(key_of).collect();
		keys.sort();
		assert!(events().contains(&Event::SetChangeOpened {
			set_id: 1,
			signers: keys.clone(),
			threshold: 3
		}));
		assert!(!Gatekeeper::signer_set_info(None).unwrap().complete);
		// Only the current set signs the change, once each, for the set being collected.
		assert_noop!(
			Gatekeeper::sign_set_change(signed(5), 1, set_change_signature(5)),
			Error::<Test>::NotSigner
		);
		assert_noop!(
			Gatekeeper::sign_set_change(signed(1), 2, set_change_signature(1)),
			Error::<Test>::NoSetChange
		);
		assert_noop!(
			Gatekeeper::sign_set_change(signed(1), 1, set_change_signature(2)),
			Error::<Test>::BadSignature
		);
		ok(Gatekeeper::sign_set_change(signed(1), 1, set_change_signature(1)));
		assert_noop!(
			Gatekeeper::sign_set_change(signed(1), 1, set_change_signature(1)),
			Error::<Test>::AlreadySigned
		);
		ok(Gatekeeper::sign_set_change(signed(4), 1, set_change_signature(4)));
		ok(Gatekeeper::sign_set_change(signed(2), 1, set_change_signature(2)));
		assert_eq!(CurrentSet::<Test>::get(), 1);
		assert!(events().contains(&Event::SignerSetChanged { set_id: 1 }));
		let info = Gatekeeper::signer_set_info(Some(1)).unwrap();
		assert_eq!((info.signers, info.complete, info.signatures.len()), (keys, true, 3));

		// The complete withdrawal keeps set 0's signatures (the contract accepts them for one
		// set more); the incomplete one is signed afresh by set 1, and 5 may sign it now.
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(4), 0, payout_signature(4, 0)),
			Error::<Test>::AlreadyComplete
		);
		ok(Gatekeeper::sign_withdrawal(signed(5), 1, payout_signature(5, 1)));
		let w = Withdrawals::<Test>::get(1).unwrap();
		assert_eq!((w.set_id, w.signatures.len()), (1, 1));
		assert_noop!(
			Gatekeeper::sign_withdrawal(signed(4), 1, payout_signature(4, 1)),
			Error::<Test>::NotSigner
		);

		// A second rotation makes set 0's signatures stale: withdrawal 0 is signed again.
		register(6);
		new_session(vec![1, 2, 3, 6]);
		for who in [1, 2, 3] {
			ok(Gatekeeper::sign_set_change(signed(who), 2, set_change_signature(who)));
		}
		assert_eq!(CurrentSet::<Test>::get(), 2);
		ok(Gatekeeper::sign_withdrawal(signed(6), 0, payout_signature(6, 0)));
		assert_eq!(Withdrawals::<Test>::get(0).unwrap().set_id, 2);
	});
}

#[test]
fn a_set_change_follows_the_active_set_until_signed() {
	new_test_ext(|| {
		register(5);
		register(6);
		new_session(vec![1, 2, 3, 5]);
		assert_eq!(SignerSets::<Test>::get(1).unwrap().signers.len(), 4);
		ok(Gatekeeper::sign_set_change(signed(1), 1, set_change_signature(1)));
		// The set moves on before the change is signed: the change follows, its signatures go.
		new_session(vec![1, 2, 3, 6]);
		let next = SignerSets::<Test>::get(1).unwrap();
		assert!(next.signers.contains(&key_of(6)) && next.signatures.is_empty());
		// Back to the current signers: no change is pending.
		new_session(vec![1, 2, 3, 4]);
		assert!(SignerSets::<Test>::get(1).is_none());
		assert_noop!(
			Gatekeeper::sign_set_change(signed(1), 1, [0u8; 65]),
			Error::<Test>::NoSetChange
		);
	});
}

#[test]
fn any_active_masternode_pauses_and_only_root_unpauses() {
	new_test_ext(|| {
		assert_noop!(Gatekeeper::pause(signed(5)), Error::<Test>::NotActive);
		ok(Gatekeeper::pause(signed(2)));
		assert!(events().contains(&Event::Paused { by: 2 }));
		assert_noop!(Gatekeeper::pause(signed(1)), Error::<Test>::IsPaused);
		assert_noop!(
			Gatekeeper::claim_deposit(signed(9), deposit(1, 100).key),
			Error::<Test>::IsPaused
		);
		assert_noop!(Gatekeeper::unpause(signed(1)), DispatchError::BadOrigin);
		ok(Gatekeeper::unpause(Origin::Root.into()));
		assert_noop!(Gatekeeper::unpause(Origin::Root.into()), Error::<Test>::NotPaused);
		assert!(!Gatekeeper::state().paused);
	});
}

#[test]
fn root_names_the_contract_and_sets_the_caps() {
	new_test_ext(|| {
		assert_noop!(Gatekeeper::set_contract(signed(1), 1, [1; 20]), DispatchError::BadOrigin);
		assert_noop!(
			Gatekeeper::set_contract(Origin::Root.into(), 1, [0; 20]),
			Error::<Test>::ZeroAddress
		);
		ok(Gatekeeper::set_contract(Origin::Root.into(), 1, [1; 20]));
		assert_eq!(Gatekeeper::domain().unwrap().chain_id, 1);
		assert_noop!(Gatekeeper::set_caps(signed(1), 1, 1), DispatchError::BadOrigin);
		ok(Gatekeeper::set_caps(Origin::Root.into(), 7, 8));
		let state = Gatekeeper::state();
		assert_eq!((state.daily_mint_cap, state.daily_withdraw_cap), (7, 8));
	});
}

#[test]
fn the_issuance_check_catches_money_made_elsewhere() {
	new_test_ext(|| {
		ok(Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT));
		<Balances as Mutate<AccountId>>::mint_into(&CUSTOMER, 1).unwrap();
		assert!(Gatekeeper::do_try_state().is_err());
		<Balances as Mutate<AccountId>>::burn_from(
			&CUSTOMER,
			1,
			frame_support::traits::tokens::Preservation::Expendable,
			frame_support::traits::tokens::Precision::Exact,
			frame_support::traits::tokens::Fortitude::Polite,
		)
		.unwrap();
	});
}

#[test]
fn without_genesis_keys_the_first_registered_keys_make_set_zero() {
	let mut ext = new_bench_ext();
	ext.execute_with(|| {
		SignerSets::<Test>::remove(0);
		for who in 1..=4 {
			KeyOwners::<Test>::remove(key_of(who));
			EthKeys::<Test>::remove(who);
		}
		register(1);
		let set = SignerSets::<Test>::get(0).unwrap();
		assert_eq!((set.signers.into_inner(), set.threshold), (vec![key_of(1)], 1));
		register(2);
		assert_eq!(SignerSets::<Test>::get(1).unwrap().signers.len(), 2, "then changes as usual");
		Gatekeeper::do_try_state().unwrap();
	});
}

#[test]
fn withdrawals_without_a_signer_set_or_beyond_any_total_are_refused() {
	new_test_ext(|| {
		let set = SignerSets::<Test>::take(0).unwrap();
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT),
			Error::<Test>::NoSignerSet
		);
		SignerSets::<Test>::insert(0, set);
		ok(Gatekeeper::set_caps(Origin::Root.into(), MINT_CAP, Balance::MAX));
		let today = Today::<Test>::get();
		Today::<Test>::put(DayTotals {
			day: 1_000_000 / 86_400,
			withdrawn: Balance::MAX - 10,
			..today
		});
		assert_noop!(
			Gatekeeper::withdraw(signed(CUSTOMER), 1_000, ETH_RECIPIENT),
			Error::<Test>::Overflow
		);
	});
}
