//! `market_*`: the market's orders, deals and change requests as JSON, read through the
//! runtime's `MarketApi` at the best block (or the block given as `at`).
//!
//! Amounts are decimal strings of base units (they exceed what JSON numbers hold exactly),
//! accounts are SS58 addresses, times are seconds since the unix epoch, durations seconds.

use super::{address, invalid_param, parse_account, runtime_error, BlockHash};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sonm_primitives::{
	market::{DealId, MarketApi, OrderFilter, OrderId, OrderStatus, Seconds, Side},
	IdentityLevel,
};
use sonm_runtime::{
	apis::{MarketChangeRequest, MarketDeal, MarketOrder},
	opaque::Block,
	AccountId, Balance,
};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

/// The most entries one listing returns.
pub const MAX_LIMIT: u32 = 1_000;
/// What a listing returns when no limit is given.
pub const DEFAULT_LIMIT: u32 = 100;

/// A price per second.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PriceJson {
	/// Base units of `unit` per second: SNM x 10^18 or USD x 10^18.
	pub per_second: String,
	/// `SNM` or `USD`.
	pub unit: String,
}

/// An open order.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderJson {
	pub id: OrderId,
	pub author: String,
	pub side: Side,
	pub price: PriceJson,
	/// Seconds; 0 for spot.
	pub duration: Seconds,
	pub counterparty: Option<String>,
	pub min_identity: IdentityLevel,
	pub curator: Option<String>,
	/// The tag as text (invalid UTF-8 replaced).
	pub tag: String,
	pub benchmarks: Vec<u64>,
	pub netflags: u8,
	pub expires_at: Option<Seconds>,
	pub placed_at: Seconds,
	pub deposit: String,
	pub escrow: String,
}

/// An open deal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DealJson {
	pub id: DealId,
	pub ask: OrderId,
	pub bid: OrderId,
	pub supplier: String,
	pub consumer: String,
	pub payee: String,
	pub price: PriceJson,
	/// Seconds; 0 for spot.
	pub duration: Seconds,
	pub start: Seconds,
	/// The fixed end of a forward deal.
	pub end: Option<Seconds>,
	pub billed_until: Seconds,
	pub escrow: String,
	pub paid: String,
	/// The storage deposit held from the customer until the deal is removed.
	pub deposit: String,
}

/// A pending change request.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRequestJson {
	/// `Bid`: the customer's; `Ask`: the supplier's.
	pub side: Side,
	pub per_second: String,
	pub duration: Seconds,
	pub created_at: Seconds,
}

/// Which orders `market_orders` lists; absent fields match everything.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderFilterJson {
	pub side: Option<Side>,
	/// An SS58 address.
	pub author: Option<String>,
	pub status: Option<OrderStatus>,
}

#[rpc(client, server)]
pub trait MarketRpc {
	/// An open order, or null.
	#[method(name = "market_order")]
	fn order(&self, id: OrderId, at: Option<BlockHash>) -> RpcResult<Option<OrderJson>>;

