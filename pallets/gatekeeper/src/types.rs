//! The gatekeeper's data: deposits and their attestations, withdrawals, signer sets, the
//! Ethereum contract it serves and the daily limits.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use scale_info::TypeInfo;
use sonm_primitives::gatekeeper::{Deposit, EthAddress, EthSignature, SetId};

/// A balance of the bridged currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A deposit of this runtime.
pub type DepositOf<T> = Deposit<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// Signatures collected for one message, sorted by signer address.
pub type SignaturesOf<T> = BoundedVec<(EthAddress, EthSignature), <T as Config>::MaxSigners>;

/// Where a deposit stands.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub enum Stage {
	/// Attested by some, not yet by more than two thirds of the active set.
	Voting,
	/// More than two thirds agree; minted once the daily cap allows (`claim_deposit`).
	Approved,
	/// Minted; the key is never minted again.
	Minted,
}

/// One attester's account with the recipient and the amount it saw.
pub type Attestation<T> =
	(<T as frame_system::Config>::AccountId, <T as frame_system::Config>::AccountId, BalanceOf<T>);

/// A deposit's attestations.
#[derive(
	frame_support::CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	frame_support::EqNoBound,
	MaxEncodedLen,
	frame_support::PartialEqNoBound,
	frame_support::DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct DepositRecord<T: Config> {
	/// Its place in the order deposits were first attested.
	pub index: u64,
	pub stage: Stage,
	/// Each attester with the recipient and amount it saw.
	pub votes: BoundedVec<Attestation<T>, T::MaxSigners>,
	/// What more than two thirds agreed on, once they did.
	pub agreed: Option<(T::AccountId, BalanceOf<T>)>,
}

/// A withdrawal: burnt here, to be paid on Ethereum on the signatures of a set.
#[derive(
	frame_support::CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	frame_support::EqNoBound,
	MaxEncodedLen,
	frame_support::PartialEqNoBound,
	frame_support::DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Withdrawal<T: Config> {
	pub who: T::AccountId,
	pub to: EthAddress,
	/// What Ethereum pays out: what was burnt.
	pub amount: BalanceOf<T>,
	/// The set whose signatures it collects.
	pub set_id: SetId,
	pub signatures: SignaturesOf<T>,
}

/// A signer set: the Ethereum keys of an active set, and the previous set's signatures
/// installing it.
#[derive(
	frame_support::CloneNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	frame_support::EqNoBound,
	MaxEncodedLen,
	frame_support::PartialEqNoBound,
	frame_support::DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct SignerSet<T: Config> {
	/// Sorted, distinct.
	pub signers: BoundedVec<EthAddress, T::MaxSigners>,
	pub threshold: u32,
	pub signatures: SignaturesOf<T>,
}

/// The Ethereum contract this chain's gateway serves.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct Contract {
	pub chain_id: u64,
	pub gatekeeper: EthAddress,
}

/// What was minted and withdrawn on one UTC day.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct DayTotals<Balance> {
	/// Days since the unix epoch.
	pub day: u64,
	pub minted: Balance,
	pub withdrawn: Balance,
}

/// The daily caps.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct Caps<Balance> {
	pub daily_mint: Balance,
	pub daily_withdraw: Balance,
}
