//! Benchmarks of the oracle (frame-benchmarking v2). `feed` at its worst: a new feeder joining
//! `n - 1` fresh feeds (every stale one is looked for to make room) and the price made again
//! from all `n`.

use crate::{pallet::*, Pallet as Oracle};
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use sonm_primitives::Currency;

/// What a runtime provides so that the oracle's benchmarks can feed.
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` an active masternode (a feeder).
	fn make_feeder(who: &AccountId);
	/// Sets the clock to `now` (seconds since the unix epoch).
	fn set_time(now: u64);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n`: the feeds of the currency after this one.
	#[benchmark]
	fn feed(n: Linear<1, { T::MaxFeeders::get() }>) {
		frame_system::Pallet::<T>::set_block_number(1u32.into());
		// 2024-01-01: feeds of a clock at zero would all count as stale.
		T::BenchmarkHelper::set_time(1_704_067_200);
		let price: T::Balance = 40_000u32.into();
		for i in 1..n {
			let feeder: T::AccountId = account("feeder", i, 0);
			T::BenchmarkHelper::make_feeder(&feeder);
			Oracle::<T>::feed(RawOrigin::Signed(feeder).into(), Currency::Usd, price)
				.expect("a feeder feeds");
		}
		let caller: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::make_feeder(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), Currency::Usd, price);

		assert_eq!(Feeds::<T>::get(Currency::Usd).len() as u32, n);
		if n >= T::MinFeeds::get() {
			assert_eq!(Prices::<T>::get(Currency::Usd).map(|p| p.snm_per_unit), Some(price));
		}
	}

	impl_benchmark_test_suite!(Oracle, crate::mock::new_bench_ext(), crate::mock::Test);
}
