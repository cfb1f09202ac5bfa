//! A real PostgreSQL server for a test: Debian's `postgresql` binaries, a cluster made by
//! `initdb` in a temporary directory, its own loopback port and socket directory, trust
//! authentication for the one user `sonm`; stopped by PID when dropped. PostgreSQL refuses to
//! run as root, so under root the cluster belongs to the `postgres` system user and the
//! processes run as it.

use crate::{cpu_hog_if_asked, free_port, PATIENCE};
use std::{
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Instant,
};

/// A running server.
pub struct PostgresServer {
	child: Option<Child>,
	pub port: u16,
	dir: tempfile::TempDir,
}

/// Where Debian puts a PostgreSQL version's programs; the newest there is used.
fn bin_dir() -> PathBuf {
	let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
		.expect("PostgreSQL is installed (scripts/setup.sh installs Debian's postgresql)")
		.filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
		.filter(|bin| bin.join("postgres").is_file())
		.collect();
	versions.sort();
	versions.pop().expect("a PostgreSQL version with its bin directory")
}

/// The uid and gid of the `postgres` user when this test runs as root.
fn run_as() -> Option<(u32, u32)> {
	// SAFETY: geteuid has no preconditions.
	if unsafe { libc::geteuid() } != 0 {
		return None;
	}
	let id = |flag: &str| -> u32 {
		let out = Command::new("id").args([flag, "postgres"]).output().expect("id runs");
		String::from_utf8_lossy(&out.stdout)
			.trim()
			.parse()
			.expect("a postgres system user")
	};
	Some((id("-u"), id("-g")))
}

fn command(program: &Path, user: Option<(u32, u32)>) -> Command {
	let mut command = Command::new(program);
	if let Some((uid, gid)) = user {
		command.uid(uid).gid(gid);
	}
	command
}

impl PostgresServer {
	/// Makes a cluster and starts it; returns once it takes connections.
	pub fn start() -> Self {
		cpu_hog_if_asked();
		let dir = tempfile::tempdir().expect("a temporary directory");
		let user = run_as();
		if let Some((uid, gid)) = user {
			std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
				.expect("chown the cluster's directory");
		}
		let bin = bin_dir();
		let data = dir.path().join("data");
		let init = command(&bin.join("initdb"), user)
			.arg("-D")
			.arg(&data)
			.args(["-U", "sonm", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"])
			.output()
			.expect("initdb runs");
		assert!(init.status.success(), "initdb failed: {}", String::from_utf8_lossy(&init.stderr));
		let port = free_port();
		let log = std::fs::File::create(dir.path().join("postgres.log")).expect("a log file");
		if let Some((uid, gid)) = user {
			std::os::unix::fs::chown(dir.path().join("postgres.log"), Some(uid), Some(gid)).ok();
		}
		let child = command(&bin.join("postgres"), user)
			.arg("-D")
			.arg(&data)
			.args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
			.arg("-k")
			.arg(dir.path())
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("the log"))
			.stderr(log)
			.spawn()
			.expect("postgres starts");
		let server = Self { child: Some(child), port, dir };
		server.wait_ready();
		server
	}

	fn wait_ready(&self) {
		let deadline = Instant::now() + PATIENCE;
		loop {
			let log =
				std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default();
			if log.contains("ready to accept connections") {
				return;
			}
			assert!(Instant::now() < deadline, "PostgreSQL did not start:\n{log}");
			std::thread::sleep(std::time::Duration::from_millis(100));
		}
	}

	/// The URL of database `name` on this server (the indexer creates it when missing).
	pub fn url(&self, name: &str) -> String {
		format!("postgres://sonm@127.0.0.1:{}/{name}", self.port)
	}
}

impl Drop for PostgresServer {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SIGINT: the fast shutdown (ends the server's backends too).
			// SAFETY: kill with a PID we started.
			unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
			let deadline = Instant::now() + std::time::Duration::from_secs(30);
			while Instant::now() < deadline {
				if matches!(child.try_wait(), Ok(Some(_))) {
					return;
				}
				std::thread::sleep(std::time::Duration::from_millis(50));
			}
			child.kill().ok();
			child.wait().ok();
		}
	}
}
