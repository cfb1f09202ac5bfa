#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::IdentityLevel;
	use sp_runtime::traits::{Hash, Zero};

	/// A balance of the fee currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// Sequential id of a provider.
	pub use sonm_primitives::trust::ProviderId;
	/// A provider's name: at most 64 bytes.
	pub type ProviderName = BoundedVec<u8, ConstU32<64>>;
	/// A provider's web address: at most 256 bytes.
	pub type ProviderUrl = BoundedVec<u8, ConstU32<256>>;
	/// The hash of the evidence a provider keeps off chain (documents, call records).
	pub type EvidenceHash = [u8; 32];
	/// Seconds since the unix epoch.
	pub type Seconds = u64;

	/// A KYC provider, registered by governance.
	#[derive(
		Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
	)]
	pub struct Provider<AccountId, Balance> {
		/// The account that certifies and is paid.
		pub account: AccountId,
		/// Its name.
		pub name: ProviderName,
		/// Where users start its procedure.
		pub url: ProviderUrl,
		/// What one verification costs.
		pub fee: Balance,
		/// The highest level it may grant.
		pub max_level: IdentityLevel,
		/// Whether it takes requests and certifies.
		pub active: bool,
	}

	/// A provider record of this runtime.
	pub type ProviderOf<T> = Provider<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	/// A user's pending request to a provider.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub struct Request<Balance> {
		/// The level asked for.
		pub level: IdentityLevel,
		/// The fee held from the user.
		pub fee: Balance,
	}

	/// A text attribute of a profile: at most 256 bytes; empty when not given.
	pub type Attribute = BoundedVec<u8, ConstU32<256>>;

	/// What a user tells about itself. Shown only once a provider or a moderator approved this
	/// exact content.
	#[derive(
		Clone,
		Decode,
		DecodeWithMemTracking,
		Default,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub struct ProfileAttributes {
		/// URL of a logo image.
		pub logo_url: Attribute,
		/// Company name.
		pub company: Attribute,
		/// Name or nickname.
		pub name: Attribute,
		/// Web site.
		pub site_url: Attribute,
		/// Social network links, at most 8.
		pub social: BoundedVec<Attribute, ConstU32<8>>,
		/// E-mail address.
		pub email: Attribute,
		/// Phone number.
		pub phone: Attribute,
	}

	/// A submitted profile and the deposit held for it.
	#[derive(
		Clone, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, Debug, TypeInfo,
	)]
	pub struct SubmittedProfile<Balance, Hash> {
		/// The attributes.
		pub attributes: ProfileAttributes,
		/// Their hash: what an approval names.
		pub hash: Hash,
		/// Held while the profile is on chain.
		pub deposit: Balance,
	}

	/// Who approved a profile.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub enum Approver {
		/// A registered provider.
		Provider(ProviderId),
		/// A moderator (`ModeratorOrigin`).
		Moderator,
	}

	/// A provider's certification of a user.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub struct Certification {
		/// The level granted.
		pub level: IdentityLevel,
		/// When it stops counting.
		pub expires_at: Seconds,
		/// The hash of the evidence the provider keeps.
		pub evidence: EvidenceHash,
	}

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

		/// Removes a provider from the registry, freeing its slot. Its certifications stay
		/// valid until they expire or governance revokes them; pending requests to it can no
		/// longer be certified and their fees go back on `cancel_request`.
		///
		/// Origin: `RegistryOrigin` (root). Emits `ProviderRemoved`. Errors: `ProviderNotFound`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_provider())]
		pub fn remove_provider(origin: OriginFor<T>, id: ProviderId) -> DispatchResult {
			T::RegistryOrigin::ensure_origin(origin)?;
			Providers::<T>::take(id).ok_or(Error::<T>::ProviderNotFound)?;
			Self::deposit_event(Event::ProviderRemoved { id });
			Ok(())
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

		/// Withdraws the caller's pending request; the fee goes back.
		///
		/// Origin: signed, the user. Emits `RequestCancelled`. Errors: `RequestNotFound`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel_request())]
		pub fn cancel_request(origin: OriginFor<T>, provider: ProviderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let request = Requests::<T>::take(&who, provider).ok_or(Error::<T>::RequestNotFound)?;
			Self::release(HoldReason::VerificationFee, &who, request.fee)?;
			Self::deposit_event(Event::RequestCancelled { who, provider });
			Ok(())
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
			Self::provider_signing(origin, provider, false)?;
			let request = Requests::<T>::take(&who, provider).ok_or(Error::<T>::RequestNotFound)?;
			Self::release(HoldReason::VerificationFee, &who, request.fee)?;
			Self::deposit_event(Event::Rejected { who, provider });
			Ok(())
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

		/// Withdraws the caller's profile, submitted and approved, and releases its deposit.
		///
		/// Origin: signed. Emits `ProfileWithdrawn`. Errors: `ProfileNotFound`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::withdraw_profile())]
		pub fn withdraw_profile(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let submitted = Profiles::<T>::take(&who).ok_or(Error::<T>::ProfileNotFound)?;
			ApprovedProfiles::<T>::remove(&who);
			Self::release(HoldReason::Profile, &who, submitted.deposit)?;
			Self::deposit_event(Event::ProfileWithdrawn { who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Now, in whole seconds since the unix epoch.
		fn now() -> Seconds {
			T::Time::now().as_secs()
		}

		fn active_provider(
			id: ProviderId,
		) -> Result<Provider<T::AccountId, BalanceOf<T>>, DispatchError> {
			let provider = Providers::<T>::get(id).ok_or(Error::<T>::ProviderNotFound)?;
			ensure!(provider.active, Error::<T>::ProviderInactive);
			Ok(provider)
		}

		/// Provider `id`, when `origin` is signed by its account (and, with `must_be_active`,
		/// it is active).
		fn provider_signing(
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

		/// Holds `amount` of `who`'s free balance for `reason`.
		fn hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::hold(&reason.into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance.into())
		}

		/// Releases `amount` held from `who` for `reason`.
		fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::release(&reason.into(), who, amount, Precision::Exact).map(|_| ())
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

		/// The registered providers, active or not, by id.
		pub fn providers() -> Vec<(ProviderId, ProviderOf<T>)> {
			Providers::<T>::iter().collect()
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
					T::Currency::balance_on_hold(&HoldReason::Profile.into(), &who)
						== profile.deposit,
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

	impl<T: Config> sonm_primitives::traits::IdentityLevelOf<T::AccountId> for Pallet<T> {
		fn identity_level(who: &T::AccountId) -> IdentityLevel {
			Pallet::<T>::level_of(who)
		}
	}
}
