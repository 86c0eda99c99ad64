/* harness.c — runs a decoded fuzz input on an engine with the reference
 * model alongside, and checks the engine against the model between ops.
 *
 * How it runs. ops_run interprets the program; the ops step hook (ops.h)
 * calls fz_step before and after each op of main. After an op that
 * succeeded on the engine, fz_apply (apply.c) performs it on the model (an
 * op that failed is caught, as if in try/except, and changes nothing); new
 * objects get their engine id from the slot they landed in, and instances get
 * an attribute __id naming their model id, so a finalizer can say who it ran
 * for. The helper rec(x) calls the native global `fin` (fz_rec, events.c),
 * which logs __del__ runs and weakref callbacks as events. This file holds
 * the running: the step hook, the heap's setup and teardown, the observed
 * mode of the differential target.
 *
 * What is checked (fz_check, check.c; the heap walk of C1 and C2 is walk.c),
 * after every check_every ops (the interval grows with the model on long
 * loops: FZ_CHECK_SPREAD), after every full collection, and at the end:
 *   C1 every object reachable in the model is alive on the engine: loading
 *      it through the mutator API from main's slots, the globals, gc.garbage
 *      and gc.callbacks gives the model's kind, value, items, dict entries (in
 *      order), attributes and identity (gclab_id);
 *   C2 a weakref whose target is reachable returns it; one that returns None
 *      has an unreachable target, and stays None (the target is then dead and
 *      must never be seen again);
 *   C3 __del__ runs at most once per object and only for an unreachable one;
 *      a weakref callback runs at most once, after its weakref was cleared;
 *   C4 refcounting engines: each reachable object's refcount equals its
 *      in-degree from live objects plus root references (exactly on rc; on
 *      engines that also collect cycles, for objects no unreachable object
 *      points to);
 *   C5 live objects: rc keeps exactly the model's rc-live set (reachable from
 *      roots or from a cycle) after every op, and has run __del__ for every
 *      object it freed; refcounting cycle collectors keep between the
 *      reachable and the rc-live set; after a full collection, precise
 *      engines that collect cycles keep the reachable set (plus what the
 *      objects finalized in that collection reach, which may wait for the next
 *      one), have cleared every weakref to an unreachable object and have
 *      finalized every unreachable object with __del__; nogc frees nothing;
 *   C6 accounting: allocs - freed == live objects; at teardown (all roots
 *      dropped, full collections) precise cycle collectors hold 0 objects and
 *      0 bytes, rc exactly the model's cycles, with bytes 0 iff objects 0;
 *   C7 generational engines (caps.generations > 1, foreach_tracked, not
 *      caps.incremental, whose increments move objects by other rules): after an
 *      explicit gc.collect(g) that was the op's only collection and ran no
 *      __del__ or callback, each reachable object tracked in generation <= g
 *      before is in generation g + 1 (the oldest for g = oldest), older ones
 *      stayed, and only tuples and dicts may have been untracked;
 *   C8 precise cycle collectors that declare CPython's weakref-callback rule
 *      (facts: weakref_callbacks=cpython), after a full collection, both halves: a callback ran only for a weakref that was
 *      itself reachable, and every reachable weakref with a seen callback whose
 *      target was found unreachable had it called (targets an unreachable
 *      __del__ may keep alive are left out).
 * Resurrection (res, mkcyc as __del__): what a __del__ revived may be
 * finalized and reachable, and may have been seen cleared by a weakref the
 * collector cleared before it ran __del__; a cleared weakref never proves an
 * object with __del__ freed.
 * bdw is conservative (caps.precise false): it gets C1-C3 and C6's first
 * clause only, since a stale word may keep anything alive.
 * "Reachable" above is what must be alive. On cycle collectors it follows a
 * weakref's callback only while the weakref's target is reachable (or the
 * weakref is known cleared with its callback kept): otherwise a collection
 * may clear the weakref at any time, and the callback may die with it. The
 * full reachable set, callbacks and all, is the upper bound (K).
 *
 * Introspection beyond the mutator API: engine.h's caps (precise,
 * finalizers, generations) and foreach_tracked (C7: generation membership
 * without allocating), read only. Engines are never changed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "harness.h"

void fz_fail(struct fz *z, const char *fmt, ...)
{
    va_list ap;
    const struct ops_op *op = z->pc >= 0 && z->pc < z->p->funcs[0].nops ? &z->p->funcs[0].ops[z->pc] : NULL;
    fprintf(stderr, "gclab fuzz: engine %s, ", z->engine);
    if (op)
        fprintf(stderr, "op %d (%s %d %d %d %d), step %d: ", z->pc, ops_name(op->code), op->a, op->b, op->c, op->d,
                z->steps);
    else
        fprintf(stderr, "at teardown: ");
    fprintf(stderr, "invariant violated: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *fz_scratch(struct fz *z, int i, size_t n, size_t sz)
{
    size_t bytes = (n ? n : 1) * sz;
    if (z->sc[i].cap < bytes) {
        free(z->sc[i].p);
        z->sc[i].cap = bytes + bytes / 2;
        z->sc[i].p = fz_xcalloc(z->sc[i].cap, 1);
    }
    return memset(z->sc[i].p, 0, bytes);
}

/* The trace line of an op in observed mode: its status, then slot a as kind and value. */
static bool engine_dependent(int code)
{
    switch (code) {
    case OP_ID: case OP_REFCOUNT: case OP_GC_COLLECT: case OP_GC_GET_THRESHOLD: case OP_GC_SET_THRESHOLD:
    case OP_GC_GET_COUNT: case OP_GC_GET_STATS: case OP_GC_GET_OBJECTS: case OP_GC_GARBAGE: case OP_GC_FREEZE:
    case OP_GC_UNFREEZE: case OP_GC_GET_FREEZE_COUNT:
    case OP_GC_SET_DEBUG:   /* DEBUG_SAVEALL is an error where the engine has no gc.garbage (its facts) */
        return true;
    default:
        return false;
    }
}

