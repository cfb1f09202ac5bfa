//! The Ethereum side of the SONM gateway, for the Rust code that deploys, calls and signs for
//! it (`sonm-bridge`, the `sonm` CLI, the tests): bindings of `Gatekeeper` and the test token
//! `TestSnm` generated from the committed ABI (`build/*.abi`, made by `compile.sh` from the
//! Solidity sources beside it), their bytecode, and the EIP-712 typed data the masternodes sign
//! with the domain that binds it to one chain, one contract and one sidechain.

use alloy::{
	primitives::{Address, B256},
	sol,
	sol_types::{eip712_domain, Eip712Domain},
};

sol!(
	/// The gatekeeper: `payIn` locks SNM for the sidechain, `payOut` pays withdrawals on the
	/// masternodes' signatures (see `Gatekeeper.sol`).
	#[sol(rpc)]
	#[derive(Debug)]
	Gatekeeper,
	"build/Gatekeeper.abi"
);

sol!(
	/// SNM for test networks: an ERC-20 whose deployer mints.
	#[sol(rpc)]
	#[derive(Debug)]
	TestSnm,
	"build/TestSnm.abi"
);

sol! {
	/// Withdrawal `id` pays `amount` to `to`, signed by signer set `setId`.
	#[derive(Debug, PartialEq, Eq)]
	struct Payout { bytes32 id; address to; uint256 amount; uint64 setId; }
	/// Signer set `setId` installs set `newSetId`: `signers` (sorted), `threshold` of them.
	#[derive(Debug, PartialEq, Eq)]
	struct SetChange { uint64 newSetId; address[] signers; uint256 threshold; uint64 setId; }
	/// Signer set `setId` resumes the paused gatekeeper; `nonce` is its `unpauseNonce`.
	#[derive(Debug, PartialEq, Eq)]
	struct Unpause { uint64 nonce; uint64 setId; }
}

/// The EIP-712 domain of the gatekeeper at `gatekeeper` on chain `chain_id`, serving the
/// sidechain whose genesis hash is `genesis`.
pub fn domain(chain_id: u64, gatekeeper: Address, genesis: B256) -> Eip712Domain {
	eip712_domain! {
		name: "SONM Gatekeeper",
		version: "1",
		chain_id: chain_id,
		verifying_contract: gatekeeper,
		salt: genesis,
	}
}

/// `Gatekeeper`'s creation bytecode (constructor arguments follow it).
pub fn gatekeeper_bytecode() -> Vec<u8> {
	decode_bin(include_str!("../build/Gatekeeper.bin"))
}

/// `TestSnm`'s creation bytecode.
pub fn test_snm_bytecode() -> Vec<u8> {
	decode_bin(include_str!("../build/TestSnm.bin"))
}

fn decode_bin(hex: &str) -> Vec<u8> {
	alloy::hex::decode(hex.trim()).expect("compile.sh writes hex")
}
