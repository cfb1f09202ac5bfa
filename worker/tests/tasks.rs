//! A customer runs a workload on what it bought: a real `sonm-node --dev`, a real `sonm-worker`
//! running tasks on a real podman API service, the customer acting with the `sonm` CLI. Bob buys
//! the worker's plan (one core, 64 MiB, incoming connections), starts a task that prints lines
//! and serves TCP on a published port, reads its logs, connects to the port, runs `exec` and
//! reads the deal's memory limit inside the container and fills its volume to the deal's
//! storage; another account's request, a replayed
//! request and a forged signature are refused by name (the CLI finds the worker through the
//! endpoint record the worker published on chain); an Anonymous customer's image off the
//! allow-list is refused; closing the deal removes the container within a block or two and the
//! logs stay readable to Bob alone. A second test kills the worker with `kill -9` while two
//! deals run tasks, closes one deal meanwhile, and restarts it: the closed deal's container is
//! gone within 5 s, the open one's task untouched (same start time, still running), and a log
//! follower that resumes from its cursor reads every line once across the restart. A third
//! kills it at two crash points: between creating a task's container and starting it, and
//! between keeping a closed deal's output and removing its container.

mod support;

use serde_json::{json, Value};
use sonm_client::{
	task_auth::SignedRequest,
	task_client::{TaskClient, TaskError},
	task_protocol::{ExecBody, ExecEnd, LogWindow, LOG_PAGE_BYTES},
	Key,
};
use sonm_worker::tasks::engine::container_name;
use std::time::{Duration, Instant};
use support::{
	free_port, tasks_section, wait_for, worker_config, Chain, Podman, Registry, WorkerProcess,
};

const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const IMAGE: &str = "localhost/sonm-test-busybox:1";
const UNLISTED: &str = "localhost/sonm-test-unlisted:1";

