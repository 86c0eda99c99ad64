/* gcbench_cyclic.c — GCBench (gcbench.c) where every node but a root also
 * points to its parent (attribute parent), so every tree is one big cycle
 * structure that reference counting alone can never free.
 *
 * Same program, parameters and `result` as gcbench: the number of nodes
 * counted by all the walks. The parent edges double the stores per node.
 *
 * What each engine should do at default parameters:
 *   nogc       frees nothing; leaked = every node + class Node + the array.
 *   rc         frees only the array (acyclic) once the roots go; every tree
 *              node leaks, and so does class Node, which they reference:
 *              leaked = TreeSize(stretch) + TreeSize(long_lived)
 *                       + sum_d 2 * NumIters(d) * TreeSize(d) + 1 (exact).
 *              With no collector, all 3.3 million nodes stay in memory
 *              (0.5 GB), as under nogc.
 *   rcgen      nothing dies by refcount, so gen 0 is collected once per 700
 *              nodes: about 4,700 gen-0 collections (and gen 1 / gen 2
 *              every 10 / 100 of them, subject to the long-lived rule);
 *              leaked 0.
 *   marksweep  as for gcbench (cycles cost a tracer nothing): on the order
 *              of 50 collections; leaked 0.
 */
#include "workload.h"

gclab_status gcbench_run_shape(gclab_heap *h, struct wl_ctx *ctx, bool cyclic);
extern const struct gclab_param_spec gcbench_params[];
bool gcbench_check(const struct wl_ctx *ctx, char *err, size_t errlen);

static gclab_status gcbench_cyclic_run(gclab_heap *h, struct wl_ctx *ctx)
{
    return gcbench_run_shape(h, ctx, true);
}

const struct workload wl_gcbench_cyclic = {
    .name = "gcbench_cyclic",
    .summary = "GCBench with a parent edge in every node: every tree is cyclic, so rc frees none",
    .params = gcbench_params,
    .run = gcbench_cyclic_run,
    .check = gcbench_check,
};
