/* test_facts.c — every registered engine's facts (core/gclab.h, struct
 * gclab_engine_caps) are declared and kept: the facts read through the
 * mutator API agree with the engine table; gc.freeze() and
 * gc.set_debug(DEBUG_SAVEALL) work exactly where the facts say, and are a
 * GCLAB_EUNSUPPORTED error with a message elsewhere; `frees` never/prompt is
 * what a dropped object's fate shows; the weakref-callback rule and
 * callback_kept are what callbacks see. Expectations come from the facts
 * only, so an engine added later is covered as declared. */
#include "engine.h"
#include "t.h"
#include "engine_t.h"

static const struct gclab_engine *eng(int i) { return gclab_engine_at(i); }

static __attribute__((noinline)) gclab_status collect_all(gclab_heap *h)
{
    int64_t found;
    t_scrub_stack();
    return gclab_gc_collect(h, 2, &found);
}

/* The facts are declared (not left at their zero values by an engine that
 * predates them) and agree with each other and with the engine's table. */
static void test_facts_are_declared_and_consistent(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        const struct gclab_engine_caps *f = gclab_engine_facts(e->name);
        printf("engine %s\n", e->name);
        T_CHECK(t, f == &e->caps);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        T_CHECK(t, gclab_heap_facts(h) == f);
        T_EQ(t, gclab_has_refcounts(h), f->refcounts);
        T_EQ(t, gclab_collects_cycles(h), f->collects_cycles);
        T_EQ(t, gclab_is_precise(h), f->precise);
        T_EQ(t, gclab_generations(h), f->generations);
        gclab_heap_free(h);
        /* nothing is freed exactly when nothing frees */
        T_EQ(t, f->frees == GCLAB_FREES_NEVER, !f->refcounts && !f->collects_cycles);
        T_EQ(t, f->weakref_callbacks == GCLAB_WRCB_NONE, f->frees == GCLAB_FREES_NEVER);
        T_CHECK(t, f->generations >= 1 && f->generations <= GCLAB_MAX_GENS);
        T_CHECK(t, f->header_words >= 2 && f->header_words <= 6);
        T_CHECK(t, f->header_words >= 2 + f->refcounts);
        T_EQ(t, f->freeze, e->freeze != NULL);
        T_CHECK(t, !f->callback_kept || f->collects_cycles);
    }
    T_CHECK(t, gclab_engine_facts("no-such-engine") == NULL);
    T_STREQ(t, gclab_frees_name(GCLAB_FREES_LATE), "late");
    T_STREQ(t, gclab_weakref_callbacks_name(GCLAB_WRCB_CPYTHON), "cpython");
}

/* gc.freeze()/unfreeze() where facts.freeze; elsewhere a clear error. */
static void test_freeze_works_or_is_unsupported(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
        int64_t n = -1;
        if (e->caps.freeze) {
            T_EQ(t, gclab_gc_freeze(h), GCLAB_OK);
            T_EQ(t, gclab_gc_get_freeze_count(h, &n), GCLAB_OK);
            T_CHECK(t, n >= 1);
            T_EQ(t, gclab_gc_unfreeze(h), GCLAB_OK);
            T_EQ(t, gclab_gc_get_freeze_count(h, &n), GCLAB_OK);
            T_EQ(t, n, 0);
        } else {
            char want[160];
            T_EQ(t, gclab_gc_freeze(h), GCLAB_EUNSUPPORTED);
            snprintf(want, sizeof want, "gc.freeze(): engine %s has no permanent generation", e->name);
            T_STREQ(t, gclab_error(h), want);
            T_EQ(t, gclab_gc_unfreeze(h), GCLAB_EUNSUPPORTED);
            snprintf(want, sizeof want, "gc.unfreeze(): engine %s has no permanent generation", e->name);
            T_STREQ(t, gclab_error(h), want);
            T_EQ(t, gclab_gc_get_freeze_count(h, &n), GCLAB_OK);
            T_EQ(t, n, 0);
        }
        gclab_heap_free(h);
    }
}

/* A dropped self-referencing instance (with its class) in a deeper C frame. */
static __attribute__((noinline)) gclab_status drop_self_cycle(gclab_heap *h)
{
    gclab_status st = gclab_frame_push(h, 2);
    if (!st)
        st = gclab_class_new(h, 0, "C", -1, -1);
    if (!st)
        st = gclab_instance_new(h, 1, 0);
    if (!st)
        st = gclab_attr_set(h, 1, gclab_intern(h, "x"), 1);
    if (!st)
        st = gclab_frame_pop(h);
    return st;
}

/* DEBUG_SAVEALL where facts.debug_saveall: the dropped cycle (instance and
 * class) is kept in gc.garbage; elsewhere a clear error, flags unchanged. */
static void test_debug_saveall_works_or_is_unsupported(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        T_EQ(t, gclab_gc_set_debug(h, GCLAB_DEBUG_STATS), GCLAB_OK);   /* other flags: everywhere */
        if (e->caps.debug_saveall) {
            T_EQ(t, gclab_gc_set_debug(h, GCLAB_DEBUG_SAVEALL), GCLAB_OK);
            T_EQ(t, collect_all(h), GCLAB_OK);
            T_EQ(t, drop_self_cycle(h), GCLAB_OK);
            T_EQ(t, collect_all(h), GCLAB_OK);
            T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
            T_EQ(t, gclab_gc_garbage(h, 0), GCLAB_OK);
            int64_t n = -1;
            T_EQ(t, gclab_len(h, 0, &n), GCLAB_OK);
            T_EQ(t, n, 2);
        } else {
            char want[160];
            T_EQ(t, gclab_gc_set_debug(h, GCLAB_DEBUG_SAVEALL), GCLAB_EUNSUPPORTED);
            snprintf(want, sizeof want, "gc.set_debug(DEBUG_SAVEALL): engine %s does not keep "
                     "unreachable objects in gc.garbage", e->name);
            T_STREQ(t, gclab_error(h), want);
            T_EQ(t, core_debug_flags(h), GCLAB_DEBUG_STATS);
        }
        gclab_heap_free(h);
    }
}