static void observe_step(struct fz *z, const struct ops_op *op, gclab_status st)
{
    gclab_heap *h = z->h;
    const char *k = ops_kinds(op->code);
    bool writes = (k[0] == 'S' || k[0] == 'O') && op->a >= 0;
    if (engine_dependent(op->code) || z->wr_call) {
        /* The same canonical result everywhere: None, and no error. */
        if (writes && op->code != OP_GC_SET_THRESHOLD && op->code != OP_GC_SET_DEBUG)   /* (a is read) */
            gclab_none(h, op->a);
        gclab_error_clear(h);
        fprintf(z->trace, "%d -\n", z->pc);
        return;
    }
    fprintf(z->trace, "%d %s", z->pc, gclab_status_name(st));
    if (writes) {
        int kind = gclab_kind_of(h, op->a);
        int64_t v;
        fprintf(z->trace, " %s", kname(kind));
        if (kind == GCLAB_K_INT || kind == GCLAB_K_BOOL) {
            gclab_int_value(h, op->a, &v);
            fprintf(z->trace, " %lld", (long long)v);
        } else if (kind == GCLAB_K_STR) {
            const char *s;
            size_t n;
            gclab_str_value(h, op->a, &s, &n);
            fprintf(z->trace, " %zu:%.*s", n, (int)(n < 32 ? n : 32), s);
        } else if (kind == GCLAB_K_LIST || kind == GCLAB_K_TUPLE || kind == GCLAB_K_DICT) {
            gclab_len(h, op->a, &v);
            fprintf(z->trace, " len %lld", (long long)v);
        }
    }
    fputc('\n', z->trace);
    gclab_error_clear(h);
}

/* A failed call of a class with __del__ may leave an instance the program never
 * got (its __init__ failed after it was made): unreachable, it still awaits its
 * __del__, which keeps what it reaches alive one more cycle on a tracing engine.
 * The model gets the instance, so C5 allows for that; its __del__ is unseen
 * (no __id tags it: fz_rec counts it in untagged_fin). */
