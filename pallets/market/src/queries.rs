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
		let deal = Deals::<T>::get(id)?;
		let (_, due) =
			Self::due_until(&deal, Self::now(), crate::billing::RateUse::LastInForce).ok()?;
		let due: u128 = due.try_into().ok()?;
		let escrow: u128 = deal.escrow.try_into().ok()?;
		Some(CloseQuote { due, refund: escrow.saturating_sub(due) })
	}

	/// Open orders passing `filter` with ids from `from` on, in id order, at most `limit`.
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
		let ids: Vec<OrderId> = match &filter.author {
			// The author's index is short; the whole book is scanned only without an author.
			Some(author) => {
				let mut ids: Vec<_> =
					OrdersOf::<T>::get(author).into_iter().filter(|id| *id >= from).collect();
				ids.sort();
				ids
			},
			None => (from..NextOrderId::<T>::get()).collect(),
		};
		ids.into_iter()
			.filter_map(|id| Orders::<T>::get(id).map(|order| (id, order)))
			.filter(|(_, order)| passes(order))
			.take(limit as usize)
			.collect()
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

	/// The open deals `who` takes part in (as supplier, consumer or current payee), in id
	/// order, with their payees as of now. Scans the open deals: an index per account would
	/// cost every `open_deal` and close three more writes, and reads off chain are the cheaper
	/// side to pay.
	pub fn deals_of(who: &T::AccountId) -> Vec<(DealId, DealOf<T>)> {
		let mut deals: Vec<_> = Deals::<T>::iter()
			.map(|(id, deal)| (id, Self::with_current_payee(deal)))
			.filter(|(_, deal)| [&deal.supplier, &deal.consumer, &deal.payee].contains(&who))
			.collect();
		deals.sort_by_key(|(id, _)| *id);
		deals
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
	/// `id`, best price first (the cheapest asks for a bid, the highest bids for an ask), at
	/// most `limit`.
	pub fn matching_orders(id: OrderId, limit: u32) -> Vec<(OrderId, OrderOf<T>)> {
		let Some(order) = Orders::<T>::get(id) else { return Vec::new() };
		let now = Self::now();
		let mut matches: Vec<(OrderId, OrderOf<T>)> = Orders::<T>::iter()
			.filter(|(other_id, other)| {
				*other_id != id
					&& other.terms.side != order.terms.side
					&& !Self::is_expired(other, now)
			})
			.filter(|(_, other)| {
				let (ask, bid) = match order.terms.side {
					Side::Bid => (other, &order),
					Side::Ask => (&order, other),
				};
				Self::check_match(ask, bid, now).is_ok()
			})
			.collect();
		match order.terms.side {
			Side::Bid => matches.sort_by(|(a_id, a), (b_id, b)| {
				(a.terms.price.per_second, a_id).cmp(&(b.terms.price.per_second, b_id))
			}),
			Side::Ask => matches.sort_by(|(a_id, a), (b_id, b)| {
				(b.terms.price.per_second, a_id).cmp(&(a.terms.price.per_second, b_id))
			}),
		}
		matches.truncate(limit as usize);
		matches
	}
}
