//! The bridge's side of Ethereum, on alloy: the Gatekeeper contract and its token, read and
//! called with the masternode's (or the user's) Ethereum key as the wallet.

use crate::error::{BridgeError, BridgeResult};
use alloy::{
	eips::BlockNumberOrTag,
	network::{EthereumWallet, ReceiptResponse},
	primitives::{Address, Bytes, FixedBytes, B256, U256},
	providers::{DynProvider, Provider},
	signers::local::PrivateKeySigner,
};
use sonm_contracts::{mined, provider_builder, send, Gatekeeper, TestSnm};
use sonm_primitives::gatekeeper::{DepositKey, EthAddress, EthSignature};
use std::time::Duration;

/// How long a sent transaction may take to be mined.
pub const MINING_PATIENCE: Duration = Duration::from_secs(120);

/// Which blocks count as final for deposits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finality {
	/// This many blocks on top of the deposit's (the deposit's own counts as the first).
	Confirmations(u64),
	/// The node's `finalized` block.
	Finalized,
}

/// A `PaidIn` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidIn {
	pub key: DepositKey,
	pub block: u64,
	pub block_hash: [u8; 32],
	/// The sidechain account (32 bytes).
	pub recipient: [u8; 32],
	pub amount: U256,
}

/// A connection to an Ethereum node with a wallet, and the gatekeeper there.
#[derive(Clone)]
pub struct Ethereum {
	pub provider: DynProvider,
	pub gatekeeper: Gatekeeper::GatekeeperInstance<DynProvider>,
}

fn rpc(error: impl std::fmt::Display) -> BridgeError {
	BridgeError::Ethereum(error.to_string())
}

/// The name of the contract error in a refused call, or the error's text.
pub fn contract_error(error: &alloy::contract::Error) -> String {
	use alloy::sol_types::SolInterface;
	if let Some(data) = error.as_revert_data() {
		if let Ok(decoded) = Gatekeeper::GatekeeperErrors::abi_decode(&data) {
			return format!("{decoded:?}");
		}
	}
	error.to_string()
}

impl Ethereum {
	/// Connects to `url` with `secret` as the wallet that pays gas, for the gatekeeper at
	/// `gatekeeper`.
	pub async fn connect(url: &str, secret: [u8; 32], gatekeeper: Address) -> BridgeResult<Self> {
		let signer = PrivateKeySigner::from_bytes(&B256::from(secret)).map_err(rpc)?;
		let url = url.parse().map_err(|e| BridgeError::Input(format!("--eth-url {url:?}: {e}")))?;
		let provider = provider_builder()
			.wallet(EthereumWallet::from(signer))
			.connect_http(url)
			.erased();
		provider.get_chain_id().await.map_err(rpc)?;
		let gatekeeper = Gatekeeper::new(gatekeeper, provider.clone());
		Ok(Self { provider, gatekeeper })
	}

	/// The chain id.
	pub async fn chain_id(&self) -> BridgeResult<u64> {
		self.provider.get_chain_id().await.map_err(rpc)
	}

	/// The newest block's number.
	pub async fn head(&self) -> BridgeResult<u64> {
		self.provider.get_block_number().await.map_err(rpc)
	}

	/// The newest block that counts as final under `finality`.
	pub async fn final_block(&self, finality: Finality) -> BridgeResult<Option<u64>> {
		match finality {
			Finality::Confirmations(confirmations) => {
				let head = self.provider.get_block_number().await.map_err(rpc)?;
				Ok((head + 1).checked_sub(confirmations.max(1)))
			},
			Finality::Finalized => {
				let block = self
					.provider
					.get_block_by_number(BlockNumberOrTag::Finalized)
					.await
					.map_err(rpc)?;
				Ok(block.map(|block| block.header.number))
			},
		}
	}

	/// The `PaidIn` events of blocks `from..=to`.
	pub async fn paid_in(&self, from: u64, to: u64) -> BridgeResult<Vec<PaidIn>> {
		let events = self
			.gatekeeper
			.PaidIn_filter()
			.from_block(from)
			.to_block(to)
			.query()
			.await
			.map_err(rpc)?;
		let mut found = Vec::with_capacity(events.len());
		for (event, log) in events {
			let (Some(tx_hash), Some(log_index), Some(block), Some(block_hash)) =
				(log.transaction_hash, log.log_index, log.block_number, log.block_hash)
			else {
				continue;
			};
			found.push(PaidIn {
				key: DepositKey { tx_hash: tx_hash.0, log_index: log_index as u32 },
				block,
				block_hash: block_hash.0,
				recipient: event.recipient.0,
				amount: event.amount,
			});
		}
		Ok(found)
	}

