/* harness.c — runs a decoded fuzz input on an engine with the reference
 * model alongside, and checks the engine against the model between ops.
 *
 * How it runs. ops_run interprets the program; the ops step hook (ops.h)
 * calls fz_step before and after each op of main. After an op that
 * succeeded on the engine, fz_apply performs it on the model (an op that
 * failed is caught, as if in try/except, and changes nothing); new objects
 * get their engine id from the slot they landed in, and instances get an
 * attribute __id naming their model id, so a finalizer can say who it ran
 * for. The helper rec(x) calls the native global `fin` (fz_rec), which logs
 * __del__ runs and weakref callbacks as events.
 *
 * What is checked (fz_check), after every check_every ops, after every full
 * collection, and at the end:
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
 *   C8 precise cycle collectors, CPython's weakref-callback rule after a full
 *      collection, both halves: a callback ran only for a weakref that was
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
#include "fz.h"
#include "model.h"

/* What fin(x) reports: a __del__ ran, a weakref callback ran, or the program's own
 * call of a helper (res, mkcyc, mkwr, cbal) finished; helper: the helper that called fin. */
enum { EV_FIN, EV_CB, EV_DIRECT };
/* The check's arrays, kept between checks (fresh memory per check was half of a
 * run's time under ASan, whose quarantine never hands freed memory back soon). */
enum { SC_R, SC_L, SC_K, SC_SLOTMID, SC_QUEUE, SC_OWNER, SC_INDEG, SC_OUTSIDE, SC_NOTR, SC_CBU,
       SC_HI, SC_UNSEEN, SC_RR, SC_F, SC_GEN, SC_GENHASH, SC_P, SC_ROOTS, SC_HELD, SC_COUNT };
struct ilist { int *v; int n, cap; };
/* kept_cb: the weakref still held its callback while it ran (rcgen's collector
 * path, CPython's handle_weakrefs); a refcount death drops it first. */
struct ev { int kind, mid; bool kept_cb; int helper; };

struct fz {
    gclab_heap *h;
    struct ops_program *p;
    struct model *m;
    const char *engine;
    bool refcounts, cycles, precise, finalizers, rc_exact, nogc;
    /* Whether a cleared weakref has surely dropped its callback: not on refcounting cycle
     * collectors, where CPython's gc keeps it (handle_weakrefs) but dealloc drops it. */
    bool drops_cb;
    unsigned check_every;
    int steps, pc;
    int last_check;              /* steps when fz_check last ran */
    int all_steps;               /* ops begun in every function (FZ_OP_BUDGET) */
    bool exhausted;              /* all_steps passed the budget: the run stops unchecked */
    bool direct;                 /* the current op is a CALL of a helper that calls fin, whose argument */
    uint64_t direct_id;          /* has id direct_id and model id direct_mid */
    int direct_mid, direct_helper;
    int fin_mid;                 /* the native fin */
    int r_list, w_list, k_list;  /* the helpers' lists (globals r, w, k) */
    bool full;                   /* the current op was a full collection */
    int old_dst;                 /* what its result slot held during it (kept alive by it), or -1 */
    bool frozen;
    struct ev *ev;
    int nev, capev;
    struct ilist fin_op;         /* objects finalized during the current op */
    int untagged_fin;            /* and instances unknown to the model finalized during it */
    struct ilist cb_op;          /* callbacks weakrefs let go of during it */
    struct ilist displaced_op;   /* what __del__ (mkcyc) unlinked during it: reachable when it marked */
    struct ilist cbran_op;       /* weakrefs whose callback ran during it */
    int ntags;                   /* instances tagged in observed mode */
    /* generational engines (caps.generations > 1): generation membership around an
     * explicit gc.collect(g) (C7) */
    int ngens;
    int *gen_before;             /* per model id: generation before the op, -1 none (owned) */
    int gen_before_n;
    int gen_collect;             /* g of the current op's gc.collect, -1 if none */
    uint64_t gen_collections;    /* collections counted before it */
    int nev_op;                  /* events of the current op */
    struct { void *p; size_t cap; } sc[SC_COUNT];
    gclab_name n_id, n_fz, names[FZ_S_COUNT];
    int name_mid[FZ_S_COUNT];    /* model ids of the interned names */
    int64_t baseline;            /* live objects the model does not know of */
    /* observed mode (diff target) */
    bool observe;
    bool verbose;                /* GCLAB_FUZZ_VERBOSE: each op and its status on stderr */
    bool wr_call;
    FILE *trace;
};

