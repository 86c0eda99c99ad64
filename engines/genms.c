/* genms.c — generational, non-moving mark-sweep with sticky mark bits
 * (Demers, Weiser, Hayes, Boehm, Bobrow, Shenker, "Combining generational and
 * conservative garbage collection", POPL 1990; Whippet's generational mmc is
 * the modern model): precise, stop-the-world, no reference counts.
 *
 * What it promises
 *   The observable rules of marksweep (read its top comment) for full
 *   collections: after gc.collect() (any generation >= 1) exactly the
 *   unreachable objects are gone, weakrefs to them cleared before any
 *   finalizer runs, a weakref's callback runs only if the weakref is
 *   reachable, __del__ runs at most once, what __del__ resurrects stays.
 *   A nursery collection, gc.collect(0), frees only young garbage: an old
 *   object that died waits for the next full collection (frees late).
 *   DIFFERS from marksweep: in a nursery collection the unreachable set is
 *   the young unreachable objects only (CPython's generation-0 collection is
 *   the same in spirit: what a young object reaches from the old space is
 *   kept).
 *
 * Generations (gc.get_count, gc.get_stats, gc.collect(gen)); generations = 2
 *   0 young: objects allocated since the last collection (the nursery);
 *   1 old:   objects that survived a collection (sticky: marked).
 *   gc.collect(0) is a nursery collection, gc.collect(1) (or 2) a full one.
 *   gc.get_count() = [bytes allocated since the last collection (objects and
 *   storage), nursery collections since the last full one]; gc.get_stats()
 *   counts nursery collections in generation 0 and full ones in 1, each with
 *   the objects it found unreachable.
 *
 * Header words on this engine
 *   gcflags  GM_EPOCH (2 bits): 0 for a young object; a full collection's
 *            number (1 or 2, alternating) for an object it or a later nursery
 *            collection marked. Between collections, old == marked == its
 *            epoch is s->epoch (G1). A nursery collection marks with the
 *            current epoch and never unmarks: survivors stay marked, hence
 *            old ("sticky" mark bits); a full collection flips s->epoch, which
 *            unmarks every object at once without a walk.
 *            GM_LOGGED: in the remembered set. GM_FINALIZED: __del__ has run.
 *   gc_next  the heap list, allocation order: the young objects are the
 *            suffix after s->old_tail (G2), so a nursery sweep walks only them.
 *   gc_prev  the next object of `finobj` (instances whose __del__ is pending),
 *            `tofnz` or `weakrefs` (every live weakref), allocation order.
 *   gc_refs  scratch for gm_verify. refcnt, gen: unused.
 *
 * The write barrier: object logging into a remembered set
 *   Post-write, on every store into an object field: if the owner is old,
 *   the new value young, and the owner not yet logged, the owner is logged
 *   (GM_LOGGED) and appended to `remset` (Whippet's field-logging barrier
 *   logs each field; one entry per object is coarser and needs no card
 *   table over a pool allocator). Stores into slots, return registers and
 *   globals' roots are not barriered: a nursery collection traces every root.
 *   A young value stored into a young owner needs nothing: the owner is
 *   traced if it survives. So an old object with a field pointing to a young
 *   one is always logged (G3): the nursery collection traces the fields of
 *   logged objects as roots, then unlogs them (every young survivor is old
 *   afterwards, so no old-to-young edge is left). A weakref's target is weak
 *   and fixed at creation: an old weakref never points to a young object.
 *   If the remembered set cannot grow (out of memory), the next collection is
 *   a full one.
 *
 * The trigger
 *   Before an object allocation, when the bytes allocated since the last
 *   collection pass -p nursery= (default 4 MiB, Demers' "young generation
 *   size"): a nursery collection; or a full one if the old space (live bytes
 *   after the last nursery collection) has passed
 *       max(min_heap, live_after_last_full * full_factor)
 *   (-p full_factor=, default 2: the old space may double between two full
 *   collections, marksweep's rule applied to the old space). gc.collect()
 *   and zeal run full collections; with --heap-limit, an allocation that
 *   would pass the limit first runs a full collection (even under
 *   gc.disable()). -p stress=1 makes the nursery 256 bytes (for fuzzing).
 *
 * A collection, in order (read gm_collect first)
 *   1. start event; a full collection flips the epoch and empties the
 *      remembered set (it traces everything anyway);
 *   2. mark from the roots (and, in a nursery collection, from the fields of
 *      logged objects, which are then unlogged); only young objects are
 *      marked in a nursery collection, so old ones are never traced;
 *   3. white instances with a pending __del__ (young ones only, in a nursery
 *      collection) move from finobj to tofnz; weakrefs to white objects are
 *      cleared (callbacks of marked weakrefs kept); mark from tofnz;
 *   4. sweep: the young suffix (nursery) or the whole list (full);
 *   5. the young boundary moves to the tail; callbacks, then finalizers
 *      (their allocations are young); stop event.
 *
 * Invariants (cited by asserts as G1..G5)
 *   G1 between collections an object is old iff its epoch is s->epoch, and
 *      young iff its epoch is 0; no other value exists;
 *   G2 the young objects are exactly the heap list after old_tail;
 *   G3 every old object with a field pointing to a young object is logged;
 *      a logged object is old and in the remembered set exactly once;
 *   G4 __del__ runs at most once per object: GM_FINALIZED is never cleared;
 *   G5 the heap list length equals core's live object count, and an
 *      instance with a pending __del__ is never swept (it is in finobj and a
 *      collection moves it to tofnz and marks it).
 */
