//! The node's own methods (`sonm-rpc`) over the client's one connection: [`NodeRpc`] lets the
//! `*RpcClient` traits that jsonrpsee generates from the methods' declaration call through
//! subxt's reconnecting RPC client, so that the method names, parameters and JSON shapes are
//! the node's own and written nowhere else.

use jsonrpsee::core::{
	async_trait,
	client::{BatchResponse, ClientT, Error},
	params::BatchRequestBuilder,
	traits::ToRpcParams,
	DeserializeOwned,
};
use jsonrpsee::types::ErrorObjectOwned;
use subxt::rpcs::client::RpcClient;

/// subxt's RPC client as a jsonrpsee [`ClientT`].
#[derive(Clone, Debug)]
pub struct NodeRpc(pub RpcClient);

/// The JSON-RPC error the node answered with, or the transport's failure.
fn call_error(error: subxt::rpcs::Error) -> Error {
	match error {
		subxt::rpcs::Error::User(user) => {
			Error::Call(ErrorObjectOwned::owned(user.code, user.message, user.data))
		},
		other => Error::Transport(Box::new(other)),
	}
}

#[async_trait]
impl ClientT for NodeRpc {
	async fn notification<Params>(&self, method: &str, _params: Params) -> Result<(), Error>
	where
		Params: ToRpcParams + Send,
	{
		Err(Error::Custom(format!("{method}: the node's methods take no notifications")))
	}

	async fn request<R, Params>(&self, method: &str, params: Params) -> Result<R, Error>
	where
		R: DeserializeOwned,
		Params: ToRpcParams + Send,
	{
		let params = params.to_rpc_params().map_err(Error::ParseError)?;
		let raw = self.0.request_raw(method, params).await.map_err(call_error)?;
		serde_json::from_str(raw.get()).map_err(Error::ParseError)
	}

	async fn batch_request<'a, R>(
		&self,
		_batch: BatchRequestBuilder<'a>,
	) -> Result<BatchResponse<'a, R>, Error>
	where
		R: DeserializeOwned + std::fmt::Debug + 'a,
	{
		Err(Error::Custom("the client sends no batches".into()))
	}
}
