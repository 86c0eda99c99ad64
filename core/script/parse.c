/* parse.c — lexer and recursive-descent parser for heap scripts.
 *
 * The recursion follows the nesting of the source (brackets, unary
 * operators, indented blocks), never the size of the heap; it is bounded by
 * SCRIPT_MAX_NESTING, and going past it is an error, so no input can exhaust
 * the C stack. Every node is allocated in one arena and every error is a
 * longjmp to script_compile, which frees the arena: malformed input never
 * leaks, and nothing is compiled or run from it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "script.h"

/* ---- arena ---- */

struct arena_chunk { struct arena_chunk *next; size_t used, cap; max_align_t data[]; };

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *r = (char *)c->data + c->used;
    c->used += n;
    memset(r, 0, n);
    return r;
}

void arena_free(struct arena *a)
{
    while (a->head) {
        struct arena_chunk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

void script_fail(struct parser *p, int line, int col, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%d:%d: error: ", p->file, line, col);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    longjmp(p->fail, 1);
}

static void *alloc(struct parser *p, size_t n)
{
    void *r = arena_alloc(&p->arena, n);
    if (!r)
        script_fail(p, 0, 0, "out of memory");
    return r;
}

/* ---- lexer ---- */

enum tok { T_EOF, T_NEWLINE, T_INDENT, T_DEDENT, T_NAME, T_INT, T_STR, T_OP, T_FSTR };

struct lexer {
    struct parser *p;
    size_t pos;
    int line;
    size_t line_start;
    int indents[SCRIPT_MAX_NESTING + 2];
    int nindent;
    int pending_dedents;
    int parens;                  /* bracket depth: newlines inside are ignored */
    bool at_line_start;
    /* the current token */
    enum tok kind;
    int tline, tcol;
    size_t tstart, tend;
    char op[4];
    uint64_t ival;
    bool ival_big;               /* literal is exactly 2^63 (valid only negated) */
    char *s;
    size_t slen;
    const char *name;
    int depth;                   /* parser nesting */
    bool in_unpack;              /* check_target inside an unpacking target */
};

static int col_of(struct lexer *L, size_t pos) { return (int)(pos - L->line_start) + 1; }

static bool is_id_start(int c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_id_char(int c) { return is_id_start(c) || (c >= '0' && c <= '9'); }

static void lex_fail(struct lexer *L, size_t pos, const char *fmt, const char *arg)
{
    script_fail(L->p, L->line, col_of(L, pos), fmt, arg);
}

static void lex_string(struct lexer *L)
{
    struct parser *p = L->p;
    const char *src = p->src;
    char q = src[L->pos];
    size_t start = L->pos;
    /* '''...''' and """...""" may span lines (docstrings) */
    bool triple = L->pos + 2 < p->len && src[L->pos + 1] == q && src[L->pos + 2] == q;
    int start_line = L->line;
    size_t start_col_base = L->line_start;
    L->pos += triple ? 3 : 1;
    /* Decoded text is never longer than the source text up to the closing quote. */
    size_t cap = 16, n = 0;
    for (size_t i = L->pos; i < p->len && (triple ? !(src[i] == q && i + 2 < p->len && src[i + 1] == q &&
                                                       src[i + 2] == q) : src[i] != '\n'); i++)
        cap++;
    char *out = alloc(p, cap + 1);
    for (;;) {
        if (L->pos >= p->len || (!triple && src[L->pos] == '\n')) {
            if (triple) {
                L->line = start_line;
                L->line_start = start_col_base;
                lex_fail(L, start, "unterminated triple-quoted string literal%s", "");
            }
            lex_fail(L, start, "unterminated string literal%s", "");
        }
        unsigned char c = (unsigned char)src[L->pos];
        if (triple && c == '\n') {
            out[n++] = '\n';
            L->pos++;
            L->line++;
            L->line_start = L->pos;
            continue;
        }
        if (c == (unsigned char)q && (!triple || (L->pos + 2 < p->len && src[L->pos + 1] == q &&
                                                   src[L->pos + 2] == q))) {
            L->pos += triple ? 3 : 1;
            break;
        }
        if (c >= 0x80)
            lex_fail(L, L->pos, "non-ASCII character in string literal%s", "");
        if (c < 0x20 && c != '\t')
            lex_fail(L, L->pos, "control character in string literal%s", "");
        if (c != '\\') {
            out[n++] = (char)c;
            L->pos++;
            continue;
        }
        if (L->pos + 1 >= p->len)
            lex_fail(L, start, "unterminated string literal%s", "");
        char e = src[L->pos + 1];
        L->pos += 2;
        switch (e) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case '0': out[n++] = 0; break;
        case '\\': case '\'': case '"': out[n++] = e; break;
        case 'x': {
            int v = 0;
            for (int k = 0; k < 2; k++) {
                char h = L->pos < p->len ? src[L->pos] : 0;
                int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
                        h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0)
                    lex_fail(L, L->pos - 2 - (size_t)k, "truncated \\xXX escape%s", "");
                v = v * 16 + d;
                L->pos++;
            }
            if (v >= 0x80)
                lex_fail(L, L->pos - 4, "\\x escapes above \\x7f are not supported%s", "");
            out[n++] = (char)v;
            break;
        }
        case '\n':
            lex_fail(L, L->pos - 2, "line continuation is not supported%s", "");
            break;
        default:
            lex_fail(L, L->pos - 2, "unsupported escape sequence in string literal%s", "");
        }
    }
    out[n] = 0;
    L->kind = T_STR;
    L->s = out;
    L->slen = n;
}

static void lex_number(struct lexer *L)
{
    const char *src = L->p->src;
    size_t start = L->pos, len = L->p->len;
    int base = 10;
    if (src[L->pos] == '0' && L->pos + 1 < len && (src[L->pos + 1] == 'x' || src[L->pos + 1] == 'X')) {
        base = 16;
        L->pos += 2;
    }
    uint64_t v = 0;
    bool over = false;
    size_t digits = 0;
    while (L->pos < len) {
        char c = src[L->pos];
        int d = c >= '0' && c <= '9' ? c - '0' :
                base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            over = true;
        else
            v = v * (uint64_t)base + (uint64_t)d;
        L->pos++;
        digits++;
    }
    if (L->pos < len && (src[L->pos] == '.' || src[L->pos] == 'e' || src[L->pos] == 'E'))
        lex_fail(L, start, "float literals are not supported%s", "");
    if (L->pos < len && (is_id_char((unsigned char)src[L->pos]) || src[L->pos] == '_'))
        lex_fail(L, start, "invalid integer literal%s", "");
    if (base == 16 && digits == 0)
        lex_fail(L, start, "invalid hexadecimal literal%s", "");
    if (base == 10 && digits > 1 && src[start] == '0') {
        bool all_zero = true;
        for (size_t i = start; i < L->pos; i++)
            all_zero &= src[i] == '0';
        if (!all_zero)
            lex_fail(L, start, "leading zeros in decimal integer literals are not permitted%s", "");
    }
    if (over || v > (uint64_t)INT64_MAX + 1)
        lex_fail(L, start, "integer literal too large (ints are 64-bit in gclab)%s", "");
    L->kind = T_INT;
    L->ival = v;
    L->ival_big = v == (uint64_t)INT64_MAX + 1;
}

static const char *const ops3[] = { "//=", "**=", ">>=", "<<=", "...", NULL };
static const char *const ops2[] = { "==", "!=", "<=", ">=", "//", "+=", "-=", "*=", "%=", "**", "->",
                                    "/=", "&=", "|=", "^=", "<<", ">>", "@=", ":=", "<>", NULL };
static const char ops1[] = "+-*/%()[]{},:.;=<>@&|^~!";

/* Read the next token into L. */
static void lex_next(struct lexer *L)
{
    struct parser *p = L->p;
    const char *src = p->src;
    if (L->pending_dedents > 0) {
        L->pending_dedents--;
        L->kind = T_DEDENT;
        return;
    }
    for (;;) {
        if (L->at_line_start && L->parens == 0) {
            /* Measure indentation; blank and comment-only lines do not count. */
            size_t i = L->pos;
            int width = 0;
            while (i < p->len && src[i] == ' ') {
                i++;
                width++;
            }
            if (i < p->len && src[i] == '\t')
                lex_fail(L, i, "tabs in indentation are not supported%s", "");
            if (i < p->len && (src[i] == '\f' || src[i] == '\v'))
                lex_fail(L, i, "form feed in indentation is not supported%s", "");
            if (i >= p->len || src[i] == '\n' || src[i] == '#' || src[i] == '\r') {
                while (i < p->len && src[i] != '\n')
                    i++;
                if (i >= p->len) {
                    L->pos = i;
                    L->at_line_start = false;
                    continue;
                }
                L->pos = i + 1;
                L->line++;
                L->line_start = L->pos;
                continue;
            }
            L->at_line_start = false;
            L->pos = i;
            int cur = L->indents[L->nindent - 1];
            if (width > cur) {
                if (L->nindent > SCRIPT_MAX_NESTING)
                    lex_fail(L, i, "too deeply nested (limit %s)", "100");
                L->indents[L->nindent++] = width;
                L->tline = L->line;
                L->tcol = col_of(L, i);
                L->kind = T_INDENT;
                return;
            }
            if (width < cur) {
                int n = 0;
                while (L->nindent > 1 && L->indents[L->nindent - 1] > width) {
                    L->nindent--;
                    n++;
                }
                if (L->indents[L->nindent - 1] != width)
                    lex_fail(L, i, "unindent does not match any outer indentation level%s", "");
                L->pending_dedents = n - 1;
                L->tline = L->line;
                L->tcol = col_of(L, i);
                L->kind = T_DEDENT;
                return;
            }
        }
        /* Skip spaces and comments within a line. */
        while (L->pos < p->len && (src[L->pos] == ' ' || src[L->pos] == '\t' || src[L->pos] == '\r'))
            L->pos++;
        if (L->pos < p->len && src[L->pos] == '#')
            while (L->pos < p->len && src[L->pos] != '\n')
                L->pos++;
        L->tline = L->line;
        L->tcol = col_of(L, L->pos);
        L->tstart = L->pos;
        if (L->pos >= p->len) {
            if (L->parens > 0)
                lex_fail(L, L->pos, "unexpected end of file inside brackets%s", "");
            /* A last line without '\n' still ends with NEWLINE, then dedents. */
            if (L->kind != T_NEWLINE && L->kind != T_DEDENT && L->kind != T_INDENT && L->kind != T_EOF) {
                L->kind = T_NEWLINE;
                return;
            }
            if (L->nindent > 1) {
                L->nindent--;
                L->kind = T_DEDENT;
                return;
            }
            L->kind = T_EOF;
            return;
        }
        unsigned char c = (unsigned char)src[L->pos];
        if (c == '\n') {
            L->pos++;
            L->line++;
            L->line_start = L->pos;
            if (L->parens > 0)
                continue;
            L->at_line_start = true;
            L->kind = T_NEWLINE;
            return;
        }
        if (c == '\\')
            lex_fail(L, L->pos, "line continuation with '\\' is not supported%s", "");
        if (c >= 0x80)
            lex_fail(L, L->pos, "non-ASCII character%s", "");
        if (is_id_start(c)) {
            size_t s = L->pos;
            while (L->pos < p->len && is_id_char((unsigned char)src[L->pos]))
                L->pos++;
            if (L->pos < p->len && (src[L->pos] == '\'' || src[L->pos] == '"')) {
                if (L->pos - s == 1 && (src[s] == 'f' || src[s] == 'F')) {
                    /* an f-string: its text decoded as a literal's; parse_atom splits it */
                    int tl = L->line, tc = col_of(L, s);
                    lex_string(L);
                    L->kind = T_FSTR;
                    L->tline = tl;
                    L->tcol = tc;
                    L->tstart = s;
                    L->tend = L->pos;
                    return;
                }
                lex_fail(L, s, "string prefixes are not supported%s", "");
            }
            char *nm = alloc(p, L->pos - s + 1);
            memcpy(nm, src + s, L->pos - s);
            L->kind = T_NAME;
            L->name = nm;
            L->tend = L->pos;
            return;
        }
        if (c >= '0' && c <= '9') {
            lex_number(L);
            L->tend = L->pos;
            return;
        }
        if (c == '\'' || c == '"') {
            lex_string(L);
            L->tend = L->pos;
            return;
        }
        const char *const *tabs[2] = { ops3, ops2 };
        for (int t = 0; t < 2; t++) {
            size_t n = 3 - (size_t)t;
            for (const char *const *o = tabs[t]; *o; o++)
                if (L->pos + n <= p->len && memcmp(src + L->pos, *o, n) == 0) {
                    memcpy(L->op, *o, n);
                    L->op[n] = 0;
                    L->pos += n;
                    L->kind = T_OP;
                    L->tend = L->pos;
                    return;
                }
        }
        if (c && strchr(ops1, c)) {
            L->op[0] = (char)c;
            L->op[1] = 0;
            L->pos++;
            L->kind = T_OP;
            L->tend = L->pos;
            if (c == '(' || c == '[' || c == '{') {
                if (++L->parens > SCRIPT_MAX_NESTING)
                    lex_fail(L, L->pos - 1, "too deeply nested (limit %s)", "100");
            } else if (c == ')' || c == ']' || c == '}') {
                if (L->parens > 0)
                    L->parens--;
            }
            return;
        }
        char what[8];
        snprintf(what, sizeof what, c >= 0x20 && c < 0x7f ? "'%c'" : "\\x%02x", c);
        lex_fail(L, L->pos, "invalid character %s", what);
    }
}

/* ---- parser ---- */

static bool is_op(struct lexer *L, const char *op) { return L->kind == T_OP && strcmp(L->op, op) == 0; }
static bool is_kw(struct lexer *L, const char *kw) { return L->kind == T_NAME && strcmp(L->name, kw) == 0; }

static const char *describe(struct lexer *L)
{
    switch (L->kind) {
    case T_EOF: return "end of file";
    case T_NEWLINE: return "end of line";
    case T_INDENT: return "indent";
    case T_DEDENT: return "dedent";
    case T_INT: return "integer";
    case T_STR: case T_FSTR: return "string";
    case T_NAME: return L->name;
    default: return L->op;
    }
}

static void __attribute__((noreturn)) expected(struct lexer *L, const char *what)
{
    if (L->kind == T_INDENT)
        script_fail(L->p, L->tline, L->tcol, "unexpected indent");
    script_fail(L->p, L->tline, L->tcol, "expected %s, got '%s'", what, describe(L));
}

static void expect_op(struct lexer *L, const char *op)
{
    if (!is_op(L, op)) {
        char w[16];
        snprintf(w, sizeof w, "'%s'", op);
        expected(L, w);
    }
    lex_next(L);
}

static const char *const keywords[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
    "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", NULL,
};

static bool is_keyword(const char *s)
{
    for (const char *const *k = keywords; *k; k++)
        if (strcmp(*k, s) == 0)
            return true;
    return false;
}

static const char *expect_name(struct lexer *L, const char *what)
{
    if (L->kind != T_NAME || is_keyword(L->name))
        expected(L, what);
    const char *n = L->name;
    lex_next(L);
    return n;
}

static void enter(struct lexer *L)
{
    if (++L->depth > SCRIPT_MAX_NESTING)
        script_fail(L->p, L->tline, L->tcol, "too deeply nested (limit %d)", SCRIPT_MAX_NESTING);
}

/* Depth of a node built over children a and b: a long chain like 1+1+1+... is
 * a deep tree without any brackets, so it has its own limit. */
static void set_depth(struct lexer *L, struct expr *e)
{
    int d = 0;
    if (e->a && e->a->depth > d) d = e->a->depth;
    if (e->b && e->b->depth > d) d = e->b->depth;
    for (int i = 0; i < e->n; i++)
        if (e->items[i]->depth > d)
            d = e->items[i]->depth;
    e->depth = d + 1;
    if (e->depth > SCRIPT_MAX_EXPR_DEPTH)
        script_fail(L->p, e->line, e->col, "expression too complex (more than %d nested operations)",
                    SCRIPT_MAX_EXPR_DEPTH);
}

static struct expr *node(struct lexer *L, enum expr_kind k, int line, int col, size_t start)
{
    struct expr *e = alloc(L->p, sizeof *e);
    e->kind = k;
    e->line = line;
    e->col = col;
    e->start = (int)start;
    return e;
}

/* A growable array of pointers in the arena. */
struct vec { void **v; int n, cap; };
static void vec_push(struct parser *p, struct vec *v, void *x)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        void **n = alloc(p, (size_t)cap * sizeof *n);
        if (v->n)
            memcpy(n, v->v, (size_t)v->n * sizeof *n);
        v->v = n;
        v->cap = cap;
    }
    v->v[v->n++] = x;
}

