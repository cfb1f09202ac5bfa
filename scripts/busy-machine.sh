#!/usr/bin/env bash
# Runs every multi-node end-to-end test (masternodes, feeder liveness, local testnet,
# partition, the gateway, the faults under load) with a busy loop pinned to CPU 0 beside the
# nodes (SONM_TEST_CPU_HOG=1, see docs/TESTING.md), several rounds in a row, and prints each
# test's result and time per round. Fails on the first failed round.
#   scripts/busy-machine.sh        # three rounds
#   scripts/busy-machine.sh 1      # one round
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

rounds="${1:-3}"
# The multi-node tests, run as the suite runs them (.config/nextest.toml: the `networks` and
# `load` groups one test each at a time, side by side), with the workspace's selection so that
# cargo resolves the same features as the shared build and compiles nothing.
filter='binary(masternodes) | binary(feeder_liveness) | binary(local_testnet) | binary(partition) | binary(gateway) | binary(faults)'
cargo build "${WORKSPACE[@]}" --all-targets
export SONM_TEST_CPU_HOG=1
for round in $(seq 1 "$rounds"); do
	started=$(date +%s)
	log=$(mktemp)
	status=0
	cargo nextest run "${WORKSPACE[@]}" --no-fail-fast -E "$filter" >"$log" 2>&1 || status=$?
	grep -E "^\s+(PASS|FAIL|TIMEOUT) |Summary" "$log" | sed "s/^/busy-machine: round $round: /"
	echo "busy-machine: round $round took $(($(date +%s) - started)) s"
	if [ "$status" -ne 0 ]; then
		grep -vE "^\s+(Compiling|Finished|Running)" "$log" | grep -E "panicked|assert|Error" | head -40
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
done
echo "busy-machine: $rounds round(s) passed with a CPU hog beside every test"
