#!/usr/bin/env bash
# Compiles the gateway's contracts with solcjs (npm `solc`, installed by scripts/setup.sh) into
# OUT (default bridge/contracts/build): NAME.abi and NAME.bin for Gatekeeper and TestSnm. The Rust
# code embeds what build/ holds; `cargo test --workspace --test contracts` compiles again into a
# temporary folder and checks that build/ is what the sources give.
#
# Usage: bridge/contracts/compile.sh [OUT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "${1:-$here/build}")"
solcjs="${SOLCJS:-$HOME/.cache/sonm-npm/node_modules/.bin/solcjs}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$here"
"$solcjs" --bin --abi --optimize --optimize-runs 200 -o "$scratch" Gatekeeper.sol TestSnm.sol >/dev/null
mkdir -p "$out"
for contract in Gatekeeper_sol_Gatekeeper:Gatekeeper TestSnm_sol_TestSnm:TestSnm; do
	from="${contract%%:*}"
	to="${contract##*:}"
	cp "$scratch/$from.abi" "$out/$to.abi"
	cp "$scratch/$from.bin" "$out/$to.bin"
done
echo "compiled Gatekeeper and TestSnm into $out"
