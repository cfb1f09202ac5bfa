# Sourced by the scripts: one shared cargo target directory for the shell, the scripts and CI,
# so that a build done once is reused everywhere. Override by exporting CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sonm-target}"
mkdir -p "$CARGO_TARGET_DIR"

# CI builds a fresh clone once: incremental caches (several GiB for a Substrate workspace) would
# only fill the disk.
if [ "${CI:-}" = true ]; then
	export CARGO_INCREMENTAL=0
fi

# The build lints as it compiles: clippy's driver compiles the workspace's own crates (cargo's
# workspace wrapper, what `cargo clippy` itself uses, here on the real build instead of a
# second, check-only build of some 1,400 dependencies); rustc compiles the dependencies as
# ever, so setting this changes nothing outside the workspace. `deny_warnings` turns what it
# reports into a failure: the test command holds the tree to `cargo clippy --all-targets --
# -D warnings` (clippy's default lints) at no extra build time.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver

# Every sonm-node the scripts and tests start (`--runtime-cache`, read from this variable)
# keeps the compiled runtime and the built-in chains' genesis here: the suite starts about a
# hundred nodes, and each would otherwise compile the runtime three times (docs/RUNNING.md).
export SONM_RUNTIME_CACHE="${SONM_RUNTIME_CACHE:-$CARGO_TARGET_DIR/runtime-cache}"

# anvil and solcjs, installed by scripts/setup.sh.
export PATH="$HOME/.cache/sonm-npm/node_modules/.bin:$PATH"

# The pallets whose benchmarks the test suite runs against their own test runtimes.
BENCHMARKED_PALLETS=(-p pallet-market -p pallet-blacklist -p pallet-kyc -p pallet-oracle -p pallet-masternodes -p pallet-gatekeeper)

# The workspace's selection, the same for every build and test command: everything but the
# fuzz crate, whose `try-runtime` feature must not reach the node (see the root Cargo.toml).
WORKSPACE=(--workspace --exclude sonm-fuzz)

# SONM_TIMINGS=1 makes every build write cargo's timing report
# ("$CARGO_TARGET_DIR/cargo-timings/cargo-timing-*.html"; docs/BUILDING.md reads them).
TIMINGS=()
[ "${SONM_TIMINGS:-}" != 1 ] || TIMINGS=(--timings)

# The build of the main job (`scripts/dev.sh`) and the test suite (`scripts/test.sh`): the
# same selection every time, so that either, run after the other, compiles nothing that the
# other compiled but the workspace's own crates (cargo unifies features over the packages and
# targets it is asked for, so another selection, `-p sonm-node` alone say, compiles hundreds of
# dependencies again with other features). Three feature sets, sharing every dependency they do
# not change: the workspace with every target (node, runtime, worker, CLI, bridge, ...:
# `build_main`, all the main job needs); the benchmarked pallets' tests with
# `runtime-benchmarks`; and the runtime's checks with `try-runtime` (`build_fuzz_checks`).
# Neither of the last two needs the wasm runtime.
build_main() {
	progress "building the workspace (node, runtime, worker, CLI, bridge) and its tests"
	cargo build "${TIMINGS[@]}" "${WORKSPACE[@]}" --all-targets
}
build_workspace() {
	build_main
	build_checks
}
# The two smaller feature sets: the benchmarked pallets' tests and the runtime's checks.
# scripts/test.sh builds them beside the workspace's tests, at the lowest CPU priority.
build_checks() {
	progress "building the benchmarked pallets' tests (runtime-benchmarks)"
	SKIP_WASM_BUILD=1 cargo build "${TIMINGS[@]}" "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks --tests
	build_fuzz_checks
}

# The release node with `runtime-benchmarks`: the `benchmark` subcommands, and the node the load
# figures are measured on (the market's calls run the same code), one build for
# scripts/benchmark-pallets.sh, scripts/benchmark-runtime-constants.sh and scripts/bench.sh:
# without clippy's driver (a release build measures, it does not lint), and without the storage
# benchmark's validate-block test runtime, which no script uses (`benchmark storage` runs in its
# import mode) and whose wasm cannot build under this workspace's WASM_BUILD_WORKSPACE_HINT
# (.cargo/config.toml: `cargo metadata` of the workspace does not list that optional package).
# "$CARGO_TARGET_DIR/release/sonm-node". (A release build: host functions of a debug build run
# several times slower and would inflate every weight.)
build_benchmark_node() {
	progress "building sonm-node --release with runtime-benchmarks"
	SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 env -u RUSTC_WORKSPACE_WRAPPER \
		cargo build "${TIMINGS[@]}" --release -p sonm-node --features runtime-benchmarks
}

