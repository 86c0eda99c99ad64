/* refcount.h — the refcount layer every refcounting engine composes (rc,
 * rcgen, rcinc, rcbr): how an object whose count reached zero is freed, and
 * the PEP 442 / weakref protocol a cycle collector runs on its garbage.
 * The engine keeps a struct rc_layer in its state and describes itself in a
 * struct rc_ops; the layer calls the engine's hooks at the points below.
 *
 * Freeing at zero (rc_release; the engine's `release` calls it)
 *   1. ops->unlink(o): the engine takes o off its lists (rcgen: untrack), so
 *      no collection ever sees an object at zero.
 *   2. o is pushed on the pending-free stack (threaded through gc_next). Only
 *      the outermost rc_release drains it (`draining`), so freeing a
 *      10-million-node chain costs no C stack: a child that reaches zero is
 *      pushed, not freed.
 *   3. Each popped object is deallocated in CPython's order (subtype_dealloc):
 *      a. __del__, once (PEP 442): if o has one and FINALIZED (ops->finalized,
 *         an engine gcflags bit, never cleared) is not set, set it, call
 *         ops->relink(o) (CPython re-tracks around tp_finalize), hold o at
 *         count 1, run it, drop the count again. If the count is still above
 *         zero, __del__ resurrected o: it stays alive (on_decref_live is told,
 *         as for any decrement that leaves a count above zero), and is freed
 *         without a second __del__ when its count next reaches zero.
 *         Otherwise ops->unlink(o) again.
 *      b. o's weakrefs are cleared and their callbacks called, each in a frame
 *         that roots the weakref and its callback (core_clear_weakrefs).
 *      c. o's references are released, every field set to NULL before its
 *         child is decremented. A child at zero is unlinked and pushed; one
 *         left above zero goes to the engine's on_decref_live hook, if any.
 *         Order (CPython's): a tuple's and a list's items are released
 *         last-first (the LIFO stack already pops them so); a dict's, an
 *         instance's, a class's, a func's and a weakref's first-first (the
 *         children pushed are reversed so they pop in push order).
 *      d. o's variable storage is released, o is counted dead, and its memory
 *         goes to ops->free_memory (free lists, accounting) or, without one,
 *         back to core's allocator.
 *
 * A collection that frees garbage at once even when it started inside a
 * drain (a finalizer that allocated) brackets itself with
 * rc_drain_suspend / rc_drain_resume.
 *
 * The cycle collector's garbage (CPython's gc_collect_main, after it found
 * `unreachable`), for engines whose objects sit on gc lists (core/gclist.h)
 * and mark the set being collected with ops->collecting:
 *   rc_handle_weakrefs   clear every weakref to the garbage; call a callback
 *                        only if its weakref is not garbage itself (bpo-38006)
 *                        and not already at zero; a weakref that outlives its
 *                        callback goes to ops->wr_survivor (default: to `to`).
 *   rc_finalize_garbage  __del__ once per object (FINALIZED), each held by a
 *                        reference while it runs; the engine then re-deduces
 *                        what is still unreachable (resurrection check before
 *                        freeing: CPython's handle_resurrected_objects).
 *   rc_delete_garbage    tp_clear each object (rc_clear_refs), or keep it in
 *                        gc.garbage under DEBUG_SAVEALL; what is still on the
 *                        list afterwards is alive: COLLECTING cleared, to `to`.
 *
 * Mutant points: each is the engine's own declared mutant (so it stays in
 * the engine's list and fires on that engine only), or NULL for none.
 */
#ifndef GCLAB_REFCOUNT_H
#define GCLAB_REFCOUNT_H

#include "engine.h"

