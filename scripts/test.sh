#!/usr/bin/env bash
# Runs every test: sets up the machine, builds the workspace once (scripts/env.sh,
# `build_workspace`) and runs its tests, unit and end-to-end (real `sonm-node` processes on
# loopback, the bridge's contracts on anvil, the worker's containers on podman), then the
# pallets' benchmarks once each against their test runtimes (`runtime-benchmarks`), then the
# fuzzers' corpora replayed in the debug build and every pallet's try_state against a dev chain
# (scripts/try-state.sh). Real fuzzing runs are scripts/fuzz.sh's, not this.
# Ends with one line counting what passed and failed across all test binaries.
#   SONM_TEST_CPU_HOG=1 scripts/test.sh   # the same, with a busy loop pinned beside every
#                                         # multi-node test (docs/TESTING.md)
set -euo pipefail
cd "$(dirname "$0")/.."
SONM_SCRIPT_STARTED=$(date +%s)
export SONM_SCRIPT_STARTED
scripts/setup.sh
source scripts/env.sh

build_workspace
progress "build done"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
progress "testing the workspace"
cargo test "${WORKSPACE[@]}" --no-fail-fast 2>&1 | tee "$log" || status=$?
# The benchmarks need no wasm runtime: the pallets' own test runtimes run them.
progress "running the pallets' benchmarks as tests"
SKIP_WASM_BUILD=1 cargo test "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks benchmarking 2>&1 | tee -a "$log" || status=$?
progress "replaying the fuzz corpora"
SKIP_WASM_BUILD=1 cargo test -p sonm-fuzz 2>&1 | tee -a "$log" || status=$?
progress "checking every pallet's try_state against a dev chain"
scripts/try-state.sh || status=$?
read -r passed failed < <(awk '/^test result:/ {
	for (i = 1; i <= NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i }
} END { print p + 0, f + 0 }' "$log")
echo "test.sh: finished in $(($(date +%s) - SONM_SCRIPT_STARTED)) s"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
	exit 1
fi
