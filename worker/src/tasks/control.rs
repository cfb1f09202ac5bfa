//! The customer's control plane: the task protocol (`sonm_client::task_protocol`: its routes,
//! headers, bodies and answers are declared there, once) served over HTTP (axum) on the task
//! engine. Every request carries a [`SignedRequest`] in its `x-sonm-*` headers; the deal's
//! consumer may do everything, the supplier and its master may read the status only.

use crate::{
	state::State,
	tasks::{
		allow::{ImagePolicy, ImageRefused},
		engine::{Engine, Registry, TaskSpec},
		limits::{limits_for, Always},
		logs::{self, Window},
	},
};
use axum::{
	body::Bytes,
	extract::Query,
	http::{HeaderMap, Method, StatusCode, Uri},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use sonm_client::{
	task_auth::{AuthError, NonceCache, SignedRequest},
	task_protocol::{
		headers, routes, ExecAnswer, ExecBody, LogsAnswer, Refusal, StopAnswer, TaskAnswer,
	},
	Client,
};
use std::{
	net::SocketAddr,
	ops::RangeInclusive,
	sync::{Arc, Mutex},
};

/// What the control plane needs.
pub struct ControlPlane {
	/// The chain, to read deals and identity levels.
	pub client: Client,
	/// The container engine.
	pub engine: Engine,
	/// The worker's database: deals' plans and kept logs.
	pub state: Arc<State>,
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
	nonces: Mutex<NonceCache>,
	/// Held from choosing a start's host ports until its container holds them, so that two
	/// starts never choose the same port.
	port_choice: tokio::sync::Mutex<()>,
}

/// A refusal or failure, with its HTTP status and a named error.
#[derive(Debug)]
pub struct ControlError {
	status: StatusCode,
	error: &'static str,
	message: String,
}

impl ControlError {
	fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
		Self { status, error, message: message.into() }
	}
}

impl From<AuthError> for ControlError {
	fn from(error: AuthError) -> Self {
		let name = match &error {
			AuthError::Malformed(_) => "Malformed",
			AuthError::BadSignature => "BadSignature",
			AuthError::BodyMismatch => "BodyMismatch",
			AuthError::Stale { .. } => "Stale",
			AuthError::Replayed(_) => "Replayed",
			AuthError::NotAllowed { .. } => "NotAllowed",
		};
		let status = match error {
			AuthError::NotAllowed { .. } => StatusCode::FORBIDDEN,
			_ => StatusCode::UNAUTHORIZED,
		};
		Self::new(status, name, error.to_string())
	}
}

impl IntoResponse for ControlError {
	fn into_response(self) -> Response {
		let refusal = Refusal { error: self.error.into(), message: self.message };
		(self.status, Json(refusal)).into_response()
	}
}

/// Who is asking, once the signature checked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
	Customer,
	Supplier,
}

