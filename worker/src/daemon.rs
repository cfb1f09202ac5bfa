//! `sonm-worker run`: follows the chain block by block and keeps the worker's part of the market
//! true to its configuration.
//!
//! Each new best block: its market events update the bid index (a best chain that no longer
//! extends the last block seen means a re-organisation: the index is rebuilt from the node);
//! then [`Worker::reconcile`] reads the worker's open asks and deals from the chain and acts:
//! deals that appeared are recorded, deals that ended free their plan, deals are billed and
//! forward deals closed at their end, every free plan has exactly one ask on the terms of its
//! offer, and each open ask is matched against the best bids of the index. The same pass runs
//! at start, so a restart after `kill -9` reconciles the database with the chain.

use crate::{
	index::BidIndex,
	plans::Offer,
	state::{DealRecord, State},
	tasks::service::TaskService,
	telemetry::Metrics,
};
use sonm_client::{
	matching::Facts,
	runtime::{
		self,
		market::events::{DealBilled, DealClosed, DealOpened, OrderCancelled, OrderPlaced},
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_market::types::OrderTerms,
		},
	},
	types::{Deal, Order, OrderFilter},
	AccountId32, Client, ClientError, Key, Static, Wait,
};
use sonm_primitives::market::{OrderStatus, Price, Side};
use sonm_service::Shutdown;
use std::{
	collections::{HashMap, HashSet},
	str::FromStr,
	time::{Duration, Instant},
};

/// The longest wait for the next best block before a pass runs anyway: a stalled
/// subscription must not stall billing.
const HEAD_WAIT: Duration = Duration::from_secs(6);
/// How many of an ask's best candidates are checked against the full rules per block.
const CANDIDATES_PER_ASK: usize = 8;
/// Blocks between refreshes of the cached masters, identity levels and blacklists.
const FACTS_REFRESH_BLOCKS: u64 = 30;
/// The pause before trying start-up against the chain again.
const START_RETRY: Duration = Duration::from_secs(5);
/// The pause after a failed pass before the next.
const PASS_RETRY: Duration = Duration::from_secs(2);
/// Orders per page of the initial sync.
const PAGE: u32 = 1000;

/// The running worker.
pub struct Worker {
	client: Client,
	key: Key,
	me: String,
	master: Option<String>,
	accept_workers: Vec<String>,
	/// The control plane's endpoint to keep on chain, where tasks run (it changes when a
	/// worker behind NAT moves to another relay).
	endpoint: Option<tokio::sync::watch::Receiver<String>>,
	billing_period: u64,
	offers: Vec<Offer>,
	state: std::sync::Arc<State>,
	/// Deals' tasks, when the worker runs them.
	tasks: Option<std::sync::Arc<TaskService>>,
	/// Whether the tasks a crash left created but not started have been started.
	resumed_tasks: bool,
	index: BidIndex,
	metrics: Metrics,
	facts: Facts,
	/// Pairs the full rules refused (blacklist, identity, counterparty): not tried again until
	/// the facts are refreshed.
	refused: HashSet<(u64, u64)>,
	/// When each bid was first seen, for the match latency.
	seen: HashMap<u64, Instant>,
	last_block: Option<(u64, String)>,
	blocks: u64,
	/// The runtime's `SpotPrepay`: a spot deal is billed before half of it is used.
	spot_prepay: u64,
}

pub use crate::error::PassResult;
use crate::error::WorkerError;

impl Worker {
	/// Publishes `endpoint` (as it changes) as the control plane's endpoint instead of
	/// `tasks.advertise`: the libp2p address with the host's peer id, known once the host runs.
	pub fn with_endpoint(mut self, endpoint: tokio::sync::watch::Receiver<String>) -> Self {
		self.endpoint = Some(endpoint);
		self
	}

