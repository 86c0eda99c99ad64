#!/usr/bin/env bash
# fuzz-mutants.sh — proof that the fuzzers find real collector bugs. Every
# engine declares its planted bugs beside the code they break (core/mutant.h;
# `gclab engines --mutants` lists them). The fuzz build has them all compiled
# in and off; GCLAB_MUTANT=engine/name turns one on. For each (engine,
# mutant) this fuzzes that engine's ops_target (GCLAB_FUZZ_ENGINE) from the
# committed corpus under libFuzzer and reports found / not found, whether the
# corpus replay alone found it, and the seconds to the first crash.
#
#   scripts/fuzz-mutants.sh [--limit SECONDS] [--target T] [--replay] [SELECTOR...]
#   scripts/fuzz-mutants.sh --list
#
# SELECTOR: an engine (rc), a mutant name (fin-twice: on every engine that
# has one) or engine/name (rcgen/skip-mark); none = all. --limit: seconds of
# fuzzing per mutant (default 300). --target: ops_target (default) or
# diff_target. --replay: replay the corpus only (libFuzzer -runs=0), no
# fuzzing: the "found by corpus replay" column alone, fast. Each run uses one core; run one script at a time. The full
# run takes (number of mutants) x limit seconds at most: by hand, not in CI.
# What a run found is kept in build/fuzz/mutants/<engine>-<mutant>/.
set -u
cd "$(dirname "$0")/.."
limit=300
target=ops_target
list=0
runs=()
sel=()
usage() { echo "usage: scripts/fuzz-mutants.sh [--limit SECONDS] [--target ops_target|diff_target] [--replay] [--list] [ENGINE|MUTANT|ENGINE/MUTANT...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --limit) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
        --target) [ $# -ge 2 ] || usage; target=$2; shift 2 ;;
        --list) list=1; shift ;;
        --replay) runs=(-runs=0); shift ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) sel+=("$1"); shift ;;
    esac
done
[[ $limit =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-mutants.sh: bad --limit '$limit'" >&2; exit 2; }
case $target in ops_target|diff_target) ;; *) usage ;; esac

make -s --no-print-directory build/gclab || exit 1
mapfile -t all < <(build/gclab engines --mutants)
if [ "$list" = 1 ]; then
    printf '%s\n' "${all[@]}"
    exit 0
fi

selected() {   # selected ENGINE NAME
    [ ${#sel[@]} -eq 0 ] && return 0
    local s
    for s in "${sel[@]}"; do
        [ "$s" = "$1" ] || [ "$s" = "$2" ] || [ "$s" = "$1/$2" ] && return 0
    done
    return 1
}
for s in "${sel[@]}"; do   # a selector that matches nothing is a typo, not an empty table
    hit=0
    for line in "${all[@]}"; do
        pair=${line%%$'\t'*}
        e=${pair%%/*} m=${pair#*/}
        [ "$s" = "$e" ] || [ "$s" = "$m" ] || [ "$s" = "$pair" ] && hit=1
    done
    [ "$hit" = 1 ] || { echo "fuzz-mutants.sh: no mutant matches '$s' (see --list)" >&2; exit 2; }
done

bin=build/fuzz/libfuzzer/$target
make -s --no-print-directory "$bin" >/dev/null || exit 1
out=build/fuzz/mutants
mkdir -p "$out"
printf '%-10s %-14s %-5s %-6s %8s  %s\n' engine mutant found replay seconds report
for line in "${all[@]}"; do
    pair=${line%%$'\t'*}
    e=${pair%%/*} m=${pair#*/}
    selected "$e" "$m" || continue
    dir=$out/$e-$m
    rm -rf "$dir"
    mkdir -p "$dir/new"
    start=$(date +%s.%N)
    # New inputs go to the first corpus directory: the committed corpus is only read.
    GCLAB_MUTANT=$pair GCLAB_FUZZ_ENGINE=$e ASAN_OPTIONS=detect_leaks=1:symbolize=1 \
        timeout $((limit + 120)) "$bin" -max_total_time="$limit" -timeout=25 -rss_limit_mb=4096 \
        -max_len=1024 -dict="fuzz/$target.dict" -artifact_prefix="$dir/" -print_final_stats=1 "${runs[@]}" \
        "$dir/new" "fuzz/corpus/$target" >"$dir/log" 2>&1
    end=$(date +%s.%N)
    if [ -n "$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null)" ]; then
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
        # libFuzzer prints INITED once the corpus has been replayed: a crash before it is the replay's.
        if grep -q ' INITED ' "$dir/log"; then replay=no; else replay=yes; fi
        what=$(grep -m1 -E 'gclab fuzz: |ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|gclab invariant failed' \
               "$dir/log" | sed -e 's/^.*invariant violated: //' -e 's/^gclab fuzz: //' | cut -c1-90)
        printf '%-10s %-14s %-5s %-6s %8s  %s\n' "$e" "$m" yes "$replay" "$secs" "$what"
    else
        printf '%-10s %-14s %-5s %-6s %8s  %s\n' "$e" "$m" no - ">$limit" "$(grep -m1 -E '^gclab: ' "$dir/log")"
        rm -rf "$dir/new"
    fi
done