impl ControlPlane {
	/// A control plane over `engine` for the worker `me`.
	#[allow(clippy::too_many_arguments)]
	pub fn new(
		client: Client,
		engine: Engine,
		state: Arc<State>,
		me: String,
		policy: ImagePolicy,
		ports: RangeInclusive<u16>,
		always: Always,
		plans: Vec<(String, Vec<u64>, u8)>,
		registry: Option<Registry>,
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
			nonces: Mutex::new(NonceCache::default()),
			port_choice: tokio::sync::Mutex::new(()),
		}
	}

	/// Pulls `image`, which the engine's store lacks, from the worker's registry; an image of
	/// another registry (or any, without one) is `ImageUnavailable`.
	async fn pull(&self, image: &str) -> Result<(), ControlError> {
		let registry = self.registry.as_ref().filter(|registry| registry.holds(image));
		let Some(registry) = registry else {
			let from = match &self.registry {
				Some(registry) => format!("images of {} only", registry.host),
				None => "no registry: only images already in its store".into(),
			};
			return Err(ControlError::new(
				StatusCode::NOT_FOUND,
				"ImageUnavailable",
				format!("{image} is not in this worker's store, and it pulls {from}"),
			));
		};
		let started = std::time::Instant::now();
		let messages =
			self.engine.pull(image, registry).await.map_err(|e| {
				ControlError::new(StatusCode::BAD_GATEWAY, "PullFailed", e.to_string())
			})?;
		tracing::info!(%image, messages, elapsed = ?started.elapsed(), "pulled");
		Ok(())
	}

	/// Checks the request's signature, body, window and nonce, and who the signer is to the
	/// open deal `deal` of this worker.
	async fn authorize(
		&self,
		method: &Method,
		uri: &Uri,
		headers: &HeaderMap,
		deal: u64,
		body: &[u8],
	) -> Result<Role, ControlError> {
		let header = |name: &str| {
			headers
				.get(name)
				.and_then(|value| value.to_str().ok())
				.map(str::to_owned)
				.ok_or_else(|| {
					ControlError::from(AuthError::Malformed(format!("missing header {name}")))
				})
		};
		let request = SignedRequest {
			method: method.to_string(),
			path: uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
			deal,
			body_sha256: header(headers::BODY_SHA256)?,
			timestamp: header(headers::TIMESTAMP)?.parse().map_err(|_| {
				AuthError::Malformed(format!("{} is not a number", headers::TIMESTAMP))
			})?,
			nonce: header(headers::NONCE)?,
			account: header(headers::ACCOUNT)?,
			signature: header(headers::SIGNATURE)?,
		};
		let now = sonm_client::task_auth::unix_now();
		request.verify(body, now)?;
		self.nonces.lock().expect("not poisoned").check_and_record(&request, now)?;
		let chain_deal = self
			.client
			.deal(deal)
			.await
			.map_err(|e| ControlError::new(StatusCode::BAD_GATEWAY, "Chain", e.to_string()))?;
		let Some(chain_deal) = chain_deal else {
			// A closed deal: its customer may still read the kept output.
			let owner = self.state.log_owner(deal).map_err(engine_error)?;
			return match owner {
				Some(owner) if owner == request.account => Ok(Role::Customer),
				Some(_) => Err(AuthError::NotAllowed {
					account: request.account,
					action: "read the output of".into(),
					deal,
				}
				.into()),
				None => Err(ControlError::new(
					StatusCode::NOT_FOUND,
					"NoDeal",
					format!("no open deal {deal}, and no output kept for it"),
				)),
			};
		};
		if chain_deal.supplier != self.me {
			return Err(ControlError::new(
				StatusCode::NOT_FOUND,
				"NotThisWorker",
				format!("deal {deal} is served by {}, not this worker", chain_deal.supplier),
			));
		}
		if request.account == chain_deal.consumer {
			Ok(Role::Customer)
		} else if request.account == chain_deal.supplier || request.account == chain_deal.payee {
			Ok(Role::Supplier)
		} else {
			Err(AuthError::NotAllowed { account: request.account, action: "act on".into(), deal }
				.into())
		}
	}

	fn customer_only(role: Role, account_action: &str, deal: u64) -> Result<(), ControlError> {
		match role {
			Role::Customer => Ok(()),
			Role::Supplier => Err(AuthError::NotAllowed {
				account: "the supplier".into(),
				action: account_action.into(),
				deal,
			}
			.into()),
		}
	}

	/// The first free host port of the range for each of `count` ports.
	fn host_ports(&self, count: usize) -> Result<Vec<u16>, ControlError> {
		let ports: Vec<u16> = self
			.ports
			.clone()
			.filter(|port| std::net::TcpListener::bind(("0.0.0.0", *port)).is_ok())
			.take(count)
			.collect();
		if ports.len() < count {
			return Err(ControlError::new(
				StatusCode::SERVICE_UNAVAILABLE,
				"NoFreePorts",
				format!("fewer than {count} free ports in {:?}", self.ports),
			));
		}
		Ok(ports)
	}
}

fn engine_error(error: impl ToString) -> ControlError {
	ControlError::new(StatusCode::BAD_GATEWAY, "Engine", error.to_string())
}

