#!/usr/bin/env bash
# A four-validator `--chain local` network on this machine: Alice, Bob, Charlie and Dave, each
# its own `sonm-node` process with its own database under $SONM_NET_DIR (default
# /tmp/sonm-local-testnet). Alice's JSON-RPC is on port 9944, Bob's on 9945, and so on.
# Ctrl-C stops all four.
#
# With --gateway it also starts anvil (Ethereum on http://127.0.0.1:8545, a block a second),
# deploys the gateway's contracts where the local chain's genesis names them, mints 10,000 test
# SNM to anvil's second account (key 0x59c6...690d) and runs `sonm-bridge gateway` beside each
# validator (3 confirmations; metrics on 127.0.0.1:9621 to 9624). Then, for example:
#   sonm token deposit 100 --to 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty \
#     --eth-suri 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
#
# With --indexer Alice's node keeps every block's state (`--state-pruning archive`) and
# `sonm-indexer` follows her into $SONM_NET_DIR/indexer (SQLite; set SONM_INDEXER_DB to a
# postgres:// URL for PostgreSQL), its API on http://127.0.0.1:9640. Both flags may be given.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

gateway=false
indexer=false
for flag in "$@"; do
	case "$flag" in
	--gateway) gateway=true ;;
	--indexer) indexer=true ;;
	*) echo "local-testnet: unknown flag $flag (use --gateway, --indexer)" >&2; exit 2 ;;
	esac
done
build_main
node="$CARGO_TARGET_DIR/debug/sonm-node"
bridge="$CARGO_TARGET_DIR/debug/sonm-bridge"
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
	! $indexer || [ "$name" != alice ] || args+=(--state-pruning archive)
	"$node" "${args[@]}" >"$dir/$name.log" 2>&1 &
	pids+=($!)
	if [ -z "$boot" ]; then
		boot="/ip4/127.0.0.1/tcp/30333/p2p/$("$node" key inspect-node-key --file "$key")"
	fi
	echo "local-testnet: $name pid $! rpc ws://127.0.0.1:$((9943 + i)) log $dir/$name.log"
done
if $gateway; then
	anvil --port 8545 --block-time 1 --silent >"$dir/anvil.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 240); do
		if (exec 3<>/dev/tcp/127.0.0.1/9944) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null; then break; fi
		sleep 0.5
	done
	# anvil's first account deploys (its first two transactions land where the genesis says).
	"$bridge" deploy --url ws://127.0.0.1:9944 --eth-url http://127.0.0.1:8545 \
		--eth-suri 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 \
		--mint-to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
	# The masternodes' dev Ethereum keys (//Alice ...) pay the gas of what they relay.
	for address in e04cc55ebee1cbce552f250e85c57b70b2e2625b 25451a4de12dccc2d166922fa938e900fcc4ed24 \
		5630a480727cd7799073b36472d9b1a6031f840b 4bb32a4263e369acbb6c020ffa89a41fd9722894; do
		curl -s -H 'Content-Type: application/json' http://127.0.0.1:8545 \
			-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_setBalance\",\"params\":[\"0x$address\",\"0x56bc75e2d63100000\"]}" >/dev/null
	done
	i=0
	for name in Alice Bob Charlie Dave; do
		i=$((i + 1))
		"$bridge" --metrics "127.0.0.1:$((9620 + i))" gateway --url "ws://127.0.0.1:$((9943 + i))" \
			--suri "//$name" --eth-suri "//$name" --eth-url http://127.0.0.1:8545 --confirmations 3 \
			--db "$dir/$name-gateway.redb" >"$dir/$name-gateway.log" 2>&1 &
		pids+=($!)
		echo "local-testnet: $name's gateway pid $! metrics http://127.0.0.1:$((9620 + i)) log $dir/$name-gateway.log"
	done
fi
if $indexer; then
	"$CARGO_TARGET_DIR/debug/sonm-indexer" run --chain ws://127.0.0.1:9944 --data-dir "$dir/indexer" \
		>"$dir/indexer.log" 2>&1 &
	pids+=($!)
	echo "local-testnet: indexer pid $! api http://127.0.0.1:9640 log $dir/indexer.log"
fi
echo "local-testnet: running; Ctrl-C stops everything"
wait
