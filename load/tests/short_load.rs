//! The CI load run: ten seconds of each workload against a real dev node (debug build). It
//! fails when nothing is included, when an extrinsic the pool accepted is lost (never included,
//! never reported invalid) or left unfinalized, or when a planned call fails; never on speed.

use sonm_load::{run, workload::Workload, LoadError, RunOptions};
use sonm_test_support::{workspace_bin, Node};
use std::time::Duration;

fn options(url: &str, workload: Workload) -> RunOptions {
	RunOptions {
		url: url.to_owned(),
		workload,
		duration: Duration::from_secs(10),
		rate: Some(150.0),
		count: None,
		window: 2_000,
		backlog: Some(2),
		orders_per_batch: sonm_load::workload::DEFAULT_ORDERS_PER_BATCH,
		drain: Duration::from_secs(90),
		session_length: None,
		funders: sonm_load::accounts::default_funders(),
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_seconds_of_each_workload_lose_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&workspace_bin("sonm-node"), dir.path(), "dev", &["--dev"]);
	let url = node.url();
	for (k, workload) in Workload::ALL.into_iter().enumerate() {
		// The first run sets production's session length by the dev chain's council (Alice);
		// every report reads it from the chain.
		let session_length = (k == 0).then_some(1_800);
		let report = run(&RunOptions { session_length, ..options(&url, workload) })
			.await
			.unwrap_or_else(|e| panic!("{workload:?}: {e}"));
		println!("{}", report.text());
		let name = workload.name();
		assert_eq!(report.planned, 1_500, "{name}: 10 s at 150/s");
		assert!(report.included > 0, "{name}: nothing included");
		assert_eq!(report.lost, 0, "{name}: accepted extrinsics lost");
		assert!(report.rejected.is_empty(), "{name}: refused: {:?}", report.rejected);
		// Every accepted extrinsic ended finalized or invalid; none is left in between.
		let invalid: usize = report.invalid.values().sum();
		assert_eq!(report.finalized + invalid, report.accepted, "{name}: some never settled");
		assert!(report.failed.is_empty(), "{name}: planned calls failed: {:?}", report.failed);
		assert_eq!(report.succeeded, report.finalized, "{name}");
		assert!(report.node.is_some(), "{name}: the node's CPU and memory are read from /proc");
		assert_eq!(
			report.session_blocks, 1_800,
			"{name}: production's sessions, set by the first run"
		);
	}
}

#[tokio::test]
async fn only_loopback_is_loaded() {
	let refused = run(&options("ws://192.0.2.1:9944", Workload::Transfer)).await.err().unwrap();
	assert!(matches!(refused, LoadError::NotLoopback { .. }), "{refused}");
	let bad_rate =
		RunOptions { rate: Some(0.0), ..options("ws://127.0.0.1:9", Workload::Transfer) };
	assert!(matches!(run(&bad_rate).await.err().unwrap(), LoadError::Usage(_)));
}
