//! Trust end to end against a real `sonm-node --dev`: root registers a KYC provider through
//! sudo, the provider certifies a supplier, and `market_matchingOrders` starts pairing the
//! supplier's ask with a bid that requires Identified; a blacklist entry pulls them apart again.
//! Every step is checked through the `kyc_*`, `blacklist_*` and `market_*` RPC methods.

mod common;

use common::{NodeProcess, Rpc};
use jsonrpsee::rpc_params;
use pallet_market::{OrderTerms, Price, PriceUnit, Side};
use serde_json::{json, Value};
use sonm_primitives::IdentityLevel;
use sonm_runtime::{Runtime, RuntimeCall, RuntimeEvent, MILLI_SNM, SNM};
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave};

fn terms(side: Side, min_identity: IdentityLevel) -> OrderTerms<Runtime> {
	OrderTerms {
		side,
		price: Price { per_second: MILLI_SNM, unit: PriceUnit::Snm },
		duration: 3_600,
		counterparty: None,
		min_identity,
		curator: None,
		tag: b"trust-e2e".to_vec().try_into().expect("short tag"),
		benchmarks: vec![10; 12].try_into().expect("12 benchmarks fit"),
		netflags: 0,
		expires_at: None,
	}
}

fn ss58(who: Sr25519Keyring) -> String {
	who.to_account_id().to_ss58check()
}

/// The ids of the orders in an RPC answer.
fn ids(orders: &Value) -> Vec<u64> {
	orders
		.as_array()
		.expect("a list")
		.iter()
		.map(|order| order["id"].as_u64().unwrap())
		.collect()
}

async fn matching(rpc: &Rpc, id: u64) -> Vec<u64> {
	ids(&rpc.call("market_matchingOrders", rpc_params![id, 10]).await.expect("matching"))
}

