//! The task service: a deal's task from its start to its removal, whatever carries the
//! customer's requests. It checks a signed request (signature, body, time window, replay, and
//! who the signer is to the deal), answers the task protocol's requests
//! (`sonm_client::task_protocol`), removes a deal's task and volume when the deal ends, and
//! reconciles the engine with the chain after a restart. Transports (the HTTP control plane,
//! [`super::control`]) only carry requests and answers.

use crate::{
	state::State,
	tasks::{
		allow::{ImagePolicy, ImageRefused},
		bids::{BidDesk, BidError},
		bounds::Bounds,
		engine::{Engine, ExecSession, Registry, TaskSpec},
		limits::{limits_for, Always},
		logs::{Pager, Window},
	},
};
use futures::StreamExt;
use sonm_client::{
	signed_bid::SignedBidFault,
	task_auth::{AuthError, NonceCache, SignedRequest},
	task_protocol::{
		ExecBody, ExecEnd, ExecEvent, LogsAnswer, ParseError, Refusal, RelayAnswer, RelayBody,
		StopAnswer, TaskAnswer, TaskRequest, LOG_PAGE_BYTES,
	},
	AccountId32, Client,
};
use std::{
	collections::{HashMap, HashSet},
	ops::RangeInclusive,
	str::FromStr,
	sync::{Arc, Mutex},
};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Followed output as it comes: a page per new piece, the last when the task has ended.
pub type LogPages = mpsc::Receiver<LogsAnswer>;

/// How often a followed task's output is read again when nothing new was there.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// An exec's answer as it comes: output events, then how it ended.
pub type ExecEvents = mpsc::Receiver<ExecEvent>;

/// Whether the SS58 text `account` names the 32-byte account `id` (in any SS58 spelling).
pub(crate) fn same_account(account: &str, id: &AccountId32) -> bool {
	AccountId32::from_str(account).is_ok_and(|parsed| parsed == *id)
}

/// The smallest volume a deal's storage makes: room for ext4's own bookkeeping and some data.
pub const MIN_VOLUME: u64 = 16 << 20;

/// Who is asking, once the signature checked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
	/// The deal's consumer: may do everything.
	Customer,
	/// The deal's supplier or its payee: may read the status only.
	Supplier,
}

