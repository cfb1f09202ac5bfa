//! The provider registry: providers registered, changed and removed by governance.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::*;
use sonm_primitives::IdentityLevel;

impl<T: Config> Pallet<T> {
	/// Registers a provider; see [`Pallet::register_provider`].
	pub(crate) fn do_register_provider(
		origin: OriginFor<T>,
		account: T::AccountId,
		name: ProviderName,
		url: ProviderUrl,
		fee: BalanceOf<T>,
		max_level: IdentityLevel,
	) -> DispatchResult {
		T::RegistryOrigin::ensure_origin(origin)?;
		ensure!(max_level > IdentityLevel::Anonymous, Error::<T>::LevelTooLow);
		ensure!(Providers::<T>::count() < T::MaxProviders::get(), Error::<T>::TooManyProviders);
		let id = NextProviderId::<T>::get();
		NextProviderId::<T>::put(id.checked_add(1).ok_or(Error::<T>::TooManyProviders)?);
		Providers::<T>::insert(
			id,
			Provider { account: account.clone(), name, url, fee, max_level, active: true },
		);
		Self::deposit_event(Event::ProviderRegistered { id, account });
		Ok(())
	}

	/// Changes a provider; see [`Pallet::update_provider`].
	pub(crate) fn do_update_provider(
		origin: OriginFor<T>,
		id: ProviderId,
		url: ProviderUrl,
		fee: BalanceOf<T>,
		max_level: IdentityLevel,
		active: bool,
	) -> DispatchResult {
		T::RegistryOrigin::ensure_origin(origin)?;
		ensure!(max_level > IdentityLevel::Anonymous, Error::<T>::LevelTooLow);
		Providers::<T>::try_mutate(id, |provider| {
			let provider = provider.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			provider.url = url;
			provider.fee = fee;
			provider.max_level = max_level;
			provider.active = active;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::ProviderUpdated { id });
		Ok(())
	}

	/// Removes a provider; see [`Pallet::remove_provider`].
	pub(crate) fn do_remove_provider(origin: OriginFor<T>, id: ProviderId) -> DispatchResult {
		T::RegistryOrigin::ensure_origin(origin)?;
		Providers::<T>::take(id).ok_or(Error::<T>::ProviderNotFound)?;
		Self::deposit_event(Event::ProviderRemoved { id });
		Ok(())
	}

	pub(crate) fn active_provider(
		id: ProviderId,
	) -> Result<Provider<T::AccountId, BalanceOf<T>>, DispatchError> {
		let provider = Providers::<T>::get(id).ok_or(Error::<T>::ProviderNotFound)?;
		ensure!(provider.active, Error::<T>::ProviderInactive);
		Ok(provider)
	}

	/// Provider `id`, when `origin` is signed by its account (and, with `must_be_active`,
	/// it is active).
	pub(crate) fn provider_signing(
		origin: OriginFor<T>,
		id: ProviderId,
		must_be_active: bool,
	) -> Result<Provider<T::AccountId, BalanceOf<T>>, DispatchError> {
		let caller = ensure_signed(origin)?;
		let provider = if must_be_active {
			Self::active_provider(id)?
		} else {
			Providers::<T>::get(id).ok_or(Error::<T>::ProviderNotFound)?
		};
		ensure!(caller == provider.account, Error::<T>::NotProvider);
		Ok(provider)
	}

	/// The registered providers, active or not, by id.
	pub fn providers() -> Vec<(ProviderId, ProviderOf<T>)> {
		Providers::<T>::iter().collect()
	}
}
