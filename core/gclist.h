/* gclist.h — CPython's gc lists and container free lists, for the engines
 * that model CPython's cycle collectors (rcgen, rcinc) and any other that
 * keeps its objects on lists (rcbr).
 *
 * Lists (CPython's gc_list_*)
 *   A list is a sentinel object (a gclab_obj used only for its links),
 *   circular and doubly linked through the header's gc_next/gc_prev words.
 *   An empty list points at itself. An object is on at most one list.
 *
 * Free lists (CPython's PyList/PyDict/PyTuple free lists)
 *   Up to 80 dead lists, 80 dead dicts and 2000 dead tuples of each size
 *   1..20 are kept, linked through gc_next, and reused LIFO. Parking and
 *   reuse are the engine's decision (they move CPython's collection counts
 *   in engine-specific ways): this header only keeps the stacks.
 */
#ifndef GCLAB_GCLIST_H
#define GCLAB_GCLIST_H

#include <string.h>

#include "engine.h"

/* ---- lists --------------------------------------------------------------- */

static inline void gclist_init(gclab_obj *l) { l->gc_next = l->gc_prev = l; }
static inline bool gclist_empty(const gclab_obj *l) { return l->gc_next == l; }

static inline void gclist_unlink(gclab_obj *o)
{
    o->gc_prev->gc_next = o->gc_next;
    o->gc_next->gc_prev = o->gc_prev;
}

/* Append o (on no list) at l's tail. */
static inline void gclist_append(gclab_obj *o, gclab_obj *l)
{
    o->gc_prev = l->gc_prev;
    o->gc_next = l;
    l->gc_prev->gc_next = o;
    l->gc_prev = o;
}

/* Move o from its list to l's tail. */
static inline void gclist_move(gclab_obj *o, gclab_obj *l)
{
    gclist_unlink(o);
    gclist_append(o, l);
}

/* Append from's objects to to, in order; from becomes empty. */
static inline void gclist_merge(gclab_obj *from, gclab_obj *to)
{
    if (!gclist_empty(from)) {
        gclab_obj *tail = to->gc_prev;
        tail->gc_next = from->gc_next;
        from->gc_next->gc_prev = tail;
        to->gc_prev = from->gc_prev;
        to->gc_prev->gc_next = to;
    }
    gclist_init(from);
}

static inline int64_t gclist_size(const gclab_obj *l)
{
    int64_t n = 0;
    for (const gclab_obj *o = l->gc_next; o != l; o = o->gc_next)
        n++;
    return n;
}

/* ---- free lists ------------------------------------------------------------ */

#define GCFL_LIST_MAX 80        /* PyList_MAXFREELIST */
#define GCFL_DICT_MAX 80        /* PyDict_MAXFREELIST */
#define GCFL_TUPLE_SAVE 20      /* PyTuple_MAXSAVESIZE: sizes 1..20 */
#define GCFL_TUPLE_MAX 2000     /* PyTuple_MAXFREELIST */

struct gcfl { gclab_obj *head; int n, max; };
struct gcfl_set { struct gcfl lists, dicts, tuples[GCFL_TUPLE_SAVE + 1]; };

static inline void gcfl_init(struct gcfl_set *s)
{
    *s = (struct gcfl_set){ .lists = { NULL, 0, GCFL_LIST_MAX }, .dicts = { NULL, 0, GCFL_DICT_MAX } };
    for (int i = 1; i <= GCFL_TUPLE_SAVE; i++)
        s->tuples[i].max = GCFL_TUPLE_MAX;
}

/* The free list objects of kind and bytes go to, or NULL (no such list). */
static inline struct gcfl *gcfl_for(struct gcfl_set *s, int kind, size_t bytes)
{
    if (kind == GCLAB_K_LIST)
        return &s->lists;
    if (kind == GCLAB_K_DICT)
        return &s->dicts;
    if (kind == GCLAB_K_TUPLE) {
        size_t n = (bytes - sizeof(obj_tuple)) / sizeof(gclab_obj *);
        return n >= 1 && n <= GCFL_TUPLE_SAVE ? &s->tuples[n] : NULL;
    }
    return NULL;
}

/* Park dead o (counted dead already) on its free list if there is room. */
static inline bool gcfl_park(struct gcfl_set *s, gclab_obj *o)
{
    struct gcfl *fl = gcfl_for(s, o->kind, o->size);
    if (!fl || fl->n >= fl->max)
        return false;
    o->gc_next = fl->head;
    fl->head = o;
    fl->n++;
    return true;
}

/* Reuse a parked block for a new object of kind and bytes (header and body
 * zeroed), or NULL if its list is empty or the heap limit says no. */
static inline gclab_obj *gcfl_take(gclab_heap *h, struct gcfl_set *s, int kind, size_t bytes)
{
    struct gcfl *fl = gcfl_for(s, kind, bytes);
    if (!fl || !fl->head || !core_within_limit(h, bytes))
        return NULL;
    gclab_obj *o = fl->head;
    fl->head = o->gc_next;
    fl->n--;
    memset(o, 0, bytes);
    return o;
}

/* Whether a free list of kind and bytes has a block to reuse. */
static inline bool gcfl_has(struct gcfl_set *s, int kind, size_t bytes)
{
    struct gcfl *fl = gcfl_for(s, kind, bytes);
    return fl && fl->head;
}

/* One parked block to drop (tuples by size, then lists, then dicts:
 * CPython's clear_freelists order), or NULL once all are empty. */
static inline gclab_obj *gcfl_pop_any(struct gcfl_set *s)
{
    struct gcfl *fl = NULL;
    for (int i = 1; i <= GCFL_TUPLE_SAVE && !fl; i++)
        if (s->tuples[i].head)
            fl = &s->tuples[i];
    if (!fl)
        fl = s->lists.head ? &s->lists : s->dicts.head ? &s->dicts : NULL;
    if (!fl)
        return NULL;
    gclab_obj *o = fl->head;
    fl->head = o->gc_next;
    fl->n--;
    return o;
}

#endif
