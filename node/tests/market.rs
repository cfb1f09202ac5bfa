//! The market end to end against a real `sonm-node --dev`: orders placed with signed
//! extrinsics, the compatible ones found through `market_*` RPC, a deal opened by a third
//! account, billed, and closed early by the customer with the exact proportional refund checked
//! from balances and block timestamps.

mod common;

use common::{fee_paid, NodeProcess};
use jsonrpsee::rpc_params;
use pallet_market::{CloseReason, OrderTerms, Price, PriceUnit, Side};
use serde_json::Value;
use sonm_primitives::{netflags, IdentityLevel};
use sonm_runtime::{
	configs::market::{FeePot, MarketFee, OrderDeposit},
	genesis_config_presets::DEV_ENDOWMENT,
	Balance, Runtime, RuntimeCall, RuntimeEvent, MILLI_SNM,
};
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring::{self, Bob, Charlie, Dave, Eve, Ferdie};

/// How long the customer's bid rents for: ten minutes.
const DURATION: u64 = 600;

fn terms(side: Side, per_second: Balance, duration: u64, benchmark: u64) -> OrderTerms<Runtime> {
	OrderTerms {
		side,
		price: Price { per_second, unit: PriceUnit::Snm },
		duration,
		counterparty: None,
		min_identity: IdentityLevel::Anonymous,
		curator: None,
		tag: b"e2e".to_vec().try_into().expect("short tag"),
		benchmarks: vec![benchmark; 12].try_into().expect("12 benchmarks fit"),
		netflags: match side {
			Side::Ask => netflags::ALL,
			Side::Bid => netflags::OUTBOUND,
		},
		expires_at: None,
	}
}

fn market_events(events: &[RuntimeEvent]) -> Vec<pallet_market::Event<Runtime>> {
	events
		.iter()
		.filter_map(|event| match event {
			RuntimeEvent::Market(event) => Some(event.clone()),
			_ => None,
		})
		.collect()
}

/// The first market event of `events` that `pick` accepts; panics when there is none.
fn find_market_event<R>(
	events: &[RuntimeEvent],
	pick: impl Fn(&pallet_market::Event<Runtime>) -> Option<R>,
) -> R {
	market_events(events)
		.iter()
		.find_map(pick)
		.unwrap_or_else(|| panic!("no such market event among {events:?}"))
}

/// Places an order for `author` and returns its id and the fee paid.
async fn place(
	rpc: &common::Rpc,
	author: Sr25519Keyring,
	terms: OrderTerms<Runtime>,
) -> (u64, Balance) {
	let call = RuntimeCall::Market(pallet_market::Call::place_order { terms });
	let (_, events) = rpc.submit_call(author, call).await;
	let id = find_market_event(&events, |event| match event {
		pallet_market::Event::OrderPlaced { id, .. } => Some(*id),
		_ => None,
	});
	(id, fee_paid(&events, &author.to_account_id()))
}

