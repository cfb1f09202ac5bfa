//! `sonm-node`: the SONM sidechain node. Aura block production, GRANDPA finality, ParityDB
//! storage, standard Substrate JSON-RPC and Prometheus metrics.

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
