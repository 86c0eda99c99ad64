/* stats.c — counters, the pause log and collection events.
 *
 * Engines never write the pause log: they bracket each collection with
 * core_event_collect_start/end, which feed gc.callbacks, the per-generation
 * statistics (gc.get_stats) and the pause log at once. The log is a plain
 * malloc'd array, never on the managed heap, so logging cannot itself
 * trigger a collection.
 */
#include <string.h>
#include <time.h>

#include "core.h"

void stats_count_alloc(gclab_heap *h, uint64_t bytes, bool object)
{
    struct gclab_stats *s = &h->st;
    if (object)
        s->allocs++;
    s->alloc_bytes += bytes;
    s->live_bytes += bytes;
    if (object)
        s->live_objects++;
    if (s->live_bytes > s->peak_live_bytes)
        s->peak_live_bytes = s->live_bytes;
}

void stats_count_free(gclab_heap *h, uint64_t bytes, bool object)
{
    struct gclab_stats *s = &h->st;
    GCLAB_ASSERT(s->live_bytes >= bytes);
    if (object) {
        GCLAB_ASSERT(s->live_objects > 0);
        s->freed++;
        s->live_objects--;
    }
    s->freed_bytes += bytes;
    s->live_bytes -= bytes;
}

void gclab_heap_stats(gclab_heap *h, struct gclab_stats *out)
{
    *out = h->st;
    if (h->eng->heap_bytes) {
        out->heap_bytes = h->eng->heap_bytes(h);
        if (out->heap_bytes > h->st.peak_heap_bytes)
            h->st.peak_heap_bytes = out->heap_bytes;
        out->peak_heap_bytes = h->st.peak_heap_bytes;
    } else {
        struct alloc_stats a;
        alloc_get_stats(h->alloc, &a);
        out->heap_bytes = a.heap_bytes;
        out->peak_heap_bytes = a.peak_heap_bytes;
    }
}

void gclab_set_sampler(gclab_heap *h, uint64_t every, gclab_sample_fn fn, void *ctx)
{
    h->sample_fn = fn;
    h->sample_ctx = ctx;
    h->sample_every = fn ? every : 0;
    h->sample_count = 0;
}

const struct gclab_pause *gclab_pauses(const gclab_heap *h, size_t *n)
{
    *n = h->npauses;
    return h->pauses;
}

void stats_free(gclab_heap *h)
{
    free(h->pauses);
    h->pauses = NULL;
    h->npauses = h->pauses_cap = 0;
}

static void log_pause(gclab_heap *h, uint64_t start, uint64_t dur, int gen)
{
    if (h->npauses == h->pauses_cap) {
        size_t cap = h->pauses_cap ? h->pauses_cap * 2 : 1024;
        struct gclab_pause *p = realloc(h->pauses, cap * sizeof *p);
        if (!p)
            return;   /* the pause still counts in gc_ns and collections */
        h->pauses = p;
        h->pauses_cap = cap;
    }
    h->pauses[h->npauses++] = (struct gclab_pause){ start, dur, gen };
}

/* Call every func in gc.callbacks with (phase, info), as CPython's
 * invoke_gc_callback does. Runs outside the timed pause. Errors in a
 * callback are reported and ignored. */
static void run_callbacks(gclab_heap *h, const char *phase, int gen, int64_t collected,
                          int64_t uncollectable)
{
    if (!h->callbacks || AS(obj_list, h->callbacks)->len == 0)
        return;
    static const char *keys[] = { "generation", "collected", "uncollectable" };
    int64_t vals[] = { gen, collected, uncollectable };
    /* slots: 0 phase, 1 info, 2 key, 3 value, 4 callback list copy, 5 callback */
    if (frame_push_n(h, 6) != GCLAB_OK)
        return;
    gclab_status st = gclab_str_intern(h, 0, phase);
    if (st == GCLAB_OK)
        st = gclab_dict_new(h, 1);
    for (int i = 0; i < 3 && st == GCLAB_OK; i++) {
        st = gclab_str_intern(h, 2, keys[i]);
        if (st == GCLAB_OK)
            st = gclab_int_new(h, 3, vals[i]);
        if (st == GCLAB_OK)
            st = gclab_dict_set(h, 1, 2, 3);
    }
    /* Iterate over the list itself by index, as CPython does; a callback
     * that changes the list changes what runs next. */
    if (st == GCLAB_OK)
        st = gclab_gc_callbacks(h, 4);
    for (int64_t i = 0; st == GCLAB_OK; i++) {
        int64_t n;
        gclab_len(h, 4, &n);
        if (i >= n || gclab_list_get(h, 5, 4, i) != GCLAB_OK)
            break;
        size_t base = h->frames[h->depth - 1].base;
        gclab_obj *args[2] = { h->slots[base], h->slots[base + 1] };
        core_call(h, h->slots[base + 5], 2, args, "gc callback");
    }
    if (st != GCLAB_OK)
        gclab_error_clear(h);
    gclab_frame_pop(h);
}

