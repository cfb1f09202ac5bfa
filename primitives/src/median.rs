//! The price in force from a set of feeds: the median, recomputed without the feeds too far
//! from it. Integer arithmetic only.

use alloc::vec::Vec;
use sp_runtime::{traits::AtLeast32BitUnsigned, Perbill};

/// A median and how many feeds it was made of.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Agreed<Balance> {
	/// The median of the agreeing feeds.
	pub median: Balance,
	/// How many feeds agreed (were within the deviation of the first median).
	pub feeds: u32,
}

/// The median of `values` (the mean of the two middle ones, rounded down, for an even count);
/// `None` for no values.
pub fn median<Balance: AtLeast32BitUnsigned + Copy>(mut values: Vec<Balance>) -> Option<Balance> {
	values.sort_unstable();
	median_of_sorted(&values)
}

/// [`median`] of values already in ascending order.
fn median_of_sorted<Balance: AtLeast32BitUnsigned + Copy>(sorted: &[Balance]) -> Option<Balance> {
	if sorted.is_empty() {
		return None;
	}
	let middle = sorted.len() / 2;
	if sorted.len() % 2 == 1 {
		return Some(sorted[middle]);
	}
	let (low, high) = (sorted[middle - 1], sorted[middle]);
	// low + (high - low) / 2: no overflow, rounded down.
	Some(low + (high - low) / 2u32.into())
}

/// The median of the values within `max_deviation` of the median of all `values`, and how many
/// they are; `None` for no values, or when none is that close (an even count whose two middle
/// values are far apart).
pub fn agreed_median<Balance: AtLeast32BitUnsigned + Copy>(
	mut values: Vec<Balance>,
	max_deviation: Perbill,
) -> Option<Agreed<Balance>> {
	values.sort_unstable();
	let first = median_of_sorted(&values)?;
	let bound = max_deviation * first;
	// Filtering keeps the order: the agreeing values are sorted too.
	values.retain(|value| {
		let distance = if *value > first { *value - first } else { first - *value };
		distance <= bound
	});
	median_of_sorted(&values).map(|median| Agreed { median, feeds: values.len() as u32 })
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::vec;

	#[test]
	fn the_median_of_an_odd_count_is_the_middle_value() {
		assert_eq!(median(vec![7u128, 1, 5]), Some(5));
		assert_eq!(median(vec![9u128]), Some(9));
		assert_eq!(median(Vec::<u128>::new()), None);
	}

	#[test]
	fn the_median_of_an_even_count_is_the_mean_of_the_middle_two_rounded_down() {
		assert_eq!(median(vec![1u128, 4, 2, 10]), Some(3));
		assert_eq!(median(vec![u128::MAX, u128::MAX - 1]), Some(u128::MAX - 1));
	}

	#[test]
	fn feeds_too_far_from_the_median_are_ignored() {
		let five_percent = Perbill::from_percent(5);
		// 100, 101, 99 agree; 200 and 1 do not.
		let agreed = agreed_median(vec![100u128, 200, 101, 1, 99], five_percent).unwrap();
		assert_eq!(agreed, Agreed { median: 100, feeds: 3 });
		// Exactly at the bound counts.
		let agreed = agreed_median(vec![100u128, 105, 95], five_percent).unwrap();
		assert_eq!(agreed, Agreed { median: 100, feeds: 3 });
		let agreed = agreed_median(vec![100u128, 106, 94], five_percent).unwrap();
		assert_eq!(agreed, Agreed { median: 100, feeds: 1 });
		// Two far-apart feeds: the median between them is close to neither.
		assert_eq!(agreed_median(vec![100u128, 200], five_percent), None);
	}

	#[test]
	fn one_manipulated_feed_of_three_moves_nothing() {
		let agreed = agreed_median(vec![40u128, 41, 4_000], Perbill::from_percent(10)).unwrap();
		assert_eq!(agreed, Agreed { median: 40, feeds: 2 });
	}
}
