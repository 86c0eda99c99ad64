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
 * Where the marks are: sticky marks in the allocator's bitmaps
 *   As marksweep does, the engine turns core's allocator into marks mode
 *   (alloc.h): every 16 KiB pool has live, object and mark bitmaps, a block
 *   above 512 bytes keeps the same bits in its hidden header. The sweep is
 *   alloc_sweep_sticky: per pool, live &= mark word by word, and the marks
 *   STAY. So between collections a live block is old iff it is marked, and
 *   an unmarked live block was allocated since the last collection (young).
 *   A nursery collection marks the young objects it reaches (an old object
 *   is marked already, so the mark loop never enters the old space) and
 *   sweeps: the young blocks it did not reach are freed, no old block is.
 *   A full collection first clears every mark (alloc_clear_marks), then
 *   marks and sweeps as marksweep does. Neither sweep reads a dead object:
 *   nothing dies with per-object work, because what does need it is done
 *   before the sweep from side vectors (marksweep's scheme):
 *     weakrefs  every live weakref, allocation order; the prefix
 *               [0, weakrefs_old) is old. A weakref's target is fixed at its
 *               creation and is older than it, so an old weakref never points
 *               to a young object: a nursery collection looks at the young
 *               suffix only.
 *     fnz       every instance whose class has __del__, not yet finalized;
 *               the prefix [0, fnz_old) is old.
 *   Storage (list items, dict tables, attributes) is a block of its own. Its
 *   mark follows its owner's age (G1): marking an object marks its storage,
 *   and mem_alloc, the engine's storage hook, allocates an OLD owner's new
 *   storage already marked (a list that grows after its promotion must not
 *   have its new item array swept by the next nursery collection, which
 *   never traces the list). Accounting follows the marks: a collection sums
 *   the objects and bytes it marks, the old space's objects and bytes are
 *   kept (old_objects, old_bytes: mem_alloc/mem_free move an old owner's
 *   storage bytes), and the rest of what was live is counted dead in one
 *   call (core_count_swept).
 *
 * Header words on this engine
 *   gcflags  GM_OLD: survived a collection (the same fact as the block's
 *            mark between collections, G1; the barrier reads it from the
 *            header, which the store has in cache). GM_LOGGED: in the
 *            remembered set. GM_FINALIZED: __del__ has run.
 *   gc_next, gc_prev, gen, refcnt: unused. gc_refs: scratch for gm_verify.
 *
 * The write barrier: object logging into a remembered set
 *   Post-write (barrier_post), on every store into an object field: if the owner is old,
 *   the new value young, and the owner not yet logged, the owner is logged
 *   (GM_LOGGED) and appended to `remset` (Whippet's field-logging barrier
 *   logs each field; one entry per object is coarser and needs no card
 *   table over a pool allocator). Core reports stores into slots, return
 *   registers and its root words too (owner NULL, engine.h); they are
 *   ignored: a nursery collection traces every root. (The globals are
 *   entries of the globals dict, an object: logged like any other.)
 *   A young value stored into a young owner needs nothing: the owner is
 *   traced if it survives. So an old object with a field pointing to a young
 *   one is always logged (G3): the nursery collection traces the fields of
 *   logged objects as roots, then unlogs them (every young survivor is old
 *   afterwards, so no old-to-young edge is left). If the remembered set
 *   cannot grow (out of memory), the next collection is a full one.
 *
 * The trigger
 *   Before an object allocation, when the bytes allocated since the last
 *   collection pass the nursery size
 *       max(nursery, nursery_factor * (full_threshold - old bytes))
 *   (-p nursery=, default 4 MiB; -p nursery_factor=, default 1): a nursery
 *   collection. The nursery is thus the free space of a heap of
 *   full_threshold bytes (below), sized as marksweep's heap is (twice the
 *   live data after the last full collection), which is
 *   how MMTk's StickyMS and Whippet's generational mmc size it (every
 *   collection is triggered by a full heap; what is young is whatever was
 *   allocated since the last one). A nursery that is small against the
 *   structures the program builds promotes them half built: with a fixed
 *   4 MiB nursery GCBench's depth-14 trees (4 MB each) were traced in every
 *   nursery collection and promoted, and genms spent more on GC than
 *   marksweep (nursery_factor=0 restores that fixed nursery). A collection is
 *   a full one instead if the old space (live bytes after the last nursery
 *   collection) has passed
 *       max(min_heap, live_after_last_full * full_factor)
 *   (-p full_factor=, default 2: the old space may double between two full
 *   collections, marksweep's rule applied to the old space). gc.collect()
 *   and zeal run full collections; with --heap-limit, an allocation that
 *   would pass the limit first runs a full collection (even under
 *   gc.disable()). -p stress=1 makes the nursery 256 bytes, fixed (fuzzing).
 *
 * The mark loop
 *   Mark-at-push: a field's target is marked (its bit set in its pool's
 *   header, found by masking the address) when it is pushed, so the stack
 *   holds each grey object once; popping accounts it, marks its storage,
 *   sets GM_OLD and pushes its fields, through marksweep's two prefetching
 *   FIFOs (gm_drain). The stack grows by doubling up to
 *   -p mark_stack_max= entries; past that (or when realloc fails) the object
 *   is accounted at once and `overflowed` set, and gm_rescan traces every
 *   marked container again until a pass ends without overflow (in a nursery
 *   collection that walk also traces old containers: conservative, it may
 *   keep young garbage an old dead object reaches, never frees a live one).
 *
 * A collection, in order (read gm_collect first)
 *   1. start event; a full collection clears every mark and empties the
 *      remembered set (it traces everything anyway);
 *   2. mark from the roots (and, in a nursery collection, from the fields of
 *      logged objects, which are then unlogged);
 *   3. unmarked instances with a pending __del__ (the young ones only, in a
 *      nursery collection) move from fnz to tofnz; weakrefs to unmarked
 *      objects are cleared (callbacks of marked weakrefs kept); mark from
 *      tofnz; unmarked weakrefs are unlinked from their targets;
 *   4. core_count_swept, then alloc_sweep_sticky (a nursery collection:
 *      alloc_sweep_sticky_young, the pools allocated from since the last
 *      sweep only); every survivor is old now;
 *   5. callbacks, then finalizers (their allocations are young); stop event.
 *
 * Invariants (cited by asserts as G1..G5)
 *   G1 between collections a live object is old (GM_OLD) iff its block is
 *      marked, and its storage block is marked iff the object is old;
 *   G2 the old objects number old_objects and hold old_bytes (blocks plus
 *      storage); the first weakrefs_old weakrefs and fnz_old entries of fnz
 *      are old, the rest young;
 *   G3 every old object with a field pointing to a young object is logged;
 *      a logged object is old and in the remembered set exactly once;
 *   G4 __del__ runs at most once per object: GM_FINALIZED is never cleared;
 *   G5 the allocator's object blocks are exactly the live objects (their
 *      number is core_live_objects, their bytes core_live_bytes), every
 *      weakref is in `weakrefs` once and `fnz` holds exactly the unfinalized
 *      instances with __del__ (gm_verify checks all of it, -p verify=2).
 */