static void fz_fail(struct fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fz_fail(struct fz *z, const char *fmt, ...)
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

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

/* Scratch array i of the check, n items of sz bytes, zeroed. */
static void *scratch(struct fz *z, int i, size_t n, size_t sz)
{
    size_t bytes = (n ? n : 1) * sz;
    if (z->sc[i].cap < bytes) {
        free(z->sc[i].p);
        z->sc[i].cap = bytes + bytes / 2;
        z->sc[i].p = xcalloc(z->sc[i].cap, 1);
    }
    return memset(z->sc[i].p, 0, bytes);
}

static const char *kname(int kind)
{
    static const char *k[] = { "None", "bool", "int", "str", "tuple", "list", "dict", "class", "instance",
                               "blob", "weakref", "func" };
    return kind >= 0 && kind < GCLAB_K_COUNT ? k[kind] : kind == M_OPAQUE ? "gc-objects-list" : "empty";
}

/* ==================================================================== *
 * The recorder: rec(x) -> fin(x)
 * ==================================================================== */

static void ilist_push(struct ilist *l, int x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = x;
}

/* Whether the weakref in slot s of the current frame still holds a callback:
 * rcgen drops it when the target dies by refcount, keeps it when its
 * collector clears the weakref (CPython's two paths), so ask the engine. */
static bool wr_has_callback(gclab_heap *h, int s)
{
    return gclab_weakref_has_callback(h, s);
}

/* Weakref o lets go of its callback (the model's aux). */
static void drop_cb(struct fz *z, struct m_obj *o)
{
    if (o->aux >= 0)
        ilist_push(&z->cb_op, o->aux);
    o->aux = -1;
}

/* Whether a cleared weakref to x proves nothing about x: a collector clears the
 * weakrefs to an object with __del__ before it runs __del__, which may keep it
 * (res, mkcyc), and a tracing engine keeps what it finalized one more cycle. */
static bool fin_pending(const struct model *m, int x)
{
    return m->o[x].any_del;
}

/* Weakref o, in slot s of the current frame, read None: it is cleared and its
 * target dead; its callback is gone unless the engine kept it (rcgen's collector). */
static void wr_seen_cleared(struct fz *z, struct m_obj *o, int s)
{
    o->cleared = true;
    if (z->drops_cb || !wr_has_callback(z->h, s))
        drop_cb(z, o);
    if (o->ref >= 0 && !fin_pending(z->m, o->ref))
        z->m->o[o->ref].dead = true;
}

/* The helper index of function object f, or 0 (not a helper: fin, or not a function). */
static int helper_of(const struct model *m, int f)
{
    return f >= 0 && m->o[f].kind == GCLAB_K_FUNC && m->o[f].aux > 0 ? m->o[f].aux : 0;
}

/* The helper that class cls has as __del__, or 0. */
static int del_helper(const struct model *m, int cls)
{
    return cls >= 0 ? helper_of(m, m->o[cls].aux) : 0;
}

/* Whether helper f, as a __del__, calls fin for a tagged instance (its runs are seen). */
static bool del_seen(int f)
{
    return f == FZ_F_REC || f == FZ_F_RES || f == FZ_F_MKCYC || f == FZ_F_MKWR;
}

static void ev_push(struct fz *z, int kind, int mid, bool kept_cb, int helper)
{
    if (z->nev == z->capev) {
        z->capev = z->capev ? 2 * z->capev : 16;
        z->ev = realloc(z->ev, (size_t)z->capev * sizeof *z->ev);
        if (!z->ev)
            abort();
    }
    z->ev[z->nev++] = (struct ev){ kind, mid, kept_cb, helper };
}

/* fin(x): slot 0 holds x, slot 1 is scratch. Runs inside __del__ or a weakref callback
 * (or a direct call of rec, which is not an event). */
static gclab_status fz_rec(gclab_heap *h, void *ctx, int64_t code)
{
    struct fz *z = ctx;
    (void)code;
    if (z->observe)
        return GCLAB_OK;
    gclab_status saved = gclab_error_status(h);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", gclab_error(h));
    uint64_t id = 0;
    gclab_id(h, 0, &id);
    int kind = gclab_kind_of(h, 0);
    if (z->direct && id == z->direct_id) {
        /* rec(x) called by the program itself: once. If x dies when the call
         * returns, its __del__ (rec) calls fin(x) again, as an event. Another
         * helper's effect is applied in order with the other events. */
        z->direct = false;
        if (z->direct_helper != FZ_F_REC)
            ev_push(z, EV_DIRECT, z->direct_mid, false, z->direct_helper);
    } else if (kind == GCLAB_K_INSTANCE) {
        const char *s;
        size_t n;
        if (gclab_attr_get(h, 1, 0, z->n_id) == GCLAB_OK && gclab_str_value(h, 1, &s, &n) == GCLAB_OK) {
            int mid = atoi(s + 1);
            if (gclab_attr_get(h, 1, 0, z->n_fz) == GCLAB_OK)
                fz_fail(z, "__del__ ran twice on m%d (instance)", mid);
            if (!z->finalizers)
                fz_fail(z, "__del__ ran on m%d but the engine declares no finalizers", mid);
            gclab_bool(h, 1, true);
            gclab_attr_set(h, 0, z->n_fz, 1);
            ev_push(z, EV_FIN, mid, false, mid >= 0 && mid < z->m->n ? del_helper(z->m, z->m->o[mid].ref) : 0);
        } else {
            z->untagged_fin++;   /* no __id: an instance the program never got (a class call that failed) */
        }
    } else if (kind == GCLAB_K_WEAKREF) {
        for (int i = z->m->n - 1; i >= 0; i--)
            if (z->m->o[i].kind == GCLAB_K_WEAKREF && z->m->o[i].eid == id) {
                ev_push(z, EV_CB, i, gclab_weakref_has_callback(h, 0), helper_of(z->m, z->m->o[i].aux));   /* this frame's slot 0 */
                break;
            }
    } else {
        fz_fail(z, "fin() called with a %s outside a direct call (not a finalizer or weakref callback)",
                kname(kind));
    }
    if (saved != GCLAB_OK)
        gclab_raise(h, saved, "%s", msg);
    else
        gclab_error_clear(h);
    return GCLAB_OK;
}

/* The model's side of what helper f did to x (before it called fin(x)); fin: as x's __del__. */
static void apply_effect(struct fz *z, int f, int x, bool fin)
{
    struct model *m = z->m;
    int l;
    if (fin && (f == FZ_F_RES || f == FZ_F_MKCYC))
        m->o[x].revived = true;
    switch (f) {
    case FZ_F_RES:   /* r.append(x): x and all it reaches live again */
        model_push(m, z->r_list, x);
        break;
    case FZ_F_MKCYC: /* l = [x]; x.c = l */
        l = model_add(m, GCLAB_K_LIST);
        model_push(m, l, x);
        int at = model_attr_find(m, x, z->name_mid[FZ_S_A + 2]);
        if (at >= 0) {
            ilist_push(&z->displaced_op, m->o[x].items[at + 1]);
            m->o[x].items[at + 1] = l;
        } else {
            model_push(m, x, z->name_mid[FZ_S_A + 2]);
            model_push(m, x, l);
        }
        break;
    case FZ_F_MKWR:  /* w.append(weakref.ref(x, fin)) */
        l = model_add(m, GCLAB_K_WEAKREF);
        m->o[l].ref = x;
        m->o[l].aux = z->fin_mid;
        model_push(m, z->w_list, l);
        break;
    case FZ_F_CBAL:  /* k.append([x]) */
        l = model_add(m, GCLAB_K_LIST);
        model_push(m, l, x);
        model_push(m, z->k_list, l);
        break;
    default:
        break;
    }
}

static void fz_events(struct fz *z)
{
    struct model *m = z->m;
    for (int i = 0; i < z->nev; i++) {
        int x = z->ev[i].mid;
        if (z->ev[i].kind == EV_DIRECT) {
            apply_effect(z, z->ev[i].helper, x, false);
            continue;
        }
        if (x < 0 || x >= m->n)
            fz_fail(z, "an event names m%d, which the model never made", x);
        struct m_obj *o = &m->o[x];
        if (z->verbose)
            fprintf(stderr, "gclab fuzz: %s   %s m%d\n", z->engine,
                    z->ev[i].kind == EV_FIN ? "__del__ ran on" : "callback ran for weakref", x);
        if (z->ev[i].kind == EV_FIN) {
            if (o->finalized)
                fz_fail(z, "__del__ ran twice on m%d", x);
            o->finalized = true;
            ilist_push(&z->fin_op, x);
            apply_effect(z, z->ev[i].helper, x, true);
        } else {
            if (o->cb_ran)
                fz_fail(z, "the callback of weakref m%d ran twice", x);
            o->cb_ran = o->cleared = true;
            ilist_push(&z->cbran_op, x);
            /* Core drops the callback when it clears the weakref; rcgen's
             * collector keeps it (CPython's handle_weakrefs) but its
             * refcount deaths drop it: there, ask the weakref. */
            if (z->drops_cb && z->ev[i].kept_cb)
                fz_fail(z, "weakref m%d still held its callback while it ran", x);
            if (!z->ev[i].kept_cb)
                drop_cb(z, o);
            if (o->ref >= 0 && !fin_pending(m, o->ref))
                m->o[o->ref].dead = true;
            apply_effect(z, z->ev[i].helper, x, false);
        }
    }
    z->nev = 0;
}

/* ==================================================================== *
 * Applying an op to the model
 * ==================================================================== */

/* Give a new model object x the engine id of main's slot s; for a known one, check it. */
static void map_slot(struct fz *z, int s, int x)
{
    uint64_t id = 0;
    if (gclab_id(z->h, s, &id) != GCLAB_OK)
        fz_fail(z, "slot %d is empty on the engine after an op that wrote m%d (%s) there", s, x,
                kname(z->m->o[x].kind));
    if (z->m->o[x].eid == 0)
        z->m->o[x].eid = id;
    else if (z->m->o[x].eid != id)
        fz_fail(z, "the op wrote m%d (%s, engine 0x%llx) to slot %d, the engine has 0x%llx there", x,
                kname(z->m->o[x].kind), (unsigned long long)z->m->o[x].eid, s, (unsigned long long)id);
}

/* Write x into main's slot s (model) and map it. */
static void put(struct fz *z, int s, int x)
{
    z->m->slots[s] = x;
    map_slot(z, s, x);
}

/* Tag the instance in main's slot s with its model id (attribute __id). */
static void tag(struct fz *z, int s, int x)
{
    gclab_heap *h = z->h;
    char buf[32];
    snprintf(buf, sizeof buf, "m%d", x);
    if (gclab_frame_push_args(h, 2, 1, &s) != GCLAB_OK || gclab_str_intern(h, 1, buf) != GCLAB_OK ||
        gclab_attr_set(h, 0, z->n_id, 1) != GCLAB_OK)
        fz_fail(z, "cannot tag instance m%d: %s", x, gclab_error(h));
    gclab_frame_pop(h);
}

/* A new model int holding the engine's int in main's slot s. */
static void put_engine_int(struct fz *z, int s)
{
    int64_t v;
    int k = gclab_kind_of(z->h, s);
    if (gclab_int_value(z->h, s, &v) != GCLAB_OK)
        fz_fail(z, "slot %d should hold an int, holds %s", s, kname(k));
    int x = k == GCLAB_K_BOOL ? (v ? M_TRUE_ID : M_FALSE_ID) : model_int(z->m, v);
    put(z, s, x);
}

/* Copy the engine's fresh result tree in main's slot s (ints, interned strs, tuples,
 * lists, dicts: what gc.get_threshold/get_count/get_stats build) into the model. */
static void import(struct fz *z, int s)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    /* frame: 0 the result, 1 an item, 2 key, 3 value */
    if (gclab_frame_push_args(h, 4, 1, &s) != GCLAB_OK)
        fz_fail(z, "import: %s", gclab_error(h));
    int top = -1, kind = gclab_kind_of(h, 0);
    int64_t n = 0, v;
    uint64_t id;
    gclab_len(h, 0, &n);
    if (kind == GCLAB_K_TUPLE && n == 0) {
        top = model_empty_tuple(m);
    } else if (kind == GCLAB_K_TUPLE || kind == GCLAB_K_LIST) {
        top = model_add(m, kind);
        gclab_id(h, 0, &id);
        m->o[top].eid = id;
        gclab_len(h, 0, &n);
        for (int64_t i = 0; i < n; i++) {
            if (kind == GCLAB_K_TUPLE)
                gclab_tuple_get(h, 1, 0, i);
            else
                gclab_list_get(h, 1, 0, i);
            int ik = gclab_kind_of(h, 1), item;
            if (ik == GCLAB_K_INT) {
                gclab_int_value(h, 1, &v);
                item = model_int(m, v);
            } else if (ik == GCLAB_K_DICT) {
                item = model_add(m, GCLAB_K_DICT);
                size_t pos = 0;
                bool more = true;
                while (gclab_dict_next(h, 1, &pos, 2, 3, &more) == GCLAB_OK && more) {
                    const char *ks;
                    size_t kl;
                    if (gclab_str_value(h, 2, &ks, &kl) != GCLAB_OK || gclab_int_value(h, 3, &v) != GCLAB_OK)
                        fz_fail(z, "import: a gc.* dict holds something but str: int");
                    int key = model_str(m, ks, kl, true), val = model_int(m, v);
                    gclab_id(h, 2, &id);
                    m->o[key].eid = id;
                    gclab_id(h, 3, &id);
                    m->o[val].eid = id;
                    model_push(m, item, key);
                    model_push(m, item, val);
                }
            } else {
                fz_fail(z, "import: unexpected %s in a gc.* result", kname(ik));
            }
            gclab_id(h, 1, &id);
            m->o[item].eid = id;
            model_push(m, top, item);
        }
    } else {
        fz_fail(z, "import: unexpected %s as a gc.* result", kname(kind));
    }
    gclab_frame_pop(h);
    m->slots[s] = top;
}

