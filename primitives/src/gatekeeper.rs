//! What the gatekeeper pallet, the gateway in `sonm-bridge` and the `sonm` CLI must agree on
//! about the Ethereum side: the EIP-712 typed data the masternodes sign (the very types
//! `Gatekeeper.sol` checks), the withdrawal id as the contract sees it, Ethereum addresses of
//! keys, the records the runtime API serves and the JSON shapes of the `gatekeeper_*` RPC.
//!
//! The hashing is plain `abi.encode` + keccak-256 as EIP-712 prescribes, so it runs the same in
//! the runtime (`no_std`) and in the daemons.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::traits::{Hash, Keccak256};

/// An Ethereum address.
pub type EthAddress = [u8; 20];
/// An Ethereum ECDSA signature: `r ‖ s ‖ v` with `v` 27 or 28 and `s` in the lower half of the
/// curve order (what the contract accepts).
pub type EthSignature = [u8; 65];
/// Identifies a signer set; set 0 is the one the contract was deployed with, each rotation
/// adds one.
pub type SetId = u64;

/// The EIP-712 domain of one gatekeeper contract serving one sidechain.
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
pub struct EthereumDomain {
	/// The Ethereum chain id.
	pub chain_id: u64,
	/// The gatekeeper contract.
	pub gatekeeper: EthAddress,
	/// The sidechain's genesis hash (the domain's salt).
	pub genesis: [u8; 32],
}

const DOMAIN_TYPE: &[u8] =
	b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)";
const PAYOUT_TYPE: &[u8] = b"Payout(bytes32 id,address to,uint256 amount,uint64 setId)";
const SET_CHANGE_TYPE: &[u8] =
	b"SetChange(uint64 newSetId,address[] signers,uint256 threshold,uint64 setId)";
const UNPAUSE_TYPE: &[u8] = b"Unpause(uint64 nonce,uint64 setId)";

fn keccak(bytes: &[u8]) -> [u8; 32] {
	Keccak256::hash(bytes).0
}

/// A 32-byte ABI word holding `value` (big-endian, left-padded).
fn word(value: u128) -> [u8; 32] {
	let mut out = [0u8; 32];
	out[16..].copy_from_slice(&value.to_be_bytes());
	out
}

/// An address as an ABI word.
fn address_word(address: &EthAddress) -> [u8; 32] {
	let mut out = [0u8; 32];
	out[12..].copy_from_slice(address);
	out
}

/// keccak-256 of the concatenated ABI words.
fn hash_words(words: &[[u8; 32]]) -> [u8; 32] {
	keccak(&words.concat())
}

impl EthereumDomain {
	/// The domain separator (`Gatekeeper.domainSeparator()`).
	pub fn separator(&self) -> [u8; 32] {
		hash_words(&[
			keccak(DOMAIN_TYPE),
			keccak(b"SONM Gatekeeper"),
			keccak(b"1"),
			word(self.chain_id.into()),
			address_word(&self.gatekeeper),
			self.genesis,
		])
	}

	/// The digest a signer signs for a struct hash: `keccak256(0x1901 ‖ domain ‖ struct)`.
	fn digest(&self, struct_hash: [u8; 32]) -> [u8; 32] {
		let mut bytes = Vec::with_capacity(66);
		bytes.extend_from_slice(b"\x19\x01");
		bytes.extend_from_slice(&self.separator());
		bytes.extend_from_slice(&struct_hash);
		keccak(&bytes)
	}

	/// What set `set_id` signs to pay withdrawal `id` of `amount` base units to `to`.
	pub fn payout_digest(&self, id: u64, to: &EthAddress, amount: u128, set_id: SetId) -> [u8; 32] {
		self.digest(hash_words(&[
			keccak(PAYOUT_TYPE),
			withdrawal_id(id),
			address_word(to),
			word(amount),
			word(set_id.into()),
		]))
	}

	/// What set `set_id` signs to install set `new_set_id` of `signers` (sorted), `threshold`
	/// of them.
	pub fn set_change_digest(
		&self,
		new_set_id: SetId,
		signers: &[EthAddress],
		threshold: u32,
		set_id: SetId,
	) -> [u8; 32] {
		let signers: Vec<[u8; 32]> = signers.iter().map(address_word).collect();
		self.digest(hash_words(&[
			keccak(SET_CHANGE_TYPE),
			word(new_set_id.into()),
			hash_words(&signers),
			word(threshold.into()),
			word(set_id.into()),
		]))
	}

