#!/usr/bin/env bash
# How long a load run's blocks take to import, against the weight they were charged: the
# honest-weights check of docs/BENCHMARKS.md. `sonm-node benchmark block` executes a block again
# but never commits it, while every write's weight includes the commit (`benchmark storage`
# times the storage root and the database commit of each batch); importing the blocks into a
# fresh database does both, as a node that receives them does.
#   scripts/benchmark-import.sh BASE_PATH [CHAIN]
# BASE_PATH is a run's node database kept with KEEP_CHAINS=1
# (`$BENCH_DIR/dev-place-order.chain/alice`), CHAIN the chain it ran (default dev). The blocks
# measured are those from the first with more than 50 extrinsics to the last; the blocks before
# them are imported first in a run of their own, whose time (the node's start, the runtime's
# compilation) is taken off. Prints the import time, the charged weight, their ratio, and
# `benchmark block`'s execution time for the same blocks.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: scripts/benchmark-import.sh BASE_PATH [CHAIN]}"
chain="${2:-dev}"
source scripts/env.sh

node="${SONM_NODE:-}"
if [ -z "$node" ]; then
	build_benchmark_node
	node="$CARGO_TARGET_DIR/release/sonm-node"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The run's genesis as a chain spec (its runtime, its balances): the binary's own spec may carry
# another runtime since.
"$node" export-state --chain "$chain" --base-path "$base" 0 >"$work/genesis.json" 2>"$work/export-state.log"
"$node" export-blocks --chain "$chain" --base-path "$base" --binary --from 1 "$work/all.bin" 2>"$work/export.log"
last=$(sed -nE 's/.*Exporting blocks from #1 to #([0-9]+).*/\1/p' "$work/export.log")
[ -n "$last" ] || { echo "benchmark-import: no blocks in $base" >&2; exit 1; }

progress "executing blocks 1 to $last again (benchmark block)"
"$node" benchmark block --chain "$chain" --base-path "$base" --from 1 --to "$last" --repeat 1 \
	>"$work/block.log" 2>&1
# "Block N with X tx used P% of its weight (T of W ns)" -> N X T W
sed -nE 's/.*Block ([0-9]+) with +([0-9]+) tx used .*\( *([0-9,]+) of +([0-9,]+) ns\).*/\1 \2 \3 \4/p' \
	"$work/block.log" | tr -d , >"$work/blocks.txt"
first=$(awk '$2 > 50 { print $1; exit }' "$work/blocks.txt")
[ -n "$first" ] || { echo "benchmark-import: no block with more than 50 extrinsics" >&2; exit 1; }

import_blocks() {
	local start end
	start=$(date +%s.%N)
	"$node" import-blocks --chain "$work/genesis.json" --base-path "$work/$1" --database paritydb \
		--binary "$work/$1.bin" >"$work/$1.log" 2>&1
	end=$(date +%s.%N)
	awk -v start="$start" -v end="$end" 'BEGIN { print end - start }'
}
"$node" export-blocks --chain "$chain" --base-path "$base" --binary --from 1 --to $((first - 1)) \
	"$work/before.bin" 2>/dev/null
progress "importing blocks 1 to $((first - 1)), then 1 to $last, into fresh databases"
before=$(import_blocks before)
all=$(import_blocks all)

awk -v first="$first" -v last="$last" -v before="$before" -v all="$all" '
	$1 >= first { blocks++; txs += $2; executed += $3; weight += $4 }
	END {
		imported = all - before
		printf "blocks %d to %d: %d blocks, %d extrinsics\n", first, last, blocks, txs
		printf "charged weight      %7.2f s\n", weight / 1e9
		printf "imported in         %7.2f s  (%.1f %% of the weight; %.2f s for blocks 1 to %d alone)\n",
			imported, 100 * imported / (weight / 1e9), before, first - 1
		printf "executed again in   %7.2f s  (%.1f %%, benchmark block: no database commit)\n",
			executed / 1e9, 100 * executed / weight
	}' "$work/blocks.txt"