#include <string.h>

#include "engine.h"
#include "sidelists.h"

#define GM_OLD       0x01
#define GM_LOGGED    0x04
#define GM_FINALIZED 0x08
#define GM_FIFO      8        /* prefetch distance of the mark loop, in objects */

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
    &gm_mut_no_barrier, &gm_mut_stay_logged, &gm_mut_free_resurrected, &gm_mut_young_wr,
    &alloc_mut_size_class, NULL,
};

struct gm_state {
    struct alloc_marker mk;        /* the allocator's mode and arenas, this collection */
    bool full;                     /* the collection in progress is a full one */
    /* the old space (G2) */
    uint64_t old_objects, old_bytes;
    size_t weakrefs_old, fnz_old;
    /* mark stack */
    gclab_obj **stack;
    size_t sp, cap, max;
    bool overflowed;
    uint64_t marked, marked_bytes; /* objects marked this collection, with their bytes */
    /* remembered set (G3) */
    struct obj_vec remset;
    bool remset_lost;              /* a push failed: the next collection is full */
    /* trigger */
    double full_factor, nursery_factor;
    uint64_t nursery, nursery_min, min_heap, full_threshold;
    uint64_t alloc_mark;           /* core_alloc_bytes(h) after the last collection */
    bool full_pending;
    int64_t minors_since_full;
    /* side vectors (G2, G5) and per-collection vectors, kept to reuse their memory */
    struct obj_vec weakrefs, fnz, tofnz;
    struct obj_vec callbacks;       /* pairs: weakref, its callback */
};

