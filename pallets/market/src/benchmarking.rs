//! Benchmarks of every market call at its worst case (frame-benchmarking v2). `weights.rs` is
//! generated from these by `scripts/benchmark-pallets.sh`.
//!
//! The worst cases: orders that carry every optional constraint (an identity requirement, a
//! counterparty, a curator) and the most benchmark values; authors whose order index is full;
//! suppliers with a confirmed master (one more party to read, check and pay); deals with both sides' change requests pending; prices in USD when the runtime
//! has a USD price source (`BenchmarkHelper::set_usd_price`), in SNM otherwise; and close with
//! blacklisting when the runtime's blacklist accepts entries.

use crate::{pallet::*, types::*, Pallet as Market};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sonm_primitives::{
	netflags,
	traits::{IsBlocked, PriceOf},
	Currency, IdentityLevel,
};

const SEED: u32 = 0;
/// The clock when a benchmark starts: 2024-01-01.
const START: Seconds = 1_704_067_200;

/// What a runtime provides so that the market's benchmarks can reach their worst cases.
pub trait BenchmarkHelper<AccountId, Balance, Signature> {
	/// Sets the clock to `now` (seconds since the unix epoch).
	fn set_time(now: Seconds);
	/// Makes `snm_per_unit` the fresh SNM price of one USD, where the runtime has a price
	/// source; does nothing where it has none (then the benchmarks price in SNM).
	fn set_usd_price(snm_per_unit: Balance);
	/// Subscribes `who` to `lists` other accounts' blacklists (none of which holds anyone the
	/// benchmark deals with, so that every check reads them all), where the runtime's blacklist
	/// has subscriptions.
	fn subscribe(who: &AccountId, lists: u32);
	/// Gives `who` identity `level`, the way the runtime's identity source stores it at its
	/// largest (so that reading it costs the most).
	fn set_identity_level(who: &AccountId, level: IdentityLevel);
	/// An account that can sign bids (`open_deal_with_signed_bid`'s customer).
	fn bid_signer() -> AccountId;
	/// `signer`'s signature over `payload`, as the runtime's `BidSignature` checks it.
	fn sign_bid(signer: &AccountId, payload: &[u8]) -> Signature;
}

/// An HTTP endpoint of the greatest allowed length (the most bytes to check and store).
fn longest_endpoint() -> EndpointUrl {
	let mut url = b"http://worker.example.org/".to_vec();
	url.resize(sonm_primitives::endpoint::MAX_ENDPOINT_LEN as usize, b'a');
	url.try_into().expect("the bound")
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

/// Block 1 (events are kept) at [`START`], with a USD price where the runtime has one.
fn set_up<T: Config>() {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	T::BenchmarkHelper::set_time(START);
	feed_usd_price::<T>();
}

/// One USD is one SNM, fresh now, where the runtime has a price source.
fn feed_usd_price<T: Config>() {
	T::BenchmarkHelper::set_usd_price(1_000_000_000_000_000_000u128.try_into().unwrap_or_default());
}

/// USD when the runtime has a USD price (conversion at billing is the heavier path), else SNM.
fn unit<T: Config>() -> PriceUnit {
	match T::Prices::price(Currency::Usd) {
		Some(_) => PriceUnit::Usd,
		None => PriceUnit::Snm,
	}
}

/// Moves the clock `seconds` on; the USD price is fed again then, as the masternodes keep
/// doing (a stale price would stop billing).
fn advance<T: Config>(seconds: Seconds) {
	T::BenchmarkHelper::set_time(Market::<T>::now() + seconds);
	feed_usd_price::<T>();
}

/// An account with enough SNM for any benchmark.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who = account(name, index, SEED);
	fund::<T>(&who);
	who
}

fn fund<T: Config>(who: &T::AccountId) {
	let unit = T::Currency::minimum_balance().max(1u32.into());
	T::Currency::set_balance(who, unit * 1_000_000_000u32.into() * 1_000_000u32.into());
}

/// The signer's account is read and written by the transaction extensions (its nonce, its fee)
/// before the call runs, and they are charged for it: the call finds it in the block's overlay,
/// and its benchmark does not count it again (as it does not count a `whitelisted_caller`).
fn signer_in_overlay<T: Config>(who: &T::AccountId) {
	frame_benchmarking::benchmarking::add_to_whitelist(
		frame_system::Account::<T>::hashed_key_for(who).into(),
	);
}

