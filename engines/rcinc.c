/* rcinc.c — reference counting plus CPython 3.14's incremental cycle
 * collector (Python/gc.c of 3.14.0; `-p rules=3.14.2` for the accounting
 * of GH-140262, backported in 3.14.1 as gh-139951).
 *
 * What it promises
 *   The refcount side is core/refcount.c's layer, as rcgen composes it
 *   (free at zero, __del__ first, no C recursion; the garbage's weakref,
 *   finalizer and tp_clear steps). Every container is tracked in the young generation or in
 *   one of the two spaces of the old generation, and the collector runs
 *   when, and on what, CPython 3.14 would run it: an automatic collection
 *   is always an *increment* (gc.collect(1)): the whole young generation
 *   plus a part of the old generation's pending space closed under
 *   reference (every pending object an increment member points to joins
 *   it), so that no cycle is ever split across increments. Survivors go to
 *   the visited space; when the pending space is empty a full pass is done
 *   and the spaces swap. gc.collect(0) collects only the young generation,
 *   gc.collect(2) everything. PEP 442: __del__ once per object
 *   (FINALIZED); resurrected objects survive. Weakrefs follow rcgen's rule
 *   (cleared before finalizers, a callback only for a weakref that is not
 *   trash itself), as the issue asks.
 *   DIFFERS: CPython 3.14 clears weakrefs *without* callbacks only after
 *            finalizers ran (GH-135552), so a __del__ can still read a
 *            weakref to trash there; here it reads None (rcgen's rule).
 *   DIFFERS: CPython schedules a collection (the eval breaker) and runs it
 *            where the interpreter next checks the breaker; here that is a
 *            heap script's next backward jump (gclab_safepoint) or the next
 *            allocation, whichever comes first (a C workload has only the
 *            second), the nearest points where every object is rooted.
 *   DIFFERS: mark_stacks rescans only the frames pushed since the last
 *            increment (frame->visited); gclab frames carry no such bit,
 *            so every increment marks from all roots, globals included.
 *   DIFFERS: an increment that only ran the mark phase adds no statistics
 *            in CPython (add_stats is skipped); core counts every
 *            collection, so it counts in get_stats()[1] here.
 *   DIFFERS: no legacy tp_del finalizers: `uncollectable` is always 0;
 *            the interpreter's own ~4,000 objects are absent (heap_size
 *            starts at 0), which changes the increment sizes of small heaps.
 *   DIFFERS: 3.14.2 tracks a new tuple only if an item is a container
 *            kind (CPython's conservative check in tupleobject.c; its exact
 *            predicate was not readable here, see the issue notes).
 *
 * Header words (gcflags bits RI_*)
 *   word       between collections             during a collection
 *   refcnt     strong references               same; never 0 if tracked (I2)
 *   gc_next/   young, old[0], old[1] or         increment / unreachable /
 *   gc_prev    permanent list; NULL untracked   survivors lists; pending stack
 *   gc_refs    unused                          refcnt minus internal refs
 *   TRACKED    in one of the lists (I1)         same
 *   SPACE1     the old space it belongs to (I5) flipped as objects are visited
 *   COLLECTING never (I4)                      in the region until reachable
 *   UNREACHABLE never (I4)                     in move_unreachable's output
 *   FINALIZED  once __del__ ran, forever (I3)   same
 *
 * The trigger and the work (CPython 3.14 _PyObject_GC_Link, assess_work_to_do)
 *   young.count counts containers: 3.14.0 adds 1 per container allocated
 *   (not from a free list) and subtracts 1 (while > 0) per container freed;
 *   3.14.2 adds 1 per container tracked and subtracts 1 per untrack, so
 *   untracked tuples and dicts never count. heap_size moves the same way
 *   but never resets: it is _testinternalcapi.get_tracked_heap_size().
 *   When young.count > young.threshold (2000; strictly, threshold != 0, gc
 *   enabled, no collection running) an increment is scheduled. Its budget:
 *   work_to_do += young.count + min(heap_size / 10 / max(threshold1, 2),
 *   3/2 young.count) (young.count then reset); marked objects and the
 *   increment's size are subtracted, and heap_size / 10 / scale added back
 *   after each increment. work_to_do starts at -5000, as in CPython.
 *
 * Phases, in rcinc_collect_increment (read it first)
 *   mark phase (first increment of a pass)  rcinc_mark_at_start: everything
 *                                           reachable from the roots moves
 *                                           to the visited space; no collection
 *   collect phase                          mark from the roots again, young
 *                                           + pending objects in order, each
 *                                           closed under reference
 *                                           (rcinc_expand_region), until the
 *                                           budget is spent
 *   rcinc_collect_region                    deduce_unreachable, untrack tuples,
 *                                           survivors to visited, weakrefs,
 *                                           __del__, resurrection, tp_clear
 *   pending empty                           rcinc_completed_scavenge: swap the
 *                                           spaces (or, with frozen objects,
 *                                           merge visited back into pending)
 *
 * Invariants
 *   I1 each tracked container is in exactly one list and TRACKED is set iff
 *      it is; ntracked counts them (rcinc_verify checks the sum);
 *   I2 no tracked object has refcount 0: release() untracks first;
 *   I3 FINALIZED is set at most once and never cleared;
 *   I4 COLLECTING and UNREACHABLE are clear outside a collection;
 *   I5 young objects are in the space not visited, old[s] objects in space
 *      s, permanent objects in the visited space (CPython's validate_spaces);
 *   I6 objects on the pending-free stack have refcount 0 and are untracked;
 *   I7 a pass ends with the pending space empty, work_to_do 0 and the
 *      mark phase next.
 *
 * Free lists (they move 3.14.0's counts, not 3.14.2's)
 *   As in CPython: 80 lists, 80 dicts and 2000 tuples of each size 1..20
 *   are kept and reused LIFO. Under 3.14.0 reuse is no allocation and
 *   parking no free, so neither counts; under 3.14.2 the object is still
 *   tracked and untracked, and that counts. Full collections empty them.
 */
