//! Writing a block's facts: every row and the cursor in one transaction, so that a crash at any
//! point leaves the database at the end of a whole block, and a block already written is never
//! written again.

use crate::{
	read::{BlockRecord, Fact, StakeChange},
	store::{amount, read_amount, Store, StoreError},
};
use sonm_client::types;
use sonm_primitives::benchmarks;
use sqlx::{any::AnyRow, Any, Row, Transaction};

type Tx<'a> = Transaction<'a, Any>;

/// What writing a block did.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
	/// Its rows: how many were inserted or changed.
	Rows(u64),
	/// The database was already past it: nothing written.
	AlreadyWritten,
}

/// Writes `block` and moves the cursor to it, in one transaction. The cursor must be at the
/// block before (or absent, for the first block written).
pub async fn write_block(
	store: &Store,
	genesis: &str,
	block: &BlockRecord,
) -> Result<Written, StoreError> {
	let mut tx = store.pool.begin().await?;
	let cursor: Option<i64> = sqlx::query("SELECT block_number FROM cursor WHERE id = 0")
		.fetch_optional(&mut *tx)
		.await?
		.map(|row| row.get(0));
	if cursor.is_some_and(|at| at as u64 >= block.number) {
		return Ok(Written::AlreadyWritten);
	}
	let mut writer = Writer { tx, block, rows: 0 };
	writer
		.run("INSERT INTO blocks (number, hash, time, events) VALUES ($1, $2, $3, $4)", |q| {
			q.bind(block.number as i64)
				.bind(block.hash.clone())
				.bind(block.time as i64)
				.bind(block.events as i64)
		})
		.await?;
	for (index, fact) in &block.facts {
		writer.fact(*index, fact).await?;
	}
	writer
		.run(
			"INSERT INTO cursor (id, block_number, block_hash, genesis_hash) VALUES (0, $1, $2, $3) \
			 ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, \
			 block_hash = excluded.block_hash, genesis_hash = excluded.genesis_hash",
			|q| q.bind(block.number as i64).bind(block.hash.clone()).bind(genesis.to_owned()),
		)
		.await?;
	let rows = writer.rows;
	writer.tx.commit().await?;
	Ok(Written::Rows(rows))
}

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

struct Writer<'a, 'b> {
	tx: Tx<'a>,
	block: &'b BlockRecord,
	rows: u64,
}

/// Prices per resource-hour of `per_second` with these benchmarks: per core, per GiB of memory,
/// per GPU (`None` where the order offers none of it, or the product overflows).
pub fn resource_prices(per_second: u128, bench: &[u64]) -> [Option<u128>; 3] {
	let hourly = per_second.checked_mul(3_600);
	let per = |count: u64, scale: u128| {
		(count > 0).then_some(())?;
		hourly?.checked_mul(scale).map(|total| total / u128::from(count))
	};
	[
		per(benchmarks::value_at(bench, benchmarks::CPU_CORES), 1),
		per(benchmarks::value_at(bench, benchmarks::RAM_SIZE), 1 << 30),
		per(benchmarks::value_at(bench, benchmarks::GPU_COUNT), 1),
	]
}

/// A `u64` as a BIGINT column holds it (values past `i64::MAX`, never real benchmarks, are
/// capped there).
pub fn stored_integer(value: u64) -> i64 {
	value.min(i64::MAX as u64) as i64
}

/// The highest class by CPU cores: asks with 2^15 cores or more share it.
pub const MAX_CORES_CLASS: u32 = 15;

/// An order's class by CPU cores: the power of two at or below its cores (0 for none or one).
/// "The open asks with at least N cores" are then a few classes, each read in price order
/// (`api/matches.rs`, migration 0003).
pub fn cores_class(cores: u64) -> i64 {
	i64::from(cores.max(1).ilog2().min(MAX_CORES_CLASS))
}

fn optional_amount(value: Option<u128>) -> Option<String> {
	value.map(amount)
}

