/* test_params.c — every parameter table (engines, core's knobs, workloads)
 * gives each parameter a type and a range its default lies in, and
 * gclab_param_check's verdicts and messages on the bad values. */
#include <string.h>

#include "t.h"
#include "workload.h"

/* spec is complete: a type, a default of that type in range, min <= max. */
static void check_spec(struct t *t, const char *owner, const struct gclab_param_spec *p)
{
    char err[512], what[700];
    double v;
    snprintf(what, sizeof what, "%s: %s", owner, p->name);
    if (p->type != GCLAB_PARAM_INT && p->type != GCLAB_PARAM_REAL && p->type != GCLAB_PARAM_WORD) {
        t_fail(t, __FILE__, __LINE__, what);
        return;
    }
    if (p->type != GCLAB_PARAM_WORD && !(p->min <= p->max && p->max <= GCLAB_PARAM_INT_MAX)) {
        t_fail(t, __FILE__, __LINE__, what);
        return;
    }
    if (p->type == GCLAB_PARAM_WORD && !(p->words && *p->words)) {
        t_fail(t, __FILE__, __LINE__, what);
        return;
    }
    if (!gclab_param_check(p, p->dflt, &v, err, sizeof err)) {
        snprintf(what, sizeof what, "%s: default: %s", owner, err);
        t_fail(t, __FILE__, __LINE__, what);
    }
}

static void test_every_engine_knob_has_a_type_and_a_range_holding_its_default(struct t *t)
{
    const char *name, *summary;
    int n = 0;
    for (int i = 0; gclab_engine_info(i, &name, &summary); i++) {
        const struct gclab_param_spec *p;
        for (int k = 0; (p = gclab_engine_param_at(name, k)); k++, n++)
            check_spec(t, name, p);
    }
    T_CHECK(t, n > 0);
}

static void test_every_workload_parameter_has_a_type_and_a_range_holding_its_default(struct t *t)
{
    const struct workload *w;
    int n = 0;
    for (int i = 0; (w = workload_at(i)); i++)
        for (const struct gclab_param_spec *p = w->params; p->name; p++, n++)
            check_spec(t, w->name, p);
    T_CHECK(t, n > 0);
}

/* Defaults meet each workload's constraints between parameters. */
static void test_every_workload_default_passes_its_check(struct t *t)
{
    const struct workload *w;
    char err[512];
    for (int i = 0; (w = workload_at(i)); i++) {
        struct wl_ctx ctx = { .wl = w };
        if (!workload_check(&ctx, err, sizeof err))
            t_fail(t, __FILE__, __LINE__, err);
    }
}

static const struct gclab_param_spec depth = GCLAB_PINT("depth", "10", 6, 30, "");
static const struct gclab_param_spec factor = GCLAB_PREAL("heap_factor", "2.0", 1, 1e6, "");
static const struct gclab_param_spec rules = GCLAB_PWORD("rules", "3.14.0", "3.14.0|3.14.2", "");

#define BAD(spec, value, msg)                                              \
    do {                                                                   \
        char e_[512];                                                      \
        T_CHECK(t, !gclab_param_check(&(spec), (value), NULL, e_, sizeof e_)); \
        T_STREQ(t, e_, (msg));                                             \
    } while (0)

static void test_bad_values_name_the_value_and_the_range(struct t *t)
{
    BAD(depth, "1.5", "parameter depth=1.5: not an integer (depth takes an integer in 6..30)");
    BAD(depth, "0", "parameter depth=0: out of range (depth takes an integer in 6..30)");
    BAD(depth, "64", "parameter depth=64: out of range (depth takes an integer in 6..30)");
    BAD(depth, "99999999999999999999",
        "parameter depth=99999999999999999999: out of range (depth takes an integer in 6..30)");
    BAD(depth, "-7", "parameter depth=-7: out of range (depth takes an integer in 6..30)");
    BAD(depth, "", "parameter depth=: empty value (depth takes an integer in 6..30)");
    BAD(depth, "0x10", "parameter depth=0x10: not a number (depth takes an integer in 6..30)");
    BAD(depth, "inf", "parameter depth=inf: not a number (depth takes an integer in 6..30)");
    BAD(depth, "nan", "parameter depth=nan: not a number (depth takes an integer in 6..30)");
    BAD(depth, " 8", "parameter depth= 8: not a number (depth takes an integer in 6..30)");
    BAD(depth, "1e999", "parameter depth=1e999: not a number (depth takes an integer in 6..30)");
    BAD(factor, "0.5", "parameter heap_factor=0.5: out of range (heap_factor takes a number in 1..1e+06)");
    BAD(factor, "2x", "parameter heap_factor=2x: not a number (heap_factor takes a number in 1..1e+06)");
    BAD(rules, "3.13", "parameter rules=3.13: not a known word (rules takes one of 3.14.0|3.14.2)");
    BAD(rules, "3.14", "parameter rules=3.14: not a known word (rules takes one of 3.14.0|3.14.2)");
    BAD(rules, "", "parameter rules=: empty value (rules takes one of 3.14.0|3.14.2)");
}

static void test_good_values_give_their_number(struct t *t)
{
    char err[512];
    double v = -1;
    T_CHECK(t, gclab_param_check(&depth, "1e1", &v, err, sizeof err));
    T_CHECK(t, v == 10);
    T_CHECK(t, gclab_param_check(&depth, "12.0", &v, err, sizeof err));
    T_CHECK(t, v == 12);
    T_CHECK(t, gclab_param_check(&factor, "1.5", &v, err, sizeof err));
    T_CHECK(t, v == 1.5);
    T_CHECK(t, gclab_param_check(&rules, "3.14.2", &v, err, sizeof err));
    uint64_t u = 0;
    T_CHECK(t, gclab_parse_int("1e6", 0, GCLAB_PARAM_INT_MAX, &u));
    T_EQ(t, u, 1000000);
    T_CHECK(t, !gclab_parse_int("1.5", 0, GCLAB_PARAM_INT_MAX, &u));
    T_CHECK(t, !gclab_parse_int("-1", 0, GCLAB_PARAM_INT_MAX, &u));
    T_CHECK(t, !gclab_parse_int("1e30", 0, GCLAB_PARAM_INT_MAX, &u));
}

/* A heap is never made with a knob outside its range. */
static void test_heap_new_refuses_out_of_range_knobs(struct t *t)
{
    char err[512];
    struct gclab_kv kv[] = { { "verify", "5" } };
    struct gclab_config cfg = { .nparams = 1, .params = kv };
    T_CHECK(t, gclab_heap_new("rc", &cfg, err, sizeof err) == NULL);
    T_STREQ(t, err, "parameter verify=5: out of range (verify takes an integer in 0..2)");
    kv[0] = (struct gclab_kv){ "zeal", "0.5" };
    T_CHECK(t, gclab_heap_new("rc", &cfg, err, sizeof err) == NULL);
    T_STREQ(t, err, "parameter zeal=0.5: not an integer (zeal takes an integer in 0..1000000000000)");
}

int main(void)
{
    T_RUN(test_every_engine_knob_has_a_type_and_a_range_holding_its_default);
    T_RUN(test_every_workload_parameter_has_a_type_and_a_range_holding_its_default);
    T_RUN(test_every_workload_default_passes_its_check);
    T_RUN(test_bad_values_name_the_value_and_the_range);
    T_RUN(test_good_values_give_their_number);
    T_RUN(test_heap_new_refuses_out_of_range_knobs);
    return t_done();
}
