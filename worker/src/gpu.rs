//! GPUs: NVIDIA's through NVML (`libnvidia-ml.so`, loaded at run time: a machine without it is
//! a normal case), and every NVIDIA, AMD and Intel display controller through a scan of
//! `/sys/bus/pci/devices` when NVML is not there.

use serde::Serialize;
use std::{fs, path::Path};

/// One GPU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gpu {
	/// `NVIDIA`, `AMD` or `Intel`.
	pub vendor: String,
	/// The model as NVML names it, or the PCI vendor:device ids.
	pub model: String,
	/// Memory in bytes (0 where the PCI scan cannot tell).
	pub memory_bytes: u64,
	/// The PCI address (`0000:41:00.0`).
	pub pci_address: String,
	/// Where the facts came from.
	pub source: GpuSource,
}

/// How a GPU was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GpuSource {
	/// NVIDIA's management library.
	Nvml,
	/// The PCI bus, by vendor and class.
	PciScan,
}

/// NVIDIA GPUs through NVML, or `None` when the library is not installed or finds no driver.
pub fn from_nvml() -> Option<Vec<Gpu>> {
	let nvml = match nvml_wrapper::Nvml::init() {
		Ok(nvml) => nvml,
		Err(error) => {
			tracing::debug!("NVML not available ({error}); GPUs come from the PCI scan");
			return None;
		},
	};
	let count = nvml.device_count().ok()?;
	let mut gpus = Vec::new();
	for index in 0..count {
		let Ok(device) = nvml.device_by_index(index) else { continue };
		gpus.push(Gpu {
			vendor: "NVIDIA".into(),
			model: device.name().unwrap_or_else(|_| "NVIDIA GPU".into()),
			memory_bytes: device.memory_info().map(|memory| memory.total).unwrap_or(0),
			pci_address: device.pci_info().map(|pci| pci.bus_id).unwrap_or_default(),
			source: GpuSource::Nvml,
		});
	}
	Some(gpus)
}

/// Display controllers (PCI class 0x03) of NVIDIA, AMD and Intel under `devices`, sorted by
/// address.
pub fn from_pci_scan(devices: &Path) -> Vec<Gpu> {
	let Ok(entries) = fs::read_dir(devices) else { return Vec::new() };
	let hex = |dir: &Path, file: &str| -> Option<u32> {
		let text = fs::read_to_string(dir.join(file)).ok()?;
		u32::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok()
	};
	let mut gpus: Vec<Gpu> = entries
		.filter_map(Result::ok)
		.filter_map(|entry| {
			let dir = entry.path();
			let class = hex(&dir, "class")?;
			if class >> 16 != 0x03 {
				return None;
			}
			let vendor_id = hex(&dir, "vendor")?;
			let vendor = match vendor_id {
				0x10de => "NVIDIA",
				0x1002 => "AMD",
				0x8086 => "Intel",
				_ => return None,
			};
			let device_id = hex(&dir, "device").unwrap_or(0);
			Some(Gpu {
				vendor: vendor.into(),
				model: format!("{vendor} {vendor_id:04x}:{device_id:04x}"),
				memory_bytes: 0,
				pci_address: entry.file_name().to_string_lossy().into_owned(),
				source: GpuSource::PciScan,
			})
		})
		.collect();
	gpus.sort_by(|a, b| a.pci_address.cmp(&b.pci_address));
	gpus
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn no_nvidia_library_is_a_normal_case() {
		// On a machine without the driver this is `None`; with it, every GPU NVML lists.
		if let Some(gpus) = from_nvml() {
			assert!(gpus.iter().all(|gpu| gpu.vendor == "NVIDIA" && gpu.source == GpuSource::Nvml));
		}
	}

	#[test]
	fn a_missing_pci_tree_means_no_gpu() {
		assert!(from_pci_scan(Path::new("/nonexistent/sys/bus/pci/devices")).is_empty());
	}
}
