/* test_rcbr.c — the rcbr engine (Bacon-Rajan trial deletion): which
 * decrements buffer a possible root and which do not, rings freed with
 * exact counts, the buffer_max trigger, resurrection (by the collector and
 * by refcounting), weakref callbacks in cyclic trash, deep structures
 * traced and freed without C recursion, and random graphs under a tiny
 * buffer with the heap verified after every collection. */
#include <stdlib.h>

#include "gclab.h"
#include "t.h"

#define NSLOTS 32

static gclab_heap *heap_of(size_t nparams, const struct gclab_kv *params)
{
    char err[256];
    struct gclab_config cfg = { 0 };
    cfg.nparams = nparams;
    cfg.params = params;
    gclab_heap *h = gclab_heap_new("rcbr", &cfg, err, sizeof err);
    if (!h) {
        printf("heap: %s\n", err);
        return NULL;
    }
    if (gclab_frame_push(h, NSLOTS) != GCLAB_OK) {
        gclab_heap_free(h);
        return NULL;
    }
    return h;
}

static gclab_heap *rcbr_heap(void) { return heap_of(0, NULL); }

static int64_t live(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return (int64_t)st.live_objects;
}

static int64_t collect(gclab_heap *h)
{
    int64_t n = -1;
    if (gclab_gc_collect(h, 2, &n) != GCLAB_OK)
        return -1;
    return n;
}

/* Possible roots in the buffer (gc.get_count()[0]). */
static int64_t buffered(gclab_heap *h)
{
    int64_t c[GCLAB_MAX_GENS];
    if (gclab_gc_get_count(h, c) != 1)
        return -1;
    return c[0];
}

static int64_t collections(gclab_heap *h)
{
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_get_stats(h, s);
    return s[0].collections;
}

static int64_t len_of(gclab_heap *h, int slot)
{
    int64_t n = -1;
    gclab_len(h, slot, &n);
    return n;
}

/* ---- native functions used as __del__ and callbacks ------------------ */

static gclab_status fn_count(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h;
    (void)code;
    ++*(int *)ctx;
    return GCLAB_OK;
}

/* __del__ that stores self in the global `saved` (resurrection). */
static gclab_status fn_resurrect(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* __del__ that makes self a cycle of its own: self.me = self. */
static gclab_status fn_self_cycle(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    return gclab_attr_set(h, 0, gclab_intern(h, "me"), 0);
}

/* Weakref callback that pops the global list L (dropping the weakref in it). */
static gclab_status fn_pop_L(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    gclab_status st = gclab_global_get(h, 1, gclab_intern(h, "L"));
    return st != GCLAB_OK ? st : gclab_list_pop(h, -1, 1, -1);
}

/* a = []; b = []; a.append(b); b.append(a) in slots sa, sb. */
static gclab_status two_cycle(gclab_heap *h, int sa, int sb)
{
    gclab_status st = gclab_list_new(h, sa);
    if (st == GCLAB_OK)
        st = gclab_list_new(h, sb);
    if (st == GCLAB_OK)
        st = gclab_list_append(h, sa, sb);
    if (st == GCLAB_OK)
        st = gclab_list_append(h, sb, sa);
    return st;
}

/* A ring of n lists, each holding the next, with no root left. */
static gclab_status make_ring(gclab_heap *h, int n)
{
    gclab_status st = gclab_frame_push(h, 3);
    if (st == GCLAB_OK)
        st = gclab_list_new(h, 0);
    if (st == GCLAB_OK)
        st = gclab_move(h, 1, 0);
    for (int i = 1; i < n && st == GCLAB_OK; i++) {
        st = gclab_list_new(h, 2);
        if (st == GCLAB_OK)
            st = gclab_list_append(h, 1, 2);
        if (st == GCLAB_OK)
            st = gclab_move(h, 1, 2);
    }
    if (st == GCLAB_OK)
        st = gclab_list_append(h, 1, 0);
    if (st == GCLAB_OK)
        st = gclab_frame_pop(h);
    return st;
}

/* ---- the buffer ------------------------------------------------------ */

/* Each of the two drops leaves its list at count 1 (held by the other):
 * two possible roots; one collection finds both, and empties the buffer. */
static void test_dropping_a_two_cycle_buffers_both_and_collect_frees_both(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, two_cycle(h, 0, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 2);
    T_EQ(t, live(h), base + 2);
    T_EQ(t, collect(h), 2);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, live(h), base);
    T_EQ(t, collect(h), 0);
    gclab_heap_free(h);
}

