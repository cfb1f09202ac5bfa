//! What the indexer's end-to-end tests share: a real `sonm-indexer` process ([`Indexer`]),
//! the workload that drives a dev chain, the database read back table by table ([`dump`]) and
//! compared with the chain's own state at the indexer's block ([`check_against_chain`]).

#![allow(dead_code)]

use sonm_client::{
	indexer_api::{IndexerClient, IndexerStatus},
	runtime,
	subxt::utils::H256,
	AccountId32, Client,
};
use sonm_indexer::{
	api::rows,
	store::{read_amount, Store},
};
use sonm_test_support::{indexer::IndexerProcess, wait_for, workspace_bin, PATIENCE};
use sqlx::Row;
use std::{
	path::Path,
	process::{Child, Command, Stdio},
	time::Duration,
};

/// A `sonm-indexer` process (the test kit's) with the API reads these tests wait on.
pub struct Indexer(pub IndexerProcess);

impl std::ops::Deref for Indexer {
	type Target = IndexerProcess;
	fn deref(&self) -> &IndexerProcess {
		&self.0
	}
}

impl std::ops::DerefMut for Indexer {
	fn deref_mut(&mut self) -> &mut IndexerProcess {
		&mut self.0
	}
}

impl Indexer {
	/// Starts an indexer of the node at `chain` into `db`.
	pub async fn start(dir: &Path, name: &str, chain: &str, db: &str, extra: &[&str]) -> Self {
		let bin = Path::new(env!("CARGO_BIN_EXE_sonm-indexer"));
		Self(IndexerProcess::start(bin, dir, name, chain, db, extra))
	}

	pub async fn restart(&mut self) {
		self.0.restart();
	}

	pub fn api(&self) -> IndexerClient {
		IndexerClient::new(&self.url)
	}

	pub async fn status(&self) -> IndexerStatus {
		self.api().get("/status", &[]).await.expect("the status")
	}

	/// Waits until the indexer has written block `number`.
	pub async fn wait_for_block(&self, number: u64) {
		let api = self.api();
		wait_for(&format!("the indexer to write block {number}"), || {
			let api = api.clone();
			async move {
				let status: IndexerStatus = api.get("/status", &[]).await.ok()?;
				status.block.filter(|block| *block >= number)
			}
		})
		.await;
	}
}

/// Runs `sonm-load`'s mixed market workload (orders, deals, bills, closes, transfers) against
/// `url` for `seconds` at `rate` extrinsics a second, until every one is final.
pub fn run_mixed_load(url: &str, seconds: u32, rate: u32) -> Child {
	Command::new(workspace_bin("sonm-load"))
		.args([
			"--url",
			url,
			"--workload",
			"mixed",
			"--duration",
			&seconds.to_string(),
			"--rate",
			&rate.to_string(),
		])
		.args(["--drain", "120"])
		.stdout(Stdio::null())
		.stderr(Stdio::inherit())
		.spawn()
		.expect("sonm-load starts")
}

/// Waits for a child to exit with success.
pub fn finish(mut child: Child, what: &str) {
	let status = child.wait().expect("the child ends");
	assert!(status.success(), "{what} failed: {status}");
}

/// The chain's finalized block number.
pub async fn finalized(client: &Client) -> u64 {
	client.finalized_block().await.expect("the finalized block").0
}

/// Every table but `cursor`, row by row as text, in key order; `blocks` up to `up_to`.
pub async fn dump(store: &Store, up_to: u64) -> Vec<(String, Vec<Vec<String>>)> {
	let tables = [
		("orders", "id"),
		("deals", "id"),
		("bills", "deal_id, seq"),
		("deal_terms", "deal_id, seq"),
		("change_requests", "deal_id, seq"),
		("account_events", "block, idx"),
		("masternodes", "account"),
		("rewards", "block, idx"),
		("oracle_prices", "block, idx"),
		("gateway_transfers", "block, idx"),
		("blocks", "number"),
	];
	let mut out = Vec::new();
	for (table, key) in tables {
		let filter =
			if table == "blocks" { format!(" WHERE number <= {up_to}") } else { String::new() };
		let sql = format!("SELECT * FROM {table}{filter} ORDER BY {key}");
		let rows = sqlx::query(&sql).fetch_all(&store.pool).await.expect("a table");
		let rows = rows
			.iter()
			.map(|row| {
				(0..row.len())
					.map(|i| match row.try_get::<Option<i64>, _>(i) {
						Ok(value) => format!("{value:?}"),
						Err(_) => format!(
							"{:?}",
							row.try_get::<Option<String>, _>(i).expect("text or integer")
						),
					})
					.collect()
			})
			.collect();
		out.push((table.to_owned(), rows));
	}
	out
}

/// Asserts two dumps hold the same rows, naming the first table and row that differ.
pub fn assert_same(left: &[(String, Vec<Vec<String>>)], right: &[(String, Vec<Vec<String>>)]) {
	for ((table, a), (_, b)) in left.iter().zip(right) {
		for (i, (row_a, row_b)) in a.iter().zip(b).enumerate() {
			assert_eq!(row_a, row_b, "table {table}, row {i}");
		}
		assert_eq!(a.len(), b.len(), "rows of table {table}");
	}
}

/// How many rows `table` has.
pub async fn count(store: &Store, table: &str) -> u64 {
	let row = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
		.fetch_one(&store.pool)
		.await
		.expect("a count");
	row.get::<i64, _>(0) as u64
}

