#!/usr/bin/env bash
# test_scripts.sh — every heap script in tests/scripts/ under every engine it
# names, and under CPython; every malformed script in tests/scripts/errors/.
#
# A script's header comments say what to expect (core/script/README.md):
#   # engines: every [FACT...]           every registered engine whose facts
#                                        (`gclab engines --caps`) hold each FACT
#   # engines: rcgen rcinc               or these engines, by name
#   # compare: SPEC                      the engines (an `every ...` or names, among
#                                        those it runs on) whose stdout must be
#                                        CPython's; default: all of them
#   # expect-leak SPEC: 2                objects left after shutdown on the engines
#                                        of SPEC (the first line naming an engine
#                                        wins; default 0, unchecked where frees=never
#                                        or precise=0)
#   # expect-exit: 1                     exit status (default 0)
#   # expect-stderr: FILE:7: ...         exact stderr, FILE being the script's path
#                                        (default: nothing on stderr)
#   # stdout-modes: both                 compared with CPython once more in each
#                                        buffering mode of stdout (PYTHONUNBUFFERED=1
#                                        and unset), where CPython prints differently
# A FACT is `name` (true: not 0, never or none), `!name`, or `name=value`.
# Under python3 -S (CPython 3.11) the script must exit with the same status,
# and print byte for byte what it prints on every engine of `compare`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

caps=$($GCLAB engines --caps)
cpython_oracle "scripts:cpython" "outputs"

header() {   # header FILE KEY: the value of "# KEY: value"
    sed -n "s/^# $2: //p" "$1" | head -n 1 | tr -d '\r'
}

# resolve SPEC: the engines SPEC names, in registry order, one line; exit 1 with
# a message on stderr for an unknown engine or fact, or a SPEC naming no engine.
resolve() {
    awk -v spec="$1" '
        { n++; name[n] = $1; for (i = 2; i <= NF; i++) { split($i, kv, "="); fact[$1, kv[1]] = kv[2]; known[kv[1]] = 1 } }
        END {
            w = split(spec, t, " ")
            if (t[1] == "every") {
                for (j = 2; j <= w; j++) {
                    term = t[j]; sub(/^!/, "", term); sub(/=.*/, "", term)
                    if (!(term in known)) { print "unknown fact \"" term "\"" > "/dev/stderr"; exit 1 }
                }
                for (e = 1; e <= n; e++) {
                    ok = 1
                    for (j = 2; j <= w; j++) {
                        term = t[j]; neg = sub(/^!/, "", term)
                        if (index(term, "=")) { k = substr(term, 1, index(term, "=") - 1); m = fact[name[e], k] == substr(term, index(term, "=") + 1) }
                        else { v = fact[name[e], term]; m = v != "0" && v != "never" && v != "none" }
                        if (neg) m = !m
                        if (!m) ok = 0
                    }
                    if (ok) out = out (out == "" ? "" : " ") name[e]
                }
            } else {
                for (e = 1; e <= n; e++) reg[name[e]] = 1
                for (j = 1; j <= w; j++) {
                    if (!(t[j] in reg)) { print "unknown engine \"" t[j] "\"" > "/dev/stderr"; exit 1 }
                    out = out (out == "" ? "" : " ") t[j]
                }
            }
            if (out == "") { print "names no engine" > "/dev/stderr"; exit 1 }
            print out
        }' <<<"$caps"
}
# Where leaks are checked by default (0): engines that free (frees != never) and know
# every root (precise=1); computed once, the loop below forks little (it runs ~800 times).
declare -A leak_default=()
for e in $(resolve 'every frees precise'); do leak_default[$e]=0; done

