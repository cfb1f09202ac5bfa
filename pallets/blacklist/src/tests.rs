//! Every call, its events, deposits and every error path; `try_state` and conservation of the
//! currency after each test (`mock::run`).

use crate::{mock::*, pallet::*, Error, Event, HoldReason};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sonm_primitives::traits::IsBlocked;

const ALICE: AccountId = 1;
const BOB: AccountId = 2;
const CURATOR: AccountId = 3;
const SCAMMER: AccountId = 4;

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn name(text: &str) -> ListName {
	text.as_bytes().to_vec().try_into().unwrap()
}

fn description(text: &str) -> ListDescription {
	text.as_bytes().to_vec().try_into().unwrap()
}

mod own_list {
	use super::*;

	#[test]
	fn adding_holds_a_deposit_and_blocks() {
		run(|| {
			assert!(!Blacklist::is_blocked(&ALICE, &SCAMMER));
			assert_ok!(Blacklist::add(origin(ALICE), SCAMMER));
			System::assert_last_event(Event::Blocked { who: ALICE, whom: SCAMMER }.into());
			assert!(Blacklist::is_blocked(&ALICE, &SCAMMER));
			assert!(!Blacklist::is_blocked(&SCAMMER, &ALICE), "lists are one-way");
			assert!(!Blacklist::is_blocked(&BOB, &SCAMMER), "lists are per account");
			assert_eq!(held(HoldReason::Entry, ALICE), ENTRY_DEPOSIT);
			assert_eq!(Balances::balance(&ALICE), START - ENTRY_DEPOSIT);
			assert_eq!(EntryCount::<Test>::get(ALICE), 1);
		});
	}

	#[test]
	fn removing_releases_the_deposit() {
		run(|| {
			assert_ok!(Blacklist::add(origin(ALICE), SCAMMER));
			assert_ok!(Blacklist::remove(origin(ALICE), SCAMMER));
			System::assert_last_event(Event::Unblocked { who: ALICE, whom: SCAMMER }.into());
			assert!(!Blacklist::is_blocked(&ALICE, &SCAMMER));
			assert_eq!(held(HoldReason::Entry, ALICE), 0);
			assert_eq!(Balances::balance(&ALICE), START);
			assert!(!EntryCount::<Test>::contains_key(ALICE), "an empty list leaves no count");
		});
	}

	#[test]
	fn bad_additions_and_removals_are_refused() {
		run(|| {
			assert_noop!(Blacklist::add(origin(ALICE), ALICE), Error::<Test>::CannotBlockSelf);
			assert_ok!(Blacklist::add(origin(ALICE), SCAMMER));
			assert_noop!(Blacklist::add(origin(ALICE), SCAMMER), Error::<Test>::AlreadyBlocked);
			assert_noop!(Blacklist::remove(origin(ALICE), BOB), Error::<Test>::NotBlocked);
			assert_noop!(Blacklist::remove(origin(BOB), SCAMMER), Error::<Test>::NotBlocked);
			for whom in 10..10 + MAX_ENTRIES as AccountId - 1 {
				assert_ok!(Blacklist::add(origin(ALICE), whom));
			}
			assert_noop!(Blacklist::add(origin(ALICE), BOB), Error::<Test>::ListFull);
			// POOR holds 15: one entry (10) fits, the second does not.
			assert_ok!(Blacklist::add(origin(POOR), SCAMMER));
			assert_noop!(Blacklist::add(origin(POOR), BOB), Error::<Test>::InsufficientBalance);
		});
	}
}

mod subscriptions {
	use super::*;

	#[test]
	fn a_subscriber_applies_the_lists_own_entries() {
		run(|| {
			assert_ok!(Blacklist::add(origin(CURATOR), SCAMMER));
			assert_ok!(Blacklist::subscribe(origin(ALICE), CURATOR));
			System::assert_last_event(Event::Subscribed { who: ALICE, list: CURATOR }.into());
			assert!(Blacklist::is_blocked(&ALICE, &SCAMMER));
			// Entries added later apply too.
			assert_ok!(Blacklist::add(origin(CURATOR), BOB));
			assert!(Blacklist::is_blocked(&ALICE, &BOB));
			// Subscriptions do not chain: the curator's own subscriptions are not applied.
			assert_ok!(Blacklist::add(origin(5), 6));
			assert_ok!(Blacklist::subscribe(origin(CURATOR), 5));
			assert!(Blacklist::is_blocked(&CURATOR, &6));
			assert!(!Blacklist::is_blocked(&ALICE, &6));
			assert_ok!(Blacklist::unsubscribe(origin(ALICE), CURATOR));
			System::assert_last_event(Event::Unsubscribed { who: ALICE, list: CURATOR }.into());
			assert!(!Blacklist::is_blocked(&ALICE, &SCAMMER));
			assert!(!Subscriptions::<Test>::contains_key(ALICE));
		});
	}

