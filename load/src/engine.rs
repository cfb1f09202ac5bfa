//! Sends signed extrinsics and follows them: each is submitted with
//! `author_submitAndWatchExtrinsic` over a few WebSocket connections and watched until a block
//! includes it or the pool reports it invalid, dropped or usurped; a follower of the finalized
//! chain reads every finalized block's extrinsics and, for blocks holding ours, their events
//! (success or the pallet error, and the ids of orders placed and deals opened). The node's
//! CPU and memory and our share of its pool are sampled once a second.

use crate::{
	backlog::{Backlog, Place},
	calls::{hash_of, SignAgain, Signed},
	node_process::{self, Reading},
	pace::Pace,
	LoadError,
};
use serde_json::Value;
use sonm_client::{
	subxt::{
		self,
		events::Phase,
		rpcs::{rpc_params, RpcClient},
		utils::H256,
	},
	Client,
};
use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

/// Extrinsics in flight per connection: their watches stay well under the node's default of
/// 1,024 subscriptions a connection.
const WATCHES_PER_CONNECTION: usize = 500;

/// What happened to one extrinsic; times count from the run's start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
	/// When it was sent, if it was.
	pub submitted: Option<Duration>,
	/// The node refused it at submission: why.
	pub rejected: Option<String>,
	/// When the node reported it in a (best) block.
	pub in_block: Option<Duration>,
	/// When the follower saw it in a finalized block.
	pub finalized: Option<Duration>,
	/// The finalized block's number.
	pub block: Option<u64>,
	/// Accepted, then reported invalid, dropped or usurped by the pool: how.
	pub invalid: Option<String>,
	/// Included but its dispatch failed: the error (`Market.OrderNotFound`).
	pub failed: Option<String>,
	/// The ids it produced, in the order of its events: orders' (`OrderPlaced`) and deals'
	/// (`DealOpened`).
	pub produced: Vec<u64>,
	/// Times the node answered busy (pool full, too many watches: it was sent again) or said it
	/// already held it (1013: followed unwatched), by the answer.
	pub retried: std::collections::BTreeMap<String, u32>,
}

impl Record {
	/// Submitted and taken into the pool.
	pub fn accepted(&self) -> bool {
		self.submitted.is_some() && self.rejected.is_none()
	}

	/// Accepted, yet neither included nor reported invalid: the node lost it.
	pub fn lost(&self) -> bool {
		self.accepted()
			&& self.in_block.is_none()
			&& self.finalized.is_none()
			&& self.invalid.is_none()
	}
}

/// A finalized block the follower read.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BlockSeen {
	pub number: u64,
	/// All its extrinsics (the timestamp's included).
	pub extrinsics: usize,
	/// Ours among them.
	pub ours: usize,
	/// When the follower read it, from the run's start.
	#[serde(skip)]
	pub seen: Duration,
}

/// What a run of [`send`] observed.
#[derive(Debug)]
pub struct Outcome {
	pub records: Vec<Record>,
	/// From the start to the last submission: the run's time, or, where the plan ran out
	/// first, until the last extrinsic's turn came.
	pub submitting: Duration,
	/// Our extrinsics in the node's pool (accepted, not yet in a block), once a second.
	pub pool: Vec<usize>,
	/// The node's readings, once a second, when its process was found.
	pub node: Vec<Reading>,
	/// This process's own readings (the load generator shares the machine with the node).
	pub generator: Vec<Reading>,
	pub blocks: Vec<BlockSeen>,
}

/// How a run of [`send`] goes.
#[derive(Clone, Copy, Debug)]
pub struct SendOptions {
	pub pace: Pace,
	/// Stop submitting after this long (what is left is not sent).
	pub duration: Option<Duration>,
	/// After the last submission, how long to wait for inclusion and finality.
	pub drain: Duration,
	/// The node's PID, for its CPU and memory.
	pub node_pid: Option<u32>,
}

type Shared = Arc<Mutex<Vec<Record>>>;
/// Each of our extrinsics' hash → its index in the records (an extrinsic signed again after a
/// runtime upgrade is known by both its hashes).
type Index = Arc<Mutex<HashMap<H256, usize>>>;

/// What an extrinsic refused as stale after a runtime upgrade needs to be sent again.
#[derive(Clone)]
struct Resend {
	signer: Arc<SignAgain>,
	index: Index,
}

