# test_engine_results.sh — every workload gives the same `result` on every
# registered engine as on nogc (optimized binary, small parameters), and the
# engines that promise it (precise cycle collectors, `gclab engines --caps`:
# collects_cycles=1 precise=1) leak nothing after the final collection. The
# engine and workload lists are the registry's: one added later is covered.
source "$(dirname "$0")/lib.sh"

run_result() {   # ENGINE WORKLOAD ARGS... -> prints "result leaked"
    local e=$1 w=$2; shift 2
    "$GCLAB" run -e "$e" -w "$w" "$@" --json >"$T_TMP/r.json" 2>"$T_TMP/err" || { echo "exit $?"; return; }
    json_get "$T_TMP/r.json" 'str(r["result"]) + " " + str(r["leaked"])'
}

engines=$("$GCLAB" engines | awk '$1 != "nogc" {print $1}')
leak_free=" $("$GCLAB" engines --caps | awk '/collects_cycles=1/ && /precise=1/ {print $1}' | tr '\n' ' ')"
expect_eq engines_listed_for_results "$([ -n "$engines" ] && [[ $leak_free == *" marksweep "* ]] && echo ok)" ok

check() {   # WORKLOAD ARGS...
    local w=$1 want got e
    want=$(run_result nogc "$@" | cut -d' ' -f1)
    shift
    for e in $engines; do
        got=$(run_result "$e" "$w" "$@")
        expect_eq "result_${w}_${e}_equals_nogc" "${got%% *}" "$want"
        if [[ $leak_free == *" $e "* ]]; then
            expect_eq "leaked_${w}_${e}_is_zero" "${got##* }" "0"
        fi
    done
}
check binarytrees -p depth=10
check churn -p n=200000
for w in $("$GCLAB" workloads 2>/dev/null | awk 'NF && $1 !~ /=/ {print $1}'); do
    case "$w" in binarytrees|churn) continue ;; esac
    check "$w"
done

# A heap limit gives MemoryError (exit 1 with a message), not a crash.
expect_exit heap_limit_marksweep_fails_cleanly 1 "$GCLAB" run -e marksweep -w binarytrees -p depth=12 --heap-limit 200000
if grep -q "heap limit reached" "$T_TMP/err"; then pass heap_limit_message_marksweep; else
    fail heap_limit_message_marksweep "stderr: $(head -c 200 "$T_TMP/err")"; fi
