//! Weights of the oracle's calls: placeholders until the pallet joins the runtime and
//! `scripts/benchmark-pallets.sh` generates them from `benchmarking.rs`.

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed for `pallet_oracle`.
pub trait WeightInfo {
	fn feed(n: u32) -> Weight;
}

/// Weights for `pallet_oracle` on the runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn feed(n: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 0)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(n.into()))
	}
}

/// The same, for tests and mocks.
impl WeightInfo for () {
	fn feed(n: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 0)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(n.into()))
	}
}
