//! The README's five-minute tour, run as written: `scripts/dev.sh` (the main job: a dev chain,
//! podman's API service and a worker on the embedded configuration) and then every `$ sonm ...`
//! line of the README's tour block, in order, through `sh -c` (so quoting is the reader's
//! shell's), with the workspace's `sonm` first on PATH. Between commands the test waits for the
//! state the next one needs (the worker's asks, the deal, the task's output), never for a
//! guessed time. `dev.sh` is started in a process group of its own and stopped by its PID (its
//! exit trap stops podman, the node and the worker by theirs); the group is killed if it
//! outlives that.
//!
//! dev.sh's ports are the README's (9944, 9620, 9630): this test is the only one in its binary.

use sonm_test_support::{workspace_bin, PATIENCE};
use std::{
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	time::{Duration, Instant},
};

/// The repository's root.
fn repo() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `$ sonm ...` lines of the README's tour block (between the `tour` markers).
fn tour_commands() -> Vec<String> {
	let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md reads");
	let start = readme
		.find("<!-- tour -->")
		.expect("the README marks its tour with <!-- tour -->");
	let end = readme[start..]
		.find("<!-- /tour -->")
		.expect("the tour ends with <!-- /tour -->");
	readme[start..start + end]
		.lines()
		.filter_map(|line| line.strip_prefix("$ "))
		.map(|command| command.split("   #").next().unwrap_or(command).trim().to_owned())
		.collect()
}

/// `scripts/dev.sh` running in its own process group; stopped when dropped.
struct DevScript {
	child: Child,
	log: PathBuf,
}

impl DevScript {
	fn start(dir: &Path) -> Self {
		let log = dir.join("dev.log");
		let out = std::fs::File::create(&log).unwrap();
		let child = Command::new(repo().join("scripts/dev.sh"))
			.current_dir(repo())
			// The suite built everything already; the podman store is this test's own.
			.env("SONM_DEV_NO_BUILD", "1")
			.env("SONM_DEV_PODMAN", dir.join("podman"))
			.env("CARGO_TARGET_DIR", target_dir())
			.stdin(Stdio::null())
			.stdout(out.try_clone().unwrap())
			.stderr(out)
			.process_group(0)
			.spawn()
			.expect("scripts/dev.sh starts");
		Self { child, log }
	}

	/// The script's output so far, without terminal colour codes.
	fn log(&self) -> String {
		// Lossy: the node, the worker and the indexer write to one pipe, and a write of one can
		// land between two halves of another's multi-byte character.
		let text =
			String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned();
		let mut plain = String::with_capacity(text.len());
		let mut chars = text.chars();
		while let Some(c) = chars.next() {
			if c == '\x1b' {
				// CSI sequences: ESC [ parameters final-byte.
				for c in chars.by_ref() {
					if c.is_ascii_alphabetic() {
						break;
					}
				}
			} else {
				plain.push(c);
			}
		}
		plain
	}
}

impl Drop for DevScript {
	fn drop(&mut self) {
		let pid = self.child.id() as libc::pid_t;
		// SAFETY: signalling our own child, then its process group, by their ids.
		unsafe { libc::kill(pid, libc::SIGTERM) };
		let deadline = Instant::now() + Duration::from_secs(60);
		while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
			std::thread::sleep(Duration::from_millis(100));
		}
		unsafe { libc::killpg(pid, libc::SIGKILL) };
		let _ = self.child.wait();
		if std::thread::panicking() {
			let log = self.log();
			let tail: Vec<&str> = log.lines().rev().take(60).collect();
			eprintln!("--- dev.sh's last lines ---");
			for line in tail.into_iter().rev() {
				eprintln!("{line}");
			}
		}
	}
}

/// `$CARGO_TARGET_DIR`: the folder above `debug/` that holds this test's binary.
fn target_dir() -> PathBuf {
	workspace_bin("sonm")
		.parent()
		.and_then(Path::parent)
		.expect("<target>/debug/sonm")
		.to_owned()
}

