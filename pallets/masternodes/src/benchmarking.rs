//! Benchmarks of every masternode call at its worst case (frame-benchmarking v2): registering
//! with the most masternodes but one, unbonding into the last free slot, withdrawing the most
//! unbonding amounts and the removal that follows a leave.

use crate::{pallet::*, Pallet as Masternodes};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

const SEED: u32 = 0;

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

/// An account with enough for ten minimum stakes, at block 1 (so that events are kept).
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	let who: T::AccountId = account(name, index, SEED);
	let amount = T::MinStake::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// Registers masternodes until `MaxCandidates - room` are registered.
fn fill<T: Config>(room: u32) {
	let mut index = 0;
	while Registry::<T>::count() < T::MaxCandidates::get().saturating_sub(room) {
		let who = funded::<T>("filler", index);
		Masternodes::<T>::do_register(who, T::MinStake::get()).expect("room left");
		index += 1;
	}
}

/// A registered masternode with three minimum stakes bonded.
fn masternode<T: Config>() -> T::AccountId {
	let who = funded::<T>("masternode", 0);
	let stake = T::MinStake::get().saturating_mul(3u32.into());
	Masternodes::<T>::do_register(who.clone(), stake).expect("funded");
	who
}

/// Fills `who`'s unbonding amounts up to `MaxUnbonding - room`, each of the minimum
/// unit; they become withdrawable after the unbonding period.
fn unbond_many<T: Config>(who: &T::AccountId, room: u32) {
	let unit = T::Currency::minimum_balance().max(1u32.into());
	Masternodes::<T>::bond_extra(
		RawOrigin::Signed(who.clone()).into(),
		unit.saturating_mul(T::MaxUnbonding::get().into()),
	)
	.expect("funded");
	for _ in 0..T::MaxUnbonding::get().saturating_sub(room) {
		Masternodes::<T>::unbond(RawOrigin::Signed(who.clone()).into(), unit).expect("room");
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		fill::<T>(1);
		let who = funded::<T>("new", 0);
		let stake = T::MinStake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), stake);

		assert_last_event::<T>(Event::Registered { who, stake });
	}

	#[benchmark]
	fn bond_extra() {
		let who = masternode::<T>();
		let amount = T::MinStake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert_last_event::<T>(Event::Bonded { who, amount });
	}

	#[benchmark]
	fn unbond() {
		let who = masternode::<T>();
		unbond_many::<T>(&who, 1);
		let amount = T::MinStake::get();
		let from = CurrentSession::<T>::get() + T::UnbondingSessions::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert_last_event::<T>(Event::Unbonded { who, amount, from });
	}

	/// Every unbonding amount of a masternode that left is withdrawn: it is removed.
	#[benchmark]
	fn withdraw() {
		let who = masternode::<T>();
		unbond_many::<T>(&who, 1);
		Masternodes::<T>::leave(RawOrigin::Signed(who.clone()).into()).expect("registered");
		CurrentSession::<T>::mutate(|session| *session += T::UnbondingSessions::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_last_event::<T>(Event::Removed { who: who.clone() });
		assert!(Registry::<T>::get(&who).is_none());
	}

	#[benchmark]
	fn leave() {
		let who = masternode::<T>();
		unbond_many::<T>(&who, 1);
		let amount = Registry::<T>::get(&who).expect("registered").stake;
		let from = CurrentSession::<T>::get() + T::UnbondingSessions::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_last_event::<T>(Event::Unbonded { who, amount, from });
	}

	#[benchmark]
	fn back() {
		let who = masternode::<T>();
		Offline::<T>::insert(&who, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_last_event::<T>(Event::Back { who: who.clone() });
		assert!(BackRequested::<T>::contains_key(&who));
	}

	#[benchmark]
	fn set_session_length() -> Result<(), BenchmarkError> {
		let origin = T::SessionLengthOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let blocks = 600u32.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);

		assert_last_event::<T>(Event::SessionLengthSet { blocks });
		Ok(())
	}

	impl_benchmark_test_suite!(Masternodes, crate::mock::new_bench_ext(), crate::mock::Test);
}
