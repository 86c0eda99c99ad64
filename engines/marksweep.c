/* marksweep.c — precise, stop-the-world, non-moving mark-sweep: no
 * reference counts, mark bits beside the heap, a sweep over the allocator's
 * own layout, an explicit mark stack.
 *
 * What it promises
 *   Stores are plain stores (caps.refcounts is false, so core's store() never
 *   counts). An object lives exactly as long as it is reachable from the roots
 *   core reports (gclab_trace_roots: frame slots, return registers, globals,
 *   gc.garbage, gc.callbacks); cycles are collected like anything else. The
 *   observable rules are rcgen's, where a tracing collector defines them:
 *   weakrefs to dead objects are cleared before any finalizer runs, a
 *   weakref's callback runs only if the weakref itself is reachable, __del__
 *   runs at most once, and an object resurrected by __del__ (with everything
 *   it reaches) stays alive. gc.collect() returns the number of objects found
 *   unreachable (those awaiting __del__ included, as CPython counts them).
 *   DIFFERS: finalizers of one collection run in allocation order, not in
 *   CPython's gc-list order after generation merging; weakrefs are cleared
 *   (and their callbacks queued) in the order the weakrefs were created; the
 *   pause log counts the time weakref callbacks and finalizers take
 *   (CPython's gc does too).
 *
 * Where the marks are
 *   The engine turns core's allocator into marks mode at init (alloc.h): each
 *   16 KiB pool carries a live bitmap, an object bitmap and a mark bitmap, one
 *   bit per block; a block above 512 bytes (and every block under
 *   --alloc=malloc) keeps the same flags in its hidden header and stays on
 *   the allocator's list of malloc'd blocks. Marking an object sets its bit
 *   in its pool's header (found by masking the address, O(1)) and, for a
 *   list, dict or instance, the bit of its one storage block (obj_storage:
 *   items, table, attributes). The sweep is then alloc_sweep: per pool,
 *   live &= mark word by word, never reading a dead block. No object needs
 *   per-object work to die here, because everything that does is done
 *   before the sweep from two side vectors:
 *     weakrefs  every live weakref object: a dead target's weakrefs are
 *               cleared, a dead weakref is unlinked from its target;
 *     fnz       every instance whose class has __del__, not yet finalized.
 *   Accounting follows the marks too: marking sums the objects and the bytes
 *   (block + storage) it marks, and whatever was live and is not marked is
 *   counted dead in one call (core_count_swept).
 *
 * Header words on this engine
 *   gcflags   MS_FINALIZED: __del__ has run (never cleared, M4).
 *   gc_next, gc_prev, gen, refcnt: unused. gc_refs: scratch for ms_verify.
 *   The mark is not in the header: M1 is about the pools' mark bitmaps.
 *
 * The trigger
 *   A collection runs before an object allocation (the new object is not yet
 *   rooted, so never during one) when live bytes (objects plus their storage,
 *   core_live_bytes) would pass the threshold
 *       max(min_heap, live_after_last_gc * heap_factor)
 *   with knobs -p heap_factor= (default 2.0, at least 1) and -p min_heap=
 *   (bytes, default 4 MiB: below that a collection costs more than it frees).
 *   gc.collect() and core's zeal collect unconditionally. With --heap-limit,
 *   an allocation that would pass the limit first collects (even under
 *   gc.disable(), as a last resort) and only then fails with MemoryError.
 *   Storage growth (list append, dict resize) never collects: it happens
 *   while half-built objects are in C locals; only object allocation does.
 *   So under a heap limit the threshold is capped at 7/8 of the limit,
 *   leaving storage growth an eighth of the limit as headroom (or, when
 *   live data leaves less, at half of what it leaves).
 *   With --heap-size S (a fixed heap, as MMTk and Whippet size heaps) the
 *   heap_factor rule and min_heap are off: S is the limit and the engine
 *   collects only when the heap is full, i.e. at that same 7/8 S (the eighth
 *   is the storage headroom) or halfway through what live data leaves, so
 *   GC time falls as S grows: the time-space curve of a tracing collector.
 *
 * The mark loop and its stack
 *   Tracing a container greys every non-NULL field's target without
 *   reading it: its mark bit is set in its pool's header (the pool found by
 *   masking, the arena by a hash of the address >> 20, cached for the next
 *   field, which is usually in the same arena) and it is pushed if the bit
 *   was clear; the target itself is first read when it is popped. Popped
 *   entries pass through a FIFO of MS_FIFO slots and are prefetched on the
 *   way in, so the object's header is in cache when it is accounted and
 *   traced (Boehm's prefetch-on-grey, in the FIFO form
 *   of Cher, Hosking and Vijaykumar, ASPLOS 2004; -p prefetch=0 pops,
 *   tests and traces in one plain loop instead). The stack is a malloc'd
 *   array that grows by doubling up to -p mark_stack_max= entries (default
 *   2^20, 8 MiB); marking never recurses in C, so a 10-million-node chain
 *   and a 10-million-wide list take the same C stack. When the stack is full
 *   (or realloc fails) the field's target is marked at once instead of being
 *   pushed and, if it is a container newly marked, `overflowed` is set; once
 *   the stack drains, ms_rescan walks every object (alloc_foreach_object) and
 *   traces each marked container again, until a pass ends without overflow
 *   (M2). Each pass is O(heap), but passes only happen when a mark stack of
 *   2^20 entries overflows.
 *
 * A collection, in order (read ms_collect first)
 *   1. start event (gc.callbacks "start"; core_collecting() from here on,
 *      so nothing below can start a nested collection: M3);
 *   2. ms_mark_roots: mark from the roots and drain; the objects not marked
 *      now are the unreachable ones (their number is what collect returns);
 *   3. side_clear_dead_weakrefs (core/sidelists.c, as every step named
 *      side_*): for each weakref whose target is unmarked,
 *      clear every weakref to that target (core_clear_weakrefs, no callbacks
 *      yet); a cleared weakref that is itself marked keeps its callback in
 *      the `callbacks` vector, to call after the sweep. side_pick_finalizable:
 *      each unmarked instance in fnz moves to `tofnz`;
 *   4. ms_mark_tofnz: mark from each object in `tofnz` (Lua's "tobefnz"),
 *      so the objects to finalize and all they reach survive this cycle;
 *   5. side_unlink_dead_weakrefs: weakrefs still unmarked die: unlinked from
 *      their target's list (before the sweep, which poisons their memory
 *      under ASan); core_count_swept counts the dead; alloc_sweep frees every
 *      unmarked block and clears every mark (M1);
 *      With -p lazy_sweep=1 the pools are only queued here
 *      (alloc_sweep_lazy, Hughes' lazy sweeping as in Boehm's reclaim
 *      lists): allocation sweeps a pool of the size class it needs before
 *      using it, so the pause holds no bitmap work and the sweep's cost
 *      moves to the mutator; the next collection first sweeps what is left;
 *   6. side_run_callbacks, then ms_run_finalizers (MS_FINALIZED set before
 *      each __del__, M4): mutator code, running only after the heap is
 *      consistent again. What a finalizer resurrects stays; what it drops
 *      is found by the next collection, where its __del__ does not run again;
 *   7. the threshold is recomputed from live bytes; stop event.
 *
 * Invariants (cited by asserts as M1..M5)
 *   M1 no block carries a mark outside ms_collect, except in the pools a
 *      lazy sweep (-p lazy_sweep=1) has not reached yet: every such pool is
 *      swept before anything reads a mark again (alloc_finish_sweep at the
 *      next collection's start, alloc_foreach_object), and none is
 *      allocated from before it is swept;
 *   M2 when marking ends, every field of every marked container points to a
 *      marked or immortal object (the mark stack is empty, no overflow left);
 *   M3 collections never nest: ms_collect runs only while !core_collecting();
 *   M4 __del__ runs at most once per object: MS_FINALIZED is never cleared;
 *   M5 the allocator's object blocks are exactly the live objects (their
 *      number is core_live_objects, their blocks plus storage total
 *      core_live_bytes), every weakref among them is in `weakrefs` once, and
 *      `fnz` holds exactly the unfinalized instances with __del__
 *      (ms_verify checks all of it, -p verify=2).
 */
