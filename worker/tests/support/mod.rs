//! What the worker's tests share: a real `sonm-node --dev` with the `sonm` CLI pointed at it
//! ([`Chain`]), `sonm-worker` processes ([`WorkerProcess`]) and a podman API service
//! ([`Podman`]), each stopped by its PID when dropped, also when the test fails.

#![allow(dead_code)]

#[allow(unused_imports)] // each test binary uses a part of the kit
pub use sonm_test_support::{
	free_port,
	podman::{containers_conf, Podman, Registry},
	wait_for_blocking as wait_for, workspace_bin, DevChain as Chain, PATIENCE,
};
use std::{
	io::{Read, Write},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

pub const WORKER_BIN: &str = env!("CARGO_BIN_EXE_sonm-worker");

/// A `sonm-worker run` process, killed by its PID when dropped; its log is printed when the
/// test fails.
pub struct WorkerProcess {
	child: Option<Child>,
	log: PathBuf,
	metrics: String,
	/// The network namespace it runs in (none: the machine's own).
	namespace: Option<String>,
}

impl WorkerProcess {
	pub fn start(dir: &Path, name: &str, config: &str) -> Self {
		Self::start_with(dir, name, config, &[])
	}

	/// Starts it with `env` added to its environment (e.g. a crash point).
	pub fn start_with(dir: &Path, name: &str, config: &str, env: &[(&str, &str)]) -> Self {
		Self::spawn(dir, name, config, env, None)
	}

	/// Starts it in network namespace `ns` (a host of a test network), logging its libp2p
	/// paths and hole punches in detail.
	pub fn start_in(dir: &Path, name: &str, config: &str, ns: &str) -> Self {
		let paths = [("RUST_LOG", "info,sonm_p2p=debug,libp2p_dcutr=debug")];
		Self::spawn(dir, name, config, &paths, Some(ns))
	}

	fn spawn(
		dir: &Path,
		name: &str,
		config: &str,
		env: &[(&str, &str)],
		namespace: Option<&str>,
	) -> Self {
		let config_path = dir.join(format!("{name}.toml"));
		std::fs::write(&config_path, config).unwrap();
		let log = dir.join(format!("{name}.log"));
		let file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
		let metrics = format!("127.0.0.1:{}", free_port());
		let mut command = match namespace {
			Some(ns) => sonm_test_support::netns::command_in(ns, WORKER_BIN),
			None => Command::new(WORKER_BIN),
		};
		let child = command
			.arg("--config")
			.arg(&config_path)
			.args(["--metrics", &metrics, "run"])
			.env("RUST_LOG", "info")
			.envs(env.iter().copied())
			.stdin(Stdio::null())
			.stdout(file.try_clone().unwrap())
			.stderr(file)
			.spawn()
			.expect("sonm-worker starts");
		Self { child: Some(child), log, metrics, namespace: namespace.map(str::to_owned) }
	}

	/// `kill -9`: no chance to tidy up.
	pub fn kill_hard(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SAFETY: signalling our own child by its PID.
			unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
			let _ = child.wait();
		}
	}

	/// SIGTERM, as an operator or a service manager stops it: the worker finishes its current
	/// pass and exits; returns its exit code (`None` when a signal ended it).
	pub fn stop(&mut self) -> Option<i32> {
		let mut child = self.child.take().expect("running");
		// SAFETY: signalling our own child by its PID.
		unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
		let deadline = Instant::now() + PATIENCE;
		loop {
			if let Some(status) = child.try_wait().unwrap() {
				return status.code();
			}
			assert!(Instant::now() < deadline, "the worker did not stop on SIGTERM");
			std::thread::sleep(Duration::from_millis(50));
		}
	}

	/// Waits for the process to end by itself (e.g. at a crash point); returns the signal
	/// that ended it, if one did.
	pub fn wait_for_death(&mut self) -> Option<i32> {
		use std::os::unix::process::ExitStatusExt;
		let deadline = Instant::now() + PATIENCE;
		let child = self.child.as_mut().expect("running");
		loop {
			if let Some(status) = child.try_wait().unwrap() {
				self.child = None;
				return status.signal();
			}
			assert!(Instant::now() < deadline, "the worker did not die");
			std::thread::sleep(Duration::from_millis(50));
		}
	}

	/// The process's resident memory (`VmRSS`), KiB.
	pub fn resident_kib(&self) -> u64 {
		let pid = self.child.as_ref().expect("running").id();
		let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
		let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
		line.split_whitespace().nth(1).unwrap().parse().unwrap()
	}

	/// `GET path` on the metrics address.
	pub fn http_get(&self, path: &str) -> String {
		let connect = || std::net::TcpStream::connect(&self.metrics);
		let connected = match &self.namespace {
			Some(ns) => sonm_test_support::netns::within(ns, connect),
			None => connect(),
		};
		let Ok(mut stream) = connected else {
			return String::new();
		};
		let _ = write!(stream, "GET {path} HTTP/1.0\r\nHost: worker\r\n\r\n");
		let mut response = String::new();
		let _ = stream.read_to_string(&mut response);
		response
	}
}