#include <string.h>

#include "cycles.h"
#include "refcount.h"

#define RI_TRACKED     0x01
#define RI_COLLECTING  CYC_COLLECTING    /* core/cycles.h's bits */
#define RI_UNREACHABLE CYC_UNREACHABLE
#define RI_FINALIZED   0x08
#define RI_SPACE1      0x10   /* the old space bit: set = space 1 */

#define RI_NGENS 3
#define RI_SCAN_RATE_DIVISOR 10   /* CPython: SCAN_RATE_DIVISOR */

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant ri_mut_no_resurrect = {
    "no-resurrect", "handle_resurrected_objects is skipped: what a __del__ resurrected is cleared" };
static const struct gclab_mutant ri_mut_fin_twice = {
    "fin-twice", "finalize_garbage runs __del__ again on an object already finalized" };
static const struct gclab_mutant ri_mut_no_clear_wr = {
    "no-clear-wr", "handle_weakrefs leaves the weakrefs to cyclic trash set" };
static const struct gclab_mutant ri_mut_untrack_live_tuple = {
    "untrack-live-tuple", "untrack_tuples also untracks a tuple whose first item is a container" };
static const struct gclab_mutant ri_mut_stale_space = {
    "stale-space", "completed_scavenge leaves young in the old visited space (I5; verify=2 sees it)" };

enum ri_phase { RI_PHASE_MARK, RI_PHASE_COLLECT };
enum ri_rules { RI_RULES_3140, RI_RULES_3142 };

struct ri_gen { gclab_obj head; int64_t count, threshold; };

struct ri_state {
    struct ri_gen young, old[2];
    gclab_obj permanent;
    int visited_space;                 /* 0 or 1 */
    enum ri_phase phase;
    enum ri_rules rules;
    int64_t heap_size, work_to_do;
    int64_t ntracked;                  /* I1 */
    bool scheduled;                    /* an increment is due (the eval breaker bit) */
    struct rc_layer rc;                /* freeing at zero (core/refcount.h); I6 */
    struct gcfl_set fl;                /* tuple, list and dict free lists */
};

/* ======================================================================
 * Old spaces (CPython: gc_old_space, gc_set_old_space, gc_list_set_space)
 * ====================================================================== */

static int ri_space(const gclab_obj *o) { return (o->gcflags & RI_SPACE1) ? 1 : 0; }

static void ri_set_space(gclab_obj *o, int space)
{
    o->gcflags = (uint8_t)(space ? o->gcflags | RI_SPACE1 : o->gcflags & ~RI_SPACE1);
}

static void ri_flip_space(gclab_obj *o) { o->gcflags ^= RI_SPACE1; }

static int64_t ri_list_set_space(gclab_obj *l, int space)
{
    int64_t n = 0;
    for (gclab_obj *o = l->gc_next; o != l; o = o->gc_next, n++)
        ri_set_space(o, space);
    return n;
}

