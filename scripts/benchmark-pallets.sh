#!/usr/bin/env bash
# Regenerates the weights of the SONM pallets on this machine: builds `sonm-node --release` with
# the `runtime-benchmarks` feature and runs `sonm-node benchmark pallet` for each pallet, writing
# its `src/weights.rs` from `scripts/weight-template.hbs`. The runtime uses those weights.
# (A release build: host functions of a debug build run several times slower and would inflate
# every weight. The first release build takes about as long as the first debug build.)
#
# Usage: scripts/benchmark-pallets.sh [pallet_name ...]   (default: every SONM pallet)
# REPEAT=N sets how many times each benchmark is repeated (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Pallet name -> crate directory.
declare -A PALLETS=(
	[pallet_market]=pallets/market
)

cargo build --release -p sonm-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/sonm-node"
selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
	selected=("${!PALLETS[@]}")
fi

for pallet in "${selected[@]}"; do
	dir="${PALLETS[$pallet]:-}"
	if [ -z "$dir" ]; then
		echo "unknown pallet $pallet; known: ${!PALLETS[*]}" >&2
		exit 2
	fi
	echo "== $pallet -> $dir/src/weights.rs"
	"$node" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps 50 \
		--repeat "${REPEAT:-20}" \
		--wasm-execution compiled \
		--template scripts/weight-template.hbs \
		--output "$dir/src/weights.rs"
done