static void phantom_instance(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int cls = op->code == OP_CALL ? m->slots[op->b] : -1;
    /* cbal(C) calls C() first: its instance is left the same way */
    if (cls >= 0 && helper_of(m, cls) == FZ_F_CBAL && op->d >= 1)
        cls = m->slots[op->c];
    if (cls < 0 || m->o[cls].kind != GCLAB_K_CLASS || m->o[cls].aux < 0)
        return;
    int x = model_add(m, GCLAB_K_INSTANCE);
    m->o[x].ref = cls;
    m->o[x].any_del = true;
}

/* Past the op budget every helper fails at once: empty gc.callbacks, or each
 * collection until the run stops reports each callback's failure on stderr. */
static void drop_gc_callbacks(gclab_heap *h)
{
    int64_t n = 0;
    if (gclab_frame_push(h, 1) == GCLAB_OK) {
        if (gclab_gc_callbacks(h, 0) == GCLAB_OK && gclab_len(h, 0, &n) == GCLAB_OK)
            while (n-- > 0)
                gclab_list_del(h, 0, n);
        gclab_frame_pop(h);
    }
    gclab_error_clear(h);
}

/* The length of the str in main's slot s; 0 for anything else. */
static size_t str_len(gclab_heap *h, int s)
{
    const char *p;
    size_t n = 0;
    if (gclab_kind_of(h, s) == GCLAB_K_STR)
        gclab_str_value(h, s, &p, &n);
    return n;
}

static bool seq_kind(gclab_heap *h, int s)
{
    return gclab_kind_of(h, s) == GCLAB_K_LIST || gclab_kind_of(h, s) == GCLAB_K_TUPLE;
}
static bool str_kind(gclab_heap *h, int s) { return gclab_kind_of(h, s) == GCLAB_K_STR; }

/* Whether the str in main's slot s holds a '%' conversion other than `%%` (apply.c models
 * plain text and `%%` only; no fuzz literal holds a '%', so no input reaches this today). */
static bool str_has_conversion(gclab_heap *h, int s)
{
    const char *p;
    size_t n = 0;
    gclab_str_value(h, s, &p, &n);
    for (size_t i = 0; i < n; i++)
        if (p[i] == '%' && (++i >= n || p[i] != '%'))
            return true;
    return false;
}

