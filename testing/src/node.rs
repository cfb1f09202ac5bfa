//! A real `sonm-node` process for the tests ([`Node`]), and networks of them
//! ([`network`], [`local_network`]): free loopback ports, a base path and a log under the
//! test's directory, stopped by PID when dropped (also when the test fails, and then the log's
//! tail is printed).

use crate::{cpu_hog_if_asked, free_port, log_len, rpc_port_from_log, workspace_bin};
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// How long [`Node::stop`] waits for the process to exit after SIGTERM before it kills it.
const STOP_PATIENCE: Duration = Duration::from_secs(30);

/// A `sonm-node` process. Its RPC port is the one it announces (another than asked for when
/// that one was taken meanwhile); a restart asks for the same ports again.
pub struct Node {
	child: Option<Child>,
	pub name: String,
	/// Where its RPC server listens.
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub prometheus_port: u16,
	/// Its database directory.
	pub base_path: PathBuf,
	log: PathBuf,
	bin: PathBuf,
	args: Vec<String>,
	/// The network namespace it runs in (none: the machine's own, on loopback).
	namespace: Option<String>,
	/// The address its RPC is reached at.
	address: String,
}

impl Node {
	/// Starts `bin` with `args`, its chain under `dir/name` and its log in `dir/name.log`, on
	/// free ports.
	pub fn start(bin: &Path, dir: &Path, name: &str, args: &[&str]) -> Self {
		let (base_path, log) = (dir.join(name), dir.join(format!("{name}.log")));
		Self::start_at(bin, name, &base_path, &log, args, free_port(), free_port())
	}

	/// `sonm-node --dev` (the workspace's build) named `dev` under `dir`, on free ports.
	pub fn dev(dir: &Path) -> Self {
		Self::start(&workspace_bin("sonm-node"), dir, "dev", &["--dev"])
	}

	/// `sonm-node --dev` named `dev` under `dir`, run in network namespace `ns` whose hosts
	/// reach its RPC at `address` (it listens on every address there:
	/// `--unsafe-rpc-external`, safe in a namespace that reaches nowhere else).
	pub fn dev_in(dir: &Path, ns: &str, address: &str) -> Self {
		cpu_hog_if_asked();
		let base_path = dir.join("dev");
		std::fs::create_dir_all(&base_path).expect("the base path can be created");
		let mut node = Self {
			child: None,
			name: "dev".into(),
			rpc_port: free_port(),
			p2p_port: free_port(),
			prometheus_port: free_port(),
			base_path,
			log: dir.join("dev.log"),
			bin: workspace_bin("sonm-node"),
			args: vec!["--dev".into(), "--unsafe-rpc-external".into()],
			namespace: Some(ns.into()),
			address: address.into(),
		};
		node.spawn();
		node
	}

	/// Starts `bin` with `args` on the given base path, log file and ports.
	pub fn start_at(
		bin: &Path,
		name: &str,
		base_path: &Path,
		log: &Path,
		args: &[&str],
		rpc_port: u16,
		p2p_port: u16,
	) -> Self {
		cpu_hog_if_asked();
		std::fs::create_dir_all(base_path).expect("the base path can be created");
		let mut node = Self {
			child: None,
			name: name.into(),
			rpc_port,
			p2p_port,
			prometheus_port: free_port(),
			base_path: base_path.into(),
			log: log.into(),
			bin: bin.into(),
			args: args.iter().map(|arg| arg.to_string()).collect(),
			namespace: None,
			address: "127.0.0.1".into(),
		};
		node.spawn();
		node
	}

