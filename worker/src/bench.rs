//! The 12 standard benchmark values of this machine: CPU scores measured here, sizes from the
//! inventory, network bandwidth measured against an endpoint or declared, GPU figures from the
//! inventory or declared. Measured once per hardware fingerprint and cached in the database.

use crate::{config::Declared, inventory::Inventory};
use serde::{Deserialize, Serialize};
use sonm_primitives::benchmarks::*;
use std::time::{Duration, Instant};

/// How long each CPU measurement runs.
pub const CPU_RUN: Duration = Duration::from_secs(2);

/// The machine's benchmark values and what they were measured on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmarks {
	/// The inventory's fingerprint at measurement.
	pub fingerprint: String,
	/// By standard index.
	pub values: [u64; STANDARD_COUNT],
}

pub use sonm_cpu_score::cpu_score;

/// Measures (CPU) and collects (everything else) the benchmark values of `inventory`.
pub fn measure(inventory: &Inventory, declared: &Declared, network: NetworkFigures) -> Benchmarks {
	let mut values = [0u64; STANDARD_COUNT];
	values[CPU_SYSBENCH_MULTI] = cpu_score(inventory.cpu_threads as usize, CPU_RUN);
	values[CPU_SYSBENCH_SINGLE] = cpu_score(1, CPU_RUN);
	values[CPU_CORES] = inventory.cpu_cores;
	values[RAM_SIZE] = inventory.ram_bytes;
	values[STORAGE_SIZE] = inventory.storage.free_bytes;
	values[NET_DOWNLOAD] = network.download;
	values[NET_UPLOAD] = network.upload;
	values[GPU_COUNT] = inventory.gpus.len() as u64;
	let gpu_memory: u64 = inventory.gpus.iter().map(|gpu| gpu.memory_bytes).sum();
	values[GPU_MEM] = declared.gpu_mem.unwrap_or(gpu_memory);
	values[GPU_ETH_HASHRATE] = declared.gpu_eth_hashrate;
	values[GPU_CASH_HASHRATE] = declared.gpu_cash_hashrate;
	values[GPU_REDSHIFT] = declared.gpu_redshift;
	Benchmarks { fingerprint: inventory.fingerprint(), values }
}

/// Download and upload bandwidth in bit/s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetworkFigures {
	/// Bits per second in.
	pub download: u64,
	/// Bits per second out.
	pub upload: u64,
}

/// Measures bandwidth against `endpoint`: a GET whose body is read whole (download) and a POST
/// of 8 MiB (upload).
pub async fn measure_network(endpoint: &str) -> Result<NetworkFigures, String> {
	let client = reqwest::Client::builder()
		.timeout(Duration::from_secs(60))
		.build()
		.map_err(|e| e.to_string())?;
	let started = Instant::now();
	let body = client
		.get(endpoint)
		.send()
		.await
		.and_then(|response| response.error_for_status())
		.map_err(|e| format!("GET {endpoint}: {e}"))?
		.bytes()
		.await
		.map_err(|e| format!("GET {endpoint}: {e}"))?;
	let download = bits_per_second(body.len(), started.elapsed());
	let payload = vec![0u8; 8 << 20];
	let started = Instant::now();
	client
		.post(endpoint)
		.body(payload)
		.send()
		.await
		.and_then(|response| response.error_for_status())
		.map_err(|e| format!("POST {endpoint}: {e}"))?;
	let upload = bits_per_second(8 << 20, started.elapsed());
	Ok(NetworkFigures { download, upload })
}

fn bits_per_second(bytes: usize, took: Duration) -> u64 {
	(bytes as f64 * 8.0 / took.as_secs_f64().max(1e-6)) as u64
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::inventory::Storage;

	#[test]
	fn the_cpu_workload_counts_primes() {
		assert_eq!(sonm_cpu_score::primes_below(10_000), 1229);
	}

	#[test]
	fn values_come_from_the_inventory_and_the_declarations() {
		let inventory = Inventory {
			cpu_model: "test".into(),
			cpu_cores: 2,
			cpu_threads: 4,
			ram_bytes: 8 << 30,
			storage: Storage { total_bytes: 100 << 30, free_bytes: 40 << 30 },
			interfaces: vec![],
			gpus: vec![],
		};
		let declared = Declared { gpu_eth_hashrate: 7, ..Default::default() };
		let network = NetworkFigures { download: 100_000_000, upload: 50_000_000 };
		let benchmarks = measure(&inventory, &declared, network);
		assert!(benchmarks.values[CPU_SYSBENCH_MULTI] > 0);
		assert!(benchmarks.values[CPU_SYSBENCH_SINGLE] > 0);
		assert_eq!(benchmarks.values[CPU_CORES], 2);
		assert_eq!(benchmarks.values[RAM_SIZE], 8 << 30);
		assert_eq!(benchmarks.values[STORAGE_SIZE], 40 << 30);
		assert_eq!(benchmarks.values[NET_DOWNLOAD], 100_000_000);
		assert_eq!(benchmarks.values[GPU_ETH_HASHRATE], 7);
		assert_eq!(benchmarks.fingerprint, inventory.fingerprint());
	}
}
