#!/usr/bin/env bash
# test_cli_budgets.sh — --max-steps (gclab script: ops executed, exit 3) and
# --timeout (gclab script and gclab run: wall seconds, exit 4), their
# messages, that nothing is written when they stop a run, and that the
# matrix runner passes its timeout down. ASan build, leaks detected.
source "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
D=$GCLAB_DEBUG
PY3=$(python3 -c 'import sys; print(sys.executable)')

printf 'x = 0\nwhile True:\n    x = x + 1\n' >"$T_TMP/forever.py"
printf 'def f():\n    return 1\nprint(f() + f())\n' >"$T_TMP/short.py"

expect_exit max_steps_stops_an_endless_loop 3 timeout 60 $D script --max-steps 1000 "$T_TMP/forever.py"
expect_eq max_steps_message "$(cat "$T_TMP/err")" "$T_TMP/forever.py:3: stopped after 1000 ops (--max-steps)"
expect_exit max_steps_enough_for_a_short_script 0 $D script --max-steps 1000 "$T_TMP/short.py"
expect_eq max_steps_short_script_output "$(cat "$T_TMP/out")" 2
# The budget is exact: the script needs N ops; N - 1 stops it, N does not.
n=1
while [ $n -lt 100 ] && ! $D script --max-steps $n "$T_TMP/short.py" >/dev/null 2>&1; do n=$((n + 1)); done
expect_exit max_steps_one_short_stops 3 $D script --max-steps $((n - 1)) "$T_TMP/short.py"
expect_exit max_steps_zero_is_no_limit 0 $D script --max-steps 0 "$T_TMP/short.py"
expect_exit max_steps_bad_value 2 $D script --max-steps 1.5 "$T_TMP/short.py"
expect_eq max_steps_bad_value_message "$(cat "$T_TMP/err")" "gclab script: --max-steps needs a count of ops, got '1.5'"

start=$SECONDS
expect_exit script_timeout_stops_an_endless_loop 4 timeout 60 $D script --timeout 0.5 "$T_TMP/forever.py"
expect_eq script_timeout_message "$(cat "$T_TMP/err")" "gclab script: timed out after 0.5 s (--timeout): $T_TMP/forever.py"
[ $((SECONDS - start)) -lt 20 ] && pass script_timeout_is_prompt || fail script_timeout_is_prompt "$((SECONDS - start)) s"
expect_exit script_timeout_bad 2 $D script --timeout 0 "$T_TMP/short.py"
expect_eq script_timeout_bad_message "$(cat "$T_TMP/err")" "gclab script: --timeout needs seconds in (0, 1000000], got '0'"

# gclab run: a C workload runs no ops; the timer stops it, and no file is written.
expect_exit run_timeout_stops_a_long_workload 4 timeout 60 $D run -e rc -w churn -p n=1e12 --timeout 1 \
    --out "$T_TMP/r.json" --pauses "$T_TMP/p.txt" --trace "$T_TMP/t.txt"
expect_eq run_timeout_message "$(cat "$T_TMP/err")" "gclab run: timed out after 1 s (--timeout): churn on rc; nothing written"
expect_eq run_timeout_writes_nothing "$(ls "$T_TMP" | grep -c '^[rpt]\.')" 0
expect_exit run_timeout_not_reached 0 $D run -e rc -w churn -p n=100 --timeout 60 --out "$T_TMP/ok.json"
expect_eq run_timeout_not_reached_writes_record "$(json_get "$T_TMP/ok.json" 'r["workload"]')" churn
for bad in 0 -1 abc 1e7 ""; do
    expect_exit "run_timeout_refuses_'$bad'" 2 $D run -e rc -w churn --timeout "$bad"
done
$D run --help | grep -q "4 --timeout reached" && pass run_help_documents_exit_4 || fail run_help_documents_exit_4 "$($D run --help | tail -3)"
$D script --help | grep -q "3 --max-steps" && pass script_help_documents_exit_3 || fail script_help_documents_exit_3 "$($D script --help | tail -4)"

# The matrix runner hands its timeout to gclab run: the run stops itself and
# becomes a failed record saying so.
cat >"$T_TMP/m.conf" <<'CONF'
engines = rc
repetitions = 1
timeout = 1
trace_every = 0
workload churn n=1000000000000
CONF
timeout 120 $PY3 -S scripts/matrix.py "$T_TMP/m.conf" --out "$T_TMP/res" >"$T_TMP/mout" 2>&1
expect_eq matrix_timeout_record "$($PY3 -S -c '
import json,sys
rs=[json.loads(l) for l in open(sys.argv[1])]
print(len(rs), rs[0]["failed"], rs[0]["error"])' "$T_TMP/res/records.jsonl" 2>&1)" "1 True timeout after 1s"
