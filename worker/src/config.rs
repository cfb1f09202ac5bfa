//! The worker's TOML configuration: where the chain is, who the worker is, what of the machine
//! it may sell and the plans it sells it in. [`Config::parse`] refuses every mistake with the
//! field named; `worker/README.md` documents each field.

use serde::Deserialize;
use sonm_client::units::{self, PriceUnit};
use sonm_primitives::{netflags, IdentityLevel};
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

/// The configuration embedded in the binary: what `scripts/dev.sh` runs, selling part of this
/// machine on a dev chain as Alice's worker.
pub const DEV_CONFIG: &str = include_str!("../dev-worker.toml");

/// A configuration mistake: the field (a TOML path) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
	/// The field, as a TOML path (`plans[1].price`).
	pub field: String,
	/// What is wrong.
	pub message: String,
}

fn error(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
	ConfigError { field: field.into(), message: message.into() }
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
	chain: ChainFile,
	worker: WorkerFile,
	#[serde(default)]
	resources: ResourcesFile,
	#[serde(default)]
	declared: DeclaredFile,
	#[serde(default)]
	master: MasterFile,
	tasks: Option<TasksFile>,
	#[serde(default)]
	plans: Vec<PlanFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TasksFile {
	engine: String,
	#[serde(default = "default_control")]
	listen: String,
	#[serde(default)]
	advertise: Option<String>,
	#[serde(default = "default_ports")]
	ports: String,
	#[serde(default = "default_retention")]
	log_retention: String,
	#[serde(default = "identified")]
	free_images_from: String,
	#[serde(default)]
	allowed_images: Vec<String>,
	#[serde(default = "default_pids")]
	pids: i64,
	#[serde(default)]
	registry: Option<String>,
	#[serde(default)]
	registry_username: Option<String>,
	#[serde(default)]
	registry_password: Option<String>,
	#[serde(default = "default_ports_per_deal")]
	ports_per_deal: usize,
	#[serde(default = "default_log_max")]
	log_max: String,
	#[serde(default = "default_exec_timeout")]
	exec_timeout: String,
	#[serde(default = "default_exec_output_max")]
	exec_output_max: String,
	#[serde(default = "yes")]
	isolate_networks: bool,
	#[serde(default)]
	blocked_networks: Vec<String>,
	#[serde(default)]
	p2p_listen: Vec<String>,
	#[serde(default)]
	p2p_advertise: Option<String>,
	#[serde(default)]
	p2p_relays: Vec<String>,
	#[serde(default)]
	p2p_relay_server: bool,
	#[serde(default)]
	p2p_relay_max_reservations: Option<usize>,
	#[serde(default)]
	p2p_relay_reservations_per_minute: Option<u32>,
	#[serde(default)]
	p2p_relay_max_circuits: Option<usize>,
	#[serde(default)]
	p2p_relay_circuits_per_peer: Option<usize>,
	#[serde(default)]
	p2p_relay_circuit_duration: Option<String>,
	#[serde(default)]
	p2p_relay_circuit_bytes: Option<String>,
	#[serde(default)]
	cors_origins: Vec<String>,
}

fn default_ports_per_deal() -> usize {
	crate::tasks::bounds::Bounds::default().ports_per_deal
}

fn default_log_max() -> String {
	"16 MiB".into()
}

fn default_exec_timeout() -> String {
	"10m".into()
}

fn default_exec_output_max() -> String {
	"8 MiB".into()
}

fn yes() -> bool {
	true
}

fn default_control() -> String {
	"0.0.0.0:9630".into()
}

fn default_ports() -> String {
	"30000-30999".into()
}

fn default_retention() -> String {
	"24h".into()
}

fn identified() -> String {
	"identified".into()
}

fn default_pids() -> i64 {
	512
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainFile {
	url: String,
	key: String,
	keystore: Option<PathBuf>,
	master: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerFile {
	data_dir: PathBuf,
	#[serde(default = "default_metrics")]
	metrics: String,
	#[serde(default = "default_billing_period")]
	billing_period: String,
}

fn default_metrics() -> String {
	"127.0.0.1:9620".into()
}

fn default_billing_period() -> String {
	"10m".into()
}

/// The share of the machine the worker may sell; unset fields mean all of it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourcesFile {
	cpu_cores: Option<u64>,
	ram: Option<String>,
	storage: Option<String>,
	gpus: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclaredFile {
	net_download: Option<String>,
	net_upload: Option<String>,
	bandwidth_endpoint: Option<String>,
	gpu_mem: Option<String>,
	#[serde(default)]
	gpu_eth_hashrate: u64,
	#[serde(default)]
	gpu_cash_hashrate: u64,
	#[serde(default)]
	gpu_redshift: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MasterFile {
	#[serde(default)]
	accept_workers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
	name: String,
	#[serde(default)]
	cpu_cores: u64,
	ram: Option<String>,
	storage: Option<String>,
	#[serde(default)]
	gpus: u64,
	price: Option<String>,
	price_per: Option<PricePerFile>,
	duration: String,
	#[serde(default)]
	netflags: Vec<String>,
	#[serde(default = "anonymous")]
	min_identity: String,
	curator: Option<String>,
	tag: Option<String>,
}

fn anonymous() -> String {
	"anonymous".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricePerFile {
	cpu_core: Option<String>,
	ram_gib: Option<String>,
	storage_gib: Option<String>,
	gpu: Option<String>,
	#[serde(default)]
	gpu_by_model: BTreeMap<String, String>,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
	/// The node's WebSocket URL.
	pub chain_url: String,
	/// The worker's key: a secret URI, a dev name (`alice`) or a keystore account's name.
	pub key: String,
	/// Where named keys are looked up.
	pub keystore: Option<PathBuf>,
	/// The master this worker asks to join (SS58).
	pub master: Option<String>,
	/// Workers this account confirms as their master (SS58).
	pub accept_workers: Vec<String>,
	/// The database and benchmark cache live here.
	pub data_dir: PathBuf,
	/// Prometheus metrics and `/health` listen here.
	pub metrics: SocketAddr,
	/// Deals are billed at least this often (seconds).
	pub billing_period: u64,
	/// The most the worker sells.
	pub resources: Resources,
	/// Figures declared instead of measured.
	pub declared: Declared,
	/// Running deals' workloads; `None`: the worker sells and bills only.
	pub tasks: Option<Tasks>,
	/// The ask plans.
	pub plans: Vec<Plan>,
}

/// How deals' workloads run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tasks {
	/// The Docker Engine API socket (podman's service or dockerd), `unix://PATH` or a path.
	pub engine: String,
	/// The customers' control plane listens here.
	pub listen: SocketAddr,
	/// Where customers reach the control plane: the endpoint record the worker keeps on chain.
	pub advertise: String,
	/// Host ports tasks may publish on.
	pub ports: std::ops::RangeInclusive<u16>,
	/// How long a removed task's output stays readable, seconds.
	pub log_retention: u64,
	/// Which images customers may run.
	pub policy: crate::tasks::allow::ImagePolicy,
	/// The most processes in a task.
	pub pids: i64,
	/// The registry images missing from the engine's store are pulled from.
	pub registry: Option<crate::tasks::engine::Registry>,
	/// What one deal may take of the worker beyond its container's limits.
	pub bounds: crate::tasks::bounds::Bounds,
	/// IPv4 networks (`a.b.c.d/n`) tasks may not reach, besides the private ranges and the
	/// host's own networks.
	pub blocked_networks: Vec<String>,
	/// libp2p addresses the control plane also listens on (none: HTTP only).
	pub p2p_listen: Vec<sonm_p2p::Multiaddr>,
	/// The libp2p address customers dial (published with `/p2p/<peer id>` as the endpoint
	/// record); without it, the address through the first relay when relays are given, else
	/// the first listen address.
	pub p2p_advertise: Option<sonm_p2p::Multiaddr>,
	/// Relays to keep reservations on (a worker behind NAT), with `/p2p/<relay>`.
	pub p2p_relays: Vec<sonm_p2p::Multiaddr>,
	/// Whether to serve as a relay for other workers (one with a public address).
	pub p2p_relay_server: bool,
	/// What the relay allows its buyers (`p2p_relay_*`; a relay that sells nothing serves
	/// within libp2p's defaults instead).
	pub p2p_relay_limits: sonm_p2p::host::RelayLimits,
	/// Web origins (`http://127.0.0.1:5173`) whose pages may call the control plane from a
	/// browser (CORS); none by default.
	pub cors_origins: Vec<String>,
}

/// Limits on what is sold; `None` is all the machine has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
	/// CPU cores.
	pub cpu_cores: Option<u64>,
	/// Memory in bytes.
	pub ram: Option<u64>,
	/// Storage in bytes.
	pub storage: Option<u64>,
	/// GPUs.
	pub gpus: Option<u64>,
}

/// Benchmark figures given in the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Declared {
	/// Download bandwidth, bit/s (else measured against `bandwidth_endpoint`, else 0).
	pub net_download: Option<u64>,
	/// Upload bandwidth, bit/s.
	pub net_upload: Option<u64>,
	/// An HTTP endpoint to measure bandwidth against (GET downloads, POST uploads).
	pub bandwidth_endpoint: Option<String>,
	/// GPU memory in bytes (else what NVML reports).
	pub gpu_mem: Option<u64>,
	/// Ethash hash rate.
	pub gpu_eth_hashrate: u64,
	/// Cuckatoo hash rate.
	pub gpu_cash_hashrate: u64,
	/// Redshift score.
	pub gpu_redshift: u64,
}

/// One ask plan: a slice of the machine sold on its own terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
	/// Unique name; the ask's tag unless `tag` is set.
	pub name: String,
	/// CPU cores.
	pub cpu_cores: u64,
	/// Memory in bytes.
	pub ram: u64,
	/// Storage in bytes.
	pub storage: u64,
	/// GPUs.
	pub gpus: u64,
	/// How the price is made.
	pub pricing: Pricing,
	/// Seconds; 0 for spot.
	pub duration: u64,
	/// Network flags offered.
	pub netflags: u8,
	/// Identity level required of customers.
	pub min_identity: IdentityLevel,
	/// Whose blacklist also applies to customers (SS58).
	pub curator: Option<String>,
	/// The ask's tag.
	pub tag: String,
}

/// A plan's price: whole, or per resource (summed over the plan's resources).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pricing {
	/// One price for the plan.
	Whole(units::Price),
	/// Per resource and hour-equivalent second.
	PerResource {
		/// SNM or USD.
		unit: PriceUnit,
		/// Per CPU core, per second.
		cpu_core: u128,
		/// Per GiB of memory, per second.
		ram_gib: u128,
		/// Per GiB of storage, per second.
		storage_gib: u128,
		/// Per GPU whose model matches no `gpu_by_model` key, per second.
		gpu: u128,
		/// Per GPU whose model contains the key, per second.
		gpu_by_model: Vec<(String, u128)>,
	},
}

