//! A test runtime for the market: System, Balances and the market, with a settable clock and
//! settable identity levels, blacklists and SNM/USD rate.

use crate::{self as pallet_market, types::*, OrderTermsOf};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, UnixTime},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sonm_primitives::{
	traits::{IdentityLevelOf, IsBlocked, PriceInfo, PriceOf},
	Currency, IdentityLevel,
};
use sp_runtime::{BuildStorage, Perbill};
use std::collections::{BTreeMap, BTreeSet};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Market: pallet_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	/// Storage priced, so that the reads `open_deal` skips are refunded visibly.
	type DbWeight = frame_support::weights::constants::ParityDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	static NOW: RefCell<u64> = const { RefCell::new(1_000_000) };
	static LEVELS: RefCell<BTreeMap<AccountId, IdentityLevel>> = const { RefCell::new(BTreeMap::new()) };
	static BLOCKED: RefCell<BTreeSet<(AccountId, AccountId)>> = const { RefCell::new(BTreeSet::new()) };
	static USD_RATE: RefCell<Option<Balance>> = const { RefCell::new(None) };
	static USD_RATE_STALE: RefCell<bool> = const { RefCell::new(false) };
	static SUBSCRIPTIONS: RefCell<BTreeMap<AccountId, u32>> = const { RefCell::new(BTreeMap::new()) };
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

/// Gives `who` identity level `level`.
pub fn set_level(who: AccountId, level: IdentityLevel) {
	LEVELS.with(|levels| levels.borrow_mut().insert(who, level));
}

/// Makes `who` blacklist `whom`.
pub fn set_blocked(who: AccountId, whom: AccountId) {
	BLOCKED.with(|blocked| blocked.borrow_mut().insert((who, whom)));
}

/// Whether `who` blacklists `whom`.
pub fn is_blocked(who: AccountId, whom: AccountId) -> bool {
	BLOCKED.with(|blocked| blocked.borrow().contains(&(who, whom)))
}

/// Sets the SNM/USD rate (base units per USD), fresh, or removes it.
pub fn set_usd_rate(rate: Option<Balance>) {
	USD_RATE.with(|r| *r.borrow_mut() = rate);
	USD_RATE_STALE.with(|stale| *stale.borrow_mut() = false);
}

/// Lets the SNM/USD rate go stale: it is the last in force, but not fresh (an oracle outage).
pub fn make_usd_rate_stale() {
	USD_RATE_STALE.with(|stale| *stale.borrow_mut() = true);
}

pub struct MockIdentity;
impl IdentityLevelOf<AccountId> for MockIdentity {
	fn identity_level(who: &AccountId) -> IdentityLevel {
		LEVELS.with(|levels| levels.borrow().get(who).copied().unwrap_or_default())
	}
}

pub struct MockBlacklist;
impl IsBlocked<AccountId> for MockBlacklist {
	fn is_blocked(who: &AccountId, whom: &AccountId) -> bool {
		is_blocked(*who, *whom)
	}
	fn block(who: &AccountId, whom: &AccountId) -> sp_runtime::DispatchResult {
		set_blocked(*who, *whom);
		Ok(())
	}
	fn subscriptions_of(who: &AccountId) -> u32 {
		SUBSCRIPTIONS.with(|subscriptions| subscriptions.borrow().get(who).copied().unwrap_or(0))
	}
	fn max_subscriptions() -> u32 {
		MAX_SUBSCRIPTIONS
	}
}

/// The most blacklists an account of the mock subscribes to.
pub const MAX_SUBSCRIPTIONS: u32 = 8;

/// Makes `who`'s blacklist checks read `lists` subscribed lists (for the weights).
pub fn set_subscriptions(who: AccountId, lists: u32) {
	SUBSCRIPTIONS.with(|subscriptions| subscriptions.borrow_mut().insert(who, lists));
}

/// The generated weights, except that `open_deal` and `quick_buy` grow by one unit of
/// reference time per subscribed list, and `place_order` by 1,000 units per order its author
/// holds and one per benchmark value, so that tests see which counts a call was weighed for.
pub struct MockWeights;
impl crate::WeightInfo for MockWeights {
	fn place_order(o: u32, b: u32) -> Weight {
		<() as crate::WeightInfo>::place_order(o, b)
			.saturating_add(Weight::from_parts(u64::from(o) * 1_000 + u64::from(b), 0))
	}
	fn place_orders(n: u32) -> Weight {
		<() as crate::WeightInfo>::place_orders(n)
	}
	fn open_deal_with_signed_bid(s: u32) -> Weight {
		<() as crate::WeightInfo>::open_deal_with_signed_bid(s)
	}
	fn cancel_order() -> Weight {
		<() as crate::WeightInfo>::cancel_order()
	}
	fn remove_expired_order() -> Weight {
		<() as crate::WeightInfo>::remove_expired_order()
	}
	fn open_deal(s: u32) -> Weight {
		<() as crate::WeightInfo>::open_deal(s).saturating_add(Weight::from_parts(s.into(), 0))
	}
	fn quick_buy(s: u32) -> Weight {
		<() as crate::WeightInfo>::quick_buy(s).saturating_add(Weight::from_parts(s.into(), 0))
	}
	fn bill() -> Weight {
		<() as crate::WeightInfo>::bill()
	}
	fn close_deal() -> Weight {
		<() as crate::WeightInfo>::close_deal()
	}
	fn request_change() -> Weight {
		<() as crate::WeightInfo>::request_change()
	}
	fn accept_change() -> Weight {
		<() as crate::WeightInfo>::accept_change()
	}
	fn drop_change() -> Weight {
		<() as crate::WeightInfo>::drop_change()
	}
	fn request_master() -> Weight {
		<() as crate::WeightInfo>::request_master()
	}
	fn confirm_worker() -> Weight {
		<() as crate::WeightInfo>::confirm_worker()
	}
	fn remove_worker() -> Weight {
		<() as crate::WeightInfo>::remove_worker()
	}
	fn set_paused() -> Weight {
		<() as crate::WeightInfo>::set_paused()
	}
	fn set_endpoint() -> Weight {
		<() as crate::WeightInfo>::set_endpoint()
	}
	fn clear_endpoint() -> Weight {
		<() as crate::WeightInfo>::clear_endpoint()
	}
}

