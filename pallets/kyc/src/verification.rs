//! Verification: requests to a provider (the fee held), certification at a level until an
//! expiry (the fee paid), rejection and revocation; an account's effective level.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::*;
use sonm_primitives::IdentityLevel;
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Asks a provider for verification; see [`Pallet::request_verification`].
	pub(crate) fn do_request_verification(
		origin: OriginFor<T>,
		provider: ProviderId,
		level: IdentityLevel,
		max_fee: BalanceOf<T>,
	) -> DispatchResult {
		let who = ensure_signed(origin)?;
		let registered = Self::active_provider(provider)?;
		ensure!(level > IdentityLevel::Anonymous, Error::<T>::LevelTooLow);
		ensure!(level <= registered.max_level, Error::<T>::LevelAboveProviderMax);
		ensure!(registered.fee <= max_fee, Error::<T>::FeeAboveMax);
		ensure!(!Requests::<T>::contains_key(&who, provider), Error::<T>::RequestPending);
		Self::hold(HoldReason::VerificationFee, &who, registered.fee)?;
		Requests::<T>::insert(&who, provider, Request { level, fee: registered.fee });
		Self::deposit_event(Event::VerificationRequested { who, provider, level });
		Ok(())
	}

	/// Withdraws a pending request; see [`Pallet::cancel_request`].
	pub(crate) fn do_cancel_request(origin: OriginFor<T>, provider: ProviderId) -> DispatchResult {
		let who = ensure_signed(origin)?;
		let request = Requests::<T>::take(&who, provider).ok_or(Error::<T>::RequestNotFound)?;
		Self::release(HoldReason::VerificationFee, &who, request.fee)?;
		Self::deposit_event(Event::RequestCancelled { who, provider });
		Ok(())
	}

	/// Certifies an account; see [`Pallet::certify`].
	pub(crate) fn do_certify(
		origin: OriginFor<T>,
		provider: ProviderId,
		who: T::AccountId,
		expires_at: Seconds,
		evidence: EvidenceHash,
	) -> DispatchResult {
		let registered = Self::provider_signing(origin, provider, true)?;
		ensure!(expires_at > Self::now(), Error::<T>::ExpiryInPast);
		let request = Requests::<T>::take(&who, provider).ok_or(Error::<T>::RequestNotFound)?;
		if !request.fee.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::VerificationFee.into(),
				&who,
				&registered.account,
				request.fee,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		let level = request.level.min(registered.max_level);
		let certification = Certification { level, expires_at, evidence };
		let now = Self::now();
		Certifications::<T>::try_mutate(&who, |certifications| {
			match certifications.iter_mut().find(|(id, _)| *id == provider) {
				Some((_, existing)) => *existing = certification,
				None => {
					if certifications.is_full() {
						certifications.retain(|(_, old)| old.expires_at > now);
					}
					certifications
						.try_push((provider, certification))
						.map_err(|_| Error::<T>::TooManyProviders)?
				},
			}
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::Certified { who, provider, level, expires_at });
		Ok(())
	}

	/// Rejects a request; see [`Pallet::reject`].
	pub(crate) fn do_reject(
		origin: OriginFor<T>,
		provider: ProviderId,
		who: T::AccountId,
	) -> DispatchResult {
		Self::provider_signing(origin, provider, false)?;
		let request = Requests::<T>::take(&who, provider).ok_or(Error::<T>::RequestNotFound)?;
		Self::release(HoldReason::VerificationFee, &who, request.fee)?;
		Self::deposit_event(Event::Rejected { who, provider });
		Ok(())
	}

	/// Revokes a certification; see [`Pallet::revoke`].
	pub(crate) fn do_revoke(
		origin: OriginFor<T>,
		provider: ProviderId,
		who: T::AccountId,
	) -> DispatchResult {
		if T::RegistryOrigin::try_origin(origin.clone()).is_err() {
			Self::provider_signing(origin, provider, false)?;
		}
		Certifications::<T>::try_mutate_exists(&who, |certifications| {
			let list = certifications.as_mut().ok_or(Error::<T>::CertificationNotFound)?;
			let position = list
				.iter()
				.position(|(id, _)| *id == provider)
				.ok_or(Error::<T>::CertificationNotFound)?;
			list.remove(position);
			if list.is_empty() {
				*certifications = None;
			}
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::Revoked { who, provider });
		Ok(())
	}

	/// The highest level of `who`'s unexpired certifications; Anonymous without one.
	pub fn level_of(who: &T::AccountId) -> IdentityLevel {
		let now = Self::now();
		Certifications::<T>::get(who)
			.iter()
			.filter(|(_, certification)| certification.expires_at > now)
			.map(|(_, certification)| certification.level)
			.max()
			.unwrap_or_default()
	}

	/// `who`'s pending requests, by provider.
	pub fn requests_of(who: &T::AccountId) -> Vec<(ProviderId, Request<BalanceOf<T>>)> {
		Requests::<T>::iter_prefix(who).collect()
	}

	/// `provider`'s certification of `who`, expired or not.
	pub fn certification(who: &T::AccountId, provider: ProviderId) -> Option<Certification> {
		Certifications::<T>::get(who)
			.into_iter()
			.find_map(|(id, certification)| (id == provider).then_some(certification))
	}
}
