/* rcgen.c — reference counting plus CPython 3.11's generational cycle
 * collector (Modules/gcmodule.c), count for count.
 *
 * What it promises
 *   The refcount side is rc.c's (free at zero, __del__ first, no C recursion
 *   through the pending stack). On top, every container (tuple, list, class,
 *   instance, weakref, func; a dict once it holds a possible container, as
 *   CPython) is tracked in one of three generations,
 *   and the collector runs exactly when, and on exactly the generations,
 *   CPython 3.11 would run it on the same program: gc.get_stats(),
 *   gc.get_count() and gc.collect()'s return value match. PEP 442: __del__
 *   runs once per object (FINALIZED); an object its finalizer resurrects
 *   survives; weakrefs to trash are cleared and a callback runs only when the
 *   weakref itself is not trash (gcmodule.c's handle_weakrefs, bpo-38006).
 *   DIFFERS: long_lived_total counts only this heap's objects; CPython's
 *            also counts the interpreter's own (~4000 under python3 -S), so
 *            the skip decision for a full collection can differ when few
 *            objects survive (rings: 20 full collections here, 4 in CPython)
 *            or thresholds are small. Churn at default thresholds matches
 *            anyway; a program that calls gc.freeze() first (rings.c) makes
 *            both sides start from an empty generation 2 and matches exactly.
 *   DIFFERS: children are released all at once and freed from a stack, so
 *            a weakref queued before its referent in one release cascade
 *            is already dead when the referent dies: no callback (CPython
 *            decrefs one child at a time and would still call it).
 *   DIFFERS: no legacy tp_del finalizers: `uncollectable` is always 0.
 *   DIFFERS: CPython also skips an automatic collection while an exception
 *            is set; gclab errors are plain values, so this test is absent.
 *
 * Header words (gcflags bits RG_*)
 *   word      between collections          during rcgen_collect_main
 *   refcnt    strong references            same; never 0 on a tracked object (R2)
 *   gc_next/  generation list (circular,   young / unreachable / wrcb / seen
 *   gc_prev   sentinel heads in state);    lists; on the pending-free stack
 *             NULL when untracked          gc_next links dead objects
 *   gc_refs   unused                       refcnt minus references from young
 *   TRACKED   in some generation list      same
 *   COLLECTING never set                   in young until proven reachable
 *   UNREACHABLE never set                  in move_unreachable's output only
 *   FINALIZED once __del__ ran, forever    same (R3)
 *
 * The trigger (CPython 3.11 _PyObject_GC_Link, gc_collect_generations)
 *   Allocating a container that does not come from a free list adds 1 to
 *   count[0]; freeing one subtracts 1 if count[0] > 0 (PyObject_GC_Del).
 *   Right after such an allocation, before the object is tracked, a
 *   collection runs if count[0] > threshold[0] (strictly), threshold[0] != 0,
 *   gc is enabled and no collection is running. It collects the oldest
 *   generation g whose count exceeds its threshold, and all younger ones,
 *   but skips generation 2 while long_lived_pending < long_lived_total / 4
 *   (issue #4074: without it, full collections are quadratic in the number
 *   of long-lived objects). A collection of g adds 1 to count[g+1] and
 *   zeroes count[0..g]; survivors move to g+1 (g = 2: they stay).
 *   long_lived_pending grows by the survivors of each generation-1
 *   collection; a full collection resets it and sets long_lived_total.
 *
 * Phases, in rcgen_collect_main (read it first)
 *   merge younger generations into young     (gc_list_merge)
 *   rcgen_deduce_unreachable                  update_refs, subtract_refs,
 *                                             move_unreachable
 *   rcgen_untrack_tuples                      tuples holding only atomics
 *   promote survivors; long-lived bookkeeping (full: rcgen_untrack_dicts)
 *   rcgen_handle_weakrefs                     clear, call reachable callbacks
 *   rcgen_finalize_garbage                    __del__ once each
 *   rcgen_handle_resurrected                  deduce again on the trash
 *   rcgen_delete_garbage                      tp_clear (or gc.garbage with
 *                                             DEBUG_SAVEALL), free by refcount
 *   rcgen_clear_freelists                     full collections only
 *   At -p verify=2, rg_check_list (CPython's validate_list) checks the lists'
 *   links and collection flags between these phases; the phases are raised
 *   as events (core_event_phase: heap_traced, weakrefs_done,
 *   finalizers_done, garbage_freed).
 *
 * Invariants
 *   R1 each tracked container is in exactly one list, and TRACKED is set iff
 *      it is; ntracked counts them (rcgen_verify checks the sum);
 *   R2 no tracked object has refcount 0: release() untracks before it
 *      queues an object, so no collection ever sees a dying object;
 *   R3 FINALIZED is set at most once and never cleared;
 *   R4 COLLECTING and UNREACHABLE are clear on every object outside a
 *      collection (each object leaving a collection list is cleared);
 *   R5 objects on the pending stack have refcount 0 and are untracked.
 *
 * Free lists (why they move collection counts)
 *   As in CPython, up to 80 dead lists and 80 dead dicts, and up to 2000
 *   dead tuples of each size 1..20, are kept and reused LIFO; reuse does not
 *   count as an allocation and parking does not count as a free, so a loop
 *   that drops what it makes never advances count[0]. The empty tuple is
 *   core's immortal singleton and never counts. Full collections empty the
 *   free lists, each dropped object counting as a free (clear_freelists).
 */
