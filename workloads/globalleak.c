/* globalleak.c — a global registry that keeps growing while the rest
 * churns: the leak no collector can fix, because the program still refers
 * to everything it leaked.
 *
 *     registry = []                        # a global
 *     for i in range(n):
 *         t = [i + 1000]                   # a list and an int, dropped next iteration
 *         if i % leak_every == 0:
 *             registry.append(t)           # ...unless it is kept for ever
 *     total = sum(e[0] for e in registry)
 *
 * `result` = the sum of i + 1000 over i = 0, leak_every, 2*leak_every, ... < n,
 * read back from the registry at the end; len(registry) = ceil(n / leak_every)
 * is the growth, visible as peak_live_bytes climbing linearly on every
 * engine (the engines differ only in how much dead churn they carry too).
 * Objects allocated: the registry, then 2 per iteration. When the roots go
 * the registry goes too: leaked is 0 on rc.
 *
 * Stresses: a growing old generation; each collection of a tracer re-marks
 * the whole registry, and a generational collector's old collections get
 * ever more expensive (CPython's long-lived-pending rule exists for this).
 * Collections at defaults (1,000,000 iterations, one in 100 kept):
 *   nogc, rc   none.
 *   rcgen      only the kept lists count: gen 0 every 70,000 iterations,
 *              about 14 gen-0 collections, 1 gen-1.
 *   marksweep  the registry doubles 4-5 times from its first collection:
 *              about ten collections.
 */
#include "workload.h"

static gclab_status globalleak_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t n = wl_param_int(ctx, "n"), k = wl_param_int(ctx, "leak_every"), total = 0, len, v;
    gclab_name registry = gclab_intern(h, "registry");
    if (k < 1)
        return gclab_raise(h, GCLAB_EVALUE, "leak_every must be at least 1");
    if (!registry)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    WL_TRY(gclab_frame_push(h, 3));   /* 0 t, 1 i + 1000, 2 registry */
    WL_TRY(gclab_list_new(h, 2));
    WL_TRY(gclab_global_set(h, registry, 2));
    WL_TRY(gclab_none(h, 2));
    wl_measure_begin(h, ctx);
    for (int64_t i = 0; i < n; i++) {
        WL_TRY(gclab_list_new(h, 0));
        WL_TRY(gclab_int_new(h, 1, i + 1000));
        WL_TRY(gclab_list_append(h, 0, 1));
        if (i % k == 0) {
            WL_TRY(gclab_global_get(h, 2, registry));
            WL_TRY(gclab_list_append(h, 2, 0));
        }
    }
    WL_TRY(gclab_global_get(h, 2, registry));
    WL_TRY(gclab_len(h, 2, &len));
    for (int64_t j = 0; j < len; j++) {
        WL_TRY(gclab_list_get(h, 0, 2, j));
        WL_TRY(gclab_list_get(h, 1, 0, 0));
        WL_TRY(gclab_int_value(h, 1, &v));
        if (v != j * k + 1000)
            return gclab_raise(h, GCLAB_EASSERT, "registry[%lld] holds %lld", (long long)j, (long long)v);
        total += v;
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec globalleak_params[] = {
    GCLAB_PINT("n", "1000000", 0, 1e12, "iterations"),
    GCLAB_PINT("leak_every", "100", 1, 1e12, "one iteration in leak_every adds its list to the registry"),
    GCLAB_PEND,
};

const struct workload wl_globalleak = {
    .name = "globalleak",
    .summary = "a global registry that keeps growing while the rest churns: an unfixable leak",
    .params = globalleak_params,
    .run = globalleak_run,
};
