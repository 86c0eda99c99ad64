#!/usr/bin/env bash
# test_fuzz_corpus.sh — the committed fuzz corpora (fuzz/corpus/<target>/,
# seeds and regression inputs) replay cleanly under ASan+UBSan: ops_target on
# every engine (the model's checks pass), diff_target (every engine observes
# the same), script_target; and `gclab fuzz-print` shows inputs.
source "$(dirname "$0")/lib.sh"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
R=build/fuzz

# replay NAME CMD...: the replay ran every input and exited 0.
replay() {
    local name=$1; shift
    "$@" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "inputs ran" "$T_TMP/err"; then pass "$name"; else
        fail "$name" "exit $rc: $(grep -m3 -E 'gclab fuzz|ERROR|runtime error' "$T_TMP/err" | head -c 600)"; fi
}

for e in $($GCLAB engines | awk '{print $1}'); do
    replay "fuzz_ops_corpus_replays_clean_on_$e" env GCLAB_FUZZ_ENGINE="$e" \
        $R/replay-asan-ops_target fuzz/corpus/ops_target
done
replay fuzz_diff_corpus_agrees_on_every_engine $R/replay-asan-diff_target fuzz/corpus/diff_target
replay fuzz_script_corpus_compiles_and_runs_clean $R/replay-asan-script_target fuzz/corpus/script_target

# The same input under zeal=1 (a collection at every allocation) on every engine.
replay fuzz_ops_seeds_replay_clean_under_zeal_1 env GCLAB_FUZZ_ENGINE=all GCLAB_FUZZ_ZEAL=1 \
    $R/replay-asan-ops_target fuzz/corpus/ops_target/seed-del_cycle-e0-z0 fuzz/corpus/ops_target/seed-calls-e0-z0

# fuzz-print: a header naming the engine, then the program; a missing file is exit 2.
printf '\001\060\006\001' >"$T_TMP/in"     # engine byte 1, malloc, LIST 1
$GCLAB fuzz-print "$T_TMP/in" --ops >"$T_TMP/p" 2>&1
expect_eq fuzz_print_names_engine_and_lists_ops \
    "$(head -1 "$T_TMP/p" | sed 's/.*bytes, //'; grep -c '^ *0 LIST  *1 0 0 0$' "$T_TMP/p")" \
    "engine rc (byte 1), zeal=0, check every 1 op, malloc allocator
1"
expect_exit fuzz_print_missing_file_exits_2 2 $GCLAB fuzz-print "$T_TMP/nope"
expect_exit fuzz_print_bad_option_exits_2 2 $GCLAB fuzz-print --frob "$T_TMP/in"

# fuzz-print writes a heap script that gclab runs (a seed without fin or caught errors).
$GCLAB fuzz-print fuzz/corpus/ops_target/seed-loop-e0-z0 >"$T_TMP/loop.py" 2>&1
expect_exit fuzz_print_script_of_a_seed_runs 0 $GCLAB script "$T_TMP/loop.py"

# Byte 0 names an engine by a fixed slot (fuzz/decode.c), modulo 32: adding an
# engine moves no input. Every committed input names an assigned slot.
got=""
for b in 0 1 2 3 4 32 35; do
    printf "\\$(printf %03o $b)\000" >"$T_TMP/b"
    got+="$b=$($GCLAB fuzz-print "$T_TMP/b" | sed -n '1s/.*engine \([a-z]*\) .*/\1/p') "
done
expect_eq fuzz_engine_byte_maps_to_fixed_slots "$got" "0=nogc 1=rc 2=rcgen 3=marksweep 4=bdw 32=nogc 35=marksweep "
unassigned=$(for f in fuzz/corpus/ops_target/*; do $GCLAB fuzz-print "$f" | head -1; done | grep -c 'unassigned slot')
expect_eq fuzz_corpus_names_only_assigned_engine_slots "$unassigned" 0
# An engine named in the environment that does not exist is an error, not a fallback to byte 0.
expect_exit fuzz_unknown_engine_in_env_exits_2 2 env GCLAB_FUZZ_ENGINE=nosuch $R/replay-asan-ops_target "$T_TMP/b"
