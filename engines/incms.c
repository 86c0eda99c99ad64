/* incms.c — incremental tri-color mark-sweep (Lua 5.x's incremental mode and
 * Go's pacer are the models): precise, non-moving, no reference counts; the
 * marking and the sweeping are cut into bounded steps interleaved with the
 * mutator's allocations, so no pause is proportional to the heap.
 *
 * What it promises
 *   The same observable rules as marksweep (read its top comment): an object
 *   lives as long as it is reachable from the roots; weakrefs to dead objects
 *   are cleared before any finalizer runs; a weakref's callback runs only if
 *   the weakref itself is reachable; __del__ runs at most once; what __del__
 *   resurrects stays. gc.collect() finishes the cycle in progress and runs
 *   one whole cycle in one pause, so after it exactly the unreachable objects
 *   are gone (the final collection at teardown makes `leaked` exact). Between
 *   explicit collections, objects die late: garbage is found only by the
 *   cycle after it became garbage, and freed only when the sweep reaches it.
 *   DIFFERS from marksweep: weakref callbacks of one cycle run in the order
 *   their weakrefs were made (marksweep: their targets' allocation order);
 *   callbacks and finalizers run in the atomic step, before the sweep.
 *
 * Colours (gcflags), Lua's tri-colour abstraction
 *   IM_EPOCH (2 bits) holds the number (1..3) of the cycle that last marked
 *   the object, or 0 if none did. An object is *marked* in the current cycle
 *   iff its epoch equals s->epoch; every cycle takes the next number, so
 *   starting a cycle unmarks every object at once, without a walk.
 *     white  not marked: not yet found (or garbage, once marking is over);
 *     grey   marked, fields not yet visited: on the grey stack (or marked
 *            while the stack overflowed, awaiting im_rescan);
 *     black  marked and its fields visited.
 *   IM_FINALIZED: __del__ has run (never cleared, I5).
 *   gc_next: the next object of the heap list (allocation order), always.
 *   gc_prev: the next object of one of three queues, in allocation order:
 *            `finobj` (instances whose __del__ is pending), `tofnz` (the
 *            atomic step's objects to finalize) or `weakrefs` (every weakref
 *            not yet swept), Lua's finobj/tobefnz/weak lists; so the atomic
 *            step never walks the heap, and nothing there allocates.
 *   gc_refs: scratch for im_verify only. refcnt, gen: unused.
 *
 * The barrier: Dijkstra's incremental update, forward (Lua's luaC_barrier)
 *   While marking, storing a white object into a field of a marked object
 *   shades the new value grey (post-write: it needs the owner and the new
 *   value, barrier_post). Core reports stores into slots, the return
 *   registers and its root words too (owner NULL, engine.h); this engine
 *   ignores them: the roots are grey for the whole cycle and rescanned by
 *   the atomic step.
 *   Why incremental update rather than Yuasa's snapshot-at-the-beginning:
 *   - deletions need no barrier: core removes references in many places that
 *     are not stores of a new value (dict/attr delete, list pop, clearing a
 *     weakref), and a snapshot barrier would have to see every one;
 *   - a weakref read during marking hands the mutator an object the snapshot
 *     never marked; here that object sits in a slot and the root rescan finds
 *     it, so weakref reads need no barrier either;
 *   - objects allocated during marking start white and die in the same cycle
 *     if dropped (a snapshot allocates black: one cycle of floating garbage).
 *   The price: the atomic step rescans the roots and traces what is reachable
 *   only from them; with gclab's shallow shadow stacks that is small.
 *
 * Phases (IM_PHASE_*, one dispatcher im_single_step; read im_step first)
 *   PAUSE      no cycle; the trigger starts one: a fresh epoch, the roots
 *              greyed (im_start_cycle);
 *   PROPAGATE  pop a grey object, blacken it (visit its fields); the write
 *              barrier is on; ends when the grey stack is empty;
 *   ATOMIC     one indivisible step (im_atomic): rescan the roots and drain;
 *              move the white objects with a pending __del__ to `tofnz` and
 *              clear the weakrefs to white objects (callbacks of marked
 *              weakrefs kept); mark from `tofnz` (they and what they reach
 *              survive this cycle); run the callbacks, then the finalizers;
 *   SWEEP      free white objects a chunk at a time (im_sweep_step); objects
 *              allocated now take the current epoch (they survive); when the
 *              list is done, the cycle ends (counted as one collection).
 *
 * Pacing (the trigger and the work quantum, knobs)
 *   During a cycle every allocated byte (objects and their storage) adds to a
 *   debt; once it passes step_size bytes, a step does debt * step_mul bytes
 *   of work (bytes of objects marked, or swept), at least one object.
 *   A cycle starts when live bytes reach
 *       trigger = max(min_heap, M * heap_factor) - M / step_mul
 *   where M is what the last cycle marked: the same heap goal as marksweep
 *   (heap_factor times the live data), reached as the marking ends (Go's
 *   pacer aims at its goal the same way). gc.disable() stops the steps; the
 *   barrier stays on if a cycle is in progress. With --heap-limit, an
 *   allocation that would pass the limit first runs a whole collection.
 *   An explicit or zeal collection (im_collect) completes the sweep in
 *   progress, or restarts marking in progress with a fresh epoch, and then
 *   runs the rest of the cycle in one go.
 *
 * Invariants (cited by asserts as I1..I6)
 *   I1 tri-colour: during PROPAGATE no black object has a field pointing to
 *      a white one (im_verify checks it edge by edge at -p verify=2);
 *   I2 objects are freed only in SWEEP, and only white ones: the grey stack
 *      is empty outside PROPAGATE, so it never holds a freed object;
 *   I3 steps never nest and never run inside another collection: every step
 *      runs with core_collecting(h) == 0 on entry;
 *   I4 no object in `finobj` (instances with a pending __del__) is ever
 *      swept: the atomic step moves every white one to `tofnz` and marks it;
 *   I5 __del__ runs at most once per object: IM_FINALIZED is never cleared;
 *   I6 every object allocated by this engine is in the heap list exactly once
 *      until swept; the list length equals core's live object count.
 */
