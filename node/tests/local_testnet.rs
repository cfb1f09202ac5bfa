//! Four validators of `--chain local` on loopback: they connect, produce and finalize blocks,
//! and finality goes on with one of the four stopped (three of four votes exceed two thirds).

mod common;

use common::NodeProcess;

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_finalize_and_survive_one_stopped() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let mut nodes: Vec<NodeProcess> = common::local_network(
		dir.path(),
		&[("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")],
	);

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
