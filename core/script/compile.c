/* compile.c — heap-script syntax tree to ops (core/ops.h).
 *
 * Frames. Each `def` is an ops function; the module is function 0. In a
 * function, parameters take slots 0..n-1 and every other name it binds
 * (assignment, del, for, def, class) gets a slot after them, as CPython's
 * fast locals; names it only reads, or declares `global`, are globals.
 * Module-level names are globals. Temporaries take slots above the locals.
 *
 * Pinned names. A name `_N` (an underscore and a number below
 * SCRIPT_MAX_PINNED_SLOT) is always slot N of its frame, at module level too. The printer (print.c) writes every slot
 * this way, so a printed program compiles back to the same slots. A user
 * script does not name things `_3`; if it does, the name is still a slot,
 * which CPython sees as an ordinary variable — the same behaviour except
 * that a module-level `_3` is not visible to functions as a global.
 *
 * Temporaries are cleared at the end of the statement that made them (a
 * CLEAR per temporary), as CPython's value stack is empty between
 * statements: this is what makes sys.getrefcount and the moment __del__
 * runs agree with CPython. Code that runs only on one path (the right side
 * of `and`, later operands of a chained comparison, an assert's message)
 * clears its own temporaries before the paths join, so every CLEAR finds
 * its slot full. Temporaries that only ever hold a bool (conditions) are
 * never cleared: bools are immortal.
 *
 * Direct targets. `x = e` for a local x writes e's last op straight into
 * x's slot (ADD 3,1,2 rather than ADD 9,1,2; MOVE 3,9) when e is an
 * expression whose only write to the destination is its last op; displays,
 * `and`/`or` and chained comparisons write early and go through a temporary,
 * so `x = [x]` still reads the old x.
 *
 * sys.getrefcount(e) evaluates e into a temporary (or uses a local's slot
 * when e is a bare local name, as CPython's LOAD_FAST pushes a reference
 * that the temporary stands for). REFCOUNT reports the object's count with
 * that reference being the call's argument, so:
 *   - `a = [1]; sys.getrefcount(a)` is 2 at module level and in a function,
 *     as in CPython 3.11 (global or local, plus the argument);
 *   - a bare local passed directly: the slot is the local's own reference,
 *     and the count is then one less than CPython's (CPython has both the
 *     local and the pushed argument). To keep CPython's number the compiler
 *     copies a bare local into a temporary for sys.getrefcount.
 * Where it differs (documented in README.md): ints and strs (CPython 3.11
 * counts references from code constants and the intern table; here small
 * ints and literals are immortal and large int constants are not shared),
 * classes and functions (CPython's hold extra internal references), and
 * `self` inside __init__ (CPython's type call holds extra references).
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "script.h"

struct local { const char *name; int slot; };

/* A map from names to small ints (open addressing; arrays in the arena).
 * Every name lookup of the compiler goes through one, so compiling stays
 * linear in the script's size (issue 19: 70,000 names took 15-20 s when
 * names were searched in arrays). */
struct names { const char **key; int *val; size_t cap, n; };

struct loop {
    int top;                     /* op index `continue` jumps to */
    int *breaks;                 /* ops to patch to the loop's end */
    int nbreaks, cap;
    struct loop *outer;
    int ntry;                    /* fc->ntry where the loop starts */
};

struct comp {
    struct parser *p;
    struct names attr_names;     /* every method, class attribute and attribute stored in the program */
    struct ops_program *prog;
    bool imported[4];            /* gc, sys, weakref, _testinternalcapi */
    struct names module_names;   /* every name bound at module level or declared global */
    struct cconst *consts;       /* folded tuple constants, inner ones first (const_index) */
    int nconsts, capconsts;
    struct names const_keys;     /* canonical spelling -> index in consts */
    const struct stmt *method_of; /* while compiling a class body's def: the class */
};

/* A tuple constant: CPython's compiler folds a tuple display of constants
 * (ints, strs, None, True, False, such tuples), and a list display of them
 * iterated by `for` or searched by `in`, into one code constant made at
 * compile time and shared by every equal display of the module. Here each
 * is made once before the module's first statement and kept in the global
 * `_gclab_const_N` (see const_prologue). */
struct cconst { struct expr *const *items; int n; };

struct fctx {
    struct comp *c;
    struct fctx *parent;
    int fi;
    bool module;
    struct local *locals;        /* parameters first, in order */
    int nlocals, caplocals;
    struct names local_index;    /* name -> index in locals */
    struct names globals;        /* declared global */
    struct names seen;           /* before layout: SEEN_* flags of names met so far, in source order */
    int temp_base, next_temp, max_slot;
    bool *dirty;                 /* per temporary: holds something to clear */
    int capdirty;
    struct loop *loop;
    int line;
    int temp_hw;                 /* one past the highest temporary made so far (ctry's clearing) */
    int ntry;                    /* try blocks, except and finally blocks the statement is in */
    int nfinally;                /* try blocks and except blocks of a try with finally it is in */
    const struct stmt *cls;      /* a method: its class statement (super()); else NULL */
    const char *self;            /* a method: its first parameter */
    struct local *compvars;      /* a comprehension's variables (innermost last): temporaries */
    int ncompvars, capcompvars;
};

static const char *const module_names[5] = { "gc", "sys", "weakref", "_testinternalcapi", NULL };
static const char *const supported_builtins[] = { "print", "len", "id", "range", "type", "object",
                                                  "bytearray", "list", "dict", "tuple", "str", "repr",
                                                  "hasattr", "isinstance", NULL };
static const char *const unsupported_builtins[] = {
    "int", "bool", "float", "issubclass", "sorted", "sum", "min", "max", "abs",
    "hash", "iter", "next", "enumerate", "zip", "map", "filter", "super", "getattr", "setattr",
    "delattr", "exec", "eval", "input", "open", "globals", "locals", "vars", "dir", "callable",
    "chr", "ord", "format", "round", "pow", "divmod", "any", "all", "reversed", "set", "frozenset",
    "bytes", "compile", "exit", "quit", "help", "memoryview", "slice", "staticmethod", "classmethod",
    "property", "complex", "ascii", "bin", "hex", "oct", "breakpoint", "__import__", "Exception",
    "__builtins__", NULL,
};

/* Methods of list, dict and str the subset does not have: obj.NAME(...) is
 * refused unless some class or attribute store in the program names NAME.
 * (extend, insert, clear, index, count, remove and reverse of lists run as
 * CALL_METHOD, which falls back to them on a list: ops.c list_method.) */
static const char *const container_methods[] = {
    "copy", "sort", "keys",
    "values", "items", "setdefault", "update", "popitem", "fromkeys", "join", "split", "rsplit",
    "strip", "lstrip", "rstrip", "startswith", "endswith", "replace", "find", "rfind", "upper",
    "lower", "format", "encode", "isdigit", "isalpha", "isspace", "splitlines", "partition",
    "zfill", "center", "ljust", "rjust", "title", "capitalize", NULL,
};

static bool in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (strcmp(*l, s) == 0)
            return true;
    return false;
}

#define FAIL(fc, line, col, ...) script_fail((fc)->c->p, line, col, __VA_ARGS__)

/* Grow an array held in the parser's arena: a failure anywhere longjmps out
 * of the compiler, and the arena is then freed at once, so nothing leaks. */
static void *agrow(struct fctx *fc, void *old, size_t oldbytes, size_t newbytes)
{
    void *r = arena_alloc(&fc->c->p->arena, newbytes ? newbytes : 1);
    if (!r)
        FAIL(fc, 0, 0, "out of memory");
    if (old && oldbytes)
        memcpy(r, old, oldbytes);
    return r;
}

static uint64_t name_hash(const char *k)
{
    uint64_t x = 1469598103934665603ull;   /* FNV-1a */
    for (; *k; k++)
        x = (x ^ (unsigned char)*k) * 1099511628211ull;
    return x;
}

/* The value of k in m, or -1. */
static int names_get(const struct names *m, const char *k)
{
    if (!m->cap)
        return -1;
    for (size_t i = name_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->key[i])
            return -1;
        if (strcmp(m->key[i], k) == 0)
            return m->val[i];
    }
}

/* Set k's value (k must outlive the map: names live in the arena). */
static void names_put(struct fctx *fc, struct names *m, const char *k, int v)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct names g = { 0 };
        g.cap = m->cap ? m->cap * 2 : 16;
        g.key = agrow(fc, NULL, 0, g.cap * sizeof *g.key);
        g.val = agrow(fc, NULL, 0, g.cap * sizeof *g.val);
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i])
                names_put(fc, &g, m->key[i], m->val[i]);
        *m = g;
    }
    size_t i = name_hash(k) & (m->cap - 1);
    for (; m->key[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->key[i], k) == 0) {
            m->val[i] = v;
            return;
        }
    m->key[i] = k;
    m->val[i] = v;
    m->n++;
}

