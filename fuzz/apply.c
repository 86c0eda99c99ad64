/* apply.c — an op that succeeded on the engine, performed on the model
 * (fz_apply): new objects get the engine id of the slot they landed in
 * (fz_put), instances an attribute __id naming their model id (fz_tag), so a
 * finalizer can say who it ran for; where the engine succeeded but the model
 * would fail, the run stops with "the engine succeeded where the model fails".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Give a new model object x the engine id of main's slot s; for a known one, check it. */
static void map_slot(struct fz *z, int s, int x)
{
    uint64_t id = 0;
    if (gclab_id(z->h, s, &id) != GCLAB_OK)
        fz_fail(z, "slot %d is empty on the engine after an op that wrote m%d (%s) there", s, x,
                kname(z->m->o[x].kind));
    if (z->m->o[x].eid == 0)
        z->m->o[x].eid = id;
    else if (z->m->o[x].eid != id)
        fz_fail(z, "the op wrote m%d (%s, engine 0x%llx) to slot %d, the engine has 0x%llx there", x,
                kname(z->m->o[x].kind), (unsigned long long)z->m->o[x].eid, s, (unsigned long long)id);
}

/* Write x into main's slot s (model) and map it. */
void fz_put(struct fz *z, int s, int x)
{
    z->m->slots[s] = x;
    map_slot(z, s, x);
}

/* Tag the instance in main's slot s with its model id (attribute __id). */
void fz_tag(struct fz *z, int s, int x)
{
    gclab_heap *h = z->h;
    char buf[32];
    snprintf(buf, sizeof buf, "m%d", x);
    if (gclab_frame_push_args(h, 2, 1, &s) != GCLAB_OK || gclab_str_intern(h, 1, buf) != GCLAB_OK ||
        gclab_attr_set(h, 0, z->n_id, 1) != GCLAB_OK)
        fz_fail(z, "cannot tag instance m%d: %s", x, gclab_error(h));
    gclab_frame_pop(h);
}

/* A new model int holding the engine's int in main's slot s. */
static void put_engine_int(struct fz *z, int s)
{
    int64_t v;
    int k = gclab_kind_of(z->h, s);
    if (gclab_int_value(z->h, s, &v) != GCLAB_OK)
        fz_fail(z, "slot %d should hold an int, holds %s", s, kname(k));
    int x = k == GCLAB_K_BOOL ? (v ? M_TRUE_ID : M_FALSE_ID) : model_int(z->m, v);
    fz_put(z, s, x);
}

/* Copy the engine's fresh result tree in main's slot s (ints, interned strs, tuples,
 * lists, dicts: what gc.get_threshold/get_count/get_stats build) into the model. */
static void import(struct fz *z, int s)
{
    gclab_heap *h = z->h;
    struct model *m = z->m;
    /* frame: 0 the result, 1 an item, 2 key, 3 value */
    if (gclab_frame_push_args(h, 4, 1, &s) != GCLAB_OK)
        fz_fail(z, "import: %s", gclab_error(h));
    int top = -1, kind = gclab_kind_of(h, 0);
    int64_t n = 0, v;
    uint64_t id;
    gclab_len(h, 0, &n);
    if (kind == GCLAB_K_TUPLE && n == 0) {
        top = model_empty_tuple(m);
    } else if (kind == GCLAB_K_TUPLE || kind == GCLAB_K_LIST) {
        top = model_add(m, kind);
        gclab_id(h, 0, &id);
        m->o[top].eid = id;
        gclab_len(h, 0, &n);
        for (int64_t i = 0; i < n; i++) {
            if (kind == GCLAB_K_TUPLE)
                gclab_tuple_get(h, 1, 0, i);
            else
                gclab_list_get(h, 1, 0, i);
            int ik = gclab_kind_of(h, 1), item;
            if (ik == GCLAB_K_INT) {
                gclab_int_value(h, 1, &v);
                item = model_int(m, v);
            } else if (ik == GCLAB_K_DICT) {
                item = model_add(m, GCLAB_K_DICT);
                size_t pos = 0;
                bool more = true;
                while (gclab_dict_next(h, 1, &pos, 2, 3, &more) == GCLAB_OK && more) {
                    const char *ks;
                    size_t kl;
                    if (gclab_str_value(h, 2, &ks, &kl) != GCLAB_OK || gclab_int_value(h, 3, &v) != GCLAB_OK)
                        fz_fail(z, "import: a gc.* dict holds something but str: int");
                    int key = model_str(m, ks, kl, true), val = model_int(m, v);
                    gclab_id(h, 2, &id);
                    m->o[key].eid = id;
                    gclab_id(h, 3, &id);
                    m->o[val].eid = id;
                    model_push(m, item, key);
                    model_push(m, item, val);
                }
            } else {
                fz_fail(z, "import: unexpected %s in a gc.* result", kname(ik));
            }
            gclab_id(h, 1, &id);
            m->o[item].eid = id;
            model_push(m, top, item);
        }
    } else {
        fz_fail(z, "import: unexpected %s as a gc.* result", kname(kind));
    }
    gclab_frame_pop(h);
    m->slots[s] = top;
}


