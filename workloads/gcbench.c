/* gcbench.c — Boehm's GCBench (Ellis, Kovac, Boehm), and the shape code it
 * shares with gcbench_cyclic.c.
 *
 * The program, as in GCBench.java: TreeSize(d) = 2^(d+1) - 1 and
 * NumIters(d) = 2 * TreeSize(stretch_depth) / TreeSize(d) (integer division).
 *   1. a stretch tree of depth stretch_depth is built bottom-up
 *      (MakeTree), walked and dropped;
 *   2. a long-lived tree of depth long_lived_depth is built top-down
 *      (Populate) and kept, with a long-lived array of array_size doubles
 *      (a blob) whose first half holds 1.0/i;
 *   3. for d = min_depth, min_depth+2, ..., max_depth: NumIters(d) trees of
 *      depth d are built top-down, walked and dropped, then NumIters(d)
 *      trees of depth d are built bottom-up, walked and dropped;
 *   4. the long-lived tree is walked and array[1000] checked against 1/1000
 *      (index min(1000, array_size/2 - 1) when the array is short).
 * A node is an instance of class Node with attributes left and right (None
 * at the leaves). Unlike Java's GCBench, every tree is walked after it is
 * built, so an engine that frees or corrupts a live node is caught.
 * `result` = the number of nodes counted by all the walks:
 *   TreeSize(stretch) + TreeSize(long_lived) + sum_d 2 * NumIters(d) * TreeSize(d).
 * Objects allocated: that many nodes, minus nothing, plus the class Node and
 * the array blob.
 *
 * Defaults. Boehm's sizes (stretch 18, long-lived 16, depths 4..16: 15.3
 * million nodes) take 18 s and 2.4 GB here on nogc, almost all of it page
 * faults, so the defaults are two levels smaller: stretch 16, long-lived 14,
 * depths 4..14, 3,308,158 nodes (1.9 s, 0.5 GB on nogc). Boehm's program is
 *   -p stretch_depth=18 -p long_lived_depth=16 -p max_depth=16.
 *
 * Stresses: a long-lived tree (2^15 nodes) and a 4 MB blob beside a torrent
 * of short-lived trees of every size; no cycles, so `rc` frees everything
 * (0 leaked). Collections at default parameters (estimates from the
 * engines' rules):
 *   nogc, rc   none.
 *   rcgen      gen 0 once per 700 net container allocations; trees of depth
 *              <= 8 (< 700 nodes) die by refcount before the count gets
 *              there, the larger ones (depths 10..14, the stretch and
 *              long-lived trees, about 2.7 million nodes) do not: about
 *              3,800 gen-0 collections, 380 gen-1, a few dozen gen-2.
 *   marksweep  whenever the heap doubles over the ~9 MB that survives
 *              (long-lived tree + array): on the order of 50 collections.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"

/* One run's state: the interned attribute names and the walk count. */
struct gcb {
    gclab_name left, right, parent;
    bool cyclic;
};

static int64_t tree_size(int d) { return ((int64_t)1 << (d + 1)) - 1; }

/* A node with left = right = None into slot dst (cls: the class slot, tmp: a scratch slot). */
static gclab_status new_leaf(gclab_heap *h, const struct gcb *g, int cls, int dst, int tmp)
{
    WL_TRY(gclab_none(h, tmp));
    WL_TRY(gclab_instance_new(h, dst, cls));
    WL_TRY(gclab_attr_set(h, dst, g->left, tmp));
    return gclab_attr_set(h, dst, g->right, tmp);
}

/* MakeTree: a tree of depth d built bottom-up into the caller's slot dst; cls is the caller's class slot. */
static gclab_status make_tree(gclab_heap *h, const struct gcb *g, int d, int cls, int dst)
{
    WL_TRY(gclab_frame_push_args(h, 4, 1, &cls));   /* 0 cls, 1 left, 2 right, 3 node */
    if (d <= 0) {
        WL_TRY(new_leaf(h, g, 0, 3, 1));
    } else {
        WL_TRY(make_tree(h, g, d - 1, 0, 1));
        WL_TRY(make_tree(h, g, d - 1, 0, 2));
        WL_TRY(gclab_instance_new(h, 3, 0));
        WL_TRY(gclab_attr_set(h, 3, g->left, 1));
        WL_TRY(gclab_attr_set(h, 3, g->right, 2));
        if (g->cyclic) {
            WL_TRY(gclab_attr_set(h, 1, g->parent, 3));
            WL_TRY(gclab_attr_set(h, 2, g->parent, 3));
        }
    }
    return gclab_frame_return(h, 3, dst);
}

