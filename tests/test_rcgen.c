/* test_rcgen.c — the rcgen engine against the semantics of CPython 3.11's
 * Lib/test/test_gc.py (the parts gclab's object model has): cycles of each
 * container kind collected with exact counts, PEP 442 finalizers and
 * resurrection, weakref callbacks in cyclic trash, the gc module's counts,
 * thresholds, enable/disable, freeze, get_objects, DEBUG_SAVEALL and
 * gc.callbacks; rings dropped under rcgen and rc; and deep structures freed
 * and collected without C recursion. Expected values were checked against
 * `python3 -S` (3.11) where CPython shows the same thing. */
#include <stdlib.h>

#include "t.h"
#include "engine_t.h"

#define NSLOTS 32

static gclab_heap *rcgen_heap(void) { return t_heap("rcgen", 0, NULL, NSLOTS); }

/* ---- native functions used as __del__ and callbacks ------------------ */

struct cb_log {
    int n;
    char phase[8][8];
    int64_t gen[8], collected[8], uncollectable[8];
};

static int64_t info_get(gclab_heap *h, const char *key)
{
    int64_t v = -1;
    if (gclab_str_intern(h, 2, key) == GCLAB_OK && gclab_dict_get(h, 3, 1, 2) == GCLAB_OK)
        gclab_int_value(h, 3, &v);
    return v;
}

/* gc.callbacks entry: records (phase, info) for each call. */
static gclab_status fn_gc_callback(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    struct cb_log *log = ctx;
    const char *s;
    size_t n;
    if (log->n >= 8 || gclab_str_value(h, 0, &s, &n) != GCLAB_OK)
        return GCLAB_OK;
    snprintf(log->phase[log->n], sizeof log->phase[0], "%.*s", (int)n, s);
    log->gen[log->n] = info_get(h, "generation");
    log->collected[log->n] = info_get(h, "collected");
    log->uncollectable[log->n] = info_get(h, "uncollectable");
    log->n++;
    return GCLAB_OK;
}

/* ---- cycles of each kind -------------------------------------------- */

/* l = []; l.append(l); del l: one full collection finds exactly 1 object. */
static void test_list_self_cycle_is_collected_as_one_object(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, t_live(h), base + 1);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, t_live(h), base);
    T_EQ(t, t_collect(h, 2), 0);
    gclab_heap_free(h);
}

/* d = {}; d[1] = d; del d: t_collect() == 1. */
static void test_dict_self_cycle_is_collected_as_one_object(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_dict_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_dict_set(h, 0, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* a = []; t = (a,); a.append(t); del t, a: t_collect() == 2 (test_gc.test_tuple). */
static void test_tuple_list_cycle_is_collected_as_two_objects(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    int src = 0;
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_tuple_new(h, 1, 1, &src), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* class A: pass; a = A(); a.a = a; del a: t_collect() == 1 (the class lives on). */
static void test_instance_self_cycle_is_collected_as_one_object(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "A", -1, -1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 1, gclab_intern(h, "a"), 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* An empty tuple is the immortal singleton: `()` allocates nothing and
 * moves no count. */
static void test_empty_tuple_is_a_singleton_that_counts_nothing(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_tuple_new(h, 0, 0, NULL), GCLAB_OK);
    T_EQ(t, gclab_tuple_new(h, 1, 0, NULL), GCLAB_OK);
    bool same = false;
    T_EQ(t, gclab_is(h, 0, 1, &same), GCLAB_OK);
    T_CHECK(t, same);
    T_EQ(t, t_live(h), base);
    T_EQ(t, t_count(h, 0), 0);
    gclab_heap_free(h);
}

static int64_t n_tracked(gclab_heap *h)
{
    int64_t n = -1;
    if (gclab_gc_get_objects(h, NSLOTS - 1, -1) == GCLAB_OK)
        n = t_len(h, NSLOTS - 1);
    gclab_clear(h, NSLOTS - 1);
    return n;
}

/* As in CPython 3.11: a dict is untracked until it holds a possible
 * container, stays tracked when that is deleted, and a full collection
 * (not a younger one) untracks it again. */
static void test_dict_is_tracked_only_while_it_may_hold_a_container(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t n0 = n_tracked(h);
    T_EQ(t, gclab_dict_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_str_intern(h, 1, "a"), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_dict_set(h, 0, 1, 2), GCLAB_OK);
    T_EQ(t, n_tracked(h), n0);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_str_intern(h, 4, "l"), GCLAB_OK);
    T_EQ(t, gclab_dict_set(h, 0, 4, 3), GCLAB_OK);
    T_EQ(t, n_tracked(h), n0 + 2);
    T_EQ(t, gclab_dict_del(h, 0, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, n_tracked(h), n0 + 1);
    T_EQ(t, t_collect(h, 1), 0);
    T_EQ(t, n_tracked(h), n0 + 1);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, n_tracked(h), n0);
    gclab_heap_free(h);
}

/* l = [{"a": 1}]; l.append(l); del l: t_collect() == 1 — the dict of
 * atomics is freed by refcounting, never found (CPython 3.11: 1). */
static void test_untracked_dict_in_trash_is_not_counted(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_dict_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_str_intern(h, 1, "a"), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_dict_set(h, 0, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 3, 0), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 3, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- finalizers (PEP 442) ------------------------------------------- */

/* Two instances with __del__ in a dropped cycle: one full collection runs
 * each __del__ exactly once and frees both; a second finds nothing. */
static void test_finalizers_in_a_cycle_run_once_and_objects_are_freed(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_count, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    gclab_name a = gclab_intern(h, "a"), b = gclab_intern(h, "b");
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 3, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, b, 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 3, a, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, runs, 0);
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, runs, 2);
    T_EQ(t, t_live(h), base);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, runs, 2);
    gclab_heap_free(h);
}

