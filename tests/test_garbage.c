/* test_garbage.c — gclab_heap_garbage (core/garbage.c): live objects that no
 * strong path from the roots reaches, in objects and bytes, on every
 * registered engine that knows its roots exactly (caps.precise). */
#include "engine.h"
#include "t.h"

static struct gclab_stats stats(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return st;
}

/* A cycle of two lists, in slots 0 and 1 of the current frame. */
static gclab_status two_list_cycle(gclab_heap *h)
{
    gclab_status st = gclab_list_new(h, 0);
    if (!st)
        st = gclab_list_new(h, 1);
    if (!st)
        st = gclab_list_append(h, 0, 1);
    if (!st)
        st = gclab_list_append(h, 1, 0);
    return st;
}

/* While its slots hold it, a two-list cycle is not garbage; once both are
 * dropped it is exactly 2 objects and the bytes it added to live_bytes
 * (blocks and item storage), until a full collection frees it on an engine
 * that collects cycles. */
static void test_a_dropped_cycle_is_garbage_until_collected(struct t *t)
{
    for (int i = 0; gclab_engine_at(i); i++) {
        const struct gclab_engine *e = gclab_engine_at(i);
        if (!e->caps.precise)
            continue;
        char err[256];
        gclab_heap *h = gclab_heap_new(e->name, NULL, err, sizeof err);
        T_CHECK(t, h != NULL);
        struct gclab_walk *w = NULL;
        struct gclab_garbage g0, g1, g2;
        int64_t found;
        T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
        T_EQ(t, gclab_heap_garbage(h, &w, &g0), GCLAB_OK);
        uint64_t b0 = stats(h).live_bytes;
        T_EQ(t, two_list_cycle(h), GCLAB_OK);
        uint64_t b1 = stats(h).live_bytes;
        T_EQ(t, gclab_heap_garbage(h, &w, &g1), GCLAB_OK);
        T_EQ(t, g1.objects, g0.objects);
        T_EQ(t, g1.bytes, g0.bytes);
        T_EQ(t, gclab_none(h, 0), GCLAB_OK);
        T_EQ(t, gclab_none(h, 1), GCLAB_OK);
        T_EQ(t, gclab_heap_garbage(h, &w, &g2), GCLAB_OK);
        printf("engine %s: garbage %llu objects %llu bytes\n", e->name,
               (unsigned long long)g2.objects, (unsigned long long)g2.bytes);
        T_EQ(t, g2.objects - g0.objects, 2);
        T_EQ(t, g2.bytes - g0.bytes, b1 - b0);
        if (e->caps.collects_cycles) {
            T_EQ(t, gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found), GCLAB_OK);
            T_EQ(t, gclab_heap_garbage(h, &w, &g2), GCLAB_OK);
            T_EQ(t, g2.objects, 0);
            T_EQ(t, g2.bytes, 0);
        }
        gclab_walk_free(w);
        gclab_heap_free(h);
    }
}

/* A weakref does not make its target reachable: on nogc (nothing is ever
 * freed) an instance held only by a weakref in a slot is garbage, and the
 * weakref and the class are not. Small ints and interned strs are immortal:
 * never counted. */
static void test_a_weakly_held_object_is_garbage(struct t *t)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("nogc", NULL, err, sizeof err);
    T_CHECK(t, h != NULL);
    struct gclab_walk *w = NULL;
    struct gclab_garbage g0, g1;
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 3, 7), GCLAB_OK);
    T_EQ(t, gclab_heap_garbage(h, &w, &g0), GCLAB_OK);
    T_EQ(t, g0.objects, 0);
    uint64_t b0 = stats(h).live_bytes;
    T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
    uint64_t b1 = stats(h).live_bytes;
    T_EQ(t, gclab_weakref_new(h, 2, 1, -1), GCLAB_OK);
    T_EQ(t, gclab_none(h, 1), GCLAB_OK);
    T_EQ(t, gclab_heap_garbage(h, &w, &g1), GCLAB_OK);
    T_EQ(t, g1.objects, 1);
    T_EQ(t, g1.bytes, b1 - b0);
    gclab_walk_free(w);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_a_dropped_cycle_is_garbage_until_collected);
    T_RUN(test_a_weakly_held_object_is_garbage);
    return t_done();
}
