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

/* struct gclab_engine_caps, the facts an engine declares, is in gclab.h
 * (the mutator side reads them too). */

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
    /* Set up engine state (core_set_es); params via heap_param_*(). */
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
    /* Refcount engines, optional (NULL: none, and free: one predictable
     * branch on a cached pointer). on_incref: o's count was just raised by
     * one. on_decref_live: o's count was just lowered and is still above
     * zero (what Bacon-Rajan buffers as a possible root). Both see every
     * counted object, immortals included (obj_is_immortal tells); neither
     * may run mutator code or free anything. Core's stores, frames and
     * dict iteration reach them through obj_incref/obj_decref; an engine
     * that lowers counts itself (releasing a dying object's children)
     * calls on_decref_live there itself if it needs it. */
    void (*on_incref)(gclab_heap *h, gclab_obj *o);
    void (*on_decref_live)(gclab_heap *h, gclab_obj *o);
    /* d is about to hold key -> value (NULL: nothing to do). */
    void (*dict_insert)(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_obj *value);
    /* Write barrier, in both forms (each NULL: none; free when absent).
     * barrier_pre runs before a store, *field still holding old; barrier_post
     * runs after it, *field holding nw. Both get both values, so a
     * snapshot-at-the-beginning (Yuasa: shade old in pre) and an
     * incremental-update (Dijkstra/Steele: shade nw, or re-grey owner, in
     * post) collector can be written. A deletion is a store of nw == NULL;
     * old is NULL when the field was empty (a new object's first stores).
     *
     * Reported, with owner = the object whose field it is:
     *   - every store into a reference field obj_trace visits: tuple items
     *     (at creation), list items (append, set), dict keys and values
     *     (set; the globals are the entries of the globals dict, an ordinary
     *     object), class init/del/dict, instance cls and attribute values,
     *     a weakref's callback;
     *   - every deletion from such a field: list pop/del (the removed item;
     *     the items after it then move down one place, not reported), dict
     *     del (key, then value), attribute del, a weakref's callback dropped
     *     when its target dies (core_clear_weakrefs).
     * Reported with owner == NULL (roots):
     *   - stores into frame slots (every mutator result, arguments of a call,
     *     the frame core_call pushes), the return register, and core's root
     *     words (globals dict, gc.garbage, gc.callbacks);
     *   - their deletions: gclab_clear, each non-empty slot and the return
     *     register when a frame pops, gclab_heap_drop_roots.
     * Not reported: moves inside one object's storage (a list or dict table
     * growing or compacting, items shifting after a removal: the object holds
     * the same references), a weakref's target (weak), attribute names and
     * class/func names (immortal interned strs), and the collector's own
     * writes (engines clearing the fields of garbage, core_free_storage).
     * Order of one store: barrier_pre, the new value's reference taken,
     * the store, barrier_post, then the old value's reference released
     * (refcount engines): old is a valid object in both hooks. The hooks
     * must not allocate, collect or run mutator code. */
    void (*barrier_pre)(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old,
                        gclab_obj *nw);
    void (*barrier_post)(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old,
                         gclab_obj *nw);
    /* Variable storage (list items...) of object owner, n bytes, zeroed; NULL means
     * core's allocator. The owner lets a generational engine tell an old object's new
     * storage from a young one's (genms). */
    void *(*mem_alloc)(gclab_heap *h, gclab_obj *owner, size_t n);
    void (*mem_free)(gclab_heap *h, gclab_obj *owner, void *p, size_t n);

    /* -- collection -- */
    /* Collect generation gen (and younger); unreachable objects found, or -1 with an error set. */
    int64_t (*collect)(gclab_heap *h, int gen);
    /* The program is where CPython checks its eval breaker (a backward jump
     * of a heap script): every object is rooted, so a collection the engine
     * scheduled may run now (rcinc). NULL: nothing to do. */
    void (*safepoint)(gclab_heap *h);

    /* -- introspection (NULL: core answers "none" or GCLAB_EUNSUPPORTED) -- */
    int (*get_count)(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
    int (*get_threshold)(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
    gclab_status (*set_threshold)(gclab_heap *h, int n, const int64_t *v);
    /* Call fn on each object the collector tracks in gen (-1: all). */
    void (*foreach_tracked)(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx);
    /* gc.is_tracked(o): o is on one of the collector's lists (NULL: GCLAB_EUNSUPPORTED). */
    bool (*is_tracked)(gclab_heap *h, const gclab_obj *o);
    /* gc.is_finalized(o): o's __del__ has run (its FINALIZED bit; NULL: GCLAB_EUNSUPPORTED). */
    bool (*is_finalized)(gclab_heap *h, const gclab_obj *o);
    gclab_status (*freeze)(gclab_heap *h, int on);
    int64_t (*freeze_count)(gclab_heap *h);
    /* _testinternalcapi.get_tracked_heap_size(): the objects the collector
     * accounts for (CPython 3.14's gcstate->heap_size). */
    int64_t (*tracked_heap_size)(gclab_heap *h);
    /* Heap bytes held from the OS when not from core's allocator (bdw). */
    uint64_t (*heap_bytes)(gclab_heap *h);
    /* Consistency check at level 1 (cheap: lists, headers and counts agree,
     * no edge is traced) or 2 (everything: every edge too). Returns 0, or
     * prints the problem in one line on stderr ("<engine> verify: ...") and
     * returns -1. Core calls it after every collection and every step at
     * -p verify >= 1 with that level, and aborts on -1 (events.c); an engine
     * may call it between its own phases too. NULL: nothing to check. */
    int (*verify)(gclab_heap *h, int level);
};

/* =====================================================================
 * Provided by core
 * ===================================================================== */

/* The heap is opaque to engines: its struct is core's (core/core.h). An
 * engine keeps its own state behind one pointer (core_es) and reaches
 * everything else through the functions below. The few words an engine
 * reads on its hot path sit in struct gclab_heap_hot, which core's struct
 * begins with, read only through the inline functions here: free, and no
 * engine names a field of the heap. */
typedef void (*gclab_barrier_fn)(gclab_heap *h, gclab_obj *owner, gclab_obj **field,
                                 gclab_obj *old, gclab_obj *nw);
struct gclab_heap_hot {
    void *es;                                     /* the engine's state */
    void (*release)(gclab_heap *, gclab_obj *);   /* eng->release, cached */
    void (*on_incref)(gclab_heap *, gclab_obj *);        /* eng->on_incref, cached (or NULL) */
    void (*on_decref_live)(gclab_heap *, gclab_obj *);   /* eng->on_decref_live, cached (or NULL) */
    unsigned char store_mode;                     /* core's (core.h STORE_*): plain, counted, or
                                                   * slow (barrier or refcount hooks): the one
                                                   * branch a store pays */
    bool barriers;                                /* barrier_pre or barrier_post set */
    gclab_barrier_fn barrier_pre, barrier_post;   /* eng->barrier_*, cached */
    int collecting;                               /* >0 while a collection runs */
    bool gc_enabled;                              /* gc.enable()/disable() */
};

static inline struct gclab_heap_hot *core_hot_(const gclab_heap *h)
{
    return (struct gclab_heap_hot *)(void *)h;   /* the first member of core's struct */
}

/* -- the engine's own state -- */
/* The pointer the engine set in init (NULL before). */
static inline void *core_es(const gclab_heap *h) { return core_hot_(h)->es; }
static inline void core_set_es(gclab_heap *h, void *es) { core_hot_(h)->es = es; }

/* -- collection state -- */
/* Whether a collection (or the finalizers after one) is running: no engine may start another. */
static inline bool core_collecting(const gclab_heap *h) { return core_hot_(h)->collecting > 0; }
/* Bracket collector work that runs no collection events (bdw's finalizer batch);
 * core_event_collect_start/end enter and leave on their own. */
static inline void core_collecting_enter(gclab_heap *h) { core_hot_(h)->collecting++; }
static inline void core_collecting_leave(gclab_heap *h) { core_hot_(h)->collecting--; }
/* gc.isenabled(): automatic collections allowed. Explicit ones (gc.collect, zeal) always are. */
static inline bool core_gc_enabled(const gclab_heap *h) { return core_hot_(h)->gc_enabled; }

/* -- what the heap holds -- */
/* Bytes of live objects plus their variable storage (what --heap-limit bounds). */
uint64_t core_live_bytes(const gclab_heap *h);
/* Objects allocated and not yet counted dead. */
uint64_t core_live_objects(const gclab_heap *h);
/* Bytes allocated so far, objects and storage (an allocation clock for pacing). */
uint64_t core_alloc_bytes(const gclab_heap *h);
/* --heap-limit in bytes (0: none); --heap-size included (the smaller one). */
size_t core_heap_limit(const gclab_heap *h);
/* --heap-size in bytes (0: none): a fixed heap. A tracing engine collects when
 * it is full instead of at its growth rule, and never grows past it. */
size_t core_heap_size(const gclab_heap *h);
/* Bytes the engine holds from the OS right now (engines with heap_bytes): kept for the peak. */
void core_note_heap_bytes(gclab_heap *h, uint64_t bytes);
/* Core's small-object allocator (alloc.h), e.g. to tune how many arenas it retains. */
alloc_t *core_allocator(gclab_heap *h);

/* -- knobs the user set -- */
/* -p verify=L: 0 off; 1 the engine's cheap verify after each collection and step
 * (core calls it); 2 its full verify there, and checks between phases. */
int core_verify_level(const gclab_heap *h);
/* gc.set_debug() flags (GCLAB_DEBUG_*). */
int core_debug_flags(const gclab_heap *h);

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
/* Clear weakref wr because its target dies: detach it and count it in
 * weakrefs_cleared. Its callback stays in place for the caller to run or drop. */
void core_weakref_clear(gclab_heap *h, gclab_obj *wr);
/* Release o's variable storage and unlink a weakref from its target (the objects o
 * refers to are not released: trace and clear those first). */
void core_free_storage(gclab_heap *h, gclab_obj *o);
/* Count o as dead (objects, bytes). Frees nothing: the engine then gives the
 * memory back itself (core_free_object_memory, a free list, or libgc's sweep). */
void core_obj_dead(gclab_heap *h, gclab_obj *o);
/* A sweep that frees without visiting the dead (marksweep over alloc_sweep): count
 * `objects` objects dead whose blocks and storage total `bytes` (what core_obj_dead and
 * core_free_storage would have counted one by one). Frees nothing itself. */
void core_count_swept(gclab_heap *h, uint64_t objects, uint64_t bytes);

/* -- core-owned roots -- */
/* Append o to gc.garbage (DEBUG_SAVEALL); allocates storage only, never collects. */
gclab_status core_garbage_append(gclab_heap *h, gclab_obj *o);
/* Visit every root field: frame slots, return registers, globals, gc.garbage, gc.callbacks. */
void gclab_trace_roots(gclab_heap *h, gclab_visit_fn fn, void *ctx);
/* Call fn(lo, hi, ctx) on each range of memory [lo, hi) that holds every root
 * pointer (among other words): for conservative scanners (bdw). Allocates
 * nothing and runs no mutator code, so it may run inside a foreign collector. */
void core_root_ranges(gclab_heap *h, void (*fn)(void *lo, void *hi, void *ctx), void *ctx);

/* -- running mutator code from the collector -- */
/* Call f(argv[0..nargs-1]) in a fresh frame [argv..., f] that roots them all,
 * then pop it. An error f raises is printed ("Exception ignored in <what>: ...")
 * and dropped; the error the mutator had before is kept. Returns f's status. */
gclab_status core_call(gclab_heap *h, gclab_obj *f, int nargs, gclab_obj *const *argv,
                       const char *what);

/* -- refcounts (engines with caps.refcounts) -- */
/* GCLAB_NO_HOOKS: the hook-cost measurement build only (`make
 * build/nohooks/gclab`, scripts/hook-cost.sh): every test of an
 * on_incref/on_decref_live/barrier hook compiled out, so an engine without
 * hooks runs the code it would run if the hooks did not exist. Engines with
 * hooks are refused there (gclab_heap_new). Never set in a shipped build. */
#ifdef GCLAB_NO_HOOKS
#define GCLAB_HOOKS 0
#else
#define GCLAB_HOOKS 1
#endif
/* Take a reference to o (and tell the engine's on_incref, if it has one). */
static inline void obj_incref(gclab_heap *h, gclab_obj *o)
{
    o->refcnt++;
    if (GCLAB_HOOKS && __builtin_expect(core_hot_(h)->on_incref != NULL, 0))
        core_hot_(h)->on_incref(h, o);
}
/* Drop a reference to o: release() at zero, else on_decref_live (if any). */
static inline void obj_decref(gclab_heap *h, gclab_obj *o)
{
    if (--o->refcnt == 0)
        core_hot_(h)->release(h, o);
    else if (GCLAB_HOOKS && __builtin_expect(core_hot_(h)->on_decref_live != NULL, 0))
        core_hot_(h)->on_decref_live(h, o);
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

/* -- marks of tracing engines: the allocator's mark bits (alloc.h) -- */
/* Whether heap object o is marked (o not immortal). */
static inline bool obj_is_marked(const struct alloc_marker *m, const gclab_obj *o)
{
    return alloc_is_marked(m->mode, o, o->size);
}
/* Grey o if it is an unmarked heap object: set its mark, true if it was
 * clear (false for an immortal, which is not the allocator's). A pool block
 * is recognised by address, so the common case reads only the mark bitmap
 * in its pool's header, not o itself. */
static inline __attribute__((always_inline)) bool obj_mark_grey(struct alloc_marker *m, gclab_obj *o)
{
    if (alloc_marker_pooled(m, o))
        return alloc_mark_small(o);
    if (obj_is_immortal(o))
        return false;
    return alloc_mark(m->mode, o, o->size);
}

/* -- events: engines bracket every collection with these -- */
/* A collection of gen starts: runs gc.callbacks("start"), then starts the pause clock. */
void core_event_collect_start(gclab_heap *h, int gen);
/* It ended: stops the clock, logs the pause, counts it, runs gc.callbacks("stop"). */
void core_event_collect_end(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable);
/* Incremental engines bracket each bounded step of a collection cycle with these:
 * every step is one pause (logged, counted in gc_ns); gc.callbacks "start" runs
 * before the step that begins a cycle, and the step that ends it counts one
 * collection of gen and runs "stop". A step that does both is a whole collection. */
void core_event_step_start(gclab_heap *h, int gen, bool cycle_starts);
void core_event_step_end(gclab_heap *h, int gen, bool cycle_ends, int64_t collected,
                         int64_t uncollectable);
/* The collection of gen passed a phase (GCLAB_EV_ROOTS_TRACED...): tells the
 * event listener. Allocates nothing, runs no mutator code. */
void core_event_phase(gclab_heap *h, enum gclab_event phase, int gen);
/* A collection the engine could not bracket (it ran inside a foreign allocator, bdw) took
 * dur_ns from start_ns (cpu_ns of this thread's CPU time): runs gc.callbacks "start" and
 * "stop" after the fact and logs the pause. */
void core_event_collect_logged(gclab_heap *h, int gen, uint64_t start_ns, uint64_t dur_ns,
                               uint64_t cpu_ns, int64_t collected, int64_t uncollectable);
/* This thread's CPU clock in nanoseconds (what gc_cpu_ns adds up). */
uint64_t core_thread_cpu_ns(void);

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

/* A heap run by the engine table e, which need not be registered (a test of
 * an engine under construction, or of a hook): gclab_heap_new without the
 * name lookup. Knobs in cfg are checked against the registered engine named
 * e->name. */
gclab_heap *core_heap_new_engine(const struct gclab_engine *e, const struct gclab_config *cfg,
                                 char *err, size_t errlen);

/* The registry (engines/registry.c). */
const struct gclab_engine *gclab_engine_find(const char *name);
const struct gclab_engine *gclab_engine_at(int i);

#endif
