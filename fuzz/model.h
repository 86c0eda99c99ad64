/* model.h — the fuzzers' reference model: a plain graph of objects (ids,
 * kinds, contents, edges) with no collector, which runs the same ops as the
 * engine under test (fuzz/harness.c applies each op that succeeded on the
 * engine). Nothing here frees: an object the program can no longer reach
 * stays in the graph, and the queries below say what an engine may or must
 * have done with it:
 *
 *   reachable   from the roots (main's slots, globals, gc.garbage, gc.callbacks):
 *               must be alive with these contents on every engine;
 *   rc-live     reachable, or reachable from an object on a cycle: what pure
 *               reference counting keeps (the rest it must have freed);
 *   dead        known freed by the engine (a weakref to it read None, or its
 *               weakref callback ran): must never be seen again.
 *
 * Objects are numbered from 0 (their model id, "m12" in messages); None, True
 * and False are 0, 1, 2. Small ints (-5..256) and interned strs are immortal
 * and shared, as in core.
 */
#ifndef GCLAB_FZ_MODEL_H
#define GCLAB_FZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gclab.h"

#define M_OPAQUE 100   /* kind of gc.get_objects' list: contents unknown to the model */
#define M_NONE_ID 0
#define M_TRUE_ID 1
#define M_FALSE_ID 2

struct m_obj {
    int kind;              /* GCLAB_K_* or M_OPAQUE */
    bool immortal;
    bool has_del;          /* instance whose class had __del__ = rec when it was made */
    bool any_del;          /* instance whose class had any __del__ */
    bool finalized;        /* the harness saw its __del__ run */
    bool cb_ran;           /* weakref whose callback ran */
    bool dead;             /* known freed by the engine */
    bool cleared;          /* weakref known cleared */
    bool revived;          /* its __del__ made it reachable again (res) or kept it alive (mkcyc) */
    uint64_t eid;          /* engine id (gclab_id), 0 until seen */
    int64_t ival;          /* int or bool value; blob size */
    char *s;               /* str bytes */
    size_t len;
    int *items;            /* tuple/list items; dict key,value pairs; instance name,value pairs */
    int n, cap;            /* ints used in items */
    int ref;               /* instance: class; weakref: target; class: __init__ (-1 none) */
    int aux;               /* class: __del__ (-1 none); weakref: callback (-1 none); func: function index */
    int name;              /* class: string-table index of its name */
};

struct model {
    struct m_obj *o;
    int n, cap;
    int slots[32];          /* main's slots: model id or -1 */
    int nslots;
    bool in_main;           /* whether main's frame exists (slots are roots) */
    int globals, garbage, callbacks;   /* the heap's root objects */
    int small[262];         /* -5..256, -1 until made */
    int empty_tuple;        /* the shared (), -1 until made */
    int *tmp[2];            /* the walks' scratch arrays, tmpcap ints each (grown to n) */
    bool no_cb_edges;       /* model_edges skips weakrefs' callbacks (a firm walk) */
    int tmpcap;
};

/* A model with None/True/False; nslots main slots (all empty). NULL on out of memory. */
struct model *model_new(int nslots);
void model_free(struct model *m);
/* A new object of kind; its id (the pointer m->o may move). */
int model_add(struct model *m, int kind);
/* The shared object for int v (small) or a new one. */
int model_int(struct model *m, int64_t v);
/* The empty tuple, a singleton as in CPython. */
int model_empty_tuple(struct model *m);
/* An interned str (shared by content, immortal) or a new str. */
int model_str(struct model *m, const char *s, size_t len, bool interned);
/* Append an id to an object's items. */
void model_push(struct model *m, int id, int item);
/* Remove items[i] (one int). */
void model_remove(struct model *m, int id, int i);

/* Value equality as core's (ints and bools by value, strs by bytes, else identity). */
bool model_equal(const struct model *m, int x, int y);
/* Python truth of an object. */
bool model_truth(const struct model *m, int x);
/* len() of a str, tuple, list, dict or blob; -1 otherwise. */
int64_t model_len(const struct model *m, int x);
/* Dict: index into items of the key equal to k, or -1. */
int model_dict_find(const struct model *m, int d, int k);
/* Dict set (an existing key keeps its place and its key object). */
void model_dict_set(struct model *m, int d, int k, int v);
/* Instance: index into items of attribute name (string id), or -1. */
int model_attr_find(const struct model *m, int inst, int name);

/* Call fn(ctx, child) for each strong edge of x (a child may repeat). */
void model_edges(const struct model *m, int x, void (*fn)(void *ctx, int child), void *ctx);
/* Root references to x: main's slots holding it plus the heap's own reference for a root object. */
int model_root_refs(const struct model *m, int x);
/* cnt[x] += model_root_refs(m, x) for every x, in one pass over the roots. */
void model_add_root_refs(const struct model *m, int *cnt);
/* out[i] = whether object i is reachable from the roots (out has m->n entries). */
void model_reachable(struct model *m, bool *out);
/* out[i] = whether i is reachable from the given extra objects too (added to out). */
void model_reach_from(struct model *m, const int *from, int nfrom, bool *out);
/* out[i] = whether pure reference counting keeps i (reachable from roots or a cycle). */
void model_rc_live(struct model *m, bool *out);
/* In-degree of every object from the objects in `from` (NULL: all); out has m->n entries. */
void model_indegree(const struct model *m, const bool *from, int *out);

#endif
