//! Workers behind NAT, end to end: a test network of network namespaces
//! (`sonm_test_support::netns::NatNetwork`, built and torn down by the test; nothing in it
//! reaches outside the machine) with a real `sonm-node --dev`, Eve's relay worker and Bob, the
//! customer, on its public switch, and real `sonm-worker`s behind NAT routers, each with a
//! podman service of its own in its namespace. Each worker buys an hour of Eve's relaying with
//! an ordinary deal and is published through her relay. Bob finds the worker by its account
//! with the `sonm` CLI, starts a task, follows its logs and moves data both ways through
//! `sonm task forward`.
//!
//! - Behind a port-restricted and an address-restricted cone: the relay carries the first
//!   requests and a punched direct path follows (the worker's metrics say so); Eve's relay is
//!   killed while a forwarded connection is mid-stream, and the stream carries on.
//! - Worker and customer both behind symmetric NATs: no direct path is made and the bought
//!   relay carries everything.

mod support;

use sonm_client::Key;
use sonm_test_support::netns::{within, Nat, NatNetwork};
use std::{
	io::{BufRead, BufReader, Read, Write},
	net::TcpStream,
	process::Stdio,
	sync::mpsc::Receiver,
};
use support::{wait_for, worker_config, Chain, KilledOnDrop, Podman, WorkerProcess, PATIENCE};

const IMAGE: &str = "localhost/sonm-test-busybox:1";

/// Where the node, Eve's relay and a public customer are on the public switch.
const CHAIN_ADDRESS: &str = "203.0.113.30";
const RELAY_ADDRESS: &str = "203.0.113.10";
const CUSTOMER_ADDRESS: &str = "203.0.113.20";

/// The task Bob runs: a line at start, a line a second (what a follower reads as it comes),
/// and each connection to port 8080 answered with its input reversed.
const SERVE: &str = "echo started; (while sleep 1; do echo tick; done) & nc -ll -p 8080 -e rev";

/// The market on a test network: the node, and Eve's worker selling relaying (two plans: two
/// buyers at once) on QUIC and TCP.
struct Market {
	chain: Chain,
	relay: WorkerProcess,
	/// Eve's libp2p address, as her endpoint record has it.
	relay_endpoint: String,
	_relay_podman: Podman,
	/// The namespace Bob's `sonm` runs in.
	customer: String,
}

/// An ask for an hour of relaying, tagged `tag`.
fn relay_plan(tag: &str) -> String {
	format!(
		"[[plans]]\nname = \"{tag}\"\ntag = \"{tag}\"\ncpu_cores = 1\nram = \"64 MiB\"\n\
		 price = \"0.05 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\"]\n"
	)
}

/// `account`'s endpoint record.
fn endpoint_of(chain: &Chain, account: &str) -> Option<String> {
	let shown = chain.try_json(&["worker", "endpoint", "show", account])?;
	shown["endpoint"].as_str().map(str::to_owned)
}

/// The node and Eve's relay on `network`'s public switch; Bob there too, or behind a router
/// of kind `customer_nat`.
fn market(network: &mut NatNetwork, customer_nat: Option<Nat>) -> Market {
	let chain_ns = network.public_host("chain", CHAIN_ADDRESS);
	let relay_ns = network.public_host("relay", RELAY_ADDRESS);
	let customer = match customer_nat {
		Some(nat) => network.behind_nat(3, nat),
		None => network.public_host("cust", CUSTOMER_ADDRESS),
	};
	let chain = Chain::start_in(&chain_ns, CHAIN_ADDRESS, &customer);
	let podman = Podman::start_in(&relay_ns);
	let plans = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:0\"\n\
		 p2p_listen = [\"/ip4/{RELAY_ADDRESS}/udp/4001/quic-v1\", \"/ip4/{RELAY_ADDRESS}/tcp/4001\"]\n\
		 p2p_relay_server = true\n{}{}",
		podman.socket.display(),
		relay_plan("relay"),
		relay_plan("relay-2"),
	);
	let config = worker_config(&chain, "eve", "//Eve", "", &plans);
	let relay = WorkerProcess::start_in(chain.dir.path(), "eve", &config, &relay_ns);
	let eve = Key::dev("eve").unwrap().address();
	wait_for("Eve's relaying asks", || (chain.asks_of(&eve).len() == 2).then_some(()));
	let relay_endpoint = wait_for("Eve's endpoint record", || {
		endpoint_of(&chain, &eve).filter(|endpoint| endpoint.contains(RELAY_ADDRESS))
	});
	Market { chain, relay, relay_endpoint, _relay_podman: podman, customer }
}

