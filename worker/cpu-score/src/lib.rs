//! The worker's CPU score: rounds per second of a fixed integer workload (the primes below
//! 10,000 by trial division, the workload of sysbench's `cpu` test), on one thread or on many at
//! once. A crate of its own so that it is optimised in every profile (the root `Cargo.toml`
//! builds it at `opt-level = 3`): a debug build (`scripts/dev.sh`) offers the same scores as a
//! release build, while the rest of the worker compiles at the workspace's debug speed.

use std::{
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// Rounds of the workload per second over `run`, on `threads` threads at once (at least one).
pub fn cpu_score(threads: usize, run: Duration) -> u64 {
	let stop = Arc::new(AtomicBool::new(false));
	let workers: Vec<_> = (0..threads.max(1))
		.map(|_| {
			let stop = stop.clone();
			std::thread::spawn(move || {
				let mut rounds = 0u64;
				while !stop.load(Ordering::Relaxed) {
					std::hint::black_box(primes_below(std::hint::black_box(10_000)));
					rounds += 1;
				}
				rounds
			})
		})
		.collect();
	let started = Instant::now();
	std::thread::sleep(run);
	stop.store(true, Ordering::Relaxed);
	let rounds: u64 = workers.into_iter().map(|worker| worker.join().unwrap_or(0)).sum();
	(rounds as f64 / started.elapsed().as_secs_f64()).round() as u64
}

/// How many primes are below `limit`, by trial division.
pub fn primes_below(limit: u64) -> u64 {
	(2..limit)
		.filter(|n| (2..).take_while(|d| d * d <= *n).all(|d| n % d != 0))
		.count() as u64
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_workload_counts_primes() {
		assert_eq!(primes_below(10), 4);
		assert_eq!(primes_below(10_000), 1229);
	}

	#[test]
	fn more_threads_score_at_least_one_round() {
		assert!(cpu_score(1, Duration::from_millis(200)) > 0);
	}
}
