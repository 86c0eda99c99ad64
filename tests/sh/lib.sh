# tests/sh/lib.sh — helpers for shell tests. Source it, then call the
# helpers; each prints one PASS/FAIL/SKIP line.
#   GCLAB       the optimized binary (build/gclab)
#   GCLAB_DEBUG the ASan+UBSan binary (build/debug/gclab)
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
GCLAB=${GCLAB:-build/gclab}
GCLAB_DEBUG=${GCLAB_DEBUG:-build/debug/gclab}
T_TMP=$(mktemp -d)
trap 'rm -rf "$T_TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# expect_exit NAME CODE CMD...: the command exits with CODE.
expect_exit() {
    local name=$1 code=$2; shift 2
    "$@" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ "$rc" -eq "$code" ]; then pass "$name"; else
        fail "$name" "exit $rc, want $code; stderr: $(head -c 300 "$T_TMP/err")"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# json_get FILE EXPR: evaluate a jq-like python expression on the JSON object in FILE (r = the object).
json_get() {
    /usr/bin/python3 -S -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); print(eval(sys.argv[2]))' "$1" "$2"
}

# cpython_oracle NAME WHAT: set PY to the CPython 3.11 interpreter itself (not a
# version-manager shim, which costs ~0.7 s a call) and have_python=1; or print
# a SKIP line for NAME saying WHAT is not compared, and set have_python=0.
cpython_oracle() {
    have_python=0
    if command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        have_python=1
        PY=$(python3 -c 'import sys; print(sys.executable)')
    else
        skip "$1" "python3 (CPython 3.11) not on PATH: $2 not compared with CPython"
    fi
}
