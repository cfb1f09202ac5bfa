//! The masternodes' council: a motion proposing `CouncilRoot::dispatch_as_root(call)` dispatches
//! `call` as root once more than two thirds of the members (the active masternodes) voted aye
//! and anyone closed it.

use crate::{
	runtime::{self, runtime_types},
	AccountId32, Client, ClientError, Included, Key, Stage, Wait,
};
use codec::{Compact, Encode};
use subxt::utils::H256;

/// A call of the runtime, as the client's generated types write it.
pub type RuntimeCall = runtime_types::sonm_runtime::RuntimeCall;

/// An open motion: what the council votes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Motion {
	pub hash: H256,
	pub index: u32,
	/// The proposal's length in bytes (`close` states a bound).
	pub length: u32,
}

/// The most bytes of a call this client moves (`authorize_upgrade` names a runtime by its
/// hash, so even upgrades are small).
pub const MAX_MOTION_LENGTH: u32 = 16 * 1024;

/// How many ayes carry a motion among `members`: more than two thirds.
pub fn ayes_needed(members: u32) -> u32 {
	members * 2 / 3 + 1
}

/// `call` wrapped for the council to dispatch as root.
pub fn as_root(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::CouncilRoot(runtime_types::pallet_council::pallet::Call::dispatch_as_root {
		call: Box::new(call),
	})
}

impl Client {
	/// The council's members now (the active masternodes, sorted).
	pub async fn council_members(&self) -> Result<Vec<AccountId32>, ClientError> {
		self.value_at_best(runtime::storage().council().members()).await
	}

	/// `proposer` (a member) moves that the council dispatch `call` as root, needing more than two
	/// thirds of the members' ayes (the proposer votes like any other member). No motion where
	/// the council has one member: the call ran at once (its result in `Executed`).
	pub async fn propose_as_root(
		&self,
		call: RuntimeCall,
		proposer: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<(Option<Motion>, Included), ClientError> {
		let threshold = ayes_needed(self.council_members().await?.len() as u32);
		let propose = runtime::tx().council().propose(threshold, as_root(call), MAX_MOTION_LENGTH);
		// The proposal's exact length: the call data less the call's index and the two numbers.
		let at = self.at_best().await?;
		let call_data =
			at.tx().call_data(&propose).map_err(|e| ClientError::Subxt(e.to_string()))?;
		let numbers = Compact(threshold).encoded_size() + Compact(MAX_MOTION_LENGTH).encoded_size();
		let length = (call_data.len() - 2 - numbers) as u32;
		if length > MAX_MOTION_LENGTH {
			return Err(ClientError::Subxt(format!(
				"a motion's call takes at most {MAX_MOTION_LENGTH} bytes; this one takes {length}"
			)));
		}
		let included = self.submit(&propose, proposer, wait, progress).await?;
		// Where one aye carries a motion (a one-member council), it ran at once: `Executed`.
		let Some(proposed) = included.find::<runtime::council::events::Proposed>() else {
			if included.has::<runtime::council::events::Executed>() {
				return Ok((None, included));
			}
			return Err(ClientError::Subxt("the council neither proposed nor ran it".into()));
		};
		let motion =
			Motion { hash: proposed.proposal_hash, index: proposed.proposal_index, length };
		Ok((Some(motion), included))
	}

	/// `member` votes on `motion`.
	pub async fn vote_on(
		&self,
		motion: &Motion,
		aye: bool,
		member: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let vote = runtime::tx().council().vote(motion.hash, motion.index, aye);
		self.submit(&vote, member, wait, progress).await
	}

	/// Closes `motion` (anyone may, once it has its votes or its time is up); carried, it
	/// dispatches, and the `Executed` event says how that went.
	pub async fn close_motion(
		&self,
		motion: &Motion,
		closer: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let at = self.at_best().await?;
		let bound = at
			.constants()
			.entry(runtime::constants().council().max_proposal_weight())
			.map_err(|e| ClientError::Subxt(e.to_string()))?;
		let close = runtime::tx().council().close(motion.hash, motion.index, bound, motion.length);
		self.submit(&close, closer, wait, progress).await
	}

	/// Root by the council in one go, for chains whose members' keys one holds (local networks,
	/// tests): the first of `members` proposes, it and the next vote aye until the motion is
	/// carried, and the first closes it, each step waiting for finality (a vote in a block that
	/// a fork drops would leave the close too early). The closing transaction, whose `Executed`
	/// event carries the call's result.
	pub async fn council_root(
		&self,
		call: RuntimeCall,
		members: &[Key],
	) -> Result<Included, ClientError> {
		let needed = ayes_needed(self.council_members().await?.len() as u32) as usize;
		if members.len() < needed {
			return Err(ClientError::Subxt(format!("a motion needs {needed} members' ayes")));
		}
		let (motion, proposed) =
			self.propose_as_root(call, &members[0], Wait::Finalized, |_| {}).await?;
		let Some(motion) = motion else { return Ok(proposed) };
		for voter in &members[..needed] {
			self.vote_on(&motion, true, voter, Wait::Finalized, |_| {}).await?;
		}
		self.close_motion(&motion, &members[0], Wait::Finalized, |_| {}).await
	}
}

/// An open motion as the chain holds it.
#[derive(Clone, Debug)]
pub struct OpenMotion {
	pub motion: Motion,
	/// Ayes it needs.
	pub threshold: u32,
	pub ayes: Vec<AccountId32>,
	pub nays: Vec<AccountId32>,
	/// The block from which anyone may close it whatever the votes.
	pub end: u64,
	/// The call it dispatches, as the runtime's types print it.
	pub call: String,
}

impl Client {
	/// A call from its SCALE encoding (`0x…`, as polkadot.js apps shows "encoded call data"),
	/// checked against the node's metadata.
	pub async fn decode_call(&self, hex_call: &str) -> Result<RuntimeCall, ClientError> {
		use subxt::ext::scale_decode::DecodeAsType;
		let bytes = hex::decode(hex_call.trim().trim_start_matches("0x"))
			.map_err(|e| ClientError::Subxt(format!("the call is not hex: {e}")))?;
		let at = self.at_best().await?;
		let metadata = at.metadata_ref();
		let ty = metadata.outer_enums().call_enum_ty();
		let mut input = &bytes[..];
		let call = RuntimeCall::decode_as_type(&mut input, ty, metadata.types())
			.map_err(|e| ClientError::Subxt(format!("not a call of this runtime: {e}")))?;
		if !input.is_empty() {
			return Err(ClientError::Subxt(format!(
				"{} bytes left over after the call",
				input.len()
			)));
		}
		Ok(call)
	}

