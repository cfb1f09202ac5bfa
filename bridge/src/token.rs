//! A holder's side of the gateway, behind `sonm token`: a deposit (approve and `payIn` on
//! Ethereum with the holder's Ethereum key, then the masternodes' attestations up to the mint
//! on the sidechain), a withdrawal (the burn on the sidechain, the masternodes' signatures, the
//! payout on Ethereum, relayed by a gateway or by the holder), and the gateway's state on both
//! sides. Every wait reports what changed through a `progress` callback.

use crate::error::{BridgeError, BridgeResult};
use crate::{ethereum::Ethereum, gateway::signature_of};
use alloy::primitives::Address;
use sonm_client::{
	eth_key::{address_hex, parse_address},
	runtime,
	types::{GatewayState, SignerSet},
	AccountId32, Client, EthKey, Key, Wait,
};
use sonm_primitives::gatekeeper::{DepositStatus, EthAddress, EthSignature};
use std::time::{Duration, Instant};

/// The key that only reads the contracts (no transaction is sent with it).
const READER: &str = "//sonm-token-reader";

/// The contract the chain names.
async fn contract(client: &Client) -> BridgeResult<Address> {
	let state = client.gatekeeper_state().await?;
	let address = state
		.gatekeeper
		.ok_or_else(|| BridgeError::unexpected("the chain names no gatekeeper contract"))?;
	Ok(parse_address(&address).map_err(BridgeError::Unexpected)?.into())
}

/// A deposit minted on the sidechain.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposited {
	/// The Ethereum transaction that locked the SNM, `0x` hex, and its log.
	pub tx_hash: String,
	pub log_index: u32,
	/// The Ethereum block that included it.
	pub eth_block: u64,
	/// Base units minted.
	#[serde(with = "sonm_primitives::amount")]
	pub amount: u128,
}

