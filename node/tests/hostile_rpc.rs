//! Hostile input to a real dev node's RPC: every custom method (`market_*`, `blacklist_*`,
//! `kyc_*`, `masternodes_*`, `oracle_*`, `gatekeeper_*`) called with wrong types, huge numbers,
//! huge arrays and strings, deeply nested JSON and unknown accounts; oversized requests; slow
//! clients that never finish their request. Each gets an error or an answer of bounded size, or
//! is dropped, while the node keeps producing blocks and its memory stays bounded. And the
//! unsafe RPC methods are not reachable when the node listens on external interfaces.

mod common;

use common::NodeProcess;
use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	net::TcpStream,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The prefixes of the node's own RPC methods.
const CUSTOM_PREFIXES: [&str; 6] =
	["market_", "blacklist_", "kyc_", "masternodes_", "oracle_", "gatekeeper_"];

/// An account nobody has used (the keyring's `Two`), in SS58.
const UNKNOWN_ACCOUNT: &str = "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc";

/// One HTTP POST of `body` to the node's RPC; the status and the body of the answer, or the
/// I/O error when the node dropped the connection.
fn post(port: u16, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
	let mut stream = TcpStream::connect(("127.0.0.1", port))?;
	stream.set_read_timeout(Some(Duration::from_secs(60)))?;
	let head = format!(
		"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	);
	stream.write_all(head.as_bytes())?;
	stream.write_all(body)?;
	let mut answer = Vec::new();
	stream.read_to_end(&mut answer)?;
	let text = String::from_utf8_lossy(&answer);
	let status = text
		.split_whitespace()
		.nth(1)
		.and_then(|code| code.parse().ok())
		.ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {text:.200}")))?;
	let start = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |p| p + 4);
	Ok((status, answer[start..].to_vec()))
}

/// The node's resident memory in MiB, from `/proc`.
fn rss_mib(pid: u32) -> u64 {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the node runs");
	let kib: u64 = status
		.lines()
		.find_map(|line| line.strip_prefix("VmRSS:"))
		.and_then(|rest| rest.split_whitespace().next())
		.and_then(|n| n.parse().ok())
		.expect("VmRSS is in /proc/PID/status");
	kib / 1024
}

