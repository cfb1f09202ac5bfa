#!/usr/bin/env bash
# Runs every test: sets up the machine, builds the node (with its wasm runtime) and runs the
# workspace's tests, unit and end-to-end (real `sonm-node` processes on loopback), then the
# pallets' benchmarks once each against their test runtimes (the `runtime-benchmarks` feature),
# then the bridge's workspace (bridge/: the gateway and the feeder, and its Ethereum contracts
# on anvil), built apart in its own target folder; then the runtime's fuzzers for a minute each
# (scripts/fuzz.sh) and every pallet's try_state against a dev chain (scripts/try-state.sh).
# Ends with one line counting what passed and failed across all test binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

started=$(date +%s)
build_workspace
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --no-fail-fast 2>&1 | tee "$log" || status=$?
# The benchmarks need no wasm runtime: the pallets' own test runtimes run them.
SKIP_WASM_BUILD=1 cargo test "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks benchmarking 2>&1 | tee -a "$log" || status=$?
CARGO_TARGET_DIR="$BRIDGE_TARGET_DIR" cargo test --manifest-path bridge/Cargo.toml --workspace --no-fail-fast 2>&1 | tee -a "$log" || status=$?
# The runtime's fuzzers for a minute each over their corpora (fuzz/corpus), then every pallet's
# try_state against a dev chain put through the market, trust and staking.
scripts/fuzz.sh || status=$?
scripts/try-state.sh || status=$?
read -r passed failed < <(awk '/^test result:/ {
	for (i = 1; i <= NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i }
} END { print p + 0, f + 0 }' "$log")
echo "test.sh: finished in $(($(date +%s) - started)) s"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
	exit 1
fi