impl Config {
	/// Parses and checks `text`; the first mistake is returned with its field.
	pub fn parse(text: &str) -> Result<Self, ConfigError> {
		let file: File = toml::from_str(text).map_err(|e| {
			let field = e.span().map(|span| locate(text, span.start)).unwrap_or_default();
			error(if field.is_empty() { "config".into() } else { field }, e.message())
		})?;
		let chain_url = file.chain.url.trim().to_owned();
		if !(chain_url.starts_with("ws://") || chain_url.starts_with("wss://")) {
			return Err(error("chain.url", format!("{chain_url:?} is not a ws:// or wss:// URL")));
		}
		if file.chain.key.trim().is_empty() {
			return Err(error("chain.key", "empty: give a secret URI, a dev name or an account"));
		}
		let master = file.chain.master.map(|text| address("chain.master", text)).transpose()?;
		let accept_workers = file
			.master
			.accept_workers
			.into_iter()
			.enumerate()
			.map(|(i, text)| address(&format!("master.accept_workers[{i}]"), text))
			.collect::<Result<_, _>>()?;
		let metrics = file.worker.metrics.parse().map_err(|_| {
			error("worker.metrics", format!("{:?} is not an address:port", file.worker.metrics))
		})?;
		let billing_period = duration("worker.billing_period", &file.worker.billing_period)?;
		if billing_period == 0 {
			return Err(error("worker.billing_period", "must be longer than 0"));
		}
		let resources = Resources {
			cpu_cores: file.resources.cpu_cores,
			ram: file.resources.ram.as_deref().map(|t| size("resources.ram", t)).transpose()?,
			storage: file
				.resources
				.storage
				.as_deref()
				.map(|t| size("resources.storage", t))
				.transpose()?,
			gpus: file.resources.gpus,
		};
		let declared = Declared {
			net_download: file
				.declared
				.net_download
				.as_deref()
				.map(|t| bandwidth("declared.net_download", t))
				.transpose()?,
			net_upload: file
				.declared
				.net_upload
				.as_deref()
				.map(|t| bandwidth("declared.net_upload", t))
				.transpose()?,
			bandwidth_endpoint: file.declared.bandwidth_endpoint,
			gpu_mem: file
				.declared
				.gpu_mem
				.as_deref()
				.map(|t| size("declared.gpu_mem", t))
				.transpose()?,
			gpu_eth_hashrate: file.declared.gpu_eth_hashrate,
			gpu_cash_hashrate: file.declared.gpu_cash_hashrate,
			gpu_redshift: file.declared.gpu_redshift,
		};
		let tasks = file.tasks.map(parse_tasks).transpose()?;
		if file.plans.is_empty() {
			return Err(error("plans", "no plan: the worker would sell nothing"));
		}
		let mut plans: Vec<Plan> = Vec::new();
		for (i, plan) in file.plans.into_iter().enumerate() {
			let plan = parse_plan(&format!("plans[{i}]"), plan)?;
			if plans.iter().any(|other| other.name == plan.name) {
				return Err(error(format!("plans[{i}].name"), format!("{:?} is taken", plan.name)));
			}
			if plans.iter().any(|other| other.tag == plan.tag) {
				return Err(error(
					format!("plans[{i}].tag"),
					format!("{:?} is another plan's tag: each ask must say its plan", plan.tag),
				));
			}
			plans.push(plan);
		}
		Ok(Self {
			chain_url,
			key: file.chain.key,
			keystore: file.chain.keystore,
			master,
			accept_workers,
			data_dir: file.worker.data_dir,
			metrics,
			billing_period,
			resources,
			declared,
			tasks,
			plans,
		})
	}
}

