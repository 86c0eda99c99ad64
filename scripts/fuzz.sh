#!/usr/bin/env bash
# fuzz.sh — continuous fuzzing of one target with AFL++, then triage.
#
#   scripts/fuzz.sh TARGET [--hours H] [--jobs J] [--sync DIR] [--name NAME]
#
# TARGET is ops_target, diff_target or script_target (fuzz/<TARGET>.c). Runs
# J afl-fuzz instances (default: one per core) for H hours (default 1;
# fractions allowed): one main (-M) and J-1 secondaries (-S), all in one
# sync dir (default results/fuzz/sync/TARGET), seeded from
# fuzz/corpus/TARGET with fuzz/TARGET.dict. Then:
#   - triage: every crash is replayed with the ASan replay binary
#     (build/fuzz/replay-asan-TARGET), deduplicated by its top three stack
#     frames (or the "gclab fuzz: ... invariant violated: ..." line with the
#     numbers blanked), minimized with afl-tmin, and printed as a heap script
#     (gclab fuzz-print) into results/fuzz/<date>/: crash-N.bin, crash-N.py,
#     crash-N.txt (the report);
#   - summary: execs/s, paths (corpus size), crashes and unique crashes.
# Keep a crash as a regression input: copy crash-N.bin to
# fuzz/corpus/TARGET/regress-<what>, fix the bug, add a test.
#
# Several machines. Give each machine the same --sync DIR on a shared
# filesystem (NFS) and a distinct --name: AFL++ instances sync through the
# directory's queues, so machine A runs `--name a` (its first instance is the
# main, -M a0) and machine B `--name b` (-M b0 would be a second main; AFL++
# allows several mains, each doing deterministic work on a share: use
# AFL_FINAL_SYNC=1 on one of them). Triage reads the crashes of every
# instance in the sync dir, so run it on one machine only (--hours 0 only
# triages and summarizes).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
hours=1 jobs=$(nproc) sync="" name=fz
shift || true
while [ $# -gt 0 ]; do
    case $1 in
        --hours) hours=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --sync) sync=$2; shift 2 ;;
        --name) name=$2; shift 2 ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case $target in
    ops_target|diff_target|script_target) ;;
    *) echo "usage: scripts/fuzz.sh ops_target|diff_target|script_target [--hours H] [--jobs J] [--sync DIR] [--name NAME]" >&2
       exit 2 ;;
esac
[[ $hours =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "fuzz.sh: bad --hours $hours" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: bad --jobs $jobs" >&2; exit 2; }
sync=${sync:-results/fuzz/sync/$target}
out=results/fuzz/$(date +%Y%m%d-%H%M%S)-$target
mkdir -p "$sync" "$out"

make -s --no-print-directory build/fuzz/afl/"$target" build/fuzz/replay-asan-"$target" build/gclab

secs=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
pids=()
if [ "$secs" -gt 0 ]; then
    for i in $(seq 0 $((jobs - 1))); do
        role=-S; [ "$i" -eq 0 ] && role=-M
        afl-fuzz $role "$name$i" -i fuzz/corpus/"$target" -o "$sync" -x fuzz/"$target".dict \
            -t 10000 -m none -V "$secs" -- build/fuzz/afl/"$target" >"$out/afl-$name$i.log" 2>&1 &
        pids+=($!)
    done
    echo "fuzz.sh: $jobs afl-fuzz instance(s) on $target for $hours h; sync dir $sync; logs in $out" >&2
    for p in "${pids[@]}"; do wait "$p" || true; done
fi

# ---- triage ----
export ASAN_OPTIONS=detect_leaks=1:symbolize=1
n=0 uniq=0
declare -A seen
for c in "$sync"/*/crashes/id:*; do
    [ -e "$c" ] || continue
    n=$((n + 1))
    rep=$(mktemp)
    # (a subshell, so the shell's "Aborted" notice stays out of the output)
    (timeout 60 build/fuzz/replay-asan-"$target" "$c" >/dev/null 2>"$rep" || true) 2>/dev/null
    key=$(grep -m1 'gclab fuzz: .*invariant violated' "$rep" | sed 's/[0-9][0-9]*/N/g' || true)
    if [ -z "$key" ]; then
        key=$(grep -E '^ *#[0-9]+ ' "$rep" | head -3 | awk '{print $4}' | tr '\n' ' ')
    fi
    [ -n "$key" ] || key="no-report $(head -c 100 "$rep")"
    if [ -z "${seen[$key]+x}" ]; then
        seen[$key]=1
        uniq=$((uniq + 1))
        afl-tmin -i "$c" -o "$out/crash-$uniq.bin" -t 10000 -m none -- build/fuzz/afl/"$target" >/dev/null 2>&1 ||
            cp "$c" "$out/crash-$uniq.bin"
        (timeout 60 build/fuzz/replay-asan-"$target" "$out/crash-$uniq.bin" >/dev/null 2>"$out/crash-$uniq.txt" || true) 2>/dev/null
        if [ "$target" = script_target ]; then cp "$out/crash-$uniq.bin" "$out/crash-$uniq.py"
        else build/gclab fuzz-print "$out/crash-$uniq.bin" >"$out/crash-$uniq.py" || true; fi
        echo "$key" >>"$out/crash-$uniq.txt"
    fi
    rm -f "$rep"
done

# ---- summary ----
{
    echo "target $target, sync dir $sync"
    for s in "$sync"/*/fuzzer_stats; do
        [ -e "$s" ] || continue
        inst=$(basename "$(dirname "$s")")
        awk -F' *: *' -v i="$inst" '
            $1=="execs_done"{e=$2} $1=="execs_per_sec"{r=$2} $1=="corpus_count"{p=$2}
            $1=="saved_crashes"{c=$2} $1=="run_time"{t=$2}
            END { printf "  %-8s %12s execs %10s execs/s %8s paths %6s crashes %8s s\n", i, e, r, p, c, t }' "$s"
    done
    echo "crashes $n, unique $uniq (minimized, with heap scripts, in $out)"
} | tee "$out/summary.txt"
