/* fragment.c — allocator stress: small objects and large blobs of random
 * sizes with random lifetimes, in a table where each step replaces a random
 * entry.
 *
 *     table = [None] * entries
 *     for s in range(1, steps + 1):
 *         r = wl_rand(seed); j = r % entries; q = wl_rand(seed)
 *         if table[j] is not None: total += table[j].tag    # verified against the model
 *         if q % 100 < large_percent: n = large_min + (q >> 8) % (large_max - large_min + 1)
 *         else:                       n = 8 + (q >> 8) % (small_max - 7)
 *         table[j] = blob(n) with tag s in its first 8 bytes
 *     total += sum of the tags left in the table
 *
 * The lifetime of an entry is geometric with mean `entries` steps. The
 * model (the tags in C) checks every blob read back, so `result` = the sum of
 * every tag ever stored = steps * (steps + 1) / 2 whatever the seed; the
 * seed decides the sizes and the order.
 * Objects allocated: the table, then one blob per step. No references
 * between blobs: leaked is 0 on rc.
 *
 * Stresses: fragmentation. Compare the record's peak_heap_bytes (what the
 * engine holds from the OS) with peak_live_bytes (what is live): pools of
 * one size class and large blocks freed in random order. On nogc peak heap
 * is everything ever allocated (~150 MB at defaults).
 * Collections at defaults (100,000 steps, 1000 entries, 2% large up to
 * 128 KiB):
 *   nogc, rc   none.
 *   rcgen      blobs are not containers: no collections at all.
 *   marksweep  the live table is ~1.5 MB and the heap doubles every ~1000
 *              steps: about a hundred collections.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"

static gclab_status fragment_steps(gclab_heap *h, struct wl_ctx *ctx, int64_t entries, int64_t steps,
                                   int64_t large_pct, int64_t small_max, int64_t large_min,
                                   int64_t large_max, int64_t *tags)
{
    uint64_t rng = ctx->seed;
    int64_t total = 0, tag;
    WL_TRY(gclab_frame_push(h, 2));   /* 0 table, 1 blob */
    WL_TRY(gclab_list_new(h, 0));
    WL_TRY(gclab_none(h, 1));
    for (int64_t j = 0; j < entries; j++)
        WL_TRY(gclab_list_append(h, 0, 1));
    wl_measure_begin(h, ctx);
    for (int64_t s = 1; s <= steps; s++) {
        uint64_t r = wl_rand(&rng), q = wl_rand(&rng);
        int64_t j = (int64_t)(r % (uint64_t)entries);
        if (tags[j]) {
            WL_TRY(gclab_list_get(h, 1, 0, j));
            WL_TRY(gclab_blob_read(h, 1, 0, &tag, sizeof tag));
            if (tag != tags[j])
                return gclab_raise(h, GCLAB_EASSERT, "step %lld: entry %lld has tag %lld, not %lld",
                                   (long long)s, (long long)j, (long long)tag, (long long)tags[j]);
            total += tag;
        }
        uint64_t n = q % 100 < (uint64_t)large_pct
                         ? (uint64_t)large_min + (q >> 8) % (uint64_t)(large_max - large_min + 1)
                         : 8 + (q >> 8) % (uint64_t)(small_max - 7);
        WL_TRY(gclab_blob_new(h, 1, n));
        WL_TRY(gclab_blob_write(h, 1, 0, &s, sizeof s));
        WL_TRY(gclab_list_set(h, 0, j, 1));
        tags[j] = s;
    }
    WL_TRY(gclab_none(h, 1));
    wl_measure_end(h, ctx);
    for (int64_t j = 0; j < entries; j++) {
        if (!tags[j])
            continue;
        WL_TRY(gclab_list_get(h, 1, 0, j));
        WL_TRY(gclab_blob_read(h, 1, 0, &tag, sizeof tag));
        if (tag != tags[j])
            return gclab_raise(h, GCLAB_EASSERT, "at the end, entry %lld has tag %lld, not %lld",
                               (long long)j, (long long)tag, (long long)tags[j]);
        total += tag;
    }
    ctx->result = total;
    return gclab_frame_pop(h);
}

static gclab_status fragment_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t entries = wl_param_int(ctx, "entries"), steps = wl_param_int(ctx, "steps");
    int64_t large_pct = wl_param_int(ctx, "large_percent"), small_max = wl_param_int(ctx, "small_max");
    int64_t large_min = wl_param_int(ctx, "large_min"), large_max = wl_param_int(ctx, "large_max");
    if (entries < 1 || entries > 10000000 || large_pct > 100 || small_max < 8 || large_min < 8 ||
        large_max < large_min || large_max > (1 << 30))
        return gclab_raise(h, GCLAB_EVALUE, "need 1 <= entries <= 10000000, large_percent <= 100, "
                                            "small_max >= 8, 8 <= large_min <= large_max <= 2^30");
    int64_t *tags = calloc((size_t)entries, sizeof *tags);
    gclab_status st = tags ? fragment_steps(h, ctx, entries, steps, large_pct, small_max, large_min,
                                            large_max, tags)
                           : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    free(tags);
    return st;
}

static const struct gclab_param_spec fragment_params[] = {
    GCLAB_PINT("steps", "100000", 0, 1e12, "blobs allocated"),
    GCLAB_PINT("entries", "1000", 1, 1e7, "table entries (live objects)"),
    GCLAB_PINT("large_percent", "2", 0, 100, "chance (%) that a blob is large"),
    GCLAB_PINT("small_max", "256", 8, 1 << 30, "small blobs hold 8..small_max bytes"),
    GCLAB_PINT("large_min", "4096", 8, 1 << 30, "large blobs hold large_min..large_max bytes"),
    GCLAB_PINT("large_max", "131072", 8, 1 << 30, "(at least large_min)"),
    GCLAB_PEND,
};

static bool fragment_check(const struct wl_ctx *ctx, char *err, size_t errlen)
{
    int64_t large_min = wl_param_int(ctx, "large_min"), large_max = wl_param_int(ctx, "large_max");
    if (large_min <= large_max)
        return true;
    snprintf(err, errlen, "fragment needs large_min <= large_max (got large_min=%lld large_max=%lld)",
             (long long)large_min, (long long)large_max);
    return false;
}

const struct workload wl_fragment = {
    .name = "fragment",
    .summary = "small and large blobs of random sizes and lifetimes: peak heap vs peak live bytes",
    .params = fragment_params,
    .run = fragment_run,
    .check = fragment_check,
};
