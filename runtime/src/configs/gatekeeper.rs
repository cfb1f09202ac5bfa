//! The gateway's sidechain half (`pallet_gatekeeper`, docs/ARCHITECTURE.md, "The Ethereum
//! gateway"): SNM minted for deposits the masternodes attest, burnt for withdrawals they sign.
//! The signers are the active masternodes; the fee goes to their reward pot.

use crate::{
	configs::{market::FeePot, masternodes::MaxMasternodes},
	AccountId, Balance, Balances, Masternodes, Runtime, RuntimeEvent, Timestamp, SNM,
};
use frame_support::traits::ConstU128;
use frame_system::EnsureRoot;

/// The flat fee of a withdrawal: 1 SNM, paid to the masternodes' reward pot (it pays for the
/// signatures and, through the relayer, for Ethereum's gas).
pub const WITHDRAWAL_FEE: Balance = SNM;

impl pallet_gatekeeper::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Masternodes = Masternodes;
	type MaxSigners = MaxMasternodes;
	type WithdrawalFee = ConstU128<WITHDRAWAL_FEE>;
	type RewardPot = FeePot;
	type Time = Timestamp;
	type AdminOrigin = EnsureRoot<AccountId>;
	type WeightInfo = pallet_gatekeeper::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = GatekeeperBenchmarkHelper;
}

/// Makes active masternodes for the gatekeeper's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct GatekeeperBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_gatekeeper::BenchmarkHelper<AccountId> for GatekeeperBenchmarkHelper {
	fn make_active(members: &[AccountId]) {
		use crate::configs::masternodes::MinStake;
		let set: alloc::vec::Vec<(AccountId, Balance)> =
			members.iter().map(|who| (who.clone(), MinStake::get())).collect();
		pallet_masternodes::ActiveSet::<Runtime>::put(
			frame_support::BoundedVec::try_from(set).expect("at most MaxMasternodes members"),
		);
		for who in members {
			pallet_masternodes::Registry::<Runtime>::insert(
				who,
				pallet_masternodes::Masternode::<Runtime> {
					stake: MinStake::get(),
					unbonding: Default::default(),
					leaving: false,
				},
			);
		}
	}
}
