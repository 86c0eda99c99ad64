/* test_refcount.c — the refcount half of the collector API: the optional
 * on_incref / on_decref_live hooks (an engine table like rc's plus two
 * counting hooks, run through core_heap_new_engine), and the exact calls
 * they see for a known sequence of mutator operations; and the shared
 * refcount layer (core/refcount.c) as rc runs it: CPython's free order and
 * the decrements it reports. */
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

/* A dying list's child that stays alive is a live decrement the layer
 * reports: outer = [x]; del outer leaves x at 1 (one call, with x). */
static void test_layer_reports_a_dying_containers_live_child(struct t *t)
{
    gclab_heap *h = heap_with_hooks();
    T_CHECK(t, h);
    gclab_frame_push(h, 2);
    gclab_list_new(h, 0);   /* x */
    gclab_list_new(h, 1);   /* outer */
    gclab_list_append(h, 1, 0);
    gclab_obj *x = last_incref;
    T_CHECK(t, x && x->refcnt == 2);
    int base = decrefs_live;
    gclab_clear(h, 1);
    T_EQ(t, decrefs_live - base, 1);
    T_CHECK(t, last_decref_live == x);
    T_EQ(t, x->refcnt, 1);
    gclab_frame_pop(h);
    gclab_heap_free(h);
}

static int64_t del_order[8];
static int ndel;

/* __del__(self): note self.n. */
static gclab_status note_n(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    int64_t v = -1;
    if (gclab_attr_get(h, 1, 0, gclab_intern(h, "n")) == GCLAB_OK)
        gclab_int_value(h, 1, &v);
    if (ndel < 8)
        del_order[ndel++] = v;
    return GCLAB_OK;
}

/* Slot 2 gets a container holding instances n = 1, 2, 3 (each only there):
 * a list (append) or an instance (attributes a, b, c). */
static void build_three(gclab_heap *h, bool as_list)
{
    static const char *names[] = { "a", "b", "c" };
    gclab_func_new(h, 0, "__del__", note_n, NULL, 0, 1, 2);
    gclab_class_new(h, 1, "C", -1, 0);
    if (as_list)
        gclab_list_new(h, 2);
    else {
        gclab_class_new(h, 3, "Holder", -1, -1);
        gclab_instance_new(h, 2, 3);
    }
    for (int i = 0; i < 3; i++) {
        gclab_instance_new(h, 3, 1);
        gclab_int_new(h, 4, i + 1);
        gclab_attr_set(h, 3, gclab_intern(h, "n"), 4);
        if (as_list)
            gclab_list_append(h, 2, 3);
        else
            gclab_attr_set(h, 2, gclab_intern(h, names[i]), 3);
        gclab_clear(h, 3);
    }
    ndel = 0;
}

/* CPython's orders: a list's items die last-first, an instance's
 * attributes first-first (subtype_dealloc clears its dict in order). */
static void test_layer_frees_in_cpythons_orders(struct t *t)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("rc", NULL, err, sizeof err);
    T_CHECK(t, h);
    gclab_frame_push(h, 5);
    build_three(h, true);
    gclab_clear(h, 2);
    T_EQ(t, ndel, 3);
    T_EQ(t, del_order[0], 3);
    T_EQ(t, del_order[1], 2);
    T_EQ(t, del_order[2], 1);
    build_three(h, false);
    gclab_clear(h, 2);
    T_EQ(t, ndel, 3);
    T_EQ(t, del_order[0], 1);
    T_EQ(t, del_order[1], 2);
    T_EQ(t, del_order[2], 3);
    gclab_frame_pop(h);
    gclab_heap_free(h);
}

static gclab_obj *phoenix;
static int phoenix_decrefs;

static void count_phoenix(gclab_heap *h, gclab_obj *o)
{
    count_decref_live(h, o);
    if (o == phoenix)
        phoenix_decrefs++;
}

static gclab_status resurrect(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* A __del__ that resurrects leaves the object alive at count 1 (the
 * global), the last decrement of it a live one the hook sees. */
static void test_layer_reports_a_resurrection(struct t *t)
{
    gclab_heap *h = heap_with_hooks();
    T_CHECK(t, h);
    gclab_heap_free(h);
    char err[256];
    rc_hooked.on_decref_live = count_phoenix;
    h = core_heap_new_engine(&rc_hooked, NULL, err, sizeof err);
    T_CHECK(t, h);
    gclab_frame_push(h, 3);
    gclab_func_new(h, 0, "__del__", resurrect, NULL, 0, 1, 1);
    gclab_class_new(h, 1, "Phoenix", -1, 0);
    gclab_call(h, 2, 1, 0, NULL);
    gclab_move(h, 0, 2);   /* drops the func; slot 0 and 2 hold the instance */
    phoenix = last_incref;
    T_CHECK(t, phoenix && phoenix->kind == GCLAB_K_INSTANCE);
    gclab_clear(h, 0);
    phoenix_decrefs = 0;
    gclab_clear(h, 2);     /* zero: __del__ stores it in a global */
    T_EQ(t, phoenix->refcnt, 1);
    T_CHECK(t, phoenix_decrefs >= 1);
    T_CHECK(t, last_decref_live == phoenix);
    gclab_global_del(h, gclab_intern(h, "saved"));
    gclab_frame_pop(h);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_engines_without_hooks_cache_none);
    T_RUN(test_hooks_see_each_increment_and_live_decrement);
    T_RUN(test_layer_reports_a_dying_containers_live_child);
    T_RUN(test_layer_frees_in_cpythons_orders);
    T_RUN(test_layer_reports_a_resurrection);
    return t_done();
}
