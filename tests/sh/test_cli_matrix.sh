#!/usr/bin/env bash
# test_cli_matrix.sh — scripts/matrix.py validates the whole config before
# running anything (issue 19's matrix items): each bad value is exit 2 with
# FILE:LINE and nothing is created; constraints between parameters are asked
# of `gclab run --check`.
source "$(dirname "$0")/lib.sh"
PY3=$(python3 -c 'import sys; print(sys.executable)')
C=$T_TMP/m.conf

# expect_config NAME MESSAGE CONFIG-TEXT: matrix.py refuses it with exactly MESSAGE, creating nothing.
expect_config() {
    printf '%b' "$3" >"$C"
    timeout 120 $PY3 -S scripts/matrix.py "$C" --out "$T_TMP/res" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ $rc -ne 2 ]; then fail "$1" "exit $rc, want 2: $(head -c 300 "$T_TMP/err")"
    elif [ "$(cat "$T_TMP/err")" != "$2" ]; then fail "$1" "stderr '$(cat "$T_TMP/err")', want '$2'"
    elif [ -e "$T_TMP/res" ]; then fail "$1" "created $T_TMP/res"
    else pass "$1"; fi
}
M="matrix: $C"
expect_config heap_factor_zero "$M:2: heap factor 0 must be > 0 (a factor multiplies the minimum heap; the engines already run unlimited besides the factors)" \
    'engines = marksweep\nheap_factors = 0\nworkload churn n=100\n'
expect_config heap_factor_tiny "$M:2: heap factor 0.0001 is below 0.1: a heap that small cannot hold a workload's first objects (factors from 0.1 to 1 show MemoryError)" \
    'engines = marksweep\nheap_factors = 0.0001\nworkload churn n=100\n'
expect_config engines_empty "$M:1: 'engines' is empty: write 'all' or engine names ($($GCLAB engines | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//'))" \
    'engines =\nworkload churn n=100\n'
expect_config unknown_engine_has_line "$M:2: unknown engine 'nosuch' (known: $($GCLAB engines | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//'))" \
    '# a comment\nengines = rc nosuch\nworkload churn n=100\n'
expect_config unknown_param_has_line "$M:3: workload churn has no parameter 'depth' (it takes: n keep_every)" \
    'engines = rc\n\nworkload churn depth=3\n'
expect_config int_param_fraction "$M:2: workload churn: n=1.5: not an integer" 'engines = rc\nworkload churn n=1.5\n'
expect_config param_out_of_range "$M:2: workload binarytrees: depth=64: out of range [6, 30]" \
    'engines = rc\nworkload binarytrees depth=64\n'
expect_config constraint_checked_by_gclab "$M:3: workload gcbench min_depth=9 max_depth=6 on rc: gcbench needs min_depth <= max_depth <= stretch_depth (got min_depth=9 max_depth=6 stretch_depth=16)" \
    'engines = rc\nworkload churn n=10\nworkload gcbench min_depth=9,4 max_depth=6\n'
expect_config every_error_at_once "$M:1: unknown engine 'x' (known: $($GCLAB engines | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//'))
$M:2: 'repetitions' must be an integer >= 1, not '0'" 'engines = x\nrepetitions = 0\nworkload churn n=10\n'

# gclab run --check: exit 0 without running, 2 on what a run would refuse.
start=$SECONDS
expect_exit run_check_good_runs_nothing 0 $GCLAB run -e rc -w churn -p n=1e12 --check
[ $((SECONDS - start)) -lt 10 ] && pass run_check_is_immediate || fail run_check_is_immediate "$((SECONDS - start)) s"
expect_eq run_check_prints_nothing "$(cat "$T_TMP/out")" ""
expect_exit run_check_bad_constraint 2 $GCLAB run -e rc -w lifetimes -p old_percent=50 --check
expect_exit run_check_engine_init_refusal 2 $GCLAB run -e marksweep -w churn -p mark_stack_max=1 --check
expect_eq run_check_engine_init_message "$(cat "$T_TMP/err")" \
    "gclab run: engine marksweep: mark_stack_max must be 0 (unbounded) or at least 2"
