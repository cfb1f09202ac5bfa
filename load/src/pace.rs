//! How fast extrinsics go out: at a fixed rate (the `k`-th is due `k / rate` seconds after the
//! start, so a late start catches up instead of drifting), or as fast as the node takes them.
//! Either way at most `window` are in flight (sent, not yet finalized nor refused): the node's
//! pool keeps an extrinsic until its block is final, so the window is what keeps "as fast as
//! possible" from overflowing it. And at most `backlog` blocks' worth are sent and not yet in
//! a block (see [`crate::backlog`]).

use std::time::Duration;

/// The submission pace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
	/// Extrinsics per second; `None` for as fast as the window allows.
	pub rate: Option<f64>,
	/// The most extrinsics in flight (sent, not yet final nor refused) at once.
	pub window: usize,
	/// The most extrinsics sent and not yet in a block, in blocks' worth of the largest block
	/// seen; `None` for no limit but the window.
	pub backlog: Option<usize>,
}

impl Pace {
	/// When the `k`-th extrinsic (from 0) is due, counted from the start; `None` when it may go
	/// at once (no rate).
	pub fn due(&self, k: usize) -> Option<Duration> {
		self.rate.map(|rate| Duration::from_secs_f64(k as f64 / rate))
	}

	/// How many extrinsics a run of `duration` submits at most at this pace, when `count` does
	/// not bound it first: `rate x duration` (rounded up), or `fallback` without a rate.
	pub fn budget(&self, duration: Duration, fallback: usize) -> usize {
		match self.rate {
			Some(rate) => (rate * duration.as_secs_f64()).ceil() as usize,
			None => fallback,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_rate_spaces_extrinsics_evenly_from_the_start() {
		let pace = Pace { rate: Some(200.0), window: 10, backlog: None };
		assert_eq!(pace.due(0), Some(Duration::ZERO));
		assert_eq!(pace.due(1), Some(Duration::from_millis(5)));
		assert_eq!(pace.due(200), Some(Duration::from_secs(1)));
		assert_eq!(pace.due(3_000), Some(Duration::from_secs(15)));
		// The due times do not accumulate rounding: the millionth is due at 5,000 s sharp.
		assert_eq!(pace.due(1_000_000), Some(Duration::from_secs(5_000)));
	}

	#[test]
	fn without_a_rate_everything_is_due_at_once() {
		let pace = Pace { rate: None, window: 8_000, backlog: None };
		assert_eq!(pace.due(0), None);
		assert_eq!(pace.due(123_456), None);
		assert_eq!(pace.budget(Duration::from_secs(60), 150_000), 150_000);
	}

	#[test]
	fn the_budget_is_rate_times_duration() {
		let pace = Pace { rate: Some(1_000.0), window: 10, backlog: None };
		assert_eq!(pace.budget(Duration::from_secs(60), 7), 60_000);
		let pace = Pace { rate: Some(0.5), window: 10, backlog: None };
		assert_eq!(pace.budget(Duration::from_secs(3), 7), 2);
	}
}
