//! Masters and workers: a worker's deal income goes to its confirmed master; a worker publishes
//! where customers reach it.

use crate::{pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*};

impl<T: Config> Pallet<T> {
	/// The confirmed master of `worker`, if any.
	pub(crate) fn confirmed_master(worker: &T::AccountId) -> Option<T::AccountId> {
		Masters::<T>::get(worker).filter(|link| link.confirmed).map(|link| link.master)
	}

	/// `worker` asks to join `master`.
	pub(crate) fn do_request_master(worker: T::AccountId, master: T::AccountId) -> DispatchResult {
		ensure!(worker != master, Error::<T>::OwnMaster);
		ensure!(!Masters::<T>::contains_key(&worker), Error::<T>::AlreadyHasMaster);
		Masters::<T>::insert(&worker, MasterLink { master: master.clone(), confirmed: false });
		Self::deposit_event(Event::WorkerRequested { worker, master });
		Ok(())
	}

	/// `master` confirms `worker`.
	pub(crate) fn do_confirm_worker(master: T::AccountId, worker: T::AccountId) -> DispatchResult {
		Masters::<T>::try_mutate(&worker, |link| {
			let link = link.as_mut().ok_or(Error::<T>::NoMasterLink)?;
			ensure!(link.master == master, Error::<T>::NotMaster);
			ensure!(!link.confirmed, Error::<T>::AlreadyConfirmed);
			link.confirmed = true;
			Ok::<_, DispatchError>(())
		})?;
		WorkersOf::<T>::insert(&master, &worker, ());
		Self::deposit_event(Event::WorkerConfirmed { worker, master });
		Ok(())
	}

	/// `who` (the worker or its master) ends the worker's link.
	pub(crate) fn do_remove_worker(who: T::AccountId, worker: T::AccountId) -> DispatchResult {
		let link = Masters::<T>::get(&worker).ok_or(Error::<T>::NoMasterLink)?;
		ensure!(who == worker || who == link.master, Error::<T>::NotMaster);
		Masters::<T>::remove(&worker);
		if link.confirmed {
			WorkersOf::<T>::remove(&link.master, &worker);
		}
		Self::deposit_event(Event::WorkerRemoved { worker, master: link.master });
		Ok(())
	}

	/// `worker` publishes `url`; the first record holds `EndpointDeposit`.
	pub(crate) fn do_set_endpoint(worker: T::AccountId, url: EndpointUrl) -> DispatchResult {
		sonm_primitives::endpoint::check_endpoint(&url).map_err(|_| Error::<T>::BadEndpoint)?;
		let deposit = match Endpoints::<T>::get(&worker) {
			Some(record) => record.deposit,
			None => {
				let deposit = T::EndpointDeposit::get();
				Self::hold(HoldReason::EndpointDeposit, &worker, deposit)?;
				deposit
			},
		};
		Endpoints::<T>::insert(&worker, EndpointRecord { url: url.clone(), deposit });
		Self::deposit_event(Event::EndpointSet { worker, url });
		Ok(())
	}

	/// `worker` withdraws its endpoint record; its deposit is released.
	pub(crate) fn do_clear_endpoint(worker: T::AccountId) -> DispatchResult {
		let record = Endpoints::<T>::take(&worker).ok_or(Error::<T>::NoEndpoint)?;
		Self::release(HoldReason::EndpointDeposit, &worker, record.deposit)?;
		Self::deposit_event(Event::EndpointCleared { worker });
		Ok(())
	}
}
