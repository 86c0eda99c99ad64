#!/usr/bin/env bash
# test_rcgen_cli.sh — `gclab run -e rcgen` knobs and record shape.
source "$(dirname "$0")/lib.sh"

expect_exit rcgen_fractional_threshold_exits_2 2 "$GCLAB" run -e rcgen -w churn -p n=10 -p threshold0=1.5
expect_eq rcgen_fractional_threshold_message "$(cat "$T_TMP/err")" \
    "gclab run: parameter threshold0=1.5: not an integer (threshold0 takes an integer in 0..2147483647)"

"$GCLAB" run -e rcgen -w churn -p n=100000 -p keep_every=1 --json >"$T_TMP/r.json"
expect_eq rcgen_record_has_three_generations "$(json_get "$T_TMP/r.json" 'len(r["collections"])')" 3
expect_eq rcgen_pause_log_counts_every_collection \
    "$(json_get "$T_TMP/r.json" 'r["pauses"]["count"] == sum(r["collections"])')" True
expect_eq rcgen_churn_leaks_nothing "$(json_get "$T_TMP/r.json" 'r["leaked"]')" 0

# threshold0=0 turns automatic collection off, as gc.set_threshold(0) does.
"$GCLAB" run -e rcgen -w churn -p n=100000 -p keep_every=1 -p threshold0=0 --json >"$T_TMP/r.json"
expect_eq rcgen_threshold0_zero_disables_collection "$(json_get "$T_TMP/r.json" 'r["collections"]')" "[0, 0, 0]"

# Dropped rings: rcgen reclaims every list, rc leaks exactly all of them.
"$GCLAB" run -e rcgen -w listrings -p n=1000 -p size=21 --json >"$T_TMP/r.json"
expect_eq rcgen_rings_leak_nothing "$(json_get "$T_TMP/r.json" 'r["leaked"]')" 0
"$GCLAB" run -e rc -w listrings -p n=1000 -p size=21 --json >"$T_TMP/r.json"
expect_eq rc_rings_leak_every_node "$(json_get "$T_TMP/r.json" 'r["leaked"]')" 21000
