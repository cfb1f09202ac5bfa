//! The disk fills up under a running dev node (its base path on a small tmpfs, filled by
//! another file): the node stops with a clear error, and once space is back it restarts on
//! the same base path, keeps every block it had finalized and goes on producing.

mod common;

use common::NodeProcess;
use std::{io::Write, path::PathBuf, process::Command, time::Duration};

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

/// Writes a file of zeros until the filesystem refuses more; returns its size.
fn fill(path: &std::path::Path) -> u64 {
	let mut file = std::fs::File::create(path).expect("the filler file");
	let chunk = vec![0u8; 1 << 20];
	let mut written = 0;
	loop {
		match file.write(&chunk) {
			Ok(0) | Err(_) => break,
			Ok(n) => written += n as u64,
		}
	}
	let _ = file.sync_all();
	written
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
	let filled = fill(&filler);
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
