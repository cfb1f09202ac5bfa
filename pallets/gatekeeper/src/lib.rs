#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod model;
mod queries;
#[cfg(test)]
mod tests;
pub mod weights;

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
			tokens::{Fortitude, Precision, Preservation},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::{
		gatekeeper::{
			eth_address, is_canonical, threshold, Deposit, DepositKey, EthAddress, EthSignature,
			EthereumDomain, SetId,
		},
		traits::Masternodes,
	};
	use sp_runtime::traits::{CheckedAdd, Saturating, Zero};

	/// A balance of the bridged currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A deposit of this runtime.
	pub type DepositOf<T> = Deposit<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	/// Signatures collected for one message, sorted by signer address.
	pub type SignaturesOf<T> = BoundedVec<(EthAddress, EthSignature), <T as Config>::MaxSigners>;

	/// Where a deposit stands.
	#[derive(
		Clone,
		Copy,
		Debug,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		TypeInfo,
	)]
	pub enum Stage {
		/// Attested by some, not yet by more than two thirds of the active set.
		Voting,
		/// More than two thirds agree; minted once the daily cap allows (`claim_deposit`).
		Approved,
		/// Minted; the key is never minted again.
		Minted,
	}

	/// A deposit's attestations.
	#[derive(
		frame_support::CloneNoBound,
		Decode,
		DecodeWithMemTracking,
		Encode,
		frame_support::EqNoBound,
		MaxEncodedLen,
		frame_support::PartialEqNoBound,
		frame_support::DebugNoBound,
		TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	#[codec(mel_bound())]
	pub struct DepositRecord<T: Config> {
		/// Its place in the order deposits were first attested.
		pub index: u64,
		pub stage: Stage,
		/// Each attester with the recipient and amount it saw.
		pub votes: BoundedVec<(T::AccountId, T::AccountId, BalanceOf<T>), T::MaxSigners>,
		/// What more than two thirds agreed on, once they did.
		pub agreed: Option<(T::AccountId, BalanceOf<T>)>,
	}

	/// A withdrawal: burnt here, to be paid on Ethereum on the signatures of a set.
	#[derive(
		frame_support::CloneNoBound,
		Decode,
		DecodeWithMemTracking,
		Encode,
		frame_support::EqNoBound,
		MaxEncodedLen,
		frame_support::PartialEqNoBound,
		frame_support::DebugNoBound,
		TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	#[codec(mel_bound())]
	pub struct Withdrawal<T: Config> {
		pub who: T::AccountId,
		pub to: EthAddress,
		/// What Ethereum pays out: what was burnt.
		pub amount: BalanceOf<T>,
		/// The set whose signatures it collects.
		pub set_id: SetId,
		pub signatures: SignaturesOf<T>,
	}

	/// A signer set: the Ethereum keys of an active set, and the previous set's signatures
	/// installing it.
	#[derive(
		frame_support::CloneNoBound,
		Decode,
		DecodeWithMemTracking,
		Encode,
		frame_support::EqNoBound,
		MaxEncodedLen,
		frame_support::PartialEqNoBound,
		frame_support::DebugNoBound,
		TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	#[codec(mel_bound())]
	pub struct SignerSet<T: Config> {
		/// Sorted, distinct.
		pub signers: BoundedVec<EthAddress, T::MaxSigners>,
		pub threshold: u32,
		pub signatures: SignaturesOf<T>,
	}

	/// The Ethereum contract this chain's gateway serves.
	#[derive(
		Clone,
		Copy,
		Debug,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		TypeInfo,
	)]
	pub struct Contract {
		pub chain_id: u64,
		pub gatekeeper: EthAddress,
	}

	/// What was minted and withdrawn on one UTC day.
	#[derive(
		Clone,
		Copy,
		Debug,
		Default,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		TypeInfo,
	)]
	pub struct DayTotals<Balance> {
		/// Days since the unix epoch.
		pub day: u64,
		pub minted: Balance,
		pub withdrawn: Balance,
	}

	/// The daily caps.
	#[derive(
		Clone,
		Copy,
		Debug,
		Default,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		TypeInfo,
	)]
	pub struct Caps<Balance> {
		pub daily_mint: Balance,
		pub daily_withdraw: Balance,
	}

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
			ensure!(T::Masternodes::is_registered(&who), Error::<T>::NotMasternode);
			let digest = sonm_primitives::gatekeeper::key_registration_digest(
				&Self::genesis_hash(),
				&who.encode(),
			);
			ensure!(Self::signer_of(&signature, &digest) == Some(key), Error::<T>::BadSignature);
			if let Some(owner) = KeyOwners::<T>::get(key) {
				ensure!(owner == who, Error::<T>::KeyInUse);
			}
			if let Some(old) = EthKeys::<T>::get(&who) {
				KeyOwners::<T>::remove(old);
			}
			EthKeys::<T>::insert(&who, key);
			KeyOwners::<T>::insert(key, &who);
			Self::deposit_event(Event::EthKeyRegistered { who, key });
			Self::refresh_signer_set();
			Ok(())
		}

		/// Attests that `deposit` was locked on Ethereum and is final there. An active
		/// masternode, once per deposit; when more than two thirds of the active set attest the
		/// same recipient and amount, it is minted (or deferred to a day the cap allows).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::attest_deposit(T::MaxSigners::get()))]
		pub fn attest_deposit(origin: OriginFor<T>, deposit: DepositOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
			ensure!(EthereumContract::<T>::exists(), Error::<T>::NoContract);
			let active = T::Masternodes::active_set();
			ensure!(active.contains(&who), Error::<T>::NotActive);
			ensure!(!deposit.amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(deposit.amount >= T::Currency::minimum_balance(), Error::<T>::BelowMinimum);
			let Deposit { key, recipient, amount } = deposit;
			let mut record = match Deposits::<T>::get(key) {
				Some(record) => record,
				None => {
					let index = DepositCount::<T>::mutate(|count| {
						let index = *count;
						*count += 1;
						index
					});
					DepositOrder::<T>::insert(index, key);
					DepositRecord {
						index,
						stage: Stage::Voting,
						votes: Default::default(),
						agreed: None,
					}
				},
			};
			ensure!(record.stage != Stage::Minted, Error::<T>::AlreadyMinted);
			ensure!(
				record.votes.iter().all(|(voter, _, _)| *voter != who),
				Error::<T>::AlreadyAttested
			);
			if record.votes.iter().any(|(_, r, a)| *r != recipient || *a != amount) {
				Self::deposit_event(Event::ConflictingAttestation { key, by: who.clone() });
			}
			// Votes of masternodes that left the set no longer count and make room.
			record.votes.retain(|(voter, _, _)| active.contains(voter));
			record
				.votes
				.try_push((who.clone(), recipient.clone(), amount))
				.map_err(|_| Error::<T>::NotActive)?;
			Self::deposit_event(Event::DepositAttested { key, by: who });
			if record.stage == Stage::Voting {
				let agreeing =
					record.votes.iter().filter(|(_, r, a)| *r == recipient && *a == amount).count();
				if agreeing as u32 >= threshold(active.len() as u32) {
					record.agreed = Some((recipient, amount));
					record.stage = Stage::Approved;
					if !Self::try_mint(&key, &mut record) {
						Self::deposit_event(Event::DepositDeferred { key });
					}
				}
			}
			Deposits::<T>::insert(key, record);
			Ok(())
		}

		/// Mints a deposit deferred by the daily cap. Anyone.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::claim_deposit())]
		pub fn claim_deposit(origin: OriginFor<T>, key: DepositKey) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
			let mut record = Deposits::<T>::get(key).ok_or(Error::<T>::NotApproved)?;
			ensure!(record.stage == Stage::Approved, Error::<T>::NotApproved);
			ensure!(Self::try_mint(&key, &mut record), Error::<T>::DailyMintCapReached);
			Deposits::<T>::insert(key, record);
			Ok(())
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
			ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
			ensure!(EthereumContract::<T>::exists(), Error::<T>::NoContract);
			ensure!(to != [0u8; 20], Error::<T>::ZeroAddress);
			let fee = T::WithdrawalFee::get();
			ensure!(amount > fee, Error::<T>::BelowFee);
			ensure!(SignerSets::<T>::contains_key(CurrentSet::<T>::get()), Error::<T>::NoSignerSet);
			let net = amount - fee;
			let mut today = Self::today();
			let withdrawn = today.withdrawn.checked_add(&net).ok_or(Error::<T>::Overflow)?;
			ensure!(
				withdrawn <= DailyCaps::<T>::get().daily_withdraw,
				Error::<T>::DailyWithdrawCapReached
			);
			T::Currency::transfer(&who, &T::RewardPot::get(), fee, Preservation::Preserve)?;
			T::Currency::burn_from(
				&who,
				net,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)?;
			today.withdrawn = withdrawn;
			Today::<T>::put(today);
			Burned::<T>::mutate(|burned| burned.saturating_accrue(net));
			let id = NextWithdrawal::<T>::mutate(|next| {
				let id = *next;
				*next += 1;
				id
			});
			let set_id = CurrentSet::<T>::get();
			Withdrawals::<T>::insert(
				id,
				Withdrawal {
					who: who.clone(),
					to,
					amount: net,
					set_id,
					signatures: Default::default(),
				},
			);
			Self::deposit_event(Event::WithdrawalRequested { id, who, to, amount: net, fee });
			Ok(())
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
			let mut withdrawal = Withdrawals::<T>::get(id).ok_or(Error::<T>::UnknownWithdrawal)?;
			let current = CurrentSet::<T>::get();
			let complete = Self::is_complete(withdrawal.set_id, &withdrawal.signatures);
			let stale = withdrawal.set_id.saturating_add(OLD_SET_GRACE) < current;
			if withdrawal.set_id < current && (!complete || stale) {
				withdrawal.set_id = current;
				withdrawal.signatures = Default::default();
			} else {
				ensure!(!complete, Error::<T>::AlreadyComplete);
			}
			let domain = Self::domain().ok_or(Error::<T>::NoContract)?;
			let amount: u128 = withdrawal.amount.try_into().map_err(|_| Error::<T>::Overflow)?;
			let digest = domain.payout_digest(id, &withdrawal.to, amount, withdrawal.set_id);
			let set_id = withdrawal.set_id;
			Self::add_signature(&who, set_id, &digest, &signature, &mut withdrawal.signatures)?;
			let complete = Self::is_complete(set_id, &withdrawal.signatures);
			Withdrawals::<T>::insert(id, withdrawal);
			if complete {
				Self::deposit_event(Event::WithdrawalSigned { id, set_id });
			}
			Ok(())
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
			let current = CurrentSet::<T>::get();
			ensure!(set_id == current.saturating_add(1), Error::<T>::NoSetChange);
			let mut next = SignerSets::<T>::get(set_id).ok_or(Error::<T>::NoSetChange)?;
			let domain = Self::domain().ok_or(Error::<T>::NoContract)?;
			let digest = domain.set_change_digest(set_id, &next.signers, next.threshold, current);
			Self::add_signature(&who, current, &digest, &signature, &mut next.signatures)?;
			let complete = Self::is_complete(current, &next.signatures);
			SignerSets::<T>::insert(set_id, next);
			if complete {
				CurrentSet::<T>::put(set_id);
				Self::deposit_event(Event::SignerSetChanged { set_id });
				// The active set may have moved on while this set collected signatures.
				Self::refresh_signer_set();
			}
			Ok(())
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

	impl<T: Config> Pallet<T> {
		/// The sidechain's genesis hash.
		pub fn genesis_hash() -> [u8; 32] {
			let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let mut out = [0u8; 32];
			let bytes = hash.as_ref();
			out[..bytes.len().min(32)].copy_from_slice(&bytes[..bytes.len().min(32)]);
			out
		}

		/// The EIP-712 domain of the contract, once named.
		pub fn domain() -> Option<EthereumDomain> {
			EthereumContract::<T>::get().map(|contract| EthereumDomain {
				chain_id: contract.chain_id,
				gatekeeper: contract.gatekeeper,
				genesis: Self::genesis_hash(),
			})
		}

		/// The key that made `signature` over `digest`, if it is canonical and valid.
		pub fn signer_of(signature: &EthSignature, digest: &[u8; 32]) -> Option<EthAddress> {
			if !is_canonical(signature) {
				return None;
			}
			sp_io::crypto::secp256k1_ecdsa_recover(signature, digest)
				.ok()
				.map(|public| eth_address(&public))
		}

		/// Checks that `who`'s key is in set `set_id` and made `signature` over `digest`, and
		/// adds it to `signatures` in signer order.
		fn add_signature(
			who: &T::AccountId,
			set_id: SetId,
			digest: &[u8; 32],
			signature: &EthSignature,
			signatures: &mut SignaturesOf<T>,
		) -> DispatchResult {
			let key = EthKeys::<T>::get(who).ok_or(Error::<T>::NotSigner)?;
			let set = SignerSets::<T>::get(set_id).ok_or(Error::<T>::NoSignerSet)?;
			ensure!(set.signers.binary_search(&key).is_ok(), Error::<T>::NotSigner);
			ensure!(Self::signer_of(signature, digest) == Some(key), Error::<T>::BadSignature);
			let at = match signatures.binary_search_by(|(signer, _)| signer.cmp(&key)) {
				Ok(_) => return Err(Error::<T>::AlreadySigned.into()),
				Err(at) => at,
			};
			signatures
				.try_insert(at, (key, *signature))
				.map_err(|_| Error::<T>::NotSigner)?;
			Ok(())
		}

		/// Whether `signatures` reach set `set_id`'s threshold.
		pub fn is_complete(set_id: SetId, signatures: &SignaturesOf<T>) -> bool {
			SignerSets::<T>::get(set_id).is_some_and(|set| signatures.len() as u32 >= set.threshold)
		}

		/// Today's totals (zero on a new day).
		pub(crate) fn today() -> DayTotals<BalanceOf<T>> {
			let day = T::Time::now().as_secs() / 86_400;
			let today = Today::<T>::get();
			if today.day == day {
				today
			} else {
				DayTotals { day, ..Default::default() }
			}
		}

		/// Mints an approved deposit if today's cap allows. Returns whether it minted.
		fn try_mint(key: &DepositKey, record: &mut DepositRecord<T>) -> bool {
			let Some((recipient, amount)) = record.agreed.clone() else { return false };
			let mut today = Self::today();
			let minted = today.minted.saturating_add(amount);
			let fits = minted <= DailyCaps::<T>::get().daily_mint;
			if !fits || T::Currency::mint_into(&recipient, amount).is_err() {
				return false;
			}
			today.minted = minted;
			Today::<T>::put(today);
			Minted::<T>::mutate(|total| total.saturating_accrue(amount));
			record.stage = Stage::Minted;
			Self::deposit_event(Event::DepositMinted { key: *key, recipient, amount });
			true
		}

		/// Opens (or replaces, or drops) the change to the set of the active masternodes'
		/// keys, when it differs from the current signer set.
		pub(crate) fn refresh_signer_set() {
			let mut keys: Vec<EthAddress> =
				T::Masternodes::active_set().iter().filter_map(EthKeys::<T>::get).collect();
			keys.sort();
			keys.dedup();
			if keys.is_empty() {
				return;
			}
			let current = CurrentSet::<T>::get();
			let next_id = current.saturating_add(1);
			let Some(set) = SignerSets::<T>::get(current) else {
				// No set yet (no genesis keys): the first keys make set 0 directly.
				if current == 0 {
					let threshold = threshold(keys.len() as u32);
					let signers = BoundedVec::truncate_from(keys.clone());
					SignerSets::<T>::insert(
						0,
						SignerSet { signers, threshold, signatures: Default::default() },
					);
					Self::deposit_event(Event::SetChangeOpened {
						set_id: 0,
						signers: keys,
						threshold,
					});
					Self::deposit_event(Event::SignerSetChanged { set_id: 0 });
				}
				return;
			};
			if set.signers.as_slice() == keys.as_slice() {
				SignerSets::<T>::remove(next_id);
				return;
			}
			if SignerSets::<T>::get(next_id)
				.is_some_and(|next| next.signers.as_slice() == keys.as_slice())
			{
				return;
			}
			let threshold = threshold(keys.len() as u32);
			let signers = BoundedVec::truncate_from(keys.clone());
			SignerSets::<T>::insert(
				next_id,
				SignerSet { signers, threshold, signatures: Default::default() },
			);
			Self::deposit_event(Event::SetChangeOpened {
				set_id: next_id,
				signers: keys,
				threshold,
			});
		}

		/// The invariants: issuance is the genesis issuance plus what was minted less what was
		/// burnt; every deposit record is reachable by its index and minted ones agreed; sets
		/// are sorted and their thresholds more than two thirds; withdrawals' signatures sorted
		/// and from their set; keys and owners mirror each other.
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let expected = GenesisIssuance::<T>::get()
				.saturating_add(Minted::<T>::get())
				.saturating_sub(Burned::<T>::get());
			ensure!(
				T::Currency::total_issuance() == expected,
				"issuance differs from genesis + minted - burned"
			);
			for (key, record) in Deposits::<T>::iter() {
				ensure!(
					DepositOrder::<T>::get(record.index) == Some(key),
					"a deposit is out of order"
				);
				ensure!(
					(record.stage == Stage::Voting) == record.agreed.is_none(),
					"a deposit's stage and agreement differ"
				);
			}
			ensure!(
				DepositOrder::<T>::iter().count() as u64 == DepositCount::<T>::get(),
				"the deposit count is off"
			);
			for (id, set) in SignerSets::<T>::iter() {
				ensure!(
					set.signers.windows(2).all(|w| w[0] < w[1]),
					"a set's signers are not sorted"
				);
				ensure!(
					set.threshold == threshold(set.signers.len() as u32),
					"a set's threshold is off"
				);
				ensure!(id <= CurrentSet::<T>::get().saturating_add(1), "a set beyond the next");
			}
			for (_, withdrawal) in Withdrawals::<T>::iter() {
				let set =
					SignerSets::<T>::get(withdrawal.set_id).ok_or("a withdrawal's set is gone")?;
				ensure!(
					withdrawal.signatures.windows(2).all(|w| w[0].0 < w[1].0),
					"a withdrawal's signatures are not sorted"
				);
				ensure!(
					withdrawal.signatures.iter().all(|(key, _)| set.signers.contains(key)),
					"a withdrawal is signed by a key outside its set"
				);
			}
			for (who, key) in EthKeys::<T>::iter() {
				ensure!(KeyOwners::<T>::get(key) == Some(who), "a key's owner differs");
			}
			ensure!(
				KeyOwners::<T>::iter().count() == EthKeys::<T>::iter().count(),
				"keys and owners differ in number"
			);
			Ok(())
		}
	}
}
