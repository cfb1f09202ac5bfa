//! `state_check URL [--on-runtime-upgrade | --broken-migration | --upgraded]` (and
//! `rehearsal_check`, the same built with `upgrade-rehearsal`): every pallet's `try_state` and
//! the fuzzer's balance checks (`sonm_fuzz::check_invariants`) against the finalized state
//! of a running node, read over its JSON-RPC (`state_getKeysPaged`, `state_queryStorageAt`) into
//! a native copy of the runtime built with `try-runtime`. `scripts/try-state.sh` runs it after
//! putting a dev chain through the market, the trust pallets and staking.
//!
//! `--on-runtime-upgrade` first runs what an upgrade to this build's runtime would run on that
//! state (try-runtime's `on-runtime-upgrade`: every migration with its `pre_upgrade` and
//! `post_upgrade` checks, the whole state decoded, every `try_state`) and prints the migrations'
//! weight. Built with `upgrade-rehearsal`, that is the market's layout 2 → 3.
//! `--broken-migration` (with `upgrade-rehearsal`) runs the deliberately broken layout 2 → 3
//! with the real checks instead, and fails when they catch it, as they must. `--upgraded`
//! checks a chain that ran a real upgrade to this build's runtime: the whole state decodes, the
//! market's storage version is this build's and every deal has its end.

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

/// What to run before the checks of the state.
#[derive(Clone, Copy, PartialEq)]
pub enum Upgrade {
	/// Nothing: the state as it is.
	None,
	/// This build's migrations, with their checks.
	Migrations,
	/// The broken migration, with the real checks.
	Broken,
	/// Nothing, on a chain already upgraded to this build's runtime: the whole state decodes,
	/// the market's storage version is this build's, every deal has its end.
	Upgraded,
}

/// The command line of `state_check` and `rehearsal_check` (`program` names it in the usage).
pub fn main(program: &str) {
	let usage = || -> ! {
		eprintln!(
			"usage: {program} http://127.0.0.1:PORT [--on-runtime-upgrade | --broken-migration | --upgraded]"
		);
		std::process::exit(2);
	};
	let mut args = std::env::args().skip(1);
	let url = args.next().unwrap_or_else(|| usage());
	let upgrade = match args.next().as_deref() {
		None => Upgrade::None,
		Some("--on-runtime-upgrade") => Upgrade::Migrations,
		Some("--broken-migration") => Upgrade::Broken,
		Some("--upgraded") => Upgrade::Upgraded,
		Some(_) => usage(),
	};
	let address = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
	if let Err(error) = check(&address, upgrade) {
		eprintln!("{program}: {error}");
		std::process::exit(1);
	}
}

/// Runs `upgrade` on the state; its weight.
fn run_upgrade(upgrade: Upgrade) -> Result<sp_runtime::Weight, String> {
	use frame_support::traits::UpgradeCheckSelect;
	match upgrade {
		Upgrade::None => Ok(Default::default()),
		Upgrade::Migrations => {
			sonm_runtime::Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
				.map_err(|e| format!("on-runtime-upgrade: {e:?}"))
		},
		#[cfg(feature = "upgrade-rehearsal")]
		Upgrade::Broken => {
			use frame_support::traits::OnRuntimeUpgrade;
			if pallet_market::Deals::<sonm_runtime::Runtime>::iter_keys().next().is_none() {
				return Err("the broken migration needs a deal to lose: the chain has none".into());
			}
			<frame_support::migrations::VersionedMigration<
				2,
				3,
				pallet_market::migrations::v3::BrokenDealsGainTheirEnd<sonm_runtime::Runtime>,
				pallet_market::Pallet<sonm_runtime::Runtime>,
				<sonm_runtime::Runtime as frame_system::Config>::DbWeight,
			> as OnRuntimeUpgrade>::try_on_runtime_upgrade(true)
			.map_err(|e| format!("the broken migration was refused: {e:?}"))
		},
		#[cfg(not(feature = "upgrade-rehearsal"))]
		Upgrade::Broken => Err("--broken-migration needs the `upgrade-rehearsal` build".into()),
		Upgrade::Upgraded => {
			use frame_support::traits::{GetStorageVersion, TryDecodeEntireStorage};
			let bytes = sonm_runtime::AllPalletsWithSystem::try_decode_entire_state()
				.map_err(|errors| format!("the state does not decode: {errors:?}"))?;
			let market = pallet_market::Pallet::<sonm_runtime::Runtime>::on_chain_storage_version();
			let built = pallet_market::Pallet::<sonm_runtime::Runtime>::in_code_storage_version();
			if market != built {
				return Err(format!("the market's storage is {market:?}, this build's {built:?}"));
			}
			#[cfg(feature = "upgrade-rehearsal")]
			{
				let deals = pallet_market::migrations::v3::every_deal_has_its_end::<
					sonm_runtime::Runtime,
				>()
				.map_err(|e| format!("after the upgrade: {e:?}"))?;
				println!("state_check: {} deals, each with its end", deals.count);
			}
			println!(
				"state_check: the whole state decodes ({bytes} bytes), market storage {market:?}"
			);
			Ok(Default::default())
		},
	}
}

pub fn check(address: &str, upgrade: Upgrade) -> Result<(), String> {
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
		let migrates = matches!(upgrade, Upgrade::Migrations | Upgrade::Broken);
		// The deals the migrations start from, counted only where they run.
		let deals = migrates
			.then(|| pallet_market::Deals::<sonm_runtime::Runtime>::iter_keys().count());
		let weight = run_upgrade(upgrade)?;
		if let Some(deals) = deals {
			let block = <sonm_runtime::Runtime as frame_system::Config>::BlockWeights::get();
			println!(
				"state_check: on-runtime-upgrade ran, its checks held: {deals} deals, weight {} ps ({:.2} % of a block), {} bytes of proof",
				weight.ref_time(),
				weight.ref_time() as f64 * 100.0 / block.max_block.ref_time() as f64,
				weight.proof_size()
			);
		}
		crate::check_invariants(number)
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