/// The market fee pot's account (`PalletId(*b"sonm/fee")` as an account).
fn fee_pot() -> AccountId32 {
	let mut bytes = [0u8; 32];
	bytes[..12].copy_from_slice(b"modlsonm/fee");
	AccountId32(bytes)
}

async fn free_balance(client: &Client, account: &AccountId32, at: H256) -> u128 {
	let at = client.api().at_block(at).await.expect("the block");
	let entry = at
		.storage()
		.entry(runtime::storage().system().account())
		.expect("System::Account");
	match entry.try_fetch((*account,)).await.expect("the account") {
		Some(info) => info.decode().expect("an account").data.free,
		None => 0,
	}
}

/// What the database says equals what the chain says at the database's block: the open book
/// order by order and field by field, every order ever placed, every deal open or closed as the
/// chain has it with what it paid, each deal's bills adding up to its total, and the fees the
/// bills took (less the rewards paid from them) in the fee pot.
pub async fn check_against_chain(store: &Store, client: &Client) -> Totals {
	let cursor = store.cursor().await.expect("the cursor").expect("a block written");
	let hash: H256 = cursor.hash.parse().expect("a block hash");
	let pool = &store.pool;

	let mut book = Vec::new();
	loop {
		let from = book.last().map_or(0, |order: &sonm_client::types::Order| order.id + 1);
		let page = client.orders_at(from, 1_000, hash).await.expect("the book");
		if page.is_empty() {
			break;
		}
		book.extend(page);
	}
	let sql =
		format!("SELECT {} FROM orders WHERE status = 'Active' ORDER BY id", rows::ORDER_COLUMNS);
	let active: Vec<_> = sqlx::query(&sql)
		.fetch_all(pool)
		.await
		.unwrap()
		.iter()
		.map(|r| rows::order(r).order)
		.collect();
	assert_eq!(active, book, "the open book at block {}", cursor.block);

	let at = client.api().at_block(hash).await.expect("the block");
	let next_id: u64 = at
		.storage()
		.entry(runtime::storage().market().next_order_id())
		.unwrap()
		.fetch(())
		.await
		.unwrap()
		.decode()
		.unwrap();
	assert_eq!(count(store, "orders").await, next_id, "every order placed is indexed");

	let sql = format!("SELECT {} FROM deals ORDER BY id", rows::DEAL_COLUMNS);
	let deals: Vec<_> = sqlx::query(&sql)
		.fetch_all(pool)
		.await
		.unwrap()
		.iter()
		.map(rows::deal)
		.collect();
	let mut totals = Totals::default();
	for deal in &deals {
		let on_chain = client.deal_at(deal.id, hash).await.expect("a deal");
		match on_chain {
			Some(open) => {
				assert_eq!(deal.status, "Open", "deal {}", deal.id);
				assert_eq!(deal.paid, open.paid, "what deal {} paid", deal.id);
				assert_eq!(deal.payee, open.payee, "deal {}'s payee", deal.id);
				totals.open += 1;
			},
			None => {
				assert_eq!(deal.status, "Closed", "deal {} is gone from the chain", deal.id);
				totals.closed += 1;
				totals.refunds += deal.refund.expect("a closed deal's refund");
			},
		}
		let bills = sqlx::query(
			"SELECT amount, fee, running_total FROM bills WHERE deal_id = $1 ORDER BY seq",
		)
		.bind(deal.id as i64)
		.fetch_all(pool)
		.await
		.unwrap();
		let paid: u128 = bills.iter().map(|b| read_amount(&b.get::<String, _>(0))).sum();
		let fees: u128 = bills.iter().map(|b| read_amount(&b.get::<String, _>(1))).sum();
		assert_eq!(paid, deal.paid, "deal {}'s bills add up to what it paid", deal.id);
		assert_eq!(fees, deal.fees, "deal {}'s fees", deal.id);
		if let Some(last) = bills.last() {
			assert_eq!(
				read_amount(&last.get::<String, _>(2)),
				deal.paid,
				"deal {}'s running total",
				deal.id
			);
		}
		totals.bills += bills.len() as u64;
		totals.paid += paid;
		totals.fees += fees;
	}
	let open_on_chain = {
		let prefix = at.storage().entry(runtime::storage().market().deals()).unwrap();
		let mut entries = prefix.iter(()).await.expect("the deals");
		let mut n = 0u64;
		while let Some(entry) = futures::StreamExt::next(&mut entries).await {
			entry.expect("a deal");
			n += 1;
		}
		n
	};
	assert_eq!(totals.open, open_on_chain, "open deals at block {}", cursor.block);

	let rewards: u128 = sqlx::query("SELECT amount FROM rewards")
		.fetch_all(pool)
		.await
		.unwrap()
		.iter()
		.map(|r| read_amount(&r.get::<String, _>(0)))
		.sum();
	let genesis: H256 = client.block_and_parent(0).await.unwrap().unwrap().0;
	let pot_then = free_balance(client, &fee_pot(), genesis).await;
	let pot_now = free_balance(client, &fee_pot(), hash).await;
	// The pot also takes a share of every transaction's fee, so it holds at least the bills'.
	assert!(
		pot_now + rewards >= pot_then + totals.fees,
		"the fee pot gained the bills' fees ({}) less the rewards paid from it ({rewards}): {pot_then} -> {pot_now}",
		totals.fees
	);
	totals.rewards = rewards;
	totals
}

/// What [`check_against_chain`] counted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
	pub open: u64,
	pub closed: u64,
	pub bills: u64,
	pub paid: u128,
	pub fees: u128,
	pub refunds: u128,
	pub rewards: u128,
}

/// The patience of these tests.
pub const PATIENT: Duration = PATIENCE;
