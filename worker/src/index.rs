//! The index of the open BIDs the worker could serve: bids grouped by what an ask must share
//! with them exactly (price unit, spot or forward, network flags), each group sorted best price
//! first. An ask's candidates are the groups its flags cover, merged best first and filtered by
//! the shared order rules; the full rules (`sonm_primitives::matching::check_match`, with
//! masters, identity levels and blacklists) have the last word on each candidate.

use sonm_client::types::Order;
use sonm_primitives::{benchmarks, market::PriceUnit, matching, netflags};
use std::{
	cmp::Reverse,
	collections::{BTreeSet, HashMap},
};

/// What a bid and an ask must have in common, as an index key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Group {
	unit: PriceUnit,
	spot: bool,
	netflags: u8,
}

impl Group {
	fn of(order: &Order) -> Self {
		Self { unit: order.price.unit, spot: order.duration == 0, netflags: order.netflags }
	}
}

/// Best first: the highest price, then the oldest id.
type Rank = (Reverse<u128>, u64);

/// The open bids, indexed.
#[derive(Default)]
pub struct BidIndex {
	bids: HashMap<u64, Order>,
	groups: HashMap<Group, BTreeSet<Rank>>,
}

impl BidIndex {
	/// An empty index.
	pub fn new() -> Self {
		Self::default()
	}

	/// How many bids it holds.
	pub fn len(&self) -> usize {
		self.bids.len()
	}

	/// Whether it holds none.
	pub fn is_empty(&self) -> bool {
		self.bids.is_empty()
	}

	/// The bid with this id.
	pub fn get(&self, id: u64) -> Option<&Order> {
		self.bids.get(&id)
	}

	/// Adds (or replaces) a bid; asks are not indexed.
	pub fn insert(&mut self, bid: Order) {
		if bid.side != sonm_primitives::market::Side::Bid {
			return;
		}
		self.remove(bid.id);
		self.groups
			.entry(Group::of(&bid))
			.or_default()
			.insert((Reverse(bid.price.per_second), bid.id));
		self.bids.insert(bid.id, bid);
	}

	/// Removes a bid (matched, cancelled, expired); unknown ids are ignored.
	pub fn remove(&mut self, id: u64) -> Option<Order> {
		let bid = self.bids.remove(&id)?;
		let group = Group::of(&bid);
		if let Some(ranks) = self.groups.get_mut(&group) {
			ranks.remove(&(Reverse(bid.price.per_second), id));
			if ranks.is_empty() {
				self.groups.remove(&group);
			}
		}
		Some(bid)
	}

	/// Empties the index (before a full resync).
	pub fn clear(&mut self) {
		self.bids.clear();
		self.groups.clear();
	}

