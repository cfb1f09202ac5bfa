//! The chain client survives a node restart: one `sonm_client::Client`, connected before the
//! node is stopped, answers again once the node is back on the same port, without a new
//! `connect` (the reconnecting RPC client retries with backoff underneath).

use sonm_test_support::{Node, PATIENCE};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn the_client_reconnects_after_a_node_restart() {
	let dir = tempfile::tempdir().unwrap();
	let mut node = Node::dev(dir.path());
	let (url, rpc_port) = (node.url(), node.rpc_port);

	let deadline = Instant::now() + PATIENCE;
	let client = loop {
		match sonm_client::Client::connect(&url).await {
			Ok(client) => break client,
			Err(_) if Instant::now() < deadline => {
				tokio::time::sleep(Duration::from_millis(500)).await
			},
			Err(error) => panic!("the node never answered: {error}"),
		}
	};
	let bob = sonm_client::Key::dev("bob").unwrap().account_id();
	let (before, balance) = client.balance(&bob).await.unwrap();
	assert!(balance.free > 0);

	node.stop();
	node.restart();
	assert_eq!(node.rpc_port, rpc_port, "the node is back on the port the client knows");

	let deadline = Instant::now() + PATIENCE;
	let (after, balance_after) = loop {
		match client.balance(&bob).await {
			Ok(answer) => break answer,
			Err(_) if Instant::now() < deadline => {
				tokio::time::sleep(Duration::from_millis(500)).await
			},
			Err(error) => panic!("the same client never answered again: {error}"),
		}
	};
	assert!(after >= before, "the restarted node keeps its chain ({before} -> {after})");
	assert_eq!(balance_after.free, balance.free);
}
