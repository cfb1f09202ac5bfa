//! Root is the masternodes' council on the local preset: a motion of more than two thirds of the
//! active set dispatches a root call; fewer ayes, non-members, members who left the set and
//! failing calls change nothing.

use super::{preset_storage, signed, start_clock};
use crate::{
	configs::council::{CouncilInstance, MotionDuration},
	Council, Gatekeeper, Masternodes, Runtime, RuntimeCall, RuntimeEvent, Session, System,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::UnfilteredDispatchable,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Ferdie};
use sp_runtime::{traits::Hash, DispatchError, DispatchResult};

fn members() -> Vec<crate::AccountId> {
	pallet_collective::Members::<Runtime, CouncilInstance>::get()
}

fn as_root(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::CouncilRoot(pallet_council::Call::dispatch_as_root { call: Box::new(call) })
}

/// Alice proposes `CouncilRoot::dispatch_as_root(call)` needing `threshold` ayes and votes aye;
/// the motion's hash and index.
fn propose(call: RuntimeCall, threshold: u32) -> (crate::Hash, u32) {
	let motion = as_root(call);
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&motion);
	let index = pallet_collective::ProposalCount::<Runtime, CouncilInstance>::get();
	assert_ok!(Council::propose(
		signed(Alice),
		threshold,
		Box::new(motion.clone()),
		motion.encoded_size() as u32
	));
	vote(Alice, (hash, index), true);
	(hash, index)
}

fn vote(who: Sr25519Keyring, (hash, index): (crate::Hash, u32), aye: bool) {
	assert_ok!(Council::vote(signed(who), hash, index, aye));
}

/// The weight bound `close` states for a motion dispatching `call` as root.
fn close_weight(call: &RuntimeCall) -> frame_support::weights::Weight {
	as_root(call.clone()).get_dispatch_info().call_weight
}

/// Anyone closes the motion; its `Executed` result, if it was carried.
fn close(motion: (crate::Hash, u32), call: &RuntimeCall) -> Option<DispatchResult> {
	let (hash, index) = motion;
	let weight = close_weight(call);
	let length = as_root(call.clone()).encoded_size() as u32;
	assert_ok!(Council::close(signed(Ferdie), hash, index, weight, length));
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result })
			if proposal_hash == hash =>
		{
			Some(result)
		},
		_ => None,
	})
}

/// A motion carried by Alice, Bob and Charlie (three of four).
fn carry(call: RuntimeCall) -> DispatchResult {
	let motion = propose(call.clone(), 3);
	vote(Bob, motion, true);
	vote(Charlie, motion, true);
	close(motion, &call).expect("three of four carry a motion")
}

fn provider_registration() -> RuntimeCall {
	RuntimeCall::Kyc(pallet_kyc::Call::register_provider {
		account: Dave.to_account_id(),
		name: b"Dave's KYC".to_vec().try_into().unwrap(),
		url: b"https://kyc.example/dave".to_vec().try_into().unwrap(),
		fee: 0,
		max_level: sonm_primitives::IdentityLevel::Identified,
	})
}

/// Every call whose origin is root today.
fn root_calls() -> Vec<RuntimeCall> {
	vec![
		provider_registration(),
		RuntimeCall::Kyc(pallet_kyc::Call::remove_provider { id: 0 }),
		RuntimeCall::Market(pallet_market::Call::set_paused { paused: true }),
		RuntimeCall::Gatekeeper(pallet_gatekeeper::Call::set_caps {
			daily_mint: 7,
			daily_withdraw: 9,
		}),
		RuntimeCall::Gatekeeper(pallet_gatekeeper::Call::set_contract {
			chain_id: 5,
			gatekeeper: [7; 20],
		}),
		RuntimeCall::Gatekeeper(pallet_gatekeeper::Call::unpause {}),
		RuntimeCall::Masternodes(pallet_masternodes::Call::set_session_length { blocks: 20 }),
		RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash: [9; 32].into() }),
	]
}

#[test]
fn the_council_is_the_active_set() {
	preset_storage("local_testnet").execute_with(|| {
		let mut four: Vec<_> =
			[Alice, Bob, Charlie, Dave].iter().map(|k| k.to_account_id()).collect();
		four.sort();
		assert_eq!(members(), four);
	});
}

#[test]
fn every_root_call_is_refused_to_a_signed_origin_and_reached_by_a_carried_motion() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		// A masternode pauses the gateway, for the council to unpause it.
		assert_ok!(Gatekeeper::pause(signed(Alice)));
		for call in root_calls() {
			let refused = call.clone().dispatch_bypass_filter(signed(Alice));
			assert_eq!(refused.map_err(|e| e.error), Err(DispatchError::BadOrigin), "{call:?}");
			// Nor may the council act without a motion.
			let direct = as_root(call.clone()).dispatch_bypass_filter(signed(Alice));
			assert_eq!(direct.map_err(|e| e.error), Err(DispatchError::BadOrigin), "{call:?}");
			assert_eq!(carry(call.clone()), Ok(()), "{call:?}");
			System::assert_has_event(pallet_council::Event::DispatchedAsRoot.into());
		}
		assert!(pallet_market::Paused::<Runtime>::get());
		assert_eq!(pallet_masternodes::SessionLength::<Runtime>::get(), 20);
		let caps = pallet_gatekeeper::DailyCaps::<Runtime>::get();
		assert_eq!((caps.daily_mint, caps.daily_withdraw), (7, 9));
		System::assert_has_event(
			frame_system::Event::UpgradeAuthorized {
				code_hash: [9; 32].into(),
				check_version: true,
			}
			.into(),
		);
		assert!(!pallet_gatekeeper::Paused::<Runtime>::get());
	});
}

