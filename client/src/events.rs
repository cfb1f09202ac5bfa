//! A transaction's events decoded against the runtime's metadata into JSON-shaped values, so
//! they can be shown and scripted without knowing every event's type here.

use crate::ChainConfig;
use serde_json::{json, Map, Value as Json};
use subxt::{
	events::Event,
	ext::scale_value::{Composite, Primitive, Value, ValueDef},
	utils::AccountId32,
};

/// The largest integer a JSON number carries exactly in JavaScript (2^53 - 1); larger ones are
/// written as decimal strings.
const MAX_SAFE_INTEGER: u128 = (1 << 53) - 1;

/// One event, decoded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChainEvent {
	/// The pallet that emitted it (`Market`).
	pub pallet: String,
	/// The event (`DealOpened`).
	pub name: String,
	/// Its fields: named fields as an object, 32-byte accounts as SS58 addresses, hashes as hex,
	/// unit variants as their names, integers above 2^53 as decimal strings.
	pub fields: Json,
}

impl ChainEvent {
	/// A field as an unsigned integer (a number or a decimal string).
	pub fn u128(&self, field: &str) -> Option<u128> {
		match self.fields.get(field)? {
			Json::Number(number) => number.as_u64().map(u128::from),
			Json::String(text) => text.parse().ok(),
			_ => None,
		}
	}

	/// A field as text (an address, a variant's name).
	pub fn text(&self, field: &str) -> Option<&str> {
		self.fields.get(field)?.as_str()
	}
}

/// Every event of a transaction, decoded; one that cannot be decoded keeps its raw bytes.
pub fn decode_events(events: &subxt::extrinsics::ExtrinsicEvents<ChainConfig>) -> Vec<ChainEvent> {
	events.iter().filter_map(Result::ok).map(|event| decode_event(&event)).collect()
}

/// One event, decoded.
pub fn decode_event(event: &Event<'_, ChainConfig>) -> ChainEvent {
	let fields = match event.decode_fields_unchecked_as::<Composite<()>>() {
		Ok(composite) => composite_to_json(&composite, None),
		Err(_) => json!({ "raw": format!("0x{}", hex::encode(event.field_bytes())) }),
	};
	ChainEvent {
		pallet: event.pallet_name().to_owned(),
		name: event.event_name().to_owned(),
		fields,
	}
}

/// Whether a field of this name holds a hash rather than an account.
fn is_hash_field(name: Option<&str>) -> bool {
	name.is_some_and(|name| name.contains("hash") || name.contains("evidence"))
}

fn composite_to_json(composite: &Composite<()>, name: Option<&str>) -> Json {
	match composite {
		Composite::Named(fields) => Json::Object(
			fields
				.iter()
				.map(|(field, value)| (field.clone(), value_to_json(value, Some(field))))
				.collect::<Map<_, _>>(),
		),
		Composite::Unnamed(values) => {
			if let Some(bytes) = as_bytes32(values) {
				return if is_hash_field(name) {
					Json::String(format!("0x{}", hex::encode(bytes)))
				} else {
					Json::String(AccountId32(bytes).to_string())
				};
			}
			match values.as_slice() {
				[single] => value_to_json(single, name),
				_ => Json::Array(values.iter().map(|value| value_to_json(value, name)).collect()),
			}
		},
	}
}

fn value_to_json(value: &Value<()>, name: Option<&str>) -> Json {
	match &value.value {
		ValueDef::Composite(composite) => composite_to_json(composite, name),
		ValueDef::Variant(variant) => match &variant.values {
			values if values.is_empty() => Json::String(variant.name.clone()),
			values => json!({ variant.name.clone(): composite_to_json(values, name) }),
		},
		ValueDef::Primitive(primitive) => match primitive {
			Primitive::Bool(flag) => Json::Bool(*flag),
			Primitive::Char(c) => Json::String(c.to_string()),
			Primitive::String(text) => Json::String(text.clone()),
			Primitive::U128(n) if *n <= MAX_SAFE_INTEGER => json!(*n as u64),
			Primitive::U128(n) => Json::String(n.to_string()),
			Primitive::I128(n) if n.unsigned_abs() <= MAX_SAFE_INTEGER => json!(*n as i64),
			Primitive::I128(n) => Json::String(n.to_string()),
			Primitive::U256(bytes) | Primitive::I256(bytes) => {
				Json::String(format!("0x{}", hex::encode(bytes)))
			},
		},
		ValueDef::BitSequence(bits) => {
			Json::String(bits.iter().map(|bit| if bit { '1' } else { '0' }).collect())
		},
	}
}

/// The 32 bytes of an unnamed composite of exactly 32 `u8` values (an account or a hash).
fn as_bytes32(values: &[Value<()>]) -> Option<[u8; 32]> {
	if values.len() != 32 {
		return None;
	}
	let mut bytes = [0u8; 32];
	for (byte, value) in bytes.iter_mut().zip(values) {
		match value.value {
			ValueDef::Primitive(Primitive::U128(n)) if n <= 255 => *byte = n as u8,
			_ => return None,
		}
	}
	Some(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn bytes(seed: u8) -> Value<()> {
		Value::unnamed_composite((0..32).map(|i| Value::u128(u128::from(seed.wrapping_add(i)))))
	}

	#[test]
	fn accounts_hashes_variants_and_big_numbers() {
		let alice = crate::keys::Key::dev("alice").unwrap().account_id();
		let account = Value::unnamed_composite([Value::unnamed_composite(
			alice.0.iter().map(|b| Value::u128(u128::from(*b))),
		)]);
		let fields = Composite::Named(vec![
			("id".into(), Value::u128(7)),
			("author".into(), account),
			("hash".into(), bytes(1)),
			("side".into(), Value::unnamed_variant("Ask", [])),
			("amount".into(), Value::u128(10u128.pow(18))),
			("paused".into(), Value::bool(true)),
		]);
		let json = composite_to_json(&fields, None);
		assert_eq!(json["id"], 7);
		assert_eq!(json["author"], "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert_eq!(json["hash"].as_str().unwrap().len(), 66);
		assert_eq!(json["side"], "Ask");
		assert_eq!(json["amount"], "1000000000000000000");
		assert_eq!(json["paused"], true);
		let event = ChainEvent { pallet: "Market".into(), name: "X".into(), fields: json };
		assert_eq!(event.u128("amount"), Some(10u128.pow(18)));
		assert_eq!(event.u128("id"), Some(7));
		assert_eq!(event.text("side"), Some("Ask"));
	}
}
