/* object.h — the object layout every engine sees (collector side only;
 * the mutator never includes this).
 *
 * Every object starts with the same header. The header words and who owns
 * them:
 *
 *   word        owner   meaning
 *   kind        core    enum gclab_kind, fixed at allocation
 *   flags       core    OBJ_F_*: IMMORTAL (never freed, never traced into),
 *                       HAS_DEL (an instance whose class has __del__)
 *   gcflags     engine  engine-private bits (FINALIZED, MARK, COLLECTING...)
 *   gen         engine  engine-private small integer (a generation index)
 *   size        core    bytes of the object block itself, header included;
 *                       variable storage (list items, dict tables, instance
 *                       attributes) is allocated separately and counted in
 *                       obj->storage
 *   storage     core    bytes of variable storage currently held
 *   refcnt      core    strong references (slots, fields, call frames) on
 *                       engines with caps.refcounts; unused otherwise
 *   gc_next/    engine  links an engine may use for its object lists
 *   gc_prev
 *   gc_refs     engine  scratch word (CPython's gc_refs, a mark...)
 *
 * Only instances, classes and funcs can be weakly referenced (as in
 * CPython: `weakref.ref([])` is a TypeError); they carry a weaklist head.
 */
#ifndef GCLAB_OBJECT_H
#define GCLAB_OBJECT_H

#include "gclab.h"

struct gclab_obj {
    uint8_t kind;
    uint8_t flags;
    uint8_t gcflags;
    uint8_t gen;
    uint32_t size;
    uint64_t storage;
    intptr_t refcnt;
    gclab_obj *gc_next, *gc_prev;
    intptr_t gc_refs;
};

#define OBJ_F_IMMORTAL 0x01   /* static or interned: never freed, holds no references */
#define OBJ_F_HAS_DEL  0x02   /* instance whose class defines __del__ */
#define OBJ_F_INTERNED 0x04   /* str in the intern table */
/* Class flags for __slots__ (set by class_attr_set of __slots__ and by
 * gclab_class_set_base, object.c "slots"): */
#define OBJ_F_SLOTS    0x08   /* this class's own dict holds __slots__ */
#define OBJ_F_SLOTTED  0x10   /* it or a base has __slots__: slot attributes are kept in slot order */
#define OBJ_F_NODICT   0x20   /* it and every base have __slots__: instances have no __dict__ */

/* Refcount of immortal objects: high enough never to reach zero. */
#define OBJ_IMMORTAL_REFCNT ((intptr_t)1 << 60)

typedef struct { gclab_obj hd; int64_t v; } obj_int;
typedef struct { gclab_obj hd; uint64_t hash; size_t len; char data[]; } obj_str;
typedef struct { gclab_obj hd; size_t n; gclab_obj *items[]; } obj_tuple;
typedef struct { gclab_obj hd; size_t len, cap; gclab_obj **items; } obj_list;

struct dict_entry { uint64_t hash; gclab_obj *key, *value; };
/* A compact, insertion-ordered dict (CPython 3.6+ layout): entries in
 * insertion order, and an open-addressing index of entry numbers. */
typedef struct {
    gclab_obj hd;
    size_t used;        /* live entries */
    size_t nentries;    /* entries written, deleted ones included (key NULL) */
    size_t cap;         /* entries allocated: 2/3 of nindex */
    size_t nindex;      /* power of two, or 0 while empty */
    struct dict_entry *entries;
    int32_t *index;     /* -1 empty, -2 deleted, else entry number */
} obj_dict;

typedef struct {
    gclab_obj hd;
    gclab_obj *name;        /* interned str */
    gclab_obj *init;        /* func or NULL */
    gclab_obj *del;         /* func or NULL */
    gclab_obj *dict;        /* the other class attributes and methods: a dict keyed by
                               interned names, NULL until the first is set */
    gclab_obj *weaklist;
} obj_class;

struct attr { gclab_obj *name, *value; };   /* name is an interned str */
typedef struct {
    gclab_obj hd;
    gclab_obj *cls;
    size_t n, cap;
    struct attr *attrs;
    gclab_obj *weaklist;
} obj_instance;

typedef struct { gclab_obj hd; size_t n; unsigned char data[]; } obj_blob;

typedef struct {
    gclab_obj hd;
    gclab_obj *target;      /* borrowed (weak); NULL once cleared */
    gclab_obj *callback;    /* strong; NULL if none */
    gclab_obj *wr_prev, *wr_next;   /* the target's weaklist */
} obj_weakref;