#include <string.h>

#include "engine.h"

#define GM_EPOCH     0x03
#define GM_LOGGED    0x04
#define GM_FINALIZED 0x08

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant gm_mut_no_barrier = {
    "no-barrier", "the write barrier logs nothing: a young object stored into an old one is freed" };
static const struct gclab_mutant gm_mut_stay_logged = {
    "stay-logged", "a nursery collection leaves its remembered objects logged, so their next young store is not remembered" };
static const struct gclab_mutant gm_mut_free_resurrected = {
    "free-resurrected", "objects to finalize are not marked: the sweep frees what __del__ resurrects" };
static const struct gclab_mutant gm_mut_young_wr = {
    "young-wr", "a nursery collection does not clear weakrefs to the young objects it frees" };
static const struct gclab_mutant *const gm_mutants[] = {
    &gm_mut_no_barrier, &gm_mut_stay_logged, &gm_mut_free_resurrected, &gm_mut_young_wr, NULL,
};

struct gm_vec { gclab_obj **v; size_t n, cap; };
/* A queue threaded through gc_prev, with the mark of where its young part begins. */
struct gm_queue { gclab_obj *head, *tail, *old_tail; };

struct gm_state {
    gclab_obj *head, *tail;       /* the heap list, allocation order (G5) */
    gclab_obj *old_tail;          /* the last old object; NULL: all young (G2) */
    uint64_t nobjects;
    uint8_t epoch;                /* 1 or 2 (G1) */
    uint64_t marked;              /* objects marked, ever (for counting) */
    bool full;                    /* the collection in progress is a full one */
    /* mark stack */
    gclab_obj **stack;
    size_t sp, cap, max;
    bool overflowed;
    /* remembered set (G3) */
    struct gm_vec remset;
    bool remset_lost;             /* a push failed: the next collection is full */
    /* trigger */
    double full_factor;
    uint64_t nursery, min_heap, full_threshold;
    uint64_t alloc_mark;          /* core_alloc_bytes(h) after the last collection */
    bool full_pending;
    int64_t minors_since_full;
    /* queues and the callback vector */
    struct gm_queue finobj, tofnz, weakrefs;
    struct gm_vec callbacks;
};

static int gm_verify(gclab_heap *h);

/* ================================================================
 * Ages and marks
 * ================================================================ */

