//! The chain's enums by name, as people type and read them and as JSON carries them: one
//! `Display` and one `FromStr` per enum ([`named!`]), so that no program spells a variant as a
//! string of its own. Parsing ignores case and takes a few aliases (`buy` for `Bid`).

use alloc::{string::String, vec::Vec};
use core::fmt;

/// A text that names none of an enum's variants.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct UnknownName {
	/// What was being named: `side`, `price unit`, `identity level`...
	pub kind: &'static str,
	/// The text, as given.
	pub text: String,
	/// The names taken, comma-separated.
	pub expected: String,
}

impl fmt::Display for UnknownName {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "{:?} is not a {}; use one of {}", self.text, self.kind, self.expected)
	}
}

#[cfg(feature = "std")]
impl std::error::Error for UnknownName {}

/// The variant `text` names among `names` (case ignored, surrounding blanks trimmed).
pub fn parse<T: Copy>(
	kind: &'static str,
	text: &str,
	names: &[(&'static str, T)],
) -> Result<T, UnknownName> {
	let wanted = text.trim();
	names
		.iter()
		.find(|(name, _)| name.eq_ignore_ascii_case(wanted))
		.map(|(_, v)| *v)
		.ok_or_else(|| UnknownName {
			kind,
			text: text.into(),
			expected: names.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", "),
		})
}

/// `Display` (the first name of each variant) and `FromStr` (any of its names) for an enum.
#[macro_export]
macro_rules! named {
	($enum:ty, $kind:literal, { $($variant:path => [$name:literal $(, $alias:literal)*]),+ $(,)? }) => {
		impl $enum {
			/// Every name this enum is read from, the shown one first for each variant.
			pub const NAMES: &'static [(&'static str, $enum)] =
				&[$(($name, $variant), $(($alias, $variant),)*)+];

			/// The name it is shown by.
			pub const fn name(&self) -> &'static str {
				match self {
					$($variant => $name,)+
				}
			}
		}

		impl core::fmt::Display for $enum {
			fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
				f.write_str(self.name())
			}
		}

		impl core::str::FromStr for $enum {
			type Err = $crate::names::UnknownName;

			fn from_str(text: &str) -> Result<Self, Self::Err> {
				$crate::names::parse($kind, text, Self::NAMES)
			}
		}
	};
}

#[cfg(test)]
mod tests {
	use crate::{gatekeeper::DepositStatus, market::*, Currency, IdentityLevel};
	use core::str::FromStr;

	#[test]
	fn every_name_reads_back_to_its_variant_whatever_its_case() {
		for (name, side) in Side::NAMES {
			assert_eq!(Side::from_str(name).unwrap(), *side);
			assert_eq!(Side::from_str(&name.to_uppercase()).unwrap(), *side);
		}
		for level in [
			IdentityLevel::Anonymous,
			IdentityLevel::Registered,
			IdentityLevel::Identified,
			IdentityLevel::Professional,
		] {
			assert_eq!(IdentityLevel::from_str(&level.to_string().to_lowercase()).unwrap(), level);
		}
		assert_eq!(PriceUnit::from_str(" usd ").unwrap(), PriceUnit::Usd);
		assert_eq!(PriceUnit::Snm.to_string(), "SNM");
		assert_eq!(Side::from_str("sell").unwrap(), Side::Ask);
		assert_eq!(Side::Bid.to_string(), "Bid");
		assert_eq!(Currency::from_str("usd").unwrap(), Currency::Usd);
		assert_eq!(Currency::Usd.to_string(), "USD");
		assert_eq!(OrderStatus::from_str("expired").unwrap(), OrderStatus::Expired);
		assert_eq!(DepositStatus::Minted.to_string(), "minted");
	}

	#[test]
	fn unknown_names_are_refused_with_the_names_taken() {
		let error = Side::from_str("lend").unwrap_err();
		assert_eq!(error.to_string(), r#""lend" is not a side; use one of Bid, buy, Ask, sell"#);
		let error = IdentityLevel::from_str("").unwrap_err();
		assert!(error.to_string().contains("Anonymous, Registered, Identified, Professional"));
	}
}
