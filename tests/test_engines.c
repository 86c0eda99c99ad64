/* test_engines.c — conformance: every registered engine, expectations taken
 * from its caps (a dropped cycle leaks iff !collects_cycles; __del__ runs
 * once where caps.finalizers; a weakref is cleared when its target dies),
 * and a graph where every kind of object holds every other kind, collected
 * at every allocation (zeal=1) with its contents checked after each one. */
#include "engine.h"
#include "t.h"

static int64_t del_runs;

static gclab_status del_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h; (void)ctx; (void)code;
    del_runs++;
    return GCLAB_OK;
}

static gclab_status nop_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h; (void)ctx; (void)code;
    return GCLAB_OK;
}

static gclab_heap *new_heap(const char *engine, size_t np, const struct gclab_kv *kv)
{
    char err[256];
    struct gclab_config cfg = { .nparams = np, .params = kv };
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h)
        printf("heap %s: %s\n", engine, err);
    return h;
}

static uint64_t live_objects(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return st.live_objects;
}

static const struct gclab_engine *eng(int i) { return gclab_engine_at(i); }

/* gc.collect() after scrubbing the stack. */
static __attribute__((noinline)) gclab_status collect_all(gclab_heap *h, int64_t *found)
{
    t_scrub_stack();
    return gclab_gc_collect(h, 2, found);
}

/* Build a two-instance cycle in a deeper C frame (so no stale pointer to it
 * stays in the caller's frame for a conservative collector). */
static __attribute__((noinline)) gclab_status make_cycle(gclab_heap *h, bool with_del)
{
    gclab_name x = gclab_intern(h, "x");
    gclab_status st = gclab_frame_push(h, 4);
    if (!st && with_del)
        st = gclab_func_new(h, 3, "__del__", del_fn, NULL, 0, 1, 1);
    if (!st)
        st = gclab_class_new(h, 0, "C", -1, with_del ? 3 : -1);
    if (!st)
        st = gclab_instance_new(h, 1, 0);
    if (!st)
        st = gclab_instance_new(h, 2, 0);
    if (!st)
        st = gclab_attr_set(h, 1, x, 2);
    if (!st)
        st = gclab_attr_set(h, 2, x, 1);
    if (!st)
        st = gclab_frame_pop(h);
    return st;
}

/* A dropped cycle (class, two instances, no __del__) is reclaimed by a full
 * collection exactly when caps.collects_cycles; otherwise all 3 objects stay.
 * (bdw passes this exactly too: the cycle is built in a deeper C frame.) */
static void test_dropped_cycle_leaks_iff_engine_does_not_collect_cycles(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        gclab_heap *h = new_heap(eng(i)->name, 0, NULL);
        T_CHECK(t, h);
        int64_t found;
        gclab_gc_collect(h, 2, &found);
        uint64_t base = live_objects(h);
        T_EQ(t, make_cycle(h, false), GCLAB_OK);
        T_EQ(t, collect_all(h, &found), GCLAB_OK);
        T_EQ(t, live_objects(h) - base, eng(i)->caps.collects_cycles ? 0 : 3);
        gclab_heap_free(h);
    }
}

/* A dropped cycle of two instances with __del__: on engines with finalizers
 * that collect cycles, each __del__ runs exactly once over any number of
 * collections, and the objects are gone after the second collection. */
static void test_finalizers_in_a_dropped_cycle_run_exactly_once(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        gclab_heap *h = new_heap(e->name, 0, NULL);
        T_CHECK(t, h);
        int64_t found;
        gclab_gc_collect(h, 2, &found);
        uint64_t base = live_objects(h);
        del_runs = 0;
        T_EQ(t, make_cycle(h, true), GCLAB_OK);
        for (int k = 0; k < 4; k++)
            T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
        bool runs = e->caps.finalizers && e->caps.collects_cycles;
        T_EQ(t, del_runs, runs ? 2 : 0);
        /* class, two instances, the __del__ func; a conservative engine
         * (bdw) may keep some alive through a stale word on the C stack */
        if (e->caps.precise)
            T_EQ(t, live_objects(h) - base, e->caps.collects_cycles ? 0 : 4);
        else
            T_CHECK(t, live_objects(h) - base <= 4);
        gclab_heap_free(h);
    }
}

/* A weakref to an instance reads the instance while it is referenced and
 * None once the only reference is dropped and a full collection has run. */