/// Sends `txs` to the node at `url` and follows them until each is finalized or invalid, or the
/// drain time runs out; logs a progress line every five seconds. An extrinsic the node finds
/// signed for a runtime it no longer runs is signed again by `again` and sent once more.
pub async fn send(
	client: &Client,
	url: &str,
	txs: &[Signed],
	again: SignAgain,
	options: SendOptions,
	label: &str,
) -> Result<Outcome, LoadError> {
	let connect = |url: String| async move {
		RpcClient::from_insecure_url(&url)
			.await
			.map_err(|e| LoadError::Setup(format!("connecting to {url}: {e}")))
	};
	let connection_count = options.pace.window.div_ceil(WATCHES_PER_CONNECTION).max(1);
	let mut connections = Vec::with_capacity(connection_count);
	for _ in 0..connection_count {
		connections.push(connect(url.to_owned()).await?);
	}
	let follower_rpc = connect(url.to_owned()).await?;

	let index: Index =
		Arc::new(Mutex::new(txs.iter().enumerate().map(|(i, tx)| (tx.hash, i)).collect()));
	let resend = Resend { signer: Arc::new(again), index: index.clone() };
	let records: Shared = Arc::new(Mutex::new(vec![Record::default(); txs.len()]));
	let in_pool = Arc::new(AtomicUsize::new(0));
	let stop = Arc::new(AtomicBool::new(false));
	let started = Instant::now();
	let blocks = Arc::new(Mutex::new(Vec::new()));
	let backlog = Arc::new(Backlog::new(options.pace.backlog));

	// Sent and not yet settled (finalized, invalid or refused). The pool keeps an extrinsic
	// until its block is final, so this, not "not yet in a block", is what has to stay under
	// the pool's limit.
	let unsettled = Arc::new(AtomicUsize::new(0));
	let turns: Turns = Arc::new(Mutex::new(HashMap::new()));
	let follower = tokio::spawn(
		FinalizedFollower {
			client: client.clone(),
			rpc: follower_rpc,
			index: index.clone(),
			records: records.clone(),
			unsettled: unsettled.clone(),
			turns: turns.clone(),
			blocks: blocks.clone(),
			started,
			stop: stop.clone(),
		}
		.run(),
	);
	let sampler = tokio::spawn(sample(options.node_pid, in_pool.clone(), stop.clone()));

	// Submission, paced, at most `window` in flight.
	let mut watches = Vec::with_capacity(txs.len());
	let mut last_progress = Instant::now();
	let drain = Arc::new(DrainClock::new(started, options.drain));
	let mut waiting: HashMap<usize, tokio::sync::oneshot::Receiver<()>> = HashMap::new();
	for (k, tx) in txs.iter().enumerate() {
		if options.duration.is_some_and(|limit| started.elapsed() >= limit) {
			break;
		}
		if let Some(due) = options.pace.due(k) {
			tokio::time::sleep_until((started + due).into()).await;
		}
		while unsettled.load(Ordering::Relaxed) >= options.pace.window {
			tokio::time::sleep(Duration::from_millis(5)).await;
		}
		unsettled.fetch_add(1, Ordering::Relaxed);
		let connection = connections[k % connections.len()].clone();
		let hex = format!("0x{}", hex::encode(&tx.bytes));
		let (shared, in_pool, drain) = (records.clone(), in_pool.clone(), drain.clone());
		let unsettled_by_watch = unsettled.clone();
		// Each extrinsic goes out once its account's previous one is final (or refused, or given
		// up): the pool never holds two of one account, so none waits in the future queue of
		// any of its views (the pool keeps a view per recent block, and drops from a busy
		// view's future queue first).
		let (turn, next_may_go) = tokio::sync::oneshot::channel::<()>();
		let previous = waiting.insert(tx.signer, next_may_go);
		let turns = turns.clone();
		let admission = backlog.clone();
		let resend = resend.clone();
		watches.push(tokio::spawn(async move {
			if let Some(previous) = previous {
				let _ = previous.await;
			}
			let place = admission.enter().await;
			watch(
				connection,
				k,
				hex,
				shared,
				in_pool,
				unsettled_by_watch,
				turns,
				started,
				drain,
				turn,
				place,
				resend,
			)
			.await;
		}));
		if last_progress.elapsed() >= Duration::from_secs(5) {
			log_progress(label, &records, k + 1, txs.len(), started, &backlog);
			last_progress = Instant::now();
		}
	}
	let submitting = started.elapsed();
	drain.handed_out(Instant::now());

	// Drain: until every accepted extrinsic is finalized or invalid, or `drain` has passed
	// since the last submission (accounts' later extrinsics go out as their turns come, after
	// the hand-out: a plan that ran out early is still being sent).
	loop {
		// Counted, not read off the records: an extrinsic waiting for its account's previous
		// one has not been sent yet, and is not settled either.
		let settled = unsettled.load(Ordering::Relaxed) == 0;
		if settled || drain.past() {
			break;
		}
		if last_progress.elapsed() >= Duration::from_secs(5) {
			log_progress(label, &records, watches.len(), txs.len(), started, &backlog);
			last_progress = Instant::now();
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	stop.store(true, Ordering::Relaxed);
	for watch in &watches {
		watch.abort();
	}
	let follower_result = follower.await.unwrap_or(Ok(()));
	let (pool, node, generator) = sampler.await.unwrap_or_default();
	follower_result?;
	let records = Arc::try_unwrap(records)
		.map(|m| m.into_inner().expect("not poisoned"))
		.unwrap_or_else(|shared| shared.lock().expect("not poisoned").clone());
	let blocks = blocks.lock().expect("not poisoned").clone();
	// A plan that ran out before the run's time was handed out at once, but its accounts'
	// later extrinsics went out only as their turns came: the submission lasted until the last.
	let submitting = match watches.len() == txs.len() {
		true => records
			.iter()
			.filter_map(|r| r.submitted)
			.max()
			.unwrap_or_default()
			.max(submitting),
		false => submitting,
	};
	Ok(Outcome { records, submitting, pool, node, generator, blocks })
}

fn log_progress(
	label: &str,
	records: &Shared,
	sent: usize,
	total: usize,
	started: Instant,
	backlog: &Backlog,
) {
	let records = records.lock().expect("not poisoned");
	let count = |f: fn(&Record) -> bool| records.iter().filter(|r| f(r)).count();
	let backlog = backlog.limit().map(|n| format!(", backlog limit {n}")).unwrap_or_default();
	eprintln!(
		"{label}: {:>5.1} s: sent {sent}/{total}, rejected {}, in blocks {}, finalized {}, invalid {}{backlog}",
		started.elapsed().as_secs_f64(),
		count(|r| r.rejected.is_some()),
		count(|r| r.in_block.is_some()),
		count(|r| r.finalized.is_some()),
		count(|r| r.invalid.is_some()),
	);
}

/// Submits one extrinsic and watches it until a block includes it or the pool gives it up.
/// While the node is busy (pool full: 1016; too many watches: -32006) it is sent again a
/// little later, as a wallet would: otherwise one refusal leaves a gap in its account's nonces
/// and every later extrinsic of that account waits forever. Refused or given up as signed for
/// a runtime the chain no longer runs, it is signed again for the new one and sent once more.
/// `turn` lets the account's next extrinsic go: at once when this one is refused or given up,
/// else once it is final. Its `place` in the backlog is held until it is in a block or gone.
#[allow(clippy::too_many_arguments)]
async fn watch(
	connection: RpcClient,
	k: usize,
	mut hex: String,
	records: Shared,
	in_pool: Arc<AtomicUsize>,
	unsettled: Arc<AtomicUsize>,
	turns: Turns,
	started: Instant,
	drain: Arc<DrainClock>,
	turn: Turn,
	place: Place,
	resend: Resend,
) {
	if drain.past() {
		// Its account's turn came too late to follow it: never sent.
		unsettled.fetch_sub(1, Ordering::Relaxed);
		let _ = turn.send(());
		return;
	}
	let sent_at = started.elapsed();
	records.lock().expect("not poisoned")[k].submitted = Some(sent_at);
	drain.sent(sent_at);
	// Signed again once at most: a second stale refusal is a refusal.
	let mut signed_again = false;
	let mut sign_again = async |hex: &mut String| {
		if std::mem::replace(&mut signed_again, true) {
			return false;
		}
		let Some((tx, version)) = resend.signer.sign(k).await else { return false };
		resend.index.lock().expect("not poisoned").insert(tx.hash, k);
		let reason = format!("signed again for spec version {version}");
		*records.lock().expect("not poisoned")[k].retried.entry(reason).or_default() += 1;
		*hex = format!("0x{}", hex::encode(&tx.bytes));
		true
	};
	'submission: loop {
		let mut subscription = loop {
			let subscribed = connection
				.subscribe::<Value>(
					"author_submitAndWatchExtrinsic",
					rpc_params![hex.clone()],
					"author_unwatchExtrinsic",
				)
				.await;
			let error = match subscribed {
				Ok(subscription) => break subscription,
				Err(error) => error,
			};
			let reason = rejection_reason(&error);
			if already_imported(&error) {
				// The node holds this very extrinsic already (a busy refusal that still let it
				// in): it is in the pool, unwatched; the follower settles it once final, or the
				// run counts it lost.
				*records.lock().expect("not poisoned")[k].retried.entry(reason).or_default() += 1;
				pass_when_final(k, turn, &records, &turns);
				return;
			}
			if busy(&error) && !drain.past() {
				*records.lock().expect("not poisoned")[k].retried.entry(reason).or_default() += 1;
				tokio::time::sleep(RETRY_AFTER).await;
				continue;
			}
			if stale_signature(&reason) && sign_again(&mut hex).await {
				continue;
			}
			records.lock().expect("not poisoned")[k].rejected = Some(reason);
			unsettled.fetch_sub(1, Ordering::Relaxed);
			let _ = turn.send(());
			return;
		};
		in_pool.fetch_add(1, Ordering::Relaxed);
		loop {
			let next = match drain.left() {
				Some(left) => match tokio::time::timeout(left, subscription.next()).await {
					Ok(next) => next,
					// A later submission may have moved the deadline on.
					Err(_) if drain.past() => return,
					Err(_) => continue,
				},
				None => subscription.next().await,
			};
			let gone = match next {
				Some(Ok(status)) => match Status::of(&status) {
					Status::Pending => continue,
					Status::InBlock => {
						let at = started.elapsed();
						if let Some(block) = block_of(&status) {
							place.included(block);
						}
						in_pool.fetch_sub(1, Ordering::Relaxed);
						records.lock().expect("not poisoned")[k].in_block.get_or_insert(at);
						pass_when_final(k, turn, &records, &turns);
						return;
					},
					Status::Gone(how) => how,
				},
				Some(Err(e)) => format!("watch failed: {e}"),
				None => "the node ended the watch".into(),
			};
			in_pool.fetch_sub(1, Ordering::Relaxed);
			// The pool checks what it holds again at each block: after an upgrade, with the
			// new runtime, which finds every extrinsic signed for the old one invalid.
			if gone == "invalid" && sign_again(&mut hex).await {
				continue 'submission;
			}
			// Given up by the pool: settled, and the account's next may go.
			let record = &mut records.lock().expect("not poisoned")[k];
			if record.finalized.is_none() {
				unsettled.fetch_sub(1, Ordering::Relaxed);
			}
			record.invalid = Some(gone);
			let _ = turn.send(());
			return;
		}
	}
}

/// Whether the node refused an extrinsic's signature: after a runtime upgrade, the refusal of
/// one signed for the old spec version.
fn stale_signature(reason: &str) -> bool {
	reason.contains("bad signature")
}

/// When the drain ends: `drain` after the later of the hand-out's end and the last submission,
/// derived when asked. No deadline while extrinsics are still handed out.
struct DrainClock {
	started: Instant,
	drain: Duration,
	handed_out: std::sync::OnceLock<Instant>,
	/// The last submission, in milliseconds from `started`.
	last_sent_ms: AtomicU64,
}

impl DrainClock {
	fn new(started: Instant, drain: Duration) -> Self {
		Self { started, drain, handed_out: Default::default(), last_sent_ms: AtomicU64::new(0) }
	}

	/// An extrinsic was submitted `at` from the run's start.
	fn sent(&self, at: Duration) {
		self.last_sent_ms.fetch_max(at.as_millis() as u64, Ordering::Relaxed);
	}

	/// The hand-out ended `at`: the deadline counts from now on.
	fn handed_out(&self, at: Instant) {
		let _ = self.handed_out.set(at);
	}

	/// The deadline; none before the hand-out ended.
	fn deadline(&self) -> Option<Instant> {
		let handed_out = *self.handed_out.get()?;
		let last_sent =
			self.started + Duration::from_millis(self.last_sent_ms.load(Ordering::Relaxed));
		Some(handed_out.max(last_sent) + self.drain)
	}

	/// The time left to the deadline (zero past it); none before it is set.
	fn left(&self) -> Option<Duration> {
		self.deadline().map(|d| d.saturating_duration_since(Instant::now()))
	}

	fn past(&self) -> bool {
		self.left().is_some_and(|left| left.is_zero())
	}
}

/// Lets an account's next extrinsic go.
type Turn = tokio::sync::oneshot::Sender<()>;
/// The turns waiting for their extrinsic's finality, by extrinsic; the follower passes them.
type Turns = Arc<Mutex<HashMap<usize, Turn>>>;

/// Passes `turn` once extrinsic `k` is final: now if the follower saw it already, else by the
/// follower. (Locks the records, then the turns: the follower locks in the same order.)
fn pass_when_final(k: usize, turn: Turn, records: &Shared, turns: &Turns) {
	let records = records.lock().expect("not poisoned");
	if records[k].finalized.is_some() {
		let _ = turn.send(());
	} else {
		turns.lock().expect("not poisoned").insert(k, turn);
	}
}

/// Whether the node already holds this very extrinsic (1013).
fn already_imported(error: &subxt::rpcs::Error) -> bool {
	matches!(error, subxt::rpcs::Error::User(user) if user.code == 1013)
}

/// How long a refused or dropped extrinsic waits before it is sent again.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// Whether the node refused a submission for being busy, not because the extrinsic is wrong:
/// its pool is full (1016, "Immediately Dropped") or the connection holds as many watches as
/// the node allows (-32006).
fn busy(error: &subxt::rpcs::Error) -> bool {
	matches!(error, subxt::rpcs::Error::User(user) if user.code == 1016 || user.code == -32006)
}

/// A transaction status of `author_submitAndWatchExtrinsic`, as far as the load cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
	/// `future`, `ready`, `broadcast`, `retracted`, `finalityTimeout`: still on its way.
	Pending,
	/// `inBlock` or `finalized`.
	InBlock,
	/// `invalid`, `dropped` or `usurped`: the pool gave it up.
	Gone(String),
}

