#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod holds;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
mod profiles;
mod providers;
#[cfg(test)]
mod tests;
pub mod types;
mod verification;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::IdentityLevel;

	pub use crate::types::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency fees are paid in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// Wall-clock time of the current block, for expiry.
		type Time: UnixTime;

		/// Who manages the provider registry (governance).
		type RegistryOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most providers registered at once (a removed provider frees its slot); also
		/// bounds how many certifications an account can have, and so the reads of its
		/// effective level.
		#[pallet::constant]
		type MaxProviders: Get<u32>;

		/// Who may approve profiles besides the providers.
		type ModeratorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Held while a profile is on chain.
		#[pallet::constant]
		type ProfileDeposit: Get<BalanceOf<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds an account's funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The fee of a pending verification request.
		#[codec(index = 0)]
		VerificationFee,
		/// The deposit of a profile.
		#[codec(index = 1)]
		Profile,
	}

	/// The id the next provider gets. Ids are never reused, so that a certification always
	/// names the provider that made it.
	#[pallet::storage]
	pub type NextProviderId<T> = StorageValue<_, ProviderId, ValueQuery>;

	/// The registry, counted: at most `MaxProviders` at once.
	#[pallet::storage]
	pub type Providers<T: Config> =
		CountedStorageMap<_, Twox64Concat, ProviderId, Provider<T::AccountId, BalanceOf<T>>>;

	/// Pending requests, by user and provider.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ProviderId,
		Request<BalanceOf<T>>,
	>;

	/// Each user's certifications, one per provider (a provider's newer one replaces its
	/// older one). One value per user, so that its effective level costs one read.
	#[pallet::storage]
	pub type Certifications<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(ProviderId, Certification), T::MaxProviders>,
		ValueQuery,
	>;

	/// Profiles as their owners last submitted them.
	#[pallet::storage]
	pub type Profiles<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, SubmittedProfile<BalanceOf<T>, T::Hash>>;

	/// The approved profiles: what may be shown, and who approved it. A new submission leaves
	/// the approved one in place until it is approved itself.
	#[pallet::storage]
	pub type ApprovedProfiles<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (ProfileAttributes, Approver)>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider joined the registry.
		ProviderRegistered { id: ProviderId, account: T::AccountId },
		/// A provider's fee, highest level, URL or activity changed.
		ProviderUpdated { id: ProviderId },
		/// A provider left the registry; its slot is free for another.
		ProviderRemoved { id: ProviderId },
		/// A user asked a provider for a level; the fee is held.
		VerificationRequested { who: T::AccountId, provider: ProviderId, level: IdentityLevel },
		/// A user withdrew a request; the fee went back.
		RequestCancelled { who: T::AccountId, provider: ProviderId },
		/// A provider certified a user and was paid.
		Certified {
			who: T::AccountId,
			provider: ProviderId,
			level: IdentityLevel,
			expires_at: Seconds,
		},
		/// A provider rejected a request; the fee went back.
		Rejected { who: T::AccountId, provider: ProviderId },
		/// A certification was revoked (by its provider or governance).
		Revoked { who: T::AccountId, provider: ProviderId },
		/// A user submitted profile attributes with this hash.
		ProfileSubmitted { who: T::AccountId, hash: T::Hash },
		/// The profile with this hash was approved and is shown.
		ProfileApproved { who: T::AccountId, hash: T::Hash, by: Approver },
		/// A user withdrew its profile, submitted and approved.
		ProfileWithdrawn { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// As many providers as allowed are registered.
		TooManyProviders,
		/// No provider has this id.
		ProviderNotFound,
		/// The provider is not active.
		ProviderInactive,
		/// The caller is not the provider's account.
		NotProvider,
		/// Anonymous is no level to request or grant.
		LevelTooLow,
		/// The provider may not grant this level.
		LevelAboveProviderMax,
		/// The provider's fee is above what the user agreed to pay.
		FeeAboveMax,
		/// The user cannot pay the fee.
		InsufficientBalance,
		/// The user already has a pending request with this provider.
		RequestPending,
		/// No such pending request.
		RequestNotFound,
		/// The expiry is not in the future.
		ExpiryInPast,
		/// No such certification.
		CertificationNotFound,
		/// The account has no submitted profile.
		ProfileNotFound,
		/// The submitted profile is not the one the approval names (it changed meanwhile).
		ProfileChanged,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a provider.
		///
		/// Origin: `RegistryOrigin` (root). Emits `ProviderRegistered`. Errors:
		/// `TooManyProviders`, `LevelTooLow`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_provider())]
		pub fn register_provider(
			origin: OriginFor<T>,
			account: T::AccountId,
			name: ProviderName,
			url: ProviderUrl,
			fee: BalanceOf<T>,
			max_level: IdentityLevel,
		) -> DispatchResult {
			Self::do_register_provider(origin, account, name, url, fee, max_level)
		}

		/// Changes a provider's URL, fee, highest level or activity. Pending requests keep the
		/// fee they hold; existing certifications stay valid until they expire or are revoked.
		///
		/// Origin: `RegistryOrigin` (root). Emits `ProviderUpdated`. Errors:
		/// `ProviderNotFound`, `LevelTooLow`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_provider())]
		pub fn update_provider(
			origin: OriginFor<T>,
			id: ProviderId,
			url: ProviderUrl,
			fee: BalanceOf<T>,
			max_level: IdentityLevel,
			active: bool,
		) -> DispatchResult {
			Self::do_update_provider(origin, id, url, fee, max_level, active)
		}

		/// Removes a provider from the registry, freeing its slot. Its certifications stay
		/// valid until they expire or governance revokes them; pending requests to it can no
		/// longer be certified and their fees go back on `cancel_request`.
		///
		/// Origin: `RegistryOrigin` (root). Emits `ProviderRemoved`. Errors: `ProviderNotFound`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_provider())]
		pub fn remove_provider(origin: OriginFor<T>, id: ProviderId) -> DispatchResult {
			Self::do_remove_provider(origin, id)
		}

		/// Asks `provider` to verify the caller at `level`, holding its fee (at most `max_fee`,
		/// so that a fee raised meanwhile is not charged unawares).
		///
		/// Origin: signed. Emits `VerificationRequested`. Errors: `ProviderNotFound`,
		/// `ProviderInactive`, `LevelTooLow`, `LevelAboveProviderMax`, `FeeAboveMax`,
		/// `RequestPending`, `InsufficientBalance`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::request_verification())]
		pub fn request_verification(
			origin: OriginFor<T>,
			provider: ProviderId,
			level: IdentityLevel,
			max_fee: BalanceOf<T>,
		) -> DispatchResult {
			Self::do_request_verification(origin, provider, level, max_fee)
		}

		/// Withdraws the caller's pending request; the fee goes back.
		///
		/// Origin: signed, the user. Emits `RequestCancelled`. Errors: `RequestNotFound`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel_request())]
		pub fn cancel_request(origin: OriginFor<T>, provider: ProviderId) -> DispatchResult {
			Self::do_cancel_request(origin, provider)
		}

		/// The provider certifies `who` at the requested level, or at the provider's highest
		/// level now if governance lowered it since the request, until `expires_at`, with the
		/// hash of the evidence it keeps; the held fee is paid to the provider. A full list of
		/// certifications drops its expired ones to make room.
		///
		/// Origin: signed, the provider's account. Emits `Certified`. Errors:
		/// `ProviderNotFound`, `ProviderInactive`, `NotProvider`, `RequestNotFound`,
		/// `ExpiryInPast`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::certify())]
		pub fn certify(
			origin: OriginFor<T>,
			provider: ProviderId,
			who: T::AccountId,
			expires_at: Seconds,
			evidence: EvidenceHash,
		) -> DispatchResult {
			Self::do_certify(origin, provider, who, expires_at, evidence)
		}

		/// The provider rejects `who`'s request; the fee goes back to `who`.
		///
		/// Origin: signed, the provider's account. Emits `Rejected`. Errors:
		/// `ProviderNotFound`, `NotProvider`, `RequestNotFound`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reject())]
		pub fn reject(
			origin: OriginFor<T>,
			provider: ProviderId,
			who: T::AccountId,
		) -> DispatchResult {
			Self::do_reject(origin, provider, who)
		}

		/// Revokes `provider`'s certification of `who`.
		///
		/// Origin: signed by the provider's account, or `RegistryOrigin`. Emits `Revoked`.
		/// Errors: `ProviderNotFound`, `NotProvider`, `CertificationNotFound`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			provider: ProviderId,
			who: T::AccountId,
		) -> DispatchResult {
			Self::do_revoke(origin, provider, who)
		}

		/// Submits (or replaces) the caller's profile attributes, holding `ProfileDeposit`
		/// once. They are shown after an approval of exactly this content.
		///
		/// Origin: signed. Emits `ProfileSubmitted`. Errors: `InsufficientBalance`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::submit_profile())]
		pub fn submit_profile(
			origin: OriginFor<T>,
			attributes: ProfileAttributes,
		) -> DispatchResult {
			Self::do_submit_profile(origin, attributes)
		}

		/// Approves `who`'s submitted profile, named by its `hash` so that only the content
		/// that was reviewed is shown. With `provider`, signed by that active provider's
		/// account; without, by `ModeratorOrigin`.
		///
		/// Emits `ProfileApproved`. Errors: `ProviderNotFound`, `ProviderInactive`,
		/// `NotProvider`, `ProfileNotFound`, `ProfileChanged`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::approve_profile())]
		pub fn approve_profile(
			origin: OriginFor<T>,
			provider: Option<ProviderId>,
			who: T::AccountId,
			hash: T::Hash,
		) -> DispatchResult {
			Self::do_approve_profile(origin, provider, who, hash)
		}

		/// Withdraws the caller's profile, submitted and approved, and releases its deposit.
		///
		/// Origin: signed. Emits `ProfileWithdrawn`. Errors: `ProfileNotFound`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::withdraw_profile())]
		pub fn withdraw_profile(origin: OriginFor<T>) -> DispatchResult {
			Self::do_withdraw_profile(origin)
		}
	}

	impl<T: Config> sonm_primitives::traits::IdentityLevelOf<T::AccountId> for Pallet<T> {
		fn identity_level(who: &T::AccountId) -> IdentityLevel {
			Pallet::<T>::level_of(who)
		}
	}
}