static void test_weakref_is_cleared_when_its_target_dies(struct t *t)
{
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        if (e->caps.frees == GCLAB_FREES_NEVER)
            continue;   /* nothing dies */
        gclab_heap *h = new_heap(e->name, 0, NULL);
        T_CHECK(t, h);
        T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
        T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
        T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
        T_EQ(t, gclab_weakref_new(h, 2, 1, -1), GCLAB_OK);
        T_EQ(t, gclab_weakref_get(h, 3, 2), GCLAB_OK);
        bool same;
        T_EQ(t, gclab_is(h, 3, 1, &same), GCLAB_OK);
        T_CHECK(t, same);
        T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
        int64_t found;
        T_EQ(t, collect_all(h, &found), GCLAB_OK);
        T_EQ(t, gclab_weakref_get(h, 3, 2), GCLAB_OK);
        if (e->caps.precise)
            T_EQ(t, gclab_kind_of(h, 3), GCLAB_K_NONE);
        else   /* bdw under ASan keeps it through a stale stack word; -O2 clears it */
            T_CHECK(t, gclab_kind_of(h, 3) == GCLAB_K_NONE || gclab_kind_of(h, 3) == GCLAB_K_INSTANCE);
        T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
        gclab_heap_free(h);
    }
}

/* ---- the every-kind graph ------------------------------------------- */

enum { S_INT, S_STR, S_BLOB, S_FUNC, S_CLASS, S_INST, S_WREF, S_LIST, S_DICT, S_TUPLE,
       S_TMP, S_TMP2, NS };
static const int member_kinds[] = {
    GCLAB_K_INT, GCLAB_K_STR, GCLAB_K_BLOB, GCLAB_K_FUNC, GCLAB_K_CLASS, GCLAB_K_INSTANCE,
    GCLAB_K_WEAKREF, GCLAB_K_LIST, GCLAB_K_DICT, GCLAB_K_TUPLE,
};
#define NKINDS 10

static const char *const key_names[NKINDS] = {
    "int", "str", "blob", "func", "class", "inst", "wref", "list", "dict", "tuple",
};

/* Build the graph: list, dict, tuple and instance each hold one object of
 * every kind (themselves included, so every container is in a cycle); the
 * class holds the func; the weakref targets the instance with the func as
 * callback. Only the list stays in a slot. */
static gclab_status build_graph(gclab_heap *h)
{
    gclab_status st;
    gclab_name attr[NKINDS];
    for (int k = 0; k < NKINDS; k++)
        attr[k] = gclab_intern(h, key_names[k]);
    unsigned char bytes[16];
    for (int k = 0; k < 16; k++)
        bytes[k] = (unsigned char)(k * 7);
#define TRY(x) if ((st = (x)) != GCLAB_OK) return st
    TRY(gclab_int_new(h, S_INT, 123456789));
    TRY(gclab_str_new(h, S_STR, "every kind", 10));
    TRY(gclab_blob_new(h, S_BLOB, 16));
    TRY(gclab_blob_write(h, S_BLOB, 0, bytes, 16));
    TRY(gclab_func_new(h, S_FUNC, "f", nop_fn, NULL, 0, 1, 1));
    TRY(gclab_class_new(h, S_CLASS, "K", S_FUNC, -1));
    TRY(gclab_instance_new(h, S_INST, S_CLASS));
    TRY(gclab_weakref_new(h, S_WREF, S_INST, S_FUNC));
    TRY(gclab_list_new(h, S_LIST));
    TRY(gclab_dict_new(h, S_DICT));
    /* the tuple holds every kind but itself (a tuple is immutable) */
    int srcs[NKINDS];
    for (int k = 0; k < NKINDS; k++)
        srcs[k] = k == S_TUPLE ? S_LIST : k;
    TRY(gclab_tuple_new(h, S_TUPLE, NKINDS, srcs));
    for (int k = 0; k < NKINDS; k++) {
        TRY(gclab_list_append(h, S_LIST, k));
        TRY(gclab_str_intern(h, S_TMP, key_names[k]));
        TRY(gclab_dict_set(h, S_DICT, S_TMP, k));
        TRY(gclab_attr_set(h, S_INST, attr[k], k));
    }
    for (int k = 0; k < NKINDS; k++)
        if (k != S_LIST)
            TRY(gclab_clear(h, k));
#undef TRY
    return GCLAB_OK;
}

