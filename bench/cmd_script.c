/* cmd_script.c — `gclab script FILE`: compile a heap script (a Python subset,
 * core/script/README.md) to ops and run it on one engine.
 *
 * Exit status, as the issue fixes it:
 *   0  the script ran to its end
 *   1  a failed assert ("FILE:LINE: assertion failed: <source>") or a runtime
 *      error ("FILE:LINE: <ExceptionName>: <message>")
 *   2  bad usage, an unreadable file, or a script outside the subset
 *      ("FILE:LINE:COL: error: <what>"); nothing has run
 *   3  --max-steps N: N ops ran and the script had not ended
 *      ("FILE:LINE: stopped after N ops (--max-steps)")
 *   4  --timeout S: S seconds of wall time passed (bench/budget.c)
 *
 * At the end, as CPython's shutdown does, every root is dropped (so __del__
 * and weakref callbacks of what was still referenced run now) and a full
 * collection runs; what is still allocated after that is `leaked`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cli.h"
#include "record.h"
#include "script/script.h"

#define MAX_PARAMS 64

static const char script_help[] =
    "usage: gclab script FILE [-e ENGINE] [-p KEY=VALUE]... [--json] [--print | --dump]\n"
    "                    [--heap-limit B] [--max-steps N] [--timeout S]\n"
    "\n"
    "Runs a heap script: a subset of Python that also runs under python3\n"
    "(see core/script/README.md). Prints what the script prints.\n"
    "\n"
    "  -e, --engine ENGINE   collector engine (default rcgen if built, else rc)\n"
    "  -p KEY=VALUE          an engine knob, e.g. threshold0=700 or zeal=1\n"
    "      --json            after the script's output, print the run record\n"
    "      --heap-limit B    fail with MemoryError past B live bytes (0: no limit)\n"
    "      --max-steps N     stop after N ops executed (exit 3), e.g. for\n"
    "                        `while True: pass`; 0 or absent: no limit\n"
    "      --timeout S       stop after S seconds of wall time (exit 4)\n"
    "      --print           do not run: print the compiled ops back as a script\n"
    "      --dump            do not run: list the compiled ops\n"
    "\n"
    "Exit status: 0 ran to the end; 1 failed assert or runtime error\n"
    "(FILE:LINE: ...); 2 bad usage or a script outside the subset\n"
    "(FILE:LINE:COL: error: ...), in which case nothing ran; 3 --max-steps\n"
    "reached; 4 --timeout reached.\n";

static const struct gclab_param_spec no_params[] = { GCLAB_PEND };
static const struct workload script_workload = { .name = "script", .summary = "a heap script", .params = no_params };

/* --max-steps: the step hook counts ops before each one runs. */
struct step_budget {
    uint64_t max, used;
    bool exhausted;
};

static gclab_status count_step(void *ctx, gclab_heap *h, int func, int pc, bool after, gclab_status st)
{
    struct step_budget *b = ctx;
    (void)func;
    (void)pc;
    if (after)
        return st;
    if (b->exhausted || ++b->used > b->max) {
        b->exhausted = true;
        return gclab_raise(h, GCLAB_EUNSUPPORTED, "stopped after %llu ops (--max-steps)",
                           (unsigned long long)b->max);
    }
    return GCLAB_OK;
}

