//! Every call and error of the masternodes, selection by stake, liveness and rewards.

use crate::{mock::*, pallet::*, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		tokens::Preservation,
		Contains, Get, UnixTime,
	},
};
use pallet_session::SessionManager;

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn staked(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Stake.into(), &who)
}

fn active() -> Vec<AccountId> {
	ActiveSet::<Test>::get().into_iter().map(|(who, _)| who).collect()
}

/// Both genesis masternodes author a block, so that nobody is marked offline.
fn both_author() {
	author(1);
	author(2);
}

#[test]
fn genesis_masternodes_are_staked_and_active() {
	new_test_ext(|| {
		assert_eq!((staked(1), staked(2)), (200, 100));
		assert_eq!(ActiveSet::<Test>::get().into_inner(), vec![(1, 200), (2, 100)]);
		assert!(Masternodes::contains(&1) && !Masternodes::contains(&3));
	});
}

#[test]
fn registering_holds_the_stake_and_the_top_stakes_are_selected_two_sessions_on() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 300));
		System::assert_last_event(Event::Registered { who: 3, stake: 300 }.into());
		assert_eq!(staked(3), 300);
		assert_eq!(Balances::balance(&3), START - 300);
		// Session 1 was planned at genesis; session 2 is planned as session 1 starts.
		both_author();
		rotate_session();
		assert_eq!(active(), vec![1, 2]);
		both_author();
		rotate_session();
		assert_eq!(CurrentSession::<Test>::get(), 2);
		assert_eq!(active(), vec![3, 1, 2]);
		// A fourth with more stake than 2 pushes it out of the three seats.
		assert_ok!(Masternodes::register(origin(4), 150));
		for who in [1, 2, 3] {
			author(who);
		}
		rotate_session();
		for who in [1, 2, 3] {
			author(who);
		}
		rotate_session();
		assert_eq!(ActiveSet::<Test>::get().into_inner(), vec![(3, 300), (1, 200), (4, 150)]);
	});
}

#[test]
fn the_council_is_the_active_set_from_genesis_and_at_every_change() {
	new_test_ext(|| {
		assert_eq!(council(), vec![1, 2]);
		assert_ok!(Masternodes::register(origin(3), 300));
		both_author();
		rotate_session();
		assert_eq!(council(), vec![1, 2], "3 is only planned");
		both_author();
		rotate_session();
		assert_eq!(council(), vec![1, 2, 3]);
		// 2 leaves: it is out of the council as soon as it is out of the active set.
		assert_ok!(Masternodes::leave(origin(2)));
		for _ in 0..2 {
			for who in [1, 2, 3] {
				author(who);
			}
			rotate_session();
		}
		assert_eq!(active(), vec![3, 1]);
		assert_eq!(council(), vec![1, 3]);
	});
}

#[test]
fn registration_errors_change_nothing() {
	new_test_ext(|| {
		assert_noop!(Masternodes::register(origin(1), 500), Error::<Test>::AlreadyRegistered);
		assert_noop!(Masternodes::register(origin(3), MIN_STAKE - 1), Error::<Test>::BelowMinStake);
		assert_noop!(
			Masternodes::register(origin(3), START + 1),
			Error::<Test>::InsufficientBalance
		);
		for who in 3..=5 {
			assert_ok!(Masternodes::register(origin(who), MIN_STAKE));
		}
		assert_noop!(
			Masternodes::register(origin(6), MIN_STAKE),
			Error::<Test>::TooManyMasternodes
		);
	});
}

