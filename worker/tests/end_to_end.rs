//! A real `sonm-worker` process against a real `sonm-node --dev`, the customers acting with the
//! real `sonm` CLI: the worker places its plans' asks; a matching bid becomes a deal opened by
//! the worker within two blocks; the worker bills it; a customer's early close of a spot deal
//! frees the plan and a new ask appears, as does an ask cancelled behind the worker's back; bids
//! the worker cannot serve (too demanding, too
//! cheap, blacklisting the supplier) are left alone. Then the worker is killed with `kill -9`
//! while a forward deal is open and restarted: the same asks (no duplicates), the deal billed
//! again, and closed at its end with the plan offered again. A second test: a master with two
//! workers (one confirmed with the CLI, one by the master's own worker from its configuration),
//! whose deals pay the master.

mod support;

use serde_json::Value;
use support::{wait_for, worker_config, Chain, WorkerProcess};

const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
const EVE: &str = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw";
const FERDIE: &str = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL";

const PLANS: &str = r#"
[[plans]]
name = "forward"
cpu_cores = 1
ram = "256 MiB"
price = "0.36 SNM/h"
duration = "2m"
netflags = ["outbound"]

[[plans]]
name = "spot"
cpu_cores = 1
ram = "256 MiB"
price = "0.18 SNM/h"
duration = "spot"
netflags = ["outbound"]
"#;

fn tags(asks: &[Value]) -> Vec<String> {
	let mut tags: Vec<String> =
		asks.iter().map(|ask| ask["tag"].as_str().unwrap().into()).collect();
	tags.sort();
	tags
}

fn paid(deal: &Value) -> u128 {
	deal["paid"].as_str().unwrap().parse().unwrap()
}

#[test]
fn a_worker_sells_bills_survives_kill_9_and_closes_at_the_end() {
	let chain = Chain::start();
	let config = worker_config(&chain, "charlie", "//Charlie", "", PLANS);
	let mut worker = WorkerProcess::start(chain.dir.path(), "charlie", &config);

	// Metrics and health from the first second, before the chain work is done.
	let metrics = wait_for("the metrics endpoint", || {
		Some(worker.http_get("/metrics")).filter(|text| text.contains("sonm_worker_open_asks"))
	});
	assert!(metrics.contains("sonm_worker_match_latency_seconds_bucket"));

	// The plans' asks appear.
	let asks = wait_for("both plans' asks", || {
		Some(chain.asks_of(CHARLIE)).filter(|asks| asks.len() == 2)
	});
	assert_eq!(tags(&asks), ["forward", "spot"]);
	assert!(worker.http_get("/health").starts_with("HTTP/1.0 200"));

	// Bids the worker cannot serve: too demanding, too cheap, blacklisting the supplier.
	let (demanding, _) = chain.bid(
		"eve",
		&["--price", "1 SNM/h", "--duration", "1m", "--resource", "cpu-cores=8", "--outbound"],
	);
	let (cheap, _) = chain.bid("eve", &["--price", "0.01 SNM/h", "--duration", "1m", "--outbound"]);
	chain.json(&["--from", "ferdie", "blacklist", "add", CHARLIE]);
	let (blocked, _) =
		chain.bid("ferdie", &["--price", "1 SNM/h", "--duration", "1m", "--outbound"]);

	// A matching forward bid: the worker opens the deal within two blocks.
	let (forward, bid) = chain.bid(
		"bob",
		&["--price", "0.4 SNM/h", "--duration", "90s", "--resource", "cpu-cores=1", "--outbound"],
	);
	let deal = wait_for("the forward deal", || chain.deal(forward));
	let placed = bid["placedAt"].as_u64().unwrap();
	let opened = deal["start"].as_u64().unwrap();
	let blocks = (opened - placed) / 2;
	eprintln!("bid placed at {placed}, deal opened at {opened}: {blocks} block(s) later");
	assert!(blocks <= 2, "the deal opened {blocks} blocks after the bid");
	assert_eq!(deal["supplier"], CHARLIE);
	assert_eq!(deal["price"]["perSecond"], "100000000000000", "the ask's price: 0.36 SNM/h");

	// The worker bills it.
	wait_for("a bill of the forward deal", || chain.deal(forward).filter(|d| paid(d) > 0));

	// A spot deal closed early by the customer frees the plan: a new spot ask appears.
	let spot_ask = asks.iter().find(|a| a["tag"] == "spot").unwrap()["id"].as_u64().unwrap();
	let (spot, _) =
		chain.bid("dave", &["--price", "0.2 SNM/h", "--duration", "spot", "--outbound"]);
	wait_for("the spot deal", || chain.deal(spot));
	chain.json(&["--from", "dave", "deals", "close", &spot.to_string()]);
	let new_spot = wait_for("a new spot ask", || {
		chain.asks_of(CHARLIE).into_iter().find(|a| a["tag"] == "spot")
	});
	assert_ne!(new_spot["id"].as_u64().unwrap(), spot_ask, "a new ask, not the consumed one");

	// An ask cancelled behind the worker's back is placed again.
	let spot_ask = new_spot["id"].as_u64().unwrap();
	chain.json(&["--from", "charlie", "orders", "cancel", &spot_ask.to_string()]);
	wait_for("the cancelled ask placed again", || {
		chain
			.asks_of(CHARLIE)
			.into_iter()
			.find(|a| a["tag"] == "spot" && a["id"].as_u64() != Some(spot_ask))
	});

	// The bids it cannot serve are still open, untouched.
	for id in [demanding, cheap, blocked] {
		let order = chain.json(&["orders", "show", &id.to_string()]);
		assert_eq!(order["id"].as_u64(), Some(id), "bid {id} is still open");
	}

	// kill -9 with the forward deal open, and start again.
	let before: Vec<u64> =
		chain.asks_of(CHARLIE).iter().map(|a| a["id"].as_u64().unwrap()).collect();
	let paid_before = paid(&chain.deal(forward).expect("the forward deal is open"));
	worker.kill_hard();
	let mut worker = WorkerProcess::start(chain.dir.path(), "charlie", &config);
	wait_for("a bill after the restart", || {
		chain.deal(forward).filter(|deal| paid(deal) > paid_before)
	});
	let after: Vec<u64> =
		chain.asks_of(CHARLIE).iter().map(|a| a["id"].as_u64().unwrap()).collect();
	assert_eq!(after, before, "the same asks after the restart: nothing placed twice");

	// The forward deal is closed at its end, and its plan offered again.
	wait_for("the forward deal's close", || chain.deal(forward).is_none().then_some(()));
	let asks = wait_for("the forward plan's new ask", || {
		Some(chain.asks_of(CHARLIE)).filter(|asks| asks.len() == 2)
	});
	assert_eq!(tags(&asks), ["forward", "spot"], "one ask per plan, no duplicates");

	// SIGTERM: the worker finishes its pass and exits 0; started again, it places nothing twice.
	let ids =
		|asks: Vec<Value>| -> Vec<u64> { asks.iter().filter_map(|a| a["id"].as_u64()).collect() };
	let before = ids(asks);
	assert_eq!(worker.stop(), Some(0), "a clean stop on SIGTERM");
	let restarted = WorkerProcess::start(chain.dir.path(), "charlie", &config);
	wait_for("the restarted worker's health", || {
		restarted.http_get("/health").contains("running").then_some(())
	});
	chain.wait_blocks(3);
	assert_eq!(ids(chain.asks_of(CHARLIE)), before, "the same asks after a clean stop");
}

