//! A real `sonm-node --dev` in a temporary directory with the `sonm` CLI pointed at it, with
//! its own keystore: what the CLI's and the worker's end-to-end tests drive.

use crate::{wait_for_blocking, workspace_bin, Node, PATIENCE};
use serde_json::Value;
use std::{
	process::{Command, Output},
	time::{Duration, Instant},
};

/// A dev node and `sonm` on it; the node is stopped (by PID) and the directory removed when
/// dropped.
pub struct DevChain {
	pub node: Node,
	pub dir: tempfile::TempDir,
	/// The network namespace `sonm` runs in (none: the machine's own).
	pub cli_namespace: Option<String>,
}

impl DevChain {
	/// Starts the node and waits until `sonm` gets answers from it.
	pub fn start() -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let node = Node::dev(dir.path());
		Self::answering(node, dir, None)
	}

	/// Starts the node in network namespace `ns`, reached at `address` by the hosts of a test
	/// network, and runs `sonm` in namespace `cli` (a customer's host there).
	pub fn start_in(ns: &str, address: &str, cli: &str) -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let node = Node::dev_in(dir.path(), ns, address);
		Self::answering(node, dir, Some(cli.into()))
	}

	/// The chain once `sonm` gets answers from `node`.
	fn answering(node: Node, dir: tempfile::TempDir, cli_namespace: Option<String>) -> Self {
		let chain = Self { node, dir, cli_namespace };
		wait_for_blocking("the node to answer", || chain.try_json(&["masternode", "status"]));
		chain
	}

	/// The node's WebSocket RPC URL.
	pub fn url(&self) -> String {
		self.node.url()
	}

	/// Runs `sonm ARGS` against this node with the chain's own keystore (and none of the
	/// caller's `SONM_FROM` and `SONM_PASSWORD`).
	pub fn sonm(&self, args: &[&str]) -> Output {
		self.sonm_command(args).output().expect("sonm runs")
	}

	/// `sonm ARGS` against this node, as [`DevChain::sonm`] runs it, not started yet (for a
	/// command that runs until stopped, such as `task forward`).
	pub fn sonm_command(&self, args: &[&str]) -> Command {
		let mut command = match &self.cli_namespace {
			Some(ns) => crate::netns::command_in(ns, workspace_bin("sonm")),
			None => Command::new(workspace_bin("sonm")),
		};
		command
			.args(["--url", &self.url()])
			.arg("--keystore")
			.arg(self.dir.path().join("keystore"))
			.args(args)
			.env_remove("SONM_FROM")
			.env_remove("SONM_PASSWORD");
		command
	}

	/// `sonm -o json ARGS`: its JSON when it succeeds; otherwise `None`, with its error
	/// printed (unless the node is only not reachable yet).
	pub fn try_json(&self, args: &[&str]) -> Option<Value> {
		let out = self.sonm(&[&["-o", "json"], args].concat());
		let stderr = String::from_utf8_lossy(&out.stderr);
		if !out.status.success() && !stderr.contains("cannot reach the node") {
			eprintln!("sonm {args:?}: {}", stderr.trim());
		}
		out.status.success().then(|| serde_json::from_slice(&out.stdout).ok()).flatten()
	}

	/// `sonm -o json ARGS`, which must succeed; its JSON.
	pub fn json(&self, args: &[&str]) -> Value {
		let out = self.sonm(&[&["-o", "json"], args].concat());
		assert!(
			out.status.success(),
			"sonm {args:?} failed ({}):\n{}{}",
			out.status,
			String::from_utf8_lossy(&out.stdout),
			String::from_utf8_lossy(&out.stderr)
		);
		serde_json::from_slice(&out.stdout).unwrap_or_else(|error| {
			panic!(
				"sonm {args:?} printed no JSON ({error}):\n{}",
				String::from_utf8_lossy(&out.stdout)
			)
		})
	}

	/// An account's (free, held) balance in base units.
	pub fn balance(&self, account: &str) -> (u128, u128) {
		let json = self.json(&["balance", account]);
		(amount(&json["balance"]["free"]), amount(&json["balance"]["held"]))
	}

	/// Waits until the chain has `blocks` more blocks.
	pub fn wait_blocks(&self, blocks: u64) {
		let best = || self.json(&["balance", "alice"])["block"].as_u64().expect("a block number");
		let target = best() + blocks;
		let deadline = Instant::now() + PATIENCE;
		while best() < target {
			assert!(Instant::now() < deadline, "no new blocks within {PATIENCE:?}");
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// `author`'s open asks.
	pub fn asks_of(&self, author: &str) -> Vec<Value> {
		let list = self.json(&["orders", "list", "--side", "ask", "--author", author]);
		list.as_array().cloned().unwrap_or_default()
	}

	/// Deal `id` as `sonm deals show` prints it, while it is open.
	pub fn deal(&self, id: u64) -> Option<Value> {
		let out = self.try_json(&["deals", "show", &id.to_string()])?;
		Some(out["deal"].clone())
	}

	/// Places a bid from `from` with `args` and returns its id and the order as the chain holds
	/// it.
	pub fn bid(&self, from: &str, args: &[&str]) -> (u64, Value) {
		let mut all = vec!["--from", from, "orders", "create", "--side", "bid"];
		all.extend_from_slice(args);
		let placed = self.json(&all);
		(placed["id"].as_u64().expect("an order id"), placed["order"].clone())
	}
}

/// A decimal string of base units, as the CLI's JSON carries amounts.
pub fn amount(value: &Value) -> u128 {
	value
		.as_str()
		.unwrap_or_else(|| panic!("{value} is not an amount"))
		.parse()
		.unwrap_or_else(|_| panic!("{value} is not a decimal amount"))
}