static int gm_verify(gclab_heap *h, int level);

/* ================================================================
 * Ages and marks
 * ================================================================ */

static bool gm_is_old(const gclab_obj *o) { return (o->gcflags & GM_OLD) != 0; }

/* The first visit of a grey object: count it, mark its storage, make it old. */
static inline void gm_account(struct gm_state *s, gclab_obj *o)
{
    s->marked++;
    s->marked_bytes += o->size + o->storage;
    if (o->storage)
        alloc_mark(s->mk.mode, obj_storage(o), o->storage);
    o->gcflags |= GM_OLD;
}

/* ================================================================
 * Mark
 * ================================================================ */

static void gm_push_slow(struct gm_state *s, gclab_obj *o)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    if (s->max && cap > s->max)
        cap = s->max;
    gclab_obj **st = cap > s->cap ? realloc(s->stack, cap * sizeof *st) : NULL;
    if (!st) {
        gm_account(s, o);                  /* its fields: gm_rescan */
        if (obj_kind_is_container(o->kind))
            s->overflowed = true;
        return;
    }
    s->stack = st;
    s->cap = cap;
    s->stack[s->sp++] = o;
}

/* The visitor: grey the target and push it. */
static inline __attribute__((always_inline)) void gm_visit_field(gclab_obj **field, void *ctx)
{
    struct gm_state *s = ctx;
    gclab_obj *o = *field;
    if (!o || !obj_mark_grey(&s->mk, o))
        return;
    if (s->sp == s->cap)
        gm_push_slow(s, o);
    else
        s->stack[s->sp++] = o;
}

/* Pop until the stack is empty, prefetching as marksweep's ms_drain does
 * (Boehm's prefetch-on-grey, in the FIFO form of Cher, Hosking and
 * Vijaykumar): popped objects wait GM_FIFO pops in `fifo` after their
 * header is prefetched, and containers with a storage block wait GM_FIFO
 * more in `held` after the block is prefetched. */
static void gm_drain(struct gm_state *s)
{
    gclab_obj *fifo[GM_FIFO], *held[GM_FIFO];
    unsigned fh = 0, fn = 0, hh = 0, hn = 0;
    for (;;) {
        while (fn < GM_FIFO && s->sp > 0) {
            gclab_obj *o = s->stack[--s->sp];
            __builtin_prefetch(o);
            __builtin_prefetch((char *)o + 64);
            fifo[(fh + fn++) % GM_FIFO] = o;
        }
        if (hn == GM_FIFO || (fn == 0 && hn > 0)) {
            gclab_obj *o = held[hh];
            hh = (hh + 1) % GM_FIFO;
            hn--;
            obj_trace(o, gm_visit_field, s);
            continue;
        }
        if (fn == 0)
            return;
        gclab_obj *o = fifo[fh];
        fh = (fh + 1) % GM_FIFO;
        fn--;
        gm_account(s, o);
        if (!obj_kind_is_container(o->kind))
            continue;
        void *storage = obj_storage(o);
        if (storage) {
            __builtin_prefetch(storage);
            held[(hh + hn++) % GM_FIFO] = o;
        } else {
            obj_trace(o, gm_visit_field, s);
        }
    }
}