#include <string.h>

#include "engine.h"

#define RG_TRACKED     0x01
#define RG_COLLECTING  0x02
#define RG_UNREACHABLE 0x04
#define RG_FINALIZED   0x08

#define RG_NGENS 3
#define RG_PERMANENT 3          /* gc.freeze()'s generation */
#define RG_LIST_FREE_MAX 80     /* PyList_MAXFREELIST */
#define RG_DICT_FREE_MAX 80     /* PyDict_MAXFREELIST */

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant rg_mut_skip_decref = {
    "skip-decref", "a dying object does not release its list children" };
static const struct gclab_mutant rg_mut_skip_mark = {
    "skip-mark", "move_unreachable does not follow a dict's entries" };
static const struct gclab_mutant rg_mut_no_clear_wr = {
    "no-clear-wr", "an object freed by its refcount keeps its weakrefs set" };
static const struct gclab_mutant rg_mut_fin_twice = {
    "fin-twice", "__del__ of an object freed by its refcount runs twice" };
static const struct gclab_mutant rg_mut_gen_slip = {
    "gen-slip", "survivors of a generation-1 collection stay in generation 1" };
static const struct gclab_mutant rg_mut_cb_trash = {
    "cb-trash", "handle_weakrefs calls the callback of a weakref that is trash itself" };
static const struct gclab_mutant rg_mut_cb_skip = {
    "cb-skip", "handle_weakrefs clears reachable weakrefs to trash without calling their callbacks" };
static const struct gclab_mutant rg_mut_free_resurrected = {
    "free-resurrected", "handle_resurrected_objects keeps nothing: what a __del__ resurrected is cleared and freed" };
static const struct gclab_mutant rg_mut_untrack_tuple = {
    "untrack-tuple", "untrack_tuples takes a list item for an atom: a tuple holding a list leaves the generations" };
#define RG_TUPLE_SAVE 20        /* PyTuple_MAXSAVESIZE: sizes 1..20 */
#define RG_TUPLE_FREE_MAX 2000  /* PyTuple_MAXFREELIST */

struct rg_freelist { gclab_obj *head; int n; };

struct rg_state {
    gclab_obj gens[RG_NGENS + 1];      /* sentinel heads; [3] is permanent */
    int64_t count[RG_NGENS], threshold[RG_NGENS];
    int64_t long_lived_total, long_lived_pending;
    int64_t ntracked;                  /* R1 */
    gclab_obj *pending;                /* R5 */
    bool draining;
    struct rg_freelist lists, dicts, tuples[RG_TUPLE_SAVE + 1];
};

/* ======================================================================
 * Lists (CPython's gc_list_*): circular, doubly linked through the header
 * ====================================================================== */

static void rg_list_init(gclab_obj *l) { l->gc_next = l->gc_prev = l; }
static bool rg_list_empty(const gclab_obj *l) { return l->gc_next == l; }

static void rg_list_unlink(gclab_obj *o)
{
    o->gc_prev->gc_next = o->gc_next;
    o->gc_next->gc_prev = o->gc_prev;
}

static void rg_list_append(gclab_obj *o, gclab_obj *l)
{
    o->gc_prev = l->gc_prev;
    o->gc_next = l;
    l->gc_prev->gc_next = o;
    l->gc_prev = o;
}

static void rg_list_move(gclab_obj *o, gclab_obj *l)
{
    rg_list_unlink(o);
    rg_list_append(o, l);
}

/* Append from's objects to to, in order; from becomes empty. */
static void rg_list_merge(gclab_obj *from, gclab_obj *to)
{
    if (!rg_list_empty(from)) {
        gclab_obj *tail = to->gc_prev;
        tail->gc_next = from->gc_next;
        from->gc_next->gc_prev = tail;
        to->gc_prev = from->gc_prev;
        to->gc_prev->gc_next = to;
    }
    rg_list_init(from);
}

static int64_t rg_list_size(const gclab_obj *l)
{
    int64_t n = 0;
    for (const gclab_obj *o = l->gc_next; o != l; o = o->gc_next)
        n++;
    return n;
}

/* ======================================================================
 * Tracking and the refcount side
 * ====================================================================== */

static bool rg_is_tracked(const gclab_obj *o) { return o->gcflags & RG_TRACKED; }

/* CPython 3.11: _PyObject_GC_TRACK — append to generation 0. */
static void rg_track_gen0(struct rg_state *s, gclab_obj *o)
{
    GCLAB_ASSERT(!rg_is_tracked(o));   /* R1 */
    rg_list_append(o, &s->gens[0]);
    o->gcflags |= RG_TRACKED;
    s->ntracked++;
}

