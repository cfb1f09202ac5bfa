//! The task control plane's protocol, declared once: its requests (method, path, body), the
//! headers that carry a request's signature ([`headers`]), its routes as a server declares them
//! ([`routes`]) and its answers. The worker serves it (over HTTP), `sonm task` speaks it
//! through [`crate::task_client::TaskClient`].
//!
//! | request | what it does | answer |
//! | --- | --- | --- |
//! | `POST /deals/{deal}/task` ([`TaskSpec`]) | starts the deal's task | [`TaskAnswer`] |
//! | `GET /deals/{deal}/task` | its state | [`TaskAnswer`] |
//! | `GET /deals/{deal}/logs?from=N&since=T&tail=L` ([`LogWindow`]) | its output from byte `N` on (lines since unix time `T`, the last `L`) | [`LogsAnswer`] |
//! | `GET /deals/{deal}/logs?from=N&follow=true` | the same, followed: a [`LogsAnswer`] per line as output comes, until the task ends or the reader leaves | [`LogsAnswer`]s, one JSON per line (server-sent events for a browser) |
//! | `POST /deals/{deal}/exec` ([`ExecBody`]) | runs a command in it, not interactively | [`ExecEvent`]s, one JSON per line, as the output comes |
//! | `POST /deals/{deal}/stop` | stops and removes it (its output stays readable) | [`StopAnswer`] |
//! | `POST /bids` ([`BidBody`]) | a customer's signed bid, with the deal's task or without: the worker opens the deal with one of its asks that matches it, in one extrinsic, and starts the task | [`BidAnswer`] |
//!
//! A bid names no deal yet: its request is signed (by the bid's customer) for
//! [`routes::NO_DEAL`].
//!
//! A refusal is a [`Refusal`]: the error's name (`BadSignature`, `ImageNotAllowed`, ...) and
//! what it means.

use serde::{Deserialize, Serialize};

/// The headers that carry a request's signature ([`crate::task_auth::SignedRequest`]).
pub mod headers {
	/// The signer (SS58).
	pub const ACCOUNT: &str = "x-sonm-account";
	/// Unix seconds when it was signed.
	pub const TIMESTAMP: &str = "x-sonm-timestamp";
	/// A value used once.
	pub const NONCE: &str = "x-sonm-nonce";
	/// The body's SHA-256, hex.
	pub const BODY_SHA256: &str = "x-sonm-body-sha256";
	/// The sr25519 signature, hex.
	pub const SIGNATURE: &str = "x-sonm-signature";
	/// A session key's grant (`task_auth::SessionGrant` as JSON), when a session key signed.
	pub const SESSION: &str = "x-sonm-session";
	/// Every header above, as a browser's CORS preflight names them.
	pub const ALL: [&str; 6] = [ACCOUNT, TIMESTAMP, NONCE, BODY_SHA256, SIGNATURE, SESSION];
}

/// The routes, as a server's router declares them (`{deal}`: the deal's id).
pub mod routes {
	/// `POST`: start; `GET`: state.
	pub const TASK: &str = "/deals/{deal}/task";
	/// `GET`: output.
	pub const LOGS: &str = "/deals/{deal}/logs";
	/// `POST`: run a command.
	pub const EXEC: &str = "/deals/{deal}/exec";
	/// `POST`: stop and remove.
	pub const STOP: &str = "/deals/{deal}/stop";
	/// `POST`: a relay deal's buyer names the libp2p peer the relay is to serve.
	pub const RELAY: &str = "/deals/{deal}/relay";
	/// `CONNECT`: a byte stream to the task's published port `{port}` (over libp2p only: the
	/// stream that carried the request goes on carrying the bytes).
	pub const FORWARD: &str = "/deals/{deal}/ports/{port}";
	/// `POST`: a customer's signed bid, for a deal with one of the worker's asks.
	pub const BIDS: &str = "/bids";

	/// The deal a request that names none ([`BIDS`]) is signed for: no deal has this id (a
	/// deal's id is its bid's, and ids count up from 0).
	pub const NO_DEAL: u64 = u64::MAX;

	/// The deal a request to `path` is signed for: the one it names, or [`NO_DEAL`] for a
	/// route about no deal.
	pub fn signed_deal(path: &str) -> Option<u64> {
		let route = path.split('?').next().unwrap_or_default();
		if route == BIDS {
			return Some(NO_DEAL);
		}
		deal_of(route)
	}

