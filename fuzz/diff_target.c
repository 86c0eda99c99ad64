/* diff_target.c — differential fuzzing: the same program (fuzz/decode.c; the
 * engine byte is ignored) runs on every registered engine, and what the
 * program can observe must be the same on all of them: the status of each
 * op, the value it wrote (kind, and value or length), the order in which ops
 * ran, and PRINT's output with addresses and weakref states blanked.
 * Results that legitimately differ between engines (id(), getrefcount(),
 * gc.collect()'s count, the gc.* queries, a weakref's referent) are replaced
 * by None on every engine before the program can look at them. A run that
 * uses up FZ_OP_BUDGET (helpers called by the collector: engine-dependent)
 * is not compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

/* Structure-aware mutation (fuzz/mutate.c): op templates spliced at op boundaries. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
    return fz_mutate(data, size, max, seed);
}

/* The first differing line of a and b, printed. */
static void show_diff(const char *what, const char *ea, const char *a, size_t na, const char *eb, const char *b,
                      size_t nb)
{
    size_t i = 0, line = 1, start = 0;
    while (i < na && i < nb && a[i] == b[i]) {
        if (a[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    const char *la = a + start, *lb = b + start;
    const char *enda = memchr(la, '\n', na - start), *endb = memchr(lb, '\n', nb - start);
    fprintf(stderr, "gclab fuzz: engines differ in %s at line %zu:\n  %-10s %.*s\n  %-10s %.*s\n", what, line, ea,
            (int)(enda ? enda - la : (int)(na - start)), la, eb, (int)(endb ? endb - lb : (int)(nb - start)), lb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in;
    if (fz_decode(data, size, &in) != 0)
        abort();
    struct fz_observed ref = { 0 }, cur;
    const char *ref_name = NULL, *name, *summary;
    for (int i = 0; gclab_engine_info(i, &name, &summary); i++) {
        if (fz_run_observed(&in, name, &cur) != 0)
            abort();
        if (cur.exhausted || ref.exhausted) {
            /* where the op budget cut the run short is engine-dependent: no verdict */
            fz_observed_free(&cur);
            break;
        }
        if (!ref_name) {
            ref = cur;
            ref_name = name;
            continue;
        }
        bool same_trace = cur.tracelen == ref.tracelen && memcmp(cur.trace, ref.trace, cur.tracelen) == 0;
        bool same_out = cur.outlen == ref.outlen && memcmp(cur.out, ref.out, cur.outlen) == 0;
        if (!same_trace)
            show_diff("the op trace", ref_name, ref.trace, ref.tracelen, name, cur.trace, cur.tracelen);
        if (!same_out)
            show_diff("printed output", ref_name, ref.out, ref.outlen, name, cur.out, cur.outlen);
        if (!same_trace || !same_out)
            abort();
        fz_observed_free(&cur);
    }
    fz_observed_free(&ref);
    fz_input_free(&in);
    return 0;
}