/* Normalize a Python index; false if out of range (the engine said OK, so the model disagrees). */
static bool norm(int64_t *i, int64_t len)
{
    if (*i < 0)
        *i += len;
    return *i >= 0 && *i < len;
}

#define MODEL_DISAGREES(...) fz_fail(z, "the engine succeeded where the model fails: " __VA_ARGS__)

/* Whether class cls has a __del__ whose runs the harness sees (rec, res, mkcyc, mkwr;
 * another helper runs unseen, or fails on its argument count). */
static bool del_is_rec(const struct model *m, int cls)
{
    return del_seen(del_helper(m, cls));
}

static void apply_call(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int callee = m->slots[op->b], args[OPS_MAX_ARGS];
    for (int i = 0; i < op->d; i++)
        args[i] = m->slots[op->c + i];
    struct m_obj *c = &m->o[callee];
    int res = M_NONE_ID;
    if (c->kind == GCLAB_K_FUNC) {
        switch (c->aux) {
        case FZ_F_REC: break;
        case FZ_F_INIT: {
            int x = args[0], at = model_attr_find(m, x, z->name_mid[FZ_S_A]);
            if (m->o[x].kind != GCLAB_K_INSTANCE)
                MODEL_DISAGREES("init() on a %s", kname(m->o[x].kind));
            if (at >= 0)
                m->o[x].items[at + 1] = args[1];
            else {
                model_push(m, x, z->name_mid[FZ_S_A]);
                model_push(m, x, args[1]);
            }
            break;
        }
        case FZ_F_IDENT: res = args[0]; break;
        case FZ_F_RES: case FZ_F_MKCYC: case FZ_F_MKWR: break;   /* effects come with fin's event */
        case FZ_F_CBAL:
            /* x() first: a weakref's target, or what calling a function or class makes
             * (garbage once cbal returns: cyc()'s self-cycle, a class's new instance) */
            if (m->o[args[0]].kind == GCLAB_K_FUNC && m->o[args[0]].aux == FZ_F_CYC) {
                int l = model_add(m, GCLAB_K_LIST);
                model_push(m, l, l);
            } else if (m->o[args[0]].kind == GCLAB_K_CLASS) {
                int x = model_add(m, GCLAB_K_INSTANCE);
                m->o[x].ref = args[0];
                m->o[x].any_del = m->o[args[0]].aux >= 0;
            }
            break;
        case FZ_F_PAIR:
            res = model_add(m, GCLAB_K_LIST);
            model_push(m, res, args[0]);
            model_push(m, res, args[1]);
            break;
        case FZ_F_CYC:
            res = model_add(m, GCLAB_K_LIST);
            model_push(m, res, res);
            break;
        default: MODEL_DISAGREES("call of native function m%d", callee);
        }
        fz_put(z, op->a, res);
        return;
    }
    if (c->kind == GCLAB_K_CLASS) {
        res = model_add(m, GCLAB_K_INSTANCE);
        c = &m->o[callee];
        m->o[res].ref = callee;
        m->o[res].has_del = del_is_rec(m, callee);
        m->o[res].any_del = m->o[callee].aux >= 0;
        if (c->ref >= 0 && m->o[c->ref].aux == FZ_F_INIT)
            {
                model_push(m, res, z->name_mid[FZ_S_A]);
                model_push(m, res, args[0]);
            }
        fz_put(z, op->a, res);
        fz_tag(z, op->a, res);
        return;
    }
    if (c->kind == GCLAB_K_WEAKREF) {
        int t = c->ref;
        if (gclab_kind_of(z->h, op->a) == GCLAB_K_NONE) {
            fz_wr_seen_cleared(z, c, op->b);
            fz_put(z, op->a, M_NONE_ID);
            return;
        }
        uint64_t id = 0;
        gclab_id(z->h, op->a, &id);
        if (c->cleared || t < 0)
            fz_fail(z, "weakref m%d, known cleared, returned an object", callee);
        if (m->o[t].dead)
            fz_fail(z, "weakref m%d returned m%d, which was known freed", callee, t);
        if (id != m->o[t].eid)
            fz_fail(z, "weakref m%d returned engine object 0x%llx, not its target m%d (0x%llx)", callee,
                    (unsigned long long)id, t, (unsigned long long)m->o[t].eid);
        m->slots[op->a] = t;   /* revived: reachable again */
        return;
    }
    MODEL_DISAGREES("call of a %s", kname(c->kind));
}

