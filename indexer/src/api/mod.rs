//! The read API (axum, JSON): every route and its parameters as `sonm_client::indexer_api`
//! declares them, each query checked against that declaration before any SQL runs, and the
//! OpenAPI description built from the same declaration.

pub mod history;
mod listings;
mod matches;
pub mod openapi;
pub mod periods;
pub mod rows;
mod sql;

use crate::{follow::FollowState, store::Store, telemetry::IndexerMetrics};
use axum::{
	extract::{MatchedPath, Request},
	http::{header, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use sonm_client::indexer_api::{self, ApiError, Query, Route};
use std::{sync::Arc, time::Instant};

/// What every handler reads.
#[derive(Clone)]
pub struct ApiState {
	pub store: Store,
	pub follow: Arc<FollowState>,
	/// Price indexes answered in the last [`history::PRICE_INDEX_FRESH`], by query: an index
	/// over weeks of asks reads every one of them, and a minute-old one is as good.
	pub price_indexes: Arc<
		std::sync::Mutex<
			std::collections::HashMap<String, (Instant, sonm_client::indexer_api::PriceIndex)>,
		>,
	>,
}

impl ApiState {
	pub fn new(store: Store, follow: Arc<FollowState>) -> Self {
		Self { store, follow, price_indexes: Default::default() }
	}
}

/// A refusal or a failure, answered as `{"error": NAME, "message": ...}`.
pub struct Refusal(StatusCode, ApiError);

impl Refusal {
	pub fn bad(error: ApiError) -> Self {
		Self(StatusCode::BAD_REQUEST, error)
	}

	pub fn not_found(what: String) -> Self {
		Self(StatusCode::NOT_FOUND, ApiError::new("NotFound", what))
	}
}

impl From<sqlx::Error> for Refusal {
	fn from(error: sqlx::Error) -> Self {
		tracing::error!(%error, "a query failed");
		Self(
			StatusCode::INTERNAL_SERVER_ERROR,
			ApiError::new("Internal", "the database failed; see the indexer's log"),
		)
	}
}

impl IntoResponse for Refusal {
	fn into_response(self) -> Response {
		(self.0, Json(self.1)).into_response()
	}
}

pub type Answer<T> = Result<Json<T>, Refusal>;

/// Checks the request's query against `path`'s declaration.
pub fn query(path: &str, raw: Option<&str>) -> Result<(Route, Query), Refusal> {
	let route = indexer_api::route(path);
	let query = indexer_api::parse_query(&route, raw.unwrap_or("")).map_err(Refusal::bad)?;
	Ok((route, query))
}

/// A path's `{id}`, refused by name when it is not a number.
pub fn path_id(text: &str) -> Result<u64, Refusal> {
	text.parse()
		.map_err(|_| Refusal::bad(ApiError::new("BadValue", format!("{text:?} is not an id"))))
}

/// A path's `{address}`, refused by name when it is not SS58.
pub fn path_account(text: &str) -> Result<String, Refusal> {
	use std::str::FromStr;
	sonm_client::AccountId32::from_str(text)
		.map(|account| account.to_string())
		.map_err(|_| {
			Refusal::bad(ApiError::new("BadAddress", format!("{text:?} is not an SS58 address")))
		})
}

/// The API's router, with `/metrics` and `/health` beside it.
pub fn router(state: ApiState, metrics: IndexerMetrics, max_lag: u64) -> Router {
	let timing = metrics.clone();
	let follow = state.follow.clone();
	let api = Router::new()
		.route("/orders", get(listings::orders))
		.route("/orders/{id}", get(listings::order))
		.route("/orders/{id}/matches", get(matches::matches))
		.route("/deals", get(listings::deals))
		.route("/deals/{id}", get(listings::deal))
		.route("/accounts/{address}/history", get(history::history))
		.route("/accounts/{address}/events", get(history::account_events))
		.route("/suppliers/{address}", get(history::supplier))
		.route("/prices/index", get(history::price_index))
		.route("/prices/oracle", get(history::oracle))
		.route("/masternodes", get(history::masternodes))
		.route("/gateway/transfers", get(history::transfers))
		.route("/status", get(history::status))
		.route("/openapi.json", get(|| async { Json(openapi::document()) }))
		.fallback(|| async {
			Refusal::not_found("no such route; the routes are listed at /openapi.json".into())
		})
		.with_state(state)
		.layer(middleware::from_fn(move |request: Request, next: Next| {
			let metrics = timing.clone();
			async move { timed(metrics, request, next).await }
		}));
	api.merge(sonm_service::telemetry::routes(metrics.registry.clone(), move || {
		crate::telemetry::health(&follow, max_lag)
	}))
}

/// Records each answer's time under its route, and lets any page read it (the web console).
async fn timed(metrics: IndexerMetrics, request: Request, next: Next) -> Response {
	let route = request
		.extensions()
		.get::<MatchedPath>()
		.map(|path| path.as_str().to_owned())
		.unwrap_or_else(|| "unmatched".into());
	let started = Instant::now();
	let mut response = next.run(request).await;
	metrics
		.query_seconds
		.with_label_values(&[&route])
		.observe(started.elapsed().as_secs_f64());
	response
		.headers_mut()
		.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
	response
}
