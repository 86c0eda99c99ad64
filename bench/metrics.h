/* metrics.h — numbers computed from a run: pause percentiles (nearest
 * rank), minimum and bounded mutator utilization. */
#ifndef GCLAB_METRICS_H
#define GCLAB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "gclab.h"

struct pause_summary {
    size_t count;
    double total_s, max_s, p50_s, p90_s, p99_s, p999_s;
};

/* Nearest-rank percentile p (0 < p <= 100) of n sorted values; 0 when n == 0. */
double percentile_nearest_rank(const double *sorted, size_t n, double p);
/* Summarize n pauses (any order). */
void pause_summary(const struct gclab_pause *p, size_t n, struct pause_summary *out);
/* Minimum mutator utilization over windows of w_ns within [t0, t1], from n pauses sorted by start. */
double mmu(const struct gclab_pause *p, size_t n, uint64_t t0, uint64_t t1, uint64_t w_ns);
/* Bounded mutator utilization: the least MMU(w') over w' >= w_ns (same inputs as mmu). */
double bmu(const struct gclab_pause *p, size_t n, uint64_t t0, uint64_t t1, uint64_t w_ns);

#endif
