# Sourced by the scripts: one shared cargo target directory for the shell, the scripts and CI,
# so that a build done once is reused everywhere. Override by exporting CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sonm-target}"
mkdir -p "$CARGO_TARGET_DIR"

# CI builds a fresh clone once: incremental caches (several GiB for a Substrate workspace) would
# only fill the disk.
if [ "${CI:-}" = true ]; then
	export CARGO_INCREMENTAL=0
fi

# anvil and solcjs, installed by scripts/setup.sh.
export PATH="$HOME/.cache/sonm-npm/node_modules/.bin:$PATH"

# The pallets whose benchmarks the test suite runs against their own test runtimes.
BENCHMARKED_PALLETS=(-p pallet-market -p pallet-blacklist -p pallet-kyc -p pallet-oracle -p pallet-masternodes -p pallet-gatekeeper)

# The one build that both the main job (`scripts/dev.sh`) and the test suite
# (`scripts/test.sh`) run, so that either, run after the other, compiles nothing but the
# workspace's own crates: cargo unifies features over the packages and targets it is asked
# for, so another selection (`-p sonm-node` alone, say) compiles hundreds of dependencies again
# with other features. Two feature sets: the workspace with every target, and the benchmarked
# pallets' tests with `runtime-benchmarks` (no wasm runtime needed for those).
build_workspace() {
	cargo build --workspace --all-targets
	SKIP_WASM_BUILD=1 cargo build "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks --tests
	build_bridge
}

# The bridge (sonm-bridge, sonm-contracts: alloy) is a workspace of its own with its own target
# folder (see bridge/Cargo.toml); its binary is "$BRIDGE_TARGET_DIR/debug/sonm-bridge".
export BRIDGE_TARGET_DIR="$CARGO_TARGET_DIR/bridge"
build_bridge() {
	CARGO_TARGET_DIR="$BRIDGE_TARGET_DIR" cargo build --manifest-path bridge/Cargo.toml --workspace --all-targets
}

# The fuzzer (fuzz/: libFuzzer over the runtime with `try-runtime`) is a workspace of its own
# with its own target folder, built for an explicit target (so that build scripts and proc
# macros stay plain) and with coverage instrumentation on the project's own crates
# (scripts/fuzz-rustc.sh); the fuzzers are "$FUZZ_BIN_DIR/<target>".
export FUZZ_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"
FUZZ_TRIPLE=x86_64-unknown-linux-gnu
export FUZZ_BIN_DIR="$FUZZ_TARGET_DIR/$FUZZ_TRIPLE/release"
FUZZ_TARGETS=(runtime_calls extrinsic_decode)
build_fuzz() {
	RUSTC_WRAPPER="$PWD/scripts/fuzz-rustc.sh" RUSTFLAGS="--cfg fuzzing" SKIP_WASM_BUILD=1 \
		CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" \
		cargo build --manifest-path fuzz/Cargo.toml --release --bins --target "$FUZZ_TRIPLE"
}
