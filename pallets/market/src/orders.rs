//! Placing, cancelling and expiring orders.

use crate::{billing::RateUse, pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*};
use sonm_primitives::market::{check_order_terms, TermsFault};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Places an order for `author`; see [`Pallet::place_order`].
	pub(crate) fn do_place_order(
		author: T::AccountId,
		terms: OrderTermsOf<T>,
	) -> Result<OrderId, DispatchError> {
		let now = Self::admit_new_order(&terms)?;
		let escrow = match terms.side {
			Side::Bid => Self::opening_escrow(&terms.price, terms.duration)?,
			Side::Ask => Zero::zero(),
		};
		let deposit = T::OrderDeposit::get();

		let id = Self::take_order_id()?;
		OrdersOf::<T>::try_mutate(&author, |ids| ids.try_push(id))
			.map_err(|_| Error::<T>::TooManyOrders)?;
		Self::hold(HoldReason::OrderDeposit, &author, deposit)?;
		Self::hold(HoldReason::BidEscrow, &author, escrow)?;

		let side = terms.side;
		Self::enter_book(id, &terms);
		Orders::<T>::insert(
			id.to_be_bytes(),
			Order { author: author.clone(), terms, placed_at: now, deposit, escrow },
		);
		Self::deposit_event(Event::OrderPlaced { id, author, side });
		Ok(id)
	}

	/// Admits a new order, placed or signed, to an open market: [`Self::check_new_order`] at
	/// the chain's time, which it returns.
	pub(crate) fn admit_new_order(terms: &OrderTermsOf<T>) -> Result<Seconds, DispatchError> {
		ensure!(!Paused::<T>::get(), Error::<T>::MarketPaused);
		let now = Self::now();
		Self::check_new_order(terms, now)?;
		Ok(now)
	}

	/// The checks every new order passes, placed or signed: its terms, and for a USD order of
	/// either side a price now (it could not be opened otherwise).
	pub(crate) fn check_new_order(terms: &OrderTermsOf<T>, now: Seconds) -> DispatchResult {
		check_order_terms(
			terms.benchmarks.len(),
			terms.netflags,
			terms.price.per_second.is_zero(),
			terms.duration,
			T::MaxDuration::get(),
			terms.expires_at,
			now,
		)
		.map_err(|fault| match fault {
			TermsFault::BadBenchmarks => Error::<T>::BadBenchmarks,
			TermsFault::BadNetflags => Error::<T>::BadNetflags,
			TermsFault::ZeroPrice => Error::<T>::ZeroPrice,
			TermsFault::DurationTooLong => Error::<T>::DurationTooLong,
			TermsFault::ExpiryInPast => Error::<T>::ExpiryInPast,
		})?;
		Self::rate(terms.price.unit, RateUse::Fresh)?;
		Ok(())
	}

	/// The next order id, the counter moved past it.
	pub(crate) fn take_order_id() -> Result<OrderId, DispatchError> {
		let id = NextOrderId::<T>::get();
		NextOrderId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Ok(id)
	}

	/// Ends order `id` without a deal: cancelled by `by` (its author), or, with `by` `None`,
	/// removed after its expiry.
	pub(crate) fn do_cancel_order(by: Option<T::AccountId>, id: OrderId) -> DispatchResult {
		let order = Orders::<T>::get(id.to_be_bytes()).ok_or(Error::<T>::OrderNotFound)?;
		match &by {
			Some(who) => ensure!(*who == order.author, Error::<T>::NotOrderAuthor),
			None => ensure!(Self::is_expired(&order, Self::now()), Error::<T>::OrderNotExpired),
		}
		Self::remove_order(id, &order)?;
		Self::deposit_event(Event::OrderCancelled {
			id,
			author: order.author,
			expired: by.is_none(),
		});
		Ok(())
	}

	/// Removes `order` from the book and releases its deposit and escrow to its author.
	pub(crate) fn remove_order(id: OrderId, order: &OrderOf<T>) -> DispatchResult {
		Orders::<T>::remove(id.to_be_bytes());
		Self::leave_book(id, &order.terms);
		OrdersOf::<T>::mutate_exists(&order.author, |ids| {
			if let Some(list) = ids {
				list.retain(|other| *other != id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
		Self::release(HoldReason::OrderDeposit, &order.author, order.deposit)?;
		Self::release(HoldReason::BidEscrow, &order.author, order.escrow)
	}

	/// Whether `order` has expired at `now`.
	pub(crate) fn is_expired(order: &OrderOf<T>, now: Seconds) -> bool {
		crate::deals::match_view::<T>(order).is_expired(now)
	}
}