typedef struct {
    gclab_obj hd;
    gclab_obj *name;        /* interned str */
    gclab_native_fn fn;
    void *ctx;
    int64_t code;
    int nargs, nslots;
    gclab_obj *weaklist;
} obj_func;

#define AS(type, o) ((type *)(o))

/* The singletons None, True, False (static, immortal). */
extern gclab_obj gclab_none_obj, gclab_true_obj, gclab_false_obj;

/* Whether objects of this kind can hold references (CPython's GC types). */
static inline bool obj_kind_is_container(int kind)
{
    return kind == GCLAB_K_TUPLE || kind == GCLAB_K_LIST || kind == GCLAB_K_DICT ||
           kind == GCLAB_K_CLASS || kind == GCLAB_K_INSTANCE ||
           kind == GCLAB_K_WEAKREF || kind == GCLAB_K_FUNC;
}
static inline bool obj_is_immortal(const gclab_obj *o) { return o->flags & OBJ_F_IMMORTAL; }
static inline bool obj_has_del(const gclab_obj *o) { return o->flags & OBJ_F_HAS_DEL; }

/* The weaklist head of a weakly referenceable object, or NULL for other kinds.
 * Inline: every refcount free asks it (core_clear_weakrefs). */
static inline gclab_obj **obj_weaklist(gclab_obj *o)
{
    switch (o->kind) {
    case GCLAB_K_INSTANCE: return &AS(obj_instance, o)->weaklist;
    case GCLAB_K_CLASS: return &AS(obj_class, o)->weaklist;
    case GCLAB_K_FUNC: return &AS(obj_func, o)->weaklist;
    default: return NULL;
    }
}

/* Visit each strong reference field of o: fn(field address, ctx). Fields may
 * be NULL (fn must skip them) and fn may overwrite them. Never recurses. */
typedef void (*gclab_visit_fn)(gclab_obj **field, void *ctx);
void gclab_trace_object(gclab_obj *o, gclab_visit_fn fn, void *ctx);

/* gclab_trace_object's body, inline: a collector's mark loop that passes its
 * own static visitor gets the visitor inlined (no call per field). Every
 * other caller uses gclab_trace_object; this is the one tracing function. */
static inline __attribute__((always_inline)) void obj_trace(gclab_obj *o, gclab_visit_fn fn, void *ctx)
{
    switch (o->kind) {
    case GCLAB_K_TUPLE: {
        obj_tuple *t = AS(obj_tuple, o);
        for (size_t i = 0; i < t->n; i++)
            if (t->items[i])
                fn(&t->items[i], ctx);
        break;
    }
    case GCLAB_K_LIST: {
        obj_list *l = AS(obj_list, o);
        for (size_t i = 0; i < l->len; i++)
            if (l->items[i])
                fn(&l->items[i], ctx);
        break;
    }
    case GCLAB_K_DICT: {
        obj_dict *d = AS(obj_dict, o);
        for (size_t i = 0; i < d->nentries; i++)
            if (d->entries[i].key) {
                fn(&d->entries[i].key, ctx);
                if (d->entries[i].value)
                    fn(&d->entries[i].value, ctx);
            }
        break;
    }
    case GCLAB_K_CLASS: {
        obj_class *c = AS(obj_class, o);
        if (c->init)
            fn(&c->init, ctx);
        if (c->del)
            fn(&c->del, ctx);
        if (c->dict)
            fn(&c->dict, ctx);
        break;
    }
    case GCLAB_K_INSTANCE: {
        obj_instance *in = AS(obj_instance, o);
        if (in->cls)
            fn(&in->cls, ctx);
        for (size_t i = 0; i < in->n; i++)
            if (in->attrs[i].value)
                fn(&in->attrs[i].value, ctx);
        break;
    }
    case GCLAB_K_WEAKREF:
        if (AS(obj_weakref, o)->callback)
            fn(&AS(obj_weakref, o)->callback, ctx);
        break;
    default:
        break;
    }
}

/* The one block of variable storage o holds (o->storage bytes of it), or NULL:
 * what a tracing collector marks beside o so that the sweep keeps it. */
static inline void *obj_storage(const gclab_obj *o)
{
    switch (o->kind) {
    case GCLAB_K_LIST: return AS(obj_list, o)->items;
    case GCLAB_K_DICT: return AS(obj_dict, o)->entries;
    case GCLAB_K_INSTANCE: return AS(obj_instance, o)->attrs;
    default: return NULL;
    }
}

#endif
