//! The gateway end to end: four validators of `--chain local`, each with its own
//! `sonm-bridge gateway` (its dev Ethereum key, 3 confirmations), and one anvil mining a block a
//! second, with the Gatekeeper deployed where the chain's genesis names it. A holder deposits
//! with `sonm token deposit` and it is minted once; withdraws with `sonm token withdraw` and
//! is paid on Ethereum by a gateway with the set's signatures, which the contract refuses a
//! second time; two gateways killed with `kill -9` while attesting and restarted mint nothing
//! twice and miss nothing. Times are printed (figures in `bridge/README.md`).

use alloy::{
	network::EthereumWallet,
	node_bindings::{Anvil, AnvilInstance},
	primitives::{Address, Bytes, FixedBytes, B256, U256},
	providers::{ext::AnvilApi, DynProvider, Provider},
	signers::local::PrivateKeySigner,
};
use sonm_client::{
	eth_key::address_hex,
	indexer_api::{GatewayTransfer, IndexerClient},
	Client, EthKey, Key,
};
use sonm_contracts::{
	deploy_gatekeeper, deploy_test_snm, mined, provider_builder, send, Gatekeeper, TestSnm,
};
use sonm_primitives::gatekeeper::DepositStatus;
use sonm_test_support::{
	free_port, indexer::IndexerProcess, local_network, wait_for, workspace_bin, Node, PATIENCE,
};
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

const BRIDGE_BIN: &str = env!("CARGO_BIN_EXE_sonm-bridge");
const SNM: u128 = 1_000_000_000_000_000_000;
const MASTERNODES: [&str; 4] = ["Alice", "Bob", "Charlie", "Dave"];
/// anvil's second well-known account (funded with ETH): the holder.
const ANVIL_SECOND_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/// A `sonm-bridge gateway` process, killed by its PID when dropped (log printed on failure).
struct GatewayProcess {
	child: Option<Child>,
	log: PathBuf,
	args: Vec<String>,
}

impl GatewayProcess {
	fn start(dir: &Path, name: &str, node: &Node, eth_url: &str) -> Self {
		Self::start_with(dir, name, node, eth_url, 3)
	}

	/// As [`GatewayProcess::start`], with `confirmations`.
	fn start_with(dir: &Path, name: &str, node: &Node, eth_url: &str, confirmations: u64) -> Self {
		let args = vec![
			"--metrics".to_owned(),
			format!("127.0.0.1:{}", free_port()),
			"gateway".to_owned(),
			"--url".to_owned(),
			node.url(),
			"--suri".to_owned(),
			format!("//{name}"),
			"--eth-url".to_owned(),
			eth_url.to_owned(),
			"--eth-suri".to_owned(),
			format!("//{name}"),
			"--confirmations".to_owned(),
			confirmations.to_string(),
			"--poll-ms".to_owned(),
			"500".to_owned(),
			"--relay-grace".to_owned(),
			"10".to_owned(),
			"--db".to_owned(),
			dir.join(format!("{name}-gateway.redb")).display().to_string(),
		];
		let log = dir.join(format!("{name}-gateway.log"));
		let mut gateway = Self { child: None, log, args };
		gateway.restart();
		gateway
	}

	fn restart(&mut self) {
		let file = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
		let child = Command::new(BRIDGE_BIN)
			.args(&self.args)
			.env("RUST_LOG", "info")
			.stdin(Stdio::null())
			.stdout(file.try_clone().unwrap())
			.stderr(file)
			.spawn()
			.expect("sonm-bridge starts");
		self.child = Some(child);
	}

	/// `GET path` on its metrics address (empty when it does not answer).
	fn get(&self, path: &str) -> String {
		use std::io::{Read, Write};
		let Ok(mut stream) = std::net::TcpStream::connect(&self.args[1]) else {
			return String::new();
		};
		let _ = write!(stream, "GET {path} HTTP/1.0\r\nHost: bridge\r\n\r\n");
		let mut text = String::new();
		let _ = stream.read_to_string(&mut text);
		text
	}

	/// `/health`'s answer, status line included.
	fn health(&self) -> String {
		self.get("/health")
	}

