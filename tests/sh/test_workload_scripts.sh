#!/usr/bin/env bash
# test_workload_scripts.sh — each heap script in workloads/scripts/ that is a
# twin of a C workload computes the C workload's `result`, and leaves what
# it leaves, on every engine; CPython prints the same result.
#
# The -p parameters of the C run are read from the script's module-level
# constants (`DEPTH = 6`), so the two runs always have the same sizes; a
# missing constant fails the test. For each workload and each registered
# engine that frees and knows its roots exactly (facts frees != never,
# precise=1: nogc leaks all either run allocated, bdw's conservative roots
# may keep a different few): the script's last printed line equals the C record's
# `result`, and the script's `leaked` equals the C record's (the C workloads
# document these exactly: 0 for acyclic ones, every node + class Node for
# the cyclic ones on rc). Under python3 -S (CPython 3.11) the script's last
# line is the same result.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cpython_oracle "workload-scripts:cpython" "results"

# name, then param:CONSTANT pairs: the C parameter and the script's constant holding its value.
twins=(
    "gcbench stretch_depth:STRETCH_DEPTH long_lived_depth:LONG_LIVED_DEPTH array_size:ARRAY_SIZE min_depth:MIN_DEPTH max_depth:MAX_DEPTH"
    "gcbench_cyclic stretch_depth:STRETCH_DEPTH long_lived_depth:LONG_LIVED_DEPTH array_size:ARRAY_SIZE min_depth:MIN_DEPTH max_depth:MAX_DEPTH"
    "binarytrees depth:DEPTH"
    "linkedlist length:LENGTH rounds:ROUNDS"
    "rings n:N size:SIZE rounds:ROUNDS"
    "requestcycles requests:REQUESTS payload_kb:PAYLOAD_KB span:SPAN"
    "tempclasses rounds:ROUNDS fields:FIELDS keep:KEEP"
    "fastcycles iterations:ITERATIONS depth:DEPTH long_depth:LONG_DEPTH batch:BATCH"
)

engines=$("$GCLAB" engines --caps | awk '/ precise=1/ && !/ frees=never/ {print $1}')
expect_eq "workload-scripts:engines-from-facts" "$(echo $engines | grep -wc rc)" 1

field() {   # field FILE KEY: the integer KEY of the JSON record in FILE
    grep -o "\"$2\":[0-9-]*" "$1" | head -n 1 | cut -d: -f2
}

for twin in "${twins[@]}"; do
    read -r w pairs <<<"$twin"
    f=workloads/scripts/$w.py
    if [ ! -f "$f" ]; then fail "workload-script:$w" "$f is missing"; continue; fi
    params=() bad=""
    for pc in $pairs; do
        v=$(sed -n "s/^${pc#*:} = \([0-9][0-9]*\)\$/\1/p" "$f" | head -n 1)
        if [ -z "$v" ]; then bad="no '${pc#*:} = N' line for parameter ${pc%%:*}"; break; fi
        params+=(-p "${pc%%:*}=$v")
    done
    if [ -n "$bad" ]; then fail "workload-script:$w" "$bad"; continue; fi
    c_result=""

    for e in $engines; do
        if ! "$GCLAB" run -e "$e" -w "$w" "${params[@]}" --json >"$T_TMP/c.json" 2>"$T_TMP/err"; then
            fail "workload-script:$w:$e" "gclab run -w $w ${params[*]} failed: $(head -c 300 "$T_TMP/err")"
            continue
        fi
        want=$(field "$T_TMP/c.json" result)
        want_leak=$(field "$T_TMP/c.json" leaked)
        if ! "$GCLAB" script "$f" -e "$e" --json --timeout 300 >"$T_TMP/out" 2>"$T_TMP/err"; then
            fail "workload-script:$w:$e" "gclab script failed: $(head -c 300 "$T_TMP/err")"
            continue
        fi
        got=$(head -n -1 "$T_TMP/out" | tail -n 1)
        leak=$(tail -n 1 "$T_TMP/out" >"$T_TMP/s.json"; field "$T_TMP/s.json" leaked)
        if [ -z "$want" ]; then
            fail "workload-script:$w:$e" "the C record has no result"
        elif [ "$got" != "$want" ]; then
            fail "workload-script:$w:$e" "script printed '$got', the C workload's result is $want"
        elif [ -s "$T_TMP/err" ]; then
            fail "workload-script:$w:$e" "stderr: $(head -c 300 "$T_TMP/err")"
        elif [ "$leak" != "$want_leak" ]; then
            fail "workload-script:$w:$e" "script leaked '$leak' objects, the C workload $want_leak"
        else
            pass "workload-script:$w:$e"
        fi
        [ "$e" = rc ] && c_result=$want
    done

    if [ "$have_python" = 1 ] && [ -z "$c_result" ]; then
        fail "workload-script:$w:cpython" "no C result on rc to compare with"
    elif [ "$have_python" = 1 ]; then
        got=$("$PY" -S "$f" 2>"$T_TMP/err" | tail -n 1)
        expect_eq "workload-script:$w:cpython" "$got" "$c_result"
    fi
done
