//! The SONM runtime as a wasm blob ([`WASM_BINARY`]), built from `runtime/` by this crate's
//! build script. `None` when the build was skipped (`SKIP_WASM_BUILD=1`).

include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
