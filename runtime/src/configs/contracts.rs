//! pallet-contracts: users deploy and call Wasm (ink!) contracts.
//!
//! Deposits are charged for the storage a contract occupies and returned when it is freed.
//! Contracts may dispatch only balance transfers into the runtime (`call_runtime`); anything
//! else (sudo, batches, other contracts' calls) is filtered out.
//!
//! Contracts get no randomness ([`NoRandomness`]): the chain has no source its block authors
//! cannot bias cheaply (Aura has no VRF), and pallet-contracts refuses to store code that
//! imports the deprecated `random` host functions (`Contracts::CodeRejected`), so no contract
//! on the chain can ask for it.

use crate::{
	Balance, Balances, BlockNumber, Hash, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason,
	Timestamp, MILLI_SNM,
};
use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, Contains, Randomness},
};
use frame_system::EnsureSigned;
use sp_runtime::Perbill;

/// Storage deposit for `items` storage items of `bytes` bytes in total.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * 10 * MILLI_SNM + (bytes as Balance) * (MILLI_SNM / 10)
}

/// The runtime calls a contract may dispatch through `call_runtime`: balance transfers only.
pub struct ContractsCallFilter;

impl Contains<RuntimeCall> for ContractsCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(
			call,
			RuntimeCall::Balances(
				pallet_balances::Call::transfer_allow_death { .. }
					| pallet_balances::Call::transfer_keep_alive { .. }
					| pallet_balances::Call::transfer_all { .. }
			)
		)
	}
}

/// No randomness: code that could read it is refused at upload (see the module's doc). What a
/// benchmark of the host function reads: the zero hash at block 0.
pub struct NoRandomness;

impl Randomness<Hash, BlockNumber> for NoRandomness {
	fn random(_subject: &[u8]) -> (Hash, BlockNumber) {
		(Hash::zero(), 0)
	}
}

parameter_types! {
	/// 10 milli-SNM per storage item.
	pub const DepositPerItem: Balance = deposit(1, 0);
	/// 0.1 milli-SNM per byte of storage.
	pub const DepositPerByte: Balance = deposit(0, 1);
	/// Deposit limit of a call that names none.
	pub const DefaultDepositLimit: Balance = deposit(1024, 1024 * 1024);
	pub Schedule: pallet_contracts::Schedule<Runtime> = Default::default();
	/// Share of the code deposit locked by a contract that uses someone else's code hash.
	pub CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
}

impl pallet_contracts::Config for Runtime {
	type Time = Timestamp;
	type Randomness = NoRandomness;
	type Currency = Balances;
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type CallFilter = ContractsCallFilter;
	type DepositPerItem = DepositPerItem;
	type DepositPerByte = DepositPerByte;
	type DefaultDepositLimit = DefaultDepositLimit;
	/// Five nested calls; together with `MaxCodeLen` this keeps a call stack within the
	/// runtime's memory (checked by the pallet's `integrity_test`).
	type CallStack = [pallet_contracts::Frame<Self>; 5];
	type WeightPrice = pallet_transaction_payment::Pallet<Self>;
	type WeightInfo = pallet_contracts::weights::SubstrateWeight<Self>;
	type ChainExtension = ();
	type Schedule = Schedule;
	type AddressGenerator = pallet_contracts::DefaultAddressGenerator;
	type MaxCodeLen = ConstU32<{ 123 * 1024 }>;
	type MaxStorageKeyLen = ConstU32<128>;
	type MaxTransientStorageSize = ConstU32<{ 1024 * 1024 }>;
	type MaxDelegateDependencies = ConstU32<32>;
	type UnsafeUnstableInterface = ConstBool<false>;
	type MaxDebugBufferLen = ConstU32<{ 2 * 1024 * 1024 }>;
	type UploadOrigin = EnsureSigned<Self::AccountId>;
	type InstantiateOrigin = EnsureSigned<Self::AccountId>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Migrations = ();
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type Debug = ();
	type Environment = ();
	type ApiVersion = ();
	type Xcm = ();
}