/* CPython 3.11: PyObject_GC_UnTrack — leave whatever list o is in. */
static void rg_untrack(struct rg_state *s, gclab_obj *o)
{
    if (!rg_is_tracked(o))
        return;
    rg_list_unlink(o);
    o->gc_next = o->gc_prev = NULL;
    o->gcflags &= (uint8_t)~(RG_TRACKED | RG_COLLECTING | RG_UNREACHABLE);   /* R4 */
    s->ntracked--;
}

static bool rg_may_be_tracked(const gclab_obj *o);

/* Containers are tracked once built, except dicts: CPython 3.11 creates a
 * dict untracked and tracks it on the first insertion of something that
 * may be tracked (rcgen_dict_insert). */
static void rcgen_track(gclab_heap *h, gclab_obj *o)
{
    if (obj_kind_is_container(o->kind) && !obj_is_immortal(o) && o->kind != GCLAB_K_DICT)
        rg_track_gen0(core_es(h), o);
}

/* CPython 3.11: MAINTAIN_TRACKING in insertdict. */
static void rcgen_dict_insert(gclab_heap *h, gclab_obj *d, gclab_obj *key, gclab_obj *value)
{
    if (!rg_is_tracked(d) && (rg_may_be_tracked(key) || rg_may_be_tracked(value)))
        rg_track_gen0(core_es(h), d);
}

/* CPython 3.11: PyObject_GC_Del's bookkeeping for a container leaving for good. */
static void rg_count_free(struct rg_state *s)
{
    if (s->count[0] > 0)
        s->count[0]--;
}

static struct rg_freelist *rg_freelist_for(struct rg_state *s, int kind, size_t bytes, int *max)
{
    if (kind == GCLAB_K_LIST) {
        *max = RG_LIST_FREE_MAX;
        return &s->lists;
    }
    if (kind == GCLAB_K_DICT) {
        *max = RG_DICT_FREE_MAX;
        return &s->dicts;
    }
    if (kind == GCLAB_K_TUPLE) {
        size_t n = (bytes - sizeof(obj_tuple)) / sizeof(gclab_obj *);
        *max = RG_TUPLE_FREE_MAX;
        return n >= 1 && n <= RG_TUPLE_SAVE ? &s->tuples[n] : NULL;
    }
    return NULL;
}

/* Give a dead object's memory back: to its free list if there is room
 * (no count change), else to the allocator (count[0] down for containers). */
static void rg_free_memory(gclab_heap *h, struct rg_state *s, gclab_obj *o)
{
    int max = 0;
    struct rg_freelist *fl = rg_freelist_for(s, o->kind, o->size, &max);
    if (fl && fl->n < max) {
        o->gc_next = fl->head;
        fl->head = o;
        fl->n++;
        return;
    }
    bool container = obj_kind_is_container(o->kind);
    core_free_object_memory(h, o);
    if (container)
        rg_count_free(s);
}

/* CPython 3.11: clear_freelists (tuples, lists, dicts), full collections only. */
static void rcgen_clear_freelists(gclab_heap *h, struct rg_state *s)
{
    struct rg_freelist *all[RG_TUPLE_SAVE + 3];
    int k = 0;
    for (int i = 1; i <= RG_TUPLE_SAVE; i++)
        all[k++] = &s->tuples[i];
    all[k++] = &s->lists;
    all[k++] = &s->dicts;
    for (int i = 0; i < k; i++) {
        while (all[i]->head) {
            gclab_obj *o = all[i]->head;
            all[i]->head = o->gc_next;
            all[i]->n--;
            core_free_object_memory(h, o);
            rg_count_free(s);
        }
    }
}

static void rg_push(struct rg_state *s, gclab_obj *o)
{
    o->gc_next = s->pending;
    s->pending = o;
}

static void rg_release_field(gclab_obj **field, void *ctx)
{
    gclab_obj *child = *field;
    *field = NULL;
    if (GCLAB_MUTANT(rg_mut_skip_decref) && child->kind == GCLAB_K_LIST)
        return;
    if (--child->refcnt == 0) {
        rg_untrack(ctx, child);   /* R2 */
        rg_push(ctx, child);
    }
}

/* Free one object whose count is zero (CPython: subtype_dealloc, list_dealloc...). */
static void rg_dealloc(gclab_heap *h, struct rg_state *s, gclab_obj *o)
{
    if (obj_has_del(o) && !(o->gcflags & RG_FINALIZED)) {
        /* subtype_dealloc re-tracks around tp_finalize: a resurrected
         * object is back in generation 0. */
        o->gcflags |= RG_FINALIZED;   /* R3 */
        rg_track_gen0(s, o);
        o->refcnt = 1;
        core_run_finalizer(h, o);
        if (GCLAB_MUTANT(rg_mut_fin_twice))
            core_run_finalizer(h, o);
        if (--o->refcnt > 0)
            return;
        rg_untrack(s, o);
    }
    if (!GCLAB_MUTANT(rg_mut_no_clear_wr))
        core_clear_weakrefs(h, o, true);
    gclab_obj *mark = s->pending;
    gclab_trace_object(o, rg_release_field, s);
    if (o->kind != GCLAB_K_TUPLE && o->kind != GCLAB_K_LIST)
        obj_stack_reverse_since(&s->pending, mark);   /* CPython releases these first-first */
    core_free_storage(h, o);
    core_obj_dead(h, o);
    rg_free_memory(h, s, o);
}

