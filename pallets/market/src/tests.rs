//! Unit tests of every call: the happy paths with their events and balances, and every error
//! path with `assert_noop!`. Each test ends with `try_state` and a check that no SNM was
//! created or destroyed (`mock::new_test_ext`).

use crate::{mock::*, pallet::*, types::*, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sonm_primitives::{netflags, IdentityLevel};

const SUPPLIER: AccountId = 1;
const CUSTOMER: AccountId = 2;
const MATCHER: AccountId = 3;
const MASTER: AccountId = 4;
const CURATOR: AccountId = 5;
const STRANGER: AccountId = 6;
const CUSTOMERS_MASTER: AccountId = 7;

/// 10 base units per second.
const PRICE: Balance = 10;
const HOUR: u64 = 3600;

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn place(who: AccountId, terms: OrderTermsOf<Test>) -> OrderId {
	assert_ok!(Market::place_order(origin(who), terms));
	NextOrderId::<Test>::get() - 1
}

/// An ask by SUPPLIER and a bid by CUSTOMER at PRICE for `duration`, opened as a deal.
fn open(duration: u64) -> DealId {
	let ask = place(SUPPLIER, terms(Side::Ask, PRICE, duration));
	let bid = place(CUSTOMER, terms(Side::Bid, PRICE, duration));
	assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
	bid
}

/// At 1 USD = 2,000 base units: an ask by SUPPLIER and a bid by CUSTOMER, both for an hour at
/// 0.5 USD x 10^18 per second. Returns (ask, bid).
fn half_a_dollar_orders() -> (OrderId, OrderId) {
	set_usd_rate(Some(2_000));
	let half_usd = 500_000_000_000_000_000;
	let mut ask = terms(Side::Ask, half_usd, HOUR);
	ask.price.unit = PriceUnit::Usd;
	let mut bid = ask.clone();
	bid.side = Side::Bid;
	bid.benchmarks = terms(Side::Bid, 1, 1).benchmarks;
	(place(SUPPLIER, ask), place(CUSTOMER, bid))
}

/// The market fee of a payment of `amount`.
fn fee(amount: Balance) -> Balance {
	MarketFee::get() * amount
}

mod orders {
	use super::*;

	#[test]
	fn a_bid_holds_its_deal_and_a_deposit() {
		new_test_ext(|| {
			let id = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			System::assert_last_event(
				Event::OrderPlaced { id, author: CUSTOMER, side: Side::Bid }.into(),
			);
			assert_eq!(held(HoldReason::OrderDeposit, CUSTOMER), DEPOSIT);
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), PRICE * HOUR as Balance);
			assert_eq!(free(CUSTOMER), START - DEPOSIT - PRICE * HOUR as Balance);
			assert_eq!(OrdersOf::<Test>::get(CUSTOMER).into_inner(), vec![id]);
		});
	}

	#[test]
	fn a_spot_bid_holds_one_prepaid_period_and_an_ask_only_a_deposit() {
		new_test_ext(|| {
			place(CUSTOMER, terms(Side::Bid, PRICE, 0));
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), PRICE * HOUR as Balance);
			place(SUPPLIER, terms(Side::Ask, PRICE, 0));
			assert_eq!(held(HoldReason::BidEscrow, SUPPLIER), 0);
			assert_eq!(held(HoldReason::OrderDeposit, SUPPLIER), DEPOSIT);
		});
	}

	#[test]
	fn bad_orders_are_refused_and_change_nothing() {
		new_test_ext(|| {
			let mut short = terms(Side::Ask, PRICE, HOUR);
			short.benchmarks.truncate(11);
			assert_noop!(
				Market::place_order(origin(SUPPLIER), short),
				Error::<Test>::BadBenchmarks
			);

			let mut flags = terms(Side::Ask, PRICE, HOUR);
			flags.netflags = netflags::ALL + 1;
			assert_noop!(Market::place_order(origin(SUPPLIER), flags), Error::<Test>::BadNetflags);

			assert_noop!(
				Market::place_order(origin(SUPPLIER), terms(Side::Ask, 0, HOUR)),
				Error::<Test>::ZeroPrice
			);
			assert_noop!(
				Market::place_order(origin(SUPPLIER), terms(Side::Ask, PRICE, 31 * 24 * HOUR)),
				Error::<Test>::DurationTooLong
			);

			let mut past = terms(Side::Ask, PRICE, HOUR);
			past.expires_at = Some(now());
			assert_noop!(Market::place_order(origin(SUPPLIER), past), Error::<Test>::ExpiryInPast);

			let mut usd = terms(Side::Bid, PRICE, HOUR);
			usd.price.unit = PriceUnit::Usd;
			assert_noop!(
				Market::place_order(origin(CUSTOMER), usd),
				Error::<Test>::PriceUnavailable
			);

			assert_noop!(
				Market::place_order(origin(CUSTOMER), terms(Side::Bid, START, HOUR)),
				Error::<Test>::InsufficientBalance
			);

			assert_ok!(Market::set_paused(RuntimeOrigin::root(), true));
			assert_noop!(
				Market::place_order(origin(SUPPLIER), terms(Side::Ask, PRICE, HOUR)),
				Error::<Test>::MarketPaused
			);
		});
	}

	#[test]
	fn a_batch_places_every_order_with_its_own_holds() {
		new_test_ext(|| {
			let first = NextOrderId::<Test>::get();
			let batch = vec![
				terms(Side::Bid, PRICE, HOUR),
				terms(Side::Bid, PRICE, 0),
				terms(Side::Ask, PRICE, HOUR),
			];
			assert_ok!(Market::place_orders(origin(CUSTOMER), batch.try_into().unwrap()));
			let ids: Vec<OrderId> = (first..first + 3).collect();
			assert_eq!(OrdersOf::<Test>::get(CUSTOMER).into_inner(), ids);
			assert_eq!(NextOrderId::<Test>::get(), first + 3);
			// Each holds what it would alone: three deposits, the two bids' escrow (a spot
			// bid's is its prepaid hour).
			assert_eq!(held(HoldReason::OrderDeposit, CUSTOMER), 3 * DEPOSIT);
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), 2 * PRICE * HOUR as Balance);
			for (id, side) in ids.iter().zip([Side::Bid, Side::Bid, Side::Ask]) {
				assert_eq!(Orders::<Test>::get(id.to_be_bytes()).unwrap().terms.side, side);
				System::assert_has_event(
					Event::OrderPlaced { id: *id, author: CUSTOMER, side }.into(),
				);
			}
		});
	}

	#[test]
	fn a_batch_with_one_bad_order_places_none() {
		new_test_ext(|| {
			let mut zero = terms(Side::Bid, PRICE, HOUR);
			zero.price.per_second = 0;
			let batch = vec![terms(Side::Ask, PRICE, HOUR), zero];
			assert_noop!(
				Market::place_orders(origin(CUSTOMER), batch.try_into().unwrap()),
				Error::<Test>::ZeroPrice
			);
			assert_noop!(
				Market::place_orders(origin(CUSTOMER), Default::default()),
				Error::<Test>::NoOrders
			);
			// Two open, room for two more: a batch of three places none.
			place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let three = vec![terms(Side::Ask, PRICE, HOUR); 3];
			assert_noop!(
				Market::place_orders(origin(SUPPLIER), three.try_into().unwrap()),
				Error::<Test>::TooManyOrders
			);
			// Two bids each holding three fifths of the balance: the first alone would be
			// placed, the second cannot be held; none is.
			let each = free(STRANGER) * 3 / 5 / HOUR as Balance;
			let two = vec![terms(Side::Bid, each, HOUR); 2];
			assert!(Market::place_orders(origin(STRANGER), two.try_into().unwrap()).is_err());
			assert!(OrdersOf::<Test>::get(STRANGER).is_empty());
		});
	}

	#[test]
	fn open_orders_per_account_are_bounded() {
		new_test_ext(|| {
			for _ in 0..4 {
				place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			}
			assert_noop!(
				Market::place_order(origin(SUPPLIER), terms(Side::Ask, PRICE, HOUR)),
				Error::<Test>::TooManyOrders
			);
		});
	}

	#[test]
	fn only_the_author_cancels_and_gets_everything_back() {
		new_test_ext(|| {
			let id = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			assert_noop!(Market::cancel_order(origin(STRANGER), id), Error::<Test>::NotOrderAuthor);
			assert_noop!(
				Market::cancel_order(origin(CUSTOMER), id + 1),
				Error::<Test>::OrderNotFound
			);
			assert_ok!(Market::cancel_order(origin(CUSTOMER), id));
			System::assert_last_event(
				Event::OrderCancelled { id, author: CUSTOMER, expired: false }.into(),
			);
			assert_eq!(free(CUSTOMER), START);
			assert!(Orders::<Test>::get(id.to_be_bytes()).is_none());
			assert!(OrdersOf::<Test>::get(CUSTOMER).is_empty());
		});
	}

	#[test]
	fn anyone_removes_an_expired_order_and_the_author_gets_everything_back() {
		new_test_ext(|| {
			let mut expiring = terms(Side::Bid, PRICE, HOUR);
			expiring.expires_at = Some(now() + 60);
			let id = place(CUSTOMER, expiring);
			assert_noop!(
				Market::remove_expired_order(origin(STRANGER), id),
				Error::<Test>::OrderNotExpired
			);
			advance(60);
			assert_ok!(Market::remove_expired_order(origin(STRANGER), id));
			System::assert_last_event(
				Event::OrderCancelled { id, author: CUSTOMER, expired: true }.into(),
			);
			assert_eq!(free(CUSTOMER), START);
			assert_eq!(free(STRANGER), START);
		});
	}
}

