#!/usr/bin/env bash
# Runs every test: sets up the machine, checks the formatting, builds the workspace once
# (scripts/env.sh, `build_main`, linted by clippy as it compiles, failing on any warning; the
# two smaller feature sets, `build_checks`, build beside the tests) and runs
# its tests with cargo-nextest (.config/nextest.toml: two at a time, the multi-node ones one at
# a time), unit and end-to-end (real `sonm-node` processes on
# loopback, the bridge's contracts on anvil, the worker's containers on podman), with every
# pallet's try_state checked against a busy dev chain beside them (scripts/try-state.sh); then
# the pallets' benchmarks once each against their test runtimes (`runtime-benchmarks`) and the
# fuzzers' corpora replayed in the debug build. Real fuzzing runs are scripts/fuzz.sh's, not this.
# Ends with one line counting what passed and failed across every test.
#   SONM_TEST_CPU_HOG=1 scripts/test.sh   # the same, with a busy loop pinned beside every
#                                         # multi-node test (docs/TESTING.md)
set -euo pipefail
cd "$(dirname "$0")/.."
SONM_SCRIPT_STARTED=$(date +%s)
export SONM_SCRIPT_STARTED
scripts/setup.sh
source scripts/env.sh

progress "checking the formatting (cargo fmt --check, rustfmt.toml)"
if ! cargo fmt --all --check >/dev/null; then
	cargo fmt --all --check | head -40 >&2
	echo "test.sh: the tree is not formatted; run \`cargo fmt --all\`" >&2
	exit 1
fi
build_main 2>&1 | deny_warnings
progress "workspace built"
# The web console: its rules (sonm-terms) built to WebAssembly, its production build (which
# worker/tests/console.rs serves to Chromium) and its unit tests (Vitest).
build_web_wasm 2>&1 | deny_warnings
progress "building the web console (npm run build in web/)"
(cd web && npm run build >/dev/null)
work=$(mktemp -d)
checks_pid=""
try_state_pid=""
stop_background() {
	[ -z "$checks_pid" ] || kill -- -"$checks_pid" 2>/dev/null || true
	[ -z "$try_state_pid" ] || kill -- -"$try_state_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap stop_background EXIT
log="$work/tests.log"
status=0

# The workspace's tests run from the binaries just built (nextest's reuse of a build: no cargo
# invocation, so no lock on the target folder) while the two smaller feature sets build beside
# them at the lowest CPU priority: the multi-node tests spend most of their time waiting for
# blocks, and the build takes the cores they leave idle (docs/BUILDING.md).
cargo nextest list "${WORKSPACE[@]}" --list-type binaries-only --message-format json >"$work/binaries.json"
cargo metadata --format-version 1 >"$work/cargo-metadata.json"
set -m
(nice -n 19 bash -c 'set -o pipefail; source scripts/env.sh && build_checks 2>&1 | deny_warnings' \
	>"$work/checks-build.log" 2>&1) &
checks_pid=$!
# try-state mostly waits for blocks; its state_check waits for the build above.
(scripts/try-state.sh >"$work/try-state.log" 2>&1) &
try_state_pid=$!
set +m
progress "the web console's unit tests (Vitest)"
web_status=0
(cd web && npx vitest run --reporter=default --reporter=json --outputFile="$work/vitest.json") || web_status=$?
progress "testing the workspace (the benchmarked pallets and the runtime's checks build beside it, try-state runs beside it)"
cargo nextest run --binaries-metadata "$work/binaries.json" --cargo-metadata "$work/cargo-metadata.json" \
	--no-fail-fast 2>&1 | tee "$log" || status=$?
progress "waiting for the benchmarked pallets' and the runtime's checks' build"
checks_status=0
wait "$checks_pid" || checks_status=$?
checks_pid=""
if [ "$checks_status" -ne 0 ]; then
	cat "$work/checks-build.log" >&2
	echo "test.sh: building the benchmarked pallets or the runtime's checks failed" >&2
	exit 1
fi
progress "checks built"
# The benchmarks need no wasm runtime: the pallets' own test runtimes run them.
progress "running the pallets' benchmarks as tests"
SKIP_WASM_BUILD=1 cargo nextest run "${BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks \
	--no-fail-fast benchmarking 2>&1 | tee -a "$log" || status=$?
progress "replaying the fuzz corpora"
SKIP_WASM_BUILD=1 cargo nextest run -p sonm-fuzz --no-fail-fast 2>&1 | tee -a "$log" || status=$?
progress "waiting for every pallet's try_state against a dev chain"
try_state_status=0
wait "$try_state_pid" || try_state_status=$?
try_state_pid=""
cat "$work/try-state.log"
if [ "$try_state_status" -ne 0 ]; then
	echo "test.sh: try-state failed (above)" >&2
	status=1
fi
# nextest's summary lines: "Summary [...] 12 tests run: 11 passed, 1 failed, 0 skipped".
read -r passed failed < <(awk '/Summary \[/ && /tests? run:/ {
	for (i = 1; i <= NF; i++) {
		word = $(i + 1); gsub(/,/, "", word)
		if (word == "passed") p += $i
		if (word == "failed" || word == "timed") f += $i
	}
} END { print p + 0, f + 0 }' "$log")
# Vitest's counts join nextest's.
if [ -f "$work/vitest.json" ]; then
	read -r web_passed web_failed < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests || 0, (r.numFailedTests || 0) + (r.numFailedTestSuites || 0))' "$work/vitest.json")
	passed=$((passed + web_passed))
	failed=$((failed + web_failed))
fi
[ "$web_status" -eq 0 ] || status=1
echo "test.sh: finished in $(($(date +%s) - SONM_SCRIPT_STARTED)) s"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
	exit 1
fi
