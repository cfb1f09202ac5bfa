//! The matching rules: whether an ask and a bid make a deal and, when not, which rule fails.
//!
//! One pure function, [`check_match`], called by the market pallet's `open_deal`, `quick_buy`
//! and `market_matchingOrders`, by the CLI before it signs `open_deal`, and by the worker's
//! matcher. What the rules read beyond the two orders (masters, identity levels, blacklists)
//! comes through [`MatchFacts`]: storage in the pallet, RPC answers off chain.
//!
//! The rules, in the order they are checked (the first that fails is the one named):
//! 1. the first order is an ask, the second a bid, and neither has expired;
//! 2. the customer is neither the supplier nor the supplier's confirmed master;
//! 3. both prices are in the same unit, and the ask's is not above the bid's;
//! 4. durations of the same kind: a spot ask (0) only with a spot bid, a forward ask only with a
//!    forward bid no longer than the ask;
//! 5. a counterparty named by the ask is the customer or the customer's confirmed master; one
//!    named by the bid is the supplier or the supplier's confirmed master;
//! 6. identity levels: the customer's at least the ask's minimum; the supplier's (or its
//!    master's, whichever is higher) at least the bid's;
//! 7. network flags: the ask has every flag the bid wants;
//! 8. benchmarks: the ask's at least the bid's in every index (a missing entry is 0);
//! 9. blacklists: neither the customer's list nor the bid's curator's holds the supplier or its
//!    master; neither the supplier's, its master's nor the ask's curator's holds the customer.

use crate::{
	benchmarks,
	market::{Seconds, Side},
	netflags, IdentityLevel,
};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// What the matching rules read of an order, borrowed from whatever type holds it.
#[derive(Clone, Copy, Debug)]
pub struct MatchOrder<'a, AccountId, Balance, Unit> {
	/// Who placed it.
	pub author: &'a AccountId,
	/// Bid or ask.
	pub side: Side,
	/// The price's unit.
	pub unit: Unit,
	/// The price per second.
	pub per_second: Balance,
	/// Seconds; 0 for spot.
	pub duration: Seconds,
	/// Only this account (or its confirmed master) may be the counterparty.
	pub counterparty: Option<&'a AccountId>,
	/// The lowest identity level the counterparty must have.
	pub min_identity: IdentityLevel,
	/// Whose blacklist also applies to the counterparty.
	pub curator: Option<&'a AccountId>,
	/// Benchmarks by standard index: offered by an ask, required by a bid.
	pub benchmarks: &'a [u64],
	/// Network flags: offered by an ask, required by a bid.
	pub netflags: u8,
	/// When it stops being matchable.
	pub expires_at: Option<Seconds>,
}

impl<AccountId, Balance, Unit> MatchOrder<'_, AccountId, Balance, Unit> {
	/// Whether the order can no longer be matched at `now`.
	pub fn is_expired(&self, now: Seconds) -> bool {
		self.expires_at.is_some_and(|at| now >= at)
	}
}

/// What the rules read beyond the two orders.
pub trait MatchFacts<AccountId> {
	/// The confirmed master of `worker`, if any.
	fn confirmed_master(&self, worker: &AccountId) -> Option<AccountId>;
	/// The identity level of `who`.
	fn identity_level(&self, who: &AccountId) -> IdentityLevel;
	/// Whether `list`'s own blacklist, or a list it subscribes to, holds `whom`.
	fn is_blocked(&self, list: &AccountId, whom: &AccountId) -> bool;
	/// How many lists besides its own `is_blocked(list, _)` reads (what the pallet's weight
	/// depends on; 0 where nobody counts).
	fn subscriptions_of(&self, _list: &AccountId) -> u32 {
		0
	}
}

/// One question of [`MatchFacts`], to ask many at once of a node (`market_matchFacts`) at one
/// block.
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, Hash, PartialEq, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum Fact<AccountId> {
	/// The confirmed master of an account.
	Master(AccountId),
	/// The identity level of an account.
	Level(AccountId),
	/// Whether the first account's lists hold the second.
	Blocked(AccountId, AccountId),
}

/// The answer to a [`Fact`], of the same kind.
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum FactAnswer<AccountId> {
	/// A confirmed master, or none.
	Master(Option<AccountId>),
	/// An identity level.
	Level(IdentityLevel),
	/// Whether the list holds the account.
	Blocked(bool),
}

