//! Following the chain: finalized blocks only, from the stored cursor on, read in parallel
//! within a bounded window and written one by one in order. A node that goes away is waited
//! for (and said so in `/health`); nothing is skipped when it comes back.

use crate::{
	read::{read_block, ReadError},
	store::{Store, StoreError},
	telemetry::IndexerMetrics,
	write::{write_block, Written},
};
use futures::StreamExt;
use sonm_client::Client;
use sonm_service::Shutdown;
use std::{
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use tokio::sync::RwLock;

/// No block indexed, or no finalized block known.
const NONE: u64 = u64::MAX;
/// How long the follower waits, once caught up, for the node to announce a finalized block
/// before it asks anyway (announcements wake it at once; this covers a subscription the node
/// dropped).
const POLL: Duration = Duration::from_secs(2);
/// How often progress is logged while behind, and once caught up.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
const PROGRESS_CAUGHT_UP: Duration = Duration::from_secs(60);
/// How long one question to the node may take before the node counts as not answering (the
/// reconnecting client holds calls while it reconnects, which can be forever).
const NODE_PATIENCE: Duration = Duration::from_secs(10);
/// How long reading one block may take.
const READ_PATIENCE: Duration = Duration::from_secs(60);

/// What the follower shares with the API and `/health`.
#[derive(Default)]
pub struct FollowState {
	indexed: AtomicU64,
	/// The last written block's hash, hex.
	indexed_hash: std::sync::Mutex<Option<String>>,
	finalized: AtomicU64,
	connected: AtomicBool,
	/// The node's client once connected (the API asks it the facts matching reads).
	pub client: RwLock<Option<Client>>,
	pub genesis: RwLock<Option<String>>,
	/// What the matching rules asked the node (masters, identity levels, blacklists), kept for
	/// the block they were asked at: answers to `/orders/{id}/matches` share them until the
	/// next block is written.
	pub facts: tokio::sync::Mutex<(Option<String>, sonm_client::matching::Facts)>,
}

impl FollowState {
	pub fn new() -> Arc<Self> {
		let state = Self::default();
		state.indexed.store(NONE, Ordering::Relaxed);
		state.finalized.store(NONE, Ordering::Relaxed);
		Arc::new(state)
	}

	pub fn indexed(&self) -> Option<u64> {
		Some(self.indexed.load(Ordering::Relaxed)).filter(|n| *n != NONE)
	}

	/// The last written block's hash (hex).
	pub fn indexed_hash(&self) -> Option<String> {
		self.indexed_hash.lock().expect("not poisoned").clone()
	}

	/// Records block `number` with hash `hash` (hex) as the last written.
	pub fn mark_indexed(&self, number: u64, hash: &str) {
		*self.indexed_hash.lock().expect("not poisoned") = Some(hash.to_owned());
		self.indexed.store(number, Ordering::Relaxed);
	}

	pub fn finalized(&self) -> Option<u64> {
		Some(self.finalized.load(Ordering::Relaxed)).filter(|n| *n != NONE)
	}

	pub fn connected(&self) -> bool {
		self.connected.load(Ordering::Relaxed)
	}

	/// Finalized blocks not written yet (`None` before the first answer of the node).
	pub fn lag(&self) -> Option<u64> {
		let finalized = self.finalized()?;
		Some(match self.indexed() {
			Some(indexed) => finalized.saturating_sub(indexed),
			None => finalized + 1,
		})
	}
}

/// How the follower runs.
#[derive(Clone, Debug)]
pub struct FollowOptions {
	pub chain: String,
	/// Blocks read at once while behind.
	pub window: usize,
}

/// Why following stopped for good.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error(transparent)]
	Read(#[from] ReadError),
}

/// Follows the chain until `stop`. Node outages are waited out; a database error, or state the
/// node no longer has, ends it.
pub async fn follow(
	options: FollowOptions,
	store: Store,
	state: Arc<FollowState>,
	metrics: IndexerMetrics,
	stop: Shutdown,
) -> Result<(), FollowError> {
	if let Some(cursor) = store.cursor().await? {
		state.mark_indexed(cursor.block, &cursor.hash);
		metrics.indexed_block.set(cursor.block as i64);
		tracing::info!(block = cursor.block, hash = %cursor.hash, "resuming after the stored cursor");
	}
	let client = loop {
		match Client::connect(&options.chain).await {
			Ok(client) => break client,
			Err(error) => {
				tracing::warn!(chain = %options.chain, %error, "waiting for the node");
				if !stop.sleep(Duration::from_secs(2)).await {
					return Ok(());
				}
			},
		}
	};
	let genesis = format!("0x{}", hex(&client.genesis_hash()));
	store.check_genesis(&genesis).await?;
	*state.genesis.write().await = Some(genesis.clone());
	*state.client.write().await = Some(client.clone());
	let mut progress = Progress::new();
	// Announcements of finality wake the follower the moment they come, so that once caught up
	// it lags finality only by the time one block takes to read and write.
	let mut announced = None;
	while !stop.requested() {
		let asked = tokio::time::timeout(NODE_PATIENCE, client.finalized_block()).await;
		let finalized = match asked.unwrap_or_else(|_| {
			Err(sonm_client::ClientError::Connection {
				url: options.chain.clone(),
				message: format!("no answer within {NODE_PATIENCE:?}"),
			})
		}) {
			Ok((number, _)) => number,
			Err(error) => {
				if state.connected.swap(false, Ordering::Relaxed) {
					tracing::warn!(%error, "the node does not answer; waiting for it");
				}
				metrics.node_connected.set(0);
				if !stop.sleep(Duration::from_secs(1)).await {
					break;
				}
				continue;
			},
		};
		if !state.connected.swap(true, Ordering::Relaxed) {
			tracing::info!(finalized, "the node answers");
		}
		if announced.is_none() {
			announced = tokio::time::timeout(NODE_PATIENCE, client.finalized_numbers())
				.await
				.ok()
				.and_then(Result::ok);
		}
		metrics.node_connected.set(1);
		state.finalized.store(finalized, Ordering::Relaxed);
		metrics.finalized_block.set(finalized as i64);
		let next = state.indexed().map_or(0, |n| n + 1);
		metrics.lag.set(state.lag().unwrap_or(0) as i64);
		if next > finalized {
			let Some(numbers) = announced.as_mut() else {
				if !stop.sleep(POLL).await {
					break;
				}
				continue;
			};
			tokio::select! {
				announcement = tokio::time::timeout(POLL, numbers.next()) => {
					if let Ok(None) = announcement {
						// The subscription ended with the connection: a new one once the node
						// answers again, asking every POLL meanwhile.
						announced = None;
					}
				},
				_ = stop.wait() => break,
			}
			continue;
		}
		let mut blocks = futures::stream::iter(next..=finalized)
			.map(|number| {
				let client = client.clone();
				async move {
					let read =
						tokio::time::timeout(READ_PATIENCE, read_block(&client, number)).await;
					(
						number,
						read.unwrap_or(Err(ReadError::Node {
							block: number,
							message: "no answer in time".into(),
						})),
					)
				}
			})
			.buffered(options.window.max(1));
		while let Some((number, read)) = blocks.next().await {
			let block = match read {
				Ok(block) => block,
				Err(error @ ReadError::StateDiscarded { .. }) => return Err(error.into()),
				Err(error) => {
					tracing::warn!(block = number, %error, "reading a block failed; trying again");
					metrics.read_errors.inc();
					// The node may be gone: the next round asks it again and says so.
					state.connected.store(false, Ordering::Relaxed);
					metrics.node_connected.set(0);
					if !stop.sleep(Duration::from_secs(1)).await {
						return Ok(());
					}
					break;
				},
			};
			match write_block(&store, &genesis, &block).await? {
				Written::Rows(rows) => metrics.rows_written.inc_by(rows),
				Written::AlreadyWritten => {
					tracing::warn!(block = number, "already written; skipped")
				},
			}
			state.mark_indexed(number, &block.hash);
			metrics.indexed_block.set(number as i64);
			metrics.blocks.inc();
			let behind = finalized.saturating_sub(number);
			metrics.lag.set(behind as i64);
			progress.block(number, behind, &metrics);
			if stop.requested() {
				break;
			}
		}
	}
	tracing::info!(block = ?state.indexed(), "stopped");
	Ok(())
}

/// Log lines with counts and a blocks/s gauge while catching up.
struct Progress {
	since: Instant,
	blocks: u64,
}

impl Progress {
	fn new() -> Self {
		Self { since: Instant::now(), blocks: 0 }
	}

	fn block(&mut self, number: u64, behind: u64, metrics: &IndexerMetrics) {
		self.blocks += 1;
		let elapsed = self.since.elapsed();
		if elapsed < if behind > 0 { PROGRESS_EVERY } else { PROGRESS_CAUGHT_UP } {
			return;
		}
		let rate = self.blocks as f64 / elapsed.as_secs_f64();
		metrics.blocks_per_second.set(rate.round() as i64);
		tracing::info!(block = number, behind, blocks_per_second = format!("{rate:.1}"), "indexed");
		*self = Self::new();
	}
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}
