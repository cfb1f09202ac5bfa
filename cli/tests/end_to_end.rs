//! The `sonm` binary against a real `sonm-node --dev`: a supplier places an ask from a YAML
//! file, a customer finds it, a too-cheap bid is refused with a readable error, a matching bid
//! opens a deal that is billed and closed by the customer with `--blacklist`; the JSON outputs
//! and balances are checked to the base unit, and a second deal with the blacklisted supplier
//! fails by name (from the CLI's check and from the chain itself). A key exported by
//! polkadot.js is imported and signs a transfer.

use serde_json::Value;
use sonm_client::Key;
use sonm_test_support::{dev_chain::amount, DevChain as Chain};
use std::path::Path;

const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";

/// The first event `pallet::name` of a transaction's JSON result.
fn event<'a>(result: &'a Value, pallet: &str, name: &str) -> &'a Value {
	result["events"]
		.as_array()
		.unwrap()
		.iter()
		.find(|event| event["pallet"] == pallet && event["name"] == name)
		.unwrap_or_else(|| panic!("no {pallet}::{name} in {result}"))
}

/// An event field that may be a number or a decimal string.
fn number(value: &Value) -> u128 {
	match value {
		Value::Number(n) => n.as_u64().unwrap().into(),
		Value::String(s) => s.parse().unwrap(),
		other => panic!("{other} is not a number"),
	}
}

/// The fee `who` paid for a transaction, from its `TransactionFeePaid` event.
fn fee(result: &Value) -> u128 {
	let paid = event(result, "TransactionPayment", "TransactionFeePaid");
	number(&paid["fields"]["actual_fee"]) + number(&paid["fields"]["tip"])
}

const ASK_FILE: &str = "\
side: ask
price: 3.6 SNM/h
duration: 1h
tag: e2e-gpu-box
network: { outbound: true, incoming: true }
resources:
  cpu-cores: 4
  ram-size: 2 GiB
  net-download: 100 Mbit/s
  gpu-count: 1
";