mod matching {
	use super::*;

	/// Places an ask and a bid after `tweak` edits them, and returns what `open_deal` says.
	fn try_open(
		tweak: impl FnOnce(&mut OrderTermsOf<Test>, &mut OrderTermsOf<Test>),
	) -> (OrderId, OrderId) {
		let (mut ask, mut bid) = (terms(Side::Ask, PRICE, HOUR), terms(Side::Bid, PRICE, HOUR));
		tweak(&mut ask, &mut bid);
		(place(SUPPLIER, ask), place(CUSTOMER, bid))
	}

	fn refused(
		error: Error<Test>,
		tweak: impl FnOnce(&mut OrderTermsOf<Test>, &mut OrderTermsOf<Test>),
	) {
		new_test_ext(|| {
			let (ask, bid) = try_open(tweak);
			assert_noop!(Market::open_deal(origin(MATCHER), ask, bid), error);
		});
	}

	#[test]
	fn a_deal_takes_the_asks_price_and_the_bids_duration() {
		new_test_ext(|| {
			let (ask, bid) = try_open(|ask, bid| {
				ask.price.per_second = PRICE - 2;
				ask.duration = 2 * HOUR;
				bid.duration = HOUR;
			});
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
			System::assert_last_event(
				Event::DealOpened { id: bid, ask, bid, supplier: SUPPLIER, consumer: CUSTOMER }
					.into(),
			);
			let deal = Deals::<Test>::get(bid.to_be_bytes())
				.expect("the deal is open, under its bid's id");
			assert_eq!((deal.price.per_second, deal.duration), (PRICE - 2, HOUR));
			assert_eq!(deal.payee, SUPPLIER);
			// The bid's escrow became the deal's, at the ask's price; the rest is free again.
			let escrow = (PRICE - 2) * HOUR as Balance;
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), escrow);
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), 0);
			// The bid's deposit stays held as the deal's.
			assert_eq!(held(HoldReason::DealDeposit, CUSTOMER), DEPOSIT);
			assert_eq!(free(CUSTOMER), START - escrow - DEPOSIT);
			assert_eq!(free(SUPPLIER), START);
			assert!(
				Orders::<Test>::get(ask.to_be_bytes()).is_none()
					&& Orders::<Test>::get(bid.to_be_bytes()).is_none()
			);
		});
	}

	#[test]
	fn orders_must_exist_be_on_their_sides_and_unexpired() {
		new_test_ext(|| {
			let (ask, bid) = try_open(|_, _| {});
			assert_noop!(Market::open_deal(origin(MATCHER), bid, ask), Error::<Test>::NotAnAsk);
			let other_ask = place(STRANGER, terms(Side::Ask, PRICE, HOUR));
			assert_noop!(
				Market::open_deal(origin(MATCHER), ask, other_ask),
				Error::<Test>::NotABid
			);
			assert_noop!(Market::open_deal(origin(MATCHER), ask, 77), Error::<Test>::OrderNotFound);
			assert_ok!(Market::set_paused(RuntimeOrigin::root(), true));
			assert_noop!(Market::open_deal(origin(MATCHER), ask, bid), Error::<Test>::MarketPaused);
		});
	}

	#[test]
	fn an_expired_order_does_not_match() {
		new_test_ext(|| {
			let (ask, bid) = try_open(|ask, _| ask.expires_at = Some(now() + 10));
			advance(10);
			assert_noop!(Market::open_deal(origin(MATCHER), ask, bid), Error::<Test>::OrderExpired);
		});
	}

	#[test]
	fn a_supplier_cannot_buy_from_itself() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let bid = place(SUPPLIER, terms(Side::Bid, PRICE, HOUR));
			assert_noop!(Market::open_deal(origin(MATCHER), ask, bid), Error::<Test>::SelfDeal);
		});
	}

	#[test]
	fn prices_and_durations_must_fit() {
		refused(Error::<Test>::UnitMismatch, |ask, _| {
			set_usd_rate(Some(1));
			ask.price.unit = PriceUnit::Usd;
		});
		refused(Error::<Test>::PriceTooHigh, |ask, _| ask.price.per_second = PRICE + 1);
		refused(Error::<Test>::DurationMismatch, |ask, _| ask.duration = HOUR - 1);
		refused(Error::<Test>::DurationMismatch, |ask, _| ask.duration = 0);
		// A forward ask does not make an open-ended deal, however long it is.
		refused(Error::<Test>::DurationMismatch, |_, bid| bid.duration = 0);
	}

	#[test]
	fn counterparties_must_be_the_named_ones() {
		refused(Error::<Test>::AskCounterpartyMismatch, |ask, _| ask.counterparty = Some(STRANGER));
		refused(Error::<Test>::BidCounterpartyMismatch, |_, bid| bid.counterparty = Some(STRANGER));
	}

	#[test]
	fn a_bid_may_name_the_suppliers_master_as_counterparty() {
		new_test_ext(|| {
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			let (ask, bid) = try_open(|_, bid| bid.counterparty = Some(MASTER));
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
			assert_eq!(Deals::<Test>::get(bid.to_be_bytes()).unwrap().payee, MASTER);
		});
	}

	#[test]
	fn identity_levels_must_be_met_both_ways() {
		refused(Error::<Test>::CustomerIdentityTooLow, |ask, _| {
			ask.min_identity = IdentityLevel::Registered
		});
		refused(Error::<Test>::SupplierIdentityTooLow, |_, bid| {
			set_level(SUPPLIER, IdentityLevel::Registered);
			bid.min_identity = IdentityLevel::Identified
		});
		new_test_ext(|| {
			set_level(CUSTOMER, IdentityLevel::Identified);
			let (ask, bid) = try_open(|ask, _| ask.min_identity = IdentityLevel::Registered);
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
		});
	}

	#[test]
	fn the_ask_must_offer_what_the_bid_needs() {
		refused(Error::<Test>::NetflagsMismatch, |ask, bid| {
			ask.netflags = netflags::OUTBOUND;
			bid.netflags = netflags::OUTBOUND | netflags::INCOMING;
		});
		refused(Error::<Test>::BenchmarksTooLow, |_, bid| bid.benchmarks[7] = 11);
		refused(Error::<Test>::BenchmarksTooLow, |_, bid| {
			bid.benchmarks.try_push(1).unwrap();
		});
	}

	#[test]
	fn blacklists_of_both_sides_and_their_curators_apply() {
		refused(Error::<Test>::SupplierBlacklisted, |_, _| set_blocked(CUSTOMER, SUPPLIER));
		refused(Error::<Test>::SupplierBlacklisted, |_, bid| {
			set_blocked(CURATOR, SUPPLIER);
			bid.curator = Some(CURATOR);
		});
		refused(Error::<Test>::CustomerBlacklisted, |_, _| set_blocked(SUPPLIER, CUSTOMER));
		refused(Error::<Test>::CustomerBlacklisted, |ask, _| {
			set_blocked(CURATOR, CUSTOMER);
			ask.curator = Some(CURATOR);
		});
		new_test_ext(|| {
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			set_blocked(MASTER, CUSTOMER);
			let (ask, bid) = try_open(|_, _| {});
			assert_noop!(
				Market::open_deal(origin(MATCHER), ask, bid),
				Error::<Test>::CustomerBlacklisted
			);
		});
	}

	#[test]
	fn place_order_is_weighed_for_a_full_index_and_the_most_benchmark_values() {
		use crate::WeightInfo;
		use frame_support::{
			dispatch::GetDispatchInfo,
			traits::{Get, UnfilteredDispatchable},
		};
		new_test_ext(|| {
			let max_orders: u32 = <Test as Config>::MaxOrdersPerAccount::get();
			let max_values: u32 = <Test as Config>::MaxBenchmarks::get();
			let worst = MockWeights::place_order(max_orders - 1, max_values);
			let call = crate::Call::<Test>::place_order { terms: terms(Side::Ask, PRICE, HOUR) };
			assert_eq!(call.get_dispatch_info().call_weight, worst);
			let post = call.dispatch_bypass_filter(origin(SUPPLIER)).expect("a valid ask");
			assert_eq!(post.actual_weight, None, "charged as declared");
		});
	}

	#[test]
	fn open_deal_is_weighed_for_the_most_subscriptions_and_refunds_the_rest() {
		use crate::WeightInfo;
		use frame_support::weights::constants::ParityDbWeight;
		use frame_support::{dispatch::GetDispatchInfo, traits::UnfilteredDispatchable};
		new_test_ext(|| {
			let (ask, bid) = try_open(|ask, bid| {
				ask.curator = Some(CURATOR);
				bid.curator = Some(STRANGER);
			});
			set_subscriptions(CUSTOMER, 2);
			set_subscriptions(CURATOR, 5);
			set_subscriptions(MATCHER, 7); // not a party: never checked
			let call = crate::Call::<Test>::open_deal { ask, bid };
			assert_eq!(
				call.get_dispatch_info().call_weight,
				MockWeights::open_deal(MAX_SUBSCRIPTIONS)
			);
			let post = call.dispatch_bypass_filter(origin(MATCHER)).expect("the orders match");
			// No identity required (3 levels not read), no customer's master read, no master
			// (1 list and 3 pairs fewer, each pair 1 + 5 entries).
			let skipped = ParityDbWeight::get().reads(3 + 1 + 1 + 3 * 6);
			assert_eq!(post.actual_weight, Some(MockWeights::open_deal(5) - skipped));
		});
	}

	#[test]
	fn the_reads_a_match_skips_are_counted_against_the_worst_case() {
		use crate::{MatchReads, OPEN_DEAL_WORST, QUICK_BUY_WORST};
		new_test_ext(|| {
			// The worst case: identity required both ways, a master, curators on both orders,
			// and an ask naming the customer's master.
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			assert_ok!(Market::request_master(origin(CUSTOMER), CUSTOMERS_MASTER));
			assert_ok!(Market::confirm_worker(origin(CUSTOMERS_MASTER), CUSTOMER));
			for who in [SUPPLIER, MASTER, CUSTOMER] {
				set_level(who, IdentityLevel::Registered);
			}
			set_subscriptions(SUPPLIER, 2);
			let (ask, bid) = try_open(|ask, bid| {
				ask.curator = Some(CURATOR);
				bid.curator = Some(STRANGER);
				ask.counterparty = Some(CUSTOMERS_MASTER);
				ask.min_identity = IdentityLevel::Registered;
				bid.min_identity = IdentityLevel::Registered;
			});
			let (_, reads) = Market::do_open_deal(ask, bid).expect("the orders match");
			assert_eq!(reads, MatchReads { subscriptions: 2, ..OPEN_DEAL_WORST });
			assert_eq!(reads.skipped(&OPEN_DEAL_WORST), 0);

			// A plain deal: two lists, one pair each way, no identity read.
			let (ask, bid) = (
				place(CURATOR, terms(Side::Ask, PRICE, HOUR)),
				place(CUSTOMER, terms(Side::Bid, PRICE, HOUR)),
			);
			let (_, reads) = Market::do_open_deal(ask, bid).expect("the orders match");
			let plain = MatchReads {
				subscriptions: 0,
				identity_levels: 0,
				lists: 2,
				pairs: 2,
				customer_masters: 0,
			};
			assert_eq!(reads, plain);
			assert_eq!(reads.skipped(&OPEN_DEAL_WORST), 3 + 1 + 3 + 5);
			assert_eq!(reads.skipped(&QUICK_BUY_WORST), 1 + 1 + 2 + 3);
		});
	}

	#[test]
	fn quick_buy_opens_a_deal_on_an_ask() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			assert_ok!(Market::quick_buy(origin(CUSTOMER), ask, HOUR / 2));
			let deal =
				Deals::<Test>::get((NextOrderId::<Test>::get() - 1).to_be_bytes()).expect("a deal");
			assert_eq!((deal.consumer, deal.duration), (CUSTOMER, HOUR / 2));
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), PRICE * (HOUR / 2) as Balance);
			assert_noop!(
				Market::quick_buy(origin(CUSTOMER), ask, HOUR),
				Error::<Test>::OrderNotFound
			);
		});
	}
}

