//! Keys and SNM: accounts (generate, import, list), balance, transfer.

use crate::{
	args::AccountsCommand, commands::market::result_json, context::Context, error::CliError,
	format, units,
};
use serde_json::json;
use sonm_client::{keystore::read_json, runtime, subxt::utils::MultiAddress, Account, Key};

pub async fn accounts(ctx: &mut Context, command: AccountsCommand) -> Result<(), CliError> {
	match command {
		AccountsCommand::Generate { name } => {
			let password = ctx.password(&format!("new password for {name}: "))?;
			let (key, mnemonic) = Key::generate();
			let account = ctx.keystore.add_key(&key, &name, &password)?;
			ctx.print(
				json!({ "name": account.name, "address": account.address, "mnemonic": mnemonic,
					"path": account.path }),
				|| {
					format!(
						"account {} {}\nstored in {}\nmnemonic (write it down; it is shown only \
						 once and restores the key):\n  {mnemonic}",
						account.name,
						account.address,
						account.path.display()
					)
				},
			);
			Ok(())
		},
		AccountsCommand::Import { name, json: Some(path), .. } => {
			let mut json = read_json(&path).map_err(CliError::from)?;
			let password = ctx.password(&format!("password of {}: ", path.display()))?;
			// Proves the file opens (and holds the key it claims) before it is kept.
			Key::from_json(&json, &password)?;
			if let Some(name) = name {
				json.meta.name = Some(name);
			}
			let account = ctx.keystore.add_json(json)?;
			print_imported(ctx, &account);
			Ok(())
		},
		AccountsCommand::Import { name, suri, .. } => {
			let suri = suri.ok_or_else(|| CliError::usage("give --json FILE or --suri SURI"))?;
			let name = name.ok_or_else(|| CliError::usage("--name is required with --suri"))?;
			let key = Key::from_suri(&suri)?;
			let password = ctx.password(&format!("new password for {name}: "))?;
			let account = ctx.keystore.add_key(&key, &name, &password)?;
			print_imported(ctx, &account);
			Ok(())
		},
		AccountsCommand::List => {
			let accounts = ctx.keystore.list()?;
			ctx.print(json!(accounts), || {
				if accounts.is_empty() {
					return format!(
						"no accounts in {} (`sonm accounts generate NAME` makes one)",
						ctx.keystore.dir().display()
					);
				}
				accounts
					.iter()
					.map(|account| format!("{:<16} {}", account.name, account.address))
					.collect::<Vec<_>>()
					.join("\n")
			});
			Ok(())
		},
	}
}

fn print_imported(ctx: &Context, account: &Account) {
	ctx.print(json!(account), || {
		format!("imported {} {} into {}", account.name, account.address, account.path.display())
	});
}

pub async fn balance(ctx: &mut Context, account: Option<String>) -> Result<(), CliError> {
	let account = ctx.account_or_from(account.as_deref())?;
	let (block, balance) = ctx.client().await?.balance(&account).await?;
	ctx.print(
		json!({ "account": account.to_string(), "balance": balance, "block": block }),
		|| {
			format!(
				"{account}\n  free  {}\n  held  {}{}",
				format::snm(balance.free),
				format::snm(balance.held),
				if balance.frozen > 0 {
					format!("\n  frozen {}", format::snm(balance.frozen))
				} else {
					String::new()
				}
			)
		},
	);
	Ok(())
}

/// An amount: `1.5 SNM`, or a bare integer of base units.
pub fn parse_amount(text: &str) -> Result<u128, CliError> {
	if let Ok(base_units) = text.trim().parse::<u128>() {
		return Ok(base_units);
	}
	units::parse_snm(text).map_err(|e| CliError::usage(format!("amount: {e}")))
}

pub async fn transfer(ctx: &mut Context, to: String, amount: String) -> Result<(), CliError> {
	let to = ctx.account(&to)?;
	let amount = parse_amount(&amount)?;
	if amount == 0 {
		return Err(CliError::usage("amount: a transfer moves more than 0 SNM"));
	}
	let call = runtime::transactions()
		.balances()
		.transfer_keep_alive(MultiAddress::Id(to), amount);
	let included = ctx.submit("transfer", &call).await?;
	ctx.print(
		result_json(&included, json!({ "to": to.to_string(), "amount": amount.to_string() })),
		|| format!("sent {} to {to} (block #{})", format::snm(amount), included.block_number),
	);
	Ok(())
}
