//! `sonm-bridge`: what a masternode runs beside its node for the outside world.
//!
//! - `gateway`: carries SNM between Ethereum and the sidechain ([`gateway`]): attests
//!   deposits, signs withdrawals and signer-set changes, relays them to the Gatekeeper contract.
//! - `feed`: feeds SNM/USD prices from HTTP JSON sources to the chain's oracle ([`feeder`]).
//! - `deploy`: the contracts for a sidechain ([`deploy`]).
//!
//! A holder's deposits and withdrawals are the `sonm` CLI's (`sonm token`), on this crate's
//! [`sonm_bridge::token`]. Each daemon serves Prometheus metrics and `/health` from its first
//! second (`--metrics`).

use sonm_bridge::{deploy, feeder, gateway, metrics};

use clap::{Parser, Subcommand};
use sonm_service::Shutdown;

#[derive(Parser, Debug)]
#[command(name = "sonm-bridge", version, about)]
struct Cli {
	/// Where to serve `/metrics` and `/health`.
	#[arg(long, global = true, default_value = "127.0.0.1:9620")]
	metrics: String,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Carries SNM between Ethereum and the sidechain for this masternode.
	Gateway(gateway::GatewayArgs),
	/// Feeds SNM/USD prices from HTTP JSON sources into the chain's oracle.
	Feed(feeder::FeedArgs),
	/// Deploys the gateway's contracts for a sidechain (and mints test SNM).
	Deploy(deploy::DeployArgs),
}

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
		)
		.init();
	let cli = Cli::parse();
	let metrics = metrics::Metrics::new();
	// SIGTERM and Ctrl-C: the daemons finish their current round and exit 0.
	let stop = match Shutdown::on_signals() {
		Ok(stop) => stop,
		Err(error) => {
			log::error!("signal handlers: {error}");
			std::process::exit(1);
		},
	};
	let result = match cli.command {
		Command::Gateway(args) => match metrics.serve(&cli.metrics).await {
			Ok(()) => gateway::run(args, metrics, stop).await,
			Err(error) => Err(error),
		},
		Command::Feed(args) => {
			// A one-shot feed serves nothing.
			let served = if args.once { Ok(()) } else { metrics.serve(&cli.metrics).await };
			match served {
				Ok(()) => feeder::feed(args, metrics, stop).await,
				Err(error) => Err(error),
			}
		},
		Command::Deploy(args) => deploy::run(args).await,
	};
	if let Err(err) = result {
		log::error!("{err}");
		std::process::exit(1);
	}
}