static void gm_rescan_one(void *block, void *ctx)
{
    struct gm_state *s = ctx;
    gclab_obj *o = block;
    if (obj_kind_is_container(o->kind) && obj_is_marked(&s->mk, o)) {
        obj_trace(o, gm_visit_field, s);
        gm_drain(s);
    }
}

/* After an overflow: trace every marked container again until a pass ends
 * without overflow. */
static void gm_finish_marking(gclab_heap *h, struct gm_state *s)
{
    gm_drain(s);
    while (s->overflowed) {
        s->overflowed = false;
        alloc_foreach_object(core_allocator(h), gm_rescan_one, s);
    }
    GCLAB_ASSERT(s->sp == 0 && !s->overflowed);
}

/* A nursery collection's extra roots: the fields of logged old objects,
 * which are then unlogged (after it no old-to-young edge is left: G3). */
static void gm_mark_remembered(gclab_heap *h, struct gm_state *s)
{
    for (size_t i = 0; i < s->remset.n; i++) {
        gclab_obj *o = s->remset.v[i];
        GCLAB_ASSERT((o->gcflags & GM_LOGGED) && gm_is_old(o) && obj_is_marked(&s->mk, o));   /* G3, G1 */
        obj_trace(o, gm_visit_field, s);
        if (!GCLAB_MUTANT(gm_mut_stay_logged))
            o->gcflags &= (uint8_t)~GM_LOGGED;
    }
    s->remset.n = 0;
    gm_finish_marking(h, s);
}

static void gm_forget_remembered(struct gm_state *s)
{
    for (size_t i = 0; i < s->remset.n; i++)
        s->remset.v[i]->gcflags &= (uint8_t)~GM_LOGGED;
    s->remset.n = 0;
    s->remset_lost = false;
}

/* ================================================================
 * The write barrier and the storage hooks
 * ================================================================ */

static void gm_barrier_slow(struct gm_state *s, gclab_obj *owner)
{
    if (!obj_vec_push(&s->remset, owner)) {
        s->remset_lost = true;             /* the next collection is full */
        return;
    }
    owner->gcflags |= GM_LOGGED;
}

/* Post-write: a field of owner now holds v. Logs an old owner that now
 * points to a young object (G3). Immortal objects are never old (nothing
 * marks them) and never young for this test (they hold no references). */
static void gm_barrier_post(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old,
                            gclab_obj *v)
{
    (void)field;
    (void)old;   /* a deletion (v NULL) adds no old-to-young edge */
    if (owner && v && (owner->gcflags & (GM_OLD | GM_LOGGED)) == GM_OLD && !gm_is_old(v) &&
        !obj_is_immortal(v) && !GCLAB_MUTANT(gm_mut_no_barrier))
        gm_barrier_slow(core_es(h), owner);
}

/* Storage of an old owner is born marked (G1), and counted in the old space (G2). */
static void *gm_mem_alloc(gclab_heap *h, gclab_obj *owner, size_t n)
{
    struct gm_state *s = core_es(h);
    void *p = alloc_calloc(core_allocator(h), n);
    if (p && gm_is_old(owner)) {
        alloc_mark(s->mk.mode, p, n);
        s->old_bytes += n;
    }
    return p;
}

static void gm_mem_free(gclab_heap *h, gclab_obj *owner, void *p, size_t n)
{
    struct gm_state *s = core_es(h);
    if (gm_is_old(owner)) {
        GCLAB_ASSERT(s->old_bytes >= n);                   /* G2 */
        s->old_bytes -= n;
    }
    alloc_free(core_allocator(h), p, n);
}

