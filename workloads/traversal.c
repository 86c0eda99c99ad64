/* traversal.c — pyperformance's gc_traversal: a large, acyclic, densely
 * connected structure that stays alive while full collections run.
 *
 *     all = []
 *     for i in range(lists):
 *         all.append([all[j] for j in range(i)])   # list i -> lists 0..i-1
 *     gc.collect()                                 # setup ends here
 *     for r in range(rounds):
 *         gc.collect()                             # must find nothing
 *         for i, l in enumerate(all):              # re-validate every edge
 *             assert len(l) == i and all(l[j] is all[j] for j in range(i))
 *
 * With 1000 lists that is 499,500 edges (plus `all`'s 1000). The issue's
 * definition (list i holds lists 0..i-1) is used rather than pyperformance's
 * (list i holds i references to list i-1); the edge count is the same.
 * `result` = rounds * lists * (lists - 1) / 2, the edges validated.
 * Objects allocated: lists + 1 lists, all in setup; none in the measured
 * part. No cycles: leaked is 0 on rc, lists + 1 (+ 3 roots) on nogc.
 *
 * Stresses: tracing cost with no garbage at all — a full collection must
 * visit 500,500 edges and free nothing. On nogc and rc the measured time is
 * the validation walk alone, the baseline to subtract.
 * Collections at default parameters (1000 lists, 120 rounds):
 *   nogc, rc   none (gc.collect() is a no-op).
 *   rcgen      120 explicit gen-2 collections (setup's 1001 lists already
 *              triggered its gen 0 once, before measuring).
 *   marksweep  120 explicit collections; the heap never grows.
 */
#include "workload.h"

static gclab_status traversal_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "lists"), rounds = wl_param_int(ctx, "rounds"), total = 0, found, len;
    if (n > 100000)
        return gclab_raise(h, GCLAB_EVALUE, "lists must be at most 100000");
    WL_TRY(gclab_frame_push(h, 4));   /* 0 all, 1 list i, 2 item, 3 all[j] */
    WL_TRY(gclab_list_new(h, 0));
    for (int64_t i = 0; i < n; i++) {
        WL_TRY(gclab_list_new(h, 1));
        for (int64_t j = 0; j < i; j++) {
            WL_TRY(gclab_list_get(h, 2, 0, j));
            WL_TRY(gclab_list_append(h, 1, 2));
        }
        WL_TRY(gclab_list_append(h, 0, 1));
    }
    WL_TRY(gclab_gc_collect(h, 2, &found));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        WL_TRY(gclab_gc_collect(h, 2, &found));
        for (int64_t i = 0; i < n; i++) {
            WL_TRY(gclab_list_get(h, 1, 0, i));
            WL_TRY(gclab_len(h, 1, &len));
            if (len != i)
                return gclab_raise(h, GCLAB_EASSERT, "list %lld has %lld items", (long long)i, (long long)len);
            for (int64_t j = 0; j < i; j++) {
                bool same;
                WL_TRY(gclab_list_get(h, 2, 1, j));
                WL_TRY(gclab_list_get(h, 3, 0, j));
                WL_TRY(gclab_is(h, 2, 3, &same));
                if (!same)
                    return gclab_raise(h, GCLAB_EASSERT, "list %lld item %lld is not list %lld",
                                       (long long)i, (long long)j, (long long)j);
            }
            total += i;
        }
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec traversal_params[] = {
    GCLAB_PINT("lists", "1000", 0, 100000, "lists; list i refers to lists 0..i-1"),
    GCLAB_PINT("rounds", "120", 0, 1e12, "full collections, each followed by a validation walk"),
    GCLAB_PEND,
};

const struct workload wl_traversal = {
    .name = "traversal",
    .summary = "pyperformance gc_traversal: full collections over 1000 live lists with 499,500 edges",
    .params = traversal_params,
    .run = traversal_run,
};
