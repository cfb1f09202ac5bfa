//! Money: what a price costs, holds, and the lazy billing of deals.

use crate::{pallet::*, types::*};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		UnixTime,
	},
};
use sonm_primitives::{traits::PriceOf, Currency};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedAdd, CheckedSub, Zero},
	Rounding,
};

/// USD prices are in USD x 10^18.
const USD_SCALE: u128 = 1_000_000_000_000_000_000;

/// Which SNM/USD rate a cost is reckoned at.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum RateUse {
	/// Only a fresh price: what new holds and bills need (`PriceUnavailable` without one).
	Fresh,
	/// The last price in force, even a stale one: closing a deal settles the elapsed time at
	/// it, so that an oracle outage neither keeps a deal open nor is charged afterwards.
	LastInForce,
}

/// How billing a deal ended.
#[derive(Debug, Eq, PartialEq)]
pub(crate) enum Settlement {
	/// Everything due was paid.
	Paid,
	/// The escrow ran out before everything due was paid.
	Short,
}

impl<T: Config> Pallet<T> {
	/// Now, in whole seconds since the unix epoch.
	pub(crate) fn now() -> Seconds {
		T::Time::now().as_secs()
	}

	/// SNM base units per one unit of `unit` (`None` for SNM; the oracle's rate for USD, fresh
	/// or the last in force as `rates` says).
	pub(crate) fn rate(unit: PriceUnit, rates: RateUse) -> Result<Option<u128>, DispatchError> {
		match unit {
			PriceUnit::Snm => Ok(None),
			PriceUnit::Usd => {
				let info = match rates {
					RateUse::Fresh => T::Prices::price(Currency::Usd),
					RateUse::LastInForce => T::Prices::last_price(Currency::Usd),
				}
				.ok_or(Error::<T>::PriceUnavailable)?;
				let rate: u128 = info.snm_per_unit.try_into().map_err(|_| Error::<T>::Overflow)?;
				Ok(Some(rate))
			},
		}
	}

	/// What `seconds` at `price` cost in SNM now: `per_second * seconds`, and for USD prices
	/// `* rate / 10^18` at the fresh rate, rounded down.
	pub(crate) fn cost(
		price: &Price<BalanceOf<T>>,
		seconds: Seconds,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::cost_at(price, seconds, RateUse::Fresh)
	}

	/// [`Self::cost`] at the rate `rates` says.
	pub(crate) fn cost_at(
		price: &Price<BalanceOf<T>>,
		seconds: Seconds,
		rates: RateUse,
	) -> Result<BalanceOf<T>, DispatchError> {
		let per_second: u128 = price.per_second.try_into().map_err(|_| Error::<T>::Overflow)?;
		let amount = per_second.checked_mul(seconds.into()).ok_or(Error::<T>::Overflow)?;
		let snm = match Self::rate(price.unit, rates)? {
			None => amount,
			Some(rate) => {
				multiply_by_rational_with_rounding(amount, rate, USD_SCALE, Rounding::Down)
					.ok_or(Error::<T>::Overflow)?
			},
		};
		snm.try_into().map_err(|_| Error::<T>::Overflow.into())
	}

	/// What to hold for `seconds` at `price`: the cost, plus `UsdMargin` for USD prices.
	pub(crate) fn escrow_for(
		price: &Price<BalanceOf<T>>,
		seconds: Seconds,
	) -> Result<BalanceOf<T>, DispatchError> {
		let cost = Self::cost(price, seconds)?;
		match price.unit {
			PriceUnit::Snm => Ok(cost),
			PriceUnit::Usd => cost
				.checked_add(&(T::UsdMargin::get() * cost))
				.ok_or(Error::<T>::Overflow.into()),
		}
	}

	/// What a deal of `duration` at `price` holds when it opens: the whole deal when forward,
	/// `SpotPrepay` seconds when spot.
	pub(crate) fn opening_escrow(
		price: &Price<BalanceOf<T>>,
		duration: Seconds,
	) -> Result<BalanceOf<T>, DispatchError> {
		let seconds = if duration == 0 { T::SpotPrepay::get() } else { duration };
		Self::escrow_for(price, seconds)
	}