/* `_a = _b % _c` for a str _b (core/ops.c str_format): the values are _c's items if it is a
 * tuple, else _c itself, and each must be used. Modelled: a format of plain text and `%%`
 * (fz_step stops before any other conversion, which no fuzz literal can spell: none holds
 * a '%'). The result is a new str, never interned, as gclab_str_new makes it. */
static void apply_str_format(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    const struct m_obj *f = &m->o[m->slots[op->b]], *v = &m->o[m->slots[op->c]];
    int64_t nvals = v->kind == GCLAB_K_TUPLE ? v->n : 1;
    char *buf = fz_xcalloc(f->len + 1, 1);
    size_t n = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->s[i] != '%') {
            buf[n++] = f->s[i];
        } else if (i + 1 < f->len && f->s[i + 1] == '%') {
            buf[n++] = '%';
            i++;
        } else {
            MODEL_DISAGREES("a %% conversion at index %zu of the format (not modelled)", i);
        }
    }
    if (nvals != 0)
        MODEL_DISAGREES("not all arguments converted (%lld values, no conversion)", (long long)nvals);
    int r = model_str(m, buf, n, false);
    free(buf);
    fz_put(z, op->a, r);
}

static void apply_arith(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    if (op->code == OP_MOD && kind_at(z, op->b) == GCLAB_K_STR) {
        apply_str_format(z, op);
        return;
    }
    if (!intlike_at(z, op->b) || !intlike_at(z, op->c)) {
        const struct m_obj *x = &m->o[m->slots[op->b]], *y = &m->o[m->slots[op->c]];
        if (op->code != OP_ADD || x->kind != GCLAB_K_STR || y->kind != GCLAB_K_STR)
            MODEL_DISAGREES("arithmetic on %s and %s", kname(x->kind), kname(y->kind));
        char *buf = fz_xcalloc(x->len + y->len + 1, 1);
        memcpy(buf, x->s, x->len);
        memcpy(buf + x->len, y->s, y->len);
        int r = model_str(m, buf, x->len + y->len, false);
        free(buf);
        fz_put(z, op->a, r);
        return;
    }
    int64_t a = ival(z, op->b), b = ival(z, op->c), r = 0;
    bool ovf = false;
    switch (op->code) {
    case OP_ADD: ovf = __builtin_add_overflow(a, b, &r); break;
    case OP_SUB: ovf = __builtin_sub_overflow(a, b, &r); break;
    case OP_MUL: ovf = __builtin_mul_overflow(a, b, &r); break;
    default:
        if (b == 0)
            MODEL_DISAGREES("division by zero");
        if (a == INT64_MIN && b == -1) {
            ovf = op->code == OP_FLOORDIV;
            r = 0;
            break;
        }
        {
            int64_t q = a / b, md = a % b;
            if (md != 0 && ((md < 0) != (b < 0))) {
                q -= 1;
                md += b;
            }
            r = op->code == OP_FLOORDIV ? q : md;
        }
    }
    if (ovf)
        MODEL_DISAGREES("integer overflow");
    fz_put(z, op->a, model_int(m, r));
}

