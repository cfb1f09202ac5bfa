//! The connection to a node: a reconnecting JSON-RPC client under subxt, transactions signed and
//! watched to inclusion or finality with decoded events and module errors, and the node's
//! `market_*`, `blacklist_*`, `kyc_*`, `masternodes_*`, `oracle_*` and `gatekeeper_*` reads.

use crate::node_rpc::NodeRpc;
use crate::{
	error::ClientError,
	events::{decode_events, ChainEvent},
	keys::Key,
	runtime, types, ChainConfig,
};
use serde::de::DeserializeOwned;
use sonm_primitives::IdentityLevel;
use sonm_rpc::{
	gatekeeper::GatekeeperRpcClient, market::MarketRpcClient, masternodes::MasternodesRpcClient,
	trust::TrustRpcClient,
};
use std::{collections::HashMap, str::FromStr, sync::Arc, time::Duration};
use subxt::{
	error::{DispatchError, TransactionEventsError},
	events::DecodeAsEvent,
	rpcs::{
		client::{
			reconnecting_rpc_client::{ExponentialBackoff, RpcClient as ReconnectingRpcClient},
			RpcClient, RpcParams,
		},
		rpc_params,
	},
	tx::{Payload, TransactionStatus},
	utils::AccountId32,
	OnlineClient,
};

/// How long to wait for a transaction before giving up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Reconnection tries after a lost connection, with backoff from 200 ms to 5 s between them:
/// about three minutes, long enough for a node to restart.
const RECONNECT_TRIES: usize = 40;
/// How long the first TCP connection may take before the node counts as unreachable.
const FIRST_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How far to follow a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
	/// Until a best block includes it (about one block).
	InBlock,
	/// Until GRANDPA finalizes the block including it (two or three blocks more).
	Finalized,
}

/// Where a submitted transaction stands, for a progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
	/// Signed and handed to the node; `hash` is the transaction's.
	Submitted { hash: String },
	/// The node validated it into its pool.
	InPool,
	/// A best block includes it.
	InBlock { block: String },
	/// The including block is final.
	Finalized { block: String },
}

/// A transaction that made it into a block and succeeded.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Included {
	/// The transaction's hash.
	pub extrinsic_hash: String,
	/// The block including it.
	pub block_hash: String,
	/// That block's number.
	pub block_number: u64,
	/// Whether that block was final when we stopped watching.
	pub finalized: bool,
	/// The events the transaction emitted, decoded for showing (`-o json`).
	pub events: Vec<ChainEvent>,
	/// The same events as the chain encoded them, for [`Included::find`].
	#[serde(skip)]
	raw_events: std::sync::Arc<subxt::extrinsics::ExtrinsicEvents<ChainConfig>>,
}

impl Included {
	/// The first event of type `E` the transaction emitted (`runtime::market::events::
	/// OrderPlaced`), decoded as the generated type.
	pub fn find<E: DecodeAsEvent>(&self) -> Option<E> {
		self.raw_events.find_first::<E>().and_then(Result::ok)
	}

	/// Every event of type `E` the transaction emitted, in order.
	pub fn find_all<E: DecodeAsEvent>(&self) -> Vec<E> {
		self.raw_events.find::<E>().filter_map(Result::ok).collect()
	}

	/// Whether the transaction emitted an event of type `E`.
	pub fn has<E: DecodeAsEvent>(&self) -> bool {
		self.raw_events.has::<E>()
	}
}

/// How many times a transaction refused at submission for a nonce another signer of its
/// account took is signed again with the next one.
const NONCE_RETRIES: u32 = 3;

/// Whether the node refused a transaction because its nonce is taken: by a transaction in the
/// pool (the same nonce at no higher priority) or in a block ("outdated"), in the words of
/// either of the node's transaction APIs.
fn nonce_taken(refusal: &str) -> bool {
	["priority of the transaction is too low", "Priority is too low", "Transaction is outdated"]
		.iter()
		.any(|words| refusal.contains(words))
}

/// A connection to a SONM node.
#[derive(Clone)]
pub struct Client {
	url: String,
	rpc: RpcClient,
	/// The same connection, for the node's own methods.
	node_rpc: NodeRpc,
	api: OnlineClient<ChainConfig>,
	/// One lock per signer, held from reading its next nonce until the node took the
	/// transaction: two tasks of one program signing as one account (a worker's passes and
	/// the signed bids it takes) never sign the same nonce.
	signing: Arc<std::sync::Mutex<SigningTurns>>,
}

/// Each signing account's lock (by its 32 bytes), held while it signs and submits.
type SigningTurns = HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>;

