//! `/orders` and `/deals`: filtered, sorted, paged listings, and one order or deal.

use super::{
	path_id, query,
	rows::{self, DEAL_COLUMNS, ORDER_COLUMNS},
	sql::{page, Filter, SortKey},
	Answer, ApiState, Refusal,
};
use axum::{
	extract::{Path, RawQuery, State},
	Json,
};
use sonm_client::indexer_api::{
	DealDetail, IndexedDeal, IndexedOrder, Page, Query, BENCHMARK_NAMES,
};
use sqlx::Row;

/// The terms filters orders and deals share: unit, price, duration, the benchmarks.
fn terms(filter: &mut Filter, query: &Query) {
	filter.text("unit", query.unit("unit").map(|unit| unit.to_string()));
	filter.amount_range("per_second", query.amount_range("price"));
	filter.int_range("duration", query.range("duration"));
	for (index, name) in BENCHMARK_NAMES.iter().enumerate() {
		filter.int_range(&format!("b{index}"), query.range(name));
	}
}

/// The sort column named by `sort` (`time` is `time_column`).
fn sort_key(query: &Query, time_column: &'static str) -> SortKey {
	match query.text("sort") {
		Some("price") => SortKey { column: "per_second", is_amount: true },
		Some("time") => SortKey { column: time_column, is_amount: false },
		Some("duration") => SortKey { column: "duration", is_amount: false },
		_ => SortKey { column: "id", is_amount: false },
	}
}

/// Runs a paged listing of `table` and reads each row with `read`.
async fn list<T>(
	state: &ApiState,
	table: &str,
	columns: &str,
	mut filter: Filter,
	query: &Query,
	key: SortKey,
	read: impl Fn(&sqlx::any::AnyRow) -> T,
) -> Result<Page<T>, Refusal> {
	let total = if query.flag("count") {
		let sql = format!("SELECT COUNT(*) FROM {table}{}", filter.clause());
		let row = filter.bind(sqlx::query(&sql)).fetch_one(&state.store.pool).await?;
		Some(row.get::<i64, _>(0) as u64)
	} else {
		None
	};
	let order_by = page(&mut filter, key, query.descending(), query.cursor().as_ref());
	let limit = query.limit();
	let sql =
		format!("SELECT {columns} FROM {table}{}{order_by} LIMIT {}", filter.clause(), limit + 1);
	let found = filter.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
	let more = found.len() as u64 > limit;
	let rows = &found[..found.len().min(limit as usize)];
	let next = match (more, rows.last()) {
		(true, Some(last)) => {
			let key_text = if key.is_amount {
				crate::store::read_amount(&last.get::<String, _>(key.column)).to_string()
			} else {
				last.get::<i64, _>(key.column).to_string()
			};
			Some(
				sonm_client::indexer_api::PageCursor {
					key: key_text,
					id: last.get::<i64, _>("id") as u64,
				}
				.to_string(),
			)
		},
		_ => None,
	};
	Ok(Page { items: rows.iter().map(read).collect(), next, total })
}

pub async fn orders(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<Page<IndexedOrder>> {
	let (_, query) = query("/orders", raw.as_deref())?;
	let mut filter = Filter::default();
	filter.text("side", query.side("side").map(|side| side.to_string()));
	filter.text("status", query.text("status"));
	filter.text("author", query.text("author"));
	filter.text("counterparty", query.text("counterparty"));
	filter.text("min_identity", query.identity("min_identity").map(|level| level.to_string()));
	filter.text("tag", query.text("tag"));
	if let Some(flags) = query.number("netflags").filter(|flags| *flags > 0) {
		let p = filter.arg(super::sql::Arg::Int(flags as i64));
		filter.push(format!("(netflags & {p}) = {p}"));
	}
	terms(&mut filter, &query);
	let key = sort_key(&query, "placed_at");
	Ok(Json(list(&state, "orders", ORDER_COLUMNS, filter, &query, key, rows::order).await?))
}

pub async fn order(
	State(state): State<ApiState>,
	Path(id): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<IndexedOrder> {
	query("/orders/{id}", raw.as_deref())?;
	let id = path_id(&id)?;
	find_order(&state, id)
		.await?
		.map(Json)
		.ok_or_else(|| Refusal::not_found(format!("no order {id}")))
}

/// Order `id`, open or past.
pub async fn find_order(state: &ApiState, id: u64) -> Result<Option<IndexedOrder>, Refusal> {
	let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
	let row = sqlx::query(&sql).bind(id as i64).fetch_optional(&state.store.pool).await?;
	Ok(row.as_ref().map(rows::order))
}

pub async fn deals(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<Page<IndexedDeal>> {
	let (_, query) = query("/deals", raw.as_deref())?;
	let mut filter = Filter::default();
	filter.text("status", query.text("status"));
	filter.text("supplier", query.text("supplier"));
	filter.text("consumer", query.text("consumer"));
	if let Some(account) = query.text("account") {
		let p = filter.arg(super::sql::Arg::Text(account.into()));
		filter.push(format!("(supplier = {p} OR consumer = {p} OR payee = {p})"));
	}
	terms(&mut filter, &query);
	let key = sort_key(&query, "start");
	Ok(Json(list(&state, "deals", DEAL_COLUMNS, filter, &query, key, rows::deal).await?))
}

pub async fn deal(
	State(state): State<ApiState>,
	Path(id): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<DealDetail> {
	query("/deals/{id}", raw.as_deref())?;
	let id = path_id(&id)?;
	let pool = &state.store.pool;
	let sql = format!("SELECT {DEAL_COLUMNS} FROM deals WHERE id = $1");
	let Some(row) = sqlx::query(&sql).bind(id as i64).fetch_optional(pool).await? else {
		return Err(Refusal::not_found(format!("no deal {id}")));
	};
	let of_deal = |sql: &'static str| sqlx::query(sql).bind(id as i64);
	let bills = of_deal("SELECT * FROM bills WHERE deal_id = $1 ORDER BY seq")
		.fetch_all(pool)
		.await?;
	let terms = of_deal("SELECT * FROM deal_terms WHERE deal_id = $1 ORDER BY seq")
		.fetch_all(pool)
		.await?;
	let changes = of_deal("SELECT * FROM change_requests WHERE deal_id = $1 ORDER BY seq")
		.fetch_all(pool)
		.await?;
	Ok(Json(DealDetail {
		deal: rows::deal(&row),
		bills: bills.iter().map(rows::bill).collect(),
		terms: terms.iter().map(rows::terms).collect(),
		changes: changes.iter().map(rows::change).collect(),
	}))
}