/* Populate: give the node in the caller's slot node two children, down to depth d. */
static gclab_status populate(gclab_heap *h, const struct gcb *g, int d, int cls, int node)
{
    if (d <= 0)
        return GCLAB_OK;
    const int args[2] = { cls, node };
    WL_TRY(gclab_frame_push_args(h, 5, 2, args));   /* 0 cls, 1 node, 2 left, 3 right, 4 tmp */
    WL_TRY(new_leaf(h, g, 0, 2, 4));
    WL_TRY(new_leaf(h, g, 0, 3, 4));
    WL_TRY(gclab_attr_set(h, 1, g->left, 2));
    WL_TRY(gclab_attr_set(h, 1, g->right, 3));
    if (g->cyclic) {
        WL_TRY(gclab_attr_set(h, 2, g->parent, 1));
        WL_TRY(gclab_attr_set(h, 3, g->parent, 1));
    }
    WL_TRY(populate(h, g, d - 1, 0, 2));
    WL_TRY(populate(h, g, d - 1, 0, 3));
    return gclab_frame_pop(h);
}

/* The number of nodes of the tree in the caller's slot src (trees are full: a node with left None is a leaf). */
static gclab_status walk(gclab_heap *h, const struct gcb *g, int src, int64_t *out)
{
    int64_t l, r;
    WL_TRY(gclab_frame_push_args(h, 2, 1, &src));
    WL_TRY(gclab_attr_get(h, 1, 0, g->left));
    if (gclab_kind_of(h, 1) == GCLAB_K_NONE) {
        *out = 1;
    } else {
        WL_TRY(walk(h, g, 1, &l));
        WL_TRY(gclab_attr_get(h, 1, 0, g->right));
        WL_TRY(walk(h, g, 1, &r));
        *out = 1 + l + r;
    }
    return gclab_frame_pop(h);
}

/* Walk the tree in slot src, add its size to *total, and check it has TreeSize(d) nodes. */
static gclab_status walk_check(gclab_heap *h, const struct gcb *g, int src, int d, int64_t *total)
{
    int64_t n;
    WL_TRY(walk(h, g, src, &n));
    if (n != tree_size(d))
        return gclab_raise(h, GCLAB_EASSERT, "a tree of depth %d has %lld nodes, not %lld", d,
                           (long long)n, (long long)tree_size(d));
    *total += n;
    return GCLAB_OK;
}

gclab_status gcbench_run_shape(gclab_heap *h, struct wl_ctx *ctx, bool cyclic);

