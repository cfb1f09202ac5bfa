//! The database: one connection pool over SQLite or PostgreSQL (sqlx's `Any` driver, so that
//! every query is written once), the schema's migrations, and how amounts are stored.

use sqlx::{any::AnyPoolOptions, AnyPool, Row};
use std::{path::Path, str::FromStr, time::Duration};

/// The schema's versioned migrations (`indexer/migrations`), the same for both databases.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Digits of a stored amount: every `u128` fits, and text order is number order.
pub const AMOUNT_DIGITS: usize = 39;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
	Sqlite,
	Postgres,
}

/// Why the database could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	#[error("{0:?} is not a database URL: use sqlite://PATH or postgres://USER@HOST:PORT/NAME")]
	BadUrl(String),
	#[error("the database: {0}")]
	Sql(#[from] sqlx::Error),
	#[error("the database's schema: {0}")]
	Migrate(#[from] sqlx::migrate::MigrateError),
	#[error(
		"the database holds chain {stored}, not the node's chain {node}: give this chain a database \
		 of its own"
	)]
	OtherChain { stored: String, node: String },
}

/// The open database.
#[derive(Clone)]
pub struct Store {
	pub pool: AnyPool,
	pub backend: Backend,
}

/// Where the last written block left the indexer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
	pub block: u64,
	pub hash: String,
	pub genesis: String,
}

impl Store {
	/// Opens (creating a SQLite file and its directory where needed) and migrates the database
	/// at `url`.
	pub async fn open(url: &str) -> Result<Self, StoreError> {
		sqlx::any::install_default_drivers();
		let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
			let path = path.split('?').next().unwrap_or(path);
			if path.is_empty() {
				return Err(StoreError::BadUrl(url.into()));
			}
			if let Some(dir) = Path::new(path).parent().filter(|dir| !dir.as_os_str().is_empty()) {
				std::fs::create_dir_all(dir)
					.map_err(|e| StoreError::BadUrl(format!("{url}: {e}")))?;
			}
			(Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
		} else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
			use sqlx::migrate::MigrateDatabase;
			if !sqlx::Postgres::database_exists(url).await? {
				tracing::info!("creating the database");
				sqlx::Postgres::create_database(url).await?;
			}
			(Backend::Postgres, url.to_owned())
		} else {
			return Err(StoreError::BadUrl(url.into()));
		};
		let options = AnyPoolOptions::new()
			.max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
			.acquire_timeout(Duration::from_secs(30));
		let options = if backend == Backend::Sqlite {
			// WAL lets the API read while the follower writes; NORMAL syncs at checkpoints,
			// which WAL keeps crash-safe (a lost tail is a lost transaction, never a torn one).
			options.after_connect(|connection, _| {
				Box::pin(async move {
					use sqlx::Executor;
					connection.execute("PRAGMA journal_mode = WAL").await?;
					connection.execute("PRAGMA synchronous = NORMAL").await?;
					connection.execute("PRAGMA busy_timeout = 10000").await?;
					Ok(())
				})
			})
		} else {
			options
		};
		let pool = options.connect(&url).await?;
		MIGRATOR.run(&pool).await?;
		Ok(Self { pool, backend })
	}

	/// The last written block, if any.
	pub async fn cursor(&self) -> Result<Option<Cursor>, StoreError> {
		let row =
			sqlx::query("SELECT block_number, block_hash, genesis_hash FROM cursor WHERE id = 0")
				.fetch_optional(&self.pool)
				.await?;
		Ok(row.map(|row| Cursor {
			block: row.get::<i64, _>(0) as u64,
			hash: row.get(1),
			genesis: row.get(2),
		}))
	}

	/// Refuses a database that follows another chain.
	pub async fn check_genesis(&self, genesis: &str) -> Result<(), StoreError> {
		match self.cursor().await? {
			Some(cursor) if cursor.genesis != genesis => {
				Err(StoreError::OtherChain { stored: cursor.genesis, node: genesis.into() })
			},
			_ => Ok(()),
		}
	}
}

/// An amount as stored: 39 digits, zero-padded.
pub fn amount(value: u128) -> String {
	format!("{value:0width$}", width = AMOUNT_DIGITS)
}

/// A stored amount read back (a malformed one reads as 0 and is logged).
pub fn read_amount(text: &str) -> u128 {
	u128::from_str(text).unwrap_or_else(|_| {
		tracing::error!(text, "a stored amount is not a number");
		0
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_keep_their_order_as_text_and_read_back_exactly() {
		let values = [0, 1, 9, 10, 10u128.pow(18), u128::MAX - 1, u128::MAX];
		for pair in values.windows(2) {
			assert!(amount(pair[0]) < amount(pair[1]));
		}
		for value in values {
			assert_eq!(amount(value).len(), AMOUNT_DIGITS);
			assert_eq!(read_amount(&amount(value)), value);
		}
	}

	#[tokio::test]
	async fn bad_urls_are_refused_by_name() {
		for url in ["mysql://x", "sqlite://", "/tmp/file.db"] {
			assert!(matches!(Store::open(url).await, Err(StoreError::BadUrl(_))), "{url}");
		}
	}
}