/// A view of the chain at one block.
pub type AtBlock =
	subxt::client::ClientAtBlock<ChainConfig, subxt::client::OnlineClientAtBlockImpl<ChainConfig>>;

impl Client {
	/// Connects to `url` (`ws://` or `wss://`), reconnecting with backoff when the connection
	/// drops. Fails when the node cannot be reached after the retries, or when it does not run a
	/// SONM runtime.
	pub async fn connect(url: &str) -> Result<Self, ClientError> {
		let connection_error =
			|message: String| ClientError::Connection { url: url.to_owned(), message };
		// Fail at once when nothing listens, instead of spending the reconnection backoff on a
		// node that was never there.
		let address = socket_address(url).map_err(connection_error)?;
		match tokio::time::timeout(FIRST_CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&address))
			.await
		{
			Ok(Ok(_)) => {},
			Ok(Err(e)) => return Err(connection_error(format!("{address}: {e}"))),
			Err(_) => return Err(connection_error(format!("{address}: no answer in 5 s"))),
		}
		let backoff = ExponentialBackoff::from_millis(200)
			.max_delay(Duration::from_secs(5))
			.take(RECONNECT_TRIES);
		let reconnecting = ReconnectingRpcClient::builder()
			.retry_policy(backoff)
			.request_timeout(Duration::from_secs(30))
			.build(url.to_owned())
			.await
			.map_err(|e| connection_error(e.to_string()))?;
		let rpc = RpcClient::new(reconnecting);
		let api = OnlineClient::<ChainConfig>::from_rpc_client(rpc.clone())
			.await
			.map_err(|e| connection_error(e.to_string()))?;
		let client = Self {
			url: url.to_owned(),
			node_rpc: NodeRpc(rpc.clone()),
			rpc,
			api,
			signing: Arc::default(),
		};
		client.check_metadata().await?;
		Ok(client)
	}

	/// The node's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The subxt client, for what this type does not wrap.
	pub fn api(&self) -> &OnlineClient<ChainConfig> {
		&self.api
	}

	/// A view of the chain at the best block (subxt's own `at_current_block` is the finalized
	/// one, which lags two or three blocks behind what a transaction waited for).
	pub async fn at_best(&self) -> Result<AtBlock, ClientError> {
		let best: subxt::utils::H256 = self.rpc("chain_getBlockHash", rpc_params![]).await?;
		Ok(self.api.at_block(best).await?)
	}

	/// A view of the chain at the finalized block.
	pub(crate) async fn at_finalized(&self) -> Result<AtBlock, ClientError> {
		let finalized = self.finalized_hash().await?;
		Ok(self.api.at_block(finalized).await?)
	}

	/// The plain storage value at `address` in the best block (its default where the chain
	/// holds none).
	pub(crate) async fn value_at_best<Addr>(
		&self,
		address: Addr,
	) -> Result<Addr::Value, ClientError>
	where
		Addr: subxt::storage::Address<KeyParts = ()>,
	{
		let at = self.at_best().await?;
		let entry = at.storage().entry(address)?;
		Ok(entry.fetch(()).await?.decode()?)
	}

	/// The chain's standard `chain_*` methods, typed.
	fn chain(&self) -> subxt::rpcs::LegacyRpcMethods<subxt::config::RpcConfigFor<ChainConfig>> {
		subxt::rpcs::LegacyRpcMethods::new(self.rpc.clone())
	}

	/// The best block's number and hash.
	pub async fn best_block(&self) -> Result<(u64, subxt::utils::H256), ClientError> {
		let failed = |e: subxt::rpcs::Error| ClientError::Rpc {
			method: "best block".into(),
			message: rpc_message(&e.to_string()),
		};
		let chain = self.chain();
		let hash = chain.chain_get_block_hash(None).await.map_err(failed)?;
		let hash = hash.ok_or_else(|| ClientError::Subxt("the node has no best block".into()))?;
		let header = chain.chain_get_header(Some(hash)).await.map_err(failed)?;
		let header = header.ok_or_else(|| ClientError::Subxt(format!("no header of {hash:?}")))?;
		Ok((header.number, hash))
	}

	/// The hash of block `number` of the best chain, if it has one that high, and its parent's.
	pub async fn block_and_parent(
		&self,
		number: u64,
	) -> Result<Option<(subxt::utils::H256, subxt::utils::H256)>, ClientError> {
		let failed = |e: subxt::rpcs::Error| ClientError::Rpc {
			method: format!("block {number}"),
			message: rpc_message(&e.to_string()),
		};
		let chain = self.chain();
		let Some(hash) = chain.chain_get_block_hash(Some(number.into())).await.map_err(failed)?
		else {
			return Ok(None);
		};
		let header = chain.chain_get_header(Some(hash)).await.map_err(failed)?;
		Ok(header.map(|header| (hash, header.parent_hash)))
	}

	/// The newest finalized block's hash.
	pub async fn finalized_hash(&self) -> Result<subxt::utils::H256, ClientError> {
		self.chain().chain_get_finalized_head().await.map_err(|e| ClientError::Rpc {
			method: "finalized block".into(),
			message: rpc_message(&e.to_string()),
		})
	}

	/// The newest finalized block's number and hash.
	pub async fn finalized_block(&self) -> Result<(u64, subxt::utils::H256), ClientError> {
		let hash = self.finalized_hash().await?;
		let header =
			self.chain().chain_get_header(Some(hash)).await.map_err(|e| ClientError::Rpc {
				method: "finalized header".into(),
				message: rpc_message(&e.to_string()),
			})?;
		let header = header.ok_or_else(|| ClientError::Subxt(format!("no header of {hash:?}")))?;
		Ok((header.number, hash))
	}

	/// The numbers of the blocks the node finalizes from now on, as it announces them (a jump of
	/// several blocks may come as one number). Ends when the connection does.
	pub async fn finalized_numbers(
		&self,
	) -> Result<impl futures::Stream<Item = u64> + Send + Unpin + 'static, ClientError> {
		use futures::StreamExt;
		let heads =
			self.chain()
				.chain_subscribe_finalized_heads()
				.await
				.map_err(|e| ClientError::Rpc {
					method: "finalized heads".into(),
					message: rpc_message(&e.to_string()),
				})?;
		Ok(heads
			.take_while(|head| std::future::ready(head.is_ok()))
			.filter_map(|head| std::future::ready(head.ok().map(|header| header.number))))
	}

	/// The events of the block with hash `hash` (hex), to read as the generated event types
	/// (`events.find::<runtime::market::events::OrderPlaced>()`).
	pub async fn block_events(
		&self,
		hash: &str,
	) -> Result<subxt::events::Events<ChainConfig>, ClientError> {
		let hash: subxt::utils::H256 = hash
			.parse()
			.map_err(|_| ClientError::Subxt(format!("{hash:?} is not a block hash")))?;
		let at = self.api.at_block(hash).await?;
		at.events().fetch().await.map_err(|e| ClientError::Subxt(e.to_string()))
	}

	/// The least a masternode stakes (the runtime's `Masternodes::MinStake`).
	pub async fn min_stake(&self) -> Result<u128, ClientError> {
		let at = self.at_best().await?;
		at.constants()
			.entry(runtime::constants().masternodes().min_stake())
			.map_err(|e| ClientError::Subxt(e.to_string()))
	}

	/// The longest deal an order may ask for, in seconds (the runtime's `Market::MaxDuration`).
	pub async fn max_order_duration(&self) -> Result<u64, ClientError> {
		let at = self.at_best().await?;
		at.constants()
			.entry(runtime::constants().market().max_duration())
			.map_err(|e| ClientError::Subxt(e.to_string()))
	}

	/// How many orders one `place_orders` places, and how many signed bids one
	/// `open_deals_with_signed_bids` takes (the runtime's `Market::MaxOrdersPerCall`).
	pub async fn max_orders_per_call(&self) -> Result<u32, ClientError> {
		let at = self.at_best().await?;
		at.constants()
			.entry(runtime::constants().market().max_orders_per_call())
			.map_err(|e| ClientError::Subxt(e.to_string()))
	}

	/// How many seconds a spot deal holds ahead (the runtime's `Market::SpotPrepay`).
	pub async fn spot_prepay(&self) -> Result<u64, ClientError> {
		let at = self.at_best().await?;
		at.constants()
			.entry(runtime::constants().market().spot_prepay())
			.map_err(|e| ClientError::Subxt(e.to_string()))
	}

	/// The next nonce of `account`, counting its transactions in the node's pool.
	pub async fn next_nonce(&self, account: &AccountId32) -> Result<u64, ClientError> {
		self.rpc("system_accountNextIndex", rpc_params![account.to_string()]).await
	}

	/// Refuses a node that does not run a SONM runtime. A runtime other than the one this
	/// client was generated from (`client/metadata.scale`: after a runtime upgrade, say) is
	/// accepted: every call, storage entry and runtime API the client uses is checked against the
	/// node's metadata at the block it is used at, and one that differs fails by name ("not
	/// compatible with the live chain") instead of being signed or decoded wrongly. So the
	/// daemons and the CLI go on across an upgrade that leaves what they use alone.
	async fn check_metadata(&self) -> Result<(), ClientError> {
		let at = self.api.at_current_block().await?;
		if runtime::is_codegen_valid_for(at.metadata_ref()) {
			return Ok(());
		}
		let version = self.runtime_version().await?;
		if version.spec_name != "sonm" {
			return Err(ClientError::Connection {
				url: self.url.clone(),
				message: format!(
					"the node runs the runtime `{}`, not SONM's (`sonm`)",
					version.spec_name
				),
			});
		}
		tracing::info!(
			spec_version = version.spec_version,
			"the node's runtime is not the one this client was generated from: what the client \
			 uses is checked item by item"
		);
		Ok(())
	}

	/// Calls a JSON-RPC method.
	pub async fn rpc<T: DeserializeOwned>(
		&self,
		method: &str,
		params: RpcParams,
	) -> Result<T, ClientError> {
		self.rpc.request(method, params).await.map_err(|e| ClientError::Rpc {
			method: method.to_owned(),
			message: rpc_message(&e.to_string()),
		})
	}

	/// Signs `call` with `signer`, submits it and follows it until `wait`, reporting each stage
	/// to `progress`. A failed dispatch comes back as [`ClientError::Module`] (pallet, error and
	/// its doc) or [`ClientError::Dispatch`].
	///
	/// Another program signing as the same account (a supplier's worker and its `sonm` CLI,
	/// say) may take the nonce this one read: the node then refuses the transaction ("priority
	/// too low" while the other is in its pool, "outdated" once it is in a block), before it
	/// was in any block of the chain, and it is signed again with the next nonce, up to
	/// [`NONCE_RETRIES`] times.
	pub async fn submit<Call: Payload>(
		&self,
		call: &Call,
		signer: &Key,
		wait: Wait,
		mut progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let mut tries = 0;
		loop {
			match self.submit_once(call, signer, wait, &mut progress).await {
				Err(ClientError::Refused(refusal))
					if nonce_taken(&refusal) && tries < NONCE_RETRIES =>
				{
					tries += 1;
					tracing::info!(
						account = %signer.account_id(),
						"the nonce was taken by another signer of the account ({refusal}): signing again"
					);
				},
				done => return done,
			}
		}
	}

	/// [`Client::submit`] with the account's next nonce as the node counts it, once.
	async fn submit_once<Call: Payload>(
		&self,
		call: &Call,
		signer: &Key,
		wait: Wait,
		mut progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let account = signer.account_id();
		let turn = self.signing.lock().expect("not poisoned").entry(account.0).or_default().clone();
		let signing = turn.lock().await;
		let at = self.at_best().await?;
		let nonce = self.next_nonce(&account).await?;
		let params = subxt::config::DefaultExtrinsicParamsBuilder::<ChainConfig>::new()
			.nonce(nonce)
			.mortal(64)
			.build();
		let mut watch = at
			.transactions()
			.sign_and_submit_then_watch(call, signer, params)
			.await
			.map_err(|e| ClientError::Refused(e.to_string()))?;
		// The node's pool holds it now: the next nonce read counts it.
		drop(signing);
		let hash = format!("{:?}", watch.extrinsic_hash());
		progress(Stage::Submitted { hash: hash.clone() });
		let followed = async {
			loop {
				let status = match watch.next().await {
					Some(status) => status.map_err(|e| ClientError::Subxt(e.to_string()))?,
					None => {
						return Err(ClientError::Refused("the node stopped reporting it".into()))
					},
				};
				match status {
					TransactionStatus::Validated | TransactionStatus::Broadcasted => {
						progress(Stage::InPool)
					},
					TransactionStatus::NoLongerInBestBlock => progress(Stage::InPool),
					TransactionStatus::InBestBlock(in_block) => {
						progress(Stage::InBlock { block: format!("{:?}", in_block.block_hash()) });
						if wait == Wait::InBlock {
							break Ok((in_block, false));
						}
					},
					TransactionStatus::InFinalizedBlock(in_block) => {
						progress(Stage::Finalized {
							block: format!("{:?}", in_block.block_hash()),
						});
						break Ok((in_block, true));
					},
					TransactionStatus::Error { message }
					| TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message } => return Err(ClientError::Refused(message)),
				}
			}
		};
		let (in_block, finalized) =
			tokio::time::timeout(DEFAULT_TIMEOUT, followed).await.map_err(|_| {
				ClientError::Refused(format!(
					"not {} within {} s; it may still be included: look for {hash}",
					if wait == Wait::InBlock { "in a block" } else { "finalized" },
					DEFAULT_TIMEOUT.as_secs()
				))
			})??;
		let events = in_block.wait_for_success().await.map_err(dispatch_error)?;
		let block_number = in_block.at().await.map(|at| at.block_number()).unwrap_or_default();
		Ok(Included {
			extrinsic_hash: format!("{:?}", in_block.extrinsic_hash()),
			block_hash: format!("{:?}", in_block.block_hash()),
			block_number,
			finalized,
			events: decode_events(&events),
			raw_events: std::sync::Arc::new(events),
		})
	}

	/// The best block's number and the free and held balance of `account` there, in base units.
	pub async fn balance(&self, account: &AccountId32) -> Result<(u64, Balance), ClientError> {
		let at = self.at_best().await?;
		let entry = at.storage().entry(runtime::storage().system().account())?;
		let info = entry.fetch((*account,)).await?.decode()?;
		let balance =
			Balance { free: info.data.free, held: info.data.reserved, frozen: info.data.frozen };
		Ok((at.block_number(), balance))
	}

	/// The best block's number and its timestamp (unix seconds).
	pub async fn now(&self) -> Result<(u64, u64), ClientError> {
		let at = self.at_best().await?;
		let entry = at.storage().entry(runtime::storage().timestamp().now())?;
		let millis = entry.fetch(()).await?.decode()?;
		Ok((at.block_number(), millis / 1000))
	}

	// --- the node's own methods (declared in `sonm-rpc`) ---

	/// Calls one of the node's own methods; a refusal or a lost connection comes back as
	/// [`ClientError::Rpc`] naming `what` was asked.
	async fn node<T>(
		&self,
		what: &str,
		call: impl std::future::Future<Output = Result<T, jsonrpsee::core::client::Error>>,
	) -> Result<T, ClientError> {
		call.await.map_err(|error| ClientError::Rpc {
			method: what.to_owned(),
			message: match error {
				jsonrpsee::core::client::Error::Call(refusal) => refusal.message().to_owned(),
				other => other.to_string(),
			},
		})
	}

	// --- the market ---

	/// An open order.
	pub async fn order(&self, id: u64) -> Result<Option<types::Order>, ClientError> {
		self.node("order", MarketRpcClient::order(&self.node_rpc, id, None)).await
	}

	/// Open orders from `from` on, at most `limit`, filtered.
	pub async fn orders(
		&self,
		filter: &types::OrderFilter,
		from: u64,
		limit: u32,
	) -> Result<Vec<types::Order>, ClientError> {
		let call = MarketRpcClient::orders(
			&self.node_rpc,
			Some(filter.clone()),
			Some(from),
			Some(limit),
			None,
		);
		self.node("orders", call).await
	}

	/// The open orders that would make a deal with order `id` now, best price first.
	pub async fn matching_orders(
		&self,
		id: u64,
		limit: u32,
	) -> Result<Vec<types::Order>, ClientError> {
		let call = MarketRpcClient::matching_orders(&self.node_rpc, id, Some(limit), None);
		self.node("matching orders", call).await
	}

	/// Order `id` as it was after block `at` (`None`: not in the book then).
	pub async fn order_at(
		&self,
		id: u64,
		at: subxt::utils::H256,
	) -> Result<Option<types::Order>, ClientError> {
		let at = Some(sonm_rpc::BlockHash::from(at.0));
		self.node("order", MarketRpcClient::order(&self.node_rpc, id, at)).await
	}

	/// The open orders after block `at` from id `from` on, at most `limit`, in id order.
	pub async fn orders_at(
		&self,
		from: u64,
		limit: u32,
		at: subxt::utils::H256,
	) -> Result<Vec<types::Order>, ClientError> {
		let at = Some(sonm_rpc::BlockHash::from(at.0));
		let call = MarketRpcClient::orders(&self.node_rpc, None, Some(from), Some(limit), at);
		self.node("orders", call).await
	}

	/// The registered masternodes after block `at`.
	pub async fn masternodes_at(
		&self,
		at: subxt::utils::H256,
	) -> Result<Vec<types::Masternode>, ClientError> {
		let at = Some(sonm_rpc::BlockHash::from(at.0));
		self.node("masternodes", MasternodesRpcClient::list(&self.node_rpc, at)).await
	}

	/// Deal `id` as it was after block `at` (`None`: not open then).
	pub async fn deal_at(
		&self,
		id: u64,
		at: subxt::utils::H256,
	) -> Result<Option<types::Deal>, ClientError> {
		let at = Some(sonm_rpc::BlockHash::from(at.0));
		self.node("deal", MarketRpcClient::deal(&self.node_rpc, id, at)).await
	}

	/// The chain's answers to what the matching rules read, in the order asked, at block `at`
	/// (the best block when `None`): one round trip per [`sonm_rpc::market::MAX_FACTS`].
	pub async fn match_facts(
		&self,
		facts: &[crate::matching::Fact],
		at: Option<subxt::utils::H256>,
	) -> Result<Vec<crate::matching::FactAnswer>, ClientError> {
		let at = at.map(|hash| sonm_rpc::BlockHash::from(hash.0));
		let mut answers = Vec::with_capacity(facts.len());
		for chunk in facts.chunks(sonm_rpc::market::MAX_FACTS) {
			let call = MarketRpcClient::match_facts(&self.node_rpc, chunk.to_vec(), at);
			let part = self.node("matching facts", call).await?;
			if part.len() != chunk.len() {
				return Err(ClientError::Subxt(format!(
					"the node answered {} of {} facts",
					part.len(),
					chunk.len()
				)));
			}
			answers.extend(part);
		}
		Ok(answers)
	}

	/// Where `worker` (SS58) publishes its control plane, if it does.
	pub async fn endpoint(&self, worker: &str) -> Result<Option<String>, ClientError> {
		let worker = AccountId32::from_str(worker)
			.map_err(|_| ClientError::Subxt(format!("{worker:?} is not an SS58 address")))?;
		let at = self.at_best().await?;
		let entry = at.storage().entry(runtime::storage().market().endpoints())?;
		let Some(record) = entry.try_fetch((worker,)).await? else { return Ok(None) };
		let record = record.decode()?;
		Ok(Some(String::from_utf8_lossy(&record.url.0).into_owned()))
	}

	/// An open deal.
	pub async fn deal(&self, id: u64) -> Result<Option<types::Deal>, ClientError> {
		self.node("deal", MarketRpcClient::deal(&self.node_rpc, id, None)).await
	}

	/// Every open deal `account` is supplier, customer or payee of, in id order, read a page
	/// of `sonm_rpc::market::MAX_LIMIT` at a time.
	pub async fn deals_of(&self, account: &str) -> Result<Vec<types::Deal>, ClientError> {
		let page_size = sonm_rpc::market::MAX_LIMIT;
		let mut deals: Vec<types::Deal> = Vec::new();
		loop {
			let from = deals.last().map_or(0, |deal| deal.id + 1);
			let page = self.deals_page(account, from, page_size).await?;
			let full = page.len() as u32 == page_size;
			deals.extend(page);
			if !full {
				return Ok(deals);
			}
		}
	}

	/// The open deals `account` is supplier, customer or payee of with ids from `from` on, in
	/// id order, at most `limit` (one `market_dealsOf` page).
	pub async fn deals_page(
		&self,
		account: &str,
		from: u64,
		limit: u32,
	) -> Result<Vec<types::Deal>, ClientError> {
		let call = MarketRpcClient::deals_of(
			&self.node_rpc,
			account.into(),
			Some(from),
			Some(limit),
			None,
		);
		self.node("deals", call).await
	}

	/// A deal's pending change requests.
	pub async fn change_requests(
		&self,
		deal: u64,
	) -> Result<Vec<types::ChangeRequest>, ClientError> {
		let call = MarketRpcClient::change_requests(&self.node_rpc, deal, None);
		self.node("change requests", call).await
	}

	// --- trust ---

	/// The accounts on `account`'s own blacklist.
	pub async fn blacklist(&self, account: &str) -> Result<Vec<String>, ClientError> {
		self.node("blacklist", TrustRpcClient::list(&self.node_rpc, account.into(), None))
			.await
	}

	/// The accounts whose lists `account` subscribes to.
	pub async fn subscriptions(&self, account: &str) -> Result<Vec<String>, ClientError> {
		let call = TrustRpcClient::subscriptions(&self.node_rpc, account.into(), None);
		self.node("subscriptions", call).await
	}

	/// Published curated lists.
	pub async fn curated_lists(&self) -> Result<Vec<types::CuratedList>, ClientError> {
		self.node("curated lists", TrustRpcClient::curated_lists(&self.node_rpc, None))
			.await
	}

	/// Whether `who`'s own or subscribed lists hold `whom`.
	pub async fn is_blocked(&self, who: &str, whom: &str) -> Result<bool, ClientError> {
		let call = TrustRpcClient::is_blocked(&self.node_rpc, who.into(), whom.into(), None);
		self.node("blacklist check", call).await
	}

	/// The KYC providers.
	pub async fn providers(&self) -> Result<Vec<types::Provider>, ClientError> {
		self.node("KYC providers", TrustRpcClient::providers(&self.node_rpc, None))
			.await
	}

	/// `account`'s effective identity level.
	pub async fn identity_level(&self, account: &str) -> Result<IdentityLevel, ClientError> {
		let call = TrustRpcClient::level(&self.node_rpc, account.into(), None);
		self.node("identity level", call).await
	}

	/// `account`'s certifications, expired ones too.
	pub async fn certifications(
		&self,
		account: &str,
	) -> Result<Vec<types::Certification>, ClientError> {
		let call = TrustRpcClient::certifications(&self.node_rpc, account.into(), None);
		self.node("certifications", call).await
	}

	/// `account`'s pending verification requests.
	pub async fn kyc_requests(&self, account: &str) -> Result<Vec<types::KycRequest>, ClientError> {
		let call = TrustRpcClient::requests(&self.node_rpc, account.into(), None);
		self.node("KYC requests", call).await
	}

	/// `account`'s approved profile.
	pub async fn profile(&self, account: &str) -> Result<Option<types::Profile>, ClientError> {
		self.node("profile", TrustRpcClient::profile(&self.node_rpc, account.into(), None))
			.await
	}

	// --- masternodes and prices ---

	/// The current session.
	pub async fn session(&self) -> Result<types::Session, ClientError> {
		self.node("session", MasternodesRpcClient::session(&self.node_rpc, None)).await
	}

	/// The active masternode set.
	pub async fn active_set(&self) -> Result<Vec<types::Member>, ClientError> {
		self.node("active set", MasternodesRpcClient::active_set(&self.node_rpc, None))
			.await
	}

	/// Every registered masternode.
	pub async fn masternodes(&self) -> Result<Vec<types::Masternode>, ClientError> {
		self.node("masternodes", MasternodesRpcClient::list(&self.node_rpc, None)).await
	}

	/// What `account` would be paid if the session ended now.
	pub async fn pending_reward(&self, account: &str) -> Result<u128, ClientError> {
		let call = MasternodesRpcClient::pending_reward(&self.node_rpc, account.into(), None);
		let text = self.node("pending reward", call).await?;
		text.parse().map_err(|_| ClientError::Rpc {
			method: "pending reward".into(),
			message: format!("{text:?} is not an amount"),
		})
	}

	/// The prices in force.
	pub async fn prices(&self) -> Result<Vec<types::OraclePrice>, ClientError> {
		self.node("prices", MasternodesRpcClient::prices(&self.node_rpc, None)).await
	}

	// --- the gateway ---

	/// The gatekeeper's contract, pause, caps, totals and signing set.
	pub async fn gatekeeper_state(&self) -> Result<types::GatewayState, ClientError> {
		self.node("gateway state", GatekeeperRpcClient::state(&self.node_rpc, None))
			.await
	}

	/// Deposits in attestation order from index `from`, at most `limit`.
	pub async fn deposits(
		&self,
		from: u64,
		limit: u32,
	) -> Result<Vec<types::Deposit>, ClientError> {
		let call = GatekeeperRpcClient::deposits(&self.node_rpc, from, limit, None);
		self.node("deposits", call).await
	}

	/// The deposit of Ethereum transaction `tx_hash` (0x hex), log `log_index`.
	pub async fn deposit(
		&self,
		tx_hash: &str,
		log_index: u32,
	) -> Result<Option<types::Deposit>, ClientError> {
		let call = GatekeeperRpcClient::deposit(&self.node_rpc, tx_hash.into(), log_index, None);
		self.node("deposit", call).await
	}

	/// Withdrawals with ids from `from`, at most `limit`, with their signatures.
	pub async fn withdrawals(
		&self,
		from: u64,
		limit: u32,
	) -> Result<Vec<types::Withdrawal>, ClientError> {
		let call = GatekeeperRpcClient::withdrawals(&self.node_rpc, from, limit, None);
		self.node("withdrawals", call).await
	}

	/// Signer set `id`, or the newest.
	pub async fn signer_set(
		&self,
		id: Option<u64>,
	) -> Result<Option<types::SignerSet>, ClientError> {
		self.node("signer set", GatekeeperRpcClient::signer_set(&self.node_rpc, id, None))
			.await
	}

	/// The Ethereum key `account` registered.
	pub async fn eth_key(&self, account: &str) -> Result<Option<String>, ClientError> {
		let call = GatekeeperRpcClient::eth_key(&self.node_rpc, account.into(), None);
		self.node("Ethereum key", call).await
	}

	/// The chain's genesis hash.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.api.genesis_hash().0
	}
}

