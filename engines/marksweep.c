/* marksweep.c — precise, stop-the-world, non-moving mark-sweep: no
 * reference counts, one heap-wide list of objects, an explicit mark stack.
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
 *   CPython's gc-list order after generation merging; the pause log counts
 *   the time weakref callbacks and finalizers take (CPython's gc does too).
 *
 * Header words on this engine
 *   gc_next   the next object in the heap list (allocation order), always
 *   gcflags   MS_MARK: reachable in the current mark phase; clear outside
 *             ms_collect (M1). MS_FINALIZED: __del__ has run (never cleared).
 *   gc_prev, gc_refs, refcnt: unused (gc_refs is scratch for ms_verify).
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
 *
 * The mark stack
 *   A malloc'd array of containers whose fields are still to be visited;
 *   marking never recurses in C, so a 10-million-node chain and a
 *   10-million-wide list take the same C stack. Leaves (ints, strs, blobs)
 *   are marked but never pushed. The stack grows by doubling up to
 *   -p mark_stack_max= entries (default 2^20, 8 MiB). When it is full, or
 *   realloc fails, a container is marked but not pushed and `overflowed` is
 *   set; once the stack drains, ms_rescan walks the heap list and visits the
 *   fields of every marked container again, pushing what is still unmarked,
 *   until a pass ends without overflow (M2). Each pass is O(heap), but
 *   passes only happen when a mark stack of 2^20 entries overflows.
 *
 * A collection, in order (read ms_collect first)
 *   1. start event (gc.callbacks "start"; core_collecting() from here on,
 *      so nothing below can start a nested collection: M3);
 *   2. ms_mark_roots: mark from the roots and drain;
 *   3. ms_scan_unreachable, one walk of the heap list over what is still
 *      unmarked (the garbage and the finalizable), skipped when the heap
 *      holds no instance and no weakref (then the sweep does the counting):
 *        - count it (the value collect() returns);
 *        - clear every weakref to it (core_clear_weakrefs, no callbacks yet);
 *          a cleared weakref that is itself marked keeps its callback in
 *          the `callbacks` vector, to call after the sweep;
 *        - if it has __del__ not yet run, put it in `tofnz`;
 *   4. ms_mark_tofnz: mark from each object in `tofnz` (Lua's "tobefnz"),
 *      so the objects to finalize and all they reach survive this cycle;
 *   5. ms_sweep: free every unmarked object (storage, accounting, memory)
 *      and clear the mark of every survivor (M1). Weakrefs were cleared in 3,
 *      so no dying weakref touches a freed target, and freeing needs no
 *      order among the dead;
 *   6. ms_run_callbacks, then ms_run_finalizers (MS_FINALIZED set before
 *      each __del__, M4): mutator code, running only after the heap is
 *      consistent again. What a finalizer resurrects stays; what it drops
 *      is found by the next collection, where its __del__ does not run again;
 *   7. the threshold is recomputed from live bytes; stop event.
 *
 * Invariants (cited by asserts as M1..M5)
 *   M1 no object carries MS_MARK outside ms_collect;
 *   M2 when marking ends, every field of every marked container points to a
 *      marked or immortal object (the mark stack is empty, no overflow left);
 *   M3 collections never nest: ms_collect runs only while !core_collecting();
 *   M4 __del__ runs at most once per object: MS_FINALIZED is never cleared;
 *   M5 every object allocated by this engine is in the heap list exactly
 *      once until swept, and immortal objects are never in it (ms_verify
 *      checks the list against core_live_objects, -p verify=2).
 */
#include <string.h>

#include "engine.h"

#define MS_MARK      0x01
#define MS_FINALIZED 0x02

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant ms_mut_skip_mark = {
    "skip-mark", "a marked dict is not pushed on the mark stack: its entries stay unmarked" };
static const struct gclab_mutant ms_mut_no_clear_wr = {
    "no-clear-wr", "a swept object's weakrefs are not cleared" };
static const struct gclab_mutant ms_mut_fin_twice = {
    "fin-twice", "FINALIZED is never set, so __del__ runs again at the next collection" };

struct ms_vec { gclab_obj **v; size_t n, cap; };

struct ms_state {
    gclab_obj *head, *tail;       /* the heap list, allocation order (M5) */
    uint64_t nobjects;            /* length of the heap list */
    uint64_t nspecial;            /* live instances and weakrefs: what step 3 is for */
    /* mark stack */
    gclab_obj **stack;
    size_t sp, cap, max;
    bool overflowed;
    /* trigger */
    double heap_factor;
    uint64_t min_heap, threshold, live_after;
    /* per-collection vectors, kept to reuse their memory */
    struct ms_vec tofnz;          /* unreachable objects whose __del__ will run */
    struct ms_vec callbacks;      /* pairs: weakref, its callback */
};

