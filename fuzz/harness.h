/* harness.h — what the parts of the checked runner share (private to fuzz/):
 * the run's state (struct fz), the check's (struct chk), and the parts'
 * entry points. harness.c runs an input (the step hook, heap setup and
 * teardown, the observed mode of the differential target); events.c is the
 * recorder (fin) and its events; apply.c performs an op on the model;
 * check.c checks C1-C8 (the list is in harness.c); walk.c walks the engine's
 * heap for C1 and C2.
 */
#ifndef GCLAB_FZ_HARNESS_H
#define GCLAB_FZ_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

#include "fz.h"
#include "model.h"

/* What fin(x) reports: a __del__ ran, a weakref callback ran, or the program's own
 * call of a helper (res, mkcyc, mkwr, cbal) finished; helper: the helper that called fin. */
enum { EV_FIN, EV_CB, EV_DIRECT };
/* The check's arrays, kept between checks (fresh memory per check was half of a
 * run's time under ASan, whose quarantine never hands freed memory back soon). */
enum { SC_R, SC_L, SC_K, SC_SLOTMID, SC_QUEUE, SC_OWNER, SC_INDEG, SC_OUTSIDE, SC_NOTR, SC_CBU,
       SC_HI, SC_UNSEEN, SC_RR, SC_F, SC_D, SC_GEN, SC_GENHASH, SC_P, SC_ROOTS, SC_HELD, SC_COUNT };
struct ilist { int *v; int n, cap; };
/* kept_cb: the weakref still held its callback while it ran (rcgen's collector
 * path, CPython's handle_weakrefs); a refcount death drops it first. */
/* An event; made: the engine id of the weakref an mkwr helper made, made_mid its model
 * object once applied. mid <= -2: a callback of the weakref event -2 - mid made. */
struct ev { int kind, mid; bool kept_cb; int helper; uint64_t made; int made_mid; };

struct fz {
    gclab_heap *h;
    struct ops_program *p;
    struct model *m;
    const char *engine;
    bool refcounts, cycles, precise, finalizers, rc_exact, nogc;
    /* Whether a cleared weakref has surely dropped its callback: not on refcounting cycle
     * collectors, where CPython's gc keeps it (handle_weakrefs) but dealloc drops it. */
    bool drops_cb;
    /* Facts: the cycle collector clears weakrefs as CPython's handle_weakrefs does (callback
     * kept while it runs; every weakref to the unreachable cleared before any __del__), and
     * the weakref-callback rule is CPython's (C8). */
    bool handle_weakrefs, wrcb_cpython;
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
    int n_at_op;                 /* model objects when the current op began (older ones predate it) */
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

struct chk {
    struct fz *z;
    int nslots, next;      /* check frame size, next free slot */
    int *slotmid;          /* model id held by each check-frame slot, -1 if none */
    int *queue, qh, qt;    /* slots to visit */
    int *owner;            /* the slot holding each visited object, -1 if not visited */
    bool *R, *L, *K;       /* reachable, rc-live, reachable when the collection ran */
    bool *Rr;              /* reachable from r, the resurrected objects' list */
    bool *F;               /* reachable from what this op finalized */
    bool *D;               /* reachable from what a collection's destination held (alive through
                              the collection, so finalized, if at all, by refcount after it) */
};

/* harness.c */
void fz_fail(struct fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Scratch array i of the run, n items of sz bytes, zeroed (kept between checks). */
void *fz_scratch(struct fz *z, int i, size_t n, size_t sz);
/* events.c */
gclab_status fz_rec(gclab_heap *h, void *ctx, int64_t code);
void fz_events(struct fz *z);
/* Weakref o lets go of its callback (the model's aux). */
void fz_drop_cb(struct fz *z, struct m_obj *o);
/* Weakref o, in slot s of the current frame, read None. */
void fz_wr_seen_cleared(struct fz *z, struct m_obj *o, int s);
/* apply.c */
void fz_apply(struct fz *z, const struct ops_op *op);
/* Write x into main's slot s (model) and give it the engine id found there. */
void fz_put(struct fz *z, int s, int x);
/* Tag the instance in main's slot s with its model id (attribute __id). */
void fz_tag(struct fz *z, int s, int x);
/* check.c */
void fz_check(struct fz *z);
/* Objects in set that count as live (not immortal, not gc.get_objects' list). */
int fz_count_set(const struct model *m, const bool *set);
/* C7: every model object's generation on the engine (out[mid], -1 if in none). */
void fz_generations(struct fz *z, int *out);
/* Collections the engine has counted, all generations. */
uint64_t fz_collections(gclab_heap *h);
/* walk.c: C1, C2; pushes the check frame (the caller pops it). */
void fz_walk(struct chk *c);

static inline void *fz_xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

static inline const char *kname(int kind)
{
    static const char *k[] = { "None", "bool", "int", "str", "tuple", "list", "dict", "class", "instance",
                               "blob", "weakref", "func" };
    return kind >= 0 && kind < GCLAB_K_COUNT ? k[kind] : kind == M_OPAQUE ? "gc-objects-list" : "empty";
}

static inline void ilist_push(struct ilist *l, int x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = x;
}

/* Whether a cleared weakref to x proves nothing about x: a collector clears the
 * weakrefs to an object with __del__ before it runs __del__, which may keep it
 * (res, mkcyc), and a tracing engine keeps what it finalized one more cycle. */
static inline bool fin_pending(const struct model *m, int x)
{
    return m->o[x].any_del;
}

/* The helper index of function object f, or 0 (not a helper: fin, or not a function). */
static inline int helper_of(const struct model *m, int f)
{
    return f >= 0 && m->o[f].kind == GCLAB_K_FUNC && m->o[f].aux > 0 ? m->o[f].aux : 0;
}

/* The helper that class cls has as __del__, or 0. */
static inline int del_helper(const struct model *m, int cls)
{
    return cls >= 0 ? helper_of(m, m->o[cls].aux) : 0;
}

/* Whether helper f, as a __del__, calls fin for a tagged instance (its runs are seen). */
static inline bool del_seen(int f)
{
    return f == FZ_F_REC || f == FZ_F_RES || f == FZ_F_MKCYC || f == FZ_F_MKWR;
}

/* The model object in main's slot s: its int value, its kind, whether it is an int or bool. */
static inline int64_t ival(struct fz *z, int s) { return z->m->o[z->m->slots[s]].ival; }
static inline int kind_at(struct fz *z, int s) { return z->m->o[z->m->slots[s]].kind; }
static inline bool intlike_at(struct fz *z, int s) { int k = kind_at(z, s); return k == GCLAB_K_INT || k == GCLAB_K_BOOL; }

#endif
