//! The gateway's Ethereum contracts against a real anvil (npm `@foundry-rs/anvil-linux-amd64`,
//! installed by `scripts/setup.sh`; spawned on a free port and killed when the test ends): the
//! committed ABI and bytecode are what the sources compile to; `payIn` locks, `payOut` pays on a
//! threshold of EIP-712 signatures and every way of getting it wrong is refused by name; the
//! daily limit and the token bucket hold (time moved with `evm_increaseTime`); a large payout
//! waits for its delay and a signer can cancel it; the signer set rotates on the old set's
//! signatures, whose own signatures stay valid for one set more; one signer pauses, the
//! threshold unpauses. The gas of each call is printed (figures in `bridge/README.md`).

use alloy::{
	contract::Error as ContractError,
	network::EthereumWallet,
	node_bindings::{Anvil, AnvilInstance},
	primitives::{Address, Bytes, FixedBytes, B256, U256},
	providers::{ext::AnvilApi, Provider},
	signers::{local::PrivateKeySigner, SignerSync},
	sol_types::{Eip712Domain, SolStruct},
};
use sonm_contracts::{
	deploy_gatekeeper, deploy_test_snm, domain, mined, provider_builder, send, Gatekeeper, Payout,
	SetChange, TestSnm, Unpause,
};
use std::path::Path;

/// How long a transaction may take to be mined (anvil mines at once).
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

const SNM: u128 = 1_000_000_000_000_000_000;
const GENESIS: [u8; 32] = [7; 32];

fn snm(amount: u128) -> U256 {
	U256::from(amount * SNM)
}

fn contracts_dir() -> &'static Path {
	Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn anvil() -> AnvilInstance {
	let home = std::env::var("HOME").expect("HOME");
	let binary = Path::new(&home).join(".cache/sonm-npm/node_modules/.bin/anvil");
	assert!(binary.exists(), "anvil is installed by scripts/setup.sh");
	Anvil::at(binary).spawn()
}

#[test]
fn the_committed_artifacts_are_what_the_sources_compile_to() {
	let out = tempfile::tempdir().unwrap();
	let status = std::process::Command::new(contracts_dir().join("compile.sh"))
		.arg(out.path())
		.status()
		.expect("compile.sh runs");
	assert!(status.success());
	for file in ["Gatekeeper.abi", "Gatekeeper.bin", "TestSnm.abi", "TestSnm.bin"] {
		let fresh = std::fs::read(out.path().join(file)).unwrap();
		let committed = std::fs::read(contracts_dir().join("build").join(file)).unwrap();
		assert!(fresh == committed, "build/{file} is stale: run bridge/contracts/compile.sh");
	}
}

/// A deployed token and gatekeeper with `signers` (sorted by address) and `threshold`.
struct Deployment<P> {
	provider: P,
	token: Address,
	gatekeeper: Address,
	domain: Eip712Domain,
	signers: Vec<PrivateKeySigner>,
}

fn sorted_signers(count: usize) -> Vec<PrivateKeySigner> {
	let mut signers: Vec<PrivateKeySigner> =
		(0..count).map(|_| PrivateKeySigner::random()).collect();
	signers.sort_by_key(|signer| signer.address());
	signers
}

fn limits() -> Gatekeeper::Limits {
	Gatekeeper::Limits {
		dailyLimit: snm(1_000),
		bucketCapacity: snm(600),
		refillPerSecond: snm(1),
		largePayout: snm(300),
		payoutDelay: U256::from(3_600),
	}
}

