//! The customer's control plane over HTTP: a thin adapter that carries the task protocol
//! (`sonm_client::task_protocol`, where its routes, headers, bodies and answers are declared
//! once) to the task service ([`super::service`]) and its replies back. Every request carries
//! a [`SignedRequest`] in its `x-sonm-*` headers; which request it is, the service reads from
//! the method, path and body, as it does for every transport.
//!
//! For browsers: CORS for the configured origins (`tasks.cors_origins`), and a streamed answer
//! (an exec's output) framed as server-sent events when the request accepts
//! `text/event-stream`, one event per line, so that a page reads it as it comes.

use crate::tasks::service::{TaskError, TaskService};
use axum::{
	body::Body,
	extract::{Request, State},
	http::{header, HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	Router,
};
use futures::StreamExt;
use sonm_client::{
	task_auth::{AuthError, SignedRequest},
	task_protocol::{headers, routes},
};
use std::{net::SocketAddr, sync::Arc};

/// The signed request carried by `headers` for `method path`.
fn signed_request(
	method: &str,
	path: String,
	headers: &HeaderMap,
) -> Result<SignedRequest, TaskError> {
	let header = |name: &str| {
		headers
			.get(name)
			.and_then(|value| value.to_str().ok())
			.map(str::to_owned)
			.ok_or_else(|| TaskError::Auth(AuthError::Malformed(format!("missing header {name}"))))
	};
	let deal = routes::signed_deal(&path)
		.ok_or_else(|| TaskError::NoRoute(format!("{path} names no deal")))?;
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
		session: match headers.get(headers::SESSION) {
			None => None,
			Some(grant) => Some(serde_json::from_slice(grant.as_bytes()).map_err(|error| {
				AuthError::Malformed(format!(
					"{} is not a session grant: {error}",
					headers::SESSION
				))
			})?),
		},
	})
}

/// Every request: read (the body within the time bound), handed to the service, its reply
/// sent as it comes.
async fn carry(State(service): State<Arc<TaskService>>, request: Request) -> Response {
	let (parts, body) = request.into_parts();
	let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
	let reply = match signed_request(parts.method.as_str(), path, &parts.headers) {
		Err(error) => error.into(),
		Ok(signed) => {
			let limit = service.bounds.body_timeout;
			match tokio::time::timeout(limit, axum::body::to_bytes(body, 1 << 20)).await {
				Err(_) => {
					TaskError::SlowRequest(format!("the body did not arrive within {limit:?}"))
						.into()
				},
				Ok(Err(error)) => TaskError::BadTask(format!("the body: {error}")).into(),
				Ok(Ok(body)) => service.reply(&signed, &body).await,
			}
		},
	};
	let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	let events = reply.lines && accepts_events(&parts.headers);
	let (content_type, body) = if events {
		("text/event-stream", Body::from_stream(event_frames(reply.body)))
	} else {
		let content_type = if reply.lines { "application/x-ndjson" } else { "application/json" };
		(content_type, Body::from_stream(reply.body.map(Ok::<_, std::convert::Infallible>)))
	};
	(status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Whether the request asks for server-sent events.
fn accepts_events(headers: &HeaderMap) -> bool {
	headers
		.get_all(header::ACCEPT)
		.iter()
		.filter_map(|value| value.to_str().ok())
		.any(|value| value.split(',').any(|kind| kind.trim().starts_with("text/event-stream")))
}

/// Newline-separated lines, however they are cut into pieces, as server-sent events: each
/// whole line one `data:` event (a last line without its newline too).
fn event_frames(
	pieces: impl futures::Stream<Item = Vec<u8>> + Send + 'static,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::convert::Infallible>> + Send + 'static {
	let event = |line: &[u8]| [b"data: ".as_slice(), line, b"\n\n"].concat();
	let pieces = pieces.map(Some).chain(futures::stream::once(async { None }));
	pieces
		.scan(Vec::new(), move |pending: &mut Vec<u8>, piece| {
			let mut frames = Vec::new();
			match piece {
				Some(piece) => {
					pending.extend_from_slice(&piece);
					while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
						let line: Vec<u8> = pending.drain(..=end).collect();
						frames.extend(event(&line[..end]));
					}
				},
				None if !pending.is_empty() => frames.extend(event(&std::mem::take(pending))),
				None => {},
			}
			futures::future::ready(Some(Ok(frames)))
		})
		.filter(|frames| futures::future::ready(!matches!(frames, Ok(f) if f.is_empty())))
}

/// The control plane: every request goes to the service, which knows the protocol's routes;
/// pages from `cors_origins` may call it from a browser.
pub fn router(service: Arc<TaskService>, cors_origins: &[String]) -> Router {
	let router = Router::new().fallback(carry).with_state(service);
	if cors_origins.is_empty() {
		return router;
	}
	let origins: Vec<header::HeaderValue> =
		cors_origins.iter().filter_map(|origin| origin.parse().ok()).collect();
	let mut allowed = vec![header::CONTENT_TYPE, header::ACCEPT];
	allowed.extend(headers::ALL.iter().map(|name| header::HeaderName::from_static(name)));
	router.layer(
		tower_http::cors::CorsLayer::new()
			.allow_origin(origins)
			.allow_methods([axum::http::Method::GET, axum::http::Method::POST])
			.allow_headers(allowed)
			.max_age(std::time::Duration::from_secs(600)),
	)
}

/// Serves the control plane on `address`; returns the bound address.
pub async fn serve(
	address: SocketAddr,
	service: Arc<TaskService>,
	cors_origins: &[String],
) -> std::io::Result<SocketAddr> {
	sonm_service::serve("control plane", address, router(service, cors_origins)).await
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::tasks::{allow::ImagePolicy, service::check_volume_target};
	use sonm_client::task_protocol::{ExecBody, TaskSpec};
	use sonm_client::{task_auth::unix_now, Key};
	use sonm_primitives::IdentityLevel;
	use sonm_test_support::mutate::Mutator;

	#[tokio::test]
	async fn lines_cut_anywhere_become_one_event_each() {
		let pieces =
			vec![b"{\"a\":".to_vec(), b"1}\n{\"b\"".to_vec(), b":2}\n\n{\"c\":3}".to_vec()];
		let frames: Vec<u8> = event_frames(futures::stream::iter(pieces))
			.map(|frame| frame.unwrap())
			.concat()
			.await;
		assert_eq!(
			String::from_utf8(frames).unwrap(),
			"data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: \n\ndata: {\"c\":3}\n\n"
		);
		let mut accept = HeaderMap::new();
		accept.insert(header::ACCEPT, "application/json, text/event-stream".parse().unwrap());
		assert!(accepts_events(&accept));
		assert!(!accepts_events(&HeaderMap::new()));
	}

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
