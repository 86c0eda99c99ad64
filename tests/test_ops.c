/* test_ops.c — the instruction set's interpreter, driven with hand-built
 * programs (no script front end), on the rc engine. */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "t.h"

#define E(p, f, code, a, b, c, d) ops_emit(p, f, OP_##code, a, b, c, d, __LINE__)

/* Run p on a fresh rc heap; output into out (caller frees); returns the status. */
static gclab_status run(struct ops_program *p, char **out, struct ops_error *where, gclab_heap **hp)
{
    size_t n;
    FILE *f = open_memstream(out, &n);
    gclab_heap *h = gclab_heap_new("rc", NULL, NULL, 0);
    gclab_status st = ops_run(h, p, f, where);
    fclose(f);
    if (hp)
        *hp = h;
    else
        gclab_heap_free(h);
    return st;
}

/* A dropped two-list cycle survives on rc (gc.collect finds 0) and prints as nested lists. */
static void test_ops_cycle_prints_and_survives_on_rc(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 4;
    E(p, 0, LIST, 0, 0, 0, 0);
    E(p, 0, LIST, 1, 0, 0, 0);
    E(p, 0, APPEND, 0, 1, 0, 0);
    E(p, 0, APPEND, 1, 0, 0, 0);
    E(p, 0, PRINT, 0, 2, 0, 0);
    E(p, 0, CLEAR, 0, 0, 0, 0);
    E(p, 0, CLEAR, 1, 0, 0, 0);
    E(p, 0, GC_COLLECT, 2, -1, 0, 0);
    E(p, 0, PRINT, 2, 1, 0, 0);
    char *out = NULL;
    gclab_heap *h;
    T_EQ(t, run(p, &out, NULL, &h), GCLAB_OK);
    T_STREQ(t, out, "[[[...]]] [[[...]]]\n0\n");
    struct gclab_stats s;
    gclab_heap_drop_roots(h);
    gclab_heap_stats(h, &s);
    T_EQ(t, s.live_objects, 2);
    free(out);
    gclab_heap_free(h);
    ops_program_free(p);
}

/* A function called through CALL returns its argument plus one; the error in
 * a nested call is located at the callee's op, not the caller's CALL. */
static void test_ops_call_returns_and_errors_locate_in_callee(struct t *t)
{
    struct ops_program *p = ops_program_new();
    int f = ops_func_add(p, "inc", 1, 3);
    int32_t lo, hi;
    ops_int_operands(1, &lo, &hi);
    E(p, f, INT, 1, lo, hi, 0);
    E(p, f, ADD, 2, 0, 1, 0);      /* op 1: fails on a str */
    E(p, f, RETURN, 2, 0, 0, 0);
    p->funcs[0].nslots = 3;
    ops_int_operands(41, &lo, &hi);
    E(p, 0, FUNC, 0, f, 0, 0);
    E(p, 0, INT, 1, lo, hi, 0);
    E(p, 0, CALL, 2, 0, 1, 1);
    E(p, 0, PRINT, 2, 1, 0, 0);
    E(p, 0, STR, 1, ops_str_add(p, "x", 1), 0, 0);
    E(p, 0, CALL, 2, 0, 1, 1);     /* op 5 */
    char *out = NULL;
    struct ops_error where;
    gclab_heap *h;
    T_EQ(t, run(p, &out, &where, &h), GCLAB_ETYPE);
    T_STREQ(t, out, "42\n");
    T_STREQ(t, gclab_error(h), "can only concatenate str (not \"int\") to str");
    T_EQ(t, where.func, f);
    T_EQ(t, where.pc, 1);
    T_EQ(t, where.line, p->funcs[f].ops[1].line);
    free(out);
    gclab_heap_free(h);
    ops_program_free(p);
}

/* Printing a 100000-deep nested list does not recurse in C (ASan's stack would
 * overflow): with a frame limit above the depth it prints; below, RecursionError. */