#include <string.h>

#include "engine.h"
#include "sidelists.h"

#define MS_FINALIZED 0x02
#define MS_FIFO      8        /* prefetch distance of the mark loop, in objects */

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant ms_mut_skip_mark = {
    "skip-mark", "a marked dict is not pushed on the mark stack: its entries stay unmarked" };
static const struct gclab_mutant ms_mut_no_clear_wr = {
    "no-clear-wr", "a swept object's weakrefs are not cleared" };
static const struct gclab_mutant ms_mut_fin_twice = {
    "fin-twice", "FINALIZED is never set, so __del__ runs again at the next collection" };
static const struct gclab_mutant ms_mut_overflow_tuple = {
    "overflow-tuple", "the rescan after a mark-stack overflow skips tuples (a small mark_stack_max reaches it)" };

struct ms_state {
    struct alloc_marker mk;        /* the allocator's mode and arenas, this collection */
    struct obj_vec weakrefs;       /* every live weakref (M5) */
    struct obj_vec fnz;            /* unfinalized instances with __del__ (M5) */
    /* mark stack */
    gclab_obj **stack;
    size_t sp, cap, max;
    bool overflowed;
    uint64_t marked, marked_bytes; /* objects marked this collection, with their bytes */
    /* trigger */
    double heap_factor;
    uint64_t min_heap, threshold, live_after;
    bool lazy_sweep;              /* -p lazy_sweep=1 */
    bool prefetch;                /* -p prefetch=0 turns the mark loop's FIFOs off */
    /* per-collection vectors, kept to reuse their memory */
    struct obj_vec tofnz;          /* unreachable objects whose __del__ will run */
    struct obj_vec callbacks;      /* pairs: weakref, its callback */
};

