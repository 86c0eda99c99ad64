/* model.c — the reference model's graph and its queries (see model.h).
 * Every walk uses an explicit worklist: no recursion on heap depth. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        abort();   /* the fuzzer cannot go on without its model */
    return q;
}

struct model *model_new(int nslots)
{
    struct model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->nslots = nslots;
    for (int i = 0; i < 32; i++)
        m->slots[i] = -1;
    for (int i = 0; i < 262; i++)
        m->small[i] = -1;
    m->globals = m->garbage = m->callbacks = -1;
    m->empty_tuple = -1;
    int none = model_add(m, GCLAB_K_NONE), t = model_add(m, GCLAB_K_BOOL), f = model_add(m, GCLAB_K_BOOL);
    m->o[none].immortal = m->o[t].immortal = m->o[f].immortal = true;
    m->o[t].ival = 1;
    (void)f;
    return m;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++) {
        free(m->o[i].s);
        free(m->o[i].items);
    }
    free(m->o);
    free(m->tmp[0]);
    free(m->tmp[1]);
    free(m);
}

int model_add(struct model *m, int kind)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->o = xrealloc(m->o, (size_t)m->cap * sizeof *m->o);
    }
    struct m_obj *o = &m->o[m->n];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->ref = o->aux = -1;
    return m->n++;
}

int model_int(struct model *m, int64_t v)
{
    if (v >= -5 && v <= 256) {
        int *c = &m->small[v + 5];
        if (*c < 0) {
            *c = model_add(m, GCLAB_K_INT);
            m->o[*c].ival = v;
            m->o[*c].immortal = true;
        }
        return *c;
    }
    int id = model_add(m, GCLAB_K_INT);
    m->o[id].ival = v;
    return id;
}

int model_empty_tuple(struct model *m)
{
    if (m->empty_tuple < 0) {
        m->empty_tuple = model_add(m, GCLAB_K_TUPLE);
        m->o[m->empty_tuple].immortal = true;
    }
    return m->empty_tuple;
}

int model_str(struct model *m, const char *s, size_t len, bool interned)
{
    if (interned)
        for (int i = 0; i < m->n; i++)
            if (m->o[i].kind == GCLAB_K_STR && m->o[i].immortal && m->o[i].len == len &&
                memcmp(m->o[i].s, s, len) == 0)
                return i;
    int id = model_add(m, GCLAB_K_STR);
    struct m_obj *o = &m->o[id];
    o->s = xrealloc(NULL, len + 1);
    memcpy(o->s, s, len);
    o->s[len] = 0;
    o->len = len;
    o->immortal = interned;
    return id;
}

void model_push(struct model *m, int id, int item)
{
    struct m_obj *o = &m->o[id];
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 4;
        o->items = xrealloc(o->items, (size_t)o->cap * sizeof *o->items);
    }
    o->items[o->n++] = item;
}

void model_remove(struct model *m, int id, int i)
{
    struct m_obj *o = &m->o[id];
    memmove(&o->items[i], &o->items[i + 1], (size_t)(o->n - i - 1) * sizeof *o->items);
    o->n--;
}

static bool intlike(const struct m_obj *o) { return o->kind == GCLAB_K_INT || o->kind == GCLAB_K_BOOL; }

bool model_equal(const struct model *m, int x, int y)
{
    if (x == y)
        return true;
    const struct m_obj *a = &m->o[x], *b = &m->o[y];
    if (intlike(a) && intlike(b))
        return a->ival == b->ival;
    if (a->kind == GCLAB_K_STR && b->kind == GCLAB_K_STR)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    return false;
}

int64_t model_len(const struct model *m, int x)
{
    const struct m_obj *o = &m->o[x];
    switch (o->kind) {
    case GCLAB_K_STR: return (int64_t)o->len;
    case GCLAB_K_TUPLE: case GCLAB_K_LIST: return o->n;
    case GCLAB_K_DICT: return o->n / 2;
    case GCLAB_K_BLOB: return o->ival;
    default: return -1;
    }
}

bool model_truth(const struct model *m, int x)
{
    const struct m_obj *o = &m->o[x];
    switch (o->kind) {
    case GCLAB_K_NONE: return false;
    case GCLAB_K_BOOL: case GCLAB_K_INT: return o->ival != 0;
    case GCLAB_K_STR: case GCLAB_K_TUPLE: case GCLAB_K_LIST: case GCLAB_K_DICT: case GCLAB_K_BLOB:
        return model_len(m, x) != 0;
    default: return true;
    }
}

int model_dict_find(const struct model *m, int d, int k)
{
    const struct m_obj *o = &m->o[d];
    for (int i = 0; i < o->n; i += 2)
        if (model_equal(m, o->items[i], k))
            return i;
    return -1;
}

void model_dict_set(struct model *m, int d, int k, int v)
{
    int i = model_dict_find(m, d, k);
    if (i >= 0) {
        m->o[d].items[i + 1] = v;
        return;
    }
    model_push(m, d, k);
    model_push(m, d, v);
}

