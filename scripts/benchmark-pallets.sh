#!/usr/bin/env bash
# Regenerates pallet weights on this machine: builds `sonm-node --release` with the
# `runtime-benchmarks` feature and runs `sonm-node benchmark pallet` for each pallet. A SONM
# pallet gets its `src/weights.rs` (trait, `SubstrateWeight`, `()`) from
# `scripts/weight-template.hbs`; a polkadot-sdk pallet whose weights this runtime measures itself
# gets `runtime/src/weights/<pallet>.rs` from the CLI's own template. The runtime uses them all.
# (A release build: host functions of a debug build run several times slower and would inflate
# every weight. The first release build takes about as long as the first debug build.)
#
# Usage: scripts/benchmark-pallets.sh [pallet_name ...]   (default: every SONM pallet)
# REPEAT=N sets how many times each benchmark is repeated (default 20).
# EXTRINSICS=place_order,cancel_order measures only those (of one pallet) and puts their
# functions in place of the old ones in the weight file, which names them as measured again
# (scripts/merge-weights.py); every other weight stays as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Pallet name -> the weight file it writes.
declare -A PALLETS=(
	[pallet_market]=pallets/market/src/weights.rs
	[pallet_blacklist]=pallets/blacklist/src/weights.rs
	[pallet_kyc]=pallets/kyc/src/weights.rs
	[pallet_masternodes]=pallets/masternodes/src/weights.rs
	[pallet_oracle]=pallets/oracle/src/weights.rs
	[pallet_gatekeeper]=pallets/gatekeeper/src/weights.rs
	[frame_system_extensions]=runtime/src/weights/frame_system_extensions.rs
	[pallet_transaction_payment]=runtime/src/weights/pallet_transaction_payment.rs
	[pallet_balances]=runtime/src/weights/pallet_balances.rs
)

build_benchmark_node
node="$CARGO_TARGET_DIR/release/sonm-node"
selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
	selected=("${!PALLETS[@]}")
fi

for pallet in "${selected[@]}"; do
	output="${PALLETS[$pallet]:-}"
	if [ -z "$output" ]; then
		echo "unknown pallet $pallet; known: ${!PALLETS[*]}" >&2
		exit 2
	fi
	template=()
	case "$output" in
	pallets/*) template=(--template scripts/weight-template.hbs) ;;
	esac
	extrinsics="${EXTRINSICS:-*}"
	target="$output"
	[ "$extrinsics" = '*' ] || target="$(mktemp --suffix .rs)"
	echo "== $pallet ($extrinsics) -> $output"
	"$node" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic "$extrinsics" \
		--steps 50 \
		--repeat "${REPEAT:-20}" \
		--wasm-execution compiled \
		"${template[@]}" \
		--output "$target"
	if [ "$target" != "$output" ]; then
		python3 scripts/merge-weights.py "$output" "$target"
		rm -f "$target"
	fi
done

# The generated files in the workspace's format (CI checks it).
cargo fmt --all
