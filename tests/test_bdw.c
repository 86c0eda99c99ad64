/* test_bdw.c — the bdw engine (libgc): many heaps in one process share
 * libgc's heap safely, implicit collections reach the pause log, __del__
 * runs once and a resurrected object survives, storage and objects are
 * counted freed once libgc sweeps them. */
#include "engine.h"
#include "t.h"

static gclab_heap *bdw_heap(void)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("bdw", NULL, err, sizeof err);
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

/* 50 heaps, each allocating 20000 lists of which it keeps 100, freed in
 * turn while libgc collects all of them: every heap reads back its kept
 * lists intact, and nothing touches a freed heap (ASan). */
static void test_many_heaps_share_libgc_safely(struct t *t)
{
    for (int k = 0; k < 50; k++) {
        gclab_heap *h = bdw_heap();
        T_CHECK(t, h);
        T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
        for (int i = 0; i < 20000; i++) {
            T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
            T_EQ(t, gclab_int_new(h, 2, 100000 + i), GCLAB_OK);
            T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
            if (i % 200 == 0)
                T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
        }
        int64_t n, v;
        T_EQ(t, gclab_len(h, 0, &n), GCLAB_OK);
        T_EQ(t, n, 100);
        for (int i = 0; i < 100; i++) {
            T_EQ(t, gclab_list_get(h, 1, 0, i), GCLAB_OK);
            T_EQ(t, gclab_list_get(h, 2, 1, 0), GCLAB_OK);
            T_EQ(t, gclab_int_value(h, 2, &v), GCLAB_OK);
            T_EQ(t, v, 100000 + 200 * i);
        }
        gclab_heap_free(h);
    }
}

/* Collections libgc runs inside its allocator are logged: one pause per
 * collection, and most of 200000 dropped objects are counted freed. */
static void test_implicit_collections_reach_the_pause_log(struct t *t)
{
    gclab_heap *h = bdw_heap();
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    uint64_t c0 = stats(h).collections[0];
    for (int i = 0; i < 200000; i++)
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    struct gclab_stats st = stats(h);
    size_t np;
    gclab_pauses(h, &np);
    T_CHECK(t, st.collections[0] > c0);
    T_EQ(t, np, st.collections[0]);
    T_CHECK(t, st.freed > 100000);
    T_CHECK(t, st.heap_bytes > 0);
    gclab_heap_free(h);
}

static int64_t del_runs;

static gclab_status resurrect_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx; (void)code;
    del_runs++;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* gc.collect(0) after scrubbing the stack: no stale word keeps the doomed
 * instance alive (the test counts its __del__ runs exactly). */
static __attribute__((noinline)) gclab_status collect_scrubbed(gclab_heap *h, int64_t *found)
{
    t_scrub_stack();
    return gclab_gc_collect(h, 0, found);
}

static __attribute__((noinline)) gclab_status make_doomed(gclab_heap *h)
{
    gclab_status st = gclab_frame_push(h, 3);
    if (!st) st = gclab_func_new(h, 0, "__del__", resurrect_fn, NULL, 0, 1, 1);
    if (!st) st = gclab_class_new(h, 1, "C", -1, 0);
    if (!st) st = gclab_instance_new(h, 2, 1);
    if (!st) st = gclab_frame_pop(h);
    return st;
}

/* An instance whose __del__ stores it in a global: __del__ runs once, the
 * object is alive afterwards, and dropping it again runs no second __del__. */
static void test_del_runs_once_and_resurrection_survives(struct t *t)
{
    gclab_heap *h = bdw_heap();
    T_CHECK(t, h);
    del_runs = 0;
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    T_EQ(t, make_doomed(h), GCLAB_OK);
    int64_t found;
    for (int i = 0; i < 3; i++)
        T_EQ(t, collect_scrubbed(h, &found), GCLAB_OK);
    T_EQ(t, del_runs, 1);
    T_EQ(t, gclab_global_get(h, 0, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 0), GCLAB_K_INSTANCE);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    for (int i = 0; i < 3; i++)
        T_EQ(t, collect_scrubbed(h, &found), GCLAB_OK);
    T_EQ(t, del_runs, 1);
    gclab_heap_free(h);
}

/* bdw declares itself conservative and single-generation. */
static void test_caps_say_conservative(struct t *t)
{
    const struct gclab_engine *e = gclab_engine_find("bdw");
    T_CHECK(t, e);
    T_CHECK(t, !e->caps.precise && !e->caps.refcounts && e->caps.collects_cycles);
    T_EQ(t, e->caps.generations, 1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    T_RUN(test_many_heaps_share_libgc_safely);
    T_RUN(test_implicit_collections_reach_the_pause_log);
    T_RUN(test_del_runs_once_and_resurrection_survives);
    T_RUN(test_caps_say_conservative);
    return t_done();
}
