//! Price sources: HTTP endpoints answering JSON, a JSON pointer to the number in the answer,
//! and which way the number is quoted. Amounts are decimal, converted to SNM base units (18
//! decimals) without floating point.

use sonm_client::units::{parse_base_units, BASE_UNITS};
use std::{fmt, str::FromStr};

/// How a source quotes the price.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Quote {
	/// SNM per one unit of the currency (what the chain takes).
	SnmPerUnit,
	/// Units of the currency per one SNM (what exchanges usually show): inverted.
	UnitPerSnm,
}

/// One place to read a price from.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Source {
	/// An `http://` or `https://` URL answering JSON.
	pub url: String,
	/// A JSON pointer (RFC 6901) to the price in the answer, e.g. `/sonm/usd`.
	pub pointer: String,
	pub quote: Quote,
}

/// Why a source or its answer is no use.
#[derive(Debug, Eq, PartialEq)]
pub enum SourceError {
	/// The source is not `URL#/pointer`.
	BadSpec(String),
	/// The answer has nothing at the pointer.
	Missing(String),
	/// What is at the pointer is not a positive decimal number.
	NotAPrice(String),
}

impl fmt::Display for SourceError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			Self::BadSpec(spec) => write!(
				f,
				"source {spec:?} is not URL#/json/pointer with an http:// or https:// URL"
			),
			Self::Missing(pointer) => write!(f, "the answer has no value at {pointer}"),
			Self::NotAPrice(value) => write!(f, "{value} is not a positive decimal price"),
		}
	}
}

impl std::error::Error for SourceError {}

impl Source {
	/// Parses `URL#/pointer` quoted as `quote`.
	pub fn parse(spec: &str, quote: Quote) -> Result<Self, SourceError> {
		let bad = || SourceError::BadSpec(spec.to_string());
		let (url, pointer) = spec.rsplit_once('#').ok_or_else(bad)?;
		if !(url.starts_with("http://") || url.starts_with("https://")) || !pointer.starts_with('/')
		{
			return Err(bad());
		}
		Ok(Self { url: url.to_string(), pointer: pointer.to_string(), quote })
	}

	/// The price in `answer`, in SNM base units per one unit of the currency.
	pub fn price_in(&self, answer: &serde_json::Value) -> Result<u128, SourceError> {
		let value = answer
			.pointer(&self.pointer)
			.ok_or_else(|| SourceError::Missing(self.pointer.clone()))?;
		let text = match value {
			serde_json::Value::Number(number) => number.to_string(),
			serde_json::Value::String(text) => text.clone(),
			other => return Err(SourceError::NotAPrice(other.to_string())),
		};
		let units = parse_decimal(&text).ok_or(SourceError::NotAPrice(text.clone()))?;
		match self.quote {
			Quote::SnmPerUnit => Ok(units),
			// 1 / (units / 10^18) SNM = 10^36 / units base units.
			Quote::UnitPerSnm => Ok(BASE_UNITS * BASE_UNITS / units),
		}
	}
}

impl FromStr for Source {
	type Err = SourceError;

	fn from_str(spec: &str) -> Result<Self, Self::Err> {
		Self::parse(spec, Quote::SnmPerUnit)
	}
}

/// A positive decimal (`40`, `0.025`, `2.5e-2`) in units of 10^-18, rounded down
/// (`sonm_client::units`); `None` for anything else, zero and what does not fit.
pub fn parse_decimal(text: &str) -> Option<u128> {
	parse_base_units(text).ok().filter(|units| *units > 0)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn prices_are_positive_decimals() {
		assert_eq!(parse_decimal("2.5e-2"), Some(25_000_000_000_000_000));
		for bad in ["", "-1", "0", "abc", "1e-19", "1e400"] {
			assert_eq!(parse_decimal(bad), None, "{bad:?}");
		}
	}

	#[test]
	fn sources_are_a_url_and_a_json_pointer() {
		let source: Source = "https://api.example/simple/price?ids=sonm#/sonm/usd".parse().unwrap();
		assert_eq!(source.url, "https://api.example/simple/price?ids=sonm");
		assert_eq!(source.pointer, "/sonm/usd");
		for bad in ["api.example#/x", "https://api.example", "https://api.example#x"] {
			assert_eq!(bad.parse::<Source>(), Err(SourceError::BadSpec(bad.into())), "{bad}");
		}
	}

	#[test]
	fn prices_are_read_at_the_pointer_and_inverted_when_quoted_per_snm() {
		let direct = Source::parse("http://x#/snm_per_usd", Quote::SnmPerUnit).unwrap();
		assert_eq!(direct.price_in(&json!({ "snm_per_usd": 40 })), Ok(40 * BASE_UNITS));
		assert_eq!(
			direct.price_in(&json!({ "snm_per_usd": "40.5" })),
			Ok(40_500_000_000_000_000_000)
		);
		let inverse = Source::parse("http://x#/sonm/usd", Quote::UnitPerSnm).unwrap();
		// 0.025 USD per SNM is 40 SNM per USD.
		assert_eq!(inverse.price_in(&json!({ "sonm": { "usd": 0.025 } })), Ok(40 * BASE_UNITS));
		assert_eq!(
			inverse.price_in(&json!({ "sonm": {} })),
			Err(SourceError::Missing("/sonm/usd".into()))
		);
		assert_eq!(
			direct.price_in(&json!({ "snm_per_usd": [1] })),
			Err(SourceError::NotAPrice("[1]".into()))
		);
	}
}
