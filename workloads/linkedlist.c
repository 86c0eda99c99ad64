/* linkedlist.c — the seeds' Node linked list, built, walked and dropped:
 *
 *     class Node:                     # no __init__: attributes set below
 *         pass
 *     for r in range(rounds):
 *         head = Node(); head.value = 1; head.next = None
 *         cur = head
 *         for i in range(2, length + 1):
 *             n = Node(); n.value = i; n.next = None
 *             cur.next = n; cur = n
 *         total += sum of value along head.next...   # the walk
 *         del head, cur, n
 *
 * `result` = rounds * length * (length + 1) / 2, the sum of every walk; a
 * walk that does not see exactly `length` nodes fails the run.
 * Objects allocated: class Node, then per round `length` nodes and the ints
 * above 256 (small ints are shared): length + max(0, length - 256).
 *
 * Stresses: a long singly linked chain, the worst case for a recursive
 * freer or marker (rc frees it with its worklist, a tracer needs an explicit
 * mark stack), and old-to-young stores (cur.next = n). No cycles: rc frees
 * all of it as soon as head is dropped (0 leaked).
 * Collections at default parameters (100,000 nodes x 20 rounds):
 *   nogc, rc   none.
 *   rcgen      nothing dies until a round ends, so gen 0 every 700 nodes:
 *              about 2,900 gen-0 collections; each round's list is promoted
 *              to gen 2 and dies there by refcount.
 *   marksweep  the live list is at most one round: the heap doubles a few
 *              times per round, on the order of 50 collections.
 */
#include "workload.h"

static gclab_status linkedlist_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t length = wl_param_int(ctx, "length"), rounds = wl_param_int(ctx, "rounds"), total = 0;
    gclab_name value = gclab_intern(h, "value"), next = gclab_intern(h, "next");
    if (length < 1)
        return gclab_raise(h, GCLAB_EVALUE, "length must be at least 1");
    if (!value || !next)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    WL_TRY(gclab_frame_push(h, 5));   /* 0 Node, 1 head, 2 cur, 3 n, 4 value or None */
    WL_TRY(gclab_class_new(h, 0, "Node", -1, -1));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        WL_TRY(gclab_instance_new(h, 1, 0));
        WL_TRY(gclab_int_new(h, 4, 1));
        WL_TRY(gclab_attr_set(h, 1, value, 4));
        WL_TRY(gclab_none(h, 4));
        WL_TRY(gclab_attr_set(h, 1, next, 4));
        WL_TRY(gclab_move(h, 2, 1));
        for (int64_t i = 2; i <= length; i++) {
            WL_TRY(gclab_instance_new(h, 3, 0));
            WL_TRY(gclab_int_new(h, 4, i));
            WL_TRY(gclab_attr_set(h, 3, value, 4));
            WL_TRY(gclab_none(h, 4));
            WL_TRY(gclab_attr_set(h, 3, next, 4));
            WL_TRY(gclab_attr_set(h, 2, next, 3));
            WL_TRY(gclab_move(h, 2, 3));
        }
        int64_t seen = 0, v;
        WL_TRY(gclab_move(h, 2, 1));
        while (gclab_kind_of(h, 2) != GCLAB_K_NONE) {
            WL_TRY(gclab_attr_get(h, 4, 2, value));
            WL_TRY(gclab_int_value(h, 4, &v));
            if (v != ++seen)
                return gclab_raise(h, GCLAB_EASSERT, "node %lld holds %lld", (long long)seen, (long long)v);
            total += v;
            WL_TRY(gclab_attr_get(h, 2, 2, next));
        }
        if (seen != length)
            return gclab_raise(h, GCLAB_EASSERT, "walked %lld nodes, built %lld", (long long)seen,
                               (long long)length);
        for (int s = 1; s <= 4; s++)
            WL_TRY(gclab_none(h, s));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec linkedlist_params[] = {
    GCLAB_PINT("length", "100000", 1, 1e9, "nodes per list"),
    GCLAB_PINT("rounds", "20", 0, 1e12, "lists built, walked and dropped"),
    GCLAB_PEND,
};

const struct workload wl_linkedlist = {
    .name = "linkedlist",
    .summary = "the seeds' Node linked list: build, walk and drop, rounds times",
    .params = linkedlist_params,
    .run = linkedlist_run,
};
