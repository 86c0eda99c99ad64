#!/usr/bin/env bash
# fuzz-coverage.sh — line coverage of core/ and engines/ from replaying the
# committed fuzz corpora: ops_target on every engine, diff_target and
# script_target once, with clang's source-based coverage
# (build/fuzz/cov/replay-<target>, -fprofile-instr-generate -fcoverage-mapping).
# Prints llvm-cov's per-file report for core/ and engines/ and the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s --no-print-directory fuzz-coverage build/gclab
dir=build/fuzz/cov/profiles
rm -rf "$dir"
mkdir -p "$dir"
export ASAN_OPTIONS=detect_leaks=0
for e in $(build/gclab engines | awk '{print $1}'); do
    LLVM_PROFILE_FILE="$dir/ops-$e.profraw" GCLAB_FUZZ_ENGINE=$e \
        build/fuzz/cov/replay-ops_target fuzz/corpus/ops_target >/dev/null 2>&1 || echo "fuzz-coverage: ops_target on $e failed" >&2
done
LLVM_PROFILE_FILE="$dir/diff.profraw" build/fuzz/cov/replay-diff_target fuzz/corpus/diff_target >/dev/null 2>&1 || echo "fuzz-coverage: diff_target failed (see fuzz/pending/README.md)" >&2
LLVM_PROFILE_FILE="$dir/script.profraw" build/fuzz/cov/replay-script_target fuzz/corpus/script_target >/dev/null 2>&1 || echo "fuzz-coverage: script_target failed" >&2
llvm-profdata merge -sparse "$dir"/*.profraw -o "$dir/all.profdata"
# One binary's coverage mapping covers the shared objects; -object adds the others.
llvm-cov report build/fuzz/cov/replay-ops_target -object build/fuzz/cov/replay-diff_target \
    -object build/fuzz/cov/replay-script_target -instr-profile="$dir/all.profdata" \
    $(ls core/*.c core/script/*.c engines/*.c)
