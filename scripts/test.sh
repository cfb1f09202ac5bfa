#!/usr/bin/env bash
# Runs every test: sets up the machine, builds the node (with its wasm runtime) and runs the
# workspace's tests, unit and end-to-end (real `sonm-node` processes on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

started=$(date +%s)
cargo build --workspace --all-targets
cargo test --workspace --no-fail-fast
echo "test.sh: all tests passed in $(($(date +%s) - started)) s"
