//! The council (list, propose, vote, close) and runtime upgrades by council motion.

use crate::{
	args::{CouncilCommand, RuntimeCommand},
	commands::market::result_json,
	context::Context,
	error::CliError,
};
use serde_json::json;
use sonm_client::{
	council::{self, Motion, OpenMotion},
	runtime, Included,
};

pub async fn council(ctx: &mut Context, command: CouncilCommand) -> Result<(), CliError> {
	match command {
		CouncilCommand::List => list(ctx).await,
		CouncilCommand::Propose { call } => {
			let call = ctx.client().await?.decode_call(&call).await?;
			let motion = propose(ctx, call).await?;
			print_motion_state(ctx, &motion).await
		},
		CouncilCommand::Vote { motion, nay } => {
			let open = ctx.client().await?.motion(council::parse_motion_hash(&motion)?).await?;
			let included = vote(ctx, &open.motion, !nay).await?;
			let word = if nay { "nay" } else { "aye" };
			ctx.print(result_json(&included, json!({ "motion": motion, "vote": word })), || {
				format!("voted {word} on {motion}")
			});
			Ok(())
		},
		CouncilCommand::Close { motion } => {
			let open = ctx.client().await?.motion(council::parse_motion_hash(&motion)?).await?;
			let included = close(ctx, &open.motion).await?;
			ctx.print(result_json(&included, json!({ "motion": motion })), || {
				format!("closed {motion}: {}", outcome(&included))
			});
			Ok(())
		},
	}
}

pub async fn runtime(ctx: &mut Context, command: RuntimeCommand) -> Result<(), CliError> {
	match command {
		RuntimeCommand::Version => {
			let version = ctx.client().await?.runtime_version().await?;
			ctx.print(
				json!({ "specName": version.spec_name, "specVersion": version.spec_version,
					"transactionVersion": version.transaction_version }),
				|| {
					format!(
						"{} spec version {}, transaction version {}",
						version.spec_name, version.spec_version, version.transaction_version
					)
				},
			);
			Ok(())
		},
		RuntimeCommand::Upgrade { wasm } => upgrade(ctx, &wasm).await,
	}
}

/// Members, and each open motion with its votes.
async fn list(ctx: &mut Context) -> Result<(), CliError> {
	let client = ctx.client().await?;
	let members = client.council_members().await?;
	let motions = client.motions().await?;
	let json = json!({
		"members": members.iter().map(ToString::to_string).collect::<Vec<_>>(),
		"ayesNeeded": council::ayes_needed(members.len() as u32),
		"motions": motions.iter().map(motion_json).collect::<Vec<_>>(),
	});
	ctx.print(json, || {
		let mut text = format!(
			"{} members; a motion needs {} ayes\n",
			members.len(),
			council::ayes_needed(members.len() as u32)
		);
		for member in &members {
			text += &format!("  {member}\n");
		}
		if motions.is_empty() {
			text += "no open motions";
		}
		for open in &motions {
			text += &format!(
				"motion {:?} (#{}): {} ayes, {} nays of {} needed; closable by anyone at block {}\n  {}\n",
				open.motion.hash,
				open.motion.index,
				open.ayes.len(),
				open.nays.len(),
				open.threshold,
				open.end,
				open.call
			);
		}
		text.trim_end().to_owned()
	});
	Ok(())
}

fn motion_json(open: &OpenMotion) -> serde_json::Value {
	json!({
		"hash": format!("{:?}", open.motion.hash),
		"index": open.motion.index,
		"threshold": open.threshold,
		"ayes": open.ayes.iter().map(ToString::to_string).collect::<Vec<_>>(),
		"nays": open.nays.iter().map(ToString::to_string).collect::<Vec<_>>(),
		"end": open.end,
		"call": open.call,
	})
}

/// Proposes `call` as root and votes aye; the motion, or `None` where one member's aye carried
/// and ran it at once (a one-masternode chain).
async fn propose(
	ctx: &mut Context,
	call: council::RuntimeCall,
) -> Result<Option<Motion>, CliError> {
	let signer = ctx.signer()?;
	let wait = ctx.wait();
	let client = ctx.client().await?;
	let (motion, included) = client.propose_as_root(call, &signer, wait, |_| {}).await?;
	let Some(motion) = motion else {
		ran(&included)?;
		return Ok(None);
	};
	vote(ctx, &motion, true).await?;
	Ok(Some(motion))
}

async fn vote(ctx: &mut Context, motion: &Motion, aye: bool) -> Result<Included, CliError> {
	let call = runtime::tx().council().vote(motion.hash, motion.index, aye);
	ctx.submit(if aye { "vote aye" } else { "vote nay" }, &call).await
}

async fn close(ctx: &mut Context, motion: &Motion) -> Result<Included, CliError> {
	let signer = ctx.signer()?;
	let wait = ctx.wait();
	let included = ctx.client().await?.close_motion(motion, &signer, wait, |_| {}).await?;
	Ok(included)
}

/// How many finalized blocks `runtime upgrade` waits for its authorization to be in one.
const AUTHORIZATION_FINAL_WITHIN: u32 = 60;

/// Waits for the next finalized block.
async fn next_block(
	finalized: &mut (impl futures::Stream<Item = u64> + Unpin),
) -> Result<u64, CliError> {
	use futures::StreamExt;
	finalized
		.next()
		.await
		.ok_or_else(|| CliError::not_possible("the node stopped announcing blocks"))
}

/// Fails with the call's error where `included` (a motion's proposal or close) ran the
/// council's call and it failed.
fn ran(included: &Included) -> Result<(), CliError> {
	match included.find::<runtime::council::events::Executed>() {
		Some(executed) => executed
			.result
			.map_err(|error| CliError::not_possible(format!("the call failed: {error:?}"))),
		None => Ok(()),
	}
}

