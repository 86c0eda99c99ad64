/* finalizers.c — objects with __del__: plain ones, ones in two-object
 * cycles, and ones whose __del__ resurrects them.
 *
 *     class F:
 *         def __del__(self):                    # a native function
 *             calls += 1
 *             assert self.check == self.val * 3 % 251   # counted, checked at the end
 *             if self.revive: global revived; revived = self
 *     m = 0
 *     for r in range(rounds):
 *         for i in range(acyclic):  x = F(m); total += x.val + 1; del x
 *         for i in range(cycles):   x = F(m); y = F(m); x.peer = y; y.peer = x;
 *                                   total += x.val + y.val + 2; del x, y
 *         for i in range(resurrect):x = F(m, revive=True); total += x.val + 1; del x
 *     gc.collect(); gc.collect()
 * where F(m) sets val = m % 200, check = val * 3 % 251, revive, and m += 1
 * (all small ints: no int objects are allocated).
 *
 * `result` = sum of (val + 1) over every object, read back before it is
 * dropped; it does not depend on the engine. What the engine does shows in
 * the record's finalizers_run (checked against this file's own call count,
 * which a mismatch fails) and leaked. With A = rounds * acyclic,
 * C = rounds * cycles, R = rounds * resurrect:
 *   nogc       runs no finalizer; leaked = 2 + A + 2C + R (class F and its
 *              __del__ func included).
 *   rc         runs __del__ of A + R objects, when dropped; never for
 *              cycles. A resurrected object lives in `revived` until the
 *              next one replaces it, then is freed without a second __del__.
 *              leaked = 2C, plus class F and __del__ when C > 0 (exact).
 *   rcgen, marksweep
 *              run every __del__ exactly once (PEP 442): A + 2C + R,
 *              cycles at the explicit collections at the latest; leaked 0.
 * Stresses: finalization, resurrection, and that finalizers see intact
 * objects. Collections at defaults (100,000 rounds of 5 + 2x2 + 1 objects):
 *   nogc, rc   none.
 *   rcgen      only the cycles stay behind: 4 containers per round reach
 *              700 every 175 rounds, about 570 gen-0 collections plus the
 *              two explicit ones.
 *   marksweep  the live heap is tiny: a collection each time the cycles
 *              double it, some dozens.
 */
#include "workload.h"

/* The __del__ call count and failed checks; static because a finalizer may
 * run after the workload returned (when the CLI drops the roots). */
static struct {
    int64_t calls, bad;
    gclab_name val, check, revive, revived;
} fin;

/* Check the F in slot 0 and resurrect it if it asks to be. */
static gclab_status fin_check(gclab_heap *h)
{
    int64_t val, check;
    bool revive;
    WL_TRY(gclab_attr_get(h, 1, 0, fin.val));
    WL_TRY(gclab_int_value(h, 1, &val));
    WL_TRY(gclab_attr_get(h, 1, 0, fin.check));
    WL_TRY(gclab_int_value(h, 1, &check));
    if (check != val * 3 % 251)
        fin.bad++;
    WL_TRY(gclab_attr_get(h, 1, 0, fin.revive));
    WL_TRY(gclab_truth(h, 1, &revive));
    if (revive)
        WL_TRY(gclab_global_set(h, fin.revived, 0));
    return GCLAB_OK;
}

/* F.__del__(self): count the call; a failed check counts as bad (the error itself is only printed). */
static gclab_status fin_del(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    fin.calls++;
    gclab_status st = fin_check(h);
    if (st != GCLAB_OK)
        fin.bad++;
    return st;
}

