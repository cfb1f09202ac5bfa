//! What a gateway remembers across restarts, in one redb file: how far it scanned Ethereum,
//! the deposits it attested (with the block that held each, to notice a reorg), and the alarm
//! that stops it. Every change is one committed transaction, so a `kill -9` at any point
//! leaves either the old or the new state; the chain and the contract are the truth for the
//! rest (who attested, who signed, what was paid), read again on start.

use crate::error::{BridgeError, BridgeResult};
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::Path;

/// `"scanned"` → the last Ethereum block whose deposits were all attested.
const CURSORS: TableDefinition<&str, u64> = TableDefinition::new("cursors");
/// Deposit key (tx hash ‖ log index) → (block number, block hash) of the log we attested.
const ATTESTED: TableDefinition<&[u8], (u64, &[u8])> = TableDefinition::new("attested");
/// `"halted"` → why the gateway stopped attesting.
const ALARMS: TableDefinition<&str, &str> = TableDefinition::new("alarms");

/// The gateway's database.
pub struct Store {
	db: Database,
}

/// A deposit we attested and where its log was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
	pub key: Vec<u8>,
	pub block: u64,
	pub block_hash: Vec<u8>,
}

fn fail(error: impl std::fmt::Display) -> BridgeError {
	BridgeError::Store(error.to_string())
}

impl Store {
	/// Opens (or creates) the database at `path`.
	pub fn open(path: &Path) -> BridgeResult<Self> {
		if let Some(dir) = path.parent() {
			std::fs::create_dir_all(dir).map_err(fail)?;
		}
		let db = Database::create(path).map_err(fail)?;
		let tx = db.begin_write().map_err(fail)?;
		tx.open_table(CURSORS).map_err(fail)?;
		tx.open_table(ATTESTED).map_err(fail)?;
		tx.open_table(ALARMS).map_err(fail)?;
		tx.commit().map_err(fail)?;
		Ok(Self { db })
	}

	/// The last Ethereum block fully scanned and attested, if any.
	pub fn scanned(&self) -> BridgeResult<Option<u64>> {
		let tx = self.db.begin_read().map_err(fail)?;
		let table = tx.open_table(CURSORS).map_err(fail)?;
		Ok(table.get("scanned").map_err(fail)?.map(|value| value.value()))
	}

	/// Records that everything up to `block` is scanned and attested.
	pub fn set_scanned(&self, block: u64) -> BridgeResult<()> {
		let tx = self.db.begin_write().map_err(fail)?;
		tx.open_table(CURSORS).map_err(fail)?.insert("scanned", block).map_err(fail)?;
		tx.commit().map_err(fail)
	}

	/// Records that we attested the deposit `key`, whose log was in `block` (`block_hash`).
	pub fn record_attested(&self, key: &[u8], block: u64, block_hash: &[u8]) -> BridgeResult<()> {
		let tx = self.db.begin_write().map_err(fail)?;
		tx.open_table(ATTESTED)
			.map_err(fail)?
			.insert(key, (block, block_hash))
			.map_err(fail)?;
		tx.commit().map_err(fail)
	}

	/// Attested deposits whose logs are in blocks from `from` on: those a reorg could still
	/// take away.
	pub fn attested_since(&self, from: u64) -> BridgeResult<Vec<Attested>> {
		let tx = self.db.begin_read().map_err(fail)?;
		let table = tx.open_table(ATTESTED).map_err(fail)?;
		let mut recent = Vec::new();
		for entry in table.iter().map_err(fail)? {
			let (key, value) = entry.map_err(fail)?;
			let (block, hash) = value.value();
			if block >= from {
				recent.push(Attested {
					key: key.value().to_vec(),
					block,
					block_hash: hash.to_vec(),
				});
			}
		}
		Ok(recent)
	}

	/// How many deposits we attested.
	pub fn attested_count(&self) -> BridgeResult<u64> {
		let tx = self.db.begin_read().map_err(fail)?;
		tx.open_table(ATTESTED).map_err(fail)?.len().map_err(fail)
	}

	/// Why the gateway halted, if it did.
	pub fn halted(&self) -> BridgeResult<Option<String>> {
		let tx = self.db.begin_read().map_err(fail)?;
		let table = tx.open_table(ALARMS).map_err(fail)?;
		Ok(table.get("halted").map_err(fail)?.map(|value| value.value().to_owned()))
	}

	/// Halts attesting for `reason` until an operator clears it.
	pub fn halt(&self, reason: &str) -> BridgeResult<()> {
		let tx = self.db.begin_write().map_err(fail)?;
		tx.open_table(ALARMS).map_err(fail)?.insert("halted", reason).map_err(fail)?;
		tx.commit().map_err(fail)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_state_survives_reopening() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("gateway.redb");
		{
			let store = Store::open(&path).unwrap();
			assert_eq!(store.scanned().unwrap(), None);
			store.set_scanned(41).unwrap();
			store.record_attested(b"deposit-a", 40, b"hash-a").unwrap();
			store.record_attested(b"deposit-b", 12, b"hash-b").unwrap();
			store.halt("a reorg").unwrap();
		}
		let store = Store::open(&path).unwrap();
		assert_eq!(store.scanned().unwrap(), Some(41));
		assert_eq!(store.attested_count().unwrap(), 2);
		let recent = store.attested_since(30).unwrap();
		assert_eq!(
			recent,
			vec![Attested {
				key: b"deposit-a".to_vec(),
				block: 40,
				block_hash: b"hash-a".to_vec()
			}]
		);
		assert_eq!(store.halted().unwrap().as_deref(), Some("a reorg"));
	}
}