impl Status {
	pub fn of(status: &Value) -> Self {
		let name = match status {
			Value::String(name) => name.as_str(),
			Value::Object(map) => map.keys().next().map(String::as_str).unwrap_or_default(),
			_ => "",
		};
		match name {
			"inBlock" | "finalized" => Self::InBlock,
			"invalid" | "dropped" | "usurped" => Self::Gone(name.to_owned()),
			_ => Self::Pending,
		}
	}
}

/// The block named by an `inBlock` or `finalized` status.
fn block_of(status: &Value) -> Option<&str> {
	let map = status.as_object()?;
	map.get("inBlock").or_else(|| map.get("finalized"))?.as_str()
}

/// The node's reason for refusing a submission, short enough to count by.
pub fn rejection_reason(error: &subxt::rpcs::Error) -> String {
	match error {
		subxt::rpcs::Error::User(user) => {
			let data = user.data.as_ref().map(|d| d.get().trim_matches('"').to_owned());
			match data {
				Some(data) => format!("{} {}: {data}", user.code, user.message),
				None => format!("{} {}", user.code, user.message),
			}
		},
		other => other.to_string(),
	}
}

/// What the follower of the finalized chain shares with the submitting side of a run.
struct FinalizedFollower {
	client: Client,
	rpc: RpcClient,
	index: Index,
	records: Shared,
	unsettled: Arc<AtomicUsize>,
	turns: Turns,
	blocks: Arc<Mutex<Vec<BlockSeen>>>,
	started: Instant,
	stop: Arc<AtomicBool>,
}