static void apply_compare(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int x = m->slots[op->b], y = m->slots[op->c];
    bool r;
    switch (op->code) {
    case OP_EQ: r = model_equal(m, x, y); break;
    case OP_NE: r = !model_equal(m, x, y); break;
    case OP_IS: r = x == y; break;
    case OP_IS_NOT: r = x != y; break;
    default: {
        int c;
        const struct m_obj *a = &m->o[x], *b = &m->o[y];
        if (intlike_at(z, op->b) && intlike_at(z, op->c)) {
            c = a->ival < b->ival ? -1 : a->ival > b->ival;
        } else if (a->kind == GCLAB_K_STR && b->kind == GCLAB_K_STR) {
            c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
            if (c == 0)
                c = a->len < b->len ? -1 : a->len > b->len;
        } else {
            MODEL_DISAGREES("ordering of %s and %s", kname(a->kind), kname(b->kind));
        }
        r = op->code == OP_LT ? c < 0 : op->code == OP_LE ? c <= 0 : op->code == OP_GT ? c > 0 : c >= 0;
    }
    }
    fz_put(z, op->a, r ? M_TRUE_ID : M_FALSE_ID);
}

/* Container item access shared by GETITEM/SETITEM/DELITEM/POP. Returns the items index or fails. */
static int index_of(struct fz *z, int cont, int key)
{
    struct model *m = z->m;
    const struct m_obj *c = &m->o[cont];
    if (c->kind == GCLAB_K_DICT) {
        int i = model_dict_find(m, cont, key);
        if (i < 0)
            MODEL_DISAGREES("dict has no such key");
        return i;
    }
    const struct m_obj *k = &m->o[key];
    if (k->kind != GCLAB_K_INT && k->kind != GCLAB_K_BOOL)
        MODEL_DISAGREES("index is a %s", kname(k->kind));
    int64_t i = k->ival;
    if (!norm(&i, c->n))
        MODEL_DISAGREES("index %lld out of range (len %d)", (long long)k->ival, c->n);
    return (int)i;
}

