//! Migrations of the market's storage, one module per layout change, each a
//! `VersionedMigration` that runs once (from layout N to N + 1) with try-runtime checks that
//! compare counts and sums before and after.
//!
//! Layout 2 is today's: `v1` built the market's read indexes, `v2` keyed orders and deals by
//! their ids in order. `v3` (a deal stores its end) is the next layout, built only with the
//! `upgrade-rehearsal` feature: the runtime that rehearses an upgrade and its migration on a
//! live network (docs/GOVERNANCE.md).

pub mod layout1 {
	//! `Orders` and `Deals` as layouts 0 and 1 key them: `Blake2_128Concat` of the id's SCALE
	//! encoding (little-endian). The aliases' names are the storage items' own.

	use crate::{
		pallet::{Config, DealOf, OrderOf, Pallet},
		types::{DealId, OrderId},
	};
	use frame_support::Blake2_128Concat;

	/// `Orders` keyed as in layouts 0 and 1.
	#[frame_support::storage_alias]
	pub type Orders<T: Config> = StorageMap<Pallet<T>, Blake2_128Concat, OrderId, OrderOf<T>>;

	/// `Deals` keyed as in layouts 0 and 1 (values as today's runtime stores them).
	#[frame_support::storage_alias]
	pub type Deals<T: Config> = StorageMap<Pallet<T>, Blake2_128Concat, DealId, DealOf<T>>;
}

pub mod v1 {
	//! Layout 0 → 1: the market's read indexes, which layout 0 did not have, built from what
	//! is stored: every open order enters the book (`crate::book`: `Book` by shelf and price,
	//! `OpenOrders` by side and id), every open deal its supplier's and customer's lists, and
	//! every confirmed worker its master's (`crate::deal_index`: `DealsOf`, `WorkersOf`).

	use super::layout1::{Deals, Orders};
	use crate::pallet::{Config, Masters, Pallet, WorkersOf};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	#[cfg(feature = "try-runtime")]
	use {
		alloc::vec::Vec,
		codec::{Decode, Encode},
		sp_runtime::TryRuntimeError,
	};

	/// The indexes built, unchecked: use [`IndexesBuilt`].
	pub struct InnerIndexesBuilt<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerIndexesBuilt<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut orders, mut deals, mut links) = (0u64, 0u64, 0u64);
			for (id, order) in Orders::<T>::iter() {
				Pallet::<T>::enter_book(id, &order.terms);
				orders += 1;
			}
			for (id, deal) in Deals::<T>::iter() {
				Pallet::<T>::index_deal(id, &deal);
				deals += 1;
			}
			for (worker, link) in Masters::<T>::iter() {
				links += 1;
				if link.confirmed {
					WorkersOf::<T>::insert(&link.master, &worker, ());
				}
			}
			log::info!(
				target: "runtime::market",
				"migration v1: {orders} orders entered the book, {deals} deals their parties' lists"
			);
			T::DbWeight::get().reads_writes(orders + deals + links, 2 * (orders + deals) + links)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			if crate::Book::<T>::iter_keys().next().is_some()
				|| crate::DealsOf::<T>::iter_keys().next().is_some()
			{
				return Err(TryRuntimeError::Other(
					"migration v1: the indexes are not empty before",
				));
			}
			let counts =
				(Orders::<T>::iter_keys().count() as u64, Deals::<T>::iter_keys().count() as u64);
			Ok(counts.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = <(u64, u64)>::decode(&mut &before[..])
				.map_err(|_| TryRuntimeError::Other("migration v1: the counts before"))?;
			let after =
				(Orders::<T>::iter_keys().count() as u64, Deals::<T>::iter_keys().count() as u64);
			if after != before {
				return Err(TryRuntimeError::Other("migration v1: the orders or deals changed"));
			}
			Pallet::<T>::check_book().map_err(TryRuntimeError::Other)?;
			Pallet::<T>::check_deal_index().map_err(TryRuntimeError::Other)
		}
	}

	/// Layout 0 → 1, once, with the storage version set to 1.
	pub type IndexesBuilt<T> = VersionedMigration<
		0,
		1,
		InnerIndexesBuilt<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

