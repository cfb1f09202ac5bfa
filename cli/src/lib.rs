//! The `sonm` command-line client. For now: the human units its commands and order files take
//! ([`units`]); the commands themselves come with the typed chain client.

pub mod units;
