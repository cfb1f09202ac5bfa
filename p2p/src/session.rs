//! Sessions: a byte stream between two peers that outlives the libp2p streams carrying it.
//!
//! A customer's stream to a worker behind NAT starts on a relayed connection; a punched direct
//! connection may replace it (the host then closes the relayed one), or the relay may go away.
//! Either way the libp2p stream under the customer's bytes breaks. A session hides that: its
//! bytes are numbered, each end keeps what it sent until the other acknowledges it (at most
//! [`WINDOW`] bytes), and when the carrying stream breaks the customer's end opens a new one
//! over whatever path the host has or finds (another relay, the direct connection) and both
//! ends go on from what the other has received. Nothing is lost, repeated or reordered.
//!
//! On the wire (protocol [`PROTOCOL`], frames of [`crate::frame`]):
//!
//! - the opener's first frame is a [`Hello`] (the session's id, the protocol it carries, the
//!   bytes it has received so far), the acceptor's answer a [`Welcome`] (the bytes it has
//!   received) or a refusal;
//! - then each frame is a tag byte and its payload: data, an acknowledgement (the count of
//!   bytes received, plus one once the end was received), or the end of the sender's bytes
//!   (their count).
//!
//! An end with nothing to send acknowledges every [`HEARTBEAT`]; one that hears nothing for
//! [`SILENCE`] takes its stream for broken. The acceptor keeps a broken session for
//! [`RESUME_TIME`], waiting for its opener to come back over another stream from the same
//! peer; the opener tries as long.

use crate::{
	frame,
	host::{Host, P2pError},
};
use futures::{AsyncRead, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::{Multiaddr, PeerId};
use serde::{Deserialize, Serialize};
use std::{
	collections::{HashMap, VecDeque},
	sync::{Arc, Mutex},
	time::Duration,
};
use tokio::{
	io::{AsyncReadExt as _, AsyncWriteExt as _, DuplexStream, ReadHalf, WriteHalf},
	sync::{mpsc, Notify},
};

/// The protocol's name on a stream.
pub const PROTOCOL: &str = "/sonm/session/1";

/// How long a broken session waits for a new carrier before it fails.
pub const RESUME_TIME: Duration = Duration::from_secs(30);

/// The most bytes sent and not yet acknowledged.
pub const WINDOW: usize = 1 << 20;

/// The most bytes in one data frame.
const MAX_DATA: usize = 64 << 10;

/// Unacknowledged bytes past which the receiver acknowledges at once.
const ACK_EVERY: u64 = 128 << 10;

/// How long the receiver holds back an acknowledgement of fewer bytes.
const ACK_DELAY: Duration = Duration::from_millis(20);

/// How often an end that has nothing else to send says it is there (an acknowledgement).
const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long an end waits for any frame before it takes the stream for broken: a path that
/// died without a word (a relay gone, a connection closed under a stream that was not woken).
pub const SILENCE: Duration = Duration::from_secs(5);

/// How long one try to open a session's stream may take, to its welcome.
const ATTACH_TIME: Duration = SILENCE;

/// The buffer between a session and its user.
const USER_BUFFER: usize = 64 << 10;

/// The most sessions an acceptor keeps at once, and per peer.
const MAX_SESSIONS: usize = 1024;
const MAX_SESSIONS_PER_PEER: usize = 64;

/// The most bytes of a hello or welcome.
const MAX_GREETING: usize = 1024;

const DATA: u8 = 0;
const ACK: u8 = 1;
const END: u8 = 2;

/// A session's byte stream, as its user sees it.
pub type Session = DuplexStream;

/// The opener's first frame on each stream of a session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Hello {
	/// The session's id (32 hex digits), chosen by the opener.
	pub session: String,
	/// The protocol the session carries.
	pub protocol: String,
	/// What the opener has received (bytes, plus one once it received the end).
	pub received: u64,
}

/// The acceptor's answer to a [`Hello`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Welcome {
	/// Go on: what the acceptor has received.
	Resume {
		/// Bytes, plus one once it received the end.
		received: u64,
	},
	/// No such session (it ended or expired), the protocol is not served, or too many.
	Refused {
		/// Why.
		reason: String,
	},
}

