/* cycles.c — CPython's deduce_unreachable and handle_resurrected_objects
 * on a gc list; the protocol is in cycles.h. */
#include "cycles.h"

/* A mutant point: the engine's own planted bug, or none. */
static inline bool cyc_mut(const struct gclab_mutant *m) { return m && GCLAB_MUTANT(*m); }

/* update_refs. After: every object in base is COLLECTING with gc_refs == refcnt > 0. */
static int64_t cyc_update_refs(gclab_obj *base)
{
    int64_t n = 0;
    for (gclab_obj *o = base->gc_next; o != base; o = o->gc_next, n++) {
        GCLAB_ASSERT(o->refcnt > 0);   /* no tracked object is dying */
        o->gc_refs = o->refcnt;
        o->gcflags |= CYC_COLLECTING;
    }
    return n;
}

static inline __attribute__((always_inline)) void cyc_visit_decref(gclab_obj **field, void *ctx)
{
    (void)ctx;
    gclab_obj *c = *field;
    if (c->gcflags & CYC_COLLECTING) {
        GCLAB_ASSERT(c->gc_refs > 0);   /* else a refcount was too small */
        c->gc_refs--;
    }
}

/* subtract_refs. After: gc_refs counts references from outside base
 * (roots, other lists, untracked objects). */
static void cyc_subtract_refs(gclab_obj *base)
{
    for (gclab_obj *o = base->gc_next; o != base; o = o->gc_next)
        obj_trace(o, cyc_visit_decref, NULL);
}

static inline __attribute__((always_inline)) void cyc_visit_reachable(gclab_obj **field, void *base)
{
    gclab_obj *c = *field;
    if (!(c->gcflags & CYC_COLLECTING))
        return;   /* other list, untracked, or already scanned */
    if (c->gcflags & CYC_UNREACHABLE) {
        /* Moved out too early: back to base's tail, scanned again later. */
        c->gcflags &= (uint8_t)~CYC_UNREACHABLE;
        gclist_move(c, base);
        c->gc_refs = 1;
    } else if (c->gc_refs == 0) {
        c->gc_refs = 1;   /* ahead of the cursor: it will be scanned */
    }
}

/* move_unreachable. Loop invariant: everything left of the cursor in base
 * is reachable from outside and already scanned (its COLLECTING cleared);
 * everything that left base so far is in unreachable with UNREACHABLE set.
 * After: base holds the reachable, unreachable the rest (COLLECTING and
 * UNREACHABLE set). */
static void cyc_move_unreachable(gclab_obj *base, gclab_obj *unreachable,
                                 const struct gclab_mutant *skip_dict_mark)
{
    gclab_obj *o = base->gc_next;
    while (o != base) {
        if (o->gc_refs > 0) {
            if (!(cyc_mut(skip_dict_mark) && o->kind == GCLAB_K_DICT))
                obj_trace(o, cyc_visit_reachable, base);
            o->gcflags &= (uint8_t)~CYC_COLLECTING;
            o = o->gc_next;   /* read after the trace: it may have appended */
        } else {
            gclab_obj *next = o->gc_next;
            gclist_move(o, unreachable);
            o->gcflags |= CYC_UNREACHABLE;
            o = next;
        }
    }
}

int64_t cyc_deduce_unreachable(gclab_obj *base, gclab_obj *unreachable,
                               const struct gclab_mutant *skip_dict_mark)
{
    int64_t candidates = cyc_update_refs(base);
    cyc_subtract_refs(base);
    gclist_init(unreachable);
    cyc_move_unreachable(base, unreachable, skip_dict_mark);
    return candidates;
}

void cyc_clear_unreachable(gclab_obj *l)
{
    for (gclab_obj *o = l->gc_next; o != l; o = o->gc_next)
        o->gcflags &= (uint8_t)~CYC_UNREACHABLE;
}

void cyc_handle_resurrected(gclab_obj *unreachable, gclab_obj *still, gclab_obj *to,
                            const struct gclab_mutant *skip_dict_mark,
                            const struct gclab_mutant *keep_nothing)
{
    for (gclab_obj *o = unreachable->gc_next; o != unreachable; o = o->gc_next)
        o->gcflags &= (uint8_t)~CYC_COLLECTING;
    if (cyc_mut(keep_nothing)) {
        gclist_init(still);
        gclist_merge(unreachable, still);
    } else {
        cyc_deduce_unreachable(unreachable, still, skip_dict_mark);
    }
    cyc_clear_unreachable(still);
    gclist_merge(unreachable, to);
}
