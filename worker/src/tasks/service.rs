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
		engine::{Engine, Registry, TaskSpec},
		limits::{limits_for, Always},
		logs::{self, Window},
	},
};
use sonm_client::{
	task_auth::{AuthError, NonceCache, SignedRequest},
	task_protocol::{ExecAnswer, ExecBody, LogsAnswer, StopAnswer, TaskAnswer, TaskRequest},
	Client,
};
use std::{collections::HashSet, ops::RangeInclusive, sync::Mutex};

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
	/// The task's request is malformed (no image, a bad volume path, bad JSON).
	#[error("{0}")]
	BadTask(String),
	/// The exec request is malformed.
	#[error("{0}")]
	BadExec(String),
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
	/// The container engine or the worker's database failed.
	#[error("{0}")]
	Engine(String),
}

impl TaskError {
	/// The protocol's name for it (`ImageNotAllowed`, `BadSignature`, ...).
	pub fn name(&self) -> &'static str {
		match self {
			Self::Auth(error) => match error {
				AuthError::Malformed(_) => "Malformed",
				AuthError::BadSignature => "BadSignature",
				AuthError::BodyMismatch => "BodyMismatch",
				AuthError::Stale { .. } => "Stale",
				AuthError::Replayed(_) => "Replayed",
				AuthError::NotAllowed { .. } => "NotAllowed",
			},
			Self::NoDeal(_) => "NoDeal",
			Self::NotThisWorker(_) => "NotThisWorker",
			Self::DealNotReady(_) => "DealNotReady",
			Self::TaskExists(_) => "TaskExists",
			Self::BadTask(_) => "BadTask",
			Self::BadExec(_) => "BadExec",
			Self::ImageNotAllowed(_) => "ImageNotAllowed",
			Self::ImageUnavailable(_) => "ImageUnavailable",
			Self::PullFailed(_) => "PullFailed",
			Self::NoPlan => "NoPlan",
			Self::BadTerms(_) => "BadTerms",
			Self::NoStorage(_) => "NoStorage",
			Self::NoFreePorts(_) => "NoFreePorts",
			Self::Chain(_) => "Chain",
			Self::Engine(_) => "Engine",
		}
	}
}

fn engine_error(error: impl ToString) -> TaskError {
	TaskError::Engine(error.to_string())
}

/// A protocol answer.
#[derive(Clone, Debug)]
pub enum Answer {
	/// A task started (the transport says "created").
	Started(TaskAnswer),
	Status(TaskAnswer),
	Logs(LogsAnswer),
	Exec(ExecAnswer),
	Stop(StopAnswer),
}

impl Answer {
	/// The answer's JSON.
	pub fn to_json(&self) -> serde_json::Value {
		let json = match self {
			Self::Started(answer) | Self::Status(answer) => serde_json::to_value(answer),
			Self::Logs(answer) => serde_json::to_value(answer),
			Self::Exec(answer) => serde_json::to_value(answer),
			Self::Stop(answer) => serde_json::to_value(answer),
		};
		json.expect("the protocol's answers serialize")
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
	nonces: Mutex<NonceCache>,
	/// Held from choosing a start's host ports until its container holds them, so that two
	/// starts never choose the same port.
	port_choice: tokio::sync::Mutex<()>,
}

impl TaskService {
	/// A task service over `engine` for the worker `me`.
	#[allow(clippy::too_many_arguments)]
	pub fn new(
		client: Client,
		engine: Engine,
		state: std::sync::Arc<State>,
		me: String,
		policy: ImagePolicy,
		ports: RangeInclusive<u16>,
		always: Always,
		plans: Vec<(String, Vec<u64>, u8)>,
		registry: Option<Registry>,
		log_retention: u64,
	) -> Self {
		Self {
			client,
			engine,
			state,
			me,
			policy,
			ports,
			always,
			plans,
			registry,
			log_retention,
			nonces: Mutex::new(NonceCache::default()),
			port_choice: tokio::sync::Mutex::new(()),
		}
	}