	/// A worker for `key` on `client`, selling `offers`.
	pub fn new(
		client: Client,
		key: Key,
		config: &crate::config::Config,
		offers: Vec<Offer>,
		state: std::sync::Arc<State>,
		tasks: Option<std::sync::Arc<TaskService>>,
		metrics: Metrics,
	) -> Self {
		let me = key.address();
		Self {
			client,
			key,
			me,
			master: config.master.clone(),
			accept_workers: config.accept_workers.clone(),
			endpoint: config
				.tasks
				.as_ref()
				.map(|tasks| tokio::sync::watch::channel(tasks.advertise.clone()).1),
			billing_period: config.billing_period,
			offers,
			state,
			tasks,
			resumed_tasks: false,
			index: BidIndex::new(),
			metrics,
			facts: Facts::default(),
			refused: HashSet::new(),
			seen: HashMap::new(),
			last_block: None,
			blocks: 0,
			spot_prepay: 0,
		}
	}

	/// Runs until `stop` is asked for: start-up reconciliation, then one pass per block. A
	/// pass under way when the stop comes is finished first.
	pub async fn run(mut self, stop: Shutdown) {
		loop {
			match self.start().await {
				Ok(()) => break,
				Err(error) => {
					tracing::warn!("start-up against the chain failed ({error}); retrying in 5 s");
					self.metrics.chain_connected.set(0);
					if !stop.sleep(START_RETRY).await {
						return;
					}
				},
			}
		}
		// A pass per best block, announced by subscription.
		let mut heads = None;
		loop {
			if heads.is_none() {
				heads = match self.client.api().stream_best_blocks().await {
					Ok(stream) => Some(stream),
					Err(error) => {
						tracing::warn!("no best-block subscription ({error}); passes every 6 s");
						None
					},
				};
			}
			let next_head = async {
				match heads.as_mut() {
					Some(stream) => stream.next().await,
					None => std::future::pending().await,
				}
			};
			// A failed stream, or one that ended with the connection, is made again.
			let resubscribe = tokio::select! {
				_ = stop.wait() => return,
				head = tokio::time::timeout(HEAD_WAIT, next_head) => {
					matches!(head, Ok(Some(Err(_)) | None))
				},
			};
			if resubscribe {
				heads = None;
			}
			match self.follow().await {
				Ok(()) => self.metrics.chain_connected.set(1),
				Err(error) => {
					self.metrics.chain_connected.set(0);
					tracing::warn!("chain pass failed: {error}; trying again");
					if !stop.sleep(PASS_RETRY).await {
						return;
					}
				},
			}
		}
	}

	async fn start(&mut self) -> PassResult {
		self.metrics.chain_connected.set(1);
		self.spot_prepay = self.client.spot_prepay().await?;
		self.ensure_master_link().await?;
		self.ensure_endpoint().await?;
		self.resync_index().await?;
		let (number, hash) = self.best().await?;
		self.last_block = Some((number, hash));
		self.metrics.best_block.set(number as i64);
		self.reconcile().await
	}

	/// The best block's number and hash.
	async fn best(&self) -> PassResult<(u64, String)> {
		let (number, hash) = self.client.best_block().await?;
		Ok((number, format!("{hash:?}")))
	}

	/// Processes the blocks since the last one seen, then reconciles.
	async fn follow(&mut self) -> PassResult {
		let (best, best_hash) = self.best().await?;
		let Some((mut last, mut last_hash)) = self.last_block.clone() else {
			return self.start().await;
		};
		if best <= last {
			// A same-height re-organisation shows as a new hash at the same number.
			if best == last && best_hash == last_hash {
				return Ok(());
			}
			return self.reorganised(best, best_hash).await;
		}
		while last < best {
			let number = last + 1;
			let Some((hash, parent)) = self.client.block_and_parent(number).await? else {
				// The best chain got shorter meanwhile: the next pass sees the new one.
				break;
			};
			let hash = format!("{hash:?}");
			if format!("{parent:?}") != last_hash {
				return self.reorganised(best, hash).await;
			}
			self.apply_block(&hash).await?;
			(last, last_hash) = (number, hash);
			self.last_block = Some((last, last_hash.clone()));
			self.metrics.best_block.set(last as i64);
			self.blocks += 1;
			if self.blocks.is_multiple_of(FACTS_REFRESH_BLOCKS) {
				self.facts = Facts::default();
				self.refused.clear();
			}
		}
		let finalized = format!("{:?}", self.client.finalized_hash().await?);
		self.state.set_meta("finalized", &finalized)?;
		self.reconcile().await
	}

