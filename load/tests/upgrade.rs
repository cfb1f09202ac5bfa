//! A runtime upgrade on a live network: four `--chain local` validators (no sudo) under a steady
//! market load (`sonm-load`'s mixed workload, run after run), the council authorizes the upgrade
//! rehearsal's runtime (this source with `upgrade-rehearsal`: `spec_version` one higher, and the
//! market's layout 2 → 3, every deal gaining its stored end) by a motion of three of four, and
//! `sonm runtime upgrade` applies it. Blocks and finality go on throughout; nothing the load
//! sent is lost; every deal is readable afterwards with the migrated field, and every pallet's
//! `try_state` holds (`rehearsal_check --upgraded`). The figures are printed: motion to applied,
//! the longest wait for a new block and the largest finality lag around the upgrade.

use serde_json::Value;
use sonm_client::{council, Client, Key, Wait};
use sonm_load::{
	accounts::Accounts,
	calls::{self, SetupIds},
	engine::{self, SendOptions},
	pace::Pace,
	report::Report,
	run,
	workload::{Planned, Step, Workload},
	RunOptions, FUNDING,
};
use sonm_test_support::{local_network, wait_for, wait_until, workspace_bin, Node};
use std::{
	path::{Path, PathBuf},
	process::{Command, Stdio},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

/// The load: mixed market calls at a rate four debug-built validators on two cores carry
/// (`SONM_UPGRADE_RATE` sets another, e.g. for release-built nodes).
const RATE: f64 = 25.0;
const RUN_SECONDS: u64 = 20;
/// The dev accounts that fund the load: not the council's four (Alice, Bob, Charlie, Dave), who
/// sign the motion, its votes and the upgrade meanwhile; a funder signing beside them could take
/// the nonce of their next transaction.
fn load_funders() -> Vec<String> {
	vec!["eve".into(), "ferdie".into()]
}

/// Transfers signed before the upgrade and sent after it.
const STALE_TRANSFERS: usize = 10;

fn rate() -> f64 {
	std::env::var("SONM_UPGRADE_RATE")
		.ok()
		.and_then(|rate| rate.parse().ok())
		.unwrap_or(RATE)
}

/// The node and CLI binaries: the debug build's, or those in `SONM_UPGRADE_BIN_DIR` (a release
/// build, to measure at the rate release-built nodes carry).
fn bin(name: &str) -> PathBuf {
	match std::env::var_os("SONM_UPGRADE_BIN_DIR") {
		Some(dir) => Path::new(&dir).join(name),
		None => workspace_bin(name),
	}
}

fn workspace_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR"))
		.parent()
		.expect("the workspace")
		.to_owned()
}

/// The upgrade rehearsal's blob, built by scripts/rehearsal-runtime.sh (with `rehearsal_check`).
fn rehearsal_blob() -> PathBuf {
	let output = Command::new("bash")
		.arg(workspace_root().join("scripts/rehearsal-runtime.sh"))
		.stderr(Stdio::inherit())
		.output()
		.expect("scripts/rehearsal-runtime.sh runs");
	assert!(output.status.success(), "building the rehearsal's runtime failed");
	let path = PathBuf::from(String::from_utf8(output.stdout).expect("a path").trim());
	assert!(path.is_file(), "{} is built", path.display());
	path
}

/// The node's runtime `spec_version`.
async fn spec_version(client: &Client) -> u32 {
	client.runtime_version().await.expect("the runtime version").spec_version
}

/// What a sampler of Alice's node saw: when each new best and finalized number arrived.
#[derive(Default)]
struct Heads {
	/// (when, best, finalized)
	samples: Vec<(Instant, u64, u64)>,
}