/// The hostile values every parameter position gets.
fn hostile_values() -> Vec<(&'static str, Value)> {
	let huge_array = Value::Array(vec![json!(u64::MAX); 50_000]);
	vec![
		("a string", json!("x")),
		("a bool", json!(true)),
		("an object", json!({ "a": [1, 2, 3] })),
		("null", Value::Null),
		("a negative number", json!(-1)),
		("a float", json!(1.5e308)),
		("2^64", serde_json::from_str("18446744073709551616").unwrap()),
		("2^128", serde_json::from_str("340282366920938463463374607431768211456").unwrap()),
		("u64::MAX", json!(u64::MAX)),
		("an unknown account", json!(UNKNOWN_ACCOUNT)),
		("a malformed address", json!("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ")),
		("a 0x hash of zeros", json!(format!("0x{}", "00".repeat(32)))),
		("a 1 MiB string", json!("a".repeat(1 << 20))),
		("a 50,000-element array", huge_array),
	]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_custom_rpc_method_survives_hostile_input() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let mut node = NodeProcess::start("dev", &dir.path().join("dev"), &["--dev"]);
	let port = node.rpc_port;
	node.rpc.wait_for_best(2).await;
	let pid = node.pid().expect("running");

	let methods = node
		.rpc
		.call("rpc_methods", jsonrpsee::rpc_params![])
		.await
		.expect("rpc_methods");
	let methods: Vec<String> = methods["methods"]
		.as_array()
		.expect("a list of methods")
		.iter()
		.filter_map(|m| m.as_str())
		.filter(|m| CUSTOM_PREFIXES.iter().any(|p| m.starts_with(p)))
		.map(str::to_owned)
		.collect();
	assert!(methods.len() >= 26, "the node serves its custom methods: {methods:?}");

	let rss_before = rss_mib(pid);
	let values = hostile_values();
	let mut errors = 0;
	let mut answers = 0;
	let mut biggest_answer = 0;
	let tried = tokio::task::spawn_blocking({
		let methods = methods.clone();
		move || {
			let mut tried = 0;
			for method in &methods {
				for (what, value) in &values {
					// The value in every position of up to four parameters, the others plausible.
					for arity in 1..=4 {
						for position in 0..arity {
							let params: Vec<Value> = (0..arity)
								.map(|i| if i == position { value.clone() } else { json!(1) })
								.collect();
							let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
							let (status, body) = post(port, request.to_string().as_bytes())
								.unwrap_or_else(|e| {
									panic!("{method} with {what}: the node dropped the call: {e}")
								});
							let answer: Value =
								serde_json::from_slice(&body).unwrap_or_else(|_| {
									panic!("{method} with {what}: HTTP {status}, not JSON")
								});
							biggest_answer = biggest_answer.max(body.len());
							if answer.get("error").is_some() {
								errors += 1;
							} else {
								assert!(answer.get("result").is_some(), "{method}: {answer}");
								answers += 1;
							}
							tried += 1;
						}
					}
				}
			}
			(tried, errors, answers, biggest_answer)
		}
	})
	.await
	.expect("the hostile calls ran");
	let (tried, errors, answers, biggest_answer) = tried;
	println!(
		"{tried} hostile calls over {} methods: {errors} errors, {answers} answers (largest {biggest_answer} bytes)",
		methods.len()
	);
	assert!(errors > tried / 2, "most hostile calls are refused by name");
	assert!(biggest_answer < 4 << 20, "answers stay bounded: {biggest_answer} bytes");

	// Nesting deeper than any parser should follow, an oversized body, a body that is not JSON.
	let deep = format!(
		"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"market_orders\",\"params\":{}1{}}}",
		"[".repeat(100_000),
		"]".repeat(100_000)
	);
	let (status, body) = post(port, deep.as_bytes()).expect("deep JSON gets an answer");
	let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
	assert!(status >= 400 || answer.get("error").is_some(), "deep JSON refused: {status}");
	let oversized = vec![b' '; 20 << 20];
	// An answer must be a refusal; a dropped connection is one too.
	if let Ok((status, _)) = post(port, &oversized) {
		assert!(status >= 400, "a 20 MiB request is refused, got {status}");
	}
	let (status, body) =
		post(port, b"{\"jsonrpc\":\"2.0\",").expect("truncated JSON gets an answer");
	assert!(status >= 400 || String::from_utf8_lossy(&body).contains("error"));

	// Slow clients: connections that send half a request and then nothing. They must not stop
	// a well-behaved client from being served.
	let slow: Vec<TcpStream> = (0..40)
		.map(|_| {
			let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
			stream
				.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n")
				.unwrap();
			stream
		})
		.collect();
	let (status, _) = tokio::task::spawn_blocking(move || {
		post(port, br#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}"#)
	})
	.await
	.unwrap()
	.expect("a normal client is served beside slow ones");
	assert_eq!(status, 200);
	drop(slow);

	// The node is alive, still producing blocks, and its memory bounded.
	let (best, _) = node.rpc.best().await.expect("the node answers");
	node.rpc.wait_for_best(best + 2).await;
	assert!(node.is_running(), "the node survived");
	let rss_after = rss_mib(pid);
	println!("node RSS: {rss_before} MiB before, {rss_after} MiB after");
	assert!(rss_after < rss_before + 512, "memory grew from {rss_before} to {rss_after} MiB");
}

/// A node in a network namespace of its own (only its loopback), so that `--rpc-external`
/// binds no interface of this machine; killed by its PID when dropped.
struct IsolatedNode {
	child: Child,
	log: std::path::PathBuf,
}

impl IsolatedNode {
	fn start(dir: &std::path::Path, args: &[&str]) -> Self {
		let log = dir.join("isolated.log");
		let file = std::fs::File::create(&log).expect("a log file");
		let script = format!(
			"ip link set lo up && exec {} --dev --base-path {} --rpc-port 9944 --no-telemetry --no-mdns --no-prometheus {}",
			common::NODE_BIN,
			dir.join("isolated").display(),
			args.join(" ")
		);
		let child = Command::new("unshare")
			.args(["--net", "sh", "-c", &script])
			.stdin(Stdio::null())
			.stdout(file.try_clone().unwrap())
			.stderr(file)
			.spawn()
			.expect("unshare runs");
		Self { child, log }
	}

	/// Waits for the RPC server's line in the log and returns it.
	fn rpc_line(&mut self) -> String {
		let deadline = Instant::now() + common::PATIENCE;
		while Instant::now() < deadline {
			let text = std::fs::read_to_string(&self.log).unwrap_or_default();
			if let Some(line) = text.lines().find(|l| l.contains("Running JSON-RPC server")) {
				return line.to_owned();
			}
			assert!(matches!(self.child.try_wait(), Ok(None)), "the node exited:\n{text}");
			std::thread::sleep(Duration::from_millis(200));
		}
		panic!("the isolated node never ran its RPC server");
	}

	/// A JSON-RPC call made from inside the node's namespace.
	fn call(&self, method: &str, params: Value) -> Value {
		let body =
			json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
		let out = Command::new("nsenter")
			.arg(format!("--net=/proc/{}/ns/net", self.child.id()))
			.args(["curl", "-s", "-H", "Content-Type: application/json", "-d", &body])
			.arg("http://127.0.0.1:9944")
			.output()
			.expect("nsenter and curl run");
		serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
			panic!("not JSON from {method}: {}", String::from_utf8_lossy(&out.stdout))
		})
	}
}

impl Drop for IsolatedNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

#[test]
fn unsafe_rpc_methods_are_refused_on_external_interfaces() {
	let dir = tempfile::tempdir().expect("temporary directory");
	// On external interfaces (the default of --rpc-methods is `auto`): safe methods answer,
	// unsafe ones are refused.
	let mut external = IsolatedNode::start(dir.path(), &["--rpc-external"]);
	let line = external.rpc_line();
	assert!(line.contains("0.0.0.0:9944"), "listens on every interface: {line}");
	assert!(external.call("system_health", json!([])).get("result").is_some());
	assert!(external.call("author_pendingExtrinsics", json!([])).get("result").is_some());
	let peer = "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
	for (unsafe_method, params) in
		[("author_rotateKeys", json!([])), ("system_addReservedPeer", json!([peer]))]
	{
		let answer = external.call(unsafe_method, params);
		let message = answer["error"]["message"].as_str().unwrap_or_default().to_owned();
		assert!(message.contains("unsafe"), "{unsafe_method} refused externally: {answer}");
	}
	drop(external);

	// By default the node listens on loopback only.
	let dir = tempfile::tempdir().expect("temporary directory");
	let mut local = IsolatedNode::start(dir.path(), &[]);
	let line = local.rpc_line();
	assert!(line.contains("127.0.0.1:9944") && !line.contains("0.0.0.0"), "loopback only: {line}");
	assert!(
		local.call("author_rotateKeys", json!([])).get("result").is_some(),
		"unsafe allowed on loopback"
	);
}