#[test]
fn a_customer_and_a_supplier_deal_through_the_cli() {
	let node = Chain::start();
	let ask_path = node.dir.path().join("ask.yaml");
	std::fs::write(&ask_path, ASK_FILE).unwrap();
	let ask_file = ask_path.to_str().unwrap();

	// The supplier places an ask from the YAML file; the JSON shows the units turned into the
	// chain's integers.
	let placed = node.json(&["orders", "create", "--file", ask_file, "--from", "bob"]);
	let ask = placed["id"].as_u64().unwrap();
	let order = &placed["order"];
	assert_eq!(order["side"], "Ask");
	assert_eq!(order["author"], BOB);
	assert_eq!(order["price"]["perSecond"], "1000000000000000");
	assert_eq!(order["price"]["unit"], "SNM");
	assert_eq!(order["duration"], 3600);
	assert_eq!(order["benchmarks"][2], 4);
	assert_eq!(order["benchmarks"][3], 2u64 << 30);
	assert_eq!(order["benchmarks"][5], 100_000_000);
	assert_eq!(order["benchmarks"][7], 1);
	assert_eq!(order["netflags"], 6);
	assert_eq!(order["tag"], "e2e-gpu-box");
	assert_eq!(event(&placed, "Market", "OrderPlaced")["fields"]["author"], BOB);

	// The customer finds it in the book.
	let asks = node.json(&["orders", "list", "--side", "ask"]);
	assert!(asks.as_array().unwrap().iter().any(|o| o["id"] == ask && o["author"] == BOB));
	let human = node.sonm(&["orders", "show", &ask.to_string()]);
	let human = String::from_utf8(human.stdout).unwrap();
	assert!(
		human.contains("3.6 SNM/h") && human.contains("1h") && human.contains("ram-size 2 GiB"),
		"{human}"
	);

	// A bid below the ask's price: the CLI says what differs, in the user's units, and signs
	// nothing.
	let cheap = node.json(&[
		"orders",
		"create",
		"--side",
		"bid",
		"--price",
		"1 SNM/h",
		"--duration",
		"30m",
		"--from",
		"charlie",
	]);
	let cheap_bid = cheap["id"].as_u64().unwrap();
	let refused = node.sonm(&[
		"deals",
		"open",
		&ask.to_string(),
		&cheap_bid.to_string(),
		"--from",
		"charlie",
	]);
	assert_eq!(refused.status.code(), Some(5));
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains("bid price 1 SNM/h is below the ask's 3.6 SNM/h"), "{stderr}");
	let cancelled = node.json(&["orders", "cancel", &cheap_bid.to_string(), "--from", "charlie"]);
	assert_eq!(cancelled["order"], cheap_bid);

	// A matching bid (needing less than the ask offers) and the deal.
	let bid = node.json(&[
		"orders",
		"create",
		"--side",
		"bid",
		"--price",
		"3.6 SNM/h",
		"--duration",
		"30m",
		"-r",
		"cpu-cores=2",
		"-r",
		"ram-size=1GiB",
		"--outbound",
		"--from",
		"charlie",
	]);
	let bid_id = bid["id"].as_u64().unwrap();
	assert_eq!(bid["order"]["escrow"], (1_000_000_000_000_000u128 * 1800).to_string());
	let matching = node.json(&["orders", "list", "--matching", &ask.to_string()]);
	assert_eq!(matching[0]["id"], bid_id);
	let opened =
		node.json(&["deals", "open", &ask.to_string(), &bid_id.to_string(), "--from", "charlie"]);
	let deal_id = opened["id"].as_u64().unwrap();
	let deal = &opened["deal"];
	assert_eq!(deal["supplier"], BOB);
	assert_eq!(deal["consumer"], CHARLIE);
	assert_eq!(deal["duration"], 1800);
	assert_eq!(deal["escrow"], "1800000000000000000");
	let listed = node.json(&["deals", "list", "charlie"]);
	assert_eq!(listed[0]["id"], deal_id);

	// Billed by a third party after some blocks: the supplier is paid for the time so far.
	node.wait_blocks(2);
	let billed = node.json(&["deals", "bill", &deal_id.to_string(), "--from", "dave"]);
	let first_bill = event(&billed, "Market", "DealBilled");
	assert_eq!(first_bill["fields"]["payee"], BOB);
	assert!(number(&first_bill["fields"]["amount"]) > 0);

	// The customer closes early with --blacklist: the supplier keeps what was earned, the rest
	// comes back, the supplier is on the customer's list, all to the base unit.
	let shown = node.json(&["deals", "show", &deal_id.to_string()]);
	let escrow = amount(&shown["deal"]["escrow"]);
	// The deal keeps its bid's deposit until it is removed; closing gives it back.
	let deal_deposit = amount(&shown["deal"]["deposit"]);
	assert!(deal_deposit > 0, "a deal holds a deposit");
	let (charlie_free, charlie_held) = node.balance("charlie");
	let (bob_free, _) = node.balance("bob");
	let closed =
		node.json(&["deals", "close", &deal_id.to_string(), "--blacklist", "--from", "charlie"]);
	assert_eq!(closed["blacklisted"], BOB);
	let refund = amount(&closed["refund"]);
	assert!(refund > 0);
	let last_bill = event(&closed, "Market", "DealBilled");
	let paid_now = number(&last_bill["fields"]["amount"]);
	let fee_now = number(&last_bill["fields"]["fee"]);
	assert_eq!(
		paid_now + fee_now + refund,
		escrow,
		"the escrow is split between payee, fee and refund"
	);
	let (charlie_free_after, charlie_held_after) = node.balance("charlie");
	let deposit = charlie_held_after + escrow + deal_deposit - charlie_held;
	assert!(deposit > 0, "blacklisting holds a deposit");
	assert_eq!(charlie_free_after, charlie_free + refund + deal_deposit - deposit - fee(&closed));
	let (bob_free_after, _) = node.balance("bob");
	assert_eq!(bob_free_after, bob_free + paid_now);
	assert!(node.json(&["deals", "list", "charlie"]).as_array().unwrap().is_empty());
	let list = node.json(&["blacklist", "list", "charlie"]);
	assert_eq!(list["blacklist"][0], BOB);

	// A second deal with the blacklisted supplier fails with the readable error.
	let again = node.json(&["orders", "create", "--file", ask_file, "--from", "bob"]);
	let ask2 = again["id"].as_u64().unwrap().to_string();
	let refused =
		node.sonm(&["deals", "quick-buy", &ask2, "--duration", "30m", "--from", "charlie"]);
	assert_eq!(refused.status.code(), Some(5));
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains(&format!("supplier {BOB} is on the customer's blacklist")), "{stderr}");
	assert!(stderr.contains("sonm blacklist remove"), "{stderr}");

	// The chain refuses it too, by name, when the CLI's check is not in the way.
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let error = runtime.block_on(async {
		let client = sonm_client::Client::connect(&node.url()).await.unwrap();
		let call = sonm_client::runtime::transactions()
			.market()
			.quick_buy(ask2.parse().unwrap(), 1800);
		let charlie = sonm_client::Key::dev("charlie").unwrap();
		client
			.submit(&call, &charlie, sonm_client::Wait::InBlock, |_| {})
			.await
			.unwrap_err()
	});
	assert_eq!(error.module_error(), Some(("Market", "SupplierBlacklisted")));
	assert!(error.to_string().contains("blacklists the supplier"), "{error}");

	// A pallet's error through the CLI: exit code 1, the error named with its doc, as JSON too.
	let refused = node.sonm(&["-o", "json", "masternode", "register", "1 SNM", "--from", "dave"]);
	assert_eq!(refused.status.code(), Some(1));
	let json: Value = serde_json::from_slice(&refused.stdout).unwrap();
	assert_eq!(json["error"]["pallet"], "Masternodes");
	assert_eq!(json["error"]["error"], "BelowMinStake");
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains("Masternodes::BelowMinStake: A stake must be at least"), "{stderr}");
	assert!(stderr.contains("a masternode keeps at least 10000 SNM staked"), "{stderr}");
}