static void test_ops_print_deep_list_without_recursion(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 6;
    int32_t lo, hi;
    E(p, 0, LIST, 0, 0, 0, 0);
    E(p, 0, MOVE, 1, 0, 0, 0);
    ops_int_operands(0, &lo, &hi);
    E(p, 0, INT, 2, lo, hi, 0);
    ops_int_operands(100000, &lo, &hi);
    E(p, 0, INT, 3, lo, hi, 0);
    ops_int_operands(1, &lo, &hi);
    E(p, 0, INT, 4, lo, hi, 0);
    E(p, 0, FOR_RANGE, 5, 2, 10, 0);   /* op 5 */
    E(p, 0, LIST, 5, 0, 0, 0);
    E(p, 0, APPEND, 1, 5, 0, 0);
    E(p, 0, MOVE, 1, 5, 0, 0);
    E(p, 0, JUMP, 5, 0, 0, 0);
    E(p, 0, PRINT, 0, 1, 0, 0);        /* op 10 */
    char *out = NULL;
    size_t sz;
    FILE *f = open_memstream(&out, &sz);
    struct gclab_config cfg = { .max_depth = 200000 };
    gclab_heap *h = gclab_heap_new("rc", &cfg, NULL, 0);
    T_EQ(t, ops_run(h, p, f, NULL), GCLAB_OK);
    fclose(f);
    gclab_heap_free(h);
    size_t n = strlen(out);
    T_EQ(t, n, 2 * 100001 + 1);
    T_CHECK(t, out[0] == '[' && out[100000] == '[' && out[100001] == ']' && out[n - 1] == '\n');
    free(out);
    out = NULL;
    gclab_heap *h2;
    T_EQ(t, run(p, &out, NULL, &h2), GCLAB_ERECURSION);
    T_STREQ(t, gclab_error(h2), "maximum recursion depth exceeded while getting the repr of an object");
    T_STREQ(t, out, "");
    gclab_heap_free(h2);
    free(out);
    ops_program_free(p);
}

/* Validation refuses an out-of-range slot, jump, string and function before running anything. */
static void test_ops_validate_refuses_bad_operands(struct t *t)
{
    char err[256];
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 2;
    E(p, 0, MOVE, 0, 2, 0, 0);
    T_EQ(t, ops_validate(p, err, sizeof err), -1);
    T_STREQ(t, err, "function 0 op 0 (MOVE): bad slot operand b = 2");
    p->funcs[0].ops[0] = (struct ops_op){ OP_JUMP, 5, 0, 0, 0, 0 };
    T_EQ(t, ops_validate(p, err, sizeof err), -1);
    p->funcs[0].ops[0] = (struct ops_op){ OP_GLOBAL_GET, 0, 0, 0, 0, 0 };
    T_EQ(t, ops_validate(p, err, sizeof err), -1);
    ops_str_add(p, "not a name", 10);
    T_EQ(t, ops_validate(p, err, sizeof err), -1);
    p->funcs[0].ops[0] = (struct ops_op){ OP_FUNC, 0, 0, 0, 0, 0 };
    T_EQ(t, ops_validate(p, err, sizeof err), -1);
    p->funcs[0].ops[0] = (struct ops_op){ OP_STR, 1, 0, 0, 0, 0 };
    T_EQ(t, ops_validate(p, err, sizeof err), 0);
    char *out = NULL;
    p->funcs[0].ops[0].code = 200;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_EUSAGE);
    free(out);
    ops_program_free(p);
}

/* sys.getrefcount of a list held by one slot and passed as the argument slot is 2, as CPython says. */
static void test_ops_refcount_counts_the_argument_once(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 3;
    E(p, 0, LIST, 0, 0, 0, 0);
    E(p, 0, MOVE, 1, 0, 0, 0);
    E(p, 0, REFCOUNT, 2, 1, 0, 0);
    E(p, 0, PRINT, 2, 1, 0, 0);
    char *out = NULL;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_STREQ(t, out, "2\n");
    free(out);
    ops_program_free(p);
}

/* `k = d.pop(k)` and `d = d.pop(k)` (POP into the key's or the dict's own slot) return the
 * value and remove the key: the delete reads its operands before the store (fuzz model, issue 8). */
static void test_ops_dict_pop_into_an_operand_slot_removes_the_key(struct t *t)
{
    struct ops_program *p = ops_program_new();
    int k = ops_str_add(p, "k", 1);
    p->funcs[0].nslots = 5;
    E(p, 0, DICT, 0, 0, 0, 0);
    E(p, 0, STR, 1, k, 0, 0);
    E(p, 0, INT, 2, 7, 0, 0);
    E(p, 0, SETITEM, 0, 1, 2, 0);
    E(p, 0, MOVE, 3, 0, 0, 0);
    E(p, 0, POP, 1, 0, 1, 0);       /* k = d.pop(k) */
    E(p, 0, PRINT, 1, 1, 0, 0);
    E(p, 0, PRINT, 3, 1, 0, 0);
    E(p, 0, STR, 1, k, 0, 0);
    E(p, 0, SETITEM, 0, 1, 2, 0);
    E(p, 0, POP, 0, 0, 1, 0);       /* d = d.pop(k) */
    E(p, 0, PRINT, 0, 1, 0, 0);
    E(p, 0, PRINT, 3, 1, 0, 0);
    char *out = NULL;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_STREQ(t, out, "7\n{}\n7\n{}\n");
    free(out);
    ops_program_free(p);
}

