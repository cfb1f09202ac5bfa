//! The chain client survives a node restart: one `sonm_client::Client`, connected before the
//! node is stopped, answers again once the node is back on the same port, without a new
//! `connect` (the reconnecting RPC client retries with backoff underneath).

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

const PATIENCE: Duration = Duration::from_secs(180);

fn node_bin() -> PathBuf {
	Path::new(env!("CARGO_BIN_EXE_sonm")).with_file_name("sonm-node")
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `sonm-node --dev` on given ports and base path, killed by its PID when dropped.
struct Node(Child);

impl Node {
	fn start(base: &Path, rpc_port: u16, p2p_port: u16) -> Self {
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(base.join("node.log"))
			.unwrap();
		let child = Command::new(node_bin())
			.args(["--dev", "--no-telemetry", "--no-mdns", "--no-prometheus"])
			.arg("--base-path")
			.arg(base.join("chain"))
			.args(["--rpc-port", &rpc_port.to_string(), "--port", &p2p_port.to_string()])
			.stdin(Stdio::null())
			.stdout(log.try_clone().unwrap())
			.stderr(log)
			.spawn()
			.expect("sonm-node starts (built by `cargo build --workspace`)");
		Self(child)
	}

	/// SIGTERM, as an operator stops it, then waits for it to exit.
	fn stop(&mut self) {
		// SAFETY: signalling our own child by its PID.
		unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM) };
		let _ = self.0.wait();
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_reconnects_after_a_node_restart() {
	let dir = tempfile::tempdir().unwrap();
	let (rpc_port, p2p_port) = (free_port(), free_port());
	let url = format!("ws://127.0.0.1:{rpc_port}");
	let mut node = Node::start(dir.path(), rpc_port, p2p_port);

	let deadline = Instant::now() + PATIENCE;
	let client = loop {
		match sonm_client::Client::connect(&url).await {
			Ok(client) => break client,
			Err(error) if Instant::now() < deadline => {
				let _ = error;
				tokio::time::sleep(Duration::from_millis(500)).await;
			},
			Err(error) => panic!("the node never answered: {error}"),
		}
	};
	let bob = sonm_client::Key::dev("bob").unwrap().account_id();
	let (before, balance) = client.balance(&bob).await.unwrap();
	assert!(balance.free > 0);

	node.stop();
	let _node = Node::start(dir.path(), rpc_port, p2p_port);

	let deadline = Instant::now() + PATIENCE;
	let (after, balance_after) = loop {
		match client.balance(&bob).await {
			Ok(answer) => break answer,
			Err(_) if Instant::now() < deadline => {
				tokio::time::sleep(Duration::from_millis(500)).await
			},
			Err(error) => panic!("the same client never answered again: {error}"),
		}
	};
	assert!(after >= before, "the restarted node keeps its chain ({before} -> {after})");
	assert_eq!(balance_after.free, balance.free);
}