/* x = []; y = x; del y (x buffered: count 2 -> 1); del x (count 0): freed
 * at once, and taken out of the buffer first. Ints are never buffered. */
static void test_a_buffered_object_dying_by_refcount_leaves_the_buffer(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, live(h), base);
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
    T_EQ(t, collect(h), 0);
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
    int64_t base = live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, gclab_move(h, 2, 0), GCLAB_OK);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, collect(h), 0);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, live(h), base + 1);
    gclab_heap_free(h);
}

/* ---- the trigger ----------------------------------------------------- */

/* buffer_max=4: two dropped two-cycles fill the buffer (4 roots) without a
 * collection; the next allocation collects first (1 collection, 4 found),
 * and the buffer is empty again. */
static void test_a_full_buffer_collects_at_the_next_allocation(struct t *t)
{
    struct gclab_kv kv[] = { { "buffer_max", "4" } };
    gclab_heap *h = heap_of(1, kv);
    T_CHECK(t, h);
    int64_t base = live(h);
    for (int i = 0; i < 2; i++) {
        T_EQ(t, two_cycle(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    }
    T_EQ(t, buffered(h), 4);
    T_EQ(t, collections(h), 0);
    T_EQ(t, live(h), base + 4);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, collections(h), 1);
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_get_stats(h, s);
    T_EQ(t, s[0].collected, 4);
    T_EQ(t, buffered(h), 0);
    T_EQ(t, live(h), base + 1);
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
        T_EQ(t, two_cycle(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    }
    T_EQ(t, buffered(h), 6);
    T_EQ(t, collections(h), 0);
    v = 2;
    T_EQ(t, gclab_gc_set_threshold(h, 1, &v), GCLAB_OK);
    gclab_gc_disable(h);
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, collections(h), 0);
    gclab_gc_enable(h);
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, collections(h), 1);
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
    int64_t base = live(h);
    T_EQ(t, make_ring(h, 2), GCLAB_OK);
    T_EQ(t, make_ring(h, 21), GCLAB_OK);
    T_EQ(t, make_ring(h, 1000), GCLAB_OK);
    T_EQ(t, live(h), base + 1023);
    T_EQ(t, collect(h), 1023);
    T_EQ(t, live(h), base);
    T_EQ(t, buffered(h), 0);
    gclab_heap_drop_roots(h);
    T_EQ(t, collect(h), 0);
    T_EQ(t, live(h), 0);
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
    int64_t base = live(h);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);   /* R */
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);   /* X */
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);   /* Y */
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, buffered(h), 2);
    T_EQ(t, collect(h), 0);
    T_EQ(t, live(h), base + 3);
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
    T_EQ(t, collect(h), 3);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* ---- finalizers and resurrection ------------------------------------ */

/* Two instances with __del__ in a cycle: each __del__ runs once, both freed. */
static void test_finalizers_in_a_cycle_run_once_and_objects_are_freed(struct t *t)
{
    int runs = 0;
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_func_new(h, 0, "__del__", fn_count, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    int64_t base = live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 3, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 3, gclab_intern(h, "a"), 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, runs, 0);
    T_EQ(t, collect(h), 2);
    T_EQ(t, runs, 2);
    T_EQ(t, live(h), base);
    T_EQ(t, collect(h), 0);
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
    T_EQ(t, gclab_func_new(h, 0, "__del__", fn_resurrect, &runs, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    int64_t base = live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "c"), 3), GCLAB_OK);   /* self.c = [self] */
    T_EQ(t, gclab_list_append(h, 3, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, make_ring(h, 3), GCLAB_OK);
    T_EQ(t, collect(h), 3);
    T_EQ(t, runs, 1);
    T_EQ(t, live(h), base + 2);
    T_EQ(t, gclab_global_get(h, 4, gclab_intern(h, "saved")), GCLAB_OK);
    T_STREQ(t, gclab_type_name(h, 4), "C");
    T_EQ(t, gclab_attr_get(h, 5, 4, gclab_intern(h, "c")), GCLAB_OK);
    T_EQ(t, len_of(h, 5), 1);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 5), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, live(h), base + 2);   /* still its own cycle */
    T_EQ(t, collect(h), 2);
    T_EQ(t, runs, 1);
    T_EQ(t, live(h), base);
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
    int64_t base = live(h);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, runs, 1);
    T_EQ(t, live(h), base + 1);
    T_EQ(t, buffered(h), 1);
    T_EQ(t, collect(h), 1);
    T_EQ(t, runs, 1);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* DEBUG_SAVEALL: the trash goes to gc.garbage instead of being freed. */