/* An empty program (main with no slots) runs on a fresh heap: the first frame
 * has no slots and the heap no slot array yet (fuzz: script_target, empty input). */
static void test_ops_empty_program_runs_on_a_fresh_heap(struct t *t)
{
    struct ops_program *p = ops_program_new();
    char *out = NULL;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_STREQ(t, out, "");
    free(out);
    ops_program_free(p);
}

struct steps { int before, after, caught; };

/* Counts the hook's calls in main and catches every error. */
static gclab_status count_steps(void *ctx, gclab_heap *h, int func, int pc, bool after, gclab_status st)
{
    struct steps *s = ctx;
    (void)h, (void)pc;
    if (func != 0)
        return st;
    if (!after)
        s->before++;
    else
        s->after++;
    if (st != GCLAB_OK)
        s->caught++;
    return GCLAB_OK;
}

/* The step hook runs before and after each op of main (jumps included), and an
 * error it catches lets the run go on to the next op. */
static void test_ops_step_hook_sees_every_op_and_catches_errors(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 2;
    E(p, 0, CLEAR, 0, 0, 0, 0);    /* NameError: caught */
    E(p, 0, JUMP, 3, 0, 0, 0);
    E(p, 0, CLEAR, 0, 0, 0, 0);    /* skipped */
    E(p, 0, INT, 1, 5, 0, 0);
    E(p, 0, PRINT, 1, 1, 0, 0);
    struct steps s = { 0, 0, 0 };
    p->rt.step = count_steps;
    p->rt.step_ctx = &s;
    char *out = NULL;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_STREQ(t, out, "5\n");
    T_EQ(t, s.before, 4);
    T_EQ(t, s.after, 4);
    T_EQ(t, s.caught, 1);
    free(out);
    ops_program_free(p);
}

/* An argument tuple only ever sits in a call's empty destination (core/ops.c
 * arg_tuple): a weakref.ref() that held one there does not make a later failing
 * call empty its destination (found by the fuzzers: a tuple in the destination of
 * `5()` vanished), while a failing class call leaves the destination it held
 * empty again. */
static void test_ops_failing_call_keeps_its_destination(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 7;
    int name = ops_str_add(p, "C", 1);
    E(p, 0, CLASS, 0, name, -1, -1);
    E(p, 0, INSTANCE, 1, 0, 0, 0);
    E(p, 0, WEAKREF, 2, 1, -1, 0);   /* slot 2 empty: its argument tuple held there */
    E(p, 0, INT, 4, 5, 0, 0);
    E(p, 0, TUPLE, 3, 4, 1, 0);
    E(p, 0, CALL, 3, 4, 0, 0);       /* TypeError: 'int' object is not callable */
    E(p, 0, PRINT, 3, 1, 0, 0);      /* still the tuple */
    E(p, 0, CALL, 5, 0, 4, 1);       /* C(5): TypeError (no __init__), the held tuple dropped */
    E(p, 0, PRINT, 5, 1, 0, 0);      /* NameError: empty again */
    E(p, 0, LEN, 6, 3, 0, 0);
    E(p, 0, PRINT, 6, 1, 0, 0);
    struct steps s = { 0, 0, 0 };
    p->rt.step = count_steps;
    p->rt.step_ctx = &s;
    char *out = NULL;
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_EQ(t, s.caught, 3);
    T_STREQ(t, out, "(5,)\n1\n");
    free(out);
    ops_program_free(p);
}

/* PRINT allocates nothing on the heap, so it cannot move a collector's counts
 * (CPython's repr allocates no tracked object): allocs are the same before and after. */