fn refusal(result: Result<Value, TaskError>) -> String {
	match result {
		Err(TaskError::Refused { error, .. }) => error,
		other => panic!("expected a refusal, got {other:?}"),
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_runs_a_task_on_what_it_bought() {
	let podman_service = Podman::start();
	podman_service.import_busybox(IMAGE);
	assert!(podman_service.cli(&["tag", IMAGE, UNLISTED]));
	let chain = Chain::start();
	let control = free_port();
	let (tasks, low) = tasks_section(&podman_service, control, IMAGE, "");
	let plans =
		"[[plans]]\nname = \"box\"\ncpu_cores = 1\nram = \"64 MiB\"\nstorage = \"32 MiB\"\n\
	             price = \"0.36 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\", \"incoming\"]\n";
	let config = worker_config(&chain, "charlie", "//Charlie", "", &format!("{plans}{tasks}"));
	let _worker = WorkerProcess::start(chain.dir.path(), "charlie", &config);
	wait_for("the worker's ask", || (chain.asks_of(CHARLIE).len() == 1).then_some(()));

	// Bob buys the plan.
	let (deal, _) =
		chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"]);
	wait_for("the deal", || chain.deal(deal));
	let url = format!("http://127.0.0.1:{control}");
	let sonm_task = |from: &str, args: &[&str]| {
		let mut all = vec!["--from", from, "task"];
		all.extend_from_slice(args);
		chain.try_json(&all)
	};
	let deal_text = deal.to_string();
	// The CLI finds the worker through the endpoint record it published at start.
	let published = chain.json(&["worker", "endpoint", "show", CHARLIE]);
	assert_eq!(published["endpoint"], url.as_str());
	let target = ["--deal", deal_text.as_str()];

	// An image off the allow-list is refused for the Anonymous Bob.
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let path = format!("/deals/{deal}/task");
	let unlisted = json!({ "image": UNLISTED, "command": ["sleep", "5"] });
	assert_eq!(refusal(start_once_ready(&bob, deal, &unlisted).await), "ImageNotAllowed");

	// Bob starts the task with the CLI: lines, then a TCP service on a published port.
	let started = Instant::now();
	let mut start = vec!["start"];
	start.extend_from_slice(&target);
	start.extend_from_slice(&[
		"--image",
		IMAGE,
		"-p",
		"8080",
		"--volume",
		"/data",
		"--",
		"sh",
		"-c",
		"echo line one; echo line two; while true; do echo hello | nc -l -p 8080; done",
	]);
	let answer = sonm_task("bob", &start).expect("the task starts");
	eprintln!("task running {:?} after the start request", started.elapsed());
	assert_eq!(answer["task"]["status"], "running");
	let host_port = answer["task"]["ports"][0][1].as_u64().unwrap() as u16;
	assert!((low..=low + 50).contains(&host_port));

	// Its logs, its port, exec, and the deal's memory limit inside.
	let logs = wait_for("the task's first lines", || {
		let mut args = vec!["logs"];
		args.extend_from_slice(&target);
		let answer = sonm_task("bob", &args)?;
		let text = answer["text"].as_str()?.to_owned();
		text.contains("line two").then_some(answer)
	});
	assert_eq!(logs["text"], "line one\nline two\n");
	let cursor = logs["next"].as_u64().unwrap();
	let mut tail = vec!["logs", "--tail", "1", "--since", "10m"];
	tail.extend_from_slice(&target);
	let last = sonm_task("bob", &tail).expect("the last line");
	assert_eq!(last["text"], "line two\n");
	assert_eq!(last["next"], logs["next"], "the same cursor to follow on from");
	let answer = wait_for("the published port", || {
		use std::io::Read;
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", host_port)).ok()?;
		stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
		let mut buffer = [0u8; 16];
		let read = stream.read(&mut buffer).ok().filter(|read| *read > 0)?;
		Some(String::from_utf8_lossy(&buffer[..read]).into_owned())
	});
	assert_eq!(answer.trim(), "hello");
	let mut exec = vec!["exec"];
	exec.extend_from_slice(&target);
	exec.extend_from_slice(&[
		"--",
		"sh",
		"-c",
		"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
	]);
	let exec = sonm_task("bob", &exec).expect("exec runs");
	assert_eq!(exec["exitCode"], 0);
	assert_eq!(exec["output"].as_str().unwrap().trim(), (64u64 << 20).to_string());
	// Where the task is reached, told to it.
	let mut reached = vec!["exec"];
	reached.extend_from_slice(&target);
	reached.extend_from_slice(&["--", "sh", "-c", "echo $SONM_HOST:$SONM_PORT_0"]);
	let reached = sonm_task("bob", &reached).expect("exec runs");
	assert_eq!(reached["output"].as_str().unwrap().trim(), format!("127.0.0.1:{host_port}"));
	// The deal's 32 MiB of storage: its volume takes 64 MiB no more than the deal bought.
	let mut fill = vec!["exec"];
	fill.extend_from_slice(&target);
	fill.extend_from_slice(&["--", "dd", "if=/dev/zero", "of=/data/fill", "bs=1M", "count=64"]);
	let fill = sonm_task("bob", &fill).expect("exec runs");
	assert_ne!(fill["exitCode"], 0);
	assert!(fill["output"].as_str().unwrap().contains("No space left"), "{fill}");

	// Another account, a replay and a forgery are refused by name; the supplier sees the status.
	let mut status = vec!["status"];
	status.extend_from_slice(&target);
	assert!(sonm_task("dave", &status).is_none(), "Dave takes no part in the deal");
	let dave = TaskClient::new(&url, Key::dev("dave").unwrap());
	assert_eq!(refusal(dave.request("GET", &path, deal, None).await), "NotAllowed");
	let charlie = TaskClient::new(&url, Key::dev("charlie").unwrap());
	assert_eq!(
		charlie.request("GET", &path, deal, None).await.unwrap()["task"]["status"],
		"running"
	);
	assert_eq!(
		refusal(
			charlie
				.request("POST", &format!("/deals/{deal}/stop"), deal, Some(&json!({})))
				.await
		),
		"NotAllowed",
		"the supplier may read the status only"
	);
	let now = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.unwrap()
		.as_secs();
	let once = SignedRequest::sign(bob.key(), "GET", &path, deal, b"", now, "once");
	assert!(bob.send(&once, Vec::new()).await.is_ok());
	assert_eq!(refusal(bob.send(&once, Vec::new()).await), "Replayed");
	let forged = SignedRequest {
		nonce: "forged".into(),
		signature: SignedRequest::sign(dave.key(), "GET", &path, deal, b"", now, "forged")
			.signature,
		..once.clone()
	};
	assert_eq!(refusal(bob.send(&forged, Vec::new()).await), "BadSignature");
	let stale = SignedRequest::sign(bob.key(), "GET", &path, deal, b"", now - 600, "stale");
	assert_eq!(refusal(bob.send(&stale, Vec::new()).await), "Stale");

	// Closing the deal removes the container within a block or two; the logs stay readable.
	let closed_at = Instant::now();
	chain.json(&["--from", "bob", "deals", "close", &deal_text]);
	let container = container_name(CHARLIE, deal);
	wait_for("the container's removal", || {
		(!podman_service.cli(&["container", "exists", &container])).then_some(())
	});
	let removal = closed_at.elapsed();
	assert!(!podman_service.cli(&["volume", "exists", &container]), "the deal's volume is gone");
	eprintln!("container removed {removal:?} after the close was submitted");
	// A closed deal names no supplier on chain: the customer names the worker.
	let mut args = vec!["logs", "--deal", deal_text.as_str()];
	assert!(sonm_task("bob", &args).is_none(), "no open deal to find the worker by");
	args.extend_from_slice(&["--worker", url.as_str()]);
	let from = cursor.to_string();
	let kept = sonm_task("bob", &args).expect("Bob reads the kept logs");
	assert!(kept["text"].as_str().unwrap().starts_with("line one\nline two\n"));
	args.extend_from_slice(&["--cursor", &from]);
	let rest = sonm_task("bob", &args).expect("from the cursor");
	assert!(!rest["text"].as_str().unwrap().contains("line"), "the cursor skips what was read");
	assert_eq!(
		refusal(dave.request("GET", &format!("/deals/{deal}/logs?from=0"), deal, None).await),
		"NotAllowed"
	);
}

/// Waits half a second, then reads deal `deal`'s output from `cursor` on into `followed` and
/// moves the cursor past it.
async fn follow(client: &TaskClient, deal: u64, cursor: &mut u64, followed: &mut String) {
	tokio::time::sleep(Duration::from_millis(500)).await;
	let path = format!("/deals/{deal}/logs?from={cursor}");
	let answer = client.request("GET", &path, deal, None).await.expect("the logs are served");
	followed.push_str(answer["text"].as_str().unwrap());
	*cursor = answer["next"].as_u64().unwrap();
}

/// `podman inspect`'s start time of `supplier`'s deal `deal`'s container, or `None` when it is
/// gone.
fn started_at(podman: &Podman, supplier: &Supplier, deal: u64) -> Option<String> {
	inspect(podman, supplier, deal, "{{.State.StartedAt}}")
}

/// `podman inspect --format FORMAT` of `supplier`'s deal `deal`'s container, or `None` when it
/// is gone.
fn inspect(podman: &Podman, supplier: &Supplier, deal: u64, format: &str) -> Option<String> {
	let name = container_name(&supplier.address, deal);
	let out = podman.command(&["inspect", "--format", format, &name]).output().ok()?;
	out.status
		.success()
		.then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A dev account selling through its worker. Tests that run at the same time use different
/// suppliers: their podman services share the machine's container store.
struct Supplier {
	/// The dev name (`eve`), also the worker's directory and log name.
	name: &'static str,
	/// Its SS58 address.
	address: String,
}

impl Supplier {
	fn dev(name: &'static str) -> Self {
		Self { name, address: Key::dev(name).unwrap().address() }
	}

	/// Its worker, started again on `chain` with `config` (and `env`).
	fn restart(&self, chain: &Chain, config: &str, env: &[(&str, &str)]) -> WorkerProcess {
		WorkerProcess::start_with(chain.dir.path(), self.name, config, env)
	}

	/// Its worker started again, to die at crash point `point`.
	fn crashing_at(&self, chain: &Chain, config: &str, point: &str) -> WorkerProcess {
		self.restart(chain, config, &[(sonm_worker::failpoint::CRASH_AT, point)])
	}
}

/// A podman service with the test image, a dev chain, and `supplier`'s worker running tasks and
/// selling one plan (one core, 64 MiB, outbound, an hour) per name, each ask placed; returns
/// them, the control plane's URL and the worker's configuration.
fn plans_on_a_worker(
	supplier: &Supplier,
	names: &[&str],
) -> (Podman, Chain, WorkerProcess, String, String) {
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	plans_on_a_pulling_worker(podman, supplier, names, "", OUTBOUND)
}

/// Plans that offer outbound connections only.
const OUTBOUND: &str = "[\"outbound\"]";

/// [`plans_on_a_worker`] on `podman_service` with `tasks_extra` in the worker's `[tasks]`
/// (`registry = "..."`, bounds), selling plans with `netflags`.
fn plans_on_a_pulling_worker(
	podman_service: Podman,
	supplier: &Supplier,
	names: &[&str],
	tasks_extra: &str,
	netflags: &str,
) -> (Podman, Chain, WorkerProcess, String, String) {
	let chain = Chain::start();
	let control = free_port();
	let mut plans = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:{control}\"\nfree_images_from = \"anonymous\"\n",
		podman_service.socket.display(),
	);
	plans.push_str(tasks_extra);
	for name in names {
		plans.push_str(&format!(
			"[[plans]]\nname = \"{name}\"\ncpu_cores = 1\nram = \"64 MiB\"\nprice = \"0.36 SNM/h\"\n\
			 duration = \"1h\"\nnetflags = {netflags}\n"
		));
	}
	let uri = format!("//{}{}", supplier.name[..1].to_uppercase(), &supplier.name[1..]);
	let config = worker_config(&chain, supplier.name, &uri, "", &plans);
	let worker = WorkerProcess::start(chain.dir.path(), supplier.name, &config);
	let asks = || chain.asks_of(&supplier.address).len();
	wait_for("the plans' asks", || (asks() == names.len()).then_some(()));
	(podman_service, chain, worker, format!("http://127.0.0.1:{control}"), config)
}

/// Runs `future` to its end from synchronous code inside the test's runtime.
fn block<F: std::future::Future>(future: F) -> F::Output {
	tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

/// Asks to start deal `deal`'s task as soon as the worker has taken the deal up (it records
/// a deal with the block after it opened); returns the first other answer.
async fn start_once_ready(
	client: &TaskClient,
	deal: u64,
	spec: &Value,
) -> Result<Value, TaskError> {
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		match client.request("POST", &format!("/deals/{deal}/task"), deal, Some(spec)).await {
			Err(TaskError::Refused { error, .. }) if error == "DealNotReady" => {
				assert!(Instant::now() < deadline, "the worker never took up deal {deal}");
				tokio::time::sleep(Duration::from_millis(300)).await;
			},
			answer => return answer,
		}
	}
}

/// Starts deal `deal`'s task as soon as the worker has taken the deal up.
async fn start_when_ready(client: &TaskClient, deal: u64, spec: &Value) -> Value {
	let started = start_once_ready(client, deal, spec).await;
	started.unwrap_or_else(|error| panic!("starting deal {deal}'s task: {error}"))
}

/// A load run, not a test (`cargo test --workspace --test tasks -- --ignored --nocapture
/// task_start_latency`): the time from the start request to the running container, 20 times
/// with the image in the local store, then 20 times pulled from the registry.
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn task_start_latency() {
	let (_registry, pulled, podman, chain, _worker, url) =
		a_worker_pulling_from_a_registry(&Supplier::dev("charlie"));
	let (deal, _) = chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h"]);
	wait_for("the deal", || chain.deal(deal));
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let cached = json!({ "image": IMAGE, "command": ["sleep", "1000"] });
	start_when_ready(&bob, deal, &cached).await;
	// Stops the task, lets `before` run, then times a new start of `spec`; 20 times.
	let restarts = |spec: Value, before: &dyn Fn()| {
		let mut samples = Vec::new();
		for _ in 0..20 {
			let (stop, nothing) = (format!("/deals/{deal}/stop"), json!({}));
			block(bob.request("POST", &stop, deal, Some(&nothing))).unwrap();
			before();
			let started = Instant::now();
			let answer =
				block(bob.request("POST", &format!("/deals/{deal}/task"), deal, Some(&spec)));
			samples.push(started.elapsed());
			assert_eq!(answer.unwrap()["task"]["status"], "running");
		}
		samples.sort();
		format!("p50 {:?}, p95 {:?}, max {:?}", samples[9], samples[18], samples[19])
	};
	eprintln!("start request to running task over 20 runs: {}", restarts(cached.clone(), &|| {}));
	// The same with the image pulled from the registry on loopback each time.
	let pulling = json!({ "image": pulled, "command": ["sleep", "1000"] });
	let remove_image = || assert!(podman.cli(&["rmi", "--ignore", &pulled]), "image removed");
	eprintln!(
		"with a pull from the local registry, over 20 runs: {}",
		restarts(pulling, &remove_image)
	);
	block(bob.request("POST", &format!("/deals/{deal}/stop"), deal, Some(&json!({})))).unwrap();
	assert!(podman.cli(&["rmi", "--ignore", &pulled]));
}

/// A `docker-registry` holding the test image as `sonm/busybox:1`, and `supplier`'s worker
/// selling one plan (outbound) and pulling from that registry; returns the registry, the
/// pushed image's name, the podman service, the chain, the worker and its control plane's URL.
fn a_worker_pulling_from_a_registry(
	supplier: &Supplier,
) -> (Registry, String, Podman, Chain, WorkerProcess, String) {
	let registry = Registry::start();
	let podman = Podman::start_trusting(Some(&registry.host));
	podman.import_busybox(IMAGE);
	let pulled = registry.push(&podman, IMAGE, "sonm/busybox:1");
	let (podman, chain, worker, url, _) = plans_on_a_pulling_worker(
		podman,
		supplier,
		&["one"],
		&format!("registry = \"{}\"\n", registry.host),
		OUTBOUND,
	);
	(registry, pulled, podman, chain, worker, url)
}

/// The pull path: an image missing from the engine's store is pulled from the worker's
/// registry (a real `docker-registry` on loopback); an image of another registry is
/// `ImageUnavailable` and one the registry lacks is `PullFailed`, without touching the deal.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_image_is_pulled_from_the_workers_registry() {
	let (registry, pulled, podman, chain, _worker, url) =
		a_worker_pulling_from_a_registry(&Supplier::dev("alice"));
	assert!(!podman.cli(&["image", "exists", &pulled]), "not in the store before the start");
	let (deal, _) = chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h"]);
	wait_for("the deal", || chain.deal(deal));
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let path = format!("/deals/{deal}/task");

	let elsewhere = json!({ "image": "docker.io/library/alpine:3", "command": ["true"] });
	assert_eq!(refusal(start_once_ready(&bob, deal, &elsewhere).await), "ImageUnavailable");
	let missing = json!({ "image": format!("{}/sonm/missing:1", registry.host) });
	assert_eq!(refusal(bob.request("POST", &path, deal, Some(&missing)).await), "PullFailed");

	let spec = json!({ "image": pulled, "command": ["sh", "-c", "echo pulled; sleep 1000"] });
	let started = Instant::now();
	let answer = bob.request("POST", &path, deal, Some(&spec)).await.expect("pulled and started");
	eprintln!("pulled and running {:?} after the start request", started.elapsed());
	assert_eq!(answer["task"]["status"], "running");
	assert!(podman.cli(&["image", "exists", &pulled]), "in the store after the pull");
	let logs = wait_for("the output", || {
		let path = format!("/deals/{deal}/logs?from=0");
		let answer = block(bob.request("GET", &path, deal, None)).ok()?;
		(answer["text"] == "pulled\n").then_some(answer)
	});
	assert_eq!(logs["running"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_kill_9_open_deals_keep_their_tasks_and_closed_ones_lose_theirs() {
	let ferdie = Supplier::dev("ferdie");
	let (podman, chain, mut worker, url, config) = plans_on_a_worker(&ferdie, &["one", "two"]);
	// Bob and Dave each buy a plan and start a task.
	let mut deals = Vec::new();
	for customer in ["bob", "dave"] {
		let (deal, _) = chain.bid(customer, &["--price", "0.4 SNM/h", "--duration", "1h"]);
		wait_for("the deal", || chain.deal(deal));
		let client = TaskClient::new(&url, Key::dev(customer).unwrap());
		let spec = json!({ "image": IMAGE, "command": ["sh", "-c", "echo up; sleep 1000"] });
		start_when_ready(&client, deal, &spec).await;
		deals.push(deal);
	}
	let (bobs, daves) = (deals[0], deals[1]);

	// Bob's follower reads his task's output from a cursor: numbers, one every 20 ms.
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let count = json!({ "command": ["sh", "-c", "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); echo $i; sleep 0.02; done"] });
	let exec = bob
		.request("POST", &format!("/deals/{bobs}/stop"), bobs, Some(&json!({})))
		.await;
	exec.expect("Bob replaces his task with a counter");
	let counter = json!({ "image": IMAGE, "command": count["command"] });
	bob.request("POST", &format!("/deals/{bobs}/task"), bobs, Some(&counter))
		.await
		.unwrap();
	let mut followed = String::new();
	let mut cursor = 0u64;
	follow(&bob, bobs, &mut cursor, &mut followed).await;
	let bob_started = started_at(&podman, &ferdie, bobs).expect("Bob's task runs");

	// kill -9; Dave closes his deal while the worker is down; the worker starts again.
	worker.kill_hard();
	chain.json(&["--from", "dave", "deals", "close", &daves.to_string()]);
	let restarted = Instant::now();
	let _worker = ferdie.restart(&chain, &config, &[]);
	wait_for("Dave's container removed", || {
		started_at(&podman, &ferdie, daves).is_none().then_some(())
	});
	let reconciled = restarted.elapsed();
	eprintln!("reconciled {reconciled:?} after the restart");

	// Bob's task was not touched: same start, still running; no container without a deal.
	assert_eq!(
		started_at(&podman, &ferdie, bobs),
		Some(bob_started),
		"Bob's task was not restarted"
	);
	let deadline = Instant::now() + Duration::from_secs(60);
	let status = loop {
		match bob.request("GET", &format!("/deals/{bobs}/task"), bobs, None).await {
			Ok(status) => break status,
			Err(error) => {
				assert!(Instant::now() < deadline, "the control plane is not back: {error}");
				tokio::time::sleep(Duration::from_millis(300)).await;
			},
		}
	};
	assert_eq!(status["task"]["status"], "running");
	// The follower resumes from its cursor: every number once, no gap, no repetition.
	follow(&bob, bobs, &mut cursor, &mut followed).await;
	assert_eq!(cursor, followed.len() as u64, "the cursor counts the bytes read");
	let numbers: Vec<u64> = followed.lines().map(|line| line.parse().unwrap()).collect();
	assert!(numbers.len() > 50, "the counter ran through the restart: {}", numbers.len());
	assert!(
		numbers.iter().enumerate().all(|(i, n)| *n == i as u64 + 1),
		"every line once and in order across the worker's restart"
	);
	// Dave still reads what his task printed.
	let dave = TaskClient::new(&url, Key::dev("dave").unwrap());
	let logs = dave.request("GET", &format!("/deals/{daves}/logs?from=0"), daves, None).await;
	assert_eq!(logs.unwrap()["text"], "up\n");
}

/// `kill -9` at the two points between the worker's steps: after a task's container is created
/// and before it starts (the restarted worker starts it: the customer's start was accepted), and
/// after a closed deal's output is kept and before its container is removed (the restarted
/// worker removes it; the output is kept once). Each time the engine is right within 5 s of the
/// restart.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_between_create_and_start_and_between_close_and_removal() {
	let eve = Supplier::dev("eve");
	let (podman, chain, mut worker, url, config) = plans_on_a_worker(&eve, &["one"]);
	let (deal, _) = chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h"]);
	wait_for("the deal", || chain.deal(deal));
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());

	// The worker dies between creating the container and starting it.
	worker.kill_hard();
	let mut worker = eve.crashing_at(&chain, &config, "task-created");
	let spec = json!({ "image": IMAGE, "command": ["sh", "-c", "echo up; sleep 1000"] });
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		match bob.request("POST", &format!("/deals/{deal}/task"), deal, Some(&spec)).await {
			Err(TaskError::Transport { .. })
				if inspect(&podman, &eve, deal, "{{.State.Status}}").is_some() =>
			{
				break
			},
			// Not listening yet, or the deal not taken up yet.
			Err(TaskError::Transport { .. }) => {
				assert!(Instant::now() < deadline, "the worker never took the start");
				tokio::time::sleep(Duration::from_millis(300)).await;
			},
			Err(TaskError::Refused { error, .. }) if error == "DealNotReady" => {
				assert!(Instant::now() < deadline, "the worker never took the deal up");
				tokio::time::sleep(Duration::from_millis(300)).await;
			},
			Err(other) => panic!("starting the task: {other}"),
			Ok(answer) => panic!("the worker should have died at the crash point: {answer}"),
		}
	}
	assert_eq!(worker.wait_for_death(), Some(libc::SIGKILL));
	assert_eq!(inspect(&podman, &eve, deal, "{{.State.Status}}").as_deref(), Some("created"));
	let restarted = Instant::now();
	let mut worker = eve.restart(&chain, &config, &[]);
	wait_for("the created task started", || {
		(inspect(&podman, &eve, deal, "{{.State.Status}}").as_deref() == Some("running"))
			.then_some(())
	});
	let resumed = restarted.elapsed();
	eprintln!("created task started {resumed:?} after the restart");
	let logs = wait_for("the task's output", || {
		let path = format!("/deals/{deal}/logs?from=0");
		let answer = block(bob.request("GET", &path, deal, None)).ok()?;
		(answer["text"] == "up\n").then_some(answer)
	});
	assert_eq!(logs["running"], true);

	// The worker dies between keeping a closed deal's output and removing its container.
	worker.kill_hard();
	let mut worker = eve.crashing_at(&chain, &config, "task-removing");
	chain.json(&["--from", "bob", "deals", "close", &deal.to_string()]);
	assert_eq!(worker.wait_for_death(), Some(libc::SIGKILL));
	assert!(started_at(&podman, &eve, deal).is_some(), "the container outlived the worker");
	let restarted = Instant::now();
	let _worker = eve.restart(&chain, &config, &[]);
	wait_for("the closed deal's container removed", || {
		started_at(&podman, &eve, deal).is_none().then_some(())
	});
	let removed = restarted.elapsed();
	eprintln!("closed deal's task removed {removed:?} after the restart");
	let kept = wait_for("the kept output", || {
		block(bob.request("GET", &format!("/deals/{deal}/logs?from=0"), deal, None)).ok()
	});
	assert_eq!(kept["text"], "up\n", "kept once");
	assert_eq!(kept["running"], false);
}

/// Faults stay inside their deal: Bob's task serves TCP on a published port while Charlie's
/// deal on the same worker runs a memory hog (killed, reported with exit code 137) and then a
/// fork bomb (held by the pids limit, then stopped); Bob's port answers throughout and the
/// worker stays healthy.
#[tokio::test(flavor = "multi_thread")]
async fn a_memory_hog_and_a_fork_bomb_in_one_deal_leave_another_serving() {
	let dave = Supplier::dev("dave");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let incoming = "[\"outbound\", \"incoming\"]";
	let (_podman, chain, worker, url, _) =
		plans_on_a_pulling_worker(podman, &dave, &["one", "two"], "", incoming);
	let mut deals = Vec::new();
	for customer in ["bob", "charlie"] {
		let terms = ["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"];
		let (deal, _) = chain.bid(customer, &terms);
		wait_for("the deal", || chain.deal(deal));
		deals.push(deal);
	}
	let (bobs, charlies) = (deals[0], deals[1]);
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let charlie = TaskClient::new(&url, Key::dev("charlie").unwrap());
	let serve = json!({
		"image": IMAGE,
		"ports": [8080],
		"command": ["sh", "-c", "while true; do echo hello | nc -l -p 8080; done"],
	});
	let served = start_when_ready(&bob, bobs, &serve).await;
	let port = served["task"]["ports"][0][1].as_u64().unwrap() as u16;
	let answers = || {
		use std::io::Read;
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
		stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
		let mut buffer = [0u8; 16];
		let read = stream.read(&mut buffer).ok().filter(|read| *read > 0)?;
		(String::from_utf8_lossy(&buffer[..read]).trim() == "hello").then_some(())
	};
	wait_for("Bob's port", answers);

	// The memory hog is killed for want of memory and reported so.
	let hog =
		json!({ "image": IMAGE, "command": ["sh", "-c", "x=a; while true; do x=$x$x; done"] });
	start_when_ready(&charlie, charlies, &hog).await;
	let status_path = format!("/deals/{charlies}/task");
	let killed = wait_for("the hog's end", || {
		let status = block(charlie.request("GET", &status_path, charlies, None)).ok()?;
		status["task"]["exit_code"].as_i64()
	});
	assert_eq!(killed, 137, "out of memory: killed");
	wait_for("Bob's port after the hog", answers);

	// The fork bomb is held by the pids limit.
	let stop_path = format!("/deals/{charlies}/stop");
	charlie.request("POST", &stop_path, charlies, Some(&json!({}))).await.unwrap();
	let bomb = json!({
		"image": IMAGE,
		"command": ["sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 1000"],
	});
	charlie.request("POST", &status_path, charlies, Some(&bomb)).await.unwrap();
	tokio::time::sleep(Duration::from_secs(3)).await;
	let pids =
		"cat /sys/fs/cgroup/pids/pids.current 2>/dev/null || cat /sys/fs/cgroup/pids.current";
	let exec = json!({ "command": ["sh", "-c", pids] });
	let exec_path = format!("/deals/{charlies}/exec");
	// Under a fork bomb even `exec` may find no process to spare; when it runs, it counts.
	if let Ok(answer) = charlie.request("POST", &exec_path, charlies, Some(&exec)).await {
		if let Ok(current) = answer["output"].as_str().unwrap_or_default().trim().parse::<u64>() {
			assert!(current <= 512, "the fork bomb has {current} processes");
		}
	}
	for _ in 0..3 {
		wait_for("Bob's port during the bomb", answers);
	}
	assert!(worker.http_get("/health").starts_with("HTTP/1.0 200"), "the worker is healthy");
	charlie.request("POST", &stop_path, charlies, Some(&json!({}))).await.unwrap();
	let status = charlie.request("GET", &status_path, charlies, None).await.unwrap();
	assert!(status["task"].is_null(), "the bomb is stopped and removed: {status}");
	wait_for("Bob's port after the bomb", answers);
}

/// A load run, not a test (`cargo test --workspace --test tasks -- --ignored --nocapture
/// worker_memory_with_ten_tasks`): the worker's resident memory idle, then with ten deals each
/// running a task. This machine has two cores, so the worker takes the 64-core fixture machine
/// for its inventory (`SONM_WORKER_INVENTORY_ROOT`) to sell ten one-core plans; the tasks run
/// here, each limited to one core and 64 MiB.
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn worker_memory_with_ten_tasks() {
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let chain = Chain::start();
	let control = free_port();
	let mut plans = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:{control}\"\nfree_images_from = \"anonymous\"\n",
		podman.socket.display(),
	);
	for plan in 0..10 {
		plans.push_str(&format!(
			"[[plans]]\nname = \"p{plan}\"\ncpu_cores = 1\nram = \"64 MiB\"\nprice = \"0.36 SNM/h\"\n\
			 duration = \"1h\"\nnetflags = [\"outbound\"]\n"
		));
	}
	let config = worker_config(&chain, "charlie", "//Charlie", "", &plans).replacen(
		"cpu_cores = 2\nram = \"1 GiB\"",
		"cpu_cores = 10\nram = \"1 GiB\"",
		1,
	);
	let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/box-64-core-4-gpu");
	let env = [(sonm_worker::inventory::INVENTORY_ROOT, fixture)];
	let worker = WorkerProcess::start_with(chain.dir.path(), "charlie", &config, &env);
	wait_for("the ten asks", || (chain.asks_of(CHARLIE).len() == 10).then_some(()));
	tokio::time::sleep(Duration::from_secs(30)).await;
	let idle = worker.resident_kib();

	let bob = TaskClient::new(&format!("http://127.0.0.1:{control}"), Key::dev("bob").unwrap());
	let mut deals = Vec::new();
	for _ in 0..10 {
		let (deal, _) = chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h"]);
		deals.push(deal);
	}
	let spec = json!({ "image": IMAGE, "command": ["sh", "-c", "echo up; sleep 100000"] });
	for &deal in &deals {
		wait_for("the deal", || chain.deal(deal));
		start_when_ready(&bob, deal, &spec).await;
	}
	let mut samples = Vec::new();
	for _ in 0..6 {
		tokio::time::sleep(Duration::from_secs(10)).await;
		samples.push(worker.resident_kib());
	}
	eprintln!(
		"worker resident memory: idle with ten asks {idle} KiB; with ten tasks running, every 10 s: {samples:?} KiB"
	);
	for &deal in &deals {
		bob.request("POST", &format!("/deals/{deal}/stop"), deal, Some(&json!({})))
			.await
			.unwrap();
	}
}

