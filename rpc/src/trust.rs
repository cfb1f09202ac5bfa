//! `blacklist_*` and `kyc_*`: who blacklists whom, and who is known how well.

use crate::BlockHash;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sonm_primitives::{trust::ProviderId, IdentityLevel};

/// A published curated blacklist.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CuratedList {
	pub curator: String,
	pub name: String,
	pub description: String,
	#[serde(with = "crate::amount")]
	pub deposit: u128,
}

/// A registered KYC provider.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
	pub id: ProviderId,
	pub account: String,
	pub name: String,
	pub url: String,
	#[serde(with = "crate::amount")]
	pub fee: u128,
	pub max_level: IdentityLevel,
	pub active: bool,
}

/// A provider's certification of an account.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Certification {
	pub provider: ProviderId,
	pub level: IdentityLevel,
	pub expires_at: u64,
	/// The hash of the evidence the provider keeps, `0x` hex.
	pub evidence: String,
}

/// A pending verification request.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KycRequest {
	pub provider: ProviderId,
	pub level: IdentityLevel,
	#[serde(with = "crate::amount")]
	pub fee: u128,
}

/// Who approved a profile: `{"provider": id}` or `"moderator"`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Approver {
	Provider(ProviderId),
	Moderator,
}

impl core::fmt::Display for Approver {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		match self {
			Self::Provider(id) => write!(f, "provider {id}"),
			Self::Moderator => f.write_str("the moderator"),
		}
	}
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
	pub approved_by: Approver,
}

#[rpc(client, server)]
pub trait TrustRpc {
	/// The accounts on `account`'s own blacklist.
	#[method(name = "blacklist_list")]
	fn list(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<String>>;

	/// The accounts whose blacklists `account` subscribes to.
	#[method(name = "blacklist_subscriptions")]
	fn subscriptions(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<String>>;

	/// The published curated lists.
	#[method(name = "blacklist_curatedLists")]
	fn curated_lists(&self, at: Option<BlockHash>) -> RpcResult<Vec<CuratedList>>;

	/// Whether `whom` is on `who`'s own list or on a list `who` subscribes to.
	#[method(name = "blacklist_isBlocked")]
	fn is_blocked(&self, who: String, whom: String, at: Option<BlockHash>) -> RpcResult<bool>;

	/// The registered KYC providers, active or not.
	#[method(name = "kyc_providers")]
	fn providers(&self, at: Option<BlockHash>) -> RpcResult<Vec<Provider>>;

	/// `account`'s effective identity level.
	#[method(name = "kyc_level")]
	fn level(&self, account: String, at: Option<BlockHash>) -> RpcResult<IdentityLevel>;

	/// `account`'s certifications, expired or not.
	#[method(name = "kyc_certifications")]
	fn certifications(
		&self,
		account: String,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Certification>>;

	/// `account`'s pending verification requests.
	#[method(name = "kyc_requests")]
	fn requests(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<KycRequest>>;

	/// `account`'s approved profile, or null.
	#[method(name = "kyc_profile")]
	fn profile(&self, account: String, at: Option<BlockHash>) -> RpcResult<Option<Profile>>;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn approvers_are_a_provider_id_or_the_word_moderator() {
		assert_eq!(
			serde_json::to_value(Approver::Provider(3)).unwrap(),
			serde_json::json!({ "provider": 3 })
		);
		assert_eq!(
			serde_json::to_value(Approver::Moderator).unwrap(),
			serde_json::json!("moderator")
		);
	}
}