/// What both halves of a session's pump share.
#[derive(Debug, Default)]
struct State {
	/// Bytes sent and not yet acknowledged, from `acked` to `written`.
	replay: VecDeque<u8>,
	/// Bytes the peer has acknowledged.
	acked: u64,
	/// Bytes taken from the user.
	written: u64,
	/// The user closed its side: the end follows `written`.
	ended: bool,
	/// The peer acknowledged the end.
	end_acked: bool,
	/// Bytes delivered to the user.
	received: u64,
	/// The peer's end arrived.
	peer_ended: bool,
	/// The last acknowledgement sent.
	ack_sent: u64,
}

impl State {
	/// What this end has received, as acknowledgements count it.
	fn received_mark(&self) -> u64 {
		self.received + u64::from(self.peer_ended)
	}

	/// The peer has received up to `mark`: forget what it has.
	fn acknowledge(&mut self, mark: u64) {
		let bytes = mark.min(self.written);
		if bytes > self.acked {
			self.replay.drain(..(bytes - self.acked) as usize);
			self.acked = bytes;
		}
		if self.ended && mark > self.written {
			self.end_acked = true;
		}
	}

	fn finished(&self) -> bool {
		self.end_acked && self.peer_ended && self.ack_sent == self.received_mark()
	}
}

/// One carrying stream of a session, and what the peer said it had received on it.
struct Carrier {
	stream: libp2p::Stream,
	peer_received: u64,
}

/// How a carrier's pump ended.
enum Pumped {
	/// Both ends' bytes delivered and acknowledged.
	Finished,
	/// The user went away: the session is over.
	Abandoned,
	/// The carrier broke (why).
	Broken(String),
}

/// The user's half of a session and the pump's.
struct Pump {
	state: Mutex<State>,
	wake_writer: Notify,
}

impl Pump {
	fn state(&self) -> std::sync::MutexGuard<'_, State> {
		self.state.lock().expect("a session's state is never poisoned")
	}
}

/// Runs `carrier` until it breaks or the session ends: the peer's frames to the user, the
/// user's bytes (and the bytes the peer has not yet received) to the peer.
async fn pump(
	pump: &Pump,
	carrier: Carrier,
	from_user: &mut ReadHalf<DuplexStream>,
	to_user: &mut WriteHalf<DuplexStream>,
) -> Pumped {
	let peer_received = carrier.peer_received;
	{
		let mut state = pump.state();
		if peer_received < state.acked {
			return Pumped::Broken(format!(
				"the peer says it received {peer_received} bytes, fewer than it acknowledged ({})",
				state.acked
			));
		}
		state.acknowledge(peer_received);
	}
	let (mut reading, mut writing) = futures::AsyncReadExt::split(carrier.stream);
	let outcome = tokio::select! {
		outcome = receive(pump, &mut reading, to_user) => outcome,
		outcome = send(pump, &mut writing, from_user, peer_received) => outcome,
	};
	if matches!(outcome, Pumped::Finished) {
		let _ = writing.close().await;
	}
	outcome
}

/// The peer's frames: data to the user, acknowledgements and the end to the state.
async fn receive(
	pump: &Pump,
	carrier: &mut (impl AsyncRead + Unpin),
	to_user: &mut WriteHalf<DuplexStream>,
) -> Pumped {
	loop {
		let frame = match tokio::time::timeout(SILENCE, frame::read(carrier, MAX_DATA + 1)).await {
			Ok(Ok(Some(frame))) if !frame.is_empty() => frame,
			Ok(Ok(_)) => return Pumped::Broken("the stream ended".into()),
			Ok(Err(error)) => return Pumped::Broken(error.to_string()),
			Err(_) => return Pumped::Broken(format!("nothing arrived for {SILENCE:?}")),
		};
		let (tag, payload) = (frame[0], &frame[1..]);
		match tag {
			DATA => {
				let mut at = 0;
				while at < payload.len() {
					// One write at a time: a cancelled write has written nothing.
					match to_user.write(&payload[at..]).await {
						Ok(0) | Err(_) => return Pumped::Abandoned,
						Ok(written) => {
							at += written;
							pump.state().received += written as u64;
						},
					}
				}
				pump.wake_writer.notify_one();
			},
			ACK | END => {
				let Ok(count) = <[u8; 8]>::try_from(payload).map(u64::from_be_bytes) else {
					return Pumped::Broken(format!("a frame of kind {tag} with a bad count"));
				};
				if tag == ACK {
					pump.state().acknowledge(count);
				} else {
					let received = pump.state().received;
					if count != received {
						return Pumped::Broken(format!(
							"the end after {count} bytes, but {received} arrived"
						));
					}
					let _ = to_user.shutdown().await;
					pump.state().peer_ended = true;
				}
				pump.wake_writer.notify_one();
			},
			other => return Pumped::Broken(format!("a frame of unknown kind {other}")),
		}
		if pump.state().finished() {
			return Pumped::Finished;
		}
	}
}