static int64_t ival(struct fz *z, int s) { return z->m->o[z->m->slots[s]].ival; }
static int kind_at(struct fz *z, int s) { return z->m->o[z->m->slots[s]].kind; }
static bool intlike_at(struct fz *z, int s) { int k = kind_at(z, s); return k == GCLAB_K_INT || k == GCLAB_K_BOOL; }

/* Normalize a Python index; false if out of range (the engine said OK, so the model disagrees). */
static bool norm(int64_t *i, int64_t len)
{
    if (*i < 0)
        *i += len;
    return *i >= 0 && *i < len;
}

#define MODEL_DISAGREES(...) fz_fail(z, "the engine succeeded where the model fails: " __VA_ARGS__)

/* Whether class cls has a __del__ whose runs the harness sees (rec, res, mkcyc, mkwr;
 * another helper runs unseen, or fails on its argument count). */
static bool del_is_rec(const struct model *m, int cls)
{
    return del_seen(del_helper(m, cls));
}

static void apply_call(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int callee = m->slots[op->b], args[OPS_MAX_ARGS];
    for (int i = 0; i < op->d; i++)
        args[i] = m->slots[op->c + i];
    struct m_obj *c = &m->o[callee];
    int res = M_NONE_ID;
    if (c->kind == GCLAB_K_FUNC) {
        switch (c->aux) {
        case FZ_F_REC: break;
        case FZ_F_INIT: {
            int x = args[0], at = model_attr_find(m, x, z->name_mid[FZ_S_A]);
            if (m->o[x].kind != GCLAB_K_INSTANCE)
                MODEL_DISAGREES("init() on a %s", kname(m->o[x].kind));
            if (at >= 0)
                m->o[x].items[at + 1] = args[1];
            else {
                model_push(m, x, z->name_mid[FZ_S_A]);
                model_push(m, x, args[1]);
            }
            break;
        }
        case FZ_F_IDENT: res = args[0]; break;
        case FZ_F_RES: case FZ_F_MKCYC: case FZ_F_MKWR: break;   /* effects come with fin's event */
        case FZ_F_CBAL:
            /* x() first: a weakref's target, or what calling a function or class makes
             * (garbage once cbal returns: cyc()'s self-cycle, a class's new instance) */
            if (m->o[args[0]].kind == GCLAB_K_FUNC && m->o[args[0]].aux == FZ_F_CYC) {
                int l = model_add(m, GCLAB_K_LIST);
                model_push(m, l, l);
            } else if (m->o[args[0]].kind == GCLAB_K_CLASS) {
                int x = model_add(m, GCLAB_K_INSTANCE);
                m->o[x].ref = args[0];
                m->o[x].any_del = m->o[args[0]].aux >= 0;
            }
            break;
        case FZ_F_PAIR:
            res = model_add(m, GCLAB_K_LIST);
            model_push(m, res, args[0]);
            model_push(m, res, args[1]);
            break;
        case FZ_F_CYC:
            res = model_add(m, GCLAB_K_LIST);
            model_push(m, res, res);
            break;
        default: MODEL_DISAGREES("call of native function m%d", callee);
        }
        put(z, op->a, res);
        return;
    }
    if (c->kind == GCLAB_K_CLASS) {
        res = model_add(m, GCLAB_K_INSTANCE);
        c = &m->o[callee];
        m->o[res].ref = callee;
        m->o[res].has_del = del_is_rec(m, callee);
        m->o[res].any_del = m->o[callee].aux >= 0;
        if (c->ref >= 0 && m->o[c->ref].aux == FZ_F_INIT)
            {
                model_push(m, res, z->name_mid[FZ_S_A]);
                model_push(m, res, args[0]);
            }
        put(z, op->a, res);
        tag(z, op->a, res);
        return;
    }
    if (c->kind == GCLAB_K_WEAKREF) {
        int t = c->ref;
        if (gclab_kind_of(z->h, op->a) == GCLAB_K_NONE) {
            wr_seen_cleared(z, c, op->b);
            put(z, op->a, M_NONE_ID);
            return;
        }
        uint64_t id = 0;
        gclab_id(z->h, op->a, &id);
        if (c->cleared || t < 0)
            fz_fail(z, "weakref m%d, known cleared, returned an object", callee);
        if (m->o[t].dead)
            fz_fail(z, "weakref m%d returned m%d, which was known freed", callee, t);
        if (id != m->o[t].eid)
            fz_fail(z, "weakref m%d returned engine object 0x%llx, not its target m%d (0x%llx)", callee,
                    (unsigned long long)id, t, (unsigned long long)m->o[t].eid);
        m->slots[op->a] = t;   /* revived: reachable again */
        return;
    }
    MODEL_DISAGREES("call of a %s", kname(c->kind));
}

