//! An order's terms as people write them, field by field in human units, and their checks: the
//! CLI's flags and YAML order files and the web console's form all fill an [`OrderForm`] and
//! read it with [`OrderForm::parse`], so that an order is checked the same way wherever it is
//! written, before anything is signed.

use crate::units::{self, Price};
pub use sonm_primitives::{market::Side, IdentityLevel};
use std::fmt;

/// The most bytes a tag holds.
pub const MAX_TAG_LEN: usize = 32;

/// How a benchmark's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum BenchmarkKind {
	/// A plain number (a score, a count, a hash rate).
	Number,
	/// Bytes, with a size unit (`2 GiB`).
	Size,
	/// Bits per second, with a bandwidth unit (`100 Mbit/s`).
	Bandwidth,
}

/// The standard benchmarks by index: name and how the value is written.
pub const BENCHMARKS: [(&str, BenchmarkKind); 12] = [
	("cpu-sysbench-multi", BenchmarkKind::Number),
	("cpu-sysbench-single", BenchmarkKind::Number),
	("cpu-cores", BenchmarkKind::Number),
	("ram-size", BenchmarkKind::Size),
	("storage-size", BenchmarkKind::Size),
	("net-download", BenchmarkKind::Bandwidth),
	("net-upload", BenchmarkKind::Bandwidth),
	("gpu-count", BenchmarkKind::Number),
	("gpu-mem", BenchmarkKind::Size),
	("gpu-eth-hashrate", BenchmarkKind::Number),
	("gpu-cash-hashrate", BenchmarkKind::Number),
	("gpu-redshift", BenchmarkKind::Number),
];

/// A value of an order that is not one the chain takes, with the field it was given for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TermsError {
	/// The field as the form and the order file name it (`price`, `ram-size`, `tag`...).
	pub field: String,
	/// What is wrong, for people.
	pub message: String,
	/// Whether the field was left empty (rather than given a wrong value).
	pub missing: bool,
}

impl TermsError {
	fn new(field: &str, message: impl Into<String>) -> Self {
		Self { field: field.to_owned(), message: message.into(), missing: false }
	}

	fn missing(field: &str) -> Self {
		Self { missing: true, ..Self::new(field, format!("{field} is required")) }
	}
}

impl fmt::Display for TermsError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		f.write_str(&self.message)
	}
}

impl std::error::Error for TermsError {}

/// An order ready to be placed (accounts still as the user wrote them). In JSON (for the web
/// console) amounts and benchmarks are decimal strings, as no JavaScript number holds them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderSpec {
	pub side: Side,
	pub price: Price,
	/// Seconds; 0 for spot.
	pub duration: u64,
	pub counterparty: Option<String>,
	pub min_identity: IdentityLevel,
	pub curator: Option<String>,
	pub tag: String,
	#[serde(serialize_with = "decimal_strings")]
	#[cfg_attr(feature = "schemars", schemars(with = "[String; 12]"))]
	pub benchmarks: [u64; 12],
	pub netflags: u8,
	/// Seconds from now.
	pub expires_in: Option<u64>,
}

fn decimal_strings<S: serde::Serializer>(values: &[u64; 12], to: S) -> Result<S::Ok, S::Error> {
	to.collect_seq(values.iter().map(u64::to_string))
}

/// An order as written: every field as text, in human units, as the CLI's flags, an order
/// file and the web console's form give it. Empty optional fields are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderForm {
	/// `ask` or `bid` (also `sell`/`buy`).
	pub side: Option<String>,
	/// `2.5 USD/h`, `0.1 SNM/s`...
	pub price: Option<String>,
	/// `8h`, `1h30m`; `0` or `spot` for a spot deal.
	pub duration: Option<String>,
	/// Only this account (address, keystore or dev name).
	pub counterparty: Option<String>,
	/// The least KYC level of the counterparty.
	pub identity: Option<String>,
	/// Also apply this curator's blacklist.
	pub blacklist: Option<String>,
	/// At most [`MAX_TAG_LEN`] bytes.
	pub tag: Option<String>,
	/// How long the order stays on the book.
	pub expires_in: Option<String>,
	/// Network switches.
	pub overlay: bool,
	pub outbound: bool,
	pub incoming: bool,
	/// Resources by benchmark name (`cpu-cores`, `ram-size`...), each with its value as text
	/// (`4`, `2 GiB`, `100 Mbit/s`); missing ones are 0.
	pub resources: Vec<(String, String)>,
}

impl OrderForm {
	/// Reads and checks every field; the first wrong one is named.
	pub fn parse(&self) -> Result<OrderSpec, TermsError> {
		let required = |value: &Option<String>, field: &str| {
			value
				.as_deref()
				.map(str::trim)
				.filter(|text| !text.is_empty())
				.map(str::to_owned)
				.ok_or_else(|| TermsError::missing(field))
		};
		let present = |value: &Option<String>| {
			value
				.as_deref()
				.map(str::trim)
				.filter(|text| !text.is_empty())
				.map(str::to_owned)
		};
		let side = parse_side(&required(&self.side, "side")?)?;
		let price = parse_price(&required(&self.price, "price")?)?;
		let duration = parse_duration("duration", &required(&self.duration, "duration")?)?;
		let mut benchmarks = [0u64; 12];
		for (name, value) in &self.resources {
			if value.trim().is_empty() {
				continue;
			}
			let (index, value) = parse_benchmark(name.trim(), value)?;
			benchmarks[index] = value;
		}
		let tag = self.tag.clone().unwrap_or_default();
		check_tag(&tag)?;
		Ok(OrderSpec {
			side,
			price,
			duration,
			counterparty: present(&self.counterparty),
			min_identity: present(&self.identity)
				.map(|text| parse_identity(&text))
				.transpose()?
				.unwrap_or_default(),
			curator: present(&self.blacklist),
			tag,
			benchmarks,
			netflags: netflags(self.overlay, self.outbound, self.incoming),
			expires_in: present(&self.expires_in)
				.map(|text| parse_duration("expires-in", &text))
				.transpose()?,
		})
	}
}

