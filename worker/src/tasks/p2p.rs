//! The customer's control plane over libp2p: a thin adapter like the HTTP one
//! ([`super::control`]), for customers who reach the worker by its peer id (a worker behind
//! NAT). Each request is a session (`sonm_p2p::session`: it survives a change of path) of
//! `sonm_p2p::task::PROTOCOL`; the service checks and answers it exactly as one that came over
//! HTTP. The host's identity is kept in the worker's database,
//! so its peer id (and the endpoint record that names it) survives restarts.

use crate::{
	state::State,
	tasks::service::{same_account, TaskError, TaskService},
};
use sonm_client::{
	task_auth::{AuthError, SignedRequest},
	task_client::{TaskClient, TaskError as ClientTaskError},
	Client, Key,
};
use sonm_p2p::{
	forward,
	host::{is_quic, is_relayed, preferred, with_peer, RelayLimits},
	session::{self, Session},
	task::{self, ReadError, ReplyHead},
	Host, Multiaddr, P2pError, PeerId,
};
use std::{str::FromStr, sync::Arc, time::Duration};
use tokio::sync::watch;
use tokio_util::compat::TokioAsyncReadCompatExt;

/// The most requests and forwards served at once; more are closed unanswered.
const MAX_STREAMS: usize = 256;

/// How long the worker waits at start for a relay to accept its reservation.
const RESERVATION_TIME: Duration = Duration::from_secs(30);

/// How often relay deals are looked for (a buyer) or checked for their end (a relay).
const RELAY_CHECK: Duration = Duration::from_secs(5);

/// How long a request's head may take to arrive (as over HTTP).
const HEAD_TIME: Duration = Duration::from_secs(10);

/// The worker's libp2p identity: the one in its database, or a new one kept there.
pub fn identity(state: &State) -> Result<sonm_p2p::Keypair, String> {
	let kept: Option<String> = state.meta("p2p_identity").map_err(|e| e.to_string())?;
	let bytes = match kept {
		Some(hex_bytes) => hex::decode(hex_bytes).map_err(|e| format!("p2p_identity: {e}"))?,
		None => {
			let bytes = sonm_p2p::identity::generate();
			state
				.set_meta("p2p_identity", &hex::encode(&bytes))
				.map_err(|e| e.to_string())?;
			bytes
		},
	};
	sonm_p2p::identity::from_bytes(&bytes)
}

/// Starts the worker's libp2p host as `settings` say (`p2p_listen`, `p2p_relays`,
/// `p2p_relay_server`) with the identity kept in `state`, serving the task protocol to
/// `service`, and buys relaying under the relay deals `key`'s account is the customer of.
/// Returns the host and the address to publish (with `/p2p/<peer id>`), as it changes:
/// `p2p_advertise`; else an address through a relay it holds a reservation on (at start it
/// waits for one of `p2p_relays`), moving to another when that one is gone; else an
/// address it listens on (over QUIC if it listens on QUIC: [`preferred`]).
///
/// As a relay (`p2p_relay_server`): a worker with plans tagged `relay` serves only the peers
/// its relay deals' customers named, within `p2p_relay_*` (`settings.p2p_relay_limits`); one
/// without serves anyone
/// within libp2p's defaults (two-minute, 128 KiB circuits: enough to punch holes).
pub async fn serve(
	state: &State,
	settings: &crate::config::Tasks,
	service: Arc<TaskService>,
	client: &Client,
	key: &Key,
) -> Result<(Host, watch::Receiver<String>), String> {
	let (relay, relay_buyers) = match (&service.relaying, settings.p2p_relay_server) {
		(Some((_, buyers)), true) => (Some(settings.p2p_relay_limits), Some(buyers.clone())),
		(None, true) => (Some(RelayLimits::libp2p_defaults()), None),
		(_, false) => (None, None),
	};
	let config = sonm_p2p::host::HostConfig {
		listen: settings.p2p_listen.clone(),
		relay,
		relay_buyers,
		reserve_on: settings.p2p_relays.clone(),
		external: settings.p2p_advertise.iter().cloned().collect(),
	};
	let host = Host::start_with(identity(state)?, &config).await.map_err(|e| e.to_string())?;
	let first = match &settings.p2p_advertise {
		Some(address) => sonm_p2p::host::with_peer(address.clone(), host.peer_id()),
		None if !settings.p2p_relays.is_empty() => {
			tracing::info!(
				relays = settings.p2p_relays.len(),
				"waiting for a reservation on a relay"
			);
			match tokio::time::timeout(RESERVATION_TIME, host.relayed_addresses(1)).await {
				Ok(relayed) => relayed.map_err(|e| e.to_string())?[0].clone(),
				Err(_) => {
					tracing::warn!(
						"no relay accepted a reservation within {RESERVATION_TIME:?}: publishing the listen address"
					);
					own_address(&host, settings).await?
				},
			}
		},
		None => own_address(&host, settings).await?,
	};
	let (publish, published) = watch::channel(first.to_string());
	if settings.p2p_advertise.is_none() {
		tokio::spawn(follow_relays(host.clone(), publish));
	}
	tokio::spawn(buy_relaying(host.clone(), client.clone(), key.clone()));
	if service.relaying.is_some() {
		let service = service.clone();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(RELAY_CHECK).await;
				service.reconcile_relay_buyers();
			}
		});
	}
	let streams = Arc::new(tokio::sync::Semaphore::new(MAX_STREAMS));
	let mut incoming = session::accept(&host, &[task::PROTOCOL, forward::PROTOCOL])
		.map_err(|e: P2pError| e.to_string())?;
	let forwards = incoming.pop().expect("one per protocol");
	let requests = incoming.pop().expect("one per protocol");
	serve_each(requests, streams.clone(), service.clone(), answer);
	serve_each(forwards, streams, service, carry);
	Ok((host, published))
}