/// What the sender does next.
enum Next {
	Ack(u64),
	Data(Vec<u8>),
	End(u64),
	Finished,
	/// Read the user's bytes (room in the window), or wait for the peer.
	Wait {
		read: bool,
		ack_due: bool,
	},
}

/// The user's bytes and what the peer has not received, acknowledgements and the end, to the
/// peer; starts from `from` (what the peer has received).
async fn send(
	pump: &Pump,
	carrier: &mut (impl AsyncWrite + Unpin),
	from_user: &mut ReadHalf<DuplexStream>,
	from: u64,
) -> Pumped {
	let mut sent = from;
	let mut end_sent = false;
	let mut buffer = vec![0u8; MAX_DATA];
	loop {
		let next = {
			let mut state = pump.state();
			let unacked = state.received_mark() - state.ack_sent;
			if unacked >= ACK_EVERY || (state.peer_ended && unacked > 0) {
				state.ack_sent = state.received_mark();
				Next::Ack(state.ack_sent)
			} else if sent < state.written {
				// The peer has acknowledged at most what was sent: `acked <= sent`.
				let start = (sent - state.acked) as usize;
				let length = ((state.written - sent) as usize).min(MAX_DATA);
				let data: Vec<u8> = state.replay.range(start..start + length).copied().collect();
				Next::Data(data)
			} else if state.ended && !end_sent && !state.end_acked {
				Next::End(state.written)
			} else if state.finished() {
				Next::Finished
			} else {
				Next::Wait {
					read: !state.ended && state.replay.len() < WINDOW,
					ack_due: unacked > 0,
				}
			}
		};
		let written = match next {
			Next::Ack(mark) => write_tagged(carrier, ACK, &mark.to_be_bytes()).await,
			Next::Data(data) => {
				sent += data.len() as u64;
				write_tagged(carrier, DATA, &data).await
			},
			Next::End(count) => {
				end_sent = true;
				write_tagged(carrier, END, &count.to_be_bytes()).await
			},
			Next::Finished => return Pumped::Finished,
			Next::Wait { read, ack_due } => {
				// An acknowledgement soon when one is due, else a heartbeat.
				let ack_timer = tokio::time::sleep(if ack_due { ACK_DELAY } else { HEARTBEAT });
				let user = async {
					if read {
						from_user.read(&mut buffer).await
					} else {
						std::future::pending().await
					}
				};
				tokio::select! {
					read = user => {
						let mut state = pump.state();
						match read {
							Ok(0) | Err(_) => state.ended = true,
							Ok(count) => {
								state.replay.extend(&buffer[..count]);
								state.written += count as u64;
							},
						}
					},
					() = ack_timer => {
						let mark = {
							let mut state = pump.state();
							state.ack_sent = state.received_mark();
							state.ack_sent
						};
						if let Err(error) = write_tagged(carrier, ACK, &mark.to_be_bytes()).await {
							return Pumped::Broken(error.to_string());
						}
					},
					() = pump.wake_writer.notified() => {},
				}
				Ok(())
			},
		};
		if let Err(error) = written {
			return Pumped::Broken(error.to_string());
		}
	}
}

async fn write_tagged(
	carrier: &mut (impl AsyncWrite + Unpin),
	tag: u8,
	payload: &[u8],
) -> Result<(), frame::FrameError> {
	let mut bytes = Vec::with_capacity(1 + payload.len());
	bytes.push(tag);
	bytes.extend_from_slice(payload);
	frame::write(carrier, &bytes).await
}

/// A new session's pump and the user's end of it.
fn new_pump() -> (Arc<Pump>, Session, DuplexStream) {
	let (user, ours) = tokio::io::duplex(USER_BUFFER);
	(Arc::new(Pump { state: Mutex::new(State::default()), wake_writer: Notify::new() }), user, ours)
}

