//! The node's side of its own RPC methods, declared in `sonm-rpc` (traits and JSON shapes, which
//! the client calls too) and added to the standard Substrate set (`chain_*`, `state_*`,
//! `author_*`, `system_*`): `system_accountNextIndex` and `payment_queryInfo` /
//! `payment_queryFeeDetails`, the market's `market_*` ([`market`]), the trust pallets'
//! `blacklist_*` and `kyc_*` ([`trust`]), the masternodes' `masternodes_*` and `oracle_*`
//! ([`masternodes`]), and the gateway's `gatekeeper_*` ([`gatekeeper`]).
//!
//! All of them read through the runtime APIs at the best block, or at the block given as `at`,
//! and answer with the same error codes ([`sonm_rpc::error`]).

pub mod gatekeeper;
pub mod market;
pub mod masternodes;
pub mod trust;

use jsonrpsee::{
	core::RpcResult,
	types::{error::ErrorObject, ErrorObjectOwned},
	RpcModule,
};
use sc_transaction_pool_api::TransactionPool;
use sonm_rpc::error;
use sonm_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_core::crypto::Ss58Codec;
use std::sync::Arc;

use sonm_rpc::BlockHash;

fn runtime_error(err: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(error::RUNTIME, "runtime API call failed", Some(err.to_string()))
}

fn invalid_param(message: String) -> ErrorObjectOwned {
	ErrorObject::owned(error::INVALID_PARAM, message, None::<()>)
}

/// The longest text taken as an account: an SS58 address of a 32-byte account is at most 50
/// characters. Longer input is refused before decoding, whose cost grows with the square of
/// its length (a 1 MiB string held an RPC worker for minutes).
const MAX_ADDRESS_LEN: usize = 64;

/// `text` as shown back in an error: at most 80 characters of it, quoted.
fn shown(text: &str) -> String {
	match text.char_indices().nth(80) {
		Some((end, _)) => format!("{:?}... ({} bytes)", &text[..end], text.len()),
		None => format!("{text:?}"),
	}
}

fn parse_account(address: &str) -> RpcResult<AccountId> {
	if address.len() > MAX_ADDRESS_LEN {
		return Err(invalid_param(format!(
			"invalid account {}: too long for an address",
			shown(address)
		)));
	}
	AccountId::from_ss58check(address)
		.map_err(|err| invalid_param(format!("invalid account {}: {err:?}", shown(address))))
}

fn address(who: &AccountId) -> String {
	who.to_ss58check()
}

/// `at`, or the best block.
fn block_or_best<C: HeaderBackend<Block>>(client: &C, at: Option<BlockHash>) -> BlockHash {
	at.unwrap_or_else(|| client.info().best_hash)
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
}

/// Builds the node's RPC extensions.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: sonm_primitives::market::MarketApi<
		Block,
		AccountId,
		sonm_runtime::apis::MarketOrder,
		sonm_runtime::apis::MarketDeal,
		sonm_runtime::apis::MarketChangeRequest,
	>,
	C::Api: sonm_primitives::trust::BlacklistApi<Block, AccountId, sonm_runtime::apis::CuratedList>,
	C::Api: sonm_primitives::masternodes::MasternodesApi<
		Block,
		AccountId,
		Balance,
		sonm_runtime::apis::MasternodeRecord,
	>,
	C::Api: sonm_primitives::masternodes::OracleApi<Block, AccountId, Balance>,
	C::Api: sonm_primitives::gatekeeper::GatekeeperApi<Block, AccountId, Balance>,
	C::Api: sonm_primitives::trust::KycApi<
		Block,
		AccountId,
		sonm_runtime::apis::KycProvider,
		sonm_runtime::apis::KycRequest,
		pallet_kyc::Certification,
		sonm_runtime::apis::ApprovedProfile,
	>,
	P: TransactionPool + 'static,
{
	use gatekeeper::Gatekeeper;
	use market::Market;
	use masternodes::Masternodes;
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sonm_rpc::{
		gatekeeper::GatekeeperRpcServer, market::MarketRpcServer,
		masternodes::MasternodesRpcServer, trust::TrustRpcServer,
	};
	use substrate_frame_rpc_system::{System, SystemApiServer};
	use trust::Trust;

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Market::new(client.clone()).into_rpc())?;
	module.merge(Trust::new(client.clone()).into_rpc())?;
	module.merge(Masternodes::new(client.clone()).into_rpc())?;
	module.merge(Gatekeeper::new(client).into_rpc())?;

	Ok(module)
}
