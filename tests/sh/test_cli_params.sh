#!/usr/bin/env bash
# test_cli_params.sh — every parameter has a type and a range, checked before
# anything runs: each bad value is exit 2 with a message naming the value and
# the range, under the ASan build with leak detection on (a leak would turn
# the exit 2 into 1).
source "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

# expect_usage NAME MESSAGE CMD...: exit 2 and exactly MESSAGE on stderr.
expect_usage() {
    local name=$1 msg=$2; shift 2
    "$@" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ "$rc" -ne 2 ]; then fail "$name" "exit $rc, want 2; stderr: $(head -c 400 "$T_TMP/err")"
    elif [ "$(cat "$T_TMP/err")" != "$msg" ]; then fail "$name" "stderr '$(head -c 400 "$T_TMP/err")', want '$msg'"
    else pass "$name"; fi
}
D=$GCLAB_DEBUG
R="gclab run: parameter"

expect_usage int_param_refuses_fraction "$R n=1.5: not an integer (n takes an integer in 0..1000000000000)" \
    $D run -e rc -w churn -p n=1.5
expect_usage depth_below_range "$R depth=0: out of range (depth takes an integer in 6..30)" \
    $D run -e rc -w binarytrees -p depth=0
expect_usage depth_above_range_is_usage_not_failure "$R depth=64: out of range (depth takes an integer in 6..30)" \
    $D run -e rc -w binarytrees -p depth=64
expect_usage depth_huge_names_range \
    "$R depth=99999999999999999999: out of range (depth takes an integer in 6..30)" \
    $D run -e rc -w binarytrees -p depth=99999999999999999999
expect_usage keep_every_zero_is_usage \
    "$R keep_every=0: out of range (keep_every takes an integer in 1..1000000000000)" \
    $D run -e rc -w churn -p keep_every=0
expect_usage zeal_fraction "$R zeal=0.5: not an integer (zeal takes an integer in 0..1000000000000)" \
    $D run -e rc -w churn -p n=10 -p zeal=0.5
expect_usage verify_five "$R verify=5: out of range (verify takes an integer in 0..2)" \
    $D run -e rc -w churn -p n=10 -p verify=5
expect_usage heap_factor_below_one "$R heap_factor=0.5: out of range (heap_factor takes a number in 1..1e+06)" \
    $D run -e marksweep -w churn -p n=10 -p heap_factor=0.5
expect_usage rules_unknown_word "$R rules=3.13: not a known word (rules takes one of 3.14.0|3.14.2)" \
    $D run -e rcinc -w churn -p n=10 -p rules=3.13
expect_usage param_not_a_number "$R depth=deep: not a number (depth takes an integer in 6..30)" \
    $D run -e rc -w binarytrees -p depth=deep
expect_usage param_hex_refused "$R n=0x10: not a number (n takes an integer in 0..1000000000000)" \
    $D run -e rc -w churn -p n=0x10
expect_usage param_empty "$R n=: empty value (n takes an integer in 0..1000000000000)" \
    $D run -e rc -w churn -p n=
expect_usage duplicate_param_refused "gclab run: parameter depth given twice (-p depth=8, -p depth=9)" \
    $D run -e rc -w binarytrees -p depth=8 -p depth=9
expect_usage duplicate_engine_param_refused "gclab run: parameter zeal given twice (-p zeal=1, -p zeal=2)" \
    $D run -e rc -w churn -p zeal=1 -p zeal=2
# The issue's LeakSanitizer report: the second -p's key was leaked on the early exit.
expect_usage unknown_engine_param_after_a_good_one_leaks_nothing \
    "gclab run: engine 'rc' has no parameter 'heap_factor' (it takes: zeal verify); workload 'binarytrees' takes: depth" \
    $D run -e rc -w binarytrees -p depth=8 -p heap_factor=2
expect_usage constraint_between_params_is_usage \
    "gclab run: gcbench needs min_depth <= max_depth <= stretch_depth (got min_depth=9 max_depth=6 stretch_depth=16)" \
    $D run -e rc -w gcbench -p min_depth=9 -p max_depth=6
