//! An order as people write it: from flags or from a YAML file in the spirit of SONM's
//! `bid.yaml`/`ask.yaml`, with human units. Both fill the same [`OrderForm`] the web console's
//! form does, read and checked by `sonm-terms` before anything is signed:
//!
//! ```yaml
//! side: ask                 # ask (supplier) or bid (customer)
//! price: 2.5 USD/h          # SNM or USD per s, m, h or d
//! duration: 8h              # 90s, 30m, 8h, 2d, 1h30m; 0 or spot for a spot deal
//! counterparty: bob         # optional: only this account (address, keystore or dev name)
//! identity: registered      # optional: the least KYC level of the counterparty
//! blacklist: 5FHneW4…       # optional: also apply this curator's blacklist
//! tag: render-farm          # optional, at most 32 bytes
//! expires-in: 1d            # optional
//! network: { overlay: true, outbound: true, incoming: false }
//! resources:                # offered by an ask, required by a bid; missing ones are 0
//!   cpu-cores: 4
//!   ram-size: 2 GiB
//!   storage-size: 100 GB
//!   net-download: 100 Mbit/s
//!   gpu-count: 1
//!   gpu-mem: 8 GiB
//! ```

use crate::error::CliError;
use serde::Deserialize;
pub use sonm_client::terms::order::{
	check_tag, netflags, parse_benchmark, parse_duration, parse_identity, parse_price, parse_side,
	BenchmarkKind, IdentityLevel, OrderForm, OrderSpec, Side, BENCHMARKS, MAX_TAG_LEN,
};
use std::collections::BTreeMap;

/// The order file's format, for `sonm orders create --help`.
pub const FILE_HELP: &str = "\
Order file (--file), YAML with human units; several orders in one file are YAML documents
separated by `---` lines, placed together in one transaction (all or none):
  side: ask                 # ask (supplier) or bid (customer)
  price: 2.5 USD/h          # SNM or USD per s, m, h or d
  duration: 8h              # 90s, 30m, 8h, 2d, 1h30m; 0 or spot for a spot deal
  counterparty: bob         # optional: only this account
  identity: registered      # optional: anonymous, registered, identified, professional
  blacklist: <account>      # optional: also apply this curator's blacklist
  tag: render-farm          # optional, at most 32 bytes
  expires-in: 1d            # optional
  network: { overlay: true, outbound: true, incoming: false }
  resources:                # offered by an ask, required by a bid; missing ones are 0
    cpu-sysbench-multi: 1000
    cpu-cores: 4
    ram-size: 2 GiB
    storage-size: 100 GB
    net-download: 100 Mbit/s
    net-upload: 50 Mbit/s
    gpu-count: 1
    gpu-mem: 8 GiB";

/// A YAML order file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OrderFile {
	side: String,
	price: String,
	duration: serde_yaml::Value,
	counterparty: Option<String>,
	identity: Option<String>,
	blacklist: Option<String>,
	tag: Option<String>,
	expires_in: Option<serde_yaml::Value>,
	network: Option<NetworkFile>,
	#[serde(default)]
	resources: BTreeMap<String, serde_yaml::Value>,
}

/// The `network` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
	#[serde(default)]
	overlay: bool,
	#[serde(default)]
	outbound: bool,
	#[serde(default)]
	incoming: bool,
}

/// A YAML scalar as text (`8h`, `4`, `2 GiB`).
fn scalar(field: &str, value: &serde_yaml::Value) -> Result<String, CliError> {
	match value {
		serde_yaml::Value::String(text) => Ok(text.clone()),
		serde_yaml::Value::Number(number) => Ok(number.to_string()),
		other => Err(CliError::usage(format!(
			"{field}: expected a value like `8h` or `4`, not {other:?}"
		))),
	}
}

/// Parses an order file's text: one order.
pub fn parse_order_file(text: &str) -> Result<OrderSpec, CliError> {
	let file: OrderFile =
		serde_yaml::from_str(text).map_err(|e| CliError::usage(format!("order file: {e}")))?;
	spec_of(file)
}

/// Parses an order file's text: one order, or several as YAML documents (`---` between them);
/// a mistake names the order it is in.
pub fn parse_order_files(text: &str) -> Result<Vec<OrderSpec>, CliError> {
	let mut specs = Vec::new();
	for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
		let which = index + 1;
		let file = OrderFile::deserialize(document)
			.map_err(|e| CliError::usage(format!("order {which}: {e}")))?;
		specs.push(
			spec_of(file).map_err(|e| CliError::usage(format!("order {which}: {}", e.message)))?,
		);
	}
	if specs.is_empty() {
		return Err(CliError::usage("the order file holds no order"));
	}
	Ok(specs)
}