mod billing {
	use super::*;

	#[test]
	fn billing_pays_the_elapsed_time_minus_the_fee_and_is_capped_at_the_end() {
		new_test_ext(|| {
			let id = open(HOUR);
			advance(600);
			assert_ok!(Market::bill(origin(STRANGER), id));
			let paid = PRICE * 600;
			System::assert_last_event(
				Event::DealBilled { id, payee: SUPPLIER, amount: paid - fee(paid), fee: fee(paid) }
					.into(),
			);
			assert_eq!(free(SUPPLIER), START + paid - fee(paid));
			assert_eq!(free(POT), 1 + fee(paid));
			advance(10 * HOUR);
			assert_ok!(Market::bill(origin(STRANGER), id));
			System::assert_last_event(
				Event::DealClosed { id, reason: CloseReason::Expired, refund: 0 }.into(),
			);
			let total = PRICE * HOUR as Balance;
			assert_eq!(free(SUPPLIER), START + total - fee(total));
			assert_eq!(free(CUSTOMER), START - total);
			assert_noop!(Market::bill(origin(STRANGER), id), Error::<Test>::DealNotFound);
		});
	}

	#[test]
	fn a_spot_deal_is_topped_up_and_closes_when_the_customer_cannot_pay() {
		new_test_ext(|| {
			let id = open(0);
			let period = PRICE * HOUR as Balance;
			advance(HOUR / 2);
			assert_ok!(Market::bill(origin(STRANGER), id));
			assert_eq!(
				Deals::<Test>::get(id.to_be_bytes()).unwrap().escrow,
				period,
				"an hour ahead again"
			);
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), period);
			// The customer spends nearly everything; the next top-up fails.
			let spare = free(CUSTOMER) - 10;
			assert_ok!(Balances::transfer_allow_death(origin(CUSTOMER), STRANGER, spare));
			advance(HOUR / 2);
			assert_ok!(Market::bill(origin(STRANGER), id));
			System::assert_last_event(
				Event::DealClosed {
					id,
					reason: CloseReason::InsufficientFunds,
					refund: period / 2,
				}
				.into(),
			);
			assert!(Deals::<Test>::get(id.to_be_bytes()).is_none());
			let earned = PRICE * HOUR as Balance;
			assert_eq!(free(SUPPLIER), START + earned - fee(earned));
		});
	}

	#[test]
	fn a_usd_deal_is_billed_at_the_rate_of_the_moment() {
		new_test_ext(|| {
			let (ask, bid) = half_a_dollar_orders();
			// 3600 s x 0.5 USD x 2000 = 3_600_000, plus the 10 % margin.
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), 3_960_000);
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
			advance(100);
			assert_ok!(Market::bill(origin(STRANGER), bid));
			let first = 100_000; // 100 s x 0.5 USD x 2000
			set_usd_rate(Some(3_000));
			advance(100);
			assert_ok!(Market::bill(origin(STRANGER), bid));
			let second = 150_000; // 100 s x 0.5 USD x 3000
			assert_eq!(
				Deals::<Test>::get(bid.to_be_bytes()).unwrap().paid,
				first + second - fee(first) - fee(second)
			);
			// The rest of the deal at the new rate plus margin stays held: 3400 x 1500 x 1.1.
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), 5_610_000);
			set_usd_rate(None);
			advance(100);
			assert_noop!(Market::bill(origin(STRANGER), bid), Error::<Test>::PriceUnavailable);
		});
	}

	#[test]
	fn the_customer_closes_early_and_gets_the_unused_part_back() {
		new_test_ext(|| {
			let id = open(HOUR);
			advance(900);
			assert_noop!(
				Market::close_deal(origin(SUPPLIER), id, false),
				Error::<Test>::DealNotEnded
			);
			assert_noop!(
				Market::close_deal(origin(STRANGER), id, false),
				Error::<Test>::NotDealParty
			);
			assert_ok!(Market::close_deal(origin(CUSTOMER), id, false));
			let used = PRICE * 900;
			let refund = PRICE * (HOUR - 900) as Balance;
			System::assert_last_event(
				Event::DealClosed { id, reason: CloseReason::ByCustomer, refund }.into(),
			);
			assert_eq!(free(CUSTOMER), START - used);
			assert_eq!(free(SUPPLIER), START + used - fee(used));
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), 0);
		});
	}

	#[test]
	fn the_close_quote_is_what_closing_then_bills_and_refunds() {
		new_test_ext(|| {
			// A forward deal early, after a bill, past its end; a spot deal; each quoted, then
			// closed at the same moment: the quote's refund is the event's.
			let closed_refund = || {
				System::events()
					.into_iter()
					.rev()
					.find_map(|record| match record.event {
						RuntimeEvent::Market(Event::DealClosed { refund, .. }) => Some(refund),
						_ => None,
					})
					.expect("a DealClosed event")
			};
			let early = open(HOUR);
			advance(900);
			let quote = Market::close_quote(early).expect("an open deal is quoted");
			assert_eq!(quote.due, PRICE * 900);
			assert_eq!(quote.refund, PRICE * (HOUR - 900) as Balance);
			assert_ok!(Market::close_deal(origin(CUSTOMER), early, false));
			assert_eq!(closed_refund(), quote.refund);
			assert_eq!(Market::close_quote(early), None, "a closed deal is not quoted");

			let billed = open(HOUR);
			advance(600);
			assert_ok!(Market::bill(origin(STRANGER), billed));
			advance(300);
			let quote = Market::close_quote(billed).unwrap();
			assert_eq!(quote.due, PRICE * 300, "only the time since the last bill");
			assert_ok!(Market::close_deal(origin(CUSTOMER), billed, false));
			assert_eq!(closed_refund(), quote.refund);

			let ended = open(HOUR);
			advance(2 * HOUR);
			let quote = Market::close_quote(ended).unwrap();
			assert_eq!((quote.due, quote.refund), (PRICE * HOUR as Balance, 0), "up to its end");
			assert_ok!(Market::close_deal(origin(STRANGER), ended, false));
			assert_eq!(closed_refund(), 0);

			let spot = open(0);
			advance(60);
			let quote = Market::close_quote(spot).unwrap();
			assert_ok!(Market::close_deal(origin(SUPPLIER), spot, false));
			assert_eq!(closed_refund(), quote.refund);
			assert_eq!(quote.refund, PRICE * (HOUR - 60) as Balance);
		});
	}

	#[test]
	fn anyone_closes_an_ended_deal_and_either_side_a_spot_deal() {
		new_test_ext(|| {
			let forward = open(HOUR);
			advance(HOUR);
			assert_ok!(Market::close_deal(origin(STRANGER), forward, false));
			System::assert_last_event(
				Event::DealClosed { id: forward, reason: CloseReason::Expired, refund: 0 }.into(),
			);
			let spot = open(0);
			advance(60);
			assert_noop!(
				Market::close_deal(origin(STRANGER), spot, false),
				Error::<Test>::NotDealParty
			);
			assert_ok!(Market::close_deal(origin(SUPPLIER), spot, false));
			let refund = PRICE * (HOUR - 60) as Balance;
			System::assert_last_event(
				Event::DealClosed { id: spot, reason: CloseReason::BySupplier, refund }.into(),
			);
		});
	}

	#[test]
	fn the_closer_may_blacklist_the_counterparty() {
		new_test_ext(|| {
			let id = open(0);
			assert_ok!(Market::close_deal(origin(CUSTOMER), id, true));
			assert!(is_blocked(CUSTOMER, SUPPLIER));
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, 0));
			let bid = place(CUSTOMER, terms(Side::Bid, PRICE, 0));
			assert_noop!(
				Market::open_deal(origin(MATCHER), ask, bid),
				Error::<Test>::SupplierBlacklisted
			);
		});
		new_test_ext(|| {
			let id = open(0);
			assert_ok!(Market::close_deal(origin(SUPPLIER), id, true));
			System::assert_has_event(
				Event::CounterpartyBlacklisted { id, who: SUPPLIER, whom: CUSTOMER }.into(),
			);
			assert!(is_blocked(SUPPLIER, CUSTOMER));
		});
		new_test_ext(|| {
			let id = open(HOUR);
			advance(HOUR);
			assert_noop!(
				Market::close_deal(origin(STRANGER), id, true),
				Error::<Test>::NotDealParty
			);
		});
	}

	#[test]
	fn a_masters_worker_earns_for_the_master() {
		new_test_ext(|| {
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			let id = open(HOUR);
			advance(HOUR);
			assert_ok!(Market::bill(origin(STRANGER), id));
			let total = PRICE * HOUR as Balance;
			assert_eq!(free(MASTER), START + total - fee(total));
			assert_eq!(free(SUPPLIER), START);
		});
	}
}