/* Free everything on the pending stack (the worklist that replaces C recursion). */
static void rg_drain(gclab_heap *h, struct rg_state *s)
{
    gclab_obj *o;
    s->draining = true;
    while ((o = s->pending) != NULL) {
        s->pending = o->gc_next;
        o->gc_next = NULL;
        rg_dealloc(h, s, o);
    }
    s->draining = false;
}

static void rcgen_release(gclab_heap *h, gclab_obj *o)
{
    struct rg_state *s = core_es(h);
    GCLAB_ASSERT(o->refcnt == 0 && !obj_is_immortal(o));   /* R5 */
    rg_untrack(s, o);                                      /* R2 */
    rg_push(s, o);
    if (!s->draining)
        rg_drain(h, s);
}

/* ======================================================================
 * Finding the unreachable (CPython 3.11: deduce_unreachable)
 * ====================================================================== */

/* CPython 3.11: update_refs. After: every object in young is COLLECTING
 * with gc_refs == refcnt > 0. */
static void rcgen_update_refs(gclab_obj *young)
{
    for (gclab_obj *o = young->gc_next; o != young; o = o->gc_next) {
        GCLAB_ASSERT(o->refcnt > 0);   /* R2 */
        o->gc_refs = o->refcnt;
        o->gcflags |= RG_COLLECTING;
    }
}

static void rg_visit_decref(gclab_obj **field, void *ctx)
{
    (void)ctx;
    gclab_obj *c = *field;
    if (c->gcflags & RG_COLLECTING) {
        GCLAB_ASSERT(c->gc_refs > 0);   /* else a refcount was too small */
        c->gc_refs--;
    }
}

/* CPython 3.11: subtract_refs. After: gc_refs counts references from
 * outside young (roots, older generations, untracked objects). */
static void rcgen_subtract_refs(gclab_obj *young)
{
    for (gclab_obj *o = young->gc_next; o != young; o = o->gc_next)
        gclab_trace_object(o, rg_visit_decref, NULL);
}

static void rg_visit_reachable(gclab_obj **field, void *young)
{
    gclab_obj *c = *field;
    if (!(c->gcflags & RG_COLLECTING))
        return;   /* other generation, untracked, or already scanned */
    if (c->gcflags & RG_UNREACHABLE) {
        /* Moved out too early: back to young's tail, scanned again later. */
        c->gcflags &= (uint8_t)~RG_UNREACHABLE;
        rg_list_move(c, young);
        c->gc_refs = 1;
    } else if (c->gc_refs == 0) {
        c->gc_refs = 1;   /* ahead of the cursor: it will be scanned */
    }
}

/* CPython 3.11: move_unreachable. Loop invariant: everything left of the
 * cursor in young is reachable from outside and already scanned (its
 * COLLECTING cleared); everything that left young so far is in unreachable
 * with UNREACHABLE set. After: young holds the reachable, unreachable the
 * rest (COLLECTING and UNREACHABLE set). */
static void rcgen_move_unreachable(gclab_obj *young, gclab_obj *unreachable)
{
    gclab_obj *o = young->gc_next;
    while (o != young) {
        if (o->gc_refs > 0) {
            if (!(GCLAB_MUTANT(rg_mut_skip_mark) && o->kind == GCLAB_K_DICT))
                gclab_trace_object(o, rg_visit_reachable, young);
            o->gcflags &= (uint8_t)~RG_COLLECTING;
            o = o->gc_next;   /* read after the trace: it may have appended */
        } else {
            gclab_obj *next = o->gc_next;
            rg_list_move(o, unreachable);
            o->gcflags |= RG_UNREACHABLE;
            o = next;
        }
    }
}

static void rcgen_deduce_unreachable(gclab_obj *base, gclab_obj *unreachable)
{
    rcgen_update_refs(base);
    rcgen_subtract_refs(base);
    rg_list_init(unreachable);
    rcgen_move_unreachable(base, unreachable);
}

/* Clear UNREACHABLE on a list (move_legacy_finalizers does it in CPython). */
static void rg_clear_unreachable_mask(gclab_obj *l)
{
    for (gclab_obj *o = l->gc_next; o != l; o = o->gc_next)
        o->gcflags &= (uint8_t)~RG_UNREACHABLE;
}

/* Whether an object may be tracked (CPython: _PyObject_GC_MAY_BE_TRACKED). */
static bool rg_may_be_tracked(const gclab_obj *o)
{
    if (!obj_kind_is_container(o->kind))
        return false;
    if (o->kind == GCLAB_K_TUPLE)
        return rg_is_tracked(o);
    return true;
}

/* CPython 3.11: untrack_dicts (_PyDict_MaybeUntrack), full collections
 * only (issue #14775): a dict holding no possible container leaves the
 * lists until something trackable is stored in it again. */
