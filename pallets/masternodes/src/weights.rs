//! Weights of the masternodes' calls: placeholders until the pallet joins the runtime and
//! `scripts/benchmark-pallets.sh` generates them from `benchmarking.rs`.

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed for `pallet_masternodes`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw() -> Weight;
	fn leave() -> Weight;
	fn back() -> Weight;
	fn set_session_length() -> Weight;
}

/// Weights for `pallet_masternodes` on the runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unbond() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn withdraw() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn leave() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn back() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}

/// The same, for tests and mocks.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn unbond() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn withdraw() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn leave() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn back() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}
