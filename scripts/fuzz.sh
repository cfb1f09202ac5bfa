#!/usr/bin/env bash
# Runs the coverage-guided fuzzers (libFuzzer) of fuzz/ over their corpora in fuzz/corpus/:
#   scripts/fuzz.sh                       # every target, 60 s each (what CI runs)
#   FUZZ_SECONDS=1800 scripts/fuzz.sh runtime_calls   # a long run of one target
# New inputs that reach new coverage are added to the corpus folder (commit the ones worth
# keeping, after `-merge=1` into a fresh folder keeps the corpus small); a crash stops the run
# and leaves its input as fuzz/artifacts/<target>/crash-*, which replays with
#   "$FUZZ_BIN_DIR/<target>" fuzz/artifacts/<target>/crash-...
# Each target prints "sonm-fuzz: calls N, succeeded S, blocks B" every 10,000 calls and
# libFuzzer's final statistics (executions, coverage) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${FUZZ_TARGETS[@]}")
build_fuzz
for target in "${targets[@]}"; do
	corpus="fuzz/corpus/$target"
	artifacts="fuzz/artifacts/$target"
	mkdir -p "$corpus" "$artifacts"
	binary="$FUZZ_BIN_DIR/$target"
	# A corpus with no seeds yet gets the target's own (valid inputs reaching deep paths).
	if ! compgen -G "$corpus/seed-*" >/dev/null; then
		SONM_FUZZ_SEEDS="$corpus" "$binary" -runs=0 >/dev/null 2>&1
	fi
	echo "fuzz: $target for $seconds s"
	SONM_FUZZ_SELF_TEST=1 "$binary" || { echo "fuzz: $target's invariant checks miss faults" >&2; exit 1; }
	log=$(mktemp)
	status=0
	"$binary" "$corpus" -max_total_time="$seconds" -max_len=4096 -len_control=0 -timeout=30 \
		-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
	grep -E "^sonm-fuzz|Loaded|INITED|DONE|^stat::|panicked|invariant|ERROR|SUMMARY|Test unit" "$log" | tail -25 || true
	rm -f "$log"
	if [ "$status" -ne 0 ]; then
		echo "fuzz: $target failed (exit $status); its input is in $artifacts/" >&2
		exit 1
	fi
done
