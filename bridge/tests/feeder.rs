//! The price feeder end to end: a local HTTP server quotes SNM in USD, `sonm-bridge feed
//! --once` reads it, inverts it and feeds it with Alice's key (the development chain's
//! masternode) to a real `sonm-node --dev`, and `oracle_prices` shows the price in force. An
//! account that is not a masternode is refused by name, and a source that does not answer
//! fails the round.

use std::{
	io::{Read, Write},
	process::{Command, Output},
	time::{Duration, Instant},
};

const BRIDGE_BIN: &str = env!("CARGO_BIN_EXE_sonm-bridge");

use sonm_test_support::{free_port, price_server, Node as DevNode, PATIENCE};

/// The node's RPC over plain HTTP.
fn http_url(node: &DevNode) -> String {
	format!("http://127.0.0.1:{}", node.rpc_port)
}

/// A JSON-RPC call over plain HTTP.
fn call(node: &DevNode, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
	let body = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params })
		.to_string();
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", node.rpc_port)).ok()?;
	let request = format!(
		"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(request.as_bytes()).ok()?;
	let mut response = String::new();
	stream.read_to_string(&mut response).ok()?;
	let (_, json) = response.split_once("\r\n\r\n")?;
	serde_json::from_str::<serde_json::Value>(json).ok()?.get("result").cloned()
}

/// Waits until the node has produced block 1.
fn wait_for_blocks(node: &DevNode) {
	let deadline = Instant::now() + PATIENCE;
	while Instant::now() < deadline {
		let number = call(node, "chain_getHeader", serde_json::json!([]))
			.and_then(|header| header["number"].as_str().map(str::to_owned));
		if number.is_some_and(|n| n != "0x0") {
			return;
		}
		std::thread::sleep(Duration::from_millis(500));
	}
	panic!("the dev node produced no block");
}

fn feed(node: &DevNode, suri: &str, sources: &[&str]) -> Output {
	let mut command = Command::new(BRIDGE_BIN);
	command.args(["feed", "--once", "--url", &http_url(node), "--suri", suri]);
	for source in sources {
		command.args(["--source-usd-per-snm", source]);
	}
	command.output().expect("sonm-bridge runs")
}

#[test]
fn the_feeder_gets_a_price_from_a_local_http_source_into_the_chain() {
	let dir = tempfile::tempdir().unwrap();
	let node = DevNode::dev(dir.path());
	wait_for_blocks(&node);
	// 0.025 USD per SNM: 40 SNM per USD.
	let port = price_server(r#"{"sonm": {"usd": 0.025}}"#);
	let source = format!("http://127.0.0.1:{port}/simple/price#/sonm/usd");

	// Ferdie is no masternode: the chain refuses his feed by name.
	let refused = feed(&node, "//Ferdie", &[&source]);
	let stderr = String::from_utf8_lossy(&refused.stderr);
	let stdout = String::from_utf8_lossy(&refused.stdout);
	assert!(!refused.status.success(), "{stdout}{stderr}");
	assert!(format!("{stdout}{stderr}").contains("NotFeeder"), "{stdout}{stderr}");

	// Alice is: the price is in force.
	let fed = feed(&node, "//Alice", &[&source]);
	let log =
		format!("{}{}", String::from_utf8_lossy(&fed.stdout), String::from_utf8_lossy(&fed.stderr));
	println!("{log}");
	assert!(fed.status.success(), "{log}");
	let prices = call(&node, "oracle_prices", serde_json::json!([])).expect("oracle_prices");
	println!("oracle_prices [] -> {prices}");
	assert_eq!(prices[0]["currency"], "Usd");
	assert_eq!(prices[0]["snmPerUnit"], "40000000000000000000");
	assert_eq!(prices[0]["fresh"], true);

	// A source that does not answer fails the round.
	let dead = format!("http://127.0.0.1:{}/price#/sonm/usd", free_port());
	let failed = feed(&node, "//Alice", &[&dead]);
	let log = format!(
		"{}{}",
		String::from_utf8_lossy(&failed.stdout),
		String::from_utf8_lossy(&failed.stderr)
	);
	assert!(!failed.status.success(), "{log}");
	assert!(log.contains("no source answered with a price"), "{log}");
}
