#!/usr/bin/env bash
# RUSTC_WRAPPER of the fuzz build (scripts/env.sh, build_fuzz): adds libFuzzer's coverage
# instrumentation (the flags cargo-fuzz uses, all stable rustc options) to the project's own
# crates only. Instrumenting the dependencies too (the trie, the codec, the crypto) tripled the
# time of every execution without guiding the fuzzer anywhere we care about.
rustc="$1"
shift
crate=""
previous=""
for argument in "$@"; do
	[ "$previous" = "--crate-name" ] && crate="$argument"
	previous="$argument"
done
case "$crate" in
pallet_market | pallet_blacklist | pallet_kyc | pallet_masternodes | pallet_oracle | pallet_gatekeeper | \
	sonm_runtime | sonm_primitives | sonm_fuzz | runtime_calls | extrinsic_decode)
	exec "$rustc" "$@" -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
		-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
		-Cllvm-args=-sanitizer-coverage-trace-compares
	;;
esac
exec "$rustc" "$@"
