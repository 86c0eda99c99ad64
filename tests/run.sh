#!/usr/bin/env bash
# tests/run.sh — runs every test of `make test` and prints the one closing
# line "N passed, N failed[, N skipped]"; exits non-zero on any failure.
#
# Two kinds of test files, each printing one line per test case:
#   build/debug/tests/test_*   C unit tests (tests/test_*.c, under ASan+UBSan)
#   build/plain/tests/plain_*  C tests built without sanitizers (tests/plain_*.c)
#   tests/sh/test_*.sh         shell tests of the CLI and scripts
# A case prints "PASS name", "FAIL name: why" or "SKIP name: why". A file that
# exits non-zero without printing a FAIL line (a crash, a sanitizer report)
# counts as one failure of its own.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_file() {
    local name=$1; shift
    local start=$SECONDS
    timeout 900 "$@" >"$log" 2>&1   # test_engine_results.sh: 10 engines x 18 workloads, ~10 min at load 15
    local rc=$?
    local p f s
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    s=$(grep -c '^SKIP ' "$log")
    grep -E '^(FAIL|SKIP) ' "$log"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exited with status $rc"
        tail -n 30 "$log" | sed 's/^/    /'
        f=1
    elif [ "$f" -gt 0 ]; then
        grep -v -E '^(PASS|FAIL|SKIP) ' "$log" | tail -n 30 | sed 's/^/    /'
    fi
    printf '%-40s %4d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $((SECONDS - start))
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for t in build/debug/tests/test_* build/plain/tests/plain_*; do
    [ -x "$t" ] || continue
    run_file "$(basename "$t")" "$t"
done
for t in tests/sh/test_*.sh; do
    [ -f "$t" ] || continue
    run_file "$(basename "$t")" bash "$t"
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