/* Check one object of the graph in slot s, of kind index k. */
static bool check_member(gclab_heap *h, int s, int k)
{
    int64_t v;
    const char *str;
    size_t len;
    unsigned char b[16];
    if (gclab_kind_of(h, s) != member_kinds[k])
        return false;
    switch (k) {
    case S_INT: return gclab_int_value(h, s, &v) == GCLAB_OK && v == 123456789;
    case S_STR:
        return gclab_str_value(h, s, &str, &len) == GCLAB_OK && len == 10 &&
               memcmp(str, "every kind", 10) == 0;
    case S_BLOB:
        if (gclab_blob_read(h, s, 0, b, 16) != GCLAB_OK)
            return false;
        for (int i = 0; i < 16; i++)
            if (b[i] != (unsigned char)(i * 7))
                return false;
        return true;
    case S_LIST: case S_DICT: case S_TUPLE:
        return gclab_len(h, s, &v) == GCLAB_OK && v == NKINDS;
    default:
        return true;
    }
}

/* Every container of the graph reached from the list holds the right
 * object of every kind, and they are the same objects everywhere. */
static bool check_graph(gclab_heap *h)
{
    /* slots: S_LIST root; 0..9 the list's items; S_TMP, S_TMP2 scratch */
    for (int k = 0; k < NKINDS; k++)
        if (k != S_LIST && gclab_list_get(h, k, S_LIST, k) != GCLAB_OK)
            return false;
    for (int k = 0; k < NKINDS; k++)
        if (!check_member(h, k, k))
            return false;
    bool same;
    for (int k = 0; k < NKINDS; k++) {
        gclab_name nm = gclab_intern(h, key_names[k]);
        int src = k == S_TUPLE ? S_LIST : k;
        /* tuple[k] */
        if (gclab_tuple_get(h, S_TMP, S_TUPLE, k) || gclab_is(h, S_TMP, src, &same) || !same)
            return false;
        /* dict[name] */
        if (gclab_str_intern(h, S_TMP2, key_names[k]) || gclab_dict_get(h, S_TMP, S_DICT, S_TMP2) ||
            gclab_is(h, S_TMP, k, &same) || !same)
            return false;
        /* inst.name */
        if (gclab_attr_get(h, S_TMP, S_INST, nm) || gclab_is(h, S_TMP, k, &same) || !same)
            return false;
    }
    /* the weakref still reaches the instance */
    if (gclab_weakref_get(h, S_TMP, S_WREF) || gclab_is(h, S_TMP, S_INST, &same) || !same)
        return false;
    for (int k = 0; k < NKINDS; k++)
        if (k != S_LIST)
            gclab_clear(h, k);
    gclab_clear(h, S_TMP);
    gclab_clear(h, S_TMP2);
    return true;
}

/* With zeal=1 (a full collection before every allocation) and verify=2, the
 * graph survives 300 rounds of garbage allocation, checked after each;
 * dropping it frees all of it on engines that collect cycles. */
static void test_every_kind_graph_survives_collection_at_every_allocation(struct t *t)
{
    static const struct gclab_kv kv[] = { { "zeal", "1" }, { "verify", "2" } };
    for (int i = 0; eng(i); i++) {
        const struct gclab_engine *e = eng(i);
        printf("engine %s\n", e->name);
        gclab_heap *h = new_heap(e->name, 2, kv);
        T_CHECK(t, h);
        int64_t found;
        gclab_gc_collect(h, 2, &found);
        uint64_t base = live_objects(h);
        T_EQ(t, gclab_frame_push(h, NS), GCLAB_OK);
        T_EQ(t, build_graph(h), GCLAB_OK);
        T_CHECK(t, check_graph(h));
        for (int round = 0; round < 300; round++) {
            /* garbage of several kinds, including a dropped cycle */
            T_EQ(t, gclab_list_new(h, S_TMP), GCLAB_OK);
            T_EQ(t, gclab_list_append(h, S_TMP, S_TMP), GCLAB_OK);
            T_EQ(t, gclab_int_new(h, S_TMP2, 1000 + round), GCLAB_OK);
            T_EQ(t, gclab_str_new(h, S_TMP2, "garbage", 7), GCLAB_OK);
            T_CHECK(t, check_graph(h));
        }
        T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
        T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
        if (e->caps.collects_cycles && e->caps.precise)
            T_EQ(t, live_objects(h), base);
        else if (e->caps.collects_cycles)   /* conservative: at most the graph and one round */
            T_CHECK(t, live_objects(h) - base <= 20);
        gclab_heap_free(h);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    T_RUN(test_dropped_cycle_leaks_iff_engine_does_not_collect_cycles);
    T_RUN(test_finalizers_in_a_dropped_cycle_run_exactly_once);
    T_RUN(test_weakref_is_cleared_when_its_target_dies);
    T_RUN(test_every_kind_graph_survives_collection_at_every_allocation);
    return t_done();
}
