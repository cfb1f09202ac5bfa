//! HTTP servers under supervision: bound before [`serve`] returns, serving for the life of the
//! process, and bounded so that no client can hold a daemon's connections: a request's head
//! must arrive within a time limit (also the most a kept-alive connection may sit idle), heads
//! have a size limit, and connections are capped in all and per client address. A connection
//! over a cap is closed at once; the others go on being served.

use axum::Router;
use hyper_util::{
	rt::{TokioIo, TokioTimer},
	service::TowerToHyperService,
};
use std::{
	collections::HashMap,
	net::{IpAddr, SocketAddr},
	sync::{Arc, Mutex},
	time::Duration,
};

/// How long the accept loop pauses after the listener fails (out of file descriptors, ...).
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// What a server allows its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
	/// A request's head (request line and headers) must arrive within this; a connection kept
	/// alive with no request for this long is closed too.
	pub header_timeout: Duration,
	/// The largest request head, in bytes.
	pub max_header_bytes: usize,
	/// Connections open at once, from all clients.
	pub max_connections: usize,
	/// Connections open at once from one client address.
	pub max_per_client: usize,
}

impl Default for ConnectionLimits {
	fn default() -> Self {
		Self {
			header_timeout: Duration::from_secs(10),
			max_header_bytes: 16 << 10,
			max_connections: 512,
			max_per_client: 32,
		}
	}
}

/// The connections open now, in all and per client address.
#[derive(Debug, Default)]
struct OpenConnections {
	per_client: HashMap<IpAddr, usize>,
	total: usize,
}

/// A connection's place under the caps, given back when the connection ends.
struct Admitted {
	open: Arc<Mutex<OpenConnections>>,
	client: IpAddr,
}

impl Drop for Admitted {
	fn drop(&mut self) {
		let mut open = self.open.lock().expect("not poisoned");
		open.total -= 1;
		if let Some(count) = open.per_client.get_mut(&self.client) {
			*count -= 1;
			if *count == 0 {
				open.per_client.remove(&self.client);
			}
		}
	}
}

/// Admits a connection from `client` if both caps leave room.
fn admit(
	open: &Arc<Mutex<OpenConnections>>,
	client: IpAddr,
	limits: &ConnectionLimits,
) -> Option<Admitted> {
	let mut connections = open.lock().expect("not poisoned");
	let from_client = connections.per_client.get(&client).copied().unwrap_or(0);
	if connections.total >= limits.max_connections || from_client >= limits.max_per_client {
		return None;
	}
	connections.total += 1;
	*connections.per_client.entry(client).or_insert(0) += 1;
	Some(Admitted { open: open.clone(), client })
}

/// Serves `router` on `address` with the default [`ConnectionLimits`], as `name` in the logs.
/// Binds before it returns (a taken port is the caller's error at start) and returns the bound
/// address (port 0 picks one).
pub async fn serve(
	name: &'static str,
	address: SocketAddr,
	router: Router,
) -> std::io::Result<SocketAddr> {
	serve_with(name, address, router, ConnectionLimits::default()).await
}

