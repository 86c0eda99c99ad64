/* workload.h — what a workload is and what it may call besides gclab.h.
 *
 * A workload is a C function driving the mutator API, registered by name in
 * workloads/registry.c with its parameters and their defaults. It has a
 * setup part and a measured part: it calls wl_measure_begin() when setup is
 * done and wl_measure_end() when the measured part is, and the run record
 * covers only what lies between. It sets ctx->result to a check value that
 * proves the work was done (so a broken engine can't look fast); the value
 * depends only on the parameters and the seed, never on the engine.
 */
#ifndef GCLAB_WORKLOAD_H
#define GCLAB_WORKLOAD_H

#include "gclab.h"

struct wl_ctx;

struct workload {
    const char *name;
    const char *summary;
    const struct gclab_param_spec *params;   /* typed, ranged, GCLAB_PEND-terminated (gclab.h) */
    /* Constraints between parameters (min_depth <= max_depth), checked before
     * the heap is made; false with a message. NULL: none. */
    bool (*check)(const struct wl_ctx *ctx, char *err, size_t errlen);
    /* Run once on h; GCLAB_OK or the status of the failing operation. */
    gclab_status (*run)(gclab_heap *h, struct wl_ctx *ctx);
};

struct wl_measure {
    uint64_t wall_ns, cpu_ns;
    struct gclab_stats st;
    size_t npauses;
};

struct wl_ctx {
    const struct workload *wl;
    size_t nparams;
    const struct gclab_kv *params;   /* as given on the command line */
    uint64_t seed;
    int64_t result;
    bool measuring, measured;
    struct wl_measure begin, end;
};

/* The workload named name, or NULL. */
const struct workload *workload_find(const char *name);
/* Workload i (0-based), NULL past the end. */
const struct workload *workload_at(int i);
/* Whether key=value is a parameter of wl with a value of its type in its range; message otherwise. */
bool workload_param_valid(const struct workload *wl, const char *key, const char *value,
                          char *err, size_t errlen);
/* Whether the parameters of ctx (given or default) meet wl's constraints between them. */
bool workload_check(const struct wl_ctx *ctx, char *err, size_t errlen);

/* Integer parameter (given or default). */
int64_t wl_param_int(const struct wl_ctx *ctx, const char *name);
/* Decimal parameter (given or default). */
double wl_param_double(const struct wl_ctx *ctx, const char *name);
/* Setup is done: start measuring. */
void wl_measure_begin(gclab_heap *h, struct wl_ctx *ctx);
/* The measured part is done. */
void wl_measure_end(gclab_heap *h, struct wl_ctx *ctx);

/* A small, fast, seeded PRNG (splitmix64), the same on every engine. */
static inline uint64_t wl_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Evaluate an API call; on error, return its status from the workload. */
#define WL_TRY(call)                          \
    do {                                      \
        gclab_status wl_st_ = (call);         \
        if (wl_st_ != GCLAB_OK)               \
            return wl_st_;                    \
    } while (0)

#endif