/* ================================================================
 * Unreachable objects: weakrefs and the objects to finalize
 * ================================================================ */

/* Steps 3 (core/sidelists.c): the part of each side vector this collection
 * looks at is all of it (full) or its young suffix (nursery). */
static void gm_handle_unreachable(gclab_heap *h, struct gm_state *s)
{
    size_t wr0 = s->full ? 0 : s->weakrefs_old, f0 = s->full ? 0 : s->fnz_old;
    if (!(GCLAB_MUTANT(gm_mut_young_wr) && !s->full))
        side_clear_dead_weakrefs(h, &s->mk, &s->weakrefs, wr0, &s->callbacks, NULL, "genms");
    side_pick_finalizable(&s->mk, &s->fnz, f0, &s->tofnz, "genms");
    if (!GCLAB_MUTANT(gm_mut_free_resurrected)) {
        for (size_t i = 0; i < s->tofnz.n; i++)
            gm_visit_field(&s->tofnz.v[i], s);
        gm_finish_marking(h, s);
    }
    /* weakrefs still unmarked die: unlinked before the sweep poisons them */
    side_unlink_dead_weakrefs(&s->mk, &s->weakrefs, wr0);
}

static void gm_run_callbacks_and_finalizers(gclab_heap *h, struct gm_state *s)
{
    side_run_callbacks(h, &s->callbacks);
    for (size_t i = 0; i < s->tofnz.n; i++) {
        gclab_obj *o = s->tofnz.v[i];
        GCLAB_ASSERT(!(o->gcflags & GM_FINALIZED));   /* G4 */
        o->gcflags |= GM_FINALIZED;
        core_run_finalizer(h, o);
    }
    s->tofnz.n = 0;
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

/* The young bytes the next nursery collection waits for. */
static void gm_set_nursery(struct gm_state *s, uint64_t live_bytes)
{
    double n = s->nursery_factor * (double)live_bytes;
    s->nursery = n > (double)s->nursery_min ? (uint64_t)n : s->nursery_min;
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
    alloc_t *a = core_allocator(h);
    uint64_t live = core_live_objects(h), live_bytes = core_live_bytes(h);
    /* What is already marked and counted: nothing (full) or the old space. */
    uint64_t kept = s->old_objects, kept_bytes = s->old_bytes;
    if (s->full) {
        alloc_clear_marks(a);              /* everything white (G1 suspended) */
        gm_forget_remembered(s);
        kept = kept_bytes = 0;
    }
    s->marked = s->marked_bytes = 0;
    alloc_marker_start(a, &s->mk);   /* no arena is mapped until the sweep */
    gclab_trace_roots(h, gm_visit_field, s);
    gm_finish_marking(h, s);
    if (!s->full)
        gm_mark_remembered(h, s);
    GCLAB_ASSERT(kept + s->marked <= live);                      /* G2 */
    int64_t found = (int64_t)(live - kept - s->marked);
    if (found > 0)
        gm_handle_unreachable(h, s);
    GCLAB_ASSERT(kept_bytes + s->marked_bytes <= live_bytes);    /* G2, G5 */
    core_count_swept(h, live - kept - s->marked, live_bytes - kept_bytes - s->marked_bytes);
    if (s->full)
        alloc_sweep_sticky(a, NULL);
    else
        alloc_sweep_sticky_young(a, NULL);    /* only pools allocated from since the last sweep */
    /* Every survivor is old now: the nursery is empty (G1, G2). */
    s->old_objects = core_live_objects(h);
    s->old_bytes = core_live_bytes(h);
    s->weakrefs_old = s->weakrefs.n;
    s->fnz_old = s->fnz.n;
    s->alloc_mark = core_alloc_bytes(h);
    if (s->full) {
        s->minors_since_full = 0;
        s->full_pending = false;
        gm_set_full_threshold(h, s);
    } else {
        s->minors_since_full++;
        s->full_pending = core_live_bytes(h) > s->full_threshold;
    }
    gm_set_nursery(s, s->full_threshold > s->old_bytes ? s->full_threshold - s->old_bytes : 0);
    s->full = false;
    gm_run_callbacks_and_finalizers(h, s);
    if (core_verify_level(h) >= 2 && gm_verify(h, 2) != 0)
        abort();
    core_event_collect_end(h, gen, found, 0);
    return found;
}

static gclab_obj *gm_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct gm_state *s = core_es(h);
    if (!core_collecting(h)) {
        if (!core_within_limit(h, bytes))
            gm_collect(h, 1);              /* a last resort, even under gc.disable() */
        else if (core_gc_enabled(h) && core_alloc_bytes(h) - s->alloc_mark + bytes > s->nursery)
            gm_collect(h, s->full_pending ? 1 : 0);
    }
    /* Room in `weakrefs` first, so that a weakref is never left out (G5). */
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

static void gm_track(gclab_heap *h, gclab_obj *o)
{
    struct gm_state *s = core_es(h);
    if (obj_has_del(o) && !obj_vec_push(&s->fnz, o))
        fprintf(stderr, "gclab genms: out of memory: a __del__ will not run\n");
}

/* ================================================================
 * Lifecycle and introspection
 * ================================================================ */

static gclab_status gm_init(gclab_heap *h)
{
    struct gm_state *s = calloc(1, sizeof *s);
    bool ok[6];
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    core_set_es(h, s);
    s->mk.mode = alloc_mode_of(core_allocator(h));
    s->nursery_min = (uint64_t)heap_param_double(h, "nursery", &ok[0]);
    s->nursery_factor = heap_param_double(h, "nursery_factor", &ok[5]);
    s->full_factor = heap_param_double(h, "full_factor", &ok[1]);
    s->min_heap = (uint64_t)heap_param_double(h, "min_heap", &ok[2]);
    s->max = (size_t)heap_param_double(h, "mark_stack_max", &ok[3]);
    double stress = heap_param_double(h, "stress", &ok[4]);
    if (stress > 0) {
        s->nursery_min = 256;
        s->nursery_factor = 0;
    }
    gclab_status st = GCLAB_OK;
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3] || !ok[4] || !ok[5])
        st = heap_error(h, GCLAB_EVALUE, "bad parameter value");
    else if (s->full_factor < 1.0)
        st = heap_error(h, GCLAB_EVALUE, "full_factor must be at least 1 (got %g)", s->full_factor);
    else if (s->nursery_factor < 0)
        st = heap_error(h, GCLAB_EVALUE, "nursery_factor must be at least 0 (got %g)", s->nursery_factor);
    else if (s->max == 1)
        st = heap_error(h, GCLAB_EVALUE, "mark_stack_max must be 0 (unbounded) or at least 2");
    else if (alloc_enable_marks(core_allocator(h)) != 0)
        st = heap_error(h, GCLAB_EUSAGE, "genms: the allocator was used before init");
    if (st != GCLAB_OK) {
        free(s);              /* core calls no fini after a failed init */
        core_set_es(h, NULL);
        return st;
    }
    gm_set_nursery(s, 0);
    gm_set_full_threshold(h, s);
    return GCLAB_OK;
}

