/* test_sampler.c — core's heap-over-time sampling hook (gclab_set_sampler),
 * which `gclab run --trace` uses. */
#include "gclab.h"
#include "t.h"

struct seen {
    int calls, after_gc;
    uint64_t allocs[16];
};

static void record_sample(gclab_heap *h, void *ctx, bool after_gc, int gen)
{
    struct seen *s = ctx;
    struct gclab_stats st;
    (void)gen;
    gclab_heap_stats(h, &st);
    if (s->calls < 16)
        s->allocs[s->calls] = st.allocs;
    s->calls++;
    s->after_gc += after_gc;
}

/* 100 allocations with a sampler every 10: exactly 10 calls, each after the
 * 10th, 20th, ... allocation since it was installed; none after removal. */
static void test_sampler_runs_every_n_allocations_and_stops_when_removed(struct t *t)
{
    char err[256];
    gclab_heap *h = gclab_heap_new("rc", NULL, err, sizeof err);
    T_CHECK(t, h != NULL);
    struct seen s = { 0 };
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    uint64_t base = st.allocs;
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    gclab_set_sampler(h, 10, record_sample, &s);
    for (int i = 0; i < 100; i++)
        T_EQ(t, gclab_int_new(h, 0, 100000 + i), GCLAB_OK);
    gclab_set_sampler(h, 0, NULL, NULL);
    for (int i = 0; i < 100; i++)
        T_EQ(t, gclab_int_new(h, 0, 200000 + i), GCLAB_OK);
    gclab_frame_pop(h);
    gclab_heap_free(h);
    T_EQ(t, s.calls, 10);
    T_EQ(t, s.after_gc, 0);
    T_EQ(t, s.allocs[0], base + 10);
    T_EQ(t, s.allocs[9], base + 100);
}

int main(void)
{
    T_RUN(test_sampler_runs_every_n_allocations_and_stops_when_removed);
    return t_done();
}
