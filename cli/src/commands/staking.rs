//! Masternodes (register, bond, unbond, withdraw, leave, back, set-keys, eth-key, status,
//! rewards) and the oracle's prices.

use crate::{
	args::{MasternodeCommand, OracleCommand},
	commands::{accounts::parse_amount, market::result_json},
	context::Context,
	error::CliError,
	format,
};
use serde_json::json;
use sonm_client::{
	runtime::{self, runtime_types::pallet_masternodes::pallet::Error as MasternodesError},
	Included,
};

pub async fn masternode(ctx: &mut Context, command: MasternodeCommand) -> Result<(), CliError> {
	let calls = runtime::transactions().masternodes();
	let (summary, included) = match command {
		MasternodeCommand::Status { account } => return status(ctx, account).await,
		MasternodeCommand::Rewards { account } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let reward = ctx.client().await?.pending_reward(&account).await?;
			let session = ctx.client().await?.session().await?;
			ctx.print(
				json!({ "account": account, "pendingReward": reward.to_string(),
					"session": session }),
				|| {
					format!(
						"{account} would be paid {} if session {} ended now",
						format::snm(reward),
						session.index
					)
				},
			);
			return Ok(());
		},
		MasternodeCommand::Register { stake } => {
			let stake = parse_amount(&stake)?;
			let result = ctx.submit("register masternode", &calls.register(stake)).await;
			let included = with_min_stake_hint(ctx, result).await?;
			(
				format!(
					"registered with {} staked; the set is chosen each session",
					format::snm(stake)
				),
				included,
			)
		},
		MasternodeCommand::Bond { amount } => {
			let amount = parse_amount(&amount)?;
			let included = ctx.submit("bond", &calls.bond_extra(amount)).await?;
			(format!("{} more bonded", format::snm(amount)), included)
		},
		MasternodeCommand::Unbond { amount } => {
			let amount = parse_amount(&amount)?;
			let result = ctx.submit("unbond", &calls.unbond(amount)).await;
			let included = with_min_stake_hint(ctx, result).await?;
			(
				format!(
					"{} unbonding; `sonm masternode withdraw` once the period is over",
					format::snm(amount)
				),
				included,
			)
		},
		MasternodeCommand::Withdraw => {
			let included = ctx.submit("withdraw", &calls.withdraw()).await?;
			let withdrawn = included.find::<runtime::masternodes::events::Withdrawn>();
			let amount = withdrawn.map(|event| event.amount).unwrap_or(0);
			(format!("withdrawn: {}", format::snm(amount)), included)
		},
		MasternodeCommand::Leave => {
			let included = ctx.submit("leave", &calls.leave()).await?;
			let summary = "left: the whole stake unbonds; `sonm masternode withdraw` once the \
			               period is over";
			(summary.to_string(), included)
		},
		MasternodeCommand::Back => {
			let included = ctx.submit("back", &calls.back()).await?;
			let summary = "back: selectable again from the next planned set (about two sessions)";
			(summary.to_string(), included)
		},
		MasternodeCommand::SetKeys { keys, proof } => {
			use runtime::runtime_types::{
				sonm_runtime::opaque::SessionKeys,
				sp_consensus_aura::sr25519::app_sr25519::Public as Aura,
				sp_consensus_grandpa::app::Public as Grandpa,
			};
			let bytes = hex::decode(keys.trim_start_matches("0x"))
				.ok()
				.filter(|bytes| bytes.len() == 64)
				.ok_or_else(|| {
					CliError::usage(format!(
						"{keys:?} is not 64 bytes of 0x hex (author_rotateKeys)"
					))
				})?;
			let aura = Aura(bytes[..32].try_into().expect("32 bytes"));
			let grandpa = Grandpa(bytes[32..].try_into().expect("32 bytes"));
			let proof = hex::decode(proof.trim_start_matches("0x"))
				.map_err(|_| CliError::usage(format!("{proof:?} is not 0x hex")))?;
			let call =
				runtime::transactions().session().set_keys(SessionKeys { aura, grandpa }, proof);
			let included = ctx.submit("set session keys", &call).await?;
			("session keys set: selectable from the next planned set".to_string(), included)
		},
		MasternodeCommand::EthKey { eth_suri } => {
			let key = sonm_client::EthKey::from_uri(&eth_suri)?;
			let signer = ctx.signer()?;
			let genesis = ctx.client().await?.genesis_hash();
			let account = signer.account_id();
			let digest = sonm_primitives::gatekeeper::key_registration_digest(&genesis, &account.0);
			let call = runtime::transactions()
				.gatekeeper()
				.register_eth_key(key.address(), key.sign(&digest));
			let included = ctx.submit("register Ethereum key", &call).await?;
			let address = sonm_client::eth_key::address_hex(&key.address());
			(
				format!("Ethereum key {address} registered: it signs from the next set change"),
				included,
			)
		},
	};
	ctx.print(result_json(&included, json!({})), || summary);
	Ok(())
}

/// Says how much the minimum stake is when the chain refused a stake below it.
async fn with_min_stake_hint(
	ctx: &mut Context,
	result: Result<Included, CliError>,
) -> Result<Included, CliError> {
	match result {
		Err(error)
			if matches!(
				error.runtime_error(),
				Some(runtime::Error::Masternodes(MasternodesError::BelowMinStake))
			) =>
		{
			let minimum = ctx.client().await?.min_stake().await?;
			Err(error.hint(format!("a masternode keeps at least {} staked", format::snm(minimum))))
		},
		other => other,
	}
}

async fn status(ctx: &mut Context, account: Option<String>) -> Result<(), CliError> {
	let only = account
		.as_deref()
		.map(|text| ctx.account(text))
		.transpose()?
		.map(|a| a.to_string());
	let client = ctx.client().await?;
	let session = client.session().await?;
	let active = client.active_set().await?;
	let mut masternodes = client.masternodes().await?;
	if let Some(only) = &only {
		masternodes.retain(|m| &m.account == only);
		if masternodes.is_empty() {
			return Err(CliError::not_possible(format!("{only} is not a masternode")));
		}
	}
	ctx.print(
		json!({ "session": session, "activeSet": active, "masternodes": masternodes }),
		|| {
			let mut lines = vec![format!(
				"session {} ({} blocks), {} active",
				session.index,
				session.length,
				active.len()
			)];
			for m in &masternodes {
				let mut state = vec![if m.active { "active" } else { "waiting" }.to_owned()];
				if m.leaving {
					state.push("leaving".into());
				}
				if let Some(since) = m.offline_since {
					state.push(format!("offline since session {since}"));
				}
				lines.push(format!(
					"  {}  {}  {}",
					m.account,
					format::snm(m.stake),
					state.join(", ")
				));
				for u in &m.unbonding {
					lines.push(format!(
						"    unbonding {} (withdrawable from session {})",
						format::snm(u.amount),
						u.from
					));
				}
			}
			lines.join("\n")
		},
	);
	Ok(())
}

pub async fn oracle(ctx: &mut Context, command: OracleCommand) -> Result<(), CliError> {
	match command {
		OracleCommand::Prices => {
			let prices = ctx.client().await?.prices().await?;
			ctx.print(json!(prices), || {
				if prices.is_empty() {
					return "no prices have been fed".into();
				}
				prices
					.iter()
					.map(|p| {
						format!(
							"1 {} = {} ({}s old{})",
							p.currency,
							format::snm(p.snm_per_unit),
							p.age,
							if p.fresh { "" } else { ", stale: not used" }
						)
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
			Ok(())
		},
	}
}