static bool gm_is_young(const gclab_obj *o) { return !(o->gcflags & GM_EPOCH) && !obj_is_immortal(o); }
static bool gm_is_marked(const struct gm_state *s, const gclab_obj *o)
{
    return (o->gcflags & GM_EPOCH) == s->epoch;
}
/* White in the collection in progress: not yet marked and collectable. */
static bool gm_is_white(const struct gm_state *s, const gclab_obj *o)
{
    return !obj_is_immortal(o) && !gm_is_marked(s, o);
}

static bool gm_vec_push(struct gm_vec *v, gclab_obj *o)
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

/* ================================================================
 * Mark
 * ================================================================ */

static void gm_push(struct gm_state *s, gclab_obj *o)
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

static void gm_mark(struct gm_state *s, gclab_obj *o)
{
    o->gcflags = (uint8_t)((o->gcflags & ~GM_EPOCH) | s->epoch);
    s->marked++;
    if (obj_kind_is_container(o->kind))
        gm_push(s, o);
}

/* The visitor, both kinds of collection: mark a white object. In a nursery
 * collection the old objects are marked already, so only young ones are
 * white: the old space is never traced. */
static void gm_mark_field(gclab_obj **field, void *ctx)
{
    struct gm_state *s = ctx;
    gclab_obj *o = *field;
    if (o && gm_is_white(s, o))
        gm_mark(s, o);
}

static void gm_drain(struct gm_state *s)
{
    while (s->sp > 0)
        gclab_trace_object(s->stack[--s->sp], gm_mark_field, s);
}

/* After an overflow: visit the fields of every marked container again
 * (only the young suffix in a nursery collection: old objects' fields are
 * traced only through the remembered set) until no overflow is left. */
static void gm_rescan(struct gm_state *s)
{
    while (s->overflowed) {
        s->overflowed = false;
        gclab_obj *o = s->full || !s->old_tail ? s->head : s->old_tail->gc_next;
        for (; o; o = o->gc_next)
            if (gm_is_marked(s, o) && obj_kind_is_container(o->kind)) {
                gclab_trace_object(o, gm_mark_field, s);
                gm_drain(s);
            }
    }
}

static void gm_finish_marking(struct gm_state *s)
{
    gm_drain(s);
    gm_rescan(s);
    GCLAB_ASSERT(s->sp == 0 && !s->overflowed);
}

/* A nursery collection's extra roots: the fields of logged old objects,
 * which are then unlogged (after it no old-to-young edge is left: G3). */
static void gm_mark_remembered(struct gm_state *s)
{
    for (size_t i = 0; i < s->remset.n; i++) {
        gclab_obj *o = s->remset.v[i];
        GCLAB_ASSERT((o->gcflags & GM_LOGGED) && gm_is_marked(s, o));   /* G3 */
        gclab_trace_object(o, gm_mark_field, s);
        if (!GCLAB_MUTANT(gm_mut_stay_logged))
            o->gcflags &= (uint8_t)~GM_LOGGED;
        gm_drain(s);
    }
    s->remset.n = 0;
}

static void gm_forget_remembered(struct gm_state *s)
{
    for (size_t i = 0; i < s->remset.n; i++)
        s->remset.v[i]->gcflags &= (uint8_t)~GM_LOGGED;
    s->remset.n = 0;
    s->remset_lost = false;
}

/* ================================================================
 * The write barrier
 * ================================================================ */

static void gm_barrier_slow(struct gm_state *s, gclab_obj *owner)
{
    if (!gm_vec_push(&s->remset, owner)) {
        s->remset_lost = true;             /* the next collection is full */
        return;
    }
    owner->gcflags |= GM_LOGGED;
}

/* Post-write: a field of owner now holds v. Logs an old owner that now
 * points to a young object (G3). */
static void gm_post_write(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *v)
{
    struct gm_state *s = core_es(h);
    (void)field;
    if (owner && v && !(owner->gcflags & GM_LOGGED) && !gm_is_young(owner) && gm_is_young(v) &&
        !obj_is_immortal(owner) && !GCLAB_MUTANT(gm_mut_no_barrier))
        gm_barrier_slow(s, owner);
}

