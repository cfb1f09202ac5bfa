//! A real `sonm-node --dev` for the CLI's and the worker's end-to-end tests: free loopback ports, a database in
//! the test's directory, stopped by its PID when dropped (also when the test fails, and then
//! its log's tail is printed).

#![allow(dead_code)]

pub use sonm_test_support::{free_port, PATIENCE};
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
};

/// A binary of the workspace (`sonm-node`, `sonm`, `sonm-worker`), built into the target
/// directory this test runs from (`target/debug/deps/<test>` -> `target/debug/<name>`).
pub fn workspace_bin(name: &str) -> PathBuf {
	let test = std::env::current_exe().expect("the test knows its path");
	test.parent()
		.and_then(Path::parent)
		.expect("target/debug/deps/<test>")
		.join(name)
}

/// `sonm-node`, built into the same target directory as the test.
pub fn node_bin() -> PathBuf {
	workspace_bin("sonm-node")
}

/// A running `sonm-node --dev`.
pub struct DevNode {
	child: Option<Child>,
	log: PathBuf,
	/// Its WebSocket RPC address, where it really listens.
	pub url: String,
	/// The port of that address (a restart asks for it again).
	pub rpc_port: u16,
}

impl DevNode {
	/// Starts a dev node with its chain under `base` and its log appended to `base/node.log`,
	/// asking for `rpc_port` (the node takes another when that one was taken meanwhile) and
	/// waiting until its RPC server runs.
	pub fn start(base: &Path, rpc_port: u16, p2p_port: u16) -> Self {
		sonm_test_support::cpu_hog_if_asked();
		let log_path = base.join("node.log");
		let from = sonm_test_support::log_len(&log_path);
		let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).unwrap();
		let mut child = Command::new(node_bin())
			.args(["--dev", "--no-telemetry", "--no-mdns", "--no-prometheus"])
			.arg("--base-path")
			.arg(base.join("chain"))
			.args(["--rpc-port", &rpc_port.to_string(), "--port", &p2p_port.to_string()])
			.stdin(Stdio::null())
			.stdout(log.try_clone().unwrap())
			.stderr(log)
			.spawn()
			.expect("sonm-node starts (built by `cargo build --workspace`)");
		let listening = sonm_test_support::rpc_port_from_log(&log_path, from, || {
			matches!(child.try_wait(), Ok(None))
		});
		let mut node = Self { child: Some(child), log: log_path, url: String::new(), rpc_port };
		node.rpc_port = listening.unwrap_or_else(|| panic!("the node never ran its RPC server"));
		node.url = format!("ws://127.0.0.1:{}", node.rpc_port);
		node
	}

	/// Stops it as an operator does (SIGTERM) and waits for it to exit.
	pub fn stop(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SAFETY: signalling our own child by its PID.
			unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
			let _ = child.wait();
		}
	}
}

impl Drop for DevNode {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
		if std::thread::panicking() {
			let log = std::fs::read_to_string(&self.log).unwrap_or_default();
			let lines: Vec<&str> = log.lines().collect();
			eprintln!(
				"--- node log tail ---\n{}",
				lines[lines.len().saturating_sub(40)..].join("\n")
			);
		}
	}
}