	/// The council's open motions, oldest first.
	pub async fn motions(&self) -> Result<Vec<OpenMotion>, ClientError> {
		let at = self.at_best().await?;
		let hashes = at
			.storage()
			.entry(runtime::storage().council().proposals())?
			.fetch(())
			.await?
			.decode()?;
		let mut motions = Vec::new();
		for hash in hashes.0 {
			motions.extend(open_motion(&at, hash).await?);
		}
		Ok(motions)
	}

	/// The open motion with `hash`.
	pub async fn motion(&self, hash: H256) -> Result<OpenMotion, ClientError> {
		self.find_motion(hash)
			.await?
			.ok_or_else(|| ClientError::Subxt(format!("no open motion {hash:?}")))
	}

	/// The open motion with `hash`, if there is one.
	pub async fn find_motion(&self, hash: H256) -> Result<Option<OpenMotion>, ClientError> {
		open_motion(&self.at_best().await?, hash).await
	}

	/// The hash of the motion that dispatches `call` as root: what the council names it by
	/// (BLAKE2-256 of the proposal `CouncilRoot::dispatch_as_root(call)`).
	pub async fn motion_hash_of(&self, call: RuntimeCall) -> Result<H256, ClientError> {
		use subxt::config::{substrate::BlakeTwo256, Hasher};
		let proposal = runtime::tx().council_root().dispatch_as_root(call);
		let at = self.at_best().await?;
		let encoded =
			at.tx().call_data(&proposal).map_err(|e| ClientError::Subxt(e.to_string()))?;
		Ok(BlakeTwo256.hash(&encoded))
	}
}

/// The motion with `hash` at block `at`, read from its votes and its proposal; `None` when no
/// such motion is open.
async fn open_motion(
	at: &crate::client::AtBlock,
	hash: H256,
) -> Result<Option<OpenMotion>, ClientError> {
	let voting = at.storage().entry(runtime::storage().council().voting())?;
	let Some(votes) = voting.try_fetch((hash,)).await? else { return Ok(None) };
	let votes = votes.decode()?;
	let proposals = at.storage().entry(runtime::storage().council().proposal_of())?;
	let Some(proposal) = proposals.try_fetch((hash,)).await? else { return Ok(None) };
	let length = proposal.bytes().len() as u32;
	let call: RuntimeCall = proposal.decode()?;
	Ok(Some(OpenMotion {
		motion: Motion { hash, index: votes.index, length },
		threshold: votes.threshold,
		ayes: votes.ayes,
		nays: votes.nays,
		end: votes.end as u64,
		call: format!("{call:?}"),
	}))
}

/// A motion's hash from its `0x…` text (`sonm council list` prints them).
pub fn parse_motion_hash(text: &str) -> Result<H256, ClientError> {
	let hex_text = text.trim().trim_start_matches("0x");
	let bytes = hex::decode(hex_text).ok().filter(|bytes| bytes.len() == 32).ok_or_else(|| {
		ClientError::Subxt(format!("{text} is not a motion's hash (0x and 64 hex digits)"))
	})?;
	Ok(H256::from_slice(&bytes))
}

/// The code `System::apply_authorized_upgrade` is given for a runtime file: a built runtime's
/// wasm (`\0asm…`) compressed the way the node reads code (zstd behind
/// `sp-maybe-compressed-blob`'s prefix: an uncompressed runtime does not fit one block), or a
/// file already so compressed (`*.compact.compressed.wasm`), checked to hold a wasm module.
pub fn upgrade_code(file: Vec<u8>) -> Result<Vec<u8>, ClientError> {
	use sp_maybe_compressed_blob::{compress_strongly, decompress, CODE_BLOB_BOMB_LIMIT};
	const WASM_MAGIC: &[u8] = b"\0asm";
	if file.starts_with(WASM_MAGIC) {
		return compress_strongly(&file, CODE_BLOB_BOMB_LIMIT).ok_or_else(|| {
			ClientError::Subxt(format!(
				"the runtime is {} bytes; the node reads at most {CODE_BLOB_BOMB_LIMIT}",
				file.len()
			))
		});
	}
	let module = decompress(&file, CODE_BLOB_BOMB_LIMIT)
		.map_err(|e| ClientError::Subxt(format!("the compressed runtime does not open: {e}")))?;
	if !module.starts_with(WASM_MAGIC) {
		return Err(ClientError::Subxt(
			"not a runtime: neither a wasm module nor a compressed one".into(),
		));
	}
	Ok(file)
}

/// The hash `System::authorize_upgrade` names a runtime by: BLAKE2-256 of its code.
pub fn code_hash(code: &[u8]) -> H256 {
	use subxt::config::{substrate::BlakeTwo256, Hasher};
	BlakeTwo256.hash(code)
}

/// `System::authorize_upgrade(code_hash)`, for a council motion.
pub fn authorize_upgrade(code_hash: H256) -> RuntimeCall {
	RuntimeCall::System(runtime_types::frame_system::pallet::Call::authorize_upgrade { code_hash })
}

/// The node's runtime version: `(spec_name, spec_version, transaction_version)`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
	pub spec_name: String,
	pub spec_version: u32,
	pub transaction_version: u32,
}

