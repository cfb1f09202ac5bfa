//! Deposits from Ethereum: attested by the active masternodes, minted once more than two
//! thirds agree on the recipient and the amount, and deferred when the day's mint cap is
//! reached (then claimed by anyone on a later day).

use crate::{pallet::*, types::*};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use sonm_primitives::{
	gatekeeper::{threshold, Deposit, DepositKey},
	traits::Masternodes,
};
use sp_runtime::traits::{CheckedAdd, Zero};

impl<T: Config> Pallet<T> {
	/// `who` attests `deposit`; see [`Pallet::attest_deposit`].
	pub(crate) fn do_attest_deposit(who: T::AccountId, deposit: DepositOf<T>) -> DispatchResult {
		ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
		ensure!(EthereumContract::<T>::exists(), Error::<T>::NoContract);
		let active = T::Masternodes::active_set();
		ensure!(active.contains(&who), Error::<T>::NotActive);
		ensure!(!deposit.amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(deposit.amount >= T::Currency::minimum_balance(), Error::<T>::BelowMinimum);
		let Deposit { key, recipient, amount } = deposit;
		let mut record = match Deposits::<T>::get(key) {
			Some(record) => record,
			None => {
				let index = DepositCount::<T>::get();
				let next = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
				DepositCount::<T>::put(next);
				DepositOrder::<T>::insert(index, key);
				DepositRecord {
					index,
					stage: Stage::Voting,
					votes: Default::default(),
					agreed: None,
				}
			},
		};
		ensure!(record.stage != Stage::Minted, Error::<T>::AlreadyMinted);
		ensure!(
			record.votes.iter().all(|(voter, _, _)| *voter != who),
			Error::<T>::AlreadyAttested
		);
		if record.votes.iter().any(|(_, r, a)| *r != recipient || *a != amount) {
			Self::deposit_event(Event::ConflictingAttestation { key, by: who.clone() });
		}
		// Votes of masternodes that left the set no longer count and make room.
		record.votes.retain(|(voter, _, _)| active.contains(voter));
		record
			.votes
			.try_push((who.clone(), recipient.clone(), amount))
			.map_err(|_| Error::<T>::NotActive)?;
		Self::deposit_event(Event::DepositAttested { key, by: who });
		if record.stage == Stage::Voting {
			let agreeing =
				record.votes.iter().filter(|(_, r, a)| *r == recipient && *a == amount).count();
			if agreeing as u32 >= threshold(active.len() as u32) {
				record.agreed = Some((recipient, amount));
				record.stage = Stage::Approved;
				if !Self::try_mint(&key, &mut record) {
					Self::deposit_event(Event::DepositDeferred { key });
				}
			}
		}
		Deposits::<T>::insert(key, record);
		Ok(())
	}

	/// Mints deposit `key` deferred by the daily cap; see [`Pallet::claim_deposit`].
	pub(crate) fn do_claim_deposit(key: DepositKey) -> DispatchResult {
		ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
		let mut record = Deposits::<T>::get(key).ok_or(Error::<T>::NotApproved)?;
		ensure!(record.stage == Stage::Approved, Error::<T>::NotApproved);
		ensure!(Self::try_mint(&key, &mut record), Error::<T>::DailyMintCapReached);
		Deposits::<T>::insert(key, record);
		Ok(())
	}

	/// Mints an approved deposit if today's cap allows. Returns whether it minted.
	fn try_mint(key: &DepositKey, record: &mut DepositRecord<T>) -> bool {
		let Some((recipient, amount)) = record.agreed.clone() else { return false };
		let mut today = Self::today();
		let Some(minted) = today.minted.checked_add(&amount) else { return false };
		let Some(total) = Minted::<T>::get().checked_add(&amount) else { return false };
		let fits = minted <= DailyCaps::<T>::get().daily_mint;
		if !fits || T::Currency::mint_into(&recipient, amount).is_err() {
			return false;
		}
		today.minted = minted;
		Today::<T>::put(today);
		Minted::<T>::put(total);
		record.stage = Stage::Minted;
		Self::deposit_event(Event::DepositMinted { key: *key, recipient, amount });
		true
	}
}
