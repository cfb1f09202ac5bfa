//! `sonm-worker [--config FILE] <run|inventory|benchmark|plans|status>`: see worker/README.md.

use clap::{Parser, Subcommand};
use sonm_client::{Client, Key, Keystore};
use sonm_service::Shutdown;
use sonm_worker::{
	config::{Config, DEV_CONFIG},
	daemon::Worker,
	inventory::Inventory,
	load_or_measure, plans,
	state::State,
	tasks::{control, engine::Engine, firewall, p2p, service::TaskService},
	telemetry::{self, Metrics},
};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(name = "sonm-worker", version, about = "The SONM supplier's daemon")]
struct Cli {
	/// The TOML configuration; without it, the embedded dev configuration (worker/dev-worker.toml).
	#[arg(long, short, global = true, env = "SONM_WORKER_CONFIG")]
	config: Option<PathBuf>,
	/// Overrides the configuration's `worker.data_dir`.
	#[arg(long, global = true)]
	data_dir: Option<PathBuf>,
	/// Overrides the configuration's `chain.url`.
	#[arg(long, global = true)]
	chain: Option<String>,
	/// Overrides the configuration's `worker.metrics` (`127.0.0.1:0` picks a free port).
	#[arg(long, global = true)]
	metrics: Option<String>,
	/// Overrides the configuration's `tasks.engine`: the Docker Engine API socket
	/// (`unix:///run/podman/podman.sock`); the configuration must have a `[tasks]` section.
	#[arg(long, global = true)]
	engine: Option<String>,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Sells the plans: places asks, matches bids, opens, bills and closes deals.
	Run,
	/// Prints the hardware this machine has (JSON).
	Inventory,
	/// Measures the benchmarks again and caches them (JSON).
	Benchmark,
	/// Prints what each plan would offer and the price of each term.
	Plans,
	/// Prints the worker's recorded asks, deals and benchmarks (JSON).
	Status,
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
		)
		.with_writer(std::io::stderr)
		.init();
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(message) => {
			eprintln!("sonm-worker: {message}");
			ExitCode::from(2)
		},
	}
}

async fn run(cli: Cli) -> Result<(), String> {
	let text = match &cli.config {
		Some(path) => std::fs::read_to_string(path)
			.map_err(|e| format!("cannot read {}: {e}", path.display()))?,
		None => DEV_CONFIG.to_owned(),
	};
	let origin = cli
		.config
		.as_ref()
		.map_or("the embedded dev config".into(), |p| p.display().to_string());
	let mut config = Config::parse(&text).map_err(|e| format!("{origin}: {e}"))?;
	if let Some(dir) = cli.data_dir {
		config.data_dir = dir;
	}
	if let Some(url) = cli.chain {
		config.chain_url = url;
	}
	if let Some(address) = cli.metrics {
		config.metrics = address
			.parse()
			.map_err(|_| format!("--metrics {address:?} is not address:port"))?;
	}
	if let Some(engine) = &cli.engine {
		config.set_engine(engine).map_err(|e| format!("--engine: {e}"))?;
	}
	std::fs::create_dir_all(&config.data_dir)
		.map_err(|e| format!("worker.data_dir {}: {e}", config.data_dir.display()))?;
	let inventory = Inventory::detect(&config.data_dir).map_err(|e| e.to_string())?;
	match cli.command {
		Command::Inventory => print(&inventory),
		Command::Benchmark => {
			let state = State::open(&config.data_dir).map_err(|e| e.to_string())?;
			let measured = tokio::task::spawn_blocking({
				let (inventory, declared) = (inventory.clone(), config.declared.clone());
				move || sonm_worker::bench::measure(&inventory, &declared, Default::default())
			})
			.await
			.map_err(|e| e.to_string())?;
			state.set_benchmarks(&measured).map_err(|e| e.to_string())?;
			let (benchmarks, _) =
				load_or_measure(&state, &inventory, &config).await.map_err(|e| e.to_string())?;
			print(&benchmarks)
		},
		Command::Plans => {
			let state = State::open(&config.data_dir).map_err(|e| e.to_string())?;
			let (benchmarks, _) =
				load_or_measure(&state, &inventory, &config).await.map_err(|e| e.to_string())?;
			let offers = plans::offers(&config, &inventory, &benchmarks)
				.map_err(|e| format!("{origin}: {e}"))?;
			for offer in &offers {
				let (term, per) = offer.term_price();
				println!(
					"{:<12} {} ({} {} {per}), {}, {}; resources {}",
					offer.plan,
					sonm_client::format::price(sonm_client::units::Price {
						per_second: offer.per_second,
						unit: offer.unit,
					}),
					sonm_client::format::exact_decimal(term),
					offer.unit,
					sonm_client::format::duration(offer.duration),
					sonm_client::format::netflags(offer.netflags),
					resources(&offer.benchmarks),
				);
			}
			Ok(())
		},
		Command::Status => {
			let state = State::open(&config.data_dir).map_err(|e| e.to_string())?;
			let asks = state.asks().map_err(|e| e.to_string())?;
			let deals = state.deals().map_err(|e| e.to_string())?;
			let benchmarks = state.benchmarks().map_err(|e| e.to_string())?;
			let finalized: Option<String> = state.meta("finalized").map_err(|e| e.to_string())?;
			print(&serde_json::json!({
				"asks": asks.into_iter().map(|(plan, id)| serde_json::json!({"plan": plan, "ask": id})).collect::<Vec<_>>(),
				"deals": deals.into_iter().map(|(id, record)| serde_json::json!({"deal": id, "plan": record.plan, "ask": record.ask, "end": record.end})).collect::<Vec<_>>(),
				"benchmarks": benchmarks,
				"finalizedSeen": finalized,
			}))
		},
		Command::Run => run_daemon(config, inventory).await,
	}
}

