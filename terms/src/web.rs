//! The web console's entry point: one call, JSON in and JSON out, over the order checks, the
//! units, the control plane's signed messages and their verification, so that the page runs
//! this crate's rules rather than a second copy of them in TypeScript.
//!
//! A call is `{"op": NAME, ...}`; the answer is `{"ok": VALUE}` or
//! `{"error": {"name": NAME, "field": FIELD?, "message": TEXT}}`. Built to WebAssembly, the
//! module exports `terms_alloc(len) -> ptr`, `terms_free(ptr, len)` and
//! `terms_call(ptr, len) -> ptr`: the page writes the call's UTF-8 into memory it allocated, and
//! the answer comes back as a 4-byte little-endian length followed by its UTF-8, which the page
//! frees (length + 4 bytes) once read.

use crate::{
	format,
	order::{self, OrderForm, BENCHMARKS},
	task_auth::{sha256_hex, AccountId32, SessionGrant, SignedRequest},
	units::Price,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::str::FromStr;

/// What the page asks.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Call {
	/// The resources an order names, in order, with how each is written.
	Benchmarks,
	/// An order form read and checked as the CLI reads an order file.
	ParseOrder { form: OrderForm },
	/// One value as a form field holds it (`price`, `duration`, `expires-in` or a resource's
	/// name), to the chain's integer; a filter's bound, say.
	ParseValue { field: String, text: String },
	/// Values for people, each as [`format`] writes it.
	#[serde(rename_all = "camelCase")]
	Format { kind: FormatKind, values: Vec<Value> },
	/// The bytes a control-plane request's signature covers (as UTF-8), with its body's hash.
	#[serde(rename_all = "camelCase")]
	RequestMessage {
		method: String,
		path: String,
		deal: u64,
		body: String,
		timestamp: u64,
		nonce: String,
	},
	/// The bytes a customer signs to grant a deal to a session key (as UTF-8).
	#[serde(rename_all = "camelCase")]
	SessionMessage { deal: u64, session: String, expires_at: u64 },
	/// The worker's check of a signed request at `now` (unix seconds); the account it acts as.
	VerifyRequest { request: SignedRequest, body: String, now: u64 },
}

/// What [`Call::Format`] writes.
#[derive(Clone, Copy, Debug, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FormatKind {
	/// Base units (decimal string) as SNM, rounded as people read them.
	Snm,
	/// Base units (decimal string) as an exact decimal.
	Exact,
	/// A price (`{"perSecond": "…", "unit": "SNM"}`) per hour.
	Price,
	/// A deal's duration in seconds as `1h30m` (`spot` for 0).
	Duration,
	/// Elapsed seconds as `1h30m` (`0s` for 0).
	Span,
	/// `[at, now]` in unix seconds as `3m ago`, `in 5s` or `now`.
	Relative,
	/// Bytes as `2 GiB`.
	Size,
	/// Bits per second as `100 Mbit/s`.
	Bandwidth,
	/// Network flag bits as their names.
	Netflags,
	/// Unix seconds as a UTC date and time.
	Utc,
}

/// A refusal, by name.
#[derive(Debug, Serialize)]
struct Refusal {
	name: &'static str,
	#[serde(skip_serializing_if = "Option::is_none")]
	field: Option<String>,
	message: String,
}

impl Refusal {
	fn new(name: &'static str, message: impl ToString) -> Self {
		Self { name, field: None, message: message.to_string() }
	}
}

/// Answers one call given as JSON text.
pub fn call_json(text: &str) -> String {
	let answer = match serde_json::from_str::<Call>(text) {
		Ok(call) => answer(call),
		Err(error) => Err(Refusal::new("BadCall", error)),
	};
	match answer {
		Ok(value) => json!({ "ok": value }),
		Err(refusal) => json!({ "error": refusal }),
	}
	.to_string()
}