/* `_N` → N, else -1. */
static int pinned_slot(const char *name)
{
    if (name[0] != '_' || !name[1] || (name[1] == '0' && name[2]))
        return -1;
    long v = 0;
    for (const char *s = name + 1; *s; s++) {
        if (*s < '0' || *s > '9' || v >= SCRIPT_MAX_PINNED_SLOT)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v < SCRIPT_MAX_PINNED_SLOT ? (int)v : -1;
}

/* ---- emitting ---- */

static void note_slot(struct fctx *fc, int s)
{
    if (s > fc->max_slot)
        fc->max_slot = s;
}

static int emit(struct fctx *fc, int code, int32_t a, int32_t b, int32_t c, int32_t d)
{
    const char *k = ops_kinds(code);
    int32_t v[4] = { a, b, c, d };
    for (int i = 0; i < 4; i++) {
        if (k[i] == 'S' || (k[i] == 'O' && v[i] >= 0))
            note_slot(fc, v[i]);
        if (k[i] == 'R' && v[i + 1] > 0)
            note_slot(fc, v[i] + v[i + 1] - 1);
    }
    if (code == OP_FOR_RANGE || code == OP_FOR_ITER || code == OP_DELSLICE)
        note_slot(fc, b + 2);
    if (code == OP_SLICE)
        note_slot(fc, c + 2);
    int r = ops_emit(fc->c->prog, fc->fi, code, a, b, c, d, fc->line);
    if (r < 0)
        FAIL(fc, 0, 0, "out of memory");
    return r;
}

static int here(struct fctx *fc) { return fc->c->prog->funcs[fc->fi].nops; }

static void patch(struct fctx *fc, int at, int target)
{
    struct ops_op *op = &fc->c->prog->funcs[fc->fi].ops[at];
    if (op->code == OP_JUMP || op->code == OP_TRY || op->code == OP_TRY_ELSE || op->code == OP_EXC_END)
        op->a = target;
    else if (op->code == OP_FOR_RANGE || op->code == OP_FOR_ITER || op->code == OP_EXCEPT)
        op->c = target;
    else
        op->b = target;
}

static int str_index(struct fctx *fc, const char *s, size_t n)
{
    int i = ops_str_add(fc->c->prog, s, n);
    if (i < 0)
        FAIL(fc, 0, 0, "out of memory");
    return i;
}

static int name_index(struct fctx *fc, const char *s) { return str_index(fc, s, strlen(s)); }

static void emit_int(struct fctx *fc, int dst, int64_t v)
{
    int32_t lo, hi;
    ops_int_operands(v, &lo, &hi);
    emit(fc, OP_INT, dst, lo, hi, 0);
}

/* ---- temporaries ---- */

static int tmp_new(struct fctx *fc, bool dirty)
{
    int s = fc->next_temp++;
    int i = s - fc->temp_base;
    if (i >= fc->capdirty) {
        int cap = fc->capdirty ? fc->capdirty * 2 : 16;
        fc->dirty = agrow(fc, fc->dirty, (size_t)fc->capdirty * sizeof *fc->dirty, (size_t)cap * sizeof *fc->dirty);
        fc->capdirty = cap;
    }
    fc->dirty[i] = dirty;
    if (s + 1 > fc->temp_hw)
        fc->temp_hw = s + 1;
    note_slot(fc, s);
    return s;
}

/* Clear the temporaries made since mark and free them. */
static void scope_end(struct fctx *fc, int mark)
{
    for (int s = fc->next_temp - 1; s >= mark; s--)
        if (fc->dirty[s - fc->temp_base])
            emit(fc, OP_CLEAR, s, 0, 0, 0);
    fc->next_temp = mark;
}

/* ---- names ---- */

/* Whether name is a local of this frame (a parameter or a name it binds). */
static bool is_local(struct fctx *fc, const char *name) { return names_get(&fc->local_index, name) >= 0; }

/* A local's slot (-1 for a global, and for every non-parameter local before layout). */
static int local_slot(struct fctx *fc, const char *name)
{
    int i = names_get(&fc->local_index, name);
    return i >= 0 ? fc->locals[i].slot : -1;
}

static bool is_declared_global(struct fctx *fc, const char *name) { return names_get(&fc->globals, name) >= 0; }

static bool module_bound(struct comp *c, const char *name) { return names_get(&c->module_names, name) >= 0; }

static void add_module_name(struct fctx *fc, const char *name)
{
    if (!module_bound(fc->c, name))
        names_put(fc, &fc->c->module_names, name, 1);
}

/* Slot of a name in this frame, or -1 for a global. */
static int resolve(struct fctx *fc, const char *name, int line, int col)
{
    int s = pinned_slot(name);
    if (s >= 0)
        return s;
    for (int i = fc->ncompvars - 1; i >= 0; i--)
        if (strcmp(fc->compvars[i].name, name) == 0)
            return fc->compvars[i].slot;
    if (fc->module)
        return -1;
    s = local_slot(fc, name);
    if (s >= 0)
        return s;
    for (struct fctx *o = fc->parent; o && !o->module; o = o->parent)
        if (is_local(o, name) && !is_declared_global(fc, name))
            FAIL(fc, line, col, "closures are not supported: '%s' is a local of an enclosing function", name);
    return -1;
}

static void check_binding(struct fctx *fc, const char *name, int line, int col)
{
    if (in_list(module_names, name))
        FAIL(fc, line, col, "cannot bind module name '%s'", name);
    /* Builtins the subset supports are compiled by name; the others may be shadowed
     * (a parameter named `next`, as in pyperformance's bm_gc_collect). */
    if (in_list(supported_builtins, name))
        FAIL(fc, line, col, "redefining builtin '%s' is not supported", name);
}

static void push_local(struct fctx *fc, const char *name, int slot)
{
    if (fc->nlocals == fc->caplocals) {
        int cap = fc->caplocals ? fc->caplocals * 2 : 8;
        fc->locals = agrow(fc, fc->locals, (size_t)fc->caplocals * sizeof *fc->locals, (size_t)cap * sizeof *fc->locals);
        fc->caplocals = cap;
    }
    names_put(fc, &fc->local_index, name, fc->nlocals);
    fc->locals[fc->nlocals++] = (struct local){ name, slot };
}

static void add_local(struct fctx *fc, const char *name, int line, int col)
{
    if (pinned_slot(name) >= 0 || is_local(fc, name) || is_declared_global(fc, name))
        return;
    check_binding(fc, name, line, col);
    push_local(fc, name, -1);
}

/* ---- the pre-pass: what a function binds, which slots it pins ---- */

static void scan_expr_pins(struct fctx *fc, const struct expr *e, int *maxpin)
{
    if (!e)
        return;
    if (e->kind == E_NAME && pinned_slot(e->name) > *maxpin)
        *maxpin = pinned_slot(e->name);
    scan_expr_pins(fc, e->a, maxpin);
    scan_expr_pins(fc, e->b, maxpin);
    for (int i = 0; i < e->n && (e->kind == E_LIST || e->kind == E_TUPLE || e->kind == E_DICT ||
                                 e->kind == E_COMPARE || e->kind == E_CALL || e->kind == E_IFEXP ||
                                 e->kind == E_SLICE || e->kind == E_LISTCOMP || e->kind == E_DICTCOMP ||
                                 e->kind == E_FSTR); i++)
        scan_expr_pins(fc, e->items[i], maxpin);
}

static void bind_target(struct fctx *fc, const struct expr *t, bool module)
{
    if (t->kind == E_TUPLE || t->kind == E_LIST) {
        for (int i = 0; i < t->n; i++)
            bind_target(fc, t->items[i], module);
        return;
    }
    if (t->kind != E_NAME)
        return;
    if (module) {
        if (pinned_slot(t->name) < 0) {
            check_binding(fc, t->name, t->line, t->col);
            add_module_name(fc, t->name);
        }
    } else {
        add_local(fc, t->name, t->line, t->col);
    }
}

/* The first pass over a frame's statements, in source order: `global`
 * declarations, so later bindings know them, and CPython's checks that a
 * declared name was not a parameter, used or assigned before (symtable.c
 * reports a use before an assignment). */
enum { SEEN_USE = 1, SEEN_BIND = 2 };

static void seen_mark(struct fctx *fc, const char *name, int flag)
{
    int f = names_get(&fc->seen, name);
    names_put(fc, &fc->seen, name, (f < 0 ? 0 : f) | flag);
}

static void seen_expr(struct fctx *fc, const struct expr *e)
{
    if (!e)
        return;
    if (e->kind == E_NAME)
        seen_mark(fc, e->name, SEEN_USE);
    seen_expr(fc, e->a);
    seen_expr(fc, e->b);
    for (int i = 0; i < e->n && (e->kind == E_LIST || e->kind == E_TUPLE || e->kind == E_DICT ||
                                 e->kind == E_COMPARE || e->kind == E_CALL || e->kind == E_IFEXP ||
                                 e->kind == E_SLICE || e->kind == E_LISTCOMP || e->kind == E_DICTCOMP ||
                                 e->kind == E_FSTR); i++)
        seen_expr(fc, e->items[i]);
}

static void seen_target(struct fctx *fc, const struct expr *t)
{
    if (t->kind == E_TUPLE || t->kind == E_LIST) {
        for (int i = 0; i < t->n; i++)
            seen_target(fc, t->items[i]);
        return;
    }
    if (t->kind == E_NAME)
        seen_mark(fc, t->name, SEEN_BIND);
    else
        seen_expr(fc, t);
}

static void scan_block(struct fctx *fc, const struct block *b, bool module, int *maxpin, bool globals_only);

static void scan_globals(struct fctx *fc, const struct stmt *s, bool module)
{
    switch (s->kind) {
    case S_GLOBAL:
        for (int i = 0; i < s->nnames; i++) {
            const char *n = s->names[i];
            int seen = names_get(&fc->seen, n);
            if (!module && local_slot(fc, n) >= 0)
                FAIL(fc, s->line, s->col, "name '%s' is parameter and global", n);
            if (seen >= 0 && (seen & SEEN_USE))
                FAIL(fc, s->line, s->col, "name '%s' is used prior to global declaration", n);
            if (seen >= 0 && (seen & SEEN_BIND))
                FAIL(fc, s->line, s->col, "name '%s' is assigned to before global declaration", n);
            if (pinned_slot(n) >= 0)
                FAIL(fc, s->line, s->col, "name '%s' is a frame slot and cannot be global", n);
            if (module)
                continue;   /* module-level names are globals already */
            names_put(fc, &fc->globals, n, 1);
            check_binding(fc, n, s->line, s->col);
            add_module_name(fc, n);
        }
        return;
    case S_ASSIGN: case S_AUG: case S_DEL:
        seen_expr(fc, s->value);
        for (int i = 0; i < s->n; i++)
            seen_target(fc, s->targets[i]);
        return;
    case S_FOR:
        for (int i = 0; i < s->n; i++)
            seen_expr(fc, s->targets[i]);
        seen_expr(fc, s->value);
        seen_mark(fc, s->name, SEEN_BIND);
        break;
    case S_DEF: case S_CLASS:
        seen_mark(fc, s->name, SEEN_BIND);
        return;   /* their bodies are frames of their own */
    default:
        seen_expr(fc, s->value);
        seen_expr(fc, s->msg);
        break;
    }
    if (s->kind == S_EXCEPT && s->name)
        seen_mark(fc, s->name, SEEN_BIND);
    scan_block(fc, &s->body, module, NULL, true);
    scan_block(fc, &s->handlers, module, NULL, true);
    scan_block(fc, &s->orelse, module, NULL, true);
    scan_block(fc, &s->finalbody, module, NULL, true);
}

/* A statement that binds a plain name (for's target, def, class, except's as). */
static void scan_bind_name(struct fctx *fc, const char *name, int line, int col, bool module, int *maxpin)
{
    struct expr tmp = { .kind = E_NAME, .name = name, .line = line, .col = col };
    bind_target(fc, &tmp, module);
    scan_expr_pins(fc, &tmp, maxpin);
}

static void scan_stmt(struct fctx *fc, const struct stmt *s, bool module, int *maxpin, bool globals_only)
{
    if (globals_only) {
        scan_globals(fc, s, module);
        return;
    }
    switch (s->kind) {
    case S_ASSIGN:
    case S_AUG:
    case S_DEL:
        for (int i = 0; i < s->n; i++) {
            bind_target(fc, s->targets[i], module);
            scan_expr_pins(fc, s->targets[i], maxpin);
        }
        break;
    case S_FOR:
        scan_bind_name(fc, s->name, s->name_line, s->name_col, module, maxpin);
        for (int i = 0; i < s->n; i++)
            scan_expr_pins(fc, s->targets[i], maxpin);
        break;
    case S_DEF:
    case S_CLASS:
        scan_bind_name(fc, s->name, s->line, s->col, module, maxpin);
        break;
    case S_EXCEPT:
        if (s->name)
            scan_bind_name(fc, s->name, s->name_line, s->name_col, module, maxpin);
        break;
    default:
        break;
    }
    scan_expr_pins(fc, s->value, maxpin);
    scan_expr_pins(fc, s->msg, maxpin);
    if (s->kind == S_DEF)
        return;   /* its body is its own frame */
    if (s->kind == S_CLASS) {
        /* methods are frames of their own; values are computed in this one */
        for (int i = 0; i < s->body.n; i++)
            if (s->body.s[i]->kind == S_ASSIGN)
                scan_expr_pins(fc, s->body.s[i]->value, maxpin);
        return;
    }
    scan_block(fc, &s->body, module, maxpin, false);
    scan_block(fc, &s->handlers, module, maxpin, false);
    scan_block(fc, &s->orelse, module, maxpin, false);
    scan_block(fc, &s->finalbody, module, maxpin, false);
}

static void scan_block(struct fctx *fc, const struct block *b, bool module, int *maxpin, bool globals_only)
{
    for (int i = 0; i < b->n; i++)
        scan_stmt(fc, b->s[i], module, maxpin, globals_only);
}

/* ---- expressions ---- */

static void cexpr(struct fctx *fc, const struct expr *e, int dst, bool fresh);
static void ccall(struct fctx *fc, const struct expr *e, int dst);
static int jump_if(struct fctx *fc, const struct expr *e, bool sense);

static bool is_module_name(struct fctx *fc, const struct expr *e)
{
    if (e->kind != E_NAME || !in_list(module_names, e->name))
        return false;
    for (int i = 0; i < 4; i++)
        if (strcmp(e->name, module_names[i]) == 0 && !fc->c->imported[i])
            FAIL(fc, e->line, e->col, "name '%s' is used without 'import %s'", e->name, e->name);
    return true;
}

/* Slot holding e's value: a local's own slot, or a new temporary. */
static int coperand(struct fctx *fc, const struct expr *e)
{
    if (e->kind == E_NAME) {
        int s = resolve(fc, e->name, e->line, e->col);
        if (s >= 0)
            return s;
    }
    int t = tmp_new(fc, true);
    cexpr(fc, e, t, true);
    return t;
}

/* n consecutive slots holding the values of items (locals used in place when already consecutive). */
static int cargs(struct fctx *fc, struct expr *const *items, int n, int line, int col)
{
    if (n > OPS_MAX_ARGS)
        FAIL(fc, line, col, "more than %d arguments or items are not supported", OPS_MAX_ARGS);
    if (n == 0)
        return 0;
    bool direct = true;
    int first = -1;
    for (int i = 0; i < n && direct; i++) {
        int s = items[i]->kind == E_NAME ? resolve(fc, items[i]->name, items[i]->line, items[i]->col) : -1;
        if (s < 0 || (i > 0 && s != first + i))
            direct = false;
        if (i == 0)
            first = s;
    }
    if (direct)
        return first;
    first = fc->next_temp;
    for (int i = 0; i < n; i++)
        tmp_new(fc, true);
    for (int i = 0; i < n; i++)
        cexpr(fc, items[i], first + i, true);
    return first;
}

/* A slice's three bounds in consecutive slots (three consecutive `_N` in place). */
static int cbounds(struct fctx *fc, const struct expr *e)
{
    int k = e->items[0]->kind == E_NAME ? pinned_slot(e->items[0]->name) : -1;
    for (int i = 1; i < 3 && k >= 0; i++)
        if (e->items[i]->kind != E_NAME || pinned_slot(e->items[i]->name) != k + i)
            k = -1;
    if (k >= 0) {
        note_slot(fc, k + 2);
        return k;
    }
    int first = fc->next_temp;
    for (int i = 0; i < 3; i++)
        tmp_new(fc, true);
    for (int i = 0; i < 3; i++)
        cexpr(fc, e->items[i], first + i, true);
    return first;
}

/* ---- constants ---- */

static bool const_atom(const struct expr *e)
{
    return (e->kind == E_INT && (e->op != 0 || e->ival <= (uint64_t)INT64_MAX)) || e->kind == E_STR ||
           e->kind == E_NONE || e->kind == E_TRUE || e->kind == E_FALSE;
}

/* Whether items make a tuple constant (source nesting bounds the recursion). */
static bool const_items(struct expr *const *items, int n)
{
    if (n <= 0 || n > OPS_MAX_ARGS)
        return false;
    for (int i = 0; i < n; i++)
        if (!const_atom(items[i]) && !(items[i]->kind == E_TUPLE && const_items(items[i]->items, items[i]->n)))
            return false;
    return true;
}

/* Append e's canonical spelling to buf (a growing arena buffer). */
static void const_key(struct fctx *fc, char **buf, size_t *len, size_t *cap, const struct expr *e)
{
    char tmp[48];
    const char *piece = tmp;
    size_t n;
    switch (e->kind) {
    case E_INT:
        n = (size_t)snprintf(tmp, sizeof tmp, "i%lld,", e->op ? (long long)(int64_t)e->ival : (long long)e->ival);
        break;
    case E_STR: n = (size_t)snprintf(tmp, sizeof tmp, "s%zu:", e->slen); break;
    case E_NONE: piece = "n,"; n = 2; break;
    case E_TRUE: piece = "T,"; n = 2; break;
    case E_FALSE: piece = "F,"; n = 2; break;
    default: n = (size_t)snprintf(tmp, sizeof tmp, "(%d:", e->n); break;
    }
    size_t extra = e->kind == E_STR ? e->slen + 1 : 0;
    if (*len + n + extra + 2 > *cap) {
        size_t nc = (*cap + n + extra + 2) * 2;
        *buf = agrow(fc, *buf, *cap, nc);
        *cap = nc;
    }
    memcpy(*buf + *len, piece, n);
    *len += n;
    if (e->kind == E_STR) {
        memcpy(*buf + *len, e->s, e->slen);
        *len += e->slen;
        (*buf)[(*len)++] = ',';
    }
    if (e->kind == E_TUPLE) {
        for (int i = 0; i < e->n; i++)
            const_key(fc, buf, len, cap, e->items[i]);
        (*buf)[(*len)++] = ')';
    }
    (*buf)[*len] = 0;
}

/* The index of the constant tuple of items, registering it (and its inner
 * tuples first) on its first use. */
static int const_index(struct fctx *fc, struct expr *const *items, int n)
{
    struct comp *c = fc->c;
    for (int i = 0; i < n; i++)
        if (items[i]->kind == E_TUPLE)
            const_index(fc, items[i]->items, items[i]->n);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct expr whole = { .kind = E_TUPLE, .items = (struct expr **)items, .n = n };
    const_key(fc, &buf, &len, &cap, &whole);
    int k = names_get(&c->const_keys, buf);
    if (k >= 0)
        return k;
    if (c->nconsts == c->capconsts) {
        int nc = c->capconsts ? c->capconsts * 2 : 16;
        c->consts = agrow(fc, c->consts, (size_t)c->capconsts * sizeof *c->consts, (size_t)nc * sizeof *c->consts);
        c->capconsts = nc;
    }
    c->consts[c->nconsts] = (struct cconst){ items, n };
    names_put(fc, &c->const_keys, buf, c->nconsts);
    return c->nconsts++;
}

static int const_name(struct fctx *fc, int k)
{
    char nm[32];
    snprintf(nm, sizeof nm, "_gclab_const_%d", k);
    return name_index(fc, nm);
}

static void emit_const(struct fctx *fc, struct expr *const *items, int n, int dst)
{
    emit(fc, OP_GLOBAL_GET, dst, const_name(fc, const_index(fc, items, n)), 0, 0);
}

/* Make every constant before the module's first op: its ops are emitted at
 * the end of main, then rotated to the front (main's jumps move with them). */
static void const_prologue(struct fctx *mod)
{
    struct comp *c = mod->c;
    if (!c->nconsts)
        return;
    struct ops_func *f = &c->prog->funcs[0];
    int m = f->nops;
    int base = mod->max_slot + 1;
    mod->line = 0;
    for (int k = 0; k < c->nconsts; k++) {
        struct cconst *cc = &c->consts[k];
        for (int i = 0; i < cc->n; i++) {
            const struct expr *e = cc->items[i];
            if (e->kind == E_TUPLE)
                emit_const(mod, e->items, e->n, base + i);
            else
                cexpr(mod, e, base + i, true);
        }
        emit(mod, OP_TUPLE, base + cc->n, base, cc->n, 0);
        emit(mod, OP_GLOBAL_SET, const_name(mod, k), base + cc->n, 0, 0);
        for (int i = cc->n; i >= 0; i--)
            emit(mod, OP_CLEAR, base + i, 0, 0, 0);
    }
    f = &c->prog->funcs[0];
    int k = f->nops - m;
    struct ops_op *rot = malloc((size_t)f->nops * sizeof *rot);
    if (!rot)
        FAIL(mod, 0, 0, "out of memory");
    memcpy(rot, f->ops + m, (size_t)k * sizeof *rot);
    memcpy(rot + k, f->ops, (size_t)m * sizeof *rot);
    for (int i = k; i < f->nops; i++) {
        const char *kinds = ops_kinds(rot[i].code);
        int32_t *v[4] = { &rot[i].a, &rot[i].b, &rot[i].c, &rot[i].d };
        for (int j = 0; j < 4; j++)
            if (kinds[j] == 'J')
                *v[j] += k;
    }
    memcpy(f->ops, rot, (size_t)f->nops * sizeof *rot);
    free(rot);
}

/* A list display of constants where CPython's compiler makes it a tuple
 * constant: the iterable of `for` and the right operand of `in`. */
static bool const_list(const struct expr *e)
{
    return e->kind == E_LIST && const_items(e->items, e->n);
}

/* The right operand of a comparison: `x in [1, 2]` searches a tuple constant. */
static int coperand_cmp(struct fctx *fc, const struct expr *e, int op)
{
    if ((op == C_IN || op == C_NOT_IN) && const_list(e)) {
        int t = tmp_new(fc, true);
        emit_const(fc, e->items, e->n, t);
        return t;
    }
    return coperand(fc, e);
}

static bool writes_early(const struct expr *e)
{
    return (e->kind == E_LIST && e->n > 0) || (e->kind == E_DICT && e->n > 0) || e->kind == E_AND ||
           e->kind == E_LISTCOMP || e->kind == E_DICTCOMP || (e->kind == E_FSTR && e->n > 1) ||
           e->kind == E_OR || (e->kind == E_COMPARE && e->n > 2);
}

/* ---- type(x) ---- */

/* Whether e is `type(x)`, type being the builtin (not a script name). */
static bool is_type_call(struct fctx *fc, const struct expr *e)
{
    return e->kind == E_CALL && e->n == 1 && e->items[0]->kind != E_KEYWORD && e->a->kind == E_NAME &&
           strcmp(e->a->name, "type") == 0 && resolve(fc, "type", e->a->line, e->a->col) < 0 &&
           !module_bound(fc->c, "type");
}

/* `type(x) is T`, `is not`, `==`, `!=` (one comparison): TYPE_IS, exact, with
 * T a builtin type (int bool str tuple list dict) or any other value (a class:
 * false unless x is an instance of exactly that class). CPython's type(x)
 * allocates nothing, neither does this. False if e is not of that shape. */
static bool ctype_compare(struct fctx *fc, const struct expr *e, int dst)
{
    if (e->n != 2 || !is_type_call(fc, e->items[0]))
        return false;
    int op = e->ops[0];
    if (op != C_EQ && op != C_NE && op != C_IS && op != C_IS_NOT)
        return false;
    static const struct { const char *n; int kind; } types[] = {
        { "int", GCLAB_K_INT }, { "bool", GCLAB_K_BOOL }, { "str", GCLAB_K_STR },
        { "tuple", GCLAB_K_TUPLE }, { "list", GCLAB_K_LIST }, { "dict", GCLAB_K_DICT },
    };
    const struct expr *t = e->items[1];
    int kind = -1;
    for (size_t i = 0; t->kind == E_NAME && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t->name, types[i].n) == 0 && resolve(fc, t->name, t->line, t->col) < 0 &&
            !module_bound(fc->c, t->name))
            kind = types[i].kind;
    int o = coperand(fc, e->items[0]->items[0]);
    int c = kind < 0 ? coperand(fc, t) : -1;
    emit(fc, OP_TYPE_IS, dst, o, c, kind < 0 ? 0 : kind);
    if (op == C_NE || op == C_IS_NOT)
        emit(fc, OP_NOT, dst, dst, 0, 0);
    return true;
}

