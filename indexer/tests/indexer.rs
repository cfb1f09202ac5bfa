//! `sonm-indexer` against a real `sonm-node --dev` driven through the market (the load
//! generator's mixed workload and the CLI's deals, change requests, blacklists), into SQLite and
//! into a real PostgreSQL server: the two databases hold the same rows, both equal the chain's
//! own state at their block, the API answers the same from both and refuses bad requests by
//! name; `kill -9` at any point loses and doubles nothing; a node that goes away is waited for.

mod support;

use serde_json::Value;
use sonm_client::{
	indexer_api::{
		AccountEvent, ApiError, DealDetail, History, IndexedDeal, IndexedOrder, IndexerClient,
		MasternodeRecord, OracleQuote, Page, PriceIndex, SupplierRecord,
	},
	Client, Key,
};
use sonm_indexer::store::Store;
use sonm_test_support::{postgres::PostgresServer, wait_for, DevChain};
use support::*;

fn address(name: &str) -> String {
	Key::dev(name).expect("a dev account").address()
}

fn id(value: &Value) -> String {
	value["id"].as_u64().expect("an id").to_string()
}

/// Waits until every block the chain has now is final, and returns the last.
async fn settled(client: &Client) -> u64 {
	let (best, _) = client.best_block().await.expect("the best block");
	wait_for("the chain to finalize its best block", || async move {
		(finalized(client).await >= best).then_some(())
	})
	.await;
	best
}

/// The CLI's market moves the load does not make: asks with resources, a bid, a quick buy with a
/// change of terms, a bill, a close with blacklisting, blacklist subscriptions. Returns the
/// supplier's cheaper ask, the bid, and the deal.
fn cli_market(chain: &DevChain) -> (String, String, String) {
	let ask = |from: &str, price: &str, cores: &str| {
		let resources = format!("cpu-cores={cores}");
		id(&chain.json(&[
			"--from",
			from,
			"orders",
			"create",
			"--side",
			"ask",
			"--price",
			price,
			"--duration",
			"2h",
			"--resource",
			&resources,
			"--resource",
			"ram-size=8GiB",
			"--tag",
			"web",
		]))
	};
	let dear = ask("bob", "0.72 SNM/h", "8");
	let cheap = ask("dave", "0.36 SNM/h", "4");
	let (bid, _) = chain
		.bid("charlie", &["--price", "0.5 SNM/h", "--duration", "1h", "--resource", "cpu-cores=2"]);
	let deal =
		id(&chain.json(&["--from", "ferdie", "deals", "quick-buy", &dear, "--duration", "1h"]));
	chain.json(&["--from", "bob", "deals", "change", "create", &deal, "--duration", "30m"]);
	chain.json(&["--from", "ferdie", "deals", "change", "accept", &deal]);
	chain.json(&["--from", "eve", "deals", "bill", &deal]);
	chain.json(&["--from", "ferdie", "deals", "close", &deal, "--blacklist"]);
	chain.json(&["--from", "alice", "blacklist", "add", &address("eve")]);
	chain.json(&["--from", "eve", "blacklist", "subscribe", &address("alice")]);
	(cheap, bid.to_string(), deal)
}

