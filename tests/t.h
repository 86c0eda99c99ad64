/* t.h — the unit-test harness: one binary per tests/test_*.c file.
 *
 * A test is `static void test_name(struct t *t)`; a failed check prints
 * "FAIL test_name: file:line: what" and returns from the test. main() lists
 * the tests with T_RUN and ends with `return t_done();`, which prints
 * "N passed, M failed" for the binary. tests/run.sh sums every binary's PASS
 * and FAIL lines into the one closing line of `make test`.
 */
#ifndef GCLAB_T_H
#define GCLAB_T_H

#include <stdio.h>
#include <string.h>

struct t {
    const char *name;
    int failed;
};

static int t_passed_count, t_failed_count;

static void t_fail(struct t *t, const char *file, int line, const char *what)
{
    printf("FAIL %s: %s:%d: %s\n", t->name, file, line, what);
    t->failed = 1;
}

#define T_CHECK(t, cond)                                                   \
    do {                                                                   \
        if (!(cond)) { t_fail((t), __FILE__, __LINE__, #cond); return; }   \
    } while (0)

#define T_EQ(t, a, b)                                                      \
    do {                                                                   \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);            \
        if (t_a_ != t_b_) {                                                \
            char t_msg_[512];                                              \
            snprintf(t_msg_, sizeof t_msg_, "%s == %s: got %lld, want %lld", \
                     #a, #b, t_a_, t_b_);                                  \
            t_fail((t), __FILE__, __LINE__, t_msg_);                       \
            return;                                                        \
        }                                                                  \
    } while (0)

#define T_STREQ(t, a, b)                                                   \
    do {                                                                   \
        const char *t_a_ = (a), *t_b_ = (b);                               \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) {                   \
            char t_msg_[1024];                                             \
            snprintf(t_msg_, sizeof t_msg_, "%s == %s: got \"%s\", want \"%s\"", \
                     #a, #b, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
            t_fail((t), __FILE__, __LINE__, t_msg_);                       \
            return;                                                        \
        }                                                                  \
    } while (0)

static void t_run(const char *name, void (*fn)(struct t *))
{
    struct t t = { name, 0 };
    fflush(stdout);
    fn(&t);
    if (t.failed) {
        t_failed_count++;
    } else {
        t_passed_count++;
        printf("PASS %s\n", name);
    }
    fflush(stdout);
}

#define T_RUN(fn) t_run(#fn, fn)

static int t_done(void)
{
    printf("%d passed, %d failed\n", t_passed_count, t_failed_count);
    return t_failed_count ? 1 : 0;
}

/* Zero the C stack below the caller, so a conservative collector (bdw)
 * finds no stale copy of a dropped pointer left there by earlier calls. */
static __attribute__((noinline, unused)) void t_scrub_stack(void)
{
    volatile char buf[32768];
    memset((char *)buf, 0, sizeof buf);
}

#endif
