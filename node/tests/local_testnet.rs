//! Four validators of `--chain local` on loopback: they connect, produce and finalize blocks,
//! and finality goes on with one of the four stopped (three of four votes exceed two thirds).

mod common;

use common::NodeProcess;

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_finalize_and_survive_one_stopped() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let validators = ["alice", "bob", "charlie", "dave"];

	// Fixed node keys, so that the others can name Alice's node as their boot node.
	let key_files: Vec<_> = (1..=validators.len())
		.map(|i| {
			let path = dir.path().join(format!("node-key-{i}"));
			std::fs::write(&path, format!("{i:064x}")).expect("key file written");
			path
		})
		.collect();
	let boot_port = common::free_port();
	let boot_node =
		format!("/ip4/127.0.0.1/tcp/{boot_port}/p2p/{}", common::peer_id(&key_files[0]));

	let mut nodes: Vec<NodeProcess> = validators
		.iter()
		.zip(&key_files)
		.enumerate()
		.map(|(i, (name, key_file))| {
			let flag = format!("--{name}");
			let key_file = key_file.to_str().expect("utf-8 path");
			let mut args = vec!["--chain", "local", &flag, "--node-key-file", key_file];
			args.push("--allow-private-ip");
			if i > 0 {
				args.extend(["--bootnodes", &boot_node]);
			}
			let base = dir.path().join(name);
			let p2p = if i == 0 { boot_port } else { common::free_port() };
			NodeProcess::start_on_ports(name, &base, &args, common::free_port(), p2p)
		})
		.collect();

	// All four see each other and finality advances.
	for node in &nodes {
		let rpc = node.rpc.clone();
		common::wait_for("three peers", || async {
			let health = rpc.call("system_health", jsonrpsee::rpc_params![]).await.ok()?;
			(health["peers"].as_u64()? >= 3).then_some(())
		})
		.await;
	}
	let alice = nodes[0].rpc.clone();
	let finalized = alice.wait_for_finalized(3).await;

	// Dave goes down hard; the three others keep finalizing.
	let mut dave = nodes.pop().expect("four nodes");
	dave.kill();
	let after_stop = alice.finalized_number().await.expect("finalized head");
	assert!(after_stop >= finalized);
	alice.wait_for_finalized(after_stop + 4).await;
	nodes[1].rpc.wait_for_finalized(after_stop + 4).await;
	for node in &mut nodes {
		assert!(node.is_running(), "validator on RPC port {} is still up", node.rpc_port);
	}
}
