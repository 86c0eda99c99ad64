#!/usr/bin/env bash
# test_cpython314.sh — CPython 3.14's own GC tests, ported to heap scripts
# (tests/scripts/cpython314/, whose README lists what was not ported and
# why), on rcinc under -p rules=3.14.0 and -p rules=3.14.2. They have no
# python3 -S twin (CPython 3.11 is not 3.14): each script's asserts are the
# oracle. Each must exit 0 with nothing on stderr and print exactly its
# `# expect-stdout:` line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for f in tests/scripts/cpython314/*.py; do
    name=$(basename "$f" .py)
    want=$(sed -n 's/^# expect-stdout: //p' "$f" | head -n 1)
    if [ -z "$want" ]; then fail "cpython314:$name" "no '# expect-stdout:' header"; continue; fi
    for r in 3.14.0 3.14.2; do
        "$GCLAB" script "$f" -e rcinc -p rules=$r >"$T_TMP/out" 2>"$T_TMP/err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "cpython314:$name:$r" "exit $rc: $(head -c 300 "$T_TMP/err")"
        elif [ -s "$T_TMP/err" ]; then
            fail "cpython314:$name:$r" "stderr: $(head -c 300 "$T_TMP/err")"
        else
            expect_eq "cpython314:$name:$r" "$(cat "$T_TMP/out")" "$want"
        fi
    done
done
