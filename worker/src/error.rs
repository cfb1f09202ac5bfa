//! What goes wrong in the worker's passes over the chain, by kind: a pass logs it and the next
//! block tries again.

use crate::{state::StateError, tasks::engine::EngineError};
use sonm_client::ClientError;

/// A failure of a pass (or of start-up) of the worker's daemon.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
	/// The chain refused a transaction, or a read of it failed.
	#[error("{0}")]
	Chain(#[from] ClientError),
	/// The worker's database could not be read or written.
	#[error("{0}")]
	State(#[from] StateError),
	/// The container engine failed.
	#[error("{0}")]
	Engine(#[from] EngineError),
	/// What the chain served is not what the worker needs (a transaction without the event it
	/// always emits, an order gone right after it was placed, an account that is not SS58).
	#[error("{0}")]
	Unexpected(String),
}

/// A pass's result.
pub type PassResult<T = ()> = Result<T, WorkerError>;
