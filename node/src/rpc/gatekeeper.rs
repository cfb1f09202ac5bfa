//! `gatekeeper_*`: the gateway's state and caps, deposits attested, withdrawals with their
//! signatures, signer sets and masternodes' Ethereum keys, read through the runtime's
//! `GatekeeperApi`. The JSON shapes are `sonm_primitives::gatekeeper::json`, which the client
//! reads too.

use super::{address, invalid_param, parse_account, runtime_error, BlockHash};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sonm_primitives::gatekeeper::{
	json::{DepositJson, SignatureJson, SignerSetJson, StateJson, WithdrawalJson},
	DepositInfo, DepositKey, DepositStatus, EthAddress, EthSignature, GatekeeperApi, SetId,
};
use sonm_runtime::{opaque::Block, AccountId, Balance};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

/// The most deposits or withdrawals one call returns.
const PAGE: u32 = 500;

#[rpc(client, server)]
pub trait GatekeeperRpc {
	/// The contract, the pause, caps and today's totals, totals since genesis, the signing set.
	#[method(name = "gatekeeper_state")]
	fn state(&self, at: Option<BlockHash>) -> RpcResult<StateJson>;

	/// Deposits in the order they were first attested, from index `from`, at most `limit`
	/// (and at most 500).
	#[method(name = "gatekeeper_deposits")]
	fn deposits(&self, from: u64, limit: u32, at: Option<BlockHash>)
		-> RpcResult<Vec<DepositJson>>;

	/// The deposit of Ethereum transaction `tx_hash` (0x hex), log `log_index`.
	#[method(name = "gatekeeper_deposit")]
	fn deposit(
		&self,
		tx_hash: String,
		log_index: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<DepositJson>>;

	/// Withdrawals with ids from `from`, at most `limit` (and at most 500), with their
	/// signatures.
	#[method(name = "gatekeeper_withdrawals")]
	fn withdrawals(
		&self,
		from: u64,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<WithdrawalJson>>;

	/// Signer set `id`, or the newest (which may still be collecting signatures).
	#[method(name = "gatekeeper_signerSet")]
	fn signer_set(
		&self,
		id: Option<SetId>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<SignerSetJson>>;

	/// The Ethereum key `account` registered.
	#[method(name = "gatekeeper_ethKey")]
	fn eth_key(&self, account: String, at: Option<BlockHash>) -> RpcResult<Option<String>>;
}

/// Serves `gatekeeper_*` from a client's runtime API.
pub struct Gatekeeper<C> {
	client: Arc<C>,
}

impl<C> Gatekeeper<C> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// `0x`-prefixed lowercase hex.
fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for byte in bytes {
		out.push_str(&format!("{byte:02x}"));
	}
	out
}

/// A 32-byte hash from `0x` hex.
fn parse_hash(text: &str) -> RpcResult<[u8; 32]> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	let bytes: Option<Vec<u8>> = (digits.len() == 64 && digits.is_ascii())
		.then(|| {
			(0..32)
				.map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).ok())
				.collect()
		})
		.flatten();
	let bytes = bytes
		.ok_or_else(|| invalid_param(format!("invalid transaction hash {}", super::shown(text))))?;
	Ok(bytes.try_into().expect("32 bytes"))
}

fn signatures(list: &[(EthAddress, EthSignature)]) -> Vec<SignatureJson> {
	list.iter()
		.map(|(signer, signature)| SignatureJson { signer: hex(signer), signature: hex(signature) })
		.collect()
}

fn deposit_json(info: DepositInfo<AccountId, Balance>) -> DepositJson {
	let status = match info.status {
		DepositStatus::Voting => "voting",
		DepositStatus::Approved => "approved",
		DepositStatus::Minted => "minted",
	};
	DepositJson {
		index: info.index,
		tx_hash: hex(&info.key.tx_hash),
		log_index: info.key.log_index,
		status: status.into(),
		recipient: info.deposit.as_ref().map(|d| address(&d.recipient)),
		amount: info.deposit.as_ref().map(|d| d.amount.to_string()),
		attesters: info.attesters.iter().map(address).collect(),
	}
}

impl<C> GatekeeperRpcServer for Gatekeeper<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: GatekeeperApi<Block, AccountId, Balance>,
{
	fn state(&self, at: Option<BlockHash>) -> RpcResult<StateJson> {
		let at = super::block_or_best(&*self.client, at);
		let state = self.client.runtime_api().state(at).map_err(runtime_error)?;
		Ok(StateJson {
			chain_id: state.domain.map(|d| d.chain_id),
			gatekeeper: state.domain.map(|d| hex(&d.gatekeeper)),
			genesis: state.domain.map(|d| hex(&d.genesis)),
			paused: state.paused,
			daily_mint_cap: state.daily_mint_cap.to_string(),
			daily_withdraw_cap: state.daily_withdraw_cap.to_string(),
			minted_today: state.minted_today.to_string(),
			withdrawn_today: state.withdrawn_today.to_string(),
			withdrawal_fee: state.withdrawal_fee.to_string(),
			minted: state.minted.to_string(),
			burned: state.burned.to_string(),
			current_set: state.current_set,
		})
	}

	fn deposits(
		&self,
		from: u64,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<DepositJson>> {
		let at = super::block_or_best(&*self.client, at);
		let list = self
			.client
			.runtime_api()
			.deposits(at, from, limit.min(PAGE))
			.map_err(runtime_error)?;
		Ok(list.into_iter().map(deposit_json).collect())
	}

	fn deposit(
		&self,
		tx_hash: String,
		log_index: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<DepositJson>> {
		let key = DepositKey { tx_hash: parse_hash(&tx_hash)?, log_index };
		let at = super::block_or_best(&*self.client, at);
		let info = self.client.runtime_api().deposit(at, key).map_err(runtime_error)?;
		Ok(info.map(deposit_json))
	}

	fn withdrawals(
		&self,
		from: u64,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<WithdrawalJson>> {
		let at = super::block_or_best(&*self.client, at);
		let list = self
			.client
			.runtime_api()
			.withdrawals(at, from, limit.min(PAGE))
			.map_err(runtime_error)?;
		Ok(list
			.into_iter()
			.map(|w| WithdrawalJson {
				id: w.id,
				who: address(&w.who),
				to: hex(&w.to),
				amount: w.amount.to_string(),
				set_id: w.set_id,
				signatures: signatures(&w.signatures),
				complete: w.complete,
			})
			.collect())
	}

	fn signer_set(
		&self,
		id: Option<SetId>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<SignerSetJson>> {
		let at = super::block_or_best(&*self.client, at);
		let set = self.client.runtime_api().signer_set(at, id).map_err(runtime_error)?;
		Ok(set.map(|set| SignerSetJson {
			id: set.id,
			signers: set.signers.iter().map(|s| hex(s)).collect(),
			threshold: set.threshold,
			signatures: signatures(&set.signatures),
			complete: set.complete,
		}))
	}

	fn eth_key(&self, account: String, at: Option<BlockHash>) -> RpcResult<Option<String>> {
		let who = parse_account(&account)?;
		let at = super::block_or_best(&*self.client, at);
		let key = self.client.runtime_api().eth_key(at, who).map_err(runtime_error)?;
		Ok(key.map(|key| hex(&key)))
	}
}
