#!/usr/bin/env bash
# Puts a fresh dev chain through the market (`sonm-load`'s mixed workload: orders placed,
# deals opened, billed and closed, transfers) and the trust and staking pallets (blacklists, a
# curated-list subscription, a profile, a worker joining a master, a masternode registering),
# then runs every pallet's `try_state` and the balance checks against its finalized state
# (`state_check` of fuzz/, built with the runtime's `try-runtime` feature). Then try-runtime's
# `on-runtime-upgrade` on the same state with the upgrade rehearsal's migration (`rehearsal_check
# --on-runtime-upgrade`: pre/post checks, the whole state decoded, try_state; its weight
# printed), and the deliberately broken migration, which the checks must refuse. Fails on any
# broken invariant or check. Needs the main build (node, CLI, load); builds `state_check` itself once the chain
# has been put through its paces (scripts/test.sh runs this beside the workspace's tests, while
# the try-runtime set builds: cargo's lock makes that build wait for the other, then finds it
# done).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

node="$CARGO_TARGET_DIR/debug/sonm-node"
sonm="$CARGO_TARGET_DIR/debug/sonm"
load="$CARGO_TARGET_DIR/debug/sonm-load"
dir=$(mktemp -d)
node_pid=""
cleanup() {
	[ -z "$node_pid" ] || kill -9 "$node_pid" 2>/dev/null || true
	[ -z "$node_pid" ] || wait "$node_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

"$node" --dev --base-path "$dir/dev" --rpc-port 0 --port 0 --no-telemetry --no-prometheus \
	--no-mdns >"$dir/node.log" 2>&1 &
node_pid=$!
port=""
for _ in $(seq 1 360); do
	port=$(sed -n 's/.*Running JSON-RPC server: addr=127.0.0.1:\([0-9]*\).*/\1/p' "$dir/node.log" | head -1)
	[ -n "$port" ] && break
	kill -0 "$node_pid" 2>/dev/null || { tail -20 "$dir/node.log"; exit 1; }
	sleep 0.5
done
[ -n "$port" ] || { echo "try-state: the node never ran its RPC server" >&2; exit 1; }
echo "try-state: dev node on port $port"
url="ws://127.0.0.1:$port"

"$load" --url "$url" --workload mixed --duration 20 --rate 40 --window 2000 --drain 90
sign() { "$sonm" --url "$url" --finalized --from "$@" >/dev/null; }
sign bob blacklist add dave
sign charlie blacklist subscribe bob
sign eve profile set --name "Eve's lab"
sign ferdie worker join eve
sign eve worker confirm ferdie
sign dave masternode register "20000 SNM"
# A deal that stays open, for the migration to rewrite (the load's may all be closed).
printf '%s\n' "side: ask" "price: 3.6 SNM/h" "duration: 1h" \
	"network: { outbound: true, incoming: true }" \
	"resources: { cpu-cores: 2, ram-size: 1 GiB }" >"$dir/ask.yaml"
ask=$("$sonm" --url "$url" --finalized --output json --from alice orders create --file "$dir/ask.yaml" |
	grep -o '"id": *[0-9]*' | head -1 | grep -o '[0-9]*$')
[ -n "$ask" ] || { echo "try-state: the ask was not placed" >&2; exit 1; }
sign bob deals quick-buy "$ask" --duration 30m
echo "try-state: trust and staking calls final, a deal open on ask $ask"
build_fuzz_checks
"$CARGO_TARGET_DIR/debug/state_check" "http://127.0.0.1:$port"

build_rehearsal_check
rehearsal="$CARGO_TARGET_DIR/debug/rehearsal_check"
"$rehearsal" "http://127.0.0.1:$port" --on-runtime-upgrade
if "$rehearsal" "http://127.0.0.1:$port" --broken-migration >"$dir/broken.log" 2>&1; then
	cat "$dir/broken.log"
	echo "try-state: the broken migration passed its checks" >&2
	exit 1
fi
grep -q "the number of deals changed" "$dir/broken.log" || {
	cat "$dir/broken.log"
	echo "try-state: the broken migration failed, but not on its checks" >&2
	exit 1
}
echo "try-state: the broken migration was refused: $(grep -o 'migration v[0-9]*: [^"]*' "$dir/broken.log" | head -1)"