static int cmp_code(int op)
{
    static const int codes[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IS, OP_IS_NOT, OP_IN, OP_NOT_IN };
    return codes[op];
}

/* ---- comprehensions ---- */

static void compvar_push(struct fctx *fc, const char *name, int slot)
{
    if (fc->ncompvars == fc->capcompvars) {
        int cap = fc->capcompvars ? fc->capcompvars * 2 : 8;
        fc->compvars = agrow(fc, fc->compvars, (size_t)fc->capcompvars * sizeof *fc->compvars,
                             (size_t)cap * sizeof *fc->compvars);
        fc->capcompvars = cap;
    }
    fc->compvars[fc->ncompvars++] = (struct local){ name, slot };
}

static void store(struct fctx *fc, const struct expr *t, int v);
static void add_break(struct fctx *fc, int at);
static void loop_end(struct fctx *fc, struct loop *l, const struct block *orelse);

/* Clause i of comprehension e into the list or dict in slot r: a loop (as
 * S_FOR compiles it, over temporaries, its variables resolved to them while
 * the rest compiles), a condition (`if not c: continue`), or after the last
 * the element appended (or the key and value stored). */
static void ccomp_clause(struct fctx *fc, const struct expr *e, int i, int r, struct loop *loop)
{
    int mark = fc->next_temp;
    if (i == e->n) {
        fc->line = e->line;
        if (e->kind == E_LISTCOMP) {
            emit(fc, OP_APPEND, r, coperand(fc, e->a), 0, 0);
        } else {
            int k = coperand(fc, e->a);
            int v = coperand(fc, e->b);
            emit(fc, OP_SETITEM, r, k, v, 0);
        }
        scope_end(fc, mark);
        return;
    }
    const struct expr *c = e->items[i];
    if (c->kind == E_COMPIF) {
        int at = jump_if(fc, c->a, false);
        patch(fc, at, loop->top);
        ccomp_clause(fc, e, i + 1, r, loop);
        return;
    }
    /* the iterable is evaluated before this clause's variables exist */
    const struct expr *it = c->b;
    bool range = it->kind == E_CALL && it->a->kind == E_NAME && strcmp(it->a->name, "range") == 0 &&
                 resolve(fc, "range", it->line, it->col) < 0 && !module_bound(fc->c, "range");
    if (range && (it->n < 1 || it->n > 3))
        FAIL(fc, it->line, it->col, "range expected 1 to 3 arguments, got %d", it->n);
    int k = fc->next_temp;
    for (int j = 0; j < 3; j++)
        tmp_new(fc, true);
    if (range) {
        if (it->n == 1)
            emit_int(fc, k, 0);
        else
            cexpr(fc, it->items[0], k, true);
        cexpr(fc, it->items[it->n == 1 ? 0 : 1], k + 1, true);
        if (it->n == 3)
            cexpr(fc, it->items[2], k + 2, true);
        else
            emit_int(fc, k + 2, 1);
    } else {
        cexpr(fc, it, k, true);
    }
    int nv0 = fc->ncompvars;
    /* None first (immortal), so the CLEARs after the loop find every variable set */
    int item = tmp_new(fc, true);
    emit(fc, OP_NONE, item, 0, 0, 0);
    int vars = fc->next_temp;
    for (int j = 0; c->a->kind == E_TUPLE && j < c->a->n; j++)
        emit(fc, OP_NONE, tmp_new(fc, true), 0, 0, 0);
    if (c->a->kind == E_NAME)
        compvar_push(fc, c->a->name, item);
    struct loop l = { here(fc), NULL, 0, 0, fc->loop, fc->ntry };
    fc->loop = &l;
    fc->line = c->line;
    add_break(fc, emit(fc, range ? OP_FOR_RANGE : OP_FOR_ITER, item, k, 0, 0));
    if (c->a->kind == E_TUPLE) {
        for (int j = 0; j < c->a->n; j++)
            compvar_push(fc, c->a->items[j]->name, vars + j);
        int m2 = fc->next_temp;
        store(fc, c->a, item);
        scope_end(fc, m2);
    }
    ccomp_clause(fc, e, i + 1, r, &l);
    fc->line = c->line;
    emit(fc, OP_JUMP, l.top, 0, 0, 0);
    loop_end(fc, &l, NULL);
    fc->ncompvars = nv0;
    scope_end(fc, mark);
}

static int comp_func(struct fctx *fc, const struct expr *e);
static int empty_func(struct fctx *fc);

/* [a for ...] / {a: b for ...}: CPython 3.11 makes a function object for the
 * comprehension (a tracked object while it runs) and calls it; here the loop
 * runs inline, in temporaries, with a FUNC of an empty function standing for
 * that object until the loops are done (their iterators then freed first, as
 * CPython frees the comprehension's frame before the function). */
static void ccomp(struct fctx *fc, const struct expr *e, int dst)
{
    int mark = fc->next_temp;
    int f = tmp_new(fc, true);
    fc->line = e->line;
    emit(fc, OP_FUNC, f, comp_func(fc, e), 0, 0);
    emit(fc, e->kind == E_LISTCOMP ? OP_LIST : OP_DICT, dst, 0, 0, 0);
    ccomp_clause(fc, e, 0, dst, NULL);
    scope_end(fc, mark);
}

