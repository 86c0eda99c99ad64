/* rings.c — pyperformance's gc_collect: rings of nodes, created and dropped
 * repeatedly, each batch followed by a full collection.
 *
 *     class Node: pass                  # attributes next, prev
 *     for r in range(rounds):
 *         rings = []
 *         for i in range(n):
 *             first = Node(); cur = first
 *             for k in range(size - 1):
 *                 x = Node(); cur.next = x; x.prev = cur; cur = x
 *             cur.next = first; first.prev = cur      # close the ring
 *             rings.append(first)
 *         for first in rings: walk next until first again   # must be `size` steps
 *         del rings, first, cur, x
 *         gc.collect()
 *
 * `result` = rounds * n * size, the steps of all the walks.
 * Objects allocated: class Node, then per round one list and n * size nodes.
 * What each engine should do:
 *   nogc       keeps all of it; leaked = 1 + rounds * (1 + n * size).
 *   rc         frees each round's list, never a ring: every node leaks, and
 *              class Node with them: leaked = rounds * n * size + 1 (exact).
 *   rcgen      the rounds' 2,100 nodes trigger gen 0 three times per round
 *              (every 700 containers), and the explicit gc.collect() frees
 *              the rest: about 3 gen-0 and 1 gen-2 collection per round,
 *              6,000 + 2,000 at defaults; leaked 0.
 *   marksweep  one collection per round (the explicit one); the heap never
 *              doubles between them once warmed up: about 2,000; leaked 0.
 * Stresses: cyclic garbage only, the collector's cost per dead cycle.
 */
#include "workload.h"

static gclab_status rings_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "n"), size = wl_param_int(ctx, "size"), rounds = wl_param_int(ctx, "rounds");
    int64_t total = 0, found;
    gclab_name next = gclab_intern(h, "next"), prev = gclab_intern(h, "prev");
    if (size < 1)
        return gclab_raise(h, GCLAB_EVALUE, "size must be at least 1");
    if (!next || !prev)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    WL_TRY(gclab_frame_push(h, 5));   /* 0 Node, 1 rings, 2 first, 3 cur, 4 x */
    WL_TRY(gclab_class_new(h, 0, "Node", -1, -1));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        WL_TRY(gclab_list_new(h, 1));
        for (int64_t i = 0; i < n; i++) {
            WL_TRY(gclab_instance_new(h, 2, 0));
            WL_TRY(gclab_move(h, 3, 2));
            for (int64_t k = 1; k < size; k++) {
                WL_TRY(gclab_instance_new(h, 4, 0));
                WL_TRY(gclab_attr_set(h, 3, next, 4));
                WL_TRY(gclab_attr_set(h, 4, prev, 3));
                WL_TRY(gclab_move(h, 3, 4));
            }
            WL_TRY(gclab_attr_set(h, 3, next, 2));
            WL_TRY(gclab_attr_set(h, 2, prev, 3));
            WL_TRY(gclab_list_append(h, 1, 2));
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t steps = 0;
            bool back = false;
            WL_TRY(gclab_list_get(h, 2, 1, i));
            WL_TRY(gclab_move(h, 3, 2));
            while (!back && steps <= size) {
                WL_TRY(gclab_attr_get(h, 3, 3, next));
                steps++;
                WL_TRY(gclab_is(h, 3, 2, &back));
            }
            if (steps != size)
                return gclab_raise(h, GCLAB_EASSERT, "ring %lld: %lld steps around, not %lld",
                                   (long long)i, (long long)steps, (long long)size);
            total += steps;
        }
        for (int s = 1; s <= 4; s++)
            WL_TRY(gclab_none(h, s));
        WL_TRY(gclab_gc_collect(h, 2, &found));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec rings_params[] = {
    GCLAB_PINT("n", "100", 0, 1e9, "rings per round"),
    GCLAB_PINT("size", "21", 1, 1e9, "nodes per ring"),
    GCLAB_PINT("rounds", "2000", 0, 1e12, "rounds of create, walk, drop, gc.collect()"),
    GCLAB_PEND,
};

const struct workload wl_rings = {
    .name = "rings",
    .summary = "pyperformance gc_collect: n rings of size nodes, created, dropped and collected",
    .params = rings_params,
    .run = rings_run,
};