static void apply_arith(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    if (!intlike_at(z, op->b) || !intlike_at(z, op->c)) {
        const struct m_obj *x = &m->o[m->slots[op->b]], *y = &m->o[m->slots[op->c]];
        if (op->code != OP_ADD || x->kind != GCLAB_K_STR || y->kind != GCLAB_K_STR)
            MODEL_DISAGREES("arithmetic on %s and %s", kname(x->kind), kname(y->kind));
        char *buf = xcalloc(x->len + y->len + 1, 1);
        memcpy(buf, x->s, x->len);
        memcpy(buf + x->len, y->s, y->len);
        int r = model_str(m, buf, x->len + y->len, false);
        free(buf);
        put(z, op->a, r);
        return;
    }
    int64_t a = ival(z, op->b), b = ival(z, op->c), r = 0;
    bool ovf = false;
    switch (op->code) {
    case OP_ADD: ovf = __builtin_add_overflow(a, b, &r); break;
    case OP_SUB: ovf = __builtin_sub_overflow(a, b, &r); break;
    case OP_MUL: ovf = __builtin_mul_overflow(a, b, &r); break;
    default:
        if (b == 0)
            MODEL_DISAGREES("division by zero");
        if (a == INT64_MIN && b == -1) {
            ovf = op->code == OP_FLOORDIV;
            r = 0;
            break;
        }
        {
            int64_t q = a / b, md = a % b;
            if (md != 0 && ((md < 0) != (b < 0))) {
                q -= 1;
                md += b;
            }
            r = op->code == OP_FLOORDIV ? q : md;
        }
    }
    if (ovf)
        MODEL_DISAGREES("integer overflow");
    put(z, op->a, model_int(m, r));
}

static void apply_compare(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int x = m->slots[op->b], y = m->slots[op->c];
    bool r;
    switch (op->code) {
    case OP_EQ: r = model_equal(m, x, y); break;
    case OP_NE: r = !model_equal(m, x, y); break;
    case OP_IS: r = x == y; break;
    case OP_IS_NOT: r = x != y; break;
    default: {
        int c;
        const struct m_obj *a = &m->o[x], *b = &m->o[y];
        if (intlike_at(z, op->b) && intlike_at(z, op->c)) {
            c = a->ival < b->ival ? -1 : a->ival > b->ival;
        } else if (a->kind == GCLAB_K_STR && b->kind == GCLAB_K_STR) {
            c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
            if (c == 0)
                c = a->len < b->len ? -1 : a->len > b->len;
        } else {
            MODEL_DISAGREES("ordering of %s and %s", kname(a->kind), kname(b->kind));
        }
        r = op->code == OP_LT ? c < 0 : op->code == OP_LE ? c <= 0 : op->code == OP_GT ? c > 0 : c >= 0;
    }
    }
    put(z, op->a, r ? M_TRUE_ID : M_FALSE_ID);
}

/* Container item access shared by GETITEM/SETITEM/DELITEM/POP. Returns the items index or fails. */
static int index_of(struct fz *z, int cont, int key)
{
    struct model *m = z->m;
    const struct m_obj *c = &m->o[cont];
    if (c->kind == GCLAB_K_DICT) {
        int i = model_dict_find(m, cont, key);
        if (i < 0)
            MODEL_DISAGREES("dict has no such key");
        return i;
    }
    const struct m_obj *k = &m->o[key];
    if (k->kind != GCLAB_K_INT && k->kind != GCLAB_K_BOOL)
        MODEL_DISAGREES("index is a %s", kname(k->kind));
    int64_t i = k->ival;
    if (!norm(&i, c->n))
        MODEL_DISAGREES("index %lld out of range (len %d)", (long long)k->ival, c->n);
    return (int)i;
}

static void fz_apply(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int *S = m->slots, x, i;
    struct ops_str *str;
    switch ((enum ops_code)op->code) {
    case OP_NOP: case OP_PRINT: case OP_ASSERT: case OP_JUMP: case OP_JUMP_IF_FALSE: case OP_JUMP_IF_TRUE:
    case OP_GC_ENABLE: case OP_GC_DISABLE: case OP_GC_SET_THRESHOLD: case OP_GC_SET_DEBUG: case OP_RETURN:
    case OP_CALL_METHOD: case OP_IN: case OP_NOT_IN: case OP_FOR_ITER: case OP_PRINT_EX:
    case OP_STR_OF: case OP_REPR: case OP_HASATTR: case OP_ISINSTANCE: case OP_IS_KIND: case OP_UNPACK: case OP_TRACKED_HEAP_SIZE:
    case OP_KWNAMES: case OP_SLICE: case OP_DELSLICE:
        /* compiler-only (ops.h, OPS_FUZZ_COUNT): decode.c never draws them */
    case OP_COUNT:
        break;
    case OP_NONE: put(z, op->a, M_NONE_ID); break;
    case OP_BOOL: put(z, op->a, op->b ? M_TRUE_ID : M_FALSE_ID); break;
    case OP_INT: put(z, op->a, model_int(m, (int64_t)(((uint64_t)(uint32_t)op->c << 32) | (uint32_t)op->b))); break;
    case OP_STR:
        str = &z->p->strs[op->b];
        put(z, op->a, model_str(m, str->s, str->len, strlen(str->s) == str->len));
        break;
    case OP_TUPLE:
        if (op->c == 0) {
            put(z, op->a, model_empty_tuple(m));
            break;
        }
        x = model_add(m, GCLAB_K_TUPLE);
        for (i = 0; i < op->c; i++)
            model_push(m, x, S[op->b + i]);
        put(z, op->a, x);
        break;
    case OP_LIST: put(z, op->a, model_add(m, GCLAB_K_LIST)); break;
    case OP_DICT: put(z, op->a, model_add(m, GCLAB_K_DICT)); break;
    case OP_BLOB:
        x = model_add(m, GCLAB_K_BLOB);
        m->o[x].ival = op->b;
        put(z, op->a, x);
        break;
    case OP_FUNC:
        x = model_add(m, GCLAB_K_FUNC);
        m->o[x].aux = op->b;
        put(z, op->a, x);
        break;
    case OP_CLASS: {
        int init = op->c >= 0 && m->o[S[op->c]].kind == GCLAB_K_FUNC ? S[op->c] : -1;
        int del = op->d >= 0 && m->o[S[op->d]].kind == GCLAB_K_FUNC ? S[op->d] : -1;
        x = model_add(m, GCLAB_K_CLASS);
        m->o[x].ref = init;
        m->o[x].aux = del;
        m->o[x].name = op->b;
        put(z, op->a, x);
        break;
    }
    case OP_INSTANCE:
        x = model_add(m, GCLAB_K_INSTANCE);
        m->o[x].ref = S[op->b];
        m->o[x].has_del = del_is_rec(m, S[op->b]);
        m->o[x].any_del = m->o[S[op->b]].aux >= 0;
        put(z, op->a, x);
        tag(z, op->a, x);
        break;
    case OP_WEAKREF: {
        int cb = op->c >= 0 && m->o[S[op->c]].kind == GCLAB_K_FUNC ? S[op->c] : -1;
        int t = S[op->b];
        if (m->o[t].dead)
            fz_fail(z, "weakref.ref made to m%d, which was known freed", t);
        x = model_add(m, GCLAB_K_WEAKREF);
        m->o[x].ref = t;
        m->o[x].aux = cb;
        put(z, op->a, x);
        break;
    }
    case OP_MOVE: put(z, op->a, S[op->b]); break;
    case OP_CLEAR: S[op->a] = -1; break;
    case OP_GLOBAL_GET:
        i = model_dict_find(m, m->globals, z->name_mid[op->b]);
        if (i < 0)
            MODEL_DISAGREES("global %s is unbound", z->p->strs[op->b].s);
        put(z, op->a, m->o[m->globals].items[i + 1]);
        break;
    case OP_GLOBAL_SET: model_dict_set(m, m->globals, z->name_mid[op->a], S[op->b]); break;
    case OP_GLOBAL_DEL:
        i = model_dict_find(m, m->globals, z->name_mid[op->a]);
        if (i < 0)
            MODEL_DISAGREES("global %s is unbound", z->p->strs[op->a].s);
        model_remove(m, m->globals, i);
        model_remove(m, m->globals, i);
        break;
    case OP_GETITEM:
        i = index_of(z, S[op->b], S[op->c]);
        put(z, op->a, m->o[S[op->b]].items[kind_at(z, op->b) == GCLAB_K_DICT ? i + 1 : i]);
        break;
    case OP_SETITEM:
        if (kind_at(z, op->a) == GCLAB_K_DICT)
            model_dict_set(m, S[op->a], S[op->b], S[op->c]);
        else
            m->o[S[op->a]].items[index_of(z, S[op->a], S[op->b])] = S[op->c];
        break;
    case OP_DELITEM:
        i = index_of(z, S[op->a], S[op->b]);
        model_remove(m, S[op->a], i);
        if (kind_at(z, op->a) == GCLAB_K_DICT)
            model_remove(m, S[op->a], i);
        break;
    case OP_APPEND: model_push(m, S[op->a], S[op->b]); break;
    case OP_POP: {
        int cont = S[op->b], v;
        if (m->o[cont].kind == GCLAB_K_DICT) {
            i = index_of(z, cont, S[op->c]);
            v = m->o[cont].items[i + 1];
            model_remove(m, cont, i);
            model_remove(m, cont, i);
        } else {
            int64_t k = op->c >= 0 ? ival(z, op->c) : -1;
            if (!norm(&k, m->o[cont].n))
                MODEL_DISAGREES("pop index out of range");
            v = m->o[cont].items[k];
            model_remove(m, cont, (int)k);
        }
        if (op->a >= 0)
            put(z, op->a, v);
        break;
    }
    case OP_DICT_GET:
        i = model_dict_find(m, S[op->b], S[op->c]);
        put(z, op->a, i >= 0 ? m->o[S[op->b]].items[i + 1] : op->d >= 0 ? S[op->d] : M_NONE_ID);
        break;
    case OP_GETATTR:
        i = model_attr_find(m, S[op->b], z->name_mid[op->c]);
        if (i < 0)
            MODEL_DISAGREES("no attribute %s", z->p->strs[op->c].s);
        put(z, op->a, m->o[S[op->b]].items[i + 1]);
        break;
    case OP_SETATTR:
        i = model_attr_find(m, S[op->a], z->name_mid[op->b]);
        if (i >= 0) {
            m->o[S[op->a]].items[i + 1] = S[op->c];
        } else {
            model_push(m, S[op->a], z->name_mid[op->b]);
            model_push(m, S[op->a], S[op->c]);
        }
        break;
    case OP_DELATTR:
        i = model_attr_find(m, S[op->a], z->name_mid[op->b]);
        if (i < 0)
            MODEL_DISAGREES("no attribute %s to delete", z->p->strs[op->b].s);
        model_remove(m, S[op->a], i);
        model_remove(m, S[op->a], i);
        break;
    case OP_CALL: apply_call(z, op); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_FLOORDIV: case OP_MOD: apply_arith(z, op); break;
    case OP_NEG: put(z, op->a, model_int(m, -ival(z, op->b))); break;
    case OP_NOT: put(z, op->a, model_truth(m, S[op->b]) ? M_FALSE_ID : M_TRUE_ID); break;
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_IS: case OP_IS_NOT:
        apply_compare(z, op);
        break;
    case OP_FOR_RANGE: {
        int64_t cur = ival(z, op->b), stop = ival(z, op->b + 1), step = ival(z, op->b + 2), next;
        if (step > 0 ? cur >= stop : cur <= stop)
            break;
        if (__builtin_add_overflow(cur, step, &next))
            next = stop;
        if (op->a != op->b)    /* the same slot (no compiled loop does it): next wins */
            put(z, op->a, model_int(m, cur));
        put(z, op->b, model_int(m, next));
        break;
    }
    case OP_LEN:
        if (kind_at(z, op->b) == M_OPAQUE)
            put_engine_int(z, op->a);
        else
            put(z, op->a, model_int(m, model_len(m, S[op->b])));
        break;
    case OP_ID: case OP_REFCOUNT: case OP_GC_GET_FREEZE_COUNT: case OP_GC_ISENABLED:
        put_engine_int(z, op->a);
        break;
    case OP_GC_COLLECT: {
        int64_t gen = op->b >= 0 ? ival(z, op->b) : 2;
        z->full = gen == 2;
        z->old_dst = op->a >= 0 ? S[op->a] : -1;
        if (op->a >= 0)
            put_engine_int(z, op->a);
        break;
    }
    case OP_GC_GET_THRESHOLD: case OP_GC_GET_COUNT: case OP_GC_GET_STATS: import(z, op->a); map_slot(z, op->a, S[op->a]); break;
    case OP_GC_GET_OBJECTS: S[op->a] = model_add(m, M_OPAQUE); break;
    case OP_GC_GARBAGE: put(z, op->a, m->garbage); break;
    case OP_GC_CALLBACKS: put(z, op->a, m->callbacks); break;
    case OP_GC_FREEZE: z->frozen = true; break;
    case OP_GC_UNFREEZE: z->frozen = false; break;
    }
}

