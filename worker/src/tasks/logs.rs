//! A task's output as the customer reads it. The engine gives each line with its RFC 3339 UTC
//! timestamp (`2026-11-30T16:00:53.895214631Z hello`); the worker keeps that form (also for
//! removed tasks) and serves the text without the timestamps. A page is chosen by
//!
//! - `from`: a cursor, the byte offset in the text (without timestamps) to read on from. Every
//!   page returns `next`, the cursor after its last byte, so a follower that comes back with it,
//!   even after the worker restarted, gets every byte once, with no gap;
//! - `since`: only lines written at or after this unix time (seconds);
//! - `tail`: only the last this many lines of what the other two leave.
//!
//! A page holds at most [`sonm_client::task_protocol::LOG_PAGE_BYTES`]; a full one says so
//! (`more`) and its cursor is where the next page starts. The output is read as a stream and
//! only the page is held, so a task's long output costs the worker no more memory than a page.

/// One line of output: when it was written (unix nanoseconds; 0 when the engine gave no time)
/// and its bytes with the newline, if it has one yet.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line<'a> {
	pub at_nanos: u128,
	pub text: &'a [u8],
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
	/// Whether the page was full before the output ended: more is there past `next`.
	pub more: bool,
}

/// The longest line kept whole while it is read; a longer one is taken in pieces.
const LONGEST_LINE: usize = 1 << 20;

/// Chooses a page of at most `limit` bytes from the engine's timestamped output, fed in
/// chunks as they are read, holding no more than the page (and one line) in memory. Without
/// `tail`, it is [`Pager::full`] as soon as the page is: the rest of the output need not be
/// read. With `tail`, it keeps the last lines that fit.
pub struct Pager {
	window: Window,
	since_nanos: Option<u128>,
	limit: usize,
	/// The raw line being read (timestamp and text), until its newline comes.
	partial: Vec<u8>,
	/// The text offset where the next line starts.
	offset: usize,
	/// Chosen lines' text, with where the page ends in the whole text.
	chosen: std::collections::VecDeque<Vec<u8>>,
	chosen_bytes: usize,
	/// The text offset after the last chosen byte, once the page is full.
	full_at: Option<usize>,
}

impl Pager {
	/// A pager for `window`, at most `limit` bytes a page.
	pub fn new(window: Window, limit: usize) -> Self {
		Self {
			window,
			since_nanos: window.since.map(|seconds| u128::from(seconds) * 1_000_000_000),
			limit,
			partial: Vec::new(),
			offset: 0,
			chosen: Default::default(),
			chosen_bytes: 0,
			full_at: None,
		}
	}

	/// Whether the page is full (no more need be read).
	pub fn full(&self) -> bool {
		self.full_at.is_some()
	}

	/// Reads on through `chunk` of timestamped output.
	pub fn feed(&mut self, mut chunk: &[u8]) {
		while !chunk.is_empty() && !self.full() {
			let newline = chunk.iter().position(|byte| *byte == b'\n');
			let take = newline.map_or(chunk.len(), |at| at + 1);
			self.partial.extend_from_slice(&chunk[..take]);
			chunk = &chunk[take..];
			if newline.is_some() || self.partial.len() >= LONGEST_LINE {
				let raw = std::mem::take(&mut self.partial);
				self.line(&raw);
			}
		}
	}

	/// The page, once the output has ended (or the page is full).
	pub fn finish(mut self) -> Page {
		if !self.full() && !self.partial.is_empty() {
			// The last line, still being written.
			let raw = std::mem::take(&mut self.partial);
			self.line(&raw);
		}
		let mut text = Vec::with_capacity(self.chosen_bytes);
		for piece in &self.chosen {
			text.extend_from_slice(piece);
		}
		match self.full_at {
			Some(next) => Page { text, next, more: true },
			None => Page { text, next: self.offset, more: false },
		}
	}

	/// One whole line (or the last, partial one).
	fn line(&mut self, raw: &[u8]) {
		let line = parse_line(raw);
		let start = self.offset;
		let end = start + line.text.len();
		self.offset = end;
		let recent = self.since_nanos.is_none_or(|since| line.at_nanos >= since);
		if end <= self.window.from || !recent {
			return;
		}
		// A cursor inside a line (the rest of a line still being written) skips what was read.
		let skip = self.window.from.saturating_sub(start).min(line.text.len());
		let text = &line.text[skip..];
		if self.window.tail.is_some() {
			self.keep_for_tail(text);
			return;
		}
		let room = self.limit - self.chosen_bytes;
		if text.len() <= room {
			self.chosen_bytes += text.len();
			self.chosen.push_back(text.to_vec());
		} else if self.chosen.is_empty() {
			// One line longer than a page: as much of it as fits.
			self.chosen_bytes = room;
			self.chosen.push_back(text[..room].to_vec());
			self.full_at = Some(start + skip + room);
		} else {
			self.full_at = Some(start + skip);
		}
	}

	/// Keeps `text` among the last `tail` lines, dropping the oldest past `tail` or the limit.
	fn keep_for_tail(&mut self, text: &[u8]) {
		let tail = self.window.tail.unwrap_or(usize::MAX);
		let text = &text[text.len().saturating_sub(self.limit)..];
		self.chosen_bytes += text.len();
		self.chosen.push_back(text.to_vec());
		while self.chosen.len() > tail || self.chosen_bytes > self.limit {
			let dropped = self.chosen.pop_front().expect("not empty");
			self.chosen_bytes -= dropped.len();
		}
	}
}