/* A __del__ that stores self in a global resurrects its cycle: t_collect()
 * finds 0 (CPython 3.11 prints 0 too), the object lives; once dropped
 * again it is collected (1) without __del__ running a second time. */
static void test_resurrected_object_survives_and_is_not_finalized_again(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_resurrect, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "c"), 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base + 1);
    T_EQ(t, gclab_global_get(h, 3, gclab_intern(h, "saved")), GCLAB_OK);
    T_STREQ(t, gclab_type_name(h, 3), "C");
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, t_live(h), base + 1);   /* still its own cycle */
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A resurrecting __del__ run by refcounting (no cycle) runs once too: the
 * object survives in generation 0 and a later drop frees it silently. */
static void test_refcount_death_resurrection_runs_del_once(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_resurrect, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base + 1);
    T_EQ(t, gclab_gc_get_objects(h, 3, 0), GCLAB_OK);
    /* back in generation 0, as subtype_dealloc leaves it, beside the
     * globals dict (tracked since it holds an instance) */
    T_EQ(t, t_len(h, 3), 2);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- weakrefs in cyclic trash --------------------------------------- */

/* A reachable weakref with a callback to a dropped cycle: the callback runs
 * once during the collection and the weakref then returns None. */
static void test_reachable_weakref_callback_runs_for_cyclic_trash(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_count, &calls, 0, 1, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, calls, 1);
    T_EQ(t, gclab_weakref_get(h, 4, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 4), GCLAB_K_NONE);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, calls, 1);
    gclab_heap_free(h);
}

/* A weakref that is itself part of the trash never calls its callback; the
 * object, the weakref and the callback (held only by the weakref) are all
 * found: 3, as CPython 3.11 reports. */
static void test_weakref_in_the_trash_does_not_call_its_callback(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_count, &calls, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "w"), 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 3);
    T_EQ(t, calls, 0);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A reachable weakref whose callback drops the last reference to it is
 * freed during the collection and counted: t_collect() == 2 (CPython: 2). */
static void test_weakref_freed_by_its_own_callback_is_counted(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_pop_L, &calls, 0, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, gclab_global_set(h, gclab_intern(h, "L"), 5), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 5, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, calls, 1);
    T_EQ(t, t_len(h, 5), 0);
    gclab_heap_free(h);
}

/* ---- counts, thresholds, enable/disable ----------------------------- */

/* count[0] rises with container allocations only, is untouched by free-list
 * reuse and parking, falls when a container is really freed, and a
 * generation-0 collection gives (0, 1, 0). */
