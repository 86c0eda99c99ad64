/* rcgen.c — reference counting plus CPython 3.11's generational cycle
 * collector (Modules/gcmodule.c), count for count.
 *
 * What it promises
 *   The refcount side is core/refcount.c's layer, as rc runs it (free at
 *   zero, __del__ first, no C recursion through the pending stack), with
 *   this engine's hooks: untrack at zero, re-track around __del__, free
 *   lists. On top, every container (tuple, list, class,
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
 *   DIFFERS: the free lists start empty; CPython's start-up and compiler
 *            leave some (4..16 lists, 47..63 dicts measured on 2..65-line
 *            scripts), so `gc.freeze(); x = []` counts 1 here, 0 there.
 *            After gc.collect() both free lists are empty.
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
 *   cyc_deduce_unreachable (core/cycles.c)    update_refs, subtract_refs,
 *                                             move_unreachable
 *   rcgen_untrack_tuples                      tuples holding only atomics
 *   promote survivors; long-lived bookkeeping (full: rcgen_untrack_dicts)
 *   rc_handle_weakrefs (core/refcount.c)      clear, call reachable callbacks
 *   rc_finalize_garbage (core/refcount.c)     __del__ once each
 *   cyc_handle_resurrected (core/cycles.c)    deduce again on the trash
 *   rc_delete_garbage (core/refcount.c)       tp_clear (or gc.garbage with
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

#include "cycles.h"
#include "refcount.h"

#define RG_TRACKED     0x01
#define RG_COLLECTING  CYC_COLLECTING    /* core/cycles.h's bits */
#define RG_UNREACHABLE CYC_UNREACHABLE
#define RG_FINALIZED   0x08

#define RG_NGENS 3
#define RG_PERMANENT 3          /* gc.freeze()'s generation */

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

struct rg_state {
    gclab_obj gens[RG_NGENS + 1];      /* sentinel heads; [3] is permanent */
    int64_t count[RG_NGENS], threshold[RG_NGENS];
    int64_t long_lived_total, long_lived_pending;
    int64_t ntracked;                  /* R1 */
    struct rc_layer rc;                /* freeing at zero (core/refcount.h); R5 */
    struct gcfl_set fl;                /* tuple, list and dict free lists */
};

/* ======================================================================
 * Tracking and the refcount side
 * ====================================================================== */

static bool rg_is_tracked(const gclab_obj *o) { return o->gcflags & RG_TRACKED; }

/* CPython 3.11: _PyObject_GC_TRACK — append to generation 0. */
static void rg_track_gen0(struct rg_state *s, gclab_obj *o)
{
    GCLAB_ASSERT(!rg_is_tracked(o));   /* R1 */
    gclist_append(o, &s->gens[0]);
    o->gcflags |= RG_TRACKED;
    s->ntracked++;
}

