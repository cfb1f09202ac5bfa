//! The feeder's side of the chain: signs `Oracle::feed` with the masternode's key, submits it
//! over JSON-RPC and waits until a block includes it and shows it succeeded.

use codec::{Decode, Encode};
use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use sonm_primitives::Currency;
use sonm_runtime::{AccountId, Hash, Nonce, RuntimeCall, RuntimeEvent};
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use sp_io::hashing::twox_128;
use sp_runtime::generic::Era;
use std::time::{Duration, Instant};

/// How long a fed price may take to appear in a block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to a node and the key that signs.
pub struct Chain {
	client: HttpClient,
	pair: sr25519::Pair,
	account: AccountId,
	genesis: Hash,
}

impl Chain {
	/// Connects to `url` and reads the genesis hash; `suri` is the signing key.
	pub async fn connect(url: &str, suri: &str) -> Result<Self, String> {
		let pair = sr25519::Pair::from_string(suri, None)
			.map_err(|err| format!("--suri is not a valid secret URI: {err:?}"))?;
		let client = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(url)
			.map_err(|err| format!("{url}: {err}"))?;
		let genesis: Hash = client
			.request("chain_getBlockHash", rpc_params![0])
			.await
			.map_err(|err| format!("{url} does not answer chain_getBlockHash: {err}"))?;
		let account = AccountId::from(pair.public());
		Ok(Self { client, pair, account, genesis })
	}

	/// The signing account, SS58.
	pub fn account(&self) -> String {
		self.account.to_ss58check()
	}

	/// Feeds `snm_per_usd` and returns the block that included it.
	pub async fn feed_usd(&self, snm_per_usd: u128) -> Result<String, String> {
		let call = RuntimeCall::Oracle(pallet_oracle::Call::feed {
			currency: Currency::Usd,
			snm_per_unit: snm_per_usd,
		});
		let nonce: Nonce = self
			.client
			.request("system_accountNextIndex", rpc_params![self.account()])
			.await
			.map_err(|err| format!("system_accountNextIndex: {err}"))?;
		let extrinsic = sonm_runtime::signing::sign_extrinsic(
			call,
			&self.pair,
			nonce,
			Era::Immortal,
			self.genesis,
			self.genesis,
		)
		.encode();
		let hex = format!("0x{}", hex_encode(&extrinsic));
		let from = self.best_number().await?;
		let _: Hash = self
			.client
			.request("author_submitExtrinsic", rpc_params![hex.clone()])
			.await
			.map_err(|err| format!("the node refused the feed: {err}"))?;
		self.wait_for_inclusion(&hex, from).await
	}

	/// The best block's number.
	async fn best_number(&self) -> Result<u32, String> {
		let header: serde_json::Value = self
			.client
			.request("chain_getHeader", rpc_params![])
			.await
			.map_err(|err| format!("chain_getHeader: {err}"))?;
		header["number"]
			.as_str()
			.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or_else(|| "a header without a number".to_string())
	}

	/// Scans blocks from `from` on for `extrinsic` and checks its outcome in the events.
	async fn wait_for_inclusion(&self, extrinsic: &str, from: u32) -> Result<String, String> {
		let deadline = Instant::now() + INCLUSION_TIMEOUT;
		let mut next = from + 1;
		while Instant::now() < deadline {
			let best = self.best_number().await?;
			while next <= best {
				let hash: Hash = self
					.client
					.request("chain_getBlockHash", rpc_params![next])
					.await
					.map_err(|err| format!("chain_getBlockHash: {err}"))?;
				let block: serde_json::Value = self
					.client
					.request("chain_getBlock", rpc_params![hash])
					.await
					.map_err(|err| format!("chain_getBlock: {err}"))?;
				let extrinsics =
					block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
				if let Some(index) = extrinsics.iter().position(|xt| xt.as_str() == Some(extrinsic))
				{
					return self.outcome(hash, index as u32).await.map(|()| format!("#{next}"));
				}
				next += 1;
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		Err(format!("not in a block after {} s", INCLUSION_TIMEOUT.as_secs()))
	}

	/// Whether extrinsic `index` of block `hash` succeeded, with the module error if not.
	async fn outcome(&self, hash: Hash, index: u32) -> Result<(), String> {
		let key = [twox_128(b"System"), twox_128(b"Events")].concat();
		let raw: Option<sp_core::Bytes> = self
			.client
			.request("state_getStorage", rpc_params![format!("0x{}", hex_encode(&key)), hash])
			.await
			.map_err(|err| format!("state_getStorage: {err}"))?;
		let raw = raw.ok_or("a block without events")?;
		let events = Vec::<frame_system::EventRecord<RuntimeEvent, Hash>>::decode(&mut &raw[..])
			.map_err(|err| format!("undecodable events: {err}"))?;
		for record in events {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = record.event
			{
				let named = sonm_runtime::RuntimeError::from_dispatch_error(dispatch_error);
				return Err(match named {
					Some(error) => format!("the chain refused the feed: {error:?}"),
					None => format!("the chain refused the feed: {dispatch_error:?}"),
				});
			}
		}
		Ok(())
	}
}

fn hex_encode(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