#[test]
fn a_polkadot_js_key_is_imported_and_signs_a_transfer() {
	let node = Chain::start();
	let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../client/tests/fixtures/polkadot-js-account.json");
	let fixture = fixture.to_str().unwrap();

	// A wrong password is refused by name and imports nothing.
	let wrong = node.sonm(&["accounts", "import", "--json", fixture, "--password", "nope"]);
	assert_eq!(wrong.status.code(), Some(4));
	assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong password"));
	assert!(node.json(&["accounts", "list"]).as_array().unwrap().is_empty());

	let imported =
		node.json(&["accounts", "import", "--json", fixture, "--password", "sonm-test-password"]);
	let address = imported["address"].as_str().unwrap().to_owned();
	assert_eq!(address, "5Gq7oqdhCfiziuX4mN5nZriF3SfGZ2NGHfVsngfPMmeuXY83");
	assert_eq!(imported["name"], "wallet-customer");
	let listed = node.json(&["accounts", "list"]);
	assert_eq!(listed[0]["name"], "wallet-customer");

	// Fund it, then sign with it by its keystore name.
	node.json(&["transfer", "wallet-customer", "10 SNM", "--from", "alice"]);
	let (before, _) = node.balance(&address);
	assert_eq!(before, 10 * 10u128.pow(18));
	let (dave_before, _) = node.balance("dave");
	let sent = node.json(&[
		"transfer",
		"dave",
		"1.5 SNM",
		"--from",
		"wallet-customer",
		"--password",
		"sonm-test-password",
		"--finalized",
	]);
	assert_eq!(sent["block"]["finalized"], true);
	let transfer = event(&sent, "Balances", "Transfer");
	assert_eq!(transfer["fields"]["from"], address.as_str());
	let (after, _) = node.balance(&address);
	let (dave_after, _) = node.balance("dave");
	assert_eq!(dave_after, dave_before + 1_500_000_000_000_000_000);
	assert_eq!(after, before - 1_500_000_000_000_000_000 - fee(&sent));

	// Without the password (and no terminal to ask on) nothing is signed.
	let locked = node.sonm(&["transfer", "dave", "1 SNM", "--from", "wallet-customer"]);
	assert_eq!(locked.status.code(), Some(4));
	assert!(String::from_utf8_lossy(&locked.stderr).contains("--password"));
}

