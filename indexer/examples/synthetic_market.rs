//! The indexer's query benchmark (`indexer/README.md`, "Figures"): writes a synthetic market of
//! ORDERS orders and DEALS deals (each with a bill, a third of them closed) through the
//! indexer's own write path, one block of a thousand orders at a time, then serves the API
//! in-process and times its main routes.
//!
//! ```sh
//! cargo run -p sonm-indexer --example synthetic_market -- sqlite:///tmp/market.sqlite 1000000 300000 [ws://NODE]
//! ```
//!
//! With a node's URL, `/orders/{id}/matches` is timed too (the matching rules ask the node for
//! masters, levels and blacklists; the synthetic accounts have none). With `SERVE=1` the API
//! stays up after the timings until Ctrl-C (the web console's figures, web/README.md).

use sonm_client::{
	indexer_api::{IndexerClient, Page},
	types::{Deal, Order, Price},
	AccountId32, Client,
};
use sonm_indexer::{
	api::{self, ApiState},
	follow::FollowState,
	read::{BlockRecord, Fact},
	store::{Backend, Store},
	telemetry::IndexerMetrics,
	write::write_block,
};
use sonm_primitives::market::{PriceUnit, Side};
use sonm_test_support::Rng;
use std::time::{Duration, Instant};

const ORDERS_PER_BLOCK: u64 = 1_000;
const SUPPLIERS: u64 = 1_000;
const CUSTOMERS: u64 = 20_000;
const SAMPLES: usize = 200;

fn account(kind: u8, n: u64) -> String {
	let mut bytes = [kind; 32];
	bytes[..8].copy_from_slice(&n.to_le_bytes());
	AccountId32(bytes).to_string()
}

fn order(rng: &mut Rng, id: u64, side: Side, now: u64) -> Order {
	let cores = 1 << rng.below(7);
	let gpus = if rng.below(4) == 0 { 1 + rng.below(8) } else { 0 };
	let mut benchmarks = vec![0u64; 12];
	benchmarks[0] = cores * (800 + rng.below(400));
	benchmarks[1] = 800 + rng.below(400);
	benchmarks[2] = cores;
	benchmarks[3] = (cores * (1 + rng.below(8))) << 30;
	benchmarks[4] = (100 + rng.below(2_000)) << 30;
	benchmarks[5] = 100_000_000 * (1 + rng.below(10));
	benchmarks[6] = benchmarks[5];
	benchmarks[7] = gpus;
	benchmarks[8] = gpus * ((8 + 8 * rng.below(3)) << 30);
	let author = match side {
		Side::Ask => account(1, rng.below(SUPPLIERS)),
		Side::Bid => account(2, rng.below(CUSTOMERS)),
	};
	Order {
		id,
		author,
		side,
		price: Price {
			per_second: u128::from(cores * (1 + rng.below(100))) * 1_000_000_000_000,
			unit: PriceUnit::Snm,
		},
		duration: if rng.below(3) == 0 { 0 } else { 3_600 * (1 + rng.below(168)) },
		counterparty: None,
		min_identity: Default::default(),
		curator: None,
		tag: format!("plan-{}", rng.below(50)),
		benchmarks,
		netflags: rng.below(8) as u8,
		expires_at: None,
		placed_at: now,
		deposit: 10u128.pow(18),
		escrow: if side == Side::Bid { 10u128.pow(19) } else { 0 },
	}
}