/* ==================================================================== *
 * The checks
 * ==================================================================== */

struct chk {
    struct fz *z;
    int nslots, next;      /* check frame size, next free slot */
    int *slotmid;          /* model id held by each check-frame slot, -1 if none */
    int *queue, qh, qt;    /* slots to visit */
    int *owner;            /* the slot holding each visited object, -1 if not visited */
    bool *R, *L, *K;       /* reachable, rc-live, reachable when the collection ran */
    bool *Rr;              /* reachable from r, the resurrected objects' list */
    bool *F;               /* reachable from what this op finalized */
};

static int chk_slot(struct chk *c)
{
    if (c->next >= c->nslots)
        fz_fail(c->z, "check frame of %d slots is too small", c->nslots);
    return c->next++;
}

static void chk_enqueue(struct chk *c, int s, int x)
{
    c->slotmid[s] = x;
    c->queue[c->qt++] = s;
}

static void chk_drop(struct chk *c, int s)
{
    gclab_clear(c->z->h, s);
    c->slotmid[s] = -1;
}

static int count_set(const struct model *m, const bool *set)
{
    int n = 0;
    for (int i = 0; i < m->n; i++)
        n += set[i] && !m->o[i].immortal && m->o[i].kind != M_OPAQUE;
    return n;
}