/// Opens a session of `protocol` to the peer at `address` (ending in `/p2p/<peer id>`); when
/// its stream breaks, it is carried on over a new one to the same peer (any path the host has
/// or finds) for up to [`RESUME_TIME`].
pub async fn open(host: &Host, address: &Multiaddr, protocol: &str) -> Result<Session, P2pError> {
	let mut id = [0u8; 16];
	rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut id);
	let id = hex::encode(id);
	let protocol = protocol.to_owned();
	let hello = move |received| Hello { session: id.clone(), protocol: protocol.clone(), received };
	// The first stream may break as it opens too (a relayed path replaced by a punched one).
	let carrier = attach_within(host, address, || hello(0)).await?;
	let (pump_state, user, ours) = new_pump();
	let (host, address) = (host.clone(), address.clone());
	tokio::spawn(async move {
		let (mut from_user, mut to_user) = tokio::io::split(ours);
		let mut carrier = carrier;
		loop {
			match pump(&pump_state, carrier, &mut from_user, &mut to_user).await {
				Pumped::Finished | Pumped::Abandoned => return,
				Pumped::Broken(why) => tracing::debug!(%address, "a session's stream broke: {why}"),
			}
			let received = || hello(pump_state.state().received_mark());
			carrier = match attach_within(&host, &address, received).await {
				Ok(carrier) => carrier,
				Err(error) => {
					tracing::info!(%address, "a session could not be resumed: {error}");
					return;
				},
			};
			tracing::debug!(%address, "a session resumed");
		}
	});
	Ok(user)
}

/// A new stream of a session (its hello made by `hello` at each try), tried again with a
/// growing pause for up to [`RESUME_TIME`] unless the peer refuses the session.
async fn attach_within(
	host: &Host,
	address: &Multiaddr,
	hello: impl Fn() -> Hello,
) -> Result<Carrier, P2pError> {
	let deadline = tokio::time::Instant::now() + RESUME_TIME;
	let mut pause = Duration::from_millis(100);
	loop {
		let tried = tokio::time::timeout(ATTACH_TIME, attach(host, address, &hello())).await;
		let error = match tried {
			Ok(Ok(carrier)) => return Ok(carrier),
			Ok(Err((error, Attach::Refused))) => return Err(error),
			Ok(Err((error, Attach::Retry))) => error,
			Err(_) => P2pError::Stream {
				peer: address.to_string(),
				protocol: PROTOCOL.into(),
				message: format!("no welcome within {ATTACH_TIME:?}"),
			},
		};
		if tokio::time::Instant::now() + pause >= deadline {
			return Err(error);
		}
		tracing::debug!(%address, "a session's stream: {error}; trying again");
		tokio::time::sleep(pause).await;
		pause = (pause * 2).min(Duration::from_secs(2));
	}
}

/// Whether a failed attach is worth another try.
enum Attach {
	/// The path failed: another may not.
	Retry,
	/// The peer refused the session: it is over.
	Refused,
}

/// A new stream of the session `hello` names, greeted.
async fn attach(
	host: &Host,
	address: &Multiaddr,
	hello: &Hello,
) -> Result<Carrier, (P2pError, Attach)> {
	let peer = address.to_string();
	let broken = |message: String| {
		(P2pError::Stream { peer: peer.clone(), protocol: PROTOCOL.into(), message }, Attach::Retry)
	};
	let mut stream = host.open(address, PROTOCOL).await.map_err(|e| (e, Attach::Retry))?;
	let hello = serde_json::to_vec(hello).expect("a hello serializes");
	frame::write(&mut stream, &hello).await.map_err(|e| broken(e.to_string()))?;
	let welcome = frame::read(&mut stream, MAX_GREETING)
		.await
		.map_err(|e| broken(e.to_string()))?
		.ok_or_else(|| broken("closed before its welcome".into()))?;
	match serde_json::from_slice(&welcome).map_err(|e| broken(format!("its welcome: {e}")))? {
		Welcome::Resume { received } => Ok(Carrier { stream, peer_received: received }),
		Welcome::Refused { reason } => {
			Err((broken(format!("refused: {reason}")).0, Attach::Refused))
		},
	}
}

/// New sessions of one protocol: the peer and the session.
pub type Incoming = mpsc::Receiver<(PeerId, Session)>;

/// The sessions an acceptor keeps: by peer and id, the way to hand each a new stream.
type Registry = Arc<Mutex<HashMap<(PeerId, String), mpsc::Sender<(libp2p::Stream, u64)>>>>;