static struct expr *parse_expr(struct lexer *L);

static struct expr *parse_or_test(struct lexer *L);

/* The clauses of a comprehension after its element(s), up to the closing
 * bracket: `for TARGET in OR_TEST` then any `for` or `if OR_TEST` clauses. */
static struct expr *parse_comp(struct lexer *L, enum expr_kind kind, struct expr *a, struct expr *b,
                               const char *close)
{
    struct vec v = { 0 };
    struct expr *c = node(L, kind, a->line, a->col, (size_t)a->start);
    while (is_kw(L, "for") || is_kw(L, "if")) {
        int line = L->tline, col = L->tcol;
        size_t start = L->tstart;
        if (is_kw(L, "if")) {
            lex_next(L);
            struct expr *k = node(L, E_COMPIF, line, col, start);
            k->a = parse_or_test(L);
            set_depth(L, k);
            vec_push(L->p, &v, k);
            continue;
        }
        lex_next(L);
        if (is_kw(L, "async"))
            script_fail(L->p, L->tline, L->tcol, "'async' is not supported");
        struct expr *k = node(L, E_COMPFOR, line, col, start);
        struct vec names = { 0 };
        for (;;) {
            struct expr *n = node(L, E_NAME, L->tline, L->tcol, L->tstart);
            n->name = expect_name(L, "a loop variable name");
            vec_push(L->p, &names, n);
            if (!is_op(L, ","))
                break;
            lex_next(L);
        }
        if (names.n == 1) {
            k->a = names.v[0];
        } else {
            k->a = node(L, E_TUPLE, line, col, start);
            k->a->items = (struct expr **)names.v;
            k->a->n = names.n;
            set_depth(L, k->a);
        }
        if (!is_kw(L, "in"))
            expected(L, "'in'");
        lex_next(L);
        k->b = parse_or_test(L);
        set_depth(L, k);
        vec_push(L->p, &v, k);
    }
    if (!is_op(L, close)) {
        char w[16];
        snprintf(w, sizeof w, "'%s'", close);
        expected(L, w);
    }
    lex_next(L);
    c->a = a;
    c->b = b;
    c->items = (struct expr **)v.v;
    c->n = v.n;
    set_depth(L, c);
    return c;
}

