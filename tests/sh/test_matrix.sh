# test_matrix.sh — the matrix runner (scripts/matrix.sh) and the side files
# of `gclab run` (--pauses, --trace) it relies on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

M=scripts/matrix.sh
records_of() { /usr/bin/python3 -S -c '
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
    "# t_s event gen allocs live_objects live_bytes heap_bytes"

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

# --- bad matrices: a clear message and exit 2, nothing run.
printf 'engines = all\nrepetitions = 1\nspeed = 3\nworkload churn\n' >"$T_TMP/bad1.conf"
expect_exit "unknown matrix key exits 2" 2 $M "$T_TMP/bad1.conf" --out "$T_TMP/bad1"
expect_eq "unknown matrix key is named with file and line" \
    "$(grep -o 'bad1.conf:3: unknown key .speed.' "$T_TMP/err")" "bad1.conf:3: unknown key 'speed'"
printf 'engines = nogc nosuch\nworkload churn\n' >"$T_TMP/bad2.conf"
expect_exit "unknown engine exits 2" 2 $M "$T_TMP/bad2.conf" --out "$T_TMP/bad2"
printf 'workload churn size=3\n' >"$T_TMP/bad3.conf"
expect_exit "unknown workload parameter exits 2" 2 $M "$T_TMP/bad3.conf" --out "$T_TMP/bad3"
expect_eq "no records after a bad matrix" "$(ls "$T_TMP"/bad*/records.jsonl 2>/dev/null | wc -l)" 0

# --- resume: kill the runner (its whole process group, mid-job), rerun,
# and every job has exactly its runs: none lost, none twice.
cat >"$T_TMP/r.conf" <<'EOF'
engines = nogc rc
repetitions = 4
seed = 5
trace_every = 0
workload churn n=300000,300001
EOF
out="$T_TMP/res"
setsid $M "$T_TMP/r.conf" --out "$out" --jobs 1 >"$T_TMP/run1.log" 2>&1 &
pid=$!
for _ in $(seq 200); do
    [ -f "$out/records.jsonl" ] && [ "$(wc -l <"$out/records.jsonl")" -ge 4 ] && break
    sleep 0.1
done
kill -KILL -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
# parallel starts each job in a process group of its own, so the job that
# was running survives the kill and may still append: wait for it to end.
for _ in $(seq 100); do pgrep -f -- "--job $out " >/dev/null || break; sleep 0.1; done
n1=$(wc -l <"$out/records.jsonl" 2>/dev/null || echo 0)
if [ "$n1" -ge 4 ] && [ "$n1" -lt 16 ]; then pass "runner was killed mid-matrix ($n1 of 16 records)"
else fail "runner was killed mid-matrix" "$n1 records after the kill, want 4..14"; fi
$M "$T_TMP/r.conf" --out "$out" --jobs 1 >"$T_TMP/run2.log" 2>&1
expect_eq "rerun completes the matrix" "$?" 0
expect_eq "after resume every job has exactly its 2 runs, none lost, none twice" \
    "$(records_of "$out/records.jsonl")" \
    "churn.n=300000.r0=2 churn.n=300000.r1=2 churn.n=300000.r2=2 churn.n=300000.r3=2 churn.n=300001.r0=2 churn.n=300001.r1=2 churn.n=300001.r2=2 churn.n=300001.r3=2"
expect_eq "rerun ran only the jobs that were missing" \
    "$(grep -c '^\[[0-9]*/' "$T_TMP/run2.log")" "$((8 - n1 / 2))"
$M "$T_TMP/r.conf" --out "$out" >"$T_TMP/run3.log" 2>&1
expect_eq "third run finds nothing to do" "$(grep -o '8 done, 0 to run' "$T_TMP/run3.log")" "8 done, 0 to run"
expect_eq "engines are rotated across jobs" \
    "$(/usr/bin/python3 -S -c '
import json, sys
first = {}
for l in open(sys.argv[1]):
    r = json.loads(l); first.setdefault(r["job"], r["engine"])
print(first["churn.n=300000.r0"], first["churn.n=300000.r1"])' "$out/records.jsonl")" "nogc rc"
expect_eq "every record carries the machine and the matrix fields" \
    "$(/usr/bin/python3 -S -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(all("cpu" in r["machine"] and r["heap_factor"] is None and r["matrix"] == "r" for r in rs))' "$out/records.jsonl")" True
printf 'engines = nogc\nworkload churn n=5\n' >"$T_TMP/other.conf"
expect_exit "a different matrix into the same directory is refused" 2 $M "$T_TMP/other.conf" --out "$out"

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
    "$(/usr/bin/python3 -S -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["heap_factor"], r.get("failed", False), "MemoryError" in r.get("error", ""))' "$T_TMP/h/records.jsonl" | sort)" \
    "0.5 True True
2 False False
None False False"

# --- Slurm: an array script over the unfinished jobs (not submitted here).
$M "$T_TMP/r.conf" --out "$T_TMP/sl" --slurm >"$T_TMP/sl.log" 2>&1
expect_eq "slurm mode writes an 8-task array script" \
    "$(grep -c '^#SBATCH --array=1-8%1$' "$T_TMP/sl/slurm/array.sbatch")" 1
bash -n "$T_TMP/sl/slurm/array.sbatch"
expect_eq "slurm array script is valid bash" "$?" 0
expect_eq "slurm mode runs nothing itself" "$([ -f "$T_TMP/sl/records.jsonl" ] && echo ran || echo none)" none
