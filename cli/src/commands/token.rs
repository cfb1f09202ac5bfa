//! `sonm token`: SNM in and out through the Ethereum gateway, on the bridge's own gateway code
//! (`sonm_bridge::token`): `deposit` locks on Ethereum and follows the mint, `withdraw` burns
//! and follows the payout, `status` shows both sides. Waits print a line whenever something
//! changes.

use crate::{
	args::{Output, TokenCommand},
	context::Context,
	error::CliError,
	format,
};
use serde_json::json;
use sonm_bridge::{error::BridgeError, token};
use sonm_client::{eth_key::parse_address, units, EthKey};
use std::time::{Duration, Instant};

pub async fn token(ctx: &mut Context, command: TokenCommand) -> Result<(), CliError> {
	let started = Instant::now();
	let show = ctx.output == Output::Human;
	// Progress goes to stderr, so that stdout holds only the result.
	let progress = move |line: String| {
		if show {
			eprintln!("[{:>5.1}s] {line}", started.elapsed().as_secs_f64());
		}
	};
	match command {
		TokenCommand::Deposit { amount, to, ethereum, eth_suri, timeout } => {
			let amount = positive_snm(&amount)?;
			let to = ctx.account_or_from(to.as_deref())?;
			let eth_key = EthKey::from_uri(&eth_suri)
				.map_err(|e| CliError::usage(format!("--eth-suri: {e}")))?;
			let client = ctx.client().await?;
			let deposited = token::deposit(
				client,
				&ethereum.eth_url,
				&eth_key,
				amount,
				&to,
				minutes(timeout),
				progress,
			)
			.await
			.map_err(gateway_error)?;
			ctx.print(json!(deposited), || format!("minted {} to {to}", format::snm(amount)));
		},
		TokenCommand::Withdraw { amount, to, ethereum, relay_with, timeout } => {
			let amount = positive_snm(&amount)?;
			let to_address =
				parse_address(&to).map_err(|e| CliError::usage(format!("--to: {e}")))?;
			let relayer = relay_with
				.as_deref()
				.map(EthKey::from_uri)
				.transpose()
				.map_err(|e| CliError::usage(format!("--relay-with: {e}")))?;
			let signer = ctx.signer()?;
			let client = ctx.client().await?;
			let withdrawn = token::withdraw(
				client,
				&signer,
				&ethereum.eth_url,
				amount,
				to_address,
				relayer.as_ref(),
				minutes(timeout),
				progress,
			)
			.await
			.map_err(gateway_error)?;
			ctx.print(json!(withdrawn), || match &withdrawn.payout {
				Some(tx) => format!(
					"withdrawal {}: {} paid to {to} on Ethereum (transaction {tx})",
					withdrawn.id,
					format::snm(withdrawn.amount)
				),
				None => format!(
					"withdrawal {}: {} to {to} committed on Ethereum, released after the \
					 contract's delay",
					withdrawn.id,
					format::snm(withdrawn.amount)
				),
			});
		},
		TokenCommand::Status { ethereum } => {
			let client = ctx.client().await?;
			let status = token::status(client, &ethereum.eth_url).await.map_err(gateway_error)?;
			ctx.print(json!(status), || {
				let chain = &status.chain;
				let mut lines = vec![
					format!(
						"contract {} on chain {}",
						chain.gatekeeper.as_deref().unwrap_or("(none named)"),
						chain.chain_id.map(|id| id.to_string()).unwrap_or("-".into())
					),
					format!(
						"sidechain: {}, set {}; minted {} (today {} of {}), burned {} (today {} \
						 of {}), withdrawal fee {}",
						if chain.paused { "paused" } else { "running" },
						chain.current_set,
						format::snm(chain.minted),
						format::snm(chain.minted_today),
						format::snm(chain.daily_mint_cap),
						format::snm(chain.burned),
						format::snm(chain.withdrawn_today),
						format::snm(chain.daily_withdraw_cap),
						format::snm(chain.withdrawal_fee),
					),
					format!(
						"Ethereum: {}, set {}, {} base units locked",
						if status.eth_paused { "paused" } else { "running" },
						status.eth_set,
						status.locked
					),
				];
				if let Some(set) = &status.signer_set {
					lines.push(format!(
						"signer set {}: {} signers, {} needed{}",
						set.id,
						set.signers.len(),
						set.threshold,
						if set.complete { "" } else { " (collecting signatures)" }
					));
				}
				lines.join("\n")
			});
		},
	}
	Ok(())
}

/// An SNM amount above zero (`12.5` or `12.5 SNM`) in base units.
fn positive_snm(text: &str) -> Result<u128, CliError> {
	// A bare number is SNM.
	let bare = text.trim().chars().all(|c| c.is_ascii_digit() || c == '.');
	let text = if bare { format!("{} SNM", text.trim()) } else { text.to_owned() };
	match units::parse_snm(&text) {
		Ok(0) => Err(CliError::usage(format!("{text:?} is not a positive SNM amount"))),
		Ok(amount) => Ok(amount),
		Err(error) => Err(CliError::usage(error.to_string())),
	}
}

fn minutes(count: u64) -> Duration {
	Duration::from_secs(count.saturating_mul(60))
}

/// A failure on either side of the gateway, or a wait that ran out.
fn gateway_error(error: BridgeError) -> CliError {
	match error {
		BridgeError::Chain(error) => error.into(),
		BridgeError::Input(message) => CliError::usage(message),
		other => CliError::new(crate::error::Kind::Refused, other.to_string())
			.hint("`sonm token status` shows the gateway on both sides"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_are_snm_with_or_without_their_unit_and_above_zero() {
		const SNM: u128 = 1_000_000_000_000_000_000;
		assert_eq!(positive_snm("12.5").unwrap(), 12 * SNM + SNM / 2);
		assert_eq!(positive_snm("12.5 SNM").unwrap(), 12 * SNM + SNM / 2);
		assert_eq!(positive_snm(" 100 ").unwrap(), 100 * SNM);
		assert!(positive_snm("0").unwrap_err().message.contains("not a positive"));
		assert!(positive_snm("ten").is_err());
		assert!(positive_snm("1 USD").is_err());
	}
}
