/* cycles.h — CPython's way of finding cyclic garbage on a gc list
 * (Modules/gcmodule.c of 3.11, Python/gc.c of 3.14: deduce_unreachable and
 * handle_resurrected_objects), for the engines that model those collectors
 * (rcgen, rcinc). Which lists are collected, when, and what happens to the
 * survivors is each engine's policy and stays in its file; this layer only
 * splits one list into the reachable and the unreachable.
 *
 * An engine that composes it reserves two gcflags bits, CYC_COLLECTING and
 * CYC_UNREACHABLE, clear on every object outside a collection; every object
 * on a list it passes has a count above zero (no dying object is tracked).
 *
 *   cyc_deduce_unreachable  update_refs (gc_refs = refcnt, COLLECTING set),
 *                           subtract_refs (minus references from inside the
 *                           list), move_unreachable (what is reachable from
 *                           outside stays on base, COLLECTING cleared; the
 *                           rest moves to `unreachable`, COLLECTING and
 *                           UNREACHABLE set). Returns the list's size before.
 *   cyc_clear_unreachable   clear UNREACHABLE on a list (CPython does it in
 *                           move_legacy_finalizers).
 *   cyc_handle_resurrected  after finalizers: deduce again on the garbage;
 *                           what is still unreachable goes to `still` (only
 *                           COLLECTING set), the resurrected to `to`.
 *
 * Mutant points, as in refcount.h: the engine's own declared mutant, or NULL.
 */
#ifndef GCLAB_CYCLES_H
#define GCLAB_CYCLES_H

#include "gclist.h"

#define CYC_COLLECTING  0x02   /* gcflags: in the list being collected, not yet proven reachable */
#define CYC_UNREACHABLE 0x04   /* gcflags: in move_unreachable's output */

/* skip_dict_mark: move_unreachable does not follow a dict's entries. */
int64_t cyc_deduce_unreachable(gclab_obj *base, gclab_obj *unreachable,
                               const struct gclab_mutant *skip_dict_mark);
void cyc_clear_unreachable(gclab_obj *l);
/* skip_dict_mark as above; keep_nothing: every object of the garbage stays
 * garbage, resurrected or not. */
void cyc_handle_resurrected(gclab_obj *unreachable, gclab_obj *still, gclab_obj *to,
                            const struct gclab_mutant *skip_dict_mark,
                            const struct gclab_mutant *keep_nothing);

#endif