/// One block: a thousand orders, `deals` of them paired into deals, billed, a third closed.
fn block(rng: &mut Rng, number: u64, first_id: u64, deals: u64) -> BlockRecord {
	let time = 1_790_000_000 + number * 600;
	let mut facts = Vec::new();
	let mut orders = Vec::new();
	for i in 0..ORDERS_PER_BLOCK {
		let side =
			if i < deals || (i >= 2 * deals && rng.below(2) == 0) { Side::Ask } else { Side::Bid };
		let side = if i >= deals && i < 2 * deals { Side::Bid } else { side };
		let order = order(rng, first_id + i, side, time);
		orders.push(order.clone());
		facts.push(Fact::OrderPlaced {
			id: order.id,
			author: order.author.clone(),
			side: side.to_string(),
			order: Some(order),
		});
	}
	for d in 0..deals {
		let (ask, bid) = (&orders[d as usize], &orders[(deals + d) as usize]);
		let deal = Deal {
			id: bid.id,
			ask: ask.id,
			bid: bid.id,
			supplier: ask.author.clone(),
			consumer: bid.author.clone(),
			payee: ask.author.clone(),
			price: ask.price,
			duration: 3_600,
			start: time,
			end: Some(time + 3_600),
			billed_until: time,
			escrow: ask.price.per_second * 3_600,
			paid: 0,
			deposit: 10u128.pow(18),
		};
		let (ask_id, bid_id, supplier, consumer) =
			(ask.id, bid.id, ask.author.clone(), bid.author.clone());
		facts.push(Fact::DealOpened {
			id: bid_id,
			ask: ask_id,
			bid: bid_id,
			supplier: supplier.clone(),
			consumer,
			deal: Some(deal),
		});
		let amount = ask.price.per_second * 300;
		facts.push(Fact::Billed {
			deal: bid_id,
			payee: supplier,
			amount: amount * 99 / 100,
			fee: amount / 100,
			billed_until: Some(time + 300),
		});
		if d % 3 == 0 {
			let reason = if d % 2 == 0 { "ByCustomer" } else { "Expired" };
			facts.push(Fact::DealClosed { deal: bid_id, reason: reason.into(), refund: amount });
		}
	}
	let facts = facts.into_iter().enumerate().map(|(i, fact)| (i as u64, fact)).collect();
	BlockRecord { number, hash: format!("0x{number:064x}"), time, events: 0, facts }
}

