/* object.c — object kinds: creation, field access, tracing, and the parts
 * of an object's death that every engine shares (finalizer call, weakref
 * clearing, storage release).
 *
 * Immortal objects (None, True, False, small ints -5..256, interned strs)
 * are malloc'd outside the managed heap, hold no references, are never
 * traced into and never freed before the heap is.
 */
#include <string.h>

#include "core.h"

gclab_obj gclab_none_obj = { .kind = GCLAB_K_NONE, .flags = OBJ_F_IMMORTAL, .refcnt = OBJ_IMMORTAL_REFCNT };
gclab_obj gclab_true_obj = { .kind = GCLAB_K_BOOL, .flags = OBJ_F_IMMORTAL, .refcnt = OBJ_IMMORTAL_REFCNT };
gclab_obj gclab_false_obj = { .kind = GCLAB_K_BOOL, .flags = OBJ_F_IMMORTAL, .refcnt = OBJ_IMMORTAL_REFCNT };
/* The empty tuple is a singleton, as in CPython: `()` allocates nothing. */
static obj_tuple empty_tuple = {
    .hd = { .kind = GCLAB_K_TUPLE, .flags = OBJ_F_IMMORTAL, .refcnt = OBJ_IMMORTAL_REFCNT,
            .size = sizeof(obj_tuple) },
    .n = 0,
};

/* ---- immortals: small ints and the intern table --------------------- */

struct intern_table {
    size_t n, cap;         /* cap is a power of two */
    obj_str **tab;
};

uint64_t str_hash(const char *s, size_t n)
{
    uint64_t x = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        x = (x ^ (unsigned char)s[i]) * 1099511628211ull;
    return x;
}

void immortals_init(gclab_heap *h)
{
    for (int i = 0; i < 262; i++) {
        obj_int *o = calloc(1, sizeof *o);
        if (!o)
            continue;   /* int_obj falls back to a heap int */
        o->hd.kind = GCLAB_K_INT;
        o->hd.flags = OBJ_F_IMMORTAL;
        o->hd.refcnt = OBJ_IMMORTAL_REFCNT;
        o->hd.size = sizeof *o;
        o->v = i - 5;
        h->small_ints[i] = &o->hd;
    }
    h->interned = calloc(1, sizeof *h->interned);
}

void immortals_free(gclab_heap *h)
{
    for (int i = 0; i < 262; i++)
        free(h->small_ints[i]);
    if (h->interned) {
        for (size_t i = 0; i < h->interned->cap; i++)
            free(h->interned->tab[i]);
        free(h->interned->tab);
        free(h->interned);
    }
}

static bool str_eq(const obj_str *s, const char *p, size_t n)
{
    return s->len == n && memcmp(s->data, p, n) == 0;
}

gclab_obj *intern_lookup(gclab_heap *h, const char *s, size_t n)
{
    struct intern_table *t = h->interned;
    if (!t)
        return NULL;
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        obj_str **tab = calloc(cap, sizeof *tab);
        if (!tab)
            return NULL;
        for (size_t i = 0; i < t->cap; i++)
            if (t->tab[i]) {
                size_t j = t->tab[i]->hash & (cap - 1);
                while (tab[j])
                    j = (j + 1) & (cap - 1);
                tab[j] = t->tab[i];
            }
        free(t->tab);
        t->tab = tab;
        t->cap = cap;
    }
    uint64_t hash = str_hash(s, n);
    size_t j = hash & (t->cap - 1);
    for (; t->tab[j]; j = (j + 1) & (t->cap - 1))
        if (t->tab[j]->hash == hash && str_eq(t->tab[j], s, n))
            return &t->tab[j]->hd;
    obj_str *o = calloc(1, sizeof *o + n + 1);
    if (!o)
        return NULL;
    o->hd.kind = GCLAB_K_STR;
    o->hd.flags = OBJ_F_IMMORTAL | OBJ_F_INTERNED;
    o->hd.refcnt = OBJ_IMMORTAL_REFCNT;
    o->hd.size = (uint32_t)(sizeof *o + n + 1);
    o->hash = hash;
    o->len = n;
    memcpy(o->data, s, n);
    t->tab[j] = o;
    t->n++;
    return &o->hd;
}

gclab_name gclab_intern(gclab_heap *h, const char *s) { return intern_lookup(h, s, strlen(s)); }

/* ---- creating objects ----------------------------------------------- */

/* Put a freshly built object in slot dst; the engine tracks it first. */
static gclab_status put_new(gclab_heap *h, gclab_obj **d, gclab_obj *o)
{
    if (h->eng->track)
        h->eng->track(h, o);
    store(h, d, o);
    return GCLAB_OK;
}

#define DST(h, dst)                      \
    gclab_obj **d = slot_addr(h, dst);   \
    if (!d)                              \
        return h->err_status

gclab_status gclab_none(gclab_heap *h, int dst)
{
    DST(h, dst);
    store(h, d, &gclab_none_obj);
    return GCLAB_OK;
}

gclab_status gclab_bool(gclab_heap *h, int dst, bool v)
{
    DST(h, dst);
    store(h, d, v ? &gclab_true_obj : &gclab_false_obj);
    return GCLAB_OK;
}

gclab_obj *int_obj(gclab_heap *h, int64_t v)
{
    if (v >= -5 && v <= 256 && h->small_ints[v + 5])
        return h->small_ints[v + 5];
    gclab_obj *o = core_new_object(h, GCLAB_K_INT, sizeof(obj_int));
    if (o)
        AS(obj_int, o)->v = v;
    return o;
}

gclab_status gclab_int_new(gclab_heap *h, int dst, int64_t v)
{
    DST(h, dst);
    gclab_obj *o = int_obj(h, v);
    if (!o)
        return h->err_status;
    if (!obj_is_immortal(o))
        return put_new(h, d, o);
    store(h, d, o);
    return GCLAB_OK;
}