static gclab_status fz_step(void *ctx, gclab_heap *h, int fi, int pc, bool after, gclab_status st)
{
    struct fz *z = ctx;
    /* How many ops run inside helpers depends on the engine (when finalizers and
     * callbacks run): past the budget every op fails, and main stops. */
    if (!after && ++z->all_steps > FZ_OP_BUDGET && !z->exhausted) {
        z->exhausted = true;
        drop_gc_callbacks(h);
    }
    if (z->exhausted)
        return gclab_raise(h, GCLAB_EUSAGE, "fuzz: %d ops done, helpers included", FZ_OP_BUDGET);
    if (fi != 0)
        return st;
    const struct ops_op *op = &z->p->funcs[0].ops[pc];
    if (!after) {
        if (z->steps >= FZ_STEP_BUDGET)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: %d steps done", FZ_STEP_BUDGET);
        if (op->code == OP_ADD && str_len(h, op->b) + str_len(h, op->c) > FZ_MAX_STR)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: a str past %d bytes", FZ_MAX_STR);
        if ((op->code == OP_ADD || op->code == OP_MUL) && (seq_kind(h, op->b) || seq_kind(h, op->c) ||
                                                           (op->code == OP_MUL && (str_kind(h, op->b) || str_kind(h, op->c)))))
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: sequence + and * (core/ops.c seq_arith) are not modelled");
        if (op->code == OP_MOD && str_kind(h, op->b) && str_has_conversion(h, op->b))
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: %% conversions in a str format are not modelled");
        if (op->code == OP_SETATTR && gclab_kind_of(h, op->a) == GCLAB_K_CLASS)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: class attributes (instances see them) are not modelled");
        if (op->code == OP_CALL && op->d >= 1 && gclab_kind_of(h, op->c) == GCLAB_K_CLASS && z->m->slots[op->b] >= 0 &&
            helper_of(z->m, z->m->slots[op->b]) == FZ_F_INIT)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: init(cls, x) stores a class attribute (not modelled)");
        z->pc = pc;
        z->direct = z->wr_call = false;
        z->full = false;
        z->old_dst = -1;
        z->n_at_op = z->m->n;
        z->fin_op.n = z->cb_op.n = z->displaced_op.n = z->cbran_op.n = 0;
        z->untagged_fin = 0;
        z->gen_collect = -1;
        if (op->code == OP_GC_COLLECT && z->ngens > 1 && z->precise && z->cycles && !z->observe) {
            int g = op->b < 0 ? 2 : z->m->slots[op->b] >= 0 && intlike_at(z, op->b) ? (int)ival(z, op->b) : -1;
            if (g >= 0 && g < z->ngens) {
                if (z->gen_before_n < z->m->n) {
                    z->gen_before_n = z->m->n + z->m->n / 2;
                    z->gen_before = realloc(z->gen_before, (size_t)z->gen_before_n * sizeof(int));
                    if (!z->gen_before)
                        abort();
                }
                fz_generations(z, z->gen_before);
                z->gen_before_n = z->m->n;
                z->gen_collect = g;
                z->gen_collections = fz_collections(h);
            }
        }
        if (op->code == OP_CALL) {
            z->wr_call = gclab_kind_of(h, op->b) == GCLAB_K_WEAKREF;
            int callee = z->m->slots[op->b];
            int f = callee >= 0 ? helper_of(z->m, callee) : 0;
            if (op->d >= 1 && gclab_kind_of(h, op->c) != GCLAB_K_EMPTY &&
                (f == FZ_F_REC || f == FZ_F_RES || f == FZ_F_MKCYC || f == FZ_F_MKWR || f == FZ_F_CBAL)) {
                gclab_id(h, op->c, &z->direct_id);
                z->direct = true;
                z->direct_mid = z->m->slots[op->c];
                z->direct_helper = f;
            }
        }
        return GCLAB_OK;
    }
    z->steps++;
    if (z->observe) {
        /* Instances get their __id tag here too, so res, mkcyc and mkwr act alike. */
        if (st == GCLAB_OK && (op->code == OP_INSTANCE || (op->code == OP_CALL && gclab_kind_of(h, op->a) == GCLAB_K_INSTANCE &&
                                                            gclab_kind_of(h, op->b) == GCLAB_K_CLASS)))
            fz_tag(z, op->a, z->ntags++);
        observe_step(z, op, st);
        return GCLAB_OK;
    }
    if (z->verbose)
        fprintf(stderr, "gclab fuzz: %s op %d %s %d %d %d %d: %s%s%s\n", z->engine, pc, ops_name(op->code), op->a,
                op->b, op->c, op->d, gclab_status_name(st), st ? " " : "", st ? gclab_error(h) : "");
    if (st == GCLAB_OK) {
        fz_apply(z, op);
    } else {
        gclab_error_clear(h);
        phantom_instance(z, op);
    }
    z->direct = false;
    z->nev_op = z->nev;
    fz_events(z);
    if (st != GCLAB_OK)
        z->gen_collect = -1;
    /* A check walks every object the model ever made: on a long loop the interval grows
     * with the model (every op while it has fewer than FZ_CHECK_SPREAD objects), so the
     * checks cost O(1) per op amortized. A full collection is always checked. */
    if (z->full || z->gen_collect >= 0 ||
        (z->steps % z->check_every == 0 && z->steps - z->last_check >= z->m->n / FZ_CHECK_SPREAD)) {
        z->last_check = z->steps;
        fz_check(z);
    }
    return GCLAB_OK;
}

/* The heap for engine with the input's allocator, zeal and knobs. A knob value
 * the engine rejects (heap_factor=0.5) is dropped, keeping its default: the
 * knobs are tried one by one only when the whole set is refused. */
