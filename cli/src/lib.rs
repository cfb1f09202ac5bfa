//! The `sonm` command-line client: accounts, balances and transfers, the order book and deals,
//! blacklists, KYC and profiles, masternode staking and oracle prices, on top of
//! [`sonm_client`].
//!
//! - [`args`]: the command line (clap); [`error`]: failures and their exit codes;
//! - [`order_file`]: orders from flags or YAML (human units in and out are the client's
//!   [`sonm_client::units`] and [`sonm_client::format`]);
//! - [`context`]: connection, keys, accounts by name, output and progress; [`commands`].

pub mod args;
pub mod commands;
pub mod context;
pub mod error;
pub mod order_file;

pub use sonm_client::{format, units};

use args::{Cli, Command, Output};
use context::Context;
use error::CliError;

/// Runs one command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
	let output = cli.output;
	format::show_exact_amounts(cli.exact);
	let mut ctx = Context::new(&cli);
	match dispatch(&mut ctx, cli.command).await {
		Ok(()) => 0,
		Err(error) => {
			if output == Output::Json {
				println!("{}", serde_json::to_string_pretty(&error.to_json()).expect("serializes"));
			}
			eprintln!("{error}");
			error.kind.exit_code()
		},
	}
}

async fn dispatch(ctx: &mut Context, command: Command) -> Result<(), CliError> {
	use commands::*;
	match command {
		Command::Accounts(command) => accounts::accounts(ctx, command).await,
		Command::Balance { account } => accounts::balance(ctx, account).await,
		Command::Transfer { to, amount } => accounts::transfer(ctx, to, amount).await,
		Command::Orders(command) => market::orders(ctx, command).await,
		Command::Deals(command) => market::deals(ctx, command).await,
		Command::Worker(command) => market::worker(ctx, command).await,
		Command::Task(command) => tasks::task(ctx, command).await,
		Command::Blacklist(command) => trust::blacklist(ctx, command).await,
		Command::Kyc(command) => trust::kyc(ctx, command).await,
		Command::Profile(command) => trust::profile(ctx, command).await,
		Command::Masternode(command) => staking::masternode(ctx, command).await,
		Command::Council(command) => governance::council(ctx, command).await,
		Command::Runtime(command) => governance::runtime(ctx, command).await,
		Command::Oracle(command) => staking::oracle(ctx, command).await,
		Command::Token(command) => token::token(ctx, command).await,
		Command::History(command) => history::history(ctx, command).await,
		Command::Market(command) => history::market(ctx, command).await,
	}
}
