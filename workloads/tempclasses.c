/* tempclasses.c — short-lived classes whose fields refer back to them: the
 * shape of Django's migration framework, which renders a temporary model
 * class per model for every migration state (django/db/migrations/state.py,
 * ModelState.render), each with an Options object whose fields point back
 * at the model, and throws them away a few states later — the second field
 * case behind CPython 3.14.5's return to the generational collector.
 *
 *     class Options: pass
 *     class Field: pass
 *     alive = []                                     # the last `keep` states
 *     for r in range(rounds):
 *         Model = type('Model', (), {})              # a new class each round
 *         meta = Options(); meta.model = Model; meta.fields = []
 *         Model._meta = meta                         # class <-> its Options
 *         meta.proto = Model(); meta.proto.meta = meta   # an instance: holds Model
 *         for f in range(fields):
 *             fld = Field(); fld.model = Model; fld.meta = meta; fld.index = f
 *             meta.fields.append(fld)
 *         alive.append(meta)
 *         if len(alive) > keep:
 *             old = alive.pop(0)                     # checked, then dropped: garbage
 *             every old.fields[f] has .meta is old, .model is old.model, .index == f
 *
 * The class is on the cycles, as Django's is: Model -> its class dict ->
 * meta -> fields -> Model, and meta <-> proto.
 *
 * `result` = (rounds - keep) * fields * (fields + 1) / 2: the indexes + 1
 * of every checked field (rounds > keep). Objects per round: a class and its
 * attribute dict, 2 + fields instances, a list; all cyclic garbage once dropped.
 *
 * Stresses: classes (and what hangs off them) that die only by cycle
 * collection, after surviving `keep` rounds — long enough to be promoted.
 *   nogc       keeps everything.
 *   rc         frees only the alive list: every state leaks, the last `keep`
 *              too once the list goes, and the classes Options and Field
 *              with them: leaked = rounds * (5 + fields) + 2 (exact).
 *   rcgen      gen 0 every 700 / (5 + fields) rounds at defaults; the states
 *              alive at a gen-0 collection reach gen 1 and die there.
 *   rcinc      promoted states wait for the increment that reaches them.
 */
#include <stdio.h>

#include "workload.h"

static gclab_status tempclasses_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t rounds = wl_param_int(ctx, "rounds"), fields = wl_param_int(ctx, "fields");
    int64_t keep = wl_param_int(ctx, "keep"), total = 0;
    gclab_name model = gclab_intern(h, "model"), fields_n = gclab_intern(h, "fields");
    gclab_name meta_n = gclab_intern(h, "meta"), proto = gclab_intern(h, "proto");
    gclab_name index = gclab_intern(h, "index"), meta_attr = gclab_intern(h, "_meta");
    if (keep < 1 || rounds <= keep)
        return gclab_raise(h, GCLAB_EVALUE, "keep must be at least 1 and below rounds");
    if (fields > 256)
        return gclab_raise(h, GCLAB_EVALUE, "fields must be at most 256 (indexes are shared small ints)");
    if (!model || !fields_n || !meta_n || !proto || !index || !meta_attr)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    /* 0 Options, 1 Field, 2 alive, 3 Model, 4 meta, 5 list, 6 instance, 7 int, 8..10 scratch */
    WL_TRY(gclab_frame_push(h, 11));
    WL_TRY(gclab_class_new(h, 0, "Options", -1, -1));
    WL_TRY(gclab_class_new(h, 1, "Field", -1, -1));
    WL_TRY(gclab_list_new(h, 2));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        WL_TRY(gclab_class_new(h, 3, "Model", -1, -1));
        WL_TRY(gclab_instance_new(h, 4, 0));
        WL_TRY(gclab_attr_set(h, 4, model, 3));
        WL_TRY(gclab_attr_set(h, 3, meta_attr, 4));
        WL_TRY(gclab_list_new(h, 5));
        WL_TRY(gclab_attr_set(h, 4, fields_n, 5));
        WL_TRY(gclab_instance_new(h, 6, 3));
        WL_TRY(gclab_attr_set(h, 4, proto, 6));
        WL_TRY(gclab_attr_set(h, 6, meta_n, 4));
        for (int64_t f = 0; f < fields; f++) {
            WL_TRY(gclab_instance_new(h, 6, 1));
            WL_TRY(gclab_attr_set(h, 6, model, 3));
            WL_TRY(gclab_attr_set(h, 6, meta_n, 4));
            WL_TRY(gclab_int_new(h, 7, f));
            WL_TRY(gclab_attr_set(h, 6, index, 7));
            WL_TRY(gclab_list_append(h, 5, 6));
        }
        WL_TRY(gclab_list_append(h, 2, 4));
        for (int s = 3; s <= 7; s++)
            WL_TRY(gclab_none(h, s));
        int64_t n = 0;
        WL_TRY(gclab_len(h, 2, &n));
        if (n <= keep)
            continue;
        /* slot 4 = the oldest state, 3 = its class, 5 = its fields */
        WL_TRY(gclab_list_pop(h, 4, 2, 0));
        WL_TRY(gclab_attr_get(h, 3, 4, model));
        WL_TRY(gclab_attr_get(h, 5, 4, fields_n));
        WL_TRY(gclab_len(h, 5, &n));
        if (n != fields)
            return gclab_raise(h, GCLAB_EASSERT, "round %lld: %lld fields, not %lld", (long long)r,
                               (long long)n, (long long)fields);
        for (int64_t f = 0; f < fields; f++) {
            bool m1 = false, m2 = false;
            int64_t i = -1;
            WL_TRY(gclab_list_get(h, 6, 5, f));
            WL_TRY(gclab_attr_get(h, 8, 6, meta_n));
            WL_TRY(gclab_is(h, 8, 4, &m1));
            WL_TRY(gclab_attr_get(h, 9, 6, model));
            WL_TRY(gclab_is(h, 9, 3, &m2));
            WL_TRY(gclab_attr_get(h, 10, 6, index));
            WL_TRY(gclab_int_value(h, 10, &i));
            if (!m1 || !m2 || i != f)
                return gclab_raise(h, GCLAB_EASSERT, "round %lld: field %lld lost its model", (long long)r,
                                   (long long)f);
            total += i + 1;
        }
        for (int s = 3; s <= 10; s++)
            WL_TRY(gclab_none(h, s));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec tempclasses_params[] = {
    GCLAB_PINT("rounds", "20000", 2, 1e12, "migration states rendered"),
    GCLAB_PINT("fields", "8", 0, 256, "fields per model, each pointing back at it"),
    GCLAB_PINT("keep", "4", 1, 1e9, "states kept alive before the oldest is dropped"),
    GCLAB_PEND,
};

static bool tempclasses_check(const struct wl_ctx *ctx, char *err, size_t errlen)
{
    int64_t rounds = wl_param_int(ctx, "rounds"), keep = wl_param_int(ctx, "keep");
    if (keep < rounds)
        return true;
    snprintf(err, errlen, "tempclasses needs keep < rounds (got keep=%lld rounds=%lld)", (long long)keep,
             (long long)rounds);
    return false;
}

const struct workload wl_tempclasses = {
    .name = "tempclasses",
    .summary = "Django migrations' shape: temporary model classes with fields pointing back, dropped",
    .params = tempclasses_params,
    .run = tempclasses_run,
    .check = tempclasses_check,
};