/* Items up to the closing bracket; returns the count and whether a trailing comma was seen. */
/* Items of a display, or (call) the arguments of a call: NAME=value is an
 * E_KEYWORD node, after every positional argument as Python requires. */
static struct vec parse_items(struct lexer *L, const char *close, bool *comma, bool call)
{
    struct vec v = { 0 };
    bool keywords = false;
    *comma = false;
    while (!is_op(L, close)) {
        if (is_op(L, "*") || is_op(L, "**"))
            script_fail(L->p, L->tline, L->tcol, "unpacking with '%s' is not supported", L->op);
        struct expr *e = parse_expr(L);
        if (is_op(L, "=") && (!call || e->kind != E_NAME))
            script_fail(L->p, L->tline, L->tcol, call ? "expected a parameter name before '='"
                                                      : "keyword arguments are supported only in calls");
        if (is_op(L, "=")) {
            lex_next(L);
            struct expr *k = node(L, E_KEYWORD, e->line, e->col, (size_t)e->start);
            k->name = e->name;
            k->a = parse_expr(L);
            set_depth(L, k);
            for (int i = 0; i < v.n; i++)
                if (((struct expr *)v.v[i])->kind == E_KEYWORD && strcmp(((struct expr *)v.v[i])->name, k->name) == 0)
                    script_fail(L->p, e->line, e->col, "keyword argument repeated: %s", k->name);
            keywords = true;
            e = k;
        } else if (keywords) {
            script_fail(L->p, e->line, e->col, "positional argument follows keyword argument");
        }
        if (is_kw(L, "for") && (call || v.n > 0 || strcmp(close, ")") == 0))
            script_fail(L->p, L->tline, L->tcol, call || strcmp(close, ")") == 0
                                                     ? "generator expressions are not supported"
                                                     : "expected ',' or ']', got 'for'");
        if (is_kw(L, "for")) {
            struct vec one = { 0 };
            vec_push(L->p, &one, parse_comp(L, E_LISTCOMP, e, NULL, close));
            *comma = true;   /* (the caller makes no tuple of it: the comprehension is the value) */
            return one;
        }
        if (is_op(L, ":"))
            script_fail(L->p, L->tline, L->tcol, "slices are not supported");
        vec_push(L->p, &v, e);
        if (!is_op(L, ","))
            break;
        *comma = true;
        lex_next(L);
        if (is_op(L, close))
            break;
        *comma = false;
    }
    if (!is_op(L, close)) {
        char w[16];
        snprintf(w, sizeof w, "',' or '%s'", close);
        expected(L, w);
    }
    lex_next(L);
    return v;
}

static struct expr *parse_expr(struct lexer *L);

/* An f-string's text (decoded, in L->s) into literal parts and {value} /
 * {value!r} / {value!s} parts; each value is parsed by a lexer of its own over
 * its text, reporting positions from the f-string's start. */
static struct expr *parse_fstring(struct lexer *L)
{
    struct parser *p = L->p;
    int line = L->tline, col = L->tcol;
    struct expr *f = node(L, E_FSTR, line, col, L->tstart);
    const char *t = L->s;
    size_t n = L->slen;
    struct vec parts = { 0 };
    char *lit = alloc(p, n + 1);
    size_t nl = 0;
    for (size_t i = 0; i <= n;) {
        bool end = i == n;
        if (!end && t[i] == '}') {
            if (i + 1 < n && t[i + 1] == '}') {
                lit[nl++] = '}';
                i += 2;
                continue;
            }
            script_fail(p, line, col, "f-string: single '}' is not allowed");
        }
        if (!end && t[i] == '{' && i + 1 < n && t[i + 1] == '{') {
            lit[nl++] = '{';
            i += 2;
            continue;
        }
        if (!end && t[i] != '{') {
            lit[nl++] = t[i++];
            continue;
        }
        if (nl) {
            struct expr *s = node(L, E_STR, line, col, L->tstart);
            s->s = lit;
            s->slen = nl;
            vec_push(p, &parts, s);
            lit = alloc(p, n + 1);
            nl = 0;
        }
        if (end)
            break;
        /* {expression[!r|!s]} : find its end at bracket depth 0, outside quotes */
        size_t j = ++i;
        int depth = 0;
        char q = 0;
        for (; j < n; j++) {
            char c = t[j];
            if (q) {
                if (c == q)
                    q = 0;
                continue;
            }
            if (c == '\'' || c == '"')
                q = c;
            else if (c == '(' || c == '[' || c == '{')
                depth++;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0)
                depth--;
            else if (depth == 0 && (c == '}' || c == ':' || (c == '!' && (j + 1 >= n || t[j + 1] != '='))))
                break;
            else if (depth == 0 && c == '=' && j + 1 < n && (t[j + 1] == '}' || t[j + 1] == '!' || t[j + 1] == ':') &&
                     j > i && !strchr("=!<>", t[j - 1]))
                script_fail(p, line, col, "f-string: '=' (self-documenting expressions) is not supported");
        }
        if (j >= n)
            script_fail(p, line, col, "f-string: expecting '}'");
        if (t[j] == ':')
            script_fail(p, line, col, "f-string: format specs are not supported (use %% formatting)");
        int conv = 's';
        size_t close = j;
        if (t[j] == '!') {
            if (j + 2 >= n || (t[j + 1] != 'r' && t[j + 1] != 's') || t[j + 2] != '}')
                script_fail(p, line, col, "f-string: only the !r and !s conversions are supported");
            conv = t[j + 1];
            close = j + 2;
        }
        bool blank = true;
        for (size_t k = i; k < j; k++)
            blank &= t[k] == ' ';
        if (blank)
            script_fail(p, line, col, "f-string: empty expression not allowed");
        /* the value's own lexer, over a copy of its text (newlines inside are spaces) */
        char *text = alloc(p, j - i + 1);
        for (size_t k = i; k < j; k++)
            text[k - i] = t[k] == '\n' ? ' ' : t[k];
        const char *saved_src = p->src;
        size_t saved_len = p->len;
        struct lexer *sub = alloc(p, sizeof *sub);
        sub->p = p;
        sub->line = line;
        sub->line_start = (size_t)0 - (size_t)(col + 1 + (int)i);   /* columns from the f-string's start */
        sub->indents[0] = 0;
        sub->nindent = 1;
        sub->kind = T_OP;   /* the end of its text is a NEWLINE token */
        sub->depth = L->depth;
        p->src = text;
        p->len = j - i;
        lex_next(sub);
        struct expr *v = parse_expr(sub);
        bool at_end = sub->kind == T_NEWLINE || sub->kind == T_EOF;
        p->src = saved_src;
        p->len = saved_len;
        if (!at_end)
            script_fail(p, line, col, "f-string: expecting '}'");
        struct expr *fm = node(L, E_FORMAT, line, col, L->tstart);
        fm->a = v;
        fm->op = conv;
        set_depth(L, fm);
        vec_push(p, &parts, fm);
        i = close + 1;
    }
    f->items = (struct expr **)parts.v;
    f->n = parts.n;
    set_depth(L, f);
    lex_next(L);
    if (L->kind == T_STR || L->kind == T_FSTR)
        script_fail(p, L->tline, L->tcol, "implicit concatenation with f-strings is not supported");
    return f;
}