int model_attr_find(const struct model *m, int inst, int name)
{
    const struct m_obj *o = &m->o[inst];
    for (int i = 0; i < o->n; i += 2)
        if (o->items[i] == name)
            return i;
    return -1;
}

void model_edges(const struct model *m, int x, void (*fn)(void *ctx, int child), void *ctx)
{
    const struct m_obj *o = &m->o[x];
    switch (o->kind) {
    case GCLAB_K_TUPLE: case GCLAB_K_LIST: case GCLAB_K_DICT:
        for (int i = 0; i < o->n; i++)
            fn(ctx, o->items[i]);
        break;
    case GCLAB_K_INSTANCE:
        fn(ctx, o->ref);
        for (int i = 0; i < o->n; i++)
            fn(ctx, o->items[i]);
        break;
    case GCLAB_K_CLASS:
        if (o->ref >= 0)
            fn(ctx, o->ref);
        if (o->aux >= 0)
            fn(ctx, o->aux);
        break;
    case GCLAB_K_WEAKREF:
        if (o->aux >= 0 && !m->no_cb_edges)
            fn(ctx, o->aux);
        break;
    default:
        break;
    }
}

int model_root_refs(const struct model *m, int x)
{
    int r = 0;
    if (m->in_main)
        for (int i = 0; i < m->nslots; i++)
            r += m->slots[i] == x;
    r += (x == m->globals) + (x == m->garbage) + (x == m->callbacks);
    return r;
}

void model_add_root_refs(const struct model *m, int *cnt)
{
    if (m->in_main)
        for (int i = 0; i < m->nslots; i++)
            if (m->slots[i] >= 0)
                cnt[m->slots[i]]++;
    if (m->globals >= 0) cnt[m->globals]++;
    if (m->garbage >= 0) cnt[m->garbage]++;
    if (m->callbacks >= 0) cnt[m->callbacks]++;
}

struct walk { bool *mark; int *stack; int n; };

static void walk_push(void *ctx, int child)
{
    struct walk *w = ctx;
    if (child >= 0 && !w->mark[child]) {
        w->mark[child] = true;
        w->stack[w->n++] = child;
    }
}

/* Mark everything reachable from what is already on the stack. */
static void walk_drain(const struct model *m, struct walk *w)
{
    while (w->n > 0)
        model_edges(m, w->stack[--w->n], walk_push, w);
}

/* Scratch arrays of m->n ints, reused by every walk (a check walks often). */
static void tmp_reserve(struct model *m)
{
    if (m->tmpcap >= m->n)
        return;
    m->tmpcap = m->n + m->n / 2 + 16;
    for (int i = 0; i < 2; i++)
        m->tmp[i] = xrealloc(m->tmp[i], (size_t)m->tmpcap * sizeof(int));
}

void model_reach_from(struct model *m, const int *from, int nfrom, bool *out)
{
    tmp_reserve(m);
    struct walk w = { out, m->tmp[0], 0 };
    for (int i = 0; i < nfrom; i++)
        walk_push(&w, from[i]);
    walk_drain(m, &w);
}

void model_reachable(struct model *m, bool *out)
{
    memset(out, 0, (size_t)m->n * sizeof *out);
    int roots[40], n = 0;
    if (m->in_main)
        for (int i = 0; i < m->nslots; i++)
            if (m->slots[i] >= 0)
                roots[n++] = m->slots[i];
    if (m->globals >= 0) roots[n++] = m->globals;
    if (m->garbage >= 0) roots[n++] = m->garbage;
    if (m->callbacks >= 0) roots[n++] = m->callbacks;
    model_reach_from(m, roots, n, out);
}

struct indeg { int *cnt; };
static void indeg_add(void *ctx, int child) { ((struct indeg *)ctx)->cnt[child]++; }

void model_indegree(const struct model *m, const bool *from, int *out)
{
    memset(out, 0, (size_t)m->n * sizeof *out);
    struct indeg d = { out };
    for (int i = 0; i < m->n; i++)
        if (!from || from[i])
            model_edges(m, i, indeg_add, &d);
}

struct rcfree { int *cnt; int *stack; int n; const struct model *m; };

static void rc_drop(void *ctx, int child)
{
    struct rcfree *r = ctx;
    if (--r->cnt[child] == 0 && !r->m->o[child].immortal)
        r->stack[r->n++] = child;
}

void model_rc_live(struct model *m, bool *out)
{
    /* Reference counting's fixed point: free whatever has no reference left,
     * drop its references, repeat. What stays is reachable from a root or a cycle. */
    tmp_reserve(m);
    struct rcfree r = { m->tmp[0], m->tmp[1], 0, m };
    model_indegree(m, NULL, r.cnt);
    model_add_root_refs(m, r.cnt);
    for (int i = 0; i < m->n; i++) {
        out[i] = true;
        if (r.cnt[i] == 0 && !m->o[i].immortal)
            r.stack[r.n++] = i;
    }
    while (r.n > 0) {
        int x = r.stack[--r.n];
        out[x] = false;
        model_edges(m, x, rc_drop, &r);
    }
}