/// `sonm task exec`'s answer, read as the client reads the stream: its output and end.
async fn exec(
	client: &TaskClient,
	deal: u64,
	command: &str,
	timeout_secs: Option<u64>,
) -> Result<(String, ExecEnd), TaskError> {
	let mut output = String::new();
	let body = ExecBody { command: vec!["sh".into(), "-c".into(), command.into()], timeout_secs };
	let end = client.exec_with(deal, body, |piece| output.push_str(piece)).await?;
	Ok((output, end))
}

/// What one paying customer may take of the worker is bounded, each bound refused by name or
/// held, and accounts are told apart by their bytes (issue: the control plane and tasks
/// hardened). Each part failed before its fix:
/// - logs come in pages of at most 256 KiB whose cursors walk the whole output (before: the
///   whole output in one answer);
/// - an exec's output is streamed as it comes (before: collected until the command ended, so a
///   command that waits for a second exec to see its first line never ended);
/// - an exec is stopped at its time limit and at its output limit, its processes killed
///   (before: neither limit); more time than the worker gives is refused; a fifth exec of a
///   deal at once is `TooManyExecs` (before: unbounded);
/// - more ports than a deal may publish is `TooManyPorts` and a `:` in a volume path is
///   `BadTask` (before: any number, and the `:` slipped mount options into the bind);
/// - the customer's account spelt with another SS58 prefix is the customer, and its nonce the
///   same nonce (before: compared as text, refused as `NotAllowed`).
#[tokio::test(flavor = "multi_thread")]
async fn a_customers_requests_are_bounded_and_its_account_compared_by_bytes() {
	let alice = Supplier::dev("alice");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let bounds = "exec_timeout = \"20s\"\nexec_output_max = \"64 KiB\"\nports_per_deal = 2\n";
	let flags = "[\"outbound\", \"incoming\"]";
	let (_podman, chain, _worker, url, _) =
		plans_on_a_pulling_worker(podman, &alice, &["one"], bounds, flags);
	let terms = ["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"];
	let (deal, _) = chain.bid("bob", &terms);
	wait_for("the deal", || chain.deal(deal));
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());

	// Ports and volume paths.
	let too_many = json!({ "image": IMAGE, "command": ["sleep", "9"], "ports": [80, 81, 82] });
	assert_eq!(refusal(start_once_ready(&bob, deal, &too_many).await), "TooManyPorts");
	let options = json!({ "image": IMAGE, "command": ["sleep", "9"], "volume": "/data:exec" });
	assert_eq!(refusal(start_once_ready(&bob, deal, &options).await), "BadTask");

	// A task that writes about 1.1 MB of output, then waits.
	let script = "i=0; while [ $i -lt 12000 ]; do echo \"line $i \
		xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; \
		i=$((i+1)); done; sleep 3600";
	start_when_ready(&bob, deal, &json!({ "image": IMAGE, "command": ["sh", "-c", script] })).await;
	let expected: String = (0..12_000).map(|i| format!("line {i} {}\n", "x".repeat(80))).collect();
	let last = LogWindow { tail: Some(1), ..LogWindow::default() };
	let deadline = Instant::now() + Duration::from_secs(120);
	while !bob.logs(deal, last).await.unwrap().text.starts_with("line 11999 ") {
		assert!(Instant::now() < deadline, "the task never wrote its last line");
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
	let (mut cursor, mut whole, mut pages) = (0, String::new(), 0);
	loop {
		let page = bob
			.logs(deal, LogWindow { from: cursor, ..LogWindow::default() })
			.await
			.unwrap();
		assert!(page.text.len() <= LOG_PAGE_BYTES, "a page of {} bytes", page.text.len());
		whole.push_str(&page.text);
		pages += 1;
		cursor = page.next;
		if !page.more {
			break;
		}
	}
	assert_eq!(whole.len(), expected.len());
	assert!(whole == expected, "the pages do not make the output");
	eprintln!("{} bytes of output read in {pages} pages", whole.len());

	// Streamed: the first exec prints, waits for a file the second makes, then ends.
	let second = TaskClient::new(&url, Key::dev("bob").unwrap());
	let (first_line, mut first_line_seen) = tokio::sync::mpsc::unbounded_channel();
	let maker = tokio::spawn(async move {
		first_line_seen.recv().await?;
		Some(
			exec(&second, deal, "touch /dev/shm/go", None)
				.await
				.expect("the second exec runs"),
		)
	});
	let mut output = String::new();
	let waiting = "echo waiting; while [ ! -f /dev/shm/go ]; do sleep 0.1; done; echo done";
	let body = ExecBody {
		command: vec!["sh".into(), "-c".into(), waiting.into()],
		timeout_secs: Some(15),
	};
	let end = bob
		.exec_with(deal, body, |piece| {
			output.push_str(piece);
			if output.contains("waiting") {
				let _ = first_line.send(());
			}
		})
		.await
		.unwrap();
	let made = maker.await.unwrap();
	assert_eq!(made.as_ref().map(|(_, end)| end.exit_code), Some(Some(0)), "{made:?}");
	assert_eq!(
		(output.as_str(), end.exit_code, end.timed_out),
		("waiting\ndone\n", Some(0), false)
	);

	// The time limit: stopped and killed; asking for more than the worker gives is refused.
	let (output, end) = exec(&bob, deal, "echo started; sleep 600", Some(2)).await.unwrap();
	assert_eq!((output.as_str(), end.exit_code, end.timed_out), ("started\n", None, true));
	let (processes, _) = exec(&bob, deal, "ps", None).await.unwrap();
	assert!(!processes.contains("sleep 600"), "the timed-out exec still runs:\n{processes}");
	let asked_too_much = exec(&bob, deal, "true", Some(21)).await;
	assert!(
		matches!(asked_too_much, Err(TaskError::Refused { ref error, .. }) if error == "BadExec")
	);

	// The output limit: 64 KiB sent, then stopped and killed.
	let flood = "while true; do echo 0123456789abcdef0123456789abcdef0123456789abcdef; done";
	let (output, end) = exec(&bob, deal, flood, None).await.unwrap();
	assert_eq!((end.output_bytes, output.len(), end.truncated), (64 << 10, 64 << 10, true));
	assert_eq!(end.exit_code, None);
	let (processes, _) = exec(&bob, deal, "ps", None).await.unwrap();
	assert!(!processes.contains("abcdef"), "the flooding exec still runs:\n{processes}");

	// Four execs of the deal at once; a fifth is refused until one ends.
	let (up, mut ups) = tokio::sync::mpsc::unbounded_channel();
	let mut holders = Vec::new();
	for _ in 0..4 {
		let (client, up) = (TaskClient::new(&url, Key::dev("bob").unwrap()), up.clone());
		holders.push(tokio::spawn(async move {
			let body = ExecBody {
				command: vec!["sh".into(), "-c".into(), "echo up; sleep 600".into()],
				timeout_secs: Some(10),
			};
			client
				.exec_with(deal, body, |_| {
					let _ = up.send(());
				})
				.await
				.unwrap()
		}));
	}
	for _ in 0..4 {
		ups.recv().await.expect("each exec prints");
	}
	let fifth = exec(&bob, deal, "true", None).await;
	assert!(
		matches!(fifth, Err(TaskError::Refused { ref error, status: 429, .. }) if error == "TooManyExecs")
	);
	for holder in holders {
		assert!(holder.await.unwrap().timed_out);
	}
	assert_eq!(exec(&bob, deal, "true", None).await.unwrap().1.exit_code, Some(0));

	// Bob's account spelt with the Polkadot prefix is Bob, and its nonce is Bob's nonce.
	use sp_runtime::app_crypto::{sp_core::crypto::Ss58AddressFormat, Ss58Codec};
	let respelt = sp_runtime::AccountId32::new(bob.key().account_id().0)
		.to_ss58check_with_version(Ss58AddressFormat::custom(0));
	assert_ne!(respelt, bob.key().address());
	let path = format!("/deals/{deal}/task");
	let signed = SignedRequest { account: respelt, ..bob.sign("GET", &path, deal, b"") };
	let status = bob.send(&signed, Vec::new()).await.expect("Bob in another spelling");
	assert_eq!(status["task"]["status"], "running");
	let original = SignedRequest { account: bob.key().address(), ..signed };
	assert_eq!(refusal(bob.send(&original, Vec::new()).await), "Replayed");
}

