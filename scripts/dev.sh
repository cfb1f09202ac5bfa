#!/usr/bin/env bash
# The main job: sets up the machine, builds the workspace and runs a development chain with a
# supplier's worker beside it. Alice authors and finalizes a block every two seconds (JSON-RPC
# on ws://127.0.0.1:9944); `sonm-worker` runs on its embedded configuration
# (worker/dev-worker.toml): Charlie's key, two CPU cores of this machine sold in an hourly and a
# spot plan, metrics and health on http://127.0.0.1:9620, deals' tasks run on podman with the
# customers' control plane on http://127.0.0.1:9630. Podman's API service runs on a socket in
# the run directory with scripts/containers.conf; its image store lives in
# ~/.cache/sonm-dev/podman (SONM_DEV_PODMAN), where busybox:1.36 is imported once from
# busybox-static (no download). `sonm-indexer` follows the chain into a SQLite file and serves
# the market's history and search on http://127.0.0.1:9640 (`sonm history`, `sonm market
# prices`). The web console (web/, built into web/dist) is served on http://127.0.0.1:5173: open
# it to see the market, buy and run a task from the browser with the dev accounts. Buy from it
# and run a container with the CLI as the README shows. Ctrl-C stops them all.
#
# Extra arguments go to the node, e.g. `scripts/dev.sh --base-path /tmp/sonm` to keep the
# chain between runs (without it the chain and the worker's database live in a temporary
# directory).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir="$PWD"
SONM_SCRIPT_STARTED=$(date +%s)
export SONM_SCRIPT_STARTED
[ "${SONM_DEV_NO_BUILD:-}" = 1 ] || scripts/setup.sh
source scripts/env.sh

# The test suite's main build (`build_main` in scripts/env.sh: the same selection and
# features), so that running either script after the other compiles nothing the other did but
# the workspace's own crates; the suite's two other feature sets (benchmarks, try-runtime) are
# not needed here. The README tour's test (cli/tests/readme_tour.rs), run by the suite after
# that build, skips it with SONM_DEV_NO_BUILD=1.
if [ "${SONM_DEV_NO_BUILD:-}" != 1 ]; then
	build_main
	# The web console: its rules (sonm-terms) to WebAssembly, then its static files (web/dist).
	build_web_wasm
	(cd web && npm run build >/dev/null)
	progress "build done"
fi

run_dir=$(mktemp -d -t sonm-dev.XXXXXX)
# Archive state: the indexer reads the state each block left (an order's terms, a deal's
# price), also of blocks it reads again after a restart.
node_args=(--dev --state-pruning archive --base-path "$run_dir/chain")
worker_data="$run_dir/worker"
indexer_data="$run_dir/indexer"
for arg in "$@"; do
	if [ "$arg" = "--base-path" ]; then
		# The caller keeps the chain: keep the worker's and the indexer's databases beside it.
		node_args=(--dev --state-pruning archive)
		worker_data=""
		indexer_data=""
	fi
done
pids=()
stop_all() {
	# Containers of this run's deals first, then the processes this script started, by PID.
	[ -z "${podman_pid:-}" ] || dev_podman rm --all --force --time 0 >/dev/null 2>&1 || true
	((${#pids[@]} == 0)) || kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$run_dir"
}
trap stop_all EXIT

# Podman's API service for the worker's tasks, on the store in $podman_dir.
podman_dir="${SONM_DEV_PODMAN:-$HOME/.cache/sonm-dev/podman}"
mkdir -p "$podman_dir"
printf 'unqualified-search-registries = []\n' >"$run_dir/registries.conf"
dev_podman() {
	CONTAINERS_CONF="$repo_dir/scripts/containers.conf" CONTAINERS_REGISTRIES_CONF="$run_dir/registries.conf" \
		podman --root "$podman_dir/storage" --runroot "$podman_dir/run" "$@"
}
if ! dev_podman image exists busybox:1.36 2>/dev/null; then
	echo "dev.sh: importing busybox:1.36 into $podman_dir from busybox-static (once)"
	rootfs="$run_dir/busybox-rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $("$rootfs/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
	done
	tar -C "$rootfs" -cf "$run_dir/busybox.tar" .
	dev_podman import "$run_dir/busybox.tar" busybox:1.36 >/dev/null
fi
podman_socket="$run_dir/podman.sock"
# Started from the run directory: conmon writes files such as `oom` into its working directory.
cd "$run_dir"
dev_podman system service --time=0 "unix://$podman_socket" >"$run_dir/podman.log" 2>&1 &
podman_pid=$!
cd "$repo_dir"
pids+=("$podman_pid")
for _ in $(seq 1 120); do
	[ -S "$podman_socket" ] && break
	kill -0 "$podman_pid" 2>/dev/null || { cat "$run_dir/podman.log"; echo "dev.sh: podman exited"; exit 1; }
	sleep 0.25
done
echo "dev.sh: podman's API service on $podman_socket (store $podman_dir)"

"$CARGO_TARGET_DIR/debug/sonm-node" "${node_args[@]}" "$@" > >(tee "$run_dir/node.log" | sed 's/^/[node] /') 2>&1 &
node_pid=$!
pids+=("$node_pid")

echo "dev.sh: waiting for the node's RPC on 127.0.0.1:9944 ..."
for _ in $(seq 1 240); do
	if (exec 3<>/dev/tcp/127.0.0.1/9944) 2>/dev/null; then break; fi
	kill -0 "$node_pid" 2>/dev/null || { echo "dev.sh: the node exited"; exit 1; }
	sleep 0.5
done

for _ in $(seq 1 240); do
	grep -q "Imported #[0-9]" "$run_dir/node.log" 2>/dev/null && break
	sleep 0.5
done
progress "the dev chain makes blocks"

if [ -z "$worker_data" ]; then
	# Beside the kept chain: `--base-path DIR` -> DIR/worker and DIR/indexer.
	for ((i = 1; i <= $#; i++)); do
		if [ "${!i}" = "--base-path" ]; then
			next=$((i + 1))
			worker_data="${!next}/worker"
			indexer_data="${!next}/indexer"
		fi
	done
fi
echo "dev.sh: starting sonm-indexer (SQLite in $indexer_data, API on http://127.0.0.1:9640)"
"$CARGO_TARGET_DIR/debug/sonm-indexer" run --data-dir "$indexer_data" > >(sed -u 's/^/[indexer] /') 2>&1 &
pids+=("$!")
if [ -f web/dist/index.html ]; then
	echo "dev.sh: the web console on http://127.0.0.1:5173 (node ws://127.0.0.1:9944, indexer http://127.0.0.1:9640)"
	(cd web && exec node node_modules/vite/bin/vite.js preview --strictPort) > >(sed -u 's/^/[console] /') 2>&1 &
	pids+=("$!")
fi
echo "dev.sh: starting sonm-worker (data in $worker_data)"
"$CARGO_TARGET_DIR/debug/sonm-worker" --data-dir "$worker_data" --engine "unix://$podman_socket" run &
worker_pid=$!
pids+=("$worker_pid")
wait "$worker_pid"
