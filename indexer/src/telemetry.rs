//! The indexer's Prometheus metrics (`sonm_indexer_...`) and its `/health` report.

use crate::follow::FollowState;
use axum::http::StatusCode;
use prometheus::{HistogramVec, IntCounter, IntGauge};
use sonm_service::telemetry::{HealthReport, Metrics};
use std::sync::Arc;

/// Every metric the indexer exports.
#[derive(Clone)]
pub struct IndexerMetrics {
	pub registry: Metrics,
	pub lag: IntGauge,
	pub indexed_block: IntGauge,
	pub finalized_block: IntGauge,
	pub node_connected: IntGauge,
	pub blocks: IntCounter,
	pub blocks_per_second: IntGauge,
	pub rows_written: IntCounter,
	pub read_errors: IntCounter,
	pub query_seconds: HistogramVec,
}

impl IndexerMetrics {
	pub fn new() -> Self {
		let registry = Metrics::new("sonm_indexer");
		Self {
			lag: registry.gauge("finalized_lag_blocks", "Finalized blocks not indexed yet"),
			indexed_block: registry.gauge("indexed_block", "The last block written"),
			finalized_block: registry
				.gauge("finalized_block", "The chain's finalized block, as last asked"),
			node_connected: registry.gauge("node_connected", "1 while the node answers"),
			blocks: registry.counter("blocks_total", "Blocks written"),
			blocks_per_second: registry
				.gauge("blocks_per_second", "Blocks written per second while catching up"),
			rows_written: registry.counter("rows_written_total", "Rows inserted or changed"),
			read_errors: registry
				.counter("read_errors_total", "Block reads that failed and were retried"),
			query_seconds: registry.histogram_vec(
				"query_seconds",
				"API answer times by route",
				"route",
				vec![0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
			),
			registry,
		}
	}
}

impl Default for IndexerMetrics {
	fn default() -> Self {
		Self::new()
	}
}

/// `/health`: 200 while connected and at most `max_lag` finalized blocks behind, else 503 with
/// the reason.
pub fn health(state: &Arc<FollowState>, max_lag: u64) -> HealthReport {
	let status = serde_json::json!({
		"indexed": state.indexed(),
		"finalized": state.finalized(),
		"lag": state.lag(),
		"connected": state.connected(),
	});
	let problem = if !state.connected() {
		Some("the node does not answer")
	} else if state.lag().is_none_or(|lag| lag > max_lag) {
		Some("catching up with finality")
	} else {
		None
	};
	let (code, body) = match problem {
		Some(problem) => (
			StatusCode::SERVICE_UNAVAILABLE,
			serde_json::json!({ "status": problem, "at": status }),
		),
		None => (StatusCode::OK, serde_json::json!({ "status": "ok", "at": status })),
	};
	(code, "application/json", body.to_string())
}
