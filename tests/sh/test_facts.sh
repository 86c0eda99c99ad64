#!/usr/bin/env bash
# test_facts.sh — the engines' facts (core/gclab.h, struct gclab_engine_caps)
# through the CLI: `gclab engines --caps` gives every fact of every engine as
# key=value words in the documented order, `--json` the same values; and a
# heap script's gc.freeze() / gc.set_debug(gc.DEBUG_SAVEALL) is a RuntimeError
# exactly where the facts say the engine has none.
. "$(dirname "$0")/lib.sh"

keys="refcounts collects_cycles generations precise finalizers incremental frees weakref_callbacks callback_kept freeze debug_saveall header_words"
bad=$("$GCLAB" engines --caps | awk -v keys="$keys" '{ n = split(keys, k, " "); s = ""; for (i = 1; i <= n; i++) s = s " " k[i]; got = ""; for (i = 2; i <= NF; i++) { split($i, kv, "="); got = got " " kv[1] } if (got != s) print $1 }')
expect_eq facts_caps_lists_every_fact_in_order "$bad" ""
expect_eq facts_caps_one_line_per_engine "$("$GCLAB" engines --caps | wc -l)" "$("$GCLAB" engines | wc -l)"
expect_eq facts_caps_marksweep \
    "$("$GCLAB" engines --caps | grep '^marksweep ')" \
    "marksweep refcounts=0 collects_cycles=1 generations=1 precise=1 finalizers=1 incremental=0 frees=prompt weakref_callbacks=cpython callback_kept=0 freeze=0 debug_saveall=0 header_words=2"
"$GCLAB" engines --json >"$T_TMP/e.json"
"$GCLAB" engines --caps >"$T_TMP/caps.txt"
expect_eq facts_json_equals_caps "$(/usr/bin/python3 -S -c '
import json, sys
caps = {}
for line in open(sys.argv[2]):
    w = line.split()
    caps[w[0]] = dict(x.split("=") for x in w[1:])
bad = []
for e in json.load(open(sys.argv[1])):
    want = {k: str(int(v)) if isinstance(v, bool) else str(v) for k, v in e["caps"].items()}
    if want != caps.get(e["name"]):
        bad.append(e["name"])
print(" ".join(bad) or "ok")' "$T_TMP/e.json" "$T_TMP/caps.txt")" ok

printf 'import gc\ngc.freeze()\nprint(gc.get_freeze_count() > 0)\ngc.unfreeze()\n' >"$T_TMP/freeze.py"
printf 'import gc\ngc.set_debug(gc.DEBUG_SAVEALL)\nprint(len(gc.garbage))\n' >"$T_TMP/saveall.py"
while read -r e line; do
    fact() { echo " $line " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
    "$GCLAB" script "$T_TMP/freeze.py" -e "$e" >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
    if [ "$(fact freeze)" = 1 ]; then
        expect_eq "facts_freeze_works_on_$e" "$rc $(cat "$T_TMP/out")" "0 True"
    else
        expect_eq "facts_freeze_unsupported_on_$e" "$rc $(cat "$T_TMP/err")" \
            "1 $T_TMP/freeze.py:2: RuntimeError: gc.freeze(): engine $e has no permanent generation"
    fi
    "$GCLAB" script "$T_TMP/saveall.py" -e "$e" >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
    if [ "$(fact debug_saveall)" = 1 ]; then
        expect_eq "facts_saveall_works_on_$e" "$rc $(cat "$T_TMP/out")" "0 0"
    else
        expect_eq "facts_saveall_unsupported_on_$e" "$rc $(cat "$T_TMP/err")" \
            "1 $T_TMP/saveall.py:2: RuntimeError: gc.set_debug(DEBUG_SAVEALL): engine $e does not keep unreachable objects in gc.garbage"
    fi
done <"$T_TMP/caps.txt"

# gc.is_tracked / gc.is_finalized answer only where the engine has the hooks
# (rcgen and rcinc: CPython 3.11's and 3.14's TRACKED/FINALIZED bits; a
# finalized object is one whose __del__ ran), gc.get_referrers only where it can walk what it tracks; every
# other engine says so, naming itself — never a silent answer.
printf 'import gc\nx = []\nprint(gc.is_tracked(x), gc.is_tracked(1))\n' >"$T_TMP/tracked.py"
printf 'import gc\nclass C:\n    def __del__(self):\n        global k\n        k = self\nx = []\nprint(gc.is_finalized(x))\nc = C()\nc.c = c\ndel c\ngc.collect()\nprint(gc.is_finalized(k), gc.is_tracked(k))\n' >"$T_TMP/finalized.py"
printf 'import gc\nx = []\ny = [x]\nprint(len(gc.get_referrers(x)))\n' >"$T_TMP/referrers.py"
while read -r e line; do
    "$GCLAB" script "$T_TMP/tracked.py" -e "$e" >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
    "$GCLAB" script "$T_TMP/finalized.py" -e "$e" >>"$T_TMP/out" 2>>"$T_TMP/err"; rc="$rc $?"
    if [ "$e" = rcgen ] || [ "$e" = rcinc ]; then
        expect_eq "gcapi_is_tracked_finalized_on_$e" "$rc $(cat "$T_TMP/out" "$T_TMP/err" | tr '\n' '|')" "0 0 True False|False|True True|"
    else
        expect_eq "gcapi_is_tracked_finalized_unsupported_on_$e" "$rc $(cat "$T_TMP/out" "$T_TMP/err" | tr '\n' '|')" \
            "1 1 $T_TMP/tracked.py:3: RuntimeError: gc.is_tracked(): engine $e does not report it|$T_TMP/finalized.py:7: RuntimeError: gc.is_finalized(): engine $e does not report it|"
    fi
    "$GCLAB" script "$T_TMP/referrers.py" -e "$e" >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
    case " rcgen rcinc marksweep genms incms " in
    *" $e "*) expect_eq "gcapi_get_referrers_on_$e" "$rc $(cat "$T_TMP/out" "$T_TMP/err")" "0 2" ;;
    *) expect_eq "gcapi_get_referrers_unsupported_on_$e" "$rc $(cat "$T_TMP/out" "$T_TMP/err")" \
           "1 $T_TMP/referrers.py:4: RuntimeError: gc.get_referrers(): engine $e tracks no objects" ;;
    esac
done <"$T_TMP/caps.txt"
