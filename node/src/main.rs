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
mod rpc;
mod runtime_cache;
mod service;
mod testnet;

fn main() -> sc_cli::Result<()> {
	command::run()
}