/* Visit the object in check slot s, which the model says is x. */
static void chk_visit(struct chk *c, int s, int x)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    struct m_obj *o = &m->o[x];
    uint64_t id = 0;
    int64_t v, n;
    gclab_id(h, s, &id);
    if (o->eid == 0)
        o->eid = id;
    else if (o->eid != id)
        fz_fail(z, "reachable m%d (%s) is engine object 0x%llx where the model had 0x%llx "
                   "(freed and reused, or a wrong reference)", x, kname(o->kind), (unsigned long long)id,
                (unsigned long long)o->eid);
    if (c->owner[x] >= 0) {
        chk_drop(c, s);
        return;
    }
    c->owner[x] = s;
    int k = gclab_kind_of(h, s);
    if (o->kind == M_OPAQUE)
        return;
    if (k != o->kind)
        fz_fail(z, "reachable m%d should be a %s, the engine has a %s", x, kname(o->kind), kname(k));
    switch (o->kind) {
    case GCLAB_K_INT: case GCLAB_K_BOOL:
        gclab_int_value(h, s, &v);
        if (v != o->ival)
            fz_fail(z, "m%d should be %lld, is %lld", x, (long long)o->ival, (long long)v);
        break;
    case GCLAB_K_STR: {
        const char *sv;
        size_t len;
        gclab_str_value(h, s, &sv, &len);
        if (len != o->len || memcmp(sv, o->s, len) != 0)
            fz_fail(z, "str m%d changed: %zu bytes where the model has %zu", x, len, o->len);
        break;
    }
    case GCLAB_K_BLOB:
        gclab_len(h, s, &n);
        if (n != o->ival)
            fz_fail(z, "blob m%d has %lld bytes, the model %lld", x, (long long)n, (long long)o->ival);
        break;
    case GCLAB_K_TUPLE: case GCLAB_K_LIST:
        gclab_len(h, s, &n);
        if (n != o->n)
            fz_fail(z, "%s m%d has %lld items, the model %d", kname(o->kind), x, (long long)n, o->n);
        for (int i = 0; i < o->n; i++) {
            int t = chk_slot(c);
            if ((o->kind == GCLAB_K_TUPLE ? gclab_tuple_get(h, t, s, i) : gclab_list_get(h, t, s, i)) != GCLAB_OK)
                fz_fail(z, "%s m%d item %d: %s", kname(o->kind), x, i, gclab_error(h));
            chk_enqueue(c, t, m->o[x].items[i]);
        }
        break;
    case GCLAB_K_DICT: {
        size_t pos = 0;
        bool more = true;
        int i = 0;
        for (;;) {
            int ks = chk_slot(c), vs = chk_slot(c);
            if (gclab_dict_next(h, s, &pos, ks, vs, &more) != GCLAB_OK)
                fz_fail(z, "dict m%d: %s", x, gclab_error(h));
            if (!more) {
                c->next -= 2;
                break;
            }
            if (i >= o->n)
                fz_fail(z, "dict m%d has more than the model's %d entries", x, o->n / 2);
            chk_enqueue(c, ks, m->o[x].items[i]);
            chk_enqueue(c, vs, m->o[x].items[i + 1]);
            i += 2;
        }
        if (i != m->o[x].n)
            fz_fail(z, "dict m%d has %d entries, the model %d", x, i / 2, m->o[x].n / 2);
        break;
    }
    case GCLAB_K_INSTANCE: {
        const char *want = z->p->strs[m->o[o->ref].name].s, *got = gclab_type_name(h, s);
        if (strcmp(want, got) != 0)
            fz_fail(z, "instance m%d is of class '%s', the model says '%s'", x, got, want);
        for (int a = 0; a < 3; a++) {
            int t = chk_slot(c), at = model_attr_find(m, x, z->name_mid[FZ_S_A + a]);
            gclab_status st = gclab_attr_get(h, t, s, z->names[FZ_S_A + a]);
            if ((st == GCLAB_OK) != (at >= 0))
                fz_fail(z, "instance m%d %s attribute %s", x, at >= 0 ? "lost" : "gained",
                        z->p->strs[FZ_S_A + a].s);
            if (st == GCLAB_OK) {
                chk_enqueue(c, t, m->o[x].items[at + 1]);
            } else {
                gclab_error_clear(h);
                c->next--;
            }
        }
        break;
    }
    case GCLAB_K_WEAKREF: {
        int t = chk_slot(c), tg = o->ref;
        gclab_weakref_get(h, t, s);
        if (gclab_kind_of(h, t) == GCLAB_K_NONE) {
            /* (a collector clears weakrefs to what its finalizers then resurrect) */
            if (tg >= 0 && c->R[tg] && !(c->Rr[tg] && !z->rc_exact))
                fz_fail(z, "weakref m%d reads None but its target m%d is reachable", x, tg);
            if (tg >= 0 && z->rc_exact && c->L[tg])
                fz_fail(z, "weakref m%d reads None but rc keeps its target m%d (on a cycle)", x, tg);
            if (z->nogc)
                fz_fail(z, "weakref m%d was cleared on an engine that frees nothing", x);
            wr_seen_cleared(z, o, s);
        } else {
            uint64_t tid = 0;
            gclab_id(h, t, &tid);
            if (o->cleared)
                fz_fail(z, "weakref m%d read None before and now returns an object", x);
            if (m->o[tg].dead && !c->Rr[tg] && !c->F[tg])
                fz_fail(z, "weakref m%d returns m%d, which was known freed", x, tg);
            if (tid != m->o[tg].eid)
                fz_fail(z, "weakref m%d returns engine object 0x%llx, not its target m%d (0x%llx)", x,
                        (unsigned long long)tid, tg, (unsigned long long)m->o[tg].eid);
            if (z->rc_exact && !c->L[tg])
                fz_fail(z, "weakref m%d still returns m%d, which rc must have freed", x, tg);
            /* (a weakref its __del__ made, mkwr, may see what a tracing engine finalized live
             * until the next collection) */
            if (z->full && z->precise && z->cycles && !z->frozen && !c->K[tg] && !c->F[tg])
                fz_fail(z, "after a full collection weakref m%d still returns unreachable m%d", x, tg);
        }
        chk_drop(c, t);
        c->next--;
        break;
    }
    default:
        break;
    }
}

/* Cycle collectors: what must be alive. A weakref's callback is certain only
 * while the weakref's target is reachable, or once the weakref is known
 * cleared with its callback kept; otherwise a collection may clear the
 * weakref at any time, and a refcount death drops the callback (rcgen). */
static void firm_reachable(struct model *m, bool *R)
{
    m->no_cb_edges = true;
    model_reachable(m, R);
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < m->n; i++) {
            const struct m_obj *o = &m->o[i];
            if (o->kind == GCLAB_K_WEAKREF && R[i] && o->aux >= 0 && !R[o->aux] &&
                (o->cleared || (o->ref >= 0 && R[o->ref]))) {
                model_reach_from(m, &o->aux, 1, R);
                changed = true;
            }
        }
    }
    m->no_cb_edges = false;
}

/* C7: the generation of every model object the engine tracks (out[mid], -1 if in none),
 * through the engine's foreach_tracked (no allocation, so the query changes nothing). */
struct genq { uint64_t *key; int *val; size_t mask; int *out, gen; };

static void genq_visit(gclab_obj *o, void *ctx)
{
    struct genq *q = ctx;
    uint64_t id = (uint64_t)(uintptr_t)o;
    for (size_t i = (size_t)(id >> 4) & q->mask;; i = (i + 1) & q->mask) {
        if (q->key[i] == 0)
            return;   /* a tracked object the model does not know (the harness's own) */
        if (q->key[i] == id) {
            q->out[q->val[i]] = q->gen;
            return;
        }
    }
}

static void fz_generations(struct fz *z, int *out)
{
    struct model *m = z->m;
    size_t cap = 16;
    while (cap < 2 * (size_t)m->n)
        cap *= 2;
    uint64_t *key = scratch(z, SC_GENHASH, cap, sizeof(uint64_t) + sizeof(int));
    struct genq q = { key, (int *)(key + cap), cap - 1, out, 0 };
    for (int i = 0; i < m->n; i++) {
        out[i] = -1;
        uint64_t id = m->o[i].eid;
        if (id == 0 || m->o[i].immortal || m->o[i].dead)
            continue;
        size_t k = (size_t)(id >> 4) & q.mask;
        while (key[k] != 0 && key[k] != id)
            k = (k + 1) & q.mask;
        key[k] = id;
        q.val[k] = i;
    }
    const struct gclab_engine *e = gclab_engine_find(gclab_heap_engine(z->h));
    for (q.gen = 0; q.gen < z->ngens; q.gen++)
        e->foreach_tracked(z->h, q.gen, genq_visit, &q);
}

static uint64_t fz_collections(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    uint64_t n = 0;
    for (int g = 0; g < GCLAB_MAX_GENS; g++)
        n += st.collections[g];
    return n;
}

/* C7, after gc.collect(g) ran as the op's one collection with no finalizer or callback:
 * every reachable object tracked in generation <= g before is in min(g + 1, oldest)
 * after, every one in an older generation stayed, and only tuples and dicts (which a
 * collection may untrack, CPython's maybe-untrack) left the generations. */
static void fz_check_generations(struct fz *z, const bool *R)
{
    struct model *m = z->m;
    int g = z->gen_collect, n = z->gen_before_n < m->n ? z->gen_before_n : m->n;
    if (fz_collections(z->h) != z->gen_collections + 1 || z->nev_op != 0)
        return;   /* automatic collections too, or __del__/callbacks (which re-track and allocate) */
    int *after = scratch(z, SC_GEN, (size_t)m->n, sizeof(int));
    fz_generations(z, after);
    for (int x = 0; x < n; x++) {
        int before = z->gen_before[x];
        if (before < 0 || !R[x])
            continue;
        int want = before <= g ? (g + 1 < z->ngens ? g + 1 : z->ngens - 1) : before;
        int k = m->o[x].kind;
        if (after[x] < 0 && (k == GCLAB_K_TUPLE || k == GCLAB_K_DICT))
            continue;
        if (after[x] != want)
            fz_fail(z, "m%d (%s) was in generation %d before gc.collect(%d) and is in %d after, not %d", x,
                    kname(k), before, g, after[x], want);
    }
}

