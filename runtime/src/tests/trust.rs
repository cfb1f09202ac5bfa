//! The market with the trust pallets as its glue: identity levels granted by a KYC provider
//! decide which orders match, and so do blacklists, own, subscribed and written by closing a
//! deal.

use super::{advance_clock, order_terms, preset_storage, signed, start_clock};
use crate::{Balances, Blacklist, Kyc, Market, Runtime, RuntimeOrigin, SNM};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use pallet_market::{Error, OrderId, PriceUnit, Side};
use sonm_primitives::IdentityLevel;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};

/// The ids of the open orders that would deal with order `id` now.
fn matching(id: OrderId) -> Vec<OrderId> {
	Market::matching_orders(id, 100).into_iter().map(|(id, _)| id).collect()
}

/// Places an order for `who` and returns its id.
fn place(who: Sr25519Keyring, terms: pallet_market::OrderTerms<Runtime>) -> OrderId {
	assert_ok!(Market::place_order(signed(who), terms));
	pallet_market::NextOrderId::<Runtime>::get() - 1
}

/// Registers Dave as a provider that may grant up to Identified for `fee`; returns its id.
fn register_dave_as_provider(fee: u128) -> pallet_kyc::ProviderId {
	assert_ok!(Kyc::register_provider(
		RuntimeOrigin::root(),
		Dave.to_account_id(),
		b"Dave's KYC".to_vec().try_into().unwrap(),
		b"https://kyc.example/dave".to_vec().try_into().unwrap(),
		fee,
		IdentityLevel::Identified,
	));
	pallet_kyc::NextProviderId::<Runtime>::get() - 1
}

#[test]
fn a_bid_requiring_identified_matches_a_supplier_while_a_provider_certifies_it() {
	preset_storage("development").execute_with(|| {
		start_clock();
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let mut terms = order_terms(Side::Bid, PriceUnit::Snm);
		terms.min_identity = IdentityLevel::Identified;
		let bid = place(Bob, terms);

		// Alice is Anonymous: the bid does not match her ask.
		assert_eq!(Kyc::level_of(&Alice.to_account_id()), IdentityLevel::Anonymous);
		assert!(matching(bid).is_empty() && matching(ask).is_empty());
		assert_noop!(
			Market::open_deal(signed(Ferdie), ask, bid),
			Error::<Runtime>::SupplierIdentityTooLow
		);

		// Dave, a provider registered by root, certifies her for an hour and is paid.
		let fee = 5 * SNM;
		let provider = register_dave_as_provider(fee);
		assert_ok!(Kyc::request_verification(
			signed(Alice),
			provider,
			IdentityLevel::Identified,
			fee
		));
		let dave_before = Balances::free_balance(Dave.to_account_id());
		let expires_at = pallet_timestamp::Now::<Runtime>::get() / 1_000 + 3_600;
		assert_ok!(Kyc::certify(
			signed(Dave),
			provider,
			Alice.to_account_id(),
			expires_at,
			[7; 32]
		));
		assert_eq!(Balances::free_balance(Dave.to_account_id()), dave_before + fee);
		assert_eq!(Kyc::level_of(&Alice.to_account_id()), IdentityLevel::Identified);
		assert_eq!(matching(bid), vec![ask]);
		assert_eq!(matching(ask), vec![bid]);

		// Once the certification expires she is Anonymous again and the orders part.
		advance_clock(3_600);
		assert_eq!(Kyc::level_of(&Alice.to_account_id()), IdentityLevel::Anonymous);
		assert!(matching(bid).is_empty() && matching(ask).is_empty());
		assert_noop!(
			Market::open_deal(signed(Ferdie), ask, bid),
			Error::<Runtime>::SupplierIdentityTooLow
		);
	});
}