/// Terms with every optional constraint set and the most benchmark values.
fn worst_terms<T: Config>(
	side: Side,
	duration: Seconds,
	counterparty: Option<T::AccountId>,
	curator: T::AccountId,
) -> OrderTermsOf<T> {
	let benchmarks = match side {
		Side::Ask => 1_000u64,
		Side::Bid => 1u64,
	};
	OrderTerms {
		side,
		price: Price { per_second: 1_000u32.into(), unit: unit::<T>() },
		duration,
		counterparty,
		min_identity: IdentityLevel::Registered,
		curator: Some(curator),
		tag: BoundedVec::truncate_from(vec![b't'; 32]),
		benchmarks: BoundedVec::truncate_from(vec![benchmarks; T::MaxBenchmarks::get() as usize]),
		netflags: match side {
			Side::Ask => netflags::ALL,
			Side::Bid => netflags::OVERLAY | netflags::INCOMING,
		},
		expires_at: Some(START + T::MaxDuration::get()),
	}
}

/// Fills `who`'s order index up to `MaxOrdersPerAccount - room` with plain asks.
fn fill_orders<T: Config>(who: &T::AccountId, room: u32) {
	let curator: T::AccountId = account("filler-curator", 0, SEED);
	while (OrdersOf::<T>::get(who).len() as u32) < T::MaxOrdersPerAccount::get() - room {
		Market::<T>::do_place_order(
			who.clone(),
			worst_terms::<T>(Side::Ask, 60, None, curator.clone()),
		)
		.expect("an ask can be placed");
	}
}

/// The parties of the worst deal: a supplier working for a confirmed master, and a customer
/// working for a confirmed master of its own (whom the worst ask names), both with full order
/// indexes, all Registered (the worst orders require it).
struct Parties<T: Config> {
	supplier: T::AccountId,
	master: T::AccountId,
	customer: T::AccountId,
	customer_master: T::AccountId,
}

fn parties<T: Config>() -> Parties<T> {
	parties_with::<T>(funded::<T>("customer", 0))
}

/// [`parties`] with `customer` (funded here) as the customer.
fn parties_with<T: Config>(customer: T::AccountId) -> Parties<T> {
	fund::<T>(&customer);
	let supplier = funded::<T>("supplier", 0);
	let master = funded::<T>("master", 0);
	let customer_master = funded::<T>("customer-master", 0);
	Market::<T>::do_request_master(supplier.clone(), master.clone()).expect("no link yet");
	Market::<T>::do_confirm_worker(master.clone(), supplier.clone()).expect("requested");
	Market::<T>::do_request_master(customer.clone(), customer_master.clone()).expect("no link");
	Market::<T>::do_confirm_worker(customer_master.clone(), customer.clone()).expect("requested");
	for who in [&supplier, &master, &customer] {
		T::BenchmarkHelper::set_identity_level(who, IdentityLevel::Registered);
	}
	Parties { supplier, master, customer, customer_master }
}

/// Subscribes every account whose blacklist `open_deal` checks to `lists` lists.
fn subscribe_all<T: Config>(parties: &Parties<T>, lists: u32) {
	let curators = [account("ask-curator", 0, SEED), account("bid-curator", 0, SEED)];
	for who in [&parties.supplier, &parties.master, &parties.customer]
		.into_iter()
		.chain(&curators)
	{
		T::BenchmarkHelper::subscribe(who, lists);
	}
}

/// The worst ask for the worst bid of `duration` (seconds, 0 for spot): the ask names the
/// customer's master, the bid the supplier's master, each has a curator, and each author's
/// index is otherwise full.
fn worst_orders<T: Config>(parties: &Parties<T>, duration: Seconds) -> (OrderId, OrderId) {
	let ask = worst_ask::<T>(parties, duration);
	let bid =
		Market::<T>::do_place_order(parties.customer.clone(), worst_bid::<T>(parties, duration))
			.expect("valid bid");
	(ask, bid)
}

/// The worst ask for [`worst_bid`] of `duration`, placed, both authors' indexes otherwise full.
fn worst_ask<T: Config>(parties: &Parties<T>, duration: Seconds) -> OrderId {
	fill_orders::<T>(&parties.supplier, 1);
	fill_orders::<T>(&parties.customer, 1);
	// A spot bid needs a spot ask; a forward one the longest ask.
	let ask_duration = if duration == 0 { 0 } else { T::MaxDuration::get() };
	let ask_terms = worst_terms::<T>(
		Side::Ask,
		ask_duration,
		Some(parties.customer_master.clone()),
		account("ask-curator", 0, SEED),
	);
	Market::<T>::do_place_order(parties.supplier.clone(), ask_terms).expect("valid ask")
}

