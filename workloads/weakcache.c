/* weakcache.c — a cache of weak references to values that the mutator
 * keeps or drops at random, every lookup checked against a plain model.
 *
 * The heap holds `cache` (dict key -> weakref to a Value) and `strong` (dict
 * key -> Value, the mutator's own references). The model is two bit arrays
 * in C: held[k] (strong[k] exists) and cached[k] (cache[k] exists). Step s:
 *     r = wl_rand(seed); k = r % keys; d = (r >> 32) % 100
 *     key = int(k)                         # a new int object when k > 256
 *     if cached[k]:
 *         v = cache[k]()
 *         if held[k]:  v must be strong[k] with v.key == k   (determined)
 *         else:        v is None or a Value with v.key == k   (the engine decides)
 *     if held[k] and d < drop_percent: del strong[k]
 *     elif not held[k]:
 *         v = Value(); v.key = key; strong[k] = v; cache[k] = weakref.ref(v)
 * A determined lookup that disagrees, or an undetermined one returning a
 * wrong object, fails the run. A dropped value may or may not have been
 * freed yet (at once on rc, never on nogc, at the next collection
 * elsewhere), so only determined lookups count:
 * `result` = sum of (k + 1) over the determined lookups. It depends on the
 * seed and the parameters only.
 * Objects allocated: class Value and the two dicts, then per step an int
 * when k > 256, and per creation a Value and a weakref. No cycles: leaked is
 * 0 on rc.
 *
 * Stresses: weakref clearing (how many weakrefs die per collection) and
 * finding a weakly held object again. At defaults (1000 keys, 30% drop
 * chance, 1,000,000 steps) about a quarter of the steps create a value.
 * Collections at defaults:
 *   nogc, rc   none (rc clears each weakref the moment its value is dropped).
 *   rcgen      values and weakrefs die by refcount, the dicts stay; the net
 *              container count rarely reaches 700: a handful of collections.
 *   marksweep  the heap barely grows (replaced entries die): a few
 *              collections, each clearing the weakrefs of dropped values.
 */
#include <stdlib.h>

#include "workload.h"

enum { S_CACHE, S_STRONG, S_CLS, S_KEY, S_WR, S_V, S_S, S_TMP, NSLOTS };

static gclab_status weakcache_steps(gclab_heap *h, struct wl_ctx *ctx, int64_t keys, int64_t drop,
                                    int64_t steps, bool *held, bool *cached)
{
    gclab_name key_attr = gclab_intern(h, "key");
    uint64_t rng = ctx->seed;
    int64_t total = 0, got;
    if (!key_attr)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    WL_TRY(gclab_frame_push(h, NSLOTS));
    WL_TRY(gclab_dict_new(h, S_CACHE));
    WL_TRY(gclab_dict_new(h, S_STRONG));
    WL_TRY(gclab_class_new(h, S_CLS, "Value", -1, -1));
    wl_measure_begin(h, ctx);
    for (int64_t s = 0; s < steps; s++) {
        uint64_t r = wl_rand(&rng);
        int64_t k = (int64_t)(r % (uint64_t)keys), d = (int64_t)((r >> 32) % 100);
        WL_TRY(gclab_int_new(h, S_KEY, k));
        if (cached[k]) {
            WL_TRY(gclab_dict_get(h, S_WR, S_CACHE, S_KEY));
            WL_TRY(gclab_weakref_get(h, S_V, S_WR));
            bool alive = gclab_kind_of(h, S_V) != GCLAB_K_NONE, same = true;
            if (alive) {
                WL_TRY(gclab_attr_get(h, S_TMP, S_V, key_attr));
                WL_TRY(gclab_int_value(h, S_TMP, &got));
                if (got != k)
                    return gclab_raise(h, GCLAB_EASSERT, "step %lld: cache[%lld]() has key %lld",
                                       (long long)s, (long long)k, (long long)got);
            }
            if (held[k]) {
                if (alive) {
                    WL_TRY(gclab_dict_get(h, S_S, S_STRONG, S_KEY));
                    WL_TRY(gclab_is(h, S_V, S_S, &same));
                }
                if (!alive || !same)
                    return gclab_raise(h, GCLAB_EASSERT, "step %lld: cache[%lld]() is %s, not the value held",
                                       (long long)s, (long long)k, alive ? "another object" : "None");
                total += k + 1;
            }
        }
        if (held[k] && d < drop) {
            WL_TRY(gclab_dict_del(h, S_STRONG, S_KEY));
            held[k] = false;
        } else if (!held[k]) {
            WL_TRY(gclab_instance_new(h, S_V, S_CLS));
            WL_TRY(gclab_attr_set(h, S_V, key_attr, S_KEY));
            WL_TRY(gclab_dict_set(h, S_STRONG, S_KEY, S_V));
            WL_TRY(gclab_weakref_new(h, S_WR, S_V, -1));
            WL_TRY(gclab_dict_set(h, S_CACHE, S_KEY, S_WR));
            held[k] = cached[k] = true;
        }
        for (int i = S_KEY; i < NSLOTS; i++)
            WL_TRY(gclab_none(h, i));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static gclab_status weakcache_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t keys = wl_param_int(ctx, "keys"), drop = wl_param_int(ctx, "drop_percent");
    int64_t steps = wl_param_int(ctx, "steps");
    if (keys < 1 || keys > 10000000 || drop > 100)
        return gclab_raise(h, GCLAB_EVALUE, "need 1 <= keys <= 10000000 and drop_percent <= 100");
    bool *held = calloc((size_t)keys, sizeof *held), *cached = calloc((size_t)keys, sizeof *cached);
    gclab_status st = held && cached ? weakcache_steps(h, ctx, keys, drop, steps, held, cached)
                                     : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    free(held);
    free(cached);
    return st;
}

static const struct gclab_param_spec weakcache_params[] = {
    GCLAB_PINT("keys", "1000", 1, 1e7, "distinct keys"),
    GCLAB_PINT("drop_percent", "30", 0, 100, "chance (%) that a step on a held key drops the value"),
    GCLAB_PINT("steps", "1000000", 0, 1e12, "lookups"),
    GCLAB_PEND,
};

const struct workload wl_weakcache = {
    .name = "weakcache",
    .summary = "a cache of weakrefs to values kept or dropped at random, checked against a model",
    .params = weakcache_params,
    .run = weakcache_run,
};
