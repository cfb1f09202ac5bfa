//! Opening deals (the matching rules), buying directly, and closing deals.

use crate::{
	billing::{RateUse, Settlement},
	pallet::*,
	types::*,
};
use frame_support::{ensure, pallet_prelude::*};
use sonm_primitives::{
	benchmarks, netflags,
	traits::{IdentityLevelOf, IsBlocked},
	IdentityLevel,
};

/// What matching two orders read of the identity and blacklist glue: the weights are
/// benchmarked for the worst case ([`OPEN_DEAL_WORST`], [`QUICK_BUY_WORST`]) and refund the
/// reads a match did not do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchReads {
	/// The most subscribed lists any consulted blacklist brought in (the benchmarks' `s`).
	pub subscriptions: u32,
	/// Identity levels read (only where an order requires more than Anonymous).
	pub identity_levels: u32,
	/// Blacklists consulted: each reads its subscriptions once.
	pub lists: u32,
	/// (list, account) pairs checked: each reads the list's own entry and one entry per
	/// subscribed list.
	pub pairs: u32,
	/// Masters of the customer read (only where the ask names a counterparty other than the
	/// customer itself, who may then be that counterparty's worker).
	pub customer_masters: u32,
}

/// `open_deal`'s worst case: identity required both ways (the customer's, the supplier's and
/// its master's levels), curators on both orders, a master, and an ask naming the customer's
/// master (five lists, seven pairs, one customer's master).
pub const OPEN_DEAL_WORST: MatchReads =
	MatchReads { subscriptions: 0, identity_levels: 3, lists: 5, pairs: 7, customer_masters: 1 };
/// `quick_buy`'s worst case: its bid requires nothing and names no curator, so only the ask's
/// requirement, counterparty and curator and the master add reads.
pub const QUICK_BUY_WORST: MatchReads =
	MatchReads { subscriptions: 0, identity_levels: 1, lists: 4, pairs: 5, customer_masters: 1 };

impl MatchReads {
	/// The storage reads `worst`, at this match's subscriptions, does and this match did not.
	pub fn skipped(&self, worst: &MatchReads) -> u32 {
		let per_pair = 1 + self.subscriptions;
		worst.identity_levels.saturating_sub(self.identity_levels)
			+ worst.customer_masters.saturating_sub(self.customer_masters)
			+ worst.lists.saturating_sub(self.lists)
			+ worst.pairs.saturating_sub(self.pairs) * per_pair
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
		let ask = Orders::<T>::get(ask_id).ok_or(Error::<T>::OrderNotFound)?;
		let bid = Orders::<T>::get(bid_id).ok_or(Error::<T>::OrderNotFound)?;
		ensure!(ask.terms.side == Side::Ask, Error::<T>::NotAnAsk);
		ensure!(bid.terms.side == Side::Bid, Error::<T>::NotABid);
		let now = Self::now();
		ensure!(
			!Self::is_expired(&ask, now) && !Self::is_expired(&bid, now),
			Error::<T>::OrderExpired
		);
		let master = Self::confirmed_master(&ask.author);
		let reads = Self::check_match(&ask, &bid, master.as_ref())?;

		let supplier = ask.author.clone();
		let consumer = bid.author.clone();
		let payee = master.unwrap_or_else(|| supplier.clone());
		let price = ask.terms.price;
		let duration = bid.terms.duration;
		let escrow = Self::opening_escrow(&price, duration)?;

		// The bid's escrow becomes the deal's: released, then held again for the deal at the
		// ask's price (no more than the bid held for SNM prices; USD rates may have moved). The
		// bid's deposit stays held as the deal's storage deposit.
		Self::remove_order(ask_id, &ask)?;
		Self::remove_order(bid_id, &bid)?;
		Self::hold(HoldReason::DealEscrow, &consumer, escrow)?;
		let deposit = bid.deposit;
		Self::hold(HoldReason::DealDeposit, &consumer, deposit)?;

		// A deal is known by its bid's id: unique, since a bid makes one deal at most, and
		// known to the customer before the deal opens.
		let id = bid_id;
		Deals::<T>::insert(
			id,
			Deal {
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
			},
		);
		Self::deposit_event(Event::DealOpened { id, ask: ask_id, bid: bid_id, supplier, consumer });
		Ok((id, reads))
	}

