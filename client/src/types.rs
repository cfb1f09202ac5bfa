//! The market's, trust pallets', masternodes' and oracle's state as the node's `market_*`,
//! `blacklist_*`, `kyc_*`, `masternodes_*` and `oracle_*` RPC serve it (field for field; amounts
//! are decimal strings of base units there and `u128` here, written back as strings).

use serde::{Deserialize, Serialize};

/// Reads and writes a `u128` as a decimal string, as the node's JSON carries amounts.
pub mod amount {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	/// Writes the amount as a decimal string.
	pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&value.to_string())
	}

	/// Reads a decimal string.
	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
		let text = String::deserialize(deserializer)?;
		text.parse().map_err(|_| D::Error::custom(format!("{text:?} is not an amount")))
	}
}

/// A price per second.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Price {
	/// Base units of `unit` per second: SNM x 10^18 or USD x 10^18.
	#[serde(with = "amount")]
	pub per_second: u128,
	/// `SNM` or `USD`.
	pub unit: String,
}

/// An open order.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Order {
	pub id: u64,
	pub author: String,
	/// `Bid` or `Ask`.
	pub side: String,
	pub price: Price,
	/// Seconds; 0 for spot.
	pub duration: u64,
	pub counterparty: Option<String>,
	/// `Anonymous`, `Registered`, `Identified` or `Professional`.
	pub min_identity: String,
	pub curator: Option<String>,
	pub tag: String,
	/// By the standard benchmark indices.
	pub benchmarks: Vec<u64>,
	pub netflags: u8,
	pub expires_at: Option<u64>,
	pub placed_at: u64,
	#[serde(with = "amount")]
	pub deposit: u128,
	#[serde(with = "amount")]
	pub escrow: u128,
}

/// An open deal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
	pub id: u64,
	pub ask: u64,
	pub bid: u64,
	pub supplier: String,
	pub consumer: String,
	pub payee: String,
	pub price: Price,
	/// Seconds; 0 for spot.
	pub duration: u64,
	pub start: u64,
	pub end: Option<u64>,
	pub billed_until: u64,
	#[serde(with = "amount")]
	pub escrow: u128,
	#[serde(with = "amount")]
	pub paid: u128,
	/// The storage deposit held from the customer until the deal is removed.
	#[serde(with = "amount")]
	pub deposit: u128,
}

/// A pending change request of a deal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRequest {
	/// `Bid`: the customer's; `Ask`: the supplier's.
	pub side: String,
	#[serde(with = "amount")]
	pub per_second: u128,
	pub duration: u64,
	pub created_at: u64,
}

/// A published curated blacklist.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CuratedList {
	pub curator: String,
	pub name: String,
	pub description: String,
	#[serde(with = "amount")]
	pub deposit: u128,
}

/// A KYC provider.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
	pub id: u32,
	pub account: String,
	pub name: String,
	pub url: String,
	#[serde(with = "amount")]
	pub fee: u128,
	pub max_level: String,
	pub active: bool,
}

/// A certification an account holds.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Certification {
	pub provider: u32,
	pub level: String,
	pub expires_at: u64,
	/// The evidence hash, hex.
	pub evidence: String,
}

/// A pending verification request.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KycRequest {
	pub provider: u32,
	pub level: String,
	#[serde(with = "amount")]
	pub fee: u128,
}

/// An approved profile.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
	pub logo_url: String,
	pub company: String,
	pub name: String,
	pub site_url: String,
	pub social: Vec<String>,
	pub email: String,
	pub phone: String,
	/// `{"provider": id}` or `"moderator"`.
	pub approved_by: serde_json::Value,
}

/// The current session.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Session {
	pub index: u32,
	/// Blocks.
	pub length: u32,
}

/// A member of the active masternode set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Member {
	pub account: String,
	#[serde(with = "amount")]
	pub stake: u128,
}

/// Stake on its way out.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unbonding {
	#[serde(with = "amount")]
	pub amount: u128,
	/// The session it can be withdrawn from.
	pub from: u32,
}

/// A registered masternode.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Masternode {
	pub account: String,
	#[serde(with = "amount")]
	pub stake: u128,
	pub unbonding: Vec<Unbonding>,
	pub leaving: bool,
	pub active: bool,
	pub offline_since: Option<u32>,
}

/// A price in force.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OraclePrice {
	/// `Usd`.
	pub currency: String,
	/// SNM base units per unit of the currency.
	#[serde(with = "amount")]
	pub snm_per_unit: u128,
	pub updated_at: u64,
	/// Seconds since the update.
	pub age: u64,
	pub fresh: bool,
}

/// Which orders `market_orders` lists.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFilter {
	#[serde(skip_serializing_if = "Option::is_none")]
	pub side: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub author: Option<String>,
	/// `Active` or `Expired`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub status: Option<String>,
}
