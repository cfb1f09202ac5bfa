//! `sonm-indexer`'s read API, declared once for the server that answers it and the clients that
//! read it: each route's path and query parameters ([`Route`], [`Param`]), the parsing of a
//! query into typed filters with named errors ([`parse_query`]), the JSON answers, and a small
//! HTTP client ([`IndexerClient`]).
//!
//! Amounts are decimal strings of base units (exact, as the node's RPC writes them), accounts
//! SS58 addresses, times unix seconds. A range parameter is written `MIN..MAX`, `MIN..` or
//! `..MAX` (both ends included); a single number means exactly that value.

use crate::AccountId32;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use sonm_primitives::{
	benchmarks,
	market::{PriceUnit, Side},
	IdentityLevel,
};
use std::{collections::BTreeMap, fmt, str::FromStr};

/// Where `sonm-indexer` serves its API by default.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:9640";
/// The most entries one page returns.
pub const MAX_LIMIT: u64 = 1_000;
/// A page's size when no limit is given.
pub const DEFAULT_LIMIT: u64 = 100;

/// The standard benchmarks by their query names, in index order (`cpu_cores=4..`).
pub const BENCHMARK_NAMES: [&str; benchmarks::STANDARD_COUNT] = [
	"cpu_sysbench_multi",
	"cpu_sysbench_single",
	"cpu_cores",
	"ram_size",
	"storage_size",
	"net_download",
	"net_upload",
	"gpu_count",
	"gpu_mem",
	"gpu_eth_hashrate",
	"gpu_cash_hashrate",
	"gpu_redshift",
];

/// What a query parameter holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
	/// `Bid` or `Ask`.
	Side,
	/// `SNM` or `USD`.
	Unit,
	/// An SS58 address.
	Account,
	/// An identity level's name.
	Identity,
	/// A range of unsigned integers (`MIN..MAX`).
	Range,
	/// A range of amounts in base units (`MIN..MAX`).
	AmountRange,
	/// Network flags as a number: every bit must be set.
	Flags,
	/// One of the listed words.
	Word(&'static [&'static str]),
	/// A page's size, 1 to [`MAX_LIMIT`].
	Limit,
	/// The `next` of the previous page.
	Cursor,
	/// `true` or `false`.
	Flag,
	/// An unsigned integer.
	Number,
}

impl Kind {
	/// How the OpenAPI description writes it.
	pub fn schema(&self) -> serde_json::Value {
		use serde_json::json;
		match self {
			Kind::Side => json!({ "type": "string", "enum": ["Bid", "Ask"] }),
			Kind::Unit => json!({ "type": "string", "enum": ["SNM", "USD"] }),
			Kind::Identity => json!({
				"type": "string",
				"enum": ["Anonymous", "Registered", "Identified", "Professional"]
			}),
			Kind::Word(words) => json!({ "type": "string", "enum": words }),
			Kind::Range | Kind::AmountRange => {
				json!({ "type": "string", "pattern": "^[0-9]*(\\.\\.[0-9]*)?$" })
			},
			Kind::Flags | Kind::Number => json!({ "type": "integer", "minimum": 0 }),
			Kind::Limit => json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT }),
			Kind::Flag => json!({ "type": "boolean" }),
			Kind::Account | Kind::Cursor => json!({ "type": "string" }),
		}
	}
}

/// One query parameter of a route.
#[derive(Clone, Debug)]
pub struct Param {
	pub name: String,
	pub kind: Kind,
	pub doc: String,
}

fn param(name: &str, kind: Kind, doc: &str) -> Param {
	Param { name: name.into(), kind, doc: doc.into() }
}