/// The rules the review changed: each test failed before its fix.
mod review_fixes {
	use super::*;
	use frame_support::dispatch::Pays;

	/// A spot deal billed long after its prepaid hour is paid in full from the customer's free
	/// balance and goes on; only a customer who cannot pay is closed `InsufficientFunds`.
	#[test]
	fn a_spot_deal_billed_late_is_paid_from_the_free_balance() {
		new_test_ext(|| {
			let id = open(0);
			advance(3 * HOUR);
			assert_ok!(Market::bill(origin(STRANGER), id));
			let earned = PRICE * 3 * HOUR as Balance;
			System::assert_has_event(
				Event::DealBilled {
					id,
					payee: SUPPLIER,
					amount: earned - fee(earned),
					fee: fee(earned),
				}
				.into(),
			);
			let deal = Deals::<Test>::get(id.to_be_bytes()).expect("still open");
			assert_eq!(deal.escrow, PRICE * HOUR as Balance, "an hour ahead again");
			assert_eq!(free(SUPPLIER), START + earned - fee(earned));
		});
	}

	/// During an oracle outage a USD deal is closed at the last price in force; billing waits.
	#[test]
	fn a_usd_deal_closes_at_the_last_price_while_the_price_is_stale() {
		new_test_ext(|| {
			let (ask, bid) = half_a_dollar_orders();
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
			make_usd_rate_stale();
			advance(100);
			assert_noop!(Market::bill(origin(STRANGER), bid), Error::<Test>::PriceUnavailable);
			assert_ok!(Market::close_deal(origin(CUSTOMER), bid, false));
			// 100 s x 0.5 USD x 2000; the rest of the 3_960_000 held comes back.
			let paid = 100_000;
			System::assert_last_event(
				Event::DealClosed {
					id: bid,
					reason: CloseReason::ByCustomer,
					refund: 3_960_000 - paid,
				}
				.into(),
			);
			assert_eq!(free(CUSTOMER), START - paid);
		});
	}

	/// A deal keeps its bid's deposit until it is removed; the close of an ended deal is free
	/// and anyone's to do, and the deposit goes back to the customer.
	#[test]
	fn a_deal_holds_a_deposit_until_removed_and_closing_an_ended_one_is_free() {
		new_test_ext(|| {
			let id = open(HOUR);
			assert_eq!(Deals::<Test>::get(id.to_be_bytes()).unwrap().deposit, DEPOSIT);
			assert_eq!(held(HoldReason::DealDeposit, CUSTOMER), DEPOSIT);
			assert_eq!(held(HoldReason::OrderDeposit, CUSTOMER), 0);
			assert_eq!(held(HoldReason::OrderDeposit, SUPPLIER), 0, "the ask's deposit is back");
			// Before its end the customer's close is paid for as usual.
			let early = Market::close_deal(origin(CUSTOMER), id, false);
			assert_eq!(early.map(|info| info.pays_fee), Ok(Pays::Yes));
			assert_eq!(held(HoldReason::DealDeposit, CUSTOMER), 0);
			let id = open(HOUR);
			advance(HOUR);
			let ended = Market::close_deal(origin(STRANGER), id, false);
			assert_eq!(ended.map(|info| info.pays_fee), Ok(Pays::No));
			assert_eq!(held(HoldReason::DealDeposit, CUSTOMER), 0);
			let used = PRICE * HOUR as Balance;
			assert_eq!(free(CUSTOMER), START - used, "the deposit came back");
		});
	}

	/// An ask may name a customer's master as its counterparty, as a bid may name a supplier's.
	#[test]
	fn an_ask_may_name_the_customers_master_as_counterparty() {
		new_test_ext(|| {
			let mut ask = terms(Side::Ask, PRICE, HOUR);
			ask.counterparty = Some(MASTER);
			let ask = place(SUPPLIER, ask);
			let bid = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			assert_noop!(
				Market::open_deal(origin(MATCHER), ask, bid),
				Error::<Test>::AskCounterpartyMismatch
			);
			assert_ok!(Market::request_master(origin(CUSTOMER), MASTER));
			assert_noop!(
				Market::open_deal(origin(MATCHER), ask, bid),
				Error::<Test>::AskCounterpartyMismatch,
			);
			assert_ok!(Market::confirm_worker(origin(MASTER), CUSTOMER));
			assert_eq!(Market::matching_orders(ask, 10).len(), 1);
			assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
		});
	}

	/// A master whose link with the worker ended earns nothing more from the worker's deals,
	/// and may no longer act for it in them.
	#[test]
	fn an_ex_master_earns_no_more() {
		new_test_ext(|| {
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			let id = open(0);
			advance(100);
			assert_ok!(Market::bill(origin(STRANGER), id));
			let first = PRICE * 100;
			assert_eq!(free(MASTER), START + first - fee(first));
			assert_ok!(Market::remove_worker(origin(SUPPLIER), SUPPLIER));
			advance(100);
			assert_ok!(Market::bill(origin(STRANGER), id));
			assert_eq!(free(MASTER), START + first - fee(first), "nothing more");
			assert_eq!(free(SUPPLIER), START + first - fee(first));
			assert_eq!(Deals::<Test>::get(id.to_be_bytes()).unwrap().payee, SUPPLIER);
			assert_noop!(
				Market::close_deal(origin(MASTER), id, false),
				Error::<Test>::NotDealParty
			);
		});
	}
}

mod changes {
	use super::*;

	#[test]
	fn a_customer_raising_the_price_is_accepted_at_once() {
		new_test_ext(|| {
			let id = open(HOUR);
			advance(600);
			assert_ok!(Market::request_change(origin(CUSTOMER), id, PRICE + 5, HOUR));
			System::assert_last_event(
				Event::DealChanged { id, per_second: PRICE + 5, duration: HOUR }.into(),
			);
			// Billed 600 s at the old price; the remaining 3000 s held at the new one.
			let deal = Deals::<Test>::get(id.to_be_bytes()).unwrap();
			assert_eq!(deal.escrow, (PRICE + 5) * 3000);
			assert_eq!(free(CUSTOMER), START - PRICE * 600 - (PRICE + 5) * 3000 - DEPOSIT);
		});
	}

