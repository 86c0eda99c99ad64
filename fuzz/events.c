/* events.c — the recorder: the helpers' rec(x) calls the native global fin
 * (fz_rec), which logs each __del__ run and weakref callback as an event,
 * and fz_events applies the events to the model after the op that caused
 * them (a resurrecting or cycle-making __del__, a __del__ that makes a
 * weakref, a callback that allocates: the helpers' effects, in order).
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

/* Whether the weakref in slot s of the current frame still holds a callback:
 * rcgen drops it when the target dies by refcount, keeps it when its
 * collector clears the weakref (CPython's two paths), so ask the engine. */
static bool wr_has_callback(gclab_heap *h, int s)
{
    return gclab_weakref_has_callback(h, s);
}

/* Weakref o lets go of its callback (the model's aux). */
void fz_drop_cb(struct fz *z, struct m_obj *o)
{
    if (o->aux >= 0)
        ilist_push(&z->cb_op, o->aux);
    o->aux = -1;
}

/* Weakref o, in slot s of the current frame, read None: it is cleared and its
 * target dead; its callback is gone unless the engine kept it (rcgen's collector). */
void fz_wr_seen_cleared(struct fz *z, struct m_obj *o, int s)
{
    o->cleared = true;
    if (z->drops_cb || !wr_has_callback(z->h, s))
        fz_drop_cb(z, o);
    if (o->ref >= 0 && !fin_pending(z->m, o->ref))
        z->m->o[o->ref].dead = true;
}



/* The engine id of the weakref mkwr just made: it appended it to w, then called fin.
 * (Known from birth, the model's weakref cannot be taken for an older freed one whose
 * address the engine reused when its callback names it.) Slot 1 is scratch. */
static uint64_t mkwr_made(struct fz *z)
{
    gclab_heap *h = z->h;
    uint64_t id = 0;
    if (gclab_global_get(h, 1, z->names[FZ_S_W]) == GCLAB_OK && gclab_list_get(h, 1, 1, -1) == GCLAB_OK &&
        gclab_kind_of(h, 1) == GCLAB_K_WEAKREF)
        gclab_id(h, 1, &id);
    gclab_clear(h, 1);
    return id;
}

static void ev_push(struct fz *z, int kind, int mid, bool kept_cb, int helper)
{
    if (z->nev == z->capev) {
        z->capev = z->capev ? 2 * z->capev : 16;
        z->ev = realloc(z->ev, (size_t)z->capev * sizeof *z->ev);
        if (!z->ev)
            abort();
    }
    z->ev[z->nev++] = (struct ev){ kind, mid, kept_cb, helper, helper == FZ_F_MKWR ? mkwr_made(z) : 0, -1 };
}

/* fin(x): slot 0 holds x, slot 1 is scratch. Runs inside __del__ or a weakref callback
 * (or a direct call of rec, which is not an event). */
gclab_status fz_rec(gclab_heap *h, void *ctx, int64_t code)
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
        int j = z->nev - 1;   /* one an earlier helper of this op made (not in the model yet)? */
        while (j >= 0 && z->ev[j].made != id)
            j--;
        if (j >= 0)
            ev_push(z, EV_CB, -2 - j, gclab_weakref_has_callback(h, 0), helper_of(z->m, z->fin_mid));
        else
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
static int apply_effect(struct fz *z, int f, int x, bool fin, uint64_t made)
{
    struct model *m = z->m;
    int l = -1;
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
        m->o[l].eid = made;
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
    return l;
}

void fz_events(struct fz *z)
{
    struct model *m = z->m;
    for (int i = 0; i < z->nev; i++) {
        int x = z->ev[i].mid;
        if (z->ev[i].kind == EV_DIRECT) {
            z->ev[i].made_mid = apply_effect(z, z->ev[i].helper, x, false, z->ev[i].made);
            continue;
        }
        if (x <= -2 && -2 - x < i)
            x = z->ev[-2 - x].made_mid;
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
            z->ev[i].made_mid = apply_effect(z, z->ev[i].helper, x, true, z->ev[i].made);
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
                fz_drop_cb(z, o);
            if (o->ref >= 0 && !fin_pending(m, o->ref))
                m->o[o->ref].dead = true;
            z->ev[i].made_mid = apply_effect(z, z->ev[i].helper, x, false, z->ev[i].made);
        }
    }
    z->nev = 0;
}
