//! The worker's Prometheus metrics and its health endpoint, served over HTTP from the first
//! second: `GET /metrics` (text exposition format) and `GET /health` (JSON; 200 while the
//! chain is connected, 503 otherwise).

use http_body_util::Full;
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntGauge, Registry, TextEncoder};
use std::{
	net::SocketAddr,
	sync::{Arc, Mutex},
};

/// Every metric the worker exports, registered at start.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
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
	/// 1 while connected to the node.
	pub chain_connected: IntGauge,
	/// Open bids in the index.
	pub indexed_bids: IntGauge,
	/// The best block the worker has processed.
	pub best_block: IntGauge,
	/// What `/health` reports besides the connection.
	pub health: Arc<Mutex<serde_json::Value>>,
}

impl Metrics {
	/// Creates and registers every metric.
	pub fn new() -> Self {
		let registry =
			Registry::new_custom(Some("sonm_worker".into()), None).expect("a valid metric prefix");
		let gauge = |name: &str, help: &str| {
			let gauge = IntGauge::new(name, help).expect("a valid metric");
			registry.register(Box::new(gauge.clone())).expect("registered once");
			gauge
		};
		let counter = |name: &str, help: &str| {
			let counter = IntCounter::new(name, help).expect("a valid metric");
			registry.register(Box::new(counter.clone())).expect("registered once");
			counter
		};
		let match_latency = Histogram::with_opts(
			HistogramOpts::new(
				"match_latency_seconds",
				"From seeing a matchable order to its deal's inclusion",
			)
			.buckets(vec![0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 20.0, 60.0]),
		)
		.expect("a valid histogram");
		registry.register(Box::new(match_latency.clone())).expect("registered once");
		Self {
			open_asks: gauge("open_asks", "Asks of the worker's plans open on the chain"),
			open_deals: gauge("open_deals", "Deals the worker serves"),
			billed: counter("billed_snm_base_units_total", "SNM base units the bills paid"),
			matches_tried: counter("matches_tried_total", "Deals the matcher tried to open"),
			matches_won: counter("matches_won_total", "Deals the matcher opened"),
			match_latency,
			chain_connected: gauge("chain_connected", "1 while connected to the node"),
			indexed_bids: gauge("indexed_bids", "Open bids in the matcher's index"),
			best_block: gauge("best_block", "The best block processed"),
			health: Arc::new(Mutex::new(serde_json::json!({ "status": "starting" }))),
			registry,
		}
	}

	/// The metrics in the Prometheus text format.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		TextEncoder::new()
			.encode(&self.registry.gather(), &mut buffer)
			.expect("text encoding cannot fail");
		String::from_utf8(buffer).expect("the text format is UTF-8")
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
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

/// Serves `/metrics` and `/health` on `address` until the process ends. Binding happens before
/// this returns, so a taken port is reported at start.
pub async fn serve(address: SocketAddr, metrics: Metrics) -> std::io::Result<SocketAddr> {
	let listener = tokio::net::TcpListener::bind(address).await?;
	let bound = listener.local_addr()?;
	tokio::spawn(async move {
		loop {
			let Ok((stream, _)) = listener.accept().await else { continue };
			let metrics = metrics.clone();
			tokio::spawn(async move {
				let service = service_fn(move |request: Request<hyper::body::Incoming>| {
					let metrics = metrics.clone();
					async move { Ok::<_, std::convert::Infallible>(respond(&metrics, &request)) }
				});
				let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
			});
		}
	});
	Ok(bound)
}

fn respond(metrics: &Metrics, request: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
	let (status, content_type, body) = match request.uri().path() {
		"/metrics" => (StatusCode::OK, "text/plain; version=0.0.4", metrics.render()),
		"/health" => {
			let (status, body) = metrics.health();
			(status, "application/json", body)
		},
		_ => (StatusCode::NOT_FOUND, "text/plain", "try /metrics or /health\n".into()),
	};
	Response::builder()
		.status(status)
		.header("content-type", content_type)
		.body(Full::new(Bytes::from(body)))
		.expect("a valid response")
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
