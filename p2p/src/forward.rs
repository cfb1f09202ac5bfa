//! A task's published port carried over libp2p (`sonm task forward`), one session
//! ([`crate::session`]) per TCP connection:
//!
//! - the customer writes a signed `CONNECT /deals/{deal}/ports/{port}` (as [`crate::task`]
//!   writes any request: its head frame, then an empty body frame);
//! - the worker checks it like any request (the deal's customer, the task running, the port
//!   published) and writes a reply head: 200, after which the stream carries the connection's
//!   bytes both ways until either side closes; any other status is followed by the refusal's
//!   frame and the end.

use crate::{frame, host::Host, session, task};
use futures::{AsyncWriteExt, StreamExt};
use libp2p::Multiaddr;
use sonm_client::{task_auth::SignedRequest, task_protocol::Refusal};
use tokio_util::compat::TokioAsyncReadCompatExt;

/// The protocol's name on a stream.
pub const PROTOCOL: &str = "/sonm/forward/1";

/// The method a forward is signed with.
pub const METHOD: &str = "CONNECT";

/// Why a connection could not be forwarded.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
	/// The worker refused (its named error).
	#[error("the worker refused: {}: {}", .0.error, .0.message)]
	Refused(Refusal),
	/// The worker could not be reached, or the stream broke.
	#[error("{0}")]
	Transport(String),
}

/// Opens a stream to the worker at `address` for `signed` (a signed forward request) and
/// carries `connection`'s bytes over it both ways until either side closes; the bytes sent
/// and received.
pub async fn connect(
	host: &Host,
	address: &Multiaddr,
	signed: &SignedRequest,
	mut connection: tokio::net::TcpStream,
) -> Result<(u64, u64), ForwardError> {
	let transport = |e: &dyn std::fmt::Display| ForwardError::Transport(e.to_string());
	let mut stream = session::open(host, address, PROTOCOL)
		.await
		.map_err(|e| transport(&e))?
		.compat();
	let head = serde_json::to_vec(signed).expect("a signed request serializes");
	frame::write(&mut stream, &head).await.map_err(|e| transport(&e))?;
	frame::write(&mut stream, b"").await.map_err(|e| transport(&e))?;
	let reply = frame::read(&mut stream, task::MAX_HEAD)
		.await
		.map_err(|e| transport(&e))?
		.ok_or_else(|| ForwardError::Transport("the worker closed the stream".into()))?;
	let reply: task::ReplyHead = serde_json::from_slice(&reply).map_err(|e| transport(&e))?;
	if reply.status != 200 {
		let refusal = frame::read(&mut stream, task::MAX_HEAD)
			.await
			.map_err(|e| transport(&e))?
			.and_then(|bytes| serde_json::from_slice(&bytes).ok())
			.unwrap_or(Refusal {
				error: "Unknown".into(),
				message: format!("status {}", reply.status),
			});
		return Err(ForwardError::Refused(refusal));
	}
	tokio::io::copy_bidirectional(&mut connection, stream.get_mut())
		.await
		.map_err(|e| transport(&e))
}

/// The worker's side, once the request checked out: a 200 head, then `target`'s bytes both
/// ways until either side closes.
pub async fn serve_accepted(
	mut stream: session::Session,
	mut target: tokio::net::TcpStream,
) -> std::io::Result<(u64, u64)> {
	let head = task::ReplyHead { status: 200, lines: false };
	let head = serde_json::to_vec(&head).expect("a head serializes");
	frame::write(&mut (&mut stream).compat(), &head)
		.await
		.map_err(std::io::Error::other)?;
	tokio::io::copy_bidirectional(&mut target, &mut stream).await
}

/// The worker's side, for a refused request: the refusal, then the end.
pub async fn refuse(stream: session::Session, status: u16, refusal: Vec<u8>) {
	let head = task::ReplyHead { status, lines: false };
	let body = futures::stream::once(async move { refusal }).boxed();
	let mut stream = stream.compat();
	if task::write_reply(&mut stream, head, body).await.is_err() {
		let _ = stream.close().await;
	}
}
