//! Randomized call sequences: many accounts placing, matching, billing, changing and closing
//! with the clock moving. Whatever each call returns, no call panics, the holds always equal
//! what orders and deals account for (`try_state`), and no SNM is created or destroyed.

use crate::{mock::*, pallet::*, types::*};
use sonm_primitives::IdentityLevel;
use sonm_test_support::Rng;

fn random_terms(rng: &mut Rng) -> OrderTermsOf<Test> {
	let side = if rng.below(2) == 0 { Side::Ask } else { Side::Bid };
	let duration = [0, 0, 0, 600, 3600][rng.below(5) as usize];
	let mut terms = terms(side, 1 + rng.below(20) as Balance, duration);
	terms.netflags = rng.below(8) as u8;
	// Bids want somewhat less than asks offer, so that a fair share of random pairs match.
	let most = if side == Side::Ask { 12 } else { 9 };
	for value in terms.benchmarks.iter_mut() {
		*value = rng.below(most);
	}
	if rng.below(4) == 0 {
		terms.expires_at = Some(now() + rng.below(3000));
	}
	if rng.below(6) == 0 {
		terms.min_identity = IdentityLevel::Registered;
	}
	if rng.below(8) == 0 {
		terms.price.unit = PriceUnit::Usd;
	}
	terms
}

/// A random open ask's id (0, no order, when there is none).
fn random_ask(rng: &mut Rng) -> OrderId {
	let asks: Vec<OrderId> = Market::open_orders()
		.filter(|(_, order)| order.terms.side == Side::Ask)
		.map(|(id, _)| id)
		.collect();
	rng.pick(&asks).unwrap_or(0)
}

/// A customer's signed bid: nonces repeat (replays), some expire, some are altered after
/// signing.
fn random_signed_bid(rng: &mut Rng) -> SignedBid<Test> {
	let customer = 1 + rng.below(6);
	let mut terms = random_terms(rng);
	terms.side = Side::Bid;
	let mut bid = signed_by(customer, terms, rng.below(4), crate::mock::now() + rng.below(1200));
	if rng.below(4) == 0 {
		bid.terms.duration += 60;
	}
	bid
}

/// `terms` signed by `customer` over the chain's payload.
fn signed_by(
	customer: AccountId,
	terms: OrderTermsOf<Test>,
	nonce: u64,
	expires_at: u64,
) -> SignedBid<Test> {
	let genesis = frame_system::Pallet::<Test>::block_hash(0);
	let payload =
		sonm_primitives::market::signed_bid_payload(&genesis, &customer, &terms, nonce, expires_at);
	SignedBid {
		customer,
		terms,
		nonce,
		expires_at,
		signature: sp_runtime::testing::TestSignature(customer, payload),
	}
}