async fn run_daemon(config: Config, inventory: Inventory) -> Result<(), String> {
	// SIGTERM and Ctrl-C from the first second: the worker finishes its current step and exits 0.
	let stop = Shutdown::on_signals().map_err(|e| format!("signal handlers: {e}"))?;
	// Metrics and health answer from the first second, before anything slow.
	let metrics = Metrics::new();
	let bound = telemetry::serve(config.metrics, metrics.clone())
		.await
		.map_err(|e| format!("worker.metrics {}: {e}", config.metrics))?;
	tracing::info!(%bound, "metrics on /metrics, health on /health");
	let state = std::sync::Arc::new(State::open(&config.data_dir).map_err(|e| e.to_string())?);
	let key = load_key(&config)?;
	tracing::info!(worker = %key.address(), data_dir = %config.data_dir.display(), "starting");
	let (benchmarks, measured) =
		load_or_measure(&state, &inventory, &config).await.map_err(|e| e.to_string())?;
	tracing::info!(measured, values = ?benchmarks.values, "benchmarks");
	let offers = plans::offers(&config, &inventory, &benchmarks).map_err(|e| e.to_string())?;
	*metrics.health.lock().expect("not poisoned") = serde_json::json!({
		"status": "running",
		"worker": key.address(),
		"plans": offers.iter().map(|o| o.plan.clone()).collect::<Vec<_>>(),
	});
	let client = loop {
		match Client::connect(&config.chain_url).await {
			Ok(client) => break client,
			Err(error) => {
				tracing::warn!("{error}; retrying in 3 s");
				if !stop.sleep(std::time::Duration::from_secs(3)).await {
					tracing::info!("stopped before the chain answered");
					return Ok(());
				}
			},
		}
	};
	let tasks = match &config.tasks {
		Some(tasks) => {
			let volumes = config.data_dir.join("volumes");
			if tasks.bounds.isolate_networks {
				firewall::install(&tasks.blocked_networks).map_err(|e| {
					format!("{e}\n(tasks.isolate_networks = false runs tasks without it: they then share one network and reach the host and its LAN)")
				})?;
				tracing::info!(table = firewall::TABLE, "the task firewall is in place");
			}
			let engine = Engine::connect(&tasks.engine, &key.address(), &volumes)
				.map_err(|e| format!("tasks.engine: {e}"))?
				.with_public_host(sonm_primitives::endpoint::host_of(&tasks.advertise))
				.with_bounds(&tasks.bounds);
			let version = engine.version().await.map_err(|e| format!("tasks.engine: {e}"))?;
			tracing::info!(engine = %tasks.engine, %version, "container engine");
			let plans = offers
				.iter()
				.map(|offer| (offer.plan.clone(), offer.benchmarks.clone(), offer.netflags))
				.collect();
			let relay_plans = offers
				.iter()
				.filter(|offer| sonm_client::task_protocol::sells_relaying(&offer.tag))
				.map(|offer| offer.plan.clone())
				.collect::<Vec<_>>();
			let mut service = TaskService::new(
				client.clone(),
				engine,
				state.clone(),
				key.address(),
				tasks,
				plans,
			);
			if tasks.p2p_relay_server && !relay_plans.is_empty() {
				service = service.selling_relaying(relay_plans);
			}
			service = service.taking_bids(key.clone(), metrics.clone());
			let service = std::sync::Arc::new(service);
			let bound = control::serve(tasks.listen, service.clone(), &tasks.cors_origins)
				.await
				.map_err(|e| format!("tasks.listen {}: {e}", tasks.listen))?;
			tracing::info!(%bound, "the customers' control plane");
			let p2p = if tasks.p2p_listen.is_empty() {
				None
			} else {
				let (host, published) = p2p::serve(&state, tasks, service.clone(), &client, &key)
					.await
					.map_err(|e| format!("tasks.p2p_listen: {e}"))?;
				tracing::info!(peer = %host.peer_id(), published = %*published.borrow(), "the customers' control plane over libp2p");
				metrics.follow_p2p(host.clone());
				Some((host, published))
			};
			Some((service, p2p))
		},
		None => None,
	};
	let (tasks, p2p) = match tasks {
		Some((service, p2p)) => (Some(service), p2p),
		None => (None, None),
	};
	let mut worker = Worker::new(client, key, &config, offers, state, tasks, metrics);
	// The host lives as long as the worker runs.
	if let Some((_, published)) = &p2p {
		worker = worker.with_endpoint(published.clone());
	}
	worker.run(stop).await;
	tracing::info!("stopped");
	Ok(())
}

