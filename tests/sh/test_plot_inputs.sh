#!/usr/bin/env bash
# test_plot_inputs.sh — scripts/plot.py on broken and awkward results
# directories (issue 19's Plotter item): each is an exact message and exit 2
# with nothing written, or a correct report.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import matplotlib, numpy, pandas' 2>/dev/null; then
    skip "plot input tests" "matplotlib/numpy/pandas missing at $PY (scripts/deps.sh)"; exit 0
fi
export MPLBACKEND=Agg

rec() {   # rec ENGINE REP WALL [COMMIT]: one completed record line
    printf '{"job":"churn.n=10.r%s","engine":"%s","workload":"churn","params":{"n":10},"heap_factor":null,"repetition":%s,"wall_s":%s,"gc_s":0.0,"pauses":{"count":1,"total_s":0.001,"max_s":0.001,"p50_s":0.001,"p99_s":0.001},"mmu":{"10ms":0.9},"bmu":{"10ms":0.9},"collections":[1],"leaked":0,"leaked_bytes":0,"peak_live_bytes":1000,"peak_heap_bytes":2000,"peak_rss_bytes":3000,"commit":"%s","machine":{"host":"h"}}\n' "$2" "$1" "$2" "$3" "${4:-abc}"
}
mkdir_good() {   # a valid directory: rc and marksweep, 2 repetitions, pause files
    rm -rf "$1"; mkdir -p "$1/pauses"
    for e in rc marksweep; do for r in 0 1; do
        rec $e $r 1.$r >>"$1/records.jsonl"
        printf '# gclab pauses: engine=%s workload=churn; ...\n# start_s duration_s gen\n0.001 0.001 0\n' $e >"$1/pauses/churn.n=10.r$r.$e.txt"
    done; done
}
outputs() { find "$1" -maxdepth 1 -type f \( -name '*.png' -o -name report.md \) 2>/dev/null | wc -l; }
# expect_refused NAME DIR MESSAGE: exit 2, exactly MESSAGE on stderr, no PNG, no report.
expect_refused() {
    $PY scripts/plot.py "$2" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ $rc -ne 2 ]; then fail "$1" "exit $rc, want 2: $(tail -c 300 "$T_TMP/err")"
    elif [ "$(cat "$T_TMP/err")" != "$3" ]; then fail "$1" "stderr '$(cat "$T_TMP/err")', want '$3'"
    elif [ "$(outputs "$2")" != 0 ]; then fail "$1" "wrote $(ls "$2")"
    else pass "$1"; fi
}
D=$T_TMP/d

mkdir_good "$D"; rec rc 2 1.0 | sed 's/"wall_s":1.0,//' >>"$D/records.jsonl"
expect_refused missing_wall_s "$D" "plot: $D/records.jsonl:5: a completed run's record lacks 'wall_s' (a failed one says \"failed\": true)"
mkdir_good "$D"; rec rc 2 1.0 | sed 's/"pauses":{[^}]*},//' >>"$D/records.jsonl"
expect_refused missing_pauses "$D" "plot: $D/records.jsonl:5: a completed run's record lacks 'pauses' (a failed one says \"failed\": true)"
mkdir_good "$D"; rec rc 2 '"fast"' >>"$D/records.jsonl"
expect_refused wall_s_not_a_number "$D" "plot: $D/records.jsonl:5: 'wall_s' is \"fast\", not a number"
mkdir_good "$D"; echo '[1, 2]' >>"$D/records.jsonl"
expect_refused record_not_an_object "$D" "plot: $D/records.jsonl:5: a record is a JSON object, not list"
mkdir_good "$D"; echo '0.002 garbage 0' >>"$D/pauses/churn.n=10.r0.rc.txt"
expect_refused garbage_in_pause_file "$D" "plot: $D/pauses/churn.n=10.r0.rc.txt:4: expected numbers, got '0.002 garbage 0'"
mkdir_good "$D"; echo '0.002' >>"$D/pauses/churn.n=10.r0.rc.txt"
expect_refused short_pause_line "$D" "plot: $D/pauses/churn.n=10.r0.rc.txt:4: expected at least 3 columns, got 1: '0.002'"
mkdir_good "$D"; printf '\xff\xfe{}\n' >>"$D/records.jsonl"
expect_refused records_not_utf8 "$D" "plot: $D/records.jsonl:5: not UTF-8 text (byte 1)"
mkdir_good "$D"; printf '0.1 0.1 \xe9\n' >>"$D/pauses/churn.n=10.r1.rc.txt"
expect_refused pause_file_not_utf8 "$D" "plot: $D/pauses/churn.n=10.r1.rc.txt:4: not UTF-8 text (byte 9)"
mkdir_good "$D"; rec rc 2 1.0 xyz >>"$D/records.jsonl"
expect_refused two_commits_refused "$D" "plot: $D/records.jsonl: records of 2 commits (abc: 4, xyz: 1): their medians would pool builds; plot one commit's records, or pass --mix-commits to pool them anyway"
$PY scripts/plot.py --mix-commits "$D" >/dev/null 2>"$T_TMP/err"
expect_eq two_commits_pooled_with_flag "$?:$(grep -c 'several commits pooled (--mix-commits)' "$D/report.md")" "0:1"
mkdir -p "$T_TMP/empty"; : >"$T_TMP/empty/records.jsonl"
expect_refused empty_records "$T_TMP/empty" "plot: $T_TMP/empty/records.jsonl has no records"
expect_refused missing_directory "$T_TMP/nosuch" "plot: $T_TMP/nosuch: not a directory"