/* ======================================================================
 * Tracking, accounting and the refcount side
 * ====================================================================== */

static bool ri_is_tracked(const gclab_obj *o) { return o->gcflags & RI_TRACKED; }

/* 3.14.2's accounting point (_PyObject_GC_TRACK): count, and schedule an
 * increment past the threshold (_Py_TriggerGC). */
static void ri_count_up(gclab_heap *h, struct ri_state *s)
{
    s->young.count++;
    s->heap_size++;
    if (s->young.count > s->young.threshold && s->young.threshold && core_gc_enabled(h) && !core_collecting(h))
        s->scheduled = true;
}

static void ri_count_down(struct ri_state *s)
{
    if (s->young.count > 0)
        s->young.count--;
    s->heap_size--;
}

/* CPython 3.14: _PyObject_GC_TRACK — append to young, in the space not visited (I5). */
static void ri_track_young(gclab_heap *h, struct ri_state *s, gclab_obj *o)
{
    GCLAB_ASSERT(!ri_is_tracked(o));   /* I1 */
    gclist_append(o, &s->young.head);
    o->gcflags |= RI_TRACKED;
    ri_set_space(o, s->visited_space ^ 1);
    s->ntracked++;
    if (s->rules == RI_RULES_3142)
        ri_count_up(h, s);
}

/* CPython 3.14: _PyObject_GC_UNTRACK. */
static void ri_untrack(struct ri_state *s, gclab_obj *o)
{
    if (!ri_is_tracked(o))
        return;
    gclist_unlink(o);
    o->gc_next = o->gc_prev = NULL;
    o->gcflags &= (uint8_t)~(RI_TRACKED | RI_COLLECTING | RI_UNREACHABLE);   /* I4 */
    s->ntracked--;
    if (s->rules == RI_RULES_3142)
        ri_count_down(s);
}

static bool ri_may_be_tracked(const gclab_obj *o)
{
    if (!obj_kind_is_container(o->kind))
        return false;
    if (o->kind == GCLAB_K_TUPLE)
        return ri_is_tracked(o);
    return true;
}

/* 3.14.2 (GH-140262): a tuple whose items are all non-containers is not
 * tracked at creation. 3.14.0 tracks every tuple but the empty one. */
static bool ri_tuple_wants_tracking(const struct ri_state *s, const gclab_obj *o)
{
    if (s->rules == RI_RULES_3140)
        return true;
    const obj_tuple *t = AS(const obj_tuple, o);
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i] && obj_kind_is_container(t->items[i]->kind))
            return true;
    return false;
}

/* Containers are tracked once built, dicts on the first insertion of
 * something that may be tracked (rcinc_dict_insert), as in CPython. */
static void rcinc_track(gclab_heap *h, gclab_obj *o)
{
    struct ri_state *s = core_es(h);
    if (!obj_kind_is_container(o->kind) || obj_is_immortal(o) || o->kind == GCLAB_K_DICT)
        return;
    if (o->kind == GCLAB_K_TUPLE && !ri_tuple_wants_tracking(s, o))
        return;
    ri_track_young(h, s, o);
}

/* CPython: MAINTAIN_TRACKING in insertdict. */
static void rcinc_dict_insert(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_obj *value)
{
    if (!ri_is_tracked(d) && (ri_may_be_tracked(key) || ri_may_be_tracked(value)))
        ri_track_young(h, core_es(h), d);
}

/* A container's memory goes back to the allocator: 3.14.0's PyObject_GC_Del. */
static void ri_gc_del(gclab_heap *h, struct ri_state *s, gclab_obj *o)
{
    bool container = obj_kind_is_container(o->kind);
    core_free_object_memory(h, o);
    if (container && s->rules == RI_RULES_3140)
        ri_count_down(s);
}

/* A dead object's memory: to its free list if there is room, else freed. */
static void ri_free_memory(gclab_heap *h, gclab_obj *o)
{
    struct ri_state *s = core_es(h);
    if (!gcfl_park(&s->fl, o))
        ri_gc_del(h, s, o);
}

/* CPython 3.14: _PyGC_ClearAllFreeLists, full collections only. */
static void rcinc_clear_freelists(gclab_heap *h, struct ri_state *s)
{
    gclab_obj *o;
    while ((o = gcfl_pop_any(&s->fl)) != NULL)
        ri_gc_del(h, s, o);
}

/* The refcount layer's hooks: release() untracks first (I2);
 * subtype_dealloc re-tracks around tp_finalize; a weakref that outlives
 * its callback joins the survivors in the visited space. */
