# test_matrix.sh — the matrix runner (scripts/matrix.py) and the side files
# of `gclab run` (--pauses, --trace) it relies on: config errors with their
# line, discovery, and every kill case followed by a rerun giving exactly one
# record per (job, engine, repetition). Never submits to Slurm (that is
# tests/sh/test_slurm.sh, against a cluster it starts itself).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The interpreter itself, not a version manager's shim (~0.7 s a start).
PY3=$(python3 -c 'import sys; print(sys.executable)')
M="$PY3 scripts/matrix.py"
records_of() { $PY3 -S -c '
import json, sys, collections
c = collections.Counter()
for line in open(sys.argv[1]):
    c[json.loads(line)["job"]] += 1          # every line must parse
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"; }

# --- gclab run --trace: a line every N allocations, N apart, and a header.
$GCLAB run -e rc -w binarytrees -p depth=6 --trace "$T_TMP/t.txt" --trace-every 1000 >/dev/null
expect_eq "trace has one line per 1000 allocations (4398 allocations: 4 lines)" \
    "$(grep -c ' alloc ' "$T_TMP/t.txt")" 4
expect_eq "trace samples are exactly 1000 allocations apart" \
    "$(awk '!/^#/ { if (p) print $4 - p; p = $4 }' "$T_TMP/t.txt" | sort -u)" 1000
expect_eq "trace names its columns" "$(sed -n 2p "$T_TMP/t.txt")" \
    "# t_s event gen allocs live_objects live_bytes heap_bytes garbage_objects garbage_bytes"

# --- gclab run --pauses: rc never pauses, so the file is its two header lines.
$GCLAB run -e rc -w churn -p n=1000 --pauses "$T_TMP/p.txt" >/dev/null
expect_eq "pause file of a run without pauses is only its header" \
    "$(grep -vc '^#' "$T_TMP/p.txt"; sed -n 2p "$T_TMP/p.txt")" "0
# start_s duration_s gen"

# --- a failed run writes no side file and no record.
expect_exit "run past the heap limit exits 1" 1 \
    $GCLAB run -e rc -w churn -p n=3000 -p keep_every=10 --heap-limit 12000 --pauses "$T_TMP/fp.txt" \
    --trace "$T_TMP/ft.txt" --out "$T_TMP/fr.json"
expect_eq "failed run leaves no pause, trace or record file" \
    "$(ls "$T_TMP" | grep -c '^f')" 0
expect_exit "--trace-every 0 is refused" 2 $GCLAB run -e rc -w churn --trace x --trace-every 0

# --- bad matrices: every error with its file and line, exit 2, nothing made.
printf 'engines = all\nrepetitions = 1\nspeed = 3\nworkload churn\n' >"$T_TMP/bad1.conf"
expect_exit "unknown matrix key exits 2" 2 $M "$T_TMP/bad1.conf" --out "$T_TMP/bad1"
expect_eq "unknown matrix key is named with file and line" \
    "$(grep -o 'bad1.conf:3: unknown key .speed.' "$T_TMP/err")" "bad1.conf:3: unknown key 'speed'"
printf '# engines\nengines = nogc nosuch\nworkload churn\n' >"$T_TMP/bad2.conf"
expect_exit "unknown engine exits 2" 2 $M "$T_TMP/bad2.conf" --out "$T_TMP/bad2"
expect_eq "unknown engine is named with its line" "$(grep -c "bad2.conf:2: unknown engine 'nosuch' (known: nogc rc " "$T_TMP/err")" 1
printf 'repetitions = 1\n\nworkload churn size=3\n' >"$T_TMP/bad3.conf"
expect_exit "unknown workload parameter exits 2" 2 $M "$T_TMP/bad3.conf" --out "$T_TMP/bad3"
expect_eq "unknown workload parameter is named with its line" \
    "$(grep -o "bad3.conf:3: workload churn has no parameter 'size'" "$T_TMP/err")" "bad3.conf:3: workload churn has no parameter 'size'"
printf 'engines = marksweep\nheap_factors = 0\nworkload churn\n' >"$T_TMP/bad4.conf"
expect_exit "heap_factors = 0 exits 2" 2 $M "$T_TMP/bad4.conf" --out "$T_TMP/bad4"
expect_eq "heap factor 0 is refused with its line" "$(grep -c 'bad4.conf:2: heap factor 0 must be > 0' "$T_TMP/err")" 1
printf 'engines = marksweep\nheap_factors = 2 0.0001\nworkload churn\n' >"$T_TMP/bad5.conf"
expect_exit "a tiny heap factor exits 2" 2 $M "$T_TMP/bad5.conf" --out "$T_TMP/bad5"
expect_eq "heap factor 0.0001 is refused with its line" "$(grep -c 'bad5.conf:2: heap factor 0.0001 is below 0.1' "$T_TMP/err")" 1
printf 'engines =\nworkload churn\n' >"$T_TMP/bad6.conf"
expect_exit "empty engines exits 2" 2 $M "$T_TMP/bad6.conf" --out "$T_TMP/bad6"
expect_eq "empty engines is refused with its line" "$(grep -c "bad6.conf:1: 'engines' is empty" "$T_TMP/err")" 1
# Every error of a file at once, in line order, before anything runs.
printf 'engines = nogc bogus\nrepetitions = x\nworkload churn n=1,z\nworkload nosuch\nrepetitions = 2\n' >"$T_TMP/bad7.conf"
expect_exit "a matrix with five errors exits 2" 2 $M "$T_TMP/bad7.conf" --out "$T_TMP/bad7"
expect_eq "all five errors are reported, each with its line" \
    "$(grep -o 'bad7.conf:[0-9]*:' "$T_TMP/err" | tr '\n' ' ')" "bad7.conf:5: bad7.conf:1: bad7.conf:2: bad7.conf:3: bad7.conf:4: "
expect_eq "no results directory is made for a bad matrix" "$(ls -d "$T_TMP"/bad? 2>/dev/null | wc -l)" 0

# --- discovery: the runner takes engines and workloads from --json, so
# `engines = all` is every engine gclab lists (engines added later included).
expect_eq "gclab engines --json names every engine gclab engines lists" \
    "$($GCLAB engines --json | $PY3 -S -c 'import json,sys; print(" ".join(e["name"] for e in json.load(sys.stdin)))')" \
    "$($GCLAB engines | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }')"
expect_eq "gclab workloads --json names every workload gclab workloads lists" \
    "$($GCLAB workloads --json | $PY3 -S -c 'import json,sys; print(" ".join(w["name"] for w in json.load(sys.stdin)))')" \
    "$($GCLAB workloads | awk '/^[^ ]/ { printf "%s%s", (NR > 1 ? " " : ""), $1 }')"
printf 'engines = all\nrepetitions = 1\nworkload all\n' >"$T_TMP/all.conf"
$M "$T_TMP/all.conf" --dry-run >"$T_TMP/dry.txt" 2>&1
expect_eq "a dry run of engines = all, workload all plans every engine on every workload" \
    "$(head -1 "$T_TMP/dry.txt")" \
    "matrix all: $($GCLAB workloads --json | $PY3 -S -c 'import json,sys; print(len(json.load(sys.stdin)))') points x 1 repetitions = $(grep -c '^  ' "$T_TMP/dry.txt") jobs of $($GCLAB engines | wc -l) runs ($($GCLAB engines | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }'))"

# --- calibrate = yes: the plain-C twins (build/calib/, make calib) run in
# the same jobs with the point's parameters, give the same result as gclab,
# and report.md puts them beside the engines.
printf 'engines = marksweep\nrepetitions = 1\ntrace_every = 0\ncalibrate = yes\nworkload gcbench stretch_depth=8 long_lived_depth=6 max_depth=6 array_size=1000\nworkload traversal lists=50 rounds=4\nworkload churn n=1000\n' >"$T_TMP/cal.conf"
$M "$T_TMP/cal.conf" --out "$T_TMP/cal" >"$T_TMP/cal.log" 2>&1
expect_eq "calibrate: the matrix completes (exit 0)" "$?" 0
expect_eq "calibrate: gcbench jobs have marksweep + c-malloc + c-bdw, traversal marksweep + c-mark, churn marksweep" \
    "$(records_of "$T_TMP/cal/records.jsonl")" \
    "churn.n=1000.r0=1 gcbench.stretch_depth=8.long_lived_depth=6.max_depth=6.array_size=1000.r0=3 traversal.lists=50.rounds=4.r0=2"
expect_eq "calibrate: each C program's result is gclab's (gcbench 4654 nodes, traversal 4900 edges walked)" \
    "$($PY3 -S -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["workload"], r["engine"], r["result"], r.get("calibration", False), r["params"].get("max_depth", r["params"].get("lists")))' \
        "$T_TMP/cal/records.jsonl" | sort | tr '\n' ';')" \
    "churn marksweep 10 False None;gcbench c-bdw 4654 True 6;gcbench c-malloc 4654 True 6;gcbench marksweep 4654 False 6;traversal c-mark 4900 True 50;traversal marksweep 4900 False 50;"
expect_eq "calibrate: every record names the commit gclab --version gives (the binary's, not the checkout's)" \
    "$($PY3 -S -c 'import json, sys; print(" ".join(sorted({json.loads(l)["commit"] for l in open(sys.argv[1])})))' "$T_TMP/cal/records.jsonl")" \
    "$($GCLAB --version | sed -n 's/^gclab [^ ]* (commit \(.*\))$/\1/p')"
if MPLBACKEND=Agg /usr/bin/python3 scripts/plot.py "$T_TMP/cal" >"$T_TMP/calplot.log" 2>&1; then
    expect_eq "calibrate: report.md's calibration table has the C programs and the engine, per calibrated point" \
        "$(sed -n '/^## Plain-C calibration/,/^## /p' "$T_TMP/cal/report.md" | grep '^| [gt]' | cut -d'|' -f3 | tr -d ' ' | tr '\n' ' ')" \
        "c-malloc c-bdw marksweep c-mark marksweep "
    expect_eq "calibrate: the engines' tables leave the C programs out" \
        "$(grep -c 'c-malloc' "$T_TMP/cal/report.md")" 2
else
    fail "calibrate: plot.py makes the report" "$(tail -3 "$T_TMP/calplot.log")"
fi
printf 'engines = marksweep\ncalibrate = maybe\nworkload churn\n' >"$T_TMP/bad8.conf"
expect_exit "calibrate = maybe exits 2" 2 $M "$T_TMP/bad8.conf" --out "$T_TMP/bad8"
expect_eq "calibrate = maybe is refused with its line" "$(grep -c "bad8.conf:2: 'calibrate' must be yes or no" "$T_TMP/err")" 1
printf 'engines = marksweep\ncalibrate = yes\nworkload churn\n' >"$T_TMP/bad9.conf"
expect_exit "calibrate = yes without a calibrated workload exits 2" 2 $M "$T_TMP/bad9.conf" --out "$T_TMP/bad9"
expect_eq "calibrate = yes without a calibrated workload names the ones that have one" \
    "$(grep -c "bad9.conf:2: 'calibrate = yes' but no workload here has a plain-C calibration (gcbench traversal)" "$T_TMP/err")" 1

# --- kill cases. Each kills something mid-matrix, reruns, and counts the
# records of every job: exactly its 2 runs (rc, rcgen), none lost, none twice.
cat >"$T_TMP/r.conf" <<'EOF'
engines = rc rcgen
repetitions = 4
seed = 5
trace_every = 0
workload churn n=1000000,1000001
EOF
WANT="churn.n=1000000.r0=2 churn.n=1000000.r1=2 churn.n=1000000.r2=2 churn.n=1000000.r3=2 churn.n=1000001.r0=2 churn.n=1000001.r1=2 churn.n=1000001.r2=2 churn.n=1000001.r3=2"
nrec() { [ -f "$1/records.jsonl" ] && wc -l <"$1/records.jsonl" || echo 0; }
wait_records() {  # DIR N: until DIR has at least N records (20 s at most)
    for _ in $(seq 200); do [ "$(nrec "$1")" -ge "$2" ] && return 0; sleep 0.1; done
    return 1
}
start_runner() {  # DIR LOG [OPTIONS]: a runner in a session (process group) of its own; sets pid
    local d=$1 log=$2; shift 2
    setsid $M "$T_TMP/r.conf" --out "$d" --jobs 2 "$@" >"$log" 2>&1 &
    pid=$!
}
# kill_case NAME DIR: rerun after the kill and check every job's records.
rerun_and_check() {
    local name=$1 d=$2 before
    before=$(nrec "$d")
    $M "$T_TMP/r.conf" --out "$d" --jobs 2 >"$T_TMP/rerun.log" 2>&1
    local rc=$?
    expect_eq "$name: the rerun completes the matrix (exit 0)" "$rc" 0
    expect_eq "$name: 16 records expected, $(nrec "$d") found, 2 per job ($before before the rerun)" \
        "$(records_of "$d/records.jsonl")" "$WANT"
    expect_eq "$name: nothing of a stopped attempt is left in attempts/" "$(find "$d/attempts" -type f | wc -l)" 0
}

d=$T_TMP/k1
start_runner "$d" "$T_TMP/k1.log"
wait_records "$d" 4
kill -KILL -- -"$pid"; wait "$pid" 2>/dev/null
n=$(nrec "$d")
if [ "$n" -ge 4 ] && [ "$n" -lt 16 ]; then pass "runner SIGKILL: killed mid-matrix ($n of 16 records)"
else fail "runner SIGKILL: killed mid-matrix" "$n records after the kill, want 4..14"; fi
rerun_and_check "runner SIGKILL" "$d"
expect_eq "runner SIGKILL: the rerun ran only the unrecorded jobs" \
    "$(grep -c '^\[[0-9]*/[0-9]*\] ok ' "$T_TMP/rerun.log")" "$(grep -o '[0-9]* to run' "$T_TMP/rerun.log" | cut -d' ' -f1)"
$M "$T_TMP/r.conf" --out "$d" >"$T_TMP/again.log" 2>&1
expect_eq "a third run finds nothing to do" "$(grep -o '8 done, 0 to run' "$T_TMP/again.log")" "8 done, 0 to run"

d=$T_TMP/k2
start_runner "$d" "$T_TMP/k2.log"
wait_records "$d" 4
kill -INT -- -"$pid"; wait "$pid"; rc=$?
expect_eq "runner SIGINT: the runner exits 1 (jobs not recorded)" "$rc" 1
expect_eq "runner SIGINT: it says which jobs are not recorded" \
    "$(grep -c 'jobs not recorded (.*); rerun the same command' "$T_TMP/k2.log")" 1
rerun_and_check "runner SIGINT" "$d"

# A gclab run killed from outside voids its job's attempt (it is no result).
d=$T_TMP/k3
start_runner "$d" "$T_TMP/k3.log"
wait_records "$d" 2
victim=
for _ in $(seq 200); do victim=$(pgrep -f -- "--pauses $d/attempts/" | head -1); [ -n "$victim" ] && break; sleep 0.05; done
kill -KILL "$victim"; wait "$pid"; rc=$?
expect_eq "gclab SIGKILL: the runner exits 1" "$rc" 1
expect_eq "gclab SIGKILL: the attempt says it was killed and recorded nothing" \
    "$(grep -c 'was killed by signal 9); nothing recorded' "$T_TMP/k3.log")" 1
rerun_and_check "gclab SIGKILL" "$d"

# A job attempt itself SIGKILLed (a node lost): its partial output stays unmerged.
d=$T_TMP/k4
start_runner "$d" "$T_TMP/k4.log"
wait_records "$d" 2
victim=
for _ in $(seq 200); do victim=$(pgrep -f -- "matrix.py --job $d " | head -1); [ -n "$victim" ] && break; sleep 0.05; done
kill -KILL "$victim"; wait "$pid"; rc=$?
expect_eq "attempt SIGKILL: the runner exits 1" "$rc" 1
rerun_and_check "attempt SIGKILL" "$d"

# Two runners on one --out: the second refuses, naming the first; with
# --wait it runs after it and finds everything recorded.
d=$T_TMP/k5
start_runner "$d" "$T_TMP/k5.log"
wait_records "$d" 2
expect_exit "a second runner on the same --out exits 2" 2 $M "$T_TMP/r.conf" --out "$d"
expect_eq "the second runner names the one holding the directory" \
    "$(grep -c "is in use by another runner pid $pid on " "$T_TMP/err")" 1
$M "$T_TMP/r.conf" --out "$d" --wait >"$T_TMP/k5b.log" 2>&1; rc2=$?
wait "$pid"; rc1=$?
expect_eq "two runners with --wait: both exit 0" "$rc1 $rc2" "0 0"
expect_eq "two runners with --wait: the second found all 8 jobs done" "$(grep -o '8 done, 0 to run' "$T_TMP/k5b.log")" "8 done, 0 to run"
expect_eq "two runners: 16 records expected, $(nrec "$d") found, 2 per job" "$(records_of "$d/records.jsonl")" "$WANT"

# Two attempts at one job at once (say a Slurm task and a local runner): the
# second waits for the first, then skips it.
plan=$d/plan.json
rm -rf "$T_TMP/k6"; mkdir -p "$T_TMP/k6"; cp "$plan" "$T_TMP/k6/plan.json"
$PY3 scripts/matrix.py --job "$T_TMP/k6" "$T_TMP/k6/plan.json" churn.n=1000000.r0 >"$T_TMP/a1" 2>&1 &
a1=$!
$PY3 scripts/matrix.py --job "$T_TMP/k6" "$T_TMP/k6/plan.json" churn.n=1000000.r0 >"$T_TMP/a2" 2>&1
wait "$a1"
expect_eq "two attempts at one job: one records it, the other skips" \
    "$(cat "$T_TMP/a1" "$T_TMP/a2" | grep -o '^[a-z]* churn.n=1000000.r0' | sort | tr '\n' ' ')" \
    "ok churn.n=1000000.r0 skip churn.n=1000000.r0 "
expect_eq "two attempts at one job: 2 records expected, $(nrec "$T_TMP/k6") found" "$(records_of "$T_TMP/k6/records.jsonl")" "churn.n=1000000.r0=2"

# A commit torn by a kill (half a job's lines, its journal left) is rolled back.
d=$T_TMP/k5
good=$(stat -c %s "$d/records.jsonl")
printf '{"offset":%d,"bytes":5000,"job":"churn.n=1000000.r0","attempt":"x"}' "$good" >"$d/records.commit"
printf '{"job":"churn.n=1000000.r0","matrix":"r","engi' >>"$d/records.jsonl"
$M "$T_TMP/r.conf" --out "$d" >"$T_TMP/k7.log" 2>&1
expect_eq "a torn commit is rolled back to the journal's offset" \
    "$(grep -c 'rolling back a torn commit of job churn.n=1000000.r0' "$T_TMP/k7.log") $(stat -c %s "$d/records.jsonl")" "1 $good"
expect_eq "after the rollback every job still has exactly its 2 records" "$(records_of "$d/records.jsonl")" "$WANT"

expect_eq "engines are rotated across jobs" \
    "$($PY3 -S -c '
import json, sys
first = {}
for l in open(sys.argv[1]):
    r = json.loads(l); first.setdefault(r["job"], r["engine"])
print(first["churn.n=1000000.r0"], first["churn.n=1000000.r1"])' "$d/records.jsonl")" "rc rcgen"
expect_eq "every record carries the machine and the matrix fields" \
    "$($PY3 -S -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(all("cpu" in r["machine"] and r["heap_factor"] is None and r["matrix"] == "r" for r in rs))' "$d/records.jsonl")" True
printf 'engines = nogc\nworkload churn n=5\n' >"$T_TMP/other.conf"
expect_exit "a different matrix into the same directory is refused" 2 $M "$T_TMP/other.conf" --out "$d"

# --- a read-only --out is a clear error, not a cascade (root ignores modes:
# a read-only bind mount in a mount namespace of the test's own).
mkdir -p "$T_TMP/ro"
if unshare -m true 2>/dev/null; then
    unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$T_TMP/ro" \
        $M "$T_TMP/r.conf" --out "$T_TMP/ro/res" >"$T_TMP/ro.log" 2>&1
    expect_eq "a read-only --out exits 2" "$?" 2
    expect_eq "a read-only --out says so in one line" "$(cat "$T_TMP/ro.log")" \
        "matrix: --out $T_TMP/ro/res is not writable: Read-only file system"
else
    skip "read-only --out" "unshare -m is not permitted here (no read-only mount to test with)"
fi

# --- heap factors: the minimum heap is found once; a factor below 1 fails
# cleanly as a failed record.
cat >"$T_TMP/h.conf" <<'EOF'
engines = rc
repetitions = 1
heap_factors = 0.5 2
heap_engines = rc
min_heap = bisect
trace_every = 0
workload churn n=3000 keep_every=10
EOF
$M "$T_TMP/h.conf" --out "$T_TMP/h" >/dev/null 2>&1
peak=$($GCLAB run -e rc -w churn -p n=3000 -p keep_every=10 --seed 1 --json | sed 's/.*"peak_live_bytes":\([0-9]*\).*/\1/')
expect_eq "bisected minimum heap of rc is within 1% of its peak live bytes" \
    "$(awk -F'\t' -v p="$peak" '{ print ($2 >= p && $2 <= p * 1.01 + 1) ? "ok" : $2 " vs " p }' "$T_TMP/h/minheap.tsv")" ok
expect_eq "heap factor 0.5 is a failed record with MemoryError, 2 is a success" \
    "$($PY3 -S -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["heap_factor"], r.get("failed", False), "MemoryError" in r.get("error", ""))' "$T_TMP/h/records.jsonl" | sort)" \
    "0.5 True True
2 False False
None False False"