#include <string.h>

#include "engine.h"
#include "sidelists.h"

#define IM_EPOCH     0x03
#define IM_FINALIZED 0x04

enum im_phase { IM_PHASE_PAUSE, IM_PHASE_PROPAGATE, IM_PHASE_ATOMIC, IM_PHASE_SWEEP };
static const char *const im_phase_names[] = { "pause", "propagate", "atomic", "sweep" };

/* Objects a sweep single step visits at most, and items of a long list a
 * propagate single step visits at most (32 and 4 under -p stress=1). */
#define IM_SWEEP_CHUNK 256
#define IM_LIST_CHUNK 1024

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant im_mut_no_barrier = {
    "no-barrier", "the write barrier does nothing: a white object stored into a black one is lost" };
static const struct gclab_mutant im_mut_no_rescan = {
    "no-rescan", "the atomic step does not grey the roots again: what only a slot holds is lost" };
static const struct gclab_mutant im_mut_free_resurrected = {
    "free-resurrected", "objects to finalize are not marked: the sweep frees what __del__ resurrects" };
static const struct gclab_mutant im_mut_sweep_new = {
    "sweep-new", "objects allocated during the sweep are white: the sweep frees them" };
static const struct gclab_mutant im_mut_partial_forward = {
    "partial-forward", "a long list is blackened from its front: a pop moves an unvisited item into the visited part" };
static const struct gclab_mutant *const im_mutants[] = {
    &im_mut_no_barrier, &im_mut_no_rescan, &im_mut_free_resurrected, &im_mut_sweep_new,
    &im_mut_partial_forward, NULL,
};

/* A queue threaded through gc_prev. */
struct im_queue { gclab_obj *head, *tail; };

struct im_state {
    gclab_obj *head, *tail;       /* the heap list, allocation order (I6) */
    uint64_t nobjects;
    enum im_phase phase;
    uint8_t epoch;                /* 1..3: the current cycle's mark */
    /* grey stack */
    gclab_obj **grey;
    size_t sp, cap, max;
    bool overflowed;
    /* a long list being blackened a chunk at a time: items below `partial_pos` are left */
    gclab_obj *partial;
    size_t partial_pos;
    size_t sweep_chunk, list_chunk;
    /* sweep cursor: the link to the next object to visit, and its owner */
    gclab_obj **sweep_link, *sweep_prev;
    /* pacing */
    double heap_factor, step_mul;
    uint64_t min_heap, step_size, trigger;
    uint64_t paid;                /* core_alloc_bytes(h) when the last step ran */
    uint64_t work;                /* work done in the current step, bytes */
    uint64_t marked_bytes;        /* bytes marked in this cycle */
    uint64_t marked_objects;      /* objects marked in this cycle */
    int64_t found;                /* this cycle's garbage: freed, or kept for __del__ */
    uint64_t cycles, steps;       /* completed cycles, steps taken */
    /* queues (gc_prev) and the callback vector */
    struct im_queue finobj, tofnz, weakrefs;
    struct obj_vec callbacks;      /* pairs: weakref, its callback */
};