	async fn reorganised(&mut self, number: u64, hash: String) -> PassResult {
		tracing::info!(number, %hash, "the best chain was re-organised: rebuilding the bid index");
		self.resync_index().await?;
		self.last_block = Some((number, hash));
		self.metrics.best_block.set(number as i64);
		self.reconcile().await
	}

	/// Rebuilds the bid index from the node's open bids, page by page.
	async fn resync_index(&mut self) -> PassResult {
		self.index.clear();
		let filter = OrderFilter { side: Some(Side::Bid), ..Default::default() };
		let (index, seen) = (&mut self.index, &mut self.seen);
		for_each_page(&self.client, &filter, |page| {
			for bid in page {
				seen.entry(bid.id).or_insert_with(Instant::now);
				index.insert(bid);
			}
			tracing::info!(indexed = index.len(), "syncing open bids");
		})
		.await?;
		self.metrics.indexed_bids.set(self.index.len() as i64);
		Ok(())
	}

	/// Applies one block's market events to the index.
	async fn apply_block(&mut self, hash: &str) -> PassResult {
		// Placements first, then what ends orders: a bid placed and matched or cancelled in the
		// same block is gone at the end either way.
		let events = self.client.block_events(hash).await?;
		for placed in events.find::<OrderPlaced>().filter_map(Result::ok) {
			if placed.side.0 != Side::Bid {
				continue;
			}
			if let Some(bid) = self.client.order(placed.id).await? {
				tracing::debug!(bid = placed.id, "new bid");
				self.seen.entry(placed.id).or_insert_with(Instant::now);
				self.index.insert(bid);
			}
		}
		for cancelled in events.find::<OrderCancelled>().filter_map(Result::ok) {
			self.index.remove(cancelled.id);
			self.seen.remove(&cancelled.id);
		}
		for opened in events.find::<DealOpened>().filter_map(Result::ok) {
			self.index.remove(opened.bid);
			self.seen.remove(&opened.bid);
		}
		self.metrics.indexed_bids.set(self.index.len() as i64);
		Ok(())
	}

	/// Sends the join request to the configured master when there is no link yet, and
	/// confirms the workers this account accepts as their master.
	async fn ensure_master_link(&mut self) -> PassResult {
		if let Some(master) = self.master.clone() {
			match self.client.master_link(&self.me).await? {
				Some((linked, confirmed)) if linked == master => {
					if !confirmed {
						tracing::info!(%master, "waiting for the master to confirm this worker");
					}
				},
				Some((other, _)) => tracing::warn!(
					%other, %master,
					"this account is linked to another master; `sonm worker remove` it first"
				),
				None => {
					let account = account(&master)?;
					let call = runtime::tx().market().request_master(account);
					self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await?;
					tracing::info!(%master, "asked to join the master; it confirms with `sonm worker confirm`");
				},
			}
		}
		self.confirm_accepted_workers().await
	}

	/// Publishes the control plane's endpoint on chain when the record is missing or differs
	/// from the one to publish (`tasks.advertise`, or the libp2p address as it is now).
	async fn ensure_endpoint(&mut self) -> PassResult {
		let Some(endpoint) = self.endpoint.as_ref().map(|endpoint| endpoint.borrow().clone())
		else {
			return Ok(());
		};
		if self.client.endpoint(&self.me).await?.as_deref() == Some(endpoint.as_str()) {
			return Ok(());
		}
		let call = runtime::tx().market().set_endpoint(BoundedVec(endpoint.clone().into_bytes()));
		self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await?;
		tracing::info!(%endpoint, "published the control plane's endpoint on chain");
		Ok(())
	}

	async fn confirm_accepted_workers(&mut self) -> PassResult {
		for worker in self.accept_workers.clone() {
			if let Some((master, false)) = self.client.master_link(&worker).await? {
				if master == self.me {
					let call = runtime::tx().market().confirm_worker(account(&worker)?);
					self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await?;
					tracing::info!(%worker, "confirmed the worker (master.accept_workers)");
				}
			}
		}
		Ok(())
	}