static void test_debug_saveall_keeps_trash_in_gc_garbage(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
    gclab_gc_set_debug(h, GCLAB_DEBUG_SAVEALL);
    T_EQ(t, make_ring(h, 5), GCLAB_OK);
    T_EQ(t, collect(h), 5);
    T_EQ(t, gclab_gc_garbage(h, 0), GCLAB_OK);
    T_EQ(t, len_of(h, 0), 5);
    T_CHECK(t, live(h) >= base + 5);
    gclab_gc_set_debug(h, 0);
    T_EQ(t, collect(h), 0);   /* gc.garbage holds them */
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
    T_EQ(t, gclab_func_new(h, 1, "cb", fn_count, &calls, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, collect(h), 1);
    T_EQ(t, calls, 1);
    T_EQ(t, gclab_weakref_get(h, 4, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 4), GCLAB_K_NONE);
    T_EQ(t, collect(h), 0);
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
    int64_t base = live(h);
    T_EQ(t, gclab_func_new(h, 1, "cb", fn_count, &calls, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "w"), 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, collect(h), 2);
    T_EQ(t, calls, 0);
    T_EQ(t, live(h), base);
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
    T_EQ(t, gclab_func_new(h, 1, "cb", fn_pop_L, &calls, 0, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 5), GCLAB_OK);
    T_EQ(t, gclab_global_set(h, gclab_intern(h, "L"), 5), GCLAB_OK);
    int64_t base = live(h);
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, gclab_intern(h, "b"), 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 5, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, collect(h), 1);
    T_EQ(t, calls, 1);
    T_EQ(t, len_of(h, 5), 0);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* ---- depth without C recursion -------------------------------------- */

/* A 10-million-deep chain of 1-tuples is freed by refcounting when its
 * head is dropped (the pending stack, not the C stack). */
static void test_ten_million_deep_chain_is_freed_without_recursion(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
    int src = 0;
    T_EQ(t, gclab_tuple_new(h, 0, 0, NULL), GCLAB_OK);
    for (int i = 0; i < 10000000; i++)
        if (gclab_tuple_new(h, 0, 1, &src) != GCLAB_OK)
            T_CHECK(t, !"tuple_new failed");
    T_EQ(t, live(h), base + 10000000);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* A 1-million-node ring is MarkGray'ed, Scanned and gathered to its end
 * from its one buffered root: found whole by one collection. */
static void test_million_node_ring_is_collected_without_recursion(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
    T_EQ(t, make_ring(h, 1000000), GCLAB_OK);
    T_EQ(t, live(h), base + 1000000);
    T_EQ(t, collect(h), 1000000);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* A million-deep chain of lists under a buffered head that is still held:
 * MarkGray and ScanBlack walk all of it, nothing is freed. Then the head's
 * ring is closed and dropped: all of it is found. */
static void test_million_deep_live_chain_is_traced_and_kept_then_collected(struct t *t)
{
    gclab_heap *h = rcbr_heap();
    T_CHECK(t, h);
    int64_t base = live(h);
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
    T_EQ(t, collect(h), 0);
    T_EQ(t, live(h), base + 1000001);
    T_EQ(t, gclab_list_append(h, 1, 0), GCLAB_OK);   /* tail -> head: a ring */
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, collect(h), 1000001);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* ---- randomized stress ---------------------------------------------- */

struct stress { int runs[4096]; int64_t next_id; uint64_t rng; };

static uint64_t stress_rand(struct stress *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* __del__: counts its run for self.id; allocates (a collection may start
 * mid-drain); every third one resurrects self into the global list R. */
static gclab_status fn_stress_del(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    struct stress *s = ctx;
    int64_t id = -1;
    if (gclab_attr_get(h, 1, 0, gclab_intern(h, "id")) == GCLAB_OK)
        gclab_int_value(h, 1, &id);
    if (id >= 0 && id < 4096)
        s->runs[id]++;
    if (gclab_list_new(h, 2) != GCLAB_OK)
        gclab_error_clear(h);
    if (id % 3 == 0 && gclab_global_get(h, 2, gclab_intern(h, "R")) == GCLAB_OK)
        return gclab_list_append(h, 2, 0);
    gclab_error_clear(h);
    return GCLAB_OK;
}

static gclab_status fn_stress_cb(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    return gclab_list_new(h, 1);
}

/* Random graphs of lists, dicts, tuples and instances with __del__ and
 * weakrefs with callbacks, under buffer_max=3 with the heap verified after
 * every collection: nothing crashes, every __del__ runs exactly once by the
 * end, and after the roots are dropped one collection leaves nothing. */
static void test_random_graphs_finalize_each_object_once_and_leave_nothing(struct t *t)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct stress *s = calloc(1, sizeof *s);
        T_CHECK(t, s);
        s->rng = seed;
        struct gclab_kv kv[] = { { "buffer_max", "3" }, { "verify", "2" } };
        gclab_heap *h = heap_of(2, kv);
        T_CHECK(t, h);
        gclab_name idn = gclab_intern(h, "id"), an = gclab_intern(h, "a"), rn = gclab_intern(h, "R");
        enum { CLS = 0, CB = 1, FIRST = 2 };
        T_EQ(t, gclab_func_new(h, 3, "__del__", fn_stress_del, s, 0, 1, 3), GCLAB_OK);
        T_EQ(t, gclab_class_new(h, CLS, "S", -1, 3), GCLAB_OK);
        T_EQ(t, gclab_func_new(h, CB, "cb", fn_stress_cb, s, 0, 1, 2), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
        T_EQ(t, gclab_global_set(h, rn, 3), GCLAB_OK);
        for (int op = 0; op < 6000; op++) {
            int a = FIRST + (int)(stress_rand(s) % (NSLOTS - FIRST - 1));
            int b = FIRST + (int)(stress_rand(s) % (NSLOTS - FIRST - 1));
            int tmp = NSLOTS - 1, ka = gclab_kind_of(h, a), kb = gclab_kind_of(h, b);
            int64_t found;
            switch (stress_rand(s) % 11) {
            case 0: gclab_list_new(h, a); break;
            case 1: gclab_dict_new(h, a); break;
            case 2:
                if (s->next_id < 4096 && gclab_instance_new(h, a, CLS) == GCLAB_OK &&
                    gclab_int_new(h, tmp, s->next_id++) == GCLAB_OK)
                    gclab_attr_set(h, a, idn, tmp);
                break;
            case 3: if (ka == GCLAB_K_LIST && kb != GCLAB_K_EMPTY) gclab_list_append(h, a, b); break;
            case 4: if (ka == GCLAB_K_INSTANCE && kb != GCLAB_K_EMPTY) gclab_attr_set(h, a, an, b); break;
            case 5:
                if (ka == GCLAB_K_DICT && kb != GCLAB_K_EMPTY && gclab_int_new(h, tmp, op % 7) == GCLAB_OK)
                    gclab_dict_set(h, a, tmp, b);
                break;
            case 6:
                if (kb == GCLAB_K_INSTANCE)
                    gclab_weakref_new(h, a, b, stress_rand(s) % 2 ? CB : -1);
                break;
            case 7: if (ka != GCLAB_K_EMPTY) gclab_clear(h, a); break;
            case 8: gclab_gc_collect(h, 0, &found); break;
            case 9:
                if (ka != GCLAB_K_EMPTY && kb != GCLAB_K_EMPTY) {
                    int src[2] = { a, b };
                    gclab_tuple_new(h, tmp, 2, src);
                    gclab_move(h, a, tmp);
                }
                break;
            case 10:
                if (gclab_list_new(h, tmp) == GCLAB_OK)
                    gclab_global_set(h, rn, tmp);
                break;
            }
            gclab_clear(h, tmp);
            gclab_error_clear(h);
        }
        gclab_heap_drop_roots(h);
        int64_t found;
        T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
        T_EQ(t, live(h), 0);
        T_CHECK(t, s->next_id > 100);
        for (int64_t i = 0; i < s->next_id; i++)
            if (s->runs[i] != 1) {
                printf("seed %llu: object %lld finalized %d times\n", (unsigned long long)seed,
                       (long long)i, s->runs[i]);
                T_CHECK(t, s->runs[i] == 1);
            }
        gclab_heap_free(h);
        free(s);
    }
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
