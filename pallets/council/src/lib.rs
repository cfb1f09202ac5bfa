//! # Council root
//!
//! The chain's root is its masternodes. Their council (`pallet-collective`, its members the
//! active masternode set, kept in step at every session by `pallet-masternodes`) votes on
//! motions; a motion carried by more than two thirds of the members dispatches with the council's
//! origin, and [`Pallet::dispatch_as_root`] turns that origin into root for the call it carries.
//! So every call that needs root (registering KYC providers, the gateway's caps and pause,
//! session length, runtime upgrades) is reached by a council motion, and by nothing else where
//! the chain has no sudo key.
//!
//! A failing call fails the dispatch: the motion's `Executed` event carries the call's error and
//! nothing the call did is kept.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod tests;

#[frame_support::pallet]
pub mod pallet {
	use alloc::boxed::Box;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::{StorageVersion, UnfilteredDispatchable},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Dispatchable;

	/// The layout of this pallet's storage (it has none yet).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The calls it dispatches.
		type RuntimeCall: Parameter
			+ UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
			+ Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
			+ GetDispatchInfo;

		/// Who may act as root: more than two thirds of the council, by motion.
		type CouncilOrigin: EnsureOrigin<Self::RuntimeOrigin>;
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The council dispatched a call as root, and it succeeded.
		DispatchedAsRoot,
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The proposer already has as many motions open as one member may.
		TooManyOpenMotions,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Dispatches `call` as root. Only the council's origin (a carried motion) may; the call's
		/// own error is this call's error.
		#[pallet::call_index(0)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(T::DbWeight::get().writes(1).saturating_add(info.call_weight), info.class)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::CouncilOrigin::ensure_origin(origin)?;
			let post = call.dispatch_bypass_filter(frame_system::RawOrigin::Root.into())?;
			Self::deposit_event(Event::DispatchedAsRoot);
			Ok(post
				.actual_weight
				.map(|used| used.saturating_add(T::DbWeight::get().writes(1)))
				.into())
		}
	}
}