/* frees=never: a dropped object stays; prompt: a dropped acyclic object is
 * freed by the time gc.collect() returns (at once with refcounts). */
static void test_frees_fact_matches_a_dropped_object(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
        uint64_t freed = t_stats(h).freed;
        T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
        if (e->caps.refcounts)
            T_EQ(t, t_stats(h).freed, freed + 1);
        T_EQ(t, collect_all(h), GCLAB_OK);
        if (e->caps.frees == GCLAB_FREES_NEVER)
            T_EQ(t, t_stats(h).freed, 0);
        else if (e->caps.frees == GCLAB_FREES_PROMPT)
            T_EQ(t, t_stats(h).freed, freed + 1);
        gclab_heap_free(h);
    }
}

/* The weakref callback: runs counted, and what it saw of its own callback. */
static int cb_runs, cb_saw_callback;
static gclab_status cb_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx, (void)code;
    cb_runs++;
    cb_saw_callback += gclab_weakref_has_callback(h, 0);   /* slot 0: the weakref */
    return GCLAB_OK;
}

/* A weakref kept in slot 2 to an instance in a dropped self-cycle (or, on an
 * engine without a cycle collector, to a dropped acyclic instance). */
static __attribute__((noinline)) gclab_status weakref_to_dying(gclab_heap *h, bool cyclic)
{
    gclab_status st = gclab_func_new(h, 3, "cb", cb_fn, NULL, 0, 1, 1);
    if (!st)
        st = gclab_class_new(h, 0, "C", -1, -1);
    if (!st)
        st = gclab_instance_new(h, 1, 0);
    if (!st && cyclic)
        st = gclab_attr_set(h, 1, gclab_intern(h, "x"), 1);
    if (!st)
        st = gclab_weakref_new(h, 2, 1, 3);
    if (!st)
        st = gclab_clear(h, 0);
    if (!st)
        st = gclab_clear(h, 1);
    return st;
}

/* weakref_callbacks=cpython, a reachable weakref: its callback runs exactly
 * once when the target dies (by refcount or in a full collection), and sees
 * its own callback still held exactly when callback_kept and the collector
 * cleared it. */
static void test_reachable_weakref_callback_runs_once(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        if (e->caps.weakref_callbacks != GCLAB_WRCB_CPYTHON || !e->caps.precise)
            continue;
        printf("engine %s\n", e->name);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
        cb_runs = cb_saw_callback = 0;
        bool cyclic = e->caps.collects_cycles;
        T_EQ(t, weakref_to_dying(h, cyclic), GCLAB_OK);
        T_EQ(t, collect_all(h), GCLAB_OK);
        T_EQ(t, collect_all(h), GCLAB_OK);
        T_EQ(t, cb_runs, 1);
        T_EQ(t, cb_saw_callback, cyclic && e->caps.callback_kept);
        T_EQ(t, gclab_weakref_get(h, 0, 2), GCLAB_OK);
        T_EQ(t, gclab_kind_of(h, 0), GCLAB_K_NONE);
        gclab_heap_free(h);
    }
}

/* An instance in a self-cycle holding the only reference to a weakref to
 * itself, with a callback; all dropped, in a deeper C frame. */
static __attribute__((noinline)) gclab_status cycle_with_own_weakref(gclab_heap *h)
{
    gclab_status st = gclab_frame_push(h, 4);
    if (!st)
        st = gclab_func_new(h, 3, "cb", cb_fn, NULL, 0, 1, 1);
    if (!st)
        st = gclab_class_new(h, 0, "C", -1, -1);
    if (!st)
        st = gclab_instance_new(h, 1, 0);
    if (!st)
        st = gclab_attr_set(h, 1, gclab_intern(h, "x"), 1);
    if (!st)
        st = gclab_weakref_new(h, 2, 1, 3);
    if (!st)
        st = gclab_attr_set(h, 1, gclab_intern(h, "w"), 2);
    if (!st)
        st = gclab_frame_pop(h);
    return st;
}

/* weakref_callbacks=cpython on a precise cycle collector: a weakref that is
 * garbage in the same collection as its target never calls back. */
static void test_garbage_weakref_callback_never_runs(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        if (e->caps.weakref_callbacks != GCLAB_WRCB_CPYTHON || !e->caps.precise ||
            !e->caps.collects_cycles)
            continue;
        printf("engine %s\n", e->name);
        gclab_heap *h = t_heap(e->name, 0, NULL, 0);
        T_CHECK(t, h);
        uint64_t live = t_stats(h).live_objects;
        cb_runs = 0;
        T_EQ(t, cycle_with_own_weakref(h), GCLAB_OK);
        T_EQ(t, collect_all(h), GCLAB_OK);
        T_EQ(t, collect_all(h), GCLAB_OK);
        T_EQ(t, cb_runs, 0);
        T_EQ(t, t_stats(h).live_objects, live);
        gclab_heap_free(h);
    }
}

int main(void)
{
    T_RUN(test_facts_are_declared_and_consistent);
    T_RUN(test_freeze_works_or_is_unsupported);
    T_RUN(test_debug_saveall_works_or_is_unsupported);
    T_RUN(test_frees_fact_matches_a_dropped_object);
    T_RUN(test_reachable_weakref_callback_runs_once);
    T_RUN(test_garbage_weakref_callback_never_runs);
    return t_done();
}