gclab_status gclab_int_replace(gclab_heap *h, int dst, int64_t v)
{
    DST(h, dst);
    gclab_obj *o = *d;
    /* The slot holds the only counted reference to o: nothing can tell o
     * given the new value from a new int, so the free and the allocation are
     * skipped. Not for values of the small-int cache (those must be the
     * cached objects) nor on engines that keep no counts. */
    if (h->refcounts && o && o->kind == GCLAB_K_INT && o->refcnt == 1 && !obj_is_immortal(o) &&
        (v < -5 || v > 256)) {
        AS(obj_int, o)->v = v;
        return GCLAB_OK;
    }
    return gclab_int_new(h, dst, v);
}

gclab_status gclab_str_new(gclab_heap *h, int dst, const char *s, size_t len)
{
    DST(h, dst);
    gclab_obj *o = core_new_object(h, GCLAB_K_STR, sizeof(obj_str) + len + 1);
    if (!o)
        return h->err_status;
    obj_str *so = AS(obj_str, o);
    so->len = len;
    memcpy(so->data, s, len);
    so->hash = str_hash(s, len);
    return put_new(h, d, o);
}

gclab_status gclab_str_intern(gclab_heap *h, int dst, const char *s)
{
    DST(h, dst);
    gclab_obj *o = intern_lookup(h, s, strlen(s));
    if (!o)
        return heap_error(h, GCLAB_EMEMORY, "out of memory interning a string");
    store(h, d, o);
    return GCLAB_OK;
}

gclab_status gclab_name_load(gclab_heap *h, int dst, gclab_name name)
{
    DST(h, dst);
    if (!name)
        return heap_error(h, GCLAB_EUSAGE, "no name to load");
    store(h, d, (gclab_obj *)name);
    return GCLAB_OK;
}

gclab_status gclab_tuple_new(gclab_heap *h, int dst, int n, const int *srcs)
{
    DST(h, dst);
    if (n < 0)
        return heap_error(h, GCLAB_EUSAGE, "negative tuple size");
    if (n == 0) {
        store(h, d, &empty_tuple.hd);
        return GCLAB_OK;
    }
    for (int i = 0; i < n; i++)
        if (!slot_get(h, srcs[i]))
            return h->err_status;
    gclab_obj *o = core_new_object(h, GCLAB_K_TUPLE, sizeof(obj_tuple) + (size_t)n * sizeof(gclab_obj *));
    if (!o)
        return h->err_status;
    /* The allocation above may have collected; the sources are in slots, so
     * they survived, but the frame's slot array may have moved: read again. */
    AS(obj_tuple, o)->n = (size_t)n;
    for (int i = 0; i < n; i++)
        store_field(h, o, &AS(obj_tuple, o)->items[i], *slot_addr(h, srcs[i]));
    return put_new(h, slot_addr(h, dst), o);
}

gclab_obj *list_new_obj(gclab_heap *h)
{
    gclab_obj *o = core_new_object(h, GCLAB_K_LIST, sizeof(obj_list));
    if (o && h->eng->track)
        h->eng->track(h, o);
    return o;
}

gclab_status gclab_list_new(gclab_heap *h, int dst)
{
    DST(h, dst);
    gclab_obj *o = list_new_obj(h);
    if (!o)
        return h->err_status;
    store(h, d, o);
    return GCLAB_OK;
}

gclab_status gclab_dict_new(gclab_heap *h, int dst)
{
    DST(h, dst);
    gclab_obj *o = dict_new(h);
    if (!o)
        return h->err_status;
    store(h, d, o);
    return GCLAB_OK;
}

static gclab_status func_or_none(gclab_heap *h, int slot, gclab_obj **out)
{
    *out = NULL;
    if (slot < 0)
        return GCLAB_OK;
    gclab_obj *f = slot_get(h, slot);
    if (!f)
        return h->err_status;
    if (f->kind == GCLAB_K_NONE)
        return GCLAB_OK;
    if (f->kind != GCLAB_K_FUNC)
        return heap_error(h, GCLAB_ETYPE, "expected a function, got '%s'", gclab_type_name(h, slot));
    *out = f;
    return GCLAB_OK;
}

gclab_status gclab_class_new(gclab_heap *h, int dst, const char *name, int init_slot, int del_slot)
{
    gclab_obj *init, *del, *nm = intern_lookup(h, name, strlen(name));
    DST(h, dst);
    if (!nm)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    if (func_or_none(h, init_slot, &init) || func_or_none(h, del_slot, &del))
        return h->err_status;
    gclab_obj *o = core_new_object(h, GCLAB_K_CLASS, sizeof(obj_class));
    if (!o)
        return h->err_status;
    func_or_none(h, init_slot, &init);   /* re-read after a possible collection */
    func_or_none(h, del_slot, &del);
    obj_class *c = AS(obj_class, o);
    c->name = nm;
    store_field(h, o, &c->init, init);
    store_field(h, o, &c->del, del);
    return put_new(h, slot_addr(h, dst), o);
}

gclab_status gclab_instance_new(gclab_heap *h, int dst, int cls)
{
    DST(h, dst);
    gclab_obj *c = slot_get(h, cls);
    if (!c)
        return h->err_status;
    if (c->kind != GCLAB_K_CLASS)
        return heap_error(h, GCLAB_ETYPE, "expected a class, got '%s'", gclab_type_name(h, cls));
    gclab_obj *o = core_new_object(h, GCLAB_K_INSTANCE, sizeof(obj_instance));
    if (!o)
        return h->err_status;
    c = *slot_addr(h, cls);
    if (AS(obj_class, c)->del)
        o->flags |= OBJ_F_HAS_DEL;
    store_field(h, o, &AS(obj_instance, o)->cls, c);
    return put_new(h, slot_addr(h, dst), o);
}

gclab_status gclab_blob_new(gclab_heap *h, int dst, size_t n)
{
    DST(h, dst);
    if (n > ((size_t)1 << 31))
        return heap_error(h, GCLAB_EMEMORY, "blob of %zu bytes is too large", n);
    gclab_obj *o = core_new_object(h, GCLAB_K_BLOB, sizeof(obj_blob) + n);
    if (!o)
        return h->err_status;
    AS(obj_blob, o)->n = n;
    return put_new(h, slot_addr(h, dst), o);
}

static bool slots_weakref(gclab_heap *h, gclab_obj *cls);

