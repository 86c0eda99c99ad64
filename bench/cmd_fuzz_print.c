/* cmd_fuzz_print.c — `gclab fuzz-print FILE`: a fuzz input (fuzz/fz.h's
 * format; a crash file, a corpus entry) shown as what it runs: the heap
 * script the program prints as (core/script's printer), or, with --ops or
 * when the printer cannot spell some op, an op listing. A header comment
 * gives the engine and knobs the input selects, and what the harness adds:
 * the native global `fin` (a recorder; `def fin(x): pass` in CPython) and
 * that the fuzzers catch every error and go on with the next op.
 * Exit 0; 2 on a bad argument or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fz.h"
#include "script/script.h"

/* The program with only the helper functions main makes with FUNC (renumbered): the
 * printer writes a `def` where FUNC makes a function, so an unused helper has no place. */
static struct ops_program *prune(const struct ops_program *p)
{
    struct ops_program *q = ops_program_new();
    int map[64] = { 0 };
    if (!q || p->nfuncs > 64)
        goto fail;
    for (int i = 0; i < p->nstrs; i++)
        if (ops_str_add(q, p->strs[i].s, p->strs[i].len) != i)
            goto fail;
    const struct ops_func *m = &p->funcs[0];
    for (int pc = 0; pc < m->nops; pc++)
        if (m->ops[pc].code == OP_FUNC && !map[m->ops[pc].b]) {
            const struct ops_func *f = &p->funcs[m->ops[pc].b];
            int fi = ops_func_add(q, f->name, f->nargs, f->nslots);
            if (fi < 0)
                goto fail;
            map[m->ops[pc].b] = fi;
            for (int k = 0; k < f->nops; k++) {
                const struct ops_op *op = &f->ops[k];
                if (ops_emit(q, fi, op->code, op->a, op->b, op->c, op->d, op->line) < 0)
                    goto fail;
            }
        }
    q->funcs[0].nslots = m->nslots;
    for (int pc = 0; pc < m->nops; pc++) {
        const struct ops_op *op = &m->ops[pc];
        if (ops_emit(q, 0, op->code, op->a, op->code == OP_FUNC ? map[op->b] : op->b, op->c, op->d, op->line) < 0)
            goto fail;
    }
    return q;
fail:
    ops_program_free(q);
    return NULL;
}

int cmd_fuzz_print(int argc, char **argv)
{
    const char *path = NULL;
    bool ops = false;
    if (cli_wants_help(argc, argv)) {
        printf("usage: gclab fuzz-print FILE [--ops]\n");
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--ops") == 0) {
            ops = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gclab fuzz-print: unknown option %s\n", argv[i]);
            return 2;
        } else if (path) {
            fprintf(stderr, "gclab fuzz-print: one file at a time\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "usage: gclab fuzz-print FILE [--ops]\n");
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gclab fuzz-print: cannot open %s\n", path);
        return 2;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                fprintf(stderr, "gclab fuzz-print: out of memory\n");
                return 2;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "gclab fuzz-print: cannot read %s\n", path);
        return 2;
    }
    struct fz_input in;
    int rc = fz_decode(buf, len, &in);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "gclab fuzz-print: out of memory\n");
        return 2;
    }
    char err[256];
    struct ops_program *pruned = ops ? NULL : prune(in.prog);
    char *text = NULL;
    snprintf(err, sizeof err, "out of memory");
    if (pruned)
        text = script_print(pruned, err, sizeof err);
    ops_program_free(pruned);
    bool assigned;
    fz_engine_slot(in.engine_byte, &assigned);
    printf("# gclab fuzz input %s: %zu bytes, engine %s (byte %d%s), zeal=%u, check every %u op%s, %s allocator\n",
           path, len, fz_engine_name(&in), in.engine_byte, assigned ? "" : ", unassigned slot", in.zeal,
           in.check_every, in.check_every == 1 ? "" : "s", in.pool ? "pool" : "malloc");
    struct gclab_kv kv[FZ_MAX_PARAMS];
    char kbuf[FZ_MAX_PARAMS][48];
    int nk = fz_params(&in, fz_engine_name(&in), kv, kbuf);
    if (nk > 0) {
        printf("# knobs:");
        for (int i = 0; i < nk; i++)
            printf(" %s=%s", kv[i].key, kv[i].value);
        printf(" (a value the engine rejects keeps its default)\n");
    }
    printf("# The fuzzers run each op of main as if in try/except (an error skips the op) and\n"
           "# define the global fin (in CPython: def fin(x): pass).\n");
    if (text) {
        fputs(text, stdout);
        free(text);
    } else {
        if (!ops)
            printf("# (no script: %s)\n", err);
        ops_dump(in.prog, stdout);
    }
    fz_input_free(&in);
    return 0;
}