/// Runs `command` as a reader's shell does, with the workspace's binaries first on PATH.
fn shell(command: &str) -> Output {
	let bin = workspace_bin("sonm");
	let path = format!(
		"{}:{}",
		bin.parent().unwrap().display(),
		std::env::var("PATH").unwrap_or_default()
	);
	Command::new("sh")
		.args(["-c", command])
		.env("PATH", path)
		.env_remove("SONM_URL")
		.env_remove("SONM_FROM")
		.output()
		.expect("sh runs")
}

/// Runs `command` until `done` holds for its output (stdout and stderr together) and it
/// succeeded, for at most [`PATIENCE`].
fn run_until(command: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
	let deadline = Instant::now() + PATIENCE;
	loop {
		let output = shell(command);
		let text = format!(
			"{}{}",
			String::from_utf8_lossy(&output.stdout),
			String::from_utf8_lossy(&output.stderr)
		);
		if output.status.success() && done(&text) {
			println!("$ {command}\n{text}");
			return text;
		}
		assert!(
			Instant::now() < deadline,
			"`{command}` never showed {what}; last answer ({}):\n{text}",
			output.status
		);
		std::thread::sleep(Duration::from_millis(500));
	}
}

#[test]
fn the_readme_tour_runs_as_written_on_the_main_job() {
	let commands = tour_commands();
	for part in
		["orders create", "deals list", "task start", "task logs", "task exec", "deals close"]
	{
		assert!(
			commands.iter().any(|command| command.contains(part)),
			"the tour has no `sonm {part}` step: {commands:#?}"
		);
	}
	let dir = tempfile::tempdir().unwrap();
	let dev = DevScript::start(dir.path());
	// The worker's two asks are on chain: the main job is up.
	let deadline = Instant::now() + PATIENCE * 2;
	while !dev.log().contains("ask placed ask=1") {
		assert!(Instant::now() < deadline, "the worker placed no asks:\n{}", dev.log());
		assert!(!dev.log().contains("dev.sh: the node exited"), "{}", dev.log());
		std::thread::sleep(Duration::from_millis(500));
	}
	for command in &commands {
		// Each step waits for the state it shows, so a busy machine only makes it slower.
		let text = if command.ends_with("orders list") {
			run_until(command, "the worker's two asks", |text| {
				text.lines().filter(|line| line.contains(" ask ")).count() >= 2
			})
		} else if command.contains("orders create --side bid") {
			run_until(command, "the bid placed", |text| text.contains("bid 2 placed"))
		} else if command.contains("deals list bob") {
			run_until(command, "deal 2", |text| {
				text.lines().any(|line| line.trim_start().starts_with("2  customer"))
			})
		} else if command.contains("task start") {
			// The worker learns of the deal from the chain: until then it refuses by name.
			run_until(command, "the task started", |text| text.contains("task of deal 2 started"))
		} else if command.contains("task status") {
			run_until(command, "a running task", |text| text.contains("running"))
		} else if command.contains("task logs") {
			run_until(command, "the task's output", |text| text.contains("hello from deal 2"))
		} else if command.contains("task exec") {
			run_until(command, "the command's output", |text| text.contains("(exit code 0)"))
		} else if command.contains("deals close") {
			run_until(command, "the deal closed", |text| text.contains("deal 2 closed"))
		} else {
			run_until(command, "success", |_| true)
		};
		assert!(!text.contains("1.1999999999999998"), "amounts are shown rounded: {text}");
	}
	// Closing stopped the task: the worker removed its container.
	let deadline = Instant::now() + PATIENCE;
	while !dev.log().contains("the deal is closed: its task is removed deal=2") {
		assert!(Instant::now() < deadline, "the worker never removed deal 2's task");
		std::thread::sleep(Duration::from_millis(500));
	}
}