	#[test]
	fn other_changes_need_the_other_sides_consent() {
		new_test_ext(|| {
			let id = open(HOUR);
			assert_ok!(Market::request_change(origin(CUSTOMER), id, PRICE, 2 * HOUR));
			assert!(ChangeRequests::<Test>::contains_key(id, Side::Bid));
			assert_noop!(
				Market::request_change(origin(CUSTOMER), id, PRICE, 3 * HOUR),
				Error::<Test>::ChangeRequestPending
			);
			assert_noop!(
				Market::accept_change(origin(CUSTOMER), id),
				Error::<Test>::ChangeRequestNotFound
			);
			assert_noop!(Market::accept_change(origin(STRANGER), id), Error::<Test>::NotDealParty);
			assert_ok!(Market::accept_change(origin(SUPPLIER), id));
			System::assert_last_event(
				Event::DealChanged { id, per_second: PRICE, duration: 2 * HOUR }.into(),
			);
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), PRICE * 2 * HOUR as Balance);
			assert!(!ChangeRequests::<Test>::contains_key(id, Side::Bid));
		});
	}

	#[test]
	fn compatible_requests_of_both_sides_agree_at_the_suppliers_price() {
		new_test_ext(|| {
			let id = open(HOUR);
			assert_ok!(Market::request_change(origin(SUPPLIER), id, PRICE + 2, 2 * HOUR));
			assert_ok!(Market::request_change(origin(CUSTOMER), id, PRICE + 3, 2 * HOUR));
			System::assert_last_event(
				Event::DealChanged { id, per_second: PRICE + 2, duration: 2 * HOUR }.into(),
			);
			assert_eq!(ChangeRequests::<Test>::iter_prefix(id).count(), 0);
		});
	}

	#[test]
	fn requests_are_withdrawn_or_rejected() {
		new_test_ext(|| {
			let id = open(HOUR);
			assert_ok!(Market::request_change(origin(SUPPLIER), id, PRICE + 2, HOUR));
			assert_ok!(Market::drop_change(origin(CUSTOMER), id, Side::Ask));
			System::assert_last_event(
				Event::ChangeRequestDropped { id, side: Side::Ask, rejected: true }.into(),
			);
			assert_ok!(Market::request_change(origin(SUPPLIER), id, PRICE + 2, HOUR));
			assert_ok!(Market::drop_change(origin(SUPPLIER), id, Side::Ask));
			System::assert_last_event(
				Event::ChangeRequestDropped { id, side: Side::Ask, rejected: false }.into(),
			);
			assert_noop!(
				Market::drop_change(origin(SUPPLIER), id, Side::Ask),
				Error::<Test>::ChangeRequestNotFound
			);
		});
	}

	#[test]
	fn impossible_changes_are_refused() {
		new_test_ext(|| {
			let id = open(HOUR);
			advance(1200);
			assert_noop!(
				Market::request_change(origin(CUSTOMER), id, PRICE, 600),
				Error::<Test>::BadChangeDuration
			);
			assert_noop!(
				Market::request_change(origin(CUSTOMER), id, PRICE, 0),
				Error::<Test>::BadChangeDuration
			);
			assert_noop!(
				Market::request_change(origin(CUSTOMER), id, 0, HOUR),
				Error::<Test>::ZeroPrice
			);
			assert_noop!(
				Market::request_change(origin(STRANGER), id, PRICE, HOUR),
				Error::<Test>::NotDealParty
			);
			// The customer cannot cover a price far above its balance.
			assert_noop!(
				Market::request_change(origin(CUSTOMER), id, START, HOUR),
				Error::<Test>::CannotCoverChange
			);
			let spot = open(0);
			assert_noop!(
				Market::request_change(origin(CUSTOMER), spot, PRICE, HOUR),
				Error::<Test>::BadChangeDuration
			);
		});
	}
}

mod workers {
	use super::*;

	#[test]
	fn a_worker_joins_a_master_and_either_side_ends_it() {
		new_test_ext(|| {
			assert_noop!(
				Market::request_master(origin(SUPPLIER), SUPPLIER),
				Error::<Test>::OwnMaster
			);
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			System::assert_last_event(
				Event::WorkerRequested { worker: SUPPLIER, master: MASTER }.into(),
			);
			assert_noop!(
				Market::request_master(origin(SUPPLIER), STRANGER),
				Error::<Test>::AlreadyHasMaster
			);
			assert_noop!(
				Market::confirm_worker(origin(STRANGER), SUPPLIER),
				Error::<Test>::NotMaster
			);
			assert_noop!(
				Market::confirm_worker(origin(MASTER), STRANGER),
				Error::<Test>::NoMasterLink
			);
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			assert_noop!(
				Market::confirm_worker(origin(MASTER), SUPPLIER),
				Error::<Test>::AlreadyConfirmed
			);
			assert_noop!(
				Market::remove_worker(origin(STRANGER), SUPPLIER),
				Error::<Test>::NotMaster
			);
			assert_ok!(Market::remove_worker(origin(MASTER), SUPPLIER));
			System::assert_last_event(
				Event::WorkerRemoved { worker: SUPPLIER, master: MASTER }.into(),
			);
			assert_noop!(
				Market::remove_worker(origin(SUPPLIER), SUPPLIER),
				Error::<Test>::NoMasterLink
			);
		});
	}
}

#[test]
fn pausing_stops_new_business_but_not_billing_closing_or_cancelling() {
	new_test_ext(|| {
		let id = open(0);
		let order = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
		assert_noop!(
			Market::set_paused(origin(CUSTOMER), true),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Market::set_paused(RuntimeOrigin::root(), true));
		System::assert_last_event(Event::PauseSet { paused: true }.into());
		advance(60);
		assert_ok!(Market::bill(origin(STRANGER), id));
		assert_ok!(Market::close_deal(origin(CUSTOMER), id, false));
		assert_ok!(Market::cancel_order(origin(SUPPLIER), order));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Market(Event::OrderCancelled { expired: false, .. })
		));
	});
}

/// The worked examples of the README, to the base unit.
mod readme_examples {
	use super::*;

	fn deal_of(customer: AccountId, ask: OrderTermsOf<Test>) -> DealId {
		let mut bid = ask.clone();
		bid.side = Side::Bid;
		bid.benchmarks = terms(Side::Bid, 1, 1).benchmarks;
		let (ask, bid) = (place(SUPPLIER, ask), place(customer, bid));
		assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
		bid
	}

	#[test]
	fn a_proportional_refund() {
		new_test_ext(|| {
			let price = SNM / 1_000;
			let id = deal_of(RICH, terms(Side::Ask, price, HOUR));
			assert_eq!(held(HoldReason::DealEscrow, RICH), 3_600 * SNM / 1_000);
			advance(900);
			assert_ok!(Market::close_deal(origin(RICH), id, false));
			System::assert_has_event(
				Event::DealBilled {
					id,
					payee: SUPPLIER,
					amount: 891 * SNM / 1_000,
					fee: 9 * SNM / 1_000,
				}
				.into(),
			);
			System::assert_last_event(
				Event::DealClosed {
					id,
					reason: CloseReason::ByCustomer,
					refund: 2_700 * SNM / 1_000,
				}
				.into(),
			);
			assert_eq!(free(RICH), 1_000 * SNM - 900 * SNM / 1_000);
		});
	}

	#[test]
	fn a_usd_deal_billed_at_two_rates() {
		new_test_ext(|| {
			set_usd_rate(Some(40 * SNM));
			// 0.50 USD an hour, in USD x 10^18 per second (rounded down).
			let per_second = 500_000_000_000_000_000 / 3_600;
			assert_eq!(per_second, 138_888_888_888_888);
			let mut ask = terms(Side::Ask, per_second, HOUR);
			ask.price.unit = PriceUnit::Usd;
			let id = deal_of(RICH, ask);
			assert_eq!(held(HoldReason::DealEscrow, RICH), 21_999_999_999_999_859_200);

			advance(1_800);
			assert_ok!(Market::bill(origin(STRANGER), id));
			System::assert_last_event(
				Event::DealBilled {
					id,
					payee: SUPPLIER,
					amount: 9_899_999_999_999_936_640,
					fee: 99_999_999_999_999_360,
				}
				.into(),
			);
			// The rest at 40 SNM/USD plus the margin is less than what is held: no top-up.
			assert_eq!(held(HoldReason::DealEscrow, RICH), 11_999_999_999_999_923_200);

			set_usd_rate(Some(42 * SNM));
			advance(1_800);
			assert_ok!(Market::bill(origin(STRANGER), id));
			System::assert_has_event(
				Event::DealBilled {
					id,
					payee: SUPPLIER,
					amount: 10_394_999_999_999_933_472,
					fee: 104_999_999_999_999_328,
				}
				.into(),
			);
			System::assert_last_event(
				Event::DealClosed {
					id,
					reason: CloseReason::Expired,
					refund: 1_499_999_999_999_990_400,
				}
				.into(),
			);
			assert_eq!(free(RICH), 1_000 * SNM - 20_499_999_999_999_868_800);
		});
	}
}

mod queries {
	use super::*;
	use crate::OrderFilter;

