//! A test runtime for KYC: System, Balances and the pallet, with a settable clock.

use crate as pallet_kyc;
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU128, ConstU32, UnixTime},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Kyc: pallet_kyc,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
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

/// Every test account starts with this much.
pub const START: Balance = 1_000;
/// The deposit of a profile.
pub const PROFILE_DEPOSIT: Balance = 20;
/// The most providers.
pub const MAX_PROVIDERS: u32 = 3;

impl pallet_kyc::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = MockTime;
	type RegistryOrigin = EnsureRoot<AccountId>;
	type MaxProviders = ConstU32<MAX_PROVIDERS>;
	type ModeratorOrigin = EnsureRoot<AccountId>;
	type ProfileDeposit = ConstU128<PROFILE_DEPOSIT>;
	type WeightInfo = ();
}

/// A fresh chain for the benchmark tests.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(storage)
}

/// Runs `test` on a fresh chain where accounts 1 to 9 hold [`START`], then checks the pallet's
/// invariants and that no balance was created or destroyed.
pub fn run(test: impl FnOnce()) {
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, START)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		let issuance = pallet_balances::TotalIssuance::<Test>::get();
		test();
		Kyc::do_try_state().expect("kyc invariants hold");
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance);
	});
}