	/// The forward path to deal `deal`'s task port `port`.
	pub fn forward_path(deal: u64, port: u16) -> String {
		path(FORWARD, deal).replace("{port}", &port.to_string())
	}

	/// The deal and task port a forward path names.
	pub fn forward_of(path: &str) -> Option<(u64, u16)> {
		let rest = path.strip_prefix("/deals/")?;
		let (deal, rest) = rest.split_once('/')?;
		let port = rest.strip_prefix("ports/")?;
		Some((deal.parse().ok()?, port.parse().ok()?))
	}

	/// `route` with `deal` filled in.
	pub fn path(route: &str, deal: u64) -> String {
		route.replace("{deal}", &deal.to_string())
	}

	/// The deal a request's path names (`/deals/{deal}/...`).
	pub fn deal_of(path: &str) -> Option<u64> {
		path.strip_prefix("/deals/")?.split('/').next()?.parse().ok()
	}
}

/// What the customer asks to run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
	/// The image (`registry/repo:tag`).
	pub image: String,
	/// The command; the image's own when empty.
	#[serde(default)]
	pub command: Vec<String>,
	/// `NAME=value` pairs.
	#[serde(default)]
	pub env: Vec<String>,
	/// Container ports (TCP) to publish, when the deal allows incoming connections.
	#[serde(default)]
	pub ports: Vec<u16>,
	/// Where the deal's volume is mounted in the container (an absolute path), if the task
	/// wants one: a file system of the deal's storage size that outlives the task until the
	/// deal ends.
	#[serde(default)]
	pub volume: Option<String>,
	/// Whether the engine starts the task again when it exits (default: never).
	#[serde(default)]
	pub restart: Restart,
}

/// When a task that exited on its own is started again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restart {
	/// Never: it is reported with its exit code.
	#[default]
	No,
	/// After a non-zero exit, at most [`MAX_RESTARTS`] times.
	OnFailure,
	/// After every exit.
	Always,
}

/// The most times an `on-failure` task is started again.
pub const MAX_RESTARTS: i64 = 5;

/// The limits the engine holds a container to, as it reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
	/// CPU in billionths of a core.
	pub nano_cpus: i64,
	/// Memory in bytes.
	pub memory_bytes: i64,
	/// The most processes.
	pub pids: i64,
}

/// A task as the worker reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
	/// The deal.
	pub deal: u64,
	/// The container's id.
	pub container: String,
	/// `created`, `running`, `exited`, ...
	pub status: String,
	/// The exit code once exited (137: killed, e.g. out of memory).
	pub exit_code: Option<i64>,
	/// Container port -> host port.
	pub ports: Vec<(u16, u16)>,
	/// The deal's customer (SS58), from the container's label.
	pub consumer: String,
	/// The limits the engine applies, read back from it.
	pub limits: Applied,
	/// How often the engine started it again (its restart policy).
	pub restarts: i64,
}

/// Which part of the output to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogWindow {
	/// The cursor to read on from.
	#[serde(default)]
	pub from: usize,
	/// Only lines written at or after this unix time (seconds).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub since: Option<u64>,
	/// Only the last this many lines.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub tail: Option<usize>,
	/// Keep the answer open and send each new piece of output as it comes (a stream of
	/// [`LogsAnswer`]s), until the task ends.
	#[serde(default, skip_serializing_if = "std::ops::Not::not")]
	pub follow: bool,
}

impl LogWindow {
	/// The window as the query of the logs route (`from=0&since=...&tail=...`).
	pub fn query(&self) -> String {
		let mut query = format!("from={}", self.from);
		if let Some(since) = self.since {
			query.push_str(&format!("&since={since}"));
		}
		if let Some(tail) = self.tail {
			query.push_str(&format!("&tail={tail}"));
		}
		if self.follow {
			query.push_str("&follow=true");
		}
		query
	}
}

/// The command `exec` runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecBody {
	pub command: Vec<String>,
	/// The most seconds it may run before the worker stops it; the worker's own limit when
	/// absent (asking for more is refused).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub timeout_secs: Option<u64>,
}

/// One line of an exec's answer (the answer is newline-delimited JSON): output as it comes,
/// then how the command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExecEvent {
	/// A piece of the output, stdout and stderr in order (invalid UTF-8 replaced).
	Output(String),
	/// How it ended: always the last line.
	Ended(ExecEnd),
}