/// A request that passed [`ControlPlane::authorize`]: the deal it names (`/deals/{deal}/...`),
/// who signed it, and its body.
struct Signed {
	plane: Arc<ControlPlane>,
	deal: u64,
	role: Role,
	body: Bytes,
}

impl Signed {
	/// Refuses unless the deal's customer signed.
	fn customer(self, action: &str) -> Result<Self, ControlError> {
		ControlPlane::customer_only(self.role, action, self.deal)?;
		Ok(self)
	}
}

impl axum::extract::FromRequest<Arc<ControlPlane>> for Signed {
	type Rejection = ControlError;

	async fn from_request(
		request: axum::extract::Request,
		plane: &Arc<ControlPlane>,
	) -> Result<Self, Self::Rejection> {
		let (parts, body) = request.into_parts();
		let deal = routes::deal_of(parts.uri.path()).ok_or_else(|| {
			ControlError::new(StatusCode::NOT_FOUND, "NoDeal", "the path names no deal")
		})?;
		let body = axum::body::to_bytes(body, 1 << 20)
			.await
			.map_err(|e| ControlError::new(StatusCode::BAD_REQUEST, "BadBody", e.to_string()))?;
		let role = plane.authorize(&parts.method, &parts.uri, &parts.headers, deal, &body).await?;
		Ok(Self { plane: plane.clone(), deal, role, body })
	}
}

async fn start_task(headers: HeaderMap, signed: Signed) -> Result<Response, ControlError> {
	let Signed { plane, deal, body, .. } = signed.customer("start a task of")?;
	let spec: TaskSpec = serde_json::from_slice(&body)
		.map_err(|e| ControlError::new(StatusCode::BAD_REQUEST, "BadTask", e.to_string()))?;
	if spec.image.trim().is_empty() {
		return Err(ControlError::new(StatusCode::BAD_REQUEST, "BadTask", "no image"));
	}
	if plane.engine.state(deal).await.map_err(engine_error)?.is_some() {
		return Err(ControlError::new(
			StatusCode::CONFLICT,
			"TaskExists",
			format!("deal {deal} already has a task: stop it first"),
		));
	}
	let record = plane
		.state
		.deals()
		.map_err(engine_error)?
		.into_iter()
		.find(|(id, _)| *id == deal)
		.map(|(_, record)| record)
		.ok_or_else(|| {
			ControlError::new(
				StatusCode::SERVICE_UNAVAILABLE,
				"DealNotReady",
				format!("the worker has not taken up deal {deal} yet; try again in a block"),
			)
		})?;
	let consumer = headers
		.get(headers::ACCOUNT)
		.and_then(|value| value.to_str().ok())
		.unwrap_or_default()
		.to_owned();
	// A level the node cannot tell reads as anonymous: the least an image policy grants.
	let consumer_level = plane.client.identity_level(&consumer).await.unwrap_or_default();
	let not_allowed = |e: ImageRefused| {
		ControlError::new(StatusCode::FORBIDDEN, "ImageNotAllowed", e.to_string())
	};
	plane.policy.permits_name(&spec.image, consumer_level).map_err(not_allowed)?;
	let digest = match plane.engine.image_digest(&spec.image).await.map_err(engine_error)? {
		Some(digest) => Some(digest),
		None => {
			plane.pull(&spec.image).await?;
			plane.engine.image_digest(&spec.image).await.map_err(engine_error)?
		},
	};
	plane
		.policy
		.permits(&spec.image, digest.as_deref(), consumer_level)
		.map_err(not_allowed)?;
	let (_, benchmarks, flags) =
		plane.plans.iter().find(|(name, ..)| *name == record.plan).ok_or_else(|| {
			ControlError::new(StatusCode::CONFLICT, "NoPlan", "the deal's plan is gone")
		})?;
	let limits = limits_for(benchmarks, *flags, plane.always)
		.map_err(|e| ControlError::new(StatusCode::CONFLICT, "BadTerms", e.to_string()))?;
	let volume = match &spec.volume {
		Some(target) => {
			check_volume_target(target)?;
			if limits.storage_bytes < MIN_VOLUME {
				return Err(ControlError::new(
					StatusCode::CONFLICT,
					"NoStorage",
					format!(
						"the deal's ask sells {} bytes of storage; a volume needs at least {MIN_VOLUME}",
						limits.storage_bytes
					),
				));
			}
			Some(
				plane
					.engine
					.ensure_volume(deal, limits.storage_bytes)
					.await
					.map_err(engine_error)?,
			)
		},
		None => None,
	};
	let _ports_taken = plane.port_choice.lock().await;
	let host_ports =
		if limits.publish_ports { plane.host_ports(spec.ports.len())? } else { Vec::new() };
	plane
		.engine
		.start(deal, &consumer, &spec, &limits, &host_ports, volume.as_deref())
		.await
		.map_err(engine_error)?;
	let task = plane.engine.state(deal).await.map_err(engine_error)?;
	Ok((StatusCode::CREATED, Json(TaskAnswer { deal, task })).into_response())
}