#[test]
fn bonding_extra_adds_to_the_stake() {
	new_test_ext(|| {
		assert_ok!(Masternodes::bond_extra(origin(2), 50));
		System::assert_last_event(Event::Bonded { who: 2, amount: 50 }.into());
		assert_eq!(Registry::<Test>::get(2).unwrap().stake, 150);
		assert_eq!(staked(2), 150);
		assert_noop!(Masternodes::bond_extra(origin(3), 50), Error::<Test>::NotRegistered);
		assert_noop!(Masternodes::bond_extra(origin(2), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Masternodes::bond_extra(origin(2), START), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn unbonded_stake_stays_held_for_the_unbonding_period_then_is_withdrawn() {
	new_test_ext(|| {
		assert_ok!(Masternodes::unbond(origin(1), 60));
		let from = UNBONDING_SESSIONS;
		System::assert_last_event(Event::Unbonded { who: 1, amount: 60, from }.into());
		let masternode = Registry::<Test>::get(1).unwrap();
		assert_eq!((masternode.stake, masternode.unbonding.into_inner()), (140, vec![(60, from)]));
		assert_eq!(staked(1), 200, "unbonding stake stays held");
		assert_noop!(Masternodes::withdraw(origin(1)), Error::<Test>::NothingToWithdraw);
		both_author();
		rotate_session();
		assert_noop!(Masternodes::withdraw(origin(1)), Error::<Test>::NothingToWithdraw);
		both_author();
		rotate_session();
		assert_ok!(Masternodes::withdraw(origin(1)));
		System::assert_last_event(Event::Withdrawn { who: 1, amount: 60 }.into());
		assert_eq!(staked(1), 140);
		assert_eq!(Balances::balance(&1), START - 140);
	});
}

#[test]
fn unbond_errors_change_nothing() {
	new_test_ext(|| {
		assert_noop!(Masternodes::unbond(origin(3), 10), Error::<Test>::NotRegistered);
		assert_noop!(Masternodes::unbond(origin(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Masternodes::unbond(origin(1), 201), Error::<Test>::NotEnoughBonded);
		assert_noop!(Masternodes::unbond(origin(1), 101), Error::<Test>::BelowMinStake);
		assert_ok!(Masternodes::unbond(origin(1), 50));
		assert_ok!(Masternodes::unbond(origin(1), 50));
		assert_eq!(Registry::<Test>::get(1).unwrap().stake, MIN_STAKE);
		assert_ok!(Masternodes::bond_extra(origin(1), 10));
		assert_noop!(Masternodes::unbond(origin(1), 10), Error::<Test>::TooManyUnbonding);
		assert_noop!(Masternodes::withdraw(origin(3)), Error::<Test>::NotRegistered);
	});
}

#[test]
fn leaving_unbonds_everything_drops_out_of_selection_and_removes_after_withdrawal() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 300));
		assert_ok!(Masternodes::leave(origin(2)));
		System::assert_has_event(Event::Left { who: 2 }.into());
		assert_noop!(Masternodes::leave(origin(2)), Error::<Test>::Leaving);
		assert_noop!(Masternodes::bond_extra(origin(2), 10), Error::<Test>::Leaving);
		assert_noop!(Masternodes::unbond(origin(2), 10), Error::<Test>::Leaving);
		assert_eq!(Registry::<Test>::get(2).unwrap().stake, 0);
		assert_eq!(staked(2), 100);
		both_author();
		rotate_session();
		// Session 1 was planned with 2 in it; session 2 is without.
		assert_eq!(active(), vec![1, 2]);
		both_author();
		rotate_session();
		assert_eq!(active(), vec![3, 1]);
		assert_ok!(Masternodes::withdraw(origin(2)));
		System::assert_last_event(Event::Removed { who: 2 }.into());
		assert!(Registry::<Test>::get(2).is_none());
		assert_eq!((staked(2), Balances::balance(&2)), (0, START));
		assert_noop!(Masternodes::leave(origin(2)), Error::<Test>::NotRegistered);
	});
}

#[test]
fn a_masternode_without_session_keys_is_not_selected() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 300));
		drop_keys(3);
		assert_eq!(
			Masternodes::select().into_inner(),
			vec![(1, 200), (2, 100)],
			"3 cannot author without keys"
		);
	});
}

