//! The customer's control plane over HTTP: a thin adapter that carries the task protocol
//! (`sonm_client::task_protocol`, where its routes, headers, bodies and answers are declared
//! once) to the task service ([`super::service`]) and its answers and refusals back. Every
//! request carries a [`SignedRequest`] in its `x-sonm-*` headers.

use crate::tasks::service::{Answer, Role, TaskError, TaskService};
use axum::{
	body::Bytes,
	extract::{Query, Request, State},
	http::{HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use sonm_client::{
	task_auth::{AuthError, SignedRequest},
	task_protocol::{headers, routes, ExecBody, LogWindow, Refusal, TaskRequest, TaskSpec},
};
use std::{net::SocketAddr, sync::Arc};

/// The HTTP status of each refusal or failure.
fn status_of(error: &TaskError) -> StatusCode {
	match error {
		TaskError::Auth(AuthError::NotAllowed { .. }) | TaskError::ImageNotAllowed(_) => {
			StatusCode::FORBIDDEN
		},
		TaskError::Auth(AuthError::TooManyRequests(_)) => StatusCode::TOO_MANY_REQUESTS,
		TaskError::Auth(_) => StatusCode::UNAUTHORIZED,
		TaskError::NoDeal(_) | TaskError::NotThisWorker(_) | TaskError::ImageUnavailable(_) => {
			StatusCode::NOT_FOUND
		},
		TaskError::DealNotReady(_) | TaskError::NoFreePorts(_) => StatusCode::SERVICE_UNAVAILABLE,
		TaskError::TaskExists(_)
		| TaskError::NoPlan
		| TaskError::BadTerms(_)
		| TaskError::NoStorage(_) => StatusCode::CONFLICT,
		TaskError::BadTask(_) | TaskError::BadExec(_) | TaskError::TooManyPorts(_) => {
			StatusCode::BAD_REQUEST
		},
		TaskError::TooManyExecs(_) => StatusCode::TOO_MANY_REQUESTS,
		TaskError::SlowRequest(_) => StatusCode::REQUEST_TIMEOUT,
		TaskError::PullFailed(_) | TaskError::Chain(_) | TaskError::Engine(_) => {
			StatusCode::BAD_GATEWAY
		},
	}
}

/// A refusal as the protocol answers it.
struct Refused(TaskError);

impl From<TaskError> for Refused {
	fn from(error: TaskError) -> Self {
		Self(error)
	}
}

impl IntoResponse for Refused {
	fn into_response(self) -> Response {
		let refusal = Refusal { error: self.0.name().into(), message: self.0.to_string() };
		(status_of(&self.0), Json(refusal)).into_response()
	}
}

/// A request whose signature checked out: the deal its path names, who signed it, and its
/// body.
struct Signed {
	deal: u64,
	role: Role,
	account: String,
	body: Bytes,
}

/// The signed request carried by `headers` for `method path` about `deal`.
fn signed_request(
	method: &str,
	path: String,
	headers: &HeaderMap,
	deal: u64,
) -> Result<SignedRequest, TaskError> {
	let header = |name: &str| {
		headers
			.get(name)
			.and_then(|value| value.to_str().ok())
			.map(str::to_owned)
			.ok_or_else(|| TaskError::Auth(AuthError::Malformed(format!("missing header {name}"))))
	};
	Ok(SignedRequest {
		method: method.to_owned(),
		path,
		deal,
		body_sha256: header(headers::BODY_SHA256)?,
		timestamp: header(headers::TIMESTAMP)?
			.parse()
			.map_err(|_| AuthError::Malformed(format!("{} is not a number", headers::TIMESTAMP)))?,
		nonce: header(headers::NONCE)?,
		account: header(headers::ACCOUNT)?,
		signature: header(headers::SIGNATURE)?,
	})
}

impl axum::extract::FromRequest<Arc<TaskService>> for Signed {
	type Rejection = Refused;

	async fn from_request(
		request: Request,
		service: &Arc<TaskService>,
	) -> Result<Self, Self::Rejection> {
		let (parts, body) = request.into_parts();
		let deal = routes::deal_of(parts.uri.path())
			.ok_or_else(|| TaskError::NoDeal("the path names no deal".into()))?;
		let limit = service.bounds.body_timeout;
		let body = tokio::time::timeout(limit, axum::body::to_bytes(body, 1 << 20))
			.await
			.map_err(|_| {
				TaskError::SlowRequest(format!("the body did not arrive within {limit:?}"))
			})?
			.map_err(|e| TaskError::BadTask(format!("the body: {e}")))?;
		let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
		let request = signed_request(parts.method.as_str(), path, &parts.headers, deal)?;
		let role = service.authorize(&request, &body, deal).await?;
		Ok(Self { deal, role, account: request.account, body })
	}
}

/// Carries `request` to the service; its answer (201 for a start; an exec's events one JSON
/// per line, each sent as it comes).
async fn carry(
	service: &TaskService,
	signed: &Signed,
	request: TaskRequest,
) -> Result<Response, Refused> {
	let answer = service.handle(signed.deal, signed.role, &signed.account, request).await?;
	let status = match answer {
		Answer::Started(_) => StatusCode::CREATED,
		_ => StatusCode::OK,
	};
	let answer = match answer {
		Answer::Exec(events) => {
			let lines = futures::stream::unfold(events, |mut events| async move {
				let event = events.recv().await?;
				let mut line = serde_json::to_vec(&event).expect("events serialize");
				line.push(b'\n');
				Some((Ok::<_, std::convert::Infallible>(line), events))
			});
			let headers = [(axum::http::header::CONTENT_TYPE, "application/x-ndjson")];
			return Ok((status, headers, axum::body::Body::from_stream(lines)).into_response());
		},
		other => other.to_json().expect("answers other than an exec's are JSON"),
	};
	Ok((status, Json(answer)).into_response())
}

async fn start_task(
	State(service): State<Arc<TaskService>>,
	signed: Signed,
) -> Result<Response, Refused> {
	let spec: TaskSpec =
		serde_json::from_slice(&signed.body).map_err(|e| TaskError::BadTask(e.to_string()))?;
	carry(&service, &signed, TaskRequest::Start(spec)).await
}

async fn task_status(
	State(service): State<Arc<TaskService>>,
	signed: Signed,
) -> Result<Response, Refused> {
	carry(&service, &signed, TaskRequest::Status).await
}

async fn task_logs(
	State(service): State<Arc<TaskService>>,
	Query(window): Query<LogWindow>,
	signed: Signed,
) -> Result<Response, Refused> {
	carry(&service, &signed, TaskRequest::Logs(window)).await
}

async fn task_exec(
	State(service): State<Arc<TaskService>>,
	signed: Signed,
) -> Result<Response, Refused> {
	let exec: ExecBody =
		serde_json::from_slice(&signed.body).map_err(|e| TaskError::BadExec(e.to_string()))?;
	carry(&service, &signed, TaskRequest::Exec(exec)).await
}

async fn task_stop(
	State(service): State<Arc<TaskService>>,
	signed: Signed,
) -> Result<Response, Refused> {
	carry(&service, &signed, TaskRequest::Stop).await
}

/// The control plane's routes.
pub fn router(service: Arc<TaskService>) -> Router {
	Router::new()
		.route(routes::TASK, post(start_task).get(task_status))
		.route(routes::LOGS, get(task_logs))
		.route(routes::EXEC, post(task_exec))
		.route(routes::STOP, post(task_stop))
		.with_state(service)
}

/// Serves the control plane on `address` (restarted when it fails); returns the bound address.
pub async fn serve(address: SocketAddr, service: Arc<TaskService>) -> std::io::Result<SocketAddr> {
	sonm_service::serve("control plane", address, router(service)).await
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::tasks::{allow::ImagePolicy, service::check_volume_target};
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
				Ok(_) => assert!(!changed, "a mutated request verified: {request:?}"),
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
