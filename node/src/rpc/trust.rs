//! `blacklist_*` and `kyc_*` ([`sonm_rpc::trust`]): who blacklists whom, and who is known how well, read through the
//! runtime's `BlacklistApi` and `KycApi`.
//!
//! Accounts are SS58 addresses, amounts decimal strings of base units, times seconds since the
//! unix epoch, hashes 0x-prefixed hex, text attributes UTF-8 (invalid bytes replaced).

use super::{address, parse_account, runtime_error, BlockHash};
use jsonrpsee::core::RpcResult;
use pallet_kyc::{Approver, Certification};
use sonm_primitives::{
	trust::{BlacklistApi, KycApi, ProviderId},
	IdentityLevel,
};
use sonm_rpc::trust::{
	Approver as ApproverJson, Certification as CertificationJson, CuratedList as CuratedListJson,
	KycRequest as RequestJson, Profile as ProfileJson, Provider as ProviderJson, TrustRpcServer,
};
use sonm_runtime::{
	apis::{ApprovedProfile, CuratedList, KycProvider, KycRequest},
	opaque::Block,
	AccountId,
};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

fn curated_list_json(curator: &AccountId, list: &CuratedList) -> CuratedListJson {
	CuratedListJson {
		curator: address(curator),
		name: text(&list.name),
		description: text(&list.description),
		deposit: list.deposit,
	}
}

fn provider_json(id: ProviderId, provider: &KycProvider) -> ProviderJson {
	ProviderJson {
		id,
		account: address(&provider.account),
		name: text(&provider.name),
		url: text(&provider.url),
		fee: provider.fee,
		max_level: provider.max_level,
		active: provider.active,
	}
}

fn certification_json(provider: ProviderId, certification: &Certification) -> CertificationJson {
	CertificationJson {
		provider,
		level: certification.level,
		expires_at: certification.expires_at,
		evidence: sp_core::bytes::to_hex(&certification.evidence, false),
	}
}

fn profile_json((attributes, approver): &ApprovedProfile) -> ProfileJson {
	ProfileJson {
		logo_url: text(&attributes.logo_url),
		company: text(&attributes.company),
		name: text(&attributes.name),
		site_url: text(&attributes.site_url),
		social: attributes.social.iter().map(|link| text(link)).collect(),
		email: text(&attributes.email),
		phone: text(&attributes.phone),
		approved_by: match approver {
			Approver::Provider(id) => ApproverJson::Provider(*id),
			Approver::Moderator => ApproverJson::Moderator,
		},
	}
}

/// Serves `blacklist_*` and `kyc_*` from a client's runtime APIs.
pub struct Trust<C> {
	client: Arc<C>,
}

impl<C> Trust<C> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Trust<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<BlockHash>) -> BlockHash {
		super::block_or_best(&*self.client, at)
	}
}

impl<C> TrustRpcServer for Trust<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: BlacklistApi<Block, AccountId, CuratedList>,
	C::Api: KycApi<Block, AccountId, KycProvider, KycRequest, Certification, ApprovedProfile>,
{
	fn list(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<String>> {
		let owner = parse_account(&account)?;
		let list = self.client.runtime_api().list(self.at(at), owner).map_err(runtime_error)?;
		Ok(list.iter().map(address).collect())
	}

	fn subscriptions(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<String>> {
		let who = parse_account(&account)?;
		let lists = self
			.client
			.runtime_api()
			.subscriptions(self.at(at), who)
			.map_err(runtime_error)?;
		Ok(lists.iter().map(address).collect())
	}

	fn curated_lists(&self, at: Option<BlockHash>) -> RpcResult<Vec<CuratedListJson>> {
		let lists = self.client.runtime_api().curated_lists(self.at(at)).map_err(runtime_error)?;
		Ok(lists.iter().map(|(curator, list)| curated_list_json(curator, list)).collect())
	}

	fn is_blocked(&self, who: String, whom: String, at: Option<BlockHash>) -> RpcResult<bool> {
		let (who, whom) = (parse_account(&who)?, parse_account(&whom)?);
		self.client
			.runtime_api()
			.is_blocked(self.at(at), who, whom)
			.map_err(runtime_error)
	}

	fn providers(&self, at: Option<BlockHash>) -> RpcResult<Vec<ProviderJson>> {
		let providers = self.client.runtime_api().providers(self.at(at)).map_err(runtime_error)?;
		Ok(providers.iter().map(|(id, provider)| provider_json(*id, provider)).collect())
	}

	fn level(&self, account: String, at: Option<BlockHash>) -> RpcResult<IdentityLevel> {
		let who = parse_account(&account)?;
		self.client
			.runtime_api()
			.identity_level(self.at(at), who)
			.map_err(runtime_error)
	}

	fn certifications(
		&self,
		account: String,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<CertificationJson>> {
		let who = parse_account(&account)?;
		let certifications = self
			.client
			.runtime_api()
			.certifications(self.at(at), who)
			.map_err(runtime_error)?;
		Ok(certifications.iter().map(|(id, c)| certification_json(*id, c)).collect())
	}

	fn requests(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<RequestJson>> {
		let who = parse_account(&account)?;
		let requests =
			self.client.runtime_api().requests(self.at(at), who).map_err(runtime_error)?;
		Ok(requests
			.iter()
			.map(|(provider, request)| RequestJson {
				provider: *provider,
				level: request.level,
				fee: request.fee,
			})
			.collect())
	}

	fn profile(&self, account: String, at: Option<BlockHash>) -> RpcResult<Option<ProfileJson>> {
		let who = parse_account(&account)?;
		let profile = self
			.client
			.runtime_api()
			.approved_profile(self.at(at), who)
			.map_err(runtime_error)?;
		Ok(profile.as_ref().map(profile_json))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn evidence_is_hex_with_its_prefix() {
		let certification =
			Certification { level: IdentityLevel::Identified, expires_at: 7, evidence: [0xab; 32] };
		let json = certification_json(2, &certification);
		assert_eq!(json.evidence, format!("0x{}", "ab".repeat(32)));
		assert_eq!((json.provider, json.level, json.expires_at), (2, IdentityLevel::Identified, 7));
	}
}