static struct expr *parse_atom(struct lexer *L)
{
    int line = L->tline, col = L->tcol;
    size_t start = L->tstart;
    struct expr *e;
    switch (L->kind) {
    case T_INT:
        e = node(L, E_INT, line, col, start);
        e->ival = L->ival;
        lex_next(L);
        return e;
    case T_FSTR:
        return parse_fstring(L);
    case T_STR: {
        e = node(L, E_STR, line, col, start);
        e->s = L->s;
        e->slen = L->slen;
        lex_next(L);
        /* Adjacent literals concatenate. */
        if (L->kind == T_FSTR)
            script_fail(L->p, L->tline, L->tcol, "implicit concatenation with f-strings is not supported");
        while (L->kind == T_STR) {
            char *s = alloc(L->p, e->slen + L->slen + 1);
            memcpy(s, e->s, e->slen);
            memcpy(s + e->slen, L->s, L->slen);
            e->s = s;
            e->slen += L->slen;
            lex_next(L);
        }
        return e;
    }
    case T_NAME:
        if (strcmp(L->name, "None") == 0 || strcmp(L->name, "True") == 0 || strcmp(L->name, "False") == 0) {
            e = node(L, L->name[0] == 'N' ? E_NONE : L->name[0] == 'T' ? E_TRUE : E_FALSE, line, col, start);
            lex_next(L);
            return e;
        }
        if (is_keyword(L->name)) {
            if (strcmp(L->name, "lambda") == 0 || strcmp(L->name, "yield") == 0 || strcmp(L->name, "await") == 0)
                script_fail(L->p, line, col, "'%s' is not supported", L->name);
            expected(L, "an expression");
        }
        e = node(L, E_NAME, line, col, start);
        e->name = L->name;
        lex_next(L);
        return e;
    case T_OP:
        if (is_op(L, "(") || is_op(L, "[") || is_op(L, "{")) {
            char open = L->op[0];
            lex_next(L);
            bool comma;
            if (open == '{') {
                struct vec v = { 0 };
                while (!is_op(L, "}")) {
                    vec_push(L->p, &v, parse_expr(L));
                    if (((struct expr *)v.v[v.n - 1])->kind == E_TUPLE)
                        script_fail(L->p, ((struct expr *)v.v[v.n - 1])->line, ((struct expr *)v.v[v.n - 1])->col,
                                    "tuple dict keys are not supported (dict keys are ints and strs)");
                    if (!is_op(L, ":"))
                        script_fail(L->p, L->tline, L->tcol, v.n == 1 ? "set displays are not supported"
                                                                       : "expected ':' in dict display");
                    lex_next(L);
                    vec_push(L->p, &v, parse_expr(L));
                    if (is_kw(L, "for") && v.n == 2)
                        return parse_comp(L, E_DICTCOMP, v.v[0], v.v[1], "}");
                    if (is_kw(L, "for"))
                        script_fail(L->p, L->tline, L->tcol, "expected ',' or '}', got 'for'");
                    if (!is_op(L, ","))
                        break;
                    lex_next(L);
                }
                expect_op(L, "}");
                e = node(L, E_DICT, line, col, start);
                e->items = (struct expr **)v.v;
                e->n = v.n;
                set_depth(L, e);
                return e;
            }
            struct vec v = parse_items(L, open == '(' ? ")" : "]", &comma, false);
            if (v.n == 1 && ((struct expr *)v.v[0])->kind == E_LISTCOMP && open == '[')
                return v.v[0];
            if (open == '(' && v.n == 1 && !comma) {
                e = v.v[0];
                return e;   /* parenthesized expression */
            }
            e = node(L, open == '(' ? E_TUPLE : E_LIST, line, col, start);
            e->items = (struct expr **)v.v;
            e->n = v.n;
            set_depth(L, e);
            return e;
        }
        expected(L, "an expression");
    default:
        expected(L, "an expression");
    }
}

static struct expr *parse_postfix(struct lexer *L)
{
    struct expr *e = parse_atom(L);
    for (;;) {
        int line = L->tline, col = L->tcol;
        if (is_op(L, "(")) {
            enter(L);
            lex_next(L);
            bool comma;
            struct vec v = parse_items(L, ")", &comma, true);
            struct expr *c = node(L, E_CALL, e->line, e->col, (size_t)e->start);
            c->a = e;
            c->items = (struct expr **)v.v;
            c->n = v.n;
            set_depth(L, c);
            e = c;
            L->depth--;
        } else if (is_op(L, "[")) {
            enter(L);
            lex_next(L);
            struct expr *i = node(L, E_INDEX, e->line, e->col, (size_t)e->start);
            i->a = e;
            i->b = is_op(L, ":") ? NULL : parse_expr(L);
            if (is_op(L, ":")) {
                /* a[lo:hi:step]: an omitted bound is None, as CPython's BUILD_SLICE gets it */
                struct expr **b = alloc(L->p, 3 * sizeof *b);
                b[0] = i->b;
                for (int k = 1; k < 3 && is_op(L, ":"); k++) {
                    lex_next(L);
                    if (!is_op(L, "]") && !is_op(L, ":"))
                        b[k] = parse_expr(L);
                }
                for (int k = 0; k < 3; k++)
                    if (!b[k])
                        b[k] = node(L, E_NONE, line, col, L->tstart);
                i->kind = E_SLICE;
                i->b = NULL;
                i->items = b;
                i->n = 3;
            }
            if (is_op(L, ","))
                script_fail(L->p, L->tline, L->tcol, "tuple subscripts are not supported");
            if (i->b && i->b->kind == E_TUPLE)
                script_fail(L->p, i->b->line, i->b->col, "tuple subscripts are not supported (dict keys are ints and strs)");
            expect_op(L, "]");
            set_depth(L, i);
            e = i;
            L->depth--;
        } else if (is_op(L, ".")) {
            lex_next(L);
            struct expr *a = node(L, E_ATTR, e->line, e->col, (size_t)e->start);
            a->a = e;
            a->name = expect_name(L, "an attribute name");
            set_depth(L, a);
            e = a;
        } else {
            (void)line;
            (void)col;
            return e;
        }
    }
}

static struct expr *parse_unary(struct lexer *L)
{
    if (is_op(L, "-") || is_op(L, "+")) {
        int line = L->tline, col = L->tcol;
        size_t start = L->tstart;
        bool neg = L->op[0] == '-';
        enter(L);
        lex_next(L);
        struct expr *a = parse_unary(L);
        L->depth--;
        if (!neg)
            script_fail(L->p, line, col, "unary '+' is not supported");
        if (a->kind == E_INT && a->op == 0) {
            /* Fold -LITERAL as Python does (so -9223372036854775808 can be written). */
            struct expr *e = node(L, E_INT, line, col, start);
            e->ival = (uint64_t)0 - a->ival;   /* two's complement of the magnitude */
            e->op = 1;                         /* a folded, signed value */
            return e;
        }
        struct expr *e = node(L, E_NEG, line, col, start);
        e->a = a;
        set_depth(L, e);
        return e;
    }
    if (is_op(L, "~"))
        script_fail(L->p, L->tline, L->tcol, "operator '~' is not supported");
    struct expr *e = parse_postfix(L);
    if (is_op(L, "**"))
        script_fail(L->p, L->tline, L->tcol, "operator '**' is not supported");
    return e;
}

