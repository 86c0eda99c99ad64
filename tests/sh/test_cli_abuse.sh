#!/usr/bin/env bash
# test_cli_abuse.sh — a seeded sample of scripts/abuse.sh's campaign (the
# full one: scripts/abuse.sh, minutes): every input is accepted or a clean
# error; no crash, sanitizer report, hang or unclear message.
source "$(dirname "$0")/lib.sh"
out=$(scripts/abuse.sh --quick --sample 40 --timeout 60 --log "$T_TMP/abuse.log" 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q " 0 unclear messages, 0 crashes, 0 sanitizer reports, 0 hangs; /dev/null and /dev/full intact"; then
    pass abuse_sample_all_clean
else
    fail abuse_sample_all_clean "$out $(head -c 1500 "$T_TMP/abuse.log")"
fi
