#!/usr/bin/env bash
# The indexer's chain figures of indexer/README.md: an archive dev chain is filled with
# $EXTRINSICS (default 100,000) `place_order` extrinsics by `sonm-load` while an indexer follows it
# live (its memory and its lag behind finality are sampled every second); then a fresh indexer
# backfills the whole chain into SQLite, and another into PostgreSQL (a cluster made with initdb
# in the run's directory), each timed from start to the last block. Everything lands in
# $BENCH_DIR (default target/bench-indexer/<time>); the script stops what it started. Beside
# the lag, how far finality moved between samples: a node that finalizes three blocks at once
# puts any follower three behind for as long as they take to write.
#   scripts/bench-indexer.sh
#   EXTRINSICS=20000 scripts/bench-indexer.sh
#   LIVE_ONLY=1 scripts/bench-indexer.sh     (the live follower's figures, no backfills)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

extrinsics="${EXTRINSICS:-100000}"
out="$(realpath -m "${BENCH_DIR:-target/bench-indexer/$(date +%Y%m%d-%H%M%S)}")"
mkdir -p "$out"
bin="$CARGO_TARGET_DIR/debug"
rpc=19950

# PostgreSQL refuses to run as root: under root the cluster belongs to the postgres user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
[ "$(id -u)" -ne 0 ] || as_pg=(runuser -u postgres --)

pids=()
stop_all() {
	[ ! -f "$out/pg/data/postmaster.pid" ] || "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$out/pg/data" stop -m fast >/dev/null || true
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop_all EXIT

"$bin/sonm-node" --dev --state-pruning archive --base-path "$out/chain" --rpc-port $rpc --port 0 \
	--prometheus-port 19951 --pool-limit 32768 --pool-kbytes 65536 >"$out/node.log" 2>&1 &
pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$rpc) 2>/dev/null; do sleep 0.5; done

# The chain's finalized block number, from the node.
finalized() {
	local hash
	hash=$(curl -s -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"chain_getFinalizedHead"}' \
		127.0.0.1:$rpc | sed 's/.*"result":"\([^"]*\)".*/\1/')
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\",\"params\":[\"$hash\"]}" 127.0.0.1:$rpc |
		sed 's/.*"number":"0x\([0-9a-f]*\)".*/\1/' | xargs -I{} printf '%d\n' 0x{}
}
# An indexer's last written block (-1 before the first).
indexed() {
	curl -s "$1/status" | sed -n 's/.*"block":\([0-9]*\).*/\1/p' | grep . || echo -1
}
# Starts an indexer into $2 on port $3; its PID in $indexer_pid.
start_indexer() {
	"$bin/sonm-indexer" run --chain ws://127.0.0.1:$rpc --db "$2" --listen "127.0.0.1:$3" >"$out/$1.log" 2>&1 &
	indexer_pid=$!
	pids+=("$indexer_pid")
}

echo "bench-indexer: following live while sonm-load sends $extrinsics place_order"
start_indexer live "sqlite://$out/live.sqlite" 19952
live_pid=$indexer_pid
"$bin/sonm-load" --url ws://127.0.0.1:$rpc --workload place-order --count "$extrinsics" --duration 100000 \
	--window 6000 --drain 300 --json "$out/load.json" >"$out/load.log" 2>&1 &
load_pid=$!
: >"$out/lag.txt"
: >"$out/finality-steps.txt"
previous=""
while kill -0 "$load_pid" 2>/dev/null; do
	now_finalized=$(finalized)
	echo "$((now_finalized - $(indexed http://127.0.0.1:19952)))" >>"$out/lag.txt"
	[ -z "$previous" ] || echo "$((now_finalized - previous))" >>"$out/finality-steps.txt"
	previous=$now_finalized
	sleep 1
done
wait "$load_pid"
last=$(finalized)
until [ "$(indexed http://127.0.0.1:19952)" -ge "$last" ]; do sleep 1; done
hwm=$(sed -n 's/VmHWM:\s*//p' "/proc/$live_pid/status")
echo "bench-indexer: live follower peak memory $hwm; lag behind finality (blocks) while loaded:"
sort -n "$out/lag.txt" | uniq -c | tee "$out/lag-histogram.txt"
echo "bench-indexer: blocks finalized between samples:"
sort -n "$out/finality-steps.txt" | uniq -c | tee "$out/finality-steps-histogram.txt"
tail -4 "$out/load.log"
[ -z "${LIVE_ONLY:-}" ] || exit 0

backfill() {
	local name=$1 db=$2 port=$3 started elapsed
	started=$(date +%s.%N)
	start_indexer "$name" "$db" "$port"
	until [ "$(indexed "http://127.0.0.1:$port")" -ge "$last" ]; do sleep 0.2; done
	elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	kill -TERM "$indexer_pid"
	awk -v n="$name" -v b="$((last + 1))" -v x="$extrinsics" -v t="$elapsed" 'BEGIN {
		printf "bench-indexer: %s backfilled %d blocks, %d market extrinsics in %.1f s: %.0f blocks/s, %.0f extrinsics/s\n", n, b, x, t, b / t, x / t }'
	grep -h "database\|indexed" "$out/$name.log" | tail -1 || true
}
backfill backfill-sqlite "sqlite://$out/backfill.sqlite" 19953
ls -l "$out"/backfill.sqlite*

mkdir -p "$out/pg" && { [ "$(id -u)" -ne 0 ] || chown postgres "$out/pg"; }
"${as_pg[@]}" "$pg_bin/initdb" -D "$out/pg/data" -U sonm --auth=trust --no-locale -E UTF8 >"$out/initdb.log"
"${as_pg[@]}" "$pg_bin/postgres" -D "$out/pg/data" -p 19954 -k "$out/pg" -c listen_addresses=127.0.0.1 \
	>"$out/postgres.log" 2>&1 &
pids+=($!)
until grep -q "ready to accept connections" "$out/postgres.log" 2>/dev/null; do sleep 0.2; done
backfill backfill-postgres "postgres://sonm@127.0.0.1:19954/indexer" 19955