/// One random call by a random account. Errors are expected and ignored: the point is what
/// holds after it.
fn random_call(rng: &mut Rng) {
	let who = 1 + rng.below(6);
	let origin = RuntimeOrigin::signed(who);
	let orders: Vec<(OrderId, Side)> =
		Market::open_orders().map(|(id, order)| (id, order.terms.side)).collect();
	let asks: Vec<OrderId> = orders
		.iter()
		.filter(|(_, side)| *side == Side::Ask)
		.map(|(id, _)| *id)
		.collect();
	let bids: Vec<OrderId> = orders
		.iter()
		.filter(|(_, side)| *side == Side::Bid)
		.map(|(id, _)| *id)
		.collect();
	let deals: Vec<DealId> = Market::open_deals().map(|(id, _)| id).collect();
	let any_order = rng.pick(&orders).map(|(id, _)| id).unwrap_or(0);
	let any_deal = rng.pick(&deals).unwrap_or(0);
	let _ = match rng.below(18) {
		0 | 1 => Market::place_order(origin, random_terms(rng)),
		// A batch of none to four (the mock allows three; four is refused whole).
		2 => {
			let batch: Vec<_> = (0..rng.below(5)).map(|_| random_terms(rng)).collect();
			match batch.try_into() {
				Ok(orders) => Market::place_orders(origin, orders),
				Err(_) => Ok(()),
			}
		},
		3 => Market::cancel_order(origin, any_order),
		4 => Market::remove_expired_order(origin, any_order),
		5..=7 => {
			Market::open_deal(origin, rng.pick(&asks).unwrap_or(0), rng.pick(&bids).unwrap_or(0))
				.map(|_| ())
				.map_err(|e| e.error)
		},
		8 => {
			// Mostly a duration of the ask's kind (spot for spot, forward for forward).
			let ask = rng.pick(&asks).unwrap_or(0);
			let spot = Orders::<Test>::get(ask.to_be_bytes())
				.is_some_and(|order| order.terms.duration == 0);
			let duration = if spot != (rng.below(8) == 0) { 0 } else { 600 };
			Market::quick_buy(origin, ask, duration).map(|_| ()).map_err(|e| e.error)
		},
		9 | 10 => Market::bill(origin, any_deal),
		11 => Market::close_deal(origin, any_deal, rng.below(4) == 0)
			.map(|_| ())
			.map_err(|e| e.error),
		12 => Market::request_change(
			origin,
			any_deal,
			1 + rng.below(30) as Balance,
			[0, 600, 3600, 7200][rng.below(4) as usize],
		),
		13 => Market::accept_change(origin, any_deal),
		14 => Market::drop_change(
			origin,
			any_deal,
			if rng.below(2) == 0 { Side::Ask } else { Side::Bid },
		),
		15 => Market::open_deal_with_signed_bid(
			origin,
			random_ask(rng),
			Box::new(random_signed_bid(rng)),
		)
		.map(|_| ())
		.map_err(|e| e.error),
		// A batch of none to four (the mock allows three; four is refused whole).
		16 => {
			let batch: Vec<_> =
				(0..rng.below(5)).map(|_| (random_ask(rng), random_signed_bid(rng))).collect();
			match batch.try_into() {
				Ok(bids) => Market::open_deals_with_signed_bids(origin, bids)
					.map(|_| ())
					.map_err(|e| e.error),
				Err(_) => Ok(()),
			}
		},
		_ => match rng.below(3) {
			0 => Market::request_master(origin, 1 + rng.below(6)),
			1 => Market::confirm_worker(origin, 1 + rng.below(6)),
			_ => Market::remove_worker(origin, 1 + rng.below(6)),
		},
	};
}

#[test]
fn random_call_sequences_never_panic_and_keep_the_invariants() {
	let mut opened = 0;
	for seed in 1..=30u64 {
		new_test_ext(|| {
			let mut rng = Rng::new(seed);
			set_usd_rate(Some(1 + rng.below(5) as Balance));
			set_level(1 + rng.below(6), IdentityLevel::Identified);
			let issuance = Balances::total_issuance();
			for step in 0..300 {
				random_call(&mut rng);
				if rng.below(3) == 0 {
					advance(rng.below(1800));
				}
				if rng.below(50) == 0 {
					set_usd_rate(rng.pick(&[None, Some(1), Some(3), Some(7)]).flatten());
				}
				if let Err(error) = Market::do_try_state_also_for((1..=RICH).chain([POT]).collect())
				{
					panic!("invariant broken at seed {seed} step {step}: {error:?}");
				}
				assert_eq!(Balances::total_issuance(), issuance, "seed {seed} step {step}");
			}
			opened += System::events()
				.iter()
				.filter(|record| {
					matches!(record.event, RuntimeEvent::Market(Event::DealOpened { .. }))
				})
				.count();
		});
	}
	// The sequences must really exercise deals, not only refusals.
	assert!(opened > 100, "only {opened} deals opened over all seeds");
}

