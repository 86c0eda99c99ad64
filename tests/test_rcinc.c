/* test_rcinc.c — the rcinc engine against CPython 3.14's incremental
 * collector as Python/gc.c writes it (the ported Lib/test tests are heap
 * scripts in tests/scripts/cpython314/): 3.14's defaults and gc-module
 * meanings, the two old spaces (garbage that reached the visited space
 * waits for the next pass), the mark phase, t_collect(0|1|2), and the
 * accounting difference of -p rules=3.14.2 (GH-140262). Every expected
 * value follows from gc.c's code, step by step, as each comment says. */
#include "t.h"
#include "engine_t.h"

#define NSLOTS 16

static gclab_heap *rcinc_heap(const char *rules)
{
    struct gclab_kv kv[1] = { { "rules", rules } };
    return t_heap("rcinc", 1, kv, NSLOTS);
}

/* Whether the object in slot obj is in gc.get_objects(gen) (slot 15 scratch, 14 the list). */
static bool in_objects(gclab_heap *h, int obj, int gen)
{
    int64_t n = 0;
    bool found = false;
    if (gclab_gc_get_objects(h, 14, gen) != GCLAB_OK || gclab_len(h, 14, &n) != GCLAB_OK)
        return false;
    for (int64_t i = 0; i < n && !found; i++)
        if (gclab_list_get(h, 15, 14, i) != GCLAB_OK || gclab_is(h, 15, obj, &found) != GCLAB_OK)
            return false;
    gclab_none(h, 14);
    gclab_none(h, 15);
    return found;
}

/* 3.14's defaults (pycore_runtime_init.h: young 2000, old[0] 10, old[1] 0;
 * gcmodule reports 0 as the third threshold), and set_threshold. */
static void test_defaults_are_cpython_314s(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    int64_t th[GCLAB_MAX_GENS];
    T_EQ(t, gclab_gc_get_threshold(h, th), 3);
    T_EQ(t, th[0], 2000);
    T_EQ(t, th[1], 10);
    T_EQ(t, th[2], 0);
    const int64_t v[3] = { 200, 5, 7 };
    T_EQ(t, gclab_gc_set_threshold(h, 3, v), GCLAB_OK);
    T_EQ(t, gclab_gc_get_threshold(h, th), 3);
    T_EQ(t, th[0], 200);
    T_EQ(t, th[1], 5);
    T_EQ(t, th[2], 0);
    gclab_heap_free(h);
}

/* test_gc.py's test_collect_generations on 3.14: a list survives
 * gc.t_collect(0) into the visited space, counted as (_, 1, 0); it is then in
 * gc.get_objects(2), not (0), and generation 1 lists nothing. */
static void test_collect_0_moves_survivors_to_the_visited_space(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_CHECK(t, in_objects(h, 0, 0));
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, t_count(h, 0), 0);
    T_EQ(t, t_count(h, 1), 1);
    T_EQ(t, t_count(h, 2), 0);
    T_CHECK(t, !in_objects(h, 0, 0));
    T_CHECK(t, !in_objects(h, 0, 1));
    T_CHECK(t, in_objects(h, 0, 2));
    T_CHECK(t, in_objects(h, 0, -1));
    gclab_heap_free(h);
}

/* The first increment of a pass is the mark phase only (gc_collect_increment
 * returns after mark_at_start): a dropped cycle in young survives it; the
 * second increment collects young and finds the cycle. */
static void test_the_first_increment_only_marks(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    T_EQ(t, t_two_cycle(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_none(h, 0), GCLAB_OK);
    T_EQ(t, gclab_none(h, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 1), 0);
    T_EQ(t, t_collect(h, 1), 2);
    gclab_heap_free(h);
}

/* Garbage that reached the old generation is found only by an increment
 * whose budget reaches it, and on a small heap none does: after
 * gc.t_collect(0) promotes a cycle and it is dropped, increment 1 marks,
 * increment 2 finds the pending space empty (the pass completes and the
 * spaces swap: the cycle is pending now), increment 3 marks again. Each
 * later increment's budget is its new objects plus heap_size / 10 /
 * max(threshold1, 2), here 0 (fewer than 100 objects), minus what marking
 * subtracted: never more than young, so the pending space is never touched.
 * A hundred increments, each over 10 new dropped self-cycles, find exactly
 * those 10 each time and never the old cycle; gc.t_collect(2) finds it. */
static void test_old_garbage_of_a_small_heap_waits_for_a_full_collection(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    gclab_name self = gclab_intern(h, "self");
    T_EQ(t, gclab_class_new(h, 4, "C", -1, -1), GCLAB_OK);
    T_EQ(t, t_two_cycle(h, 0, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, gclab_none(h, 0), GCLAB_OK);
    T_EQ(t, gclab_none(h, 1), GCLAB_OK);
    for (int i = 0; i < 3; i++)
        T_EQ(t, t_collect(h, 1), 0);
    for (int k = 0; k < 100; k++) {
        for (int i = 0; i < 10; i++) {
            T_EQ(t, gclab_instance_new(h, 2, 4), GCLAB_OK);
            T_EQ(t, gclab_attr_set(h, 2, self, 2), GCLAB_OK);
        }
        T_EQ(t, gclab_none(h, 2), GCLAB_OK);
        T_EQ(t, t_collect(h, 1), 10);
    }
    T_EQ(t, t_collect(h, 2), 2);
    gclab_heap_free(h);
}

/* The mark phase moves what the roots reach into the visited space, young
 * objects included (mark_all_reachable), without a collection. */
static void test_mark_phase_moves_reachable_young_objects_to_visited(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_none(h, 1), GCLAB_OK);   /* the inner list is reachable only through slot 0's */
    T_CHECK(t, in_objects(h, 0, 0));
    T_EQ(t, t_collect(h, 1), 0);
    T_CHECK(t, !in_objects(h, 0, 0));
    T_CHECK(t, in_objects(h, 0, 2));
    T_EQ(t, gclab_list_get(h, 1, 0, 0), GCLAB_OK);
    T_CHECK(t, in_objects(h, 1, 2));
    gclab_heap_free(h);
}

/* gc.get_stats(): t_collect(0) counts in generation 0 only, t_collect(2) in 2
 * only (test_gc.py's test_get_stats). */
static void test_get_stats_counts_each_kind_of_collection(struct t *t)
{
    gclab_heap *h = rcinc_heap("3.14.0");
    T_CHECK(t, h);
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_disable(h);
    T_EQ(t, t_collect(h, 0), 0);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, t_collect(h, 1), 0);
    T_EQ(t, gclab_gc_get_stats(h, s), 3);
    T_EQ(t, s[0].collections, 1);
    T_EQ(t, s[1].collections, 1);
    T_EQ(t, s[2].collections, 1);
    gclab_heap_free(h);
}

