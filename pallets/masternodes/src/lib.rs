#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod session;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::Precision,
			Contains, ValidatorRegistration,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Saturating, Zero};
	use sp_staking::SessionIndex;

	/// A balance of the staking currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A registered masternode.
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
	pub struct Masternode<T: Config> {
		/// The bonded stake: held, and what selection and rewards go by.
		pub stake: BalanceOf<T>,
		/// Unbonded amounts, still held, and the session from which each may be withdrawn.
		pub unbonding: BoundedVec<(BalanceOf<T>, SessionIndex), T::MaxUnbonding>,
		/// Whether it left: never selected again; its record goes once everything is withdrawn.
		pub leaving: bool,
	}

	/// Why a masternode was marked offline.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub enum OfflineReason {
		/// It authored no block over at least `OfflineAfterSlots` of its own slots.
		NoBlocks,
		/// Prices were fed in the session, but none by it.
		NoFeeds,
	}

	/// A session's payout from the reward pot.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub struct Payout<Balance> {
		pub session: SessionIndex,
		/// What the pot could pay before (above its existential deposit).
		pub available_before: Balance,
		/// What it can pay after.
		pub available_after: Balance,
		/// The sum of the rewards paid.
		pub paid: Balance,
	}

	/// A masternode record of this runtime.
	pub type MasternodeOf<T> = Masternode<T>;

	impl<T: Config> Masternode<T> {
		/// Moves `amount` (at most the bonded stake) into a new unbonding amount, withdrawable
		/// from session `from`.
		fn start_unbonding(
			&mut self,
			amount: BalanceOf<T>,
			from: SessionIndex,
		) -> Result<(), Error<T>> {
			self.unbonding
				.try_push((amount, from))
				.map_err(|_| Error::<T>::TooManyUnbonding)?;
			self.stake.saturating_reduce(amount);
			Ok(())
		}
	}

	/// A set of masternodes with the stakes they were selected with.
	pub type SetOf<T> = BoundedVec<
		(<T as frame_system::Config>::AccountId, BalanceOf<T>),
		<T as Config>::MaxMasternodes,
	>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency stakes are held in and rewards paid in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The smallest stake a masternode registers with and keeps while bonded.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;

		/// The size of the active set: the top masternodes by stake.
		#[pallet::constant]
		type MaxMasternodes: Get<u32>;

		/// The most registered masternodes, active or not.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// Sessions an unbonded amount stays held before it may be withdrawn.
		#[pallet::constant]
		type UnbondingSessions: Get<SessionIndex>;

		/// The most unbonding amounts one masternode may have at once.
		#[pallet::constant]
		type MaxUnbonding: Get<u32>;

		/// Whether an account has registered session keys (`pallet_session`): without them it
		/// cannot author or finalize, so it is not selected.
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;

		/// The account rewards are paid from: the market fee, a share of transaction fees and
		/// (later) the bridge fee collect there.
		type RewardPot: Get<Self::AccountId>;

		/// The chain's clock.
		type Time: frame_support::traits::UnixTime;

		/// When masternodes fed prices (the oracle): while the oracle runs, a member that fed
		/// nothing within `FeedWindow` is left out like one that authored nothing.
		type Feeds: sonm_primitives::traits::FeedActivity<Self::AccountId>;

		/// Seconds over which feeding is judged: a few of the oracle's feeding intervals, so
		/// that sessions shorter than the interval, and feeders started at different times,
		/// do not count as silence. A member is judged on feeds only once prices have been
		/// fed without a gap for this long and it has been in the set this long.
		#[pallet::constant]
		type FeedWindow: Get<u64>;

		/// Milliseconds per slot (Aura's slot duration): with the set's size, how many slots
		/// each member had in a stretch of time.
		#[pallet::constant]
		type SlotDuration: Get<u64>;

		/// A member is judged offline for authoring nothing only once it has had at least this
		/// many slots of its own since its last block (or since it joined the set): a few
		/// seconds of a starved machine never drop a validator, an hour of silence always does.
		#[pallet::constant]
		type OfflineAfterSlots: Get<u32>;

		/// Blocks per session where the genesis does not say.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;

		/// Who may change the session length (governance).
		type SessionLengthOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Told the active set's accounts (sorted) whenever a session starts with a new set,
		/// and at genesis: the council's membership (`pallet-collective`), so that the council
		/// is always the active masternodes.
		type Council: frame_support::traits::ChangeMembers<Self::AccountId>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds an account's funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A masternode's stake, bonded or unbonding.
		#[codec(index = 0)]
		Stake,
	}

	/// The registered masternodes.
	#[pallet::storage]
	pub type Registry<T: Config> =
		CountedStorageMap<_, Twox64Concat, T::AccountId, MasternodeOf<T>>;

	/// The set of the current session, with the stakes it was selected with (what rewards go
	/// by).
	#[pallet::storage]
	pub type ActiveSet<T: Config> = StorageValue<_, SetOf<T>, ValueQuery>;

	/// Sets selected for coming sessions, by session index.
	#[pallet::storage]
	pub type PlannedSets<T: Config> = StorageMap<_, Twox64Concat, SessionIndex, SetOf<T>>;

	/// Blocks per session: how often the set may change and rewards are paid.
	#[pallet::storage]
	pub type SessionLength<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, T::DefaultSessionLength>;

	/// The current session's index.
	#[pallet::storage]
	pub type CurrentSession<T> = StorageValue<_, SessionIndex, ValueQuery>;

	/// The last session's payout: what the pot held above its existential deposit before and
	/// after, and what the rewards added up to.
	#[pallet::storage]
	pub type LastPayout<T: Config> = StorageValue<_, Payout<BalanceOf<T>>>;

	/// Blocks each active masternode authored in the current session.
	#[pallet::storage]
	pub type BlocksAuthored<T: Config> = StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	/// Slots each member of the active set has had since it last authored a block (or joined
	/// the set), counted at session ends; absent for members that authored in the last session.
	#[pallet::storage]
	pub type SlotsWithoutBlock<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	/// When the current session began (milliseconds since the unix epoch); `None` from genesis
	/// until the first authored block, whose clock starts the count.
	#[pallet::storage]
	pub type SessionStartedAt<T> = StorageValue<_, u64>;

	/// Masternodes left out of selection (and of rewards) since they did not do their duties in
	/// the session given, until their `back` takes effect at the next planned set.
	#[pallet::storage]
	pub type Offline<T: Config> = StorageMap<_, Twox64Concat, T::AccountId, SessionIndex>;

	/// Offline masternodes that called `back`: selectable again from the next planned set.
	#[pallet::storage]
	pub type BackRequested<T: Config> = StorageMap<_, Twox64Concat, T::AccountId, ()>;

	/// When each member of the active set joined it (seconds since the unix epoch), for as
	/// long as it stays in the set: feeding is judged only over time it was a member.
	#[pallet::storage]
	pub type InSetSince<T: Config> = StorageMap<_, Twox64Concat, T::AccountId, u64>;

	/// Since when prices have been fed with no gap longer than `FeedWindow`, as seen at session
	/// ends; `None` while the oracle is silent. Feeding is judged once this is a window old.
	#[pallet::storage]
	pub type FeedingSince<T> = StorageValue<_, u64>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The masternodes of the first sessions and their stakes (held from their balances).
		pub masternodes: Vec<(T::AccountId, BalanceOf<T>)>,
		/// Blocks per session; `DefaultSessionLength` when absent.
		pub session_length: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, stake) in &self.masternodes {
				Pallet::<T>::do_register(who.clone(), *stake)
					.expect("genesis masternodes are funded, distinct and within the limits");
			}
			if let Some(length) = self.session_length {
				assert!(!length.is_zero(), "a session lasts at least one block");
				SessionLength::<T>::put(length);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` registered with `stake`.
		Registered { who: T::AccountId, stake: BalanceOf<T> },
		/// `who` bonded `amount` more.
		Bonded { who: T::AccountId, amount: BalanceOf<T> },
		/// `who` unbonded `amount`, withdrawable from session `from`.
		Unbonded { who: T::AccountId, amount: BalanceOf<T>, from: SessionIndex },
		/// `who` withdrew `amount` of unbonded stake.
		Withdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// `who` left: its whole stake unbonds and it is not selected again.
		Left { who: T::AccountId },
		/// `who` withdrew everything after leaving; its record is gone.
		Removed { who: T::AccountId },
		/// The set for session `session` was selected.
		SetSelected { session: SessionIndex, masternodes: Vec<T::AccountId> },
		/// `who` did not do its work in session `session` and is left out until it is back.
		WentOffline { who: T::AccountId, session: SessionIndex, reason: OfflineReason },
		/// `who` signalled that it is online again: selectable from the next planned set.
		Back { who: T::AccountId },
		/// `who` was paid `amount` from the pot for session `session`.
		Rewarded { who: T::AccountId, session: SessionIndex, amount: BalanceOf<T> },
		/// Sessions last `blocks` blocks from now on.
		SessionLengthSet { blocks: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is already a masternode.
		AlreadyRegistered,
		/// The caller is not a masternode.
		NotRegistered,
		/// A stake must be at least `MinStake`.
		BelowMinStake,
		/// `MaxCandidates` masternodes are registered.
		TooManyMasternodes,
		/// The caller cannot hold that much.
		InsufficientBalance,
		/// A zero amount does nothing.
		ZeroAmount,
		/// More than the bonded stake.
		NotEnoughBonded,
		/// `MaxUnbonding` amounts are unbonding; withdraw first.
		TooManyUnbonding,
		/// The masternode left; it may only withdraw.
		Leaving,
		/// Nothing unbonded is withdrawable yet.
		NothingToWithdraw,
		/// The masternode is not marked offline.
		NotOffline,
		/// The masternode already called `back`; it takes effect at the next planned set.
		BackPending,
		/// A session lasts at least one block.
		ZeroSessionLength,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a masternode with `stake` held. It is selected, by stake,
		/// from the next planned session on once it has session keys (`Session::set_keys`).
		///
		/// Origin: signed. Emits `Registered`. Errors: `AlreadyRegistered`, `BelowMinStake`,
		/// `TooManyMasternodes`, `InsufficientBalance`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(origin: OriginFor<T>, stake: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, stake)
		}

		/// Bonds `amount` more.
		///
		/// Origin: signed, a masternode. Emits `Bonded`. Errors: `NotRegistered`, `Leaving`,
		/// `ZeroAmount`, `InsufficientBalance`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			Registry::<T>::try_mutate(&who, |masternode| {
				let masternode = masternode.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(!masternode.leaving, Error::<T>::Leaving);
				Self::hold(&who, amount)?;
				masternode.stake.saturating_accrue(amount);
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::Bonded { who, amount });
			Ok(())
		}

		/// Unbonds `amount`: it stays held for `UnbondingSessions` sessions, then `withdraw`
		/// releases it. The bonded rest must stay at least `MinStake` (`leave` unbonds all).
		///
		/// Origin: signed, a masternode. Emits `Unbonded`. Errors: `NotRegistered`, `Leaving`,
		/// `ZeroAmount`, `NotEnoughBonded`, `BelowMinStake`, `TooManyUnbonding`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let from = Self::withdrawable_from();
			Registry::<T>::try_mutate(&who, |masternode| {
				let masternode = masternode.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(!masternode.leaving, Error::<T>::Leaving);
				ensure!(amount <= masternode.stake, Error::<T>::NotEnoughBonded);
				let rest = masternode.stake - amount;
				ensure!(rest >= T::MinStake::get(), Error::<T>::BelowMinStake);
				masternode.start_unbonding(amount, from)?;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::Unbonded { who, amount, from });
			Ok(())
		}

		/// Releases every unbonded amount whose session has come. After `leave`, releasing
		/// the last one removes the masternode.
		///
		/// Origin: signed, a masternode. Emits `Withdrawn`, and `Removed` at the end. Errors:
		/// `NotRegistered`, `NothingToWithdraw`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut masternode = Registry::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let now = CurrentSession::<T>::get();
			let mut amount = BalanceOf::<T>::zero();
			masternode.unbonding.retain(|(chunk, from)| {
				let ripe = *from <= now;
				if ripe {
					amount.saturating_accrue(*chunk);
				}
				!ripe
			});
			ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
			T::Currency::release(&HoldReason::Stake.into(), &who, amount, Precision::Exact)?;
			Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
			if masternode.leaving && masternode.unbonding.is_empty() {
				Registry::<T>::remove(&who);
				Offline::<T>::remove(&who);
				BackRequested::<T>::remove(&who);
				Self::deposit_event(Event::Removed { who });
			} else {
				Registry::<T>::insert(&who, masternode);
			}
			Ok(())
		}

		/// Leaves: the whole stake unbonds, and the masternode is not selected again (it stays
		/// in sets already planned, at most two sessions).
		///
		/// Origin: signed, a masternode. Emits `Left`, `Unbonded`. Errors: `NotRegistered`,
		/// `Leaving`, `TooManyUnbonding`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let from = Self::withdrawable_from();
			let amount = Registry::<T>::try_mutate(&who, |masternode| {
				let masternode = masternode.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(!masternode.leaving, Error::<T>::Leaving);
				let amount = masternode.stake;
				masternode.start_unbonding(amount, from)?;
				masternode.leaving = true;
				Ok::<_, DispatchError>(amount)
			})?;
			Self::deposit_event(Event::Left { who: who.clone() });
			Self::deposit_event(Event::Unbonded { who, amount, from });
			Ok(())
		}

		/// Signals that a masternode marked offline is online again. It takes effect when the
		/// next set is planned: until then the masternode stays offline (and unpaid).
		///
		/// Origin: signed, a masternode marked offline. Emits `Back`. Errors: `NotOffline`,
		/// `BackPending`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::back())]
		pub fn back(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Offline::<T>::contains_key(&who), Error::<T>::NotOffline);
			ensure!(!BackRequested::<T>::contains_key(&who), Error::<T>::BackPending);
			BackRequested::<T>::insert(&who, ());
			Self::deposit_event(Event::Back { who });
			Ok(())
		}

		/// Sets how many blocks a session lasts. Sessions end when the block number is a
		/// multiple of the length, so the current one may end early.
		///
		/// Origin: `SessionLengthOrigin` (root). Emits `SessionLengthSet`. Errors:
		/// `ZeroSessionLength`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			T::SessionLengthOrigin::ensure_origin(origin)?;
			ensure!(!blocks.is_zero(), Error::<T>::ZeroSessionLength);
			SessionLength::<T>::put(blocks);
			Self::deposit_event(Event::SessionLengthSet { blocks });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_register(who: T::AccountId, stake: BalanceOf<T>) -> DispatchResult {
			ensure!(!Registry::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			ensure!(stake >= T::MinStake::get(), Error::<T>::BelowMinStake);
			ensure!(
				Registry::<T>::count() < T::MaxCandidates::get(),
				Error::<T>::TooManyMasternodes
			);
			Self::hold(&who, stake)?;
			let masternode = Masternode { stake, unbonding: Default::default(), leaving: false };
			Registry::<T>::insert(&who, masternode);
			Self::deposit_event(Event::Registered { who, stake });
			Ok(())
		}

		fn hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			T::Currency::hold(&HoldReason::Stake.into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance.into())
		}

		/// The session from which an amount unbonded now may be withdrawn.
		fn withdrawable_from() -> SessionIndex {
			CurrentSession::<T>::get().saturating_add(T::UnbondingSessions::get())
		}

		/// Whether `who` is in the current session's set.
		pub fn is_active(who: &T::AccountId) -> bool {
			ActiveSet::<T>::get().iter().any(|(member, _)| member == who)
		}

		/// The invariants: every account holds for this pallet exactly its bonded and
		/// unbonding stake; bonded stakes are at least `MinStake` unless leaving; the last
		/// payout's rewards add up to what left the pot; sets hold masternodes at most once.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (who, masternode) in Registry::<T>::iter() {
				let unbonding = masternode
					.unbonding
					.iter()
					.fold(BalanceOf::<T>::zero(), |sum, (chunk, _)| sum.saturating_add(*chunk));
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Stake.into(), &who)
						== masternode.stake.saturating_add(unbonding),
					"a stake hold differs from the bonded and unbonding stake"
				);
				ensure!(
					masternode.leaving || masternode.stake >= T::MinStake::get(),
					"a bonded stake is below the minimum"
				);
				ensure!(
					!masternode.leaving || masternode.stake.is_zero(),
					"a leaving masternode still has bonded stake"
				);
			}
			ensure!(
				Registry::<T>::count() as usize == Registry::<T>::iter().count(),
				"the masternode count is off"
			);
			if let Some(payout) = LastPayout::<T>::get() {
				ensure!(
					payout.available_before.saturating_sub(payout.available_after) == payout.paid,
					"the pot's payouts do not add up to what it paid"
				);
			}
			let active = ActiveSet::<T>::get();
			for (i, (who, _)) in active.iter().enumerate() {
				ensure!(
					active.iter().skip(i + 1).all(|(other, _)| other != who),
					"a masternode is twice in the active set"
				);
			}
			ensure!(
				InSetSince::<T>::iter_keys().all(|who| active.iter().any(|(m, _)| *m == who)),
				"a masternode outside the active set has a membership time"
			);
			ensure!(
				SlotsWithoutBlock::<T>::iter_keys()
					.all(|who| active.iter().any(|(m, _)| *m == who)),
				"a masternode outside the active set has a count of silent slots"
			);
			ensure!(
				BackRequested::<T>::iter_keys().all(Offline::<T>::contains_key),
				"a masternode that is not offline has a pending back"
			);
			Ok(())
		}
	}

	/// The session length as a `Get`, for `pallet_session::PeriodicSessions`.
	pub struct SessionLengthOf<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<BlockNumberFor<T>> for SessionLengthOf<T> {
		fn get() -> BlockNumberFor<T> {
			SessionLength::<T>::get()
		}
	}

	/// The active masternodes: who feeds prices and (later) signs bridge transfers.
	impl<T: Config> Contains<T::AccountId> for Pallet<T> {
		fn contains(who: &T::AccountId) -> bool {
			Pallet::<T>::is_active(who)
		}
	}
}

/// The active set and the registry, for the gatekeeper.
impl<T: Config> sonm_primitives::traits::Masternodes<T::AccountId> for Pallet<T> {
	fn active_set() -> alloc::vec::Vec<T::AccountId> {
		ActiveSet::<T>::get().into_iter().map(|(who, _)| who).collect()
	}

	fn session() -> u32 {
		CurrentSession::<T>::get()
	}

	fn is_registered(who: &T::AccountId) -> bool {
		Registry::<T>::contains_key(who)
	}
}