/// What the API answers, the same from either database.
async fn check_api(api: &IndexerClient, cheap_ask: &str, bid: &str, deal: &str) {
	let get = |path: String, query: Vec<(&'static str, String)>| {
		let api = api.clone();
		async move { api.get::<Value>(&path, &query).await.unwrap_or_else(|e| panic!("{path}: {e}")) }
	};
	// Filters on the order's terms, sorting by price, paging with a total.
	let asks: Page<IndexedOrder> = api
		.get(
			"/orders",
			&[
				("side", "Ask".into()),
				("cpu_cores", "4..".into()),
				("tag", "web".into()),
				("sort", "price".into()),
				("count", "true".into()),
			],
		)
		.await
		.unwrap();
	assert_eq!(asks.total, Some(2));
	assert_eq!(asks.items[0].order.id.to_string(), cheap_ask, "the cheaper first");
	assert_eq!(asks.items[1].status, "Consumed");
	let mut seen = Vec::new();
	let mut cursor = None;
	loop {
		let mut query =
			vec![("limit", "7".to_owned()), ("sort", "price".into()), ("order", "desc".into())];
		query.extend(cursor.clone().map(|c| ("cursor", c)));
		let page: Page<IndexedOrder> = api.get("/orders", &query).await.unwrap();
		seen.extend(page.items.iter().map(|o| (o.order.price.per_second, o.order.id)));
		match page.next {
			Some(next) => cursor = Some(next),
			None => break,
		}
	}
	let all: Page<IndexedOrder> = api
		.get("/orders", &[("count", "true".into()), ("limit", "1".into())])
		.await
		.unwrap();
	assert_eq!(seen.len() as u64, all.total.unwrap(), "paging visits every order once");
	let mut sorted = seen.clone();
	sorted.sort_by(|a, b| b.cmp(a));
	assert_eq!(seen, sorted, "descending by price, then id");

	// The deal with its bills, its terms over time and its change request.
	let detail: DealDetail = api.get(&format!("/deals/{deal}"), &[]).await.unwrap();
	assert_eq!(detail.deal.status, "Closed");
	assert_eq!(detail.deal.close_reason.as_deref(), Some("ByCustomer"));
	assert!(detail.deal.blacklisted);
	assert!(detail.deal.refund.unwrap() > 0);
	assert!(detail.bills.len() >= 2, "the bill and the final one: {:?}", detail.bills);
	assert!(
		detail.bills.windows(2).all(|w| w[0].to == w[1].from),
		"bills cover the deal without gaps"
	);
	assert_eq!(detail.terms.len(), 2);
	assert_eq!(detail.terms[1].duration, 1800);
	assert_eq!(detail.changes[0].outcome, "Accepted");
	let bought_bid: IndexedOrder =
		api.get(&format!("/orders/{}", detail.deal.bid), &[]).await.unwrap();
	assert_eq!(bought_bid.order.tag, "web", "a quick buy's bid has its ask's terms");
	assert_eq!(bought_bid.order.duration, 3600);

	// The customer's history, the supplier's record, the account's trust events.
	let history: History = api
		.get(&format!("/accounts/{}/history", address("ferdie")), &[("period", "day".into())])
		.await
		.unwrap();
	let day = &history.periods[0];
	assert_eq!((day.deals_opened, day.deals_closed), (1, 1));
	let billed: u128 = detail.bills.iter().map(|b| b.amount + b.fee).sum();
	assert_eq!(day.paid_out, billed);
	assert_eq!(day.refunded, detail.deal.refund.unwrap());
	let record: SupplierRecord =
		api.get(&format!("/suppliers/{}", address("bob")), &[]).await.unwrap();
	assert_eq!((record.deals, record.closed_by_customer, record.blacklisted_after), (1, 1, 1));
	assert_eq!(record.earned, detail.deal.paid);
	assert_eq!(record.median_per_core_hour, Some(200_000_000_000_000 * 3_600 / 8));
	let events: Vec<AccountEvent> =
		api.get(&format!("/accounts/{}/events", address("eve")), &[]).await.unwrap();
	let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
	assert_eq!(names, ["Subscribed", "Blocked"]);

	// The asks that would match the bid, by the chain's own rules.
	let matches: Vec<IndexedOrder> = api.get(&format!("/orders/{bid}/matches"), &[]).await.unwrap();
	assert_eq!(
		matches.iter().map(|o| o.order.id.to_string()).collect::<Vec<_>>(),
		[cheap_ask.to_owned()]
	);

	let index: PriceIndex = api.get("/prices/index", &[("resource", "core".into())]).await.unwrap();
	assert!(index.series["all"].iter().map(|p| p.asks).sum::<u64>() >= 2);
	let masternodes: Vec<MasternodeRecord> = api.get("/masternodes", &[]).await.unwrap();
	assert_eq!(masternodes[0].account, address("alice"));
	assert!(masternodes[0].sessions_selected >= 1, "{masternodes:?}");
	let quotes: Vec<OracleQuote> =
		api.get("/prices/oracle", &[("currency", "Usd".into())]).await.unwrap();
	assert_eq!(quotes[0].snm_per_unit, 40 * 10u128.pow(18), "{quotes:?}");
	let open: Page<IndexedDeal> = api
		.get("/deals", &[("status", "Open".into()), ("count", "true".into())])
		.await
		.unwrap();
	assert_eq!(open.total.unwrap(), open.items.len() as u64);
	let openapi = get("/openapi.json".into(), vec![]).await;
	for route in sonm_client::indexer_api::routes() {
		assert!(openapi["paths"][route.path]["get"].is_object(), "{} in /openapi.json", route.path);
	}
}