/* ================================================================
 * Queues through gc_prev (young part: after old_tail)
 * ================================================================ */

static void gm_queue_append(struct gm_queue *q, gclab_obj *o)
{
    o->gc_prev = NULL;
    if (q->tail)
        q->tail->gc_prev = o;
    else
        q->head = o;
    q->tail = o;
}

/* The part of q this collection looks at: all of it (full) or its young
 * part; detached from q and returned. */
static gclab_obj *gm_queue_detach(struct gm_state *s, struct gm_queue *q)
{
    gclab_obj *part;
    if (s->full || !q->old_tail) {
        part = q->head;
        q->head = q->tail = NULL;
    } else {
        part = q->old_tail->gc_prev;
        q->old_tail->gc_prev = NULL;
        q->tail = q->old_tail;
    }
    return part;
}

/* Re-append the detached part: marked objects go back to q, the others to
 * `out` (or are dropped when out is NULL). */
static void gm_queue_split(struct gm_state *s, struct gm_queue *q, gclab_obj *part, struct gm_queue *out)
{
    while (part) {
        gclab_obj *next = part->gc_prev;
        if (gm_is_marked(s, part))
            gm_queue_append(q, part);
        else if (out)
            gm_queue_append(out, part);
        part = next;
    }
}

/* ================================================================
 * Weakrefs and the objects to finalize
 * ================================================================ */

static void gm_clear_weakrefs(gclab_heap *h, struct gm_state *s, gclab_obj *o)
{
    gclab_obj **head = obj_weaklist(o);
    if (!head || !*head)
        return;
    for (gclab_obj *w = *head; w; w = AS(obj_weakref, w)->wr_next) {
        obj_weakref *wr = AS(obj_weakref, w);
        if (wr->callback && gm_is_marked(s, w)) {
            if (!gm_vec_push(&s->callbacks, w) || !gm_vec_push(&s->callbacks, wr->callback)) {
                s->callbacks.n &= ~(size_t)1;
                fprintf(stderr, "gclab genms: out of memory: weakref callback dropped\n");
            }
        }
    }
    core_clear_weakrefs(h, o, false);
}

/* White instances with a pending __del__ go to tofnz; weakrefs to white
 * objects are cleared; everything tofnz reaches is marked. Returns the
 * number of objects that marks (found unreachable, kept for __del__). */
static int64_t gm_handle_unreachable(gclab_heap *h, struct gm_state *s)
{
    gm_queue_split(s, &s->finobj, gm_queue_detach(s, &s->finobj), &s->tofnz);
    /* Only young weakrefs can point to young objects (a target is older
     * than its weakref), so a nursery collection looks at those only. */
    gclab_obj *wr = gm_queue_detach(s, &s->weakrefs);
    if (!(GCLAB_MUTANT(gm_mut_young_wr) && !s->full))
        for (gclab_obj *w = wr; w; w = w->gc_prev) {
            gclab_obj *t = AS(obj_weakref, w)->target;
            if (t && gm_is_white(s, t))
                gm_clear_weakrefs(h, s, t);
        }
    uint64_t before = s->marked;
    if (!GCLAB_MUTANT(gm_mut_free_resurrected))
        for (gclab_obj *o = s->tofnz.head; o; o = o->gc_prev) {
            if (gm_is_white(s, o))
                gm_mark(s, o);
            gm_finish_marking(s);
        }
    /* weakrefs still white are swept */
    gm_queue_split(s, &s->weakrefs, wr, NULL);
    return (int64_t)(s->marked - before);
}


