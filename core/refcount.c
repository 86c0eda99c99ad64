/* refcount.c — the refcount layer: freeing at zero without C recursion, and
 * the PEP 442 / weakref steps of a cycle collector's garbage. The protocol
 * and the engine hooks are in refcount.h; this file only follows it. */
#include "refcount.h"

#include "gclist.h"

/* A mutant point: the engine's own planted bug, or none. */
static inline bool rc_mut(const struct gclab_mutant *m) { return m && GCLAB_MUTANT(*m); }

/* ======================================================================
 * Freeing at zero
 * ====================================================================== */

struct rc_ctx { gclab_heap *h; struct rc_layer *l; };

static void rc_push(struct rc_layer *l, gclab_obj *o)
{
    o->gc_next = l->pending;
    l->pending = o;
}

/* Release one reference held by a dying object's field (step 3c). */
static void rc_release_field(gclab_obj **field, void *vctx)
{
    struct rc_ctx *c = vctx;
    gclab_obj *child = *field;
    *field = NULL;
    if (rc_mut(c->l->ops.skip_decref) && child->kind == GCLAB_K_LIST)
        return;
    if (--child->refcnt == 0) {
        if (c->l->ops.unlink)
            c->l->ops.unlink(c->h, child);
        rc_push(c->l, child);
    } else if (GCLAB_HOOKS && core_hot_(c->h)->on_decref_live && !rc_mut(c->l->ops.no_decref_live)) {
        core_hot_(c->h)->on_decref_live(c->h, child);
    }
}

/* The same for an engine with no lists and no on_decref_live hook (rc):
 * the hot loop of freeing, kept as small as it was before the layer. */
static void rc_release_field_plain(gclab_obj **field, void *vctx)
{
    struct rc_ctx *c = vctx;
    gclab_obj *child = *field;
    *field = NULL;
    if (rc_mut(c->l->ops.skip_decref) && child->kind == GCLAB_K_LIST)
        return;
    if (--child->refcnt == 0)
        rc_push(c->l, child);
}

/* Free one object whose count is zero (step 3). */
static void rc_dealloc(gclab_heap *h, struct rc_layer *l, gclab_obj *o)
{
    const struct rc_ops *ops = &l->ops;
    if (obj_has_del(o) && !(o->gcflags & ops->finalized)) {
        o->gcflags |= ops->finalized;   /* FINALIZED once */
        if (ops->relink)
            ops->relink(h, o);
        o->refcnt = 1;                  /* alive while __del__ runs */
        core_run_finalizer(h, o);
        if (rc_mut(ops->fin_twice))
            core_run_finalizer(h, o);
        if (--o->refcnt > 0 && !rc_mut(ops->free_resurrected)) {
            if (GCLAB_HOOKS && core_hot_(h)->on_decref_live)   /* resurrected: someone stored it */
                core_hot_(h)->on_decref_live(h, o);
            return;
        }
        if (ops->unlink)
            ops->unlink(h, o);
    }
    if (!rc_mut(ops->no_clear_wr))
        core_clear_weakrefs(h, o, true);
    struct rc_ctx c = { h, l };
    gclab_obj *mark = l->pending;
    gclab_trace_object(o, ops->unlink || (GCLAB_HOOKS && core_hot_(h)->on_decref_live) ? rc_release_field
                                                                      : rc_release_field_plain, &c);
    if (o->kind != GCLAB_K_TUPLE && o->kind != GCLAB_K_LIST)
        obj_stack_reverse_since(&l->pending, mark);   /* first-first */
    core_free_storage(h, o);
    core_obj_dead(h, o);
    if (ops->free_memory)
        ops->free_memory(h, o);
    else
        core_free_object_memory(h, o);
}

/* Free what is on the pending stack, and what that frees (steps 3a-d). */
static void rc_drain(gclab_heap *h, struct rc_layer *l)
{
    gclab_obj *o;
    l->draining = true;
    while ((o = l->pending) != NULL) {
        l->pending = o->gc_next;
        o->gc_next = NULL;
        rc_dealloc(h, l, o);
    }
    l->draining = false;
}

void rc_release(gclab_heap *h, struct rc_layer *l, gclab_obj *o)
{
    GCLAB_ASSERT(o->refcnt == 0 && !obj_is_immortal(o));
    if (l->ops.unlink)
        l->ops.unlink(h, o);   /* no collection sees an object at zero */
    rc_push(l, o);
    if (l->draining)
        return;                 /* the outer drain frees it */
    rc_drain(h, l);
}

struct rc_keep { struct rc_ctx c; gclab_obj **keep; };

static void rc_visit_release_kept(gclab_obj **field, void *vctx)
{
    struct rc_keep *k = vctx;
    if (field != k->keep)
        rc_release_field(field, &k->c);
}

