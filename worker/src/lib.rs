//! `sonm-worker`: the supplier's daemon. It knows its hardware ([`inventory`], [`gpu`]),
//! measures the standard benchmarks ([`bench`]), turns its configuration's plans into ASK
//! orders that never oversell the machine ([`config`], [`plans`]), keeps an index of the open
//! BIDs ([`index`]) and, in [`daemon`], follows the chain: matches bids with the market's shared
//! rules, opens deals, bills them, closes forward deals at their end and offers freed plans
//! again. Its state is a redb database ([`state`]); metrics and health are served from the
//! first second ([`telemetry`]).

pub mod bench;
pub mod config;
pub mod daemon;
pub mod error;
pub mod failpoint;
pub mod gpu;
pub mod index;
pub mod inventory;
pub mod plans;
pub mod state;
pub mod tasks;
pub mod telemetry;

use bench::{Benchmarks, NetworkFigures};
use config::Config;
use inventory::Inventory;
use state::{State, StateError};

/// The cached benchmarks when they were measured on this hardware, else new measurements
/// (cached). Returns whether it measured.
pub async fn load_or_measure(
	state: &State,
	inventory: &Inventory,
	config: &Config,
) -> Result<(Benchmarks, bool), StateError> {
	if let Some(cached) = state.benchmarks()? {
		if cached.fingerprint == inventory.fingerprint() {
			return Ok((apply_declared(cached, config), false));
		}
		tracing::info!("the hardware changed since the last benchmarks: measuring again");
	}
	let network = network_figures(config).await;
	tracing::info!("measuring the CPU benchmarks ({} s)", 2 * bench::CPU_RUN.as_secs());
	let inventory = inventory.clone();
	let declared = config.declared.clone();
	let measured =
		tokio::task::spawn_blocking(move || bench::measure(&inventory, &declared, network))
			.await
			.expect("the benchmark thread does not panic");
	state.set_benchmarks(&measured)?;
	Ok((apply_declared(measured, config), true))
}

/// Declared figures override cached ones (the configuration may have changed since).
fn apply_declared(mut benchmarks: Benchmarks, config: &Config) -> Benchmarks {
	use sonm_primitives::benchmarks::*;
	let declared = &config.declared;
	if let Some(download) = declared.net_download {
		benchmarks.values[NET_DOWNLOAD] = download;
	}
	if let Some(upload) = declared.net_upload {
		benchmarks.values[NET_UPLOAD] = upload;
	}
	if let Some(memory) = declared.gpu_mem {
		benchmarks.values[GPU_MEM] = memory;
	}
	benchmarks.values[GPU_ETH_HASHRATE] = declared.gpu_eth_hashrate;
	benchmarks.values[GPU_CASH_HASHRATE] = declared.gpu_cash_hashrate;
	benchmarks.values[GPU_REDSHIFT] = declared.gpu_redshift;
	benchmarks
}

async fn network_figures(config: &Config) -> NetworkFigures {
	let declared = &config.declared;
	let mut figures = NetworkFigures {
		download: declared.net_download.unwrap_or(0),
		upload: declared.net_upload.unwrap_or(0),
	};
	if let (Some(endpoint), true) = (
		&declared.bandwidth_endpoint,
		declared.net_download.is_none() || declared.net_upload.is_none(),
	) {
		match bench::measure_network(endpoint).await {
			Ok(measured) => {
				figures.download = declared.net_download.unwrap_or(measured.download);
				figures.upload = declared.net_upload.unwrap_or(measured.upload);
			},
			Err(error) => tracing::warn!("bandwidth not measured: {error}"),
		}
	}
	figures
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::inventory::Storage;

	#[tokio::test(flavor = "multi_thread")]
	async fn benchmarks_are_cached_per_hardware_fingerprint() {
		let dir = tempfile::tempdir().unwrap();
		let state = State::open(dir.path()).unwrap();
		let config = Config::parse(config::DEV_CONFIG).unwrap();
		let mut inventory = Inventory {
			cpu_model: "test".into(),
			cpu_cores: 1,
			cpu_threads: 1,
			ram_bytes: 1 << 30,
			storage: Storage::default(),
			interfaces: vec![],
			gpus: vec![],
		};
		let (first, measured) = load_or_measure(&state, &inventory, &config).await.unwrap();
		assert!(measured);
		assert_eq!(first.values[sonm_primitives::benchmarks::NET_DOWNLOAD], 100_000_000);
		let (again, measured) = load_or_measure(&state, &inventory, &config).await.unwrap();
		assert!(!measured, "the same hardware reuses the cache");
		assert_eq!(again, first);
		inventory.ram_bytes *= 2;
		let (_, measured) = load_or_measure(&state, &inventory, &config).await.unwrap();
		assert!(measured, "new hardware is measured again");
	}
}