async fn deploy(
	anvil: &AnvilInstance,
	signers: Vec<PrivateKeySigner>,
	threshold: u64,
) -> Deployment<impl Provider + Clone> {
	let owner: PrivateKeySigner = anvil.keys()[0].clone().into();
	let provider = provider_builder()
		.wallet(EthereumWallet::from(owner))
		.connect_http(anvil.endpoint_url());
	let token = deploy_test_snm(&provider, PATIENCE).await.unwrap();
	let addresses = signers.iter().map(|signer| signer.address()).collect();
	let gatekeeper = deploy_gatekeeper(
		&provider,
		token,
		GENESIS.into(),
		addresses,
		threshold,
		limits(),
		PATIENCE,
	)
	.await
	.unwrap();
	let domain = domain(anvil.chain_id(), gatekeeper, B256::from(GENESIS));
	Deployment { provider, token, gatekeeper, domain, signers }
}

impl<P: Provider + Clone> Deployment<P> {
	fn gatekeeper(&self) -> Gatekeeper::GatekeeperInstance<P> {
		Gatekeeper::new(self.gatekeeper, self.provider.clone())
	}

	fn token(&self) -> TestSnm::TestSnmInstance<P> {
		TestSnm::new(self.token, self.provider.clone())
	}

	/// Signatures of `signers` over `data`, each 65 bytes (r, s, v = 27 or 28).
	fn sign(&self, signers: &[&PrivateKeySigner], data: &impl SolStruct) -> Vec<Bytes> {
		let hash = data.eip712_signing_hash(&self.domain);
		signers
			.iter()
			.map(|signer| Bytes::from(signer.sign_hash_sync(&hash).unwrap().as_bytes().to_vec()))
			.collect()
	}

	/// The current set's first `count` signers.
	fn first(&self, count: usize) -> Vec<&PrivateKeySigner> {
		self.signers.iter().take(count).collect()
	}

	fn payout(&self, id: u8, to: Address, amount: U256, set_id: u64) -> Payout {
		Payout { id: FixedBytes([id; 32]), to, amount, setId: set_id }
	}

	/// `payOut` of `payout` with `signatures`; the gas used, or the contract's error.
	async fn pay_out(&self, payout: &Payout, signatures: Vec<Bytes>) -> Result<u64, String> {
		let gatekeeper = self.gatekeeper();
		let call = gatekeeper.payOut(payout.id, payout.to, payout.amount, payout.setId, signatures);
		outcome(send(call).await).await
	}
}

/// The gas used by a sent transaction, or the name of the contract error that refused it.
async fn outcome<N: alloy::network::Network>(
	sent: Result<alloy::providers::PendingTransactionBuilder<N>, ContractError>,
) -> Result<u64, String> {
	use alloy::network::ReceiptResponse;
	match sent {
		Ok(pending) => {
			let hash = *pending.tx_hash();
			let receipt = mined(pending.provider(), hash, PATIENCE).await.unwrap();
			assert!(receipt.status(), "{hash} mined but reverted, gas used {}", receipt.gas_used());
			Ok(receipt.gas_used())
		},
		Err(error) => Err(error_name(&error)),
	}
}