/// How orders may be sorted.
pub const ORDER_SORTS: &[&str] = &["id", "price", "time", "duration"];
/// How deals may be sorted.
pub const DEAL_SORTS: &[&str] = &["id", "price", "time", "duration"];
/// An order's states in the indexer: in the book, or how it left it.
pub const ORDER_STATUSES: &[&str] = &["Active", "Consumed", "Cancelled", "Expired"];
/// A deal's states.
pub const DEAL_STATUSES: &[&str] = &["Open", "Closed"];
/// The periods a history or a price index is grouped by.
pub const PERIODS: &[&str] = &["hour", "day", "week", "month"];
/// The resources the price index prices.
pub const RESOURCES: &[&str] = &["core", "memory", "gpu"];
/// The gateway's two directions.
pub const TRANSFER_KINDS: &[&str] = &["deposit", "withdrawal"];

/// The parameters every listing takes.
fn paging(sorts: &'static [&'static str]) -> Vec<Param> {
	vec![
		param("sort", Kind::Word(sorts), "What to sort by (default id)."),
		param("order", Kind::Word(&["asc", "desc"]), "Ascending (default) or descending."),
		param("limit", Kind::Limit, "The most entries in the page (default 100, at most 1000)."),
		param("cursor", Kind::Cursor, "The `next` of the previous page."),
		param("count", Kind::Flag, "Also count every entry that passes the filter."),
	]
}

/// The filters on an order's terms, shared by orders and deals.
fn terms_params() -> Vec<Param> {
	let mut params = vec![
		param("unit", Kind::Unit, "The price's unit."),
		param("price", Kind::AmountRange, "Price per second, in base units of the unit."),
		param("duration", Kind::Range, "Duration in seconds (0: spot)."),
	];
	for name in BENCHMARK_NAMES {
		params.push(param(name, Kind::Range, "This standard benchmark's range."));
	}
	params
}

/// A route of the API.
#[derive(Clone, Debug)]
pub struct Route {
	/// Its path as axum and OpenAPI write it (`/orders/{id}`).
	pub path: &'static str,
	pub summary: &'static str,
	pub params: Vec<Param>,
	/// Adds the schema of its answer (`SchemaGenerator::subschema_for::<T>`) for
	/// `/openapi.json`.
	pub answer: fn(&mut SchemaGenerator) -> Schema,
}

