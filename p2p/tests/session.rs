//! Sessions on loopback: bytes survive the loss of the connection under them, each end's close
//! reaches the other, and a session the acceptor does not know or serve is refused. Real libp2p
//! hosts; the NAT tests (`nat.rs`) show a session outliving a relay that dies.

use sonm_p2p::{session, Host, Keypair, Multiaddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ECHO: &str = "/sonm-test/echo/1";

/// A host on loopback that echoes every session of [`ECHO`]; its address.
async fn echo_host() -> (Host, Multiaddr) {
	echo_host_on("/ip4/127.0.0.1/tcp/0").await
}

/// A host listening on `listen` that echoes every session of [`ECHO`]; its address.
async fn echo_host_on(listen: &str) -> (Host, Multiaddr) {
	let host = Host::start(Keypair::generate_ed25519(), &[listen.parse().unwrap()])
		.await
		.unwrap();
	let mut incoming = session::accept(&host, &[ECHO]).unwrap().pop().unwrap();
	tokio::spawn(async move {
		while let Some((_, session)) = incoming.recv().await {
			tokio::spawn(async move {
				let (mut reader, mut writer) = tokio::io::split(session);
				let _ = tokio::io::copy(&mut reader, &mut writer).await;
				let _ = writer.shutdown().await;
			});
		}
	});
	let address = host.listen_addresses(1).await.unwrap().remove(0);
	(host, address)
}

/// A customer host that only dials.
async fn customer() -> Host {
	Host::start(Keypair::generate_ed25519(), &[]).await.unwrap()
}

fn payload(bytes: usize) -> Vec<u8> {
	(0..bytes).map(|i| (i * 7 % 253) as u8).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_carries_on_when_its_connection_is_closed_under_it() {
	let (worker, address) = echo_host().await;
	let customer = customer().await;
	let session = session::open(&customer, &address, ECHO).await.unwrap();
	let (mut reader, mut writer) = tokio::io::split(session);
	let sent = payload(6 << 20);
	let writing = {
		let (sent, customer, worker) = (sent.clone(), customer.clone(), worker.peer_id());
		tokio::spawn(async move {
			for (index, chunk) in sent.chunks(256 << 10).enumerate() {
				writer.write_all(chunk).await.unwrap();
				// Twice in the stream, the connection goes; the session redials.
				if index == 4 || index == 14 {
					customer.disconnect(worker).await.unwrap();
				}
			}
			writer.shutdown().await.unwrap();
		})
	};
	let mut echoed = Vec::new();
	tokio::time::timeout(Duration::from_secs(120), reader.read_to_end(&mut echoed))
		.await
		.expect("the echo ended in time")
		.unwrap();
	writing.await.unwrap();
	assert_eq!(echoed.len(), sent.len(), "every byte came back");
	assert!(echoed == sent, "in order and intact");
	assert!(
		customer.stats().direct.load(std::sync::atomic::Ordering::Relaxed) >= 3,
		"the session was carried by three connections"
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_of_a_protocol_not_served_is_refused() {
	let (_worker, address) = echo_host().await;
	let customer = customer().await;
	let error = session::open(&customer, &address, "/sonm-test/none/1").await.unwrap_err();
	assert!(error.to_string().contains("is not served here"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_whose_acceptor_forgot_it_ends_instead_of_hanging() {
	let (worker, address) = echo_host().await;
	let customer = customer().await;
	let session = session::open(&customer, &address, ECHO).await.unwrap();
	let (mut reader, mut writer) = tokio::io::split(session);
	writer.write_all(b"before").await.unwrap();
	let mut first = [0u8; 6];
	reader.read_exact(&mut first).await.unwrap();
	assert_eq!(&first, b"before");
	// The worker goes away for good: a new host answers at no address the session knows.
	let worker_peer = worker.peer_id();
	drop(worker);
	customer.disconnect(worker_peer).await.unwrap();
	let mut rest = Vec::new();
	let ended = tokio::time::timeout(
		session::RESUME_TIME + Duration::from_secs(30),
		reader.read_to_end(&mut rest),
	)
	.await;
	assert!(ended.is_ok(), "the session ended once it could not be resumed");
}

/// A host listening on WebSocket (`/ws`, what a browser dials) serves sessions as over TCP.
#[tokio::test(flavor = "multi_thread")]
async fn a_session_runs_over_websocket() {
	let (_worker, address) = echo_host_on("/ip4/127.0.0.1/tcp/0/ws").await;
	assert!(address.to_string().contains("/ws/p2p/"), "{address}");
	let session = session::open(&customer().await, &address, ECHO).await.unwrap();
	let (mut reader, mut writer) = tokio::io::split(session);
	writer.write_all(b"over websocket").await.unwrap();
	writer.shutdown().await.unwrap();
	let mut echoed = Vec::new();
	reader.read_to_end(&mut echoed).await.unwrap();
	assert_eq!(echoed, b"over websocket");
}