static void rcgen_untrack_dicts(struct rg_state *s, gclab_obj *young)
{
    gclab_obj *next;
    for (gclab_obj *o = young->gc_next; o != young; o = next) {
        next = o->gc_next;
        if (o->kind != GCLAB_K_DICT)
            continue;
        obj_dict *d = AS(obj_dict, o);
        size_t i;
        for (i = 0; i < d->nentries; i++) {
            struct dict_entry *e = &d->entries[i];
            if (e->key && (rg_may_be_tracked(e->key) || (e->value && rg_may_be_tracked(e->value))))
                break;
        }
        if (i == d->nentries)
            rg_untrack(s, o);
    }
}

/* CPython 3.11: untrack_tuples — a tuple of atomics can never be in a cycle. */
static void rcgen_untrack_tuples(struct rg_state *s, gclab_obj *young)
{
    gclab_obj *next;
    for (gclab_obj *o = young->gc_next; o != young; o = next) {
        next = o->gc_next;
        if (o->kind != GCLAB_K_TUPLE)
            continue;
        obj_tuple *t = AS(obj_tuple, o);
        size_t i;
        for (i = 0; i < t->n; i++)
            if (!t->items[i] || (rg_may_be_tracked(t->items[i]) &&
                                 !(GCLAB_MUTANT(rg_mut_untrack_tuple) && t->items[i]->kind == GCLAB_K_LIST)))
                break;
        if (i == t->n)
            rg_untrack(s, o);
    }
}

/* ======================================================================
 * Weakrefs, finalizers, resurrection, clearing
 * ====================================================================== */

/* CPython 3.11: handle_weakrefs. Clears every weakref to an object in
 * unreachable (and the referent of every weakref in it); calls a callback
 * only if its weakref is not trash itself, since a trash weakref's callback
 * could see cleared objects or resurrect trash (bpo-38006). Returns the
 * number of reachable weakrefs freed after their callback. */
static int64_t rcgen_handle_weakrefs(gclab_heap *h, struct rg_state *s, gclab_obj *unreachable,
                                     gclab_obj *old)
{
    gclab_obj wrcb_to_call;
    int64_t freed = 0;
    rg_list_init(&wrcb_to_call);
    for (gclab_obj *o = unreachable->gc_next; o != unreachable; o = o->gc_next) {
        if (o->kind == GCLAB_K_WEAKREF)
            core_weakref_unlink(o);   /* keeps its callback, which never runs */
        gclab_obj **head = obj_weaklist(o);
        if (!head)
            continue;
        while (*head) {
            gclab_obj *wr = *head;
            core_weakref_clear(h, wr);
            /* No callback: none wanted, the weakref is trash itself, or it
             * is already dead and queued on the pending stack (a collection
             * started inside a release cascade). */
            if (GCLAB_MUTANT(rg_mut_cb_skip))
                continue;
            if (!AS(obj_weakref, wr)->callback || ((wr->gcflags & RG_COLLECTING) && !GCLAB_MUTANT(rg_mut_cb_trash)) ||
                wr->refcnt == 0)
                continue;
            obj_incref(h, wr);   /* so it cannot vanish before its turn */
            GCLAB_ASSERT(rg_is_tracked(wr));
            rg_list_move(wr, &wrcb_to_call);
        }
    }
    while (!rg_list_empty(&wrcb_to_call)) {
        gclab_obj *wr = wrcb_to_call.gc_next;
        /* weakrefobject.c's handle_callback: wr is the argument, rooted in the call's frame. */
        core_call(h, AS(obj_weakref, wr)->callback, 1, &wr, "weakref callback");
        obj_decref(h, wr);
        if (wrcb_to_call.gc_next == wr)
            rg_list_move(wr, old);   /* still alive */
        else
            freed++;
    }
    (void)s;
    return freed;
}

/* CPython 3.11: finalize_garbage. A finalizer may free anything, so take
 * the first object each time and park it in `seen`. */
static void rcgen_finalize_garbage(gclab_heap *h, gclab_obj *collectable)
{
    gclab_obj seen;
    rg_list_init(&seen);
    while (!rg_list_empty(collectable)) {
        gclab_obj *o = collectable->gc_next;
        rg_list_move(o, &seen);
        if (obj_has_del(o) && !(o->gcflags & RG_FINALIZED)) {
            o->gcflags |= RG_FINALIZED;   /* R3 */
            obj_incref(h, o);
            core_run_finalizer(h, o);
            obj_decref(h, o);
        }
    }
    rg_list_merge(&seen, collectable);
}

/* CPython 3.11: handle_resurrected_objects. After finalizers, what is
 * still trash goes to still_unreachable; the resurrected go to old. */
static void rcgen_handle_resurrected(gclab_obj *unreachable, gclab_obj *still_unreachable,
                                     gclab_obj *old)
{
    for (gclab_obj *o = unreachable->gc_next; o != unreachable; o = o->gc_next)
        o->gcflags &= (uint8_t)~RG_COLLECTING;
    if (GCLAB_MUTANT(rg_mut_free_resurrected)) {
        rg_list_init(still_unreachable);
        rg_list_merge(unreachable, still_unreachable);
    } else {
        rcgen_deduce_unreachable(unreachable, still_unreachable);
    }
    rg_clear_unreachable_mask(still_unreachable);
    rg_list_merge(unreachable, old);
}