void rc_release_refs(gclab_heap *h, struct rc_layer *l, gclab_obj *o)
{
    if (o->kind == GCLAB_K_TUPLE)
        return;
    struct rc_keep k = { { h, l }, o->kind == GCLAB_K_INSTANCE ? &AS(obj_instance, o)->cls : NULL };
    bool was = l->draining;
    l->draining = true;         /* children at zero are pushed, freed below */
    gclab_trace_object(o, rc_visit_release_kept, &k);
    core_free_storage(h, o);   /* empty list/dict/instance, unlinked weakref */
    l->draining = was;
    if (!was)
        rc_drain(h, l);
}

/* ======================================================================
 * A cycle collector's garbage
 * ====================================================================== */

int64_t rc_handle_weakrefs(gclab_heap *h, const struct rc_layer *l, gclab_obj *unreachable,
                           gclab_obj *to)
{
    const struct rc_ops *ops = &l->ops;
    gclab_obj wrcb_to_call;
    int64_t freed = 0;
    gclist_init(&wrcb_to_call);
    for (gclab_obj *o = unreachable->gc_next; o != unreachable; o = o->gc_next) {
        if (o->kind == GCLAB_K_WEAKREF)
            core_weakref_unlink(o);   /* keeps its callback, which never runs */
        gclab_obj **head = obj_weaklist(o);
        if (!head || rc_mut(ops->gc_no_clear_wr))
            continue;
        while (*head) {
            gclab_obj *wr = *head;
            core_weakref_clear(h, wr);
            /* No callback: none wanted, the weakref is trash itself, or it
             * is already dead and queued on the pending stack (a collection
             * started inside a release cascade). */
            if (rc_mut(ops->gc_cb_skip))
                continue;
            if (!AS(obj_weakref, wr)->callback ||
                ((wr->gcflags & ops->collecting) && !rc_mut(ops->gc_cb_trash)) || wr->refcnt == 0)
                continue;
            obj_incref(h, wr);   /* so it cannot vanish before its turn */
            GCLAB_ASSERT(wr->gc_next && wr->gc_prev);   /* tracked: on a list */
            gclist_move(wr, &wrcb_to_call);
        }
    }
    while (!gclist_empty(&wrcb_to_call)) {
        gclab_obj *wr = wrcb_to_call.gc_next;
        /* weakrefobject.c's handle_callback: wr is the argument, rooted in the call's frame. */
        core_call(h, AS(obj_weakref, wr)->callback, 1, &wr, "weakref callback");
        obj_decref(h, wr);
        if (wrcb_to_call.gc_next == wr) {   /* still alive */
            if (ops->wr_survivor)
                ops->wr_survivor(h, wr, to);
            else
                gclist_move(wr, to);
        } else {
            freed++;
        }
    }
    return freed;
}

/* A finalizer may free anything, so take the first object each time and
 * park it in `seen`. */
void rc_finalize_garbage(gclab_heap *h, const struct rc_layer *l, gclab_obj *collectable)
{
    const struct rc_ops *ops = &l->ops;
    gclab_obj seen;
    gclist_init(&seen);
    while (!gclist_empty(collectable)) {
        gclab_obj *o = collectable->gc_next;
        gclist_move(o, &seen);
        if (obj_has_del(o) && (!(o->gcflags & ops->finalized) || rc_mut(ops->gc_fin_twice))) {
            o->gcflags |= ops->finalized;   /* FINALIZED once */
            obj_incref(h, o);
            core_run_finalizer(h, o);
            obj_decref(h, o);
        }
    }
    gclist_merge(&seen, collectable);
}

struct rc_refs { gclab_obj **v; size_t n, cap; gclab_obj **keep; bool oom; };

static void rc_visit_take(gclab_obj **field, void *vctx)
{
    struct rc_refs *r = vctx;
    if (field == r->keep)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        gclab_obj **v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            r->oom = true;   /* leave the field: the cycle survives, nothing breaks */
            return;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = *field;
    *field = NULL;
}

void rc_clear_refs(gclab_heap *h, gclab_obj *o)
{
    if (o->kind == GCLAB_K_TUPLE)
        return;
    struct rc_refs r = { 0 };
    if (o->kind == GCLAB_K_INSTANCE)
        r.keep = &AS(obj_instance, o)->cls;
    gclab_trace_object(o, rc_visit_take, &r);
    if (!r.oom)
        core_free_storage(h, o);   /* empty list/dict/instance, unlinked weakref */
    for (size_t i = 0; i < r.n; i++)
        obj_decref(h, r.v[i]);
    free(r.v);
}

void rc_delete_garbage(gclab_heap *h, const struct rc_layer *l, gclab_obj *collectable,
                       gclab_obj *to)
{
    while (!gclist_empty(collectable)) {
        gclab_obj *o = collectable->gc_next;
        GCLAB_ASSERT(o->refcnt > 0);   /* nothing on a collection list is at zero */
        if (core_debug_flags(h) & GCLAB_DEBUG_SAVEALL) {
            if (core_garbage_append(h, o) != GCLAB_OK)
                gclab_error_clear(h);
        } else {
            obj_incref(h, o);
            rc_clear_refs(h, o);
            obj_decref(h, o);
        }
        if (collectable->gc_next == o) {
            o->gcflags &= (uint8_t)~l->ops.collecting;
            gclist_move(o, to);
        }
    }
}
