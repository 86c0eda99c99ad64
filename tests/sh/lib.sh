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
