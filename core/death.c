/* death.c — collector services around an object's death, in the order an
 * engine performs them (engine.h, "object death"): clearing the weakrefs to
 * it (and calling their callbacks), running its __del__, releasing its
 * variable storage. The mutator API that builds and reads weakrefs and
 * instances is object.c's; this file is what a collector calls. */
#include <stdio.h>

#include "core.h"

void core_weakref_unlink(gclab_obj *o)
{
    obj_weakref *wr = AS(obj_weakref, o);
    if (wr->target) {
        gclab_obj **head = obj_weaklist(wr->target);
        if (*head == o)
            *head = wr->wr_next;
        if (wr->wr_prev)
            AS(obj_weakref, wr->wr_prev)->wr_next = wr->wr_next;
        if (wr->wr_next)
            AS(obj_weakref, wr->wr_next)->wr_prev = wr->wr_prev;
    }
    wr->target = wr->wr_prev = wr->wr_next = NULL;
}

void core_weakref_clear(gclab_heap *h, gclab_obj *wr)
{
    core_weakref_unlink(wr);
    h->st.weakrefs_cleared++;
}

void core_clear_weakrefs(gclab_heap *h, gclab_obj *o, bool call_callbacks)
{
    gclab_obj **head = obj_weaklist(o);
    if (!head || !*head)
        return;
    /* Clear them all first, then call the callbacks (CPython's
     * PyObject_ClearWeakRefs): a callback never sees a half-cleared list.
     * Weakrefs with callbacks and their callbacks wait in a frame, rooted. */
    int ncb = 0;
    for (gclab_obj *w = *head; w; w = AS(obj_weakref, w)->wr_next)
        if (AS(obj_weakref, w)->callback)
            ncb++;
    bool framed = call_callbacks && ncb && frame_push_n(h, 2 * ncb) == GCLAB_OK;
    size_t base = framed ? h->frames[h->depth - 1].base : 0;
    int k = 0;
    while (*head) {
        gclab_obj *w = *head;
        obj_weakref *wr = AS(obj_weakref, w);
        gclab_obj *cb = wr->callback;
        core_weakref_clear(h, w);
        /* A weakref already at refcount zero is queued to be freed in the
         * same release cascade: calling back with it would revive a dead
         * object (and queue it twice). Its own dealloc drops the callback. */
        if (cb && h->refcounts && w->refcnt == 0)
            cb = NULL;
        if (cb) {
            unlink_ref(h, w, &wr->callback);
            if (framed) {
                store(h, &h->slots[base + 2 * (size_t)k], w);
                store_steal(h, &h->slots[base + 2 * (size_t)k + 1], cb);
                k++;
            } else {
                release_ref(h, cb);
            }
        }
    }
    if (!framed)
        return;
    /* The frame may move as callbacks push frames: read it by index each time. */
    for (int i = 0; i < k; i++) {
        base = h->frames[h->depth - 1].base;
        gclab_obj *w = h->slots[base + 2 * (size_t)i];
        core_call(h, h->slots[base + 2 * (size_t)i + 1], 1, &w, "weakref callback");
    }
    gclab_frame_pop(h);
}

void core_run_finalizer(gclab_heap *h, gclab_obj *o)
{
    if (o->kind != GCLAB_K_INSTANCE || !obj_has_del(o))
        return;
    gclab_obj *del = AS(obj_class, AS(obj_instance, o)->cls)->del;
    if (!del)
        return;
    char what[96];
    bool ran;
    snprintf(what, sizeof what, "<%s.__del__>", kind_name(o));
    /* Counted before it runs: the count is what a __del__ that reads it sees. */
    h->st.finalizers_run++;
    call_in_frame(h, del, 1, &o, what, &ran, true);
    if (!ran)
        h->st.finalizers_run--;
}

void core_free_storage(gclab_heap *h, gclab_obj *o)
{
    switch (o->kind) {
    case GCLAB_K_LIST: {
        obj_list *l = AS(obj_list, o);
        core_mem_free(h, o, l->items, l->cap * sizeof *l->items);
        l->items = NULL;
        l->len = l->cap = 0;
        break;
    }
    case GCLAB_K_DICT:
        dict_free_table(h, o);
        if (o == h->globals)
            h->globals = NULL;   /* the module dict of gclab_heap_shutdown */
        break;
    case GCLAB_K_INSTANCE: {
        obj_instance *in = AS(obj_instance, o);
        core_mem_free(h, o, in->attrs, in->cap * sizeof *in->attrs);
        in->attrs = NULL;
        in->n = in->cap = 0;
        break;
    }
    case GCLAB_K_WEAKREF:
        core_weakref_unlink(o);
        break;
    default:
        break;
    }
}

