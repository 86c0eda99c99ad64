/* events.c — collection events, dispatched from one place.
 *
 * Engines bracket every collection (core_event_collect_start/end), every
 * bounded step of an incremental one (core_event_step_start/end), report a
 * collection they could not bracket (core_event_collect_logged), and may
 * raise the phases of a collection as they pass them (core_event_phase).
 * Each event fans out here, in a fixed order, to what listens:
 *   - the pause clock and the counters (stats.c, a leaf);
 *   - the heap-over-time sampler (gclab_set_sampler), after a collection;
 *   - the event listener (gclab_set_event_listener: every event, phases
 *     included, as Whippet's event listener);
 *   - the engine's verify (engine.h) after each collection and each step at
 *     -p verify >= 1, with the level (a failed check is a collector bug:
 *     message and abort);
 *   - gc.callbacks ("start" before the pause clock starts, "stop" after it
 *     stops: mutator code, run outside the timed pause).
 */
#include <time.h>

#include "core.h"

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

void gclab_set_event_listener(gclab_heap *h, gclab_event_fn fn, void *ctx)
{
    h->listener = fn;
    h->listener_ctx = ctx;
}

static void notify(gclab_heap *h, enum gclab_event ev, int gen)
{
    if (h->listener)
        h->listener(h, h->listener_ctx, ev, gen);
}

const char *gclab_event_name(enum gclab_event ev)
{
    static const char *const names[] = {
        [GCLAB_EV_COLLECT_START] = "collect_start", [GCLAB_EV_COLLECT_END] = "collect_end",
        [GCLAB_EV_STEP_START] = "step_start",       [GCLAB_EV_STEP_END] = "step_end",
        [GCLAB_EV_ROOTS_TRACED] = "roots_traced",   [GCLAB_EV_HEAP_TRACED] = "heap_traced",
        [GCLAB_EV_WEAKREFS_DONE] = "weakrefs_done", [GCLAB_EV_FINALIZERS_DONE] = "finalizers_done",
        [GCLAB_EV_GARBAGE_FREED] = "garbage_freed",
    };
    return (unsigned)ev < sizeof names / sizeof names[0] && names[ev] ? names[ev] : "?";
}

void core_event_phase(gclab_heap *h, enum gclab_event phase, int gen)
{
    notify(h, phase, gen);
}

/* verify >= 1: the engine checks itself at this level after a collection or
 * a step (the state between two steps must be consistent too). */
static void verify_after(gclab_heap *h, const char *what, int gen)
{
    if (h->verify_level < 1 || !h->eng->verify)
        return;
    if (h->eng->verify(h, h->verify_level) != 0) {
        fprintf(stderr, "gclab: verify=%d: %s heap check failed after %s of generation %d "
                        "(collection %llu)\n", h->verify_level, h->eng->name, what, gen,
                (unsigned long long)(h->st.collections[0] + h->st.collections[1] + h->st.collections[2]));
        abort();
    }
}

static int clamp_gen(int gen) { return gen < 0 || gen >= GCLAB_MAX_GENS ? 0 : gen; }

static void pause_start(gclab_heap *h)
{
    h->pause_start_cpu_ns = core_thread_cpu_ns();
    h->pause_start_ns = gclab_now_ns();
}

/* Stop the pause clock and count the pause. */
static void pause_end(gclab_heap *h, int gen)
{
    uint64_t dur = gclab_now_ns() - h->pause_start_ns;
    stats_count_pause(h, h->pause_start_ns, dur, core_thread_cpu_ns() - h->pause_start_cpu_ns, gen);
}

/* A collection of gen ended: counted, sampled, announced, verified, then gc.callbacks. */
static void collection_done(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable,
                            enum gclab_event ev)
{
    stats_count_collection(h, gen, collected, uncollectable);
    if (h->sample_fn)
        h->sample_fn(h, h->sample_ctx, true, gen);
    notify(h, ev, gen);
    verify_after(h, ev == GCLAB_EV_STEP_END ? "the step ending a cycle" : "a collection", gen);
    run_callbacks(h, "stop", gen, collected, uncollectable);
}

void core_event_collect_start(gclab_heap *h, int gen)
{
    h->hot.collecting++;
    run_callbacks(h, "start", gen, 0, 0);
    notify(h, GCLAB_EV_COLLECT_START, clamp_gen(gen));
    pause_start(h);
}

void core_event_collect_end(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable)
{
    gen = clamp_gen(gen);
    pause_end(h, gen);
    collection_done(h, gen, collected, uncollectable, GCLAB_EV_COLLECT_END);
    h->hot.collecting--;
}

void core_event_step_start(gclab_heap *h, int gen, bool cycle_starts)
{
    h->hot.collecting++;
    if (cycle_starts)
        run_callbacks(h, "start", gen, 0, 0);
    notify(h, GCLAB_EV_STEP_START, clamp_gen(gen));
    pause_start(h);
}

void core_event_step_end(gclab_heap *h, int gen, bool cycle_ends, int64_t collected,
                         int64_t uncollectable)
{
    gen = clamp_gen(gen);
    pause_end(h, gen);
    if (cycle_ends) {
        collection_done(h, gen, collected, uncollectable, GCLAB_EV_STEP_END);
    } else {
        notify(h, GCLAB_EV_STEP_END, gen);
        verify_after(h, "a step", gen);
    }
    h->hot.collecting--;
}

void core_event_collect_logged(gclab_heap *h, int gen, uint64_t start_ns, uint64_t dur_ns,
                               uint64_t cpu_ns, int64_t collected, int64_t uncollectable)
{
    gen = clamp_gen(gen);
    h->hot.collecting++;
    run_callbacks(h, "start", gen, 0, 0);
    notify(h, GCLAB_EV_COLLECT_START, gen);
    stats_count_pause(h, start_ns, dur_ns, cpu_ns, gen);
    collection_done(h, gen, collected, uncollectable, GCLAB_EV_COLLECT_END);
    h->hot.collecting--;
}
