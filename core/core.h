/* core.h — helpers shared by the files of core/ only (not by engines, not by
 * the mutator). */
#ifndef GCLAB_CORE_H
#define GCLAB_CORE_H

#include "engine.h"

/* The heap. Private to core: engines see only struct gclab_heap_hot (its
 * first member) through engine.h's inline functions, and call functions for
 * the rest. */
struct frame { size_t base; int nslots; gclab_obj *ret; };

struct gclab_heap {
    struct gclab_heap_hot hot;       /* es, cached release, collecting, gc_enabled */
    const struct gclab_engine *eng;
    uint64_t id;                     /* gclab_heap_id: unique in the process */
    alloc_t *alloc;
    /* eng->caps.refcounts, cached for the hot path: 0 no counts; 1 counts and
     * no on_incref/on_decref_live hooks; -1 counts and hooks. store() and
     * release_ref() branch once on its sign, so a refcount engine without
     * hooks pays no more than it did before the hooks existed. */
    int8_t refcounts;
    int debug_flags;                 /* GCLAB_DEBUG_* */
    size_t heap_limit;               /* live bytes past which allocation fails (heap_size included) */
    size_t heap_size;                /* --heap-size: fixed heap, collect when full; 0 = none */

    /* shadow stack */
    gclab_obj **slots;
    size_t nslots_used, nslots_cap;
    struct frame *frames;
    int depth, frames_cap, max_depth;
    /* The current frame's slots, kept by frame_top_sync on every push, pop and
     * move of the slot array: slot_addr, on every op, reads these two words
     * instead of frames[depth - 1] (top_nslots 0 when no frame is pushed). */
    gclab_obj **top_slots;
    int top_nslots;

    /* roots owned by core */
    bool roots_dropped;              /* after gclab_heap_drop_roots: never recreated */
    gclab_obj *globals;              /* dict */
    bool globals_unrooted;           /* gclab_heap_shutdown: globals is the module dict the last
                                      * collection finalizes, no longer a root nor counted */
    gclab_obj *garbage;              /* gc.garbage list */
    gclab_obj *callbacks;            /* gc.callbacks list */
    gclab_obj *interp[GCLAB_IROOT_COUNT];   /* the interpreter's own objects (interp.c) */
    int stdout_mode;                 /* gclab_set_stdout_mode (interp.c) */

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
    uint64_t pause_start_cpu_ns;     /* thread CPU clock at the same moment */
    gclab_sample_fn sample_fn;       /* heap-over-time sampler (bench --trace), or NULL */
    void *sample_ctx;
    gclab_event_fn listener;         /* gclab_set_event_listener, or NULL */
    void *listener_ctx;
    uint64_t sample_every, sample_count;

    gclab_status err_status;
    char err[256];
};

/* The forms of store() and release_ref() for an engine with
 * on_incref/on_decref_live hooks, out of line (heap.c): inlined, they made
 * every store save registers it never needed on the plain path. */
void store_hooked(gclab_heap *h, gclab_obj **loc, gclab_obj *v);
void release_hooked(gclab_heap *h, gclab_obj *o);

/* How core stores a reference (struct gclab_heap_hot's store_mode, set at
 * heap creation): a plain word (no counts, no barrier), counts without the
 * engine's refcount hooks, or the slow path: through the engine's write
 * barrier (engine.h's barrier_pre/barrier_post) and/or its on_incref /
 * on_decref_live hooks. The inline paths below test the mode once: an engine
 * with neither barrier nor hooks pays one predictable branch per store, and
 * the slow path is out of line (barrier.c). */
enum { STORE_PLAIN = 0, STORE_RC = 1, STORE_SLOW = 2 };

/* barrier.c: store_in, store_steal and unlink_ref reported to the barrier
 * (and counted through the refcount hooks). */
void store_in_slow(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *v);
void store_steal_slow(gclab_heap *h, gclab_obj **loc, gclab_obj *v);
gclab_obj *unlink_ref_barrier(gclab_heap *h, gclab_obj *owner, gclab_obj **loc);

/* Store v into *loc, a field of owner (NULL: a root — slot, return register,
 * core's root word), and release the old value after the store (so code run
 * by a dying object's __del__ never sees a dangling field). */
static inline void store_in(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *v)
{
    unsigned mode = h->hot.store_mode;
    if (__builtin_expect(mode == STORE_PLAIN, 1)) {
        *loc = v;
    } else if (!GCLAB_HOOKS || __builtin_expect(mode == STORE_RC, 1)) {   /* counts, no hooks */
        gclab_obj *old = *loc;
        if (v)
            v->refcnt++;
        *loc = v;
        if (old && --old->refcnt == 0)
            h->hot.release(h, old);
    } else {
        store_in_slow(h, owner, loc, v);
    }
}

/* Store v into a root (slot, return register, core's root word). */
static inline void store(gclab_heap *h, gclab_obj **loc, gclab_obj *v)
{
    store_in(h, NULL, loc, v);
}

/* Store v into a field of object owner. */
static inline void store_field(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *v)
{
    store_in(h, owner, loc, v);
}

/* Store v into the root *loc, taking over a reference the caller already owns. */
static inline void store_steal(gclab_heap *h, gclab_obj **loc, gclab_obj *v)
{
    unsigned mode = h->hot.store_mode;
    if (__builtin_expect(mode == STORE_PLAIN, 1)) {
        *loc = v;
    } else if (!GCLAB_HOOKS || __builtin_expect(mode == STORE_RC, 1)) {
        gclab_obj *old = *loc;
        *loc = v;
        if (old && --old->refcnt == 0)
            h->hot.release(h, old);
    } else {
        store_steal_slow(h, loc, v);
    }
}