/// Below the line: a member silent for fewer than `OFFLINE_AFTER_SLOTS` of its own slots (a
/// starved machine missing a session's two or five slots) is not marked offline, only unpaid
/// for the session it authored nothing in; authoring again starts its count from zero.
#[test]
fn a_masternode_silent_for_fewer_slots_than_the_limit_stays_in_the_set() {
	new_test_ext(|| {
		// Session 0, a set of two: 10 slots, 5 each; 2 authors nothing.
		author(1);
		rotate_session();
		assert_eq!(SlotsWithoutBlock::<Test>::get(2), 5);
		assert_eq!(Offline::<Test>::get(2), None);
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Masternodes(Event::WentOffline { .. })
		)));
		// Session 1: 2 authors once; its count starts again.
		both_author();
		rotate_session();
		assert_eq!(SlotsWithoutBlock::<Test>::get(2), 0);
		// Sessions 2 and 3: silent again in the first, authoring in the second: 5 slots, never 8.
		author(1);
		rotate_session();
		both_author();
		rotate_session();
		assert_eq!(Offline::<Test>::get(2), None);
		assert_eq!(active(), vec![1, 2]);
		Masternodes::do_try_state().expect("the invariants hold");
	});
}

/// Above the line: silent for `OFFLINE_AFTER_SLOTS` of its own slots, over several sessions,
/// and it is offline; an hour of silence on the production chain is hundreds of slots.
#[test]
fn a_masternode_that_authored_nothing_for_the_slot_limit_is_left_out_until_it_is_back() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 300));
		author(1); // 2 is silent in session 0: 5 of its slots
		rotate_session();
		assert_eq!(Offline::<Test>::get(2), None);
		author(1); // and in session 1: 10 slots, past the limit of 8
		rotate_session();
		System::assert_has_event(
			Event::WentOffline { who: 2, session: 1, reason: OfflineReason::NoBlocks }.into(),
		);
		assert_eq!(Offline::<Test>::get(2), Some(1));
		assert!(!Masternodes::select().iter().any(|(who, _)| *who == 2));
		// Session 2 was planned before 2 went offline; session 3 is planned without it.
		assert_eq!(active(), vec![3, 1, 2]);
		author(3);
		author(1);
		rotate_session();
		assert_eq!(active(), vec![3, 1], "session 3 was planned without 2");
		assert_noop!(Masternodes::back(origin(1)), Error::<Test>::NotOffline);
		assert_ok!(Masternodes::back(origin(2)));
		System::assert_last_event(Event::Back { who: 2 }.into());
		assert_noop!(Masternodes::back(origin(2)), Error::<Test>::BackPending);
		// `back` takes effect when the next set is planned, not before.
		assert_eq!(Offline::<Test>::get(2), Some(1));
		assert!(!Masternodes::select().iter().any(|(who, _)| *who == 2));
		author(3);
		author(1);
		rotate_session();
		assert_eq!(Offline::<Test>::get(2), None);
		assert!(PlannedSets::<Test>::get(5).unwrap().iter().any(|(who, _)| *who == 2));
	});
}

/// A member that joined the set starts with no silent slots; one that left the set loses its
/// count.
#[test]
fn silent_slots_are_counted_for_members_of_the_active_set_only() {
	new_test_ext(|| {
		author(1);
		rotate_session();
		assert_eq!(SlotsWithoutBlock::<Test>::get(2), 5);
		assert_ok!(Masternodes::leave(origin(2)));
		author(1);
		rotate_session(); // session 1 was planned with 2: silent, 10 slots
		assert_eq!(SlotsWithoutBlock::<Test>::get(2), 10);
		author(1);
		rotate_session(); // session 3 was planned after the leave: without 2
		assert_eq!(active(), vec![1]);
		assert!(!SlotsWithoutBlock::<Test>::contains_key(2));
		Masternodes::do_try_state().expect("the invariants hold");
	});
}

#[test]
fn a_lone_masternode_is_never_marked_offline() {
	new_test_ext(|| {
		assert_ok!(Masternodes::leave(origin(2)));
		both_author();
		rotate_session();
		both_author();
		rotate_session();
		assert_eq!(active(), vec![1]);
		rotate_session(); // 1 authored nothing, but it is the whole set
		assert_eq!(Offline::<Test>::get(1), None);
	});
}

