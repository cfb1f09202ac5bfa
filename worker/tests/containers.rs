//! The worker's container engine against a real podman API service (started on a temporary
//! socket with `scripts/containers.conf`, stopped by its PID) and an image made offline from
//! busybox: a deal's limits read back from the engine and from inside the container (cgroup v1
//! and v2 paths both), `exec`, logs, the worker's containers listed by label and removed; a
//! memory hog killed with exit 137 and a fork bomb held by the pids limit while another deal's
//! task goes on answering; a deal's loop-mounted volume bounded by its storage.

mod support;

use sonm_primitives::{benchmarks::*, netflags};
use sonm_worker::tasks::{
	engine::{Applied, Engine, Restart, TaskSpec, MAX_RESTARTS},
	limits::{limits_for, Always},
	logs::{lines, page, Window},
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
	let text = page(&lines(&logs), Window::default()).text;
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
