//! Prometheus metrics and a health endpoint, the same for every daemon: a [`Metrics`] registry
//! whose constructors register as they create, and [`routes`]: `GET /metrics` (the text
//! exposition format) and `GET /health` (the daemon's own report and status code).

use axum::{
	http::{header, StatusCode},
	response::IntoResponse,
	routing::get,
	Router,
};
use prometheus::{
	Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntGauge, Registry, TextEncoder,
};
use std::sync::Arc;

/// A daemon's metric registry, every name under its prefix (`sonm_worker_...`).
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
}

impl Metrics {
	/// An empty registry whose metrics are all named `<prefix>_...`.
	pub fn new(prefix: &str) -> Self {
		Self { registry: Registry::new_custom(Some(prefix.into()), None).expect("a valid prefix") }
	}

	/// A registered gauge.
	pub fn gauge(&self, name: &str, help: &str) -> IntGauge {
		let gauge = IntGauge::new(name, help).expect("a valid metric");
		self.registry.register(Box::new(gauge.clone())).expect("registered once");
		gauge
	}

	/// A registered counter.
	pub fn counter(&self, name: &str, help: &str) -> IntCounter {
		let counter = IntCounter::new(name, help).expect("a valid metric");
		self.registry.register(Box::new(counter.clone())).expect("registered once");
		counter
	}

	/// A registered histogram with `buckets`.
	pub fn histogram(&self, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
		let histogram = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
			.expect("a valid histogram");
		self.registry.register(Box::new(histogram.clone())).expect("registered once");
		histogram
	}

	/// A registered histogram with `buckets`, one series per value of `label`.
	pub fn histogram_vec(
		&self,
		name: &str,
		help: &str,
		label: &str,
		buckets: Vec<f64>,
	) -> HistogramVec {
		let histogram =
			HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), &[label])
				.expect("a valid histogram");
		self.registry.register(Box::new(histogram.clone())).expect("registered once");
		histogram
	}

	/// Every metric in the Prometheus text format.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		TextEncoder::new()
			.encode(&self.registry.gather(), &mut buffer)
			.expect("text encoding cannot fail");
		String::from_utf8(buffer).expect("the text format is UTF-8")
	}
}

/// A health report: its status code, content type and body.
pub type HealthReport = (StatusCode, &'static str, String);

/// `GET /metrics` over `metrics` and `GET /health` answered by `health`.
pub fn routes(
	metrics: Metrics,
	health: impl Fn() -> HealthReport + Send + Sync + 'static,
) -> Router {
	let health = Arc::new(health);
	Router::new()
		.route(
			"/metrics",
			get(move || {
				let text = metrics.render();
				async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text) }
			}),
		)
		.route(
			"/health",
			get(move || {
				let (status, content_type, body) = health();
				async move { (status, [(header::CONTENT_TYPE, content_type)], body).into_response() }
			}),
		)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn metrics_and_health_are_served_and_the_server_answers_at_once() {
		let metrics = Metrics::new("sonm_test");
		let counter = metrics.counter("things_total", "Things");
		counter.inc();
		let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
		let report = healthy.clone();
		let router = routes(metrics, move || {
			if report.load(std::sync::atomic::Ordering::Relaxed) {
				(StatusCode::OK, "text/plain", "ok\n".into())
			} else {
				(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "starting\n".into())
			}
		});
		let bound = crate::serve("test", "127.0.0.1:0".parse().unwrap(), router).await.unwrap();
		let get = |path: &'static str| async move {
			let response = reqwest::get(format!("http://{bound}{path}")).await.unwrap();
			(response.status().as_u16(), response.text().await.unwrap())
		};
		let (status, text) = get("/metrics").await;
		assert_eq!(status, 200);
		assert!(text.contains("sonm_test_things_total 1"), "{text}");
		assert_eq!(get("/health").await, (503, "starting\n".into()));
		healthy.store(true, std::sync::atomic::Ordering::Relaxed);
		assert_eq!(get("/health").await, (200, "ok\n".into()));
	}

	#[tokio::test]
	async fn a_taken_port_fails_the_start() {
		let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let address = taken.local_addr().unwrap();
		let error = crate::serve("test", address, Router::new()).await.unwrap_err();
		assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
	}
}