	/// Every rule an ask and a bid must meet to make a deal (`pallets/market/README.md`).
	/// `master` is the ask author's confirmed master. Identity levels are read only where an
	/// order requires more than Anonymous. Returns what it read of the glue (what the weight
	/// depends on).
	pub(crate) fn check_match(
		ask: &OrderOf<T>,
		bid: &OrderOf<T>,
		master: Option<&T::AccountId>,
	) -> Result<MatchReads, DispatchError> {
		let (supplier, consumer) = (&ask.author, &bid.author);
		ensure!(supplier != consumer && master != Some(consumer), Error::<T>::SelfDeal);
		ensure!(ask.terms.price.unit == bid.terms.price.unit, Error::<T>::UnitMismatch);
		ensure!(ask.terms.price.per_second <= bid.terms.price.per_second, Error::<T>::PriceTooHigh);
		ensure!(ask.terms.duration >= bid.terms.duration, Error::<T>::DurationMismatch);
		// A named counterparty may be the party itself or its confirmed master, both ways.
		let mut customer_masters = 0;
		if let Some(wanted) = ask.terms.counterparty.as_ref().filter(|wanted| *wanted != consumer) {
			customer_masters += 1;
			ensure!(
				Self::confirmed_master(consumer).as_ref() == Some(wanted),
				Error::<T>::AskCounterpartyMismatch
			);
		}
		if let Some(wanted) = &bid.terms.counterparty {
			ensure!(
				wanted == supplier || Some(wanted) == master,
				Error::<T>::BidCounterpartyMismatch
			);
		}
		let mut identity_levels = 0;
		if ask.terms.min_identity > IdentityLevel::Anonymous {
			identity_levels += 1;
			ensure!(
				T::Identity::identity_level(consumer) >= ask.terms.min_identity,
				Error::<T>::CustomerIdentityTooLow
			);
		}
		if bid.terms.min_identity > IdentityLevel::Anonymous {
			identity_levels += 1 + master.is_some() as u32;
			let supplier_level = master
				.map(T::Identity::identity_level)
				.unwrap_or(IdentityLevel::Anonymous)
				.max(T::Identity::identity_level(supplier));
			ensure!(supplier_level >= bid.terms.min_identity, Error::<T>::SupplierIdentityTooLow);
		}
		ensure!(
			netflags::satisfies(ask.terms.netflags, bid.terms.netflags),
			Error::<T>::NetflagsMismatch
		);
		ensure!(
			benchmarks::satisfies(&ask.terms.benchmarks, &bid.terms.benchmarks),
			Error::<T>::BenchmarksTooLow
		);

		let supplier_side = [Some(supplier), master];
		let consumer_lists = [Some(consumer), bid.terms.curator.as_ref()];
		for list in consumer_lists.into_iter().flatten() {
			for whom in supplier_side.into_iter().flatten() {
				ensure!(!T::Blacklist::is_blocked(list, whom), Error::<T>::SupplierBlacklisted);
			}
		}
		let supplier_lists = [Some(supplier), master, ask.terms.curator.as_ref()];
		for list in supplier_lists.into_iter().flatten() {
			ensure!(!T::Blacklist::is_blocked(list, consumer), Error::<T>::CustomerBlacklisted);
		}
		let lists = consumer_lists.into_iter().chain(supplier_lists).flatten();
		let subscriptions = lists.clone().map(T::Blacklist::subscriptions_of).max().unwrap_or(0);
		let suppliers = supplier_side.into_iter().flatten().count() as u32;
		let pairs = consumer_lists.into_iter().flatten().count() as u32 * suppliers
			+ supplier_lists.into_iter().flatten().count() as u32;
		Ok(MatchReads {
			subscriptions,
			identity_levels,
			lists: lists.count() as u32,
			pairs,
			customer_masters,
		})
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
		let ask = Orders::<T>::get(ask_id).ok_or(Error::<T>::OrderNotFound)?;
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
