//! `state_check URL`: every pallet's `try_state` and the fuzzer's balance checks
//! (`sonm_fuzz::check_invariants`) against the finalized state of a running node, read over its
//! JSON-RPC (`state_getKeysPaged`, `state_queryStorageAt`) into a native copy of the runtime
//! built with `try-runtime`. `scripts/try-state.sh` runs it after putting a dev chain through
//! the market, the trust pallets and staking.

// In the libFuzzer build the project's crates carry coverage instrumentation
// (scripts/fuzz-rustc.sh), whose hooks libFuzzer's runtime provides: linked there, though
// nothing is fuzzed. The test suite's debug build has neither.
#[cfg(feature = "libfuzzer")]
use libfuzzer_sys as _;
use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	net::TcpStream,
	time::Instant,
};

/// Keys asked for per page.
const PAGE: usize = 1000;

/// One JSON-RPC call over HTTP to `host:port`; the `result`, or the error as text.
fn call(address: &str, method: &str, params: Value) -> Result<Value, String> {
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let mut stream = TcpStream::connect(address).map_err(|e| format!("{address}: {e}"))?;
	let head = format!(
		"POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	);
	stream
		.write_all(head.as_bytes())
		.and_then(|_| stream.write_all(body.as_bytes()))
		.map_err(|e| e.to_string())?;
	let mut answer = Vec::new();
	stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
	let start = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or("not an HTTP answer")? + 4;
	let mut value: Value =
		serde_json::from_slice(&answer[start..]).map_err(|e| format!("{method}: {e}"))?;
	match value.get("error") {
		Some(error) => Err(format!("{method}: {error}")),
		None => Ok(value["result"].take()),
	}
}

fn bytes(hex_text: &Value) -> Result<Vec<u8>, String> {
	let text = hex_text.as_str().ok_or("not a string")?;
	hex::decode(text.trim_start_matches("0x")).map_err(|e| e.to_string())
}

fn main() {
	let url = std::env::args().nth(1).unwrap_or_else(|| {
		eprintln!("usage: state_check http://127.0.0.1:PORT");
		std::process::exit(2);
	});
	let address = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
	if let Err(error) = check(&address) {
		eprintln!("state_check: {error}");
		std::process::exit(1);
	}
}

fn check(address: &str) -> Result<(), String> {
	let started = Instant::now();
	let head = call(address, "chain_getFinalizedHead", json!([]))?;
	let header = call(address, "chain_getHeader", json!([head]))?;
	let number = u32::from_str_radix(
		header["number"]
			.as_str()
			.ok_or("a header has a number")?
			.trim_start_matches("0x"),
		16,
	)
	.map_err(|e| e.to_string())?;
	let mut keys: Vec<Value> = Vec::new();
	loop {
		let start = keys.last().cloned().unwrap_or(Value::Null);
		let page = call(address, "state_getKeysPaged", json!(["0x", PAGE, start, head]))?;
		let page = page.as_array().cloned().ok_or("a page of keys")?;
		let done = page.len() < PAGE;
		keys.extend(page);
		if keys.len() % 10_000 < PAGE {
			eprintln!("state_check: {} keys read", keys.len());
		}
		if done {
			break;
		}
	}
	let mut top = std::collections::BTreeMap::new();
	let mut size = 0;
	for chunk in keys.chunks(PAGE) {
		let sets = call(address, "state_queryStorageAt", json!([chunk, head]))?;
		for change in sets[0]["changes"].as_array().ok_or("changes")? {
			if change[1].is_null() {
				continue;
			}
			let value = bytes(&change[1])?;
			size += value.len();
			top.insert(bytes(&change[0])?, value);
		}
	}
	println!(
		"state_check: the finalized state at #{number} ({}): {} keys, {} KiB",
		head.as_str().unwrap_or_default(),
		top.len(),
		size / 1024
	);
	let storage = sp_runtime::Storage { top, children_default: Default::default() };
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		frame_system::Pallet::<sonm_runtime::Runtime>::set_block_number(number);
		sonm_fuzz::check_invariants(number)
	})?;
	let orders =
		ext.execute_with(|| pallet_market::Orders::<sonm_runtime::Runtime>::iter().count());
	let deals = ext.execute_with(|| pallet_market::Deals::<sonm_runtime::Runtime>::iter().count());
	println!(
		"state_check: every pallet's try_state and the balance sum hold ({orders} open orders, {deals} deals; {:.1} s)",
		started.elapsed().as_secs_f64()
	);
	Ok(())
}