impl<AccountId: Clone> Fact<AccountId> {
	/// The answer `facts` gives.
	pub fn answer(&self, facts: &impl MatchFacts<AccountId>) -> FactAnswer<AccountId> {
		match self {
			Fact::Master(who) => FactAnswer::Master(facts.confirmed_master(who)),
			Fact::Level(who) => FactAnswer::Level(facts.identity_level(who)),
			Fact::Blocked(list, whom) => FactAnswer::Blocked(facts.is_blocked(list, whom)),
		}
	}

	/// The same fact with every account mapped by `f`, or `f`'s first error.
	pub fn try_map<Other, Error>(
		&self,
		mut f: impl FnMut(&AccountId) -> Result<Other, Error>,
	) -> Result<Fact<Other>, Error> {
		Ok(match self {
			Fact::Master(who) => Fact::Master(f(who)?),
			Fact::Level(who) => Fact::Level(f(who)?),
			Fact::Blocked(list, whom) => Fact::Blocked(f(list)?, f(whom)?),
		})
	}
}

impl<AccountId> FactAnswer<AccountId> {
	/// The same answer with the account in it mapped by `f`.
	pub fn map<Other>(self, f: impl FnOnce(AccountId) -> Other) -> FactAnswer<Other> {
		match self {
			FactAnswer::Master(master) => FactAnswer::Master(master.map(f)),
			FactAnswer::Level(level) => FactAnswer::Level(level),
			FactAnswer::Blocked(blocked) => FactAnswer::Blocked(blocked),
		}
	}
}

/// The rule an ask and a bid fail, named as the market pallet's errors are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MatchFailure {
	/// The first order is not an ask.
	NotAnAsk,
	/// The second order is not a bid.
	NotABid,
	/// One of the orders has expired.
	OrderExpired,
	/// The customer is the supplier or the supplier's master.
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
}

impl MatchFailure {
	/// The failure's name, as the pallet's error of the same meaning is named.
	pub fn name(&self) -> &'static str {
		match self {
			Self::NotAnAsk => "NotAnAsk",
			Self::NotABid => "NotABid",
			Self::OrderExpired => "OrderExpired",
			Self::SelfDeal => "SelfDeal",
			Self::UnitMismatch => "UnitMismatch",
			Self::PriceTooHigh => "PriceTooHigh",
			Self::DurationMismatch => "DurationMismatch",
			Self::AskCounterpartyMismatch => "AskCounterpartyMismatch",
			Self::BidCounterpartyMismatch => "BidCounterpartyMismatch",
			Self::CustomerIdentityTooLow => "CustomerIdentityTooLow",
			Self::SupplierIdentityTooLow => "SupplierIdentityTooLow",
			Self::NetflagsMismatch => "NetflagsMismatch",
			Self::BenchmarksTooLow => "BenchmarksTooLow",
			Self::SupplierBlacklisted => "SupplierBlacklisted",
			Self::CustomerBlacklisted => "CustomerBlacklisted",
		}
	}
}

/// What matching two orders read of the facts: the pallet's weights are benchmarked for the
/// worst case and refund the reads a match did not do.
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

/// Two orders that make a deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched<AccountId> {
	/// The supplier's confirmed master: the deal's payee when there is one.
	pub master: Option<AccountId>,
	/// What the match read.
	pub reads: MatchReads,
}

