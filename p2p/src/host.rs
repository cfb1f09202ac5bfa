//! A libp2p host: the swarm (TCP and QUIC, Noise, Yamux, identify, ping, generic streams)
//! driven by a task of its own, and a [`Host`] handle to listen, dial and open or accept
//! streams. Every connection is encrypted and authenticated by the peers' ids.

use futures::StreamExt;
use libp2p::{
	identify, identity::Keypair, multiaddr::Protocol, noise, ping, swarm::SwarmEvent, tcp, yamux,
	Multiaddr, PeerId, StreamProtocol, Swarm,
};
use std::{collections::HashMap, time::Duration};
use tokio::sync::{mpsc, oneshot, watch};

/// The protocol version identify announces.
const IDENTIFY_PROTOCOL: &str = "/sonm/1";

/// How long a connection with no stream open stays up.
const IDLE_CONNECTION: Duration = Duration::from_secs(60);

/// What can go wrong in the peer-to-peer layer.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
	/// The swarm could not be built (a transport failed to start).
	#[error("the libp2p host: {0}")]
	Build(String),
	/// An address to listen on was refused.
	#[error("cannot listen on {address}: {message}")]
	Listen {
		/// The address.
		address: Multiaddr,
		/// Why.
		message: String,
	},
	/// An address to dial has no `/p2p/<peer id>` at its end.
	#[error("{0} names no peer: it must end in /p2p/<peer id>")]
	NoPeer(Multiaddr),
	/// Dialing failed.
	#[error("cannot reach {address}: {message}")]
	Dial {
		/// The address.
		address: Multiaddr,
		/// Why.
		message: String,
	},
	/// Opening a stream on a connection failed.
	#[error("cannot open {protocol} to {peer}: {message}")]
	Stream {
		/// The peer.
		peer: String,
		/// The protocol.
		protocol: String,
		/// Why.
		message: String,
	},
	/// The host's task has stopped.
	#[error("the libp2p host has stopped")]
	Stopped,
}

/// The host's behaviours.
#[derive(libp2p::swarm::NetworkBehaviour)]
struct Behaviour {
	identify: identify::Behaviour,
	ping: ping::Behaviour,
	stream: libp2p_stream::Behaviour,
}

/// A request to the swarm's task.
enum Command {
	Dial { address: Multiaddr, peer: PeerId, reply: oneshot::Sender<Result<(), String>> },
}

/// A running libp2p host.
#[derive(Clone)]
pub struct Host {
	peer_id: PeerId,
	control: libp2p_stream::Control,
	commands: mpsc::Sender<Command>,
	listening: watch::Receiver<Vec<Multiaddr>>,
}

impl Host {
	/// Starts a host with `keypair`, listening on `listen` (none: a host that only dials).
	pub async fn start(keypair: Keypair, listen: &[Multiaddr]) -> Result<Self, P2pError> {
		let peer_id = keypair.public().to_peer_id();
		let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
			.with_tokio()
			.with_tcp(
				tcp::Config::default().nodelay(true),
				noise::Config::new,
				yamux::Config::default,
			)
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_quic()
			.with_behaviour(|key| Behaviour {
				identify: identify::Behaviour::new(identify::Config::new(
					IDENTIFY_PROTOCOL.into(),
					key.public(),
				)),
				ping: ping::Behaviour::default(),
				stream: libp2p_stream::Behaviour::new(),
			})
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_swarm_config(|config| config.with_idle_connection_timeout(IDLE_CONNECTION))
			.build();
		for address in listen {
			swarm.listen_on(address.clone()).map_err(|e| P2pError::Listen {
				address: address.clone(),
				message: e.to_string(),
			})?;
		}
		let control = swarm.behaviour().stream.new_control();
		let (commands, receiver) = mpsc::channel(64);
		let (listened, listening) = watch::channel(Vec::new());
		tokio::spawn(drive(swarm, receiver, listened));
		Ok(Self { peer_id, control, commands, listening })
	}

	/// This host's peer id.
	pub fn peer_id(&self) -> PeerId {
		self.peer_id
	}

