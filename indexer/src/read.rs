//! Reading one finalized block from the node: its time, its events decoded, and the state the
//! market's events point to (the order as placed, the deal as opened, how far a bill paid), as
//! [`Fact`]s for the writer. Reading touches no database, so that blocks are read in parallel.

use serde_json::Value as Json;
use sonm_client::{events::decode_event, runtime, subxt::utils::H256, types, Client, ClientError};
use std::collections::HashMap;

/// What the indexer records of one event.
#[derive(Clone, Debug)]
pub enum Fact {
	/// An order entered the book; `None` when it left it again within its block (then only the
	/// event's author and side are known).
	OrderPlaced {
		id: u64,
		author: String,
		side: String,
		order: Option<types::Order>,
	},
	/// An order left the book without a deal.
	OrderEnded {
		id: u64,
		expired: bool,
	},
	/// A deal opened; `None` when it closed within its block.
	DealOpened {
		id: u64,
		ask: u64,
		bid: u64,
		supplier: String,
		consumer: String,
		deal: Option<types::Deal>,
	},
	/// A bill: `billed_until` as the deal stood after the block (`None`: it closed in it).
	Billed {
		deal: u64,
		payee: String,
		amount: u128,
		fee: u128,
		billed_until: Option<u64>,
	},
	DealClosed {
		deal: u64,
		reason: String,
		refund: u128,
	},
	Blacklisted {
		deal: u64,
	},
	ChangeRequested {
		deal: u64,
		side: String,
		per_second: u128,
		duration: u64,
	},
	ChangeDropped {
		deal: u64,
		side: String,
		rejected: bool,
	},
	DealChanged {
		deal: u64,
		per_second: u128,
		duration: u64,
	},
	/// Trust, identity, worker links and endpoints: kept as the event said it.
	AccountEvent {
		pallet: String,
		name: String,
		account: String,
		other: Option<String>,
		detail: Json,
	},
	MasternodeStake {
		account: String,
		change: StakeChange,
		amount: u128,
	},
	MasternodeLeft {
		account: String,
	},
	SetSelected {
		session: u64,
		members: Vec<String>,
	},
	WentOffline {
		account: String,
	},
	Rewarded {
		account: String,
		session: u64,
		amount: u128,
	},
	OraclePrice {
		currency: String,
		snm_per_unit: u128,
		feeds: u64,
	},
	Deposit {
		account: String,
		amount: u128,
		eth_tx: String,
	},
	Withdrawal {
		id: u64,
		account: String,
		to: String,
		amount: u128,
		fee: u128,
	},
}

/// How a masternode's stake changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StakeChange {
	Registered,
	Bonded,
	Unbonded,
}

/// One block's facts, in event order (`index` is the event's place in the block).
#[derive(Clone, Debug)]
pub struct BlockRecord {
	pub number: u64,
	pub hash: String,
	/// Unix seconds (0 for genesis).
	pub time: u64,
	pub events: u64,
	pub facts: Vec<(u64, Fact)>,
}

/// Why a block could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
	#[error("block {0} is not on the node's chain yet")]
	Missing(u64),
	#[error(
		"block {block}: the node has discarded its state ({message}); the indexer needs an archive \
		 node (`sonm-node --state-pruning archive`) to read blocks older than the node keeps"
	)]
	StateDiscarded { block: u64, message: String },
	#[error("block {block}: {message}")]
	Node { block: u64, message: String },
}

impl ReadError {
	fn node(block: u64, error: impl ToString) -> Self {
		let message = error.to_string();
		if message.contains("discarded") || message.contains("State already") {
			ReadError::StateDiscarded { block, message }
		} else {
			ReadError::Node { block, message }
		}
	}
}

/// Reads block `number` of the finalized chain.
pub async fn read_block(client: &Client, number: u64) -> Result<BlockRecord, ReadError> {
	let failed = |e: ClientError| ReadError::node(number, e);
	let (hash, _) = client
		.block_and_parent(number)
		.await
		.map_err(failed)?
		.ok_or(ReadError::Missing(number))?;
	let at = client.api().at_block(hash).await.map_err(|e| ReadError::node(number, e))?;
	let events = at.events().fetch().await.map_err(|e| ReadError::node(number, e))?;
	let time = if number == 0 {
		0
	} else {
		let entry = at
			.storage()
			.entry(runtime::storage().timestamp().now())
			.map_err(|e| ReadError::node(number, e))?;
		let millis: u64 = entry
			.fetch(())
			.await
			.map_err(|e| ReadError::node(number, e))?
			.decode()
			.map_err(|e| ReadError::node(number, e))?;
		millis / 1000
	};
	let mut facts =
		if number == 0 { genesis_facts(client, hash).await.map_err(failed)? } else { Vec::new() };
	let decoded = events
		.iter()
		.map(|event| {
			event.map(|event| decode_event(&event)).map_err(|e| ReadError::node(number, e))
		})
		.collect::<Result<Vec<_>, _>>()?;
	let placed = placed_orders(client, hash, &decoded).await.map_err(failed)?;
	for (index, event) in decoded.iter().enumerate() {
		if let Some(fact) = fact_of(client, hash, event, &placed).await.map_err(failed)? {
			facts.push((index as u64, fact));
		}
	}
	Ok(BlockRecord { number, hash: format!("{hash:?}"), time, events: decoded.len() as u64, facts })
}