static void cexpr(struct fctx *fc, const struct expr *e, int dst, bool fresh)
{
    int saved_line = fc->line;
    fc->line = e->line;
    if (!fresh && writes_early(e)) {
        int t = tmp_new(fc, true);
        cexpr(fc, e, t, true);
        emit(fc, OP_MOVE, dst, t, 0, 0);
        fc->line = saved_line;
        return;
    }
    switch (e->kind) {
    case E_INT:
        if (e->op == 0 && e->ival > (uint64_t)INT64_MAX)
            FAIL(fc, e->line, e->col, "integer literal too large (ints are 64-bit in gclab)");
        emit_int(fc, dst, (int64_t)e->ival);
        break;
    case E_STR: emit(fc, OP_STR, dst, str_index(fc, e->s, e->slen), 0, 0); break;
    case E_NONE: emit(fc, OP_NONE, dst, 0, 0, 0); break;
    case E_TRUE: case E_FALSE: emit(fc, OP_BOOL, dst, e->kind == E_TRUE, 0, 0); break;
    case E_NAME: {
        if (is_module_name(fc, e))
            FAIL(fc, e->line, e->col, "modules are not supported as values");
        int s = resolve(fc, e->name, e->line, e->col);
        if (s >= 0) {
            if (s != dst)
                emit(fc, OP_MOVE, dst, s, 0, 0);
            break;
        }
        if (!module_bound(fc->c, e->name)) {
            /* a script is always the main module */
            if (strcmp(e->name, "__name__") == 0) {
                emit(fc, OP_STR, dst, str_index(fc, "__main__", 8), 0, 0);
                break;
            }
            if (in_list(unsupported_builtins, e->name))
                FAIL(fc, e->line, e->col, "builtin '%s' is not supported", e->name);
            if (in_list(supported_builtins, e->name))
                FAIL(fc, e->line, e->col, "builtin '%s' is supported only when called", e->name);
        }
        emit(fc, OP_GLOBAL_GET, dst, name_index(fc, e->name), 0, 0);
        break;
    }
    case E_LIST: case E_DICT:
        /* CPython 3.11's BUILD_LIST/BUILD_MAP (and BUILD_CONST_KEY_MAP) make the
         * container after every item is evaluated: `[[], []]` allocates the
         * inner lists first, and `[len(gc.get_objects())]` does not see its
         * own list. Displays of more than OPS_MAX_ARGS values still make the
         * container first (CPython too appends item by item past 30). */
        if (e->n > 0 && e->n <= OPS_MAX_ARGS) {
            int item[OPS_MAX_ARGS];
            for (int i = 0; i < e->n; i++)
                item[i] = coperand(fc, e->items[i]);
            emit(fc, e->kind == E_LIST ? OP_LIST : OP_DICT, dst, 0, 0, 0);
            for (int i = 0; i < e->n; i++) {
                if (e->kind == E_LIST) {
                    emit(fc, OP_APPEND, dst, item[i], 0, 0);
                } else {
                    emit(fc, OP_SETITEM, dst, item[i], item[i + 1], 0);
                    i++;
                }
            }
            break;
        }
        emit(fc, e->kind == E_LIST ? OP_LIST : OP_DICT, dst, 0, 0, 0);
        for (int i = 0; i < e->n; i++) {
            if (e->kind == E_LIST) {
                emit(fc, OP_APPEND, dst, coperand(fc, e->items[i]), 0, 0);
            } else {
                int k = coperand(fc, e->items[i]);
                int v = coperand(fc, e->items[++i]);
                emit(fc, OP_SETITEM, dst, k, v, 0);
            }
        }
        break;
    case E_TUPLE: {
        if (const_items(e->items, e->n)) {
            emit_const(fc, e->items, e->n, dst);
            break;
        }
        int first = cargs(fc, e->items, e->n, e->line, e->col);
        emit(fc, OP_TUPLE, dst, first, e->n, 0);
        break;
    }
    case E_BINOP: {
        int a = coperand(fc, e->a), b = coperand(fc, e->b);
        int code = e->op == '+' ? OP_ADD : e->op == '-' ? OP_SUB : e->op == '*' ? OP_MUL :
                   e->op == '/' ? OP_FLOORDIV : OP_MOD;
        emit(fc, code, dst, a, b, 0);
        break;
    }
    case E_NEG: emit(fc, OP_NEG, dst, coperand(fc, e->a), 0, 0); break;
    case E_NOT: emit(fc, OP_NOT, dst, coperand(fc, e->a), 0, 0); break;
    case E_COMPARE: {
        if (ctype_compare(fc, e, dst))
            break;
        int a = coperand(fc, e->items[0]);
        int b = coperand_cmp(fc, e->items[1], e->ops[0]);
        emit(fc, cmp_code(e->ops[0]), dst, a, b, 0);
        if (e->n == 2)
            break;
        /* a < b < c: later comparisons run only if the earlier held; each
         * nests inside the one before and clears its temporaries first. */
        int *patches = agrow(fc, NULL, 0, (size_t)e->n * 2 * sizeof(int));
        int np = 0;
        for (int i = 2; i < e->n; i++) {
            patches[np++] = emit(fc, OP_JUMP_IF_FALSE, dst, 0, 0, 0);
            patches[np++] = fc->next_temp;
            int c = coperand_cmp(fc, e->items[i], e->ops[i - 1]);
            emit(fc, cmp_code(e->ops[i - 1]), dst, b, c, 0);
            b = c;
        }
        while (np > 0) {
            int mark = patches[--np], at = patches[--np];
            scope_end(fc, mark);
            patch(fc, at, here(fc));
        }
        break;
    }
    case E_AND: case E_OR: {
        cexpr(fc, e->a, dst, true);
        int at = emit(fc, e->kind == E_AND ? OP_JUMP_IF_FALSE : OP_JUMP_IF_TRUE, dst, 0, 0, 0);
        int mark = fc->next_temp;
        cexpr(fc, e->b, dst, true);
        scope_end(fc, mark);
        patch(fc, at, here(fc));
        break;
    }
    case E_ATTR:
        if (is_type_call(fc, e->a) && strcmp(e->name, "__name__") == 0) {
            emit(fc, OP_TYPE_NAME, dst, coperand(fc, e->a->items[0]), 0, 0);
            break;
        }
        if (is_module_name(fc, e->a)) {
            const char *m = e->a->name, *n = e->name;
            if (strcmp(m, "gc") == 0 && strcmp(n, "garbage") == 0) { emit(fc, OP_GC_GARBAGE, dst, 0, 0, 0); break; }
            if (strcmp(m, "gc") == 0 && strcmp(n, "callbacks") == 0) { emit(fc, OP_GC_CALLBACKS, dst, 0, 0, 0); break; }
            static const struct { const char *n; int v; } consts[] = {
                { "DEBUG_STATS", 1 }, { "DEBUG_COLLECTABLE", 2 }, { "DEBUG_UNCOLLECTABLE", 4 },
                { "DEBUG_SAVEALL", 32 }, { "DEBUG_LEAK", 38 },
            };
            for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
                if (strcmp(m, "gc") == 0 && strcmp(n, consts[i].n) == 0) {
                    emit_int(fc, dst, consts[i].v);
                    fc->line = saved_line;
                    return;
                }
            FAIL(fc, e->line, e->col, "'%s.%s' is not supported as a value", m, n);
        }
        emit(fc, OP_GETATTR, dst, coperand(fc, e->a), name_index(fc, e->name), 0);
        break;
    case E_INDEX: {
        int c = coperand(fc, e->a);
        int k = coperand(fc, e->b);
        emit(fc, OP_GETITEM, dst, c, k, 0);
        break;
    }
    case E_LISTCOMP: case E_DICTCOMP:
        ccomp(fc, e, dst);
        break;
    case E_FSTR: {
        /* CPython's FORMAT_VALUE per value and BUILD_STRING: here str()/repr()
         * of each value, then the parts joined left to right */
        if (e->n == 0) {
            emit(fc, OP_STR, dst, str_index(fc, "", 0), 0, 0);
            break;
        }
        int first = fc->next_temp;
        for (int i = 0; i < e->n; i++)
            tmp_new(fc, true);
        for (int i = 0; i < e->n; i++) {
            const struct expr *x = e->items[i];
            if (x->kind == E_STR)
                emit(fc, OP_STR, first + i, str_index(fc, x->s, x->slen), 0, 0);
            else
                emit(fc, x->op == 'r' ? OP_REPR : OP_STR_OF, first + i, coperand(fc, x->a), 0, 0);
        }
        fc->line = e->line;
        if (e->n == 1)
            emit(fc, OP_MOVE, dst, first, 0, 0);
        for (int i = 1; i < e->n; i++)
            emit(fc, OP_ADD, dst, i == 1 ? first : dst, first + i, 0);
        break;
    }
    case E_FORMAT:
        FAIL(fc, e->line, e->col, "a formatted value here is not supported");
    case E_COMPFOR: case E_COMPIF:
        FAIL(fc, e->line, e->col, "a comprehension clause here is not supported");
    case E_SLICE: {
        int c = coperand(fc, e->a);
        emit(fc, OP_SLICE, dst, c, cbounds(fc, e), 0);
        break;
    }
    case E_CALL:
        ccall(fc, e, dst);
        break;
    case E_KEYWORD:   /* ccall takes them all */
        FAIL(fc, e->line, e->col, "a keyword argument here is not supported");
    case E_IFEXP: {
        /* the shape of an if/else statement, so the printer writes it as one */
        int at = jump_if(fc, e->items[0], false);
        int mark = fc->next_temp;
        cexpr(fc, e->a, dst, true);
        scope_end(fc, mark);
        int j = emit(fc, OP_JUMP, 0, 0, 0, 0);
        patch(fc, at, here(fc));
        cexpr(fc, e->b, dst, true);
        scope_end(fc, mark);
        patch(fc, j, here(fc));
        break;
    }
    }
    fc->line = saved_line;
}

static void nargs_check(struct fctx *fc, const struct expr *e, const char *what, int lo, int hi)
{
    if (e->n < lo || e->n > hi) {
        if (lo == hi)
            FAIL(fc, e->line, e->col, "%s takes %d argument%s (%d given)", what, lo, lo == 1 ? "" : "s", e->n);
        FAIL(fc, e->line, e->col, "%s takes %d to %d arguments (%d given)", what, lo, hi, e->n);
    }
}

/* A destination for ops that always write one: dst, or a temporary when the value is dropped. */
static int need_dst(struct fctx *fc, int dst) { return dst >= 0 ? dst : tmp_new(fc, true); }

/* gc.get_debug(), gc.is_tracked(x), gc.is_finalized(x), gc.get_referents(*objs),
 * gc.get_referrers(*objs): the gc module's questions about objects (core/gcapi.c).
 * False if f is none of them. */
static bool ccall_gc_query(struct fctx *fc, const struct expr *e, const char *f, int dst)
{
    struct expr *const *a = e->items;
    if (strcmp(f, "get_debug") == 0) {
        nargs_check(fc, e, "gc.get_debug()", 0, 0);
        emit(fc, OP_GC_GET_DEBUG, need_dst(fc, dst), 0, 0, 0);
    } else if (strcmp(f, "is_tracked") == 0 || strcmp(f, "is_finalized") == 0) {
        bool tracked = f[3] == 't';
        nargs_check(fc, e, tracked ? "gc.is_tracked()" : "gc.is_finalized()", 1, 1);
        int o = coperand(fc, a[0]);
        emit(fc, tracked ? OP_GC_IS_TRACKED : OP_GC_IS_FINALIZED, need_dst(fc, dst), o, 0, 0);
    } else if (strcmp(f, "get_referents") == 0 || strcmp(f, "get_referrers") == 0) {
        bool referents = f[10] == 'n';
        int first = cargs(fc, a, e->n, e->line, e->col);
        emit(fc, referents ? OP_GC_REFERENTS : OP_GC_REFERRERS, need_dst(fc, dst), first, e->n, 0);
    } else {
        return false;
    }
    return true;
}

static void ccall_module(struct fctx *fc, const struct expr *e, const char *m, const char *f, int dst)
{
    struct expr *const *a = e->items;
    bool none_result = false;
    if (strcmp(m, "sys") == 0) {
        if (strcmp(f, "getrefcount") != 0)
            FAIL(fc, e->line, e->col, "'sys.%s' is not supported (only sys.getrefcount)", f);
        nargs_check(fc, e, "sys.getrefcount()", 1, 1);
        /* A temporary stands for the argument CPython pushes; a pinned `_N`
         * is already the printer's spelling of that temporary. */
        int t = a[0]->kind == E_NAME ? pinned_slot(a[0]->name) : -1;
        if (t < 0) {
            t = tmp_new(fc, true);
            cexpr(fc, a[0], t, true);
        }
        emit(fc, OP_REFCOUNT, need_dst(fc, dst), t, 0, 0);
        return;
    }
    if (strcmp(m, "_testinternalcapi") == 0) {
        if (strcmp(f, "get_tracked_heap_size") != 0)
            FAIL(fc, e->line, e->col, "'_testinternalcapi.%s' is not supported (only get_tracked_heap_size)", f);
        nargs_check(fc, e, "_testinternalcapi.get_tracked_heap_size()", 0, 0);
        emit(fc, OP_TRACKED_HEAP_SIZE, need_dst(fc, dst), 0, 0, 0);
        return;
    }
    if (strcmp(m, "weakref") == 0) {
        if (strcmp(f, "ref") != 0)
            FAIL(fc, e->line, e->col, "'weakref.%s' is not supported (only weakref.ref)", f);
        nargs_check(fc, e, "weakref.ref()", 1, 2);
        int o = coperand(fc, a[0]);
        int cb = e->n > 1 ? coperand(fc, a[1]) : -1;
        emit(fc, OP_WEAKREF, need_dst(fc, dst), o, cb, 0);
        return;
    }
    if (strcmp(f, "collect") == 0) {
        nargs_check(fc, e, "gc.collect()", 0, 1);
        emit(fc, OP_GC_COLLECT, dst, e->n ? coperand(fc, a[0]) : -1, 0, 0);
        return;
    } else if (strcmp(f, "enable") == 0 || strcmp(f, "disable") == 0 || strcmp(f, "freeze") == 0 ||
               strcmp(f, "unfreeze") == 0) {
        nargs_check(fc, e, f, 0, 0);
        emit(fc, f[0] == 'e' ? OP_GC_ENABLE : f[0] == 'd' ? OP_GC_DISABLE : f[0] == 'f' ? OP_GC_FREEZE
                                                                                       : OP_GC_UNFREEZE, 0, 0, 0, 0);
        none_result = true;
    } else if (strcmp(f, "isenabled") == 0 || strcmp(f, "get_threshold") == 0 || strcmp(f, "get_count") == 0 ||
               strcmp(f, "get_stats") == 0 || strcmp(f, "garbage") == 0 || strcmp(f, "get_freeze_count") == 0) {
        nargs_check(fc, e, f, 0, 0);
        int code = strcmp(f, "isenabled") == 0 ? OP_GC_ISENABLED : strcmp(f, "get_threshold") == 0 ? OP_GC_GET_THRESHOLD :
                   strcmp(f, "get_count") == 0 ? OP_GC_GET_COUNT : strcmp(f, "get_stats") == 0 ? OP_GC_GET_STATS :
                   strcmp(f, "get_freeze_count") == 0 ? OP_GC_GET_FREEZE_COUNT : -1;
        if (code < 0)
            FAIL(fc, e->line, e->col, "'gc.garbage' is a list, not a function");
        emit(fc, code, need_dst(fc, dst), 0, 0, 0);
        return;
    } else if (strcmp(f, "set_threshold") == 0) {
        nargs_check(fc, e, "gc.set_threshold()", 1, 3);
        int first = cargs(fc, a, e->n, e->line, e->col);
        emit(fc, OP_GC_SET_THRESHOLD, first, e->n, 0, 0);
        none_result = true;
    } else if (strcmp(f, "get_objects") == 0) {
        nargs_check(fc, e, "gc.get_objects()", 0, 1);
        int g = e->n ? coperand(fc, a[0]) : -1;
        emit(fc, OP_GC_GET_OBJECTS, need_dst(fc, dst), g, 0, 0);
        return;
    } else if (ccall_gc_query(fc, e, f, dst)) {
        return;
    } else if (strcmp(f, "set_debug") == 0) {
        nargs_check(fc, e, "gc.set_debug()", 1, 1);
        emit(fc, OP_GC_SET_DEBUG, coperand(fc, a[0]), 0, 0, 0);
        none_result = true;
    } else {
        FAIL(fc, e->line, e->col, "'gc.%s' is not supported", f);
    }
    if (none_result && dst >= 0)
        emit(fc, OP_NONE, dst, 0, 0, 0);
}

