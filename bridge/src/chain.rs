//! The bridge's side of the sidechain, through `sonm-client`: a connection and the
//! masternode's account key, and the transactions the feeder and the gateway submit.

use crate::error::{BridgeError, BridgeResult};
use sonm_client::{runtime, Client, ClientError, Included, Key, Wait};

/// A connection to a node and the masternode's key that signs.
pub struct Chain {
	pub client: Client,
	pub key: Key,
}

/// `ws://` for `http://` (and `wss://` for `https://`): a node serves both on one port.
pub fn ws_url(url: &str) -> String {
	if let Some(rest) = url.strip_prefix("http://") {
		format!("ws://{rest}")
	} else if let Some(rest) = url.strip_prefix("https://") {
		format!("wss://{rest}")
	} else {
		url.to_owned()
	}
}

impl Chain {
	/// Connects to `url` (`ws://` or `http://`); `suri` is the masternode's account key.
	pub async fn connect(url: &str, suri: &str) -> BridgeResult<Self> {
		let key =
			Key::from_suri(suri).map_err(|err| BridgeError::Input(format!("--suri: {err}")))?;
		let client = Client::connect(&ws_url(url)).await?;
		Ok(Self { client, key })
	}

	/// The signing account, SS58.
	pub fn account(&self) -> String {
		self.key.account_id().to_string()
	}

	/// Submits `call` signed by the masternode and waits until a block includes it.
	pub async fn submit<Call: sonm_client::subxt::tx::Payload>(
		&self,
		call: &Call,
	) -> Result<Included, ClientError> {
		self.client.submit(call, &self.key, Wait::InBlock, |_| {}).await
	}

	/// Feeds `snm_per_usd` and returns the block that included it.
	pub async fn feed_usd(&self, snm_per_usd: u128) -> BridgeResult<String> {
		use sonm_primitives::Currency;
		let call = runtime::tx().oracle().feed(sonm_client::Static(Currency::Usd), snm_per_usd);
		let included = self.submit(&call).await?;
		Ok(format!("#{}", included.block_number))
	}
}
