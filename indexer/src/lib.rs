//! `sonm-indexer`: the market's history and search.
//!
//! - [`read`]: one finalized block from the node, its events decoded into [`read::Fact`]s, with
//!   the state they point to (an order's terms, a deal's price, how far a bill paid).
//! - [`write`]: a block's rows and the cursor in one transaction.
//! - [`follow`]: finalized blocks only, read in parallel within a window, written in order;
//!   node outages waited out.
//! - [`store`]: SQLite or PostgreSQL through one query layer, and the schema's migrations.
//! - [`api`]: the read API over HTTP and its OpenAPI description.
//! - [`telemetry`]: Prometheus metrics and `/health`.

pub mod api;
pub mod follow;
pub mod read;
pub mod store;
pub mod telemetry;
pub mod write;
