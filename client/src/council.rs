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
		let at = self.at_best().await?;
		let entry = at.storage().entry(runtime::storage().council().members())?;
		Ok(entry.fetch(()).await?.decode()?)
	}

	/// `proposer` (a member) moves that the council dispatch `call` as root, needing more than two
	/// thirds of the members' ayes (the proposer votes like any other member).
	pub async fn propose_as_root(
		&self,
		call: RuntimeCall,
		proposer: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<(Motion, Included), ClientError> {
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
		let proposed = included
			.find::<runtime::council::events::Proposed>()
			.ok_or_else(|| ClientError::Subxt("the council proposed nothing".into()))?;
		let motion =
			Motion { hash: proposed.proposal_hash, index: proposed.proposal_index, length };
		Ok((motion, included))
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
		let (motion, _) = self.propose_as_root(call, &members[0], Wait::Finalized, |_| {}).await?;
		for voter in &members[..needed] {
			self.vote_on(&motion, true, voter, Wait::Finalized, |_| {}).await?;
		}
		self.close_motion(&motion, &members[0], Wait::Finalized, |_| {}).await
	}
}
