//! `sonm history` and `sonm market`: the market's past, read from a `sonm-indexer`'s API
//! (`--indexer`), whose answers and parameters `sonm_client::indexer_api` declares.

use crate::{
	args::{HistoryCommand, MarketCommand},
	context::Context,
	error::{CliError, Kind},
};
use serde_json::json;
use sonm_client::{
	format,
	indexer_api::{ApiError, History, IndexedDeal, IndexedOrder, IndexerClient, Page, PriceIndex},
};

/// The indexer's refusal or absence as the CLI's error.
fn indexer_error(indexer: &str) -> impl Fn(ApiError) -> CliError + '_ {
	move |error| {
		match error.error.as_str() {
		"Unreachable" => CliError::new(Kind::Connection, format!("the indexer: {}", error.message))
			.hint(format!("start `sonm-indexer run` (scripts/dev.sh does) or point --indexer at one; tried {indexer}")),
		"NotFound" => CliError::not_possible(error.message),
		"Unavailable" | "Internal" | "BadAnswer" => CliError::new(Kind::Connection, error.to_string()),
		_ => CliError::usage(error.to_string()),
	}
	}
}

pub async fn history(ctx: &mut Context, command: HistoryCommand) -> Result<(), CliError> {
	let api = IndexerClient::new(&ctx.indexer);
	let failed = indexer_error(&ctx.indexer);
	match command {
		HistoryCommand::Deals { account, status, limit } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let mut query = vec![
				("account", account.clone()),
				("sort", "id".into()),
				("order", "desc".into()),
				("limit", limit.to_string()),
				("count", "true".into()),
			];
			if let Some(status) = status {
				query.push(("status", if status == "open" { "Open" } else { "Closed" }.into()));
			}
			let page: Page<IndexedDeal> = api.get("/deals", &query).await.map_err(failed)?;
			ctx.print(json!(page), || deals_table(&account, &page));
		},
		HistoryCommand::Orders { account, limit } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let query = vec![
				("author", account),
				("sort", "id".into()),
				("order", "desc".into()),
				("limit", limit.to_string()),
				("count", "true".into()),
			];
			let page: Page<IndexedOrder> = api.get("/orders", &query).await.map_err(failed)?;
			ctx.print(json!(page), || orders_table(&page));
		},
		HistoryCommand::Payments { account, period } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let path = format!("/accounts/{account}/history");
			let history: History = api.get(&path, &[("period", period)]).await.map_err(failed)?;
			ctx.print(json!(history), || payments_table(&history));
		},
	}
	Ok(())
}

pub async fn market(ctx: &mut Context, command: MarketCommand) -> Result<(), CliError> {
	let api = IndexerClient::new(&ctx.indexer);
	let failed = indexer_error(&ctx.indexer);
	match command {
		MarketCommand::Prices { resource, period, unit } => {
			let query = [("resource", resource), ("period", period), ("unit", unit)];
			let index: PriceIndex = api.get("/prices/index", &query).await.map_err(failed)?;
			ctx.print(json!(index), || prices_table(&index));
		},
	}
	Ok(())
}

fn total_line(shown: usize, total: Option<u64>, what: &str) -> String {
	match total {
		Some(total) if total as usize > shown => {
			format!("{shown} of {total} {what} shown (--limit for more)")
		},
		_ => format!("{shown} {what}"),
	}
}