/// What `matching_orders` must answer, found the slow way: every open order of the book
/// checked with the matching rules, sorted best price first, then by id.
fn matching_by_walking_the_book(id: OrderId) -> Vec<OrderId> {
	let order = Orders::<Test>::get(id.to_be_bytes()).expect("an open order");
	let mut matches: Vec<(Balance, OrderId)> = Market::open_orders()
		.filter(|(_, other)| other.terms.side != order.terms.side)
		.filter(|(_, other)| {
			let (ask, bid) = match order.terms.side {
				Side::Bid => (other, &order),
				Side::Ask => (&order, other),
			};
			Market::check_match(ask, bid, now()).is_ok()
		})
		.map(|(other_id, other)| (other.terms.price.per_second, other_id))
		.collect();
	matches.sort_by(|(a_price, a_id), (b_price, b_id)| match order.terms.side {
		Side::Bid => (a_price, a_id).cmp(&(b_price, b_id)),
		Side::Ask => b_price.cmp(a_price).then(a_id.cmp(b_id)),
	});
	matches.into_iter().map(|(_, id)| id).collect()
}

#[test]
fn the_book_answers_what_a_walk_of_every_order_answers() {
	let mut compared = 0;
	let mut matched = 0;
	for seed in 1..=20u64 {
		new_test_ext(|| {
			let mut rng = Rng::new(seed);
			set_usd_rate(Some(1 + rng.below(5) as Balance));
			set_level(1 + rng.below(6), IdentityLevel::Identified);
			for step in 0..200 {
				// Mostly orders that differ in what the book sorts on (side, unit, kind of
				// duration, flags, price) and pass the rest, so that many pairs match; some
				// with any terms, and now and then any other call.
				match rng.below(10) {
					0..=5 => {
						let mut terms = random_terms(&mut rng);
						terms.benchmarks = crate::mock::terms(terms.side, 1, 0).benchmarks;
						let _ = Market::place_order(RuntimeOrigin::signed(1 + rng.below(6)), terms);
					},
					6 => {
						let _ = Market::place_order(
							RuntimeOrigin::signed(1 + rng.below(6)),
							random_terms(&mut rng),
						);
					},
					_ => random_call(&mut rng),
				}
				if rng.below(6) == 0 {
					advance(rng.below(900));
				}
				if step % 20 != 19 {
					continue;
				}
				for id in Market::open_orders().map(|(id, _)| id).collect::<Vec<_>>() {
					let expected = matching_by_walking_the_book(id);
					let limit = 1 + rng.below(4) as u32;
					let answer = |limit| -> Vec<OrderId> {
						Market::matching_orders(id, limit).into_iter().map(|(id, _)| id).collect()
					};
					assert_eq!(answer(1000), expected, "seed {seed} step {step} order {id}");
					let first: Vec<_> = expected.iter().copied().take(limit as usize).collect();
					assert_eq!(answer(limit), first, "seed {seed} step {step} order {id}");
					compared += 1;
					matched += !expected.is_empty() as u32;
				}
				// And every open order, paged through by side from a cursor, in id order.
				for side in [None, Some(Side::Ask), Some(Side::Bid)] {
					let mut open: Vec<OrderId> = Market::open_orders()
						.filter(|(_, order)| side.is_none_or(|side| order.terms.side == side))
						.map(|(id, _)| id)
						.collect();
					open.sort();
					let filter = crate::OrderFilter { side, ..Default::default() };
					let (mut paged, mut from) = (Vec::new(), 0);
					loop {
						let page = Market::orders(&filter, from, 3);
						let Some((last, _)) = page.last() else { break };
						from = last + 1;
						paged.extend(page.into_iter().map(|(id, _)| id));
					}
					assert_eq!(paged, open, "seed {seed} step {step} side {side:?}");
				}
			}
		});
	}
	// The books must really have had matches to compare, not only empty answers.
	assert!(compared > 1000 && matched > 300, "{compared} orders compared, {matched} with matches");
}

/// Mostly a bid that mirrors ask `ask` (so that it matches), signed by a random customer with
/// a nonce from a wide range, else any random signed bid.
fn signed_bid_mirroring(rng: &mut Rng, ask: OrderId) -> SignedBid<Test> {
	let Some(ask) = Orders::<Test>::get(ask.to_be_bytes()).filter(|_| rng.below(3) != 0) else {
		return random_signed_bid(rng);
	};
	let customer = 1 + rng.below(6);
	let terms = OrderTerms {
		side: Side::Bid,
		counterparty: None,
		min_identity: IdentityLevel::Anonymous,
		curator: None,
		expires_at: None,
		..ask.terms
	};
	signed_by(customer, terms, rng.below(1000), crate::mock::now() + 600)
}

