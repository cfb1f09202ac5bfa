//! # SONM sidechain runtime
//!
//! The FRAME runtime of the SONM compute market. This crate holds the types every other crate
//! agrees on (accounts, balances, blocks, extrinsics), the runtime version, the list of pallets
//! with their fixed indices, and the units of SNM. Pallet configurations live in [`configs`],
//! the runtime APIs in [`apis`], and the genesis presets in [`genesis_config_presets`]. The
//! wasm blob of this crate is built by `runtime/wasm` (`sonm-runtime-wasm`).

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to deeply nested types.
#![recursion_limit = "256"]

extern crate alloc;

// Declared first: `define_benchmarks!` makes macros that `apis` uses by textual scope.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod signing;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know of blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The keys a validator registers: Aura for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

/// The runtime version. `spec_version` must be bumped with every change of behaviour, and
/// `transaction_version` with every change of a call's index or arguments, a pallet's index or
/// the transaction extensions (the rules, and what they mean for wallets: docs/GOVERNANCE.md).
#[cfg(not(feature = "upgrade-rehearsal"))]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("sonm"),
	impl_name: Cow::Borrowed("sonm-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The runtime version of the upgrade rehearsal's runtime (`upgrade-rehearsal`: this source
/// with the next layout of a deal and its migration): `VERSION` with `spec_version` one higher.
#[cfg(feature = "upgrade-rehearsal")]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("sonm"),
	impl_name: Cow::Borrowed("sonm-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time: one block every two seconds.
pub const MILLISECS_PER_BLOCK: u64 = 2000;

/// Aura slot length. It cannot change once the chain has started: block production would stop.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

/// Blocks per minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// Number of decimals of SNM, as on Ethereum.
pub const SNM_DECIMALS: u8 = 18;
/// One SNM in base units.
pub const SNM: Balance = 1_000_000_000_000_000_000;
/// One thousandth of an SNM.
pub const MILLI_SNM: Balance = SNM / 1_000;
/// One millionth of an SNM.
pub const MICRO_SNM: Balance = SNM / 1_000_000;

/// The smallest balance an account may hold: one millionth of an SNM. Low enough that no real
/// payment is ever dusted, high enough that creating accounts costs something.
pub const EXISTENTIAL_DEPOSIT: Balance = MICRO_SNM;

/// An index to a block.
pub type BlockNumber = u32;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;

/// An account id: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance of SNM in base units (18 decimals).
pub type Balance = u128;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks and payments applied to every signed transaction, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on a runtime upgrade, aside from the pallets' own: the market's read
/// indexes built (market layout 0 → 1), then its orders and deals keyed by id in order (1 → 2);
/// a chain already at a layout skips what brought it there.
#[cfg(not(feature = "upgrade-rehearsal"))]
type Migrations = (
	pallet_market::migrations::v1::IndexesBuilt<Runtime>,
	pallet_market::migrations::v2::KeyedInIdOrder<Runtime>,
);

/// The upgrade rehearsal's migrations: those above, then every deal gains its stored end
/// (market layout 2 → 3).
#[cfg(feature = "upgrade-rehearsal")]
type Migrations = (
	pallet_market::migrations::v1::IndexesBuilt<Runtime>,
	pallet_market::migrations::v2::KeyedInIdOrder<Runtime>,
	pallet_market::migrations::v3::DealsGainTheirEnd<Runtime>,
);

/// Executive: dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The pallets of the runtime. Indices are part of the transaction format: never reuse one.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(9)]
	pub type Contracts = pallet_contracts;

	// Masternodes before Session: the session's genesis asks them for the first set.
	#[runtime::pallet_index(10)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(11)]
	pub type Masternodes = pallet_masternodes;

	#[runtime::pallet_index(12)]
	pub type Session = pallet_session;

	/// The masternodes' council: its members are the active set.
	#[runtime::pallet_index(13)]
	pub type Council = pallet_collective<Instance1>;

	/// Root by a council motion of more than two thirds.
	#[runtime::pallet_index(14)]
	pub type CouncilRoot = pallet_council;

	#[runtime::pallet_index(20)]
	pub type Market = pallet_market;

	#[runtime::pallet_index(21)]
	pub type Blacklist = pallet_blacklist;

	#[runtime::pallet_index(22)]
	pub type Kyc = pallet_kyc;

	#[runtime::pallet_index(23)]
	pub type Oracle = pallet_oracle;

	#[runtime::pallet_index(24)]
	pub type Gatekeeper = pallet_gatekeeper;
}

#[cfg(test)]
mod tests;
