/* repr.c — str() and repr() of heap values (see repr.h): CPython 3.11's
 * spellings, an explicit stack of shadow-stack frames for nested
 * containers, an id set for containers inside themselves. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repr.h"

/* ---- the text buffer ---- */

bool repr_put(struct repr_buf *rt, const char *s, size_t n)
{
    if (rt->len + n + 1 > rt->cap) {
        size_t cap = rt->cap ? rt->cap : 256;
        while (cap < rt->len + n + 1)
            cap *= 2;
        char *b = realloc(rt->s, cap);
        if (!b)
            return false;
        rt->s = b;
        rt->cap = cap;
    }
    memcpy(rt->s + rt->len, s, n);
    rt->len += n;
    return true;
}

static bool buf_printf(struct repr_buf *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool buf_printf(struct repr_buf *rt, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return n >= 0 && repr_put(rt, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* CPython's str repr: single quotes unless the text has ' and no ". */
static bool buf_str_repr(struct repr_buf *rt, const char *s, size_t n)
{
    bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
    char q = sq && !dq ? '"' : '\'';
    bool ok = repr_put(rt, &q, 1);
    for (size_t i = 0; i < n && ok; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') ok = repr_put(rt, "\\\\", 2);
        else if (c == (unsigned char)q) { char e[2] = { '\\', q }; ok = repr_put(rt, e, 2); }
        else if (c == '\n') ok = repr_put(rt, "\\n", 2);
        else if (c == '\t') ok = repr_put(rt, "\\t", 2);
        else if (c == '\r') ok = repr_put(rt, "\\r", 2);
        else if (c < 0x20 || c == 0x7f) ok = buf_printf(rt, "\\x%02x", c);
        else ok = repr_put(rt, (const char *)&c, 1);
    }
    return ok && repr_put(rt, &q, 1);
}

/* ---- PRINT: repr of nested containers with an explicit stack ---- */

/* Ids of the containers being printed, so a container inside itself prints
 * as [...] (CPython's Py_ReprEnter). Open addressing, backward-shift delete. */
struct idset { uint64_t *t; size_t cap, n; };

static size_t idset_slot(const struct idset *s, uint64_t id)
{
    uint64_t x = id * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 20) & (s->cap - 1);
}

static bool idset_has(const struct idset *s, uint64_t id)
{
    if (!s->cap)
        return false;
    for (size_t i = idset_slot(s, id);; i = (i + 1) & (s->cap - 1)) {
        if (s->t[i] == 0)
            return false;
        if (s->t[i] == id)
            return true;
    }
}

static bool idset_add(struct idset *s, uint64_t id)
{
    if ((s->n + 1) * 2 > s->cap) {
        struct idset ns = { calloc(s->cap ? s->cap * 2 : 64, sizeof(uint64_t)), s->cap ? s->cap * 2 : 64, 0 };
        if (!ns.t)
            return false;
        for (size_t i = 0; i < s->cap; i++)
            if (s->t[i])
                idset_add(&ns, s->t[i]);
        free(s->t);
        *s = ns;
    }
    size_t i = idset_slot(s, id);
    while (s->t[i])
        i = (i + 1) & (s->cap - 1);
    s->t[i] = id;
    s->n++;
    return true;
}

static void idset_del(struct idset *s, uint64_t id)
{
    size_t i = idset_slot(s, id);
    while (s->t[i] != id)
        i = (i + 1) & (s->cap - 1);
    s->t[i] = 0;
    s->n--;
    for (size_t j = (i + 1) & (s->cap - 1); s->t[j]; j = (j + 1) & (s->cap - 1)) {
        size_t home = idset_slot(s, s->t[j]);
        /* Move t[j] back to the hole unless its home lies cyclically in (i, j]. */
        bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            s->t[i] = s->t[j];
            s->t[j] = 0;
            i = j;
        }
    }
}

struct pframe { size_t pos; uint64_t id; int kind; };

/* The containers being printed live in shadow-stack frames, one per level
 * (slot PR_CONT the container, then scratch), not in a heap object: PRINT
 * allocates nothing on the heap, so it never moves a collector's counts
 * (CPython's repr allocates no tracked object either), and it does not
 * recurse in C. Nesting deeper than the frame limit is a RecursionError, as
 * CPython's repr of a too-deep list is. */
enum { PR_CONT, PR_ITEM, PR_KEY, PR_TMP, PR_NSLOTS };

struct printer {
    gclab_heap *h;
    struct repr_buf *rt;
    int top_tmp;            /* the scratch slot of the first frame (the args' frame) */
    struct pframe *fr;
    size_t nfr, capfr;
    struct idset ids;
};

static int pr_tmp(const struct printer *pr) { return pr->nfr ? PR_TMP : pr->top_tmp; }

/* Print the scalar in slot, or open the container in it (a new frame). */
static gclab_status pr_value(struct printer *pr, int slot, bool top_level)
{
    gclab_heap *h = pr->h;
    struct repr_buf *rt = pr->rt;
    int kind = gclab_kind_of(h, slot);
    uint64_t id = 0;
    int64_t v;
    const char *s;
    size_t n;
    bool ok = true;
    gclab_status st;
    switch (kind) {
    case GCLAB_K_NONE: ok = repr_put(rt, "None", 4); break;
    case GCLAB_K_BOOL:
        gclab_int_value(h, slot, &v);
        ok = v ? repr_put(rt, "True", 4) : repr_put(rt, "False", 5);
        break;
    case GCLAB_K_INT:
        gclab_int_value(h, slot, &v);
        ok = buf_printf(rt, "%lld", (long long)v);
        break;
    case GCLAB_K_STR:
        gclab_str_value(h, slot, &s, &n);
        ok = top_level ? repr_put(rt, s, n) : buf_str_repr(rt, s, n);
        break;
    case GCLAB_K_LIST: case GCLAB_K_TUPLE: case GCLAB_K_DICT: {
        const char *open = kind == GCLAB_K_LIST ? "[" : kind == GCLAB_K_TUPLE ? "(" : "{";
        gclab_id(h, slot, &id);
        if (idset_has(&pr->ids, id)) {
            ok = repr_put(rt, open, 1) && repr_put(rt, "...", 3) &&
                 repr_put(rt, kind == GCLAB_K_LIST ? "]" : kind == GCLAB_K_TUPLE ? ")" : "}", 1);
            break;
        }
        if (pr->nfr == pr->capfr) {
            size_t cap = pr->capfr ? pr->capfr * 2 : 16;
            struct pframe *f = realloc(pr->fr, cap * sizeof *f);
            if (!f)
                return gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
            pr->fr = f;
            pr->capfr = cap;
        }
        if ((st = gclab_frame_push_args(h, PR_NSLOTS, 1, &slot)) != GCLAB_OK) {
            if (st == GCLAB_ERECURSION)
                gclab_raise(h, st, "maximum recursion depth exceeded while getting the repr of an object");
            return st;
        }
        if (!idset_add(&pr->ids, id)) {
            gclab_frame_pop(h);
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
        }
        pr->fr[pr->nfr++] = (struct pframe){ 0, id, kind };
        ok = repr_put(rt, open, 1);
        break;
    }
    case GCLAB_K_INSTANCE:
        gclab_id(h, slot, &id);
        ok = buf_printf(rt, "<__main__.%.60s object at 0x%llx>", gclab_type_name(h, slot),
                        (unsigned long long)id);
        break;
    case GCLAB_K_WEAKREF:
        gclab_id(h, slot, &id);
        ok = buf_printf(rt, "<weakref at 0x%llx; ", (unsigned long long)id);
        if ((st = gclab_weakref_get(h, pr_tmp(pr), slot)) != GCLAB_OK)
            return st;
        if (gclab_kind_of(h, pr_tmp(pr)) == GCLAB_K_NONE) {
            ok = ok && repr_put(rt, "dead>", 5);
        } else {
            gclab_id(h, pr_tmp(pr), &id);
            ok = ok && buf_printf(rt, "to '%.60s' at 0x%llx>", gclab_type_name(h, pr_tmp(pr)),
                                  (unsigned long long)id);
        }
        gclab_none(h, pr_tmp(pr));
        break;
    default:
        gclab_id(h, slot, &id);
        ok = buf_printf(rt, "<%s object at 0x%llx>", gclab_type_name(h, slot), (unsigned long long)id);
        break;
    }
    return ok ? GCLAB_OK : gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
}

/* Continue the innermost open container: print its next element, or close it. */
static gclab_status pr_step(struct printer *pr)
{
    gclab_heap *h = pr->h;
    struct repr_buf *rt = pr->rt;
    struct pframe *f = &pr->fr[pr->nfr - 1];
    gclab_status st;
    int64_t len = 0;
    bool more = false;
    if (f->kind == GCLAB_K_DICT) {
        size_t before = f->pos;
        if ((st = gclab_dict_next(h, PR_CONT, &f->pos, PR_KEY, PR_ITEM, &more)) != GCLAB_OK)
            return st;
        if (more) {
            bool ok = before == 0 || repr_put(rt, ", ", 2);
            /* Keys are hashable, so never containers here: pr_value will not push. */
            int kk = gclab_kind_of(h, PR_KEY);
            if (kk == GCLAB_K_LIST || kk == GCLAB_K_DICT || kk == GCLAB_K_TUPLE)
                ok = ok && repr_put(rt, "<key>", 5);
            else if ((st = pr_value(pr, PR_KEY, false)) != GCLAB_OK)
                return st;
            if (!ok || !repr_put(rt, ": ", 2))
                return gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
            return pr_value(pr, PR_ITEM, false);
        }
    } else {
        gclab_len(h, PR_CONT, &len);
        if ((int64_t)f->pos < len) {
            size_t i = f->pos++;
            st = f->kind == GCLAB_K_LIST ? gclab_list_get(h, PR_ITEM, PR_CONT, (int64_t)i)
                                         : gclab_tuple_get(h, PR_ITEM, PR_CONT, (int64_t)i);
            if (st != GCLAB_OK)
                return st;
            if (i > 0 && !repr_put(rt, ", ", 2))
                return gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
            return pr_value(pr, PR_ITEM, false);
        }
    }
    /* Close it. */
    const char *close = f->kind == GCLAB_K_LIST ? "]" : f->kind == GCLAB_K_DICT ? "}" : len == 1 ? ",)" : ")";
    idset_del(&pr->ids, f->id);
    pr->nfr--;
    if (!repr_put(rt, close, strlen(close)))
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory printing");
    /* The container is still held by its parent (or an argument): the pop frees nothing. */
    return gclab_frame_pop(h);
}

/* CPython 3.11's Py_ReprEnter, on its first use (the repr of a dict, or of
 * a non-empty list or tuple: list_repr and tuplerepr return "[]" and "()"
 * before it, dict_repr only after it), makes the thread
 * state's dict and, in it under "Py_Repr", the list of containers being
 * printed: two objects kept for good (GCLAB_IROOT_TSTATE_DICT). Made where
 * the interpreter is modelled (gclab_stdout_mode), before the walk, so a
 * collection they trigger sees the heap as CPython's would. */
static gclab_status repr_enter_state(gclab_heap *h, int slot)
{
    int kind = gclab_kind_of(h, slot);
    int64_t len = 0;
    if (gclab_stdout_mode(h) == GCLAB_STDOUT_UNMODELLED || gclab_iroot_has(h, GCLAB_IROOT_TSTATE_DICT) ||
        (kind != GCLAB_K_LIST && kind != GCLAB_K_TUPLE && kind != GCLAB_K_DICT) ||
        (kind != GCLAB_K_DICT && (gclab_len(h, slot, &len) != GCLAB_OK || len == 0)))
        return GCLAB_OK;
    gclab_status st = gclab_frame_push(h, 3);
    if (st != GCLAB_OK)
        return st;
    if ((st = gclab_dict_new(h, 0)) == GCLAB_OK && (st = gclab_list_new(h, 1)) == GCLAB_OK &&
        (st = gclab_str_new(h, 2, "Py_Repr", 7)) == GCLAB_OK && (st = gclab_dict_set(h, 0, 2, 1)) == GCLAB_OK)
        st = gclab_iroot_set(h, GCLAB_IROOT_TSTATE_DICT, 0);
    gclab_status pst = gclab_frame_pop(h);
    return st != GCLAB_OK ? st : pst;
}

gclab_status repr_append(gclab_heap *h, struct repr_buf *b, int slot, bool as_str)
{
    /* Frame: the value, then one scratch slot. */
    int depth = gclab_frame_depth(h);
    gclab_status st = gclab_frame_push_args(h, 2, 1, &slot);
    if (st != GCLAB_OK)
        return st;
    if ((st = repr_enter_state(h, 0)) != GCLAB_OK) {
        gclab_frame_pop(h);
        return st;
    }
    struct printer pr = { h, b, 1, NULL, 0, 0, { NULL, 0, 0 } };
    st = pr_value(&pr, 0, as_str);
    while (st == GCLAB_OK && pr.nfr > 0)
        st = pr_step(&pr);
    free(pr.fr);
    free(pr.ids.t);
    /* On an error, the frames of open containers are still pushed. */
    while (gclab_frame_depth(h) > depth)
        gclab_frame_pop(h);
    return st;
}