fn answer(call: Call) -> Result<Value, Refusal> {
	match call {
		Call::Benchmarks => Ok(json!(BENCHMARKS
			.iter()
			.map(|(name, kind)| json!({ "name": name, "kind": kind }))
			.collect::<Vec<_>>())),
		Call::ParseOrder { form } => match form.parse() {
			Ok(spec) => Ok(json!(spec)),
			Err(error) => Err(Refusal {
				name: "BadOrder",
				field: Some(error.field.clone()),
				message: error.message,
			}),
		},
		Call::ParseValue { field, text } => {
			let parsed = match field.as_str() {
				"price" => order::parse_price(&text).map(|price| json!(price)),
				"duration" | "expires-in" => order::parse_duration(&field, &text).map(|s| json!(s)),
				resource => {
					order::parse_benchmark(resource, &text).map(|(_, v)| json!(v.to_string()))
				},
			};
			parsed.map_err(|error| Refusal {
				name: "BadValue",
				field: Some(error.field.clone()),
				message: error.message,
			})
		},
		Call::Format { kind, values } => values
			.iter()
			.map(|value| format_one(kind, value))
			.collect::<Result<Vec<_>, _>>()
			.map(|texts| json!(texts)),
		Call::RequestMessage { method, path, deal, body, timestamp, nonce } => {
			let request = SignedRequest {
				method,
				path,
				deal,
				body_sha256: sha256_hex(body.as_bytes()),
				timestamp,
				nonce,
				account: String::new(),
				signature: String::new(),
				session: None,
			};
			let message = String::from_utf8(request.message()).expect("the message is text");
			Ok(json!({ "message": message, "bodySha256": request.body_sha256 }))
		},
		Call::SessionMessage { deal, session, expires_at } => {
			let session = AccountId32::from_str(&session).map_err(|_| {
				Refusal::new("Malformed", format!("{session:?} is not an SS58 address"))
			})?;
			let message = SessionGrant::message(deal, &session, expires_at);
			Ok(json!({ "message": String::from_utf8(message).expect("the message is text") }))
		},
		Call::VerifyRequest { request, body, now } => request
			.verify(body.as_bytes(), now)
			.map(|account| json!({ "account": account.to_string() }))
			.map_err(|error| Refusal::new(error.name(), &error)),
	}
}

/// One value for people; a value of the wrong form is refused by name.
fn format_one(kind: FormatKind, value: &Value) -> Result<String, Refusal> {
	let bad = || Refusal::new("BadValue", format!("{value} is not a value to format as {kind:?}"));
	let integer = || -> Result<u128, Refusal> {
		match value {
			Value::String(text) => text.parse::<u128>().map_err(|_| bad()),
			Value::Number(number) => number.as_u64().map(u128::from).ok_or_else(bad),
			_ => Err(bad()),
		}
	};
	let small = || integer().and_then(|n| u64::try_from(n).map_err(|_| bad()));
	Ok(match kind {
		FormatKind::Snm => format::snm(integer()?),
		FormatKind::Exact => format::exact_decimal(integer()?),
		FormatKind::Price => {
			let price: Price = serde_json::from_value(value.clone()).map_err(|_| bad())?;
			format::price(price)
		},
		FormatKind::Duration => format::duration(small()?),
		FormatKind::Span => format::span(small()?),
		FormatKind::Relative => {
			let [at, now]: [u64; 2] = serde_json::from_value(value.clone()).map_err(|_| bad())?;
			format::relative(at, now)
		},
		FormatKind::Size => format::size(small()?),
		FormatKind::Bandwidth => format::bandwidth(small()?),
		FormatKind::Netflags => format::netflags(u8::try_from(small()?).map_err(|_| bad())?),
		FormatKind::Utc => format::utc(small()?),
	})
}

/// The WebAssembly module's exports (see the module's doc).
#[cfg(target_arch = "wasm32")]
mod exports {
	/// `len` bytes for the page to write a call into.
	#[no_mangle]
	pub extern "C" fn terms_alloc(len: usize) -> *mut u8 {
		Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
	}

	/// Frees what [`terms_alloc`] or [`terms_call`] gave.
	///
	/// # Safety
	/// `ptr` and `len` are exactly what one of them gave, freed once.
	#[no_mangle]
	pub unsafe extern "C" fn terms_free(ptr: *mut u8, len: usize) {
		drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
	}