static void gm_fini(gclab_heap *h)
{
    struct gm_state *s = core_es(h);
    if (!s)
        return;
    /* Core's allocator releases every object's memory at once. */
    free(s->stack);
    free(s->remset.v);
    free(s->weakrefs.v);
    free(s->fnz.v);
    free(s->tofnz.v);
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

struct gm_snapshot { struct obj_vec v; int gen; bool short_of_memory; };

static void gm_snapshot_one(void *block, void *ctx)
{
    struct gm_snapshot *sn = ctx;
    gclab_obj *o = block;
    if (obj_kind_is_container(o->kind) && (sn->gen < 0 || (sn->gen == 1) == gm_is_old(o)) &&
        !obj_vec_push(&sn->v, o))
        sn->short_of_memory = true;
}

static void gm_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    if (gen > 1)
        return;
    /* The callee may allocate (gc.get_objects appends), which the walk over
     * the allocator must not see: take the containers first, then call. */
    struct gm_snapshot sn = { { 0 }, gen, false };
    alloc_foreach_object(core_allocator(h), gm_snapshot_one, &sn);
    if (sn.short_of_memory)
        fprintf(stderr, "gclab genms: out of memory: objects left out\n");
    for (size_t i = 0; i < sn.v.n; i++)
        fn(sn.v.v[i], ctx);
    free(sn.v.v);
}