static void gm_run_callbacks_and_finalizers(gclab_heap *h, struct gm_state *s)
{
    for (size_t i = 0; i + 1 < s->callbacks.n; i += 2)
        core_call(h, s->callbacks.v[i + 1], 1, &s->callbacks.v[i], "weakref callback");
    s->callbacks.n = 0;
    gclab_obj *o = s->tofnz.head;
    s->tofnz.head = s->tofnz.tail = NULL;
    while (o) {
        gclab_obj *next = o->gc_prev;
        o->gc_prev = NULL;
        GCLAB_ASSERT(!(o->gcflags & GM_FINALIZED));   /* G4 */
        o->gcflags |= GM_FINALIZED;
        core_run_finalizer(h, o);
        o = next;
    }
}

/* ================================================================
 * Sweep
 * ================================================================ */

/* Free the white objects of the young suffix (nursery) or of the whole list
 * (full). Returns the number freed. */
static int64_t gm_sweep(gclab_heap *h, struct gm_state *s)
{
    gclab_obj *prev = s->full ? NULL : s->old_tail;
    gclab_obj **link = prev ? &prev->gc_next : &s->head, *o;
    int64_t freed = 0;
    while ((o = *link) != NULL) {
        if (gm_is_marked(s, o)) {
            prev = o;
            link = &o->gc_next;
            continue;
        }
        GCLAB_ASSERT(!obj_has_del(o) || (o->gcflags & GM_FINALIZED));   /* G5 */
        GCLAB_ASSERT(!(o->gcflags & GM_LOGGED));                        /* G3 */
        *link = o->gc_next;
        core_free_storage(h, o);
        core_obj_dead(h, o);
        core_free_object_memory(h, o);
        freed++;
    }
    s->tail = prev;
    s->nobjects -= (uint64_t)freed;
    return freed;
}

/* ================================================================
 * Collection and trigger
 * ================================================================ */

static void gm_set_full_threshold(gclab_heap *h, struct gm_state *s)
{
    double t = (double)core_live_bytes(h) * s->full_factor;
    s->full_threshold = t > (double)s->min_heap ? (uint64_t)t : s->min_heap;
    if (core_heap_limit(h) && s->full_threshold > core_heap_limit(h) - core_heap_limit(h) / 8)
        s->full_threshold = core_heap_limit(h) - core_heap_limit(h) / 8;
    alloc_set_retain(core_allocator(h), (size_t)((s->full_threshold + s->nursery) / ALLOC_ARENA_SIZE) + 1);
}

/* A nursery (gen 0) or full (gen 1) collection; returns the number of
 * unreachable objects found (young ones only in a nursery collection). */
static int64_t gm_collect(gclab_heap *h, int gen)
{
    struct gm_state *s = core_es(h);
    if (core_collecting(h))
        return 0;                          /* a finalizer called gc.collect() */
    s->full = gen >= 1 || s->remset_lost;
    gen = s->full ? 1 : 0;
    core_event_collect_start(h, gen);
    if (s->full) {
        s->epoch = (uint8_t)(3 - s->epoch);     /* unmark everything (G1) */
        gm_forget_remembered(s);
    }
    gclab_trace_roots(h, gm_mark_field, s);
    if (!s->full)
        gm_mark_remembered(s);
    gm_finish_marking(s);
    int64_t found = gm_handle_unreachable(h, s);
    found += gm_sweep(h, s);
    /* Every survivor is old now: the nursery is empty (G2). */
    s->old_tail = s->tail;
    s->finobj.old_tail = s->finobj.tail;
    s->weakrefs.old_tail = s->weakrefs.tail;
    s->alloc_mark = core_alloc_bytes(h);
    if (s->full) {
        s->minors_since_full = 0;
        s->full_pending = false;
        gm_set_full_threshold(h, s);
    } else {
        s->minors_since_full++;
        s->full_pending = core_live_bytes(h) > s->full_threshold;
    }
    s->full = false;
    if (core_verify_level(h) >= 2 && gm_verify(h) != 0)
        abort();
    gm_run_callbacks_and_finalizers(h, s);
    core_event_collect_end(h, gen, found, 0);
    return found;
}