/// The Docker Engine API socket of `tasks.engine`: an absolute path, `unix://` optional.
fn engine_socket(engine: &str) -> Result<String, ConfigError> {
	let path = engine.trim().trim_start_matches("unix://").to_owned();
	if !path.starts_with('/') {
		return Err(error("tasks.engine", format!("{engine:?} is not a unix socket path")));
	}
	Ok(path)
}

impl Config {
	/// Replaces `tasks.engine` (`sonm-worker --engine`, which `scripts/dev.sh` gives the
	/// socket of the podman service it started). Refused without a `[tasks]` section.
	pub fn set_engine(&mut self, engine: &str) -> Result<(), ConfigError> {
		let tasks = self
			.tasks
			.as_mut()
			.ok_or_else(|| error("tasks.engine", "--engine needs a [tasks] section"))?;
		tasks.engine = engine_socket(engine)?;
		Ok(())
	}
}

fn parse_tasks(tasks: TasksFile) -> Result<Tasks, ConfigError> {
	let p2p_relay_limits = relay_limits(&tasks)?;
	use crate::tasks::allow::{Allowed, ImagePolicy};
	let engine = engine_socket(&tasks.engine)?;
	let listen = tasks
		.listen
		.parse()
		.map_err(|_| error("tasks.listen", format!("{:?} is not an address:port", tasks.listen)))?;
	let ports = tasks
		.ports
		.split_once('-')
		.and_then(|(low, high)| Some(low.trim().parse::<u16>().ok()?..=high.trim().parse().ok()?))
		.filter(|range| !range.is_empty() && *range.start() > 0)
		.ok_or_else(|| {
			error("tasks.ports", format!("{:?} is not a range LOW-HIGH", tasks.ports))
		})?;
	let log_retention = duration("tasks.log_retention", &tasks.log_retention)?;
	let free_from = identity("tasks.free_images_from", &tasks.free_images_from)?;
	let mut allowed = Vec::new();
	for (i, entry) in tasks.allowed_images.iter().enumerate() {
		let (name, digest) = match entry.split_once('@') {
			Some((name, digest)) if digest.starts_with("sha256:") => {
				(name, Some(digest.to_owned()))
			},
			Some(_) => {
				return Err(error(
					format!("tasks.allowed_images[{i}]"),
					format!("{entry:?}: a digest is written @sha256:..."),
				))
			},
			None => (entry.as_str(), None),
		};
		allowed.push(Allowed { name: name.trim().to_owned(), digest });
	}
	if tasks.pids < 16 {
		return Err(error("tasks.pids", "at least 16: a task needs a few processes to start"));
	}
	let advertise = advertised(tasks.advertise, listen)?;
	let registry = registry(tasks.registry, tasks.registry_username, tasks.registry_password)?;
	if tasks.ports_per_deal == 0 {
		return Err(error("tasks.ports_per_deal", "at least 1"));
	}
	let log_bytes = size("tasks.log_max", &tasks.log_max)?;
	if log_bytes < 64 << 10 {
		return Err(error("tasks.log_max", "at least 64 KiB"));
	}
	let exec_timeout = duration("tasks.exec_timeout", &tasks.exec_timeout)?;
	if exec_timeout == 0 {
		return Err(error("tasks.exec_timeout", "at least 1s"));
	}
	let exec_output_bytes = size("tasks.exec_output_max", &tasks.exec_output_max)?;
	for (i, network) in tasks.blocked_networks.iter().enumerate() {
		let valid = network.split_once('/').is_some_and(|(address, bits)| {
			address.parse::<std::net::Ipv4Addr>().is_ok()
				&& bits.parse::<u8>().is_ok_and(|bits| bits <= 32)
		});
		if !valid {
			return Err(error(
				format!("tasks.blocked_networks[{i}]"),
				format!("{network:?} is not an IPv4 network a.b.c.d/n"),
			));
		}
	}
	let multiaddr = |field: String, text: &str| {
		text.parse::<sonm_p2p::Multiaddr>()
			.map_err(|e| error(field, format!("{text:?} is not a libp2p multiaddress: {e}")))
	};
	let mut p2p_listen = Vec::new();
	for (i, address) in tasks.p2p_listen.iter().enumerate() {
		p2p_listen.push(multiaddr(format!("tasks.p2p_listen[{i}]"), address)?);
	}
	let p2p_advertise = match &tasks.p2p_advertise {
		Some(address) if p2p_listen.is_empty() => {
			return Err(error(
				"tasks.p2p_advertise",
				format!("{address:?} is advertised, but tasks.p2p_listen is empty"),
			))
		},
		Some(address) => Some(multiaddr("tasks.p2p_advertise".into(), address)?),
		None => None,
	};
	let mut p2p_relays = Vec::new();
	for (i, address) in tasks.p2p_relays.iter().enumerate() {
		let relay = multiaddr(format!("tasks.p2p_relays[{i}]"), address)?;
		if sonm_p2p::host::peer_of(&relay).is_none() {
			return Err(error(
				format!("tasks.p2p_relays[{i}]"),
				format!("{address:?} names no relay: it must end in /p2p/<peer id>"),
			));
		}
		p2p_relays.push(relay);
	}
	if (!p2p_relays.is_empty() || tasks.p2p_relay_server) && p2p_listen.is_empty() {
		return Err(error("tasks.p2p_listen", "relays need the libp2p host: give p2p_listen"));
	}
	for (i, origin) in tasks.cors_origins.iter().enumerate() {
		if !is_web_origin(origin) {
			return Err(error(
				format!("tasks.cors_origins[{i}]"),
				format!("{origin:?} is not a web origin: http(s)://HOST[:PORT], no path"),
			));
		}
	}
	let bounds = crate::tasks::bounds::Bounds {
		ports_per_deal: tasks.ports_per_deal,
		log_bytes,
		exec_timeout: std::time::Duration::from_secs(exec_timeout),
		exec_output_bytes,
		isolate_networks: tasks.isolate_networks,
		..Default::default()
	};
	Ok(Tasks {
		engine,
		listen,
		advertise,
		ports,
		log_retention,
		policy: ImagePolicy { free_from, allowed },
		pids: tasks.pids,
		registry,
		bounds,
		blocked_networks: tasks.blocked_networks,
		p2p_listen,
		p2p_advertise,
		p2p_relays,
		p2p_relay_server: tasks.p2p_relay_server,
		p2p_relay_limits,
		cors_origins: tasks.cors_origins,
	})
}