#[test]
fn a_masters_workers_deals_pay_the_master() {
	let chain = Chain::start();
	let plan = |name: &str, price: &str| {
		format!(
			"[[plans]]\nname = \"{name}\"\ncpu_cores = 1\nprice = \"{price}\"\n\
			 duration = \"1h\"\n"
		)
	};
	let master = format!("master = \"{DAVE}\"");
	let charlie = worker_config(&chain, "charlie", "//Charlie", &master, &plan("c", "0.36 SNM/h"));
	let eve = worker_config(&chain, "eve", "//Eve", &master, &plan("e", "0.72 SNM/h"));
	// Dave's own worker confirms Eve (`master.accept_workers`); Charlie he confirms by hand.
	let accept = format!("[master]\naccept_workers = [\"{EVE}\"]\n");
	let dave = worker_config(&chain, "dave", "//Dave", "", &(accept + &plan("d", "0.36 SNM/h")));
	let _dave = WorkerProcess::start(chain.dir.path(), "dave", &dave);
	let _charlie = WorkerProcess::start(chain.dir.path(), "charlie", &charlie);
	let _eve = WorkerProcess::start(chain.dir.path(), "eve", &eve);

	wait_for("both join requests", || {
		let list = chain.json(&["worker", "list", DAVE]);
		let workers = list["workers"].as_array().cloned().unwrap_or_default();
		(workers.len() == 2).then_some(workers)
	});
	let is_confirmed = |worker: &str| {
		let list = chain.json(&["worker", "list", DAVE]);
		list["workers"]
			.as_array()
			.unwrap()
			.iter()
			.any(|w| w["worker"] == worker && w["confirmed"] == true)
	};
	wait_for("Dave's worker to confirm Eve", || is_confirmed(EVE).then_some(()));
	chain.json(&["--from", "dave", "worker", "confirm", CHARLIE]);
	assert!(is_confirmed(CHARLIE));

	// A deal on either pays the master.
	wait_for("both workers' asks", || {
		(chain.asks_of(CHARLIE).len() == 1 && chain.asks_of(EVE).len() == 1).then_some(())
	});
	let (on_charlie, _) = chain
		.bid("ferdie", &["--price", "0.5 SNM/h", "--duration", "1h", "--counterparty", CHARLIE]);
	let (on_eve, _) =
		chain.bid("bob", &["--price", "1 SNM/h", "--duration", "1h", "--counterparty", EVE]);
	for (id, supplier) in [(on_charlie, CHARLIE), (on_eve, EVE)] {
		let deal = wait_for("the deal", || chain.deal(id));
		assert_eq!(deal["supplier"], supplier);
		assert_eq!(deal["payee"], DAVE, "the master is paid");
		let billed = wait_for("a bill", || chain.deal(id).filter(|d| paid(d) > 0));
		assert_eq!(billed["payee"], DAVE);
	}
	let _ = FERDIE;
}
