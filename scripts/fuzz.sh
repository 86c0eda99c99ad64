#!/usr/bin/env bash
# fuzz.sh — continuous fuzzing of one target with AFL++, then triage.
#
#   scripts/fuzz.sh TARGET [--hours H | --minutes M] [--jobs J] [--sync DIR]
#                          [--name NAME] [--no-main] [--sync-minutes S]
#
# TARGET is ops_target, diff_target or script_target (fuzz/<TARGET>.c). Runs
# J afl-fuzz instances (default: one per core) for H hours (default 1;
# fractions allowed) or M minutes: one main (-M NAME0) and J-1 secondaries
# (-S NAME1...), all in one sync dir (default results/fuzz/sync/TARGET),
# seeded from fuzz/corpus/TARGET with fuzz/TARGET.dict. Then:
#   - triage: every crash is replayed with the ASan replay binary
#     (build/fuzz/replay-asan-TARGET), deduplicated by its top three stack
#     frames (or the "gclab fuzz: ... invariant violated: ..." line with the
#     numbers blanked), minimized with afl-tmin, and printed as a heap script
#     (gclab fuzz-print) into results/fuzz/<date>-TARGET/: crash-N.bin,
#     crash-N.py, crash-N.txt (the report). A crash that does not reproduce
#     under the replay binary (a timeout, an effect of AFL++'s own build, a
#     flaky conservative root) is listed as such in no-repro.txt, not dropped;
#   - summary: per instance execs, execs/s, corpus size, crashes, and the
#     inputs it imported from the others (corpus_imported, and by source
#     instance from the queue's sync:NAME entries), into summary.txt.
# Exit status: 0; 1 if any afl-fuzz instance died before its time (its log's
# tail is printed); 2 bad arguments.
#
# Sharing. AFL++ 4.04c syncs instances every 30 minutes by default, so a
# short campaign exchanged nothing; AFL_SYNC_TIME is set to --sync-minutes
# (default: a tenth of the campaign, 1 to 30 minutes).
#
# Resuming. Rerunning with the same --sync and --name resumes each instance
# whose directory already holds a queue (`-i -`, AFL_AUTORESUME=1) instead of
# starting over (AFL++ would refuse: "At-risk data found").
#
# Several machines. Give each machine the same --sync DIR on a shared
# filesystem (NFS) and a distinct --name; exactly one machine runs the main:
# the others pass --no-main (all their instances are -S). A machine that would
# start a second main while one runs is refused, naming it. Triage reads the
# crashes of every instance in the sync dir, so run it on one machine only
# (--hours 0 only triages and summarizes).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

usage="usage: scripts/fuzz.sh ops_target|diff_target|script_target [--hours H | --minutes M] [--jobs J] [--sync DIR] [--name NAME] [--no-main] [--sync-minutes S]"
die() { echo "fuzz.sh: $*" >&2; exit 2; }
target=${1:-}
hours=1 minutes="" jobs=$(nproc) sync="" name=fz main=1 sync_minutes=""
shift || true
while [ $# -gt 0 ]; do
    case $1 in
        --hours) hours=${2:-}; shift 2 || die "--hours needs a value" ;;
        --minutes) minutes=${2:-}; shift 2 || die "--minutes needs a value" ;;
        --jobs) jobs=${2:-}; shift 2 || die "--jobs needs a value" ;;
        --sync) sync=${2:-}; shift 2 || die "--sync needs a directory" ;;
        --name) name=${2:-}; shift 2 || die "--name needs a value" ;;
        --no-main) main=0; shift ;;
        --sync-minutes) sync_minutes=${2:-}; shift 2 || die "--sync-minutes needs a value" ;;
        *) die "unknown argument $1 ($usage)" ;;
    esac
done
case $target in
    ops_target|diff_target|script_target) ;;
    *) die "$usage" ;;
