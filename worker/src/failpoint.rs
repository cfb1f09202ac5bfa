//! Crash points for the crash tests. With `SONM_WORKER_CRASH_AT=<point>` in its environment the
//! worker sends itself SIGKILL when it reaches `<point>`, leaving the container engine, the chain
//! and its database exactly as a `kill -9` at that moment would. Without it a point costs one
//! comparison.
//!
//! | point | where |
//! | --- | --- |
//! | `task-created` | a task's container is created and not yet started |
//! | `task-removing` | a closed deal's output is kept and its container not yet removed |

use std::sync::OnceLock;

/// The environment variable naming the point to crash at.
pub const CRASH_AT: &str = "SONM_WORKER_CRASH_AT";

/// Dies at once, as by `kill -9`, when `point` is the configured crash point.
pub fn reached(point: &str) {
	static CRASH_POINT: OnceLock<Option<String>> = OnceLock::new();
	let configured = CRASH_POINT.get_or_init(|| std::env::var(CRASH_AT).ok());
	if configured.as_deref() == Some(point) {
		tracing::warn!(point, "crash point reached: SIGKILL");
		// SAFETY: signalling this process.
		unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
	}
}
