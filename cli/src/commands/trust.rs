//! Blacklists, KYC and profiles.

use crate::{
	args::{BlacklistCommand, KycCommand, ProfileCommand},
	commands::market::result_json,
	context::Context,
	error::CliError,
	format, order_file,
};
use serde_json::json;
use sonm_client::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_kyc::types::ProfileAttributes,
		},
	},
	Static,
};
use sonm_primitives::IdentityLevel;

/// The most bytes a profile attribute holds.
const MAX_ATTRIBUTE_LEN: usize = 256;
/// The most social links a profile holds.
const MAX_SOCIAL: usize = 8;

pub async fn blacklist(ctx: &mut Context, command: BlacklistCommand) -> Result<(), CliError> {
	let calls = runtime::transactions().blacklist();
	let (what, account, included) = match command {
		BlacklistCommand::List { account } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let client = ctx.client().await?;
			let own = client.blacklist(&account).await?;
			let subscriptions = client.subscriptions(&account).await?;
			let curated = client.curated_lists().await?;
			ctx.print(
				json!({ "account": account, "blacklist": own, "subscriptions": subscriptions,
					"curatedLists": curated }),
				|| {
					let mut lines = vec![format!("blacklist of {account}:")];
					lines.extend(own.iter().map(|whom| format!("  {whom}")));
					if own.is_empty() {
						lines.push("  (empty)".into());
					}
					lines.push("subscribed to the lists of:".into());
					lines.extend(subscriptions.iter().map(|owner| format!("  {owner}")));
					if subscriptions.is_empty() {
						lines.push("  (none)".into());
					}
					if !curated.is_empty() {
						lines.push("published curated lists:".into());
						lines.extend(curated.iter().map(|list| {
							format!("  {} {:?}: {}", list.curator, list.name, list.description)
						}));
					}
					lines.join("\n")
				},
			);
			return Ok(());
		},
		BlacklistCommand::Add { account } => {
			let whom = ctx.account(&account)?;
			("added to your blacklist", whom, ctx.submit("blacklist", &calls.add(whom)).await?)
		},
		BlacklistCommand::Remove { account } => {
			let whom = ctx.account(&account)?;
			let call = calls.remove(whom);
			("removed from your blacklist", whom, ctx.submit("unblacklist", &call).await?)
		},
		BlacklistCommand::Subscribe { account } => {
			let list = ctx.account(&account)?;
			let call = calls.subscribe(list);
			("list subscribed to", list, ctx.submit("subscribe", &call).await?)
		},
		BlacklistCommand::Unsubscribe { account } => {
			let list = ctx.account(&account)?;
			let call = calls.unsubscribe(list);
			("list unsubscribed from", list, ctx.submit("unsubscribe", &call).await?)
		},
	};
	ctx.print(result_json(&included, json!({ "account": account.to_string() })), || {
		format!("{account}: {what}")
	});
	Ok(())
}