static int im_verify(gclab_heap *h, int level);

/* ================================================================
 * Colours and the grey stack
 * ================================================================ */

static bool im_is_marked(const struct im_state *s, const gclab_obj *o)
{
    return (o->gcflags & IM_EPOCH) == s->epoch;
}
static bool im_is_white(const struct im_state *s, const gclab_obj *o)
{
    return !obj_is_immortal(o) && !im_is_marked(s, o);
}
static void im_set_epoch(gclab_obj *o, uint8_t e)
{
    o->gcflags = (uint8_t)((o->gcflags & ~IM_EPOCH) | e);
}
static bool im_in_sweep(const struct im_state *s) { return s->phase == IM_PHASE_SWEEP; }

/* Push a marked container; on a full stack, leave it marked for im_rescan. */
static void im_push(struct im_state *s, gclab_obj *o)
{
    if (s->sp == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (s->max && cap > s->max)
            cap = s->max;
        gclab_obj **st = cap > s->cap ? realloc(s->grey, cap * sizeof *st) : NULL;
        if (!st) {
            s->overflowed = true;
            return;
        }
        s->grey = st;
        s->cap = cap;
    }
    s->grey[s->sp++] = o;
}

/* White to grey (a leaf goes straight to black: it has no fields). */
static void im_shade(struct im_state *s, gclab_obj *o)
{
    im_set_epoch(o, s->epoch);
    uint64_t bytes = o->size + o->storage;
    s->marked_bytes += bytes;
    s->marked_objects++;
    s->work += bytes;
    if (obj_kind_is_container(o->kind))
        im_push(s, o);
}

/* The visitor: shade what a field points to if it is white. */
static void im_mark_field(gclab_obj **field, void *ctx)
{
    struct im_state *s = ctx;
    gclab_obj *o = *field;
    if (o && im_is_white(s, o))
        im_shade(s, o);
}

/* Grey to black, a chunk of a long list at a time. The items are visited
 * from the end toward the front: core moves items only toward the front
 * (list pop shifts the tail down), so an item not yet visited never moves
 * into the visited part; items stored meanwhile pass the barrier (the list
 * is marked). An inserting operation would have to restart the scan. */
static void im_propagate_partial(struct im_state *s)
{
    obj_list *l = AS(obj_list, s->partial);
    if (GCLAB_MUTANT(im_mut_partial_forward)) {
        /* partial_pos counts visited items from the front */
        size_t done = s->partial_pos < l->len ? s->partial_pos : l->len, end = done + s->list_chunk;
        if (end > l->len)
            end = l->len;
        for (size_t i = done; i < end; i++)
            im_mark_field(&l->items[i], s);
        s->partial_pos = end;
        if (end >= l->len)
            s->partial = NULL;
        return;
    }
    size_t pos = s->partial_pos < l->len ? s->partial_pos : l->len;
    size_t stop = pos > s->list_chunk ? pos - s->list_chunk : 0;
    s->work += (pos - stop) * sizeof(gclab_obj *);
    while (pos > stop) {
        pos--;
        im_mark_field(&l->items[pos], s);
    }
    s->partial_pos = pos;
    if (pos == 0)
        s->partial = NULL;
}

/* Grey to black: visit the fields of the top of the stack (a long list
 * becomes the partial one). */
static void im_propagate_one(struct im_state *s)
{
    if (s->partial) {
        im_propagate_partial(s);
        return;
    }
    gclab_obj *o = s->grey[--s->sp];
    GCLAB_ASSERT(im_is_marked(s, o));   /* I2: only marked objects are grey */
    if (o->kind == GCLAB_K_LIST && AS(obj_list, o)->len > s->list_chunk) {
        s->partial = o;
        s->partial_pos = GCLAB_MUTANT(im_mut_partial_forward) ? 0 : AS(obj_list, o)->len;
        im_propagate_partial(s);
        return;
    }
    gclab_trace_object(o, im_mark_field, s);
}

static bool im_has_grey(const struct im_state *s) { return s->sp > 0 || s->partial; }

static void im_drain(struct im_state *s)
{
    while (im_has_grey(s))
        im_propagate_one(s);
}

/* After an overflow: visit the fields of every marked container again until
 * a pass ends without overflowing (marksweep's ms_rescan; O(heap) a pass). */