	/// What set `set_id` signs to unpause the contract at its `unpauseNonce` `nonce`.
	pub fn unpause_digest(&self, nonce: u64, set_id: SetId) -> [u8; 32] {
		self.digest(hash_words(&[keccak(UNPAUSE_TYPE), word(nonce.into()), word(set_id.into())]))
	}
}

/// Withdrawal `id` as the contract's `bytes32` id: the number, big-endian, in the low bytes.
pub fn withdrawal_id(id: u64) -> [u8; 32] {
	word(id.into())
}

/// The Ethereum address of a secp256k1 public key given uncompressed without its `04` prefix.
pub fn eth_address(public_key: &[u8; 64]) -> EthAddress {
	let hash = keccak(public_key);
	let mut address = [0u8; 20];
	address.copy_from_slice(&hash[12..]);
	address
}

/// What an Ethereum key signs to be registered for `account` on the sidechain whose genesis
/// hash is `genesis`: proof that the masternode holds the key.
pub fn key_registration_digest(genesis: &[u8; 32], account: &[u8]) -> [u8; 32] {
	let mut bytes = Vec::with_capacity(64 + account.len());
	bytes.extend_from_slice(b"SONM gatekeeper key registration");
	bytes.extend_from_slice(genesis);
	bytes.extend_from_slice(account);
	keccak(&bytes)
}

/// The least number of signers that is more than two thirds of `members`.
pub fn threshold(members: u32) -> u32 {
	members * 2 / 3 + 1
}

/// `s` of a signature in the lower half of the curve order and `v` 27 or 28: the only form
/// the contract accepts (the other half are malleable twins).
pub fn is_canonical(signature: &EthSignature) -> bool {
	/// secp256k1's order / 2, big-endian.
	const HALF_ORDER: [u8; 32] = [
		0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b,
		0x20, 0xa0,
	];
	let s = &signature[32..64];
	(signature[64] == 27 || signature[64] == 28) && s <= &HALF_ORDER[..]
}

/// A deposit on Ethereum: `PaidIn` event `log_index` of transaction `tx_hash`.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	Ord,
	PartialEq,
	PartialOrd,
	TypeInfo,
)]
pub struct DepositKey {
	pub tx_hash: [u8; 32],
	pub log_index: u32,
}

/// What a masternode attests it saw locked on Ethereum.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub struct Deposit<AccountId, Balance> {
	pub key: DepositKey,
	/// The sidechain account `payIn` named.
	pub recipient: AccountId,
	pub amount: Balance,
}

/// Where a deposit stands on the sidechain.
#[derive(Clone, Copy, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum DepositStatus {
	/// Attested by some, not yet by more than two thirds.
	Voting,
	/// Agreed, waiting for the daily mint cap to allow it.
	Approved,
	/// Minted.
	Minted,
}

crate::named!(DepositStatus, "deposit status", {
	DepositStatus::Voting => ["voting"],
	DepositStatus::Approved => ["approved"],
	DepositStatus::Minted => ["minted"],
});

/// A deposit as the runtime API reports it.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
pub struct DepositInfo<AccountId, Balance> {
	/// Its place in the order deposits were first attested.
	pub index: u64,
	pub key: DepositKey,
	pub status: DepositStatus,
	/// The agreed (or, while voting, the most attested) content.
	pub deposit: Option<Deposit<AccountId, Balance>>,
	/// Who attested so far.
	pub attesters: Vec<AccountId>,
}

/// A withdrawal as the runtime API reports it: what `payOut` needs.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
pub struct WithdrawalInfo<AccountId, Balance> {
	pub id: u64,
	pub who: AccountId,
	pub to: EthAddress,
	/// What is paid out on Ethereum (the fee already taken).
	pub amount: Balance,
	/// The set whose signatures it collects.
	pub set_id: SetId,
	/// The signatures so far, sorted by signer address.
	pub signatures: Vec<(EthAddress, EthSignature)>,
	/// Whether they reach the set's threshold.
	pub complete: bool,
}

/// A signer set as the runtime API reports it.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
pub struct SignerSetInfo {
	pub id: SetId,
	/// Sorted.
	pub signers: Vec<EthAddress>,
	pub threshold: u32,
	/// The signatures of the previous set installing it (empty for set 0), sorted by signer.
	pub signatures: Vec<(EthAddress, EthSignature)>,
	/// Whether the previous set's signatures reach its threshold: only then may it be
	/// installed on Ethereum.
	pub complete: bool,
}

