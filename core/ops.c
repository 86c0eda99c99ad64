/* ops.c — the instruction set's tables, program building and checking, and
 * the interpreter (ops_run). See ops.h for the instruction set.
 *
 * The interpreter only calls the mutator API (gclab.h): it holds no object
 * pointer across an op, so any allocation may run a collection. Ops that need
 * scratch room (PRINT, the gc.* ops that build tuples and dicts) push a frame
 * of their own and hand the result back with gclab_frame_return.
 *
 * Error locations. An error is located at the innermost op that failed. A
 * CALL that fails keeps the location its callee recorded, unless that
 * location belongs to a different error (one a __del__ raised and core
 * reported and swallowed while the call ran): the recorded message must be
 * the heap's current one.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const struct { const char *name, *kinds; } op_info[OP_COUNT] = {
#define OPS_INFO(name, kinds, doc) { #name, kinds },
    OPS_LIST(OPS_INFO)
#undef OPS_INFO
};

const char *ops_name(int code) { return code >= 0 && code < OP_COUNT ? op_info[code].name : NULL; }
const char *ops_kinds(int code) { return code >= 0 && code < OP_COUNT ? op_info[code].kinds : NULL; }

int ops_func_slots_needed(const struct ops_func *f)
{
    int need = f->nargs;
    for (int pc = 0; pc < f->nops; pc++) {
        const struct ops_op *op = &f->ops[pc];
        if (op->code >= OP_COUNT)
            continue;
        const char *k = op_info[op->code].kinds;
        int32_t v[4] = { op->a, op->b, op->c, op->d };
        for (int i = 0; i < 4; i++) {
            int32_t n = 0;
            if (k[i] == 'S' || k[i] == 'O')
                n = v[i] + 1;
            else if (k[i] == 'R' && i < 3)
                n = v[i] + v[i + 1];   /* an empty range may start at the end */
            if (n > need)
                need = n;
        }
        if ((op->code == OP_FOR_RANGE || op->code == OP_FOR_ITER) && op->b + 3 > need)
            need = op->b + 3;   /* the loop's state slots */
        if (op->code == OP_SLICE && op->c + 3 > need)
            need = op->c + 3;   /* the bounds */
        if (op->code == OP_DELSLICE && op->b + 3 > need)
            need = op->b + 3;
    }
    return need;
}

/* ==================================================================== *
 * Building programs
 * ==================================================================== */

static bool grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return true;
    int nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > (1 << 28))
            return false;
        nc *= 2;
    }
    void *n = realloc(*arr, (size_t)nc * elem);
    if (!n)
        return false;
    *arr = n;
    *cap = nc;
    return true;
}

struct ops_program *ops_program_new(void)
{
    struct ops_program *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (ops_func_add(p, "<module>", 0, 0) != 0) {
        ops_program_free(p);
        return NULL;
    }
    return p;
}

static void exc_truncate(struct ops_rt *rt, int to);

void ops_program_free(struct ops_program *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nfuncs; i++) {
        struct ops_func *f = &p->funcs[i];
        free(f->name);
        free(f->ops);
        if (f->slot_names) {
            for (int s = 0; s < f->nslots; s++)
                free(f->slot_names[s]);
            free(f->slot_names);
        }
        if (f->params) {
            for (int a = 0; a < f->nargs; a++)
                free(f->params[a]);
            free(f->params);
        }
        free(f->defaults);
    }
    free(p->funcs);
    for (int i = 0; i < p->nstrs; i++)
        free(p->strs[i].s);
    free(p->strs);
    free(p->str_index);
    free(p->rt.names);
    free(p->rt.buf.s);
    exc_truncate(&p->rt, 0);
    free(p->rt.exc);
    free(p);
}

int ops_func_add(struct ops_program *p, const char *name, int nargs, int nslots)
{
    if (!grow((void **)&p->funcs, &p->funcs_cap, p->nfuncs + 1, sizeof *p->funcs))
        return -1;
    struct ops_func *f = &p->funcs[p->nfuncs];
    memset(f, 0, sizeof *f);
    f->name = strdup(name ? name : "?");
    if (!f->name)
        return -1;
    f->nargs = nargs;
    f->nslots = nslots > nargs ? nslots : nargs;
    return p->nfuncs++;
}

int ops_func_set_params(struct ops_program *p, int fi, const char *const *names, int ndefaults,
                        const struct ops_const *defaults, bool varargs)
{
    struct ops_func *f = &p->funcs[fi];
    f->params = calloc((size_t)(f->nargs ? f->nargs : 1), sizeof *f->params);
    f->defaults = calloc((size_t)(ndefaults ? ndefaults : 1), sizeof *f->defaults);
    if (!f->params || !f->defaults)
        return -1;
    for (int i = 0; i < f->nargs; i++)
        if (!(f->params[i] = strdup(names[i])))
            return -1;
    if (ndefaults)
        memcpy(f->defaults, defaults, (size_t)ndefaults * sizeof *defaults);
    f->ndefaults = ndefaults;
    f->varargs = varargs;
    return 0;
}

static size_t str_hash(const char *s, size_t len)
{
    uint64_t x = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        x = (x ^ (unsigned char)s[i]) * 1099511628211ull;
    return (size_t)x;
}

/* Where s is in the string index, or the empty place it would go. */
static size_t str_place(const struct ops_program *p, const char *s, size_t len)
{
    size_t mask = (size_t)p->str_index_cap - 1;
    for (size_t i = str_hash(s, len) & mask;; i = (i + 1) & mask) {
        int k = p->str_index[i];
        if (k < 0 || (p->strs[k].len == len && memcmp(p->strs[k].s, s, len) == 0))
            return i;
    }
}

/* Keep the index at most half full. */
static bool str_index_grow(struct ops_program *p)
{
    if ((p->nstrs + 1) * 2 <= p->str_index_cap)
        return true;
    int cap = p->str_index_cap ? p->str_index_cap * 2 : 64;
    if (cap > (1 << 29))
        return false;
    int *t = malloc((size_t)cap * sizeof *t);
    if (!t)
        return false;
    free(p->str_index);
    p->str_index = t;
    p->str_index_cap = cap;
    for (int i = 0; i < cap; i++)
        t[i] = -1;
    for (int k = 0; k < p->nstrs; k++)
        t[str_place(p, p->strs[k].s, p->strs[k].len)] = k;
    return true;
}

int ops_str_add(struct ops_program *p, const char *s, size_t len)
{
    if (!str_index_grow(p))
        return -1;
    size_t at = str_place(p, s, len);
    if (p->str_index[at] >= 0)
        return p->str_index[at];
    if (!grow((void **)&p->strs, &p->strs_cap, p->nstrs + 1, sizeof *p->strs))
        return -1;
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = 0;
    p->strs[p->nstrs] = (struct ops_str){ c, len };
    p->str_index[at] = p->nstrs;
    return p->nstrs++;
}

int ops_emit(struct ops_program *p, int fi, int code, int32_t a, int32_t b, int32_t c, int32_t d,
             int32_t line)
{
    if (fi < 0 || fi >= p->nfuncs)
        return -1;
    struct ops_func *f = &p->funcs[fi];
    if (!grow((void **)&f->ops, &f->cap, f->nops + 1, sizeof *f->ops))
        return -1;
    f->ops[f->nops] = (struct ops_op){ (uint8_t)code, a, b, c, d, line };
    return f->nops++;
}

void ops_int_operands(int64_t v, int32_t *lo, int32_t *hi)
{
    uint64_t u = (uint64_t)v;
    *lo = (int32_t)(uint32_t)(u & 0xffffffffu);
    *hi = (int32_t)(uint32_t)(u >> 32);
}

