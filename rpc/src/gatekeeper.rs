//! `gatekeeper_*`: the Ethereum gateway's state and caps, deposits attested, withdrawals with
//! their signatures, signer sets and masternodes' Ethereum keys.

use crate::BlockHash;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sonm_primitives::gatekeeper::{DepositStatus, SetId};

/// The most deposits or withdrawals one call returns.
pub const PAGE: u32 = 500;

/// `gatekeeper_state`: the contract, the pause, caps and today's totals, totals since genesis,
/// the signing set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GatewayState {
	/// Absent until root names the contract.
	pub chain_id: Option<u64>,
	pub gatekeeper: Option<String>,
	pub genesis: Option<String>,
	pub paused: bool,
	#[serde(with = "crate::amount")]
	pub daily_mint_cap: u128,
	#[serde(with = "crate::amount")]
	pub daily_withdraw_cap: u128,
	#[serde(with = "crate::amount")]
	pub minted_today: u128,
	#[serde(with = "crate::amount")]
	pub withdrawn_today: u128,
	#[serde(with = "crate::amount")]
	pub withdrawal_fee: u128,
	#[serde(with = "crate::amount")]
	pub minted: u128,
	#[serde(with = "crate::amount")]
	pub burned: u128,
	pub current_set: SetId,
}

/// `gatekeeper_deposits` and `gatekeeper_deposit`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
	pub index: u64,
	pub tx_hash: String,
	pub log_index: u32,
	pub status: DepositStatus,
	pub recipient: Option<String>,
	#[serde(with = "crate::amount::option")]
	pub amount: Option<u128>,
	pub attesters: Vec<String>,
}

/// `gatekeeper_withdrawals`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
	pub id: u64,
	pub who: String,
	pub to: String,
	#[serde(with = "crate::amount")]
	pub amount: u128,
	pub set_id: SetId,
	pub signatures: Vec<Signature>,
	pub complete: bool,
}

/// One signer's signature.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
	pub signer: String,
	pub signature: String,
}

/// `gatekeeper_signerSet`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SignerSet {
	pub id: SetId,
	pub signers: Vec<String>,
	pub threshold: u32,
	pub signatures: Vec<Signature>,
	pub complete: bool,
}

#[rpc(client, server)]
pub trait GatekeeperRpc {
	/// The contract, the pause, caps and today's totals, totals since genesis, the signing set.
	#[method(name = "gatekeeper_state")]
	fn state(&self, at: Option<BlockHash>) -> RpcResult<GatewayState>;

	/// Deposits in the order they were first attested, from index `from`, at most `limit`
	/// (and at most [`PAGE`]).
	#[method(name = "gatekeeper_deposits")]
	fn deposits(&self, from: u64, limit: u32, at: Option<BlockHash>) -> RpcResult<Vec<Deposit>>;

	/// The deposit of Ethereum transaction `tx_hash` (0x hex), log `log_index`.
	#[method(name = "gatekeeper_deposit")]
	fn deposit(
		&self,
		tx_hash: String,
		log_index: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Deposit>>;

	/// Withdrawals with ids from `from`, at most `limit` (and at most [`PAGE`]), with their
	/// signatures.
	#[method(name = "gatekeeper_withdrawals")]
	fn withdrawals(
		&self,
		from: u64,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Withdrawal>>;

	/// Signer set `id`, or the newest (which may still be collecting signatures).
	#[method(name = "gatekeeper_signerSet")]
	fn signer_set(&self, id: Option<SetId>, at: Option<BlockHash>) -> RpcResult<Option<SignerSet>>;

	/// The Ethereum key `account` registered, `0x` hex.
	#[method(name = "gatekeeper_ethKey")]
	fn eth_key(&self, account: String, at: Option<BlockHash>) -> RpcResult<Option<String>>;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn deposit_statuses_are_lowercase_words() {
		let json = serde_json::json!({
			"index": 0, "txHash": "0x00", "logIndex": 1, "status": "minted",
			"recipient": null, "amount": "5", "attesters": []
		});
		let deposit: Deposit = serde_json::from_value(json.clone()).unwrap();
		assert_eq!((deposit.status, deposit.amount), (DepositStatus::Minted, Some(5)));
		assert_eq!(serde_json::to_value(&deposit).unwrap(), json);
	}
}
