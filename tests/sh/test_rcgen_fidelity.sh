#!/usr/bin/env bash
# test_rcgen_fidelity.sh — rcgen's collections per generation on the churn
# workload equal CPython 3.11's on the same program, element by element.
#
# The oracle is churn.c's Python program, bracketed so that only the loop's
# collections count: `before` is read ahead of the setup gc.collect() (whose
# own full collection is subtracted), and gc.disable() right after the loop
# keeps the allocations of the measuring code itself from triggering one.
# gc.collect() also empties CPython's free lists, so both sides enter the
# loop with count 0 and empty list free lists.
source "$(dirname "$0")/lib.sh"

PY=${PYTHON3:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
    skip rcgen_fidelity "no python3 on PATH (CPython 3.11 is the oracle)"
    exit 0
fi
ver=$("$PY" -S -c 'import sys; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], sys.implementation.name))')
if [ "$ver" != "3.11 cpython" ]; then
    skip rcgen_fidelity "python3 is '$ver', the oracle must be CPython 3.11"
    exit 0
fi
if [ ! -x "$GCLAB" ]; then
    fail rcgen_fidelity "$GCLAB not built"
    exit 1
fi

cat >"$T_TMP/churn.py" <<'PYEOF'
import gc, sys
n = int(sys.argv[1]); keep_every = int(sys.argv[2])
before = [s['collections'] for s in gc.get_stats()]
keep = []
gc.collect()
for i in range(n):
    x = []
    if i % keep_every == 0:
        keep.append(x)
gc.disable()
after = [s['collections'] for s in gc.get_stats()]
d = [a - b for a, b in zip(after, before)]
d[2] -= 1
print(d)
PYEOF

# (n, keep_every): the threshold edge (700 vs 701 allocations), ratios that
# do not divide 700, and long runs where the long-lived-pending rule skips
# full collections.
pairs="700:1 701:1 1401:2 71000:97 500000:13 1234567:11 2000000:3 2500000:7"
for p in $pairs; do
    n=${p%%:*} k=${p##*:}
    want=$("$PY" -S "$T_TMP/churn.py" "$n" "$k")
    "$GCLAB" run -e rcgen -w churn -p n="$n" -p keep_every="$k" --json >"$T_TMP/r.json" 2>"$T_TMP/err"
    got=$(json_get "$T_TMP/r.json" 'r["collections"]' 2>/dev/null)
    expect_eq "rcgen_churn_collections_equal_cpython_n${n}_keep${k}" "$got" "$want"
done

# The thresholds are knobs: with 100/3 both sides still agree. threshold2
# is kept out of reach because the long-lived rule compares against
# long_lived_total, which in CPython includes the interpreter's own ~4000
# tracked objects (see DIFFERS in engines/rcgen.c); with small thresholds
# that offset decides.
cat >"$T_TMP/churn_t.py" <<'PYEOF'
import gc, sys
gc.set_threshold(100, 3, 1000000)
exec(open(sys.argv[3]).read().replace("import gc, sys\n", ""), {"gc": gc, "sys": sys})
PYEOF
want=$("$PY" -S "$T_TMP/churn_t.py" 200000 3 "$T_TMP/churn.py")
"$GCLAB" run -e rcgen -w churn -p n=200000 -p keep_every=3 -p threshold0=100 -p threshold1=3 \
    -p threshold2=1000000 --json >"$T_TMP/r.json" 2>"$T_TMP/err"
got=$(json_get "$T_TMP/r.json" 'r["collections"]' 2>/dev/null)
expect_eq rcgen_churn_collections_equal_cpython_with_thresholds_100_3 "$got" "$want"

# The rings workload (dropped cycles: the collector frees everything it
# finds, and collected lists refill the list free list) against its Python
# program, which starts with gc.freeze() as rings.c explains.
cat >"$T_TMP/rings.py" <<'PYEOF'
import gc, sys
n = int(sys.argv[1]); size = int(sys.argv[2])
before = [s['collections'] for s in gc.get_stats()]
gc.freeze()
gc.collect()
for i in range(n):
    head = []
    tail = head
    for j in range(size - 1):
        x = []
        tail.append(x)
        tail = x
    tail.append(head)
gc.disable()
after = [s['collections'] for s in gc.get_stats()]
d = [a - b for a, b in zip(after, before)]
d[2] -= 1
print(d)
PYEOF
for p in 1000:2 50000:1 30000:7 200000:3 100000:21; do
    n=${p%%:*} k=${p##*:}
    want=$("$PY" -S "$T_TMP/rings.py" "$n" "$k")
    "$GCLAB" run -e rcgen -w listrings -p n="$n" -p size="$k" --json >"$T_TMP/r.json" 2>"$T_TMP/err"
    got=$(json_get "$T_TMP/r.json" 'r["collections"]' 2>/dev/null)
    expect_eq "rcgen_rings_collections_equal_cpython_n${n}_size${k}" "$got" "$want"
done