/// Locks `amount` base units on Ethereum with `eth_key` for `to` and waits up to `timeout` until
/// the sidechain has minted them.
pub async fn deposit(
	client: &Client,
	eth_url: &str,
	eth_key: &EthKey,
	amount: u128,
	to: &AccountId32,
	timeout: Duration,
	mut progress: impl FnMut(String),
) -> BridgeResult<Deposited> {
	let eth = Ethereum::connect(eth_url, eth_key.secret(), contract(client).await?).await?;
	progress(format!("approving and locking on Ethereum from {}", address_hex(&eth_key.address())));
	let paid = eth.pay_in(amount, to.0).await?;
	let tx_hash = format!("0x{}", hex::encode(paid.key.tx_hash));
	progress(format!(
		"locked in Ethereum block {} (deposit {tx_hash}:{})",
		paid.block, paid.key.log_index
	));
	let deadline = Instant::now() + timeout;
	let mut last = String::new();
	loop {
		let head = eth.head().await?;
		let seen = client.deposit(&tx_hash, paid.key.log_index).await?;
		let now = match &seen {
			Some(d) => format!("{} ({} attestation(s))", d.status, d.attesters.len()),
			None => format!("waiting for confirmations ({} so far)", head + 1 - paid.block),
		};
		if now != last {
			progress(now.clone());
			last = now;
		}
		if seen.is_some_and(|d| d.status == DepositStatus::Minted) {
			return Ok(Deposited {
				tx_hash,
				log_index: paid.key.log_index,
				eth_block: paid.block,
				amount,
			});
		}
		if Instant::now() > deadline {
			return Err(BridgeError::Timeout(format!(
				"not minted within {} min",
				timeout.as_secs() / 60
			)));
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

/// A withdrawal paid (or committed) on Ethereum.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
	/// The withdrawal's id on the sidechain.
	pub id: u64,
	/// Base units paid out (what was burnt less the fee).
	#[serde(with = "sonm_primitives::amount")]
	pub amount: u128,
	/// The payout's Ethereum transaction, `0x` hex; `None` while the contract holds a large
	/// payout for its delay.
	pub payout: Option<String>,
}

/// Burns `amount` base units of `signer` on the sidechain for `to` on Ethereum and waits up to
/// `timeout` until Ethereum has paid it; with `relay_with`, relays `payOut` with that key once
/// the signatures are complete instead of waiting for a gateway to.
#[allow(clippy::too_many_arguments)]
pub async fn withdraw(
	client: &Client,
	signer: &Key,
	eth_url: &str,
	amount: u128,
	to: EthAddress,
	relay_with: Option<&EthKey>,
	timeout: Duration,
	mut progress: impl FnMut(String),
) -> BridgeResult<Withdrawn> {
	progress(format!("burning from {} for 0x{}", signer.account_id(), hex::encode(to)));
	let call = runtime::tx().gatekeeper().withdraw(amount, to);
	let included = client.submit(&call, signer, Wait::InBlock, |_| {}).await?;
	let id = included
		.find::<runtime::gatekeeper::events::WithdrawalRequested>()
		.map(|event| event.id)
		.ok_or_else(|| BridgeError::unexpected("the chain reported no withdrawal"))?;
	progress(format!(
		"withdrawal {id} in block #{}; waiting for the masternodes' signatures",
		included.block_number
	));
	let reader = EthKey::from_uri(READER).expect("a valid URI");
	let eth_key = relay_with.unwrap_or(&reader);
	let eth = Ethereum::connect(eth_url, eth_key.secret(), contract(client).await?).await?;
	let deadline = Instant::now() + timeout;
	let mut last = String::new();
	loop {
		let w = client.withdrawals(id, 1).await?;
		let w = w
			.into_iter()
			.next()
			.ok_or_else(|| BridgeError::unexpected(format!("withdrawal {id} is gone")))?;
		if eth.used(id).await? {
			let payout = eth.paid_out_in(id).await?.map(|tx| format!("0x{}", hex::encode(tx)));
			return Ok(Withdrawn { id, amount: w.amount, payout });
		}
		let now = format!(
			"{} signature(s) of set {}{}",
			w.signatures.len(),
			w.set_id,
			if w.complete { ", complete" } else { "" }
		);
		if now != last {
			progress(now.clone());
			last = now;
		}
		if w.complete && relay_with.is_some() {
			let signatures: Vec<EthSignature> = w
				.signatures
				.iter()
				.map(|s| signature_of(&s.signature))
				.collect::<Result<_, _>>()?;
			match eth.pay_out(id, to, w.amount, w.set_id, &signatures).await {
				Ok(hash) => progress(format!("relayed payOut: 0x{}", hex::encode(hash))),
				Err(error) => progress(format!("payOut refused: {error}")),
			}
		}
		if Instant::now() > deadline {
			return Err(BridgeError::Timeout(format!(
				"not paid within {} min",
				timeout.as_secs() / 60
			)));
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

/// The gateway on both sides.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
	/// The sidechain's side: the contract, caps, totals, the pause.
	pub chain: GatewayState,
	/// The newest signer set (possibly still collecting signatures).
	pub signer_set: Option<SignerSet>,
	/// The contract's signer set and pause.
	pub eth_set: u64,
	pub eth_paused: bool,
	/// Base units the contract holds.
	pub locked: String,
}

/// The gateway's state on the sidechain and on Ethereum.
pub async fn status(client: &Client, eth_url: &str) -> BridgeResult<Status> {
	let chain = client.gatekeeper_state().await?;
	let signer_set = client.signer_set(None).await?;
	let reader = EthKey::from_uri(READER).expect("a valid URI");
	let eth = Ethereum::connect(eth_url, reader.secret(), contract(client).await?).await?;
	let token = eth.token().await?;
	let locked = token
		.balanceOf(*eth.gatekeeper.address())
		.call()
		.await
		.map_err(|e| BridgeError::Ethereum(e.to_string()))?;
	Ok(Status {
		chain,
		signer_set,
		eth_set: eth.set_id().await?,
		eth_paused: eth.paused().await?,
		locked: locked.to_string(),
	})
}
