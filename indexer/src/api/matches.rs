//! `/orders/{id}/matches`: the open asks that would make a deal with a bid now. SQL narrows the
//! book by the order's own terms (unit, price, duration, benchmarks, network flags, expiry);
//! the market's shared matching function (`sonm_primitives::matching`, through the client's
//! `check_match` with masters, identity levels and blacklists asked of the node at the last
//! written block, a round trip per round of missing facts) has the last word on each
//! candidate, so the answer is the chain's.

use super::{
	listings::find_order,
	path_id, query,
	rows::{self, ORDER_COLUMNS},
	sql::{Arg, Filter},
	Answer, ApiState, Refusal,
};
use crate::store::{amount, Backend};
use axum::{
	extract::{Path, RawQuery, State},
	Json,
};
use sonm_client::{
	indexer_api::{ApiError, IndexedOrder},
	matching::Facts,
	types::Order,
};
use sonm_primitives::{benchmarks, market::Side};
use sqlx::Row;
use std::str::FromStr;

/// The fewest candidates read from the database at once (the first read takes four per match
/// wanted, each later one twice the last, up to [`MAX_PAGE`]).
const MIN_PAGE: u64 = 20;
/// The most candidates read from the database at once.
const MAX_PAGE: u64 = 1_000;
/// The most candidates checked for one answer.
const MAX_CANDIDATES: u64 = 5_000;

