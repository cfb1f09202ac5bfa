//! Plan arithmetic: the plans together never sell more than the machine has (and the
//! configuration allows), and each plan becomes the terms of one ASK order: its benchmarks (its
//! share of the machine's) and its price.

use crate::{
	bench::Benchmarks,
	config::{Config, ConfigError, Plan, Pricing},
	gpu::Gpu,
	inventory::Inventory,
};
use serde::Serialize;
use sonm_client::units::PriceUnit;
use sonm_primitives::{benchmarks::*, IdentityLevel};

/// What a plan's ask offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
	/// The plan's name.
	pub plan: String,
	/// Price per second, in base units of `unit`.
	pub per_second: u128,
	/// What the price is in.
	pub unit: PriceUnit,
	/// Seconds; 0 for spot.
	pub duration: u64,
	/// By standard index.
	pub benchmarks: Vec<u64>,
	/// Network flags offered.
	pub netflags: u8,
	/// Identity level required of customers.
	pub min_identity: IdentityLevel,
	/// Whose blacklist also applies (SS58).
	pub curator: Option<String>,
	/// The ask's tag: says which plan an open ask belongs to.
	pub tag: String,
	/// The GPUs the plan sells, by model.
	pub gpu_models: Vec<String>,
}

impl Offer {
	/// What a whole forward term costs (price x duration), or an hour of a spot deal.
	pub fn term_price(&self) -> (u128, &'static str) {
		if self.duration == 0 {
			(self.per_second.saturating_mul(3600), "per hour")
		} else {
			(self.per_second.saturating_mul(self.duration as u128), "for the whole term")
		}
	}
}

/// The most of each resource the plans may sell together: what the machine has, lowered by
/// the configuration's `[resources]`. Refuses a `[resources]` above the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
	/// CPU cores.
	pub cpu_cores: u64,
	/// Memory in bytes.
	pub ram: u64,
	/// Storage in bytes.
	pub storage: u64,
	/// GPUs.
	pub gpus: u64,
}

impl Capacity {
	/// What `config` may sell of `inventory`.
	pub fn of(config: &Config, inventory: &Inventory) -> Result<Self, ConfigError> {
		let limit = |field: &str, configured: Option<u64>, has: u64, what: &str| match configured {
			Some(value) if value > has => Err(ConfigError {
				field: format!("resources.{field}"),
				message: format!("{value} {what}, and the machine has {has}"),
			}),
			Some(value) => Ok(value),
			None => Ok(has),
		};
		let resources = &config.resources;
		Ok(Self {
			cpu_cores: limit("cpu_cores", resources.cpu_cores, inventory.cpu_cores, "cores")?,
			ram: limit("ram", resources.ram, inventory.ram_bytes, "bytes")?,
			storage: limit(
				"storage",
				resources.storage,
				inventory.storage.free_bytes,
				"bytes (free on the data directory's filesystem)",
			)?,
			gpus: limit("gpus", resources.gpus, inventory.gpus.len() as u64, "GPUs")?,
		})
	}

	/// Refuses plans that together sell more than this: every plan may have a deal at once.
	pub fn check(&self, plans: &[Plan]) -> Result<(), ConfigError> {
		let sum = |f: fn(&Plan) -> u64| plans.iter().map(f).fold(0u64, u64::saturating_add);
		let totals = [
			("cpu_cores", sum(|p| p.cpu_cores), self.cpu_cores, "CPU cores"),
			("ram", sum(|p| p.ram), self.ram, "bytes of memory"),
			("storage", sum(|p| p.storage), self.storage, "bytes of storage"),
			("gpus", sum(|p| p.gpus), self.gpus, "GPUs"),
		];
		for (field, total, most, what) in totals {
			if total > most {
				return Err(ConfigError {
					field: "plans".into(),
					message: format!(
						"the plans sell {total} {what} together and at most {most} may be sold \
						 (resources.{field} or what the machine has): a plan would be oversold"
					),
				});
			}
		}
		Ok(())
	}
}

/// The offers of `config`'s plans on a machine with `inventory` and `benchmarks`, after
/// checking that they fit. GPUs go to plans in order.
pub fn offers(
	config: &Config,
	inventory: &Inventory,
	benchmarks: &Benchmarks,
) -> Result<Vec<Offer>, ConfigError> {
	let capacity = Capacity::of(config, inventory)?;
	capacity.check(&config.plans)?;
	let mut gpus = inventory.gpus.iter();
	let mut offers = Vec::new();
	for (i, plan) in config.plans.iter().enumerate() {
		let assigned: Vec<&Gpu> = gpus.by_ref().take(plan.gpus as usize).collect();
		let per_second = price(plan, &assigned).ok_or_else(|| ConfigError {
			field: format!("plans[{i}].price"),
			message: "the price overflows".into(),
		})?;
		if per_second == 0 {
			return Err(ConfigError {
				field: format!("plans[{i}].price_per"),
				message: "the plan's resources cost nothing at these prices".into(),
			});
		}
		offers.push(Offer {
			plan: plan.name.clone(),
			per_second,
			unit: unit(plan),
			duration: plan.duration,
			benchmarks: plan_benchmarks(plan, inventory, benchmarks).to_vec(),
			netflags: plan.netflags,
			min_identity: plan.min_identity,
			curator: plan.curator.clone(),
			tag: plan.tag.clone(),
			gpu_models: assigned.iter().map(|gpu| gpu.model.clone()).collect(),
		});
	}
	Ok(offers)
}

