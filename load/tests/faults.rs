//! Faults on real processes under a steady market load (`sonm-load`): a validator of four
//! killed with SIGKILL and restarted, the dev node killed with SIGKILL and restarted on its base
//! path. Every node is stopped by its PID when the test ends, also when it fails.

use serde_json::Value;
use sonm_client::subxt::rpcs::{rpc_params, RpcClient};
use sonm_load::{report::Report, run, workload::Workload, RunOptions};
use sonm_test_support::{local_network, wait_until, workspace_bin, Node, PATIENCE};
use std::time::{Duration, Instant};

/// The tests here run one at a time: each puts a load on real nodes, and two at once on a
/// two-core machine would measure the machine, not the fault.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A steady load against `url`, low enough for debug-built nodes on two cores.
fn steady(url: &str, workload: Workload, seconds: u64, rate: f64) -> RunOptions {
	RunOptions {
		url: url.to_owned(),
		workload,
		duration: Duration::from_secs(seconds),
		rate: Some(rate),
		count: None,
		window: 2_000,
		backlog: Some(2),
		orders_per_batch: sonm_load::workload::DEFAULT_ORDERS_PER_BATCH,
		drain: Duration::from_secs(120),
		session_length: None,
		funders: sonm_load::accounts::default_funders(),
	}
}

async fn rpc(node: &Node) -> RpcClient {
	let deadline = Instant::now() + PATIENCE;
	loop {
		match RpcClient::from_insecure_url(node.url()).await {
			Ok(client) => return client,
			Err(error) if Instant::now() > deadline => panic!("{}: no RPC: {error}", node.name),
			Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
		}
	}
}

async fn finalized_number(client: &RpcClient) -> u64 {
	let head: Value = client
		.request("chain_getFinalizedHead", rpc_params![])
		.await
		.expect("a finalized head");
	let header: Value =
		client.request("chain_getHeader", rpc_params![head]).await.expect("its header");
	number_of(&header)
}

async fn best_number(client: &RpcClient) -> u64 {
	let header: Value =
		client.request("chain_getHeader", rpc_params![]).await.expect("the best header");
	number_of(&header)
}

fn number_of(header: &Value) -> u64 {
	let hex = header["number"].as_str().expect("a header has a number");
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("a hex number")
}

async fn block_hash(client: &RpcClient, number: u64) -> Option<String> {
	let hash: Value = client.request("chain_getBlockHash", rpc_params![number]).await.ok()?;
	hash.as_str().map(str::to_owned)
}

/// The block's extrinsics as the node serves them (hex).
async fn extrinsics(client: &RpcClient, hash: &str) -> Vec<Value> {
	let block: Value =
		client.request("chain_getBlock", rpc_params![hash]).await.expect("the block");
	block["block"]["extrinsics"]
		.as_array()
		.cloned()
		.expect("a block has extrinsics")
}