/// How an exec ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecEnd {
	pub deal: u64,
	/// Its exit code; `None` when the worker stopped it or lost it.
	pub exit_code: Option<i64>,
	/// The output bytes sent.
	pub output_bytes: u64,
	/// Stopped for printing more than the worker sends of one exec.
	pub truncated: bool,
	/// Stopped at its time limit.
	pub timed_out: bool,
	/// What failed, when the engine failed during the exec.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// The answer to a start or a status request: the task, or `null` when the deal has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAnswer {
	pub deal: u64,
	pub task: Option<TaskState>,
}

/// The most output bytes one page of logs carries.
pub const LOG_PAGE_BYTES: usize = 256 << 10;

/// A page of a task's output, at most [`LOG_PAGE_BYTES`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogsAnswer {
	pub deal: u64,
	/// The cursor the page starts at.
	pub from: usize,
	/// The cursor to read on from.
	pub next: usize,
	/// Whether more output is there already past `next` (the page was full): ask again.
	#[serde(default)]
	pub more: bool,
	/// Whether the task still runs (more output may come).
	pub running: bool,
	/// The output (invalid UTF-8 replaced).
	pub text: String,
}

/// What a command run with `exec` printed, and how it ended: its events collected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecAnswer {
	/// Its output (invalid UTF-8 replaced).
	pub output: String,
	/// How it ended.
	#[serde(flatten)]
	pub end: ExecEnd,
}

/// The tag of an ask that sells relaying (a worker behind NAT buys it with an ordinary deal).
/// A plan's ask makes one deal at a time, so a relay that serves several buyers at once sells
/// several plans: `relay`, `relay-2`, `relay-3`…
pub const RELAY_TAG: &str = "relay";

/// Whether an ask tagged `tag` sells relaying: [`RELAY_TAG`], alone or followed by `-` and
/// anything.
pub fn sells_relaying(tag: &str) -> bool {
	tag.strip_prefix(RELAY_TAG)
		.is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// A relay deal's buyer's request: serve this libp2p peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayBody {
	/// The buyer's peer id (the one its libp2p host runs as).
	pub peer: String,
}

/// The answer to a relay request: the peer served for the deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayAnswer {
	pub deal: u64,
	pub peer: String,
}

/// The answer to a stop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopAnswer {
	pub deal: u64,
	pub stopped: bool,
}

/// A customer's signed bid for the worker to open a deal with (`POST /bids`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BidBody {
	/// The `SignedBid` as the chain takes it, SCALE-encoded, hex (`sonm_client::signed_bid::encode_bid`).
	pub signed_bid: String,
	/// The task to run on the deal: checked with the bid, before the worker pays for anything
	/// (its image allowed for the customer and in the worker's store, its ports and volume
	/// path), and started the moment the deal is in a block. Without it the deal's task is
	/// started later (`POST /deals/{deal}/task`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub task: Option<TaskSpec>,
}

/// The deal a signed bid opened: the worker's ask it matched, and the block it is in (the
/// deal's task may be started at once), with the bid's task when it came with one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BidAnswer {
	pub deal: u64,
	pub ask: u64,
	/// The worker's plan the ask sells.
	pub plan: String,
	pub block_number: u64,
	pub block_hash: String,
	/// The bid's task, when it came with one.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub task: Option<BidTask>,
}

/// What became of a signed bid's task once its deal opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BidTask {
	/// Started: its state.
	Started(TaskState),
	/// Not started, and why (the engine failed, or the deal's own limits refused it, e.g. a
	/// volume larger than the plan's storage). The deal stays open; its task may be started
	/// as any deal's.
	Refused(Refusal),
}

/// A refusal: the error's name and what it means.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
	pub error: String,
	pub message: String,
}

/// One request of the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskRequest {
	Start(TaskSpec),
	Status,
	Logs(LogWindow),
	Exec(ExecBody),
	Stop,
	/// A relay deal's buyer names its peer.
	Relay(RelayBody),
	/// A customer's signed bid (about no deal yet: [`routes::NO_DEAL`]).
	Bid(BidBody),
}

