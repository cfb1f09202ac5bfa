//! A libp2p host: the swarm (TCP and QUIC, Noise, Yamux, identify, ping, generic streams; the
//! relay client, DCUtR hole punching and AutoNAT; optionally a relay server) driven by a task of
//! its own, and a [`Host`] handle to listen, dial and open or accept streams. Every connection
//! is encrypted and authenticated by the peers' ids.
//!
//! Reaching a host behind NAT: it keeps reservations on relays ([`HostConfig::reserve_on`]) and
//! is published at its relayed address (`/…/p2p/<relay>/p2p-circuit/p2p/<host>`); a peer that
//! dials that address gets a relayed connection at once, and both ends then try to punch a
//! direct one (DCUtR) while the relayed one already carries streams. A host with a public
//! address serves as a relay for others ([`HostConfig::relay`]), within limits.

use futures::StreamExt;
use libp2p::{
	autonat, dcutr, identify,
	identity::Keypair,
	multiaddr::Protocol,
	noise, ping, relay,
	swarm::{behaviour::toggle::Toggle, dial_opts::DialOpts, ConnectionId, SwarmEvent},
	tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm, Transport as _,
};
use std::{
	collections::HashMap,
	num::NonZeroU32,
	sync::{
		atomic::{AtomicU64, Ordering::Relaxed},
		Arc,
	},
	time::Duration,
};
use tokio::sync::{mpsc, oneshot, watch};

/// What a relay server allows (a public worker's `[tasks] relay_*` settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelayLimits {
	/// Reservations held at once, in all.
	pub max_reservations: usize,
	/// Reservations one peer may make per minute.
	pub reservations_per_peer_per_minute: u32,
	/// Circuits open at once, in all.
	pub max_circuits: usize,
	/// Circuits open at once per peer.
	pub max_circuits_per_peer: usize,
	/// The longest a circuit stays open.
	pub circuit_duration: Duration,
	/// The most bytes a circuit carries (each way).
	pub circuit_bytes: u64,
}

impl Default for RelayLimits {
	fn default() -> Self {
		Self {
			max_reservations: 128,
			reservations_per_peer_per_minute: 4,
			max_circuits: 64,
			max_circuits_per_peer: 8,
			circuit_duration: Duration::from_secs(600),
			circuit_bytes: 64 << 20,
		}
	}
}

impl RelayLimits {
	/// libp2p's own defaults: two-minute circuits of at most 128 KiB each way — enough to
	/// coordinate a hole punch, not to carry a workload. What a relay serves without a deal.
	pub fn libp2p_defaults() -> Self {
		let defaults = relay::Config::default();
		Self {
			max_reservations: defaults.max_reservations,
			reservations_per_peer_per_minute: 4,
			max_circuits: defaults.max_circuits,
			max_circuits_per_peer: defaults.max_circuits_per_peer,
			circuit_duration: defaults.max_circuit_duration,
			circuit_bytes: defaults.max_circuit_bytes,
		}
	}
}

/// The peers a relay that sells its service holds reservations for: its buyers' (each named
/// by a relay deal's customer). Shared between the relay's host and what admits buyers.
#[derive(Clone, Debug, Default)]
pub struct Buyers(Arc<std::sync::RwLock<std::collections::HashSet<PeerId>>>);

impl Buyers {
	/// Serves `peer` from now on.
	pub fn admit(&self, peer: PeerId) {
		self.0.write().expect("never poisoned").insert(peer);
	}

	/// Serves `peer` no longer (its reservation is not renewed).
	pub fn revoke(&self, peer: &PeerId) {
		self.0.write().expect("never poisoned").remove(peer);
	}

	/// Whether `peer` is served.
	pub fn contains(&self, peer: &PeerId) -> bool {
		self.0.read().expect("never poisoned").contains(peer)
	}
}

/// A relay's reservation check that admits its buyers only.
struct BuyersOnly(Buyers);

impl relay::RateLimiter for BuyersOnly {
	fn try_next(&mut self, peer: PeerId, _: &Multiaddr, _: std::time::Instant) -> bool {
		self.0.contains(&peer)
	}
}

