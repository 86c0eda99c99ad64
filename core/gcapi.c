/* gcapi.c — the gc module's questions about single objects: gc.get_debug,
 * gc.is_tracked, gc.is_finalized, gc.get_referents, gc.get_referrers
 * (gclab.h). The first three ask the engine (engine.h is_tracked,
 * is_finalized); the last two walk references in CPython 3.11's
 * tp_traverse order (referents_each), the referrers over the engine's
 * tracked objects (foreach_tracked). */
#include <string.h>

#include "core.h"

#define REFERRERS_MAX 16   /* targets of one gc.get_referrers() call (a call's argument limit) */

int gclab_gc_get_debug(const gclab_heap *h) { return h->debug_flags; }

static gclab_status ask_engine(gclab_heap *h, int slot, bool *out,
                               bool (*q)(gclab_heap *, const gclab_obj *), const char *what)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    if (!q)
        return heap_error(h, GCLAB_EUNSUPPORTED, "gc.%s(): engine %s does not report it", what,
                          h->eng->name);
    /* CPython: only GC objects can be tracked or finalized (ints, strs, None never). */
    *out = obj_kind_is_container(o->kind) && !obj_is_immortal(o) && q(h, o);
    return GCLAB_OK;
}

gclab_status gclab_gc_is_tracked(gclab_heap *h, int slot, bool *out)
{
    return ask_engine(h, slot, out, h->eng->is_tracked, "is_tracked");
}

gclab_status gclab_gc_is_finalized(gclab_heap *h, int slot, bool *out)
{
    return ask_engine(h, slot, out, h->eng->is_finalized, "is_finalized");
}

/* Call fn on each object o refers to, in the order CPython 3.11's tp_traverse
 * visits them: list_traverse and tupletraverse go from the last item;
 * dict_traverse visits only the values of a dict whose keys are all strs (a
 * unicode-keys table), else value then key of each entry; subtype_traverse
 * an instance's inline values, then its type; a weakref its callback. A
 * class visits its attribute dict only (what holds CPython's class
 * attributes), so it is a referrer of those as CPython's __dict__ is. */
static void referents_each(gclab_obj *o, void (*fn)(gclab_obj *, void *), void *ctx)
{
    switch (o->kind) {
    case GCLAB_K_TUPLE: {
        obj_tuple *t = AS(obj_tuple, o);
        for (size_t i = t->n; i-- > 0;)
            if (t->items[i])
                fn(t->items[i], ctx);
        break;
    }
    case GCLAB_K_LIST: {
        obj_list *l = AS(obj_list, o);
        for (size_t i = l->len; i-- > 0;)
            if (l->items[i])
                fn(l->items[i], ctx);
        break;
    }
    case GCLAB_K_DICT: {
        obj_dict *d = AS(obj_dict, o);
        bool unicode = true;
        for (size_t i = 0; i < d->nentries && unicode; i++)
            if (d->entries[i].key && d->entries[i].key->kind != GCLAB_K_STR)
                unicode = false;
        for (size_t i = 0; i < d->nentries; i++) {
            struct dict_entry *e = &d->entries[i];
            if (!e->key)
                continue;
            if (e->value)
                fn(e->value, ctx);
            if (!unicode)
                fn(e->key, ctx);
        }
        break;
    }
    case GCLAB_K_CLASS:
        if (AS(obj_class, o)->dict)
            fn(AS(obj_class, o)->dict, ctx);
        break;
    case GCLAB_K_INSTANCE: {
        obj_instance *in = AS(obj_instance, o);
        for (size_t i = 0; i < in->n; i++)
            if (in->attrs[i].value)
                fn(in->attrs[i].value, ctx);
        if (in->cls)
            fn(in->cls, ctx);
        break;
    }
    case GCLAB_K_WEAKREF:
        if (AS(obj_weakref, o)->callback)
            fn(AS(obj_weakref, o)->callback, ctx);
        break;
    default:
        break;
    }
}

struct ref_ctx { gclab_heap *h; gclab_obj *list; gclab_status st; };