impl TaskRequest {
	/// The HTTP method.
	pub fn method(&self) -> &'static str {
		match self {
			Self::Status | Self::Logs(_) => "GET",
			Self::Start(_) | Self::Exec(_) | Self::Stop | Self::Relay(_) | Self::Bid(_) => "POST",
		}
	}

	/// The path (and query) about `deal`.
	pub fn path(&self, deal: u64) -> String {
		match self {
			Self::Start(_) | Self::Status => routes::path(routes::TASK, deal),
			Self::Logs(window) => {
				format!("{}?{}", routes::path(routes::LOGS, deal), window.query())
			},
			Self::Exec(_) => routes::path(routes::EXEC, deal),
			Self::Stop => routes::path(routes::STOP, deal),
			Self::Relay(_) => routes::path(routes::RELAY, deal),
			Self::Bid(_) => routes::BIDS.to_owned(),
		}
	}

	/// The JSON body (none for the reads).
	pub fn body(&self) -> Option<serde_json::Value> {
		let json = match self {
			Self::Start(spec) => serde_json::to_value(spec),
			Self::Exec(exec) => serde_json::to_value(exec),
			Self::Stop => Ok(serde_json::json!({})),
			Self::Relay(body) => serde_json::to_value(body),
			Self::Bid(body) => serde_json::to_value(body),
			Self::Status | Self::Logs(_) => return None,
		};
		Some(json.expect("the protocol's bodies serialize"))
	}

	/// The request `method path` (with its query) and `body` make, and the deal it is about:
	/// the inverse of [`TaskRequest::method`], [`TaskRequest::path`] and [`TaskRequest::body`],
	/// for transports that carry the three as they are (a libp2p stream).
	pub fn parse(method: &str, path: &str, body: &[u8]) -> Result<(u64, Self), ParseError> {
		let (route, query) = path.split_once('?').unwrap_or((path, ""));
		if route == routes::BIDS {
			return match method {
				"POST" => Ok((
					routes::NO_DEAL,
					Self::Bid(
						serde_json::from_slice(body)
							.map_err(|e| ParseError::BadBid(e.to_string()))?,
					),
				)),
				_ => Err(ParseError::NoRoute(format!("no request {method} {route}"))),
			};
		}
		let deal = routes::deal_of(route)
			.ok_or_else(|| ParseError::NoRoute(format!("{route} names no deal")))?;
		let tail = route.strip_prefix(&format!("/deals/{deal}")).unwrap_or_default();
		let request = match (method, tail) {
			("POST", "/task") => Self::Start(
				serde_json::from_slice(body).map_err(|e| ParseError::BadTask(e.to_string()))?,
			),
			("GET", "/task") => Self::Status,
			("GET", "/logs") => Self::Logs(LogWindow::from_query(query)?),
			("POST", "/exec") => Self::Exec(
				serde_json::from_slice(body).map_err(|e| ParseError::BadExec(e.to_string()))?,
			),
			("POST", "/stop") => Self::Stop,
			("POST", "/relay") => Self::Relay(
				serde_json::from_slice(body).map_err(|e| ParseError::BadTask(e.to_string()))?,
			),
			_ => return Err(ParseError::NoRoute(format!("no request {method} {route}"))),
		};
		Ok((deal, request))
	}
}

/// Why a method, path and body make no request of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
	/// No such route (the HTTP transport answers 404 or 405).
	#[error("{0}")]
	NoRoute(String),
	/// A start's body, or a logs query, that does not read.
	#[error("{0}")]
	BadTask(String),
	/// An exec's body that does not read.
	#[error("{0}")]
	BadExec(String),
	/// A bid's body that does not read.
	#[error("{0}")]
	BadBid(String),
}