impl FinalizedFollower {
	/// Follows the finalized chain from the current finalized block on: reads each newly
	/// finalized block's extrinsics, and the events of those holding ours.
	async fn run(self) -> Result<(), LoadError> {
		let Self { client, rpc, index, records, unsettled, turns, blocks, started, stop } = self;
		let failed =
			|e: &dyn std::fmt::Display| LoadError::Setup(format!("following the chain: {e}"));
		let head: H256 = rpc
			.request("chain_getFinalizedHead", rpc_params![])
			.await
			.map_err(|e| failed(&e))?;
		let header: Value = rpc
			.request("chain_getHeader", rpc_params![head])
			.await
			.map_err(|e| failed(&e))?;
		let mut last = block_number(&header).ok_or_else(|| failed(&"a header without a number"))?;
		let mut heads = rpc
			.subscribe::<Value>(
				"chain_subscribeFinalizedHeads",
				rpc_params![],
				"chain_unsubscribeFinalizedHeads",
			)
			.await
			.map_err(|e| failed(&e))?;
		while !stop.load(Ordering::Relaxed) {
			let header = match tokio::time::timeout(Duration::from_millis(500), heads.next()).await
			{
				Err(_) => continue,
				Ok(Some(Ok(header))) => header,
				Ok(Some(Err(e))) => return Err(failed(&e)),
				Ok(None) => return Err(failed(&"the node ended the subscription")),
			};
			let Some(number) = block_number(&header) else { continue };
			for n in last + 1..=number {
				let hash: H256 = rpc
					.request("chain_getBlockHash", rpc_params![n])
					.await
					.map_err(|e| failed(&e))?;
				let block: Value = rpc
					.request("chain_getBlock", rpc_params![hash])
					.await
					.map_err(|e| failed(&e))?;
				let extrinsics =
					block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
				let at = started.elapsed();
				let hashes: Vec<H256> = extrinsics
					.iter()
					.map(|hex| {
						let bytes =
							hex.as_str().and_then(|h| hex::decode(h.trim_start_matches("0x")).ok());
						bytes.map(|bytes| hash_of(&bytes)).unwrap_or_default()
					})
					.collect();
				let ours: HashMap<u32, usize> = {
					let index = index.lock().expect("not poisoned");
					let positions = hashes.iter().enumerate();
					positions
						.filter_map(|(at, hash)| Some((at as u32, *index.get(hash)?)))
						.collect()
				};
				if !ours.is_empty() {
					let mut events =
						read_events(&client, hash, &ours).await.map_err(|e| failed(&e))?;
					let mut records = records.lock().expect("not poisoned");
					for (&position, &k) in &ours {
						let record = &mut records[k];
						if record.finalized.is_none() && record.invalid.is_none() {
							unsettled.fetch_sub(1, Ordering::Relaxed);
						}
						record.finalized = Some(at);
						if let Some(turn) = turns.lock().expect("not poisoned").remove(&k) {
							let _ = turn.send(());
						}
						record.in_block.get_or_insert(at);
						record.block = Some(n);
						if let Some((failure, ids)) = events.get_mut(&position) {
							record.failed = failure.take();
							record.produced = std::mem::take(ids);
						}
					}
				}
				blocks.lock().expect("not poisoned").push(BlockSeen {
					number: n,
					extrinsics: extrinsics.len(),
					ours: ours.len(),
					seen: at,
				});
			}
			last = last.max(number);
		}
		Ok(())
	}
}

