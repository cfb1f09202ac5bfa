//! Workers behind NAT, in a test network of network namespaces that the test builds and tears
//! down (nothing in it reaches outside the machine): a public switch with a relay and a
//! customer on it, and NAT routers (nftables masquerade) each with a host behind it. The
//! hosts are `nat_probe` processes (`p2p/examples/nat_probe.rs`: real libp2p hosts).
//!
//! - Behind a port-restricted cone NAT (Linux's masquerade: the mapping kept per source, the
//!   filter per destination), the customer reaches the host through the relay at once, and a
//!   hole-punched direct connection follows (DCUtR), also with the customer behind a cone.
//! - With both ends behind symmetric NATs (`masquerade fully-random`: a new mapping per
//!   destination), no direct path can be made and the relayed path carries the bytes; when
//!   that relay dies mid-stream, the session resumes through another relay.

use sonm_test_support::{
	netns::{command_in, Nat, NatNetwork},
	PATIENCE,
};
use std::{
	io::{BufRead, BufReader},
	ops::{Deref, DerefMut},
	process::{Command, Stdio},
	time::Instant,
};

/// The test kit's NAT network with two relays (`203.0.113.10`, `.11`) and a customer (`.20`)
/// on its public switch, and `nat_probe` processes in its namespaces.
struct Network(NatNetwork);

impl Deref for Network {
	type Target = NatNetwork;
	fn deref(&self) -> &NatNetwork {
		&self.0
	}
}

impl DerefMut for Network {
	fn deref_mut(&mut self) -> &mut NatNetwork {
		&mut self.0
	}
}

impl Network {
	fn new() -> Self {
		let mut network = Self(NatNetwork::new());
		network.public_host("relay", "203.0.113.10");
		network.public_host("relay2", "203.0.113.11");
		network.public_host("cust", "203.0.113.20");
		network
	}

	/// Starts `nat_probe ARGS` in namespace `ns`; its first line of output.
	fn probe(&mut self, ns: &str, args: &[&str]) -> String {
		let lines = self.spawn_probe(ns, args);
		lines.recv_timeout(PATIENCE).expect("nat_probe said nothing in time")
	}

	/// Starts `nat_probe ARGS` in namespace `ns` (logging to `<ns>.log`); its lines of output
	/// as they come.
	fn spawn_probe(&mut self, ns: &str, args: &[&str]) -> std::sync::mpsc::Receiver<String> {
		let mut child = command_in(ns, probe_binary())
			.args(args)
			.env("RUST_LOG", "info,libp2p_dcutr=debug,sonm_p2p=debug")
			.stdout(Stdio::piped())
			.stderr(self.log(&format!("{ns}.log")))
			.spawn()
			.expect("nat_probe starts");
		let stdout = child.stdout.take().unwrap();
		self.adopt(ns, child);
		let (sender, receiver) = std::sync::mpsc::channel();
		std::thread::spawn(move || {
			for line in BufReader::new(stdout).lines() {
				let Ok(line) = line else { return };
				if sender.send(line.trim().to_owned()).is_err() {
					return;
				}
			}
		});
		receiver
	}

	/// A relay in public namespace `short`, on QUIC; its address.
	fn relay(&mut self, short: &str, address: &str) -> String {
		let ns = self.name(short);
		let listen = format!("/ip4/{address}/udp/4001/quic-v1");
		let relay = self.probe(&ns, &["relay", &listen]);
		relay.strip_prefix("address ").expect(&relay).to_owned()
	}

	/// Runs one dial from namespace `from` to `address`: the probe's report.
	fn dial(&self, from: &str, address: &str, bytes: usize) -> serde_json::Value {
		self.dial_waiting(from, address, bytes, 15)
	}

	/// [`Network::dial`], waiting `wait` s for a direct path.
	fn dial_waiting(
		&self,
		from: &str,
		address: &str,
		bytes: usize,
		wait: u64,
	) -> serde_json::Value {
		// A dialer that hangs is stopped (and reported) after the patience.
		let out = Command::new("timeout")
			.arg(PATIENCE.as_secs().to_string())
			.args(["nsenter", &format!("--net=/var/run/netns/{from}")])
			.arg(probe_binary())
			.args(["dial", address, &bytes.to_string(), &wait.to_string()])
			.env("RUST_LOG", "info,libp2p_dcutr=debug,sonm_p2p=debug")
			.stderr(self.log("dial.log"))
			.output()
			.expect("nat_probe dials");
		let text = String::from_utf8_lossy(&out.stdout);
		if text.trim().is_empty() {
			let error = format!("the dialer said nothing within {PATIENCE:?}");
			return serde_json::json!({ "echoed": false, "error": error });
		}
		report(&text)
	}
}

/// A dialer's report: the JSON of its last line.
fn report(output: &str) -> serde_json::Value {
	let last = output.lines().last().unwrap_or_default();
	serde_json::from_str(last).unwrap_or_else(|e| panic!("the dialer's report ({e}): {output}"))
}

