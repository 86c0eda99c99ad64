/* rc.c — pure reference counting, CPython's first line of memory management
 * without its cycle collector.
 *
 * What it promises
 *   Every stored reference (slot, field, container item, call frame) counts
 *   one in obj->refcnt; core's store() increments the new value and
 *   decrements the old one. An object whose count reaches zero is freed at
 *   once, in the order CPython frees it: __del__ first (once: PEP 442's
 *   FINALIZED flag; an object resurrected by its __del__ is left alive),
 *   then its weakrefs are cleared and their callbacks called, then its
 *   references are released, then its memory.
 *   DIFFERS: a dict's or an instance's items are released last-first here
 *   and first-first in CPython, so the __del__ order of siblings can differ.
 *
 * The worklist, not the C stack
 *   Freeing an object releases its children, which may free them, and so on
 *   down a 10-million-node list. Recursing would overflow the C stack, so
 *   rc_release pushes the dying object on an intrusive stack (through the
 *   header's gc_next word, which nothing else uses on this engine) and only
 *   the outermost call drains it. A child that reaches zero is pushed, not
 *   freed, so depth costs no stack at all. Popping LIFO frees depth-first,
 *   which is the order CPython's nested deallocs take (minus its trashcan).
 *
 * Header words on this engine
 *   refcnt   strong references; immortals start at 2^60 and never reach 0
 *   gc_next  next object on the pending-free stack while refcnt == 0
 *   gcflags  RC_FINALIZED once __del__ has run
 *
 * What "leaked" means here
 *   Objects only reachable from cycles never reach zero: after the roots are
 *   dropped, live_objects counts exactly the cycles and what hangs off them.
 *   gc.collect() finds nothing (0) and pauses are never logged: the time
 *   spent freeing is mutator time, as it is in CPython.
 *
 * Invariants
 *   RC1 an object on the pending stack has refcnt 0 and is unreachable;
 *   RC2 only the outermost rc_release drains, so at most one drain runs;
 *   RC3 __del__ runs at most once per object (RC_FINALIZED is never cleared).
 */
#include "engine.h"

#define RC_FINALIZED 0x01

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant rc_mut_skip_decref = {
    "skip-decref", "a dying object does not release its list children" };
static const struct gclab_mutant rc_mut_no_clear_wr = {
    "no-clear-wr", "a freed object's weakrefs are not cleared" };
static const struct gclab_mutant rc_mut_fin_twice = {
    "fin-twice", "__del__ runs twice" };
static const struct gclab_mutant rc_mut_free_resurrected = {
    "free-resurrected", "an object its __del__ stored somewhere is freed anyway" };

struct rc_state {
    gclab_obj *pending;    /* objects at zero, waiting to be freed (RC1) */
    bool draining;         /* RC2 */
};

static gclab_status rc_init(gclab_heap *h)
{
    core_set_es(h, calloc(1, sizeof(struct rc_state)));
    return core_es(h) ? GCLAB_OK : heap_error(h, GCLAB_EMEMORY, "out of memory");
}

static void rc_fini(gclab_heap *h)
{
    free(core_es(h));
    core_set_es(h, NULL);
}

static gclab_obj *rc_alloc(gclab_heap *h, size_t bytes, int kind)
{
    (void)kind;
    return core_alloc_object(h, bytes);
}

static void rc_push(struct rc_state *s, gclab_obj *o)
{
    o->gc_next = s->pending;
    s->pending = o;
}

/* Release one reference held by a dying object's field. */
static void rc_release_field(gclab_obj **field, void *ctx)
{
    gclab_obj *child = *field;
    *field = NULL;
    if (GCLAB_MUTANT(rc_mut_skip_decref) && child->kind == GCLAB_K_LIST)
        return;
    if (--child->refcnt == 0)
        rc_push(ctx, child);
}

/* Free one object whose count is zero (CPython: subtype_dealloc's order). */
static void rc_dealloc(gclab_heap *h, struct rc_state *s, gclab_obj *o)
{
    if (obj_has_del(o) && !(o->gcflags & RC_FINALIZED)) {
        o->gcflags |= RC_FINALIZED;    /* RC3 */
        o->refcnt = 1;                 /* alive while __del__ runs */
        core_run_finalizer(h, o);
        if (GCLAB_MUTANT(rc_mut_fin_twice))
            core_run_finalizer(h, o);
        if (--o->refcnt > 0 && !GCLAB_MUTANT(rc_mut_free_resurrected))
            return;                    /* resurrected: someone stored it */
    }
    if (!GCLAB_MUTANT(rc_mut_no_clear_wr))
        core_clear_weakrefs(h, o, true);
    gclab_obj *mark = s->pending;
    gclab_trace_object(o, rc_release_field, s);
    if (o->kind == GCLAB_K_TUPLE || o->kind == GCLAB_K_LIST)
        ;   /* CPython releases these last-first: LIFO already does */
    else
        obj_stack_reverse_since(&s->pending, mark);
    core_free_storage(h, o);
    core_obj_dead(h, o);
    core_free_object_memory(h, o);
}

static void rc_release(gclab_heap *h, gclab_obj *o)
{
    struct rc_state *s = core_es(h);
    GCLAB_ASSERT(o->refcnt == 0 && !obj_is_immortal(o));   /* RC1 */
    rc_push(s, o);
    if (s->draining)
        return;                        /* RC2: the outer drain frees it */
    s->draining = true;
    while ((o = s->pending) != NULL) {
        s->pending = o->gc_next;
        o->gc_next = NULL;
        rc_dealloc(h, s, o);
    }
    s->draining = false;
}

static const struct gclab_param_spec rc_params[] = { GCLAB_PEND };

static const struct gclab_mutant *const rc_mutants[] = {
    &rc_mut_skip_decref, &rc_mut_no_clear_wr, &rc_mut_fin_twice, &rc_mut_free_resurrected,
    &alloc_mut_size_class, NULL };

const struct gclab_engine gclab_engine_rc = {
    .name = "rc",
    .summary = "pure reference counting: frees at zero without C recursion; leaks cycles",
    .caps = { .refcounts = true, .collects_cycles = false, .finalizers = true,
              .precise = true, .generations = 1, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .header_words = 4 /* refcnt, gc_next */ },
    .params = rc_params,
    .mutants = rc_mutants,
    .init = rc_init,
    .fini = rc_fini,
    .alloc = rc_alloc,
    .release = rc_release,
};
