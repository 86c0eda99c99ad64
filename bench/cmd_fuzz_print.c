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
    char *text = ops ? NULL : script_print(in.prog, err, sizeof err);
    printf("# gclab fuzz input %s: %zu bytes, engine %s (byte %d), zeal=%u, check every %u op%s, %s allocator\n",
           path, len, fz_engine_name(&in), in.engine_byte, in.zeal, in.check_every, in.check_every == 1 ? "" : "s",
           in.pool ? "pool" : "malloc");
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
