//! The compute market (`pallets/market/README.md`).
//!
//! Identity levels come from `Kyc` and blacklists from `Blacklist` (see [`super::trust`]),
//! SNM/USD prices from the masternodes' `Oracle` (see [`super::masternodes`]).

use crate::{
	weights::paritydb_weights::constants::ParityDbWeight, AccountId, Balance, Balances, Blacklist,
	Kyc, Oracle, Runtime, RuntimeEvent, RuntimeHoldReason, Timestamp, SNM,
};
use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Perbill};

/// A key that thousands of a block's extrinsics read or write, which the block's overlay holds
/// after the first access and the database sees once, when the block is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockWideKey {
	/// The fee pot's account, read and written by every signed extrinsic (its fee) and every
	/// payment (the market's share).
	FeePot,
	/// The market's order counter, read and written by every order placed.
	NextOrderId,
	/// The market's `Paused` switch, read by every order and deal.
	Paused,
	/// The chain's clock (`Timestamp::Now`), written by the block's inherent (which pays for
	/// it) and read by every market call.
	Now,
	/// The oracle's SNM/USD price, read by every USD-priced order and deal.
	UsdPrice,
}

impl BlockWideKey {
	/// Whether the block's extrinsics write it (else they only read it).
	pub const fn written(self) -> bool {
		matches!(self, Self::FeePot | Self::NextOrderId)
	}

	/// Its storage key.
	pub fn hashed_key(self) -> alloc::vec::Vec<u8> {
		match self {
			Self::FeePot => frame_system::Account::<Runtime>::hashed_key_for(FeePot::get()),
			Self::NextOrderId => pallet_market::NextOrderId::<Runtime>::hashed_key().to_vec(),
			Self::Paused => pallet_market::Paused::<Runtime>::hashed_key().to_vec(),
			Self::Now => pallet_timestamp::Now::<Runtime>::hashed_key().to_vec(),
			Self::UsdPrice => {
				pallet_oracle::Prices::<Runtime>::hashed_key_for(sonm_primitives::Currency::Usd)
			},
		}
	}
}

/// Every [`BlockWideKey`]. The benchmarks count them as they count `frame_system`'s own
/// per-block keys, whitelisted (free: [`block_wide_storage_keys`] in the runtime's benchmark
/// API), and a block pays for one read of each and one write of each written one in its base
/// weight ([`BLOCK_WIDE_KEYS_ONCE_A_BLOCK`]).
pub const BLOCK_WIDE_KEYS: [BlockWideKey; 5] = [
	BlockWideKey::FeePot,
	BlockWideKey::NextOrderId,
	BlockWideKey::Paused,
	BlockWideKey::Now,
	BlockWideKey::UsdPrice,
];

/// One read of every [`BLOCK_WIDE_KEYS`] and one write of each written one: what a block pays
/// for them, once.
pub const BLOCK_WIDE_KEYS_ONCE_A_BLOCK: Weight = {
	let mut written = 0;
	let mut k = 0;
	while k < BLOCK_WIDE_KEYS.len() {
		if BLOCK_WIDE_KEYS[k].written() {
			written += 1;
		}
		k += 1;
	}
	let db = ParityDbWeight::get();
	Weight::from_parts(db.read * BLOCK_WIDE_KEYS.len() as u64 + db.write * written, 0)
};

/// The storage keys of [`BLOCK_WIDE_KEYS`], which the benchmarks whitelist.
pub fn block_wide_storage_keys() -> alloc::vec::Vec<alloc::vec::Vec<u8>> {
	BLOCK_WIDE_KEYS.iter().map(|key| key.hashed_key()).collect()
}

/// Seconds in a day.
const DAY: u64 = 24 * 60 * 60;

parameter_types! {
	/// Where the market fee collects until the masternodes share it.
	pub const FeePotId: PalletId = PalletId(*b"sonm/fee");
	/// The fee pot's account.
	pub FeePot: AccountId = FeePotId::get().into_account_truncating();
	/// 1% of every payment.
	pub const MarketFee: Perbill = Perbill::from_percent(1);
	/// Every open order holds 1 SNM against spam.
	pub const OrderDeposit: Balance = SNM;
	/// A worker's endpoint record holds 1 SNM while it is published.
	pub const EndpointDeposit: Balance = SNM;
	/// USD-priced bids and deals hold 10% more than the current rate asks for.
	pub const UsdMargin: Perbill = Perbill::from_percent(10);
}