/* ================================================================
 * Mark
 * ================================================================ */

static bool ms_is_marked(const gclab_obj *o) { return o->gcflags & MS_MARK; }
/* Instances (which may have __del__) and weakrefs: what step 3 looks for. */
static bool ms_is_special(const gclab_obj *o)
{
    return o->kind == GCLAB_K_INSTANCE || o->kind == GCLAB_K_WEAKREF;
}

/* Push a marked container; on a full stack, leave it for ms_rescan. */
static void ms_push(struct ms_state *s, gclab_obj *o)
{
    if (s->sp == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (s->max && cap > s->max)
            cap = s->max;
        gclab_obj **st = cap > s->cap ? realloc(s->stack, cap * sizeof *st) : NULL;
        if (!st) {
            s->overflowed = true;
            return;
        }
        s->stack = st;
        s->cap = cap;
    }
    s->stack[s->sp++] = o;
}

/* The visitor: mark what a field points to; containers go on the stack. */
static void ms_mark_field(gclab_obj **field, void *ctx)
{
    gclab_obj *o = *field;
    if (obj_is_immortal(o) || ms_is_marked(o))
        return;
    o->gcflags |= MS_MARK;
    if (obj_kind_is_container(o->kind) && !(GCLAB_MUTANT(ms_mut_skip_mark) && o->kind == GCLAB_K_DICT))
        ms_push(ctx, o);
}

static void ms_drain(struct ms_state *s)
{
    while (s->sp > 0)
        gclab_trace_object(s->stack[--s->sp], ms_mark_field, s);
}

/* After an overflow: visit the fields of every marked container again until
 * a whole pass ends without overflowing (M2). */
static void ms_rescan(struct ms_state *s)
{
    while (s->overflowed) {
        s->overflowed = false;
        for (gclab_obj *o = s->head; o; o = o->gc_next)
            if (ms_is_marked(o) && obj_kind_is_container(o->kind)) {
                gclab_trace_object(o, ms_mark_field, s);
                ms_drain(s);
            }
    }
}

/* Drain the stack and resolve overflows: afterwards M2 holds. */
static void ms_finish_marking(struct ms_state *s)
{
    ms_drain(s);
    ms_rescan(s);
    GCLAB_ASSERT(s->sp == 0 && !s->overflowed);   /* M2 */
}

static void ms_mark_roots(gclab_heap *h, struct ms_state *s)
{
    gclab_trace_roots(h, ms_mark_field, s);
    ms_finish_marking(s);
}

/* ================================================================
 * Unreachable objects: weakrefs and the objects to finalize
 * ================================================================ */

static bool ms_vec_push(struct ms_vec *v, gclab_obj *o)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        gclab_obj **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv)
            return false;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = o;
    return true;
}

/* Clear the weakrefs to a dead (or to-be-finalized) object. A weakref that
 * is reachable keeps its callback for ms_run_callbacks; an unreachable one
 * loses it, as in CPython's handle_weakrefs. */
static void ms_clear_weakrefs(gclab_heap *h, struct ms_state *s, gclab_obj *o)
{
    gclab_obj **head = obj_weaklist(o);
    if (!head || !*head)
        return;
    for (gclab_obj *w = *head; w; w = AS(obj_weakref, w)->wr_next) {
        obj_weakref *wr = AS(obj_weakref, w);
        if (wr->callback && ms_is_marked(w)) {
            /* Both were marked with the weakref, so both survive the sweep. */
            if (!ms_vec_push(&s->callbacks, w) || !ms_vec_push(&s->callbacks, wr->callback)) {
                s->callbacks.n &= ~(size_t)1;
                fprintf(stderr, "gclab marksweep: out of memory: weakref callback dropped\n");
            }
        }
    }
    if (!GCLAB_MUTANT(ms_mut_no_clear_wr))
        core_clear_weakrefs(h, o, false);
}

/* Walk what root marking left unmarked: count it, clear weakrefs to it,
 * collect the objects whose __del__ must run. Returns the count. */
static int64_t ms_scan_unreachable(gclab_heap *h, struct ms_state *s)
{
    int64_t n = 0;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        if (ms_is_marked(o))
            continue;
        n++;
        ms_clear_weakrefs(h, s, o);
        if (obj_has_del(o) && !(o->gcflags & MS_FINALIZED) && !ms_vec_push(&s->tofnz, o))
            fprintf(stderr, "gclab marksweep: out of memory: a __del__ will not run\n");
    }
    return n;
}