gclab_status gclab_weakref_new(gclab_heap *h, int dst, int target, int cb)
{
    DST(h, dst);
    gclab_obj *t = slot_get(h, target), *f;
    if (!t)
        return h->err_status;
    if (!obj_weaklist(t) || (t->kind == GCLAB_K_INSTANCE && (AS(obj_instance, t)->cls->flags & OBJ_F_NODICT) &&
                             !slots_weakref(h, AS(obj_instance, t)->cls)))
        return heap_error(h, GCLAB_ETYPE, "cannot create weak reference to '%s' object",
                          gclab_type_name(h, target));
    if (func_or_none(h, cb, &f))
        return h->err_status;
    gclab_obj *o = core_new_object(h, GCLAB_K_WEAKREF, sizeof(obj_weakref));
    if (!o)
        return h->err_status;
    t = *slot_addr(h, target);
    func_or_none(h, cb, &f);
    obj_weakref *wr = AS(obj_weakref, o);
    wr->target = t;
    store_field(h, o, &wr->callback, f);
    /* Newest first, as CPython's weakref list (callback-less refs aside). */
    gclab_obj **head = obj_weaklist(t);
    wr->wr_next = *head;
    if (*head)
        AS(obj_weakref, *head)->wr_prev = o;
    *head = o;
    return put_new(h, slot_addr(h, dst), o);
}

gclab_status gclab_func_new(gclab_heap *h, int dst, const char *name, gclab_native_fn fn,
                            void *ctx, int64_t code, int nargs, int nslots)
{
    DST(h, dst);
    gclab_obj *nm = intern_lookup(h, name, strlen(name));
    if (!nm)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    if (!fn || nargs < 0 || nslots < nargs)
        return heap_error(h, GCLAB_EUSAGE, "bad function: nargs %d, nslots %d", nargs, nslots);
    gclab_obj *o = core_new_object(h, GCLAB_K_FUNC, sizeof(obj_func));
    if (!o)
        return h->err_status;
    obj_func *f = AS(obj_func, o);
    f->name = nm;
    f->fn = fn;
    f->ctx = ctx;
    f->code = code;
    f->nargs = nargs;
    f->nslots = nslots;
    return put_new(h, slot_addr(h, dst), o);
}

/* ---- reading values ------------------------------------------------- */

int gclab_kind_of(gclab_heap *h, int slot)
{
    gclab_obj **p = slot_addr(h, slot);
    return p && *p ? (*p)->kind : GCLAB_K_EMPTY;
}

const char *kind_name(const gclab_obj *o)
{
    static const char *names[GCLAB_K_COUNT] = {
        "NoneType", "bool", "int", "str", "tuple", "list", "dict", "type",
        "instance", "blob", "weakref", "function",
    };
    if (o->kind == GCLAB_K_INSTANCE)
        return AS(obj_str, AS(obj_class, AS(obj_instance, o)->cls)->name)->data;
    return names[o->kind];
}

const char *gclab_type_name(gclab_heap *h, int slot)
{
    gclab_obj **p = slot_addr(h, slot);
    return p && *p ? kind_name(*p) : "empty";
}

gclab_status gclab_int_value(gclab_heap *h, int slot, int64_t *out)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_BOOL) {
        *out = o == &gclab_true_obj;
        return GCLAB_OK;
    }
    if (o->kind != GCLAB_K_INT)
        return heap_error(h, GCLAB_ETYPE, "expected int, got '%s'", kind_name(o));
    *out = AS(obj_int, o)->v;
    return GCLAB_OK;
}

gclab_status gclab_str_value(gclab_heap *h, int slot, const char **s, size_t *len)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    if (o->kind != GCLAB_K_STR)
        return heap_error(h, GCLAB_ETYPE, "expected str, got '%s'", kind_name(o));
    *s = AS(obj_str, o)->data;
    *len = AS(obj_str, o)->len;
    return GCLAB_OK;
}

gclab_status gclab_len(gclab_heap *h, int slot, int64_t *out)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    switch (o->kind) {
    case GCLAB_K_STR: *out = (int64_t)AS(obj_str, o)->len; return GCLAB_OK;
    case GCLAB_K_TUPLE: *out = (int64_t)AS(obj_tuple, o)->n; return GCLAB_OK;
    case GCLAB_K_LIST: *out = (int64_t)AS(obj_list, o)->len; return GCLAB_OK;
    case GCLAB_K_DICT: *out = (int64_t)AS(obj_dict, o)->used; return GCLAB_OK;
    case GCLAB_K_BLOB: *out = (int64_t)AS(obj_blob, o)->n; return GCLAB_OK;
    default:
        return heap_error(h, GCLAB_ETYPE, "object of type '%s' has no len()", kind_name(o));
    }
}

gclab_status gclab_truth(gclab_heap *h, int slot, bool *out)
{
    gclab_obj *o = slot_get(h, slot);
    int64_t n;
    if (!o)
        return h->err_status;
    switch (o->kind) {
    case GCLAB_K_NONE: *out = false; return GCLAB_OK;
    case GCLAB_K_BOOL: *out = o == &gclab_true_obj; return GCLAB_OK;
    case GCLAB_K_INT: *out = AS(obj_int, o)->v != 0; return GCLAB_OK;
    case GCLAB_K_STR: case GCLAB_K_TUPLE: case GCLAB_K_LIST: case GCLAB_K_DICT: case GCLAB_K_BLOB:
        gclab_len(h, slot, &n);
        *out = n != 0;
        return GCLAB_OK;
    default: *out = true; return GCLAB_OK;
    }
}

gclab_status gclab_is(gclab_heap *h, int a, int b, bool *out)
{
    gclab_obj *x = slot_get(h, a), *y = x ? slot_get(h, b) : NULL;
    if (!x || !y)
        return h->err_status;
    *out = x == y;
    return GCLAB_OK;
}

