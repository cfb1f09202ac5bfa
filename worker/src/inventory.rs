//! What the machine has: CPU, memory, the data directory's filesystem, network interfaces and
//! GPUs, read from `/proc` and `/sys` (under a root directory, so that tests read fixture trees)
//! and from NVML when the NVIDIA library is installed.

use crate::gpu::{self, Gpu};
use serde::Serialize;
use std::{
	collections::BTreeSet,
	fs,
	path::{Path, PathBuf},
};

/// The machine's hardware.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inventory {
	/// The CPU's model name (the first one's, on several sockets).
	pub cpu_model: String,
	/// Physical cores.
	pub cpu_cores: u64,
	/// Hardware threads (logical CPUs).
	pub cpu_threads: u64,
	/// Memory in bytes.
	pub ram_bytes: u64,
	/// The data directory's filesystem: its size and free space in bytes.
	pub storage: Storage,
	/// Network interfaces other than loopback.
	pub interfaces: Vec<Interface>,
	/// GPUs, from NVML or the PCI scan.
	pub gpus: Vec<Gpu>,
}

/// A filesystem's size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Storage {
	/// Bytes in all.
	pub total_bytes: u64,
	/// Bytes free for an unprivileged user.
	pub free_bytes: u64,
}

/// A network interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interface {
	/// Its name (`eth0`).
	pub name: String,
	/// Link speed in Mbit/s, where the driver tells.
	pub speed_mbit: Option<u64>,
}

/// Why the inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
	/// A file every Linux machine has could not be read.
	#[error("cannot read {path}: {error}")]
	Read {
		/// The file.
		path: PathBuf,
		/// What the system said.
		error: std::io::Error,
	},
	/// A file did not say what it should.
	#[error("{path}: {what}")]
	Malformed {
		/// The file.
		path: PathBuf,
		/// What was wrong.
		what: String,
	},
}

/// An environment variable naming a directory with `proc` and `sys` trees that the worker
/// takes for its machine: for load runs of many deals on a small machine, never for selling.
pub const INVENTORY_ROOT: &str = "SONM_WORKER_INVENTORY_ROOT";

impl Inventory {
	/// The machine this process runs on; `data_dir`'s filesystem is the storage it sells.
	/// With [`INVENTORY_ROOT`] set, the machine described under that directory instead.
	pub fn detect(data_dir: &Path) -> Result<Self, InventoryError> {
		if let Some(root) = std::env::var_os(INVENTORY_ROOT) {
			tracing::warn!(root = ?root, "selling the machine described under {INVENTORY_ROOT}");
			return Self::read(Path::new(&root), storage_of(data_dir)?);
		}
		let mut inventory = Self::read(Path::new("/"), storage_of(data_dir)?)?;
		if let Some(gpus) = gpu::from_nvml() {
			inventory.gpus = gpus;
		}
		Ok(inventory)
	}

	/// The machine described by the `proc` and `sys` trees under `root`, with `storage` as
	/// measured, and GPUs from its PCI scan.
	pub fn read(root: &Path, storage: Storage) -> Result<Self, InventoryError> {
		let (cpu_model, cpu_cores, cpu_threads) = read_cpuinfo(&root.join("proc/cpuinfo"))?;
		let ram_bytes = read_meminfo(&root.join("proc/meminfo"))?;
		Ok(Self {
			cpu_model,
			cpu_cores,
			cpu_threads,
			ram_bytes,
			storage,
			interfaces: read_interfaces(&root.join("sys/class/net")),
			gpus: gpu::from_pci_scan(&root.join("sys/bus/pci/devices")),
		})
	}

	/// A short digest of what the benchmarks depend on: they are measured again when it changes.
	pub fn fingerprint(&self) -> String {
		let gpus: Vec<String> = self
			.gpus
			.iter()
			.map(|gpu| format!("{}:{}", gpu.model, gpu.memory_bytes))
			.collect();
		format!(
			"{}|{}c{}t|{}B|{}",
			self.cpu_model,
			self.cpu_cores,
			self.cpu_threads,
			self.ram_bytes,
			gpus.join(",")
		)
	}
}

fn read(path: &Path) -> Result<String, InventoryError> {
	fs::read_to_string(path).map_err(|error| InventoryError::Read { path: path.into(), error })
}

/// Model, physical cores and logical CPUs. Physical cores are the distinct (physical id, core id)
/// pairs; where the kernel lists neither (some VMs, some ARM boards) each logical CPU counts.
fn read_cpuinfo(path: &Path) -> Result<(String, u64, u64), InventoryError> {
	let text = read(path)?;
	let mut model = None;
	let mut threads = 0u64;
	let mut cores = BTreeSet::new();
	let (mut physical, mut core) = (None, None);
	for line in text.lines().chain([""]) {
		let Some((key, value)) = line.split_once(':') else {
			// A blank line ends one processor's block.
			if let (Some(p), Some(c)) = (physical.take(), core.take()) {
				cores.insert((p, c));
			}
			continue;
		};
		let (key, value) = (key.trim(), value.trim());
		match key {
			"processor" => threads += 1,
			"model name" | "Model" if model.is_none() => model = Some(value.to_owned()),
			"physical id" => physical = Some(value.to_owned()),
			"core id" => core = Some(value.to_owned()),
			_ => {},
		}
	}
	if threads == 0 {
		return Err(InventoryError::Malformed { path: path.into(), what: "no processor".into() });
	}
	let cores = if cores.is_empty() { threads } else { cores.len() as u64 };
	Ok((model.unwrap_or_else(|| "unknown CPU".into()), cores, threads))
}

