#!/usr/bin/env bash
# A four-validator `--chain local` network on this machine: Alice, Bob, Charlie and Dave, each
# its own `sonm-node` process with its own database under $SONM_NET_DIR (default
# /tmp/sonm-local-testnet). Alice's JSON-RPC is on port 9944, Bob's on 9945, and so on.
# Ctrl-C stops all four.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

cargo build -p sonm-node
node="$CARGO_TARGET_DIR/debug/sonm-node"
dir="${SONM_NET_DIR:-/tmp/sonm-local-testnet}"
mkdir -p "$dir"

pids=()
stop() {
	trap - INT TERM EXIT
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait
}
trap stop INT TERM EXIT

boot=""
i=0
for name in alice bob charlie dave; do
	i=$((i + 1))
	key="$dir/$name.node-key"
	[ -f "$key" ] || printf '%064x' "$i" >"$key"
	args=(--chain local "--$name" --base-path "$dir/$name" --node-key-file "$key"
		--port $((30332 + i)) --rpc-port $((9943 + i)) --prometheus-port $((9614 + i))
		--allow-private-ip)
	[ -z "$boot" ] || args+=(--bootnodes "$boot")
	"$node" "${args[@]}" >"$dir/$name.log" 2>&1 &
	pids+=($!)
	if [ -z "$boot" ]; then
		boot="/ip4/127.0.0.1/tcp/30333/p2p/$("$node" key inspect-node-key --file "$key")"
	fi
	echo "local-testnet: $name pid $! rpc ws://127.0.0.1:$((9943 + i)) log $dir/$name.log"
done
echo "local-testnet: running; Ctrl-C stops all four"
wait