/// How a host listens and how others reach it.
#[derive(Clone, Debug, Default)]
pub struct HostConfig {
	/// Addresses to listen on.
	pub listen: Vec<Multiaddr>,
	/// Serve as a relay for others, within these limits.
	pub relay: Option<RelayLimits>,
	/// Serve as a relay only for these peers (a relay that sells its service).
	pub relay_buyers: Option<Buyers>,
	/// Relays to keep reservations on (their addresses with `/p2p/<relay>`).
	pub reserve_on: Vec<Multiaddr>,
	/// Addresses others reach this host at (a public host's advertised address). A relay also
	/// counts the addresses it listens on: those are what it tells the hosts that reserve on it.
	pub external: Vec<Multiaddr>,
}

/// Every address of the machine, any free port, on TCP and QUIC: where a customer's host
/// listens. It only dials, but a hole punch (DCUtR) needs a socket of its own that the other
/// end can reach: without one, a worker behind NAT stays behind its relay.
pub fn any_port() -> Vec<Multiaddr> {
	["/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"]
		.iter()
		.map(|address| address.parse().expect("a valid multiaddress"))
		.collect()
}

/// What the host has seen of its connections (for the daemons' metrics).
#[derive(Debug, Default)]
pub struct PathStats {
	/// Connections made directly (dialed or accepted).
	pub direct: AtomicU64,
	/// Connections through a relay.
	pub relayed: AtomicU64,
	/// Hole punches tried (DCUtR), and those that made a direct connection.
	pub punches: AtomicU64,
	pub punched: AtomicU64,
	/// Direct connections to peers first reached through a relay (punched, or the peer
	/// behind NAT dialing back).
	pub upgraded: AtomicU64,
	/// Circuits this host relayed for others.
	pub circuits_relayed: AtomicU64,
	/// Reservations this host (a relay) refused, and circuits it refused.
	pub reservations_refused: AtomicU64,
	pub circuits_refused: AtomicU64,
	/// Reservations this host holds on relays (accepted, renewals included), and those the
	/// relays refused or that failed.
	pub reservations: AtomicU64,
	pub reservations_failed: AtomicU64,
	/// Bytes this host received and sent over connections through relays (as an end of the
	/// circuit, with their encryption's overhead): what a relay deal carries for it.
	pub relayed_bytes_in: AtomicU64,
	pub relayed_bytes_out: AtomicU64,
	/// What AutoNAT finds of this host: [`REACHABILITY_UNKNOWN`], [`REACHABILITY_PUBLIC`] or
	/// [`REACHABILITY_PRIVATE`].
	pub reachability: AtomicU64,
}

/// AutoNAT has not decided yet.
pub const REACHABILITY_UNKNOWN: u64 = 0;
/// Peers dialed this host back at an address it told them: it is public.
pub const REACHABILITY_PUBLIC: u64 = 1;
/// They could not: it is behind NAT (reached through relays).
pub const REACHABILITY_PRIVATE: u64 = 2;

/// A relayed connection whose bytes are counted into the host's [`PathStats`].
struct Counted<C> {
	inner: C,
	stats: Arc<PathStats>,
}

impl<C: futures::AsyncRead + Unpin> futures::AsyncRead for Counted<C> {
	fn poll_read(
		mut self: std::pin::Pin<&mut Self>,
		context: &mut std::task::Context<'_>,
		buffer: &mut [u8],
	) -> std::task::Poll<std::io::Result<usize>> {
		let polled = std::pin::Pin::new(&mut self.inner).poll_read(context, buffer);
		if let std::task::Poll::Ready(Ok(read)) = &polled {
			self.stats.relayed_bytes_in.fetch_add(*read as u64, Relaxed);
		}
		polled
	}
}

impl<C: futures::AsyncWrite + Unpin> futures::AsyncWrite for Counted<C> {
	fn poll_write(
		mut self: std::pin::Pin<&mut Self>,
		context: &mut std::task::Context<'_>,
		bytes: &[u8],
	) -> std::task::Poll<std::io::Result<usize>> {
		let polled = std::pin::Pin::new(&mut self.inner).poll_write(context, bytes);
		if let std::task::Poll::Ready(Ok(written)) = &polled {
			self.stats.relayed_bytes_out.fetch_add(*written as u64, Relaxed);
		}
		polled
	}

	fn poll_flush(
		mut self: std::pin::Pin<&mut Self>,
		context: &mut std::task::Context<'_>,
	) -> std::task::Poll<std::io::Result<()>> {
		std::pin::Pin::new(&mut self.inner).poll_flush(context)
	}