static int64_t int_from_operands(int32_t lo, int32_t hi)
{
    return (int64_t)(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
}

/* ==================================================================== *
 * Checking
 * ==================================================================== */

static bool is_ident(const struct ops_str *s)
{
    if (s->len == 0 || (s->s[0] >= '0' && s->s[0] <= '9'))
        return false;
    for (size_t i = 0; i < s->len; i++) {
        char c = s->s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

int ops_validate(const struct ops_program *p, char *err, size_t errlen)
{
    if (p->nfuncs < 1) {
        snprintf(err, errlen, "program has no main function");
        return -1;
    }
    for (int fi = 0; fi < p->nfuncs; fi++) {
        const struct ops_func *f = &p->funcs[fi];
        if (f->nargs < 0 || f->nargs > OPS_MAX_ARGS || f->nslots < f->nargs || f->nslots > (1 << 20)) {
            snprintf(err, errlen, "function %d: bad nargs %d / nslots %d", fi, f->nargs, f->nslots);
            return -1;
        }
        if (fi == 0 && f->nargs != 0) {
            snprintf(err, errlen, "main takes no arguments");
            return -1;
        }
        if (!f->params && (f->ndefaults || f->varargs)) {
            snprintf(err, errlen, "function %d: defaults or *args without parameter names", fi);
            return -1;
        }
        if (f->ndefaults < 0 || f->ndefaults + (f->varargs ? 1 : 0) > f->nargs) {
            snprintf(err, errlen, "function %d: %d defaults for %d parameters", fi, f->ndefaults, f->nargs);
            return -1;
        }
        for (int i = 0; i < f->ndefaults; i++) {
            const struct ops_const *k = &f->defaults[i];
            if (!(k->kind == GCLAB_K_NONE || (k->kind == GCLAB_K_BOOL && (k->v == 0 || k->v == 1)) ||
                  k->kind == GCLAB_K_INT || (k->kind == GCLAB_K_STR && k->v >= 0 && k->v < p->nstrs))) {
                snprintf(err, errlen, "function %d: bad default %d", fi, i);
                return -1;
            }
        }
        for (int pc = 0; pc < f->nops; pc++) {
            const struct ops_op *op = &f->ops[pc];
            if (op->code == OP_KWNAMES && (pc + 1 >= f->nops || (f->ops[pc + 1].code != OP_CALL &&
                                                                 f->ops[pc + 1].code != OP_CALL_METHOD))) {
                snprintf(err, errlen, "function %d op %d: KWNAMES not followed by a CALL or CALL_METHOD", fi, pc);
                return -1;
            }
            if (op->code >= OP_COUNT) {
                snprintf(err, errlen, "function %d op %d: bad opcode %d", fi, pc, op->code);
                return -1;
            }
            const char *k = op_info[op->code].kinds;
            int32_t v[4] = { op->a, op->b, op->c, op->d };
            for (int i = 0; i < 4; i++) {
                const char *bad = NULL;
                switch (k[i]) {
                case 'S': if (v[i] < 0 || v[i] >= f->nslots) bad = "slot"; break;
                case 'O': if (v[i] < -1 || v[i] >= f->nslots) bad = "optional slot"; break;
                case 'R':
                    if (v[i + 1] < 0 || v[i + 1] > OPS_MAX_ARGS || v[i] < 0 ||
                        (int64_t)v[i] + v[i + 1] > f->nslots || (v[i + 1] == 0 && v[i] > f->nslots))
                        bad = "slot range";
                    break;
                case 'N': case 'I': break;
                case 'T': if (v[i] < 0 || v[i] >= p->nstrs) bad = "string"; break;
                case 'Y': if (v[i] < 0 || v[i] >= p->nstrs || !is_ident(&p->strs[v[i]])) bad = "name"; break;
                case 'F': if (v[i] < 1 || v[i] >= p->nfuncs) bad = "function"; break;
                case 'J': if (v[i] < 0 || v[i] > f->nops) bad = "jump target"; break;
                case '-': if (v[i] != 0) bad = "unused operand"; break;
                }
                if (bad) {
                    snprintf(err, errlen, "function %d op %d (%s): bad %s operand %c = %d", fi, pc,
                             op_info[op->code].name, bad, "abcd"[i], v[i]);
                    return -1;
                }
            }
            if (op->code == OP_BOOL && op->b != 0 && op->b != 1) {
                snprintf(err, errlen, "function %d op %d (BOOL): value %d is not 0 or 1", fi, pc, op->b);
                return -1;
            }
            if (op->code == OP_BLOB && (op->b < 0 || op->b > (1 << 24))) {
                snprintf(err, errlen, "function %d op %d (BLOB): bad size %d", fi, pc, op->b);
                return -1;
            }
            if (op->code == OP_UNPACK && (op->c < 1 || (op->a >= op->b && op->a < op->b + op->c))) {
                snprintf(err, errlen, "function %d op %d: UNPACK needs 1 or more targets, none of them the source", fi, pc);
                return -1;
            }
            if (op->code == OP_IS_KIND && (op->c < 0 || op->c >= GCLAB_K_COUNT)) {
                snprintf(err, errlen, "function %d op %d: IS_KIND of kind %d", fi, pc, op->c);
                return -1;
            }
            if (op->code == OP_CALL_METHOD && op->d < 2) {
                snprintf(err, errlen, "function %d op %d: CALL_METHOD needs the callee's and the object's slots", fi, pc);
                return -1;
            }
            if ((op->code == OP_SLICE && op->c + 2 >= f->nslots) || (op->code == OP_DELSLICE && op->b + 2 >= f->nslots)) {
                snprintf(err, errlen, "function %d op %d: slice bounds out of range", fi, pc);
                return -1;
            }
            if ((op->code == OP_FOR_RANGE || op->code == OP_FOR_ITER) && op->b + 2 >= f->nslots) {
                snprintf(err, errlen, "function %d op %d (FOR_RANGE): slots %d..%d out of range", fi, pc,
                         op->b, op->b + 2);
                return -1;
            }
        }
    }
    return 0;
}

/* ==================================================================== *
 * The interpreter
 * ==================================================================== */

static gclab_status exec_func(struct ops_program *p, gclab_heap *h, int fi);

/* Interpreted calls nest in C (trampoline -> exec_func -> gclab_call -> ...),
 * so their depth is bounded here too, whatever the heap's max_depth: a few
 * hundred bytes of C stack per level (more under ASan) must stay well
 * inside the default 8 MB stack. */
#define OPS_MAX_CALL_DEPTH 2000

static gclab_status trampoline(gclab_heap *h, void *ctx, int64_t code)
{
    struct ops_program *p = ctx;
    if (p->rt.depth >= OPS_MAX_CALL_DEPTH)
        return gclab_raise(h, GCLAB_ERECURSION, "maximum recursion depth exceeded");
    p->rt.depth++;
    gclab_status st = exec_func(p, h, (int)code);
    p->rt.depth--;
    return st;
}

/* Intern the string table in h, once per heap (a program may run on several).
 * Keyed by the heap's id, not its address: a heap freed and a new one
 * allocated at the same address must not reuse the dead heap's names. */
static gclab_status rt_bind(struct ops_program *p, gclab_heap *h)
{
    if (p->rt.heap_id == gclab_heap_id(h) && p->rt.nnames == p->nstrs)
        return GCLAB_OK;
    gclab_name *n = realloc(p->rt.names, (size_t)(p->nstrs ? p->nstrs : 1) * sizeof *n);
    if (!n)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    p->rt.names = n;
    for (int i = 0; i < p->nstrs; i++) {
        /* Strings with a NUL byte cannot be names (ops_validate refuses them as Y operands). */
        n[i] = strlen(p->strs[i].s) == p->strs[i].len ? gclab_intern(h, p->strs[i].s) : NULL;
        if (!n[i] && strlen(p->strs[i].s) == p->strs[i].len) {
            p->rt.nnames = 0;
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory interning names");
        }
    }
    p->rt.heap_id = gclab_heap_id(h);
    p->rt.nnames = p->nstrs;
    return GCLAB_OK;
}

static void locate(struct ops_program *p, gclab_heap *h, int fi, int pc, bool keep_inner)
{
    struct ops_rt *rt = &p->rt;
    if (keep_inner && rt->err_located && strcmp(rt->err_msg, gclab_error(h)) == 0)
        return;
    rt->err_located = true;
    rt->err_func = fi;
    rt->err_pc = pc;
    rt->err_line = p->funcs[fi].ops[pc].line;
    snprintf(rt->err_msg, sizeof rt->err_msg, "%s", gclab_error(h));
}

/* ---- PRINT ---- */

/* print(args...) where the args are in slots first..first+n-1. */
static gclab_status empty_check(gclab_heap *h, int s);

/* print's sep= or end=: a str, or None (or -1) for the default. */
static gclab_status print_text(gclab_heap *h, int slot, const char *what, const char *dflt, char **out, size_t *n)
{
    const char *s;
    if (slot < 0 || gclab_kind_of(h, slot) == GCLAB_K_NONE) {
        *out = strdup(dflt);
        *n = strlen(dflt);
    } else if (gclab_kind_of(h, slot) == GCLAB_K_STR) {
        gclab_str_value(h, slot, &s, n);
        *out = malloc(*n + 1);
        if (*out)
            memcpy(*out, s, *n);
    } else {
        gclab_status st = empty_check(h, slot);
        return st ? st : gclab_raise(h, GCLAB_ETYPE, "%s must be None or a string, not %s", what,
                                     gclab_type_name(h, slot));
    }
    return *out ? GCLAB_OK : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
}

/* CPython 3.11's print, modelled where stdout is (gclab_stdout_mode): what
 * it allocates, in its order, as measured with gc.get_count() under
 * python3 -S (core/script/README.md) and read in Python/bltinmodule.c,
 * Python/clinic/bltinmodule.c.h and Modules/_io/textio.c:
 *  1. the first print ever makes its parser's keyword-name tuple
 *     ('sep', 'end', 'file', 'flush'), kept (GCLAB_IROOT_PRINT_KW);
 *  2. the positional arguments are packed in a new tuple (*args, from the
 *     tuple free list when it can), held through the call;
 *  3. each write -- str(arg), sep between arguments, end -- gets a bound
 *     `write` method (PyObject_GetAttr in PyFile_WriteObject: one tracked
 *     object, no free list) before the text is made, freed after the write;
 *  4. sys.stdout's TextIOWrapper keeps the written texts pending: the
 *     second pending text makes a list (GCLAB_IROOT_STDOUT_PENDING), freed
 *     when the pending bytes are flushed: before a write that would pass
 *     8192 bytes (chunk_size), after one that reaches it, after every write
 *     when write_through (UNBUFFERED), after a newline when line-buffered.
 * Any of these allocations can trigger a collection; the output goes out
 * write by write, so what a __del__ or callback prints meanwhile lands
 * where CPython's would. */
#define PRINT_CHUNK 8192

static gclab_status print_write_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx;
    (void)code;
    return gclab_raise(h, GCLAB_ETYPE, "print's bound write method is not callable here");
}

/* sys.stdout's pending bytes are written out (_textiowrapper_writeflush). */
static void print_flush(struct ops_program *p, gclab_heap *h)
{
    p->rt.out_pending = 0;
    p->rt.out_has_text = false;
    gclab_iroot_clear(h, GCLAB_IROOT_STDOUT_PENDING);
}

/* One write(text) to the modelled sys.stdout (textiowrapper_write); scratch
 * is an empty slot for the pending list. */
static gclab_status print_textio_write(struct ops_program *p, gclab_heap *h, int mode, int scratch,
                                       const char *text, size_t len)
{
    struct ops_rt *rt = &p->rt;
    bool needflush = mode == GCLAB_STDOUT_LINE && (memchr(text, '\n', len) || memchr(text, '\r', len));
    if (rt->out_has_text && rt->out_pending + len > PRINT_CHUNK)
        print_flush(p, h);
    if (rt->out_has_text && !gclab_iroot_has(h, GCLAB_IROOT_STDOUT_PENDING)) {
        gclab_status st = gclab_list_new(h, scratch);
        if (st == GCLAB_OK)
            st = gclab_iroot_set(h, GCLAB_IROOT_STDOUT_PENDING, scratch);
        gclab_clear(h, scratch);
        if (st != GCLAB_OK)
            return st;
    }
    rt->out_has_text = true;
    rt->out_pending += len;
    fwrite(text, 1, len, rt->out ? rt->out : stdout);
    if (rt->out_pending >= PRINT_CHUNK || needflush || mode == GCLAB_STDOUT_UNBUFFERED)
        print_flush(p, h);
    return GCLAB_OK;
}

/* One write of print: str(slot arg), or text[0..len) when arg < 0. Slots m
 * and m + 1 of the current frame are empty scratch. */
static gclab_status print_write(struct ops_program *p, gclab_heap *h, int mode, int m, int arg,
                                const char *text, size_t len)
{
    gclab_status st = GCLAB_OK;
    struct repr_buf b = { NULL, 0, 0 };
    if (mode != GCLAB_STDOUT_UNMODELLED &&
        (st = gclab_func_new(h, m, "write", print_write_fn, NULL, 0, 0, 0)) != GCLAB_OK)
        return st;
    if (arg >= 0) {
        if ((st = repr_append(h, &b, arg, true)) == GCLAB_OK) {
            text = b.s ? b.s : "";
            len = b.len;
        }
    }
    if (st == GCLAB_OK) {
        if (mode != GCLAB_STDOUT_UNMODELLED)
            st = print_textio_write(p, h, mode, m + 1, text, len);
        else
            fwrite(text, 1, len, p->rt.out ? p->rt.out : stdout);
    }
    free(b.s);
    if (mode != GCLAB_STDOUT_UNMODELLED)
        gclab_clear(h, m);
    return st;
}

/* print's keyword-name tuple, made on its first call and kept. */
static gclab_status print_kwtuple(gclab_heap *h)
{
    static const char *const kw[] = { "sep", "end", "file", "flush" };
    if (gclab_iroot_has(h, GCLAB_IROOT_PRINT_KW))
        return GCLAB_OK;
    gclab_status st = gclab_frame_push(h, 5);
    for (int i = 0; i < 4 && st == GCLAB_OK; i++)
        st = gclab_str_new(h, i, kw[i], strlen(kw[i]));
    if (st == GCLAB_OK)
        st = gclab_tuple_new(h, 4, 4, (int[]){ 0, 1, 2, 3 });
    if (st == GCLAB_OK)
        st = gclab_iroot_set(h, GCLAB_IROOT_PRINT_KW, 4);
    gclab_frame_pop(h);
    return st;
}

static gclab_status op_print(struct ops_program *p, gclab_heap *h, int first, int n, int sep_slot, int end_slot)
{
    gclab_status st;
    char *sep = NULL, *end = NULL;
    size_t nsep, nend;
    int mode = gclab_stdout_mode(h);
    int args[OPS_MAX_ARGS];
    for (int i = 0; i < n; i++)
        args[i] = first + i;
    /* sep and end are read now (their slots are in this frame), checked in
     * CPython's order: after the keyword tuple and the argument tuple. */
    char msg[256] = "";
    gclab_status est = print_text(h, sep_slot, "sep", " ", &sep, &nsep);
    if (est == GCLAB_OK)
        est = print_text(h, end_slot, "end", "\n", &end, &nend);
    if (est != GCLAB_OK)
        snprintf(msg, sizeof msg, "%s", gclab_error(h));
    /* Frame: the arguments, the argument tuple, two scratch slots. */
    if ((st = gclab_frame_push_args(h, n + 3, n, args)) != GCLAB_OK) {
        free(sep);
        free(end);
        return st;
    }
    if (mode != GCLAB_STDOUT_UNMODELLED) {
        st = print_kwtuple(h);
        if (st == GCLAB_OK && n > 0)
            st = gclab_tuple_new(h, n, n, (int[]){ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 });
    }
    if (st == GCLAB_OK && est != GCLAB_OK)
        st = gclab_raise(h, est, "%s", msg);
    for (int i = 0; i < n && st == GCLAB_OK; i++) {
        if (i > 0)
            st = print_write(p, h, mode, n + 1, -1, sep, nsep);
        if (st == GCLAB_OK)
            st = print_write(p, h, mode, n + 1, i, NULL, 0);
    }
    if (st == GCLAB_OK)
        st = print_write(p, h, mode, n + 1, -1, end, nend);
    free(sep);
    free(end);
    if (st != GCLAB_OK) {
        snprintf(msg, sizeof msg, "%s", gclab_error(h));
        est = gclab_error_status(h);
        gclab_frame_pop(h);
        return gclab_raise(h, est ? est : st, "%s", msg);
    }
    return gclab_frame_pop(h);
}

/* ---- ints ---- */

/* The int value of slot s if it holds an int or bool. */
static bool as_int(gclab_heap *h, int s, int64_t *v)
{
    int k = gclab_kind_of(h, s);
    return (k == GCLAB_K_INT || k == GCLAB_K_BOOL) && gclab_int_value(h, s, v) == GCLAB_OK;
}

static const char *op_symbol(int code)
{
    switch (code) {
    case OP_ADD: return "+"; case OP_SUB: return "-"; case OP_MUL: return "*";
    case OP_FLOORDIV: return "//"; case OP_MOD: return "%";
    case OP_LT: return "<"; case OP_LE: return "<="; case OP_GT: return ">"; case OP_GE: return ">=";
    default: return "?";
    }
}

static gclab_status empty_check(gclab_heap *h, int s)
{
    if (gclab_kind_of(h, s) == GCLAB_K_EMPTY)
        return gclab_raise(h, GCLAB_ENAME, "slot %d is empty", s);
    return GCLAB_OK;
}

/* Sequence `+` and `*` (list, tuple, str; CPython's list_concat, list_repeat,
 * tuplerepeat...): one new object, its items read one by one into a frame of
 * their own (slot 0 and 1 the operands, 2 the result, 3 scratch, then a
 * tuple's items), so a collection at any allocation finds them all. */
#define SEQ_MAX_ITEMS (1 << 24)

static gclab_status seq_arith(gclab_heap *h, const struct ops_op *op, bool *handled)
{
    int kb = gclab_kind_of(h, op->b), kc = gclab_kind_of(h, op->c);
    int64_t n1 = 0, n2 = 0, times = 1;
    bool concat = op->code == OP_ADD && kb == kc && (kb == GCLAB_K_LIST || kb == GCLAB_K_TUPLE);
    bool repeat = op->code == OP_MUL && (((kb == GCLAB_K_LIST || kb == GCLAB_K_TUPLE || kb == GCLAB_K_STR) &&
                                          (kc == GCLAB_K_INT || kc == GCLAB_K_BOOL)) ||
                                         ((kc == GCLAB_K_LIST || kc == GCLAB_K_TUPLE || kc == GCLAB_K_STR) &&
                                          (kb == GCLAB_K_INT || kb == GCLAB_K_BOOL)));
    *handled = concat || repeat;
    if (!*handled)
        return GCLAB_OK;
    int seq = op->b, cnt = op->c;
    if (repeat && !(kb == GCLAB_K_LIST || kb == GCLAB_K_TUPLE || kb == GCLAB_K_STR)) {
        seq = op->c;
        cnt = op->b;
    }
    int kind = gclab_kind_of(h, seq);
    gclab_len(h, seq, &n1);
    if (concat)
        gclab_len(h, op->c, &n2);
    else
        gclab_int_value(h, cnt, &times);
    if (times < 0 || (repeat && n1 == 0))
        times = 0;   /* an empty sequence repeated any number of times is empty: no loop */
    if ((concat && n1 + n2 > SEQ_MAX_ITEMS) || (repeat && n1 && times > SEQ_MAX_ITEMS / n1))
        return gclab_raise(h, GCLAB_EMEMORY, "sequence of more than %d items", SEQ_MAX_ITEMS);
    int64_t total = concat ? n1 + n2 : n1 * times;
    if (kind == GCLAB_K_STR) {
        const char *s;
        size_t n;
        gclab_str_value(h, seq, &s, &n);
        char *buf = malloc((size_t)total + 1);
        if (!buf)
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        for (int64_t i = 0; i < times; i++)
            memcpy(buf + i * n1, s, (size_t)n1);
        gclab_status st = gclab_str_new(h, op->a, buf, (size_t)total);
        free(buf);
        return st;
    }
    bool tuple = kind == GCLAB_K_TUPLE;
    int nslots = 4 + (tuple ? (int)total : 0);
    gclab_status st = gclab_frame_push_args(h, nslots, 2, (int[]){ seq, concat ? op->c : seq });
    if (st != GCLAB_OK)
        return st;
    if (!tuple)
        st = gclab_list_new(h, 2);
    int64_t k = 0;
    for (int64_t r = 0; r < (concat ? 2 : times) && st == GCLAB_OK; r++) {
        int src = concat ? (int)r : 0;
        int64_t len = concat ? (r ? n2 : n1) : n1;
        for (int64_t i = 0; i < len && st == GCLAB_OK; i++, k++) {
            int into = tuple ? 4 + (int)k : 3;
            st = tuple ? gclab_tuple_get(h, into, src, i) : gclab_list_get(h, into, src, i);
            if (st == GCLAB_OK && !tuple)
                st = gclab_list_append(h, 2, 3);
        }
    }
    if (st == GCLAB_OK && tuple) {
        int *srcs = malloc((size_t)(total ? total : 1) * sizeof *srcs);
        if (!srcs)
            st = gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        for (int64_t i = 0; srcs && i < total; i++)
            srcs[i] = 4 + (int)i;
        if (srcs)
            st = gclab_tuple_new(h, 2, (int)total, srcs);
        free(srcs);
    }
    if (st != GCLAB_OK) {
        gclab_frame_pop(h);
        return st;
    }
    return gclab_frame_return(h, 2, op->a);
}

/* ---- `%` formatting of a str (CPython's printf-style formatting) ---- */

/* One conversion of the value in slot v: d i x X o c s r, with flags - + space 0,
 * a width and a precision. */
static gclab_status format_one(gclab_heap *h, struct repr_buf *out, int v, char conv, const char *flags,
                               int width, int prec, size_t at)
{
    struct repr_buf b = { 0 };
    gclab_status st = GCLAB_OK;
    bool left = strchr(flags, '-'), zero = strchr(flags, '0') && !left, plus = strchr(flags, '+'),
         space = strchr(flags, ' ');
    bool numeric = false;
    if (conv == 's' || conv == 'r') {
        st = repr_append(h, &b, v, conv == 's');
        if (st == GCLAB_OK && prec >= 0 && (size_t)prec < b.len)
            b.len = (size_t)prec;
        zero = false;
    } else if (conv == 'c') {
        int64_t x;
        const char *cs;
        size_t cn;
        if (gclab_kind_of(h, v) == GCLAB_K_STR && gclab_str_value(h, v, &cs, &cn) == GCLAB_OK && cn == 1)
            st = repr_put(&b, cs, 1) ? GCLAB_OK : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        else if (as_int(h, v, &x) && x >= 0 && x < 0x80) {
            char ch = (char)x;
            st = repr_put(&b, &ch, 1) ? GCLAB_OK : gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        } else
            st = gclab_raise(h, GCLAB_ETYPE, "%%c requires int or char (ASCII here)");
        zero = false;
    } else {
        int64_t x;
        if (!as_int(h, v, &x))
            st = gclab_raise(h, GCLAB_ETYPE, conv == 'd' || conv == 'i'
                                                 ? "%%%c format: a real number is required, not %s"
                                                 : "%%%c format: an integer is required, not %s",
                             conv, gclab_type_name(h, v));
        else {
            char digits[80];
            uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
            int base = conv == 'x' || conv == 'X' ? 16 : conv == 'o' ? 8 : 10, n = 0;
            const char *dg = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            do {
                digits[n++] = dg[u % (uint64_t)base];
                u /= (uint64_t)base;
            } while (u);
            while (prec >= 0 && n < prec && n < 70)
                digits[n++] = '0';
            char sign = x < 0 ? '-' : plus ? '+' : space ? ' ' : 0;
            if (sign)
                repr_put(&b, &sign, 1);
            for (int i = n - 1; i >= 0; i--)
                repr_put(&b, &digits[i], 1);
            numeric = true;
        }
    }
    (void)at;
    if (st == GCLAB_OK) {
        size_t pad = width > 0 && (size_t)width > b.len ? (size_t)width - b.len : 0;
        size_t signlen = numeric && b.len && (b.s[0] == '-' || b.s[0] == '+' || b.s[0] == ' ') ? 1 : 0;
        bool ok = true;
        if (zero && numeric) {
            ok = repr_put(out, b.s, signlen);
            for (size_t i = 0; i < pad && ok; i++)
                ok = repr_put(out, "0", 1);
            ok = ok && repr_put(out, b.s + signlen, b.len - signlen);
        } else {
            for (size_t i = 0; i < pad && ok && !left; i++)
                ok = repr_put(out, " ", 1);
            ok = ok && repr_put(out, b.s ? b.s : "", b.len);
            for (size_t i = 0; i < pad && ok && left; i++)
                ok = repr_put(out, " ", 1);
        }
        if (!ok)
            st = gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    }
    free(b.s);
    return st;
}

/* `_a = _b % _c` for a str _b: the values are _c's items if it is a tuple,
 * else _c itself, read into a frame of their own (slot 0 the format, 1 the
 * values, 2 the item). */
static gclab_status str_format(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st = gclab_frame_push_args(h, 3, 2, (int[]){ op->b, op->c });
    if (st != GCLAB_OK)
        return st;
    bool tuple = gclab_kind_of(h, 1) == GCLAB_K_TUPLE;
    int64_t nvals = 1, used = 0;
    if (tuple)
        gclab_len(h, 1, &nvals);
    struct repr_buf out = { 0 };
    const char *f;
    size_t n;
    gclab_str_value(h, 0, &f, &n);
    char *fmt = malloc(n + 1);
    if (!fmt) {
        gclab_frame_pop(h);
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    }
    memcpy(fmt, f, n);
    fmt[n] = 0;
    for (size_t i = 0; i < n && st == GCLAB_OK;) {
        if (fmt[i] != '%') {
            size_t j = i;
            while (j < n && fmt[j] != '%')
                j++;
            if (!repr_put(&out, fmt + i, j - i))
                st = gclab_raise(h, GCLAB_EMEMORY, "out of memory");
            i = j;
            continue;
        }
        size_t start = i++;
        char flags[8] = { 0 };
        int nf = 0, width = 0, prec = -1;
        if (i < n && fmt[i] == '(') {
            st = gclab_raise(h, GCLAB_EVALUE, "%%(name) formatting is not supported (no mappings here)");
            break;
        }
        while (i < n && strchr("-+ 0#", fmt[i]) && nf < 7)
            flags[nf++] = fmt[i++];
        while (i < n && fmt[i] >= '0' && fmt[i] <= '9' && width < 100000)
            width = width * 10 + (fmt[i++] - '0');
        if (i < n && fmt[i] == '.') {
            prec = 0;
            for (i++; i < n && fmt[i] >= '0' && fmt[i] <= '9' && prec < 100000; i++)
                prec = prec * 10 + (fmt[i] - '0');
        }
        if (i < n && fmt[i] == '*') {
            st = gclab_raise(h, GCLAB_EVALUE, "'*' widths are not supported in %% formatting here");
            break;
        }
        if (i >= n) {
            st = gclab_raise(h, GCLAB_EVALUE, "incomplete format");
            break;
        }
        char conv = fmt[i++];
        if (conv == '%') {
            if (!repr_put(&out, "%", 1))
                st = gclab_raise(h, GCLAB_EMEMORY, "out of memory");
            continue;
        }
        if (!strchr("diouxXcsr", conv)) {
            st = gclab_raise(h, GCLAB_EVALUE, "unsupported format character '%c' (0x%x) at index %zu",
                             conv >= 0x20 && conv < 0x7f ? conv : '?', (unsigned char)conv, i - 1);
            break;
        }
        if (conv == 'u')
            conv = 'd';
        if (used >= nvals) {
            st = gclab_raise(h, GCLAB_ETYPE, "not enough arguments for format string");
            break;
        }
        if (tuple)
            st = gclab_tuple_get(h, 2, 1, used);
        else
            st = gclab_move(h, 2, 1);
        used++;
        if (st == GCLAB_OK)
            st = format_one(h, &out, 2, conv, flags, width, prec, start);
    }
    if (st == GCLAB_OK && used < nvals)
        st = gclab_raise(h, GCLAB_ETYPE, "not all arguments converted during string formatting");
    free(fmt);
    if (st == GCLAB_OK)
        st = gclab_str_new(h, 2, out.s ? out.s : "", out.len);
    free(out.s);
    if (st != GCLAB_OK) {
        gclab_frame_pop(h);
        return st;
    }
    return gclab_frame_return(h, 2, op->a);
}

static gclab_status op_arith(gclab_heap *h, const struct ops_op *op)
{
    int64_t x, y, r = 0;
    gclab_status st;
    if ((st = empty_check(h, op->b)) != GCLAB_OK || (st = empty_check(h, op->c)) != GCLAB_OK)
        return st;
    bool xi = as_int(h, op->b, &x), yi = as_int(h, op->c, &y);
    if (!xi || !yi) {
        bool handled;
        st = seq_arith(h, op, &handled);
        if (handled)
            return st;
        int kb = gclab_kind_of(h, op->b), kc = gclab_kind_of(h, op->c);
        if (op->code == OP_MOD && kb == GCLAB_K_STR)
            return str_format(h, op);
        if (op->code == OP_ADD && kb == GCLAB_K_STR && kc == GCLAB_K_STR) {
            const char *s;
            size_t n1, n2;
            gclab_str_value(h, op->b, &s, &n1);
            char *buf = malloc(n1 + 1);
            if (!buf)
                return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
            memcpy(buf, s, n1);
            gclab_str_value(h, op->c, &s, &n2);
            char *b2 = realloc(buf, n1 + n2 + 1);
            if (!b2) {
                free(buf);
                return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
            }
            memcpy(b2 + n1, s, n2);
            st = gclab_str_new(h, op->a, b2, n1 + n2);
            free(b2);
            return st;
        }
        if (op->code == OP_ADD && kb == GCLAB_K_STR)
            return gclab_raise(h, GCLAB_ETYPE, "can only concatenate str (not \"%s\") to str",
                               gclab_type_name(h, op->c));
        return gclab_raise(h, GCLAB_ETYPE, "unsupported operand type(s) for %s: '%s' and '%s'",
                           op_symbol(op->code), gclab_type_name(h, op->b), gclab_type_name(h, op->c));
    }
    bool ovf = false;
    switch (op->code) {
    case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
    case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
    case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
    case OP_FLOORDIV: case OP_MOD:
        if (y == 0)
            return gclab_raise(h, GCLAB_EZERODIV, op->code == OP_MOD ? "integer modulo by zero"
                                                                     : "integer division or modulo by zero");
        if (x == INT64_MIN && y == -1) {
            ovf = op->code == OP_FLOORDIV;
            r = 0;
            break;
        }
        {
            int64_t q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {
                q -= 1;
                m += y;
            }
            r = op->code == OP_FLOORDIV ? q : m;
        }
        break;
    }
    if (ovf)
        return gclab_raise(h, GCLAB_EOVERFLOW, "integer overflow (ints are 64-bit in gclab)");
    return gclab_int_new(h, op->a, r);
}

static gclab_status op_compare(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st;
    bool r = false;
    if ((st = empty_check(h, op->b)) != GCLAB_OK || (st = empty_check(h, op->c)) != GCLAB_OK)
        return st;
    switch (op->code) {
    case OP_EQ: case OP_NE:
        if ((st = gclab_equal(h, op->b, op->c, &r)) != GCLAB_OK)
            return st;
        return gclab_bool(h, op->a, op->code == OP_EQ ? r : !r);
    case OP_IS: case OP_IS_NOT:
        if ((st = gclab_is(h, op->b, op->c, &r)) != GCLAB_OK)
            return st;
        return gclab_bool(h, op->a, op->code == OP_IS ? r : !r);
    }
    int64_t x, y;
    int c;
    if (as_int(h, op->b, &x) && as_int(h, op->c, &y)) {
        c = x < y ? -1 : x > y;
    } else if (gclab_kind_of(h, op->b) == GCLAB_K_STR && gclab_kind_of(h, op->c) == GCLAB_K_STR) {
        const char *s1, *s2;
        size_t n1, n2;
        gclab_str_value(h, op->b, &s1, &n1);
        gclab_str_value(h, op->c, &s2, &n2);
        c = memcmp(s1, s2, n1 < n2 ? n1 : n2);
        if (c == 0)
            c = n1 < n2 ? -1 : n1 > n2;
    } else {
        return gclab_raise(h, GCLAB_ETYPE, "'%s' not supported between instances of '%s' and '%s'",
                           op_symbol(op->code), gclab_type_name(h, op->b), gclab_type_name(h, op->c));
    }
    switch (op->code) {
    case OP_LT: r = c < 0; break;
    case OP_LE: r = c <= 0; break;
    case OP_GT: r = c > 0; break;
    default: r = c >= 0; break;
    }
    return gclab_bool(h, op->a, r);
}

static gclab_status int_arg(gclab_heap *h, int s, int64_t *v)
{
    /* The fast path is one call; the kind is looked at only to word an error. */
    gclab_status st = gclab_int_value(h, s, v);
    if (st == GCLAB_ETYPE)
        return gclab_raise(h, GCLAB_ETYPE, "'%s' object cannot be interpreted as an integer",
                           gclab_type_name(h, s));
    return st;
}

/* `for a in range(...)`, one step: see ops.h. Returns true to continue. */
static gclab_status op_for_range(gclab_heap *h, const struct ops_op *op, bool *go)
{
    int64_t cur, stop, step, next;
    gclab_status st;
    *go = false;
    if ((st = int_arg(h, op->b, &cur)) != GCLAB_OK || (st = int_arg(h, op->b + 1, &stop)) != GCLAB_OK ||
        (st = int_arg(h, op->b + 2, &step)) != GCLAB_OK)
        return st;
    if (step == 0)
        return gclab_raise(h, GCLAB_EVALUE, "range() arg 3 must not be zero");
    if (step > 0 ? cur >= stop : cur <= stop)
        return GCLAB_OK;
    if (__builtin_add_overflow(cur, step, &next))
        next = stop;   /* the range ends before the overflow */
    /* _b is the loop's own counter: advanced in place when only _b holds it
     * (gclab_int_replace), so an iteration allocates one int, the loop
     * variable's, as CPython's range iterator does */
    if ((st = gclab_int_new(h, op->a, cur)) != GCLAB_OK || (st = gclab_int_replace(h, op->b, next)) != GCLAB_OK)
        return st;
    *go = true;
    return GCLAB_OK;
}

/* Build a tuple of n ints into dst (scratch frame, then frame_return). */
/* `_a = _b in _c`: CPython's PySequence_Contains (identity, then ==) for
 * lists and tuples, a key lookup for dicts, a substring test for strs. The
 * items are read into a frame of their own (0 the needle, 1 the container,
 * 2 the item). */
static gclab_status op_contains(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st;
    if ((st = empty_check(h, op->b)) != GCLAB_OK || (st = empty_check(h, op->c)) != GCLAB_OK)
        return st;
    int kind = gclab_kind_of(h, op->c);
    bool found = false;
    if (kind == GCLAB_K_STR) {
        const char *s, *t;
        size_t n, m;
        if (gclab_kind_of(h, op->b) != GCLAB_K_STR)
            return gclab_raise(h, GCLAB_ETYPE, "'in <string>' requires string as left operand, not %s",
                               gclab_type_name(h, op->b));
        gclab_str_value(h, op->b, &t, &m);
        char *needle = malloc(m + 1);
        if (!needle)
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        memcpy(needle, t, m);
        gclab_str_value(h, op->c, &s, &n);
        for (size_t i = 0; i + m <= n && !found; i++)
            found = memcmp(s + i, needle, m) == 0;
        free(needle);
    } else if (kind == GCLAB_K_LIST || kind == GCLAB_K_TUPLE || kind == GCLAB_K_DICT) {
        if ((st = gclab_frame_push_args(h, 3, 2, (int[]){ op->b, op->c })) != GCLAB_OK)
            return st;
        if (kind == GCLAB_K_DICT) {
            st = gclab_dict_get(h, 2, 1, 0);
            found = st == GCLAB_OK;
            if (st == GCLAB_EKEY) {
                gclab_error_clear(h);
                st = GCLAB_OK;
            }
        } else {
            int64_t len = 0;
            for (int64_t i = 0; st == GCLAB_OK && !found && gclab_len(h, 1, &len) == GCLAB_OK && i < len; i++) {
                st = kind == GCLAB_K_LIST ? gclab_list_get(h, 2, 1, i) : gclab_tuple_get(h, 2, 1, i);
                if (st == GCLAB_OK)
                    st = gclab_is(h, 0, 2, &found);
                if (st == GCLAB_OK && !found)
                    st = gclab_equal(h, 0, 2, &found);
            }
        }
        gclab_frame_pop(h);
        if (st != GCLAB_OK)
            return st;
    } else {
        return gclab_raise(h, GCLAB_ETYPE, "argument of type '%s' is not iterable", gclab_type_name(h, op->c));
    }
    return gclab_bool(h, op->a, found != (op->code == OP_NOT_IN));
}

/* CPython 3.11 packs the positional arguments of a call through tp_call in a
 * tuple (_PyObject_MakeTpCall): a class called with arguments, weakref.ref(),
 * str(x), gc.set_threshold(). It is allocated before the callee runs (so it
 * can trigger a collection) and freed after (to the tuple free list). The
 * tuple is held in `hold`, the call's destination, when that slot is empty
 * and none of the call's operands (the result replaces it; a failed call
 * empties it again: unheld()); otherwise it is made and dropped at once,
 * which differs only in when a free past a full free list is counted. */
static gclab_status arg_tuple(gclab_heap *h, int hold, int n, const int *srcs, int callee, bool *held)
{
    *held = false;
    /* Only where refcounts free it at once, as CPython: on tracing engines it
     * would be garbage no driver expects (the fuzzers' models). */
    if (n <= 0 || !gclab_has_refcounts(h))
        return GCLAB_OK;
    /* An empty destination only: a failed call leaves it as it was (empty again). */
    bool alias = hold < 0 || hold == callee || gclab_kind_of(h, hold) != GCLAB_K_EMPTY;
    for (int i = 0; i < n; i++)
        alias = alias || srcs[i] == hold;
    if (!alias) {
        gclab_status st = gclab_tuple_new(h, hold, n, srcs);
        *held = st == GCLAB_OK;
        return st;
    }
    gclab_status st = gclab_frame_push_args(h, n + 1, n, srcs);
    if (st != GCLAB_OK)
        return st;
    int inner[OPS_MAX_ARGS];
    for (int i = 0; i < n; i++)
        inner[i] = i;
    st = gclab_tuple_new(h, n, n, inner);
    gclab_frame_pop(h);
    return st;
}

/* After a failed call: the destination that held the argument tuple is empty
 * again, as before the call; the call's error stays. */
static gclab_status unheld(gclab_heap *h, int hold, bool held, gclab_status st)
{
    if (st == GCLAB_OK || !held || gclab_kind_of(h, hold) != GCLAB_K_TUPLE)
        return st;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", gclab_error(h));
    gclab_status est = gclab_error_status(h);
    gclab_clear(h, hold);
    gclab_raise(h, est ? est : st, "%s", msg);
    return st;
}

/* gc.get_referents(*objs) / gc.get_referrers(*objs): METH_VARARGS builtins,
 * so CPython 3.11 packs the objects in a tuple (_PyObject_MakeTpCall) held
 * through the call and freed after it; here in a frame of their own:
 * [objs..., the tuple, the result]. */
/* noinline: its buffers must not grow exec_func's frame, which script recursion stacks. */
static __attribute__((noinline)) gclab_status op_gc_refs(gclab_heap *h, const struct ops_op *op)
{
    int n = op->c;
    int args[OPS_MAX_ARGS] = { 0 };
    for (int i = 0; i < n; i++)
        args[i] = op->b + i;
    gclab_status st = gclab_frame_push_args(h, n + 2, n, args);
    if (st != GCLAB_OK)
        return st;
    int inner[OPS_MAX_ARGS] = { 0 };
    for (int i = 0; i < n; i++)
        inner[i] = i;
    bool tuple = n > 0 && gclab_has_refcounts(h);
    if (tuple)
        st = gclab_tuple_new(h, n, n, inner);
    if (st == GCLAB_OK)
        st = op->code == OP_GC_REFERENTS ? gclab_gc_get_referents(h, n + 1, 0, n)
                                         : gclab_gc_get_referrers(h, n + 1, 0, n, tuple ? n : -1);
    if (st != GCLAB_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gclab_error(h));
        gclab_frame_pop(h);
        return gclab_raise(h, st, "%s", msg);
    }
    return gclab_frame_return(h, n + 1, op->a);
}

/* type(x): only an instance's class is an object here, so type(x) of
 * anything else is spelt through TYPE_IS (`type(x) is list`) or TYPE_NAME
 * (`type(x).__name__`); CPython 3.11's type(x) allocates nothing (type_vectorcall). */
static __attribute__((noinline)) gclab_status op_type(struct ops_program *p, gclab_heap *h,
                                                      const struct ops_op *op)
{
    gclab_status st = empty_check(h, op->b);
    if (st != GCLAB_OK)
        return st;
    int k = gclab_kind_of(h, op->b);
    if (op->code == OP_TYPE_NAME) {
        const char *n = k == GCLAB_K_WEAKREF ? "ReferenceType" : k == GCLAB_K_BLOB ? "bytearray"
                                                                                   : gclab_type_name(h, op->b);
        int si = ops_str_add(p, n, strlen(n));   /* interned: the name outlives the call */
        if (si < 0)
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        return gclab_str_intern(h, op->a, p->strs[si].s);
    }
    if (op->code == OP_TYPE_IS) {
        bool b = false;
        if (op->c < 0) {
            b = k == op->d;
        } else if ((st = gclab_type_is(h, op->b, op->c, &b)) != GCLAB_OK) {
            return st;
        }
        return gclab_bool(h, op->a, b);
    }
    if (k != GCLAB_K_INSTANCE)
        return gclab_raise(h, GCLAB_EUNSUPPORTED, "type() of a '%s' object is not a value in gclab (no type "
                           "objects): only type(x) is T, type(x) == T and type(x).__name__",
                           gclab_type_name(h, op->b));
    return gclab_class_of(h, op->a, op->b);
}

/* str(x) or repr(x) as a new str. */
static gclab_status op_str_of(struct ops_program *p, gclab_heap *h, const struct ops_op *op)
{
    struct repr_buf b = { 0 };
    gclab_status st = repr_append(h, &b, op->b, op->code == OP_STR_OF);
    if (st == GCLAB_OK)
        st = gclab_str_new(h, op->a, b.s ? b.s : "", b.len);
    free(b.s);
    (void)p;
    return st;
}

/* `_b, ... = _a`: CPython's UNPACK_SEQUENCE for lists and tuples. */
static gclab_status op_unpack(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st = empty_check(h, op->a);
    int64_t n = 0;
    int kind = gclab_kind_of(h, op->a);
    if (st != GCLAB_OK)
        return st;
    if (kind != GCLAB_K_LIST && kind != GCLAB_K_TUPLE)
        return gclab_raise(h, GCLAB_ETYPE, "cannot unpack non-iterable %s object", gclab_type_name(h, op->a));
    gclab_len(h, op->a, &n);
    if (n > op->c)
        return gclab_raise(h, GCLAB_EVALUE, "too many values to unpack (expected %d)", op->c);
    if (n < op->c)
        return gclab_raise(h, GCLAB_EVALUE, "not enough values to unpack (expected %d, got %lld)", op->c,
                           (long long)n);
    /* ops_validate keeps _a out of the targets, so it stays put while they fill */
    for (int i = 0; i < op->c && st == GCLAB_OK; i++)
        st = kind == GCLAB_K_LIST ? gclab_list_get(h, op->b + i, op->a, i) : gclab_tuple_get(h, op->b + i, op->a, i);
    return st;
}

/* One step of `for _a in _b` (see ops.h): *go false when the loop is done. */
static gclab_status op_for_iter(gclab_heap *h, const struct ops_op *op, bool *go)
{
    int it = op->b, pos = op->b + 1, stand = op->b + 2;
    gclab_status st;
    int64_t i = 0;
    int kind = gclab_kind_of(h, it);
    *go = false;
    if (kind == GCLAB_K_EMPTY)
        return empty_check(h, it);
    if (gclab_kind_of(h, pos) == GCLAB_K_EMPTY) {
        if (kind != GCLAB_K_LIST && kind != GCLAB_K_TUPLE && kind != GCLAB_K_DICT && kind != GCLAB_K_STR)
            return gclab_raise(h, GCLAB_ETYPE, "'%s' object is not iterable", gclab_type_name(h, it));
        /* CPython's iterator is one tracked object for the loop's duration,
         * with no free list (PyObject_GC_Del counts its free): the stand-in
         * is a tuple of the iterable and 20 Nones, one past the sizes the
         * tuple free lists keep (rcgen's RG_TUPLE_SAVE). */
        int srcs[21] = { it };
        for (int k = 1; k < 21; k++)
            srcs[k] = pos;
        if ((st = gclab_none(h, pos)) != GCLAB_OK || (st = gclab_tuple_new(h, stand, 21, srcs)) != GCLAB_OK ||
            (st = gclab_int_new(h, pos, 0)) != GCLAB_OK)
            return st;
    } else if ((st = gclab_int_value(h, pos, &i)) != GCLAB_OK) {
        return st;
    }
    if (kind == GCLAB_K_DICT) {
        size_t p = (size_t)i;
        bool more;
        if ((st = gclab_dict_next(h, it, &p, op->a, -1, &more)) != GCLAB_OK || !more)
            return st;
        *go = true;
        return gclab_int_new(h, pos, (int64_t)p);
    }
    int64_t len = 0;
    gclab_len(h, it, &len);
    if (i >= len)
        return GCLAB_OK;
    if (kind == GCLAB_K_STR) {
        const char *s;
        size_t n;
        gclab_str_value(h, it, &s, &n);
        char ch = s[i];
        st = gclab_str_new(h, op->a, &ch, 1);
    } else {
        st = kind == GCLAB_K_LIST ? gclab_list_get(h, op->a, it, i) : gclab_tuple_get(h, op->a, it, i);
    }
    if (st != GCLAB_OK)
        return st;
    *go = true;
    return gclab_int_new(h, pos, i + 1);
}

/* `_a = _b[_c]` of a str: a one-character str (CPython's cached ones: interned here). */
static gclab_status op_str_index(gclab_heap *h, const struct ops_op *op)
{
    int64_t i, len = 0;
    gclab_status st = empty_check(h, op->c);
    if (st != GCLAB_OK)
        return st;
    if (!as_int(h, op->c, &i))
        return gclab_raise(h, GCLAB_ETYPE, "string indices must be integers, not '%s'", gclab_type_name(h, op->c));
    gclab_len(h, op->b, &len);
    if (i < 0)
        i += len;
    if (i < 0 || i >= len)
        return gclab_raise(h, GCLAB_EINDEX, "string index out of range");
    const char *s;
    size_t n;
    gclab_str_value(h, op->b, &s, &n);
    char ch[2] = { s[i], 0 };
    if (ch[0] && (unsigned char)ch[0] < 0x80)
        return gclab_str_intern(h, op->a, ch);
    return gclab_str_new(h, op->a, ch, 1);
}

/* ---- slices ---- */

/* CPython's PySlice_Unpack and PySlice_AdjustIndices over the bounds in
 * slots b..b+2 for a sequence of len items: the first index, the step and
 * how many items. */
static gclab_status slice_indices(gclab_heap *h, int b, int64_t len, int64_t *start, int64_t *step, int64_t *n)
{
    int64_t v[3];
    bool none[3];
    for (int i = 0; i < 3; i++) {
        int k = gclab_kind_of(h, b + i);
        gclab_status st = empty_check(h, b + i);
        if (st != GCLAB_OK)
            return st;
        none[i] = k == GCLAB_K_NONE;
        if (!none[i] && !as_int(h, b + i, &v[i]))
            return gclab_raise(h, GCLAB_ETYPE, "slice indices must be integers or None or have an __index__ method");
    }
    int64_t st = none[2] ? 1 : v[2];
    if (st == 0)
        return gclab_raise(h, GCLAB_EVALUE, "slice step cannot be zero");
    if (st < -INT64_MAX)
        st = -INT64_MAX;
    int64_t lo = none[0] ? (st < 0 ? INT64_MAX : 0) : v[0];
    int64_t hi = none[1] ? (st < 0 ? INT64_MIN : INT64_MAX) : v[1];
    int64_t *ends[2] = { &lo, &hi };
    for (int i = 0; i < 2; i++) {
        int64_t *x = ends[i];
        if (*x < 0) {
            *x += len;
            if (*x < 0)
                *x = st < 0 ? -1 : 0;
        } else if (*x >= len) {
            *x = st < 0 ? len - 1 : len;
        }
    }
    if (st < 0)
        *n = hi < lo ? (lo - hi - 1) / (-st) + 1 : 0;
    else
        *n = lo < hi ? (hi - lo - 1) / st + 1 : 0;
    *start = lo;
    *step = st;
    return GCLAB_OK;
}

/* `_a = _b[_c:_{c+1}:_{c+2}]`: a new list; a tuple or str (itself when the
 * slice is all of it, as CPython returns it). Items are read into a frame of
 * their own (0 the sequence, 1 the result, 2 scratch, then a tuple's items). */
static gclab_status op_slice(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st = empty_check(h, op->b);
    if (st != GCLAB_OK)
        return st;
    int kind = gclab_kind_of(h, op->b);
    if (kind == GCLAB_K_DICT)
        return gclab_raise(h, GCLAB_ETYPE, "unhashable type: 'slice'");
    if (kind != GCLAB_K_LIST && kind != GCLAB_K_TUPLE && kind != GCLAB_K_STR)
        return gclab_raise(h, GCLAB_ETYPE, "'%s' object is not subscriptable", gclab_type_name(h, op->b));
    int64_t len = 0, start, step, n;
    gclab_len(h, op->b, &len);
    if ((st = slice_indices(h, op->c, len, &start, &step, &n)) != GCLAB_OK)
        return st;
    if (kind != GCLAB_K_LIST && start == 0 && step == 1 && n == len)
        return gclab_move(h, op->a, op->b);
    if (kind == GCLAB_K_STR) {
        const char *s;
        size_t sl;
        gclab_str_value(h, op->b, &s, &sl);
        char *buf = malloc((size_t)n + 1);
        if (!buf)
            return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        for (int64_t i = 0; i < n; i++)
            buf[i] = s[start + i * step];
        buf[n] = 0;
        /* one-character strs are CPython's cached singletons */
        st = n == 1 && (unsigned char)buf[0] < 0x80 && buf[0] ? gclab_str_intern(h, op->a, buf)
                                                                : gclab_str_new(h, op->a, buf, (size_t)n);
        free(buf);
        return st;
    }
    bool tuple = kind == GCLAB_K_TUPLE;
    if ((st = gclab_frame_push_args(h, 3 + (tuple ? (int)n : 0), 1, &op->b)) != GCLAB_OK)
        return st;
    if (!tuple)
        st = gclab_list_new(h, 1);
    for (int64_t i = 0; i < n && st == GCLAB_OK; i++) {
        int into = tuple ? 3 + (int)i : 2;
        st = tuple ? gclab_tuple_get(h, into, 0, start + i * step) : gclab_list_get(h, into, 0, start + i * step);
        if (st == GCLAB_OK && !tuple)
            st = gclab_list_append(h, 1, 2);
    }
    if (st == GCLAB_OK && tuple) {
        int *srcs = malloc((size_t)(n ? n : 1) * sizeof *srcs);
        if (!srcs)
            st = gclab_raise(h, GCLAB_EMEMORY, "out of memory");
        for (int64_t i = 0; srcs && i < n; i++)
            srcs[i] = 3 + (int)i;
        if (srcs)
            st = gclab_tuple_new(h, 1, (int)n, srcs);
        free(srcs);
    }
    if (st != GCLAB_OK) {
        gclab_frame_pop(h);
        return st;
    }
    if (!tuple)
        gclab_clear(h, 2);
    return gclab_frame_return(h, 1, op->a);
}

/* `del _a[_b:_{b+1}:_{b+2}]` of a list: as CPython's list_ass_slice, the items
 * leave the list first, then are released from the last to the first. */
static gclab_status op_delslice(gclab_heap *h, const struct ops_op *op)
{
    gclab_status st = empty_check(h, op->a);
    if (st != GCLAB_OK)
        return st;
    if (gclab_kind_of(h, op->a) != GCLAB_K_LIST)
        return gclab_raise(h, GCLAB_ETYPE, gclab_kind_of(h, op->a) == GCLAB_K_DICT ? "unhashable type: 'slice'"
                                                                                  : "'%s' object does not support item deletion",
                           gclab_type_name(h, op->a));
    int64_t len = 0, start, step, n;
    gclab_len(h, op->a, &len);
    if ((st = slice_indices(h, op->b, len, &start, &step, &n)) != GCLAB_OK || n == 0)
        return st;
    if (n > SEQ_MAX_ITEMS)
        return gclab_raise(h, GCLAB_EMEMORY, "slice of more than %d items", SEQ_MAX_ITEMS);
    if ((st = gclab_frame_push_args(h, 1 + (int)n, 1, &op->a)) != GCLAB_OK)
        return st;
    /* slot 1+k holds the slice's item k; popped highest index first, so the
     * lower ones stay put */
    for (int64_t j = 0; j < n && st == GCLAB_OK; j++) {
        int64_t k = step > 0 ? n - 1 - j : j;
        st = gclab_list_pop(h, 1 + (int)k, 0, start + k * step);
    }
    /* released as CPython does: a plain slice from its end, an extended one in order */
    for (int64_t j = 0; j < n && st == GCLAB_OK; j++) {
        int s = 1 + (int)(step == 1 ? n - 1 - j : j);
        if (gclab_kind_of(h, s) != GCLAB_K_EMPTY)
            gclab_clear(h, s);
    }
    gclab_frame_pop(h);
    return st;
}

static gclab_status int_tuple(gclab_heap *h, int dst, int n, const int64_t *v)
{
    gclab_status st = gclab_frame_push(h, n + 1);
    int idx[GCLAB_MAX_GENS];
    for (int i = 0; i < n && st == GCLAB_OK; i++) {
        idx[i] = i + 1;
        st = gclab_int_new(h, i + 1, v[i]);
    }
    if (st == GCLAB_OK)
        st = gclab_tuple_new(h, 0, n, idx);
    if (st == GCLAB_OK)
        return gclab_frame_return(h, 0, dst);
    if (gclab_frame_depth(h) > 0)
        gclab_frame_pop(h);
    return st;
}

static gclab_status op_get_stats(gclab_heap *h, int dst)
{
    struct gclab_gen_stats gs[GCLAB_MAX_GENS];
    int n = gclab_gc_get_stats(h, gs);
    static const char *keys[] = { "collections", "collected", "uncollectable" };
    /* slots: 0 list, 1 dict, 2 key, 3 value */
    gclab_status st = gclab_frame_push(h, 4);
    if (st != GCLAB_OK)
        return st;
    st = gclab_list_new(h, 0);
    for (int g = 0; g < n && st == GCLAB_OK; g++) {
        int64_t vals[3] = { gs[g].collections, gs[g].collected, gs[g].uncollectable };
        st = gclab_dict_new(h, 1);
        for (int k = 0; k < 3 && st == GCLAB_OK; k++) {
            st = gclab_str_intern(h, 2, keys[k]);
            if (st == GCLAB_OK)
                st = gclab_int_new(h, 3, vals[k]);
            if (st == GCLAB_OK)
                st = gclab_dict_set(h, 1, 2, 3);
        }
        if (st == GCLAB_OK)
            st = gclab_list_append(h, 0, 1);
    }
    if (st == GCLAB_OK)
        return gclab_frame_return(h, 0, dst);
    gclab_frame_pop(h);
    return st;
}

/* str(x) of a message object, for ASSERT. */
static void message_text(struct ops_program *p, gclab_heap *h, int slot, char *out, size_t outlen)
{
    const char *s;
    size_t n;
    int64_t v;
    out[0] = 0;
    if (gclab_kind_of(h, slot) == GCLAB_K_STR && gclab_str_value(h, slot, &s, &n) == GCLAB_OK)
        snprintf(out, outlen, "%.*s", (int)(n < 200 ? n : 200), s);
    else if (as_int(h, slot, &v) && gclab_kind_of(h, slot) == GCLAB_K_INT)
        snprintf(out, outlen, "%lld", (long long)v);
    else
        snprintf(out, outlen, "<%s>", gclab_type_name(h, slot));
    (void)p;
}

/* Rewrite core's "slot N is empty" into Python's words using the debug names. */
static void name_error(struct ops_program *p, gclab_heap *h, int fi, const struct ops_op *op)
{
    const struct ops_func *f = &p->funcs[fi];
    const char *k = op_info[op->code].kinds;
    int32_t v[4] = { op->a, op->b, op->c, op->d };
    if (strncmp(gclab_error(h), "slot ", 5) != 0)
        return;
    for (int i = 0; i < 4; i++) {
        int lo = -1, hi = -1;
        if (k[i] == 'S' || k[i] == 'O') { lo = v[i]; hi = v[i] + 1; }
        if (k[i] == 'R') { lo = v[i]; hi = v[i] + v[i + 1]; }
        if (op->code == OP_FOR_RANGE && i == 1) hi = lo + 3;
        if (op->code == OP_FOR_ITER && i == 1) hi = lo + 1;   /* its state slots start empty */
        for (int s = lo; s >= 0 && s < hi; s++) {
            if (gclab_kind_of(h, s) != GCLAB_K_EMPTY)
                continue;
            /* MOVE/CLEAR/... write their first operand: only reads can fail as empty. */
            const char *nm = f->slot_names && f->slot_names[s] ? f->slot_names[s] : NULL;
            char buf[32];
            if (!nm) {
                snprintf(buf, sizeof buf, "_%d", s);
                nm = buf;
            }
            if (fi == 0)
                gclab_raise(h, GCLAB_ENAME, "name '%s' is not defined", nm);
            else
                gclab_raise(h, GCLAB_ENAME, "cannot access local variable '%s' where it is not "
                                            "associated with a value", nm);
            return;
        }
    }
}

/* ---- list methods besides append and pop ---- */

/* Empty n items of list l from index start (step 1) into a frame of their
 * own, then release them from the last: CPython's _list_clear and
 * list_ass_slice order. */
static gclab_status list_release(gclab_heap *h, int l, int64_t start, int64_t n)
{
    if (n <= 0)
        return GCLAB_OK;
    if (n > SEQ_MAX_ITEMS)
        return gclab_raise(h, GCLAB_EMEMORY, "list of more than %d items", SEQ_MAX_ITEMS);
    gclab_status st = gclab_frame_push_args(h, 1 + (int)n, 1, &l);
    if (st != GCLAB_OK)
        return st;
    for (int64_t k = n - 1; k >= 0 && st == GCLAB_OK; k--)
        st = gclab_list_pop(h, 1 + (int)k, 0, start + k);
    for (int64_t k = n - 1; k >= 0 && st == GCLAB_OK; k--)
        if (gclab_kind_of(h, 1 + (int)k) != GCLAB_K_EMPTY)
            gclab_clear(h, 1 + (int)k);
    gclab_frame_pop(h);
    return st;
}

/* Index of the first item of list l that is x (identity, then ==), or -1. */
static gclab_status list_find(gclab_heap *h, int l, int x, int64_t *at, int64_t *count)
{
    gclab_status st = gclab_frame_push_args(h, 3, 2, (int[]){ l, x });
    int64_t len = 0;
    *at = -1;
    *count = 0;
    for (int64_t i = 0; st == GCLAB_OK && gclab_len(h, 0, &len) == GCLAB_OK && i < len; i++) {
        bool same = false;
        st = gclab_list_get(h, 2, 0, i);
        if (st == GCLAB_OK)
            st = gclab_is(h, 1, 2, &same);
        if (st == GCLAB_OK && !same)
            st = gclab_equal(h, 1, 2, &same);
        if (same && *at < 0)
            *at = i;
        *count += same;
    }
    if (st == GCLAB_OK || gclab_frame_depth(h) > 0)
        gclab_frame_pop(h);
    return st;
}

/* l.NAME(args) for a list l that has no such attribute: extend, insert,
 * clear, index, count, remove, reverse, with CPython's errors. *handled is
 * false for any other name. */
static gclab_status list_method(gclab_heap *h, int dst, int l, const char *name, const int *args, int n,
                                bool *handled)
{
    static const char *const m[] = { "extend", "insert", "clear", "index", "count", "remove", "reverse" };
    static const int want[] = { 1, 2, 0, 1, 1, 1, 0 };
    int which = -1;
    for (int i = 0; i < 7; i++)
        if (strcmp(name, m[i]) == 0)
            which = i;
    *handled = which >= 0;
    if (!*handled)
        return GCLAB_OK;
    gclab_error_clear(h);
    if (n != want[which]) {
        if (want[which] == 0)
            return gclab_raise(h, GCLAB_ETYPE, "list.%s() takes no arguments (%d given)", name, n);
        if (want[which] == 1)
            return gclab_raise(h, GCLAB_ETYPE, "list.%s() takes exactly one argument (%d given)", name, n);
        return gclab_raise(h, GCLAB_ETYPE, "insert expected 2 arguments, got %d", n);
    }
    gclab_status st = GCLAB_OK;
    int64_t len = 0, at, count, i;
    gclab_len(h, l, &len);
    switch (which) {
    case 0: {   /* extend: the items of a list or tuple, one by one (their count read first: l.extend(l) doubles) */
        int64_t m2 = 0;
        int kind = gclab_kind_of(h, args[0]);
        if (kind != GCLAB_K_LIST && kind != GCLAB_K_TUPLE)
            return gclab_raise(h, GCLAB_ETYPE, "'%s' object is not iterable (extend takes a list or tuple here)",
                               gclab_type_name(h, args[0]));
        gclab_len(h, args[0], &m2);
        if ((st = gclab_frame_push_args(h, 3, 2, (int[]){ l, args[0] })) != GCLAB_OK)
            return st;
        for (int64_t j = 0; j < m2 && st == GCLAB_OK; j++) {
            st = kind == GCLAB_K_LIST ? gclab_list_get(h, 2, 1, j) : gclab_tuple_get(h, 2, 1, j);
            if (st == GCLAB_OK)
                st = gclab_list_append(h, 0, 2);
        }
        gclab_frame_pop(h);
        break;
    }
    case 1: {   /* insert(i, x): CPython's clamping; the tail moves up one by one */
        if (!as_int(h, args[0], &i))
            return gclab_raise(h, GCLAB_ETYPE, "'%s' object cannot be interpreted as an integer",
                               gclab_type_name(h, args[0]));
        if (i < 0)
            i = i + len < 0 ? 0 : i + len;
        if (i > len)
            i = len;
        if ((st = gclab_frame_push_args(h, 3, 2, (int[]){ l, args[1] })) != GCLAB_OK)
            return st;
        st = gclab_list_append(h, 0, 1);
        for (int64_t j = len; j > i && st == GCLAB_OK; j--) {
            st = gclab_list_get(h, 2, 0, j - 1);
            if (st == GCLAB_OK)
                st = gclab_list_set(h, 0, j, 2);
        }
        if (st == GCLAB_OK)
            st = gclab_list_set(h, 0, i, 1);
        gclab_frame_pop(h);
        break;
    }
    case 2: st = list_release(h, l, 0, len); break;
    case 3: case 4: case 5:
        if ((st = list_find(h, l, args[0], &at, &count)) != GCLAB_OK)
            return st;
        if (which == 4)
            return gclab_int_new(h, dst, count);
        if (at < 0) {
            if (which == 5)
                return gclab_raise(h, GCLAB_EVALUE, "list.remove(x): x not in list");
            struct repr_buf b = { 0 };
            st = repr_append(h, &b, args[0], false);
            if (st == GCLAB_OK)
                st = gclab_raise(h, GCLAB_EVALUE, "%.*s is not in list", (int)(b.len < 200 ? b.len : 200),
                                 b.s ? b.s : "");
            free(b.s);
            return st;
        }
        if (which == 3)
            return gclab_int_new(h, dst, at);
        st = list_release(h, l, at, 1);
        break;
    case 6:
        if ((st = gclab_frame_push_args(h, 3, 1, &l)) != GCLAB_OK)
            return st;
        for (int64_t j = 0; j < len / 2 && st == GCLAB_OK; j++) {
            if ((st = gclab_list_get(h, 1, 0, j)) == GCLAB_OK && (st = gclab_list_get(h, 2, 0, len - 1 - j)) == GCLAB_OK &&
                (st = gclab_list_set(h, 0, j, 2)) == GCLAB_OK)
                st = gclab_list_set(h, 0, len - 1 - j, 1);
        }
        gclab_frame_pop(h);
        break;
    }
    if (st == GCLAB_OK)
        st = gclab_none(h, dst);
    return st;
}

/* ---- calls after KWNAMES: binding by name, defaults, *args ---- */

/* A default's value into slot dst. */
static gclab_status make_const(struct ops_program *p, gclab_heap *h, int dst, const struct ops_const *k)
{
    switch (k->kind) {
    case GCLAB_K_NONE: return gclab_none(h, dst);
    case GCLAB_K_BOOL: return gclab_bool(h, dst, k->v != 0);
    case GCLAB_K_INT: return gclab_int_new(h, dst, k->v);
    default: return gclab_str_intern(h, dst, p->strs[k->v].s);
    }
}

/* CPython's "missing 2 required positional arguments: 'a' and 'b'". */
static gclab_status missing_error(gclab_heap *h, const char *fname, char *const *names, const int *which, int n)
{
    char list[512];
    size_t len = 0;
    list[0] = 0;
    for (int i = 0; i < n && len < sizeof list - 80; i++) {
        const char *sep = i == 0 ? "" : n == 2 ? " and " : i == n - 1 ? ", and " : ", ";
        len += (size_t)snprintf(list + len, sizeof list - len, "%s'%.60s'", sep, names[which[i]]);
    }
    return gclab_raise(h, GCLAB_ETYPE, "%s() missing %d required positional argument%s: %s", fname, n,
                       n == 1 ? "" : "s", list);
}

/* `callee(args...)` where the last nkw of the nargs argument slots are keyword
 * arguments named by string kw (KWNAMES): bound to the parameters of a script
 * function (or a class's __init__) in a frame of their own — slot 0 the
 * callee, then the arguments, then the parameters — as CPython binds them,
 * with its messages. Other callees take positional arguments only. */
static gclab_status bound_call(struct ops_program *p, gclab_heap *h, int dst, int callee, const int *argslots,
                               int nargs, int kw)
{
    const char *kwnames[OPS_MAX_ARGS];
    char kwbuf[OPS_MAX_ARGS * 64];
    int nkw = 0;
    snprintf(kwbuf, sizeof kwbuf, "%s", p->strs[kw].s);
    for (char *t = kwbuf, *c; *t && nkw < OPS_MAX_ARGS; t = c + 1) {
        kwnames[nkw++] = t;
        if (!(c = strchr(t, ',')))
            break;
        *c = 0;
    }
    if (nkw > nargs)
        return gclab_raise(h, GCLAB_EUSAGE, "KWNAMES names %d keywords for %d arguments", nkw, nargs);
    gclab_native_fn fn = NULL;
    void *ctx = NULL;
    int64_t code = 0;
    bool is_class = false;
    gclab_status st = gclab_func_code(h, callee, &fn, &ctx, &code, &is_class);
    if (st != GCLAB_OK && st != GCLAB_ETYPE)
        return st;
    if (st != GCLAB_OK || fn != trampoline || ctx != p || code < 1 || code >= p->nfuncs ||
        !p->funcs[code].params) {
        if (nkw == 0)
            return gclab_call(h, dst, callee, nargs, argslots);
        if (is_class)   /* no __init__: core says "C() takes no arguments" */
            return gclab_call(h, dst, callee, nargs, argslots);
        return gclab_raise(h, GCLAB_ETYPE, "'%s' object got an unexpected keyword argument '%s'",
                           gclab_type_name(h, callee), kwnames[0]);
    }
    const struct ops_func *g = &p->funcs[code];
    int off = is_class ? 1 : 0;           /* a class's __init__ gets self from the call */
    int np = g->nargs - off;               /* parameters to fill */
    int fixed = np - (g->varargs ? 1 : 0); /* of which named positional ones */
    int npos = nargs - nkw;
    char *const *names = g->params + off;
    if (npos > fixed && !g->varargs) {
        int most = fixed + off, least = most - g->ndefaults, given = npos + off;
        if (least == most)
            return gclab_raise(h, GCLAB_ETYPE, "%s() takes %d positional argument%s but %d %s given", g->name,
                               most, most == 1 ? "" : "s", given, given == 1 ? "was" : "were");
        return gclab_raise(h, GCLAB_ETYPE, "%s() takes from %d to %d positional arguments but %d %s given",
                           g->name, least, most, given, given == 1 ? "was" : "were");
    }
    int srcs[OPS_MAX_ARGS + 1];
    srcs[0] = callee;
    for (int i = 0; i < nargs; i++)
        srcs[1 + i] = argslots[i];
    int P = 1 + nargs;
    if ((st = gclab_frame_push_args(h, P + np, 1 + nargs, srcs)) != GCLAB_OK)
        return st;
    for (int i = 0; i < npos && i < fixed && st == GCLAB_OK; i++)
        st = gclab_move(h, P + i, 1 + i);
    if (st == GCLAB_OK && g->varargs) {
        int extra = npos > fixed ? npos - fixed : 0, items[OPS_MAX_ARGS];
        for (int i = 0; i < extra; i++)
            items[i] = 1 + fixed + i;
        st = gclab_tuple_new(h, P + fixed, extra, items);
    }
    for (int k = 0; k < nkw && st == GCLAB_OK; k++) {
        int j = 0;
        while (j < fixed && strcmp(names[j], kwnames[k]) != 0)
            j++;
        if (j == fixed)
            st = gclab_raise(h, GCLAB_ETYPE, "%s() got an unexpected keyword argument '%s'", g->name, kwnames[k]);
        else if (gclab_kind_of(h, P + j) != GCLAB_K_EMPTY)
            st = gclab_raise(h, GCLAB_ETYPE, "%s() got multiple values for argument '%s'", g->name, kwnames[k]);
        else
            st = gclab_move(h, P + j, 1 + npos + k);
    }
    int first_default = fixed - g->ndefaults, missing[OPS_MAX_ARGS], nmissing = 0;
    for (int j = 0; j < fixed && st == GCLAB_OK; j++) {
        if (gclab_kind_of(h, P + j) != GCLAB_K_EMPTY)
            continue;
        if (j >= first_default)
            st = make_const(p, h, P + j, &g->defaults[j - first_default]);
        else
            missing[nmissing++] = j;
    }
    if (st == GCLAB_OK && nmissing)
        st = missing_error(h, g->name, names, missing, nmissing);
    if (st == GCLAB_OK) {
        int params[OPS_MAX_ARGS];
        for (int i = 0; i < np; i++)
            params[i] = P + i;
        st = gclab_call(h, dst >= 0 ? 0 : -1, 0, np, params);
    }
    if (st == GCLAB_OK && dst >= 0)
        return gclab_frame_return(h, 0, dst);
    gclab_frame_pop(h);
    return st;
}

/* ---- try/except/finally/raise ----
 *
 * An exception is a status and a message (core's error). rt.exc is one
 * stack of try handlers (TRY pushes one, TRY_ELSE pops it) and of
 * exceptions being handled (a handler becomes one when an exception reaches
 * it; EXC_END pops it), innermost last. Each interpreted frame owns the
 * entries above its base: an error in it goes to its innermost handler,
 * dropping what is above; with none the frame's entries go and the error
 * leaves the frame, as CPython's exception table and exc_info stack do.
 * Only the exceptions a script can name are caught (never GCLAB_EUSAGE).
 */
struct ops_exc {
    bool handled;          /* an exception being handled (else a try's handler) */
    int target;            /* handler: where its except clauses start */
    gclab_status st;       /* handled: the exception */
    char *msg;
    int func, pc, line;    /* handled: where it was raised (for a bare `raise`) */
};

/* The built-in exceptions scripts name: which statuses each catches (a
 * subclass's too), and whether `raise NAME` can make it. */
static const struct {
    const char *name;
    unsigned catches;      /* bit per gclab_status */
    gclab_status raises;   /* GCLAB_OK: cannot be raised here */
} exc_names[] = {
#define B(s) (1u << (s))
    { "BaseException", ~(B(GCLAB_OK) | B(GCLAB_EUSAGE)), GCLAB_OK },
    { "Exception", ~(B(GCLAB_OK) | B(GCLAB_EUSAGE)), GCLAB_OK },
    { "ArithmeticError", B(GCLAB_EZERODIV) | B(GCLAB_EOVERFLOW), GCLAB_OK },
    { "LookupError", B(GCLAB_EINDEX) | B(GCLAB_EKEY), GCLAB_OK },
    { "TypeError", B(GCLAB_ETYPE), GCLAB_ETYPE },
    { "IndexError", B(GCLAB_EINDEX), GCLAB_EINDEX },
    { "KeyError", B(GCLAB_EKEY), GCLAB_EKEY },
    { "AttributeError", B(GCLAB_EATTR), GCLAB_EATTR },
    { "NameError", B(GCLAB_ENAME), GCLAB_ENAME },
    { "UnboundLocalError", B(GCLAB_ENAME), GCLAB_OK },   /* and the message says so */
    { "ValueError", B(GCLAB_EVALUE), GCLAB_EVALUE },
    { "ZeroDivisionError", B(GCLAB_EZERODIV), GCLAB_EZERODIV },
    { "OverflowError", B(GCLAB_EOVERFLOW), GCLAB_EOVERFLOW },
    { "MemoryError", B(GCLAB_EMEMORY), GCLAB_EMEMORY },
    { "RecursionError", B(GCLAB_ERECURSION), GCLAB_ERECURSION },
    { "RuntimeError", B(GCLAB_EUNSUPPORTED) | B(GCLAB_ERECURSION), GCLAB_EUNSUPPORTED },
    { "AssertionError", B(GCLAB_EASSERT), GCLAB_EASSERT },
#undef B
};

#define UNBOUND_PREFIX "cannot access local variable"

int ops_exc_find(const char *name, size_t len, bool *raisable)
{
    for (size_t i = 0; i < sizeof exc_names / sizeof exc_names[0]; i++)
        if (strlen(exc_names[i].name) == len && memcmp(exc_names[i].name, name, len) == 0) {
            if (raisable)
                *raisable = exc_names[i].raises != GCLAB_OK;
            return (int)i;
        }
    return -1;
}

/* Whether the exception (st, msg) is one of the comma-separated names ("" matches all). */
static bool exc_match(const char *names, gclab_status st, const char *msg)
{
    if (!*names)
        return true;
    for (const char *n = names; *n;) {
        const char *e = strchr(n, ',');
        size_t len = e ? (size_t)(e - n) : strlen(n);
        int i = ops_exc_find(n, len, NULL);
        if (i >= 0 && (exc_names[i].catches >> st & 1u) &&
            (strcmp(exc_names[i].name, "UnboundLocalError") != 0 ||
             strncmp(msg, UNBOUND_PREFIX, strlen(UNBOUND_PREFIX)) == 0))
            return true;
        n += len + (e ? 1 : 0);
    }
    return false;
}

static void exc_truncate(struct ops_rt *rt, int to)
{
    while (rt->nexc > to)
        free(rt->exc[--rt->nexc].msg);
}

static gclab_status exc_push(struct ops_rt *rt, gclab_heap *h, struct ops_exc e)
{
    if (!grow((void **)&rt->exc, &rt->capexc, rt->nexc + 1, sizeof *rt->exc)) {
        free(e.msg);
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    }
    rt->exc[rt->nexc++] = e;
    return GCLAB_OK;
}

/* The innermost entry of the frame whose entries start at base, if it is a
 * handler (handled false) or an exception handled (true); NULL otherwise. */
static struct ops_exc *exc_top(struct ops_rt *rt, int base, bool handled)
{
    if (rt->nexc <= base || rt->exc[rt->nexc - 1].handled != handled)
        return NULL;
    return &rt->exc[rt->nexc - 1];
}

/* An error st (located in rt) in the frame whose entries start at base:
 * where its innermost handler starts, the exception now being handled there;
 * or -1 when no handler of the frame takes it (the error stays). */
static int exc_catch(struct ops_program *p, gclab_heap *h, int base, gclab_status st)
{
    struct ops_rt *rt = &p->rt;
    if (st == GCLAB_OK || st == GCLAB_EUSAGE)
        return -1;
    int i = rt->nexc - 1;
    while (i >= base && rt->exc[i].handled)
        i--;
    if (i < base)
        return -1;
    char *msg = strdup(gclab_error(h));
    if (!msg)
        return -1;
    int target = rt->exc[i].target;
    exc_truncate(rt, i);
    rt->exc[rt->nexc++] = (struct ops_exc){ true, 0, st, msg, rt->err_func, rt->err_pc, rt->err_line };
    gclab_error_clear(h);
    rt->err_located = false;
    return target;
}

/* raise NAME[(arg)]: the message is str(arg) (KeyError: repr(arg)), as
 * BaseException_str and KeyError_str print a single argument. */
static gclab_status op_raise(struct ops_program *p, gclab_heap *h, const struct ops_op *op)
{
    const struct ops_str *name = &p->strs[op->a];
    bool raisable;
    int i = ops_exc_find(name->s, name->len, &raisable);
    if (i < 0 || !raisable)
        return gclab_raise(h, GCLAB_EUSAGE, "raise of '%s', not a built-in exception gclab raises", name->s);
    gclab_status st = exc_names[i].raises;
    if (op->b < 0)
        return gclab_raise(h, st, "%s", "");
    gclab_status est;
    if ((est = empty_check(h, op->b)) != GCLAB_OK)
        return est;
    struct repr_buf b = { 0 };
    if ((est = repr_append(h, &b, op->b, st != GCLAB_EKEY)) != GCLAB_OK) {
        free(b.s);
        return est;
    }
    est = gclab_raise(h, st, "%.*s", (int)(b.len < 240 ? b.len : 240), b.s ? b.s : "");
    free(b.s);
    return est;
}

/* The bare `raise`: the innermost exception handled, in this frame or a caller's. */
static gclab_status op_reraise(struct ops_program *p, gclab_heap *h)
{
    struct ops_rt *rt = &p->rt;
    int i = rt->nexc - 1;
    while (i >= 0 && !rt->exc[i].handled)
        i--;
    if (i < 0)
        return gclab_raise(h, GCLAB_EUNSUPPORTED, "No active exception to reraise");
    const struct ops_exc *e = &rt->exc[i];
    gclab_status st = gclab_raise(h, e->st, "%s", e->msg);
    rt->err_located = true;
    rt->err_func = e->func;
    rt->err_pc = e->pc;
    rt->err_line = e->line;
    snprintf(rt->err_msg, sizeof rt->err_msg, "%s", gclab_error(h));
    return st;
}

/* The interpreted frame: its ops, then its try entries dropped. */
static gclab_status exec_ops(struct ops_program *p, gclab_heap *h, int fi, int base);

static gclab_status exec_func(struct ops_program *p, gclab_heap *h, int fi)
{
    int base = p->rt.nexc;
    gclab_status st = exec_ops(p, h, fi, base);
    exc_truncate(&p->rt, base);
    return st;
}

static gclab_status exec_ops(struct ops_program *p, gclab_heap *h, int fi, int base)
{
    const struct ops_func *f = &p->funcs[fi];
    const struct ops_op *ops = f->ops;
    gclab_name *names = p->rt.names;
    gclab_status st = GCLAB_OK;
    int pc = 0;
    int args[OPS_MAX_ARGS];
    int64_t iv[GCLAB_MAX_GENS];
    bool b;
    int64_t v;
    uint64_t u;
    int kw = -1;   /* KWNAMES for the next call */
    bool held = false;     /* an argument tuple sits in the destination (arg_tuple) */

    if (p->rt.heap_id != gclab_heap_id(h) && (st = rt_bind(p, h)) != GCLAB_OK)
        return st;
    names = p->rt.names;
    while (pc < f->nops) {
        const struct ops_op *op = &ops[pc];
        int at = pc;
        bool jumped = false;
        if (p->rt.step && (st = p->rt.step(p->rt.step_ctx, h, fi, at, false, GCLAB_OK)) != GCLAB_OK) {
            locate(p, h, fi, at, false);
            return st;
        }
        switch ((enum ops_code)op->code) {
        case OP_NOP: break;
        case OP_NONE: st = gclab_none(h, op->a); break;
        case OP_BOOL: st = gclab_bool(h, op->a, op->b != 0); break;
        case OP_INT: st = gclab_int_new(h, op->a, int_from_operands(op->b, op->c)); break;
        case OP_STR: {
            /* names[] is NULL exactly for strings with a NUL byte, which cannot be interned;
             * the others are the interned strs themselves (rt_bind) */
            const struct ops_str *s = &p->strs[op->b];
            st = names[op->b] ? gclab_name_load(h, op->a, names[op->b]) : gclab_str_new(h, op->a, s->s, s->len);
            break;
        }
        case OP_TUPLE:
            for (int i = 0; i < op->c; i++)
                args[i] = op->b + i;
            st = gclab_tuple_new(h, op->a, op->c, args);
            break;
        case OP_LIST: st = gclab_list_new(h, op->a); break;
        case OP_DICT: st = gclab_dict_new(h, op->a); break;
        case OP_BLOB: st = gclab_blob_new(h, op->a, (size_t)op->b); break;
        case OP_FUNC: {
            const struct ops_func *g = &p->funcs[op->b];
            st = gclab_func_new(h, op->a, g->name, trampoline, p, op->b, g->nargs, g->nslots);
            break;
        }
        case OP_CLASS: st = gclab_class_new(h, op->a, p->strs[op->b].s, op->c, op->d); break;
        case OP_INSTANCE: st = gclab_instance_new(h, op->a, op->b); break;
        case OP_WEAKREF:
            if ((st = empty_check(h, op->b)) == GCLAB_OK && (op->c < 0 || (st = empty_check(h, op->c)) == GCLAB_OK) &&
                (st = arg_tuple(h, op->a, op->c >= 0 ? 2 : 1, (int[]){ op->b, op->c }, -1, &held)) == GCLAB_OK)
                st = unheld(h, op->a, held, gclab_weakref_new(h, op->a, op->b, op->c));
            held = false;   /* a later failing call must not empty a destination it never held */
            break;
        case OP_MOVE: st = gclab_move(h, op->a, op->b); break;
        case OP_CLEAR: st = gclab_clear(h, op->a); break;
        case OP_GLOBAL_GET: st = gclab_global_get(h, op->a, names[op->b]); break;
        case OP_GLOBAL_SET: st = gclab_global_set(h, names[op->a], op->b); break;
        case OP_GLOBAL_DEL: st = gclab_global_del(h, names[op->a]); break;
        case OP_GETITEM:
            if (gclab_kind_of(h, op->b) == GCLAB_K_STR) {
                st = op_str_index(h, op);
                break;
            }
            st = gclab_getitem(h, op->a, op->b, op->c);
            break;
        case OP_SLICE: st = op_slice(h, op); break;
        case OP_DELSLICE: st = op_delslice(h, op); break;
        case OP_SETITEM: st = gclab_setitem(h, op->a, op->b, op->c); break;
        case OP_DELITEM: st = gclab_delitem(h, op->a, op->b); break;
        case OP_APPEND:
            st = gclab_list_append(h, op->a, op->b);
            if (st == GCLAB_ETYPE && gclab_kind_of(h, op->a) != GCLAB_K_LIST)
                st = gclab_raise(h, GCLAB_EATTR, "'%s' object has no attribute 'append'", gclab_type_name(h, op->a));
            break;
        case OP_POP:
            if (gclab_kind_of(h, op->b) == GCLAB_K_DICT) {
                /* d.pop(k): get, then delete */
                if (op->c < 0) {
                    st = gclab_raise(h, GCLAB_ETYPE, "pop expected at least 1 argument, got 0");
                } else if (op->a >= 0) {
                    /* Get and delete in a frame of their own, then store: `d` may be the dict's
                     * or the key's slot, which the delete still reads (found by the fuzzer's model). */
                    if ((st = gclab_frame_push_args(h, 3, 2, (int[]){ op->b, op->c })) != GCLAB_OK)
                        break;
                    if ((st = gclab_dict_get(h, 2, 0, 1)) == GCLAB_OK && (st = gclab_dict_del(h, 0, 1)) == GCLAB_OK)
                        st = gclab_frame_return(h, 2, op->a);
                    else
                        gclab_frame_pop(h);
                } else {
                    st = gclab_dict_del(h, op->b, op->c);
                }
                break;
            }
            if (gclab_kind_of(h, op->b) != GCLAB_K_LIST && gclab_kind_of(h, op->b) != GCLAB_K_EMPTY) {
                st = gclab_raise(h, GCLAB_EATTR, "'%s' object has no attribute 'pop'", gclab_type_name(h, op->b));
                break;
            }
            v = -1;
            if (op->c >= 0 && (st = int_arg(h, op->c, &v)) != GCLAB_OK)
                break;
            st = gclab_list_pop(h, op->a, op->b, v);
            break;
        case OP_DICT_GET:
            if (gclab_kind_of(h, op->b) != GCLAB_K_DICT && gclab_kind_of(h, op->b) != GCLAB_K_EMPTY) {
                st = gclab_raise(h, GCLAB_EATTR, "'%s' object has no attribute 'get'", gclab_type_name(h, op->b));
                break;
            }
            if (op->d >= 0) {
                st = gclab_dict_get_default(h, op->a, op->b, op->c, op->d);
            } else {
                /* d.get(k) defaults to None: the dst slot itself holds the default */
                if ((st = empty_check(h, op->b)) != GCLAB_OK || (st = empty_check(h, op->c)) != GCLAB_OK)
                    break;
                if ((st = gclab_frame_push_args(h, 3, 2, (int[]){ op->b, op->c })) != GCLAB_OK)
                    break;
                st = gclab_none(h, 2);
                if (st == GCLAB_OK)
                    st = gclab_dict_get_default(h, 2, 0, 1, 2);
                if (st == GCLAB_OK)
                    st = gclab_frame_return(h, 2, op->a);
                else
                    gclab_frame_pop(h);
            }
            break;
        case OP_GETATTR: st = gclab_attr_get(h, op->a, op->b, names[op->c]); break;
        case OP_SETATTR: st = gclab_attr_set(h, op->a, names[op->b], op->c); break;
        case OP_DELATTR: st = gclab_attr_del(h, op->a, names[op->b]); break;
        case OP_CALL:
            for (int i = 0; i < op->d; i++)
                args[i] = op->c + i;
            p->rt.err_located = false;
            if (kw >= 0) {
                st = bound_call(p, h, op->a, op->b, args, op->d, kw);
                kw = -1;
            } else if (op->d > 0 && gclab_kind_of(h, op->b) == GCLAB_K_CLASS &&
                       (st = arg_tuple(h, op->a, op->d, args, op->b, &held)) != GCLAB_OK) {
                break;
            } else {
                st = unheld(h, op->a, held, gclab_call(h, op->a, op->b, op->d, args));
                held = false;
            }
            break;
        case OP_KWNAMES:
            kw = op->a;
            break;
        case OP_RETURN:
            if (op->a >= 0 && fi != 0)
                st = gclab_return(h, op->a);
            if (st == GCLAB_OK)
                return GCLAB_OK;
            break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_FLOORDIV: case OP_MOD:
            st = op_arith(h, op);
            break;
        case OP_NEG:
            if ((st = empty_check(h, op->b)) != GCLAB_OK)
                break;
            if (!as_int(h, op->b, &v))
                st = gclab_raise(h, GCLAB_ETYPE, "bad operand type for unary -: '%s'", gclab_type_name(h, op->b));
            else if (v == INT64_MIN)
                st = gclab_raise(h, GCLAB_EOVERFLOW, "integer overflow (ints are 64-bit in gclab)");
            else
                st = gclab_int_new(h, op->a, -v);
            break;
        case OP_NOT:
            if ((st = gclab_truth(h, op->b, &b)) == GCLAB_OK)
                st = gclab_bool(h, op->a, !b);
            break;
        case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_IS: case OP_IS_NOT:
            st = op_compare(h, op);
            break;
        case OP_JUMP:
            pc = op->a;
            jumped = true;
            break;
        case OP_JUMP_IF_FALSE: case OP_JUMP_IF_TRUE:
            if ((st = gclab_truth(h, op->a, &b)) != GCLAB_OK)
                break;
            if (b == (op->code == OP_JUMP_IF_TRUE)) {
                pc = op->b;
                jumped = true;
            }
            break;
        case OP_FOR_RANGE:
            if ((st = op_for_range(h, op, &b)) == GCLAB_OK && !b) {
                pc = op->c;
                jumped = true;
            }
            break;
        case OP_LEN:
            if ((st = gclab_len(h, op->b, &v)) == GCLAB_OK)
                st = gclab_int_new(h, op->a, v);
            break;
        case OP_ID:
            if ((st = gclab_id(h, op->b, &u)) == GCLAB_OK)
                st = gclab_int_new(h, op->a, (int64_t)(u & INT64_MAX));
            break;
        case OP_REFCOUNT:
            /* The slot is the call's argument: core's count already includes it, so drop core's +1. */
            if ((st = gclab_getrefcount(h, op->b, &v)) == GCLAB_OK)
                st = gclab_int_new(h, op->a, v - 1);
            break;
        case OP_PRINT: st = op_print(p, h, op->a, op->b, -1, -1); break;
        case OP_PRINT_EX: st = op_print(p, h, op->a, op->b, op->c, op->d); break;
        case OP_ASSERT:
            if ((st = gclab_truth(h, op->a, &b)) != GCLAB_OK || b)
                break;
            if (op->b >= 0) {
                char msg[256];
                if ((st = empty_check(h, op->b)) != GCLAB_OK)
                    break;
                message_text(p, h, op->b, msg, sizeof msg);
                st = gclab_raise(h, GCLAB_EASSERT, "%s: %s", p->strs[op->c].s, msg);
            } else {
                st = gclab_raise(h, GCLAB_EASSERT, "%s", p->strs[op->c].s);
            }
            break;
        case OP_GC_COLLECT:
            v = 2;
            if (op->b >= 0 && (st = int_arg(h, op->b, &v)) != GCLAB_OK)
                break;
            if (v < 0 || v > 2) {
                st = gclab_raise(h, GCLAB_EVALUE, "invalid generation");
                break;
            }
            if ((st = gclab_gc_collect(h, (int)v, &v)) == GCLAB_OK && op->a >= 0)
                st = gclab_int_new(h, op->a, v);
            break;
        case OP_GC_ENABLE: gclab_gc_enable(h); break;
        case OP_GC_DISABLE: gclab_gc_disable(h); break;
        case OP_GC_ISENABLED: st = gclab_bool(h, op->a, gclab_gc_isenabled(h)); break;
        case OP_GC_GET_THRESHOLD: {
            int n = gclab_gc_get_threshold(h, iv);
            st = int_tuple(h, op->a, n, iv);
            break;
        }
        case OP_GC_GET_COUNT: {
            int n = gclab_gc_get_count(h, iv);
            st = int_tuple(h, op->a, n, iv);
            break;
        }
        case OP_GC_SET_THRESHOLD:
            if (op->b < 1 || op->b > GCLAB_MAX_GENS) {
                st = gclab_raise(h, GCLAB_ETYPE, "set_threshold() takes 1 to 3 arguments (%d given)", op->b);
                break;
            }
            for (int i = 0; i < op->b && st == GCLAB_OK; i++)
                st = int_arg(h, op->a + i, &iv[i]);
            for (int i = 0; i < op->b; i++)
                args[i] = op->a + i;
            if (st == GCLAB_OK && (st = arg_tuple(h, -1, op->b, args, -1, &held)) == GCLAB_OK)
                st = gclab_gc_set_threshold(h, op->b, iv);
            break;
        case OP_GC_GET_STATS: st = op_get_stats(h, op->a); break;
        case OP_GC_GET_OBJECTS:
            v = -1;
            if (op->b >= 0 && gclab_kind_of(h, op->b) != GCLAB_K_NONE) {
                if ((st = int_arg(h, op->b, &v)) != GCLAB_OK)
                    break;
                if (v < 0 || v > 2) {
                    st = gclab_raise(h, GCLAB_EVALUE, "generation parameter must be less than the number "
                                                      "of available generations (3)");
                    break;
                }
            }
            st = gclab_gc_get_objects(h, op->a, (int)v);
            break;
        case OP_GC_GARBAGE: st = gclab_gc_garbage(h, op->a); break;
        case OP_GC_CALLBACKS: st = gclab_gc_callbacks(h, op->a); break;
        case OP_GC_FREEZE: st = gclab_gc_freeze(h); break;
        case OP_GC_UNFREEZE: st = gclab_gc_unfreeze(h); break;
        case OP_GC_GET_FREEZE_COUNT:
            if ((st = gclab_gc_get_freeze_count(h, &v)) == GCLAB_OK)
                st = gclab_int_new(h, op->a, v);
            break;
        case OP_TRACKED_HEAP_SIZE:
            if ((st = gclab_gc_tracked_heap_size(h, &v)) == GCLAB_OK)
                st = gclab_int_new(h, op->a, v);
            break;
        case OP_GC_SET_DEBUG:
            if ((st = int_arg(h, op->a, &v)) == GCLAB_OK)
                st = gclab_gc_set_debug(h, (int)v);
            break;
        case OP_GC_GET_DEBUG: st = gclab_int_new(h, op->a, gclab_gc_get_debug(h)); break;
        case OP_GC_IS_TRACKED: case OP_GC_IS_FINALIZED:
            if ((st = (op->code == OP_GC_IS_TRACKED ? gclab_gc_is_tracked : gclab_gc_is_finalized)(h, op->b, &b))
                == GCLAB_OK)
                st = gclab_bool(h, op->a, b);
            break;
        case OP_GC_REFERENTS: case OP_GC_REFERRERS: st = op_gc_refs(h, op); break;
        case OP_TYPE_OF: case OP_TYPE_IS: case OP_TYPE_NAME: st = op_type(p, h, op); break;
        case OP_CLASS_BASE: st = gclab_class_set_base(h, op->a, op->b); break;
        case OP_IN: case OP_NOT_IN: st = op_contains(h, op); break;
        case OP_STR_OF: case OP_REPR:
            /* str is a type, called through tp_call; repr is a METH_O builtin */
            if (op->code == OP_STR_OF && (st = empty_check(h, op->b)) == GCLAB_OK)
                st = arg_tuple(h, op->a, 1, &op->b, -1, &held);
            if (st == GCLAB_OK)
                st = unheld(h, op->a, held, op_str_of(p, h, op));
            held = false;
            break;
        case OP_HASATTR:
            if ((st = gclab_method_get(h, op->a, op->b, names[op->c], &b)) == GCLAB_OK) {
                st = gclab_bool(h, op->a, true);
            } else if (st == GCLAB_EATTR) {
                gclab_error_clear(h);
                st = gclab_bool(h, op->a, false);
            }
            break;
        case OP_ISINSTANCE:
            if ((st = gclab_isinstance(h, op->b, op->c, &b)) == GCLAB_OK)
                st = gclab_bool(h, op->a, b);
            break;
        case OP_IS_KIND: {
            int k = gclab_kind_of(h, op->b);
            if ((st = empty_check(h, op->b)) == GCLAB_OK)
                st = gclab_bool(h, op->a, k == op->c || (op->c == GCLAB_K_INT && k == GCLAB_K_BOOL));
            break;
        }
        case OP_UNPACK: st = op_unpack(h, op); break;
        case OP_FOR_ITER:
            if ((st = op_for_iter(h, op, &b)) == GCLAB_OK && !b) {
                pc = op->c;
                jumped = true;
            }
            break;
        case OP_CALL_METHOD: {
            bool unbound;
            if ((st = gclab_method_get(h, op->c, op->c + 1, names[op->b], &unbound)) != GCLAB_OK) {
                if (st == GCLAB_EATTR && gclab_kind_of(h, op->c + 1) == GCLAB_K_LIST && kw < 0) {
                    bool handled;
                    for (int i = 0; i < op->d - 2; i++)
                        args[i] = op->c + 2 + i;
                    gclab_status est = list_method(h, op->a >= 0 ? op->a : op->c, op->c + 1,
                                                   p->strs[op->b].s, args, op->d - 2, &handled);
                    if (handled) {
                        st = est;
                        if (st == GCLAB_OK && op->a < 0)
                            gclab_clear(h, op->c);
                    } else {
                        gclab_raise(h, GCLAB_EATTR, "'list' object has no attribute '%s'", p->strs[op->b].s);
                    }
                }
                kw = -1;
                break;
            }
            int skip = unbound ? 1 : 2;
            for (int i = 0; i < op->d - skip; i++)
                args[i] = op->c + skip + i;
            p->rt.err_located = false;
            if (kw >= 0) {
                st = bound_call(p, h, op->a, op->c, args, op->d - skip, kw);
                kw = -1;
            } else {
                st = gclab_call(h, op->a, op->c, op->d - skip, args);
            }
            if (op->a != op->c)
                gclab_clear(h, op->c);
            break;
        }
        case OP_TRY:
            st = exc_push(&p->rt, h, (struct ops_exc){ .target = op->a });
            break;
        case OP_TRY_ELSE: case OP_EXC_END:
            if (!exc_top(&p->rt, base, op->code == OP_EXC_END)) {
                st = gclab_raise(h, GCLAB_EUSAGE, "%s without its TRY", ops_name(op->code));
                break;
            }
            exc_truncate(&p->rt, p->rt.nexc - 1);
            pc = op->a;
            jumped = true;
            break;
        case OP_EXCEPT: case OP_FINALLY: {
            const struct ops_exc *e = exc_top(&p->rt, base, true);
            if (!e) {
                st = gclab_raise(h, GCLAB_EUSAGE, "%s with no exception handled", ops_name(op->code));
                break;
            }
            if (op->code == OP_EXCEPT && !exc_match(p->strs[op->b].s, e->st, e->msg)) {
                pc = op->c;
                jumped = true;
            } else if (op->code == OP_EXCEPT && op->a >= 0) {
                st = gclab_str_new(h, op->a, e->msg, strlen(e->msg));
            }
            break;
        }
        case OP_RERAISE: st = op_reraise(p, h); break;
        case OP_RAISE: st = op_raise(p, h, op); break;
        case OP_COUNT:
            st = gclab_raise(h, GCLAB_EUSAGE, "bad opcode");
            break;
        }
        if (st == GCLAB_ENAME)
            name_error(p, h, fi, op);
        gclab_status own = st;
        if (p->rt.step)
            st = p->rt.step(p->rt.step_ctx, h, fi, at, true, st);
        if (st != GCLAB_OK) {
            locate(p, h, fi, at, op->code == OP_CALL || op->code == OP_CALL_METHOD || op->code == OP_RERAISE);
            int to = st == own ? exc_catch(p, h, base, st) : -1;
            if (to < 0)
                return st;
            st = GCLAB_OK;
            pc = to;
            continue;
        }
        if (!jumped)
            pc++;
        else if (pc <= at)
            gclab_safepoint(h);   /* a loop's backward jump: CPython's eval breaker check */
    }
    return GCLAB_OK;
}

gclab_status ops_run(gclab_heap *h, struct ops_program *p, FILE *out, struct ops_error *where)
{
    char err[256];
    gclab_status st;
    if (where)
        *where = (struct ops_error){ 0, 0, 0 };
    if (ops_validate(p, err, sizeof err) != 0)
        return gclab_raise(h, GCLAB_EUSAGE, "invalid program: %s", err);
    p->rt.out = out;
    p->rt.err_located = false;
    if ((st = rt_bind(p, h)) != GCLAB_OK)
        return st;
    if ((st = gclab_frame_push(h, p->funcs[0].nslots)) != GCLAB_OK)
        return st;
    int depth = gclab_frame_depth(h);
    st = exec_func(p, h, 0);
    /* Keep the error across the pop: a __del__ run by the pop must not replace it. */
    char msg[256];
    snprintf(msg, sizeof msg, "%s", gclab_error(h));
    gclab_status est = gclab_error_status(h);
    while (gclab_frame_depth(h) >= depth)
        gclab_frame_pop(h);
    if (st != GCLAB_OK) {
        gclab_raise(h, est ? est : st, "%s", msg);
        if (where && p->rt.err_located)
            *where = (struct ops_error){ p->rt.err_func, p->rt.err_pc, p->rt.err_line };
    }
    fflush(out ? out : stdout);
    return st;
}

/* ==================================================================== *
 * Comparing and dumping
 * ==================================================================== */

bool ops_program_equal(const struct ops_program *x, const struct ops_program *y, char *why, size_t whylen)
{
    if (x->nfuncs != y->nfuncs) {
        snprintf(why, whylen, "%d functions vs %d", x->nfuncs, y->nfuncs);
        return false;
    }
    for (int fi = 0; fi < x->nfuncs; fi++) {
        const struct ops_func *f = &x->funcs[fi], *g = &y->funcs[fi];
        if (f->nargs != g->nargs || f->nslots != g->nslots || f->nops != g->nops) {
            snprintf(why, whylen, "function %d: nargs %d/%d nslots %d/%d nops %d/%d", fi, f->nargs,
                     g->nargs, f->nslots, g->nslots, f->nops, g->nops);
            return false;
        }
        bool psame = (!f->params) == (!g->params) && f->ndefaults == g->ndefaults && f->varargs == g->varargs;
        for (int i = 0; psame && f->params && i < f->nargs; i++)
            psame = strcmp(f->params[i], g->params[i]) == 0;
        for (int i = 0; psame && i < f->ndefaults; i++) {
            const struct ops_const *a = &f->defaults[i], *b = &g->defaults[i];
            psame = a->kind == b->kind &&
                    (a->kind != GCLAB_K_STR ? a->v == b->v
                                            : x->strs[a->v].len == y->strs[b->v].len &&
                                              memcmp(x->strs[a->v].s, y->strs[b->v].s, x->strs[a->v].len) == 0);
        }
        if (!psame) {
            snprintf(why, whylen, "function %d: parameters differ (names, defaults or *args)", fi);
            return false;
        }
        for (int pc = 0; pc < f->nops; pc++) {
            const struct ops_op *a = &f->ops[pc], *b = &g->ops[pc];
            bool same = a->code == b->code;
            const char *k = same ? op_info[a->code < OP_COUNT ? a->code : 0].kinds : "----";
            int32_t va[4] = { a->a, a->b, a->c, a->d }, vb[4] = { b->a, b->b, b->c, b->d };
            for (int i = 0; i < 4 && same; i++) {
                if (a->code == OP_ASSERT && i == 2)
                    continue;   /* the assertion's source text is debug info */
                if (k[i] == 'T' || k[i] == 'Y') {
                    const struct ops_str *sa = va[i] >= 0 && va[i] < x->nstrs ? &x->strs[va[i]] : NULL;
                    const struct ops_str *sb = vb[i] >= 0 && vb[i] < y->nstrs ? &y->strs[vb[i]] : NULL;
                    same = sa && sb && sa->len == sb->len && memcmp(sa->s, sb->s, sa->len) == 0;
                } else {
                    same = va[i] == vb[i];
                }
            }
            if (!same) {
                snprintf(why, whylen, "function %d op %d: %s %d %d %d %d vs %s %d %d %d %d", fi, pc,
                         ops_name(a->code) ? ops_name(a->code) : "?", a->a, a->b, a->c, a->d,
                         ops_name(b->code) ? ops_name(b->code) : "?", b->a, b->b, b->c, b->d);
                return false;
            }
        }
    }
    return true;
}

void ops_dump(const struct ops_program *p, FILE *out)
{
    for (int fi = 0; fi < p->nfuncs; fi++) {
        const struct ops_func *f = &p->funcs[fi];
        fprintf(out, "func %d %s nargs=%d nslots=%d\n", fi, f->name, f->nargs, f->nslots);
        for (int pc = 0; pc < f->nops; pc++) {
            const struct ops_op *op = &f->ops[pc];
            fprintf(out, "  %4d %-16s %d %d %d %d", pc, ops_name(op->code) ? ops_name(op->code) : "?",
                    op->a, op->b, op->c, op->d);
            if (op->line)
                fprintf(out, "   ; line %d", op->line);
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nstrs; i++)
        fprintf(out, "str %d %.*s\n", i, (int)p->strs[i].len, p->strs[i].s);
}
