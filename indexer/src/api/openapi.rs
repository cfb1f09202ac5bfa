//! The OpenAPI 3.1 description at `/openapi.json`, built from the routes and parameters
//! `sonm_client::indexer_api` declares (the same declaration every query is checked against).

use serde_json::{json, Map, Value};
use sonm_client::indexer_api::routes;

/// The whole description.
pub fn document() -> Value {
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
		paths.insert(
			route.path.into(),
			json!({ "get": {
				"summary": route.summary,
				"parameters": parameters,
				"responses": {
					"200": { "description": "The answer, as JSON" },
					"400": { "description": "A bad parameter, named", "content": error_content() },
					"404": { "description": "No such entry", "content": error_content() },
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
		"components": { "schemas": { "Error": {
			"type": "object",
			"required": ["error", "message"],
			"properties": {
				"error": { "type": "string", "description": "The refusal's name" },
				"message": { "type": "string" },
			}
		}}}
	})
}

fn error_content() -> Value {
	json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } })
}