/// The engine's output frames joined into whole lines: the engine writes a line that its
/// reader took in two pieces as two frames, each with a timestamp (`T1 first half` then
/// `T2 second half\n`); the second frame's timestamp is dropped, so that every line carries
/// one timestamp, the time it began. Feed frames in order.
#[derive(Debug, Default)]
pub struct FrameJoiner {
	/// The last frame ended inside a line.
	inside_line: bool,
}

impl FrameJoiner {
	/// `frame` as it continues the output.
	pub fn join<'a>(&mut self, frame: &'a [u8]) -> &'a [u8] {
		let joined = if self.inside_line { parse_line(frame).text } else { frame };
		if !frame.is_empty() {
			self.inside_line = !frame.ends_with(b"\n");
		}
		joined
	}
}

/// One raw line: its timestamp read off, when it has one.
fn parse_line(raw: &[u8]) -> Line<'_> {
	let space = raw.iter().position(|byte| *byte == b' ');
	match space.and_then(|at| Some((parse_rfc3339(&raw[..at])?, at))) {
		Some((at_nanos, at)) => Line { at_nanos, text: &raw[at + 1..] },
		None => Line { at_nanos: 0, text: raw },
	}
}

/// The part of `timestamped` output that `window` chooses, at most `limit` bytes.
pub fn page(timestamped: &[u8], window: Window, limit: usize) -> Page {
	let mut pager = Pager::new(window, limit);
	pager.feed(timestamped);
	pager.finish()
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
		let page = page(OUTPUT, window, usize::MAX);
		(String::from_utf8(page.text).unwrap(), page.next)
	}

	/// A line the engine wrote in two frames, each timestamped, is one line with the first
	/// timestamp (before, the second timestamp showed inside the customer's text).
	#[test]
	fn a_line_written_in_two_frames_is_one_line() {
		let frames: [&[u8]; 3] = [
			b"2026-11-30T16:00:00Z first ha",
			b"2026-11-30T16:00:01Z lf\n",
			b"2026-11-30T16:00:02Z next\n",
		];
		let mut joiner = FrameJoiner::default();
		let joined: Vec<u8> = frames.iter().flat_map(|frame| joiner.join(frame).to_vec()).collect();
		assert_eq!(joined, b"2026-11-30T16:00:00Z first half\n2026-11-30T16:00:02Z next\n");
		let page = page(&joined, Window::default(), usize::MAX);
		assert_eq!(page.text, b"first half\nnext\n");
	}

	#[test]
	fn timestamps_are_read_and_lines_without_one_kept_whole() {
		let lines = |output: &'static [u8]| {
			output
				.split_inclusive(|byte| *byte == b'\n')
				.map(parse_line)
				.collect::<Vec<_>>()
		};
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
			let page = page(&OUTPUT[..written], Window { from: cursor, ..Window::default() }, 64);
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
		let both = Window { since: Some(T0 + 5), tail: Some(1), ..Window::default() };
		assert_eq!(read(both), ("fo".into(), 16));
		let after = Window { tail: Some(2), from: 8, ..Window::default() };
		assert_eq!(read(after), ("three\nfo".into(), 16));
	}

	/// A page holds at most its limit, ends at a line's end where it can, and a reader that
	/// follows the cursors reads the whole output once, in pages, whatever the chunks the
	/// engine sends. (Before, a page was the whole output, however long.)
	#[test]
	fn pages_are_bounded_and_the_cursors_walk_the_whole_output() {
		let mut output = Vec::new();
		let mut expected = Vec::new();
		for i in 0..2_000 {
			let text = format!("line {i} {}\n", "x".repeat(i % 300));
			output.extend_from_slice(format!("2026-11-30T16:00:00Z {text}").as_bytes());
			expected.extend_from_slice(text.as_bytes());
		}
		// A line longer than a page comes in pieces of a page.
		let long = format!("{}\n", "y".repeat(10_000));
		output.extend_from_slice(format!("2026-11-30T16:00:01Z {long}").as_bytes());
		expected.extend_from_slice(long.as_bytes());
		let limit = 4096;
		for chunk_size in [1, 7, 4096, usize::MAX] {
			let (mut cursor, mut whole, mut pages) = (0, Vec::new(), 0);
			loop {
				let mut pager = Pager::new(Window { from: cursor, ..Window::default() }, limit);
				for chunk in output.chunks(chunk_size.min(output.len())) {
					if pager.full() {
						break;
					}
					pager.feed(chunk);
				}
				let page = pager.finish();
				assert!(page.text.len() <= limit, "a page of {} bytes", page.text.len());
				// A full page ends at a line's end, unless one line fills it.
				if page.more {
					assert!(page.text.ends_with(b"\n") || page.text.len() == limit);
				}
				whole.extend_from_slice(&page.text);
				pages += 1;
				cursor = page.next;
				if !page.more {
					break;
				}
			}
			assert_eq!(whole, expected, "chunks of {chunk_size}");
			// Pages are nearly full: a line of up to 310 bytes may not fit the end of one.
			assert!(pages > expected.len() / limit, "{pages} pages");
			assert!(pages <= expected.len() / (limit - 310) + 3, "{pages} pages");
		}
		// The tail of long output is its last lines that fit a page.
		let tail = page(&output, Window { tail: Some(3), ..Window::default() }, limit);
		assert_eq!(tail.text, expected[expected.len() - limit..].to_vec());
		assert_eq!((tail.next, tail.more), (expected.len(), false));
		let tail = page(&output, Window { tail: Some(2), ..Window::default() }, 1 << 20);
		assert!(tail.text.starts_with(b"line 1999 "));
	}
}
