/* recursion.c — deep chains of calls, each frame holding fresh objects.
 *
 *     def rec(rec):                        # a native function, passed itself
 *         level += 1
 *         mine = [level + 1000]            # a list and an int, held by the frame
 *         if level < depth: rec(rec)
 *         for i in range(churn): t = [mine]   # garbage made with the stack deep
 *         assert mine[0] == level + 1000
 *         total += level; level -= 1
 *     for r in range(rounds): rec(rec)
 *
 * `result` = rounds * depth * (depth + 1) / 2.
 * Objects allocated: the function rec, then per round depth * (2 + churn).
 * No cycles: rc frees everything (0 leaked).
 *
 * Stresses: the shadow stack as a root set — at the bottom of a chain there
 * are `depth` frames of live slots, and the churn makes collections happen
 * at every depth on the way back up. Frames are gclab calls, so the depth
 * is bounded by the heap's max_depth (10000 by default).
 * Collections at defaults (depth 1000, churn 4, 400 rounds):
 *   nogc, rc   none.
 *   rcgen      each round leaves 1000 lists live at the bottom and the
 *              churn lists die at once: about 1.4 gen-0 collections per
 *              round, some 560 in all.
 *   marksweep  the live heap is one chain (~150 KB): a collection whenever
 *              the churn doubles it, some thousands, each scanning the stack.
 */
#include "workload.h"

static struct rec_ctx {
    int64_t depth, churn, level, total, bad;
} rc_state;

/* rec(rec): one level of the chain (slot 0 holds the function itself). */
static gclab_status rec_fn(gclab_heap *h, void *vctx, int64_t code)
{
    struct rec_ctx *c = vctx;
    int64_t level = ++c->level, v;
    (void)code;
    WL_TRY(gclab_list_new(h, 1));
    WL_TRY(gclab_int_new(h, 2, level + 1000));
    WL_TRY(gclab_list_append(h, 1, 2));
    if (level < c->depth) {
        int self = 0;
        WL_TRY(gclab_call(h, -1, 0, 1, &self));
    }
    for (int64_t i = 0; i < c->churn; i++) {
        WL_TRY(gclab_list_new(h, 2));
        WL_TRY(gclab_list_append(h, 2, 1));
    }
    WL_TRY(gclab_list_get(h, 2, 1, 0));
    WL_TRY(gclab_int_value(h, 2, &v));
    if (v != level + 1000)
        c->bad++;
    c->total += level;
    c->level--;
    return GCLAB_OK;
}

static gclab_status recursion_run(gclab_heap *h, struct wl_ctx *ctx)
{
    struct rec_ctx *c = &rc_state;
    int64_t rounds = wl_param_int(ctx, "rounds");
    *c = (struct rec_ctx){ .depth = wl_param_int(ctx, "depth"), .churn = wl_param_int(ctx, "churn") };
    if (c->depth < 1 || c->depth > 9000)
        return gclab_raise(h, GCLAB_EVALUE, "depth must be in 1..9000 (the shadow stack holds 10000 frames)");
    WL_TRY(gclab_frame_push(h, 1));
    WL_TRY(gclab_func_new(h, 0, "rec", rec_fn, c, 0, 1, 3));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        int self = 0;
        WL_TRY(gclab_call(h, -1, 0, 1, &self));
    }
    wl_measure_end(h, ctx);
    if (c->bad)
        return gclab_raise(h, GCLAB_EASSERT, "%lld frames found their list changed", (long long)c->bad);
    ctx->result = c->total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec recursion_params[] = {
    GCLAB_PINT("depth", "1000", 1, 9000, "frames per chain"),
    GCLAB_PINT("churn", "4", 0, 1e6, "short-lived lists each frame makes on the way back up"),
    GCLAB_PINT("rounds", "400", 0, 1e12, "chains"),
    GCLAB_PEND,
};

const struct workload wl_recursion = {
    .name = "recursion",
    .summary = "deep chains of calls, each frame holding fresh objects while garbage is made",
    .params = recursion_params,
    .run = recursion_run,
};
