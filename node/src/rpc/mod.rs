//! The node's own RPC methods, added to the standard Substrate set (`chain_*`, `state_*`,
//! `author_*`, `system_*`): `system_accountNextIndex` and `payment_queryInfo` /
//! `payment_queryFeeDetails`, and the market's `market_*` ([`market`]).

pub mod market;

use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sonm_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use std::sync::Arc;

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
	P: TransactionPool + 'static,
{
	use market::{Market, MarketRpcServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Market::new(client).into_rpc())?;

	Ok(module)
}
