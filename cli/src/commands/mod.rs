//! One module per group of commands.

pub mod accounts;
pub mod governance;
pub mod history;
pub mod market;
pub mod staking;
pub mod tasks;
pub mod token;
pub mod trust;
