/* churn.c — generational churn with a kept fraction. It is this Python
 * program, operation for operation:
 *
 *     keep = []
 *     gc.collect()          # setup ends here
 *     for i in range(n):
 *         x = []            # the new list exists before the old x is released
 *         if i % keep_every == 0:
 *             keep.append(x)
 *
 * Stresses: allocation of empty containers of which one in keep_every
 * survives. Under CPython (and rcgen) a dropped list goes to the list free
 * list and is reused at once, so only kept lists move the collector's
 * count: this workload is the reference for rcgen's collection counts.
 * `result` is len(keep) = ceil(n / keep_every).
 */
#include "workload.h"

static gclab_status churn_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "n"), k = wl_param_int(ctx, "keep_every"), found, len;
    if (k < 1)
        return gclab_raise(h, GCLAB_EVALUE, "keep_every must be at least 1");
    WL_TRY(gclab_frame_push(h, 2));   /* 0: keep, 1: x */
    WL_TRY(gclab_list_new(h, 0));
    WL_TRY(gclab_gc_collect(h, 2, &found));
    wl_measure_begin(h, ctx);
    for (int64_t i = 0; i < n; i++) {
        WL_TRY(gclab_list_new(h, 1));
        if (i % k == 0)
            WL_TRY(gclab_list_append(h, 0, 1));
    }
    wl_measure_end(h, ctx);
    WL_TRY(gclab_len(h, 0, &len));
    ctx->result = len;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec churn_params[] = {
    GCLAB_PINT("n", "2000000", 0, 1e12, "loop iterations (lists allocated)"),
    GCLAB_PINT("keep_every", "100", 1, 1e12, "keep one list in keep_every"),
    GCLAB_PEND,
};

const struct workload wl_churn = {
    .name = "churn",
    .summary = "allocate n empty lists, keeping one in keep_every (CPython gc churn)",
    .params = churn_params,
    .run = churn_run,
};
