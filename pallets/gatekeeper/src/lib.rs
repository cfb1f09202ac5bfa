#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod deposits;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
mod limits;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod model;
mod queries;
mod signer_sets;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
mod withdrawals;

pub use pallet::*;
pub use weights::WeightInfo;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `members` registered masternodes and the active set.
	fn make_active(members: &[AccountId]);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::{
		gatekeeper::{threshold, DepositKey, EthAddress, EthSignature, SetId},
		traits::Masternodes,
	};

	pub use crate::types::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// SNM: minted for deposits, burnt for withdrawals.
		type Currency: Mutate<Self::AccountId>;

		/// The masternodes: the active set attests and signs.
		type Masternodes: Masternodes<Self::AccountId>;

		/// The most signers of a set: the most masternodes in an active set.
		#[pallet::constant]
		type MaxSigners: Get<u32>;

		/// The flat fee of a withdrawal, paid to the reward pot.
		#[pallet::constant]
		type WithdrawalFee: Get<BalanceOf<Self>>;

		/// Where the withdrawal fee goes.
		type RewardPot: Get<Self::AccountId>;

		/// The chain's clock: caps are per UTC day.
		type Time: UnixTime;

		/// Who may unpause, name the contract and set the caps.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes active masternodes for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The Ethereum contract, once root names it.
	#[pallet::storage]
	pub type EthereumContract<T> = StorageValue<_, Contract, OptionQuery>;

	/// The daily caps of minting and withdrawing.
	#[pallet::storage]
	pub type DailyCaps<T> = StorageValue<_, Caps<BalanceOf<T>>, ValueQuery>;

	/// Today's totals.
	#[pallet::storage]
	pub type Today<T> = StorageValue<_, DayTotals<BalanceOf<T>>, ValueQuery>;

	/// Whether both directions are stopped.
	#[pallet::storage]
	pub type Paused<T> = StorageValue<_, bool, ValueQuery>;

	/// Each masternode's Ethereum key.
	#[pallet::storage]
	pub type EthKeys<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, EthAddress>;

	/// Who registered each Ethereum key: a key signs for one masternode only.
	#[pallet::storage]
	pub type KeyOwners<T: Config> = StorageMap<_, Blake2_128Concat, EthAddress, T::AccountId>;

	/// Signer sets by id: set 0 from the genesis, each later one installed by its predecessor's
	/// signatures. `CurrentSet + 1`, when present, is still collecting them.
	#[pallet::storage]
	pub type SignerSets<T: Config> = StorageMap<_, Twox64Concat, SetId, SignerSet<T>>;

	/// The set that signs now.
	#[pallet::storage]
	pub type CurrentSet<T> = StorageValue<_, SetId, ValueQuery>;

	/// The session whose active set the signer set was last compared with.
	#[pallet::storage]
	pub type CheckedSession<T> = StorageValue<_, u32, OptionQuery>;

	/// Deposits attested, by Ethereum transaction and log index; kept forever, so that none is
	/// minted twice.
	#[pallet::storage]
	pub type Deposits<T: Config> = StorageMap<_, Blake2_128Concat, DepositKey, DepositRecord<T>>;

	/// Deposit keys in the order they were first attested.
	#[pallet::storage]
	pub type DepositOrder<T> = StorageMap<_, Twox64Concat, u64, DepositKey>;

	/// How many deposits were ever attested.
	#[pallet::storage]
	pub type DepositCount<T> = StorageValue<_, u64, ValueQuery>;

	/// Withdrawals by id.
	#[pallet::storage]
	pub type Withdrawals<T: Config> = StorageMap<_, Twox64Concat, u64, Withdrawal<T>>;

	/// The id of the next withdrawal.
	#[pallet::storage]
	pub type NextWithdrawal<T> = StorageValue<_, u64, ValueQuery>;

	/// Total issuance when the genesis was built: with `Minted` and `Burned` it accounts for
	/// every unit in existence.
	#[pallet::storage]
	pub type GenesisIssuance<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Everything minted for deposits.
	#[pallet::storage]
	pub type Minted<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Everything burnt for withdrawals.
	#[pallet::storage]
	pub type Burned<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The Ethereum contract, if deployed before the chain starts.
		pub contract: Option<(u64, EthAddress)>,
		/// The genesis masternodes' Ethereum keys: set 0, which the contract is deployed with.
		pub eth_keys: Vec<(T::AccountId, EthAddress)>,
		pub daily_mint_cap: BalanceOf<T>,
		pub daily_withdraw_cap: BalanceOf<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some((chain_id, gatekeeper)) = self.contract {
				EthereumContract::<T>::put(Contract { chain_id, gatekeeper });
			}
			for (who, key) in &self.eth_keys {
				assert!(!KeyOwners::<T>::contains_key(key), "an Ethereum key given twice");
				EthKeys::<T>::insert(who, key);
				KeyOwners::<T>::insert(key, who);
			}
			let mut signers: Vec<EthAddress> = self.eth_keys.iter().map(|(_, key)| *key).collect();
			signers.sort();
			if !signers.is_empty() {
				let threshold = threshold(signers.len() as u32);
				let signers =
					BoundedVec::try_from(signers).expect("at most MaxSigners genesis keys");
				SignerSets::<T>::insert(
					0,
					SignerSet { signers, threshold, signatures: Default::default() },
				);
			}
			DailyCaps::<T>::put(Caps {
				daily_mint: self.daily_mint_cap,
				daily_withdraw: self.daily_withdraw_cap,
			});
			GenesisIssuance::<T>::put(T::Currency::total_issuance());
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` registered Ethereum key `key`.
		EthKeyRegistered {
			who: T::AccountId,
			key: EthAddress,
		},
		/// `by` attested a deposit.
		DepositAttested {
			key: DepositKey,
			by: T::AccountId,
		},
		/// `by` attested other content than earlier attesters of the same deposit: one of them
		/// sees another Ethereum.
		ConflictingAttestation {
			key: DepositKey,
			by: T::AccountId,
		},
		/// More than two thirds agree, but today's mint cap is spent: `claim_deposit` mints it
		/// on a later day.
		DepositDeferred {
			key: DepositKey,
		},
		/// A deposit was minted.
		DepositMinted {
			key: DepositKey,
			recipient: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// `who` burnt `amount` (and paid `fee` to the pot) to be paid on Ethereum.
		WithdrawalRequested {
			id: u64,
			who: T::AccountId,
			to: EthAddress,
			amount: BalanceOf<T>,
			fee: BalanceOf<T>,
		},
		/// A withdrawal's signatures reached its set's threshold: any relayer can pay it.
		WithdrawalSigned {
			id: u64,
			set_id: SetId,
		},
		/// The active set's keys differ from the signer set's: set `set_id` collects the current
		/// set's signatures.
		SetChangeOpened {
			set_id: SetId,
			signers: Vec<EthAddress>,
			threshold: u32,
		},
		/// Set `set_id` has its predecessor's signatures and signs from now on.
		SignerSetChanged {
			set_id: SetId,
		},
		/// `by` stopped both directions.
		Paused {
			by: T::AccountId,
		},
		Unpaused,
		ContractSet {
			chain_id: u64,
			gatekeeper: EthAddress,
		},
		CapsSet {
			daily_mint: BalanceOf<T>,
			daily_withdraw: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not in the active set.
		NotActive,
		/// The caller is not a registered masternode.
		NotMasternode,
		/// The signature is malformed, not canonical, or not by the expected key.
		BadSignature,
		/// Another masternode registered this Ethereum key.
		KeyInUse,
		/// The gateway is paused.
		IsPaused,
		/// The gateway is not paused.
		NotPaused,
		/// No Ethereum contract is named yet.
		NoContract,
		/// Zero amounts bridge nothing.
		ZeroAmount,
		/// A deposit below the existential deposit cannot be minted (the CLI refuses to make
		/// one).
		BelowMinimum,
		/// The zero address burns on Ethereum.
		ZeroAddress,
		/// This deposit was minted already.
		AlreadyMinted,
		/// The caller attested this deposit already.
		AlreadyAttested,
		/// No such deposit is waiting for the cap.
		NotApproved,
		/// Today's mint cap does not allow this deposit.
		DailyMintCapReached,
		/// Today's withdrawal cap does not allow this withdrawal.
		DailyWithdrawCapReached,
		/// The amount does not cover the withdrawal fee.
		BelowFee,
		/// No such withdrawal.
		UnknownWithdrawal,
		/// The withdrawal has its set's signatures already.
		AlreadyComplete,
		/// The caller's key is not in the set that signs this.
		NotSigner,
		/// The caller's key signed this already.
		AlreadySigned,
		/// No set change is collecting signatures, or not this one.
		NoSetChange,
		/// There is no signer set yet (no masternode registered a key).
		NoSignerSet,
		/// An amount overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Once per session: a set change when the active set's keys differ from the signers.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			let session = T::Masternodes::session();
			if CheckedSession::<T>::get() == Some(session) {
				return T::DbWeight::get().reads(2);
			}
			CheckedSession::<T>::put(session);
			Self::refresh_signer_set();
			T::WeightInfo::refresh_signer_set(T::MaxSigners::get())
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers `key` as the caller's Ethereum key; `signature` is the key's over
		/// [`sonm_primitives::gatekeeper::key_registration_digest`] of this chain and the
		/// caller. A registered masternode only; it signs from the next set change on.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_eth_key(T::MaxSigners::get()))]
		pub fn register_eth_key(
			origin: OriginFor<T>,
			key: EthAddress,
			signature: EthSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_eth_key(who, key, signature)
		}

		/// Attests that `deposit` was locked on Ethereum and is final there. An active
		/// masternode, once per deposit; when more than two thirds of the active set attest the
		/// same recipient and amount, it is minted (or deferred to a day the cap allows).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::attest_deposit(T::MaxSigners::get()))]
		pub fn attest_deposit(origin: OriginFor<T>, deposit: DepositOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_attest_deposit(who, deposit)
		}

		/// Mints a deposit deferred by the daily cap. Anyone.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::claim_deposit())]
		pub fn claim_deposit(origin: OriginFor<T>, key: DepositKey) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim_deposit(key)
		}

		/// Burns `amount` of the caller's SNM (less the flat fee, which goes to the reward pot)
		/// to be paid to `to` on Ethereum once the signer set signs it.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(
			origin: OriginFor<T>,
			amount: BalanceOf<T>,
			to: EthAddress,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, amount, to)
		}

		/// Adds the caller's signature of withdrawal `id`'s payout
		/// ([`EthereumDomain::payout_digest`]) by its registered key, which must be in the
		/// current set. A withdrawal still short of signatures when the set changed, or signed by
		/// a set the contract no longer accepts, is signed afresh by the current set.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::sign_withdrawal(T::MaxSigners::get()))]
		pub fn sign_withdrawal(
			origin: OriginFor<T>,
			id: u64,
			signature: EthSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_sign_withdrawal(who, id, signature)
		}

		/// Adds the caller's signature, by its key in the current set, installing set
		/// `set_id` ([`EthereumDomain::set_change_digest`]); at the threshold that set signs
		/// from then on.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::sign_set_change(T::MaxSigners::get()))]
		pub fn sign_set_change(
			origin: OriginFor<T>,
			set_id: SetId,
			signature: EthSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_sign_set_change(who, set_id, signature)
		}

		/// Stops minting, claiming and withdrawing. Any active masternode.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Masternodes::active_set().contains(&who), Error::<T>::NotActive);
			ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
			Paused::<T>::put(true);
			Self::deposit_event(Event::Paused { by: who });
			Ok(())
		}

		/// Resumes both directions. `AdminOrigin` (root).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::unpause())]
		pub fn unpause(origin: OriginFor<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Paused::<T>::get(), Error::<T>::NotPaused);
			Paused::<T>::put(false);
			Self::deposit_event(Event::Unpaused);
			Ok(())
		}

		/// Names the Ethereum contract (chain id and address). `AdminOrigin`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_contract())]
		pub fn set_contract(
			origin: OriginFor<T>,
			chain_id: u64,
			gatekeeper: EthAddress,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(gatekeeper != [0u8; 20], Error::<T>::ZeroAddress);
			EthereumContract::<T>::put(Contract { chain_id, gatekeeper });
			Self::deposit_event(Event::ContractSet { chain_id, gatekeeper });
			Ok(())
		}

		/// Sets the daily caps. `AdminOrigin`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_caps())]
		pub fn set_caps(
			origin: OriginFor<T>,
			daily_mint: BalanceOf<T>,
			daily_withdraw: BalanceOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			DailyCaps::<T>::put(Caps { daily_mint, daily_withdraw });
			Self::deposit_event(Event::CapsSet { daily_mint, daily_withdraw });
			Ok(())
		}
	}

	/// How many set ids after its own a set's payout signatures still pay (the contract's
	/// `OLD_SET_GRACE`).
	pub const OLD_SET_GRACE: SetId = 1;
}
