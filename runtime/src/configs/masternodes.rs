//! The chain's validators and what they run (docs/ARCHITECTURE.md, "Masternodes, sessions
//! and prices"): masternodes staking
//! SNM, sessions that make the top stakes the Aura and GRANDPA authorities, block authorship
//! counted for liveness, the price oracle they feed, and the share of transaction fees that
//! pays them.

use crate::{
	configs::market::FeePot, opaque::SessionKeys, AccountId, Aura, Balance, Balances, BlockNumber,
	Masternodes, Oracle, Runtime, RuntimeEvent, RuntimeHoldReason, Session, Timestamp, HOURS,
	MILLI_SNM, SNM,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Get},
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::OpaqueKeys, Perbill};

parameter_types! {
	/// A masternode stakes at least 10,000 SNM.
	pub const MinStake: Balance = 10_000 * SNM;
	/// Feeding is judged over three of the oracle's feeding intervals (3 minutes): sessions
	/// of 20 s on the development and local chains, and feeders started at different times or
	/// missing a beat, do not count as silence.
	pub const FeedWindow: u64 = 3 * MIN_FEED_INTERVAL;
	/// Feeds farther than 5 % from the median of fresh feeds are ignored.
	pub const MaxPriceDeviation: Perbill = Perbill::from_percent(5);
}

/// Seconds between two feeds of one masternode: a minute (`sonm-bridge feed` feeds that often).
pub const MIN_FEED_INTERVAL: u64 = 60;

/// The most masternodes in a session's set: the most authorities Aura and GRANDPA take.
pub type MaxMasternodes = ConstU32<32>;

impl pallet_masternodes::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinStake = MinStake;
	type MaxMasternodes = MaxMasternodes;
	type MaxCandidates = ConstU32<200>;
	/// A day of hour-long sessions (on chains with shorter sessions, 24 of those).
	type UnbondingSessions = ConstU32<24>;
	type MaxUnbonding = ConstU32<8>;
	type ValidatorRegistration = Session;
	type RewardPot = FeePot;
	type Time = Timestamp;
	type Feeds = Oracle;
	type FeedWindow = FeedWindow;
	type SlotDuration = ConstU64<{ crate::SLOT_DURATION }>;
	/// Offline after 8 of its own slots without a block: with 4 validators and 2-s slots a
	/// minute of silence, never a few seconds of a starved machine; with 32 validators about
	/// 9 minutes, well inside the hour-long production session.
	type OfflineAfterSlots = ConstU32<8>;
	/// An hour, unless the chain's genesis says otherwise (the development and local presets
	/// use 10 blocks).
	type DefaultSessionLength = ConstU32<HOURS>;
	type SessionLengthOrigin = EnsureRoot<AccountId>;
	/// The council is the active set.
	type Council = crate::Council;
	type WeightInfo = pallet_masternodes::weights::SubstrateWeight<Runtime>;
}

/// Sessions end on multiples of the masternodes' session length.
pub type Sessions =
	pallet_session::PeriodicSessions<pallet_masternodes::SessionLengthOf<Runtime>, ConstU32<0>>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = Masternodes;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	/// Held while session keys are set: a tenth of an SNM against filling storage.
	type KeyDeposit = ConstU128<{ 100 * MILLI_SNM }>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = Masternodes;
}

/// A price needs fresh feeds from a majority of the current set: no minority of masternodes
/// makes the price alone.
pub struct MajorityOfMasternodes;
impl Get<u32> for MajorityOfMasternodes {
	fn get() -> u32 {
		pallet_masternodes::ActiveSet::<Runtime>::decode_len().unwrap_or(0) as u32 / 2 + 1
	}
}

impl pallet_oracle::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Time = Timestamp;
	type Feeders = Masternodes;
	type MaxFeeders = MaxMasternodes;
	type MinFeeds = MajorityOfMasternodes;
	/// A feed counts for ten minutes.
	type FeedLifetime = ConstU64<600>;
	/// A price is used for half an hour after it was made.
	type PriceLifetime = ConstU64<1_800>;
	type MaxDeviation = MaxPriceDeviation;
	/// A masternode feeds a currency at most once a minute (feeds are free).
	type MinFeedInterval = ConstU64<MIN_FEED_INTERVAL>;
	type WeightInfo = pallet_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = OracleBenchmarkHelper;
}

/// Makes feeders for the oracle's benchmarks (members of the active set) and sets the clock.
#[cfg(feature = "runtime-benchmarks")]
pub struct OracleBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_oracle::BenchmarkHelper<AccountId> for OracleBenchmarkHelper {
	fn make_feeder(who: &AccountId) {
		// The genesis members make room first: the benchmarks need every seat.
		pallet_masternodes::ActiveSet::<Runtime>::mutate(|set| {
			if set.is_full() {
				set.remove(0);
			}
			set.try_push((who.clone(), MinStake::get())).expect("a seat was made");
		});
	}

	fn set_time(now: u64) {
		pallet_timestamp::Now::<Runtime>::put(now * 1_000);
	}
}

/// Every transaction fee and tip goes to the masternodes' reward pot: nothing is burned, so
/// total issuance moves only by the bridge (SNM on the sidechain is the image of SNM locked on
/// Ethereum). `on_unbalanceds` merges the fee and the tip, and the pot, which exists from
/// genesis, takes the sum.
pub type FeesToPot = frame_support::traits::tokens::imbalance::ResolveTo<FeePot, Balances>;

/// Blocks per session on the development and local chains: 20 seconds.
pub const DEV_SESSION_LENGTH: BlockNumber = 10;