/// A worker behind a NAT router, published through Eve's relay.
struct NatWorker {
	name: &'static str,
	address: String,
	worker: WorkerProcess,
	_podman: Podman,
}

/// `name`'s worker behind router `index` of kind `nat`, selling one plan (one core, 64 MiB,
/// incoming and outbound connections), once it has bought relaying from Eve and published its
/// address through her relay.
fn worker_behind(
	network: &mut NatNetwork,
	market: &Market,
	index: u8,
	nat: Nat,
	name: &'static str,
) -> NatWorker {
	let chain = &market.chain;
	let ns = network.behind_nat(index, nat);
	let podman = Podman::start_in(&ns);
	podman.import_busybox(IMAGE);
	let lan = format!("192.168.{index}.2");
	let plans = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:0\"\nfree_images_from = \"anonymous\"\n\
		 p2p_listen = [\"/ip4/{lan}/udp/0/quic-v1\", \"/ip4/{lan}/tcp/0\"]\n\
		 [[plans]]\nname = \"one\"\ncpu_cores = 1\nram = \"64 MiB\"\nprice = \"0.36 SNM/h\"\n\
		 duration = \"1h\"\nnetflags = [\"outbound\", \"incoming\"]\n",
		podman.socket.display()
	);
	let uri = format!("//{}{}", name[..1].to_uppercase(), &name[1..]);
	let config = worker_config(chain, name, &uri, "", &plans);
	let worker = WorkerProcess::start_in(chain.dir.path(), name, &config, &ns);
	let address = Key::dev(name).unwrap().address();
	wait_for("the worker's ask", || (chain.asks_of(&address).len() == 1).then_some(()));
	let eve = Key::dev("eve").unwrap().address();
	let relay_terms = ["--price", "0.1 SNM/h", "--duration", "1h", "--counterparty", &eve];
	let (deal, _) = chain.bid(name, &relay_terms);
	wait_for("the relay deal", || chain.deal(deal));
	let through_eve = format!("{}/p2p-circuit/", market.relay_endpoint);
	wait_for("the worker's address through Eve's relay", || {
		endpoint_of(chain, &address).filter(|endpoint| endpoint.starts_with(&through_eve))
	});
	NatWorker { name, address, worker, _podman: podman }
}

/// The lines `reader` prints, as they come.
fn lines_of(reader: impl Read + Send + 'static) -> Receiver<String> {
	let (sender, receiver) = std::sync::mpsc::channel();
	std::thread::spawn(move || {
		for line in BufReader::new(reader).lines().map_while(Result::ok) {
			if sender.send(line).is_err() {
				return;
			}
		}
	});
	receiver
}

/// What Bob has running on a worker: `sonm task forward` to its port 8080, where it listens
/// (in Bob's namespace).
struct Forwarded {
	_forward: KilledOnDrop,
	local: String,
}

/// Bob buys `worker`'s plan, starts the task with `sonm task start` (the CLI finds the worker by
/// its endpoint record: through Eve's relay), follows its logs live (`sonm task logs
/// --follow`: the lines written after it began), and forwards a local port to the task's 8080.
fn bob_runs_a_task(market: &Market, worker: &NatWorker) -> Forwarded {
	let chain = &market.chain;
	let terms = ["--price", "0.4 SNM/h", "--duration", "1h", "--incoming", "--outbound"];
	let (deal, _) = chain.bid("bob", &[&terms[..], &["--counterparty", &worker.address]].concat());
	wait_for("Bob's deal", || chain.deal(deal));
	let deal = deal.to_string();
	let started = wait_for("the start through the relay", || {
		chain.try_json(&[
			"--from", "bob", "task", "start", "--deal", &deal, "--image", IMAGE, "-p", "8080",
			"--", "sh", "-c", SERVE,
		])
	});
	assert_eq!(started["task"]["status"], "running", "{}: {started}", worker.name);

	let mut follower = chain
		.sonm_command(&["--from", "bob", "task", "logs", "--deal", &deal, "--follow"])
		.stdout(Stdio::piped())
		.spawn()
		.expect("sonm task logs --follow starts");
	let followed = lines_of(follower.stdout.take().unwrap());
	let _follower = KilledOnDrop(follower);
	let next = || followed.recv_timeout(PATIENCE).expect("the follower went quiet");
	while next() != "started" {}
	for _ in 0..2 {
		while next() != "tick" {}
	}

	let (forward, local) = support::task_forward(chain, "bob", &deal, "0:8080");
	Forwarded { _forward: forward, local }
}