/// Every route, in the order the OpenAPI description lists them.
pub fn routes() -> Vec<Route> {
	let mut orders = vec![
		param("side", Kind::Side, "Only this side."),
		param("status", Kind::Word(ORDER_STATUSES), "Only orders in this state."),
		param("author", Kind::Account, "Only this author's."),
		param("counterparty", Kind::Account, "Only orders naming this counterparty."),
		param("netflags", Kind::Flags, "Only orders with every one of these flags."),
		param("min_identity", Kind::Identity, "Only orders asking this identity level."),
		param("tag", Kind::Word(&[]), "Only orders with this tag."),
	];
	orders.extend(terms_params());
	orders.extend(paging(ORDER_SORTS));
	let mut deals = vec![
		param("status", Kind::Word(DEAL_STATUSES), "Only open or only closed deals."),
		param("supplier", Kind::Account, "Only this supplier's."),
		param("consumer", Kind::Account, "Only this customer's."),
		param(
			"account",
			Kind::Account,
			"Only deals this account is supplier, customer or payee of.",
		),
	];
	deals.extend(terms_params());
	deals.extend(paging(DEAL_SORTS));
	let period = |doc| param("period", Kind::Word(PERIODS), doc);
	let range = |name, doc| param(name, Kind::Range, doc);
	vec![
		Route {
			path: "/orders",
			summary: "Orders, open and past, filtered and sorted",
			params: orders,
			answer: SchemaGenerator::subschema_for::<Page<IndexedOrder>>,
		},
		Route {
			path: "/orders/{id}",
			summary: "One order, open or past",
			params: vec![],
			answer: SchemaGenerator::subschema_for::<IndexedOrder>,
		},
		Route {
			path: "/orders/{id}/matches",
			summary: "The open asks that would make a deal with this bid now, best price first",
			params: vec![param("limit", Kind::Limit, "The most matches (default 100).")],
			answer: SchemaGenerator::subschema_for::<Vec<IndexedOrder>>,
		},
		Route {
			path: "/deals",
			summary: "Deals, open and closed, filtered and sorted",
			params: deals,
			answer: SchemaGenerator::subschema_for::<Page<IndexedDeal>>,
		},
		Route {
			path: "/deals/{id}",
			summary: "One deal with its bills, its terms over time and its change requests",
			params: vec![],
			answer: SchemaGenerator::subschema_for::<DealDetail>,
		},
		Route {
			path: "/accounts/{address}/history",
			summary: "An account's orders, deals and payments in and out, per period",
			params: vec![
				period("The length of each period (default month)."),
				range("time", "Only this span of unix seconds."),
			],
			answer: SchemaGenerator::subschema_for::<History>,
		},
		Route {
			path: "/accounts/{address}/events",
			summary: "Trust, identity, worker-link and endpoint events of an account, newest first",
			params: vec![
				param("pallet", Kind::Word(&["Blacklist", "Kyc", "Market"]), "Only this pallet's."),
				param("limit", Kind::Limit, "The most entries (default 100)."),
			],
			answer: SchemaGenerator::subschema_for::<Vec<AccountEvent>>,
		},
		Route {
			path: "/suppliers/{address}",
			summary: "A supplier's record: deals served and how they ended, earnings, prices",
			params: vec![],
			answer: SchemaGenerator::subschema_for::<SupplierRecord>,
		},
		Route {
			path: "/prices/index",
			summary: "Median and quartiles of ask prices per resource-hour, per period",
			params: vec![
				param(
					"resource",
					Kind::Word(RESOURCES),
					"core, memory (GiB) or gpu (default core).",
				),
				param("unit", Kind::Unit, "The prices' unit (default SNM)."),
				period("The length of each period (default day)."),
				range("time", "Only asks placed in this span of unix seconds."),
			],
			answer: SchemaGenerator::subschema_for::<PriceIndex>,
		},
		Route {
			path: "/prices/oracle",
			summary: "The oracle's SNM prices over time",
			params: vec![
				param("currency", Kind::Word(&[]), "Only this currency (USD)."),
				range("time", "Only this span of unix seconds."),
				param("limit", Kind::Limit, "The most entries, newest first (default 100)."),
			],
			answer: SchemaGenerator::subschema_for::<Vec<OracleQuote>>,
		},
		Route {
			path: "/masternodes",
			summary: "Every masternode seen: stake, sessions served and missed, rewards",
			params: vec![],
			answer: SchemaGenerator::subschema_for::<Vec<MasternodeRecord>>,
		},
		Route {
			path: "/gateway/transfers",
			summary: "The gateway's deposits from and withdrawals to Ethereum",
			params: vec![
				param("kind", Kind::Word(TRANSFER_KINDS), "Only deposits or only withdrawals."),
				param("account", Kind::Account, "Only this account's."),
				param("limit", Kind::Limit, "The most entries, newest first (default 100)."),
			],
			answer: SchemaGenerator::subschema_for::<Vec<GatewayTransfer>>,
		},
		Route {
			path: "/status",
			summary: "How far the indexer is: its block and the chain's",
			params: vec![],
			answer: SchemaGenerator::subschema_for::<IndexerStatus>,
		},
	]
}

/// The route at `path`.
pub fn route(path: &str) -> Route {
	routes().into_iter().find(|route| route.path == path).expect("a declared route")
}

/// A refused request: its name (stable, for scripts) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{error}: {message}")]
pub struct ApiError {
	/// `UnknownParameter`, `BadValue`, `RangeUpsideDown`, `LimitTooLarge`, `BadAddress`,
	/// `BadCursor`, `NotFound`, `NotABid`, `Unavailable`, `Internal`.
	pub error: String,
	pub message: String,
}

