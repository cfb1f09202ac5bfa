//! `sonm-bridge`: what a masternode runs beside its node for the outside world, and the
//! gateway's Ethereum side as a library for the `sonm` CLI's `token` commands.
//!
//! - [`gateway`]: carries SNM between Ethereum and the sidechain: attests deposits, signs
//!   withdrawals and signer-set changes, relays them to the Gatekeeper contract.
//! - [`feeder`]: feeds SNM/USD prices from HTTP JSON sources to the chain's oracle.
//! - [`token`]: a holder's deposits and withdrawals (`sonm token`).
//! - [`deploy`]: the contracts for a sidechain.
//! - [`chain`] and [`ethereum`]: the two sides; [`metrics`]: Prometheus and `/health`;
//!   [`error`]: what goes wrong, by kind.

pub mod chain;
pub mod deploy;
pub mod error;
pub mod ethereum;
pub mod feeder;
pub mod gateway;
pub mod metrics;
pub mod sources;
pub mod token;
