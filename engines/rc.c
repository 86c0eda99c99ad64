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
 *   references are released (a tuple's and a list's last-first, the other
 *   kinds' first-first, as CPython's deallocs), then its memory. All of it
 *   is core/refcount.c's layer; this engine is that layer with no lists.
 *
 * The worklist, not the C stack
 *   Freeing an object releases its children, which may free them, and so on
 *   down a 10-million-node list. Recursing would overflow the C stack, so
 *   the layer pushes the dying object on an intrusive stack (through the
 *   header's gc_next word, which nothing else uses on this engine) and only
 *   the outermost release drains it. A child that reaches zero is pushed,
 *   not freed, so depth costs no stack at all. Popping LIFO frees
 *   depth-first, which is the order CPython's nested deallocs take (minus
 *   its trashcan).
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
 *   RC2 only the outermost rc_release drains, so at most one drain runs
 *       (both checked in core/refcount.c);
 *   RC3 __del__ runs at most once per object (RC_FINALIZED is never cleared).
 */
#include "refcount.h"

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

/* The engine is the refcount layer alone: no lists, core's allocator. */
static const struct rc_ops rc_ops = {
    .finalized = RC_FINALIZED,
    .skip_decref = &rc_mut_skip_decref,
    .no_clear_wr = &rc_mut_no_clear_wr,
    .fin_twice = &rc_mut_fin_twice,
    .free_resurrected = &rc_mut_free_resurrected,
};

static gclab_status rc_init(gclab_heap *h)
{
    struct rc_layer *l = malloc(sizeof *l);
    if (!l)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    rc_layer_init(l, &rc_ops);
    core_set_es(h, l);
    return GCLAB_OK;
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

static void rc_engine_release(gclab_heap *h, gclab_obj *o)
{
    rc_release(h, core_es(h), o);
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
    .release = rc_engine_release,
};