static void im_rescan(struct im_state *s)
{
    while (s->overflowed) {
        s->overflowed = false;
        for (gclab_obj *o = s->head; o; o = o->gc_next)
            if (im_is_marked(s, o) && obj_kind_is_container(o->kind)) {
                gclab_trace_object(o, im_mark_field, s);
                im_drain(s);
            }
    }
}

static void im_finish_marking(struct im_state *s)
{
    im_drain(s);
    im_rescan(s);
    GCLAB_ASSERT(!im_has_grey(s) && !s->overflowed);
}

/* ================================================================
 * The write barrier
 * ================================================================ */

/* Whether the tri-colour invariant must hold: from the first step of marking
 * to the end of the atomic step (Lua's keepinvariant). */
static bool im_keep_invariant(const struct im_state *s)
{
    return s->phase == IM_PHASE_PROPAGATE || s->phase == IM_PHASE_ATOMIC;
}

/* Post-write: a field of owner now holds v. A white v stored into a marked
 * (grey or black) owner is shaded, so no black object points to a white one
 * (I1). Stores into roots (owner NULL) are left to the atomic rescan. */
static void im_barrier_slow(struct im_state *s, gclab_obj *owner, gclab_obj *v)
{
    if (im_is_marked(s, owner) && im_is_white(s, v))
        im_shade(s, v);
}

static void im_barrier_post(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old,
                            gclab_obj *v)
{
    struct im_state *s = core_es(h);
    (void)field;
    (void)old;   /* deletions (v NULL) need nothing: incremental update */
    if (im_keep_invariant(s) && owner && v && !GCLAB_MUTANT(im_mut_no_barrier))
        im_barrier_slow(s, owner, v);
}

/* ================================================================
 * Queues through gc_prev
 * ================================================================ */

static void im_queue_append(struct im_queue *q, gclab_obj *o)
{
    o->gc_prev = NULL;
    if (q->tail)
        q->tail->gc_prev = o;
    else
        q->head = o;
    q->tail = o;
}

/* Move the objects of q for which keep() is false to `out` (if not NULL),
 * keeping both in order. */
static void im_queue_split(struct im_state *s, struct im_queue *q, bool (*keep)(const struct im_state *, const gclab_obj *),
                           struct im_queue *out)
{
    gclab_obj *o = q->head;
    q->head = q->tail = NULL;
    while (o) {
        gclab_obj *next = o->gc_prev;
        if (keep(s, o))
            im_queue_append(q, o);
        else if (out)
            im_queue_append(out, o);
        o = next;
    }
}

/* ================================================================
 * Cycle start
 * ================================================================ */

static void im_start_cycle(gclab_heap *h, struct im_state *s)
{
    GCLAB_ASSERT(!im_has_grey(s) && !s->overflowed);
    s->epoch = (uint8_t)(s->epoch % 3 + 1);
    s->marked_bytes = s->marked_objects = 0;
    s->found = 0;
    s->phase = IM_PHASE_PROPAGATE;
    gclab_trace_roots(h, im_mark_field, s);
}

/* ================================================================
 * The atomic step: roots, weakrefs, finalizers
 * ================================================================ */

static bool im_marked_pred(const struct im_state *s, const gclab_obj *o) { return im_is_marked(s, o); }

/* Clear the weakrefs to a white object; a marked weakref keeps its callback
 * for the atomic step to call, an unmarked one loses it (CPython's
 * handle_weakrefs): sidelists.c's step, asked with this engine's epochs. */
static bool im_marked_ctx(const void *s, const gclab_obj *w) { return im_is_marked(s, w); }

static void im_clear_dead_weakrefs(gclab_heap *h, struct im_state *s)
{
    for (gclab_obj *w = s->weakrefs.head; w; w = w->gc_prev) {
        gclab_obj *t = AS(obj_weakref, w)->target;
        if (t && im_is_white(s, t))
            side_clear_weakrefs_to(h, t, im_marked_ctx, s, &s->callbacks, true, "incms");
    }
}

/* Mark from every object to finalize: they and what they reach survive this
 * cycle. Returns how many objects that marks: garbage found by this cycle
 * that the sweep will not free. */
static int64_t im_mark_tofnz(struct im_state *s)
{
    uint64_t before = s->marked_objects;
    for (gclab_obj *o = s->tofnz.head; o; o = o->gc_prev) {
        if (im_is_white(s, o))
            im_shade(s, o);
        im_finish_marking(s);
    }
    return (int64_t)(s->marked_objects - before);
}


