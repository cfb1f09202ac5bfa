//! A customer's client of a worker's task control plane: each request signed with the deal's
//! consumer key ([`crate::task_auth`]) and sent over HTTP.

use crate::{task_auth::SignedRequest, Key};
use serde_json::Value;

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
	url: String,
	key: Key,
	http: reqwest::Client,
}

impl TaskClient {
	/// A client of the control plane at `url` (`http://host:port`) signing with `key`.
	pub fn new(url: &str, key: Key) -> Self {
		Self { url: url.trim_end_matches('/').to_owned(), key, http: reqwest::Client::new() }
	}

	/// Signs and sends `method path` about `deal` with `body`; returns the JSON answer.
	pub async fn request(
		&self,
		method: &str,
		path: &str,
		deal: u64,
		body: Option<&Value>,
	) -> Result<Value, TaskError> {
		let body = body.map(|body| body.to_string().into_bytes()).unwrap_or_default();
		let now = crate::task_auth::unix_now();
		let nonce = format!("{:032x}", rand::random::<u128>());
		let signed = SignedRequest::sign(&self.key, method, path, deal, &body, now, &nonce);
		self.send(&signed, body).await
	}

	/// Sends an already signed request as it is (a test may replay or alter one).
	pub async fn send(&self, signed: &SignedRequest, body: Vec<u8>) -> Result<Value, TaskError> {
		let transport = |message: String| TaskError::Transport { url: self.url.clone(), message };
		let method = reqwest::Method::from_bytes(signed.method.as_bytes())
			.map_err(|e| transport(e.to_string()))?;
		let response = self
			.http
			.request(method, format!("{}{}", self.url, signed.path))
			.header("content-type", "application/json")
			.header("x-sonm-account", &signed.account)
			.header("x-sonm-timestamp", signed.timestamp.to_string())
			.header("x-sonm-nonce", &signed.nonce)
			.header("x-sonm-body-sha256", &signed.body_sha256)
			.header("x-sonm-signature", &signed.signature)
			.body(body)
			.send()
			.await
			.map_err(|e| transport(e.to_string()))?;
		let status = response.status();
		let json: Value = response.json().await.map_err(|e| transport(e.to_string()))?;
		if status.is_success() {
			Ok(json)
		} else {
			Err(TaskError::Refused {
				status: status.as_u16(),
				error: json["error"].as_str().unwrap_or("Unknown").to_owned(),
				message: json["message"].as_str().unwrap_or_default().to_owned(),
			})
		}
	}

	/// The key it signs with.
	pub fn key(&self) -> &Key {
		&self.key
	}
}
