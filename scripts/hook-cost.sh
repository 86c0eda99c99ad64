#!/usr/bin/env bash
# hook-cost.sh — what the engine hooks cost an engine that has none (issue 14):
# build/gclab against build/nohooks/gclab (the same sources with every
# on_incref/on_decref_live/barrier test compiled out: -DGCLAB_NO_HOOKS), or
# any two gclab binaries given as A and B.
#
#   bash scripts/hook-cost.sh [--cpu N] [A [B]]
#
# For each engine (rc rcgen marksweep; ENGINES=... to change) and each of two
# runs (a small gcbench through `gclab run`, workloads/scripts/alloc_loop.py
# through `gclab script`) it prints callgrind's instruction count for A and B
# and their ratio A/B. With --cpu N it also runs each pair N times
# interleaved (A, B, A, B, ...) and prints the median CPU seconds (user+sys)
# of each and their ratio. A figure for the record, never a test.
set -euo pipefail
cd "$(dirname "$0")/.."

cpu=0
if [ "${1:-}" = --cpu ]; then cpu=$2; shift 2; fi
A=${1:-build/gclab}
B=${2:-build/nohooks/gclab}
if [ $# -eq 0 ]; then make -s build/gclab build/nohooks/gclab; fi
for b in "$A" "$B"; do
    [ -x "$b" ] || { echo "hook-cost.sh: no executable $b" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "hook-cost.sh: valgrind not found" >&2; exit 2; }
ENGINES=${ENGINES:-rc rcgen marksweep}
GCBENCH="-w gcbench -p stretch_depth=14 -p long_lived_depth=12 -p array_size=100000 -p max_depth=12"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions of one run: callgrind's "Collected" line.
ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" \
        >/dev/null 2>"$tmp/cg.err" || { cat "$tmp/cg.err" >&2; exit 1; }
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$tmp/cg.err"
}

# Median CPU seconds of N interleaved runs of A and B: "a b".
cpu_pair() {
    python3 - "$cpu" "$A" "$B" "$@" <<'EOF'
import os, subprocess, sys, statistics
n, a, b, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
t = {a: [], b: []}
for _ in range(n):
    for exe in (a, b):
        r0 = os.times()
        subprocess.run([exe] + args, stdout=subprocess.DEVNULL, check=True)
        r1 = os.times()
        t[exe].append((r1.children_user - r0.children_user) + (r1.children_system - r0.children_system))
print("%.3f %.3f" % (statistics.median(t[a]), statistics.median(t[b])))
EOF
}

printf '%-10s %-10s %14s %14s %8s' engine run "Ir A" "Ir B" "A/B"
[ "$cpu" -gt 0 ] && printf ' %8s %8s %8s' "cpu A" "cpu B" "A/B"
printf '\n'
for e in $ENGINES; do
    for run in gcbench alloc_loop; do
        if [ $run = gcbench ]; then args=(run -e "$e" $GCBENCH); else
            args=(script workloads/scripts/alloc_loop.py -e "$e"); fi
        ia=$(ir "$A" "${args[@]}")
        ib=$(ir "$B" "${args[@]}")
        printf '%-10s %-10s %14s %14s %8.4f' "$e" $run "$ia" "$ib" "$(echo "$ia / $ib" | bc -l)"
        if [ "$cpu" -gt 0 ]; then
            read -r ca cb < <(cpu_pair "${args[@]}")
            printf ' %8s %8s %8.3f' "$ca" "$cb" "$(echo "$ca / $cb" | bc -l)"
        fi
        printf '\n'
    done
done