impl ApiError {
	pub fn new(error: &str, message: impl Into<String>) -> Self {
		Self { error: error.into(), message: message.into() }
	}
}

/// An inclusive range; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range<T> {
	pub min: Option<T>,
	pub max: Option<T>,
}

impl<T: FromStr + PartialOrd + Copy> Range<T> {
	fn parse(name: &str, text: &str) -> Result<Self, ApiError> {
		let number = |part: &str| -> Result<Option<T>, ApiError> {
			if part.is_empty() {
				return Ok(None);
			}
			if !part.bytes().all(|b| b.is_ascii_digit()) {
				return Err(bad_value(name, text, "a range MIN..MAX of unsigned integers"));
			}
			part.parse()
				.map(Some)
				.map_err(|_| bad_value(name, text, "a range of integers small enough"))
		};
		let (min, max) = match text.split_once("..") {
			Some((min, max)) => (number(min)?, number(max)?),
			None => {
				let exact = number(text)?;
				if exact.is_none() {
					return Err(bad_value(name, text, "a number or a range MIN..MAX"));
				}
				(exact, exact)
			},
		};
		if let (Some(low), Some(high)) = (min, max) {
			if low > high {
				return Err(ApiError::new(
					"RangeUpsideDown",
					format!("{name}={text}: the lower end is above the upper end"),
				));
			}
		}
		Ok(Self { min, max })
	}

	/// Whether anything is asked of the value.
	pub fn is_set(&self) -> bool {
		self.min.is_some() || self.max.is_some()
	}
}

impl<T: fmt::Display> fmt::Display for Range<T> {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		let end = |value: &Option<T>| value.as_ref().map(ToString::to_string).unwrap_or_default();
		write!(f, "{}..{}", end(&self.min), end(&self.max))
	}
}

fn bad_value(name: &str, text: &str, expected: &str) -> ApiError {
	ApiError::new("BadValue", format!("{name}={text:?}: expected {expected}"))
}

/// A query's parameters, checked against a route's declaration: each known, each given once,
/// each a value of its kind. Read them with the typed getters.
#[derive(Debug, Default)]
pub struct Query {
	values: BTreeMap<String, String>,
}

/// Parses `query` (the URL's query string, without `?`) for `route`: an unknown parameter, one
/// given twice or a value of the wrong kind is refused by name.
pub fn parse_query(route: &Route, query: &str) -> Result<Query, ApiError> {
	let mut values = BTreeMap::new();
	for pair in query.split('&').filter(|pair| !pair.is_empty()) {
		let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
		let name = percent_decode(name)?;
		let value = percent_decode(value)?;
		let Some(declared) = route.params.iter().find(|param| param.name == name) else {
			let known: Vec<_> = route.params.iter().map(|param| param.name.as_str()).collect();
			return Err(ApiError::new(
				"UnknownParameter",
				format!(
					"{name:?} is not a parameter of {}; use {}",
					route.path,
					if known.is_empty() { "none".into() } else { known.join(", ") }
				),
			));
		};
		check_value(declared, &value)?;
		if values.insert(name.clone(), value).is_some() {
			return Err(ApiError::new("BadValue", format!("{name} is given twice")));
		}
	}
	Ok(Query { values })
}