/* ================================================================
 * Mark
 * ================================================================ */

/* The first visit of a grey object: count it, mark its storage block. */
static inline void ms_account(struct ms_state *s, gclab_obj *o)
{
    s->marked++;
    s->marked_bytes += o->size + o->storage;
    if (o->storage)
        alloc_mark(s->mk.mode, obj_storage(o), o->storage);
}

/* A full stack: o is grey but cannot wait on the stack. Account for it now;
 * a container's fields are then visited by ms_rescan (M2). */
static void ms_push_overflow(struct ms_state *s, gclab_obj *o)
{
    ms_account(s, o);
    if (obj_kind_is_container(o->kind))
        s->overflowed = true;
}

static void ms_push_slow(struct ms_state *s, gclab_obj *o)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    if (s->max && cap > s->max)
        cap = s->max;
    gclab_obj **st = cap > s->cap ? realloc(s->stack, cap * sizeof *st) : NULL;
    if (!st) {
        ms_push_overflow(s, o);
        return;
    }
    s->stack = st;
    s->cap = cap;
    s->stack[s->sp++] = o;
}

/* The visitor: grey the target and push it (grey = marked, not yet scanned). */
static inline __attribute__((always_inline)) void ms_visit_field(gclab_obj **field, void *ctx)
{
    struct ms_state *s = ctx;
    gclab_obj *o = *field;
    if (!obj_mark_grey(&s->mk, o))
        return;
    if (s->sp == s->cap)
        ms_push_slow(s, o);
    else
        s->stack[s->sp++] = o;
}

/* Pop until the stack is empty, in two prefetching stages:
 *   fifo   popped grey objects, each prefetched (both lines of its first
 *          128 bytes: an instance's attribute pointer sits past the first
 *          64) MS_FIFO pops before it is accounted;
 *   held   containers whose storage block (the attributes, items or table,
 *          a separate allocation) has been prefetched, traced MS_FIFO
 *          containers later.
 * Containers without storage (tuples, classes, weakrefs, funcs) are traced
 * at once, leaves only accounted. The visitor is inlined through obj_trace. */
static void ms_drain_plain(struct ms_state *s);