#[test]
fn a_supplier_on_a_curated_list_the_customer_subscribes_to_is_not_matched() {
	preset_storage("development").execute_with(|| {
		start_clock();
		// Eve curates a published list of suppliers she does not trust, with Alice on it.
		assert_ok!(Blacklist::publish_list(
			signed(Eve),
			b"Unreliable suppliers".to_vec().try_into().unwrap(),
			b"Suppliers who stopped workloads early".to_vec().try_into().unwrap(),
		));
		assert_ok!(Blacklist::add(signed(Eve), Alice.to_account_id()));
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let charlies_ask = place(Charlie, order_terms(Side::Ask, PriceUnit::Snm));
		let bid = place(Bob, order_terms(Side::Bid, PriceUnit::Snm));
		assert_eq!(matching(bid), vec![ask, charlies_ask]);

		// Bob subscribes: Alice's ask no longer matches his bid, Charlie's still does.
		assert_ok!(Blacklist::subscribe(signed(Bob), Eve.to_account_id()));
		assert!(Blacklist::is_blocked(&Bob.to_account_id(), &Alice.to_account_id()));
		assert_eq!(matching(bid), vec![charlies_ask]);
		assert!(matching(ask).is_empty());
		assert_noop!(
			Market::open_deal(signed(Ferdie), ask, bid),
			Error::<Runtime>::SupplierBlacklisted
		);
		assert_ok!(Market::open_deal(signed(Ferdie), charlies_ask, bid));
	});
}

#[test]
fn closing_with_blacklist_lists_the_counterparty_and_the_next_deal_fails() {
	preset_storage("development").execute_with(|| {
		start_clock();
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let bid = place(Bob, order_terms(Side::Bid, PriceUnit::Snm));
		assert_ok!(Market::open_deal(signed(Ferdie), ask, bid));
		advance_clock(60);

		// Bob closes the deal (it takes the bid's id) and blacklists Alice, for a deposit.
		let deposit = <Runtime as pallet_blacklist::Config>::EntryDeposit::get();
		assert_ok!(Market::close_deal(signed(Bob), bid, true));
		assert_eq!(Blacklist::list_of(&bob), vec![alice.clone()]);
		let reason = pallet_blacklist::HoldReason::Entry.into();
		assert_eq!(Balances::balance_on_hold(&reason, &bob), deposit);

		// Alice's next ask and Bob's next bid do not deal.
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let bid = place(Bob, order_terms(Side::Bid, PriceUnit::Snm));
		assert!(matching(bid).is_empty());
		assert_noop!(
			Market::open_deal(signed(Ferdie), ask, bid),
			Error::<Runtime>::SupplierBlacklisted
		);

		// Alice closing a deal at its end with blacklist puts its customer on her list the same
		// way.
		let charlies_bid = place(Charlie, order_terms(Side::Bid, PriceUnit::Snm));
		assert_ok!(Market::open_deal(signed(Ferdie), ask, charlies_bid));
		advance_clock(3_600);
		assert_ok!(Market::close_deal(signed(Alice), charlies_bid, true));
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let charlies_bid = place(Charlie, order_terms(Side::Bid, PriceUnit::Snm));
		assert_noop!(
			Market::open_deal(signed(Ferdie), ask, charlies_bid),
			Error::<Runtime>::CustomerBlacklisted
		);

		// Taking Alice off his list lets Bob deal with her again.
		assert_ok!(Blacklist::remove(signed(Bob), alice));
		assert_eq!(Balances::balance_on_hold(&reason, &bob), 0);
		assert_ok!(Market::open_deal(signed(Ferdie), ask, bid));
	});
}

/// A customer who has spent its free balance can still close a deal with `blacklist`: the
/// refund comes first and pays the blacklist entry's deposit.
#[test]
fn closing_with_blacklist_is_paid_from_the_refund() {
	use frame_support::traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	};
	preset_storage("development").execute_with(|| {
		start_clock();
		let ask = place(Alice, order_terms(Side::Ask, PriceUnit::Snm));
		let bid = place(Bob, order_terms(Side::Bid, PriceUnit::Snm));
		assert_ok!(Market::open_deal(signed(Charlie), ask, bid));
		// Bob keeps only his existential deposit free: less than a blacklist entry holds.
		let bob = Bob.to_account_id();
		let spendable = Balances::reducible_balance(
			&bob,
			Preservation::Preserve,
			frame_support::traits::tokens::Fortitude::Polite,
		);
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&bob,
			&Ferdie.to_account_id(),
			spendable,
			Preservation::Preserve
		));
		advance_clock(60);
		assert_ok!(Market::close_deal(signed(Bob), bid, true));
		assert!(Blacklist::is_blocked(&bob, &Alice.to_account_id()));
		let entry = pallet_blacklist::HoldReason::Entry.into();
		let deposit: u128 =
			<<Runtime as pallet_blacklist::Config>::EntryDeposit as frame_support::traits::Get<
				_,
			>>::get();
		assert_eq!(Balances::balance_on_hold(&entry, &bob), deposit);
	});
}