static void ri_unlink(gclab_heap *h, gclab_obj *o) { ri_untrack(core_es(h), o); }
static void ri_relink(gclab_heap *h, gclab_obj *o) { ri_track_young(h, core_es(h), o); }

static void ri_wr_survivor(gclab_heap *h, gclab_obj *wr, gclab_obj *to)
{
    struct ri_state *s = core_es(h);
    ri_set_space(wr, s->visited_space);
    gclist_move(wr, to);
}

static const struct rc_ops ri_rc_ops = {
    .finalized = RI_FINALIZED,   /* I3 */
    .collecting = RI_COLLECTING,
    .unlink = ri_unlink,
    .relink = ri_relink,
    .free_memory = ri_free_memory,
    .wr_survivor = ri_wr_survivor,
    .gc_fin_twice = &ri_mut_fin_twice,
    .gc_no_clear_wr = &ri_mut_no_clear_wr,
};

static void rcinc_release(gclab_heap *h, gclab_obj *o)
{
    rc_release(h, &((struct ri_state *)core_es(h))->rc, o);   /* I6 */
}

/* ======================================================================
 * Untracking (CPython's deduce_unreachable is core/cycles.c's)
 * ====================================================================== */

/* untrack_tuples: a tuple of atomics can never be in a cycle. */
static void rcinc_untrack_tuples(struct ri_state *s, gclab_obj *l)
{
    gclab_obj *next;
    for (gclab_obj *o = l->gc_next; o != l; o = next) {
        next = o->gc_next;
        if (o->kind != GCLAB_K_TUPLE)
            continue;
        obj_tuple *t = AS(obj_tuple, o);
        size_t i;
        for (i = 0; i < t->n; i++)
            if (!t->items[i] || ri_may_be_tracked(t->items[i]))
                break;
        if (i == t->n || (GCLAB_MUTANT(ri_mut_untrack_live_tuple) && i == 0 && t->items[0]))
            ri_untrack(s, o);
    }
}

/* ======================================================================
 * Weakrefs, finalizers, resurrection, clearing (rcgen's rules)
 * ====================================================================== */

/* CPython 3.14: gc_collect_region — the one collection every kind runs:
 * the unreachable part of `from` is freed, the rest joins `to`. Returns
 * the number of unreachable objects found. */
static int64_t rcinc_collect_region(gclab_heap *h, struct ri_state *s, gclab_obj *from, gclab_obj *to)
{
    gclab_obj unreachable, final_unreachable;
    int64_t collected = 0;
    cyc_deduce_unreachable(from, &unreachable, NULL);
    rcinc_untrack_tuples(s, from);
    if (from != to)
        gclist_merge(from, to);
    cyc_clear_unreachable(&unreachable);
    /* The garbage's PEP 442 steps are the refcount layer's (core/refcount.h). */
    collected += rc_handle_weakrefs(h, &s->rc, &unreachable, to);
    rc_finalize_garbage(h, &s->rc, &unreachable);
    if (GCLAB_MUTANT(ri_mut_no_resurrect)) {
        gclist_init(&final_unreachable);
        gclist_merge(&unreachable, &final_unreachable);
    } else {
        cyc_handle_resurrected(&unreachable, &final_unreachable, to, NULL, NULL);   /* handle_resurrected_objects */
    }
    collected += gclist_size(&final_unreachable);
    rc_delete_garbage(h, &s->rc, &final_unreachable, to);
    return collected;
}

/* ======================================================================
 * The three collections (CPython 3.14: gc_collect_young, _increment, _full)
 * ====================================================================== */

/* gc.collect(0): the young generation; survivors join the visited space. */
static int64_t rcinc_collect_young(gclab_heap *h, struct ri_state *s)
{
    gclab_obj survivors;
    rcinc_untrack_tuples(s, &s->young.head);
    gclist_init(&survivors);
    ri_list_set_space(&s->young.head, s->visited_space);
    int64_t m = rcinc_collect_region(h, s, &s->young.head, &survivors);
    gclist_merge(&survivors, &s->old[s->visited_space].head);
    s->young.count = 0;
    s->old[s->visited_space].count++;
    return m;
}

struct ri_container { gclab_obj *list; int visited; int64_t size; };

/* visit_add_to_container: a tracked object not yet visited joins the list, visited. */
static void ri_visit_add(gclab_obj **field, void *vctx)
{
    struct ri_container *c = vctx;
    gclab_obj *o = *field;
    if (ri_is_tracked(o) && ri_space(o) != c->visited) {
        ri_flip_space(o);
        gclist_move(o, c->list);
        c->size++;
    }
}

