/* test_script.c — the heap-script compiler and printer: every script in
 * tests/scripts/ prints back to a script that compiles to the same ops, and
 * malformed input is refused with a message, never a crash or a leak (this
 * binary runs under ASan+UBSan). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "script/script.h"
#include "t.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = 0;
    fclose(f);
    return s;
}

static char *run_out(struct ops_program *p, const char *engine, gclab_status *st)
{
    char *out = NULL;
    size_t n;
    FILE *f = open_memstream(&out, &n);
    gclab_heap *h = gclab_heap_new(engine, NULL, NULL, 0);
    *st = ops_run(h, p, f, NULL);
    gclab_heap_drop_roots(h);
    fclose(f);
    gclab_heap_free(h);
    return out;
}

/* For every .py file in tests/scripts: print(compile(s)) compiles to the same ops,
 * printing is a fixed point, and the printed script prints the same on rc. */
static void test_script_every_script_round_trips_through_the_printer(struct t *t)
{
    DIR *d = opendir("tests/scripts");
    T_CHECK(t, d != NULL);
    struct dirent *e;
    int n = 0;
    char err[300], why[300], msg[900], path[300];
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".py") != 0)
            continue;
        if (l > 200)
            continue;
        snprintf(path, sizeof path, "tests/scripts/%.200s", e->d_name);
        size_t len;
        char *src = slurp(path, &len);
        struct ops_program *p = script_compile(src, len, path, err, sizeof err);
        free(src);
        if (!p) {
            closedir(d);
            T_STREQ(t, err, "(compiles)");
        }
        char *text = script_print(p, err, sizeof err);
        if (!text) {
            ops_program_free(p);
            closedir(d);
            T_STREQ(t, err, path);
        }
        struct ops_program *q = script_compile(text, strlen(text), "printed", err, sizeof err);
        if (!q) {
            fprintf(stderr, "%s printed as:\n%s\n", path, text);
            free(text);
            ops_program_free(p);
            closedir(d);
            T_STREQ(t, err, path);
        }
        bool same = ops_program_equal(p, q, why, sizeof why);
        char *text2 = script_print(q, err, sizeof err);
        bool fixed = text2 && strcmp(text, text2) == 0;
        gclab_status s1, s2;
        char *o1 = run_out(p, "rc", &s1), *o2 = run_out(q, "rc", &s2);
        bool same_out = strcmp(o1, o2) == 0 && s1 == s2;
        free(o1);
        free(o2);
        free(text);
        free(text2);
        ops_program_free(p);
        ops_program_free(q);
        if (!same || !fixed || !same_out) {
            closedir(d);
            snprintf(msg, sizeof msg, "%.250s: same ops %d (%.250s), fixed point %d, same output %d", path, same,
                     same ? "" : why, fixed, same_out);
            T_STREQ(t, msg, "round trip");
        }
        n++;
    }
    closedir(d);
    T_CHECK(t, n >= 40);
}

static void expect_error_n(struct t *t, const char *src, size_t len, const char *want)
{
    char err[512];
    struct ops_program *p = script_compile(src, len, "f.py", err, sizeof err);
    ops_program_free(p);
    T_CHECK(t, p == NULL);
    T_STREQ(t, err, want);
}

static void expect_error(struct t *t, const char *src, const char *want)
{
    expect_error_n(t, src, strlen(src), want);
}

/* Nesting past the limit is an error, not a stack overflow: brackets, unary
 * operators, `not`, blocks, and a long operator chain without brackets. */