/// Refuses a value that is not of `param`'s kind.
fn check_value(param: &Param, value: &str) -> Result<(), ApiError> {
	let name = &param.name;
	match param.kind {
		Kind::Side => {
			value.parse::<Side>().map(drop).map_err(|e| bad_value(name, value, &e.expected))
		},
		Kind::Unit => value
			.parse::<PriceUnit>()
			.map(drop)
			.map_err(|e| bad_value(name, value, &e.expected)),
		Kind::Identity => value
			.parse::<IdentityLevel>()
			.map(drop)
			.map_err(|e| bad_value(name, value, &e.expected)),
		Kind::Account => AccountId32::from_str(value).map(drop).map_err(|_| {
			ApiError::new("BadAddress", format!("{name}={value:?} is not an SS58 address"))
		}),
		Kind::Range => Range::<u64>::parse(name, value).map(drop),
		Kind::AmountRange => Range::<u128>::parse(name, value).map(drop),
		Kind::Flags => value
			.parse::<u8>()
			.map(drop)
			.map_err(|_| bad_value(name, value, "network flags, a number from 0 to 255")),
		Kind::Number => {
			value.parse::<u64>().map(drop).map_err(|_| bad_value(name, value, "a number"))
		},
		Kind::Word([]) => {
			let allowed = |c: char| c.is_ascii_alphanumeric() || " -_.:/+@".contains(c);
			if value.len() <= 64 && value.chars().all(allowed) {
				Ok(())
			} else {
				Err(bad_value(name, value, "at most 64 letters, digits, spaces and -_.:/+@"))
			}
		},
		Kind::Word(words) => {
			if words.contains(&value) {
				Ok(())
			} else {
				Err(bad_value(name, value, &format!("one of {}", words.join(", "))))
			}
		},
		Kind::Limit => match value.parse::<u64>() {
			Ok(limit) if limit > MAX_LIMIT => Err(ApiError::new(
				"LimitTooLarge",
				format!("limit={limit}: at most {MAX_LIMIT} entries a page"),
			)),
			Ok(limit) if limit >= 1 => Ok(()),
			_ => Err(bad_value(name, value, &format!("a number from 1 to {MAX_LIMIT}"))),
		},
		Kind::Cursor => PageCursor::parse(value).map(drop),
		Kind::Flag => match value {
			"true" | "false" | "" => Ok(()),
			_ => Err(bad_value(name, value, "true or false")),
		},
	}
}

/// `%XX` and `+` decoded; invalid escapes and non-UTF-8 are refused.
fn percent_decode(text: &str) -> Result<String, ApiError> {
	let bytes = text.as_bytes();
	let mut out = Vec::with_capacity(bytes.len());
	let mut i = 0;
	while i < bytes.len() {
		match bytes[i] {
			b'+' => out.push(b' '),
			b'%' => {
				let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
				let byte = hex.ok_or_else(|| {
					ApiError::new("BadValue", format!("{text:?} has a bad %-escape"))
				})?;
				out.push(byte);
				i += 2;
			},
			byte => out.push(byte),
		}
		i += 1;
	}
	String::from_utf8(out).map_err(|_| ApiError::new("BadValue", format!("{text:?} is not UTF-8")))
}

impl Query {
	/// The raw text of `name`, if given.
	pub fn text(&self, name: &str) -> Option<&str> {
		self.values.get(name).map(String::as_str)
	}

	pub fn side(&self, name: &str) -> Option<Side> {
		self.text(name).and_then(|text| text.parse().ok())
	}

	pub fn unit(&self, name: &str) -> Option<PriceUnit> {
		self.text(name).and_then(|text| text.parse().ok())
	}

	pub fn identity(&self, name: &str) -> Option<IdentityLevel> {
		self.text(name).and_then(|text| text.parse().ok())
	}

	pub fn range(&self, name: &str) -> Range<u64> {
		self.text(name)
			.and_then(|text| Range::parse(name, text).ok())
			.unwrap_or_default()
	}

	pub fn amount_range(&self, name: &str) -> Range<u128> {
		self.text(name)
			.and_then(|text| Range::parse(name, text).ok())
			.unwrap_or_default()
	}

	pub fn number(&self, name: &str) -> Option<u64> {
		self.text(name).and_then(|text| text.parse().ok())
	}

	pub fn limit(&self) -> u64 {
		self.number("limit").unwrap_or(DEFAULT_LIMIT)
	}

	pub fn flag(&self, name: &str) -> bool {
		matches!(self.text(name), Some("true") | Some(""))
	}