fn assert_nothing_lost(report: &Report) {
	println!("{}", report.text());
	assert!(report.included > 0, "the load was carried");
	assert_eq!(report.lost, 0, "accepted extrinsics lost");
	let invalid: usize = report.invalid.values().sum();
	assert_eq!(report.finalized + invalid, report.accepted, "every accepted extrinsic settled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_of_four_killed_under_load_catches_up_and_agrees() {
	let _turn = ONE_AT_A_TIME.lock().await;
	let dir = tempfile::tempdir().unwrap();
	let mut nodes = local_network(&workspace_bin("sonm-node"), dir.path());
	let alice = rpc(&nodes[0]).await;
	wait_until("finality on four validators", || async { finalized_number(&alice).await >= 2 })
		.await;

	let load = spawn_load(steady(&nodes[0].url(), Workload::PlaceOrder, 60, 20.0));
	// Some load in finalized blocks first, then Dave crashes.
	let started = finalized_number(&alice).await;
	wait_until("the load in finalized blocks", || async {
		finalized_number(&alice).await >= started + 8
	})
	.await;
	nodes[3].kill();
	let at_kill = finalized_number(&alice).await;
	println!("dave killed at finalized #{at_kill}");
	wait_until("finality going on without dave", || async {
		finalized_number(&alice).await >= at_kill + 5
	})
	.await;

	nodes[3].restart();
	let dave = rpc(&nodes[3]).await;
	let target = finalized_number(&alice).await;
	wait_until("dave catching up", || async { finalized_number(&dave).await >= target }).await;
	println!("dave caught up to finalized #{target}");

	let report = tokio::task::spawn_blocking(move || load.join())
		.await
		.expect("joined")
		.expect("the load thread")
		.expect("the load ran");
	assert_nothing_lost(&report);

	// Every validator agrees on every finalized block.
	let mut clients = vec![alice];
	for node in &nodes[1..] {
		clients.push(rpc(node).await);
	}
	let mut common = u64::MAX;
	for client in &clients {
		common = common.min(finalized_number(client).await);
	}
	for number in 1..=common {
		let reference = block_hash(&clients[0], number).await;
		for (client, node) in clients.iter().zip(&nodes).skip(1) {
			assert_eq!(
				block_hash(client, number).await,
				reference,
				"{} differs at #{number}",
				node.name
			);
		}
	}
	println!("four validators agree on blocks 1..={common}");
	for node in &mut nodes {
		assert!(node.is_running(), "{} runs", node.name);
	}
}

/// Runs a load on a thread of its own (the load's future is not `Send`), returning its report
/// when joined.
fn spawn_load(
	options: RunOptions,
) -> std::thread::JoinHandle<Result<Report, sonm_load::LoadError>> {
	std::thread::spawn(move || {
		let runtime = tokio::runtime::Runtime::new().expect("a runtime for the load");
		runtime.block_on(run(&options))
	})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_node_killed_under_load_keeps_every_finalized_block() {
	let _turn = ONE_AT_A_TIME.lock().await;
	let dir = tempfile::tempdir().unwrap();
	let mut node = Node::start(&workspace_bin("sonm-node"), dir.path(), "dev", &["--dev"]);
	let client = rpc(&node).await;
	// The load's thread ends by itself once its node is gone.
	let _load = spawn_load(steady(&node.url(), Workload::Transfer, 120, 40.0));
	// Wait until the load fills finalized blocks, then read them all and crash the node.
	let started = finalized_number(&client).await;
	wait_until("load in finalized blocks", || async {
		finalized_number(&client).await >= started + 8
	})
	.await;
	let finalized = finalized_number(&client).await;
	let mut kept = Vec::new();
	for number in 1..=finalized {
		let hash = block_hash(&client, number).await.expect("a finalized block's hash");
		let body = extrinsics(&client, &hash).await;
		kept.push((number, hash, body));
	}
	node.kill();
	let carried: usize = kept.iter().map(|(_, _, body)| body.len().saturating_sub(1)).sum();
	println!("killed at finalized #{finalized}: {carried} extrinsics besides the timestamps");
	assert!(carried > 100, "the load was in the finalized blocks");

	node.restart();
	let client = rpc(&node).await;
	assert!(finalized_number(&client).await >= finalized, "no finalized block lost");
	for (number, hash, body) in &kept {
		assert_eq!(
			block_hash(&client, *number).await.as_ref(),
			Some(hash),
			"block #{number} differs"
		);
		assert_eq!(&extrinsics(&client, hash).await, body, "block #{number}'s extrinsics differ");
	}
	let best = best_number(&client).await;
	wait_until("blocks after the restart", || async { best_number(&client).await >= best + 2 })
		.await;
	// A fresh load after the restart is carried in full.
	let report = run(&steady(&node.url(), Workload::Transfer, 10, 40.0))
		.await
		.expect("the load ran");
	assert_nothing_lost(&report);
}