/// What a hostile client costs the others (issue: the control plane hardened), measured with
/// the figures printed: for 20 s one address holds 300 half-sent request heads (slowloris,
/// reconnecting whenever the worker cuts one off) and another floods the control plane with
/// junk: requests signed by fresh strangers' keys for the victim's deal, forged signatures and
/// 400 KiB nonces. Meanwhile the victim (Bob) reads his task's status from a third address and
/// his task's published port is probed. Every one of Bob's requests and probes must be
/// answered, and his deal must go on being billed each period; the latencies and counts are
/// what docs/MEASUREMENTS.md records.
#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_client_leaves_other_deals_tasks_and_billing_unharmed() {
	use std::sync::{
		atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
		Arc,
	};
	use tokio::io::AsyncWriteExt;
	let eve = Supplier::dev("eve");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let flags = "[\"outbound\", \"incoming\"]";
	let (_podman, chain, _worker, url, _) =
		plans_on_a_pulling_worker(podman, &eve, &["one"], "", flags);
	let terms = ["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"];
	let (deal, _) = chain.bid("bob", &terms);
	wait_for("the deal", || chain.deal(deal));
	let bob = TaskClient::new(&url, Key::dev("bob").unwrap());
	let serving = "while true; do echo hello | nc -l -p 8080; done";
	let task = json!({ "image": IMAGE, "command": ["sh", "-c", serving], "ports": [8080] });
	let started = start_when_ready(&bob, deal, &task).await;
	let port = started["task"]["ports"][0][1].as_u64().unwrap() as u16;
	let probe = move || {
		use std::io::Read;
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
		stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
		let mut buffer = [0u8; 16];
		let read = stream.read(&mut buffer).ok().filter(|read| *read > 0)?;
		(String::from_utf8_lossy(&buffer[..read]).trim() == "hello").then_some(())
	};
	wait_for("the task's port", probe);
	let billed = |deal: &Value| deal["billedUntil"].as_u64().expect("billedUntil");
	let billed_before = billed(&chain.deal(deal).unwrap());

	let control = url.trim_start_matches("http://").to_owned();
	let stop = Arc::new(AtomicBool::new(false));
	let (heads_opened, junk_sent, junk_refused) =
		(Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
	let mut attackers = Vec::new();
	// Slowloris from 127.0.0.1: 300 connections, each reopened when the worker cuts it off.
	for _ in 0..300 {
		let (control, stop, opened) = (control.clone(), stop.clone(), heads_opened.clone());
		attackers.push(tokio::spawn(async move {
			while !stop.load(Relaxed) {
				let Ok(mut stream) = tokio::net::TcpStream::connect(&control).await else {
					tokio::time::sleep(Duration::from_millis(100)).await;
					continue;
				};
				opened.fetch_add(1, Relaxed);
				let _ =
					stream.write_all(b"GET /deals/1/task HTTP/1.1\r\nHost: w\r\nX-Slow: ").await;
				// Held until the worker closes it (or the attack ends).
				let mut buffer = [0u8; 64];
				let _ = tokio::time::timeout(Duration::from_secs(30), async {
					use tokio::io::AsyncReadExt;
					while stream.read(&mut buffer).await.is_ok_and(|read| read > 0) {}
				})
				.await;
			}
		}));
	}
	// Signed junk from 127.0.0.3.
	let junk_http = reqwest::Client::builder()
		.local_address(Some("127.0.0.3".parse().unwrap()))
		.build()
		.unwrap();
	for flooder in 0..8 {
		let (url, stop, http) = (url.clone(), stop.clone(), junk_http.clone());
		let (sent, refused) = (junk_sent.clone(), junk_refused.clone());
		attackers.push(tokio::spawn(async move {
			let path = format!("/deals/{deal}/task");
			let mut round = 0u64;
			while !stop.load(Relaxed) {
				round += 1;
				let stranger = Key::generate().0;
				let nonce = if (round + flooder) % 3 == 2 {
					"n".repeat(400 << 10)
				} else {
					format!("junk-{flooder}-{round}")
				};
				let mut signed = SignedRequest::sign(
					&stranger,
					"GET",
					&path,
					deal,
					b"",
					sonm_client::task_auth::unix_now(),
					&nonce,
				);
				if (round + flooder) % 3 == 1 {
					signed.account = Key::dev("bob").unwrap().address();
				}
				let sent_request = http
					.get(format!("{url}{path}"))
					.header("x-sonm-account", &signed.account)
					.header("x-sonm-timestamp", signed.timestamp.to_string())
					.header("x-sonm-nonce", &signed.nonce)
					.header("x-sonm-body-sha256", &signed.body_sha256)
					.header("x-sonm-signature", &signed.signature)
					.send()
					.await;
				sent.fetch_add(1, Relaxed);
				if !sent_request.is_ok_and(|response| response.status().is_success()) {
					refused.fetch_add(1, Relaxed);
				}
			}
		}));
	}

	// Bob, from 127.0.0.2, and the probes of his task's port, for 20 s.
	let from_bob = reqwest::Client::builder()
		.local_address(Some("127.0.0.2".parse().unwrap()))
		.build()
		.unwrap();
	let bob_http = TaskClient::with_http(&url, Key::dev("bob").unwrap(), from_bob);
	let attack = Instant::now();
	let (mut latencies, mut probes) = (Vec::new(), 0);
	while attack.elapsed() < Duration::from_secs(20) {
		let asked = Instant::now();
		let status = bob_http
			.status(deal)
			.await
			.expect("Bob's request is answered during the attack");
		latencies.push(asked.elapsed());
		assert_eq!(status.task.expect("the task").status, "running");
		tokio::task::block_in_place(probe).expect("the task's port answers during the attack");
		probes += 1;
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let billed_during = billed(&chain.deal(deal).unwrap());
	stop.store(true, Relaxed);
	for attacker in attackers {
		attacker.abort();
	}
	latencies.sort();
	let at = |share: f64| latencies[((latencies.len() - 1) as f64 * share) as usize];
	let (sent, refused) = (junk_sent.load(Relaxed), junk_refused.load(Relaxed));
	eprintln!(
		"hostile load, 20 s: {} slow heads opened, {sent} junk requests ({:.0}/s, {refused} refused); \
		 Bob: {} status requests, p50 {:?}, p99 {:?}, max {:?}; {probes} port probes answered; \
		 billed {} s of the deal during the attack",
		heads_opened.load(Relaxed),
		sent as f64 / 20.0,
		latencies.len(),
		at(0.5),
		at(0.99),
		latencies.last().unwrap(),
		billed_during - billed_before,
	);
	assert_eq!(sent, refused, "a junk request was served");
	// The worker bills every 6 s: at least two bills in 20 s.
	assert!(
		billed_during >= billed_before + 12,
		"billing stalled: {billed_before} -> {billed_during}"
	);
}

/// A worker reached by its peer id (issue: workers behind NAT): with `tasks.p2p_listen` the
/// worker runs a libp2p host whose identity is kept in its database and publishes
/// `/ip4/.../tcp/.../p2p/<peer id>` as its endpoint record; `sonm task` finds that address from
/// the deal and carries every request over a libp2p stream: start, status, logs, exec (its
/// output streamed), stop. The same service checks them: another account is `NotAllowed` and a
/// replayed request `Replayed`, as over HTTP. After `kill -9` and a restart the peer id, and so
/// the record, stay the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_customer_reaches_the_worker_over_libp2p_by_its_peer_id() {
	let ferdie = Supplier::dev("ferdie");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let p2p = "p2p_listen = [\"/ip4/127.0.0.1/tcp/0\"]\n";
	let flags = "[\"outbound\", \"incoming\"]";
	let (_podman, chain, mut worker, _url, config) =
		plans_on_a_pulling_worker(podman, &ferdie, &["one"], p2p, flags);
	let endpoint = wait_for("the libp2p endpoint record", || {
		let shown = chain.try_json(&["worker", "endpoint", "show", &ferdie.address])?;
		let endpoint = shown["endpoint"].as_str()?.to_owned();
		endpoint.starts_with("/ip4/127.0.0.1/tcp/").then_some(endpoint)
	});
	assert!(endpoint.contains("/p2p/12D3KooW"), "{endpoint}");
	let terms = ["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"];
	let (deal, _) = chain.bid("bob", &terms);
	wait_for("the deal", || chain.deal(deal));
	let deal_text = deal.to_string();
	// `sonm --from FROM task SUBCOMMAND --deal N REST...`
	let sonm_task = |from: &str, args: &[&str]| {
		let mut all = vec!["--from", from, "task", args[0], "--deal", &deal_text];
		all.extend_from_slice(&args[1..]);
		chain.try_json(&all)
	};
	// The CLI finds the worker by the deal's supplier and dials its peer id.
	let serve = "echo over libp2p; nc -ll -p 8080 -e rev";
	let started = wait_for("the start over libp2p", || {
		sonm_task("bob", &["start", "--image", IMAGE, "-p", "8080", "--", "sh", "-c", serve])
	});
	assert_eq!(started["task"]["status"], "running");
	let logs = wait_for("the task's line", || {
		let logs = sonm_task("bob", &["logs"])?;
		logs["text"].as_str()?.contains("over libp2p").then_some(logs)
	});
	assert_eq!(logs["text"], "over libp2p\n");
	let exec =
		sonm_task("bob", &["exec", "--", "sh", "-c", "echo streamed; exit 3"]).expect("exec");
	assert_eq!((exec["output"].as_str(), exec["exitCode"].as_i64()), (Some("streamed\n"), Some(3)));
	assert!(sonm_task("dave", &["status"]).is_none(), "Dave takes no part in the deal");
	// The worker's metrics count the customers' direct connections.
	wait_for("the libp2p connections in the metrics", || {
		let metrics = worker.http_get("/metrics");
		let line = metrics
			.lines()
			.find(|line| line.starts_with("sonm_worker_p2p_connections_direct "))?;
		(line.split(' ').nth(1)?.parse::<u64>().ok()? > 0).then_some(())
	});

	// `sonm task forward`: a local port carried to the task's port 8080 over a stream; bytes
	// go both ways (the task answers each line reversed).
	let (forward, local) = support::task_forward(&chain, "bob", &deal_text, "0:8080");
	for line in ["hello", "a line through the relay of streams"] {
		use std::io::{BufRead, Write};
		let mut connection = std::net::TcpStream::connect(&local).unwrap();
		connection.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
		writeln!(connection, "{line}").unwrap();
		// `rev` answers once its input ends: the half-close travels over the stream too.
		connection.shutdown(std::net::Shutdown::Write).unwrap();
		let mut answer = String::new();
		std::io::BufReader::new(&connection).read_line(&mut answer).unwrap();
		assert_eq!(answer.trim_end(), line.chars().rev().collect::<String>());
	}
	drop(forward);

	// The same refusals as over HTTP, through the library's transport.
	let host = sonm_p2p::Host::start(sonm_p2p::Keypair::generate_ed25519(), &[]).await.unwrap();
	let address: sonm_p2p::Multiaddr = endpoint.parse().unwrap();
	let over = |name: &str| {
		let transport = sonm_p2p::task::P2pTransport::new(host.clone(), address.clone());
		TaskClient::over(std::sync::Arc::new(transport), Key::dev(name).unwrap())
	};
	let (bob, dave) = (over("bob"), over("dave"));
	let path = format!("/deals/{deal}/task");
	assert_eq!(refusal(dave.request("GET", &path, deal, None).await), "NotAllowed");
	let once = bob.sign("GET", &path, deal, b"");
	assert_eq!(bob.send(&once, Vec::new()).await.unwrap()["task"]["status"], "running");
	assert_eq!(refusal(bob.send(&once, Vec::new()).await), "Replayed");
	// A forward is checked like any request: a stranger, an unpublished port.
	let pair = || async {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let address = listener.local_addr().unwrap();
		let (connection, _) =
			tokio::join!(tokio::net::TcpStream::connect(address), listener.accept());
		connection.unwrap()
	};
	let refused = |result: Result<(u64, u64), sonm_p2p::forward::ForwardError>| match result {
		Err(sonm_p2p::forward::ForwardError::Refused(refusal)) => refusal.error,
		other => panic!("expected a refusal, got {other:?}"),
	};
	let to_8080 = sonm_client::task_protocol::routes::forward_path(deal, 8080);
	let signed = dave.sign(sonm_p2p::forward::METHOD, &to_8080, deal, b"");
	let by_dave = sonm_p2p::forward::connect(&host, &address, &signed, pair().await).await;
	assert_eq!(refused(by_dave), "NotAllowed");
	let to_9999 = sonm_client::task_protocol::routes::forward_path(deal, 9999);
	let signed = bob.sign(sonm_p2p::forward::METHOD, &to_9999, deal, b"");
	let unpublished = sonm_p2p::forward::connect(&host, &address, &signed, pair().await).await;
	assert_eq!(refused(unpublished), "NotPublished");
	let stopped = bob.stop(deal).await.unwrap();
	assert!(stopped.stopped);

	// A signed bid over libp2p: `sonm deals request` dials the peer the supplier's record
	// names, and the worker opens the deal on its plan's new ask in one extrinsic.
	chain.json(&["--from", "bob", "deals", "close", &deal_text]);
	let ask = wait_for("the plan's ask again", || {
		chain.asks_of(&ferdie.address).first().and_then(|ask| ask["id"].as_u64())
	});
	let request = [
		&["--from", "bob", "deals", "request", "--supplier", &ferdie.address, "--side", "bid"][..],
		&terms[..],
	]
	.concat();
	// Until the worker has recorded its new ask it answers `NoMatchingAsk`, which costs nothing.
	let answer = wait_for("a deal from a signed bid over libp2p", || chain.try_json(&request));
	assert_eq!(answer["ask"], ask);
	let signed_deal = answer["deal"].as_u64().expect("a deal id");
	assert_eq!(
		chain.deal(signed_deal).expect("open")["consumer"],
		Key::dev("bob").unwrap().address()
	);

	// The identity is kept: the same peer id after kill -9.
	worker.kill_hard();
	let _worker = ferdie.restart(&chain, &config, &[]);
	let again = wait_for("the endpoint after the restart", || {
		let log = std::fs::read_to_string(chain.dir.path().join("ferdie.log")).ok()?;
		let published = log.lines().filter(|line| line.contains("over libp2p")).nth(1)?.to_owned();
		Some(published)
	});
	let peer = endpoint.rsplit('/').next().unwrap();
	assert!(again.contains(peer), "a new peer id after the restart: {again}");
}