/* Value equality for the kinds that have it; identity otherwise. */
static bool obj_equal(const gclab_obj *x, const gclab_obj *y)
{
    if (x == y)
        return true;
    bool xi = x->kind == GCLAB_K_INT || x->kind == GCLAB_K_BOOL;
    bool yi = y->kind == GCLAB_K_INT || y->kind == GCLAB_K_BOOL;
    if (xi && yi) {
        int64_t a = x->kind == GCLAB_K_BOOL ? x == &gclab_true_obj : AS(obj_int, x)->v;
        int64_t b = y->kind == GCLAB_K_BOOL ? y == &gclab_true_obj : AS(obj_int, y)->v;
        return a == b;
    }
    if (x->kind == GCLAB_K_STR && y->kind == GCLAB_K_STR)
        return str_eq(AS(obj_str, x), AS(obj_str, y)->data, AS(obj_str, y)->len);
    return false;
}

bool core_obj_equal(const gclab_obj *x, const gclab_obj *y) { return obj_equal(x, y); }

gclab_status gclab_equal(gclab_heap *h, int a, int b, bool *out)
{
    gclab_obj *x = slot_get(h, a), *y = x ? slot_get(h, b) : NULL;
    if (!x || !y)
        return h->err_status;
    *out = obj_equal(x, y);
    return GCLAB_OK;
}

gclab_status gclab_id(gclab_heap *h, int slot, uint64_t *out)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    *out = (uint64_t)(uintptr_t)o;
    return GCLAB_OK;
}

/* ---- lists and tuples ----------------------------------------------- */

static gclab_obj *typed(gclab_heap *h, int slot, int kind, const char *what)
{
    gclab_obj *o = slot_get(h, slot);
    if (o && o->kind != kind) {
        heap_error(h, GCLAB_ETYPE, "%s: expected %s, got '%s'", what,
                   kind == GCLAB_K_LIST ? "list" : kind == GCLAB_K_DICT ? "dict" :
                   kind == GCLAB_K_TUPLE ? "tuple" : kind == GCLAB_K_BLOB ? "blob" :
                   kind == GCLAB_K_WEAKREF ? "weakref" : "object", kind_name(o));
        return NULL;
    }
    return o;
}

/* Grow a list's item array CPython's way (about 1.125x + 6). */
static gclab_status list_grow(gclab_heap *h, obj_list *l, size_t need)
{
    if (need <= l->cap)
        return GCLAB_OK;
    size_t cap = (need + (need >> 3) + 6) & ~(size_t)3;
    gclab_obj **items = core_mem_alloc(h, &l->hd, cap * sizeof *items);
    if (!items)
        return h->err_status;
    if (l->len)
        memcpy(items, l->items, l->len * sizeof *items);
    core_mem_free(h, &l->hd, l->items, l->cap * sizeof *items);
    l->items = items;
    l->cap = cap;
    return GCLAB_OK;
}

gclab_status list_append_obj(gclab_heap *h, gclab_obj *lo, gclab_obj *v)
{
    obj_list *l = AS(obj_list, lo);
    gclab_status st = list_grow(h, l, l->len + 1);
    if (st != GCLAB_OK)
        return st;
    l->items[l->len] = NULL;
    store_field(h, lo, &l->items[l->len], v);
    l->len++;
    return GCLAB_OK;
}

gclab_status gclab_list_append(gclab_heap *h, int list, int item)
{
    gclab_obj *l = typed(h, list, GCLAB_K_LIST, "append"), *v = l ? slot_get(h, item) : NULL;
    if (!l || !v)
        return h->err_status;
    return list_append_obj(h, l, v);
}

static bool norm_index(int64_t *i, size_t len)
{
    if (*i < 0)
        *i += (int64_t)len;
    return *i >= 0 && (uint64_t)*i < len;
}

gclab_status gclab_list_get(gclab_heap *h, int dst, int list, int64_t i)
{
    DST(h, dst);
    gclab_obj *l = typed(h, list, GCLAB_K_LIST, "list index");
    if (!l)
        return h->err_status;
    if (!norm_index(&i, AS(obj_list, l)->len))
        return heap_error(h, GCLAB_EINDEX, "list index out of range");
    store(h, d, AS(obj_list, l)->items[i]);
    return GCLAB_OK;
}

gclab_status gclab_list_set(gclab_heap *h, int list, int64_t i, int src)
{
    gclab_obj *l = typed(h, list, GCLAB_K_LIST, "list assignment"), *v = l ? slot_get(h, src) : NULL;
    if (!l || !v)
        return h->err_status;
    if (!norm_index(&i, AS(obj_list, l)->len))
        return heap_error(h, GCLAB_EINDEX, "list assignment index out of range");
    store_field(h, l, &AS(obj_list, l)->items[i], v);
    return GCLAB_OK;
}

/* Remove item i from the list; the removed reference goes to *out (owned) or is released. */
static void list_remove(gclab_heap *h, obj_list *l, size_t i, gclab_obj **out)
{
    gclab_obj *v = unlink_ref(h, &l->hd, &l->items[i]);
    memmove(&l->items[i], &l->items[i + 1], (l->len - i - 1) * sizeof *l->items);
    l->len--;
    if (out)
        *out = v;
    else
        release_ref(h, v);
}

gclab_status gclab_list_pop(gclab_heap *h, int dst, int list, int64_t i)
{
    gclab_obj **d = NULL, *v;
    if (dst >= 0 && !(d = slot_addr(h, dst)))
        return h->err_status;
    gclab_obj *l = typed(h, list, GCLAB_K_LIST, "pop");
    if (!l)
        return h->err_status;
    if (AS(obj_list, l)->len == 0)
        return heap_error(h, GCLAB_EINDEX, "pop from empty list");
    if (!norm_index(&i, AS(obj_list, l)->len))
        return heap_error(h, GCLAB_EINDEX, "pop index out of range");
    list_remove(h, AS(obj_list, l), (size_t)i, &v);
    if (d)
        store_steal(h, d, v);
    else
        release_ref(h, v);
    return GCLAB_OK;
}

gclab_status gclab_list_del(gclab_heap *h, int list, int64_t i)
{
    gclab_obj *l = typed(h, list, GCLAB_K_LIST, "del");
    if (!l)
        return h->err_status;
    if (!norm_index(&i, AS(obj_list, l)->len))
        return heap_error(h, GCLAB_EINDEX, "list assignment index out of range");
    list_remove(h, AS(obj_list, l), (size_t)i, NULL);
    return GCLAB_OK;
}

