//! The worker's container engine against a real podman API service (started on a temporary
//! socket with `scripts/containers.conf`, stopped by its PID) and an image made offline from
//! busybox: a deal's limits read back from the engine and from inside the container (cgroup v1
//! and v2 paths both), `exec`, logs, the worker's containers listed by label and removed; a
//! memory hog killed with exit 137 and a fork bomb held by the pids limit while another deal's
//! task goes on answering; a deal's loop-mounted volume bounded by its storage.

mod support;

use sonm_primitives::{benchmarks::*, netflags};
use sonm_test_support::netns::Neighbour;
use sonm_worker::tasks::{
	bounds::Bounds,
	engine::{Applied, Engine, Restart, TaskSpec, MAX_RESTARTS},
	limits::{limits_for, Always},
	logs::{page, Window},
};
use std::time::{Duration, Instant};
use support::Podman;

const IMAGE: &str = "localhost/sonm-test-busybox:1";

fn plan(cores: u64, ram: u64) -> Vec<u64> {
	let mut values = vec![0; STANDARD_COUNT];
	values[CPU_CORES] = cores;
	values[RAM_SIZE] = ram;
	values
}

fn spec(command: &str) -> TaskSpec {
	TaskSpec {
		image: IMAGE.into(),
		command: vec!["sh".into(), "-c".into(), command.into()],
		..Default::default()
	}
}

fn sh(command: &str) -> Vec<String> {
	vec!["sh".into(), "-c".into(), command.into()]
}

/// Runs `command` in the task and returns its trimmed output.
async fn read(engine: &Engine, deal: u64, command: &str) -> String {
	let (code, output) = engine.exec(deal, &sh(command)).await.unwrap();
	let text = String::from_utf8_lossy(&output).trim().to_owned();
	assert_eq!(code, 0, "{command}: {text}");
	text
}