	/// Answers the call in `len` bytes at `ptr` (see the module's doc for the answer's layout).
	///
	/// # Safety
	/// `ptr` holds `len` initialized bytes.
	#[no_mangle]
	pub unsafe extern "C" fn terms_call(ptr: *const u8, len: usize) -> *mut u8 {
		let input = std::slice::from_raw_parts(ptr, len);
		let answer = match std::str::from_utf8(input) {
			Ok(text) => super::call_json(text),
			Err(_) => super::call_json("not UTF-8"),
		};
		let mut framed = Vec::with_capacity(answer.len() + 4);
		framed.extend_from_slice(&(answer.len() as u32).to_le_bytes());
		framed.extend_from_slice(answer.as_bytes());
		Box::into_raw(framed.into_boxed_slice()).cast()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::units;

	fn ok(call: Value) -> Value {
		let answer: Value = serde_json::from_str(&call_json(&call.to_string())).unwrap();
		answer.get("ok").cloned().unwrap_or_else(|| panic!("refused: {answer}"))
	}

	fn refused(call: Value) -> Value {
		let answer: Value = serde_json::from_str(&call_json(&call.to_string())).unwrap();
		answer.get("error").cloned().unwrap_or_else(|| panic!("answered: {answer}"))
	}

	#[test]
	fn an_order_form_is_read_as_the_cli_reads_it() {
		let spec = ok(json!({ "op": "parseOrder", "form": {
			"side": "bid", "price": "2.5 USD/h", "duration": "8h", "identity": "registered",
			"outbound": true, "resources": [["ram-size", "2 GiB"], ["cpu-cores", "4"]]
		}}));
		let price = units::parse_price("2.5 USD/h").unwrap();
		assert_eq!(spec["side"], "Bid");
		assert_eq!(spec["price"]["perSecond"], price.per_second.to_string());
		assert_eq!(spec["price"]["unit"], "USD");
		assert_eq!(spec["duration"], 8 * 3600);
		assert_eq!(spec["minIdentity"], "Registered");
		assert_eq!(spec["netflags"], 2);
		assert_eq!(spec["benchmarks"][3], (2u64 << 30).to_string());
		assert_eq!(spec["benchmarks"][2], "4");
		let error = refused(json!({ "op": "parseOrder", "form": {
			"side": "bid", "price": "2.5 EUR/h", "duration": "8h" }}));
		assert_eq!(error["name"], "BadOrder");
		assert_eq!(error["field"], "price");
		assert!(error["message"].as_str().unwrap().contains("EUR"), "{error}");
	}

	#[test]
	fn values_are_formatted_as_the_cli_shows_them() {
		let texts = ok(json!({ "op": "format", "kind": "snm",
			"values": ["1500000000000000000", 0, "1199999999999999999"] }));
		assert_eq!(texts, json!(["1.5 SNM", "0 SNM", "~1.2 SNM"]));
		let price = ok(json!({ "op": "format", "kind": "price",
			"values": [{ "perSecond": "277777777777777", "unit": "SNM" }] }));
		assert_eq!(price[0], format::price(units::parse_price("1 SNM/h").unwrap()));
		assert_eq!(
			ok(json!({ "op": "format", "kind": "size", "values": [2147483648u64] }))[0],
			"2 GiB"
		);
		let spans = ok(json!({ "op": "format", "kind": "span", "values": [0, 5400] }));
		assert_eq!(spans, json!(["0s", "1h30m"]));
		let ago = ok(json!({ "op": "format", "kind": "relative", "values": [[100, 280]] }));
		assert_eq!(ago[0], "3m ago");
		assert_eq!(
			refused(json!({ "op": "format", "kind": "size", "values": ["lots"] }))["name"],
			"BadValue"
		);
		assert_eq!(refused(json!({ "op": "paint" }))["name"], "BadCall");
		let ram = ok(json!({ "op": "parseValue", "field": "ram-size", "text": "2 GiB" }));
		assert_eq!(ram, (2u64 << 30).to_string());
		assert_eq!(ok(json!({ "op": "parseValue", "field": "duration", "text": "1h" })), 3600);
		let error = refused(json!({ "op": "parseValue", "field": "price", "text": "cheap" }));
		assert_eq!(
			(error["name"].as_str(), error["field"].as_str()),
			(Some("BadValue"), Some("price"))
		);
	}

	#[test]
	fn the_messages_signed_are_the_workers() {
		let answer = ok(json!({ "op": "requestMessage", "method": "GET", "path": "/deals/7/task",
			"deal": 7, "body": "", "timestamp": 1000, "nonce": "n-1" }));
		assert_eq!(
			answer["message"],
			format!("sonm-task-request-v1\nGET\n/deals/7/task\n7\n{}\n1000\nn-1", sha256_hex(b""))
		);
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let grant =
			ok(json!({ "op": "sessionMessage", "deal": 7, "session": alice, "expiresAt": 1600 }));
		let session = AccountId32::from_str(alice).unwrap();
		assert_eq!(
			grant["message"],
			String::from_utf8(SessionGrant::message(7, &session, 1600)).unwrap()
		);
		assert_eq!(
			refused(json!({ "op": "sessionMessage", "deal": 7, "session": "x", "expiresAt": 1 }))
				["name"],
			"Malformed"
		);
	}
}
