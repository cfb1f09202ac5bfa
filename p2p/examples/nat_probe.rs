//! A libp2p host for the NAT tests (`p2p/tests/nat.rs`), run inside a network namespace:
//!
//! - `nat_probe relay LISTEN`: a relay; prints `address <its address>`;
//! - `nat_probe listen RELAY...`: listens on TCP and QUIC (any port) and keeps a reservation
//!   on each `RELAY`; answers the echo protocol over sessions; prints `relayed <its relayed
//!   addresses>` once every relay holds its reservation;
//! - `nat_probe dial ADDRESS BYTES [WAIT] [PACE]`: opens an echo session to `ADDRESS`, moves
//!   `BYTES` through it (64 KiB at a time, `PACE` ms apart, printing `moved <bytes echoed>`
//!   after each MiB when paced), waits up to `WAIT` s (15) for a direct connection to replace
//!   the relayed one (punched, or dialed back by the host behind NAT), moves them again, and
//!   prints one JSON line: the echo's result, the time to the first echoed byte, whether a
//!   direct connection came, and the host's path counters.
//!
//! - `nat_probe udp-knock LOCAL TARGET`: sends a datagram from `LOCAL` to `TARGET` (opening the
//!   router's mapping), prints `knocked`, then prints `got <source>` for each datagram that
//!   comes back, until one comes from `TARGET` itself;
//! - `nat_probe udp-send LOCAL TARGET`: sends one datagram from `LOCAL` to `TARGET`.
//!
//! Each runs until killed (the dialer and the UDP probes until they have printed).

use sonm_p2p::{
	host::{HostConfig, RelayLimits},
	session, Host, Keypair, Multiaddr,
};
use std::{
	sync::atomic::Ordering::Relaxed,
	time::{Duration, Instant},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ECHO: &str = "/sonm-test/echo/1";

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
		.with_writer(std::io::stderr)
		.init();
	let args: Vec<String> = std::env::args().skip(1).collect();
	let any = sonm_p2p::host::any_port();
	match args.first().map(String::as_str) {
		Some("relay") => {
			let listen: Multiaddr = args[1].parse().expect("a listen address");
			let config = HostConfig {
				listen: vec![listen],
				relay: Some(RelayLimits::default()),
				..Default::default()
			};
			let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
			println!("address {}", host.listen_addresses(1).await.unwrap()[0]);
			std::future::pending::<()>().await;
		},
		Some("listen") => {
			let relays: Vec<Multiaddr> =
				args[1..].iter().map(|relay| relay.parse().expect("a relay address")).collect();
			let count = relays.len();
			let config = HostConfig { listen: any, reserve_on: relays, ..Default::default() };
			let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
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
			let relayed = host.relayed_addresses(count).await.unwrap();
			let relayed: Vec<String> = relayed.iter().map(ToString::to_string).collect();
			println!("relayed {}", relayed.join(" "));
			std::future::pending::<()>().await;
		},
		Some("dial") => {
			let address: Multiaddr = args[1].parse().expect("an address");
			let bytes: usize = args[2].parse().expect("a byte count");
			let wait: u64 = args.get(3).map_or(15, |seconds| seconds.parse().expect("seconds"));
			let pace = args.get(4).map(|ms| Duration::from_millis(ms.parse().expect("ms")));
			let config = HostConfig { listen: any, ..Default::default() };
			let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
			let started = Instant::now();
			let first = echo(&host, &address, bytes, pace).await;
			let first_byte = first.as_ref().map(|(first_byte, _)| *first_byte).ok();
			let first_echo = first.as_ref().map(|(_, whole)| *whole).ok();
			// DCUtR runs on its own once the relayed connection is up.
			let deadline = Instant::now() + Duration::from_secs(wait);
			let upgraded =
				|| host.stats().punched.load(Relaxed) + host.stats().upgraded.load(Relaxed) > 0;
			while !upgraded() && Instant::now() < deadline {
				tokio::time::sleep(Duration::from_millis(10)).await;
			}
			let upgraded_at = upgraded().then(|| started.elapsed());
			let second = echo(&host, &address, bytes, None).await;
			let stats = host.stats();
			println!(
				"{}",
				serde_json::json!({
					"echoed": first.is_ok() && second.is_ok(),
					"error": first.err().or(second.err()),
					"first_byte_ms": first_byte.map(|at| at.as_secs_f64() * 1000.0),
					"first_echo_ms": first_echo.map(|at| at.as_secs_f64() * 1000.0),
					"elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
					"punched": upgraded(),
					"upgraded_ms": upgraded_at.map(|at| at.as_secs_f64() * 1000.0),
					"upgraded": stats.upgraded.load(Relaxed),
					"punches": stats.punches.load(Relaxed),
					"direct": stats.direct.load(Relaxed),
					"relayed": stats.relayed.load(Relaxed),
				})
			);
		},
		Some("udp-knock") => udp_knock(&args[1], &args[2]),
		Some("udp-send") => {
			let socket = std::net::UdpSocket::bind(&args[1]).expect("a local address");
			socket.send_to(b"reply", &args[2]).expect("sent");
			println!("sent");
		},
		_ => panic!(
			"nat_probe relay LISTEN | listen RELAY... | dial ADDRESS BYTES [WAIT] [PACE] | \
			 udp-knock LOCAL TARGET | udp-send LOCAL TARGET"
		),
	}
}