static gclab_heap *fz_heap(const struct fz_input *in, const char *engine)
{
    char zeal[32], err[256], buf[FZ_MAX_PARAMS][48];
    struct gclab_kv want[FZ_MAX_PARAMS + 1], kv[FZ_MAX_PARAMS + 1];
    struct gclab_config cfg = { 0 };
    cfg.alloc = in->pool ? GCLAB_ALLOC_POOL : GCLAB_ALLOC_MALLOC;
    int n = fz_params(in, engine, want, buf);
    if (in->zeal) {
        snprintf(zeal, sizeof zeal, "%u", in->zeal);
        want[n++] = (struct gclab_kv){ "zeal", zeal };
    }
    cfg.params = want;
    cfg.nparams = (size_t)n;
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (h)
        return h;
    cfg.params = kv;
    cfg.nparams = 0;
    for (int i = 0; i < n; i++) {
        kv[cfg.nparams++] = want[i];
        if ((h = gclab_heap_new(engine, &cfg, err, sizeof err)) != NULL)
            gclab_heap_free(h);
        else
            cfg.nparams--;
    }
    h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h)
        fprintf(stderr, "gclab fuzz: %s\n", err);
    return h;
}

/* Make the heap's roots and the recorder, and the model's copies of them. */
static int fz_setup(struct fz *z)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    for (int i = 0; i < FZ_S_COUNT; i++) {
        const struct ops_str *s = &z->p->strs[i];
        z->names[i] = strlen(s->s) == s->len && s->len ? gclab_intern(h, s->s) : NULL;
        z->name_mid[i] = strlen(s->s) == s->len ? model_str(m, s->s, s->len, true) : -1;
    }
    z->n_id = gclab_intern(h, "__id");
    z->n_fz = gclab_intern(h, "__fz");
    if (!z->n_id || !z->n_fz)
        return -1;
    uint64_t id;
    if (gclab_frame_push(h, 3) != GCLAB_OK ||
        gclab_func_new(h, 0, "fin", fz_rec, z, 0, 1, 2) != GCLAB_OK ||
        gclab_global_set(h, z->names[FZ_S_FIN], 0) != GCLAB_OK ||
        gclab_gc_garbage(h, 1) != GCLAB_OK || gclab_gc_callbacks(h, 2) != GCLAB_OK)
        return -1;
    int fin = model_add(m, GCLAB_K_FUNC);
    m->o[fin].aux = -1;
    gclab_id(h, 0, &id);
    m->o[fin].eid = id;
    z->fin_mid = fin;
    m->globals = model_add(m, GCLAB_K_DICT);
    model_push(m, m->globals, z->name_mid[FZ_S_FIN]);
    model_push(m, m->globals, fin);
    /* r, w, k: the lists helpers append to (the program cannot name them) */
    int *lists[3] = { &z->r_list, &z->w_list, &z->k_list };
    for (int i = 0; i < 3; i++) {
        if (gclab_list_new(h, 0) != GCLAB_OK || gclab_global_set(h, z->names[FZ_S_R + i], 0) != GCLAB_OK)
            return -1;
        *lists[i] = model_add(m, GCLAB_K_LIST);
        gclab_id(h, 0, &id);
        m->o[*lists[i]].eid = id;
        model_push(m, m->globals, z->name_mid[FZ_S_R + i]);
        model_push(m, m->globals, *lists[i]);
    }
    m->garbage = model_add(m, GCLAB_K_LIST);
    gclab_id(h, 1, &id);
    m->o[m->garbage].eid = id;
    m->callbacks = model_add(m, GCLAB_K_LIST);
    gclab_id(h, 2, &id);
    m->o[m->callbacks].eid = id;
    gclab_frame_pop(h);
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    z->baseline = (int64_t)st.live_objects - 7;
    return 0;
}