static gclab_obj *gm_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct gm_state *s = core_es(h);
    (void)kind;
    if (!core_collecting(h)) {
        if (!core_within_limit(h, bytes))
            gm_collect(h, 1);              /* a last resort, even under gc.disable() */
        else if (core_gc_enabled(h) && core_alloc_bytes(h) - s->alloc_mark + bytes > s->nursery)
            gm_collect(h, s->full_pending ? 1 : 0);
    }
    gclab_obj *o = core_alloc_object(h, bytes);
    if (!o)
        return NULL;                       /* past the heap limit even after collecting */
    if (s->tail)
        s->tail->gc_next = o;
    else
        s->head = o;
    s->tail = o;
    s->nobjects++;
    return o;
}

static void gm_track(gclab_heap *h, gclab_obj *o)
{
    struct gm_state *s = core_es(h);
    if (obj_has_del(o))
        gm_queue_append(&s->finobj, o);
    else if (o->kind == GCLAB_K_WEAKREF)
        gm_queue_append(&s->weakrefs, o);
}

/* ================================================================
 * Lifecycle and introspection
 * ================================================================ */

static gclab_status gm_init(gclab_heap *h)
{
    struct gm_state *s = calloc(1, sizeof *s);
    bool ok[5];
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    core_set_es(h, s);
    s->nursery = (uint64_t)heap_param_double(h, "nursery", &ok[0]);
    s->full_factor = heap_param_double(h, "full_factor", &ok[1]);
    s->min_heap = (uint64_t)heap_param_double(h, "min_heap", &ok[2]);
    s->max = (size_t)heap_param_double(h, "mark_stack_max", &ok[3]);
    double stress = heap_param_double(h, "stress", &ok[4]);
    s->epoch = 1;
    if (stress > 0)
        s->nursery = 256;
    gclab_status st = GCLAB_OK;
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3] || !ok[4])
        st = heap_error(h, GCLAB_EVALUE, "bad parameter value");
    else if (s->full_factor < 1.0)
        st = heap_error(h, GCLAB_EVALUE, "full_factor must be at least 1 (got %g)", s->full_factor);
    else if (s->max == 1)
        st = heap_error(h, GCLAB_EVALUE, "mark_stack_max must be 0 (unbounded) or at least 2");
    if (st != GCLAB_OK) {
        free(s);              /* core calls no fini after a failed init */
        core_set_es(h, NULL);
        return st;
    }
    gm_set_full_threshold(h, s);
    return GCLAB_OK;
}

static void gm_fini(gclab_heap *h)
{
    struct gm_state *s = core_es(h);
    if (!s)
        return;
    free(s->stack);
    free(s->remset.v);
    free(s->callbacks.v);
    free(s);
    core_set_es(h, NULL);
}

static int gm_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct gm_state *s = core_es(h);
    out[0] = (int64_t)(core_alloc_bytes(h) - s->alloc_mark);
    out[1] = s->minors_since_full;
    return 2;
}

static int gm_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct gm_state *s = core_es(h);
    out[0] = (int64_t)s->nursery;
    out[1] = (int64_t)s->full_threshold;
    return 2;
}

static void gm_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    struct gm_state *s = core_es(h);
    if (gen > 1)
        return;
    gclab_obj *end = s->tail;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        if (obj_kind_is_container(o->kind) && (gen < 0 || (gen == 0) == gm_is_young(o)))
            fn(o, ctx);
        if (o == end)
            break;
    }
}

/* ---- verify: G1..G3, G5 and edges ---- */

#define GM_V_LISTED 1
#define GM_V_YOUNG  2

struct gm_vctx { gclab_obj *from; int bad; };

