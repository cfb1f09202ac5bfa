//! Numbers that test processes running at once must not share (a subnet, an address): each
//! is claimed with a lock file made exclusively under the temporary directory, holding the
//! claimer's PID, and given back when the [`Claim`] is dropped. A claim whose process is gone
//! (a test killed) is taken over.

use std::{io::Write, ops::RangeInclusive, path::PathBuf};

/// A number no other live test process holds.
pub struct Claim {
	/// The number.
	pub value: u16,
	path: PathBuf,
}

/// Claims a number of `range` for `kind` (`podman-subnet`, ...); panics when all are held.
pub fn claim(kind: &str, range: RangeInclusive<u16>) -> Claim {
	let dir = std::env::temp_dir().join("sonm-test-claims");
	std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
	let (low, high) = (*range.start(), *range.end());
	let span = u32::from(high - low) + 1;
	// Start at a place of this process's own, so that processes rarely race for one number.
	let start = std::process::id() % span;
	for step in 0..span {
		let value = low + ((start + step) % span) as u16;
		let path = dir.join(format!("{kind}-{value}"));
		let made = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
		match made {
			Ok(mut file) => {
				let _ = write!(file, "{}", std::process::id());
				return Claim { value, path };
			},
			Err(_) if holder_is_gone(&path) => {
				// Taken over: the holder was killed without giving it back.
				if std::fs::write(&path, std::process::id().to_string()).is_ok() {
					return Claim { value, path };
				}
			},
			Err(_) => {},
		}
	}
	panic!("every {kind} of {range:?} is claimed by a running test");
}

/// Whether the process that wrote the claim at `path` no longer runs.
fn holder_is_gone(path: &std::path::Path) -> bool {
	let Ok(text) = std::fs::read_to_string(path) else { return false };
	let Ok(pid) = text.trim().parse::<u32>() else { return false };
	pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl Drop for Claim {
	fn drop(&mut self) {
		let _ = std::fs::remove_file(&self.path);
	}
}
