#!/usr/bin/env bash
# fuzz-smoke.sh — `make fuzz-smoke`: each fuzz target for SMOKE_SECS seconds
# (default 60) under libFuzzer and as long under AFL++, from the committed
# corpus, one run at a time. Prints one line per run (execs, execs/s,
# crashes) and fails if any run found a crash or could not start. Crashes are
# left in build/fuzz/smoke/. Not part of `make test`.
set -u
cd "$(dirname "$0")/.."
secs=${SMOKE_SECS:-60}
dir=build/fuzz/smoke
rm -rf "$dir"
mkdir -p "$dir"
bad=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=0
for t in ops_target diff_target script_target; do
    # libFuzzer: a copy of the corpus, so new inputs stay out of the tree
    mkdir -p "$dir/lf-$t"
    cp fuzz/corpus/$t/* "$dir/lf-$t/"
    build/fuzz/libfuzzer/$t -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 -max_len=1024 \
        -dict=fuzz/$t.dict -artifact_prefix="$dir/lf-$t-" -print_final_stats=1 "$dir/lf-$t" >"$dir/lf-$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/lf-$t.log")
    crashes=$(ls "$dir"/lf-$t-crash-* "$dir"/lf-$t-leak-* "$dir"/lf-$t-timeout-* 2>/dev/null | wc -l)
    echo "libfuzzer $t: ${runs:-0} execs, $(( ${runs:-0} / secs )) execs/s, $crashes crashes, exit $rc"
    [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || bad=1
    # AFL++: -V stops after secs seconds
    AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1 \
        ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
        afl-fuzz -i fuzz/corpus/$t -o "$dir/afl-$t" -x fuzz/$t.dict -t 25000 -m none -V "$secs" \
        -- build/fuzz/afl/$t >"$dir/afl-$t.log" 2>&1
    rc=$?
    stats="$dir/afl-$t/default/fuzzer_stats"
    if [ -f "$stats" ]; then
        execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
        rate=$(awk -F' *: *' '$1=="execs_per_sec"{print $2}' "$stats")
        crashes=$(awk -F' *: *' '$1=="saved_crashes"{print $2}' "$stats")
        echo "afl++     $t: $execs execs, $rate execs/s, $crashes crashes, exit $rc"
        [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || bad=1
    else
        echo "afl++     $t: did not start (exit $rc): $(tail -3 "$dir/afl-$t.log")"
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "fuzz-smoke: clean" || echo "fuzz-smoke: FAILED (see $dir)"
exit "$bad"
