#!/usr/bin/env bash
# The main job: sets up the machine, builds the workspace and runs a development chain with a
# supplier's worker beside it. Alice authors and finalizes a block every two seconds (JSON-RPC
# on ws://127.0.0.1:9944); `sonm-worker` runs on its embedded configuration
# (worker/dev-worker.toml): Charlie's key, two CPU cores of this machine sold in an hourly and a
# spot plan, metrics and health on http://127.0.0.1:9620. Buy from it with the CLI as the
# README shows. Ctrl-C stops both.
#
# Extra arguments go to the node, e.g. `scripts/dev.sh --base-path /tmp/sonm` to keep the
# chain between runs (without it the chain and the worker's database live in a temporary
# directory).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# The test suite's build, so that running either script after the other rebuilds nothing but
# the workspace's own crates (see `build_workspace` in scripts/env.sh).
build_workspace

run_dir=$(mktemp -d -t sonm-dev.XXXXXX)
node_args=(--dev --base-path "$run_dir/chain")
worker_data="$run_dir/worker"
for arg in "$@"; do
	if [ "$arg" = "--base-path" ]; then
		# The caller keeps the chain: keep the worker's database beside it.
		node_args=(--dev)
		worker_data=""
	fi
done
"$CARGO_TARGET_DIR/debug/sonm-node" "${node_args[@]}" "$@" > >(sed 's/^/[node] /') 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; rm -rf "$run_dir"' EXIT

echo "dev.sh: waiting for the node's RPC on 127.0.0.1:9944 ..."
for _ in $(seq 1 240); do
	if (exec 3<>/dev/tcp/127.0.0.1/9944) 2>/dev/null; then break; fi
	kill -0 "$node_pid" 2>/dev/null || { echo "dev.sh: the node exited"; exit 1; }
	sleep 0.5
done

if [ -z "$worker_data" ]; then
	# Beside the kept chain: `--base-path DIR` -> DIR/worker.
	for ((i = 1; i <= $#; i++)); do
		if [ "${!i}" = "--base-path" ]; then
			next=$((i + 1))
			worker_data="${!next}/worker"
		fi
	done
fi
echo "dev.sh: starting sonm-worker (data in $worker_data)"
"$CARGO_TARGET_DIR/debug/sonm-worker" --data-dir "$worker_data" run &
worker_pid=$!
trap 'kill "$worker_pid" "$node_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$run_dir"' EXIT
wait "$worker_pid"