	/// Starts the process on its base path, ports and arguments, and waits until its RPC
	/// server runs.
	fn spawn(&mut self) {
		let from = log_len(&self.log);
		let file = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log)
			.expect("a log file");
		let mut command = match &self.namespace {
			Some(ns) => crate::netns::command_in(ns, &self.bin),
			None => Command::new(&self.bin),
		};
		let mut child = command
			.args(&self.args)
			.arg("--base-path")
			.arg(&self.base_path)
			.args(["--rpc-port", &self.rpc_port.to_string()])
			.args(["--port", &self.p2p_port.to_string()])
			.args(["--prometheus-port", &self.prometheus_port.to_string()])
			.args(["--name", &self.name])
			.args(["--no-telemetry", "--no-mdns", "--rpc-methods", "unsafe"])
			.stdin(Stdio::null())
			.stdout(file.try_clone().expect("a log handle"))
			.stderr(file)
			.spawn()
			.unwrap_or_else(|error| panic!("{} starts: {error}", self.bin.display()));
		let port = rpc_port_from_log(&self.log, from, || matches!(child.try_wait(), Ok(None)));
		self.child = Some(child);
		self.rpc_port = port.unwrap_or_else(|| {
			panic!("{} never ran its RPC server:\n{}", self.name, self.log_tail(30))
		});
	}

	/// Stops the process the way an operator does (SIGTERM) and waits for it to exit; kills it
	/// when it has not after 30 seconds.
	pub fn stop(&mut self) {
		let Some(mut child) = self.child.take() else { return };
		// SAFETY: `kill` with the PID of our own child and a valid signal number.
		unsafe {
			libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
		}
		let deadline = Instant::now() + STOP_PATIENCE;
		while Instant::now() < deadline {
			if let Ok(Some(_)) = child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = child.kill();
		let _ = child.wait();
	}

	/// Kills the process at once (SIGKILL), as a crash or a power loss would.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Starts the process again (killing it first if it still runs) on the same base path,
	/// asking for the same ports.
	pub fn restart(&mut self) {
		self.kill();
		self.spawn();
	}

	/// The process id, while it runs.
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|child| child.id())
	}

	/// Whether the process still runs (and has not exited by itself).
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.as_mut().map(|child| child.try_wait()), Some(Ok(None)))
	}

	/// The last `lines` lines of its log.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}

	/// Its WebSocket RPC URL.
	pub fn url(&self) -> String {
		format!("ws://{}:{}", self.address, self.rpc_port)
	}

	/// The value of the Prometheus metric `name` with exactly `labels` (e.g.
	/// `status="finalized"`), read from the node's `/metrics` endpoint.
	pub fn metric(&self, name: &str, labels: &str) -> Option<f64> {
		use std::io::{Read, Write};
		let port = self.prometheus_port;
		let connect = || std::net::TcpStream::connect(("127.0.0.1", port));
		let mut stream = match &self.namespace {
			Some(ns) => crate::netns::within(ns, connect),
			None => connect(),
		}
		.ok()?;
		stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
		let mut response = String::new();
		stream.read_to_string(&mut response).ok()?;
		metric_value(&response, name, labels)
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			eprintln!("--- {} log tail ---\n{}", self.name, self.log_tail(60));
		}
	}
}

/// The value of `name{...labels...}` in a Prometheus text exposition.
fn metric_value(text: &str, name: &str, labels: &str) -> Option<f64> {
	text.lines().find_map(|line| {
		let rest = line.strip_prefix(name)?.strip_prefix('{')?;
		let (line_labels, value) = rest.split_once("} ")?;
		line_labels
			.split(',')
			.any(|label| label == labels)
			.then(|| value.trim().parse().ok())?
	})
}

/// The libp2p peer id of the node key in `key_file`.
pub fn peer_id(bin: &Path, key_file: &Path) -> String {
	let output = Command::new(bin)
		.args(["key", "inspect-node-key", "--file"])
		.arg(key_file)
		.output()
		.expect("sonm-node key inspect-node-key runs");
	String::from_utf8(output.stdout).expect("utf-8").trim().to_owned()
}

/// A network of `--chain local` nodes under `dir`, one per `(name, role)`: the role is the
/// node's flag (`--alice` for a dev validator, `--validator` for one with an empty keystore).
/// Fixed node keys let every node name the first one's as its boot node.
pub fn network(bin: &Path, dir: &Path, nodes: &[(&str, &str)]) -> Vec<Node> {
	let keys: Vec<PathBuf> = (1..=nodes.len())
		.map(|i| {
			let path = dir.join(format!("node-key-{i}"));
			std::fs::write(&path, format!("{i:064x}")).expect("a key file");
			path
		})
		.collect();
	let boot_port = free_port();
	let boot = format!("/ip4/127.0.0.1/tcp/{boot_port}/p2p/{}", peer_id(bin, &keys[0]));
	nodes
		.iter()
		.zip(&keys)
		.enumerate()
		.map(|(i, ((name, role), key))| {
			let key = key.to_str().expect("a UTF-8 path");
			let mut args = vec!["--chain", "local", role, "--node-key-file", key];
			args.push("--allow-private-ip");
			if i > 0 {
				args.extend(["--bootnodes", boot.as_str()]);
			}
			let p2p_port = if i == 0 { boot_port } else { free_port() };
			let (base_path, log) = (dir.join(name), dir.join(format!("{name}.log")));
			Node::start_at(bin, name, &base_path, &log, &args, free_port(), p2p_port)
		})
		.collect()
}

/// The four validators of `--chain local` (Alice, Bob, Charlie, Dave) under `dir`.
pub fn local_network(bin: &Path, dir: &Path) -> Vec<Node> {
	let validators =
		[("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")];
	network(bin, dir, &validators)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_metric_is_read_by_name_and_label() {
		let text = "# HELP x\nsubstrate_block_height{status=\"best\",chain=\"dev\"} 12\n\
		            substrate_block_height{status=\"finalized\",chain=\"dev\"} 10\n";
		let height = |labels| metric_value(text, "substrate_block_height", labels);
		assert_eq!(height("status=\"finalized\""), Some(10.0));
		assert_eq!(height("status=\"best\""), Some(12.0));
		assert_eq!(height("status=\"sync_target\""), None);
		assert_eq!(metric_value(text, "substrate_block", "status=\"best\""), None);
	}
}
