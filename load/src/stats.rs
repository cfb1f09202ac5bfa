//! The report's arithmetic: percentiles of latencies and counts per second of a run (the
//! sustained rate is [`crate::report::sustained`]).

use std::time::Duration;

/// The `p`-th percentile (0-100) of `samples` by the nearest-rank method: the smallest sample
/// with at least `p` % of the samples at or below it. `None` without samples.
pub fn percentile(samples: &mut [Duration], p: f64) -> Option<Duration> {
	if samples.is_empty() {
		return None;
	}
	samples.sort_unstable();
	let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
	Some(samples[rank.clamp(1, samples.len()) - 1])
}

/// p50, p95 and p99 of a set of latencies, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Latencies {
	/// How many samples.
	pub count: usize,
	pub p50_ms: Option<u64>,
	pub p95_ms: Option<u64>,
	pub p99_ms: Option<u64>,
}

impl Latencies {
	/// The percentiles of `samples`.
	pub fn of(mut samples: Vec<Duration>) -> Self {
		let mut at = |p| percentile(&mut samples, p).map(|d| d.as_millis() as u64);
		let (p50_ms, p95_ms, p99_ms) = (at(50.0), at(95.0), at(99.0));
		Self { count: samples.len(), p50_ms, p95_ms, p99_ms }
	}
}

/// Events counted per whole second since the start of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PerSecond(Vec<u64>);

impl PerSecond {
	/// Counts one event `at` after the start.
	pub fn add(&mut self, at: Duration) {
		let second = at.as_secs() as usize;
		if self.0.len() <= second {
			self.0.resize(second + 1, 0);
		}
		self.0[second] += 1;
	}

	/// The counts, second by second.
	pub fn counts(&self) -> &[u64] {
		&self.0
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn ms(v: &[u64]) -> Vec<Duration> {
		v.iter().map(|&m| Duration::from_millis(m)).collect()
	}

	#[test]
	fn nearest_rank_percentiles() {
		let mut samples = ms(&(1..=100).rev().collect::<Vec<_>>());
		assert_eq!(percentile(&mut samples, 50.0), Some(Duration::from_millis(50)));
		assert_eq!(percentile(&mut samples, 95.0), Some(Duration::from_millis(95)));
		assert_eq!(percentile(&mut samples, 99.0), Some(Duration::from_millis(99)));
		assert_eq!(percentile(&mut samples, 100.0), Some(Duration::from_millis(100)));
		assert_eq!(percentile(&mut samples, 0.0), Some(Duration::from_millis(1)));
		let mut one = ms(&[7]);
		assert_eq!(percentile(&mut one, 99.0), Some(Duration::from_millis(7)));
		assert_eq!(percentile(&mut [], 50.0), None);
		// Four samples: p50 is the second, p95 and p99 the fourth.
		let latencies = Latencies::of(ms(&[400, 100, 300, 200]));
		assert_eq!(
			latencies,
			Latencies { count: 4, p50_ms: Some(200), p95_ms: Some(400), p99_ms: Some(400) }
		);
	}

	#[test]
	fn counts_per_second() {
		let mut series = PerSecond::default();
		for at in [0, 100, 999, 1_000, 2_500, 2_600, 2_700, 5_000] {
			series.add(Duration::from_millis(at));
		}
		assert_eq!(series.counts(), &[3, 1, 3, 0, 0, 1]);
	}
}
