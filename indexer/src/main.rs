//! `sonm-indexer run`: follows a SONM node's finalized blocks into SQLite (default) or
//! PostgreSQL and serves the market's history and search over HTTP, with `/metrics` and
//! `/health` on the same address from the first second.

use clap::{Parser, Subcommand};
use sonm_indexer::{
	api::{self, ApiState},
	follow::{follow, FollowOptions, FollowState},
	store::Store,
	telemetry::IndexerMetrics,
};
use sonm_service::Shutdown;
use std::{net::SocketAddr, path::PathBuf};

#[derive(Parser)]
#[command(name = "sonm-indexer", version, about = "The SONM market's history and search")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Follows the chain and serves the API until stopped (SIGTERM or Ctrl-C).
	Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
	/// The node's WebSocket RPC. To index blocks older than the node keeps state for (256 by
	/// default), it must be an archive node (`--state-pruning archive`).
	#[arg(long, env = "SONM_URL", default_value = "ws://127.0.0.1:9944")]
	chain: String,
	/// The database: `sqlite://PATH` or `postgres://USER@HOST:PORT/NAME` (default: a SQLite
	/// file in the data directory).
	#[arg(long, env = "SONM_INDEXER_DB")]
	db: Option<String>,
	/// Where the default SQLite file lives.
	#[arg(long, env = "SONM_INDEXER_DIR", default_value_os_t = default_dir())]
	data_dir: PathBuf,
	/// Where to serve the API, `/metrics` and `/health`.
	#[arg(long, default_value = sonm_client::indexer_api::DEFAULT_ADDRESS)]
	listen: SocketAddr,
	/// Blocks read from the node at once while catching up.
	#[arg(long, default_value_t = 16)]
	window: usize,
	/// `/health` answers 503 while more finalized blocks than this are not indexed yet.
	#[arg(long, default_value_t = 10)]
	max_lag: u64,
}

fn default_dir() -> PathBuf {
	std::env::var_os("HOME")
		.map(|home| PathBuf::from(home).join(".local/share/sonm-indexer"))
		.unwrap_or_else(|| PathBuf::from("sonm-indexer"))
}

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
		)
		.init();
	let Command::Run(args) = Cli::parse().command;
	if let Err(error) = run(args).await {
		tracing::error!("{error}");
		std::process::exit(1);
	}
}

async fn run(args: RunArgs) -> Result<(), Box<dyn std::error::Error>> {
	let stop = Shutdown::on_signals()?;
	let metrics = IndexerMetrics::new();
	let url = args
		.db
		.clone()
		.unwrap_or_else(|| format!("sqlite://{}", args.data_dir.join("indexer.sqlite").display()));
	let store = Store::open(&url).await?;
	tracing::info!(db = %url.split('@').next_back().unwrap_or(&url), backend = ?store.backend, "database open");
	let state = FollowState::new();
	let router =
		api::router(ApiState::new(store.clone(), state.clone()), metrics.clone(), args.max_lag);
	let bound = sonm_service::serve("api", args.listen, router).await?;
	tracing::info!(%bound, "serving the API, /metrics and /health");
	let options = FollowOptions { chain: args.chain, window: args.window };
	follow(options, store, state, metrics, stop).await?;
	Ok(())
}