# `sonm-terms` built to WebAssembly for the web console (web/src/wasm/sonm_terms.wasm): the
# order checks, units and control-plane signatures the page runs are the CLI's and the worker's
# own. Only that crate, for its own target and profile (`web`), so nothing else is rebuilt.
build_web_wasm() {
	progress "building sonm-terms for the web console (wasm32-unknown-unknown, profile web)"
	cargo rustc "${TIMINGS[@]}" -p sonm-terms --lib --target wasm32-unknown-unknown --profile web --crate-type cdylib
	mkdir -p web/src/wasm
	cp "$CARGO_TARGET_DIR/wasm32-unknown-unknown/web/sonm_terms.wasm" web/src/wasm/sonm_terms.wasm
}

# The runtime's checks with `try-runtime` (fuzz/): the fuzz corpora replayed as a test
# (fuzz/tests/corpus.rs) and `state_check` (scripts/try-state.sh), in the ordinary debug
# profile; "$CARGO_TARGET_DIR/debug/state_check".
build_fuzz_checks() {
	progress "building the runtime's checks (try-runtime: corpus replay, state_check)"
	SKIP_WASM_BUILD=1 cargo build "${TIMINGS[@]}" -p sonm-fuzz --tests --bins
}

# `rehearsal_check` (fuzz/): `state_check` with the upgrade rehearsal's runtime natively (the
# runtime's `upgrade-rehearsal`: the market's next layout and its migration), for the migration's
# try-runtime checks against a live chain (scripts/try-state.sh) and the state after a real
# upgrade (load/tests/upgrade.rs); "$CARGO_TARGET_DIR/debug/rehearsal_check". Only that binary
# is built with the feature, so `state_check` stays the ordinary one.
build_rehearsal_check() {
	progress "building rehearsal_check (the upgrade rehearsal's runtime natively, with try-runtime)"
	SKIP_WASM_BUILD=1 cargo build "${TIMINGS[@]}" -p sonm-fuzz --bin rehearsal_check --features upgrade-rehearsal
}

# The libFuzzer build of fuzz/ (scripts/fuzz.sh only; real fuzzing, not the test suite):
# built for an explicit target (so that build scripts and proc macros stay plain), in its own
# target folder, profile `fuzz`, with coverage instrumentation on the project's own crates
# (scripts/fuzz-rustc.sh); the fuzzers are "$FUZZ_BIN_DIR/<target>".
export FUZZ_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"
FUZZ_TRIPLE=x86_64-unknown-linux-gnu
export FUZZ_BIN_DIR="$FUZZ_TARGET_DIR/$FUZZ_TRIPLE/fuzz"
FUZZ_TARGETS=(runtime_calls extrinsic_decode)
build_fuzz() {
	RUSTC_WORKSPACE_WRAPPER="" RUSTC_WRAPPER="$PWD/scripts/fuzz-rustc.sh" RUSTFLAGS="--cfg fuzzing -C link-arg=-fuse-ld=mold" \
		SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" \
		cargo build -p sonm-fuzz --features libfuzzer --profile fuzz --bins --target "$FUZZ_TRIPLE"
}

# Reads a build's output (stdin, passed on to stdout) and fails if rustc or clippy reported a
# warning in one of the workspace's crates (cargo's "`crate` (target) generated N warnings"
# lines, printed again for crates it did not recompile; dependencies' lints are capped).
deny_warnings() {
	local found=0 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		[[ "$line" =~ ^warning:\ \`.*\ generated\ [0-9]+\ warnings? ]] && found=1
	done
	if [ "$found" -ne 0 ]; then
		echo "the build reported warnings (rustc or clippy, above): the tree must build without any" >&2
		return 1
	fi
}

# One line of progress with the time since the script started.
SONM_SCRIPT_STARTED="${SONM_SCRIPT_STARTED:-$(date +%s)}"
progress() {
	echo "[$(($(date +%s) - SONM_SCRIPT_STARTED)) s] $*" >&2
}
