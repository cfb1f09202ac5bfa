//! Chain integers back to what people read: SNM with decimals, prices per hour, durations,
//! times relative to the chain's clock, identity levels and network flags.

use crate::units::BASE_UNITS;

/// `digits / 10^18` with trailing zeros dropped: `1500000000000000000` -> `1.5`.
pub fn decimal(base_units: u128) -> String {
	let whole = base_units / BASE_UNITS;
	let fraction = base_units % BASE_UNITS;
	if fraction == 0 {
		return whole.to_string();
	}
	let fraction = format!("{fraction:018}");
	format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// An SNM amount: `1.5 SNM`, exact to the base unit.
pub fn snm(base_units: u128) -> String {
	format!("{} SNM", decimal(base_units))
}

/// A price per second as per hour, rounded to 6 decimals: `2.5 USD/h`. (Prices are stored per
/// second, rounded down, so the exact per-hour figure is rarely round.)
pub fn price(per_second: u128, unit: &str) -> String {
	let per_hour = per_second.saturating_mul(3_600);
	let micro = BASE_UNITS / 1_000_000;
	let rounded = per_hour.saturating_add(micro / 2) / micro * micro;
	format!("{} {}/h", decimal(rounded), unit.to_ascii_uppercase())
}

/// A duration: `8h`, `1h30m`, `45s`, `2d3h`; `spot` for 0 (a deal with no fixed end).
pub fn duration(seconds: u64) -> String {
	if seconds == 0 {
		return "spot".into();
	}
	span(seconds)
}

/// A non-zero span of seconds: `2d3h`, `1h30m`, `45s` (`0s` for zero).
fn span(seconds: u64) -> String {
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

#[cfg(test)]
mod tests {
	use super::*;
	use crate::units::{parse_duration, parse_price};

	#[test]
	fn amounts_keep_every_base_unit() {
		assert_eq!(snm(0), "0 SNM");
		assert_eq!(snm(1_500_000_000_000_000_000), "1.5 SNM");
		assert_eq!(snm(1), "0.000000000000000001 SNM");
		assert_eq!(snm(1_000_000 * BASE_UNITS), "1000000 SNM");
	}

	#[test]
	fn prices_read_back_as_they_were_written() {
		for text in ["2.5 USD/h", "1 SNM/h", "0.36 SNM/h", "90 USD/h"] {
			let parsed = parse_price(text).unwrap();
			let unit = if text.contains("USD") { "USD" } else { "SNM" };
			assert_eq!(price(parsed.per_second, unit), text);
		}
		assert_eq!(price(1_000_000_000_000_000, "SNM"), "3.6 SNM/h");
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
}
