#!/usr/bin/env bash
# fuzz-smoke.sh — `make fuzz-smoke` (run by CI, not by `make test`): each
# fuzz target for SMOKE_SECS seconds (default 60) under libFuzzer and as long
# under AFL++, from the committed corpus with a fixed seed, one run at a
# time. Prints one line per run (execs, execs/s, crashes) and fails if any
# run found a crash, a leak or a hang, or could not start. What a run found
# is left in build/fuzz/smoke/<fuzzer>-<target>/: replay it with
# build/fuzz/replay-asan-<target>, keep it as fuzz/corpus/<target>/regress-*.
set -u
cd "$(dirname "$0")/.."
. scripts/fuzz-run.sh
secs=${SMOKE_SECS:-60}
dir=build/fuzz/smoke
rm -rf "$dir"
bad=0
for t in ops_target diff_target script_target; do
    for f in libfuzzer afl; do
        read -r execs rate crashes rc < <(fuzz_session "$f" "$t" "$secs" "$dir/$f-$t")
        printf '%-9s %-13s %8s execs %6s execs/s %3s crashes  exit %s\n' "$f" "$t" "$execs" "$rate" "$crashes" "$rc"
        [ "$rc" = 0 ] && [ "$crashes" = 0 ] || bad=1
    done
done
if [ "$bad" -eq 0 ]; then
    echo "fuzz-smoke: clean"
else
    echo "fuzz-smoke: FAILED (see $dir/*/log)"
fi
exit "$bad"
