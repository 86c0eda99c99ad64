/* test_rcbr.c — the rcbr engine (Bacon-Rajan trial deletion): which
 * decrements buffer a possible root and which do not, rings freed with
 * exact counts, the buffer_max trigger, resurrection (by the collector and
 * by refcounting), weakref callbacks in cyclic trash, deep structures
 * traced and freed without C recursion, and random graphs under a tiny
 * buffer with the heap verified after every collection. */
#include <stdlib.h>

#include "t.h"
#include "engine_t.h"

#define NSLOTS 32

static gclab_heap *rcbr_heap(void) { return t_heap("rcbr", 0, NULL, NSLOTS); }

/* Possible roots in the buffer (gc.get_count()[0]). */
static int64_t buffered(gclab_heap *h)
{
    int64_t c[GCLAB_MAX_GENS];
    if (gclab_gc_get_count(h, c) != 1)
        return -1;
    return c[0];
}

/* ---- native functions used as __del__ and callbacks ------------------ */

/* __del__ that makes self a cycle of its own: self.me = self. */
static gclab_status fn_self_cycle(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    return gclab_attr_set(h, 0, gclab_intern(h, "me"), 0);
}

/* ---- the buffer ------------------------------------------------------ */

/* Each of the two drops leaves its list at count 1 (held by the other):
 * two possible roots; one collection finds both, and empties the buffer. */
static void test_dropping_a_two_cycle_buffers_both_and_collect_frees_both(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, t_two_cycle(h, 0, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 2);
    T_EQ(t, t_live(h), base + 2);
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, t_live(h), base);
    T_EQ(t, t_collect(h, 2), 0);
    gclab_heap_free(h);
}

/* x = []; y = x; del y (x buffered: count 2 -> 1); del x (count 0): freed
 * at once, and taken out of the buffer first. Ints are never buffered. */
static void test_a_buffered_object_dying_by_refcount_leaves_the_buffer(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, t_live(h), base);
    T_EQ(t, gclab_int_new(h, 2, 123456789), GCLAB_OK);
    T_EQ(t, gclab_move(h, 3, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, buffered(h), 0);   /* green: cannot be in a cycle */
    gclab_heap_free(h);
}

/* A dying list releases its children: one left above zero (still held by a
 * slot) is a possible root, as the paper's Release -> Decrement says. */
static void test_children_of_a_dying_object_left_above_zero_are_buffered(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    T_EQ(t, gclab_dict_new(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 2), GCLAB_OK);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);   /* the outer list dies */
    T_EQ(t, buffered(h), 2);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, gclab_kind_of(h, 1), GCLAB_K_LIST);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_DICT);
    gclab_heap_free(h);
}

/* A possible root referenced again (Increment: black) is not traced from
 * but still occupies its buffer entry until the next collection drops it. */
static void test_a_possible_root_referenced_again_is_dropped_by_the_next_collection(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_move(h, 2, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, t_live(h), base + 1);
    gclab_heap_free(h);
}

/* ---- the trigger ----------------------------------------------------- */

/* buffer_max=4: two dropped two-cycles fill the buffer (4 roots) without a
 * collection; the next allocation collects first (1 collection, 4 found),
 * and the buffer is empty again. */
static void test_a_full_buffer_collects_at_the_next_allocation(struct t *t)
{
    struct gclab_kv kv[] = { { "buffer_max", "4" } };
    gclab_heap *h = t_heap("rcbr", 1, kv, NSLOTS);
    T_CHECK(t, h);
    int64_t base = t_live(h);
    for (int i = 0; i < 2; i++) {
        T_EQ(t, t_two_cycle(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    }
    T_EQ(t, buffered(h), 4);
    T_EQ(t, t_collections(h, 0), 0);
    T_EQ(t, t_live(h), base + 4);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 1);
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_get_stats(h, s);
    T_EQ(t, s[0].collected, 4);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, t_live(h), base + 1);
    int64_t th[GCLAB_MAX_GENS];
    T_EQ(t, gclab_gc_get_threshold(h, th), 1);
    T_EQ(t, th[0], 4);
    gclab_heap_free(h);
}

/* gc.disable() and buffer_max 0 stop the automatic collection (the buffer
 * grows past the threshold); gc.set_threshold(2) re-arms it at run time. */
static void test_disable_and_zero_threshold_stop_the_trigger_and_set_threshold_rearms_it(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t v = 0;
    T_EQ(t, gclab_gc_set_threshold(h, 1, &v), GCLAB_OK);
    for (int i = 0; i < 3; i++) {
        T_EQ(t, t_two_cycle(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    }
    T_EQ(t, buffered(h), 6);
    T_EQ(t, t_collections(h, 0), 0);
    v = 2;
    T_EQ(t, gclab_gc_set_threshold(h, 1, &v), GCLAB_OK);
    gclab_gc_disable(h);
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 0);
    gclab_gc_enable(h);
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, t_collections(h, 0), 1);
    T_EQ(t, buffered(h), 0);
    v = -1;
    T_EQ(t, gclab_gc_set_threshold(h, 1, &v), GCLAB_EVALUE);
    gclab_error_clear(h);
    gclab_heap_free(h);
}

