//! `masternodes_*` and `oracle_*` ([`sonm_rpc::masternodes`]): the validator set, stakes and pending rewards, and the SNM
//! prices the masternodes feed, read through the runtime's `MasternodesApi` and `OracleApi`.
//!
//! Accounts are SS58 addresses, amounts decimal strings of base units, times seconds since the
//! unix epoch.

use super::{address, parse_account, runtime_error, BlockHash};
use jsonrpsee::core::RpcResult;
use sonm_primitives::{
	masternodes::{MasternodesApi, OracleApi},
	Currency,
};
use sonm_rpc::masternodes::{
	Feed as FeedJson, Masternode as MasternodeJson, MasternodesRpcServer, Member as MemberJson,
	OraclePrice as PriceJson, Session as SessionJson, Unbonding as UnbondingJson,
};
use sonm_runtime::{apis::MasternodeRecord, opaque::Block, AccountId, Balance};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

/// Serves `masternodes_*` and `oracle_*` from a client's runtime APIs.
pub struct Masternodes<C> {
	client: Arc<C>,
}

impl<C> Masternodes<C> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Masternodes<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<BlockHash>) -> BlockHash {
		super::block_or_best(&*self.client, at)
	}
}

impl<C> MasternodesRpcServer for Masternodes<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MasternodesApi<Block, AccountId, Balance, MasternodeRecord>,
	C::Api: OracleApi<Block, AccountId, Balance>,
{
	fn session(&self, at: Option<BlockHash>) -> RpcResult<SessionJson> {
		let (index, length) =
			self.client.runtime_api().session(self.at(at)).map_err(runtime_error)?;
		Ok(SessionJson { index, length })
	}

	fn active_set(&self, at: Option<BlockHash>) -> RpcResult<Vec<MemberJson>> {
		let set = self.client.runtime_api().active_set(self.at(at)).map_err(runtime_error)?;
		Ok(set
			.iter()
			.map(|(who, stake)| MemberJson { account: address(who), stake: *stake })
			.collect())
	}

	fn list(&self, at: Option<BlockHash>) -> RpcResult<Vec<MasternodeJson>> {
		let at = self.at(at);
		let api = self.client.runtime_api();
		let active = api.active_set(at).map_err(runtime_error)?;
		let masternodes = api.masternodes(at).map_err(runtime_error)?;
		let mut list: Vec<MasternodeJson> = masternodes
			.into_iter()
			.map(|(who, masternode, offline_since)| MasternodeJson {
				account: address(&who),
				stake: masternode.stake,
				unbonding: masternode
					.unbonding
					.iter()
					.map(|(amount, from)| UnbondingJson { amount: *amount, from: *from })
					.collect(),
				leaving: masternode.leaving,
				active: active.iter().any(|(member, _)| *member == who),
				offline_since,
			})
			.collect();
		list.sort_by(|a, b| a.account.cmp(&b.account));
		Ok(list)
	}

	fn pending_reward(&self, account: String, at: Option<BlockHash>) -> RpcResult<String> {
		let who = parse_account(&account)?;
		let reward = self
			.client
			.runtime_api()
			.pending_reward(self.at(at), who)
			.map_err(runtime_error)?;
		Ok(reward.to_string())
	}

	fn prices(&self, at: Option<BlockHash>) -> RpcResult<Vec<PriceJson>> {
		let prices = self.client.runtime_api().prices(self.at(at)).map_err(runtime_error)?;
		Ok(prices
			.into_iter()
			.map(|(currency, price, age, fresh)| PriceJson {
				currency,
				snm_per_unit: price.snm_per_unit,
				updated_at: price.updated_at,
				age,
				fresh,
			})
			.collect())
	}

	fn feeds(&self, currency: Currency, at: Option<BlockHash>) -> RpcResult<Vec<FeedJson>> {
		let feeds =
			self.client.runtime_api().feeds(self.at(at), currency).map_err(runtime_error)?;
		Ok(feeds
			.iter()
			.map(|(feeder, price, fed_at)| FeedJson {
				feeder: address(feeder),
				snm_per_unit: *price,
				at: *fed_at,
			})
			.collect())
	}
}
