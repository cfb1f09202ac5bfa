//! The KYC pallet's data: providers, verification requests, certifications and profiles.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, traits::fungible::Inspect, BoundedVec};
use scale_info::TypeInfo;
use sonm_primitives::IdentityLevel;

/// A balance of the fee currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Sequential id of a provider.
pub use sonm_primitives::trust::ProviderId;
/// A provider's name: at most 64 bytes.
pub type ProviderName = BoundedVec<u8, ConstU32<64>>;
/// A provider's web address: at most 256 bytes.
pub type ProviderUrl = BoundedVec<u8, ConstU32<256>>;
/// The hash of the evidence a provider keeps off chain (documents, call records).
pub type EvidenceHash = [u8; 32];
/// Seconds since the unix epoch.
pub type Seconds = u64;

/// A KYC provider, registered by governance.
#[derive(
	Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
)]
pub struct Provider<AccountId, Balance> {
	/// The account that certifies and is paid.
	pub account: AccountId,
	/// Its name.
	pub name: ProviderName,
	/// Where users start its procedure.
	pub url: ProviderUrl,
	/// What one verification costs.
	pub fee: Balance,
	/// The highest level it may grant.
	pub max_level: IdentityLevel,
	/// Whether it takes requests and certifies.
	pub active: bool,
}

/// A provider record of this runtime.
pub type ProviderOf<T> = Provider<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A user's pending request to a provider.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub struct Request<Balance> {
	/// The level asked for.
	pub level: IdentityLevel,
	/// The fee held from the user.
	pub fee: Balance,
}

/// A text attribute of a profile: at most 256 bytes; empty when not given.
pub type Attribute = BoundedVec<u8, ConstU32<256>>;

/// What a user tells about itself. Shown only once a provider or a moderator approved this
/// exact content.
#[derive(
	Clone,
	Decode,
	DecodeWithMemTracking,
	Default,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub struct ProfileAttributes {
	/// URL of a logo image.
	pub logo_url: Attribute,
	/// Company name.
	pub company: Attribute,
	/// Name or nickname.
	pub name: Attribute,
	/// Web site.
	pub site_url: Attribute,
	/// Social network links, at most 8.
	pub social: BoundedVec<Attribute, ConstU32<8>>,
	/// E-mail address.
	pub email: Attribute,
	/// Phone number.
	pub phone: Attribute,
}

/// A submitted profile and the deposit held for it.
#[derive(
	Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
)]
pub struct SubmittedProfile<Balance, Hash> {
	/// The attributes.
	pub attributes: ProfileAttributes,
	/// Their hash: what an approval names.
	pub hash: Hash,
	/// Held while the profile is on chain.
	pub deposit: Balance,
}

/// Who approved a profile.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub enum Approver {
	/// A registered provider.
	Provider(ProviderId),
	/// A moderator (`ModeratorOrigin`).
	Moderator,
}

/// A provider's certification of a user.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub struct Certification {
	/// The level granted.
	pub level: IdentityLevel,
	/// When it stops counting.
	pub expires_at: Seconds,
	/// The hash of the evidence the provider keeps.
	pub evidence: EvidenceHash,
}