/// [`serve`] with `limits`.
pub async fn serve_with(
	name: &'static str,
	address: SocketAddr,
	router: Router,
	limits: ConnectionLimits,
) -> std::io::Result<SocketAddr> {
	let listener = tokio::net::TcpListener::bind(address).await?;
	let bound = listener.local_addr()?;
	let open = Arc::new(Mutex::new(OpenConnections::default()));
	tokio::spawn(async move {
		let mut refused: u64 = 0;
		loop {
			let (stream, peer) = match listener.accept().await {
				Ok(accepted) => accepted,
				Err(error) => {
					tracing::warn!(%bound, "the {name} server cannot accept: {error}");
					tokio::time::sleep(ACCEPT_PAUSE).await;
					continue;
				},
			};
			let Some(admitted) = admit(&open, peer.ip(), &limits) else {
				refused += 1;
				// Every thousandth, so that a flood does not flood the log too.
				if refused % 1000 == 1 {
					tracing::warn!(%bound, client = %peer.ip(), refused,
						"the {name} server is at its connection cap: closing new connections");
				}
				drop(stream);
				continue;
			};
			let service = TowerToHyperService::new(router.clone());
			tokio::spawn(async move {
				let _admitted = admitted;
				let mut builder = hyper::server::conn::http1::Builder::new();
				builder
					.timer(TokioTimer::new())
					.header_read_timeout(limits.header_timeout)
					.max_header_size(limits.max_header_bytes);
				let connection = builder.serve_connection(TokioIo::new(stream), service);
				if let Err(error) = connection.await {
					tracing::debug!(%peer, "a {name} connection ended: {error}");
				}
			});
		}
	});
	Ok(bound)
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::{Read, Write};

	/// A server of `GET /` answering "ok", with `limits`.
	async fn ok_server(limits: ConnectionLimits) -> SocketAddr {
		let router = Router::new().route("/", axum::routing::get(|| async { "ok" }));
		serve_with("test", "127.0.0.1:0".parse().unwrap(), router, limits)
			.await
			.unwrap()
	}

	/// A connection to `server` from `source`, a loopback address (`127.0.0.2`, ...).
	fn connect_from(source: &str, server: SocketAddr) -> std::io::Result<std::net::TcpStream> {
		let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
		socket.bind(&SocketAddr::new(source.parse().unwrap(), 0).into())?;
		socket.connect(&server.into())?;
		Ok(socket.into())
	}

	/// A GET from `source` on a fresh connection: the body, or `None` when the server closed
	/// the connection without answering.
	fn get_from(source: &str, server: SocketAddr) -> Option<String> {
		let mut stream = connect_from(source, server).ok()?;
		stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
		stream
			.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
			.ok()?;
		let mut answer = String::new();
		stream.read_to_string(&mut answer).ok()?;
		answer
			.contains("200 OK")
			.then(|| answer.rsplit("\r\n").next().unwrap_or("").to_owned())
	}

	/// Whether the server closes `stream` (end of file or a reset) before `patience` is out.
	fn closed_by_server(stream: &mut std::net::TcpStream, patience: Duration) -> bool {
		stream.set_read_timeout(Some(patience)).unwrap();
		let mut buffer = [0u8; 256];
		loop {
			match stream.read(&mut buffer) {
				Ok(0) => return true,
				Ok(_) => continue,
				Err(error) => {
					return !matches!(
						error.kind(),
						std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
					)
				},
			}
		}
	}

	/// A client that sends half a request head and then nothing (slowloris) is cut off after
	/// the header time limit, and so is a kept-alive connection that sits idle. Before the
	/// limit, `axum::serve` kept both open for ever.
	#[tokio::test(flavor = "multi_thread")]
	async fn a_slow_or_idle_client_is_cut_off_after_the_header_time_limit() {
		let limits =
			ConnectionLimits { header_timeout: Duration::from_secs(2), ..Default::default() };
		let server = ok_server(limits).await;
		let (slow, idle) = tokio::task::spawn_blocking(move || {
			let mut slow = std::net::TcpStream::connect(server).unwrap();
			slow.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ").unwrap();
			let slow = closed_by_server(&mut slow, Duration::from_secs(60));
			// One request answered, then nothing more on the kept-alive connection.
			let mut idle = std::net::TcpStream::connect(server).unwrap();
			idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
			let mut first = [0u8; 512];
			let read = idle.read(&mut first).unwrap();
			assert!(String::from_utf8_lossy(&first[..read]).contains("200 OK"));
			let idle = closed_by_server(&mut idle, Duration::from_secs(60));
			(slow, idle)
		})
		.await
		.unwrap();
		assert!(slow, "a half-sent request head held its connection open");
		assert!(idle, "an idle kept-alive connection was never closed");
	}

	/// One address that holds its whole share of connections cannot stop another address
	/// being served; the total cap holds too; a head over the size limit is refused.
	#[tokio::test(flavor = "multi_thread")]
	async fn one_client_holding_its_connections_does_not_stop_another() {
		let limits = ConnectionLimits {
			header_timeout: Duration::from_secs(120),
			max_per_client: 4,
			max_connections: 6,
			..Default::default()
		};
		let server = ok_server(limits).await;
		tokio::task::spawn_blocking(move || {
			// 127.0.0.1 opens its four and holds them with half-sent heads.
			let held: Vec<std::net::TcpStream> = (0..4)
				.map(|_| {
					let mut stream = std::net::TcpStream::connect(server).unwrap();
					stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
					stream
				})
				.collect();
			// Its fifth is closed at once; another address is served.
			let mut wait = std::time::Instant::now() + Duration::from_secs(60);
			while get_from("127.0.0.1", server).is_some() {
				// The server may not have taken up all four yet.
				assert!(std::time::Instant::now() < wait, "the per-client cap never held");
				std::thread::sleep(Duration::from_millis(50));
			}
			assert_eq!(get_from("127.0.0.2", server).as_deref(), Some("ok"));
			// Two more held from 127.0.0.3 reach the total cap of six: 127.0.0.4 is refused.
			let more: Vec<std::net::TcpStream> = (0..2)
				.map(|_| {
					let mut stream = connect_from("127.0.0.3", server).unwrap();
					stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
					stream
				})
				.collect();
			wait = std::time::Instant::now() + Duration::from_secs(60);
			while get_from("127.0.0.4", server).is_some() {
				assert!(std::time::Instant::now() < wait, "the total cap never held");
				std::thread::sleep(Duration::from_millis(50));
			}
			// Once the holders go, everyone is served again.
			drop(held);
			drop(more);
			wait = std::time::Instant::now() + Duration::from_secs(60);
			while get_from("127.0.0.1", server).as_deref() != Some("ok") {
				assert!(std::time::Instant::now() < wait, "connections were never given back");
				std::thread::sleep(Duration::from_millis(50));
			}
			// A head over 16 KiB is answered 431 and closed.
			let mut big = std::net::TcpStream::connect(server).unwrap();
			let header =
				format!("GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000));
			let _ = big.write_all(header.as_bytes());
			let mut answer = String::new();
			let _ = big.read_to_string(&mut answer);
			assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
		})
		.await
		.unwrap();
	}
}
