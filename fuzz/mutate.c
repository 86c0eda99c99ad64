/* mutate.c — the structure-aware mutator of ops_target and diff_target
 * (their LLVMFuzzerCustomMutator calls fz_mutate). Byte-level mutation
 * rarely builds the shapes collectors get wrong: a cycle through a given
 * container kind, an old container pointing to a young one across a
 * collection, a chain deeper than a small mark stack. Half the time this
 * mutates at op granularity, at op boundaries the decoder itself reports
 * (fz_decode's op_at): splice one of the op templates of fuzz/templates.h
 * (written with the dictionaries by scripts/fuzz-seeds.py --dict: cycles
 * through every container kind, __del__ on a cycle, old-to-young edges,
 * one level deeper), duplicate or delete an op, repeat the ops of a run of
 * the input (deep chains from "deeper"), or set an engine knob pair in the
 * header (fz.h). The other half is libFuzzer's own mutation
 * (LLVMFuzzerMutate), which also mutates operands.
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "templates.h"

#define NTEMPLATES (sizeof fz_templates / sizeof fz_templates[0])

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Insert n bytes at pos (n <= max - size), moving the rest up. */
static size_t insert(uint8_t *data, size_t size, size_t max, size_t pos, const uint8_t *b, size_t n)
{
    if (n == 0 || size + n > max || pos > size)
        return size;
    memmove(data + pos + n, data + pos, size - pos);
    memcpy(data + pos, b, n);
    return size + n;
}

/* Byte offsets of the ops of data: *header the first op's offset; returns how many
 * (offsets in at[], at[n] = size). */
static int op_bounds(const uint8_t *data, size_t size, size_t *header, size_t *at)
{
    struct fz_input in;
    if (fz_decode(data, size, &in) != 0)
        return -1;
    *header = in.header_len;
    int n = in.nops;
    memcpy(at, in.op_at, (size_t)n * sizeof *at);
    at[n] = size;
    fz_input_free(&in);
    return n;
}

/* Set (or add) a knob pair in the header: an engine knob index 0-6 or verify (7),
 * and a value byte (fz.h: 2 = 1, 3 = 2, 4 = 3, 1 = 0; the rest scale the default). */
static size_t mutate_knob(uint8_t *data, size_t size, size_t max, uint32_t *rng)
{
    static const uint8_t values[] = { 1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 9 };
    if (size < 2)
        return size;
    int k = data[1] >> 6;
    uint8_t pair[2] = { (uint8_t)(next(rng) % 8), values[next(rng) % sizeof values] };
    if (pair[0] == 7)
        pair[1] = 2;   /* verify=2 */
    if (k < 3 && next(rng) % 2 && size + 2 <= max) {
        size = insert(data, size, max, 2 + 2 * (size_t)k, pair, 2);
        data[1] = (uint8_t)((data[1] & 0x3f) | (k + 1) << 6);
    } else if (k > 0 && size >= 2 + 2 * (size_t)k) {
        memcpy(data + 2 + 2 * (next(rng) % k), pair, 2);
    }
    return size;
}

size_t fz_mutate(uint8_t *data, size_t size, size_t max, unsigned seed)
{
    static int bytes_only = -1;   /* GCLAB_FUZZ_MUTATOR=bytes: libFuzzer's mutations alone */
    if (bytes_only < 0) {
        const char *e = getenv("GCLAB_FUZZ_MUTATOR");
        bytes_only = e && strcmp(e, "bytes") == 0;
    }
    uint32_t rng = seed * 2654435761u + 1;
    if (LLVMFuzzerMutate && (bytes_only || next(&rng) % 2 || size < 2))
        return LLVMFuzzerMutate(data, size, max);
    size_t at[FZ_MAX_OPS + 1], header;
    int n = op_bounds(data, size, &header, at);
    if (n < 0)
        return size;
    size_t pos = n ? at[next(&rng) % (n + 1)] : header;   /* an op boundary, the end included */
    switch (next(&rng) % 6) {
    case 0: case 1: {   /* splice a template */
        size_t t = next(&rng) % NTEMPLATES;
        return insert(data, size, max, pos, fz_templates[t].bytes, fz_templates[t].len);
    }
    case 2:             /* duplicate an op */
        if (n > 0) {
            int i = (int)(next(&rng) % n);
            uint8_t op[64];
            size_t len = at[i + 1] - at[i] < sizeof op ? at[i + 1] - at[i] : sizeof op;
            memcpy(op, data + at[i], len);
            return insert(data, size, max, pos, op, len);
        }
        return size;
    case 3:             /* delete an op */
        if (n > 1) {
            int i = (int)(next(&rng) % n);
            size_t len = at[i + 1] - at[i];
            memmove(data + at[i], data + at[i + 1], size - at[i + 1]);
            return size - len;
        }
        return size;
    case 4: {           /* repeat a run of up to 8 ops, 2-8 times, at its end */
        if (n == 0)
            return size;
        int i = (int)(next(&rng) % n), j = i + 1 + (int)(next(&rng) % 8);
        if (j > n)
            j = n;
        size_t len = at[j] - at[i];
        uint8_t run[512];
        if (len > sizeof run)
            return size;
        memcpy(run, data + at[i], len);
        for (int r = 2 + (int)(next(&rng) % 7); r > 0; r--)
            size = insert(data, size, max, at[j], run, len);
        return size;
    }
    default:
        return mutate_knob(data, size, max, &rng);
    }
}
