//! How fast the market's reads answer at the size the book has reached: open orders and deals
//! counted by their storage keys, then, each timed over a number of calls: `market_orders` (a
//! page from the start, one from the middle of the ids and one of the newest),
//! `market_matchingOrders` of the newest order, and `market_dealsOf` of a customer with open
//! deals (its first page and a page from the middle of its deals).
//!
//! Each read is timed twice: through the client's WebSocket, as the CLI, the worker and the
//! indexer read, and as one HTTP POST to the same port. The two differ for answers of more
//! than about 8 KiB: the node's RPC server (sc-rpc-server) leaves Nagle's algorithm on for
//! the sockets it accepts and writes such a WebSocket frame in two pieces, so the second waits
//! for an ACK that the client's kernel delays up to 40 ms; HTTP answers go out in one piece.

use crate::{stats::percentile, LoadError};
use serde_json::json;
use sonm_client::{runtime, subxt::rpcs::rpc_params, types::OrderFilter, Client, ClientError};
use std::time::{Duration, Instant};

/// Orders or deals in each timed page.
pub const PAGE: u32 = 100;

/// The latency of one read over its samples, in milliseconds to the hundredth (reads answer
/// in well under one).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ReadLatency {
	/// How many calls were timed.
	pub count: usize,
	pub p50_ms: f64,
	pub p99_ms: f64,
}

impl ReadLatency {
	fn of(mut samples: Vec<Duration>) -> Self {
		let mut at = |p| {
			let took = percentile(&mut samples, p).unwrap_or_default();
			(took.as_secs_f64() * 100_000.0).round() / 100.0
		};
		let (p50_ms, p99_ms) = (at(50.0), at(99.0));
		Self { count: samples.len(), p50_ms, p99_ms }
	}

	fn text(&self) -> String {
		if self.count == 0 {
			return "-".to_owned();
		}
		format!("p50 {:.2} / p99 {:.2} ms", self.p50_ms, self.p99_ms)
	}
}

/// The reads' latencies over one transport.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ReadSet {
	/// `market_orders` of the first [`PAGE`] open orders.
	pub orders_first_page: ReadLatency,
	/// `market_orders` of [`PAGE`] from the middle of the ids given so far.
	pub orders_middle_page: ReadLatency,
	/// `market_orders` of the [`PAGE`] newest.
	pub orders_newest_page: ReadLatency,
	/// `market_matchingOrders` of the newest order, 10 at most.
	pub matching_orders: ReadLatency,
	/// `market_dealsOf` of the customer timed: its first [`PAGE`] deals.
	pub deals_first_page: ReadLatency,
	/// `market_dealsOf` of that customer: [`PAGE`] from the middle of its deals.
	pub deals_middle_page: ReadLatency,
}

impl ReadSet {
	fn text(&self) -> String {
		format!(
			"market_orders first page {}, middle {}, newest {}; market_matchingOrders {}; market_dealsOf first page {}, middle {}",
			self.orders_first_page.text(),
			self.orders_middle_page.text(),
			self.orders_newest_page.text(),
			self.matching_orders.text(),
			self.deals_first_page.text(),
			self.deals_middle_page.text(),
		)
	}
}

/// The book's size and its reads' latencies.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reads {
	pub open_orders: u64,
	pub open_deals: u64,
	/// How many open deals the customer timed for `market_dealsOf` has.
	pub customer_deals: u64,
	/// Through the client's WebSocket.
	pub ws: ReadSet,
	/// As single HTTP POSTs.
	pub http: ReadSet,
}

impl Reads {
	pub fn text(&self) -> String {
		format!(
			"  book: {} open orders, {} open deals ({} of them the timed customer's)\n  over WebSocket: {}\n  over HTTP: {}\n",
			self.open_orders,
			self.open_deals,
			self.customer_deals,
			self.ws.text(),
			self.http.text(),
		)
	}
}

