//! The session side: selecting each session's set (the session manager of `pallet_session`),
//! counting authored blocks (an event handler of `pallet_authorship`), judging each member's
//! duties (blocks authored over a window of its own slots, prices fed over the feeding
//! window), marking those that failed offline, and paying the session's rewards from the pot
//! to those that did their duties.

use crate::pallet::*;
use alloc::vec::Vec;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	tokens::{Fortitude, Preservation},
	ChangeMembers, Get, UnixTime, ValidatorRegistration,
};
use sonm_primitives::traits::FeedActivity;
use sp_runtime::{
	traits::{Saturating, Zero},
	Rounding, SaturatedConversion,
};
use sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// The top `MaxMasternodes` by stake (ties by account) among the masternodes that did not
	/// leave, are not offline, and have session keys.
	pub fn select() -> SetOf<T> {
		let mut candidates: Vec<(T::AccountId, BalanceOf<T>)> = Registry::<T>::iter()
			.filter(|(who, masternode)| {
				!masternode.leaving
					&& !Offline::<T>::contains_key(who)
					&& T::ValidatorRegistration::is_registered(who)
			})
			.map(|(who, masternode)| (who, masternode.stake))
			.collect();
		candidates.sort_by(|(a, a_stake), (b, b_stake)| b_stake.cmp(a_stake).then(a.cmp(b)));
		candidates.truncate(T::MaxMasternodes::get() as usize);
		SetOf::<T>::truncate_from(candidates)
	}

	/// What the pot holds above its existential deposit: what a session's end pays out.
	fn pot_available() -> BalanceOf<T> {
		T::Currency::reducible_balance(
			&T::RewardPot::get(),
			Preservation::Preserve,
			Fortitude::Polite,
		)
	}

	/// The sum of `set`'s stakes.
	fn total_stake(set: &SetOf<T>) -> BalanceOf<T> {
		set.iter().fold(Zero::zero(), |sum, (_, stake)| sum.saturating_add(*stake))
	}

	/// `stake`'s share of `available` among `total`, rounded down.
	fn share(available: BalanceOf<T>, stake: BalanceOf<T>, total: BalanceOf<T>) -> BalanceOf<T> {
		sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
			available.saturated_into(),
			stake.saturated_into(),
			total.saturated_into(),
			Rounding::Down,
		)
		.map(BalanceOf::<T>::saturated_from)
		.unwrap_or_else(Zero::zero)
	}

	/// What `who` would be paid if the current session ended now with every member that is
	/// not offline doing its duties.
	pub fn pending_reward(who: &T::AccountId) -> BalanceOf<T> {
		let mut set = ActiveSet::<T>::get();
		set.retain(|(member, _)| !Offline::<T>::contains_key(member));
		let total = Self::total_stake(&set);
		set.iter()
			.find(|(member, _)| member == who)
			.filter(|_| !total.is_zero())
			.map(|(_, stake)| Self::share(Self::pot_available(), *stake, total))
			.unwrap_or_else(Zero::zero)
	}

	/// Pays `set`'s share of the pot for `session`: everything above the pot's existential
	/// deposit, split in proportion to stake, rounded down (the remainder stays in the pot).
	pub(crate) fn pay_rewards(session: SessionIndex, set: &SetOf<T>) {
		let pot = T::RewardPot::get();
		let total = Self::total_stake(set);
		let available = Self::pot_available();
		if total.is_zero() || available.is_zero() {
			return;
		}
		let mut paid = BalanceOf::<T>::zero();
		for (who, stake) in set {
			let amount = Self::share(available, *stake, total);
			if amount.is_zero() {
				continue;
			}
			if T::Currency::transfer(&pot, who, amount, Preservation::Preserve).is_ok() {
				paid.saturating_accrue(amount);
				Self::deposit_event(Event::Rewarded { who: who.clone(), session, amount });
			}
		}
		let available_after = Self::pot_available();
		LastPayout::<T>::put(Payout {
			session,
			available_before: available,
			available_after,
			paid,
		});
	}

	/// Notes at a session's end whether prices are being fed: `FeedingSince` starts with the
	/// first feed seen and ends when no feed came within `FeedWindow`. Returns it.
	fn note_feeding(now: u64) -> Option<u64> {
		let window = T::FeedWindow::get();
		let fed_lately = T::Feeds::last_feed().filter(|at| at.saturating_add(window) >= now);
		match (FeedingSince::<T>::get(), fed_lately) {
			(_, None) => {
				FeedingSince::<T>::kill();
				None
			},
			(Some(since), Some(_)) => Some(since),
			(None, Some(at)) => {
				FeedingSince::<T>::put(at);
				Some(at)
			},
		}
	}

	/// The slots each member of a set of `set_size` had in the session now ending: the
	/// session's slots (its time over `SlotDuration`), shared round-robin, rounded down.
	fn slots_per_member_this_session(now_ms: u64, set_size: usize) -> u32 {
		let started = SessionStartedAt::<T>::get().unwrap_or(now_ms);
		let slots = now_ms.saturating_sub(started) / T::SlotDuration::get().max(1);
		(slots / (set_size.max(1) as u64)).saturated_into()
	}

	/// Counts the slots `who` had without authoring: back to zero when it `authored` in the
	/// session, else `slots` more. Returns whether it has now been silent for at least
	/// `OfflineAfterSlots` of its slots.
	fn silent_too_long(who: &T::AccountId, authored: bool, slots: u32) -> bool {
		if authored {
			SlotsWithoutBlock::<T>::remove(who);
			return false;
		}
		let silent = SlotsWithoutBlock::<T>::mutate(who, |count| {
			count.saturating_accrue(slots);
			*count
		});
		silent >= T::OfflineAfterSlots::get()
	}

	/// Judges the duties of `set`'s members in `session`: blocks authored (a member silent for
	/// `OfflineAfterSlots` of its own slots, over one session or several, failed), and, once
	/// prices have been fed for a whole `FeedWindow` and the member has been in the set that
	/// long, a price fed within the window. Members that failed are marked offline (except the
	/// only member of a set of one). Returns the members that did their duties in the session
	/// (authored at least one block, fed if due) and are not offline: the ones the session pays.
	fn judge_duties(session: SessionIndex, set: &SetOf<T>) -> SetOf<T> {
		let now_ms: u64 = T::Time::now().as_millis().saturated_into();
		let now = now_ms / 1_000;
		let window = T::FeedWindow::get();
		let a_window_ago = |since: u64| since.saturating_add(window) <= now;
		let feeding_judged = Self::note_feeding(now).is_some_and(a_window_ago);
		let slots = Self::slots_per_member_this_session(now_ms, set.len());
		let mut dutiful = set.clone();
		dutiful.retain(|(who, _)| {
			let fed_within_window =
				|| T::Feeds::last_feed_of(who).is_some_and(|at| at.saturating_add(window) >= now);
			let feeds_due = feeding_judged && InSetSince::<T>::get(who).is_some_and(a_window_ago);
			let authored = BlocksAuthored::<T>::get(who) > 0;
			let failed = if Self::silent_too_long(who, authored, slots) {
				Some(OfflineReason::NoBlocks)
			} else if feeds_due && !fed_within_window() {
				Some(OfflineReason::NoFeeds)
			} else {
				None
			};
			let offline = Offline::<T>::contains_key(who);
			match failed {
				// A set of one (a development chain) is never left without its only author.
				Some(reason) if !offline && set.len() > 1 => {
					Offline::<T>::insert(who, session);
					Self::deposit_event(Event::WentOffline { who: who.clone(), session, reason });
					false
				},
				Some(_) => false,
				// Silent for fewer slots than the limit: not offline, but not paid either.
				None => authored && !offline,
			}
		});
		dutiful
	}

	/// Keeps `InSetSince` and `SlotsWithoutBlock` to the members of `set`, the new active set:
	/// newcomers joined now, with no silent slots.
	fn note_membership(set: &SetOf<T>, now: u64) {
		let is_member = |who: &T::AccountId| set.iter().any(|(member, _)| member == who);
		let stale: Vec<T::AccountId> =
			InSetSince::<T>::iter_keys().filter(|who| !is_member(who)).collect();
		for who in stale {
			InSetSince::<T>::remove(who);
		}
		let stale: Vec<T::AccountId> =
			SlotsWithoutBlock::<T>::iter_keys().filter(|who| !is_member(who)).collect();
		for who in stale {
			SlotsWithoutBlock::<T>::remove(who);
		}
		for (who, _) in set {
			if !InSetSince::<T>::contains_key(who) {
				InSetSince::<T>::insert(who, now);
			}
		}
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	/// Plans the set of session `index`; keeps the current one (`None`) when nobody qualifies.
	fn new_session(index: SessionIndex) -> Option<Vec<T::AccountId>> {
		// Those that called `back` are selectable again from this set on.
		for (who, ()) in BackRequested::<T>::drain() {
			Offline::<T>::remove(&who);
		}
		let set = Self::select();
		if set.is_empty() {
			return None;
		}
		let masternodes: Vec<T::AccountId> = set.iter().map(|(who, _)| who.clone()).collect();
		PlannedSets::<T>::insert(index, set);
		Self::deposit_event(Event::SetSelected {
			session: index,
			masternodes: masternodes.clone(),
		});
		Some(masternodes)
	}

	/// The set planned for `index`, if one was, becomes the active set.
	fn start_session(index: SessionIndex) {
		CurrentSession::<T>::put(index);
		// The clock is not set while the genesis is built.
		let genesis = frame_system::Pallet::<T>::block_number().is_zero();
		let now_ms: u64 = if genesis { 0 } else { T::Time::now().as_millis().saturated_into() };
		if genesis {
			SessionStartedAt::<T>::kill();
		} else {
			SessionStartedAt::<T>::put(now_ms);
		}
		let now = now_ms / 1_000;
		if let Some(set) = PlannedSets::<T>::take(index) {
			Self::note_membership(&set, now);
			let accounts = |set: &SetOf<T>| {
				let mut accounts: Vec<T::AccountId> =
					set.iter().map(|(who, _)| who.clone()).collect();
				accounts.sort();
				accounts
			};
			let (old, new) = (accounts(&ActiveSet::<T>::get()), accounts(&set));
			if old != new {
				T::Council::set_members_sorted(&new, &old);
			}
			ActiveSet::<T>::put(set);
		}
	}

	/// Judges the members' duties (marking those that failed offline), pays the session's
	/// rewards to those that did them, and starts a new count.
	fn end_session(index: SessionIndex) {
		let set = ActiveSet::<T>::get();
		let dutiful = Self::judge_duties(index, &set);
		Self::pay_rewards(index, &dutiful);
		let _ = BlocksAuthored::<T>::clear(u32::MAX, None);
	}
}

impl<T: Config>
	pallet_authorship::EventHandler<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	fn note_author(author: T::AccountId) {
		BlocksAuthored::<T>::mutate(&author, |blocks| blocks.saturating_inc());
		// The chain's first block with a clock starts the first session's slot count (the
		// clock reads zero until the first timestamp inherent).
		if !SessionStartedAt::<T>::exists() {
			let now: u64 = T::Time::now().as_millis().saturated_into();
			if now > 0 {
				SessionStartedAt::<T>::put(now);
			}
		}
	}
}
