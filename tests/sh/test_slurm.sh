# test_slurm.sh — scripts/matrix.py --slurm against a real single-node Slurm
# cluster that this test starts on 127.0.0.1 (tests/sh/slurm_cluster.sh) and
# stops by PID: options reach sbatch, each submission has its own job list, a
# rerun while the array is queued or running refuses, a task cancelled
# mid-run records nothing, and the rerun completes the matrix with exactly one
# record per (job, engine, repetition).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/slurm_cluster.sh"

PY3=$(python3 -c 'import sys; print(sys.executable)')
M="$PY3 scripts/matrix.py"
if ! slurm_up "$T_TMP/cluster"; then
    skip "slurm matrix" "no single-node Slurm cluster here: $SLURM_WHY"
    exit 0
fi
pass "a single-node Slurm cluster of the test's own is up (SLURM_CONF=$T_TMP/cluster/slurm.conf)"

# Runs long enough (several seconds a job) that a task can be cancelled mid-run.
cat >"$T_TMP/s.conf" <<'EOF'
engines = rc rcgen
repetitions = 3
seed = 2
trace_every = 0
workload churn n=4000000
EOF
WANT="churn.n=4000000.r0=2 churn.n=4000000.r1=2 churn.n=4000000.r2=2"
records_of() { $PY3 -S -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["job"] for l in open(sys.argv[1]))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"; }
array_done() {  # JOBID: wait until Slurm no longer lists it (120 s at most)
    for _ in $(seq 1200); do [ -z "$(squeue -h -r -j "$1" 2>/dev/null)" ] && return 0; sleep 0.1; done
    return 1
}

d=$T_TMP/res
$M "$T_TMP/s.conf" --out "$d" --slurm --jobs 1 --partition gclabtest --time 10 --account gclab \
    --sbatch-arg=--comment=gclab-test >"$T_TMP/sub1.log" 2>&1
expect_eq "--slurm submits an array of the 3 jobs" "$?" 0
job1=$(sed -n 's/^submitted array job \([0-9]*\):.*/\1/p' "$T_TMP/sub1.log")
sub1=$(dirname "$(sed -n 's/.*job list \(.*\)$/\1/p' "$T_TMP/sub1.log")")
expect_eq "the array script passes partition, time, account and a raw sbatch flag" \
    "$(grep -E '^#SBATCH --(partition|time|account|comment|array)=' "$sub1/array.sbatch" | tr '\n' ' ')" \
    "#SBATCH --array=1-3%1 #SBATCH --partition=gclabtest #SBATCH --time=10 #SBATCH --account=gclab #SBATCH --comment=gclab-test "
expect_eq "Slurm has them: partition, time limit and comment as asked" \
    "$(scontrol show job "$job1" | grep -o -E '(Partition=gclabtest|TimeLimit=00:10:00|Comment=gclab-test)' | sort -u | tr '\n' ' ')" \
    "Comment=gclab-test Partition=gclabtest TimeLimit=00:10:00 "

expect_exit "a rerun while the array is queued or running refuses" 2 $M "$T_TMP/s.conf" --out "$d" --slurm
expect_eq "the refusal names the array and says what to do" \
    "$(grep -c "a Slurm array of this matrix may still run: array job $job1 .*task(s) queued or running. Wait for it" "$T_TMP/err")" 1
expect_exit "a local rerun meanwhile refuses too" 2 $M "$T_TMP/s.conf" --out "$d"
# Cancel the first task while its gclab runs.
victim=
for _ in $(seq 600); do
    pgrep -f -- "--pauses $d/attempts/churn.n=4000000.r0/" >/dev/null && { victim=${job1}_1; break; }
    sleep 0.1
done
scancel "$victim"
array_done "$job1"
expect_eq "the array has ended" "$?" 0
expect_eq "the cancelled task says its attempt recorded nothing" \
    "$(grep -c 'attempt .* stopped (.*signal 15); nothing recorded' "$sub1/${job1}_1.out")" 1
expect_eq "after the cancel: 4 records expected (2 jobs x 2 engines), $(wc -l <"$d/records.jsonl") found" \
    "$(records_of "$d/records.jsonl")" "churn.n=4000000.r1=2 churn.n=4000000.r2=2"

$M "$T_TMP/s.conf" --out "$d" --slurm >"$T_TMP/sub2.log" 2>&1
expect_eq "the rerun submits only the missing job" "$(grep -o '2 done, 1 to run' "$T_TMP/sub2.log")" "2 done, 1 to run"
job2=$(sed -n 's/^submitted array job \([0-9]*\):.*/\1/p' "$T_TMP/sub2.log")
sub2=$(dirname "$(sed -n 's/.*job list \(.*\)$/\1/p' "$T_TMP/sub2.log")")
expect_eq "each submission has its own job list" \
    "$(cat "$sub1/todo.txt" | tr '\n' ' ')| $(cat "$sub2/todo.txt" | tr '\n' ' ')" \
    "churn.n=4000000.r0 churn.n=4000000.r1 churn.n=4000000.r2 | churn.n=4000000.r0 "
array_done "$job2"
expect_eq "after the rerun: 6 records expected, $(wc -l <"$d/records.jsonl") found, 2 per job" \
    "$(records_of "$d/records.jsonl")" "$WANT"
$M --status "$d" >"$T_TMP/status.log" 2>&1
expect_eq "--status: every job recorded, no array running" \
    "$(head -1 "$T_TMP/status.log"; grep -c 'slurm array' "$T_TMP/status.log")" \
    "matrix s: 3/3 jobs recorded, 6 records (0 failed runs) in $d/records.jsonl
0"
$M "$T_TMP/s.conf" --out "$d" --slurm >"$T_TMP/sub3.log" 2>&1
expect_eq "a third --slurm run has nothing to submit" "$(tail -1 "$T_TMP/sub3.log")" "nothing to submit"
slurm_down