#[test]
fn change_requests_trust_and_staking_through_the_cli() {
	let node = Chain::start();
	let ask = node.json(&[
		"orders",
		"create",
		"--side",
		"ask",
		"--price",
		"3.6 SNM/h",
		"--duration",
		"1h",
		"--from",
		"bob",
	]);
	let ask = ask["id"].as_u64().unwrap().to_string();
	let bought = node.json(&["deals", "quick-buy", &ask, "--duration", "30m", "--from", "charlie"]);
	let deal = bought["id"].as_u64().unwrap().to_string();
	let show = |node: &Chain| node.json(&["deals", "show", &deal]);

	// The customer raising the price at the same duration is accepted at once.
	let raised = node.json(&[
		"deals",
		"change",
		"create",
		&deal,
		"--price",
		"7.2 SNM/h",
		"--from",
		"charlie",
	]);
	assert_eq!(raised["changed"], true);
	assert_eq!(show(&node)["deal"]["price"]["perSecond"], "2000000000000000");

	// The supplier's longer duration waits; the customer rejects it.
	let proposed =
		node.json(&["deals", "change", "create", &deal, "--duration", "45m", "--from", "bob"]);
	assert_eq!(proposed["changed"], false);
	let pending = show(&node);
	assert_eq!(pending["changeRequests"][0]["side"], "Ask");
	assert_eq!(pending["changeRequests"][0]["duration"], 2700);
	node.json(&["deals", "change", "reject", &deal, "--from", "charlie"]);
	assert!(show(&node)["changeRequests"].as_array().unwrap().is_empty());

	// The customer's longer duration, accepted by the supplier.
	node.json(&["deals", "change", "create", &deal, "--duration", "50m", "--from", "charlie"]);
	let accepted = node.json(&["deals", "change", "accept", &deal, "--from", "bob"]);
	assert_eq!(accepted["changed"], true);
	assert_eq!(show(&node)["deal"]["duration"], 3000);

	// A request withdrawn by its creator; a price in the wrong unit refused before signing.
	node.json(&["deals", "change", "create", &deal, "--duration", "55m", "--from", "charlie"]);
	node.json(&["deals", "change", "cancel", &deal, "--from", "charlie"]);
	assert!(show(&node)["changeRequests"].as_array().unwrap().is_empty());
	let wrong =
		node.sonm(&["deals", "change", "create", &deal, "--price", "1 USD/h", "--from", "charlie"]);
	assert_eq!(wrong.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&wrong.stderr).contains("priced in SNM"));

	// Blacklist: add, remove, subscribe, unsubscribe.
	node.json(&["blacklist", "add", "dave", "--from", "charlie"]);
	node.json(&["blacklist", "subscribe", "bob", "--from", "charlie"]);
	let list = node.json(&["blacklist", "list", "charlie"]);
	let dave = Key::dev("dave").unwrap().address();
	assert_eq!(list["blacklist"][0], dave.as_str());
	assert_eq!(list["subscriptions"][0], BOB);
	node.json(&["blacklist", "remove", "dave", "--from", "charlie"]);
	node.json(&["blacklist", "unsubscribe", "bob", "--from", "charlie"]);
	let list = node.json(&["blacklist", "list", "charlie"]);
	assert!(list["blacklist"].as_array().unwrap().is_empty());
	assert!(list["subscriptions"].as_array().unwrap().is_empty());

	// A worker's endpoint: published with a 1 SNM deposit, read back, a bad one refused before
	// signing, withdrawn with the deposit back.
	let (_, held_before) = node.balance("bob");
	node.json(&["worker", "endpoint", "set", "http://203.0.113.7:9630", "--from", "bob"]);
	assert_eq!(node.balance("bob").1, held_before + 1_000_000_000_000_000_000);
	let shown = node.json(&["worker", "endpoint", "show", "bob"]);
	assert_eq!(shown["endpoint"], "http://203.0.113.7:9630");
	let bad = node.sonm(&["worker", "endpoint", "set", "worker:9630", "--from", "bob"]);
	assert_eq!(bad.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&bad.stderr).contains("neither an http"), "{bad:?}");
	assert_eq!(node.json(&["worker", "endpoint", "show", "bob"]), shown, "nothing changed");
	node.json(&["worker", "endpoint", "clear", "--from", "bob"]);
	assert_eq!(node.balance("bob").1, held_before);
	assert!(node.json(&["worker", "endpoint", "show", "bob"])["endpoint"].is_null());

	// KYC: no provider yet is "not possible"; root registers Dave (through sudo, with the typed
	// client), Charlie asks him for Identified and the fee is held.
	let none = node.sonm(&["kyc", "request", "0", "identified", "--from", "charlie"]);
	assert_eq!(none.status.code(), Some(5));
	register_kyc_provider(&node.url(), &dave);
	let providers = node.json(&["kyc", "providers"]);
	assert_eq!(providers[0]["name"], "Dave's KYC");
	let (_, held_before) = node.balance("charlie");
	let requested = node.json(&["kyc", "request", "0", "identified", "--from", "charlie"]);
	assert_eq!(requested["feeHeld"], "2000000000000000000");
	let (_, held_after) = node.balance("charlie");
	assert_eq!(held_after, held_before + 2_000_000_000_000_000_000);
	let status = node.json(&["kyc", "status", "charlie"]);
	assert_eq!(status["level"], "Anonymous");
	assert_eq!(status["requests"][0]["level"], "Identified");

	// Staking: Dave registers, bonds, unbonds part, and the status shows it.
	node.json(&["masternode", "register", "10000 SNM", "--from", "dave"]);
	node.json(&["masternode", "bond", "500 SNM", "--from", "dave"]);
	node.json(&["masternode", "unbond", "200 SNM", "--from", "dave"]);
	let status = node.json(&["masternode", "status", "dave"]);
	let me = &status["masternodes"][0];
	assert_eq!(me["stake"], "10300000000000000000000");
	assert_eq!(me["unbonding"][0]["amount"], "200000000000000000000");
	let rewards = node.json(&["masternode", "rewards", "alice"]);
	amount(&rewards["pendingReward"]);
	assert_eq!(rewards["session"]["length"], 10);
	let early = node.sonm(&["masternode", "withdraw", "--from", "dave"]);
	assert_eq!(early.status.code(), Some(1), "nothing is unbonded yet");
	// Dave is not offline: `back` is refused by name; `leave` unbonds the rest.
	let back = node.sonm(&["masternode", "back", "--from", "dave"]);
	assert_eq!(back.status.code(), Some(1));
	assert!(String::from_utf8_lossy(&back.stderr).contains("NotOffline"), "{back:?}");
	node.json(&["masternode", "leave", "--from", "dave"]);
	let status = node.json(&["masternode", "status", "dave"]);
	assert_eq!(status["masternodes"][0]["leaving"], true);
	assert_eq!(status["masternodes"][0]["unbonding"][1]["amount"], "10300000000000000000000");
}

