#!/usr/bin/env bash
# test_cli_outputs.sh — --out, --pauses and --trace only ever replace a
# regular file (bench/outfile.c): devices, FIFOs, directories and dangling
# links are refused with exit 2 before anything runs; a symlink is followed
# and its target replaced, the link kept. ASan build, leaks detected.
source "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
D=$GCLAB_DEBUG

expect_usage() {
    local name=$1 msg=$2; shift 2
    timeout 60 "$@" >"$T_TMP/out" 2>"$T_TMP/err"
    local rc=$?
    if [ "$rc" -ne 2 ]; then fail "$name" "exit $rc, want 2; stderr: $(head -c 400 "$T_TMP/err")"
    elif [ "$(cat "$T_TMP/err")" != "$msg" ]; then fail "$name" "stderr '$(head -c 400 "$T_TMP/err")', want '$msg'"
    else pass "$name"; fi
}
W=$T_TMP/w; mkdir "$W"
# A workload that would run for hours: a refusal that comes back at once did not run it.
LONG="-e rc -w churn -p n=1000000000000"

expect_usage out_dev_null_refused \
    "gclab run: --out: /dev/null is a character device: refusing to replace it (results go to regular files)" \
    $D run $LONG --out /dev/null
[ -c /dev/null ] && pass dev_null_still_a_device || fail dev_null_still_a_device "$(ls -l /dev/null)"
mkfifo "$W/fifo"
expect_usage pauses_fifo_refused \
    "gclab run: --pauses: $W/fifo is a FIFO: refusing to replace it (results go to regular files)" \
    $D run $LONG --pauses "$W/fifo"
[ -p "$W/fifo" ] && pass fifo_still_a_fifo || fail fifo_still_a_fifo "$(ls -l "$W")"
mkdir "$W/dir"
expect_usage trace_directory_refused \
    "gclab run: --trace: $W/dir is a directory: refusing to replace it (results go to regular files)" \
    $D run $LONG --trace "$W/dir"
ln -s "$W/nothing" "$W/dangling"
expect_usage dangling_link_refused \
    "gclab run: --out: $W/dangling is a symlink to nothing usable (No such file or directory): refusing to replace the link" \
    $D run $LONG --out "$W/dangling"
[ -L "$W/dangling" ] && [ ! -e "$W/nothing" ] && pass dangling_link_untouched || fail dangling_link_untouched "$(ls -l "$W")"
ln -s /dev/null "$W/to_null"
expect_usage link_to_device_refused \
    "gclab run: --out: $W/to_null is a symlink to /dev/null, which is a character device: refusing to write it" \
    $D run $LONG --out "$W/to_null"
expect_usage missing_directory_fails_before_running \
    "gclab run: --out: cannot write /nonexistent/x.json: directory /nonexistent: No such file or directory" \
    $D run $LONG --out /nonexistent/x.json
expect_usage empty_out_name "gclab run: --out: empty file name" $D run $LONG --out ""
expect_usage same_file_twice "gclab run: --out and --trace name the same file '$W/r'" \
    $D run $LONG --out "$W/r" --trace "$W/r"

# A symlink to a regular file: the target gets the record, the link stays a link.
echo old >"$W/target.json"; chmod 640 "$W/target.json"
ln -s "$W/target.json" "$W/link.json"
expect_exit out_through_symlink 0 $D run -e rc -w churn -p n=100 --out "$W/link.json" --pauses "$W/p.txt" --trace "$W/t.txt"
[ -L "$W/link.json" ] && pass symlink_kept || fail symlink_kept "$(ls -l "$W")"
expect_eq symlink_target_has_record "$(json_get "$W/target.json" 'r["workload"]')" churn
expect_eq replaced_file_keeps_mode "$(stat -c %a "$W/target.json")" 640
head -1 "$W/p.txt" | grep -q '^# gclab pauses' && pass pauses_written || fail pauses_written "$(head -2 "$W/p.txt")"
head -1 "$W/t.txt" | grep -q '^# gclab trace' && pass trace_written || fail trace_written "$(head -2 "$W/t.txt")"
expect_eq no_temp_files_left "$(ls "$W" | grep -c '\.tmp\.')" 0
