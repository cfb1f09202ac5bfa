//! Human units as people type them (the CLI, order files, the worker's configuration), to the
//! chain's integers: prices
//! (`2.5 USD/h`), durations (`8h`, `1h30m`), sizes (`2 GiB`), bandwidths (`100 Mbit/s`) and SNM
//! amounts (`1.5 SNM`). Decimal arithmetic only, rounded down, with a named error for
//! everything else.

use std::fmt;

/// Base units per SNM, and per USD in USD prices: 10^18.
pub const BASE_UNITS: u128 = 1_000_000_000_000_000_000;

/// A price per second in base units, as orders carry it.
pub type Price = sonm_primitives::market::Price<u128>;
pub use sonm_primitives::market::PriceUnit;

/// Why a text is not the quantity asked for.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum UnitError {
	/// Not a number where one is expected.
	NotANumber(String),
	/// A unit this quantity does not take; lists the ones it does.
	UnknownUnit { text: String, expected: &'static str },
	/// Positive, but below the smallest amount the chain represents.
	TooSmall(String),
	/// More than the chain represents.
	TooLarge(String),
}

impl fmt::Display for UnitError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			Self::NotANumber(text) => write!(f, "{text:?} is not a number"),
			Self::UnknownUnit { text, expected } => {
				write!(f, "{text:?} has no unit this takes; use one of {expected}")
			},
			Self::TooSmall(text) => {
				write!(f, "{text:?} is below the smallest amount the chain represents")
			},
			Self::TooLarge(text) => write!(f, "{text:?} is more than the chain represents"),
		}
	}
}

impl std::error::Error for UnitError {}

/// A non-negative decimal as `digits x 10^-scale`.
struct Decimal {
	digits: u128,
	scale: u32,
}

impl Decimal {
	/// `number`, the numeric part of `text`.
	fn parse(number: &str, text: &str) -> Result<Self, UnitError> {
		let not_a_number = || UnitError::NotANumber(text.trim().to_string());
		let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
		if whole.is_empty() && fraction.is_empty()
			|| !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
		{
			return Err(not_a_number());
		}
		let fraction = fraction.trim_end_matches('0');
		let digits = format!("{whole}{fraction}")
			.parse::<u128>()
			.map_err(|_| UnitError::TooLarge(text.to_string()))?;
		Ok(Self { digits, scale: fraction.len() as u32 })
	}

	/// `self x numerator / denominator`, rounded down.
	fn scaled(&self, numerator: u128, denominator: u128, text: &str) -> Result<u128, UnitError> {
		let too_large = || UnitError::TooLarge(text.to_string());
		let divisor = 10u128
			.checked_pow(self.scale)
			.and_then(|power| power.checked_mul(denominator))
			.ok_or_else(too_large)?;
		let product = self.digits.checked_mul(numerator).ok_or_else(too_large)?;
		Ok(product / divisor)
	}
}

/// Splits `2.5 USD/h` or `8h` into the number and the unit.
fn split(text: &str) -> (&str, &str) {
	let text = text.trim();
	let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
	(&text[..end], text[end..].trim())
}

/// `value unit` scaled by the unit's factor (`units`: name, numerator, denominator), rounded
/// down; zero only for a zero value.
fn quantity(
	text: &str,
	units: &[(&str, u128, u128)],
	expected: &'static str,
) -> Result<u128, UnitError> {
	let (number, unit) = split(text);
	if number.is_empty() {
		return Err(UnitError::NotANumber(text.trim().to_string()));
	}
	let (_, numerator, denominator) = units
		.iter()
		.find(|(name, _, _)| name.eq_ignore_ascii_case(unit))
		.ok_or_else(|| UnitError::UnknownUnit { text: text.to_string(), expected })?;
	let decimal = Decimal::parse(number, text)?;
	let value = decimal.scaled(*numerator, *denominator, text)?;
	if value == 0 && decimal.digits != 0 {
		return Err(UnitError::TooSmall(text.to_string()));
	}
	Ok(value)
}

