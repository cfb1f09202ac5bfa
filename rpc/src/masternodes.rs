//! `masternodes_*` and `oracle_*`: the validator set, stakes and pending rewards, and the SNM
//! prices the masternodes feed.

use crate::BlockHash;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sonm_primitives::{masternodes::SessionIndex, Currency};

/// The current session.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Session {
	pub index: SessionIndex,
	/// Blocks per session.
	pub length: u32,
}

/// A member of the active set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Member {
	pub account: String,
	/// The stake it was selected with.
	#[serde(with = "crate::amount")]
	pub stake: u128,
}

/// An amount unbonding.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unbonding {
	#[serde(with = "crate::amount")]
	pub amount: u128,
	/// The session from which it may be withdrawn.
	pub from: SessionIndex,
}

/// A registered masternode.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Masternode {
	pub account: String,
	/// The bonded stake.
	#[serde(with = "crate::amount")]
	pub stake: u128,
	pub unbonding: Vec<Unbonding>,
	pub leaving: bool,
	pub active: bool,
	/// The session it was marked offline in, if it is.
	pub offline_since: Option<SessionIndex>,
}

/// The price in force of a currency.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OraclePrice {
	pub currency: Currency,
	/// SNM base units per one unit of the currency.
	#[serde(with = "crate::amount")]
	pub snm_per_unit: u128,
	pub updated_at: u64,
	/// Seconds since it was made, at the block read.
	pub age: u64,
	/// Whether the market uses it (it is not stale).
	pub fresh: bool,
}

/// A feeder's latest feed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Feed {
	pub feeder: String,
	#[serde(with = "crate::amount")]
	pub snm_per_unit: u128,
	pub at: u64,
}

#[rpc(client, server)]
pub trait MasternodesRpc {
	/// The current session's index and length.
	#[method(name = "masternodes_session")]
	fn session(&self, at: Option<BlockHash>) -> RpcResult<Session>;

	/// The current session's set with the stakes it was selected with.
	#[method(name = "masternodes_activeSet")]
	fn active_set(&self, at: Option<BlockHash>) -> RpcResult<Vec<Member>>;

	/// Every registered masternode, by account.
	#[method(name = "masternodes_list")]
	fn list(&self, at: Option<BlockHash>) -> RpcResult<Vec<Masternode>>;

	/// What `account` would be paid if the session ended now: base units, a decimal string.
	#[method(name = "masternodes_pendingReward")]
	fn pending_reward(&self, account: String, at: Option<BlockHash>) -> RpcResult<String>;

	/// The prices in force, with their age.
	#[method(name = "oracle_prices")]
	fn prices(&self, at: Option<BlockHash>) -> RpcResult<Vec<OraclePrice>>;

	/// Every feeder's latest feed of `currency` (`"Usd"`).
	#[method(name = "oracle_feeds")]
	fn feeds(&self, currency: Currency, at: Option<BlockHash>) -> RpcResult<Vec<Feed>>;
}