/// A worker with `tasks.p2p_relays` keeps a reservation on the relay and publishes its address
/// through it (`…/p2p/<relay>/p2p-circuit/p2p/<worker>`); the CLI reaches it by that record.
/// (On loopback both ends are reachable, so a direct path may follow; the NAT tests in
/// `p2p/tests/nat.rs` take the relay's part where nothing else gets through.)
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_with_relays_is_published_and_reached_through_a_relay() {
	use sonm_p2p::host::{HostConfig, RelayLimits};
	let relay_config = HostConfig {
		listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
		relay: Some(RelayLimits::default()),
		..Default::default()
	};
	let relay = sonm_p2p::Host::start_with(sonm_p2p::Keypair::generate_ed25519(), &relay_config)
		.await
		.unwrap();
	let relay_address = relay.listen_addresses(1).await.unwrap().remove(0);
	let eve = Supplier::dev("eve");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let p2p =
		format!("p2p_listen = [\"/ip4/127.0.0.1/tcp/0\"]\np2p_relays = [\"{relay_address}\"]\n");
	let (_podman, chain, _worker, _url, _) =
		plans_on_a_pulling_worker(podman, &eve, &["one"], &p2p, OUTBOUND);
	let endpoint = wait_for("the relayed endpoint record", || {
		let shown = chain.try_json(&["worker", "endpoint", "show", &eve.address])?;
		let endpoint = shown["endpoint"].as_str()?.to_owned();
		endpoint.contains("/p2p-circuit/").then_some(endpoint)
	});
	assert!(endpoint.starts_with(&relay_address.to_string()), "{endpoint}");
	let (deal, _) = chain.bid("bob", &["--price", "0.4 SNM/h", "--duration", "1h"]);
	wait_for("the deal", || chain.deal(deal));
	let deal_text = deal.to_string();
	let started = wait_for("the start through the relay's record", || {
		chain.try_json(&[
			"--from", "bob", "task", "start", "--deal", &deal_text, "--image", IMAGE, "--",
			"sleep", "3600",
		])
	});
	assert_eq!(started["task"]["status"], "running");
	assert!(relay.stats().circuits_relayed.load(std::sync::atomic::Ordering::Relaxed) >= 1);
}

