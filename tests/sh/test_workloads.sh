#!/usr/bin/env bash
# test_workloads.sh — the workload suite through the CLI (the matrix of
# every workload on every engine is tests/test_workloads.c).
. "$(dirname "$0")/lib.sh"

# `gclab workloads` lists the issue's 14 workloads in order, then listrings and issue 15's
# three CPython field cases, each as a
# "name summary" line followed by an indented "key=default ..." line.
names=$("$GCLAB" workloads | awk 'NR % 2 == 1 { print $1 }' | tr '\n' ' ')
expect_eq workloads_lists_the_suite_in_order "$names" \
    "gcbench gcbench_cyclic binarytrees linkedlist rings traversal churn weakcache finalizers recursion globalleak fragment lifetimes sustained listrings requestcycles tempclasses fastcycles "
bad=$("$GCLAB" workloads | awk 'NR % 2 == 0 && !/^               [a-z_]+=[0-9.]+( [a-z_]+=[0-9.]+)*$/' | wc -l)
expect_eq workloads_parameter_lines_are_key_equals_default "$bad" 0

# The CLI reports the same result on every engine, the value from the
# definition: rings n=3 size=5 rounds=2 walks 2*3*5 steps. What leaks follows
# from the engine's facts (gclab engines --caps): an engine that never frees
# leaks everything (1 + 2*(1+15) + 3 roots), one that frees by refcount only
# leaks the 30 nodes and class Node, a precise cycle collector nothing (a
# conservative one is not checked).
want_leak() {
    local caps=" $("$GCLAB" engines --caps | grep "^$1 ") "
    case $caps in
        *" frees=never "*) echo 36;;
        *" refcounts=1 collects_cycles=0 "*) echo 31;;
        *" collects_cycles=1 "*" precise=1 "*) echo 0;;
    esac
}
for e in $("$GCLAB" engines | awk '{ print $1 }'); do
    if "$GCLAB_DEBUG" run -e "$e" -w rings -p n=3 -p size=5 -p rounds=2 --json >"$T_TMP/r.json" 2>"$T_TMP/err"; then
        expect_eq "rings_cli_result_on_$e" "$(json_get "$T_TMP/r.json" 'r["result"]')" 30
        want=$(want_leak "$e")
        [ -n "$want" ] && expect_eq "rings_cli_leaked_on_$e" "$(json_get "$T_TMP/r.json" 'r["leaked"]')" "$want"
    else
        fail "rings_cli_result_on_$e" "exit $?: $(head -c 300 "$T_TMP/err")"
    fi
done

# A workload parameter out of its range is a usage error (exit 2), no record.
expect_exit gcbench_bad_shape_fails_cleanly 2 "$GCLAB" run -e nogc -w gcbench -p min_depth=9 -p max_depth=6 --out "$T_TMP/none.json"
if [ -e "$T_TMP/none.json" ]; then fail gcbench_bad_shape_writes_no_record "$T_TMP/none.json exists"; else pass gcbench_bad_shape_writes_no_record; fi
grep -q "min_depth <= max_depth" "$T_TMP/err" && pass gcbench_bad_shape_says_why || fail gcbench_bad_shape_says_why "$(cat "$T_TMP/err")"
