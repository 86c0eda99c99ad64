/* sidelists.h — the side vectors of tracing engines (struct obj_vec, used by
 * marksweep, genms and incms), and the weakref and finalizer steps of one that
 * marks with the allocator's mark bits (marksweep, genms): after marking,
 * the engine's side vectors of every live weakref and of every unfinalized
 * instance with __del__ (struct obj_vec, in allocation order) are read
 * against the marks. A collection that looks at only part of them (genms'
 * nursery collections: the young suffix) passes the index it starts from.
 * In the engine's order:
 *   side_clear_dead_weakrefs   each weakref whose target is unmarked is
 *                              cleared; a marked weakref with a callback
 *                              queues the pair (weakref, callback) on
 *                              `callbacks` (both survive the sweep: they
 *                              were marked with the weakref); an unmarked
 *                              one loses it, as in CPython's handle_weakrefs
 *   side_pick_finalizable      the unmarked instances leave fnz for tofnz
 *                              (the engine then marks from tofnz)
 *   side_unlink_dead_weakrefs  weakrefs still unmarked die: unlinked from
 *                              their target's list (before the sweep frees
 *                              them) and dropped from the vector
 *   side_run_callbacks         after the sweep: each queued callback called
 *                              with its weakref (no collection runs meanwhile)
 * `who` names the engine in out-of-memory messages; no_clear is the
 * engine's own mutant (weakrefs to the dead stay set) or NULL. */
#ifndef GCLAB_SIDELISTS_H
#define GCLAB_SIDELISTS_H

#include "engine.h"

/* A growable vector of object pointers. */
struct obj_vec { gclab_obj **v; size_t n, cap; };
/* Append o (doubling from 64); false, v unchanged, when out of memory. Out of
 * line: pushes are off the hot paths (a barrier's slow path, tracking an
 * instance with __del__), whose callers stay small. */
bool obj_vec_push(struct obj_vec *v, gclab_obj *o);

/* The weakrefs to o, one dead target: each with a callback that `marked` (asked with
 * ctx) says survives queues (weakref, callback) on `callbacks`; then, if clear, all
 * of them are cleared. Shared with incms, whose marks are epochs, not bits. */
void side_clear_weakrefs_to(gclab_heap *h, gclab_obj *o, bool (*marked)(const void *ctx, const gclab_obj *w),
                            const void *ctx, struct obj_vec *callbacks, bool clear, const char *who);
void side_clear_dead_weakrefs(gclab_heap *h, const struct alloc_marker *mk, const struct obj_vec *weakrefs,
                              size_t from, struct obj_vec *callbacks, const struct gclab_mutant *no_clear,
                              const char *who);
void side_pick_finalizable(const struct alloc_marker *mk, struct obj_vec *fnz, size_t from,
                           struct obj_vec *tofnz, const char *who);
void side_unlink_dead_weakrefs(const struct alloc_marker *mk, struct obj_vec *weakrefs, size_t from);
void side_run_callbacks(gclab_heap *h, struct obj_vec *callbacks);

#endif