/// A path, its query and the refusal's name.
type BadRequest<'a> = (String, &'a [(&'a str, &'a str)], &'a str);

/// Every route refuses bad parameters by name with a 400, and answers nothing else.
async fn check_bad_requests(api: &IndexerClient, bid: &str) {
	let bad: &[BadRequest] = &[
		("/orders".into(), &[("colour", "red")], "UnknownParameter"),
		("/orders".into(), &[("price", "9..3")], "RangeUpsideDown"),
		("/orders".into(), &[("limit", "1000000")], "LimitTooLarge"),
		("/orders".into(), &[("author", "alice")], "BadAddress"),
		("/orders".into(), &[("side", "Ask' OR '1'='1")], "BadValue"),
		("/orders".into(), &[("tag", "web'; DROP TABLE orders; --")], "BadValue"),
		("/orders".into(), &[("cursor", "1 OR 1=1~2")], "BadCursor"),
		("/orders/1; DROP TABLE orders".into(), &[], "BadValue"),
		(format!("/orders/{bid}/matches"), &[("limit", "0")], "BadValue"),
		("/deals".into(), &[("status", "Closed; DELETE FROM deals")], "BadValue"),
		("/deals".into(), &[("cpu_cores", "..x")], "BadValue"),
		("/deals/abc".into(), &[], "BadValue"),
		("/accounts/nobody/history".into(), &[], "BadAddress"),
		(format!("/accounts/{}/history", address("bob")), &[("period", "year")], "BadValue"),
		(format!("/accounts/{}/history", address("bob")), &[("time", "10..1")], "RangeUpsideDown"),
		(format!("/accounts/{}/events", address("bob")), &[("pallet", "Balances")], "BadValue"),
		("/suppliers/0x1234".into(), &[], "BadAddress"),
		(format!("/suppliers/{}", address("bob")), &[("x", "1")], "UnknownParameter"),
		("/prices/index".into(), &[("resource", "disk")], "BadValue"),
		("/prices/oracle".into(), &[("limit", "5000")], "LimitTooLarge"),
		("/masternodes".into(), &[("sort", "stake")], "UnknownParameter"),
		("/gateway/transfers".into(), &[("kind", "mint")], "BadValue"),
		("/status".into(), &[("verbose", "1")], "UnknownParameter"),
	];
	for (path, query, expected) in bad {
		let query: Vec<(&str, String)> = query.iter().map(|(k, v)| (*k, v.to_string())).collect();
		let error: ApiError = api.get::<Value>(path, &query).await.expect_err(path);
		assert_eq!(error.error, *expected, "{path} {query:?}: {}", error.message);
	}
	let missing = api.get::<Value>("/deals/999999", &[]).await.expect_err("no such deal");
	assert_eq!(missing.error, "NotFound");
	let not_a_bid = api.get::<Value>("/orders/0/matches", &[]).await.expect_err("an ask");
	assert!(["NotABid", "OrderNotActive"].contains(&not_a_bid.error.as_str()), "{not_a_bid:?}");
}

