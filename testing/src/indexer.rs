//! A real `sonm-indexer run` process for a test: its log in the test's directory, its API on a
//! port of the OS's choice (read back from its log), killed by PID when dropped (and its log's
//! tail printed when the test failed).

use crate::PATIENCE;
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

pub struct IndexerProcess {
	child: Option<Child>,
	bin: PathBuf,
	log: PathBuf,
	args: Vec<String>,
	/// `http://127.0.0.1:PORT` of the running process (another port after each restart).
	pub url: String,
}

impl IndexerProcess {
	/// Starts `bin` indexing the node at `chain` into `db` (`sqlite://…` or `postgres://…`),
	/// with `extra` arguments; returns once its API answers.
	pub fn start(
		bin: &Path,
		dir: &Path,
		name: &str,
		chain: &str,
		db: &str,
		extra: &[&str],
	) -> Self {
		crate::cpu_hog_if_asked();
		let mut args = vec!["run", "--chain", chain, "--db", db, "--listen", "127.0.0.1:0"];
		args.extend_from_slice(extra);
		let mut indexer = Self {
			child: None,
			bin: bin.to_owned(),
			log: dir.join(format!("{name}.log")),
			args: args.into_iter().map(String::from).collect(),
			url: String::new(),
		};
		indexer.spawn();
		indexer
	}

	fn spawn(&mut self) {
		let from = crate::log_len(&self.log) as usize;
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log)
			.expect("a log file");
		let child = Command::new(&self.bin)
			.args(&self.args)
			.env("RUST_LOG", "info")
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("the log"))
			.stderr(log)
			.spawn()
			.expect("sonm-indexer starts");
		self.child = Some(child);
		let deadline = Instant::now() + PATIENCE;
		loop {
			let text = std::fs::read(&self.log).unwrap_or_default();
			let fresh = String::from_utf8_lossy(text.get(from..).unwrap_or_default()).into_owned();
			let bound = fresh.lines().find_map(|line| {
				let (_, rest) = line.split_once("bound=")?;
				Some(rest.split_whitespace().next()?.to_owned())
			});
			if let Some(bound) = bound {
				self.url = format!("http://{bound}");
				return;
			}
			let exited =
				self.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(Some(_))));
			assert!(!exited && Instant::now() < deadline, "sonm-indexer did not serve:\n{fresh}");
			std::thread::sleep(Duration::from_millis(50));
		}
	}

	/// SIGKILL: no chance to finish anything.
	pub fn kill9(&mut self) {
		if let Some(mut child) = self.child.take() {
			child.kill().ok();
			child.wait().ok();
		}
	}

	/// SIGTERM, and waits for the exit (SIGKILL after 30 s).
	pub fn stop(&mut self) {
		if let Some(mut child) = self.child.take() {
			// SAFETY: kill with a PID we started.
			unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
			let deadline = Instant::now() + Duration::from_secs(30);
			while Instant::now() < deadline {
				if matches!(child.try_wait(), Ok(Some(_))) {
					return;
				}
				std::thread::sleep(Duration::from_millis(20));
			}
			child.kill().ok();
			child.wait().ok();
		}
	}

	/// Killed with SIGKILL and started again with the same arguments.
	pub fn restart(&mut self) {
		self.kill9();
		self.spawn();
	}

	pub fn log_tail(&self) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = text.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}
}

impl Drop for IndexerProcess {
	fn drop(&mut self) {
		self.kill9();
		if std::thread::panicking() {
			eprintln!("--- {} ---\n{}", self.log.display(), self.log_tail());
		}
	}
}
