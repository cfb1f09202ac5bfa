//! The Ethereum side of the SONM gateway, for the Rust code that deploys, calls and signs for
//! it (`sonm-bridge`, the `sonm` CLI, the tests): bindings of `Gatekeeper` and the test token
//! `TestSnm` generated from the committed ABI (`build/*.abi`, made by `compile.sh` from the
//! Solidity sources beside it), their bytecode, and the EIP-712 typed data the masternodes sign
//! with the domain that binds it to one chain, one contract and one sidechain.

use alloy::{
	contract::{CallBuilder, CallDecoder, RawCallBuilder},
	eips::BlockId,
	network::{Ethereum, Network, ReceiptResponse},
	primitives::{Address, B256, U256},
	providers::{
		fillers::{ChainIdFiller, GasFiller, JoinFill, NonceFiller, SimpleNonceManager},
		Identity, PendingTransactionBuilder, Provider, ProviderBuilder,
	},
	sol,
	sol_types::{eip712_domain, Eip712Domain, SolConstructor},
};
use std::time::{Duration, Instant};

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

/// The transaction fillers of [`provider_builder`].
pub type Fillers = JoinFill<
	JoinFill<JoinFill<Identity, GasFiller>, NonceFiller<SimpleNonceManager>>,
	ChainIdFiller,
>;

/// A provider builder for sending to the gatekeeper: gas estimated, the chain id fetched, and
/// each nonce asked of the node. (alloy's default cached nonce manager uses a nonce up for a
/// call refused at gas estimation, and every later transaction then waits behind the gap.)
pub fn provider_builder() -> ProviderBuilder<Identity, Fillers, Ethereum> {
	ProviderBuilder::new()
		.disable_recommended_fillers()
		.with_gas_estimation()
		.with_simple_nonce_management()
		.fetch_chain_id()
}

/// The share of a transaction's gas estimate added as headroom: the estimate is exact for the
/// block it was made against, and storage writes cost more when the next block's values differ
/// (a timestamp stored in the same second costs 2,800 gas less than in the next).
pub const GAS_HEADROOM_PERCENT: u64 = 25;

/// Sends `call` with its gas estimate plus [`GAS_HEADROOM_PERCENT`]; a call the node refuses
/// at estimation is refused here, with the contract's error.
pub async fn send<P: Provider<N>, D: CallDecoder, N: Network>(
	call: CallBuilder<P, D, N>,
) -> Result<PendingTransactionBuilder<N>, alloy::contract::Error> {
	// Against the pending block: its clock is the one the transaction will run at.
	let call = call.block(BlockId::pending());
	let estimate = call.estimate_gas().await?;
	call.gas(estimate + estimate * GAS_HEADROOM_PERCENT / 100).send().await
}

/// A failure to deploy or to see a transaction mined.
#[derive(Debug)]
pub enum ContractsError {
	/// The node refused or failed a request.
	Rpc(String),
	/// The transaction was not in a block within the patience given.
	NotMined { hash: B256, waited: Duration },
	/// The transaction was mined but reverted.
	Reverted { hash: B256 },
	/// A deployment's receipt names no contract.
	NoContract { hash: B256 },
}

impl std::fmt::Display for ContractsError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Rpc(error) => write!(f, "the Ethereum node: {error}"),
			Self::NotMined { hash, waited } => {
				write!(f, "transaction {hash} was not mined within {waited:?}")
			},
			Self::Reverted { hash } => write!(f, "transaction {hash} reverted"),
			Self::NoContract { hash } => write!(f, "transaction {hash} created no contract"),
		}
	}
}

impl std::error::Error for ContractsError {}

/// The receipt of transaction `hash` once it is in a block, polled for every 25 ms for at most
/// `patience`. (alloy's receipt watch can miss a block mined before it starts, as anvil's
/// instant mining does.)
pub async fn mined<N: Network>(
	provider: &impl Provider<N>,
	hash: B256,
	patience: Duration,
) -> Result<N::ReceiptResponse, ContractsError> {
	let started = Instant::now();
	loop {
		let receipt = provider.get_transaction_receipt(hash).await;
		if let Some(receipt) = receipt.map_err(|e| ContractsError::Rpc(e.to_string()))? {
			return Ok(receipt);
		}
		if started.elapsed() > patience {
			return Err(ContractsError::NotMined { hash, waited: started.elapsed() });
		}
		tokio::time::sleep(Duration::from_millis(25)).await;
	}
}

/// Deploys `code` (creation bytecode with its constructor arguments) and returns the address.
pub async fn deploy(
	provider: &(impl Provider + Clone),
	code: Vec<u8>,
	patience: Duration,
) -> Result<Address, ContractsError> {
	let sent = send(RawCallBuilder::new_raw_deploy(provider.clone(), code.into())).await;
	let hash = *sent.map_err(|e| ContractsError::Rpc(e.to_string()))?.tx_hash();
	let receipt = mined(provider, hash, patience).await?;
	if !receipt.status() {
		return Err(ContractsError::Reverted { hash });
	}
	receipt.contract_address().ok_or(ContractsError::NoContract { hash })
}

/// Deploys a `TestSnm` whose minter is the provider's wallet.
pub async fn deploy_test_snm(
	provider: &(impl Provider + Clone),
	patience: Duration,
) -> Result<Address, ContractsError> {
	deploy(provider, test_snm_bytecode(), patience).await
}

/// Deploys a `Gatekeeper` of `token` for the sidechain `genesis`, with signer set 0 of
/// `signers` (sorted by address) and `threshold`, and `limits`.
pub async fn deploy_gatekeeper(
	provider: &(impl Provider + Clone),
	token: Address,
	genesis: B256,
	signers: Vec<Address>,
	threshold: u64,
	limits: Gatekeeper::Limits,
	patience: Duration,
) -> Result<Address, ContractsError> {
	let constructor = Gatekeeper::constructorCall {
		token_: token,
		genesis,
		signers,
		threshold: U256::from(threshold),
		limits,
	};
	let mut code = gatekeeper_bytecode();
	code.extend_from_slice(&constructor.abi_encode());
	deploy(provider, code, patience).await
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