/// The gatekeeper's settings and state as the runtime API reports it.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq, TypeInfo)]
pub struct GatekeeperState<Balance> {
	pub domain: Option<EthereumDomain>,
	pub paused: bool,
	pub daily_mint_cap: Balance,
	pub daily_withdraw_cap: Balance,
	pub minted_today: Balance,
	pub withdrawn_today: Balance,
	/// The flat fee of a withdrawal, paid to the reward pot.
	pub withdrawal_fee: Balance,
	/// Totals since genesis.
	pub minted: Balance,
	pub burned: Balance,
	/// The set that signs now.
	pub current_set: SetId,
}

sp_api::decl_runtime_apis! {
	/// Read access to the gatekeeper: what the `gatekeeper_*` RPC methods serve.
	pub trait GatekeeperApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Settings, caps, totals and the pause.
		fn state() -> GatekeeperState<Balance>;
		/// Deposits in the order they were first attested, from index `from` on, at most
		/// `limit`.
		fn deposits(from: u64, limit: u32) -> Vec<DepositInfo<AccountId, Balance>>;
		/// One deposit.
		fn deposit(key: DepositKey) -> Option<DepositInfo<AccountId, Balance>>;
		/// Withdrawals with ids from `from` on, at most `limit`.
		fn withdrawals(from: u64, limit: u32) -> Vec<WithdrawalInfo<AccountId, Balance>>;
		/// Signer set `id`, or the newest (possibly still collecting signatures) when `None`.
		fn signer_set(id: Option<SetId>) -> Option<SignerSetInfo>;
		/// The Ethereum key `who` registered.
		fn eth_key(who: AccountId) -> Option<EthAddress>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn from_hex<const N: usize>(hex: &str) -> [u8; N] {
		let hex = hex.trim_start_matches("0x");
		let mut out = [0u8; N];
		for (i, byte) in out.iter_mut().enumerate() {
			*byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
		}
		out
	}

	#[test]
	fn thresholds_are_more_than_two_thirds() {
		for (members, needed) in [(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 5), (7, 5), (21, 15)]
		{
			assert_eq!(threshold(members), needed, "{members} members");
			assert!(threshold(members) * 3 > members * 2);
			assert!((threshold(members) - 1) * 3 <= members * 2);
		}
	}

	#[test]
	fn withdrawal_ids_fill_the_low_bytes() {
		let id = withdrawal_id(0x0102);
		assert_eq!(&id[..30], &[0u8; 30]);
		assert_eq!(&id[30..], &[1, 2]);
	}

	#[test]
	fn canonical_signatures_have_low_s_and_v_27_or_28() {
		let mut signature = [0u8; 65];
		signature[64] = 27;
		assert!(is_canonical(&signature));
		signature[64] = 1;
		assert!(!is_canonical(&signature));
		signature[64] = 28;
		signature[32] = 0x80;
		assert!(!is_canonical(&signature));
	}

	/// The digests of fixed inputs as alloy's `eip712_signing_hash` computes them for the
	/// `sol!` types of `sonm-contracts` (its test `typed_data_vectors` prints them), and as
	/// the contract checks them on anvil.
	#[test]
	fn digests_match_the_contracts_typed_data() {
		let domain = EthereumDomain {
			chain_id: 31337,
			gatekeeper: from_hex("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
			genesis: [7u8; 32],
		};
		let to: EthAddress = from_hex("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
		let signers: Vec<EthAddress> = vec![[1u8; 20], [2u8; 20], [3u8; 20]];
		assert_eq!(domain.separator(), from_hex(DOMAIN_SEPARATOR));
		assert_eq!(domain.payout_digest(5, &to, 10u128.pow(18), 2), from_hex(PAYOUT));
		assert_eq!(domain.set_change_digest(3, &signers, 3, 2), from_hex(SET_CHANGE));
		assert_eq!(domain.unpause_digest(4, 2), from_hex(UNPAUSE));
	}

	const DOMAIN_SEPARATOR: &str =
		"0xd329a541d642d06c9086bf6aa27a8a472924ed62ea9c5665b5334246f5ae0df3";
	const PAYOUT: &str = "0xfdc21ea796d16e0eb63253c04e0b7a30a3294e426707e2b22fe974376541c864";
	const SET_CHANGE: &str = "0xb98e31664b75bc5e0117d84a6e2c66d1624d64608a0723f991dd93b8585c5b11";
	const UNPAUSE: &str = "0x13b27c57919b0cc78b3db03dba7be788b92ec0be1ceef62a8ac15a72f1bdb17a";
}
