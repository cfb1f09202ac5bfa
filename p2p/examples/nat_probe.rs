//! A libp2p host for the NAT tests (`p2p/tests/nat.rs`), run inside a network namespace:
//!
//! - `nat_probe relay LISTEN`: a relay; prints `address <its address>`;
//! - `nat_probe listen RELAY`: listens on TCP and QUIC (any port) and keeps a reservation on
//!   `RELAY`; answers the echo protocol; prints `relayed <its relayed address>`;
//! - `nat_probe dial ADDRESS BYTES [WAIT]`: opens an echo stream to `ADDRESS`, moves `BYTES`
//!   through it (the first stream stays on the relayed connection: its time is the relay's
//!   throughput), waits up to `WAIT` s (15) for a direct connection to replace the relayed one (punched, or
//!   dialed back by the host behind NAT), moves them again, and prints one JSON line: the
//!   echo's result, the time to the first echoed byte, whether a direct connection came, and
//!   the host's path counters.
//!
//! Each runs until killed (the dialer until it has printed).

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use sonm_p2p::{
	host::{HostConfig, RelayLimits},
	Host, Keypair, Multiaddr,
};
use std::{
	sync::atomic::Ordering::Relaxed,
	time::{Duration, Instant},
};

const ECHO: &str = "/sonm-test/echo/1";

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
		.with_writer(std::io::stderr)
		.init();
	let args: Vec<String> = std::env::args().skip(1).collect();
	let any: Vec<Multiaddr> =
		vec!["/ip4/0.0.0.0/tcp/0".parse().unwrap(), "/ip4/0.0.0.0/udp/0/quic-v1".parse().unwrap()];
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
			let relay: Multiaddr = args[1].parse().expect("a relay address");
			let config = HostConfig { listen: any, reserve_on: vec![relay], ..Default::default() };
			let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
			let mut incoming = host.accept(ECHO).unwrap();
			tokio::spawn(async move {
				while let Some((_, mut stream)) = incoming.next().await {
					tokio::spawn(async move {
						let mut buffer = vec![0u8; 64 << 10];
						while let Ok(read @ 1..) = stream.read(&mut buffer).await {
							if stream.write_all(&buffer[..read]).await.is_err() {
								break;
							}
						}
						let _ = stream.close().await;
					});
				}
			});
			println!("relayed {}", host.relayed_addresses(1).await.unwrap()[0]);
			std::future::pending::<()>().await;
		},
		Some("dial") => {
			let address: Multiaddr = args[1].parse().expect("an address");
			let bytes: usize = args[2].parse().expect("a byte count");
			let wait: u64 = args.get(3).map_or(15, |seconds| seconds.parse().expect("seconds"));
			let config = HostConfig { listen: any, ..Default::default() };
			let host = Host::start_with(Keypair::generate_ed25519(), &config).await.unwrap();
			let started = Instant::now();
			let first = echo(&host, &address, bytes).await;
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
			let second = echo(&host, &address, bytes).await;
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
		_ => panic!("nat_probe relay LISTEN | listen RELAY | dial ADDRESS BYTES"),
	}
}

/// Moves `bytes` through an echo stream to `address`: the time to the first echoed byte and
/// the time to the last.
async fn echo(
	host: &Host,
	address: &Multiaddr,
	bytes: usize,
) -> Result<(Duration, Duration), String> {
	let started = Instant::now();
	let stream = host.open(address, ECHO).await.map_err(|e| e.to_string())?;
	let payload: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
	let writer = {
		let payload = payload.clone();
		let (mut reader, mut writer) = stream.split();
		let write = async move {
			writer.write_all(&payload).await?;
			writer.close().await
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
