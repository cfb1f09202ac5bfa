//! Liveness with real price feeders: the four validators of `--chain local` (sessions of 10
//! blocks, 20 s), each with its own `sonm-bridge feed` process feeding every 60 s (the
//! feeder's default, as in production), started 15 s apart as on four machines. Feeding is
//! judged over the masternodes' feed window (three feeding intervals), so for ten sessions
//! after the window first applies nobody is marked offline and the set stays four. (Judged per
//! session, as before, one feeder's first feed marked the other three `NoFeeds` at once.)

mod common;

use common::{NodeProcess, Rpc};
use jsonrpsee::rpc_params;
use sonm_test_support::price_server;
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// `sonm-bridge`, built by `build_workspace` (scripts/env.sh) beside the node:
/// `$CARGO_TARGET_DIR/debug/sonm-node` → `$CARGO_TARGET_DIR/debug/sonm-bridge`.
fn bridge_bin() -> PathBuf {
	let bin = Path::new(common::NODE_BIN).with_file_name("sonm-bridge");
	assert!(
		bin.exists(),
		"{} is missing: run `build_workspace` (scripts/env.sh) first",
		bin.display()
	);
	bin
}

/// A `sonm-bridge feed` process, killed (by its PID) when dropped; its log is printed when the
/// test fails.
struct Feeder {
	child: Child,
	log: PathBuf,
}

impl Feeder {
	fn start(dir: &Path, name: &str, rpc_port: u16, source: &str) -> Self {
		let log = dir.join(format!("feeder-{name}.log"));
		let file = std::fs::File::create(&log).expect("feeder log");
		let child = Command::new(bridge_bin())
			.args(["--metrics", &format!("127.0.0.1:{}", common::free_port())])
			.args(["feed", "--url", &format!("http://127.0.0.1:{rpc_port}")])
			.args(["--suri", &format!("//{}", capitalized(name))])
			.args(["--source-usd-per-snm", source])
			.env("RUST_LOG", "info")
			.stdin(Stdio::null())
			.stdout(file.try_clone().expect("log handle"))
			.stderr(file)
			.spawn()
			.expect("sonm-bridge starts");
		Self { child, log }
	}
}

impl Feeder {
	/// SIGTERM, as a service manager stops it; its exit code (`None` when a signal ended it).
	fn stop(&mut self) -> Option<i32> {
		// SAFETY: signalling our own child by its PID.
		unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
		let deadline = Instant::now() + common::PATIENCE;
		loop {
			if let Some(status) = self.child.try_wait().expect("a status") {
				return status.code();
			}
			assert!(Instant::now() < deadline, "the feeder did not stop on SIGTERM");
			std::thread::sleep(Duration::from_millis(50));
		}
	}
}

impl Drop for Feeder {
	fn drop(&mut self) {
		if std::thread::panicking() {
			let log = std::fs::read_to_string(&self.log).unwrap_or_default();
			eprintln!("---- {} ----\n{log}", self.log.display());
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn capitalized(name: &str) -> String {
	let mut chars = name.chars();
	chars
		.next()
		.map(|first| first.to_uppercase().chain(chars).collect())
		.unwrap_or_default()
}

/// The current session's index.
async fn session(rpc: &Rpc) -> u32 {
	let session = rpc.call("masternodes_session", rpc_params![]).await.expect("session");
	session["index"].as_u64().expect("an index") as u32
}

/// (members of the active set, masternodes marked offline).
async fn liveness(rpc: &Rpc) -> (usize, Vec<String>) {
	let set = rpc.call("masternodes_activeSet", rpc_params![]).await.expect("active set");
	let list = rpc.call("masternodes_list", rpc_params![]).await.expect("masternodes");
	let offline = list
		.as_array()
		.expect("a list")
		.iter()
		.filter(|masternode| !masternode["offlineSince"].is_null())
		.map(|masternode| masternode["account"].as_str().unwrap_or_default().to_string())
		.collect();
	(set.as_array().expect("a list").len(), offline)
}

#[tokio::test(flavor = "multi_thread")]
async fn four_feeders_started_apart_keep_the_set_of_four_for_ten_sessions() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let names = ["alice", "bob", "charlie", "dave"];
	let nodes: Vec<NodeProcess> = common::local_network(
		dir.path(),
		&[("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")],
	);
	let rpc = nodes[0].rpc.clone();
	rpc.wait_for_finalized(1).await;
	assert_eq!(liveness(&rpc).await, (4, vec![]));

	// 0.025 USD per SNM: 40 SNM per USD. Each masternode feeds through its own node.
	let port = price_server(r#"{"sonm": {"usd": 0.025}}"#);
	let source = format!("http://127.0.0.1:{port}/simple/price#/sonm/usd");
	let mut feeders = Vec::new();
	for (name, node) in names.iter().zip(&nodes) {
		if !feeders.is_empty() {
			tokio::time::sleep(Duration::from_secs(15)).await;
		}
		feeders.push(Feeder::start(dir.path(), name, node.rpc_port, &source));
		println!("feeder {name} started in session {}", session(&rpc).await);
	}

	// Feeding is judged once prices have been fed for a whole window (180 s) after the first
	// feeder started (45 s ago); from then on ten sessions must pass with the set intact.
	let window = Duration::from_secs(180);
	let judged_from = Instant::now() + window - Duration::from_secs(45);
	let mut first_judged_session = None;
	loop {
		let index = session(&rpc).await;
		let (members, offline) = liveness(&rpc).await;
		assert!(
			members == 4 && offline.is_empty(),
			"session {index}: {members} in the set, offline: {offline:?}"
		);
		if Instant::now() >= judged_from {
			let first = *first_judged_session.get_or_insert(index);
			if index >= first + 10 {
				println!("sessions {first} to {index} judged feeds: the set stayed four");
				break;
			}
		}
		for feeder in &mut feeders {
			assert!(feeder.child.try_wait().expect("status").is_none(), "a feeder exited");
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
	let prices = rpc.call("oracle_prices", rpc_params![]).await.expect("oracle_prices");
	assert_eq!(prices[0]["snmPerUnit"], "40000000000000000000", "the feeds made the price");

	// SIGTERM: each feeder finishes its round and exits 0.
	for feeder in &mut feeders {
		assert_eq!(feeder.stop(), Some(0), "a clean stop on SIGTERM");
	}
}
