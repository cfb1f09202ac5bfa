//! `market_*`: the market's open orders, deals and change requests.

use crate::BlockHash;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sonm_primitives::{
	market::{DealId, OrderId, OrderStatus, PriceUnit, Seconds, Side},
	matching::MatchOrder,
	IdentityLevel,
};

/// The most entries one listing returns.
pub const MAX_LIMIT: u32 = 1_000;
/// What a listing returns when no limit is given.
pub const DEFAULT_LIMIT: u32 = 100;

/// The most facts one `market_matchFacts` call answers.
pub const MAX_FACTS: usize = 1_000;

/// A question the matching rules ask of the chain, accounts as SS58 addresses:
/// `{"master": A}`, `{"level": A}` or `{"blocked": [LIST, A]}`.
pub type Fact = sonm_primitives::matching::Fact<String>;
/// Its answer: `{"master": A | null}`, `{"level": "Identified"}` or `{"blocked": true}`.
pub type FactAnswer = sonm_primitives::matching::FactAnswer<String>;

/// What closing an open deal now would bill and refund: `{"due": "<base units>", "refund": …}`.
pub type CloseQuote = sonm_primitives::market::CloseQuote;

/// A price per second: `{"perSecond": "<base units>", "unit": "SNM"}`.
pub type Price = sonm_primitives::market::Price<u128>;

/// An open order.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Order {
	pub id: OrderId,
	pub author: String,
	pub side: Side,
	pub price: Price,
	/// Seconds; 0 for spot.
	pub duration: Seconds,
	pub counterparty: Option<String>,
	pub min_identity: IdentityLevel,
	pub curator: Option<String>,
	/// The tag as text (invalid UTF-8 replaced).
	pub tag: String,
	/// By the standard benchmark indices.
	pub benchmarks: Vec<u64>,
	pub netflags: u8,
	pub expires_at: Option<Seconds>,
	pub placed_at: Seconds,
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub deposit: u128,
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub escrow: u128,
}

impl Order {
	/// The order as the market's matching rules (`sonm_primitives::matching`) read it.
	pub fn match_view(&self) -> MatchOrder<'_, String, u128, PriceUnit> {
		MatchOrder {
			author: &self.author,
			side: self.side,
			unit: self.price.unit,
			per_second: self.price.per_second,
			duration: self.duration,
			counterparty: self.counterparty.as_ref(),
			min_identity: self.min_identity,
			curator: self.curator.as_ref(),
			benchmarks: &self.benchmarks,
			netflags: self.netflags,
			expires_at: self.expires_at,
		}
	}
}

/// An open deal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
	pub id: DealId,
	pub ask: OrderId,
	pub bid: OrderId,
	pub supplier: String,
	pub consumer: String,
	pub payee: String,
	pub price: Price,
	/// Seconds; 0 for spot.
	pub duration: Seconds,
	pub start: Seconds,
	/// The fixed end of a forward deal.
	pub end: Option<Seconds>,
	pub billed_until: Seconds,
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub escrow: u128,
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub paid: u128,
	/// The storage deposit held from the customer until the deal is removed.
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub deposit: u128,
}

/// A pending change request of a deal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRequest {
	/// `Bid`: the customer's; `Ask`: the supplier's.
	pub side: Side,
	#[serde(with = "crate::amount")]
	#[schemars(with = "String")]
	pub per_second: u128,
	pub duration: Seconds,
	pub created_at: Seconds,
}

/// Which orders `market_orders` lists; absent fields match everything.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderFilter {
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub side: Option<Side>,
	/// An SS58 address.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub author: Option<String>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub status: Option<OrderStatus>,
}

#[rpc(client, server)]
pub trait MarketRpc {
	/// An open order, or null.
	#[method(name = "market_order")]
	fn order(&self, id: OrderId, at: Option<BlockHash>) -> RpcResult<Option<Order>>;

	/// An open deal, or null.
	#[method(name = "market_deal")]
	fn deal(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<Deal>>;

	/// Open orders passing `filter`, ids from `from` (default 0) on, at most `limit` (default
	/// 100, at most 1000).
	#[method(name = "market_orders")]
	fn orders(
		&self,
		filter: Option<OrderFilter>,
		from: Option<OrderId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Order>>;

	/// The open deals an account takes part in (as supplier, customer or payee) with ids from
	/// `from` on (0 when absent), in id order, at most `limit` ([`DEFAULT_LIMIT`] when absent,
	/// [`MAX_LIMIT`] at most): the next page starts after the last id of this one.
	#[method(name = "market_dealsOf")]
	fn deals_of(
		&self,
		account: String,
		from: Option<DealId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Deal>>;

	/// The pending change requests of a deal.
	#[method(name = "market_changeRequests")]
	fn change_requests(&self, deal: DealId, at: Option<BlockHash>)
		-> RpcResult<Vec<ChangeRequest>>;

	/// The open orders that would make a deal with order `id` now, best price first.
	#[method(name = "market_matchingOrders")]
	fn matching_orders(
		&self,
		id: OrderId,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Order>>;

	/// The answers to what the market's matching rules read (confirmed masters, identity
	/// levels, blacklists), in the order asked, at most [`MAX_FACTS`] at once: what an
	/// off-chain matcher needs to decide as `open_deal` would, in one round trip.
	#[method(name = "market_matchFacts")]
	fn match_facts(&self, facts: Vec<Fact>, at: Option<BlockHash>) -> RpcResult<Vec<FactAnswer>>;

	/// What closing open deal `id` now would bill and refund, reckoned as closing does it; null
	/// when no such deal is open.
	#[method(name = "market_closeQuote")]
	fn close_quote(&self, id: DealId, at: Option<BlockHash>) -> RpcResult<Option<CloseQuote>>;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn prices_read_and_write_as_the_node_serves_them() {
		let json = serde_json::json!({ "perSecond": "111111111111111", "unit": "USD" });
		let price: Price = serde_json::from_value(json.clone()).unwrap();
		assert_eq!(price, Price { per_second: 111_111_111_111_111, unit: PriceUnit::Usd });
		assert_eq!(serde_json::to_value(price).unwrap(), json);
	}

	#[test]
	fn facts_and_answers_read_and_write_as_the_node_serves_them() {
		let facts =
			serde_json::json!([{ "master": "A" }, { "level": "B" }, { "blocked": ["A", "B"] }]);
		let read: Vec<Fact> = serde_json::from_value(facts.clone()).unwrap();
		assert_eq!(read[2], Fact::Blocked("A".into(), "B".into()));
		assert_eq!(serde_json::to_value(&read).unwrap(), facts);
		let answers = vec![
			FactAnswer::Master(None),
			FactAnswer::Level(IdentityLevel::Identified),
			FactAnswer::Blocked(true),
		];
		assert_eq!(
			serde_json::to_value(&answers).unwrap(),
			serde_json::json!([{ "master": null }, { "level": "Identified" }, { "blocked": true }])
		);
	}

	#[test]
	fn filters_leave_out_what_they_do_not_restrict_and_refuse_unknown_fields() {
		let filter = OrderFilter { side: Some(Side::Bid), ..Default::default() };
		assert_eq!(serde_json::to_value(&filter).unwrap(), serde_json::json!({ "side": "Bid" }));
		let error = serde_json::from_value::<OrderFilter>(serde_json::json!({ "kind": "Bid" }));
		assert!(error.unwrap_err().to_string().contains("unknown field"));
	}
}
