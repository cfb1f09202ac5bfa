//! A test runtime for the gatekeeper: System, Balances and the pallet, with a settable clock
//! and masternode set, and secp256k1 keys for the masternodes' Ethereum signatures.

use crate as pallet_gatekeeper;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, UnixTime},
};
use sonm_primitives::gatekeeper::{EthAddress, EthSignature};
use sp_core::{ecdsa, Pair};
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Gatekeeper: pallet_gatekeeper,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// The smallest balance an account keeps.
pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

thread_local! {
	static NOW: RefCell<u64> = const { RefCell::new(1_000_000) };
	static ACTIVE: RefCell<Vec<AccountId>> = RefCell::new((1..=4).collect());
	static REGISTERED: RefCell<Vec<AccountId>> = RefCell::new((1..=6).collect());
	static SESSION: RefCell<u32> = const { RefCell::new(0) };
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

/// Masternodes 1 to 6 are registered, 1 to 4 active, unless changed.
pub struct MockMasternodes;
impl sonm_primitives::traits::Masternodes<AccountId> for MockMasternodes {
	fn active_set() -> Vec<AccountId> {
		ACTIVE.with(|active| active.borrow().clone())
	}
	fn session() -> u32 {
		SESSION.with(|session| *session.borrow())
	}
	fn is_registered(who: &AccountId) -> bool {
		REGISTERED.with(|registered| registered.borrow().contains(who))
	}
}

/// A new session with `members` active; the pallet notices at the next block.
pub fn new_session(members: Vec<AccountId>) {
	ACTIVE.with(|active| *active.borrow_mut() = members);
	SESSION.with(|session| *session.borrow_mut() += 1);
	next_block();
}

/// Runs the next block's `on_initialize`.
pub fn next_block() {
	use frame_support::traits::Hooks;
	let number = System::block_number() + 1;
	System::set_block_number(number);
	Gatekeeper::on_initialize(number);
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockMasternodes {
	fn make_active(members: &[AccountId]) {
		ACTIVE.with(|active| *active.borrow_mut() = members.to_vec());
		REGISTERED.with(|registered| registered.borrow_mut().extend_from_slice(members));
	}
}

/// The reward pot.
pub const POT: AccountId = 99;
/// The flat withdrawal fee.
pub const FEE: Balance = 5;
/// Daily caps at genesis.
pub const MINT_CAP: Balance = 10_000;
pub const WITHDRAW_CAP: Balance = 5_000;
/// The contract at genesis.
pub const CHAIN_ID: u64 = 31337;
pub const CONTRACT: EthAddress = [0xca; 20];

parameter_types! {
	pub const Pot: AccountId = POT;
}

impl pallet_gatekeeper::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Masternodes = MockMasternodes;
	type MaxSigners = ConstU32<8>;
	type WithdrawalFee = ConstU128<FEE>;
	type RewardPot = Pot;
	type Time = MockTime;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockMasternodes;
}

/// Masternode `who`'s Ethereum key.
pub fn eth_pair(who: AccountId) -> ecdsa::Pair {
	ecdsa::Pair::from_string(&format!("//eth//{who}"), None).unwrap()
}

/// An Ethereum signature (v 27/28) of `digest` by `pair`.
pub fn eth_sign(pair: &ecdsa::Pair, digest: &[u8; 32]) -> EthSignature {
	let mut signature: EthSignature = pair.sign_prehashed(digest).0;
	signature[64] += 27;
	signature
}

/// The Ethereum address of `pair`.
pub fn eth_key(pair: &ecdsa::Pair) -> EthAddress {
	let digest = [1u8; 32];
	Gatekeeper::signer_of(&eth_sign(pair, &digest), &digest)
		.expect("a signature just made recovers")
}

/// Masternode `who`'s Ethereum address.
pub fn key_of(who: AccountId) -> EthAddress {
	eth_key(&eth_pair(who))
}

/// Runs `test` on a fresh chain at block 1 (events are kept), then checks the invariants.
pub fn new_test_ext(test: impl FnOnce()) {
	let mut ext = new_bench_ext();
	ext.execute_with(|| {
		test();
		Gatekeeper::do_try_state().expect("the gatekeeper's invariants hold");
	});
}

/// A fresh chain at block 1: accounts 1 to 9, 20 and the pot hold 1,000,000; masternodes 1 to 4 are the
/// genesis signer set; the contract is named; the clock is at 1,000,000; a keystore is at hand.
pub fn new_bench_ext() -> sp_io::TestExternalities {
	NOW.with(|now| *now.borrow_mut() = 1_000_000);
	ACTIVE.with(|active| *active.borrow_mut() = (1..=4).collect());
	REGISTERED.with(|registered| *registered.borrow_mut() = (1..=6).collect());
	SESSION.with(|session| *session.borrow_mut() = 0);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).chain([20, POT]).map(|who| (who, 1_000_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_gatekeeper::GenesisConfig::<Test> {
		contract: Some((CHAIN_ID, CONTRACT)),
		eth_keys: (1..=4).map(|who| (who, key_of(who))).collect(),
		daily_mint_cap: MINT_CAP,
		daily_withdraw_cap: WITHDRAW_CAP,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	// The benchmarks keep their masternodes' Ethereum keys in a keystore.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(next_block);
	ext
}