gclab_status gclab_tuple_get(gclab_heap *h, int dst, int tuple, int64_t i)
{
    DST(h, dst);
    gclab_obj *t = typed(h, tuple, GCLAB_K_TUPLE, "tuple index");
    if (!t)
        return h->err_status;
    if (!norm_index(&i, AS(obj_tuple, t)->n))
        return heap_error(h, GCLAB_EINDEX, "tuple index out of range");
    store(h, d, AS(obj_tuple, t)->items[i]);
    return GCLAB_OK;
}

/* ---- dicts (bodies in dict.c) --------------------------------------- */

gclab_status gclab_dict_set(gclab_heap *h, int dict, int key, int val)
{
    gclab_obj *d = typed(h, dict, GCLAB_K_DICT, "dict assignment");
    gclab_obj *k = d ? slot_get(h, key) : NULL, *v = k ? slot_get(h, val) : NULL;
    if (!v)
        return h->err_status;
    return dict_set(h, d, k, v);
}

static gclab_status dict_get_into(gclab_heap *h, int dst, int dict, int key, int dflt)
{
    DST(h, dst);
    gclab_status st = GCLAB_OK;
    gclab_obj *dd = typed(h, dict, GCLAB_K_DICT, "dict lookup");
    gclab_obj *k = dd ? slot_get(h, key) : NULL;
    if (!k)
        return h->err_status;
    gclab_obj *v = dict_lookup(h, dd, k, &st);
    if (st != GCLAB_OK)
        return st;
    if (!v) {
        if (dflt < 0) {
            if (k->kind == GCLAB_K_STR)
                return heap_error(h, GCLAB_EKEY, "'%s'", AS(obj_str, k)->data);
            if (k->kind == GCLAB_K_INT)
                return heap_error(h, GCLAB_EKEY, "%lld", (long long)AS(obj_int, k)->v);
            return heap_error(h, GCLAB_EKEY, "key not found");
        }
        if (!(v = slot_get(h, dflt)))
            return h->err_status;
    }
    store(h, d, v);
    return GCLAB_OK;
}

gclab_status gclab_dict_get(gclab_heap *h, int dst, int dict, int key)
{
    return dict_get_into(h, dst, dict, key, -1);
}

gclab_status gclab_dict_get_default(gclab_heap *h, int dst, int dict, int key, int dflt)
{
    if (dflt < 0)
        return heap_error(h, GCLAB_EUSAGE, "no default slot");
    return dict_get_into(h, dst, dict, key, dflt);
}

gclab_status gclab_dict_del(gclab_heap *h, int dict, int key)
{
    gclab_obj *d = typed(h, dict, GCLAB_K_DICT, "dict del");
    gclab_obj *k = d ? slot_get(h, key) : NULL;
    if (!k)
        return h->err_status;
    gclab_status st = dict_del(h, d, k);
    if (st == GCLAB_EKEY && k->kind == GCLAB_K_STR)
        return heap_error(h, GCLAB_EKEY, "'%s'", AS(obj_str, k)->data);
    return st;
}

/* ---- generic subscripts --------------------------------------------- */

gclab_status gclab_getitem(gclab_heap *h, int dst, int c, int k)
{
    gclab_obj *o = slot_get(h, c);
    int64_t i;
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_DICT)
        return gclab_dict_get(h, dst, c, k);
    if (o->kind != GCLAB_K_LIST && o->kind != GCLAB_K_TUPLE)
        return heap_error(h, GCLAB_ETYPE, "'%s' object is not subscriptable", kind_name(o));
    if (gclab_int_value(h, k, &i) != GCLAB_OK)
        return heap_error(h, GCLAB_ETYPE, "%s indices must be integers", kind_name(o));
    return o->kind == GCLAB_K_LIST ? gclab_list_get(h, dst, c, i) : gclab_tuple_get(h, dst, c, i);
}

gclab_status gclab_setitem(gclab_heap *h, int c, int k, int v)
{
    gclab_obj *o = slot_get(h, c);
    int64_t i;
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_DICT)
        return gclab_dict_set(h, c, k, v);
    if (o->kind != GCLAB_K_LIST)
        return heap_error(h, GCLAB_ETYPE, "'%s' object does not support item assignment", kind_name(o));
    if (gclab_int_value(h, k, &i) != GCLAB_OK)
        return heap_error(h, GCLAB_ETYPE, "list indices must be integers");
    return gclab_list_set(h, c, i, v);
}

gclab_status gclab_delitem(gclab_heap *h, int c, int k)
{
    gclab_obj *o = slot_get(h, c);
    int64_t i;
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_DICT)
        return gclab_dict_del(h, c, k);
    if (o->kind != GCLAB_K_LIST)
        return heap_error(h, GCLAB_ETYPE, "'%s' object does not support item deletion", kind_name(o));
    if (gclab_int_value(h, k, &i) != GCLAB_OK)
        return heap_error(h, GCLAB_ETYPE, "list indices must be integers");
    return gclab_list_del(h, c, i);
}

/* ---- blobs ---------------------------------------------------------- */

gclab_status gclab_blob_write(gclab_heap *h, int blob, size_t off, const void *src, size_t n)
{
    gclab_obj *b = typed(h, blob, GCLAB_K_BLOB, "blob write");
    if (!b)
        return h->err_status;
    if (off > AS(obj_blob, b)->n || n > AS(obj_blob, b)->n - off)
        return heap_error(h, GCLAB_EINDEX, "blob write out of range");
    memcpy(AS(obj_blob, b)->data + off, src, n);
    return GCLAB_OK;
}

gclab_status gclab_blob_read(gclab_heap *h, int blob, size_t off, void *dst, size_t n)
{
    gclab_obj *b = typed(h, blob, GCLAB_K_BLOB, "blob read");
    if (!b)
        return h->err_status;
    if (off > AS(obj_blob, b)->n || n > AS(obj_blob, b)->n - off)
        return heap_error(h, GCLAB_EINDEX, "blob read out of range");
    memcpy(dst, AS(obj_blob, b)->data + off, n);
    return GCLAB_OK;
}

/* ---- attributes ----------------------------------------------------- */

