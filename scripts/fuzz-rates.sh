#!/usr/bin/env bash
# fuzz-rates.sh — execs/s of each fuzz target on each engine, under libFuzzer
# and AFL++: the throughput table of fuzz/README.md.
#
#   scripts/fuzz-rates.sh [--secs S]      (default 30 s per cell)
#
# ops_target runs once per engine (GCLAB_FUZZ_ENGINE); diff_target runs every
# engine on each input and script_target none, so each is one row. Every
# session starts from the committed corpus with a fixed seed; a session that
# finds something says so in its cell (crashes are kept in build/fuzz/rates/).
# Takes (engines + 2) x 2 x S seconds on one core.
set -u
cd "$(dirname "$0")/.."
. scripts/fuzz-run.sh
secs=30
while [ $# -gt 0 ]; do
    case $1 in
        --secs) secs=$2; shift 2 ;;
        *) echo "usage: scripts/fuzz-rates.sh [--secs S]" >&2; exit 2 ;;
    esac
done
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-rates.sh: bad --secs $secs" >&2; exit 2; }
make -s --no-print-directory fuzz build/gclab || exit 1
dir=build/fuzz/rates
rm -rf "$dir"
cell() {   # cell FUZZER TARGET NAME: "rate" or "rate (N crashes)"
    local execs rate crashes rc
    read -r execs rate crashes rc < <(fuzz_session "$1" "$2" "$secs" "$dir/$1-$3")
    if [ "$execs" = - ]; then
        printf 'did not start'
    elif [ "$crashes" != 0 ]; then
        printf '%s (%s found)' "$rate" "$crashes"
    else
        printf '%s' "$rate"
    fi
}
echo "| target | engine | libFuzzer execs/s | AFL++ execs/s |"
echo "|---|---|---|---|"
for e in $(build/gclab engines | awk '{print $1}'); do
    export GCLAB_FUZZ_ENGINE=$e
    echo "| ops_target | $e | $(cell libfuzzer ops_target "ops-$e") | $(cell afl ops_target "ops-$e") |"
done
unset GCLAB_FUZZ_ENGINE
echo "| diff_target | all | $(cell libfuzzer diff_target diff) | $(cell afl diff_target diff) |"
echo "| script_target | - | $(cell libfuzzer script_target script) | $(cell afl script_target script) |"