static struct expr *parse_term(struct lexer *L)
{
    struct expr *e = parse_unary(L);
    for (;;) {
        int op;
        if (is_op(L, "*")) op = '*';
        else if (is_op(L, "//")) op = '/';
        else if (is_op(L, "%")) op = '%';
        else if (is_op(L, "/"))
            script_fail(L->p, L->tline, L->tcol, "operator '/' (true division) is not supported; use '//'");
        else if (is_op(L, "@") || is_op(L, "<<") || is_op(L, ">>") || is_op(L, "&") || is_op(L, "|") || is_op(L, "^"))
            script_fail(L->p, L->tline, L->tcol, "operator '%s' is not supported", L->op);
        else
            return e;
        lex_next(L);
        struct expr *b = node(L, E_BINOP, e->line, e->col, (size_t)e->start);
        b->op = op;
        b->a = e;
        b->b = parse_unary(L);
        set_depth(L, b);
        e = b;
    }
}

static struct expr *parse_arith(struct lexer *L)
{
    struct expr *e = parse_term(L);
    while (is_op(L, "+") || is_op(L, "-")) {
        int op = L->op[0];
        lex_next(L);
        struct expr *b = node(L, E_BINOP, e->line, e->col, (size_t)e->start);
        b->op = op;
        b->a = e;
        b->b = parse_term(L);
        set_depth(L, b);
        e = b;
    }
    return e;
}

static int compare_op(struct lexer *L)
{
    if (L->kind == T_OP) {
        static const char *const s[] = { "==", "!=", "<", "<=", ">", ">=" };
        for (int i = 0; i < 6; i++)
            if (strcmp(L->op, s[i]) == 0)
                return i;
        if (strcmp(L->op, "<>") == 0)
            script_fail(L->p, L->tline, L->tcol, "operator '<>' is not supported; use '!='");
        return -1;
    }
    if (is_kw(L, "is"))
        return C_IS;
    if (is_kw(L, "in"))
        return C_IN;
    if (is_kw(L, "not"))
        return C_NOT_IN;   /* `not` after an operand can only begin `not in` */
    return -1;
}

static struct expr *parse_compare(struct lexer *L)
{
    struct expr *first = parse_arith(L);
    int op = compare_op(L);
    if (op < 0)
        return first;
    struct vec items = { 0 }, ops = { 0 };
    vec_push(L->p, &items, first);
    while ((op = compare_op(L)) >= 0) {
        lex_next(L);
        if (op == C_IS && is_kw(L, "not")) {
            op = C_IS_NOT;
            lex_next(L);
        }
        if (op == C_NOT_IN) {
            if (!is_kw(L, "in"))
                expected(L, "'in'");
            lex_next(L);
        }
        vec_push(L->p, &ops, (void *)(intptr_t)op);
        vec_push(L->p, &items, parse_arith(L));
    }
    struct expr *e = node(L, E_COMPARE, first->line, first->col, (size_t)first->start);
    e->items = (struct expr **)items.v;
    e->n = items.n;
    e->ops = alloc(L->p, (size_t)ops.n * sizeof *e->ops);
    for (int i = 0; i < ops.n; i++)
        e->ops[i] = (int)(intptr_t)ops.v[i];
    set_depth(L, e);
    return e;
}

static struct expr *parse_not(struct lexer *L)
{
    if (is_kw(L, "not")) {
        int line = L->tline, col = L->tcol;
        size_t start = L->tstart;
        enter(L);
        lex_next(L);
        struct expr *e = node(L, E_NOT, line, col, start);
        e->a = parse_not(L);
        L->depth--;
        set_depth(L, e);
        return e;
    }
    return parse_compare(L);
}

static struct expr *parse_and(struct lexer *L)
{
    struct expr *e = parse_not(L);
    while (is_kw(L, "and")) {
        lex_next(L);
        struct expr *b = node(L, E_AND, e->line, e->col, (size_t)e->start);
        b->a = e;
        b->b = parse_not(L);
        set_depth(L, b);
        e = b;
    }
    return e;
}

static struct expr *parse_or_test(struct lexer *L)
{
    struct expr *e = parse_and(L);
    while (is_kw(L, "or")) {
        lex_next(L);
        struct expr *b = node(L, E_OR, e->line, e->col, (size_t)e->start);
        b->a = e;
        b->b = parse_and(L);
        set_depth(L, b);
        e = b;
    }
    return e;
}

static struct expr *parse_expr(struct lexer *L)
{
    enter(L);
    struct expr *e = parse_and(L);
    while (is_kw(L, "or")) {
        lex_next(L);
        struct expr *b = node(L, E_OR, e->line, e->col, (size_t)e->start);
        b->a = e;
        b->b = parse_and(L);
        set_depth(L, b);
        e = b;
    }
    if (is_kw(L, "if")) {
        lex_next(L);
        struct expr *c = node(L, E_IFEXP, e->line, e->col, (size_t)e->start);
        struct expr **test = alloc(L->p, sizeof *test);
        test[0] = parse_or_test(L);
        if (!is_kw(L, "else"))
            expected(L, "'else'");
        lex_next(L);
        c->a = e;
        c->items = test;
        c->n = 1;
        c->b = parse_expr(L);
        set_depth(L, c);
        e = c;
    }
    if (is_op(L, ":="))
        script_fail(L->p, L->tline, L->tcol, "assignment expressions are not supported");
    L->depth--;
    e->end = (int)L->tstart;
    /* Trailing spaces before the next token are not part of the text. */
    while (e->end > e->start && (L->p->src[e->end - 1] == ' ' || L->p->src[e->end - 1] == '\n' ||
                                 L->p->src[e->end - 1] == '\r' || L->p->src[e->end - 1] == '\t'))
        e->end--;
    return e;
}

/* expr or an unparenthesized tuple "a, b". */
static struct expr *parse_exprlist(struct lexer *L)
{
    struct expr *e = parse_expr(L);
    if (!is_op(L, ","))
        return e;
    struct vec v = { 0 };
    vec_push(L->p, &v, e);
    while (is_op(L, ",")) {
        lex_next(L);
        if (L->kind == T_NEWLINE || is_op(L, "=") || is_op(L, ";") || L->kind == T_EOF)
            break;
        vec_push(L->p, &v, parse_expr(L));
    }
    struct expr *t = node(L, E_TUPLE, e->line, e->col, (size_t)e->start);
    t->items = (struct expr **)v.v;
    t->n = v.n;
    t->end = (int)L->tstart;
    set_depth(L, t);
    return t;
}

static struct stmt *new_stmt(struct lexer *L, enum stmt_kind k, int line, int col)
{
    struct stmt *s = alloc(L->p, sizeof *s);
    s->kind = k;
    s->line = line;
    s->col = col;
    return s;
}

static void check_target(struct lexer *L, struct expr *e, bool del)
{
    if (e->kind == E_SLICE && !del)
        script_fail(L->p, e->line, e->col, "assignment to a slice is not supported");
    if (e->kind == E_SLICE)
        return;
    if (e->kind == E_NAME || e->kind == E_ATTR || e->kind == E_INDEX) {
        if (e->kind == E_NAME && (strcmp(e->name, "gc") == 0 || strcmp(e->name, "sys") == 0 ||
                                  strcmp(e->name, "weakref") == 0 || strcmp(e->name, "_testinternalcapi") == 0))
            script_fail(L->p, e->line, e->col, "cannot %s module name '%s'", del ? "delete" : "assign to", e->name);
        return;
    }
    if ((e->kind == E_TUPLE || e->kind == E_LIST) && !del && e->n > 0 && !L->in_unpack) {
        /* `a, b = ...`: one level of simple targets */
        L->in_unpack = true;
        for (int i = 0; i < e->n; i++)
            check_target(L, e->items[i], false);
        L->in_unpack = false;
        return;
    }
    if (e->kind == E_TUPLE || e->kind == E_LIST)
        script_fail(L->p, e->line, e->col, del ? "del of a tuple display is not supported"
                                              : L->in_unpack ? "nested tuple unpacking is not supported"
                                                             : "cannot assign to an empty display");
    script_fail(L->p, e->line, e->col, del ? "cannot delete this expression" : "cannot assign to this expression");
}