static void test_get_count_follows_container_allocations_and_free_lists(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t c[GCLAB_MAX_GENS];
    T_EQ(t, gclab_gc_get_count(h, c), 3);
    T_EQ(t, c[0] + c[1] + c[2], 0);
    for (int i = 0; i < 3; i++)
        T_EQ(t, gclab_list_new(h, i), GCLAB_OK);
    T_EQ(t, gclab_dict_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 4, 100000), GCLAB_OK);   /* not a container */
    T_EQ(t, t_count(h, 0), 4);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);             /* to the list free list */
    T_EQ(t, t_count(h, 0), 4);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);          /* from it */
    T_EQ(t, t_count(h, 0), 4);
    int src = 4;
    T_EQ(t, gclab_tuple_new(h, 5, 1, &src), GCLAB_OK);
    T_EQ(t, t_count(h, 0), 5);
    T_EQ(t, gclab_clear(h, 5), GCLAB_OK);             /* to the 1-tuple free list */
    T_EQ(t, t_count(h, 0), 5);
    T_EQ(t, gclab_class_new(h, 6, "K", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 7, 6), GCLAB_OK);
    T_EQ(t, t_count(h, 0), 7);
    T_EQ(t, gclab_clear(h, 7), GCLAB_OK);             /* instances have no free list */
    T_EQ(t, t_count(h, 0), 6);
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, gclab_gc_get_count(h, c), 3);
    T_EQ(t, c[0], 0);
    T_EQ(t, c[1], 1);
    T_EQ(t, c[2], 0);
    gclab_heap_free(h);
}

/* gc.set_threshold(5) at run time: the 6th container allocation collects
 * generation 0, and that 6th object is not part of it (it is tracked after). */
static void test_threshold_changed_at_run_time_triggers_on_the_next_allocation(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    int64_t th[GCLAB_MAX_GENS];
    T_EQ(t, gclab_gc_get_threshold(h, th), 3);
    T_EQ(t, th[0], 700);
    T_EQ(t, th[1], 10);
    T_EQ(t, th[2], 10);
    int64_t five = 5;
    T_EQ(t, gclab_gc_set_threshold(h, 1, &five), GCLAB_OK);
    T_EQ(t, gclab_gc_get_threshold(h, th), 3);
    T_EQ(t, th[0], 5);
    T_EQ(t, th[1], 10);
    T_EQ(t, th[2], 10);
    T_EQ(t, t_collect(h, 2), 0);
    for (int i = 0; i < 5; i++)
        T_EQ(t, gclab_list_new(h, i), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 0);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 1);
    T_EQ(t, gclab_gc_get_objects(h, 6, 0), GCLAB_OK);
    T_EQ(t, t_len(h, 6), 1);     /* only the 6th list */
    T_EQ(t, gclab_gc_get_objects(h, 7, 1), GCLAB_OK);
    T_EQ(t, t_len(h, 7), 5);     /* the first five were promoted */
    int64_t four[4] = { 1, 2, 3, 4 };
    T_EQ(t, gclab_gc_set_threshold(h, 4, four), GCLAB_ETYPE);
    gclab_heap_free(h);
}

/* gc.disable() stops automatic collections but not gc.t_collect(); after
 * gc.enable() the trigger works again. */
static void test_disable_stops_automatic_collection_but_not_collect(struct t *t)
{
    struct gclab_kv kv[] = { { "threshold0", "5" } };
    gclab_heap *h = t_heap("rcgen", 1, kv, NSLOTS);
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    gclab_gc_disable(h);
    T_CHECK(t, !gclab_gc_isenabled(h));
    for (int i = 0; i < 20; i++)
        T_EQ(t, gclab_list_new(h, i), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 0);
    T_EQ(t, t_count(h, 0), 20);
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, t_collections(h, 0), 1);
    gclab_gc_enable(h);
    for (int i = 20; i < 26; i++)
        T_EQ(t, gclab_list_new(h, i), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 2);
    gclab_heap_free(h);
}

