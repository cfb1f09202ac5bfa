//! Prometheus metrics and a health endpoint, served from the bridge's first second:
//! `GET /metrics` (text format) and `GET /health` (200 "ok", or 503 with the reason: halted by
//! an alarm, or no round finished for a while).

use axum::http::StatusCode;
use prometheus::{IntCounter, IntGauge};
use sonm_service::telemetry;
use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How long without a finished round the bridge counts as stuck.
const STUCK_AFTER: Duration = Duration::from_secs(120);

/// The bridge's metrics.
#[derive(Clone)]
pub struct Metrics {
	registry: telemetry::Metrics,
	/// The last Ethereum block whose deposits were attested.
	pub eth_scanned_block: IntGauge,
	pub deposits_attested: IntCounter,
	pub withdrawals_signed: IntCounter,
	pub set_changes_signed: IntCounter,
	pub payouts_relayed: IntCounter,
	pub rotations_relayed: IntCounter,
	pub prices_fed: IntCounter,
	/// Rounds that failed (the next one retries).
	pub errors: IntCounter,
	/// 1 while an alarm (a reorg under an attested deposit) stops attesting.
	pub halted: IntGauge,
	health: Arc<Mutex<Health>>,
}

struct Health {
	last_round: Instant,
	halted: Option<String>,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

impl Metrics {
	pub fn new() -> Self {
		let registry = telemetry::Metrics::new("sonm_bridge");
		Self {
			eth_scanned_block: registry
				.gauge("eth_scanned_block", "The last Ethereum block whose deposits were attested"),
			deposits_attested: registry
				.counter("deposits_attested_total", "Deposits this masternode attested"),
			withdrawals_signed: registry
				.counter("withdrawals_signed_total", "Withdrawals this masternode signed"),
			set_changes_signed: registry
				.counter("set_changes_signed_total", "Signer-set changes this masternode signed"),
			payouts_relayed: registry
				.counter("payouts_relayed_total", "payOut transactions this gateway sent"),
			rotations_relayed: registry
				.counter("rotations_relayed_total", "rotate transactions this gateway sent"),
			prices_fed: registry.counter("prices_fed_total", "Prices fed to the oracle"),
			errors: registry.counter("errors_total", "Rounds that failed and were retried"),
			halted: registry.gauge("halted", "1 while an alarm stops attesting"),
			health: Arc::new(Mutex::new(Health { last_round: Instant::now(), halted: None })),
			registry,
		}
	}

	/// A round finished.
	pub fn round_done(&self) {
		self.health.lock().expect("not poisoned").last_round = Instant::now();
	}

	/// An alarm stops the bridge's work: `/health` answers 503 with `reason`.
	pub fn set_halted(&self, reason: &str) {
		self.halted.set(1);
		self.health.lock().expect("not poisoned").halted = Some(reason.to_owned());
	}

	fn health(&self) -> telemetry::HealthReport {
		let health = self.health.lock().expect("not poisoned");
		if let Some(reason) = &health.halted {
			return (StatusCode::SERVICE_UNAVAILABLE, "text/plain", format!("halted: {reason}\n"));
		}
		let idle = health.last_round.elapsed();
		if idle > STUCK_AFTER {
			return (
				StatusCode::SERVICE_UNAVAILABLE,
				"text/plain",
				format!("no round finished for {} s\n", idle.as_secs()),
			);
		}
		(StatusCode::OK, "text/plain", "ok\n".into())
	}

	/// Serves `/metrics` and `/health` on `listen` for the life of the process (restarted when
	/// it fails); a taken port fails the start.
	pub async fn serve(&self, listen: &str) -> crate::error::BridgeResult<()> {
		let serve_error =
			|e: String| crate::error::BridgeError::Serve(format!("--metrics {listen}: {e}"));
		let address = std::net::ToSocketAddrs::to_socket_addrs(listen)
			.map_err(|e| serve_error(e.to_string()))?
			.next()
			.ok_or_else(|| serve_error("names no address".into()))?;
		let health = self.clone();
		let routes = telemetry::routes(self.registry.clone(), move || health.health());
		sonm_service::serve("metrics", address, routes)
			.await
			.map_err(|e| serve_error(e.to_string()))?;
		Ok(())
	}
}
