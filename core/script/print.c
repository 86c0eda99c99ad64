/* print.c — ops back to a heap script.
 *
 * Every slot is written `_N`, which the compiler pins to slot N (compile.c),
 * and every op but the jumps is one statement whose only ops are that op:
 * `_3 = _1 + _2` is ADD 3,1,2. Function bodies are printed as nested
 * `def _N(_0, _1):` at their FUNC op, CLASS as `type('C', (), {...})`,
 * INSTANCE as `object.__new__(_N)`, BLOB as `bytearray(N)`.
 *
 * Jumps are turned back into the structures the compiler makes them from:
 *   loop      a backward JUMP at j to t: the ops t..j are `while True:`, or
 *             `for _v in range(_k, _k+1, _k+2):` if op t is FOR_RANGE
 *             whose exit is j+1; inside, a jump to j+1 is `break` and one to
 *             t is `continue` (conditional ones: `if not _c: break`)
 *   if        a conditional jump forward to L within the block: the ops up to
 *             L are the body; if the body ends with a JUMP forward to L2
 *             (not a break), L..L2 is the `else:` block
 * A program with any other jump shape (a fuzzer's, say) is refused with a
 * message: it has no spelling in the subset.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#define PRINT_MAX_DEPTH 90   /* nested blocks; below the parser's limit, so the output parses */

struct out { char *s; size_t n, cap; bool oom; };

struct pr {
    const struct ops_program *p;
    struct out o;
    char *err;
    size_t errlen;
    bool failed;
    bool *printed;          /* per function: its def was written */
    bool testinternal;      /* `import _testinternalcapi` written */
};

struct ploop { int top, end; };

static void put(struct pr *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct pr *pr, const char *fmt, ...)
{
    if (pr->o.oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = pr->o.cap - pr->o.n;
        int n = vsnprintf(pr->o.s ? pr->o.s + pr->o.n : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            pr->o.oom = true;
            return;
        }
        if ((size_t)n < room) {
            pr->o.n += (size_t)n;
            return;
        }
        size_t cap = pr->o.cap ? pr->o.cap * 2 : 4096;
        while (cap - pr->o.n <= (size_t)n)
            cap *= 2;
        char *s = realloc(pr->o.s, cap);
        if (!s) {
            pr->o.oom = true;
            return;
        }
        pr->o.s = s;
        pr->o.cap = cap;
    }
}

static void fail(struct pr *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct pr *pr, const char *fmt, ...)
{
    if (pr->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pr->err, pr->errlen, fmt, ap);
    va_end(ap);
    pr->failed = true;
}

static void indent(struct pr *pr, int depth)
{
    for (int i = 0; i < depth; i++)
        put(pr, "    ");
}

static const char *const reserved[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
    "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    "print", "len", "id", "range", "type", "object", "bytearray", "list", "dict", "tuple", "gc", "sys",
    "weakref", NULL,
};

