//! Trust: blacklists and KYC levels with profiles. Both are the market's
//! glue: `Blacklist` decides who may deal with whom, `Kyc` what identity level an account has.

use crate::{AccountId, Balance, Balances, Runtime, RuntimeEvent, RuntimeHoldReason, Timestamp};
use crate::{MILLI_SNM, SNM};
use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;

parameter_types! {
	/// Held per entry of a blacklist: a hundredth of an SNM, so that a full list (1,000
	/// entries) holds 10 SNM.
	pub const BlacklistEntryDeposit: Balance = 10 * MILLI_SNM;
	/// Held while a curated list is published.
	pub const CuratedListDeposit: Balance = 10 * SNM;
	/// Held while a profile is on chain (up to about 2.3 KiB of attributes).
	pub const ProfileDeposit: Balance = SNM;
}

impl pallet_blacklist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type EntryDeposit = BlacklistEntryDeposit;
	type ListDeposit = CuratedListDeposit;
	type MaxEntries = ConstU32<1_000>;
	/// Each of the five accounts a deal checks reads its own list and up to eight more.
	type MaxSubscriptions = ConstU32<8>;
	type WeightInfo = pallet_blacklist::weights::SubstrateWeight<Runtime>;
}

impl pallet_kyc::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = Timestamp;
	/// Providers are registered, updated and deactivated by governance (sudo for now).
	type RegistryOrigin = EnsureRoot<AccountId>;
	/// Providers ever registered (ids are not reused); an account holds at most one
	/// certification per provider, so at most this many.
	type MaxProviders = ConstU32<64>;
	type ModeratorOrigin = EnsureRoot<AccountId>;
	type ProfileDeposit = ProfileDeposit;
	type WeightInfo = pallet_kyc::weights::SubstrateWeight<Runtime>;
}
