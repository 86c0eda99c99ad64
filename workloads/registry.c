/* registry.c — workloads by name, and the parameter and measuring helpers
 * they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

extern const struct workload wl_gcbench, wl_gcbench_cyclic, wl_binarytrees, wl_linkedlist, wl_rings, wl_traversal, wl_churn,
    wl_weakcache, wl_finalizers, wl_recursion, wl_globalleak, wl_fragment, wl_lifetimes, wl_sustained, wl_listrings,
    wl_requestcycles, wl_tempclasses, wl_fastcycles;

/* In the order: the five with heap-script twins first. */
static const struct workload *const workloads[] = {
    &wl_gcbench,
    &wl_gcbench_cyclic,
    &wl_binarytrees,
    &wl_linkedlist,
    &wl_rings,
    &wl_traversal,
    &wl_churn,
    &wl_weakcache,
    &wl_finalizers,
    &wl_recursion,
    &wl_globalleak,
    &wl_fragment,
    &wl_lifetimes,
    &wl_sustained,
    &wl_listrings,
    &wl_requestcycles,   /* issue 15: the CPython 3.14 field cases */
    &wl_tempclasses,
    &wl_fastcycles,
};

const struct workload *workload_at(int i)
{
    if (i < 0 || (size_t)i >= sizeof workloads / sizeof workloads[0])
        return NULL;
    return workloads[i];
}

const struct workload *workload_find(const char *name)
{
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(workloads[i]->name, name) == 0)
            return workloads[i];
    return NULL;
}

static const struct gclab_param_spec *find_param(const struct workload *wl, const char *name)
{
    for (const struct gclab_param_spec *p = wl->params; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

bool workload_param_valid(const struct workload *wl, const char *key, const char *value,
                          char *err, size_t errlen)
{
    const struct gclab_param_spec *p = find_param(wl, key);
    if (!p) {
        int n = snprintf(err, errlen, "workload '%s' has no parameter '%s' (it takes:", wl->name, key);
        for (const struct gclab_param_spec *q = wl->params; q->name; q++)
            if (n > 0 && (size_t)n < errlen)
                n += snprintf(err + n, errlen - (size_t)n, " %s", q->name);
        if (n > 0 && (size_t)n < errlen)
            snprintf(err + n, errlen - (size_t)n, ")");
        return false;
    }
    return gclab_param_check(p, value, NULL, err, errlen);
}

bool workload_check(const struct wl_ctx *ctx, char *err, size_t errlen)
{
    return !ctx->wl->check || ctx->wl->check(ctx, err, errlen);
}

static const char *param_text(const struct wl_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nparams; i++)
        if (strcmp(ctx->params[i].key, name) == 0)
            return ctx->params[i].value;
    const struct gclab_param_spec *p = find_param(ctx->wl, name);
    return p ? p->dflt : "0";
}

int64_t wl_param_int(const struct wl_ctx *ctx, const char *name)
{
    return (int64_t)strtod(param_text(ctx, name), NULL);
}

double wl_param_double(const struct wl_ctx *ctx, const char *name)
{
    return strtod(param_text(ctx, name), NULL);
}

static void take(gclab_heap *h, struct wl_measure *m)
{
    struct timespec w, c;
    clock_gettime(CLOCK_MONOTONIC, &w);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    m->wall_ns = (uint64_t)w.tv_sec * 1000000000u + (uint64_t)w.tv_nsec;
    m->cpu_ns = (uint64_t)c.tv_sec * 1000000000u + (uint64_t)c.tv_nsec;
    gclab_heap_stats(h, &m->st);
    gclab_pauses(h, &m->npauses);
}

void wl_measure_begin(gclab_heap *h, struct wl_ctx *ctx)
{
    take(h, &ctx->begin);
    ctx->measuring = true;
}

void wl_measure_end(gclab_heap *h, struct wl_ctx *ctx)
{
    take(h, &ctx->end);
    ctx->measuring = false;
    ctx->measured = true;
}