impl Client {
	/// The best block's runtime version.
	pub async fn runtime_version(&self) -> Result<RuntimeVersion, ClientError> {
		self.rpc("state_getRuntimeVersion", subxt::rpcs::rpc_params![]).await
	}

	/// Whether the finalized block holds the council's authorization for code `hash`
	/// (`System::AuthorizedUpgrade`). Once it does, so does every block built from then on
	/// until the code is applied: an apply sent then meets no fork without it.
	pub async fn upgrade_authorized_in_finalized(&self, hash: H256) -> Result<bool, ClientError> {
		let at = self.at_finalized().await?;
		let entry = at.storage().entry(runtime::storage().system().authorized_upgrade())?;
		let Some(authorization) = entry.try_fetch(()).await? else { return Ok(false) };
		Ok(authorization.decode()?.code_hash == hash)
	}

	/// Applies an upgrade the council authorized, as `submitter` (its fee is waived when the
	/// code is the authorized one); the transaction, with `System::CodeUpdated` among its events.
	pub async fn apply_authorized_upgrade(
		&self,
		code: Vec<u8>,
		submitter: &Key,
		progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let apply = runtime::tx().system().apply_authorized_upgrade(code);
		self.submit(&apply, submitter, Wait::Finalized, progress).await
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_runtime_is_compressed_the_way_the_node_reads_code() {
		let module = [b"\0asm\x01\0\0\0".as_slice(), &[0u8; 4096]].concat();
		let code = upgrade_code(module.clone()).unwrap();
		assert!(code.len() < module.len());
		let read = sp_maybe_compressed_blob::decompress(&code, 1 << 20).unwrap();
		assert_eq!(read.as_ref(), module.as_slice());
		// An already compressed runtime is sent as it is.
		assert_eq!(upgrade_code(code.clone()).unwrap(), code);
	}

	#[test]
	fn a_file_that_is_not_a_runtime_is_refused() {
		let refused = upgrade_code(b"#!/bin/sh\necho hello\n".to_vec()).unwrap_err();
		assert!(refused.to_string().contains("not a runtime"), "{refused}");
		let compressed_text =
			sp_maybe_compressed_blob::compress_weakly(b"plain text, not wasm", 1 << 20).unwrap();
		assert!(upgrade_code(compressed_text).unwrap_err().to_string().contains("not a runtime"));
	}

	#[test]
	fn a_motion_hash_is_64_hex_digits() {
		let text = format!("0x{}", "ab".repeat(32));
		assert_eq!(parse_motion_hash(&text).unwrap(), H256::repeat_byte(0xab));
		assert_eq!(parse_motion_hash(&"ab".repeat(32)).unwrap(), H256::repeat_byte(0xab));
		for bad in ["0x1234", "motion", &format!("0x{}", "zz".repeat(32))] {
			let refused = parse_motion_hash(bad).unwrap_err().to_string();
			assert!(refused.contains("not a motion's hash"), "{bad}: {refused}");
		}
	}
}
