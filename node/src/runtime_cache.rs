//! `--runtime-cache <DIR>`: what a node start would otherwise compute from the runtime's wasm
//! every time, kept on disk and shared by every node given the same directory.
//!
//! Without it each start of a built-in chain compiles the runtime three times: twice for the
//! chain spec (sc-chain-spec's genesis builder asks the runtime for its preset, each time with
//! an executor of its own) and once for the client, about 8 CPU-seconds each on two cores in
//! the debug build. With it:
//! - `DIR/chain-spec/<id>-<key>.json`: the built-in chain's spec with its genesis state already
//!   built (`raw`), written once by the first node that needs it. The key is a hash of the
//!   runtime's wasm, the chain's id and the node binary's size and modification time, so a new
//!   runtime or a rebuilt node (whose chain-spec code may have changed) never reads an old one.
//! - `DIR/wasmtime/`: wasmtime's cache of compiled code (keyed by wasmtime itself on the code,
//!   its version and its settings), used by the client's executor.
//!
//! Writes go to a temporary file renamed into place, so nodes starting together may share a
//! directory; a file that cannot be read is rebuilt; a new spec replaces the chain's older
//! ones.

use crate::chain_spec::ChainSpec;
use std::{
	path::{Path, PathBuf},
	sync::OnceLock,
	time::UNIX_EPOCH,
};

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Sets the cache directory for this process (from the command line, before anything is built).
pub fn set(dir: PathBuf) {
	let _ = DIR.set(dir);
}

/// The cache directory, when one was given.
pub fn dir() -> Option<&'static Path> {
	DIR.get().map(PathBuf::as_path)
}

/// The client's executor: [`sc_service::new_wasm_executor`]'s, with wasmtime's cache of
/// compiled code in `DIR/wasmtime` when a directory was given.
pub fn executor<H: sc_executor::HostFunctions>(
	config: &sc_service::config::ExecutorConfiguration,
) -> sc_executor::WasmExecutor<H> {
	let heap = config.default_heap_pages.map_or(sc_executor::DEFAULT_HEAP_ALLOC_STRATEGY, |p| {
		sc_executor::HeapAllocStrategy::Static { extra_pages: p as _ }
	});
	let builder = sc_executor::WasmExecutor::<H>::builder()
		.with_execution_method(config.wasm_method)
		.with_onchain_heap_alloc_strategy(heap)
		.with_offchain_heap_alloc_strategy(heap)
		.with_max_runtime_instances(config.max_runtime_instances)
		.with_runtime_cache_size(config.runtime_cache_size);
	match dir() {
		Some(dir) => builder.with_cache_path(dir.join("wasmtime")).build(),
		None => builder.build(),
	}
}

/// The built-in chain `id`'s spec: from the cache when it holds one for this runtime and this
/// node binary, else `build()`'s, with its genesis built once and kept for the next start.
/// Without a cache directory, `build()`'s as it is.
pub fn built_in_spec(
	id: &str,
	wasm: &[u8],
	build: impl FnOnce() -> Result<ChainSpec, String>,
) -> Result<ChainSpec, String> {
	let Some(dir) = dir() else { return build() };
	let file = dir.join("chain-spec").join(format!("{id}-{}.json", key(id, wasm)));
	// The chain spec is loaded before the node's logger starts: these lines go to stderr.
	if let Ok(bytes) = std::fs::read(&file) {
		match ChainSpec::from_json_bytes(bytes) {
			Ok(spec) => {
				eprintln!("runtime cache: the {id} chain's genesis from {}", file.display());
				return Ok(spec);
			},
			Err(e) => {
				eprintln!("runtime cache: {} unreadable ({e}); building it again", file.display())
			},
		}
	}
	let raw = build()?.as_json(true)?;
	match write_atomically(&file, raw.as_bytes()) {
		Ok(()) => {
			eprintln!("runtime cache: the {id} chain's genesis built, kept in {}", file.display());
			forget_other_specs(&file, id);
		},
		Err(e) => eprintln!("runtime cache: could not keep {}: {e}", file.display()),
	}
	ChainSpec::from_json_bytes(raw.into_bytes())
}

/// Removes the chain's specs of other runtimes and node binaries: every rebuild of the node
/// makes a new key, and the old specs (megabytes each) would pile up.
fn forget_other_specs(kept: &Path, id: &str) {
	let Some(dir) = kept.parent() else { return };
	let Ok(entries) = std::fs::read_dir(dir) else { return };
	let prefix = format!("{id}-");
	for entry in entries.flatten() {
		let path = entry.path();
		let name = entry.file_name();
		let name = name.to_string_lossy();
		if path != kept && name.starts_with(&prefix) && name.ends_with(".json") {
			let _ = std::fs::remove_file(path);
		}
	}
}

/// What a cached spec depends on: the runtime, the chain, and the node's own code (its binary's
/// size and modification time stand for it: reading a debug binary whole to hash it costs more
/// than the cache saves).
fn key(id: &str, wasm: &[u8]) -> String {
	let binary = std::env::current_exe()
		.and_then(std::fs::metadata)
		.map(|meta| {
			let modified = meta
				.modified()
				.ok()
				.and_then(|at| at.duration_since(UNIX_EPOCH).ok())
				.map_or(0, |since| since.as_nanos());
			format!("{}:{modified}", meta.len())
		})
		.unwrap_or_default();
	let mut input = sp_io::hashing::blake2_256(wasm).to_vec();
	input.extend_from_slice(id.as_bytes());
	input.extend_from_slice(binary.as_bytes());
	hex::encode(&sp_io::hashing::blake2_256(&input)[..12])
}

fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let parent = file.parent().expect("a file in the cache directory");
	std::fs::create_dir_all(parent)?;
	let temporary = parent.join(format!(".{}.{}", std::process::id(), rand_suffix()));
	std::fs::write(&temporary, bytes)?;
	std::fs::rename(&temporary, file).inspect_err(|_| {
		let _ = std::fs::remove_file(&temporary);
	})
}

/// With the process id, tells apart the temporary files of nodes writing the same spec at once.
fn rand_suffix() -> u128 {
	std::time::SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map_or(0, |d| d.as_nanos())
}