static void test_script_deep_nesting_is_an_error_not_a_crash(struct t *t)
{
    size_t n = 200000;
    char *s = malloc(3 * n + 16);
    memset(s, '[', n);
    strcpy(s + n, "\n");
    expect_error(t, s, "f.py:1:101: error: too deeply nested (limit 100)");
    memset(s, '-', n);
    strcpy(s + n, "1\n");
    expect_error(t, s, "f.py:1:100: error: too deeply nested (limit 100)");
    for (size_t i = 0; i < 1000; i++)
        memcpy(s + 4 * i, "not ", 4);
    strcpy(s + 4000, "1\n");
    expect_error(t, s, "f.py:1:397: error: too deeply nested (limit 100)");
    strcpy(s, "x = 1");
    for (size_t i = 0; i < n; i++)
        memcpy(s + 5 + 2 * i, "+1", 2);
    strcpy(s + 5 + 2 * n, "\n");
    expect_error(t, s, "f.py:1:5: error: expression too complex (more than 1000 nested operations)");
    size_t k = 0;
    for (int d = 0; d < 150; d++) {
        for (int i = 0; i < d; i++)
            s[k++] = ' ';
        memcpy(s + k, "if 1:\n", 6);
        k += 6;
    }
    strcpy(s + k, "pass\n");
    expect_error(t, s, "f.py:101:104: error: too deeply nested (limit 100)");
    free(s);
}

/* Every prefix of a valid script is either compiled or refused with a message (no crash, no leak). */
static void test_script_every_prefix_of_a_script_is_handled(struct t *t)
{
    const char *src =
        "import gc, weakref\nclass C:\n    def __init__(self, x):\n        self.x = [x, {'k': (1,)}]\n"
        "def f(a, b):\n    global g\n    g = a if_ = 1\n";
    const char *good =
        "import gc\nimport weakref\nclass C:\n    def __init__(self, x):\n        self.x = [x, {'k': (1,)}]\n"
        "    def __del__(self):\n        pass\ndef f(a, b):\n    global g\n    g = a\n    while a < b < 10:\n"
        "        a += 1\n        if a % 2 == 0 and not b: continue\n    return C(a).x[0]\n"
        "for i in range(3): f(i, 5); r = weakref.ref(C(1)); assert r() is None, 'dead'\nprint(\"x\\n\", -5)\n";
    char err[512];
    const char *srcs[2] = { src, good };
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(srcs[k]);
        for (size_t i = 0; i <= len; i++) {
            err[0] = 0;
            struct ops_program *p = script_compile(srcs[k], i, "p.py", err, sizeof err);
            T_CHECK(t, p != NULL || strncmp(err, "p.py:", 5) == 0);
            ops_program_free(p);
        }
    }
    struct ops_program *p = script_compile(good, strlen(good), "p.py", err, sizeof err);
    T_CHECK(t, p != NULL);
    ops_program_free(p);
}

/* A few exact messages (the shell test checks the rest through gclab script). */
static void test_script_errors_name_line_and_column(struct t *t)
{
    expect_error(t, "x = 1\n  y = 2\n", "f.py:2:3: error: unexpected indent");
    expect_error(t, "x = 'abc\n", "f.py:1:5: error: unterminated string literal");
    expect_error(t, "if x:\npass\n", "f.py:2:1: error: expected an indented block");
    expect_error(t, "x = 1 / 2\n", "f.py:1:7: error: operator '/' (true division) is not supported; use '//'");
    expect_error(t, "x = 99999999999999999999\n", "f.py:1:5: error: integer literal too large (ints are 64-bit in gclab)");
    expect_error_n(t, "x\0 = 1\n", 7, "f.py:1:1: error: source contains a NUL byte");
}

/* A growable source text for generated scripts. */
struct gen { char *s; size_t n, cap; };
static void gen_put(struct gen *g, const char *fmt, int i)
{
    char line[96];
    int k = snprintf(line, sizeof line, fmt, i, i, i);
    if (g->n + (size_t)k + 1 > g->cap) {
        g->cap = (g->n + (size_t)k + 1) * 2;
        g->s = realloc(g->s, g->cap);
    }
    memcpy(g->s + g->n, line, (size_t)k + 1);
    g->n += (size_t)k;
}

/* Issue 19: names were looked up in arrays, so 70,000 names took 15-20 s
 * to compile (60 s under ASan). 200,000 module names, a function with
 * 100,000 locals and as many distinct strings compile here in about a
 * second under ASan; a quadratic compiler would need hours. The sizes of
 * the result are exact: one string per name and per literal, one slot per
 * local, and the ops each statement compiles to. */