/// Why a request was refused or failed, each with the protocol's name for it.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
	/// The signature, body, time window or nonce did not check out, or the signer may not.
	#[error("{0}")]
	Auth(#[from] AuthError),
	/// No open deal, and no output kept for a closed one.
	#[error("{0}")]
	NoDeal(String),
	/// The deal is another worker's.
	#[error("{0}")]
	NotThisWorker(String),
	/// The worker has not taken the deal up yet (a block or two after it opened).
	#[error("the worker has not taken up deal {0} yet; try again in a block")]
	DealNotReady(u64),
	/// The deal has a task already.
	#[error("deal {0} already has a task: stop it first")]
	TaskExists(u64),
	/// The method and path name no request of the protocol.
	#[error("{0}")]
	NoRoute(String),
	/// A forward to a port the task does not publish (or a task that does not run).
	#[error("{0}")]
	NotPublished(String),
	/// The task's request is malformed (no image, a bad volume path, bad JSON).
	#[error("{0}")]
	BadTask(String),
	/// The task asks to publish more ports than a deal may.
	#[error("{0}")]
	TooManyPorts(String),
	/// The exec request is malformed (or asks for more time than the worker gives).
	#[error("{0}")]
	BadExec(String),
	/// The deal (or the worker) runs as many execs as it may at once.
	#[error("{0}")]
	TooManyExecs(String),
	/// The request's body did not arrive in time.
	#[error("{0}")]
	SlowRequest(String),
	/// The image policy refuses the image for this customer.
	#[error("{0}")]
	ImageNotAllowed(#[from] ImageRefused),
	/// The image is not in the store and the worker does not pull it.
	#[error("{0}")]
	ImageUnavailable(String),
	/// Pulling the image failed.
	#[error("{0}")]
	PullFailed(String),
	/// The deal's plan is gone from the worker's configuration.
	#[error("the deal's plan is gone")]
	NoPlan,
	/// The deal's terms make no container (e.g. limits out of range).
	#[error("{0}")]
	BadTerms(String),
	/// The deal's storage is too small for a volume.
	#[error("{0}")]
	NoStorage(String),
	/// Not enough free host ports to publish.
	#[error("{0}")]
	NoFreePorts(String),
	/// The chain could not be read.
	#[error("{0}")]
	Chain(String),
	/// A relay request to a worker that sells no relaying, or about a deal on another plan.
	#[error("{0}")]
	NotRelay(String),
	/// The container engine or the worker's database failed.
	#[error("{0}")]
	Engine(String),
	/// A signed bid made no deal.
	#[error("{0}")]
	Bid(#[from] BidError),
}

impl TaskError {
	/// The protocol's name for it (`ImageNotAllowed`, `BadSignature`, ...).
	pub fn name(&self) -> &str {
		match self {
			Self::Auth(error) => error.name(),
			Self::NoDeal(_) => "NoDeal",
			Self::NotThisWorker(_) => "NotThisWorker",
			Self::DealNotReady(_) => "DealNotReady",
			Self::TaskExists(_) => "TaskExists",
			Self::NoRoute(_) => "NoRoute",
			Self::NotPublished(_) => "NotPublished",
			Self::BadTask(_) => "BadTask",
			Self::TooManyPorts(_) => "TooManyPorts",
			Self::BadExec(_) => "BadExec",
			Self::TooManyExecs(_) => "TooManyExecs",
			Self::SlowRequest(_) => "SlowRequest",
			Self::ImageNotAllowed(_) => "ImageNotAllowed",
			Self::ImageUnavailable(_) => "ImageUnavailable",
			Self::PullFailed(_) => "PullFailed",
			Self::NoPlan => "NoPlan",
			Self::BadTerms(_) => "BadTerms",
			Self::NoStorage(_) => "NoStorage",
			Self::NoFreePorts(_) => "NoFreePorts",
			Self::Chain(_) => "Chain",
			Self::NotRelay(_) => "NotRelay",
			Self::Engine(_) => "Engine",
			Self::Bid(error) => error.name(),
		}
	}
}

impl TaskError {
	/// The status the protocol answers it with (HTTP's codes, on every transport).
	pub fn status(&self) -> u16 {
		match self {
			Self::Auth(AuthError::NotAllowed { .. }) | Self::ImageNotAllowed(_) => 403,
			Self::Auth(AuthError::TooManyRequests(_)) | Self::TooManyExecs(_) => 429,
			Self::Auth(_) => 401,
			Self::NoRoute(_) | Self::NoDeal(_) | Self::NotThisWorker(_) => 404,
			Self::NotPublished(_) => 404,
			Self::ImageUnavailable(_) => 404,
			Self::DealNotReady(_) | Self::NoFreePorts(_) => 503,
			Self::TaskExists(_) | Self::NoPlan | Self::BadTerms(_) | Self::NoStorage(_) => 409,
			Self::NotRelay(_) => 409,
			Self::BadTask(_) | Self::BadExec(_) | Self::TooManyPorts(_) => 400,
			Self::SlowRequest(_) => 408,
			Self::PullFailed(_) | Self::Chain(_) | Self::Engine(_) => 502,
			Self::Bid(error) => error.status(),
		}
	}

	/// The refusal it is answered with: its name and what it means.
	pub fn as_refusal(&self) -> Refusal {
		Refusal { error: self.name().into(), message: self.to_string() }
	}

	/// The refusal's JSON, as every transport sends it.
	pub fn refusal(&self) -> Vec<u8> {
		serde_json::to_vec(&self.as_refusal()).expect("a refusal serializes")
	}
}

impl From<ParseError> for TaskError {
	fn from(error: ParseError) -> Self {
		match error {
			ParseError::NoRoute(message) => Self::NoRoute(message),
			ParseError::BadTask(message) => Self::BadTask(message),
			ParseError::BadExec(message) => Self::BadExec(message),
			ParseError::BadBid(message) => {
				Self::Bid(BidError::Fault(SignedBidFault::Malformed(message)))
			},
		}
	}
}

/// A reply as every transport carries it: its status, whether its body is a stream of JSON
/// lines (an exec's events) rather than one JSON value, and the body, in pieces as they come.
pub struct Reply {
	pub status: u16,
	pub lines: bool,
	pub body: futures::stream::BoxStream<'static, Vec<u8>>,
}

impl Reply {
	/// A reply of one JSON body.
	fn json(status: u16, body: Vec<u8>) -> Self {
		Self { status, lines: false, body: futures::stream::once(async move { body }).boxed() }
	}
}

impl From<TaskError> for Reply {
	fn from(error: TaskError) -> Self {
		Self::json(error.status(), error.refusal())
	}
}

fn engine_error(error: impl ToString) -> TaskError {
	TaskError::Engine(error.to_string())
}

/// A protocol answer.
#[derive(Debug)]
pub enum Answer {
	/// A task started (the transport says "created").
	Started(TaskAnswer),
	Status(TaskAnswer),
	Logs(LogsAnswer),
	/// Followed output, page by page as it comes.
	FollowedLogs(LogPages),
	/// An exec's events, as they come.
	Exec(ExecEvents),
	Stop(StopAnswer),
	Relay(RelayAnswer),
}

impl Answer {
	/// The answer's JSON; `None` for an exec and followed logs, carried piece by piece.
	pub fn to_json(&self) -> Option<serde_json::Value> {
		let json = match self {
			Self::Started(answer) | Self::Status(answer) => serde_json::to_value(answer),
			Self::Logs(answer) => serde_json::to_value(answer),
			Self::Exec(_) | Self::FollowedLogs(_) => return None,
			Self::Stop(answer) => serde_json::to_value(answer),
			Self::Relay(answer) => serde_json::to_value(answer),
		};
		Some(json.expect("the protocol's answers serialize"))
	}
}

/// A deal's tasks on this worker, from start to removal.
pub struct TaskService {
	/// The chain, to read deals and identity levels.
	pub client: Client,
	/// The container engine.
	pub engine: Engine,
	/// The worker's database: deals' plans and kept logs.
	pub state: std::sync::Arc<State>,
	/// This worker's account (SS58).
	pub me: String,
	/// The same, as its 32 bytes.
	me_id: AccountId32,
	/// Which images customers may run.
	pub policy: ImagePolicy,
	/// Host ports tasks may publish on.
	pub ports: RangeInclusive<u16>,
	/// Limits every task has.
	pub always: Always,
	/// Each plan's ask benchmarks and network flags, by plan name.
	pub plans: Vec<(String, Vec<u64>, u8)>,
	/// Where images missing from the engine's store are pulled from.
	pub registry: Option<Registry>,
	/// Seconds a removed task's output stays readable.
	pub log_retention: u64,
	/// What one deal may take of the worker.
	pub bounds: Bounds,
	nonces: Mutex<NonceCache>,
	/// Execs running, per deal and in all.
	execs_per_deal: Mutex<HashMap<u64, Arc<Semaphore>>>,
	execs_in_all: Arc<Semaphore>,
	/// Held from choosing a start's host ports until its container holds them, so that two
	/// starts never choose the same port.
	port_choice: tokio::sync::Mutex<()>,
	/// When the worker sells relaying: the plans that sell it, and the peers its buyers named.
	pub relaying: Option<(Vec<String>, sonm_p2p::host::Buyers)>,
	/// When the worker takes signed bids (`POST /bids`): its key, which pays for the deals.
	pub bids: Option<BidDesk>,
}

/// Where the peers relay deals' buyers named are kept (deal id to peer id).
const RELAY_BUYERS: &str = "relay_buyers";

impl TaskService {
	/// A task service over `engine` for the worker `me`, as `settings` say, selling `plans`.
	pub fn new(
		client: Client,
		engine: Engine,
		state: std::sync::Arc<State>,
		me: String,
		settings: &crate::config::Tasks,
		plans: Vec<(String, Vec<u64>, u8)>,
	) -> Self {
		let me_id = AccountId32::from_str(&me).expect("the worker's own account is SS58");
		Self {
			client,
			engine,
			state,
			me,
			me_id,
			policy: settings.policy.clone(),
			ports: settings.ports.clone(),
			always: Always { pids: settings.pids, ..Always::default() },
			plans,
			registry: settings.registry.clone(),
			log_retention: settings.log_retention,
			bounds: settings.bounds,
			nonces: Mutex::new(NonceCache::default()),
			execs_per_deal: Mutex::new(HashMap::new()),
			execs_in_all: Arc::new(Semaphore::new(settings.bounds.execs_in_all)),
			port_choice: tokio::sync::Mutex::new(()),
			relaying: None,
			bids: None,
		}
	}

	/// Takes customers' signed bids, opening their deals signed by `key` (the worker's),
	/// counted in `metrics`.
	pub fn taking_bids(
		mut self,
		key: sonm_client::Key,
		metrics: crate::telemetry::Metrics,
	) -> Self {
		self.bids = Some(BidDesk::new(key, metrics, self.client.clone(), self.state.clone()));
		self
	}

	/// Sells relaying under `plans` (asks tagged `relay`): their deals' customers name the
	/// libp2p peer the worker's relay is to hold reservations for. The peers named before a
	/// restart are served again while their deals are open.
	pub fn selling_relaying(mut self, plans: Vec<String>) -> Self {
		self.relaying = Some((plans, sonm_p2p::host::Buyers::default()));
		self.reconcile_relay_buyers();
		self
	}

	/// Serves the peers named under open relay deals, and no others (a closed deal's peer
	/// loses its reservation when it next renews).
	pub fn reconcile_relay_buyers(&self) {
		let Some((_, buyers)) = &self.relaying else { return };
		let kept: std::collections::BTreeMap<u64, String> =
			self.state.meta(RELAY_BUYERS).ok().flatten().unwrap_or_default();
		let open: HashSet<u64> = self
			.state
			.deals()
			.unwrap_or_default()
			.into_iter()
			.map(|(deal, _)| deal)
			.collect();
		let (live, ended): (Vec<_>, Vec<_>) =
			kept.into_iter().partition(|(deal, _)| open.contains(deal));
		for (deal, peer) in &ended {
			if let Ok(peer) = peer.parse::<sonm_p2p::PeerId>() {
				if !live.iter().any(|(_, other)| other == &peer.to_string()) {
					buyers.revoke(&peer);
					tracing::info!(deal, %peer, "relay deal over: its peer is no longer served");
				}
			}
		}
		for (_, peer) in &live {
			if let Ok(peer) = peer.parse() {
				buyers.admit(peer);
			}
		}
		if !ended.is_empty() {
			let live: std::collections::BTreeMap<u64, String> = live.into_iter().collect();
			if let Err(error) = self.state.set_meta(RELAY_BUYERS, &live) {
				tracing::warn!("the relay buyers: {error}");
			}
		}
	}

	/// What the worker recorded of deal `deal` when it took it up (`DealNotReady` before).
	fn deal_record(&self, deal: u64) -> Result<crate::state::DealRecord, TaskError> {
		self.state
			.deals()
			.map_err(engine_error)?
			.into_iter()
			.find(|(id, _)| *id == deal)
			.map(|(_, record)| record)
			.ok_or(TaskError::DealNotReady(deal))
	}

	/// A relay deal's customer names `body.peer`: the relay serves it for the deal's life.
	async fn relay(&self, deal: u64, body: RelayBody) -> Result<RelayAnswer, TaskError> {
		let Some((plans, buyers)) = &self.relaying else {
			return Err(TaskError::NotRelay("this worker sells no relaying".into()));
		};
		let record = self.deal_record(deal)?;
		if !plans.contains(&record.plan) {
			return Err(TaskError::NotRelay(format!(
				"deal {deal} is on plan {:?}, which sells no relaying",
				record.plan
			)));
		}
		let peer: sonm_p2p::PeerId = body.peer.parse().map_err(|e| {
			TaskError::BadTask(format!("{:?} is not a libp2p peer id: {e}", body.peer))
		})?;
		let mut kept: std::collections::BTreeMap<u64, String> =
			self.state.meta(RELAY_BUYERS).map_err(engine_error)?.unwrap_or_default();
		let replaced = kept.insert(deal, peer.to_string());
		self.state.set_meta(RELAY_BUYERS, &kept).map_err(engine_error)?;
		if let Some(old) = replaced.filter(|old| !kept.values().any(|peer| peer == old)) {
			if let Ok(old) = old.parse() {
				buyers.revoke(&old);
			}
		}
		buyers.admit(peer);
		tracing::info!(deal, %peer, "a relay deal's peer is served");
		Ok(RelayAnswer { deal, peer: peer.to_string() })
	}

	/// Checks `request`'s signature, `body`, time window and nonce, and who the signer is to
	/// the open deal `deal` of this worker (or, for a closed deal, to its kept output).
	/// Accounts are compared as 32-byte ids, whatever SS58 prefix spells them; the nonce is
	/// remembered only once the signer turned out to be a party of the deal.
	pub async fn authorize(
		&self,
		request: &SignedRequest,
		body: &[u8],
		deal: u64,
	) -> Result<Role, TaskError> {
		let now = sonm_client::task_auth::unix_now();
		let signer = request.verify(body, now)?;
		// A session key's request acts as the account that granted it.
		let spelling = request.session.as_ref().map_or(&request.account, |grant| &grant.account);
		let role = self.role_of(&signer, spelling, deal).await?;
		self.nonces
			.lock()
			.expect("not poisoned")
			.check_and_record(&signer, &request.nonce, now)?;
		Ok(role)
	}

	/// Checks a bid request's signature, body, time window and nonce; its signer. A session key
	/// acts within its deal only, so it hands over no bids.
	fn authorize_bidder(
		&self,
		request: &SignedRequest,
		body: &[u8],
	) -> Result<AccountId32, TaskError> {
		if request.session.is_some() {
			return Err(TaskError::Auth(AuthError::Malformed(
				"a session key acts within its deal: a bid is handed over signed by the customer's own key"
					.into(),
			)));
		}
		let now = sonm_client::task_auth::unix_now();
		let signer = request.verify(body, now)?;
		self.nonces
			.lock()
			.expect("not poisoned")
			.check_and_record(&signer, &request.nonce, now)?;
		Ok(signer)
	}

	/// Who `signer` (spelt `spelling` in the request) is to deal `deal`.
	async fn role_of(
		&self,
		signer: &AccountId32,
		spelling: &str,
		deal: u64,
	) -> Result<Role, TaskError> {
		let not_allowed = |action: &str| {
			TaskError::Auth(AuthError::NotAllowed {
				account: spelling.to_owned(),
				action: action.into(),
				deal,
			})
		};
		let chain_deal =
			self.client.deal(deal).await.map_err(|e| TaskError::Chain(e.to_string()))?;
		let Some(chain_deal) = chain_deal else {
			// A closed deal: its customer may still read the kept output.
			let owner = self.state.log_owner(deal).map_err(engine_error)?;
			return match owner {
				Some(owner) if same_account(&owner, signer) => Ok(Role::Customer),
				Some(_) => Err(not_allowed("read the output of")),
				None => Err(TaskError::NoDeal(format!(
					"no open deal {deal}, and no output kept for it"
				))),
			};
		};
		if !same_account(&chain_deal.supplier, &self.me_id) {
			return Err(TaskError::NotThisWorker(format!(
				"deal {deal} is served by {}, not this worker",
				chain_deal.supplier
			)));
		}
		if same_account(&chain_deal.consumer, signer) {
			Ok(Role::Customer)
		} else if same_account(&chain_deal.supplier, signer)
			|| same_account(&chain_deal.payee, signer)
		{
			Ok(Role::Supplier)
		} else {
			Err(not_allowed("act on"))
		}
	}

	/// Answers a request whatever carried it: `signed` (its method, path, deal and signature
	/// as the transport read them) with `body`. The request is read from the method, path and
	/// body (`TaskRequest::parse`), its deal must be the one signed for, the signature and
	/// signer must check out, then the service answers.
	pub async fn reply(&self, signed: &SignedRequest, body: &[u8]) -> Reply {
		match self.reply_or_refuse(signed, body).await {
			Ok(reply) => reply,
			Err(error) => error.into(),
		}
	}

	async fn reply_or_refuse(
		&self,
		signed: &SignedRequest,
		body: &[u8],
	) -> Result<Reply, TaskError> {
		let (deal, request) = TaskRequest::parse(&signed.method, &signed.path, body)?;
		if deal != signed.deal {
			return Err(TaskError::NoRoute(format!(
				"the path names deal {deal}, the signature deal {}",
				signed.deal
			)));
		}
		if let TaskRequest::Bid(bid) = request {
			let signer = self.authorize_bidder(signed, body)?;
			let answer = self.take_bid(&signer, bid).await?;
			return Ok(Reply::json(200, serde_json::to_vec(&answer).expect("JSON serializes")));
		}
		let role = self.authorize(signed, body, deal).await?;
		let answer = self.handle(deal, role, &signed.account, request).await?;
		let status = if matches!(answer, Answer::Started(_)) { 201 } else { 200 };
		Ok(match answer {
			Answer::Exec(events) => Reply { status, lines: true, body: json_lines(events) },
			Answer::FollowedLogs(pages) => Reply { status, lines: true, body: json_lines(pages) },
			other => {
				let json = other.to_json().expect("answers other than an exec's are JSON");
				Reply::json(status, serde_json::to_vec(&json).expect("JSON serializes"))
			},
		})
	}

	/// The host port a signed forward request (`CONNECT /deals/{deal}/ports/{port}`) may be
	/// carried to: the deal's customer only, the task running, the port one it publishes.
	pub async fn forward_target(
		&self,
		signed: &SignedRequest,
		body: &[u8],
	) -> Result<u16, TaskError> {
		let (deal, port) = sonm_client::task_protocol::routes::forward_of(&signed.path)
			.filter(|_| signed.method == "CONNECT")
			.ok_or_else(|| {
				TaskError::NoRoute(format!("no forward {} {}", signed.method, signed.path))
			})?;
		if deal != signed.deal {
			return Err(TaskError::NoRoute(format!(
				"the path names deal {deal}, the signature deal {}",
				signed.deal
			)));
		}
		if self.authorize(signed, body, deal).await? != Role::Customer {
			return Err(TaskError::Auth(AuthError::NotAllowed {
				account: signed.account.clone(),
				action: "forward a port of".into(),
				deal,
			}));
		}
		let task = self.engine.state(deal).await.map_err(engine_error)?;
		let running = task.filter(|task| task.exit_code.is_none());
		let Some(task) = running else {
			return Err(TaskError::NotPublished(format!("deal {deal} has no running task")));
		};
		task.ports
			.iter()
			.find(|(container, _)| *container == port)
			.map(|(_, host)| *host)
			.ok_or_else(|| {
				TaskError::NotPublished(format!(
					"deal {deal}'s task publishes no port {port} (it publishes {:?})",
					task.ports.iter().map(|(container, _)| container).collect::<Vec<_>>()
				))
			})
	}

	/// Answers `request` about `deal` from `account`, authorized as `role`.
	pub async fn handle(
		&self,
		deal: u64,
		role: Role,
		account: &str,
		request: TaskRequest,
	) -> Result<Answer, TaskError> {
		let customer_only = |action: &str| match role {
			Role::Customer => Ok(()),
			Role::Supplier => Err(TaskError::Auth(AuthError::NotAllowed {
				account: "the supplier".into(),
				action: action.into(),
				deal,
			})),
		};
		match request {
			TaskRequest::Start(spec) => {
				customer_only("start a task of")?;
				Ok(Answer::Started(self.start(deal, account, spec).await?))
			},
			TaskRequest::Status => Ok(Answer::Status(self.status(deal).await?)),
			TaskRequest::Logs(window) if window.follow => {
				customer_only("read the logs of")?;
				Ok(Answer::FollowedLogs(self.follow_logs(deal, window).await?))
			},
			TaskRequest::Logs(window) => {
				customer_only("read the logs of")?;
				Ok(Answer::Logs(read_logs(&self.engine, &self.state, deal, window).await?))
			},
			TaskRequest::Exec(exec) => {
				customer_only("exec in")?;
				Ok(Answer::Exec(self.exec(deal, exec).await?))
			},
			TaskRequest::Relay(body) => {
				customer_only("name the relayed peer of")?;
				Ok(Answer::Relay(self.relay(deal, body).await?))
			},
			TaskRequest::Bid(_) => Err(TaskError::NoRoute("a bid is about no deal yet".into())),
			TaskRequest::Stop => {
				customer_only("stop the task of")?;
				self.keep_logs_and_remove(deal).await?;
				Ok(Answer::Stop(StopAnswer { deal, stopped: true }))
			},
		}
	}

	/// Starts deal `deal`'s task for its customer `consumer`.
	async fn start(
		&self,
		deal: u64,
		consumer: &str,
		spec: TaskSpec,
	) -> Result<TaskAnswer, TaskError> {
		self.check_task_shape(&spec)?;
		if self.engine.state(deal).await.map_err(engine_error)?.is_some() {
			return Err(TaskError::TaskExists(deal));
		}
		let record = self.deal_record(deal)?;
		self.check_task_image(consumer, &spec).await?;
		self.launch(deal, consumer, &record.plan, spec).await
	}

	/// The checks of a task that need nothing of the container engine or the chain: an image
	/// named, the ports a deal may publish, an absolute volume path.
	pub(crate) fn check_task_shape(&self, spec: &TaskSpec) -> Result<(), TaskError> {
		if spec.image.trim().is_empty() {
			return Err(TaskError::BadTask("no image".into()));
		}
		check_ports(&spec.ports, self.bounds.ports_per_deal)?;
		if let Some(target) = &spec.volume {
			check_volume_target(target)?;
		}
		Ok(())
	}

	/// The checks of a task's image for customer `consumer`, whatever its deal: the image
	/// policy for the customer's identity level, by name and then by the digest of the image
	/// in the store (pulled first where it is missing and the worker pulls).
	pub(crate) async fn check_task_image(
		&self,
		consumer: &str,
		spec: &TaskSpec,
	) -> Result<(), TaskError> {
		// A level the node cannot tell reads as anonymous: the least an image policy grants.
		let consumer_level = self.client.identity_level(consumer).await.unwrap_or_default();
		self.policy.permits_name(&spec.image, consumer_level)?;
		let digest = match self.engine.image_digest(&spec.image).await.map_err(engine_error)? {
			Some(digest) => Some(digest),
			None => {
				self.pull(&spec.image).await?;
				self.engine.image_digest(&spec.image).await.map_err(engine_error)?
			},
		};
		self.policy.permits(&spec.image, digest.as_deref(), consumer_level)?;
		Ok(())
	}

	/// Starts checked task `spec` on deal `deal` of `plan` for `consumer`: the container made
	/// with the plan's limits (and the deal's volume and host ports where it asks for them).
	pub(crate) async fn launch(
		&self,
		deal: u64,
		consumer: &str,
		plan: &str,
		spec: TaskSpec,
	) -> Result<TaskAnswer, TaskError> {
		let (_, benchmarks, flags) =
			self.plans.iter().find(|(name, ..)| name == plan).ok_or(TaskError::NoPlan)?;
		let limits = limits_for(benchmarks, *flags, self.always)
			.map_err(|e| TaskError::BadTerms(e.to_string()))?;
		let volume = match &spec.volume {
			Some(_) if limits.storage_bytes < MIN_VOLUME => {
				return Err(TaskError::NoStorage(format!(
					"the deal's ask sells {} bytes of storage; a volume needs at least {MIN_VOLUME}",
					limits.storage_bytes
				)));
			},
			Some(_) => Some(
				self.engine
					.ensure_volume(deal, limits.storage_bytes)
					.await
					.map_err(engine_error)?,
			),
			None => None,
		};
		let _ports_taken = self.port_choice.lock().await;
		let host_ports =
			if limits.publish_ports { self.host_ports(spec.ports.len())? } else { Vec::new() };
		self.engine
			.start(deal, consumer, &spec, &limits, &host_ports, volume.as_deref())
			.await
			.map_err(engine_error)?;
		let task = self.engine.state(deal).await.map_err(engine_error)?;
		Ok(TaskAnswer { deal, task })
	}

	/// Deal `deal`'s task, if it has one.
	async fn status(&self, deal: u64) -> Result<TaskAnswer, TaskError> {
		let task = self.engine.state(deal).await.map_err(engine_error)?;
		Ok(TaskAnswer { deal, task })
	}

	/// Deal `deal`'s output from `window` on, followed: the first page at once, then every
	/// new piece as it comes, until the task ends (its last page says `running: false`) or the
	/// reader goes away.
	async fn follow_logs(&self, deal: u64, window: Window) -> Result<LogPages, TaskError> {
		let first = read_logs(&self.engine, &self.state, deal, window).await?;
		let (pages, receiver) = mpsc::channel(4);
		let (engine, state) = (self.engine.clone(), self.state.clone());
		tokio::spawn(async move {
			let mut page = first;
			let mut sent_any = false;
			loop {
				let (running, more, next) = (page.running, page.more, page.next);
				if (!page.text.is_empty() || !sent_any || !running)
					&& pages.send(page).await.is_err()
				{
					return;
				}
				sent_any = true;
				if !running && !more {
					return;
				}
				if !more {
					tokio::select! {
						_ = tokio::time::sleep(FOLLOW_EVERY) => {},
						_ = pages.closed() => return,
					}
				}
				let window = Window { from: next, ..Window::default() };
				page = match read_logs(&engine, &state, deal, window).await {
					Ok(page) => page,
					Err(_) => return,
				};
			}
		});
		Ok(receiver)
	}

	/// Starts a command in deal `deal`'s task; its events come through the returned receiver
	/// as the command runs. Bounded: so many at once per deal and in all, a time limit, and
	/// an output limit; past a limit the command is killed.
	async fn exec(&self, deal: u64, exec: ExecBody) -> Result<ExecEvents, TaskError> {
		if exec.command.is_empty() {
			return Err(TaskError::BadExec("an empty command".into()));
		}
		let most = self.bounds.exec_timeout.as_secs();
		let timeout = match exec.timeout_secs {
			Some(0) => return Err(TaskError::BadExec("a time limit of 0 s".into())),
			Some(asked) if asked > most => {
				return Err(TaskError::BadExec(format!(
					"a time limit of {asked} s; this worker stops execs after {most} s"
				)))
			},
			Some(asked) => std::time::Duration::from_secs(asked),
			None => self.bounds.exec_timeout,
		};
		let permits = self.exec_permits(deal)?;
		let session = self.engine.exec_start(deal, &exec.command).await.map_err(engine_error)?;
		let (events, receiver) = mpsc::channel(16);
		let engine = self.engine.clone();
		let cap = self.bounds.exec_output_bytes;
		tokio::spawn(async move {
			let _permits = permits;
			let end = run_exec(&engine, deal, session, timeout, cap, &events).await;
			let _ = events.send(ExecEvent::Ended(end)).await;
		});
		Ok(receiver)
	}

	/// A place for one more exec of deal `deal`, if the deal and the worker have one.
	fn exec_permits(
		&self,
		deal: u64,
	) -> Result<(OwnedSemaphorePermit, OwnedSemaphorePermit), TaskError> {
		let per_deal = self
			.execs_per_deal
			.lock()
			.expect("not poisoned")
			.entry(deal)
			.or_insert_with(|| Arc::new(Semaphore::new(self.bounds.execs_per_deal)))
			.clone();
		let of_deal = per_deal.try_acquire_owned().map_err(|_| {
			TaskError::TooManyExecs(format!(
				"deal {deal} runs {} execs already; wait for one to end",
				self.bounds.execs_per_deal
			))
		})?;
		let in_all = self.execs_in_all.clone().try_acquire_owned().map_err(|_| {
			TaskError::TooManyExecs(format!(
				"this worker runs {} execs already; try again shortly",
				self.bounds.execs_in_all
			))
		})?;
		Ok((of_deal, in_all))
	}

	/// Pulls `image`, which the engine's store lacks, from the worker's registry; an image of
	/// another registry (or any, without one) is `ImageUnavailable`.
	async fn pull(&self, image: &str) -> Result<(), TaskError> {
		let registry = self.registry.as_ref().filter(|registry| registry.holds(image));
		let Some(registry) = registry else {
			let from = match &self.registry {
				Some(registry) => format!("images of {} only", registry.host),
				None => "no registry: only images already in its store".into(),
			};
			return Err(TaskError::ImageUnavailable(format!(
				"{image} is not in this worker's store, and it pulls {from}"
			)));
		};
		let started = std::time::Instant::now();
		let messages = self
			.engine
			.pull(image, registry)
			.await
			.map_err(|e| TaskError::PullFailed(e.to_string()))?;
		tracing::info!(%image, messages, elapsed = ?started.elapsed(), "pulled");
		Ok(())
	}

	/// The first free host port of the range for each of `count` ports.
	fn host_ports(&self, count: usize) -> Result<Vec<u16>, TaskError> {
		let ports: Vec<u16> = self
			.ports
			.clone()
			.filter(|port| std::net::TcpListener::bind(("0.0.0.0", *port)).is_ok())
			.take(count)
			.collect();
		if ports.len() < count {
			return Err(TaskError::NoFreePorts(format!(
				"fewer than {count} free ports in {:?}",
				self.ports
			)));
		}
		Ok(ports)
	}

	/// Keeps a task's output in the database, then stops and removes its container.
	pub async fn keep_logs_and_remove(&self, deal: u64) -> Result<(), TaskError> {
		if let Some(task) = self.engine.state(deal).await.map_err(engine_error)? {
			let logs = self.engine.logs(deal).await.map_err(engine_error)?;
			self.state.keep_logs(deal, &task.consumer, &logs).map_err(engine_error)?;
		}
		crate::failpoint::reached("task-removing");
		self.engine.remove(deal, 5).await.map_err(engine_error)
	}

	/// Everything of a deal that ended: its task's output kept, its container, network and
	/// volume removed.
	pub async fn clear_ended_deal(&self, deal: u64) -> Result<(), TaskError> {
		self.keep_logs_and_remove(deal).await?;
		self.execs_per_deal.lock().expect("not poisoned").remove(&deal);
		self.engine.remove_volume(deal).await.map_err(engine_error)
	}

	/// Brings the engine in line with the chain's `open` deals: removes the containers of deals
	/// that are no longer open (closed for any reason, or never this worker's), keeping their
	/// output; with `resume`, starts open deals' containers that a crash left created but not
	/// started (the customer's start was accepted); forgets kept output past its retention
	/// when `prune`. Running tasks of open deals are never touched. Whether the engine answered.
	pub async fn reconcile(&self, open: &HashSet<u64>, resume: bool, prune: Option<u64>) -> bool {
		let answered = match self.engine.deals().await {
			Ok(present) => {
				for &deal in &present {
					if !open.contains(&deal) {
						match self.clear_ended_deal(deal).await {
							Ok(()) => {
								tracing::info!(deal, "the deal is closed: its task is removed")
							},
							Err(error) => tracing::warn!(deal, "removing the task failed: {error}"),
						}
					} else if resume {
						self.resume_if_created(deal).await;
					}
				}
				true
			},
			Err(error) => {
				tracing::warn!("the container engine did not answer: {error}");
				false
			},
		};
		if let Some(now) = prune {
			if let Ok(pruned @ 1..) = self.state.prune_logs(now, self.log_retention) {
				tracing::info!(pruned, "forgot the output of tasks removed long ago");
			}
		}
		answered
	}

	/// Starts deal `deal`'s container if it was created and never started.
	async fn resume_if_created(&self, deal: u64) {
		match self.engine.state(deal).await {
			Ok(Some(task)) if task.status == "created" || task.status == "configured" => {
				match self.engine.resume(deal).await {
					Ok(()) => tracing::info!(deal, "started the task a crash left created"),
					Err(error) => {
						tracing::warn!(deal, "starting the created task failed: {error}")
					},
				}
			},
			Ok(_) => {},
			Err(error) => tracing::warn!(deal, "the container engine did not answer: {error}"),
		}
	}
}

/// Sends an exec's output on `events` as it comes, until it ends, its time is up, it passes
/// `cap` bytes or the customer goes away (then it is killed); how it ended.
async fn run_exec(
	engine: &Engine,
	deal: u64,
	mut session: ExecSession,
	timeout: std::time::Duration,
	cap: u64,
	events: &mpsc::Sender<ExecEvent>,
) -> ExecEnd {
	let deadline = tokio::time::Instant::now() + timeout;
	let mut end = ExecEnd { deal, ..ExecEnd::default() };
	let mut kill = false;
	loop {
		let chunk = match tokio::time::timeout_at(deadline, session.output.next()).await {
			Err(_) => {
				end.timed_out = true;
				kill = true;
				break;
			},
			Ok(None) => break,
			Ok(Some(Err(error))) => {
				end.error = Some(error.to_string());
				kill = true;
				break;
			},
			Ok(Some(Ok(chunk))) => chunk.into_bytes(),
		};
		let room = cap.saturating_sub(end.output_bytes);
		let piece = &chunk[..chunk.len().min(room as usize)];
		if !piece.is_empty() {
			end.output_bytes += piece.len() as u64;
			let event = ExecEvent::Output(String::from_utf8_lossy(piece).into_owned());
			match tokio::time::timeout_at(deadline, events.send(event)).await {
				Ok(Ok(())) => {},
				// The customer went away: nobody reads the output.
				Ok(Err(_)) => {
					kill = true;
					break;
				},
				Err(_) => {
					end.timed_out = true;
					kill = true;
					break;
				},
			}
		}
		if piece.len() < chunk.len() {
			end.truncated = true;
			kill = true;
			break;
		}
	}
	drop(session.output);
	if kill {
		if let Err(error) = engine.kill_exec(&session.id).await {
			tracing::warn!(deal, "stopping an exec failed: {error}");
		}
	}
	// The engine marks the exec ended a moment after its output closes.
	for _ in 0..50 {
		match engine.exec_exit_code(&session.id).await {
			Ok(Some(code)) => {
				end.exit_code = (!kill).then_some(code);
				break;
			},
			Ok(None) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
			Err(error) => {
				end.error.get_or_insert(error.to_string());
				break;
			},
		}
	}
	end
}

/// Refuses ports a task may not publish: more than `most`, port 0, or one twice.
pub fn check_ports(ports: &[u16], most: usize) -> Result<(), TaskError> {
	if ports.len() > most {
		return Err(TaskError::TooManyPorts(format!(
			"the task asks for {} ports; a deal publishes at most {most}",
			ports.len()
		)));
	}
	let mut seen = HashSet::new();
	for port in ports {
		if *port == 0 || !seen.insert(port) {
			return Err(TaskError::BadTask(format!(
				"port {port} cannot be published (0 or twice)"
			)));
		}
	}
	Ok(())
}

/// Refuses a volume mount point that is not an absolute path of plain components, that holds
/// a character the engine reads as a separator (`:` would slip mount options such as `rw` or
/// `exec` into the bind; `,` likewise) or a control character, or that would hide what the
/// container needs (`/`, `/proc`, `/sys`, `/dev`).
pub fn check_volume_target(target: &str) -> Result<(), TaskError> {
	let path = std::path::Path::new(target);
	let separators = target.chars().any(|c| c == ':' || c == ',' || c.is_control());
	let plain = !separators
		&& path.is_absolute()
		&& path
			.components()
			.skip(1)
			.all(|part| matches!(part, std::path::Component::Normal(_)));
	let top = path
		.components()
		.nth(1)
		.map(|part| part.as_os_str().to_string_lossy().into_owned());
	let hidden = matches!(top.as_deref(), None | Some("proc" | "sys" | "dev"));
	if !plain || hidden {
		return Err(TaskError::BadTask(format!(
			"{target:?} is no place for a volume: give an absolute path such as /data"
		)));
	}
	Ok(())
}

/// A page of deal `deal`'s output: the running task's, or what was kept of a removed one.
/// The output is read as a stream, and only as far as the page needs.
async fn read_logs(
	engine: &Engine,
	state: &State,
	deal: u64,
	window: Window,
) -> Result<LogsAnswer, TaskError> {
	let task = engine.state(deal).await.map_err(engine_error)?;
	let running = task.as_ref().is_some_and(|task| task.exit_code.is_none());
	let mut pager = Pager::new(window, LOG_PAGE_BYTES);
	match task {
		Some(_) => {
			let mut chunks = engine.log_chunks(deal);
			while let Some(chunk) = chunks.next().await {
				pager.feed(&chunk.map_err(engine_error)?);
				if pager.full() {
					break;
				}
			}
		},
		None => pager.feed(&state.logs(deal).map_err(engine_error)?.unwrap_or_default()),
	}
	let page = pager.finish();
	let text = String::from_utf8_lossy(&page.text).into_owned();
	Ok(LogsAnswer { deal, from: window.from, next: page.next, more: page.more, running, text })
}

/// A channel's items as JSON lines, as they come.
fn json_lines<T: serde::Serialize + Send + 'static>(
	items: mpsc::Receiver<T>,
) -> futures::stream::BoxStream<'static, Vec<u8>> {
	futures::stream::unfold(items, |mut items| async move {
		let item = items.recv().await?;
		let mut line = serde_json::to_vec(&item).expect("the protocol's answers serialize");
		line.push(b'\n');
		Some((line, items))
	})
	.boxed()
}