/* Bad thresholds on the command line are refused with a message. */
static void test_fractional_threshold_is_refused(struct t *t)
{
    char err[256];
    struct gclab_kv kv[] = { { "threshold0", "1.5" } };
    struct gclab_config cfg = { 0 };
    cfg.nparams = 1;
    cfg.params = kv;
    gclab_heap *h = gclab_heap_new("rcgen", &cfg, err, sizeof err);
    T_CHECK(t, h == NULL);
    T_STREQ(t, err, "parameter threshold0=1.5: not an integer (threshold0 takes an integer in 0..2147483647)");
}

/* ---- freeze, get_objects, DEBUG_SAVEALL, callbacks ------------------ */

/* gc.freeze() moves every tracked object to the permanent generation (a
 * dropped cycle there is not collected) and zeroes count[0]; unfreeze puts
 * them all in generation 2, where the cycle is then found. */
static void test_freeze_hides_objects_until_unfreeze(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_gc_get_objects(h, 1, -1), GCLAB_OK);
    int64_t n = t_len(h, 1), frozen;
    T_CHECK(t, n >= 1);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_gc_freeze(h), GCLAB_OK);
    T_EQ(t, gclab_gc_get_freeze_count(h, &frozen), GCLAB_OK);
    T_EQ(t, frozen, n);
    T_EQ(t, t_count(h, 0), 0);
    T_EQ(t, gclab_gc_get_objects(h, 1, -1), GCLAB_OK);
    T_EQ(t, t_len(h, 1), 0);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_gc_unfreeze(h), GCLAB_OK);
    T_EQ(t, gclab_gc_get_freeze_count(h, &frozen), GCLAB_OK);
    T_EQ(t, frozen, 0);
    T_EQ(t, gclab_gc_get_objects(h, 1, 2), GCLAB_OK);
    T_EQ(t, t_len(h, 1), n);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);   /* it holds the cycle too */
    T_EQ(t, t_collect(h, 2), 1);
    gclab_heap_free(h);
}

/* get_objects(g) lists generation g: new objects in 0, promoted to 1 by a
 * generation-0 collection; the result list never lists itself; an empty
 * dict is untracked, as in CPython. */
static void test_get_objects_lists_each_generation(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_dict_new(h, 1), GCLAB_OK);
    T_EQ(t, gclab_gc_get_objects(h, 2, 0), GCLAB_OK);
    T_EQ(t, t_len(h, 2), 1);   /* the empty dict is not tracked */
    bool same = false;
    T_EQ(t, gclab_list_get(h, 3, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_is(h, 3, 0, &same), GCLAB_OK);
    T_CHECK(t, same);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, gclab_gc_get_objects(h, 4, 0), GCLAB_OK);
    T_EQ(t, t_len(h, 4), 0);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, gclab_gc_get_objects(h, 4, 1), GCLAB_OK);
    T_EQ(t, t_len(h, 4), 2);   /* the list and the first result */
    gclab_heap_free(h);
}

/* With DEBUG_SAVEALL the trash is kept in gc.garbage instead of freed;
 * once removed from there it is found again. */
static void test_debug_saveall_keeps_trash_in_gc_garbage(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    gclab_gc_set_debug(h, GCLAB_DEBUG_SAVEALL);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, gclab_gc_garbage(h, 1), GCLAB_OK);
    T_EQ(t, t_len(h, 1), 1);
    T_EQ(t, gclab_list_get(h, 2, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_list_get(h, 3, 2, 0), GCLAB_OK);
    bool same = false;
    T_EQ(t, gclab_is(h, 2, 3, &same), GCLAB_OK);
    T_CHECK(t, same);   /* still the intact self-cycle */
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    gclab_gc_set_debug(h, 0);
    T_EQ(t, gclab_list_del(h, 1, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, t_len(h, 1), 0);
    gclab_heap_free(h);
}

/* gc.callbacks get ("start", {generation, collected 0, uncollectable 0})
 * and ("stop", {generation, collected, uncollectable}) around a collection. */
static void test_gc_callbacks_see_start_and_stop_info(struct t *t)
{
    struct cb_log log = { 0 };
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "cb", fn_gc_callback, &log, 0, 2, 4), GCLAB_OK);
    T_EQ(t, gclab_gc_callbacks(h, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 1, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 0);
    log.n = 0;
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 2, 3), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 3, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 1), 2);
    T_EQ(t, log.n, 2);
    T_STREQ(t, log.phase[0], "start");
    T_EQ(t, log.gen[0], 1);
    T_EQ(t, log.collected[0], 0);
    T_EQ(t, log.uncollectable[0], 0);
    T_STREQ(t, log.phase[1], "stop");
    T_EQ(t, log.gen[1], 1);
    T_EQ(t, log.collected[1], 2);
    T_EQ(t, log.uncollectable[1], 0);
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_get_stats(h, s);
    T_EQ(t, s[1].collections, 1);
    T_EQ(t, s[1].collected, 2);
    size_t np;
    gclab_pauses(h, &np);
    T_EQ(t, np, 2);   /* both collections are in the pause log */
    gclab_heap_free(h);
}

