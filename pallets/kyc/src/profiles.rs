//! Profiles: attributes an account submits (a deposit held), shown once a provider or a
//! moderator approves exactly that content.

use crate::{pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::Hash;

impl<T: Config> Pallet<T> {
	/// Submits a profile; see [`Pallet::submit_profile`].
	pub(crate) fn do_submit_profile(
		origin: OriginFor<T>,
		attributes: ProfileAttributes,
	) -> DispatchResult {
		let who = ensure_signed(origin)?;
		let deposit = match Profiles::<T>::get(&who) {
			Some(previous) => previous.deposit,
			None => {
				let deposit = T::ProfileDeposit::get();
				Self::hold(HoldReason::Profile, &who, deposit)?;
				deposit
			},
		};
		let hash = T::Hashing::hash_of(&attributes);
		Profiles::<T>::insert(&who, SubmittedProfile { attributes, hash, deposit });
		Self::deposit_event(Event::ProfileSubmitted { who, hash });
		Ok(())
	}

	/// Approves a profile; see [`Pallet::approve_profile`].
	pub(crate) fn do_approve_profile(
		origin: OriginFor<T>,
		provider: Option<ProviderId>,
		who: T::AccountId,
		hash: T::Hash,
	) -> DispatchResult {
		let by = match provider {
			Some(id) => {
				Self::provider_signing(origin, id, true)?;
				Approver::Provider(id)
			},
			None => {
				T::ModeratorOrigin::ensure_origin(origin)?;
				Approver::Moderator
			},
		};
		let submitted = Profiles::<T>::get(&who).ok_or(Error::<T>::ProfileNotFound)?;
		ensure!(submitted.hash == hash, Error::<T>::ProfileChanged);
		ApprovedProfiles::<T>::insert(&who, (submitted.attributes, by));
		Self::deposit_event(Event::ProfileApproved { who, hash, by });
		Ok(())
	}

	/// Withdraws a profile; see [`Pallet::withdraw_profile`].
	pub(crate) fn do_withdraw_profile(origin: OriginFor<T>) -> DispatchResult {
		let who = ensure_signed(origin)?;
		let submitted = Profiles::<T>::take(&who).ok_or(Error::<T>::ProfileNotFound)?;
		ApprovedProfiles::<T>::remove(&who);
		Self::release(HoldReason::Profile, &who, submitted.deposit)?;
		Self::deposit_event(Event::ProfileWithdrawn { who });
		Ok(())
	}
}
