/* test_events.c — collection events from one place (core/events.c): the
 * listener sees every collection bracketed (start, the phases the engine
 * raises, end) in order, with the generation; steps of an incremental engine
 * as step events, the step ending a cycle as the cycle's end; the counters
 * and gc.callbacks still see each collection once. */
#include "engine.h"
#include "t.h"
#include "engine_t.h"

static char seen[400];

static void listen(gclab_heap *h, void *ctx, enum gclab_event ev, int gen)
{
    (void)h;
    (*(int *)ctx)++;
    size_t n = strlen(seen);
    snprintf(seen + n, sizeof seen - n, "%s%s/%d", n ? " " : "", gclab_event_name(ev), gen);
}

/* rcgen raises its phases: a full collection reads as CPython's gc_collect_main. */
static void test_rcgen_collection_events_in_order(struct t *t)
{
    gclab_heap *h = t_heap("rcgen", 0, NULL, 0);
    T_CHECK(t, h);
    int calls = 0;
    seen[0] = 0;
    gclab_set_event_listener(h, listen, &calls);
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
    T_STREQ(t, seen, "collect_start/2 heap_traced/2 weakrefs_done/2 finalizers_done/2 garbage_freed/2 "
                     "collect_end/2");
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, calls, 12);
    gclab_set_event_listener(h, NULL, NULL);
    T_EQ(t, gclab_gc_collect(h, 1, &found), GCLAB_OK);
    T_EQ(t, calls, 12);
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    T_EQ(t, st.collections[0], 1);
    T_EQ(t, st.collections[1], 1);
    T_EQ(t, st.collections[2], 1);
    gclab_heap_free(h);
}

/* An engine that raises no phase: start and end only. */
static void test_marksweep_collection_is_bracketed(struct t *t)
{
    gclab_heap *h = t_heap("marksweep", 0, NULL, 0);
    T_CHECK(t, h);
    int calls = 0;
    seen[0] = 0;
    gclab_set_event_listener(h, listen, &calls);
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
    T_STREQ(t, seen, "collect_start/0 collect_end/0");
    gclab_heap_free(h);
}

/* incms under stress steps on its own: step events only; gc.collect() is
 * one step that starts and ends a whole cycle (after one that finishes a
 * sweep in progress, if any). */
static void test_incms_steps_are_step_events(struct t *t)
{
    struct gclab_kv kv[] = { { "stress", "1" } };
    gclab_heap *h = t_heap("incms", 1, kv, 0);
    T_CHECK(t, h);
    int calls = 0;
    seen[0] = 0;
    gclab_set_event_listener(h, listen, &calls);
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    for (int i = 0; i < 200; i++)
        T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    T_CHECK(t, calls >= 2);
    T_CHECK(t, strncmp(seen, "step_start/0 step_end/0", 23) == 0);
    T_CHECK(t, strstr(seen, "collect") == NULL);
    seen[0] = 0;
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
    T_CHECK(t, strcmp(seen, "step_start/0 step_end/0") == 0 ||
                   strcmp(seen, "step_start/0 step_end/0 step_start/0 step_end/0") == 0);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_rcgen_collection_events_in_order);
    T_RUN(test_marksweep_collection_is_bracketed);
    T_RUN(test_incms_steps_are_step_events);
    return t_done();
}
