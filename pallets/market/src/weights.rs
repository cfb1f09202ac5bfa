//! Weights of the market's calls. Replaced by `scripts/benchmark-pallets.sh`.

use frame_support::weights::Weight;
use core::marker::PhantomData;

/// Weight functions needed for `pallet_market`.
pub trait WeightInfo {
	fn place_order() -> Weight;
	fn cancel_order() -> Weight;
	fn remove_expired_order() -> Weight;
	fn open_deal() -> Weight;
	fn quick_buy() -> Weight;
	fn bill() -> Weight;
	fn close_deal() -> Weight;
	fn request_change() -> Weight;
	fn accept_change() -> Weight;
	fn drop_change() -> Weight;
	fn request_master() -> Weight;
	fn confirm_worker() -> Weight;
	fn remove_worker() -> Weight;
	fn set_paused() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn place_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn cancel_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove_expired_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn open_deal() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn quick_buy() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn bill() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn close_deal() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn accept_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn drop_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_master() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn confirm_worker() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove_worker() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn set_paused() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}

impl WeightInfo for () {
	fn place_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn cancel_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove_expired_order() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn open_deal() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn quick_buy() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn bill() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn close_deal() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn accept_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn drop_change() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn request_master() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn confirm_worker() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn remove_worker() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
	fn set_paused() -> Weight {
		Weight::from_parts(1_000_000_000, 0)
	}
}