/// What closing did: carried and ran (with the call's result), or not carried.
fn outcome(included: &Included) -> String {
	match included.find::<runtime::council::events::Executed>() {
		Some(executed) => match executed.result {
			Ok(()) => "carried; the call ran".into(),
			Err(error) => format!("carried; the call failed: {error:?}"),
		},
		None => "not carried".into(),
	}
}

async fn print_motion_state(ctx: &mut Context, motion: &Option<Motion>) -> Result<(), CliError> {
	let Some(motion) = motion else {
		ctx.print(json!({ "executed": true }), || "carried by your aye alone; the call ran".into());
		return Ok(());
	};
	let open = ctx.client().await?.motion(motion.hash).await?;
	ctx.print(motion_json(&open), || {
		format!(
			"motion {:?} open: {} of {} ayes; members vote with `sonm council vote {:?}`",
			motion.hash,
			open.ayes.len(),
			open.threshold,
			motion.hash
		)
	});
	Ok(())
}

/// Proposes (or joins) the motion authorizing `wasm`, follows its votes, closes it once
/// carried, applies the code and waits for the new version.
async fn upgrade(ctx: &mut Context, wasm: &std::path::Path) -> Result<(), CliError> {
	let file = std::fs::read(wasm)
		.map_err(|e| CliError::usage(format!("cannot read {}: {e}", wasm.display())))?;
	let file_len = file.len();
	let code = council::upgrade_code(file).map_err(|e| CliError::usage(e.to_string()))?;
	let hash = council::code_hash(&code);
	let client = ctx.client().await?.clone();
	let before = client.runtime_version().await?;
	let human = !ctx.is_json();
	let say = |line: String| {
		if human {
			eprintln!("{line}");
		}
	};
	say(format!(
		"{}: {file_len} bytes, {} compressed, code hash {hash:?}; running spec version {}",
		wasm.display(),
		code.len(),
		before.spec_version
	));
	// Votes and versions change only with blocks: follow the finalized ones.
	let mut finalized = client.finalized_numbers().await?;
	let hash_text = format!("{hash:?}");
	// The motion for this code, if a member moved it already: found by its hash.
	let motion_hash = client.motion_hash_of(council::authorize_upgrade(hash)).await?;
	let existing = client.find_motion(motion_hash).await?;
	let motion = match existing {
		Some(open) => {
			say(format!("joining the open motion {:?}", open.motion.hash));
			let me = ctx.signer()?.account_id();
			if !open.ayes.contains(&me) && client.council_members().await?.contains(&me) {
				vote(ctx, &open.motion, true).await?;
			}
			Some(open.motion)
		},
		None => propose(ctx, council::authorize_upgrade(hash)).await?,
	};
	// Follow the votes until the motion is carried (or ran at once), then close it.
	if let Some(motion) = motion {
		let mut shown = None;
		loop {
			// Gone from the open motions: closed (disapproved or expired) by someone else. A
			// node that does not answer is said as such, not as a closed motion.
			let open = client.find_motion(motion.hash).await?.ok_or_else(|| {
				CliError::not_possible("the motion closed without authorizing the upgrade")
			})?;
			let counts = (open.ayes.len(), open.nays.len());
			if shown != Some(counts) {
				say(format!(
					"votes: {} ayes, {} nays of {} ayes needed",
					counts.0, counts.1, open.threshold
				));
				shown = Some(counts);
			}
			if counts.0 as u32 >= open.threshold {
				let included = close(ctx, &motion).await?;
				say(format!("closed: {}", outcome(&included)));
				ran(&included)?;
				break;
			}
			next_block(&mut finalized).await?;
		}
	}
	// Applied only once the authorization is final: a best block may yet be left for a fork
	// without it, and the pool then finds the apply invalid (not authorized, and too large to
	// pay for) and drops it. Every block built on the finalized one has it.
	let mut waited = 0;
	while !client.upgrade_authorized_in_finalized(hash).await? {
		let version = client.runtime_version().await?;
		if version.spec_version != before.spec_version {
			return Err(CliError::not_possible(format!(
				"the code was applied meanwhile by another account: spec version {} → {}",
				before.spec_version, version.spec_version
			)));
		}
		if waited == AUTHORIZATION_FINAL_WITHIN {
			return Err(CliError::not_possible(format!(
				"the authorization of code {hash_text} is in no finalized block after \
				 {AUTHORIZATION_FINAL_WITHIN} blocks"
			)));
		}
		if waited == 0 {
			say("waiting for the authorization to be final".into());
		}
		waited += 1;
		next_block(&mut finalized).await?;
	}
	let signer = ctx.signer()?;
	let included = client
		.apply_authorized_upgrade(code, &signer, |_| {})
		.await
		.map_err(|error| CliError::from(error).context("applying the authorized code"))?;
	if !included.has::<runtime::system::events::CodeUpdated>() {
		return Err(CliError::not_possible("the code was applied without System.CodeUpdated"));
	}
	say("code applied (System.CodeUpdated); waiting for the new version".into());
	let after = loop {
		let version = client.runtime_version().await?;
		if version.spec_version != before.spec_version {
			break version;
		}
		next_block(&mut finalized).await?;
	};
	ctx.print(
		result_json(
			&included,
			json!({ "from": before.spec_version, "to": after.spec_version,
			"codeHash": hash_text }),
		),
		|| format!("upgraded: spec version {} → {}", before.spec_version, after.spec_version),
	);
	Ok(())
}