/// A price: `<amount> SNM|USD / s|m|min|h|d`, e.g. `2.5 USD/h`, `0.001 SNM/s`.
pub fn parse_price(text: &str) -> Result<Price, UnitError> {
	const EXPECTED: &str = "SNM/s, SNM/m, SNM/h, SNM/d, USD/s, USD/m, USD/h, USD/d";
	let unknown = || UnitError::UnknownUnit { text: text.to_string(), expected: EXPECTED };
	let (number, unit) = split(text);
	if number.is_empty() {
		return Err(UnitError::NotANumber(text.trim().to_string()));
	}
	let (currency, period) = unit.split_once('/').ok_or_else(unknown)?;
	let unit: PriceUnit = currency.parse().map_err(|_| unknown())?;
	let seconds: u128 = match period.trim().to_ascii_lowercase().as_str() {
		"s" | "sec" => 1,
		"m" | "min" => 60,
		"h" | "hour" => 3_600,
		"d" | "day" => 86_400,
		_ => return Err(unknown()),
	};
	let decimal = Decimal::parse(number, text)?;
	let per_second = decimal.scaled(BASE_UNITS, seconds, text)?;
	if per_second == 0 {
		return Err(UnitError::TooSmall(text.to_string()));
	}
	Ok(Price { per_second, unit })
}

/// A duration in seconds: `90s`, `30m`, `8h`, `2d`, combinations like `1h30m`, or `0` / `spot`
/// for a spot deal.
pub fn parse_duration(text: &str) -> Result<u64, UnitError> {
	const EXPECTED: &str = "s, m, h, d (e.g. 8h, 1h30m), or 0 / spot";
	let trimmed = text.trim();
	if trimmed == "0" || trimmed.eq_ignore_ascii_case("spot") {
		return Ok(0);
	}
	let unknown = || UnitError::UnknownUnit { text: text.to_string(), expected: EXPECTED };
	let mut total: u64 = 0;
	let mut rest = trimmed;
	if rest.is_empty() {
		return Err(UnitError::NotANumber(text.to_string()));
	}
	while !rest.is_empty() {
		let end = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(unknown)?;
		if end == 0 {
			return Err(UnitError::NotANumber(text.to_string()));
		}
		let amount: u64 = rest[..end].parse().map_err(|_| UnitError::TooLarge(text.into()))?;
		let unit_end =
			rest[end..].find(|c: char| c.is_ascii_digit()).map_or(rest.len(), |i| end + i);
		let factor: u64 = match rest[end..unit_end].trim() {
			"s" => 1,
			"m" | "min" => 60,
			"h" => 3_600,
			"d" => 86_400,
			_ => return Err(unknown()),
		};
		total = amount
			.checked_mul(factor)
			.and_then(|seconds| total.checked_add(seconds))
			.ok_or_else(|| UnitError::TooLarge(text.to_string()))?;
		rest = &rest[unit_end..];
	}
	Ok(total)
}

/// A size in bytes: `B`, `kB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`,
/// `TiB` (powers of 1024), e.g. `2 GiB`, `1.5 GB`.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
	const K: u128 = 1_000;
	const KI: u128 = 1_024;
	let units = [
		("B", 1, 1),
		("kB", K, 1),
		("MB", K * K, 1),
		("GB", K * K * K, 1),
		("TB", K * K * K * K, 1),
		("KiB", KI, 1),
		("MiB", KI * KI, 1),
		("GiB", KI * KI * KI, 1),
		("TiB", KI * KI * KI * KI, 1),
	];
	let bytes = quantity(text, &units, "B, kB, MB, GB, TB, KiB, MiB, GiB, TiB")?;
	u64::try_from(bytes).map_err(|_| UnitError::TooLarge(text.to_string()))
}