/// Accepts sessions of each of `protocols` on `host`: one [`Incoming`] per protocol, in the
/// same order. A stream that resumes a session is handed to it; one that names an unknown
/// session, a protocol not served, or comes past the caps ([`MAX_SESSIONS`] in all,
/// [`MAX_SESSIONS_PER_PEER`] per peer) is refused.
pub fn accept(host: &Host, protocols: &[&str]) -> Result<Vec<Incoming>, P2pError> {
	let mut streams = host.accept(PROTOCOL)?;
	let mut serving = HashMap::new();
	let mut incomings = Vec::new();
	for protocol in protocols {
		let (sender, receiver) = mpsc::channel(64);
		serving.insert(protocol.to_string(), sender);
		incomings.push(receiver);
	}
	let registry: Registry = Arc::default();
	tokio::spawn(async move {
		while let Some((peer, stream)) = streams.next().await {
			let (serving, registry) = (serving.clone(), registry.clone());
			tokio::spawn(async move { greet(peer, stream, &serving, &registry).await });
		}
	});
	Ok(incomings)
}

/// Reads a stream's hello and starts or resumes its session.
async fn greet(
	peer: PeerId,
	mut stream: libp2p::Stream,
	serving: &HashMap<String, mpsc::Sender<(PeerId, Session)>>,
	registry: &Registry,
) {
	let hello =
		match tokio::time::timeout(Duration::from_secs(10), frame::read(&mut stream, MAX_GREETING))
			.await
		{
			Ok(Ok(Some(bytes))) => match serde_json::from_slice::<Hello>(&bytes) {
				Ok(hello) => hello,
				Err(error) => {
					return refuse(stream, format!("a hello this peer does not read: {error}"))
						.await
				},
			},
			_ => return,
		};
	let key = (peer, hello.session.clone());
	let known = registry.lock().expect("never poisoned").get(&key).cloned();
	if let Some(resume) = known {
		if resume.send((stream, hello.received)).await.is_err() {
			tracing::debug!(%peer, "a session ended as it was resumed");
		}
		return;
	}
	if hello.received != 0 {
		return refuse(stream, "no such session: it ended or expired".into()).await;
	}
	let Some(deliver) = serving.get(&hello.protocol) else {
		return refuse(stream, format!("{} is not served here", hello.protocol)).await;
	};
	let (resumes, mut resumed) = mpsc::channel(4);
	let admitted = {
		let mut sessions = registry.lock().expect("never poisoned");
		let of_peer = sessions.keys().filter(|(owner, _)| *owner == peer).count();
		let room = sessions.len() < MAX_SESSIONS && of_peer < MAX_SESSIONS_PER_PEER;
		if room {
			sessions.insert(key.clone(), resumes);
		}
		room
	};
	if !admitted {
		return refuse(stream, "too many sessions".into()).await;
	}
	let (pump_state, user, ours) = new_pump();
	if deliver.send((peer, user)).await.is_err() {
		registry.lock().expect("never poisoned").remove(&key);
		return refuse(stream, format!("{} is no longer served", hello.protocol)).await;
	}
	let (mut from_user, mut to_user) = tokio::io::split(ours);
	let mut next = Some((stream, 0u64));
	while let Some((mut stream, peer_received)) = next.take() {
		let received = pump_state.state().received_mark();
		let welcome = serde_json::to_vec(&Welcome::Resume { received }).expect("serializes");
		if frame::write(&mut stream, &welcome).await.is_ok() {
			let carrier = Carrier { stream, peer_received };
			tokio::select! {
				outcome = pump(&pump_state, carrier, &mut from_user, &mut to_user) => match outcome {
					Pumped::Finished | Pumped::Abandoned => break,
					Pumped::Broken(why) => tracing::debug!(%peer, "a session's stream broke: {why}"),
				},
				// The opener came back on a new stream before this one was seen to break.
				newer = resumed.recv() => { next = newer; continue },
			}
		}
		next = tokio::time::timeout(RESUME_TIME, resumed.recv()).await.ok().flatten();
	}
	registry.lock().expect("never poisoned").remove(&key);
}

async fn refuse(mut stream: libp2p::Stream, reason: String) {
	let refusal = serde_json::to_vec(&Welcome::Refused { reason }).expect("serializes");
	let _ = frame::write(&mut stream, &refusal).await;
	let _ = stream.close().await;
}
