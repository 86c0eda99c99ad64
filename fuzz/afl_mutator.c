/* afl_mutator.c — fuzz/mutate.c as an AFL++ custom mutator (AFL++ 4.04c's
 * C API), built as build/fuzz/afl-mutator.so and loaded by afl-fuzz through
 * AFL_CUSTOM_MUTATOR_LIBRARY for ops_target and diff_target (their inputs
 * share the format of fz.h; script_target's do not).
 *
 * afl-fuzz runs this stage before its own havoc, and keeps havoc (no
 * AFL_CUSTOM_MUTATOR_ONLY): AFL++ mutates bytes and operands, this mutates
 * at op boundaries (fz_mutate: op templates, duplicate/delete/repeat ops,
 * engine knobs). There is no LLVMFuzzerMutate in afl-fuzz, so every call of
 * fz_mutate here is a structure-aware one. One call in four instead splices
 * a run of ops of AFL++'s splice partner (add_buf) in at an op boundary,
 * which byte-level splicing, cutting inside operands, rarely does.
 *
 * Inputs are kept to FZ_AFL_MAX bytes, the -max_len libFuzzer runs use
 * (scripts/fuzz-run.sh), unless AFL++ hands a longer one (then no growth).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

#define FZ_AFL_MAX 1024

struct afl_mut {
    uint32_t seed;
    size_t cap;
    uint8_t *buf;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    struct afl_mut *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->seed = seed * 2654435761u + 1;
    return m;
}

static uint32_t afl_next(struct afl_mut *m)
{
    m->seed ^= m->seed << 13;
    m->seed ^= m->seed >> 17;
    m->seed ^= m->seed << 5;
    return m->seed;
}

/* Splice ops [i, j) of add (up to 8 of them) into m->buf (size bytes) at one of
 * its op boundaries; returns the new size (size when either does not decode). */
static size_t afl_splice(struct afl_mut *m, size_t size, size_t max, const uint8_t *add, size_t add_size)
{
    struct fz_input in, other;
    if (fz_decode(m->buf, size, &in) != 0)
        return size;
    int k = (int)(afl_next(m) % (unsigned)(in.nops + 1));
    size_t pos = k < in.nops ? in.op_at[k] : size;   /* an op boundary, the end included */
    fz_input_free(&in);
    if (fz_decode(add, add_size, &other) != 0)
        return size;
    size_t from = 0, to = 0;
    if (other.nops > 0) {
        int i = (int)(afl_next(m) % (unsigned)other.nops);
        int j = i + 1 + (int)(afl_next(m) % 8);
        from = other.op_at[i];
        to = j < other.nops ? other.op_at[j] : add_size;
    }
    fz_input_free(&other);
    size_t n = to - from;
    if (n == 0 || size + n > max)
        return size;
    memmove(m->buf + pos + n, m->buf + pos, size - pos);
    memcpy(m->buf + pos, add + from, n);
    return size + n;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
    struct afl_mut *m = data;
    size_t max = max_size < FZ_AFL_MAX ? max_size : FZ_AFL_MAX;
    if (max < buf_size)
        max = buf_size;
    if (m->cap < max) {
        uint8_t *b = realloc(m->buf, max);
        if (!b) {
            *out_buf = buf;   /* out of memory: the input unchanged */
            return buf_size;
        }
        m->buf = b;
        m->cap = max;
    }
    memcpy(m->buf, buf, buf_size);
    size_t size;
    if (add_buf && add_buf_size && afl_next(m) % 4 == 0)
        size = afl_splice(m, buf_size, max, add_buf, add_buf_size);
    else
        size = fz_mutate(m->buf, buf_size, max, afl_next(m));
    *out_buf = m->buf;
    return size;
}

void afl_custom_deinit(void *data)
{
    struct afl_mut *m = data;
    if (m)
        free(m->buf);
    free(m);
}
