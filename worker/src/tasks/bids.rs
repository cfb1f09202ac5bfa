//! Signed bids handed to the worker (`POST /bids`): a customer signs a bid off chain and hands
//! it over; the worker checks it (signature, expiry, the order's own terms as the pallet checks
//! them, an unused nonce) and the matching rules
//! against its own free asks before it pays for anything, then opens the deal with the best of
//! them and that bid, and takes the deal up at once, so that its task may be started the moment
//! the answer arrives.
//!
//! One extrinsic at a time carries the deals (`Market::open_deals_with_signed_bids`): a bid
//! that arrives while one is on its way waits for the next, with every other bid that arrived
//! meanwhile, each given a different free ask. A lone bid goes at once, so that a quiet worker
//! answers as fast as before, and a busy one pays one extrinsic for many deals instead of one a
//! block.
//!
//! Two workers handed the same bid race on the chain: the nonce makes it usable once, and the
//! loser is refused by the pallet's name for it (`SignedBidUsed`), its ask still open; the
//! other bids of its extrinsic open all the same.

use crate::{
	state::{DealRecord, State},
	tasks::service::{TaskError, TaskService},
	telemetry::Metrics,
};
use sonm_client::{
	matching::Facts,
	signed_bid::{self, SignedBid, SignedBidFault, SignedBidOutcome},
	task_protocol::{BidAnswer, BidBody, BidTask, TaskAnswer, TaskSpec},
	types::Order,
	AccountId32, Client, ClientError, Included, Key, Wait,
};
use sonm_primitives::market::{check_order_terms, TermsFault};
use std::sync::Arc;

/// How old the chain's time read for a bid's checks may grow (while its task's image is
/// pulled) before it is read again: a block.
const TIME_READ_STALE: std::time::Duration = std::time::Duration::from_secs(2);

/// What takes signed bids: the metrics that count them, and the queue to the task that opens
/// their deals.
pub struct BidDesk {
	metrics: Metrics,
	/// Checked bids, to the [`DealOpener`].
	queue: tokio::sync::mpsc::UnboundedSender<Waiting>,
}

impl BidDesk {
	/// Starts the task that opens deals signed by `key` (the worker's; it pays for them) on
	/// `client`'s chain and records them in `state`.
	pub fn new(key: Key, metrics: Metrics, client: Client, state: Arc<State>) -> Self {
		let (queue, waiting) = tokio::sync::mpsc::unbounded_channel();
		tokio::spawn(DealOpener { key, client, state, per_extrinsic: None }.run(waiting));
		Self { metrics, queue }
	}
}

/// A checked bid waiting for an extrinsic, and where its answer goes.
struct Waiting {
	bid: SignedBid,
	/// The chain's time when it was checked.
	now: u64,
	arrived: std::time::Instant,
	answer: Answer,
}

/// Where a bid's answer goes.
type Answer = tokio::sync::oneshot::Sender<Result<BidAnswer, TaskError>>;

/// Why a signed bid made no deal.
#[derive(Debug, thiserror::Error)]
pub enum BidError {
	/// The bid itself is refused (malformed, a bad signature, expired, used, an ask).
	#[error("{0}")]
	Fault(#[from] SignedBidFault),
	/// The bid's own terms could not be placed (the pallet's rules for any order).
	#[error("the bid's terms cannot be placed: {}", .0.name())]
	Terms(TermsFault),
	/// The request's signer is not the bid's customer.
	#[error("the request is signed by {signer}, the bid by {customer}: a customer hands over only its own bids")]
	NotTheCustomer { signer: String, customer: String },
	/// No free ask of this worker matches it.
	#[error("{0}")]
	NoMatchingAsk(String),
	/// The chain refused the deal (another worker was first: `SignedBidUsed`).
	#[error("the chain refused the deal: {error}: {doc}")]
	ChainRefused { error: String, doc: String },
	/// This worker takes no signed bids.
	#[error("this worker takes no signed bids")]
	NotTaken,
}

impl BidError {
	/// Its name in a refusal: the pallet's, where the chain or the same check refused it.
	pub fn name(&self) -> &str {
		match self {
			Self::Fault(fault) => fault.name(),
			Self::Terms(fault) => fault.name(),
			Self::NotTheCustomer { .. } => "NotTheCustomer",
			Self::NoMatchingAsk(_) => "NoMatchingAsk",
			Self::ChainRefused { error, .. } => error,
			Self::NotTaken => "NoRoute",
		}
	}