/// An account's balance in base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Balance {
	/// Spendable (and what freezes cover).
	#[serde(with = "types::amount")]
	pub free: u128,
	/// Held by the market, blacklists, KYC and masternode stakes.
	#[serde(with = "types::amount")]
	pub held: u128,
	/// Frozen part of `free`.
	#[serde(with = "types::amount")]
	pub frozen: u128,
}

/// `host:port` of a `ws://` or `wss://` URL (ports 80 and 443 by default).
fn socket_address(url: &str) -> Result<String, String> {
	let (rest, default_port) = if let Some(rest) = url.strip_prefix("ws://") {
		(rest, 80)
	} else if let Some(rest) = url.strip_prefix("wss://") {
		(rest, 443)
	} else {
		return Err(format!("{url:?} is not a ws:// or wss:// URL"));
	};
	let authority = rest.split(['/', '?']).next().unwrap_or_default();
	let authority = authority.rsplit('@').next().unwrap_or(authority);
	if authority.is_empty() {
		return Err(format!("{url:?} names no host"));
	}
	let has_port = authority.rsplit_once(':').is_some_and(|(host, port)| {
		!port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) && !host.ends_with(':')
	}) && !authority.ends_with(']');
	Ok(if has_port { authority.to_owned() } else { format!("{authority}:{default_port}") })
}

