//! The market's matching rules (`sonm_primitives::matching`) applied to orders as the node's RPC
//! serves them, with the facts the rules read fetched from the chain on demand.
//!
//! [`Facts`] holds what is known of masters, identity levels and blacklists and records what a
//! check asked for and it did not have; [`Client::check_match`] runs the shared rules, fetches
//! the missing facts and runs them again until nothing is missing, so that the list of what to
//! fetch is never written down a second time.

use crate::{types::Order, AccountId32, Client, ClientError};
use sonm_primitives::{
	market::Seconds,
	matching::{self, MatchFacts, MatchFailure, Matched},
	IdentityLevel,
};
use std::{
	cell::RefCell,
	collections::{HashMap, HashSet},
	str::FromStr,
};

/// One fact the matching rules read (accounts as SS58 addresses).
pub use sonm_rpc::market::Fact;
/// The chain's answer to a [`Fact`].
pub use sonm_rpc::market::FactAnswer;

/// Known facts, and the ones a check asked for that were not known.
#[derive(Debug, Default)]
pub struct Facts {
	/// Confirmed masters (`None`: the account has none).
	pub masters: HashMap<String, Option<String>>,
	/// Identity levels.
	pub levels: HashMap<String, IdentityLevel>,
	/// Blacklist answers by (list, account).
	pub blocked: HashMap<(String, String), bool>,
	missing: RefCell<HashSet<Fact>>,
}

impl Facts {
	/// Records `fact` as known.
	pub fn learn(&mut self, fact: Fact, answer: FactAnswer) {
		match (fact, answer) {
			(Fact::Master(who), FactAnswer::Master(master)) => {
				self.masters.insert(who, master);
			},
			(Fact::Level(who), FactAnswer::Level(level)) => {
				self.levels.insert(who, level);
			},
			(Fact::Blocked(list, whom), FactAnswer::Blocked(blocked)) => {
				self.blocked.insert((list, whom), blocked);
			},
			(fact, answer) => {
				debug_assert!(false, "answer {answer:?} does not fit {fact:?}");
			},
		}
	}

	/// Records each of `facts` with its answer.
	pub fn learn_all(&mut self, facts: Vec<Fact>, answers: Vec<FactAnswer>) {
		for (fact, answer) in facts.into_iter().zip(answers) {
			self.learn(fact, answer);
		}
	}

	/// The facts asked for since the last call that were not known.
	pub fn take_missing(&self) -> Vec<Fact> {
		self.missing.borrow_mut().drain().collect()
	}

	fn miss(&self, fact: Fact) {
		self.missing.borrow_mut().insert(fact);
	}
}

impl MatchFacts<String> for Facts {
	fn confirmed_master(&self, worker: &String) -> Option<String> {
		self.masters.get(worker).cloned().unwrap_or_else(|| {
			self.miss(Fact::Master(worker.clone()));
			None
		})
	}

	fn identity_level(&self, who: &String) -> IdentityLevel {
		self.levels.get(who).copied().unwrap_or_else(|| {
			self.miss(Fact::Level(who.clone()));
			// The answer that lets the rules go on: the facts later rules read are then
			// recorded in the same round (a verdict with facts missing is never used).
			IdentityLevel::Professional
		})
	}

	fn is_blocked(&self, list: &String, whom: &String) -> bool {
		let key = (list.clone(), whom.clone());
		self.blocked.get(&key).copied().unwrap_or_else(|| {
			self.miss(Fact::Blocked(key.0, key.1));
			false
		})
	}
}

/// The shared rules on two orders as the RPC serves them, with `facts` as they are (a missing
/// fact reads as the answer that fails no rule, so that one run records every fact the rules
/// go on to read, and is recorded in `facts`; the verdict counts only once none is missing).
pub fn check_orders(
	ask: &Order,
	bid: &Order,
	now: Seconds,
	facts: &Facts,
) -> Result<Matched<String>, MatchFailure> {
	matching::check_match(&ask.match_view(), &bid.match_view(), now, facts)
}

impl Client {
	/// Whether `ask` and `bid` make a deal at `now` under the chain's rules and its current
	/// masters, identity levels and blacklists: [`Client::check_matches`] for one ask, at the
	/// best block.
	pub async fn check_match(
		&self,
		ask: &Order,
		bid: &Order,
		now: Seconds,
		facts: &mut Facts,
	) -> Result<Result<Matched<String>, MatchFailure>, ClientError> {
		let mut verdicts = self.check_matches(&[ask], bid, now, facts, None).await?;
		Ok(verdicts.pop().expect("one verdict per ask"))
	}

