//! Two programs signing as one account against a real dev node: a supplier's worker and its
//! `sonm` CLI, say. Each reads the account's next nonce from the node, so both can take the
//! same one; the node refuses the second at submission, and the client signs it again with the
//! next nonce. Two `Client`s stand for the two programs (each has its own signing turns, as
//! two processes do), and every transaction of both must land.

use sonm_client::{runtime, Client, Key, Wait};
use sonm_test_support::{workspace_bin, Node};

/// Transactions each of the two signers sends, one after the other.
const EACH: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_signers_of_one_account_both_land() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&workspace_bin("sonm-node"), dir.path(), "dev", &["--dev"]);
	let (first, second) = (
		Client::connect(&node.url()).await.expect("the dev node"),
		Client::connect(&node.url()).await.expect("the dev node"),
	);
	let dave = Key::dev("dave").unwrap();
	let before = first.next_nonce(&dave.account_id()).await.unwrap();
	// Both start together and send the next as soon as the last is in a block: each round both
	// read the same next nonce.
	let send_all = |client: Client, tag: u8| {
		let dave = dave.clone();
		async move {
			for k in 0..EACH {
				let call = runtime::tx().system().remark(vec![tag, k as u8]);
				client
					.submit(&call, &dave, Wait::InBlock, |_| {})
					.await
					.unwrap_or_else(|e| panic!("signer {tag}'s transaction {k}: {e}"));
			}
		}
	};
	tokio::join!(send_all(first.clone(), 1), send_all(second, 2));
	let after = first.next_nonce(&dave.account_id()).await.unwrap();
	assert_eq!(after - before, 2 * EACH as u64, "every transaction of both signers landed");
}