pub async fn matches(
	State(state): State<ApiState>,
	Path(id): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<Vec<IndexedOrder>> {
	let (_, query) = query("/orders/{id}/matches", raw.as_deref())?;
	let id = path_id(&id)?;
	let limit = query.limit();
	let bid = find_order(&state, id)
		.await?
		.ok_or_else(|| Refusal::not_found(format!("no order {id}")))?;
	if bid.order.side != Side::Bid {
		return Err(Refusal::bad(ApiError::new(
			"NotABid",
			format!("order {id} is an ask; matches are asked for bids"),
		)));
	}
	if bid.status != "Active" {
		return Err(Refusal::bad(ApiError::new(
			"OrderNotActive",
			format!("order {id} is {}", bid.status),
		)));
	}
	let client = state.follow.client.read().await.clone().ok_or_else(unavailable)?;
	// The chain's time as indexed: the newest written block's.
	let now = sqlx::query("SELECT time FROM blocks ORDER BY number DESC LIMIT 1")
		.fetch_optional(&state.store.pool)
		.await?
		.map_or(0, |row| row.get::<i64, _>(0) as u64);

	let mut filter = Filter::default();
	filter.push("side = 'Ask' AND status = 'Active'".into());
	filter.text("unit", Some(bid.order.price.unit.to_string()));
	filter.amount_range(
		"per_second",
		sonm_client::indexer_api::Range { min: None, max: Some(bid.order.price.per_second) },
	);
	// The bid's own author is left to the rules: a condition on a column the book's index does
	// not hold would read every row the index passes.
	if bid.order.duration == 0 {
		filter.push("duration = 0".into());
	} else {
		let p = filter.arg(Arg::Int(bid.order.duration as i64));
		filter.push(format!("duration >= {p}"));
	}
	for index in 0..benchmarks::STANDARD_COUNT {
		let needed = benchmarks::value_at(&bid.order.benchmarks, index);
		if needed > 0 {
			let p = filter.arg(Arg::Int(crate::write::stored_integer(needed)));
			filter.push(format!("b{index} >= {p}"));
		}
	}
	if bid.order.netflags > 0 {
		let p = filter.arg(Arg::Int(i64::from(bid.order.netflags)));
		filter.push(format!("(netflags & {p}) = {p}"));
	}
	let p = filter.arg(Arg::Int(now as i64));
	filter.push(format!("(expires_at IS NULL OR expires_at > {p})"));

	// The facts are the chain's at the last written block, so that they and the book agree.
	let at = state.follow.indexed_hash().ok_or_else(unavailable)?;
	let at_hash =
		sonm_client::subxt::utils::H256::from_str(at.trim_start_matches("0x")).map_err(|_| {
			Refusal(
				axum::http::StatusCode::INTERNAL_SERVER_ERROR,
				ApiError::new(
					"BadBlockHash",
					format!("the indexed block's hash {at:?} is not hex"),
				),
			)
		})?;
	let mut cached = state.follow.facts.lock().await;
	if cached.0.as_deref() != Some(at.as_str()) {
		*cached = (Some(at), Facts::default());
	}
	let mut search = Search {
		state: &state,
		client: &client,
		bid: &bid.order,
		now,
		at: at_hash,
		facts: &mut cached.1,
		limit,
		found: Vec::new(),
		checked: 0,
	};
	if state.store.backend != Backend::Sqlite {
		// PostgreSQL's planner weighs the paths itself, from its statistics.
		search.collect(&filter, None).await?;
		return Ok(Json(search.found));
	}
	// SQLite: the cheapest asks the bid can afford first, in price order; only if they hold
	// too few matches is the rest read by the scarcest resource the bid needs.
	let window_end: Option<String> = {
		let mut window = Filter::default();
		window.push("status = 'Active' AND side = 'Ask'".into());
		window.text("unit", Some(bid.order.price.unit.to_string()));
		let p = window.arg(Arg::Text(amount(bid.order.price.per_second)));
		window.push(format!("per_second <= {p}"));
		let sql = format!(
			"SELECT per_second FROM orders INDEXED BY orders_book{} ORDER BY per_second, id LIMIT 1 OFFSET {PRICE_WINDOW}",
			window.clause()
		);
		window
			.bind(sqlx::query(&sql))
			.fetch_optional(&state.store.pool)
			.await?
			.map(|row| row.get(0))
	};
	let Some(window_end) = window_end else {
		// Fewer affordable asks than one window: the price order reads them all cheaply.
		search.collect(&filter, Some(PRICE_ORDER)).await?;
		return Ok(Json(search.found));
	};
	let mut cheapest = filter.clone();
	let p = cheapest.arg(Arg::Text(window_end.clone()));
	cheapest.push(format!("per_second <= {p}"));
	search.collect(&cheapest, Some(PRICE_ORDER)).await?;
	if search.wants_more() {
		let mut rest = filter;
		let p = rest.arg(Arg::Text(window_end));
		rest.push(format!("per_second > {p}"));
		let path = scarcest_resource(&state, &bid.order).await?;
		search.collect(&rest, Some(path.unwrap_or(PRICE_ORDER))).await?;
	}
	Ok(Json(search.found))
}

/// The book's index in price order (migrations 0001, 0002).
const PRICE_ORDER: &str = "orders_book";
/// How many of the cheapest affordable asks are read in price order before another path is
/// considered.
const PRICE_WINDOW: u64 = 2_000;
/// The most index entries one probe counts: a resource more asks than this have enough of is
/// no better a path than the price order.
const PROBE_CAP: u64 = 20_000;
/// The main resources with an index of the open asks of their own (migration 0003).
const RESOURCE_INDEXES: [(usize, &str); 5] = [
	(benchmarks::CPU_CORES, "open_asks_by_cores"),
	(benchmarks::RAM_SIZE, "open_asks_by_memory"),
	(benchmarks::STORAGE_SIZE, "open_asks_by_storage"),
	(benchmarks::GPU_COUNT, "open_asks_by_gpus"),
	(benchmarks::GPU_MEM, "open_asks_by_gpu_memory"),
];

/// One answer being gathered: candidates read from the database, checked by the rules.
struct Search<'a> {
	state: &'a ApiState,
	client: &'a sonm_client::Client,
	bid: &'a Order,
	now: u64,
	at: sonm_client::subxt::utils::H256,
	facts: &'a mut Facts,
	limit: u64,
	found: Vec<IndexedOrder>,
	/// Candidates read so far, against [`MAX_CANDIDATES`].
	checked: u64,
}