/* ---- rings under rcgen and rc --------------------------------------- */

static int64_t rings_left(struct t *t, const char *engine)
{
    gclab_heap *h = t_heap(engine, 0, NULL, NSLOTS);
    if (!h) {
        t_fail(t, __FILE__, __LINE__, "no heap");
        return -1;
    }
    if (t_make_ring(h, 2) != GCLAB_OK || t_make_ring(h, 21) != GCLAB_OK) {
        gclab_heap_free(h);
        t_fail(t, __FILE__, __LINE__, "t_make_ring failed");
        return -1;
    }
    gclab_heap_drop_roots(h);
    t_collect(h, 2);
    int64_t n = t_live(h);
    gclab_heap_free(h);
    return n;
}

/* 2- and 21-node rings dropped: rcgen leaks nothing, rc exactly the 23 nodes. */
static void test_dropped_rings_leak_nothing_under_rcgen_and_their_nodes_under_rc(struct t *t)
{
    T_EQ(t, rings_left(t, "rcgen"), 0);
    T_EQ(t, rings_left(t, "rc"), 23);
}

/* ---- depth without C recursion -------------------------------------- */

/* A 10-million-deep chain of 1-tuples is freed by refcounting when its
 * head is dropped (the pending stack, not the C stack). */
static void test_ten_million_deep_chain_is_freed_without_recursion(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    int src = 0;
    T_EQ(t, gclab_tuple_new(h, 0, 0, NULL), GCLAB_OK);
    for (int i = 0; i < 10000000; i++)
        if (gclab_tuple_new(h, 0, 1, &src) != GCLAB_OK)
            T_CHECK(t, !"tuple_new failed");
    T_EQ(t, t_live(h), base + 10000000);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A 1-million-node ring of lists is found by one full collection. */
static void test_million_node_ring_is_collected_without_recursion(struct t *t)
{
    gclab_heap *h = rcgen_heap();
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    int64_t base = t_live(h);
    T_EQ(t, t_make_ring(h, 1000000), GCLAB_OK);
    T_EQ(t, t_live(h), base + 1000000);
    T_EQ(t, t_collect(h, 2), 1000000);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- randomized stress ---------------------------------------------- */

/* Random graphs of lists, dicts, tuples and instances with __del__ and
 * weakrefs with callbacks, under a tiny threshold with the heap verified
 * after every collection: nothing crashes, every __del__ runs exactly once
 * by the end, and after the roots are dropped one full collection leaves
 * nothing. */
static void test_random_graphs_finalize_each_object_once_and_leave_nothing(struct t *t)
{
    struct gclab_kv kv[] = { { "threshold0", "5" }, { "threshold1", "3" },
                             { "threshold2", "2" }, { "verify", "2" } };
    t_stress_graphs(t, "rcgen", 4, kv, 2);
}

/* ---- regressions found by the stress test --------------------------- */

/* L = [wr, T] with wr a weakref to T with a callback, dropped: the release
 * cascade queues wr (count 0) before T dies, so T's death must not call
 * back with (and revive, and queue twice) the dead wr. Holds on rc and
 * rcgen; nothing is left and the callback does not run. */
static void test_weakref_dying_with_its_referent_is_not_called_back(struct t *t)
{
    static const char *engines[] = { "rc", "rcgen" };
    for (int e = 0; e < 2; e++) {
        int calls = 0;
        gclab_heap *h = t_heap(engines[e], 0, NULL, NSLOTS);
        T_CHECK(t, h);
        T_EQ(t, gclab_class_new(h, 0, "T", -1, -1), GCLAB_OK);
        T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_count, &calls, 0, 1, 1), GCLAB_OK);
        int64_t base = t_live(h);
        T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
        T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 4), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 4, 3), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 4, 2), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
        T_EQ(t, calls, 0);
        T_EQ(t, t_live(h), base);
        gclab_heap_free(h);
    }
}

