//! The CLI's errors: what went wrong, what to do about it, and the exit code that tells a script
//! which kind of failure it was.

use sonm_client::{
	runtime::{
		runtime_types::{
			pallet_kyc::pallet::Error as KycError, pallet_market::pallet::Error as MarketError,
		},
		Error as RuntimeError,
	},
	ClientError, KeyError,
};
use std::fmt;

/// Exit codes, as `sonm --help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the chain refused the transaction (a pallet's error, e.g. Market::PriceTooHigh) or the node
     rejected it (bad nonce, cannot pay the fee)
  2  bad command line or input file (unknown flag, bad unit, malformed YAML)
  3  the node could not be reached or an RPC call failed
  4  account or key problem (unknown account, wrong password, unreadable key file)
  5  not found or not possible as asked (no such order or deal; a deal the orders cannot make)";

/// Which kind of failure; each has its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
	/// The chain or the node refused a transaction.
	Refused,
	/// The command line or an input file is wrong.
	Usage,
	/// The node could not be reached or answered with an error.
	Connection,
	/// An account or a key could not be found or opened.
	Key,
	/// What was asked for does not exist or cannot be done as asked.
	NotPossible,
}

impl Kind {
	/// The process exit code.
	pub fn exit_code(self) -> i32 {
		match self {
			Self::Refused => 1,
			Self::Usage => 2,
			Self::Connection => 3,
			Self::Key => 4,
			Self::NotPossible => 5,
		}
	}

	/// The name in `--output json` errors.
	pub fn name(self) -> &'static str {
		match self {
			Self::Refused => "refused",
			Self::Usage => "usage",
			Self::Connection => "connection",
			Self::Key => "key",
			Self::NotPossible => "not-possible",
		}
	}
}

/// A failed command.
#[derive(Debug)]
pub struct CliError {
	/// Which kind of failure.
	pub kind: Kind,
	/// What was wrong.
	pub message: String,
	/// What to do about it, when there is something to say.
	pub hint: Option<String>,
	/// The pallet and error name when the chain refused with one.
	pub module_error: Option<(String, String)>,
	/// The same refusal as the generated error type, to match on.
	pub runtime_error: Option<Box<RuntimeError>>,
}

impl CliError {
	/// A failure of `kind` saying `message`.
	pub fn new(kind: Kind, message: impl Into<String>) -> Self {
		Self { kind, message: message.into(), hint: None, module_error: None, runtime_error: None }
	}

	/// Bad command line or input.
	pub fn usage(message: impl Into<String>) -> Self {
		Self::new(Kind::Usage, message)
	}

	/// Not found, or not possible as asked.
	pub fn not_possible(message: impl Into<String>) -> Self {
		Self::new(Kind::NotPossible, message)
	}

	/// Adds what to do.
	pub fn hint(mut self, hint: impl Into<String>) -> Self {
		self.hint = Some(hint.into());
		self
	}

	/// The same failure, its message led by the step that failed (`applying the code: ...`).
	pub fn context(mut self, step: &str) -> Self {
		self.message = format!("{step}: {}", self.message);
		self
	}

	/// The pallet error the chain refused with, as the generated type.
	pub fn runtime_error(&self) -> Option<&RuntimeError> {
		self.runtime_error.as_deref()
	}

	/// The error as `--output json` prints it.
	pub fn to_json(&self) -> serde_json::Value {
		let mut error = serde_json::json!({
			"kind": self.kind.name(),
			"exitCode": self.kind.exit_code(),
			"message": self.message,
		});
		if let Some(hint) = &self.hint {
			error["hint"] = hint.clone().into();
		}
		if let Some((pallet, name)) = &self.module_error {
			error["pallet"] = pallet.clone().into();
			error["error"] = name.clone().into();
		}
		serde_json::json!({ "error": error })
	}
}

impl fmt::Display for CliError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "error: {}", self.message)?;
		if let Some(hint) = &self.hint {
			write!(f, "\n  hint: {hint}")?;
		}
		Ok(())
	}
}

impl From<sonm_client::terms::order::TermsError> for CliError {
	fn from(error: sonm_client::terms::order::TermsError) -> Self {
		Self::usage(error.message)
	}
}

impl From<KeyError> for CliError {
	fn from(error: KeyError) -> Self {
		let hint = match &error {
			KeyError::WrongPassword => {
				Some("give the key's password with --password or SONM_PASSWORD")
			},
			KeyError::UnknownAccount(..) => {
				Some("`sonm accounts list` shows the keystore; `sonm accounts import` adds a key")
			},
			_ => None,
		};
		let mut cli = Self::new(Kind::Key, error.to_string());
		cli.hint = hint.map(str::to_owned);
		cli
	}
}

impl From<ClientError> for CliError {
	fn from(error: ClientError) -> Self {
		if let ClientError::Module { pallet, error: name, doc, decoded } = error {
			let mut cli = Self::new(Kind::Refused, format!("{pallet}::{name}: {doc}"));
			cli.hint = decoded.as_deref().and_then(module_hint).map(str::to_owned);
			cli.module_error = Some((pallet, name));
			cli.runtime_error = decoded;
			return cli;
		}
		match &error {
			ClientError::Connection { .. } => Self::new(Kind::Connection, error.to_string())
				.hint("is a node running there? Give its address with --url or SONM_URL"),
			ClientError::Rpc { .. } | ClientError::Subxt(_) => {
				Self::new(Kind::Connection, error.to_string())
			},
			ClientError::Refused(_) | ClientError::Dispatch(_) => {
				Self::new(Kind::Refused, error.to_string())
			},
			ClientError::Module { .. } => unreachable!("taken above"),
		}
	}
}

/// What to do about the pallet errors people meet most.
fn module_hint(error: &RuntimeError) -> Option<&'static str> {
	use RuntimeError as R;
	Some(match error {
		R::Market(MarketError::InsufficientBalance) | R::Kyc(KycError::InsufficientBalance) => {
			"the account cannot cover what must be held: top it up (`sonm balance` shows free and held)"
		},
		R::Market(MarketError::PriceUnavailable) => {
			"no fresh SNM/USD price is in force (`sonm oracle prices`); quote in SNM or wait for the feeders"
		},
		R::Market(MarketError::SupplierBlacklisted) => {
			"the supplier is on your blacklist or a list you subscribe to (`sonm blacklist list`)"
		},
		R::Market(MarketError::CustomerBlacklisted) => "the supplier or its curator has blacklisted you",
		R::Market(MarketError::OrderNotFound) => "the order was cancelled, matched or never existed (`sonm orders list`)",
		R::Market(MarketError::DealNotFound) => "the deal is closed or never existed (`sonm deals list`)",
		R::Market(MarketError::DealNotEnded) => "only the customer may close a forward deal before its end",
		R::Market(MarketError::SupplierIdentityTooLow | MarketError::CustomerIdentityTooLow) => {
			"the order requires a higher KYC level (`sonm kyc status`, `sonm kyc request`)"
		},
		_ => return None,
	})
}