/// The orders a block placed, as they stood after it (absent: gone within the block), read a
/// thousand at a time (`market_orders` from the first id on): a block's new orders have
/// consecutive ids, and one call per order kept a busy node's block of 1,750 orders from being
/// read before the next was finalized.
async fn placed_orders(
	client: &Client,
	hash: H256,
	events: &[sonm_client::ChainEvent],
) -> Result<HashMap<u64, types::Order>, ClientError> {
	let ids = events
		.iter()
		.filter(|event| event.pallet == "Market" && event.name == "OrderPlaced")
		.filter_map(|event| event.u128("id").map(|id| id as u64));
	let (Some(first), Some(last)) = (ids.clone().min(), ids.max()) else {
		return Ok(HashMap::new());
	};
	let placed = open_orders(client, hash, first, Some(last)).await?;
	Ok(placed.into_iter().map(|order| (order.id, order)).collect())
}

/// The orders open after block `hash` with ids from `first` on (up to `last` when given), read
/// a thousand per `market_orders` call.
async fn open_orders(
	client: &Client,
	hash: H256,
	first: u64,
	last: Option<u64>,
) -> Result<Vec<types::Order>, ClientError> {
	let mut orders = Vec::new();
	let mut from = first;
	while last.is_none_or(|last| from <= last) {
		let page = client.orders_at(from, 1_000, hash).await?;
		let Some(next) = page.last().map(|order| order.id + 1) else { break };
		orders.extend(page.into_iter().filter(|order| last.is_none_or(|last| order.id <= last)));
		from = next;
	}
	Ok(orders)
}

/// What the genesis put in place without events: the book's orders and the masternodes
/// (indexed as facts of genesis, after its events' indices).
async fn genesis_facts(client: &Client, hash: H256) -> Result<Vec<(u64, Fact)>, ClientError> {
	let mut facts = Vec::new();
	for order in open_orders(client, hash, 0, None).await? {
		let (id, author, side) = (order.id, order.author.clone(), order.side.to_string());
		facts.push(Fact::OrderPlaced { id, author, side, order: Some(order) });
	}
	for masternode in client.masternodes_at(hash).await? {
		facts.push(Fact::MasternodeStake {
			account: masternode.account,
			change: StakeChange::Registered,
			amount: masternode.stake,
		});
	}
	Ok(facts
		.into_iter()
		.enumerate()
		.map(|(i, fact)| (GENESIS_FACTS + i as u64, fact))
		.collect())
}

/// Where the genesis facts' indices start (past any event's).
const GENESIS_FACTS: u64 = 1 << 32;

