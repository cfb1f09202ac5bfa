//! The standard hardware benchmarks an order carries, by index. An order's
//! benchmark vector holds at least these twelve; a missing entry counts as 0.

/// CPU score, sysbench, all cores.
pub const CPU_SYSBENCH_MULTI: usize = 0;
/// CPU score, sysbench, one core.
pub const CPU_SYSBENCH_SINGLE: usize = 1;
/// Number of CPU cores.
pub const CPU_CORES: usize = 2;
/// RAM in bytes.
pub const RAM_SIZE: usize = 3;
/// Storage in bytes.
pub const STORAGE_SIZE: usize = 4;
/// Download bandwidth in bit/s.
pub const NET_DOWNLOAD: usize = 5;
/// Upload bandwidth in bit/s.
pub const NET_UPLOAD: usize = 6;
/// Number of GPUs.
pub const GPU_COUNT: usize = 7;
/// GPU memory in bytes.
pub const GPU_MEM: usize = 8;
/// Ethash hash rate.
pub const GPU_ETH_HASHRATE: usize = 9;
/// Cuckatoo ("cash") hash rate.
pub const GPU_CASH_HASHRATE: usize = 10;
/// Redshift render benchmark.
pub const GPU_REDSHIFT: usize = 11;

/// How many standard benchmarks there are.
pub const STANDARD_COUNT: usize = 12;

/// The benchmark at `index` of `values`; a missing entry is 0.
pub fn value_at(values: &[u64], index: usize) -> u64 {
	values.get(index).copied().unwrap_or(0)
}

/// Whether `offered` (an ask's benchmarks) meets `required` (a bid's) in every index.
pub fn satisfies(offered: &[u64], required: &[u64]) -> bool {
	(0..offered.len().max(required.len())).all(|i| value_at(offered, i) >= value_at(required, i))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn missing_benchmarks_count_as_zero() {
		assert!(satisfies(&[4, 2], &[4, 2, 0, 0]));
		assert!(satisfies(&[4, 2, 1], &[4]));
		assert!(!satisfies(&[4], &[4, 1]));
		assert!(!satisfies(&[3, 9], &[4, 1]));
	}
}
