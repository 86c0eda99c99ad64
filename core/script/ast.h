/* ast.h — the syntax tree the parser builds and the compiler reads (private
 * to core/script). Every node lives in one arena freed at once, so an error
 * anywhere (a longjmp) leaks nothing. */
#ifndef GCLAB_SCRIPT_AST_H
#define GCLAB_SCRIPT_AST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena { struct arena_chunk *head; };
void *arena_alloc(struct arena *a, size_t n);   /* zeroed; NULL on out of memory */
void arena_free(struct arena *a);

enum expr_kind {
    E_NAME, E_INT, E_STR, E_NONE, E_TRUE, E_FALSE,
    E_LIST, E_TUPLE, E_DICT,         /* items (dict: keys and values alternate) */
    E_BINOP,                         /* op: '+', '-', '*', '/' (//), '%' on a, b */
    E_NEG, E_NOT,                    /* a */
    E_COMPARE,                       /* items[0] ops[0] items[1] ops[1] items[2]... */
    E_AND, E_OR,                     /* a, b */
    E_CALL,                          /* a(items...) */
    E_ATTR,                          /* a.name */
    E_INDEX,                         /* a[b] */
    E_IFEXP,                         /* a if items[0] else b (n == 1) */
    E_KEYWORD,                       /* name=a, only among a call's items (after the positional ones) */
    E_SLICE,                         /* a[items[0]:items[1]:items[2]] (n == 3; E_NONE where omitted) */
    E_LISTCOMP, E_DICTCOMP,          /* [a clauses...], {a: b clauses...}: items are the clauses */
    E_COMPFOR,                       /* clause `for a in b` (a a NAME or a tuple of NAMEs) */
    E_COMPIF,                        /* clause `if a` */
    E_FSTR,                          /* f-string: items are E_STR parts and E_FORMAT values */
    E_FORMAT,                        /* {a} (op 's') or {a!r} (op 'r') inside an f-string */
};

/* comparison operators */
enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_IS, C_IS_NOT, C_IN, C_NOT_IN };

struct expr {
    enum expr_kind kind;
    int line, col;
    int start, end;              /* source byte offsets, for assert's text */
    int op;
    uint64_t ival;               /* E_INT: magnitude (may be 2^63 only under a unary minus) */
    const char *name;            /* E_NAME, E_ATTR (NUL-terminated, in the arena) */
    const char *s;               /* E_STR bytes */
    size_t slen;
    struct expr *a, *b;
    struct expr **items;
    int *ops;
    int n;
    int depth;                   /* height of this subtree (bounded: SCRIPT_MAX_EXPR_DEPTH) */
};

enum stmt_kind {
    S_EXPR, S_ASSIGN, S_AUG, S_DEL, S_PASS, S_BREAK, S_CONTINUE, S_RETURN, S_GLOBAL,
    S_IF, S_WHILE, S_FOR, S_DEF, S_CLASS, S_IMPORT, S_ASSERT,
    S_TRY,                       /* body, handlers (S_EXCEPTs), orelse, finalbody if has_finally */
    S_EXCEPT,                    /* except targets[0..n) (E_NAMEs; n 0: bare) [as name]: body */
    S_RAISE,                     /* raise [value] (NULL: bare) */
};

struct block { struct stmt **s; int n; };

struct stmt {
    enum stmt_kind kind;
    int line, col;
    struct expr *value;          /* EXPR, ASSIGN, AUG, RETURN (may be NULL), IF/WHILE test, ASSERT test */
    struct expr *msg;            /* ASSERT message */
    struct expr **targets;       /* ASSIGN (n targets), DEL; FOR: range args (n 1..3), or n 0 and
                                    value the iterable */
    int n;
    int op;                      /* AUG: the binop */
    const char *name;            /* FOR var, DEF/CLASS name, IMPORT module */
    const char **names;          /* GLOBAL names, DEF params */
    int nnames;
    int name_line, name_col;     /* FOR var, DEF name position */
    struct block body, orelse;   /* CLASS body: its DEF and ASSIGN statements, in order */
    struct stmt *init, *del;     /* CLASS: the DEF statements of __init__ and __del__ in body, or NULL */
    struct expr **defaults;      /* DEF: per parameter, its default (a constant) or NULL */
    bool varargs;                /* DEF: the last parameter is *NAME */
    struct block handlers;       /* TRY: its except clauses, in order */
    struct block finalbody;      /* TRY: the finally block */
    bool has_finally;
};

struct parser {
    const char *src, *file;
    size_t len;
    struct arena arena;
    jmp_buf fail;
    char *err;
    size_t errlen;
    bool binding;                /* some def has defaults or *args: calls bind (KWNAMES) */
};

/* Report an error at line:col and longjmp to p->fail. */
void script_fail(struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));

/* Parse the whole source into a module block (longjmps on error). */
struct block script_parse(struct parser *p);

#endif