/// The smallest volume a deal's storage makes: room for ext4's own bookkeeping and some data.
const MIN_VOLUME: u64 = 16 << 20;

/// Refuses a volume mount point that is not an absolute path of plain components or that would
/// hide what the container needs (`/`, `/proc`, `/sys`, `/dev`).
fn check_volume_target(target: &str) -> Result<(), ControlError> {
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
		return Err(ControlError::new(
			StatusCode::BAD_REQUEST,
			"BadTask",
			format!("{target:?} is no place for a volume: give an absolute path such as /data"),
		));
	}
	Ok(())
}

async fn task_status(Signed { plane, deal, .. }: Signed) -> Result<Response, ControlError> {
	let task = plane.engine.state(deal).await.map_err(engine_error)?;
	Ok(Json(TaskAnswer { deal, task }).into_response())
}

async fn task_logs(Query(window): Query<Window>, signed: Signed) -> Result<Response, ControlError> {
	let Signed { plane, deal, .. } = signed.customer("read the logs of")?;
	let task = plane.engine.state(deal).await.map_err(engine_error)?;
	let running = task.as_ref().is_some_and(|task| task.exit_code.is_none());
	let timestamped = match task {
		Some(_) => plane.engine.logs(deal).await.map_err(engine_error)?,
		None => plane.state.logs(deal).map_err(engine_error)?.unwrap_or_default(),
	};
	let page = logs::page(&logs::lines(&timestamped), window);
	let text = String::from_utf8_lossy(&page.text).into_owned();
	Ok(Json(LogsAnswer { deal, from: window.from, next: page.next, running, text }).into_response())
}

async fn task_exec(signed: Signed) -> Result<Response, ControlError> {
	let Signed { plane, deal, body, .. } = signed.customer("exec in")?;
	let exec: ExecBody = serde_json::from_slice(&body)
		.map_err(|e| ControlError::new(StatusCode::BAD_REQUEST, "BadExec", e.to_string()))?;
	if exec.command.is_empty() {
		return Err(ControlError::new(StatusCode::BAD_REQUEST, "BadExec", "an empty command"));
	}
	let (code, output) = plane.engine.exec(deal, &exec.command).await.map_err(engine_error)?;
	let output = String::from_utf8_lossy(&output).into_owned();
	Ok(Json(ExecAnswer { deal, exit_code: code, output }).into_response())
}

async fn task_stop(signed: Signed) -> Result<Response, ControlError> {
	let Signed { plane, deal, .. } = signed.customer("stop the task of")?;
	keep_logs_and_remove(&plane.engine, &plane.state, deal)
		.await
		.map_err(engine_error)?;
	Ok(Json(StopAnswer { deal, stopped: true }).into_response())
}

/// Keeps a task's output in the database, then stops and removes its container.
pub async fn keep_logs_and_remove(engine: &Engine, state: &State, deal: u64) -> Result<(), String> {
	if let Some(task) = engine.state(deal).await.map_err(|e| e.to_string())? {
		let logs = engine.logs(deal).await.map_err(|e| e.to_string())?;
		state.keep_logs(deal, &task.consumer, &logs).map_err(|e| e.to_string())?;
	}
	crate::failpoint::reached("task-removing");
	engine.remove(deal, 5).await.map_err(|e| e.to_string())
}

