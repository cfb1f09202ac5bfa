//! `gatekeeper_*` ([`sonm_rpc::gatekeeper`]): the gateway's state and caps, deposits attested,
//! withdrawals with their signatures, signer sets and masternodes' Ethereum keys, read through
//! the runtime's `GatekeeperApi`.

use super::{address, invalid_param, parse_account, runtime_error, BlockHash};
use jsonrpsee::core::RpcResult;
use sonm_primitives::gatekeeper::{
	DepositInfo, DepositKey, EthAddress, EthSignature, GatekeeperApi, SetId,
};
use sonm_rpc::gatekeeper::{
	Deposit as DepositJson, GatekeeperRpcServer, GatewayState as StateJson,
	Signature as SignatureJson, SignerSet as SignerSetJson, Withdrawal as WithdrawalJson, PAGE,
};
use sonm_runtime::{opaque::Block, AccountId, Balance};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

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
	DepositJson {
		index: info.index,
		tx_hash: hex(&info.key.tx_hash),
		log_index: info.key.log_index,
		status: info.status,
		recipient: info.deposit.as_ref().map(|d| address(&d.recipient)),
		amount: info.deposit.as_ref().map(|d| d.amount),
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
			daily_mint_cap: state.daily_mint_cap,
			daily_withdraw_cap: state.daily_withdraw_cap,
			minted_today: state.minted_today,
			withdrawn_today: state.withdrawn_today,
			withdrawal_fee: state.withdrawal_fee,
			minted: state.minted,
			burned: state.burned,
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
				amount: w.amount,
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
