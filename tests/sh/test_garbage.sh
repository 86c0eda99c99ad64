#!/usr/bin/env bash
# test_garbage.sh — garbage over time (core/garbage.c) through `gclab run`:
# a traced run walks the heap at every sample, its trace gains the columns
# garbage_objects and garbage_bytes, and its record garbage_peak_bytes,
# garbage_mean_bytes and garbage_samples; an untraced run has none of them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run() {   # run ENGINE OUT TRACE...: requestcycles at a small size
    "$GCLAB" run -e "$1" -w requestcycles -p requests=1000 -p payload_kb=1 -p span=3 --json "${@:3}" >"$2" 2>"$T_TMP/err"
}

if run rc "$T_TMP/plain.json"; then
    expect_eq garbage_fields_absent_without_trace \
        "$(json_get "$T_TMP/plain.json" '[k for k in r if k.startswith("garbage")]')" "[]"
else
    fail garbage_fields_absent_without_trace "exit $?: $(head -c 300 "$T_TMP/err")"
fi

for e in rc rcgen rcinc; do
    if ! run "$e" "$T_TMP/$e.json" --trace "$T_TMP/$e.txt" --trace-every 50; then
        fail "garbage_traced_run_on_$e" "exit $?: $(head -c 300 "$T_TMP/err")"
        continue
    fi
    # Every data line has the 9 columns the header names.
    expect_eq "garbage_trace_columns_on_$e" \
        "$(awk '/^# t_s/ { print NF - 1 } !/^#/ && NF != 9 { bad++ } END { print bad + 0 }' "$T_TMP/$e.txt" | tr '\n' ' ')" "9 0 "
    # The record's peak is the largest garbage_bytes sampled in the window
    # (t_s from 0 to the end the header names), its mean at most that.
    end=$(sed -n 's/.*which ends at \([0-9.]*\) s.*/\1/p' "$T_TMP/$e.txt")
    peak=$(awk -v end="$end" '!/^#/ && $1 >= 0 && $1 <= end && $9 > m { m = $9 } END { print m + 0 }' "$T_TMP/$e.txt")
    expect_eq "garbage_peak_is_the_largest_sample_on_$e" "$(json_get "$T_TMP/$e.json" 'r["garbage_peak_bytes"]')" "$peak"
    expect_eq "garbage_mean_within_peak_on_$e" \
        "$(json_get "$T_TMP/$e.json" '0 < r["garbage_mean_bytes"] <= r["garbage_peak_bytes"] and r["garbage_samples"] > 0')" True
done

# rc never frees a request (each is a cycle): its garbage only grows, so the
# peak is its last sample's; a cycle collector's peak is far below it.
expect_eq garbage_rc_peak_is_the_last_sample \
    "$(awk -v end="$(sed -n 's/.*which ends at \([0-9.]*\) s.*/\1/p' "$T_TMP/rc.txt")" '!/^#/ && $1 >= 0 && $1 <= end { v = $9 } END { print v }' "$T_TMP/rc.txt")" \
    "$(json_get "$T_TMP/rc.json" 'r["garbage_peak_bytes"]')"
expect_eq garbage_rcgen_peak_below_rc \
    "$(/usr/bin/python3 -S -c 'import json,sys; a,b=[json.load(open(f)) for f in sys.argv[1:]]; print(b["garbage_peak_bytes"] * 4 < a["garbage_peak_bytes"])' "$T_TMP/rc.json" "$T_TMP/rcgen.json")" True
