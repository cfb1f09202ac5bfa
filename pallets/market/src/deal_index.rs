//! The open deals by account, so that `market_dealsOf` pages from a cursor at the same cost at
//! any depth instead of scanning every open deal:
//!
//! - [`DealsOf`]: each open deal under its supplier and under its customer, ids big-endian so
//!   that an account's deals iterate in id order;
//! - [`WorkersOf`]: each master's confirmed workers, whose deals pay it (a deal's payee is the
//!   supplier's master of the moment, not of the opening, so a master's deals are read through
//!   its workers rather than stored under it).

use crate::{book::IdKey, pallet::*, types::*};
use alloc::vec::Vec;

impl<T: Config> Pallet<T> {
	/// Every open deal with its id, in id order.
	pub fn open_deals() -> impl Iterator<Item = (DealId, DealOf<T>)> {
		Deals::<T>::iter().map(|(key, deal)| (DealId::from_be_bytes(key), deal))
	}

	/// Files open deal `id` under its supplier and customer (two writes).
	pub(crate) fn index_deal(id: DealId, deal: &DealOf<T>) {
		DealsOf::<T>::insert(&deal.supplier, id.to_be_bytes(), ());
		DealsOf::<T>::insert(&deal.consumer, id.to_be_bytes(), ());
	}

	/// Takes deal `id` out of its supplier's and customer's lists (two writes).
	pub(crate) fn unindex_deal(id: DealId, deal: &DealOf<T>) {
		DealsOf::<T>::remove(&deal.supplier, id.to_be_bytes());
		DealsOf::<T>::remove(&deal.consumer, id.to_be_bytes());
	}

	/// The ids of `who`'s deals from `from` on, in id order.
	fn deal_ids_from(who: &T::AccountId, from: DealId) -> impl Iterator<Item = DealId> {
		let walk = match from.checked_sub(1) {
			// The walk starts after the raw key given: the id before `from`.
			Some(before) => DealsOf::<T>::iter_key_prefix_from(
				who,
				DealsOf::<T>::hashed_key_for(who, IdKey::from(before.to_be_bytes())),
			),
			None => DealsOf::<T>::iter_key_prefix(who),
		};
		walk.map(DealId::from_be_bytes)
	}

	/// The open deals `who` takes part in (as supplier, customer or current payee) with ids
	/// from `from` on, in id order, at most `limit`, with their payees as of now: its own
	/// deals and its confirmed workers' deals as suppliers, merged.
	pub fn deals_of(who: &T::AccountId, from: DealId, limit: u32) -> Vec<(DealId, DealOf<T>)> {
		let own = (who.clone(), true);
		let workers = WorkersOf::<T>::iter_key_prefix(who).map(|worker| (worker, false));
		let walks: Vec<_> = core::iter::once(own)
			.chain(workers)
			.map(|(account, own)| {
				Self::deal_ids_from(&account, from).filter_map(move |id| {
					let deal = Deals::<T>::get(id.to_be_bytes())?;
					// A worker's deals count for its master only as the worker's supplies.
					(own || deal.supplier == account).then_some((id, deal))
				})
			})
			.collect();
		let mut last = None;
		crate::book::merged(walks, |(id, _)| *id)
			// A deal between a master and its own worker comes from both walks: once.
			.filter(|(id, _)| last.replace(*id) != Some(*id))
			.map(|(id, deal)| (id, Self::with_current_payee(deal)))
			.filter(|(_, deal)| [&deal.supplier, &deal.consumer, &deal.payee].contains(&who))
			.take(limit as usize)
			.collect()
	}

	/// Whether the deal lists hold every open deal under its supplier and customer and nothing
	/// else, and the workers' lists every confirmed link and nothing else.
	#[cfg(any(feature = "try-runtime", feature = "test-runtime", test))]
	pub(crate) fn check_deal_index() -> Result<(), &'static str> {
		use frame_support::ensure;
		let mut open = 0u64;
		for (id, deal) in Self::open_deals() {
			open += 1;
			for party in [&deal.supplier, &deal.consumer] {
				ensure!(
					DealsOf::<T>::contains_key(party, id.to_be_bytes()),
					"an open deal is missing from a party's list"
				);
			}
		}
		ensure!(
			DealsOf::<T>::iter_keys().count() as u64 == 2 * open,
			"a party's list holds a deal that is not open"
		);
		for (master, worker) in WorkersOf::<T>::iter_keys() {
			ensure!(
				Self::confirmed_master(&worker).as_ref() == Some(&master),
				"a master's workers hold an account that is not its confirmed worker"
			);
		}
		let confirmed = Masters::<T>::iter_values().filter(|link| link.confirmed).count();
		ensure!(
			WorkersOf::<T>::iter_keys().count() == confirmed,
			"a confirmed worker is missing from its master's workers"
		);
		Ok(())
	}
}