/// `bytes` letters, not all alike.
fn line_of(bytes: usize) -> Vec<u8> {
	(0..bytes).map(|i| b'a' + (i * 7 % 26) as u8).collect()
}

/// A connection to Bob's forwarded port, opened in Bob's namespace.
fn connect(market: &Market, forwarded: &Forwarded) -> TcpStream {
	let connection = within(&market.customer, || TcpStream::connect(&forwarded.local))
		.expect("the forwarded port accepts");
	connection.set_read_timeout(Some(PATIENCE)).unwrap();
	connection
}

/// Ends what was written to `connection` and reads the task's answer: `sent`, reversed.
fn answer_to(mut connection: TcpStream, sent: &[u8]) {
	connection.write_all(b"\n").unwrap();
	// `rev` answers once its input ends: the half-close travels over the stream too.
	connection.shutdown(std::net::Shutdown::Write).unwrap();
	let mut answer = Vec::new();
	connection.read_to_end(&mut answer).expect("the task's answer");
	let mut expected: Vec<u8> = sent.iter().rev().copied().collect();
	expected.push(b'\n');
	assert!(answer == expected, "{} bytes back for {} sent", answer.len(), sent.len());
}

/// A gauge of the worker's metrics.
fn gauge(worker: &NatWorker, name: &str) -> u64 {
	let metrics = worker.worker.http_get("/metrics");
	let line = metrics.lines().find(|line| line.starts_with(&format!("sonm_worker_{name} ")));
	line.and_then(|line| line.split(' ').nth(1)?.parse().ok()).unwrap_or(0)
}

#[test]
fn behind_cone_nats_a_bought_relay_carries_then_a_punched_path_outlives_the_relay() {
	let mut network = NatNetwork::new();
	let mut market = market(&mut network, None);
	let workers = [
		worker_behind(&mut network, &market, 1, Nat::PortRestrictedCone, "ferdie"),
		worker_behind(&mut network, &market, 2, Nat::AddressRestrictedCone, "dave"),
	];
	let forwarded: Vec<Forwarded> =
		workers.iter().map(|worker| bob_runs_a_task(&market, worker)).collect();
	let data = line_of(512 << 10);
	for (worker, forwarded) in workers.iter().zip(&forwarded) {
		let mut connection = connect(&market, forwarded);
		connection.write_all(&data).unwrap();
		answer_to(connection, &data);
		wait_for("a punched direct path", || {
			let direct =
				gauge(worker, "p2p_punch_successes") + gauge(worker, "p2p_upgraded_to_direct");
			(direct > 0).then_some(())
		});
	}

	// Eve's relay dies while a connection through each forward is mid-stream: the direct
	// paths carry on.
	let connections: Vec<TcpStream> = forwarded
		.iter()
		.map(|forwarded| {
			let mut connection = connect(&market, forwarded);
			connection.write_all(&data[..data.len() / 2]).unwrap();
			connection
		})
		.collect();
	market.relay.kill_hard();
	for mut connection in connections {
		connection.write_all(&data[data.len() / 2..]).unwrap();
		answer_to(connection, &data);
	}
}

#[test]
fn with_worker_and_customer_behind_symmetric_nats_the_bought_relay_carries_it_all() {
	let mut network = NatNetwork::new();
	let market = market(&mut network, Some(Nat::Symmetric));
	let worker = worker_behind(&mut network, &market, 1, Nat::Symmetric, "ferdie");
	let forwarded = bob_runs_a_task(&market, &worker);
	let data = line_of(512 << 10);
	let mut connection = connect(&market, &forwarded);
	connection.write_all(&data).unwrap();
	answer_to(connection, &data);
	// The metrics copy the host's counters every few seconds.
	wait_for("the bytes sent through the relay in the metrics", || {
		(gauge(&worker, "p2p_relayed_bytes_sent") > data.len() as u64).then_some(())
	});
	assert_eq!(gauge(&worker, "p2p_punch_successes"), 0, "a punch through two symmetric NATs");
}