/* After the program: empty every root the program could fill, collect, and check the accounting. */
static void fz_teardown(struct fz *z)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    int64_t found;
    z->pc = -1;
    z->full = false;
    for (int g = 0; g < 4; g++) {   /* (r, w, k stay: __del__ still runs res and mkwr) */
        int name = FZ_S_G0 + g;
        int at = model_dict_find(m, m->globals, z->name_mid[name]);
        if (at >= 0) {
            gclab_global_del(h, z->names[name]);
            model_remove(m, m->globals, at);
            model_remove(m, m->globals, at);
        }
    }
    if (gclab_frame_push(h, 1) != GCLAB_OK)
        fz_fail(z, "cannot push a frame: %s", gclab_error(h));
    gclab_gc_garbage(h, 0);
    while (gclab_list_pop(h, -1, 0, -1) == GCLAB_OK)
        ;
    gclab_gc_callbacks(h, 0);
    while (gclab_list_pop(h, -1, 0, -1) == GCLAB_OK)
        ;
    gclab_error_clear(h);
    m->o[m->garbage].n = m->o[m->callbacks].n = 0;
    /* r, w, k: fresh empty lists, not unbound (a __del__ run as the old ones die, or
     * by the collections below, appends to the new ones) */
    int *lists[3] = { &z->r_list, &z->w_list, &z->k_list };
    for (int i = 0; i < 3; i++) {
        uint64_t id;
        if (gclab_list_new(h, 0) != GCLAB_OK || gclab_id(h, 0, &id) != GCLAB_OK)
            fz_fail(z, "cannot make a list: %s", gclab_error(h));
        fz_events(z);   /* (bdw runs pending finalizers as it allocates) */
        *lists[i] = model_add(m, GCLAB_K_LIST);
        m->o[*lists[i]].eid = id;
        model_dict_set(m, m->globals, z->name_mid[FZ_S_R + i], *lists[i]);
        if (gclab_global_set(h, z->names[FZ_S_R + i], 0) != GCLAB_OK)
            fz_fail(z, "cannot rebind a helpers' list: %s", gclab_error(h));
        fz_events(z);
    }
    gclab_clear(h, 0);
    gclab_frame_pop(h);
    fz_events(z);
    fz_check(z);
    z->frozen = false;
    gclab_gc_unfreeze(h);
    gclab_error_clear(h);
    /* Conservative bdw gets no exact checks: skip its collections here. */
    for (int i = 0; i < (z->precise ? 2 : 0); i++) {
        z->fin_op.n = z->cb_op.n = z->displaced_op.n = z->cbran_op.n = 0;
        z->untagged_fin = 0;
        z->full = true;
        z->n_at_op = m->n;
        gclab_gc_collect(h, 2, &found);
        fz_events(z);
        fz_check(z);
    }
    bool *L = fz_scratch(z, SC_L, (size_t)m->n, sizeof(bool));
    gclab_heap_drop_roots(h);
    m->globals = m->garbage = m->callbacks = -1;
    model_rc_live(m, L);
    int nL = fz_count_set(m, L);
    if (z->precise)
        gclab_gc_collect(h, 2, &found);
    gclab_error_clear(h);
    fz_events(z);
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    if (z->precise && z->cycles && (st.live_objects != 0 || st.live_bytes != 0))
        fz_fail(z, "with no roots and after full collections %llu objects (%llu bytes) are live",
                (unsigned long long)st.live_objects, (unsigned long long)st.live_bytes);
    if (z->rc_exact && (int64_t)st.live_objects - z->baseline != nL)
        fz_fail(z, "with no roots rc holds %llu objects, the model's cycles and what they reach are %d",
                (unsigned long long)st.live_objects, nL);
    if (z->precise && (st.live_objects == 0) != (st.live_bytes == 0))
        fz_fail(z, "%llu live objects but %llu live bytes", (unsigned long long)st.live_objects,
                (unsigned long long)st.live_bytes);
}

