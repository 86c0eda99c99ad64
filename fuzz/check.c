/* check.c — the model's invariants checked against the engine (C1-C8; the
 * list is in harness.c's opening comment): fz_check computes what the model
 * says must and may be alive, then checks the events against it (C3, C5),
 * generation membership (C7), the weakref-callback rule (C8), walks the
 * engine's heap from the roots (C1, C2: walk.c), checks refcounts (C4) and
 * the live counts (C5, C6). Every walk is over the model's arrays or an
 * explicit queue: no recursion on heap depth.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "harness.h"

int fz_count_set(const struct model *m, const bool *set)
{
    int n = 0;
    for (int i = 0; i < m->n; i++)
        n += set[i] && !m->o[i].immortal && m->o[i].kind != M_OPAQUE;
    return n;
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

void fz_generations(struct fz *z, int *out)
{
    struct model *m = z->m;
    size_t cap = 16;
    while (cap < 2 * (size_t)m->n)
        cap *= 2;
    uint64_t *key = fz_scratch(z, SC_GENHASH, cap, sizeof(uint64_t) + sizeof(int));
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

uint64_t fz_collections(gclab_heap *h)
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
    int *after = fz_scratch(z, SC_GEN, (size_t)m->n, sizeof(int));
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

/* What must and may be alive (c->R, c->L, c->K), what __del__ revived (c->Rr) and
 * what this op finalized reaches (c->F). */
static void check_sets(struct fz *z, struct chk *c)
{
    struct model *m = z->m;
    int n = m->n;
    c->R = fz_scratch(z, SC_R, (size_t)n, sizeof(bool));
    c->L = fz_scratch(z, SC_L, (size_t)n, sizeof(bool));
    model_reachable(m, c->R);
    /* L (rc-live) is read only on refcounting engines: the others skip its fixed point. */
    if (z->refcounts)
        model_rc_live(m, c->L);
    /* Refcounting clears a weakref (dropping its callback) the moment its target's count
     * reaches zero: the model follows, which may free the callback too, so repeat to the
     * fixed point. (Cycle collectors keep the callback of a weakref they clear.) */
    for (bool changed = z->refcounts; changed;) {
        changed = false;
        for (int i = 0; i < n; i++) {
            struct m_obj *o = &m->o[i];
            if (o->kind == GCLAB_K_WEAKREF && o->ref >= 0 && !c->L[o->ref] && !o->cleared) {
                o->cleared = true;
                fz_drop_cb(z, o);
                m->o[o->ref].dead = true;
                changed = true;
            }
        }
        if (changed) {
            model_rc_live(m, c->L);
            model_reachable(m, c->R);
        }
    }
    c->K = fz_scratch(z, SC_K, (size_t)n, sizeof(bool));
    memcpy(c->K, c->R, (size_t)n * sizeof(bool));
    if (z->cycles)
        firm_reachable(m, c->R);   /* R: what must be alive; K: what may be */
    c->D = fz_scratch(z, SC_D, (size_t)n, sizeof(bool));
    if (z->full && z->old_dst >= 0) {
        model_reach_from(m, &z->old_dst, 1, c->D);
        for (int i = 0; i < n; i++)
            c->K[i] |= c->D[i];
    }
    /* A callback let go of during a collection was reachable when it marked. */
    if (z->full)
        model_reach_from(m, z->cb_op.v, z->cb_op.n, c->K);
    /* What a resurrecting __del__ (res) stored in r lives again: finalized, or seen
     * cleared by a weakref the collector cleared before it ran __del__. */
    c->Rr = fz_scratch(z, SC_RR, (size_t)n, sizeof(bool));
    int *revived = fz_scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), nrev = 0;
    for (int i = 0; i < n; i++)
        if (m->o[i].revived)
            revived[nrev++] = i;
    if (nrev)
        model_reach_from(m, revived, nrev, c->Rr);
    c->F = fz_scratch(z, SC_F, (size_t)n, sizeof(bool));
    if (z->full)
        model_reach_from(m, z->fin_op.v, z->fin_op.n, c->F);
}

