//! The node under load, seen from `/proc`: which process listens on the RPC port, and its CPU
//! time and resident memory, sampled once a second during a run.

use std::{
	path::Path,
	time::{Duration, Instant},
};

/// The PID of the process listening on TCP `port` (IPv4 or IPv6), if one of this user's is.
pub fn listening_pid(port: u16) -> Option<u32> {
	let inodes: Vec<u64> = ["/proc/net/tcp", "/proc/net/tcp6"]
		.iter()
		.filter_map(|path| std::fs::read_to_string(path).ok())
		.flat_map(|table| listening_inodes(&table, port))
		.collect();
	if inodes.is_empty() {
		return None;
	}
	let wanted: Vec<String> = inodes.iter().map(|inode| format!("socket:[{inode}]")).collect();
	std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|entry| {
		let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
		let fds = std::fs::read_dir(entry.path().join("fd")).ok()?;
		fds.filter_map(Result::ok)
			.filter_map(|fd| std::fs::read_link(fd.path()).ok())
			.any(|link| wanted.iter().any(|w| Path::new(w) == link))
			.then_some(pid)
	})
}

/// The socket inodes of a `/proc/net/tcp` table listening (state 0A) on `port`.
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
	table
		.lines()
		.skip(1)
		.filter_map(|line| {
			let fields: Vec<&str> = line.split_whitespace().collect();
			let local_port = fields.get(1)?.rsplit(':').next()?;
			let listening = *fields.get(3)? == "0A";
			(listening && u16::from_str_radix(local_port, 16).ok()? == port)
				.then(|| fields.get(9)?.parse().ok())
				.flatten()
		})
		.collect()
}

/// One reading of a process: CPU time used so far and resident memory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
	pub at: Instant,
	/// User plus system CPU time since the process started.
	pub cpu: Duration,
	pub rss_bytes: u64,
}

/// Reads `pid`'s CPU time (`/proc/PID/stat`) and resident memory (`/proc/PID/status`).
pub fn read(pid: u32) -> Option<Reading> {
	let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
	Some(Reading { at: Instant::now(), cpu: cpu_time(&stat)?, rss_bytes: rss_bytes(&status)? })
}

/// utime + stime of a `/proc/PID/stat` line, at the kernel's 100 ticks a second.
fn cpu_time(stat: &str) -> Option<Duration> {
	// The command name is in parentheses and may hold spaces: fields count from after it.
	let after_name = &stat[stat.rfind(')')? + 1..];
	let fields: Vec<&str> = after_name.split_whitespace().collect();
	let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
	Some(Duration::from_millis(ticks * 10))
}

/// `VmRSS` of a `/proc/PID/status` text, in bytes.
fn rss_bytes(status: &str) -> Option<u64> {
	let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
	let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
	Some(kib * 1024)
}

/// What the node used over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Usage {
	/// Mean CPU over the run, in % of one core (200 % is both cores of a two-core machine).
	pub cpu_mean_percent: f64,
	/// The busiest second's CPU, in % of one core.
	pub cpu_peak_percent: f64,
	/// Resident memory at the end of the run, MiB.
	pub rss_end_mib: f64,
	/// The most resident memory seen, MiB.
	pub rss_peak_mib: f64,
}

impl Usage {
	/// The usage a series of readings (one a second or so) shows.
	pub fn of(readings: &[Reading]) -> Option<Self> {
		let (first, last) = (readings.first()?, readings.last()?);
		let percent = |a: &Reading, b: &Reading| {
			let wall = b.at.duration_since(a.at).as_secs_f64();
			if wall > 0.0 {
				100.0 * b.cpu.saturating_sub(a.cpu).as_secs_f64() / wall
			} else {
				0.0
			}
		};
		let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
		Some(Self {
			cpu_mean_percent: percent(first, last),
			cpu_peak_percent: readings
				.windows(2)
				.map(|w| percent(&w[0], &w[1]))
				.fold(0.0, f64::max),
			rss_end_mib: mib(last.rss_bytes),
			rss_peak_mib: mib(readings.iter().map(|r| r.rss_bytes).max().unwrap_or(0)),
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parses_proc_files() {
		let stat = "4242 (sonm node (x)) S 1 4242 4242 0 -1 4194560 9913 0 0 0 250 130 0 0 20 0 \
		            14 0 1234 567 890";
		assert_eq!(cpu_time(stat), Some(Duration::from_millis(3_800)));
		let status = "Name:\tsonm-node\nVmPeak:\t 900 kB\nVmRSS:\t  204800 kB\nThreads:\t14\n";
		assert_eq!(rss_bytes(status), Some(200 * 1024 * 1024));
		let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:26FA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5551 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:26FA 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 6661 1 0000000000000000 100 0 0 10 0\n";
		assert_eq!(listening_inodes(table, 9978), vec![5551]);
		assert!(listening_inodes(table, 9944).is_empty());
	}

	#[test]
	fn usage_from_readings() {
		let start = Instant::now();
		let reading = |s: u64, cpu_ms: u64, mib: u64| Reading {
			at: start + Duration::from_secs(s),
			cpu: Duration::from_millis(cpu_ms),
			rss_bytes: mib * 1024 * 1024,
		};
		let usage =
			Usage::of(&[reading(0, 0, 100), reading(1, 1_500, 180), reading(2, 2_000, 150)])
				.unwrap();
		assert_eq!(usage.cpu_mean_percent, 100.0);
		assert_eq!(usage.cpu_peak_percent, 150.0);
		assert_eq!(usage.rss_end_mib, 150.0);
		assert_eq!(usage.rss_peak_mib, 180.0);
		assert_eq!(Usage::of(&[]), None);
	}

	#[test]
	fn finds_a_listening_process_of_its_own() {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let port = listener.local_addr().unwrap().port();
		assert_eq!(listening_pid(port), Some(std::process::id()));
		assert!(read(std::process::id()).is_some_and(|r| r.rss_bytes > 0));
	}
}
