/* binarytrees.c — the Computer Language Benchmarks Game's binary-trees.
 *
 * Exactly its program: a stretch tree of depth max+1 is built, checked and
 * dropped; a long-lived tree of depth max is built; then for each depth d
 * from 4 to max in steps of 2, 2^(max-d+4) trees of depth d are built,
 * checked and dropped one at a time; finally the long-lived tree is checked.
 * A node is a 2-tuple (left, right); a leaf is (None, None); check(node) is
 * the number of nodes. `result` is the sum of every check value the program
 * prints. max = max(6, depth).
 *
 * Stresses: allocation of short-lived, acyclic, small objects with a
 * medium-sized long-lived tree beside them. No cycles: `rc` frees all of
 * it. About 2^(max+1) * (max/2 + 2) tuples are allocated. rcgen collects
 * generation 0 far less often than once per 700 of them: the tuples a
 * dropped tree frees refill the 2-tuple free list (2000 entries, as
 * CPython's) that the next tree takes from, and a reuse advances no
 * allocation count. Measured (gclab run -e rcgen -w binarytrees): depth=10,
 * 135854 tuples, collections [7, 0, 0]; depth=14, 3222190 tuples,
 * [1220, 110, 10].
 */
#include "workload.h"

enum { MIN_DEPTH = 4 };

/* Build a tree of the given depth into slot dst of the caller's frame. */
static gclab_status make_tree(gclab_heap *h, int depth, int dst)
{
    static const int kids[2] = { 0, 1 };
    WL_TRY(gclab_frame_push(h, 3));
    if (depth == 0) {
        WL_TRY(gclab_none(h, 0));
        WL_TRY(gclab_none(h, 1));
    } else {
        WL_TRY(make_tree(h, depth - 1, 0));
        WL_TRY(make_tree(h, depth - 1, 1));
    }
    WL_TRY(gclab_tuple_new(h, 2, 2, kids));
    return gclab_frame_return(h, 2, dst);
}

/* Count the nodes of the tree in the caller's slot src. */
static gclab_status check_tree(gclab_heap *h, int src, int64_t *out)
{
    int64_t l = 0, r = 0;
    WL_TRY(gclab_frame_push_args(h, 2, 1, &src));
    WL_TRY(gclab_tuple_get(h, 1, 0, 0));
    if (gclab_kind_of(h, 1) == GCLAB_K_NONE) {
        *out = 1;
    } else {
        WL_TRY(check_tree(h, 1, &l));
        WL_TRY(gclab_tuple_get(h, 1, 0, 1));
        WL_TRY(check_tree(h, 1, &r));
        *out = 1 + l + r;
    }
    return gclab_frame_pop(h);
}

static gclab_status binarytrees_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "depth"), c, total = 0;
    if (n > 30)
        return gclab_raise(h, GCLAB_EVALUE, "depth %lld is too large (at most 30)", (long long)n);
    int max_depth = n > MIN_DEPTH + 2 ? (int)n : MIN_DEPTH + 2;
    WL_TRY(gclab_frame_push(h, 2));   /* 0: the tree in hand, 1: the long-lived tree */
    wl_measure_begin(h, ctx);

    WL_TRY(make_tree(h, max_depth + 1, 0));
    WL_TRY(check_tree(h, 0, &c));
    WL_TRY(gclab_clear(h, 0));
    total += c;

    WL_TRY(make_tree(h, max_depth, 1));
    for (int d = MIN_DEPTH; d <= max_depth; d += 2) {
        int64_t iterations = (int64_t)1 << (max_depth - d + MIN_DEPTH), sum = 0;
        for (int64_t i = 0; i < iterations; i++) {
            WL_TRY(make_tree(h, d, 0));
            WL_TRY(check_tree(h, 0, &c));
            WL_TRY(gclab_clear(h, 0));
            sum += c;
        }
        total += sum;
    }
    WL_TRY(check_tree(h, 1, &c));
    total += c;
    WL_TRY(gclab_clear(h, 1));

    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec binarytrees_params[] = {
    GCLAB_PINT("depth", "10", 6, 30, "maximum tree depth (the program's n)"),
    GCLAB_PEND,
};

const struct workload wl_binarytrees = {
    .name = "binarytrees",
    .summary = "Benchmarks Game binary-trees: many short-lived trees beside a long-lived one",
    .params = binarytrees_params,
    .run = binarytrees_run,
};
