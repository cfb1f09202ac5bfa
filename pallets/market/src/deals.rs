//! Opening deals (the matching rules), buying directly, and closing deals.

use crate::{
	billing::{RateUse, Settlement},
	pallet::*,
	types::*,
};
use frame_support::{ensure, pallet_prelude::*};
pub use sonm_primitives::matching::MatchReads;
use sonm_primitives::{
	matching::{self, MatchFacts, MatchFailure, MatchOrder, Matched},
	traits::{IdentityLevelOf, IsBlocked},
	IdentityLevel,
};

/// `open_deal`'s worst case: identity required both ways (the customer's, the supplier's and
/// its master's levels), curators on both orders, a master, and an ask naming the customer's
/// master (five lists, seven pairs, one customer's master).
pub const OPEN_DEAL_WORST: MatchReads =
	MatchReads { subscriptions: 0, identity_levels: 3, lists: 5, pairs: 7, customer_masters: 1 };
/// `quick_buy`'s worst case: its bid requires nothing and names no curator, so only the ask's
/// requirement, counterparty and curator and the master add reads.
pub const QUICK_BUY_WORST: MatchReads =
	MatchReads { subscriptions: 0, identity_levels: 1, lists: 4, pairs: 5, customer_masters: 1 };

/// The chain's state as the shared matching rules read it.
pub(crate) struct ChainFacts<T>(pub(crate) core::marker::PhantomData<T>);

impl<T: Config> MatchFacts<T::AccountId> for ChainFacts<T> {
	fn confirmed_master(&self, worker: &T::AccountId) -> Option<T::AccountId> {
		Pallet::<T>::confirmed_master(worker)
	}
	fn identity_level(&self, who: &T::AccountId) -> IdentityLevel {
		T::Identity::identity_level(who)
	}
	fn is_blocked(&self, list: &T::AccountId, whom: &T::AccountId) -> bool {
		T::Blacklist::is_blocked(list, whom)
	}
	fn subscriptions_of(&self, list: &T::AccountId) -> u32 {
		T::Blacklist::subscriptions_of(list)
	}
}

/// An order as the shared matching rules read it.
pub(crate) fn match_view<T: Config>(
	order: &OrderOf<T>,
) -> MatchOrder<'_, T::AccountId, BalanceOf<T>, PriceUnit> {
	let terms = &order.terms;
	MatchOrder {
		author: &order.author,
		side: terms.side,
		unit: terms.price.unit,
		per_second: terms.price.per_second,
		duration: terms.duration,
		counterparty: terms.counterparty.as_ref(),
		min_identity: terms.min_identity,
		curator: terms.curator.as_ref(),
		benchmarks: &terms.benchmarks,
		netflags: terms.netflags,
		expires_at: terms.expires_at,
	}
}