static void referent_add(gclab_obj *o, void *vctx)
{
    struct ref_ctx *c = vctx;
    if (c->st == GCLAB_OK)
        c->st = list_append_obj(c->h, c->list, o);
}

/* The n objects of slots first.., each checked; GCLAB_OK or the slot's error. */
static gclab_status args_check(gclab_heap *h, int dst, int first, int n)
{
    if (dst >= first && dst < first + n)
        return heap_error(h, GCLAB_EUSAGE, "gc.get_referents/get_referrers: the result slot %d is "
                          "one of the objects", dst);
    for (int i = 0; i < n; i++)
        if (!slot_get(h, first + i))
            return h->err_status;
    return GCLAB_OK;
}

gclab_status gclab_gc_get_referents(gclab_heap *h, int dst, int first, int n)
{
    gclab_obj **d = slot_addr(h, dst);
    if (!d || args_check(h, dst, first, n) != GCLAB_OK)
        return h->err_status;
    for (int i = 0; i < n; i++) {
        gclab_obj *o = slot_get(h, first + i);
        if (o->kind == GCLAB_K_CLASS || o->kind == GCLAB_K_FUNC)
            return heap_error(h, GCLAB_EUNSUPPORTED, "gc.get_referents() of a %s is not modelled "
                              "(CPython's holds a __dict__, __mro__ or code object gclab has none of)",
                              o->kind == GCLAB_K_CLASS ? "class" : "function");
    }
    gclab_obj *l = list_new_obj(h);   /* first, as CPython's PyList_New(0): it may collect */
    if (!l)
        return h->err_status;
    store(h, d, l);
    struct ref_ctx c = { h, l, GCLAB_OK };
    for (int i = 0; i < n && c.st == GCLAB_OK; i++) {
        gclab_obj *o = slot_get(h, first + i);
        if (obj_kind_is_container(o->kind) && !obj_is_immortal(o))
            referents_each(o, referent_add, &c);
    }
    return c.st;
}

struct referrers_ctx {
    gclab_heap *h;
    gclab_obj *list, *argtuple;
    gclab_obj *const *targets;
    int n;
    bool hit;
    gclab_status st;
};

static void referrer_visit(gclab_obj *o, void *vctx)
{
    struct referrers_ctx *c = vctx;
    for (int i = 0; i < c->n && !c->hit; i++)
        if (o == c->targets[i])
            c->hit = true;
}

static void referrer_check(gclab_obj *o, void *vctx)
{
    struct referrers_ctx *c = vctx;
    if (o == c->list || o == c->argtuple || c->st != GCLAB_OK)
        return;
    c->hit = false;
    referents_each(o, referrer_visit, c);
    if (c->hit)
        c->st = list_append_obj(c->h, c->list, o);
}

gclab_status gclab_gc_get_referrers(gclab_heap *h, int dst, int first, int n, int argtuple)
{
    gclab_obj **d = slot_addr(h, dst);
    if (!d || args_check(h, dst, first, n) != GCLAB_OK)
        return h->err_status;
    gclab_obj *at = NULL;
    if (argtuple >= 0 && !(at = slot_get(h, argtuple)))
        return h->err_status;
    if (!h->eng->foreach_tracked)
        return heap_error(h, GCLAB_EUNSUPPORTED, "gc.get_referrers(): engine %s tracks no objects",
                          h->eng->name);
    gclab_obj *targets[REFERRERS_MAX];
    if (n > REFERRERS_MAX)
        return heap_error(h, GCLAB_EUSAGE, "gc.get_referrers(): at most %d objects", REFERRERS_MAX);
    for (int i = 0; i < n; i++)
        targets[i] = slot_get(h, first + i);
    gclab_obj *l = list_new_obj(h);
    if (!l)
        return h->err_status;
    store(h, d, l);
    /* The targets stay referenced from their slots (dst is not one of them:
     * checked by the caller), so the pointers above stay valid. */
    struct referrers_ctx c = { h, l, at, targets, n, false, GCLAB_OK };
    h->eng->foreach_tracked(h, -1, referrer_check, &c);
    return c.st;
}