/// A bandwidth in bit/s: `bit/s`, `kbit/s`, `Mbit/s`, `Gbit/s`, e.g. `100 Mbit/s`.
pub fn parse_bandwidth(text: &str) -> Result<u64, UnitError> {
	let units = [
		("bit/s", 1, 1),
		("kbit/s", 1_000, 1),
		("Mbit/s", 1_000_000, 1),
		("Gbit/s", 1_000_000_000, 1),
	];
	let bits = quantity(text, &units, "bit/s, kbit/s, Mbit/s, Gbit/s")?;
	u64::try_from(bits).map_err(|_| UnitError::TooLarge(text.to_string()))
}

/// A plain decimal number as price sources and amounts without a unit write it (`40`, `0.025`,
/// `2.5e-2`), in base units (x 10^18), rounded down.
pub fn parse_base_units(text: &str) -> Result<u128, UnitError> {
	let trimmed = text.trim();
	let not_a_number = || UnitError::NotANumber(trimmed.to_string());
	let too_large = || UnitError::TooLarge(trimmed.to_string());
	let (mantissa, exponent) = match trimmed.split_once(['e', 'E']) {
		Some((mantissa, exponent)) => {
			(mantissa, exponent.parse::<i64>().map_err(|_| not_a_number())?)
		},
		None => (trimmed, 0),
	};
	let decimal = Decimal::parse(mantissa, trimmed)?;
	// digits x 10^(exponent - scale + 18)
	let shift = exponent
		.checked_sub(i64::from(decimal.scale))
		.and_then(|shift| shift.checked_add(18))
		.ok_or_else(too_large)?;
	let power = |shift: i64| u32::try_from(shift).ok().and_then(|shift| 10u128.checked_pow(shift));
	let value = if shift >= 0 {
		power(shift)
			.and_then(|power| decimal.digits.checked_mul(power))
			.ok_or_else(too_large)?
	} else {
		power(-shift).map_or(0, |power| decimal.digits / power)
	};
	if value == 0 && decimal.digits != 0 {
		return Err(UnitError::TooSmall(trimmed.to_string()));
	}
	Ok(value)
}

