//! An account's history, a supplier's record, the price index, the oracle's prices, the
//! masternodes, the gateway's transfers and the indexer's status. Sums are taken here in exact
//! integers (the databases have no integer wide enough for every amount).

use super::{
	path_account,
	periods::period_start,
	query,
	rows::{amount, int},
	sql::Filter,
	Answer, ApiState,
};
use crate::store::read_amount;
use axum::{
	extract::{Path, RawQuery, State},
	Json,
};
use sonm_client::indexer_api::{
	AccountEvent, GatewayTransfer, History, HistoryPeriod, IndexerStatus, MasternodeRecord,
	OracleQuote, PriceIndex, PricePoint, SupplierRecord,
};
use sqlx::Row;
use std::collections::BTreeMap;

pub async fn history(
	State(state): State<ApiState>,
	Path(address): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<History> {
	let (_, query) = query("/accounts/{address}/history", raw.as_deref())?;
	let account = path_account(&address)?;
	let period = query.text("period").unwrap_or("month").to_owned();
	let span = query.range("time");
	let pool = &state.store.pool;
	let mut periods = Periods { by_start: BTreeMap::new(), period: period.clone(), span };
	let by_account = |sql: &'static str| sqlx::query(sql).bind(account.clone());
	for row in by_account("SELECT placed_at FROM orders WHERE author = $1")
		.fetch_all(pool)
		.await?
	{
		if let Some(p) = periods.at(int(&row, "placed_at")) {
			p.orders_placed += 1;
		}
	}
	let deals = by_account(
		"SELECT consumer, start, closed_at, refund FROM deals WHERE supplier = $1 OR consumer = $1 OR payee = $1",
	)
	.fetch_all(pool)
	.await?;
	for row in deals {
		if let Some(p) = periods.at(int(&row, "start")) {
			p.deals_opened += 1;
		}
		if let Some(closed) = row.get::<Option<i64>, _>("closed_at") {
			if let Some(p) = periods.at(closed as u64) {
				p.deals_closed += 1;
				if row.get::<String, _>("consumer") == account {
					p.refunded +=
						row.get::<Option<String>, _>("refund").map_or(0, |r| read_amount(&r));
				}
			}
		}
	}
	for row in by_account("SELECT time, amount, fee FROM bills WHERE consumer = $1")
		.fetch_all(pool)
		.await?
	{
		if let Some(p) = periods.at(int(&row, "time")) {
			p.paid_out += amount(&row, "amount") + amount(&row, "fee");
		}
	}
	for row in by_account("SELECT time, amount FROM bills WHERE payee = $1")
		.fetch_all(pool)
		.await?
	{
		if let Some(p) = periods.at(int(&row, "time")) {
			p.received += amount(&row, "amount");
		}
	}
	for row in
		by_account("SELECT time, kind, amount, fee FROM gateway_transfers WHERE account = $1")
			.fetch_all(pool)
			.await?
	{
		if let Some(p) = periods.at(int(&row, "time")) {
			if row.get::<String, _>("kind") == "deposit" {
				p.deposited += amount(&row, "amount");
			} else {
				p.withdrawn += amount(&row, "amount") + amount(&row, "fee");
			}
		}
	}
	Ok(Json(History { account, period, periods: periods.by_start.into_values().collect() }))
}

/// Periods of a history, made as they are first touched.
struct Periods {
	by_start: BTreeMap<u64, HistoryPeriod>,
	period: String,
	span: sonm_client::indexer_api::Range<u64>,
}

impl Periods {
	/// The period of time `t`, if `t` is within the asked span.
	fn at(&mut self, t: u64) -> Option<&mut HistoryPeriod> {
		let within =
			self.span.min.is_none_or(|min| t >= min) && self.span.max.is_none_or(|max| t <= max);
		within.then(|| {
			let start = period_start(t, &self.period);
			self.by_start
				.entry(start)
				.or_insert_with(|| HistoryPeriod { start, ..Default::default() })
		})
	}
}

pub async fn account_events(
	State(state): State<ApiState>,
	Path(address): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<Vec<AccountEvent>> {
	let (_, query) = query("/accounts/{address}/events", raw.as_deref())?;
	let account = path_account(&address)?;
	let mut filter = Filter::default();
	let p = filter.arg(super::sql::Arg::Text(account));
	filter.push(format!("(account = {p} OR other = {p})"));
	filter.text("pallet", query.text("pallet"));
	let sql = format!(
		"SELECT * FROM account_events{} ORDER BY block DESC, idx DESC LIMIT {}",
		filter.clause(),
		query.limit()
	);
	let rows = filter.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
	Ok(Json(
		rows.iter()
			.map(|row| AccountEvent {
				block: int(row, "block"),
				time: int(row, "time"),
				pallet: row.get("pallet"),
				name: row.get("name"),
				account: row.get("account"),
				other: row.get("other"),
				detail: serde_json::from_str(&row.get::<String, _>("detail")).unwrap_or_default(),
			})
			.collect(),
	))
}

pub async fn supplier(
	State(state): State<ApiState>,
	Path(address): Path<String>,
	RawQuery(raw): RawQuery,
) -> Answer<SupplierRecord> {
	query("/suppliers/{address}", raw.as_deref())?;
	let supplier = path_account(&address)?;
	let pool = &state.store.pool;
	let deals = sqlx::query(
		"SELECT status, close_reason, blacklisted, paid, unit, per_core_hour FROM deals WHERE supplier = $1",
	)
	.bind(supplier.clone())
	.fetch_all(pool)
	.await?;
	let mut record = SupplierRecord { supplier: supplier.clone(), ..Default::default() };
	let mut core_hour = Vec::new();
	for row in &deals {
		record.deals += 1;
		match (
			row.get::<String, _>("status").as_str(),
			row.get::<Option<String>, _>("close_reason").as_deref(),
		) {
			("Open", _) => record.open += 1,
			(_, Some("Expired")) => record.completed += 1,
			(_, Some("ByCustomer")) => record.closed_by_customer += 1,
			(_, Some("BySupplier")) => record.closed_by_supplier += 1,
			(_, Some("InsufficientFunds")) => record.closed_unpaid += 1,
			_ => {},
		}
		if int(row, "blacklisted") != 0 {
			record.blacklisted_after += 1;
		}
		record.earned += amount(row, "paid");
		if row.get::<String, _>("unit") == "SNM" {
			if let Some(price) = row.get::<Option<String>, _>("per_core_hour") {
				core_hour.push(read_amount(&price));
			}
		}
	}
	core_hour.sort_unstable();
	record.median_per_core_hour = quantile(&core_hour, 1, 2);
	let asks = sqlx::query(
		"SELECT COUNT(*) FROM orders WHERE author = $1 AND side = 'Ask' AND status = 'Active'",
	)
	.bind(supplier)
	.fetch_one(pool)
	.await?;
	record.active_asks = asks.get::<i64, _>(0) as u64;
	Ok(Json(record))
}

/// The `numerator/denominator` quantile of sorted `values` (nearest rank).
fn quantile(values: &[u128], numerator: usize, denominator: usize) -> Option<u128> {
	if values.is_empty() {
		return None;
	}
	let rank = (values.len() * numerator).div_ceil(denominator).max(1);
	values.get(rank - 1).copied()
}

/// How long an answered price index is served again.
pub const PRICE_INDEX_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

pub async fn price_index(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<PriceIndex> {
	let (_, query) = query("/prices/index", raw.as_deref())?;
	let key = raw.unwrap_or_default();
	let fresh = state
		.price_indexes
		.lock()
		.expect("not poisoned")
		.get(&key)
		.and_then(|(at, index)| (at.elapsed() < PRICE_INDEX_FRESH).then(|| index.clone()));
	if let Some(index) = fresh {
		return Ok(Json(index));
	}
	let index = compute_price_index(&state, &query).await?;
	let mut cache = state.price_indexes.lock().expect("not poisoned");
	cache.retain(|_, (at, _)| at.elapsed() < PRICE_INDEX_FRESH);
	cache.insert(key, (std::time::Instant::now(), index.clone()));
	Ok(Json(index))
}

async fn compute_price_index(
	state: &ApiState,
	query: &sonm_client::indexer_api::Query,
) -> Result<PriceIndex, super::Refusal> {
	let resource = query.text("resource").unwrap_or("core").to_owned();
	let unit = query.unit("unit").unwrap_or(sonm_primitives::market::PriceUnit::Snm);
	let period = query.text("period").unwrap_or("day").to_owned();
	let column = match resource.as_str() {
		"memory" => "per_gib_hour",
		"gpu" => "per_gpu_hour",
		_ => "per_core_hour",
	};
	let mut filter = Filter::default();
	filter.push("side = 'Ask'".into());
	filter.push(format!("{column} IS NOT NULL"));
	filter.text("unit", Some(unit.to_string()));
	filter.int_range("placed_at", query.range("time"));
	// In time order along `orders_prices` (no sort in the database); each period is sorted here.
	let sql = format!(
		"SELECT placed_at, {column} AS price, b7, b8 FROM orders{} ORDER BY placed_at",
		filter.clause()
	);
	let rows = filter.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
	let mut buckets: BTreeMap<String, BTreeMap<u64, Vec<u128>>> = BTreeMap::new();
	for row in rows {
		let series = if resource == "gpu" {
			let gpus = int(&row, "b7").max(1);
			format!("{} GiB", (int(&row, "b8") / gpus) >> 30)
		} else {
			"all".into()
		};
		let start = period_start(int(&row, "placed_at"), &period);
		buckets
			.entry(series)
			.or_default()
			.entry(start)
			.or_default()
			.push(amount(&row, "price"));
	}
	let series = buckets
		.into_iter()
		.map(|(name, periods)| {
			let points = periods
				.into_iter()
				.map(|(start, mut prices)| {
					prices.sort_unstable();
					(start, prices)
				})
				.map(|(start, prices)| PricePoint {
					start,
					asks: prices.len() as u64,
					q1: quantile(&prices, 1, 4).unwrap_or(0),
					median: quantile(&prices, 1, 2).unwrap_or(0),
					q3: quantile(&prices, 3, 4).unwrap_or(0),
				})
				.collect();
			(name, points)
		})
		.collect();
	Ok(PriceIndex { resource, unit, period, series })
}

pub async fn oracle(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<Vec<OracleQuote>> {
	let (_, query) = query("/prices/oracle", raw.as_deref())?;
	let mut filter = Filter::default();
	filter.text("currency", query.text("currency"));
	filter.int_range("time", query.range("time"));
	let sql = format!(
		"SELECT block, time, currency, snm_per_unit, feeds FROM oracle_prices{} ORDER BY block DESC, idx DESC LIMIT {}",
		filter.clause(),
		query.limit()
	);
	let rows = filter.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
	Ok(Json(
		rows.iter()
			.map(|row| OracleQuote {
				block: int(row, "block"),
				time: int(row, "time"),
				currency: row.get("currency"),
				snm_per_unit: amount(row, "snm_per_unit"),
				feeds: int(row, "feeds") as u32,
			})
			.collect(),
	))
}

pub async fn masternodes(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<Vec<MasternodeRecord>> {
	query("/masternodes", raw.as_deref())?;
	let rows = sqlx::query("SELECT * FROM masternodes ORDER BY account")
		.fetch_all(&state.store.pool)
		.await?;
	Ok(Json(
		rows.iter()
			.map(|row| MasternodeRecord {
				account: row.get("account"),
				stake: amount(row, "stake"),
				status: row.get("status"),
				registered_block: int(row, "registered_block"),
				sessions_selected: int(row, "sessions_selected"),
				sessions_offline: int(row, "sessions_offline"),
				rewards: amount(row, "rewards"),
			})
			.collect(),
	))
}

pub async fn transfers(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<Vec<GatewayTransfer>> {
	let (_, query) = query("/gateway/transfers", raw.as_deref())?;
	let mut filter = Filter::default();
	filter.text("kind", query.text("kind"));
	filter.text("account", query.text("account"));
	let sql = format!(
		"SELECT * FROM gateway_transfers{} ORDER BY block DESC, idx DESC LIMIT {}",
		filter.clause(),
		query.limit()
	);
	let rows = filter.bind(sqlx::query(&sql)).fetch_all(&state.store.pool).await?;
	Ok(Json(
		rows.iter()
			.map(|row| GatewayTransfer {
				kind: row.get("kind"),
				block: int(row, "block"),
				time: int(row, "time"),
				account: row.get("account"),
				amount: amount(row, "amount"),
				fee: amount(row, "fee"),
				ethereum: row.get("ethereum"),
				withdrawal: row.get::<Option<i64>, _>("withdrawal").map(|id| id as u64),
			})
			.collect(),
	))
}

pub async fn status(
	State(state): State<ApiState>,
	RawQuery(raw): RawQuery,
) -> Answer<IndexerStatus> {
	query("/status", raw.as_deref())?;
	let cursor = state.store.cursor().await.map_err(|error| {
		tracing::error!(%error, "reading the cursor");
		super::Refusal::from(sqlx::Error::Protocol("the cursor".into()))
	})?;
	Ok(Json(IndexerStatus {
		block: cursor.as_ref().map(|c| c.block),
		hash: cursor.as_ref().map(|c| c.hash.clone()),
		finalized: state.follow.finalized(),
		connected: state.follow.connected(),
		genesis: state.follow.genesis.read().await.clone(),
	}))
}

#[cfg(test)]
mod tests {
	use super::quantile;

	#[test]
	fn quantiles_by_nearest_rank() {
		let values = [1, 2, 3, 4, 5, 6, 7, 8];
		assert_eq!(quantile(&values, 1, 4), Some(2));
		assert_eq!(quantile(&values, 1, 2), Some(4));
		assert_eq!(quantile(&values, 3, 4), Some(6));
		assert_eq!(quantile(&[9], 1, 4), Some(9));
		assert_eq!(quantile(&[], 1, 2), None);
	}
}