	/// One pass over the worker's deals, asks and matches against the chain's state now.
	pub async fn reconcile(&mut self) -> PassResult {
		let (_, now) = self.client.now().await?;
		if !self.accept_workers.is_empty() && self.blocks.is_multiple_of(5) {
			self.confirm_accepted_workers().await?;
		}
		// The libp2p address moved (to another relay): the record follows.
		if let Some(endpoint) = self.endpoint.as_mut() {
			if endpoint.has_changed().unwrap_or(false) {
				endpoint.mark_unchanged();
				self.ensure_endpoint().await?;
			}
		}
		let deals: Vec<Deal> = self
			.client
			.deals_of(&self.me)
			.await?
			.into_iter()
			.filter(|deal| deal.supplier == self.me)
			.collect();
		let asks = self.my_asks().await?;
		self.follow_deals(&deals, &asks).await?;
		self.reconcile_tasks(&deals, now).await;
		self.bill_and_close(&deals, now).await?;
		let asks = self.place_asks(asks).await?;
		self.metrics.open_asks.set(asks.len() as i64);
		self.match_asks(&asks, now).await
	}

	/// The worker's open asks on the chain.
	async fn my_asks(&self) -> PassResult<Vec<Order>> {
		let filter = OrderFilter {
			side: Some(Side::Ask),
			author: Some(self.me.clone()),
			status: Some(OrderStatus::Active),
		};
		let mut asks = Vec::new();
		for_each_page(&self.client, &filter, |page| asks.extend(page)).await?;
		Ok(asks)
	}

	/// Records deals that appeared, forgets deals that ended (their plans are free again).
	async fn follow_deals(&mut self, deals: &[Deal], asks: &[Order]) -> PassResult {
		let known: HashMap<u64, DealRecord> = self.state.deals()?.into_iter().collect();
		let recorded_asks: HashMap<u64, String> =
			self.state.asks()?.into_iter().map(|(plan, id)| (id, plan)).collect();
		for deal in deals {
			if known.contains_key(&deal.id) {
				continue;
			}
			let plan = recorded_asks.get(&deal.ask).cloned().or_else(|| {
				// The ask was placed just before a crash and never recorded: the plan with the
				// same price and duration that has no other deal.
				let busy: HashSet<&str> = known.values().map(|r| r.plan.as_str()).collect();
				self.offers
					.iter()
					.find(|offer| {
						offer.per_second == deal.price.per_second
							&& offer.unit == deal.price.unit
							&& !busy.contains(offer.plan.as_str())
							&& !asks.iter().any(|ask| ask.tag == offer.tag)
					})
					.map(|offer| offer.plan.clone())
			});
			let plan = plan.unwrap_or_else(|| {
				tracing::warn!(deal = deal.id, "a deal of an ask of no current plan");
				String::new()
			});
			let record = DealRecord { plan: plan.clone(), ask: deal.ask, end: deal.end };
			self.state.deal_opened(deal.id, &record)?;
			tracing::info!(deal = deal.id, %plan, customer = %deal.consumer, "deal opened");
		}
		let open: HashSet<u64> = deals.iter().map(|deal| deal.id).collect();
		for (id, record) in known {
			if !open.contains(&id) {
				self.state.deal_closed(id)?;
				tracing::info!(deal = id, plan = %record.plan, "deal closed: the plan is free again");
			}
		}
		self.metrics.open_deals.set(deals.len() as i64);
		Ok(())
	}

	/// Brings the engine in line with the chain: removes the containers of deals that are no
	/// longer open (closed for any reason, or never this worker's), keeping their output; on the
	/// first pass after a start, starts open deals' containers that a crash left created but
	/// not started (the customer's start was accepted); forgets kept output past its retention.
	/// Running tasks of open deals are never touched.
	async fn reconcile_tasks(&mut self, deals: &[Deal], now: u64) {
		let Some(tasks) = &self.tasks else { return };
		let open: HashSet<u64> = deals.iter().map(|deal| deal.id).collect();
		let prune = self.blocks.is_multiple_of(30).then_some(now);
		if tasks.reconcile(&open, !self.resumed_tasks, prune).await {
			self.resumed_tasks = true;
		}
	}

