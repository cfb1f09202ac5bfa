//! Benchmarks of every KYC call at its worst case (frame-benchmarking v2): the longest name
//! and URL, fees to hold and pay, a user already certified by every other provider the
//! runtime allows (`certify` and `revoke` read and write the longest list), and for `revoke`
//! a provider's account (the registry origin is tried first).

use crate::{pallet::*, Pallet as Kyc};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, UnixTime,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sonm_primitives::IdentityLevel;
use sp_runtime::traits::Hash;

const SEED: u32 = 0;

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

/// An account with enough for any fee, at block 1 (so that events are kept).
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	let who: T::AccountId = account(name, 0, SEED);
	let unit = T::Currency::minimum_balance().max(1u32.into());
	T::Currency::set_balance(&who, unit * 1_000_000_000u32.into());
	who
}

fn fee<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().max(1u32.into()) * 1_000u32.into()
}

/// Registers a provider with the longest name and URL; returns its id and account.
fn provider<T: Config>() -> Result<(ProviderId, T::AccountId), BenchmarkError> {
	let account = funded::<T>("provider");
	let origin =
		T::RegistryOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
	Kyc::<T>::register_provider(
		origin,
		account.clone(),
		vec![b'n'; 64].try_into().expect("64 bytes fit"),
		vec![b'u'; 256].try_into().expect("256 bytes fit"),
		fee::<T>(),
		IdentityLevel::Professional,
	)?;
	Ok((NextProviderId::<T>::get() - 1, account))
}

/// A user with a pending request at `provider`.
fn requesting<T: Config>(provider: ProviderId) -> Result<T::AccountId, BenchmarkError> {
	let user = funded::<T>("user");
	Kyc::<T>::request_verification(
		RawOrigin::Signed(user.clone()).into(),
		provider,
		IdentityLevel::Professional,
		fee::<T>(),
	)?;
	Ok(user)
}

/// Gives `who` certifications from `MaxProviders - 1` providers other than `except`, so that
/// its list is full once `except` certifies it.
fn certified_by_others<T: Config>(who: &T::AccountId, except: ProviderId) {
	let expires_at = T::Time::now().as_secs() + 365 * 24 * 3600;
	let certification =
		Certification { level: IdentityLevel::Registered, expires_at, evidence: [1; 32] };
	let others = (0..T::MaxProviders::get().saturating_sub(1))
		.map(|i| (except.wrapping_add(1).wrapping_add(i), certification))
		.collect::<vec::Vec<_>>();
	Certifications::<T>::insert(who, BoundedVec::try_from(others).expect("MaxProviders - 1 fit"));
}