static void test_ops_print_allocates_no_objects(struct t *t)
{
    struct ops_program *p = ops_program_new();
    p->funcs[0].nslots = 3;
    E(p, 0, LIST, 0, 0, 0, 0);
    E(p, 0, DICT, 1, 0, 0, 0);
    E(p, 0, APPEND, 0, 1, 0, 0);
    E(p, 0, TUPLE, 2, 0, 2, 0);
    E(p, 0, APPEND, 0, 2, 0, 0);
    E(p, 0, APPEND, 0, 0, 0, 0);
    E(p, 0, PRINT, 0, 3, 0, 0);
    char *out = NULL;
    size_t sz;
    FILE *f = open_memstream(&out, &sz);
    gclab_heap *h = gclab_heap_new("rc", NULL, NULL, 0);
    struct gclab_stats before, after;
    p->funcs[0].nops = 6;
    T_EQ(t, ops_run(h, p, f, NULL), GCLAB_OK);
    gclab_heap_stats(h, &before);
    gclab_heap_drop_roots(h);
    gclab_heap_free(h);
    h = gclab_heap_new("rc", NULL, NULL, 0);
    p->funcs[0].nops = 7;
    T_EQ(t, ops_run(h, p, f, NULL), GCLAB_OK);
    gclab_heap_stats(h, &after);
    fclose(f);
    T_EQ(t, after.allocs, before.allocs);
    /* CPython 3.11 prints exactly this for the same objects */
    T_STREQ(t, out, "[{}, ([...], {}), [...]] {} ([{}, (...), [...]], {})\n");
    free(out);
    gclab_heap_drop_roots(h);
    gclab_heap_free(h);
    ops_program_free(p);
}

/* KWNAMES: a keyword call binds by the callee's parameter names and fills a
 * default; a keyword repeating a positional one is CPython's TypeError;
 * KWNAMES not followed by a call is refused by ops_validate, and keywords
 * naming more arguments than the call has are a usage error. */
static struct ops_program *kw_program(const char *kw, int nargs, bool call)
{
    struct ops_program *p = ops_program_new();
    int f = ops_func_add(p, "sub", 3, 4);
    const char *names[] = { "a", "b", "c" };
    struct ops_const dflt = { GCLAB_K_INT, 100 };
    ops_func_set_params(p, f, names, 1, &dflt, false);
    E(p, f, SUB, 3, 0, 1, 0);
    E(p, f, ADD, 3, 3, 2, 0);
    E(p, f, RETURN, 3, 0, 0, 0);
    p->funcs[0].nslots = 4;
    int32_t lo, hi;
    E(p, 0, FUNC, 0, f, 0, 0);
    ops_int_operands(1, &lo, &hi);
    E(p, 0, INT, 1, lo, hi, 0);
    ops_int_operands(10, &lo, &hi);
    E(p, 0, INT, 2, lo, hi, 0);
    E(p, 0, KWNAMES, ops_str_add(p, kw, strlen(kw)), 0, 0, 0);
    if (call)
        E(p, 0, CALL, 3, 0, 1, nargs);
    E(p, 0, PRINT, 3, 1, 0, 0);
    return p;
}

static void test_ops_kwnames_binds_by_name_and_is_validated(struct t *t)
{
    char *out = NULL, err[200];
    gclab_heap *h;
    struct ops_program *p = kw_program("b,a", 2, true);   /* sub(b=1, a=10) = 10 - 1 + 100 */
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_OK);
    T_STREQ(t, out, "109\n");
    free(out);
    ops_program_free(p);
    p = kw_program("a", 2, true);                          /* sub(1, a=10) */
    T_EQ(t, run(p, &out, NULL, &h), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "sub() got multiple values for argument 'a'");
    free(out);
    gclab_heap_free(h);
    ops_program_free(p);
    p = kw_program("a", 2, false);
    T_CHECK(t, ops_validate(p, err, sizeof err) != 0);
    T_STREQ(t, err, "function 0 op 3: KWNAMES not followed by a CALL or CALL_METHOD");
    ops_program_free(p);
    p = kw_program("a,b,c", 2, true);
    T_EQ(t, run(p, &out, NULL, NULL), GCLAB_EUSAGE);
    free(out);
    ops_program_free(p);
}

int main(void)
{
    T_RUN(test_ops_kwnames_binds_by_name_and_is_validated);
    T_RUN(test_ops_cycle_prints_and_survives_on_rc);
    T_RUN(test_ops_call_returns_and_errors_locate_in_callee);
    T_RUN(test_ops_print_deep_list_without_recursion);
    T_RUN(test_ops_validate_refuses_bad_operands);
    T_RUN(test_ops_refcount_counts_the_argument_once);
    T_RUN(test_ops_dict_pop_into_an_operand_slot_removes_the_key);
    T_RUN(test_ops_step_hook_sees_every_op_and_catches_errors);
    T_RUN(test_ops_failing_call_keeps_its_destination);
    T_RUN(test_ops_empty_program_runs_on_a_fresh_heap);
    T_RUN(test_ops_print_allocates_no_objects);
    return t_done();
}