/// Alice, a masternode, feeds the oracle 40 SNM per USD from a local price source.
fn feed_price(chain: &DevChain) {
	let port = sonm_test_support::price_server(r#"{"sonm": {"usd": 0.025}}"#);
	let source = format!("http://127.0.0.1:{port}/simple/price#/sonm/usd");
	let http = chain.url().replace("ws://", "http://");
	let fed = std::process::Command::new(sonm_test_support::workspace_bin("sonm-bridge"))
		.args([
			"feed",
			"--once",
			"--url",
			&http,
			"--suri",
			"//Alice",
			"--source-usd-per-snm",
			&source,
		])
		.output()
		.expect("sonm-bridge runs");
	assert!(fed.status.success(), "{}", String::from_utf8_lossy(&fed.stderr));
}

/// `sonm history` and `sonm market prices` read the indexer; without one they say where they
/// looked.
fn check_cli(chain: &DevChain, indexer: &str, deal: &str) {
	let deals = chain.json(&["--indexer", indexer, "history", "deals", "ferdie"]);
	assert_eq!(deals["items"][0]["id"].to_string(), deal);
	assert_eq!(deals["items"][0]["blacklisted"], true);
	let orders = chain.json(&["--indexer", indexer, "history", "orders", "dave"]);
	assert_eq!(orders["items"][0]["status"], "Active");
	let payments =
		chain.json(&["--indexer", indexer, "history", "payments", "ferdie", "--period", "day"]);
	assert_eq!(payments["periods"][0]["dealsClosed"], 1);
	let prices = chain.json(&["--indexer", indexer, "market", "prices", "--resource", "memory"]);
	assert!(prices["series"]["all"][0]["asks"].as_u64().unwrap() >= 2, "{prices}");
	let human = chain.sonm(&["--indexer", indexer, "history", "deals", "ferdie"]);
	let text = String::from_utf8_lossy(&human.stdout);
	assert!(text.contains("ByCustomer+blacklist"), "{text}");
	let nowhere = chain.sonm(&["--indexer", "http://127.0.0.1:9", "history", "deals", "ferdie"]);
	assert_eq!(nowhere.status.code(), Some(3), "{}", String::from_utf8_lossy(&nowhere.stderr));
	assert!(String::from_utf8_lossy(&nowhere.stderr).contains("sonm-indexer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_and_postgres_hold_what_the_chain_says() {
	let chain = DevChain::start();
	let postgres = PostgresServer::start();
	let dir = chain.dir.path();
	let sqlite_url = format!("sqlite://{}/index/market.sqlite", dir.display());
	let postgres_url = postgres.url("indexer");
	let mut lite = Indexer::start(dir, "sqlite", &chain.url(), &sqlite_url, &[]).await;
	let mut pg = Indexer::start(dir, "postgres", &chain.url(), &postgres_url, &[]).await;
	let client = Client::connect(&chain.url()).await.expect("the node");

	let load = run_mixed_load(&chain.url(), 10, 30);
	let (cheap_ask, bid, deal) = cli_market(&chain);
	feed_price(&chain);
	finish(load, "the mixed workload");
	let last = settled(&client).await;
	lite.wait_for_block(last).await;
	pg.wait_for_block(last).await;

	for indexer in [&lite, &pg] {
		check_api(&indexer.api(), &cheap_ask, &bid, &deal).await;
		check_bad_requests(&indexer.api(), &bid).await;
	}
	check_cli(&chain, &lite.url, &deal);
	lite.stop();
	pg.stop();
	let lite_db = Store::open(&sqlite_url).await.expect("the SQLite file");
	let pg_db = Store::open(&postgres_url).await.expect("the PostgreSQL database");
	let up_to = lite_db
		.cursor()
		.await
		.unwrap()
		.unwrap()
		.block
		.min(pg_db.cursor().await.unwrap().unwrap().block);
	assert_same(&dump(&lite_db, up_to).await, &dump(&pg_db, up_to).await);
	let totals = check_against_chain(&lite_db, &client).await;
	assert_eq!(check_against_chain(&pg_db, &client).await, totals);
	assert!(
		totals.closed >= 10 && totals.bills >= 20 && totals.fees > 0,
		"a real workload: {totals:?}"
	);
	eprintln!("indexed and checked against the chain: {totals:?}");
}

/// The victim's status: (its block, the chain's finalized block).
async fn progress(indexer: &Indexer) -> Option<(u64, u64)> {
	let status = indexer
		.api()
		.get::<sonm_client::indexer_api::IndexerStatus>("/status", &[])
		.await
		.ok()?;
	Some((status.block?, status.finalized?))
}

/// Kills `victim` with SIGKILL as soon as it has written another block; returns how far behind
/// finality it was then.
async fn kill_after_progress(victim: &mut Indexer) -> u64 {
	let start = progress(victim).await.map(|(block, _)| block);
	let (block, finalized) = wait_for("the victim to write a block", || async {
		progress(victim).await.filter(|(block, _)| Some(*block) != start)
	})
	.await;
	victim.kill9();
	finalized.saturating_sub(block)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_backfill_and_in_live_following_loses_and_doubles_nothing() {
	let chain = DevChain::start();
	let dir = chain.dir.path();
	let client = Client::connect(&chain.url()).await.expect("the node");
	let reference_url = format!("sqlite://{}/reference.sqlite", dir.display());
	let victim_url = format!("sqlite://{}/victim.sqlite", dir.display());
	let reference = Indexer::start(dir, "reference", &chain.url(), &reference_url, &[]).await;

	// A history to backfill: the victim starts once the first workload is final.
	finish(run_mixed_load(&chain.url(), 10, 30), "the first workload");
	settled(&client).await;
	let mut victim =
		Indexer::start(dir, "victim", &chain.url(), &victim_url, &["--window", "1"]).await;
	for round in 0..3 {
		let behind = kill_after_progress(&mut victim).await;
		assert!(behind > 0, "kill {round} came during the backfill");
		victim.restart().await;
	}
	// Live: killed while the second workload runs and is followed.
	let load = run_mixed_load(&chain.url(), 20, 20);
	let caught_up = finalized(&client).await;
	victim.wait_for_block(caught_up).await;
	for _ in 0..3 {
		kill_after_progress(&mut victim).await;
		victim.restart().await;
	}
	finish(load, "the second workload");
	let last = settled(&client).await;
	reference.wait_for_block(last).await;
	victim.wait_for_block(last).await;
	drop(reference);
	victim.stop();

	let reference_db = Store::open(&reference_url).await.unwrap();
	let victim_db = Store::open(&victim_url).await.unwrap();
	let up_to = last;
	assert_same(&dump(&reference_db, up_to).await, &dump(&victim_db, up_to).await);
	let blocks = count(&victim_db, "blocks").await;
	assert_eq!(blocks, victim_db.cursor().await.unwrap().unwrap().block + 1, "every block once");
	let totals = check_against_chain(&victim_db, &client).await;
	assert!(totals.bills >= 20, "{totals:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_node_is_waited_for_and_followed_again_without_a_gap() {
	let mut chain = DevChain::start();
	let dir = chain.dir.path().to_owned();
	let db = format!("sqlite://{}/index.sqlite", dir.display());
	let indexer = Indexer::start(&dir, "indexer", &chain.url(), &db, &["--max-lag", "3"]).await;
	indexer.wait_for_block(3).await;
	let health = |indexer: &Indexer| {
		let url = format!("{}/health", indexer.url);
		async move {
			let response = reqwest::get(&url).await.ok()?;
			Some((response.status().as_u16(), response.text().await.ok()?))
		}
	};
	assert_eq!(health(&indexer).await.unwrap().0, 200);

	chain.node.stop();
	let (code, body) = wait_for("/health to say the node is gone", || async {
		health(&indexer).await.filter(|(_, body)| body.contains("does not answer"))
	})
	.await;
	assert_eq!(code, 503, "{body}");
	// The node stays away for a minute (the outage asked of this test), the indexer serving.
	tokio::time::sleep(std::time::Duration::from_secs(60)).await;
	assert_eq!(health(&indexer).await.unwrap().0, 503);
	let before = indexer.status().await.block.unwrap();

	chain.node.restart();
	let client = Client::connect(&chain.url()).await.expect("the node again");
	let target = finalized(&client).await + 3;
	indexer.wait_for_block(target).await;
	wait_for("/health to be 200 again", || async {
		health(&indexer).await.filter(|(code, _)| *code == 200)
	})
	.await;
	let metrics = reqwest::get(format!("{}/metrics", indexer.url))
		.await
		.unwrap()
		.text()
		.await
		.unwrap();
	for name in [
		"sonm_indexer_finalized_lag_blocks",
		"sonm_indexer_blocks_total",
		"sonm_indexer_blocks_per_second",
		"sonm_indexer_rows_written_total",
		"sonm_indexer_node_connected 1",
		"sonm_indexer_query_seconds_bucket{route=\"/status\"",
	] {
		assert!(metrics.contains(name), "{name} in /metrics:\n{metrics}");
	}
	drop(indexer);
	let store = Store::open(&db).await.unwrap();
	let cursor = store.cursor().await.unwrap().unwrap().block;
	assert!(cursor > before);
	assert_eq!(count(&store, "blocks").await, cursor + 1, "no block missing or written twice");
}
