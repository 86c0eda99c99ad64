/* test_incms.c — the incremental mark-sweep engine, stepped to a named phase
 * (incms_run_until, Lua's T.gcstate) so each test mutates the heap at the
 * moment a broken barrier or a broken atomic step would lose an object: a new
 * object stored into a black list, an object moved from a white list into a
 * black one, a long list shrunk while it is blackened a chunk at a time.
 * Then gc.collect() during marking, weakrefs and finalizers across an
 * incremental cycle, allocation during the sweep, and the pacing (one pause
 * per step, more steps than cycles). Every heap runs with verify=2, so the
 * tri-colour invariant is checked edge by edge after each step. */
#include "engine.h"
#include "t.h"

/* Test access to the engine's phase (engines/incms.c). */
const char *incms_phase_name(gclab_heap *h);
bool incms_run_until(gclab_heap *h, const char *phase);
int incms_single_steps(gclab_heap *h, int n);
const char *incms_colour(gclab_heap *h, gclab_obj *o);

static const struct gclab_engine *incms(void) { return gclab_engine_find("incms"); }

/* A heap that never steps on its own (min_heap is huge): the test drives it. */
static gclab_heap *im_heap(void)
{
    char err[256];
    struct gclab_kv kv[] = { { "min_heap", "100000000000" }, { "verify", "2" } };
    struct gclab_config cfg = { .nparams = 2, .params = kv };
    gclab_heap *h = gclab_heap_new("incms", &cfg, err, sizeof err);
    if (!h)
        printf("heap: %s\n", err);
    return h;
}

static struct gclab_stats stats(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return st;
}

/* The object in slot i of the current frame (for colour checks only): its
 * id() is its address, as in CPython. */
static gclab_obj *slot_obj(gclab_heap *h, int i)
{
    uint64_t id = 0;
    gclab_id(h, i, &id);
    return (gclab_obj *)(uintptr_t)id;
}

static int64_t kind_at(gclab_heap *h, int list, int64_t i, int tmp)
{
    if (gclab_list_get(h, tmp, list, i) != GCLAB_OK)
        return -1;
    return gclab_kind_of(h, tmp);
}

/* A new instance stored into a black list while marking and then dropped
 * from its slot is reachable only through the list: the barrier must shade
 * it, or the sweep frees it (and verify reports a black->white edge). */
static void test_incms_new_object_stored_into_a_black_list_survives(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, -1), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "atomic"));      /* marking drained: all black */
    T_STREQ(t, incms_colour(h, slot_obj(h, 0)), "black");
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_STREQ(t, incms_colour(h, slot_obj(h, 2)), "white");
    T_EQ(t, gclab_list_append(h, 0, 2), GCLAB_OK);
    T_STREQ(t, incms_colour(h, slot_obj(h, 2)), "grey");   /* the barrier */
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, incms()->verify(h, 2), 0);
    uint64_t live = stats(h).live_objects;
    T_CHECK(t, incms_run_until(h, "pause"));
    T_EQ(t, stats(h).live_objects, live);
    T_EQ(t, kind_at(h, 0, 0, 3), GCLAB_K_INSTANCE);
    gclab_heap_free(h);
}

/* An object moved from a list not yet reached (white) into one already
 * blackened, and removed from the first, is found only through the barrier:
 * the root rescan cannot see it. The colours before the move are asserted. */
