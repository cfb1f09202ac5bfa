//! End-to-end tests of a real `sonm-node --dev`: block production and finality, a signed
//! balance transfer over JSON-RPC, persistence across a restart, and rejection of garbage.

mod common;

use common::{fee_paid, signed_extrinsic, NodeProcess};
use jsonrpsee::rpc_params;
use sonm_runtime::{genesis_config_presets::DEV_ENDOWMENT, BalancesCall, RuntimeEvent, SNM};
use sp_keyring::Sr25519Keyring::{Bob, Charlie};

#[tokio::test(flavor = "multi_thread")]
async fn dev_chain_transfers_and_keeps_its_state_across_a_restart() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let base = dir.path().join("dev");
	let mut node = NodeProcess::start("dev", &base, &["--dev"]);
	let rpc = node.rpc.clone();

	// Blocks are produced and finalized.
	rpc.wait_for_best(3).await;
	rpc.wait_for_finalized(2).await;
	assert!(base.join("chains/sonm_dev/paritydb/full").is_dir(), "the node stores in ParityDB");

	// A signed transfer from Charlie to Bob.
	let (charlie, bob) = (Charlie.to_account_id(), Bob.to_account_id());
	assert_eq!(rpc.free_balance(&charlie).await, DEV_ENDOWMENT);
	assert_eq!(rpc.free_balance(&bob).await, DEV_ENDOWMENT);
	let amount = 5 * SNM;
	let call = BalancesCall::transfer_keep_alive { dest: bob.clone().into(), value: amount };
	let nonce = rpc.next_nonce(&charlie).await;
	let genesis = rpc.genesis_hash().await;
	let (start, _) = rpc.best().await.expect("best block");
	let extrinsic = signed_extrinsic(Charlie, nonce, call.into(), genesis);
	let block = rpc.submit_and_wait(&extrinsic, start).await;

	// The block's events show the transfer and the fee Charlie paid for it.
	let events = rpc.events(block).await;
	let transferred = events.iter().any(|record| {
		matches!(
			&record.event,
			RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount: a })
				if *from == charlie && *to == bob && *a == amount
		)
	});
	assert!(transferred, "a Transfer event from Charlie to Bob: {events:?}");
	let block_events: Vec<RuntimeEvent> =
		events.iter().map(|record| record.event.clone()).collect();
	let fee = fee_paid(&block_events, &charlie);
	assert!(fee > 0, "transactions are not free");

	// Balances at the best block.
	rpc.wait_for_best(rpc.best().await.unwrap().0 + 1).await;
	assert_eq!(rpc.free_balance(&bob).await, DEV_ENDOWMENT + amount);
	assert_eq!(rpc.free_balance(&charlie).await, DEV_ENDOWMENT - amount - fee);

	// Stop, restart on the same base path: the chain goes on from the same best block.
	let (best_before, hash_before) = rpc.best().await.expect("best block");
	let (rpc_port, p2p_port) = (node.rpc_port, node.p2p_port);
	node.stop();
	assert!(!node.is_running());
	let node = NodeProcess::start_on_ports("dev", &base, &["--dev"], rpc_port, p2p_port);
	let rpc = node.rpc.clone();
	let (best_after, _) =
		common::wait_for("the restarted node to answer", || async { rpc.best().await }).await;
	assert!(best_after >= best_before, "best block went back from {best_before} to {best_after}");
	assert_eq!(rpc.block_hash(best_before).await, Some(hash_before), "same chain after restart");
	assert_eq!(rpc.free_balance(&bob).await, DEV_ENDOWMENT + amount);
	rpc.wait_for_best(best_before + 2).await;
	rpc.wait_for_finalized(best_before + 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_is_refused_and_the_node_keeps_finalizing_and_reporting() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let node = NodeProcess::start("garbage", &dir.path().join("dev"), &["--dev"]);
	let rpc = node.rpc.clone();
	let (start, _) = rpc.wait_for_best(1).await;

	for garbage in ["0xdeadbeef", "0x", "0x00", "not hex at all"] {
		let result = rpc.call("author_submitExtrinsic", rpc_params![garbage]).await;
		let error = result.expect_err("garbage is refused");
		assert!(!error.is_empty(), "the refusal names a reason");
	}
	// A well-formed extrinsic with a bad signature is refused too.
	let genesis = rpc.genesis_hash().await;
	let call = BalancesCall::transfer_keep_alive { dest: Bob.to_account_id().into(), value: SNM };
	let mut forged = signed_extrinsic(Charlie, 0, call.into(), genesis);
	let last = forged.len() - 1;
	forged[last - 40] ^= 0xff;
	let error = rpc
		.call("author_submitExtrinsic", rpc_params![common::to_hex(&forged)])
		.await
		.expect_err("a tampered extrinsic is refused");
	assert!(!error.is_empty());

	rpc.wait_for_best(start + 3).await;
	let finalized = rpc.wait_for_finalized(start + 1).await;
	assert_eq!(rpc.free_balance(&Bob.to_account_id()).await, DEV_ENDOWMENT);

	// The node's own RPC methods are served, and Prometheus sees the finalized chain.
	let methods = rpc.call("rpc_methods", rpc_params![]).await.expect("rpc_methods");
	for method in ["system_accountNextIndex", "payment_queryInfo", "payment_queryFeeDetails"] {
		assert!(methods["methods"].as_array().unwrap().iter().any(|m| m == method), "{method}");
	}
	// The metrics task refreshes every few seconds: wait for it to catch up.
	common::wait_for("Prometheus to report the finalized height", || async {
		node.metric("substrate_block_height", "status=\"finalized\"")
			.filter(|height| *height >= f64::from(finalized))
	})
	.await;
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &std::path::Path) -> usize {
	std::fs::read_dir(dir).map_or(0, |entries| {
		entries
			.flatten()
			.map(|entry| {
				let path = entry.path();
				if path.is_dir() {
					files_under(&path)
				} else {
					1
				}
			})
			.sum()
	})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_node_starts_from_the_runtime_cache_with_the_same_genesis() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let cache = dir.path().join("cache");
	let cache_arg = cache.to_str().expect("a UTF-8 path");
	let args = ["--dev", "--runtime-cache", cache_arg];
	let log = |name: &str| {
		std::fs::read_to_string(dir.path().join(format!("{name}.log"))).expect("the node's log")
	};

	// The first node builds the genesis from the runtime's preset and keeps the spec with it.
	let first = NodeProcess::start("first", &dir.path().join("first"), &args);
	first.rpc.wait_for_best(1).await;
	let genesis = first.rpc.genesis_hash().await;
	assert!(log("first").contains("the dev chain's genesis built, kept in"), "the first built it");
	let specs: Vec<_> = std::fs::read_dir(cache.join("chain-spec"))
		.expect("a chain-spec folder in the cache")
		.flatten()
		.map(|entry| entry.path())
		.collect();
	assert_eq!(specs.len(), 1, "one spec kept: {specs:?}");
	let spec = specs[0].clone();
	let name = spec.file_name().unwrap().to_string_lossy().to_string();
	assert!(name.starts_with("dev-") && name.ends_with(".json"), "{name}");
	let kept: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&spec).unwrap()).expect("the spec is JSON");
	assert!(kept["genesis"]["raw"]["top"].is_object(), "the spec holds its genesis state, raw");
	assert!(files_under(&cache.join("wasmtime")) > 0, "wasmtime kept the compiled runtime");
	drop(first);

	// A second node, on a database of its own, takes the kept genesis (the spec file is not
	// written again).
	let written = std::fs::metadata(&spec).unwrap().modified().unwrap();
	let second = NodeProcess::start("second", &dir.path().join("second"), &args);
	second.rpc.wait_for_best(2).await;
	assert_eq!(second.rpc.genesis_hash().await, genesis, "the same chain");
	let second_log = log("second");
	assert!(second_log.contains("the dev chain's genesis from"), "the second took the kept one");
	assert!(!second_log.contains("built, kept in"), "the second built no genesis");
	assert_eq!(std::fs::metadata(&spec).unwrap().modified().unwrap(), written);
	drop(second);

	// A damaged spec is built again, and the chain is still the same.
	std::fs::write(&spec, b"{ not a chain spec").unwrap();
	let third = NodeProcess::start("third", &dir.path().join("third"), &args);
	third.rpc.wait_for_best(1).await;
	assert_eq!(third.rpc.genesis_hash().await, genesis, "the same chain from a rebuilt spec");
	let third_log = log("third");
	assert!(third_log.contains("unreadable"), "the damaged spec is named in the log");
	assert!(third_log.contains("the dev chain's genesis built, kept in"), "and built again");
	let rebuilt: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&spec).unwrap()).expect("a good spec again");
	assert!(rebuilt["genesis"]["raw"]["top"].is_object());
}
