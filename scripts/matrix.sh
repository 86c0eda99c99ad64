#!/usr/bin/env bash
# matrix.sh — run a benchmark matrix (bench/matrices/*.conf) into a results
# directory, on this machine (GNU parallel), on many (parallel over ssh) or on
# a Slurm cluster (an sbatch array script). See bench/matrices/README.md for
# the matrix format and results/README.md for what the directory holds.
#
#   scripts/matrix.sh FILE [--out DIR] [--jobs J] [--hosts FILE] [--slurm]
#                          [--hyperfine] [--gclab PATH]
#
# Jobs. One job = one workload x one parameter point x one repetition; it
# runs every engine configuration (each engine unlimited, plus each heap
# engine at each heap factor) one after another, in an order rotated by the
# job's number so slow drift of the machine hits every engine alike.
#
# Records. A job's records reach DIR/records.jsonl together, at its end,
# under flock, by writing the old file plus the new lines to a temp file and
# renaming it over the old one: a runner killed at any moment leaves every
# record either fully in or fully out. Each record carries "job" (its job
# id), "heap_factor" and "min_heap_bytes" besides gclab's own fields (with
# "machine"). A run that fails (MemoryError under a heap limit, a timeout, a
# failed check) is recorded with "failed": true and its "error".
#
# Resuming. Rerunning the same command skips every job whose records are in
# records.jsonl (the job checks, under the lock, before running and before
# appending), and parallel's --joblog/--resume-failed skip jobs it saw
# succeed. DIR keeps a copy of the matrix; a different matrix is refused.
#
# Minimum heap. For heap factors, the minimum heap of each workload point is
# found once and cached in DIR/minheap.tsv: `min_heap = bisect` (default)
# bisects --heap-limit between 0 and the peak live bytes of an unlimited run
# of the first heap engine until within 1% (the smallest limit at which it
# completes); `min_heap = peak` takes that peak directly (an upper bound).
# Every heap engine then runs at factor x that same number of bytes.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self="$here/scripts/matrix.sh"

die() { echo "matrix: $*" >&2; exit 2; }
usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$self" | sed -n '/^  scripts/,/^$/p' >&2; }

# ---------------------------------------------------------------- job mode
# matrix.sh --job DIR ID: run one job (what parallel and Slurm call).

