//! `sonm-node`: the SONM sidechain node. Aura block production, GRANDPA finality, ParityDB
//! storage, standard Substrate JSON-RPC and Prometheus metrics.

// The error types are sc-cli's and sc-service's, which their runner and builder APIs require;
// their size is theirs to change.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod proposal_pace;
mod rpc;
mod runtime_cache;
mod service;
mod testnet;

/// The most malloc arenas the node's threads share unless `MALLOC_ARENA_MAX` says otherwise.
/// glibc keeps up to eight per core, each holding on to what its threads freed; with its
/// default a dev node held 430 MiB more after ten minutes of the mixed market (1,684 MiB
/// resident against 1,257 MiB with two: docs/BENCHMARKS.md, "Memory").
const MALLOC_ARENAS: i32 = 2;

fn main() -> sc_cli::Result<()> {
	limit_malloc_arenas();
	command::run()
}

/// Sets glibc's arena limit to [`MALLOC_ARENAS`] before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
	if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
		// SAFETY: `mallopt` only sets an allocator parameter; called first thing in `main`, before
		// any other thread exists to allocate concurrently.
		unsafe {
			libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
		}
	}
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
