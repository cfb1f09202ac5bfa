//! Read-only queries for the market's runtime API (`market_*` RPC): orders with filters and
//! paging, deals of an account, change requests of a deal, and the open orders that would make
//! a deal with a given order under the chain's own rules.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use sonm_primitives::{
	market::{CloseQuote, OrderFilter},
	matching::{Fact, FactAnswer},
};

impl<T: Config> Pallet<T> {
	/// What closing open deal `id` now would bill and give back, reckoned as closing does it
	/// (`settle` at the last price in force, up to the deal's end at the latest), moving
	/// nothing; `None` when no such deal is open or the amount cannot be reckoned (a USD price
	/// with no rate ever fed).
	pub fn close_quote(id: DealId) -> Option<CloseQuote> {
		let deal = Deals::<T>::get(id.to_be_bytes())?;
		let (_, due) =
			Self::due_until(&deal, Self::now(), crate::billing::RateUse::LastInForce).ok()?;
		let due: u128 = due.try_into().ok()?;
		let escrow: u128 = deal.escrow.try_into().ok()?;
		Some(CloseQuote { due, refund: escrow.saturating_sub(due) })
	}

	/// Open orders passing `filter` with ids from `from` on, in id order, at most `limit`: the
	/// author's own list when the filter names one (short), else the open orders by side
	/// walked from `from` (`book`), so a page costs the same at any depth.
	pub fn orders(
		filter: &OrderFilter<T::AccountId>,
		from: OrderId,
		limit: u32,
	) -> Vec<(OrderId, OrderOf<T>)> {
		let now = Self::now();
		let passes = |order: &OrderOf<T>| {
			filter.side.is_none_or(|side| order.terms.side == side)
				&& filter.author.as_ref().is_none_or(|author| *author == order.author)
				&& filter.status.is_none_or(|status| Self::status(order, now) == status)
		};
		let with_order = |id: OrderId| Orders::<T>::get(id.to_be_bytes()).map(|order| (id, order));
		let page = |ids: &mut dyn Iterator<Item = OrderId>| {
			ids.filter_map(with_order)
				.filter(|(_, order)| passes(order))
				.take(limit as usize)
				.collect()
		};
		match &filter.author {
			Some(author) => {
				let mut ids: Vec<_> =
					OrdersOf::<T>::get(author).into_iter().filter(|id| *id >= from).collect();
				ids.sort();
				page(&mut ids.into_iter())
			},
			None => {
				let sides = match filter.side {
					Some(side) => alloc::vec![side],
					None => alloc::vec![Side::Ask, Side::Bid],
				};
				page(&mut Self::open_ids_from(&sides, from))
			},
		}
	}

	/// Whether `order` is still matchable at `now`.
	pub fn status(order: &OrderOf<T>, now: Seconds) -> OrderStatus {
		if Self::is_expired(order, now) {
			OrderStatus::Expired
		} else {
			OrderStatus::Active
		}
	}

	/// Open deal `id` with its payee as of now (the supplier's current master, or the
	/// supplier).
	pub fn current_deal(id: DealId) -> Option<DealOf<T>> {
		Self::deal(id).ok()
	}

	/// The pending change requests of deal `id`, by side.
	pub fn change_requests(id: DealId) -> Vec<(Side, ChangeRequest<BalanceOf<T>>)> {
		ChangeRequests::<T>::iter_prefix(id).collect()
	}

	/// The chain's answers to what the matching rules read, in the order asked: what an
	/// off-chain matcher needs to decide as `open_deal` would, in one call.
	pub fn match_facts(facts: &[Fact<T::AccountId>]) -> Vec<FactAnswer<T::AccountId>> {
		let chain = crate::deals::ChainFacts::<T>(Default::default());
		facts.iter().map(|fact| fact.answer(&chain)).collect()
	}

	/// The open, unexpired orders of the other side that `open_deal` would accept with order
	/// `id`, best price first (the cheapest asks for a bid, the highest bids for an ask; equal
	/// prices by id), at most `limit`. Walks only the shelves that can match (`book`), and each
	/// only as far as the price allows; every order walked is checked with the matching rules.
	pub fn matching_orders(id: OrderId, limit: u32) -> Vec<(OrderId, OrderOf<T>)> {
		let Some(order) = Orders::<T>::get(id.to_be_bytes()) else { return Vec::new() };
		let now = Self::now();
		let other_side = match order.terms.side {
			Side::Bid => Side::Ask,
			Side::Ask => Side::Bid,
		};
		// The worst price the other side may have: the order's own, as that side sorts it.
		let limit_key = crate::book::price_key::<T>(other_side, order.terms.price.per_second);
		let shelves = crate::book::counter_shelves::<T>(&order.terms);
		Self::places_up_to(&shelves, limit_key)
			.map(|place| place.order_id())
			.filter_map(|other_id| {
				Orders::<T>::get(other_id.to_be_bytes()).map(|other| (other_id, other))
			})
			.filter(|(_, other)| {
				let (ask, bid) = match order.terms.side {
					Side::Bid => (other, &order),
					Side::Ask => (&order, other),
				};
				Self::check_match(ask, bid, now).is_ok()
			})
			.take(limit as usize)
			.collect()
	}
}
