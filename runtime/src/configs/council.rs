//! The chain's root is its masternodes: a council (`pallet-collective`) whose members are the
//! active masternode set (`pallet-masternodes` sets them at every session), and `CouncilRoot`
//! (`pallet-council`), which dispatches as root what a motion of more than two thirds of the
//! members carries. Only the `development` preset also has a sudo key.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, DAYS, SNM,
};
use frame_support::{parameter_types, traits::fungible::HoldConsideration};
use frame_system::{EnsureNever, EnsureRoot};
use sp_runtime::Perbill;

/// The council's instance of `pallet-collective`.
pub type CouncilInstance = pallet_collective::Instance1;

/// A carried motion: more than two thirds of the members voted aye.
pub type CouncilTwoThirds =
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilInstance, 2, 3>;

parameter_types! {
	/// A motion is open for three days: an operator who checks in daily sees it in time.
	pub const MotionDuration: BlockNumber = 3 * DAYS;
	/// At most 16 motions are open at once, in all and so by any one member.
	pub const MaxProposals: u32 = 16;
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
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		ProposalHoldReason,
		pallet_collective::deposit::Constant<ProposalDeposit>,
		u32,
	>;
}

impl pallet_council::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type CouncilOrigin = CouncilTwoThirds;
}
