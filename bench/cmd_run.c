/* cmd_run.c — `gclab run`: one workload, once, on one engine.
 *
 * After the workload returns, every root is dropped and, on engines with a
 * collector, a full collection runs; what is still allocated then is
 * `leaked` (cycles under rc, everything under nogc).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "cli.h"
#include "outfile.h"
#include "record.h"

#define MAX_PARAMS 64
#define MAX_TRACE_SAMPLES 2000000

/* One line of a --trace file. */
struct sample {
    uint64_t t_ns, allocs, live_objects, live_bytes, heap_bytes;
    uint64_t garbage_objects, garbage_bytes;   /* core/garbage.c's walk at this sample */
    int gen;
    bool after_gc;
};

struct trace {
    struct sample *s;
    size_t n, cap;
    bool truncated;
    struct gclab_walk *walk;   /* the garbage walk's scratch memory */
    bool no_garbage;           /* a walk ran out of C memory: no garbage figures */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The sampler: runs inside allocation and collection, so it only reads
 * counters and grows a malloc'd array (never the managed heap). */
static void trace_sample(gclab_heap *h, void *ctx, bool after_gc, int gen)
{
    struct trace *tr = ctx;
    if (tr->n == tr->cap) {
        size_t cap = tr->cap ? tr->cap * 2 : 4096;
        struct sample *s = cap <= MAX_TRACE_SAMPLES ? realloc(tr->s, cap * sizeof *s) : NULL;
        if (!s) {
            tr->truncated = true;
            gclab_set_sampler(h, 0, NULL, NULL);
            return;
        }
        tr->s = s;
        tr->cap = cap;
    }
    struct gclab_stats st;
    struct gclab_garbage g = { 0, 0 };
    uint64_t t = now_ns();   /* before the walk: it is not the program's time */
    gclab_heap_stats(h, &st);
    if (!tr->no_garbage && gclab_heap_garbage(h, &tr->walk, &g) != GCLAB_OK)
        tr->no_garbage = true;
    tr->s[tr->n++] = (struct sample){ t, st.allocs, st.live_objects, st.live_bytes,
                                      st.heap_bytes, g.objects, g.bytes, gen, after_gc };
}

/* Garbage over the measured window of a traced run: the peak of the samples
 * and their mean with the allocation count as the clock (each sample's value
 * holds until the next one), which, unlike wall time, is the same on every
 * rerun. False if there is nothing to report. */
static bool trace_garbage(const struct trace *tr, const struct wl_ctx *c, uint64_t *peak,
                          uint64_t *mean, uint64_t *nsamples)
{
    uint64_t a0 = c->begin.st.allocs, a1 = c->end.st.allocs, n = 0, max = 0;
    double area = 0;
    const struct sample *prev = NULL;
    if (tr->no_garbage || a1 <= a0)
        return false;
    for (size_t i = 0; i < tr->n; i++) {
        const struct sample *s = &tr->s[i];
        if (s->allocs < a0 || s->allocs > a1 || s->t_ns < c->begin.wall_ns || s->t_ns > c->end.wall_ns)
            continue;
        if (prev)
            area += (double)prev->garbage_bytes * (double)(s->allocs - prev->allocs);
        if (s->garbage_bytes > max)
            max = s->garbage_bytes;
        prev = s;
        n++;
    }
    if (!prev)
        return false;
    area += (double)prev->garbage_bytes * (double)(a1 - prev->allocs);
    *peak = max;
    *mean = (uint64_t)(area / (double)(a1 - a0) + 0.5);
    *nsamples = n;
    return true;
}

/* Signed seconds from t0 to t, exact to the nanosecond. */
static void fmt_rel(char *buf, size_t n, uint64_t t, uint64_t t0)
{
    uint64_t d = t >= t0 ? t - t0 : t0 - t;
    snprintf(buf, n, "%s%llu.%09llu", t >= t0 ? "" : "-", (unsigned long long)(d / 1000000000u),
             (unsigned long long)(d % 1000000000u));
}

/* Text of the --trace file; NULL on out of memory. */
static char *trace_text(const struct trace *tr, const char *engine, const char *wl, uint64_t every,
                        const struct wl_ctx *c)
{
    char *buf = NULL, a[40], b[40];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fmt_rel(a, sizeof a, c->end.wall_ns, c->begin.wall_ns);
    fprintf(f, "# gclab trace: engine=%s workload=%s every=%llu; t_s from the start of the measured "
               "window, which ends at %s s%s\n",
            engine, wl, (unsigned long long)every, a, tr->truncated ? "; TRUNCATED" : "");
    fprintf(f, "# t_s event gen allocs live_objects live_bytes heap_bytes garbage_objects garbage_bytes\n");
    for (size_t i = 0; i < tr->n; i++) {
        const struct sample *s = &tr->s[i];
        fmt_rel(b, sizeof b, s->t_ns, c->begin.wall_ns);
        fprintf(f, "%s %s %d %llu %llu %llu %llu %llu %llu\n", b, s->after_gc ? "gc" : "alloc", s->gen,
                (unsigned long long)s->allocs, (unsigned long long)s->live_objects,
                (unsigned long long)s->live_bytes, (unsigned long long)s->heap_bytes,
                (unsigned long long)s->garbage_objects, (unsigned long long)s->garbage_bytes);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Text of the --pauses file (the measured window's pauses); NULL on out of memory. */
static char *pauses_text(const struct gclab_pause *p, const char *engine, const char *wl,
                         const struct wl_ctx *c)
{
    char *buf = NULL, a[40], d[40];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fmt_rel(a, sizeof a, c->end.wall_ns, c->begin.wall_ns);
    fprintf(f, "# gclab pauses: engine=%s workload=%s; start_s from the start of the measured window, "
               "which lasts %s s\n# start_s duration_s gen\n", engine, wl, a);
    for (size_t i = c->begin.npauses; i < c->end.npauses; i++) {
        fmt_rel(a, sizeof a, p[i].start_ns, c->begin.wall_ns);
        fmt_rel(d, sizeof d, p[i].dur_ns, 0);
        fprintf(f, "%s %s %d\n", a, d, p[i].gen);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static const char run_help[] =
    "usage: gclab run -e ENGINE -w WORKLOAD [-p KEY=VALUE]... [--seed N] [--json]\n"
    "                 [--alloc pool|malloc] [--heap-limit BYTES] [--heap-size BYTES]\n"
    "                 [--repetition N] [--out FILE]\n"
    "                 [--pauses FILE] [--trace FILE] [--trace-every N] [--timeout S]\n"
    "                 [--check]\n"
    "\n"
    "Runs one workload once and reports its run record: a summary by default,\n"
    "one JSON object on stdout with --json (see README, \"The record\").\n"
    "\n"
    "  -e, --engine ENGINE     collector engine (gclab engines)\n"
    "  -w, --workload NAME     workload (gclab workloads)\n"
    "  -p KEY=VALUE            a workload parameter, or an engine knob such as\n"
    "                          threshold0=700 (rcgen), heap_factor=2 (marksweep),\n"
    "                          zeal=N (collect every N allocations, all engines);\n"
    "                          each has a type and a range (gclab workloads,\n"
    "                          gclab engines --json), checked before anything\n"
    "                          runs; a key may be given once\n"
    "      --seed N            seed for the workload's random choices (default 1)\n"
    "      --json              print the record as JSON\n"
    "      --alloc MODE        pool (pymalloc-style, default) or malloc\n"
    "      --heap-limit BYTES  fail with MemoryError past this many live bytes\n"
    "                          (0, the default: no limit); 1e6 is 1000000\n"
    "      --heap-size BYTES   a fixed heap of this many live bytes: tracing engines\n"
    "                          (marksweep, bdw) collect when it is full instead of at\n"
    "                          heap_factor x live, and it is also a limit (MemoryError\n"
    "                          past it); other engines only get the limit\n"
    "      --repetition N      repetition number recorded in the record\n"
    "      --out FILE          also write the JSON record to FILE (atomically)\n"
    "      --pauses FILE       write the measured window's pause log to FILE, one line\n"
    "                          per pause: start_s duration_s gen (start from the\n"
    "                          window's start)\n"
    "      --trace FILE        write a heap-over-time trace to FILE: one line after\n"
    "                          every collection and every --trace-every allocations:\n"
    "                          t_s event gen allocs live_objects live_bytes heap_bytes\n"
    "      --trace-every N     allocations between trace samples (default 10000)\n"
    "      --check             check every argument (and that the heap starts), run\n"
    "                          nothing: exit 0 or 2 (scripts/matrix.py uses it)\n"
    "      --timeout S         stop after S seconds of wall time (decimals allowed):\n"
    "                          exit 4 with \"timed out\" on stderr, no file written\n"
    "\n"
    "Output files (--out, --pauses, --trace) are written to a temp file beside\n"
    "them and renamed into place, only ever over a regular file: a symlink is\n"
    "followed and its target replaced (the link stays); a directory, device\n"
    "(/dev/null), FIFO, socket or dangling link is refused with exit 2 before\n"
    "anything runs, as is a file in a directory that does not exist.\n"
    "\n"
    "Exit status: 0 success, 1 the workload failed, 2 bad arguments (nothing ran),\n"
    "4 --timeout reached.\n";

int cli_write_atomic(const char *path, const char *text)
{
    char err[PATH_MAX + 256];
    if (!outfile_write(path, text, strlen(text), err, sizeof err)) {
        fprintf(stderr, "gclab: %s\n", err);
        return -1;
    }
    return 0;
}

/* The value of option opt at argv[*i] ("--opt=V" or "--opt V"); NULL if missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *shortopt, const char *longopt)
{
    const char *a = argv[*i];
    size_t ll = strlen(longopt);
    if (strncmp(a, longopt, ll) == 0 && a[ll] == '=')
        return a + ll + 1;
    if ((shortopt && strcmp(a, shortopt) == 0) || strcmp(a, longopt) == 0) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    return NULL;
}

static bool is_opt(const char *a, const char *shortopt, const char *longopt)
{
    size_t ll = strlen(longopt);
    return (shortopt && strcmp(a, shortopt) == 0) || strcmp(a, longopt) == 0 ||
           (strncmp(a, longopt, ll) == 0 && a[ll] == '=');
}

/* A count: digits (the whole uint64 range), or a whole number in the form a
 * parameter takes (1e6, 2.0), as -p n=1e6 is. */
static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s >= '0' && *s <= '9' && !*end && !errno) {
        *out = v;
        return true;
    }
    return gclab_parse_int(s, 0, GCLAB_PARAM_INT_MAX, out);
}

static void print_summary(const json_t *r)
{
    const json_t *p = json_object_get(r, "pauses");
    printf("engine         %s\n", json_string_value(json_object_get(r, "engine")));
    printf("workload       %s", json_string_value(json_object_get(r, "workload")));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(r, "params"), k, v) {
        if (json_is_integer(v))
            printf(" %s=%lld", k, (long long)json_integer_value(v));
        else
            printf(" %s=%g", k, json_real_value(v));
    }
    printf("\nresult         %lld\n", (long long)json_integer_value(json_object_get(r, "result")));
    printf("time           %.3f s wall, %.3f s cpu, %.3f s gc, %.3f s mutator\n",
           json_real_value(json_object_get(r, "wall_s")), json_real_value(json_object_get(r, "cpu_s")),
           json_real_value(json_object_get(r, "gc_s")), json_real_value(json_object_get(r, "mutator_s")));
    printf("objects        %lld allocated (%lld bytes), %lld freed, %lld leaked (%lld bytes)\n",
           (long long)json_integer_value(json_object_get(r, "allocs")),
           (long long)json_integer_value(json_object_get(r, "alloc_bytes")),
           (long long)json_integer_value(json_object_get(r, "freed")),
           (long long)json_integer_value(json_object_get(r, "leaked")),
           (long long)json_integer_value(json_object_get(r, "leaked_bytes")));
    printf("collections   ");
    size_t i;
    json_array_foreach((json_t *)json_object_get(r, "collections"), i, v)
        printf(" %lld", (long long)json_integer_value(v));
    printf("\npauses         %lld, total %.6f s, max %.6f s, p50 %.6f s, p99 %.6f s\n",
           (long long)json_integer_value(json_object_get(p, "count")),
           json_real_value(json_object_get(p, "total_s")), json_real_value(json_object_get(p, "max_s")),
           json_real_value(json_object_get(p, "p50_s")), json_real_value(json_object_get(p, "p99_s")));
    printf("memory         peak heap %lld bytes, peak live %lld bytes, peak rss %lld bytes\n",
           (long long)json_integer_value(json_object_get(r, "peak_heap_bytes")),
           (long long)json_integer_value(json_object_get(r, "peak_live_bytes")),
           (long long)json_integer_value(json_object_get(r, "peak_rss_bytes")));
}

int cmd_run(int argc, char **argv)
{
    const char *engine = NULL, *wname = NULL, *alloc = "pool", *out = NULL;
    const char *pauses_out = NULL, *trace_out = NULL;
    uint64_t seed = 1, heap_limit = 0, heap_size = 0, repetition = 0, trace_every = 10000;
    double timeout_s = 0;
    struct trace tr = { 0 };
    bool json = false, check = false;
    struct gclab_kv wparams[MAX_PARAMS], eparams[MAX_PARAMS];
    size_t nw = 0, ne = 0;
    const char *raw[MAX_PARAMS];
    char *keys[MAX_PARAMS];
    size_t nraw = 0, nkeys = 0;
    char err[512];

    if (cli_wants_help(argc, argv)) {
        fputs(run_help, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (is_opt(a, "-e", "--engine")) {
            if (!(engine = opt_value(argc, argv, &i, "-e", "--engine")))
                goto missing;
        } else if (is_opt(a, "-w", "--workload")) {
            if (!(wname = opt_value(argc, argv, &i, "-w", "--workload")))
                goto missing;
        } else if (is_opt(a, "-p", "--param")) {
            if (!(v = opt_value(argc, argv, &i, "-p", "--param")))
                goto missing;
            if (nraw == MAX_PARAMS) {
                fprintf(stderr, "gclab run: too many -p options\n");
                return 2;
            }
            raw[nraw++] = v;
        } else if (is_opt(a, NULL, "--seed")) {
            if (!parse_u64(v = opt_value(argc, argv, &i, NULL, "--seed"), &seed)) {
                fprintf(stderr, "gclab run: --seed needs a non-negative integer, got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (is_opt(a, NULL, "--heap-limit")) {
            if (!parse_u64(v = opt_value(argc, argv, &i, NULL, "--heap-limit"), &heap_limit)) {
                fprintf(stderr, "gclab run: --heap-limit needs a byte count (0: no limit), got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (is_opt(a, NULL, "--heap-size")) {
            if (!parse_u64(v = opt_value(argc, argv, &i, NULL, "--heap-size"), &heap_size) || heap_size == 0) {
                fprintf(stderr, "gclab run: --heap-size needs a positive byte count, got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (is_opt(a, NULL, "--repetition")) {
            if (!parse_u64(v = opt_value(argc, argv, &i, NULL, "--repetition"), &repetition)) {
                fprintf(stderr, "gclab run: --repetition needs a non-negative integer, got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (is_opt(a, NULL, "--alloc")) {
            if (!(alloc = opt_value(argc, argv, &i, NULL, "--alloc")))
                goto missing;
            if (strcmp(alloc, "pool") != 0 && strcmp(alloc, "malloc") != 0) {
                fprintf(stderr, "gclab run: --alloc must be pool or malloc, not '%s'\n", alloc);
                return 2;
            }
        } else if (is_opt(a, NULL, "--out")) {
            if (!(out = opt_value(argc, argv, &i, NULL, "--out")))
                goto missing;
        } else if (is_opt(a, NULL, "--pauses")) {
            if (!(pauses_out = opt_value(argc, argv, &i, NULL, "--pauses")))
                goto missing;
        } else if (is_opt(a, NULL, "--trace-every")) {
            if (!parse_u64(v = opt_value(argc, argv, &i, NULL, "--trace-every"), &trace_every) ||
                trace_every == 0) {
                fprintf(stderr, "gclab run: --trace-every needs a positive integer, got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (is_opt(a, NULL, "--trace")) {
            if (!(trace_out = opt_value(argc, argv, &i, NULL, "--trace")))
                goto missing;
        } else if (is_opt(a, NULL, "--timeout")) {
            if (!budget_parse_seconds(v = opt_value(argc, argv, &i, NULL, "--timeout"), &timeout_s)) {
                fprintf(stderr, "gclab run: --timeout needs seconds in (0, 1000000], got '%s'\n", v ? v : "");
                return 2;
            }
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else {
            fprintf(stderr, "gclab run: unknown argument '%s' (see gclab run --help)\n", a);
            return 2;
        }
    }
    if (!engine || !wname) {
        fprintf(stderr, "gclab run: both -e ENGINE and -w WORKLOAD are required (see gclab run --help)\n");
        return 2;
    }
    if (!gclab_engine_exists(engine)) {
        gclab_heap *none = gclab_heap_new(engine, NULL, err, sizeof err);
        (void)none;
        fprintf(stderr, "gclab run: %s\n", err);
        return 2;
    }
    const struct workload *wl = workload_find(wname);
    if (!wl) {
        fprintf(stderr, "gclab run: unknown workload '%s'; known workloads:", wname);
        for (int i = 0; workload_at(i); i++)
            fprintf(stderr, " %s", workload_at(i)->name);
        fprintf(stderr, "\n");
        return 2;
    }
    /* A parameter belongs to the workload if it names one of its
     * parameters, otherwise to the engine (or core's knobs). Every key is
     * owned by keys[] and freed at done, whatever path leaves. */
    int rc = 0;
    gclab_heap *h = NULL;
    for (size_t i = 0; i < nraw; i++) {
        const char *eq = strchr(raw[i], '=');
        if (!eq || eq == raw[i]) {
            fprintf(stderr, "gclab run: -p needs KEY=VALUE, got '%s'\n", raw[i]);
            rc = 2;
            goto done;
        }
        size_t klen = (size_t)(eq - raw[i]);
        for (size_t j = 0; j < i; j++)
            if (strncmp(raw[j], raw[i], klen) == 0 && raw[j][klen] == '=') {
                fprintf(stderr, "gclab run: parameter %.*s given twice (-p %s, -p %s)\n", (int)klen, raw[i],
                        raw[j], raw[i]);
                rc = 2;
                goto done;
            }
        char *key = strndup(raw[i], klen);
        if (!key) {
            fprintf(stderr, "gclab run: out of memory\n");
            rc = 2;
            goto done;
        }
        keys[nkeys++] = key;
        const char *val = eq + 1;
        bool is_wl = false;
        for (const struct gclab_param_spec *p = wl->params; p->name; p++)
            if (strcmp(p->name, key) == 0)
                is_wl = true;
        if (is_wl) {
            if (!workload_param_valid(wl, key, val, err, sizeof err)) {
                fprintf(stderr, "gclab run: %s\n", err);
                rc = 2;
                goto done;
            }
            wparams[nw++] = (struct gclab_kv){ key, val };
        } else {
            if (!gclab_param_valid(engine, key, val, err, sizeof err)) {
                bool engine_knob = false;
                const struct gclab_param_spec *sp;
                for (int k = 0; (sp = gclab_engine_param_at(engine, k)); k++)
                    engine_knob = engine_knob || strcmp(sp->name, key) == 0;
                fprintf(stderr, "gclab run: %s", err);
                if (!engine_knob) {
                    fprintf(stderr, "; workload '%s' takes:", wl->name);
                    for (const struct gclab_param_spec *p = wl->params; p->name; p++)
                        fprintf(stderr, " %s", p->name);
                }
                fprintf(stderr, "\n");
                rc = 2;
                goto done;
            }
            eparams[ne++] = (struct gclab_kv){ key, val };
        }
    }
    struct wl_ctx ctx = { .wl = wl, .nparams = nw, .params = wparams, .seed = seed };
    if (!workload_check(&ctx, err, sizeof err)) {
        fprintf(stderr, "gclab run: %s\n", err);
        rc = 2;
        goto done;
    }
    /* Output paths are checked before the run, so a run is never wasted on
     * a file that cannot be written (bench/outfile.c has the rule). */
    const char *outs[][2] = { { "--out", out }, { "--pauses", pauses_out }, { "--trace", trace_out } };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char oerr[PATH_MAX + 256];
        if (outs[i][1] && !outfile_check(outs[i][1], oerr, sizeof oerr)) {
            fprintf(stderr, "gclab run: %s: %s\n", outs[i][0], oerr);
            rc = 2;
            goto done;
        }
        for (size_t j = 0; j < i; j++)
            if (outs[i][1] && outs[j][1] && strcmp(outs[i][1], outs[j][1]) == 0) {
                fprintf(stderr, "gclab run: %s and %s name the same file '%s'\n", outs[j][0], outs[i][0],
                        outs[i][1]);
                rc = 2;
                goto done;
            }
    }

    struct gclab_config cfg = {
        .alloc = strcmp(alloc, "malloc") == 0 ? GCLAB_ALLOC_MALLOC : GCLAB_ALLOC_POOL,
        .heap_limit = (size_t)heap_limit,
        .heap_size = (size_t)heap_size,
        .nparams = ne,
        .params = eparams,
    };
    h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h) {
        fprintf(stderr, "gclab run: %s\n", err);
        rc = 2;
        goto done;
    }
    if (check) {   /* every argument is good and the heap starts: that was all */
        gclab_heap_free(h);
        goto done;
    }
    if (trace_out)
        gclab_set_sampler(h, trace_every, trace_sample, &tr);
    char what[256];
    snprintf(what, sizeof what, "%s on %s; nothing written", wl->name, engine);
    budget_arm_timeout(timeout_s, "gclab run", what);
    gclab_status st = wl->run(h, &ctx);
    if (st != GCLAB_OK || !ctx.measured) {
        budget_disarm();
        fprintf(stderr, "gclab run: %s on %s failed: %s: %s\n", wl->name, engine,
                gclab_status_name(st), gclab_error(h));
        gclab_heap_free(h);
        rc = 1;
        goto done;
    }

    /* Leaks: drop every root, collect fully, count what remains. */
    int64_t found;
    gclab_heap_drop_roots(h);
    gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
    budget_disarm();   /* the run is over: result files are never cut short */
    gclab_set_sampler(h, 0, NULL, NULL);
    struct gclab_stats end;
    gclab_heap_stats(h, &end);
    size_t np;
    const struct gclab_pause *pauses = gclab_pauses(h, &np);
    struct record_in in = {
        .engine = engine, .alloc = alloc, .heap_limit = (size_t)heap_limit,
        .heap_size = (size_t)heap_size,
        .repetition = (int)repetition, .ctx = &ctx, .pauses = pauses,
        .generations = gclab_generations(h), .leaked = end.live_objects,
        .leaked_bytes = end.live_bytes, .neparams = ne, .eparams = eparams,
    };
    if (trace_out)
        in.garbage = trace_garbage(&tr, &ctx, &in.garbage_peak_bytes, &in.garbage_mean_bytes,
                                   &in.garbage_samples);
    json_t *r = record_build(&in);
    char *text = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(9));
    /* Side files first, the record last: a record on disk means the run is complete. */
    if (pauses_out) {
        char *pt = pauses_text(pauses, engine, wl->name, &ctx);
        if (!pt || cli_write_atomic(pauses_out, pt) != 0)
            rc = 1;
        free(pt);
    }
    if (trace_out && rc == 0) {
        char *tt = trace_text(&tr, engine, wl->name, trace_every, &ctx);
        if (!tt || cli_write_atomic(trace_out, tt) != 0)
            rc = 1;
        free(tt);
    }
    if (json)
        printf("%s\n", text);
    else
        print_summary(r);
    if (out && rc == 0) {
        size_t n = strlen(text);
        char *line = malloc(n + 2);
        if (line) {
            memcpy(line, text, n);
            memcpy(line + n, "\n", 2);
            if (cli_write_atomic(out, line) != 0)
                rc = 1;
            free(line);
        }
    }
    free(text);
    json_decref(r);
    gclab_heap_free(h);
done:
    free(tr.s);
    gclab_walk_free(tr.walk);
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
    return rc;
missing:
    fprintf(stderr, "gclab run: option '%s' needs a value\n", argv[argc - 1]);
    return 2;
}