/* expand_region_transitively_reachable: close the increment from o on
 * under reference. Returns the objects added. */
static int64_t rcinc_expand_region(struct ri_state *s, gclab_obj *increment, gclab_obj *o)
{
    struct ri_container c = { increment, s->visited_space, 0 };
    while (o != increment) {
        GCLAB_ASSERT(ri_space(o) == s->visited_space);   /* I5: survivors go to visited */
        gclab_trace_object(o, ri_visit_add, &c);
        o = o->gc_next;
    }
    return c.size;
}

/* mark_all_reachable: everything reachable from `reachable` moves to visited. */
static int64_t rcinc_mark_all_reachable(struct ri_state *s, gclab_obj *reachable)
{
    gclab_obj *visited = &s->old[s->visited_space].head;
    struct ri_container c = { reachable, s->visited_space, 0 };
    while (!gclist_empty(reachable)) {
        gclab_obj *o = reachable->gc_next;
        GCLAB_ASSERT(ri_space(o) == s->visited_space);
        gclist_move(o, visited);
        gclab_trace_object(o, ri_visit_add, &c);
    }
    return c.size;
}

/* mark_global_roots + mark_stacks: every root not yet visited is marked,
 * then everything reachable from those. Returns the objects marked. */
static int64_t rcinc_mark_from_roots(gclab_heap *h, struct ri_state *s)
{
    gclab_obj reachable;
    gclist_init(&reachable);
    struct ri_container c = { &reachable, s->visited_space, 0 };
    gclab_trace_roots(h, ri_visit_add, &c);   /* move_to_reachable on each root */
    return c.size + rcinc_mark_all_reachable(s, &reachable);
}

/* mark_at_start: the mark phase of a pass (CPython: "TO DO -- Make this incremental"). */
static int64_t rcinc_mark_at_start(gclab_heap *h, struct ri_state *s)
{
    int64_t marked = rcinc_mark_from_roots(h, s);
    s->work_to_do -= marked;
    s->phase = RI_PHASE_COLLECT;
    return marked;
}

static int64_t ri_scale_factor(const struct ri_state *s)
{
    return s->old[0].threshold < 2 ? 2 : s->old[0].threshold;
}

/* assess_work_to_do: the new objects plus a heap fraction capped at 3/2 of them. */
static int64_t rcinc_assess_work_to_do(struct ri_state *s)
{
    int64_t new_objects = s->young.count;
    int64_t max_heap_fraction = new_objects * 3 / 2;
    int64_t heap_fraction = s->heap_size / RI_SCAN_RATE_DIVISOR / ri_scale_factor(s);
    if (heap_fraction > max_heap_fraction)
        heap_fraction = max_heap_fraction;
    s->young.count = 0;
    return new_objects + heap_fraction;
}

/* completed_scavenge: a pass is done (pending empty). */
static void rcinc_completed_scavenge(struct ri_state *s)
{
    int visited;
    if (gclist_empty(&s->permanent)) {
        int not_visited = s->visited_space;
        visited = not_visited ^ 1;
        s->visited_space = visited;
        if (!GCLAB_MUTANT(ri_mut_stale_space))
            ri_list_set_space(&s->young.head, not_visited);
    } else {
        visited = s->visited_space;
        int not_visited = visited ^ 1;
        GCLAB_ASSERT(gclist_empty(&s->old[not_visited].head));
        gclist_merge(&s->old[visited].head, &s->old[not_visited].head);
        ri_list_set_space(&s->old[not_visited].head, not_visited);
    }
    GCLAB_ASSERT(gclist_empty(&s->old[visited].head));   /* I7 */
    s->work_to_do = 0;
    s->phase = RI_PHASE_MARK;
}