static int fz_run(const struct fz_input *in, const char *engine, FILE *out, bool observe, FILE *trace)
{
    char verr[256];
    if (ops_validate(in->prog, verr, sizeof verr) != 0) {
        fprintf(stderr, "gclab fuzz: the decoder made an invalid program: %s\n", verr);
        abort();
    }
    struct fz z = { 0 };
    z.engine = engine;
    z.p = in->prog;
    z.check_every = in->check_every;
    z.observe = observe;
    z.trace = trace;
    z.pc = -1;
    z.old_dst = -1;
    z.verbose = getenv("GCLAB_FUZZ_VERBOSE") != NULL;
    z.h = fz_heap(in, engine);
    if (!z.h)
        return -1;
    z.m = model_new(FZ_NSLOTS);
    if (!z.m) {
        gclab_heap_free(z.h);
        return -1;
    }
    const struct gclab_engine *e = gclab_engine_find(gclab_heap_engine(z.h));
    z.refcounts = e->caps.refcounts;
    z.cycles = e->caps.collects_cycles;
    z.precise = e->caps.precise;
    z.finalizers = e->caps.finalizers;
    z.ngens = e->foreach_tracked && !e->caps.incremental ? e->caps.generations : 1;   /* C7: 3.11's rule */
    z.gen_collect = -1;
    z.rc_exact = z.refcounts && !z.cycles;
    /* What the oracle expects of weakrefs and frees comes from the engine's declared facts
     * (core/gclab.h), never from its name or a guess from refcounts/collects_cycles. */
    const struct gclab_engine_caps *f = gclab_heap_facts(z.h);
    z.nogc = f->frees == GCLAB_FREES_NEVER;
    z.drops_cb = !f->callback_kept;
    z.handle_weakrefs = f->callback_kept;
    z.wrcb_cpython = f->weakref_callbacks == GCLAB_WRCB_CPYTHON;
    if (fz_setup(&z) != 0) {
        fprintf(stderr, "gclab fuzz: setup failed on %s: %s\n", engine, gclab_error(z.h));
        abort();
    }
    z.p->rt.step = fz_step;
    z.p->rt.step_ctx = &z;
    z.m->in_main = true;
    /* PRINT's output of a checked run goes nowhere: one /dev/null stream for the process
     * (an open and a close per input was a system call pair per run). */
    static FILE *null_sink;
    if (!out && !null_sink)
        null_sink = fopen("/dev/null", "w");
    FILE *sink = out ? out : null_sink;
    ops_run(z.h, z.p, sink, NULL);
    if (z.verbose && z.exhausted)
        fprintf(stderr, "gclab fuzz: %s stopped after %d ops, helpers included: not checked\n", engine,
                FZ_OP_BUDGET);
    gclab_error_clear(z.h);
    z.p->rt.step = NULL;
    z.m->in_main = false;
    z.gen_collect = -1;
    z.full = false;
    z.fin_op.n = z.cb_op.n = z.displaced_op.n = z.cbran_op.n = 0;
    z.untagged_fin = 0;
    if (!observe && !z.exhausted) {
        z.pc = -1;
        fz_events(&z);
        fz_check(&z);
        fz_teardown(&z);
    }
    gclab_heap_free(z.h);
    model_free(z.m);
    free(z.ev);
    for (int i = 0; i < SC_COUNT; i++)
        free(z.sc[i].p);
    free(z.fin_op.v);
    free(z.cb_op.v);
    free(z.displaced_op.v);
    free(z.cbran_op.v);
    free(z.gen_before);
    return z.exhausted ? 1 : 0;
}

int fz_run_checked(const struct fz_input *in, const char *engine, FILE *out)
{
    return fz_run(in, engine, out, false, NULL);
}

/* PRINT output with addresses and weakref states (which differ between engines) blanked. */
static void normalize(char *s, size_t *len)
{
    size_t j = 0;
    for (size_t i = 0; i < *len;) {
        if (s[i] == '0' && i + 1 < *len && s[i + 1] == 'x') {
            s[j++] = '0';
            s[j++] = 'x';
            i += 2;
            while (i < *len && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                i++;
            continue;
        }
        if (strncmp(s + i, "<weakref at ", 12) == 0) {
            /* Find the end before writing: the replacement is written in
             * place and may cover the text still to be scanned. */
            while (i < *len && s[i] != '>')
                i++;
            i++;
            memcpy(s + j, "<weakref ?>", 11);
            j += 11;
            continue;
        }
        s[j++] = s[i++];
    }
    *len = j;
}

int fz_run_observed(const struct fz_input *in, const char *engine, struct fz_observed *obs)
{
    memset(obs, 0, sizeof *obs);
    FILE *out = open_memstream(&obs->out, &obs->outlen);
    FILE *trace = open_memstream(&obs->trace, &obs->tracelen);
    if (!out || !trace)
        abort();
    int r = fz_run(in, engine, out, true, trace);
    fclose(out);
    fclose(trace);
    normalize(obs->out, &obs->outlen);
    obs->exhausted = r == 1;
    return r < 0 ? r : 0;
}

void fz_observed_free(struct fz_observed *obs)
{
    free(obs->out);
    free(obs->trace);
    memset(obs, 0, sizeof *obs);
}
