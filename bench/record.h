/* record.h — building the run record (JSON) from a finished run. */
#ifndef GCLAB_RECORD_H
#define GCLAB_RECORD_H

#include <jansson.h>

#include "workload.h"

struct record_in {
    const char *engine;
    const char *alloc;                 /* "pool" or "malloc" */
    size_t heap_limit;
    size_t heap_size;            /* --heap-size, 0 when not given */
    int repetition;
    const struct wl_ctx *ctx;          /* measured window and result */
    const struct gclab_pause *pauses;  /* the whole pause log */
    int generations;
    uint64_t leaked, leaked_bytes;
    size_t neparams;
    const struct gclab_kv *eparams;
    /* Traced runs only: garbage (unreachable, not yet freed) over the measured window. */
    bool garbage;
    uint64_t garbage_peak_bytes, garbage_mean_bytes, garbage_samples;
};

/* The record of one run, as a new JSON object. */
json_t *record_build(const struct record_in *in);
/* The machine description (cpu, cores, os, host). */
json_t *record_machine(void);
/* The commit this binary was built from (`gclab --version` prints it). */
const char *record_commit(void);

#endif