static gclab_obj *attr_owner(gclab_heap *h, int slot, gclab_name name)
{
    gclab_obj *o = slot_get(h, slot);
    if (o && o->kind != GCLAB_K_INSTANCE) {
        heap_error(h, GCLAB_EATTR, "'%s' object has no attribute '%s'", kind_name(o), AS(obj_str, name)->data);
        return NULL;
    }
    return o;
}

static bool is_name(gclab_name name, const char *s) { return strcmp(AS(obj_str, name)->data, s) == 0; }

/* cls.name as CPython's type lookup finds it (the class's dict, then
 * __init__ and __del__), or NULL. */
/* The base class of cls (class C(B):, gclab_class_set_base), or NULL: kept
 * in the class's dict under __base__, as `C.__base__` reads it. */
static gclab_obj *class_base(gclab_heap *h, gclab_obj *cls)
{
    obj_class *c = AS(obj_class, cls);
    if (!c->dict)
        return NULL;
    gclab_status st;
    gclab_obj *b = dict_lookup(h, c->dict, (gclab_obj *)gclab_intern(h, "__base__"), &st);
    return b && b->kind == GCLAB_K_CLASS ? b : NULL;
}

static gclab_obj *core_class_lookup(gclab_heap *h, gclab_obj *cls, gclab_name name)
{
    /* the class, then its bases (CPython's MRO under single inheritance) */
    for (; cls; cls = class_base(h, cls)) {
        obj_class *c = AS(obj_class, cls);
        if (c->dict) {
            gclab_status st;
            gclab_obj *v = dict_lookup(h, c->dict, (gclab_obj *)name, &st);
            if (v)
                return v;
        }
        if (c->init && is_name(name, "__init__"))
            return c->init;
        if (c->del && is_name(name, "__del__"))
            return c->del;
    }
    return NULL;
}

/* What an instance finds through its class: __base__ is a type's attribute
 * (type's getset, not in the class dict), so `x.__base__` is an
 * AttributeError in CPython; here the base is kept in the class dict. */
static gclab_obj *instance_class_lookup(gclab_heap *h, gclab_obj *cls, gclab_name name)
{
    return is_name(name, "__base__") ? NULL : core_class_lookup(h, cls, name);
}

/* ---- slots ------------------------------------------------------------
 * A class whose body sets __slots__ (a tuple or list of strs; the compiler
 * lowers it to a SETATTR of __slots__ on the new class, kept in the class
 * dict as CPython keeps it) gets OBJ_F_SLOTS. Its instances, and those of
 * its subclasses (OBJ_F_SLOTTED), keep their slot attributes in CPython's
 * slot order, which is tp_traverse's and so get_referents' and the
 * collector's: the most derived class's slots first, each class's names
 * sorted (type_new sorts them; __weakref__ is not a slot), then the
 * attributes of the instance's __dict__ in insertion order. A class every
 * class of whose chain has __slots__ (OBJ_F_NODICT) has instances without
 * a __dict__: storing any other name is CPython's AttributeError, and they
 * can be weakly referenced only if some __slots__ names __weakref__.
 * CPython 3.11 allocates a slotted instance as one tracked object, as an
 * instance with inline values: nothing to model in the counts. */

static gclab_obj *class_slots(gclab_heap *h, gclab_obj *cls)
{
    obj_class *c = AS(obj_class, cls);
    if (!(cls->flags & OBJ_F_SLOTS) || !c->dict)
        return NULL;
    gclab_status st;
    return dict_lookup(h, c->dict, (gclab_obj *)gclab_intern(h, "__slots__"), &st);
}

static size_t seq_items(gclab_obj *seq, gclab_obj ***items)
{
    if (seq->kind == GCLAB_K_TUPLE) {
        *items = AS(obj_tuple, seq)->items;
        return AS(obj_tuple, seq)->n;
    }
    *items = AS(obj_list, seq)->items;
    return AS(obj_list, seq)->len;
}

static bool str_is(const gclab_obj *s, const char *t)
{
    return strcmp(AS(obj_str, s)->data, t) == 0;
}

static bool str_same(const gclab_obj *a, const gclab_obj *b)
{
    return a == b || str_eq(AS(obj_str, a), AS(obj_str, b)->data, AS(obj_str, b)->len);
}

/* The traversal key of name on an instance of cls: depth of the class that
 * has it as a slot (from the most derived) * 2^20 + its rank among that
 * class's sorted slot names; -1 if it is no slot. */
static long slot_key(gclab_heap *h, gclab_obj *cls, gclab_name name)
{
    if (!(cls->flags & OBJ_F_SLOTTED))
        return -1;
    long depth = 0;
    for (gclab_obj *k = cls; k; k = class_base(h, k), depth++) {
        gclab_obj *sl = class_slots(h, k), **it;
        if (!sl)
            continue;
        size_t n = seq_items(sl, &it), rank = 0;
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            if (str_is(it[i], "__weakref__"))
                continue;
            if (str_same(it[i], (gclab_obj *)name))
                found = true;
            else if (strcmp(AS(obj_str, it[i])->data, AS(obj_str, name)->data) < 0)
                rank++;
        }
        if (found)
            return depth * (1L << 20) + (long)rank;
    }
    return -1;
}

/* Some class of cls's chain names __weakref__ in its __slots__. */
static bool slots_weakref(gclab_heap *h, gclab_obj *cls)
{
    for (gclab_obj *k = cls; k; k = class_base(h, k)) {
        gclab_obj *sl = class_slots(h, k), **it;
        for (size_t i = 0, n = sl ? seq_items(sl, &it) : 0; i < n; i++)
            if (str_is(it[i], "__weakref__"))
                return true;
    }
    return false;
}

