//! The task protocol (`sonm_client::task_protocol`) over libp2p, one session
//! ([`crate::session`]) per request:
//!
//! - the customer writes the signed request (`SignedRequest`'s JSON: method, path with its
//!   query, deal, body hash, time, nonce, account, signature) in one frame and the body in
//!   another;
//! - the worker writes its reply's head ([`ReplyHead`]: the protocol's status and whether the
//!   body is JSON lines) in one frame, the body in frames as it comes (an exec's events one
//!   per frame), and an empty frame at the end.
//!
//! The worker checks the request exactly as it checks one that came over HTTP; the stream only
//! adds that both ends know each other's peer id.

use crate::{frame, host::Host, session};
use futures::{future::BoxFuture, stream::BoxStream, StreamExt};
use libp2p::Multiaddr;
use serde::{Deserialize, Serialize};
use sonm_client::{
	task_auth::SignedRequest,
	task_client::{RawAnswer, Transport},
};
use std::time::Duration;
use tokio_util::compat::TokioAsyncReadCompatExt;

/// The protocol's name on a stream.
pub const PROTOCOL: &str = "/sonm/task/1";

/// The most bytes of a request's head.
pub const MAX_HEAD: usize = 16 << 10;

/// The most bytes of a request's body.
pub const MAX_BODY: usize = 1 << 20;

/// The most bytes of one frame of a reply (a logs page is at most 256 KiB of text).
pub const MAX_REPLY_FRAME: usize = 4 << 20;

/// A reply's first frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyHead {
	/// The protocol's status (HTTP's codes).
	pub status: u16,
	/// Whether the body is JSON lines (an exec's events) rather than one JSON value.
	pub lines: bool,
}

/// The customer's side: requests sent to the worker at `address` (ending in
/// `/p2p/<peer id>`) over streams of `host`.
pub struct P2pTransport {
	host: Host,
	address: Multiaddr,
}

impl P2pTransport {
	/// To the worker at `address`, dialed from `host`.
	pub fn new(host: Host, address: Multiaddr) -> Self {
		Self { host, address }
	}
}

impl Transport for P2pTransport {
	fn target(&self) -> String {
		self.address.to_string()
	}

	fn send(
		&self,
		signed: &SignedRequest,
		body: Vec<u8>,
	) -> BoxFuture<'_, Result<RawAnswer, String>> {
		let head = serde_json::to_vec(signed).expect("a signed request serializes");
		Box::pin(async move {
			let mut stream = session::open(&self.host, &self.address, PROTOCOL)
				.await
				.map_err(|e| e.to_string())?
				.compat();
			frame::write(&mut stream, &head).await.map_err(|e| e.to_string())?;
			frame::write(&mut stream, &body).await.map_err(|e| e.to_string())?;
			let head = frame::read(&mut stream, MAX_HEAD)
				.await
				.map_err(|e| e.to_string())?
				.ok_or("the worker closed the stream without a reply")?;
			let head: ReplyHead = serde_json::from_slice(&head)
				.map_err(|e| format!("a reply head this client does not read: {e}"))?;
			let body = futures::stream::unfold(Some(stream), |stream| async move {
				let mut stream = stream?;
				match frame::read(&mut stream, MAX_REPLY_FRAME).await {
					Ok(Some(piece)) if !piece.is_empty() => Some((Ok(piece), Some(stream))),
					Ok(_) => None,
					Err(error) => Some((Err(error.to_string()), None)),
				}
			})
			.boxed();
			Ok(RawAnswer { status: head.status, body })
		})
	}
}

/// Why a request could not be read from a stream.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
	/// The head or body did not arrive within the time allowed.
	#[error("the request did not arrive within {0:?}")]
	Slow(Duration),
	/// The head is no signed request, or a frame is too long or broken.
	#[error("{0}")]
	Malformed(String),
}

/// The worker's side: reads a request (its head within `head_time`, its body within
/// `body_time` more).
pub async fn read_request(
	stream: &mut (impl futures::AsyncRead + Unpin),
	head_time: Duration,
	body_time: Duration,
) -> Result<(SignedRequest, Vec<u8>), ReadError> {
	let head = tokio::time::timeout(head_time, frame::read(stream, MAX_HEAD))
		.await
		.map_err(|_| ReadError::Slow(head_time))?
		.map_err(|e| ReadError::Malformed(e.to_string()))?
		.ok_or_else(|| ReadError::Malformed("no request".into()))?;
	let signed: SignedRequest = serde_json::from_slice(&head)
		.map_err(|e| ReadError::Malformed(format!("the request's head: {e}")))?;
	let body = tokio::time::timeout(body_time, frame::read(stream, MAX_BODY))
		.await
		.map_err(|_| ReadError::Slow(body_time))?
		.map_err(|e| ReadError::Malformed(e.to_string()))?
		.unwrap_or_default();
	Ok((signed, body))
}

/// The worker's side: writes a reply, its body's pieces as they come, then the end.
pub async fn write_reply(
	stream: &mut (impl futures::AsyncWrite + Unpin),
	head: ReplyHead,
	mut body: BoxStream<'static, Vec<u8>>,
) -> Result<(), frame::FrameError> {
	frame::write(stream, &serde_json::to_vec(&head).expect("a head serializes")).await?;
	while let Some(piece) = body.next().await {
		if !piece.is_empty() {
			frame::write(stream, &piece).await?;
		}
	}
	frame::write(stream, b"").await?;
	futures::AsyncWriteExt::close(stream).await?;
	Ok(())
}