/// Whether `ask` and `bid` make a deal at `now` (see the module's rules, checked in order).
pub fn check_match<AccountId, Balance, Unit>(
	ask: &MatchOrder<AccountId, Balance, Unit>,
	bid: &MatchOrder<AccountId, Balance, Unit>,
	now: Seconds,
	facts: &impl MatchFacts<AccountId>,
) -> Result<Matched<AccountId>, MatchFailure>
where
	AccountId: PartialEq + Clone,
	Balance: PartialOrd,
	Unit: PartialEq,
{
	use MatchFailure::*;
	let fail_unless = |ok: bool, failure: MatchFailure| if ok { Ok(()) } else { Err(failure) };
	fail_unless(ask.side == Side::Ask, NotAnAsk)?;
	fail_unless(bid.side == Side::Bid, NotABid)?;
	fail_unless(!ask.is_expired(now) && !bid.is_expired(now), OrderExpired)?;
	order_rules(ask, bid)?;

	let (supplier, consumer) = (ask.author, bid.author);
	let master = facts.confirmed_master(supplier);
	let master = master.as_ref();
	fail_unless(master != Some(consumer), SelfDeal)?;
	// A named counterparty may be the party itself or its confirmed master, both ways.
	let mut customer_masters = 0;
	if let Some(wanted) = ask.counterparty.filter(|wanted| *wanted != consumer) {
		customer_masters += 1;
		fail_unless(
			facts.confirmed_master(consumer).as_ref() == Some(wanted),
			AskCounterpartyMismatch,
		)?;
	}
	if let Some(wanted) = bid.counterparty {
		fail_unless(wanted == supplier || Some(wanted) == master, BidCounterpartyMismatch)?;
	}
	let mut identity_levels = 0;
	if ask.min_identity > IdentityLevel::Anonymous {
		identity_levels += 1;
		fail_unless(facts.identity_level(consumer) >= ask.min_identity, CustomerIdentityTooLow)?;
	}
	if bid.min_identity > IdentityLevel::Anonymous {
		identity_levels += 1 + master.is_some() as u32;
		let supplier_level = master
			.map(|master| facts.identity_level(master))
			.unwrap_or(IdentityLevel::Anonymous)
			.max(facts.identity_level(supplier));
		fail_unless(supplier_level >= bid.min_identity, SupplierIdentityTooLow)?;
	}
	fail_unless(netflags::satisfies(ask.netflags, bid.netflags), NetflagsMismatch)?;
	fail_unless(benchmarks::satisfies(ask.benchmarks, bid.benchmarks), BenchmarksTooLow)?;

	let supplier_side = [Some(supplier), master];
	let consumer_lists = [Some(consumer), bid.curator];
	for list in consumer_lists.into_iter().flatten() {
		for whom in supplier_side.into_iter().flatten() {
			fail_unless(!facts.is_blocked(list, whom), SupplierBlacklisted)?;
		}
	}
	let supplier_lists = [Some(supplier), master, ask.curator];
	for list in supplier_lists.into_iter().flatten() {
		fail_unless(!facts.is_blocked(list, consumer), CustomerBlacklisted)?;
	}
	let lists = consumer_lists.into_iter().chain(supplier_lists).flatten();
	let subscriptions = lists.clone().map(|list| facts.subscriptions_of(list)).max().unwrap_or(0);
	let suppliers = supplier_side.into_iter().flatten().count() as u32;
	let pairs = consumer_lists.into_iter().flatten().count() as u32 * suppliers
		+ supplier_lists.into_iter().flatten().count() as u32;
	let reads = MatchReads {
		subscriptions,
		identity_levels,
		lists: lists.count() as u32,
		pairs,
		customer_masters,
	};
	Ok(Matched { master: master.cloned(), reads })
}

/// The rules the two orders' own terms decide (self-deal by author, unit, price, duration):
/// what an index of the book can use to narrow its candidates before [`check_match`] has the
/// last word. Network flags and benchmarks are checked by [`check_match`] after the
/// counterparty and identity rules, so that the failure it names is the pallet's.
pub fn order_rules<AccountId, Balance, Unit>(
	ask: &MatchOrder<AccountId, Balance, Unit>,
	bid: &MatchOrder<AccountId, Balance, Unit>,
) -> Result<(), MatchFailure>
where
	AccountId: PartialEq,
	Balance: PartialOrd,
	Unit: PartialEq,
{
	use MatchFailure::*;
	if ask.author == bid.author {
		return Err(SelfDeal);
	}
	if ask.unit != bid.unit {
		return Err(UnitMismatch);
	}
	if ask.per_second > bid.per_second {
		return Err(PriceTooHigh);
	}
	if !durations_match(ask.duration, bid.duration) {
		return Err(DurationMismatch);
	}
	Ok(())
}