	/// What `deal` must hold after being billed up to `deal.billed_until`: the rest of a
	/// forward deal, the next prepaid period of a spot deal.
	pub(crate) fn next_period_escrow(deal: &DealOf<T>) -> Result<BalanceOf<T>, DispatchError> {
		let seconds = match deal.end() {
			Some(end) => end.saturating_sub(deal.billed_until),
			None => T::SpotPrepay::get(),
		};
		Self::escrow_for(&deal.price, seconds)
	}

	/// Holds `amount` of `who`'s free balance for `reason`.
	pub(crate) fn hold(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Releases `amount` held from `who` for `reason`.
	pub(crate) fn release(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::release(&reason.into(), who, amount, Precision::Exact).map(|_| ())
	}

	/// Open deal `id` as stored, with its payee as of now: the supplier's confirmed master, or
	/// the supplier (a master whose link ended is paid no more).
	pub(crate) fn deal(id: DealId) -> Result<DealOf<T>, DispatchError> {
		let deal = Deals::<T>::get(id.to_be_bytes()).ok_or(Error::<T>::DealNotFound)?;
		Ok(Self::with_current_payee(deal))
	}

	/// `deal` with its payee as of now (see [`Self::deal`]).
	pub(crate) fn with_current_payee(mut deal: DealOf<T>) -> DealOf<T> {
		deal.payee =
			Self::confirmed_master(&deal.supplier).unwrap_or_else(|| deal.supplier.clone());
		deal
	}

	/// What billing `deal` up to `until` (its end at the latest) costs at the rate `rates`
	/// says, with the time it bills up to: nothing when that is not past `billed_until`. What
	/// [`Self::settle`] charges and [`Self::close_quote`] foresees.
	pub(crate) fn due_until(
		deal: &DealOf<T>,
		until: Seconds,
		rates: RateUse,
	) -> Result<(Seconds, BalanceOf<T>), DispatchError> {
		let until = deal.end().map_or(until, |end| until.min(end));
		if until <= deal.billed_until {
			return Ok((until, Zero::zero()));
		}
		Ok((until, Self::cost_at(&deal.price, until - deal.billed_until, rates)?))
	}

	/// Pays `deal` up to `until` (capped at its end), at the rate `rates` says: the market fee
	/// to the fee pot, the rest to the payee. When more is due than the escrow holds (a spot
	/// deal billed late, a USD rate that rose past the margin), the rest is held from the
	/// customer's free balance first; only when it cannot be is the escrow paid out as it is
	/// and the settlement `Short`.
	pub(crate) fn settle(
		id: DealId,
		deal: &mut DealOf<T>,
		until: Seconds,
		rates: RateUse,
	) -> Result<Settlement, DispatchError> {
		let (until, due) = Self::due_until(deal, until, rates)?;
		if until <= deal.billed_until {
			return Ok(Settlement::Paid);
		}
		if let Some(shortfall) = due.checked_sub(&deal.escrow).filter(|s| !s.is_zero()) {
			if Self::hold(HoldReason::DealEscrow, &deal.consumer, shortfall).is_ok() {
				deal.escrow = due;
			}
		}
		let (paying, settlement) = if due <= deal.escrow {
			(due, Settlement::Paid)
		} else {
			(deal.escrow, Settlement::Short)
		};
		let fee = T::MarketFee::get() * paying;
		let to_payee = paying.checked_sub(&fee).ok_or(Error::<T>::Overflow)?;
		Self::pay_from_escrow(&deal.consumer, &deal.payee, to_payee)?;
		Self::pay_from_escrow(&deal.consumer, &T::FeePot::get(), fee)?;
		deal.escrow = deal.escrow.checked_sub(&paying).ok_or(Error::<T>::Overflow)?;
		deal.paid = deal.paid.checked_add(&to_payee).ok_or(Error::<T>::Overflow)?;
		deal.billed_until = until;
		Self::deposit_event(Event::DealBilled {
			id,
			payee: deal.payee.clone(),
			amount: to_payee,
			fee,
		});
		Ok(settlement)
	}

	/// Moves `amount` of what `consumer` holds for deals to `to`'s free balance.
	fn pay_from_escrow(
		consumer: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::transfer_on_hold(
			&HoldReason::DealEscrow.into(),
			consumer,
			to,
			amount,
			Precision::Exact,
			Restriction::Free,
			// The escrow exists to be paid out: the consumer's own minimum does not apply.
			Fortitude::Force,
		)
		.map(|_| ())
	}

	/// Bills deal `id`; see [`Pallet::bill`].
	pub(crate) fn do_bill(id: DealId) -> DispatchResult {
		let mut deal = Self::deal(id)?;
		let now = Self::now();
		if Self::settle(id, &mut deal, now, RateUse::Fresh)? == Settlement::Short {
			return Self::close(id, deal, CloseReason::InsufficientFunds);
		}
		if deal.end().is_some_and(|end| now >= end) {
			return Self::close(id, deal, CloseReason::Expired);
		}
		let needed = Self::next_period_escrow(&deal)?;
		if let Some(top_up) = needed.checked_sub(&deal.escrow).filter(|t| !t.is_zero()) {
			if Self::hold(HoldReason::DealEscrow, &deal.consumer, top_up).is_err() {
				return Self::close(id, deal, CloseReason::InsufficientFunds);
			}
			deal.escrow = needed;
		}
		Deals::<T>::insert(id.to_be_bytes(), deal);
		Ok(())
	}

	/// Ends `deal`: releases its escrow and its deposit to the consumer and forgets it.
	pub(crate) fn close(id: DealId, deal: DealOf<T>, reason: CloseReason) -> DispatchResult {
		Self::release(HoldReason::DealEscrow, &deal.consumer, deal.escrow)?;
		Self::release(HoldReason::DealDeposit, &deal.consumer, deal.deposit)?;
		Deals::<T>::remove(id.to_be_bytes());
		Self::unindex_deal(id, &deal);
		let _ = ChangeRequests::<T>::clear_prefix(id, 2, None);
		Self::deposit_event(Event::DealClosed { id, reason, refund: deal.escrow });
		Ok(())
	}

	/// The invariants: every hold of the market equals what open orders and deals account
	/// for, and the per-account order index matches the book.
	#[cfg(any(feature = "try-runtime", feature = "test-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		Self::do_try_state_also_for(alloc::vec::Vec::new())
	}

