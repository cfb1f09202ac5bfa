//! Benchmarks of every blacklist call at its worst case (frame-benchmarking v2): full lists and
//! subscription lists, the longest name and description.

use crate::{pallet::*, Pallet as Blacklist};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::RawOrigin;

const SEED: u32 = 0;

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

/// `whitelisted_caller`, funded for every deposit, at block 1 (so that events are kept).
fn caller<T: Config>() -> T::AccountId {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	let who: T::AccountId = whitelisted_caller();
	let unit = T::Currency::minimum_balance().max(1u32.into());
	T::Currency::set_balance(&who, unit * 1_000_000_000u32.into() * 1_000_000u32.into());
	who
}

/// Fills `who`'s list up to `MaxEntries - room` entries.
fn fill_list<T: Config>(who: &T::AccountId, room: u32) {
	for index in 0..T::MaxEntries::get() - room {
		Blacklist::<T>::do_add(who.clone(), account("blocked", index, SEED)).expect("room left");
	}
}

/// Subscribes `who` to `MaxSubscriptions - room` lists.
fn fill_subscriptions<T: Config>(who: &T::AccountId, room: u32) {
	for index in 0..T::MaxSubscriptions::get() - room {
		let list: T::AccountId = account("list", index, SEED);
		Subscriptions::<T>::mutate(who, |lists| lists.try_push(list)).expect("room left");
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add() {
		let who = caller::<T>();
		fill_list::<T>(&who, 1);
		let whom: T::AccountId = account("whom", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), whom.clone());

		assert_last_event::<T>(Event::Blocked { who, whom });
	}

	#[benchmark]
	fn remove() {
		let who = caller::<T>();
		fill_list::<T>(&who, 0);
		let whom: T::AccountId = account("blocked", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), whom.clone());

		assert_last_event::<T>(Event::Unblocked { who, whom });
	}

	#[benchmark]
	fn subscribe() {
		let who = caller::<T>();
		fill_subscriptions::<T>(&who, 1);
		let list: T::AccountId = account("curator", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), list.clone());

		assert_last_event::<T>(Event::Subscribed { who, list });
	}

	#[benchmark]
	fn unsubscribe() {
		let who = caller::<T>();
		fill_subscriptions::<T>(&who, 0);
		let list: T::AccountId = account("list", T::MaxSubscriptions::get() - 1, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), list.clone());

		assert_last_event::<T>(Event::Unsubscribed { who, list });
	}

	#[benchmark]
	fn publish_list() {
		let curator = caller::<T>();
		let name: ListName = vec![b'n'; 64].try_into().expect("64 bytes fit");
		let description: ListDescription = vec![b'd'; 512].try_into().expect("512 bytes fit");

		#[extrinsic_call]
		_(RawOrigin::Signed(curator.clone()), name.clone(), description);

		assert_last_event::<T>(Event::ListPublished { curator, name });
	}

	#[benchmark]
	fn unpublish_list() {
		let curator = caller::<T>();
		let name: ListName = vec![b'n'; 64].try_into().expect("64 bytes fit");
		let description: ListDescription = vec![b'd'; 512].try_into().expect("512 bytes fit");
		Blacklist::<T>::publish_list(RawOrigin::Signed(curator.clone()).into(), name, description)
			.expect("the curator can pay");

		#[extrinsic_call]
		_(RawOrigin::Signed(curator.clone()));

		assert_last_event::<T>(Event::ListUnpublished { curator });
	}

	impl_benchmark_test_suite!(Blacklist, crate::mock::new_test_ext(), crate::mock::Test);
}
