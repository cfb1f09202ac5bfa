//! The chain's root is its masternodes: a council (`pallet-collective`) whose members are the
//! active masternode set (`pallet-masternodes` sets them at every session), and `CouncilRoot`
//! (`pallet-council`), which dispatches as root what a motion of more than two thirds of the
//! members carries. Only the `development` preset also has a sudo key.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, DAYS, SNM,
};
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	ensure, parameter_types,
	traits::{fungible::HoldConsideration, Consideration, MaybeConsideration},
};
use frame_system::{EnsureNever, EnsureRoot};
use scale_info::TypeInfo;
use sp_runtime::DispatchError;
use sp_runtime::Perbill;

/// The council's instance of `pallet-collective`.
pub type CouncilInstance = pallet_collective::Instance1;

/// A carried motion: more than two thirds of the members voted aye.
pub type CouncilTwoThirds =
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilInstance, 2, 3>;

parameter_types! {
	/// A motion is open for three days: an operator who checks in daily sees it in time.
	pub const MotionDuration: BlockNumber = 3 * DAYS;
	/// At most 16 motions are open at once, in all.
	pub const MaxProposals: u32 = 16;
	/// And at most 4 by any one member, so that one member cannot fill the council's agenda.
	pub const MaxOpenMotionsPerMember: u32 = 4;
	/// Held from the proposer while the motion is open: 100 SNM.
	pub const ProposalDeposit: Balance = 100 * SNM;
	pub const ProposalHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Council(pallet_collective::HoldReason::ProposalSubmission);
	/// A motion's call may take at most half a block.
	pub MaxProposalWeight: frame_support::weights::Weight =
		Perbill::from_percent(50) * crate::configs::RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = MotionDuration;
	type MaxProposals = MaxProposals;
	/// As many members as the active set has seats.
	type MaxMembers = crate::configs::masternodes::MaxMasternodes;
	/// A member who does not vote counts as nay (there is no prime member).
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// The members are the active masternodes, set by `pallet-masternodes` only.
	type SetMembersOrigin = EnsureNever<()>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = MotionDeposit;
}

/// The deposit held while a motion is open.
type ProposalHold = HoldConsideration<
	AccountId,
	Balances,
	ProposalHoldReason,
	pallet_collective::deposit::Constant<ProposalDeposit>,
	u32,
>;

/// A motion's deposit ([`ProposalDeposit`], held), refused by name
/// (`CouncilRoot::TooManyOpenMotions`) while its proposer already has
/// [`MaxOpenMotionsPerMember`] motions open: pallet-collective bounds only the motions of all.
#[derive(Clone, Debug, Decode, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo)]
pub struct MotionDeposit(ProposalHold);

impl Consideration<AccountId, u32> for MotionDeposit {
	fn new(who: &AccountId, open_motions: u32) -> Result<Self, DispatchError> {
		// Called as a motion is added: `Proposals` holds it already, `CostOf` not yet.
		let by_proposer = pallet_collective::Proposals::<Runtime, CouncilInstance>::get()
			.iter()
			.filter(|hash| {
				pallet_collective::CostOf::<Runtime, CouncilInstance>::get(hash)
					.is_some_and(|(proposer, _)| &proposer == who)
			})
			.count() as u32;
		ensure!(
			by_proposer < MaxOpenMotionsPerMember::get(),
			pallet_council::Error::<Runtime>::TooManyOpenMotions
		);
		ProposalHold::new(who, open_motions).map(Self)
	}

	fn update(self, who: &AccountId, open_motions: u32) -> Result<Self, DispatchError> {
		self.0.update(who, open_motions).map(Self)
	}

	fn drop(self, who: &AccountId) -> Result<(), DispatchError> {
		self.0.drop(who)
	}

	fn burn(self, who: &AccountId) {
		self.0.burn(who)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful(who: &AccountId, open_motions: u32) {
		ProposalHold::ensure_successful(who, open_motions)
	}
}

impl MaybeConsideration<AccountId, u32> for MotionDeposit {
	fn is_none(&self) -> bool {
		self.0.is_none()
	}
}

impl pallet_council::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type CouncilOrigin = CouncilTwoThirds;
}