static void fz_check(struct fz *z)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    int n = m->n;
    if (m->in_main)
        for (int i = 0; i < m->nslots; i++)
            if (m->slots[i] >= 0 && m->o[m->slots[i]].kind == M_OPAQUE)
                return;   /* gc.get_objects' list holds what the model cannot see */
    struct chk c = { .z = z };
    c.R = scratch(z, SC_R, (size_t)n, sizeof(bool));
    c.L = scratch(z, SC_L, (size_t)n, sizeof(bool));
    model_reachable(m, c.R);
    model_rc_live(m, c.L);
    /* Refcounting clears a weakref (dropping its callback) the moment its target's count
     * reaches zero: the model follows, which may free the callback too, so repeat to the
     * fixed point. (Cycle collectors keep the callback of a weakref they clear.) */
    for (bool changed = z->refcounts; changed;) {
        changed = false;
        for (int i = 0; i < n; i++) {
            struct m_obj *o = &m->o[i];
            if (o->kind == GCLAB_K_WEAKREF && o->ref >= 0 && !c.L[o->ref] && !o->cleared) {
                o->cleared = true;
                drop_cb(z, o);
                m->o[o->ref].dead = true;
                changed = true;
            }
        }
        if (changed) {
            model_rc_live(m, c.L);
            model_reachable(m, c.R);
        }
    }
    c.K = scratch(z, SC_K, (size_t)n, sizeof(bool));
    memcpy(c.K, c.R, (size_t)n * sizeof(bool));
    if (z->cycles)
        firm_reachable(m, c.R);   /* R: what must be alive; K: what may be */
    if (z->full && z->old_dst >= 0)
        model_reach_from(m, &z->old_dst, 1, c.K);
    /* A callback let go of during a collection was reachable when it marked. */
    if (z->full)
        model_reach_from(m, z->cb_op.v, z->cb_op.n, c.K);
    /* What a resurrecting __del__ (res) stored in r lives again: finalized, or seen
     * cleared by a weakref the collector cleared before it ran __del__. */
    c.Rr = scratch(z, SC_RR, (size_t)n, sizeof(bool));
    int *revived = scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), nrev = 0;
    for (int i = 0; i < n; i++)
        if (m->o[i].revived)
            revived[nrev++] = i;
    if (nrev)
        model_reach_from(m, revived, nrev, c.Rr);
    c.F = scratch(z, SC_F, (size_t)n, sizeof(bool));
    if (z->full)
        model_reach_from(m, z->fin_op.v, z->fin_op.n, c.F);

    /* C3, C5: what the events said, against reachability */
    for (int i = 0; i < n; i++) {
        const struct m_obj *o = &m->o[i];
        if (c.R[i] && o->dead && !c.Rr[i])
            fz_fail(z, "m%d (%s) is reachable but was seen freed (a weakref to it read None or its callback ran)", i,
                    kname(o->kind));
        if (c.R[i] && o->finalized && !c.Rr[i])
            fz_fail(z, "__del__ ran on m%d, which is reachable", i);
        if (o->kind == GCLAB_K_WEAKREF && o->cb_ran && o->ref >= 0 && c.R[o->ref] && !c.Rr[o->ref])
            fz_fail(z, "the callback of weakref m%d ran but its target m%d is reachable", i, o->ref);
        if (z->rc_exact && z->finalizers && !c.L[i] && o->has_del && !o->finalized)
            fz_fail(z, "rc freed m%d (instance with __del__) without running __del__", i);
        if (z->rc_exact && c.L[i] && o->dead)
            fz_fail(z, "m%d is on a cycle rc keeps, but was seen freed", i);
        if (z->full && z->precise && z->cycles && z->finalizers && !z->frozen && !c.K[i] && o->has_del &&
            !o->finalized && !o->dead)
            fz_fail(z, "after a full collection unreachable m%d (instance with __del__) was not finalized", i);
    }

    if (z->gen_collect >= 0)
        fz_check_generations(z, c.R);

    /* C8, CPython's weakref-callback rule after a full collection (handle_weakrefs), both
     * halves: a callback ran only for a weakref that was itself reachable (one in the
     * garbage is cleared without it), and every reachable weakref to an object found
     * unreachable had its callback called (a seen one: rec, cbal or fin itself). An
     * object an unreachable __del__ may keep alive (or revive) is left out. */
    if (z->full && z->precise && z->cycles && !z->frozen) {
        for (int i = 0; i < z->cbran_op.n; i++) {
            int w = z->cbran_op.v[i];
            if (!c.K[w] && !c.Rr[w])
                fz_fail(z, "the callback of weakref m%d ran in a full collection, but the weakref was unreachable", w);
        }
        bool *P = scratch(z, SC_P, (size_t)n, sizeof(bool));
        int *pend = scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), npend = 0;
        for (int i = 0; i < n; i++)
            if (!c.K[i] && m->o[i].any_del)
                pend[npend++] = i;
        model_reach_from(m, pend, npend, P);
        for (int i = 0; i < n; i++) {
            const struct m_obj *o = &m->o[i];
            if (o->kind != GCLAB_K_WEAKREF || !c.K[i] || o->cleared || o->cb_ran || o->aux < 0 || o->ref < 0)
                continue;
            int f = helper_of(m, o->aux), t = o->ref;
            bool seen = o->aux == z->fin_mid || f == FZ_F_REC || f == FZ_F_CBAL;
            if (seen && !c.K[t] && !P[t] && !c.F[t] && !m->o[t].dead)
                fz_fail(z, "weakref m%d is reachable and its target m%d was not, but a full collection did not "
                           "call its callback", i, t);
        }
    }

    /* C1, C2: walk the engine's heap from the roots, through the mutator API */
    int nargs = 0, args[32];
    if (m->in_main) {
        for (int i = 0; i < m->nslots; i++) {
            int k = gclab_kind_of(h, i);
            if ((k == GCLAB_K_EMPTY) != (m->slots[i] < 0))
                fz_fail(z, "main slot %d is %s on the engine, the model has %s", i, kname(k),
                        m->slots[i] < 0 ? "it empty" : kname(m->o[m->slots[i]].kind));
            if (m->slots[i] >= 0)
                args[nargs++] = i;
        }
    }
    /* The walk visits only what the model reaches (K): a slot per root, per item of a
     * visited object, and one or two for probing (an engine's extra dict entry, an
     * attribute, a weakref's target). Sized by K, not by every object the run ever
     * made: releasing the frame walks every slot. */
    c.nslots = 32;
    for (int i = 0; i < n; i++)
        if (c.K[i])
            c.nslots += m->o[i].n + 2;
    c.slotmid = scratch(z, SC_SLOTMID, (size_t)c.nslots, sizeof(int));
    c.queue = scratch(z, SC_QUEUE, (size_t)c.nslots, sizeof(int));
    c.owner = scratch(z, SC_OWNER, (size_t)n, sizeof(int));
    for (int i = 0; i < c.nslots; i++)
        c.slotmid[i] = -1;
    for (int i = 0; i < n; i++)
        c.owner[i] = -1;
    if (gclab_frame_push_args(h, c.nslots, nargs, args) != GCLAB_OK)
        fz_fail(z, "cannot push the check frame: %s", gclab_error(h));
    for (int i = 0; i < nargs; i++)
        chk_enqueue(&c, i, m->slots[args[i]]);
    c.next = nargs;
    for (int g = 0; g < 8; g++) {
        int name = g < 4 ? FZ_S_G0 + g : g == 4 ? FZ_S_FIN : FZ_S_R + g - 5, s = chk_slot(&c);
        int at = model_dict_find(m, m->globals, z->name_mid[name]);
        gclab_status st = gclab_global_get(h, s, z->names[name]);
        if ((st == GCLAB_OK) != (at >= 0))
            fz_fail(z, "global %s is %s on the engine but %s in the model", z->p->strs[name].s,
                    st == GCLAB_OK ? "bound" : "unbound", at >= 0 ? "bound" : "unbound");
        if (st == GCLAB_OK) {
            chk_enqueue(&c, s, m->o[m->globals].items[at + 1]);
        } else {
            gclab_error_clear(h);
            c.next--;
        }
    }
    int s = chk_slot(&c);
    gclab_gc_garbage(h, s);
    chk_enqueue(&c, s, m->garbage);
    s = chk_slot(&c);
    gclab_gc_callbacks(h, s);
    chk_enqueue(&c, s, m->callbacks);
    while (c.qh < c.qt) {
        s = c.queue[c.qh++];
        chk_visit(&c, s, c.slotmid[s]);
    }

    /* C4: refcounts of what the walk reached */
    if (z->refcounts) {
        int *indeg = scratch(z, SC_INDEG, (size_t)n, sizeof(int));
        int *roots = scratch(z, SC_ROOTS, (size_t)n, sizeof(int));   /* root refs + check-slot refs */
        model_add_root_refs(m, roots);
        int *outside = scratch(z, SC_OUTSIDE, (size_t)n, sizeof(int));
        bool *notR = scratch(z, SC_NOTR, (size_t)n, sizeof(bool));
        model_indegree(m, c.L, indeg);
        for (int i = 0; i < n; i++)
            notR[i] = c.L[i] && !c.R[i];
        model_indegree(m, notR, outside);
        bool *cb_of_unreachable = scratch(z, SC_CBU, (size_t)n, sizeof(bool));
        for (int i = 0; i < n; i++)
            if (m->o[i].kind == GCLAB_K_WEAKREF && m->o[i].aux >= 0 && m->o[i].ref >= 0 && !c.R[m->o[i].ref])
                cb_of_unreachable[m->o[i].aux] = true;
        int *held = scratch(z, SC_HELD, (size_t)n, sizeof(int));
        for (int i = 0; i < c.next; i++)
            if (c.slotmid[i] >= 0)
                held[c.slotmid[i]]++;
        for (int x = 0; x < n; x++) {
            if (c.owner[x] < 0 || m->o[x].immortal || m->o[x].kind == M_OPAQUE)
                continue;
            if (!z->rc_exact && (outside[x] > 0 || cb_of_unreachable[x]))
                continue;   /* a cycle collector may have freed those referrers, or cleared that weakref */
            int scratch = held[x];
            int64_t rc = 0;
            if (gclab_getrefcount(h, c.owner[x], &rc) != GCLAB_OK)
                fz_fail(z, "getrefcount(m%d): %s", x, gclab_error(h));
            int64_t want = indeg[x] + roots[x] + scratch + 1;
            if (rc != want)
                fz_fail(z, "refcount of m%d (%s) is %lld, the model expects %lld (in-degree %d, roots %d, "
                           "check slots %d, argument 1)", x, kname(m->o[x].kind), (long long)rc - 1,
                        (long long)want - 1, indeg[x], roots[x], scratch);
        }
    }
    gclab_frame_pop(h);

    /* C5, C6: live objects */
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    if (st.allocs - st.freed != st.live_objects)
        fz_fail(z, "allocs %llu - freed %llu != live objects %llu", (unsigned long long)st.allocs,
                (unsigned long long)st.freed, (unsigned long long)st.live_objects);
    int64_t live = (int64_t)st.live_objects - z->baseline;
    int nR = count_set(m, c.R), nL = count_set(m, c.L);
    if (z->rc_exact && live != nL)
        fz_fail(z, "rc holds %lld live objects, the model's rc-live set has %d", (long long)live, nL);
    if (z->refcounts && z->cycles && (live < nR || live > nL))
        fz_fail(z, "%lld live objects, outside [reachable %d, rc-live %d]", (long long)live, nR, nL);
    if (z->nogc && (st.freed != 0 || st.finalizers_run != 0 || st.weakrefs_cleared != 0))
        fz_fail(z, "an engine that frees nothing freed %llu objects, ran %llu finalizers, cleared %llu weakrefs",
                (unsigned long long)st.freed, (unsigned long long)st.finalizers_run,
                (unsigned long long)st.weakrefs_cleared);
    /* (Unmodeled garbage a finalizer just ran for waits a cycle, with what it reaches.) */
    if (z->full && z->precise && z->cycles && !z->frozen && m->o[m->callbacks].n == 0 && z->untagged_fin == 0) {
        bool *hi = scratch(z, SC_HI, (size_t)n, sizeof(bool));
        memcpy(hi, c.K, (size_t)n * sizeof(bool));
        model_reach_from(m, z->fin_op.v, z->fin_op.n, hi);
        model_reach_from(m, z->displaced_op.v, z->displaced_op.n, hi);
        /* A __del__ other than rec runs unseen: what it may have just finalized waits too.
         * Even if a weakref to it reads None ("dead"): weakrefs are cleared first. */
        int *unseen = scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), nun = 0;
        for (int i = 0; i < n; i++)
            if (m->o[i].any_del && !m->o[i].has_del && !c.K[i])
                unseen[nun++] = i;
        model_reach_from(m, unseen, nun, hi);
        int nhi = count_set(m, hi);
        if (live < nR || live > nhi)
            fz_fail(z, "after a full collection %lld objects are live; reachable %d, with what this "
                       "collection's finalizers reach %d", (long long)live, nR, nhi);
    }
    if (z->precise && live < nR)
        fz_fail(z, "%lld live objects but %d are reachable", (long long)live, nR);
}