	#[test]
	fn orders_are_filtered_and_paged() {
		new_test_ext(|| {
			let a = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let b = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			let c = place(SUPPLIER, terms(Side::Ask, PRICE + 1, HOUR));
			let ids = |filter, from, limit| -> Vec<OrderId> {
				Market::orders(&filter, from, limit).into_iter().map(|(id, _)| id).collect()
			};
			let mut expiring = terms(Side::Ask, PRICE, HOUR);
			expiring.expires_at = Some(now() + 10);
			let d = place(SUPPLIER, expiring);
			let filter = |side, author, status| OrderFilter { side, author, status };
			assert_eq!(ids(OrderFilter::default(), 0, 10), vec![a, b, c, d]);
			assert_eq!(ids(filter(Some(Side::Ask), None, None), 0, 10), vec![a, c, d]);
			assert_eq!(ids(filter(None, Some(CUSTOMER), None), 0, 10), vec![b]);
			assert_eq!(ids(filter(Some(Side::Ask), Some(SUPPLIER), None), c, 10), vec![c, d]);
			assert_eq!(ids(OrderFilter::default(), b, 1), vec![b]);
			assert_eq!(ids(OrderFilter::default(), d + 1, 10), Vec::<OrderId>::new());
			let expired = Some(OrderStatus::Expired);
			assert!(ids(filter(None, None, expired), 0, 10).is_empty());
			advance(10);
			assert_eq!(ids(filter(None, None, expired), 0, 10), vec![d]);
			assert_eq!(ids(filter(None, Some(SUPPLIER), expired), 0, 10), vec![d]);
			assert_eq!(ids(filter(None, None, Some(OrderStatus::Active)), 0, 10), vec![a, b, c]);
		});
	}

	#[test]
	fn matching_orders_follow_the_chains_rules_best_price_first() {
		new_test_ext(|| {
			let bid = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			let dear = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let cheap = place(STRANGER, terms(Side::Ask, PRICE - 3, 2 * HOUR));
			let _too_dear = place(MATCHER, terms(Side::Ask, PRICE + 1, HOUR));
			let _too_short = place(MASTER, terms(Side::Ask, PRICE - 5, HOUR - 1));
			set_blocked(CUSTOMER, CURATOR);
			let _blocked = place(CURATOR, terms(Side::Ask, PRICE - 4, HOUR));
			let ids: Vec<OrderId> =
				Market::matching_orders(bid, 10).into_iter().map(|(id, _)| id).collect();
			assert_eq!(ids, vec![cheap, dear]);
			assert_eq!(Market::matching_orders(bid, 1).len(), 1);
			// From the ask's side: the bid matches; and what the list offers, opens.
			let for_ask: Vec<OrderId> =
				Market::matching_orders(cheap, 10).into_iter().map(|(id, _)| id).collect();
			assert_eq!(for_ask, vec![bid]);
			assert_ok!(Market::open_deal(origin(MATCHER), cheap, bid));
			assert!(
				Market::matching_orders(bid, 10).is_empty(),
				"a consumed order matches nothing"
			);
		});
	}

	#[test]
	fn deals_and_change_requests_of_an_account_are_listed() {
		new_test_ext(|| {
			let first = open(HOUR);
			let second = open(0);
			let page = |who, from, limit| -> Vec<DealId> {
				Market::deals_of(&who, from, limit).into_iter().map(|(id, _)| id).collect()
			};
			let ids = |who| page(who, 0, 100);
			assert_eq!(ids(CUSTOMER), vec![first, second]);
			assert_eq!(ids(SUPPLIER), vec![first, second]);
			assert!(ids(STRANGER).is_empty());
			// Paged from a cursor: the deals from an id on, at most `limit`.
			assert_eq!(page(CUSTOMER, first + 1, 100), vec![second]);
			assert_eq!(page(SUPPLIER, 0, 1), vec![first]);
			assert_eq!(page(SUPPLIER, second + 1, 100), Vec::<DealId>::new());
			// A confirmed master sees its worker's deals as their payee, and no longer once the
			// worker leaves; the worker's deals as a customer are not the master's.
			assert_ok!(Market::request_master(origin(SUPPLIER), MASTER));
			assert!(ids(MASTER).is_empty(), "not before it confirms");
			assert_ok!(Market::confirm_worker(origin(MASTER), SUPPLIER));
			let bought = {
				let ask = place(STRANGER, terms(Side::Ask, PRICE, HOUR));
				let bid = place(SUPPLIER, terms(Side::Bid, PRICE, HOUR));
				assert_ok!(Market::open_deal(origin(MATCHER), ask, bid));
				bid
			};
			assert_eq!(ids(SUPPLIER), vec![first, second, bought]);
			assert_eq!(ids(MASTER), vec![first, second]);
			assert_eq!(page(MASTER, first + 1, 100), vec![second]);
			assert!(Market::deals_of(&MASTER, 0, 1)[0].1.payee == MASTER);
			assert_ok!(Market::remove_worker(origin(MASTER), SUPPLIER));
			assert!(ids(MASTER).is_empty());
			assert_ok!(Market::close_deal(origin(CUSTOMER), first, false));
			assert_eq!(ids(SUPPLIER), vec![second, bought]);
			assert_eq!(ids(CUSTOMER), vec![second]);
			assert_ok!(Market::request_change(origin(CUSTOMER), second, PRICE - 1, 0));
			let requests = Market::change_requests(second);
			assert_eq!(requests.len(), 1);
			assert_eq!((requests[0].0, requests[0].1.per_second), (Side::Bid, PRICE - 1));
		});
	}
}

/// A worker's endpoint record: published with a deposit, changed for free, withdrawn with the
/// deposit back; bad endpoints and poor workers are refused and change nothing.
mod endpoints {
	use super::*;

	fn url(text: &str) -> EndpointUrl {
		text.as_bytes().to_vec().try_into().expect("short enough")
	}

	#[test]
	fn a_worker_publishes_changes_and_withdraws_its_endpoint() {
		new_test_ext(|| {
			let first = url("http://203.0.113.7:9630");
			assert_ok!(Market::set_endpoint(origin(SUPPLIER), first.clone()));
			assert_eq!(last_event(), Event::EndpointSet { worker: SUPPLIER, url: first }.into());
			assert_eq!(held(HoldReason::EndpointDeposit, SUPPLIER), DEPOSIT);
			assert_eq!(free(SUPPLIER), START - DEPOSIT);

			let moved = url("/dns4/worker.example.org/tcp/4001/p2p/12D3KooWabc");
			assert_ok!(Market::set_endpoint(origin(SUPPLIER), moved.clone()));
			assert_eq!(Endpoints::<Test>::get(SUPPLIER).unwrap().url, moved);
			assert_eq!(held(HoldReason::EndpointDeposit, SUPPLIER), DEPOSIT, "held once");

			assert_ok!(Market::clear_endpoint(origin(SUPPLIER)));
			assert_eq!(last_event(), Event::EndpointCleared { worker: SUPPLIER }.into());
			assert!(Endpoints::<Test>::get(SUPPLIER).is_none());
			assert_eq!(free(SUPPLIER), START);
		});
	}

	#[test]
	fn bad_endpoints_and_missing_records_are_refused() {
		new_test_ext(|| {
			for bad in ["", "ftp://host", "http://:9630", "http://a b", "/tcp/4001"] {
				assert_noop!(
					Market::set_endpoint(origin(SUPPLIER), url(bad)),
					Error::<Test>::BadEndpoint
				);
			}
			assert_noop!(Market::clear_endpoint(origin(SUPPLIER)), Error::<Test>::NoEndpoint);
			const PENNILESS: AccountId = 20;
			assert_noop!(
				Market::set_endpoint(origin(PENNILESS), url("http://10.0.0.1:9630")),
				Error::<Test>::InsufficientBalance
			);
		});
	}
}

mod signed_bids {
	use super::*;
	use codec::Encode;
	use sonm_primitives::market::signed_bid_payload;
	use sp_runtime::testing::TestSignature;
	use sp_runtime::DispatchResult;

	/// The customer's bid for an hour, signed over the chain's payload.
	fn signed(nonce: u64, expires_at: u64) -> SignedBid<Test> {
		signed_terms(terms(Side::Bid, PRICE, HOUR), nonce, expires_at)
	}

	/// The customer's `terms`, signed over the chain's payload.
	fn signed_terms(terms: OrderTermsOf<Test>, nonce: u64, expires_at: u64) -> SignedBid<Test> {
		let genesis = System::block_hash(0);
		let payload = signed_bid_payload(&genesis, &CUSTOMER, &terms, nonce, expires_at);
		SignedBid {
			customer: CUSTOMER,
			terms,
			nonce,
			expires_at,
			signature: TestSignature(CUSTOMER, payload),
		}
	}

	fn open(ask: OrderId, bid: SignedBid<Test>) -> DispatchResult {
		Market::open_deal_with_signed_bid(origin(SUPPLIER), ask, Box::new(bid))
			.map(|_| ())
			.map_err(|e| e.error)
	}

