/* fastcycles.c — CPython 3.14's own test of its incremental collector,
 * Lib/test/_test_gc_fast_cycles.py (test_incremental_gc_handles_fast_cycle_
 * creation, run there at gc thresholds 200, 10), as a workload:
 *
 *     class LinkedList:                     # __slots__ next, prev, surprise
 *         def __init__(self, next, prev):
 *             self.next = next
 *             if next is not None: next.prev = self
 *             self.prev = prev
 *             if prev is not None: prev.next = self
 *     def make_ll(depth):
 *         head = LinkedList(None, None)
 *         for i in range(depth): head = LinkedList(head, head.prev)
 *         return head
 *     head = make_ll(long_depth)            # long-lived (setup)
 *     olds = []
 *     for i in range(iterations):
 *         newhead = make_ll(depth)
 *         newhead.surprise = head           # young garbage pointing at old data
 *         olds.append(newhead)
 *         if len(olds) == batch:
 *             every list in olds: walk next to the end (depth + 1 nodes),
 *             and its surprise is head
 *             del olds[:]
 *
 * `result` = (iterations - iterations % batch) * (depth + 1): the nodes of
 * every walk. Every list is a chain of 2-cycles (next/prev), so all of it
 * is cyclic garbage once olds is emptied.
 * Objects: class LinkedList, the long list (long_depth + 1 nodes, alive to
 * the end), the olds list, and (depth + 1) nodes per iteration.
 *   nogc       keeps everything.
 *   rc         leaks every node, the long list too once head goes, and the
 *              class: leaked = (long_depth + 1) + iterations * (depth + 1) + 1.
 *   rcgen      gen 0 every 700 nodes; the batch alive at that moment (up to
 *              20 lists) is promoted and dies in gen 1.
 *   rcinc      CPython's test asserts that the tracked heap never grows past
 *              27,000 objects above its start (tests/scripts/cpython314/).
 */
#include "workload.h"

struct fc_names { gclab_name next, prev, surprise; };

/* LinkedList(next=slot a, prev=slot b) into slot dst; scratch slot tmp. */
static gclab_status fc_node(gclab_heap *h, const struct fc_names *nm, int dst, int next, int prev,
                            int cls)
{
    bool none = false;
    WL_TRY(gclab_instance_new(h, dst, cls));
    WL_TRY(gclab_attr_set(h, dst, nm->next, next));
    WL_TRY(gclab_is(h, next, 0, &none));   /* slot 0 holds None */
    if (!none)
        WL_TRY(gclab_attr_set(h, next, nm->prev, dst));
    WL_TRY(gclab_attr_set(h, dst, nm->prev, prev));
    WL_TRY(gclab_is(h, prev, 0, &none));
    if (!none)
        WL_TRY(gclab_attr_set(h, prev, nm->next, dst));
    return GCLAB_OK;
}

/* make_ll(depth) into slot dst (scratch: dst + 1, dst + 2). */
static gclab_status fc_make_ll(gclab_heap *h, const struct fc_names *nm, int dst, int64_t depth,
                               int cls)
{
    WL_TRY(fc_node(h, nm, dst, 0, 0, cls));
    for (int64_t i = 0; i < depth; i++) {
        WL_TRY(gclab_attr_get(h, dst + 1, dst, nm->prev));
        WL_TRY(fc_node(h, nm, dst + 2, dst, dst + 1, cls));
        WL_TRY(gclab_move(h, dst, dst + 2));
    }
    WL_TRY(gclab_none(h, dst + 1));
    return gclab_none(h, dst + 2);
}

static gclab_status fastcycles_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t iterations = wl_param_int(ctx, "iterations"), depth = wl_param_int(ctx, "depth");
    int64_t long_depth = wl_param_int(ctx, "long_depth"), batch = wl_param_int(ctx, "batch");
    int64_t total = 0;
    struct fc_names nm = { gclab_intern(h, "next"), gclab_intern(h, "prev"), gclab_intern(h, "surprise") };
    if (batch < 1)
        return gclab_raise(h, GCLAB_EVALUE, "batch must be at least 1");
    if (!nm.next || !nm.prev || !nm.surprise)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    /* 0 None, 1 LinkedList, 2 head (+3, +4 scratch), 5 olds, 6 newhead (+7, +8), 9..10 walk */
    WL_TRY(gclab_frame_push(h, 11));
    WL_TRY(gclab_none(h, 0));
    WL_TRY(gclab_class_new(h, 1, "LinkedList", -1, -1));
    WL_TRY(fc_make_ll(h, &nm, 2, long_depth, 1));
    WL_TRY(gclab_list_new(h, 5));
    wl_measure_begin(h, ctx);
    for (int64_t i = 0; i < iterations; i++) {
        int64_t n = 0;
        WL_TRY(fc_make_ll(h, &nm, 6, depth, 1));
        WL_TRY(gclab_attr_set(h, 6, nm.surprise, 2));
        WL_TRY(gclab_list_append(h, 5, 6));
        WL_TRY(gclab_none(h, 6));
        WL_TRY(gclab_len(h, 5, &n));
        if (n != batch)
            continue;
        for (int64_t k = 0; k < batch; k++) {
            bool same = false, end = false;
            int64_t nodes = 0;
            WL_TRY(gclab_list_get(h, 9, 5, k));
            WL_TRY(gclab_attr_get(h, 10, 9, nm.surprise));
            WL_TRY(gclab_is(h, 10, 2, &same));
            while (!end && nodes <= depth + 1) {
                WL_TRY(gclab_attr_get(h, 9, 9, nm.next));
                nodes++;
                WL_TRY(gclab_is(h, 9, 0, &end));
            }
            if (!same || nodes != depth + 1)
                return gclab_raise(h, GCLAB_EASSERT, "iteration %lld: list %lld has %lld nodes%s",
                                   (long long)i, (long long)k, (long long)nodes,
                                   same ? "" : " and lost its surprise");
            total += nodes;
        }
        WL_TRY(gclab_none(h, 9));
        WL_TRY(gclab_none(h, 10));
        for (int64_t k = 0; k < batch; k++)   /* del olds[:] */
            WL_TRY(gclab_list_pop(h, -1, 5, -1));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec fastcycles_params[] = {
    GCLAB_PINT("iterations", "20000", 0, 1e12, "short lists made (the test's 20_000)"),
    GCLAB_PINT("depth", "20", 0, 1e6, "make_ll depth of each short list (depth + 1 nodes)"),
    GCLAB_PINT("long_depth", "1000", 0, 1e7, "make_ll depth of the long-lived list"),
    GCLAB_PINT("batch", "20", 1, 1e6, "short lists kept before they are all dropped"),
    GCLAB_PEND,
};

const struct workload wl_fastcycles = {
    .name = "fastcycles",
    .summary = "CPython 3.14's _test_gc_fast_cycles.py: linked lists with a surprise edge to a long-lived one",
    .params = fastcycles_params,
    .run = fastcycles_run,
};
