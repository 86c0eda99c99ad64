/* record.c — the run record: one JSON object per run, with stable keys
 * that scripts and plots depend on (see README "The record"). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "metrics.h"
#include "record.h"

#ifndef GCLAB_COMMIT
#define GCLAB_COMMIT "unknown"
#endif

/* MMU and BMU windows reported in every record, in milliseconds. */
static const double mmu_windows_ms[] = { 1, 2, 5, 10, 20, 50, 100, 1000 };

static void cpu_model(char *buf, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(buf, n, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ')
                    c++;
                c[strcspn(c, "\n")] = 0;
                snprintf(buf, n, "%s", c);
            }
            break;
        }
    }
    fclose(f);
}

const char *record_commit(void)
{
    return GCLAB_COMMIT;
}

json_t *record_machine(void)
{
    char cpu[256];
    struct utsname u;
    cpu_model(cpu, sizeof cpu);
    json_t *m = json_object();
    json_object_set_new(m, "cpu", json_string(cpu));
    json_object_set_new(m, "cores", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    if (uname(&u) == 0) {
        char os[512];
        snprintf(os, sizeof os, "%s %s %s", u.sysname, u.release, u.machine);
        json_object_set_new(m, "os", json_string(os));
        json_object_set_new(m, "host", json_string(u.nodename));
    }
    return m;
}

/* {"1ms": u, ...}: a utilization function (mmu or bmu) at every reported window. */
static json_t *utilization(double (*fn)(const struct gclab_pause *, size_t, uint64_t, uint64_t, uint64_t),
                           const struct gclab_pause *pp, size_t np, const struct wl_ctx *c)
{
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof mmu_windows_ms / sizeof mmu_windows_ms[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "%gms", mmu_windows_ms[i]);
        double u = fn(pp, np, c->begin.wall_ns, c->end.wall_ns, (uint64_t)(mmu_windows_ms[i] * 1e6));
        json_object_set_new(o, key, json_real(u));
    }
    return o;
}

json_t *record_build(const struct record_in *in)
{
    const struct wl_ctx *c = in->ctx;
    const struct gclab_stats *b = &c->begin.st, *e = &c->end.st;
    json_t *r = json_object();
    json_t *params = json_object();

    /* Every workload parameter, given or default, as a number. */
    for (const struct gclab_param_spec *p = c->wl->params; p->name; p++) {
        double v = wl_param_double(c, p->name);
        json_object_set_new(params, p->name, v == (double)(int64_t)v ? json_integer((json_int_t)v) : json_real(v));
    }
    json_t *eparams = json_object();
    for (size_t i = 0; i < in->neparams; i++)
        json_object_set_new(eparams, in->eparams[i].key, json_string(in->eparams[i].value));

    json_object_set_new(r, "engine", json_string(in->engine));
    json_object_set_new(r, "workload", json_string(c->wl->name));
    json_object_set_new(r, "params", params);
    json_object_set_new(r, "engine_params", eparams);
    json_object_set_new(r, "alloc", json_string(in->alloc));
    json_object_set_new(r, "heap_limit", json_integer((json_int_t)in->heap_limit));
    json_object_set_new(r, "heap_size", json_integer((json_int_t)in->heap_size));
    json_object_set_new(r, "seed", json_integer((json_int_t)c->seed));
    json_object_set_new(r, "repetition", json_integer(in->repetition));
    json_object_set_new(r, "result", json_integer(c->result));

    double wall = (double)(c->end.wall_ns - c->begin.wall_ns) / 1e9;
    double cpu = (double)(c->end.cpu_ns - c->begin.cpu_ns) / 1e9;
    double gc = (double)(e->gc_ns - b->gc_ns) / 1e9;
    json_object_set_new(r, "wall_s", json_real(wall));
    json_object_set_new(r, "cpu_s", json_real(cpu));
    json_object_set_new(r, "gc_s", json_real(gc));
    json_object_set_new(r, "gc_cpu_s", json_real((double)(e->gc_cpu_ns - b->gc_cpu_ns) / 1e9));
    json_object_set_new(r, "mutator_s", json_real(wall - gc > 0 ? wall - gc : 0));

    json_object_set_new(r, "allocs", json_integer((json_int_t)(e->allocs - b->allocs)));
    json_object_set_new(r, "alloc_bytes", json_integer((json_int_t)(e->alloc_bytes - b->alloc_bytes)));
    json_object_set_new(r, "freed", json_integer((json_int_t)(e->freed - b->freed)));
    json_object_set_new(r, "freed_bytes", json_integer((json_int_t)(e->freed_bytes - b->freed_bytes)));
    json_object_set_new(r, "leaked", json_integer((json_int_t)in->leaked));
    json_object_set_new(r, "leaked_bytes", json_integer((json_int_t)in->leaked_bytes));
    json_object_set_new(r, "finalizers_run", json_integer((json_int_t)(e->finalizers_run - b->finalizers_run)));

    json_t *cols = json_array();
    for (int g = 0; g < in->generations; g++)
        json_array_append_new(cols, json_integer((json_int_t)(e->collections[g] - b->collections[g])));
    json_object_set_new(r, "collections", cols);

    struct pause_summary ps;
    size_t np = c->end.npauses - c->begin.npauses;
    const struct gclab_pause *pp = in->pauses + c->begin.npauses;
    pause_summary(pp, np, &ps);
    json_t *pj = json_object();
    json_object_set_new(pj, "count", json_integer((json_int_t)ps.count));
    json_object_set_new(pj, "total_s", json_real(ps.total_s));
    json_object_set_new(pj, "max_s", json_real(ps.max_s));
    json_object_set_new(pj, "p50_s", json_real(ps.p50_s));
    json_object_set_new(pj, "p90_s", json_real(ps.p90_s));
    json_object_set_new(pj, "p99_s", json_real(ps.p99_s));
    json_object_set_new(pj, "p999_s", json_real(ps.p999_s));
    json_object_set_new(r, "pauses", pj);

    json_object_set_new(r, "mmu", utilization(mmu, pp, np, c));
    json_object_set_new(r, "bmu", utilization(bmu, pp, np, c));

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_object_set_new(r, "peak_live_bytes", json_integer((json_int_t)e->peak_live_bytes));
    json_object_set_new(r, "peak_heap_bytes", json_integer((json_int_t)e->peak_heap_bytes));
    json_object_set_new(r, "peak_rss_bytes", json_integer((json_int_t)ru.ru_maxrss * 1024));
    if (in->garbage) {   /* traced runs only (--trace): a walk of the heap at every sample */
        json_object_set_new(r, "garbage_peak_bytes", json_integer((json_int_t)in->garbage_peak_bytes));
        json_object_set_new(r, "garbage_mean_bytes", json_integer((json_int_t)in->garbage_mean_bytes));
        json_object_set_new(r, "garbage_samples", json_integer((json_int_t)in->garbage_samples));
    }

    json_object_set_new(r, "gclab_version", json_string(GCLAB_VERSION));
    json_object_set_new(r, "commit", json_string(GCLAB_COMMIT));
#if defined(__clang__)
    json_object_set_new(r, "compiler", json_string("clang " __clang_version__));
#elif defined(__GNUC__)
    json_object_set_new(r, "compiler", json_string("gcc " __VERSION__));
#else
    json_object_set_new(r, "compiler", json_string("unknown"));
#endif
    json_object_set_new(r, "machine", record_machine());
    return r;
}