static struct block parse_block(struct lexer *L);

static struct stmt *parse_small(struct lexer *L)
{
    int line = L->tline, col = L->tcol;
    struct stmt *s;
    if (L->kind == T_NAME) {
        const char *k = L->name;
        if (strcmp(k, "pass") == 0 || strcmp(k, "break") == 0 || strcmp(k, "continue") == 0) {
            s = new_stmt(L, k[0] == 'p' ? S_PASS : k[0] == 'b' ? S_BREAK : S_CONTINUE, line, col);
            lex_next(L);
            return s;
        }
        if (strcmp(k, "return") == 0) {
            s = new_stmt(L, S_RETURN, line, col);
            lex_next(L);
            if (L->kind != T_NEWLINE && !is_op(L, ";") && L->kind != T_EOF)
                s->value = parse_exprlist(L);
            return s;
        }
        if (strcmp(k, "global") == 0 || strcmp(k, "nonlocal") == 0) {
            if (k[0] == 'n')
                script_fail(L->p, line, col, "'nonlocal' is not supported");
            s = new_stmt(L, S_GLOBAL, line, col);
            lex_next(L);
            struct vec v = { 0 };
            do {
                if (v.n)
                    lex_next(L);
                vec_push(L->p, &v, (void *)expect_name(L, "a name"));
            } while (is_op(L, ","));
            s->names = (const char **)v.v;
            s->nnames = v.n;
            return s;
        }
        if (strcmp(k, "del") == 0) {
            s = new_stmt(L, S_DEL, line, col);
            lex_next(L);
            struct vec v = { 0 };
            do {
                if (v.n)
                    lex_next(L);
                struct expr *t = parse_expr(L);
                check_target(L, t, true);
                vec_push(L->p, &v, t);
            } while (is_op(L, ","));
            s->targets = (struct expr **)v.v;
            s->n = v.n;
            return s;
        }
        if (strcmp(k, "import") == 0) {
            /* one statement per module: `import gc, sys` becomes two */
            s = new_stmt(L, S_IMPORT, line, col);
            lex_next(L);
            int mline = L->tline, mcol = L->tcol;
            s->name = expect_name(L, "a module name");
            if (strcmp(s->name, "gc") && strcmp(s->name, "sys") && strcmp(s->name, "weakref") &&
                strcmp(s->name, "_testinternalcapi"))
                script_fail(L->p, mline, mcol, "import of '%s' is not supported (only gc, sys, weakref, _testinternalcapi)", s->name);
            if (is_op(L, "."))
                script_fail(L->p, L->tline, L->tcol, "import of submodules is not supported");
            if (is_kw(L, "as"))
                script_fail(L->p, L->tline, L->tcol, "'import ... as' is not supported");
            struct stmt *first = s;
            while (is_op(L, ",")) {
                lex_next(L);
                mline = L->tline;
                mcol = L->tcol;
                struct stmt *n = new_stmt(L, S_IMPORT, mline, mcol);
                n->name = expect_name(L, "a module name");
                if (strcmp(n->name, "gc") && strcmp(n->name, "sys") && strcmp(n->name, "weakref") &&
                    strcmp(n->name, "_testinternalcapi"))
                    script_fail(L->p, mline, mcol, "import of '%s' is not supported (only gc, sys, weakref, _testinternalcapi)", n->name);
                /* chain extra imports through init (the compiler walks it) */
                n->init = s->init;
                s->init = n;
            }
            return first;
        }
        if (strcmp(k, "assert") == 0) {
            s = new_stmt(L, S_ASSERT, line, col);
            lex_next(L);
            s->value = parse_expr(L);
            if (is_op(L, ",")) {
                lex_next(L);
                s->msg = parse_expr(L);
            }
            return s;
        }
        if (strcmp(k, "raise") == 0) {
            s = new_stmt(L, S_RAISE, line, col);
            lex_next(L);
            if (L->kind != T_NEWLINE && !is_op(L, ";") && L->kind != T_EOF)
                s->value = parse_expr(L);
            if (is_kw(L, "from"))
                script_fail(L->p, L->tline, L->tcol, "'raise ... from' is not supported");
            return s;
        }
        if (strcmp(k, "except") == 0 || strcmp(k, "finally") == 0)
            script_fail(L->p, line, col, "'%s' without a matching 'try'", k);
        static const char *const unsupported[] = { "from", "with",
                                                   "async", "yield", "lambda", "else", "elif", NULL };
        for (const char *const *u = unsupported; *u; u++)
            if (strcmp(k, *u) == 0) {
                if (strcmp(k, "else") == 0 || strcmp(k, "elif") == 0)
                    script_fail(L->p, line, col, "'%s' without a matching 'if'", k);
                script_fail(L->p, line, col, "'%s' is not supported", k);
            }
    }
    struct expr *e = parse_exprlist(L);
    if (is_op(L, "=")) {
        struct vec v = { 0 };
        while (is_op(L, "=")) {
            check_target(L, e, false);
            vec_push(L->p, &v, e);
            lex_next(L);
            e = parse_exprlist(L);
        }
        s = new_stmt(L, S_ASSIGN, line, col);
        s->targets = (struct expr **)v.v;
        s->n = v.n;
        s->value = e;
        return s;
    }
    if (L->kind == T_OP && L->op[strlen(L->op) - 1] == '=' && strlen(L->op) >= 2 &&
        strcmp(L->op, "==") && strcmp(L->op, "!=") && strcmp(L->op, "<=") && strcmp(L->op, ">=")) {
        int op = 0;
        if (strcmp(L->op, "+=") == 0) op = '+';
        else if (strcmp(L->op, "-=") == 0) op = '-';
        else if (strcmp(L->op, "*=") == 0) op = '*';
        else if (strcmp(L->op, "//=") == 0) op = '/';
        else if (strcmp(L->op, "%=") == 0) op = '%';
        else script_fail(L->p, L->tline, L->tcol, "operator '%s' is not supported", L->op);
        if (e->kind != E_NAME && e->kind != E_ATTR && e->kind != E_INDEX && e->kind != E_SLICE)
            script_fail(L->p, e->line, e->col, "'%s' is an illegal expression for augmented assignment",
                        e->kind == E_TUPLE ? "tuple" : e->kind == E_LIST ? "list" : "expression");
        check_target(L, e, false);
        lex_next(L);
        s = new_stmt(L, S_AUG, line, col);
        s->targets = alloc(L->p, sizeof *s->targets);
        s->targets[0] = e;
        s->n = 1;
        s->op = op;
        s->value = parse_expr(L);
        return s;
    }
    if (is_op(L, ":"))
        script_fail(L->p, L->tline, L->tcol, "annotations are not supported");
    s = new_stmt(L, S_EXPR, line, col);
    s->value = e;
    return s;
}

/* small (';' small)* NEWLINE, appended to v */
static void parse_simple(struct lexer *L, struct vec *v)
{
    for (;;) {
        vec_push(L->p, v, parse_small(L));
        if (!is_op(L, ";"))
            break;
        lex_next(L);
        if (L->kind == T_NEWLINE || L->kind == T_EOF)
            break;
    }
    if (L->kind == T_EOF)
        return;
    if (L->kind != T_NEWLINE)
        expected(L, "end of line");
    lex_next(L);
}

static struct stmt *parse_compound(struct lexer *L);

static void parse_stmt(struct lexer *L, struct vec *v)
{
    if (L->kind == T_INDENT)
        script_fail(L->p, L->tline, L->tcol, "unexpected indent");
    struct stmt *s = parse_compound(L);
    if (s)
        vec_push(L->p, v, s);
    else
        parse_simple(L, v);
}

static struct block parse_block(struct lexer *L)
{
    struct vec v = { 0 };
    enter(L);
    expect_op(L, ":");
    if (L->kind != T_NEWLINE) {
        parse_simple(L, &v);
    } else {
        lex_next(L);
        if (L->kind != T_INDENT)
            script_fail(L->p, L->tline, L->tcol, "expected an indented block");
        lex_next(L);
        while (L->kind != T_DEDENT && L->kind != T_EOF)
            parse_stmt(L, &v);
        if (L->kind == T_DEDENT)
            lex_next(L);
    }
    L->depth--;
    return (struct block){ (struct stmt **)v.v, v.n };
}