/// `target/debug/examples/nat_probe`, built beside the tests (`--all-targets`).
fn probe_binary() -> std::path::PathBuf {
	let deps = std::env::current_exe().unwrap();
	let probe = deps.parent().unwrap().parent().unwrap().join("examples/nat_probe");
	assert!(probe.exists(), "{} is missing: build with --all-targets", probe.display());
	probe
}

/// A relay and a host behind `nat`; the host's relayed address.
fn relayed_host(network: &mut Network, nat: Nat) -> String {
	let relay = network.relay("relay", "203.0.113.10");
	let host_ns = network.behind_nat(1, nat);
	let relayed = network.probe(&host_ns, &["listen", &relay]);
	relayed.strip_prefix("relayed ").expect(&relayed).to_owned()
}

/// A relay, a host behind `host_nat` reserving on it, and a customer (public, or behind
/// `customer_nat`): the host's relayed address and the customer's namespace.
fn pairing(network: &mut Network, host_nat: Nat, customer_nat: Option<Nat>) -> (String, String) {
	let address = relayed_host(network, host_nat);
	let customer = match customer_nat {
		Some(nat) => network.behind_nat(2, nat),
		None => network.name("cust"),
	};
	(address, customer)
}

/// One dial of 1 MiB each way in a fresh network of `host_nat` and `customer_nat`: the
/// dialer's report, which must show the bytes carried with the relay as the first path.
fn relayed_dial(host_nat: Nat, customer_nat: Option<Nat>) -> serde_json::Value {
	let mut network = Network::new();
	let (address, customer) = pairing(&mut network, host_nat, customer_nat);
	let started = Instant::now();
	let report = network.dial(&customer, &address, 1 << 20);
	eprintln!("report: {report} ({:?})", started.elapsed());
	assert_eq!(report["echoed"], true, "{report}");
	assert!(report["relayed"].as_u64().unwrap() >= 1, "the first path is the relay: {report}");
	report
}

#[test]
fn behind_a_cone_nat_the_relay_carries_at_once_and_a_punched_path_follows() {
	let report = relayed_dial(Nat::PortRestrictedCone, None);
	assert_eq!(report["punched"], true, "no direct path was punched: {report}");
}

/// Both ends behind port-restricted cones: the relay carries at once and a punch meets.
#[test]
fn with_both_ends_behind_cone_nats_a_punched_path_follows() {
	let report = relayed_dial(Nat::PortRestrictedCone, Some(Nat::PortRestrictedCone));
	assert_eq!(report["punched"], true, "no direct path through two cones: {report}");
}

/// The routers' two cone kinds differ in what they let back in: after the host sends a
/// datagram out to an address and port, a datagram from another port of that address reaches
/// it through an address-restricted cone and not through a port-restricted one (the one from
/// the port it sent to comes in through both, and ends the probe).
#[test]
fn an_address_restricted_cone_lets_in_other_ports_of_an_address_and_a_port_restricted_does_not() {
	for (nat, expected) in [
		(Nat::AddressRestrictedCone, vec!["got 203.0.113.20:7001", "got 203.0.113.20:7000"]),
		(Nat::PortRestrictedCone, vec!["got 203.0.113.20:7000"]),
	] {
		let mut network = Network::new();
		let host = network.behind_nat(1, nat);
		let customer = network.name("cust");
		let lines = network.spawn_probe(&host, &["udp-knock", "0.0.0.0:5000", "203.0.113.20:7000"]);
		assert_eq!(lines.recv_timeout(PATIENCE).unwrap(), "knocked");
		// Masquerade keeps the host's port when it is free: the mapping is the WAN's :5000.
		for from in ["0.0.0.0:7001", "0.0.0.0:7000"] {
			let sent = network.probe(&customer, &["udp-send", from, "203.0.113.2:5000"]);
			assert_eq!(sent, "sent");
		}
		let got: Vec<String> = (0..expected.len())
			.map(|_| lines.recv_timeout(PATIENCE).expect("the host's report"))
			.collect();
		assert_eq!(got, expected, "{nat:?}");
	}
}

/// The host behind an address-restricted cone (what comes from any port of an address it
/// sent to gets in), the customer behind a port-restricted one: the relay carries at once and a
/// punch meets.
#[test]
fn behind_an_address_restricted_cone_a_punched_path_follows() {
	let report = relayed_dial(Nat::AddressRestrictedCone, Some(Nat::PortRestrictedCone));
	assert_eq!(report["punched"], true, "no direct path through the cones: {report}");
}

/// Both ends behind symmetric NATs: no direct path can be made, and the relay carries.
#[test]
fn with_both_ends_behind_symmetric_nats_the_relay_still_carries() {
	let report = relayed_dial(Nat::Symmetric, Some(Nat::Symmetric));
	assert_eq!(report["punched"], false, "a direct path through two symmetric NATs: {report}");
}

