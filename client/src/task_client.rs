//! A customer's client of a worker's task control plane ([`crate::task_protocol`]): each
//! request signed with the deal's consumer key ([`crate::task_auth`]) and carried by a
//! [`Transport`]: HTTP ([`HttpTransport`]) or a libp2p stream (`sonm_p2p`), the same requests
//! and answers either way.

use crate::{
	task_auth::SignedRequest,
	task_protocol::{
		headers, routes, BidAnswer, BidBody, ExecAnswer, ExecBody, ExecEnd, ExecEvent, LogWindow,
		LogsAnswer, Refusal, RelayAnswer, RelayBody, StopAnswer, TaskAnswer, TaskRequest, TaskSpec,
	},
	Key,
};
use futures::{future::BoxFuture, stream::BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// An answer as a transport delivers it: its status (HTTP's codes) and its body, in pieces as
/// they come.
pub struct RawAnswer {
	/// 200, 201, 4xx, 5xx.
	pub status: u16,
	/// The body's bytes.
	pub body: BoxStream<'static, Result<Vec<u8>, String>>,
}

/// What carries a signed request to a worker and its answer back.
pub trait Transport: Send + Sync {
	/// Where it reaches the worker (for messages).
	fn target(&self) -> String;

	/// Sends `signed` with `body`; the answer, or why the worker could not be reached.
	fn send(
		&self,
		signed: &SignedRequest,
		body: Vec<u8>,
	) -> BoxFuture<'_, Result<RawAnswer, String>>;
}

/// The HTTP transport: the signature in the `x-sonm-*` headers.
pub struct HttpTransport {
	url: String,
	http: reqwest::Client,
}

impl HttpTransport {
	/// To the control plane at `url` (`http://host:port`) over `http`.
	pub fn new(url: &str, http: reqwest::Client) -> Self {
		Self { url: url.trim_end_matches('/').to_owned(), http }
	}
}

impl Transport for HttpTransport {
	fn target(&self) -> String {
		self.url.clone()
	}

	fn send(
		&self,
		signed: &SignedRequest,
		body: Vec<u8>,
	) -> BoxFuture<'_, Result<RawAnswer, String>> {
		let signed = signed.clone();
		Box::pin(async move {
			let method =
				reqwest::Method::from_bytes(signed.method.as_bytes()).map_err(|e| e.to_string())?;
			let mut request = self
				.http
				.request(method, format!("{}{}", self.url, signed.path))
				.header("content-type", "application/json")
				.header(headers::ACCOUNT, &signed.account)
				.header(headers::TIMESTAMP, signed.timestamp.to_string())
				.header(headers::NONCE, &signed.nonce)
				.header(headers::BODY_SHA256, &signed.body_sha256)
				.header(headers::SIGNATURE, &signed.signature);
			if let Some(grant) = &signed.session {
				let grant = serde_json::to_string(grant).map_err(|e| e.to_string())?;
				request = request.header(headers::SESSION, grant);
			}
			let response = request.body(body).send().await.map_err(|e| e.to_string())?;
			let status = response.status().as_u16();
			let body = futures::stream::unfold(response, |mut response| async move {
				match response.chunk().await {
					Ok(Some(chunk)) => Some((Ok(chunk.to_vec()), response)),
					Ok(None) => None,
					Err(error) => Some((Err(error.to_string()), response)),
				}
			})
			.boxed();
			Ok(RawAnswer { status, body })
		})
	}
}

/// A refusal by the worker (its named error and message) or a transport failure.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
	/// The worker answered with an error.
	#[error("the worker refused: {error}: {message}")]
	Refused {
		/// The HTTP status.
		status: u16,
		/// The error's name (`BadSignature`, `ImageNotAllowed`, ...).
		error: String,
		/// What it said.
		message: String,
	},
	/// The worker could not be reached or answered garbage.
	#[error("cannot talk to the worker at {url}: {message}")]
	Transport {
		/// The control plane's URL.
		url: String,
		/// What went wrong.
		message: String,
	},
}

