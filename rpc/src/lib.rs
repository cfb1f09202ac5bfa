//! The node's own JSON-RPC methods, declared once: the node implements the `*RpcServer` traits
//! and the client calls the `*RpcClient` traits that jsonrpsee generates from the same
//! declaration, as `pallet-transaction-payment-rpc` does for `payment_*`.
//!
//! - [`market`]: `market_*`, orders, deals and change requests.
//! - [`trust`]: `blacklist_*` and `kyc_*`.
//! - [`masternodes`]: `masternodes_*` and `oracle_*`.
//! - [`gatekeeper`]: `gatekeeper_*`, the Ethereum gateway.
//!
//! The wire format: amounts are decimal strings of base units (they exceed what JSON numbers
//! hold exactly; [`amount`] reads and writes them as `u128`), accounts SS58 addresses, hashes,
//! Ethereum addresses and signatures `0x` hex, times seconds since the unix epoch, enums by
//! their names (`"Bid"`, `"SNM"`, `"Identified"`, `"minted"`). Every method takes an optional
//! block hash `at` last and reads the best block without it.

pub mod gatekeeper;
pub mod market;
pub mod masternodes;
pub mod trust;

/// The hash of a block, as `at` takes it.
pub type BlockHash = sp_core::H256;

/// Every JSON shape of the node's methods, by name, for code that reads them all.
pub mod types {
	pub use crate::{
		amount,
		gatekeeper::{Deposit, GatewayState, Signature, SignerSet, Withdrawal},
		market::{ChangeRequest, Deal, Order, OrderFilter, Price},
		masternodes::{Feed, Masternode, Member, OraclePrice, Session, Unbonding},
		trust::{Approver, Certification, CuratedList, KycRequest, Profile, Provider},
	};
}

/// The error codes of the node's own methods.
pub mod error {
	/// The runtime API call failed.
	pub const RUNTIME: i32 = 1;
	/// A parameter is invalid (an address, a limit, a hash).
	pub const INVALID_PARAM: i32 = 2;
}

pub use sonm_primitives::amount;

#[cfg(test)]
mod tests {
	use serde::{Deserialize, Serialize};

	#[derive(Debug, Deserialize, PartialEq, Serialize)]
	struct Amounts {
		#[serde(with = "crate::amount")]
		exact: u128,
		#[serde(with = "crate::amount::option")]
		maybe: Option<u128>,
	}

	#[test]
	fn amounts_are_decimal_strings_beyond_what_json_numbers_hold() {
		let amounts = Amounts { exact: u128::MAX, maybe: Some(1) };
		let json = serde_json::to_value(&amounts).unwrap();
		assert_eq!(json, serde_json::json!({ "exact": u128::MAX.to_string(), "maybe": "1" }));
		assert_eq!(serde_json::from_value::<Amounts>(json).unwrap(), amounts);
		let none: Amounts =
			serde_json::from_value(serde_json::json!({ "exact": "0", "maybe": null })).unwrap();
		assert_eq!(none.maybe, None);
		let error = serde_json::from_value::<Amounts>(serde_json::json!({ "exact": "1.5" }));
		assert!(error.unwrap_err().to_string().contains("is not an amount"));
	}
}
