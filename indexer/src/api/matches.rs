//! `/orders/{id}/matches`: the open asks that would make a deal with a bid now. SQL narrows the
//! book by the order's own terms (unit, price, duration, benchmarks, network flags, expiry),
//! reading only the classes by CPU cores that can hold enough cores (migration 0003), each in
//! price order, merged; the market's shared matching function (`sonm_primitives::matching`, through the client's
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
use crate::{
	store::{amount, Backend},
	write::{cores_class, MAX_CORES_CLASS},
};
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
	let bid_order = &bid.order;
	let mut cached = state.follow.facts.lock().await;
	if cached.0.as_deref() != Some(at.as_str()) {
		*cached = (Some(at), Facts::default());
	}
	let facts = &mut cached.1;
	// The classes by cores that can hold enough cores, the richest first: their matches are
	// the likeliest, so the price of the page's last candidate soon bounds the other classes'
	// reading.
	let needed_cores = benchmarks::value_at(&bid.order.benchmarks, benchmarks::CPU_CORES);
	let classes: Vec<i64> =
		(cores_class(needed_cores)..=i64::from(MAX_CORES_CLASS)).rev().collect();
	// SQLite's planner prefers the book's index, which holds no class, and would read every
	// row it passes; PostgreSQL's weighs both from its statistics.
	let by_class = if state.store.backend == Backend::Sqlite {
		" INDEXED BY open_asks_by_cores_class"
	} else {
		""
	};
	let mut found = Vec::new();
	let mut read = 0;
	let mut after: Option<(u128, u64)> = None;
	let mut page = (4 * limit).clamp(MIN_PAGE, MAX_PAGE);
	while (found.len() as u64) < limit && read < MAX_CANDIDATES {
		// The next `page` candidates in price order: the first `page` of each class after the
		// last one read, merged.
		let mut candidates: Vec<IndexedOrder> = Vec::new();
		for class in &classes {
			let mut in_class = filter.clone();
			let p = in_class.arg(Arg::Int(*class));
			in_class.push(format!("cores_class = {p}"));
			if let Some((price, id)) = after {
				let k = in_class.arg(Arg::Text(amount(price)));
				let i = in_class.arg(Arg::Int(id as i64));
				in_class.push(format!("per_second >= {k} AND (per_second > {k} OR id > {i})"));
			}
			if candidates.len() as u64 >= page {
				let bound = candidates[page as usize - 1].order.price.per_second;
				let p = in_class.arg(Arg::Text(amount(bound)));
				in_class.push(format!("per_second <= {p}"));
			}
			let sql = format!(
				"SELECT {ORDER_COLUMNS} FROM orders{by_class}{} ORDER BY per_second ASC, id ASC LIMIT {page}",
				in_class.clause()
			);
			let rows = in_class.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
			candidates.extend(rows.iter().map(rows::order));
			candidates.sort_by_key(|ask| (ask.order.price.per_second, ask.order.id));
			candidates.truncate(page as usize);
		}
		let exhausted = (candidates.len() as u64) < page;
		read += candidates.len() as u64;
		after = candidates.last().map(|ask| (ask.order.price.per_second, ask.order.id));
		// A chunk at a time, as many as are still wanted: the facts its candidates need are
		// asked of the node all at once, round after round, until the rules need no more
		// (`Client::check_matches`). Each chunk twice the last: few candidates when most
		// match, few rounds when most do not.
		let mut rest = candidates.as_slice();
		let mut chunk_size = 0;
		while !rest.is_empty() && (found.len() as u64) < limit {
			chunk_size = (limit as usize - found.len()).max(2 * chunk_size);
			let (chunk, later) = rest.split_at(chunk_size.min(rest.len()));
			rest = later;
			let asks: Vec<&Order> = chunk.iter().map(|ask| &ask.order).collect();
			let verdicts = client
				.check_matches(&asks, bid_order, now, facts, Some(at_hash))
				.await
				.map_err(|_| unavailable())?;
			found.extend(
				chunk
					.iter()
					.zip(verdicts)
					.filter(|(_, verdict)| verdict.is_ok())
					.map(|(ask, _)| ask.clone()),
			);
			found.truncate(limit as usize);
		}
		if exhausted {
			break;
		}
		page = (2 * page).min(MAX_PAGE);
	}
	Ok(Json(found))
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