/// Whether `origin` is what a browser sends as `Origin`: a scheme, a host and maybe a port.
fn is_web_origin(origin: &str) -> bool {
	let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"))
	else {
		return false;
	};
	let host =
		rest.rsplit_once(':').map_or(
			rest,
			|(host, port)| {
				if port.parse::<u16>().is_ok() {
					host
				} else {
					""
				}
			},
		);
	!host.is_empty()
		&& host
			.chars()
			.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
}

/// The relay's limits for its buyers: `p2p_relay_*` over [`sonm_p2p::host::RelayLimits`]'s
/// defaults; each at least 1, and a circuit at least a second and 128 KiB (libp2p's own
/// limits for a relay that sells nothing: less would sell less than free).
fn relay_limits(tasks: &TasksFile) -> Result<sonm_p2p::host::RelayLimits, ConfigError> {
	let mut limits = sonm_p2p::host::RelayLimits::default();
	let counts = [
		(
			"tasks.p2p_relay_max_reservations",
			tasks.p2p_relay_max_reservations,
			&mut limits.max_reservations,
		),
		("tasks.p2p_relay_max_circuits", tasks.p2p_relay_max_circuits, &mut limits.max_circuits),
		(
			"tasks.p2p_relay_circuits_per_peer",
			tasks.p2p_relay_circuits_per_peer,
			&mut limits.max_circuits_per_peer,
		),
	];
	for (field, given, limit) in counts {
		match given {
			Some(0) => return Err(error(field, "at least 1")),
			Some(count) => *limit = count,
			None => {},
		}
	}
	match tasks.p2p_relay_reservations_per_minute {
		Some(0) => return Err(error("tasks.p2p_relay_reservations_per_minute", "at least 1")),
		Some(count) => limits.reservations_per_peer_per_minute = count,
		None => {},
	}
	if let Some(text) = &tasks.p2p_relay_circuit_duration {
		let seconds = duration("tasks.p2p_relay_circuit_duration", text)?;
		if seconds == 0 {
			return Err(error("tasks.p2p_relay_circuit_duration", "at least 1s"));
		}
		limits.circuit_duration = std::time::Duration::from_secs(seconds);
	}
	if let Some(text) = &tasks.p2p_relay_circuit_bytes {
		let bytes = size("tasks.p2p_relay_circuit_bytes", text)?;
		if bytes < 128 << 10 {
			return Err(error("tasks.p2p_relay_circuit_bytes", "at least 128 KiB"));
		}
		limits.circuit_bytes = bytes;
	}
	Ok(limits)
}

