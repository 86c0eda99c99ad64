/* engine.h — the collector API: what an engine implements, and what core
 * provides to engines. Workloads, fuzzers and the CLI never include this.
 *
 * An engine is a table of functions plus a name, a summary and a set of
 * capability facts (struct gclab_engine_caps). Core, the CLI and the tests
 * branch on the facts, never on the name; names are compared only in
 * engines/registry.c. Read engines/nogc.c first: it is the template.
 */
#ifndef GCLAB_ENGINE_H
#define GCLAB_ENGINE_H

#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "gclab.h"
#include "mutant.h"
#include "object.h"

/* =====================================================================
 * Facts an engine declares
 * ===================================================================== */

struct gclab_engine_caps {
    bool refcounts;        /* core keeps obj->refcnt and calls release() at zero */
    bool collects_cycles;  /* a dropped cycle is reclaimed by a full collection */
    bool finalizers;       /* __del__ runs when an object dies */
    bool precise;          /* knows every root exactly (false for conservative bdw) */
    int generations;       /* elements in `collections` (1 for non-generational) */
};

struct gclab_param_spec {
    const char *name;
    const char *dflt;      /* default as text */
    const char *help;
};

/* =====================================================================
 * The table
 * ===================================================================== */

struct gclab_engine {
    const char *name;
    const char *summary;
    struct gclab_engine_caps caps;
    const struct gclab_param_spec *params;   /* engine knobs, {NULL}-terminated */
    const struct gclab_mutant *const *mutants;  /* planted bugs (core/mutant.h), NULL-terminated; may be NULL */

    /* -- lifecycle -- */
    /* Set up engine state in h->es; params via heap_param_*(). */
    gclab_status (*init)(gclab_heap *h);
    /* Release engine state; core then releases the allocator and every block in it. */
    void (*fini)(gclab_heap *h);

    /* -- mutator hot path -- */
    /* Memory for a new object of `bytes`, header zeroed; may collect first. NULL = heap limit. */
    gclab_obj *(*alloc)(gclab_heap *h, size_t bytes, int kind);
    /* o is fully built and about to be stored: track it if the engine keeps lists. */
    void (*track)(gclab_heap *h, gclab_obj *o);
    /* Refcount engines: o's count fell to zero. */
    void (*release)(gclab_heap *h, gclab_obj *o);
    /* d is about to hold key -> value (NULL: nothing to do). */
    void (*dict_insert)(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_obj *value);
    /* Variable storage (list items...); NULL means core's allocator. */
    void *(*mem_alloc)(gclab_heap *h, size_t n);
    void (*mem_free)(gclab_heap *h, void *p, size_t n);

    /* -- collection -- */
    /* Collect generation gen (and younger); unreachable objects found, or -1 with an error set. */
    int64_t (*collect)(gclab_heap *h, int gen);

