/* test_metrics.c — pause percentiles, MMU and BMU against hand-computed
 * values, and MMU/BMU against a brute force over every integer window. */
#include <math.h>
#include <stdlib.h>

#include "metrics.h"
#include "t.h"
#include "workload.h"

/* Doubles computed by different formulas agree to this much. */
#define T_NEAR(t, a, b)                                                         \
    do {                                                                        \
        double t_a_ = (a), t_b_ = (b);                                          \
        if (!(fabs(t_a_ - t_b_) <= 1e-12)) {                                    \
            char t_msg_[256];                                                   \
            snprintf(t_msg_, sizeof t_msg_, "%s == %s: got %.17g, want %.17g",  \
                     #a, #b, t_a_, t_b_);                                       \
            t_fail((t), __FILE__, __LINE__, t_msg_);                            \
            return;                                                             \
        }                                                                       \
    } while (0)

#define P(s, d) { (s), (d), 0 }

/* Percentiles of 1..10 by nearest rank: rank ceil(p/100*n), never interpolated. */
static void test_percentiles_of_ten_values_are_nearest_ranks(struct t *t)
{
    double v[10];
    for (int i = 0; i < 10; i++)
        v[i] = i + 1;
    T_NEAR(t, percentile_nearest_rank(v, 10, 50), 5);
    T_NEAR(t, percentile_nearest_rank(v, 10, 90), 9);
    T_NEAR(t, percentile_nearest_rank(v, 10, 99), 10);
    T_NEAR(t, percentile_nearest_rank(v, 10, 99.9), 10);
    T_NEAR(t, percentile_nearest_rank(v, 10, 10), 1);
    T_NEAR(t, percentile_nearest_rank(v, 10, 0.1), 1);
    T_NEAR(t, percentile_nearest_rank(v, 10, 100), 10);
}

/* p99.9 of 1000 values is rank 999, although 99.9/100*1000 rounds to
 * 999.0000000000001 in doubles (the ceiling used to give rank 1000). */
static void test_p999_of_1000_values_is_rank_999_despite_rounding(struct t *t)
{
    double *v = malloc(10000 * sizeof *v);
    for (int i = 0; i < 10000; i++)
        v[i] = i + 1;
    double p999 = percentile_nearest_rank(v, 1000, 99.9);
    double p999_10k = percentile_nearest_rank(v, 10000, 99.9);
    double p999_2k = percentile_nearest_rank(v, 2000, 99.9);
    double p99 = percentile_nearest_rank(v, 1000, 99);
    free(v);
    T_NEAR(t, p999, 999);
    T_NEAR(t, p999_10k, 9990);
    T_NEAR(t, p999_2k, 1998);
    T_NEAR(t, p99, 990);
}

/* No values: every percentile is 0. */
static void test_percentile_of_nothing_is_zero(struct t *t)
{
    T_NEAR(t, percentile_nearest_rank(NULL, 0, 50), 0);
}

/* Three unsorted pauses of 3, 1 and 2 ns: total 6 ns, max 3 ns, p50 rank 2 = 2 ns. */
static void test_pause_summary_sorts_and_totals(struct t *t)
{
    struct gclab_pause p[] = { P(0, 3), P(10, 1), P(20, 2) };
    struct pause_summary s;
    pause_summary(p, 3, &s);
    T_EQ(t, s.count, 3);
    T_NEAR(t, s.total_s, 6e-9);
    T_NEAR(t, s.max_s, 3e-9);
    T_NEAR(t, s.p50_s, 2e-9);
    T_NEAR(t, s.p90_s, 3e-9);
    T_NEAR(t, s.p999_s, 3e-9);
}

/* Pauses [10,20) and [50,55) in a run [0,100): the worst window of each
 * length, by hand. */
static void test_mmu_of_two_pauses_matches_hand_values(struct t *t)
{
    struct gclab_pause p[] = { P(10, 10), P(50, 5) };
    T_NEAR(t, mmu(p, 2, 0, 100, 5), 0);            /* inside the first pause */
    T_NEAR(t, mmu(p, 2, 0, 100, 10), 0);           /* exactly the first pause */
    T_NEAR(t, mmu(p, 2, 0, 100, 15), 1 - 10.0 / 15);
    T_NEAR(t, mmu(p, 2, 0, 100, 20), 0.5);
    T_NEAR(t, mmu(p, 2, 0, 100, 50), 0.7);         /* [5,55) holds both: 15 */
    T_NEAR(t, mmu(p, 2, 0, 100, 100), 0.85);
    T_NEAR(t, mmu(p, 2, 0, 100, 1000), 0.85);      /* clamped to the run */
}

/* Pauses [10,20) and [30,40), window 25: the worst window [10,35) or
 * [15,40) cuts into both pauses and holds 15 of GC: MMU = 0.4. */
static void test_mmu_window_cutting_two_pauses_counts_both_parts(struct t *t)
{
    struct gclab_pause p[] = { P(10, 10), P(30, 10) };
    T_NEAR(t, mmu(p, 2, 0, 100, 25), 0.4);
    T_NEAR(t, mmu(p, 2, 0, 100, 30), 1.0 / 3);
}

/* No pauses, an empty run or a zero window: utilization 1. */
static void test_mmu_without_pauses_is_one(struct t *t)
{
    struct gclab_pause p[] = { P(10, 10) };
    T_NEAR(t, mmu(p, 0, 0, 100, 10), 1);
    T_NEAR(t, mmu(p, 1, 100, 100, 10), 1);
    T_NEAR(t, mmu(p, 1, 0, 100, 0), 1);
    T_NEAR(t, bmu(p, 0, 0, 100, 10), 1);
}

/* Pauses [10,20) and [22,32): MMU(12) = 2/12 (any 12-window holds 10 of GC),
 * but the 22-window [10,32) holds 20, so BMU(12) = 2/22 < MMU(12). */
static void test_bmu_finds_a_longer_worse_window_than_mmu(struct t *t)
{
    struct gclab_pause p[] = { P(10, 10), P(22, 10) };
    T_NEAR(t, mmu(p, 2, 0, 100, 12), 2.0 / 12);
    T_NEAR(t, mmu(p, 2, 0, 100, 22), 2.0 / 22);
    T_NEAR(t, bmu(p, 2, 0, 100, 12), 2.0 / 22);
    T_NEAR(t, bmu(p, 2, 0, 100, 5), 0);
    T_NEAR(t, bmu(p, 2, 0, 100, 50), 1 - 20.0 / 50);
    T_NEAR(t, bmu(p, 2, 0, 100, 100), 0.8);
    T_NEAR(t, bmu(p, 2, 0, 100, 1000), 0.8);
}

/* A lone early pause, then a burst late in the run: the worst long window
 * starts at the burst, not at the first pause. Pauses [0,1), [100,110),
 * [112,122): BMU(12) = 2/22, from [100,122). */
static void test_bmu_window_starts_at_a_late_burst(struct t *t)
{
    struct gclab_pause p[] = { P(0, 1), P(100, 10), P(112, 10) };
    T_NEAR(t, mmu(p, 3, 0, 200, 12), 2.0 / 12);
    T_NEAR(t, bmu(p, 3, 0, 200, 12), 2.0 / 22);
}

/* Pauses [10,20) and [30,40): BMU(25) = 1/3, from [10,40). */
static void test_bmu_of_two_pauses_matches_hand_values(struct t *t)
{
    struct gclab_pause p[] = { P(10, 10), P(30, 10) };
    T_NEAR(t, bmu(p, 2, 0, 100, 25), 1.0 / 3);
    T_NEAR(t, bmu(p, 2, 0, 100, 10), 0);
}

/* GC time inside [a, b) by summing every overlap. */
static uint64_t brute_gc(const struct gclab_pause *p, size_t n, uint64_t a, uint64_t b)
{
    uint64_t g = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = p[i].start_ns > a ? p[i].start_ns : a;
        uint64_t e = p[i].start_ns + p[i].dur_ns < b ? p[i].start_ns + p[i].dur_ns : b;
        if (e > s)
            g += e - s;
    }
    return g;
}

