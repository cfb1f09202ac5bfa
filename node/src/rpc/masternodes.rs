//! `masternodes_*` and `oracle_*`: the validator set, stakes and pending rewards, and the SNM
//! prices the masternodes feed, read through the runtime's `MasternodesApi` and `OracleApi`.
//!
//! Accounts are SS58 addresses, amounts decimal strings of base units, times seconds since the
//! unix epoch.

use super::{address, parse_account, runtime_error, BlockHash};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sonm_primitives::{
	masternodes::{MasternodesApi, OracleApi, SessionIndex},
	Currency,
};
use sonm_runtime::{apis::MasternodeRecord, opaque::Block, AccountId, Balance};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

/// The current session.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionJson {
	pub index: SessionIndex,
	/// Blocks per session.
	pub length: u32,
}

/// A member of the active set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MemberJson {
	pub account: String,
	/// The stake it was selected with.
	pub stake: String,
}

/// An amount unbonding.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UnbondingJson {
	pub amount: String,
	/// The session from which it may be withdrawn.
	pub from: SessionIndex,
}

/// A registered masternode.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MasternodeJson {
	pub account: String,
	/// The bonded stake.
	pub stake: String,
	pub unbonding: Vec<UnbondingJson>,
	pub leaving: bool,
	pub active: bool,
	/// The session it was marked offline in, if it is.
	pub offline_since: Option<SessionIndex>,
}

/// The price in force of a currency.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PriceJson {
	pub currency: Currency,
	/// SNM base units per one unit of the currency.
	pub snm_per_unit: String,
	pub updated_at: u64,
	/// Seconds since it was made, at the block read.
	pub age: u64,
	/// Whether the market uses it (it is not stale).
	pub fresh: bool,
}

/// A feeder's latest feed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FeedJson {
	pub feeder: String,
	pub snm_per_unit: String,
	pub at: u64,
}

#[rpc(client, server)]
pub trait MasternodesRpc {
	/// The current session's index and length.
	#[method(name = "masternodes_session")]
	fn session(&self, at: Option<BlockHash>) -> RpcResult<SessionJson>;

	/// The current session's set with the stakes it was selected with.
	#[method(name = "masternodes_activeSet")]
	fn active_set(&self, at: Option<BlockHash>) -> RpcResult<Vec<MemberJson>>;

	/// Every registered masternode.
	#[method(name = "masternodes_list")]
	fn list(&self, at: Option<BlockHash>) -> RpcResult<Vec<MasternodeJson>>;

	/// What `account` would be paid if the session ended now.
	#[method(name = "masternodes_pendingReward")]
	fn pending_reward(&self, account: String, at: Option<BlockHash>) -> RpcResult<String>;

	/// The prices in force, with their age.
	#[method(name = "oracle_prices")]
	fn prices(&self, at: Option<BlockHash>) -> RpcResult<Vec<PriceJson>>;

	/// Every feeder's latest feed of `currency` (`"Usd"`).
	#[method(name = "oracle_feeds")]
	fn feeds(&self, currency: Currency, at: Option<BlockHash>) -> RpcResult<Vec<FeedJson>>;
}

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
			.map(|(who, stake)| MemberJson { account: address(who), stake: stake.to_string() })
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
				stake: masternode.stake.to_string(),
				unbonding: masternode
					.unbonding
					.iter()
					.map(|(amount, from)| UnbondingJson { amount: amount.to_string(), from: *from })
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
				snm_per_unit: price.snm_per_unit.to_string(),
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
				snm_per_unit: price.to_string(),
				at: *fed_at,
			})
			.collect())
	}
}