static void ms_drain(struct ms_state *s)
{
    if (!s->prefetch) {
        ms_drain_plain(s);
        return;
    }
    gclab_obj *fifo[MS_FIFO], *held[MS_FIFO];
    unsigned fh = 0, fn = 0, hh = 0, hn = 0;
    for (;;) {
        while (fn < MS_FIFO && s->sp > 0) {
            gclab_obj *o = s->stack[--s->sp];
            __builtin_prefetch(o);
            __builtin_prefetch((char *)o + 64);
            fifo[(fh + fn++) % MS_FIFO] = o;
        }
        if (hn == MS_FIFO || (fn == 0 && hn > 0)) {
            gclab_obj *o = held[hh];
            hh = (hh + 1) % MS_FIFO;
            hn--;
            obj_trace(o, ms_visit_field, s);
            continue;
        }
        if (fn == 0)
            return;
        gclab_obj *o = fifo[fh];
        fh = (fh + 1) % MS_FIFO;
        fn--;
        ms_account(s, o);
        if (!obj_kind_is_container(o->kind) || (GCLAB_MUTANT(ms_mut_skip_mark) && o->kind == GCLAB_K_DICT))
            continue;
        void *storage = obj_storage(o);
        if (storage) {
            __builtin_prefetch(storage);
            held[(hh + hn++) % MS_FIFO] = o;
        } else {
            obj_trace(o, ms_visit_field, s);
        }
    }
}

/* -p prefetch=0: the same loop without the FIFOs (pop, account, trace), to
 * measure what the prefetching is worth. */
static void ms_drain_plain(struct ms_state *s)
{
    while (s->sp > 0) {
        gclab_obj *o = s->stack[--s->sp];
        ms_account(s, o);
        if (obj_kind_is_container(o->kind) && !(GCLAB_MUTANT(ms_mut_skip_mark) && o->kind == GCLAB_K_DICT))
            obj_trace(o, ms_visit_field, s);
    }
}

/* alloc_foreach_object visitor of ms_rescan: trace a marked container again. */
static void ms_rescan_one(void *block, void *ctx)
{
    struct ms_state *s = ctx;
    gclab_obj *o = block;
    if (obj_kind_is_container(o->kind) && obj_is_marked(&s->mk, o) &&
        !(GCLAB_MUTANT(ms_mut_overflow_tuple) && o->kind == GCLAB_K_TUPLE)) {
        obj_trace(o, ms_visit_field, s);
        ms_drain(s);
    }
}

/* After an overflow: trace every marked container again until a whole
 * pass ends without overflowing (M2). */
static void ms_rescan(gclab_heap *h, struct ms_state *s)
{
    while (s->overflowed) {
        s->overflowed = false;
        alloc_foreach_object(core_allocator(h), ms_rescan_one, s);
    }
}

/* Drain the stack and resolve overflows: afterwards M2 holds. */
static void ms_finish_marking(gclab_heap *h, struct ms_state *s)
{
    ms_drain(s);
    ms_rescan(h, s);
    GCLAB_ASSERT(s->sp == 0 && !s->overflowed);   /* M2 */
}

static void ms_visit_root(gclab_obj **field, void *ctx)
{
    if (*field)
        ms_visit_field(field, ctx);
}

static void ms_mark_roots(gclab_heap *h, struct ms_state *s)
{
    gclab_trace_roots(h, ms_visit_root, s);
    ms_finish_marking(h, s);
}

/* ================================================================
 * Unreachable objects: weakrefs and the objects to finalize
 * ================================================================ */

/* Mark from every object to finalize: they and all they reach survive. */
static void ms_mark_tofnz(gclab_heap *h, struct ms_state *s)
{
    for (size_t i = 0; i < s->tofnz.n; i++)
        ms_visit_field(&s->tofnz.v[i], s);
    ms_finish_marking(h, s);
}

/* ================================================================
 * After the sweep: mutator code
 * ================================================================ */

static void ms_run_finalizers(gclab_heap *h, struct ms_state *s)
{
    for (size_t i = 0; i < s->tofnz.n; i++) {
        gclab_obj *o = s->tofnz.v[i];
        if (!GCLAB_MUTANT(ms_mut_fin_twice)) {
            GCLAB_ASSERT(!(o->gcflags & MS_FINALIZED));   /* M4 */
            o->gcflags |= MS_FINALIZED;
        } else if (!obj_vec_push(&s->fnz, o)) {         /* still unfinalized, as far as fnz knows */
            fprintf(stderr, "gclab marksweep: out of memory: a __del__ will not run\n");
        }
        core_run_finalizer(h, o);
    }
    s->tofnz.n = 0;
}

/* ================================================================
 * Collection and trigger
 * ================================================================ */

static int ms_verify(gclab_heap *h, int level);