/// The address the host listens on to publish: [`preferred`] of them once every
/// `p2p_listen` entry listens.
async fn own_address(host: &Host, settings: &crate::config::Tasks) -> Result<Multiaddr, String> {
	let listening = host.listen_addresses(settings.p2p_listen.len().max(1)).await;
	let listening = listening.map_err(|e| e.to_string())?;
	preferred(&listening)
		.cloned()
		.ok_or_else(|| "the libp2p host listens nowhere".to_owned())
}

/// Keeps `publish` on an address through a relay the host holds a reservation on: when the
/// one published is gone (its relay died or the deal for it ended), the next; [`preferred`]
/// (QUIC) when there is a choice.
async fn follow_relays(host: Host, publish: watch::Sender<String>) {
	let mut listening = host.listening();
	loop {
		let relayed: Vec<Multiaddr> = listening
			.borrow_and_update()
			.iter()
			.filter(|address| is_relayed(address))
			.map(|address| with_peer(address.clone(), host.peer_id()))
			.collect();
		let current = publish.borrow().clone();
		let kept = relayed.iter().find(|address| address.to_string() == current);
		// Kept while its relay holds it, unless it is over TCP and QUIC is there too.
		let move_on = match kept {
			Some(kept) => !is_quic(kept) && relayed.iter().any(is_quic),
			None => true,
		};
		if let (true, Some(next)) = (move_on, preferred(&relayed)) {
			tracing::info!(endpoint = %next, "publishing the address through a relay");
			publish.send_replace(next.to_string());
		}
		if listening.changed().await.is_err() {
			return;
		}
	}
}

