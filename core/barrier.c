/* barrier.c — the slow path of a store of a reference: core.h's store_in,
 * store_steal and unlink_ref out of line, taken only when the engine has a
 * write barrier (engine.h's barrier_pre/barrier_post) or refcount hooks
 * (on_incref/on_decref_live, through obj_incref/obj_decref). The order is
 * engine.h's: pre, the new reference taken, the store, post, the old
 * reference released (so old is valid in both hooks). */
#include "core.h"

static inline void pre(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *old,
                       gclab_obj *v)
{
    if (h->hot.barrier_pre)
        h->hot.barrier_pre(h, owner, loc, old, v);
}

static inline void post(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *old,
                        gclab_obj *v)
{
    if (h->hot.barrier_post)
        h->hot.barrier_post(h, owner, loc, old, v);
}

void store_in_slow(gclab_heap *h, gclab_obj *owner, gclab_obj **loc, gclab_obj *v)
{
    gclab_obj *old = *loc;
    pre(h, owner, loc, old, v);
    if (h->refcounts && v)
        obj_incref(h, v);
    *loc = v;
    post(h, owner, loc, old, v);
    if (h->refcounts && old)
        obj_decref(h, old);
}

void store_steal_slow(gclab_heap *h, gclab_obj **loc, gclab_obj *v)
{
    gclab_obj *old = *loc;
    pre(h, NULL, loc, old, v);
    *loc = v;
    post(h, NULL, loc, old, v);
    if (h->refcounts && old)
        obj_decref(h, old);
}

gclab_obj *unlink_ref_barrier(gclab_heap *h, gclab_obj *owner, gclab_obj **loc)
{
    gclab_obj *old = *loc;
    if (!old)
        return NULL;
    pre(h, owner, loc, old, NULL);
    *loc = NULL;
    post(h, owner, loc, old, NULL);
    return old;
}
