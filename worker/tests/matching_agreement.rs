//! The market pallet's `open_deal`, the CLI's check before signing and the worker's matcher
//! agree, over 100,000 random ask/bid pairs, on whether two orders make a deal and, when not,
//! on the rule that fails.
//!
//! Each of 1,000 random worlds sets masters, identity levels and blacklists in the pallet's test
//! runtime and the same facts for the off-chain checks; in each, 105 random pairs are placed
//! on chain and `open_deal` is tried in a storage transaction that is rolled back. The same two
//! orders, as the node's RPC serves them, go through the CLI's check (`sonm-client`'s
//! `check_orders`, whose failure the CLI turns into its message) and through the worker's
//! matcher (the bid index's candidates for the ask, then the full rules).

use frame_support::storage::{with_transaction, TransactionOutcome};
use pallet_market::{
	mock::{self, AccountId, Market, RuntimeOrigin, Test},
	Error, OrderTerms, Orders, PriceUnit, Side,
};
use sonm_client::{
	matching::{check_orders, Fact, FactAnswer, Facts},
	types::Order,
};
use sonm_primitives::{matching::MatchFailure, IdentityLevel};
use sonm_test_support::Rng;
use sonm_worker::index::BidIndex;
use sp_runtime::DispatchError;

const WORLDS: u64 = 1_000;
/// A few more than 100 per world: pairs whose orders the chain refuses to place are skipped.
const PAIRS_PER_WORLD: u64 = 105;
/// The accounts that trade: 1 to 6 (the test runtime endows 1 to 9).
const PARTIES: u64 = 6;

/// A random party of the world.
fn party(rng: &mut Rng) -> AccountId {
	1 + rng.below(PARTIES)
}

const LEVELS: [IdentityLevel; 4] = [
	IdentityLevel::Anonymous,
	IdentityLevel::Registered,
	IdentityLevel::Identified,
	IdentityLevel::Professional,
];

/// Random terms; mostly near each other so that many pairs match and every rule fails often.
fn random_terms(rng: &mut Rng, side: Side, now: u64) -> OrderTerms<Test> {
	// Bids offer a little more than asks want, on average.
	let price = 1 + rng.below(if side == Side::Bid { 14 } else { 10 }) as u128;
	let mut terms = mock::terms(side, price, [0, 0, 60, 600][rng.below(4) as usize]);
	if rng.chance(20) {
		terms.price.unit = PriceUnit::Usd;
	}
	terms.netflags = rng.below(8) as u8;
	if side == Side::Bid && !rng.chance(3) {
		// Most bids need no network flags.
		terms.netflags = 0;
	}
	for value in terms.benchmarks.iter_mut() {
		*value = if side == Side::Ask { 3 + rng.below(3) } else { rng.below(4) };
	}
	if side == Side::Bid && rng.chance(10) {
		// Now and then a bid wants more of one resource than any ask has.
		let index = rng.below(12) as usize;
		terms.benchmarks[index] = 4 + rng.below(3);
	}
	if rng.chance(8) {
		terms.counterparty = Some(party(rng));
	}
	if rng.chance(4) {
		terms.min_identity = LEVELS[1 + rng.below(3) as usize];
	}
	if rng.chance(6) {
		terms.curator = Some(party(rng));
	}
	if rng.chance(8) {
		terms.expires_at = Some(now + 1 + rng.below(20));
	}
	terms
}

/// An order as the node's `market_order` RPC serves it.
fn as_rpc(id: u64, order: &pallet_market::Order<Test>) -> Order {
	Order {
		id,
		author: order.author.to_string(),
		side: order.terms.side,
		price: order.terms.price,
		duration: order.terms.duration,
		counterparty: order.terms.counterparty.map(|who| who.to_string()),
		min_identity: order.terms.min_identity,
		curator: order.terms.curator.map(|who| who.to_string()),
		tag: String::from_utf8_lossy(&order.terms.tag).into_owned(),
		benchmarks: order.terms.benchmarks.to_vec(),
		netflags: order.terms.netflags,
		expires_at: order.terms.expires_at,
		placed_at: order.placed_at,
		deposit: order.deposit,
		escrow: order.escrow,
	}
}

/// Sets a random world's masters, levels and blacklists in the runtime and in `facts`.
fn random_world(rng: &mut Rng) -> Facts {
	let mut facts = Facts::default();
	for who in 1..=PARTIES {
		let level = LEVELS[rng.below(4) as usize];
		mock::set_level(who, level);
		facts.learn(Fact::Level(who.to_string()), FactAnswer::Level(level));
		let mut master = None;
		if rng.chance(4) {
			let wanted = party(rng);
			if wanted != who
				&& Market::request_master(RuntimeOrigin::signed(who), wanted).is_ok()
				&& Market::confirm_worker(RuntimeOrigin::signed(wanted), who).is_ok()
			{
				master = Some(wanted.to_string());
			}
		}
		facts.learn(Fact::Master(who.to_string()), FactAnswer::Master(master));
	}
	for list in 1..=PARTIES {
		for whom in 1..=PARTIES {
			let blocked = rng.chance(12);
			if blocked {
				mock::set_blocked(list, whom);
			}
			let answer = mock::is_blocked(list, whom);
			facts.learn(
				Fact::Blocked(list.to_string(), whom.to_string()),
				FactAnswer::Blocked(answer),
			);
		}
	}
	facts
}