static void ms_set_threshold(gclab_heap *h, struct ms_state *s)
{
    s->live_after = core_live_bytes(h);
    double t = (double)s->live_after * s->heap_factor;
    s->threshold = t > (double)s->min_heap ? (uint64_t)t : s->min_heap;
    uint64_t limit = core_heap_limit(h);
    if (core_heap_size(h))
        s->threshold = limit;              /* a fixed heap: collect when full (capped below) */
    /* Under a heap limit, collect while an eighth of it is still free:
     * storage growth (list append, dict resize) between two object
     * allocations never collects, so it needs that headroom. When the live
     * data leaves less than that, collect once half of what is left is
     * used, rather than at every allocation. */
    if (limit && s->threshold > limit - limit / 8) {
        uint64_t cap = limit - limit / 8;
        if (s->live_after < limit) {
            uint64_t half = s->live_after + (limit - s->live_after) / 2;
            if (half > cap)
                cap = half;
        }
        s->threshold = cap;
    }
    /* The sweep emptied arenas the mutator is about to refill up to the
     * threshold: keep them mapped rather than unmap and fault them in again. */
    alloc_set_retain(core_allocator(h), (size_t)(s->threshold / ALLOC_ARENA_SIZE) + 1);
}

/* A full collection; returns the number of unreachable objects found. */
static int64_t ms_collect(gclab_heap *h, int gen)
{
    struct ms_state *s = core_es(h);
    (void)gen;
    if (core_collecting(h))
        return 0;                          /* M3: a finalizer called gc.collect() */
    core_event_collect_start(h, 0);
    s->marked = s->marked_bytes = 0;
    alloc_finish_sweep(core_allocator(h));   /* the last lazy sweep's rest (M1); may unmap */
    alloc_marker_start(core_allocator(h), &s->mk);   /* no arena is mapped until the sweep */
    ms_mark_roots(h, s);
    GCLAB_ASSERT(s->marked <= core_live_objects(h));
    int64_t found = (int64_t)(core_live_objects(h) - s->marked);
    if (found > 0 && (s->weakrefs.n || s->fnz.n)) {
        side_clear_dead_weakrefs(h, &s->mk, &s->weakrefs, 0, &s->callbacks, &ms_mut_no_clear_wr, "marksweep");
        side_pick_finalizable(&s->mk, &s->fnz, 0, &s->tofnz, "marksweep");
        ms_mark_tofnz(h, s);
        side_unlink_dead_weakrefs(&s->mk, &s->weakrefs, 0);
    }
    GCLAB_ASSERT(s->marked_bytes <= core_live_bytes(h));   /* M5 */
    core_count_swept(h, core_live_objects(h) - s->marked, core_live_bytes(h) - s->marked_bytes);
    if (s->lazy_sweep)
        alloc_sweep_lazy(core_allocator(h), NULL);   /* pools are swept as allocation reaches them */
    else
        alloc_sweep(core_allocator(h), NULL);
    side_run_callbacks(h, &s->callbacks);
    ms_run_finalizers(h, s);
    ms_set_threshold(h, s);
    core_event_collect_end(h, 0, found, 0);   /* verify=L: core calls ms_verify(h, L) */
    return found;
}

static gclab_obj *ms_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct ms_state *s = core_es(h);
    if (!core_collecting(h) &&
        ((core_gc_enabled(h) && core_live_bytes(h) + bytes > s->threshold) ||
         !core_within_limit(h, bytes)))
        ms_collect(h, 0);
    /* Room in `weakrefs` first, so that a weakref is never left out (M5). */
    if (kind == GCLAB_K_WEAKREF && s->weakrefs.n == s->weakrefs.cap &&
        (!obj_vec_push(&s->weakrefs, NULL) || (s->weakrefs.n--, false)))
        return NULL;
    gclab_obj *o = core_alloc_object(h, bytes);
    if (!o)
        return NULL;                       /* past the heap limit even after collecting */
    alloc_set_object(core_allocator(h), o, bytes);
    if (kind == GCLAB_K_WEAKREF)
        s->weakrefs.v[s->weakrefs.n++] = o;
    return o;
}

/* An instance is built (its class, hence __del__, is known): remember it for
 * finalization. */
