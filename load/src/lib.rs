//! `sonm-load`: a load generator for a SONM node on loopback.
//!
//! A run plans its calls ([`workload`]), derives fresh accounts and funds them from the dev
//! accounts ([`accounts`]), places the orders and opens the deals its measured calls need (the
//! setup, not measured), signs every measured extrinsic ahead of time with counted nonces
//! ([`calls`]), sends them at a rate or as fast as the node takes them ([`pace`],
//! [`engine`]), follows the finalized chain, and reports ([`report`]) what was included and
//! finalized per second, the latencies, refusals by reason, extrinsics lost, our share of the
//! pool and the node's CPU and memory ([`node_process`]).

pub mod accounts;
pub mod backlog;
pub mod calls;
pub mod engine;
pub mod node_process;
pub mod pace;
pub mod reads;
pub mod report;
pub mod stats;
pub mod table;
pub mod target;
pub mod workload;

use accounts::Accounts;
use calls::SetupIds;
use engine::{Outcome, SendOptions};
use pace::Pace;
use report::Report;
use sonm_client::{keys::DEV_ACCOUNTS, Client, Key};
use std::time::{Duration, Instant};
use workload::{Plan, SetupBatch, Workload, SETUP_ORDERS_PER_CALL};

/// What goes wrong in a run, by name.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
	#[error(
		"{url} is not a node on this machine's loopback ({why}): sonm-load loads only local nodes"
	)]
	NotLoopback { url: String, why: String },
	#[error("{0}")]
	Client(#[from] sonm_client::ClientError),
	#[error("setup: {0}")]
	Setup(String),
	#[error("bad option: {0}")]
	Usage(String),
}

/// How long an extrinsic takes to be final at a modest rate, with room: an account sends its
/// next only then, so a run at a rate R needs R x this many accounts.
pub const SECONDS_TO_FINALITY: f64 = 12.0;
/// Each run's account receives this much: its orders' deposits and fees.
pub const FUNDING: u128 = 100 * 1_000_000_000_000_000_000;

/// One run's options.
#[derive(Clone, Debug)]
pub struct RunOptions {
	pub url: String,
	pub workload: Workload,
	/// How long the measured calls are sent for.
	pub duration: Duration,
	/// Extrinsics per second; `None` for as fast as the node takes them.
	pub rate: Option<f64>,
	/// The most measured extrinsics (default: rate x duration, or the ceiling).
	pub count: Option<usize>,
	/// The most extrinsics in flight (sent, not yet finalized nor refused).
	pub window: usize,
	/// Orders in each `place_orders` of the `place-orders` workload (1 to the runtime's
	/// `MaxOrdersPerCall`).
	pub orders_per_batch: usize,
	/// The most extrinsics sent and not yet in a block, in blocks' worth of the run's largest
	/// block so far (at least [`backlog::LEAST_BACKLOG`]); `None` for no limit but the window.
	pub backlog: Option<usize>,
	/// How long to wait for inclusion and finality after the last submission.
	pub drain: Duration,
	/// The dev accounts (by name) that fund the run's accounts: [`accounts::default_funders`]
	/// unless the caller signs for some of them meanwhile.
	pub funders: Vec<String>,
	/// Before the run, the chain's council (its dev accounts: a dev or local chain) sets the
	/// session length to this many blocks; production's is 1,800 (an hour).
	pub session_length: Option<u32>,
}

