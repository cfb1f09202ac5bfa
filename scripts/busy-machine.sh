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
# The multi-node test binaries (names unique in the workspace). They run with the workspace's
# selection, so that cargo resolves the same features as the shared build and compiles nothing.
tests=(masternodes feeder_liveness local_testnet partition gateway faults)
cargo build "${WORKSPACE[@]}" --all-targets
export SONM_TEST_CPU_HOG=1
for round in $(seq 1 "$rounds"); do
	for test in "${tests[@]}"; do
		started=$(date +%s)
		status=0
		log=$(mktemp)
		cargo test "${WORKSPACE[@]}" --test "$test" >"$log" 2>&1 || status=$?
		result=$(grep -E "^test result:" "$log" | tail -1)
		echo "busy-machine: round $round, $test: ${result:-no result} ($(($(date +%s) - started)) s)"
		if [ "$status" -ne 0 ]; then
			grep -vE "^\s+(Compiling|Finished|Running)" "$log" | tail -60
			rm -f "$log"
			exit 1
		fi
		rm -f "$log"
	done
done
echo "busy-machine: $rounds round(s) passed with a CPU hog beside every test"