pub struct MockPrices;
impl PriceOf<Balance> for MockPrices {
	fn price(currency: Currency) -> Option<PriceInfo<Balance>> {
		if USD_RATE_STALE.with(|stale| *stale.borrow()) {
			return None;
		}
		Self::last_price(currency)
	}

	fn last_price(currency: Currency) -> Option<PriceInfo<Balance>> {
		match currency {
			Currency::Usd => USD_RATE
				.with(|r| *r.borrow())
				.map(|snm_per_unit| PriceInfo { snm_per_unit, updated_at: now() }),
		}
	}
}

/// The fee pot's account.
pub const POT: AccountId = 999;
/// One SNM in base units (18 decimals), for the examples of the README.
pub const SNM: Balance = 1_000_000_000_000_000_000;
/// An account holding a thousand SNM, for tests in real SNM amounts.
pub const RICH: AccountId = 10;
/// Every test account starts with this much.
pub const START: Balance = 1_000_000_000;
/// The anti-spam deposit.
pub const DEPOSIT: Balance = 100;

parameter_types! {
	pub const FeePot: AccountId = POT;
	pub const MarketFee: Perbill = Perbill::from_percent(1);
	pub const UsdMargin: Perbill = Perbill::from_percent(10);
}

impl pallet_market::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = MockTime;
	type Identity = MockIdentity;
	type Blacklist = MockBlacklist;
	type Prices = MockPrices;
	type FeePot = FeePot;
	type MarketFee = MarketFee;
	type OrderDeposit = ConstU128<DEPOSIT>;
	type EndpointDeposit = ConstU128<DEPOSIT>;
	type SpotPrepay = ConstU64<3600>;
	type UsdMargin = UsdMargin;
	type MaxDuration = ConstU64<{ 30 * 24 * 3600 }>;
	type MaxOrdersPerAccount = ConstU32<4>;
	type MaxOrdersPerCall = ConstU32<3>;
	type BidSignature = sp_runtime::testing::TestSignature;
	type MaxBenchmarks = ConstU32<16>;
	type PauseOrigin = EnsureRoot<AccountId>;
	type WeightInfo = MockWeights;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Moves the mock's clock and rate for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, Balance, sp_runtime::testing::TestSignature>
	for MockBenchmarkHelper
{
	fn set_time(now: u64) {
		NOW.with(|clock| *clock.borrow_mut() = now);
	}
	fn set_usd_price(snm_per_unit: Balance) {
		set_usd_rate(Some(snm_per_unit));
	}
	/// The mock's blacklist has no subscriptions.
	fn subscribe(_: &AccountId, _: u32) {}
	fn set_identity_level(who: &AccountId, level: IdentityLevel) {
		set_level(*who, level);
	}
	fn bid_signer() -> AccountId {
		900
	}
	fn sign_bid(signer: &AccountId, payload: &[u8]) -> sp_runtime::testing::TestSignature {
		sp_runtime::testing::TestSignature(*signer, payload.to_vec())
	}
}

/// A fresh chain for the benchmark tests: the same as [`new_test_ext`] without the checks
/// around the test.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	reset_glue();
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(storage)
}

/// Forgets the clock, identity levels, blacklists and rate of the previous test.
fn reset_glue() {
	SUBSCRIPTIONS.with(|subscriptions| subscriptions.borrow_mut().clear());
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	LEVELS.with(|levels| levels.borrow_mut().clear());
	BLOCKED.with(|blocked| blocked.borrow_mut().clear());
	set_usd_rate(None);
}

/// Order terms of `side` at `per_second` SNM for `duration` seconds, with the twelve standard
/// benchmarks at `benchmark` each and no other constraints.
pub fn terms(side: Side, per_second: Balance, duration: u64) -> OrderTermsOf<Test> {
	OrderTerms {
		side,
		price: Price { per_second, unit: PriceUnit::Snm },
		duration,
		counterparty: None,
		min_identity: IdentityLevel::Anonymous,
		curator: None,
		tag: Default::default(),
		benchmarks: vec![
			match side {
				Side::Ask => 10,
				Side::Bid => 5,
			};
			12
		]
		.try_into()
		.expect("12 fit"),
		netflags: 0,
		expires_at: None,
	}
}

/// Runs `test` on a fresh chain where accounts 1 to 9 hold [`START`], [`RICH`] a thousand SNM
/// and the fee pot exists,
/// then checks the market's invariants and that total issuance is unchanged.
pub fn new_test_ext(test: impl FnOnce()) {
	reset_glue();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, START)).chain([(POT, 1), (RICH, 1_000 * SNM)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		let issuance = pallet_balances::TotalIssuance::<Test>::get();
		test();
		let everyone = (1..=RICH).chain([POT]).collect();
		Market::do_try_state_also_for(everyone).expect("market invariants hold");
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance, "SNM is conserved");
	});
}
