//! What can go wrong talking to the chain, each with a name and what to do about it.

/// A key could not be made, read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	/// The secret URI is not a mnemonic, a 32-byte hex seed or a dev path.
	#[error("bad secret URI: {0}")]
	BadSuri(String),
	/// The JSON key is not in the polkadot.js format this client reads.
	#[error("unsupported key file: {0}")]
	UnsupportedEncoding(String),
	/// The password does not open the JSON key.
	#[error("wrong password for the key file")]
	WrongPassword,
	/// A cryptographic step failed or the file contradicts itself.
	#[error("key error: {0}")]
	Crypto(String),
	/// No key in the keystore has this name or address.
	#[error("no account named or addressed {0:?} in the keystore {1}")]
	UnknownAccount(String, String),
	/// Another key in the keystore already has this name.
	#[error("the keystore already has an account named {0:?} ({1})")]
	NameTaken(String, String),
	/// The keystore directory or a key file could not be read or written.
	#[error("keystore {path}: {error}")]
	Io {
		/// The file or directory.
		path: String,
		/// What the system said.
		error: std::io::Error,
	},
}

/// A chain operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
	/// The node could not be reached or did not answer.
	#[error("cannot reach the node at {url}: {message}")]
	Connection {
		/// The node's URL.
		url: String,
		/// What went wrong.
		message: String,
	},
	/// An RPC method answered with an error (bad parameter, runtime call failed).
	#[error("{method}: {message}")]
	Rpc {
		/// The method called.
		method: String,
		/// The node's message.
		message: String,
	},
	/// The transaction was refused before inclusion (bad nonce, cannot pay fees, ...).
	#[error("the transaction was refused by the node: {0}")]
	Refused(String),
	/// The transaction was included and failed with a pallet's error.
	#[error("{pallet}::{error}: {doc}")]
	Module {
		/// The pallet, as the runtime names it (`Market`).
		pallet: String,
		/// The error variant (`BidPriceTooLow`).
		error: String,
		/// The error's doc comment: what it means.
		doc: String,
		/// The same error as the generated type, to match on
		/// (`runtime::Error::Market(MarketError::InsufficientBalance)`); `None` when it does
		/// not decode against this client's metadata.
		decoded: Option<Box<crate::runtime::Error>>,
	},
	/// The transaction was included and failed with a dispatch error outside any pallet.
	#[error("the transaction failed: {0}")]
	Dispatch(String),
	/// Anything else subxt reports (decoding, metadata, subscriptions).
	#[error("{0}")]
	Subxt(String),
}

impl ClientError {
	/// The pallet and error name when this is a pallet's error, for showing.
	pub fn module_error(&self) -> Option<(&str, &str)> {
		match self {
			Self::Module { pallet, error, .. } => Some((pallet, error)),
			_ => None,
		}
	}

	/// The pallet's error as the generated type, when this is one: what code matches on.
	pub fn runtime_error(&self) -> Option<&crate::runtime::Error> {
		match self {
			Self::Module { decoded, .. } => decoded.as_deref(),
			_ => None,
		}
	}
}

/// subxt's errors, kept as their text (decoding, metadata, storage, subscriptions).
macro_rules! from_subxt {
	($($error:ty),* $(,)?) => {$(
		impl From<$error> for ClientError {
			fn from(error: $error) -> Self {
				Self::Subxt(error.to_string())
			}
		}
	)*};
}

from_subxt!(
	subxt::Error,
	subxt::error::OnlineClientAtBlockError,
	subxt::error::StorageError,
	subxt::error::StorageValueError,
);