/* Knob values that are not integers from 0 up are refused at heap creation. */
static void test_bad_buffer_max_is_refused(struct t *t)
{
    static const char *bad[] = { "-1", "1.5", "x", "1e12" };
    for (int i = 0; i < 4; i++) {
        char err[256] = "";
        struct gclab_kv kv[] = { { "buffer_max", bad[i] } };
        struct gclab_config cfg = { 0 };
        cfg.nparams = 1;
        cfg.params = kv;
        gclab_heap *h = gclab_heap_new("rcbr", &cfg, err, sizeof err);
        T_CHECK(t, h == NULL);
        T_CHECK(t, strstr(err, "buffer_max takes an integer in 0..2147483647") != NULL);
    }
}

/* ---- rings ---------------------------------------------------------- */

/* Rings of 2, 21 and 1000 lists dropped: one collection finds exactly
 * their 1023 nodes; nothing else is freed or left. */
static void test_dropped_rings_are_found_with_exact_counts(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, t_make_ring(h, 2), GCLAB_OK);
    T_EQ(t, t_make_ring(h, 21), GCLAB_OK);
    T_EQ(t, t_make_ring(h, 1000), GCLAB_OK);
    T_EQ(t, t_live(h), base + 1023);
    T_EQ(t, t_collect(h, 2), 1023);
    T_EQ(t, t_live(h), base);
    T_EQ(t, buffered(h), 0);
    gclab_heap_drop_roots(h);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, t_live(h), 0);
    gclab_heap_free(h);
}

/* R -> X -> Y -> R with X still in a slot, R and Y dropped (both buffered):
 * trial deletion from R whitens R before it meets X, whose outside
 * reference must blacken Y and then R again. Nothing is freed and the ring
 * reads back whole. */
static void test_a_ring_held_from_outside_at_one_node_is_kept_whole(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);   /* R */
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);   /* X */
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);   /* Y */
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, buffered(h), 2);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, t_live(h), base + 3);
    T_EQ(t, gclab_list_get(h, 3, 1, 0), GCLAB_OK);   /* Y */
    T_EQ(t, gclab_list_get(h, 4, 3, 0), GCLAB_OK);   /* R */
    T_EQ(t, gclab_list_get(h, 5, 4, 0), GCLAB_OK);   /* X again */
    bool same = false;
    T_EQ(t, gclab_is(h, 5, 1, &same), GCLAB_OK);
    T_CHECK(t, same);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 5), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 3);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- finalizers and resurrection ------------------------------------ */

/* Two instances with __del__ in a cycle: each __del__ runs once, both freed. */
static void test_finalizers_in_a_cycle_run_once_and_objects_are_freed(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_count, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 3, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 3, gclab_intern(h, "a"), 2), GCLAB_OK);
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

/* A __del__ that stores self in a global resurrects its self-cycle: the
 * collection frees nothing of it (0), its __del__ ran once; a 3-ring found
 * in the same collection is freed (3). Dropped again, the instance is
 * collected (1) without a second __del__. */
static void test_resurrected_set_survives_and_the_rest_is_freed(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", t_fn_resurrect, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "c"), 3), GCLAB_OK);   /* self.c = [self] */
    T_EQ(t, gclab_list_append(h, 3, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_make_ring(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 3);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base + 2);
    T_EQ(t, gclab_global_get(h, 4, gclab_intern(h, "saved")), GCLAB_OK);
    T_STREQ(t, gclab_type_name(h, 4), "C");
    T_EQ(t, gclab_attr_get(h, 5, 4, gclab_intern(h, "c")), GCLAB_OK);
    T_EQ(t, t_len(h, 5), 1);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 5), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, t_live(h), base + 2);   /* still its own cycle */
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A __del__ run by refcounting that makes its object a self-cycle
 * (self.me = self) resurrects it into a cycle: it is a possible root, and
 * the next collection frees it without a second __del__. */
static void test_refcount_death_resurrected_into_a_cycle_is_collected_later(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", fn_self_cycle, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base + 1);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, runs, 1);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* DEBUG_SAVEALL: the trash goes to gc.garbage instead of being freed. */
static void test_debug_saveall_keeps_trash_in_gc_garbage(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    gclab_gc_set_debug(h, GCLAB_DEBUG_SAVEALL);
    T_EQ(t, t_make_ring(h, 5), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 5);
    T_EQ(t, gclab_gc_garbage(h, 0), GCLAB_OK);
    T_EQ(t, t_len(h, 0), 5);
    T_CHECK(t, t_live(h) >= base + 5);
    gclab_gc_set_debug(h, 0);
    T_EQ(t, t_collect(h, 2), 0);   /* gc.garbage holds them */
    gclab_heap_free(h);
}

/* ---- weakrefs in cyclic trash --------------------------------------- */

/* A reachable weakref with a callback to a dropped self-cycle: the callback
 * runs once during the collection and the weakref then returns None. */
static void test_reachable_weakref_callback_runs_for_cyclic_trash(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_count, &calls, 0, 1, 1), GCLAB_OK);
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
 * object and the weakref are found (2: CPython counts 3, but the callback,
 * a func, is green here and freed by its count when the weakref is
 * cleared); nothing is left. */
