/* test_refcount.c — the refcount half of the collector API: the optional
 * on_incref / on_decref_live hooks (an engine table like rc's plus two
 * counting hooks, run through core_heap_new_engine), and the exact calls
 * they see for a known sequence of mutator operations. */
#include "engine.h"
#include "t.h"

static int increfs, decrefs_live;
static gclab_obj *last_incref, *last_decref_live;

static void count_incref(gclab_heap *h, gclab_obj *o)
{
    (void)h;
    increfs++;
    last_incref = o;
}

static void count_decref_live(gclab_heap *h, gclab_obj *o)
{
    (void)h;
    decrefs_live++;
    last_decref_live = o;
}

extern const struct gclab_engine gclab_engine_rc;
static struct gclab_engine rc_hooked;

static gclab_heap *heap_with_hooks(void)
{
    char err[256];
    rc_hooked = gclab_engine_rc;
    rc_hooked.on_incref = count_incref;
    rc_hooked.on_decref_live = count_decref_live;
    gclab_heap *h = core_heap_new_engine(&rc_hooked, NULL, err, sizeof err);
    if (!h) {
        fprintf(stderr, "heap: %s\n", err);
        return NULL;
    }
    increfs = decrefs_live = 0;
    last_incref = last_decref_live = NULL;
    return h;
}

/* An engine without hooks has none cached: obj_incref/obj_decref take the
 * hook-free path (the measured one). */
static void test_engines_without_hooks_cache_none(struct t *t)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("rc", NULL, err, sizeof err);
    T_CHECK(t, h);
    T_CHECK(t, core_hot_(h)->on_incref == NULL);
    T_CHECK(t, core_hot_(h)->on_decref_live == NULL);
    gclab_heap_free(h);
}

/* b = a raises a's count (one incref); del b lowers it to 1 (one live
 * decrement, of a); del a frees it (zero: release, not on_decref_live). */
static void test_hooks_see_each_increment_and_live_decrement(struct t *t)
{
    gclab_heap *h = heap_with_hooks();
    T_CHECK(t, h);
    gclab_frame_push(h, 2);
    gclab_list_new(h, 0);
    int base_inc = increfs, base_dec = decrefs_live;
    gclab_move(h, 1, 0);
    T_EQ(t, increfs - base_inc, 1);
    T_EQ(t, decrefs_live - base_dec, 0);
    gclab_obj *a = last_incref;
    T_CHECK(t, a && a->kind == GCLAB_K_LIST);
    T_EQ(t, a->refcnt, 2);
    gclab_clear(h, 1);
    T_EQ(t, increfs - base_inc, 1);
    T_EQ(t, decrefs_live - base_dec, 1);
    T_CHECK(t, last_decref_live == a);
    T_EQ(t, a->refcnt, 1);
    struct gclab_stats s0, s1;
    gclab_heap_stats(h, &s0);
    gclab_clear(h, 0);
    gclab_heap_stats(h, &s1);
    T_EQ(t, decrefs_live - base_dec, 1);      /* reached zero: released */
    T_EQ(t, s0.live_objects - s1.live_objects, 1);
    gclab_frame_pop(h);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_engines_without_hooks_cache_none);
    T_RUN(test_hooks_see_each_increment_and_live_decrement);
    return t_done();
}
