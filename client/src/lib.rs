//! A typed client for the SONM sidechain, on subxt.
//!
//! - [`runtime`]: calls, storage and events generated from the runtime's metadata
//!   (`client/metadata.scale`; a runtime test fails when it is not what the runtime produces).
//! - [`Key`]: sr25519 keys from a secret URI, a dev account's name or a polkadot.js JSON file;
//!   [`Keystore`]: a directory of such files.
//! - [`Client`]: a reconnecting connection; [`Client::submit`] signs, submits and follows a
//!   transaction to inclusion or finality and returns its decoded events, or the pallet's error
//!   by name with its doc; typed reads of the market, trust, masternode and oracle RPC.
//! - [`council`]: the masternodes' council's motions, which dispatch calls as root.
//! - [`EthKey`]: a masternode's Ethereum (secp256k1) key for the gateway, signing EIP-712
//!   digests as the Gatekeeper contract wants them.
//! - [`matching`]: the market's shared matching rules on orders as the RPC serves them, with the
//!   masters, identity levels and blacklists they read fetched from the node.
//! - [`units`] and [`format`]: human units in (`2.5 USD/h`, `8h`, `2 GiB`, `1.5 SNM`) and
//!   chain integers out, as people read them (amounts rounded unless asked for exactly);
//!   `sonm-terms`'s, which the web console runs too.
//! - [`task_auth`]: requests to a worker's task control plane, signed with the deal's consumer
//!   key, and their checks (signature, body, time window, replay); [`task_protocol`]: that
//!   control plane's requests, routes, headers and answers, declared once; [`task_client`]: a
//!   customer's client of it.
//! - [`schemas`]: JSON Schemas of the JSON shapes above, for the OpenAPI documents the web
//!   console's types are generated from.

pub mod client;
pub mod council;
pub mod error;
pub mod eth_key;
pub mod events;
pub mod indexer_api;
pub mod keys;
pub mod keystore;
pub mod matching;
pub mod node_rpc;
pub mod schemas;
pub mod sessions;
pub mod signed_bid;
pub mod task_auth;
pub mod task_client;
pub mod task_protocol;

pub use client::{Balance, Client, Included, Stage, Wait};
pub use error::{ClientError, KeyError};
pub use eth_key::EthKey;
pub use events::ChainEvent;
pub use keys::Key;
pub use keystore::{Account, Keystore};
pub use sonm_rpc::types;
pub use sonm_terms::{self as terms, format, units};
pub use subxt::{self, utils::AccountId32};

/// The chain's transaction format: `MultiAddress<AccountId32, ()>`, `MultiSignature`, the
/// standard transaction extensions with the metadata-hash check.
pub type ChainConfig = subxt::PolkadotConfig;

/// Calls, storage, events and errors generated from the runtime's metadata. The chain's
/// vocabulary is not generated again: its types are `sonm_primitives`' own (in subxt's `Static`,
/// which encodes and decodes them with their SCALE codec), so a side, a price or an identity
/// level is the same type on and off chain.
#[subxt::subxt(
	runtime_metadata_path = "metadata.scale",
	substitute_type(
		path = "sonm_primitives::market::Side",
		with = "::subxt::utils::Static<::sonm_primitives::market::Side>"
	),
	substitute_type(
		path = "sonm_primitives::market::PriceUnit",
		with = "::subxt::utils::Static<::sonm_primitives::market::PriceUnit>"
	),
	substitute_type(
		path = "sonm_primitives::market::Price",
		with = "::subxt::utils::Static<::sonm_primitives::market::Price<u128>>"
	),
	substitute_type(
		path = "sonm_primitives::IdentityLevel",
		with = "::subxt::utils::Static<::sonm_primitives::IdentityLevel>"
	),
	substitute_type(
		path = "sonm_primitives::Currency",
		with = "::subxt::utils::Static<::sonm_primitives::Currency>"
	),
	substitute_type(
		path = "sonm_primitives::gatekeeper::DepositKey",
		with = "::subxt::utils::Static<::sonm_primitives::gatekeeper::DepositKey>"
	),
	substitute_type(
		path = "sonm_primitives::gatekeeper::Deposit",
		with = "::subxt::utils::Static<::sonm_primitives::gatekeeper::Deposit<::subxt::utils::AccountId32, u128>>"
	),
	// A signed bid (and its order's terms) in SCALE: its payload is signed over the terms'
	// encoding, and a customer hands the whole bid to a worker encoded (`signed_bid`).
	derive_for_type(
		path = "pallet_market::types::SignedBid",
		derive = "::subxt::ext::codec::Encode, ::subxt::ext::codec::Decode",
		recursive
	)
)]
pub mod runtime {}

pub use subxt::utils::Static;

/// The metadata file, included so that the compiler tracks it: the `subxt` macro reads it
/// without telling cargo, and an incremental build would keep code generated from an older
/// file.
const _METADATA_TRACKED: &[u8] = include_bytes!("../metadata.scale");
