//! The disk fills up under a running dev node (its base path on a small tmpfs, filled by
//! another file): the node stops with a clear error, and once space is back it restarts on
//! the same base path, keeps every block it had finalized and goes on producing.

mod common;

use common::NodeProcess;
use std::{
	io::Write,
	path::{Path, PathBuf},
	process::Command,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::Duration,
};

/// A tmpfs mounted for the test, unmounted when dropped (after the node using it stopped).
struct Tmpfs(PathBuf);

impl Tmpfs {
	fn mount(at: PathBuf, size: &str) -> Self {
		std::fs::create_dir_all(&at).expect("a mount point");
		let out = Command::new("mount")
			.args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
			.arg(&at)
			.output()
			.expect("mount runs");
		assert!(out.status.success(), "mount tmpfs: {}", String::from_utf8_lossy(&out.stderr));
		Self(at)
	}
}

impl Drop for Tmpfs {
	fn drop(&mut self) {
		let _ = Command::new("umount").arg(&self.0).output();
	}
}

/// A file of zeros that fills the filesystem and keeps it full until stopped: a thread takes
/// whatever space is freed meanwhile (the node deleting its own logs would otherwise find room
/// again), as other writers on a full disk do.
struct KeepFull {
	stop: Arc<AtomicBool>,
	thread: Option<std::thread::JoinHandle<()>>,
}

impl KeepFull {
	/// Fills the filesystem of `path`; returns the keeper and the bytes written at first.
	fn start(path: &Path) -> (Self, u64) {
		let mut file = std::fs::File::create(path).expect("the filler file");
		let mut written = 0;
		for chunk in [vec![0u8; 1 << 20], vec![0u8; 4096]] {
			while let Ok(n @ 1..) = file.write(&chunk) {
				written += n as u64;
			}
		}
		let _ = file.sync_all();
		let stop = Arc::new(AtomicBool::new(false));
		let stopped = stop.clone();
		let thread = std::thread::spawn(move || {
			let block = [0u8; 4096];
			while !stopped.load(Ordering::Relaxed) {
				if !matches!(file.write(&block), Ok(1..)) {
					std::thread::sleep(Duration::from_millis(20));
				}
			}
		});
		(Self { stop, thread: Some(thread) }, written)
	}
}

impl Drop for KeepFull {
	fn drop(&mut self) {
		self.stop.store(true, Ordering::Relaxed);
		if let Some(thread) = self.thread.take() {
			let _ = thread.join();
		}
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_node_and_it_restarts_once_space_is_back() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let disk = Tmpfs::mount(dir.path().join("disk"), "96m");
	let base = disk.0.join("dev");
	let mut node = NodeProcess::start("dev", &base, &["--dev"]);
	node.rpc.wait_for_finalized(3).await;
	let finalized = node.rpc.finalized_number().await.expect("a finalized head");
	let mut kept = Vec::new();
	for number in 1..=finalized {
		kept.push((number, node.rpc.block_hash(number).await.expect("a finalized hash")));
	}

	let filler = disk.0.join("filler");
	let (full, filled) = KeepFull::start(&filler);
	println!("filled the disk with {} MiB at finalized #{finalized}", filled >> 20);

	// The node notices on its next write and stops.
	let deadline = std::time::Instant::now() + common::PATIENCE;
	while node.is_running() {
		assert!(std::time::Instant::now() < deadline, "the node kept running on a full disk");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let log = node.log_tail(40);
	assert!(log.contains("No space left on device"), "a clear error: {log}");
	println!(
		"the node stopped: {}",
		log.lines().find(|l| l.contains("No space left")).unwrap_or("")
	);

	// Space back: the node restarts on the same base path with everything it had finalized.
	drop(full);
	std::fs::remove_file(&filler).expect("the filler goes");
	let (rpc_port, p2p_port) = (common::free_port(), common::free_port());
	let node = NodeProcess::start_on_ports("dev", &base, &["--dev"], rpc_port, p2p_port);
	assert!(node.rpc.finalized_number().await.expect("a finalized head") >= finalized);
	for (number, hash) in &kept {
		assert_eq!(node.rpc.block_hash(*number).await.as_ref(), Some(hash), "block #{number}");
	}
	let (best, _) = node.rpc.best().await.expect("a best block");
	node.rpc.wait_for_best(best + 3).await;
	node.rpc.wait_for_finalized(finalized + 3).await;
	drop(node);
	drop(disk);
}