struct rg_refs { gclab_obj **v; size_t n, cap; gclab_obj **keep; bool oom; };

static void rg_visit_take(gclab_obj **field, void *vctx)
{
    struct rg_refs *r = vctx;
    if (field == r->keep)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        gclab_obj **v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            r->oom = true;   /* leave the field: the cycle survives, nothing breaks */
            return;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = *field;
    *field = NULL;
}

/* tp_clear: drop o's references (tuples have none to drop, an instance
 * keeps its class: CPython's subtype_clear), then release them. */
static void rg_clear(gclab_heap *h, gclab_obj *o)
{
    if (o->kind == GCLAB_K_TUPLE)
        return;
    struct rg_refs r = { 0 };
    if (o->kind == GCLAB_K_INSTANCE)
        r.keep = &AS(obj_instance, o)->cls;
    gclab_trace_object(o, rg_visit_take, &r);
    if (!r.oom)
        core_free_storage(h, o);   /* empty list/dict/instance, unlinked weakref */
    for (size_t i = 0; i < r.n; i++)
        obj_decref(h, r.v[i]);
    free(r.v);
}

/* CPython 3.11: delete_garbage. Each object is cleared (or, with
 * DEBUG_SAVEALL, kept in gc.garbage); one still there afterwards is alive
 * and goes to old. */
static void rcgen_delete_garbage(gclab_heap *h, gclab_obj *collectable, gclab_obj *old)
{
    while (!rg_list_empty(collectable)) {
        gclab_obj *o = collectable->gc_next;
        GCLAB_ASSERT(o->refcnt > 0);   /* R2 */
        if (core_debug_flags(h) & GCLAB_DEBUG_SAVEALL) {
            if (core_garbage_append(h, o) != GCLAB_OK)
                gclab_error_clear(h);
        } else {
            obj_incref(h, o);
            rg_clear(h, o);
            obj_decref(h, o);
        }
        if (collectable->gc_next == o) {
            o->gcflags &= (uint8_t)~RG_COLLECTING;   /* R4 */
            rg_list_move(o, old);
        }
    }
}

static int rcgen_verify(gclab_heap *h, int level);

/* CPython 3.11's validate_list, at -p verify=2 between the phases of a
 * collection: every object of list l has intact links, is TRACKED and has
 * exactly the collection flags `want` (COLLECTING, UNREACHABLE). */
static void rg_check_list(gclab_heap *h, gclab_obj *l, uint8_t want, const char *where)
{
    if (core_verify_level(h) < 2)
        return;
    for (gclab_obj *o = l->gc_next; o != l; o = o->gc_next) {
        const char *bad = NULL;
        if (o->gc_next->gc_prev != o || o->gc_prev->gc_next != o)
            bad = "broken links";
        else if (!(o->gcflags & RG_TRACKED))
            bad = "in a collection list but not TRACKED (R1)";
        else if ((o->gcflags & (RG_COLLECTING | RG_UNREACHABLE)) != want)
            bad = "wrong collection flags";
        if (bad) {
            fprintf(stderr, "rcgen verify (%s): object %p kind %d flags %#x, want %#x: %s\n", where,
                    (void *)o, o->kind, o->gcflags, want | RG_TRACKED, bad);
            abort();
        }
    }
}

/* CPython 3.11: gc_collect_main. Returns the number of unreachable objects
 * found; the caller brackets it with the collection events. */
static int64_t rcgen_collect_main(gclab_heap *h, struct rg_state *s, int gen)
{
    gclab_obj unreachable, final_unreachable;
    int64_t m = 0;
    /* Frees during the collection happen at once, as in CPython, even when
     * it was started from inside a drain (a finalizer that allocated). */
    bool was_draining = s->draining;
    s->draining = false;

    if (gen + 1 < RG_NGENS)
        s->count[gen + 1]++;
    for (int i = 0; i <= gen; i++)
        s->count[i] = 0;
    for (int i = 0; i < gen; i++)
        rg_list_merge(&s->gens[i], &s->gens[gen]);
    gclab_obj *young = &s->gens[gen];
    gclab_obj *old = gen + 1 < RG_NGENS ? &s->gens[gen + 1] : young;

    rg_check_list(h, young, 0, "before update_refs");
    rcgen_deduce_unreachable(young, &unreachable);
    rg_check_list(h, young, 0, "after move_unreachable: young");
    rg_check_list(h, &unreachable, RG_COLLECTING | RG_UNREACHABLE, "after move_unreachable: unreachable");
    core_event_phase(h, GCLAB_EV_HEAP_TRACED, gen);
    rcgen_untrack_tuples(s, young);
    if (young != old && !(GCLAB_MUTANT(rg_mut_gen_slip) && gen == 1)) {
        if (gen == RG_NGENS - 2)
            s->long_lived_pending += rg_list_size(young);
        rg_list_merge(young, old);
    } else {
        rcgen_untrack_dicts(s, young);
        s->long_lived_pending = 0;
        s->long_lived_total = rg_list_size(young);
    }
    rg_clear_unreachable_mask(&unreachable);
    rg_check_list(h, old, 0, "survivors moved: old");
    rg_check_list(h, &unreachable, RG_COLLECTING, "survivors moved: unreachable");

    m += rcgen_handle_weakrefs(h, s, &unreachable, old);
    rg_check_list(h, old, 0, "after handle_weakrefs: old");
    rg_check_list(h, &unreachable, RG_COLLECTING, "after handle_weakrefs: unreachable");
    core_event_phase(h, GCLAB_EV_WEAKREFS_DONE, gen);
    rcgen_finalize_garbage(h, &unreachable);
    core_event_phase(h, GCLAB_EV_FINALIZERS_DONE, gen);
    rcgen_handle_resurrected(&unreachable, &final_unreachable, old);
    rg_check_list(h, old, 0, "after handle_resurrected: old");
    rg_check_list(h, &final_unreachable, RG_COLLECTING, "after handle_resurrected: final_unreachable");
    m += rg_list_size(&final_unreachable);
    rcgen_delete_garbage(h, &final_unreachable, old);
    core_event_phase(h, GCLAB_EV_GARBAGE_FREED, gen);
    if (gen == RG_NGENS - 1)
        rcgen_clear_freelists(h, s);

    s->draining = was_draining;
    return m;   /* verify=L: core calls rcgen_verify(h, L) after the collection */
}