/* type('C', (), {'__init__': f, '__del__': g}) — the printer's spelling of CLASS. */
static void ctype_call(struct fctx *fc, const struct expr *e, int dst)
{
    const char *bad = "type() is supported only as type(x) or type('Name', (), {'__init__': f, '__del__': g})";
    if (e->n != 3 || e->items[0]->kind != E_STR || e->items[1]->kind != E_TUPLE || e->items[1]->n != 0 ||
        e->items[2]->kind != E_DICT || e->items[2]->n > 4)
        FAIL(fc, e->line, e->col, "%s", bad);
    const struct expr *name = e->items[0], *d = e->items[2];
    struct ops_str nm = { (char *)name->s, name->slen };
    if (memchr(name->s, 0, name->slen) || name->slen == 0)
        FAIL(fc, name->line, name->col, "class name must be an identifier");
    (void)nm;
    int init = -1, del = -1;
    for (int i = 0; i < d->n; i += 2) {
        const struct expr *k = d->items[i];
        if (k->kind != E_STR || (strcmp(k->s, "__init__") && strcmp(k->s, "__del__")))
            FAIL(fc, k->line, k->col, "%s", bad);
        int s = coperand(fc, d->items[i + 1]);
        if (strcmp(k->s, "__init__") == 0)
            init = s;
        else
            del = s;
    }
    int ni = str_index(fc, name->s, name->slen);
    for (size_t i = 0; i < name->slen; i++) {
        char ch = name->s[i];
        if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (i > 0 && ch >= '0' && ch <= '9')))
            FAIL(fc, name->line, name->col, "class name must be an identifier");
    }
    emit(fc, OP_CLASS, need_dst(fc, dst), ni, init, del);
}

/* obj.name(args): CALL_METHOD over a scratch slot for the callee, obj, then
 * the args. The printer's spelling `_k.name(_{k+1}, ...)` uses slots k-1..
 * in place (slot k-1 being the original program's scratch). */
static struct expr *arg_value(const struct expr *e, int i);
static void emit_kwnames(struct fctx *fc, const struct expr *e, int npos);

static void cmethod_call(struct fctx *fc, const struct expr *e, int npos, int dst)
{
    const struct expr *obj = e->a->a;
    int n = e->n;
    if (n + 1 > OPS_MAX_ARGS)
        FAIL(fc, e->line, e->col, "more than %d arguments or items are not supported", OPS_MAX_ARGS - 1);
    int k = obj->kind == E_NAME ? pinned_slot(obj->name) : -1;
    for (int i = 0; i < n && k >= 1; i++)
        if (arg_value(e, i)->kind != E_NAME || pinned_slot(arg_value(e, i)->name) != k + 1 + i)
            k = -1;
    int base;
    if (k >= 1) {
        base = k - 1;
        note_slot(fc, base);
    } else {
        base = fc->next_temp;
        tmp_new(fc, false);   /* the op empties it again */
        for (int i = 0; i <= n; i++)
            tmp_new(fc, true);
        cexpr(fc, obj, base + 1, true);
        for (int i = 0; i < n; i++)
            cexpr(fc, arg_value(e, i), base + 2 + i, true);
    }
    emit_kwnames(fc, e, npos);
    fc->line = e->line;
    emit(fc, OP_CALL_METHOD, dst, name_index(fc, e->a->name), base, n + 2);
}

/* The KWNAMES before a call whose items npos.. are keyword arguments (or, in a
 * program with defaults or *args, before every call to a value). */
static void emit_kwnames(struct fctx *fc, const struct expr *e, int npos)
{
    if (npos == e->n && !fc->c->p->binding)
        return;
    char names[OPS_MAX_ARGS * 64];
    size_t len = 0;
    names[0] = 0;
    for (int i = npos; i < e->n; i++) {
        size_t nl = strlen(e->items[i]->name);
        if (len + nl + 2 > sizeof names)
            FAIL(fc, e->items[i]->line, e->items[i]->col, "keyword names too long");
        if (i > npos)
            names[len++] = ',';
        memcpy(names + len, e->items[i]->name, nl);
        len += nl;
    }
    fc->line = e->line;
    emit(fc, OP_KWNAMES, str_index(fc, names, len), 0, 0, 0);
}

/* The value of item i of a call (a keyword's value for keywords). */
static struct expr *arg_value(const struct expr *e, int i)
{
    return e->items[i]->kind == E_KEYWORD ? e->items[i]->a : e->items[i];
}

/* A call of a value (a function, a class, a weakref, a method through an
 * object): CALL, or CALL_METHOD for obj.name(...), after KWNAMES when it
 * has keyword arguments (items npos..) or the program binds defaults. */
static void generic_call(struct fctx *fc, const struct expr *e, int npos, int dst)
{
    struct expr *vals[OPS_MAX_ARGS + 1];
    if (e->n > OPS_MAX_ARGS)
        FAIL(fc, e->line, e->col, "more than %d arguments or items are not supported", OPS_MAX_ARGS);
    for (int i = 0; i < e->n; i++)
        vals[i] = arg_value(e, i);
    if (e->a->kind == E_ATTR) {
        cmethod_call(fc, e, npos, dst);
        return;
    }
    int f = coperand(fc, e->a);
    int first = cargs(fc, vals, e->n, e->line, e->col);
    emit_kwnames(fc, e, npos);
    emit(fc, OP_CALL, dst, f, first, e->n);
}

/* A call with keyword arguments (items npos.. are E_KEYWORD): print(sep=, end=),
 * gc.collect(generation=), gc.get_objects(generation=); anything else is refused. */
static void ckw_call(struct fctx *fc, const struct expr *e, int npos, int dst)
{
    const struct expr *callee = e->a, *kw0 = e->items[npos];
    bool is_print = callee->kind == E_NAME && strcmp(callee->name, "print") == 0 &&
                    resolve(fc, "print", callee->line, callee->col) < 0 && !module_bound(fc->c, "print");
    bool is_gc = callee->kind == E_ATTR && is_module_name(fc, callee->a) && strcmp(callee->a->name, "gc") == 0 &&
                 (strcmp(callee->name, "collect") == 0 || strcmp(callee->name, "get_objects") == 0);
    if (is_print) {
        int first = cargs(fc, e->items, npos, e->line, e->col);
        int sep = -1, end = -1;
        for (int i = npos; i < e->n; i++) {
            const struct expr *k = e->items[i];
            if (strcmp(k->name, "sep") && strcmp(k->name, "end"))
                FAIL(fc, k->line, k->col, "print(%s=...) is not supported (only sep= and end=)", k->name);
            int v = coperand(fc, k->a);
            if (k->name[0] == 's')
                sep = v;
            else
                end = v;
        }
        fc->line = e->line;
        emit(fc, OP_PRINT_EX, first, npos, sep, end);
        if (dst >= 0)
            emit(fc, OP_NONE, dst, 0, 0, 0);
        return;
    }
    if (is_gc) {
        if (npos > 0 || e->n - npos != 1 || strcmp(kw0->name, "generation") != 0)
            FAIL(fc, kw0->line, kw0->col, "gc.%s() takes only generation= as a keyword argument", callee->name);
        int g = coperand(fc, kw0->a);
        fc->line = e->line;
        if (callee->name[0] == 'c')
            emit(fc, OP_GC_COLLECT, dst, g, 0, 0);
        else
            emit(fc, OP_GC_GET_OBJECTS, need_dst(fc, dst), g, 0, 0);
        return;
    }
    if (callee->kind == E_NAME && resolve(fc, callee->name, callee->line, callee->col) < 0 &&
        !module_bound(fc->c, callee->name) && (in_list(supported_builtins, callee->name) ||
                                               in_list(unsupported_builtins, callee->name)))
        FAIL(fc, kw0->line, kw0->col, "keyword arguments to %s() are not supported", callee->name);
    if (callee->kind == E_ATTR && is_module_name(fc, callee->a))
        FAIL(fc, kw0->line, kw0->col, "keyword arguments to %s.%s() are not supported", callee->a->name,
             callee->name);
    if (callee->kind == E_ATTR && (strcmp(callee->name, "append") == 0 || strcmp(callee->name, "pop") == 0 ||
                                   strcmp(callee->name, "get") == 0))
        FAIL(fc, kw0->line, kw0->col, "%s() takes no keyword arguments", callee->name);
    generic_call(fc, e, npos, dst);
}

