//! The public testnet's chain spec from an operators' genesis file (`--chain testnet:FILE`):
//! `export-chain-spec --raw` makes the spec every operator runs, a validator started on it
//! authors and finalizes blocks, and the chain has no sudo key. `--chain testnet` without its
//! file, and a file whose masternode's balance does not cover its stake, are refused by name.

mod common;

use common::{NodeProcess, NODE_BIN};
use std::{path::Path, process::Command};

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const ALICE_GRANDPA: &str = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";

fn genesis_file(dir: &Path, balance: u64) -> String {
	let path = dir.join(format!("genesis-{balance}.json"));
	let genesis = serde_json::json!({
		"name": "SONM Testnet (test)",
		"id": "sonm_testnet_test",
		"bootNodes": [
			"/dns/boot-1.testnet.sonm.example/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"
		],
		"masternodes": [{ "account": ALICE, "aura": ALICE, "grandpa": ALICE_GRANDPA,
			"eth": "0xe04cc55ebee1cbce552f250e85c57b70b2e2625b", "stakeSnm": 20000 }],
		"balances": [{ "account": ALICE, "snm": balance }]
	});
	std::fs::write(&path, genesis.to_string()).unwrap();
	path.to_str().unwrap().to_owned()
}

fn export(chain: &str, raw: bool) -> std::process::Output {
	let mut command = Command::new(NODE_BIN);
	command.args(["export-chain-spec", "--chain", chain]);
	if raw {
		command.arg("--raw");
	}
	command.output().expect("sonm-node runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_testnet_from_its_genesis_file_runs_without_sudo() {
	let dir = tempfile::tempdir().unwrap();
	let file = genesis_file(dir.path(), 25_000);
	let exported = export(&format!("testnet:{file}"), true);
	assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
	let spec: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
	assert_eq!(spec["chainType"], "Live");
	assert_eq!(spec["id"], "sonm_testnet_test");
	assert_eq!(spec["properties"]["root"], "council");
	assert!(spec["genesis"]["raw"]["top"].is_object(), "a raw spec");
	let spec_path = dir.path().join("sonm-testnet.json");
	std::fs::write(&spec_path, &exported.stdout).unwrap();

	// Alice's node, her dev session keys in its keystore, authors and finalizes alone. A
	// validator of a live chain keeps a fixed node key (the node refuses to make one up).
	let node_key = dir.path().join("node-key");
	std::fs::write(&node_key, format!("{:064x}", 1)).unwrap();
	let node = NodeProcess::start(
		"alice",
		&dir.path().join("alice"),
		&[
			"--chain",
			spec_path.to_str().unwrap(),
			"--alice",
			"--node-key-file",
			node_key.to_str().unwrap(),
		],
	);
	node.rpc.wait_for_finalized(3).await;
	// No sudo key: `Sudo::Key` is empty.
	let key = [sp_io::hashing::twox_128(b"Sudo"), sp_io::hashing::twox_128(b"Key")].concat();
	assert_eq!(node.rpc.storage(&key, None).await, None, "the testnet has no sudo key");
}

#[test]
fn the_testnet_without_its_file_or_with_a_bad_one_is_refused_by_name() {
	let alone = export("testnet", false);
	assert!(!alone.status.success());
	assert!(String::from_utf8_lossy(&alone.stderr).contains("testnet:FILE"));

	let dir = tempfile::tempdir().unwrap();
	let short = export(&format!("testnet:{}", genesis_file(dir.path(), 20_000)), false);
	assert!(!short.status.success());
	let said = String::from_utf8_lossy(&short.stderr);
	assert!(said.contains("does not cover its stake"), "{said}");
}
