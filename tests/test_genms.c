/* test_genms.c — the generational sticky-mark-bit engine: an old-to-young
 * edge across a nursery collection (the remembered set), a second young
 * store into an object already remembered once, young garbage freed by a
 * nursery collection and old garbage only by a full one, weakrefs and
 * finalizers in nursery collections, get_count's meaning, and the full
 * collection the old space's growth triggers. Every heap runs with verify=2:
 * after each collection every old-to-young edge must start at a logged
 * object (G3). */
#include "engine.h"
#include "t.h"

static const struct gclab_engine *genms(void) { return gclab_engine_find("genms"); }

/* A heap that never collects on its own unless the test sets a nursery. */
static gclab_heap *gm_heap(const char *nursery)
{
    char err[256];
    struct gclab_kv kv[] = { { "nursery", nursery ? nursery : "100000000000" }, { "verify", "2" },
                             { "min_heap", "0" } };
    struct gclab_config cfg = { .nparams = 3, .params = kv };
    gclab_heap *h = gclab_heap_new("genms", &cfg, err, sizeof err);
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

static int64_t collect(gclab_heap *h, int gen)
{
    int64_t found = -1;
    if (gclab_gc_collect(h, gen, &found) != GCLAB_OK)
        return -1;
    return found;
}

static int64_t count(gclab_heap *h, int i)
{
    int64_t c[GCLAB_MAX_GENS];
    gclab_gc_get_count(h, c);
    return c[i];
}

/* An old list gets a young instance; the slot that held it is cleared: only
 * the old list reaches it, so only the remembered set keeps it through a
 * nursery collection, which then promotes it. */
static void test_genms_young_object_reached_only_from_an_old_one_survives_a_nursery_collection(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, -1), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);                      /* the list and the class are old now */
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 2), GCLAB_OK);  /* old -> young: logged */
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, genms()->verify(h, 2), 0);
    uint64_t live = stats(h).live_objects;
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, stats(h).live_objects, live);
    T_EQ(t, gclab_list_get(h, 2, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_INSTANCE);
    /* promoted: dropping it now is seen by a full collection only */
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_pop(h, 2, 0, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, collect(h, 1), 1);
    gclab_heap_free(h);
}

/* An object remembered once is unlogged by the nursery collection: a later
 * young store into it must be remembered again. */
static void test_genms_an_old_object_is_remembered_again_after_a_nursery_collection(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);
    for (int round = 0; round < 3; round++) {
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
        T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
        T_EQ(t, genms()->verify(h, 2), 0);
        T_EQ(t, collect(h, 0), 0);
    }
    int64_t n;
    T_EQ(t, gclab_len(h, 0, &n), GCLAB_OK);
    T_EQ(t, n, 3);
    for (int64_t i = 0; i < 3; i++) {
        T_EQ(t, gclab_list_get(h, 1, 0, i), GCLAB_OK);
        T_EQ(t, gclab_kind_of(h, 1), GCLAB_K_LIST);
    }
    gclab_heap_free(h);
}

/* Young garbage (a dropped young cycle) is found by a nursery collection;
 * old garbage (a dropped old cycle) only by a full one. */
static void test_genms_nursery_frees_young_garbage_and_full_frees_old_garbage(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);        /* old cycle: a = [a] */
    T_EQ(t, gclab_list_append(h, 0, 0), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);        /* young cycle: b = [c], c = [b] */
    T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    uint64_t live = stats(h).live_objects;
    T_EQ(t, collect(h, 0), 2);
    T_EQ(t, stats(h).live_objects, live - 2);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, collect(h, 1), 1);
    T_EQ(t, stats(h).live_objects, live - 3);
    struct gclab_gen_stats gs[GCLAB_MAX_GENS];
    T_EQ(t, gclab_gc_get_stats(h, gs), 2);
    T_EQ(t, gs[0].collections, 3);
    T_EQ(t, gs[0].collected, 2);
    T_EQ(t, gs[1].collections, 1);
    T_EQ(t, gs[1].collected, 1);
    gclab_heap_free(h);
}