struct rc_ops {
    uint8_t finalized;    /* gcflags bit: __del__ has run (PEP 442), never cleared */
    uint8_t collecting;   /* gcflags bit on objects a collection examines (cycle engines) */
    /* o leaves the engine's lists: its count reached zero, or its __del__
     * did not resurrect it. NULL: the engine keeps no lists. */
    void (*unlink)(gclab_heap *h, gclab_obj *o);
    /* o, at zero, is about to run __del__: back on the lists (NULL: none). */
    void (*relink)(gclab_heap *h, gclab_obj *o);
    /* Memory of o, counted dead (NULL: core_free_object_memory). */
    void (*free_memory)(gclab_heap *h, gclab_obj *o);
    /* Weakref wr outlived its callback in rc_handle_weakrefs: put it with
     * the survivors `to` (NULL: gclist_move(wr, to)). */
    void (*wr_survivor)(gclab_heap *h, gclab_obj *wr, gclab_obj *to);

    /* planted bugs, free path */
    const struct gclab_mutant *skip_decref;       /* a dying object does not release its list children */
    const struct gclab_mutant *no_clear_wr;       /* a freed object's weakrefs stay set */
    const struct gclab_mutant *fin_twice;         /* __del__ runs twice */
    const struct gclab_mutant *free_resurrected;  /* a resurrected object is freed anyway */
    const struct gclab_mutant *no_decref_live;    /* a dying object's child left above zero is
                                                     not told to on_decref_live (3c) */
    /* planted bugs, cycle garbage */
    const struct gclab_mutant *gc_fin_twice;      /* finalize_garbage: __del__ again when FINALIZED */
    const struct gclab_mutant *gc_no_clear_wr;    /* handle_weakrefs leaves weakrefs to trash set */
    const struct gclab_mutant *gc_cb_trash;       /* handle_weakrefs calls a trash weakref's callback */
    const struct gclab_mutant *gc_cb_skip;        /* handle_weakrefs clears without calling callbacks */
};

struct rc_layer {
    struct rc_ops ops;    /* a copy: one load less on every free */
    gclab_obj *pending;   /* objects at zero, unlinked, waiting to be freed */
    bool draining;        /* an rc_release further out drains the stack */
};

static inline void rc_layer_init(struct rc_layer *l, const struct rc_ops *ops)
{
    *l = (struct rc_layer){ .ops = *ops };
}

/* o's count is zero (the engine's `release`): free it and what it alone held. */
void rc_release(gclab_heap *h, struct rc_layer *l, gclab_obj *o);

/* tp_clear in the free path's own order (rcbr): o's fields are set to NULL
 * and their children decremented as in step 3c (a tuple keeps its items, an
 * instance its class), then what reached zero is freed, unless an
 * rc_release further out drains. Compare rc_clear_refs, which decrements
 * through obj_decref one child at a time (rcgen, rcinc). */
void rc_release_refs(gclab_heap *h, struct rc_layer *l, gclab_obj *o);

/* Frees from here on happen at once (a collection inside a drain); returns
 * the state to give rc_drain_resume. */
static inline bool rc_drain_suspend(struct rc_layer *l)
{
    bool was = l->draining;
    l->draining = false;
    return was;
}
static inline void rc_drain_resume(struct rc_layer *l, bool was) { l->draining = was; }

/* -- a cycle collector's garbage (lists: core/gclist.h) -- */
/* Clear weakrefs to the objects on unreachable and call the callbacks the
 * rule allows; returns how many reachable weakrefs died after their callback. */
int64_t rc_handle_weakrefs(gclab_heap *h, const struct rc_layer *l, gclab_obj *unreachable,
                           gclab_obj *to);
/* Run __del__ once on each object of collectable (it stays the same list). */
void rc_finalize_garbage(gclab_heap *h, const struct rc_layer *l, gclab_obj *collectable);
/* tp_clear: drop o's references (a tuple keeps its items, an instance its
 * class: CPython's tuple has no tp_clear, subtype_clear keeps the type). */
void rc_clear_refs(gclab_heap *h, gclab_obj *o);
/* Clear each object of collectable (or save it in gc.garbage); survivors to `to`. */
void rc_delete_garbage(gclab_heap *h, const struct rc_layer *l, gclab_obj *collectable,
                       gclab_obj *to);

#endif