pub mod v2 {
	//! Layout 1 → 2: orders and deals keyed by their ids big-endian under `Identity`
	//! (`book::IdKey`) instead of `Blake2_128Concat` of their little-endian encoding, so that the
	//! orders and deals a block adds sit side by side in one branch of the state's trie. Each
	//! value moves as its bytes, whatever its layout.

	use crate::pallet::{Config, Deals, Orders, Pallet};
	use alloc::vec::Vec;
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		storage::{unhashed, PrefixIterator, StoragePrefixedMap},
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Blake2_128Concat, StorageHasher,
	};
	#[cfg(feature = "try-runtime")]
	use {
		codec::{Decode, Encode},
		sp_runtime::TryRuntimeError,
	};

	/// The id a layout 1 key names, from the key's part after the map's prefix: the id's
	/// `blake2_128` then the id, little-endian. `None` for any other key.
	pub fn layout1_id(suffix: &[u8]) -> Option<u64> {
		let id: [u8; 8] = suffix.get(16..)?.try_into().ok()?;
		(Blake2_128Concat::hash(&id) == suffix).then(|| u64::from_le_bytes(id))
	}

	/// Moves every layout 1 entry of the map under `prefix` to its id's big-endian key; returns
	/// how many moved. Keys of another form stay where they are.
	fn rekey(prefix: [u8; 32]) -> u64 {
		// Each entry as its old key's suffix, its id and its value's bytes.
		let entries: Vec<(Vec<u8>, u64, Vec<u8>)> =
			PrefixIterator::<_>::new(prefix.to_vec(), prefix.to_vec(), |suffix, value| {
				let id = layout1_id(suffix).ok_or("not a layout 1 key")?;
				Ok((suffix.to_vec(), id, value.to_vec()))
			})
			.collect();
		for (old_suffix, id, value) in &entries {
			unhashed::kill(&[&prefix[..], old_suffix].concat());
			unhashed::put_raw(&[&prefix[..], &id.to_be_bytes()].concat(), value);
		}
		entries.len() as u64
	}

	/// The keys under `prefix` and how many of them are layout 1's.
	#[cfg(feature = "try-runtime")]
	fn count_keys(prefix: [u8; 32]) -> (u64, u64) {
		let (mut all, mut layout1) = (0u64, 0u64);
		for suffix in PrefixIterator::<_>::new(prefix.to_vec(), prefix.to_vec(), |suffix, _| {
			Ok(suffix.to_vec())
		}) {
			all += 1;
			layout1 += layout1_id(&suffix).is_some() as u64;
		}
		(all, layout1)
	}

	/// Orders and deals moved to their new keys, unchecked: use [`KeyedInIdOrder`].
	pub struct InnerKeyedInIdOrder<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerKeyedInIdOrder<T> {
		fn on_runtime_upgrade() -> Weight {
			let orders = rekey(Orders::<T>::final_prefix());
			let deals = rekey(Deals::<T>::final_prefix());
			log::info!(
				target: "runtime::market",
				"migration v2: {orders} orders and {deals} deals keyed by id in order"
			);
			let moved = orders + deals;
			T::DbWeight::get().reads_writes(moved, 2 * moved)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let (orders, old_orders) = count_keys(Orders::<T>::final_prefix());
			let (deals, old_deals) = count_keys(Deals::<T>::final_prefix());
			if (orders, deals) != (old_orders, old_deals) {
				return Err(TryRuntimeError::Other("migration v2: a key is not layout 1's"));
			}
			Ok((orders, deals).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = <(u64, u64)>::decode(&mut &before[..])
				.map_err(|_| TryRuntimeError::Other("migration v2: the counts before"))?;
			let after =
				(Orders::<T>::iter_keys().count() as u64, Deals::<T>::iter_keys().count() as u64);
			let left = count_keys(Orders::<T>::final_prefix()).1
				+ count_keys(Deals::<T>::final_prefix()).1;
			if after != before || left != 0 {
				return Err(TryRuntimeError::Other("migration v2: the orders or deals changed"));
			}
			Pallet::<T>::check_book().map_err(TryRuntimeError::Other)?;
			Pallet::<T>::check_deal_index().map_err(TryRuntimeError::Other)
		}
	}

	/// Layout 1 → 2, once, with the storage version set to 2.
	pub type KeyedInIdOrder<T> = VersionedMigration<
		1,
		2,
		InnerKeyedInIdOrder<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

#[cfg(feature = "upgrade-rehearsal")]
pub mod v3 {
	//! Layout 2 → 3: every deal gains `ends` (`start + duration` for a forward deal, `None`
	//! for a spot deal).

	use crate::{
		pallet::{Config, Pallet},
		types::{Deal, Price, Seconds},
		BalanceOf,
	};
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Identity,
	};
	#[cfg(feature = "try-runtime")]
	use {alloc::vec::Vec, sp_runtime::TryRuntimeError};

	/// A deal as layouts 1 and 2 store it.
	#[derive(Decode, Encode)]
	pub struct DealV1<AccountId, Balance> {
		pub ask: crate::types::OrderId,
		pub bid: crate::types::OrderId,
		pub supplier: AccountId,
		pub consumer: AccountId,
		pub payee: AccountId,
		pub price: Price<Balance>,
		pub duration: Seconds,
		pub start: Seconds,
		pub billed_until: Seconds,
		pub escrow: Balance,
		pub paid: Balance,
		pub deposit: Balance,
	}

	impl<AccountId, Balance> DealV1<AccountId, Balance> {
		/// The deal in layout 3.
		pub fn into_v3(self) -> Deal<AccountId, Balance> {
			let ends = (self.duration > 0).then(|| self.start.saturating_add(self.duration));
			Deal {
				ask: self.ask,
				bid: self.bid,
				supplier: self.supplier,
				consumer: self.consumer,
				payee: self.payee,
				price: self.price,
				duration: self.duration,
				start: self.start,
				billed_until: self.billed_until,
				escrow: self.escrow,
				paid: self.paid,
				deposit: self.deposit,
				ends,
			}
		}
	}

	/// Storage as layout 2 keeps it.
	pub mod layout2 {
		use super::*;

		/// `Deals` read with layout 2's values (the alias's name is the storage item's).
		#[frame_support::storage_alias]
		pub type Deals<T: Config> = StorageMap<
			Pallet<T>,
			Identity,
			crate::book::IdKey,
			DealV1<<T as frame_system::Config>::AccountId, BalanceOf<T>>,
		>;
	}

	/// What the checks compare before and after: how many deals, and the sums of what they
	/// hold and paid.
	#[cfg(feature = "try-runtime")]
	#[derive(Debug, Decode, Default, Encode, PartialEq)]
	pub struct DealTotals<Balance> {
		pub count: u64,
		pub escrow: Balance,
		pub deposit: Balance,
		pub paid: Balance,
	}

	#[cfg(feature = "try-runtime")]
	impl<Balance: sp_runtime::traits::Saturating + Copy> DealTotals<Balance> {
		fn add(&mut self, escrow: Balance, deposit: Balance, paid: Balance) {
			self.count += 1;
			self.escrow = self.escrow.saturating_add(escrow);
			self.deposit = self.deposit.saturating_add(deposit);
			self.paid = self.paid.saturating_add(paid);
		}
	}

	/// Every deal rewritten in layout 3, unchecked: use [`DealsGainTheirEnd`].
	pub struct InnerDealsGainTheirEnd<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerDealsGainTheirEnd<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut deals = 0u64;
			crate::Deals::<T>::translate::<DealV1<T::AccountId, BalanceOf<T>>, _>(|_, old| {
				deals += 1;
				Some(old.into_v3())
			});
			T::DbWeight::get().reads_writes(deals, deals)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let mut totals = DealTotals::<BalanceOf<T>>::default();
			for deal in layout2::Deals::<T>::iter_values() {
				totals.add(deal.escrow, deal.deposit, deal.paid);
			}
			// Every stored deal read as layout 2: none skipped, none missed.
			if crate::Deals::<T>::iter_keys().count() as u64 != totals.count {
				return Err(TryRuntimeError::Other(
					"migration v3: the stored deals are not all layout 2's",
				));
			}
			log::info!(target: "runtime::market", "migration v3: {} deals before", totals.count);
			Ok(totals.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = DealTotals::<BalanceOf<T>>::decode(&mut &before[..])
				.map_err(|_| TryRuntimeError::Other("migration v3: the totals before"))?;
			check_every_deal::<T>(&before)
		}
	}

	/// Every deal readable in layout 3 with its `ends` right; their totals.
	#[cfg(feature = "try-runtime")]
	pub fn every_deal_has_its_end<T: Config>() -> Result<DealTotals<BalanceOf<T>>, TryRuntimeError>
	{
		let mut totals = DealTotals::<BalanceOf<T>>::default();
		let stored = crate::Deals::<T>::iter_keys().count() as u64;
		for deal in crate::Deals::<T>::iter_values() {
			if deal.ends != deal.end() {
				return Err(TryRuntimeError::Other("migration v3: a deal's `ends` is wrong"));
			}
			totals.add(deal.escrow, deal.deposit, deal.paid);
		}
		if stored != totals.count {
			return Err(TryRuntimeError::Other("migration v3: a deal no longer decodes"));
		}
		Ok(totals)
	}

	/// [`every_deal_has_its_end`], with the counts and sums those of `before`.
	#[cfg(feature = "try-runtime")]
	pub fn check_every_deal<T: Config>(
		before: &DealTotals<BalanceOf<T>>,
	) -> Result<(), TryRuntimeError> {
		let after = every_deal_has_its_end::<T>()?;
		if after.count != before.count {
			log::error!(
				target: "runtime::market",
				"migration v3: {} deals before, {} after",
				before.count,
				after.count
			);
			return Err(TryRuntimeError::Other("migration v3: the number of deals changed"));
		}
		if after != *before {
			return Err(TryRuntimeError::Other("migration v3: the deals' sums changed"));
		}
		log::info!(target: "runtime::market", "migration v3: {} deals checked", after.count);
		Ok(())
	}

	/// Layout 2 → 3, once, with the storage version set to 3.
	pub type DealsGainTheirEnd<T> = VersionedMigration<
		2,
		3,
		InnerDealsGainTheirEnd<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	/// A deliberately broken layout 2 → 3 (it drops the last deal it reads), with the real
	/// checks: kept so that the suite shows the checks refuse it (`state_check
	/// --broken-migration`).
	#[cfg(feature = "try-runtime")]
	pub struct BrokenDealsGainTheirEnd<T>(PhantomData<T>);

	#[cfg(feature = "try-runtime")]
	impl<T: Config> UncheckedOnRuntimeUpgrade for BrokenDealsGainTheirEnd<T> {
		fn on_runtime_upgrade() -> Weight {
			let weight = InnerDealsGainTheirEnd::<T>::on_runtime_upgrade();
			if let Some(id) = crate::Deals::<T>::iter_keys().last() {
				crate::Deals::<T>::remove(id);
			}
			weight
		}

		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			InnerDealsGainTheirEnd::<T>::pre_upgrade()
		}

		fn post_upgrade(before: Vec<u8>) -> Result<(), TryRuntimeError> {
			InnerDealsGainTheirEnd::<T>::post_upgrade(before)
		}
	}
}