	/// [`Self::do_try_state`], also checking that the accounts of `also_check` hold nothing for
	/// the market beyond what their orders and deals account for (an account with neither
	/// must hold nothing).
	#[cfg(any(feature = "try-runtime", feature = "test-runtime", test))]
	pub fn do_try_state_also_for(
		also_check: alloc::vec::Vec<T::AccountId>,
	) -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::{ensure, traits::fungible::InspectHold};
		use sp_runtime::traits::Saturating;
		type Sums<T> = BTreeMap<<T as frame_system::Config>::AccountId, [BalanceOf<T>; 5]>;
		let mut expected: Sums<T> = BTreeMap::new();
		let mut add = |who: &T::AccountId, slot: usize, amount: BalanceOf<T>| {
			let entry = expected.entry(who.clone()).or_insert([Zero::zero(); 5]);
			entry[slot] = entry[slot].saturating_add(amount);
		};
		for (id, order) in Self::open_orders() {
			ensure!(
				OrdersOf::<T>::get(&order.author).contains(&id),
				"an order is missing from its author's index"
			);
			add(&order.author, 0, order.deposit);
			add(&order.author, 1, order.escrow);
		}
		for (who, ids) in OrdersOf::<T>::iter() {
			for id in ids {
				ensure!(
					Orders::<T>::get(id.to_be_bytes()).is_some_and(|o| o.author == who),
					"the order index names an order that is not there"
				);
			}
		}
		for deal in Deals::<T>::iter_values() {
			add(&deal.consumer, 2, deal.escrow);
			add(&deal.consumer, 3, deal.deposit);
		}
		for (worker, record) in Endpoints::<T>::iter() {
			add(&worker, 4, record.deposit);
		}
		let reasons = [
			HoldReason::OrderDeposit,
			HoldReason::BidEscrow,
			HoldReason::DealEscrow,
			HoldReason::DealDeposit,
			HoldReason::EndpointDeposit,
		];
		Self::check_book()?;
		Self::check_deal_index()?;
		let mut accounts: alloc::vec::Vec<T::AccountId> = expected.keys().cloned().collect();
		accounts.extend(also_check);
		for who in accounts {
			let sums = expected.get(&who).copied().unwrap_or([Zero::zero(); 5]);
			for (slot, reason) in reasons.iter().enumerate() {
				ensure!(
					T::Currency::balance_on_hold(&(*reason).into(), &who) == sums[slot],
					"a market hold differs from what orders and deals account for"
				);
			}
		}
		Ok(())
	}
}