async fn place(rpc: &Rpc, who: Sr25519Keyring, terms: OrderTerms<Runtime>) -> u64 {
	let call = RuntimeCall::Market(pallet_market::Call::place_order { terms });
	rpc.submit_ok(who, call)
		.await
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Market(pallet_market::Event::OrderPlaced { id, .. }) => Some(*id),
			_ => None,
		})
		.expect("OrderPlaced")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_registered_by_sudo_certifies_a_supplier_and_the_market_matches_it() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let node = NodeProcess::start("trust", &dir.path().join("dev"), &["--dev"]);
	let rpc = node.rpc.clone();
	rpc.wait_for_best(1).await;

	// Alice offers hardware; Bob wants it only from an Identified supplier.
	let ask = place(&rpc, Alice, terms(Side::Ask, IdentityLevel::Anonymous)).await;
	let bid = place(&rpc, Bob, terms(Side::Bid, IdentityLevel::Identified)).await;
	assert_eq!(rpc.call("kyc_level", rpc_params![ss58(Alice)]).await.unwrap(), json!("Anonymous"));
	assert!(matching(&rpc, bid).await.is_empty());
	assert!(matching(&rpc, ask).await.is_empty());

	// Root (Alice holds the dev chain's sudo key) registers Dave as a provider.
	let fee = 2 * SNM;
	let register = RuntimeCall::Kyc(pallet_kyc::Call::register_provider {
		account: Dave.to_account_id(),
		name: b"Dave's KYC".to_vec().try_into().unwrap(),
		url: b"https://kyc.example/dave".to_vec().try_into().unwrap(),
		fee,
		max_level: IdentityLevel::Professional,
	});
	let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(register) });
	let events = rpc.submit_ok(Alice, sudo).await;
	assert!(
		events.iter().any(|event| matches!(
			event,
			RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Ok(()) })
		)),
		"{events:?}"
	);
	let providers = rpc.call("kyc_providers", rpc_params![]).await.expect("providers");
	println!("kyc_providers [] -> {providers:#}");
	assert_eq!(
		providers,
		json!([{
			"id": 0, "account": ss58(Dave), "name": "Dave's KYC",
			"url": "https://kyc.example/dave", "fee": fee.to_string(),
			"maxLevel": "Professional", "active": true,
		}])
	);

	// Alice asks Dave for Identified; the fee is held until he decides.
	let request = RuntimeCall::Kyc(pallet_kyc::Call::request_verification {
		provider: 0,
		level: IdentityLevel::Identified,
		max_fee: fee,
	});
	rpc.submit_ok(Alice, request).await;
	assert_eq!(
		rpc.call("kyc_requests", rpc_params![ss58(Alice)]).await.unwrap(),
		json!([{ "provider": 0, "level": "Identified", "fee": fee.to_string() }])
	);

	// Dave certifies her for a day, keeping the evidence off chain; the market now pairs the
	// orders both ways.
	let (_, best) = rpc.best().await.unwrap();
	let expires_at = rpc.timestamp_secs(best).await + 86_400;
	let certify = RuntimeCall::Kyc(pallet_kyc::Call::certify {
		provider: 0,
		who: Alice.to_account_id(),
		expires_at,
		evidence: [0x5e; 32],
	});
	rpc.submit_ok(Dave, certify).await;
	assert_eq!(rpc.call("kyc_level", rpc_params![ss58(Alice)]).await.unwrap(), json!("Identified"));
	let certifications = rpc.call("kyc_certifications", rpc_params![ss58(Alice)]).await.unwrap();
	println!("kyc_certifications [{}] -> {certifications:#}", ss58(Alice));
	assert_eq!(certifications[0]["expiresAt"], expires_at);
	assert_eq!(certifications[0]["evidence"], format!("0x{}", "5e".repeat(32)));
	assert_eq!(rpc.call("kyc_requests", rpc_params![ss58(Alice)]).await.unwrap(), json!([]));
	assert_eq!(matching(&rpc, bid).await, vec![ask]);
	assert_eq!(matching(&rpc, ask).await, vec![bid]);

	// Alice's profile is public once Dave approves exactly what she submitted.
	let attributes = pallet_kyc::ProfileAttributes {
		company: b"Alice Compute Ltd".to_vec().try_into().unwrap(),
		site_url: b"https://alice.example".to_vec().try_into().unwrap(),
		..Default::default()
	};
	let submit_profile = RuntimeCall::Kyc(pallet_kyc::Call::submit_profile { attributes });
	let hash = rpc
		.submit_ok(Alice, submit_profile)
		.await
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Kyc(pallet_kyc::Event::ProfileSubmitted { hash, .. }) => Some(*hash),
			_ => None,
		})
		.expect("ProfileSubmitted");
	assert_eq!(rpc.call("kyc_profile", rpc_params![ss58(Alice)]).await.unwrap(), Value::Null);
	let approve = RuntimeCall::Kyc(pallet_kyc::Call::approve_profile {
		provider: Some(0),
		who: Alice.to_account_id(),
		hash,
	});
	rpc.submit_ok(Dave, approve).await;
	let profile = rpc.call("kyc_profile", rpc_params![ss58(Alice)]).await.unwrap();
	println!("kyc_profile [{}] -> {profile:#}", ss58(Alice));
	assert_eq!(profile["company"], "Alice Compute Ltd");
	assert_eq!(profile["approvedBy"], json!({ "provider": 0 }));

	// Charlie publishes a curated list with Alice on it and Bob subscribes: no match again.
	let publish = RuntimeCall::Blacklist(pallet_blacklist::Call::publish_list {
		name: b"Charlie's picks".to_vec().try_into().unwrap(),
		description: b"Suppliers Charlie would not rent from".to_vec().try_into().unwrap(),
	});
	rpc.submit_ok(Charlie, publish).await;
	let add = RuntimeCall::Blacklist(pallet_blacklist::Call::add { whom: Alice.to_account_id() });
	rpc.submit_ok(Charlie, add).await;
	let subscribe =
		RuntimeCall::Blacklist(pallet_blacklist::Call::subscribe { list: Charlie.to_account_id() });
	rpc.submit_ok(Bob, subscribe).await;
	let lists = rpc.call("blacklist_curatedLists", rpc_params![]).await.unwrap();
	assert_eq!(lists[0]["curator"], ss58(Charlie));
	assert_eq!(lists[0]["name"], "Charlie's picks");
	assert_eq!(
		rpc.call("blacklist_list", rpc_params![ss58(Charlie)]).await.unwrap(),
		json!([ss58(Alice)])
	);
	assert_eq!(
		rpc.call("blacklist_subscriptions", rpc_params![ss58(Bob)]).await.unwrap(),
		json!([ss58(Charlie)])
	);
	let blocked = rpc.call("blacklist_isBlocked", rpc_params![ss58(Bob), ss58(Alice)]).await;
	assert_eq!(blocked.unwrap(), json!(true));
	let blocked = rpc.call("blacklist_isBlocked", rpc_params![ss58(Alice), ss58(Bob)]).await;
	assert_eq!(blocked.unwrap(), json!(false));
	assert!(matching(&rpc, bid).await.is_empty());
	assert!(matching(&rpc, ask).await.is_empty());

	// What an off-chain matcher reads, in one call: the same answers as the one-at-a-time
	// methods, in the order asked.
	let facts = json!([
		{ "level": ss58(Alice) },
		{ "level": ss58(Bob) },
		{ "blocked": [ss58(Bob), ss58(Alice)] },
		{ "blocked": [ss58(Alice), ss58(Bob)] },
		{ "master": ss58(Alice) },
	]);
	let answers = rpc.call("market_matchFacts", rpc_params![facts.clone()]).await.unwrap();
	assert_eq!(
		answers,
		json!([
			{ "level": "Identified" },
			{ "level": "Anonymous" },
			{ "blocked": true },
			{ "blocked": false },
			{ "master": null },
		])
	);

	// A bad address is refused by name, and so are too many facts at once.
	let refused = rpc.call("kyc_level", rpc_params!["not-an-address"]).await.unwrap_err();
	assert!(refused.contains("not-an-address"), "{refused}");
	let bad = json!([{ "level": ss58(Alice) }, { "master": "not-an-address" }]);
	let refused = rpc.call("market_matchFacts", rpc_params![bad]).await.unwrap_err();
	assert!(refused.contains("not-an-address"), "{refused}");
	let too_many: Vec<_> = (0..=sonm_rpc::market::MAX_FACTS)
		.map(|_| json!({ "level": ss58(Bob) }))
		.collect();
	let refused = rpc.call("market_matchFacts", rpc_params![too_many]).await.unwrap_err();
	assert!(refused.contains("at most 1000"), "{refused}");
}