/* ---- verify: G1..G3, G5 and edges ---- */

struct gm_census {
    struct gm_state *s;
    uint64_t objects, bytes, old, old_bytes, weakrefs, fnz, logged;
    int bad;
};

static void gm_vbad(struct gm_census *c, const gclab_obj *o, const char *what)
{
    if (c->bad++ < 10)
        fprintf(stderr, "genms verify: object %p kind %d gcflags %#x: %s\n",
                (const void *)o, o->kind, o->gcflags, what);
}

static void gm_census_one(void *block, void *ctx)
{
    struct gm_census *c = ctx;
    gclab_obj *o = block;
    bool old = gm_is_old(o);
    c->objects++;
    c->bytes += o->size + o->storage;
    c->weakrefs += o->kind == GCLAB_K_WEAKREF;
    c->fnz += obj_has_del(o) && !(o->gcflags & GM_FINALIZED);
    c->logged += (o->gcflags & GM_LOGGED) != 0;
    if (old) {
        c->old++;
        c->old_bytes += o->size + o->storage;
    }
    if (old != obj_is_marked(&c->s->mk, o))
        gm_vbad(c, o, "its mark is not its age (G1)");
    if (o->storage && old != (bool)alloc_is_marked(c->s->mk.mode, obj_storage(o), o->storage))
        gm_vbad(c, o, "its storage's mark is not its age (G1)");
    if ((o->gcflags & GM_LOGGED) && !old)
        gm_vbad(c, o, "logged but young (G3)");
    o->gc_refs = 1;
}

struct gm_ectx { struct gm_census *c; gclab_obj *from; };

static void gm_verify_edge(gclab_obj **field, void *ctx)
{
    struct gm_ectx *e = ctx;
    gclab_obj *o = *field;
    if (!o || obj_is_immortal(o))
        return;
    if (o->gc_refs != 1)
        gm_vbad(e->c, e->from, "has an edge to an object not in the heap (freed?)");
    else if (!gm_is_old(o) && gm_is_old(e->from) && !(e->from->gcflags & GM_LOGGED))
        gm_vbad(e->c, e->from, "old, not logged, with an edge to a young object (G3)");
}

static void gm_verify_edges(void *block, void *ctx)
{
    struct gm_ectx e = { ctx, block };
    gclab_trace_object(block, gm_verify_edge, &e);
}

static void gm_verify_reset(void *block, void *ctx)
{
    (void)ctx;
    ((gclab_obj *)block)->gc_refs = 0;
}

/* Level 1: one census walk of the heap's blocks and the side vectors (no
 * edge traced); level 2 adds every edge (no edge to a freed object, G3). */
