//! `sonm-bridge deploy`: puts the gateway's contracts on an Ethereum chain for a sidechain: the
//! test token (unless `--token` names the real SNM) and the Gatekeeper, bound to the sidechain's
//! genesis hash, with the chain's signer set 0 (its genesis masternodes' keys) and the limits
//! given. The sidechain must name the same address (`gatekeeper.contract` in its genesis, or
//! root's `set_contract`): on dev chains, anvil's first account deploying to a fresh anvil
//! lands exactly where the presets say.

use crate::{
	chain::ws_url,
	error::{BridgeError, BridgeResult},
};
use alloy::{
	network::EthereumWallet,
	primitives::{Address, B256, U256},
	providers::Provider,
	signers::local::PrivateKeySigner,
};
use sonm_client::{
	eth_key::{address_hex, parse_address},
	Client, EthKey,
};
use sonm_contracts::{deploy_gatekeeper, deploy_test_snm, provider_builder, Gatekeeper};
use std::time::Duration;

/// Base units per SNM.
const SNM: u128 = 1_000_000_000_000_000_000;

#[derive(clap::Args, Debug)]
pub struct DeployArgs {
	/// The sidechain node (for its genesis hash and signer set 0).
	#[arg(long, env = "SONM_URL", default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The Ethereum node.
	#[arg(long, env = "SONM_ETH_URL", default_value = "http://127.0.0.1:8545")]
	eth_url: String,
	/// The deployer's Ethereum key (secret URI or 0x-hex secret key); it also mints the test
	/// token.
	#[arg(long, env = "SONM_ETH_SURI")]
	eth_suri: String,
	/// The SNM token to use instead of deploying the test token.
	#[arg(long)]
	token: Option<String>,
	/// The most paid out per day, in SNM.
	#[arg(long, default_value_t = 1_000_000)]
	daily_limit: u128,
	/// The most paid out at once (the token bucket's size), in SNM.
	#[arg(long, default_value_t = 1_000_000)]
	burst: u128,
	/// What the bucket regains per second, in SNM.
	#[arg(long, default_value_t = 100)]
	refill_per_second: u128,
	/// Payouts of this many SNM or more wait `--payout-delay` seconds.
	#[arg(long, default_value_t = 100_000)]
	large_payout: u128,
	#[arg(long, default_value_t = 3_600)]
	payout_delay: u64,
	/// Addresses the deployer mints test SNM to (with the test token only).
	#[arg(long)]
	mint_to: Vec<String>,
	/// How much test SNM each `--mint-to` address gets.
	#[arg(long, default_value_t = 10_000)]
	mint: u128,
}

/// A deployment's transaction that failed.
fn contract(error: impl std::fmt::Display) -> BridgeError {
	BridgeError::Contract(error.to_string())
}

pub async fn run(args: DeployArgs) -> BridgeResult<()> {
	let client = Client::connect(&ws_url(&args.url)).await?;
	let set = client.signer_set(Some(0)).await?.ok_or_else(|| {
		BridgeError::unexpected(
			"the sidechain has no signer set 0 (no masternode has an Ethereum key)",
		)
	})?;
	let signers: Vec<Address> = set
		.signers
		.iter()
		.map(|s| parse_address(s).map(Address::from).map_err(BridgeError::Unexpected))
		.collect::<Result<_, _>>()?;
	let key = EthKey::from_uri(&args.eth_suri)
		.map_err(|e| BridgeError::Input(format!("--eth-suri: {e}")))?;
	let signer = PrivateKeySigner::from_bytes(&B256::from(key.secret()))
		.map_err(|e| BridgeError::Input(format!("--eth-suri: {e}")))?;
	let url = args
		.eth_url
		.parse()
		.map_err(|e| BridgeError::Input(format!("--eth-url: {e}")))?;
	let provider = provider_builder().wallet(EthereumWallet::from(signer)).connect_http(url);
	let patience = Duration::from_secs(120);
	let token = match &args.token {
		Some(token) => Address::from(
			parse_address(token).map_err(|e| BridgeError::Input(format!("--token: {e}")))?,
		),
		None => deploy_test_snm(&provider, patience).await.map_err(contract)?,
	};
	let snm = |amount: u128| U256::from(amount) * U256::from(SNM);
	let limits = Gatekeeper::Limits {
		dailyLimit: snm(args.daily_limit),
		bucketCapacity: snm(args.burst),
		refillPerSecond: snm(args.refill_per_second),
		largePayout: snm(args.large_payout),
		payoutDelay: U256::from(args.payout_delay),
	};
	let genesis = B256::from(client.genesis_hash());
	let gatekeeper = deploy_gatekeeper(
		&provider,
		token,
		genesis,
		signers,
		set.threshold.into(),
		limits,
		patience,
	)
	.await
	.map_err(contract)?;
	// Minted after the gatekeeper's deployment: a deployer's first two transactions put the
	// contracts where dev chains' genesis names them.
	if args.token.is_none() {
		let test_snm = sonm_contracts::TestSnm::new(token, &provider);
		for to in &args.mint_to {
			let to = Address::from(
				parse_address(to).map_err(|e| BridgeError::Input(format!("--mint-to: {e}")))?,
			);
			let sent = sonm_contracts::send(test_snm.mint(to, snm(args.mint)))
				.await
				.map_err(contract)?;
			sonm_contracts::mined(&provider, *sent.tx_hash(), patience)
				.await
				.map_err(contract)?;
			println!("minted {} test SNM to {}", args.mint, address_hex(&to.0 .0));
		}
	}
	let chain_id = provider
		.get_chain_id()
		.await
		.map_err(|e| BridgeError::Ethereum(e.to_string()))?;
	let state = client.gatekeeper_state().await?;
	println!("token {}", address_hex(&token.0 .0));
	println!(
		"gatekeeper {} on chain {chain_id} for sidechain {genesis}",
		address_hex(&gatekeeper.0 .0)
	);
	if state.gatekeeper.as_deref() != Some(address_hex(&gatekeeper.0 .0).as_str())
		|| state.chain_id != Some(chain_id)
	{
		println!(
			"the sidechain names {:?} on chain {:?}: have root call gatekeeper.set_contract({chain_id}, {})",
			state.gatekeeper,
			state.chain_id,
			address_hex(&gatekeeper.0 .0)
		);
	}
	Ok(())
}