static void test_incms_object_moved_from_a_white_list_into_a_black_one_survives(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    /* slots: 0 chain head -> [ [ ... [ B ] ] ], 1 list A (black first), 2 tmp, 3 tmp */
    T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);        /* B */
    T_EQ(t, gclab_class_new(h, 4, "X", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 4), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 2), GCLAB_OK);  /* B = [x] */
    for (int i = 0; i < 50; i++) {                  /* wrap B 50 levels deep */
        T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 3, 0), GCLAB_OK);
        T_EQ(t, gclab_move(h, 0, 3), GCLAB_OK);
    }
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);        /* A */
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "propagate"));   /* roots grey: the chain head, A */
    /* Single steps until A is black (the roots are greyed in slot order,
     * core's lists after them, and popped last-in first-out), while the
     * chain below its head is still white. */
    for (int i = 0; i < 10 && strcmp(incms_colour(h, slot_obj(h, 1)), "black") != 0; i++)
        T_EQ(t, incms_single_steps(h, 1), 1);
    T_STREQ(t, incms_colour(h, slot_obj(h, 1)), "black");
    /* Walk down to B in slot 2 (slot loads need no barrier), take x out. */
    T_EQ(t, gclab_move(h, 2, 0), GCLAB_OK);
    for (int i = 0; i < 50; i++)
        T_EQ(t, gclab_list_get(h, 2, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_list_get(h, 3, 2, 0), GCLAB_OK);  /* x */
    T_STREQ(t, incms_colour(h, slot_obj(h, 2)), "white");
    T_STREQ(t, incms_colour(h, slot_obj(h, 3)), "white");
    T_EQ(t, gclab_list_append(h, 1, 3), GCLAB_OK);  /* A = [x]: A is black */
    T_EQ(t, gclab_list_pop(h, 3, 2, 0), GCLAB_OK);  /* B = [] */
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, incms()->verify(h, 2), 0);
    T_CHECK(t, incms_run_until(h, "pause"));
    T_EQ(t, kind_at(h, 1, 0, 3), GCLAB_K_INSTANCE);
    gclab_heap_free(h);
}

/* A list longer than one chunk is blackened a chunk at a time, from its end;
 * popping items from its front meanwhile shifts unvisited items down, never
 * into the visited part, so none is lost (and the popped ones, never reached,
 * die in this cycle). */
static void test_incms_long_list_shrunk_while_blackened_loses_nothing(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    enum { N = 5000 };
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    for (int i = 0; i < N; i++) {
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);   /* a container per item */
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    }
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "propagate"));
    T_EQ(t, incms_single_steps(h, 1), 1);           /* the first chunk, from the end */
    T_STREQ(t, incms_colour(h, slot_obj(h, 0)), "grey");
    uint64_t live = stats(h).live_objects;
    for (int i = 0; i < 1500; i++)                  /* drop 1500 from the front */
        T_EQ(t, gclab_list_pop(h, 1, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, incms()->verify(h, 2), 0);
    T_CHECK(t, incms_run_until(h, "pause"));
    int64_t n;
    T_EQ(t, gclab_len(h, 0, &n), GCLAB_OK);
    T_EQ(t, n, N - 1500);
    for (int64_t i = 0; i < n; i++)
        T_EQ(t, kind_at(h, 0, i, 1), GCLAB_K_LIST);
    /* the popped ones were never reached: this cycle freed them */
    T_EQ(t, stats(h).live_objects, live - 1500);
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 0);
    gclab_heap_free(h);
}

/* gc.collect() during marking restarts the marking: an object blackened and
 * then dropped is found by that same collection, not one cycle later. */
static void test_incms_gc_collect_during_marking_finds_what_died_after_being_marked(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);  /* [[]] */
    T_CHECK(t, incms_run_until(h, "atomic"));
    T_STREQ(t, incms_colour(h, slot_obj(h, 1)), "black");
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    uint64_t c0 = stats(h).collections[0];
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 2);
    T_EQ(t, stats(h).collections[0], c0 + 1);      /* one cycle: restarted, not two */
    T_STREQ(t, incms_phase_name(h), "pause");
    gclab_heap_free(h);
}

static int64_t cb_runs, del_runs;

static gclab_status cb_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h; (void)ctx; (void)code;
    cb_runs++;
    return GCLAB_OK;
}

/* __del__ stores self into global "saved" (resurrection). */
static gclab_status del_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx; (void)code;
    del_runs++;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* A weakref with a callback to an instance dropped after it was marked: the
 * cycle in progress keeps it (floating garbage), the next clears the weakref
 * and calls the callback once; the weakref itself stays reachable. */
static void test_incms_weakref_to_an_object_dropped_mid_cycle_is_cleared_by_the_next(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    cb_runs = 0;
    T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 2, "cb", cb_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 1, 2), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "atomic"));
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "pause"));
    T_EQ(t, gclab_weakref_get(h, 4, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 4), GCLAB_K_INSTANCE);  /* still alive: marked before the drop */
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, cb_runs, 0);
    T_CHECK(t, incms_run_until(h, "sweep"));         /* the next cycle's atomic step ran */
    T_EQ(t, cb_runs, 1);
    T_EQ(t, gclab_weakref_get(h, 4, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 4), GCLAB_K_NONE);
    T_CHECK(t, incms_run_until(h, "pause"));
    T_EQ(t, cb_runs, 1);
    gclab_heap_free(h);
}

