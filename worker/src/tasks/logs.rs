//! A task's output as the customer reads it. The engine gives each line with its RFC 3339 UTC
//! timestamp (`2026-11-30T16:00:53.895214631Z hello`); the worker keeps that form (also for
//! removed tasks) and serves the text without the timestamps. A page is chosen by
//!
//! - `from`: a cursor, the byte offset in the text (without timestamps) to read on from. Every
//!   page returns `next`, the cursor after its last byte, so a follower that comes back with it,
//!   even after the worker restarted, gets every byte once, with no gap;
//! - `since`: only lines written at or after this unix time (seconds);
//! - `tail`: only the last this many lines of what the other two leave.

/// One line of output: when it was written (unix nanoseconds; 0 when the engine gave no time)
/// and its bytes with the newline, if it has one yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
	pub at_nanos: u128,
	pub text: &'a [u8],
}

/// Splits the engine's timestamped output into lines.
pub fn lines(timestamped: &[u8]) -> Vec<Line<'_>> {
	timestamped
		.split_inclusive(|byte| *byte == b'\n')
		.map(|raw| {
			let space = raw.iter().position(|byte| *byte == b' ');
			match space.and_then(|at| Some((parse_rfc3339(&raw[..at])?, at))) {
				Some((at_nanos, at)) => Line { at_nanos, text: &raw[at + 1..] },
				None => Line { at_nanos: 0, text: raw },
			}
		})
		.collect()
}

/// Which part of the output to serve (the protocol's log window).
pub use sonm_client::task_protocol::LogWindow as Window;

/// A page of output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
	/// The text (without timestamps).
	pub text: Vec<u8>,
	/// The cursor after the page: where the next read goes on from.
	pub next: usize,
}

/// The part of `lines` that `window` chooses.
pub fn page(lines: &[Line<'_>], window: Window) -> Page {
	let since = window.since.map(|seconds| u128::from(seconds) * 1_000_000_000);
	// (offset of the line in the text, the line)
	let mut chosen: Vec<(usize, &Line<'_>)> = Vec::new();
	let mut offset = 0;
	for line in lines {
		let end = offset + line.text.len();
		let recent = since.is_none_or(|since| line.at_nanos >= since);
		if end > window.from && recent {
			chosen.push((offset, line));
		}
		offset = end;
	}
	if let Some(tail) = window.tail {
		chosen.drain(..chosen.len().saturating_sub(tail));
	}
	let mut text = Vec::new();
	for (start, line) in chosen {
		// A cursor inside a line (the rest of a line still being written) skips what was read.
		let skip = window.from.saturating_sub(start).min(line.text.len());
		text.extend_from_slice(&line.text[skip..]);
	}
	Page { text, next: offset }
}

/// Unix nanoseconds of an RFC 3339 UTC time (`2026-11-30T16:00:53.895214631Z`), or `None`.
fn parse_rfc3339(text: &[u8]) -> Option<u128> {
	let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
	let (date, time) = text.split_once('T')?;
	let mut date = date.splitn(3, '-').map(|part| part.parse::<i64>().ok());
	let (year, month, day) = (date.next()??, date.next()??, date.next()??);
	let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
	let mut clock = clock.splitn(3, ':').map(|part| part.parse::<u64>().ok());
	let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
	if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
		return None;
	}
	let digits = fraction.get(..fraction.len().min(9))?;
	let nanos: u128 = if digits.is_empty() {
		0
	} else {
		digits.parse::<u128>().ok()? * 10u128.pow(9 - digits.len() as u32)
	};
	let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
	let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
	Some(u128::from(seconds) * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
	let year = if month <= 2 { year - 1 } else { year };
	let era = year.div_euclid(400);
	let year_of_era = year - era * 400;
	let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
	let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
	use super::*;

	const OUTPUT: &[u8] = b"2026-11-30T16:00:00.5Z one\n\
		2026-11-30T16:00:10Z two\n\
		2026-11-30T16:00:20.000000001Z three\n\
		2026-11-30T16:00:30Z fo";

	/// 2026-11-30T16:00:00Z.
	const T0: u64 = 1_796_054_400;

	fn read(window: Window) -> (String, usize) {
		let page = page(&lines(OUTPUT), window);
		(String::from_utf8(page.text).unwrap(), page.next)
	}

	#[test]
	fn timestamps_are_read_and_lines_without_one_kept_whole() {
		let parsed = lines(OUTPUT);
		assert_eq!(parsed.len(), 4);
		assert_eq!(parsed[0].at_nanos, u128::from(T0) * 1_000_000_000 + 500_000_000);
		assert_eq!(parsed[2].at_nanos, u128::from(T0 + 20) * 1_000_000_000 + 1);
		assert_eq!(parsed[3].text, b"fo");
		assert_eq!(parse_rfc3339(b"1970-01-01T00:00:00Z"), Some(0));
		assert_eq!(parse_rfc3339(b"2000-03-01T00:00:00Z"), Some(951_868_800 * 1_000_000_000));
		let plain = lines(b"no time here\n");
		assert_eq!(plain, vec![Line { at_nanos: 0, text: b"no time here\n" }]);
	}

	#[test]
	fn the_cursor_resumes_exactly_where_the_last_page_ended() {
		assert_eq!(read(Window::default()), ("one\ntwo\nthree\nfo".into(), 16));
		assert_eq!(read(Window { from: 4, ..Window::default() }), ("two\nthree\nfo".into(), 16));
		// Inside a line: the rest of it.
		assert_eq!(read(Window { from: 5, ..Window::default() }), ("wo\nthree\nfo".into(), 16));
		// At the end, or past it (a stale cursor): nothing, and the end.
		assert_eq!(read(Window { from: 16, ..Window::default() }), (String::new(), 16));
		assert_eq!(read(Window { from: 99, ..Window::default() }), (String::new(), 16));
		// Output read while it grows (half a line, then the rest) makes the whole text once.
		let mut cursor = 0;
		let mut whole = Vec::new();
		for written in [27, 50, OUTPUT.len()] {
			let page =
				page(&lines(&OUTPUT[..written]), Window { from: cursor, ..Window::default() });
			whole.extend_from_slice(&page.text);
			cursor = page.next;
		}
		let whole = String::from_utf8(whole).unwrap();
		assert_eq!(whole, "one\ntwo\nthree\nfo");
	}

	#[test]
	fn since_and_tail_choose_lines() {
		let since = |seconds| Window { since: Some(seconds), ..Window::default() };
		assert_eq!(read(since(T0 + 10)), ("two\nthree\nfo".into(), 16));
		assert_eq!(read(since(T0 + 21)), ("fo".into(), 16));
		assert_eq!(read(since(T0 + 60)), (String::new(), 16));
		let tail = |lines| Window { tail: Some(lines), ..Window::default() };
		assert_eq!(read(tail(2)), ("three\nfo".into(), 16));
		assert_eq!(read(tail(0)), (String::new(), 16));
		assert_eq!(read(tail(9)), ("one\ntwo\nthree\nfo".into(), 16));
		let both = Window { since: Some(T0 + 5), tail: Some(1), from: 0 };
		assert_eq!(read(both), ("fo".into(), 16));
		let after = Window { since: None, tail: Some(2), from: 8 };
		assert_eq!(read(after), ("three\nfo".into(), 16));
	}
}