static int64_t cb_runs, del_runs;

static gclab_status cb_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h; (void)ctx; (void)code;
    cb_runs++;
    return GCLAB_OK;
}

static gclab_status del_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx; (void)code;
    del_runs++;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* A young instance with an old weakref holder: the weakref (young, in an old
 * list) is cleared by the nursery collection that frees the instance, and
 * its callback runs once. */
static void test_genms_weakref_to_a_young_object_is_cleared_by_the_nursery_collection(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    cb_runs = 0;
    T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 1, "cb", cb_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 4), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);                      /* class, callback, list: old */
    T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 4, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, collect(h, 0), 1);
    T_EQ(t, cb_runs, 1);
    T_EQ(t, gclab_list_get(h, 3, 4, 0), GCLAB_OK);
    T_EQ(t, gclab_weakref_get(h, 2, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_NONE);
    T_EQ(t, collect(h, 1), 0);
    T_EQ(t, cb_runs, 1);
    gclab_heap_free(h);
}

/* A young instance whose __del__ resurrects it: the nursery collection runs
 * __del__ once and the instance survives, old; dropped again, a nursery
 * collection keeps it (it is old) and a full one frees it, without a second
 * __del__. */
static void test_genms_finalizer_resurrects_in_a_nursery_collection_and_dies_in_a_full_one(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    del_runs = 0;
    gclab_name saved = gclab_intern(h, "saved");
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 0, "__del__", del_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "D", -1, 0), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, collect(h, 0), 1);                      /* found, kept for __del__ */
    T_EQ(t, del_runs, 1);
    T_EQ(t, gclab_global_get(h, 2, saved), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_INSTANCE);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_none(h, 3), GCLAB_OK);
    T_EQ(t, gclab_global_set(h, saved, 3), GCLAB_OK);
    T_EQ(t, collect(h, 0), 0);                      /* old now: a nursery collection keeps it */
    T_EQ(t, collect(h, 1), 1);
    T_EQ(t, del_runs, 1);
    gclab_heap_free(h);
}

/* get_count() = [bytes allocated since the last collection, nursery
 * collections since the last full one]. */
static void test_genms_get_count_is_young_bytes_and_nursery_collections_since_full(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    T_EQ(t, collect(h, 1), 0);
    T_EQ(t, count(h, 0), 0);
    T_EQ(t, count(h, 1), 0);
    uint64_t a0 = stats(h).alloc_bytes;
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 0, 0), GCLAB_OK);
    T_EQ(t, count(h, 0), (int64_t)(stats(h).alloc_bytes - a0));
    T_CHECK(t, count(h, 0) > 0);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, count(h, 0), 0);
    T_EQ(t, count(h, 1), 2);
    T_EQ(t, collect(h, 1), 0);
    T_EQ(t, count(h, 1), 0);
    gclab_heap_free(h);
}

/* With a 64 KiB nursery, allocation alone runs nursery collections; an old
 * space that keeps growing (everything is kept) passes full_factor times the
 * live bytes after the last full collection, and the collection after the
 * nursery collection that saw it is a full one. */
static void test_genms_old_space_growth_triggers_a_full_collection(struct t *t)
{
    gclab_heap *h = gm_heap("65536");
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    int64_t th[GCLAB_MAX_GENS];
    uint64_t minors = 0, fulls = 0;
    bool expect_full = false;
    int checked = 0;
    for (int i = 0; i < 100000 && checked < 3; i++) {
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
        struct gclab_stats st = stats(h);
        if (st.collections[0] == minors && st.collections[1] == fulls)
            continue;
        /* exactly one collection ran in this iteration */
        T_EQ(t, st.collections[0] + st.collections[1], minors + fulls + 1);
        if (expect_full) {
            T_EQ(t, st.collections[1], fulls + 1);
            checked++;
        }
        minors = st.collections[0];
        fulls = st.collections[1];
        gclab_gc_get_threshold(h, th);
        expect_full = st.collections[0] > 0 && st.live_bytes > (uint64_t)th[1];
    }
    T_EQ(t, checked, 3);
    gclab_heap_free(h);
}

