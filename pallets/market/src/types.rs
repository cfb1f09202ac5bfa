//! The market's data: prices, orders, deals, change requests, master/worker links and worker
//! endpoints.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sonm_primitives::IdentityLevel;

pub use sonm_primitives::market::{DealId, OrderId, OrderStatus, Price, PriceUnit, Seconds, Side};

/// The most bytes an order's tag holds.
pub type MaxTagLen = ConstU32<32>;
/// An order's free-form tag.
pub type Tag = BoundedVec<u8, MaxTagLen>;

/// What an order asks of the deal and of the counterparty.
#[derive(
	CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	MaxEncodedLen,
	PartialEqNoBound,
	DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct OrderTerms<T: Config> {
	/// Bid or ask.
	pub side: Side,
	/// Price per second.
	pub price: Price<BalanceOf<T>>,
	/// Length of the deal in seconds; 0 makes a spot deal (open until closed).
	pub duration: Seconds,
	/// Only this account (or, for a bid, an ask by this master's worker) may be the counterparty.
	pub counterparty: Option<T::AccountId>,
	/// The lowest identity level the counterparty must have.
	pub min_identity: IdentityLevel,
	/// Also apply this account's blacklist to the counterparty.
	pub curator: Option<T::AccountId>,
	/// Free-form label (e.g. a workload name), at most 32 bytes.
	pub tag: Tag,
	/// Hardware benchmarks by standard index: offered by an ask, required by a bid.
	pub benchmarks: BoundedVec<u64, T::MaxBenchmarks>,
	/// Network flags (`sonm_primitives::netflags`): offered by an ask, required by a bid.
	pub netflags: u8,
	/// When the order stops being matchable and may be removed by anyone.
	pub expires_at: Option<Seconds>,
}

/// A bid a customer signed off chain and handed to a worker, who opens the deal with it and
/// its own ask in one extrinsic (`open_deal_with_signed_bid`). Usable once (its nonce), until
/// `expires_at`; the signature is over `sonm_primitives::market::signed_bid_payload`.
#[derive(
	CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	PartialEqNoBound,
	DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct SignedBid<T: Config> {
	/// Who pays: the bid's author.
	pub customer: T::AccountId,
	/// The bid's terms (`side` must be `Bid`).
	pub terms: OrderTerms<T>,
	/// Makes the signed bid usable once; the customer's own choice (a counter, a random number).
	pub nonce: u64,
	/// From this moment (unix seconds) the signed bid is refused.
	pub expires_at: Seconds,
	/// The customer's signature over the payload.
	pub signature: T::BidSignature,
}

/// An open order in the book.
#[derive(
	CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	MaxEncodedLen,
	PartialEqNoBound,
	DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Order<T: Config> {
	/// Who placed it.
	pub author: T::AccountId,
	/// What it asks for.
	pub terms: OrderTerms<T>,
	/// When it was placed.
	pub placed_at: Seconds,
	/// The anti-spam deposit held from the author, returned when the order ends.
	pub deposit: BalanceOf<T>,
	/// What a bid holds for the deal's opening (0 for an ask).
	pub escrow: BalanceOf<T>,
}

/// Why a deal ended.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub enum CloseReason {
	/// A forward deal reached its end.
	Expired,
	/// The customer closed it.
	ByCustomer,
	/// The supplier (or its master) closed a spot deal.
	BySupplier,
	/// The customer could not pay for the next period.
	InsufficientFunds,
}

/// A deal between a supplier (the ask's author) and a customer (the bid's author).
#[derive(
	Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
)]
pub struct Deal<AccountId, Balance> {
	/// The ask it came from.
	pub ask: OrderId,
	/// The bid it came from.
	pub bid: OrderId,
	/// The ask's author: the worker that runs the workload.
	pub supplier: AccountId,
	/// The bid's author, who pays.
	pub consumer: AccountId,
	/// Who receives the payments: the supplier's confirmed master, else the supplier. Read
	/// again whenever the deal is acted on, so that a master whose link ended earns no more.
	pub payee: AccountId,
	/// The ask's price.
	pub price: Price<Balance>,
	/// The bid's duration in seconds; 0 for a spot deal.
	pub duration: Seconds,
	/// When the deal opened.
	pub start: Seconds,
	/// Paid up to this moment.
	pub billed_until: Seconds,
	/// What is held from the consumer for this deal now.
	pub escrow: Balance,
	/// What the payee has received so far (after the market fee).
	pub paid: Balance,
	/// The storage deposit held from the consumer while the deal is stored (its bid's deposit,
	/// kept); back to the consumer when the deal is removed.
	pub deposit: Balance,
	/// When a forward deal ends, stored; `None` for a spot deal. The next layout of a deal,
	/// built only with `upgrade-rehearsal` (a runtime to rehearse an upgrade and its migration
	/// on a live network: `migrations::v3`).
	#[cfg(feature = "upgrade-rehearsal")]
	pub ends: Option<Seconds>,
}

impl<AccountId, Balance> Deal<AccountId, Balance> {
	/// Whether the deal runs until closed (no fixed end).
	pub fn is_spot(&self) -> bool {
		self.duration == 0
	}

	/// The fixed end of a forward deal.
	pub fn end(&self) -> Option<Seconds> {
		(!self.is_spot()).then(|| self.start.saturating_add(self.duration))
	}
}

/// A proposal to change a deal's price and/or duration.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub struct ChangeRequest<Balance> {
	/// The proposed price per second, in the deal's unit.
	pub per_second: Balance,
	/// The proposed total duration from the deal's start (0 for a spot deal).
	pub duration: Seconds,
	/// When it was made.
	pub created_at: Seconds,
}

/// A worker's link to its master: requested by the worker, confirmed by the master.
#[derive(
	Clone,
	Copy,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Debug,
	TypeInfo,
)]
pub struct MasterLink<AccountId> {
	/// The master.
	pub master: AccountId,
	/// Whether the master has confirmed the worker.
	pub confirmed: bool,
}

/// The most bytes a worker's endpoint holds.
pub type MaxEndpointLen = ConstU32<{ sonm_primitives::endpoint::MAX_ENDPOINT_LEN }>;
/// Where a worker is reached (see `sonm_primitives::endpoint` for what it may be).
pub type EndpointUrl = BoundedVec<u8, MaxEndpointLen>;

/// A worker's published endpoint and the deposit it holds.
#[derive(
	Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
)]
pub struct EndpointRecord<Balance> {
	/// Where customers reach the worker's control plane.
	pub url: EndpointUrl,
	/// What the record holds of its owner's balance until it is cleared.
	pub deposit: Balance,
}
