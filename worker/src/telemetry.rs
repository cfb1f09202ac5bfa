//! The worker's Prometheus metrics and its health endpoint, served over HTTP from the first
//! second: `GET /metrics` (text exposition format) and `GET /health` (JSON; 200 while the
//! chain is connected, 503 otherwise).

use axum::http::StatusCode;
use prometheus::{Histogram, IntCounter, IntGauge};
use sonm_service::telemetry::{self, HealthReport};
use std::{
	net::SocketAddr,
	sync::{Arc, Mutex},
};

/// Every metric the worker exports, registered at start.
#[derive(Clone)]
pub struct Metrics {
	registry: telemetry::Metrics,
	/// Asks of the worker's plans open on the chain.
	pub open_asks: IntGauge,
	/// Deals the worker serves.
	pub open_deals: IntGauge,
	/// SNM base units paid to the payee by the worker's bills (after the fee).
	pub billed: IntCounter,
	/// Bids the matcher tried to open a deal with.
	pub matches_tried: IntCounter,
	/// Deals the matcher opened.
	pub matches_won: IntCounter,
	/// Seconds from seeing a matchable order to the deal's inclusion.
	pub match_latency: Histogram,
	/// Deals opened from customers' signed bids (`POST /bids`).
	pub signed_bids_opened: IntCounter,
	/// Signed bids that made no deal: refused by the worker's checks or by the chain.
	pub signed_bids_refused: IntCounter,
	/// Seconds from a signed bid's arrival to its deal in a block.
	pub signed_bid_latency: Histogram,
	/// 1 while connected to the node.
	pub chain_connected: IntGauge,
	/// Open bids in the index.
	pub indexed_bids: IntGauge,
	/// The best block the worker has processed.
	pub best_block: IntGauge,
	/// What `/health` reports besides the connection.
	pub health: Arc<Mutex<serde_json::Value>>,
	/// The libp2p host's paths (see [`Metrics::follow_p2p`]).
	pub p2p: P2pMetrics,
}

/// The libp2p host's path counters, as gauges copied from the host.
#[derive(Clone)]
pub struct P2pMetrics {
	pub direct: IntGauge,
	pub relayed: IntGauge,
	pub punches: IntGauge,
	pub punched: IntGauge,
	pub upgraded: IntGauge,
	pub circuits_relayed: IntGauge,
	pub relayed_bytes_in: IntGauge,
	pub relayed_bytes_out: IntGauge,
	pub reachability: IntGauge,
}

impl Metrics {
	/// Creates and registers every metric.
	pub fn new() -> Self {
		let registry = telemetry::Metrics::new("sonm_worker");
		Self {
			open_asks: registry.gauge("open_asks", "Asks of the worker's plans open on the chain"),
			open_deals: registry.gauge("open_deals", "Deals the worker serves"),
			billed: registry
				.counter("billed_snm_base_units_total", "SNM base units the bills paid"),
			matches_tried: registry
				.counter("matches_tried_total", "Deals the matcher tried to open"),
			matches_won: registry.counter("matches_won_total", "Deals the matcher opened"),
			match_latency: registry.histogram(
				"match_latency_seconds",
				"From seeing a matchable order to its deal's inclusion",
				vec![0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 20.0, 60.0],
			),
			signed_bids_opened: registry
				.counter("signed_bids_opened_total", "Deals opened from customers' signed bids"),
			signed_bids_refused: registry.counter(
				"signed_bids_refused_total",
				"Signed bids that made no deal (the worker's checks or the chain refused them)",
			),
			signed_bid_latency: registry.histogram(
				"signed_bid_latency_seconds",
				"From a signed bid's arrival to its deal in a block",
				vec![0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0],
			),
			chain_connected: registry.gauge("chain_connected", "1 while connected to the node"),
			indexed_bids: registry.gauge("indexed_bids", "Open bids in the matcher's index"),
			best_block: registry.gauge("best_block", "The best block processed"),
			health: Arc::new(Mutex::new(serde_json::json!({ "status": "starting" }))),
			p2p: P2pMetrics {
				direct: registry
					.gauge("p2p_connections_direct", "libp2p connections made directly"),
				relayed: registry
					.gauge("p2p_connections_relayed", "libp2p connections through a relay"),
				punches: registry.gauge("p2p_punch_attempts", "Hole punches tried (DCUtR)"),
				punched: registry.gauge("p2p_punch_successes", "Hole punches that succeeded"),
				upgraded: registry.gauge(
					"p2p_upgraded_to_direct",
					"Direct connections to peers first reached through a relay",
				),
				circuits_relayed: registry
					.gauge("p2p_circuits_relayed", "Circuits relayed for other peers"),
				relayed_bytes_in: registry.gauge(
					"p2p_relayed_bytes_received",
					"Bytes received over connections through relays",
				),
				relayed_bytes_out: registry
					.gauge("p2p_relayed_bytes_sent", "Bytes sent over connections through relays"),
				reachability: registry.gauge(
					"p2p_reachability",
					"What AutoNAT finds: 0 not yet known, 1 public, 2 behind NAT",
				),
			},
			registry,
		}
	}

