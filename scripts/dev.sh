#!/usr/bin/env bash
# The main job: sets up the machine, builds `sonm-node` and runs a development chain (Alice
# authors and finalizes a block every two seconds; JSON-RPC on ws://127.0.0.1:9944).
# Extra arguments go to the node, e.g. `scripts/dev.sh --base-path /tmp/sonm` to keep the
# chain between runs (without it the chain lives in a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# The test suite's build, so that running either script after the other rebuilds nothing but
# the workspace's own crates (see `build_workspace` in scripts/env.sh).
build_workspace
exec "$CARGO_TARGET_DIR/debug/sonm-node" --dev "$@"
