//! Chain integers back to what people read: SNM with decimals, prices per hour, durations,
//! times relative to the chain's clock, identity levels and network flags.
//!
//! **Amounts people read** are rounded to [`SHOWN_DECIMALS`] decimals (a micro-SNM), marked
//! `~` when the rounding changed them (`~1.2 SNM` for 1.1999999999999998) and `<0.000001` when
//! they are not zero but round to it; `sonm --exact` shows every base unit, and JSON output
//! (`-o json`) always carries exact base units. A price typed per hour is stored per second,
//! rounded down, so the amounts it makes are rarely round in base units.

use crate::units::{Price, BASE_UNITS};
use std::sync::atomic::{AtomicBool, Ordering};

/// Decimals an amount is shown with, unless `--exact`.
pub const SHOWN_DECIMALS: u32 = 6;

/// Whether amounts are shown to the base unit (`sonm --exact`); set once by the program at
/// its start.
static EXACT: AtomicBool = AtomicBool::new(false);

/// Shows amounts exact to the base unit from now on (`--exact`), or rounded.
pub fn show_exact_amounts(exact: bool) {
	EXACT.store(exact, Ordering::Relaxed);
}

/// An amount of base units in SNM (or USD) for people: exact with `--exact`, else rounded to
/// [`SHOWN_DECIMALS`] decimals and marked when rounded (see the module's rule).
pub fn decimal(base_units: u128) -> String {
	shown_decimal(base_units, EXACT.load(Ordering::Relaxed))
}

/// `base_units` as [`decimal`] shows it with `--exact` given or not.
pub fn shown_decimal(base_units: u128, exact: bool) -> String {
	if exact {
		exact_decimal(base_units)
	} else {
		rounded_decimal(base_units)
	}
}

/// `base_units` rounded half up to [`SHOWN_DECIMALS`] decimals: `~` in front when that changed
/// the value, `<0.000001` for a non-zero amount that rounds to zero.
pub fn rounded_decimal(base_units: u128) -> String {
	let step = BASE_UNITS / 10u128.pow(SHOWN_DECIMALS);
	if base_units.is_multiple_of(step) {
		return exact_decimal(base_units);
	}
	let rounded = base_units.saturating_add(step / 2) / step * step;
	if rounded == 0 {
		return format!("<{}", exact_decimal(step));
	}
	format!("~{}", exact_decimal(rounded))
}

/// `digits / 10^18` with trailing zeros dropped, every base unit kept:
/// `1500000000000000000` -> `1.5`.
pub fn exact_decimal(base_units: u128) -> String {
	let whole = base_units / BASE_UNITS;
	let fraction = base_units % BASE_UNITS;
	if fraction == 0 {
		return whole.to_string();
	}
	let fraction = format!("{fraction:018}");
	format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// An SNM amount: `1.5 SNM`, `~1.2 SNM` (see [`decimal`]).
pub fn snm(base_units: u128) -> String {
	format!("{} SNM", decimal(base_units))
}

/// A price per second as per hour, rounded to 6 decimals: `2.5 USD/h`. (Prices are stored per
/// second, rounded down, so the exact per-hour figure is rarely round.)
pub fn price(price: Price) -> String {
	let per_hour = price.per_second.saturating_mul(3_600);
	let micro = BASE_UNITS / 1_000_000;
	let rounded = per_hour.saturating_add(micro / 2) / micro * micro;
	format!("{} {}/h", exact_decimal(rounded), price.unit)
}

/// A duration: `8h`, `1h30m`, `45s`, `2d3h`; `spot` for 0 (a deal with no fixed end).
pub fn duration(seconds: u64) -> String {
	if seconds == 0 {
		return "spot".into();
	}
	span(seconds)
}

/// A span of seconds: `2d3h`, `1h30m`, `45s` (`0s` for zero): time used or elapsed, where
/// [`duration`]'s `spot` for 0 would be wrong.
pub fn span(seconds: u64) -> String {
	let mut out = String::new();
	let mut rest = seconds;
	for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
		if rest >= size {
			out.push_str(&format!("{}{unit}", rest / size));
			rest %= size;
		}
	}
	if out.is_empty() {
		out.push_str("0s");
	}
	out
}

/// `at` relative to `now` (unix seconds): `in 7h59m`, `3m ago`, `now`.
pub fn relative(at: u64, now: u64) -> String {
	match at.cmp(&now) {
		std::cmp::Ordering::Equal => "now".into(),
		std::cmp::Ordering::Greater => format!("in {}", span(at - now)),
		std::cmp::Ordering::Less => format!("{} ago", span(now - at)),
	}
}

/// Network flags by name: `overlay, outbound`; `none` for 0.
pub fn netflags(flags: u8) -> String {
	let names: Vec<&str> = [(1, "overlay"), (2, "outbound"), (4, "incoming")]
		.into_iter()
		.filter(|(bit, _)| flags & bit != 0)
		.map(|(_, name)| name)
		.collect();
	if names.is_empty() {
		"none".into()
	} else {
		names.join(", ")
	}
}

