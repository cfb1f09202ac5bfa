//! The market's terms as people write and read them, written once: the CLI, the worker and the
//! indexer call them natively, and the web console calls the same code built to WebAssembly
//! ([`web`]), so that a form in the browser is checked exactly as an order file is.
//!
//! - [`units`] and [`format`]: human units in (`2.5 USD/h`, `8h`, `2 GiB`, `1.5 SNM`) and
//!   chain integers out, as people read them (amounts rounded unless asked for exactly).
//! - [`order`]: an order's fields as written ([`order::OrderForm`]) and their checks.
//! - [`task_auth`]: the signed requests of a worker's task control plane and the session grants
//!   a wallet signs, with the checks the worker makes (signature, body, time window, replay).
//! - [`web`]: one JSON-in, JSON-out entry point over all of the above, exported from the
//!   WebAssembly module with a plain C ABI (no bindings generator).

pub mod format;
pub mod order;
pub mod task_auth;
pub mod units;
pub mod web;