/// The order a parsed file describes, checked.
fn spec_of(file: OrderFile) -> Result<OrderSpec, CliError> {
	let network = file.network.unwrap_or_default();
	let form = OrderForm {
		side: Some(file.side),
		price: Some(file.price),
		duration: Some(scalar("duration", &file.duration)?),
		counterparty: file.counterparty,
		identity: file.identity,
		blacklist: file.blacklist,
		tag: file.tag,
		expires_in: file
			.expires_in
			.as_ref()
			.map(|value| scalar("expires-in", value))
			.transpose()?,
		overlay: network.overlay,
		outbound: network.outbound,
		incoming: network.incoming,
		resources: file
			.resources
			.iter()
			.map(|(name, value)| Ok((name.clone(), scalar(name, value)?)))
			.collect::<Result<_, CliError>>()?,
	};
	Ok(form.parse()?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_client::units;

	const ASK: &str = "\
side: ask
price: 2.5 USD/h
duration: 8h
identity: registered
tag: render-farm
expires-in: 1d
network: { overlay: true, outbound: true }
resources:
  cpu-cores: 4
  ram-size: 2 GiB
  storage-size: 100 GB
  net-download: 100 Mbit/s
  gpu-count: 1
  gpu-mem: 8 GiB
";

	#[test]
	fn an_ask_file_with_human_units() {
		let spec = parse_order_file(ASK).unwrap();
		assert_eq!(spec.side, Side::Ask);
		assert_eq!(spec.price, units::parse_price("2.5 USD/h").unwrap());
		assert_eq!(spec.duration, 8 * 3600);
		assert_eq!(spec.min_identity, IdentityLevel::Registered);
		assert_eq!(spec.tag, "render-farm");
		assert_eq!(spec.expires_in, Some(86_400));
		assert_eq!(spec.netflags, 3);
		assert_eq!(spec.benchmarks[2], 4);
		assert_eq!(spec.benchmarks[3], 2 << 30);
		assert_eq!(spec.benchmarks[4], 100_000_000_000);
		assert_eq!(spec.benchmarks[5], 100_000_000);
		assert_eq!(spec.benchmarks[7], 1);
		assert_eq!(spec.benchmarks[8], 8 << 30);
		assert_eq!(spec.benchmarks[0], 0);
	}

	#[test]
	fn a_spot_bid_needs_only_side_price_and_duration() {
		let spec = parse_order_file("side: bid\nprice: 0.5 SNM/h\nduration: 0\n").unwrap();
		assert_eq!(spec.side, Side::Bid);
		assert_eq!(spec.duration, 0);
		assert_eq!(spec.benchmarks, [0; 12]);
		assert_eq!(spec.netflags, 0);
	}

	#[test]
	fn mistakes_are_named() {
		let message = |text: &str| parse_order_file(text).unwrap_err().message;
		assert!(message("side: rent\nprice: 1 SNM/h\nduration: 1h\n")
			.contains("\"rent\" is not a side"));
		assert!(message("side: ask\nprice: 1 EUR/h\nduration: 1h\n").contains("price"));
		assert!(message("side: ask\nprice: 1 SNM/h\nduration: 1 week\n").contains("duration"));
		assert!(message(
			"side: ask\nprice: 1 SNM/h\nduration: 1h\nresources: { ram-size: 2 GHz }\n"
		)
		.contains("ram-size"));
		assert!(message("side: ask\nprice: 1 SNM/h\nduration: 1h\nresources: { cpu-speed: 3 }\n")
			.contains("unknown resource \"cpu-speed\""));
		assert!(message("side: ask\nprice: 1 SNM/h\nduration: 1h\ncolour: red\n")
			.contains("unknown field `colour`"));
		assert!(message("side: ask\nprice: 1 SNM/h\nduration: 1h\nidentity: famous\n")
			.contains("identity level"));
		assert!(message(&format!(
			"side: ask\nprice: 1 SNM/h\nduration: 1h\ntag: {}\n",
			"x".repeat(33)
		))
		.contains("at most 32"));
		assert!(message("side: ask\nduration: 1h\n").contains("missing field `price`"));
	}

	/// Mutation fuzzing: 20,000 order files changed from valid ones (bit flips, cut and
	/// repeated chunks, huge numbers, deep nesting, YAML aliases, non-UTF-8 bytes) each parse or
	/// are refused with a named error; none panics.
	#[test]
	fn mutated_order_files_parse_or_are_refused_by_name() {
		let samples: [&[u8]; 3] = [
			ASK.as_bytes(),
			b"side: bid\nprice: 0.5 SNM/h\nduration: 0\n",
			b"side: bid\nprice: 1 SNM/s\nduration: 1h30m\ncounterparty: bob\nblacklist: charlie\nnetwork: { incoming: true }\nresources: { cpu-cores: 2, gpu-count: 1 }\n",
		];
		let mut mutator = sonm_test_support::mutate::Mutator::new(2026);
		let (mut parsed, mut refused) = (0, 0);
		for _ in 0..20_000 {
			let input = mutator.mutate(&samples);
			match parse_order_file(&String::from_utf8_lossy(&input)) {
				Ok(_) => parsed += 1,
				Err(error) => {
					assert!(!error.message.is_empty(), "an error without a message");
					refused += 1;
				},
			}
		}
		println!("mutated order files: {parsed} parsed, {refused} refused by name");
		assert!(parsed > 100 && refused > 1000, "the mutations reach both outcomes");
	}
}
