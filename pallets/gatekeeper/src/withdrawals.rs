//! Withdrawals to Ethereum: burnt here (less a flat fee to the reward pot), within the day's
//! withdrawal cap, then signed by the current signer set until the contract pays them.

use crate::{pallet::*, types::*};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sonm_primitives::gatekeeper::{EthAddress, EthSignature};
use sp_runtime::traits::{CheckedAdd, CheckedSub};

impl<T: Config> Pallet<T> {
	/// `who` withdraws `amount` to `to`; see [`Pallet::withdraw`].
	pub(crate) fn do_withdraw(
		who: T::AccountId,
		amount: BalanceOf<T>,
		to: EthAddress,
	) -> DispatchResult {
		ensure!(!Paused::<T>::get(), Error::<T>::IsPaused);
		ensure!(EthereumContract::<T>::exists(), Error::<T>::NoContract);
		ensure!(to != [0u8; 20], Error::<T>::ZeroAddress);
		let fee = T::WithdrawalFee::get();
		ensure!(amount > fee, Error::<T>::BelowFee);
		ensure!(SignerSets::<T>::contains_key(CurrentSet::<T>::get()), Error::<T>::NoSignerSet);
		let net = amount.checked_sub(&fee).ok_or(Error::<T>::Overflow)?;
		let mut today = Self::today();
		let withdrawn = today.withdrawn.checked_add(&net).ok_or(Error::<T>::Overflow)?;
		ensure!(
			withdrawn <= DailyCaps::<T>::get().daily_withdraw,
			Error::<T>::DailyWithdrawCapReached
		);
		T::Currency::transfer(&who, &T::RewardPot::get(), fee, Preservation::Preserve)?;
		T::Currency::burn_from(
			&who,
			net,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Polite,
		)?;
		today.withdrawn = withdrawn;
		Today::<T>::put(today);
		let burned = Burned::<T>::get().checked_add(&net).ok_or(Error::<T>::Overflow)?;
		Burned::<T>::put(burned);
		let id = NextWithdrawal::<T>::get();
		NextWithdrawal::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let set_id = CurrentSet::<T>::get();
		Withdrawals::<T>::insert(
			id,
			Withdrawal {
				who: who.clone(),
				to,
				amount: net,
				set_id,
				signatures: Default::default(),
			},
		);
		Self::deposit_event(Event::WithdrawalRequested { id, who, to, amount: net, fee });
		Ok(())
	}

	/// `who` signs withdrawal `id`; see [`Pallet::sign_withdrawal`].
	pub(crate) fn do_sign_withdrawal(
		who: T::AccountId,
		id: u64,
		signature: EthSignature,
	) -> DispatchResult {
		let mut withdrawal = Withdrawals::<T>::get(id).ok_or(Error::<T>::UnknownWithdrawal)?;
		let current = CurrentSet::<T>::get();
		let complete = Self::is_complete(withdrawal.set_id, &withdrawal.signatures);
		let stale = withdrawal.set_id.saturating_add(OLD_SET_GRACE) < current;
		if withdrawal.set_id < current && (!complete || stale) {
			withdrawal.set_id = current;
			withdrawal.signatures = Default::default();
		} else {
			ensure!(!complete, Error::<T>::AlreadyComplete);
		}
		let domain = Self::domain().ok_or(Error::<T>::NoContract)?;
		let amount: u128 = withdrawal.amount.try_into().map_err(|_| Error::<T>::Overflow)?;
		let digest = domain.payout_digest(id, &withdrawal.to, amount, withdrawal.set_id);
		let set_id = withdrawal.set_id;
		Self::add_signature(&who, set_id, &digest, &signature, &mut withdrawal.signatures)?;
		let complete = Self::is_complete(set_id, &withdrawal.signatures);
		Withdrawals::<T>::insert(id, withdrawal);
		if complete {
			Self::deposit_event(Event::WithdrawalSigned { id, set_id });
		}
		Ok(())
	}
}
