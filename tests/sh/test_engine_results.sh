# test_engine_results.sh — every workload gives the same `result` on nogc,
# rc, marksweep and bdw (optimized binary, small parameters); marksweep
# leaks nothing after the final collection.
source "$(dirname "$0")/lib.sh"

run_result() {   # ENGINE WORKLOAD ARGS... -> prints "result leaked"
    local e=$1 w=$2; shift 2
    "$GCLAB" run -e "$e" -w "$w" "$@" --json >"$T_TMP/r.json" 2>"$T_TMP/err" || { echo "exit $?"; return; }
    json_get "$T_TMP/r.json" 'str(r["result"]) + " " + str(r["leaked"])'
}

for spec in "binarytrees -p depth=10" "churn -p n=200000"; do
    set -- $spec
    w=$1; shift
    want=$(run_result nogc "$w" "$@" | cut -d' ' -f1)
    for e in rc marksweep bdw; do
        got=$(run_result "$e" "$w" "$@")
        expect_eq "result_${w}_${e}_equals_nogc" "${got%% *}" "$want"
        if [ "$e" = marksweep ]; then
            expect_eq "leaked_${w}_marksweep_is_zero" "${got##* }" "0"
        fi
    done
done

# The workload list is the registry's: a workload added later is covered too.
for w in $("$GCLAB" workloads 2>/dev/null | awk '{print $1}'); do
    case "$w" in binarytrees|churn) continue ;; esac
    want=$(run_result nogc "$w" | cut -d' ' -f1)
    for e in rc marksweep bdw; do
        got=$(run_result "$e" "$w")
        expect_eq "result_${w}_${e}_equals_nogc" "${got%% *}" "$want"
    done
done

# A heap limit gives MemoryError (exit 1 with a message), not a crash.
expect_exit heap_limit_marksweep_fails_cleanly 1 "$GCLAB" run -e marksweep -w binarytrees -p depth=12 --heap-limit 200000
if grep -q "heap limit reached" "$T_TMP/err"; then pass heap_limit_message_marksweep; else
    fail heap_limit_message_marksweep "stderr: $(head -c 200 "$T_TMP/err")"; fi
