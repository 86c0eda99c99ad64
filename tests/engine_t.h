/* engine_t.h — helpers for the unit tests that drive an engine through the
 * mutator API (core/gclab.h): a heap with a frame of slots, the counters a
 * test reads, native functions used as __del__ and weakref callbacks, rings,
 * and the randomized graph stress every refcount-plus-cycles engine runs.
 * Include after t.h. Every helper is static and may go unused. */
#ifndef GCLAB_ENGINE_T_H
#define GCLAB_ENGINE_T_H

#include <stdint.h>
#include <stdlib.h>

#include "gclab.h"
#include "t.h"

#define T_UNUSED __attribute__((unused))

/* A heap of `engine` with params, and a frame of nslots slots pushed (none
 * when nslots is 0); NULL (the reason printed) on failure. */
static T_UNUSED gclab_heap *t_heap(const char *engine, size_t nparams, const struct gclab_kv *params,
                                   int nslots)
{
    char err[256];
    struct gclab_config cfg = { .nparams = nparams, .params = params };
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h) {
        printf("heap %s: %s\n", engine, err);
        return NULL;
    }
    if (nslots > 0 && gclab_frame_push(h, nslots) != GCLAB_OK) {
        gclab_heap_free(h);
        return NULL;
    }
    return h;
}

static T_UNUSED struct gclab_stats t_stats(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return st;
}

static T_UNUSED int64_t t_live(gclab_heap *h) { return (int64_t)t_stats(h).live_objects; }

/* gc.collect(gen)'s return value, or -1 on an error. */
static T_UNUSED int64_t t_collect(gclab_heap *h, int gen)
{
    int64_t n = -1;
    if (gclab_gc_collect(h, gen, &n) != GCLAB_OK)
        return -1;
    return n;
}

/* gc.get_count()[i]. */
static T_UNUSED int64_t t_count(gclab_heap *h, int i)
{
    int64_t c[GCLAB_MAX_GENS];
    gclab_gc_get_count(h, c);
    return c[i];
}

/* gc.get_stats()[gen]['collections']. */
static T_UNUSED int64_t t_collections(gclab_heap *h, int gen)
{
    struct gclab_gen_stats s[GCLAB_MAX_GENS];
    gclab_gc_get_stats(h, s);
    return s[gen].collections;
}

/* len() of the object in slot, or -1. */
static T_UNUSED int64_t t_len(gclab_heap *h, int slot)
{
    int64_t n = -1;
    gclab_len(h, slot, &n);
    return n;
}

/* ---- native functions used as __del__ and callbacks (ctx: an int counter) -- */

static T_UNUSED gclab_status t_fn_count(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h;
    (void)code;
    ++*(int *)ctx;
    return GCLAB_OK;
}

/* __del__ that stores self in the global `saved` (resurrection). */
static T_UNUSED gclab_status t_fn_resurrect(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* Weakref callback that pops the global list L (dropping the weakref in it). */
static T_UNUSED gclab_status t_fn_pop_L(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    ++*(int *)ctx;
    gclab_status st = gclab_global_get(h, 1, gclab_intern(h, "L"));
    return st != GCLAB_OK ? st : gclab_list_pop(h, -1, 1, -1);
}

/* ---- structures ------------------------------------------------------------ */

/* a = []; b = []; a.append(b); b.append(a) in slots a, b. */
static T_UNUSED gclab_status t_two_cycle(gclab_heap *h, int a, int b)
{
    gclab_status st = gclab_list_new(h, a);
    if (st == GCLAB_OK)
        st = gclab_list_new(h, b);
    if (st == GCLAB_OK)
        st = gclab_list_append(h, a, b);
    if (st == GCLAB_OK)
        st = gclab_list_append(h, b, a);
    return st;
}

/* A ring of n lists, each holding the next, with no root left. */
static T_UNUSED gclab_status t_make_ring(gclab_heap *h, int n)
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

/* ---- randomized stress ------------------------------------------------------ */

#define T_STRESS_SLOTS 32

struct t_stress { int runs[4096]; int64_t next_id; uint64_t rng; };

static T_UNUSED uint64_t t_stress_rand(struct t_stress *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* __del__: counts its run for self.id; allocates (a collection may start
 * mid-drain); every third one resurrects self into the global list R (if R
 * still exists). */
static T_UNUSED gclab_status t_fn_stress_del(gclab_heap *h, void *ctx, int64_t code)
{
    (void)code;
    struct t_stress *s = ctx;
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

/* Weakref callback that allocates, so a collection can start inside a
 * refcount drain (it allocates no cycle: the end state stays exact). */
static T_UNUSED gclab_status t_fn_stress_cb(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    return gclab_list_new(h, 1);
}

/* Random graphs of lists, dicts, tuples and instances with __del__ and
 * weakrefs with callbacks, 6000 operations for each of seeds 1..4, on
 * `engine` with params (a tiny trigger and verify=2, the heap checked after
 * every collection). Random collections are of generation 0 (max_gen 0) or
 * of a random generation 0..max_gen. Checks: nothing crashes, and after the
 * roots are dropped one collection of max_gen leaves nothing and every
 * __del__ has run exactly once. */
static T_UNUSED void t_stress_graphs(struct t *t, const char *engine, size_t nparams,
                                     const struct gclab_kv *params, int max_gen)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct t_stress *s = calloc(1, sizeof *s);
        T_CHECK(t, s);
        s->rng = seed;
        gclab_heap *h = t_heap(engine, nparams, params, T_STRESS_SLOTS);
        T_CHECK(t, h);
        gclab_name idn = gclab_intern(h, "id"), an = gclab_intern(h, "a"), rn = gclab_intern(h, "R");
        enum { CLS = 0, CB = 1, FIRST = 2 };
        T_EQ(t, gclab_func_new(h, 3, "__del__", t_fn_stress_del, s, 0, 1, 3), GCLAB_OK);
        T_EQ(t, gclab_class_new(h, CLS, "S", -1, 3), GCLAB_OK);
        T_EQ(t, gclab_func_new(h, CB, "cb", t_fn_stress_cb, s, 0, 1, 2), GCLAB_OK);
        T_EQ(t, gclab_list_new(h, 3), GCLAB_OK);
        T_EQ(t, gclab_global_set(h, rn, 3), GCLAB_OK);
        for (int op = 0; op < 6000; op++) {
            int a = FIRST + (int)(t_stress_rand(s) % (T_STRESS_SLOTS - FIRST - 1));
            int b = FIRST + (int)(t_stress_rand(s) % (T_STRESS_SLOTS - FIRST - 1));
            int tmp = T_STRESS_SLOTS - 1, ka = gclab_kind_of(h, a), kb = gclab_kind_of(h, b);
            int64_t found;
            switch (t_stress_rand(s) % 11) {
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
                    gclab_weakref_new(h, a, b, t_stress_rand(s) % 2 ? CB : -1);
                break;
            case 7: if (ka != GCLAB_K_EMPTY) gclab_clear(h, a); break;
            case 8:
                gclab_gc_collect(h, max_gen ? (int)(t_stress_rand(s) % (uint64_t)(max_gen + 1)) : 0, &found);
                break;
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
        T_EQ(t, gclab_gc_collect(h, max_gen, &found), GCLAB_OK);
        T_EQ(t, t_live(h), 0);
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

#endif
