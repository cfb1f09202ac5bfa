//! HTTP servers under supervision: bound before [`serve`] returns, restarted when they fail.

use axum::Router;
use std::{net::SocketAddr, time::Duration};

/// How long a failed server waits before it listens again.
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Serves `router` on `address` for the life of the process, as `name` in the logs. Binds
/// before it returns (a taken port is the caller's error at start) and returns the bound
/// address (port 0 picks one). A server that fails is logged and listens again on the same
/// address a second later, as often as it takes.
pub async fn serve(
	name: &'static str,
	address: SocketAddr,
	router: Router,
) -> std::io::Result<SocketAddr> {
	let listener = tokio::net::TcpListener::bind(address).await?;
	let bound = listener.local_addr()?;
	tokio::spawn(async move {
		let mut listener = Some(listener);
		loop {
			let current = match listener.take() {
				Some(listener) => listener,
				None => match tokio::net::TcpListener::bind(bound).await {
					Ok(listener) => listener,
					Err(error) => {
						tracing::warn!(%bound, "the {name} server cannot listen again: {error}");
						tokio::time::sleep(RESTART_AFTER).await;
						continue;
					},
				},
			};
			match axum::serve(current, router.clone()).await {
				Ok(()) => tracing::warn!(%bound, "the {name} server stopped; listening again"),
				Err(error) => {
					tracing::warn!(%bound, "the {name} server failed: {error}; listening again")
				},
			}
			tokio::time::sleep(RESTART_AFTER).await;
		}
	});
	Ok(bound)
}