/* ==================================================================== *
 * Running
 * ==================================================================== */

/* The trace line of an op in observed mode: its status, then slot a as kind and value. */
static bool engine_dependent(int code)
{
    switch (code) {
    case OP_ID: case OP_REFCOUNT: case OP_GC_COLLECT: case OP_GC_GET_THRESHOLD: case OP_GC_SET_THRESHOLD:
    case OP_GC_GET_COUNT: case OP_GC_GET_STATS: case OP_GC_GET_OBJECTS: case OP_GC_GARBAGE: case OP_GC_FREEZE:
    case OP_GC_UNFREEZE: case OP_GC_GET_FREEZE_COUNT:
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
        if (writes && op->code != OP_GC_SET_THRESHOLD)
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
        if (op->code == OP_SETATTR && gclab_kind_of(h, op->a) == GCLAB_K_CLASS)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: class attributes (instances see them) are not modelled");
        if (op->code == OP_CALL && op->d >= 1 && gclab_kind_of(h, op->c) == GCLAB_K_CLASS && z->m->slots[op->b] >= 0 &&
            helper_of(z->m, z->m->slots[op->b]) == FZ_F_INIT)
            return gclab_raise(h, GCLAB_EUSAGE, "fuzz: init(cls, x) stores a class attribute (not modelled)");
        z->pc = pc;
        z->direct = z->wr_call = false;
        z->full = false;
        z->old_dst = -1;
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
            tag(z, op->a, z->ntags++);
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
        gclab_gc_collect(h, 2, &found);
        fz_events(z);
        fz_check(z);
    }
    bool *L = scratch(z, SC_L, (size_t)m->n, sizeof(bool));
    gclab_heap_drop_roots(h);
    m->globals = m->garbage = m->callbacks = -1;
    model_rc_live(m, L);
    int nL = count_set(m, L);
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
    z.nogc = !z.refcounts && !z.cycles;
    z.drops_cb = !(z.refcounts && z.cycles);
    if (fz_setup(&z) != 0) {
        fprintf(stderr, "gclab fuzz: setup failed on %s: %s\n", engine, gclab_error(z.h));
        abort();
    }
    z.p->rt.step = fz_step;
    z.p->rt.step_ctx = &z;
    z.m->in_main = true;
    FILE *sink = out ? out : fopen("/dev/null", "w");
    ops_run(z.h, z.p, sink, NULL);
    if (z.verbose && z.exhausted)
        fprintf(stderr, "gclab fuzz: %s stopped after %d ops, helpers included: not checked\n", engine,
                FZ_OP_BUDGET);
    if (!out && sink)
        fclose(sink);
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
