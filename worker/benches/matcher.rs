//! The matcher's cost per new order with 1k, 10k and 100k open bids: a new bid is inserted into
//! the index and matched against the worker's eight asks (and leaves again, so that the book
//! keeps its size; criterion counts the removal too); a new ask of the worker finds its best
//! bid under the full rules.
//! Criterion reports the means; the percentiles the worker's README quotes are printed from
//! 10,000 timed new orders at each size.

use criterion::{black_box, criterion_group, Criterion};
use sonm_client::matching::{check_orders, Fact, FactAnswer, Facts};
use sonm_client::types::{Order, Price};
use sonm_primitives::{
	market::{PriceUnit, Side},
	IdentityLevel,
};
use sonm_test_support::Rng;
use sonm_worker::index::BidIndex;
use std::time::{Duration, Instant};

fn order(rng: &mut Rng, id: u64, side: Side) -> Order {
	let ask = side == Side::Ask;
	let mut benchmarks = vec![0u64; 12];
	// Asks offer up to 64 cores and 256 GiB; bids want less on average.
	benchmarks[2] = 1 + rng.below(if ask { 64 } else { 48 });
	benchmarks[3] = (1 + rng.below(if ask { 256 } else { 192 })) << 30;
	benchmarks[7] = rng.below(if ask { 4 } else { 3 });
	Order {
		id,
		author: if ask { "supplier".into() } else { format!("customer{}", rng.below(5000)) },
		side,
		price: Price { per_second: 1 + rng.below(1_000) as u128, unit: PriceUnit::Snm },
		duration: [0, 3600, 7200, 86_400][rng.below(4) as usize],
		counterparty: None,
		min_identity: IdentityLevel::Anonymous,
		curator: None,
		tag: String::new(),
		benchmarks,
		netflags: rng.below(8) as u8,
		expires_at: None,
		placed_at: 0,
		deposit: 0,
		escrow: 0,
	}
}

/// Every fact known and permissive: what the worker's cache holds in steady state.
fn facts(customers: u64) -> Facts {
	let mut facts = Facts::default();
	facts.learn(Fact::Master("supplier".into()), FactAnswer::Master(None));
	for i in 0..customers {
		let customer = format!("customer{i}");
		facts.learn(Fact::Blocked(customer.clone(), "supplier".into()), FactAnswer::Blocked(false));
		facts.learn(Fact::Blocked("supplier".into(), customer), FactAnswer::Blocked(false));
	}
	facts
}

struct Book {
	index: BidIndex,
	asks: Vec<Order>,
	facts: Facts,
	rng: Rng,
	next_id: u64,
}

impl Book {
	fn new(open: u64) -> Self {
		let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
		let mut index = BidIndex::new();
		for id in 0..open {
			index.insert(order(&mut rng, id, Side::Bid));
		}
		let asks = (0..8).map(|i| order(&mut rng, open + i, Side::Ask)).collect();
		Self { index, asks, facts: facts(5000), rng, next_id: open + 8 }
	}

	/// A new bid: indexed, then checked against the worker's asks (cheapest first). Returns the
	/// bid's id and the ask it matched.
	fn new_bid(&mut self) -> (u64, Option<u64>) {
		let bid = order(&mut self.rng, self.next_id, Side::Bid);
		self.next_id += 1;
		let id = bid.id;
		self.index.insert(bid);
		let bid = self.index.get(id).expect("just inserted");
		let matched = self
			.asks
			.iter()
			.find(|ask| check_orders(ask, bid, 0, &self.facts).is_ok())
			.map(|a| a.id);
		(id, matched)
	}

	/// A bid leaves the book (matched or cancelled), so that the book keeps its size.
	fn bid_leaves(&mut self, id: u64) {
		self.index.remove(id);
	}

	/// A new ask of the worker: its best bid under the full rules.
	fn new_ask(&mut self) -> Option<u64> {
		let ask = order(&mut self.rng, self.next_id, Side::Ask);
		self.next_id += 1;
		let best = self
			.index
			.candidates(&ask, 0)
			.find(|bid| check_orders(&ask, bid, 0, &self.facts).is_ok())
			.map(|bid| bid.id);
		best
	}
}

/// Prints the median, 99th percentile and maximum of `samples`.
fn report(open: u64, what: &str, mut samples: Vec<Duration>) {
	samples.sort();
	let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
	println!(
		"{open:>7} open bids, {what}: p50 {:?}, p99 {:?}, max {:?}",
		at(0.50),
		at(0.99),
		samples[samples.len() - 1]
	);
}

fn percentiles(open: u64) {
	let mut book = Book::new(open);
	let new_bids = (0..10_000)
		.map(|_| {
			let started = Instant::now();
			let (id, matched) = book.new_bid();
			let took = started.elapsed();
			black_box(matched);
			book.bid_leaves(id);
			took
		})
		.collect();
	report(open, "new bid", new_bids);
	let new_asks = (0..10_000)
		.map(|_| {
			let started = Instant::now();
			black_box(book.new_ask());
			started.elapsed()
		})
		.collect();
	report(open, "new ask", new_asks);
}

fn matcher(c: &mut Criterion) {
	for open in [1_000u64, 10_000, 100_000] {
		let mut book = Book::new(open);
		c.bench_function(&format!("new bid, {open} open bids"), |b| {
			b.iter(|| {
				let (id, matched) = book.new_bid();
				book.bid_leaves(id);
				matched
			})
		});
		let mut book = Book::new(open);
		c.bench_function(&format!("new ask, {open} open bids"), |b| b.iter(|| book.new_ask()));
	}
}

criterion_group!(benches, matcher);

fn main() {
	for open in [1_000u64, 10_000, 100_000] {
		percentiles(open);
	}
	benches();
	Criterion::default().configure_from_args().final_summary();
}
