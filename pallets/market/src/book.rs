//! The order book's two indexes, kept with every order placed and removed, so that reads never
//! walk the whole book:
//!
//! - [`Book`]: by shelf (side, price unit, spot or forward, network flags), best price first
//!   then by id: what `market_matchingOrders` walks, only the shelves that can match and only
//!   as far as the price allows.
//! - [`OpenOrders`]: by side in id order: what `market_orders` pages through from a cursor
//!   (an id) at the same cost at any depth.
//!
//! Both store nothing but their keys, written big-endian under the `Identity` hasher so that
//! the storage's key order is the order wanted (SCALE writes integers little-endian). The keys
//! are of fixed length (at most 25 bytes after the shelf's hash), so no author can make a
//! deep branch of the trie.

use crate::{pallet::*, types::*, BalanceOf};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use scale_info::TypeInfo;
use sp_runtime::traits::UniqueSaturatedInto;

/// The open orders that can match the same counter-orders as far as a book can sort: one side,
/// one price unit, spot or forward, and the same network flags.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct Shelf {
	/// Bid or ask.
	pub side: Side,
	/// The price's unit: orders of different units never match.
	pub unit: PriceUnit,
	/// A spot order (duration 0) matches only spot orders, a forward one only forward ones.
	pub spot: bool,
	/// Offered by an ask, wanted by a bid.
	pub netflags: u8,
}

/// An order's place on its shelf, in the order of the best price for the other side: asks by
/// price rising, bids by price falling (stored as `u128::MAX - price`), then by id.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	Ord,
	PartialEq,
	PartialOrd,
	TypeInfo,
)]
pub struct ShelfPlace {
	/// The price as the shelf sorts it, big-endian.
	pub price: [u8; 16],
	/// The order's id, big-endian.
	pub id: [u8; 8],
}

impl ShelfPlace {
	/// The order's id.
	pub fn order_id(&self) -> OrderId {
		OrderId::from_be_bytes(self.id)
	}
}

/// An order or deal id as the market's maps key it (`Orders`, `Deals`, [`OpenOrders`],
/// `DealsOf`): big-endian, so that keys sort as ids do and new ids sit side by side.
pub type IdKey = [u8; 8];

/// The shelf an order with `terms` sits on.
pub fn shelf_of<T: Config>(terms: &OrderTermsOf<T>) -> Shelf {
	Shelf {
		side: terms.side,
		unit: terms.price.unit,
		spot: terms.duration == 0,
		netflags: terms.netflags,
	}
}

/// `per_second` as a shelf of `side` sorts it: a bid's price is stored as its complement so
/// that the dearest bid comes first.
pub fn price_key<T: Config>(side: Side, per_second: BalanceOf<T>) -> [u8; 16] {
	let price: u128 = per_second.unique_saturated_into();
	match side {
		Side::Ask => price,
		Side::Bid => u128::MAX - price,
	}
	.to_be_bytes()
}

/// The place of order `id` with `terms` on its shelf.
pub fn place_of<T: Config>(id: OrderId, terms: &OrderTermsOf<T>) -> ShelfPlace {
	ShelfPlace { price: price_key::<T>(terms.side, terms.price.per_second), id: id.to_be_bytes() }
}

/// The shelves of the other side whose orders may match an order with `terms`: same unit, same
/// kind of duration, and network flags that an ask offers and a bid wants.
pub fn counter_shelves<T: Config>(terms: &OrderTermsOf<T>) -> Vec<Shelf> {
	use sonm_primitives::netflags;
	let own = shelf_of::<T>(terms);
	let other = match own.side {
		Side::Bid => Side::Ask,
		Side::Ask => Side::Bid,
	};
	(0..=netflags::ALL)
		.filter(|flags| match own.side {
			Side::Bid => netflags::satisfies(*flags, own.netflags),
			Side::Ask => netflags::satisfies(own.netflags, *flags),
		})
		.map(|netflags| Shelf { side: other, netflags, ..own })
		.collect()
}