static void im_set_trigger(gclab_heap *h, struct im_state *s)
{
    uint64_t m = s->marked_bytes;
    double g = (double)m * s->heap_factor;
    uint64_t goal = g > (double)s->min_heap ? (uint64_t)g : s->min_heap;
    /* Under a heap limit, aim at 7/8 of it: storage growth never steps or
     * collects, so it needs headroom (marksweep's rule). */
    if (core_heap_limit(h) && goal > core_heap_limit(h) - core_heap_limit(h) / 8)
        goal = core_heap_limit(h) - core_heap_limit(h) / 8;
    uint64_t lead = (uint64_t)((double)m / s->step_mul);
    s->trigger = goal > lead ? goal - lead : 0;
    /* The sweep empties arenas the mutator refills up to the goal: keep them. */
    alloc_set_retain(core_allocator(h), (size_t)(goal / ALLOC_ARENA_SIZE) + 1);
}

/* Marking ends: everything reachable is black, everything white is garbage. */
static void im_atomic(gclab_heap *h, struct im_state *s)
{
    /* The roots were grey all along (stores into them are not barriered). */
    if (!GCLAB_MUTANT(im_mut_no_rescan))
        gclab_trace_roots(h, im_mark_field, s);
    im_finish_marking(s);
    /* White instances with a pending __del__ leave finobj for tofnz (I4). */
    im_queue_split(s, &s->finobj, im_marked_pred, &s->tofnz);
    im_clear_dead_weakrefs(h, s);
    /* The sweep counts the garbage it frees; what only a finalizable object
     * reaches is garbage too, found now and kept one more cycle. */
    s->found = GCLAB_MUTANT(im_mut_free_resurrected) ? 0 : im_mark_tofnz(s);
    /* Weakrefs still white are swept: forget them. */
    im_queue_split(s, &s->weakrefs, im_marked_pred, NULL);
    /* From here on every white object is unreachable from anything the
     * mutator can see: the sweep may run beside it. */
    s->phase = IM_PHASE_SWEEP;
    s->sweep_link = &s->head;
    s->sweep_prev = NULL;
    im_set_trigger(h, s);
    /* Mutator code: new objects take the current epoch (they survive). No
     * step can run meanwhile (I3), so the vector and the queue stay valid. */
    side_run_callbacks(h, &s->callbacks);
    gclab_obj *o = s->tofnz.head;
    s->tofnz.head = s->tofnz.tail = NULL;
    while (o) {
        gclab_obj *next = o->gc_prev;
        o->gc_prev = NULL;
        GCLAB_ASSERT(!(o->gcflags & IM_FINALIZED));   /* I5 */
        o->gcflags |= IM_FINALIZED;
        core_run_finalizer(h, o);
        o = next;
    }
}

/* ================================================================
 * Sweep
 * ================================================================ */

/* Visit up to sweep_chunk objects: free the white ones (I2). */
static void im_sweep_step(gclab_heap *h, struct im_state *s)
{
    gclab_obj *o;
    for (size_t i = 0; i < s->sweep_chunk && (o = *s->sweep_link) != NULL; i++) {
        s->work += o->size;
        if (im_is_marked(s, o)) {
            s->sweep_prev = o;
            s->sweep_link = &o->gc_next;
            continue;
        }
        /* I4: an instance with a pending __del__ is in finobj, hence marked */
        GCLAB_ASSERT(!obj_has_del(o) || (o->gcflags & IM_FINALIZED));
        *s->sweep_link = o->gc_next;
        if (o == s->tail)
            s->tail = s->sweep_prev;
        core_free_storage(h, o);
        core_obj_dead(h, o);
        core_free_object_memory(h, o);
        s->nobjects--;
        s->found++;
    }
    if (!*s->sweep_link) {
        s->phase = IM_PHASE_PAUSE;
        s->cycles++;
    }
}

/* ================================================================
 * Steps: the dispatcher, the increment, the whole collection
 * ================================================================ */

/* One unit of work of the current phase (Lua's singlestep). */
static void im_single_step(gclab_heap *h, struct im_state *s)
{
    switch (s->phase) {
    case IM_PHASE_PAUSE:
        im_start_cycle(h, s);
        break;
    case IM_PHASE_PROPAGATE:
        if (im_has_grey(s))
            im_propagate_one(s);
        else if (s->overflowed)
            im_rescan(s);
        else
            s->phase = IM_PHASE_ATOMIC;
        break;
    case IM_PHASE_ATOMIC:
        im_atomic(h, s);
        break;
    case IM_PHASE_SWEEP:
        im_sweep_step(h, s);
        break;
    }
}

/* One increment, one pause: single steps until `budget` bytes of work are
 * done or the cycle ends (at least one single step). */