impl Search<'_> {
	fn wants_more(&self) -> bool {
		(self.found.len() as u64) < self.limit && self.checked < MAX_CANDIDATES
	}

	/// Reads `filter`'s asks in price order (through `index` where given) and keeps those the
	/// rules accept, until enough are found or the asks or the budget run out.
	async fn collect(&mut self, filter: &Filter, index: Option<&str>) -> Result<(), Refusal> {
		let indexed_by = index.map(|index| format!(" INDEXED BY {index}")).unwrap_or_default();
		let mut offset = 0;
		let mut page = (4 * self.limit).clamp(MIN_PAGE, MAX_PAGE);
		while self.wants_more() {
			let sql = format!(
				"SELECT {ORDER_COLUMNS} FROM orders{indexed_by}{} ORDER BY per_second ASC, id ASC LIMIT {page} OFFSET {offset}",
				filter.clause()
			);
			let candidates =
				filter.bind(sqlx::query(&sql)).fetch_all(&self.state.store.pool).await?;
			let exhausted = (candidates.len() as u64) < page;
			self.checked += candidates.len() as u64;
			let candidates: Vec<IndexedOrder> = candidates.iter().map(rows::order).collect();
			// A chunk at a time, as many as are still wanted: the facts its candidates need are
			// asked of the node all at once, round after round, until the rules need no more
			// (`Client::check_matches`). Each chunk twice the last: few candidates when most
			// match, few rounds when most do not.
			let mut rest = candidates.as_slice();
			let mut chunk_size = 0;
			while !rest.is_empty() && (self.found.len() as u64) < self.limit {
				chunk_size = (self.limit as usize - self.found.len()).max(2 * chunk_size);
				let (chunk, later) = rest.split_at(chunk_size.min(rest.len()));
				rest = later;
				let asks: Vec<&Order> = chunk.iter().map(|ask| &ask.order).collect();
				let verdicts = self
					.client
					.check_matches(&asks, self.bid, self.now, self.facts, Some(self.at))
					.await
					.map_err(|_| unavailable())?;
				self.found.extend(
					chunk
						.iter()
						.zip(verdicts)
						.filter(|(_, verdict)| verdict.is_ok())
						.map(|(ask, _)| ask.clone()),
				);
				self.found.truncate(self.limit as usize);
			}
			if exhausted {
				break;
			}
			offset += page;
			page = (2 * page).min(MAX_PAGE);
		}
		Ok(())
	}
}

fn unavailable() -> Refusal {
	Refusal(
		axum::http::StatusCode::SERVICE_UNAVAILABLE,
		ApiError::new(
			"Unavailable",
			"the node does not answer; matching needs its masters, levels and blacklists",
		),
	)
}

/// The resource index whose range for this bid (the open asks with enough of that
/// resource, whatever their price) is the shortest, if one is shorter than [`PROBE_CAP`]: a
/// query through it reads that range whole. Each probe counts at most as many entries as
/// the best so far.
async fn scarcest_resource(state: &ApiState, bid: &Order) -> Result<Option<&'static str>, Refusal> {
	let mut best: Option<(u64, &'static str)> = None;
	for (resource, index) in RESOURCE_INDEXES {
		let needed = benchmarks::value_at(&bid.benchmarks, resource);
		if needed == 0 {
			continue;
		}
		let mut range = Filter::default();
		range.push("status = 'Active' AND side = 'Ask'".into());
		range.text("unit", Some(bid.price.unit.to_string()));
		let p = range.arg(Arg::Int(crate::write::stored_integer(needed)));
		range.push(format!("b{resource} >= {p}"));
		let cap = best.map_or(PROBE_CAP, |(count, _)| count);
		let sql = format!(
			"SELECT COUNT(*) FROM (SELECT 1 FROM orders INDEXED BY {index}{} LIMIT {cap}) AS probe",
			range.clause()
		);
		let count = range.bind(sqlx::query(&sql)).fetch_one(&state.store.pool).await?;
		let count = count.get::<i64, _>(0) as u64;
		if count < cap {
			best = Some((count, index));
		}
	}
	Ok(best.map(|(_, index)| index))
}