	pub fn cursor(&self) -> Option<PageCursor> {
		self.text("cursor").and_then(|text| PageCursor::parse(text).ok())
	}

	/// Whether the listing runs from the largest key down.
	pub fn descending(&self) -> bool {
		self.text("order") == Some("desc")
	}
}

/// Where a page ends: the sort key and the id of its last entry (`KEY~ID`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
	/// The sort key as the database stores it (digits).
	pub key: String,
	pub id: u64,
}

impl PageCursor {
	pub fn parse(text: &str) -> Result<Self, ApiError> {
		let bad = || ApiError::new("BadCursor", format!("{text:?} is not a page's `next`"));
		let (key, id) = text.split_once('~').ok_or_else(bad)?;
		if key.is_empty() || key.len() > 40 || !key.bytes().all(|b| b.is_ascii_digit()) {
			return Err(bad());
		}
		Ok(Self { key: key.into(), id: id.parse().map_err(|_| bad())? })
	}
}

impl fmt::Display for PageCursor {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "{}~{}", self.key, self.id)
	}
}

/// A page of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
	pub items: Vec<T>,
	/// The cursor of the next page; absent on the last.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub next: Option<String>,
	/// How many entries pass the filter, when asked (`count=true`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub total: Option<u64>,
}

/// An order as the indexer knows it: its terms as the node serves an open order, and when and
/// how it left the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexedOrder {
	#[serde(flatten)]
	pub order: crate::types::Order,
	pub placed_block: u64,
	/// `Active`, `Consumed` (made a deal), `Cancelled` or `Expired` (removed after expiry).
	pub status: String,
	pub ended_block: Option<u64>,
	pub ended_at: Option<u64>,
	/// The deal it made.
	pub deal: Option<u64>,
}

/// A deal, open or closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexedDeal {
	pub id: u64,
	pub ask: u64,
	pub bid: u64,
	pub supplier: String,
	pub consumer: String,
	pub payee: String,
	/// The price it opened at (changes are in the deal's `terms`).
	pub price: crate::types::Price,
	pub duration: u64,
	pub start: u64,
	pub opened_block: u64,
	/// `Open` or `Closed`.
	pub status: String,
	/// Why it ended: `Expired`, `ByCustomer`, `BySupplier`, `InsufficientFunds`.
	pub close_reason: Option<String>,
	pub closed_at: Option<u64>,
	pub closed_block: Option<u64>,
	#[serde(default, with = "sonm_rpc::amount::option")]
	#[schemars(with = "Option<String>")]
	pub refund: Option<u128>,
	/// Whether the closing party blacklisted the other on close.
	pub blacklisted: bool,
	/// What the payee has received (after fees).
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub paid: u128,
	/// The market's fees on its bills.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub fees: u128,
	pub bills: u64,
}

/// One bill of a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
	pub deal: u64,
	pub block: u64,
	pub time: u64,
	pub payee: String,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub amount: u128,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub fee: u128,
	/// The span of the deal it paid for (unix seconds).
	pub from: u64,
	pub to: u64,
	/// What the deal has paid the payee so far, this bill included.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub running_total: u128,
}

/// A deal's terms from a moment on (SONM's "deal condition").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealTerms {
	pub since: u64,
	pub block: u64,
	pub price: crate::types::Price,
	pub duration: u64,
}

/// A change request and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRecord {
	pub side: Side,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub per_second: u128,
	pub duration: u64,
	pub requested_block: u64,
	/// `Pending`, `Accepted`, `Rejected` or `Withdrawn`.
	pub outcome: String,
	pub ended_block: Option<u64>,
}

/// A deal with everything that happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealDetail {
	pub deal: IndexedDeal,
	pub bills: Vec<Bill>,
	pub terms: Vec<DealTerms>,
	pub changes: Vec<ChangeRecord>,
}