/* C3, C5: what the events said, against reachability. */
static void check_events(struct fz *z, const struct chk *c)
{
    struct model *m = z->m;
    int n = m->n;
    for (int i = 0; i < n; i++) {
        const struct m_obj *o = &m->o[i];
        if (c->R[i] && o->dead && !c->Rr[i])
            fz_fail(z, "m%d (%s) is reachable but was seen freed (a weakref to it read None or its callback ran)", i,
                    kname(o->kind));
        if (c->R[i] && o->finalized && !c->Rr[i])
            fz_fail(z, "__del__ ran on m%d, which is reachable", i);
        if (o->kind == GCLAB_K_WEAKREF && o->cb_ran && o->ref >= 0 && c->R[o->ref] && !c->Rr[o->ref])
            fz_fail(z, "the callback of weakref m%d ran but its target m%d is reachable", i, o->ref);
        if (z->rc_exact && z->finalizers && !c->L[i] && o->has_del && !o->finalized)
            fz_fail(z, "rc freed m%d (instance with __del__) without running __del__", i);
        if (z->rc_exact && c->L[i] && o->dead)
            fz_fail(z, "m%d is on a cycle rc keeps, but was seen freed", i);
        if (z->full && z->precise && z->cycles && z->finalizers && !z->frozen && !c->K[i] && o->has_del &&
            !o->finalized && !o->dead)
            fz_fail(z, "after a full collection unreachable m%d (instance with __del__) was not finalized", i);
}
}

/* C8, CPython's weakref-callback rule after a full collection (handle_weakrefs), both
 * halves: a callback ran only for a weakref that was itself reachable (one in the
 * garbage is cleared without it), and every reachable weakref to an object found
 * unreachable had its callback called (a seen one: rec, cbal or fin itself). An
 * object an unreachable __del__ may keep alive (or revive) is left out. */
static void check_callback_rule(struct fz *z, const struct chk *c)
{
    struct model *m = z->m;
    int n = m->n;
    if (!(z->full && z->wrcb_cpython && z->precise && z->cycles && !z->frozen))
        return;
    for (int i = 0; i < z->cbran_op.n; i++) {
        int w = z->cbran_op.v[i];
        if (!c->K[w] && !c->Rr[w])
            fz_fail(z, "the callback of weakref m%d ran in a full collection, but the weakref was unreachable", w);
    }
    bool *P = fz_scratch(z, SC_P, (size_t)n, sizeof(bool));
    int *pend = fz_scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), npend = 0;
    for (int i = 0; i < n; i++)
        if (!c->K[i] && m->o[i].any_del)
            pend[npend++] = i;
    model_reach_from(m, pend, npend, P);
    for (int i = 0; i < n; i++) {
        const struct m_obj *o = &m->o[i];
        if (o->kind != GCLAB_K_WEAKREF || !c->K[i] || o->cleared || o->cb_ran || o->aux < 0 || o->ref < 0)
            continue;
        int f = helper_of(m, o->aux), t = o->ref;
        bool seen = o->aux == z->fin_mid || f == FZ_F_REC || f == FZ_F_CBAL;
        if (seen && !c->K[t] && !P[t] && !c->F[t] && !m->o[t].dead)
            fz_fail(z, "weakref m%d is reachable and its target m%d was not, but a full collection did not "
                       "call its callback", i, t);
    }
}

