/* lifetimes.c — objects whose lifetimes follow a configurable distribution,
 * to test the generational hypothesis.
 *
 *     old = []; ring = [None] * window
 *     for i in range(n):
 *         r = wl_rand(seed); c = r % 100
 *         x = (i + 1000,)                       # a tuple and an int
 *         if c < young_percent: pass            # dies at once
 *         elif c < young_percent + old_percent: old.append(x)     # lives to the end
 *         else:                                 # medium: a random ring slot
 *             j = (r >> 32) % window
 *             if ring[j] is not None: total += ring[j][0]   # verified against the model
 *             ring[j] = x
 *     total += sum of x[0] over old and the ring
 *
 * A medium object's lifetime is geometric with a mean of `window` medium
 * allocations. Every object that is not young is read back exactly once, so
 * `result` = the sum of (i + 1000) over the i that are not young; the seed
 * decides which.
 * Objects allocated: old and ring, then 2 per iteration. Acyclic: leaked
 * is 0 on rc.
 *
 * Stresses: the young-death fraction is the generational hypothesis itself:
 * with young_percent high, a young-generation collection finds almost
 * everything dead; lowering it (or raising old_percent) moves the work to
 * older generations. Collections at defaults (n = 2,000,000, 90% young, 2%
 * old, window 10,000):
 *   nogc, rc   none (rc frees the young at once, the medium on replacement).
 *   rcgen      only survivors count: the 10% that live push gen 0 past 700
 *              every ~7,000 iterations, about 290 gen-0 collections.
 *   marksweep  live grows to ~40,000 old + 10,000 ring tuples while
 *              everything else is garbage: some dozens of collections.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"

static gclab_status lifetimes_steps(gclab_heap *h, struct wl_ctx *ctx, int64_t n, int64_t young,
                                    int64_t old_pct, int64_t window, int64_t *ring_tags)
{
    uint64_t rng = ctx->seed;
    int64_t total = 0, v, len;
    const int item = 2;
    WL_TRY(gclab_frame_push(h, 4));   /* 0 old, 1 ring, 2 i + 1000, 3 x */
    WL_TRY(gclab_list_new(h, 0));
    WL_TRY(gclab_list_new(h, 1));
    WL_TRY(gclab_none(h, 3));
    for (int64_t j = 0; j < window; j++)
        WL_TRY(gclab_list_append(h, 1, 3));
    wl_measure_begin(h, ctx);
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = wl_rand(&rng);
        int64_t c = (int64_t)(r % 100);
        WL_TRY(gclab_int_new(h, 2, i + 1000));
        WL_TRY(gclab_tuple_new(h, 3, 1, &item));
        if (c < young)
            continue;
        if (c < young + old_pct) {
            WL_TRY(gclab_list_append(h, 0, 3));
            continue;
        }
        int64_t j = (int64_t)((r >> 32) % (uint64_t)window);
        if (ring_tags[j]) {
            WL_TRY(gclab_list_get(h, 2, 1, j));
            WL_TRY(gclab_tuple_get(h, 2, 2, 0));
            WL_TRY(gclab_int_value(h, 2, &v));
            if (v != ring_tags[j])
                return gclab_raise(h, GCLAB_EASSERT, "ring[%lld] holds %lld, not %lld", (long long)j,
                                   (long long)v, (long long)ring_tags[j]);
            total += v;
        }
        WL_TRY(gclab_list_set(h, 1, j, 3));
        ring_tags[j] = i + 1000;
    }
    WL_TRY(gclab_none(h, 3));
    wl_measure_end(h, ctx);
    WL_TRY(gclab_len(h, 0, &len));
    for (int64_t j = 0; j < len; j++) {
        WL_TRY(gclab_list_get(h, 3, 0, j));
        WL_TRY(gclab_tuple_get(h, 2, 3, 0));
        WL_TRY(gclab_int_value(h, 2, &v));
        total += v;
    }
    for (int64_t j = 0; j < window; j++) {
        if (!ring_tags[j])
            continue;
        WL_TRY(gclab_list_get(h, 3, 1, j));
        WL_TRY(gclab_tuple_get(h, 2, 3, 0));
        WL_TRY(gclab_int_value(h, 2, &v));
        if (v != ring_tags[j])
            return gclab_raise(h, GCLAB_EASSERT, "at the end, ring[%lld] holds %lld, not %lld",
                               (long long)j, (long long)v, (long long)ring_tags[j]);
        total += v;
    }
    ctx->result = total;
    return gclab_frame_pop(h);
}

static gclab_status lifetimes_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "n"), young = wl_param_int(ctx, "young_percent");
    int64_t old_pct = wl_param_int(ctx, "old_percent"), window = wl_param_int(ctx, "window");
    if (young + old_pct > 100 || window < 1 || window > 10000000)
        return gclab_raise(h, GCLAB_EVALUE, "need young_percent + old_percent <= 100 and 1 <= window <= 10000000");
    int64_t *ring_tags = calloc((size_t)window, sizeof *ring_tags);
    gclab_status st = ring_tags ? lifetimes_steps(h, ctx, n, young, old_pct, window, ring_tags)
                                : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    free(ring_tags);
    return st;
}

static const struct gclab_param_spec lifetimes_params[] = {
    GCLAB_PINT("n", "2000000", 0, 1e12, "objects allocated"),
    GCLAB_PINT("young_percent", "90", 0, 100, "young death fraction (%): dropped at once"),
    GCLAB_PINT("old_percent", "2", 0, 100, "old survivor fraction (%): kept to the end"),
    GCLAB_PINT("window", "10000", 1, 1e7, "the rest live in a ring of window slots (mean lifetime window)"),
    GCLAB_PEND,
};

static bool lifetimes_check(const struct wl_ctx *ctx, char *err, size_t errlen)
{
    int64_t young = wl_param_int(ctx, "young_percent"), old_pct = wl_param_int(ctx, "old_percent");
    if (young + old_pct <= 100)
        return true;
    snprintf(err, errlen, "lifetimes needs young_percent + old_percent <= 100 (got %lld + %lld)",
             (long long)young, (long long)old_pct);
    return false;
}

const struct workload wl_lifetimes = {
    .name = "lifetimes",
    .summary = "lifetimes from a distribution: young deaths, old survivors, the rest in between",
    .params = lifetimes_params,
    .run = lifetimes_run,
    .check = lifetimes_check,
};