static struct stmt *parse_if_rest(struct lexer *L, int line, int col)
{
    struct stmt *s = new_stmt(L, S_IF, line, col);
    s->value = parse_expr(L);
    s->body = parse_block(L);
    if (is_kw(L, "elif")) {
        int l2 = L->tline, c2 = L->tcol;
        enter(L);
        lex_next(L);
        struct stmt *e = parse_if_rest(L, l2, c2);
        L->depth--;
        s->orelse.s = alloc(L->p, sizeof *s->orelse.s);
        s->orelse.s[0] = e;
        s->orelse.n = 1;
    } else if (is_kw(L, "else")) {
        lex_next(L);
        s->orelse = parse_block(L);
    }
    return s;
}

static struct stmt *parse_def(struct lexer *L, int line, int col)
{
    struct stmt *s = new_stmt(L, S_DEF, line, col);
    s->name_line = L->tline;
    s->name_col = L->tcol;
    s->name = expect_name(L, "a function name");
    expect_op(L, "(");
    struct vec v = { 0 }, dv = { 0 };
    bool any_default = false;
    while (!is_op(L, ")")) {
        if (s->varargs)
            script_fail(L->p, L->tline, L->tcol, "keyword-only parameters (after *%s) are not supported",
                        (const char *)v.v[v.n - 1]);
        if (is_op(L, "*")) {
            lex_next(L);
            if (!(L->kind == T_NAME && !is_keyword(L->name)))
                script_fail(L->p, L->tline, L->tcol, "keyword-only parameters (after a bare '*') are not supported");
            s->varargs = true;
            L->p->binding = true;
        } else if (is_op(L, "**") || is_op(L, "/")) {
            script_fail(L->p, L->tline, L->tcol, "'%s' in parameters is not supported", L->op);
        }
        int pl = L->tline, pc = L->tcol;
        const char *n = expect_name(L, "a parameter name");
        struct expr *dflt = NULL;
        if (is_op(L, ":"))
            script_fail(L->p, L->tline, L->tcol, "annotations are not supported");
        if (is_op(L, "=")) {
            if (s->varargs)
                script_fail(L->p, L->tline, L->tcol, "var-positional argument cannot have default value");
            lex_next(L);
            dflt = parse_expr(L);
            if (dflt->kind != E_INT && dflt->kind != E_STR && dflt->kind != E_NONE && dflt->kind != E_TRUE &&
                dflt->kind != E_FALSE)
                script_fail(L->p, dflt->line, dflt->col,
                            "default parameter values other than int, str, None, True and False literals are not supported");
            if (dflt->kind == E_INT && dflt->op == 0 && dflt->ival > (uint64_t)INT64_MAX)
                script_fail(L->p, dflt->line, dflt->col, "integer literal too large (ints are 64-bit in gclab)");
            any_default = true;
            L->p->binding = true;
        } else if (any_default && !s->varargs) {
            script_fail(L->p, pl, pc, "non-default argument follows default argument");
        }
        vec_push(L->p, &dv, dflt);
        if (is_op(L, ":"))
            script_fail(L->p, L->tline, L->tcol, "annotations are not supported");
        for (int i = 0; i < v.n; i++)
            if (strcmp(v.v[i], n) == 0)
                script_fail(L->p, pl, pc, "duplicate argument '%s' in function definition", n);
        vec_push(L->p, &v, (void *)n);
        if (!is_op(L, ","))
            break;
        lex_next(L);
    }
    expect_op(L, ")");
    if (v.n > OPS_MAX_ARGS - 1)
        script_fail(L->p, line, col, "too many parameters (limit %d)", OPS_MAX_ARGS - 1);
    if (is_op(L, "->"))
        script_fail(L->p, L->tline, L->tcol, "annotations are not supported");
    s->names = (const char **)v.v;
    s->nnames = v.n;
    s->defaults = (struct expr **)dv.v;
    s->body = parse_block(L);
    return s;
}

/* Whether the statement starting at the name `match` is a match statement
 * (a soft keyword: `match = 1` and `match(x)` are ordinary statements):
 * a subject follows on the line, which ends with ':'. */
/* try: body, except clauses (NAME, (NAME, ...) or bare, each [as NAME]),
 * else, finally; CPython's messages for the malformed orders. */
static struct stmt *parse_try(struct lexer *L, int line, int col)
{
    struct stmt *s = new_stmt(L, S_TRY, line, col);
    s->body = parse_block(L);
    struct vec v = { 0 };
    const struct stmt *bare = NULL;
    while (is_kw(L, "except")) {
        struct stmt *h = new_stmt(L, S_EXCEPT, L->tline, L->tcol);
        if (bare)
            script_fail(L->p, bare->line, bare->col, "default 'except:' must be last");
        lex_next(L);
        if (is_op(L, "*"))
            script_fail(L->p, L->tline, L->tcol, "'except*' is not supported");
        if (!is_op(L, ":")) {
            struct expr *e = parse_expr(L);
            if (is_op(L, ","))
                script_fail(L->p, e->line, e->col, "multiple exception types must be parenthesized");
            if (e->kind == E_TUPLE) {
                h->targets = e->items;
                h->n = e->n;
            } else {
                h->targets = alloc(L->p, sizeof *h->targets);
                h->targets[0] = e;
                h->n = 1;
            }
            if (h->n == 0)
                script_fail(L->p, e->line, e->col, "an empty tuple of exception types is not supported");
            if (is_kw(L, "as")) {
                lex_next(L);
                h->name_line = L->tline;
                h->name_col = L->tcol;
                h->name = expect_name(L, "a name");
            }
        } else {
            bare = h;
        }
        h->body = parse_block(L);
        vec_push(L->p, &v, h);
    }
    s->handlers = (struct block){ (struct stmt **)v.v, v.n };
    if (is_kw(L, "else") && v.n > 0) {
        lex_next(L);
        s->orelse = parse_block(L);
    }
    if (is_kw(L, "finally")) {
        lex_next(L);
        s->finalbody = parse_block(L);
        s->has_finally = true;
    }
    if (v.n == 0 && !s->has_finally)
        script_fail(L->p, L->tline, L->tcol, "expected 'except' or 'finally' block");
    return s;
}

static bool is_match_statement(struct lexer *L)
{
    const char *src = L->p->src;
    size_t i = L->pos, end = L->pos;
    while (i < L->p->len && src[i] == ' ')
        i++;
    if (i >= L->p->len || !(is_id_char((unsigned char)src[i]) || src[i] == '\'' || src[i] == '"' ||
                            src[i] == '(' || src[i] == '[' || src[i] == '{' || src[i] == '-'))
        return false;
    while (end < L->p->len && src[end] != '\n' && src[end] != '#')
        end++;
    while (end > i && src[end - 1] == ' ')
        end--;
    return end > i && src[end - 1] == ':';
}


/* `__slots__ = ('a', 'b')` (or a list) in a class body: str literals that
 * are identifiers, each once; '__weakref__' allowed; refused what type_new
 * would treat otherwise ('__dict__', private names it mangles) or reject
 * (a name that is also a class attribute or method of the body). */
static void check_slots(struct lexer *L, const struct stmt *m, const struct block *body, int at)
{
    const struct expr *v = m->value;
    if (m->n != 1)
        script_fail(L->p, m->targets[1]->line, m->targets[1]->col, "__slots__ must be assigned alone");
    for (int i = 0; i < at; i++)
        if (body->s[i]->kind == S_ASSIGN && strcmp(body->s[i]->targets[0]->name, "__slots__") == 0)
            script_fail(L->p, m->line, m->col, "__slots__ assigned twice in a class body is not supported");
    if (v->kind != E_TUPLE && v->kind != E_LIST)
        script_fail(L->p, v->line, v->col, "__slots__ must be a tuple or list display of str literals here");
    for (int i = 0; i < v->n; i++) {
        const struct expr *e = v->items[i];
        if (e->kind != E_STR)
            script_fail(L->p, e->line, e->col, "__slots__ items must be str literals here");
        bool ident = e->slen > 0 && (isalpha((unsigned char)e->s[0]) || e->s[0] == '_');
        for (size_t k = 0; k < e->slen; k++)
            ident = ident && (isalnum((unsigned char)e->s[k]) || e->s[k] == '_');
        if (!ident || strlen(e->s) != e->slen)
            script_fail(L->p, e->line, e->col, "__slots__ must be identifiers");
        if (strcmp(e->s, "__dict__") == 0)
            script_fail(L->p, e->line, e->col, "'__dict__' in __slots__ is not supported (instances here "
                        "always have their attributes, as CPython 3.11's inline values)");
        if (strncmp(e->s, "__", 2) == 0 && strcmp(e->s, "__weakref__") != 0)
            script_fail(L->p, e->line, e->col, "'%s' in __slots__ is not supported (private names are mangled)",
                        e->s);
        for (int j = 0; j < i; j++)
            if (strcmp(v->items[j]->s, e->s) == 0)
                script_fail(L->p, e->line, e->col, "'%s' twice in __slots__ is not supported", e->s);
        for (int j = 0; j < body->n; j++) {
            const struct stmt *o = body->s[j];
            bool clash = o->kind == S_DEF && strcmp(o->name, e->s) == 0;
            for (int k = 0; o->kind == S_ASSIGN && k < o->n; k++)
                clash = clash || (o->targets[k]->kind == E_NAME && strcmp(o->targets[k]->name, e->s) == 0);
            if (clash)
                script_fail(L->p, e->line, e->col, "'%s' in __slots__ conflicts with class variable", e->s);
        }
    }
}