/// Every key and value of the state but the events (the batch names its refusals, the single
/// calls fail) and the depth of storage transactions (one more while the batch is measured).
fn state_without_events() -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
	System::reset_events();
	let mut state = std::collections::BTreeMap::new();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		let value = sp_io::storage::get(&next).expect("a key next_key names").to_vec();
		if next != b":transaction_level:" {
			state.insert(next.clone(), value);
		}
		key = next;
	}
	state
}

/// The keys whose values differ between two states, for a failure's message.
fn differing_keys(
	a: &std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
	b: &std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
) -> Vec<String> {
	a.keys()
		.chain(b.keys())
		.filter(|key| a.get(*key) != b.get(*key))
		.map(|key| key.iter().map(|byte| format!("{byte:02x}")).collect())
		.collect()
}

#[test]
fn a_batch_of_signed_bids_does_what_the_same_single_calls_do_in_turn() {
	use frame_support::{
		storage::{with_transaction, TransactionOutcome},
		traits::UnfilteredDispatchable,
	};
	let (mut opened, mut refused) = (0, 0);
	for seed in 1..=40u64 {
		new_test_ext(|| {
			let mut rng = Rng::new(seed);
			set_usd_rate(Some(1 + rng.below(5) as Balance));
			for round in 0..30 {
				for _ in 0..5 {
					random_call(&mut rng);
				}
				let who = 1 + rng.below(6);
				let bids: Vec<_> = (0..1 + rng.below(3))
					.map(|_| {
						let ask = random_ask(&mut rng);
						(ask, signed_bid_mirroring(&mut rng, ask))
					})
					.collect();
				let before = state_without_events();
				// The batch, measured and undone.
				let (batch_state, batch_refusals) = with_transaction(|| {
					let call = crate::Call::<Test>::open_deals_with_signed_bids {
						bids: bids.clone().try_into().expect("at most three"),
					};
					assert!(call.dispatch_bypass_filter(RuntimeOrigin::signed(who)).is_ok());
					let refusals: Vec<_> = System::events()
						.into_iter()
						.filter_map(|record| match record.event {
							RuntimeEvent::Market(Event::SignedBidRefused {
								ask,
								nonce,
								error,
								..
							}) => Some((ask, nonce, error)),
							_ => None,
						})
						.collect();
					TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>((
						state_without_events(),
						refusals,
					)))
				})
				.expect("measured");
				let undone = state_without_events();
				assert!(
					undone == before,
					"seed {seed} round {round}: {:?}",
					differing_keys(&undone, &before)
				);
				// The same pairs, one extrinsic each.
				let mut single_refusals = Vec::new();
				for (ask, bid) in bids {
					let nonce = bid.nonce;
					let call =
						crate::Call::<Test>::open_deal_with_signed_bid { ask, bid: Box::new(bid) };
					match call.dispatch_bypass_filter(RuntimeOrigin::signed(who)) {
						Ok(_) => opened += 1,
						Err(e) => single_refusals.push((ask, nonce, e.error)),
					}
				}
				refused += single_refusals.len();
				assert_eq!(batch_refusals, single_refusals, "seed {seed} round {round}");
				let after = state_without_events();
				assert!(
					batch_state == after,
					"seed {seed} round {round}: {:?}",
					differing_keys(&batch_state, &after)
				);
				if let Err(error) = Market::do_try_state_also_for((1..=RICH).chain([POT]).collect())
				{
					panic!("invariant broken at seed {seed} round {round}: {error:?}");
				}
			}
		});
	}
	// Both outcomes must really occur, not only refusals.
	assert!(opened > 20 && refused > 100, "{opened} opened, {refused} refused");
}
