//! The gatekeeper's invariants (`try_state`, and after every call in the tests).

use crate::{pallet::*, types::*};
use frame_support::{ensure, traits::fungible::Inspect};
use sonm_primitives::gatekeeper::threshold;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// The invariants: issuance is the genesis issuance plus what was minted less what was
	/// burnt; every deposit record is reachable by its index and minted ones agreed; sets
	/// are sorted and their thresholds more than two thirds; withdrawals' signatures sorted
	/// and from their set; keys and owners mirror each other.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let expected = GenesisIssuance::<T>::get()
			.saturating_add(Minted::<T>::get())
			.saturating_sub(Burned::<T>::get());
		ensure!(
			T::Currency::total_issuance() == expected,
			"issuance differs from genesis + minted - burned"
		);
		for (key, record) in Deposits::<T>::iter() {
			ensure!(DepositOrder::<T>::get(record.index) == Some(key), "a deposit is out of order");
			ensure!(
				(record.stage == Stage::Voting) == record.agreed.is_none(),
				"a deposit's stage and agreement differ"
			);
		}
		ensure!(
			DepositOrder::<T>::iter().count() as u64 == DepositCount::<T>::get(),
			"the deposit count is off"
		);
		for (id, set) in SignerSets::<T>::iter() {
			ensure!(set.signers.windows(2).all(|w| w[0] < w[1]), "a set's signers are not sorted");
			ensure!(
				set.threshold == threshold(set.signers.len() as u32),
				"a set's threshold is off"
			);
			ensure!(id <= CurrentSet::<T>::get().saturating_add(1), "a set beyond the next");
		}
		for (_, withdrawal) in Withdrawals::<T>::iter() {
			let set =
				SignerSets::<T>::get(withdrawal.set_id).ok_or("a withdrawal's set is gone")?;
			ensure!(
				withdrawal.signatures.windows(2).all(|w| w[0].0 < w[1].0),
				"a withdrawal's signatures are not sorted"
			);
			ensure!(
				withdrawal.signatures.iter().all(|(key, _)| set.signers.contains(key)),
				"a withdrawal is signed by a key outside its set"
			);
		}
		for (who, key) in EthKeys::<T>::iter() {
			ensure!(KeyOwners::<T>::get(key) == Some(who), "a key's owner differs");
		}
		ensure!(
			KeyOwners::<T>::iter().count() == EthKeys::<T>::iter().count(),
			"keys and owners differ in number"
		);
		Ok(())
	}
}