/// Moves `bytes` through an echo session to `address` (64 KiB at a time, `pace` apart when
/// given, with a `moved` line per MiB): the time to the first echoed byte and to the last.
async fn echo(
	host: &Host,
	address: &Multiaddr,
	bytes: usize,
	pace: Option<Duration>,
) -> Result<(Duration, Duration), String> {
	let started = Instant::now();
	let session = session::open(host, address, ECHO).await.map_err(|e| e.to_string())?;
	let payload: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
	let writer = {
		let payload = payload.clone();
		let (mut reader, mut writer) = tokio::io::split(session);
		let write = async move {
			for chunk in payload.chunks(64 << 10) {
				writer.write_all(chunk).await?;
				if let Some(pace) = pace {
					tokio::time::sleep(pace).await;
				}
			}
			writer.shutdown().await
		};
		let read = async move {
			let mut echoed = vec![0u8; bytes];
			let mut first_byte = None;
			let mut at = 0;
			while at < bytes {
				let read = reader.read(&mut echoed[at..]).await?;
				if read == 0 {
					break;
				}
				first_byte.get_or_insert_with(|| started.elapsed());
				if pace.is_some() && (at + read) >> 20 > at >> 20 {
					println!("moved {}", at + read);
				}
				at += read;
			}
			Ok::<_, std::io::Error>((echoed[..at].to_vec(), first_byte))
		};
		let (written, read) = futures::join!(write, read);
		written.map_err(|e| e.to_string())?;
		read.map_err(|e| e.to_string())?
	};
	let (echoed, first_byte) = writer;
	if echoed != payload {
		return Err(format!("{} of {bytes} bytes came back intact", echoed.len()));
	}
	Ok((first_byte.unwrap_or_default(), started.elapsed()))
}

/// What a router lets back in: a datagram out to `target`, then the sources of those that
/// arrive, up to one from `target` itself.
fn udp_knock(local: &str, target: &str) {
	let socket = std::net::UdpSocket::bind(local).expect("a local address");
	let target: std::net::SocketAddr = target.parse().expect("a target address");
	socket.send_to(b"knock", target).expect("sent");
	println!("knocked");
	let mut buffer = [0u8; 64];
	loop {
		let (_, source) = socket.recv_from(&mut buffer).expect("a datagram");
		println!("got {source}");
		if source == target {
			return;
		}
	}
}