	/// The bids `ask` could make a deal with at `now` under the order rules, network flags and
	/// benchmarks, best first (highest price, then oldest). Lazy: a caller that takes the first
	/// candidate the full rules accept reads only the groups' heads.
	pub fn candidates<'a>(
		&'a self,
		ask: &'a Order,
		now: u64,
	) -> impl Iterator<Item = &'a Order> + 'a {
		let spot = ask.duration == 0;
		// Every flag set the ask covers: the subsets of its flags.
		let mut cursors: Vec<_> = (0..=netflags::ALL)
			.filter(|flags| netflags::satisfies(ask.netflags, *flags))
			.filter_map(|flags| {
				let group = Group { unit: ask.price.unit, spot, netflags: flags };
				self.groups.get(&group)
			})
			.map(|ranks| {
				// Only bids at or above the ask's price: the set is sorted best price first.
				ranks.range(..=(Reverse(ask.price.per_second), u64::MAX)).peekable()
			})
			.collect();
		let ask_view = ask.match_view();
		std::iter::from_fn(move || {
			let best = cursors
				.iter_mut()
				.enumerate()
				.filter_map(|(i, cursor)| cursor.peek().map(|rank| (**rank, i)))
				.min()?;
			cursors[best.1].next();
			Some(best.0 .1)
		})
		.filter_map(|id| self.bids.get(&id))
		.filter(move |bid| {
			let bid_view = bid.match_view();
			!bid_view.is_expired(now)
				&& matching::order_rules(&ask_view, &bid_view).is_ok()
				&& benchmarks::satisfies(&ask.benchmarks, &bid.benchmarks)
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_client::types::Price;
	use sonm_primitives::{market::Side, IdentityLevel};

	pub fn order(id: u64, side: Side, price: u128, duration: u64, flags: u8, cores: u64) -> Order {
		let mut benchmarks = vec![0; 12];
		benchmarks[2] = cores;
		Order {
			id,
			author: if side == Side::Ask { "supplier".into() } else { format!("customer{id}") },
			side,
			price: Price { per_second: price, unit: PriceUnit::Snm },
			duration,
			counterparty: None,
			min_identity: IdentityLevel::Anonymous,
			curator: None,
			tag: String::new(),
			benchmarks,
			netflags: flags,
			expires_at: None,
			placed_at: 0,
			deposit: 0,
			escrow: 0,
		}
	}

	fn ids<'a>(orders: impl Iterator<Item = &'a Order>) -> Vec<u64> {
		orders.map(|order| order.id).collect()
	}

	#[test]
	fn candidates_come_best_price_first_then_oldest() {
		let mut index = BidIndex::new();
		for (id, price) in [(1, 10), (2, 30), (3, 20), (4, 30), (5, 5)] {
			index.insert(order(id, Side::Bid, price, 3600, 0, 1));
		}
		let ask = order(100, Side::Ask, 10, 3600, 0, 1);
		assert_eq!(ids(index.candidates(&ask, 0)), [2, 4, 3, 1], "5 bids below the ask's price");
	}

	#[test]
	fn candidates_share_unit_kind_of_duration_and_covered_flags() {
		let mut index = BidIndex::new();
		index.insert(order(1, Side::Bid, 10, 3600, netflags::OUTBOUND, 1));
		index.insert(order(2, Side::Bid, 10, 3600, netflags::INCOMING, 1));
		index.insert(order(3, Side::Bid, 10, 0, 0, 1));
		index.insert(order(4, Side::Bid, 10, 7200, 0, 1));
		index.insert(order(5, Side::Bid, 10, 3600, 0, 4));
		let mut usd = order(6, Side::Bid, 10, 3600, 0, 1);
		usd.price.unit = PriceUnit::Usd;
		index.insert(usd);
		let ask = order(100, Side::Ask, 10, 3600, netflags::OUTBOUND | netflags::OVERLAY, 2);
		// 2 wants incoming, 3 is spot, 4 is longer, 5 wants 4 cores, 6 is in USD.
		assert_eq!(ids(index.candidates(&ask, 0)), [1]);
		let spot_ask = order(101, Side::Ask, 10, 0, 0, 2);
		assert_eq!(ids(index.candidates(&spot_ask, 0)), [3]);
	}

	#[test]
	fn removed_and_expired_bids_are_not_candidates() {
		let mut index = BidIndex::new();
		index.insert(order(1, Side::Bid, 10, 60, 0, 1));
		let mut expiring = order(2, Side::Bid, 20, 60, 0, 1);
		expiring.expires_at = Some(50);
		index.insert(expiring);
		index.insert(order(3, Side::Ask, 10, 60, 0, 1));
		assert_eq!(index.len(), 2, "asks are not indexed");
		let ask = order(100, Side::Ask, 10, 60, 0, 1);
		assert_eq!(ids(index.candidates(&ask, 49)), [2, 1]);
		assert_eq!(ids(index.candidates(&ask, 50)), [1]);
		assert!(index.remove(1).is_some());
		assert!(index.remove(1).is_none());
		assert_eq!(ids(index.candidates(&ask, 0)), [2]);
		// Re-inserting replaces, never duplicates.
		index.insert(order(2, Side::Bid, 40, 60, 0, 1));
		index.insert(order(2, Side::Bid, 40, 60, 0, 1));
		assert_eq!(ids(index.candidates(&ask, 0)), [2]);
		index.clear();
		assert!(index.is_empty());
	}
}