impl LogWindow {
	/// The window a logs query (`from=0&since=...&tail=...`) asks for.
	pub fn from_query(query: &str) -> Result<Self, ParseError> {
		let mut window = Self::default();
		for pair in query.split('&').filter(|pair| !pair.is_empty()) {
			let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
			let bad = |_| ParseError::BadTask(format!("{name}={value:?} is not a number"));
			match name {
				"from" => window.from = value.parse().map_err(bad)?,
				"since" => window.since = Some(value.parse().map_err(bad)?),
				"tail" => window.tail = Some(value.parse().map_err(bad)?),
				"follow" => {
					window.follow = match value {
						"true" | "1" | "" => true,
						"false" | "0" => false,
						_ => {
							return Err(ParseError::BadTask(format!(
								"follow={value:?} is not true or false"
							)))
						},
					}
				},
				other => return Err(ParseError::BadTask(format!("no logs parameter {other:?}"))),
			}
		}
		Ok(window)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn relay_tags_are_relay_alone_or_followed_by_a_dash() {
		for tag in ["relay", "relay-2", "relay-eu"] {
			assert!(sells_relaying(tag), "{tag}");
		}
		for tag in ["relays", "relay2", "my-relay", "", "Relay"] {
			assert!(!sells_relaying(tag), "{tag}");
		}
	}

	#[test]
	fn requests_name_their_method_path_and_body() {
		let logs =
			TaskRequest::Logs(LogWindow { from: 10, since: None, tail: Some(5), follow: false });
		assert_eq!((logs.method(), logs.path(7).as_str()), ("GET", "/deals/7/logs?from=10&tail=5"));
		assert_eq!(logs.body(), None);
		let start =
			TaskRequest::Start(TaskSpec { image: "busybox:1.36".into(), ..Default::default() });
		assert_eq!((start.method(), start.path(7).as_str()), ("POST", "/deals/7/task"));
		let spec: TaskSpec = serde_json::from_value(start.body().unwrap()).unwrap();
		assert_eq!(spec.image, "busybox:1.36");
		assert_eq!(TaskRequest::Stop.body(), Some(serde_json::json!({})));
		assert_eq!(routes::deal_of("/deals/42/exec"), Some(42));
		assert_eq!(routes::deal_of("/other/42"), None);
		assert_eq!(routes::forward_path(7, 8080), "/deals/7/ports/8080");
		assert_eq!(routes::forward_of("/deals/7/ports/8080"), Some((7, 8080)));
		assert_eq!(routes::forward_of("/deals/7/ports/x"), None);
		assert_eq!(routes::forward_of("/deals/7/logs"), None);
	}

	#[test]
	fn every_request_parses_back_from_its_method_path_and_body() {
		let requests = [
			TaskRequest::Start(TaskSpec { image: "busybox:1.36".into(), ..Default::default() }),
			TaskRequest::Status,
			TaskRequest::Logs(LogWindow {
				from: 10,
				since: Some(99),
				tail: Some(5),
				follow: false,
			}),
			TaskRequest::Logs(LogWindow { from: 7, since: None, tail: None, follow: true }),
			TaskRequest::Logs(LogWindow::default()),
			TaskRequest::Exec(ExecBody { command: vec!["ls".into()], timeout_secs: Some(3) }),
			TaskRequest::Stop,
		];
		for request in requests {
			let body = request.body().map(|body| body.to_string()).unwrap_or_default();
			let parsed = TaskRequest::parse(request.method(), &request.path(7), body.as_bytes());
			assert_eq!(parsed, Ok((7, request)));
		}
		assert!(matches!(
			TaskRequest::parse("GET", "/deals/x/task", b""),
			Err(ParseError::NoRoute(_))
		));
		assert!(matches!(
			TaskRequest::parse("DELETE", "/deals/7/task", b""),
			Err(ParseError::NoRoute(_))
		));
		assert!(matches!(
			TaskRequest::parse("POST", "/deals/7/task", b"{"),
			Err(ParseError::BadTask(_))
		));
		assert!(matches!(
			TaskRequest::parse("POST", "/deals/7/exec", b"[]"),
			Err(ParseError::BadExec(_))
		));
		assert!(matches!(
			TaskRequest::parse("GET", "/deals/7/logs?from=x", b""),
			Err(ParseError::BadTask(_))
		));
	}

	#[test]
	fn restart_policies_and_exec_answers_keep_their_wire_names() {
		assert_eq!(serde_json::to_value(Restart::OnFailure).unwrap(), "on-failure");
		let end = ExecEnd { deal: 1, exit_code: Some(0), output_bytes: 3, ..Default::default() };
		let answer = ExecAnswer { output: "hi\n".into(), end: end.clone() };
		assert_eq!(
			serde_json::to_value(&answer).unwrap(),
			serde_json::json!({ "deal": 1, "exitCode": 0, "output": "hi\n", "outputBytes": 3,
				"truncated": false, "timedOut": false })
		);
		assert_eq!(
			serde_json::to_string(&ExecEvent::Output("hi\n".into())).unwrap(),
			r#"{"output":"hi\n"}"#
		);
		let ended = serde_json::to_value(ExecEvent::Ended(end)).unwrap();
		assert_eq!(ended["ended"]["exitCode"], 0);
		let body: ExecBody = serde_json::from_str(r#"{"command":["ls"]}"#).unwrap();
		assert_eq!(body.timeout_secs, None);
	}
}
