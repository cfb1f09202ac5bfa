//! Weights of the market's calls.
//!
//! The `()` implementation counts the storage reads and writes each call makes at its worst
//! case, with a fixed compute estimate, for tests and until `sonm-node benchmark pallet`
//! generates `SubstrateWeight` from `benchmarking.rs` on the reference machine.

use frame_support::{traits::Get, weights::Weight};

/// Weight functions of the market's calls.
pub trait WeightInfo {
	fn place_order() -> Weight;
	fn cancel_order() -> Weight;
	fn open_deal() -> Weight;
	fn bill() -> Weight;
	fn close_deal() -> Weight;
	fn change_deal() -> Weight;
	fn drop_change() -> Weight;
	fn request_master() -> Weight;
	fn confirm_worker() -> Weight;
	fn remove_worker() -> Weight;
	fn set_paused() -> Weight;
}

/// Storage reads and writes of each call, priced with `DbWeight`, plus 50 µs of compute.
pub struct CountedWeight<T>(core::marker::PhantomData<T>);

/// Compute estimate of a market call.
const COMPUTE: u64 = 50_000_000;

impl<T: frame_system::Config> CountedWeight<T> {
	fn weight(reads: u64, writes: u64) -> Weight {
		Weight::from_parts(COMPUTE, 4_000).saturating_add(T::DbWeight::get().reads_writes(reads, writes))
	}
}

impl<T: frame_system::Config> WeightInfo for CountedWeight<T> {
	fn place_order() -> Weight {
		Self::weight(6, 6)
	}
	fn cancel_order() -> Weight {
		Self::weight(4, 4)
	}
	fn open_deal() -> Weight {
		Self::weight(16, 12)
	}
	fn bill() -> Weight {
		Self::weight(8, 6)
	}
	fn close_deal() -> Weight {
		Self::weight(10, 10)
	}
	fn change_deal() -> Weight {
		Self::weight(10, 8)
	}
	fn drop_change() -> Weight {
		Self::weight(2, 1)
	}
	fn request_master() -> Weight {
		Self::weight(1, 1)
	}
	fn confirm_worker() -> Weight {
		Self::weight(1, 1)
	}
	fn remove_worker() -> Weight {
		Self::weight(1, 1)
	}
	fn set_paused() -> Weight {
		Self::weight(0, 1)
	}
}

impl WeightInfo for () {
	fn place_order() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn cancel_order() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn open_deal() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn bill() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn close_deal() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn change_deal() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn drop_change() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn request_master() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn confirm_worker() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn remove_worker() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
	fn set_paused() -> Weight {
		Weight::from_parts(COMPUTE, 0)
	}
}
