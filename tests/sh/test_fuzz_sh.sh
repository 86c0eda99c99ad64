# test_fuzz_sh.sh — scripts/fuzz.sh without running AFL++ (its campaigns are
# `make fuzz-smoke`'s and the README's): refusals, a second main across
# machines, triage of a crash that does not reproduce (listed, not fatal),
# and the per-instance import summary read from a sync dir.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
F=scripts/fuzz.sh

expect_exit "an unknown target is refused" 2 bash $F nosuch_target
expect_exit "a bad --sync-minutes is refused" 2 bash $F ops_target --minutes 1 --sync-minutes 0
expect_eq "the refusal says what it wants" "$(grep -c 'bad --sync-minutes 0 (whole minutes, at least 1)' "$T_TMP/err")" 1

# Another machine's main already in the sync dir: this one must not be a second main.
s=$T_TMP/sync
mkdir -p "$s/a0"; touch "$s/a0/is_main_node"
expect_exit "a second main in one sync dir is refused" 2 bash $F ops_target --minutes 1 --sync "$s" --name b
expect_eq "the refusal names the main and the way out" \
    "$(grep -c "already has a main instance (a0); run this machine with --no-main" "$T_TMP/err")" 1

# Triage and summary of a sync dir as AFL++ leaves it: a "crash" that replays
# cleanly (a corpus input) is listed as not reproducing; imports are counted
# per instance and by source (queue entries named id:N,sync:SOURCE,...).
seed=$(ls fuzz/corpus/ops_target | head -1)
for i in a0 a1; do mkdir -p "$s/$i/crashes" "$s/$i/queue"; done
cp "fuzz/corpus/ops_target/$seed" "$s/a1/crashes/id:000000,sig:06,src:000001,time:1,execs:1,op:havoc,rep:2"
touch "$s/a1/queue/id:000007,sync:a0,src:000003" "$s/a1/queue/id:000008,sync:a0,src:000004" \
      "$s/a1/queue/id:000009,sync:b0,src:000001" "$s/a0/queue/id:000011,sync:a1,src:000002" \
      "$s/a0/queue/id:000000,time:0,execs:0,orig:x"
printf 'execs_done        : 1000\nexecs_per_sec     : 50.00\ncorpus_count      : 12\nsaved_crashes     : 0\ncorpus_imported   : 1\n' >"$s/a0/fuzzer_stats"
printf 'execs_done        : 900\nexecs_per_sec     : 45.00\ncorpus_count      : 10\nsaved_crashes     : 1\ncorpus_imported   : 3\n' >"$s/a1/fuzzer_stats"
bash $F ops_target --hours 0 --sync "$s" >"$T_TMP/tri.log" 2>&1
expect_eq "triage of a crash that does not reproduce exits 0" "$?" 0
out=$(sed -n 's/.*(listed in \(.*\)\/no-repro.txt).*/\1/p' "$T_TMP/tri.log")
expect_eq "the crash that does not reproduce is counted and listed as such" \
    "$(grep -o 'crashes 1: unique 0 .*, not reproducing 1' "$T_TMP/tri.log" | sed 's/unique 0 .*, not/unique 0, not/'; grep -c 'id:000000,sig:06.*: does not reproduce' "$out/no-repro.txt")" \
    "crashes 1: unique 0, not reproducing 1
1"
expect_eq "the summary shows each instance's imports, by source" \
    "$(awk '$1 == "a0" || $1 == "a1" { print $1, $2, $7, $8, $9, $10, $11 }' "$T_TMP/tri.log" | sed 's/ *$//')" \
    "a0 M 1 a1 1
a1 S 3 a0 2, b0 1"
[ -n "$out" ] && rm -rf "$out"