static void test_script_compiling_many_names_is_linear(struct t *t)
{
    enum { NMOD = 200000, NLOC = 100000 };
    struct gen g = { 0 };
    for (int i = 0; i < NMOD; i++)
        gen_put(&g, "v%d = %d\n", i);
    gen_put(&g, "def f():\n", 0);
    for (int i = 0; i < NLOC; i++)
        gen_put(&g, "    w%d = 's%d'\n", i);
    gen_put(&g, "    return w%d\n", NLOC - 1);
    char err[300];
    struct ops_program *p = script_compile(g.s, g.n, "big.py", err, sizeof err);
    free(g.s);
    T_CHECK(t, p != NULL);
    T_EQ(t, p->nfuncs, 2);
    T_EQ(t, p->nstrs, NMOD + NLOC + 1);            /* v*, s*, f */
    T_EQ(t, p->funcs[0].nops, 3 * NMOD + 3);       /* INT, GLOBAL_SET, CLEAR each; the same for FUNC */
    T_EQ(t, p->funcs[1].nslots, NLOC);
    T_EQ(t, p->funcs[1].nops, NLOC + 2);           /* STR each; RETURN w, RETURN None */
    ops_program_free(p);
}

/* `_N` is slot N only below SCRIPT_MAX_PINNED_SLOT: `_100000` in a
 * recursive function is an ordinary local, so a frame is one slot, not
 * 100,001 (issue 19: 780 MB at 900 frames). */
static void test_script_large_slot_names_are_ordinary_names(struct t *t)
{
    const char *src = "def f(n):\n    _100000 = n\n    if n == 0:\n        return 0\n    return f(_100000 - 1)\n"
                      "def g():\n    _4095 = 1\n    return _4095\nprint(f(900), g())\n";
    char err[300];
    struct ops_program *p = script_compile(src, strlen(src), "s.py", err, sizeof err);
    T_CHECK(t, p != NULL);
    T_EQ(t, p->funcs[1].nslots, 6);   /* n, _100000, four temporaries */
    T_EQ(t, p->funcs[2].nslots, SCRIPT_MAX_PINNED_SLOT);
    gclab_status st;
    char *out = run_out(p, "rc", &st);
    T_EQ(t, st, GCLAB_OK);
    T_CHECK(t, strcmp(out, "0 1\n") == 0);
    free(out);
    char *printed = script_print(p, err, sizeof err);
    T_CHECK(t, printed != NULL);   /* 4096 slots still print */
    free(printed);
    ops_program_free(p);
}

/* CPython's symtable checks on `global` (symtable.c): a parameter, a name
 * used or assigned before the declaration, at module level too. */
static void test_script_global_after_use_or_assignment_is_refused(struct t *t)
{
    expect_error(t, "x = 1\nglobal x\n", "f.py:2:1: error: name 'x' is assigned to before global declaration");
    expect_error(t, "def f():\n    x = 1\n    print(x)\n    global x\n",
                 "f.py:4:5: error: name 'x' is used prior to global declaration");
    expect_error(t, "def f():\n    for x in range(2):\n        pass\n    global x\n",
                 "f.py:4:5: error: name 'x' is assigned to before global declaration");
    expect_error(t, "def f(x):\n    global x\n", "f.py:2:5: error: name 'x' is parameter and global");
    expect_error(t, "def f():\n    del x\n    global x\n",
                 "f.py:3:5: error: name 'x' is assigned to before global declaration");
}

int main(void)
{
    T_RUN(test_script_compiling_many_names_is_linear);
    T_RUN(test_script_large_slot_names_are_ordinary_names);
    T_RUN(test_script_global_after_use_or_assignment_is_refused);
    T_RUN(test_script_every_script_round_trips_through_the_printer);
    T_RUN(test_script_deep_nesting_is_an_error_not_a_crash);
    T_RUN(test_script_every_prefix_of_a_script_is_handled);
    T_RUN(test_script_errors_name_line_and_column);
    return t_done();
}
