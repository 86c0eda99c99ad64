#!/usr/bin/env bash
# fuzz-mutants.sh — proof that the fuzzer finds real collector bugs: for each
# engine, plant a bug in a scratch copy of the tree, build ops_target for
# libFuzzer there, fuzz that engine (GCLAB_FUZZ_ENGINE) from the committed
# corpus, and report found / not found with the seconds to the first crash.
#
#   scripts/fuzz-mutants.sh [--limit SECONDS] [MUTANT...]     (default limit 300)
#
# The planted bugs (each a textual patch of one engine file, applied by
# python3 to the copy; the tree itself is never touched):
#   skip-decref    a dying object does not release its list children (rc, rcgen)
#   skip-mark      one kind's fields are not traced (marksweep: a dict is not
#                  pushed on the mark stack; rcgen: move_unreachable does not
#                  follow a dict's entries; bdw: tuples are allocated as an
#                  atomic kind, so libgc never scans their items)
#   no-clear-wr    a freed object's weakrefs are not cleared (rc, rcgen, marksweep; bdw:
#                  the weakref's disappearing link is not registered with libgc)
#   fin-twice      __del__ runs twice (rc, rcgen, bdw: called twice; marksweep:
#                  FINALIZED never set, so it runs again next collection)
# nogc frees nothing and has no finalizers: no mutant applies. rc does no
# marking: no skip-mark.
# Prints a table: mutant, engine, found?, seconds, and the first line of the
# report. Run one at a time: each uses one core.
set -u
cd "$(dirname "$0")/.."
limit=300
sel=()
while [ $# -gt 0 ]; do
    case $1 in
        --limit) limit=$2; shift 2 ;;
        *) sel+=("$1"); shift ;;
    esac
done

# name~engine~file~old~new  (python string literals; new replaces the first occurrence of old)
MUTANTS=(
"skip-decref~rc~engines/rc.c~    if (--child->refcnt == 0)\n        rc_push(ctx, child);~    if (child->kind != GCLAB_K_LIST && --child->refcnt == 0)\n        rc_push(ctx, child);"
"skip-decref~rcgen~engines/rcgen.c~    if (--child->refcnt == 0) {\n        rg_untrack(ctx, child);~    if (child->kind != GCLAB_K_LIST && --child->refcnt == 0) {\n        rg_untrack(ctx, child);"
"skip-mark~marksweep~engines/marksweep.c~    if (obj_kind_is_container(o->kind))\n        ms_push(ctx, o);~    if (obj_kind_is_container(o->kind) && o->kind != GCLAB_K_DICT)\n        ms_push(ctx, o);"
"skip-mark~rcgen~engines/rcgen.c~        if (o->gc_refs > 0) {\n            gclab_trace_object(o, rg_visit_reachable, young);~        if (o->gc_refs > 0) {\n            if (o->kind != GCLAB_K_DICT) gclab_trace_object(o, rg_visit_reachable, young);"
"skip-mark~bdw~engines/bdw.c~               : obj_kind_is_container(kind) ? bdw_kind_obj : bdw_kind_atomic;~               : obj_kind_is_container(kind) && kind != GCLAB_K_TUPLE ? bdw_kind_obj : bdw_kind_atomic;"
"no-clear-wr~rc~engines/rc.c~    core_clear_weakrefs(h, o, true);~    (void)0;"
"no-clear-wr~rcgen~engines/rcgen.c~    core_clear_weakrefs(h, o, true);\n    gclab_obj *mark~    gclab_obj *mark"
"no-clear-wr~marksweep~engines/marksweep.c~    core_clear_weakrefs(h, o, false);\n}~    (void)h;\n}"
"no-clear-wr~bdw~engines/bdw.c~        GC_general_register_disappearing_link((void **)&wr->target, wr->target);~        (void)0;"
"fin-twice~rc~engines/rc.c~        core_run_finalizer(h, o);~        core_run_finalizer(h, o);\n        core_run_finalizer(h, o);"
"fin-twice~rcgen~engines/rcgen.c~        o->refcnt = 1;\n        core_run_finalizer(h, o);~        o->refcnt = 1;\n        core_run_finalizer(h, o);\n        core_run_finalizer(h, o);"
"fin-twice~marksweep~engines/marksweep.c~        GCLAB_ASSERT(!(o->gcflags & MS_FINALIZED));   /* M4 */\n        o->gcflags |= MS_FINALIZED;~        (void)0;"
"fin-twice~bdw~engines/bdw.c~        core_run_finalizer(h, o);\n    }~        core_run_finalizer(h, o);\n        core_run_finalizer(h, o);\n    }"
)

make -s --no-print-directory build/fuzz/libfuzzer/ops_target >/dev/null || exit 1
scratch=$(mktemp -d /tmp/gclab-mutants.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
printf '%-12s %-10s %-6s %8s  %s\n' mutant engine found seconds report
for m in "${MUTANTS[@]}"; do
    IFS='~' read -r name engine file old new <<<"$m"
    if [ ${#sel[@]} -gt 0 ] && [[ ! " ${sel[*]} " =~ " $name " ]] && [[ ! " ${sel[*]} " =~ " $name/$engine " ]]; then
        continue
    fi
    tree=$scratch/$name-$engine
    mkdir -p "$tree"
    git ls-files -z | xargs -0 cp --parents -p -t "$tree"
    cp -a build "$tree/" 2>/dev/null   # prebuilt objects: only the patched file recompiles
    rm -f "$tree"/crash-* "$tree"/leak-* "$tree"/timeout-*
    if ! python3 - "$tree/$file" "$old" "$new" <<'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2].encode().decode('unicode_escape'), sys.argv[3].encode().decode('unicode_escape')
s = open(path).read()
if old not in s:
    sys.exit("patch does not apply: %r" % old)
open(path, 'w').write(s.replace(old, new, 1))
EOF
    then
        printf '%-12s %-10s %-6s %8s  %s\n' "$name" "$engine" "-" "-" "patch does not apply"
        continue
    fi
    touch "$tree/$file"
    if ! make -s --no-print-directory -C "$tree" build/fuzz/libfuzzer/ops_target >"$tree/build.log" 2>&1; then
        printf '%-12s %-10s %-6s %8s  %s\n' "$name" "$engine" "-" "-" "build failed: $(grep -m1 error "$tree/build.log")"
        continue
    fi
    mkdir -p "$tree/corpus"
    cp fuzz/corpus/ops_target/* "$tree/corpus/"
    start=$(date +%s.%N)
    GCLAB_FUZZ_ENGINE=$engine ASAN_OPTIONS=detect_leaks=1:symbolize=1 timeout $((limit + 60)) \
        "$tree/build/fuzz/libfuzzer/ops_target" -max_total_time="$limit" -timeout=25 -rss_limit_mb=4096 \
        -max_len=1024 -dict=fuzz/ops_target.dict -artifact_prefix="$tree/" "$tree/corpus" >"$tree/fuzz.log" 2>&1
    end=$(date +%s.%N)
    if [ -n "$(ls "$tree"/crash-* "$tree"/leak-* "$tree"/timeout-* 2>/dev/null)" ]; then
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
        what=$(grep -m1 -E 'gclab fuzz: .*invariant violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|gclab invariant failed' \
               "$tree/fuzz.log" | sed 's/^.*invariant violated: //' | cut -c1-90)
        printf '%-12s %-10s %-6s %8s  %s\n' "$name" "$engine" yes "$secs" "$what"
    else
        printf '%-12s %-10s %-6s %8s  %s\n' "$name" "$engine" no ">$limit" ""
    fi
    rm -rf "$tree"
done