/* CPython 3.11: PyObject_GC_UnTrack — leave whatever list o is in. */
static void rg_untrack(struct rg_state *s, gclab_obj *o)
{
    if (!rg_is_tracked(o))
        return;
    gclist_unlink(o);
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

/* Give a dead object's memory back: to its free list if there is room
 * (no count change), else to the allocator (count[0] down for containers). */
static void rg_free_memory(gclab_heap *h, gclab_obj *o)
{
    struct rg_state *s = core_es(h);
    if (gcfl_park(&s->fl, o))
        return;
    bool container = obj_kind_is_container(o->kind);
    core_free_object_memory(h, o);
    if (container)
        rg_count_free(s);
}

/* CPython 3.11: clear_freelists (tuples, lists, dicts), full collections only. */
static void rcgen_clear_freelists(gclab_heap *h, struct rg_state *s)
{
    gclab_obj *o;
    while ((o = gcfl_pop_any(&s->fl)) != NULL) {
        core_free_object_memory(h, o);
        rg_count_free(s);
    }
}

/* The refcount layer's hooks: release() untracks before it queues an
 * object (R2); subtype_dealloc re-tracks around tp_finalize, so a
 * resurrected object is back in generation 0. */
static void rg_unlink(gclab_heap *h, gclab_obj *o) { rg_untrack(core_es(h), o); }
static void rg_relink(gclab_heap *h, gclab_obj *o) { rg_track_gen0(core_es(h), o); }

static const struct rc_ops rg_rc_ops = {
    .finalized = RG_FINALIZED,   /* R3 */
    .collecting = RG_COLLECTING,
    .unlink = rg_unlink,
    .relink = rg_relink,
    .free_memory = rg_free_memory,
    .skip_decref = &rg_mut_skip_decref,
    .no_clear_wr = &rg_mut_no_clear_wr,
    .fin_twice = &rg_mut_fin_twice,
    .gc_cb_trash = &rg_mut_cb_trash,
    .gc_cb_skip = &rg_mut_cb_skip,
};

static void rcgen_release(gclab_heap *h, gclab_obj *o)
{
    rc_release(h, &((struct rg_state *)core_es(h))->rc, o);   /* R5 */
}

/* ======================================================================
 * Finding the unreachable (CPython 3.11: deduce_unreachable is
 * core/cycles.c's cyc_deduce_unreachable), untracking
 * ====================================================================== */

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
 * lists until something trackable is stored in it again. Returns the number
 * of objects left on young: CPython's gc_list_size(young) after it, counted
 * in the same walk (a list walk is a cache miss per object). */
static int64_t rcgen_untrack_dicts(struct rg_state *s, gclab_obj *young)
{
    gclab_obj *next;
    int64_t left = 0;
    for (gclab_obj *o = young->gc_next; o != young; o = next) {
        next = o->gc_next;
        left++;
        if (o->kind != GCLAB_K_DICT)
            continue;
        obj_dict *d = AS(obj_dict, o);
        size_t i;
        for (i = 0; i < d->nentries; i++) {
            struct dict_entry *e = &d->entries[i];
            if (e->key && (rg_may_be_tracked(e->key) || (e->value && rg_may_be_tracked(e->value))))
                break;
        }
        if (i == d->nentries) {
            rg_untrack(s, o);
            left--;
        }
    }
    return left;
}

/* CPython 3.11: untrack_tuples — a tuple of atomics can never be in a cycle.
 * Returns the number of objects left on young, as rcgen_untrack_dicts. */
static int64_t rcgen_untrack_tuples(struct rg_state *s, gclab_obj *young)
{
    gclab_obj *next;
    int64_t left = 0;
    for (gclab_obj *o = young->gc_next; o != young; o = next) {
        next = o->gc_next;
        left++;
        if (o->kind != GCLAB_K_TUPLE)
            continue;
        obj_tuple *t = AS(obj_tuple, o);
        size_t i;
        for (i = 0; i < t->n; i++)
            if (!t->items[i] || (rg_may_be_tracked(t->items[i]) &&
                                 !(GCLAB_MUTANT(rg_mut_untrack_tuple) && t->items[i]->kind == GCLAB_K_LIST)))
                break;
        if (i == t->n) {
            rg_untrack(s, o);
            left--;
        }
    }
    return left;
}

/* ======================================================================
 * Weakrefs, finalizers, resurrection, clearing
 * ====================================================================== */

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
    bool was_draining = rc_drain_suspend(&s->rc);

    if (gen + 1 < RG_NGENS)
        s->count[gen + 1]++;
    for (int i = 0; i <= gen; i++)
        s->count[i] = 0;
    for (int i = 0; i < gen; i++)
        gclist_merge(&s->gens[i], &s->gens[gen]);
    gclab_obj *young = &s->gens[gen];
    gclab_obj *old = gen + 1 < RG_NGENS ? &s->gens[gen + 1] : young;

    rg_check_list(h, young, 0, "before update_refs");
    cyc_deduce_unreachable(young, &unreachable, &rg_mut_skip_mark);
    rg_check_list(h, young, 0, "after move_unreachable: young");
    rg_check_list(h, &unreachable, RG_COLLECTING | RG_UNREACHABLE, "after move_unreachable: unreachable");
    core_event_phase(h, GCLAB_EV_HEAP_TRACED, gen);
    int64_t survivors = rcgen_untrack_tuples(s, young);   /* gc_list_size(young) after it */
    if (young != old && !(GCLAB_MUTANT(rg_mut_gen_slip) && gen == 1)) {
        if (gen == RG_NGENS - 2)
            s->long_lived_pending += survivors;
        gclist_merge(young, old);
    } else {
        survivors = rcgen_untrack_dicts(s, young);
        s->long_lived_pending = 0;
        s->long_lived_total = survivors;
    }
    cyc_clear_unreachable(&unreachable);
    rg_check_list(h, old, 0, "survivors moved: old");
    rg_check_list(h, &unreachable, RG_COLLECTING, "survivors moved: unreachable");

    /* The garbage's PEP 442 steps are the refcount layer's (core/refcount.h). */
    m += rc_handle_weakrefs(h, &s->rc, &unreachable, old);
    rg_check_list(h, old, 0, "after handle_weakrefs: old");
    rg_check_list(h, &unreachable, RG_COLLECTING, "after handle_weakrefs: unreachable");
    core_event_phase(h, GCLAB_EV_WEAKREFS_DONE, gen);
    rc_finalize_garbage(h, &s->rc, &unreachable);
    core_event_phase(h, GCLAB_EV_FINALIZERS_DONE, gen);
    /* CPython 3.11: handle_resurrected_objects */
    cyc_handle_resurrected(&unreachable, &final_unreachable, old, &rg_mut_skip_mark, &rg_mut_free_resurrected);
    rg_check_list(h, old, 0, "after handle_resurrected: old");
    rg_check_list(h, &final_unreachable, RG_COLLECTING, "after handle_resurrected: final_unreachable");
    m += gclist_size(&final_unreachable);
    rc_delete_garbage(h, &s->rc, &final_unreachable, old);
    core_event_phase(h, GCLAB_EV_GARBAGE_FREED, gen);
    if (gen == RG_NGENS - 1)
        rcgen_clear_freelists(h, s);

    rc_drain_resume(&s->rc, was_draining);
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
    if (gcfl_has(&s->fl, kind, bytes))
        return gcfl_take(h, &s->fl, kind, bytes);   /* no count: not an allocation */
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

/* gc.is_tracked / gc.is_finalized: the TRACKED and FINALIZED bits (R3). */
static bool rcgen_is_tracked(gclab_heap *h, const gclab_obj *o) { (void)h; return rg_is_tracked(o); }
static bool rcgen_is_finalized(gclab_heap *h, const gclab_obj *o) { (void)h; return o->gcflags & RG_FINALIZED; }

/* gc.freeze() moves everything to the permanent generation and zeroes
 * count[0]; gc.unfreeze() moves it all back into the oldest generation. */
static gclab_status rcgen_freeze(gclab_heap *h, int on)
{
    struct rg_state *s = core_es(h);
    if (on) {
        for (int g = 0; g < RG_NGENS; g++)
            gclist_merge(&s->gens[g], &s->gens[RG_PERMANENT]);
        s->count[0] = 0;
    } else {
        gclist_merge(&s->gens[RG_PERMANENT], &s->gens[RG_NGENS - 1]);
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
    return gclist_size(&s->gens[RG_PERMANENT]);
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
        gclist_init(&s->gens[g]);
    rc_layer_init(&s->rc, &rg_rc_ops);
    gcfl_init(&s->fl);
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
    .is_tracked = rcgen_is_tracked,
    .is_finalized = rcgen_is_finalized,
    .freeze = rcgen_freeze,
    .freeze_count = rcgen_freeze_count,
    .tracked_heap_size = rcgen_tracked_heap_size,
    .verify = rcgen_verify,
};
