//! A test runtime for the masternodes: System, Balances and the pallet, with settable session
//! keys. Tests drive sessions through the pallet's `SessionManager` the way `pallet_session`
//! does.

use crate as pallet_masternodes;
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU128, ConstU32, ConstU64, Hooks, ValidatorRegistration},
};
use pallet_session::SessionManager;
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Masternodes: pallet_masternodes,
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
	static WITHOUT_KEYS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
	static NOW: RefCell<u64> = const { RefCell::new(1_000_000) };
	static FEEDS: RefCell<Vec<(AccountId, u64)>> = const { RefCell::new(Vec::new()) };
	static COUNCIL: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
}

/// The council's members as the pallet last set them.
pub struct CouncilSeen;
impl frame_support::traits::ChangeMembers<AccountId> for CouncilSeen {
	fn change_members_sorted(_: &[AccountId], _: &[AccountId], new: &[AccountId]) {
		COUNCIL.with(|council| *council.borrow_mut() = new.to_vec());
	}
}

/// What [`CouncilSeen`] was told last.
pub fn council() -> Vec<AccountId> {
	COUNCIL.with(|council| council.borrow().clone())
}

/// The clock of the tests; every session rotation moves it 20 seconds on.
pub struct MockTime;
impl frame_support::traits::UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(NOW.with(|now| *now.borrow()))
	}
}

/// Records that `who` fed a price now.
pub fn feed(who: AccountId) {
	let now = NOW.with(|now| *now.borrow());
	FEEDS.with(|feeds| feeds.borrow_mut().push((who, now)));
}

/// The oracle of the tests: the feeds recorded by [`feed`].
pub struct MockFeeds;
impl sonm_primitives::traits::FeedActivity<AccountId> for MockFeeds {
	fn last_feed_of(who: &AccountId) -> Option<u64> {
		FEEDS.with(|feeds| feeds.borrow().iter().filter(|(f, _)| f == who).map(|(_, at)| *at).max())
	}
	fn last_feed() -> Option<u64> {
		FEEDS.with(|feeds| feeds.borrow().iter().map(|(_, at)| *at).max())
	}
}

/// Every account has session keys unless [`drop_keys`] removed them.
pub struct MockKeys;
impl ValidatorRegistration<AccountId> for MockKeys {
	fn is_registered(who: &AccountId) -> bool {
		WITHOUT_KEYS.with(|without| !without.borrow().contains(who))
	}
}

/// Makes `who` an account without session keys.
pub fn drop_keys(who: AccountId) {
	WITHOUT_KEYS.with(|without| without.borrow_mut().push(who));
}

/// Every test account starts with this much.
pub const START: Balance = 10_000;
/// The smallest stake.
pub const MIN_STAKE: Balance = 100;
/// The size of the active set.
pub const MAX_MASTERNODES: u32 = 3;
/// The most registered masternodes.
pub const MAX_CANDIDATES: u32 = 5;
/// Sessions before an unbonded amount may be withdrawn.
pub const UNBONDING_SESSIONS: u32 = 2;
/// Seconds over which feeding is judged: three sessions of the tests.
pub const FEED_WINDOW: u64 = 60;
/// Milliseconds per slot: a session of the tests (20 s) has 10 slots, 5 for each member of a
/// set of two.
pub const SLOT_MS: u64 = 2_000;
/// A member silent for this many of its own slots is offline: two sessions of a set of two,
/// three of a set of three.
pub const OFFLINE_AFTER_SLOTS: u32 = 8;
/// The pot rewards come from.
pub const POT: AccountId = 99;

frame_support::parameter_types! {
	pub const RewardPot: AccountId = POT;
}

impl pallet_masternodes::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinStake = ConstU128<MIN_STAKE>;
	type MaxMasternodes = ConstU32<MAX_MASTERNODES>;
	type MaxCandidates = ConstU32<MAX_CANDIDATES>;
	type UnbondingSessions = ConstU32<UNBONDING_SESSIONS>;
	type MaxUnbonding = ConstU32<2>;
	type ValidatorRegistration = MockKeys;
	type RewardPot = RewardPot;
	type Time = MockTime;
	type Feeds = MockFeeds;
	type FeedWindow = ConstU64<FEED_WINDOW>;
	type SlotDuration = ConstU64<SLOT_MS>;
	type OfflineAfterSlots = ConstU32<OFFLINE_AFTER_SLOTS>;
	type DefaultSessionLength = ConstU64<10>;
	type SessionLengthOrigin = frame_system::EnsureRoot<AccountId>;
	type Council = CouncilSeen;
	type WeightInfo = ();
}

/// Runs `test` on a chain where accounts 1 to 8 hold [`START`], the pot its existential
/// deposit, and masternodes 1 and 2 (stakes 200 and 100) are in genesis, at block 1; then
/// checks the invariants.
pub fn new_test_ext(test: impl FnOnce()) {
	new_bench_ext().execute_with(|| {
		test();
		Masternodes::do_try_state().expect("the masternodes' invariants hold");
	});
}

/// The chain of [`new_test_ext`] without the checks, after the genesis sessions 0 and 1 were
/// planned and session 0 started (as `pallet_session`'s genesis does).
pub fn new_bench_ext() -> sp_io::TestExternalities {
	WITHOUT_KEYS.with(|without| without.borrow_mut().clear());
	FEEDS.with(|feeds| feeds.borrow_mut().clear());
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=8).map(|who| (who, START)).chain([(POT, 1)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_masternodes::GenesisConfig::<Test> {
		masternodes: vec![(1, 200), (2, 100)],
		session_length: None,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Masternodes::new_session_genesis(0);
		Masternodes::new_session_genesis(1);
		Masternodes::start_session(0);
	});
	ext
}

/// Ends the current session and starts the next, planning the one after, in
/// `pallet_session`'s order.
pub fn rotate_session() {
	let current = pallet_masternodes::CurrentSession::<Test>::get();
	NOW.with(|now| *now.borrow_mut() += 20);
	Masternodes::end_session(current);
	Masternodes::start_session(current + 1);
	Masternodes::new_session(current + 2);
	System::set_block_number(System::block_number() + 1);
	Masternodes::on_initialize(System::block_number());
}

/// Credits a block to `author`, as `pallet_authorship` does.
pub fn author(author: AccountId) {
	<Masternodes as pallet_authorship::EventHandler<AccountId, u64>>::note_author(author);
}
