//! Compiles `runtime/` (the `sonm-runtime` crate) to wasm and embeds the blob as
//! `WASM_BINARY`. This crate's features (`runtime-benchmarks`, `try-runtime`) are forwarded to
//! the wasm build by name; `metadata-hash` also embeds the metadata hash.

fn main() {
	// Canonical: the builder finds the crate in `cargo metadata` by this exact path.
	let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../Cargo.toml")
		.canonicalize()
		.expect("runtime/Cargo.toml exists");
	let builder = substrate_wasm_builder::WasmBuilder::new()
		.with_project(runtime)
		.expect("a path to a Cargo.toml")
		.export_heap_base()
		.import_memory();
	#[cfg(feature = "metadata-hash")]
	let builder = builder.enable_metadata_hash("SNM", 18);
	builder.build();
}
