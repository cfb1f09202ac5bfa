//! One extrinsic per deal, end to end: a real `sonm-node --dev`, two real `sonm-worker`s
//! running tasks on a real podman service, and Bob as the customer. Bob hands one signed bid
//! to both workers at once: exactly one opens the deal, the other is refused by name
//! (`SignedBidUsed`) with its ask still open. The loser then takes another bid of Bob's with
//! its task from `sonm deals request`: the deal opens and the task runs, in one command. Bids
//! the worker must not pay for are refused by name before anything reaches the chain:
//! replayed, altered, expired, handed over by someone else, with terms no order may have,
//! matching none of its asks, or with a task it would refuse.

mod support;

use serde_json::json;
use sonm_client::{
	runtime::runtime_types::{
		bounded_collections::bounded_vec::BoundedVec, pallet_market::types::OrderTerms,
	},
	signed_bid::SignedBid,
	task_client::{TaskClient, TaskError},
	task_protocol::{BidAnswer, BidTask, TaskSpec},
	Client, Key, Static,
};
use sonm_primitives::{
	market::{Price, PriceUnit, Side},
	IdentityLevel,
};
use std::time::{Duration, Instant};
use support::{free_port, tasks_section, wait_for, worker_config, Chain, Podman, WorkerProcess};

const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
const IMAGE: &str = "localhost/sonm-test-busybox:1";
/// Blocks in a production session (an hour of 2 s blocks).
const PRODUCTION_SESSION: u32 = 1_800;
/// 0.72 SNM an hour: over the workers' asks (0.36 SNM/h).
const BID_PER_SECOND: u128 = 200_000_000_000_000;

/// A bid for an hour of anything at [`BID_PER_SECOND`].
fn bid_terms(per_second: u128) -> OrderTerms {
	OrderTerms {
		side: Static(Side::Bid),
		price: Static(Price { per_second, unit: PriceUnit::Snm }),
		duration: 3_600,
		counterparty: None,
		min_identity: Static(IdentityLevel::Anonymous),
		curator: None,
		tag: BoundedVec(Vec::new()),
		benchmarks: BoundedVec(vec![0; 12]),
		netflags: 0,
		expires_at: None,
	}
}

/// The refusal's name, or a panic naming what came instead.
fn refusal<T: std::fmt::Debug>(result: Result<T, TaskError>) -> String {
	match result {
		Err(TaskError::Refused { error, .. }) => error,
		other => panic!("expected a refusal, got {other:?}"),
	}
}

/// A task of `image` that sleeps.
fn task(image: &str) -> TaskSpec {
	TaskSpec {
		image: image.into(),
		command: vec!["sleep".into(), "1000".into()],
		..Default::default()
	}
}

/// A worker selling one plan (a core, 64 MiB, an hour, outbound) and running tasks on
/// `podman`, its control plane's URL.
fn worker(chain: &Chain, podman: &Podman, name: &str, address: &str) -> (WorkerProcess, String) {
	let control = free_port();
	let (tasks, _) = tasks_section(podman, control, IMAGE, "");
	let plan = "[[plans]]\nname = \"box\"\ncpu_cores = 1\nram = \"64 MiB\"\n\
	            price = \"0.36 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\"]\n";
	let uri = format!("//{}{}", name[..1].to_uppercase(), &name[1..]);
	let config = worker_config(chain, name, &uri, "", &format!("{plan}{tasks}"));
	let process = WorkerProcess::start(chain.dir.path(), name, &config);
	wait_for("the worker's ask", || (chain.asks_of(address).len() == 1).then_some(()));
	(process, format!("http://127.0.0.1:{control}"))
}