/// Buys relaying: for every open deal whose customer is this worker and whose supplier
/// publishes a libp2p address of its own (a relay), names this host's peer to that worker
/// (a signed relay request over libp2p) and keeps a reservation on it. A supplier that answers
/// `NotRelay` sells something else under that deal and is not asked again.
async fn buy_relaying(host: Host, client: Client, key: Key) {
	let me = key.address();
	let me_id = sonm_client::AccountId32::from_str(&me).expect("the worker's own account is SS58");
	let mut served = std::collections::HashSet::new();
	let mut not_relays = std::collections::HashSet::new();
	loop {
		let deals = match client.deals_of(&me).await {
			Ok(deals) => deals,
			Err(error) => {
				tracing::debug!("relay deals: {error}");
				Vec::new()
			},
		};
		for deal in deals.iter().filter(|deal| same_account(&deal.consumer, &me_id)) {
			if served.contains(&deal.id) || not_relays.contains(&deal.id) {
				continue;
			}
			let Ok(Some(endpoint)) = client.endpoint(&deal.supplier).await else { continue };
			let Ok(relay) = endpoint.parse::<Multiaddr>() else { continue };
			if is_relayed(&relay) || sonm_p2p::host::peer_of(&relay).is_none() {
				continue;
			}
			let transport = Arc::new(task::P2pTransport::new(host.clone(), relay.clone()));
			let tasks = TaskClient::over(transport, key.clone());
			match tasks.relay(deal.id, host.peer_id().to_string()).await {
				Ok(_) => {
					let circuit = relay.clone().with(sonm_p2p::Protocol::P2pCircuit);
					match host.listen(circuit).await {
						Ok(()) => {
							tracing::info!(deal = deal.id, %relay, "bought relaying: a reservation follows");
							served.insert(deal.id);
						},
						Err(error) => tracing::warn!(deal = deal.id, "the relay: {error}"),
					}
				},
				Err(ClientTaskError::Refused { error, .. }) if error == "NotRelay" => {
					not_relays.insert(deal.id);
				},
				Err(error) => tracing::warn!(deal = deal.id, %relay, "buying relaying: {error}"),
			}
		}
		served.retain(|id| deals.iter().any(|deal| deal.id == *id));
		tokio::time::sleep(RELAY_CHECK).await;
	}
}

/// Serves each session of `incoming` with `handle`, at most [`MAX_STREAMS`] of all kinds at
/// once (`streams`); one past the cap is closed unanswered.
fn serve_each<F, Fut>(
	mut incoming: session::Incoming,
	streams: Arc<tokio::sync::Semaphore>,
	service: Arc<TaskService>,
	handle: F,
) where
	F: Fn(Arc<TaskService>, PeerId, Session) -> Fut + Send + Copy + 'static,
	Fut: std::future::Future<Output = ()> + Send + 'static,
{
	tokio::spawn(async move {
		while let Some((peer, stream)) = incoming.recv().await {
			let Ok(permit) = streams.clone().try_acquire_owned() else {
				tracing::warn!(%peer, "{MAX_STREAMS} streams open: one closed unanswered");
				continue;
			};
			let service = service.clone();
			tokio::spawn(async move {
				let _permit = permit;
				handle(service, peer, stream).await;
			});
		}
	});
}

/// A signed request and its body read from `stream` within the service's time bounds.
async fn read(
	stream: &mut Session,
	service: &TaskService,
) -> Result<(SignedRequest, Vec<u8>), TaskError> {
	task::read_request(&mut stream.compat(), HEAD_TIME, service.bounds.body_timeout)
		.await
		.map_err(|error| match error {
			ReadError::Slow(limit) => {
				TaskError::SlowRequest(format!("the request did not arrive within {limit:?}"))
			},
			ReadError::Malformed(message) => TaskError::Auth(AuthError::Malformed(message)),
		})
}

/// A request of the task protocol: the service's reply, sent as it comes.
async fn answer(service: Arc<TaskService>, peer: PeerId, mut stream: Session) {
	let reply = match read(&mut stream, &service).await {
		Ok((signed, body)) => service.reply(&signed, &body).await,
		Err(error) => error.into(),
	};
	let head = ReplyHead { status: reply.status, lines: reply.lines };
	if let Err(error) = task::write_reply(&mut stream.compat(), head, reply.body).await {
		tracing::debug!(%peer, "a task stream ended early: {error}");
	}
}

/// A forward: checked like a request, then carried to the task's published port on this host.
async fn carry(service: Arc<TaskService>, peer: PeerId, mut stream: Session) {
	let target = match read(&mut stream, &service).await {
		Ok((signed, body)) => service.forward_target(&signed, &body).await,
		Err(error) => Err(error),
	};
	let connected = match target {
		Ok(port) => tokio::net::TcpStream::connect(("127.0.0.1", port))
			.await
			.map_err(|e| TaskError::NotPublished(format!("the task's port does not answer: {e}"))),
		Err(error) => Err(error),
	};
	match connected {
		Ok(target) => match forward::serve_accepted(stream, target).await {
			Ok((sent, received)) => tracing::debug!(%peer, sent, received, "a forward ended"),
			Err(error) => tracing::debug!(%peer, "a forward broke: {error}"),
		},
		Err(error) => forward::refuse(stream, error.status(), error.refusal()).await,
	}
}