/* This thread's CPU time: what a collection costs when other processes
 * share the cores (the pause, wall-clock, also counts their time slices). */
uint64_t core_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void core_event_collect_start(gclab_heap *h, int gen)
{
    h->hot.collecting++;
    run_callbacks(h, "start", gen, 0, 0);
    h->pause_start_cpu_ns = core_thread_cpu_ns();
    h->pause_start_ns = gclab_now_ns();
}

/* Count one collection of gen that took dur ns from start, and log its pause. */
static void account_collection(gclab_heap *h, int gen, uint64_t start, uint64_t dur,
                               int64_t collected, int64_t uncollectable)
{
    h->st.gc_ns += dur;
    h->st.collections[gen]++;
    h->gen_stats[gen].collections++;
    h->gen_stats[gen].collected += collected;
    h->gen_stats[gen].uncollectable += uncollectable;
    log_pause(h, start, dur, gen);
    if (h->sample_fn)
        h->sample_fn(h, h->sample_ctx, true, gen);
}

void core_event_collect_end(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable)
{
    uint64_t end = gclab_now_ns();
    uint64_t dur = end - h->pause_start_ns;
    h->st.gc_cpu_ns += core_thread_cpu_ns() - h->pause_start_cpu_ns;
    if (gen < 0 || gen >= GCLAB_MAX_GENS)
        gen = 0;
    account_collection(h, gen, h->pause_start_ns, dur, collected, uncollectable);
    run_callbacks(h, "stop", gen, collected, uncollectable);
    h->hot.collecting--;
}

void core_event_step_start(gclab_heap *h, int gen, bool cycle_starts)
{
    h->hot.collecting++;
    if (cycle_starts)
        run_callbacks(h, "start", gen, 0, 0);
    h->pause_start_cpu_ns = core_thread_cpu_ns();
    h->pause_start_ns = gclab_now_ns();
}

void core_event_step_end(gclab_heap *h, int gen, bool cycle_ends, int64_t collected,
                         int64_t uncollectable)
{
    uint64_t end = gclab_now_ns();
    uint64_t dur = end - h->pause_start_ns;
    h->st.gc_cpu_ns += core_thread_cpu_ns() - h->pause_start_cpu_ns;
    if (gen < 0 || gen >= GCLAB_MAX_GENS)
        gen = 0;
    if (cycle_ends) {
        account_collection(h, gen, h->pause_start_ns, dur, collected, uncollectable);
        run_callbacks(h, "stop", gen, collected, uncollectable);
    } else {
        h->st.gc_ns += dur;
        log_pause(h, h->pause_start_ns, dur, gen);
    }
    h->hot.collecting--;
}

void core_event_collect_logged(gclab_heap *h, int gen, uint64_t start_ns, uint64_t dur_ns,
                               uint64_t cpu_ns, int64_t collected, int64_t uncollectable)
{
    h->st.gc_cpu_ns += cpu_ns;
    if (gen < 0 || gen >= GCLAB_MAX_GENS)
        gen = 0;
    h->hot.collecting++;
    run_callbacks(h, "start", gen, 0, 0);
    account_collection(h, gen, start_ns, dur_ns, collected, uncollectable);
    run_callbacks(h, "stop", gen, collected, uncollectable);
    h->hot.collecting--;
}