	/// Bills deals that are due (the billing period passed, or the customer's hold would run
	/// short before the next bill) and closes forward deals that reached their end.
	async fn bill_and_close(&mut self, deals: &[Deal], now: u64) -> PassResult {
		for deal in deals {
			let market = runtime::tx().market();
			if deal.end.is_some_and(|end| now >= end) {
				match self
					.client
					.submit(&market.close_deal(deal.id, false), &self.key, Wait::InBlock, |_| {})
					.await
				{
					Ok(included) => {
						self.count_billed(&included);
						tracing::info!(deal = deal.id, "forward deal closed at its end");
					},
					Err(error) => tracing::warn!(deal = deal.id, "closing failed: {error}"),
				}
				continue;
			}
			let since = now.saturating_sub(deal.billed_until);
			let spot_due = deal.end.is_none() && since >= self.spot_prepay / 2;
			if since >= self.billing_period || spot_due {
				match self
					.client
					.submit(&market.bill(deal.id), &self.key, Wait::InBlock, |_| {})
					.await
				{
					Ok(included) => {
						let paid = self.count_billed(&included);
						let closed = included.has::<DealClosed>();
						tracing::info!(deal = deal.id, paid, closed, "deal billed");
					},
					Err(error) => tracing::warn!(deal = deal.id, "billing failed: {error}"),
				}
			}
		}
		Ok(())
	}

	fn count_billed(&self, included: &sonm_client::Included) -> u128 {
		let paid = included.find::<DealBilled>().map(|event| event.amount).unwrap_or(0);
		self.metrics.billed.inc_by(u64::try_from(paid).unwrap_or(u64::MAX));
		paid
	}

	/// Keeps one ask per free plan on its offer's terms: cancels duplicates, stale terms and asks
	/// of busy plans; places what is missing, all in `place_orders` calls (one signature for as
	/// many asks as a call takes). Returns the open asks of the plans.
	async fn place_asks(&mut self, asks: Vec<Order>) -> PassResult<Vec<Order>> {
		let busy: HashSet<String> = self.state.deals()?.into_iter().map(|(_, r)| r.plan).collect();
		let mut kept = Vec::new();
		let mut missing = Vec::new();
		for offer in self.offers.clone() {
			let mine: Vec<&Order> = asks.iter().filter(|ask| ask.tag == offer.tag).collect();
			let mut keep = None;
			for ask in mine {
				if keep.is_none() && !busy.contains(&offer.plan) && offers_match(&offer, ask) {
					keep = Some(ask.clone());
					continue;
				}
				let call = runtime::tx().market().cancel_order(ask.id);
				self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await?;
				tracing::info!(ask = ask.id, plan = %offer.plan, "cancelled a duplicate or outdated ask");
			}
			if busy.contains(&offer.plan) {
				self.state.set_ask(&offer.plan, None)?;
				continue;
			}
			match keep {
				Some(ask) => {
					self.state.set_ask(&offer.plan, Some(ask.id))?;
					kept.push(ask);
				},
				None => missing.push(offer),
			}
		}
		for (offer, ask) in self.place(&missing).await? {
			self.state.set_ask(&offer.plan, Some(ask.id))?;
			kept.push(ask);
		}
		Ok(kept)
	}

	/// Places an ask for each of `offers`, as many in one `place_orders` as the runtime takes
	/// (`Market::MaxOrdersPerCall`); each offer with its placed ask.
	async fn place(&self, offers: &[Offer]) -> PassResult<Vec<(Offer, Order)>> {
		if offers.is_empty() {
			return Ok(Vec::new());
		}
		let per_call = self.client.max_orders_per_call().await?;
		let mut placed = Vec::with_capacity(offers.len());
		for batch in offers.chunks(per_call.max(1) as usize) {
			let terms = batch.iter().map(ask_terms).collect::<Result<Vec<_>, _>>()?;
			let call = runtime::tx().market().place_orders(BoundedVec(terms));
			let included = self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await?;
			let ids: Vec<u64> =
				included.find_all::<OrderPlaced>().into_iter().map(|event| event.id).collect();
			if ids.len() != batch.len() {
				return Err(WorkerError::Unexpected(format!(
					"the chain placed {} of {} asks",
					ids.len(),
					batch.len()
				)));
			}
			for (offer, id) in batch.iter().zip(ids) {
				tracing::info!(ask = id, plan = %offer.plan, block = included.block_number, "ask placed");
				let ask = self.client.order(id).await?.ok_or_else(|| {
					WorkerError::Unexpected(format!("ask {id} is gone right after placing"))
				})?;
				placed.push((offer.clone(), ask));
			}
		}
		Ok(placed)
	}