/* Mark from every object to finalize: they and all they reach survive. */
static void ms_mark_tofnz(struct ms_state *s)
{
    for (size_t i = 0; i < s->tofnz.n; i++) {
        gclab_obj *o = s->tofnz.v[i];
        if (!ms_is_marked(o)) {
            o->gcflags |= MS_MARK;
            ms_push(s, o);
        }
    }
    ms_finish_marking(s);
}

/* ================================================================
 * Sweep
 * ================================================================ */

/* Free every unmarked object; unmark the survivors (M1). Returns the number freed. */
static uint64_t ms_sweep(gclab_heap *h, struct ms_state *s)
{
    gclab_obj **link = &s->head, *last = NULL, *o;
    uint64_t freed = 0;
    while ((o = *link) != NULL) {
        if (ms_is_marked(o)) {
            o->gcflags &= (uint8_t)~MS_MARK;
            last = o;
            link = &o->gc_next;
            continue;
        }
        *link = o->gc_next;
        if (ms_is_special(o))
            s->nspecial--;
        core_free_storage(h, o);
        core_obj_dead(h, o);
        core_free_object_memory(h, o);
        freed++;
    }
    s->tail = last;
    s->nobjects -= freed;
    return freed;
}

/* ================================================================
 * After the sweep: mutator code
 * ================================================================ */

static void ms_run_callbacks(gclab_heap *h, struct ms_state *s)
{
    /* No collection can run meanwhile (M3), so the vector stays valid. */
    for (size_t i = 0; i + 1 < s->callbacks.n; i += 2)
        core_call(h, s->callbacks.v[i + 1], 1, &s->callbacks.v[i], "weakref callback");
    s->callbacks.n = 0;
}

static void ms_run_finalizers(gclab_heap *h, struct ms_state *s)
{
    for (size_t i = 0; i < s->tofnz.n; i++) {
        gclab_obj *o = s->tofnz.v[i];
        if (!GCLAB_MUTANT(ms_mut_fin_twice)) {
            GCLAB_ASSERT(!(o->gcflags & MS_FINALIZED));   /* M4 */
            o->gcflags |= MS_FINALIZED;
        }
        core_run_finalizer(h, o);
    }
    s->tofnz.n = 0;
}

/* ================================================================
 * Collection and trigger
 * ================================================================ */

static int ms_verify(gclab_heap *h);

static void ms_set_threshold(gclab_heap *h, struct ms_state *s)
{
    s->live_after = core_live_bytes(h);
    double t = (double)s->live_after * s->heap_factor;
    s->threshold = t > (double)s->min_heap ? (uint64_t)t : s->min_heap;
    /* Under a heap limit, collect while an eighth of it is still free:
     * storage growth (list append, dict resize) between two object
     * allocations never collects, so it needs that headroom. When the live
     * data leaves less than that, collect once half of what is left is
     * used, rather than at every allocation. */
    uint64_t limit = core_heap_limit(h);
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
    ms_mark_roots(h, s);
    /* Step 3 walks the whole heap list, which costs as much as the sweep
     * (a cache miss per object); without instances (the only kind with
     * __del__) and weakrefs it has nothing to do, and the sweep counts. */
    bool scan = s->nspecial > 0;
    int64_t found = 0;
    if (scan) {
        found = ms_scan_unreachable(h, s);
        ms_mark_tofnz(s);
    }
    uint64_t freed = ms_sweep(h, s);
    if (!scan)
        found = (int64_t)freed;
    ms_run_callbacks(h, s);
    ms_run_finalizers(h, s);
    ms_set_threshold(h, s);
    if (core_verify_level(h) >= 2 && ms_verify(h) != 0)
        abort();
    core_event_collect_end(h, 0, found, 0);
    return found;
}

static gclab_obj *ms_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct ms_state *s = core_es(h);
    if (!core_collecting(h) &&
        ((core_gc_enabled(h) && core_live_bytes(h) + bytes > s->threshold) ||
         !core_within_limit(h, bytes)))
        ms_collect(h, 0);
    gclab_obj *o = core_alloc_object(h, bytes);
    if (!o)
        return NULL;                       /* past the heap limit even after collecting */
    if (s->tail)
        s->tail->gc_next = o;
    else
        s->head = o;
    s->tail = o;
    s->nobjects++;
    if (kind == GCLAB_K_INSTANCE || kind == GCLAB_K_WEAKREF)
        s->nspecial++;
    return o;
}