impl Writer<'_, '_> {
	async fn run<'q>(
		&mut self,
		sql: &'q str,
		bind: impl FnOnce(Query<'q>) -> Query<'q>,
	) -> Result<u64, StoreError> {
		let done = bind(sqlx::query(sql)).execute(&mut *self.tx).await?;
		self.rows += done.rows_affected();
		Ok(done.rows_affected())
	}

	async fn one<'q>(
		&mut self,
		sql: &'q str,
		bind: impl FnOnce(Query<'q>) -> Query<'q>,
	) -> Result<Option<AnyRow>, StoreError> {
		Ok(bind(sqlx::query(sql)).fetch_optional(&mut *self.tx).await?)
	}

	fn time(&self) -> i64 {
		self.block.time as i64
	}

	fn number(&self) -> i64 {
		self.block.number as i64
	}

	async fn fact(&mut self, index: u64, fact: &Fact) -> Result<(), StoreError> {
		let (time, number) = (self.time(), self.number());
		match fact {
			Fact::OrderPlaced { id, author, side, order } => {
				self.order_placed(*id, author, side, order.as_ref()).await?
			},
			Fact::OrderEnded { id, expired } => {
				let status = if *expired { "Expired" } else { "Cancelled" };
				self.run(
					"UPDATE orders SET status = $1, ended_block = $2, ended_at = $3 WHERE id = $4",
					|q| q.bind(status).bind(number).bind(time).bind(*id as i64),
				)
				.await?;
			},
			Fact::DealOpened { id, ask, bid, supplier, consumer, deal } => {
				self.deal_opened(*id, *ask, *bid, supplier, consumer, deal.as_ref()).await?
			},
			Fact::Billed { deal, payee, amount: paid, fee, billed_until } => {
				self.billed(*deal, payee, *paid, *fee, *billed_until).await?
			},
			Fact::DealClosed { deal, reason, refund } => {
				self.run(
					"UPDATE deals SET status = 'Closed', close_reason = $1, closed_at = $2, closed_block = $3, \
					 refund = $4 WHERE id = $5",
					|q| q.bind(reason.clone()).bind(time).bind(number).bind(amount(*refund)).bind(*deal as i64),
				)
				.await?;
				self.run(
					"UPDATE change_requests SET outcome = 'Closed', ended_block = $1 WHERE deal_id = $2 AND outcome = 'Pending'",
					|q| q.bind(number).bind(*deal as i64),
				)
				.await?;
			},
			Fact::Blacklisted { deal } => {
				self.run("UPDATE deals SET blacklisted = 1 WHERE id = $1", |q| {
					q.bind(*deal as i64)
				})
				.await?;
			},
			Fact::ChangeRequested { deal, side, per_second, duration } => {
				// A side's new request replaces its pending one.
				self.run(
					"UPDATE change_requests SET outcome = 'Replaced', ended_block = $1 \
					 WHERE deal_id = $2 AND side = $3 AND outcome = 'Pending'",
					|q| q.bind(number).bind(*deal as i64).bind(side.clone()),
				)
				.await?;
				let seq = self
					.count("SELECT COUNT(*) FROM change_requests WHERE deal_id = $1", *deal)
					.await?;
				self.run(
					"INSERT INTO change_requests (deal_id, seq, side, per_second, duration, requested_block, outcome) \
					 VALUES ($1, $2, $3, $4, $5, $6, 'Pending')",
					|q| {
						q.bind(*deal as i64)
							.bind(seq)
							.bind(side.clone())
							.bind(amount(*per_second))
							.bind(*duration as i64)
							.bind(number)
					},
				)
				.await?;
			},
			Fact::ChangeDropped { deal, side, rejected } => {
				let outcome = if *rejected { "Rejected" } else { "Withdrawn" };
				self.run(
					"UPDATE change_requests SET outcome = $1, ended_block = $2 \
					 WHERE deal_id = $3 AND side = $4 AND outcome = 'Pending'",
					|q| q.bind(outcome).bind(number).bind(*deal as i64).bind(side.clone()),
				)
				.await?;
			},
			Fact::DealChanged { deal, per_second, duration } => {
				self.run(
					"UPDATE change_requests SET outcome = 'Accepted', ended_block = $1 WHERE deal_id = $2 AND outcome = 'Pending'",
					|q| q.bind(number).bind(*deal as i64),
				)
				.await?;
				let unit: Option<String> = self
					.one("SELECT unit FROM deals WHERE id = $1", |q| q.bind(*deal as i64))
					.await?
					.map(|row| row.get(0));
				let seq =
					self.count("SELECT COUNT(*) FROM deal_terms WHERE deal_id = $1", *deal).await?;
				self.run(
					"INSERT INTO deal_terms (deal_id, seq, since, block, unit, per_second, duration) \
					 VALUES ($1, $2, $3, $4, $5, $6, $7)",
					|q| {
						q.bind(*deal as i64)
							.bind(seq)
							.bind(time)
							.bind(number)
							.bind(unit.unwrap_or_else(|| "SNM".into()))
							.bind(amount(*per_second))
							.bind(*duration as i64)
					},
				)
				.await?;
			},
			Fact::AccountEvent { pallet, name, account, other, detail } => {
				self.run(
					"INSERT INTO account_events (block, idx, time, pallet, name, account, other, detail) \
					 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
					|q| {
						q.bind(number)
							.bind(index as i64)
							.bind(time)
							.bind(pallet.clone())
							.bind(name.clone())
							.bind(account.clone())
							.bind(other.clone())
							.bind(detail.to_string())
					},
				)
				.await?;
			},
			Fact::MasternodeStake { account, change, amount: value } => {
				self.stake(account, *change, *value).await?
			},
			Fact::MasternodeLeft { account } => {
				self.run("UPDATE masternodes SET status = 'Left' WHERE account = $1", |q| {
					q.bind(account.clone())
				})
				.await?;
			},
			Fact::SetSelected { members, .. } => {
				for member in members {
					self.run(
						"UPDATE masternodes SET sessions_selected = sessions_selected + 1 WHERE account = $1",
						|q| q.bind(member.clone()),
					)
					.await?;
				}
			},
			Fact::WentOffline { account } => {
				self.run(
					"UPDATE masternodes SET sessions_offline = sessions_offline + 1 WHERE account = $1",
					|q| q.bind(account.clone()),
				)
				.await?;
			},
			Fact::Rewarded { account, session, amount: value } => {
				self.run(
					"INSERT INTO rewards (block, idx, account, session, amount) VALUES ($1, $2, $3, $4, $5)",
					|q| q.bind(number).bind(index as i64).bind(account.clone()).bind(*session as i64).bind(amount(*value)),
				)
				.await?;
				let total = self
					.stored_amount("SELECT rewards FROM masternodes WHERE account = $1", account)
					.await?;
				if let Some(total) = total {
					self.run("UPDATE masternodes SET rewards = $1 WHERE account = $2", |q| {
						q.bind(amount(total.saturating_add(*value))).bind(account.clone())
					})
					.await?;
				}
			},
			Fact::OraclePrice { currency, snm_per_unit, feeds } => {
				self.run(
					"INSERT INTO oracle_prices (block, idx, time, currency, snm_per_unit, feeds) VALUES ($1, $2, $3, $4, $5, $6)",
					|q| {
						q.bind(number).bind(index as i64).bind(time).bind(currency.clone()).bind(amount(*snm_per_unit)).bind(*feeds as i64)
					},
				)
				.await?;
			},
			Fact::Deposit { account, amount: value, eth_tx } => {
				self.transfer(index, "deposit", account, *value, 0, eth_tx, None).await?
			},
			Fact::Withdrawal { id, account, to, amount: value, fee } => {
				self.transfer(index, "withdrawal", account, *value, *fee, to, Some(*id)).await?
			},
		}
		Ok(())
	}

