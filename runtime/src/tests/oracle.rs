//! The market with the masternodes' oracle as its price glue: a USD-priced deal is billed at
//! the prices the masternodes feed, exactly as the conversion formula gives
//! (docs/ARCHITECTURE.md); with a stale price billing waits and the deal stays open, and closing
//! settles at the last price in force.

use super::{advance_clock, order_terms, preset_storage, signed, start_clock};
use crate::{Market, Oracle, Runtime, SNM};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Get},
};
use pallet_market::{CloseReason, Error, Event as MarketEvent, HoldReason, PriceUnit, Side};
use sonm_primitives::Currency::Usd;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Ferdie};

/// Alice, the development chain's only masternode, feeds `snm_per_usd` whole SNM per USD.
fn alice_feeds(snm_per_usd: u128) {
	assert_ok!(Oracle::feed(signed(Alice), Usd, snm_per_usd * SNM));
}

fn market_events() -> Vec<MarketEvent<Runtime>> {
	frame_system::Pallet::<Runtime>::events()
		.into_iter()
		.filter_map(|record| match record.event {
			crate::RuntimeEvent::Market(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Opens a one-hour deal at 0.50 USD an hour between Charlie's ask and Bob's bid; returns its id.
fn half_a_dollar_an_hour_deal() -> u64 {
	// 0.50 USD an hour, in USD x 10^18 per second (rounded down).
	let per_second = 500_000_000_000_000_000 / 3_600;
	let mut ask = order_terms(Side::Ask, PriceUnit::Usd);
	let mut bid = order_terms(Side::Bid, PriceUnit::Usd);
	ask.price.per_second = per_second;
	bid.price.per_second = per_second;
	assert_ok!(Market::place_order(signed(Charlie), ask));
	assert_ok!(Market::place_order(signed(Bob), bid));
	let bid = pallet_market::NextOrderId::<Runtime>::get() - 1;
	assert_ok!(Market::open_deal(signed(Ferdie), bid - 1, bid));
	bid
}

#[test]
fn a_usd_deal_is_billed_at_the_fed_prices_by_the_formula() {
	preset_storage("development").execute_with(|| {
		start_clock();
		alice_feeds(40);
		let deal = half_a_dollar_an_hour_deal();
		let escrow = HoldReason::DealEscrow.into();
		let bob = Bob.to_account_id();
		// 138_888_888_888_888 x 3600 x 40 SNM/USD, plus the 10 % margin.
		assert_eq!(crate::Balances::balance_on_hold(&escrow, &bob), 21_999_999_999_999_859_200);

		advance_clock(1_800);
		assert_ok!(Market::bill(signed(Ferdie), deal));
		// 138_888_888_888_888 x 1800 x 40: 1 % to the fee pot, the rest to Charlie.
		assert!(market_events().contains(&MarketEvent::DealBilled {
			id: deal,
			payee: Charlie.to_account_id(),
			amount: 9_899_999_999_999_936_640,
			fee: 99_999_999_999_999_360,
		}));

		advance_clock(1_700);
		alice_feeds(42);
		advance_clock(100);
		assert_ok!(Market::bill(signed(Ferdie), deal));
		// 138_888_888_888_888 x 1800 x 42, and the deal has run its hour.
		let events = market_events();
		assert!(events.contains(&MarketEvent::DealBilled {
			id: deal,
			payee: Charlie.to_account_id(),
			amount: 10_394_999_999_999_933_472,
			fee: 104_999_999_999_999_328,
		}));
		assert!(events.contains(&MarketEvent::DealClosed {
			id: deal,
			reason: CloseReason::Expired,
			refund: 1_499_999_999_999_990_400,
		}));
		assert_eq!(crate::Balances::balance_on_hold(&escrow, &bob), 0);
	});
}

#[test]
fn with_a_stale_price_billing_waits_and_the_deal_stays_open() {
	preset_storage("development").execute_with(|| {
		start_clock();
		alice_feeds(40);
		let deal = half_a_dollar_an_hour_deal();
		let lifetime: u64 = <Runtime as pallet_oracle::Config>::PriceLifetime::get();
		advance_clock(lifetime + 1);
		assert_eq!(Oracle::fresh_price(Usd), None);
		assert_noop!(Market::bill(signed(Ferdie), deal), Error::<Runtime>::PriceUnavailable);
		assert!(pallet_market::Deals::<Runtime>::get(deal.to_be_bytes()).is_some(), "not closed");
		// A fresh feed and the deal is billed for all the time it ran.
		alice_feeds(40);
		assert_ok!(Market::bill(signed(Ferdie), deal));
		let paid = 138_888_888_888_888u128 * (lifetime as u128 + 1) * 40;
		assert!(market_events().iter().any(|event| matches!(
			event,
			MarketEvent::DealBilled { id, amount, fee, .. } if *id == deal && amount + fee == paid
		)));
	});
}

#[test]
fn only_the_active_masternodes_feed_and_a_majority_makes_the_price() {
	preset_storage("local_testnet").execute_with(|| {
		start_clock();
		assert_noop!(
			Oracle::feed(signed(Ferdie), Usd, 40 * SNM),
			pallet_oracle::Error::<Runtime>::NotFeeder
		);
		// Four masternodes: three feeds make a price, two do not.
		assert_ok!(Oracle::feed(signed(Alice), Usd, 40 * SNM));
		assert_ok!(Oracle::feed(signed(Bob), Usd, 41 * SNM));
		assert_eq!(Oracle::fresh_price(Usd), None);
		assert_ok!(Oracle::feed(signed(Charlie), Usd, 39 * SNM));
		assert_eq!(Oracle::fresh_price(Usd).map(|price| price.snm_per_unit), Some(40 * SNM));
	});
}

/// Generated weights, not placeholders: every call of the masternodes and the oracle fits in a
/// block many times over.
#[test]
fn masternode_and_oracle_calls_fit_in_a_block_many_times() {
	use crate::RuntimeCall;
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let max = limits.get(DispatchClass::Normal).max_extrinsic.expect("limited");
	let calls: Vec<RuntimeCall> = vec![
		pallet_oracle::Call::feed { currency: Usd, snm_per_unit: SNM }.into(),
		pallet_masternodes::Call::register { stake: SNM }.into(),
		pallet_masternodes::Call::bond_extra { amount: SNM }.into(),
		pallet_masternodes::Call::unbond { amount: SNM }.into(),
		pallet_masternodes::Call::withdraw {}.into(),
		pallet_masternodes::Call::leave {}.into(),
		pallet_masternodes::Call::back {}.into(),
		pallet_masternodes::Call::set_session_length { blocks: 600 }.into(),
	];
	for call in calls {
		let weight = call.get_dispatch_info().total_weight();
		assert!(weight.ref_time() * 100 < max.ref_time(), "{call:?} weighs {weight:?}");
	}
}

/// During an oracle outage the customer can still stop a USD deal: closing settles the time
/// it ran at the last price in force, refunds the rest, and nothing more is charged when a
/// price returns.
#[test]
fn with_a_stale_price_the_customer_still_closes_a_usd_deal_at_the_last_price() {
	preset_storage("development").execute_with(|| {
		start_clock();
		alice_feeds(40);
		let deal = half_a_dollar_an_hour_deal();
		let bob = Bob.to_account_id();
		let escrow = crate::Balances::balance_on_hold(&HoldReason::DealEscrow.into(), &bob);
		let lifetime: u64 = <Runtime as pallet_oracle::Config>::PriceLifetime::get();
		advance_clock(lifetime + 1);
		assert_eq!(Oracle::fresh_price(Usd), None);
		assert_ok!(Market::close_deal(signed(Bob), deal, false));
		let paid = 138_888_888_888_888u128 * (lifetime as u128 + 1) * 40;
		let events = market_events();
		assert!(events.iter().any(|event| matches!(
			event,
			MarketEvent::DealBilled { id, amount, fee, .. } if *id == deal && amount + fee == paid
		)));
		assert!(events.contains(&MarketEvent::DealClosed {
			id: deal,
			reason: CloseReason::ByCustomer,
			refund: escrow - paid,
		}));
		assert_eq!(crate::Balances::balance_on_hold(&HoldReason::DealEscrow.into(), &bob), 0);
		// The price returns: there is nothing left to charge.
		alice_feeds(40);
		assert_noop!(Market::bill(signed(Ferdie), deal), Error::<Runtime>::DealNotFound);
	});
}

/// A forward USD deal past its end is closed by anyone, price or not.
#[test]
fn with_a_stale_price_anyone_closes_an_ended_usd_deal() {
	preset_storage("development").execute_with(|| {
		start_clock();
		alice_feeds(40);
		let deal = half_a_dollar_an_hour_deal();
		let lifetime: u64 = <Runtime as pallet_oracle::Config>::PriceLifetime::get();
		advance_clock(3_600 + lifetime);
		assert_eq!(Oracle::fresh_price(Usd), None);
		assert_ok!(Market::close_deal(signed(Ferdie), deal, false));
		assert!(market_events().iter().any(|event| matches!(
			event,
			MarketEvent::DealClosed { id, reason: CloseReason::Expired, .. } if *id == deal
		)));
	});
}
