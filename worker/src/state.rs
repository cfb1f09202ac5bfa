//! The worker's state, in a redb database in the data directory: each plan's open ask, the
//! deals it follows, the benchmark cache and the chain cursor. Every change is one committed
//! transaction, so a `kill -9` at any point leaves the last committed state, which the worker
//! reconciles with the chain on start.

use crate::bench::Benchmarks;
use redb::{Database, ReadableTable, TableDefinition};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::path::Path;

/// Plan name -> its open ask's id.
const ASKS: TableDefinition<&str, u64> = TableDefinition::new("asks");
/// Deal id -> [`DealRecord`] as JSON.
const DEALS: TableDefinition<u64, &str> = TableDefinition::new("deals");
/// Name -> JSON value: `benchmarks`, `finalized`.
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");

/// A deal the worker serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealRecord {
	/// The plan whose ask made it.
	pub plan: String,
	/// The ask's id.
	pub ask: u64,
	/// The fixed end of a forward deal (unix seconds).
	pub end: Option<u64>,
}

/// A database failure, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("worker database {path}: {message}")]
pub struct StateError {
	path: String,
	message: String,
}

/// The open database.
pub struct State {
	db: Database,
	path: String,
}

impl State {
	/// Opens (or creates) `data_dir/worker.redb`.
	pub fn open(data_dir: &Path) -> Result<Self, StateError> {
		let path = data_dir.join("worker.redb");
		let display = path.display().to_string();
		let fail = |message: String| StateError { path: display.clone(), message };
		std::fs::create_dir_all(data_dir).map_err(|e| fail(e.to_string()))?;
		let db = Database::create(&path).map_err(|e| fail(e.to_string()))?;
		let state = Self { db, path: display };
		// Create the tables, so that reads of a fresh database find them empty.
		state.write(|tx| {
			tx.open_table(ASKS)?;
			tx.open_table(DEALS)?;
			tx.open_table(META)?;
			Ok(())
		})?;
		Ok(state)
	}

	fn fail(&self, error: impl std::fmt::Display) -> StateError {
		StateError { path: self.path.clone(), message: error.to_string() }
	}

	fn write(
		&self,
		change: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
	) -> Result<(), StateError> {
		let tx = self.db.begin_write().map_err(|e| self.fail(e))?;
		change(&tx).map_err(|e| self.fail(e))?;
		tx.commit().map_err(|e| self.fail(e))
	}

	/// Each plan's open ask.
	pub fn asks(&self) -> Result<Vec<(String, u64)>, StateError> {
		let tx = self.db.begin_read().map_err(|e| self.fail(e))?;
		let table = tx.open_table(ASKS).map_err(|e| self.fail(e))?;
		let mut asks = Vec::new();
		for entry in table.iter().map_err(|e| self.fail(e))? {
			let (plan, id) = entry.map_err(|e| self.fail(e))?;
			asks.push((plan.value().to_owned(), id.value()));
		}
		Ok(asks)
	}

	/// Records `plan`'s open ask, or that it has none.
	pub fn set_ask(&self, plan: &str, ask: Option<u64>) -> Result<(), StateError> {
		self.write(|tx| {
			let mut table = tx.open_table(ASKS)?;
			match ask {
				Some(id) => table.insert(plan, id)?,
				None => table.remove(plan)?,
			};
			Ok(())
		})
	}

	/// The deals the worker follows.
	pub fn deals(&self) -> Result<Vec<(u64, DealRecord)>, StateError> {
		let tx = self.db.begin_read().map_err(|e| self.fail(e))?;
		let table = tx.open_table(DEALS).map_err(|e| self.fail(e))?;
		let mut deals = Vec::new();
		for entry in table.iter().map_err(|e| self.fail(e))? {
			let (id, record) = entry.map_err(|e| self.fail(e))?;
			let record = serde_json::from_str(record.value()).map_err(|e| self.fail(e))?;
			deals.push((id.value(), record));
		}
		Ok(deals)
	}

	/// Starts following deal `id` and, in the same transaction, forgets its plan's ask (the deal
	/// consumed it).
	pub fn deal_opened(&self, id: u64, record: &DealRecord) -> Result<(), StateError> {
		let json = serde_json::to_string(record).map_err(|e| self.fail(e))?;
		self.write(|tx| {
			tx.open_table(DEALS)?.insert(id, json.as_str())?;
			let mut asks = tx.open_table(ASKS)?;
			if asks.get(record.plan.as_str())?.is_some_and(|ask| ask.value() == record.ask) {
				asks.remove(record.plan.as_str())?;
			}
			Ok(())
		})
	}

	/// Stops following deal `id`: its plan is free again.
	pub fn deal_closed(&self, id: u64) -> Result<(), StateError> {
		self.write(|tx| {
			tx.open_table(DEALS)?.remove(id)?;
			Ok(())
		})
	}

	/// The cached benchmarks, if any.
	pub fn benchmarks(&self) -> Result<Option<Benchmarks>, StateError> {
		self.meta("benchmarks")
	}

	/// Caches `benchmarks`.
	pub fn set_benchmarks(&self, benchmarks: &Benchmarks) -> Result<(), StateError> {
		self.set_meta("benchmarks", benchmarks)
	}

	/// A JSON value of the meta table.
	pub fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StateError> {
		let tx = self.db.begin_read().map_err(|e| self.fail(e))?;
		let table = tx.open_table(META).map_err(|e| self.fail(e))?;
		let Some(value) = table.get(name).map_err(|e| self.fail(e))? else { return Ok(None) };
		serde_json::from_str(value.value()).map(Some).map_err(|e| self.fail(e))
	}

	/// Writes a JSON value of the meta table.
	pub fn set_meta<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StateError> {
		let json = serde_json::to_string(value).map_err(|e| self.fail(e))?;
		self.write(|tx| {
			tx.open_table(META)?.insert(name, json.as_str())?;
			Ok(())
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn state_survives_reopening() {
		let dir = tempfile::tempdir().unwrap();
		{
			let state = State::open(dir.path()).unwrap();
			state.set_ask("small", Some(7)).unwrap();
			state.set_ask("big", Some(8)).unwrap();
			let record = DealRecord { plan: "small".into(), ask: 7, end: Some(99) };
			state.deal_opened(9, &record).unwrap();
			state
				.set_benchmarks(&Benchmarks { fingerprint: "f".into(), values: [1; 12] })
				.unwrap();
		}
		let state = State::open(dir.path()).unwrap();
		assert_eq!(state.asks().unwrap(), vec![("big".to_owned(), 8)], "the deal took small's ask");
		assert_eq!(state.deals().unwrap()[0].0, 9);
		assert_eq!(state.benchmarks().unwrap().unwrap().values, [1; 12]);
		state.deal_closed(9).unwrap();
		assert!(state.deals().unwrap().is_empty());
	}
}