/* An instance whose __del__ resurrects it: dropped, an incremental cycle runs
 * __del__ once and the object (with what it holds) survives in the global;
 * dropped again, it is freed without a second __del__. */
static void test_incms_finalizer_resurrects_once_then_the_object_dies(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    del_runs = 0;
    gclab_name held = gclab_intern(h, "held"), saved = gclab_intern(h, "saved");
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 0, "__del__", del_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "D", -1, 0), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, held, 3), GCLAB_OK);   /* d.held = [] */
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "sweep"));
    T_EQ(t, del_runs, 1);
    T_CHECK(t, incms_run_until(h, "pause"));
    T_EQ(t, gclab_global_get(h, 2, saved), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_INSTANCE);
    T_EQ(t, gclab_attr_get(h, 3, 2, held), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 3), GCLAB_K_LIST);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_none(h, 3), GCLAB_OK);
    T_EQ(t, gclab_global_set(h, saved, 3), GCLAB_OK);
    uint64_t live = stats(h).live_objects;
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 2);                               /* the instance and its list */
    T_EQ(t, stats(h).live_objects, live - 2);
    T_EQ(t, del_runs, 1);
    gclab_heap_free(h);
}

/* Objects allocated while the sweep runs take the current mark: the sweep
 * walks past them without freeing them, and they keep their contents. */
static void test_incms_objects_allocated_during_the_sweep_survive_it(struct t *t)
{
    gclab_heap *h = im_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    for (int i = 0; i < 2000; i++) {                 /* garbage for the sweep to walk */
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    }
    T_CHECK(t, incms_run_until(h, "sweep"));
    for (int i = 0; i < 100; i++) {
        T_EQ(t, gclab_int_new(h, 1, 1000 + i), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
        if (i % 10 == 0)
            T_EQ(t, incms_single_steps(h, 1), 1);
    }
    T_CHECK(t, incms_run_until(h, "pause"));
    for (int64_t i = 0; i < 100; i++) {
        int64_t v;
        T_EQ(t, gclab_list_get(h, 1, 0, i), GCLAB_OK);
        T_EQ(t, gclab_int_value(h, 1, &v), GCLAB_OK);
        T_EQ(t, v, 1000 + i);
    }
    gclab_heap_free(h);
}

/* Paced by allocation: 200,000 dead 2-tuples with min_heap 1 MB and steps
 * every 16 KiB give several cycles, each cut into many steps, one pause per
 * step; what survives is exactly the list of the last 100; teardown's
 * collection leaves nothing. */
static void test_incms_allocation_drives_cycles_in_many_steps(struct t *t)
{
    char err[256];
    struct gclab_kv kv[] = { { "min_heap", "1000000" }, { "step_size", "16384" } };
    struct gclab_config cfg = { .nparams = 2, .params = kv };
    gclab_heap *h = gclab_heap_new("incms", &cfg, err, sizeof err);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    int pair[2] = { 0, 0 };
    for (int i = 0; i < 200000; i++) {
        T_EQ(t, gclab_tuple_new(h, 1, 2, pair), GCLAB_OK);
        if (i >= 200000 - 100)
            T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    }
    struct gclab_stats st = stats(h);
    size_t np;
    gclab_pauses(h, &np);
    T_CHECK(t, st.collections[0] >= 3);
    T_CHECK(t, np >= 10 * st.collections[0]);        /* many steps per cycle */
    T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
    gclab_heap_drop_roots(h);
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, stats(h).live_objects, 0);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_incms_new_object_stored_into_a_black_list_survives);
    T_RUN(test_incms_object_moved_from_a_white_list_into_a_black_one_survives);
    T_RUN(test_incms_long_list_shrunk_while_blackened_loses_nothing);
    T_RUN(test_incms_gc_collect_during_marking_finds_what_died_after_being_marked);
    T_RUN(test_incms_weakref_to_an_object_dropped_mid_cycle_is_cleared_by_the_next);
    T_RUN(test_incms_finalizer_resurrects_once_then_the_object_dies);
    T_RUN(test_incms_objects_allocated_during_the_sweep_survive_it);
    T_RUN(test_incms_allocation_drives_cycles_in_many_steps);
    return t_done();
}
