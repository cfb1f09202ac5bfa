//! What goes wrong in the bridge, by kind: the daemons log it and go on with their next round
//! (or stop, for a halt), and `sonm token` shows it with its exit code.

use sonm_client::ClientError;

/// A failure of the gateway, the feeder, the deployment or a holder's transfer.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
	/// The sidechain refused a transaction, or a read of it failed.
	#[error("{0}")]
	Chain(#[from] ClientError),
	/// A sidechain step failed: what it was, and why.
	#[error("{what}: {source}")]
	ChainStep {
		/// The step (`attesting 0x…:1`).
		what: String,
		source: ClientError,
	},
	/// The Ethereum node could not be reached or answered an error.
	#[error("Ethereum: {0}")]
	Ethereum(String),
	/// The contract refused a call, or a transaction reverted or was not mined in time.
	#[error("the contract: {0}")]
	Contract(String),
	/// The gateway's database could not be read or written.
	#[error("the gateway's database: {0}")]
	Store(String),
	/// A flag, key, address or URL that cannot work.
	#[error("{0}")]
	Input(String),
	/// What the chain or the contract serves is not what the gateway needs (no contract named,
	/// a malformed hash, a withdrawal gone).
	#[error("{0}")]
	Unexpected(String),
	/// No price source answered, or the feed could not be submitted.
	#[error("{0}")]
	Feed(String),
	/// The metrics server could not listen.
	#[error("{0}")]
	Serve(String),
	/// A wait ran out.
	#[error("{0}")]
	Timeout(String),
}

impl BridgeError {
	/// `source` of the sidechain step `what`.
	pub fn step(what: impl Into<String>, source: ClientError) -> Self {
		Self::ChainStep { what: what.into(), source }
	}

	/// What the chain or the contract served is not what was needed.
	pub fn unexpected(message: impl Into<String>) -> Self {
		Self::Unexpected(message.into())
	}
}

/// The bridge's results.
pub type BridgeResult<T> = Result<T, BridgeError>;