# Accepted: trailing blank lines are skipped; a cut-short last line is skipped with a warning.
mkdir_good "$D"; printf '\n\n   \n' >>"$D/records.jsonl"
$PY scripts/plot.py "$D" >/dev/null 2>"$T_TMP/err"
expect_eq trailing_blank_lines_accepted "$?:$(outputs "$D"):$(grep -c '^| churn n=10 |' "$D/report.md")" "0:9:3"
mkdir_good "$D"; rec rc 2 1.0 | head -c 100 >>"$D/records.jsonl"
$PY scripts/plot.py "$D" >/dev/null 2>"$T_TMP/err"
expect_eq truncated_last_line_skipped "$?:$(outputs "$D"):$(cat "$T_TMP/err")" \
    "0:9:plot: $D/records.jsonl:5: the last line is cut short (a run still writing?): skipped"
expect_eq truncated_last_line_keeps_the_rest "$(grep -o 'runs: [0-9]* records' "$D/report.md")" "runs: 4 records"
# ... but a broken line in the middle is refused.
mkdir_good "$D"; { head -2 "$D/records.jsonl"; echo '{"engine": '; tail -2 "$D/records.jsonl"; } >"$T_TMP/r"; mv "$T_TMP/r" "$D/records.jsonl"
expect_refused broken_middle_line "$D" "plot: $D/records.jsonl:3: not JSON: Expecting value: line 1 column 12 (char 11)"

# No nogc in the matrix: no "x nogc" ratio anywhere in the report.
mkdir_good "$D"; $PY scripts/plot.py "$D" >/dev/null 2>&1
expect_eq no_nogc_no_ratio "$(grep -c 'x nogc\|x[0-9.]* nogc' "$D/report.md"):$(grep -c 'nogc is not in this matrix' "$D/report.md")" "0:1"

# Colours: an engine outside the known ones gets the same colour whatever else is there.
expect_eq stable_colour_for_unknown_engines "$(cd scripts && $PY -c '
import sys; sys.argv=["x"]
import plot
a = plot.engine_color("zz", ["zz"]); b = plot.engine_color("zz", ["aa", "zz", "bb"])
print(a == b, plot.engine_color("rcinc") != plot.engine_color("incms"), plot.engine_color("genms"))' 2>&1)" "True True #e377c2"

# Outputs only over regular files: a FIFO named time.png is refused before anything is written.
mkdir_good "$D"; mkfifo "$D/time.png"
expect_refused output_fifo_refused "$D" "plot: $D/time.png is a FIFO: refusing to replace it (results go to regular files)"
rm -f "$D/time.png"
# A symlinked report.md: written through, the link kept.
mkdir_good "$D"; echo old >"$T_TMP/elsewhere.md"; ln -s "$T_TMP/elsewhere.md" "$D/report.md"
$PY scripts/plot.py "$D" >/dev/null 2>&1
expect_eq report_symlink_written_through "$([ -L "$D/report.md" ] && echo link):$(head -1 "$T_TMP/elsewhere.md" | cut -c1-24)" "link:# gclab benchmark report"