pub async fn kyc(ctx: &mut Context, command: KycCommand) -> Result<(), CliError> {
	match command {
		KycCommand::Providers => {
			let providers = ctx.client().await?.providers().await?;
			ctx.print(json!(providers), || {
				if providers.is_empty() {
					return "no KYC providers are registered".into();
				}
				providers
					.iter()
					.map(|p| {
						format!(
							"{:>3}  {:<24} up to {:<12} fee {:<14} {}{}",
							p.id,
							p.name,
							p.max_level.name().to_lowercase(),
							format::snm(p.fee),
							p.url,
							if p.active { "" } else { "  (inactive)" }
						)
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
			Ok(())
		},
		KycCommand::Request { provider, level } => {
			let level = order_file::parse_identity(&level)?;
			if level == IdentityLevel::Anonymous {
				return Err(CliError::usage(
					"everyone is anonymous already: request registered, identified or professional",
				));
			}
			let providers = ctx.client().await?.providers().await?;
			let registered = providers.iter().find(|p| p.id == provider).ok_or_else(|| {
				CliError::not_possible(format!("no KYC provider {provider}"))
					.hint("`sonm kyc providers` lists them")
			})?;
			let fee = registered.fee;
			let call =
				runtime::transactions().kyc().request_verification(provider, Static(level), fee);
			let included = ctx.submit("request verification", &call).await?;
			let name = registered.name.clone();
			ctx.print(
				result_json(&included, json!({ "provider": provider, "feeHeld": fee.to_string() })),
				|| {
					format!(
					"verification requested from {name} ({}); its fee {} is held until it decides",
					level.name().to_lowercase(),
					format::snm(fee)
				)
				},
			);
			Ok(())
		},
		KycCommand::Status { account } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let client = ctx.client().await?;
			let level = client.identity_level(&account).await?;
			let certifications = client.certifications(&account).await?;
			let requests = client.kyc_requests(&account).await?;
			let (_, now) = client.now().await?;
			ctx.print(
				json!({ "account": account, "level": level, "certifications": certifications,
					"requests": requests }),
				|| {
					let mut lines = vec![format!("{account}: {}", level.name().to_lowercase())];
					for c in &certifications {
						lines.push(format!(
							"  certified {} by provider {}, {} {}",
							c.level.name().to_lowercase(),
							c.provider,
							if c.expires_at > now { "expires" } else { "expired" },
							format::relative(c.expires_at, now)
						));
					}
					for r in &requests {
						lines.push(format!(
							"  pending: {} from provider {} ({} held)",
							r.level.name().to_lowercase(),
							r.provider,
							format::snm(r.fee)
						));
					}
					lines.join("\n")
				},
			);
			Ok(())
		},
	}
}

fn attribute(field: &str, text: String) -> Result<BoundedVec<u8>, CliError> {
	if text.len() > MAX_ATTRIBUTE_LEN {
		return Err(CliError::usage(format!(
			"--{field} is {} bytes; an attribute holds at most {MAX_ATTRIBUTE_LEN}",
			text.len()
		)));
	}
	Ok(BoundedVec(text.into_bytes()))
}

pub async fn profile(ctx: &mut Context, command: ProfileCommand) -> Result<(), CliError> {
	match command {
		ProfileCommand::Set { name, company, site, logo, email, phone, social } => {
			if social.len() > MAX_SOCIAL {
				return Err(CliError::usage(format!(
					"{} --social links; a profile holds at most {MAX_SOCIAL}",
					social.len()
				)));
			}
			let attributes = ProfileAttributes {
				logo_url: attribute("logo", logo)?,
				company: attribute("company", company)?,
				name: attribute("name", name)?,
				site_url: attribute("site", site)?,
				social: BoundedVec(
					social
						.into_iter()
						.map(|link| attribute("social", link))
						.collect::<Result<_, _>>()?,
				),
				email: attribute("email", email)?,
				phone: attribute("phone", phone)?,
			};
			let call = runtime::transactions().kyc().submit_profile(attributes);
			let included = ctx.submit("submit profile", &call).await?;
			let hash = included
				.find::<runtime::kyc::events::ProfileSubmitted>()
				.map(|event| format!("{:?}", event.hash));
			ctx.print(result_json(&included, json!({ "hash": hash })), || {
				format!(
					"profile submitted (hash {}); it is shown once a provider or moderator approves it",
					hash.as_deref().unwrap_or("?")
				)
			});
			Ok(())
		},
		ProfileCommand::Show { account } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let profile = ctx.client().await?.profile(&account).await?;
			ctx.print(json!({ "account": account, "profile": profile }), || match &profile {
				None => format!("{account} has no approved profile"),
				Some(p) => {
					let mut lines = vec![format!("{account}")];
					for (label, value) in [
						("name", &p.name),
						("company", &p.company),
						("site", &p.site_url),
						("logo", &p.logo_url),
						("email", &p.email),
						("phone", &p.phone),
					] {
						if !value.is_empty() {
							lines.push(format!("  {label:<8} {value}"));
						}
					}
					for link in &p.social {
						lines.push(format!("  social   {link}"));
					}
					lines.push(format!("  approved by {}", p.approved_by));
					lines.join("\n")
				},
			});
			Ok(())
		},
	}
}