/// The registry to pull from: a host with an optional port, and credentials given together.
fn registry(
	host: Option<String>,
	username: Option<String>,
	password: Option<String>,
) -> Result<Option<crate::tasks::engine::Registry>, ConfigError> {
	let Some(host) = host.map(|host| host.trim().to_owned()) else {
		if username.is_some() || password.is_some() {
			return Err(error("tasks.registry", "credentials are given but no registry"));
		}
		return Ok(None);
	};
	let valid = !host.is_empty()
		&& host
			.chars()
			.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
	if !valid {
		return Err(error(
			"tasks.registry",
			format!("{host:?} is not a registry host[:port], e.g. \"registry.example.org:5000\""),
		));
	}
	let credentials = match (username, password) {
		(Some(username), Some(password)) => Some((username, password)),
		(None, None) => None,
		_ => {
			return Err(error(
				"tasks.registry_username",
				"registry_username and registry_password go together",
			))
		},
	};
	Ok(Some(crate::tasks::engine::Registry { host, credentials }))
}

/// The endpoint to publish: `tasks.advertise`, or `http://` + `listen` when it names one
/// address (a wildcard address says nothing to customers).
fn advertised(advertise: Option<String>, listen: SocketAddr) -> Result<String, ConfigError> {
	let endpoint = match advertise {
		Some(endpoint) => endpoint.trim().to_owned(),
		None if listen.ip().is_unspecified() => {
			return Err(error(
				"tasks.advertise",
				format!(
					"tasks.listen is {listen}, which is no address customers can reach: \
					 name the endpoint to publish, e.g. \"http://203.0.113.7:{}\"",
					listen.port()
				),
			))
		},
		None => format!("http://{listen}"),
	};
	sonm_primitives::endpoint::check_endpoint(endpoint.as_bytes())
		.map_err(|why| error("tasks.advertise", format!("{endpoint:?}: {}", why.describe())))?;
	Ok(endpoint)
}

fn identity(field: &str, text: &str) -> Result<IdentityLevel, ConfigError> {
	text.parse()
		.map_err(|e: sonm_primitives::names::UnknownName| error(field, e.to_string()))
}

