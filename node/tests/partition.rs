//! A network partition of the four `--chain local` validators into two pairs, each validator in
//! a network namespace of its own on a private bridge (`sonm_test_support::netns`), the cut made
//! with iptables inside the namespaces: finality stops (two of four votes are not a
//! supermajority), no two different blocks are ever finalized at one height, and finality
//! resumes once the partition heals.

mod common;

use serde_json::Value;
use sonm_test_support::{netns::Lan, PATIENCE};
use std::{
	collections::BTreeMap,
	process::{Child, Stdio},
	time::{Duration, Instant},
};

const NAMES: [&str; 4] = ["alice", "bob", "charlie", "dave"];
/// Each validator's RPC port inside its own namespace.
const RPC_PORT: u16 = 9944;

/// The four validators, stopped by their PIDs when dropped (before the namespaces go).
struct Validators {
	children: Vec<Child>,
	lan: Lan,
	dir: std::path::PathBuf,
}

impl Validators {
	fn start(dir: &std::path::Path) -> Self {
		sonm_test_support::cpu_hog_if_asked();
		let lan = Lan::new(NAMES.len(), 77);
		let keys: Vec<_> = (1..=NAMES.len())
			.map(|i| {
				let path = dir.join(format!("node-key-{i}"));
				std::fs::write(&path, format!("{i:064x}")).expect("a key file");
				path
			})
			.collect();
		let boot = format!("/ip4/{}/tcp/30333/p2p/{}", lan.address(0), common::peer_id(&keys[0]));
		let mut children = Vec::new();
		for (i, name) in NAMES.iter().enumerate() {
			let log = std::fs::File::create(dir.join(format!("{name}.log"))).expect("a log file");
			let listen = format!("/ip4/{}/tcp/30333", lan.address(i));
			let mut command = lan.command(i, common::NODE_BIN);
			command
				.args(["--chain", "local", &format!("--{name}"), "--allow-private-ip"])
				.arg("--base-path")
				.arg(dir.join(name))
				.arg("--node-key-file")
				.arg(&keys[i])
				.args(["--listen-addr", &listen, "--rpc-port", &RPC_PORT.to_string()])
				.args(["--no-telemetry", "--no-mdns", "--no-prometheus"]);
			if i > 0 {
				command.args(["--bootnodes", &boot]);
			}
			let child = command
				.stdin(Stdio::null())
				.stdout(log.try_clone().unwrap())
				.stderr(log)
				.spawn()
				.expect("sonm-node starts in its namespace");
			children.push(child);
		}
		Self { children, lan, dir: dir.into() }
	}

	fn call(&self, index: usize, method: &str, params: &str) -> Option<Value> {
		let text = self.lan.json_rpc(index, RPC_PORT, method, params)?;
		serde_json::from_str::<Value>(&text).ok()?.get("result").cloned()
	}

	/// Validator `index`'s finalized block: number and hash.
	fn finalized(&self, index: usize) -> Option<(u64, String)> {
		let hash = self.call(index, "chain_getFinalizedHead", "[]")?;
		let header = self.call(index, "chain_getHeader", &format!("[{hash}]"))?;
		let number =
			u64::from_str_radix(header["number"].as_str()?.trim_start_matches("0x"), 16).ok()?;
		Some((number, hash.as_str()?.to_owned()))
	}

	fn best_number(&self, index: usize) -> Option<u64> {
		let header = self.call(index, "chain_getHeader", "[]")?;
		u64::from_str_radix(header["number"].as_str()?.trim_start_matches("0x"), 16).ok()
	}

	fn hash_at(&self, index: usize, number: u64) -> Option<String> {
		self.call(index, "chain_getBlockHash", &format!("[{number}]"))?
			.as_str()
			.map(str::to_owned)
	}