	/// The status the protocol answers it with.
	pub fn status(&self) -> u16 {
		match self {
			Self::Fault(_) | Self::Terms(_) => 400,
			Self::NotTheCustomer { .. } => 403,
			Self::NoMatchingAsk(_) | Self::ChainRefused { .. } => 409,
			Self::NotTaken => 404,
		}
	}
}

impl TaskService {
	/// Takes `body`'s signed bid from `signer` (the request's verified signer): checks it,
	/// opens the deal with the cheapest free ask of this worker that matches it, and records
	/// the deal for the ask's plan; counted in the metrics either way.
	pub(crate) async fn take_bid(
		&self,
		signer: &AccountId32,
		body: BidBody,
	) -> Result<BidAnswer, TaskError> {
		let desk = self.bids.as_ref().ok_or(BidError::NotTaken)?;
		let arrived = std::time::Instant::now();
		let taken = self.open_from_bid(desk, signer, &body, arrived).await;
		match &taken {
			Ok(_) => {
				desk.metrics.signed_bids_opened.inc();
				desk.metrics.signed_bid_latency.observe(arrived.elapsed().as_secs_f64());
			},
			Err(_) => desk.metrics.signed_bids_refused.inc(),
		}
		let mut answer = taken?;
		if let Some(spec) = body.task {
			answer.task = Some(self.start_bids_task(&answer, signer, spec, arrived).await);
		}
		Ok(answer)
	}

	/// Starts the task a signed bid came with on the deal it opened (`answer`'s), already
	/// checked with the bid: no second look at the chain or the image policy.
	async fn start_bids_task(
		&self,
		answer: &BidAnswer,
		customer: &AccountId32,
		spec: TaskSpec,
		arrived: std::time::Instant,
	) -> BidTask {
		let customer = customer.to_string();
		match self.launch(answer.deal, &customer, &answer.plan, spec).await {
			Ok(TaskAnswer { task: Some(state), .. }) => {
				tracing::info!(
					deal = answer.deal,
					running_ms = arrived.elapsed().as_millis() as u64,
					"the signed bid's task started"
				);
				BidTask::Started(state)
			},
			Ok(TaskAnswer { task: None, .. }) => BidTask::Refused(
				TaskError::Engine("the engine lost the task as it started".into()).as_refusal(),
			),
			Err(error) => {
				tracing::warn!(deal = answer.deal, "the signed bid's task did not start: {error}");
				BidTask::Refused(error.as_refusal())
			},
		}
	}