static struct expr *new_expr(struct fctx *fc, enum expr_kind kind, const struct expr *at)
{
    struct expr *x = agrow(fc, NULL, 0, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->line = at->line;
    x->col = at->col;
    x->start = at->start;
    x->end = at->end;
    x->depth = at->depth;
    return x;
}

static bool simple_arg(const struct expr *a)
{
    return a->kind == E_NAME || a->kind == E_INT || a->kind == E_STR || a->kind == E_NONE ||
           a->kind == E_TRUE || a->kind == E_FALSE;
}

/* super().m(args) in a method of class C(B), CPython 3.11's way: super()
 * makes a super object (tracked); LOAD_METHOD on it is a getattr that makes
 * a bound method (tracked) and frees the super object; the arguments are
 * pushed; PRECALL unpacks the bound method into function and self and frees
 * it; the call is then C.__base__.m(self, args). Here two FUNCs of an empty
 * function stand for the super object and the bound method, cleared at
 * those points, and the call is compiled as `C.__base__.m(self, args)`.
 * The arguments must be names or constants: they are evaluated after the
 * bound method is freed here, while it is alive in CPython. */
static void csuper_call(struct fctx *fc, const struct expr *e, int dst)
{
    const struct expr *callee = e->a, *sup = callee->a;
    if (sup->n != 0)
        FAIL(fc, sup->line, sup->col, "super() with arguments is not supported (write super())");
    if (!fc->cls || !fc->self)
        FAIL(fc, sup->line, sup->col, "super() outside a method of a class is not supported");
    if (!fc->cls->value)
        FAIL(fc, sup->line, sup->col, "super() in a class without a base is not supported (object's methods)");
    if (resolve(fc, fc->cls->name, sup->line, sup->col) >= 0)
        FAIL(fc, sup->line, sup->col, "super() in a method with a local named '%s' is not supported", fc->cls->name);
    for (int i = 0; i < e->n; i++)
        if (!simple_arg(e->items[i]))
            FAIL(fc, e->items[i]->line, e->items[i]->col,
                 "super().%s(...) arguments must be names or constants here", callee->name);
    struct expr *cls = new_expr(fc, E_NAME, sup), *base = new_expr(fc, E_ATTR, sup),
                *fn = new_expr(fc, E_ATTR, callee), *self = new_expr(fc, E_NAME, sup),
                *call = new_expr(fc, E_CALL, e);
    cls->name = fc->cls->name;
    base->a = cls;
    base->name = "__base__";
    fn->a = base;
    fn->name = callee->name;
    self->name = fc->self;
    call->a = fn;
    call->n = e->n + 1;
    call->items = agrow(fc, NULL, 0, (size_t)call->n * sizeof *call->items);
    call->items[0] = self;
    for (int i = 0; i < e->n; i++)
        call->items[i + 1] = e->items[i];
    int mark = fc->next_temp;
    int so = tmp_new(fc, true), bm = tmp_new(fc, true);
    fc->line = e->line;
    emit(fc, OP_FUNC, so, empty_func(fc), 0, 0);   /* one function per FUNC, as the printer wants */
    emit(fc, OP_FUNC, bm, empty_func(fc), 0, 0);
    emit(fc, OP_CLEAR, so, 0, 0, 0);
    fc->dirty[so - fc->temp_base] = false;
    scope_end(fc, mark);   /* clears bm */
    ccall(fc, call, dst);
}

static void ccall(struct fctx *fc, const struct expr *e, int dst)
{
    const struct expr *callee = e->a;
    if (callee->kind == E_ATTR && callee->a->kind == E_CALL && callee->a->a->kind == E_NAME &&
        strcmp(callee->a->a->name, "super") == 0 && resolve(fc, "super", callee->line, callee->col) < 0 &&
        !module_bound(fc->c, "super")) {
        csuper_call(fc, e, dst);
        return;
    }
    int npos = e->n;
    while (npos > 0 && e->items[npos - 1]->kind == E_KEYWORD)
        npos--;
    if (npos < e->n) {
        ckw_call(fc, e, npos, dst);
        return;
    }
    struct expr *const *a = e->items;
    if (callee->kind == E_NAME && resolve(fc, callee->name, callee->line, callee->col) < 0 &&
        !module_bound(fc->c, callee->name)) {
        const char *n = callee->name;
        if (strcmp(n, "print") == 0) {
            int first = cargs(fc, a, e->n, e->line, e->col);
            emit(fc, OP_PRINT, first, e->n, 0, 0);
            if (dst >= 0)
                emit(fc, OP_NONE, dst, 0, 0, 0);
            return;
        }
        if (strcmp(n, "len") == 0 || strcmp(n, "id") == 0) {
            nargs_check(fc, e, n[0] == 'l' ? "len()" : "id()", 1, 1);
            int s = coperand(fc, a[0]);
            emit(fc, n[0] == 'l' ? OP_LEN : OP_ID, need_dst(fc, dst), s, 0, 0);
            return;
        }
        if (strcmp(n, "range") == 0)
            FAIL(fc, e->line, e->col, "range() is supported only in 'for NAME in range(...)'");
        if (strcmp(n, "str") == 0 || strcmp(n, "repr") == 0) {
            bool is_str = n[0] == 's';
            nargs_check(fc, e, is_str ? "str()" : "repr()", is_str ? 0 : 1, 1);
            if (e->n == 0)
                emit(fc, OP_STR, need_dst(fc, dst), str_index(fc, "", 0), 0, 0);
            else
                emit(fc, is_str ? OP_STR_OF : OP_REPR, need_dst(fc, dst), coperand(fc, a[0]), 0, 0);
            return;
        }
        if (strcmp(n, "hasattr") == 0) {
            nargs_check(fc, e, "hasattr()", 2, 2);
            const struct expr *k = a[1];
            bool ident = k->kind == E_STR && k->slen > 0 && !(k->s[0] >= '0' && k->s[0] <= '9');
            for (size_t i = 0; ident && i < k->slen; i++)
                ident = k->s[i] == '_' || (k->s[i] >= 'a' && k->s[i] <= 'z') || (k->s[i] >= 'A' && k->s[i] <= 'Z') ||
                        (k->s[i] >= '0' && k->s[i] <= '9');
            if (!ident)
                FAIL(fc, k->line, k->col, "hasattr() is supported only with a literal attribute name");
            int o = coperand(fc, a[0]);
            emit(fc, OP_HASATTR, need_dst(fc, dst), o, str_index(fc, k->s, k->slen), 0);
            return;
        }
        if (strcmp(n, "isinstance") == 0) {
            nargs_check(fc, e, "isinstance()", 2, 2);
            static const struct { const char *n; int kind; } types[] = {
                { "int", GCLAB_K_INT }, { "bool", GCLAB_K_BOOL }, { "str", GCLAB_K_STR },
                { "tuple", GCLAB_K_TUPLE }, { "list", GCLAB_K_LIST }, { "dict", GCLAB_K_DICT },
            };
            const struct expr *t = a[1];
            for (size_t i = 0; t->kind == E_NAME && i < sizeof types / sizeof types[0]; i++)
                if (strcmp(t->name, types[i].n) == 0 && resolve(fc, t->name, t->line, t->col) < 0 &&
                    !module_bound(fc->c, t->name)) {
                    int o = coperand(fc, a[0]);
                    emit(fc, OP_IS_KIND, need_dst(fc, dst), o, types[i].kind, 0);
                    return;
                }
            int o = coperand(fc, a[0]);
            int c = coperand(fc, t);
            emit(fc, OP_ISINSTANCE, need_dst(fc, dst), o, c, 0);
            return;
        }
        if (strcmp(n, "type") == 0) {
            if (e->n == 1)
                emit(fc, OP_TYPE_OF, need_dst(fc, dst), coperand(fc, a[0]), 0, 0);
            else
                ctype_call(fc, e, dst);
            return;
        }
        if (strcmp(n, "bytearray") == 0) {
            if (e->n != 1 || a[0]->kind != E_INT || a[0]->op != 0 || a[0]->ival > (1u << 24))
                FAIL(fc, e->line, e->col, "bytearray() is supported only as bytearray(N), N a literal up to %u", 1u << 24);
            emit(fc, OP_BLOB, need_dst(fc, dst), (int32_t)a[0]->ival, 0, 0);
            return;
        }
        if (strcmp(n, "list") == 0 || strcmp(n, "dict") == 0 || strcmp(n, "tuple") == 0) {
            if (e->n != 0)
                FAIL(fc, e->line, e->col, "%s() is supported only without arguments", n);
            if (n[0] == 't')
                emit(fc, OP_TUPLE, need_dst(fc, dst), 0, 0, 0);
            else
                emit(fc, n[0] == 'l' ? OP_LIST : OP_DICT, need_dst(fc, dst), 0, 0, 0);
            return;
        }
        if (strcmp(n, "object") == 0)
            FAIL(fc, e->line, e->col, "object() is not supported");
        if (strcmp(n, "super") == 0)
            FAIL(fc, callee->line, callee->col, "super() is supported only as super().method(...)");
        if (in_list(unsupported_builtins, n))
            FAIL(fc, callee->line, callee->col, "builtin '%s' is not supported", n);
    }
    if (callee->kind == E_ATTR) {
        const struct expr *obj = callee->a;
        const char *m = callee->name;
        if (is_module_name(fc, obj)) {
            ccall_module(fc, e, obj->name, m, dst);
            return;
        }
        if (obj->kind == E_NAME && strcmp(obj->name, "object") == 0 && !module_bound(fc->c, "object") &&
            resolve(fc, "object", obj->line, obj->col) < 0) {
            if (strcmp(m, "__new__") != 0 || e->n != 1)
                FAIL(fc, e->line, e->col, "object is supported only as object.__new__(C)");
            int c = coperand(fc, a[0]);
            emit(fc, OP_INSTANCE, need_dst(fc, dst), c, 0, 0);
            return;
        }
        if (strcmp(m, "append") == 0) {
            nargs_check(fc, e, "append()", 1, 1);
            int l = coperand(fc, obj);
            int v = coperand(fc, a[0]);
            emit(fc, OP_APPEND, l, v, 0, 0);
            if (dst >= 0)
                emit(fc, OP_NONE, dst, 0, 0, 0);
            return;
        }
        if (strcmp(m, "pop") == 0) {
            nargs_check(fc, e, "pop()", 0, 1);
            int l = coperand(fc, obj);
            int i = e->n ? coperand(fc, a[0]) : -1;
            emit(fc, OP_POP, dst, l, i, 0);
            return;
        }
        if (in_list(container_methods, m) && names_get(&fc->c->attr_names, m) < 0)
            FAIL(fc, callee->line, callee->col,
                 "method '%s' is not supported (of the list, dict and str methods only append, pop, get and list's extend, insert, clear, index, count, remove and reverse are)", m);
        if (strcmp(m, "get") == 0) {
            nargs_check(fc, e, "get()", 1, 2);
            int d = coperand(fc, obj);
            int k = coperand(fc, a[0]);
            int v = e->n > 1 ? coperand(fc, a[1]) : -1;
            emit(fc, OP_DICT_GET, need_dst(fc, dst), d, k, v);
            return;
        }
    }
    generic_call(fc, e, e->n, dst);
}

/* Emit a jump taken when truth(e) == sense; returns the op to patch. */
static int jump_if(struct fctx *fc, const struct expr *e, bool sense)
{
    if (e->kind == E_NOT)
        return jump_if(fc, e->a, !sense);
    fc->line = e->line;
    if (e->kind == E_NAME) {
        int s = resolve(fc, e->name, e->line, e->col);
        if (s >= 0)
            return emit(fc, sense ? OP_JUMP_IF_TRUE : OP_JUMP_IF_FALSE, s, 0, 0, 0);
    }
    int t = tmp_new(fc, false);
    int mark = fc->next_temp;
    cexpr(fc, e, t, true);
    scope_end(fc, mark);
    bool is_bool = e->kind == E_COMPARE || e->kind == E_TRUE || e->kind == E_FALSE;
    if (!is_bool) {
        /* Keep only a bool in the temporary, so it never needs clearing. */
        emit(fc, OP_NOT, t, t, 0, 0);
        sense = !sense;
    }
    int at = emit(fc, sense ? OP_JUMP_IF_TRUE : OP_JUMP_IF_FALSE, t, 0, 0, 0);
    fc->next_temp = t;
    return at;
}

/* ---- statements ---- */

static void store(struct fctx *fc, const struct expr *t, int v)
{
    fc->line = t->line;
    if (t->kind == E_TUPLE || t->kind == E_LIST) {
        /* CPython's UNPACK_SEQUENCE into n temporaries, then each store in order;
         * the printer's `_k, _{k+1} = _v` unpacks into those slots in place */
        int k = t->items[0]->kind == E_NAME ? pinned_slot(t->items[0]->name) : -1;
        for (int i = 1; i < t->n && k >= 0; i++)
            if (t->items[i]->kind != E_NAME || pinned_slot(t->items[i]->name) != k + i)
                k = -1;
        if (k >= 0 && !(v >= k && v < k + t->n)) {
            emit(fc, OP_UNPACK, v, k, t->n, 0);
            return;
        }
        int first = fc->next_temp;
        for (int i = 0; i < t->n; i++)
            tmp_new(fc, true);
        emit(fc, OP_UNPACK, v, first, t->n, 0);
        for (int i = 0; i < t->n; i++)
            store(fc, t->items[i], first + i);
        return;
    }
    if (t->kind == E_NAME) {
        int s = resolve(fc, t->name, t->line, t->col);
        if (s >= 0) {
            if (s != v)
                emit(fc, OP_MOVE, s, v, 0, 0);
        } else {
            emit(fc, OP_GLOBAL_SET, name_index(fc, t->name), v, 0, 0);
        }
    } else if (t->kind == E_ATTR) {
        if (is_module_name(fc, t->a))
            FAIL(fc, t->line, t->col, "assigning module attributes is not supported");
        /* a class body's __slots__ is a SETATTR on the new class: the
         * printer writes it as `_k.__slots__ = _m`; elsewhere CPython would
         * store a class attribute that makes no slots */
        if (strcmp(t->name, "__slots__") == 0 && !(t->a->kind == E_NAME && t->a->name[0] == '_' &&
                                                  t->a->name[1] >= '0' && t->a->name[1] <= '9'))
            FAIL(fc, t->line, t->col, "__slots__ may be set only in a class body");
        int o = coperand(fc, t->a);
        if (strcmp(t->name, "__base__") == 0)   /* the printer's spelling of CLASS_BASE */
            emit(fc, OP_CLASS_BASE, o, v, 0, 0);
        else
            emit(fc, OP_SETATTR, o, name_index(fc, t->name), v, 0);
    } else {
        int c = coperand(fc, t->a);
        int k = coperand(fc, t->b);
        emit(fc, OP_SETITEM, c, k, v, 0);
    }
}

static void cblock(struct fctx *fc, const struct block *b);
static int cfunction(struct fctx *parent, const struct stmt *def, const char *qualname);

static bool block_is_empty(const struct block *b)
{
    for (int i = 0; i < b->n; i++)
        if (b->s[i]->kind != S_PASS && b->s[i]->kind != S_GLOBAL && b->s[i]->kind != S_IMPORT)
            return false;
    return true;
}

static void add_break(struct fctx *fc, int at)
{
    struct loop *l = fc->loop;
    if (l->nbreaks == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        l->breaks = agrow(fc, l->breaks, (size_t)l->cap * sizeof *l->breaks, (size_t)cap * sizeof *l->breaks);
        l->cap = cap;
    }
    l->breaks[l->nbreaks++] = at;
}

/* The loop's end; with an else block (for/else), its first exit (the
 * FOR op's, taken when the iterable is exhausted) runs the block first, and
 * `break`s skip it. */
static void loop_end(struct fctx *fc, struct loop *l, const struct block *orelse)
{
    int first = 0;
    fc->loop = l->outer;
    if (orelse && !block_is_empty(orelse) && l->nbreaks > 0) {
        patch(fc, l->breaks[0], here(fc));
        cblock(fc, orelse);
        first = 1;
    }
    for (int i = first; i < l->nbreaks; i++)
        patch(fc, l->breaks[i], here(fc));
}


/* Bind a new func or class in slot v to name (module: global; function: local). */
static void bind_name(struct fctx *fc, const char *name, int v, int line, int col)
{
    struct expr t = { .kind = E_NAME, .name = name, .line = line, .col = col };
    store(fc, &t, v);
}

/* ---- try/except/finally/raise (ops.h TRY ... RAISE) ----
 *
 *   TRY H; body; TRY_ELSE E;
 *   H: EXCEPT -1 "N1" H2; block; EXC_END X;  H2: EXCEPT ...; ...; RERAISE (no bare except)
 *   E: else block;  X:
 * and with finally (the block twice, as CPython 3.11 compiles it):
 *   TRY F; body, or the try/except above; TRY_ELSE N;  N: block; JUMP X;
 *   F: FINALLY; block; RERAISE;  X:
 * break and continue inside any of these (of a loop outside them) and return
 * inside a try with finally are refused: leaving early would have to drop
 * the handlers and run the finally block first. */
/* A handler's first ops: the temporaries the try block used, emptied from
 * the highest (CPython pops its value stack to the handler's depth). Spelled
 * `_N = None; del _N`, which the printer writes back as such. */
static void clear_temps(struct fctx *fc, int lo, int hi)
{
    for (int t = hi - 1; t >= lo; t--) {
        emit(fc, OP_NONE, t, 0, 0, 0);
        emit(fc, OP_CLEAR, t, 0, 0, 0);
    }
}

/* Compile b, returning one past the highest temporary it made (at least lo). */
static int cblock_temps(struct fctx *fc, const struct block *b, int lo)
{
    int old = fc->temp_hw;
    fc->temp_hw = lo;
    cblock(fc, b);
    int hi = fc->temp_hw;
    if (old > fc->temp_hw)
        fc->temp_hw = old;
    return hi;
}

static void ctry_except(struct fctx *fc, const struct stmt *s)
{
    int t = emit(fc, OP_TRY, 0, 0, 0, 0);
    int lo = fc->next_temp;
    fc->ntry++;
    int hi = cblock_temps(fc, &s->body, lo);
    fc->ntry--;
    fc->line = s->line;
    int x = emit(fc, OP_TRY_ELSE, 0, 0, 0, 0);
    patch(fc, t, here(fc));
    int n = s->handlers.n;
    int *ends = agrow(fc, NULL, 0, (size_t)n * sizeof *ends);
    bool bare = false;
    for (int i = 0; i < n; i++) {
        const struct stmt *h = s->handlers.s[i];
        char names[512];
        size_t len = 0;
        for (int k = 0; k < h->n; k++) {
            const struct expr *e = h->targets[k];
            if (e->kind != E_NAME || ops_exc_find(e->name, strlen(e->name), NULL) < 0)
                FAIL(fc, e->line, e->col, "except of %s%s%s is not supported (only built-in exceptions: "
                     "BaseException, Exception, ArithmeticError, LookupError and the ones gclab raises)",
                     e->kind == E_NAME ? "'" : "an expression", e->kind == E_NAME ? e->name : "",
                     e->kind == E_NAME ? "'" : "");
            size_t l = strlen(e->name);
            if (len + l + 2 > sizeof names)
                FAIL(fc, e->line, e->col, "too many exception types in one except clause");
            if (k)
                names[len++] = ',';
            memcpy(names + len, e->name, l);
            len += l;
        }
        names[len] = 0;
        bare = h->n == 0;
        if (h->name)
            FAIL(fc, h->name_line, h->name_col, "'except ... as NAME' is not supported (exceptions are not objects here)");
        fc->line = h->line;
        int at = emit(fc, OP_EXCEPT, -1, str_index(fc, names, len), 0, 0);
        clear_temps(fc, lo, hi);
        fc->ntry++;
        cblock(fc, &h->body);
        fc->ntry--;
        fc->line = h->line;
        ends[i] = emit(fc, OP_EXC_END, 0, 0, 0, 0);
        patch(fc, at, here(fc));
    }
    fc->line = s->line;
    if (!bare)
        emit(fc, OP_RERAISE, 0, 0, 0, 0);
    patch(fc, x, here(fc));
    cblock(fc, &s->orelse);
    for (int i = 0; i < n; i++)
        patch(fc, ends[i], here(fc));
}

static void ctry(struct fctx *fc, const struct stmt *s)
{
    if (!s->has_finally) {
        ctry_except(fc, s);
        return;
    }
    int t = emit(fc, OP_TRY, 0, 0, 0, 0);
    int lo = fc->next_temp, old = fc->temp_hw;
    fc->temp_hw = lo;
    fc->ntry++;
    fc->nfinally++;
    if (s->handlers.n)
        ctry_except(fc, s);
    else
        cblock(fc, &s->body);
    fc->nfinally--;
    int hi = fc->temp_hw;
    if (old > fc->temp_hw)
        fc->temp_hw = old;
    fc->line = s->line;
    int x = emit(fc, OP_TRY_ELSE, 0, 0, 0, 0);
    patch(fc, x, here(fc));
    clear_temps(fc, lo, hi);   /* empty already; the printer writes this copy, and it must match */
    cblock(fc, &s->finalbody);
    fc->line = s->line;
    int j = emit(fc, OP_JUMP, 0, 0, 0, 0);
    patch(fc, t, here(fc));
    emit(fc, OP_FINALLY, 0, 0, 0, 0);
    clear_temps(fc, lo, hi);
    cblock(fc, &s->finalbody);
    fc->line = s->line;
    emit(fc, OP_RERAISE, 0, 0, 0, 0);
    fc->ntry--;
    patch(fc, j, here(fc));
}

/* raise, raise NAME, raise NAME(arg) of a built-in exception gclab raises. */
static void craise(struct fctx *fc, const struct stmt *s)
{
    const struct expr *e = s->value, *arg = NULL;
    if (!e) {
        emit(fc, OP_RERAISE, 0, 0, 0, 0);
        return;
    }
    const struct expr *name = e;
    if (e->kind == E_CALL) {
        name = e->a;
        if (e->n > 1)
            FAIL(fc, e->items[1]->line, e->items[1]->col, "raise with more than one argument is not supported");
        if (e->n == 1 && e->items[0]->kind == E_KEYWORD)
            FAIL(fc, e->items[0]->line, e->items[0]->col, "keyword arguments to exceptions are not supported");
        arg = e->n ? e->items[0] : NULL;
    }
    bool raisable = false;
    if (name->kind != E_NAME || ops_exc_find(name->name, strlen(name->name), &raisable) < 0)
        FAIL(fc, name->line, name->col, "raise of %s%s%s is not supported (only raise, raise NAME and raise "
             "NAME(arg) of a built-in exception)", name->kind == E_NAME ? "'" : "an expression",
             name->kind == E_NAME ? name->name : "", name->kind == E_NAME ? "'" : "");
    if (!raisable)
        FAIL(fc, name->line, name->col, "raise of '%s' is not supported (only of the exceptions gclab raises: "
             "TypeError, IndexError, KeyError, AttributeError, NameError, ValueError, ZeroDivisionError, "
             "OverflowError, MemoryError, RecursionError, RuntimeError, AssertionError)", name->name);
    int a = arg ? coperand(fc, arg) : -1;
    fc->line = s->line;
    emit(fc, OP_RAISE, name_index(fc, name->name), a, 0, 0);
}

static void cstmt(struct fctx *fc, const struct stmt *s)
{
    int mark = fc->next_temp;
    fc->line = s->line;
    switch (s->kind) {
    case S_PASS: case S_GLOBAL:
        break;
    case S_IMPORT:
        for (const struct stmt *i = s; i; i = i->init)
            for (int k = 0; k < 4; k++)
                if (strcmp(i->name, module_names[k]) == 0)
                    fc->c->imported[k] = true;
        break;
    case S_EXPR: {
        const struct expr *e = s->value;
        if (e->kind == E_CALL)
            ccall(fc, e, -1);
        else
            coperand(fc, e);
        break;
    }
    case S_ASSIGN: {
        const struct expr *t0 = s->targets[0];
        int ls = s->n == 1 && t0->kind == E_NAME ? resolve(fc, t0->name, t0->line, t0->col) : -1;
        if (ls >= 0) {
            cexpr(fc, s->value, ls, false);
            break;
        }
        const struct expr *val = s->value;
        if (s->n == 1 && (t0->kind == E_TUPLE || t0->kind == E_LIST) && val->kind == E_TUPLE &&
            val->n == t0->n && val->n <= 3) {
            /* `a, b = b, a`: CPython 3.11 evaluates the items and swaps them on
             * its stack (no tuple is made); then the stores, left to right */
            int tmp = fc->next_temp;
            for (int i = 0; i < val->n; i++)
                tmp_new(fc, true);
            for (int i = 0; i < val->n; i++)
                cexpr(fc, val->items[i], tmp + i, true);
            for (int i = 0; i < val->n; i++)
                store(fc, t0->items[i], tmp + i);
            break;
        }
        int v = coperand(fc, s->value);
        for (int i = 0; i < s->n; i++)
            store(fc, s->targets[i], v);
        break;
    }
    case S_AUG: {
        const struct expr *t = s->targets[0];
        int code = s->op == '+' ? OP_ADD : s->op == '-' ? OP_SUB : s->op == '*' ? OP_MUL :
                   s->op == '/' ? OP_FLOORDIV : OP_MOD;
        if (t->kind == E_NAME) {
            int ls = resolve(fc, t->name, t->line, t->col);
            if (ls >= 0) {
                int v = coperand(fc, s->value);
                emit(fc, code, ls, ls, v, 0);
            } else {
                int cur = tmp_new(fc, true);
                emit(fc, OP_GLOBAL_GET, cur, name_index(fc, t->name), 0, 0);
                int v = coperand(fc, s->value);
                emit(fc, code, cur, cur, v, 0);
                emit(fc, OP_GLOBAL_SET, name_index(fc, t->name), cur, 0, 0);
            }
        } else if (t->kind == E_ATTR) {
            int o = coperand(fc, t->a);
            int cur = tmp_new(fc, true);
            emit(fc, OP_GETATTR, cur, o, name_index(fc, t->name), 0);
            int v = coperand(fc, s->value);
            emit(fc, code, cur, cur, v, 0);
            emit(fc, OP_SETATTR, o, name_index(fc, t->name), cur, 0);
        } else {
            int c = coperand(fc, t->a);
            int k = coperand(fc, t->b);
            int cur = tmp_new(fc, true);
            emit(fc, OP_GETITEM, cur, c, k, 0);
            int v = coperand(fc, s->value);
            emit(fc, code, cur, cur, v, 0);
            emit(fc, OP_SETITEM, c, k, cur, 0);
        }
        break;
    }
    case S_DEL:
        for (int i = 0; i < s->n; i++) {
            const struct expr *t = s->targets[i];
            fc->line = t->line;
            if (t->kind == E_NAME) {
                int ls = resolve(fc, t->name, t->line, t->col);
                if (ls >= 0)
                    emit(fc, OP_CLEAR, ls, 0, 0, 0);
                else
                    emit(fc, OP_GLOBAL_DEL, name_index(fc, t->name), 0, 0, 0);
            } else if (t->kind == E_SLICE) {
                int c = coperand(fc, t->a);
                emit(fc, OP_DELSLICE, c, cbounds(fc, t), 0, 0);
            } else if (t->kind == E_ATTR) {
                if (is_module_name(fc, t->a))
                    FAIL(fc, t->line, t->col, "deleting module attributes is not supported");
                emit(fc, OP_DELATTR, coperand(fc, t->a), name_index(fc, t->name), 0, 0);
            } else {
                int c = coperand(fc, t->a);
                int k = coperand(fc, t->b);
                emit(fc, OP_DELITEM, c, k, 0, 0);
            }
        }
        break;
    case S_BREAK: case S_CONTINUE:
        if (!fc->loop)
            FAIL(fc, s->line, s->col, "'%s' outside loop", s->kind == S_BREAK ? "break" : "continue");
        if (fc->ntry > fc->loop->ntry)
            FAIL(fc, s->line, s->col, "'%s' inside 'try', 'except' or 'finally' is not supported",
                 s->kind == S_BREAK ? "break" : "continue");
        if (s->kind == S_BREAK)
            add_break(fc, emit(fc, OP_JUMP, 0, 0, 0, 0));
        else
            emit(fc, OP_JUMP, fc->loop->top, 0, 0, 0);
        break;
    case S_RETURN:
        if (fc->module)
            FAIL(fc, s->line, s->col, "'return' outside function");
        if (fc->nfinally)
            FAIL(fc, s->line, s->col, "'return' inside a 'try' with 'finally' is not supported");
        emit(fc, OP_RETURN, s->value ? coperand(fc, s->value) : -1, 0, 0, 0);
        break;
    case S_ASSERT: {
        int text = str_index(fc, fc->c->p->src + s->value->start, (size_t)(s->value->end - s->value->start));
        int c;
        if (s->value->kind == E_NAME && (c = resolve(fc, s->value->name, s->value->line, s->value->col)) >= 0) {
            /* a local: tested in place */
        } else {
            c = tmp_new(fc, true);
            cexpr(fc, s->value, c, true);
        }
        fc->line = s->line;
        if (!s->msg) {
            emit(fc, OP_ASSERT, c, -1, text, 0);
        } else if (s->msg->kind == E_NAME && resolve(fc, s->msg->name, s->msg->line, s->msg->col) >= 0) {
            /* ASSERT reads the message slot only when failing, as Python evaluates it */
            emit(fc, OP_ASSERT, c, resolve(fc, s->msg->name, s->msg->line, s->msg->col), text, 0);
        } else {
            int at = emit(fc, OP_JUMP_IF_TRUE, c, 0, 0, 0);
            int m2 = fc->next_temp;
            int m = coperand(fc, s->msg);
            fc->line = s->line;
            emit(fc, OP_ASSERT, c, m, text, 0);
            scope_end(fc, m2);
            patch(fc, at, here(fc));
        }
        break;
    }
    case S_IF: {
        /* `if c: break` / `if c: continue` jump straight to the loop's target */
        if (fc->loop && s->orelse.n == 0 && s->body.n == 1 && fc->ntry == fc->loop->ntry &&
            (s->body.s[0]->kind == S_BREAK || s->body.s[0]->kind == S_CONTINUE)) {
            int at = jump_if(fc, s->value, true);
            if (s->body.s[0]->kind == S_BREAK)
                add_break(fc, at);
            else
                patch(fc, at, fc->loop->top);
            break;
        }
        int at = jump_if(fc, s->value, false);
        cblock(fc, &s->body);
        if (!block_is_empty(&s->orelse)) {
            int j = emit(fc, OP_JUMP, 0, 0, 0, 0);
            patch(fc, at, here(fc));
            cblock(fc, &s->orelse);
            patch(fc, j, here(fc));
        } else {
            cblock(fc, &s->orelse);   /* imports and globals only */
            patch(fc, at, here(fc));
        }
        break;
    }
    case S_WHILE: {
        struct loop l = { here(fc), NULL, 0, 0, fc->loop, fc->ntry };
        fc->loop = &l;
        if (s->value->kind != E_TRUE && !block_is_empty(&s->orelse)) {
            /* while/else: when the test fails, the else block runs and leaves the
             * loop, in the loop's own body (`if not c: ...; break`, one shape
             * the printer knows); its break and continue are the outer loop's */
            int at = jump_if(fc, s->value, true);
            fc->loop = l.outer;
            cblock(fc, &s->orelse);
            fc->loop = &l;
            fc->line = s->line;
            add_break(fc, emit(fc, OP_JUMP, 0, 0, 0, 0));
            patch(fc, at, here(fc));
        } else if (s->value->kind != E_TRUE) {
            add_break(fc, jump_if(fc, s->value, false));
        }
        /* `while True: ... else: ...`: the else block can never run */
        cblock(fc, &s->body);
        emit(fc, OP_JUMP, l.top, 0, 0, 0);
        loop_end(fc, &l, NULL);
        break;
    }
    case S_FOR: {
        /* The counter lives in three consecutive slots (next, stop, step) that
         * FOR_RANGE advances: temporaries, or three consecutive `_N` slots
         * used in place (the printer's spelling, see print.c). */
        int k = -1;
        if (s->n == 0) {
            /* FOR_ITER: the iterable in slot k, its state in k+1 and k+2 (empty
             * on entry, cleared after the loop); a pinned `_k` is used in place */
            k = s->value->kind == E_NAME ? pinned_slot(s->value->name) : -1;
            if (k < 0) {
                k = fc->next_temp;
                tmp_new(fc, true);
                tmp_new(fc, true);
                tmp_new(fc, true);
                if (const_list(s->value))
                    emit_const(fc, s->value->items, s->value->n, k);
                else
                    cexpr(fc, s->value, k, true);
            } else {
                note_slot(fc, k + 2);
            }
        }
        if (s->n == 3) {
            int p0 = s->targets[0]->kind == E_NAME ? pinned_slot(s->targets[0]->name) : -1;
            int p1 = s->targets[1]->kind == E_NAME ? pinned_slot(s->targets[1]->name) : -1;
            int p2 = s->targets[2]->kind == E_NAME ? pinned_slot(s->targets[2]->name) : -1;
            if (p0 >= 0 && p1 == p0 + 1 && p2 == p0 + 2)
                k = p0;
        }
        if (k < 0 && s->n > 0) {
            k = fc->next_temp;
            tmp_new(fc, true);
            tmp_new(fc, true);
            tmp_new(fc, true);
            if (s->n == 1)
                emit_int(fc, k, 0);
            else
                cexpr(fc, s->targets[0], k, true);
            cexpr(fc, s->targets[s->n == 1 ? 0 : 1], k + 1, true);
            if (s->n == 3)
                cexpr(fc, s->targets[2], k + 2, true);
            else
                emit_int(fc, k + 2, 1);
        }
        int v = resolve(fc, s->name, s->name_line, s->name_col);
        bool global = v < 0;
        if (global) {
            v = tmp_new(fc, true);
            emit(fc, OP_NONE, v, 0, 0, 0);
        }
        struct loop l = { here(fc), NULL, 0, 0, fc->loop, fc->ntry };
        fc->loop = &l;
        fc->line = s->line;
        add_break(fc, emit(fc, s->n ? OP_FOR_RANGE : OP_FOR_ITER, v, k, 0, 0));
        if (global) {
            fc->line = s->name_line;
            emit(fc, OP_GLOBAL_SET, name_index(fc, s->name), v, 0, 0);
        }
        cblock(fc, &s->body);
        emit(fc, OP_JUMP, l.top, 0, 0, 0);
        loop_end(fc, &l, &s->orelse);
        break;
    }
    case S_TRY:
        ctry(fc, s);
        break;
    case S_RAISE:
        craise(fc, s);
        break;
    case S_EXCEPT:
        break;   /* compiled by ctry */
    case S_DEF: {
        int fi = cfunction(fc, s, s->name);
        int slot = resolve(fc, s->name, s->line, s->col);
        fc->line = s->line;
        if (slot >= 0) {
            emit(fc, OP_FUNC, slot, fi, 0, 0);
        } else {
            int t = tmp_new(fc, true);
            emit(fc, OP_FUNC, t, fi, 0, 0);
            bind_name(fc, s->name, t, s->line, s->col);
        }
        break;
    }
    case S_CLASS: {
        /* CPython runs the body first (its functions and values, in order),
         * then makes the class: each def is a FUNC and each value a
         * temporary, in order; CLASS takes __init__ and __del__; the other
         * methods and values become class attributes (SETATTR on the class,
         * whose dict the first one makes). */
        int n = s->body.n, init = -1, del = -1;
        int basev = -1;   /* class C(B): B is evaluated before the body runs, as CPython's */
        if (s->value) {
            basev = tmp_new(fc, true);
            cexpr(fc, s->value, basev, true);
        }
        int *vals = agrow(fc, NULL, 0, (size_t)(n ? n : 1) * sizeof *vals);
        char qual[160];
        for (int i = 0; i < n; i++) {
            const struct stmt *m = s->body.s[i];
            if (m->kind == S_DEF) {
                snprintf(qual, sizeof qual, "%.70s.%.70s", s->name, m->name);
                fc->c->method_of = s;
                int fi = cfunction(fc, m, qual);
                fc->c->method_of = NULL;
                vals[i] = tmp_new(fc, true);
                fc->line = m->line;
                emit(fc, OP_FUNC, vals[i], fi, 0, 0);
                if (m == s->init)
                    init = vals[i];
                if (m == s->del)
                    del = vals[i];
            } else {
                vals[i] = tmp_new(fc, true);
                cexpr(fc, m->value, vals[i], true);
            }
        }
        fc->line = s->line;
        int slot = resolve(fc, s->name, s->line, s->col);
        int dst = slot >= 0 ? slot : tmp_new(fc, true);
        emit(fc, OP_CLASS, dst, name_index(fc, s->name), init, del);
        if (basev >= 0)
            emit(fc, OP_CLASS_BASE, dst, basev, 0, 0);
        for (int i = 0; i < n; i++) {
            const struct stmt *m = s->body.s[i];
            fc->line = m->line;
            if (m->kind == S_DEF && m != s->init && m != s->del)
                emit(fc, OP_SETATTR, dst, name_index(fc, m->name), vals[i], 0);
            for (int k = 0; m->kind == S_ASSIGN && k < m->n; k++)
                emit(fc, OP_SETATTR, dst, name_index(fc, m->targets[k]->name), vals[i], 0);
        }
        fc->line = s->line;
        if (slot < 0)
            bind_name(fc, s->name, dst, s->line, s->col);
        break;
    }
    }
    scope_end(fc, mark);
}

static void cblock(struct fctx *fc, const struct block *b)
{
    for (int i = 0; i < b->n; i++)
        cstmt(fc, b->s[i]);
}


/* Lay out a frame: parameters, then ordinary locals above every pinned `_N`
 * slot, then temporaries. */
static void layout(struct fctx *fc, int nparams, int maxpin)
{
    int next = maxpin + 1 > nparams ? maxpin + 1 : nparams;
    for (int i = 0; i < fc->nlocals; i++)
        if (fc->locals[i].slot < 0)
            fc->locals[i].slot = next++;
    fc->temp_base = fc->next_temp = next;
    fc->max_slot = next - 1;
}

static void set_debug_names(struct fctx *fc)
{
    struct ops_func *f = &fc->c->prog->funcs[fc->fi];
    /* A frame has exactly the slots its ops name: a local or pinned `_N`
     * that no op uses takes none, so printing and compiling again (which
     * renames and drops such names) gives the same program. */
    f->nslots = ops_func_slots_needed(f);
    if (fc->nlocals == 0)
        return;
    f->slot_names = calloc((size_t)f->nslots, sizeof *f->slot_names);
    if (!f->slot_names)
        return;
    for (int i = 0; i < fc->nlocals; i++)
        if (fc->locals[i].slot < f->nslots)
            f->slot_names[fc->locals[i].slot] = strdup(fc->locals[i].name);
}

/* The empty function that stands for super()'s super object and bound method. */
static int empty_func(struct fctx *fc)
{
    int fi = ops_func_add(fc->c->prog, "<super>", 0, 0);
    if (fi < 0 || ops_func_set_params(fc->c->prog, fi, NULL, 0, NULL, false) != 0 ||
        ops_emit(fc->c->prog, fi, OP_RETURN, -1, 0, 0, 0, 0) < 0)
        FAIL(fc, 0, 0, "out of memory");
    return fi;
}

/* The empty function that stands for a comprehension's function object. */
static int comp_func(struct fctx *fc, const struct expr *e)
{
    int fi = ops_func_add(fc->c->prog, e->kind == E_LISTCOMP ? "<listcomp>" : "<dictcomp>", 0, 0);
    if (fi < 0 || ops_func_set_params(fc->c->prog, fi, NULL, 0, NULL, false) != 0 ||
        ops_emit(fc->c->prog, fi, OP_RETURN, -1, 0, 0, 0, 0) < 0)
        FAIL(fc, 0, 0, "out of memory");
    return fi;
}

static int cfunction(struct fctx *parent, const struct stmt *def, const char *qualname)
{
    struct comp *c = parent->c;
    int fi = ops_func_add(c->prog, qualname, def->nnames, def->nnames);
    if (fi < 0)
        FAIL(parent, 0, 0, "out of memory");
    struct fctx fc = { .c = c, .parent = parent, .fi = fi, .module = false, .line = def->line,
                       .cls = c->method_of, .self = c->method_of && def->nnames ? def->names[0] : NULL };
    c->method_of = NULL;   /* a def inside the method is no method */
    int maxpin = -1;
    for (int i = 0; i < def->nnames; i++) {
        int pin = pinned_slot(def->names[i]);
        if (pin >= 0 && pin != i)
            FAIL(parent, def->line, def->col, "parameter '%s' must be parameter number %d", def->names[i], pin);
        if (pin < 0)
            check_binding(&fc, def->names[i], def->line, def->col);
        push_local(&fc, def->names[i], i);
        if (i > maxpin)
            maxpin = i;
    }
    struct ops_const defs[OPS_MAX_ARGS];
    int ndef = 0;
    for (int i = 0; i < def->nnames; i++) {
        const struct expr *d = def->defaults ? def->defaults[i] : NULL;
        if (!d)
            continue;
        struct ops_const k = { GCLAB_K_NONE, 0 };
        if (d->kind == E_INT)
            k = (struct ops_const){ GCLAB_K_INT, (int64_t)d->ival };
        else if (d->kind == E_STR)
            k = (struct ops_const){ GCLAB_K_STR, str_index(&fc, d->s, d->slen) };
        else if (d->kind == E_TRUE || d->kind == E_FALSE)
            k = (struct ops_const){ GCLAB_K_BOOL, d->kind == E_TRUE };
        defs[ndef++] = k;
    }
    if (ops_func_set_params(c->prog, fi, def->names, ndef, defs, def->varargs) != 0)
        FAIL(parent, 0, 0, "out of memory");
    scan_block(&fc, &def->body, false, &maxpin, true);
    scan_block(&fc, &def->body, false, &maxpin, false);
    layout(&fc, def->nnames, maxpin);
    cblock(&fc, &def->body);
    fc.line = 0;
    emit(&fc, OP_RETURN, -1, 0, 0, 0);
    set_debug_names(&fc);
    return fi;
}

/* Every name a class defines and every attribute name stored (obj.NAME = ...). */
static void scan_attrs(struct fctx *fc, const struct block *b)
{
    for (int i = 0; i < b->n; i++) {
        const struct stmt *s = b->s[i];
        if (s->kind == S_CLASS)
            for (int k = 0; k < s->body.n; k++) {
                const struct stmt *m = s->body.s[k];
                if (m->kind == S_DEF)
                    names_put(fc, &fc->c->attr_names, m->name, 1);
                for (int t = 0; m->kind == S_ASSIGN && t < m->n; t++)
                    names_put(fc, &fc->c->attr_names, m->targets[t]->name, 1);
            }
        for (int t = 0; (s->kind == S_ASSIGN || s->kind == S_AUG) && t < s->n; t++) {
            const struct expr *x = s->targets[t];
            if (x->kind == E_ATTR)
                names_put(fc, &fc->c->attr_names, x->name, 1);
            for (int j = 0; (x->kind == E_TUPLE || x->kind == E_LIST) && j < x->n; j++)
                if (x->items[j]->kind == E_ATTR)
                    names_put(fc, &fc->c->attr_names, x->items[j]->name, 1);
        }
        scan_attrs(fc, &s->body);
        scan_attrs(fc, &s->handlers);
        scan_attrs(fc, &s->orelse);
        scan_attrs(fc, &s->finalbody);
        if (s->kind == S_CLASS)
            for (int k = 0; k < s->body.n; k++)
                if (s->body.s[k]->kind == S_DEF)
                    scan_attrs(fc, &s->body.s[k]->body);
    }
}

struct ops_program *script_compile(const char *src, size_t len, const char *file, char *err, size_t errlen)
{
    struct parser p = { .src = src, .file = file, .len = len, .err = err, .errlen = errlen };
    struct comp c = { .p = &p };
    struct fctx mod = { .c = &c, .fi = 0, .module = true };
    err[0] = 0;
    /* Every failure longjmps here: the arena and the program go, nothing runs. */
    if (setjmp(p.fail)) {
        ops_program_free(c.prog);
        arena_free(&p.arena);
        return NULL;
    }
    c.prog = ops_program_new();
    if (!c.prog)
        script_fail(&p, 0, 0, "out of memory");
    struct block body = script_parse(&p);
    scan_attrs(&mod, &body);
    int maxpin = -1;
    scan_block(&mod, &body, true, &maxpin, true);
    scan_block(&mod, &body, true, &maxpin, false);
    layout(&mod, 0, maxpin);
    cblock(&mod, &body);
    const_prologue(&mod);
    set_debug_names(&mod);
    struct ops_program *prog = c.prog;
    c.prog = NULL;
    arena_free(&p.arena);
    return prog;
}
