#!/usr/bin/env bash
# Runs every test: sets up the machine, builds the workspace once (scripts/env.sh,
# `build_workspace`) and runs its tests with cargo-nextest (.config/nextest.toml: two at a
# time, the multi-node ones one at a time), unit and end-to-end (real `sonm-node` processes on
# loopback, the bridge's contracts on anvil, the worker's containers on podman), then the
# pallets' benchmarks once each against their test runtimes (`runtime-benchmarks`), then the
# fuzzers' corpora replayed in the debug build and every pallet's try_state against a dev chain
# (scripts/try-state.sh). Real fuzzing runs are scripts/fuzz.sh's, not this.
# Ends with one line counting what passed and failed across every test.
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
cargo nextest run "${WORKSPACE[@]}" --no-fail-fast 2>&1 | tee "$log" || status=$?
# The benchmarks need no wasm runtime: the pallets' own test runtimes run them.
progress "running the pallets' benchmarks as tests"
SKIP_WASM_BUILD=1 cargo nextest run "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks \
	--no-fail-fast benchmarking 2>&1 | tee -a "$log" || status=$?
progress "replaying the fuzz corpora"
SKIP_WASM_BUILD=1 cargo nextest run -p sonm-fuzz --no-fail-fast 2>&1 | tee -a "$log" || status=$?
progress "checking every pallet's try_state against a dev chain"
scripts/try-state.sh || status=$?
# nextest's summary lines: "Summary [...] 12 tests run: 11 passed, 1 failed, 0 skipped".
read -r passed failed < <(awk '/Summary \[/ && /tests? run:/ {
	for (i = 1; i <= NF; i++) {
		word = $(i + 1); gsub(/,/, "", word)
		if (word == "passed") p += $i
		if (word == "failed" || word == "timed") f += $i
	}
} END { print p + 0, f + 0 }' "$log")
echo "test.sh: finished in $(($(date +%s) - SONM_SCRIPT_STARTED)) s"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
	exit 1
fi
