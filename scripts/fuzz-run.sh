# fuzz-run.sh — sourced by fuzz-smoke.sh and fuzz-rates.sh: one timed fuzzing
# session of one target, under libFuzzer or AFL++, from a copy of the
# committed corpus (new inputs never land in the tree).
#
#   fuzz_session FUZZER TARGET SECS DIR     FUZZER is libfuzzer or afl
#
# Runs in DIR (created), leaves the log and any crash there, and prints one
# line: "execs rate crashes exit" (rate in execs/s; "- - - exit" if the
# fuzzer did not start). Returns 0 only if it ran and found nothing. The
# engine comes from GCLAB_FUZZ_ENGINE in the environment, or the input.

fuzz_session() {
    local fuzzer=$1 t=$2 secs=$3 dir=$4 rc execs rate crashes
    mkdir -p "$dir"
    case $fuzzer in
    libfuzzer)
        mkdir -p "$dir/corpus"
        cp fuzz/corpus/"$t"/* "$dir/corpus/"
        # -seed: the same mutations each run, so CI's smoke test is repeatable
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=0 \
            build/fuzz/libfuzzer/"$t" -seed=1 -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 \
            -max_len=1024 -dict=fuzz/"$t".dict -artifact_prefix="$dir/" -print_final_stats=1 \
            "$dir/corpus" >"$dir/log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
        if [ -z "$execs" ]; then
            echo "- - - $rc"
            return 1
        fi
        crashes=$(find "$dir" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
                  -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
        rate=$(sed -n "s/^stat::average_exec_per_sec: *//p" "$dir/log")
        ;;
    afl)
        # ops_target and diff_target: AFL++ runs fuzz/mutate.c's structure-aware mutator
        # (build/fuzz/afl-mutator.so) before its own havoc, which it keeps.
        # GCLAB_AFL_MUTATOR=none: havoc alone (to compare the two).
        local mut=
        case $t in ops_target|diff_target)
            [ "${GCLAB_AFL_MUTATOR:-so}" = none ] || mut=$PWD/build/fuzz/afl-mutator.so ;;
        esac
        if [ -n "$mut" ] && [ ! -f "$mut" ]; then
            echo "fuzz_session: $mut is missing (make build/fuzz/afl-mutator.so)" >&2
            echo "- - - 2"
            return 2
        fi
        env ${mut:+AFL_CUSTOM_MUTATOR_LIBRARY=$mut} AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1 \
            ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
            afl-fuzz -s 1 -i fuzz/corpus/"$t" -o "$dir/out" -x fuzz/"$t".dict -t 25000 -m none -V "$secs" \
            -- build/fuzz/afl/"$t" >"$dir/log" 2>&1
        rc=$?
        local stats=$dir/out/default/fuzzer_stats
        if [ ! -f "$stats" ]; then
            echo "- - - $rc"
            return 1
        fi
        execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
        rate=$(awk -F' *: *' '$1=="execs_per_sec"{printf "%d", $2}' "$stats")
        crashes=$(awk -F' *: *' '$1=="saved_crashes"{s+=$2} $1=="saved_hangs"{s+=$2} END{print s+0}' "$stats")
        ;;
    *)
        echo "fuzz_session: unknown fuzzer $fuzzer" >&2
        return 2
        ;;
    esac
    echo "$execs $rate $crashes $rc"
    [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]
}
