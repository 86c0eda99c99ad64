/* sustained.c — a steady-state heap of a configurable live size with a
 * constant allocation rate: the workload for pause distributions and MMU.
 *
 *     entries = live_mb * 4096                  # ~256 bytes per entry
 *     table = [(k + 1, blob(64)) for k in range(entries)]  # setup
 *     for s in range(steps):
 *         j = wl_rand(seed) % entries
 *         total += table[j][0]                  # verified against the model
 *         table[j] = (entries + s + 1, blob(64))
 *     total += sum of the tags left in the table
 *
 * Every step allocates the same three objects (a 2-tuple, an int, a 64-byte
 * blob: 80 + 64 + 128 = 272 bytes in the pools) and kills three, so the live
 * heap stays at live_mb (a little more, by that rounding) and the
 * allocation rate is constant. Every tag is read back exactly once:
 * `result` = the sum of 1 .. entries + steps, whatever the seed.
 * Objects allocated: the table, then 3 per entry and 3 per step. Acyclic:
 * leaked is 0 on rc.
 *
 * Stresses: pauses against a fixed live heap (tracing cost per collection
 * grows with live_mb; allocation between collections with heap_factor).
 * Collections at defaults (live_mb 64, 500,000 steps):
 *   nogc, rc   none.
 *   rcgen      each step's tuple is a container that replaces a dead one:
 *              the net count stays near 0 after setup, a few collections.
 *   marksweep  heap doubles every ~250,000 steps: about 2 collections, each
 *              marking ~68 MB (raise steps for a pause distribution).
 */
#include <stdlib.h>

#include "workload.h"

static gclab_status sustained_steps(gclab_heap *h, struct wl_ctx *ctx, int64_t entries, int64_t steps,
                                    int64_t *tags)
{
    uint64_t rng = ctx->seed;
    int64_t total = 0, v;
    const int pair[2] = { 1, 2 };
    WL_TRY(gclab_frame_push(h, 4));   /* 0 table, 1 tag, 2 blob, 3 entry */
    WL_TRY(gclab_list_new(h, 0));
    for (int64_t k = 0; k < entries; k++) {
        WL_TRY(gclab_int_new(h, 1, k + 1));
        WL_TRY(gclab_blob_new(h, 2, 64));
        WL_TRY(gclab_tuple_new(h, 3, 2, pair));
        WL_TRY(gclab_list_append(h, 0, 3));
        tags[k] = k + 1;
    }
    wl_measure_begin(h, ctx);
    for (int64_t s = 0; s < steps; s++) {
        int64_t j = (int64_t)(wl_rand(&rng) % (uint64_t)entries);
        WL_TRY(gclab_list_get(h, 3, 0, j));
        WL_TRY(gclab_tuple_get(h, 1, 3, 0));
        WL_TRY(gclab_int_value(h, 1, &v));
        if (v != tags[j])
            return gclab_raise(h, GCLAB_EASSERT, "step %lld: entry %lld has tag %lld, not %lld",
                               (long long)s, (long long)j, (long long)v, (long long)tags[j]);
        total += v;
        tags[j] = entries + s + 1;
        WL_TRY(gclab_int_new(h, 1, tags[j]));
        WL_TRY(gclab_blob_new(h, 2, 64));
        WL_TRY(gclab_tuple_new(h, 3, 2, pair));
        WL_TRY(gclab_list_set(h, 0, j, 3));
    }
    wl_measure_end(h, ctx);
    for (int64_t j = 0; j < entries; j++) {
        WL_TRY(gclab_list_get(h, 3, 0, j));
        WL_TRY(gclab_tuple_get(h, 1, 3, 0));
        WL_TRY(gclab_int_value(h, 1, &v));
        if (v != tags[j])
            return gclab_raise(h, GCLAB_EASSERT, "at the end, entry %lld has tag %lld, not %lld",
                               (long long)j, (long long)v, (long long)tags[j]);
        total += v;
    }
    ctx->result = total;
    return gclab_frame_pop(h);
}

static gclab_status sustained_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t live_mb = wl_param_int(ctx, "live_mb"), steps = wl_param_int(ctx, "steps");
    if (live_mb < 1 || live_mb > 65536)
        return gclab_raise(h, GCLAB_EVALUE, "live_mb must be in 1..65536");
    int64_t entries = live_mb * 4096;
    int64_t *tags = calloc((size_t)entries, sizeof *tags);
    gclab_status st = tags ? sustained_steps(h, ctx, entries, steps, tags)
                           : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    free(tags);
    return st;
}

static const struct gclab_param_spec sustained_params[] = {
    GCLAB_PINT("live_mb", "64", 1, 65536, "live heap in MiB (4096 entries of ~256 bytes per MiB)"),
    GCLAB_PINT("steps", "500000", 0, 1e12, "entries replaced (3 objects allocated, 3 freed, per step)"),
    GCLAB_PEND,
};

const struct workload wl_sustained = {
    .name = "sustained",
    .summary = "a steady-state heap of live_mb with a constant allocation rate (pauses, MMU)",
    .params = sustained_params,
    .run = sustained_run,
};
