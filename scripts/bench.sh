#!/usr/bin/env bash
# bench.sh — what `make bench` and `make bench-smoke` run: a matrix into a
# fresh results/<UTC timestamp>[-NAME]/, then plots and report.md there.
#
#   scripts/bench.sh MATRIX [--check] [--jobs J]
#
# --check (bench-smoke): verify the outputs — every record is valid JSON
# with the fields plots need, every PNG exists and is a PNG, and report.md
# names every engine `build/gclab engines` lists. Exit 1 if not.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
matrix=${1:?usage: scripts/bench.sh MATRIX [--check] [--jobs J]}
shift
check=0 jobs=${JOBS:-1}
while [ $# -gt 0 ]; do
    case $1 in
        --check) check=1; shift ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        *) echo "bench: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
name=$(basename "$matrix" .conf)
out=results/$(date -u +%Y%m%d-%H%M%S)$([ "$name" = default ] || echo "-$name")
start=$SECONDS
python3 scripts/matrix.py "$matrix" --out "$out" --jobs "$jobs" ||
    { echo "bench: matrix failed; rerun 'python3 scripts/matrix.py $matrix --out $out' to resume" >&2; exit 1; }
MPLBACKEND=Agg /usr/bin/python3 scripts/plot.py "$out" || exit 1
echo "bench: $out/report.md ($((SECONDS - start)) s)"
[ "$check" -eq 1 ] || exit 0

bad=0
/usr/bin/python3 -S - "$out/records.jsonl" <<'PY' || bad=1
import json, sys
need = ["job", "engine", "workload", "params", "repetition", "heap_factor"]
ok_need = ["wall_s", "gc_s", "pauses", "mmu", "bmu", "collections", "leaked", "peak_live_bytes", "machine", "commit"]
cal_need = ["wall_s", "cpu_s", "gc_s", "pauses", "collections", "machine", "commit"]   # plain-C calibration runs
n = 0
for i, line in enumerate(open(sys.argv[1]), 1):
    r = json.loads(line)
    missing = [k for k in need + ([] if r.get("failed") else cal_need if r.get("calibration") else ok_need)
               if k not in r]
    if missing:
        sys.exit("bench: record %d lacks %s" % (i, missing))
    n += 1
print("bench: %d records valid" % n)
PY
for png in time pauses_cdf mmu heap collections heap_factor leaks; do
    f="$out/$png.png"
    if [ "$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
        echo "bench: $f missing or not a PNG" >&2; bad=1
    fi
done
for e in $(build/gclab engines | awk '{ print $1 }'); do
    grep -q "^| workload |.* $e |" "$out/report.md" || grep -q "^| workload |.* $e " "$out/report.md" ||
        { echo "bench: report.md does not list engine $e" >&2; bad=1; }
done
[ "$bad" -eq 0 ] && echo "bench: smoke outputs checked: records valid, 7 PNGs, every engine in report.md"
exit "$bad"