/* C4: refcounts of what the walk reached. */
static void check_refcounts(struct fz *z, const struct chk *c)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    int n = m->n;
    int *indeg = fz_scratch(z, SC_INDEG, (size_t)n, sizeof(int));
    int *roots = fz_scratch(z, SC_ROOTS, (size_t)n, sizeof(int));   /* root refs + check-slot refs */
    model_add_root_refs(m, roots);
    int *outside = fz_scratch(z, SC_OUTSIDE, (size_t)n, sizeof(int));
    bool *notR = fz_scratch(z, SC_NOTR, (size_t)n, sizeof(bool));
    model_indegree(m, c->L, indeg);
    for (int i = 0; i < n; i++)
        notR[i] = c->L[i] && !c->R[i];
    model_indegree(m, notR, outside);
    bool *cb_of_unreachable = fz_scratch(z, SC_CBU, (size_t)n, sizeof(bool));
    for (int i = 0; i < n; i++)
        if (m->o[i].kind == GCLAB_K_WEAKREF && m->o[i].aux >= 0 && m->o[i].ref >= 0 && !c->R[m->o[i].ref])
            cb_of_unreachable[m->o[i].aux] = true;
    int *held = fz_scratch(z, SC_HELD, (size_t)n, sizeof(int));
    for (int i = 0; i < c->next; i++)
        if (c->slotmid[i] >= 0)
            held[c->slotmid[i]]++;
    for (int x = 0; x < n; x++) {
        if (c->owner[x] < 0 || m->o[x].immortal || m->o[x].kind == M_OPAQUE)
            continue;
        if (!z->rc_exact && (outside[x] > 0 || cb_of_unreachable[x]))
            continue;   /* a cycle collector may have freed those referrers, or cleared that weakref */
        int scratch = held[x];
        int64_t rc = 0;
        if (gclab_getrefcount(h, c->owner[x], &rc) != GCLAB_OK)
            fz_fail(z, "getrefcount(m%d): %s", x, gclab_error(h));
        int64_t want = indeg[x] + roots[x] + scratch + 1;
        if (rc != want)
            fz_fail(z, "refcount of m%d (%s) is %lld, the model expects %lld (in-degree %d, roots %d, "
                       "check slots %d, argument 1)", x, kname(m->o[x].kind), (long long)rc - 1,
                    (long long)want - 1, indeg[x], roots[x], scratch);
    }
}

/* C5, C6: live objects. */
static void check_live(struct fz *z, const struct chk *c)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    int n = m->n;
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    if (st.allocs - st.freed != st.live_objects)
        fz_fail(z, "allocs %llu - freed %llu != live objects %llu", (unsigned long long)st.allocs,
                (unsigned long long)st.freed, (unsigned long long)st.live_objects);
    int64_t live = (int64_t)st.live_objects - z->baseline;
    int nR = fz_count_set(m, c->R), nL = z->refcounts ? fz_count_set(m, c->L) : 0;
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
        bool *hi = fz_scratch(z, SC_HI, (size_t)n, sizeof(bool));
        memcpy(hi, c->K, (size_t)n * sizeof(bool));
        model_reach_from(m, z->fin_op.v, z->fin_op.n, hi);
        model_reach_from(m, z->displaced_op.v, z->displaced_op.n, hi);
        /* A __del__ other than rec runs unseen: what it may have just finalized waits too.
         * Even if a weakref to it reads None ("dead"): weakrefs are cleared first. */
        int *unseen = fz_scratch(z, SC_UNSEEN, (size_t)n, sizeof(int)), nun = 0;
        for (int i = 0; i < n; i++)
            if (m->o[i].any_del && !m->o[i].has_del && !c->K[i])
                unseen[nun++] = i;
        model_reach_from(m, unseen, nun, hi);
        int nhi = fz_count_set(m, hi);
        if (live < nR || live > nhi)
            fz_fail(z, "after a full collection %lld objects are live; reachable %d, with what this "
                       "collection's finalizers reach %d", (long long)live, nR, nhi);
    }
    if (z->precise && live < nR)
        fz_fail(z, "%lld live objects but %d are reachable", (long long)live, nR);
}

void fz_check(struct fz *z)
{
    struct model *m = z->m;
    if (m->in_main)
        for (int i = 0; i < m->nslots; i++)
            if (m->slots[i] >= 0 && m->o[m->slots[i]].kind == M_OPAQUE)
                return;   /* gc.get_objects' list holds what the model cannot see */
    struct chk c = { .z = z };
    check_sets(z, &c);
    check_events(z, &c);
    if (z->gen_collect >= 0)
        fz_check_generations(z, c.R);
    check_callback_rule(z, &c);
    int dropped = z->cb_op.n;
    fz_walk(&c);                 /* pushes the check frame */
    if (z->refcounts)
        check_refcounts(z, &c);
    gclab_frame_pop(z->h);
    /* The walk may have found a weakref cleared with its callback gone: one the
     * collector cleared (its target unreachable then) before a __del__ revived both.
     * What must be alive no longer counts that callback. */
    if (z->cycles && z->cb_op.n != dropped)
        firm_reachable(m, c.R);
    check_live(z, &c);
}