	#[test]
	fn a_signed_bid_deal_is_weighed_for_the_most_subscriptions_and_refunds_the_rest() {
		use crate::WeightInfo;
		use frame_support::weights::constants::ParityDbWeight;
		use frame_support::{dispatch::GetDispatchInfo, traits::UnfilteredDispatchable};
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			set_subscriptions(CUSTOMER, 2);
			set_subscriptions(SUPPLIER, 3);
			let signed_bid = MockWeights::open_deal_with_signed_bid;
			let call = crate::Call::<Test>::open_deal_with_signed_bid {
				ask,
				bid: Box::new(signed(1, now() + 600)),
			};
			assert_eq!(call.get_dispatch_info().call_weight, signed_bid(MAX_SUBSCRIPTIONS));
			let post = call.dispatch_bypass_filter(origin(SUPPLIER)).expect("the orders match");
			// Charged for the 3 lists the checks read (not the 8 a party may have), less the
			// reads they skipped, as `open_deal` is.
			let actual = post.actual_weight.expect("refunded").ref_time();
			let (most, least) = (signed_bid(3), signed_bid(3) - ParityDbWeight::get().reads(40));
			assert!(actual < most.ref_time() && actual > least.ref_time(), "{actual}");
		});
	}

	#[test]
	fn a_worker_opens_the_deal_from_a_signed_bid_in_one_call() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let supplier_free = free(SUPPLIER);
			assert_ok!(open(ask, signed(7, now() + 600)));
			let (id, deal) = Market::open_deals().next().expect("a deal");
			assert_eq!((deal.ask, deal.consumer, deal.supplier), (ask, CUSTOMER, SUPPLIER));
			// The customer's escrow and the bid's deposit are held from the customer; the
			// supplier paid nothing but the fee of the call (none in the mock).
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), PRICE * HOUR as Balance);
			assert_eq!(held(HoldReason::DealDeposit, CUSTOMER), DEPOSIT);
			assert!(free(SUPPLIER) >= supplier_free);
			System::assert_has_event(
				Event::DealOpened {
					id,
					ask,
					bid: deal.bid,
					supplier: SUPPLIER,
					consumer: CUSTOMER,
				}
				.into(),
			);
			assert_eq!(SignedBidNonces::<Test>::get(CUSTOMER, 7), Some(now() + 600));
			// The bid was never an order: nothing of it in the book or held as an order's.
			assert!(Orders::<Test>::get(deal.bid.to_be_bytes()).is_none());
			assert!(OrdersOf::<Test>::get(CUSTOMER).is_empty());
			assert_eq!(held(HoldReason::BidEscrow, CUSTOMER), 0);
			assert_eq!(held(HoldReason::OrderDeposit, CUSTOMER), 0);
			System::assert_has_event(
				Event::OrderPlaced { id: deal.bid, author: CUSTOMER, side: Side::Bid }.into(),
			);
		});
	}

	#[test]
	fn a_signed_bid_with_terms_place_order_refuses_is_refused_by_the_same_name() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let too_long = terms(
				Side::Bid,
				PRICE,
				<<Test as Config>::MaxDuration as frame_support::traits::Get<u64>>::get() + 1,
			);
			assert_noop!(
				open(ask, signed_terms(too_long, 12, now() + 600)),
				Error::<Test>::DurationTooLong
			);
			let free_of_charge = terms(Side::Bid, 0, HOUR);
			assert_noop!(
				open(ask, signed_terms(free_of_charge, 13, now() + 600)),
				Error::<Test>::ZeroPrice
			);
		});
	}

	#[test]
	fn a_replayed_altered_expired_or_foreign_signed_bid_is_refused_by_name() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let other_ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let bid = signed(1, now() + 600);
			assert_ok!(open(ask, bid.clone()));
			// Used once: refused again, on any ask.
			assert_noop!(open(other_ask, bid), Error::<Test>::SignedBidUsed);

			// Altered after signing: a longer duration than the customer signed for.
			let mut altered = signed(2, now() + 600);
			altered.terms.duration = 2 * HOUR;
			assert_noop!(open(other_ask, altered), Error::<Test>::BadBidSignature);
			// Another customer's name on it.
			let mut stolen = signed(3, now() + 600);
			stolen.customer = STRANGER;
			assert_noop!(open(other_ask, stolen), Error::<Test>::BadBidSignature);
			// Signed without the domain tag (the bare terms, as another message would be).
			let mut bare = signed(4, now() + 600);
			bare.signature = TestSignature(CUSTOMER, bare.terms.encode());
			assert_noop!(open(other_ask, bare), Error::<Test>::BadBidSignature);
			// Signed for another chain (another genesis hash).
			let mut foreign = signed(5, now() + 600);
			let payload = signed_bid_payload(
				&sp_core::H256::repeat_byte(1),
				&CUSTOMER,
				&foreign.terms,
				5,
				foreign.expires_at,
			);
			foreign.signature = TestSignature(CUSTOMER, payload);
			assert_noop!(open(other_ask, foreign), Error::<Test>::BadBidSignature);
			// Expired.
			let late = signed(6, now() + 10);
			advance(10);
			assert_noop!(open(other_ask, late), Error::<Test>::SignedBidExpired);
			// An ask signed as a bid is no bid.
			let mut ask_terms = signed(8, now() + 600);
			ask_terms.terms.side = Side::Ask;
			let genesis = System::block_hash(0);
			ask_terms.signature = TestSignature(
				CUSTOMER,
				signed_bid_payload(&genesis, &CUSTOMER, &ask_terms.terms, 8, ask_terms.expires_at),
			);
			assert_noop!(open(other_ask, ask_terms), Error::<Test>::NotABid);
		});
	}

	#[test]
	fn a_revoked_signed_bid_is_refused_and_records_are_forgotten_after_expiry() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let bid = signed(9, now() + 600);
			assert_ok!(Market::revoke_signed_bid(origin(CUSTOMER), 9, bid.expires_at));
			System::assert_last_event(
				Event::SignedBidRevoked { customer: CUSTOMER, nonce: 9 }.into(),
			);
			assert_noop!(open(ask, bid), Error::<Test>::SignedBidUsed);
			assert_noop!(
				Market::revoke_signed_bid(origin(CUSTOMER), 9, now() + 600),
				Error::<Test>::SignedBidUsed
			);
			assert_noop!(
				Market::forget_signed_bid(origin(MATCHER), CUSTOMER, 9),
				Error::<Test>::SignedBidNotExpired
			);
			advance(600);
			assert_ok!(Market::forget_signed_bid(origin(MATCHER), CUSTOMER, 9));
			assert_noop!(
				Market::forget_signed_bid(origin(MATCHER), CUSTOMER, 9),
				Error::<Test>::SignedBidNotFound
			);
		});
	}

	/// `bids` opened in one `open_deals_with_signed_bids` by the supplier.
	fn open_many(bids: Vec<(OrderId, SignedBid<Test>)>) -> DispatchResult {
		let bids = bids.try_into().expect("within MaxOrdersPerCall");
		Market::open_deals_with_signed_bids(origin(SUPPLIER), bids)
			.map(|_| ())
			.map_err(|e| e.error)
	}

	fn refused(ask: OrderId, nonce: u64, error: Error<Test>) -> RuntimeEvent {
		Event::SignedBidRefused { ask, customer: CUSTOMER, nonce, error: error.into() }.into()
	}

	#[test]
	fn a_worker_opens_a_deal_for_each_signed_bid_in_one_call() {
		new_test_ext(|| {
			let asks: Vec<_> =
				(0..3).map(|_| place(SUPPLIER, terms(Side::Ask, PRICE, HOUR))).collect();
			let bids = asks.iter().zip(20..).map(|(ask, nonce)| (*ask, signed(nonce, now() + 600)));
			assert_ok!(open_many(bids.collect()));
			let mut opened: Vec<_> = Deals::<Test>::iter_values().map(|deal| deal.ask).collect();
			opened.sort();
			assert_eq!(opened, asks);
			assert_eq!(held(HoldReason::DealEscrow, CUSTOMER), 3 * PRICE * HOUR as Balance);
			for nonce in 20..23 {
				assert_eq!(SignedBidNonces::<Test>::get(CUSTOMER, nonce), Some(now() + 600));
			}
			assert!(Orders::<Test>::iter().next().is_none(), "every ask taken, no bid written");
		});
	}

	#[test]
	fn a_refused_signed_bid_in_a_batch_changes_nothing_and_the_others_open() {
		new_test_ext(|| {
			let first = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let second = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let dear = place(SUPPLIER, terms(Side::Ask, 2 * PRICE, HOUR));
			assert_ok!(open(first, signed(30, now() + 600)));
			let free_before = free(CUSTOMER);
			assert_ok!(open_many(vec![
				// Used already (by another worker, say).
				(second, signed(30, now() + 600)),
				// Dearer than the bid: refused after its checks, nothing of it kept.
				(dear, signed(31, now() + 600)),
				(second, signed(32, now() + 600)),
			]));
			System::assert_has_event(refused(second, 30, Error::<Test>::SignedBidUsed));
			System::assert_has_event(refused(dear, 31, Error::<Test>::PriceTooHigh));
			assert!(SignedBidNonces::<Test>::get(CUSTOMER, 31).is_none(), "still usable");
			assert!(Orders::<Test>::get(dear.to_be_bytes()).is_some(), "the dear ask still open");
			let deal = Market::open_deals().find(|(_, deal)| deal.ask == second);
			assert!(deal.is_some(), "the last pair opened");
			assert_eq!(free_before - free(CUSTOMER), PRICE * HOUR as Balance + DEPOSIT);

			// The same ask twice: the second pair finds it taken.
			let third = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			assert_ok!(open_many(vec![
				(third, signed(33, now() + 600)),
				(third, signed(34, now() + 600))
			]));
			System::assert_last_event(refused(third, 34, Error::<Test>::OrderNotFound));
			assert!(SignedBidNonces::<Test>::get(CUSTOMER, 34).is_none(), "still usable");
		});
	}

	#[test]
	fn an_empty_batch_of_signed_bids_is_refused_by_name() {
		new_test_ext(|| {
			assert_noop!(open_many(vec![]), Error::<Test>::NoSignedBids);
		});
	}

	#[test]
	fn a_batch_of_signed_bids_is_weighed_as_that_many_single_calls_and_refunded_each() {
		use crate::WeightInfo;
		use frame_support::{dispatch::GetDispatchInfo, traits::UnfilteredDispatchable};
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let other = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let most = MockWeights::open_deal_with_signed_bid(MAX_SUBSCRIPTIONS);
			let pairs = vec![(ask, signed(40, now() + 600)), (other, signed(40, now() + 600))];
			let call = crate::Call::<Test>::open_deals_with_signed_bids {
				bids: pairs.try_into().expect("two fit"),
			};
			assert_eq!(call.get_dispatch_info().call_weight, most * 2);
			let post = call.dispatch_bypass_filter(origin(SUPPLIER)).expect("one opens");
			// The first opened with no blacklist to read (refunded as the single call is),
			// the second (the nonce used by the first) is charged in full.
			let actual = post.actual_weight.expect("refunded");
			let first = actual - most;
			assert!(first.ref_time() <= MockWeights::open_deal_with_signed_bid(0).ref_time());
			assert!(first.ref_time() > 0);
		});
	}

	#[test]
	fn a_signed_bid_that_breaks_a_rule_of_open_deal_changes_nothing() {
		new_test_ext(|| {
			// An ask dearer than the bid: the match fails after the bid would have been placed.
			let dear = place(SUPPLIER, terms(Side::Ask, 2 * PRICE, HOUR));
			assert_noop!(open(dear, signed(10, now() + 600)), Error::<Test>::PriceTooHigh);
			assert!(SignedBidNonces::<Test>::get(CUSTOMER, 10).is_none(), "still usable");
			// The supplier on the customer's blacklist.
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			set_blocked(CUSTOMER, SUPPLIER);
			assert_noop!(open(ask, signed(11, now() + 600)), Error::<Test>::SupplierBlacklisted);
		});
	}
}