	/// A metric's value.
	fn metric(&self, name: &str) -> Option<u64> {
		let text = self.get("/metrics");
		let line = text.lines().find(|line| line.starts_with(&format!("{name} ")))?;
		line.split_whitespace().nth(1)?.parse().ok()
	}

	/// `sonm_bridge_eth_scanned_block` from its metrics.
	fn scanned_block(&self) -> Option<u64> {
		self.metric("sonm_bridge_eth_scanned_block")
	}

	fn kill_9(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SAFETY: signalling our own child by its PID.
			unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
			let _ = child.wait();
		}
	}
}

impl Drop for GatewayProcess {
	fn drop(&mut self) {
		self.kill_9();
		if std::thread::panicking() {
			let text = std::fs::read_to_string(&self.log).unwrap_or_default();
			let lines: Vec<&str> = text.lines().collect();
			eprintln!(
				"--- {} ---\n{}",
				self.log.display(),
				lines[lines.len().saturating_sub(25)..].join("\n")
			);
		}
	}
}

/// Waits until a deposit in Ethereum block `block` would have been attested by a working
/// gateway: its 3 confirmations and two more blocks on Ethereum, and three sidechain blocks
/// since the call (gateways attest at the next block they see). For checks that nothing was.
async fn wait_past_attestation(eth: &Ethereum, client: &Client, block: u64) {
	let (best_then, _) = client.now().await.unwrap();
	wait_for("a deposit's confirmations and three sidechain blocks", || async {
		let head = eth.provider.get_block_number().await.ok()?;
		let (best, _) = client.now().await.ok()?;
		(head >= block + 5 && best >= best_then + 3).then_some(())
	})
	.await;
}

/// `sonm token ...`: the holder's side of the gateway is the CLI's.
fn sonm_token() -> Command {
	let mut command = Command::new(workspace_bin("sonm"));
	command.arg("token");
	command
}