/// Rule 4: a spot ask only with a spot bid, a forward ask only with a forward bid no longer than
/// the ask. A forward ask against a spot bid would make a deal without the end the supplier
/// offered.
pub fn durations_match(ask: Seconds, bid: Seconds) -> bool {
	(ask == 0) == (bid == 0) && ask >= bid
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::{collections::BTreeMap, vec, vec::Vec};

	/// Facts from plain maps.
	#[derive(Default)]
	struct Facts {
		masters: BTreeMap<u8, u8>,
		levels: BTreeMap<u8, IdentityLevel>,
		blocked: Vec<(u8, u8)>,
	}

	impl MatchFacts<u8> for Facts {
		fn confirmed_master(&self, worker: &u8) -> Option<u8> {
			self.masters.get(worker).copied()
		}
		fn identity_level(&self, who: &u8) -> IdentityLevel {
			self.levels.get(who).copied().unwrap_or_default()
		}
		fn is_blocked(&self, list: &u8, whom: &u8) -> bool {
			self.blocked.contains(&(*list, *whom))
		}
	}

	fn order(
		author: &u8,
		side: Side,
		price: u32,
		duration: Seconds,
	) -> MatchOrder<'_, u8, u32, u8> {
		MatchOrder {
			author,
			side,
			unit: 0,
			per_second: price,
			duration,
			counterparty: None,
			min_identity: IdentityLevel::Anonymous,
			curator: None,
			benchmarks: &[],
			netflags: 0,
			expires_at: None,
		}
	}

	#[test]
	fn durations_match_only_of_the_same_kind() {
		assert!(durations_match(0, 0));
		assert!(durations_match(3600, 3600));
		assert!(durations_match(7200, 3600));
		assert!(!durations_match(3600, 7200));
		assert!(!durations_match(0, 3600), "a spot ask cannot promise a term");
		assert!(!durations_match(3600, 0), "a forward ask does not run open-ended");
	}

	#[test]
	fn the_first_failing_rule_is_named() {
		let (supplier, customer, master) = (1, 2, 3);
		let facts = Facts::default();
		let ask = order(&supplier, Side::Ask, 10, 3600);
		let bid = order(&customer, Side::Bid, 10, 3600);
		assert_eq!(check_match(&ask, &bid, 0, &facts).map(|m| m.master), Ok(None));
		assert_eq!(check_match(&bid, &ask, 0, &facts), Err(MatchFailure::NotAnAsk));
		let cheap = MatchOrder { per_second: 9, netflags: 1, ..bid };
		assert_eq!(check_match(&ask, &cheap, 0, &facts), Err(MatchFailure::PriceTooHigh));
		let expiring = MatchOrder { expires_at: Some(5), ..ask };
		assert_eq!(check_match(&expiring, &bid, 5, &facts), Err(MatchFailure::OrderExpired));
		let spot = MatchOrder { duration: 0, ..bid };
		assert_eq!(check_match(&ask, &spot, 0, &facts), Err(MatchFailure::DurationMismatch));
		let gpu = [0, 0, 0, 0, 0, 0, 0, 1];
		let needs_gpu = MatchOrder { benchmarks: &gpu, ..bid };
		assert_eq!(check_match(&ask, &needs_gpu, 0, &facts), Err(MatchFailure::BenchmarksTooLow));

		let facts = Facts {
			masters: [(supplier, master)].into(),
			levels: [(master, IdentityLevel::Identified)].into(),
			blocked: vec![(customer, master)],
		};
		let wants_identified = MatchOrder { min_identity: IdentityLevel::Identified, ..bid };
		assert_eq!(
			check_match(&ask, &wants_identified, 0, &facts),
			Err(MatchFailure::SupplierBlacklisted),
			"the master's level counts for its worker, and so does the master's blacklisting"
		);
		let master_buys = order(&master, Side::Bid, 10, 3600);
		assert_eq!(check_match(&ask, &master_buys, 0, &facts), Err(MatchFailure::SelfDeal));
	}

	#[test]
	fn counterparties_resolve_through_masters() {
		let (supplier, customer, master, stranger) = (1, 2, 3, 4);
		let facts = Facts { masters: [(supplier, master)].into(), ..Default::default() };
		let ask = order(&supplier, Side::Ask, 10, 0);
		let bid = order(&customer, Side::Bid, 10, 0);
		let for_master = MatchOrder { counterparty: Some(&master), ..bid };
		let matched = check_match(&ask, &for_master, 0, &facts).unwrap();
		assert_eq!(matched.master, Some(master));
		let for_stranger = MatchOrder { counterparty: Some(&stranger), ..bid };
		assert_eq!(
			check_match(&ask, &for_stranger, 0, &facts),
			Err(MatchFailure::BidCounterpartyMismatch)
		);
		let ask_for_stranger = MatchOrder { counterparty: Some(&stranger), ..ask };
		assert_eq!(
			check_match(&ask_for_stranger, &bid, 0, &facts),
			Err(MatchFailure::AskCounterpartyMismatch)
		);
	}
}