json_escape() {
    local s=$1
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; s=${s//$'\n'/ }; s=${s//$'\r'/ }
    printf '%s' "$s"
}

# Whether job id $2 has records in $1/records.jsonl.
job_done() { [ -f "$1/records.jsonl" ] && grep -qF "{\"job\":\"$2\"," "$1/records.jsonl"; }

run_job() {
    local dir=$1 id=$2 line
    # shellcheck source=/dev/null
    source "$dir/settings.sh" || exit 2
    line=$(awk -F'\t' -v id="$id" '$1 == id' "$dir/jobs.tsv")
    [ -n "$line" ] || die "no job '$id' in $dir/jobs.tsv"
    local num wl params rep
    IFS=$'\t' read -r _ num wl params rep <<<"$line"
    if job_done "$dir" "$id"; then
        echo "[skip] $id: already recorded"
        return 0
    fi
    local start=$SECONDS tmp="$dir/tmp/$id.jsonl"
    mkdir -p "$dir/tmp" "$dir/pauses" "$dir/traces"
    : >"$tmp"
    local -a pargs=()
    local kv pjson=""
    for kv in $params; do
        pargs+=(-p "$kv")
        pjson+="${pjson:+,}\"${kv%%=*}\":${kv#*=}"
    done
    local minheap="" key="$wl${params:+ $params}" pkey="$wl${params:+.${params// /.}}"
    if [ -f "$dir/minheap.tsv" ]; then
        minheap=$(awk -F'\t' -v k="$key" '$1 == k { print $2 }' "$dir/minheap.tsv")
    fi
    local n=${#CONFIGS[@]} i failed=0
    for ((i = 0; i < n; i++)); do
        local cfg=${CONFIGS[$(((i + num) % n))]}
        local eng=${cfg%@*} hf="" limit=0
        [ "$cfg" != "$eng" ] && hf=${cfg#*@}
        if [ -n "$hf" ]; then
            [ -n "$minheap" ] || die "no minimum heap for '$key' in $dir/minheap.tsv"
            limit=$(awk -v m="$minheap" -v f="$hf" 'BEGIN { printf "%d", m * f }')
        fi
        local tag="$id.$eng${hf:+@$hf}" out err rc
        local -a cmd=("$GCLAB" run -e "$eng" -w "$wl" "${pargs[@]}" --seed "$SEED" --repetition "$rep"
                      --heap-limit "$limit" --json --pauses "$dir/pauses/$tag.txt")
        out=$(timeout "$TIMEOUT" "${cmd[@]}" 2>"$dir/tmp/$tag.err")
        rc=$?
        err=$(head -c 400 "$dir/tmp/$tag.err")
        rm -f "$dir/tmp/$tag.err"
        local mh=null
        [ -n "$hf" ] && mh=$minheap
        local extra="\"job\":\"$id\",\"matrix\":\"$MATRIX\",\"heap_factor\":${hf:-null},\"min_heap_bytes\":$mh"
        if [ "$rc" -eq 0 ] && [ "${out:0:1}" = "{" ]; then
            printf '{%s,%s\n' "$extra" "${out:1}" >>"$tmp"
        elif [ "$rc" -eq 1 ] || [ "$rc" -eq 124 ]; then
            [ "$rc" -eq 124 ] && err="timeout after ${TIMEOUT}s"
            printf '{%s,"engine":"%s","workload":"%s","params":{%s},"seed":%s,"repetition":%s,"heap_limit":%s,"failed":true,"error":"%s","commit":"%s","machine":{"host":"%s"}}\n' \
                "$extra" "$eng" "$wl" "$pjson" "$SEED" "$rep" "$limit" "$(json_escape "$err")" \
                "$COMMIT" "$(hostname)" >>"$tmp"
            failed=$((failed + 1))
        else
            echo "matrix: job $id: ${cmd[*]}: exit $rc: $err" >&2
            rm -f "$tmp"
            return 2
        fi
        # One traced run per unlimited engine at repetition 0, outside the timed runs.
        if [ "$TRACE_EVERY" -gt 0 ] && [ "$rep" -eq 0 ] && [ -z "$hf" ] &&
           [ ! -f "$dir/traces/$pkey.$eng.txt" ]; then
            timeout "$TIMEOUT" "$GCLAB" run -e "$eng" -w "$wl" "${pargs[@]}" --seed "$SEED" \
                --trace "$dir/traces/$pkey.$eng.txt" --trace-every "$TRACE_EVERY" \
                >/dev/null 2>&1 || true
        fi
    done
    # Append atomically: old file + new lines to a temp file, then rename.
    local status
    status=$(
        exec 9>"$dir/.lock" && flock 9 || exit 3
        if job_done "$dir" "$id"; then echo dup; exit 0; fi
        { [ -f "$dir/records.jsonl" ] && cat "$dir/records.jsonl"; cat "$tmp"; } >"$dir/records.jsonl.new" &&
            mv "$dir/records.jsonl.new" "$dir/records.jsonl" || exit 4
        local done_now
        done_now=$(($(cat "$dir/.done" 2>/dev/null || echo 0) + 1))
        echo "$done_now" >"$dir/.done"
        echo "ok $done_now"
    )
    rm -f "$tmp"
    case $status in
        dup) echo "[skip] $id: recorded by another runner"; return 0 ;;
        ok*) ;;
        *) echo "matrix: job $id: cannot append to $dir/records.jsonl" >&2; return 2 ;;
    esac
    local done_now=${status#ok } now eta="" total elapsed
    now=$(date +%s)
    total=${SESSION_TODO:-0}
    elapsed=$((now - ${SESSION_START:-$now}))
    if [ "$done_now" -gt 0 ] && [ "$done_now" -lt "$total" ]; then
        local rem=$(((total - done_now) * elapsed / done_now))
        eta=$(printf ', ETA %d:%02d' $((rem / 60)) $((rem % 60)))
    fi
    [ "$total" -gt 0 ] || total="?"
    printf '[%d/%s] %s: %d runs%s in %ds%s\n' "$done_now" "$total" "$id" "$n" \
        "$([ "$failed" -gt 0 ] && echo " ($failed failed)")" $((SECONDS - start)) "$eta"
    return 0
}

if [ "${1:-}" = "--job" ]; then
    [ $# -eq 3 ] || die "usage: matrix.sh --job DIR ID"
    run_job "$2" "$3"
    exit $?
fi

# ---------------------------------------------------------------- runner
file="" out="" jobs=1 hosts="" slurm=0 hyper=0 gclab="$here/build/gclab"
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --out=*) out=${1#*=}; shift ;;
        --jobs|-j) jobs=${2:?--jobs needs a number}; shift 2 ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        --hosts) hosts=${2:?--hosts needs a file}; shift 2 ;;
        --hosts=*) hosts=${1#*=}; shift ;;
        --slurm) slurm=1; shift ;;
        --hyperfine) hyper=1; shift ;;
        --gclab) gclab=${2:?--gclab needs a path}; shift 2 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) [ -z "$file" ] || die "one matrix file only ('$file', then '$1')"; file=$1; shift ;;
    esac