	/// An open deal, or null.
	#[method(name = "market_deal")]
	fn deal(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<DealJson>>;

	/// Open orders passing `filter`, ids from `from` (default 0) on, at most `limit` (default
	/// 100, at most 1000).
	#[method(name = "market_orders")]
	fn orders(
		&self,
		filter: Option<OrderFilterJson>,
		from: Option<OrderId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<OrderJson>>;

	/// The open deals an account takes part in.
	#[method(name = "market_dealsOf")]
	fn deals_of(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<DealJson>>;

	/// The pending change requests of a deal.
	#[method(name = "market_changeRequests")]
	fn change_requests(
		&self,
		deal: DealId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ChangeRequestJson>>;

	/// The open orders that would make a deal with order `id` now, best price first.
	#[method(name = "market_matchingOrders")]
	fn matching_orders(
		&self,
		id: OrderId,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<OrderJson>>;
}

fn parse_limit(limit: Option<u32>) -> RpcResult<u32> {
	match limit.unwrap_or(DEFAULT_LIMIT) {
		limit if limit <= MAX_LIMIT => Ok(limit),
		limit => Err(invalid_param(format!("limit {limit} is above the maximum of {MAX_LIMIT}"))),
	}
}

fn price_json(price: &pallet_market::Price<Balance>) -> PriceJson {
	let unit = match price.unit {
		pallet_market::PriceUnit::Snm => "SNM",
		pallet_market::PriceUnit::Usd => "USD",
	};
	PriceJson { per_second: price.per_second.to_string(), unit: unit.into() }
}

/// The JSON form of order `id`.
pub fn order_json(id: OrderId, order: &MarketOrder) -> OrderJson {
	let terms = &order.terms;
	OrderJson {
		id,
		author: address(&order.author),
		side: terms.side,
		price: price_json(&terms.price),
		duration: terms.duration,
		counterparty: terms.counterparty.as_ref().map(address),
		min_identity: terms.min_identity,
		curator: terms.curator.as_ref().map(address),
		tag: String::from_utf8_lossy(&terms.tag).into_owned(),
		benchmarks: terms.benchmarks.to_vec(),
		netflags: terms.netflags,
		expires_at: terms.expires_at,
		placed_at: order.placed_at,
		deposit: order.deposit.to_string(),
		escrow: order.escrow.to_string(),
	}
}

/// The JSON form of deal `id`.
pub fn deal_json(id: DealId, deal: &MarketDeal) -> DealJson {
	DealJson {
		id,
		ask: deal.ask,
		bid: deal.bid,
		supplier: address(&deal.supplier),
		consumer: address(&deal.consumer),
		payee: address(&deal.payee),
		price: price_json(&deal.price),
		duration: deal.duration,
		start: deal.start,
		end: deal.end(),
		billed_until: deal.billed_until,
		escrow: deal.escrow.to_string(),
		paid: deal.paid.to_string(),
		deposit: deal.deposit.to_string(),
	}
}

/// Serves `market_*` from a client's runtime API.
pub struct Market<C> {
	client: Arc<C>,
}

impl<C> Market<C> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Market<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<BlockHash>) -> BlockHash {
		super::block_or_best(&*self.client, at)
	}
}

impl<C> MarketRpcServer for Market<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MarketApi<Block, AccountId, MarketOrder, MarketDeal, MarketChangeRequest>,
{
	fn order(&self, id: OrderId, at: Option<BlockHash>) -> RpcResult<Option<OrderJson>> {
		let order = self.client.runtime_api().order(self.at(at), id).map_err(runtime_error)?;
		Ok(order.map(|order| order_json(id, &order)))
	}

	fn deal(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<DealJson>> {
		let deal = self.client.runtime_api().deal(self.at(at), id).map_err(runtime_error)?;
		Ok(deal.map(|deal| deal_json(id, &deal)))
	}

	fn orders(
		&self,
		filter: Option<OrderFilterJson>,
		from: Option<OrderId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<OrderJson>> {
		let filter = filter.unwrap_or_default();
		let filter = OrderFilter {
			side: filter.side,
			author: filter.author.as_deref().map(parse_account).transpose()?,
			status: filter.status,
		};
		let orders = self
			.client
			.runtime_api()
			.orders(self.at(at), filter, from.unwrap_or(0), parse_limit(limit)?)
			.map_err(runtime_error)?;
		Ok(orders.iter().map(|(id, order)| order_json(*id, order)).collect())
	}

	fn deals_of(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<DealJson>> {
		let who = parse_account(&account)?;
		let deals = self.client.runtime_api().deals_of(self.at(at), who).map_err(runtime_error)?;
		Ok(deals.iter().map(|(id, deal)| deal_json(*id, deal)).collect())
	}

	fn change_requests(
		&self,
		deal: DealId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ChangeRequestJson>> {
		let requests = self
			.client
			.runtime_api()
			.change_requests(self.at(at), deal)
			.map_err(runtime_error)?;
		Ok(requests
			.into_iter()
			.map(|(side, request)| ChangeRequestJson {
				side,
				per_second: request.per_second.to_string(),
				duration: request.duration,
				created_at: request.created_at,
			})
			.collect())
	}

	fn matching_orders(
		&self,
		id: OrderId,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<OrderJson>> {
		let orders = self
			.client
			.runtime_api()
			.matching_orders(self.at(at), id, parse_limit(limit)?)
			.map_err(runtime_error)?;
		Ok(orders.iter().map(|(id, order)| order_json(*id, order)).collect())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::rpc::error;

	#[test]
	fn limits_above_the_maximum_and_bad_addresses_are_refused_by_name() {
		assert_eq!(parse_limit(None).unwrap(), DEFAULT_LIMIT);
		assert_eq!(parse_limit(Some(MAX_LIMIT)).unwrap(), MAX_LIMIT);
		let err = parse_limit(Some(MAX_LIMIT + 1)).unwrap_err();
		assert_eq!(err.code(), error::INVALID_PARAM);
		assert!(err.message().contains("above the maximum"), "{}", err.message());
		let err = parse_account("not-an-address").unwrap_err();
		assert_eq!(err.code(), error::INVALID_PARAM);
		assert!(err.message().contains("not-an-address"), "{}", err.message());
		let alice = AccountId::new([1u8; 32]);
		assert_eq!(parse_account(&address(&alice)).unwrap(), alice);
	}

	/// Found by the hostile-input test: a 1 MiB string given as an account held an RPC worker
	/// for minutes (base-58 decoding is quadratic) and came back whole in the error.
	#[test]
	fn huge_strings_are_refused_at_once_and_not_echoed() {
		let huge = "5".repeat(1 << 20);
		let started = std::time::Instant::now();
		let err = parse_account(&huge).unwrap_err();
		assert!(started.elapsed() < std::time::Duration::from_secs(1));
		assert_eq!(err.code(), error::INVALID_PARAM);
		assert!(err.message().contains("too long"), "{}", err.message());
		assert!(err.message().len() < 200, "the error quotes at most 80 characters");
		// Multi-byte characters are cut on a character boundary.
		let err = parse_account(&"é".repeat(100)).unwrap_err();
		assert!(err.message().contains("too long"), "{}", err.message());
	}
}