/// A connection to one worker's control plane, signing as one key.
pub struct TaskClient {
	transport: Arc<dyn Transport>,
	key: Key,
}

impl TaskClient {
	/// A client of the control plane at `url` (`http://host:port`) signing with `key`.
	pub fn new(url: &str, key: Key) -> Self {
		Self::with_http(url, key, reqwest::Client::new())
	}

	/// The same over `http` (a client bound to a source address, with a proxy, ...).
	pub fn with_http(url: &str, key: Key, http: reqwest::Client) -> Self {
		Self::over(Arc::new(HttpTransport::new(url, http)), key)
	}

	/// A client over `transport` signing with `key`.
	pub fn over(transport: Arc<dyn Transport>, key: Key) -> Self {
		Self { transport, key }
	}

	/// A transport failure.
	fn transport_error(&self, message: String) -> TaskError {
		TaskError::Transport { url: self.transport.target(), message }
	}

	/// Starts deal `deal`'s task.
	pub async fn start(&self, deal: u64, spec: TaskSpec) -> Result<TaskAnswer, TaskError> {
		self.call(deal, &TaskRequest::Start(spec)).await
	}

	/// Deal `deal`'s task, if it has one.
	pub async fn status(&self, deal: u64) -> Result<TaskAnswer, TaskError> {
		self.call(deal, &TaskRequest::Status).await
	}

	/// A page of the task's output.
	pub async fn logs(&self, deal: u64, window: LogWindow) -> Result<LogsAnswer, TaskError> {
		self.call(deal, &TaskRequest::Logs(window)).await
	}

	/// Runs `command` in the task; its output collected (the worker caps it).
	pub async fn exec(&self, deal: u64, command: Vec<String>) -> Result<ExecAnswer, TaskError> {
		let mut output = String::new();
		let body = ExecBody { command, timeout_secs: None };
		let end = self.exec_with(deal, body, |piece| output.push_str(piece)).await?;
		Ok(ExecAnswer { output, end })
	}

	/// Runs `exec` in the task, handing each piece of output to `on_output` as it comes; how
	/// it ended.
	pub async fn exec_with(
		&self,
		deal: u64,
		exec: ExecBody,
		mut on_output: impl FnMut(&str),
	) -> Result<ExecEnd, TaskError> {
		let request = TaskRequest::Exec(exec);
		let body = request.body().map(|body| body.to_string().into_bytes()).unwrap_or_default();
		let signed = self.sign(request.method(), &request.path(deal), deal, &body);
		let mut answer = self.send_raw(&signed, body).await?;
		let transport = |message: String| self.transport_error(message);
		let mut pending: Vec<u8> = Vec::new();
		loop {
			let chunk = answer.next().await.transpose().map_err(transport)?;
			let ended = chunk.is_none();
			pending.extend_from_slice(chunk.as_deref().unwrap_or_default());
			while let Some(newline) = pending.iter().position(|byte| *byte == b'\n') {
				let line: Vec<u8> = pending.drain(..=newline).collect();
				let event: ExecEvent = serde_json::from_slice(&line).map_err(|e| {
					transport(format!("an exec event this client does not read: {e}"))
				})?;
				match event {
					ExecEvent::Output(piece) => on_output(&piece),
					ExecEvent::Ended(end) => return Ok(end),
				}
			}
			if ended {
				return Err(transport("the exec's answer ended before the command did".into()));
			}
		}
	}

	/// Stops and removes the task.
	pub async fn stop(&self, deal: u64) -> Result<StopAnswer, TaskError> {
		self.call(deal, &TaskRequest::Stop).await
	}

	/// Names `peer` (a libp2p peer id) as the one relay deal `deal` is to serve.
	pub async fn relay(&self, deal: u64, peer: String) -> Result<RelayAnswer, TaskError> {
		self.call(deal, &TaskRequest::Relay(RelayBody { peer })).await
	}