fn read_meminfo(path: &Path) -> Result<u64, InventoryError> {
	let text = read(path)?;
	text.lines()
		.find_map(|line| {
			let rest = line.strip_prefix("MemTotal:")?;
			let kib: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
			Some(kib * 1024)
		})
		.ok_or_else(|| InventoryError::Malformed { path: path.into(), what: "no MemTotal".into() })
}

/// Interfaces under `sys/class/net` except loopback, sorted by name.
fn read_interfaces(dir: &Path) -> Vec<Interface> {
	let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
	let mut interfaces: Vec<Interface> = entries
		.filter_map(Result::ok)
		.map(|entry| entry.file_name().to_string_lossy().into_owned())
		.filter(|name| name != "lo")
		.map(|name| {
			let speed = fs::read_to_string(dir.join(&name).join("speed"))
				.ok()
				.and_then(|text| text.trim().parse::<i64>().ok())
				.filter(|speed| *speed > 0)
				.map(|speed| speed as u64);
			Interface { name, speed_mbit: speed }
		})
		.collect();
	interfaces.sort_by(|a, b| a.name.cmp(&b.name));
	interfaces
}

/// The size and free space of the filesystem holding `dir`.
pub fn storage_of(dir: &Path) -> Result<Storage, InventoryError> {
	use std::{ffi::CString, os::unix::ffi::OsStrExt};
	let path = CString::new(dir.as_os_str().as_bytes()).map_err(|_| InventoryError::Malformed {
		path: dir.into(),
		what: "a NUL byte in the path".into(),
	})?;
	let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
	// SAFETY: `path` is a valid C string and `stat` a properly sized, writable struct.
	if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
		return Err(InventoryError::Read {
			path: dir.into(),
			error: std::io::Error::last_os_error(),
		});
	}
	let block = stat.f_frsize as u64;
	Ok(Storage {
		total_bytes: stat.f_blocks as u64 * block,
		free_bytes: stat.f_bavail as u64 * block,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::gpu::GpuSource;

	fn fixture(name: &str) -> PathBuf {
		Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
	}

	const DISK: Storage = Storage { total_bytes: 100 << 30, free_bytes: 60 << 30 };

	#[test]
	fn a_two_core_vm_without_gpu() {
		let inventory = Inventory::read(&fixture("vm-2-core"), DISK).unwrap();
		assert_eq!(inventory.cpu_model, "AMD EPYC 7B13");
		assert_eq!((inventory.cpu_cores, inventory.cpu_threads), (2, 2));
		assert_eq!(inventory.ram_bytes, 24_618_548 * 1024);
		assert_eq!(inventory.storage, DISK);
		assert_eq!(inventory.interfaces, vec![Interface { name: "eth0".into(), speed_mbit: None }]);
		assert!(inventory.gpus.is_empty());
	}

	#[test]
	fn a_64_core_box_with_four_gpus() {
		let inventory = Inventory::read(&fixture("box-64-core-4-gpu"), DISK).unwrap();
		assert_eq!(inventory.cpu_model, "AMD EPYC 7742 64-Core Processor");
		assert_eq!((inventory.cpu_cores, inventory.cpu_threads), (64, 128));
		assert_eq!(inventory.ram_bytes, 528_280_800 * 1024);
		assert_eq!(inventory.interfaces.len(), 2);
		assert_eq!(inventory.interfaces[0].speed_mbit, Some(25_000));
		let vendors: Vec<&str> = inventory.gpus.iter().map(|gpu| gpu.vendor.as_str()).collect();
		assert_eq!(vendors, ["NVIDIA", "NVIDIA", "NVIDIA", "AMD"]);
		assert!(inventory.gpus.iter().all(|gpu| gpu.source == GpuSource::PciScan));
		// The ASPEED BMC's VGA and the Intel NIC are not GPUs to sell.
		assert_eq!(inventory.gpus.len(), 4);
	}

	#[test]
	fn a_machine_without_gpu_or_core_ids() {
		let inventory = Inventory::read(&fixture("no-gpu"), DISK).unwrap();
		assert_eq!((inventory.cpu_cores, inventory.cpu_threads), (4, 4));
		assert!(inventory.gpus.is_empty());
		assert!(inventory.interfaces.is_empty());
	}

	#[test]
	fn a_missing_proc_tree_is_named() {
		let error = Inventory::read(&fixture("absent"), DISK).unwrap_err();
		assert!(error.to_string().contains("proc/cpuinfo"), "{error}");
	}

	#[test]
	fn the_data_directory_filesystem_is_measured() {
		let storage = storage_of(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
		assert!(storage.total_bytes > 0 && storage.free_bytes <= storage.total_bytes);
	}
}
