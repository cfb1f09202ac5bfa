#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
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
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	/// A balance of the deposit currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A curated list's name: at most 64 bytes.
	pub type ListName = BoundedVec<u8, ConstU32<64>>;
	/// A curated list's description: at most 512 bytes.
	pub type ListDescription = BoundedVec<u8, ConstU32<512>>;

	/// What a curator publishes about its list so that others find it and subscribe.
	#[derive(
		Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
	)]
	pub struct CuratedList<Balance> {
		/// A short name, e.g. "Known non-payers".
		pub name: ListName,
		/// What the list holds and by which rules the curator adds to it.
		pub description: ListDescription,
		/// What the curator holds while the list is published.
		pub deposit: Balance,
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

		/// The currency deposits are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// Held for each entry of a list, against filling the chain's storage.
		#[pallet::constant]
		type EntryDeposit: Get<BalanceOf<Self>>;

		/// Held while a curated list is published.
		#[pallet::constant]
		type ListDeposit: Get<BalanceOf<Self>>;

		/// The most entries one list may hold.
		#[pallet::constant]
		type MaxEntries: Get<u32>;

		/// The most lists one account may subscribe to. Every `is_blocked` reads up to this many
		/// lists beside the account's own.
		#[pallet::constant]
		type MaxSubscriptions: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds an account's funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of an entry on the account's list.
		#[codec(index = 0)]
		Entry,
		/// The deposit of the account's published curated list.
		#[codec(index = 1)]
		CuratedList,
	}

	/// The lists: `(owner, whom)` is present when `owner` blacklists `whom`; the value is the
	/// deposit held for the entry.
	#[pallet::storage]
	pub type Entries<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
		OptionQuery,
	>;

	/// How many entries each list holds.
	#[pallet::storage]
	pub type EntryCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The lists each account subscribes to, besides its own.
	#[pallet::storage]
	pub type Subscriptions<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<T::AccountId, T::MaxSubscriptions>,
		ValueQuery,
	>;

	/// Published curated lists, by curator.
	#[pallet::storage]
	pub type CuratedLists<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CuratedList<BalanceOf<T>>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` put `whom` on its list.
		Blocked { who: T::AccountId, whom: T::AccountId },
		/// `who` took `whom` off its list.
		Unblocked { who: T::AccountId, whom: T::AccountId },
		/// `who` now also applies `list`'s list.
		Subscribed { who: T::AccountId, list: T::AccountId },
		/// `who` no longer applies `list`'s list.
		Unsubscribed { who: T::AccountId, list: T::AccountId },
		/// `curator` published its list (or changed its name and description).
		ListPublished { curator: T::AccountId, name: ListName },
		/// `curator` withdrew its list's publication; the entries stay.
		ListUnpublished { curator: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// An account cannot blacklist itself.
		CannotBlockSelf,
		/// The account is already on the list.
		AlreadyBlocked,
		/// The account is not on the list.
		NotBlocked,
		/// The list holds as many entries as allowed.
		ListFull,
		/// The account cannot pay the deposit.
		InsufficientBalance,
		/// An account cannot subscribe to its own list.
		CannotSubscribeToSelf,
		/// The account already subscribes to that list.
		AlreadySubscribed,
		/// The account does not subscribe to that list.
		NotSubscribed,
		/// The account subscribes to as many lists as allowed.
		TooManySubscriptions,
		/// A curated list needs a name.
		EmptyName,
		/// The account has no published list.
		NotPublished,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxEntries::get() > 0, "lists must be able to hold entries");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Puts `whom` on the caller's list, holding `EntryDeposit`.
		///
		/// Origin: signed. Emits `Blocked`. Errors: `CannotBlockSelf`, `AlreadyBlocked`,
		/// `ListFull`, `InsufficientBalance`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add())]
		pub fn add(origin: OriginFor<T>, whom: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add(who, whom)
		}

		/// Takes `whom` off the caller's list and releases its deposit.
		///
		/// Origin: signed. Emits `Unblocked`. Errors: `NotBlocked`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove())]
		pub fn remove(origin: OriginFor<T>, whom: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let deposit = Entries::<T>::take(&who, &whom).ok_or(Error::<T>::NotBlocked)?;
			EntryCount::<T>::mutate_exists(&who, |count| {
				*count = count.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			Self::release(HoldReason::Entry, &who, deposit)?;
			Self::deposit_event(Event::Unblocked { who, whom });
			Ok(())
		}

		/// Also applies `list`'s list (its own entries, not its subscriptions) to the caller.
		///
		/// Origin: signed. Emits `Subscribed`. Errors: `CannotSubscribeToSelf`,
		/// `AlreadySubscribed`, `TooManySubscriptions`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::subscribe())]
		pub fn subscribe(origin: OriginFor<T>, list: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(who != list, Error::<T>::CannotSubscribeToSelf);
			Subscriptions::<T>::try_mutate(&who, |lists| {
				ensure!(!lists.contains(&list), Error::<T>::AlreadySubscribed);
				lists.try_push(list.clone()).map_err(|_| Error::<T>::TooManySubscriptions)
			})?;
			Self::deposit_event(Event::Subscribed { who, list });
			Ok(())
		}

		/// Stops applying `list`'s list.
		///
		/// Origin: signed. Emits `Unsubscribed`. Errors: `NotSubscribed`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unsubscribe())]
		pub fn unsubscribe(origin: OriginFor<T>, list: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Subscriptions::<T>::try_mutate_exists(&who, |lists| {
				let current = lists.as_mut().ok_or(Error::<T>::NotSubscribed)?;
				let position =
					current.iter().position(|l| *l == list).ok_or(Error::<T>::NotSubscribed)?;
				current.remove(position);
				if current.is_empty() {
					*lists = None;
				}
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::Unsubscribed { who, list });
			Ok(())
		}

		/// Publishes the caller's list under `name` with `description`, holding `ListDeposit`
		/// (once: publishing again changes the name and description).
		///
		/// Origin: signed, the curator. Emits `ListPublished`. Errors: `EmptyName`,
		/// `InsufficientBalance`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::publish_list())]
		pub fn publish_list(
			origin: OriginFor<T>,
			name: ListName,
			description: ListDescription,
		) -> DispatchResult {
			let curator = ensure_signed(origin)?;
			ensure!(!name.is_empty(), Error::<T>::EmptyName);
			let deposit = match CuratedLists::<T>::get(&curator) {
				Some(published) => published.deposit,
				None => {
					let deposit = T::ListDeposit::get();
					Self::hold(HoldReason::CuratedList, &curator, deposit)?;
					deposit
				},
			};
			CuratedLists::<T>::insert(
				&curator,
				CuratedList { name: name.clone(), description, deposit },
			);
			Self::deposit_event(Event::ListPublished { curator, name });
			Ok(())
		}

		/// Withdraws the caller's published list and releases its deposit. The entries stay, and
		/// so do the subscriptions to them.
		///
		/// Origin: signed, the curator. Emits `ListUnpublished`. Errors: `NotPublished`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unpublish_list())]
		pub fn unpublish_list(origin: OriginFor<T>) -> DispatchResult {
			let curator = ensure_signed(origin)?;
			let published = CuratedLists::<T>::take(&curator).ok_or(Error::<T>::NotPublished)?;
			Self::release(HoldReason::CuratedList, &curator, published.deposit)?;
			Self::deposit_event(Event::ListUnpublished { curator });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Puts `whom` on `who`'s list; see [`Pallet::add`].
		pub fn do_add(who: T::AccountId, whom: T::AccountId) -> DispatchResult {
			ensure!(who != whom, Error::<T>::CannotBlockSelf);
			ensure!(!Entries::<T>::contains_key(&who, &whom), Error::<T>::AlreadyBlocked);
			let count = EntryCount::<T>::get(&who);
			ensure!(count < T::MaxEntries::get(), Error::<T>::ListFull);
			let deposit = T::EntryDeposit::get();
			Self::hold(HoldReason::Entry, &who, deposit)?;
			Entries::<T>::insert(&who, &whom, deposit);
			EntryCount::<T>::insert(&who, count + 1);
			Self::deposit_event(Event::Blocked { who, whom });
			Ok(())
		}

		/// The accounts on `owner`'s own list.
		pub fn list_of(owner: &T::AccountId) -> Vec<T::AccountId> {
			Entries::<T>::iter_key_prefix(owner).collect()
		}

		/// The published curated lists, by curator.
		pub fn curated_lists() -> Vec<(T::AccountId, CuratedList<BalanceOf<T>>)> {
			CuratedLists::<T>::iter().collect()
		}

		/// Whether `who`'s own list, or a list `who` subscribes to, holds `whom`.
		pub fn is_blocked(who: &T::AccountId, whom: &T::AccountId) -> bool {
			Entries::<T>::contains_key(who, whom)
				|| Subscriptions::<T>::get(who)
					.iter()
					.any(|list| Entries::<T>::contains_key(list, whom))
		}

		fn hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::hold(&reason.into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance.into())
		}

		fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::release(&reason.into(), who, amount, Precision::Exact).map(|_| ())
		}

		/// The invariants: every list's count equals its entries, and every account holds for
		/// this pallet exactly its entries' and its published list's deposits.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::Saturating;
			let mut counts: BTreeMap<T::AccountId, (u32, BalanceOf<T>)> = BTreeMap::new();
			for (who, _, deposit) in Entries::<T>::iter() {
				let entry = counts.entry(who).or_insert((0, Zero::zero()));
				entry.0 += 1;
				entry.1 = entry.1.saturating_add(deposit);
			}
			for (who, count) in EntryCount::<T>::iter() {
				ensure!(
					counts.get(&who).map(|(n, _)| *n) == Some(count),
					"an entry count differs from the list's entries"
				);
			}
			for (who, (count, deposits)) in &counts {
				ensure!(EntryCount::<T>::get(who) == *count, "a list's entries are not counted");
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Entry.into(), who) == *deposits,
					"an entry hold differs from the entries' deposits"
				);
			}
			for (curator, published) in CuratedLists::<T>::iter() {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::CuratedList.into(), &curator)
						== published.deposit,
					"a curated list's hold differs from its deposit"
				);
			}
			for (who, lists) in Subscriptions::<T>::iter() {
				ensure!(!lists.is_empty(), "an empty subscription list is stored");
				ensure!(!lists.contains(&who), "an account subscribes to itself");
			}
			Ok(())
		}
	}

	impl<T: Config> sonm_primitives::traits::IsBlocked<T::AccountId> for Pallet<T> {
		fn is_blocked(who: &T::AccountId, whom: &T::AccountId) -> bool {
			Pallet::<T>::is_blocked(who, whom)
		}

		/// The market's close-with-blacklist: an account already on the list stays there.
		fn block(who: &T::AccountId, whom: &T::AccountId) -> DispatchResult {
			if Entries::<T>::contains_key(who, whom) {
				return Ok(());
			}
			Self::do_add(who.clone(), whom.clone())
		}

		fn subscriptions_of(who: &T::AccountId) -> u32 {
			Subscriptions::<T>::decode_len(who).unwrap_or(0) as u32
		}

		fn max_subscriptions() -> u32 {
			T::MaxSubscriptions::get()
		}
	}
}