impl Heads {
	/// The longest wait for a new best block, and the largest lag of finality behind the best
	/// block, between `from` and `to`.
	fn between(&self, from: Instant, to: Instant) -> (Duration, u64) {
		let window: Vec<_> =
			self.samples.iter().filter(|(at, ..)| *at >= from && *at <= to).collect();
		let mut longest = Duration::ZERO;
		let mut last_new_best: Option<(Instant, u64)> = None;
		let mut lag = 0;
		for (at, best, finalized) in window {
			lag = lag.max(best.saturating_sub(*finalized));
			match last_new_best {
				Some((_, seen)) if *best <= seen => {},
				Some((when, _)) => {
					longest = longest.max(at.duration_since(when));
					last_new_best = Some((*at, *best));
				},
				None => last_new_best = Some((*at, *best)),
			}
		}
		(longest, lag)
	}
}

/// Samples Alice's best and finalized numbers every 100 ms until `stop`.
fn sample_heads(url: String, stop: Arc<AtomicBool>, heads: Arc<Mutex<Heads>>) {
	std::thread::spawn(move || {
		let runtime = tokio::runtime::Runtime::new().expect("a runtime for the sampler");
		runtime.block_on(async move {
			let client = Client::connect(&url).await.expect("the sampler connects");
			while !stop.load(Ordering::Relaxed) {
				if let (Ok((best, _)), Ok((finalized, _))) =
					(client.best_block().await, client.finalized_block().await)
				{
					heads.lock().unwrap().samples.push((Instant::now(), best, finalized));
				}
				tokio::time::sleep(Duration::from_millis(100)).await;
			}
		});
	});
}

/// One load run, and when it ran.
struct LoadRun {
	report: Report,
	started: Instant,
	ended: Instant,
}

