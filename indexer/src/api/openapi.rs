//! The OpenAPI 3.1 description at `/openapi.json`, built from the routes, parameters and answer
//! types `sonm_client::indexer_api` declares (the same declaration every query is checked
//! against); the answers' schemas are derived from the Rust types the handlers serve.

use serde_json::{json, Map, Value};
use sonm_client::{
	indexer_api::{routes, ApiError},
	schemas,
};

/// The whole description.
pub fn document() -> Value {
	let mut generator = schemas::answers();
	let error = generator.subschema_for::<ApiError>();
	let mut paths = Map::new();
	for route in routes() {
		let mut parameters: Vec<Value> = route
			.path
			.split('/')
			.filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
			.map(
				|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }),
			)
			.collect();
		parameters.extend(route.params.iter().map(|param| {
			json!({
				"name": param.name,
				"in": "query",
				"required": false,
				"description": param.doc,
				"schema": param.kind.schema(),
			})
		}));
		let answer = (route.answer)(&mut generator);
		paths.insert(
			route.path.into(),
			json!({ "get": {
				"summary": route.summary,
				"parameters": parameters,
				"responses": {
					"200": { "description": "The answer", "content": content(answer.to_value()) },
					"400": { "description": "A bad parameter, named", "content": content(error.as_value().clone()) },
					"404": { "description": "No such entry", "content": content(error.as_value().clone()) },
				}
			}}),
		);
	}
	json!({
		"openapi": "3.1.0",
		"info": {
			"title": "sonm-indexer",
			"version": env!("CARGO_PKG_VERSION"),
			"description": "The SONM market's history and search, from finalized blocks. Amounts are \
				decimal strings of base units; ranges are written MIN..MAX, MIN.. or ..MAX.",
		},
		"paths": paths,
		"components": { "schemas": generator.take_definitions(true) },
	})
}

fn content(schema: Value) -> Value {
	json!({ "application/json": { "schema": schema } })
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::path::PathBuf;

	/// The web console's TypeScript types are generated (`npm run types`) from copies of the
	/// documents in `web/src/generated/`; they must be what the Rust types say now.
	/// `SONM_UPDATE_SCHEMAS=1` rewrites them.
	#[test]
	fn the_web_consoles_copies_of_the_documents_are_current() {
		let generated = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/src/generated");
		let documents = [
			("indexer.openapi.json", document()),
			("shapes.openapi.json", schemas::shapes_document()),
		];
		for (file, document) in documents {
			let path = generated.join(file);
			let text = serde_json::to_string_pretty(&document).unwrap() + "\n";
			if std::env::var_os("SONM_UPDATE_SCHEMAS").is_some() {
				std::fs::create_dir_all(&generated).unwrap();
				std::fs::write(&path, &text).unwrap();
				continue;
			}
			let copy = std::fs::read_to_string(&path).unwrap_or_default();
			assert!(
				copy == text,
				"{} is not what the Rust types say: run `SONM_UPDATE_SCHEMAS=1 cargo nextest run \
				 -p sonm-indexer -E 'test(/copies_of_the_documents/)'` and then `npm run types` in web/",
				path.display()
			);
		}
	}

	#[test]
	fn every_route_names_its_answer_and_refusal() {
		let document = document();
		for route in routes() {
			let responses = &document["paths"][route.path]["get"]["responses"];
			assert!(responses["200"]["content"]["application/json"]["schema"].is_object());
			assert_eq!(
				responses["400"]["content"]["application/json"]["schema"]["$ref"],
				"#/components/schemas/ApiError"
			);
		}
		let schemas = &document["components"]["schemas"];
		assert_eq!(
			document["paths"]["/orders"]["get"]["responses"]["200"]["content"]["application/json"]
				["schema"]["$ref"],
			"#/components/schemas/IndexedOrderPage"
		);
		assert_eq!(schemas["IndexedDeal"]["properties"]["paid"]["type"], "string");
	}
}