/// Reads a side: `ask`/`bid` (also `sell`/`buy`), in any case.
pub fn parse_side(text: &str) -> Result<Side, TermsError> {
	text.parse()
		.map_err(|e: sonm_primitives::names::UnknownName| TermsError::new("side", e.to_string()))
}

/// Reads an identity level by name (`anonymous` ... `professional`), in any case.
pub fn parse_identity(text: &str) -> Result<IdentityLevel, TermsError> {
	text.parse().map_err(|e: sonm_primitives::names::UnknownName| {
		TermsError::new("identity", e.to_string())
	})
}

/// Reads benchmark `name`'s value from text in its kind's units; returns its standard index and
/// the value.
pub fn parse_benchmark(name: &str, text: &str) -> Result<(usize, u64), TermsError> {
	let (index, (_, kind)) = BENCHMARKS
		.iter()
		.enumerate()
		.find(|(_, (known, _))| *known == name)
		.ok_or_else(|| {
		TermsError::new(
			name,
			format!(
				"unknown resource {name:?}; the resources are {}",
				BENCHMARKS.map(|(name, _)| name).join(", ")
			),
		)
	})?;
	let parsed = match kind {
		BenchmarkKind::Number => text
			.trim()
			.parse::<u64>()
			.map_err(|_| format!("{text:?} is not a whole number")),
		BenchmarkKind::Size => units::parse_size(text).map_err(|e| e.to_string()),
		BenchmarkKind::Bandwidth => units::parse_bandwidth(text).map_err(|e| e.to_string()),
	};
	parsed
		.map(|value| (index, value))
		.map_err(|reason| TermsError::new(name, format!("{name}: {reason}")))
}

/// Reads a price, naming the field when it is wrong.
pub fn parse_price(text: &str) -> Result<Price, TermsError> {
	units::parse_price(text).map_err(|e| TermsError::new("price", format!("price: {e}")))
}

/// Reads a duration, naming the field when it is wrong.
pub fn parse_duration(field: &str, text: &str) -> Result<u64, TermsError> {
	units::parse_duration(text).map_err(|e| TermsError::new(field, format!("{field}: {e}")))
}

/// Checks a tag's length.
pub fn check_tag(tag: &str) -> Result<(), TermsError> {
	if tag.len() > MAX_TAG_LEN {
		return Err(TermsError::new(
			"tag",
			format!("tag {tag:?} is {} bytes; a tag holds at most {MAX_TAG_LEN}", tag.len()),
		));
	}
	Ok(())
}

/// Network flag bits from the three switches.
pub fn netflags(overlay: bool, outbound: bool, incoming: bool) -> u8 {
	u8::from(overlay) | (u8::from(outbound) << 1) | (u8::from(incoming) << 2)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn form(side: &str, price: &str, duration: &str) -> OrderForm {
		OrderForm {
			side: Some(side.into()),
			price: Some(price.into()),
			duration: Some(duration.into()),
			..OrderForm::default()
		}
	}

	#[test]
	fn a_form_reads_like_an_order_file() {
		let mut ask = form("ask", "2.5 USD/h", "8h");
		ask.identity = Some("registered".into());
		ask.tag = Some("render-farm".into());
		ask.expires_in = Some("1d".into());
		ask.overlay = true;
		ask.outbound = true;
		ask.counterparty = Some(" ".into());
		ask.resources = vec![
			("cpu-cores".into(), "4".into()),
			("ram-size".into(), "2 GiB".into()),
			("gpu-mem".into(), "".into()),
		];
		let spec = ask.parse().unwrap();
		assert_eq!(spec.side, Side::Ask);
		assert_eq!(spec.price, units::parse_price("2.5 USD/h").unwrap());
		assert_eq!(spec.duration, 8 * 3600);
		assert_eq!(spec.min_identity, IdentityLevel::Registered);
		assert_eq!(spec.expires_in, Some(86_400));
		assert_eq!(spec.netflags, 3);
		assert_eq!(spec.counterparty, None, "a blank field is absent");
		assert_eq!(spec.benchmarks[2], 4);
		assert_eq!(spec.benchmarks[3], 2 << 30);
		assert_eq!(spec.benchmarks[8], 0, "a blank resource is 0");
	}

	#[test]
	fn each_wrong_field_is_named() {
		let field = |form: OrderForm| form.parse().unwrap_err().field;
		assert_eq!(field(OrderForm::default()), "side");
		assert_eq!(field(form("ask", "", "1h")), "price");
		assert_eq!(field(form("ask", "1 EUR/h", "1h")), "price");
		assert_eq!(field(form("ask", "1 SNM/h", "1 week")), "duration");
		assert_eq!(field(form("rent", "1 SNM/h", "1h")), "side");
		let mut bad = form("bid", "1 SNM/h", "1h");
		bad.resources = vec![("ram-size".into(), "2 GHz".into())];
		assert_eq!(field(bad.clone()), "ram-size");
		bad.resources = vec![];
		bad.tag = Some("x".repeat(33));
		assert_eq!(field(bad.clone()), "tag");
		bad.tag = None;
		bad.identity = Some("famous".into());
		assert_eq!(field(bad), "identity");
	}
}