/// An account's activity in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPeriod {
	/// The period's first second.
	pub start: u64,
	pub orders_placed: u64,
	pub deals_opened: u64,
	pub deals_closed: u64,
	/// Paid for deals as customer (amounts and fees of their bills).
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub paid_out: u128,
	/// Received as payee.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub received: u128,
	/// Refunds at close.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub refunded: u128,
	/// Minted by the gateway.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub deposited: u128,
	/// Sent out through the gateway (amount and fee).
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub withdrawn: u128,
}

/// An account's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct History {
	pub account: String,
	pub period: String,
	pub periods: Vec<HistoryPeriod>,
}

/// An event of an account's trust, identity, worker links or endpoint, as the chain said it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountEvent {
	pub block: u64,
	pub time: u64,
	pub pallet: String,
	/// The event (`Blocked`, `Certified`, `WorkerConfirmed`, `EndpointSet`...).
	pub name: String,
	/// Who acted or was acted on first (`who`, `worker`, `curator`).
	pub account: String,
	/// The other account it names (`whom`, `list`, `master`).
	pub other: Option<String>,
	/// Its fields.
	pub detail: serde_json::Value,
}

/// A supplier's record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupplierRecord {
	pub supplier: String,
	pub deals: u64,
	pub open: u64,
	/// Forward deals that ran to their end.
	pub completed: u64,
	pub closed_by_customer: u64,
	pub closed_by_supplier: u64,
	pub closed_unpaid: u64,
	/// Deals whose customer blacklisted the supplier on close.
	pub blacklisted_after: u64,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub earned: u128,
	/// The median price per core-hour of its deals in SNM base units (SNM-priced deals with a
	/// core count).
	#[serde(default, with = "sonm_rpc::amount::option")]
	#[schemars(with = "Option<String>")]
	pub median_per_core_hour: Option<u128>,
	pub active_asks: u64,
}

/// One period of the price index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PricePoint {
	pub start: u64,
	pub asks: u64,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub q1: u128,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub median: u128,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub q3: u128,
}

/// The price index of one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceIndex {
	/// `core` (per core-hour), `memory` (per GiB-hour) or `gpu` (per GPU-hour).
	pub resource: String,
	pub unit: PriceUnit,
	pub period: String,
	/// By GPU memory class for `gpu` (`"8 GiB"`); one series `"all"` otherwise.
	pub series: BTreeMap<String, Vec<PricePoint>>,
}

/// An oracle price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OracleQuote {
	pub block: u64,
	pub time: u64,
	pub currency: String,
	/// SNM base units per 10^18 of the currency's units.
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub snm_per_unit: u128,
	pub feeds: u32,
}

/// A masternode's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MasternodeRecord {
	pub account: String,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub stake: u128,
	/// `Active` (registered) or `Left`.
	pub status: String,
	pub registered_block: u64,
	/// Sessions it was selected for, and how many of them it went offline in.
	pub sessions_selected: u64,
	pub sessions_offline: u64,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub rewards: u128,
}

/// A gateway transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTransfer {
	/// `deposit` or `withdrawal`.
	pub kind: String,
	pub block: u64,
	pub time: u64,
	pub account: String,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub amount: u128,
	#[serde(with = "sonm_rpc::amount")]
	#[schemars(with = "String")]
	pub fee: u128,
	/// The Ethereum transaction of a deposit; the Ethereum address of a withdrawal.
	pub ethereum: String,
	/// A withdrawal's id.
	pub withdrawal: Option<u64>,
}

/// How far the indexer is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexerStatus {
	/// The last block written (finalized), and its hash.
	pub block: Option<u64>,
	pub hash: Option<String>,
	/// The chain's finalized block when last asked.
	pub finalized: Option<u64>,
	/// Whether the node answers.
	pub connected: bool,
	pub genesis: Option<String>,
}