/// The name of the custom error a call reverted with.
fn error_name(error: &ContractError) -> String {
	if let Some(decoded) = error.as_decoded_interface_error::<Gatekeeper::GatekeeperErrors>() {
		return format!("{decoded:?}").split(['(', ' ', '{']).next().unwrap().to_owned();
	}
	if let Some(decoded) = error.as_decoded_interface_error::<TestSnm::TestSnmErrors>() {
		return format!("{decoded:?}").split(['(', ' ', '{']).next().unwrap().to_owned();
	}
	format!("undecoded: {error}")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gatekeeper_pays_in_and_out_within_its_rules() {
	let anvil = anvil();
	let chain = deploy(&anvil, sorted_signers(4), 3).await;
	let gatekeeper = chain.gatekeeper();
	let token = chain.token();
	let customer = anvil.addresses()[0];
	let receiver = anvil.addresses()[1];

	// payIn: locked and announced; nothing approved, zero and no recipient refused.
	outcome(send(token.mint(customer, snm(10_000))).await).await.unwrap();
	let recipient = FixedBytes([9; 32]);
	let unapproved = send(gatekeeper.payIn(snm(5), recipient)).await;
	assert_eq!(outcome(unapproved).await, Err("InsufficientAllowance".into()));
	outcome(send(token.approve(chain.gatekeeper, U256::MAX)).await).await.unwrap();
	let gas_pay_in = outcome(send(gatekeeper.payIn(snm(5_000), recipient)).await).await.unwrap();
	eprintln!("gas: payIn {gas_pay_in}");
	assert_eq!(token.balanceOf(chain.gatekeeper).call().await.unwrap(), snm(5_000));
	assert_eq!(gatekeeper.deposits().call().await.unwrap(), U256::from(1));
	assert_eq!(
		outcome(send(gatekeeper.payIn(U256::ZERO, recipient)).await).await,
		Err("ZeroAmount".into())
	);
	assert_eq!(
		outcome(send(gatekeeper.payIn(snm(1), FixedBytes([0; 32]))).await).await,
		Err("ZeroRecipient".into())
	);

	// payOut: three of four signatures pay; a replay, two signatures, unsorted ones, a
	// stranger's, another amount's and a malleable one are refused.
	start_an_hour_into_a_day(&chain.provider).await;
	let payout = chain.payout(1, receiver, snm(100), 0);
	let signatures = chain.sign(&chain.first(3), &payout);
	let gas = chain.pay_out(&payout, signatures.clone()).await.unwrap();
	eprintln!("gas: payOut with 3 of 4 signatures {gas}");
	assert_eq!(token.balanceOf(receiver).call().await.unwrap(), snm(100));
	assert_eq!(chain.pay_out(&payout, signatures.clone()).await, Err("AlreadyUsed".into()));
	let next = chain.payout(2, receiver, snm(10), 0);
	let two = chain.sign(&chain.first(2), &next);
	assert_eq!(chain.pay_out(&next, two).await, Err("TooFewSignatures".into()));
	let mut unsorted = chain.sign(&chain.first(3), &next);
	unsorted.swap(0, 1);
	assert_eq!(chain.pay_out(&next, unsorted).await, Err("UnsortedSignatures".into()));
	let stranger = PrivateKeySigner::random();
	let mut with_stranger: Vec<&PrivateKeySigner> = chain.first(2);
	with_stranger.push(&stranger);
	with_stranger.sort_by_key(|signer| signer.address());
	let foreign = chain.sign(&with_stranger, &next);
	assert_eq!(chain.pay_out(&next, foreign).await, Err("UnknownSigner".into()));
	let more = Payout { amount: snm(11), ..next.clone() };
	let other_amount = chain.sign(&chain.first(3), &more);
	let refused = chain.pay_out(&next, other_amount).await;
	assert!(
		refused == Err("UnknownSigner".into()) || refused == Err("UnsortedSignatures".into()),
		"{refused:?}"
	);
	let mut malleable = chain.sign(&chain.first(3), &next);
	malleable[0] = flip_s(&malleable[0]);
	assert_eq!(chain.pay_out(&next, malleable).await, Err("BadSignature".into()));
	assert_eq!(chain.pay_out(&next, chain.sign(&chain.first(3), &next)).await.map(|_| ()), Ok(()));

	// The token bucket (600, 1 per second) and the daily limit (1,000).
	let big = chain.payout(3, receiver, snm(290), 0);
	chain.pay_out(&big, chain.sign(&chain.first(3), &big)).await.unwrap();
	let over = chain.payout(4, receiver, snm(290), 0);
	assert_eq!(
		chain.pay_out(&over, chain.sign(&chain.first(3), &over)).await,
		Err("RateLimited".into())
	);
	chain.provider.anvil_increase_time(300).await.unwrap();
	chain.pay_out(&over, chain.sign(&chain.first(3), &over)).await.unwrap();
	chain.provider.anvil_increase_time(600).await.unwrap();
	let rest_of_today = chain.payout(5, receiver, snm(299), 0);
	chain
		.pay_out(&rest_of_today, chain.sign(&chain.first(3), &rest_of_today))
		.await
		.unwrap();
	let beyond_today = chain.payout(12, receiver, snm(20), 0);
	let today = chain.pay_out(&beyond_today, chain.sign(&chain.first(3), &beyond_today)).await;
	assert_eq!(today, Err("DailyLimitExceeded".into()), "100 + 10 + 290 + 290 + 299 + 20 > 1,000");
	chain.provider.anvil_increase_time(86_400).await.unwrap();
	chain
		.pay_out(&beyond_today, chain.sign(&chain.first(3), &beyond_today))
		.await
		.unwrap();

	// A large payout waits; a signer cancels one; the other is released after the delay.
	let large = chain.payout(6, receiver, snm(300), 0);
	chain.pay_out(&large, chain.sign(&chain.first(3), &large)).await.unwrap();
	let before = token.balanceOf(receiver).call().await.unwrap();
	assert_eq!(outcome(send(gatekeeper.release(large.id)).await).await, Err("TooEarly".into()));
	assert_eq!(outcome(send(gatekeeper.cancel(large.id)).await).await, Err("NotSigner".into()));
	chain.provider.anvil_increase_time(3_600).await.unwrap();
	outcome(send(gatekeeper.release(large.id)).await).await.unwrap();
	assert_eq!(token.balanceOf(receiver).call().await.unwrap(), before + snm(300));
	chain.provider.anvil_increase_time(86_400).await.unwrap();
	let cancelled = chain.payout(7, receiver, snm(300), 0);
	chain
		.pay_out(&cancelled, chain.sign(&chain.first(3), &cancelled))
		.await
		.unwrap();
	let signer_wallet = provider_builder()
		.wallet(EthereumWallet::from(chain.signers[3].clone()))
		.connect_http(anvil.endpoint_url());
	fund(&chain.provider, chain.signers[3].address()).await;
	let as_signer = Gatekeeper::new(chain.gatekeeper, signer_wallet.clone());
	outcome(send(as_signer.cancel(cancelled.id)).await).await.unwrap();
	chain.provider.anvil_increase_time(3_600).await.unwrap();
	assert_eq!(
		outcome(send(gatekeeper.release(cancelled.id)).await).await,
		Err("NotPending".into())
	);
	assert_eq!(
		chain.pay_out(&cancelled, chain.sign(&chain.first(3), &cancelled)).await,
		Err("AlreadyUsed".into())
	);

	// Pause by one signer stops both directions; the threshold unpauses; a replayed unpause
	// does not.
	assert_eq!(outcome(send(gatekeeper.pause()).await).await, Err("NotSigner".into()));
	outcome(send(as_signer.pause()).await).await.unwrap();
	assert_eq!(
		outcome(send(gatekeeper.payIn(snm(1), recipient)).await).await,
		Err("IsPaused".into())
	);
	let held = chain.payout(8, receiver, snm(1), 0);
	assert_eq!(
		chain.pay_out(&held, chain.sign(&chain.first(3), &held)).await,
		Err("IsPaused".into())
	);
	let unpause = Unpause { nonce: 0, setId: 0 };
	let few = chain.sign(&chain.first(2), &unpause);
	assert_eq!(outcome(send(gatekeeper.unpause(few)).await).await, Err("TooFewSignatures".into()));
	let enough = chain.sign(&chain.first(3), &unpause);
	outcome(send(gatekeeper.unpause(enough.clone())).await).await.unwrap();
	chain.pay_out(&held, chain.sign(&chain.first(3), &held)).await.unwrap();
	outcome(send(as_signer.pause()).await).await.unwrap();
	let replayed = outcome(send(gatekeeper.unpause(enough)).await).await;
	assert!(replayed.is_err(), "an unpause's signatures serve once");

	// Rotation, signed by the current set: the old set's payouts still pay for one set more.
	let unpause = Unpause { nonce: 1, setId: 0 };
	outcome(send(gatekeeper.unpause(chain.sign(&chain.first(3), &unpause))).await)
		.await
		.unwrap();
	let old_signers = chain.signers.clone();
	let new_set = sorted_signers(5);
	let change = SetChange {
		newSetId: 1,
		signers: new_set.iter().map(|signer| signer.address()).collect(),
		threshold: U256::from(4),
		setId: 0,
	};
	let weak = SetChange { threshold: U256::from(3), ..change.clone() };
	let weak_call =
		gatekeeper.rotate(weak.signers.clone(), weak.threshold, chain.sign(&chain.first(3), &weak));
	assert_eq!(
		outcome(send(weak_call).await).await,
		Err("BadSignerSet".into()),
		"3 of 5 is not > 2/3"
	);
	let rotation = gatekeeper.rotate(
		change.signers.clone(),
		change.threshold,
		chain.sign(&chain.first(3), &change),
	);
	let gas_rotate = outcome(send(rotation).await).await.unwrap();
	eprintln!("gas: rotate to 5 signers {gas_rotate}");
	assert_eq!(gatekeeper.setId().call().await.unwrap(), 1);
	let late = chain.payout(9, receiver, snm(1), 0);
	chain.pay_out(&late, chain.sign(&chain.first(3), &late)).await.unwrap();
	let rotated = Deployment { signers: new_set, ..chain };
	let fresh = rotated.payout(10, receiver, snm(1), 1);
	rotated.pay_out(&fresh, rotated.sign(&rotated.first(4), &fresh)).await.unwrap();
	let again = SetChange {
		newSetId: 2,
		signers: rotated.signers.iter().map(|signer| signer.address()).collect(),
		threshold: U256::from(4),
		setId: 1,
	};
	let rotated_gatekeeper = rotated.gatekeeper();
	let second = rotated_gatekeeper.rotate(
		again.signers.clone(),
		again.threshold,
		rotated.sign(&rotated.first(4), &again),
	);
	outcome(send(second).await).await.unwrap();
	let stale = rotated.payout(11, receiver, snm(1), 0);
	let by_set_0 = rotated.sign(&old_signers.iter().take(3).collect::<Vec<_>>(), &stale);
	assert_eq!(rotated.pay_out(&stale, by_set_0).await, Err("StaleSet".into()), "two sets old");
}

/// The gas of `payOut` with a threshold of signatures and of a rotation, for sets of 3, 4 and
/// 21 signers (thresholds 3, 3 and 15: more than two thirds).
#[tokio::test(flavor = "multi_thread")]
async fn gas_of_pay_out_and_rotation_by_set_size() {
	let anvil = anvil();
	for (size, threshold) in [(3usize, 3u64), (4, 3), (21, 15)] {
		let chain = deploy(&anvil, sorted_signers(size), threshold).await;
		let token = chain.token();
		let owner = anvil.addresses()[0];
		outcome(send(token.mint(owner, snm(1_000))).await).await.unwrap();
		outcome(send(token.transfer(chain.gatekeeper, snm(1_000))).await).await.unwrap();
		let payout = chain.payout(1, anvil.addresses()[1], snm(10), 0);
		let signatures = chain.sign(&chain.first(threshold as usize), &payout);
		let pay_out = chain.pay_out(&payout, signatures).await.unwrap();
		let next = sorted_signers(size);
		let change = SetChange {
			newSetId: 1,
			signers: next.iter().map(|signer| signer.address()).collect(),
			threshold: U256::from(threshold),
			setId: 0,
		};
		let signatures = chain.sign(&chain.first(threshold as usize), &change);
		let gatekeeper = chain.gatekeeper();
		let rotation = gatekeeper.rotate(change.signers.clone(), change.threshold, signatures);
		let rotate = outcome(send(rotation).await).await.unwrap();
		eprintln!(
			"gas with {size} signers (threshold {threshold}): payOut {pay_out}, rotate {rotate}"
		);
	}
}

/// Sends `to` one ether from anvil's first account (the deployment's wallet).
/// Moves anvil's clock to 01:00 UTC of the next day. The daily limit counts per UTC day
/// (`block.timestamp / 1 days`), and the test moves time by 900 s between payouts it expects to
/// share a day: started from the wall clock, a run near midnight would split them.
async fn start_an_hour_into_a_day(provider: &(impl Provider + AnvilApi<alloy::network::Ethereum>)) {
	const DAY: u64 = 86_400;
	let latest = provider
		.get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
		.await
		.unwrap()
		.expect("anvil has a latest block");
	let now = latest.header.timestamp;
	provider.anvil_set_time((now / DAY + 1) * DAY + 3_600).await.unwrap();
}

async fn fund(provider: &impl Provider, to: Address) {
	use alloy::network::TransactionBuilder;
	let request = alloy::rpc::types::TransactionRequest::default()
		.with_to(to)
		.with_value(U256::from(SNM));
	let sent = provider.send_transaction(request).await.unwrap();
	mined(provider, *sent.tx_hash(), PATIENCE).await.unwrap();
}

/// The same signature with `s` replaced by `n - s` and `v` flipped: valid for ecrecover, and
/// refused by the contract.
fn flip_s(signature: &Bytes) -> Bytes {
	let order = U256::from_str_radix(
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
		16,
	)
	.unwrap();
	let s = U256::from_be_slice(&signature[32..64]);
	let mut flipped = signature.to_vec();
	flipped[32..64].copy_from_slice(&(order - s).to_be_bytes::<32>());
	flipped[64] = if signature[64] == 27 { 28 } else { 27 };
	flipped.into()
}

/// The typed data of fixed inputs as alloy hashes them: the vectors `sonm-primitives`
/// (`gatekeeper::tests::digests_match_the_contracts_typed_data`) checks its own `no_std`
/// hashing against, so the pallet, the gateway and the contract agree on every digest.
#[test]
fn typed_data_vectors() {
	let gatekeeper: Address = "0x5fbdb2315678afecb367f032d93f642f64180aa3".parse().unwrap();
	let to: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8".parse().unwrap();
	let domain = domain(31337, gatekeeper, B256::from(GENESIS));
	let signers = vec![Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3)];
	let id = FixedBytes::<32>::left_padding_from(&5u64.to_be_bytes());
	let payout = Payout { id, to, amount: U256::from(SNM), setId: 2 };
	let change = SetChange { newSetId: 3, signers, threshold: U256::from(3), setId: 2 };
	let unpause = Unpause { nonce: 4, setId: 2 };
	let vectors = [
		("DOMAIN_SEPARATOR", domain.separator()),
		("PAYOUT", payout.eip712_signing_hash(&domain)),
		("SET_CHANGE", change.eip712_signing_hash(&domain)),
		("UNPAUSE", unpause.eip712_signing_hash(&domain)),
	];
	let expected = [
		"0xd329a541d642d06c9086bf6aa27a8a472924ed62ea9c5665b5334246f5ae0df3",
		"0xfdc21ea796d16e0eb63253c04e0b7a30a3294e426707e2b22fe974376541c864",
		"0xb98e31664b75bc5e0117d84a6e2c66d1624d64608a0723f991dd93b8585c5b11",
		"0x13b27c57919b0cc78b3db03dba7be788b92ec0be1ceef62a8ac15a72f1bdb17a",
	];
	for ((name, hash), expected) in vectors.iter().zip(expected) {
		println!("const {name}: &str = \"{hash}\";");
		assert_eq!(hash.to_string(), expected, "{name}: update it here and in sonm-primitives");
	}
}
