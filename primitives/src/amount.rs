//! Amounts in JSON as decimal strings of base units: a `u128` exceeds what JSON numbers hold
//! exactly. `#[serde(with = "sonm_primitives::amount")]` on a field; [`option`] for an
//! optional one (`null` when absent).

use alloc::string::{String, ToString};
use core::{fmt::Display, str::FromStr};
use serde::{de::Error, Deserialize, Deserializer, Serializer};

/// Writes the amount as a decimal string.
pub fn serialize<T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
	serializer.serialize_str(&value.to_string())
}

/// Reads a decimal string.
pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
	let text = String::deserialize(deserializer)?;
	text.parse()
		.map_err(|_| D::Error::custom(alloc::format!("{text:?} is not an amount")))
}

/// The same for an optional amount.
pub mod option {
	use core::{fmt::Display, str::FromStr};
	use serde::{Deserialize, Deserializer, Serializer};

	/// Writes the amount as a decimal string, or null.
	pub fn serialize<T: Display, S: Serializer>(
		value: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(value) => super::serialize(value, serializer),
			None => serializer.serialize_none(),
		}
	}

	/// Reads a decimal string or null.
	pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
		deserializer: D,
	) -> Result<Option<T>, D::Error> {
		#[derive(Deserialize)]
		#[serde(bound = "T: FromStr")]
		struct Amount<T: FromStr>(#[serde(with = "super")] T);
		Ok(Option::<Amount<T>>::deserialize(deserializer)?.map(|Amount(value)| value))
	}
}