/// Waits until the task has exited and returns its exit code.
async fn exit_code(engine: &Engine, deal: u64) -> i64 {
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		let state = engine.state(deal).await.unwrap().expect("the container exists");
		if let Some(code) = state.exit_code {
			return code;
		}
		assert!(Instant::now() < deadline, "deal {deal}'s task did not exit: {state:?}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// A podman service (with a store of its own) holding the test image, and an engine on it,
/// keeping volume files in the returned directory.
fn engine() -> (Podman, Engine, tempfile::TempDir) {
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let worker = format!("test-worker-{}", std::process::id());
	let volumes = tempfile::tempdir().unwrap();
	let engine =
		Engine::connect(&podman.socket.display().to_string(), &worker, volumes.path()).unwrap();
	(podman, engine, volumes)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deals_limits_hold_inside_its_container_and_faults_stay_inside() {
	let (_podman, engine, _volumes) = engine();
	assert!(!engine.version().await.unwrap().is_empty());

	// One core and 64 MiB, outbound only.
	let limits = limits_for(&plan(1, 64 << 20), netflags::OUTBOUND, Always::default()).unwrap();
	engine
		.start(1, "customer", &spec("echo started; sleep 1000"), &limits, &[], None)
		.await
		.unwrap();
	let state = engine.state(1).await.unwrap().unwrap();
	assert_eq!(state.status, "running");
	let applied = Applied { nano_cpus: 1_000_000_000, memory_bytes: 64 << 20, pids: 512 };
	assert_eq!(state.limits, applied, "the engine holds the deal's limits");
	assert_eq!(state.exit_code, None);
	assert!(state.ports.is_empty(), "no INCOMING: nothing published");
	let memory = read(
		&engine,
		1,
		"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
	)
	.await;
	assert_eq!(memory, (64u64 << 20).to_string());
	let pids = read(
		&engine,
		1,
		"cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max",
	)
	.await;
	assert_eq!(pids, "512");
	let cpu = read(
		&engine,
		1,
		"q=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null) && \
		 p=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us) && echo \"$q $p\" || cat /sys/fs/cgroup/cpu.max",
	)
	.await;
	let (quota, period) = cpu.split_once(' ').unwrap();
	assert_eq!(quota.parse::<u64>().unwrap(), period.parse::<u64>().unwrap(), "one core: {cpu}");
	assert_eq!(read(&engine, 1, "ulimit -n").await, "1024");
	// Capabilities dropped: the effective set is empty.
	let caps = read(&engine, 1, "grep CapEff /proc/self/status").await;
	assert!(caps.ends_with("0000000000000000"), "{caps}");
	let no_new_privileges = read(&engine, 1, "grep NoNewPrivs /proc/self/status").await;
	assert!(no_new_privileges.ends_with('1'), "{no_new_privileges}");
	let logs = engine.logs(1).await.unwrap();
	let text = page(&logs, Window::default(), usize::MAX).text;
	assert_eq!(String::from_utf8(text).unwrap(), "started\n", "the output, its timestamps off");
	assert!(logs.starts_with(b"20") && logs.ends_with(b"Z started\n"), "kept with the time");

	// A memory hog is killed (137), a fork bomb is held by the pids limit, and deal 1's task
	// goes on answering.
	engine
		.start(2, "customer", &spec("x=a; while true; do x=$x$x; done"), &limits, &[], None)
		.await
		.unwrap();
	engine
		.start(
			3,
			"customer",
			&spec("bomb() { bomb | bomb & }; bomb; sleep 1000"),
			&limits,
			&[],
			None,
		)
		.await
		.unwrap();
	assert_eq!(exit_code(&engine, 2).await, 137, "out of memory: killed");
	tokio::time::sleep(Duration::from_secs(3)).await;
	if let Ok((0, output)) = engine
		.exec(3, &sh("cat /sys/fs/cgroup/pids/pids.current 2>/dev/null || cat /sys/fs/cgroup/pids.current"))
		.await
	{
		let current: u64 = String::from_utf8_lossy(&output).trim().parse().unwrap();
		assert!(current <= 512, "the fork bomb has {current} processes");
	}
	assert_eq!(read(&engine, 1, "echo alive").await, "alive");

	assert_eq!(engine.deals().await.unwrap(), vec![1, 2, 3]);
	for deal in [1, 2, 3] {
		engine.remove(deal, 1).await.unwrap();
		assert_eq!(engine.state(deal).await.unwrap(), None);
	}
	assert!(engine.deals().await.unwrap().is_empty());
	// Removing what is gone is not an error (a restart may find a container already removed).
	engine.remove(1, 0).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn incoming_deals_publish_their_ports() {
	let (_podman, engine, _volumes) = engine();
	let flags = netflags::INCOMING | netflags::OUTBOUND;
	let limits = limits_for(&plan(1, 64 << 20), flags, Always::default()).unwrap();
	let host_port =
		std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let task =
		TaskSpec { ports: vec![8080], ..spec("while true; do echo hello | nc -l -p 8080; done") };
	engine.start(10, "customer", &task, &limits, &[host_port], None).await.unwrap();
	let state = engine.state(10).await.unwrap().unwrap();
	assert_eq!(state.ports, vec![(8080, host_port)]);
	assert_eq!(read(&engine, 10, "echo $SONM_PORT_0").await, host_port.to_string());
	// The port answers from the host.
	let deadline = Instant::now() + Duration::from_secs(20);
	let answer = loop {
		use std::io::Read;
		if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", host_port)) {
			let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
			let mut buffer = [0u8; 64];
			if let Ok(read @ 1..) = stream.read(&mut buffer) {
				break String::from_utf8_lossy(&buffer[..read]).into_owned();
			}
		}
		assert!(Instant::now() < deadline, "port {host_port} never answered");
		tokio::time::sleep(Duration::from_millis(200)).await;
	};
	assert_eq!(answer.trim(), "hello");
	engine.remove(10, 1).await.unwrap();
}

/// A deal's volume: an ext4 file system of the deal's storage in a loop-mounted file. The task
/// sees its size, cannot write past it, and the next task of the deal finds what the last one
/// wrote; removing the volume removes its file.
#[tokio::test(flavor = "multi_thread")]
async fn a_deals_volume_holds_its_storage_and_no_more() {
	let (_podman, engine, volumes) = engine();
	let mut values = plan(1, 64 << 20);
	values[STORAGE_SIZE] = 32 << 20;
	let limits = limits_for(&values, netflags::OUTBOUND, Always::default()).unwrap();
	let volume = engine.ensure_volume(20, limits.storage_bytes).await.unwrap();
	assert_eq!(engine.ensure_volume(20, limits.storage_bytes).await.unwrap(), volume, "kept");
	let with_volume = |command: &str| TaskSpec { volume: Some("/data".into()), ..spec(command) };
	engine
		.start(20, "customer", &with_volume("sleep 1000"), &limits, &[], Some(&volume))
		.await
		.unwrap();

	// Its size is the deal's storage (less ext4's own bookkeeping); writing past it fails.
	let df = read(&engine, 20, "df -k /data | tail -1").await;
	let blocks: u64 = df.split_whitespace().nth(1).unwrap().parse().unwrap();
	assert!((24 << 10..=32 << 10).contains(&blocks), "{blocks} KiB for a 32 MiB deal");
	let (code, output) = engine
		.exec(20, &sh("dd if=/dev/zero of=/data/fill bs=1M count=64"))
		.await
		.unwrap();
	assert_ne!(code, 0, "64 MiB do not fit");
	assert!(String::from_utf8_lossy(&output).contains("No space left"), "{output:?}");
	read(&engine, 20, "rm /data/fill && echo kept > /data/note").await;

	// The deal's next task finds the note.
	engine.remove(20, 0).await.unwrap();
	engine
		.start(20, "customer", &with_volume("sleep 1000"), &limits, &[], Some(&volume))
		.await
		.unwrap();
	assert_eq!(read(&engine, 20, "cat /data/note").await, "kept");
	assert_eq!(engine.deals().await.unwrap(), vec![20]);

	// The deal ends: container, volume and file go.
	engine.remove(20, 0).await.unwrap();
	assert_eq!(engine.deals().await.unwrap(), vec![20], "the volume alone still counts");
	engine.remove_volume(20).await.unwrap();
	assert!(engine.deals().await.unwrap().is_empty());
	assert_eq!(std::fs::read_dir(volumes.path()).unwrap().count(), 0, "the file is gone");
	engine.remove_volume(20).await.unwrap();
}

/// A task that exits on its own is reported with its exit code and left exited; with
/// `on-failure` the engine starts it again, at most `MAX_RESTARTS` times.
#[tokio::test(flavor = "multi_thread")]
async fn an_exited_task_is_reported_and_restarted_only_when_asked() {
	let (_podman, engine, _volumes) = engine();
	let limits = limits_for(&plan(1, 64 << 20), netflags::OUTBOUND, Always::default()).unwrap();
	engine.start(30, "customer", &spec("exit 3"), &limits, &[], None).await.unwrap();
	assert_eq!(exit_code(&engine, 30).await, 3);
	tokio::time::sleep(Duration::from_secs(2)).await;
	let state = engine.state(30).await.unwrap().unwrap();
	assert_eq!((state.exit_code, state.restarts), (Some(3), 0), "not started again");

	let retried = TaskSpec { restart: Restart::OnFailure, ..spec("echo try; exit 3") };
	engine.start(31, "customer", &retried, &limits, &[], None).await.unwrap();
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		let state = engine.state(31).await.unwrap().unwrap();
		if state.restarts == MAX_RESTARTS && state.exit_code == Some(3) {
			break;
		}
		assert!(state.restarts <= MAX_RESTARTS, "{state:?}");
		assert!(Instant::now() < deadline, "not restarted {MAX_RESTARTS} times: {state:?}");
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
	let tries = String::from_utf8(engine.logs(31).await.unwrap()).unwrap();
	assert_eq!(tries.matches("try").count() as i64, MAX_RESTARTS + 1, "{tries}");
}

/// Runs `nc` in deal `deal`'s task against `address:port`: what the far end said, or `nc`'s
/// complaint (`No route to host` when the task firewall rejected the connection).
async fn reach(engine: &Engine, deal: u64, address: &str, port: u16) -> String {
	let command = format!("echo | nc -w 5 {address} {port} 2>&1");
	let (_, output) = engine.exec(deal, &sh(&command)).await.unwrap();
	String::from_utf8_lossy(&output).trim().to_owned()
}

/// `busybox nc` answering `answer` to every connection on `port` of every address of the
/// neighbour, until dropped.
fn neighbour_serves(neighbour: &Neighbour, port: u16, answer: &str) -> ProcessGroup {
	use std::os::unix::process::CommandExt;
	let script = format!("while true; do echo {answer} | busybox nc -l -p {port}; done");
	let child = neighbour
		.command("sh")
		.args(["-c", &script])
		.stdout(std::process::Stdio::null())
		.stderr(std::process::Stdio::null())
		.process_group(0)
		.spawn()
		.unwrap();
	ProcessGroup(child)
}

/// A process and everything it started (its process group), killed when dropped.
struct ProcessGroup(std::process::Child);

impl Drop for ProcessGroup {
	fn drop(&mut self) {
		// SAFETY: signalling our own child's process group by its PID.
		unsafe { libc::kill(-(self.0.id() as libc::pid_t), libc::SIGKILL) };
		let _ = self.0.wait();
	}
}

/// Each deal's task has a network of its own behind the task firewall (issue: tasks shared one
/// network and reached each other, the host, the supplier's LAN and the metadata address):
/// a task that bought OUTBOUND reaches a public address, and none of another deal's
/// unpublished port, the host, the LAN or 169.254.169.254; a task that bought only INCOMING
/// reaches nothing, yet its published port answers the host and the LAN. The control: the
/// same task without isolation (the way tasks ran before) reaches the LAN and the metadata
/// address, so the checks above can fail.
#[tokio::test(flavor = "multi_thread")]
async fn each_deal_has_a_network_of_its_own_that_reaches_no_private_address() {
	let (podman, engine, _volumes) = engine();
	sonm_worker::tasks::firewall::install(&[]).expect("the task firewall installs (as root)");
	let mut neighbour = Neighbour::new();
	let public = "203.0.113.7";
	let metadata = "169.254.169.254";
	neighbour.route(public);
	neighbour.route(metadata);
	let _listener = neighbour_serves(&neighbour, 7001, "neighbour");
	// The host itself listens on every address.
	let host_listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
	let host_port = host_listener.local_addr().unwrap().port();
	let lan = neighbour.lan_address();

	let outbound = limits_for(&plan(1, 64 << 20), netflags::OUTBOUND, Always::default()).unwrap();
	let flags = netflags::INCOMING;
	let incoming_only = limits_for(&plan(1, 64 << 20), flags, Always::default()).unwrap();
	// Deal 20 serves on an unpublished port; deal 21 tries to reach everything.
	engine
		.start(
			20,
			"c",
			&spec("while true; do echo secret | nc -l -p 9000; done"),
			&outbound,
			&[],
			None,
		)
		.await
		.unwrap();
	engine.start(21, "c", &spec("sleep 3600"), &outbound, &[], None).await.unwrap();
	let published =
		std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let incoming_task =
		TaskSpec { ports: vec![8080], ..spec("while true; do echo open | nc -l -p 8080; done") };
	engine
		.start(22, "c", &incoming_task, &incoming_only, &[published], None)
		.await
		.unwrap();
	let address_of = |deal: u64| {
		let name = container_name_of(&engine, deal);
		let out = podman
			.command(&[
				"inspect",
				"--format",
				"{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.Gateway}}{{end}}",
				&name,
			])
			.output()
			.unwrap();
		let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
		let (address, gateway) = text.split_once(' ').expect("an address and a gateway");
		(address.to_owned(), gateway.to_owned())
	};
	let (other_task, _) = address_of(20);
	let (_, gateway) = address_of(21);
	assert_ne!(address_of(20).1, gateway, "each deal on a network of its own");

	let wait_reach = |deal, address: String, port| {
		let engine = engine.clone();
		async move {
			// The far end may still be starting its listener: wait for an answer or a refusal.
			let deadline = Instant::now() + Duration::from_secs(60);
			loop {
				let said = reach(&engine, deal, &address, port).await;
				if !said.contains("Connection refused") || Instant::now() > deadline {
					return said;
				}
				tokio::time::sleep(Duration::from_millis(200)).await;
			}
		}
	};
	assert_eq!(wait_reach(21, public.into(), 7001).await, "neighbour", "OUTBOUND reaches out");
	for (what, address, port) in [
		("the LAN", lan.clone(), 7001),
		("the metadata address", metadata.to_owned(), 7001),
		("another deal's unpublished port", other_task.clone(), 9000),
		("the host on its bridge", gateway.clone(), host_port),
		("the host on the LAN", neighbour_host_address(&lan), host_port),
	] {
		let said = reach(&engine, 21, &address, port).await;
		assert!(said.contains("No route to host"), "a task reached {what} ({address}): {said}");
	}
	let said = reach(&engine, 22, public, 7001).await;
	assert!(said.contains("No route to host"), "an INCOMING-only task reached out: {said}");
	// Its published port answers the host and the LAN.
	let deadline = Instant::now() + Duration::from_secs(60);
	let from_lan = loop {
		let out = neighbour
			.command("busybox")
			.args(["nc", "-w", "5", &neighbour_host_address(&lan), &published.to_string()])
			.stdin(std::process::Stdio::null())
			.output()
			.unwrap();
		let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
		if said == "open" || Instant::now() > deadline {
			break said;
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	};
	assert_eq!(from_lan, "open", "the published port answers a client on the LAN");

	// The control: without isolation the same task reaches the LAN and the metadata address.
	let shared = engine
		.clone()
		.with_bounds(&Bounds { isolate_networks: false, ..Bounds::default() });
	shared.start(23, "c", &spec("sleep 3600"), &outbound, &[], None).await.unwrap();
	assert_eq!(reach(&shared, 23, &lan, 7001).await, "neighbour");
	assert_eq!(reach(&shared, 23, metadata, 7001).await, "neighbour");
	for deal in 20..=23 {
		engine.remove(deal, 0).await.unwrap();
	}
	drop(host_listener);
}

/// The host's own address on the neighbour's link (`.1` of its /30).
fn neighbour_host_address(lan: &str) -> String {
	let (network, _) = lan.rsplit_once('.').unwrap();
	format!("{network}.1")
}

/// The container name of the engine's deal `deal`.
fn container_name_of(engine: &Engine, deal: u64) -> String {
	sonm_worker::tasks::engine::container_name(engine.worker(), deal)
}

/// The engine keeps no more of a task's output than its cap, however much the task writes
/// (issue: the engine's log files had no size limit, so a task could fill the supplier's
/// disk): the log file the engine writes stays under the cap, and what it serves is the
/// latest output.
#[tokio::test(flavor = "multi_thread")]
async fn the_engine_keeps_no_more_output_than_the_cap() {
	let (podman, engine, _volumes) = engine();
	let cap = 256 << 10;
	let engine = engine.with_bounds(&Bounds { log_bytes: cap, ..Bounds::default() });
	let limits = limits_for(&plan(1, 64 << 20), 0, Always::default()).unwrap();
	// About 4 MiB of output: sixteen times the cap.
	let script = "i=0; while [ $i -lt 50000 ]; do echo line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo the end; sleep 3600";
	engine.start(30, "c", &spec(script), &limits, &[], None).await.unwrap();
	let deadline = Instant::now() + Duration::from_secs(120);
	let logs = loop {
		let logs = engine.logs(30).await.unwrap();
		if String::from_utf8_lossy(&logs).contains("the end") {
			break logs;
		}
		assert!(Instant::now() < deadline, "the task never finished writing");
		tokio::time::sleep(Duration::from_millis(300)).await;
	};
	let name = container_name_of(&engine, 30);
	let out = podman
		.command(&["inspect", "--format", "{{.HostConfig.LogConfig.Path}}", &name])
		.output()
		.unwrap();
	let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
	let on_disk = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{path}: {e}")).len();
	eprintln!("the task wrote about 4 MiB; the engine's log file holds {on_disk} bytes, serves {} (cap {cap})", logs.len());
	assert!(on_disk <= cap + (64 << 10), "the log file holds {on_disk} bytes");
	assert!(logs.len() as u64 <= cap + (64 << 10), "the engine serves {} bytes", logs.len());
	engine.remove(30, 0).await.unwrap();
}