static void im_step(gclab_heap *h, struct im_state *s, uint64_t budget)
{
    GCLAB_ASSERT(!core_collecting(h));   /* I3 */
    core_event_step_start(h, 0, s->phase == IM_PHASE_PAUSE);
    s->work = 0;
    s->steps++;
    enum im_phase from = s->phase; uint64_t t0 = gclab_now_ns(); int nss = 0;
    do
        im_single_step(h, s), nss++;
    while (s->phase != IM_PHASE_PAUSE && s->work < budget);
    uint64_t dt = gclab_now_ns() - t0;
    if (dt > 3000000 && getenv("IMDBG"))
        fprintf(stderr, "step %s->%s %.1f ms work %llu budget %llu single %d\n", im_phase_names[from], im_phase_names[s->phase], dt / 1e6, (unsigned long long)s->work, (unsigned long long)budget, nss);
    bool ends = s->phase == IM_PHASE_PAUSE;
    core_event_step_end(h, 0, ends, ends ? s->found : 0, 0);   /* verify=L: im_verify(h, L) */
}

/* gc.collect(), zeal, the heap limit: end the cycle in progress and run a
 * whole one, so that exactly the unreachable objects are found. */
static int64_t im_collect(gclab_heap *h, int gen)
{
    struct im_state *s = core_es(h);
    (void)gen;
    if (core_collecting(h))
        return 0;                          /* I3: a finalizer called gc.collect() */
    /* A sweep in progress belongs to a finished marking: complete it. */
    if (im_in_sweep(s))
        im_step(h, s, UINT64_MAX);
    /* Marking in progress may have blackened what has died since: start it
     * again, in the same cycle, with a fresh epoch. */
    bool restart = im_keep_invariant(s);
    if (restart) {
        s->sp = 0;
        s->partial = NULL;
        s->overflowed = false;
        s->phase = IM_PHASE_PAUSE;
    }
    core_event_step_start(h, 0, !restart);
    s->work = 0;
    s->steps++;
    do
        im_single_step(h, s);
    while (s->phase != IM_PHASE_PAUSE);
    int64_t found = s->found;
    core_event_step_end(h, 0, true, found, 0);
    s->paid = core_alloc_bytes(h);
    return found;
}

/* ================================================================
 * Allocation: the trigger and the pacing
 * ================================================================ */

static gclab_obj *im_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct im_state *s = core_es(h);
    (void)kind;
    if (!core_collecting(h)) {
        if (!core_within_limit(h, bytes)) {
            im_collect(h, 0);              /* a last resort, even under gc.disable() */
        } else if (core_gc_enabled(h)) {
            uint64_t debt = core_alloc_bytes(h) - s->paid;
            if (s->phase == IM_PHASE_PAUSE) {
                if (core_live_bytes(h) + bytes > s->trigger) {
                    s->paid = core_alloc_bytes(h);
                    im_step(h, s, (uint64_t)((double)s->step_size * s->step_mul));
                }
            } else if (debt >= s->step_size) {
                s->paid = core_alloc_bytes(h);
                im_step(h, s, (uint64_t)((double)debt * s->step_mul));
            }
        }
    }
    gclab_obj *o = core_alloc_object(h, bytes);
    if (!o)
        return NULL;                       /* past the heap limit even after collecting */
    /* White while marking (it dies with this cycle if dropped); marked while
     * sweeping (the sweep must not free it); white otherwise. */
    if (im_in_sweep(s) && !GCLAB_MUTANT(im_mut_sweep_new))
        im_set_epoch(o, s->epoch);
    if (s->tail)
        s->tail->gc_next = o;
    else
        s->head = o;
    s->tail = o;
    s->nobjects++;
    return o;
}

/* The object is built: queue instances with __del__ and weakrefs. */
static void im_track(gclab_heap *h, gclab_obj *o)
{
    struct im_state *s = core_es(h);
    if (obj_has_del(o))
        im_queue_append(&s->finobj, o);
    else if (o->kind == GCLAB_K_WEAKREF)
        im_queue_append(&s->weakrefs, o);
}

/* ================================================================
 * Lifecycle and introspection
 * ================================================================ */