/* The whole file, NUL-terminated; NULL with a message on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gclab script: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "gclab script: cannot read %s%s\n", path, buf ? "" : ": too large or out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

int cmd_script(int argc, char **argv)
{
    const char *file = NULL, *engine = NULL;
    bool json = false, print = false, dump = false;
    struct gclab_kv eparams[MAX_PARAMS];
    size_t ne = 0;
    uint64_t heap_limit = 0;
    struct step_budget steps = { 0, 0, false };
    double timeout_s = 0;
    char err[1024];
    int rc = 2;

    if (cli_wants_help(argc, argv)) {
        fputs(script_help, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-e") == 0 || strcmp(a, "--engine") == 0) {
            if (++i >= argc)
                goto missing;
            engine = argv[i];
        } else if (strncmp(a, "--engine=", 9) == 0) {
            engine = a + 9;
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "--param") == 0) {
            if (++i >= argc)
                goto missing;
            const char *eq = strchr(argv[i], '=');
            if (!eq || eq == argv[i]) {
                fprintf(stderr, "gclab script: -p needs KEY=VALUE, got '%s'\n", argv[i]);
                goto out;
            }
            if (ne == MAX_PARAMS) {
                fprintf(stderr, "gclab script: too many -p options\n");
                goto out;
            }
            char *key = strndup(argv[i], (size_t)(eq - argv[i]));
            if (!key) {
                fprintf(stderr, "gclab script: out of memory\n");
                goto out;
            }
            eparams[ne++] = (struct gclab_kv){ key, eq + 1 };
        } else if (strcmp(a, "--heap-limit") == 0) {
            if (++i >= argc)
                goto missing;
            if (!gclab_parse_int(argv[i], 0, GCLAB_PARAM_INT_MAX, &heap_limit)) {
                fprintf(stderr, "gclab script: --heap-limit needs a byte count (0: no limit), got '%s'\n",
                        argv[i]);
                goto out;
            }
        } else if (strcmp(a, "--max-steps") == 0) {
            if (++i >= argc)
                goto missing;
            if (!gclab_parse_int(argv[i], 0, GCLAB_PARAM_INT_MAX, &steps.max)) {
                fprintf(stderr, "gclab script: --max-steps needs a count of ops, got '%s'\n", argv[i]);
                goto out;
            }
        } else if (strcmp(a, "--timeout") == 0) {
            if (++i >= argc)
                goto missing;
            if (!budget_parse_seconds(argv[i], &timeout_s)) {
                fprintf(stderr, "gclab script: --timeout needs seconds in (0, 1000000], got '%s'\n", argv[i]);
                goto out;
            }
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--print") == 0) {
            print = true;
        } else if (strcmp(a, "--dump") == 0) {
            dump = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gclab script: unknown argument '%s' (see gclab script --help)\n", a);
            goto out;
        } else if (file) {
            fprintf(stderr, "gclab script: more than one FILE ('%s' and '%s')\n", file, a);
            goto out;
        } else {
            file = a;
        }
    }
    if (!file) {
        fprintf(stderr, "gclab script: FILE is required (see gclab script --help)\n");
        goto out;
    }
    if (!engine)
        engine = gclab_engine_exists("rcgen") ? "rcgen" : "rc";
    if (!gclab_engine_exists(engine)) {
        fprintf(stderr, "gclab script: unknown engine '%s'; known engines:", engine);
        const char *n, *s;
        for (int i = 0; gclab_engine_info(i, &n, &s); i++)
            fprintf(stderr, " %s", n);
        fprintf(stderr, "\n");
        goto out;
    }
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(eparams[i].key, eparams[j].key) == 0) {
                fprintf(stderr, "gclab script: parameter %s given twice (-p %s=%s, -p %s=%s)\n", eparams[i].key,
                        eparams[j].key, eparams[j].value, eparams[i].key, eparams[i].value);
                goto out;
            }
    for (size_t i = 0; i < ne; i++)
        if (!gclab_param_valid(engine, eparams[i].key, eparams[i].value, err, sizeof err)) {
            fprintf(stderr, "gclab script: %s\n", err);
            goto out;
        }

    size_t len;
    char *src = read_file(file, &len);
    if (!src)
        goto out;
    struct ops_program *prog = script_compile(src, len, file, err, sizeof err);
    free(src);
    if (!prog) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (print || dump) {
        if (dump)
            ops_dump(prog, stdout);
        if (print) {
            char *text = script_print(prog, err, sizeof err);
            if (!text) {
                fprintf(stderr, "gclab script: cannot print: %s\n", err);
                ops_program_free(prog);
                rc = 1;
                goto out;
            }
            fputs(text, stdout);
            free(text);
        }
        ops_program_free(prog);
        rc = 0;
        goto out;
    }

    /* CPython's default recursion limit. */
    struct gclab_config cfg = { .heap_limit = (size_t)heap_limit, .nparams = ne, .params = eparams,
                                .max_depth = 1000 };
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h) {
        fprintf(stderr, "gclab script: %s\n", err);
        ops_program_free(prog);
        goto out;
    }
    struct wl_ctx ctx = { .wl = &script_workload, .seed = 0 };
    struct ops_error where;
    if (steps.max) {
        prog->rt.step = count_step;
        prog->rt.step_ctx = &steps;
    }
    budget_arm_timeout(timeout_s, "gclab script", file);
    wl_measure_begin(h, &ctx);
    /* print allocates as CPython 3.11's does with this stdout (interp.c). */
    gclab_set_stdout_mode(h, gclab_stdout_mode_for(fileno(stdout)));
    gclab_status st = gclab_module_init(h);
    if (st == GCLAB_OK)
        st = ops_run(h, prog, stdout, &where);
    wl_measure_end(h, &ctx);
    rc = 0;
    if (steps.exhausted) {
        /* Out of budget: no shutdown (its __del__s would run ops too), no record. */
        budget_disarm();
        fflush(stdout);
        fprintf(stderr, "%s:%d: stopped after %llu ops (--max-steps)\n", file, where.line,
                (unsigned long long)steps.max);
        gclab_heap_free(h);
        ops_program_free(prog);
        rc = EXIT_MAX_STEPS;
        goto out;
    }
    if (st != GCLAB_OK) {
        fflush(stdout);
        const char *msg = gclab_error(h);
        if (st == GCLAB_EASSERT)
            fprintf(stderr, "%s:%d: assertion failed: %s\n", file, where.line, msg);
        else
            fprintf(stderr, "%s:%d: %s: %s\n", file, where.line,
                    strncmp(msg, "cannot access local variable", 28) == 0 ? "UnboundLocalError"
                                                                          : gclab_status_name(st),
                    msg);
        rc = 1;
    }
    ctx.result = rc;

    /* Shutdown, as CPython's: drop the roots (finalizers run), collect, count what is left. */
    int64_t found;
    gclab_heap_shutdown(h);
    gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
    budget_disarm();
    fflush(stdout);
    if (json) {
        struct gclab_stats end;
        gclab_heap_stats(h, &end);
        size_t np;
        const struct gclab_pause *pauses = gclab_pauses(h, &np);
        struct record_in in = {
            .engine = engine, .alloc = "pool", .heap_limit = (size_t)heap_limit, .ctx = &ctx,
            .pauses = pauses, .generations = gclab_generations(h), .leaked = end.live_objects,
            .leaked_bytes = end.live_bytes, .neparams = ne, .eparams = eparams,
        };
        json_t *r = record_build(&in);
        json_object_set_new(r, "script", json_string(file));
        json_object_set_new(r, "status", json_string(st == GCLAB_OK ? "ok" : gclab_status_name(st)));
        char *text = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(9));
        printf("%s\n", text);
        free(text);
        json_decref(r);
    }
    gclab_heap_free(h);
    ops_program_free(prog);
out:
    for (size_t i = 0; i < ne; i++)
        free((void *)eparams[i].key);
    return rc;
missing:
    fprintf(stderr, "gclab script: option '%s' needs a value\n", argv[argc - 1]);
    rc = 2;
    goto out;
}