/* cls.__slots__ = value (the class body's): checked as type_new checks it. */
static gclab_status class_slots_set(gclab_heap *h, gclab_obj *c, gclab_obj *v)
{
    if (c->flags & OBJ_F_SLOTS)
        return heap_error(h, GCLAB_EUNSUPPORTED, "setting __slots__ on a class after it is made is not supported");
    if (v->kind != GCLAB_K_TUPLE && v->kind != GCLAB_K_LIST)
        return heap_error(h, GCLAB_EUNSUPPORTED, "__slots__ must be a tuple or list of strs here");
    gclab_obj **it;
    size_t n = seq_items(v, &it);
    for (size_t i = 0; i < n; i++) {
        if (it[i]->kind != GCLAB_K_STR)
            return heap_error(h, GCLAB_ETYPE, "__slots__ items must be strings, not '%s'", kind_name(it[i]));
        if (str_is(it[i], "__dict__"))
            return heap_error(h, GCLAB_EUNSUPPORTED, "'__dict__' in __slots__ is not supported");
        for (size_t j = 0; j < i; j++)
            if (str_same(it[i], it[j]))
                return heap_error(h, GCLAB_EUNSUPPORTED, "a name twice in __slots__ is not supported");
    }
    gclab_obj *b = class_base(h, c);
    c->flags |= OBJ_F_SLOTS | OBJ_F_SLOTTED;
    if (!b || (b->flags & OBJ_F_NODICT))
        c->flags |= OBJ_F_NODICT;
    return GCLAB_OK;
}

/* cls.name = value: into the class's dict, made on the first attribute. */
static gclab_status class_attr_set(gclab_heap *h, int cls, gclab_name name, int src)
{
    if (is_name(name, "__init__") || is_name(name, "__del__"))
        return heap_error(h, GCLAB_EUNSUPPORTED, "setting %s on a class after it is made is not supported",
                          AS(obj_str, name)->data);
    gclab_obj *c = slot_get(h, cls);
    if (is_name(name, "__slots__")) {
        gclab_obj *sv = slot_get(h, src);
        if (!sv)
            return h->err_status;
        gclab_status st = class_slots_set(h, c, sv);
        if (st != GCLAB_OK)
            return st;
    }
    if (!AS(obj_class, c)->dict) {
        gclab_obj *d = dict_new(h);   /* tracked by dict_new */
        if (!d)
            return h->err_status;
        c = *slot_addr(h, cls);   /* re-read after a possible collection */
        store_field(h, c, &AS(obj_class, c)->dict, d);
    }
    gclab_obj *v = slot_get(h, src);
    if (!v)
        return h->err_status;
    return dict_set(h, AS(obj_class, c)->dict, (gclab_obj *)name, v);
}

static struct attr *attr_find(obj_instance *in, gclab_name name)
{
    for (size_t i = 0; i < in->n; i++)
        if (in->attrs[i].name == name)
            return &in->attrs[i];
    return NULL;
}

gclab_status gclab_attr_set(gclab_heap *h, int obj, gclab_name name, int src)
{
    if (gclab_kind_of(h, obj) == GCLAB_K_CLASS)
        return class_attr_set(h, obj, name, src);
    gclab_obj *o = attr_owner(h, obj, name), *v = o ? slot_get(h, src) : NULL;
    if (!v)
        return h->err_status;
    obj_instance *in = AS(obj_instance, o);
    struct attr *a = attr_find(in, name);
    if (!a) {
        long key = slot_key(h, in->cls, name);
        size_t at = in->n;
        if (key < 0 && (in->cls->flags & OBJ_F_NODICT))
            return heap_error(h, GCLAB_EATTR, "'%s' object has no attribute '%s'", kind_name(o),
                              AS(obj_str, name)->data);
        if (key >= 0) {   /* before the first attribute that comes later in slot order, or is no slot */
            for (at = 0; at < in->n; at++) {
                long k = slot_key(h, in->cls, (gclab_name)in->attrs[at].name);
                if (k < 0 || k > key)
                    break;
            }
        }
        if (in->n == in->cap) {
            size_t cap = in->cap ? in->cap * 2 : 4;
            struct attr *na = core_mem_alloc(h, o, cap * sizeof *na);
            if (!na)
                return h->err_status;
            if (in->n)
                memcpy(na, in->attrs, in->n * sizeof *na);
            core_mem_free(h, o, in->attrs, in->cap * sizeof *na);
            in->attrs = na;
            in->cap = cap;
        }
        memmove(&in->attrs[at + 1], &in->attrs[at], (in->n - at) * sizeof *in->attrs);
        in->n++;
        a = &in->attrs[at];
        a->name = (gclab_obj *)name;
        a->value = NULL;
    }
    store_field(h, o, &a->value, v);
    return GCLAB_OK;
}

gclab_status gclab_attr_get(gclab_heap *h, int dst, int obj, gclab_name name)
{
    DST(h, dst);
    gclab_obj *o = slot_get(h, obj), *v = NULL;
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_CLASS) {
        v = core_class_lookup(h, o, name);
    } else if (o->kind == GCLAB_K_INSTANCE) {
        struct attr *a = attr_find(AS(obj_instance, o), name);
        v = a ? a->value : instance_class_lookup(h, AS(obj_instance, o)->cls, name);
        /* CPython makes a bound method here; calls go through gclab_method_get instead */
        if (!a && v && v->kind == GCLAB_K_FUNC)
            return heap_error(h, GCLAB_EUNSUPPORTED, "bound method objects are not supported: call "
                              "'%s.%s' directly", kind_name(o), AS(obj_str, name)->data);
    }
    if (!v && o->kind == GCLAB_K_CLASS)
        return heap_error(h, GCLAB_EATTR, "type object '%s' has no attribute '%s'",
                          AS(obj_str, AS(obj_class, o)->name)->data, AS(obj_str, name)->data);
    if (!v)
        return heap_error(h, GCLAB_EATTR, "'%s' object has no attribute '%s'", kind_name(o),
                          AS(obj_str, name)->data);
    store(h, d, v);
    return GCLAB_OK;
}

gclab_status gclab_isinstance(gclab_heap *h, int obj, int cls, bool *out)
{
    gclab_obj *o = slot_get(h, obj), *c = o ? slot_get(h, cls) : NULL;
    if (!c)
        return h->err_status;
    if (c->kind != GCLAB_K_CLASS)
        return heap_error(h, GCLAB_ETYPE, "isinstance() arg 2 must be a type, a tuple of types, or a union");
    *out = false;
    for (gclab_obj *k = o->kind == GCLAB_K_INSTANCE ? AS(obj_instance, o)->cls : NULL; k && !*out;
         k = class_base(h, k))
        *out = k == c;
    return GCLAB_OK;
}

