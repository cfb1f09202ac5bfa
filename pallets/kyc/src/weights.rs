//! Weights of the KYC calls: placeholders until the pallet joins the runtime and
//! `scripts/benchmark-pallets.sh` generates them (issue 4).

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed for `pallet_kyc`.
pub trait WeightInfo {
	fn register_provider() -> Weight;
	fn update_provider() -> Weight;
	fn request_verification() -> Weight;
	fn cancel_request() -> Weight;
	fn certify() -> Weight;
	fn reject() -> Weight;
	fn revoke() -> Weight;
	fn submit_profile() -> Weight;
	fn approve_profile() -> Weight;
	fn withdraw_profile() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_provider() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn update_provider() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_verification() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn cancel_request() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn certify() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn reject() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn revoke() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn submit_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn approve_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn withdraw_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}

impl WeightInfo for () {
	fn register_provider() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn update_provider() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_verification() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn cancel_request() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn certify() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn reject() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn revoke() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn submit_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn approve_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn withdraw_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}