/* GH-140262: under 3.14.0 every container allocated counts in young.count,
 * a tuple of immortals too; under 3.14.2 such a tuple is never tracked and
 * does not count, a tuple holding a list does. (A full collection first
 * empties the tuple free list: a reused tuple is no allocation in 3.14.0.) */
static void test_rules_3142_do_not_count_an_untrackable_tuple(struct t *t)
{
    static const char *rules[2] = { "3.14.0", "3.14.2" };
    for (int r = 0; r < 2; r++) {
        gclab_heap *h = rcinc_heap(rules[r]);
        T_CHECK(t, h);
        const int items[2] = { 0, 1 };
        T_EQ(t, gclab_int_new(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_str_intern(h, 1, "a"), GCLAB_OK);
        T_EQ(t, t_collect(h, 2), 0);
        int64_t c0 = t_count(h, 0);
        T_EQ(t, gclab_tuple_new(h, 2, 2, items), GCLAB_OK);
        T_EQ(t, t_count(h, 0) - c0, r == 0 ? 1 : 0);
        T_CHECK(t, in_objects(h, 2, 0) == (r == 0));
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
        c0 = t_count(h, 0);
        T_EQ(t, gclab_tuple_new(h, 3, 2, items), GCLAB_OK);
        T_EQ(t, t_count(h, 0) - c0, 1);
        T_CHECK(t, in_objects(h, 3, 0));
        gclab_heap_free(h);
    }
}

/* Under 3.14.2 untracking counts down (a dict stays untracked; a list freed
 * by its refcount is untracked first): allocating and dropping a list leaves
 * young.count where it was under both rules (3.14.0 counts the free instead,
 * and the list goes to the free list, so 3.14.0 stays up by one). */
static void test_a_dropped_list_counts_down_as_each_rule_says(struct t *t)
{
    static const char *rules[2] = { "3.14.0", "3.14.2" };
    for (int r = 0; r < 2; r++) {
        gclab_heap *h = rcinc_heap(rules[r]);
        T_CHECK(t, h);
        T_EQ(t, t_collect(h, 2), 0);
        int64_t c0 = t_count(h, 0);
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
        T_EQ(t, t_count(h, 0) - c0, 1);
        T_EQ(t, gclab_none(h, 0), GCLAB_OK);
        T_EQ(t, t_count(h, 0) - c0, r == 0 ? 1 : 0);
        gclab_heap_free(h);
    }
}

/* An unknown rules word is refused before anything runs. */
static void test_unknown_rules_are_refused(struct t *t)
{
    char err[256];
    struct gclab_kv kv[1] = { { "rules", "3.13" } };
    struct gclab_config cfg = { .nparams = 1, .params = kv };
    gclab_heap *h = gclab_heap_new("rcinc", &cfg, err, sizeof err);
    T_CHECK(t, h == NULL);
    T_STREQ(t, err, "parameter rules=3.13: not a known word (rules takes one of 3.14.0|3.14.2)");
}

int main(void)
{
    T_RUN(test_defaults_are_cpython_314s);
    T_RUN(test_collect_0_moves_survivors_to_the_visited_space);
    T_RUN(test_the_first_increment_only_marks);
    T_RUN(test_old_garbage_of_a_small_heap_waits_for_a_full_collection);
    T_RUN(test_mark_phase_moves_reachable_young_objects_to_visited);
    T_RUN(test_get_stats_counts_each_kind_of_collection);
    T_RUN(test_rules_3142_do_not_count_an_untrackable_tuple);
    T_RUN(test_a_dropped_list_counts_down_as_each_rule_says);
    T_RUN(test_unknown_rules_are_refused);
    return t_done();
}