/* gc.collect(1) and every automatic collection: an increment. */
static int64_t rcinc_collect_increment(gclab_heap *h, struct ri_state *s)
{
    s->work_to_do += rcinc_assess_work_to_do(s);
    rcinc_untrack_tuples(s, &s->young.head);
    if (s->phase == RI_PHASE_MARK) {
        s->work_to_do -= rcinc_mark_at_start(h, s);   /* subtracted twice, as in CPython */
        return 0;
    }
    gclab_obj *not_visited = &s->old[s->visited_space ^ 1].head;
    gclab_obj *visited = &s->old[s->visited_space].head;
    gclab_obj increment, survivors;
    gclist_init(&increment);
    s->work_to_do -= rcinc_mark_from_roots(h, s);
    ri_list_set_space(&s->young.head, s->visited_space);
    gclist_merge(&s->young.head, &increment);
    int64_t increment_size = gclist_size(&increment);
    while (increment_size < s->work_to_do && !gclist_empty(not_visited)) {
        gclab_obj *o = not_visited->gc_next;
        gclist_move(o, &increment);
        increment_size++;
        ri_set_space(o, s->visited_space);
        increment_size += rcinc_expand_region(s, &increment, o);
    }
    gclist_init(&survivors);
    int64_t m = rcinc_collect_region(h, s, &increment, &survivors);
    gclist_merge(&survivors, visited);
    GCLAB_ASSERT(gclist_empty(&increment));
    s->work_to_do += s->heap_size / RI_SCAN_RATE_DIVISOR / ri_scale_factor(s);
    s->work_to_do -= increment_size;
    if (gclist_empty(not_visited))
        rcinc_completed_scavenge(s);
    return m;
}

/* gc.collect(2): everything but the permanent generation, in one region. */
static int64_t rcinc_collect_full(gclab_heap *h, struct ri_state *s)
{
    gclab_obj *pending = &s->old[s->visited_space ^ 1].head;
    gclab_obj *visited = &s->old[s->visited_space].head;
    rcinc_untrack_tuples(s, &s->young.head);
    gclist_merge(&s->young.head, pending);
    ri_list_set_space(pending, s->visited_space);
    s->young.count = 0;
    gclist_merge(pending, visited);
    int64_t m = rcinc_collect_region(h, s, visited, visited);
    s->young.count = 0;
    s->old[0].count = 0;
    s->old[1].count = 0;
    rcinc_completed_scavenge(s);
    rcinc_clear_freelists(h, s);
    return m;
}

static int rcinc_verify(gclab_heap *h, int level);

/* CPython 3.14: _PyGC_Collect — events around the collection of gen. */
static int64_t rcinc_collect_with_events(gclab_heap *h, int gen)
{
    struct ri_state *s = core_es(h);
    /* Frees during the collection happen at once, as in CPython, even when
     * it was started from inside a drain (a finalizer that allocated). */
    int64_t m;
    core_event_collect_start(h, gen);
    bool was_draining = rc_drain_suspend(&s->rc);
    m = gen == 0 ? rcinc_collect_young(h, s) : gen == 1 ? rcinc_collect_increment(h, s)
                                                       : rcinc_collect_full(h, s);
    rc_drain_resume(&s->rc, was_draining);
    core_event_collect_end(h, gen, m, 0);   /* verify=L: core calls rcinc_verify(h, L) */
    return m;
}

/* ======================================================================
 * The table
 * ====================================================================== */

/* _Py_RunGC: the increment scheduled by an earlier allocation or track,
 * run at a heap script's backward jump (where CPython checks its eval
 * breaker) or else at the next allocation. */
static void rcinc_safepoint(gclab_heap *h)
{
    struct ri_state *s = core_es(h);
    if (s->scheduled && !core_collecting(h)) {
        s->scheduled = false;
        if (core_gc_enabled(h))
            rcinc_collect_with_events(h, 1);
    }
}

static gclab_obj *rcinc_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct ri_state *s = core_es(h);
    rcinc_safepoint(h);
    if (!obj_kind_is_container(kind))
        return core_alloc_object(h, bytes);
    if (gcfl_has(&s->fl, kind, bytes))
        return gcfl_take(h, &s->fl, kind, bytes);   /* 3.14.0: no count */
    gclab_obj *o = core_alloc_object(h, bytes);
    if (o && s->rules == RI_RULES_3140)
        ri_count_up(h, s);   /* 3.14.0's _PyObject_GC_Link */
    return o;
}

static int64_t rcinc_collect(gclab_heap *h, int gen)
{
    return rcinc_collect_with_events(h, gen);
}

/* gc.is_tracked / gc.is_finalized: the TRACKED and FINALIZED bits (I1, I3);
 * CPython 3.14's collector keeps the same two facts per object. */
static bool rcinc_is_tracked(gclab_heap *h, const gclab_obj *o) { (void)h; return ri_is_tracked(o); }
static bool rcinc_is_finalized(gclab_heap *h, const gclab_obj *o) { (void)h; return o->gcflags & RI_FINALIZED; }