/// A page of the cheapest open asks with at least some cores, under a price per second
/// (or, with `count`, at any price and with the total).
fn asks_page(rng: &mut Rng, count: bool) -> (String, Vec<(&'static str, String)>) {
	let cores: u64 = 1 << rng.below(6);
	let mut query = vec![
		("side", "Ask".into()),
		("status", "Active".into()),
		("unit", "SNM".into()),
		("cpu_cores", format!("{cores}..")),
		("sort", "price".into()),
		("limit", "100".into()),
	];
	if count {
		query.push(("count", "true".into()));
	} else {
		query.push(("price", format!("..{}", cores * 60 * 1_000_000_000_000)));
	}
	("/orders".into(), query)
}

/// Makes one request of a route: its path and query.
type MakeRequest = dyn Fn(&mut Rng) -> (String, Vec<(&'static str, String)>);

fn percentiles(mut took: Vec<Duration>) -> (f64, f64) {
	took.sort();
	let at = |q: f64| {
		took[((took.len() as f64 * q).ceil() as usize).clamp(1, took.len()) - 1].as_secs_f64() * 1e3
	};
	(at(0.5), at(0.99))
}

#[tokio::main]
async fn main() {
	let args: Vec<String> = std::env::args().collect();
	let url = args
		.get(1)
		.cloned()
		.unwrap_or_else(|| "sqlite:///tmp/sonm-synthetic.sqlite".into());
	let orders: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
	let deals: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(300_000);
	let chain = args.get(4).cloned();
	let store = Store::open(&url).await.expect("the database");
	let mut rng = Rng::new(7);
	let blocks = orders / ORDERS_PER_BLOCK;
	let deals_per_block = deals / blocks.max(1);
	let started = Instant::now();
	let next = store.cursor().await.unwrap().map_or(0, |c| c.block + 1);
	for number in next..blocks {
		let record = block(&mut rng, number, number * ORDERS_PER_BLOCK, deals_per_block);
		write_block(&store, "0xsynthetic", &record).await.expect("a block written");
		if number % 50 == 49 {
			eprintln!(
				"written {} orders in {:.0} s",
				(number + 1) * ORDERS_PER_BLOCK,
				started.elapsed().as_secs_f64()
			);
		}
	}
	println!("wrote {orders} orders, {deals} deals in {:.0} s", started.elapsed().as_secs_f64());
	match store.backend {
		Backend::Sqlite => {
			let path = url.trim_start_matches("sqlite://");
			let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
			let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
			println!("database: {} MiB (+ {} MiB WAL)", size >> 20, wal >> 20);
		},
		Backend::Postgres => {
			use sqlx::Row;
			let row = sqlx::query("SELECT pg_database_size(current_database())")
				.fetch_one(&store.pool)
				.await
				.unwrap();
			println!("database: {} MiB", row.get::<i64, _>(0) >> 20);
		},
	}

	let follow = FollowState::new();
	if let Some(chain) = &chain {
		let client = Client::connect(chain).await.expect("the node");
		// The synthetic blocks are not the node's: matching asks its facts at its finalized
		// head (the synthetic accounts have none there).
		let (number, hash) = client.finalized_block().await.expect("a finalized block");
		follow.mark_indexed(number, &format!("{hash:?}"));
		*follow.client.write().await = Some(client);
	}
	let router = api::router(ApiState::new(store.clone(), follow), IndexerMetrics::new(), 10);
	let bound = sonm_service::serve("api", "127.0.0.1:0".parse().unwrap(), router)
		.await
		.unwrap();
	let api = IndexerClient::new(&format!("http://{bound}"));
	let mut routes: Vec<(&str, Box<MakeRequest>)> = vec![
		("filtered, sorted page of 100 asks", Box::new(|rng| asks_page(rng, false))),
		("the same with its total count", Box::new(|rng| asks_page(rng, true))),
		(
			"a customer's deals",
			Box::new(|rng| ("/deals".into(), vec![("account", account(2, rng.below(CUSTOMERS)))])),
		),
		(
			"a customer's monthly history",
			Box::new(|rng| {
				(format!("/accounts/{}/history", account(2, rng.below(CUSTOMERS))), vec![])
			}),
		),
		(
			"a supplier's record",
			Box::new(|rng| (format!("/suppliers/{}", account(1, rng.below(SUPPLIERS))), vec![])),
		),
		(
			"price index per core-hour, a week by day",
			Box::new(|_| ("/prices/index".into(), vec![("time", "1790000000..1790604800".into())])),
		),
	];
	if chain.is_some() {
		let active_bids: Page<sonm_client::indexer_api::IndexedOrder> = api
			.get(
				"/orders",
				&[("side", "Bid".into()), ("status", "Active".into()), ("limit", "1000".into())],
			)
			.await
			.unwrap();
		let bids: Vec<u64> = active_bids.items.iter().map(|o| o.order.id).collect();
		routes.push((
			"matches for a bid (first 10)",
			Box::new(move |rng| {
				(
					format!("/orders/{}/matches", bids[rng.index(bids.len())]),
					vec![("limit", "10".into())],
				)
			}),
		));
	}
	println!("\n| route | p50 ms | p99 ms |\n| --- | ---: | ---: |");
	for (name, make) in &routes {
		let mut took = Vec::with_capacity(SAMPLES);
		for sample in 0..SAMPLES {
			// The price index is answered from memory for a minute after it is computed: the
			// first sample computes, the others read it (the column shows both).
			if name.starts_with("price index") && sample == 20 {
				break;
			}
			let (path, query) = make(&mut rng);
			let started = Instant::now();
			let answer: serde_json::Value =
				api.get(&path, &query).await.unwrap_or_else(|e| panic!("{path}: {e}"));
			took.push(started.elapsed());
			std::hint::black_box(answer);
		}
		let (p50, p99) = percentiles(took);
		println!("| {name} | {p50:.1} | {p99:.1} |");
	}
	if std::env::var("SERVE").is_ok_and(|value| value == "1") {
		// For the web console's figures: the same API, kept up until Ctrl-C.
		println!("serving http://{bound} until Ctrl-C");
		tokio::signal::ctrl_c().await.expect("a Ctrl-C handler");
	}
}
