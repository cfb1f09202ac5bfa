//! Signed bids against a real dev node: a customer signs a bid off chain, a supplier opens the
//! deal of its ask and that bid in one extrinsic; the same bid given to a second supplier loses
//! cleanly (`SignedBidUsed`), and an altered one is refused (`BadBidSignature`). Prints the time
//! from the signature to the deal in a block.

use sonm_client::{
	runtime::{
		self,
		market::events::DealOpened,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_market::types::OrderTerms,
		},
	},
	Client, Key, Static, Wait,
};
use sonm_primitives::{
	market::{Price, PriceUnit, Side},
	IdentityLevel,
};
use sonm_test_support::{workspace_bin, Node};
use std::time::Instant;

fn terms(side: Side) -> OrderTerms {
	OrderTerms {
		side: Static(side),
		price: Static(Price { per_second: 1_000_000_000_000, unit: PriceUnit::Snm }),
		duration: 3_600,
		counterparty: None,
		min_identity: Static(IdentityLevel::Anonymous),
		curator: None,
		tag: BoundedVec(b"signed-bid".to_vec()),
		benchmarks: BoundedVec(vec![0; 12]),
		netflags: 0,
		expires_at: None,
	}
}

/// `supplier` places an ask; its id.
async fn ask_of(client: &Client, supplier: &Key) -> u64 {
	let call = runtime::tx().market().place_order(terms(Side::Ask));
	let included = client.submit(&call, supplier, Wait::InBlock, |_| {}).await.expect("an ask");
	included.find::<runtime::market::events::OrderPlaced>().expect("OrderPlaced").id
}

fn module_error(error: sonm_client::ClientError) -> String {
	error
		.module_error()
		.map(|(_, name)| name.to_owned())
		.unwrap_or_else(|| error.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_bid_opens_a_deal_in_one_extrinsic_once() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&workspace_bin("sonm-node"), dir.path(), "dev", &["--dev"]);
	let client = Client::connect(&node.url()).await.expect("the dev node");
	let (bob, dave, charlie) =
		(Key::dev("bob").unwrap(), Key::dev("dave").unwrap(), Key::dev("charlie").unwrap());
	let bobs_ask = ask_of(&client, &bob).await;
	let daves_ask = ask_of(&client, &dave).await;
	let (_, now) = client.now().await.expect("the chain's time");

	let signed_at = Instant::now();
	let bid = client.sign_bid(terms(Side::Bid), 1, now + 600, &charlie);
	let opened = client
		.open_deal_with_signed_bid(bobs_ask, bid, &bob, Wait::InBlock, |_| {})
		.await
		.expect("the deal opens");
	let to_block = signed_at.elapsed();
	let deal = opened.find::<DealOpened>().expect("DealOpened");
	assert_eq!((deal.ask, deal.consumer), (bobs_ask, charlie.account_id()));
	println!("signed bid to deal in block #{}: {} ms", opened.block_number, to_block.as_millis());

	// Dave, given the same bid (its nonce signed again), loses cleanly: it was used.
	let same = client.sign_bid(terms(Side::Bid), 1, now + 600, &charlie);
	let lost = client
		.open_deal_with_signed_bid(daves_ask, same, &dave, Wait::InBlock, |_| {})
		.await
		.expect_err("a used bid");
	assert_eq!(module_error(lost), "SignedBidUsed");
	// Dave's ask is still open, for another customer.
	assert!(client.order(daves_ask).await.unwrap().is_some());

	// Altered after signing (another duration): refused, Dave's ask untouched.
	let mut altered = client.sign_bid(terms(Side::Bid), 2, now + 600, &charlie);
	altered.terms.duration = 7_200;
	let refused = client
		.open_deal_with_signed_bid(daves_ask, altered, &dave, Wait::InBlock, |_| {})
		.await
		.expect_err("an altered bid");
	assert_eq!(module_error(refused), "BadBidSignature");
	assert!(client.order(daves_ask).await.unwrap().is_some());
}