/* CPython 3.11: gc_collect_with_callback — events (callbacks, pause log, stats) around the collection. */
static int64_t rcgen_collect_with_events(gclab_heap *h, int gen)
{
    core_event_collect_start(h, gen);
    int64_t m = rcgen_collect_main(h, core_es(h), gen);
    core_event_collect_end(h, gen, m, 0);
    return m;
}

/* CPython 3.11: gc_collect_generations — the oldest generation over its
 * threshold, generation 2 only past the long-lived-pending test. */
static void rcgen_collect_generations(gclab_heap *h, struct rg_state *s)
{
    for (int i = RG_NGENS - 1; i >= 0; i--) {
        if (s->count[i] > s->threshold[i]) {
            if (i == RG_NGENS - 1 && s->long_lived_pending < s->long_lived_total / 4)
                continue;
            rcgen_collect_with_events(h, i);
            break;
        }
    }
}

/* ======================================================================
 * The table
 * ====================================================================== */

static gclab_obj *rcgen_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct rg_state *s = core_es(h);
    if (!obj_kind_is_container(kind))
        return core_alloc_object(h, bytes);
    int max;
    struct rg_freelist *fl = rg_freelist_for(s, kind, bytes, &max);
    if (fl && fl->head) {
        if (!core_within_limit(h, bytes))
            return NULL;
        gclab_obj *o = fl->head;
        fl->head = o->gc_next;
        fl->n--;
        memset(o, 0, bytes);
        return o;
    }
    gclab_obj *o = core_alloc_object(h, bytes);
    if (!o)
        return NULL;
    /* CPython 3.11: _PyObject_GC_Link — o exists but is in no generation
     * while this collection runs. */
    s->count[0]++;
    if (s->count[0] > s->threshold[0] && s->threshold[0] && core_gc_enabled(h) && !core_collecting(h))
        rcgen_collect_generations(h, s);
    return o;
}

static int64_t rcgen_collect(gclab_heap *h, int gen)
{
    return rcgen_collect_with_events(h, gen);
}

static int rcgen_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct rg_state *s = core_es(h);
    memcpy(out, s->count, sizeof s->count);
    return RG_NGENS;
}

static int rcgen_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct rg_state *s = core_es(h);
    memcpy(out, s->threshold, sizeof s->threshold);
    return RG_NGENS;
}

static gclab_status rcgen_set_threshold(gclab_heap *h, int n, const int64_t *v)
{
    struct rg_state *s = core_es(h);
    if (n < 1 || n > RG_NGENS)
        return heap_error(h, GCLAB_ETYPE, "set_threshold expected 1 to 3 arguments, got %d", n);
    for (int i = 0; i < n; i++)
        if (v[i] > INT32_MAX || v[i] < INT32_MIN)
            return heap_error(h, GCLAB_EOVERFLOW, "signed integer is greater than maximum");
    for (int i = 0; i < n; i++)
        s->threshold[i] = v[i];
    return GCLAB_OK;
}

static void rcgen_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    struct rg_state *s = core_es(h);
    for (int g = 0; g < RG_NGENS; g++) {
        if (gen != -1 && g != gen)
            continue;
        for (gclab_obj *o = s->gens[g].gc_next; o != &s->gens[g]; o = o->gc_next)
            fn(o, ctx);
    }
}

/* gc.freeze() moves everything to the permanent generation and zeroes
 * count[0]; gc.unfreeze() moves it all back into the oldest generation. */
static gclab_status rcgen_freeze(gclab_heap *h, int on)
{
    struct rg_state *s = core_es(h);
    if (on) {
        for (int g = 0; g < RG_NGENS; g++)
            rg_list_merge(&s->gens[g], &s->gens[RG_PERMANENT]);
        s->count[0] = 0;
    } else {
        rg_list_merge(&s->gens[RG_PERMANENT], &s->gens[RG_NGENS - 1]);
    }
    return GCLAB_OK;
}