impl Drop for WorkerProcess {
	fn drop(&mut self) {
		self.kill_hard();
		if std::thread::panicking() {
			let log = std::fs::read_to_string(&self.log).unwrap_or_default();
			let lines: Vec<&str> = log.lines().collect();
			eprintln!(
				"--- {} tail ---\n{}",
				self.log.display(),
				lines[lines.len().saturating_sub(60)..].join("\n")
			);
		}
	}
}

/// A worker configuration for `key` on `chain`, selling `plans` (`extra` goes into `[chain]`).
pub fn worker_config(chain: &Chain, name: &str, key: &str, extra: &str, plans: &str) -> String {
	format!(
		"[chain]\nurl = \"{}\"\nkey = \"{key}\"\n{extra}\n[worker]\ndata_dir = \"{}\"\n\
		 billing_period = \"6s\"\n[resources]\ncpu_cores = 2\nram = \"1 GiB\"\n\
		 storage = \"1 GiB\"\n[declared]\nnet_download = \"100 Mbit/s\"\n\
		 net_upload = \"100 Mbit/s\"\n{plans}",
		chain.url(),
		chain.dir.path().join(name).display()
	)
}

/// A worker's `[tasks]` section: tasks on `podman`, the control plane on 127.0.0.1:`control`,
/// 51 host ports from a base this process's id picks (the first returned), `image` allowed and
/// `extra` lines added (e.g. `cors_origins`).
pub fn tasks_section(podman: &Podman, control: u16, image: &str, extra: &str) -> (String, u16) {
	let low = 20_000 + (std::process::id() % 20_000) as u16;
	let section = format!(
		"[tasks]\nengine = \"{}\"\nlisten = \"127.0.0.1:{control}\"\nports = \"{low}-{}\"\n\
		 allowed_images = [\"{image}\"]\n{extra}",
		podman.socket.display(),
		low + 50
	);
	(section, low)
}

/// A child process killed when dropped (also when the test fails).
pub struct KilledOnDrop(pub Child);

impl Drop for KilledOnDrop {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// `sonm --from FROM task forward --deal DEAL PORTS` on `chain` (in its CLI's namespace),
/// killed when the first value is dropped, and the address it listens at (its first line);
/// what it says of each connection afterwards goes to the test's output.
pub fn task_forward(chain: &Chain, from: &str, deal: &str, ports: &str) -> (KilledOnDrop, String) {
	use std::io::BufRead;
	let mut forward = chain
		.sonm_command(&["--from", from, "task", "forward", "--deal", deal, ports])
		.stderr(Stdio::piped())
		.spawn()
		.expect("sonm task forward starts");
	let mut said = std::io::BufReader::new(forward.stderr.take().unwrap());
	let forward = KilledOnDrop(forward);
	let mut line = String::new();
	said.read_line(&mut line).expect("forward prints where it listens");
	let line = line.trim_end();
	let local = line.strip_prefix("forwarding ").expect(line).split(' ').next().unwrap();
	let local = local.to_owned();
	let deal = deal.to_owned();
	std::thread::spawn(move || {
		said.lines()
			.map_while(Result::ok)
			.for_each(|line| eprintln!("deal {deal} forward: {line}"))
	});
	(forward, local)
}