/// Mixed load runs back to back against `url` until `stop`, then one more: each run signs its
/// own extrinsics (against the runtime version of its start).
fn load_until(url: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<LoadRun>> {
	std::thread::spawn(move || {
		let runtime = tokio::runtime::Runtime::new().expect("a runtime for the load");
		let mut runs = Vec::new();
		let mut last = false;
		while !last {
			last = stop.load(Ordering::Relaxed);
			let options = RunOptions {
				url: url.clone(),
				workload: Workload::Mixed,
				duration: Duration::from_secs(RUN_SECONDS),
				rate: Some(rate()),
				count: None,
				window: 2_000,
				backlog: Some(2),
				orders_per_batch: sonm_load::workload::DEFAULT_ORDERS_PER_BATCH,
				drain: Duration::from_secs(120),
				session_length: None,
				funders: load_funders(),
			};
			let started = Instant::now();
			let report = runtime.block_on(run(&options)).expect("the load ran");
			println!("{}", report.text());
			runs.push(LoadRun { report, started, ended: Instant::now() });
		}
		runs
	})
}

/// The CLI against `node`, signed by `from`; its output.
fn sonm(node: &Node, from: &str, args: &[&str]) -> std::process::Output {
	Command::new(bin("sonm"))
		.args(["--url", &node.url(), "--finalized", "--output", "json", "--from", from])
		.args(args)
		.output()
		.expect("sonm runs")
}

fn json_of(output: &std::process::Output) -> Value {
	assert!(
		output.status.success(),
		"sonm failed: {}{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	serde_json::from_slice(&output.stdout).expect("sonm's JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_council_upgrades_a_live_network_under_load_and_the_deals_migrate() {
	let blob = rehearsal_blob();
	let dir = tempfile::tempdir().unwrap();
	let mut nodes = local_network(&bin("sonm-node"), dir.path());
	let alice = Client::connect(&nodes[0].url()).await.expect("alice's node");
	wait_until("finality on four validators", || async {
		alice.finalized_block().await.map(|(n, _)| n >= 2).unwrap_or(false)
	})
	.await;
	let before = spec_version(&alice).await;

	// A deal that lasts past the upgrade: Alice's ask, bought by Bob for two hours.
	let ask_file = dir.path().join("ask.yaml");
	std::fs::write(
		&ask_file,
		"side: ask\nprice: 3.6 SNM/h\nduration: 2h\nnetwork: { outbound: true, incoming: true }\n\
		 resources: { cpu-cores: 2, ram-size: 1 GiB }\n",
	)
	.unwrap();
	let placed = json_of(&sonm(
		&nodes[0],
		"//Alice",
		&["orders", "create", "--file", ask_file.to_str().unwrap()],
	));
	let ask = placed["id"].as_u64().expect("the ask's id").to_string();
	let bought =
		json_of(&sonm(&nodes[0], "//Bob", &["deals", "quick-buy", &ask, "--duration", "2h"]));
	let deal = bought["id"].as_u64().expect("the deal's id");
	println!("deal {deal} open on ask {ask}");

	// Transfers signed for the old runtime, sent once the new one runs: a wallet's situation.
	let stale_transfers = Arc::new(Accounts::derive(rand::random(), STALE_TRANSFERS));
	let funders = sonm_load::accounts::funders(&load_funders()).unwrap();
	stale_transfers.fund(&alice, FUNDING, &funders).await.expect("funded");
	let transfers: Vec<Planned> = (0..STALE_TRANSFERS)
		.map(|k| Planned { signer: k, step: Step::Transfer { to: (k + 1) % STALE_TRANSFERS } })
		.collect();
	let signed_before = alice.at_best().await.unwrap();
	let mut nonces = stale_transfers.nonces(&alice).await.unwrap();
	let ids = SetupIds::default();
	// What signs them again for the new runtime is made with them, as every phase of a run's.
	let (stale, again) = calls::sign_phase(
		&alice,
		&signed_before,
		&stale_transfers,
		&mut nonces,
		&transfers,
		&ids,
		"stale",
	)
	.expect("signed");

	let stop_sampling = Arc::new(AtomicBool::new(false));
	let heads = Arc::new(Mutex::new(Heads::default()));
	sample_heads(nodes[0].url(), stop_sampling.clone(), heads.clone());
	let stop_load = Arc::new(AtomicBool::new(false));
	let load = load_until(nodes[0].url(), stop_load.clone());
	// The load in finalized blocks before the motion.
	let (started, _) = alice.finalized_block().await.unwrap();
	wait_until("the load in finalized blocks", || async {
		alice.finalized_block().await.map(|(n, _)| n >= started + 8).unwrap_or(false)
	})
	.await;

	// Alice moves the upgrade with the CLI and follows it; Bob and Charlie vote aye.
	let motion_moved = Instant::now();
	let upgrade = Command::new(bin("sonm"))
		.args(["--url", &nodes[0].url(), "--output", "json", "--from", "//Alice"])
		.args(["runtime", "upgrade"])
		.arg(&blob)
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("sonm runtime upgrade starts");
	let motion = wait_for("the upgrade's motion", || async {
		alice.motions().await.ok()?.into_iter().next().map(|open| open.motion)
	})
	.await;
	// The council names it by the hash of its proposal, which a member computes from the code
	// alone (how `sonm runtime upgrade` finds a motion to join).
	let code = council::upgrade_code(std::fs::read(&blob).unwrap()).unwrap();
	let proposal = council::authorize_upgrade(council::code_hash(&code));
	assert_eq!(alice.motion_hash_of(proposal).await.unwrap(), motion.hash);
	for voter in ["//Bob", "//Charlie"] {
		let key = Key::from_suri(voter).unwrap();
		alice
			.vote_on(&motion, true, &key, Wait::Finalized, |_| {})
			.await
			.expect("an aye");
	}
	let output = tokio::task::spawn_blocking(move || upgrade.wait_with_output())
		.await
		.unwrap()
		.expect("sonm runtime upgrade ends");
	let applied = Instant::now();
	println!("sonm runtime upgrade: {}", String::from_utf8_lossy(&output.stderr));
	let upgraded = json_of(&output);
	assert_eq!(upgraded["from"], before);
	assert_eq!(upgraded["to"], before + 1);
	let code_block = upgraded["block"]["number"].as_u64().expect("the upgrade's block");

	// Every validator runs the new runtime.
	for node in &nodes {
		let client = Client::connect(&node.url()).await.expect("a node");
		wait_until(&format!("{} on spec version {}", node.name, before + 1), || async {
			spec_version(&client).await == before + 1
		})
		.await;
	}
	// What was signed for the old runtime is refused as a bad signature, signed again for the new
	// one and carried, each with the nonce it had.
	let options = SendOptions {
		pace: Pace { rate: None, window: STALE_TRANSFERS, backlog: None },
		duration: None,
		drain: Duration::from_secs(120),
		node_pid: None,
	};
	let sent = engine::send(&alice, &nodes[0].url(), &stale, again, options, "stale")
		.await
		.expect("sent");
	for record in &sent.records {
		assert_eq!(record.rejected, None);
		assert_eq!(record.invalid, None);
		assert!(record.finalized.is_some(), "carried: {record:?}");
		assert_eq!(
			record.retried.get(&format!("signed again for spec version {}", before + 1)),
			Some(&1),
			"{record:?}"
		);
	}

	// Blocks and finality go on after it: eight more finalized.
	wait_until("finality after the upgrade", || async {
		alice.finalized_block().await.map(|(n, _)| n >= code_block + 8).unwrap_or(false)
	})
	.await;
	stop_load.store(true, Ordering::Relaxed);
	let runs = tokio::task::spawn_blocking(move || load.join())
		.await
		.unwrap()
		.expect("the load");
	stop_sampling.store(true, Ordering::Relaxed);

	// Every run is carried in full, those that straddle the upgrade too: what a run signed for
	// the old version and sent once the new one took effect is refused or given up as a bad
	// signature, signed again for the new version and carried (its refusal not counted).
	let mut signed_again = 0;
	for run in &runs {
		let report = &run.report;
		assert!(report.included > 0, "a run was carried");
		assert!(report.rejected.is_empty(), "refused: {:?}", report.rejected);
		assert_eq!(report.lost, 0, "accepted extrinsics lost");
		assert!(report.invalid.is_empty(), "given up by the pool: {:?}", report.invalid);
		assert_eq!(report.finalized, report.accepted, "every accepted extrinsic finalized");
		assert!(report.failed.is_empty(), "planned calls failed: {:?}", report.failed);
		let again = report.retried.iter().filter(|(why, _)| why.starts_with("signed again"));
		for (why, times) in again {
			let straddles = run.started <= applied && run.ended >= motion_moved;
			assert!(straddles, "{why} in a run away from the upgrade");
			assert_eq!(why, &format!("signed again for spec version {}", before + 1));
			signed_again += times;
		}
	}
	let after_upgrade = runs.iter().filter(|run| run.started > applied).count();
	assert!(after_upgrade >= 1, "a whole run after the upgrade");

	// The figures.
	let (gap, lag) = heads.lock().unwrap().between(motion_moved, Instant::now());
	println!(
		"upgrade figures at {}/s: motion to applied {:.1} s; around it the longest wait for a \
		 block {} ms, finality at most {lag} blocks behind; {} load runs ({} after the upgrade), \
		 {signed_again} measured extrinsics signed again for the new runtime",
		rate(),
		applied.duration_since(motion_moved).as_secs_f64(),
		gap.as_millis(),
		runs.len(),
		after_upgrade
	);
	assert!(lag <= 16, "finality fell {lag} blocks behind");

	// Every deal readable with its migrated end, the whole state decoding, every try_state.
	let check = Command::new(workspace_bin("rehearsal_check"))
		.arg(format!("http://127.0.0.1:{}", nodes[0].rpc_port))
		.arg("--upgraded")
		.output()
		.expect("rehearsal_check runs");
	let said = format!(
		"{}{}",
		String::from_utf8_lossy(&check.stdout),
		String::from_utf8_lossy(&check.stderr)
	);
	println!("{said}");
	assert!(check.status.success(), "the state after the upgrade: {said}");
	let deals: u64 = said
		.split(" deals, each with its end")
		.next()
		.and_then(|head| head.rsplit(' ').next())
		.and_then(|count| count.parse().ok())
		.expect("rehearsal_check counts the deals");
	assert!(deals >= 1, "deal {deal} (and any of the load's) migrated");
	// The orders, whose layout did not change, are served as before.
	let book = alice.orders(&Default::default(), 0, 1000).await;
	assert!(book.is_ok(), "the order book is served after the upgrade: {book:?}");
	for node in &mut nodes {
		assert!(node.is_running(), "{} runs", node.name);
	}
}
