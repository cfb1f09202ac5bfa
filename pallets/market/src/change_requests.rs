//! Changing a deal's price or duration by mutual consent.

use crate::{
	billing::{RateUse, Settlement},
	pallet::*,
	types::*,
};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::traits::{CheckedSub, Zero};

impl<T: Config> Pallet<T> {
	/// Which side `who` is on in `deal`: `Bid` for the customer, `Ask` for the supplier or its
	/// master.
	pub(crate) fn side_of(who: &T::AccountId, deal: &DealOf<T>) -> Result<Side, DispatchError> {
		if *who == deal.consumer {
			Ok(Side::Bid)
		} else if *who == deal.supplier || *who == deal.payee {
			Ok(Side::Ask)
		} else {
			Err(Error::<T>::NotDealParty.into())
		}
	}

	/// The side opposite `side`.
	fn other(side: Side) -> Side {
		match side {
			Side::Bid => Side::Ask,
			Side::Ask => Side::Bid,
		}
	}

	/// Whether `duration` is a valid new total duration for `deal` at `now`: a spot deal stays
	/// spot, a forward deal stays forward, is not longer than allowed and does not end before
	/// now.
	fn check_duration(deal: &DealOf<T>, duration: Seconds, now: Seconds) -> DispatchResult {
		let valid = if deal.is_spot() {
			duration == 0
		} else {
			duration > 0
				&& duration <= T::MaxDuration::get()
				&& deal.start.saturating_add(duration) >= now
		};
		ensure!(valid, Error::<T>::BadChangeDuration);
		Ok(())
	}

	/// `who` proposes new terms for deal `id`; see [`Pallet::request_change`].
	pub(crate) fn do_request_change(
		who: T::AccountId,
		id: DealId,
		per_second: BalanceOf<T>,
		duration: Seconds,
	) -> DispatchResult {
		let deal = Self::deal(id)?;
		let side = Self::side_of(&who, &deal)?;
		ensure!(!per_second.is_zero(), Error::<T>::ZeroPrice);
		Self::check_duration(&deal, duration, Self::now())?;
		ensure!(!ChangeRequests::<T>::contains_key(id, side), Error::<T>::ChangeRequestPending);
		Self::deposit_event(Event::ChangeRequested { id, side, per_second, duration });

		// A change that only favours the other side needs no consent.
		let favours_other_side = duration == deal.duration
			&& match side {
				Side::Bid => per_second >= deal.price.per_second,
				Side::Ask => per_second <= deal.price.per_second,
			};
		if favours_other_side {
			return Self::apply_change(id, deal, per_second, duration);
		}
		// A request compatible with the other side's pending one: same duration, and the
		// customer offers at least what the supplier asks. The supplier's price is taken, as an
		// ask's is when a deal opens.
		if let Some(theirs) = ChangeRequests::<T>::get(id, Self::other(side)) {
			let (customer_price, supplier_price) = match side {
				Side::Bid => (per_second, theirs.per_second),
				Side::Ask => (theirs.per_second, per_second),
			};
			if theirs.duration == duration && customer_price >= supplier_price {
				return Self::apply_change(id, deal, supplier_price, duration);
			}
		}
		ChangeRequests::<T>::insert(
			id,
			side,
			ChangeRequest { per_second, duration, created_at: Self::now() },
		);
		Ok(())
	}

	/// `who` accepts the other side's pending request on deal `id`.
	pub(crate) fn do_accept_change(who: T::AccountId, id: DealId) -> DispatchResult {
		let deal = Self::deal(id)?;
		let side = Self::side_of(&who, &deal)?;
		let request = ChangeRequests::<T>::get(id, Self::other(side))
			.ok_or(Error::<T>::ChangeRequestNotFound)?;
		Self::apply_change(id, deal, request.per_second, request.duration)
	}

	/// `who` withdraws its own request (`side` its side) or rejects the other side's.
	pub(crate) fn do_drop_change(who: T::AccountId, id: DealId, side: Side) -> DispatchResult {
		let deal = Self::deal(id)?;
		let own_side = Self::side_of(&who, &deal)?;
		ChangeRequests::<T>::take(id, side).ok_or(Error::<T>::ChangeRequestNotFound)?;
		Self::deposit_event(Event::ChangeRequestDropped { id, side, rejected: own_side != side });
		Ok(())
	}

	/// Bills `deal` at its old terms up to now, then switches it to the new terms, holding more
	/// of the customer's funds or releasing what the new terms no longer need.
	fn apply_change(
		id: DealId,
		mut deal: DealOf<T>,
		per_second: BalanceOf<T>,
		duration: Seconds,
	) -> DispatchResult {
		let now = Self::now();
		Self::check_duration(&deal, duration, now)?;
		if Self::settle(id, &mut deal, now, RateUse::Fresh)? == Settlement::Short {
			return Err(Error::<T>::CannotCoverChange.into());
		}
		deal.price.per_second = per_second;
		deal.duration = duration;
		let needed = Self::next_period_escrow(&deal)?;
		if let Some(more) = needed.checked_sub(&deal.escrow) {
			Self::hold(HoldReason::DealEscrow, &deal.consumer, more)
				.map_err(|_| Error::<T>::CannotCoverChange)?;
		} else if let Some(less) = deal.escrow.checked_sub(&needed) {
			Self::release(HoldReason::DealEscrow, &deal.consumer, less)?;
		}
		deal.escrow = needed;
		Deals::<T>::insert(id.to_be_bytes(), deal);
		let _ = ChangeRequests::<T>::clear_prefix(id, 2, None);
		Self::deposit_event(Event::DealChanged { id, per_second, duration });
		Ok(())
	}
}