	/// Checks `request`'s signature, `body`, time window and nonce, and who the signer is to
	/// the open deal `deal` of this worker (or, for a closed deal, to its kept output).
	pub async fn authorize(
		&self,
		request: &SignedRequest,
		body: &[u8],
		deal: u64,
	) -> Result<Role, TaskError> {
		let now = sonm_client::task_auth::unix_now();
		request.verify(body, now)?;
		self.nonces.lock().expect("not poisoned").check_and_record(request, now)?;
		let chain_deal =
			self.client.deal(deal).await.map_err(|e| TaskError::Chain(e.to_string()))?;
		let Some(chain_deal) = chain_deal else {
			// A closed deal: its customer may still read the kept output.
			let owner = self.state.log_owner(deal).map_err(engine_error)?;
			return match owner {
				Some(owner) if owner == request.account => Ok(Role::Customer),
				Some(_) => Err(AuthError::NotAllowed {
					account: request.account.clone(),
					action: "read the output of".into(),
					deal,
				}
				.into()),
				None => Err(TaskError::NoDeal(format!(
					"no open deal {deal}, and no output kept for it"
				))),
			};
		};
		if chain_deal.supplier != self.me {
			return Err(TaskError::NotThisWorker(format!(
				"deal {deal} is served by {}, not this worker",
				chain_deal.supplier
			)));
		}
		if request.account == chain_deal.consumer {
			Ok(Role::Customer)
		} else if request.account == chain_deal.supplier || request.account == chain_deal.payee {
			Ok(Role::Supplier)
		} else {
			Err(AuthError::NotAllowed {
				account: request.account.clone(),
				action: "act on".into(),
				deal,
			}
			.into())
		}
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
			TaskRequest::Logs(window) => {
				customer_only("read the logs of")?;
				Ok(Answer::Logs(self.logs(deal, window).await?))
			},
			TaskRequest::Exec(exec) => {
				customer_only("exec in")?;
				Ok(Answer::Exec(self.exec(deal, exec).await?))
			},
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
		if spec.image.trim().is_empty() {
			return Err(TaskError::BadTask("no image".into()));
		}
		if self.engine.state(deal).await.map_err(engine_error)?.is_some() {
			return Err(TaskError::TaskExists(deal));
		}
		let record = self
			.state
			.deals()
			.map_err(engine_error)?
			.into_iter()
			.find(|(id, _)| *id == deal)
			.map(|(_, record)| record)
			.ok_or(TaskError::DealNotReady(deal))?;
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
		let (_, benchmarks, flags) = self
			.plans
			.iter()
			.find(|(name, ..)| *name == record.plan)
			.ok_or(TaskError::NoPlan)?;
		let limits = limits_for(benchmarks, *flags, self.always)
			.map_err(|e| TaskError::BadTerms(e.to_string()))?;
		let volume = match &spec.volume {
			Some(target) => {
				check_volume_target(target)?;
				if limits.storage_bytes < MIN_VOLUME {
					return Err(TaskError::NoStorage(format!(
						"the deal's ask sells {} bytes of storage; a volume needs at least {MIN_VOLUME}",
						limits.storage_bytes
					)));
				}
				Some(
					self.engine
						.ensure_volume(deal, limits.storage_bytes)
						.await
						.map_err(engine_error)?,
				)
			},
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

	/// A page of deal `deal`'s output: the running task's, or what was kept of a removed one.
	async fn logs(&self, deal: u64, window: Window) -> Result<LogsAnswer, TaskError> {
		let task = self.engine.state(deal).await.map_err(engine_error)?;
		let running = task.as_ref().is_some_and(|task| task.exit_code.is_none());
		let timestamped = match task {
			Some(_) => self.engine.logs(deal).await.map_err(engine_error)?,
			None => self.state.logs(deal).map_err(engine_error)?.unwrap_or_default(),
		};
		let page = logs::page(&logs::lines(&timestamped), window);
		let text = String::from_utf8_lossy(&page.text).into_owned();
		Ok(LogsAnswer { deal, from: window.from, next: page.next, running, text })
	}

	/// Runs a command in deal `deal`'s task.
	async fn exec(&self, deal: u64, exec: ExecBody) -> Result<ExecAnswer, TaskError> {
		if exec.command.is_empty() {
			return Err(TaskError::BadExec("an empty command".into()));
		}
		let (code, output) = self.engine.exec(deal, &exec.command).await.map_err(engine_error)?;
		let output = String::from_utf8_lossy(&output).into_owned();
		Ok(ExecAnswer { deal, exit_code: code, output })
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

	/// Everything of a deal that ended: its task's output kept, its container and its volume
	/// removed.
	pub async fn clear_ended_deal(&self, deal: u64) -> Result<(), TaskError> {
		self.keep_logs_and_remove(deal).await?;
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

/// Refuses a volume mount point that is not an absolute path of plain components or that would
/// hide what the container needs (`/`, `/proc`, `/sys`, `/dev`).
pub fn check_volume_target(target: &str) -> Result<(), TaskError> {
	let path = std::path::Path::new(target);
	let plain = path.is_absolute()
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