/* Random integer pause logs in [t0, t0+T): MMU equals the worst of every
 * integer window start, BMU the worst of every integer window of length
 * >= w. (With integer inputs the extremes sit at integer points.) */
static void test_mmu_and_bmu_agree_with_brute_force_on_random_logs(struct t *t)
{
    uint64_t seed = 42;
    enum { MAXT = 100 };
    for (int trial = 0; trial < 300; trial++) {
        struct gclab_pause p[12];
        size_t n = 0;
        uint64_t t0 = 1000, T = 40 + wl_rand(&seed) % 60, x = t0;
        while (n < 12) {
            x += wl_rand(&seed) % 4 == 0 ? wl_rand(&seed) % 30 : wl_rand(&seed) % 5;  /* bursts */
            uint64_t d = wl_rand(&seed) % 7;
            if (x + d > t0 + T)
                break;
            p[n++] = (struct gclab_pause){ x, d, 0 };
            x += d;
        }
        /* The most GC in a window of each length, and the least utilization. */
        uint64_t max_gc[MAXT + 1] = { 0 };
        double min_u[MAXT + 1];
        for (uint64_t len = 0; len <= T; len++)
            min_u[len] = 1.0;
        for (uint64_t a = t0; a < t0 + T; a++)
            for (uint64_t b = a + 1; b <= t0 + T; b++) {
                uint64_t g = brute_gc(p, n, a, b), len = b - a;
                double u = 1.0 - (double)g / (double)len;
                max_gc[len] = g > max_gc[len] ? g : max_gc[len];
                min_u[len] = u < min_u[len] ? u : min_u[len];
            }
        for (uint64_t w = 1; w <= T + 5; w++) {
            uint64_t ww = w > T ? T : w;
            double want_mmu = 1.0 - (double)max_gc[ww] / (double)ww, want_bmu = 1.0;
            for (uint64_t len = ww; len <= T; len++)
                want_bmu = min_u[len] < want_bmu ? min_u[len] : want_bmu;
            T_NEAR(t, mmu(p, n, t0, t0 + T, w), want_mmu);
            T_NEAR(t, bmu(p, n, t0, t0 + T, w), want_bmu);
        }
    }
}

int main(void)
{
    T_RUN(test_percentiles_of_ten_values_are_nearest_ranks);
    T_RUN(test_p999_of_1000_values_is_rank_999_despite_rounding);
    T_RUN(test_percentile_of_nothing_is_zero);
    T_RUN(test_pause_summary_sorts_and_totals);
    T_RUN(test_mmu_of_two_pauses_matches_hand_values);
    T_RUN(test_mmu_window_cutting_two_pauses_counts_both_parts);
    T_RUN(test_mmu_without_pauses_is_one);
    T_RUN(test_bmu_finds_a_longer_worse_window_than_mmu);
    T_RUN(test_bmu_of_two_pauses_matches_hand_values);
    T_RUN(test_bmu_window_starts_at_a_late_burst);
    T_RUN(test_mmu_and_bmu_agree_with_brute_force_on_random_logs);
    return t_done();
}