/// A client of the indexer's API.
#[derive(Clone)]
pub struct IndexerClient {
	base: String,
	http: reqwest::Client,
}

impl IndexerClient {
	/// The indexer at `base` (`http://127.0.0.1:9630`).
	pub fn new(base: &str) -> Self {
		Self { base: base.trim_end_matches('/').into(), http: reqwest::Client::new() }
	}

	/// GETs `path?query` and reads the answer as `T`, or the indexer's named refusal.
	pub async fn get<T: serde::de::DeserializeOwned>(
		&self,
		path: &str,
		query: &[(&str, String)],
	) -> Result<T, ApiError> {
		let unreachable =
			|e: reqwest::Error| ApiError::new("Unreachable", format!("{}: {e}", self.base));
		let response = self
			.http
			.get(format!("{}{path}", self.base))
			.query(query)
			.send()
			.await
			.map_err(unreachable)?;
		let status = response.status();
		let body = response.bytes().await.map_err(unreachable)?;
		if status.is_success() {
			serde_json::from_slice(&body)
				.map_err(|e| ApiError::new("BadAnswer", format!("{path}: {e}")))
		} else {
			Err(serde_json::from_slice(&body).unwrap_or_else(|_| {
				ApiError::new(
					"BadAnswer",
					format!("{path}: {status}: {}", String::from_utf8_lossy(&body)),
				)
			}))
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn orders() -> Route {
		route("/orders")
	}

	fn refusal(route: &Route, query: &str) -> String {
		parse_query(route, query).unwrap_err().error
	}

	#[test]
	fn a_good_query_reads_as_typed_values() {
		let alice = crate::Key::dev("alice").unwrap().address();
		let query = parse_query(
			&orders(),
			&format!("side=Ask&author={alice}&price=10..2000&cpu_cores=4..&limit=5&count=true&order=desc"),
		)
		.unwrap();
		assert_eq!(query.side("side"), Some(Side::Ask));
		assert_eq!(query.amount_range("price"), Range { min: Some(10), max: Some(2000) });
		assert_eq!(query.range("cpu_cores"), Range { min: Some(4), max: None });
		assert_eq!(query.range("duration"), Range::default());
		assert_eq!(query.limit(), 5);
		assert!(query.flag("count") && query.descending());
		assert_eq!(query.range("ram_size"), Range::default());
	}

	#[test]
	fn bad_queries_are_refused_by_name() {
		let route = orders();
		assert_eq!(refusal(&route, "colour=red"), "UnknownParameter");
		assert_eq!(refusal(&route, "price=9..3"), "RangeUpsideDown");
		assert_eq!(refusal(&route, "limit=1000000"), "LimitTooLarge");
		assert_eq!(refusal(&route, "limit=0"), "BadValue");
		assert_eq!(refusal(&route, "author=bob"), "BadAddress");
		assert_eq!(refusal(&route, "side=Ask%27%3B%20DROP%20TABLE%20orders%3B--"), "BadValue");
		assert_eq!(refusal(&route, "cursor=1;DELETE"), "BadCursor");
		assert_eq!(refusal(&route, "duration=abc"), "BadValue");
		assert_eq!(refusal(&route, "side=Ask&side=Bid"), "BadValue");
		assert_eq!(refusal(&route, "price=%ZZ"), "BadValue");
		assert_eq!(refusal(&route, "netflags=256"), "BadValue");
		assert_eq!(refusal(&route, "price=99999999999999999999999999999999999999999"), "BadValue");
	}

	#[test]
	fn every_benchmark_has_a_range_parameter_and_cursors_round_trip() {
		let route = orders();
		for name in BENCHMARK_NAMES {
			assert!(route.params.iter().any(|param| param.name == name), "{name}");
		}
		let cursor = PageCursor { key: "000123".into(), id: 7 };
		assert_eq!(PageCursor::parse(&cursor.to_string()).unwrap(), cursor);
	}
}