/* A new F into slot dst (cls: the class slot, tmp: a scratch slot); adds val + 1 to *total. */
static gclab_status new_f(gclab_heap *h, int cls, int dst, int tmp, int64_t *m, bool revive, int64_t *total)
{
    int64_t val = *m % 200;
    ++*m;
    WL_TRY(gclab_instance_new(h, dst, cls));
    WL_TRY(gclab_int_new(h, tmp, val));
    WL_TRY(gclab_attr_set(h, dst, fin.val, tmp));
    WL_TRY(gclab_int_new(h, tmp, val * 3 % 251));
    WL_TRY(gclab_attr_set(h, dst, fin.check, tmp));
    WL_TRY(gclab_bool(h, tmp, revive));
    WL_TRY(gclab_attr_set(h, dst, fin.revive, tmp));
    WL_TRY(gclab_attr_get(h, tmp, dst, fin.val));
    WL_TRY(gclab_int_value(h, tmp, &val));
    *total += val + 1;
    return GCLAB_OK;
}

static gclab_status finalizers_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t rounds = wl_param_int(ctx, "rounds"), acyclic = wl_param_int(ctx, "acyclic");
    int64_t cycles = wl_param_int(ctx, "cycles"), resurrect = wl_param_int(ctx, "resurrect");
    int64_t m = 0, total = 0, found;
    gclab_name peer = gclab_intern(h, "peer");
    fin.calls = fin.bad = 0;
    fin.val = gclab_intern(h, "val");
    fin.check = gclab_intern(h, "check");
    fin.revive = gclab_intern(h, "revive");
    fin.revived = gclab_intern(h, "revived");
    if (!peer || !fin.val || !fin.check || !fin.revive || !fin.revived)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    WL_TRY(gclab_frame_push(h, 5));   /* 0 F, 1 x, 2 y, 3 tmp, 4 __del__ */
    WL_TRY(gclab_func_new(h, 4, "__del__", fin_del, NULL, 0, 1, 2));
    WL_TRY(gclab_class_new(h, 0, "F", -1, 4));
    WL_TRY(gclab_none(h, 4));
    struct gclab_stats before, after;
    gclab_heap_stats(h, &before);
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < rounds; r++) {
        for (int64_t i = 0; i < acyclic; i++) {
            WL_TRY(new_f(h, 0, 1, 3, &m, false, &total));
            WL_TRY(gclab_none(h, 1));
        }
        for (int64_t i = 0; i < cycles; i++) {
            WL_TRY(new_f(h, 0, 1, 3, &m, false, &total));
            WL_TRY(new_f(h, 0, 2, 3, &m, false, &total));
            WL_TRY(gclab_attr_set(h, 1, peer, 2));
            WL_TRY(gclab_attr_set(h, 2, peer, 1));
            WL_TRY(gclab_none(h, 1));
            WL_TRY(gclab_none(h, 2));
        }
        for (int64_t i = 0; i < resurrect; i++) {
            WL_TRY(new_f(h, 0, 1, 3, &m, true, &total));
            WL_TRY(gclab_none(h, 1));
        }
    }
    WL_TRY(gclab_none(h, 3));
    WL_TRY(gclab_gc_collect(h, 2, &found));
    WL_TRY(gclab_gc_collect(h, 2, &found));
    wl_measure_end(h, ctx);
    gclab_heap_stats(h, &after);
    if (fin.bad)
        return gclab_raise(h, GCLAB_EASSERT, "%lld finalizers saw a corrupted object", (long long)fin.bad);
    if ((uint64_t)fin.calls != after.finalizers_run - before.finalizers_run)
        return gclab_raise(h, GCLAB_EASSERT, "__del__ ran %lld times, the heap counted %llu",
                           (long long)fin.calls,
                           (unsigned long long)(after.finalizers_run - before.finalizers_run));
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec finalizers_params[] = {
    GCLAB_PINT("rounds", "100000", 0, 1e12, "rounds"),
    GCLAB_PINT("acyclic", "5", 0, 1e6, "plain objects with __del__ per round"),
    GCLAB_PINT("cycles", "2", 0, 1e6, "two-object cycles with __del__ per round"),
    GCLAB_PINT("resurrect", "1", 0, 1e6, "objects per round whose __del__ stores them in a global"),
    GCLAB_PEND,
};

const struct workload wl_finalizers = {
    .name = "finalizers",
    .summary = "objects with __del__: plain, in cycles, resurrecting; counts finalizer calls",
    .params = finalizers_params,
    .run = finalizers_run,
};
