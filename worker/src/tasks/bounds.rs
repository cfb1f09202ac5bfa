//! What one deal's customer may take of the worker beyond its container's limits
//! ([`super::limits`]): host ports, the engine's log files, execs (at once, how long, how much
//! output), the time a request's body may take. Each bound keeps one customer from harming the
//! others' tasks and the worker's billing.

use std::time::Duration;

/// The bounds the task service holds every deal to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
	/// Host ports one deal's task may publish.
	pub ports_per_deal: usize,
	/// The most bytes of output the engine keeps of one task; older output is dropped first.
	pub log_bytes: u64,
	/// The longest an exec runs (a customer may ask for less).
	pub exec_timeout: Duration,
	/// The most output bytes one exec sends; past it the command is stopped.
	pub exec_output_bytes: u64,
	/// Execs of one deal running at once.
	pub execs_per_deal: usize,
	/// Execs of all deals running at once.
	pub execs_in_all: usize,
	/// The longest a request's body may take to arrive.
	pub body_timeout: Duration,
	/// Whether each deal's task gets a network of its own behind the task firewall
	/// ([`super::firewall`]). Off only where the engine cannot (and then tasks share one
	/// network and reach the host and its LAN).
	pub isolate_networks: bool,
}

impl Default for Bounds {
	fn default() -> Self {
		Self {
			ports_per_deal: 16,
			log_bytes: 16 << 20,
			exec_timeout: Duration::from_secs(600),
			exec_output_bytes: 8 << 20,
			execs_per_deal: 4,
			execs_in_all: 32,
			body_timeout: Duration::from_secs(30),
			isolate_networks: true,
		}
	}
}
