/* metrics.c — pause percentiles and minimum mutator utilization.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile of n
 * sorted values is the value at rank ceil(p/100 * n) (1-based), so it is
 * always one of the observed pauses.
 *
 * MMU(w) is the least fraction of any window of length w inside the run in
 * which the mutator ran (Cheng & Blelloch). The GC time in a window is a
 * piecewise-linear function of the window's start, so its maximum is found
 * at a window that starts at a pause start or ends at a pause end: those
 * 2n candidates are checked exactly, each in O(log n) with prefix sums.
 * A window longer than the run is clamped to the run, so MMU(w) for such a
 * w is the run's overall mutator utilization.
 *
 * BMU(w) (bounded mutator utilization, Sachindran et al.) is min MMU(w')
 * over every w' >= w: the worst utilization of any window at least w long,
 * so the curve never rises as w falls. An optimal window either has length
 * exactly w (that is MMU(w)) or can not be improved by moving either end;
 * shrinking a window by a stretch of mutator time lowers its utilization,
 * and growing it by pause time does too, so its start is a pause start and
 * its end a pause end. With C(x) the mutator time before x, the utilization
 * of [a, b) is the slope from (a, C(a)) to (b, C(b)); for each pause end,
 * the least slope to a pause start at least w before it is the tangent to
 * the upper convex hull of those starts, found by binary search. O(n log n).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

double percentile_nearest_rank(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    /* p/100*n carries rounding error: 99.9/100*1000 is 999.0000000000001,
     * whose ceiling would be rank 1000. A value within 1e-9 of an integer
     * is that integer. */
    double x = p / 100.0 * (double)n, xi = nearbyint(x);
    if (fabs(x - xi) <= 1e-9 * fmax(1.0, x))
        x = xi;
    double r = ceil(x);
    size_t rank = r < 1 ? 1 : (size_t)r;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void pause_summary(const struct gclab_pause *p, size_t n, struct pause_summary *out)
{
    memset(out, 0, sizeof *out);
    out->count = n;
    if (n == 0)
        return;
    double *d = malloc(n * sizeof *d);
    if (!d)
        return;
    for (size_t i = 0; i < n; i++) {
        d[i] = (double)p[i].dur_ns / 1e9;
        out->total_s += d[i];
    }
    qsort(d, n, sizeof *d, cmp_double);
    out->max_s = d[n - 1];
    out->p50_s = percentile_nearest_rank(d, n, 50);
    out->p90_s = percentile_nearest_rank(d, n, 90);
    out->p99_s = percentile_nearest_rank(d, n, 99);
    out->p999_s = percentile_nearest_rank(d, n, 99.9);
    free(d);
}

/* GC time inside [a, b), with pauses sorted and non-overlapping; prefix[i] = sum of durations before i. */
static uint64_t gc_time_in(const struct gclab_pause *p, const uint64_t *prefix, size_t n,
                           uint64_t a, uint64_t b)
{
    /* first pause ending after a */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p[mid].start_ns + p[mid].dur_ns <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    /* first pause starting at or after b */
    lo = first, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p[mid].start_ns < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t last = lo;   /* pauses [first, last) overlap [a, b) */
    if (first >= last)
        return 0;
    uint64_t t = prefix[last] - prefix[first];
    /* trim the partial overlaps at both ends */
    if (p[first].start_ns < a)
        t -= a - p[first].start_ns;
    uint64_t end = p[last - 1].start_ns + p[last - 1].dur_ns;
    if (end > b)
        t -= end - b;
    return t;
}

double mmu(const struct gclab_pause *p, size_t n, uint64_t t0, uint64_t t1, uint64_t w)
{
    if (t1 <= t0 || w == 0)
        return 1.0;
    if (w >= t1 - t0)
        w = t1 - t0;
    uint64_t *prefix = malloc((n + 1) * sizeof *prefix);
    if (!prefix)
        return -1;
    prefix[0] = 0;
    for (size_t i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + p[i].dur_ns;
    uint64_t worst = gc_time_in(p, prefix, n, t0, t0 + w);
    for (size_t i = 0; i < n; i++) {
        uint64_t s = p[i].start_ns, e = p[i].start_ns + p[i].dur_ns;
        uint64_t cands[2] = { s, e >= t0 + w ? e - w : t0 };
        for (int k = 0; k < 2; k++) {
            uint64_t a = cands[k];
            if (a < t0)
                a = t0;
            if (a + w > t1)
                a = t1 - w;
            uint64_t g = gc_time_in(p, prefix, n, a, a + w);
            if (g > worst)
                worst = g;
        }
    }
    free(prefix);
    return 1.0 - (double)worst / (double)w;
}

/* A point (x, C(x)) of the cumulative mutator-time curve, relative to t0. */
struct mpoint { int64_t x, c; };

/* Whether b lies on or above the line from o through a (for an upper hull). */
static bool not_below(struct mpoint o, struct mpoint a, struct mpoint b)
{
    __int128 cross = (__int128)(a.x - o.x) * (b.c - o.c) - (__int128)(a.c - o.c) * (b.x - o.x);
    return cross >= 0;
}

/* Whether the slope from p to q is at most the slope from r to q (p, r left of q). */
static bool slope_le(struct mpoint p, struct mpoint r, struct mpoint q)
{
    return (__int128)(q.c - p.c) * (q.x - r.x) <= (__int128)(q.c - r.c) * (q.x - p.x);
}

double bmu(const struct gclab_pause *p, size_t n, uint64_t t0, uint64_t t1, uint64_t w)
{
    if (t1 <= t0 || w == 0)
        return 1.0;
    if (w >= t1 - t0)
        w = t1 - t0;
    double best = mmu(p, n, t0, t1, w);
    if (n == 0 || best < 0)
        return best;
    struct mpoint *hull = malloc(n * sizeof *hull);
    if (!hull)
        return -1;
    size_t m = 0, next = 0;
    uint64_t before = 0;   /* pause time before pause `next` */
    uint64_t done = 0;     /* pause time up to and including pause j */
    for (size_t j = 0; j < n; j++) {
        uint64_t e = p[j].start_ns + p[j].dur_ns;
        done += p[j].dur_ns;
        /* Admit every pause start at least w before this end, in order. */
        while (next < n && p[next].start_ns + w <= e) {
            struct mpoint a = { (int64_t)(p[next].start_ns - t0),
                                (int64_t)(p[next].start_ns - t0 - before) };
            while (m >= 2 && not_below(hull[m - 2], hull[m - 1], a))
                m--;
            hull[m++] = a;
            before += p[next].dur_ns;
            next++;
        }
        if (m == 0)
            continue;
        struct mpoint b = { (int64_t)(e - t0), (int64_t)(e - t0 - done) };
        /* The slope from hull[k] to b falls, then rises, along the hull. */
        size_t lo = 0, hi = m - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (slope_le(hull[mid + 1], hull[mid], b))
                lo = mid + 1;
            else
                hi = mid;
        }
        double u = (double)(b.c - hull[lo].c) / (double)(b.x - hull[lo].x);
        if (u < best)
            best = u;
    }
    free(hull);
    return best;
}