/// Both ends behind symmetric NATs (only relays carry), the host reserving on two relays: the
/// relay carrying a session dies mid-stream (killed: its peers learn it only when QUIC's idle
/// timer fires), and the session resumes through the other relay, every byte intact.
#[test]
fn when_the_relay_dies_mid_stream_the_session_resumes_through_another() {
	let mut network = Network::new();
	let first = network.relay("relay", "203.0.113.10");
	let second = network.relay("relay2", "203.0.113.11");
	let host = network.behind_nat(1, Nat::Symmetric);
	let relayed = network.probe(&host, &["listen", &first, &second]);
	let through_first = relayed
		.strip_prefix("relayed ")
		.expect(&relayed)
		.split(' ')
		.find(|address| address.contains("/203.0.113.10/"))
		.expect("an address through the first relay")
		.to_owned();
	let customer = network.behind_nat(2, Nat::Symmetric);
	let bytes = (8 << 20).to_string();
	let lines = network.spawn_probe(&customer, &["dial", &through_first, &bytes, "0", "20"]);
	let moved = lines.recv_timeout(PATIENCE).expect("the session moved its first MiB in time");
	assert!(moved.starts_with("moved "), "{moved}");
	let relay_ns = network.name("relay");
	network.kill(&relay_ns);
	let mut output = Vec::new();
	let deadline = Instant::now() + PATIENCE;
	while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
		output.push(line);
	}
	let report = report(&output.join("\n"));
	eprintln!("report: {report}");
	assert_eq!(report["echoed"], true, "the session did not survive its relay: {report}");
	assert!(report["relayed"].as_u64().unwrap() >= 2, "a second relayed path: {report}");
	assert_eq!(report["upgraded"], 0, "only relays could carry: {report}");
}

/// A load run, not a test (`cargo nextest run --workspace --run-ignored only --no-capture -E
/// 'test(hole_punching_trials)'`): 50 dials per pairing of NATs, each by a new customer host
/// to the same host behind its relay, waiting up to 3 s for a direct path; prints, per
/// pairing, the direct paths made, the median and worst time to the first echoed byte (over
/// the relay) and to the direct path, and the relay's throughput (1 MiB each way over the
/// relayed stream). The figures are in `worker/README.md`.
#[test]
#[ignore]
fn hole_punching_trials() {
	let pairings: [(&str, Nat, Option<Nat>); 7] = [
		("cone / public customer", Nat::PortRestrictedCone, None),
		("cone / cone", Nat::PortRestrictedCone, Some(Nat::PortRestrictedCone)),
		("address-restricted / cone", Nat::AddressRestrictedCone, Some(Nat::PortRestrictedCone)),
		("address-restricted / symmetric", Nat::AddressRestrictedCone, Some(Nat::Symmetric)),
		("cone / symmetric", Nat::PortRestrictedCone, Some(Nat::Symmetric)),
		("symmetric / cone", Nat::Symmetric, Some(Nat::PortRestrictedCone)),
		("symmetric / symmetric", Nat::Symmetric, Some(Nat::Symmetric)),
	];
	let median = |mut values: Vec<f64>| {
		values.sort_by(f64::total_cmp);
		(values.get(values.len() / 2).copied(), values.last().copied())
	};
	// SONM_NAT_PAIRINGS=a,b: only the pairings whose names contain one of these.
	let only = std::env::var("SONM_NAT_PAIRINGS").unwrap_or_default();
	let chosen = |name: &str| only.is_empty() || only.split(',').any(|part| name.contains(part));
	for (name, host_nat, customer_nat) in pairings.into_iter().filter(|(name, ..)| chosen(name)) {
		let mut network = Network::new();
		let (address, from) = pairing(&mut network, host_nat, customer_nat);
		let (mut direct, mut echoed) = (0, 0);
		let (mut first_bytes, mut upgrades, mut throughputs) = (Vec::new(), Vec::new(), Vec::new());
		for _ in 0..50 {
			let report = network.dial_waiting(&from, &address, 1 << 20, 3);
			echoed += usize::from(report["echoed"] == true);
			if report["echoed"] != true {
				eprintln!("{name}: not carried: {report}");
			}
			direct += usize::from(report["punched"] == true);
			first_bytes.extend(report["first_byte_ms"].as_f64());
			upgrades.extend(report["upgraded_ms"].as_f64());
			if let Some(echo) = report["first_echo_ms"].as_f64() {
				throughputs.push(2.0 * 1_048_576.0 / (echo / 1000.0) / 1e6);
			}
		}
		let (first_byte, worst_first_byte) = median(first_bytes);
		let (upgrade, worst_upgrade) = median(upgrades);
		let (throughput, _) = median(throughputs);
		eprintln!(
			"{name}: {echoed}/50 echoed, {direct}/50 direct paths; first byte over the relay \
			 median {first_byte:.1?} ms (worst {worst_first_byte:.1?}); direct path after median \
			 {upgrade:.1?} ms (worst {worst_upgrade:.1?}); relayed stream median {throughput:.1?} MB/s"
		);
		assert_eq!(echoed, 50, "{name}: the relay failed to carry");
	}
}
