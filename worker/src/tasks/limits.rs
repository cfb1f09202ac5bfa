//! The container limits a deal's terms set: CPU and memory from the benchmarks of the ask the
//! deal came from (the plan's share of the machine), a pids limit and ulimits always, published
//! ports only when the ask offered INCOMING.

use serde::Serialize;
use sonm_primitives::{benchmarks::*, netflags};

/// Limits applied to every task whatever the deal: a fork bomb stops at `pids`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Always {
	/// The most processes and threads in the container.
	pub pids: i64,
	/// Open files (soft = hard).
	pub nofile: i64,
	/// Processes per user (soft = hard).
	pub nproc: i64,
}

impl Default for Always {
	fn default() -> Self {
		Self { pids: 512, nofile: 1024, nproc: 4096 }
	}
}

/// A task's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TaskLimits {
	/// CPU time in billionths of a core (the engine's `NanoCpus`): cores x 10^9.
	pub nano_cpus: i64,
	/// Memory in bytes; swap is not allowed beyond it.
	pub memory_bytes: i64,
	/// Storage the deal bought, in bytes (enforced only where the engine can: see the README).
	pub storage_bytes: u64,
	/// Whether ports may be published (the ask offered INCOMING).
	pub publish_ports: bool,
	/// Whether the task may reach out (the ask offered OUTBOUND); without it, no network.
	pub outbound: bool,
	/// The limits every task has.
	pub always: Always,
}

/// Why a deal's terms cannot be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
	/// The ask sold no CPU.
	#[error("the deal's ask sells no CPU core")]
	NoCpu,
	/// The ask sold less memory than a container needs to start.
	#[error("the deal's ask sells {0} bytes of memory; a task needs at least 6 MiB")]
	TooLittleMemory(u64),
}

/// The least memory a container starts with (the engine's own minimum).
const MIN_MEMORY: u64 = 6 << 20;

/// The limits of a task running under an ask with `benchmarks` and `flags`.
pub fn limits_for(
	benchmarks: &[u64],
	flags: u8,
	always: Always,
) -> Result<TaskLimits, LimitsError> {
	let cores = value_at(benchmarks, CPU_CORES);
	if cores == 0 {
		return Err(LimitsError::NoCpu);
	}
	let memory = value_at(benchmarks, RAM_SIZE);
	if memory < MIN_MEMORY {
		return Err(LimitsError::TooLittleMemory(memory));
	}
	Ok(TaskLimits {
		nano_cpus: i64::try_from(cores.saturating_mul(1_000_000_000)).unwrap_or(i64::MAX),
		memory_bytes: i64::try_from(memory).unwrap_or(i64::MAX),
		storage_bytes: value_at(benchmarks, STORAGE_SIZE),
		publish_ports: netflags::satisfies(flags, netflags::INCOMING),
		outbound: netflags::satisfies(flags, netflags::OUTBOUND),
		always,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn plan(cores: u64, ram: u64) -> Vec<u64> {
		let mut values = vec![0; STANDARD_COUNT];
		values[CPU_CORES] = cores;
		values[RAM_SIZE] = ram;
		values[STORAGE_SIZE] = 1 << 30;
		values
	}

	#[test]
	fn the_deal_terms_become_the_containers_limits() {
		let limits =
			limits_for(&plan(2, 512 << 20), netflags::OUTBOUND, Always::default()).unwrap();
		assert_eq!(limits.nano_cpus, 2_000_000_000);
		assert_eq!(limits.memory_bytes, 512 << 20);
		assert_eq!(limits.storage_bytes, 1 << 30);
		assert!(limits.outbound && !limits.publish_ports, "no INCOMING: no published ports");
		assert_eq!(limits.always.pids, 512);
		let incoming = limits_for(&plan(1, 64 << 20), netflags::INCOMING, Always::default());
		assert!(incoming.unwrap().publish_ports);
	}

	#[test]
	fn terms_that_cannot_run_are_refused_by_name() {
		assert_eq!(limits_for(&plan(0, 1 << 30), 0, Always::default()), Err(LimitsError::NoCpu));
		assert_eq!(
			limits_for(&plan(1, 1 << 20), 0, Always::default()),
			Err(LimitsError::TooLittleMemory(1 << 20))
		);
	}
}