/* Empty the field *loc of owner (NULL: a root), reported as a deletion, and
 * hand its old value to the caller (owned; release it once the containing
 * structure is consistent again). */
static inline gclab_obj *unlink_ref(gclab_heap *h, gclab_obj *owner, gclab_obj **loc)
{
    if (GCLAB_HOOKS && __builtin_expect(h->hot.barriers, 0))
        return unlink_ref_barrier(h, owner, loc);
    gclab_obj *old = *loc;
    *loc = NULL;
    return old;
}

/* Release a reference the caller owns. */
static inline void release_ref(gclab_heap *h, gclab_obj *o)
{
    if (!GCLAB_HOOKS ? h->refcounts != 0 : h->refcounts > 0) {
        if (o && --o->refcnt == 0)
            h->hot.release(h, o);
    } else if (GCLAB_HOOKS && h->refcounts && o) {
        release_hooked(h, o);
    }
}

/* Refresh top_slots/top_nslots from frames[depth - 1] (roots.c, after the
 * shadow stack changed). */
static inline void frame_top_sync(gclab_heap *h)
{
    const struct frame *f = h->depth ? &h->frames[h->depth - 1] : NULL;
    /* A frame of no slots may come before any slot array exists (h->slots NULL). */
    h->top_slots = f && f->nslots ? h->slots + f->base : NULL;
    h->top_nslots = f ? f->nslots : 0;
}

/* Address of slot s of the current frame, or NULL (with an error) if s is out of range. */
static inline gclab_obj **slot_addr(gclab_heap *h, int s)
{
    if (__builtin_expect((unsigned)s >= (unsigned)h->top_nslots, 0)) {
        heap_error(h, GCLAB_EUSAGE, "slot %d out of range (frame has %d slots)", s, h->top_nslots);
        return NULL;
    }
    return &h->top_slots[s];
}

/* The object in slot s, or NULL with an error (bad slot or empty slot). */
static inline gclab_obj *slot_get(gclab_heap *h, int s)
{
    gclab_obj **p = slot_addr(h, s);
    if (!p)
        return NULL;
    if (!*p) {
        heap_error(h, GCLAB_ENAME, "slot %d is empty", s);
        return NULL;
    }
    return *p;
}

/* Allocate and count a new object of kind with bytes (header included); NULL = heap limit (error set). */
gclab_obj *core_new_object(gclab_heap *h, int kind, size_t bytes);
/* Storage for variable parts, counted in live bytes; NULL = heap limit (error set). */
void *core_mem_alloc(gclab_heap *h, gclab_obj *owner, size_t n);
/* Give storage back. */
void core_mem_free(gclab_heap *h, gclab_obj *owner, void *p, size_t n);

/* Dict internals (dict.c). */
gclab_obj *dict_new(gclab_heap *h);
gclab_status dict_set(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_obj *val);
gclab_obj *dict_lookup(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_status *st);
gclab_status dict_del(gclab_heap *h, gclab_obj *d, gclab_obj *key);
void dict_free_table(gclab_heap *h, gclab_obj *d);

/* Python's type name of o ("int", "list", a class's name...) (object.c). */
const char *kind_name(const gclab_obj *o);
/* str helpers (object.c). */
uint64_t str_hash(const char *s, size_t n);
gclab_obj *intern_lookup(gclab_heap *h, const char *s, size_t n);
void intern_free_all(gclab_heap *h);
void immortals_init(gclab_heap *h);
void immortals_free(gclab_heap *h);
gclab_obj *int_obj(gclab_heap *h, int64_t v);   /* new reference-less pointer, NULL on error */
gclab_obj *list_new_obj(gclab_heap *h);
gclab_status list_append_obj(gclab_heap *h, gclab_obj *l, gclab_obj *v);

/* Frames (roots.c). */
/* core_call, telling whether f was called at all (*ran false: no frame could be pushed);
 * borrowed: the arguments are held uncounted during the call (a finalizer's self). */
gclab_status call_in_frame(gclab_heap *h, gclab_obj *f, int nargs, gclab_obj *const *argv,
                           const char *what, bool *ran, bool borrowed);
gclab_status frame_push_n(gclab_heap *h, int nslots);
void roots_free(gclab_heap *h);
/* Ensure the core-owned root objects (globals, gc.garbage, gc.callbacks) exist. */
gclab_status roots_ready(gclab_heap *h);

/* Pause log and counters (stats.c). */
void stats_free(gclab_heap *h);
/* Count an allocation / a free of bytes (an object, or storage of one);
 * inline, as they run on every allocation and free. */
static inline void stats_count_alloc(gclab_heap *h, uint64_t bytes, bool object)
{
    struct gclab_stats *s = &h->st;
    if (object) {
        s->allocs++;
        s->live_objects++;
    }
    s->alloc_bytes += bytes;
    s->live_bytes += bytes;
    if (s->live_bytes > s->peak_live_bytes)
        s->peak_live_bytes = s->live_bytes;
}
static inline void stats_count_free(gclab_heap *h, uint64_t bytes, bool object)
{
    struct gclab_stats *s = &h->st;
    GCLAB_ASSERT(s->live_bytes >= bytes);
    if (object) {
        GCLAB_ASSERT(s->live_objects > 0);
        s->freed++;
        s->live_objects--;
    }
    s->freed_bytes += bytes;
    s->live_bytes -= bytes;
}
/* A pause of dur ns (cpu ns of this thread's CPU time) from start, in gc_ns, gc_cpu_ns and the log. */
void stats_count_pause(gclab_heap *h, uint64_t start, uint64_t dur, uint64_t cpu, int gen);
/* One collection of gen, in `collections` and gc.get_stats(). */
void stats_count_collection(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable);

#endif