/* ================================================================
 * Lifecycle and introspection
 * ================================================================ */

static gclab_status ms_init(gclab_heap *h)
{
    struct ms_state *s = calloc(1, sizeof *s);
    bool ok1, ok2, ok3;
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    core_set_es(h, s);
    s->heap_factor = heap_param_double(h, "heap_factor", &ok1);
    s->min_heap = (uint64_t)heap_param_double(h, "min_heap", &ok2);
    s->max = (size_t)heap_param_double(h, "mark_stack_max", &ok3);
    gclab_status st = GCLAB_OK;
    if (!ok1 || !ok2 || !ok3)
        st = heap_error(h, GCLAB_EVALUE, "bad parameter value");
    else if (s->heap_factor < 1.0)
        st = heap_error(h, GCLAB_EVALUE, "heap_factor must be at least 1 (got %g)", s->heap_factor);
    else if (s->max == 1)
        st = heap_error(h, GCLAB_EVALUE, "mark_stack_max must be 0 (unbounded) or at least 2");
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
    free(s->tofnz.v);
    free(s->callbacks.v);
    free(s);
    core_set_es(h, NULL);
}

static void ms_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    struct ms_state *s = core_es(h);
    if (gen > 0)
        return;
    /* A callee may allocate (gc.get_objects appends): new objects go at the
     * tail, after the current end, which is where we stop. */
    gclab_obj *end = s->tail;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        if (obj_kind_is_container(o->kind))
            fn(o, ctx);
        if (o == end)
            break;
    }
}

static void ms_verify_edge(gclab_obj **field, void *ctx)
{
    gclab_obj *o = *field;
    int *bad = ctx;
    if (!obj_is_immortal(o) && o->gc_refs != 1)
        (*bad)++;
}

/* M1, M5 and edges: every field of a listed object points to a listed or
 * immortal object; the list length equals core's live object count. */
static int ms_verify(gclab_heap *h)
{
    struct ms_state *s = core_es(h);
    uint64_t n = 0, special = 0;
    int bad = 0;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        special += ms_is_special(o);
        if (ms_is_marked(o) || obj_is_immortal(o)) {
            fprintf(stderr, "marksweep verify: object %p kind %d flags %#x gcflags %#x\n",
                    (void *)o, o->kind, o->flags, o->gcflags);
            return -1;                     /* M1, M5 */
        }
        o->gc_refs = 1;
        n++;
    }
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        int before = bad;
        gclab_trace_object(o, ms_verify_edge, &bad);
        if (bad != before)
            fprintf(stderr, "marksweep verify: object %p kind %d has an edge to a freed object\n",
                    (void *)o, o->kind);
    }
    for (gclab_obj *o = s->head; o; o = o->gc_next)
        o->gc_refs = 0;
    if (n != s->nobjects || n != core_live_objects(h)) {
        fprintf(stderr, "marksweep verify: %llu listed, %llu counted, %llu live\n",
                (unsigned long long)n, (unsigned long long)s->nobjects,
                (unsigned long long)core_live_objects(h));
        return -1;                         /* M5 */
    }
    if (special != s->nspecial) {
        fprintf(stderr, "marksweep verify: %llu instances and weakrefs listed, %llu counted\n",
                (unsigned long long)special, (unsigned long long)s->nspecial);
        return -1;
    }
    return bad ? -1 : 0;
}

static const struct gclab_param_spec ms_params[] = {
    { "heap_factor", "2.0", "collect when live bytes pass live-after-last-collection times this (>= 1)" },
    { "min_heap", "4194304", "never collect (automatically) below this many live bytes" },
    { "mark_stack_max", "1048576", "mark stack entries before overflow rescans (0: unbounded)" },
    { NULL, NULL, NULL },
};

static const struct gclab_mutant *const ms_mutants[] = {
    &ms_mut_skip_mark, &ms_mut_no_clear_wr, &ms_mut_fin_twice, NULL };

const struct gclab_engine gclab_engine_marksweep = {
    .name = "marksweep",
    .summary = "precise stop-the-world mark-sweep: no refcounts, explicit mark stack, "
               "collects at heap_factor x live",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 1 },
    .params = ms_params,
    .mutants = ms_mutants,
    .init = ms_init,
    .fini = ms_fini,
    .alloc = ms_alloc,
    .collect = ms_collect,
    .foreach_tracked = ms_foreach_tracked,
    .verify = ms_verify,
};