/// The ids of `author`'s open asks.
fn ask_ids(chain: &Chain, author: &str) -> Vec<u64> {
	chain
		.asks_of(author)
		.iter()
		.map(|ask| ask["id"].as_u64().expect("an id"))
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_bid_makes_one_deal_and_its_task_runs_at_once() {
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let chain = Chain::start();
	let (charlie, charlie_url) = worker(&chain, &podman, "charlie", CHARLIE);
	let (dave, dave_url) = worker(&chain, &podman, "dave", DAVE);
	let client = Client::connect(&chain.url()).await.expect("the node answers");
	let bob = Key::dev("bob").unwrap();
	let (_, now) = client.now().await.unwrap();

	// One bid, both workers at once: one deal, one clean loss.
	let bid = client.sign_bid(bid_terms(BID_PER_SECOND), 1, now + 300, &bob);
	let to_charlie = TaskClient::new(&charlie_url, bob.clone());
	let to_dave = TaskClient::new(&dave_url, bob.clone());
	let (charlie_answer, dave_answer) =
		tokio::join!(to_charlie.offer_bid(&bid, None), to_dave.offer_bid(&bid, None));
	let (won, lost, loser, loser_url): (BidAnswer, _, _, _) = match (charlie_answer, dave_answer) {
		(Ok(won), lost) => (won, lost, DAVE, dave_url.clone()),
		(lost, Ok(won)) => (won, lost, CHARLIE, charlie_url.clone()),
		(a, b) => panic!("neither worker opened the deal: {a:?}, {b:?}"),
	};
	assert_eq!(refusal(lost), "SignedBidUsed", "the loser is refused by the nonce's name");
	let deal = chain.deal(won.deal).expect("the deal is open");
	assert_eq!(deal["consumer"], bob.address());
	assert_eq!(deal["ask"], won.ask);
	let loser_asks = ask_ids(&chain, loser);
	assert_eq!(loser_asks.len(), 1, "the loser's ask is still open");

	// The same bid again, to either: used.
	assert_eq!(refusal(to_charlie.offer_bid(&bid, None).await), "SignedBidUsed");
	// Altered after signing (a lower price): not Bob's signature.
	let mut altered: SignedBid = client.sign_bid(bid_terms(BID_PER_SECOND), 2, now + 300, &bob);
	altered.terms.price = Static(Price { per_second: BID_PER_SECOND / 2, unit: PriceUnit::Snm });
	let to_loser = TaskClient::new(&loser_url, bob.clone());
	assert_eq!(refusal(to_loser.offer_bid(&altered, None).await), "BadBidSignature");
	// Expired.
	let expired = client.sign_bid(bid_terms(BID_PER_SECOND), 3, now.saturating_sub(1), &bob);
	assert_eq!(refusal(to_loser.offer_bid(&expired, None).await), "SignedBidExpired");
	// Bob's bid handed over by Eve.
	let fresh = client.sign_bid(bid_terms(BID_PER_SECOND), 4, now + 300, &bob);
	let eve = TaskClient::new(&loser_url, Key::dev("eve").unwrap());
	assert_eq!(refusal(eve.offer_bid(&fresh, None).await), "NotTheCustomer");
	// Terms no order may have (fewer than the standard benchmarks).
	let mut short = bid_terms(BID_PER_SECOND);
	short.benchmarks = BoundedVec(vec![0; 3]);
	let short = client.sign_bid(short, 6, now + 300, &bob);
	assert_eq!(refusal(to_loser.offer_bid(&short, None).await), "BadBenchmarks");
	// Under every ask's price.
	let cheap = client.sign_bid(bid_terms(1), 5, now + 300, &bob);
	assert_eq!(refusal(to_loser.offer_bid(&cheap, None).await), "NoMatchingAsk");
	// A task the worker would refuse: the bid is refused with it, before any deal is paid for,
	// and its nonce stays unused.
	let with_task = client.sign_bid(bid_terms(BID_PER_SECOND), 7, now + 300, &bob);
	let not_allowed = task("localhost/not-allowed:1");
	let refused = to_loser.offer_bid(&with_task, Some(not_allowed)).await;
	assert_eq!(refusal(refused), "ImageNotAllowed");
	assert_eq!(refusal(to_loser.offer_bid(&with_task, Some(task(" "))).await), "BadTask");
	let mut relative_volume = task(IMAGE);
	relative_volume.volume = Some("data".into());
	assert_eq!(refusal(to_loser.offer_bid(&with_task, Some(relative_volume)).await), "BadTask");
	assert!(!client.signed_bid_used(&bob.account_id(), 7).await.unwrap(), "nonce 7 unused");
	assert_eq!(ask_ids(&chain, loser), loser_asks, "nothing refused touched the loser's ask");

	// The loser takes a bid of Bob's from the CLI with its task: the deal opens and the task
	// runs, in one command.
	let started = Instant::now();
	let answer = chain.json(&[
		"--from",
		"bob",
		"deals",
		"request",
		"--worker",
		&loser_url,
		"--side",
		"bid",
		"--price",
		"0.72 SNM/h",
		"--duration",
		"1h",
		"--valid-for",
		"2m",
		"--image",
		IMAGE,
		"--",
		"sleep",
		"1000",
	]);
	let deal = answer["deal"].as_u64().expect("a deal id");
	assert_eq!(answer["ask"], json!(loser_asks[0]));
	assert_eq!(chain.deal(deal).expect("open")["consumer"], bob.address());
	assert_eq!(answer["task"]["started"]["status"], "running", "{answer}");
	assert_eq!(answer["task"]["started"]["consumer"], bob.address(), "{answer}");
	let state = to_loser.status(deal).await.expect("the task's state");
	// The loser's metrics count the deal it opened and the bids it refused.
	let loser_process = if loser == DAVE { &dave } else { &charlie };
	let metrics = loser_process.http_get("/metrics");
	let value = |name: &str| {
		let line = metrics.lines().find(|line| line.starts_with(name)).unwrap_or_default();
		line.rsplit(' ').next().and_then(|v| v.parse::<u64>().ok()).unwrap_or_default()
	};
	assert_eq!(value("sonm_worker_signed_bids_opened_total "), 1, "{metrics}");
	assert!(value("sonm_worker_signed_bids_refused_total ") >= 5, "{metrics}");
	assert_eq!(state.task.expect("a task").status, "running");
	eprintln!("sonm deals request to a running task: {:?}", started.elapsed());
	to_loser.stop(deal).await.expect("stopped");

	// A task only its deal's limits refuse (a volume, on a plan that sells no storage): the deal
	// opens, and the answer names why its task did not start.
	chain.json(&["--from", "bob", "deals", "close", &deal.to_string()]);
	wait_for("the loser's ask again", || (chain.asks_of(loser).len() == 1).then_some(()));
	let (_, now) = client.now().await.unwrap();
	let bid = client.sign_bid(bid_terms(BID_PER_SECOND), 8, now + 300, &bob);
	let mut with_volume = task(IMAGE);
	with_volume.volume = Some("/data".into());
	let answer = to_loser.offer_bid(&bid, Some(with_volume)).await.expect("a deal");
	assert_eq!(chain.deal(answer.deal).expect("open")["consumer"], bob.address());
	match answer.task {
		Some(BidTask::Refused(refusal)) => assert_eq!(refusal.error, "NoStorage", "{refusal:?}"),
		other => panic!("expected the task refused for its volume, got {other:?}"),
	}
}

/// Bids that reach a worker together go to the chain together: three handed over at once to a
/// worker with three asks open three deals, one on each ask, in at most two extrinsics (the
/// first goes alone, the two that arrive while it is on its way go in the next), where one bid
/// an extrinsic would take three blocks.
#[tokio::test(flavor = "multi_thread")]
async fn bids_that_arrive_together_open_their_deals_together() {
	let podman = Podman::start();
	let chain = Chain::start();
	let control = free_port();
	let (tasks, _) = tasks_section(&podman, control, IMAGE, "");
	let plans: String = ["a", "b", "c"]
		.iter()
		.map(|name| {
			format!(
				"[[plans]]\nname = \"box-{name}\"\ncpu_cores = 1\nram = \"64 MiB\"\n\
				 price = \"0.36 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\"]\n"
			)
		})
		.collect();
	// Three one-core plans: more than this machine's two cores, so the worker takes the
	// fixture machine for its inventory (no task runs here).
	let config = worker_config(&chain, "charlie", "//Charlie", "", &format!("{plans}{tasks}"))
		.replacen("cpu_cores = 2\n", "cpu_cores = 3\n", 1);
	let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/box-64-core-4-gpu");
	let env = [(sonm_worker::inventory::INVENTORY_ROOT, fixture)];
	let charlie = WorkerProcess::start_with(chain.dir.path(), "charlie", &config, &env);
	wait_for("the worker's three asks", || (chain.asks_of(CHARLIE).len() == 3).then_some(()));
	let asks = ask_ids(&chain, CHARLIE);
	let client = Client::connect(&chain.url()).await.expect("the node answers");
	let bob = Key::dev("bob").unwrap();
	let (_, now) = client.now().await.unwrap();
	let to_charlie = TaskClient::new(&format!("http://127.0.0.1:{control}"), bob.clone());
	let bids: Vec<SignedBid> = (21..24)
		.map(|nonce| client.sign_bid(bid_terms(BID_PER_SECOND), nonce, now + 300, &bob))
		.collect();
	let answers =
		futures::future::join_all(bids.iter().map(|bid| to_charlie.offer_bid(bid, None))).await;
	let answers: Vec<BidAnswer> =
		answers.into_iter().map(|answer| answer.expect("a deal for each bid")).collect();
	let mut on_asks: Vec<u64> = answers.iter().map(|answer| answer.ask).collect();
	on_asks.sort();
	assert_eq!(on_asks, asks, "one deal on each ask");
	for answer in &answers {
		assert_eq!(chain.deal(answer.deal).expect("open")["consumer"], bob.address());
	}
	let mut blocks: Vec<u64> = answers.iter().map(|answer| answer.block_number).collect();
	blocks.dedup();
	blocks.sort();
	blocks.dedup();
	assert!(blocks.len() <= 2, "three deals in the blocks {blocks:?}: not carried together");
	let metrics = charlie.http_get("/metrics");
	assert!(metrics.contains("sonm_worker_signed_bids_opened_total 3"), "{metrics}");
}

/// A load run, not a test (`cargo test -p sonm-worker --test signed_bids -- --ignored
/// --nocapture`): from handing a signed bid with its task to the worker to the task running
/// (one request), 20 times on one worker, each deal closed and the worker's ask placed again in between. A
/// customer comes at any moment of a block's 2 s: the k-th bid is handed over k x 100 ms after
/// a slot's start (Aura's slots start at multiples of 2 s of the wall clock), so that the 20
/// cover the slot evenly instead of all arriving just after a block.
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn signed_bid_to_running_task_latency() {
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let chain = Chain::start();
	let (_charlie, url) = worker(&chain, &podman, "charlie", CHARLIE);
	let client = Client::connect(&chain.url()).await.expect("the node answers");
	// Production's hour-long sessions: a session's last block takes no transactions
	// (`pallet_session` weighs its rotation as a whole block), which on the dev preset's 10-block
	// sessions is one block in ten, and a bid due in it waits a slot more.
	let alice = Key::dev("alice").unwrap();
	client
		.set_session_length(PRODUCTION_SESSION, &[alice])
		.await
		.expect("sessions set");
	let bob = Key::dev("bob").unwrap();
	let to_charlie = TaskClient::new(&url, bob.clone());
	let mut whole = Vec::new();
	for nonce in 0..20u64 {
		wait_for("the worker's ask", || (chain.asks_of(CHARLIE).len() == 1).then_some(()));
		let (_, now) = client.now().await.unwrap();
		let bid = client.sign_bid(bid_terms(BID_PER_SECOND), nonce, now + 300, &bob);
		let since_epoch = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.unwrap()
			.as_millis() as u64;
		let wait = (nonce * 100 + 2_000 - since_epoch % 2_000) % 2_000;
		tokio::time::sleep(Duration::from_millis(wait)).await;
		// The bid with its task, in one request: answered once the task runs.
		let started = Instant::now();
		let answer = to_charlie.offer_bid(&bid, Some(task(IMAGE))).await.expect("a deal");
		whole.push(started.elapsed());
		match answer.task {
			Some(BidTask::Started(task)) => assert_eq!(task.status, "running"),
			other => panic!("deal {} without its task running: {other:?}", answer.deal),
		}
		chain.json(&["--from", "bob", "deals", "close", &answer.deal.to_string()]);
	}
	whole.sort();
	let ms = |d: Duration| d.as_millis();
	eprintln!(
		"signed bid with its task to the task running, over 20 deals (sessions of \
		 {PRODUCTION_SESSION} blocks): p50 {} ms, p95 {} ms, max {} ms",
		ms(whole[9]),
		ms(whole[18]),
		ms(whole[19])
	);
	// The worker's own account of each: the deal in a block, then the task running.
	let log = std::fs::read_to_string(chain.dir.path().join("charlie.log")).unwrap_or_default();
	let wanted = ["deal opened from a signed bid", "the signed bid's task started"];
	for line in log.lines().filter(|line| wanted.iter().any(|w| line.contains(w))) {
		eprintln!("  {}", line.split_once("INFO").map_or(line, |(_, rest)| rest));
	}
}
