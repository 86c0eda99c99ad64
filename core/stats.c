/* stats.c — counters and the pause log: a leaf (it calls nothing but libc).
 *
 * Engines never write here: the collection events (events.c) count each
 * collection and log its pause through stats_count_collection and
 * stats_count_pause. The log is a plain malloc'd array, never on the
 * managed heap, so logging cannot itself trigger a collection.
 */
#include <string.h>

#include "core.h"

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

void stats_count_pause(gclab_heap *h, uint64_t start, uint64_t dur, uint64_t cpu, int gen)
{
    h->st.gc_ns += dur;
    h->st.gc_cpu_ns += cpu;
    log_pause(h, start, dur, gen);
}

void stats_count_collection(gclab_heap *h, int gen, int64_t collected, int64_t uncollectable)
{
    h->st.collections[gen]++;
    h->gen_stats[gen].collections++;
    h->gen_stats[gen].collected += collected;
    h->gen_stats[gen].uncollectable += uncollectable;
}