/// Per extrinsic position of ours: its dispatch error, if it failed, and the order or deal id
/// it produced.
async fn read_events(
	client: &Client,
	hash: H256,
	ours: &HashMap<u32, usize>,
) -> Result<HashMap<u32, (Option<String>, Vec<u64>)>, String> {
	let at = client.api().at_block(hash).await.map_err(|e| e.to_string())?;
	let events = at.events().fetch().await.map_err(|e| e.to_string())?;
	let mut found: HashMap<u32, (Option<String>, Vec<u64>)> = HashMap::new();
	for event in events.iter() {
		let event = event.map_err(|e| e.to_string())?;
		let Phase::ApplyExtrinsic(position) = event.phase() else { continue };
		if !ours.contains_key(&position) {
			continue;
		}
		let entry = found.entry(position).or_default();
		match (event.pallet_name(), event.event_name()) {
			// A batch of signed bids fails one of its deals by this event, not the extrinsic.
			("System", "ExtrinsicFailed") | ("Market", "SignedBidRefused") => {
				let decoded = sonm_client::events::decode_event(&event);
				entry.0 = Some(format!("{}: {}", event.event_name(), decoded.fields));
			},
			_ => {
				use sonm_client::runtime::market::events::{DealOpened, OrderPlaced};
				if let Some(Ok(placed)) = event.decode_fields_as::<OrderPlaced>() {
					entry.1.push(placed.id);
				} else if let Some(Ok(opened)) = event.decode_fields_as::<DealOpened>() {
					entry.1.push(opened.id);
				}
			},
		}
	}
	Ok(found)
}

