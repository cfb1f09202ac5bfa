//! The market's vocabulary (sides, prices and their units, order states), its identifiers, the
//! order filter of its queries, and the runtime API that the node's `market_*` RPC serves. The
//! stored types themselves (orders, deals, change requests) are the market pallet's; the API is
//! generic over them.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Sequential id of an order.
pub type OrderId = u64;
/// A deal's id: the id of the bid it came from (a bid makes one deal at most).
pub type DealId = u64;
/// Seconds since the unix epoch, or a length of time in seconds.
pub type Seconds = u64;

/// Which side of the book an order is on.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	Hash,
	MaxEncodedLen,
	Ord,
	PartialEq,
	PartialOrd,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum Side {
	/// A customer's request for hardware; holds the payment the deal will need.
	Bid,
	/// A supplier's offer of hardware.
	Ask,
}

crate::named!(Side, "side", { Side::Bid => ["Bid", "buy"], Side::Ask => ["Ask", "sell"] });

impl Side {
	/// The side a match takes: an ask for a bid and a bid for an ask.
	pub const fn opposite(self) -> Self {
		match self {
			Side::Bid => Side::Ask,
			Side::Ask => Side::Bid,
		}
	}
}

/// What a price is quoted in.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	Hash,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum PriceUnit {
	/// SNM base units per second.
	#[cfg_attr(feature = "serde", serde(rename = "SNM"))]
	Snm,
	/// USD x 10^18 per second, paid in SNM at the oracle rate of the moment of billing.
	#[cfg_attr(feature = "serde", serde(rename = "USD"))]
	Usd,
}

crate::named!(PriceUnit, "price unit", { PriceUnit::Snm => ["SNM"], PriceUnit::Usd => ["USD"] });

/// A price per second of rented hardware.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
	feature = "serde",
	serde(rename_all = "camelCase", bound = "Balance: core::fmt::Display + core::str::FromStr")
)]
#[cfg_attr(feature = "schemars", schemars(rename = "Price"))]
pub struct Price<Balance> {
	/// Amount per second, in base units of `unit` (a decimal string in JSON).
	#[cfg_attr(feature = "serde", serde(with = "crate::amount"))]
	#[cfg_attr(feature = "schemars", schemars(with = "String"))]
	pub per_second: Balance,
	/// What the amount is in.
	pub unit: PriceUnit,
}

/// The state of an order in the book. Orders that made a deal or were cancelled are gone from
/// the book (their history is in the events).
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum OrderStatus {
	/// Open and matchable.
	Active,
	/// Past its expiry: no longer matchable, and anyone may remove it.
	Expired,
}

crate::named!(OrderStatus, "order status", {
	OrderStatus::Active => ["Active"],
	OrderStatus::Expired => ["Expired"],
});

/// Which orders a listing returns; `None` fields match everything.
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Default, Encode, Eq, PartialEq, TypeInfo)]
pub struct OrderFilter<AccountId> {
	/// Only this side.
	pub side: Option<Side>,
	/// Only this author's.
	pub author: Option<AccountId>,
	/// Only orders in this state.
	pub status: Option<OrderStatus>,
}

/// What closing an open deal now would settle: the bill for the time since it was last billed
/// (at the last price in force, up to its end at the latest) and what of the escrow goes back to
/// the customer, in SNM base units. A bill larger than the escrow is taken from the customer's
/// free balance where it can be; the refund is then 0.
#[derive(Clone, Copy, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct CloseQuote {
	/// What the closing bill would charge (fee included).
	#[cfg_attr(feature = "serde", serde(with = "crate::amount"))]
	#[cfg_attr(feature = "schemars", schemars(with = "String"))]
	pub due: u128,
	/// What the customer would get back.
	#[cfg_attr(feature = "serde", serde(with = "crate::amount"))]
	#[cfg_attr(feature = "schemars", schemars(with = "String"))]
	pub refund: u128,
}