	/// Whether the deposit's transaction is still in the block it was in.
	pub async fn still_in(&self, tx_hash: [u8; 32], block_hash: &[u8]) -> BridgeResult<bool> {
		let receipt =
			self.provider.get_transaction_receipt(B256::from(tx_hash)).await.map_err(rpc)?;
		Ok(receipt
			.is_some_and(|r| r.block_hash().is_some_and(|hash| hash.as_slice() == block_hash)))
	}

	/// Whether withdrawal id `id` was paid or committed.
	pub async fn used(&self, id: u64) -> BridgeResult<bool> {
		let id = FixedBytes(sonm_primitives::gatekeeper::withdrawal_id(id));
		self.gatekeeper.used(id).call().await.map_err(rpc)
	}

	/// The transaction that paid withdrawal `id`, if it was paid in the last 10,000 blocks.
	pub async fn paid_out_in(&self, id: u64) -> BridgeResult<Option<[u8; 32]>> {
		let head = self.head().await?;
		let id = FixedBytes(sonm_primitives::gatekeeper::withdrawal_id(id));
		let events = self
			.gatekeeper
			.PaidOut_filter()
			.topic1(id)
			.from_block(head.saturating_sub(10_000))
			.to_block(head)
			.query()
			.await
			.map_err(rpc)?;
		Ok(events.into_iter().find_map(|(_, log)| log.transaction_hash.map(|hash| hash.0)))
	}

	/// The contract's current signer set id.
	pub async fn set_id(&self) -> BridgeResult<u64> {
		self.gatekeeper.setId().call().await.map_err(rpc)
	}

	/// Whether the contract is paused.
	pub async fn paused(&self) -> BridgeResult<bool> {
		self.gatekeeper.paused().call().await.map_err(rpc)
	}

	/// Sends `call` and waits for its receipt; the transaction hash, or the contract's error.
	async fn transact<D: alloy::contract::CallDecoder>(
		&self,
		call: alloy::contract::CallBuilder<&DynProvider, D>,
	) -> BridgeResult<[u8; 32]> {
		let pending = send(call).await.map_err(|e| BridgeError::Contract(contract_error(&e)))?;
		let hash = *pending.tx_hash();
		let receipt = mined(&self.provider, hash, MINING_PATIENCE)
			.await
			.map_err(|e| BridgeError::Contract(e.to_string()))?;
		if !receipt.status() {
			return Err(BridgeError::Contract(format!("transaction {hash} reverted")));
		}
		Ok(hash.0)
	}

	/// Pays withdrawal `id` with `signatures` of set `set_id`.
	pub async fn pay_out(
		&self,
		id: u64,
		to: EthAddress,
		amount: u128,
		set_id: u64,
		signatures: &[EthSignature],
	) -> BridgeResult<[u8; 32]> {
		let signatures: Vec<Bytes> = signatures.iter().map(|s| Bytes::copy_from_slice(s)).collect();
		let id = FixedBytes(sonm_primitives::gatekeeper::withdrawal_id(id));
		self.transact(self.gatekeeper.payOut(
			id,
			Address::from(to),
			U256::from(amount),
			set_id,
			signatures,
		))
		.await
	}

	/// Installs the next signer set with the current set's `signatures`.
	pub async fn rotate(
		&self,
		signers: &[EthAddress],
		threshold: u32,
		signatures: &[EthSignature],
	) -> BridgeResult<[u8; 32]> {
		let signers: Vec<Address> = signers.iter().map(|s| Address::from(*s)).collect();
		let signatures: Vec<Bytes> = signatures.iter().map(|s| Bytes::copy_from_slice(s)).collect();
		self.transact(self.gatekeeper.rotate(signers, U256::from(threshold), signatures))
			.await
	}

	/// The gatekeeper's token.
	pub async fn token(&self) -> BridgeResult<TestSnm::TestSnmInstance<DynProvider>> {
		let token = self.gatekeeper.token().call().await.map_err(rpc)?;
		Ok(TestSnm::new(token, self.provider.clone()))
	}

	/// Approves and locks `amount` for sidechain account `recipient`; the `PaidIn` it made.
	pub async fn pay_in(&self, amount: u128, recipient: [u8; 32]) -> BridgeResult<PaidIn> {
		let token = self.token().await?;
		self.transact(token.approve(*self.gatekeeper.address(), U256::from(amount)))
			.await?;
		let hash = self
			.transact(self.gatekeeper.payIn(U256::from(amount), FixedBytes(recipient)))
			.await?;
		let receipt = self.provider.get_transaction_receipt(B256::from(hash)).await.map_err(rpc)?;
		let block = receipt
			.and_then(|r| r.block_number())
			.ok_or_else(|| BridgeError::unexpected("the payIn receipt names no block"))?;
		self.paid_in(block, block)
			.await?
			.into_iter()
			.find(|event| event.key.tx_hash == hash)
			.ok_or_else(|| BridgeError::unexpected("the payIn transaction emitted no PaidIn"))
	}
}