    /* -- introspection (NULL: core answers "none" or GCLAB_EUNSUPPORTED) -- */
    int (*get_count)(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
    int (*get_threshold)(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
    gclab_status (*set_threshold)(gclab_heap *h, int n, const int64_t *v);
    /* Call fn on each object the collector tracks in gen (-1: all). */
    void (*foreach_tracked)(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx);
    gclab_status (*freeze)(gclab_heap *h, int on);
    int64_t (*freeze_count)(gclab_heap *h);
    /* Heap bytes held from the OS when not from core's allocator (bdw). */
    uint64_t (*heap_bytes)(gclab_heap *h);
    /* Whole-heap consistency check; returns 0 or prints the problem and returns -1. */
    int (*verify)(gclab_heap *h);
};

/* =====================================================================
 * Provided by core
 * ===================================================================== */

struct frame { size_t base; int nslots; gclab_obj *ret; };

struct gclab_heap {
    const struct gclab_engine *eng;
    uint64_t id;                     /* gclab_heap_id: unique in the process */
    void *es;                        /* engine state */
    alloc_t *alloc;
    bool refcounts;                  /* eng->caps.refcounts, cached for the hot path */
    bool gc_enabled;
    int debug_flags;                 /* GCLAB_DEBUG_* */
    int collecting;                  /* >0 while a collection runs */
    size_t heap_limit;

    /* shadow stack */
    gclab_obj **slots;
    size_t nslots_used, nslots_cap;
    struct frame *frames;
    int depth, frames_cap, max_depth;

    /* roots owned by core */
    bool roots_dropped;              /* after gclab_heap_drop_roots: never recreated */
    gclab_obj *globals;              /* dict */
    gclab_obj *garbage;              /* gc.garbage list */
    gclab_obj *callbacks;            /* gc.callbacks list */

    /* immortals */
    gclab_obj *small_ints[262];      /* -5..256 */
    struct intern_table *interned;

    /* knobs */
    struct gclab_kv *params;
    size_t nparams;
    uint64_t zeal, zeal_count;
    int verify_level;

    /* accounting */
    struct gclab_stats st;
    struct gclab_gen_stats gen_stats[GCLAB_MAX_GENS];
    struct gclab_pause *pauses;
    size_t npauses, pauses_cap;
    uint64_t pause_start_ns;
    gclab_sample_fn sample_fn;       /* heap-over-time sampler (bench --trace), or NULL */
    void *sample_ctx;
    uint64_t sample_every, sample_count;

    gclab_status err_status;
    char err[256];
};

/* -- errors -- */
/* Set the heap's error and return the status (printf-style message). */
gclab_status heap_error(gclab_heap *h, gclab_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* -- knobs -- */
/* The value of knob name (the engine's default if not given). */
const char *heap_param(gclab_heap *h, const char *name);
/* heap_param as a number; *ok false if it does not parse. */
double heap_param_double(gclab_heap *h, const char *name, bool *ok);

/* -- memory through core's allocator, with accounting -- */
/* Object memory from core's allocator (zeroed); NULL past the heap limit. */
gclab_obj *core_alloc_object(gclab_heap *h, size_t bytes);
/* Return object memory to core's allocator. */
void core_free_object_memory(gclab_heap *h, gclab_obj *o);
/* Whether allocating n more bytes stays under the heap limit. */
bool core_within_limit(gclab_heap *h, size_t n);

/* -- object death, in the order an engine performs it -- */
/* Run o's __del__ (if any) once, in a new frame holding o; errors are reported and ignored. */
void core_run_finalizer(gclab_heap *h, gclab_obj *o);
/* Clear every weakref to o; if call_callbacks, call their callbacks (each weakref kept alive across its call). */
void core_clear_weakrefs(gclab_heap *h, gclab_obj *o, bool call_callbacks);
/* Detach a dying weakref from its target's list. */
void core_weakref_unlink(gclab_obj *wr);
/* Release o's variable storage and unlink a weakref from its target (the objects o
 * refers to are not released: trace and clear those first). */
void core_free_storage(gclab_heap *h, gclab_obj *o);
/* Count o as dead and free its memory via the engine (or core's allocator). */
void core_obj_dead(gclab_heap *h, gclab_obj *o);

/* -- core-owned lists -- */
/* Append v to the list object l (e.g. gc.garbage under DEBUG_SAVEALL); allocates storage only. */
gclab_status list_append_obj(gclab_heap *h, gclab_obj *l, gclab_obj *v);

/* -- refcounts (engines with caps.refcounts) -- */
static inline void obj_incref(gclab_obj *o) { o->refcnt++; }
static inline void obj_decref(gclab_heap *h, gclab_obj *o)
{
    if (--o->refcnt == 0)
        h->eng->release(h, o);
}

/* -- the pending-free stack of refcount engines, threaded through gc_next -- */
/* Reverse the part of the stack pushed after `mark`, so it pops in push order. */
static inline void obj_stack_reverse_since(gclab_obj **top, gclab_obj *mark)
{
    gclab_obj *rev = mark, *o = *top;
    while (o != mark) {
        gclab_obj *next = o->gc_next;
        o->gc_next = rev;
        rev = o;
        o = next;
    }
    *top = rev;
}

/* -- roots -- */
/* Visit every root field: frame slots, return registers, globals, gc.garbage, gc.callbacks. */
void gclab_trace_roots(gclab_heap *h, gclab_visit_fn fn, void *ctx);

/* -- events: engines bracket every collection with these -- */
/* A collection of gen starts: runs gc.callbacks("start"), then starts the pause clock. */
void core_event_collect_start(gclab_heap *h, int gen);
/* It ended: stops the clock, logs the pause, counts it, runs gc.callbacks("stop"). */
void core_event_collect_end(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable);
/* A collection the engine could not bracket (it ran inside a foreign allocator, bdw) took
 * dur_ns from start_ns: runs gc.callbacks "start" and "stop" after the fact and logs the pause. */
void core_event_collect_logged(gclab_heap *h, int gen, uint64_t start_ns, uint64_t dur_ns,
                               int64_t collected, int64_t uncollectable);

/* A monotonic clock in nanoseconds. */
uint64_t gclab_now_ns(void);

/* Fatal internal-invariant failure (a collector bug): message and abort. */
#define GCLAB_ASSERT(cond)                                                    \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: gclab invariant failed: %s\n", __FILE__,  \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* The registry (engines/registry.c). */
const struct gclab_engine *gclab_engine_find(const char *name);
const struct gclab_engine *gclab_engine_at(int i);

#endif
