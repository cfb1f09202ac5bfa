//! Containers for the tests: a `podman system service` with a store of its own ([`Podman`]),
//! a busybox image imported without a registry, and a plain-HTTP image registry
//! ([`Registry`]); each stopped by its PID when dropped.

use crate::free_port;
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// `podman system service` on a socket in a temporary directory, with its own container store
/// and network configuration there, its networks' subnets from a /16 of its own (tests running
/// at once neither see nor collide with each other's containers and networks); when dropped,
/// its containers, volumes and networks are removed and the service is killed by its PID.
pub struct Podman {
	child: Child,
	pub socket: PathBuf,
	dir: tempfile::TempDir,
	/// `10.<value>.0.0/16`: where this service's networks take their subnets.
	subnets: crate::claim::Claim,
	/// The network namespace its containers and published ports are in (none: the machine's).
	namespace: Option<String>,
}

/// `scripts/containers.conf`: the engine settings the worker's tests and the main job use.
pub fn containers_conf() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/containers.conf")
}

impl Podman {
	pub fn start() -> Self {
		Self::start_trusting(None)
	}

	/// A service that pulls from `registry` (`host:port`, plain HTTP) when given.
	pub fn start_trusting(registry: Option<&str>) -> Self {
		Self::start_with(registry, None)
	}

	/// A service in network namespace `ns`: its containers' networks and published ports are
	/// there (a worker in that namespace reaches them on its loopback).
	pub fn start_in(ns: &str) -> Self {
		Self::start_with(None, Some(ns))
	}

	fn start_with(registry: Option<&str>, namespace: Option<&str>) -> Self {
		let dir = tempfile::tempdir().unwrap();
		let socket = dir.path().join("podman.sock");
		let registries = dir.path().join("registries.conf");
		let mut conf = String::from("unqualified-search-registries = []\n");
		if let Some(registry) = registry {
			conf.push_str(&format!("[[registry]]\nlocation = \"{registry}\"\ninsecure = true\n"));
		}
		std::fs::write(&registries, conf).unwrap();
		let subnets = crate::claim::claim("podman-subnets", 100..=227);
		let engine_conf = std::fs::read_to_string(containers_conf()).unwrap();
		std::fs::write(
			dir.path().join("containers.conf"),
			format!(
				"{engine_conf}\n[network]\nnetwork_config_dir = \"{}\"\n\
				 default_subnet_pools = [{{ base = \"10.{}.0.0/16\", size = 24 }}]\n",
				dir.path().join("networks").display(),
				subnets.value
			),
		)
		.unwrap();
		let child = Self::podman_in(dir.path(), namespace)
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
		Self { child, socket, dir, subnets, namespace: namespace.map(str::to_owned) }
	}

	/// The /16 this service's networks take their subnets from.
	pub fn subnets(&self) -> String {
		format!("10.{}.0.0/16", self.subnets.value)
	}

	/// `podman` on the store in `dir`, in network namespace `namespace` if given.
	fn podman_in(dir: &Path, namespace: Option<&str>) -> Command {
		let mut command = match namespace {
			Some(ns) => crate::netns::command_in(ns, "podman"),
			None => Command::new("podman"),
		};
		// conmon writes files such as `oom` into its working directory: keep them in the
		// store's temporary directory, not in the crate under test.
		command
			.current_dir(dir)
			.arg("--root")
			.arg(dir.join("storage"))
			.arg("--runroot")
			.arg(dir.join("run"))
			.env("CONTAINERS_CONF", dir.join("containers.conf"))
			.env("CONTAINERS_REGISTRIES_CONF", dir.join("registries.conf"));
		command
	}

	/// `podman ARGS` on this service's store.
	pub fn command(&self, args: &[&str]) -> Command {
		let mut command = Self::podman_in(self.dir.path(), self.namespace.as_deref());
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
		for applet in [
			"sh", "cat", "echo", "sleep", "seq", "head", "ls", "nc", "df", "dd", "tail", "rm",
			"ps", "grep", "touch", "wc", "rev",
		] {
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
		self.cli(&["network", "prune", "--force"]);
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
