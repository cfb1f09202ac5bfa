#!/usr/bin/env bash
# The web console's figures of web/README.md: the order book's first render in Chromium with
# ORDERS open orders (default "1000 100000"), each a synthetic market written by the indexer's
# own write path (indexer/examples/synthetic_market.rs, served with SERVE=1) beside a dev node,
# with the production build (web/dist) served by `vite preview`; and the build's sizes.
#   scripts/bench-console.sh
#   ORDERS="1000" scripts/bench-console.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=$(mktemp -d -t sonm-bench-console.XXXXXX)
pids=()
stop_all() {
	((${#pids[@]} == 0)) || kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$out"
}
trap stop_all EXIT
rpc=19960
preview=19961
"$CARGO_TARGET_DIR/debug/sonm-node" --dev --base-path "$out/chain" --rpc-port $rpc --port 0 --prometheus-port 19962 >"$out/node.log" 2>&1 &
pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$rpc) 2>/dev/null; do sleep 0.5; done
(cd web && exec node node_modules/vite/bin/vite.js preview --port $preview --strictPort) >"$out/preview.log" 2>&1 &
pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$preview) 2>/dev/null; do sleep 0.5; done
echo "bench-console: bundle (web/dist/assets)"
ls -l web/dist/assets | awk 'NR > 1 { printf "  %-40s %8.1f kB\n", $9, $5 / 1000 }'
for orders in ${ORDERS:-1000 100000}; do
	deals=$((orders / 10))
	SERVE=1 "$CARGO_TARGET_DIR/debug/examples/synthetic_market" "sqlite://$out/market-$orders.sqlite" "$orders" "$deals" \
		>"$out/synthetic-$orders.log" 2>&1 &
	market_pid=$!
	pids+=($market_pid)
	until grep -q '^serving http' "$out/synthetic-$orders.log" 2>/dev/null; do
		kill -0 $market_pid 2>/dev/null || { cat "$out/synthetic-$orders.log"; exit 1; }
		sleep 1
	done
	indexer=$(sed -n 's/^serving \(http[^ ]*\) .*/\1/p' "$out/synthetic-$orders.log")
	echo "bench-console: $orders orders, $deals deals ($indexer): $(cd web && node bench/first-render.mjs "http://127.0.0.1:$preview" "ws://127.0.0.1:$rpc" "$indexer" 5)"
	kill $market_pid
done
