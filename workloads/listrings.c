/* listrings.c — dropped reference cycles: rings of lists, never collected
 * explicitly, so the cycle collector's own trigger finds them. It is this Python
 * program, operation for operation:
 *
 *     gc.freeze()           # set aside what exists before (gc.freeze's use after
 *     gc.collect()          # a server's startup; only where the engine has a
 *                           # freeze, facts.freeze); setup ends here
 *     for i in range(n):
 *         head = []         # the previous ring is dropped here (it stays
 *         tail = head       # alive only through its own cycle)
 *         for j in range(size - 1):
 *             x = []
 *             tail.append(x)
 *             tail = x
 *         tail.append(head)
 *
 * Stresses: the cycle collector. Every list ends up in a ring that only a
 * cycle collection reclaims: `rc` leaks all n * size lists, `nogc` too;
 * rcgen (and CPython) find them in generation-0 collections, about one per
 * 700 lists allocated, fewer once collected lists refill the list free list
 * (80). `result` is n * size, the number of lists built.
 */
#include "workload.h"

static gclab_status listrings_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "n"), size = wl_param_int(ctx, "size"), found;
    if (size < 1)
        return gclab_raise(h, GCLAB_EVALUE, "size must be at least 1");
    WL_TRY(gclab_frame_push(h, 3));   /* 0: head, 1: tail, 2: x */
    if (gclab_heap_facts(h)->freeze)
        WL_TRY(gclab_gc_freeze(h));
    WL_TRY(gclab_gc_collect(h, 2, &found));
    wl_measure_begin(h, ctx);
    for (int64_t i = 0; i < n; i++) {
        WL_TRY(gclab_list_new(h, 0));
        WL_TRY(gclab_move(h, 1, 0));
        for (int64_t j = 0; j < size - 1; j++) {
            WL_TRY(gclab_list_new(h, 2));
            WL_TRY(gclab_list_append(h, 1, 2));
            WL_TRY(gclab_move(h, 1, 2));
        }
        WL_TRY(gclab_list_append(h, 1, 0));
    }
    wl_measure_end(h, ctx);
    ctx->result = n * size;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec listrings_params[] = {
    GCLAB_PINT("n", "100000", 0, 1e12, "rings built and dropped"),
    GCLAB_PINT("size", "21", 1, 1e9, "lists per ring"),
    GCLAB_PEND,
};

const struct workload wl_listrings = {
    .name = "listrings",
    .summary = "build and drop n rings of size lists (cycle collector stress)",
    .params = listrings_params,
    .run = listrings_run,
};
