/* sidelists.c — a tracing engine's weakref and finalizer side vectors read
 * against the allocator's marks; the steps are in sidelists.h. */
#include "sidelists.h"

bool obj_vec_push(struct obj_vec *v, gclab_obj *o)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        gclab_obj **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv)
            return false;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = o;
    return true;
}

void side_clear_weakrefs_to(gclab_heap *h, gclab_obj *o, bool (*marked)(const void *ctx, const gclab_obj *w),
                            const void *ctx, struct obj_vec *callbacks, bool clear, const char *who)
{
    gclab_obj **head = obj_weaklist(o);
    if (!head || !*head)
        return;
    for (gclab_obj *w = *head; w; w = AS(obj_weakref, w)->wr_next) {
        obj_weakref *wr = AS(obj_weakref, w);
        if (wr->callback && marked(ctx, w)) {
            if (!obj_vec_push(callbacks, w) || !obj_vec_push(callbacks, wr->callback)) {
                callbacks->n &= ~(size_t)1;
                fprintf(stderr, "gclab %s: out of memory: weakref callback dropped\n", who);
            }
        }
    }
    if (clear)
        core_clear_weakrefs(h, o, false);
}

static bool side_marked(const void *mk, const gclab_obj *w)
{
    return obj_is_marked(mk, w);
}

void side_clear_dead_weakrefs(gclab_heap *h, const struct alloc_marker *mk, const struct obj_vec *weakrefs,
                              size_t from, struct obj_vec *callbacks, const struct gclab_mutant *no_clear,
                              const char *who)
{
    bool clear = !(no_clear && GCLAB_MUTANT(*no_clear));
    for (size_t i = from; i < weakrefs->n; i++) {
        gclab_obj *t = AS(obj_weakref, weakrefs->v[i])->target;
        if (t && !obj_is_immortal(t) && !obj_is_marked(mk, t))
            side_clear_weakrefs_to(h, t, side_marked, mk, callbacks, clear, who);
    }
}

void side_pick_finalizable(const struct alloc_marker *mk, struct obj_vec *fnz, size_t from,
                           struct obj_vec *tofnz, const char *who)
{
    size_t k = from;
    for (size_t i = from; i < fnz->n; i++) {
        gclab_obj *o = fnz->v[i];
        if (obj_is_marked(mk, o))
            fnz->v[k++] = o;
        else if (!obj_vec_push(tofnz, o))
            fprintf(stderr, "gclab %s: out of memory: a __del__ will not run\n", who);
    }
    fnz->n = k;
}

void side_unlink_dead_weakrefs(const struct alloc_marker *mk, struct obj_vec *weakrefs, size_t from)
{
    size_t k = from;
    for (size_t i = from; i < weakrefs->n; i++) {
        gclab_obj *w = weakrefs->v[i];
        if (obj_is_marked(mk, w))
            weakrefs->v[k++] = w;
        else
            core_weakref_unlink(w);
    }
    weakrefs->n = k;
}

void side_run_callbacks(gclab_heap *h, struct obj_vec *callbacks)
{
    for (size_t i = 0; i + 1 < callbacks->n; i += 2)
        core_call(h, callbacks->v[i + 1], 1, &callbacks->v[i], "weakref callback");
    callbacks->n = 0;
}