	async fn open_from_bid(
		&self,
		desk: &BidDesk,
		signer: &AccountId32,
		body: &BidBody,
		arrived: std::time::Instant,
	) -> Result<BidAnswer, TaskError> {
		let bid = signed_bid::decode_bid(&body.signed_bid).map_err(BidError::from)?;
		if bid.customer != *signer {
			return Err(BidError::NotTheCustomer {
				signer: signer.to_string(),
				customer: bid.customer.to_string(),
			}
			.into());
		}
		signed_bid::check_signed_bid(&self.client.genesis_hash(), &bid).map_err(BidError::from)?;
		// The bid's task is checked before anything is paid for: a deal whose task the worker
		// would refuse is never opened.
		if let Some(spec) = &body.task {
			self.check_task_shape(spec)?;
		}
		let customer = bid.customer.to_string();
		let task_checked = async {
			match &body.task {
				Some(spec) => self.check_task_image(&customer, spec).await,
				None => Ok(()),
			}
		};
		// What the checks read of the chain, asked at once (each a round trip to the node),
		// beside the task's image checks.
		let (read, task_checked) = tokio::join!(
			async {
				tokio::try_join!(
					self.client.now(),
					self.client.max_order_duration(),
					self.client.signed_bid_used(&bid.customer, bid.nonce),
				)
			},
			task_checked,
		);
		let ((_, mut now), max_duration, used) = read.map_err(chain)?;
		task_checked?;
		// A pull of the task's image may have taken a while: the expiry is judged by the
		// chain's time after it, so that the worker never pays for a deal the chain refuses.
		if arrived.elapsed() > TIME_READ_STALE {
			(_, now) = self.client.now().await.map_err(chain)?;
		}
		if bid.expires_at <= now {
			let fault = SignedBidFault::SignedBidExpired { expires_at: bid.expires_at, now };
			return Err(BidError::from(fault).into());
		}
		let terms = &bid.terms;
		check_order_terms(
			terms.benchmarks.0.len(),
			terms.netflags,
			terms.price.0.per_second == 0,
			terms.duration,
			max_duration,
			terms.expires_at,
			now,
		)
		.map_err(BidError::Terms)?;
		if used {
			let fault = SignedBidFault::SignedBidUsed {
				customer: bid.customer.to_string(),
				nonce: bid.nonce,
			};
			return Err(BidError::from(fault).into());
		}
		let (answer, answered) = tokio::sync::oneshot::channel();
		let waiting = Waiting { bid, now, arrived, answer };
		if desk.queue.send(waiting).is_err() {
			return Err(TaskError::Engine("the worker no longer opens deals".into()));
		}
		answered.await.unwrap_or_else(|_| {
			Err(TaskError::Engine("the worker stopped before the bid's deal was opened".into()))
		})
	}
}

/// The task that opens the deals of checked bids, one extrinsic at a time: it takes every bid
/// waiting when the last extrinsic is in a block (as many as one takes), gives each its own
/// free ask and sends them together. It runs apart from the requests, so that a customer who
/// hangs up never abandons another's bid half way.
struct DealOpener {
	key: Key,
	client: Client,
	state: Arc<State>,
	/// How many one extrinsic takes (the runtime's `Market::MaxOrdersPerCall`), once read.
	per_extrinsic: Option<usize>,
}

impl DealOpener {
	async fn run(mut self, mut waiting: tokio::sync::mpsc::UnboundedReceiver<Waiting>) {
		while let Some(first) = waiting.recv().await {
			let mut batch = vec![first];
			let most = match self.per_extrinsic {
				Some(most) => most,
				None => match self.client.max_orders_per_call().await {
					Ok(most) => *self.per_extrinsic.insert(most.max(1) as usize),
					Err(error) => {
						let error = error.to_string();
						answer_all(batch.into_iter().map(|w| w.answer), || {
							TaskError::Chain(error.clone())
						});
						continue;
					},
				},
			};
			while batch.len() < most {
				match waiting.try_recv() {
					Ok(next) => batch.push(next),
					Err(_) => break,
				}
			}
			self.open(batch).await;
		}
	}

	/// Opens the deals of `batch` in one extrinsic and answers each bid.
	async fn open(&self, batch: Vec<Waiting>) {
		let Some(now) = batch.iter().map(|waiting| waiting.now).max() else { return };
		let mut free = match self.free_asks().await {
			Ok(free) => free,
			Err(error) => {
				return answer_all(batch.into_iter().map(|w| w.answer), || error.task_error())
			},
		};
		// Each bid its own free ask: the cheapest that matches and no earlier bid took.
		let mut facts = Facts::default();
		let (mut pairs, mut going) = (Vec::new(), Vec::new());
		for waiting in batch {
			let bid = signed_bid::bid_as_order(&waiting.bid);
			match self.matching_ask(&mut free, &bid, now, &mut facts).await {
				Ok((plan, ask)) => {
					pairs.push((ask.id, waiting.bid));
					going.push((waiting.answer, waiting.arrived, plan, ask));
				},
				Err(error) => {
					let _ = waiting.answer.send(Err(error));
				},
			}
		}
		if going.is_empty() {
			return;
		}
		let (included, outcomes) = match self
			.client
			.open_deals_with_signed_bids(pairs, &self.key, Wait::InBlock, |_| {})
			.await
		{
			Ok(opened) => opened,
			Err(error) => {
				let error = error.to_string();
				let answers = going.into_iter().map(|(answer, ..)| answer);
				return answer_all(answers, || TaskError::Chain(error.clone()));
			},
		};
		let count = going.len();
		for ((answer, arrived, plan, ask), outcome) in going.into_iter().zip(outcomes) {
			let answer_for = match outcome {
				SignedBidOutcome::Opened { deal, .. } => {
					self.take_up(deal, plan, &ask, &included, arrived, count).await
				},
				SignedBidOutcome::Refused { error, doc } => {
					tracing::info!(ask = ask.id, "a signed bid lost: {error}");
					Err(BidError::ChainRefused { error, doc }.into())
				},
			};
			let _ = answer.send(answer_for);
		}
	}