fn block_number(header: &Value) -> Option<u64> {
	u64::from_str_radix(header["number"].as_str()?.trim_start_matches("0x"), 16).ok()
}

/// Once a second until stopped: our extrinsics in the pool, and the node's CPU and memory.
async fn sample(
	pid: Option<u32>,
	in_pool: Arc<AtomicUsize>,
	stop: Arc<AtomicBool>,
) -> (Vec<usize>, Vec<Reading>, Vec<Reading>) {
	let mut pool = Vec::new();
	let mut node = Vec::new();
	let mut generator = Vec::new();
	let mut tick = tokio::time::interval(Duration::from_secs(1));
	while !stop.load(Ordering::Relaxed) {
		tick.tick().await;
		pool.push(in_pool.load(Ordering::Relaxed));
		if let Some(reading) = pid.and_then(node_process::read) {
			node.push(reading);
		}
		if let Some(reading) = node_process::read(std::process::id()) {
			generator.push(reading);
		}
	}
	(pool, node, generator)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn the_drain_runs_from_the_last_submission() {
		let started = Instant::now();
		let drain = Duration::from_secs(120);
		let clock = DrainClock::new(started, drain);
		assert_eq!(clock.left(), None, "no deadline while handing out");
		assert!(!clock.past());
		// Everything sent before the hand-out ended: the drain runs from the hand-out.
		clock.sent(Duration::ZERO);
		let handed_out = started + Duration::from_secs(3);
		clock.handed_out(handed_out);
		assert_eq!(clock.deadline(), Some(handed_out + drain));
		// An account's later extrinsic went out at 117 s: the drain runs from there.
		clock.sent(Duration::from_secs(117));
		clock.sent(Duration::from_secs(50));
		assert_eq!(clock.deadline(), Some(started + Duration::from_secs(117) + drain));
		assert!(clock.left().unwrap() > Duration::from_secs(200));
		// Past its deadline nothing is left.
		let past = DrainClock::new(started, Duration::ZERO);
		past.handed_out(started);
		assert_eq!(past.left(), Some(Duration::ZERO));
		assert!(past.past());
	}

	#[test]
	fn statuses_of_a_watched_extrinsic() {
		assert_eq!(Status::of(&json!("ready")), Status::Pending);
		assert_eq!(Status::of(&json!("future")), Status::Pending);
		assert_eq!(Status::of(&json!({"broadcast": ["12D3Koo"]})), Status::Pending);
		assert_eq!(Status::of(&json!({"retracted": "0x01"})), Status::Pending);
		assert_eq!(Status::of(&json!({"inBlock": "0x01"})), Status::InBlock);
		assert_eq!(Status::of(&json!({"finalized": "0x01"})), Status::InBlock);
		assert_eq!(Status::of(&json!("invalid")), Status::Gone("invalid".into()));
		assert_eq!(Status::of(&json!("dropped")), Status::Gone("dropped".into()));
		assert_eq!(Status::of(&json!({"usurped": "0x02"})), Status::Gone("usurped".into()));
		assert_eq!(block_of(&json!({"inBlock": "0x01"})), Some("0x01"));
		assert_eq!(block_of(&json!({"finalized": "0x02"})), Some("0x02"));
		assert_eq!(block_of(&json!("ready")), None);
	}

	#[test]
	fn lost_means_accepted_and_never_accounted_for() {
		let sent = Some(Duration::from_millis(1));
		let lost = Record { submitted: sent, ..Default::default() };
		assert!(lost.accepted() && lost.lost());
		let refused =
			Record { submitted: sent, rejected: Some("1010".into()), ..Default::default() };
		assert!(!refused.accepted() && !refused.lost());
		let included = Record { submitted: sent, in_block: sent, ..Default::default() };
		assert!(!included.lost());
		let invalid =
			Record { submitted: sent, invalid: Some("invalid".into()), ..Default::default() };
		assert!(!invalid.lost());
		assert!(!Record::default().lost(), "never sent is not lost");
	}
}