/* Ops that make an object (or name a singleton) in slot a. */
static void apply_new(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int *S = m->slots, x, i;
    struct ops_str *str;
    switch ((enum ops_code)op->code) {
    case OP_NONE: fz_put(z, op->a, M_NONE_ID); break;
    case OP_BOOL: fz_put(z, op->a, op->b ? M_TRUE_ID : M_FALSE_ID); break;
    case OP_INT: fz_put(z, op->a, model_int(m, (int64_t)(((uint64_t)(uint32_t)op->c << 32) | (uint32_t)op->b))); break;
    case OP_STR:
        str = &z->p->strs[op->b];
        fz_put(z, op->a, model_str(m, str->s, str->len, strlen(str->s) == str->len));
        break;
    case OP_TUPLE:
        if (op->c == 0) {
            fz_put(z, op->a, model_empty_tuple(m));
            break;
        }
        x = model_add(m, GCLAB_K_TUPLE);
        for (i = 0; i < op->c; i++)
            model_push(m, x, S[op->b + i]);
        fz_put(z, op->a, x);
        break;
    case OP_LIST: fz_put(z, op->a, model_add(m, GCLAB_K_LIST)); break;
    case OP_DICT: fz_put(z, op->a, model_add(m, GCLAB_K_DICT)); break;
    case OP_BLOB:
        x = model_add(m, GCLAB_K_BLOB);
        m->o[x].ival = op->b;
        fz_put(z, op->a, x);
        break;
    case OP_FUNC:
        x = model_add(m, GCLAB_K_FUNC);
        m->o[x].aux = op->b;
        fz_put(z, op->a, x);
        break;
    case OP_CLASS: {
        int init = op->c >= 0 && m->o[S[op->c]].kind == GCLAB_K_FUNC ? S[op->c] : -1;
        int del = op->d >= 0 && m->o[S[op->d]].kind == GCLAB_K_FUNC ? S[op->d] : -1;
        x = model_add(m, GCLAB_K_CLASS);
        m->o[x].ref = init;
        m->o[x].aux = del;
        m->o[x].name = op->b;
        fz_put(z, op->a, x);
        break;
    }
    case OP_INSTANCE:
        x = model_add(m, GCLAB_K_INSTANCE);
        m->o[x].ref = S[op->b];
        m->o[x].has_del = del_is_rec(m, S[op->b]);
        m->o[x].any_del = m->o[S[op->b]].aux >= 0;
        fz_put(z, op->a, x);
        fz_tag(z, op->a, x);
        break;
    case OP_WEAKREF: {
        int cb = op->c >= 0 && m->o[S[op->c]].kind == GCLAB_K_FUNC ? S[op->c] : -1;
        int t = S[op->b];
        if (m->o[t].dead)
            fz_fail(z, "weakref.ref made to m%d, which was known freed", t);
        x = model_add(m, GCLAB_K_WEAKREF);
        m->o[x].ref = t;
        m->o[x].aux = cb;
        fz_put(z, op->a, x);
        break;
    }
    default:
        break;
    }
}

/* `_a = _b[_c]` for a str _b (core/ops.c op_str_index): a one-character str, the
 * interned one for a non-NUL ASCII byte (shared with the literal "x"), else a new one. */
static void apply_str_index(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    const struct m_obj *s = &m->o[m->slots[op->b]];
    if (!intlike_at(z, op->c))
        MODEL_DISAGREES("str index is a %s", kname(kind_at(z, op->c)));
    int64_t i = ival(z, op->c);
    if (!norm(&i, (int64_t)s->len))
        MODEL_DISAGREES("str index %lld out of range (len %zu)", (long long)ival(z, op->c), s->len);
    char ch = s->s[i];
    fz_put(z, op->a, model_str(m, &ch, 1, ch != 0 && (unsigned char)ch < 0x80));
}

