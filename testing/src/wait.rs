//! Waiting for a condition, never for a guessed time: poll every half second, fail by name
//! after [`PATIENCE`](crate::PATIENCE).

use crate::PATIENCE;
use std::{
	future::Future,
	time::{Duration, Instant},
};

/// How often a condition is polled.
const POLL: Duration = Duration::from_millis(500);

/// Polls `probe` until it returns `Some`; panics with `what` after [`PATIENCE`].
pub async fn wait_for<T, Fut>(what: &str, mut probe: impl FnMut() -> Fut) -> T
where
	Fut: Future<Output = Option<T>>,
{
	let deadline = Instant::now() + PATIENCE;
	loop {
		if let Some(value) = probe().await {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out waiting for {what}");
		tokio::time::sleep(POLL).await;
	}
}

/// Polls `probe` until it holds; panics with `what` after [`PATIENCE`].
pub async fn wait_until<Fut>(what: &str, mut probe: impl FnMut() -> Fut)
where
	Fut: Future<Output = bool>,
{
	wait_for(what, || {
		let holds = probe();
		async move { holds.await.then_some(()) }
	})
	.await
}

/// [`wait_for`] for tests without an async runtime: the thread sleeps between polls.
pub fn wait_for_blocking<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
	let deadline = Instant::now() + PATIENCE;
	loop {
		if let Some(value) = probe() {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out waiting for {what}");
		std::thread::sleep(POLL);
	}
}
