#!/usr/bin/env bash
# test_heap_limits.sh — runs near a heap limit succeed where the live data
# fits. Regression: marksweep collected only when an object allocation
# would pass the limit, so list growth between allocations hit the limit
# first (churn at 2x and 4x its minimum heap failed in `make bench`).
source "$(dirname "$0")/lib.sh"

for limit in 1548288 2064384 3096576 4128768; do
    expect_exit "marksweep_churn_fits_in_${limit}_bytes" 0 \
        $GCLAB run -e marksweep -w churn -p n=1000000 -p keep_every=100 --heap-limit $limit
done
# Live data beyond the limit is still a clean MemoryError.
expect_exit marksweep_churn_beyond_limit_is_memory_error 1 \
    $GCLAB_DEBUG run -e marksweep -w churn -p n=300000 -p keep_every=1 --heap-limit 1048576
grep -q "MemoryError: heap limit reached" "$T_TMP/err" && pass beyond_limit_message || fail beyond_limit_message "$(cat "$T_TMP/err")"
