//! `market_*` ([`sonm_rpc::market`]): the market's orders, deals and change requests, read
//! through the runtime's `MarketApi` at the best block (or the block given as `at`).

use super::{address, invalid_param, parse_account, runtime_error, BlockHash};
use jsonrpsee::core::RpcResult;
use sonm_primitives::market::{DealId, MarketApi, OrderFilter, OrderId};
use sonm_rpc::market::{
	ChangeRequest, CloseQuote, Deal, Fact, FactAnswer, MarketRpcServer, Order,
	OrderFilter as OrderFilterJson, DEFAULT_LIMIT, MAX_FACTS, MAX_LIMIT,
};
use sonm_runtime::{
	apis::{MarketChangeRequest, MarketDeal, MarketOrder},
	opaque::Block,
	AccountId,
};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

fn parse_limit(limit: Option<u32>) -> RpcResult<u32> {
	match limit.unwrap_or(DEFAULT_LIMIT) {
		limit if limit <= MAX_LIMIT => Ok(limit),
		limit => Err(invalid_param(format!("limit {limit} is above the maximum of {MAX_LIMIT}"))),
	}
}

/// The JSON form of order `id`.
pub fn order_json(id: OrderId, order: &MarketOrder) -> Order {
	let terms = &order.terms;
	Order {
		id,
		author: address(&order.author),
		side: terms.side,
		price: terms.price,
		duration: terms.duration,
		counterparty: terms.counterparty.as_ref().map(address),
		min_identity: terms.min_identity,
		curator: terms.curator.as_ref().map(address),
		tag: String::from_utf8_lossy(&terms.tag).into_owned(),
		benchmarks: terms.benchmarks.to_vec(),
		netflags: terms.netflags,
		expires_at: terms.expires_at,
		placed_at: order.placed_at,
		deposit: order.deposit,
		escrow: order.escrow,
	}
}

/// The JSON form of deal `id`.
pub fn deal_json(id: DealId, deal: &MarketDeal) -> Deal {
	Deal {
		id,
		ask: deal.ask,
		bid: deal.bid,
		supplier: address(&deal.supplier),
		consumer: address(&deal.consumer),
		payee: address(&deal.payee),
		price: deal.price,
		duration: deal.duration,
		start: deal.start,
		end: deal.end(),
		billed_until: deal.billed_until,
		escrow: deal.escrow,
		paid: deal.paid,
		deposit: deal.deposit,
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
	fn order(&self, id: OrderId, at: Option<BlockHash>) -> RpcResult<Option<Order>> {
		let order = self.client.runtime_api().order(self.at(at), id).map_err(runtime_error)?;
		Ok(order.map(|order| order_json(id, &order)))
	}

	fn deal(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<Deal>> {
		let deal = self.client.runtime_api().deal(self.at(at), id).map_err(runtime_error)?;
		Ok(deal.map(|deal| deal_json(id, &deal)))
	}

	fn orders(
		&self,
		filter: Option<OrderFilterJson>,
		from: Option<OrderId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Order>> {
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

	fn deals_of(
		&self,
		account: String,
		from: Option<DealId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Deal>> {
		let who = parse_account(&account)?;
		let (from, limit) = (from.unwrap_or(0), parse_limit(limit)?);
		let api = self.client.runtime_api();
		let at = self.at(at);
		type Api = dyn MarketApi<Block, AccountId, MarketOrder, MarketDeal, MarketChangeRequest>;
		let paged = api.api_version::<Api>(at).map_err(runtime_error)?.is_some_and(|v| v >= 2);
		let deals = if paged {
			api.deals_of(at, who, from, limit).map_err(runtime_error)?
		} else {
			// A runtime before `MarketApi` 2 answers every deal at once: paged here.
			#[allow(deprecated)]
			let all = api.deals_of_before_version_2(at, who).map_err(runtime_error)?;
			all.into_iter().filter(|(id, _)| *id >= from).take(limit as usize).collect()
		};
		Ok(deals.iter().map(|(id, deal)| deal_json(*id, deal)).collect())
	}

	fn change_requests(
		&self,
		deal: DealId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ChangeRequest>> {
		let requests = self
			.client
			.runtime_api()
			.change_requests(self.at(at), deal)
			.map_err(runtime_error)?;
		Ok(requests
			.into_iter()
			.map(|(side, request)| ChangeRequest {
				side,
				per_second: request.per_second,
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
	) -> RpcResult<Vec<Order>> {
		let orders = self
			.client
			.runtime_api()
			.matching_orders(self.at(at), id, parse_limit(limit)?)
			.map_err(runtime_error)?;
		Ok(orders.iter().map(|(id, order)| order_json(*id, order)).collect())
	}

	fn match_facts(&self, facts: Vec<Fact>, at: Option<BlockHash>) -> RpcResult<Vec<FactAnswer>> {
		if facts.len() > MAX_FACTS {
			return Err(invalid_param(format!(
				"{} facts asked at once; at most {MAX_FACTS}",
				facts.len()
			)));
		}
		let facts = facts
			.iter()
			.map(|fact| fact.try_map(|who| parse_account(who)))
			.collect::<RpcResult<Vec<_>>>()?;
		let answers = self
			.client
			.runtime_api()
			.match_facts(self.at(at), facts)
			.map_err(runtime_error)?;
		Ok(answers.into_iter().map(|answer| answer.map(|who| address(&who))).collect())
	}

	fn close_quote(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<CloseQuote>> {
		self.client.runtime_api().close_quote(self.at(at), id).map_err(runtime_error)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_rpc::error;

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