	/// Records deal `id` (opened with `ask` of `plan` in `included`'s block) for its plan, and
	/// the answer its bid gets.
	async fn take_up(
		&self,
		id: u64,
		plan: String,
		ask: &Order,
		included: &Included,
		arrived: std::time::Instant,
		with: usize,
	) -> Result<BidAnswer, TaskError> {
		let in_block = arrived.elapsed();
		let deal = self.client.deal(id).await.map_err(chain)?;
		let record = DealRecord { plan: plan.clone(), ask: ask.id, end: deal.and_then(|d| d.end) };
		self.state
			.deal_opened(id, &record)
			.map_err(|e| TaskError::Engine(e.to_string()))?;
		tracing::info!(
			deal = id,
			ask = ask.id,
			%plan,
			block = included.block_number,
			deals_in_extrinsic = with,
			in_block_ms = in_block.as_millis() as u64,
			recorded_ms = arrived.elapsed().as_millis() as u64,
			"deal opened from a signed bid"
		);
		Ok(BidAnswer {
			deal: id,
			ask: ask.id,
			plan,
			block_number: included.block_number,
			block_hash: included.block_hash.clone(),
			task: None,
		})
	}

	/// This worker's free asks (its plans' open asks with no deal), each with its plan,
	/// cheapest first.
	async fn free_asks(&self) -> Result<Vec<(String, Order)>, AskReadError> {
		let recorded = self.state.asks().map_err(|e| AskReadError::State(e.to_string()))?;
		let orders =
			futures::future::try_join_all(recorded.iter().map(|(_, id)| self.client.order(*id)))
				.await
				.map_err(|e| AskReadError::Chain(e.to_string()))?;
		let mut asks: Vec<(String, Order)> = recorded
			.into_iter()
			.zip(orders)
			.filter_map(|((plan, _), ask)| Some((plan, ask?)))
			.collect();
		asks.sort_by_key(|(_, ask)| ask.price.per_second);
		Ok(asks)
	}

	/// The cheapest of the `free` asks that makes a deal with `bid` at `now` under the
	/// market's rules, with its plan, taken out of `free`; refused with every ask's reason when
	/// none does. `facts` keeps what the rules read of the chain for the next bid.
	async fn matching_ask(
		&self,
		free: &mut Vec<(String, Order)>,
		bid: &Order,
		now: u64,
		facts: &mut Facts,
	) -> Result<(String, Order), TaskError> {
		if free.is_empty() {
			return Err(BidError::NoMatchingAsk("this worker has no free ask now".into()).into());
		}
		let mut reasons = Vec::new();
		for at in 0..free.len() {
			let (plan, ask) = &free[at];
			match self.client.check_match(ask, bid, now, facts).await.map_err(chain)? {
				Ok(_) => return Ok(free.remove(at)),
				Err(failure) => {
					reasons.push(format!("ask {} ({plan}): {}", ask.id, failure.name()))
				},
			}
		}
		Err(BidError::NoMatchingAsk(format!(
			"no free ask of this worker matches the bid: {}",
			reasons.join("; ")
		))
		.into())
	}
}

/// Why the worker's free asks could not be read: its own database or the chain.
enum AskReadError {
	State(String),
	Chain(String),
}

impl AskReadError {
	/// The refusal each waiting bid gets for it.
	fn task_error(&self) -> TaskError {
		match self {
			Self::State(error) => TaskError::Engine(error.clone()),
			Self::Chain(error) => TaskError::Chain(error.clone()),
		}
	}
}

/// Answers every bid of `answers` with `error()`.
fn answer_all(answers: impl IntoIterator<Item = Answer>, error: impl Fn() -> TaskError) {
	for answer in answers {
		let _ = answer.send(Err(error()));
	}
}

fn chain(error: ClientError) -> TaskError {
	TaskError::Chain(error.to_string())
}