/* The whole program; cyclic adds a parent edge to every non-root node. */
gclab_status gcbench_run_shape(gclab_heap *h, struct wl_ctx *ctx, bool cyclic)
{
    int64_t sd = wl_param_int(ctx, "stretch_depth"), ld = wl_param_int(ctx, "long_lived_depth");
    int64_t mind = wl_param_int(ctx, "min_depth"), maxd = wl_param_int(ctx, "max_depth");
    int64_t asize = wl_param_int(ctx, "array_size"), total = 0;
    if (sd < 1 || sd > 24 || ld < 1 || ld > 24 || mind < 1 || maxd > sd || mind > maxd)
        return gclab_raise(h, GCLAB_EVALUE, "need 1 <= min_depth <= max_depth <= stretch_depth <= 24 "
                                            "and 1 <= long_lived_depth <= 24");
    if (asize < 4 || asize > 100000000)
        return gclab_raise(h, GCLAB_EVALUE, "array_size must be in 4..100000000");
    struct gcb g = { gclab_intern(h, "left"), gclab_intern(h, "right"), gclab_intern(h, "parent"), cyclic };
    if (!g.left || !g.right || !g.parent)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");

    WL_TRY(gclab_frame_push(h, 4));   /* 0 Node, 1 temp tree, 2 long-lived tree, 3 array */
    WL_TRY(gclab_class_new(h, 0, "Node", -1, -1));
    wl_measure_begin(h, ctx);

    WL_TRY(make_tree(h, &g, (int)sd, 0, 1));
    WL_TRY(walk_check(h, &g, 1, (int)sd, &total));
    WL_TRY(gclab_clear(h, 1));

    WL_TRY(new_leaf(h, &g, 0, 2, 1));
    WL_TRY(populate(h, &g, (int)ld, 0, 2));
    size_t half = (size_t)asize / 2, probe = half > 1000 ? 1000 : half - 1;
    WL_TRY(gclab_blob_new(h, 3, (size_t)asize * sizeof(double)));
    double *vals = malloc(half * sizeof *vals);
    if (!vals)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    for (size_t i = 0; i < half; i++)
        vals[i] = 1.0 / (double)i;   /* i = 0 gives inf, as in Java */
    gclab_status st = gclab_blob_write(h, 3, 0, vals, half * sizeof *vals);
    free(vals);
    WL_TRY(st);

    for (int d = (int)mind; d <= maxd; d += 2) {
        int64_t iters = 2 * tree_size((int)sd) / tree_size(d);
        for (int64_t i = 0; i < iters; i++) {
            WL_TRY(new_leaf(h, &g, 0, 1, 1));
            WL_TRY(populate(h, &g, d, 0, 1));
            WL_TRY(walk_check(h, &g, 1, d, &total));
            WL_TRY(gclab_clear(h, 1));
        }
        for (int64_t i = 0; i < iters; i++) {
            WL_TRY(make_tree(h, &g, d, 0, 1));
            WL_TRY(walk_check(h, &g, 1, d, &total));
            WL_TRY(gclab_clear(h, 1));
        }
    }

    WL_TRY(walk_check(h, &g, 2, (int)ld, &total));
    double v;
    WL_TRY(gclab_blob_read(h, 3, probe * sizeof v, &v, sizeof v));
    if (v != 1.0 / (double)probe)
        return gclab_raise(h, GCLAB_EASSERT, "array[%zu] is %g, not 1/%zu", probe, v, probe);
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static gclab_status gcbench_run(gclab_heap *h, struct wl_ctx *ctx)
{
    return gcbench_run_shape(h, ctx, false);
}

/* The depths must nest (gcbench_cyclic.c shares this check). */
bool gcbench_check(const struct wl_ctx *ctx, char *err, size_t errlen);
bool gcbench_check(const struct wl_ctx *ctx, char *err, size_t errlen)
{
    int64_t sd = wl_param_int(ctx, "stretch_depth"), mind = wl_param_int(ctx, "min_depth");
    int64_t maxd = wl_param_int(ctx, "max_depth");
    if (mind <= maxd && maxd <= sd)
        return true;
    snprintf(err, errlen, "%s needs min_depth <= max_depth <= stretch_depth (got min_depth=%lld "
             "max_depth=%lld stretch_depth=%lld)", ctx->wl->name, (long long)mind, (long long)maxd, (long long)sd);
    return false;
}

/* Shared with gcbench_cyclic.c, which takes the same parameters. */
const struct gclab_param_spec gcbench_params[] = {
    GCLAB_PINT("stretch_depth", "16", 1, 24, "depth of the stretch tree; NumIters is relative to it (Boehm: 18)"),
    GCLAB_PINT("long_lived_depth", "14", 1, 24, "depth of the long-lived tree (Boehm: 16)"),
    GCLAB_PINT("array_size", "500000", 4, 1e8, "doubles in the long-lived array (a blob of 8*array_size bytes)"),
    GCLAB_PINT("min_depth", "4", 1, 24, "smallest depth of the short-lived trees"),
    GCLAB_PINT("max_depth", "14", 1, 24, "largest depth of the short-lived trees, step 2, <= stretch_depth (Boehm: 16)"),
    GCLAB_PEND,
};

const struct workload wl_gcbench = {
    .name = "gcbench",
    .summary = "Boehm's GCBench: short-lived trees top-down and bottom-up beside a long-lived tree and array",
    .params = gcbench_params,
    .run = gcbench_run,
    .check = gcbench_check,
};