gclab_status gclab_class_set_base(gclab_heap *h, int cls, int base)
{
    gclab_obj *c = slot_get(h, cls), *b = c ? slot_get(h, base) : NULL;
    if (!b)
        return h->err_status;
    if (c->kind != GCLAB_K_CLASS)
        return heap_error(h, GCLAB_ETYPE, "expected a class, got '%s'", kind_name(c));
    if (b->kind != GCLAB_K_CLASS)
        return heap_error(h, GCLAB_ETYPE, "bases must be types");
    if (class_base(h, c))
        return heap_error(h, GCLAB_ETYPE, "class '%s' has a base already", AS(obj_str, AS(obj_class, c)->name)->data);
    for (gclab_obj *k = b; k; k = class_base(h, k))
        if (k == c)
            return heap_error(h, GCLAB_ETYPE, "a __bases__ item causes an inheritance cycle");
    obj_class *cc = AS(obj_class, c), *bc = AS(obj_class, b);
    /* The call path and finalizers read init and del directly: the inherited
     * ones are copied in (a subclass of a class with __del__ has a finalizer). */
    if (!cc->init && bc->init)
        store_field(h, c, &cc->init, bc->init);
    if (!cc->del && bc->del)
        store_field(h, c, &cc->del, bc->del);
    if (b->flags & OBJ_F_SLOTTED)
        c->flags |= OBJ_F_SLOTTED;
    if (!(b->flags & OBJ_F_NODICT))
        c->flags &= (uint8_t)~OBJ_F_NODICT;
    gclab_name bn = gclab_intern(h, "__base__");
    if (!bn)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    return class_attr_set(h, cls, bn, base);
}

gclab_status gclab_class_of(gclab_heap *h, int dst, int obj)
{
    DST(h, dst);
    gclab_obj *o = slot_get(h, obj);
    if (!o)
        return h->err_status;
    if (o->kind != GCLAB_K_INSTANCE)
        return heap_error(h, GCLAB_ETYPE, "'%s' object is not an instance of a class", kind_name(o));
    store(h, d, AS(obj_instance, o)->cls);
    return GCLAB_OK;
}

gclab_status gclab_type_is(gclab_heap *h, int obj, int cls, bool *out)
{
    gclab_obj *o = slot_get(h, obj), *c = o ? slot_get(h, cls) : NULL;
    if (!c)
        return h->err_status;
    *out = o->kind == GCLAB_K_INSTANCE && AS(obj_instance, o)->cls == c;
    return GCLAB_OK;
}

gclab_status gclab_method_get(gclab_heap *h, int dst, int obj, gclab_name name, bool *unbound)
{
    DST(h, dst);
    gclab_obj *o = slot_get(h, obj), *v = NULL;
    *unbound = false;
    if (!o)
        return h->err_status;
    if (o->kind == GCLAB_K_INSTANCE) {
        struct attr *a = attr_find(AS(obj_instance, o), name);
        if (a) {
            v = a->value;
        } else if ((v = instance_class_lookup(h, AS(obj_instance, o)->cls, name))) {
            *unbound = v->kind == GCLAB_K_FUNC;
        }
    } else if (o->kind == GCLAB_K_CLASS) {
        v = core_class_lookup(h, o, name);
    }
    if (!v)
        return heap_error(h, GCLAB_EATTR, "'%s' object has no attribute '%s'", kind_name(o),
                          AS(obj_str, name)->data);
    store(h, d, v);
    return GCLAB_OK;
}

gclab_status gclab_attr_del(gclab_heap *h, int obj, gclab_name name)
{
    if (gclab_kind_of(h, obj) == GCLAB_K_CLASS) {
        gclab_obj *c = slot_get(h, obj);
        gclab_status st = GCLAB_EATTR;
        if (is_name(name, "__slots__") && (c->flags & OBJ_F_SLOTS))
            return heap_error(h, GCLAB_EUNSUPPORTED, "deleting __slots__ of a class is not supported");
        if (AS(obj_class, c)->dict && dict_lookup(h, AS(obj_class, c)->dict, (gclab_obj *)name, &st))
            return dict_del(h, AS(obj_class, c)->dict, (gclab_obj *)name);
        return heap_error(h, GCLAB_EATTR, "type object '%s' has no attribute '%s'",
                          AS(obj_str, AS(obj_class, c)->name)->data, AS(obj_str, name)->data);
    }
    gclab_obj *o = attr_owner(h, obj, name);
    if (!o)
        return h->err_status;
    obj_instance *in = AS(obj_instance, o);
    struct attr *a = attr_find(in, name);
    if (!a && slot_key(h, in->cls, name) >= 0)   /* an empty slot: member_set's bare AttributeError(name) */
        return heap_error(h, GCLAB_EATTR, "%s", AS(obj_str, name)->data);
    if (!a)
        return heap_error(h, GCLAB_EATTR, "'%s' object has no attribute '%s'", kind_name(o),
                          AS(obj_str, name)->data);
    gclab_obj *v = unlink_ref(h, o, &a->value);
    size_t i = (size_t)(a - in->attrs);
    memmove(&in->attrs[i], &in->attrs[i + 1], (in->n - i - 1) * sizeof *a);
    in->n--;
    release_ref(h, v);
    return GCLAB_OK;
}

/* ---- weak references ------------------------------------------------ */

gclab_status gclab_weakref_get(gclab_heap *h, int dst, int wr)
{
    DST(h, dst);
    gclab_obj *w = typed(h, wr, GCLAB_K_WEAKREF, "weakref call");
    if (!w)
        return h->err_status;
    gclab_obj *t = AS(obj_weakref, w)->target;
    store(h, d, t ? t : &gclab_none_obj);
    return GCLAB_OK;
}

bool gclab_weakref_has_callback(gclab_heap *h, int wr)
{
    gclab_obj **p = slot_addr(h, wr);
    if (!p) {
        gclab_error_clear(h);
        return false;
    }
    return *p && (*p)->kind == GCLAB_K_WEAKREF && AS(obj_weakref, *p)->callback;
}

/* ---- tracing -------------------------------------------------------- */

void gclab_trace_object(gclab_obj *o, gclab_visit_fn fn, void *ctx)
{
    obj_trace(o, fn, ctx);
}