	fn poll_close(
		mut self: std::pin::Pin<&mut Self>,
		context: &mut std::task::Context<'_>,
	) -> std::task::Poll<std::io::Result<()>> {
		std::pin::Pin::new(&mut self.inner).poll_close(context)
	}
}

/// The protocol version identify announces.
const IDENTIFY_PROTOCOL: &str = "/sonm/1";

/// The most addresses kept per peer (what identify told of it).
const ADDRESSES_PER_PEER: usize = 16;

/// The most peers whose addresses are kept.
const PEERS_KEPT: usize = 4096;

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
	relay_client: relay::client::Behaviour,
	relay: Toggle<relay::Behaviour>,
	dcutr: dcutr::Behaviour,
	autonat: autonat::Behaviour,
}

/// The relay server's configuration from `limits`, for `buyers` only when given.
fn relay_config(limits: RelayLimits, buyers: Option<Buyers>) -> relay::Config {
	let per_minute = NonZeroU32::new(limits.reservations_per_peer_per_minute.max(1)).expect("≥ 1");
	let mut config = relay::Config {
		max_reservations: limits.max_reservations,
		max_reservations_per_peer: 4,
		max_circuits: limits.max_circuits,
		max_circuits_per_peer: limits.max_circuits_per_peer,
		max_circuit_duration: limits.circuit_duration,
		max_circuit_bytes: limits.circuit_bytes,
		reservation_rate_limiters: Vec::new(),
		circuit_src_rate_limiters: Vec::new(),
		..Default::default()
	}
	.reservation_rate_per_peer(per_minute, Duration::from_secs(60))
	.circuit_src_per_peer(NonZeroU32::new(60).expect("60"), Duration::from_secs(60));
	if let Some(buyers) = buyers {
		config.reservation_rate_limiters.push(Box::new(BuyersOnly(buyers)));
	}
	config
}

/// A request to the swarm's task.
enum Command {
	Dial { address: Multiaddr, peer: PeerId, reply: oneshot::Sender<Result<(), String>> },
	Listen { address: Multiaddr, reply: oneshot::Sender<Result<(), String>> },
	Disconnect { peer: PeerId, reply: oneshot::Sender<()> },
}

/// A running libp2p host.
#[derive(Clone)]
pub struct Host {
	peer_id: PeerId,
	control: libp2p_stream::Control,
	commands: mpsc::Sender<Command>,
	listening: watch::Receiver<Vec<Multiaddr>>,
	stats: Arc<PathStats>,
}

impl Host {
	/// Starts a host with `keypair`, listening on `listen` (none: a host that only dials).
	pub async fn start(keypair: Keypair, listen: &[Multiaddr]) -> Result<Self, P2pError> {
		Self::start_with(keypair, &HostConfig { listen: listen.to_vec(), ..Default::default() })
			.await
	}

	/// Starts a host with `keypair` as `config` says.
	pub async fn start_with(keypair: Keypair, config: &HostConfig) -> Result<Self, P2pError> {
		let peer_id = keypair.public().to_peer_id();
		let relay_limits = config.relay;
		let relay_buyers = config.relay_buyers.clone();
		let stats = Arc::new(PathStats::default());
		// The relay client's transport, built here so that its connections' bytes are counted.
		let (relay_transport, relay_client) = relay::client::new(peer_id);
		let counting = stats.clone();
		let relay_noise =
			noise::Config::new(&keypair).map_err(|e| P2pError::Build(e.to_string()))?;
		let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
			.with_tokio()
			.with_tcp(
				tcp::Config::default().nodelay(true),
				noise::Config::new,
				yamux::Config::default,
			)
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_quic()
			.with_other_transport(move |_| {
				relay_transport
					.map(move |connection, _| Counted { inner: connection, stats: counting })
					.upgrade(libp2p::core::upgrade::Version::V1Lazy)
					.authenticate(relay_noise)
					.multiplex(yamux::Config::default())
			})
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_dns()
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_websocket(noise::Config::new, yamux::Config::default)
			.await
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_behaviour(|key| Behaviour {
				identify: identify::Behaviour::new(identify::Config::new(
					IDENTIFY_PROTOCOL.into(),
					key.public(),
				)),
				ping: ping::Behaviour::default(),
				stream: libp2p_stream::Behaviour::new(),
				relay_client,
				relay: relay_limits
					.map(|limits| {
						relay::Behaviour::new(peer_id, relay_config(limits, relay_buyers))
					})
					.into(),
				dcutr: dcutr::Behaviour::new(peer_id),
				autonat: autonat::Behaviour::new(
					peer_id,
					autonat::Config { only_global_ips: false, ..Default::default() },
				),
			})
			.map_err(|e| P2pError::Build(e.to_string()))?
			.with_swarm_config(|config| config.with_idle_connection_timeout(IDLE_CONNECTION))
			.build();
		for address in &config.listen {
			swarm.listen_on(address.clone()).map_err(|e| P2pError::Listen {
				address: address.clone(),
				message: e.to_string(),
			})?;
		}
		for address in &config.external {
			swarm.add_external_address(address.clone());
		}
		let mut circuits = std::collections::HashSet::new();
		for relay in &config.reserve_on {
			let circuit = relay.clone().with(Protocol::P2pCircuit);
			let listener = swarm
				.listen_on(circuit.clone())
				.map_err(|e| P2pError::Listen { address: circuit, message: e.to_string() })?;
			circuits.insert(listener);
		}
		let control = swarm.behaviour().stream.new_control();
		let (commands, receiver) = mpsc::channel(64);
		let (listened, listening) = watch::channel(Vec::new());
		let relaying = config.relay.is_some();
		tokio::spawn(drive(swarm, receiver, listened, stats.clone(), relaying, circuits));
		Ok(Self { peer_id, control, commands, listening, stats })
	}