/// The worst bid's terms of `duration`: it names the supplier's master and has a curator.
fn worst_bid<T: Config>(parties: &Parties<T>, duration: Seconds) -> OrderTermsOf<T> {
	worst_terms::<T>(
		Side::Bid,
		duration,
		Some(parties.master.clone()),
		account("bid-curator", 0, SEED),
	)
}

/// The worst deal of `duration`, with both sides' change requests pending (a lower price from
/// the customer, a higher one from the master): closing it clears both.
fn worst_deal<T: Config>(parties: &Parties<T>, duration: Seconds) -> DealId {
	let (ask, bid) = worst_orders::<T>(parties, duration);
	let (id, _) = Market::<T>::do_open_deal(ask, bid).expect("the orders match");
	Market::<T>::do_request_change(parties.customer.clone(), id, 999u32.into(), duration)
		.expect("the customer may propose");
	Market::<T>::do_request_change(parties.master.clone(), id, 1_001u32.into(), duration)
		.expect("the master may propose");
	id
}

/// Moves the clock `seconds` past deal `id`'s start and returns what closing it then refunds:
/// its escrow less those seconds' cost.
fn refund_after<T: Config>(id: DealId, seconds: Seconds) -> BalanceOf<T> {
	let deal = Deals::<T>::get(id.to_be_bytes()).expect("the deal is open");
	advance::<T>(seconds);
	deal.escrow - Market::<T>::cost(&deal.price, seconds).expect("no overflow")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The worst bid with `b` benchmark values from an author who holds `o` orders (the call is
	/// charged at the most of both).
	#[benchmark]
	fn place_order(
		o: Linear<0, { T::MaxOrdersPerAccount::get() - 1 }>,
		b: Linear<
			{ sonm_primitives::benchmarks::STANDARD_COUNT as u32 },
			{ T::MaxBenchmarks::get() },
		>,
	) {
		set_up::<T>();
		let parties = parties::<T>();
		fill_orders::<T>(&parties.customer, T::MaxOrdersPerAccount::get() - o);
		let mut terms = worst_terms::<T>(
			Side::Bid,
			T::MaxDuration::get(),
			Some(parties.master.clone()),
			account("bid-curator", 0, SEED),
		);
		terms.benchmarks.truncate(b as usize);
		let id = NextOrderId::<T>::get();

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), terms);

		assert_last_event::<T>(Event::OrderPlaced {
			id,
			author: parties.customer,
			side: Side::Bid,
		});
	}

	/// `n` worst bids in one call, the author's order list filled to leave just room for them:
	/// the weight is `base + n x per_order`.
	#[benchmark]
	fn place_orders(n: Linear<1, { T::MaxOrdersPerCall::get() }>) {
		set_up::<T>();
		let parties = parties::<T>();
		fill_orders::<T>(&parties.customer, n);
		let terms = worst_terms::<T>(
			Side::Bid,
			T::MaxDuration::get(),
			Some(parties.master.clone()),
			account("bid-curator", 0, SEED),
		);
		let orders: BoundedVec<_, T::MaxOrdersPerCall> =
			vec![terms; n as usize].try_into().expect("n is within the bound");
		let first = NextOrderId::<T>::get();

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), orders);

		assert_eq!(NextOrderId::<T>::get(), first + n as u64);
		assert_last_event::<T>(Event::OrderPlaced {
			id: first + n as u64 - 1,
			author: parties.customer,
			side: Side::Bid,
		});
	}

	#[benchmark]
	fn cancel_order() {
		set_up::<T>();
		let parties = parties::<T>();
		let (_, bid) = worst_orders::<T>(&parties, T::MaxDuration::get());

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), bid);

		assert_last_event::<T>(Event::OrderCancelled {
			id: bid,
			author: parties.customer,
			expired: false,
		});
	}

	#[benchmark]
	fn remove_expired_order() {
		set_up::<T>();
		let parties = parties::<T>();
		let (_, bid) = worst_orders::<T>(&parties, T::MaxDuration::get());
		advance::<T>(T::MaxDuration::get());
		let anyone: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), bid);

		assert_last_event::<T>(Event::OrderCancelled {
			id: bid,
			author: parties.customer,
			expired: true,
		});
	}

	/// `s`: the subscribed blacklists of each account whose list is checked.
	#[benchmark]
	fn open_deal(s: Linear<0, { T::Blacklist::max_subscriptions().max(1) }>) {
		set_up::<T>();
		let parties = parties::<T>();
		subscribe_all::<T>(&parties, s);
		let (ask, bid) = worst_orders::<T>(&parties, T::MaxDuration::get());
		let matcher: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(matcher), ask, bid);

		assert_last_event::<T>(Event::DealOpened {
			id: bid,
			ask,
			bid,
			supplier: parties.supplier,
			consumer: parties.customer,
		});
	}

	/// The worst deal from a signed bid: [`open_deal`]'s worst case, with the bid checked and
	/// matched in the call (never written as an order) after its signature and nonce are
	/// checked. `s` as for `open_deal`.
	#[benchmark]
	fn open_deal_with_signed_bid(s: Linear<0, { T::Blacklist::max_subscriptions().max(1) }>) {
		set_up::<T>();
		let parties = parties_with::<T>(T::BenchmarkHelper::bid_signer());
		subscribe_all::<T>(&parties, s);
		let ask = worst_ask::<T>(&parties, T::MaxDuration::get());
		let terms = worst_bid::<T>(&parties, T::MaxDuration::get());
		let (nonce, expires_at) = (7, START + T::MaxDuration::get());
		let genesis = frame_system::Pallet::<T>::block_hash(
			frame_system::pallet_prelude::BlockNumberFor::<T>::from(0u32),
		);
		let payload = sonm_primitives::market::signed_bid_payload(
			&genesis,
			&parties.customer,
			&terms,
			nonce,
			expires_at,
		);
		let signature = T::BenchmarkHelper::sign_bid(&parties.customer, &payload);
		let customer = parties.customer.clone();
		let bid = SignedBid { customer, terms, nonce, expires_at, signature };
		let id = NextOrderId::<T>::get();

		signer_in_overlay::<T>(&parties.supplier);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.supplier.clone()), ask, alloc::boxed::Box::new(bid));

		assert_last_event::<T>(Event::DealOpened {
			id,
			ask,
			bid: id,
			supplier: parties.supplier,
			consumer: parties.customer,
		});
	}

	/// `s`: the subscribed blacklists of each account whose list is checked.
	#[benchmark]
	fn quick_buy(s: Linear<0, { T::Blacklist::max_subscriptions().max(1) }>) {
		set_up::<T>();
		let parties = parties::<T>();
		subscribe_all::<T>(&parties, s);
		let (ask, bid) = worst_orders::<T>(&parties, T::MaxDuration::get());
		// The customer's own bid goes: quick_buy places one in its place.
		Market::<T>::do_cancel_order(Some(parties.customer.clone()), bid).expect("own bid");
		let new_bid = NextOrderId::<T>::get();

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), ask, T::MaxDuration::get());

		assert_last_event::<T>(Event::DealOpened {
			id: new_bid,
			ask,
			bid: new_bid,
			supplier: parties.supplier,
			consumer: parties.customer,
		});
	}

	/// A spot deal billed two prepaid periods after it opened, whose customer can pay what the
	/// escrow lacks but not the next period: it holds the shortfall, pays, tries to hold the
	/// next period, and closes.
	#[benchmark]
	fn bill() {
		set_up::<T>();
		let parties = parties::<T>();
		let id = worst_deal::<T>(&parties, 0);
		let deal = Deals::<T>::get(id.to_be_bytes()).expect("the deal is open");
		let late = 2 * T::SpotPrepay::get();
		advance::<T>(late);
		let due = Market::<T>::cost(&deal.price, late).expect("no overflow");
		let shortfall = due - deal.escrow;
		T::Currency::set_balance(&parties.customer, T::Currency::minimum_balance() + shortfall);
		let anyone: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), id);

		assert_last_event::<T>(Event::DealClosed {
			id,
			reason: CloseReason::InsufficientFunds,
			refund: 0u32.into(),
		});
	}

	/// The customer closes a forward deal halfway, blacklisting the supplier's master where the
	/// runtime's blacklist accepts entries.
	#[benchmark]
	fn close_deal() {
		set_up::<T>();
		let parties = parties::<T>();
		let id = worst_deal::<T>(&parties, T::MaxDuration::get());
		let refund = refund_after::<T>(id, T::MaxDuration::get() / 2);
		let blacklist = T::Blacklist::block(&parties.customer, &account("probe", 0, SEED)).is_ok();

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), id, blacklist);

		// With blacklisting, its event comes after the close's.
		let closed = Event::DealClosed { id, reason: CloseReason::ByCustomer, refund };
		frame_system::Pallet::<T>::assert_has_event(
			<T as Config>::RuntimeEvent::from(closed).into(),
		);
		assert!(Deals::<T>::get(id.to_be_bytes()).is_none());
	}

	/// The customer's request meets the master's pending one: billed at the old terms, then
	/// switched to a longer deal that holds more.
	#[benchmark]
	fn request_change() {
		set_up::<T>();
		let parties = parties::<T>();
		let half = T::MaxDuration::get() / 2;
		let id = worst_deal::<T>(&parties, half);
		Market::<T>::do_drop_change(parties.customer.clone(), id, Side::Bid).expect("pending");
		Market::<T>::do_drop_change(parties.master.clone(), id, Side::Ask).expect("pending");
		Market::<T>::do_request_change(parties.master.clone(), id, 1_001u32.into(), half + 1)
			.expect("the master may propose");
		advance::<T>(half / 2);

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), id, 1_002u32.into(), half + 1);

		assert_last_event::<T>(Event::DealChanged {
			id,
			per_second: 1_001u32.into(),
			duration: half + 1,
		});
	}

	/// The customer accepts the master's request for a longer, dearer deal.
	#[benchmark]
	fn accept_change() {
		set_up::<T>();
		let parties = parties::<T>();
		let half = T::MaxDuration::get() / 2;
		let id = worst_deal::<T>(&parties, half);
		Market::<T>::do_drop_change(parties.master.clone(), id, Side::Ask).expect("pending");
		Market::<T>::do_request_change(parties.master.clone(), id, 1_001u32.into(), half + 1)
			.expect("the master may propose");
		advance::<T>(half / 2);

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), id);

		assert_last_event::<T>(Event::DealChanged {
			id,
			per_second: 1_001u32.into(),
			duration: half + 1,
		});
	}

	#[benchmark]
	fn drop_change() {
		set_up::<T>();
		let parties = parties::<T>();
		let id = worst_deal::<T>(&parties, T::MaxDuration::get());

		signer_in_overlay::<T>(&parties.customer);
		#[extrinsic_call]
		_(RawOrigin::Signed(parties.customer.clone()), id, Side::Ask);

		assert_last_event::<T>(Event::ChangeRequestDropped { id, side: Side::Ask, rejected: true });
	}

	#[benchmark]
	fn request_master() {
		set_up::<T>();
		let worker: T::AccountId = whitelisted_caller();
		let master: T::AccountId = account("master", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()), master.clone());

		assert_last_event::<T>(Event::WorkerRequested { worker, master });
	}

	#[benchmark]
	fn confirm_worker() {
		set_up::<T>();
		let worker: T::AccountId = account("worker", 0, SEED);
		let master: T::AccountId = whitelisted_caller();
		Market::<T>::do_request_master(worker.clone(), master.clone()).expect("no link yet");

		#[extrinsic_call]
		_(RawOrigin::Signed(master.clone()), worker.clone());

		assert_last_event::<T>(Event::WorkerConfirmed { worker, master });
	}

	#[benchmark]
	fn remove_worker() {
		set_up::<T>();
		let worker: T::AccountId = account("worker", 0, SEED);
		let master: T::AccountId = whitelisted_caller();
		Market::<T>::do_request_master(worker.clone(), master.clone()).expect("no link yet");
		Market::<T>::do_confirm_worker(master.clone(), worker.clone()).expect("requested");

		#[extrinsic_call]
		_(RawOrigin::Signed(master.clone()), worker.clone());

		assert_last_event::<T>(Event::WorkerRemoved { worker, master });
	}

	#[benchmark]
	fn set_endpoint() {
		set_up::<T>();
		let worker: T::AccountId = whitelisted_caller();
		fund::<T>(&worker);
		let url = longest_endpoint();

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()), url.clone());

		assert_last_event::<T>(Event::EndpointSet { worker, url });
	}

	#[benchmark]
	fn clear_endpoint() {
		set_up::<T>();
		let worker: T::AccountId = whitelisted_caller();
		fund::<T>(&worker);
		Market::<T>::do_set_endpoint(worker.clone(), longest_endpoint()).expect("funded");

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()));

		assert_last_event::<T>(Event::EndpointCleared { worker });
	}

	#[benchmark]
	fn set_paused() -> Result<(), BenchmarkError> {
		set_up::<T>();
		let origin =
			T::PauseOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, true);

		assert_last_event::<T>(Event::PauseSet { paused: true });
		Ok(())
	}

	impl_benchmark_test_suite!(Market, crate::mock::new_bench_ext(), crate::mock::Test);
}