/* A __del__ that reads a global while gclab_heap_drop_roots tears the
 * globals down gets NameError instead of a fresh globals dict that would
 * outlive the drop (it showed as one leaked dict). */
static void test_finalizer_during_drop_roots_does_not_recreate_globals(struct t *t)
{
    static const char *engines[] = { "rc", "rcgen" };
    for (int e = 0; e < 2; e++) {
        struct t_stress *s = calloc(1, sizeof *s);
        T_CHECK(t, s);
        gclab_heap *h = t_heap(engines[e], 0, NULL, NSLOTS);
        T_CHECK(t, h);
        T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_stress_del, s, 0, 1, 3), GCLAB_OK);
        T_EQ(t, gclab_class_new(h, 1, "S", -1, 0), GCLAB_OK);
        T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
        T_EQ(t, gclab_int_new(h, 3, 3), GCLAB_OK);   /* id 3: resurrects into R if it can */
        T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "id"), 3), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 4), GCLAB_OK);
        T_EQ(t, gclab_global_set(h, gclab_intern(h, "R"), 4), GCLAB_OK);
        T_EQ(t, gclab_global_set(h, gclab_intern(h, "obj"), 2), GCLAB_OK);
        gclab_heap_drop_roots(h);
        int64_t found;
        T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
        T_EQ(t, s->runs[3], 1);
        T_EQ(t, t_live(h), 0);
        T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
        T_EQ(t, gclab_global_get(h, 0, gclab_intern(h, "R")), GCLAB_ENAME);
        gclab_heap_free(h);
        free(s);
    }
}

int main(void)
{
    T_RUN(test_list_self_cycle_is_collected_as_one_object);
    T_RUN(test_dict_self_cycle_is_collected_as_one_object);
    T_RUN(test_tuple_list_cycle_is_collected_as_two_objects);
    T_RUN(test_instance_self_cycle_is_collected_as_one_object);
    T_RUN(test_empty_tuple_is_a_singleton_that_counts_nothing);
    T_RUN(test_dict_is_tracked_only_while_it_may_hold_a_container);
    T_RUN(test_untracked_dict_in_trash_is_not_counted);
    T_RUN(test_finalizers_in_a_cycle_run_once_and_objects_are_freed);
    T_RUN(test_resurrected_object_survives_and_is_not_finalized_again);
    T_RUN(test_refcount_death_resurrection_runs_del_once);
    T_RUN(test_reachable_weakref_callback_runs_for_cyclic_trash);
    T_RUN(test_weakref_in_the_trash_does_not_call_its_callback);
    T_RUN(test_weakref_freed_by_its_own_callback_is_counted);
    T_RUN(test_get_count_follows_container_allocations_and_free_lists);
    T_RUN(test_threshold_changed_at_run_time_triggers_on_the_next_allocation);
    T_RUN(test_disable_stops_automatic_collection_but_not_collect);
    T_RUN(test_fractional_threshold_is_refused);
    T_RUN(test_freeze_hides_objects_until_unfreeze);
    T_RUN(test_get_objects_lists_each_generation);
    T_RUN(test_debug_saveall_keeps_trash_in_gc_garbage);
    T_RUN(test_gc_callbacks_see_start_and_stop_info);
    T_RUN(test_dropped_rings_leak_nothing_under_rcgen_and_their_nodes_under_rc);
    T_RUN(test_ten_million_deep_chain_is_freed_without_recursion);
    T_RUN(test_million_node_ring_is_collected_without_recursion);
    T_RUN(test_random_graphs_finalize_each_object_once_and_leave_nothing);
    T_RUN(test_weakref_dying_with_its_referent_is_not_called_back);
    T_RUN(test_finalizer_during_drop_roots_does_not_recreate_globals);
    return t_done();
}