#[test]
fn rewards_split_the_pot_by_stake_and_the_remainder_stays() {
	new_test_ext(|| {
		// Fees of 9,999 arrive in the pot (which keeps its existential deposit of 1): they are
		// shared 2:1 at the session's end.
		assert_ok!(Balances::transfer(&5, &POT, 9_999, Preservation::Expendable));
		let (one, two) = (Balances::balance(&1), Balances::balance(&2));
		assert_eq!(Masternodes::pending_reward(&1), 6_666);
		assert_eq!(Masternodes::pending_reward(&3), 0, "not in the set");
		both_author();
		rotate_session();
		let (share_one, share_two) = (9_999 * 200 / 300, 9_999 * 100 / 300);
		assert_eq!((share_one, share_two), (6_666, 3_333));
		System::assert_has_event(Event::Rewarded { who: 1, session: 0, amount: share_one }.into());
		System::assert_has_event(Event::Rewarded { who: 2, session: 0, amount: share_two }.into());
		assert_eq!(Balances::balance(&1), one + share_one);
		assert_eq!(Balances::balance(&2), two + share_two);
		assert_eq!(Balances::balance(&POT), 1, "9,999 is divisible 2:1");
		let payout = LastPayout::<Test>::get().unwrap();
		assert_eq!((payout.session, payout.available_before, payout.paid), (0, 9_999, 9_999));
		assert_eq!(payout.available_after, 0);
		// Nothing new in the pot: nothing is paid next session.
		both_author();
		rotate_session();
		assert_eq!(Balances::balance(&POT), 1);
		// 301 more arrive; the stakes the set was selected with count (200:100), not a later
		// bond; 200.67 and 100.33 round down and the remaining 1 stays.
		assert_ok!(Balances::transfer(&6, &POT, 301, Preservation::Preserve));
		assert_ok!(Masternodes::bond_extra(origin(2), 100));
		let (one, two) = (Balances::balance(&1), Balances::balance(&2));
		both_author();
		rotate_session();
		assert_eq!((Balances::balance(&1) - one, Balances::balance(&2) - two), (200, 100));
		assert_eq!(Balances::balance(&POT), 2);
	});
}

#[test]
fn an_empty_selection_keeps_the_current_set() {
	new_test_ext(|| {
		drop_keys(1);
		drop_keys(2);
		assert_eq!(Masternodes::new_session(5), None);
		assert_eq!(PlannedSets::<Test>::get(5), None);
	});
}

#[test]
fn root_sets_the_session_length() {
	new_test_ext(|| {
		assert_eq!(SessionLength::<Test>::get(), 10, "the default");
		assert_eq!(SessionLengthOf::<Test>::get(), 10);
		assert_noop!(
			Masternodes::set_session_length(origin(1), 5),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Masternodes::set_session_length(RuntimeOrigin::root(), 0),
			Error::<Test>::ZeroSessionLength
		);
		assert_ok!(Masternodes::set_session_length(RuntimeOrigin::root(), 5));
		System::assert_last_event(Event::SessionLengthSet { blocks: 5 }.into());
		assert_eq!(SessionLengthOf::<Test>::get(), 5);
	});
}

#[test]
fn once_prices_have_been_fed_for_a_window_a_masternode_that_fed_none_is_left_out() {
	new_test_ext(|| {
		// Nobody feeds in session 0: authoring is enough.
		both_author();
		rotate_session();
		assert_eq!(Offline::<Test>::get(2), None);
		// Masternode 1 starts feeding; 2 never does. Within the first window nobody is judged
		// on feeds (2's feeder might just be starting).
		let fed_at = MockTime::now().as_secs();
		feed(1);
		while MockTime::now().as_secs() + 20 < fed_at + FEED_WINDOW {
			both_author();
			rotate_session();
			assert_eq!(Offline::<Test>::get(2), None, "judged before a whole window of feeds");
		}
		// 1 feeds once a window (less often than sessions end) and stays; 2 goes offline.
		both_author();
		feed(1);
		rotate_session();
		let session = CurrentSession::<Test>::get() - 1;
		System::assert_has_event(
			Event::WentOffline { who: 2, session, reason: OfflineReason::NoFeeds }.into(),
		);
		assert_eq!(Offline::<Test>::get(1), None);
	});
}