/* gc.get_count(): young, then the visited and the pending space's counts. */
static int rcinc_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct ri_state *s = core_es(h);
    out[0] = s->young.count;
    out[1] = s->old[s->visited_space].count;
    out[2] = s->old[s->visited_space ^ 1].count;
    return RI_NGENS;
}

/* gc.get_threshold(): 3.14's gcmodule reports 0 for the third. */
static int rcinc_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct ri_state *s = core_es(h);
    out[0] = s->young.threshold;
    out[1] = s->old[0].threshold;
    out[2] = 0;
    return RI_NGENS;
}

static gclab_status rcinc_set_threshold(gclab_heap *h, int n, const int64_t *v)
{
    struct ri_state *s = core_es(h);
    if (n < 1 || n > RI_NGENS)
        return heap_error(h, GCLAB_ETYPE, "set_threshold expected 1 to 3 arguments, got %d", n);
    for (int i = 0; i < n; i++)
        if (v[i] > INT32_MAX || v[i] < INT32_MIN)
            return heap_error(h, GCLAB_EOVERFLOW, "signed integer is greater than maximum");
    s->young.threshold = v[0];
    if (n > 1)
        s->old[0].threshold = v[1];
    if (n > 2)
        s->old[1].threshold = v[2];
    return GCLAB_OK;
}

/* gc.get_objects(gen): 0 young, 1 nothing, 2 both old spaces, -1 all three. */
static void rcinc_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    struct ri_state *s = core_es(h);
    gclab_obj *lists[3] = { &s->young.head, &s->old[0].head, &s->old[1].head };
    for (int i = 0; i < 3; i++) {
        if ((gen == 0 && i != 0) || gen == 1 || (gen == 2 && i == 0))
            continue;
        for (gclab_obj *o = lists[i]->gc_next; o != lists[i]; o = o->gc_next)
            fn(o, ctx);
    }
}

/* _PyGC_Freeze: everything to the permanent generation, in the visited space (I5). */
static gclab_status rcinc_freeze(gclab_heap *h, int on)
{
    struct ri_state *s = core_es(h);
    if (on) {
        ri_list_set_space(&s->young.head, s->visited_space);
        gclist_merge(&s->young.head, &s->permanent);
        s->young.count = 0;
        ri_list_set_space(&s->old[s->visited_space ^ 1].head, s->visited_space);
        gclist_merge(&s->old[0].head, &s->permanent);
        s->old[0].count = 0;
        gclist_merge(&s->old[1].head, &s->permanent);
        s->old[1].count = 0;
    } else {
        gclist_merge(&s->permanent, &s->old[s->visited_space].head);
    }
    return GCLAB_OK;
}

/* _testinternalcapi.get_tracked_heap_size(): gcstate->heap_size. */
static int64_t rcinc_tracked_heap_size(gclab_heap *h)
{
    struct ri_state *s = core_es(h);
    return s->heap_size;
}

static int64_t rcinc_freeze_count(gclab_heap *h)
{
    struct ri_state *s = core_es(h);
    return gclist_size(&s->permanent);
}

/* validate_spaces and the list checks: I1, I2, I4, I5 and the links (one
 * walk of the lists, no edge traced: the same at every level). */
static int rcinc_verify(gclab_heap *h, int level)
{
    (void)level;
    struct ri_state *s = core_es(h);
    struct { gclab_obj *l; int space; const char *name; } lists[4] = {
        { &s->young.head, s->visited_space ^ 1, "young" },
        { &s->old[0].head, 0, "old[0]" },
        { &s->old[1].head, 1, "old[1]" },
        { &s->permanent, s->visited_space, "permanent" },
    };
    int64_t total = 0;
    for (int i = 0; i < 4; i++) {
        for (gclab_obj *o = lists[i].l->gc_next; o != lists[i].l; o = o->gc_next) {
            const char *bad = NULL;
            if (o->gc_next->gc_prev != o)
                bad = "broken links";
            else if (!(o->gcflags & RI_TRACKED))
                bad = "in a list but not TRACKED (I1)";
            else if (o->gcflags & (RI_COLLECTING | RI_UNREACHABLE))
                bad = "collection flag left set (I4)";
            else if (o->refcnt <= 0)
                bad = "tracked with refcount 0 (I2)";
            else if (ri_space(o) != lists[i].space)
                bad = "in the wrong old space (I5)";
            else if (!obj_kind_is_container(o->kind))
                bad = "tracked object is not a container";
            if (bad) {
                fprintf(stderr, "rcinc verify: %s: object %p kind %d refcnt %ld flags %#x: %s\n",
                        lists[i].name, (void *)o, o->kind, (long)o->refcnt, o->gcflags, bad);
                return -1;
            }
            total++;
        }
    }
    if (total != s->ntracked) {
        fprintf(stderr, "rcinc verify: %lld objects in lists, %lld tracked (I1)\n",
                (long long)total, (long long)s->ntracked);
        return -1;
    }
    return 0;
}

