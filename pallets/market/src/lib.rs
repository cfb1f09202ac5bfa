#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod billing;
pub mod book;
mod change_requests;
mod deal_index;
mod deals;
mod orders;
mod queries;
pub use deals::{MatchReads, OPEN_DEAL_WORST, QUICK_BUY_WORST};
pub mod migrations;
pub mod types;
pub mod weights;
mod workers;

#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "test-runtime"))]
pub mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
pub use pallet::*;
pub use sonm_primitives::market::OrderFilter;
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		dispatch::{Pays, PostDispatchInfo},
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::traits::{IdentityLevelOf, IsBlocked, PriceOf};
	use sp_runtime::Perbill;

	/// A balance of the market's currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// An order as stored.
	pub type OrderOf<T> = Order<T>;
	/// What an order asks for, as given to `place_order`.
	pub type OrderTermsOf<T> = OrderTerms<T>;
	/// A deal as stored.
	pub type DealOf<T> = Deal<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	/// The layout of this pallet's storage: 2 today (the book's indexes, `migrations::v1`;
	/// orders and deals keyed by their ids in order, `migrations::v2`); 3 in the upgrade
	/// rehearsal's runtime (`migrations::v3`).
	const STORAGE_VERSION: StorageVersion =
		StorageVersion::new(if cfg!(feature = "upgrade-rehearsal") { 3 } else { 2 });

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// SNM: escrow and deposits are holds of this currency.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// Wall-clock time of the current block.
		type Time: UnixTime;

		/// The identity level of an account (KYC).
		type Identity: IdentityLevelOf<Self::AccountId>;

		/// Blacklists.
		type Blacklist: IsBlocked<Self::AccountId>;

		/// SNM prices of other currencies (the oracle).
		type Prices: PriceOf<BalanceOf<Self>>;

		/// The account the market fee goes to, for the masternodes to share.
		#[pallet::constant]
		type FeePot: Get<Self::AccountId>;

		/// The share of every payment that goes to the fee pot.
		#[pallet::constant]
		type MarketFee: Get<Perbill>;

		/// The anti-spam deposit every order holds until it ends.
		#[pallet::constant]
		type OrderDeposit: Get<BalanceOf<Self>>;

		/// The storage deposit a worker's endpoint record holds until it is cleared.
		#[pallet::constant]
		type EndpointDeposit: Get<BalanceOf<Self>>;

		/// Seconds a spot deal is paid ahead: what a spot bid holds, and what billing keeps
		/// held for the next period.
		#[pallet::constant]
		type SpotPrepay: Get<Seconds>;

		/// Extra held for USD-priced bids and deals, against the rate moving before billing.
		#[pallet::constant]
		type UsdMargin: Get<Perbill>;

		/// The longest deal an order may ask for, in seconds.
		#[pallet::constant]
		type MaxDuration: Get<Seconds>;

		/// The most open orders one account may have.
		#[pallet::constant]
		type MaxOrdersPerAccount: Get<u32>;

		/// The most orders one `place_orders` call may place (at most `MaxOrdersPerAccount`).
		#[pallet::constant]
		type MaxOrdersPerCall: Get<u32>;

		/// The signature a customer puts on a signed bid (the runtime's transaction signature).
		type BidSignature: Parameter
			+ sp_runtime::traits::Verify<
				Signer: sp_runtime::traits::IdentifyAccount<AccountId = Self::AccountId>,
			>;

		/// The most benchmark values an order may carry (at least the 12 standard ones).
		#[pallet::constant]
		type MaxBenchmarks: Get<u32>;

		/// Who may pause and resume the market (governance).
		type PauseOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Sets the clock and the USD price for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, BalanceOf<Self>, Self::BidSignature>;
	}

	/// Why the market holds an account's funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The anti-spam deposit of an open order.
		#[codec(index = 0)]
		OrderDeposit,
		/// What an open bid holds for its deal's opening.
		#[codec(index = 1)]
		BidEscrow,
		/// What an open deal holds for its payments.
		#[codec(index = 2)]
		DealEscrow,
		/// The storage deposit of a stored deal (its bid's deposit, kept until it is removed).
		#[codec(index = 3)]
		DealDeposit,
		/// The storage deposit of a worker's endpoint record.
		#[codec(index = 4)]
		EndpointDeposit,
	}

	/// The id the next order gets.
	#[pallet::storage]
	pub type NextOrderId<T> = StorageValue<_, OrderId, ValueQuery>;

	/// Open orders, keyed by id big-endian (`book::IdKey`): the orders a block places sit side
	/// by side in one branch of the state's trie, so sealing the block hashes few new nodes.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Identity, crate::book::IdKey, OrderOf<T>>;

	/// The open orders by shelf, best price first (`book`): what `market_matchingOrders` walks.
	#[pallet::storage]
	pub type Book<T> = StorageDoubleMap<
		_,
		Twox64Concat,
		crate::book::Shelf,
		Identity,
		crate::book::ShelfPlace,
		(),
	>;

	/// The open orders by side in id order (`book`): what `market_orders` pages through.
	#[pallet::storage]
	pub type OpenOrders<T> =
		StorageDoubleMap<_, Twox64Concat, Side, Identity, crate::book::IdKey, ()>;

	/// The open orders of each account.
	#[pallet::storage]
	pub type OrdersOf<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<OrderId, T::MaxOrdersPerAccount>,
		ValueQuery,
	>;

	/// Open deals, keyed by id big-endian (`book::IdKey`) as orders are. A closed deal is
	/// removed; its history is in the events.
	#[pallet::storage]
	pub type Deals<T: Config> = StorageMap<_, Identity, crate::book::IdKey, DealOf<T>>;

	/// The open deals of each account as supplier or customer, in id order (`deal_index`):
	/// what `market_dealsOf` pages through.
	#[pallet::storage]
	pub type DealsOf<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, crate::book::IdKey, ()>;

	/// The confirmed workers of each master (`deal_index`): whose deals pay it.
	#[pallet::storage]
	pub type WorkersOf<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// Pending change requests of a deal, one per side (`Bid`: the customer's, `Ask`: the
	/// supplier's).
	#[pallet::storage]
	pub type ChangeRequests<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		DealId,
		Twox64Concat,
		Side,
		ChangeRequest<BalanceOf<T>>,
		OptionQuery,
	>;

	/// Each worker's master.
	#[pallet::storage]
	pub type Masters<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, MasterLink<T::AccountId>>;

	/// Where each worker's control plane is reached, with the deposit the record holds.
	#[pallet::storage]
	pub type Endpoints<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, EndpointRecord<BalanceOf<T>>>;

	/// Whether new orders and deals are refused. Billing, closing and cancelling still work.
	#[pallet::storage]
	pub type Paused<T> = StorageValue<_, bool, ValueQuery>;

	/// Signed bids used or revoked, by customer and nonce, with their expiry: a signed bid is
	/// refused while its record is here, and anyone may remove the record once it expired.
	#[pallet::storage]
	pub type SignedBidNonces<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u64, Seconds>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An order was placed.
		OrderPlaced { id: OrderId, author: T::AccountId, side: Side },
		/// An order ended without a deal: cancelled by its author, or removed after expiry.
		OrderCancelled { id: OrderId, author: T::AccountId, expired: bool },
		/// A deal opened from an ask and a bid, which are consumed.
		DealOpened {
			id: DealId,
			ask: OrderId,
			bid: OrderId,
			supplier: T::AccountId,
			consumer: T::AccountId,
		},
		/// A deal was billed: `amount` went to `payee`, `fee` to the fee pot.
		DealBilled { id: DealId, payee: T::AccountId, amount: BalanceOf<T>, fee: BalanceOf<T> },
		/// A deal ended; `refund` went back to the consumer.
		DealClosed { id: DealId, reason: CloseReason, refund: BalanceOf<T> },
		/// The closer of a deal blacklisted its counterparty.
		CounterpartyBlacklisted { id: DealId, who: T::AccountId, whom: T::AccountId },
		/// A side proposed new terms for a deal.
		ChangeRequested { id: DealId, side: Side, per_second: BalanceOf<T>, duration: Seconds },
		/// A change request was withdrawn by its creator (`rejected: false`) or rejected by the
		/// other side.
		ChangeRequestDropped { id: DealId, side: Side, rejected: bool },
		/// A deal's terms changed.
		DealChanged { id: DealId, per_second: BalanceOf<T>, duration: Seconds },
		/// A worker asked to join a master.
		WorkerRequested { worker: T::AccountId, master: T::AccountId },
		/// A master confirmed a worker.
		WorkerConfirmed { worker: T::AccountId, master: T::AccountId },
		/// A worker left its master (or was never confirmed).
		WorkerRemoved { worker: T::AccountId, master: T::AccountId },
		/// The market was paused or resumed.
		PauseSet { paused: bool },
		/// A worker published (or changed) where it is reached.
		EndpointSet { worker: T::AccountId, url: EndpointUrl },
		/// A worker withdrew its endpoint; its deposit was released.
		EndpointCleared { worker: T::AccountId },
		/// A customer revoked a signed bid before anyone used it.
		SignedBidRevoked { customer: T::AccountId, nonce: u64 },
		/// One signed bid of `open_deals_with_signed_bids` made no deal with `ask`, for
		/// `error` (the name `open_deal_with_signed_bid` refuses it by); nothing of it changed.
		SignedBidRefused { ask: OrderId, customer: T::AccountId, nonce: u64, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// New orders and deals are paused.
		MarketPaused,
		/// No open order has this id.
		OrderNotFound,
		/// Only the order's author may do this.
		NotOrderAuthor,
		/// The account has as many open orders as allowed.
		TooManyOrders,
		/// The order carries fewer than the 12 standard benchmarks or more than allowed.
		BadBenchmarks,
		/// Unknown network flag bits.
		BadNetflags,
		/// A price of zero.
		ZeroPrice,
		/// Longer than the longest allowed deal.
		DurationTooLong,
		/// The expiry is not in the future.
		ExpiryInPast,
		/// The order has not expired yet.
		OrderNotExpired,
		/// The order has expired.
		OrderExpired,
		/// USD prices need a fresh SNM/USD price, and there is none.
		PriceUnavailable,
		/// The account cannot pay what has to be held.
		InsufficientBalance,
		/// An amount overflowed.
		Overflow,
		/// The first order of `open_deal` is not an ask.
		NotAnAsk,
		/// The second order of `open_deal` is not a bid.
		NotABid,
		/// A supplier cannot deal with itself.
		SelfDeal,
		/// The orders quote prices in different units.
		UnitMismatch,
		/// The ask's price is above the bid's.
		PriceTooHigh,
		/// Spot against forward, or a forward ask shorter than the bid.
		DurationMismatch,
		/// The ask names another counterparty.
		AskCounterpartyMismatch,
		/// The bid names another counterparty.
		BidCounterpartyMismatch,
		/// The customer's identity level is below the ask's minimum.
		CustomerIdentityTooLow,
		/// The supplier's identity level is below the bid's minimum.
		SupplierIdentityTooLow,
		/// The ask lacks network flags the bid needs.
		NetflagsMismatch,
		/// The ask's benchmarks are below the bid's in some index.
		BenchmarksTooLow,
		/// The customer (or the bid's curator) blacklists the supplier or its master.
		SupplierBlacklisted,
		/// The supplier, its master or the ask's curator blacklists the customer.
		CustomerBlacklisted,
		/// No open deal has this id.
		DealNotFound,
		/// The caller takes no part in this deal (or may not do this to it).
		NotDealParty,
		/// Only the customer may close a forward deal before its end.
		DealNotEnded,
		/// The blacklist refused the entry.
		BlacklistFailed,
		/// This side already has a pending change request for the deal.
		ChangeRequestPending,
		/// No such change request.
		ChangeRequestNotFound,
		/// A spot deal's duration stays 0, a forward deal's cannot become 0, and no deal can be
		/// shortened to before now.
		BadChangeDuration,
		/// The customer cannot hold what the new terms need.
		CannotCoverChange,
		/// The worker already has a master (or a pending request).
		AlreadyHasMaster,
		/// An account cannot be its own master.
		OwnMaster,
		/// No such worker request or link.
		NoMasterLink,
		/// Only the worker's master may do this.
		NotMaster,
		/// The master link is already confirmed.
		AlreadyConfirmed,
		/// The endpoint is neither an HTTP(S) URL with a host nor a libp2p multiaddress, or has
		/// spaces or non-ASCII characters.
		BadEndpoint,
		/// The account has no endpoint record.
		NoEndpoint,
		/// `place_orders` was given no orders.
		NoOrders,
		/// The signed bid's signature is not its customer's over its payload (altered, or
		/// signed for another chain or purpose).
		BadBidSignature,
		/// The signed bid has expired.
		SignedBidExpired,
		/// The signed bid was used already, or revoked.
		SignedBidUsed,
		/// No record of that signed bid.
		SignedBidNotFound,
		/// The signed bid's record stays until the bid expires.
		SignedBidNotExpired,
		/// `open_deals_with_signed_bids` was given no signed bids.
		NoSignedBids,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxBenchmarks::get() as usize >= sonm_primitives::benchmarks::STANDARD_COUNT,
				"MaxBenchmarks must hold the 12 standard benchmarks"
			);
			assert!(T::MaxOrdersPerAccount::get() > 0, "accounts must be able to place orders");
			assert!(
				(1..=T::MaxOrdersPerAccount::get()).contains(&T::MaxOrdersPerCall::get()),
				"a batch of orders must fit one account's open orders"
			);
			assert!(T::SpotPrepay::get() > 0, "spot deals must be paid ahead");
			assert!(T::MaxDuration::get() > 0, "forward deals must be possible");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Places an order. A bid holds what its deal will need at opening (price x duration;
		/// a spot bid `SpotPrepay` seconds; USD prices at the current rate plus `UsdMargin`);
		/// every order holds `OrderDeposit`.
		///
		/// Origin: signed, the author. Emits `OrderPlaced`. Errors: `MarketPaused`,
		/// `TooManyOrders`, `BadBenchmarks`, `BadNetflags`, `ZeroPrice`, `DurationTooLong`,
		/// `ExpiryInPast`, `PriceUnavailable`, `InsufficientBalance`, `Overflow`.
		///
		/// Weighed for an author whose order index is full but for this one and the most
		/// benchmark values, and not refunded: the orders' new keys cost more to commit than the
		/// storage benchmark's overwrites, and full blocks of ordinary orders take that margin
		/// (`docs/BENCHMARKS.md`, "Weighed by what it met").
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::place_order(
			T::MaxOrdersPerAccount::get().saturating_sub(1),
			T::MaxBenchmarks::get(),
		))]
		pub fn place_order(origin: OriginFor<T>, terms: OrderTermsOf<T>) -> DispatchResult {
			let author = ensure_signed(origin)?;
			Self::do_place_order(author, terms).map(|_| ())
		}

		/// Places several orders at once, all or none: each is checked and holds its deposit
		/// (and a bid its escrow) exactly as `place_order` would, in the given order, and the
		/// first that fails fails the call with its error and places none. One signature for a
		/// supplier's plans or a customer's bids.
		///
		/// Origin: signed, the author of every order. Emits `OrderPlaced` for each. Errors:
		/// `NoOrders` for an empty list, and those of `place_order`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::place_orders(orders.len() as u32))]
		pub fn place_orders(
			origin: OriginFor<T>,
			orders: BoundedVec<OrderTermsOf<T>, T::MaxOrdersPerCall>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			ensure!(!orders.is_empty(), Error::<T>::NoOrders);
			// All or none, whoever calls it (dispatch adds a layer of its own).
			frame_support::storage::with_storage_layer(|| {
				for terms in orders {
					Self::do_place_order(author.clone(), terms)?;
				}
				Ok(())
			})
		}

		/// Opens a deal from `ask` and a bid its customer signed off chain, in one extrinsic:
		/// the signature, the nonce (unused) and the expiry are checked, the bid's terms are
		/// checked as `place_order` checks them and the deal opened under every rule of
		/// `open_deal`, the deal's escrow and deposit held from the customer; all or none. The
		/// bid is never written as an order: it gets an order id (the deal's) and its
		/// `OrderPlaced` event. Whoever submits it (the worker) pays the fee.
		///
		/// Origin: any signed account. Emits `OrderPlaced`, `DealOpened`. Errors:
		/// `SignedBidExpired`, `SignedBidUsed`, `BadBidSignature`, `NotABid`, the terms' errors
		/// of `place_order`, and those of `open_deal`.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::open_deal_with_signed_bid(
			T::Blacklist::max_subscriptions()
		))]
		pub fn open_deal_with_signed_bid(
			origin: OriginFor<T>,
			ask: OrderId,
			bid: alloc::boxed::Box<SignedBid<T>>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let (_, reads) = Self::do_open_with_signed_bid(ask, *bid)?;
			// Weighed like `open_deal`: for the blacklists the checks read, not the most.
			let weight = T::WeightInfo::open_deal_with_signed_bid(reads.subscriptions);
			Ok(Some(Self::match_weight(weight, reads, &deals::OPEN_DEAL_WORST)).into())
		}

		/// Opens a deal for each pair in `bids` of an ask and a bid its customer signed
		/// off chain, in one extrinsic: a worker's deals from the signed bids that reached it
		/// while its last extrinsic was on the way. Each pair is checked and opened exactly as
		/// `open_deal_with_signed_bid` would, in the given order, and on its own: a bid that
		/// call refuses (used by another worker first, expired, revoked, an ask already taken by
		/// an earlier pair) makes no deal, changes nothing and is named in a
		/// `SignedBidRefused` event, and the others still open. Weighed as that many
		/// `open_deal_with_signed_bid`, each refunded as that call is (a refused one is charged
		/// in full).
		///
		/// Origin: any signed account. Emits, for each pair, `OrderPlaced` and `DealOpened`, or
		/// `SignedBidRefused`. Errors: `NoSignedBids` for an empty list.
		#[pallet::call_index(20)]
		#[pallet::weight(T::WeightInfo::open_deal_with_signed_bid(
			T::Blacklist::max_subscriptions()
		).saturating_mul(bids.len() as u64))]
		pub fn open_deals_with_signed_bids(
			origin: OriginFor<T>,
			bids: BoundedVec<(OrderId, SignedBid<T>), T::MaxOrdersPerCall>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			ensure!(!bids.is_empty(), Error::<T>::NoSignedBids);
			let most = T::WeightInfo::open_deal_with_signed_bid(T::Blacklist::max_subscriptions());
			let mut weight = Weight::zero();
			for (ask, bid) in bids {
				let (customer, nonce) = (bid.customer.clone(), bid.nonce);
				weight.saturating_accrue(match Self::do_open_with_signed_bid(ask, bid) {
					Ok((_, reads)) => Self::match_weight(
						T::WeightInfo::open_deal_with_signed_bid(reads.subscriptions),
						reads,
						&deals::OPEN_DEAL_WORST,
					),
					Err(error) => {
						Self::deposit_event(Event::SignedBidRefused {
							ask,
							customer,
							nonce,
							error,
						});
						most
					},
				});
			}
			Ok(Some(weight).into())
		}

		/// Revokes the caller's signed bid `nonce` (expiring at `expires_at`) before anyone uses
		/// it.
		///
		/// Origin: signed, the customer. Emits `SignedBidRevoked`. Errors: `SignedBidUsed`.
		#[pallet::call_index(18)]
		#[pallet::weight(T::DbWeight::get().reads_writes(1, 1))]
		pub fn revoke_signed_bid(
			origin: OriginFor<T>,
			nonce: u64,
			expires_at: Seconds,
		) -> DispatchResult {
			let customer = ensure_signed(origin)?;
			ensure!(
				!SignedBidNonces::<T>::contains_key(&customer, nonce),
				Error::<T>::SignedBidUsed
			);
			SignedBidNonces::<T>::insert(&customer, nonce, expires_at);
			Self::deposit_event(Event::SignedBidRevoked { customer, nonce });
			Ok(())
		}

		/// Removes the record of an expired signed bid (used or revoked): anyone may.
		///
		/// Origin: any signed account. Errors: `SignedBidNotFound`, `SignedBidNotExpired`.
		#[pallet::call_index(19)]
		#[pallet::weight(T::DbWeight::get().reads_writes(2, 1))]
		pub fn forget_signed_bid(
			origin: OriginFor<T>,
			customer: T::AccountId,
			nonce: u64,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let expires_at =
				SignedBidNonces::<T>::get(&customer, nonce).ok_or(Error::<T>::SignedBidNotFound)?;
			ensure!(expires_at <= Self::now(), Error::<T>::SignedBidNotExpired);
			SignedBidNonces::<T>::remove(&customer, nonce);
			Ok(())
		}

		/// Cancels an open order and releases everything it holds.
		///
		/// Origin: signed, the author. Emits `OrderCancelled`. Errors: `OrderNotFound`,
		/// `NotOrderAuthor`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_order())]
		pub fn cancel_order(origin: OriginFor<T>, id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_order(Some(who), id)
		}

		/// Removes an expired order; what it held goes back to its author.
		///
		/// Origin: any signed account. Emits `OrderCancelled`. Errors: `OrderNotFound`,
		/// `OrderNotExpired`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_expired_order())]
		pub fn remove_expired_order(origin: OriginFor<T>, id: OrderId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_cancel_order(None, id)
		}

		/// Opens a deal from an ask and a bid after checking every rule of the market. The
		/// deal takes the ask's price and the bid's duration; both orders are consumed.
		///
		/// Origin: any signed account (the matcher). Emits `DealOpened`. Errors: every
		/// matching error (`NotAnAsk` to `CustomerBlacklisted`), `MarketPaused`,
		/// `OrderNotFound`, `OrderExpired`, `PriceUnavailable`, `InsufficientBalance`.
		///
		/// Weighed for the most subscribed blacklists, a master, curators and identity
		/// requirements; the reads the checks did not do are refunded.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::open_deal(T::Blacklist::max_subscriptions()))]
		pub fn open_deal(
			origin: OriginFor<T>,
			ask: OrderId,
			bid: OrderId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let (_, reads) = Self::do_open_deal(ask, bid)?;
			let weight = T::WeightInfo::open_deal(reads.subscriptions);
			Ok(Some(Self::match_weight(weight, reads, &deals::OPEN_DEAL_WORST)).into())
		}

		/// Buys an ask directly: a bid with the ask's price and `duration` is placed for the
		/// caller and the deal opened at once.
		///
		/// Origin: signed, the customer. Emits `OrderPlaced`, `DealOpened`. Errors: those of
		/// `place_order` and `open_deal`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::quick_buy(T::Blacklist::max_subscriptions()))]
		pub fn quick_buy(
			origin: OriginFor<T>,
			ask: OrderId,
			duration: Seconds,
		) -> DispatchResultWithPostInfo {
			let customer = ensure_signed(origin)?;
			let (_, reads) = Self::do_quick_buy(customer, ask, duration)?;
			let weight = T::WeightInfo::quick_buy(reads.subscriptions);
			Ok(Some(Self::match_weight(weight, reads, &deals::QUICK_BUY_WORST)).into())
		}

		/// Pays the payee for the time since the last bill (capped at the deal's end), keeps the
		/// next period covered, and closes the deal if it has ended or the customer cannot pay.
		///
		/// Origin: any signed account. Emits `DealBilled`, possibly `DealClosed`. Errors:
		/// `DealNotFound`, `PriceUnavailable` (a USD deal waits for a price), `Overflow`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::bill())]
		pub fn bill(origin: OriginFor<T>, id: DealId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_bill(id)
		}

		/// Closes a deal: billed up to now (at the last SNM/USD price in force, fresh or not),
		/// the rest of the escrow and the deal's deposit back to the customer. A forward deal
		/// before its end only by the customer; after its end by anyone, free of fees; a spot
		/// deal by the customer, the supplier or its master. With `blacklist`, the closer
		/// blacklists the counterparty (the customer: the supplier's master, or the supplier;
		/// the supplier: the customer), after the refund.
		///
		/// Origin: signed. Emits `DealBilled`, `DealClosed`, `CounterpartyBlacklisted`. Errors:
		/// `DealNotFound`, `NotDealParty`, `DealNotEnded`, `BlacklistFailed`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::close_deal())]
		pub fn close_deal(
			origin: OriginFor<T>,
			id: DealId,
			blacklist: bool,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let ended = Self::do_close_deal(who, id, blacklist)?;
			let pays_fee = if ended { Pays::No } else { Pays::Yes };
			Ok(PostDispatchInfo { actual_weight: None, pays_fee })
		}

		/// Proposes new terms (price per second and total duration) for a deal. Accepted at once
		/// when it favours the other side (the customer raising the price or the supplier
		/// lowering it, at the same duration) or matches the other side's pending request.
		///
		/// Origin: signed, the customer or the supplier (or its master). Emits
		/// `ChangeRequested`, possibly `DealChanged`. Errors: `DealNotFound`, `NotDealParty`,
		/// `ChangeRequestPending`, `BadChangeDuration`, `ZeroPrice`, `CannotCoverChange`,
		/// `PriceUnavailable`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::request_change())]
		pub fn request_change(
			origin: OriginFor<T>,
			id: DealId,
			per_second: BalanceOf<T>,
			duration: Seconds,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_change(who, id, per_second, duration)
		}

		/// Accepts the other side's pending change request.
		///
		/// Origin: signed, the other side. Emits `DealBilled`, `DealChanged`. Errors:
		/// `DealNotFound`, `NotDealParty`, `ChangeRequestNotFound`, `BadChangeDuration`,
		/// `CannotCoverChange`, `PriceUnavailable`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::accept_change())]
		pub fn accept_change(origin: OriginFor<T>, id: DealId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_change(who, id)
		}

		/// Drops a pending change request: the creator withdraws its own, or the other side
		/// rejects it.
		///
		/// Origin: signed, a side of the deal. Emits `ChangeRequestDropped`. Errors:
		/// `DealNotFound`, `NotDealParty`, `ChangeRequestNotFound`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::drop_change())]
		pub fn drop_change(origin: OriginFor<T>, id: DealId, side: Side) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_drop_change(who, id, side)
		}

		/// A worker asks to join `master`; deal income goes to the master once it confirms.
		///
		/// Origin: signed, the worker. Emits `WorkerRequested`. Errors: `AlreadyHasMaster`,
		/// `OwnMaster`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::request_master())]
		pub fn request_master(origin: OriginFor<T>, master: T::AccountId) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_request_master(worker, master)
		}

		/// The master confirms a worker's request.
		///
		/// Origin: signed, the master. Emits `WorkerConfirmed`. Errors: `NoMasterLink`,
		/// `NotMaster`, `AlreadyConfirmed`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::confirm_worker())]
		pub fn confirm_worker(origin: OriginFor<T>, worker: T::AccountId) -> DispatchResult {
			let master = ensure_signed(origin)?;
			Self::do_confirm_worker(master, worker)
		}

		/// Ends a worker's link to its master (or its pending request).
		///
		/// Origin: signed, the worker or the master. Emits `WorkerRemoved`. Errors:
		/// `NoMasterLink`, `NotMaster`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::remove_worker())]
		pub fn remove_worker(origin: OriginFor<T>, worker: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_worker(who, worker)
		}

		/// Publishes where the caller's worker is reached, or changes it. The first record holds
		/// `EndpointDeposit` until `clear_endpoint`; a change holds nothing more.
		///
		/// Origin: signed, the worker. Emits `EndpointSet`. Errors: `BadEndpoint`,
		/// `InsufficientBalance`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::set_endpoint())]
		pub fn set_endpoint(origin: OriginFor<T>, url: EndpointUrl) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_set_endpoint(worker, url)
		}

		/// Withdraws the caller's endpoint record and releases its deposit.
		///
		/// Origin: signed, the worker. Emits `EndpointCleared`. Errors: `NoEndpoint`.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::clear_endpoint())]
		pub fn clear_endpoint(origin: OriginFor<T>) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_clear_endpoint(worker)
		}

		/// Pauses or resumes new orders and deals.
		///
		/// Origin: `PauseOrigin`. Emits `PauseSet`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_paused())]
		pub fn set_paused(origin: OriginFor<T>, paused: bool) -> DispatchResult {
			T::PauseOrigin::ensure_origin(origin)?;
			Paused::<T>::put(paused);
			Self::deposit_event(Event::PauseSet { paused });
			Ok(())
		}
	}
}