static gclab_status im_init(gclab_heap *h)
{
    struct im_state *s = calloc(1, sizeof *s);
    bool ok[6];
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    core_set_es(h, s);
    s->heap_factor = heap_param_double(h, "heap_factor", &ok[0]);
    s->min_heap = (uint64_t)heap_param_double(h, "min_heap", &ok[1]);
    s->max = (size_t)heap_param_double(h, "mark_stack_max", &ok[2]);
    s->step_size = (uint64_t)heap_param_double(h, "step_size", &ok[3]);
    s->step_mul = heap_param_double(h, "step_mul", &ok[4]);
    double stress = heap_param_double(h, "stress", &ok[5]);
    s->epoch = 1;
    s->sweep_chunk = IM_SWEEP_CHUNK;
    s->list_chunk = IM_LIST_CHUNK;
    if (stress > 0) {
        /* Fuzzing: cycles back to back, one small step per allocation, so
         * the mutator runs between any two steps of every phase. */
        s->min_heap = 0;
        s->step_size = 1;
        s->step_mul = 1e-9;
        s->sweep_chunk = 32;
        s->list_chunk = 4;
    }
    gclab_status st = GCLAB_OK;
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3] || !ok[4] || !ok[5])
        st = heap_error(h, GCLAB_EVALUE, "bad parameter value");
    else if (s->heap_factor < 1.0)
        st = heap_error(h, GCLAB_EVALUE, "heap_factor must be at least 1 (got %g)", s->heap_factor);
    else if (s->max == 1)
        st = heap_error(h, GCLAB_EVALUE, "mark_stack_max must be 0 (unbounded) or at least 2");
    else if (s->step_mul <= 0)
        st = heap_error(h, GCLAB_EVALUE, "step_mul must be positive");
    else if (s->step_size < 1)
        st = heap_error(h, GCLAB_EVALUE, "step_size must be at least 1 byte");
    if (st != GCLAB_OK) {
        free(s);              /* core calls no fini after a failed init */
        core_set_es(h, NULL);
        return st;
    }
    s->trigger = s->min_heap;
    return GCLAB_OK;
}

static void im_fini(gclab_heap *h)
{
    struct im_state *s = core_es(h);
    if (!s)
        return;
    /* Core's allocator releases every object's memory at once. */
    free(s->grey);
    free(s->callbacks.v);
    free(s);
    core_set_es(h, NULL);
}

static void im_foreach_tracked(gclab_heap *h, int gen, void (*fn)(gclab_obj *, void *), void *ctx)
{
    struct im_state *s = core_es(h);
    if (gen > 0)
        return;
    /* New objects go at the tail, after the current end, where we stop.
     * While sweeping, white objects are garbage the mutator must not see. */
    gclab_obj *end = s->tail;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        if (obj_kind_is_container(o->kind) && !(im_in_sweep(s) && !im_is_marked(s, o)))
            fn(o, ctx);
        if (o == end)
            break;
    }
}

/* ---- verify: I1, I6 and edges, checked edge by edge ---- */

#define IM_V_LISTED 1
#define IM_V_GREY   2

struct im_vctx { struct im_state *s; gclab_obj *from; int bad; bool black; };

static void im_verify_edge(gclab_obj **field, void *ctx)
{
    struct im_vctx *c = ctx;
    gclab_obj *o = *field;
    if (!o || obj_is_immortal(o))
        return;
    const char *what = NULL;
    if (!(o->gc_refs & IM_V_LISTED))
        what = "an object not in the heap list (freed?)";
    else if (c->black && im_is_white(c->s, o))
        what = "a white object from a black one (I1)";
    else if (im_in_sweep(c->s) && im_is_white(c->s, o))
        what = "a white object while sweeping (I2)";
    if (what) {
        fprintf(stderr, "incms verify (%s): %p kind %d gcflags %#x -> %p kind %d gcflags %#x: %s\n",
                im_phase_names[c->s->phase], (void *)c->from, c->from->kind, c->from->gcflags,
                (void *)o, o->kind, o->gcflags, what);
        c->bad++;
    }
}

/* Level 1 (the heap list walked, no edge traced): the heap list has core's
 * live object count (I6), no immortal in it. Level 2, every edge too: no live
 * object points to a freed one; while marking, no black object points to a
 * white one (I1, unless the grey stack overflowed: then every marked object
 * may be grey); while sweeping, no marked object points to a white one. */