sp_api::decl_runtime_apis! {
	/// Read access to the market: what the `market_*` RPC methods serve. `Order`, `Deal` and
	/// `ChangeRequest` are the market pallet's stored types. Version 2: `deals_of` pages from a
	/// cursor.
	#[api_version(2)]
	pub trait MarketApi<AccountId, Order, Deal, ChangeRequest>
	where
		AccountId: Codec,
		Order: Codec,
		Deal: Codec,
		ChangeRequest: Codec,
	{
		/// An open order.
		fn order(id: OrderId) -> Option<Order>;
		/// An open deal.
		fn deal(id: DealId) -> Option<Deal>;
		/// Open orders passing `filter` with ids from `from` on, in id order, at most `limit`.
		fn orders(filter: OrderFilter<AccountId>, from: OrderId, limit: u32) -> Vec<(OrderId, Order)>;
		/// Every open deal `who` takes part in (as supplier, customer or payee), in id order:
		/// version 1's, kept for nodes reading a runtime not yet upgraded.
		#[changed_in(2)]
		fn deals_of(who: AccountId) -> Vec<(DealId, Deal)>;
		/// The open deals `who` takes part in (as supplier, customer or payee) with ids from
		/// `from` on, in id order, at most `limit`.
		fn deals_of(who: AccountId, from: DealId, limit: u32) -> Vec<(DealId, Deal)>;
		/// The pending change requests of a deal, by side.
		fn change_requests(id: DealId) -> Vec<(Side, ChangeRequest)>;
		/// The open orders of the other side that would make a deal with order `id` under the
		/// chain's rules now, best price first, at most `limit`.
		fn matching_orders(id: OrderId, limit: u32) -> Vec<(OrderId, Order)>;
		/// The answers to what the matching rules read (masters, identity levels, blacklists),
		/// in the order asked.
		fn match_facts(facts: Vec<crate::matching::Fact<AccountId>>) -> Vec<crate::matching::FactAnswer<AccountId>>;
		/// What closing open deal `id` now would bill and refund.
		fn close_quote(id: DealId) -> Option<CloseQuote>;
	}
}

/// The domain tag a signed bid's signature begins with: a signature over a bid can never be
/// taken for any other message (a transaction's payload, a task session grant) or for a bid on
/// another chain (the genesis hash follows it).
pub const SIGNED_BID_DOMAIN: &[u8] = b"sonm/signed-bid/v1";

/// The bytes a customer signs to hand a bid to a worker, who opens the deal with it in one
/// extrinsic (`Market::open_deal_with_signed_bid`): the domain tag, the chain's genesis hash,
/// the customer, the bid's terms (SCALE, as `place_order` takes them), a nonce that makes it
/// usable once, and when it stops being usable (unix seconds). The pallet checks the signature
/// over these bytes; the client signs them.
pub fn signed_bid_payload(
	genesis_hash: &impl Encode,
	customer: &impl Encode,
	terms: &impl Encode,
	nonce: u64,
	expires_at: Seconds,
) -> Vec<u8> {
	(SIGNED_BID_DOMAIN, genesis_hash, customer, terms, nonce, expires_at).encode()
}

/// Why an order's own terms cannot be placed, by the market pallet's names for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermsFault {
	/// Fewer than the standard benchmarks.
	BadBenchmarks,
	/// A network flag the market does not know.
	BadNetflags,
	/// A price of nothing.
	ZeroPrice,
	/// Longer than the market's longest deal.
	DurationTooLong,
	/// An expiry that has passed.
	ExpiryInPast,
}

impl TermsFault {
	/// The pallet's error name.
	pub fn name(self) -> &'static str {
		match self {
			Self::BadBenchmarks => "BadBenchmarks",
			Self::BadNetflags => "BadNetflags",
			Self::ZeroPrice => "ZeroPrice",
			Self::DurationTooLong => "DurationTooLong",
			Self::ExpiryInPast => "ExpiryInPast",
		}
	}
}

/// What an order's terms must keep to by themselves to be placed at `now`, whoever asks: the
/// market pallet on placing, and a worker before it pays for a signed bid's deal. The standard
/// benchmarks at least, known network flags, a price, at most `max_duration` seconds, an expiry
/// still ahead.
pub fn check_order_terms(
	benchmarks: usize,
	flags: u8,
	zero_price: bool,
	duration: Seconds,
	max_duration: Seconds,
	expires_at: Option<Seconds>,
	now: Seconds,
) -> Result<(), TermsFault> {
	if benchmarks < crate::benchmarks::STANDARD_COUNT {
		return Err(TermsFault::BadBenchmarks);
	}
	if flags & !crate::netflags::ALL != 0 {
		return Err(TermsFault::BadNetflags);
	}
	if zero_price {
		return Err(TermsFault::ZeroPrice);
	}
	if duration > max_duration {
		return Err(TermsFault::DurationTooLong);
	}
	if expires_at.is_some_and(|expiry| expiry <= now) {
		return Err(TermsFault::ExpiryInPast);
	}
	Ok(())
}