	async fn count(&mut self, sql: &'static str, deal: u64) -> Result<i64, StoreError> {
		Ok(self
			.one(sql, |q| q.bind(deal as i64))
			.await?
			.map(|row| row.get::<i64, _>(0))
			.unwrap_or(0))
	}

	async fn stored_amount(
		&mut self,
		sql: &'static str,
		key: &str,
	) -> Result<Option<u128>, StoreError> {
		Ok(self
			.one(sql, |q| q.bind(key.to_owned()))
			.await?
			.map(|row| read_amount(&row.get::<String, _>(0))))
	}

	async fn order_placed(
		&mut self,
		id: u64,
		author: &str,
		side: &str,
		order: Option<&types::Order>,
	) -> Result<(), StoreError> {
		let (number, _) = (self.number(), self.time());
		let gone_within_block;
		let terms_known = i64::from(order.is_some());
		let order = match order {
			Some(order) => order.clone(),
			None => {
				gone_within_block = types::Order {
					id,
					author: author.into(),
					side: side.parse().unwrap_or(sonm_primitives::market::Side::Bid),
					price: types::Price {
						per_second: 0,
						unit: sonm_primitives::market::PriceUnit::Snm,
					},
					duration: 0,
					counterparty: None,
					min_identity: Default::default(),
					curator: None,
					tag: String::new(),
					benchmarks: vec![],
					netflags: 0,
					expires_at: None,
					placed_at: self.block.time,
					deposit: 0,
					escrow: 0,
				};
				gone_within_block
			},
		};
		let bench: Vec<i64> = (0..benchmarks::STANDARD_COUNT)
			.map(|i| stored_integer(benchmarks::value_at(&order.benchmarks, i)))
			.collect();
		let extra = order
			.benchmarks
			.iter()
			.skip(benchmarks::STANDARD_COUNT)
			.map(u64::to_string)
			.collect::<Vec<_>>()
			.join(",");
		let [core, gib, gpu] = resource_prices(order.price.per_second, &order.benchmarks);
		self.run(
			"INSERT INTO orders (id, author, side, unit, per_second, duration, counterparty, min_identity, curator, \
			 tag, netflags, expires_at, placed_at, placed_block, deposit, escrow, \
			 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, extra_benchmarks, \
			 per_core_hour, per_gib_hour, per_gpu_hour, terms_known, cores_class, status) \
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
			 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, 'Active')",
			|q| {
				let q = q
					.bind(id as i64)
					.bind(order.author.clone())
					.bind(order.side.to_string())
					.bind(order.price.unit.to_string())
					.bind(amount(order.price.per_second))
					.bind(order.duration as i64)
					.bind(order.counterparty.clone())
					.bind(order.min_identity.to_string())
					.bind(order.curator.clone())
					.bind(order.tag.clone())
					.bind(i64::from(order.netflags))
					.bind(order.expires_at.map(|at| at as i64))
					.bind(order.placed_at as i64)
					.bind(number)
					.bind(amount(order.deposit))
					.bind(amount(order.escrow));
				bench
					.iter()
					.fold(q, |q, value| q.bind(*value))
					.bind(extra)
					.bind(optional_amount(core))
					.bind(optional_amount(gib))
					.bind(optional_amount(gpu))
					.bind(terms_known)
					.bind(cores_class(benchmarks::value_at(&order.benchmarks, benchmarks::CPU_CORES)))
			},
		)
		.await?;
		Ok(())
	}

	async fn deal_opened(
		&mut self,
		id: u64,
		ask: u64,
		bid: u64,
		supplier: &str,
		consumer: &str,
		deal: Option<&types::Deal>,
	) -> Result<(), StoreError> {
		let (number, time) = (self.number(), self.time());
		let ask_row = self
			.one(
				"SELECT unit, per_second, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11 FROM orders WHERE id = $1",
				|q| q.bind(ask as i64),
			)
			.await?;
		let bench: Vec<i64> = match &ask_row {
			Some(row) => (2..14).map(|i| row.get::<i64, _>(i)).collect(),
			None => vec![0; benchmarks::STANDARD_COUNT],
		};
		let bid_duration: i64 = self
			.one("SELECT duration FROM orders WHERE id = $1", |q| q.bind(bid as i64))
			.await?
			.map(|row| row.get(0))
			.unwrap_or(0);
		// The deal as the block left it: its opening terms (a bill in the same block is its own
		// fact, so `paid` is not read here).
		let (payee, unit, per_second, duration, start) = match deal {
			Some(deal) => (
				deal.payee.clone(),
				deal.price.unit.to_string(),
				deal.price.per_second,
				deal.duration as i64,
				deal.start as i64,
			),
			None => (
				supplier.to_owned(),
				ask_row
					.as_ref()
					.map(|row| row.get::<String, _>(0))
					.unwrap_or_else(|| "SNM".into()),
				ask_row.as_ref().map(|row| read_amount(&row.get::<String, _>(1))).unwrap_or(0),
				bid_duration,
				time,
			),
		};
		let bench_u64: Vec<u64> = bench.iter().map(|b| *b as u64).collect();
		let [core, _, _] = resource_prices(per_second, &bench_u64);
		self.run(
			"INSERT INTO deals (id, ask, bid, supplier, consumer, payee, unit, per_second, duration, start, opened_block, \
			 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, per_core_hour, status, blacklisted, paid, fees, bills, billed_until) \
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
			 $24, 'Open', 0, $25, $25, 0, $26)",
			|q| {
				let q = q
					.bind(id as i64)
					.bind(ask as i64)
					.bind(bid as i64)
					.bind(supplier.to_owned())
					.bind(consumer.to_owned())
					.bind(payee)
					.bind(unit.clone())
					.bind(amount(per_second))
					.bind(duration)
					.bind(start);
				let q = q.bind(number);
				bench.iter().fold(q, |q, value| q.bind(*value)).bind(optional_amount(core)).bind(amount(0)).bind(start)
			},
		)
		.await?;
		if let Some(deal) = deal {
			// A quick buy's bid left the book in the block that placed it: its terms are its
			// ask's with the deal's duration (as the pallet makes them), its deposit the deal's.
			self.run(
				"UPDATE orders SET (unit, per_second, duration, tag, netflags, b0, b1, b2, b3, b4, b5, b6, b7, b8, \
				 b9, b10, b11, extra_benchmarks, per_core_hour, per_gib_hour, per_gpu_hour, deposit, escrow, terms_known, \
				 cores_class) = \
				 (SELECT unit, per_second, $1, tag, netflags, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, \
				 extra_benchmarks, per_core_hour, per_gib_hour, per_gpu_hour, $2, $3, 1, cores_class FROM orders WHERE id = $4) \
				 WHERE id = $5 AND terms_known = 0",
				|q| {
					q.bind(deal.duration as i64)
						.bind(amount(deal.deposit))
						.bind(amount(deal.escrow))
						.bind(ask as i64)
						.bind(bid as i64)
				},
			)
			.await?;
		}
		for order in [ask, bid] {
			self.run(
				"UPDATE orders SET status = 'Consumed', ended_block = $1, ended_at = $2, deal_id = $3 WHERE id = $4",
				|q| q.bind(number).bind(time).bind(id as i64).bind(order as i64),
			)
			.await?;
		}
		self.run(
			"INSERT INTO deal_terms (deal_id, seq, since, block, unit, per_second, duration) VALUES ($1, 0, $2, $3, $4, $5, $6)",
			|q| q.bind(id as i64).bind(start).bind(number).bind(unit).bind(amount(per_second)).bind(duration),
		)
		.await?;
		Ok(())
	}

	async fn billed(
		&mut self,
		deal: u64,
		payee: &str,
		paid_now: u128,
		fee: u128,
		billed_until: Option<u64>,
	) -> Result<(), StoreError> {
		let (number, time) = (self.number(), self.time());
		let Some(row) = self
			.one("SELECT consumer, paid, fees, bills, billed_until, start, duration FROM deals WHERE id = $1", |q| {
				q.bind(deal as i64)
			})
			.await?
		else {
			tracing::error!(deal, block = number, "a bill of a deal the indexer never saw open");
			return Ok(());
		};
		let consumer: String = row.get(0);
		let paid = read_amount(&row.get::<String, _>(1));
		let fees = read_amount(&row.get::<String, _>(2));
		let bills: i64 = row.get(3);
		let from: i64 = row.get(4);
		let (start, duration): (i64, i64) = (row.get(5), row.get(6));
		// A bill in the block that closed the deal paid up to the close (or the deal's end).
		let to = match billed_until {
			Some(until) => until as i64,
			None if duration > 0 => time.min(start + duration),
			None => time,
		};
		let running = paid.saturating_add(paid_now);
		self.run(
			"INSERT INTO bills (deal_id, seq, block, time, payee, consumer, amount, fee, period_from, period_to, running_total) \
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			|q| {
				q.bind(deal as i64)
					.bind(bills)
					.bind(number)
					.bind(time)
					.bind(payee.to_owned())
					.bind(consumer)
					.bind(amount(paid_now))
					.bind(amount(fee))
					.bind(from)
					.bind(to)
					.bind(amount(running))
			},
		)
		.await?;
		self.run(
			"UPDATE deals SET paid = $1, fees = $2, bills = $3, billed_until = $4, payee = $5 WHERE id = $6",
			|q| {
				q.bind(amount(running))
					.bind(amount(fees.saturating_add(fee)))
					.bind(bills + 1)
					.bind(to)
					.bind(payee.to_owned())
					.bind(deal as i64)
			},
		)
		.await?;
		Ok(())
	}

	async fn stake(
		&mut self,
		account: &str,
		change: StakeChange,
		value: u128,
	) -> Result<(), StoreError> {
		let number = self.number();
		let stake = self
			.stored_amount("SELECT stake FROM masternodes WHERE account = $1", account)
			.await?;
		let stake = match (change, stake) {
			(StakeChange::Registered, _) => value,
			(StakeChange::Bonded, Some(stake)) => stake.saturating_add(value),
			(StakeChange::Unbonded, Some(stake)) => stake.saturating_sub(value),
			(_, None) => value,
		};
		self.run(
			"INSERT INTO masternodes (account, stake, status, registered_block, sessions_selected, sessions_offline, rewards) \
			 VALUES ($1, $2, 'Active', $3, 0, 0, $4) \
			 ON CONFLICT (account) DO UPDATE SET stake = excluded.stake, status = 'Active'",
			|q| q.bind(account.to_owned()).bind(amount(stake)).bind(number).bind(amount(0)),
		)
		.await?;
		Ok(())
	}

	#[allow(clippy::too_many_arguments)]
	async fn transfer(
		&mut self,
		index: u64,
		kind: &str,
		account: &str,
		value: u128,
		fee: u128,
		ethereum: &str,
		withdrawal: Option<u64>,
	) -> Result<(), StoreError> {
		let (number, time) = (self.number(), self.time());
		self.run(
			"INSERT INTO gateway_transfers (block, idx, time, kind, account, amount, fee, ethereum, withdrawal) \
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			|q| {
				q.bind(number)
					.bind(index as i64)
					.bind(time)
					.bind(kind.to_owned())
					.bind(account.to_owned())
					.bind(amount(value))
					.bind(amount(fee))
					.bind(ethereum.to_owned())
					.bind(withdrawal.map(|id| id as i64))
			},
		)
		.await?;
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn resource_prices_divide_by_what_the_order_offers() {
		let mut bench = vec![0u64; 12];
		bench[benchmarks::CPU_CORES] = 4;
		bench[benchmarks::RAM_SIZE] = 8 << 30;
		let [core, gib, gpu] = resource_prices(1_000, &bench);
		assert_eq!(core, Some(900_000));
		assert_eq!(gib, Some(450_000));
		assert_eq!(gpu, None);
		assert_eq!(resource_prices(u128::MAX, &bench)[0], None);
	}
}