# The resolver itself: the issue's three promises, a negation, a value, names, refusals.
all=$(awk '{print $1}' <<<"$caps" | tr '\n' ' '); all=${all% }
expect_eq "resolve:every-engine" "$(resolve every)" "$all"
expect_eq "resolve:every-refcounting-engine" "$(resolve 'every refcounts')" \
    "$(awk '/ refcounts=1/ {print $1}' <<<"$caps" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "resolve:every-cycle-collector" "$(resolve 'every collects_cycles')" \
    "$(awk '/ collects_cycles=1/ {print $1}' <<<"$caps" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "resolve:negation-and-value" "$(resolve 'every refcounts !collects_cycles frees=prompt')" \
    "$(awk '/ refcounts=1/ && / collects_cycles=0/ && / frees=prompt/ {print $1}' <<<"$caps" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "resolve:names" "$(resolve 'rcgen rc')" "rcgen rc"
for bad in "every nosuch" "every !nosuch=1" "nosuch" "every frees=nosuch"; do
    expect_eq "resolve:refuses:$bad" "$(resolve "$bad" 2>/dev/null; echo "exit $?")" "exit 1"
done

nruns=0
for f in tests/scripts/*.py; do
    name=$(basename "$f" .py)
    spec=$(header "$f" engines)
    want_exit=$(header "$f" expect-exit); want_exit=${want_exit:-0}
    want_err=$(header "$f" expect-stderr); want_err=${want_err//FILE/$f}
    if [ -z "$spec" ]; then fail "script:$name" "no '# engines:' header"; continue; fi
    if ! engines=$(resolve "$spec" 2>"$T_TMP/rerr"); then
        fail "script:$name" "'# engines: $spec': $(cat "$T_TMP/rerr")"; continue
    fi
    cspec=$(header "$f" compare)
    compare=$engines
    if [ -n "$cspec" ] && ! compare=$(resolve "$cspec" 2>"$T_TMP/rerr"); then
        fail "script:$name" "'# compare: $cspec': $(cat "$T_TMP/rerr")"; continue
    fi
    # expect-leak lines resolved once: "engine count" pairs, the first line naming an engine wins
    declare -A want_leaks=()
    while IFS= read -r line; do
        lspec=${line%: *}; n=${line##*: }
        if ! les=$(resolve "$lspec" 2>"$T_TMP/rerr"); then
            fail "script:$name" "'# expect-leak $lspec': $(cat "$T_TMP/rerr")"; continue
        fi
        for e in $les; do [ -n "${want_leaks[$e]:-}" ] || want_leaks[$e]=$n; done
    done < <(sed -n 's/^# expect-leak \(.*: [0-9][0-9]*\)\r\{0,1\}$/\1/p' "$f")
    have_py=0
    if [ "$have_python" -eq 1 ]; then
        "$PY" -S "$f" >"$T_TMP/py" 2>/dev/null
        prc=$?
        have_py=1
        if [ "$prc" -ne "$want_exit" ]; then
            fail "script:$name:cpython" "python3 exited $prc, want $want_exit"
        fi
    fi
    for e in $engines; do
        nruns=$((nruns + 1))
        "$GCLAB" script "$f" -e "$e" --json --timeout 300 >"$T_TMP/out" 2>"$T_TMP/err"
        rc=$?
        mapfile -t lines <"$T_TMP/out"
        record=""; : >"$T_TMP/stdout"
        if [ "${#lines[@]}" -gt 0 ]; then
            record=${lines[-1]}
            [ "${#lines[@]}" -eq 1 ] || printf '%s\n' "${lines[@]:0:${#lines[@]}-1}" >"$T_TMP/stdout"
        fi
        leak=""
        [[ $record =~ \"leaked\":([0-9]+) ]] && leak=${BASH_REMATCH[1]}
        want_leak=${want_leaks[$e]:-${leak_default[$e]:-}}
        err=""
        IFS= read -r -d '' err <"$T_TMP/err"; err=${err%$'\n'}
        if [ "$rc" -ne "$want_exit" ]; then
            fail "script:$name:$e" "exit $rc, want $want_exit; stderr: $(head -c 300 "$T_TMP/err")"
        elif [ "$err" != "$want_err" ]; then
            fail "script:$name:$e" "stderr '$err', want '$want_err'"
        elif [ -n "$want_leak" ] && [ "$leak" != "$want_leak" ]; then
            fail "script:$name:$e" "leaked '$leak' objects, want $want_leak"
        elif [ "$have_py" -eq 1 ] && [[ " $compare " == *" $e "* ]] && ! cmp -s "$T_TMP/py" "$T_TMP/stdout"; then
            fail "script:$name:$e" "output differs from CPython's: $(diff "$T_TMP/py" "$T_TMP/stdout" | head -n 6 | tr '\n' '|')"
        else
            pass "script:$name:$e"
        fi
    done
    unset want_leaks
    # (ASan+UBSan: tests/test_script.c compiles, prints and runs every script on rc.)
    # Both buffering modes, set as CPython reads them (gclab reads them alike).
    [ "$have_py" -eq 1 ] && [ "$(header "$f" stdout-modes)" = both ] || continue
    for mode in unbuffered buffered; do
        if [ $mode = unbuffered ]; then envset=(env PYTHONUNBUFFERED=1); else envset=(env -u PYTHONUNBUFFERED); fi
        "${envset[@]}" "$PY" -S "$f" >"$T_TMP/py.$mode" 2>/dev/null
        for e in $compare; do
            "${envset[@]}" "$GCLAB" script "$f" -e "$e" --timeout 300 >"$T_TMP/g.$mode" 2>/dev/null
            if cmp -s "$T_TMP/py.$mode" "$T_TMP/g.$mode"; then
                pass "script:$name:$e:$mode"
            else
                fail "script:$name:$e:$mode" "output differs from CPython's: $(diff "$T_TMP/py.$mode" "$T_TMP/g.$mode" | head -n 6 | tr '\n' '|')"
            fi
        done
    done
    if cmp -s "$T_TMP/py.unbuffered" "$T_TMP/py.buffered"; then
        fail "script:$name:stdout-modes" "CPython prints the same in both modes: the header promises a difference"
    else
        pass "script:$name:stdout-modes"
    fi
done

# Malformed scripts: exit 2, the exact message, nothing run (stdout empty), under ASan too.
n=0
while IFS= read -r want; do
    [[ "$want" == \#* || -z "$want" ]] && continue
    f=${want%%:*}
    name=$(basename "$f" .py)
    n=$((n + 1))
    # Under ASan+UBSan only: the same front end as the optimized build, stricter.
    for bin in "$GCLAB_DEBUG"; do
        tag=""
        "$bin" script "$f" -e rc >"$T_TMP/out" 2>"$T_TMP/err"
        rc=$?
        got=$(cat "$T_TMP/err")
        if [ "$rc" -ne 2 ]; then
            fail "malformed:$name$tag" "exit $rc, want 2; stderr: $got"
        elif [ -s "$T_TMP/out" ]; then
            fail "malformed:$name$tag" "something ran: $(head -c 100 "$T_TMP/out")"
        elif [ "$got" != "$want" ]; then
            fail "malformed:$name$tag" "got '$got', want '$want'"
        else
            pass "malformed:$name$tag"
        fi
    done
done <tests/scripts/errors/expected.txt
nfiles=$(ls tests/scripts/errors/*.py | wc -l)
expect_eq "malformed:every-file-has-an-expectation" "$n" "$nfiles"

# Usage errors exit 2 and run nothing.
expect_exit "script:usage:no-file" 2 "$GCLAB_DEBUG" script
expect_exit "script:usage:missing-file" 2 "$GCLAB_DEBUG" script "$T_TMP/does-not-exist.py"
expect_exit "script:usage:unknown-engine" 2 "$GCLAB_DEBUG" script tests/scripts/list_ops.py -e nosuch
expect_exit "script:usage:bad-param" 2 "$GCLAB_DEBUG" script tests/scripts/list_ops.py -e rc -p nosuch=1
printf 'print(1)\n' >"$T_TMP/x.py"
expect_exit "script:usage:two-files" 2 "$GCLAB_DEBUG" script "$T_TMP/x.py" "$T_TMP/x.py"

# The printer: a printed script runs like the original (same output, same status).
for f in tests/scripts/del_order.py tests/scripts/for_range.py tests/scripts/err_type.py; do
    name=$(basename "$f" .py)
    "$GCLAB" script "$f" --print >"$T_TMP/printed.py"
    "$GCLAB" script "$f" -e rc >"$T_TMP/o1" 2>/dev/null; r1=$?
    "$GCLAB" script "$T_TMP/printed.py" -e rc >"$T_TMP/o2" 2>/dev/null; r2=$?
    if [ "$r1" -eq "$r2" ] && cmp -s "$T_TMP/o1" "$T_TMP/o2"; then
        pass "script:printed:$name"
    else
        fail "script:printed:$name" "exit $r1 vs $r2; $(diff "$T_TMP/o1" "$T_TMP/o2" | head -n 4 | tr '\n' '|')"
    fi
done