/// What the indexer records of `event` of block `hash`.
async fn fact_of(
	client: &Client,
	hash: H256,
	event: &sonm_client::ChainEvent,
	placed: &HashMap<u64, types::Order>,
) -> Result<Option<Fact>, ClientError> {
	let text = |field: &str| event.text(field).unwrap_or_default().to_owned();
	let number = |field: &str| event.u128(field).unwrap_or_default();
	let id = || number("id") as u64;
	let fact = match (event.pallet.as_str(), event.name.as_str()) {
		("Market", "OrderPlaced") => Fact::OrderPlaced {
			id: id(),
			author: text("author"),
			side: text("side"),
			order: placed.get(&id()).cloned(),
		},
		("Market", "OrderCancelled") => {
			Fact::OrderEnded { id: id(), expired: event.fields["expired"] == Json::Bool(true) }
		},
		("Market", "DealOpened") => Fact::DealOpened {
			id: id(),
			ask: number("ask") as u64,
			bid: number("bid") as u64,
			supplier: text("supplier"),
			consumer: text("consumer"),
			deal: client.deal_at(id(), hash).await?,
		},
		("Market", "DealBilled") => Fact::Billed {
			deal: id(),
			payee: text("payee"),
			amount: number("amount"),
			fee: number("fee"),
			billed_until: client.deal_at(id(), hash).await?.map(|deal| deal.billed_until),
		},
		("Market", "DealClosed") => {
			Fact::DealClosed { deal: id(), reason: text("reason"), refund: number("refund") }
		},
		("Market", "CounterpartyBlacklisted") => Fact::Blacklisted { deal: id() },
		("Market", "ChangeRequested") => Fact::ChangeRequested {
			deal: id(),
			side: text("side"),
			per_second: number("per_second"),
			duration: number("duration") as u64,
		},
		("Market", "ChangeRequestDropped") => Fact::ChangeDropped {
			deal: id(),
			side: text("side"),
			rejected: event.fields["rejected"] == Json::Bool(true),
		},
		("Market", "DealChanged") => Fact::DealChanged {
			deal: id(),
			per_second: number("per_second"),
			duration: number("duration") as u64,
		},
		("Market", "WorkerRequested" | "WorkerConfirmed" | "WorkerRemoved") => {
			account_event(event, "worker", Some("master"))
		},
		("Market", "EndpointSet" | "EndpointCleared") => account_event(event, "worker", None),
		("Blacklist", "Blocked" | "Unblocked") => account_event(event, "who", Some("whom")),
		("Blacklist", "Subscribed" | "Unsubscribed") => account_event(event, "who", Some("list")),
		("Blacklist", "ListPublished" | "ListUnpublished") => account_event(event, "curator", None),
		("Kyc", "ProviderRegistered") => account_event(event, "account", None),
		("Kyc", _) if event.fields.get("who").is_some() => account_event(event, "who", None),
		("Masternodes", "Registered") => Fact::MasternodeStake {
			account: text("who"),
			change: StakeChange::Registered,
			amount: number("stake"),
		},
		("Masternodes", "Bonded") => Fact::MasternodeStake {
			account: text("who"),
			change: StakeChange::Bonded,
			amount: number("amount"),
		},
		("Masternodes", "Unbonded") => Fact::MasternodeStake {
			account: text("who"),
			change: StakeChange::Unbonded,
			amount: number("amount"),
		},
		("Masternodes", "Left" | "Removed") => Fact::MasternodeLeft { account: text("who") },
		("Masternodes", "SetSelected") => Fact::SetSelected {
			session: number("session") as u64,
			// A set of one decodes as the account itself, not a list of one.
			members: match &event.fields["masternodes"] {
				Json::String(one) => vec![one.clone()],
				Json::Array(members) => {
					members.iter().filter_map(|m| m.as_str().map(String::from)).collect()
				},
				_ => Vec::new(),
			},
		},
		("Masternodes", "WentOffline") => Fact::WentOffline { account: text("who") },
		("Masternodes", "Rewarded") => Fact::Rewarded {
			account: text("who"),
			session: number("session") as u64,
			amount: number("amount"),
		},
		("Oracle", "PriceUpdated") => Fact::OraclePrice {
			currency: text("currency"),
			snm_per_unit: number("snm_per_unit"),
			feeds: number("feeds") as u64,
		},
		("Gatekeeper", "DepositMinted") => Fact::Deposit {
			account: text("recipient"),
			amount: number("amount"),
			eth_tx: event.fields["key"]["tx_hash"].as_str().unwrap_or_default().to_owned(),
		},
		("Gatekeeper", "WithdrawalRequested") => Fact::Withdrawal {
			id: id(),
			account: text("who"),
			to: hex_bytes(&event.fields["to"]),
			amount: number("amount"),
			fee: number("fee"),
		},
		_ => return Ok(None),
	};
	Ok(Some(fact))
}

fn account_event(event: &sonm_client::ChainEvent, account: &str, other: Option<&str>) -> Fact {
	let mut detail = event.fields.clone();
	// Byte strings (an endpoint's URL, a list's name) as text.
	if let Json::Object(fields) = &mut detail {
		for key in ["url", "name"] {
			if let Some(bytes) = fields.get(key).and_then(byte_array) {
				fields
					.insert(key.into(), Json::String(String::from_utf8_lossy(&bytes).into_owned()));
			}
		}
	}
	Fact::AccountEvent {
		pallet: event.pallet.clone(),
		name: event.name.clone(),
		account: event.text(account).unwrap_or_default().to_owned(),
		other: other.and_then(|field| event.text(field)).map(String::from),
		detail,
	}
}

/// A JSON array of byte values as bytes.
fn byte_array(value: &Json) -> Option<Vec<u8>> {
	value
		.as_array()?
		.iter()
		.map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
		.collect()
}

/// Bytes written as a JSON array (an Ethereum address), as `0x…` hex.
fn hex_bytes(value: &Json) -> String {
	match (byte_array(value), value.as_str()) {
		(Some(bytes), _) => {
			format!("0x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
		},
		(None, Some(text)) => text.to_owned(),
		_ => String::new(),
	}
}
