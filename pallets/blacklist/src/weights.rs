//! Weights of the blacklist's calls: placeholders until the pallet joins the runtime and
//! `scripts/benchmark-pallets.sh` generates them from `benchmarking.rs` (issue 4).

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed for `pallet_blacklist`.
pub trait WeightInfo {
	fn add() -> Weight;
	fn remove() -> Weight;
	fn subscribe() -> Weight;
	fn unsubscribe() -> Weight;
	fn publish_list() -> Weight;
	fn unpublish_list() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn subscribe() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unsubscribe() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn publish_list() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unpublish_list() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}

impl WeightInfo for () {
	fn add() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn subscribe() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unsubscribe() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn publish_list() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unpublish_list() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}