esac
[[ $hours =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad --hours $hours"
[ -z "$minutes" ] || [[ $minutes =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad --minutes $minutes"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad --jobs $jobs"
[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad --name $name (letters, digits, _ and -)"
secs=$(awk -v h="$hours" -v m="$minutes" 'BEGIN { printf "%d", (m != "" ? m * 60 : h * 3600) }')
if [ -z "$sync_minutes" ]; then
    sync_minutes=$(awk -v s="$secs" 'BEGIN { m = int(s / 600); print (m < 1 ? 1 : m > 30 ? 30 : m) }')
fi
[[ $sync_minutes =~ ^[1-9][0-9]*$ ]] || die "bad --sync-minutes $sync_minutes (whole minutes, at least 1)"
sync=${sync:-results/fuzz/sync/$target}
out=results/fuzz/$(date +%Y%m%d-%H%M%S)-$target

# Exactly one main across machines: AFL++ marks a running main's directory with is_main_node.
if [ "$secs" -gt 0 ] && [ "$main" -eq 1 ]; then
    for m in "$sync"/*/is_main_node; do
        [ -e "$m" ] || continue
        other=$(basename "$(dirname "$m")")
        [ "$other" = "${name}0" ] && continue
        die "$sync already has a main instance ($other); run this machine with --no-main (or another --sync)"
    done
fi

mkdir -p "$sync" "$out" || die "cannot create $sync or $out"

# Triage alone (--hours 0) needs no AFL++ build (afl-tmin is skipped without it).
need=(build/fuzz/replay-asan-"$target" build/gclab)
[ "$secs" -gt 0 ] && need+=(build/fuzz/afl/"$target")
make -s --no-print-directory "${need[@]}" || exit 2

export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1
export AFL_SYNC_TIME=$sync_minutes AFL_AUTORESUME=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
pids=() insts=()
dead=0
# Stopped (Ctrl-C, SIGTERM): stop the instances too; rerun to resume them.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; echo "fuzz.sh: stopped; rerun the same command to resume" >&2; exit 130' INT TERM
if [ "$secs" -gt 0 ]; then
    for i in $(seq 0 $((jobs - 1))); do
        inst=$name$i
        role=-S; [ "$i" -eq 0 ] && [ "$main" -eq 1 ] && role=-M
        input=fuzz/corpus/$target
        if [ -d "$sync/$inst/queue" ]; then input=-; fi     # resume this instance's campaign
        afl-fuzz $role "$inst" -i "$input" -o "$sync" -x fuzz/"$target".dict \
            -t 10000 -m none -V "$secs" -- build/fuzz/afl/"$target" >"$out/afl-$inst.log" 2>&1 &
        pids+=($!) insts+=("$inst")
    done
    echo "fuzz.sh: $jobs afl-fuzz instance(s) on $target for $secs s, syncing every $sync_minutes min;" \
         "sync dir $sync; logs in $out" >&2
    for k in "${!pids[@]}"; do
        wait "${pids[$k]}"
        st=$?
        if [ "$st" -ne 0 ]; then
            dead=$((dead + 1))
            echo "fuzz.sh: afl-fuzz ${insts[$k]} died (exit $st); the end of $out/afl-${insts[$k]}.log:" >&2
            tail -n 5 "$out/afl-${insts[$k]}.log" | sed 's/^/    /' >&2
        fi
    done
fi

# ---- triage ----
export ASAN_OPTIONS=detect_leaks=1:symbolize=1
n=0 uniq=0 norepro=0
declare -A seen
: >"$out/no-repro.txt"
for c in "$sync"/*/crashes/id:*; do
    [ -e "$c" ] || continue
    n=$((n + 1))
    rep=$(mktemp)
    # (a subshell, so the shell's "Aborted" notice stays out of the output)
    rc=$( (timeout 60 build/fuzz/replay-asan-"$target" "$c" >/dev/null 2>"$rep"; echo $?) 2>/dev/null)
    if [ "$rc" -eq 0 ]; then
        norepro=$((norepro + 1))
        echo "$c: does not reproduce under build/fuzz/replay-asan-$target (exit 0)" >>"$out/no-repro.txt"
        rm -f "$rep"
        continue
    fi
    key=$(grep -m1 'gclab fuzz: .*invariant violated' "$rep" | sed 's/[0-9][0-9]*/N/g')
    [ -n "$key" ] || key=$(grep -E '^ *#[0-9]+ ' "$rep" | head -3 | awk '{print $4}' | tr '\n' ' ')
    [ -n "$key" ] || key="exit $rc, no report: $(head -c 100 "$rep" | tr '\n' ' ')"
    if [ -z "${seen[$key]+x}" ]; then
        seen[$key]=1
        uniq=$((uniq + 1))
        { [ -x build/fuzz/afl/"$target" ] &&
            afl-tmin -i "$c" -o "$out/crash-$uniq.bin" -t 10000 -m none -- build/fuzz/afl/"$target" >/dev/null 2>&1; } ||
            cp "$c" "$out/crash-$uniq.bin"
        : "$( (timeout 60 build/fuzz/replay-asan-"$target" "$out/crash-$uniq.bin" >/dev/null 2>"$out/crash-$uniq.txt"; echo $?) 2>/dev/null)"
        if [ "$target" = script_target ]; then cp "$out/crash-$uniq.bin" "$out/crash-$uniq.py"
        else build/gclab fuzz-print "$out/crash-$uniq.bin" >"$out/crash-$uniq.py" 2>&1; fi
        { echo "first seen: $c"; echo "$key"; } >>"$out/crash-$uniq.txt"
    fi
    rm -f "$rep"
done

# ---- summary ----
# Imports by source: AFL++ names an imported queue entry id:N,sync:SOURCE,src:M.
imports_by_source() {
    ls "$1/queue" 2>/dev/null | sed -n 's/^id:[0-9]*,sync:\([^,]*\),.*/\1/p' | sort | uniq -c |
        awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }'
}
{
    echo "target $target, sync dir $sync, sync every $sync_minutes min"
    printf '  %-10s %-4s %12s %10s %8s %8s %8s  %s\n' instance role execs execs/s corpus crashes imported "imported from"
    for s in "$sync"/*/fuzzer_stats; do
        [ -e "$s" ] || continue
        d=$(dirname "$s")
        inst=$(basename "$d")
        role=S; { [ -e "$d/is_main_node" ] || grep -q "^command_line *: .* -M " "$s"; } && role=M
        awk -F' *: *' -v i="$inst" -v role="$role" -v from="$(imports_by_source "$d")" '
            $1=="execs_done"{e=$2} $1=="execs_per_sec"{r=$2} $1=="corpus_count"{p=$2}
            $1=="saved_crashes"{c=$2} $1=="corpus_imported"{im=$2}
            END { printf "  %-10s %-4s %12s %10s %8s %8s %8s  %s\n", i, role, e, r, p, c, im, (from == "" ? "-" : from) }' "$s"
    done
    echo "crashes $n: unique $uniq (minimized, with heap scripts, in $out), not reproducing $norepro (listed in $out/no-repro.txt)"
    [ "$dead" -eq 0 ] || echo "afl-fuzz instances that died: $dead (see above and $out/afl-*.log)"
} | tee "$out/summary.txt"
[ "$dead" -eq 0 ] || exit 1
exit 0
