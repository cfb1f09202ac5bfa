//! `/orders/{id}/matches` over a book of thousands of asks, for bids easy and demanding, cheap
//! and dear: SQL narrows, pages and orders the candidates, the shared matching rules decide, and
//! the answer is the one a full scan of the book through the same rules gives, at every limit,
//! on SQLite and on PostgreSQL. The book is written through the indexer's own write path; the
//! rules' facts come from a real dev node.

use sonm_client::{
	indexer_api::{IndexedOrder, IndexerClient},
	matching::Facts,
	types::{Order, Price},
	AccountId32, Client,
};
use sonm_indexer::{
	api::{self, ApiState},
	follow::FollowState,
	read::{BlockRecord, Fact},
	store::Store,
	telemetry::IndexerMetrics,
	write::write_block,
};
use sonm_primitives::{
	benchmarks,
	market::{PriceUnit, Side},
};
use sonm_test_support::{postgres::PostgresServer, DevChain};

/// Enough asks that the candidates take several pages of reading.
const ASKS: u64 = 6_000;
const TIME: u64 = 1_790_000_000;

fn account(kind: u8, n: u64) -> String {
	let mut bytes = [kind; 32];
	bytes[..8].copy_from_slice(&n.to_le_bytes());
	AccountId32(bytes).to_string()
}

fn order(id: u64, side: Side, per_second: u128, cores: u64, gpus: u64, storage_gib: u64) -> Order {
	let mut values = vec![0u64; benchmarks::STANDARD_COUNT];
	values[benchmarks::CPU_CORES] = cores;
	values[benchmarks::RAM_SIZE] = cores * (2 << 30);
	values[benchmarks::STORAGE_SIZE] = storage_gib << 30;
	values[benchmarks::GPU_COUNT] = gpus;
	values[benchmarks::GPU_MEM] = gpus * (16 << 30);
	Order {
		id,
		author: account(if side == Side::Ask { 1 } else { 2 }, id % 97),
		side,
		price: Price { per_second, unit: PriceUnit::Snm },
		duration: 3_600,
		counterparty: None,
		min_identity: Default::default(),
		curator: None,
		tag: String::new(),
		benchmarks: values,
		netflags: 0,
		expires_at: None,
		placed_at: TIME,
		deposit: 10u128.pow(18),
		escrow: if side == Side::Bid { 10u128.pow(19) } else { 0 },
	}
}

/// The asks: cores 1-16, storage 100-1,099 GiB, eight GPUs on one ask in 300, prices spread so
/// that cheap and dear asks of every kind exist.
fn asks() -> Vec<Order> {
	(0..ASKS)
		.map(|i| {
			let cores = 1 + i % 16;
			let gpus = if i % 300 == 7 { 8 } else { 0 };
			let per_second = u128::from(1 + (i * 7_919) % 1_000) * 1_000_000_000;
			order(i, Side::Ask, per_second, cores, gpus, 100 + (i * 31) % 1_000)
		})
		.collect()
}

/// Bids of every kind: (what it shows, the bid).
fn bids() -> Vec<(&'static str, Order)> {
	let dear = 2_000 * 1_000_000_000;
	vec![
		("an easy bid: the cheapest asks answer it", order(ASKS, Side::Bid, dear, 1, 0, 1)),
		("eight GPUs: one ask in 300 has them", order(ASKS + 1, Side::Bid, dear, 4, 8, 1)),
		("many cores and much storage", order(ASKS + 2, Side::Bid, dear, 16, 0, 1_050)),
		(
			"a cheap bid: few asks it can afford",
			order(ASKS + 3, Side::Bid, 30 * 1_000_000_000, 2, 0, 1),
		),
		("nothing matches", order(ASKS + 4, Side::Bid, dear, 17, 0, 1)),
	]
}

fn book() -> BlockRecord {
	let orders = asks().into_iter().chain(bids().into_iter().map(|(_, bid)| bid));
	let facts = orders
		.enumerate()
		.map(|(i, order)| {
			(
				i as u64,
				Fact::OrderPlaced {
					id: order.id,
					author: order.author.clone(),
					side: order.side.to_string(),
					order: Some(order),
				},
			)
		})
		.collect();
	BlockRecord { number: 0, hash: format!("0x{:064x}", 1), time: TIME, events: 0, facts }
}

/// The answer of a full scan: every ask through the shared rules, cheapest first.
async fn full_scan(client: &Client, bid: &Order, limit: usize) -> Vec<u64> {
	let asks = asks();
	let refs: Vec<&Order> = asks.iter().collect();
	let mut facts = Facts::default();
	let verdicts = client.check_matches(&refs, bid, TIME, &mut facts, None).await.unwrap();
	let mut matching: Vec<&Order> = asks
		.iter()
		.zip(verdicts)
		.filter(|(_, v)| v.is_ok())
		.map(|(ask, _)| ask)
		.collect();
	matching.sort_by_key(|ask| (ask.price.per_second, ask.id));
	matching.into_iter().take(limit).map(|ask| ask.id).collect()
}

async fn check(url: &str, chain: &DevChain) {
	let store = Store::open(url).await.expect("the database");
	write_block(&store, "0xsynthetic", &book()).await.expect("the book written");
	let client = Client::connect(&chain.url()).await.expect("the node");
	let follow = FollowState::new();
	// The synthetic block is not the node's: the facts are its finalized head's.
	let (number, hash) = client.finalized_block().await.unwrap();
	follow.mark_indexed(number, &format!("{hash:?}"));
	*follow.client.write().await = Some(client.clone());
	let router = api::router(ApiState::new(store, follow), IndexerMetrics::new(), 10);
	let bound = sonm_service::serve("api", "127.0.0.1:0".parse().unwrap(), router)
		.await
		.unwrap();
	let api = IndexerClient::new(&format!("http://{bound}"));
	for (what, bid) in bids() {
		for limit in [1usize, 10, 100] {
			let answer: Vec<IndexedOrder> = api
				.get(&format!("/orders/{}/matches", bid.id), &[("limit", limit.to_string())])
				.await
				.unwrap();
			let answer: Vec<u64> = answer.iter().map(|ask| ask.order.id).collect();
			let expected = full_scan(&client, &bid, limit).await;
			assert_eq!(answer, expected, "{url}: {what}, limit {limit}");
			if what != "nothing matches" {
				assert!(!expected.is_empty(), "{what}: the book has matches for it");
			}
		}
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn matches_answer_as_a_full_scan_of_the_book() {
	let chain = DevChain::start();
	let postgres = PostgresServer::start();
	let sqlite = format!("sqlite://{}/matches.sqlite", chain.dir.path().display());
	check(&sqlite, &chain).await;
	check(&postgres.url("matches"), &chain).await;
}