	/// Matches each open ask against the index's best candidates under the full rules and opens
	/// the deal with the first that passes.
	async fn match_asks(&mut self, asks: &[Order], now: u64) -> PassResult {
		for ask in asks {
			let candidates: Vec<Order> = self
				.index
				.candidates(ask, now)
				.filter(|bid| !self.refused.contains(&(ask.id, bid.id)))
				.take(CANDIDATES_PER_ASK)
				.cloned()
				.collect();
			for bid in candidates {
				if let Err(failure) =
					self.client.check_match(ask, &bid, now, &mut self.facts).await?
				{
					tracing::debug!(ask = ask.id, bid = bid.id, "no deal: {}", failure.name());
					self.refused.insert((ask.id, bid.id));
					continue;
				}
				self.metrics.matches_tried.inc();
				let call = runtime::tx().market().open_deal(ask.id, bid.id);
				match self.client.submit(&call, &self.key, Wait::InBlock, |_| {}).await {
					Ok(included) => {
						self.metrics.matches_won.inc();
						if let Some(seen) = self.seen.remove(&bid.id) {
							self.metrics.match_latency.observe(seen.elapsed().as_secs_f64());
						}
						self.index.remove(bid.id);
						tracing::info!(
							deal = bid.id,
							ask = ask.id,
							bid = bid.id,
							block = included.block_number,
							"deal opened by this worker"
						);
					},
					Err(ClientError::Module { error, .. }) => {
						// Another matcher (or the customer) was first, or the bid changed.
						tracing::info!(ask = ask.id, bid = bid.id, "lost the match: {error}");
						self.index.remove(bid.id);
					},
					Err(other) => return Err(other.into()),
				}
				// The ask is consumed either way or the bid is gone: next ask.
				break;
			}
		}
		Ok(())
	}
}

/// The chain's terms of an ask for `offer`.
fn ask_terms(offer: &Offer) -> PassResult<OrderTerms> {
	Ok(OrderTerms {
		side: Static(Side::Ask),
		price: Static(Price { per_second: offer.per_second, unit: offer.unit }),
		duration: offer.duration,
		counterparty: None,
		min_identity: Static(offer.min_identity),
		curator: offer.curator.as_deref().map(account).transpose()?,
		tag: BoundedVec(offer.tag.clone().into_bytes()),
		benchmarks: BoundedVec(offer.benchmarks.clone()),
		netflags: offer.netflags,
		expires_at: None,
	})
}

/// Hands every open order passing `filter` to `each_page`, a page of [`PAGE`] at a time.
async fn for_each_page(
	client: &Client,
	filter: &OrderFilter,
	mut each_page: impl FnMut(Vec<Order>),
) -> PassResult<()> {
	let mut from = 0;
	loop {
		let page = client.orders(filter, from, PAGE).await?;
		let full = page.len() as u32 == PAGE;
		let Some(last) = page.last().map(|order| order.id) else { return Ok(()) };
		each_page(page);
		if !full {
			return Ok(());
		}
		from = last + 1;
	}
}

/// Whether an open ask carries exactly `offer`'s terms.
fn offers_match(offer: &Offer, ask: &Order) -> bool {
	ask.price.per_second == offer.per_second
		&& ask.price.unit == offer.unit
		&& ask.duration == offer.duration
		&& ask.benchmarks == offer.benchmarks
		&& ask.netflags == offer.netflags
		&& ask.curator == offer.curator
		&& ask.counterparty.is_none()
		&& ask.expires_at.is_none()
		&& ask.min_identity == offer.min_identity
}

fn account(text: &str) -> PassResult<AccountId32> {
	AccountId32::from_str(text)
		.map_err(|_| WorkerError::Unexpected(format!("{text:?} is not an SS58 address")))
}
