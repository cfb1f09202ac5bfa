//! `sonm-load`: loads a SONM node on loopback with one workload and prints what it did.

use clap::Parser;
use sonm_load::{run, workload::Workload, RunOptions};
use std::{path::PathBuf, process::ExitCode, time::Duration};

/// Loads a SONM node on this machine with transfers or market calls and reports inclusion,
/// finality, latencies, refusals, losses, the pool and the node's CPU and memory.
#[derive(Parser, Debug)]
#[command(name = "sonm-load", version)]
struct Args {
	/// The node's WebSocket RPC (loopback only).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// What to send.
	#[arg(long, value_enum, required_unless_present = "table")]
	workload: Option<Workload>,
	/// Print a Markdown table of these JSON reports (written by --json) and stop: each run
	/// beside the transfers of its round (files named <network>-<workload>[-r<N>].json), then
	/// the medians of the runs repeated in rounds.
	#[arg(long, num_args = 1.., conflicts_with = "workload")]
	table: Vec<PathBuf>,
	/// Seconds of sending.
	#[arg(long, default_value_t = 60)]
	duration: u64,
	/// Extrinsics per second (default: as fast as the node takes them).
	#[arg(long)]
	rate: Option<f64>,
	/// The most measured extrinsics (default: rate x duration, or the workload's ceiling: 3,000 a
	/// second, 2,000 for mixed, 1,200 for open-deal).
	#[arg(long)]
	count: Option<usize>,
	/// The most extrinsics in flight (sent, not yet finalized nor refused). The node's pool
	/// holds each until its block is final: keep this under the node's `--pool-limit` (8,192
	/// by default), with room for what others send.
	#[arg(long, default_value_t = 6_000)]
	window: usize,
	/// The most extrinsics sent and not yet in a block, as blocks' worth of the largest block of
	/// this run so far (1,000 before the first, never under 256). The node's pool validates
	/// every waiting extrinsic again at each block, so a deeper backlog costs the node CPU per
	/// extrinsic per block it waits; 0 for no limit but --window.
	#[arg(long, default_value_t = 2)]
	backlog: usize,
	/// Orders in each `place_orders` of the place-orders workload: 1 to the runtime's
	/// `MaxOrdersPerCall` (64).
	#[arg(long, default_value_t = sonm_load::workload::DEFAULT_ORDERS_PER_BATCH)]
	batch: usize,
	/// Seconds to wait for inclusion and finality after the last submission.
	#[arg(long, default_value_t = 60)]
	drain: u64,
	/// After the run, count the book and time this many calls of each market read.
	#[arg(long, default_value_t = 0)]
	reads: usize,
	/// Before the run, set the chain's session length to this many blocks (by its council of
	/// dev accounts: a dev or local chain). Production sessions are 1,800 blocks; the dev
	/// chain's 10 leave one block in ten without extrinsics.
	#[arg(long)]
	session_length: Option<u32>,
	/// The dev accounts that fund the run's accounts, by name (alice, bob, charlie, dave, eve,
	/// ferdie): leave out any that something else signs for meanwhile.
	#[arg(long, value_delimiter = ',', default_values_t = sonm_load::accounts::default_funders())]
	funders: Vec<String>,
	/// Also write the report as JSON here.
	#[arg(long)]
	json: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
	let args = Args::parse();
	if !args.table.is_empty() {
		return match sonm_load::table::markdown(&args.table) {
			Ok(table) => {
				print!("{table}");
				ExitCode::SUCCESS
			},
			Err(error) => {
				eprintln!("error: {error}");
				ExitCode::FAILURE
			},
		};
	}
	let options = RunOptions {
		url: args.url,
		workload: args.workload.expect("clap requires a workload without --table"),
		duration: Duration::from_secs(args.duration),
		rate: args.rate,
		count: args.count,
		window: args.window,
		backlog: (args.backlog > 0).then_some(args.backlog),
		orders_per_batch: args.batch,
		drain: Duration::from_secs(args.drain),
		session_length: args.session_length,
		funders: args.funders,
	};
	let report = match run(&options).await {
		Ok(report) => report,
		Err(error) => {
			eprintln!("error: {error}");
			return ExitCode::FAILURE;
		},
	};
	print!("{}", report.text());
	let mut json = serde_json::to_value(&report).expect("a report serializes");
	if args.reads > 0 {
		let reads = match sonm_client::Client::connect(&options.url).await {
			Ok(client) => sonm_load::reads::measure(&client, args.reads).await,
			Err(e) => Err(e.into()),
		};
		match reads {
			Ok(reads) => {
				print!("{}", reads.text());
				json["reads"] = serde_json::to_value(&reads).expect("reads serialize");
			},
			Err(error) => {
				eprintln!("error: measuring reads: {error}");
				return ExitCode::FAILURE;
			},
		}
	}
	if let Some(path) = args.json {
		let text = serde_json::to_string_pretty(&json).expect("a report serializes");
		if let Err(e) = std::fs::write(&path, text) {
			eprintln!("error: cannot write {}: {e}", path.display());
			return ExitCode::FAILURE;
		}
	}
	ExitCode::SUCCESS
}
