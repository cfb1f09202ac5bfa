//! # SONM primitives
//!
//! What the SONM pallets, the runtime and the off-chain programs (worker, bridge, CLI) must agree
//! on, in one small `no_std` crate: the chain's vocabulary (identity levels, sides, prices and
//! their units, currencies, order and deposit states, each read and shown by one name,
//! [`names`]), the standard benchmark indices, worker endpoints, the gateway's typed data, the
//! oracle's median, network flags, the runtime APIs of the market, trust, masternodes and oracle,
//! and the glue traits through which pallets use each other without reading each other's
//! storage.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "serde")]
pub mod amount;
pub mod benchmarks;
pub mod endpoint;
pub mod gatekeeper;
pub mod market;
pub mod masternodes;
pub mod matching;
pub mod median;
pub mod names;
pub mod traits;
pub mod trust;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How well an account's owner is known, granted by KYC providers. Ordered:
/// a higher level satisfies every requirement of a lower one.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Default,
	Encode,
	Eq,
	MaxEncodedLen,
	Ord,
	PartialEq,
	PartialOrd,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum IdentityLevel {
	/// Nobody has checked anything. Every account starts here.
	#[default]
	Anonymous,
	/// A phone number was confirmed by SMS.
	Registered,
	/// A remote KYC procedure identified the owner.
	Identified,
	/// A company running clouds or data centres, certified after an on-site visit.
	Professional,
}

crate::named!(IdentityLevel, "identity level", {
	IdentityLevel::Anonymous => ["Anonymous"],
	IdentityLevel::Registered => ["Registered"],
	IdentityLevel::Identified => ["Identified"],
	IdentityLevel::Professional => ["Professional"],
});

/// Currencies that prices can be quoted in besides SNM itself.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	Ord,
	PartialEq,
	PartialOrd,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Currency {
	/// US dollars. Amounts are USD x 10^18.
	Usd,
}

crate::named!(Currency, "currency", { Currency::Usd => ["USD", "Usd"] });

/// Network capabilities of a supplier (ask) or needs of a customer (bid), as bits.
pub mod netflags {
	/// The workload joins the customer's overlay network.
	pub const OVERLAY: u8 = 1;
	/// The workload may open outbound connections.
	pub const OUTBOUND: u8 = 2;
	/// The workload accepts incoming connections (a public address or a relay).
	pub const INCOMING: u8 = 4;
	/// Every flag this version knows; others are refused.
	pub const ALL: u8 = OVERLAY | OUTBOUND | INCOMING;

	/// Whether `offered` has every bit that `wanted` asks for.
	pub const fn satisfies(offered: u8, wanted: u8) -> bool {
		offered & wanted == wanted
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn identity_levels_are_ordered_from_anonymous_to_professional() {
		use IdentityLevel::*;
		assert!(Anonymous < Registered && Registered < Identified && Identified < Professional);
		assert_eq!(IdentityLevel::default(), Anonymous);
	}

	#[test]
	fn netflags_are_satisfied_only_by_a_superset() {
		use netflags::*;
		assert!(satisfies(ALL, OVERLAY | INCOMING));
		assert!(satisfies(OUTBOUND, 0));
		assert!(!satisfies(OUTBOUND, OUTBOUND | INCOMING));
	}
}
