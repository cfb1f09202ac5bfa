#!/usr/bin/env bash
# Reruns the throughput measurements of docs/BENCHMARKS.md and prints their table: every
# workload of `sonm-load` for $DURATION seconds (default 60) against a fresh release dev chain
# (one authority) and a fresh four-validator `--chain local` network on this machine, each run
# on a new chain. The JSON reports land in $BENCH_DIR (default target/bench/<time>).
#   scripts/bench.sh                                   # everything (about 30 minutes)
#   NETWORKS=dev WORKLOADS="place-order open-deal" scripts/bench.sh
#   SOAK=600 NETWORKS=dev WORKLOADS=mixed scripts/bench.sh   # the 10-minute memory run
#   KEEP_CHAINS=1 NETWORKS=dev WORKLOADS=place-order scripts/bench.sh  # keep the chain's database
#   ROUNDS=5 NETWORKS=dev WORKLOADS="transfer place-order" scripts/bench.sh  # medians of rounds
# With ROUNDS=N the workloads run in turn N times (transfer, place-order, transfer, ...), each
# run named with its round (dev-place-order-r2); the table sets every run beside its own round's
# transfers (T) and ends with each workload's medians: on a machine whose speed moves from one
# minute to the next, a ratio is a median of sittings, never one run.
# After each run it counts the book and times $READS (default 20) calls of each market read:
# (`market_matchingOrders` answers from the book's price-ordered index: under a millisecond).
# The release node is the one the weights are benchmarked with (`--features
# runtime-benchmarks`, see scripts/benchmark-pallets.sh), so the two share one release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

duration="${SOAK:-${DURATION:-60}}"
# The node's pool keeps each extrinsic until its block is final (about four blocks at full
# load), so carrying thousands a second needs more room than its default 8,192; the load keeps
# at most --window in flight, under that limit, and (its default --backlog 2) at most two
# blocks' worth not yet in a block, since the pool validates every waiting extrinsic again at
# each block. LOAD_FLAGS="... --backlog 0" floods the pool as the figures before 2026-12-06
# night did; "... --batch 32" puts 32 orders in each place_orders.
node_flags="${NODE_FLAGS---pool-limit 32768 --pool-kbytes 65536}"
load_flags="${LOAD_FLAGS---window 12000 --drain 120}"
networks="${NETWORKS:-dev local}"
# Production's sessions (an hour of 2 s blocks): the council of the chain's dev accounts sets
# them before each run, so that no tenth of the blocks goes to the dev chains' ten-block
# session changes (SESSION_LENGTH=10 measures as the dev chain runs).
session_length="${SESSION_LENGTH:-1800}"
workloads="${WORKLOADS:-transfer place-order open-deal bill mixed}"
rounds="${ROUNDS:-1}"
out="${BENCH_DIR:-target/bench/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

# SONM_NODE names another node binary (an earlier build, to compare) instead of building one.
node="${SONM_NODE:-}"
if [ -z "$node" ]; then
	build_benchmark_node
	node="$CARGO_TARGET_DIR/release/sonm-node"
fi
cargo build -p sonm-load
load="$CARGO_TARGET_DIR/debug/sonm-load"

pids=()
stop_nodes() {
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	pids=()
}
trap stop_nodes EXIT

wait_for_rpc() {
	for _ in $(seq 1 240); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.5
	done
	echo "bench: nothing listens on port $1" >&2
	return 1
}

# start_network dev|local DIR: a fresh chain under DIR, its first RPC on port 19944.
start_network() {
	local dir="$2"
	rm -rf "$dir" && mkdir -p "$dir"
	if [ "$1" = dev ]; then
		# shellcheck disable=SC2086 # the flags are words
		"$node" --dev --base-path "$dir/alice" --rpc-port 19944 --port 30433 --no-telemetry \
			--no-prometheus --no-mdns $node_flags >"$dir/alice.log" 2>&1 &
		pids+=($!)
	else
		local i=0 boot="" name
		for name in alice bob charlie dave; do
			i=$((i + 1))
			printf '%064x' "$i" >"$dir/$name.key"
			local args=(--chain local "--$name" --base-path "$dir/$name" --node-key-file "$dir/$name.key"
				--port $((30432 + i)) --rpc-port $((19943 + i)) --no-telemetry --no-prometheus
				--no-mdns --allow-private-ip $node_flags)
			[ -z "$boot" ] || args+=(--bootnodes "$boot")
			"$node" "${args[@]}" >"$dir/$name.log" 2>&1 &
			pids+=($!)
			[ -n "$boot" ] || boot="/ip4/127.0.0.1/tcp/30433/p2p/$("$node" key inspect-node-key --file "$dir/$name.key")"
		done
	fi
	wait_for_rpc 19944
	# Let the chain finalize its first blocks (and the network find its peers).
	sleep 12
}

reports=()
for network in $networks; do
	for round in $(seq 1 "$rounds"); do for workload in $workloads; do
		name="$network-$workload"
		[ -z "${SOAK:-}" ] || name="$name-soak"
		[ "$rounds" = 1 ] || name="$name-r$round"
		echo "bench: $name for $duration s"
		start_network "$network" "$out/$name.chain"
		# shellcheck disable=SC2086
		"$load" --url ws://127.0.0.1:19944 --workload "$workload" --duration "$duration" \
			--session-length "$session_length" --reads "${READS:-20}" $load_flags --json "$out/$name.json" 2>"$out/$name.progress" | tee "$out/$name.txt"
		reports+=("$out/$name.json")
		stop_nodes
		# Keep the logs, drop the databases (KEEP_CHAINS=1 keeps them too, for `sonm-node
		# benchmark block` over the run's full blocks: docs/BENCHMARKS.md).
		[ "${KEEP_CHAINS:-}" = 1 ] ||
			find "$out/$name.chain" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
	done; done
done
"$load" --table "${reports[@]}" | tee "$out/table.md"
echo "bench: reports in $out"