/// Runs one workload against a node on loopback and reports.
pub async fn run(options: &RunOptions) -> Result<Report, LoadError> {
	let port = target::loopback_port(&options.url)?;
	if options.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
		return Err(LoadError::Usage("--rate must be a positive number".into()));
	}
	if options.window == 0 || options.duration.is_zero() {
		return Err(LoadError::Usage("--window and --duration must be above zero".into()));
	}
	let node_pid = node_process::listening_pid(port);
	if node_pid.is_none() {
		eprintln!("note: no process of this user listens on port {port}: the node's CPU and memory are not reported");
	}
	let client = Client::connect(&options.url).await?;
	let most_per_call = client.max_orders_per_call().await? as usize;
	if !(1..=most_per_call).contains(&options.orders_per_batch) {
		return Err(LoadError::Usage(format!(
			"--batch must be 1 to {most_per_call} (the chain's MaxOrdersPerCall), not {}",
			options.orders_per_batch
		)));
	}
	let session_blocks = match options.session_length {
		Some(blocks) => set_session_length(&client, blocks).await?,
		None => client.session_length().await?,
	};
	let pace = Pace { rate: options.rate, window: options.window, backlog: options.backlog };
	let ceiling = options.workload.ceiling_per_second(options.orders_per_batch)
		* options.duration.as_secs().max(1) as usize;
	let count = options.count.unwrap_or_else(|| pace.budget(options.duration, ceiling));
	let name = options.workload.name();
	let min_accounts = options.rate.map_or(0, |rate| (rate * SECONDS_TO_FINALITY).ceil() as usize);
	let plan = Plan::batched(options.workload, count, min_accounts, options.orders_per_batch);
	eprintln!(
		"{name}: {count} calls planned for {} accounts ({} setup pairs, {} setup deals)",
		plan.accounts,
		plan.pairs.len(),
		plan.deals
	);
	let run_id: u64 = rand::random();
	let accounts = std::sync::Arc::new(Accounts::derive(run_id, plan.accounts));
	accounts.fund(&client, FUNDING, &accounts::funders(&options.funders)?).await?;
	let mut nonces = accounts.nonces(&client).await?;
	// Each phase signs against the best block of its own start, and signs again what a runtime
	// upgrade during it left stale (the spec version is part of what is signed).
	let mut ids = SetupIds { genesis: client.genesis_hash(), ..SetupIds::default() };
	// Setup: as fast as the node takes it, waiting for all of it to be final.
	let setup_options = SendOptions {
		pace: Pace { rate: None, ..pace },
		duration: None,
		drain: Duration::from_secs(120 + plan.pairs.len() as u64 / 200),
		node_pid: None,
	};
	if !plan.pairs.is_empty() {
		let label = "setup: orders";
		let batches = plan.setup_orders(most_per_call.min(SETUP_ORDERS_PER_CALL));
		let steps: Vec<_> = batches.iter().map(SetupBatch::planned).collect();
		let at = client.at_best().await?;
		let (txs, again) =
			calls::sign_phase(&client, &at, &accounts, &mut nonces, &steps, &ids, label)?;
		let outcome =
			engine::send(&client, &options.url, &txs, again, setup_options, label).await?;
		let placed = produced_ids(&outcome, label)?;
		ids.pairs = plan
			.pair_ids(&batches, &placed)
			.map_err(|e| LoadError::Setup(format!("{label}: {e}")))?;
	}
	if plan.deals > 0 {
		let label = "setup: deals";
		let at = client.at_best().await?;
		let steps = plan.setup_deals();
		let (txs, again) =
			calls::sign_phase(&client, &at, &accounts, &mut nonces, &steps, &ids, label)?;
		let outcome =
			engine::send(&client, &options.url, &txs, again, setup_options, label).await?;
		ids.deals = produced_ids(&outcome, label)?.concat();
		if ids.deals.len() != plan.deals {
			return Err(LoadError::Setup(format!(
				"{label}: {} deals opened of {}",
				ids.deals.len(),
				plan.deals
			)));
		}
	}
	let at = client.at_best().await?;
	let (txs, again) =
		calls::sign_phase(&client, &at, &accounts, &mut nonces, &plan.measured, &ids, name)?;
	let started = Instant::now();
	let outcome = engine::send(
		&client,
		&options.url,
		&txs,
		again,
		SendOptions { pace, duration: Some(options.duration), drain: options.drain, node_pid },
		name,
	)
	.await?;
	eprintln!("{name}: done in {:.1} s", started.elapsed().as_secs_f64());
	let per_extrinsic = options.workload.per_extrinsic(options.orders_per_batch);
	Ok(Report::of(name, &options.url, session_blocks, (txs.len(), per_extrinsic), &outcome))
}

/// The council of a dev or local chain, whose members are dev accounts, sets the session length;
/// returns the length read back from the chain.
async fn set_session_length(client: &Client, blocks: u32) -> Result<u32, LoadError> {
	if blocks == 0 {
		return Err(LoadError::Usage("--session-length must be above zero".into()));
	}
	let mut members = Vec::new();
	for member in client.council_members().await? {
		let key = DEV_ACCOUNTS
			.iter()
			.filter_map(|(name, _)| Key::dev(name))
			.find(|key| key.account_id() == member)
			.ok_or_else(|| {
				LoadError::Usage(format!(
					"--session-length: council member {member} is not a dev account (a dev or local chain only)"
				))
			})?;
		members.push(key);
	}
	client.set_session_length(blocks, &members).await?;
	let now = client.session_length().await?;
	if now != blocks {
		return Err(LoadError::Setup(format!(
			"the council set sessions of {blocks} blocks; the chain has {now}"
		)));
	}
	eprintln!("sessions of {blocks} blocks set by the council");
	Ok(now)
}

/// The ids a setup phase's extrinsics produced, in order; fails naming what went wrong when
/// one of them produced none.
fn produced_ids(outcome: &Outcome, label: &str) -> Result<Vec<Vec<u64>>, LoadError> {
	outcome
		.records
		.iter()
		.enumerate()
		.map(|(k, record)| {
			if !record.produced.is_empty() {
				return Ok(record.produced.clone());
			}
			let why = record
				.rejected
				.clone()
				.or_else(|| record.invalid.clone())
				.or_else(|| record.failed.clone())
				.unwrap_or_else(|| match record.finalized {
					Some(_) => "finalized without the event that names it".into(),
					None => "not finalized in time".into(),
				});
			Err(LoadError::Setup(format!(
				"{label}: extrinsic {k} of {} produced no id: {why}",
				outcome.records.len()
			)))
		})
		.collect()
}