/* _testinternalcapi.get_tracked_heap_size() (CPython 3.14's; 3.11 has
 * none): here, the containers in the generations. */
static int64_t rcgen_tracked_heap_size(gclab_heap *h)
{
    struct rg_state *s = core_es(h);
    return s->ntracked;
}

static int64_t rcgen_freeze_count(gclab_heap *h)
{
    struct rg_state *s = core_es(h);
    return rg_list_size(&s->gens[RG_PERMANENT]);
}

/* Every generation's list (one walk, no edge traced: the same at every
 * level; verify=2 adds rg_check_list between the phases): R1, R2, R4 and
 * the links. */
static int rcgen_verify(gclab_heap *h, int level)
{
    (void)level;
    struct rg_state *s = core_es(h);
    int64_t total = 0;
    for (int g = 0; g <= RG_PERMANENT; g++) {
        gclab_obj *l = &s->gens[g];
        for (gclab_obj *o = l->gc_next; o != l; o = o->gc_next) {
            const char *bad = NULL;
            if (o->gc_next->gc_prev != o)
                bad = "broken links";
            else if (!(o->gcflags & RG_TRACKED))
                bad = "in a list but not TRACKED (R1)";
            else if (o->gcflags & (RG_COLLECTING | RG_UNREACHABLE))
                bad = "collection flag left set (R4)";
            else if (o->refcnt <= 0)
                bad = "tracked with refcount 0 (R2)";
            else if (!obj_kind_is_container(o->kind))
                bad = "tracked object is not a container";
            if (bad) {
                fprintf(stderr, "rcgen verify: generation %d: object %p kind %d refcnt %ld flags %#x: %s\n",
                        g, (void *)o, o->kind, (long)o->refcnt, o->gcflags, bad);
                return -1;
            }
            total++;
        }
    }
    if (total != s->ntracked) {
        fprintf(stderr, "rcgen verify: %lld objects in lists, %lld tracked (R1)\n",
                (long long)total, (long long)s->ntracked);
        return -1;
    }
    return 0;
}

static gclab_status rcgen_init(gclab_heap *h)
{
    static const char *names[RG_NGENS] = { "threshold0", "threshold1", "threshold2" };
    struct rg_state *s = calloc(1, sizeof *s);
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    for (int g = 0; g <= RG_PERMANENT; g++)
        rg_list_init(&s->gens[g]);
    for (int g = 0; g < RG_NGENS; g++) {
        bool ok;
        double v = heap_param_double(h, names[g], &ok);
        if (!ok || v != (double)(int64_t)v || v > INT32_MAX) {
            free(s);
            return heap_error(h, GCLAB_EVALUE, "%s must be an integer from 0 to %d",
                              names[g], INT32_MAX);
        }
        s->threshold[g] = (int64_t)v;
    }
    core_set_es(h, s);
    return GCLAB_OK;
}

static void rcgen_fini(gclab_heap *h)
{
    free(core_es(h));   /* core's allocator releases every object and free-listed block */
    core_set_es(h, NULL);
}

static const struct gclab_param_spec rcgen_params[] = {
    GCLAB_PINT("threshold0", "700", 0, 2147483647, "container allocations (net of frees) before a generation-0 collection"),
    GCLAB_PINT("threshold1", "10", 0, 2147483647, "generation-0 collections before a generation-1 collection"),
    GCLAB_PINT("threshold2", "10", 0, 2147483647, "generation-1 collections before a full collection (long-lived rule permitting)"),
    GCLAB_PEND,
};

static const struct gclab_mutant *const rcgen_mutants[] = {
    &rg_mut_skip_decref, &rg_mut_skip_mark, &rg_mut_no_clear_wr, &rg_mut_fin_twice, &rg_mut_gen_slip,
    &rg_mut_cb_trash, &rg_mut_cb_skip, &rg_mut_free_resurrected, &rg_mut_untrack_tuple, &alloc_mut_size_class,
    NULL };

const struct gclab_engine gclab_engine_rcgen = {
    .name = "rcgen",
    .summary = "refcounting + CPython 3.11's generational cycle collector, count for count",
    .caps = { .refcounts = true, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = RG_NGENS, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .callback_kept = true, .freeze = true,
              .debug_saveall = true, .header_words = 6 },
    .params = rcgen_params,
    .mutants = rcgen_mutants,
    .init = rcgen_init,
    .fini = rcgen_fini,
    .alloc = rcgen_alloc,
    .track = rcgen_track,
    .release = rcgen_release,
    .dict_insert = rcgen_dict_insert,
    .collect = rcgen_collect,
    .get_count = rcgen_get_count,
    .get_threshold = rcgen_get_threshold,
    .set_threshold = rcgen_set_threshold,
    .foreach_tracked = rcgen_foreach_tracked,
    .freeze = rcgen_freeze,
    .freeze_count = rcgen_freeze_count,
    .tracked_heap_size = rcgen_tracked_heap_size,
    .verify = rcgen_verify,
};