/// Root registers `account` as a KYC provider (fee 2 SNM, up to Professional) through sudo.
fn register_kyc_provider(url: &str, account: &str) {
	use sonm_client::{
		runtime::{
			kyc::events::ProviderRegistered,
			runtime_types::{
				bounded_collections::bounded_vec::BoundedVec, pallet_kyc::pallet::Call as KycCall,
				sonm_runtime::RuntimeCall,
			},
		},
		Static,
	};
	use sonm_primitives::IdentityLevel;
	let runtime = tokio::runtime::Runtime::new().unwrap();
	runtime.block_on(async {
		let client = sonm_client::Client::connect(url).await.unwrap();
		let register = RuntimeCall::Kyc(KycCall::register_provider {
			account: account.parse().unwrap(),
			name: BoundedVec(b"Dave's KYC".to_vec()),
			url: BoundedVec(b"https://kyc.example/dave".to_vec()),
			fee: 2_000_000_000_000_000_000,
			max_level: Static(IdentityLevel::Professional),
		});
		let call = sonm_client::runtime::transactions().sudo().sudo(register);
		let alice = Key::dev("alice").unwrap();
		let included =
			client.submit(&call, &alice, sonm_client::Wait::InBlock, |_| {}).await.unwrap();
		assert!(included.has::<ProviderRegistered>(), "{:?}", included.events);
	});
}