static int gm_verify(gclab_heap *h, int level)
{
    struct gm_state *s = core_es(h);
    struct gm_census c = { .s = s };
    alloc_t *a = core_allocator(h);
    alloc_foreach_object(a, gm_census_one, &c);
    if (level >= 2) {
        alloc_foreach_object(a, gm_verify_edges, &c);
        alloc_foreach_object(a, gm_verify_reset, NULL);
    }
    for (size_t i = 0; i < s->remset.n; i++)
        if (!(s->remset.v[i]->gcflags & GM_LOGGED) || !gm_is_old(s->remset.v[i]))
            gm_vbad(&c, s->remset.v[i], "remembered but not logged and old (G3)");
    if (c.logged != s->remset.n) {
        fprintf(stderr, "genms verify: %llu objects logged, %zu remembered (G3)\n",
                (unsigned long long)c.logged, s->remset.n);
        c.bad++;
    }
    for (size_t i = 0; i < s->weakrefs.n; i++)
        if ((i < s->weakrefs_old) != gm_is_old(s->weakrefs.v[i]))
            gm_vbad(&c, s->weakrefs.v[i], "a weakref out of its part of the vector (G2)");
    for (size_t i = 0; i < s->fnz.n; i++)
        if ((i < s->fnz_old) != gm_is_old(s->fnz.v[i]))
            gm_vbad(&c, s->fnz.v[i], "an instance to finalize out of its part of the vector (G2)");
    if (c.old != s->old_objects || c.old_bytes != s->old_bytes) {
        fprintf(stderr, "genms verify: %llu old objects of %llu bytes, counted %llu of %llu (G2)\n",
                (unsigned long long)c.old, (unsigned long long)c.old_bytes,
                (unsigned long long)s->old_objects, (unsigned long long)s->old_bytes);
        c.bad++;
    }
    if (c.objects != core_live_objects(h) || c.bytes != core_live_bytes(h)) {
        fprintf(stderr, "genms verify: %llu objects of %llu bytes in the heap, core counts %llu of %llu (G5)\n",
                (unsigned long long)c.objects, (unsigned long long)c.bytes,
                (unsigned long long)core_live_objects(h), (unsigned long long)core_live_bytes(h));
        c.bad++;
    }
    if (c.weakrefs != s->weakrefs.n || c.fnz != s->fnz.n) {
        fprintf(stderr, "genms verify: %llu weakrefs and %llu to finalize in the heap, %zu and %zu listed (G5)\n",
                (unsigned long long)c.weakrefs, (unsigned long long)c.fnz, s->weakrefs.n, s->fnz.n);
        c.bad++;
    }
    return c.bad ? -1 : 0;
}

static const struct gclab_param_spec gm_params[] = {
    GCLAB_PINT("nursery", "4194304", 0, 1e15, "least bytes allocated (objects and storage) between two nursery collections"),
    GCLAB_PREAL("nursery_factor", "1.0", 0, 1e6, "nursery = max(nursery, this x (full threshold - old bytes)); 0: a fixed nursery"),
    GCLAB_PREAL("full_factor", "2.0", 1, 1e6, "full collection when the old space passes live-after-last-full times this"),
    GCLAB_PINT("min_heap", "4194304", 0, 1e15, "never a full collection (automatically) below this many old bytes"),
    GCLAB_PINT("mark_stack_max", "1048576", 0, 1e12, "mark stack entries before overflow rescans (0: unbounded; never 1)"),
    GCLAB_PINT("stress", "0", 0, 1e9, "nonzero: a 256-byte nursery, a nursery collection every few allocations (for fuzzing)"),
    GCLAB_PEND,
};

const struct gclab_engine gclab_engine_genms = {
    .name = "genms",
    .summary = "generational non-moving mark-sweep: sticky mark bits in the allocator's bitmaps, "
               "object-logging remembered set",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 2, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .header_words = 2 /* mark bitmaps */ },
    .params = gm_params,
    .init = gm_init,
    .fini = gm_fini,
    .alloc = gm_alloc,
    .track = gm_track,
    .barrier_post = gm_barrier_post,
    .mem_alloc = gm_mem_alloc,
    .mem_free = gm_mem_free,
    .collect = gm_collect,
    .get_count = gm_get_count,
    .get_threshold = gm_get_threshold,
    .foreach_tracked = gm_foreach_tracked,
    .verify = gm_verify,
    .mutants = gm_mutants,
};
