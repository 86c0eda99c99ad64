#!/usr/bin/env bash
# test_cpython_fullgc.sh — bench/calib/cpython_fullgc.py (ns/object of a full
# collection, CPython 3.11 vs rcgen) runs both sides on the same heap: for
# N=300 K=3 and two repetitions, four run lines in the rotated order
# (cpython, rcgen, rcgen, cpython); rcgen walks exactly 3*N + 6 tracked
# objects (N instances, lists and dicts, the keep list, and five that the
# script's class and def statements make); two summary lines. Bad arguments
# exit 2. Timings are printed, never checked.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cpython_oracle "cpython-fullgc" "the harness"
if [ "$have_python" = 1 ]; then
    if "$PY" -S bench/calib/cpython_fullgc.py N=300 K=3 --reps 2 --gclab "$GCLAB" >"$T_TMP/out" 2>"$T_TMP/err"; then
        expect_eq "cpython-fullgc:order" "$(awk 'NR>1 && NF==7 {print $1, $2}' "$T_TMP/out" | tr '\n' ,)" \
            "0 cpython,0 rcgen,1 rcgen,1 cpython,"
        expect_eq "cpython-fullgc:rcgen-objects" "$(awk '$2=="rcgen" {print $3}' "$T_TMP/out" | sort -u)" "906"
        expect_eq "cpython-fullgc:summary" "$(grep -c '^median ns/object per full collection' "$T_TMP/out")" "2"
    else
        fail "cpython-fullgc:run" "exit $?: $(head -c 300 "$T_TMP/err")"
    fi
    expect_exit "cpython-fullgc:bad-arg" 2 "$PY" -S bench/calib/cpython_fullgc.py N=0
    expect_exit "cpython-fullgc:bad-reps" 2 "$PY" -S bench/calib/cpython_fullgc.py --reps x
    expect_exit "cpython-fullgc:bad-gclab" 2 "$PY" -S bench/calib/cpython_fullgc.py --gclab "$T_TMP/none"
fi