/// A profile with every attribute at its longest.
fn largest_profile() -> ProfileAttributes {
	let attribute = || -> Attribute { vec![b'a'; 256].try_into().expect("256 bytes fit") };
	ProfileAttributes {
		logo_url: attribute(),
		company: attribute(),
		name: attribute(),
		site_url: attribute(),
		social: vec![attribute(); 8].try_into().expect("8 links fit"),
		email: attribute(),
		phone: attribute(),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_provider() -> Result<(), BenchmarkError> {
		let origin =
			T::RegistryOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let account: T::AccountId = account("provider", 0, SEED);
		let id = NextProviderId::<T>::get();

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			account.clone(),
			vec![b'n'; 64].try_into().expect("64 bytes fit"),
			vec![b'u'; 256].try_into().expect("256 bytes fit"),
			fee::<T>(),
			IdentityLevel::Professional,
		);

		assert_last_event::<T>(Event::ProviderRegistered { id, account });
		Ok(())
	}

	#[benchmark]
	fn update_provider() -> Result<(), BenchmarkError> {
		let (id, _) = provider::<T>()?;
		let origin =
			T::RegistryOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			id,
			vec![b'v'; 256].try_into().expect("256 bytes fit"),
			fee::<T>(),
			IdentityLevel::Identified,
			true,
		);

		assert_last_event::<T>(Event::ProviderUpdated { id });
		Ok(())
	}

	#[benchmark]
	fn remove_provider() -> Result<(), BenchmarkError> {
		let (id, _) = provider::<T>()?;
		let origin =
			T::RegistryOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_last_event::<T>(Event::ProviderRemoved { id });
		assert!(!Providers::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn request_verification() -> Result<(), BenchmarkError> {
		let (id, _) = provider::<T>()?;
		let user = funded::<T>("user");

		#[extrinsic_call]
		_(RawOrigin::Signed(user.clone()), id, IdentityLevel::Professional, fee::<T>());

		assert_last_event::<T>(Event::VerificationRequested {
			who: user,
			provider: id,
			level: IdentityLevel::Professional,
		});
		Ok(())
	}

	#[benchmark]
	fn cancel_request() -> Result<(), BenchmarkError> {
		let (id, _) = provider::<T>()?;
		let user = requesting::<T>(id)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(user.clone()), id);

		assert_last_event::<T>(Event::RequestCancelled { who: user, provider: id });
		Ok(())
	}

	#[benchmark]
	fn certify() -> Result<(), BenchmarkError> {
		let (id, account) = provider::<T>()?;
		let user = requesting::<T>(id)?;
		certified_by_others::<T>(&user, id);
		let expires_at = T::Time::now().as_secs() + 365 * 24 * 3600;

		#[extrinsic_call]
		_(RawOrigin::Signed(account), id, user.clone(), expires_at, [7; 32]);

		assert_eq!(Certifications::<T>::decode_len(&user), Some(T::MaxProviders::get() as usize));
		assert_last_event::<T>(Event::Certified {
			who: user,
			provider: id,
			level: IdentityLevel::Professional,
			expires_at,
		});
		Ok(())
	}

	#[benchmark]
	fn reject() -> Result<(), BenchmarkError> {
		let (id, account) = provider::<T>()?;
		let user = requesting::<T>(id)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(account), id, user.clone());

		assert_last_event::<T>(Event::Rejected { who: user, provider: id });
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let (id, account) = provider::<T>()?;
		let user = requesting::<T>(id)?;
		certified_by_others::<T>(&user, id);
		let expires_at = T::Time::now().as_secs() + 365 * 24 * 3600;
		Kyc::<T>::certify(
			RawOrigin::Signed(account.clone()).into(),
			id,
			user.clone(),
			expires_at,
			[7; 32],
		)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(account), id, user.clone());

		assert_last_event::<T>(Event::Revoked { who: user, provider: id });
		Ok(())
	}

	#[benchmark]
	fn submit_profile() {
		let user = funded::<T>("user");
		let attributes = largest_profile();
		let hash = T::Hashing::hash_of(&attributes);

		#[extrinsic_call]
		_(RawOrigin::Signed(user.clone()), attributes);

		assert_last_event::<T>(Event::ProfileSubmitted { who: user, hash });
	}

	/// A provider's approval (it reads the provider besides the profile).
	#[benchmark]
	fn approve_profile() -> Result<(), BenchmarkError> {
		let (id, account) = provider::<T>()?;
		let user = funded::<T>("user");
		let attributes = largest_profile();
		let hash = T::Hashing::hash_of(&attributes);
		Kyc::<T>::submit_profile(RawOrigin::Signed(user.clone()).into(), attributes)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(account), Some(id), user.clone(), hash);

		assert_last_event::<T>(Event::ProfileApproved {
			who: user,
			hash,
			by: Approver::Provider(id),
		});
		Ok(())
	}

	#[benchmark]
	fn withdraw_profile() -> Result<(), BenchmarkError> {
		let user = funded::<T>("user");
		let attributes = largest_profile();
		let hash = T::Hashing::hash_of(&attributes);
		Kyc::<T>::submit_profile(RawOrigin::Signed(user.clone()).into(), attributes)?;
		let origin =
			T::ModeratorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Kyc::<T>::approve_profile(origin, None, user.clone(), hash)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(user.clone()));

		assert_last_event::<T>(Event::ProfileWithdrawn { who: user });
		Ok(())
	}

	impl_benchmark_test_suite!(Kyc, crate::mock::new_bench_ext(), crate::mock::Test);
}