/// The items of `walks`, each in order of `key`, as one walk in that order (the first walk's
/// item first among equal keys). Each step compares the next item of every walk: fine for the
/// few walks a read merges (at most eight shelves, two sides, an account and its workers).
pub(crate) fn merged<I: Iterator, K: Ord>(
	walks: Vec<I>,
	key: impl Fn(&I::Item) -> K,
) -> impl Iterator<Item = I::Item> {
	let mut walks: Vec<_> = walks.into_iter().map(Iterator::peekable).collect();
	core::iter::from_fn(move || {
		let (_, walk) = walks
			.iter_mut()
			.filter_map(|walk| walk.peek().map(&key).map(|at| (at, walk)))
			.min_by(|(a, _), (b, _)| a.cmp(b))?;
		walk.next()
	})
}

impl<T: Config> Pallet<T> {
	/// Every open order with its id, in id order.
	pub fn open_orders() -> impl Iterator<Item = (OrderId, OrderOf<T>)> {
		Orders::<T>::iter().map(|(key, order)| (OrderId::from_be_bytes(key), order))
	}

	/// Puts order `id` with `terms` in both indexes (two writes).
	pub(crate) fn enter_book(id: OrderId, terms: &OrderTermsOf<T>) {
		Book::<T>::insert(shelf_of::<T>(terms), place_of::<T>(id, terms), ());
		OpenOrders::<T>::insert(terms.side, id.to_be_bytes(), ());
	}

	/// Takes order `id` with `terms` out of both indexes (two writes).
	pub(crate) fn leave_book(id: OrderId, terms: &OrderTermsOf<T>) {
		Book::<T>::remove(shelf_of::<T>(terms), place_of::<T>(id, terms));
		OpenOrders::<T>::remove(terms.side, id.to_be_bytes());
	}

	/// The ids of the open orders of `sides` from `from` on, in id order: each side's index
	/// walked from the cursor, the two merged.
	pub(crate) fn open_ids_from(sides: &[Side], from: OrderId) -> impl Iterator<Item = OrderId> {
		let walks: Vec<_> = sides
			.iter()
			.map(|side| match from.checked_sub(1) {
				// The walk starts after the raw key given: the id before `from`.
				Some(before) => OpenOrders::<T>::iter_key_prefix_from(
					side,
					OpenOrders::<T>::hashed_key_for(side, before.to_be_bytes()),
				),
				None => OpenOrders::<T>::iter_key_prefix(side),
			})
			.collect();
		merged(walks, |key| *key).map(OrderId::from_be_bytes)
	}

	/// The places on `shelves` no worse than `limit` (the best price first, then the lowest
	/// id), merged across the shelves.
	pub(crate) fn places_up_to(
		shelves: &[Shelf],
		limit: [u8; 16],
	) -> impl Iterator<Item = ShelfPlace> {
		let walks: Vec<_> = shelves
			.iter()
			.map(|shelf| Book::<T>::iter_key_prefix(shelf).take_while(move |p| p.price <= limit))
			.collect();
		merged(walks, |place| *place)
	}

	/// Whether the indexes hold every open order in its place and nothing else.
	#[cfg(any(feature = "try-runtime", feature = "test-runtime", test))]
	pub(crate) fn check_book() -> Result<(), &'static str> {
		let mut open = 0u64;
		for (id, order) in Self::open_orders() {
			open += 1;
			let terms = &order.terms;
			ensure!(
				Book::<T>::contains_key(shelf_of::<T>(terms), place_of::<T>(id, terms)),
				"an open order is missing from the book"
			);
			ensure!(
				OpenOrders::<T>::contains_key(terms.side, id.to_be_bytes()),
				"an open order is missing from the open orders by side"
			);
		}
		ensure!(
			Book::<T>::iter_keys().count() as u64 == open,
			"the book holds an order that is not open"
		);
		ensure!(
			OpenOrders::<T>::iter_keys().count() as u64 == open,
			"the open orders by side hold an order that is not open"
		);
		Ok(())
	}
}