impl pallet_market::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = Timestamp;
	type Identity = Kyc;
	type Blacklist = Blacklist;
	type Prices = Oracle;
	type FeePot = FeePot;
	type MarketFee = MarketFee;
	type OrderDeposit = OrderDeposit;
	type EndpointDeposit = EndpointDeposit;
	/// Spot deals are paid an hour ahead.
	type SpotPrepay = ConstU64<3_600>;
	type UsdMargin = UsdMargin;
	/// A forward deal lasts at most a year.
	type MaxDuration = ConstU64<{ 366 * DAY }>;
	type MaxOrdersPerAccount = ConstU32<100>;
	/// A supplier's plans or a customer's bids, up to 64 in one `place_orders`.
	type MaxOrdersPerCall = ConstU32<64>;
	/// A signed bid is signed like a transaction.
	type BidSignature = crate::Signature;
	/// The 12 standard benchmarks and room for 20 more.
	type MaxBenchmarks = ConstU32<32>;
	type PauseOrigin = EnsureRoot<AccountId>;
	type WeightInfo = pallet_market::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MarketBenchmarkHelper;
}

/// Sets the chain's clock, the oracle's SNM/USD price, blacklist subscriptions and KYC
/// certifications for the market's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MarketBenchmarkHelper;

/// The key type of the benchmarks' bid signer.
#[cfg(feature = "runtime-benchmarks")]
const BID_SIGNER_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"bnch");

#[cfg(feature = "runtime-benchmarks")]
impl pallet_market::BenchmarkHelper<AccountId, Balance, sp_runtime::MultiSignature>
	for MarketBenchmarkHelper
{
	fn set_time(now: pallet_market::Seconds) {
		pallet_timestamp::Now::<Runtime>::put(now * 1_000);
	}

	fn set_usd_price(snm_per_unit: Balance) {
		let updated_at = pallet_timestamp::Now::<Runtime>::get() / 1_000;
		let price = sonm_primitives::traits::PriceInfo { snm_per_unit, updated_at };
		pallet_oracle::Prices::<Runtime>::insert(sonm_primitives::Currency::Usd, price);
	}

	fn subscribe(who: &AccountId, lists: u32) {
		use sp_runtime::traits::{BlakeTwo256, Hash};
		let lists: alloc::vec::Vec<AccountId> = (0..lists)
			.map(|i| AccountId::new(BlakeTwo256::hash_of(&(b"sonm/benchmark-list", who, i)).0))
			.collect();
		pallet_blacklist::Subscriptions::<Runtime>::insert(
			who,
			frame_support::BoundedVec::try_from(lists).expect("at most MaxSubscriptions lists"),
		);
	}

	/// A full list of certifications (one per provider the runtime allows), one of them at
	/// `level`, the others lower.
	fn set_identity_level(who: &AccountId, level: sonm_primitives::IdentityLevel) {
		use frame_support::traits::Get;
		let expires_at = u64::MAX;
		let certifications: alloc::vec::Vec<_> = (0
			..<Runtime as pallet_kyc::Config>::MaxProviders::get())
			.map(|id| {
				let level = if id == 0 { level } else { Default::default() };
				(id, pallet_kyc::Certification { level, expires_at, evidence: [0; 32] })
			})
			.collect();
		pallet_kyc::Certifications::<Runtime>::insert(
			who,
			frame_support::BoundedVec::try_from(certifications).expect("MaxProviders fit"),
		);
	}

	/// A key made in the benchmark's keystore (the benchmark CLI provides one).
	fn bid_signer() -> AccountId {
		sp_io::crypto::sr25519_generate(BID_SIGNER_KEY, None).0.into()
	}

	fn sign_bid(signer: &AccountId, payload: &[u8]) -> sp_runtime::MultiSignature {
		let bytes: &[u8; 32] = signer.as_ref();
		let public = sp_core::sr25519::Public::from_raw(*bytes);
		sp_io::crypto::sr25519_sign(BID_SIGNER_KEY, &public, payload)
			.expect("the keystore holds the signer's key")
			.into()
	}
}