static void test_weakref_in_the_trash_does_not_call_its_callback(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    int64_t base = t_live(h);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_count, &calls, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "w"), 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 2);
    T_EQ(t, calls, 0);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A reachable weakref whose callback drops the last reference to it is
 * freed during the collection; the collection counts only the trash (1). */
static void test_weakref_freed_by_its_own_callback_is_freed(struct t *t)
{
    int calls = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_class_new(h, 0, "B", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 1, "cb", t_fn_pop_L, &calls, 0, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, gclab_global_set(h, gclab_intern(h, "L"), 5), GCLAB_OK);
    int64_t base = t_live(h);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 5, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1);
    T_EQ(t, calls, 1);
    T_EQ(t, t_len(h, 5), 0);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- depth without C recursion -------------------------------------- */

/* A 10-million-deep chain of 1-tuples is freed by refcounting when its
 * head is dropped (the pending stack, not the C stack). */
static void test_ten_million_deep_chain_is_freed_without_recursion(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
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

/* A 1-million-node ring is MarkGray'ed, Scanned and gathered to its end
 * from its one buffered root: found whole by one collection. */
static void test_million_node_ring_is_collected_without_recursion(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, t_make_ring(h, 1000000), GCLAB_OK);
    T_EQ(t, t_live(h), base + 1000000);
    T_EQ(t, t_collect(h, 2), 1000000);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* A million-deep chain of lists under a buffered head that is still held:
 * MarkGray and ScanBlack walk all of it, nothing is freed. Then the head's
 * ring is closed and dropped: all of it is found. */
static void test_million_deep_live_chain_is_traced_and_kept_then_collected(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = t_live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);   /* head */
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);    /* tail cursor */
    for (int i = 0; i < 1000000; i++) {
        if (gclab_list_new(h, 2) != GCLAB_OK || gclab_list_append(h, 1, 2) != GCLAB_OK ||
            gclab_move(h, 1, 2) != GCLAB_OK)
            T_CHECK(t, !"chain build failed");
    }
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_move(h, 3, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);        /* the head is a possible root */
    T_CHECK(t, buffered(h) >= 1);
    T_EQ(t, t_collect(h, 2), 0);
    T_EQ(t, t_live(h), base + 1000001);
    T_EQ(t, gclab_list_append(h, 1, 0), GCLAB_OK);   /* tail -> head: a ring */
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, t_collect(h, 2), 1000001);
    T_EQ(t, t_live(h), base);
    gclab_heap_free(h);
}

/* ---- randomized stress ---------------------------------------------- */

/* Random graphs of lists, dicts, tuples and instances with __del__ and
 * weakrefs with callbacks, under buffer_max=3 with the heap verified after
 * every collection: nothing crashes, every __del__ runs exactly once by the
 * end, and after the roots are dropped one collection leaves nothing. */
static void test_random_graphs_finalize_each_object_once_and_leave_nothing(struct t *t)
{
    struct gclab_kv kv[] = { { "buffer_max", "3" }, { "verify", "2" } };
    t_stress_graphs(t, "rcbr", 2, kv, 0);
}

int main(void)
{
    T_RUN(test_dropping_a_two_cycle_buffers_both_and_collect_frees_both);
    T_RUN(test_a_buffered_object_dying_by_refcount_leaves_the_buffer);
    T_RUN(test_children_of_a_dying_object_left_above_zero_are_buffered);
    T_RUN(test_a_possible_root_referenced_again_is_dropped_by_the_next_collection);
    T_RUN(test_a_full_buffer_collects_at_the_next_allocation);
    T_RUN(test_disable_and_zero_threshold_stop_the_trigger_and_set_threshold_rearms_it);
    T_RUN(test_bad_buffer_max_is_refused);
    T_RUN(test_dropped_rings_are_found_with_exact_counts);
    T_RUN(test_a_ring_held_from_outside_at_one_node_is_kept_whole);
    T_RUN(test_finalizers_in_a_cycle_run_once_and_objects_are_freed);
    T_RUN(test_resurrected_set_survives_and_the_rest_is_freed);
    T_RUN(test_refcount_death_resurrected_into_a_cycle_is_collected_later);
    T_RUN(test_debug_saveall_keeps_trash_in_gc_garbage);
    T_RUN(test_reachable_weakref_callback_runs_for_cyclic_trash);
    T_RUN(test_weakref_in_the_trash_does_not_call_its_callback);
    T_RUN(test_weakref_freed_by_its_own_callback_is_freed);
    T_RUN(test_ten_million_deep_chain_is_freed_without_recursion);
    T_RUN(test_million_node_ring_is_collected_without_recursion);
    T_RUN(test_million_deep_live_chain_is_traced_and_kept_then_collected);
    T_RUN(test_random_graphs_finalize_each_object_once_and_leave_nothing);
    return t_done();
}