	/// The addresses it listens on, each with `/p2p/<peer id>`, once it listens on at least
	/// `count` (waiting for them).
	pub async fn listen_addresses(&self, count: usize) -> Result<Vec<Multiaddr>, P2pError> {
		let mut listening = self.listening.clone();
		let addresses = listening
			.wait_for(|addresses| addresses.len() >= count)
			.await
			.map_err(|_| P2pError::Stopped)?
			.clone();
		Ok(addresses.into_iter().map(|address| with_peer(address, self.peer_id)).collect())
	}

	/// Accepts streams of `protocol` (once per protocol).
	pub fn accept(
		&self,
		protocol: &'static str,
	) -> Result<libp2p_stream::IncomingStreams, P2pError> {
		self.control
			.clone()
			.accept(StreamProtocol::new(protocol))
			.map_err(|e| P2pError::Stream {
				peer: self.peer_id.to_string(),
				protocol: protocol.into(),
				message: e.to_string(),
			})
	}

	/// Dials `address` (which ends in `/p2p/<peer id>`) unless connected already, and opens a
	/// stream of `protocol` to that peer.
	pub async fn open(
		&self,
		address: &Multiaddr,
		protocol: &'static str,
	) -> Result<libp2p::Stream, P2pError> {
		let peer = peer_of(address).ok_or_else(|| P2pError::NoPeer(address.clone()))?;
		let (reply, answer) = oneshot::channel();
		self.commands
			.send(Command::Dial { address: address.clone(), peer, reply })
			.await
			.map_err(|_| P2pError::Stopped)?;
		answer
			.await
			.map_err(|_| P2pError::Stopped)?
			.map_err(|message| P2pError::Dial { address: address.clone(), message })?;
		self.control
			.clone()
			.open_stream(peer, StreamProtocol::new(protocol))
			.await
			.map_err(|e| P2pError::Stream {
				peer: peer.to_string(),
				protocol: protocol.into(),
				message: e.to_string(),
			})
	}
}

/// `address` with `/p2p/<peer>` at its end (once).
pub fn with_peer(address: Multiaddr, peer: PeerId) -> Multiaddr {
	if peer_of(&address) == Some(peer) {
		return address;
	}
	address.with(Protocol::P2p(peer))
}

/// The peer id at the end of `address`, if it names one.
pub fn peer_of(address: &Multiaddr) -> Option<PeerId> {
	address
		.iter()
		.filter_map(|part| match part {
			Protocol::P2p(peer) => Some(peer),
			_ => None,
		})
		.last()
}

/// Runs the swarm: its events, and dial requests answered once a connection to the peer is up
/// or the dial failed.
async fn drive(
	mut swarm: Swarm<Behaviour>,
	mut commands: mpsc::Receiver<Command>,
	listened: watch::Sender<Vec<Multiaddr>>,
) {
	let mut dialing: HashMap<PeerId, Vec<oneshot::Sender<Result<(), String>>>> = HashMap::new();
	loop {
		tokio::select! {
			command = commands.recv() => match command {
				None => return,
				Some(Command::Dial { address, peer, reply }) => {
					if swarm.is_connected(&peer) {
						let _ = reply.send(Ok(()));
						continue;
					}
					match swarm.dial(address) {
						Ok(()) => dialing.entry(peer).or_default().push(reply),
						Err(error) => drop(reply.send(Err(error.to_string()))),
					}
				},
			},
			event = swarm.select_next_some() => match event {
				SwarmEvent::NewListenAddr { address, .. } => {
					tracing::info!(%address, "libp2p listening");
					listened.send_modify(|addresses| addresses.push(address));
				},
				SwarmEvent::ExpiredListenAddr { address, .. } => {
					listened.send_modify(|addresses| addresses.retain(|known| *known != address));
				},
				SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. } => {
					tracing::debug!(peer = %peer_id, address = %endpoint.get_remote_address(), "connected");
					for reply in dialing.remove(&peer_id).unwrap_or_default() {
						let _ = reply.send(Ok(()));
					}
				},
				SwarmEvent::OutgoingConnectionError { peer_id: Some(peer), error, .. } => {
					for reply in dialing.remove(&peer).unwrap_or_default() {
						let _ = reply.send(Err(error.to_string()));
					}
				},
				_ => {},
			},
		}
	}
}