static void ms_track(gclab_heap *h, gclab_obj *o)
{
    struct ms_state *s = core_es(h);
    if (obj_has_del(o) && !obj_vec_push(&s->fnz, o))
        fprintf(stderr, "gclab marksweep: out of memory: a __del__ will not run\n");
}

/* ================================================================
 * Lifecycle and introspection
 * ================================================================ */

static gclab_status ms_init(gclab_heap *h)
{
    struct ms_state *s = calloc(1, sizeof *s);
    bool ok1, ok2, ok3, ok4, ok5;
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    core_set_es(h, s);
    s->mk.mode = alloc_mode_of(core_allocator(h));
    s->heap_factor = heap_param_double(h, "heap_factor", &ok1);
    s->min_heap = (uint64_t)heap_param_double(h, "min_heap", &ok2);
    s->max = (size_t)heap_param_double(h, "mark_stack_max", &ok3);
    double lazy = heap_param_double(h, "lazy_sweep", &ok4);
    s->lazy_sweep = lazy != 0;
    double prefetch = heap_param_double(h, "prefetch", &ok5);
    s->prefetch = prefetch != 0;
    gclab_status st = GCLAB_OK;
    if (!ok1 || !ok2 || !ok3 || !ok4 || !ok5)
        st = heap_error(h, GCLAB_EVALUE, "bad parameter value");
    else if (lazy != 0 && lazy != 1)
        st = heap_error(h, GCLAB_EVALUE, "lazy_sweep must be 0 or 1 (got %g)", lazy);
    else if (prefetch != 0 && prefetch != 1)
        st = heap_error(h, GCLAB_EVALUE, "prefetch must be 0 or 1 (got %g)", prefetch);
    else if (s->heap_factor < 1.0)
        st = heap_error(h, GCLAB_EVALUE, "heap_factor must be at least 1 (got %g)", s->heap_factor);
    else if (s->max == 1)
        st = heap_error(h, GCLAB_EVALUE, "mark_stack_max must be 0 (unbounded) or at least 2");
    else if (alloc_enable_marks(core_allocator(h)) != 0)
        st = heap_error(h, GCLAB_EUSAGE, "marksweep: the allocator was used before init");
    if (st != GCLAB_OK) {
        free(s);              /* core calls no fini after a failed init */
        core_set_es(h, NULL);
        return st;
    }
    ms_set_threshold(h, s);
    return GCLAB_OK;
}

static void ms_fini(gclab_heap *h)
{
    struct ms_state *s = core_es(h);
    if (!s)
        return;
    /* Core's allocator releases every object's memory at once. */
    free(s->stack);
    free(s->weakrefs.v);
    free(s->fnz.v);
    free(s->tofnz.v);
    free(s->callbacks.v);
    free(s);
    core_set_es(h, NULL);
}

struct ms_snapshot { struct obj_vec v; bool short_of_memory; };

static void ms_collect_container(void *block, void *ctx)
{
    struct ms_snapshot *sn = ctx;
    gclab_obj *o = block;
    if (obj_kind_is_container(o->kind) && !obj_vec_push(&sn->v, o))
        sn->short_of_memory = true;
}

static void ms_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    if (gen > 0)
        return;
    /* The callee may allocate (gc.get_objects appends), which the walk over
     * the allocator must not see: take the containers first, then call. */
    struct ms_snapshot sn = { { 0 }, false };
    alloc_foreach_object(core_allocator(h), ms_collect_container, &sn);
    if (sn.short_of_memory)
        fprintf(stderr, "gclab marksweep: out of memory: objects left out\n");
    for (size_t i = 0; i < sn.v.n; i++)
        fn(sn.v.v[i], ctx);
    free(sn.v.v);
}

/* ---- ms_verify ---- */

struct ms_census { struct ms_state *s; uint64_t objects, bytes, weakrefs, fnz, marked; bool edges; };

static void ms_census_one(void *block, void *ctx)
{
    struct ms_census *c = ctx;
    gclab_obj *o = block;
    c->objects++;
    c->bytes += o->size + o->storage;
    c->weakrefs += o->kind == GCLAB_K_WEAKREF;
    c->fnz += obj_has_del(o) && !(o->gcflags & MS_FINALIZED);
    c->marked += obj_is_marked(&c->s->mk, o) || obj_is_immortal(o);
    if (c->edges)
        o->gc_refs = 1;
}