	/// Listens on `address` too (a relay's `…/p2p-circuit`: a reservation on it).
	pub async fn listen(&self, address: Multiaddr) -> Result<(), P2pError> {
		let (reply, answer) = oneshot::channel();
		let listen = Command::Listen { address: address.clone(), reply };
		self.commands.send(listen).await.map_err(|_| P2pError::Stopped)?;
		answer
			.await
			.map_err(|_| P2pError::Stopped)?
			.map_err(|message| P2pError::Listen { address, message })
	}

	/// Closes every connection to `peer` (streams on them break; sessions resume over a new
	/// one).
	pub async fn disconnect(&self, peer: PeerId) -> Result<(), P2pError> {
		let (reply, done) = oneshot::channel();
		self.commands
			.send(Command::Disconnect { peer, reply })
			.await
			.map_err(|_| P2pError::Stopped)?;
		done.await.map_err(|_| P2pError::Stopped)
	}

	/// What the host has seen of its connections.
	pub fn stats(&self) -> &PathStats {
		&self.stats
	}

	/// The addresses it listens on, as they change (relayed ones included, without
	/// `/p2p/<peer id>` at their end).
	pub fn listening(&self) -> watch::Receiver<Vec<Multiaddr>> {
		self.listening.clone()
	}

	/// Its addresses through relays (`…/p2p-circuit/p2p/<peer id>`), once it holds at least
	/// `count` reservations (waiting for them).
	pub async fn relayed_addresses(&self, count: usize) -> Result<Vec<Multiaddr>, P2pError> {
		let mut listening = self.listening.clone();
		let relayed = |addresses: &Vec<Multiaddr>| {
			addresses
				.iter()
				.filter(|address| is_relayed(address))
				.cloned()
				.collect::<Vec<_>>()
		};
		let addresses = relayed(
			&*listening
				.wait_for(|addresses| relayed(addresses).len() >= count)
				.await
				.map_err(|_| P2pError::Stopped)?,
		);
		Ok(addresses.into_iter().map(|address| with_peer(address, self.peer_id)).collect())
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

/// Whether `address` goes through a relay.
pub fn is_relayed(address: &Multiaddr) -> bool {
	address.iter().any(|part| matches!(part, Protocol::P2pCircuit))
}

/// Whether `address` is carried over QUIC (a relayed address: to its relay).
pub fn is_quic(address: &Multiaddr) -> bool {
	address.iter().any(|part| matches!(part, Protocol::QuicV1))
}

/// Which of `addresses` to publish: the first over QUIC, else the first. A customer reaches a
/// relay the way the published address says, and a hole punch then goes the same way: over
/// QUIC both ends punch from their listening socket, while TCP needs a simultaneous open from
/// reused ports, which fails where QUIC does not (the NAT tests of `sonm-worker`).
pub fn preferred(addresses: &[Multiaddr]) -> Option<&Multiaddr> {
	addresses.iter().find(|address| is_quic(address)).or(addresses.first())
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
	stats: Arc<PathStats>,
	relaying: bool,
	// The listeners that are reservations on relays.
	mut circuits: std::collections::HashSet<libp2p::core::transport::ListenerId>,
) {
	let mut dialing: HashMap<PeerId, Vec<oneshot::Sender<Result<(), String>>>> = HashMap::new();
	// Peers with a relayed connection: a direct one to them after it is an upgrade (until the
	// peer has no connection left).
	let mut relayed_peers = std::collections::HashSet::new();
	// The relayed connections open, by peer: closed once a direct one to the peer is up.
	let mut relayed_connections: HashMap<PeerId, Vec<ConnectionId>> = HashMap::new();
	// Where each peer said it listens (identify): dialed with the address asked for, all at
	// once, so another relay or a direct path serves when the one asked for is gone.
	let mut addresses: HashMap<PeerId, Vec<Multiaddr>> = HashMap::new();
	loop {
		tokio::select! {
			command = commands.recv() => match command {
				None => return,
				Some(Command::Dial { address, peer, reply }) => {
					if swarm.is_connected(&peer) {
						let _ = reply.send(Ok(()));
						continue;
					}
					if let Some(waiting) = dialing.get_mut(&peer) {
						waiting.push(reply);
						continue;
					}
					let mut candidates = vec![address];
					for known in addresses.get(&peer).into_iter().flatten() {
						if !candidates.contains(known) {
							candidates.push(known.clone());
						}
					}
					match swarm.dial(DialOpts::peer_id(peer).addresses(candidates).build()) {
						Ok(()) => dialing.entry(peer).or_default().push(reply),
						Err(error) => drop(reply.send(Err(error.to_string()))),
					}
				},
				Some(Command::Disconnect { peer, reply }) => {
					let _ = swarm.disconnect_peer_id(peer);
					let _ = reply.send(());
				},
				Some(Command::Listen { address, reply }) => {
					let relayed = is_relayed(&address);
					let listened = swarm.listen_on(address).map_err(|e| e.to_string());
					if let (Ok(listener), true) = (&listened, relayed) {
						circuits.insert(*listener);
					}
					let _ = reply.send(listened.map(|_| ()));
				},
			},
			event = swarm.select_next_some() => match event {
				SwarmEvent::NewListenAddr { address, .. } => {
					tracing::info!(%address, "libp2p listening");
					if relaying && !is_relayed(&address) {
						swarm.add_external_address(address.clone());
					}
					listened.send_modify(|addresses| addresses.push(address));
				},
				SwarmEvent::ListenerClosed { listener_id, addresses, reason } => {
					if circuits.remove(&listener_id) {
						if let Err(error) = reason {
							stats.reservations_failed.fetch_add(1, Relaxed);
							tracing::info!("a reservation was refused or lost: {error}");
						}
					}
					listened.send_modify(|known| known.retain(|address| !addresses.contains(address)));
				},
				SwarmEvent::ExpiredListenAddr { address, .. } => {
					listened.send_modify(|addresses| addresses.retain(|known| *known != address));
				},
				SwarmEvent::ConnectionEstablished { peer_id, connection_id, endpoint, .. } => {
					let address = endpoint.get_remote_address();
					if is_relayed(address) {
						stats.relayed.fetch_add(1, Relaxed);
						relayed_peers.insert(peer_id);
						relayed_connections.entry(peer_id).or_default().push(connection_id);
					} else {
						stats.direct.fetch_add(1, Relaxed);
						if relayed_peers.contains(&peer_id) {
							stats.upgraded.fetch_add(1, Relaxed);
							tracing::info!(peer = %peer_id, %address, "a direct path to a peer reached through a relay");
						}
						// One path per peer: streams on the relayed one break and their
						// sessions resume on this one (`session`).
						for relayed in relayed_connections.remove(&peer_id).unwrap_or_default() {
							swarm.close_connection(relayed);
						}
					}
					tracing::debug!(peer = %peer_id, %address, "connected");
					for reply in dialing.remove(&peer_id).unwrap_or_default() {
						let _ = reply.send(Ok(()));
					}
				},
				SwarmEvent::ConnectionClosed { peer_id, connection_id, num_established, .. } => {
					if num_established == 0 {
						relayed_peers.remove(&peer_id);
					}
					if let Some(open) = relayed_connections.get_mut(&peer_id) {
						open.retain(|relayed| *relayed != connection_id);
						if open.is_empty() {
							relayed_connections.remove(&peer_id);
						}
					}
				},
				SwarmEvent::OutgoingConnectionError { peer_id: Some(peer), error, .. } => {
					for reply in dialing.remove(&peer).unwrap_or_default() {
						let _ = reply.send(Err(error.to_string()));
					}
				},
				SwarmEvent::Behaviour(BehaviourEvent::Dcutr(event)) => {
					stats.punches.fetch_add(1, Relaxed);
					match event.result {
						Ok(_) => {
							stats.punched.fetch_add(1, Relaxed);
							tracing::info!(peer = %event.remote_peer_id, "hole punched: a direct connection");
						},
						Err(error) => tracing::info!(peer = %event.remote_peer_id, "hole punching failed: {error}"),
					}
				},
				SwarmEvent::Behaviour(BehaviourEvent::RelayClient(
					relay::client::Event::ReservationReqAccepted { relay_peer_id, .. },
				)) => {
					stats.reservations.fetch_add(1, Relaxed);
					tracing::info!(relay = %relay_peer_id, "a reservation on a relay");
				},
				SwarmEvent::Behaviour(BehaviourEvent::Relay(
					relay::Event::CircuitReqAccepted { src_peer_id, dst_peer_id },
				)) => {
					stats.circuits_relayed.fetch_add(1, Relaxed);
					tracing::debug!(src = %src_peer_id, dst = %dst_peer_id, "relaying a circuit");
				},
				SwarmEvent::Behaviour(BehaviourEvent::Relay(
					relay::Event::ReservationReqDenied { src_peer_id },
				)) => {
					stats.reservations_refused.fetch_add(1, Relaxed);
					tracing::debug!(peer = %src_peer_id, "refused a reservation (limits)");
				},
				SwarmEvent::Behaviour(BehaviourEvent::Relay(relay::Event::CircuitReqDenied {
					src_peer_id,
					..
				})) => {
					stats.circuits_refused.fetch_add(1, Relaxed);
					tracing::debug!(peer = %src_peer_id, "refused a circuit (limits)");
				},
				SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })) => {
					// What a peer saw this host as: a candidate for hole punching. Not on a
					// relay: it tells its clients every external address in their reservations,
					// and what a peer saw of it may be the ephemeral port of a connection it
					// dialled (an AutoNAT dial-back), which a circuit through it cannot use.
					if !relaying {
						swarm.add_external_address(info.observed_addr);
					}
					if addresses.len() < PEERS_KEPT || addresses.contains_key(&peer_id) {
						let mut told = info.listen_addrs;
						told.truncate(ADDRESSES_PER_PEER);
						addresses.insert(peer_id, told);
					}
				},
				SwarmEvent::Behaviour(BehaviourEvent::Autonat(autonat::Event::StatusChanged { new, .. })) => {
					let reachability = match new {
						autonat::NatStatus::Unknown => REACHABILITY_UNKNOWN,
						autonat::NatStatus::Public(_) => REACHABILITY_PUBLIC,
						autonat::NatStatus::Private => REACHABILITY_PRIVATE,
					};
					stats.reachability.store(reachability, Relaxed);
					if relaying && reachability == REACHABILITY_PRIVATE {
						tracing::warn!("AutoNAT finds this host behind NAT: as a relay it serves no one outside");
					} else {
						tracing::info!(status = ?new, "reachability (AutoNAT)");
					}
				},
				_ => {},
			},
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn quic_addresses_are_preferred_to_publish() {
		let parse = |text: &str| text.parse::<Multiaddr>().unwrap();
		let tcp = parse("/ip4/203.0.113.10/tcp/4001");
		let quic = parse("/ip4/203.0.113.10/udp/4001/quic-v1");
		let relayed_quic = parse("/ip4/203.0.113.10/udp/4001/quic-v1/p2p-circuit");
		assert_eq!(preferred(&[tcp.clone(), quic.clone()]), Some(&quic));
		assert_eq!(preferred(&[tcp.clone(), relayed_quic.clone()]), Some(&relayed_quic));
		assert_eq!(preferred(std::slice::from_ref(&tcp)), Some(&tcp));
		assert_eq!(preferred(&[]), None);
	}
}
