//! Prometheus metrics and a health endpoint, served from the bridge's first second:
//! `GET /metrics` (text format) and `GET /health` (200 "ok", or 503 with the reason: halted by
//! an alarm, or no round finished for a while).

use axum::{extract::State, http::StatusCode, routing::get, Router};
use prometheus::{Encoder, IntCounter, IntGauge, Registry, TextEncoder};
use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How long without a finished round the bridge counts as stuck.
const STUCK_AFTER: Duration = Duration::from_secs(120);

/// The bridge's metrics.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
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

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
	let counter = IntCounter::new(name, help).expect("a valid metric");
	registry.register(Box::new(counter.clone())).expect("registered once");
	counter
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
	let gauge = IntGauge::new(name, help).expect("a valid metric");
	registry.register(Box::new(gauge.clone())).expect("registered once");
	gauge
}

impl Metrics {
	pub fn new() -> Self {
		let registry = Registry::new();
		Self {
			eth_scanned_block: gauge(
				&registry,
				"sonm_bridge_eth_scanned_block",
				"The last Ethereum block whose deposits were attested",
			),
			deposits_attested: counter(
				&registry,
				"sonm_bridge_deposits_attested_total",
				"Deposits this masternode attested",
			),
			withdrawals_signed: counter(
				&registry,
				"sonm_bridge_withdrawals_signed_total",
				"Withdrawals this masternode signed",
			),
			set_changes_signed: counter(
				&registry,
				"sonm_bridge_set_changes_signed_total",
				"Signer-set changes this masternode signed",
			),
			payouts_relayed: counter(
				&registry,
				"sonm_bridge_payouts_relayed_total",
				"payOut transactions this gateway sent",
			),
			rotations_relayed: counter(
				&registry,
				"sonm_bridge_rotations_relayed_total",
				"rotate transactions this gateway sent",
			),
			prices_fed: counter(
				&registry,
				"sonm_bridge_prices_fed_total",
				"Prices fed to the oracle",
			),
			errors: counter(
				&registry,
				"sonm_bridge_errors_total",
				"Rounds that failed and were retried",
			),
			halted: gauge(&registry, "sonm_bridge_halted", "1 while an alarm stops attesting"),
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

	fn health(&self) -> (StatusCode, String) {
		let health = self.health.lock().expect("not poisoned");
		if let Some(reason) = &health.halted {
			return (StatusCode::SERVICE_UNAVAILABLE, format!("halted: {reason}\n"));
		}
		let idle = health.last_round.elapsed();
		if idle > STUCK_AFTER {
			return (
				StatusCode::SERVICE_UNAVAILABLE,
				format!("no round finished for {} s\n", idle.as_secs()),
			);
		}
		(StatusCode::OK, "ok\n".into())
	}

	fn render(&self) -> String {
		let mut buffer = Vec::new();
		TextEncoder::new()
			.encode(&self.registry.gather(), &mut buffer)
			.expect("text encoding");
		String::from_utf8(buffer).expect("the text format is UTF-8")
	}

	/// Serves `/metrics` and `/health` on `listen` in the background.
	pub async fn serve(&self, listen: &str) -> crate::error::BridgeResult<()> {
		let listener = tokio::net::TcpListener::bind(listen)
			.await
			.map_err(|e| crate::error::BridgeError::Serve(format!("--metrics {listen}: {e}")))?;
		let app = Router::new()
			.route("/metrics", get(|State(m): State<Metrics>| async move { m.render() }))
			.route("/health", get(|State(m): State<Metrics>| async move { m.health() }))
			.with_state(self.clone());
		tokio::spawn(async move {
			let _ = axum::serve(listener, app).await;
		});
		Ok(())
	}
}