/// A size in bytes, in the largest binary unit it reaches (`32 GiB`, `1.5 GiB`), or in decimal
/// units when that is whole there and the binary one is not (`500 GB`); `100 B` below a KiB.
pub fn size(bytes: u64) -> String {
	let binary = [("TiB", 1u64 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
	let decimal = [("TB", 1_000_000_000_000u64), ("GB", 1_000_000_000), ("MB", 1_000_000)];
	let Some((name, factor)) = binary.into_iter().find(|(_, factor)| bytes >= *factor) else {
		return format!("{bytes} B");
	};
	if !bytes.is_multiple_of(factor) {
		if let Some((name, factor)) = decimal
			.into_iter()
			.find(|(_, factor)| bytes >= *factor && bytes.is_multiple_of(*factor))
		{
			return format!("{} {name}", bytes / factor);
		}
	}
	format!("{} {name}", trimmed_ratio(bytes, factor))
}

/// A bandwidth in bit/s: `100 Mbit/s`.
pub fn bandwidth(bits: u64) -> String {
	for (name, factor) in [("Gbit/s", 1_000_000_000u64), ("Mbit/s", 1_000_000), ("kbit/s", 1_000)] {
		if bits >= factor {
			return format!("{} {name}", trimmed_ratio(bits, factor));
		}
	}
	format!("{bits} bit/s")
}

/// `value / factor` with up to two decimals, trailing zeros dropped.
fn trimmed_ratio(value: u64, factor: u64) -> String {
	let hundredths = u128::from(value) * 100 / u128::from(factor);
	let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
	text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A shortened address for tables: `5Grw…utQY`.
pub fn short(address: &str) -> String {
	if address.len() <= 12 {
		return address.to_owned();
	}
	format!("{}…{}", &address[..4], &address[address.len() - 4..])
}

/// A UTC date and time from unix seconds: `2026-12-05 04:12`.
pub fn utc(t: u64) -> String {
	let (year, month, day) = civil_from_days((t / 86_400) as i64);
	let seconds = t % 86_400;
	format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", seconds / 3_600, seconds % 3_600 / 60)
}

/// The date (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
	let z = days + 719_468;
	let era = z.div_euclid(146_097);
	let doe = z.rem_euclid(146_097);
	let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
	let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
	(yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::units::{parse_duration, parse_price};

	#[test]
	fn exact_amounts_keep_every_base_unit() {
		assert_eq!(exact_decimal(0), "0");
		assert_eq!(exact_decimal(1_500_000_000_000_000_000), "1.5");
		assert_eq!(exact_decimal(1), "0.000000000000000001");
		assert_eq!(exact_decimal(1_000_000 * BASE_UNITS), "1000000");
		assert_eq!(exact_decimal(1_199_999_999_999_999_800), "1.1999999999999998");
	}

	#[test]
	fn amounts_people_read_are_rounded_and_say_so() {
		// What a bid of 0.4 SNM/h for 30 minutes holds: 111,111,111,111,111 base units a
		// second (0.4 SNM/h rounded down) times 1,800 s, plus a 1-SNM deposit.
		let held = 111_111_111_111_111u128 * 1_800 + 1_000_000_000_000_000_000;
		assert_eq!(rounded_decimal(held), "~1.2");
		assert_eq!(rounded_decimal(0), "0");
		assert_eq!(rounded_decimal(1_500_000_000_000_000_000), "1.5", "round stays unmarked");
		assert_eq!(rounded_decimal(1_000_000 * BASE_UNITS), "1000000");
		assert_eq!(rounded_decimal(1_000_000_000_000), "0.000001", "the last shown decimal");
		assert_eq!(rounded_decimal(1), "<0.000001", "not zero, but below what is shown");
		assert_eq!(rounded_decimal(499_999_999_999), "<0.000001");
		assert_eq!(rounded_decimal(500_000_000_000), "~0.000001", "half rounds up");
		assert_eq!(rounded_decimal(999_999_600_000_000_000), "~1", "a carry into the whole");
		assert_eq!(rounded_decimal(2_000_000_400_000_000_000), "~2");
		assert_eq!(rounded_decimal(u128::MAX), "~340282366920938463463.374607", "no overflow");
	}

	#[test]
	fn prices_read_back_as_they_were_written() {
		for text in ["2.5 USD/h", "1 SNM/h", "0.36 SNM/h", "90 USD/h"] {
			assert_eq!(price(parse_price(text).unwrap()), text);
		}
		let snm = crate::units::PriceUnit::Snm;
		assert_eq!(price(Price { per_second: 1_000_000_000_000_000, unit: snm }), "3.6 SNM/h");
	}

	#[test]
	fn durations_and_relative_times() {
		assert_eq!(duration(0), "spot");
		for text in ["8h", "1h30m", "45s", "2d3h", "1d0h1s"] {
			let seconds = parse_duration(text).unwrap();
			assert_eq!(parse_duration(&duration(seconds)).unwrap(), seconds);
		}
		assert_eq!(duration(5_400), "1h30m");
		assert_eq!(relative(1_000 + 28_740, 1_000), "in 7h59m");
		assert_eq!(relative(1_000, 1_180), "3m ago");
		assert_eq!(relative(5, 5), "now");
	}

	#[test]
	fn flags_sizes_and_addresses() {
		assert_eq!(netflags(0), "none");
		assert_eq!(netflags(3), "overlay, outbound");
		assert_eq!(netflags(4), "incoming");
		assert_eq!(size(2 << 30), "2 GiB");
		assert_eq!(size(1_610_612_736), "1.5 GiB");
		assert_eq!(size(100), "100 B");
		assert_eq!(size(500_000_000_000), "500 GB");
		assert_eq!(size(32 << 30), "32 GiB");
		assert_eq!(size(1_234_567_890), "1.14 GiB");
		assert_eq!(bandwidth(100_000_000), "100 Mbit/s");
		assert_eq!(short("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), "5Grw…utQY");
	}

	#[test]
	fn utc_dates_read_as_a_calendar_does() {
		assert_eq!(utc(0), "1970-01-01 00:00");
		assert_eq!(utc(1_796_443_961), "2026-12-05 04:12");
		assert_eq!(utc(1_709_251_199), "2024-02-29 23:59");
	}
}