static void gm_verify_edge(gclab_obj **field, void *ctx)
{
    struct gm_vctx *c = ctx;
    gclab_obj *o = *field;
    if (!o || obj_is_immortal(o))
        return;
    const char *what = NULL;
    if (!(o->gc_refs & GM_V_LISTED))
        what = "an object not in the heap list (freed?)";
    else if (gm_is_young(o) && !gm_is_young(c->from) && !(c->from->gcflags & GM_LOGGED))
        what = "a young object from an old one that is not logged (G3)";
    if (what) {
        fprintf(stderr, "genms verify: %p kind %d gcflags %#x -> %p kind %d gcflags %#x: %s\n",
                (void *)c->from, c->from->kind, c->from->gcflags, (void *)o, o->kind, o->gcflags, what);
        c->bad++;
    }
}

static int gm_verify(gclab_heap *h)
{
    struct gm_state *s = core_es(h);
    uint64_t n = 0;
    bool young = s->old_tail == NULL;
    int bad = 0;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        bool ok = young ? gm_is_young(o) : gm_is_marked(s, o);   /* G1, G2 */
        if (!ok || obj_is_immortal(o)) {
            fprintf(stderr, "genms verify: %s object %p kind %d gcflags %#x has epoch %d (current %d)\n",
                    young ? "young" : "old", (void *)o, o->kind, o->gcflags, o->gcflags & GM_EPOCH, s->epoch);
            bad++;
        }
        o->gc_refs = GM_V_LISTED;
        n++;
        if (o == s->old_tail)
            young = true;
    }
    for (size_t i = 0; i < s->remset.n; i++) {
        gclab_obj *o = s->remset.v[i];
        if (!(o->gcflags & GM_LOGGED) || gm_is_young(o)) {
            fprintf(stderr, "genms verify: remembered %p gcflags %#x is not logged and old (G3)\n",
                    (void *)o, o->gcflags);
            bad++;
        }
    }
    uint64_t logged = 0;
    for (gclab_obj *o = s->head; o; o = o->gc_next)
        logged += (o->gcflags & GM_LOGGED) != 0;
    if (logged != s->remset.n) {
        fprintf(stderr, "genms verify: %llu objects logged, %zu remembered (G3)\n",
                (unsigned long long)logged, s->remset.n);
        bad++;
    }
    struct gm_vctx c = { NULL, 0 };
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        c.from = o;
        gclab_trace_object(o, gm_verify_edge, &c);
    }
    for (gclab_obj *o = s->head; o; o = o->gc_next)
        o->gc_refs = 0;
    if (n != s->nobjects || n != core_live_objects(h)) {
        fprintf(stderr, "genms verify: %llu listed, %llu counted, %llu live\n",
                (unsigned long long)n, (unsigned long long)s->nobjects,
                (unsigned long long)core_live_objects(h));
        return -1;                         /* G5 */
    }
    return bad || c.bad ? -1 : 0;
}

static const struct gclab_param_spec gm_params[] = {
    GCLAB_PINT("nursery", "4194304", 0, 1e15, "bytes allocated (objects and storage) between two nursery collections"),
    GCLAB_PREAL("full_factor", "2.0", 1, 1e6, "full collection when the old space passes live-after-last-full times this"),
    GCLAB_PINT("min_heap", "4194304", 0, 1e15, "never a full collection (automatically) below this many old bytes"),
    GCLAB_PINT("mark_stack_max", "1048576", 0, 1e12, "mark stack entries before overflow rescans (0: unbounded; never 1)"),
    GCLAB_PINT("stress", "0", 0, 1e9, "nonzero: a 256-byte nursery, a nursery collection every few allocations (for fuzzing)"),
    GCLAB_PEND,
};

const struct gclab_engine gclab_engine_genms = {
    .name = "genms",
    .summary = "generational non-moving mark-sweep: sticky mark bits, object-logging remembered set",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 2 },
    .params = gm_params,
    .init = gm_init,
    .fini = gm_fini,
    .alloc = gm_alloc,
    .track = gm_track,
    .post_write = gm_post_write,
    .collect = gm_collect,
    .get_count = gm_get_count,
    .get_threshold = gm_get_threshold,
    .foreach_tracked = gm_foreach_tracked,
    .verify = gm_verify,
    .mutants = gm_mutants,
};