/// Counts the book and times `samples` calls of each read.
pub async fn measure(client: &Client, samples: usize) -> Result<Reads, LoadError> {
	let at = client.at_best().await?;
	let storage = at.storage();
	let market = runtime::storage().market();
	let orders = storage.entry(market.orders()).map_err(ClientError::from)?.key_prefix();
	let deals = storage.entry(market.deals()).map_err(ClientError::from)?.key_prefix();
	let open_orders = count_keys(client, orders).await?;
	let open_deals = count_keys(client, deals).await?;
	let next_order_id = storage.entry(market.next_order_id()).map_err(ClientError::from)?;
	let next_id: u64 = next_order_id
		.fetch(())
		.await
		.map_err(ClientError::from)?
		.decode()
		.map_err(ClientError::from)?;
	let all = OrderFilter::default();
	let newest = client.orders(&all, next_id.saturating_sub(1_000), 1000).await?;
	let newest = newest.last().map(|order| order.id);
	let customer = a_customer(client, deals).await?;
	let (mut customer_deals, mut deals_middle) = (0, 0);
	if let Some(customer) = &customer {
		let theirs = client.deals_of(customer).await?;
		customer_deals = theirs.len() as u64;
		deals_middle = theirs.get(theirs.len() / 2).map_or(0, |deal| deal.id);
	}
	// Each read as a method and its parameters, timed over both transports.
	type Field = fn(&mut ReadSet) -> &mut ReadLatency;
	let page = |from: u64| json!([null, from, PAGE]);
	let mut calls: Vec<(Field, &str, serde_json::Value)> = vec![
		(|set| &mut set.orders_first_page, "market_orders", page(0)),
		(|set| &mut set.orders_middle_page, "market_orders", page(next_id / 2)),
		(
			|set| &mut set.orders_newest_page,
			"market_orders",
			page(next_id.saturating_sub(PAGE as u64)),
		),
	];
	if let Some(id) = newest {
		calls.push((|set| &mut set.matching_orders, "market_matchingOrders", json!([id, 10])));
	}
	if let Some(customer) = &customer {
		let first = json!([customer, 0, PAGE]);
		calls.push((|set| &mut set.deals_first_page, "market_dealsOf", first));
		let middle = json!([customer, deals_middle, PAGE]);
		calls.push((|set| &mut set.deals_middle_page, "market_dealsOf", middle));
	}
	let http = reqwest::Client::new();
	let http_url = http_url(client.url());
	let (mut ws, mut over_http) = (ReadSet::default(), ReadSet::default());
	for (field, method, params) in calls {
		let ws_params = || {
			let mut list = rpc_params![];
			for param in params.as_array().expect("a list of parameters") {
				list.push(param).expect("a JSON value");
			}
			list
		};
		let over_ws =
			time(samples, || client.rpc::<serde_json::Value>(method, ws_params())).await?;
		let body =
			json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
		let post = || async {
			let answer = http
				.post(&http_url)
				.header("Content-Type", "application/json")
				.body(body.clone())
				.send()
				.await
				.and_then(|answer| answer.error_for_status())
				.map_err(|e| LoadError::Setup(format!("{method} over HTTP: {e}")))?;
			answer
				.bytes()
				.await
				.map_err(|e| LoadError::Setup(format!("{method} over HTTP: {e}")))
		};
		let timed_http = time_with(samples, post).await?;
		*field(&mut ws) = over_ws;
		*field(&mut over_http) = timed_http;
	}
	Ok(Reads { open_orders, open_deals, customer_deals, ws, http: over_http })
}

/// The node's HTTP address for its WebSocket one (the node serves both on one port).
fn http_url(ws_url: &str) -> String {
	match ws_url.split_once("://") {
		Some(("wss", rest)) => format!("https://{rest}"),
		Some((_, rest)) => format!("http://{rest}"),
		None => format!("http://{ws_url}"),
	}
}

/// The customer of the open deal whose key comes first, if any deal is open.
async fn a_customer(client: &Client, deals: [u8; 32]) -> Result<Option<String>, LoadError> {
	let prefix = format!("0x{}", hex::encode(deals));
	let keys: Vec<String> = client
		.rpc("state_getKeysPaged", rpc_params![prefix, 1, Option::<String>::None])
		.await?;
	// A `Deals` key ends with the deal's id, SCALE (little-endian), after its Blake2-128 hash.
	let id = keys.first().and_then(|key| {
		let bytes = hex::decode(key.trim_start_matches("0x")).ok()?;
		let tail: [u8; 8] = bytes.get(bytes.len().checked_sub(8)?..)?.try_into().ok()?;
		Some(u64::from_le_bytes(tail))
	});
	let Some(id) = id else { return Ok(None) };
	Ok(client.deal(id).await?.map(|deal| deal.consumer))
}

async fn time<F, Fut, T>(samples: usize, mut call: F) -> Result<ReadLatency, LoadError>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<T, sonm_client::ClientError>>,
{
	time_with(samples, || {
		let answer = call();
		async move { answer.await.map_err(LoadError::from) }
	})
	.await
}

async fn time_with<F, Fut, T>(samples: usize, mut call: F) -> Result<ReadLatency, LoadError>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<T, LoadError>>,
{
	let mut took: Vec<Duration> = Vec::with_capacity(samples);
	for _ in 0..samples {
		let started = Instant::now();
		call().await?;
		took.push(started.elapsed());
	}
	Ok(ReadLatency::of(took))
}

/// The keys under a storage map's `prefix`, counted a thousand at a time (only the keys travel:
/// the book can hold hundreds of thousands of orders).
async fn count_keys(client: &Client, prefix: [u8; 32]) -> Result<u64, LoadError> {
	let prefix = format!("0x{}", hex::encode(prefix));
	let mut count = 0u64;
	let mut start: Option<String> = None;
	loop {
		let keys: Vec<String> = client
			.rpc("state_getKeysPaged", rpc_params![prefix.clone(), 1000, start.clone()])
			.await?;
		count += keys.len() as u64;
		if keys.len() < 1000 {
			return Ok(count);
		}
		start = keys.last().cloned();
	}
}
