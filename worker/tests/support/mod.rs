//! What the worker's tests share: a real `sonm-node --dev` with the `sonm` CLI pointed at it
//! ([`Chain`]), `sonm-worker` processes ([`WorkerProcess`]) and a podman API service
//! ([`Podman`]), each stopped by its PID when dropped, also when the test fails.

#![allow(dead_code)]

#[path = "../../../cli/tests/common/mod.rs"]
mod common;

pub use common::{free_port, workspace_bin, DevNode, PATIENCE};
use serde_json::Value;
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
}

impl WorkerProcess {
	pub fn start(dir: &Path, name: &str, config: &str) -> Self {
		Self::start_with(dir, name, config, &[])
	}

	/// Starts it with `env` added to its environment (e.g. a crash point).
	pub fn start_with(dir: &Path, name: &str, config: &str, env: &[(&str, &str)]) -> Self {
		let config_path = dir.join(format!("{name}.toml"));
		std::fs::write(&config_path, config).unwrap();
		let log = dir.join(format!("{name}.log"));
		let file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
		let metrics = format!("127.0.0.1:{}", free_port());
		let child = Command::new(WORKER_BIN)
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
		Self { child: Some(child), log, metrics }
	}

	/// `kill -9`: no chance to tidy up.
	pub fn kill_hard(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SAFETY: signalling our own child by its PID.
			unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
			let _ = child.wait();
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
		let Ok(mut stream) = std::net::TcpStream::connect(&self.metrics) else {
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

pub struct Chain {
	pub node: DevNode,
	pub dir: tempfile::TempDir,
}

impl Chain {
	pub fn start() -> Self {
		let dir = tempfile::tempdir().unwrap();
		let node = DevNode::start(dir.path(), free_port(), free_port());
		let chain = Self { node, dir };
		wait_for("the node to answer", || chain.try_json(&["masternode", "status"]));
		chain
	}

	pub fn try_json(&self, args: &[&str]) -> Option<Value> {
		let out = Command::new(workspace_bin("sonm"))
			.args(["--url", &self.node.url, "-o", "json"])
			.arg("--keystore")
			.arg(self.dir.path().join("keystore"))
			.args(args)
			.env_remove("SONM_FROM")
			.output()
			.expect("sonm runs");
		let stderr = String::from_utf8_lossy(&out.stderr);
		if !out.status.success() && !stderr.contains("cannot reach the node") {
			eprintln!("sonm {args:?}: {}", String::from_utf8_lossy(&out.stderr).trim());
		}
		out.status.success().then(|| serde_json::from_slice(&out.stdout).ok()).flatten()
	}

	/// `sonm -o json ARGS`, which must succeed.
	pub fn json(&self, args: &[&str]) -> Value {
		self.try_json(args).unwrap_or_else(|| panic!("sonm {args:?} failed"))
	}

	/// A worker config for `key` selling `plans`.
	pub fn worker_config(&self, name: &str, key: &str, extra: &str, plans: &str) -> String {
		format!(
			"[chain]\nurl = \"{}\"\nkey = \"{key}\"\n{extra}\n[worker]\ndata_dir = \"{}\"\n\
			 billing_period = \"6s\"\n[resources]\ncpu_cores = 2\nram = \"1 GiB\"\n\
			 storage = \"1 GiB\"\n[declared]\nnet_download = \"100 Mbit/s\"\n\
			 net_upload = \"100 Mbit/s\"\n{plans}",
			self.node.url,
			self.dir.path().join(name).display()
		)
	}

	/// `author`'s open asks.
	pub fn asks_of(&self, author: &str) -> Vec<Value> {
		let list = self.json(&["orders", "list", "--side", "ask", "--author", author]);
		list.as_array().cloned().unwrap_or_default()
	}

	pub fn deal(&self, id: u64) -> Option<Value> {
		let out = self.try_json(&["deals", "show", &id.to_string()])?;
		Some(out["deal"].clone())
	}

	/// Places a bid with the CLI and returns its id and the order as the chain holds it.
	pub fn bid(&self, from: &str, args: &[&str]) -> (u64, Value) {
		let mut all = vec!["--from", from, "orders", "create", "--side", "bid"];
		all.extend_from_slice(args);
		let placed = self.json(&all);
		(placed["id"].as_u64().unwrap(), placed["order"].clone())
	}
}

pub use sonm_test_support::wait_for_blocking as wait_for;

/// `podman system service` on a socket in a temporary directory, with its own container store
/// there (tests running at once neither see nor collide with each other's containers); when
/// dropped, its containers and volumes are removed and the service is killed by its PID.
pub struct Podman {
	child: Child,
	pub socket: PathBuf,
	dir: tempfile::TempDir,
}

pub fn containers_conf() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/containers.conf")
}

impl Podman {
	pub fn start() -> Self {
		Self::start_trusting(None)
	}

	/// A service that pulls from `registry` (`host:port`, plain HTTP) when given.
	pub fn start_trusting(registry: Option<&str>) -> Self {
		let dir = tempfile::tempdir().unwrap();
		let socket = dir.path().join("podman.sock");
		let registries = dir.path().join("registries.conf");
		let mut conf = String::from("unqualified-search-registries = []\n");
		if let Some(registry) = registry {
			conf.push_str(&format!("[[registry]]\nlocation = \"{registry}\"\ninsecure = true\n"));
		}
		std::fs::write(&registries, conf).unwrap();
		let child = Self::podman_in(dir.path())
			.args(["system", "service", "--time=0"])
			.arg(format!("unix://{}", socket.display()))
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect("podman is installed (scripts/setup.sh)");
		let deadline = Instant::now() + Duration::from_secs(30);
		while !socket.exists() {
			assert!(Instant::now() < deadline, "podman's socket did not appear");
			std::thread::sleep(Duration::from_millis(50));
		}
		Self { child, socket, dir }
	}

	/// `podman` on the store in `dir`.
	fn podman_in(dir: &Path) -> Command {
		let mut command = Command::new("podman");
		command
			.arg("--root")
			.arg(dir.join("storage"))
			.arg("--runroot")
			.arg(dir.join("run"))
			.env("CONTAINERS_CONF", containers_conf())
			.env("CONTAINERS_REGISTRIES_CONF", dir.join("registries.conf"));
		command
	}

	/// `podman ARGS` on this service's store.
	pub fn command(&self, args: &[&str]) -> Command {
		let mut command = Self::podman_in(self.dir.path());
		command.args(args);
		command
	}

	/// Whether `podman ARGS` on this service's store succeeds.
	pub fn cli(&self, args: &[&str]) -> bool {
		self.command(args)
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.status()
			.is_ok_and(|status| status.success())
	}

	/// Imports a busybox rootfs as `name` (no registry needed).
	pub fn import_busybox(&self, name: &str) {
		let dir = tempfile::tempdir().unwrap();
		let bin = dir.path().join("rootfs/bin");
		std::fs::create_dir_all(&bin).unwrap();
		std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox-static is installed");
		for applet in
			["sh", "cat", "echo", "sleep", "seq", "head", "ls", "nc", "df", "dd", "tail", "rm"]
		{
			std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
		}
		let tar = dir.path().join("rootfs.tar");
		let status = Command::new("tar")
			.arg("-C")
			.arg(dir.path().join("rootfs"))
			.arg("-cf")
			.arg(&tar)
			.arg(".")
			.status()
			.unwrap();
		assert!(status.success());
		let out = self.command(&["import"]).arg(&tar).arg(name).output().unwrap();
		assert!(out.status.success(), "podman import: {}", String::from_utf8_lossy(&out.stderr));
	}
}

impl Drop for Podman {
	fn drop(&mut self) {
		self.cli(&["rm", "--all", "--force", "--time", "0"]);
		self.cli(&["volume", "rm", "--all", "--force"]);
		// SAFETY: signalling our own child by its PID.
		unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
		let _ = self.child.wait();
	}
}

/// A `docker-registry` serving plain HTTP on a free loopback port from a temporary directory,
/// killed when dropped.
pub struct Registry {
	child: Child,
	/// `127.0.0.1:PORT`.
	pub host: String,
	_dir: tempfile::TempDir,
}

impl Registry {
	pub fn start() -> Self {
		let dir = tempfile::tempdir().unwrap();
		let host = format!("127.0.0.1:{}", free_port());
		let config = dir.path().join("config.yml");
		std::fs::write(
			&config,
			format!(
				"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
				 http:\n  addr: {host}\n",
				dir.path().join("data").display()
			),
		)
		.unwrap();
		let child = Command::new("docker-registry")
			.arg("serve")
			.arg(&config)
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect("docker-registry is installed (scripts/setup.sh)");
		let registry = Self { child, host, _dir: dir };
		let deadline = Instant::now() + Duration::from_secs(30);
		while std::net::TcpStream::connect(&registry.host).is_err() {
			assert!(Instant::now() < deadline, "the registry did not listen");
			std::thread::sleep(Duration::from_millis(50));
		}
		registry
	}

	/// Pushes `podman`'s image `local` to this registry as `repo` (`sonm/busybox:1`); returns
	/// the pushed name.
	pub fn push(&self, podman: &Podman, local: &str, repo: &str) -> String {
		let name = format!("{}/{repo}", self.host);
		let out = podman.command(&["push", "--tls-verify=false", local, &name]).output().unwrap();
		assert!(out.status.success(), "podman push: {}", String::from_utf8_lossy(&out.stderr));
		name
	}
}

impl Drop for Registry {
	fn drop(&mut self) {
		// SAFETY: signalling our own child by its PID.
		unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
		let _ = self.child.wait();
	}
}
