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

int main(void)
{
    T_RUN(test_script_every_script_round_trips_through_the_printer);
    T_RUN(test_script_deep_nesting_is_an_error_not_a_crash);
    T_RUN(test_script_every_prefix_of_a_script_is_handled);
    T_RUN(test_script_errors_name_line_and_column);
    return t_done();
}