fn deals_table(account: &str, page: &Page<IndexedDeal>) -> String {
	if page.items.is_empty() {
		return "no deals".into();
	}
	let mut lines = vec![format!(
		"{:>6}  {:<8} {:>16}  {:<16}  {:<10}  {:<16}  {:>14}  {}",
		"ID", "ROLE", "PRICE", "OPENED", "STATUS", "ENDED", "PAID", "COUNTERPARTY"
	)];
	for deal in &page.items {
		let (role, other) = if deal.consumer == account {
			("customer", &deal.supplier)
		} else {
			("supplier", &deal.consumer)
		};
		let status = match (&deal.close_reason, deal.blacklisted) {
			(Some(reason), true) => format!("{reason}+blacklist"),
			(Some(reason), false) => reason.clone(),
			(None, _) => "open".into(),
		};
		lines.push(format!(
			"{:>6}  {:<8} {:>16}  {:<16}  {:<10}  {:<16}  {:>14}  {}",
			deal.id,
			role,
			format::price(deal.price),
			format::utc(deal.start),
			status,
			deal.closed_at.map(format::utc).unwrap_or_default(),
			format::snm(deal.paid),
			format::short(other),
		));
	}
	lines.push(total_line(page.items.len(), page.total, "deals"));
	lines.join("\n")
}

fn orders_table(page: &Page<IndexedOrder>) -> String {
	if page.items.is_empty() {
		return "no orders".into();
	}
	let mut lines = vec![format!(
		"{:>6}  {:<4} {:>16}  {:>8}  {:<16}  {:<10}  {}",
		"ID", "SIDE", "PRICE", "DURATION", "PLACED", "STATUS", "RESOURCES"
	)];
	for indexed in &page.items {
		let order = &indexed.order;
		let status = match indexed.deal {
			Some(deal) => format!("deal {deal}"),
			None => indexed.status.to_lowercase(),
		};
		lines.push(format!(
			"{:>6}  {:<4} {:>16}  {:>8}  {:<16}  {:<10}  {}",
			order.id,
			order.side.name().to_lowercase(),
			format::price(order.price),
			format::duration(order.duration),
			format::utc(order.placed_at),
			status,
			super::market::resources(&order.benchmarks),
		));
	}
	lines.push(total_line(page.items.len(), page.total, "orders"));
	lines.join("\n")
}

fn payments_table(history: &History) -> String {
	if history.periods.is_empty() {
		return format!("no activity of {}", history.account);
	}
	let mut lines = vec![format!(
		"{:<16}  {:>6}  {:>6}  {:>6}  {:>14}  {:>14}  {:>14}  {:>14}  {:>14}",
		history.period.to_uppercase(),
		"ORDERS",
		"OPENED",
		"CLOSED",
		"PAID",
		"RECEIVED",
		"REFUNDED",
		"DEPOSITED",
		"WITHDRAWN"
	)];
	for p in &history.periods {
		lines.push(format!(
			"{:<16}  {:>6}  {:>6}  {:>6}  {:>14}  {:>14}  {:>14}  {:>14}  {:>14}",
			format::utc(p.start),
			p.orders_placed,
			p.deals_opened,
			p.deals_closed,
			format::snm(p.paid_out),
			format::snm(p.received),
			format::snm(p.refunded),
			format::snm(p.deposited),
			format::snm(p.withdrawn),
		));
	}
	lines.join("\n")
}

fn prices_table(index: &PriceIndex) -> String {
	let per = match index.resource.as_str() {
		"memory" => "GiB-hour",
		"gpu" => "GPU-hour",
		_ => "core-hour",
	};
	if index.series.is_empty() {
		return format!("no asks priced per {per} in {}", index.unit);
	}
	let mut lines = Vec::new();
	for (series, points) in &index.series {
		if series != "all" {
			lines.push(format!("{series} per GPU:"));
		}
		lines.push(format!(
			"{:<16}  {:>5}  {:>16}  {:>16}  {:>16}   ({} per {per})",
			index.period.to_uppercase(),
			"ASKS",
			"Q1",
			"MEDIAN",
			"Q3",
			index.unit
		));
		for point in points {
			lines.push(format!(
				"{:<16}  {:>5}  {:>16}  {:>16}  {:>16}",
				format::utc(point.start),
				point.asks,
				format::decimal(point.q1),
				format::decimal(point.median),
				format::decimal(point.q3),
			));
		}
	}
	lines.join("\n")
}
