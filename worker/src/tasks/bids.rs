//! Signed bids handed to the worker (`POST /bids`): a customer signs a bid off chain and hands
//! it over; the worker checks it (signature, expiry, the order's own terms as the pallet checks
//! them, an unused nonce) and the matching rules
//! against its own free asks before it pays for anything, then opens the deal with the best of
//! them and that bid in one extrinsic (`Market::open_deal_with_signed_bid`), and takes the deal
//! up at once, so that its task may be started the moment the answer arrives.
//!
//! Two workers handed the same bid race on the chain: the nonce makes it usable once, and the
//! loser is refused by the pallet's name for it (`SignedBidUsed`), its ask still open.

use crate::{
	state::DealRecord,
	tasks::service::{TaskError, TaskService},
	telemetry::Metrics,
};
use sonm_client::{
	matching::Facts,
	runtime::market::events::DealOpened,
	signed_bid::{self, SignedBidFault},
	task_protocol::{BidAnswer, BidBody},
	types::Order,
	AccountId32, ClientError, Key, Wait,
};
use sonm_primitives::market::{check_order_terms, TermsFault};

/// What takes signed bids: the worker's key (it signs and pays for the deal's extrinsic) and
/// the metrics that count them.
pub struct BidDesk {
	key: Key,
	metrics: Metrics,
	/// One bid at a time: two bids never choose the same ask.
	one_at_a_time: tokio::sync::Mutex<()>,
}

impl BidDesk {
	pub fn new(key: Key, metrics: Metrics) -> Self {
		Self { key, metrics, one_at_a_time: tokio::sync::Mutex::new(()) }
	}
}

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
		let taken = self.open_from_bid(desk, signer, body, arrived).await;
		match &taken {
			Ok(_) => {
				desk.metrics.signed_bids_opened.inc();
				desk.metrics.signed_bid_latency.observe(arrived.elapsed().as_secs_f64());
			},
			Err(_) => desk.metrics.signed_bids_refused.inc(),
		}
		taken
	}

	async fn open_from_bid(
		&self,
		desk: &BidDesk,
		signer: &AccountId32,
		body: BidBody,
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
		let _turn = desk.one_at_a_time.lock().await;
		// What the checks read of the chain, asked at once (each a round trip to the node).
		let ((_, now), max_duration, used) = tokio::try_join!(
			self.client.now(),
			self.client.max_order_duration(),
			self.client.signed_bid_used(&bid.customer, bid.nonce),
		)
		.map_err(chain)?;
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
		let (plan, ask) = self.matching_ask(&signed_bid::bid_as_order(&bid), now).await?;
		let checked = arrived.elapsed();
		let included = match self
			.client
			.open_deal_with_signed_bid(ask.id, bid, &desk.key, Wait::InBlock, |_| {})
			.await
		{
			Ok(included) => included,
			Err(ClientError::Module { error, doc, .. }) => {
				tracing::info!(ask = ask.id, "a signed bid lost: {error}");
				return Err(BidError::ChainRefused { error, doc }.into());
			},
			Err(other) => return Err(chain(other)),
		};
		let in_block = arrived.elapsed();
		let opened = included.find::<DealOpened>().ok_or_else(|| {
			TaskError::Chain(format!("block #{} has no DealOpened", included.block_number))
		})?;
		let deal = self.client.deal(opened.id).await.map_err(chain)?;
		let record = DealRecord { plan: plan.clone(), ask: ask.id, end: deal.and_then(|d| d.end) };
		self.state
			.deal_opened(opened.id, &record)
			.map_err(|e| TaskError::Engine(e.to_string()))?;
		tracing::info!(
			deal = opened.id,
			ask = ask.id,
			%plan,
			block = included.block_number,
			checked_ms = checked.as_millis() as u64,
			in_block_ms = in_block.as_millis() as u64,
			recorded_ms = arrived.elapsed().as_millis() as u64,
			"deal opened from a signed bid"
		);
		Ok(BidAnswer {
			deal: opened.id,
			ask: ask.id,
			plan,
			block_number: included.block_number,
			block_hash: included.block_hash,
		})
	}

	/// The cheapest free ask of this worker (a plan's open ask with no deal) that makes a deal
	/// with `bid` at `now` under the market's rules, with its plan; refused with every ask's
	/// reason when none does.
	async fn matching_ask(&self, bid: &Order, now: u64) -> Result<(String, Order), TaskError> {
		let engine = |e: crate::state::StateError| TaskError::Engine(e.to_string());
		let recorded = self.state.asks().map_err(engine)?;
		let orders =
			futures::future::try_join_all(recorded.iter().map(|(_, id)| self.client.order(*id)))
				.await
				.map_err(chain)?;
		let mut asks: Vec<(String, Order)> = recorded
			.into_iter()
			.zip(orders)
			.filter_map(|((plan, _), ask)| Some((plan, ask?)))
			.collect();
		if asks.is_empty() {
			return Err(BidError::NoMatchingAsk("this worker has no free ask now".into()).into());
		}
		asks.sort_by_key(|(_, ask)| ask.price.per_second);
		let mut facts = Facts::default();
		let mut reasons = Vec::new();
		for (plan, ask) in asks {
			match self.client.check_match(&ask, bid, now, &mut facts).await.map_err(chain)? {
				Ok(_) => return Ok((plan, ask)),
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

fn chain(error: ClientError) -> TaskError {
	TaskError::Chain(error.to_string())
}