#[test]
fn two_of_four_ayes_carry_nothing() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let pause = RuntimeCall::Market(pallet_market::Call::set_paused { paused: true });
		// Asking three ayes: two are too few before the end, and a no at the end.
		let motion = propose(pause.clone(), 3);
		vote(Bob, motion, true);
		let (hash, index) = motion;
		let weight = close_weight(&pause);
		assert_noop!(
			Council::close(signed(Ferdie), hash, index, weight, 100),
			pallet_collective::Error::<Runtime, CouncilInstance>::TooEarly
		);
		System::set_block_number(System::block_number() + MotionDuration::get());
		assert_eq!(close(motion, &pause), None);
		System::assert_has_event(
			pallet_collective::Event::<Runtime, CouncilInstance>::Disapproved {
				proposal_hash: hash,
			}
			.into(),
		);
		// Asking only two: carried by the collective, refused as root (2 of 4 is not > 2/3).
		let motion = propose(pause.clone(), 2);
		vote(Bob, motion, true);
		assert_eq!(close(motion, &pause), Some(Err(DispatchError::BadOrigin)));
		assert!(!pallet_market::Paused::<Runtime>::get());
	});
}

#[test]
fn a_non_member_cannot_propose_or_vote() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let call = as_root(RuntimeCall::Market(pallet_market::Call::set_paused { paused: true }));
		assert_noop!(
			Council::propose(signed(Ferdie), 3, Box::new(call.clone()), 100),
			pallet_collective::Error::<Runtime, CouncilInstance>::NotMember
		);
		let motion =
			propose(RuntimeCall::Market(pallet_market::Call::set_paused { paused: true }), 3);
		assert_noop!(
			Council::vote(signed(Ferdie), motion.0, motion.1, true),
			pallet_collective::Error::<Runtime, CouncilInstance>::NotMember
		);
	});
}

#[test]
fn a_motion_holds_a_deposit_from_its_proposer() {
	use frame_support::traits::fungible::InspectHold;
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let reason = crate::configs::council::ProposalHoldReason::get();
		let before = crate::Balances::balance_on_hold(&reason, &Alice.to_account_id());
		propose(RuntimeCall::Market(pallet_market::Call::set_paused { paused: true }), 3);
		let held = crate::Balances::balance_on_hold(&reason, &Alice.to_account_id()) - before;
		assert_eq!(held, crate::configs::council::ProposalDeposit::get());
	});
}

#[test]
fn a_masternode_leaving_the_active_set_loses_its_vote_at_the_next_session() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let pause = RuntimeCall::Market(pallet_market::Call::set_paused { paused: true });
		let motion = propose(pause.clone(), 3);
		vote(Dave, motion, true);
		assert_ok!(Masternodes::leave(signed(Dave)));
		// Leaving takes effect when the set planned without Dave starts: two sessions on.
		for _ in 0..2 {
			System::set_block_number(System::block_number() + 1);
			Session::rotate_session();
		}
		assert!(!members().contains(&Dave.to_account_id()));
		// With Dave's aye still counted, Bob's would make the three the motion asks; without it,
		// it is too early to close, and Charlie's aye carries it.
		vote(Bob, motion, true);
		let weight = close_weight(&pause);
		assert_noop!(
			Council::close(signed(Ferdie), motion.0, motion.1, weight, 100),
			pallet_collective::Error::<Runtime, CouncilInstance>::TooEarly
		);
		vote(Charlie, motion, true);
		assert_eq!(close(motion, &pause), Some(Ok(())));
		assert!(pallet_market::Paused::<Runtime>::get());
		let mut active: Vec<_> = pallet_masternodes::ActiveSet::<Runtime>::get()
			.into_iter()
			.map(|(who, _)| who)
			.collect();
		active.sort();
		assert_eq!(members(), active);
	});
}

#[test]
fn a_motion_dispatching_a_failing_call_reports_the_failure_and_changes_nothing() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let missing = RuntimeCall::Kyc(pallet_kyc::Call::remove_provider { id: 99 });
		let providers = pallet_kyc::NextProviderId::<Runtime>::get();
		let result = carry(missing);
		assert_eq!(result, Err(pallet_kyc::Error::<Runtime>::ProviderNotFound.into()));
		assert_eq!(pallet_kyc::NextProviderId::<Runtime>::get(), providers);
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::CouncilRoot(pallet_council::Event::DispatchedAsRoot)
		)));
	});
}

#[test]
fn a_member_has_at_most_four_motions_open_at_once() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		let session = |blocks| {
			RuntimeCall::Masternodes(pallet_masternodes::Call::set_session_length { blocks })
		};
		let alices: Vec<_> = (20..24).map(|blocks| propose(session(blocks), 3)).collect();
		let fifth = as_root(session(24));
		assert_noop!(
			Council::propose(signed(Alice), 3, Box::new(fifth.clone()), 100),
			pallet_council::Error::<Runtime>::TooManyOpenMotions
		);
		// Another member's motions are their own.
		assert_ok!(Council::propose(signed(Bob), 3, Box::new(fifth.clone()), 100));
		// One of Alice's carried and closed, she may move another.
		vote(Bob, alices[0], true);
		vote(Charlie, alices[0], true);
		assert_eq!(close(alices[0], &session(20)), Some(Ok(())));
		assert_ok!(Council::propose(signed(Alice), 3, Box::new(as_root(session(25))), 100));
	});
}