mod book {
	use super::*;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	#[test]
	fn bids_sit_dearest_first_and_asks_cheapest_first_on_their_shelves() {
		new_test_ext(|| {
			let cheap_bid = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			let dear_bid = place(CUSTOMER, terms(Side::Bid, PRICE + 5, HOUR));
			let dear_ask = place(SUPPLIER, terms(Side::Ask, PRICE + 5, HOUR));
			let cheap_ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let shelf =
				|side| crate::book::Shelf { side, unit: PriceUnit::Snm, spot: false, netflags: 0 };
			let on = |side| -> Vec<OrderId> {
				Book::<Test>::iter_key_prefix(shelf(side))
					.map(|place| place.order_id())
					.collect()
			};
			assert_eq!(on(Side::Bid), vec![dear_bid, cheap_bid]);
			assert_eq!(on(Side::Ask), vec![cheap_ask, dear_ask]);
			// A spot order sits on another shelf.
			let spot = place(SUPPLIER, terms(Side::Ask, 1, 0));
			assert_eq!(on(Side::Ask), vec![cheap_ask, dear_ask]);
			assert_ok!(Market::cancel_order(origin(SUPPLIER), spot));
			assert_ok!(Market::open_deal(origin(MATCHER), cheap_ask, dear_bid));
			assert_eq!(on(Side::Bid), vec![cheap_bid]);
			assert_eq!(on(Side::Ask), vec![dear_ask]);
		});
	}

	#[test]
	fn migration_v1_puts_every_open_order_in_the_book_once() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let bid = place(CUSTOMER, terms(Side::Bid, PRICE, HOUR));
			let gone = place(SUPPLIER, terms(Side::Ask, PRICE, 0));
			assert_ok!(Market::cancel_order(origin(SUPPLIER), gone));
			// The state of layout 0: open orders, no indexes.
			let _ = Book::<Test>::clear(u32::MAX, None);
			let _ = OpenOrders::<Test>::clear(u32::MAX, None);
			StorageVersion::new(0).put::<Market>();
			assert_eq!(Market::check_book(), Err("an open order is missing from the book"));
			assert!(Market::matching_orders(bid, 10).is_empty(), "no index, no answer");

			keyed_as_layout1();

			crate::migrations::v1::IndexesBuilt::<Test>::on_runtime_upgrade();
			assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(1));
			crate::migrations::v2::KeyedInIdOrder::<Test>::on_runtime_upgrade();
			assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(2));
			assert_eq!(Market::check_book(), Ok(()));
			assert_eq!(
				Market::matching_orders(bid, 10)
					.into_iter()
					.map(|(id, _)| id)
					.collect::<Vec<_>>(),
				vec![ask]
			);
			// Once only: the version says so, and the book does not grow.
			crate::migrations::v1::IndexesBuilt::<Test>::on_runtime_upgrade();
			assert_eq!(Book::<Test>::iter_keys().count(), 2);
		});
	}

	/// Moves every order and deal to the keys of layouts 0 and 1 (`migrations::layout1`).
	fn keyed_as_layout1() {
		use crate::migrations::layout1;
		for (id, order) in Market::open_orders().collect::<Vec<_>>() {
			Orders::<Test>::remove(id.to_be_bytes());
			layout1::Orders::<Test>::insert(id, order);
		}
		for (id, deal) in Market::open_deals().collect::<Vec<_>>() {
			Deals::<Test>::remove(id.to_be_bytes());
			layout1::Deals::<Test>::insert(id, deal);
		}
	}

	#[test]
	fn migration_v2_keys_orders_and_deals_by_id_in_order() {
		new_test_ext(|| {
			let deal = open(0);
			// Nine accounts with three orders each, asks and bids.
			let placed: Vec<_> = (0..27)
				.map(|i| {
					let side = if i % 2 == 0 { Side::Ask } else { Side::Bid };
					place(1 + i % 9, terms(side, PRICE + i as Balance, HOUR))
				})
				.collect();
			let orders: Vec<_> = Market::open_orders().collect();
			let deals: Vec<_> = Market::open_deals().collect();
			assert_eq!(orders.iter().map(|(id, _)| *id).collect::<Vec<_>>(), placed, "in id order");
			assert_eq!(deals.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![deal]);
			// The state of layout 1: the same entries under `Blake2_128Concat` of their ids.
			keyed_as_layout1();
			StorageVersion::new(1).put::<Market>();
			assert!(Orders::<Test>::get(placed[0].to_be_bytes()).is_none());
			assert!(Deals::<Test>::get(deal.to_be_bytes()).is_none());

			crate::migrations::v2::KeyedInIdOrder::<Test>::on_runtime_upgrade();
			assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(2));
			assert_eq!(Market::open_orders().collect::<Vec<_>>(), orders);
			assert_eq!(Market::open_deals().collect::<Vec<_>>(), deals);
			assert_eq!(crate::migrations::layout1::Orders::<Test>::iter_keys().count(), 0);
			assert_eq!(crate::migrations::layout1::Deals::<Test>::iter_keys().count(), 0);
			let key = Orders::<Test>::hashed_key_for(placed[0].to_be_bytes());
			assert_eq!(key[32..], placed[0].to_be_bytes(), "the prefix, then the id big-endian");
			assert_ok!(Market::do_try_state());
			// The market works on: the deal bills and closes, an order is cancelled.
			assert_ok!(Market::cancel_order(origin(1), placed[0]));
			assert_ok!(Market::close_deal(origin(CUSTOMER), deal, false));
			assert_ok!(Market::do_try_state());
			// Once only.
			keyed_as_layout1();
			crate::migrations::v2::KeyedInIdOrder::<Test>::on_runtime_upgrade();
			let left = crate::migrations::layout1::Orders::<Test>::iter_keys().count();
			assert_eq!(left, placed.len() - 1, "the version says it was done: nothing moved");
			use frame_support::traits::UncheckedOnRuntimeUpgrade;
			crate::migrations::v2::InnerKeyedInIdOrder::<Test>::on_runtime_upgrade();
			assert_ok!(Market::do_try_state());
		});
	}

	#[test]
	fn try_state_finds_a_book_that_lost_an_order_or_kept_a_gone_one() {
		new_test_ext(|| {
			let ask = place(SUPPLIER, terms(Side::Ask, PRICE, HOUR));
			let order = Orders::<Test>::get(ask.to_be_bytes()).unwrap();
			let (shelf, at) = (
				crate::book::shelf_of::<Test>(&order.terms),
				crate::book::place_of::<Test>(ask, &order.terms),
			);
			Book::<Test>::remove(shelf, at);
			assert!(Market::do_try_state().is_err());
			Book::<Test>::insert(shelf, at, ());
			OpenOrders::<Test>::insert(Side::Bid, 99u64.to_be_bytes(), ());
			assert_eq!(
				Market::check_book(),
				Err("the open orders by side hold an order that is not open")
			);
			OpenOrders::<Test>::remove(Side::Bid, 99u64.to_be_bytes());
		});
	}
}