/// An amount of SNM in base units: `1.5 SNM`.
pub fn parse_snm(text: &str) -> Result<u128, UnitError> {
	let snm = PriceUnit::Snm.name();
	quantity(text, &[(snm, BASE_UNITS, 1)], snm)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn prices_per_period_become_base_units_per_second_rounded_down() {
		assert_eq!(
			parse_price("2.5 USD/h"),
			Ok(Price { per_second: 694_444_444_444_444, unit: PriceUnit::Usd })
		);
		// 1 USD/hour = 1e18/3600 per second.
		assert_eq!(parse_price("1 USD/h").unwrap().per_second, BASE_UNITS / 3_600);
		assert_eq!(
			parse_price("0.001 SNM/s"),
			Ok(Price { per_second: 1_000_000_000_000_000, unit: PriceUnit::Snm })
		);
		assert_eq!(parse_price("0.5usd/d").unwrap().per_second, 5_787_037_037_037);
		assert_eq!(parse_price("60 SNM/min").unwrap().per_second, BASE_UNITS);
	}

	#[test]
	fn bad_prices_are_refused_by_name() {
		assert!(matches!(parse_price("2.5 EUR/h"), Err(UnitError::UnknownUnit { .. })));
		assert!(matches!(parse_price("2.5 USD"), Err(UnitError::UnknownUnit { .. })));
		assert!(matches!(parse_price("2.5 USD/week"), Err(UnitError::UnknownUnit { .. })));
		assert_eq!(parse_price("abc USD/h"), Err(UnitError::NotANumber("abc USD/h".into())));
		assert_eq!(parse_price("-1 USD/h"), Err(UnitError::NotANumber("-1 USD/h".into())));
		assert_eq!(parse_price("1.2.3 USD/h"), Err(UnitError::NotANumber("1.2.3 USD/h".into())));
		assert_eq!(parse_price("0 USD/h"), Err(UnitError::TooSmall("0 USD/h".into())));
		assert_eq!(
			parse_price("0.000000000000000001 SNM/h"),
			Err(UnitError::TooSmall("0.000000000000000001 SNM/h".into()))
		);
		let message = parse_price("2.5 EUR/h").unwrap_err().to_string();
		assert!(message.contains("USD/h"), "{message}");
	}

	#[test]
	fn durations_combine_units_and_spot_is_zero() {
		assert_eq!(parse_duration("8h"), Ok(8 * 3_600));
		assert_eq!(parse_duration("1h30m"), Ok(5_400));
		assert_eq!(parse_duration("90s"), Ok(90));
		assert_eq!(parse_duration("2d"), Ok(172_800));
		assert_eq!(parse_duration("45min"), Ok(2_700));
		assert_eq!(parse_duration("spot"), Ok(0));
		assert_eq!(parse_duration("0"), Ok(0));
		for bad in ["8", "h", "8 hours", "1.5h", "", "-1h"] {
			assert!(parse_duration(bad).is_err(), "{bad:?}");
		}
		assert_eq!(
			parse_duration("99999999999999999999d"),
			Err(UnitError::TooLarge("99999999999999999999d".into()))
		);
	}

	#[test]
	fn sizes_take_decimal_and_binary_prefixes() {
		assert_eq!(parse_size("2 GiB"), Ok(2 * 1_024 * 1_024 * 1_024));
		assert_eq!(parse_size("1.5 GB"), Ok(1_500_000_000));
		assert_eq!(parse_size("512MiB"), Ok(512 * 1_024 * 1_024));
		assert_eq!(parse_size("100 B"), Ok(100));
		assert!(matches!(parse_size("2 GiBs"), Err(UnitError::UnknownUnit { .. })));
		assert!(matches!(parse_size("2"), Err(UnitError::UnknownUnit { .. })));
		assert_eq!(parse_size("GiB"), Err(UnitError::NotANumber("GiB".into())));
		assert_eq!(parse_size("0.1 B"), Err(UnitError::TooSmall("0.1 B".into())));
		assert_eq!(parse_size("99999999 TiB"), Err(UnitError::TooLarge("99999999 TiB".into())));
	}

	#[test]
	fn plain_decimals_become_base_units_without_rounding_up() {
		assert_eq!(parse_base_units("40"), Ok(40 * BASE_UNITS));
		assert_eq!(parse_base_units("0.025"), Ok(25_000_000_000_000_000));
		assert_eq!(parse_base_units("2.5e-2"), Ok(25_000_000_000_000_000));
		assert_eq!(parse_base_units("1E2"), Ok(100 * BASE_UNITS));
		assert_eq!(parse_base_units("1e-18"), Ok(1));
		assert_eq!(parse_base_units("0"), Ok(0));
		assert_eq!(parse_base_units("1e-19"), Err(UnitError::TooSmall("1e-19".into())));
		assert_eq!(parse_base_units("1e-99999"), Err(UnitError::TooSmall("1e-99999".into())));
		assert_eq!(parse_base_units("0.1234567890123456789"), Ok(123_456_789_012_345_678));
		assert_eq!(parse_base_units("1e400"), Err(UnitError::TooLarge("1e400".into())));
		for bad in ["", ".", "-1", "abc", "1.2.3", "NaN", "1e", "e5", "1e2.5"] {
			assert!(
				matches!(parse_base_units(bad), Err(UnitError::NotANumber(_))),
				"{bad:?}: {:?}",
				parse_base_units(bad)
			);
		}
	}

	#[test]
	fn bandwidths_and_amounts() {
		assert_eq!(parse_bandwidth("100 Mbit/s"), Ok(100_000_000));
		assert_eq!(parse_bandwidth("1.2 Gbit/s"), Ok(1_200_000_000));
		assert!(matches!(parse_bandwidth("100 MB/s"), Err(UnitError::UnknownUnit { .. })));
		assert_eq!(parse_snm("1.5 SNM"), Ok(1_500_000_000_000_000_000));
		assert_eq!(parse_snm("0 SNM"), Ok(0));
		assert!(matches!(parse_snm("1.5"), Err(UnitError::UnknownUnit { .. })));
	}
}