expect_usage lifetimes_percent_sum \
    "gclab run: lifetimes needs young_percent + old_percent <= 100 (got 90 + 20)" \
    $D run -e rc -w lifetimes -p old_percent=20
expect_usage tempclasses_keep_below_rounds "gclab run: tempclasses needs keep < rounds (got keep=4 rounds=4)" \
    $D run -e rc -w tempclasses -p rounds=4
expect_usage fragment_large_min_max \
    "gclab run: fragment needs large_min <= large_max (got large_min=4096 large_max=100)" \
    $D run -e rc -w fragment -p large_max=100

# 1e6 is a whole number for -p and for --heap-limit alike; 1.5 for neither.
$D run -e rc -w churn -p n=1e3 --heap-limit 1e6 --json >"$T_TMP/r.json" 2>"$T_TMP/err"
expect_eq heap_limit_1e6_accepted "$(json_get "$T_TMP/r.json" 'r["heap_limit"]')" 1000000
expect_eq int_param_1e3_recorded_as_integer "$(json_get "$T_TMP/r.json" 'repr(r["params"]["n"])')" 1000
expect_usage heap_limit_fraction_refused "gclab run: --heap-limit needs a byte count (0: no limit), got '1.5'" \
    $D run -e rc -w churn --heap-limit 1.5
expect_usage heap_size_zero_refused "gclab run: --heap-size needs a positive byte count, got '0'" \
    $D run -e rc -w churn --heap-size 0
$D run --help | grep -q "(0, the default: no limit)" && pass help_documents_heap_limit_zero ||
    fail help_documents_heap_limit_zero "$($D run --help | grep -A1 heap-limit)"

# Too small to start: the minimum is named.
expect_usage heap_limit_too_small_names_minimum \
    "gclab run: a heap limit of 100 bytes is too small to start: rc needs 240 live bytes before the program runs (--heap-limit 0 means no limit)" \
    $D run -e rc -w binarytrees --heap-limit 100
# A real out-of-memory (the system refuses, no limit set) says so (optimized
# build: ASan reserves too much address space for a ulimit).
(ulimit -v 400000; exec $GCLAB run -e nogc -w churn -p n=100000000 -p keep_every=1) >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "MemoryError: out of memory: the system refused [0-9]* bytes" "$T_TMP/err"; then
    pass real_oom_says_out_of_memory; else fail real_oom_says_out_of_memory "exit $rc: $(head -c 300 "$T_TMP/err")"; fi

# gclab script: the same checks.
printf 'x = 1\n' >"$T_TMP/s.py"
expect_usage script_duplicate_param "gclab script: parameter zeal given twice (-p zeal=1, -p zeal=3)" \
    $D script -e rc -p zeal=1 -p zeal=3 "$T_TMP/s.py"
expect_usage script_param_range "gclab script: parameter threshold0=-1: out of range (threshold0 takes an integer in 0..2147483647)" \
    $D script -e rcgen -p threshold0=-1 "$T_TMP/s.py"
expect_usage script_heap_limit_fraction "gclab script: --heap-limit needs a byte count (0: no limit), got '2.5'" \
    $D script --heap-limit 2.5 "$T_TMP/s.py"
expect_exit script_heap_limit_1e6 0 $D script --heap-limit 1e6 "$T_TMP/s.py"

# The machine-readable listings carry the types and ranges.
expect_eq workloads_json_has_range "$($GCLAB workloads --json | /usr/bin/python3 -S -c '
import json,sys; w={x["name"]: x for x in json.load(sys.stdin)}
p={q["name"]: q for q in w["binarytrees"]["params"]}["depth"]; print(p["type"], p["min"], p["max"])')" "int 6 30"
expect_eq engines_json_has_words "$($GCLAB engines --json | /usr/bin/python3 -S -c '
import json,sys; e={x["name"]: x for x in json.load(sys.stdin)}
p={q["name"]: q for q in e["rcinc"]["params"]}; print(p["rules"]["words"], p["verify"]["max"])')" "['3.14.0', '3.14.2'] 2"