/// Root is the council: on a dev chain Alice is its only member, so her motion runs at once; a
/// non-member's is refused by name. `Market.set_paused(true)` (0x140d01) pauses the market,
/// `(false)` (0x140d00) resumes it.
#[test]
fn the_council_runs_root_calls_through_the_cli() {
	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	let node = Chain::start();
	let council = node.json(&["council", "list"]);
	assert_eq!(council["members"], serde_json::json!([ALICE]));
	assert_eq!(council["ayesNeeded"], 1);
	assert_eq!(council["motions"], serde_json::json!([]));
	assert_eq!(node.json(&["runtime", "version"])["specName"], "sonm");

	let refused = node.sonm(&["council", "propose", "0x140d01", "--from", "bob"]);
	assert!(!refused.status.success());
	assert!(String::from_utf8_lossy(&refused.stderr).contains("Council::NotMember"));
	let bad = node.sonm(&["council", "propose", "0x14ff", "--from", "alice"]);
	assert!(String::from_utf8_lossy(&bad.stderr).contains("not a call of this runtime"));

	assert_eq!(node.json(&["council", "propose", "0x140d01", "--from", "alice"])["executed"], true);
	let ask_path = node.dir.path().join("ask.yaml");
	std::fs::write(&ask_path, ASK_FILE).unwrap();
	let ask_file = ask_path.to_str().unwrap();
	let paused = node.sonm(&["orders", "create", "--file", ask_file, "--from", "bob"]);
	assert!(String::from_utf8_lossy(&paused.stderr).contains("MarketPaused"));
	node.json(&["council", "propose", "0x140d00", "--from", "alice"]);
	node.json(&["orders", "create", "--file", ask_file, "--from", "bob"]);
}

/// A file of several orders is placed in one transaction (`place_orders`), each order with its
/// own id and holds; a mistake in one of them is named by its place and nothing is signed.
#[test]
fn several_orders_from_one_file_are_placed_together() {
	let node = Chain::start();
	let path = node.dir.path().join("plans.yaml");
	let plans = format!("{ASK_FILE}---\n{}", ASK_FILE.replace("3.6 SNM/h", "7.2 SNM/h"));
	std::fs::write(&path, &plans).unwrap();
	let file = path.to_str().unwrap();
	let placed = node.json(&["orders", "create", "--file", file, "--from", "dave"]);
	let ids: Vec<u64> = placed["ids"]
		.as_array()
		.unwrap()
		.iter()
		.map(|id| id.as_u64().unwrap())
		.collect();
	assert_eq!(ids.len(), 2, "{placed}");
	assert_eq!(ids[1], ids[0] + 1);
	let block = &placed["block"]["hash"];
	let mine = node.json(&["orders", "list", "--author", DAVE]);
	let listed: Vec<u64> = mine
		.as_array()
		.unwrap()
		.iter()
		.map(|order| order["id"].as_u64().unwrap())
		.collect();
	assert_eq!(listed, ids, "both in the book, placed in block {block}");

	std::fs::write(&path, format!("{ASK_FILE}---\nside: ask\nprice: nothing\nduration: 1h\n"))
		.unwrap();
	let refused = node.sonm(&["orders", "create", "--file", file, "--from", "dave"]);
	assert!(!refused.status.success());
	let said = String::from_utf8_lossy(&refused.stderr);
	assert!(said.contains("order 2"), "{said}");
	let after = node.json(&["orders", "list", "--author", DAVE]);
	assert_eq!(after.as_array().unwrap().len(), 2, "nothing more placed");
}