/// The worker's key: a secret URI, a keystore account (password in `SONM_WORKER_PASSWORD`) or
/// a dev name.
fn load_key(config: &Config) -> Result<Key, String> {
	let name = config.key.trim();
	if sonm_client::keys::is_suri(name) {
		return Key::from_suri(name).map_err(|e| format!("chain.key: {e}"));
	}
	if let Some(dir) = &config.keystore {
		let password = std::env::var("SONM_WORKER_PASSWORD").unwrap_or_default();
		return Keystore::new(dir)
			.unlock(name, &password)
			.map_err(|e| format!("chain.key: {e}"));
	}
	Key::dev(name).ok_or_else(|| {
		format!("chain.key: {name:?} is neither a secret URI, a dev name nor (without chain.keystore) a keystore account")
	})
}

fn resources(benchmarks: &[u64]) -> String {
	use sonm_primitives::benchmarks::*;
	let mut parts = vec![
		format!("{} cores", benchmarks[CPU_CORES]),
		format!("cpu {}/{}", benchmarks[CPU_SYSBENCH_MULTI], benchmarks[CPU_SYSBENCH_SINGLE]),
		format!("ram {}", sonm_client::format::size(benchmarks[RAM_SIZE])),
		format!("storage {}", sonm_client::format::size(benchmarks[STORAGE_SIZE])),
	];
	if benchmarks[GPU_COUNT] > 0 {
		parts.push(format!("{} GPU", benchmarks[GPU_COUNT]));
	}
	parts.join(", ")
}

fn print(value: &impl serde::Serialize) -> Result<(), String> {
	println!("{}", serde_json::to_string_pretty(value).map_err(|e| e.to_string())?);
	Ok(())
}
