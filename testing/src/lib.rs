//! The workspace's one test kit: what every crate's tests use when they start real processes
//! or need a seeded random source.
//!
//! - [`Node`], [`network`] and [`local_network`]: `sonm-node` processes on free loopback ports
//!   (stopped by PID when dropped); [`DevChain`]: a dev node with the `sonm` CLI on it;
//! - [`wait_for`], [`wait_until`], [`wait_for_blocking`]: waiting for a condition, never for a
//!   guessed time;
//! - [`Rng`]: the one small seeded generator; [`mutate`]: mutation fuzzing of decoders;
//! - [`price_server`]: a local price source; [`podman`]: a podman service with its own store;
//!   [`postgres`]: a PostgreSQL server in a temporary directory; [`indexer`]: a `sonm-indexer`
//!   process; [`netns`]: network namespaces; [`claim`]: subnets and addresses that tests running at once
//!   must not share;
//! - [`cpu_hog_if_asked`]: the busy machine (`SONM_TEST_CPU_HOG=1`).
//!
//! The pallets' unit tests take only [`Rng`]; the `processes` feature adds what needs
//! `serde_json`, `tempfile` and tokio.
//!
//! A port picked with [`free_port`] can be taken by another test between the pick and the
//! node's bind; `sonm-node` then quietly listens for RPC on a random port instead. So a test
//! never assumes the port it asked for: it reads where the node really listens from the node's
//! log ([`rpc_port_from_log`]).

pub mod claim;
#[cfg(feature = "processes")]
pub mod dev_chain;
pub mod http;
#[cfg(feature = "processes")]
pub mod indexer;
pub mod mutate;
pub mod netns;
pub mod node;
#[cfg(feature = "processes")]
pub mod podman;
#[cfg(feature = "processes")]
pub mod postgres;
pub mod random;
#[cfg(feature = "processes")]
pub mod wait;

#[cfg(feature = "processes")]
pub use dev_chain::DevChain;
pub use http::price_server;
pub use node::{local_network, network, Node};
pub use random::Rng;
#[cfg(feature = "processes")]
pub use wait::{wait_for, wait_for_blocking, wait_until};

use std::{
	net::TcpListener,
	path::Path,
	time::{Duration, Instant},
};

/// How long a test waits for a process or the chain to reach a state before it fails.
/// Generous: the first start of a debug-built node compiles the runtime.
pub const PATIENCE: Duration = Duration::from_secs(180);

/// With `SONM_TEST_CPU_HOG=1`, a thread of this test process that spins on CPU 0 for as long
/// as the process lives (started once, by the first call): the busy machine that CI and a
/// newcomer's laptop are, beside every node the helpers start. Without it, nothing.
pub fn cpu_hog_if_asked() {
	static HOG: std::sync::OnceLock<()> = std::sync::OnceLock::new();
	if std::env::var("SONM_TEST_CPU_HOG").as_deref() != Ok("1") {
		return;
	}
	HOG.get_or_init(|| {
		std::thread::Builder::new()
			.name("cpu-hog".into())
			.spawn(|| {
				// SAFETY: a zeroed cpu_set_t with CPU 0 set, applied to this thread (pid 0).
				unsafe {
					let mut set: libc::cpu_set_t = std::mem::zeroed();
					libc::CPU_SET(0, &mut set);
					libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
				}
				let mut spin = 0u64;
				loop {
					spin = std::hint::black_box(spin.wrapping_add(1));
				}
			})
			.expect("the hog thread starts");
		eprintln!("SONM_TEST_CPU_HOG=1: a busy loop spins on CPU 0 beside this test's nodes");
	});
}

/// A loopback TCP port nobody listens on right now.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("the OS hands out a free loopback port")
}

/// The length of a log file now (0 when it does not exist yet): where the lines of a process
/// started next begin, for [`rpc_port_from_log`].
pub fn log_len(log: &Path) -> u64 {
	std::fs::metadata(log).map(|meta| meta.len()).unwrap_or(0)
}

/// The IPv4 RPC port a `sonm-node` writing to `log` announces in its
/// `Running JSON-RPC server: addr=127.0.0.1:PORT,...` (or `0.0.0.0:PORT`) line, looking only past byte `from` (the
/// log may hold earlier runs). Waits up to [`PATIENCE`]; `None` when `running` says the
/// process ended or the time ran out.
pub fn rpc_port_from_log(log: &Path, from: u64, mut running: impl FnMut() -> bool) -> Option<u16> {
	let deadline = Instant::now() + PATIENCE;
	while Instant::now() < deadline {
		let text = std::fs::read(log).unwrap_or_default();
		let fresh = String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default());
		if let Some(port) = fresh.lines().find_map(announced_rpc_port) {
			return Some(port);
		}
		if !running() {
			return None;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	None
}

/// The port of the first `127.0.0.1:PORT` (or `0.0.0.0:PORT`, a node listening on every
/// address) in a `Running JSON-RPC server` line.
fn announced_rpc_port(line: &str) -> Option<u16> {
	let (_, addrs) = line.split_once("Running JSON-RPC server: addr=")?;
	let (_, port) = addrs.split_once("127.0.0.1:").or_else(|| addrs.split_once("0.0.0.0:"))?;
	let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
	digits.parse().ok()
}

/// A binary of the workspace (`sonm-node`, `sonm`, `sonm-worker`, `sonm-bridge`) for a test of
/// a crate that does not build it itself: the first `<ancestor>/debug/<name>` above the running
/// test (`$CARGO_TARGET_DIR/debug/deps/<test>`).
pub fn workspace_bin(name: &str) -> std::path::PathBuf {
	let test = std::env::current_exe().expect("the test knows its path");
	test.ancestors()
		.skip(1)
		.map(|dir| dir.join("debug").join(name))
		.find(|bin| bin.is_file())
		.unwrap_or_else(|| {
			panic!(
				"no {name} built above {}: run `build_workspace` (scripts/env.sh)",
				test.display()
			)
		})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_announced_port_is_read_from_the_line() {
		let line = "2026-11-30 18:00:00 Running JSON-RPC server: addr=127.0.0.1:41234,[::1]:41234";
		assert_eq!(announced_rpc_port(line), Some(41234));
		assert_eq!(announced_rpc_port("Running JSON-RPC server: addr=0.0.0.0:9955"), Some(9955));
		assert_eq!(announced_rpc_port("Running JSON-RPC server: addr=[::1]:9944"), None);
		assert_eq!(announced_rpc_port("Idle (0 peers)"), None);
	}

	#[test]
	fn only_lines_past_the_offset_count() {
		let dir = std::env::temp_dir().join(format!("sonm-test-support-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let log = dir.join("node.log");
		std::fs::write(&log, "Running JSON-RPC server: addr=127.0.0.1:1111,\n").unwrap();
		let from = log_len(&log);
		assert_eq!(rpc_port_from_log(&log, from, || false), None);
		let mut text = std::fs::read_to_string(&log).unwrap();
		text.push_str("Running JSON-RPC server: addr=127.0.0.1:2222,\n");
		std::fs::write(&log, text).unwrap();
		assert_eq!(rpc_port_from_log(&log, from, || false), Some(2222));
		std::fs::remove_dir_all(dir).unwrap();
	}
}
