//! A test runtime for the blacklist: System, Balances and the blacklist.

use crate as pallet_blacklist;
use frame_support::{
	derive_impl,
	traits::{ConstU128, ConstU32},
};
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Blacklist: pallet_blacklist,
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

/// Every test account starts with this much.
pub const START: Balance = 1_000;
/// The deposit of one entry.
pub const ENTRY_DEPOSIT: Balance = 10;
/// The deposit of a published list.
pub const LIST_DEPOSIT: Balance = 100;
/// The most entries of a list.
pub const MAX_ENTRIES: u32 = 5;
/// The most subscriptions of an account.
pub const MAX_SUBSCRIPTIONS: u32 = 3;
/// An account with too little to pay a list deposit.
pub const POOR: AccountId = 99;

impl pallet_blacklist::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type EntryDeposit = ConstU128<ENTRY_DEPOSIT>;
	type ListDeposit = ConstU128<LIST_DEPOSIT>;
	type MaxEntries = ConstU32<MAX_ENTRIES>;
	type MaxSubscriptions = ConstU32<MAX_SUBSCRIPTIONS>;
	type WeightInfo = ();
}

/// A fresh chain where accounts 1 to 9 hold [`START`] and [`POOR`] holds 15.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, START)).chain([(POOR, 15)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on a fresh chain, then checks the pallet's invariants and that no balance was
/// created or destroyed.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let issuance = pallet_balances::TotalIssuance::<Test>::get();
		test();
		Blacklist::do_try_state().expect("blacklist invariants hold");
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance);
	});
}
