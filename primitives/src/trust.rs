//! The trust pallets' runtime APIs: who blacklists whom, and who is known how well.

use crate::IdentityLevel;
use alloc::vec::Vec;
use codec::Codec;

/// A KYC provider's id in the registry.
pub type ProviderId = u32;

sp_api::decl_runtime_apis! {
	/// Read access to blacklists: what the `blacklist_*` RPC methods serve. `CuratedList` is the
	/// blacklist pallet's published-list record.
	pub trait BlacklistApi<AccountId, CuratedList>
	where
		AccountId: Codec,
		CuratedList: Codec,
	{
		/// The accounts on `owner`'s own list.
		fn list(owner: AccountId) -> Vec<AccountId>;
		/// The accounts whose lists `who` subscribes to.
		fn subscriptions(who: AccountId) -> Vec<AccountId>;
		/// The published curated lists, by curator.
		fn curated_lists() -> Vec<(AccountId, CuratedList)>;
		/// Whether `whom` is on `who`'s own list or on a list `who` subscribes to.
		fn is_blocked(who: AccountId, whom: AccountId) -> bool;
	}

	/// Read access to KYC: what the `kyc_*` RPC methods serve. The type parameters are the KYC
	/// pallet's stored records.
	pub trait KycApi<AccountId, Provider, Request, Certification, Profile>
	where
		AccountId: Codec,
		Provider: Codec,
		Request: Codec,
		Certification: Codec,
		Profile: Codec,
	{
		/// The registered providers, active or not, by id.
		fn providers() -> Vec<(ProviderId, Provider)>;
		/// `who`'s effective level: the highest of its unexpired certifications.
		fn identity_level(who: AccountId) -> IdentityLevel;
		/// `who`'s certifications, expired or not, by provider.
		fn certifications(who: AccountId) -> Vec<(ProviderId, Certification)>;
		/// `who`'s pending verification requests, by provider.
		fn requests(who: AccountId) -> Vec<(ProviderId, Request)>;
		/// `who`'s approved profile, or none.
		fn approved_profile(who: AccountId) -> Option<Profile>;
	}
}
