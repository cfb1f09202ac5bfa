#!/usr/bin/env bash
# Measures on this machine what every weight builds on, and writes it to runtime/src/weights/:
# - paritydb_weights.rs: the cost of a storage read and write (`benchmark storage`) on a state of
#   200,000 accounts, the average, measured as this solo chain imports a block: without the
#   proof recorder (a parachain records a proof of every access; this chain does not, and the
#   recorder's cost would be charged to every read and write), in batches of 10,000 keys (a
#   full block of `place_order`, about 1,600 calls each writing about six keys of its own, so
#   the storage root computed once per batch is shared as a block shares it);
# - block_weights.rs: the cost of an empty block (`benchmark overhead`);
# - extrinsic_weights.rs: the cost of an extrinsic beyond its call and its transaction
#   extensions. `benchmark overhead` times signed no-op remarks, which run every transaction
#   extension, while every extrinsic's weight also carries the extensions' own benchmarked
#   weights (runtime/src/weights/frame_system_extensions.rs and pallet_transaction_payment.rs,
#   from scripts/benchmark-pallets.sh): counted so, they would be charged twice. The base written
#   is the measured average less the extensions' measured execution times (their database
#   accesses are priced by paritydb_weights.rs in both), as polkadot-sdk issue #9981 describes.
#   Run scripts/benchmark-pallets.sh frame_system_extensions pallet_transaction_payment first on
#   the same machine.
# Builds the release node with `runtime-benchmarks` (env.sh's build_benchmark_node).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

build_benchmark_node
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
	--state-version 1 --warmups 1 --disable-pov-recorder --batch-size 10000 --metric average \
	--weight-path "$out"
"$node" benchmark overhead --chain dev --base-path "$work/overhead" --warmup 5 --repeat 50 \
	--weight-path "$out"

# The extensions' measured execution, taken off the measured base (the mortal era: the overhead
# benchmark signs its remarks mortal).
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
EXTENSIONS = {
    "frame_system_extensions.rs": [
        "check_non_zero_sender", "check_spec_version", "check_tx_version", "check_genesis",
        "check_mortality_mortal_transaction", "check_nonce", "check_weight", "weight_reclaim",
    ],
    "pallet_transaction_payment.rs": ["charge_transaction_payment"],
}
picos = 0
parts = []
for file, names in EXTENSIONS.items():
    text = open(f"{out}/{file}").read()
    for name in names:
        found = re.search(r"fn %s\(\) -> Weight \{.*?Weight::from_parts\(([\d_]+), " % name, text, re.S)
        if not found:
            sys.exit(f"benchmark-runtime-constants: no measured weight for {name} in {file}")
        value = int(found.group(1).replace("_", ""))
        picos += value
        parts.append(f"{name} {value // 1000:_}")
path = f"{out}/extrinsic_weights.rs"
text = open(path).read()
found = re.search(r"WEIGHT_REF_TIME_PER_NANOS\.saturating_mul\(([\d_]+)\)", text)
measured = int(found.group(1).replace("_", ""))
base = measured - picos // 1000
if base < 10_000:
    sys.exit(f"benchmark-runtime-constants: the base ({measured} ns) less the extensions "
             f"({picos // 1000} ns) is under 10 µs: measure both on the same machine")
note = (
    "\t///\n"
    "\t/// Less the transaction extensions' measured execution, which every signed extrinsic's\n"
    "\t/// weight carries on its own (scripts/benchmark-runtime-constants.sh), in nanoseconds:\n"
    f"\t/// {measured:_} - {picos // 1000:_} = {base:_}, the extensions being\n"
    + "".join(f"\t///   {part}\n" for part in parts)
)
text = text[: found.start()] + f"WEIGHT_REF_TIME_PER_NANOS.saturating_mul({base:_})" + text[found.end():]
text = text.replace("\tpub const ExtrinsicBaseWeight", note + "\tpub const ExtrinsicBaseWeight", 1)
open(path, "w").write(text)
print(f"extrinsic base: measured {measured:_} ns, less the extensions {picos // 1000:_} ns: {base:_} ns")
PY

# The generated files in the workspace's format (CI checks it).
cargo fmt --all
