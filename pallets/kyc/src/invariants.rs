//! The KYC pallet's invariants (`try_state`, and after every call in the tests).

use crate::{pallet::*, types::*};
use frame_support::{ensure, traits::Get};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// The invariants: every account holds for this pallet exactly the fees of its pending
	/// requests (a request may outlive its provider until cancelled), no more providers
	/// are registered than allowed, and every profile holds its deposit.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;
		use sp_runtime::traits::Saturating;
		let mut fees: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (who, provider, request) in Requests::<T>::iter() {
			ensure!(provider < NextProviderId::<T>::get(), "a request names no provider ever");
			let sum = fees.entry(who).or_insert(Zero::zero());
			*sum = sum.saturating_add(request.fee);
		}
		for (who, sum) in fees {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::VerificationFee.into(), &who) == sum,
				"a fee hold differs from the pending requests' fees"
			);
		}
		ensure!(
			Providers::<T>::iter_keys().all(|id| id < NextProviderId::<T>::get()),
			"a provider id is beyond the next id"
		);
		ensure!(
			Providers::<T>::count() <= T::MaxProviders::get()
				&& Providers::<T>::count() as usize == Providers::<T>::iter_keys().count(),
			"the provider count is off"
		);
		for (who, profile) in Profiles::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::Profile.into(), &who) == profile.deposit,
				"a profile hold differs from its deposit"
			);
		}
		ensure!(
			ApprovedProfiles::<T>::iter_keys().all(Profiles::<T>::contains_key),
			"an approved profile outlived its submission"
		);
		Ok(())
	}
}
