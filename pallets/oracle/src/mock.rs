//! A test runtime for the oracle: System and the pallet, with a settable clock and feeder set.

use crate as pallet_oracle;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Contains, UnixTime},
};
use sp_runtime::{BuildStorage, Perbill};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Oracle: pallet_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
}

thread_local! {
	static NOW: RefCell<u64> = const { RefCell::new(1_000_000) };
	static FEEDERS: RefCell<Vec<AccountId>> = RefCell::new((1..=5).collect());
}

/// The clock of the tests.
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(NOW.with(|now| *now.borrow()))
	}
}

/// Moves the clock `seconds` ahead.
pub fn advance(seconds: u64) {
	NOW.with(|now| *now.borrow_mut() += seconds);
}

/// The current time in seconds.
pub fn now() -> u64 {
	NOW.with(|now| *now.borrow())
}

/// The active masternodes of the tests: 1 to 5 unless changed.
pub struct MockFeeders;
impl Contains<AccountId> for MockFeeders {
	fn contains(who: &AccountId) -> bool {
		FEEDERS.with(|feeders| feeders.borrow().contains(who))
	}
}

/// Makes `feeders` the active masternodes.
pub fn set_feeders(feeders: Vec<AccountId>) {
	FEEDERS.with(|current| *current.borrow_mut() = feeders);
}

/// The most feeders per currency.
pub const MAX_FEEDERS: u32 = 6;
/// Feeds that make a price.
pub const MIN_FEEDS: u32 = 3;
/// Seconds a feed counts.
pub const FEED_LIFETIME: u64 = 600;
/// Seconds a price is used.
pub const PRICE_LIFETIME: u64 = 900;
/// Seconds between two feeds of one feeder.
pub const MIN_FEED_INTERVAL: u64 = 30;

parameter_types! {
	pub const MaxDeviation: Perbill = Perbill::from_percent(5);
}

impl pallet_oracle::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Time = MockTime;
	type Feeders = MockFeeders;
	type MaxFeeders = ConstU32<MAX_FEEDERS>;
	type MinFeeds = ConstU32<MIN_FEEDS>;
	type FeedLifetime = ConstU64<FEED_LIFETIME>;
	type PriceLifetime = ConstU64<PRICE_LIFETIME>;
	type MaxDeviation = MaxDeviation;
	type MinFeedInterval = ConstU64<MIN_FEED_INTERVAL>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockFeeders;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockFeeders {
	fn make_feeder(who: &AccountId) {
		FEEDERS.with(|feeders| feeders.borrow_mut().push(*who));
	}
	fn set_time(now: u64) {
		NOW.with(|clock| *clock.borrow_mut() = now);
	}
}

/// Runs `test` on a fresh chain at block 1 (events are kept), then checks the invariants.
pub fn new_test_ext(test: impl FnOnce()) {
	let mut ext = new_bench_ext();
	ext.execute_with(|| {
		test();
		Oracle::do_try_state().expect("the oracle's invariants hold");
	});
}

/// A fresh chain at block 1 with feeders 1 to 5 and the clock at 1,000,000.
pub fn new_bench_ext() -> sp_io::TestExternalities {
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	set_feeders((1..=5).collect());
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