fn unit(plan: &Plan) -> PriceUnit {
	match &plan.pricing {
		Pricing::Whole(price) => price.unit,
		Pricing::PerResource { unit, .. } => *unit,
	}
}

/// The plan's price per second: whole, or the sum of its resources' prices (GPUs by model).
pub fn price(plan: &Plan, gpus: &[&Gpu]) -> Option<u128> {
	const GIB: u128 = 1 << 30;
	match &plan.pricing {
		Pricing::Whole(price) => Some(price.per_second),
		Pricing::PerResource { cpu_core, ram_gib, storage_gib, gpu, gpu_by_model, .. } => {
			let mut total = cpu_core.checked_mul(plan.cpu_cores as u128)?;
			// Memory and storage are priced per GiB, pro rata.
			total = total.checked_add(ram_gib.checked_mul(plan.ram as u128)? / GIB)?;
			total = total.checked_add(storage_gib.checked_mul(plan.storage as u128)? / GIB)?;
			for assigned in gpus {
				let by_model = gpu_by_model
					.iter()
					.find(|(model, _)| assigned.model.contains(model.as_str()))
					.map(|(_, price)| *price);
				total = total.checked_add(by_model.unwrap_or(*gpu))?;
			}
			Some(total)
		},
	}
}

/// The plan's benchmarks: its own sizes and counts, the machine's per-core and per-GPU figures
/// scaled to its share.
pub fn plan_benchmarks(
	plan: &Plan,
	inventory: &Inventory,
	benchmarks: &Benchmarks,
) -> [u64; STANDARD_COUNT] {
	let machine = &benchmarks.values;
	let share = |value: u64, part: u64, whole: u64| -> u64 {
		if whole == 0 {
			0
		} else {
			(value as u128 * part as u128 / whole as u128) as u64
		}
	};
	let mut values = [0u64; STANDARD_COUNT];
	let cores = inventory.cpu_cores.max(1);
	// A core brings its hardware threads: the multi-thread score scales with the plan's share.
	values[CPU_SYSBENCH_MULTI] = share(machine[CPU_SYSBENCH_MULTI], plan.cpu_cores, cores);
	values[CPU_SYSBENCH_SINGLE] = if plan.cpu_cores > 0 { machine[CPU_SYSBENCH_SINGLE] } else { 0 };
	values[CPU_CORES] = plan.cpu_cores;
	values[RAM_SIZE] = plan.ram;
	values[STORAGE_SIZE] = plan.storage;
	values[NET_DOWNLOAD] = machine[NET_DOWNLOAD];
	values[NET_UPLOAD] = machine[NET_UPLOAD];
	let gpus = inventory.gpus.len() as u64;
	values[GPU_COUNT] = plan.gpus;
	for index in [GPU_MEM, GPU_ETH_HASHRATE, GPU_CASH_HASHRATE, GPU_REDSHIFT] {
		values[index] = share(machine[index], plan.gpus, gpus);
	}
	values
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{gpu::GpuSource, inventory::Storage};

	fn inventory(gpus: &[&str]) -> Inventory {
		Inventory {
			cpu_model: "test".into(),
			cpu_cores: 8,
			cpu_threads: 16,
			ram_bytes: 32 << 30,
			storage: Storage { total_bytes: 1 << 40, free_bytes: 500 << 30 },
			interfaces: vec![],
			gpus: gpus
				.iter()
				.map(|model| Gpu {
					vendor: "NVIDIA".into(),
					model: model.to_string(),
					memory_bytes: 40 << 30,
					pci_address: String::new(),
					source: GpuSource::Nvml,
				})
				.collect(),
		}
	}

	fn config(resources: &str, plans: &str) -> Config {
		Config::parse(&format!(
			"[chain]\nurl = \"ws://x:1\"\nkey = \"//Alice\"\n[worker]\ndata_dir = \"/tmp\"\n\
			 [resources]\n{resources}\n{plans}"
		))
		.unwrap()
	}

	fn plan(name: &str, cores: u64, ram: &str, gpus: u64, price: &str) -> String {
		format!(
			"[[plans]]\nname = \"{name}\"\ncpu_cores = {cores}\nram = \"{ram}\"\ngpus = {gpus}\n\
			 {price}\nduration = \"2h\"\n"
		)
	}

	fn bench(inventory: &Inventory) -> Benchmarks {
		let mut values = [0; STANDARD_COUNT];
		values[CPU_SYSBENCH_MULTI] = 8000;
		values[CPU_SYSBENCH_SINGLE] = 600;
		values[GPU_MEM] = 80 << 30;
		values[GPU_ETH_HASHRATE] = 200;
		Benchmarks { fingerprint: inventory.fingerprint(), values }
	}

	#[test]
	fn plans_that_fit_become_offers_with_their_share() {
		let inventory = inventory(&["NVIDIA A100-SXM4-40GB", "NVIDIA GeForce RTX 3090"]);
		let plans = plan("a", 2, "4 GiB", 1, "price = \"3.6 SNM/h\"")
			+ &plan("b", 6, "28 GiB", 1, "price = \"7.2 SNM/h\"");
		let config = config("", &plans);
		let offers = offers(&config, &inventory, &bench(&inventory)).unwrap();
		assert_eq!(offers[0].per_second, 1_000_000_000_000_000);
		assert_eq!(offers[0].benchmarks[CPU_SYSBENCH_MULTI], 2000);
		assert_eq!(offers[0].benchmarks[CPU_SYSBENCH_SINGLE], 600);
		assert_eq!(offers[0].benchmarks[CPU_CORES], 2);
		assert_eq!(offers[0].benchmarks[RAM_SIZE], 4 << 30);
		assert_eq!(offers[0].benchmarks[GPU_COUNT], 1);
		assert_eq!(offers[0].benchmarks[GPU_MEM], 40 << 30);
		assert_eq!(offers[0].benchmarks[GPU_ETH_HASHRATE], 100);
		assert_eq!(offers[1].gpu_models, ["NVIDIA GeForce RTX 3090"]);
		assert_eq!(offers[0].term_price(), (7_200_000_000_000_000_000, "for the whole term"));
	}

	#[test]
	fn plans_never_oversell() {
		let inventory = inventory(&["A100"]);
		let too_many_cores = plan("a", 5, "1 GiB", 0, "price = \"1 SNM/h\"")
			+ &plan("b", 4, "1 GiB", 0, "price = \"1 SNM/h\"");
		let error = offers(&config("", &too_many_cores), &inventory, &bench(&inventory));
		let error = error.unwrap_err();
		assert_eq!(error.field, "plans");
		assert!(error.message.contains("9 CPU cores"), "{error}");
		// The configuration's limit is lower than the machine.
		let fits_machine = plan("a", 4, "1 GiB", 0, "price = \"1 SNM/h\"");
		let limited = config("cpu_cores = 3", &fits_machine);
		assert_eq!(offers(&limited, &inventory, &bench(&inventory)).unwrap_err().field, "plans");
		// Memory and GPUs too.
		let ram = plan("a", 1, "33 GiB", 0, "price = \"1 SNM/h\"");
		assert!(offers(&config("", &ram), &inventory, &bench(&inventory)).is_err());
		let gpus = plan("a", 1, "1 GiB", 2, "price = \"1 SNM/h\"");
		assert!(offers(&config("", &gpus), &inventory, &bench(&inventory)).is_err());
		// A limit above the machine is a mistake of its own.
		let above = config("ram = \"64 GiB\"", &plan("a", 1, "1 GiB", 0, "price = \"1 SNM/h\""));
		assert_eq!(
			offers(&above, &inventory, &bench(&inventory)).unwrap_err().field,
			"resources.ram"
		);
	}

	#[test]
	fn per_resource_prices_add_up_and_gpus_are_priced_by_model() {
		let inventory = inventory(&["NVIDIA A100-SXM4-40GB", "NVIDIA GeForce RTX 3090"]);
		let per = "[plans.price_per]\ncpu_core = \"0.01 USD/s\"\nram_gib = \"0.001 USD/s\"\n\
		           gpu = \"0.1 USD/s\"\ngpu_by_model = { \"A100\" = \"1 USD/s\" }\n";
		let plans = plan("a", 2, "2 GiB", 1, "") + per + &plan("b", 1, "512 MiB", 1, "") + per;
		let config = config("", &plans);
		let offers = offers(&config, &inventory, &bench(&inventory)).unwrap();
		const E: u128 = 1_000_000_000_000_000;
		// 2 cores x 0.01 + 2 GiB x 0.001 + an A100 at 1.
		assert_eq!(offers[0].per_second, 20 * E + 2 * E + 1000 * E);
		assert_eq!(offers[0].unit, PriceUnit::Usd);
		// 1 core x 0.01 + half a GiB x 0.001 + an RTX 3090 at the default 0.1.
		assert_eq!(offers[1].per_second, 10 * E + E / 2 + 100 * E);
		assert_eq!(offers[1].term_price().1, "for the whole term");
	}
}
