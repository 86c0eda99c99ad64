#!/usr/bin/env bash
# test_cli.sh — the gclab command line: exit codes, --help, the JSON record's
# validity and keys, and workload results against their definitions.
source "$(dirname "$0")/lib.sh"

# --help on every command, exit 0, text on stdout.
for cmd in "" engines workloads run; do
    expect_exit "help_${cmd:-top}" 0 $GCLAB $cmd --help
done

# Bad usage is exit 2 with a message naming the problem.
expect_exit no_command 2 $GCLAB
expect_exit unknown_command 2 $GCLAB_DEBUG frobnicate
expect_exit run_without_engine 2 $GCLAB_DEBUG run -w binarytrees
expect_exit run_unknown_engine 2 $GCLAB_DEBUG run -e nosuch -w binarytrees
grep -q "known engines: nogc rc" "$T_TMP/err" && pass unknown_engine_lists_known || fail unknown_engine_lists_known "$(cat "$T_TMP/err")"
expect_exit run_unknown_workload 2 $GCLAB_DEBUG run -e rc -w nosuch
expect_exit run_unknown_param 2 $GCLAB_DEBUG run -e rc -w binarytrees -p nosuch=1
expect_exit run_bad_param_value 2 $GCLAB_DEBUG run -e rc -w binarytrees -p depth=deep
expect_exit run_param_without_value 2 $GCLAB_DEBUG run -e rc -w binarytrees -p depth
expect_exit run_bad_alloc 2 $GCLAB_DEBUG run -e rc -w binarytrees --alloc=slab
expect_exit run_bad_seed 2 $GCLAB_DEBUG run -e rc -w binarytrees --seed -3
expect_exit run_unknown_option 2 $GCLAB_DEBUG run -e rc -w binarytrees --fast
expect_exit run_churn_keep_every_zero 2 $GCLAB_DEBUG run -e rc -w churn -p n=10 -p keep_every=0
expect_eq churn_zero_message "$(cat "$T_TMP/err")" \
    "gclab run: parameter keep_every=0: out of range (keep_every takes an integer in 1..1000000000000)"

# engines and workloads list one per line.
expect_eq engines_listed "$($GCLAB engines | awk '{print $1}' | head -2 | tr '\n' ' ')" "nogc rc "
$GCLAB workloads | grep -A1 '^binarytrees ' | grep -q '^ *depth=10$' && pass workloads_list_params || fail workloads_list_params "$($GCLAB workloads)"

# The binary-trees checksum, computed from the program's definition:
# check(tree of depth d) = 2^(d+1) - 1 nodes.
bt_expected() {
    /usr/bin/python3 -S -c '
import sys
n = int(sys.argv[1]); mn = 4; mx = max(mn + 2, n)
size = lambda d: 2 ** (d + 1) - 1
total = size(mx + 1) + size(mx)
for d in range(mn, mx + 1, 2):
    total += 2 ** (mx - d + mn) * size(d)
print(total)' "$1"
}

keys="engine workload params seed result wall_s cpu_s gc_s mutator_s allocs alloc_bytes freed leaked leaked_bytes collections pauses peak_heap_bytes peak_rss_bytes gclab_version commit compiler machine"
for engine in nogc rc; do
    out="$T_TMP/$engine.json"
    if ! $GCLAB_DEBUG run -e $engine -w binarytrees -p depth=8 --json >"$out" 2>"$T_TMP/err"; then
        fail "binarytrees_$engine" "exit non-zero: $(head -c 300 "$T_TMP/err")"; continue
    fi
    expect_eq "json_one_line_$engine" "$(wc -l <"$out")" 1
    missing=$(/usr/bin/python3 -S -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(k for k in sys.argv[2:] if k not in r))' "$out" $keys)
    expect_eq "json_has_all_keys_$engine" "$missing" ""
    expect_eq "binarytrees_result_$engine" "$(json_get "$out" 'r["result"]')" "$(bt_expected 8)"
    expect_eq "pause_keys_$engine" "$(json_get "$out" '" ".join(sorted(r["pauses"]))')" "count max_s p50_s p90_s p999_s p99_s total_s"
    expect_eq "collections_$engine" "$(json_get "$out" 'r["collections"]')" "[0]"
    expect_eq "allocs_are_tree_nodes_$engine" "$(json_get "$out" 'r["allocs"]')" "$(bt_expected 8)"
done
expect_eq rc_binarytrees_leaks_nothing "$(json_get "$T_TMP/rc.json" 'r["leaked"]')" 0
expect_eq rc_binarytrees_frees_every_node "$(json_get "$T_TMP/rc.json" 'r["freed"]')" "$(bt_expected 8)"
# nogc frees nothing: every node plus core's three root containers remain.
expect_eq nogc_leaks_everything "$(json_get "$T_TMP/nogc.json" 'r["leaked"]')" "$(( $(bt_expected 8) + 3 ))"

# churn: len(keep) = ceil(n / keep_every).
$GCLAB_DEBUG run -e rc -w churn -p n=1000 -p keep_every=7 --json >"$T_TMP/churn.json"
expect_eq churn_result "$(json_get "$T_TMP/churn.json" 'r["result"]')" 143
expect_eq churn_params_recorded "$(json_get "$T_TMP/churn.json" 'r["params"]')" "{'n': 1000, 'keep_every': 7}"
expect_eq churn_allocs "$(json_get "$T_TMP/churn.json" 'r["allocs"]')" 1000

# The malloc allocator gives the same result and the same object counts.
$GCLAB run -e rc -w binarytrees -p depth=8 --alloc=malloc --json >"$T_TMP/malloc.json"
expect_eq malloc_same_result "$(json_get "$T_TMP/malloc.json" 'r["result"], r["allocs"], r["alloc"]')" "($(bt_expected 8), $(bt_expected 8), 'malloc')"

# --out writes the same record, and nothing else is left beside it.
$GCLAB run -e rc -w churn -p n=100 --out "$T_TMP/rec.jsonl" >/dev/null
expect_eq out_file_written "$(json_get "$T_TMP/rec.jsonl" 'r["result"]')" 1
expect_eq out_no_temp_left "$(ls "$T_TMP" | grep -c tmp)" 0

# A heap limit is a clean MemoryError (exit 1), not a crash.
expect_exit heap_limit_is_exit_1 1 $GCLAB_DEBUG run -e nogc -w binarytrees -p depth=10 --heap-limit 100000
grep -q "MemoryError: heap limit reached" "$T_TMP/err" && pass heap_limit_message || fail heap_limit_message "$(cat "$T_TMP/err")"

# The human summary names the result.
$GCLAB run -e rc -w binarytrees -p depth=6 | grep -q "^result  *$(bt_expected 6)$" && pass summary_has_result || fail summary_has_result "no result line"
