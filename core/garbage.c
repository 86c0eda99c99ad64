/* garbage.c — how much of the heap is garbage right now: objects still
 * allocated (not yet freed) that no chain of strong references from the
 * roots reaches. It is the measure the CPython 3.14 incremental collector
 * was shipped without (python/cpython#142516): pauses and throughput look
 * better while unreachable objects wait for the increment that reaches
 * them.
 *
 * The walk: every root field (gclab_trace_roots), then every strong field
 * of every object reached (gclab_trace_object), with an explicit stack and
 * a pointer set in C memory (never the managed heap: it runs inside
 * allocations and collections, as the --trace sampler does). Weak
 * references are not followed. Immortal objects (None, small ints,
 * interned strs) are neither counted live nor reachable. garbage = live -
 * reachable, in objects and in bytes (object blocks plus their variable
 * storage, as live_bytes counts them). The cost is one pass over the
 * reachable heap, so only traced runs pay it.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

struct gclab_walk {
    gclab_obj **set;        /* open addressing; NULL empty */
    size_t cap;             /* power of two */
    gclab_obj **stack;
    size_t n, stack_cap;
    uint64_t objects, bytes;
    bool oom;
};

static size_t walk_hash(const gclab_obj *o, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)o;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

/* Insert o; false if it was there already. */
static bool walk_insert(struct gclab_walk *w, gclab_obj *o)
{
    size_t i = walk_hash(o, w->cap);
    while (w->set[i]) {
        if (w->set[i] == o)
            return false;
        i = (i + 1) & (w->cap - 1);
    }
    w->set[i] = o;
    return true;
}

static void walk_visit(gclab_obj **field, void *ctx)
{
    struct gclab_walk *w = ctx;
    gclab_obj *o = *field;
    if (!o || obj_is_immortal(o) || w->oom || !walk_insert(w, o))
        return;
    if (w->n == w->stack_cap) {
        size_t cap = w->stack_cap ? w->stack_cap * 2 : 4096;
        gclab_obj **s = realloc(w->stack, cap * sizeof *s);
        if (!s) {
            w->oom = true;
            return;
        }
        w->stack = s;
        w->stack_cap = cap;
    }
    w->stack[w->n++] = o;
    w->objects++;
    w->bytes += o->size + o->storage;
}

gclab_status gclab_heap_garbage(gclab_heap *h, struct gclab_walk **scratch, struct gclab_garbage *out)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    struct gclab_walk *w = *scratch;
    if (!w && !(w = *scratch = calloc(1, sizeof *w)))
        return GCLAB_EMEMORY;
    size_t need = 64;
    while (need < 2 * st.live_objects + 16)
        need *= 2;
    if (need > w->cap) {
        gclab_obj **set = realloc(w->set, need * sizeof *set);
        if (!set)
            return GCLAB_EMEMORY;
        w->set = set;
        w->cap = need;
    }
    memset(w->set, 0, w->cap * sizeof *w->set);
    w->n = 0;
    w->objects = w->bytes = 0;
    w->oom = false;
    gclab_trace_roots(h, walk_visit, w);
    while (w->n > 0 && !w->oom) {
        gclab_obj *o = w->stack[--w->n];
        gclab_trace_object(o, walk_visit, w);
    }
    if (w->oom)
        return GCLAB_EMEMORY;
    /* A conservative engine may count an object dead late but never early,
     * so reachable <= live holds on every engine; clamp anyway. */
    out->objects = st.live_objects > w->objects ? st.live_objects - w->objects : 0;
    out->bytes = st.live_bytes > w->bytes ? st.live_bytes - w->bytes : 0;
    return GCLAB_OK;
}

void gclab_walk_free(struct gclab_walk *w)
{
    if (w) {
        free(w->set);
        free(w->stack);
        free(w);
    }
}