/// Everything of a deal that ended: its task's output kept, its container and its volume
/// removed.
pub async fn clear_ended_deal(engine: &Engine, state: &State, deal: u64) -> Result<(), String> {
	keep_logs_and_remove(engine, state, deal).await?;
	engine.remove_volume(deal).await.map_err(|e| e.to_string())
}

/// The control plane's routes.
pub fn router(plane: Arc<ControlPlane>) -> Router {
	Router::new()
		.route(routes::TASK, post(start_task).get(task_status))
		.route(routes::LOGS, get(task_logs))
		.route(routes::EXEC, post(task_exec))
		.route(routes::STOP, post(task_stop))
		.with_state(plane)
}

/// Serves the control plane on `address` (restarted when it fails); returns the bound address.
pub async fn serve(address: SocketAddr, plane: Arc<ControlPlane>) -> std::io::Result<SocketAddr> {
	sonm_service::serve("control plane", address, router(plane)).await
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_client::{task_auth::unix_now, Key};
	use sonm_primitives::IdentityLevel;
	use sonm_test_support::mutate::Mutator;

	/// Mutation fuzzing of what the control plane decodes from a request before anything runs:
	/// the signed headers, the task and exec bodies, the volume path and the image name. Every
	/// mutated input is refused by name or accepted; none panics, and no mutated signature,
	/// account or body ever verifies.
	#[test]
	fn mutated_requests_are_refused_by_name() {
		let key = Key::dev("alice").expect("a dev key");
		let body = br#"{"image":"busybox:1.36","command":["sh","-c","echo hi"],"ports":[80],"volume":"/data","restart":"on-failure"}"#;
		let now = unix_now();
		let signed = SignedRequest::sign(&key, "POST", "/deals/7/task", 7, body, now, "n-1");
		signed.verify(body, now).expect("the unmutated request verifies");
		let mut mutator = Mutator::new(12);
		let mut refused = 0;
		for round in 0..3_000 {
			// One field of the signed request mutated at a time.
			let mut request = signed.clone();
			let field = match round % 5 {
				0 => &mut request.account,
				1 => &mut request.signature,
				2 => &mut request.body_sha256,
				3 => &mut request.nonce,
				_ => &mut request.path,
			};
			let original = field.clone();
			let mutated =
				String::from_utf8_lossy(&mutator.mutate(&[original.as_bytes()])).into_owned();
			// Hex is read in either case and with or without `0x`: the same signature.
			let canonical = |text: &str| text.trim_start_matches("0x").to_ascii_lowercase();
			let changed = if round % 5 == 1 {
				canonical(&mutated) != canonical(&original)
			} else {
				mutated != original
			};
			*field = mutated;
			match request.verify(body, now) {
				Ok(()) => assert!(!changed, "a mutated request verified: {request:?}"),
				Err(error) => {
					assert!(!error.to_string().is_empty());
					refused += 1;
				},
			}
			// A mutated body against the original signature.
			let other = mutator.mutate(&[body.as_slice()]);
			if other != body {
				assert!(signed.verify(&other, now).is_err(), "a mutated body verified");
			}
			// The bodies as the handlers decode them, and what they check next.
			if let Ok(spec) = serde_json::from_slice::<TaskSpec>(&other) {
				if let Some(target) = &spec.volume {
					let _ = check_volume_target(target);
				}
				let _ = ImagePolicy::default().permits_name(&spec.image, IdentityLevel::Anonymous);
			}
			let exec = mutator.mutate(&[br#"{"command":["ls","-l","/data"]}"#.as_slice()]);
			let _ = serde_json::from_slice::<ExecBody>(&exec);
			let path = String::from_utf8_lossy(&mutator.mutate(&[b"/data/deep/path".as_slice()]))
				.into_owned();
			let _ = check_volume_target(&path);
		}
		assert!(refused > 2_500, "only {refused} of 3,000 mutated requests refused");
	}
}