done
[ -n "$file" ] || { usage; die "a matrix file is required"; }
[ -f "$file" ] || die "$file: no such file"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a positive integer, not '$jobs'"
[ -z "$hosts" ] || [ -f "$hosts" ] || die "$hosts: no such file"
[ -x "$gclab" ] || die "$gclab not found: build it first (make)"
gclab=$(cd "$(dirname "$gclab")" && pwd)/$(basename "$gclab")
name=$(basename "$file" .conf)
out=${out:-results/$name}

# --- parse the matrix file
engines_spec="all" heap_engines_spec="auto" reps=3 seed=1 factors="" min_heap=bisect
trace_every=10000 timeout_s=300
declare -a wl_lines=()
lineno=0
while IFS= read -r raw || [ -n "$raw" ]; do
    lineno=$((lineno + 1))
    l=${raw%%#*}
    l=$(echo "$l" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
    [ -z "$l" ] && continue
    if [[ "$l" =~ ^workload[[:space:]]+(.*)$ ]]; then
        wl_lines+=("${BASH_REMATCH[1]}")
        continue
    fi
    [[ "$l" =~ ^([a-z_]+)[[:space:]]*=[[:space:]]*(.*)$ ]] || die "$file:$lineno: expected 'key = value' or 'workload NAME k=v,...', got '$raw'"
    k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
    case $k in
        engines) engines_spec=$v ;;
        heap_engines) heap_engines_spec=$v ;;
        repetitions) [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "$file:$lineno: repetitions must be a positive integer"; reps=$v ;;
        seed) [[ "$v" =~ ^[0-9]+$ ]] || die "$file:$lineno: seed must be a non-negative integer"; seed=$v ;;
        heap_factors)
            for f in $v; do [[ "$f" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$file:$lineno: heap factor '$f' is not a number"; done
            factors=$v ;;
        min_heap) [[ "$v" =~ ^(bisect|peak)$ ]] || die "$file:$lineno: min_heap must be bisect or peak"; min_heap=$v ;;
        trace_every) [[ "$v" =~ ^[0-9]+$ ]] || die "$file:$lineno: trace_every must be a non-negative integer"; trace_every=$v ;;
        timeout) [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "$file:$lineno: timeout must be a positive number of seconds"; timeout_s=$v ;;
        *) die "$file:$lineno: unknown key '$k' (engines, heap_engines, repetitions, seed, heap_factors, min_heap, trace_every, timeout, workload)" ;;
    esac