/// Runs `sonm token ...`; its output, or a panic with it.
fn token(args: &[&str]) -> String {
	let output = sonm_token().args(args).output().expect("sonm runs");
	let text = format!(
		"{}{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	assert!(output.status.success(), "sonm token {args:?}:\n{text}");
	text
}

struct Ethereum {
	_anvil: AnvilInstance,
	url: String,
	provider: DynProvider,
	token: Address,
	gatekeeper: Address,
}

/// anvil with a block a second, the test token and the Gatekeeper deployed by its first
/// account (so at the address the local chain's genesis names), signer set 0 the four
/// masternodes' dev keys (3 of 4), and ETH for each masternode's relaying.
async fn ethereum(genesis: [u8; 32]) -> Ethereum {
	ethereum_with(genesis, &MASTERNODES, 3).await
}

/// As [`ethereum`], with signer set 0 of `masternodes`' dev keys and `threshold`.
async fn ethereum_with(genesis: [u8; 32], masternodes: &[&str], threshold: u64) -> Ethereum {
	let anvil = Anvil::new().block_time(1).spawn();
	let deployer: PrivateKeySigner = anvil.keys()[0].clone().into();
	let provider = provider_builder()
		.wallet(EthereumWallet::from(deployer))
		.connect_http(anvil.endpoint_url())
		.erased();
	let token = deploy_test_snm(&provider, PATIENCE).await.unwrap();
	let mut signers: Vec<Address> = masternodes
		.iter()
		.map(|name| Address::from(EthKey::from_uri(&format!("//{name}")).unwrap().address()))
		.collect();
	signers.sort();
	let limits = Gatekeeper::Limits {
		dailyLimit: U256::from(1_000_000 * SNM),
		bucketCapacity: U256::from(1_000_000 * SNM),
		refillPerSecond: U256::from(SNM),
		largePayout: U256::from(100_000 * SNM),
		payoutDelay: U256::from(60),
	};
	let gatekeeper = deploy_gatekeeper(
		&provider,
		token,
		B256::from(genesis),
		signers.clone(),
		threshold,
		limits,
		PATIENCE,
	)
	.await
	.unwrap();
	assert_eq!(
		address_hex(&gatekeeper.0 .0),
		"0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
		"where the genesis names it"
	);
	for signer in signers {
		provider.anvil_set_balance(signer, U256::from(100 * SNM)).await.unwrap();
	}
	Ethereum { url: anvil.endpoint_url().to_string(), _anvil: anvil, provider, token, gatekeeper }
}

#[tokio::test(flavor = "multi_thread")]
async fn deposits_mint_once_and_withdrawals_pay_once_through_four_gateways() {
	let dir = tempfile::tempdir().unwrap();
	let nodes = local_network(&workspace_bin("sonm-node"), dir.path());
	let client =
		wait_for("the local chain", || async { Client::connect(&nodes[0].url()).await.ok() }).await;
	let eth = ethereum(client.genesis_hash()).await;
	// The indexer follows the gateway's transfers from the first block.
	let index_db = format!("sqlite://{}/indexer.sqlite", dir.path().display());
	let indexer = IndexerProcess::start(
		&workspace_bin("sonm-indexer"),
		dir.path(),
		"indexer",
		&nodes[0].url(),
		&index_db,
		&[],
	);
	let mut gateways: Vec<GatewayProcess> = MASTERNODES
		.iter()
		.zip(&nodes)
		.map(|(name, node)| GatewayProcess::start(dir.path(), name, node, &eth.url))
		.collect();

	// A holder on Ethereum (anvil's second account) with 1,000 SNM.
	let holder_secret = ANVIL_SECOND_KEY.to_owned();
	let holder = EthKey::from_uri(&holder_secret).unwrap();
	let snm = TestSnm::new(eth.token, &eth.provider);
	let minting = send(snm.mint(Address::from(holder.address()), U256::from(1_000 * SNM)))
		.await
		.unwrap();
	mined(&eth.provider, *minting.tx_hash(), PATIENCE).await.unwrap();
	let ferdie = Key::dev("ferdie").unwrap().account_id();
	let (_, before) = client.balance(&ferdie).await.unwrap();

	// A deposit is minted once, after 3 confirmations.
	let started = Instant::now();
	let out = token(&[
		"deposit",
		"100",
		"--to",
		&ferdie.to_string(),
		"--url",
		&nodes[1].url(),
		"--eth-url",
		&eth.url,
		"--eth-suri",
		&holder_secret,
	]);
	let deposit_to_mint = started.elapsed();
	println!("{out}deposit to mint: {deposit_to_mint:?}");
	let (_, after) = client.balance(&ferdie).await.unwrap();
	assert_eq!(after.free - before.free, 100 * SNM);
	let state = client.gatekeeper_state().await.unwrap();
	assert_eq!(state.minted, 100 * SNM);

	// Two gateways are killed with `kill -9` while the next deposits wait for their
	// confirmations and attestations, and restarted: with two of four down nothing can be
	// minted until they backfill, and then each deposit is minted once.
	for round in 0..2 {
		let deposit = sonm_token()
			.args(["deposit", "5", "--to", &ferdie.to_string(), "--url", &nodes[2].url()])
			.args(["--eth-url", &eth.url, "--eth-suri", &holder_secret, "--timeout", "3"])
			.stdout(Stdio::piped())
			.stderr(Stdio::piped())
			.spawn()
			.unwrap();
		tokio::time::sleep(Duration::from_millis(4_000 + 700 * round)).await;
		gateways[0].kill_9();
		gateways[1].kill_9();
		tokio::time::sleep(Duration::from_secs(3)).await;
		gateways[0].restart();
		gateways[1].restart();
		let output = deposit.wait_with_output().unwrap();
		let text = format!(
			"{}{}",
			String::from_utf8_lossy(&output.stdout),
			String::from_utf8_lossy(&output.stderr)
		);
		println!("{text}");
		assert!(output.status.success(), "{text}");
	}
	let state = client.gatekeeper_state().await.unwrap();
	assert_eq!(state.minted, 110 * SNM, "each deposit minted once");
	let deposits = client.deposits(0, 10).await.unwrap();
	assert_eq!(deposits.len(), 3);
	assert!(deposits.iter().all(|d| d.status == DepositStatus::Minted));
	// Nothing missed: every gateway, the restarted ones too, scanned past the last deposit.
	let last_block = eth.provider.get_block_number().await.unwrap() - 3;
	for gateway in &gateways {
		wait_for("every gateway to scan past the deposits", || async {
			(gateway.scanned_block()? >= last_block).then_some(())
		})
		.await;
	}

	// A withdrawal is signed by the set and paid on Ethereum, once, although two gateways are
	// killed with `kill -9` while it collects signatures and restarted.
	let holder_before = snm.balanceOf(Address::from(holder.address())).call().await.unwrap();
	let started = Instant::now();
	let withdraw = sonm_token()
		.args(["withdraw", "10", "--to", &address_hex(&holder.address()), "--url", &nodes[3].url()])
		.args(["--eth-url", &eth.url, "--from", "//Ferdie"])
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.unwrap();
	wait_for("the withdrawal on chain", || async {
		(client.withdrawals(0, 1).await.ok()?.len() == 1).then_some(())
	})
	.await;
	gateways[2].kill_9();
	gateways[3].kill_9();
	tokio::time::sleep(Duration::from_secs(3)).await;
	gateways[2].restart();
	gateways[3].restart();
	let output = withdraw.wait_with_output().unwrap();
	let withdraw_to_payout = started.elapsed();
	let out = format!(
		"{}{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	assert!(output.status.success(), "{out}");
	println!("{out}withdraw to payout (two gateways killed and restarted): {withdraw_to_payout:?}");
	let holder_after = snm.balanceOf(Address::from(holder.address())).call().await.unwrap();
	assert_eq!(
		holder_after - holder_before,
		U256::from(9 * SNM),
		"10 SNM less the 1 SNM fee, paid once"
	);

	// The same signatures submitted again are refused by the contract.
	let withdrawal = client.withdrawals(0, 1).await.unwrap().remove(0);
	let signatures: Vec<Bytes> = withdrawal
		.signatures
		.iter()
		.map(|s| Bytes::from(alloy::hex::decode(s.signature.trim_start_matches("0x")).unwrap()))
		.collect();
	let gatekeeper = Gatekeeper::new(eth.gatekeeper, &eth.provider);
	let replay = gatekeeper.payOut(
		FixedBytes(sonm_primitives::gatekeeper::withdrawal_id(0)),
		Address::from(holder.address()),
		U256::from(9 * SNM),
		withdrawal.set_id,
		signatures,
	);
	let refused = send(replay).await.expect_err("a replayed payout is refused");
	assert!(
		format!("{refused:?}").contains("AlreadyUsed") || refused.as_revert_data().is_some(),
		"{refused:?}"
	);
	println!(
		"FIGURES deposit_to_mint={deposit_to_mint:?} withdraw_to_payout={withdraw_to_payout:?}"
	);

	// The indexer recorded each mint with its Ethereum transaction and the withdrawal with its
	// Ethereum address, exactly.
	let api = IndexerClient::new(&indexer.url);
	let transfers: Vec<GatewayTransfer> = wait_for("the indexer to hold the transfers", || async {
		let transfers: Vec<GatewayTransfer> = api.get("/gateway/transfers", &[]).await.ok()?;
		(transfers.len() == 4).then_some(transfers)
	})
	.await;
	let mut minted: Vec<(String, u128)> = transfers
		.iter()
		.filter(|t| t.kind == "deposit")
		.map(|t| (t.ethereum.clone(), t.amount))
		.collect();
	let mut attested: Vec<(String, u128)> =
		deposits.iter().map(|d| (d.tx_hash.clone(), d.amount.unwrap())).collect();
	minted.sort();
	attested.sort();
	assert_eq!(minted, attested);
	let out = transfers.iter().find(|t| t.kind == "withdrawal").unwrap();
	assert_eq!((out.withdrawal, out.amount + out.fee), (Some(0), 10 * SNM), "{out:?}");
	assert_eq!(out.ethereum, address_hex(&holder.address()));
	assert!(transfers.iter().all(|t| t.account == ferdie.to_string()));

	// A deposit reorganised away before its 3 confirmations is never minted.
	let (reorged, block) = pay_in(&eth, ferdie.0, 7 * SNM).await;
	let head = eth.provider.get_block_number().await.unwrap();
	eth.provider
		.anvil_reorg(alloy::rpc::types::anvil::ReorgOptions {
			depth: head - block + 1,
			tx_block_pairs: vec![],
		})
		.await
		.unwrap();
	assert!(
		eth.provider.get_transaction_receipt(reorged).await.unwrap().is_none(),
		"the reorg took the deposit away"
	);
	// Every gateway scans the new chain past the reorganised height with its confirmations.
	for gateway in &gateways {
		wait_for("every gateway to scan past the reorganised height", || async {
			(gateway.scanned_block()? > block).then_some(())
		})
		.await;
	}
	let tx_hex = format!("{reorged}");
	assert!(client.deposit(&tx_hex, 1).await.unwrap().is_none(), "never attested");
	assert_eq!(client.gatekeeper_state().await.unwrap().minted, 110 * SNM);

	// Pause stops both directions, unpause resumes them.
	use sonm_client::runtime::{self, runtime_types};
	submit_as(&client, "alice", runtime::tx().gatekeeper().pause()).await.unwrap();
	assert!(client.gatekeeper_state().await.unwrap().paused);
	let (paused_deposit, paused_block) = pay_in(&eth, ferdie.0, 3 * SNM).await;
	let refused = submit_as(
		&client,
		"ferdie",
		runtime::tx().gatekeeper().withdraw(2 * SNM, holder.address()),
	)
	.await;
	assert_eq!(
		refused
			.err()
			.and_then(|e| e.module_error().map(|(p, e)| format!("{p}.{e}")))
			.as_deref(),
		Some("Gatekeeper.IsPaused")
	);
	// Long enough for an attestation had the gateways not been paused.
	wait_past_attestation(&eth, &client, paused_block).await;
	let paused_hex = format!("{paused_deposit}");
	assert!(
		client.deposit(&paused_hex, 1).await.unwrap().is_none(),
		"nothing attested while paused"
	);
	let unpause = runtime_types::sonm_runtime::RuntimeCall::Gatekeeper(
		runtime_types::pallet_gatekeeper::pallet::Call::unpause,
	);
	// Root is the council on the local chain: three of the four masternodes carry the motion.
	let members = ["alice", "bob", "charlie"].map(|name| Key::dev(name).unwrap());
	let unpaused = client.council_root(unpause, &members).await.unwrap();
	assert!(unpaused.has::<runtime::gatekeeper::events::Unpaused>(), "the council unpaused");
	wait_for("the deposit made while paused to be minted after unpause", || async {
		let deposit = client.deposit(&paused_hex, 1).await.ok()??;
		(deposit.status == DepositStatus::Minted).then_some(())
	})
	.await;
	submit_as(&client, "ferdie", runtime::tx().gatekeeper().withdraw(2 * SNM, holder.address()))
		.await
		.unwrap();
	wait_for("the withdrawal after unpause to be paid", || async {
		let paid = Gatekeeper::new(eth.gatekeeper, &eth.provider)
			.used(FixedBytes(sonm_primitives::gatekeeper::withdrawal_id(1)))
			.call()
			.await
			.ok()?;
		paid.then_some(())
	})
	.await;
	assert_eq!(client.gatekeeper_state().await.unwrap().minted, 113 * SNM);

	// A masternode joins (Eve: stake, session keys made by Alice's node, her Ethereum key): the
	// signer set changes at a session, the old set signs it, a gateway installs it on
	// Ethereum, and the next withdrawal is paid with the new set's signatures.
	let eve = Key::dev("eve").unwrap();
	submit_as(&client, "eve", runtime::tx().masternodes().register(10_000 * SNM))
		.await
		.unwrap();
	#[derive(serde::Deserialize)]
	struct Generated {
		keys: String,
		proof: Option<String>,
	}
	let owner = format!("0x{}", alloy::hex::encode(eve.account_id().0));
	let generated: Generated = client
		.rpc("author_rotateKeysWithOwner", sonm_client::subxt::rpcs::rpc_params![owner])
		.await
		.unwrap();
	let keys = alloy::hex::decode(generated.keys.trim_start_matches("0x")).unwrap();
	let proof = alloy::hex::decode(generated.proof.unwrap().trim_start_matches("0x")).unwrap();
	let session_keys = runtime_types::sonm_runtime::opaque::SessionKeys {
		aura: runtime_types::sp_consensus_aura::sr25519::app_sr25519::Public(
			keys[..32].try_into().unwrap(),
		),
		grandpa: runtime_types::sp_consensus_grandpa::app::Public(keys[32..].try_into().unwrap()),
	};
	submit_as(&client, "eve", runtime::tx().session().set_keys(session_keys, proof))
		.await
		.unwrap();
	let eve_eth = EthKey::from_uri("//Eve").unwrap();
	let digest = sonm_primitives::gatekeeper::key_registration_digest(
		&client.genesis_hash(),
		&eve.account_id().0,
	);
	submit_as(
		&client,
		"eve",
		runtime::tx()
			.gatekeeper()
			.register_eth_key(eve_eth.address(), eve_eth.sign(&digest)),
	)
	.await
	.unwrap();
	// The newest set is Eve's once she is selected; its id is not assumed: on a busy machine a
	// set may have changed before (a masternode judged offline for a session), and another may
	// follow.
	let started = Instant::now();
	let eve_set = wait_for("a signer set with Eve to be installed on Ethereum", || async {
		let set = client.signer_set(None).await.ok()??;
		let installed = Gatekeeper::new(eth.gatekeeper, &eth.provider).setId().call().await.ok()?;
		let with_eve = set.signers.contains(&address_hex(&eve_eth.address()));
		(set.id >= 1 && set.complete && with_eve && installed >= set.id).then_some(set.id)
	})
	.await;
	println!("set {eve_set} installed on Ethereum {:?} after Eve's keys", started.elapsed());
	let holder_before = snm.balanceOf(Address::from(holder.address())).call().await.unwrap();
	let started = Instant::now();
	let out = token(&[
		"withdraw",
		"4",
		"--to",
		&address_hex(&holder.address()),
		"--url",
		&nodes[0].url(),
		"--eth-url",
		&eth.url,
		"--from",
		"//Ferdie",
	]);
	println!("{out}withdraw to payout (set {eve_set}, all gateways up): {:?}", started.elapsed());
	let withdrawal = client.withdrawals(2, 1).await.unwrap().remove(0);
	assert!(withdrawal.set_id >= eve_set, "signed by Eve's set or a later one");
	let holder_after = snm.balanceOf(Address::from(holder.address())).call().await.unwrap();
	assert_eq!(holder_after - holder_before, U256::from(3 * SNM));
}

/// Approves and locks `amount` from the holder (anvil's second account) for sidechain account
/// `recipient`; the `payIn` transaction and its block.
async fn pay_in(eth: &Ethereum, recipient: [u8; 32], amount: u128) -> (B256, u64) {
	let holder: PrivateKeySigner = ANVIL_SECOND_KEY.parse().unwrap();
	let as_holder = provider_builder()
		.wallet(EthereumWallet::from(holder))
		.connect_http(eth.url.parse().unwrap())
		.erased();
	let snm = TestSnm::new(eth.token, &as_holder);
	let approving = send(snm.approve(eth.gatekeeper, U256::from(amount))).await.unwrap();
	mined(&as_holder, *approving.tx_hash(), PATIENCE).await.unwrap();
	let gatekeeper = Gatekeeper::new(eth.gatekeeper, &as_holder);
	let paying = send(gatekeeper.payIn(U256::from(amount), FixedBytes(recipient))).await.unwrap();
	let receipt = mined(&as_holder, *paying.tx_hash(), PATIENCE).await.unwrap();
	(*paying.tx_hash(), receipt.block_number.unwrap())
}

/// Submits `call` signed by dev account `name`.
async fn submit_as<Call: sonm_client::subxt::tx::Payload>(
	client: &Client,
	name: &str,
	call: Call,
) -> Result<sonm_client::Included, sonm_client::ClientError> {
	let key = Key::dev(name).unwrap();
	client.submit(&call, &key, sonm_client::Wait::InBlock, |_| {}).await
}

/// A deposit over the daily mint cap waits and the gateway mints it (`claim_deposit`) when
/// the cap has room. Then a reorg deeper than the confirmations under a deposit a gateway
/// attested halts it: the
/// alarm is logged, `/health` answers 503, `sonm_bridge_halted` is 1, a restart stays halted,
/// and later deposits are not attested. (A dev chain, where Alice alone attests, and one
/// confirmation, so that a shallow reorg is deeper than that.)
#[tokio::test(flavor = "multi_thread")]
async fn a_deferred_deposit_is_claimed_and_a_reorg_under_an_attested_one_halts_the_gateway() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::dev(dir.path());
	let client =
		wait_for("the dev chain", || async { Client::connect(&node.url()).await.ok() }).await;
	let eth = ethereum_with(client.genesis_hash(), &["Alice"], 1).await;
	let mut gateway = GatewayProcess::start_with(dir.path(), "Alice", &node, &eth.url, 1);
	let holder: PrivateKeySigner = ANVIL_SECOND_KEY.parse().unwrap();
	let snm = TestSnm::new(eth.token, &eth.provider);
	let minting = send(snm.mint(holder.address(), U256::from(100 * SNM))).await.unwrap();
	mined(&eth.provider, *minting.tx_hash(), PATIENCE).await.unwrap();
	let ferdie = Key::dev("ferdie").unwrap().account_id();
	// First the daily mint cap: a deposit above it waits, approved, and the gateway claims it
	// once root raises the cap.
	use sonm_client::runtime::{self, runtime_types};
	let caps = |mint: u128| {
		runtime::tx().sudo().sudo(runtime_types::sonm_runtime::RuntimeCall::Gatekeeper(
			runtime_types::pallet_gatekeeper::pallet::Call::set_caps {
				daily_mint: mint,
				daily_withdraw: mint,
			},
		))
	};
	submit_as(&client, "alice", caps(5 * SNM)).await.unwrap();
	let (first, block) = pay_in(&eth, ferdie.0, 10 * SNM).await;
	let first = format!("{first}");
	wait_for("the deposit approved and deferred by the cap", || async {
		(client.deposit(&first, 1).await.ok()??.status == DepositStatus::Approved).then_some(())
	})
	.await;
	submit_as(&client, "alice", caps(1_000 * SNM)).await.unwrap();
	wait_for("the gateway to claim it", || async {
		(client.deposit(&first, 1).await.ok()??.status == DepositStatus::Minted).then_some(())
	})
	.await;
	// The gateway logs its claim once its submission returns, which can be after the mint is
	// visible at the best block.
	wait_for("the gateway to log its claim", || async {
		std::fs::read_to_string(&gateway.log)
			.ok()?
			.contains("claimed deposit")
			.then_some(())
	})
	.await;
	let head = eth.provider.get_block_number().await.unwrap();
	eth.provider
		.anvil_reorg(alloy::rpc::types::anvil::ReorgOptions {
			depth: head - block + 1,
			tx_block_pairs: vec![],
		})
		.await
		.unwrap();
	wait_for("the gateway to halt", || async { gateway.health().contains("503").then_some(()) })
		.await;
	assert!(gateway.metric("sonm_bridge_halted") == Some(1));
	assert!(std::fs::read_to_string(&gateway.log).unwrap().contains("ALARM"));
	gateway.kill_9();
	gateway.restart();
	wait_for("the restarted gateway to say it is halted", || async {
		gateway.health().contains("halted").then_some(())
	})
	.await;
	let (second, second_block) = pay_in(&eth, ferdie.0, 5 * SNM).await;
	let second = format!("{second}");
	// Long enough to attest had it not halted.
	wait_past_attestation(&eth, &client, second_block).await;
	assert!(
		client.deposit(&second, 1).await.unwrap().is_none(),
		"a halted gateway attests nothing"
	);
}