	/// Waits until `probe` holds, recording every finalized block seen on the way.
	fn wait(&self, what: &str, seen: &mut Seen, mut probe: impl FnMut(&Self, &mut Seen) -> bool) {
		let deadline = Instant::now() + PATIENCE;
		loop {
			seen.record(self);
			if probe(self, seen) {
				return;
			}
			if Instant::now() > deadline {
				panic!("timed out waiting for {what}\n{}", self.log_tails());
			}
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	fn log_tails(&self) -> String {
		NAMES
			.iter()
			.map(|name| {
				let text = std::fs::read_to_string(self.dir.join(format!("{name}.log")))
					.unwrap_or_default();
				let lines: Vec<&str> = text.lines().collect();
				format!("--- {name} ---\n{}", lines[lines.len().saturating_sub(15)..].join("\n"))
			})
			.collect::<Vec<_>>()
			.join("\n")
	}
}

impl Drop for Validators {
	fn drop(&mut self) {
		if std::thread::panicking() {
			eprintln!("{}", self.log_tails());
		}
		for child in &mut self.children {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

/// Every finalized block any validator reported: at most one hash per height, or the test
/// fails on the spot.
#[derive(Default)]
struct Seen(BTreeMap<u64, String>);

impl Seen {
	fn record(&mut self, validators: &Validators) {
		for index in 0..NAMES.len() {
			if let Some((number, hash)) = validators.finalized(index) {
				let known = self.0.entry(number).or_insert_with(|| hash.clone());
				assert_eq!(*known, hash, "two different blocks finalized at #{number}");
			}
		}
	}

	fn highest(&self) -> u64 {
		self.0.keys().next_back().copied().unwrap_or(0)
	}
}

#[test]
fn a_partition_into_two_pairs_stops_finality_until_it_heals() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let validators = Validators::start(dir.path());
	let mut seen = Seen::default();

	validators.wait("finality on all four", &mut seen, |v, _| {
		(0..NAMES.len()).all(|i| v.finalized(i).is_some_and(|(n, _)| n >= 3))
	});

	// Alice and Bob on one side, Charlie and Dave on the other.
	validators.lan.partition(&[0, 1]);
	let cut_at = seen.highest();
	let best_at_cut: Vec<u64> =
		(0..NAMES.len()).map(|i| validators.best_number(i).unwrap_or(0)).collect();
	println!("partitioned at finalized #{cut_at}, best {best_at_cut:?}");
	// Both sides keep authoring in their own slots but neither can finalize: at most the
	// votes already in flight land.
	validators.wait("blocks authored on both sides", &mut seen, |v, _| {
		(0..NAMES.len()).all(|i| v.best_number(i).unwrap_or(0) >= best_at_cut[i] + 4)
	});
	let stalled = seen.highest();
	assert!(stalled <= cut_at + 2, "finality went on in a partition: #{cut_at} -> #{stalled}");
	// Both sides author six more blocks (twelve slots' worth) with finality standing still.
	let best_now: Vec<u64> =
		(0..NAMES.len()).map(|i| validators.best_number(i).unwrap_or(0)).collect();
	validators.wait("six more blocks on both sides", &mut seen, |v, _| {
		(0..NAMES.len()).all(|i| v.best_number(i).unwrap_or(0) >= best_now[i] + 6)
	});
	seen.record(&validators);
	assert_eq!(seen.highest(), stalled, "finality moved while partitioned");
	println!("finality held at #{stalled} while partitioned");

	validators.lan.heal();
	validators.wait("finality resuming on all four", &mut seen, |v, seen| {
		(0..NAMES.len()).all(|i| v.finalized(i).is_some_and(|(n, _)| n >= stalled + 3))
			&& seen.highest() >= stalled + 3
	});
	// One chain: every height up to the lowest finalized head has one hash on all four.
	let lowest = (0..NAMES.len())
		.filter_map(|i| validators.finalized(i))
		.map(|(n, _)| n)
		.min()
		.unwrap();
	for number in 1..=lowest {
		let hashes: Vec<_> = (0..NAMES.len()).map(|i| validators.hash_at(i, number)).collect();
		assert!(hashes.iter().all(|h| h.is_some() && *h == hashes[0]), "#{number}: {hashes:?}");
	}
	println!("healed: finalized #{} on all four, one chain", lowest);
}