/* A global or attribute name the compiler reads back as that name. */
static const char *name_of(struct pr *pr, int i, bool global)
{
    const struct ops_str *s = &pr->p->strs[i];
    bool ok = s->len > 0 && !(s->s[0] >= '0' && s->s[0] <= '9') && strlen(s->s) == s->len;
    for (size_t k = 0; k < s->len && ok; k++) {
        char c = s->s[k];
        ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    for (const char *const *r = reserved; *r && ok; r++)
        if ((global || r - reserved < 35) && strcmp(*r, s->s) == 0)
            ok = false;
    if (ok && global && s->s[0] == '_' && s->len > 1) {
        bool digits = true;
        for (size_t k = 1; k < s->len; k++)
            digits &= s->s[k] >= '0' && s->s[k] <= '9';
        ok = !digits;   /* `_N` would read back as a slot */
    }
    if (!ok)
        fail(pr, "name '%.40s' cannot be written in a script", s->s);
    return s->s;
}

static void put_str(struct pr *pr, int i)
{
    const struct ops_str *s = &pr->p->strs[i];
    put(pr, "'");
    for (size_t k = 0; k < s->len; k++) {
        unsigned char c = (unsigned char)s->s[k];
        if (c == '\\') put(pr, "\\\\");
        else if (c == '\'') put(pr, "\\'");
        else if (c == '\n') put(pr, "\\n");
        else if (c == '\t') put(pr, "\\t");
        else if (c == '\r') put(pr, "\\r");
        else if (c == 0) put(pr, "\\0");
        else if (c < 0x20 || c == 0x7f) put(pr, "\\x%02x", c);
        else if (c >= 0x80) fail(pr, "string with non-ASCII byte 0x%02x cannot be written", c);
        else put(pr, "%c", c);
    }
    put(pr, "'");
}

static void put_range(struct pr *pr, int first, int n)
{
    for (int i = 0; i < n; i++)
        put(pr, "%s_%d", i ? ", " : "", first + i);
}

static void print_block(struct pr *pr, int fi, int start, int end, int depth, const struct ploop *loop);

static void print_def(struct pr *pr, int fi, int dst, int depth)
{
    const struct ops_func *f = &pr->p->funcs[fi];
    if (pr->printed[fi]) {
        fail(pr, "function %d is created by more than one FUNC op", fi);
        return;
    }
    pr->printed[fi] = true;
    indent(pr, depth);
    put(pr, "def _%d(", dst);
    if (!f->params) {
        put_range(pr, 0, f->nargs);
    } else {
        /* names as given (a keyword call binds by them); the body still says _N */
        int fixed = f->nargs - (f->varargs ? 1 : 0), first_default = fixed - f->ndefaults;
        for (int i = 0; i < f->nargs; i++) {
            const char *n = f->params[i];
            int pin = n[0] == '_' ? atoi(n + 1) : -1;
            bool ok = n[0] && !(n[0] >= '0' && n[0] <= '9');
            for (const char *c = n; *c && ok; c++)
                ok = *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
            for (const char *const *r = reserved; *r && ok; r++)
                ok = strcmp(*r, n) != 0;
            if (!ok || (n[0] == '_' && n[1] >= '0' && n[1] <= '9' && pin != i))
                fail(pr, "parameter name '%.40s' cannot be written in a script", n);
            put(pr, "%s%s%s", i ? ", " : "", i == fixed ? "*" : "", n);
            if (i >= first_default && i < fixed) {
                const struct ops_const *k = &f->defaults[i - first_default];
                if (k->kind == GCLAB_K_NONE) put(pr, "=None");
                else if (k->kind == GCLAB_K_BOOL) put(pr, "=%s", k->v ? "True" : "False");
                else if (k->kind == GCLAB_K_INT) put(pr, "=%lld", (long long)k->v);
                else { put(pr, "="); put_str(pr, (int)k->v); }
            }
        }
    }
    put(pr, "):\n");
    /* globals this function binds */
    bool any = false;
    for (int pc = 0; pc < f->nops; pc++) {
        const struct ops_op *op = &f->ops[pc];
        if (op->code != OP_GLOBAL_SET && op->code != OP_GLOBAL_DEL)
            continue;
        bool seen = false;
        for (int q = 0; q < pc && !seen; q++)
            seen = (f->ops[q].code == OP_GLOBAL_SET || f->ops[q].code == OP_GLOBAL_DEL) && f->ops[q].a == op->a;
        if (seen)
            continue;
        if (!any)
            indent(pr, depth + 1);
        put(pr, "%s%s", any ? ", " : "global ", name_of(pr, op->a, true));
        any = true;
    }
    if (any)
        put(pr, "\n");
    int end = f->nops;
    if (end > 0 && f->ops[end - 1].code == OP_RETURN && f->ops[end - 1].a == -1)
        end--;   /* the compiler adds it back */
    print_block(pr, fi, 0, end, depth + 1, NULL);
}

/* A call's arguments: the last ones named by KWNAMES string kw (-1: none). */
static void put_args(struct pr *pr, int first, int n, int kw)
{
    const char *names = kw >= 0 ? pr->p->strs[kw].s : "";
    int nkw = *names ? 1 : 0;
    for (const char *c = names; *c; c++)
        nkw += *c == ',';
    if (nkw > n) {
        fail(pr, "KWNAMES names more keywords than the call has arguments");
        return;
    }
    for (int i = 0; i < n; i++) {
        put(pr, "%s", i ? ", " : "");
        if (i >= n - nkw) {
            const char *c = strchr(names, ',');
            size_t len = c ? (size_t)(c - names) : strlen(names);
            put(pr, "%.*s=", (int)len, names);
            names += len + (c ? 1 : 0);
        }
        put(pr, "_%d", first + i);
    }
}

/* One op as one statement; kw is the KWNAMES before a call (-1: none). */
static void print_op(struct pr *pr, int fi, const struct ops_op *op, int depth, int kw)
{
    static const char *const binop[] = { [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*",
                                         [OP_FLOORDIV] = "//", [OP_MOD] = "%", [OP_EQ] = "==",
                                         [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">",
                                         [OP_GE] = ">=", [OP_IS] = "is", [OP_IS_NOT] = "is not" };
    int a = op->a, b = op->b, c = op->c, d = op->d;
    if (op->code == OP_NOP)
        return;
    if (op->code == OP_FUNC) {
        print_def(pr, b, a, depth);
        return;
    }
    indent(pr, depth);
    switch ((enum ops_code)op->code) {
    case OP_NONE: put(pr, "_%d = None", a); break;
    case OP_BOOL: put(pr, "_%d = %s", a, b ? "True" : "False"); break;
    case OP_INT: {
        int64_t v = (int64_t)(((uint64_t)(uint32_t)c << 32) | (uint32_t)b);
        put(pr, "_%d = %lld", a, (long long)v);
        break;
    }
    case OP_STR: put(pr, "_%d = ", a); put_str(pr, b); break;
    case OP_TUPLE:
        put(pr, "_%d = (", a);
        put_range(pr, b, c);
        put(pr, c == 1 ? ",)" : ")");
        break;
    case OP_LIST: put(pr, "_%d = []", a); break;
    case OP_DICT: put(pr, "_%d = {}", a); break;
    case OP_BLOB: put(pr, "_%d = bytearray(%d)", a, b); break;
    case OP_CLASS:
        put(pr, "_%d = type(", a);
        put_str(pr, b);
        name_of(pr, b, false);
        put(pr, ", (), {");
        if (c >= 0)
            put(pr, "'__init__': _%d", c);
        if (d >= 0)
            put(pr, "%s'__del__': _%d", c >= 0 ? ", " : "", d);
        put(pr, "})");
        break;
    case OP_INSTANCE: put(pr, "_%d = object.__new__(_%d)", a, b); break;
    case OP_WEAKREF:
        if (c >= 0)
            put(pr, "_%d = weakref.ref(_%d, _%d)", a, b, c);
        else
            put(pr, "_%d = weakref.ref(_%d)", a, b);
        break;
    case OP_MOVE: put(pr, "_%d = _%d", a, b); break;
    case OP_CLEAR: put(pr, "del _%d", a); break;
    case OP_GLOBAL_GET: put(pr, "_%d = %s", a, name_of(pr, b, true)); break;
    case OP_GLOBAL_SET: put(pr, "%s = _%d", name_of(pr, a, true), b); break;
    case OP_GLOBAL_DEL: put(pr, "del %s", name_of(pr, a, true)); break;
    case OP_GETITEM: put(pr, "_%d = _%d[_%d]", a, b, c); break;
    case OP_SETITEM: put(pr, "_%d[_%d] = _%d", a, b, c); break;
    case OP_DELITEM: put(pr, "del _%d[_%d]", a, b); break;
    case OP_APPEND: put(pr, "_%d.append(_%d)", a, b); break;
    case OP_POP:
        if (a >= 0)
            put(pr, "_%d = ", a);
        if (c >= 0)
            put(pr, "_%d.pop(_%d)", b, c);
        else
            put(pr, "_%d.pop()", b);
        break;
    case OP_DICT_GET:
        if (d >= 0)
            put(pr, "_%d = _%d.get(_%d, _%d)", a, b, c, d);
        else
            put(pr, "_%d = _%d.get(_%d)", a, b, c);
        break;
    case OP_GETATTR: put(pr, "_%d = _%d.%s", a, b, name_of(pr, c, false)); break;
    case OP_SETATTR: put(pr, "_%d.%s = _%d", a, name_of(pr, b, false), c); break;
    case OP_DELATTR: put(pr, "del _%d.%s", a, name_of(pr, b, false)); break;
    case OP_CALL:
        if (a >= 0)
            put(pr, "_%d = ", a);
        put(pr, "_%d(", b);
        put_args(pr, c, d, kw);
        put(pr, ")");
        break;
    case OP_PRINT_EX:
        put(pr, "print(");
        put_range(pr, a, b);
        if (c >= 0)
            put(pr, "%ssep=_%d", b ? ", " : "", c);
        if (d >= 0)
            put(pr, "%send=_%d", b || c >= 0 ? ", " : "", d);
        put(pr, ")");
        break;
    case OP_IN: put(pr, "_%d = _%d in _%d", a, b, c); break;
    case OP_SLICE: put(pr, "_%d = _%d[_%d:_%d:_%d]", a, b, c, c + 1, c + 2); break;
    case OP_DELSLICE: put(pr, "del _%d[_%d:_%d:_%d]", a, b, b + 1, b + 2); break;
    case OP_STR_OF: put(pr, "_%d = str(_%d)", a, b); break;
    case OP_REPR: put(pr, "_%d = repr(_%d)", a, b); break;
    case OP_HASATTR: put(pr, "_%d = hasattr(_%d, '%s')", a, b, name_of(pr, c, false)); break;
    case OP_ISINSTANCE: put(pr, "_%d = isinstance(_%d, _%d)", a, b, c); break;
    case OP_IS_KIND: {
        static const char *const tn[GCLAB_K_COUNT] = { NULL, "bool", "int", "str", "tuple", "list", "dict" };
        if (c >= GCLAB_K_COUNT || !tn[c])
            fail(pr, "IS_KIND of kind %d has no spelling", c);
        else
            put(pr, "_%d = isinstance(_%d, %s)", a, b, tn[c]);
        break;
    }
    case OP_UNPACK:
        put_range(pr, b, c);
        put(pr, "%s = _%d", c == 1 ? "," : "", a);
        break;
    case OP_NOT_IN: put(pr, "_%d = _%d not in _%d", a, b, c); break;
    case OP_CALL_METHOD: {
        /* the compiler reads `_k.m(_{k+1}, ...)` as CALL_METHOD over slots k-1.. */
        const char *m = name_of(pr, b, false);
        if (strcmp(m, "append") == 0 || strcmp(m, "pop") == 0 || strcmp(m, "get") == 0)
            fail(pr, "CALL_METHOD of '%s' has no spelling (it reads back as the list or dict method)", m);
        if (a >= 0)
            put(pr, "_%d = ", a);
        put(pr, "_%d.%s(", c + 1, m);
        put_args(pr, c + 2, d - 2, kw);
        put(pr, ")");
        break;
    }
    case OP_RETURN:
        if (fi == 0)
            fail(pr, "RETURN in the module has no spelling");
        if (a >= 0)
            put(pr, "return _%d", a);
        else
            put(pr, "return");
        break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_FLOORDIV: case OP_MOD:
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_IS: case OP_IS_NOT:
        put(pr, "_%d = _%d %s _%d", a, b, binop[op->code], c);
        break;
    case OP_NEG: put(pr, "_%d = -_%d", a, b); break;
    case OP_NOT: put(pr, "_%d = not _%d", a, b); break;
    case OP_LEN: put(pr, "_%d = len(_%d)", a, b); break;
    case OP_ID: put(pr, "_%d = id(_%d)", a, b); break;
    case OP_REFCOUNT: put(pr, "_%d = sys.getrefcount(_%d)", a, b); break;
    case OP_PRINT: put(pr, "print("); put_range(pr, a, b); put(pr, ")"); break;
    case OP_ASSERT:
        if (b >= 0)
            put(pr, "assert _%d, _%d", a, b);
        else
            put(pr, "assert _%d", a);
        break;
    case OP_GC_COLLECT:
        if (a >= 0)
            put(pr, "_%d = ", a);
        if (b >= 0)
            put(pr, "gc.collect(_%d)", b);
        else
            put(pr, "gc.collect()");
        break;
    case OP_GC_ENABLE: put(pr, "gc.enable()"); break;
    case OP_GC_DISABLE: put(pr, "gc.disable()"); break;
    case OP_GC_ISENABLED: put(pr, "_%d = gc.isenabled()", a); break;
    case OP_GC_GET_THRESHOLD: put(pr, "_%d = gc.get_threshold()", a); break;
    case OP_GC_SET_THRESHOLD: put(pr, "gc.set_threshold("); put_range(pr, a, b); put(pr, ")"); break;
    case OP_GC_GET_COUNT: put(pr, "_%d = gc.get_count()", a); break;
    case OP_GC_GET_STATS: put(pr, "_%d = gc.get_stats()", a); break;
    case OP_GC_GET_OBJECTS:
        if (b >= 0)
            put(pr, "_%d = gc.get_objects(_%d)", a, b);
        else
            put(pr, "_%d = gc.get_objects()", a);
        break;
    case OP_GC_GARBAGE: put(pr, "_%d = gc.garbage", a); break;
    case OP_GC_CALLBACKS: put(pr, "_%d = gc.callbacks", a); break;
    case OP_GC_FREEZE: put(pr, "gc.freeze()"); break;
    case OP_GC_UNFREEZE: put(pr, "gc.unfreeze()"); break;
    case OP_GC_GET_FREEZE_COUNT: put(pr, "_%d = gc.get_freeze_count()", a); break;
    case OP_GC_SET_DEBUG: put(pr, "gc.set_debug(_%d)", a); break;
    case OP_TRACKED_HEAP_SIZE: put(pr, "_%d = _testinternalcapi.get_tracked_heap_size()", a); break;
    case OP_GC_GET_DEBUG: put(pr, "_%d = gc.get_debug()", a); break;
    case OP_TYPE_OF: put(pr, "_%d = type(_%d)", a, b); break;
    case OP_CLASS_BASE: put(pr, "_%d.__base__ = _%d", a, b); break;
    case OP_TYPE_NAME: put(pr, "_%d = type(_%d).__name__", a, b); break;
    case OP_TYPE_IS:
        if (c >= 0) {
            put(pr, "_%d = type(_%d) is _%d", a, b, c);
        } else {
            static const char *const tn[GCLAB_K_COUNT] = { [GCLAB_K_INT] = "int", [GCLAB_K_BOOL] = "bool",
                [GCLAB_K_STR] = "str", [GCLAB_K_TUPLE] = "tuple", [GCLAB_K_LIST] = "list", [GCLAB_K_DICT] = "dict" };
            if (d < 0 || d >= GCLAB_K_COUNT || !tn[d])
                fail(pr, "TYPE_IS of kind %d has no spelling", d);
            else
                put(pr, "_%d = type(_%d) is %s", a, b, tn[d]);
        }
        break;
    case OP_GC_IS_TRACKED: put(pr, "_%d = gc.is_tracked(_%d)", a, b); break;
    case OP_GC_IS_FINALIZED: put(pr, "_%d = gc.is_finalized(_%d)", a, b); break;
    case OP_GC_REFERENTS: case OP_GC_REFERRERS:
        put(pr, "_%d = gc.get_%s(", a, op->code == OP_GC_REFERENTS ? "referents" : "referrers");
        put_range(pr, b, c);
        put(pr, ")");
        break;
    case OP_RERAISE: put(pr, "raise"); break;
    case OP_RAISE:
        put(pr, "raise %s", name_of(pr, a, true));
        if (b >= 0)
            put(pr, "(_%d)", b);
        break;
    default:
        fail(pr, "op %s here has no spelling", ops_name(op->code) ? ops_name(op->code) : "?");
        break;
    }
    put(pr, "\n");
}

/* The functions a skipped copy of a finally block makes (its FUNC ops, and
 * theirs): the printed copy makes the same ones again when compiled. */
static void mark_funcs(struct pr *pr, int fi, int start, int end, int depth)
{
    const struct ops_func *f = &pr->p->funcs[fi];
    for (int pc = start; pc < end && depth < PRINT_MAX_DEPTH; pc++)
        if (f->ops[pc].code == OP_FUNC && !pr->printed[f->ops[pc].b]) {
            pr->printed[f->ops[pc].b] = true;
            mark_funcs(pr, f->ops[pc].b, 0, pr->p->funcs[f->ops[pc].b].nops, depth + 1);
        }
}

/* The TRY TRY_ELSE that closes the TRY at t, or -1. */
static int try_close(const struct ops_op *ops, int t, int end)
{
    int open = 0;
    for (int q = t; q < end; q++) {
        if (ops[q].code == OP_TRY)
            open++;
        else if (ops[q].code == OP_TRY_ELSE && --open == 0)
            return q;
    }
    return -1;
}

/* A try statement at t (the shapes compile.c's ctry makes); the op after it, or -1. */
static int print_try(struct pr *pr, int fi, int t, int end, int depth, const struct ploop *loop)
{
    const struct ops_op *ops = pr->p->funcs[fi].ops;
    int x = try_close(ops, t, end), H = ops[t].a;
    if (x < 0 || H <= x || H > end)
        return -1;
    if (H < end && ops[H].code == OP_FINALLY) {
        /* TRY F; body; TRY_ELSE x+1; block; JUMP X; F: FINALLY; block; RERAISE; X: */
        if (ops[x].a != x + 1 || ops[H - 1].code != OP_JUMP || ops[H - 1].a > end || ops[H - 1].a < H + 1 ||
            ops[ops[H - 1].a - 1].code != OP_RERAISE)
            return -1;
        int X = ops[H - 1].a;
        indent(pr, depth);
        put(pr, "try:\n");
        print_block(pr, fi, t + 1, x, depth + 1, loop);
        indent(pr, depth);
        put(pr, "finally:\n");
        print_block(pr, fi, x + 1, H - 1, depth + 1, loop);
        mark_funcs(pr, fi, H, X, 0);
        return X;
    }
    /* H: EXCEPT ... c; block; EXC_END X; c: ... [RERAISE]; E: else; X: */
    int i = H, X = -1;
    while (i < end && ops[i].code == OP_EXCEPT) {
        int c = ops[i].c;
        if (c <= i + 1 || c > end || ops[c - 1].code != OP_EXC_END || (X >= 0 && ops[c - 1].a != X) ||
            ops[i].a != -1)
            return -1;
        X = ops[c - 1].a;
        bool bare = pr->p->strs[ops[i].b].len == 0;
        i = c;
        if (bare)
            break;
    }
    int E = ops[x].a;
    int last = i;
    bool reraise = last < end && ops[last].code == OP_RERAISE;
    if (X < 0 || E != last + (reraise ? 1 : 0) || X < E || X > end)
        return -1;
    indent(pr, depth);
    put(pr, "try:\n");
    print_block(pr, fi, t + 1, x, depth + 1, loop);
    for (i = H; i < last; i = ops[i].c) {
        const struct ops_str *names = &pr->p->strs[ops[i].b];
        indent(pr, depth);
        if (names->len == 0) {
            if (ops[i].c != last || reraise)
                return -1;   /* a bare except is last and nothing is reraised after it */
            put(pr, "except:\n");
        } else if (strchr(names->s, ',')) {
            put(pr, "except (");
            for (const char *n = names->s; *n; n++)
                put(pr, *n == ',' ? ", " : "%c", *n);
            put(pr, "):\n");
        } else {
            put(pr, "except %s:\n", names->s);
        }
        print_block(pr, fi, i + 1, ops[i].c - 1, depth + 1, loop);
    }
    int q = H;
    while (ops[q].c != last)
        q = ops[q].c;
    if (reraise == (pr->p->strs[ops[q].b].len == 0))
        return -1;   /* what is not caught is reraised, after the last clause unless it is bare */
    if (X > E) {
        indent(pr, depth);
        put(pr, "else:\n");
        print_block(pr, fi, E, X, depth + 1, loop);
    }
    return X;
}

static void print_block(struct pr *pr, int fi, int start, int end, int depth, const struct ploop *loop)
{
    const struct ops_func *f = &pr->p->funcs[fi];
    const struct ops_op *ops = f->ops;
    size_t before = pr->o.n;
    if (depth > PRINT_MAX_DEPTH) {
        fail(pr, "blocks nested more than %d deep", PRINT_MAX_DEPTH);
        return;
    }
    int pc = start;
    while (pc < end && !pr->failed) {
        /* A loop starts here if a later JUMP in this block comes back here. */
        int j = -1;
        for (int q = end - 1; q >= pc; q--)
            if (ops[q].code == OP_JUMP && ops[q].a == pc) {
                j = q;
                break;
            }
        if (j >= 0) {
            struct ploop l = { pc, j + 1 };
            bool is_for = (ops[pc].code == OP_FOR_RANGE || ops[pc].code == OP_FOR_ITER) && ops[pc].c == j + 1;
            /* for/else: the breaks jump past the else block j+1..E */
            int E = -1;
            for (int q = pc + 1; q < j && is_for; q++) {
                int T = ops[q].code == OP_JUMP ? ops[q].a :
                        ops[q].code == OP_JUMP_IF_FALSE || ops[q].code == OP_JUMP_IF_TRUE ? ops[q].b : -1;
                if (T > j + 1 && T <= end && (E < 0 || T == E))
                    E = T;
                else if (T > j + 1)
                    E = -2;
            }
            if (E == -2) {
                fail(pr, "function %d op %d: a loop whose breaks jump to different places has no spelling", fi, pc);
                return;
            }
            if (E > 0)
                l.end = E;
            indent(pr, depth);
            if (is_for && ops[pc].code == OP_FOR_RANGE) {
                put(pr, "for _%d in range(_%d, _%d, _%d):\n", ops[pc].a, ops[pc].b, ops[pc].b + 1, ops[pc].b + 2);
                print_block(pr, fi, pc + 1, j, depth + 1, &l);
            } else if (is_for) {
                put(pr, "for _%d in _%d:\n", ops[pc].a, ops[pc].b);
                print_block(pr, fi, pc + 1, j, depth + 1, &l);
            } else {
                put(pr, "while True:\n");
                print_block(pr, fi, pc, j, depth + 1, &l);
            }
            pc = j + 1;
            if (E > 0) {
                indent(pr, depth);
                put(pr, "else:\n");
                print_block(pr, fi, j + 1, E, depth + 1, loop);
                pc = E;
            }
            continue;
        }
        const struct ops_op *op = &ops[pc];
        if (op->code == OP_JUMP) {
            indent(pr, depth);
            if (loop && op->a == loop->end)
                put(pr, "break\n");
            else if (loop && op->a == loop->top)
                put(pr, "continue\n");
            else
                fail(pr, "function %d op %d: a jump to %d has no spelling", fi, pc, op->a);
            pc++;
            continue;
        }
        if (op->code == OP_JUMP_IF_FALSE || op->code == OP_JUMP_IF_TRUE) {
            /* JUMP_IF_FALSE skips the body when false: `if _c:` */
            const char *neg = op->code == OP_JUMP_IF_FALSE ? "" : "not ";
            const char *pos = op->code == OP_JUMP_IF_FALSE ? "not " : "";
            int L = op->b;
            indent(pr, depth);
            if (loop && (L == loop->end || L == loop->top)) {
                put(pr, "if %s_%d: %s\n", pos, op->a, L == loop->end ? "break" : "continue");
                pc++;
                continue;
            }
            if (L <= pc || L > end) {
                fail(pr, "function %d op %d: a conditional jump to %d has no spelling", fi, pc, L);
                return;
            }
            put(pr, "if %s_%d:\n", neg, op->a);
            int L2 = -1;
            if (L - 1 > pc && ops[L - 1].code == OP_JUMP && ops[L - 1].a > L && ops[L - 1].a <= end &&
                !(loop && ops[L - 1].a == loop->end))
                L2 = ops[L - 1].a;
            if (L2 >= 0) {
                print_block(pr, fi, pc + 1, L - 1, depth + 1, loop);
                indent(pr, depth);
                put(pr, "else:\n");
                print_block(pr, fi, L, L2, depth + 1, loop);
                pc = L2;
            } else {
                print_block(pr, fi, pc + 1, L, depth + 1, loop);
                pc = L;
            }
            continue;
        }
        if (op->code == OP_FOR_RANGE || op->code == OP_FOR_ITER) {
            fail(pr, "function %d op %d: %s outside a loop has no spelling", fi, pc, ops_name(op->code));
            return;
        }
        if (op->code == OP_TRY) {
            int next = print_try(pr, fi, pc, end, depth, loop);
            if (next < 0) {
                fail(pr, "function %d op %d: a TRY of this shape has no spelling", fi, pc);
                return;
            }
            pc = next;
            continue;
        }
        if (op->code == OP_KWNAMES && pc + 1 < end &&
            (ops[pc + 1].code == OP_CALL || ops[pc + 1].code == OP_CALL_METHOD)) {
            print_op(pr, fi, &ops[pc + 1], depth, op->a);
            pc += 2;
            continue;
        }
        print_op(pr, fi, op, depth, -1);
        pc++;
    }
    if (pr->o.n == before && !pr->failed) {
        indent(pr, depth);
        put(pr, "pass\n");
    }
}

char *script_print(const struct ops_program *p, char *err, size_t errlen)
{
    if (ops_validate(p, err, errlen) != 0)
        return NULL;
    struct pr pr = { .p = p, .err = err, .errlen = errlen };
    pr.printed = calloc((size_t)p->nfuncs, sizeof *pr.printed);
    if (!pr.printed) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < p->nfuncs && !pr.failed; i++)
        if (p->funcs[i].nslots > SCRIPT_MAX_PINNED_SLOT)
            fail(&pr, "function %d has %d slots; scripts name at most %d (_0.._%d)", i, p->funcs[i].nslots,
                 SCRIPT_MAX_PINNED_SLOT, SCRIPT_MAX_PINNED_SLOT - 1);
    put(&pr, "import gc\nimport sys\nimport weakref\n");
    for (int f = 0; f < p->nfuncs; f++)
        for (int i = 0; i < p->funcs[f].nops; i++)
            if (p->funcs[f].ops[i].code == OP_TRACKED_HEAP_SIZE && !pr.testinternal) {
                pr.testinternal = true;
                put(&pr, "import _testinternalcapi\n");
            }
    print_block(&pr, 0, 0, p->funcs[0].nops, 0, NULL);
    for (int i = 1; i < p->nfuncs && !pr.failed; i++)
        if (!pr.printed[i])
            fail(&pr, "function %d is never created by a FUNC op", i);
    free(pr.printed);
    if (pr.o.oom && !pr.failed)
        fail(&pr, "out of memory");
    if (pr.failed) {
        free(pr.o.s);
        return NULL;
    }
    return pr.o.s;
}
