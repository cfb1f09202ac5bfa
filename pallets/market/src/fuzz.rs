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

/// One random call by a random account. Errors are expected and ignored: the point is what
/// holds after it.
fn random_call(rng: &mut Rng) {
	let who = 1 + rng.below(6);
	let origin = RuntimeOrigin::signed(who);
	let orders: Vec<(OrderId, Side)> =
		Orders::<Test>::iter().map(|(id, order)| (id, order.terms.side)).collect();
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
	let deals: Vec<DealId> = Deals::<Test>::iter_keys().collect();
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
			let spot = Orders::<Test>::get(ask).is_some_and(|order| order.terms.duration == 0);
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
		15 | 16 => {
			// A customer's signed bid for a random ask: nonces repeat (replays), some expire,
			// some are altered after signing.
			let customer = 1 + rng.below(6);
			let mut terms = random_terms(rng);
			terms.side = Side::Bid;
			let nonce = rng.below(4);
			let expires_at = crate::mock::now() + rng.below(1200);
			let genesis = frame_system::Pallet::<Test>::block_hash(0);
			let payload = sonm_primitives::market::signed_bid_payload(
				&genesis, &customer, &terms, nonce, expires_at,
			);
			if rng.below(4) == 0 {
				terms.duration += 60;
			}
			let bid = SignedBid {
				customer,
				terms,
				nonce,
				expires_at,
				signature: sp_runtime::testing::TestSignature(customer, payload),
			};
			Market::open_deal_with_signed_bid(origin, rng.pick(&asks).unwrap_or(0), Box::new(bid))
				.map(|_| ())
				.map_err(|e| e.error)
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
	let order = Orders::<Test>::get(id).expect("an open order");
	let mut matches: Vec<(Balance, OrderId)> = Orders::<Test>::iter()
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
				for id in Orders::<Test>::iter_keys().collect::<Vec<_>>() {
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
					let mut open: Vec<OrderId> = Orders::<Test>::iter()
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