static void ms_verify_edge(gclab_obj **field, void *ctx)
{
    gclab_obj *o = *field;
    int *bad = ctx;
    if (!obj_is_immortal(o) && o->gc_refs != 1)
        (*bad)++;
}

static void ms_verify_edges(void *block, void *ctx)
{
    gclab_obj *o = block;
    int *bad = ctx, before = *bad;
    gclab_trace_object(o, ms_verify_edge, bad);
    if (*bad != before)
        fprintf(stderr, "marksweep verify: object %p kind %d has an edge to a freed object\n",
                (void *)o, o->kind);
}

static void ms_verify_reset(void *block, void *ctx)
{
    (void)ctx;
    ((gclab_obj *)block)->gc_refs = 0;
}

/* M1, M5 (level 1: one walk of the heap's blocks, no edge traced): the
 * objects, their bytes and the side vectors match core's counts, nothing is
 * left marked; and edges (level 2): every field of an object points to a
 * live or immortal object. */
static int ms_verify(gclab_heap *h, int level)
{
    struct ms_state *s = core_es(h);
    struct ms_census c = { .s = s, .edges = level >= 2 };
    int bad = 0;
    alloc_foreach_object(core_allocator(h), ms_census_one, &c);
    if (c.edges) {
        alloc_foreach_object(core_allocator(h), ms_verify_edges, &bad);
        alloc_foreach_object(core_allocator(h), ms_verify_reset, NULL);
    }
    if (c.marked) {
        fprintf(stderr, "marksweep verify: %llu objects marked or immortal between collections\n",
                (unsigned long long)c.marked);
        return -1;                         /* M1, M5 */
    }
    if (c.objects != core_live_objects(h) || c.bytes != core_live_bytes(h)) {
        fprintf(stderr, "marksweep verify: %llu objects of %llu bytes in the heap, core counts %llu of %llu\n",
                (unsigned long long)c.objects, (unsigned long long)c.bytes,
                (unsigned long long)core_live_objects(h), (unsigned long long)core_live_bytes(h));
        return -1;                         /* M5 */
    }
    if (c.weakrefs != s->weakrefs.n || c.fnz != s->fnz.n) {
        fprintf(stderr, "marksweep verify: %llu weakrefs and %llu to finalize in the heap, "
                        "%zu and %zu listed\n", (unsigned long long)c.weakrefs,
                (unsigned long long)c.fnz, s->weakrefs.n, s->fnz.n);
        return -1;                         /* M5 */
    }
    return bad ? -1 : 0;
}

static const struct gclab_mutant *const ms_mutants[] = {
    &ms_mut_skip_mark, &ms_mut_no_clear_wr, &ms_mut_fin_twice, &ms_mut_overflow_tuple, &alloc_mut_size_class,
    NULL };

static const struct gclab_param_spec ms_params[] = {
    GCLAB_PREAL("heap_factor", "2.0", 1, 1e6, "collect when live bytes pass live-after-last-collection times this"),
    GCLAB_PINT("min_heap", "4194304", 0, 1e15, "never collect (automatically) below this many live bytes"),
    GCLAB_PINT("mark_stack_max", "1048576", 0, 1e12, "mark stack entries before overflow rescans (0: unbounded; never 1)"),
    GCLAB_PINT("lazy_sweep", "0", 0, 1, "1: sweep a pool when allocation needs room in its size class, not in the pause"),
    GCLAB_PINT("prefetch", "1", 0, 1, "0: mark loop without the prefetching FIFOs (to measure them)"),
    GCLAB_PEND,
};

const struct gclab_engine gclab_engine_marksweep = {
    .name = "marksweep",
    .summary = "precise stop-the-world mark-sweep: side mark bitmaps, sweeps pool by pool, "
               "collects at heap_factor x live",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 1, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .header_words = 2 /* side mark bitmaps */ },
    .params = ms_params,
    .init = ms_init,
    .fini = ms_fini,
    .alloc = ms_alloc,
    .track = ms_track,
    .collect = ms_collect,
    .foreach_tracked = ms_foreach_tracked,
    .verify = ms_verify,
    .mutants = ms_mutants,
};
