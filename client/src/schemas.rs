//! The JSON shapes clients read, as JSON Schemas derived from the Rust types that serve them
//! (`schemars`), for OpenAPI 3.1 documents: the indexer's `/openapi.json` and
//! [`shapes_document`], the node's market RPC answers and the terms module's web calls. The web
//! console's TypeScript types are generated from these documents (`web/src/generated/`), so a
//! shape is declared once, in Rust.

use schemars::{generate::SchemaSettings, JsonSchema, SchemaGenerator};
use serde_json::{json, Value};
use sonm_rpc::{market, types::Price};
use sonm_terms::{
	order::{BenchmarkKind, OrderForm, OrderSpec, TermsError},
	task_auth::{SessionGrant, SignedRequest},
	web::FormatKind,
};

/// Where OpenAPI keeps the schemas that documents refer to.
pub const COMPONENTS: &str = "/components/schemas";

/// A generator of JSON Schema 2020-12 (OpenAPI 3.1's dialect) referring to named types under
/// [`COMPONENTS`], for JSON as the Rust types write it: a field is optional only where it may be
/// left out (`skip_serializing_if`); an `Option` written as `null` is required and nullable.
pub fn answers() -> SchemaGenerator {
	settings().for_serialize().into_generator()
}

/// The same for JSON the Rust types read: a field with a default may be left out.
pub fn inputs() -> SchemaGenerator {
	settings().for_deserialize().into_generator()
}

fn settings() -> SchemaSettings {
	SchemaSettings::draft2020_12().with(|settings| {
		settings.definitions_path = COMPONENTS.into();
		settings.meta_schema = None;
	})
}

/// Adds `T`'s schema and those it refers to.
fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
	generator.subschema_for::<T>();
}

/// The node's market RPC answers (`market_order`, `market_deal`, `market_changeRequests`,
/// `market_closeQuote`) and the filter of `market_orders`, and the terms module's web calls
/// (`parseOrder`'s form and answer, the control plane's signed requests and session grants),
/// as an OpenAPI 3.1 document of components only.
pub fn shapes_document() -> Value {
	let mut answers = self::answers();
	add::<market::Order>(&mut answers);
	add::<market::Deal>(&mut answers);
	add::<market::ChangeRequest>(&mut answers);
	add::<market::CloseQuote>(&mut answers);
	add::<Price>(&mut answers);
	add::<OrderSpec>(&mut answers);
	add::<TermsError>(&mut answers);
	add::<BenchmarkKind>(&mut answers);
	add::<SignedRequest>(&mut answers);
	add::<SessionGrant>(&mut answers);
	let mut inputs = self::inputs();
	add::<market::OrderFilter>(&mut inputs);
	add::<OrderForm>(&mut inputs);
	add::<FormatKind>(&mut inputs);
	let mut schemas = answers.take_definitions(true);
	for (name, schema) in inputs.take_definitions(true) {
		// A type both read and written (an enum, a price) must read as it is written.
		if let Some(written) = schemas.get(&name) {
			assert_eq!(written, &schema, "{name} is read otherwise than it is written");
		}
		schemas.insert(name, schema);
	}
	json!({
		"openapi": "3.1.0",
		"info": {
			"title": "sonm-node market RPC and sonm-terms",
			"version": env!("CARGO_PKG_VERSION"),
			"description": "The JSON of the node's market_* RPC answers and of the terms \
				module's calls (the web console runs it as WebAssembly). Amounts are decimal \
				strings of base units.",
		},
		"components": { "schemas": schemas },
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_are_strings_and_names_are_the_types() {
		let document = shapes_document();
		let schemas = &document["components"]["schemas"];
		assert_eq!(schemas["Deal"]["properties"]["escrow"]["type"], "string");
		assert_eq!(schemas["Price"]["properties"]["perSecond"]["type"], "string");
		assert_eq!(schemas["Order"]["properties"]["price"]["$ref"], "#/components/schemas/Price");
		assert_eq!(schemas["OrderSpec"]["properties"]["benchmarks"]["items"]["type"], "string");
		let units: Vec<_> = schemas["PriceUnit"]["oneOf"]
			.as_array()
			.unwrap()
			.iter()
			.map(|unit| &unit["const"])
			.collect();
		assert_eq!(units, [&json!("SNM"), &json!("USD")]);
		// Written as null, read as absent.
		let required = |name: &str| schemas[name]["required"].as_array().unwrap().clone();
		assert!(required("Order").contains(&json!("counterparty")));
		assert!(!required("SignedRequest").contains(&json!("session")));
		assert!(schemas["OrderForm"].get("required").is_none());
	}
}