	/// Copies `host`'s path counters into the metrics every few seconds, for as long as the
	/// host runs.
	pub fn follow_p2p(&self, host: sonm_p2p::Host) {
		let gauges = self.p2p.clone();
		tokio::spawn(async move {
			use std::sync::atomic::Ordering::Relaxed;
			loop {
				let stats = host.stats();
				let copy = |gauge: &IntGauge, counter: &std::sync::atomic::AtomicU64| {
					gauge.set(i64::try_from(counter.load(Relaxed)).unwrap_or(i64::MAX))
				};
				copy(&gauges.direct, &stats.direct);
				copy(&gauges.relayed, &stats.relayed);
				copy(&gauges.punches, &stats.punches);
				copy(&gauges.punched, &stats.punched);
				copy(&gauges.upgraded, &stats.upgraded);
				copy(&gauges.circuits_relayed, &stats.circuits_relayed);
				copy(&gauges.relayed_bytes_in, &stats.relayed_bytes_in);
				copy(&gauges.relayed_bytes_out, &stats.relayed_bytes_out);
				copy(&gauges.reachability, &stats.reachability);
				tokio::time::sleep(std::time::Duration::from_secs(2)).await;
			}
		});
	}

	/// The metrics in the Prometheus text format.
	pub fn render(&self) -> String {
		self.registry.render()
	}

	/// The health report and its status code.
	pub fn health(&self) -> (StatusCode, String) {
		let mut report = self.health.lock().expect("not poisoned").clone();
		let connected = self.chain_connected.get() == 1;
		report["chainConnected"] = connected.into();
		report["bestBlock"] = self.best_block.get().into();
		let status = if connected { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
		(status, report.to_string())
	}

	fn health_report(&self) -> HealthReport {
		let (status, body) = self.health();
		(status, "application/json", body)
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

/// Serves `/metrics` and `/health` on `address` for the life of the process (restarted when it
/// fails). Binding happens before this returns, so a taken port is reported at start.
pub async fn serve(address: SocketAddr, metrics: Metrics) -> std::io::Result<SocketAddr> {
	let health = metrics.clone();
	let routes = telemetry::routes(metrics.registry.clone(), move || health.health_report());
	sonm_service::serve("metrics", address, routes).await
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_metric_is_registered_at_start() {
		let metrics = Metrics::new();
		let text = metrics.render();
		for name in [
			"sonm_worker_open_asks",
			"sonm_worker_open_deals",
			"sonm_worker_billed_snm_base_units_total",
			"sonm_worker_matches_tried_total",
			"sonm_worker_matches_won_total",
			"sonm_worker_match_latency_seconds_bucket",
			"sonm_worker_chain_connected",
		] {
			assert!(text.contains(name), "{name} missing from:\n{text}");
		}
		assert_eq!(metrics.health().0, StatusCode::SERVICE_UNAVAILABLE);
		metrics.chain_connected.set(1);
		assert_eq!(metrics.health().0, StatusCode::OK);
	}
}