impl<T: Config> From<MatchFailure> for Error<T> {
	fn from(failure: MatchFailure) -> Self {
		match failure {
			MatchFailure::NotAnAsk => Error::<T>::NotAnAsk,
			MatchFailure::NotABid => Error::<T>::NotABid,
			MatchFailure::OrderExpired => Error::<T>::OrderExpired,
			MatchFailure::SelfDeal => Error::<T>::SelfDeal,
			MatchFailure::UnitMismatch => Error::<T>::UnitMismatch,
			MatchFailure::PriceTooHigh => Error::<T>::PriceTooHigh,
			MatchFailure::DurationMismatch => Error::<T>::DurationMismatch,
			MatchFailure::AskCounterpartyMismatch => Error::<T>::AskCounterpartyMismatch,
			MatchFailure::BidCounterpartyMismatch => Error::<T>::BidCounterpartyMismatch,
			MatchFailure::CustomerIdentityTooLow => Error::<T>::CustomerIdentityTooLow,
			MatchFailure::SupplierIdentityTooLow => Error::<T>::SupplierIdentityTooLow,
			MatchFailure::NetflagsMismatch => Error::<T>::NetflagsMismatch,
			MatchFailure::BenchmarksTooLow => Error::<T>::BenchmarksTooLow,
			MatchFailure::SupplierBlacklisted => Error::<T>::SupplierBlacklisted,
			MatchFailure::CustomerBlacklisted => Error::<T>::CustomerBlacklisted,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Opens a deal from `ask_id` and `bid_id`; see [`Pallet::open_deal`]. Returns the deal's id
	/// and what the match read (what the weight depends on).
	pub(crate) fn do_open_deal(
		ask_id: OrderId,
		bid_id: OrderId,
	) -> Result<(DealId, MatchReads), DispatchError> {
		ensure!(!Paused::<T>::get(), Error::<T>::MarketPaused);
		let ask = Orders::<T>::get(ask_id.to_be_bytes()).ok_or(Error::<T>::OrderNotFound)?;
		let bid = Orders::<T>::get(bid_id.to_be_bytes()).ok_or(Error::<T>::OrderNotFound)?;
		let now = Self::now();
		let matched = Self::check_match(&ask, &bid, now)?;
		// The bid's escrow becomes the deal's: released here, then held again for the deal at
		// the ask's price (no more than the bid held for SNM prices; USD rates may have
		// moved). The bid's deposit is held again as the deal's storage deposit.
		Self::remove_order(bid_id, &bid)?;
		Self::open_matched(ask_id, ask, bid_id, bid, matched, now)
	}

	/// Opens the deal of `ask` and `bid`, which match (`matched`) at `now`: the ask leaves the
	/// book, the customer's escrow at the ask's price and the bid's deposit are held for the
	/// deal. The bid is not in the book: taken out of it, or never in it (a signed bid).
	fn open_matched(
		ask_id: OrderId,
		ask: OrderOf<T>,
		bid_id: OrderId,
		bid: OrderOf<T>,
		matched: Matched<T::AccountId>,
		now: Seconds,
	) -> Result<(DealId, MatchReads), DispatchError> {
		let Matched { master, reads } = matched;
		let supplier = ask.author.clone();
		let consumer = bid.author;
		let payee = master.unwrap_or_else(|| supplier.clone());
		let price = ask.terms.price;
		let duration = bid.terms.duration;
		let escrow = Self::opening_escrow(&price, duration)?;
		Self::remove_order(ask_id, &ask)?;
		Self::hold(HoldReason::DealEscrow, &consumer, escrow)?;
		let deposit = bid.deposit;
		Self::hold(HoldReason::DealDeposit, &consumer, deposit)?;

		// A deal is known by its bid's id: unique, since a bid makes one deal at most, and
		// known to the customer before the deal opens.
		let id = bid_id;
		let deal = Deal {
			ask: ask_id,
			bid: bid_id,
			supplier: supplier.clone(),
			consumer: consumer.clone(),
			payee,
			price,
			duration,
			start: now,
			billed_until: now,
			escrow,
			paid: Default::default(),
			deposit,
			#[cfg(feature = "upgrade-rehearsal")]
			ends: (duration > 0).then(|| now.saturating_add(duration)),
		};
		Self::index_deal(id, &deal);
		Deals::<T>::insert(id.to_be_bytes(), deal);
		Self::deposit_event(Event::DealOpened { id, ask: ask_id, bid: bid_id, supplier, consumer });
		Ok((id, reads))
	}

	/// Whether `ask` and `bid` make a deal at `now`: the shared rules of
	/// `sonm_primitives::matching`, read against this chain's state.
	pub(crate) fn check_match(
		ask: &OrderOf<T>,
		bid: &OrderOf<T>,
		now: Seconds,
	) -> Result<Matched<T::AccountId>, Error<T>> {
		matching::check_match(
			&match_view::<T>(ask),
			&match_view::<T>(bid),
			now,
			&ChainFacts::<T>(Default::default()),
		)
		.map_err(Into::into)
	}

	/// `weight`, benchmarked for `worst` at `reads.subscriptions`, less the reads this match
	/// skipped.
	pub(crate) fn match_weight(weight: Weight, reads: MatchReads, worst: &MatchReads) -> Weight {
		let skipped = reads.skipped(worst) as u64;
		weight.saturating_sub(<T as frame_system::Config>::DbWeight::get().reads(skipped))
	}

	/// Places a bid that mirrors ask `ask_id` for `customer`, for `duration`, and opens the
	/// deal; see [`Pallet::quick_buy`].
	pub(crate) fn do_quick_buy(
		customer: T::AccountId,
		ask_id: OrderId,
		duration: Seconds,
	) -> Result<(DealId, MatchReads), DispatchError> {
		let ask = Orders::<T>::get(ask_id.to_be_bytes()).ok_or(Error::<T>::OrderNotFound)?;
		ensure!(ask.terms.side == Side::Ask, Error::<T>::NotAnAsk);
		let terms = OrderTerms {
			side: Side::Bid,
			duration,
			counterparty: None,
			min_identity: IdentityLevel::Anonymous,
			curator: None,
			expires_at: None,
			..ask.terms
		};
		let bid = Self::do_place_order(customer, terms)?;
		Self::do_open_deal(ask_id, bid)
	}

	/// Opens a deal from ask `ask_id` and a signed bid; see
	/// [`Pallet::open_deal_with_signed_bid`].
	pub(crate) fn do_open_with_signed_bid(
		ask_id: OrderId,
		bid: SignedBid<T>,
	) -> Result<(DealId, MatchReads), DispatchError> {
		use sp_runtime::traits::{Verify, Zero};
		type BlockNumberFor<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
		ensure!(bid.expires_at > Self::now(), Error::<T>::SignedBidExpired);
		ensure!(
			!SignedBidNonces::<T>::contains_key(&bid.customer, bid.nonce),
			Error::<T>::SignedBidUsed
		);
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let payload = sonm_primitives::market::signed_bid_payload(
			&genesis,
			&bid.customer,
			&bid.terms,
			bid.nonce,
			bid.expires_at,
		);
		ensure!(bid.signature.verify(&payload[..], &bid.customer), Error::<T>::BadBidSignature);
		ensure!(bid.terms.side == Side::Bid, Error::<T>::NotABid);
		// The bid is checked as `place_order` checks an order and matched as `open_deal`
		// matches, but never written as an order: it gets an order's id (the deal's), its
		// `OrderPlaced` event, and holds only what the deal holds.
		frame_support::storage::with_storage_layer(|| {
			SignedBidNonces::<T>::insert(&bid.customer, bid.nonce, bid.expires_at);
			let now = Self::admit_new_order(&bid.terms)?;
			let ask = Orders::<T>::get(ask_id.to_be_bytes()).ok_or(Error::<T>::OrderNotFound)?;
			let bid = Order {
				author: bid.customer,
				terms: bid.terms,
				placed_at: now,
				deposit: T::OrderDeposit::get(),
				escrow: Zero::zero(),
			};
			let matched = Self::check_match(&ask, &bid, now)?;
			let bid_id = Self::take_order_id()?;
			Self::deposit_event(Event::OrderPlaced {
				id: bid_id,
				author: bid.author.clone(),
				side: Side::Bid,
			});
			Self::open_matched(ask_id, ask, bid_id, bid, matched, now)
		})
	}

	/// Closes deal `id` for `who`; see [`Pallet::close_deal`]. Returns whether the deal had
	/// ended (removing an ended deal is free: whoever cleans up is not out of pocket).
	pub(crate) fn do_close_deal(
		who: T::AccountId,
		id: DealId,
		blacklist: bool,
	) -> Result<bool, DispatchError> {
		let mut deal = Self::deal(id)?;
		let now = Self::now();
		let is_customer = who == deal.consumer;
		let is_supplier = who == deal.supplier || who == deal.payee;
		let ended = deal.end().is_some_and(|end| now >= end);
		let mut reason = match deal.end() {
			Some(_) if ended => CloseReason::Expired,
			Some(_) if is_customer => CloseReason::ByCustomer,
			Some(_) if is_supplier => return Err(Error::<T>::DealNotEnded.into()),
			None if is_customer => CloseReason::ByCustomer,
			None if is_supplier => CloseReason::BySupplier,
			_ => return Err(Error::<T>::NotDealParty.into()),
		};
		// The customer blacklists the supplier's master when it has one (the payee), the
		// supplier blacklists the customer.
		let blacklisted = match (blacklist, is_customer, is_supplier) {
			(false, ..) => None,
			(true, true, _) => Some(deal.payee.clone()),
			(true, false, true) => Some(deal.consumer.clone()),
			(true, false, false) => return Err(Error::<T>::NotDealParty.into()),
		};
		// Closing settles at the last price in force: an oracle outage neither keeps a deal
		// open nor is charged once a price returns.
		if Self::settle(id, &mut deal, now, RateUse::LastInForce)? == Settlement::Short {
			reason = CloseReason::InsufficientFunds;
		}
		// The refund comes first, so that it can pay the blacklist entry's deposit.
		Self::close(id, deal, reason)?;
		if let Some(whom) = blacklisted {
			T::Blacklist::block(&who, &whom).map_err(|_| Error::<T>::BlacklistFailed)?;
			Self::deposit_event(Event::CounterpartyBlacklisted { id, who, whom });
		}
		Ok(ended)
	}
}
