/* walk.c — C1 and C2: the engine's heap walked from the roots (main's slots,
 * the globals, gc.garbage, gc.callbacks) through the mutator API alone, each
 * object loaded into a slot of one check frame and compared with the model:
 * kind, value, items, dict entries in order, attributes, identity, and what
 * a weakref returns. An explicit queue of slots: no recursion on heap depth.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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

/* A tuple's or list's items: as many as the model's, each queued. */
static void visit_seq(struct chk *c, int s, int x)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    struct m_obj *o = &m->o[x];
    int64_t n;
    gclab_len(h, s, &n);
    if (n != o->n)
        fz_fail(z, "%s m%d has %lld items, the model %d", kname(o->kind), x, (long long)n, o->n);
    for (int i = 0; i < o->n; i++) {
        int t = chk_slot(c);
        if ((o->kind == GCLAB_K_TUPLE ? gclab_tuple_get(h, t, s, i) : gclab_list_get(h, t, s, i)) != GCLAB_OK)
            fz_fail(z, "%s m%d item %d: %s", kname(o->kind), x, i, gclab_error(h));
        chk_enqueue(c, t, m->o[x].items[i]);
    }
}

/* A dict's entries, in the model's order, keys and values queued. */
static void visit_dict(struct chk *c, int s, int x)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    struct m_obj *o = &m->o[x];
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
}

/* An instance: its class's name, and the attributes a, b, c the model has (no more). */
static void visit_instance(struct chk *c, int s, int x)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    struct m_obj *o = &m->o[x];
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
}

/* Whether x's __del__ ran during the current op. */
static bool finalized_in_op(const struct fz *z, int x)
{
    for (int i = 0; i < z->fin_op.n; i++)
        if (z->fin_op.v[i] == x)
            return true;
    return false;
}

/* C2: what a weakref returns, against its target's state in the model. */
static void visit_weakref(struct chk *c, int s, int x)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    struct m_obj *o = &m->o[x];
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
        fz_wr_seen_cleared(z, o, s);
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
        /* CPython's gc (facts: callback_kept, handle_weakrefs) clears every weakref to the
         * unreachable set before it runs a finalizer: one that predates the collection
         * reads None even if the __del__ then resurrected its target. */
        if (z->full && z->handle_weakrefs && !z->frozen && x < z->n_at_op && !c->D[tg] && finalized_in_op(z, tg))
            fz_fail(z, "weakref m%d still returns m%d, which this full collection finalized (weakrefs to "
                       "the unreachable are cleared before __del__ runs)", x, tg);
    }
    chk_drop(c, t);
    c->next--;
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
    case GCLAB_K_TUPLE: case GCLAB_K_LIST: visit_seq(c, s, x); break;
    case GCLAB_K_DICT: visit_dict(c, s, x); break;
    case GCLAB_K_INSTANCE: visit_instance(c, s, x); break;
    case GCLAB_K_WEAKREF: visit_weakref(c, s, x); break;
    default: break;
    }
}

void fz_walk(struct chk *c)
{
    struct fz *z = c->z;
    gclab_heap *h = z->h;
    struct model *m = z->m;
    int n = m->n;
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
    c->nslots = 32;
    for (int i = 0; i < n; i++)
        if (c->K[i])
            c->nslots += m->o[i].n + 2;
    c->slotmid = fz_scratch(z, SC_SLOTMID, (size_t)c->nslots, sizeof(int));
    c->queue = fz_scratch(z, SC_QUEUE, (size_t)c->nslots, sizeof(int));
    c->owner = fz_scratch(z, SC_OWNER, (size_t)n, sizeof(int));
    for (int i = 0; i < c->nslots; i++)
        c->slotmid[i] = -1;
    for (int i = 0; i < n; i++)
        c->owner[i] = -1;
    if (gclab_frame_push_args(h, c->nslots, nargs, args) != GCLAB_OK)
        fz_fail(z, "cannot push the check frame: %s", gclab_error(h));
    for (int i = 0; i < nargs; i++)
        chk_enqueue(c, i, m->slots[args[i]]);
    c->next = nargs;
    for (int g = 0; g < 8; g++) {
        int name = g < 4 ? FZ_S_G0 + g : g == 4 ? FZ_S_FIN : FZ_S_R + g - 5, s = chk_slot(c);
        int at = model_dict_find(m, m->globals, z->name_mid[name]);
        gclab_status st = gclab_global_get(h, s, z->names[name]);
        if ((st == GCLAB_OK) != (at >= 0))
            fz_fail(z, "global %s is %s on the engine but %s in the model", z->p->strs[name].s,
                    st == GCLAB_OK ? "bound" : "unbound", at >= 0 ? "bound" : "unbound");
        if (st == GCLAB_OK) {
            chk_enqueue(c, s, m->o[m->globals].items[at + 1]);
        } else {
            gclab_error_clear(h);
            c->next--;
        }
    }
    int s = chk_slot(c);
    gclab_gc_garbage(h, s);
    chk_enqueue(c, s, m->garbage);
    s = chk_slot(c);
    gclab_gc_callbacks(h, s);
    chk_enqueue(c, s, m->callbacks);
    while (c->qh < c->qt) {
        s = c->queue[c->qh++];
        chk_visit(c, s, c->slotmid[s]);
    }
}