fn parse_plan(field: &str, plan: PlanFile) -> Result<Plan, ConfigError> {
	let at = |name: &str| format!("{field}.{name}");
	let name = plan.name.trim().to_owned();
	if name.is_empty() {
		return Err(error(at("name"), "empty"));
	}
	let ram = plan.ram.as_deref().map(|t| size(&at("ram"), t)).transpose()?.unwrap_or(0);
	let storage = plan
		.storage
		.as_deref()
		.map(|t| size(&at("storage"), t))
		.transpose()?
		.unwrap_or(0);
	if plan.cpu_cores == 0 && plan.gpus == 0 {
		return Err(error(at("cpu_cores"), "a plan sells at least one CPU core or one GPU"));
	}
	let pricing = match (plan.price, plan.price_per) {
		(Some(text), None) => Pricing::Whole(price(&at("price"), &text)?),
		(None, Some(per)) => per_resource(&at("price_per"), per)?,
		(Some(_), Some(_)) => {
			return Err(error(at("price"), "give either price or price_per, not both"))
		},
		(None, None) => return Err(error(at("price"), "missing: give price or price_per")),
	};
	let duration = duration(&at("duration"), &plan.duration)?;
	let mut flags = 0u8;
	for (i, flag) in plan.netflags.iter().enumerate() {
		flags |= match flag.to_ascii_lowercase().as_str() {
			"overlay" => netflags::OVERLAY,
			"outbound" => netflags::OUTBOUND,
			"incoming" => netflags::INCOMING,
			other => {
				return Err(error(
					format!("{field}.netflags[{i}]"),
					format!("unknown flag {other:?}: overlay, outbound or incoming"),
				))
			},
		};
	}
	let min_identity = identity(&at("min_identity"), &plan.min_identity)?;
	let curator = plan.curator.map(|text| address(&at("curator"), text)).transpose()?;
	let tag = plan.tag.unwrap_or_else(|| name.clone());
	if tag.len() > 32 {
		return Err(error(at("tag"), format!("{} bytes; the chain keeps at most 32", tag.len())));
	}
	Ok(Plan {
		name,
		cpu_cores: plan.cpu_cores,
		ram,
		storage,
		gpus: plan.gpus,
		pricing,
		duration,
		netflags: flags,
		min_identity,
		curator,
		tag,
	})
}

fn per_resource(field: &str, per: PricePerFile) -> Result<Pricing, ConfigError> {
	let mut unit = None;
	let mut one = |name: &str, text: Option<&str>| -> Result<u128, ConfigError> {
		let Some(text) = text else { return Ok(0) };
		let path = format!("{field}.{name}");
		let price = price(&path, text)?;
		match unit {
			Some(unit) if unit != price.unit => {
				Err(error(path, "every price of a plan must be in the same currency"))
			},
			_ => {
				unit = Some(price.unit);
				Ok(price.per_second)
			},
		}
	};
	let cpu_core = one("cpu_core", per.cpu_core.as_deref())?;
	let ram_gib = one("ram_gib", per.ram_gib.as_deref())?;
	let storage_gib = one("storage_gib", per.storage_gib.as_deref())?;
	let gpu = one("gpu", per.gpu.as_deref())?;
	let mut gpu_by_model = Vec::new();
	for (model, text) in &per.gpu_by_model {
		gpu_by_model.push((model.clone(), one(&format!("gpu_by_model.{model:?}"), Some(text))?));
	}
	let unit = unit.ok_or_else(|| error(field, "no price given for any resource"))?;
	Ok(Pricing::PerResource { unit, cpu_core, ram_gib, storage_gib, gpu, gpu_by_model })
}

fn address(field: &str, text: String) -> Result<String, ConfigError> {
	use std::str::FromStr;
	let text = text.trim().to_owned();
	sonm_client::AccountId32::from_str(&text)
		.map(|_| text.clone())
		.map_err(|_| error(field, format!("{text:?} is not an SS58 address")))
}

fn size(field: &str, text: &str) -> Result<u64, ConfigError> {
	units::parse_size(text).map_err(|e| error(field, e.to_string()))
}

fn bandwidth(field: &str, text: &str) -> Result<u64, ConfigError> {
	units::parse_bandwidth(text).map_err(|e| error(field, e.to_string()))
}

fn duration(field: &str, text: &str) -> Result<u64, ConfigError> {
	units::parse_duration(text).map_err(|e| error(field, e.to_string()))
}

fn price(field: &str, text: &str) -> Result<units::Price, ConfigError> {
	units::parse_price(text).map_err(|e| error(field, e.to_string()))
}

