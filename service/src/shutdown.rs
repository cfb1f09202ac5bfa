//! Stopping a daemon cleanly: SIGTERM (or Ctrl-C) asks it to stop, and the daemon finishes the
//! step it is in, lets its state be flushed and exits with status 0. The daemons' loops wait
//! between steps with [`Shutdown::sleep`], which ends early when a stop was asked for.

use std::time::Duration;
use tokio::sync::watch;

/// A stop request, shared by every part of a daemon (clones see the same request).
#[derive(Clone, Debug)]
pub struct Shutdown {
	requested: watch::Receiver<bool>,
}

impl Shutdown {
	/// A request set by SIGTERM or SIGINT from now on (the handlers replace the default
	/// action, so the process is no longer killed by them).
	pub fn on_signals() -> std::io::Result<Self> {
		use tokio::signal::unix::{signal, SignalKind};
		let mut terminate = signal(SignalKind::terminate())?;
		let mut interrupt = signal(SignalKind::interrupt())?;
		let (sender, requested) = watch::channel(false);
		tokio::spawn(async move {
			let name = tokio::select! {
				_ = terminate.recv() => "SIGTERM",
				_ = interrupt.recv() => "SIGINT",
			};
			tracing::info!("{name}: stopping after the current step");
			let _ = sender.send(true);
			// Kept alive, so that the request stays readable.
			std::future::pending::<()>().await;
		});
		Ok(Self { requested })
	}

	/// A request that nothing but [`Shutdown::manual`]'s sender sets (tests, one-shot runs).
	pub fn manual() -> (watch::Sender<bool>, Self) {
		let (sender, requested) = watch::channel(false);
		(sender, Self { requested })
	}

	/// Whether a stop was asked for.
	pub fn requested(&self) -> bool {
		*self.requested.borrow()
	}

	/// Resolves once a stop is asked for.
	pub async fn wait(&self) {
		let mut requested = self.requested.clone();
		// An error means the sender is gone: no request can come any more.
		if requested.wait_for(|stop| *stop).await.is_err() {
			std::future::pending::<()>().await;
		}
	}

	/// Sleeps `duration`; `false` when a stop was asked for before or meanwhile (the caller
	/// stops), `true` otherwise.
	pub async fn sleep(&self, duration: Duration) -> bool {
		if self.requested() {
			return false;
		}
		tokio::select! {
			_ = tokio::time::sleep(duration) => !self.requested(),
			_ = self.wait() => false,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn a_request_ends_the_sleep_at_once_and_every_later_one() {
		let (sender, stop) = Shutdown::manual();
		assert!(stop.sleep(Duration::from_millis(10)).await, "no request: the sleep is whole");
		let sleeper = stop.clone();
		let sleeping = tokio::spawn(async move { sleeper.sleep(Duration::from_secs(3_600)).await });
		sender.send(true).unwrap();
		let slept = tokio::time::timeout(Duration::from_secs(30), sleeping).await;
		assert!(!slept.expect("the sleep ended early").unwrap(), "it reports the stop");
		assert!(stop.requested());
		assert!(!stop.sleep(Duration::from_secs(3_600)).await, "a later sleep ends at once");
	}

	#[tokio::test]
	async fn sigterm_is_a_request_not_a_kill() {
		let stop = Shutdown::on_signals().expect("handlers installed");
		// SAFETY: signalling this process, whose SIGTERM handler is installed above.
		unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
		tokio::time::timeout(Duration::from_secs(30), stop.wait())
			.await
			.expect("the request");
		assert!(stop.requested());
	}
}