static struct stmt *parse_compound(struct lexer *L)
{
    if (is_op(L, "@"))
        script_fail(L->p, L->tline, L->tcol, "decorators are not supported");
    if (L->kind != T_NAME)
        return NULL;
    int line = L->tline, col = L->tcol;
    if (is_kw(L, "match") && is_match_statement(L))
        script_fail(L->p, line, col, "match statements are not supported");
    if (is_kw(L, "if")) {
        lex_next(L);
        return parse_if_rest(L, line, col);
    }
    if (is_kw(L, "while")) {
        lex_next(L);
        struct stmt *s = new_stmt(L, S_WHILE, line, col);
        s->value = parse_expr(L);
        s->body = parse_block(L);
        if (is_kw(L, "else")) {
            lex_next(L);
            s->orelse = parse_block(L);
        }
        return s;
    }
    if (is_kw(L, "for")) {
        lex_next(L);
        struct stmt *s = new_stmt(L, S_FOR, line, col);
        s->name_line = L->tline;
        s->name_col = L->tcol;
        s->name = expect_name(L, "a loop variable name");
        if (is_op(L, ","))
            script_fail(L->p, L->tline, L->tcol, "tuple unpacking is not supported");
        if (!is_kw(L, "in"))
            expected(L, "'in'");
        lex_next(L);
        struct expr *it = parse_expr(L);
        if (it->kind == E_CALL && it->a->kind == E_NAME && strcmp(it->a->name, "range") == 0) {
            if (it->n < 1 || it->n > 3)
                script_fail(L->p, it->line, it->col, "range expected 1 to 3 arguments, got %d", it->n);
            s->targets = it->items;
            s->n = it->n;
        } else {
            s->value = it;   /* a list, tuple, dict or str, checked when the loop starts */
        }
        s->body = parse_block(L);
        if (is_kw(L, "else")) {
            lex_next(L);
            s->orelse = parse_block(L);
        }
        return s;
    }
    if (is_kw(L, "try")) {
        lex_next(L);
        return parse_try(L, line, col);
    }
    if (is_kw(L, "def")) {
        lex_next(L);
        return parse_def(L, line, col);
    }
    if (is_kw(L, "class")) {
        lex_next(L);
        struct stmt *s = new_stmt(L, S_CLASS, line, col);
        s->name = expect_name(L, "a class name");
        if (is_op(L, "(")) {
            lex_next(L);
            if (is_kw(L, "object")) {
                lex_next(L);
            } else if (!is_op(L, ")")) {
                /* single inheritance: one base, a name (s->value) */
                int bl = L->tline, bc = L->tcol;
                s->value = parse_expr(L);
                if (s->value->kind != E_NAME)
                    script_fail(L->p, bl, bc, "a base class must be a name");
            }
            if (is_op(L, ","))
                script_fail(L->p, L->tline, L->tcol, "multiple inheritance is not supported");
            if (!is_op(L, ")"))
                script_fail(L->p, L->tline, L->tcol, "expected ')', got '%s'", describe(L));
            lex_next(L);
        }
        /* The body, in order: methods (def), class attributes (NAME = value),
         * docstrings and pass. s->init and s->del point at those two methods. */
        struct block body = parse_block(L);
        struct vec keep = { 0 };
        for (int i = 0; i < body.n; i++) {
            struct stmt *m = body.s[i];
            if (m->kind == S_PASS || (m->kind == S_EXPR && m->value->kind == E_STR))
                continue;
            if (m->kind == S_ASSIGN) {
                for (int k = 0; k < m->n; k++) {
                    const struct expr *t = m->targets[k];
                    if (t->kind != E_NAME)
                        script_fail(L->p, t->line, t->col, "a class attribute must be assigned as NAME = value");
                    if (strcmp(t->name, "__slots__") == 0) {
                        check_slots(L, m, &body, i);
                        continue;
                    }
                    if (strncmp(t->name, "__", 2) == 0)
                        script_fail(L->p, t->line, t->col, "class attribute '%s' is not supported (no special names)",
                                    t->name);
                }
                vec_push(L->p, &keep, m);
                continue;
            }
            if (m->kind != S_DEF)
                script_fail(L->p, m->line, m->col,
                            "a class body may hold only methods, NAME = value, docstrings and pass");
            bool init = strcmp(m->name, "__init__") == 0, del = strcmp(m->name, "__del__") == 0;
            size_t nl = strlen(m->name);
            if (!init && !del && nl > 4 && strncmp(m->name, "__", 2) == 0 && strcmp(m->name + nl - 2, "__") == 0)
                script_fail(L->p, m->name_line, m->name_col,
                            "special method '%s' is not supported (only __init__ and __del__)", m->name);
            if (strcmp(m->name, "append") == 0 || strcmp(m->name, "pop") == 0 || strcmp(m->name, "get") == 0)
                script_fail(L->p, m->name_line, m->name_col,
                            "a method named '%s' is not supported (x.%s(...) is compiled as the list or dict method)",
                            m->name, m->name);
            if (m->nnames < 1)
                script_fail(L->p, m->name_line, m->name_col, "method '%s' needs a self parameter", m->name);
            if (del && m->nnames != 1)
                script_fail(L->p, m->name_line, m->name_col, "__del__ takes only self");
            if ((init && s->init) || (del && s->del))
                script_fail(L->p, m->name_line, m->name_col, "method '%s' defined twice", m->name);
            if (init)
                s->init = m;
            if (del)
                s->del = m;
            vec_push(L->p, &keep, m);
        }
        s->body = (struct block){ (struct stmt **)keep.v, keep.n };
        return s;
    }
    if (is_kw(L, "else") || is_kw(L, "elif"))
        script_fail(L->p, line, col, "'%s' without a matching 'if'", L->name);
    if (is_op(L, "@"))
        script_fail(L->p, line, col, "decorators are not supported");
    return NULL;
}

struct block script_parse(struct parser *p)
{
    struct lexer *L = alloc(p, sizeof *L);
    L->p = p;
    L->line = 1;
    L->indents[0] = 0;
    L->nindent = 1;
    L->at_line_start = true;
    L->kind = T_NEWLINE;
    if (memchr(p->src, 0, p->len))
        script_fail(p, 1, 1, "source contains a NUL byte");
    /* Line endings as CPython reads them: \r\n and a lone \r are each a newline. */
    if (memchr(p->src, '\r', p->len)) {
        char *n = alloc(p, p->len + 1);
        size_t k = 0;
        for (size_t i = 0; i < p->len; i++) {
            if (p->src[i] != '\r') {
                n[k++] = p->src[i];
                continue;
            }
            n[k++] = '\n';
            if (i + 1 < p->len && p->src[i + 1] == '\n')
                i++;
        }
        n[k] = 0;
        p->src = n;
        p->len = k;
    }
    lex_next(L);
    struct vec v = { 0 };
    while (L->kind != T_EOF) {
        if (L->kind == T_NEWLINE) {
            lex_next(L);
            continue;
        }
        if (L->kind == T_DEDENT)
            script_fail(p, L->tline, L->tcol, "unindent does not match any outer indentation level");
        parse_stmt(L, &v);
    }
    return (struct block){ (struct stmt **)v.v, v.n };
}
