# test_plot.sh — scripts/plot.py on hand-made results directories: the
# report's numbers, every PNG, --compare's significance flag, bad input.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
if ! $PY -c 'import matplotlib, numpy, pandas' 2>/dev/null; then
    skip "plot tests" "matplotlib/numpy/pandas missing at $PY (scripts/deps.sh)"
    exit 0
fi
export MPLBACKEND=Agg

# mkrun DIR ENGINE POINT_DEPTH HF REP WALL [failed]: append one record.
mkrun() {
    local dir=$1 e=$2 depth=$3 hf=$4 rep=$5 wall=$6 failed=${7:-}
    mkdir -p "$dir/pauses"
    if [ -n "$failed" ]; then
        printf '{"job":"binarytrees.depth=%s.r%s","engine":"%s","workload":"binarytrees","params":{"depth":%s},"heap_factor":%s,"min_heap_bytes":1000,"repetition":%s,"failed":true,"error":"MemoryError: heap limit reached","commit":"abc","machine":{"host":"h"}}\n' \
            "$depth" "$rep" "$e" "$depth" "$hf" "$rep" >>"$dir/records.jsonl"
        return
    fi
    printf '{"job":"binarytrees.depth=%s.r%s","engine":"%s","workload":"binarytrees","params":{"depth":%s},"heap_factor":%s,"min_heap_bytes":%s,"repetition":%s,"wall_s":%s,"gc_s":0.0,"pauses":{"count":2,"total_s":0.002,"max_s":0.0015,"p50_s":0.0005,"p90_s":0.0015,"p99_s":0.0015,"p999_s":0.0015},"mmu":{"1ms":0.0,"10ms":0.8,"1000ms":0.99},"bmu":{"1ms":0.0,"10ms":0.7,"1000ms":0.99},"collections":[3,1],"leaked":7,"leaked_bytes":70,"peak_live_bytes":1048576,"peak_heap_bytes":2097152,"peak_rss_bytes":4194304,"commit":"abc","compiler":"gcc 12","machine":{"cpu":"Test CPU","cores":2,"os":"Linux","host":"h"}}\n' \
        "$depth" "$rep" "$e" "$depth" "$hf" "$([ "$hf" = null ] && echo null || echo 1000)" "$rep" "$wall" >>"$dir/records.jsonl"
    printf '# gclab pauses: engine=%s workload=binarytrees; start_s from ...\n# start_s duration_s gen\n0.001 0.0005 0\n0.005 0.0015 1\n' \
        "$e" >"$dir/pauses/binarytrees.depth=$depth.r$rep.$e$([ "$hf" = null ] || echo "@$hf").txt"
}

d="$T_TMP/a"
mkrun "$d" nogc 6 null 0 1.0; mkrun "$d" nogc 6 null 1 3.0
mkrun "$d" rc 6 null 0 1.0;   mkrun "$d" rc 6 null 1 1.0
mkrun "$d" marksweep 6 null 0 4.0; mkrun "$d" marksweep 6 null 1 4.0
mkrun "$d" marksweep 6 2 0 6.0; mkrun "$d" marksweep 6 2 1 6.0 failed
$PY scripts/plot.py "$d" >"$T_TMP/out" 2>"$T_TMP/err"
expect_eq "plot.py succeeds on a results directory" "$?" 0
expect_eq "plot.py writes all 8 PNGs" \
    "$(for f in time pauses_cdf mmu heap garbage collections heap_factor leaks; do head -c 4 "$d/$f.png" | tail -c 3; echo; done | sort -u)" PNG
expect_eq "report table lists every engine in order" \
    "$(grep '^| workload | nogc' "$d/report.md")" "| workload | nogc | rc | marksweep |"
expect_eq "report cell: nogc median of 1 and 3 is 2; rc 1 is x0.50 of nogc; marksweep x2.00" \
    "$(grep '^| binarytrees depth=6 | 2 \[' "$d/report.md" | sed 's/\[[^]]*\]//g')" \
    "| binarytrees depth=6 | 2  | 1  x0.50 nogc | 4  x2.00 nogc |"
expect_eq "report lists the failed run with its error" \
    "$(grep -c '^- binarytrees depth=6 on marksweep (heap factor 2.0, repetition 1): MemoryError' "$d/report.md")" 1
expect_eq "report states the machine" "$(grep -c '^- machine: Test CPU, 2 cores' "$d/report.md")" 1

# --compare: 5 + 5 fully separated repetitions are significant (exact
# Mann-Whitney p = 2/252); 2 + 2 can never be.
for r in 0 1 2 3 4; do
    mkrun "$T_TMP/A" nogc 8 null "$r" "1.0$r"; mkrun "$T_TMP/B" nogc 8 null "$r" "2.0$r"
done
for r in 0 1; do mkrun "$T_TMP/A" rc 8 null "$r" "1.0$r"; mkrun "$T_TMP/B" rc 8 null "$r" "3.0$r"; done
$PY scripts/plot.py --compare "$T_TMP/A" "$T_TMP/B" >"$T_TMP/cmp" 2>&1
expect_eq "compare flags 5+5 separated repetitions as significant" \
    "$(grep '^| binarytrees depth=8 | nogc' "$T_TMP/cmp")" \
    "| binarytrees depth=8 | nogc | — | 1.02 | 2.02 | +98.0% | 0.00794 | **yes** |"
expect_eq "compare says 2+2 repetitions are too few for a verdict" \
    "$(grep '^| binarytrees depth=8 | rc' "$T_TMP/cmp" | awk -F'|' '{ print $9 }')" " n too small "
expect_eq "compare writes compare.md into B" "$([ -f "$T_TMP/B/compare.md" ] && echo yes)" yes

# Bad input: a message and a non-zero exit, no report.
expect_exit "plot.py on a missing directory exits 2" 2 $PY scripts/plot.py "$T_TMP/nosuch"
mkdir -p "$T_TMP/bad"; echo '{"job": broken' >"$T_TMP/bad/records.jsonl"
expect_exit "plot.py on a broken record exits 2" 2 $PY scripts/plot.py "$T_TMP/bad"
expect_eq "broken record is named by line, and no report is written" \
    "$(grep -c 'records.jsonl:1: not JSON' "$T_TMP/err"; ls "$T_TMP/bad" | grep -c report)" "1
0"