/// Relaying is bought with an ordinary deal (issue: workers behind NAT): Eve's worker sells a
/// plan tagged `relay` and serves as a relay; Ferdie's worker bids for it, and once the deal is
/// open it names its peer to Eve's worker (a signed relay request over libp2p), holds a
/// reservation on Eve's relay and publishes its address through it. A peer that bought nothing
/// is refused a reservation; a customer reaches Ferdie's worker through Eve's relay.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_buys_relaying_with_a_deal_and_is_published_through_its_seller() {
	let eve = Supplier::dev("eve");
	let ferdie = Supplier::dev("ferdie");
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let relay_plan = "p2p_listen = [\"/ip4/127.0.0.1/tcp/0\"]\np2p_relay_server = true\n\
		 [[plans]]\nname = \"relaying\"\ntag = \"relay\"\ncpu_cores = 1\nram = \"64 MiB\"\n\
		 price = \"0.05 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\"]\n";
	let (podman, chain, eve_worker, _url, _) =
		plans_on_a_pulling_worker(podman, &eve, &[], relay_plan, OUTBOUND);
	wait_for("the relaying ask", || (chain.asks_of(&eve.address).len() == 1).then_some(()));
	let relay_endpoint = wait_for("the relay's endpoint record", || {
		let shown = chain.try_json(&["worker", "endpoint", "show", &eve.address])?;
		shown["endpoint"].as_str().map(str::to_owned)
	});
	// Ferdie's worker: behind NAT in spirit (no relays configured), selling a plan of its own.
	// Its HTTP control plane on any free port: customers reach it over libp2p.
	let buyer_plans = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:0\"\n\
		 p2p_listen = [\"/ip4/127.0.0.1/tcp/0\"]\n[[plans]]\nname = \"one\"\ncpu_cores = 1\n\
		 ram = \"64 MiB\"\nprice = \"0.36 SNM/h\"\nduration = \"1h\"\nnetflags = {OUTBOUND}\n",
		podman.socket.display()
	);
	let config = worker_config(&chain, ferdie.name, "//Ferdie", "", &buyer_plans);
	let _ferdie_worker = WorkerProcess::start(chain.dir.path(), ferdie.name, &config);
	// Ferdie buys an hour of relaying: Eve's worker matches the bid.
	let (deal, _) = chain.bid("ferdie", &["--price", "0.1 SNM/h", "--duration", "1h"]);
	wait_for("the relay deal", || chain.deal(deal));
	let published = wait_for("Ferdie's address through Eve's relay", || {
		let shown = chain.try_json(&["worker", "endpoint", "show", &ferdie.address])?;
		let endpoint = shown["endpoint"].as_str()?.to_owned();
		endpoint
			.starts_with(&format!("{relay_endpoint}/p2p-circuit/"))
			.then_some(endpoint)
	});

	// A peer that bought nothing is refused a reservation.
	let stranger_config = sonm_p2p::host::HostConfig {
		reserve_on: vec![relay_endpoint.parse().unwrap()],
		..Default::default()
	};
	let stranger =
		sonm_p2p::Host::start_with(sonm_p2p::Keypair::generate_ed25519(), &stranger_config)
			.await
			.unwrap();
	let refused =
		|| stranger.stats().reservations_failed.load(std::sync::atomic::Ordering::Relaxed);
	wait_for("the stranger's reservation refused", || (refused() >= 1).then_some(()));
	assert_eq!(stranger.stats().reservations.load(std::sync::atomic::Ordering::Relaxed), 0);

	// A customer reaches Ferdie's worker at the published address, through Eve's relay: the
	// worker's own answer (the relay deal is served by Eve, not Ferdie) comes back.
	let customer = sonm_p2p::Host::start(sonm_p2p::Keypair::generate_ed25519(), &[]).await.unwrap();
	let transport = sonm_p2p::task::P2pTransport::new(customer, published.parse().unwrap());
	let bob = TaskClient::over(std::sync::Arc::new(transport), Key::dev("bob").unwrap());
	let answer = bob.status(deal).await;
	assert_eq!(
		refusal(answer.map(|answer| serde_json::to_value(answer).unwrap())),
		"NotThisWorker"
	);
	wait_for("a circuit in the relay's metrics", || {
		let metrics = eve_worker.http_get("/metrics");
		let line = metrics
			.lines()
			.find(|line| line.starts_with("sonm_worker_p2p_circuits_relayed "))?;
		(line.split(' ').nth(1)?.parse::<u64>().ok()? > 0).then_some(())
	});
}