/// The node's message out of a jsonrpsee error text (`ErrorObject { code: .., message: "..", ..}`).
fn rpc_message(text: &str) -> String {
	text.split("message: \"")
		.nth(1)
		.and_then(|rest| rest.split('"').next())
		.map(str::to_owned)
		.unwrap_or_else(|| text.to_owned())
}

/// A failed transaction's dispatch error, with the pallet's error name and doc when it has one.
fn dispatch_error(error: TransactionEventsError) -> ClientError {
	match error {
		TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
			match module.details() {
				Ok(details) => ClientError::Module {
					pallet: details.pallet.name().to_owned(),
					error: details.variant.name.clone(),
					doc: details.variant.docs.join(" ").trim().to_owned(),
					decoded: module.as_root_error::<runtime::Error>().ok().map(Box::new),
				},
				Err(_) => ClientError::Dispatch(module.to_string()),
			}
		},
		TransactionEventsError::ExtrinsicFailed(other) => ClientError::Dispatch(other.to_string()),
		other => ClientError::Subxt(other.to_string()),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn socket_addresses_of_urls() {
		assert_eq!(socket_address("ws://127.0.0.1:9944").unwrap(), "127.0.0.1:9944");
		assert_eq!(socket_address("wss://rpc.example.org/ws").unwrap(), "rpc.example.org:443");
		assert_eq!(socket_address("ws://node:9944/path?x=1").unwrap(), "node:9944");
		assert_eq!(socket_address("ws://[::1]:9944").unwrap(), "[::1]:9944");
		assert_eq!(socket_address("ws://[::1]").unwrap(), "[::1]:80");
		assert!(socket_address("http://127.0.0.1:9944").is_err());
		assert!(socket_address("ws://").is_err());
	}

	#[test]
	fn node_messages_out_of_rpc_errors() {
		let text = r#"User error: ErrorObject { code: ServerError(2), message: "limit 5000 is above the maximum of 1000", data: None }"#;
		assert_eq!(rpc_message(text), "limit 5000 is above the maximum of 1000");
		assert_eq!(rpc_message("connection closed"), "connection closed");
	}

	#[test]
	fn a_taken_nonce_is_told_from_other_refusals() {
		let in_pool = r#"User error: ErrorObject { code: ServerError(1014), message: "Priority is too low: (3 vs 3)", data: Some(RawValue("The transaction has too low priority to replace another transaction already in the pool.")) }"#;
		let in_block = r#"User error: ErrorObject { code: ServerError(1010), message: "Invalid Transaction", data: Some(RawValue("Transaction is outdated")) }"#;
		let bad_signature = r#"User error: ErrorObject { code: ServerError(1010), message: "Invalid Transaction", data: Some(RawValue("Transaction has a bad signature")) }"#;
		let poor = r#"User error: ErrorObject { code: ServerError(1010), message: "Invalid Transaction", data: Some(RawValue("Inability to pay some fees (e.g. account balance too low)")) }"#;
		// What the watch of a submitted transaction says (the node's newer transaction API).
		let watched_in_pool =
			"The priority of the transaction is too low (pool 6966 > current 6966)";
		let watched_in_block = "Invalid transaction: Transaction is outdated";
		assert!(nonce_taken(in_pool) && nonce_taken(in_block));
		assert!(nonce_taken(watched_in_pool) && nonce_taken(watched_in_block));
		assert!(!nonce_taken(bad_signature) && !nonce_taken(poor));
	}

	#[tokio::test]
	async fn nothing_listening_fails_at_once_by_name() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let error = Client::connect(&format!("ws://127.0.0.1:{port}")).await.err().unwrap();
		assert!(matches!(error, ClientError::Connection { .. }), "{error}");
		assert!(error.to_string().contains(&format!("127.0.0.1:{port}")), "{error}");
	}
}
