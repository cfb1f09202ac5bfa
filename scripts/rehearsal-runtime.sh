#!/usr/bin/env bash
# Builds the upgrade rehearsal's runtime for wasm: this source with the runtime's
# `upgrade-rehearsal` feature (`spec_version` one higher, the market's next layout of a deal and
# its migration), and prints the path of its blob; and `rehearsal_check`, the same runtime
# natively with try-runtime's checks (scripts/env.sh). The test that upgrades a live
# four-validator network (load/tests/upgrade.rs) runs it, so that no runtime binary is ever
# committed.
#
# The blob is built the way the node's own is (runtime/wasm/build.rs, substrate-wasm-builder):
# the same wasm target, flags, profile and target folder, so that only the crates the feature
# touches (pallet-market, sonm-runtime) compile again; under its own crate name, so that the
# node's blob is never overwritten. Needs the main build first (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

wbuild="$CARGO_TARGET_DIR/debug/wbuild"
node_blob_project="$wbuild/sonm-runtime"
if [ ! -f "$node_blob_project/Cargo.lock" ]; then
	echo "rehearsal-runtime: no $node_blob_project yet: build the workspace first" >&2
	exit 1
fi
project="$wbuild/sonm-runtime-rehearsal"
mkdir -p "$project/src"
cat >"$project/Cargo.toml" <<EOF
[package]
name = "sonm-runtime-rehearsal-blob"
version = "1.0.0"
edition = "2021"

[lib]
name = "sonm_runtime_rehearsal"
crate-type = ["cdylib"]

[dependencies.wasm-project]
package = "sonm-runtime"
path = "$PWD/runtime"
default-features = false
features = ["upgrade-rehearsal"]

[profile.release]
lto = "thin"
panic = "abort"

[profile.dev]
panic = "abort"

[workspace]
resolver = "2"
EOF
echo '#![no_std] #![allow(unused_imports)] pub use wasm_project::*;' >"$project/src/lib.rs"
cp "$node_blob_project/Cargo.lock" "$project/Cargo.lock"

# What substrate-wasm-builder passes (wasm32v1-none; `--export-table`, then the node's
# `export_heap_base` and `import_memory`, then the runtime cfg).
progress "building the upgrade rehearsal's runtime (wasm, release)"
RUSTFLAGS="-C link-arg=--export-table -C link-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime " \
	CARGO_TARGET_DIR="$node_blob_project/target" SKIP_WASM_BUILD="" \
	env -u CARGO_ENCODED_RUSTFLAGS -u RUSTC \
	cargo rustc --target=wasm32v1-none --manifest-path="$project/Cargo.toml" --profile release \
	>&2
blob="$node_blob_project/target/wasm32v1-none/release/sonm_runtime_rehearsal.wasm"
[ -f "$blob" ] || { echo "rehearsal-runtime: no $blob" >&2; exit 1; }
build_rehearsal_check >&2
echo "$blob"
