#!/usr/bin/env bash
# Measures on this machine what every weight builds on, and writes it to runtime/src/weights/:
# - paritydb_weights.rs: the cost of a storage read and write (`benchmark storage`) on a state of
#   200,000 accounts, writes in batches of 1,000 keys (about one full block's), the average;
# - block_weights.rs, extrinsic_weights.rs: the cost of an empty block and of a no-op
#   extrinsic (`benchmark overhead`).
# Builds `sonm-node --release` with `runtime-benchmarks`, as scripts/benchmark-pallets.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Without clippy's driver (env.sh's build-time lint: a release build measures, it does not
# lint).
env -u RUSTC_WORKSPACE_WRAPPER cargo build --release -p sonm-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/sonm-node"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=runtime/src/weights

# The development chain spec with 200,000 more endowed accounts, so that reads and writes walk
# a trie of realistic depth.
"$node" export-chain-spec --chain dev > "$work/dev.json"
python3 - "$work/dev.json" "$work/big.json" <<'PY'
import hashlib, json, random, sys
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def base58(data):
    n, text = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        text = ALPHABET[r] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text
def ss58(public):
    payload = bytes([42]) + public
    checksum = hashlib.blake2b(b"SS58PRE" + payload, digest_size=64).digest()[:2]
    return base58(payload + checksum)
spec = json.load(open(sys.argv[1]))
balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
rng = random.Random(7)
balances += [[ss58(rng.randbytes(32)), 10**18] for _ in range(200_000)]
json.dump(spec, open(sys.argv[2], "w"))
PY

"$node" benchmark storage --chain "$work/big.json" --base-path "$work/db" --database paritydb \
	--state-version 1 --warmups 1 --batch-size 1000 --metric average --weight-path "$out"
"$node" benchmark overhead --chain dev --base-path "$work/overhead" --warmup 5 --repeat 50 \
	--weight-path "$out"
