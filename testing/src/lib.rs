//! What the workspace's end-to-end tests share when they start real processes.
//!
//! A port picked with [`free_port`] can be taken by another test between the pick and the
//! node's bind; `sonm-node` then quietly listens for RPC on a random port instead. So a test
//! never assumes the port it asked for: it reads where the node really listens from the node's
//! log ([`rpc_port_from_log`]).

use std::{
	net::TcpListener,
	path::Path,
	time::{Duration, Instant},
};

/// How long a test waits for a process or the chain to reach a state before it fails.
/// Generous: the first start of a debug-built node compiles the runtime.
pub const PATIENCE: Duration = Duration::from_secs(180);

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
/// `Running JSON-RPC server: addr=127.0.0.1:PORT,...` line, looking only past byte `from` (the
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

/// The port of the first `127.0.0.1:PORT` in a `Running JSON-RPC server` line.
fn announced_rpc_port(line: &str) -> Option<u16> {
	let (_, addrs) = line.split_once("Running JSON-RPC server: addr=")?;
	let (_, port) = addrs.split_once("127.0.0.1:")?;
	let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
	digits.parse().ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_announced_port_is_read_from_the_line() {
		let line = "2026-11-30 18:00:00 Running JSON-RPC server: addr=127.0.0.1:41234,[::1]:41234";
		assert_eq!(announced_rpc_port(line), Some(41234));
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