/* An old list, dict and instance grow their storage after their promotion,
 * storing only old objects (so the barrier logs none of them): the new item
 * array, table and attribute array are born marked (G1), and the nursery
 * collection, which traces none of the three, keeps them (verify=2 checks
 * every old object's storage mark; ASan would see a freed one read). */
static void test_genms_old_objects_storage_grown_after_promotion_survives_a_nursery_collection(struct t *t)
{
    gclab_heap *h = gm_heap(NULL);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 7), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);           /* L */
    T_EQ(t, gclab_dict_new(h, 1), GCLAB_OK);           /* D */
    T_EQ(t, gclab_class_new(h, 2, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 3, 2), GCLAB_OK);    /* I */
    T_EQ(t, gclab_list_new(h, 4), GCLAB_OK);           /* keys, old */
    for (int64_t i = 0; i < 40; i++) {
        T_EQ(t, gclab_int_new(h, 5, 1000 + i), GCLAB_OK);   /* not a cached small int */
        T_EQ(t, gclab_list_append(h, 4, 5), GCLAB_OK);
    }
    T_EQ(t, collect(h, 0), 0);                         /* all old now */
    uint64_t live = stats(h).live_objects;
    char name[16];
    for (int64_t i = 0; i < 40; i++) {
        T_EQ(t, gclab_list_get(h, 5, 4, i), GCLAB_OK);  /* an old int */
        T_EQ(t, gclab_list_append(h, 0, 5), GCLAB_OK);
        T_EQ(t, gclab_dict_set(h, 1, 5, 2), GCLAB_OK);
        snprintf(name, sizeof name, "a%d", (int)i);
        T_EQ(t, gclab_attr_set(h, 3, gclab_intern(h, name), 5), GCLAB_OK);
    }
    T_EQ(t, genms()->verify(h, 2), 0);
    T_EQ(t, collect(h, 0), 0);
    T_EQ(t, stats(h).live_objects, live);              /* interned names are immortal */
    for (int64_t i = 0; i < 40; i++) {
        int64_t v = -1;
        T_EQ(t, gclab_list_get(h, 5, 0, i), GCLAB_OK);
        T_EQ(t, gclab_int_value(h, 5, &v), GCLAB_OK);
        T_EQ(t, v, 1000 + i);
        T_EQ(t, gclab_dict_get(h, 6, 1, 5), GCLAB_OK);
        T_EQ(t, gclab_kind_of(h, 6), GCLAB_K_CLASS);
        snprintf(name, sizeof name, "a%d", (int)i);
        T_EQ(t, gclab_attr_get(h, 6, 3, gclab_intern(h, name)), GCLAB_OK);
        T_EQ(t, gclab_int_value(h, 6, &v), GCLAB_OK);
        T_EQ(t, v, 1000 + i);
    }
    T_EQ(t, collect(h, 1), 0);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_genms_young_object_reached_only_from_an_old_one_survives_a_nursery_collection);
    T_RUN(test_genms_an_old_object_is_remembered_again_after_a_nursery_collection);
    T_RUN(test_genms_nursery_frees_young_garbage_and_full_frees_old_garbage);
    T_RUN(test_genms_weakref_to_a_young_object_is_cleared_by_the_nursery_collection);
    T_RUN(test_genms_finalizer_resurrects_in_a_nursery_collection_and_dies_in_a_full_one);
    T_RUN(test_genms_get_count_is_young_bytes_and_nursery_collections_since_full);
    T_RUN(test_genms_old_space_growth_triggers_a_full_collection);
    T_RUN(test_genms_old_objects_storage_grown_after_promotion_survives_a_nursery_collection);
    return t_done();
}
