/* script_target.c — fuzzes the heap-script front end (core/script/): any
 * bytes go to script_compile, which must either refuse them with a
 * "FILE:LINE:COL: error:" message or produce a program that ops_validate
 * accepts. A compiled program then runs on rc under a budget of ops (so a
 * `for` over a huge range cannot hang the fuzzer) and a shallow frame limit,
 * and, once the printer exists (script_print returns text), printing it and
 * compiling the text again must give the same ops (ops_program_equal).
 * Crashes, sanitizer reports, leaks and hangs are the bugs; a failed
 * round trip aborts with both programs' first difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "script/script.h"

#define SCRIPT_BUDGET 20000   /* ops run at most, every function together */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gclab_status budget(void *ctx, gclab_heap *h, int func, int pc, bool after, gclab_status st)
{
    long *left = ctx;
    (void)func, (void)pc;
    if (!after && --*left < 0)
        return gclab_raise(h, GCLAB_EUSAGE, "script fuzz: op budget spent");
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct ops_program *p = script_compile((const char *)data, size, "fuzz.py", err, sizeof err);
    if (!p) {
        if (!strstr(err, "fuzz.py:") || !strstr(err, "error")) {
            fprintf(stderr, "gclab fuzz: script refused without a located error: %s\n", err);
            abort();
        }
        return 0;
    }
    if (ops_validate(p, err, sizeof err) != 0) {
        fprintf(stderr, "gclab fuzz: the compiler made an invalid program: %s\n", err);
        abort();
    }
    char *text = script_print(p, err, sizeof err);
    if (text) {
        char err2[512];
        struct ops_program *q = script_compile(text, strlen(text), "printed.py", err2, sizeof err2);
        if (!q) {
            fprintf(stderr, "gclab fuzz: the printed script does not compile: %s\n%s\n", err2, text);
            abort();
        }
        if (!ops_program_equal(p, q, err2, sizeof err2)) {
            fprintf(stderr, "gclab fuzz: printing and compiling again changed the program: %s\n%s\n", err2, text);
            abort();
        }
        ops_program_free(q);
        free(text);
    }
    struct gclab_config cfg = { 0 };
    cfg.max_depth = 64;
    gclab_heap *h = gclab_heap_new("rc", &cfg, err, sizeof err);
    if (!h)
        abort();
    long left = SCRIPT_BUDGET;
    p->rt.step = budget;
    p->rt.step_ctx = &left;
    FILE *sink = fopen("/dev/null", "w");
    ops_run(h, p, sink, NULL);
    if (sink)
        fclose(sink);
    gclab_heap_free(h);
    ops_program_free(p);
    return 0;
}
