/* test_rc.c — the `rc` engine: exact frees at zero, exact leaks of cycles,
 * finalizers once, weakref callbacks, and freeing deep chains without C
 * recursion. */
#include <pthread.h>

#include "gclab.h"
#include "t.h"

static gclab_heap *heap(void)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("rc", NULL, err, sizeof err);
    if (!h)
        fprintf(stderr, "heap: %s\n", err);
    return h;
}

static uint64_t live(gclab_heap *h)
{
    struct gclab_stats s;
    gclab_heap_stats(h, &s);
    return s.live_objects;
}

static uint64_t live_bytes(gclab_heap *h)
{
    struct gclab_stats s;
    gclab_heap_stats(h, &s);
    return s.live_bytes;
}

/* The seeds' walk: a = [1, 2, 3]; b = a; c = a; del b — the list lives
 * until its last reference goes, and sys.getrefcount follows each step. */
static void test_refcount_walk_frees_at_last_reference(struct t *t)
{
    gclab_heap *h = heap();
    int64_t rc;
    gclab_frame_push(h, 4);   /* a, b, c, tmp */
    uint64_t base = live(h);
    gclab_list_new(h, 0);
    for (int i = 1; i <= 3; i++) {
        gclab_int_new(h, 3, i);
        gclab_list_append(h, 0, 3);
    }
    gclab_getrefcount(h, 0, &rc);
    T_EQ(t, rc, 2);
    gclab_move(h, 1, 0);
    gclab_move(h, 2, 0);
    gclab_getrefcount(h, 0, &rc);
    T_EQ(t, rc, 4);
    gclab_clear(h, 1);
    gclab_getrefcount(h, 0, &rc);
    T_EQ(t, rc, 3);
    T_EQ(t, live(h), base + 1);
    gclab_clear(h, 0);
    T_EQ(t, live(h), base + 1);
    gclab_clear(h, 2);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

/* A 2-node cycle dropped under rc stays allocated: exactly 2 objects leak,
 * and a full collection (there is none) finds nothing. */
static void test_dropped_cycle_leaks_exactly_its_nodes(struct t *t)
{
    gclab_heap *h = heap();
    int64_t found;
    gclab_frame_push(h, 2);
    uint64_t base = live(h), base_bytes = live_bytes(h);
    gclab_list_new(h, 0);
    gclab_list_new(h, 1);
    gclab_list_append(h, 0, 1);
    gclab_list_append(h, 1, 0);
    gclab_frame_pop(h);
    T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
    T_EQ(t, found, 0);
    T_EQ(t, live(h), base + 2);
    T_CHECK(t, live_bytes(h) > base_bytes);
    gclab_heap_drop_roots(h);
    T_EQ(t, live(h), 2);   /* only the cycle: the core roots were freed */
    gclab_heap_free(h);
}

/* Everything hanging off a cycle leaks with it, nothing else does. */
static void test_objects_reachable_only_from_a_cycle_leak_with_it(struct t *t)
{
    gclab_heap *h = heap();
    gclab_frame_push(h, 3);
    gclab_list_new(h, 0);
    gclab_list_append(h, 0, 0);               /* self-cycle */
    gclab_dict_new(h, 1);
    gclab_list_append(h, 0, 1);               /* a dict hanging off it */
    gclab_int_new(h, 2, 100000);
    gclab_str_intern(h, 1, "k");
    gclab_dict_new(h, 1);
    gclab_list_new(h, 2);                     /* an acyclic list, dropped: freed */
    gclab_heap_drop_roots(h);
    T_EQ(t, live(h), 2);                      /* the self-cycle and its dict */
    gclab_heap_free(h);
}

static int del_calls;

static gclab_status count_del(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h;
    (void)ctx;
    (void)code;
    del_calls++;
    return GCLAB_OK;
}

/* __del__ runs exactly once when the last reference goes. */
static void test_finalizer_runs_once_at_zero(struct t *t)
{
    gclab_heap *h = heap();
    del_calls = 0;
    gclab_frame_push(h, 3);
    gclab_func_new(h, 0, "__del__", count_del, NULL, 0, 1, 1);
    gclab_class_new(h, 1, "C", -1, 0);
    uint64_t base = live(h);
    gclab_call(h, 2, 1, 0, NULL);
    T_EQ(t, live(h), base + 1);
    gclab_clear(h, 2);
    T_EQ(t, del_calls, 1);
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

static gclab_status resurrect(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    del_calls++;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* An object its __del__ resurrects survives; its __del__ never runs again. */
static void test_resurrected_object_survives_and_is_not_finalized_again(struct t *t)
{
    gclab_heap *h = heap();
    gclab_name saved = gclab_intern(h, "saved");
    del_calls = 0;
    gclab_frame_push(h, 3);
    gclab_func_new(h, 0, "__del__", resurrect, NULL, 0, 1, 1);
    gclab_class_new(h, 1, "Phoenix", -1, 0);
    uint64_t base = live(h);
    gclab_call(h, 2, 1, 0, NULL);
    gclab_clear(h, 2);
    T_EQ(t, del_calls, 1);
    T_EQ(t, live(h), base + 1);               /* alive, in the global */
    T_EQ(t, gclab_global_get(h, 2, saved), GCLAB_OK);
    T_STREQ(t, gclab_type_name(h, 2), "Phoenix");
    gclab_global_del(h, saved);
    gclab_clear(h, 2);
    T_EQ(t, del_calls, 1);                    /* not again */
    T_EQ(t, live(h), base);
    gclab_heap_free(h);
}

static int cb_calls;
static int cb_saw_none;

static gclab_status weak_cb(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    cb_calls++;
    gclab_weakref_get(h, 1, 0);               /* slot 0: the weakref itself */
    cb_saw_none = gclab_kind_of(h, 1) == GCLAB_K_NONE;
    return GCLAB_OK;
}

/* A weakref to a dying object is cleared before its callback runs. */
static void test_weakref_cleared_and_callback_called_once(struct t *t)
{
    gclab_heap *h = heap();
    cb_calls = cb_saw_none = 0;
    gclab_frame_push(h, 5);
    gclab_class_new(h, 0, "C", -1, -1);
    gclab_call(h, 1, 0, 0, NULL);
    gclab_func_new(h, 2, "cb", weak_cb, NULL, 0, 1, 2);
    T_EQ(t, gclab_weakref_new(h, 3, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 4, 1, -1), GCLAB_OK);
    gclab_weakref_get(h, 2, 3);
    T_STREQ(t, gclab_type_name(h, 2), "C");
    gclab_clear(h, 2);
    gclab_clear(h, 1);
    T_EQ(t, cb_calls, 1);
    T_CHECK(t, cb_saw_none);
    gclab_weakref_get(h, 2, 4);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_NONE);
    gclab_heap_free(h);
}

/* A weakref that dies before its target leaves the target's list intact. */
static void test_weakref_dying_first_unlinks_itself(struct t *t)
{
    gclab_heap *h = heap();
    gclab_frame_push(h, 5);
    gclab_class_new(h, 0, "C", -1, -1);
    gclab_call(h, 1, 0, 0, NULL);
    gclab_weakref_new(h, 2, 1, -1);
    gclab_weakref_new(h, 3, 1, -1);
    gclab_weakref_new(h, 4, 1, -1);
    gclab_clear(h, 3);                        /* the middle one */
    gclab_clear(h, 1);
    gclab_weakref_get(h, 1, 2);
    T_EQ(t, gclab_kind_of(h, 1), GCLAB_K_NONE);
    gclab_weakref_get(h, 1, 4);
    T_EQ(t, gclab_kind_of(h, 1), GCLAB_K_NONE);
    gclab_heap_free(h);
}

/* Build a chain of n 1-tuples ((((...),),),) and drop it. */
struct chain { long n; uint64_t live_after; int ok; };

static void *build_and_drop_chain(void *arg)
{
    struct chain *c = arg;
    gclab_heap *h = heap();
    int src = 0;
    gclab_frame_push(h, 1);
    gclab_none(h, 0);
    uint64_t base = live(h);
    for (long i = 0; i < c->n; i++)
        if (gclab_tuple_new(h, 0, 1, &src) != GCLAB_OK)
            return NULL;
    c->ok = live(h) == base + (uint64_t)c->n;
    gclab_clear(h, 0);                        /* frees all n, iteratively */
    c->live_after = live(h) - base;
    gclab_heap_free(h);
    return NULL;
}

/* A 10-million-node chain is freed on a 256 KiB stack: no C recursion. */
static void test_ten_million_node_chain_freed_without_c_recursion(struct t *t)
{
    pthread_attr_t attr;
    pthread_t th;
    struct chain c = { 10 * 1000 * 1000, 1, 0 };
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    T_EQ(t, pthread_create(&th, &attr, build_and_drop_chain, &c), 0);
    pthread_join(th, NULL);
    T_CHECK(t, c.ok);
    T_EQ(t, c.live_after, 0);
}

/* Dropped containers give back exactly the bytes they took. */
static void test_freed_bytes_balance(struct t *t)
{
    gclab_heap *h = heap();
    gclab_frame_push(h, 3);
    uint64_t base = live_bytes(h);
    gclab_list_new(h, 0);
    gclab_dict_new(h, 1);
    for (int i = 0; i < 1000; i++) {
        gclab_int_new(h, 2, 1000 + i);
        gclab_list_append(h, 0, 2);
        gclab_dict_set(h, 1, 2, 0);
    }
    T_CHECK(t, live_bytes(h) > base + 1000 * 24);
    gclab_clear(h, 2);
    gclab_clear(h, 0);
    T_CHECK(t, live_bytes(h) > base);          /* the dict holds the list */
    gclab_clear(h, 1);
    T_EQ(t, live_bytes(h), base);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_refcount_walk_frees_at_last_reference);
    T_RUN(test_dropped_cycle_leaks_exactly_its_nodes);
    T_RUN(test_objects_reachable_only_from_a_cycle_leak_with_it);
    T_RUN(test_finalizer_runs_once_at_zero);
    T_RUN(test_resurrected_object_survives_and_is_not_finalized_again);
    T_RUN(test_weakref_cleared_and_callback_called_once);
    T_RUN(test_weakref_dying_first_unlinks_itself);
    T_RUN(test_ten_million_node_chain_freed_without_c_recursion);
    T_RUN(test_freed_bytes_balance);
    return t_done();
}