/// Sessions of 20 s and feeders that feed once a window, started at different times (as on
/// separate machines): nobody is marked offline for as long as everyone keeps feeding.
#[test]
fn feeders_slower_than_sessions_and_started_apart_keep_the_set() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 300));
		let mut last_fed = [None::<u64>; 3];
		for session in 0..20u64 {
			for (i, who) in [1, 2, 3].into_iter().enumerate() {
				author(who);
				// Feeder i starts in session 2 * i and feeds every third session after.
				let now = MockTime::now().as_secs();
				let starts = session >= 2 * i as u64;
				let due = last_fed[i].is_none_or(|at| now >= at + FEED_WINDOW - 20);
				if starts && due {
					feed(who);
					last_fed[i] = Some(now);
				}
			}
			rotate_session();
		}
		assert!(Offline::<Test>::iter().next().is_none(), "nobody went offline");
		assert_eq!(active(), vec![3, 1, 2]);
	});
}

/// A masternode is not paid for a session it authored nothing in; once marked offline it is
/// paid neither for that session nor for the next one, which was planned with it; after `back`
/// it is paid again once it is in a set again.
#[test]
fn offline_masternodes_are_not_paid() {
	new_test_ext(|| {
		assert_ok!(Masternodes::register(origin(3), 100));
		both_author();
		rotate_session();
		both_author();
		rotate_session(); // session 2: 3 is in the set
		assert_eq!(active(), vec![1, 2, 3]);
		let pay_in = |amount| {
			assert_ok!(Balances::transfer(&5, &POT, amount, Preservation::Preserve));
		};
		let balances = || [1, 2, 3].map(|who| Balances::balance(&who));
		// Sessions 2 and 3: 3 authors nothing (3 of its slots each, 6 < 8): not offline, but
		// unpaid; 1 and 2 share the pot 2:1.
		for session in [2, 3] {
			pay_in(300);
			let before = balances();
			both_author();
			rotate_session();
			assert_eq!(Offline::<Test>::get(3), None, "session {session}");
			let after = balances();
			assert_eq!(
				[after[0] - before[0], after[1] - before[1], after[2] - before[2]],
				[200, 100, 0]
			);
		}
		// Session 4: silent again, 9 slots: offline.
		pay_in(300);
		let before = balances();
		both_author();
		rotate_session();
		System::assert_has_event(
			Event::WentOffline { who: 3, session: 4, reason: OfflineReason::NoBlocks }.into(),
		);
		let after = balances();
		assert_eq!(
			[after[0] - before[0], after[1] - before[1], after[2] - before[2]],
			[200, 100, 0]
		);
		// Session 5 was planned with 3 in it: even authoring, 3 is offline and not paid.
		assert_eq!(active(), vec![1, 2, 3]);
		pay_in(300);
		let before = balances();
		both_author();
		author(3);
		assert_eq!(Masternodes::pending_reward(&3), 0);
		rotate_session();
		let after = balances();
		assert_eq!(
			[after[0] - before[0], after[1] - before[1], after[2] - before[2]],
			[200, 100, 0]
		);
		// Session 6 is without 3; `back` now takes effect for the set planned next (session 8).
		assert_eq!(active(), vec![1, 2]);
		assert_ok!(Masternodes::back(origin(3)));
		both_author();
		rotate_session();
		assert_eq!(active(), vec![1, 2], "session 7 was planned before the back");
		both_author();
		rotate_session();
		assert_eq!(active(), vec![1, 2, 3]);
		pay_in(400);
		let before = balances();
		both_author();
		author(3);
		rotate_session();
		let after = balances();
		assert_eq!(
			[after[0] - before[0], after[1] - before[1], after[2] - before[2]],
			[200, 100, 100]
		);
	});
}
