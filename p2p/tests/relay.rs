//! Reaching a host through a relay, on loopback: a relay host serving circuits within its
//! limits, a host that listens nowhere but keeps a reservation on the relay (as a worker behind
//! NAT does), and a customer that dials the relayed address and moves bytes both ways over a
//! stream. Real libp2p hosts, no network namespaces (the NAT tests build those).

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use sonm_p2p::{
	host::{is_relayed, HostConfig, RelayLimits},
	Host, Keypair, Multiaddr,
};
use std::{sync::atomic::Ordering::Relaxed, time::Duration};

const ECHO: &str = "/sonm-test/echo/1";

/// A relay on loopback and its address.
async fn relay() -> (Host, Multiaddr) {
	let config = HostConfig {
		listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
		relay: Some(RelayLimits::default()),
		..Default::default()
	};
	let relay = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
	let address = relay.listen_addresses(1).await.unwrap().remove(0);
	(relay, address)
}

/// A host that listens only through `relays`, answering the echo protocol; its relayed
/// addresses.
async fn behind_relays(relays: &[Multiaddr]) -> (Host, Vec<Multiaddr>) {
	let config = HostConfig { reserve_on: relays.to_vec(), ..Default::default() };
	let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
	let mut incoming = host.accept(ECHO).unwrap();
	tokio::spawn(async move {
		while let Some((_, mut stream)) = incoming.next().await {
			tokio::spawn(async move {
				let mut buffer = vec![0u8; 4096];
				while let Ok(read @ 1..) = stream.read(&mut buffer).await {
					if stream.write_all(&buffer[..read]).await.is_err() {
						break;
					}
				}
				let _ = stream.close().await;
			});
		}
	});
	let addresses =
		tokio::time::timeout(Duration::from_secs(60), host.relayed_addresses(relays.len()))
			.await
			.expect("the reservations were accepted")
			.unwrap();
	(host, addresses)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_with_no_address_of_its_own_is_reached_through_a_relay() {
	let (relay, relay_address) = relay().await;
	let (worker, addresses) = behind_relays(&[relay_address]).await;
	assert!(addresses.iter().all(is_relayed), "{addresses:?}");
	assert!(addresses[0]
		.to_string()
		.ends_with(&format!("/p2p-circuit/p2p/{}", worker.peer_id())));

	let customer = Host::start(Keypair::generate_ed25519(), &[]).await.unwrap();
	let mut stream = customer.open(&addresses[0], ECHO).await.expect("a stream through the relay");
	let message = b"bytes both ways through the relay";
	stream.write_all(message).await.unwrap();
	let mut answer = vec![0u8; message.len()];
	stream.read_exact(&mut answer).await.unwrap();
	assert_eq!(&answer, message);
	assert!(customer.stats().relayed.load(Relaxed) >= 1, "the customer's connection was relayed");
	assert!(relay.stats().circuits_relayed.load(Relaxed) >= 1);
	assert!(worker.stats().reservations.load(Relaxed) >= 1);
	// The relayed connection's bytes are counted at both ends (with their encryption's
	// overhead, so at least the message each way).
	let least = message.len() as u64;
	assert!(customer.stats().relayed_bytes_out.load(Relaxed) >= least);
	assert!(customer.stats().relayed_bytes_in.load(Relaxed) >= least);
	assert!(worker.stats().relayed_bytes_in.load(Relaxed) >= least);
}

/// One peer asking a relay for reservation after reservation (thirty hosts sharing one key,
/// each asking at once) gets no more than the relay's per-peer limits, and an honest host
/// still reserves and is reached through the same relay.
#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_reservations_from_one_peer_does_not_starve_honest_circuits() {
	let (relay, relay_address) = relay().await;
	let key = Keypair::generate_ed25519();
	let mut flooders = Vec::new();
	for _ in 0..30 {
		let config = HostConfig { reserve_on: vec![relay_address.clone()], ..Default::default() };
		flooders.push(Host::start_with(key.clone(), &config).await.unwrap());
	}
	// Every request is answered: wait until all thirty are.
	let answered = || {
		let accepted: u64 =
			flooders.iter().map(|flooder| flooder.stats().reservations.load(Relaxed)).sum();
		(accepted, relay.stats().reservations_refused.load(Relaxed))
	};
	let deadline = std::time::Instant::now() + Duration::from_secs(60);
	while answered().0 + answered().1 < 30 {
		assert!(
			std::time::Instant::now() < deadline,
			"the relay left requests unanswered: {:?}",
			answered()
		);
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	let (accepted, refused) = answered();
	assert!(accepted <= 4, "one peer holds {accepted} reservations");

	let (_worker, addresses) = behind_relays(&[relay_address]).await;
	let customer = Host::start(Keypair::generate_ed25519(), &[]).await.unwrap();
	let mut stream = customer.open(&addresses[0], ECHO).await.expect("an honest circuit");
	stream.write_all(b"still served").await.unwrap();
	let mut answer = [0u8; 12];
	stream.read_exact(&mut answer).await.unwrap();
	assert_eq!(&answer, b"still served");
	eprintln!("one peer's 30 reservation requests: {accepted} accepted, {refused} refused; the honest host served");
}