/* Moves, globals, items and attributes: stores into the model's graph. */
static void apply_store(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int *S = m->slots, i;
    switch ((enum ops_code)op->code) {
    case OP_MOVE: fz_put(z, op->a, S[op->b]); break;
    case OP_CLEAR: S[op->a] = -1; break;
    case OP_GLOBAL_GET:
        i = model_dict_find(m, m->globals, z->name_mid[op->b]);
        if (i < 0)
            MODEL_DISAGREES("global %s is unbound", z->p->strs[op->b].s);
        fz_put(z, op->a, m->o[m->globals].items[i + 1]);
        break;
    case OP_GLOBAL_SET: model_dict_set(m, m->globals, z->name_mid[op->a], S[op->b]); break;
    case OP_GLOBAL_DEL:
        i = model_dict_find(m, m->globals, z->name_mid[op->a]);
        if (i < 0)
            MODEL_DISAGREES("global %s is unbound", z->p->strs[op->a].s);
        model_remove(m, m->globals, i);
        model_remove(m, m->globals, i);
        break;
    case OP_GETITEM:
        if (kind_at(z, op->b) == GCLAB_K_STR) {
            apply_str_index(z, op);
            break;
        }
        i = index_of(z, S[op->b], S[op->c]);
        fz_put(z, op->a, m->o[S[op->b]].items[kind_at(z, op->b) == GCLAB_K_DICT ? i + 1 : i]);
        break;
    case OP_SETITEM:
        if (kind_at(z, op->a) == GCLAB_K_DICT)
            model_dict_set(m, S[op->a], S[op->b], S[op->c]);
        else
            m->o[S[op->a]].items[index_of(z, S[op->a], S[op->b])] = S[op->c];
        break;
    case OP_DELITEM:
        i = index_of(z, S[op->a], S[op->b]);
        model_remove(m, S[op->a], i);
        if (kind_at(z, op->a) == GCLAB_K_DICT)
            model_remove(m, S[op->a], i);
        break;
    case OP_APPEND: model_push(m, S[op->a], S[op->b]); break;
    case OP_POP: {
        int cont = S[op->b], v;
        if (m->o[cont].kind == GCLAB_K_DICT) {
            i = index_of(z, cont, S[op->c]);
            v = m->o[cont].items[i + 1];
            model_remove(m, cont, i);
            model_remove(m, cont, i);
        } else {
            int64_t k = op->c >= 0 ? ival(z, op->c) : -1;
            if (!norm(&k, m->o[cont].n))
                MODEL_DISAGREES("pop index out of range");
            v = m->o[cont].items[k];
            model_remove(m, cont, (int)k);
        }
        if (op->a >= 0)
            fz_put(z, op->a, v);
        break;
    }
    case OP_DICT_GET:
        i = model_dict_find(m, S[op->b], S[op->c]);
        fz_put(z, op->a, i >= 0 ? m->o[S[op->b]].items[i + 1] : op->d >= 0 ? S[op->d] : M_NONE_ID);
        break;
    case OP_GETATTR:
        i = model_attr_find(m, S[op->b], z->name_mid[op->c]);
        if (i < 0)
            MODEL_DISAGREES("no attribute %s", z->p->strs[op->c].s);
        fz_put(z, op->a, m->o[S[op->b]].items[i + 1]);
        break;
    case OP_SETATTR:
        i = model_attr_find(m, S[op->a], z->name_mid[op->b]);
        if (i >= 0) {
            m->o[S[op->a]].items[i + 1] = S[op->c];
        } else {
            model_push(m, S[op->a], z->name_mid[op->b]);
            model_push(m, S[op->a], S[op->c]);
        }
        break;
    case OP_DELATTR:
        i = model_attr_find(m, S[op->a], z->name_mid[op->b]);
        if (i < 0)
            MODEL_DISAGREES("no attribute %s to delete", z->p->strs[op->b].s);
        model_remove(m, S[op->a], i);
        model_remove(m, S[op->a], i);
        break;
    default:
        break;
    }
}

/* gc.* ops: results imported from the engine, or only noted for the checks. */
static void apply_gc(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int *S = m->slots;
    switch ((enum ops_code)op->code) {
    case OP_GC_COLLECT: {
        int64_t gen = op->b >= 0 ? ival(z, op->b) : 2;
        z->full = gen == 2;
        z->old_dst = op->a >= 0 ? S[op->a] : -1;
        if (op->a >= 0)
            put_engine_int(z, op->a);
        break;
    }
    case OP_GC_GET_THRESHOLD: case OP_GC_GET_COUNT: case OP_GC_GET_STATS: import(z, op->a); map_slot(z, op->a, S[op->a]); break;
    case OP_GC_GET_OBJECTS: S[op->a] = model_add(m, M_OPAQUE); break;
    case OP_GC_GARBAGE: fz_put(z, op->a, m->garbage); break;
    case OP_GC_CALLBACKS: fz_put(z, op->a, m->callbacks); break;
    case OP_GC_FREEZE: z->frozen = true; break;
    case OP_GC_UNFREEZE: z->frozen = false; break;
    default:
        break;
    }
}