fn ids(orders: &Value) -> Vec<u64> {
	orders
		.as_array()
		.expect("a list of orders")
		.iter()
		.map(|order| order["id"].as_u64().expect("an order id"))
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ask_and_a_bid_make_a_deal_that_is_billed_and_refunded_in_proportion() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let node = NodeProcess::start("market", &dir.path().join("dev"), &["--dev"]);
	let rpc = node.rpc.clone();
	rpc.wait_for_best(1).await;
	let (supplier, customer) = (Eve.to_account_id(), Bob.to_account_id());
	let price = MILLI_SNM;

	// The book: Eve's ask, Bob's bid, an ask too dear for Bob, a bid Eve's hardware cannot
	// serve.
	let (ask, supplier_fee) = place(&rpc, Eve, terms(Side::Ask, price, 3_600, 100)).await;
	let (bid, mut customer_fees) = place(&rpc, Bob, terms(Side::Bid, price, DURATION, 10)).await;
	let (dear_ask, _) = place(&rpc, Charlie, terms(Side::Ask, 2 * price, 3_600, 100)).await;
	let (demanding_bid, dave_fee) =
		place(&rpc, Dave, terms(Side::Bid, price, DURATION, 1_000)).await;

	// market_*: the bid is compatible with the ask, and the ask with the bid; the others not.
	let for_ask = rpc.call("market_matchingOrders", rpc_params![ask, 10]).await.expect("matching");
	println!("market_matchingOrders [{ask}, 10] -> {for_ask:#}");
	assert_eq!(ids(&for_ask), vec![bid], "Dave's bid wants more than Eve offers: {for_ask}");
	assert_eq!(for_ask[0]["author"], customer.to_ss58check());
	assert_eq!(for_ask[0]["escrow"], (price * DURATION as Balance).to_string());
	let for_bid = rpc.call("market_matchingOrders", rpc_params![bid, 10]).await.expect("matching");
	assert_eq!(ids(&for_bid), vec![ask], "Charlie's ask is above Bob's price: {for_bid}");
	let asks = rpc
		.call("market_orders", rpc_params![serde_json::json!({ "side": "Ask" })])
		.await
		.expect("orders");
	assert_eq!(ids(&asks), vec![ask, dear_ask]);
	let by_dave = rpc
		.call(
			"market_orders",
			rpc_params![serde_json::json!({ "author": Dave.to_account_id().to_ss58check() })],
		)
		.await
		.expect("orders");
	assert_eq!(ids(&by_dave), vec![demanding_bid]);
	let refused = rpc.call("market_orders", rpc_params![Value::Null, 0, 5_000]).await.unwrap_err();
	assert!(refused.contains("above the maximum"), "{refused}");

	// Ferdie, a matcher with no part in the deal, opens it.
	let open = RuntimeCall::Market(pallet_market::Call::open_deal { ask, bid });
	let (open_block, events) = rpc.submit_call(Ferdie, open).await;
	let deal = find_market_event(&events, |event| match event {
		pallet_market::Event::DealOpened { id, .. } => Some(*id),
		_ => None,
	});
	let start = rpc.timestamp_secs(open_block).await;
	let shown = rpc.call("market_deal", rpc_params![deal]).await.expect("deal");
	println!("market_deal [{deal}] -> {shown:#}");
	assert_eq!(shown["start"], start);
	assert_eq!(shown["end"], start + DURATION);
	assert_eq!(shown["escrow"], (price * DURATION as Balance).to_string());
	let of_bob = rpc.call("market_dealsOf", rpc_params![customer.to_ss58check()]).await.unwrap();
	assert_eq!(of_bob[0]["id"], deal);
	// Paged from a cursor: from the deal's id on it is there, past it nothing is.
	let bob = customer.to_ss58check();
	let page = |from: u64| rpc_params![bob.clone(), from, 10];
	assert_eq!(ids(&rpc.call("market_dealsOf", page(deal)).await.unwrap()), vec![deal]);
	assert_eq!(ids(&rpc.call("market_dealsOf", page(deal + 1)).await.unwrap()), Vec::<u64>::new());
	let refused = rpc
		.call("market_dealsOf", rpc_params![bob.clone(), 0, 5_000])
		.await
		.unwrap_err();
	assert!(refused.contains("above the maximum"), "{refused}");
	assert_eq!(
		ids(&rpc.call("market_matchingOrders", rpc_params![dear_ask, 10]).await.unwrap()),
		Vec::<u64>::new()
	);

	// A few blocks later Ferdie bills it; then Bob closes it early.
	let mut payments: Vec<(Balance, Balance)> = Vec::new();
	// (paid to the supplier, fee) of each bill, and what moved from escrow into the fee pot.
	let mut into_pot: Balance = 0;
	let mut record_payments = |events: &[RuntimeEvent], payments: &mut Vec<(Balance, Balance)>| {
		for event in market_events(events) {
			if let pallet_market::Event::DealBilled { amount, fee, payee, .. } = event {
				assert_eq!(payee, supplier);
				payments.push((amount, fee));
			}
		}
		into_pot += events
			.iter()
			.filter_map(|event| match event {
				RuntimeEvent::Balances(pallet_balances::Event::TransferOnHold {
					dest,
					amount,
					..
				}) if *dest == FeePot::get() => Some(*amount),
				_ => None,
			})
			.sum::<Balance>();
	};
	let (now, _) = rpc.best().await.unwrap();
	rpc.wait_for_best(now + 3).await;
	let (_, events) = rpc
		.submit_call(Ferdie, RuntimeCall::Market(pallet_market::Call::bill { id: deal }))
		.await;
	record_payments(&events, &mut payments);
	assert_eq!(payments.len(), 1, "billed once: {events:?}");
	let close = RuntimeCall::Market(pallet_market::Call::close_deal { id: deal, blacklist: false });
	let (close_block, events) = rpc.submit_call(Bob, close).await;
	customer_fees += fee_paid(&events, &customer);
	record_payments(&events, &mut payments);
	let refund = find_market_event(&events, |event| match event {
		pallet_market::Event::DealClosed { id, reason: CloseReason::ByCustomer, refund }
			if *id == deal =>
		{
			Some(*refund)
		},
		_ => None,
	});

	// Bob paid for exactly the seconds the deal ran and got the rest back.
	let ran = rpc.timestamp_secs(close_block).await - start;
	assert!(ran > 0 && ran < DURATION, "closed early, after {ran} s");
	let used = price * ran as Balance;
	assert_eq!(refund, price * (DURATION - ran) as Balance, "the refund is proportional");
	let paid: Balance = payments.iter().map(|(amount, fee)| amount + fee).sum();
	assert_eq!(paid, used);
	for (amount, fee) in &payments {
		assert_eq!(*fee, MarketFee::get() * (amount + fee), "1% of each payment is the fee");
	}
	let to_supplier: Balance = payments.iter().map(|(amount, _)| amount).sum();
	let to_pot: Balance = payments.iter().map(|(_, fee)| fee).sum();
	assert!(to_pot > 0);

	// Balances at the closing block: deposits and escrow are back, payments moved.
	let at = Some(close_block);
	assert_eq!(rpc.free_balance_at(&customer, at).await, DEV_ENDOWMENT - customer_fees - used);
	assert_eq!(
		rpc.free_balance_at(&supplier, at).await,
		DEV_ENDOWMENT - supplier_fee + to_supplier
	);
	// The fee went into the pot (which also takes half of every transaction fee and pays the
	// masternodes every session, so its balance is not compared).
	assert_eq!(into_pot, to_pot);
	// Dave's bid still holds its deposit and escrow.
	let dave_held = OrderDeposit::get() + price * DURATION as Balance;
	assert_eq!(
		rpc.free_balance_at(&Dave.to_account_id(), at).await,
		DEV_ENDOWMENT - dave_fee - dave_held
	);

	// The deal and the consumed orders are gone from the market's reads.
	assert_eq!(rpc.call("market_deal", rpc_params![deal]).await.unwrap(), Value::Null);
	assert_eq!(rpc.call("market_order", rpc_params![bid]).await.unwrap(), Value::Null);
	assert_eq!(
		rpc.call("market_dealsOf", rpc_params![customer.to_ss58check()]).await.unwrap(),
		serde_json::json!([])
	);
}