	/// Hands the worker `bid` (signed by this client's key as its customer): the worker opens
	/// the deal with one of its asks that matches, in one extrinsic, and answers once the deal
	/// is in a block. With `task`, the worker checks the task with the bid (before it pays for
	/// the deal) and starts it as soon as the deal is in a block: the answer carries its state
	/// (`BidAnswer::task`).
	pub async fn offer_bid(
		&self,
		bid: &crate::signed_bid::SignedBid,
		task: Option<TaskSpec>,
	) -> Result<BidAnswer, TaskError> {
		let body = BidBody { signed_bid: crate::signed_bid::encode_bid(bid), task };
		self.call(routes::NO_DEAL, &TaskRequest::Bid(body)).await
	}

	/// Signs and sends `request` about `deal`; its answer.
	pub async fn call<T: DeserializeOwned>(
		&self,
		deal: u64,
		request: &TaskRequest,
	) -> Result<T, TaskError> {
		let body = request.body();
		let answer =
			self.request(request.method(), &request.path(deal), deal, body.as_ref()).await?;
		serde_json::from_value(answer)
			.map_err(|e| self.transport_error(format!("an answer this client does not read: {e}")))
	}

	/// Signs and sends `method path` about `deal` with `body` as given; the JSON answer. (For
	/// tests of the protocol itself: paths and bodies the typed requests would not make.)
	pub async fn request(
		&self,
		method: &str,
		path: &str,
		deal: u64,
		body: Option<&serde_json::Value>,
	) -> Result<serde_json::Value, TaskError> {
		let body = body.map(|body| body.to_string().into_bytes()).unwrap_or_default();
		let signed = self.sign(method, path, deal, &body);
		self.send(&signed, body).await
	}

	/// `method path` about `deal` with `body`, signed now with a fresh nonce.
	pub fn sign(&self, method: &str, path: &str, deal: u64, body: &[u8]) -> SignedRequest {
		let now = crate::task_auth::unix_now();
		let nonce = format!("{:032x}", rand::random::<u128>());
		SignedRequest::sign(&self.key, method, path, deal, body, now, &nonce)
	}

	/// Sends an already signed request as it is (a test may replay or alter one); the JSON
	/// answer.
	pub async fn send(
		&self,
		signed: &SignedRequest,
		body: Vec<u8>,
	) -> Result<serde_json::Value, TaskError> {
		let answer = self.send_raw(signed, body).await?;
		let bytes = collect(answer).await.map_err(|e| self.transport_error(e))?;
		serde_json::from_slice(&bytes).map_err(|e| self.transport_error(e.to_string()))
	}

	/// Sends a signed request; the answer's body when it is a success, the named refusal
	/// otherwise.
	async fn send_raw(
		&self,
		signed: &SignedRequest,
		body: Vec<u8>,
	) -> Result<BoxStream<'static, Result<Vec<u8>, String>>, TaskError> {
		let answer =
			self.transport.send(signed, body).await.map_err(|e| self.transport_error(e))?;
		if (200..300).contains(&answer.status) {
			return Ok(answer.body);
		}
		let status = answer.status;
		let bytes = collect(answer.body).await.map_err(|e| self.transport_error(e))?;
		let refusal: Refusal = serde_json::from_slice(&bytes)
			.unwrap_or(Refusal { error: "Unknown".into(), message: format!("status {status}") });
		Err(TaskError::Refused { status, error: refusal.error, message: refusal.message })
	}

	/// Where it reaches the worker.
	pub fn target(&self) -> String {
		self.transport.target()
	}

	/// The key it signs with.
	pub fn key(&self) -> &Key {
		&self.key
	}
}

/// A body's pieces, together.
async fn collect(mut body: BoxStream<'static, Result<Vec<u8>, String>>) -> Result<Vec<u8>, String> {
	let mut bytes = Vec::new();
	while let Some(piece) = body.next().await {
		bytes.extend_from_slice(&piece?);
	}
	Ok(bytes)
}