	#[test]
	fn bad_subscriptions_are_refused() {
		run(|| {
			assert_noop!(
				Blacklist::subscribe(origin(ALICE), ALICE),
				Error::<Test>::CannotSubscribeToSelf
			);
			assert_ok!(Blacklist::subscribe(origin(ALICE), CURATOR));
			assert_noop!(
				Blacklist::subscribe(origin(ALICE), CURATOR),
				Error::<Test>::AlreadySubscribed
			);
			for list in 10..10 + MAX_SUBSCRIPTIONS as AccountId - 1 {
				assert_ok!(Blacklist::subscribe(origin(ALICE), list));
			}
			assert_noop!(
				Blacklist::subscribe(origin(ALICE), BOB),
				Error::<Test>::TooManySubscriptions
			);
			assert_noop!(Blacklist::unsubscribe(origin(ALICE), BOB), Error::<Test>::NotSubscribed);
			assert_noop!(
				Blacklist::unsubscribe(origin(BOB), CURATOR),
				Error::<Test>::NotSubscribed
			);
		});
	}
}

mod curated_lists {
	use super::*;

	#[test]
	fn a_curator_publishes_renames_and_withdraws_its_list() {
		run(|| {
			assert_ok!(Blacklist::publish_list(
				origin(CURATOR),
				name("Non-payers"),
				description("Customers who closed deals unpaid")
			));
			System::assert_last_event(
				Event::ListPublished { curator: CURATOR, name: name("Non-payers") }.into(),
			);
			assert_eq!(held(HoldReason::CuratedList, CURATOR), LIST_DEPOSIT);
			// Publishing again renames; the deposit is held once.
			assert_ok!(Blacklist::publish_list(
				origin(CURATOR),
				name("Bad payers"),
				description("")
			));
			assert_eq!(held(HoldReason::CuratedList, CURATOR), LIST_DEPOSIT);
			assert_eq!(CuratedLists::<Test>::get(CURATOR).unwrap().name, name("Bad payers"));
			assert_ok!(Blacklist::add(origin(CURATOR), SCAMMER));
			assert_ok!(Blacklist::subscribe(origin(ALICE), CURATOR));
			assert_ok!(Blacklist::unpublish_list(origin(CURATOR)));
			System::assert_last_event(Event::ListUnpublished { curator: CURATOR }.into());
			assert_eq!(held(HoldReason::CuratedList, CURATOR), 0);
			assert!(Blacklist::is_blocked(&ALICE, &SCAMMER), "the entries stay");
		});
	}

	#[test]
	fn bad_publications_are_refused() {
		run(|| {
			assert_noop!(
				Blacklist::publish_list(origin(CURATOR), name(""), description("x")),
				Error::<Test>::EmptyName
			);
			assert_noop!(
				Blacklist::publish_list(origin(POOR), name("mine"), description("")),
				Error::<Test>::InsufficientBalance
			);
			assert_noop!(Blacklist::unpublish_list(origin(CURATOR)), Error::<Test>::NotPublished);
		});
	}
}

mod market_glue {
	use super::*;

	#[test]
	fn the_market_blocks_through_the_glue_trait_idempotently() {
		run(|| {
			assert_ok!(<Blacklist as IsBlocked<AccountId>>::block(&ALICE, &SCAMMER));
			assert!(<Blacklist as IsBlocked<AccountId>>::is_blocked(&ALICE, &SCAMMER));
			assert_ok!(<Blacklist as IsBlocked<AccountId>>::block(&ALICE, &SCAMMER));
			assert_eq!(EntryCount::<Test>::get(ALICE), 1);
			assert_eq!(held(HoldReason::Entry, ALICE), ENTRY_DEPOSIT);
			assert!(<Blacklist as IsBlocked<AccountId>>::block(&ALICE, &ALICE).is_err());
		});
	}

	#[test]
	fn the_market_learns_how_many_lists_a_check_reads() {
		run(|| {
			type Glue = Blacklist;
			assert_eq!(<Glue as IsBlocked<AccountId>>::max_subscriptions(), MAX_SUBSCRIPTIONS);
			assert_eq!(<Glue as IsBlocked<AccountId>>::subscriptions_of(&ALICE), 0);
			assert_ok!(Blacklist::subscribe(origin(ALICE), CURATOR));
			assert_ok!(Blacklist::subscribe(origin(ALICE), BOB));
			assert_eq!(<Glue as IsBlocked<AccountId>>::subscriptions_of(&ALICE), 2);
		});
	}
}
