//! Periods of time as history and the price index group them: hours, days, weeks (from
//! Monday) and calendar months, in UTC.

/// The first second of the `period` holding unix time `t`.
pub fn period_start(t: u64, period: &str) -> u64 {
	const DAY: u64 = 86_400;
	match period {
		"hour" => t - t % 3_600,
		"day" => t - t % DAY,
		// 1970-01-05 was a Monday.
		"week" => {
			let monday = 4 * DAY;
			if t < monday {
				0
			} else {
				t - (t - monday) % (7 * DAY)
			}
		},
		_ => {
			let (year, month, _) = sonm_client::format::civil_from_days((t / DAY) as i64);
			(days_from_civil(year, month, 1) as u64) * DAY
		},
	}
}

/// Days since 1970-01-01 of a date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
	let year = if month <= 2 { year - 1 } else { year };
	let era = year.div_euclid(400);
	let yoe = year.rem_euclid(400);
	let month = i64::from(month);
	let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
	let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn periods_start_where_a_calendar_says() {
		// 2026-12-05 04:12:41 UTC, a Saturday.
		let t = 1_796_443_961;
		assert_eq!(period_start(t, "hour"), 1_796_443_200);
		assert_eq!(period_start(t, "day"), 1_796_428_800);
		assert_eq!(period_start(t, "week"), 1_796_428_800 - 5 * 86_400);
		assert_eq!(period_start(t, "month"), 1_796_083_200); // 2026-12-01
		assert_eq!(period_start(1_709_251_199, "month"), 1_706_745_600); // 2024-02-29 -> 02-01
		assert_eq!(period_start(0, "month"), 0);
	}
}