/// What the pallet says: `None` when the deal opens, else its error.
fn pallet_verdict(ask: u64, bid: u64) -> Option<DispatchError> {
	with_transaction(|| {
		let result = Market::open_deal(RuntimeOrigin::signed(99), ask, bid);
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(result.err().map(|e| e.error)))
	})
	.expect("the closure never fails")
}

#[test]
fn the_pallet_the_cli_and_the_matcher_agree_on_every_pair() {
	let mut rng = Rng::new(0x2545_F491_4F6C_DD1D);
	let (mut matched, mut refused) = (0u64, std::collections::BTreeMap::<MatchFailure, u64>::new());
	for world in 0..WORLDS {
		mock::new_test_ext(|| {
			mock::set_usd_rate(Some(1));
			let facts = random_world(&mut rng);
			for pair in 0..PAIRS_PER_WORLD {
				let now = mock::now();
				// Now and then the "ask" is a bid, or the "bid" an ask.
				let ask_side = if rng.chance(50) { Side::Bid } else { Side::Ask };
				let bid_side = if rng.chance(50) { Side::Ask } else { Side::Bid };
				let (supplier, customer) = (party(&mut rng), party(&mut rng));
				let (ask_terms, bid_terms) =
					(random_terms(&mut rng, ask_side, now), random_terms(&mut rng, bid_side, now));
				let outcome = with_transaction(|| {
					let place = |who, terms| {
						Market::place_order(RuntimeOrigin::signed(who), terms)
							.map(|_| pallet_market::NextOrderId::<Test>::get() - 1)
					};
					let (Ok(ask), Ok(bid)) =
						(place(supplier, ask_terms), place(customer, bid_terms))
					else {
						return TransactionOutcome::Rollback(Ok::<_, DispatchError>(None));
					};
					// Time passes, so that expiries count.
					mock::advance(rng.below(12));
					let later = mock::now();
					let on_chain = pallet_verdict(ask, bid);
					let ask_rpc = as_rpc(ask, &Orders::<Test>::get(ask.to_be_bytes()).unwrap());
					let bid_rpc = as_rpc(bid, &Orders::<Test>::get(bid.to_be_bytes()).unwrap());
					TransactionOutcome::Rollback(Ok(Some((on_chain, ask_rpc, bid_rpc, later))))
				})
				.unwrap();
				let Some((on_chain, ask, bid, later)) = outcome else { continue };

				// The CLI's check.
				let cli = check_orders(&ask, &bid, later, &facts).map(|_| ()).err();
				assert!(facts.take_missing().is_empty(), "every fact was given");
				let context = format!("world {world} pair {pair}: {ask:?} / {bid:?}");
				assert_eq!(
					on_chain,
					cli.map(|failure| DispatchError::from(Error::<Test>::from(failure))),
					"pallet and CLI disagree, {context}"
				);

				// The worker's matcher.
				let mut index = BidIndex::new();
				index.insert(bid.clone());
				let found = index
					.candidates(&ask, later)
					.find(|candidate| check_orders(&ask, candidate, later, &facts).is_ok())
					.map(|candidate| candidate.id);
				assert_eq!(found.is_some(), cli.is_none(), "matcher and CLI disagree, {context}");
				match cli {
					None => matched += 1,
					Some(failure) => *refused.entry(failure).or_default() += 1,
				}
			}
		});
	}
	let total = matched + refused.values().sum::<u64>();
	eprintln!("{total} pairs: {matched} deals; refused: {refused:?}");
	assert!(total >= 100_000, "only {total} pairs were placed");
	assert!(matched >= 5_000, "only {matched} pairs matched: the test must exercise deals");
	// Every rule of the pallet was the deciding one somewhere.
	for failure in [
		MatchFailure::NotAnAsk,
		MatchFailure::NotABid,
		MatchFailure::OrderExpired,
		MatchFailure::SelfDeal,
		MatchFailure::UnitMismatch,
		MatchFailure::PriceTooHigh,
		MatchFailure::DurationMismatch,
		MatchFailure::AskCounterpartyMismatch,
		MatchFailure::BidCounterpartyMismatch,
		MatchFailure::CustomerIdentityTooLow,
		MatchFailure::SupplierIdentityTooLow,
		MatchFailure::NetflagsMismatch,
		MatchFailure::BenchmarksTooLow,
		MatchFailure::SupplierBlacklisted,
		MatchFailure::CustomerBlacklisted,
	] {
		assert!(refused.get(&failure).copied().unwrap_or(0) > 0, "{failure:?} never decided");
	}
}