/// The TOML path of the table or key around byte `offset` of `text`: the last `[table]` or
/// `[[array]]` header before it (with the array's index) and the key on its line.
fn locate(text: &str, offset: usize) -> String {
	let mut table = String::new();
	let mut counts: BTreeMap<String, usize> = BTreeMap::new();
	let mut key = String::new();
	let mut position = 0;
	for line in text.lines() {
		let end = position + line.len() + 1;
		let trimmed = line.trim();
		if let Some(name) = trimmed.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
			let count = counts.entry(name.trim().to_owned()).or_default();
			table = format!("{}[{}]", name.trim(), count);
			*count += 1;
			key.clear();
		} else if let Some(name) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
			table = name.trim().to_owned();
			key.clear();
		} else if let Some((name, _)) = trimmed.split_once('=') {
			key = name.trim().to_owned();
		}
		if offset < end {
			break;
		}
		position = end;
	}
	match (table.is_empty(), key.is_empty()) {
		(true, _) => key,
		(false, true) => table,
		(false, false) => format!("{table}.{key}"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	fn good() -> String {
		format!(
			r#"
[chain]
url = "ws://127.0.0.1:9944"
key = "//Alice"

[worker]
data_dir = "/tmp/w"

[resources]
cpu_cores = 2
ram = "2 GiB"

[[plans]]
name = "small"
cpu_cores = 1
ram = "1 GiB"
price = "0.5 SNM/h"
duration = "1h"
netflags = ["outbound"]

[[plans]]
name = "gpu"
gpus = 1
duration = "spot"
curator = "{ALICE}"
[plans.price_per]
gpu = "0.3 USD/h"
gpu_by_model = {{ "A100" = "2 USD/h" }}
"#
		)
	}

	#[test]
	fn a_good_config_is_read_whole() {
		let config = Config::parse(&good()).unwrap();
		assert_eq!(config.billing_period, 600);
		assert_eq!(config.metrics, "127.0.0.1:9620".parse().unwrap());
		assert_eq!(config.resources.ram, Some(2 << 30));
		assert_eq!(config.plans[0].duration, 3600);
		assert_eq!(config.plans[0].netflags, netflags::OUTBOUND);
		assert_eq!(config.plans[0].tag, "small");
		assert_eq!(config.plans[1].duration, 0);
		assert_eq!(config.plans[1].curator.as_deref(), Some(ALICE));
		match &config.plans[1].pricing {
			Pricing::PerResource { unit, gpu, gpu_by_model, .. } => {
				assert_eq!(*unit, PriceUnit::Usd);
				assert_eq!(*gpu, units::parse_price("0.3 USD/h").unwrap().per_second);
				assert_eq!(gpu_by_model[0].0, "A100");
			},
			other => panic!("{other:?}"),
		}
	}

	#[test]
	fn a_tasks_section_is_read_and_its_mistakes_named() {
		let with_tasks = |tasks: &str| {
			let text = good().replacen("[resources]", &format!("[tasks]\n{tasks}\n[resources]"), 1);
			Config::parse(&text)
		};
		let config = with_tasks(
			"engine = \"unix:///run/podman.sock\"\nports = \"31000-31009\"\n\
			 advertise = \"https://worker.example.org\"\n\
			 allowed_images = [\"busybox:1\", \"app:2@sha256:ab\"]",
		)
		.unwrap();
		let tasks = config.tasks.unwrap();
		assert_eq!(tasks.engine, "/run/podman.sock");
		assert_eq!(tasks.ports, 31000..=31009);
		assert_eq!(tasks.advertise, "https://worker.example.org");
		assert_eq!(tasks.registry, None);
		let pulling = with_tasks(
			"engine = \"/s\"\nadvertise = \"http://a\"\nregistry = \"registry.example.org:5000\"\n\
			 registry_username = \"u\"\nregistry_password = \"p\"",
		)
		.unwrap();
		let registry = pulling.tasks.unwrap().registry.unwrap();
		assert_eq!(registry.host, "registry.example.org:5000");
		assert_eq!(registry.credentials, Some(("u".into(), "p".into())));
		let relay = with_tasks(
			"engine = \"/s\"\nlisten = \"10.1.2.3:9630\"\np2p_relay_circuit_bytes = \"1 MiB\"\n\
			 p2p_relay_circuit_duration = \"2m\"\np2p_relay_circuits_per_peer = 2",
		)
		.unwrap();
		let limits = relay.tasks.unwrap().p2p_relay_limits;
		assert_eq!((limits.circuit_bytes, limits.circuit_duration.as_secs()), (1 << 20, 120));
		assert_eq!(limits.max_circuits_per_peer, 2);
		assert_eq!(limits.max_circuits, sonm_p2p::host::RelayLimits::default().max_circuits);
		let local = with_tasks("engine = \"/s\"\nlisten = \"10.1.2.3:9630\"").unwrap();
		assert_eq!(local.tasks.unwrap().advertise, "http://10.1.2.3:9630");
		assert_eq!(tasks.log_retention, 24 * 3600);
		assert_eq!(tasks.policy.free_from, IdentityLevel::Identified);
		assert_eq!(tasks.policy.allowed[1].digest.as_deref(), Some("sha256:ab"));
		for (tasks, field) in [
			("engine = \"tcp://x\"", "tasks.engine"),
			("engine = \"/s\"\nports = \"9-1\"", "tasks.ports"),
			("engine = \"/s\"\nlisten = \"x\"", "tasks.listen"),
			("engine = \"/s\"", "tasks.advertise"),
			("engine = \"/s\"\nadvertise = \"worker:9630\"", "tasks.advertise"),
			("engine = \"/s\"\nlog_retention = \"forever\"", "tasks.log_retention"),
			("engine = \"/s\"\nfree_images_from = \"vip\"", "tasks.free_images_from"),
			("engine = \"/s\"\nallowed_images = [\"a@md5:1\"]", "tasks.allowed_images[0]"),
			("engine = \"/s\"\npids = 1", "tasks.pids"),
			("engine = \"/s\"\nadvertise = \"http://a\"\nports_per_deal = 0", "tasks.ports_per_deal"),
			("engine = \"/s\"\nadvertise = \"http://a\"\nlog_max = \"1 KiB\"", "tasks.log_max"),
			("engine = \"/s\"\nadvertise = \"http://a\"\nexec_timeout = \"0s\"", "tasks.exec_timeout"),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\nblocked_networks = [\"10.0.0.0\"]",
				"tasks.blocked_networks[0]",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_listen = [\"/ip4/1.2.3.4/tcp/x\"]",
				"tasks.p2p_listen[0]",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_advertise = \"/ip4/1.2.3.4/tcp/1\"",
				"tasks.p2p_advertise",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_listen = [\"/ip4/0.0.0.0/tcp/1\"]\np2p_relays = [\"/ip4/1.2.3.4/tcp/1\"]",
				"tasks.p2p_relays[0]",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_relay_server = true",
				"tasks.p2p_listen",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_relay_max_circuits = 0",
				"tasks.p2p_relay_max_circuits",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_relay_circuit_bytes = \"1 KiB\"",
				"tasks.p2p_relay_circuit_bytes",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\np2p_relay_circuit_duration = \"soon\"",
				"tasks.p2p_relay_circuit_duration",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\ncors_origins = [\"http://a:1/console\"]",
				"tasks.cors_origins[0]",
			),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\ncors_origins = [\"*\"]",
				"tasks.cors_origins[0]",
			),
			("engine = \"/s\"\nadvertise = \"http://a\"\nregistry = \"http://r\"", "tasks.registry"),
			("engine = \"/s\"\nadvertise = \"http://a\"\nregistry_password = \"p\"", "tasks.registry"),
			(
				"engine = \"/s\"\nadvertise = \"http://a\"\nregistry = \"r:5000\"\nregistry_username = \"u\"",
				"tasks.registry_username",
			),
		] {
			assert_eq!(with_tasks(tasks).unwrap_err().field, field, "{tasks}");
		}
	}

	#[test]
	fn the_embedded_dev_config_is_valid_and_runs_tasks() {
		let mut config = Config::parse(DEV_CONFIG).unwrap();
		assert!(!config.plans.is_empty());
		let tasks = config.tasks.as_ref().expect("the dev config runs deals' tasks");
		assert!(tasks.policy.allowed.iter().any(|allowed| allowed.name == "busybox:1.36"));
		config.set_engine("unix:///tmp/sonm-dev/podman.sock").unwrap();
		assert_eq!(config.tasks.as_ref().unwrap().engine, "/tmp/sonm-dev/podman.sock");
		assert_eq!(config.set_engine("podman.sock").unwrap_err().field, "tasks.engine");
		assert_eq!(config.tasks.as_ref().unwrap().engine, "/tmp/sonm-dev/podman.sock");
		config.tasks = None;
		assert_eq!(config.set_engine("/tmp/x.sock").unwrap_err().field, "tasks.engine");
	}

	/// Every mistake names its field.
	#[test]
	fn mistakes_are_named() {
		let cases: &[(&str, &str, &str)] = &[
			(r#"url = "ws://127.0.0.1:9944""#, r#"url = "http://x""#, "chain.url"),
			(r#"key = "//Alice""#, r#"key = " ""#, "chain.key"),
			(r#"key = "//Alice""#, "key = \"//Alice\"\nmaster = \"bob\"", "chain.master"),
			(r#"data_dir = "/tmp/w""#, "data_dir = \"/tmp/w\"\nmetrics = \"x\"", "worker.metrics"),
			(
				r#"data_dir = "/tmp/w""#,
				"data_dir = \"/tmp/w\"\nbilling_period = \"0\"",
				"worker.billing_period",
			),
			(r#"ram = "2 GiB""#, r#"ram = "2 GiGs""#, "resources.ram"),
			(r#"price = "0.5 SNM/h""#, r#"price = "0.5 EUR/h""#, "plans[0].price"),
			(r#"duration = "1h""#, r#"duration = "1 week""#, "plans[0].duration"),
			(r#"netflags = ["outbound"]"#, r#"netflags = ["inbound"]"#, "plans[0].netflags[0]"),
			(r#"name = "gpu""#, r#"name = "small""#, "plans[1].name"),
			(r#"curator = "{ALICE}""#, r#"curator = "x""#, "plans[1].curator"),
			(r#"gpu = "0.3 USD/h""#, r#"gpu = "0.3 SNM/h""#, "plans[1].price_per.gpu"),
			(r#"cpu_cores = 1"#, r#"cpu_cores = 0"#, "plans[0].cpu_cores"),
			(r#"price = "0.5 SNM/h""#, r#"prise = "0.5 SNM/h""#, "plans[0]"),
			(r#"cpu_cores = 2"#, r#"cpu_cores = "two""#, "resources.cpu_cores"),
		];
		let good = good().replace("{ALICE}", ALICE);
		for (from, to, field) in cases {
			let from = from.replace("{ALICE}", ALICE);
			assert!(good.contains(&from), "{from} is in the good config");
			let bad = good.replacen(&from, to, 1);
			let error = Config::parse(&bad).expect_err(&format!("{to} is refused"));
			assert!(error.field.starts_with(field), "{to}: {error} should name {field}");
		}
		let error = Config::parse(&good.replace("[[plans]]", "[[plan]]")).unwrap_err();
		assert_eq!(error.field, "plan[0]");
		let no_plans = good.split("[[plans]]").next().unwrap();
		assert_eq!(Config::parse(no_plans).unwrap_err().field, "plans");
	}
}