static gclab_status rcinc_init(gclab_heap *h)
{
    static const char *names[RI_NGENS] = { "threshold0", "threshold1", "threshold2" };
    struct ri_state *s = calloc(1, sizeof *s);
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    gclist_init(&s->young.head);
    gclist_init(&s->old[0].head);
    gclist_init(&s->old[1].head);
    gclist_init(&s->permanent);
    rc_layer_init(&s->rc, &ri_rc_ops);
    gcfl_init(&s->fl);
    int64_t *th[RI_NGENS] = { &s->young.threshold, &s->old[0].threshold, &s->old[1].threshold };
    for (int g = 0; g < RI_NGENS; g++) {
        bool ok;
        double v = heap_param_double(h, names[g], &ok);
        if (!ok || v != (double)(int64_t)v || v < 0 || v > INT32_MAX) {
            free(s);
            return heap_error(h, GCLAB_EVALUE, "%s must be an integer from 0 to %d", names[g], INT32_MAX);
        }
        *th[g] = (int64_t)v;
    }
    const char *rules = heap_param(h, "rules");
    if (strcmp(rules, "3.14.0") == 0) {
        s->rules = RI_RULES_3140;
    } else if (strcmp(rules, "3.14.2") == 0) {
        s->rules = RI_RULES_3142;
    } else {
        free(s);
        return heap_error(h, GCLAB_EVALUE, "rules must be 3.14.0 or 3.14.2, not '%s'", rules);
    }
    s->work_to_do = -5000;   /* pycore_runtime_init.h */
    s->phase = RI_PHASE_MARK;
    core_set_es(h, s);
    return GCLAB_OK;
}

static void rcinc_fini(gclab_heap *h)
{
    free(core_es(h));
    core_set_es(h, NULL);
}

static const struct gclab_param_spec rcinc_params[] = {
    GCLAB_PINT("threshold0", "2000", 0, 2147483647, "young.threshold: counted containers before an increment"),
    GCLAB_PINT("threshold1", "10", 0, 2147483647, "old[0].threshold: the scan-rate divisor's scale factor"),
    GCLAB_PINT("threshold2", "0", 0, 2147483647, "old[1].threshold (unused by 3.14's collector)"),
    GCLAB_PWORD("rules", "3.14.0", "3.14.0|3.14.2", "3.14.0, or 3.14.2 (GH-140262: count tracked objects, untracked tuples)"),
    GCLAB_PEND,
};

static const struct gclab_mutant *const rcinc_mutants[] = {
    &ri_mut_no_resurrect, &ri_mut_fin_twice, &ri_mut_no_clear_wr, &ri_mut_untrack_live_tuple,
    &ri_mut_stale_space, NULL };

const struct gclab_engine gclab_engine_rcinc = {
    .name = "rcinc",
    .summary = "refcounting + CPython 3.14's incremental cycle collector (young + two old spaces)",
    .caps = { .refcounts = true, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = RI_NGENS, .incremental = true,
              .frees = GCLAB_FREES_PROMPT, .weakref_callbacks = GCLAB_WRCB_CPYTHON,
              .callback_kept = true, .freeze = true, .debug_saveall = true, .header_words = 6 },
    .params = rcinc_params,
    .mutants = rcinc_mutants,
    .init = rcinc_init,
    .fini = rcinc_fini,
    .alloc = rcinc_alloc,
    .track = rcinc_track,
    .release = rcinc_release,
    .dict_insert = rcinc_dict_insert,
    .collect = rcinc_collect,
    .safepoint = rcinc_safepoint,
    .tracked_heap_size = rcinc_tracked_heap_size,
    .get_count = rcinc_get_count,
    .get_threshold = rcinc_get_threshold,
    .set_threshold = rcinc_set_threshold,
    .foreach_tracked = rcinc_foreach_tracked,
    .freeze = rcinc_freeze,
    .freeze_count = rcinc_freeze_count,
    .is_tracked = rcinc_is_tracked,
    .is_finalized = rcinc_is_finalized,
    .verify = rcinc_verify,
};
