/* nogc.c — the engine that never frees: the baseline every other engine is
 * measured against (MMTk's NoGC, Epsilon in HotSpot).
 *
 * It keeps no reference counts and never collects; allocation is core's
 * small-object allocator and nothing else, so the time a workload takes
 * here is the mutator's own cost plus allocation. Everything the workload
 * allocated is still allocated at the end: `leaked` counts all of it.
 *
 * This file is the template for a new engine: copy it, fill the table, and
 * add one line to engines/registry.c.
 */
#include "engine.h"

static gclab_status nogc_init(gclab_heap *h)
{
    (void)h;
    return GCLAB_OK;
}

static void nogc_fini(gclab_heap *h)
{
    (void)h;   /* core's allocator owns every block and releases them all */
}

static gclab_obj *nogc_alloc(gclab_heap *h, size_t bytes, int kind)
{
    (void)kind;
    return core_alloc_object(h, bytes);
}

static const struct gclab_param_spec nogc_params[] = { GCLAB_PEND };

const struct gclab_engine gclab_engine_nogc = {
    .name = "nogc",
    .summary = "never frees; the baseline for overhead (no refcounts, no collector)",
    .caps = { .refcounts = false, .collects_cycles = false, .finalizers = false,
              .precise = true, .generations = 1, .frees = GCLAB_FREES_NEVER,
              .weakref_callbacks = GCLAB_WRCB_NONE, .header_words = 2 },
    .params = nogc_params,
    .init = nogc_init,
    .fini = nogc_fini,
    .alloc = nogc_alloc,
};
