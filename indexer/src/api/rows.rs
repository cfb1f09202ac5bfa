//! Rows read back as the API's answers.

use crate::store::read_amount;
use sonm_client::{
	indexer_api::{Bill, ChangeRecord, DealTerms, IndexedDeal, IndexedOrder},
	types::{Order, Price},
};
use sqlx::{any::AnyRow, Row};

/// The columns [`order`] reads, in its order.
pub const ORDER_COLUMNS: &str = "id, author, side, unit, per_second, duration, counterparty, min_identity, curator, \
	tag, netflags, expires_at, placed_at, placed_block, deposit, escrow, \
	b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, extra_benchmarks, status, ended_block, ended_at, deal_id";

/// An integer column as `u64`.
pub fn int(row: &AnyRow, column: &str) -> u64 {
	row.get::<i64, _>(column) as u64
}

fn optional_int(row: &AnyRow, column: &str) -> Option<u64> {
	row.get::<Option<i64>, _>(column).map(|v| v as u64)
}

/// A stored amount column read back.
pub fn amount(row: &AnyRow, column: &str) -> u128 {
	read_amount(&row.get::<String, _>(column))
}

fn price(row: &AnyRow, unit: &str, per_second: &str) -> Price {
	Price {
		per_second: amount(row, per_second),
		unit: row
			.get::<String, _>(unit)
			.parse()
			.unwrap_or(sonm_primitives::market::PriceUnit::Snm),
	}
}

pub fn order(row: &AnyRow) -> IndexedOrder {
	let mut benchmarks: Vec<u64> = (0..12).map(|i| int(row, &format!("b{i}"))).collect();
	let extra: String = row.get("extra_benchmarks");
	benchmarks.extend(extra.split(',').filter_map(|b| b.parse::<u64>().ok()));
	IndexedOrder {
		order: Order {
			id: int(row, "id"),
			author: row.get("author"),
			side: row
				.get::<String, _>("side")
				.parse()
				.unwrap_or(sonm_primitives::market::Side::Bid),
			price: price(row, "unit", "per_second"),
			duration: int(row, "duration"),
			counterparty: row.get("counterparty"),
			min_identity: row.get::<String, _>("min_identity").parse().unwrap_or_default(),
			curator: row.get("curator"),
			tag: row.get("tag"),
			benchmarks,
			netflags: int(row, "netflags") as u8,
			expires_at: optional_int(row, "expires_at"),
			placed_at: int(row, "placed_at"),
			deposit: amount(row, "deposit"),
			escrow: amount(row, "escrow"),
		},
		placed_block: int(row, "placed_block"),
		status: row.get("status"),
		ended_block: optional_int(row, "ended_block"),
		ended_at: optional_int(row, "ended_at"),
		deal: optional_int(row, "deal_id"),
	}
}

/// The columns [`deal`] reads.
pub const DEAL_COLUMNS: &str = "id, ask, bid, supplier, consumer, payee, unit, per_second, duration, start, \
	opened_block, status, close_reason, closed_at, closed_block, refund, blacklisted, paid, fees, bills";

pub fn deal(row: &AnyRow) -> IndexedDeal {
	IndexedDeal {
		id: int(row, "id"),
		ask: int(row, "ask"),
		bid: int(row, "bid"),
		supplier: row.get("supplier"),
		consumer: row.get("consumer"),
		payee: row.get("payee"),
		price: price(row, "unit", "per_second"),
		duration: int(row, "duration"),
		start: int(row, "start"),
		opened_block: int(row, "opened_block"),
		status: row.get("status"),
		close_reason: row.get("close_reason"),
		closed_at: optional_int(row, "closed_at"),
		closed_block: optional_int(row, "closed_block"),
		refund: row.get::<Option<String>, _>("refund").map(|r| read_amount(&r)),
		blacklisted: int(row, "blacklisted") != 0,
		paid: amount(row, "paid"),
		fees: amount(row, "fees"),
		bills: int(row, "bills"),
	}
}

pub fn bill(row: &AnyRow) -> Bill {
	Bill {
		deal: int(row, "deal_id"),
		block: int(row, "block"),
		time: int(row, "time"),
		payee: row.get("payee"),
		amount: amount(row, "amount"),
		fee: amount(row, "fee"),
		from: int(row, "period_from"),
		to: int(row, "period_to"),
		running_total: amount(row, "running_total"),
	}
}

pub fn terms(row: &AnyRow) -> DealTerms {
	DealTerms {
		since: int(row, "since"),
		block: int(row, "block"),
		price: price(row, "unit", "per_second"),
		duration: int(row, "duration"),
	}
}

pub fn change(row: &AnyRow) -> ChangeRecord {
	ChangeRecord {
		side: row
			.get::<String, _>("side")
			.parse()
			.unwrap_or(sonm_primitives::market::Side::Bid),
		per_second: amount(row, "per_second"),
		duration: int(row, "duration"),
		requested_block: int(row, "requested_block"),
		outcome: row.get("outcome"),
		ended_block: optional_int(row, "ended_block"),
	}
}
