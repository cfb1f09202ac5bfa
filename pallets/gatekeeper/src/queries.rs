//! What the runtime API serves: the gatekeeper's state, deposits, withdrawals and signer sets
//! in the shapes of `sonm_primitives::gatekeeper`.

use crate::pallet::*;
use alloc::vec::Vec;
use frame_support::traits::Get;
use sonm_primitives::gatekeeper::{
	Deposit, DepositInfo, DepositKey, DepositStatus, EthAddress, GatekeeperState, SetId,
	SignerSetInfo, WithdrawalInfo,
};

impl<T: Config> Pallet<T> {
	/// Settings, caps, today's totals, totals since genesis and the pause.
	pub fn state() -> GatekeeperState<BalanceOf<T>> {
		let caps = DailyCaps::<T>::get();
		let today = Self::today();
		GatekeeperState {
			domain: Self::domain(),
			paused: Paused::<T>::get(),
			daily_mint_cap: caps.daily_mint,
			daily_withdraw_cap: caps.daily_withdraw,
			minted_today: today.minted,
			withdrawn_today: today.withdrawn,
			withdrawal_fee: T::WithdrawalFee::get(),
			minted: Minted::<T>::get(),
			burned: Burned::<T>::get(),
			current_set: CurrentSet::<T>::get(),
		}
	}

	/// One deposit as the API reports it.
	pub fn deposit_info(key: DepositKey) -> Option<DepositInfo<T::AccountId, BalanceOf<T>>> {
		let record = Deposits::<T>::get(key)?;
		let status = match record.stage {
			Stage::Voting => DepositStatus::Voting,
			Stage::Approved => DepositStatus::Approved,
			Stage::Minted => DepositStatus::Minted,
		};
		let content = record.agreed.clone().or_else(|| {
			record.votes.first().map(|(_, recipient, amount)| (recipient.clone(), *amount))
		});
		Some(DepositInfo {
			index: record.index,
			key,
			status,
			deposit: content.map(|(recipient, amount)| Deposit { key, recipient, amount }),
			attesters: record.votes.iter().map(|(who, _, _)| who.clone()).collect(),
		})
	}

	/// Deposits in attestation order from index `from`, at most `limit`.
	pub fn deposits_from(from: u64, limit: u32) -> Vec<DepositInfo<T::AccountId, BalanceOf<T>>> {
		let end = DepositCount::<T>::get().min(from.saturating_add(limit.into()));
		(from..end)
			.filter_map(DepositOrder::<T>::get)
			.filter_map(Self::deposit_info)
			.collect()
	}

	/// Withdrawals with ids from `from`, at most `limit`.
	pub fn withdrawals_from(
		from: u64,
		limit: u32,
	) -> Vec<WithdrawalInfo<T::AccountId, BalanceOf<T>>> {
		let end = NextWithdrawal::<T>::get().min(from.saturating_add(limit.into()));
		(from..end)
			.filter_map(|id| {
				let withdrawal = Withdrawals::<T>::get(id)?;
				let complete = Self::is_complete(withdrawal.set_id, &withdrawal.signatures);
				Some(WithdrawalInfo {
					id,
					who: withdrawal.who,
					to: withdrawal.to,
					amount: withdrawal.amount,
					set_id: withdrawal.set_id,
					signatures: withdrawal.signatures.into_inner(),
					complete,
				})
			})
			.collect()
	}

	/// Signer set `id`, or the newest when `None`.
	pub fn signer_set_info(id: Option<SetId>) -> Option<SignerSetInfo> {
		let current = CurrentSet::<T>::get();
		let id = id.unwrap_or_else(|| {
			let next = current.saturating_add(1);
			if SignerSets::<T>::contains_key(next) {
				next
			} else {
				current
			}
		});
		let set = SignerSets::<T>::get(id)?;
		let complete = id == 0 || Self::is_complete(id - 1, &set.signatures);
		Some(SignerSetInfo {
			id,
			signers: set.signers.into_inner(),
			threshold: set.threshold,
			signatures: set.signatures.into_inner(),
			complete,
		})
	}

	/// The Ethereum key `who` registered.
	pub fn eth_key_of(who: &T::AccountId) -> Option<EthAddress> {
		EthKeys::<T>::get(who)
	}
}