static int im_verify(gclab_heap *h, int level)
{
    struct im_state *s = core_es(h);
    struct im_vctx c = { s, NULL, 0, false };
    uint64_t n = 0;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        if (obj_is_immortal(o)) {
            fprintf(stderr, "incms verify: immortal object %p in the heap list\n", (void *)o);
            return -1;
        }
        if (level >= 2)
            o->gc_refs = IM_V_LISTED;
        n++;
    }
    if (level < 2)
        goto counts;
    for (size_t i = 0; i < s->sp; i++)
        s->grey[i]->gc_refs |= IM_V_GREY;
    if (s->partial)
        s->partial->gc_refs |= IM_V_GREY;
    for (gclab_obj *o = s->head; o; o = o->gc_next) {
        bool live = !(im_in_sweep(s) && im_is_white(s, o));
        if (!live)
            continue;                      /* garbage awaiting the sweep */
        c.from = o;
        c.black = im_keep_invariant(s) && im_is_marked(s, o) && !(o->gc_refs & IM_V_GREY) &&
                  !s->overflowed;
        gclab_trace_object(o, im_verify_edge, &c);
    }
    for (gclab_obj *o = s->head; o; o = o->gc_next)
        o->gc_refs = 0;
counts:
    if (n != s->nobjects || n != core_live_objects(h)) {
        fprintf(stderr, "incms verify: %llu listed, %llu counted, %llu live\n",
                (unsigned long long)n, (unsigned long long)s->nobjects,
                (unsigned long long)core_live_objects(h));
        return -1;                         /* I6 */
    }
    return c.bad ? -1 : 0;
}

/* ---- test access (tests/test_incms.c; Lua's T.gcstate) ---- */

const char *incms_phase_name(gclab_heap *h)
{
    struct im_state *s = core_es(h);
    return im_phase_names[s->phase];
}

/* "white", "grey" or "black" (immortal objects are black). */
const char *incms_colour(gclab_heap *h, gclab_obj *o)
{
    struct im_state *s = core_es(h);
    if (im_is_white(s, o))
        return "white";
    if (o == s->partial)
        return "grey";
    for (size_t i = 0; i < s->sp; i++)
        if (s->grey[i] == o)
            return "grey";
    return "black";
}

/* n single steps (fewer if the cycle ends), as one step (one pause); returns how many ran. */
int incms_single_steps(gclab_heap *h, int n)
{
    struct im_state *s = core_es(h);
    if (core_collecting(h) || n <= 0)
        return 0;
    bool starts = s->phase == IM_PHASE_PAUSE;
    core_event_step_start(h, 0, starts);
    int k = 0;
    do
        im_single_step(h, s), k++;
    while (k < n && s->phase != IM_PHASE_PAUSE);
    bool ends = s->phase == IM_PHASE_PAUSE;
    core_event_step_end(h, 0, ends, ends ? s->found : 0, 0);   /* verify=L: im_verify(h, L) */
    return k;
}

/* Single steps until the collector enters the named phase; false if the
 * name is unknown or a whole cycle passes without entering it. */
bool incms_run_until(gclab_heap *h, const char *phase)
{
    struct im_state *s = core_es(h);
    int target = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(im_phase_names[i], phase) == 0)
            target = i;
    if (target < 0)
        return false;
    bool left_pause = s->phase != IM_PHASE_PAUSE;
    while ((int)s->phase != target) {
        if (incms_single_steps(h, 1) != 1)
            return false;
        if (s->phase == IM_PHASE_PAUSE && left_pause && target != IM_PHASE_PAUSE)
            return false;
        left_pause = true;
    }
    return true;
}

static const struct gclab_param_spec im_params[] = {
    GCLAB_PREAL("heap_factor", "2.0", 1, 1e6, "heap goal: marking should end when live bytes reach this times the marked bytes"),
    GCLAB_PINT("min_heap", "4194304", 0, 1e15, "the heap goal is never below this many bytes"),
    GCLAB_PREAL("step_mul", "4", 1e-9, 1e9, "work quantum: bytes marked or swept per byte allocated during a cycle"),
    GCLAB_PINT("step_size", "65536", 1, 1e15, "bytes allocated between two steps of a cycle"),
    GCLAB_PINT("mark_stack_max", "1048576", 0, 1e12, "grey stack entries before overflow rescans (0: unbounded; never 1)"),
    GCLAB_PINT("stress", "0", 0, 1e9, "nonzero: cycles back to back, one small step per allocation (for fuzzing)"),
    GCLAB_PEND,
};

const struct gclab_engine gclab_engine_incms = {
    .name = "incms",
    .summary = "incremental tri-colour mark-sweep: Dijkstra barrier, paced steps, lazy sweep",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 1, .incremental = true, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .header_words = 4 /* gc_next, gc_prev */ },
    .params = im_params,
    .init = im_init,
    .fini = im_fini,
    .alloc = im_alloc,
    .track = im_track,
    .barrier_post = im_barrier_post,
    .collect = im_collect,
    .foreach_tracked = im_foreach_tracked,
    .verify = im_verify,
    .mutants = im_mutants,
};