void fz_apply(struct fz *z, const struct ops_op *op)
{
    struct model *m = z->m;
    int *S = m->slots;
    switch ((enum ops_code)op->code) {
    case OP_NOP: case OP_PRINT: case OP_ASSERT: case OP_JUMP: case OP_JUMP_IF_FALSE: case OP_JUMP_IF_TRUE:
    case OP_GC_ENABLE: case OP_GC_DISABLE: case OP_GC_SET_THRESHOLD: case OP_GC_SET_DEBUG: case OP_RETURN:
    case OP_CALL_METHOD: case OP_IN: case OP_NOT_IN: case OP_FOR_ITER: case OP_PRINT_EX:
    case OP_STR_OF: case OP_REPR: case OP_HASATTR: case OP_ISINSTANCE: case OP_IS_KIND: case OP_UNPACK: case OP_TRACKED_HEAP_SIZE:
    case OP_KWNAMES: case OP_SLICE: case OP_DELSLICE:
    case OP_GC_GET_DEBUG: case OP_GC_IS_TRACKED: case OP_GC_IS_FINALIZED: case OP_GC_REFERENTS: case OP_GC_REFERRERS:
    case OP_TYPE_OF: case OP_TYPE_IS: case OP_TYPE_NAME: case OP_CLASS_BASE:
    case OP_TRY: case OP_TRY_ELSE: case OP_EXCEPT: case OP_EXC_END: case OP_FINALLY: case OP_RERAISE: case OP_RAISE:
        /* compiler-only (ops.h, OPS_FUZZ_COUNT): decode.c never draws them */
    case OP_COUNT:
        break;
    case OP_NONE: case OP_BOOL: case OP_INT: case OP_STR: case OP_TUPLE: case OP_LIST: case OP_DICT:
    case OP_BLOB: case OP_FUNC: case OP_CLASS: case OP_INSTANCE: case OP_WEAKREF:
        apply_new(z, op);
        break;
    case OP_MOVE: case OP_CLEAR: case OP_GLOBAL_GET: case OP_GLOBAL_SET: case OP_GLOBAL_DEL: case OP_GETITEM:
    case OP_SETITEM: case OP_DELITEM: case OP_APPEND: case OP_POP: case OP_DICT_GET: case OP_GETATTR:
    case OP_SETATTR: case OP_DELATTR:
        apply_store(z, op);
        break;
    case OP_CALL: apply_call(z, op); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_FLOORDIV: case OP_MOD: apply_arith(z, op); break;
    case OP_NEG: fz_put(z, op->a, model_int(m, -ival(z, op->b))); break;
    case OP_NOT: fz_put(z, op->a, model_truth(m, S[op->b]) ? M_FALSE_ID : M_TRUE_ID); break;
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_IS: case OP_IS_NOT:
        apply_compare(z, op);
        break;
    case OP_FOR_RANGE: {
        int64_t cur = ival(z, op->b), stop = ival(z, op->b + 1), step = ival(z, op->b + 2), next;
        if (step > 0 ? cur >= stop : cur <= stop)
            break;
        if (__builtin_add_overflow(cur, step, &next))
            next = stop;
        if (op->a != op->b)    /* the same slot (no compiled loop does it): next wins */
            fz_put(z, op->a, model_int(m, cur));
        fz_put(z, op->b, model_int(m, next));
        break;
    }
    case OP_LEN:
        if (kind_at(z, op->b) == M_OPAQUE)
            put_engine_int(z, op->a);
        else
            fz_put(z, op->a, model_int(m, model_len(m, S[op->b])));
        break;
    case OP_ID: case OP_REFCOUNT: case OP_GC_GET_FREEZE_COUNT: case OP_GC_ISENABLED:
        put_engine_int(z, op->a);
        break;
    case OP_GC_COLLECT: case OP_GC_GET_THRESHOLD: case OP_GC_GET_COUNT: case OP_GC_GET_STATS:
    case OP_GC_GET_OBJECTS: case OP_GC_GARBAGE: case OP_GC_CALLBACKS: case OP_GC_FREEZE: case OP_GC_UNFREEZE:
        apply_gc(z, op);
        break;
    }
}
