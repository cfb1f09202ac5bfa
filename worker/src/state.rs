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
/// Deal id -> the output of its removed task: 8 bytes of unix seconds (when kept), then the
/// bytes.
const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
/// Deal id -> the customer who may read its kept output (SS58).
const LOG_OWNERS: TableDefinition<u64, &str> = TableDefinition::new("log_owners");

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

// The write closures return redb's own error, which is large; each is turned into a
// `StateError` at once, on a path that ends the write.
#[allow(clippy::result_large_err)]
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
			tx.open_table(LOGS)?;
			tx.open_table(LOG_OWNERS)?;
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

	/// Keeps the output of deal `id`'s removed task, for its customer `owner` to read.
	pub fn keep_logs(&self, id: u64, owner: &str, bytes: &[u8]) -> Result<(), StateError> {
		let now = sonm_client::task_auth::unix_now();
		let mut value = now.to_be_bytes().to_vec();
		value.extend_from_slice(bytes);
		self.write(|tx| {
			tx.open_table(LOGS)?.insert(id, value.as_slice())?;
			tx.open_table(LOG_OWNERS)?.insert(id, owner)?;
			Ok(())
		})
	}

	/// Who may read deal `id`'s kept output.
	pub fn log_owner(&self, id: u64) -> Result<Option<String>, StateError> {
		let tx = self.db.begin_read().map_err(|e| self.fail(e))?;
		let table = tx.open_table(LOG_OWNERS).map_err(|e| self.fail(e))?;
		let value = table.get(id).map_err(|e| self.fail(e))?;
		Ok(value.map(|value| value.value().to_owned()))
	}

	/// The kept output of deal `id`'s removed task.
	pub fn logs(&self, id: u64) -> Result<Option<Vec<u8>>, StateError> {
		let tx = self.db.begin_read().map_err(|e| self.fail(e))?;
		let table = tx.open_table(LOGS).map_err(|e| self.fail(e))?;
		let value = table.get(id).map_err(|e| self.fail(e))?;
		Ok(value.map(|value| value.value().get(8..).unwrap_or_default().to_vec()))
	}

	/// Forgets kept outputs older than `retention` seconds at `now`; returns how many.
	pub fn prune_logs(&self, now: u64, retention: u64) -> Result<usize, StateError> {
		let tx = self.db.begin_write().map_err(|e| self.fail(e))?;
		let pruned = {
			let mut table = tx.open_table(LOGS).map_err(|e| self.fail(e))?;
			let old: Vec<u64> = table
				.iter()
				.map_err(|e| self.fail(e))?
				.filter_map(Result::ok)
				.filter(|(_, value)| {
					let kept = value.value().get(..8).and_then(|b| b.try_into().ok());
					kept.is_some_and(|b| now.saturating_sub(u64::from_be_bytes(b)) > retention)
				})
				.map(|(id, _)| id.value())
				.collect();
			let mut owners = tx.open_table(LOG_OWNERS).map_err(|e| self.fail(e))?;
			for id in &old {
				table.remove(id).map_err(|e| self.fail(e))?;
				owners.remove(id).map_err(|e| self.fail(e))?;
			}
			old.len()
		};
		tx.commit().map_err(|e| self.fail(e))?;
		Ok(pruned)
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

	#[test]
	fn kept_logs_are_read_back_and_pruned_after_their_retention() {
		let dir = tempfile::tempdir().unwrap();
		let state = State::open(dir.path()).unwrap();
		state.keep_logs(3, "bob", b"line one\nline two\n").unwrap();
		assert_eq!(state.log_owner(3).unwrap().as_deref(), Some("bob"));
		assert_eq!(state.logs(3).unwrap().as_deref(), Some(&b"line one\nline two\n"[..]));
		assert_eq!(state.logs(4).unwrap(), None);
		let now = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.unwrap()
			.as_secs();
		assert_eq!(state.prune_logs(now, 3600).unwrap(), 0, "kept within the hour");
		assert_eq!(state.prune_logs(now + 3601, 3600).unwrap(), 1);
		assert_eq!(state.logs(3).unwrap(), None);
	}
}