done <"$file"
[ ${#wl_lines[@]} -gt 0 ] || die "$file: no 'workload' line"

# --- engines and workloads, discovered from the binary
mapfile -t all_engines < <("$gclab" engines | awk '{ print $1 }')
[ ${#all_engines[@]} -gt 0 ] || die "'$gclab engines' listed no engine"
declare -a engines=()
if [ "$engines_spec" = all ]; then engines=("${all_engines[@]}"); else
    for e in $engines_spec; do
        printf '%s\n' "${all_engines[@]}" | grep -qx -- "$e" || die "$file: unknown engine '$e' (known: ${all_engines[*]})"
        engines+=("$e")
    done
fi
declare -a heap_engines=()
case $heap_engines_spec in
    auto) mapfile -t heap_engines < <("$gclab" engines --caps |
              awk '/ refcounts=0 / && / collects_cycles=1 / { print $1 }' |
              grep -xF -f <(printf '%s\n' "${engines[@]}")) ;;
    none|"") ;;
    *) for e in $heap_engines_spec; do
           printf '%s\n' "${engines[@]}" | grep -qx -- "$e" || die "$file: heap engine '$e' is not among the engines"
           heap_engines+=("$e")
       done ;;
esac
[ -n "$factors" ] || heap_engines=()

# `gclab workloads` prints each workload as two lines: "NAME  summary", then
# an indented "key=default ..." line.
declare -A wl_params=()
w=""
while IFS= read -r line; do
    if [[ "$line" == [![:space:]]* ]]; then
        w=${line%%[[:space:]]*}
        wl_params[$w]=""
    elif [ -n "$w" ]; then
        ps=""
        for tok in $line; do [[ "$tok" == *=* ]] && ps+=" ${tok%%=*}"; done
        wl_params[$w]=$ps
    fi
done < <("$gclab" workloads)

# --- expand: workload x cartesian product of parameter lists x repetitions
declare -a points=()
for wline in "${wl_lines[@]}"; do
    read -r w rest <<<"$wline"
    if [ "$w" = all ]; then
        for k in "${!wl_params[@]}"; do points+=("$k"); done
        continue
    fi
    [ -n "${wl_params[$w]+x}" ] || die "$file: unknown workload '$w' (known: ${!wl_params[*]})"
    combos=("")
    for kv in $rest; do
        [[ "$kv" =~ ^([a-z_0-9]+)=([0-9.,]+)$ ]] || die "$file: workload $w: expected KEY=V1,V2,... with numbers, got '$kv'"
        k=${BASH_REMATCH[1]}
        [[ " ${wl_params[$w]} " == *" $k "* ]] || die "$file: workload $w has no parameter '$k' (it takes:${wl_params[$w]})"
        new=()
        IFS=, read -ra vals <<<"${BASH_REMATCH[2]}"
        for c in "${combos[@]}"; do for val in "${vals[@]}"; do
            [[ "$val" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$file: workload $w: '$k=$val' is not a number"
            new+=("${c:+$c }$k=$val")
        done; done
        combos=("${new[@]}")
    done
    for c in "${combos[@]}"; do points+=("$w${c:+ $c}"); done
done
mapfile -t points < <(printf '%s\n' "${points[@]}" | awk '!seen[$0]++')

declare -a configs=("${engines[@]}")
for e in "${heap_engines[@]}"; do for f in $factors; do configs+=("$e@$f"); done; done

mkdir -p "$out" || die "cannot create $out"
if [ -f "$out/matrix.conf" ] && ! cmp -s "$file" "$out/matrix.conf"; then
    die "$out was made from a different matrix (see $out/matrix.conf); choose another --out"
fi
cp "$file" "$out/matrix.conf.tmp" && mv "$out/matrix.conf.tmp" "$out/matrix.conf"

commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
    printf 'GCLAB=%q\nSEED=%q\nTIMEOUT=%q\nTRACE_EVERY=%q\nMATRIX=%q\nCOMMIT=%q\n' \
        "$gclab" "$seed" "$timeout_s" "$trace_every" "$name" "$commit"
    printf 'CONFIGS=('; printf '%q ' "${configs[@]}"; printf ')\n'
} >"$out/settings.sh.tmp" && mv "$out/settings.sh.tmp" "$out/settings.sh"

# jobs.tsv: id, number, workload, params, repetition (stable across reruns)
num=0
for p in "${points[@]}"; do
    read -r w ps <<<"$p"
    for ((r = 0; r < reps; r++)); do
        id="$w${ps:+.${ps// /.}}.r$r"
        printf '%s\t%d\t%s\t%s\t%d\n' "$id" "$num" "$w" "$ps" "$r"
        num=$((num + 1))
    done
done >"$out/jobs.tsv.tmp" && mv "$out/jobs.tsv.tmp" "$out/jobs.tsv"
total=$(wc -l <"$out/jobs.tsv")

# --- minimum heaps (once per workload point, cached)
peak_of() {  # peak live bytes of a run: $1 engine, $2 limit, $3 workload, rest params; empty if it failed
    local e=$1 lim=$2 w=$3; shift 3
    local -a pa=(); local kv
    for kv in "$@"; do pa+=(-p "$kv"); done
    timeout "$timeout_s" "$gclab" run -e "$e" -w "$w" "${pa[@]}" --seed "$seed" --heap-limit "$lim" --json 2>/dev/null |
        sed -n 's/.*"peak_live_bytes":\([0-9]*\).*/\1/p'
}
if [ ${#heap_engines[@]} -gt 0 ]; then
    ref=${heap_engines[0]}
    touch "$out/minheap.tsv"
    for p in "${points[@]}"; do
        awk -F'\t' -v k="$p" '$1 == k { f = 1 } END { exit !f }' "$out/minheap.tsv" && continue
        read -r w ps <<<"$p"
        # shellcheck disable=SC2086
        hi=$(peak_of "$ref" 0 "$w" $ps)
        [ -n "$hi" ] || die "minimum heap: $ref failed on '$p' without a limit"
        if [ "$min_heap" = bisect ]; then
            lo=0
            while [ $((hi - lo)) -gt $((hi / 100 + 1)) ]; do
                mid=$(((lo + hi) / 2))
                # shellcheck disable=SC2086
                if [ -n "$(peak_of "$ref" "$mid" "$w" $ps)" ]; then hi=$mid; else lo=$mid; fi
            done
        fi
        printf '%s\t%s\t%s\t%s\n' "$p" "$hi" "$ref" "$min_heap" >>"$out/minheap.tsv"
        echo "minimum heap of '$p' on $ref ($min_heap): $hi bytes"
    done
fi

# --- what is left to do
done_ids=$(mktemp)
trap 'rm -f "$done_ids"' EXIT
if [ -f "$out/records.jsonl" ]; then
    sed -n 's/^{"job":"\([^"]*\)",.*/\1/p' "$out/records.jsonl" | sort -u >"$done_ids"
fi
cut -f1 "$out/jobs.tsv" | grep -vxF -f "$done_ids" >"$out/todo.txt"
todo=$(wc -l <"$out/todo.txt")
echo "matrix $name: ${#points[@]} points x $reps repetitions = $total jobs of ${#configs[@]} runs" \
     "(${configs[*]}); $((total - todo)) done, $todo to run -> $out/records.jsonl"

# parallel's joblog must agree with the records: a job it saw succeed but
# whose records are gone (records.jsonl edited by hand) would never rerun.
if [ -f "$out/joblog" ] && awk -F'\t' 'NR > 1 && $7 == 0 { n = split($9, a, " "); gsub(/\047/, "", a[n]); print a[n] }' "$out/joblog" |
        grep -qxF -f "$out/todo.txt"; then
    echo "matrix: joblog lists jobs with no records; starting a fresh joblog" >&2
    mv "$out/joblog" "$out/joblog.stale"
fi

if [ "$slurm" -eq 1 ]; then
    mkdir -p "$out/slurm"
    cp "$out/todo.txt" "$out/slurm/todo.txt"
    cat >"$out/slurm/array.sbatch" <<EOF
#!/bin/bash
# Generated by scripts/matrix.sh from $file: one array task per unfinished job.
# Submit: sbatch $out/slurm/array.sbatch   (rerun matrix.sh --slurm to resume)
#SBATCH --job-name=gclab-$name
#SBATCH --array=1-$todo%$jobs
#SBATCH --cpus-per-task=1
#SBATCH --exclusive
#SBATCH --output=$out/slurm/%A_%a.out
cd $(printf '%q' "$PWD") || exit 2
export SESSION_START=\$(date +%s) SESSION_TODO=$todo
id=\$(sed -n "\${SLURM_ARRAY_TASK_ID}p" $out/slurm/todo.txt)
exec $(printf '%q' "$self") --job $(printf '%q' "$out") "\$id"
EOF
    if [ "$todo" -eq 0 ]; then echo "nothing to submit"; exit 0; fi
    if command -v sbatch >/dev/null; then
        sbatch "$out/slurm/array.sbatch"
    else
        echo "sbatch not found; wrote $out/slurm/array.sbatch (submit it on the cluster)"
    fi
    exit 0
fi

rc=0
if [ "$todo" -gt 0 ]; then
    export SESSION_START; SESSION_START=$(date +%s)
    export SESSION_TODO=$todo
    echo 0 >"$out/.done"
    popts=(--jobs "$jobs" --joblog "$out/joblog" --resume-failed --halt never)
    if [ -n "$hosts" ]; then
        # Remote hosts need this checkout at the same path and $out on a shared filesystem.
        popts+=(--sshloginfile "$hosts" --workdir "$PWD" --env SESSION_START --env SESSION_TODO)
    fi
    cut -f1 "$out/jobs.tsv" | parallel "${popts[@]}" "$self" --job "$out" {}
    rc=$?
fi

if [ "$hyper" -eq 1 ]; then
    command -v hyperfine >/dev/null || die "--hyperfine: hyperfine is not installed (scripts/deps.sh)"
    mkdir -p "$out/hyperfine"
    for p in "${points[@]}"; do
        read -r w ps <<<"$p"
        hf="$out/hyperfine/$w${ps:+.${ps// /.}}.json"
        [ -f "$hf" ] && continue
        cmds=()
        for e in "${engines[@]}"; do
            pa=""
            for kv in $ps; do pa+=" -p $kv"; done
            cmds+=(-n "$e" "$gclab run -e $e -w $w$pa --seed $seed")
        done
        hyperfine -N --style basic --runs "$reps" --warmup 1 --export-json "$hf.tmp" "${cmds[@]}" >/dev/null &&
            mv "$hf.tmp" "$hf" || { echo "matrix: hyperfine failed on '$p'" >&2; rc=1; }
    done
fi

left=$(cut -f1 "$out/jobs.tsv" | grep -cvxF -f <(sed -n 's/^{"job":"\([^"]*\)",.*/\1/p' "$out/records.jsonl" 2>/dev/null | sort -u))
nrec=0 nfail=0
if [ -f "$out/records.jsonl" ]; then
    nrec=$(wc -l <"$out/records.jsonl")
    nfail=$(grep -c '"failed":true' "$out/records.jsonl")
fi
echo "matrix $name: $((total - left))/$total jobs recorded, $nrec records (${nfail:-0} failed runs) in $out/records.jsonl"
[ "$left" -eq 0 ] || { echo "matrix: $left jobs not recorded; rerun the same command to resume" >&2; [ "$rc" -ne 0 ] || rc=1; }
exit "$rc"