	/// The verdict of the chain's rules on each of `asks` with `bid` at `now`: the shared rules,
	/// with every fact they read fetched from the node at block `at` (the best block when
	/// `None`), one call for all the asks' missing facts a round, until none is missing.
	/// `facts` may carry answers already known; it keeps the ones fetched.
	pub async fn check_matches(
		&self,
		asks: &[&Order],
		bid: &Order,
		now: Seconds,
		facts: &mut Facts,
		at: Option<subxt::utils::H256>,
	) -> Result<Vec<Result<Matched<String>, MatchFailure>>, ClientError> {
		loop {
			let verdicts: Vec<_> =
				asks.iter().map(|ask| check_orders(ask, bid, now, facts)).collect();
			let missing = facts.take_missing();
			if missing.is_empty() {
				return Ok(verdicts);
			}
			let answers = self.match_facts(&missing, at).await?;
			facts.learn_all(missing, answers);
		}
	}

	/// The confirmed master of `worker` (SS58), if any.
	pub async fn confirmed_master(&self, worker: &str) -> Result<Option<String>, ClientError> {
		Ok(self
			.master_link(worker)
			.await?
			.filter(|(_, confirmed)| *confirmed)
			.map(|(m, _)| m))
	}

	/// `worker`'s link to a master: the master and whether it confirmed the worker.
	pub async fn master_link(&self, worker: &str) -> Result<Option<(String, bool)>, ClientError> {
		let worker = AccountId32::from_str(worker)
			.map_err(|_| ClientError::Subxt(format!("{worker:?} is not an SS58 address")))?;
		let at = self.at_best().await?;
		let entry = at.storage().entry(crate::runtime::storage().market().masters())?;
		let Some(link) = entry.try_fetch((worker,)).await? else { return Ok(None) };
		let link = link.decode()?;
		Ok(Some((link.master.to_string(), link.confirmed)))
	}
}

impl Client {
	/// The workers linked to `master` (SS58): each with whether the master confirmed it.
	pub async fn workers_of(&self, master: &str) -> Result<Vec<(String, bool)>, ClientError> {
		let at = self.at_best().await?;
		let entry = at.storage().entry(crate::runtime::storage().market().masters())?;
		let mut entries = entry.iter(()).await?;
		let mut workers = Vec::new();
		while let Some(next) = entries.next().await {
			let next = next?;
			let link = next.value().decode()?;
			if link.master.to_string() != master {
				continue;
			}
			let key = next.key().map_err(|e| ClientError::Subxt(e.to_string()))?;
			let (worker,) = key.decode().map_err(|e| ClientError::Subxt(e.to_string()))?;
			workers.push((worker.to_string(), link.confirmed));
		}
		workers.sort();
		Ok(workers)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_primitives::market::{PriceUnit, Side};

	#[test]
	fn a_check_records_the_facts_it_lacked_and_uses_them_once_learnt() {
		let order = |author: &str, side: Side| Order {
			id: 1,
			author: author.into(),
			side,
			price: crate::types::Price { per_second: 5, unit: PriceUnit::Snm },
			duration: 60,
			counterparty: None,
			min_identity: IdentityLevel::Registered,
			curator: None,
			tag: String::new(),
			benchmarks: vec![0; 12],
			netflags: 0,
			expires_at: None,
			placed_at: 0,
			deposit: 0,
			escrow: 0,
		};
		let (ask, bid) = (order("supplier", Side::Ask), order("customer", Side::Bid));
		let mut facts = Facts::default();
		// Missing facts read as answers that fail no rule, so one run records them all.
		assert!(check_orders(&ask, &bid, 0, &facts).is_ok());
		let mut missing = facts.take_missing();
		missing.sort_by_key(|fact| format!("{fact:?}"));
		assert_eq!(
			missing,
			vec![
				Fact::Blocked("customer".into(), "supplier".into()),
				Fact::Blocked("supplier".into(), "customer".into()),
				Fact::Level("customer".into()),
				Fact::Level("supplier".into()),
				Fact::Master("supplier".into()),
			]
		);
		facts.learn(Fact::Level("customer".into()), FactAnswer::Level(IdentityLevel::Anonymous));
		assert_eq!(check_orders(&ask, &bid, 0, &facts), Err(MatchFailure::CustomerIdentityTooLow));
		facts.take_missing();
		facts.learn(Fact::Master("supplier".into()), FactAnswer::Master(None));
		facts.learn(Fact::Level("customer".into()), FactAnswer::Level(IdentityLevel::Registered));
		facts.learn(Fact::Level("supplier".into()), FactAnswer::Level(IdentityLevel::Registered));
		for (list, whom) in [("customer", "supplier"), ("supplier", "customer")] {
			facts.learn(Fact::Blocked(list.into(), whom.into()), FactAnswer::Blocked(false));
		}
		assert!(check_orders(&ask, &bid, 0, &facts).is_ok());
		assert!(facts.take_missing().is_empty());
		facts.learn(Fact::Blocked("supplier".into(), "customer".into()), FactAnswer::Blocked(true));
		assert_eq!(check_orders(&ask, &bid, 0, &facts), Err(MatchFailure::CustomerBlacklisted));
	}
}
