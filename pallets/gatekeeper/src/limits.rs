//! The daily limits: what was minted and withdrawn today, against the caps.

use crate::{pallet::*, types::*};
use frame_support::traits::UnixTime;

impl<T: Config> Pallet<T> {
	/// Today's totals (zero on a new day).
	pub(crate) fn today() -> DayTotals<BalanceOf<T>> {
		let day = T::Time::now().as_secs() / 86_400;
		let today = Today::<T>::get();
		if today.day == day {
			today
		} else {
			DayTotals { day, ..Default::default() }
		}
	}
}
