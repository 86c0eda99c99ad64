/* rcbr.c — reference counting plus Bacon and Rajan's synchronous cycle
 * collection ("Concurrent Cycle Collection in Reference Counted Systems",
 * ECOOP 2001, section 2: the synchronous algorithm, trial deletion).
 *
 * What it promises
 *   The refcount side is rc.c's, core/refcount.c's layer: an object is freed
 *   when its count reaches zero, __del__ first (once: PEP 442's FINALIZED),
 *   then its weakrefs are cleared and their callbacks called, then its
 *   references released, with no C recursion (the layer's pending stack).
 *   The layer calls this engine's unlink (take a dying object off the roots
 *   buffer or a collection list) and on_decref_live (PossibleRoot) for a
 *   dying object's children left above zero and after a __del__ that
 *   resurrected. Cycles are found by trial deletion
 *   from the possible roots only: objects whose count was lowered to a value
 *   above zero since they were last examined. Weakrefs, finalizers and
 *   resurrection follow rcgen.c's rules (CPython's gc_collect_main): weakrefs
 *   to trash are cleared before any finalizer runs and a callback runs only
 *   when its weakref is not trash itself (bpo-38006); every __del__ of the
 *   trash runs once; then the trash is checked again, and what a __del__
 *   resurrected (and everything it reaches) survives; the rest is cleared
 *   and freed by its counts.
 *   DIFFERS from the paper: the trial counts live in the scratch word
 *   gc_refs, not in refcnt, so the true counts are never disturbed
 *   (finalizers and callbacks run with them, and ScanBlack need not restore
 *   them); white objects are not freed one by one by CollectWhite but
 *   gathered into a garbage list, which the CPython phases above take over.
 *   DIFFERS from rcgen: one "generation", no free lists, no dict
 *   untracking (tuples of green objects are green); gc.collect() returns the objects freed (or saved) as trash,
 *   not counting weakrefs a callback freed; gc.freeze() is not supported
 *   (GCLAB_EUNSUPPORTED, facts.freeze = 0).
 *
 * Colours (the paper's, in gcflags & BR_COLOUR)
 *   black   in use, or not examined: every object outside a collection is
 *           black or purple
 *   purple  a possible root: lowered to a count above zero (Decrement), in
 *           the roots buffer (BR1)
 *   gray    during MarkGray..Scan: possibly garbage, trial count in gc_refs
 *   white   after Scan: garbage (trial count 0 and reachable from no black
 *           object); in the garbage list from CollectWhite on
 *   green   the paper's acyclic objects, which can never be in a cycle: never
 *           buffered, never traced into. Here: what holds no references
 *           (ints, strs, blobs, funcs), immortals, and tuples built from
 *           green objects only (BR_GREEN, set once at track: tuples are
 *           immutable). A green object reachable from trash is freed by its
 *           count when the trash is cleared.
 *
 * Header words on this engine
 *   word     between collections          MarkRoots..Scan              CollectWhite on
 *   gc_next/ roots buffer, doubly linked  gc_next: MarkGray and Scan's  garbage / callback /
 *   gc_prev  (BUFFERED); NULL otherwise;  work stack; gc_prev: the      survivor lists, doubly
 *            gc_next: pending-free stack  roots, singly linked          linked (LISTED)
 *            link once refcnt is 0
 *   gc_refs  unused                       gray/white: the trial count; unused
 *                                         black: ScanBlack's stack link
 *   gcflags  colour, BUFFERED, LISTED (in a collection list), FINALIZED, GREEN
 *
 * The trigger
 *   An allocation collects first when the roots buffer holds buffer_max or
 *   more possible roots (-p buffer_max, gc.set_threshold(n); 0 never), gc is
 *   enabled and no collection runs. gc.collect() collects at once. Never
 *   elsewhere: a decrement may happen where no mutator code can run.
 *   gc.get_count() is the number of buffered roots.
 *
 * Phases, in br_collect_main (read it first)
 *   br_mark_roots      MarkRoots: purple roots MarkGray'ed, others unbuffered
 *   br_scan_roots      Scan: gray with trial count > 0 -> ScanBlack, else white
 *   br_collect_roots   CollectRoots/CollectWhite: whites to the garbage list
 *   br_handle_weakrefs clear weakrefs to trash, call the reachable ones' callbacks
 *   br_finalize        __del__ once each
 *   br_recheck         trial deletion again, on the garbage list alone
 *   br_delete_garbage  clear (or gc.garbage with DEBUG_SAVEALL), free by refcount
 *                      (the layer's rc_release_refs: fields released as on the
 *                      free path, then what reached zero freed)
 *   Everything before br_handle_weakrefs runs no mutator code and changes no
 *   count; everything after may run any code, free anything, buffer anything.
 *
 * Invariants
 *   BR1 an object is purple only while BUFFERED; BUFFERED objects are in the
 *       roots buffer and nbuffered counts them (br_verify);
 *   BR2 no object in the buffer or a collection list has refcount 0: release
 *       unlinks an object before it queues it (a dying object is never seen
 *       by a collection);
 *   BR3 no count changes while trial counts are live (MarkRoots..
 *       CollectRoots: s->tracing), and every object those phases reach has
 *       a count above zero;
 *   BR4 a trial count never goes below zero (else a refcount was too small);
 *   BR5 an object whose count was lowered while LISTED (withheld from the
 *       buffer, whose links it shares) is buffered when it leaves the list
 *       alive, so no garbage cycle is ever forgotten;
 *   BR6 FINALIZED is set at most once and never cleared: __del__ runs once;
 *   BR7 after CollectRoots every white object is in the garbage list and no
 *       object is gray.
 */
#include <string.h>

#include "refcount.h"

#define BR_COLOUR    0x03
#define BR_BLACK     0x00
#define BR_GRAY      0x01
#define BR_WHITE     0x02
#define BR_PURPLE    0x03
#define BR_BUFFERED  0x04
#define BR_LISTED    0x08
#define BR_FINALIZED 0x10
#define BR_GREEN     0x20

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant br_mut_unbuffered = {
    "unbuffered-root", "a child a dying object leaves above zero is not buffered as a possible root" };
static const struct gclab_mutant br_mut_free_resurrected = {
    "free-resurrected", "the trash is not checked again after __del__: what a finalizer resurrected is freed" };
static const struct gclab_mutant br_mut_scanblack_shallow = {
    "scanblack-shallow", "ScanBlack blackens the children of the object it starts from, not theirs" };
static const struct gclab_mutant br_mut_markgray_shallow = {
    "markgray-shallow", "MarkGray subtracts the roots' own references only, not those of what it grays" };
static const struct gclab_mutant br_mut_fin_twice = {
    "fin-twice", "the collector runs __del__ of trash that was finalized (and resurrected) before" };
static const struct gclab_mutant br_mut_cb_trash = {
    "cb-trash", "the callback of a weakref that is trash itself is called" };

struct br_state {
    gclab_obj roots;        /* the roots buffer: sentinel of a circular list (BR1) */
    int64_t nbuffered;
    int64_t buffer_max;     /* collect at an allocation once nbuffered >= this (0: never) */
    struct rc_layer rc;     /* freeing at zero (core/refcount.h) */
    bool tracing;           /* BR3 */
    gclab_obj *stack;       /* MarkGray / Scan work stack, through gc_next */
    gclab_obj *black;       /* ScanBlack's stack, through gc_refs */
};

static inline int br_colour(const gclab_obj *o) { return o->gcflags & BR_COLOUR; }
static inline void br_set_colour(gclab_obj *o, int c)
{
    o->gcflags = (uint8_t)((o->gcflags & ~BR_COLOUR) | c);
}

/* Whether o can be part of a cycle: not green (the paper's acyclic objects). */
static inline bool br_cyclic(const gclab_obj *o)
{
    return obj_kind_is_container(o->kind) && o->kind != GCLAB_K_FUNC && !obj_is_immortal(o) &&
           !(o->gcflags & BR_GREEN);
}

/* ======================================================================
 * Lists: circular, doubly linked through gc_next/gc_prev, sentinel heads
 * ====================================================================== */

static void br_list_init(gclab_obj *l) { l->gc_next = l->gc_prev = l; }
static bool br_list_empty(const gclab_obj *l) { return l->gc_next == l; }

static void br_list_unlink(gclab_obj *o)
{
    o->gc_prev->gc_next = o->gc_next;
    o->gc_next->gc_prev = o->gc_prev;
    o->gc_next = o->gc_prev = NULL;
}

static void br_list_append(gclab_obj *o, gclab_obj *l)
{
    o->gc_prev = l->gc_prev;
    o->gc_next = l;
    l->gc_prev->gc_next = o;
    l->gc_prev = o;
}

static void br_list_move(gclab_obj *o, gclab_obj *l)
{
    br_list_unlink(o);
    br_list_append(o, l);
}

static void br_list_merge(gclab_obj *from, gclab_obj *to)
{
    if (!br_list_empty(from)) {
        gclab_obj *tail = to->gc_prev;
        tail->gc_next = from->gc_next;
        from->gc_next->gc_prev = tail;
        to->gc_prev = from->gc_prev;
        to->gc_prev->gc_next = to;
    }
    br_list_init(from);
}

/* ======================================================================
 * The roots buffer (the paper's PossibleRoot, Increment, Release's unlink)
 * ====================================================================== */

/* PossibleRoot: o's count was just lowered to a value above zero. */
static void br_possible_root(struct br_state *s, gclab_obj *o)
{
    if (!br_cyclic(o))
        return;
    GCLAB_ASSERT(!s->tracing && o->refcnt > 0);   /* BR3 */
    if (o->gcflags & BR_LISTED)
        return;                                    /* BR5: buffered when it leaves */
    if (br_colour(o) == BR_PURPLE)
        return;
    br_set_colour(o, BR_PURPLE);                   /* BR1 */
    if (!(o->gcflags & BR_BUFFERED)) {
        o->gcflags |= BR_BUFFERED;
        br_list_append(o, &s->roots);
        s->nbuffered++;
    }
}

/* Take o out of whichever list it is in (the buffer or a collection list). */
static void br_unlink(struct br_state *s, gclab_obj *o)
{
    if (o->gcflags & BR_BUFFERED) {
        br_list_unlink(o);
        s->nbuffered--;
    } else if (o->gcflags & BR_LISTED) {
        br_list_unlink(o);
    }
    o->gcflags &= (uint8_t)~(BR_BUFFERED | BR_LISTED | BR_COLOUR);   /* black */
}

/* o leaves a collection list alive: black, and a possible root again (BR5). */
static void br_survives(struct br_state *s, gclab_obj *o)
{
    br_list_unlink(o);
    o->gcflags &= (uint8_t)~(BR_LISTED | BR_COLOUR);
    br_possible_root(s, o);
}

/* A tuple is immutable: built from green objects only, it is green for
 * good (what CPython's untrack_tuples finds one collection at a time). */
static void rcbr_track(gclab_heap *h, gclab_obj *o)
{
    (void)h;
    if (o->kind != GCLAB_K_TUPLE)
        return;
    obj_tuple *t = AS(obj_tuple, o);
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i] && br_cyclic(t->items[i]))
            return;
    o->gcflags |= BR_GREEN;
}

static void rcbr_on_decref_live(gclab_heap *h, gclab_obj *o)
{
    br_possible_root(core_es(h), o);
}

/* Increment: an object just referenced again is live; a purple one turns
 * black and MarkRoots drops it from the buffer instead of tracing from it. */
static void rcbr_on_incref(gclab_heap *h, gclab_obj *o)
{
    (void)h;
    if (br_colour(o) == BR_PURPLE)
        br_set_colour(o, BR_BLACK);
}

/* ======================================================================
 * The refcount side: core/refcount.c's layer, with the hooks above
 * ====================================================================== */

/* The layer's unlink: a dying object leaves the buffer or its list (BR2). */
static void br_layer_unlink(gclab_heap *h, gclab_obj *o)
{
    br_unlink(core_es(h), o);
}

static const struct rc_ops br_rc_ops = {
    .finalized = BR_FINALIZED,
    .unlink = br_layer_unlink,
    .no_decref_live = &br_mut_unbuffered,
};

static void rcbr_release(gclab_heap *h, gclab_obj *o)
{
    struct br_state *s = core_es(h);
    GCLAB_ASSERT(!s->tracing);   /* BR3 */
    rc_release(h, &s->rc, o);
}

/* ======================================================================
 * Trial deletion (the paper's MarkRoots, MarkGray, Scan, ScanBlack,
 * CollectRoots, CollectWhite), each with an explicit stack
 * ====================================================================== */

/* MarkGray's step for one edge: gray the child (its trial count starts at
 * its true count) and subtract the edge. */
static void br_visit_gray(gclab_obj **field, void *ctx)
{
    struct br_state *s = ctx;
    gclab_obj *c = *field;
    if (!br_cyclic(c))
        return;
    if (br_colour(c) != BR_GRAY) {
        GCLAB_ASSERT(c->refcnt > 0);   /* BR3 */
        br_set_colour(c, BR_GRAY);
        c->gc_refs = c->refcnt;
        if (!GCLAB_MUTANT(br_mut_markgray_shallow)) {
            c->gc_next = s->stack;
            s->stack = c;
        }
    }
    GCLAB_ASSERT(c->gc_refs > 0);   /* BR4 */
    c->gc_refs--;
}

/* MarkGray(o): gray everything reachable from o, subtracting every edge
 * between gray objects from its target's trial count. Each object is
 * pushed once, when it turns gray, so the stack needs no memory. */
static void br_mark_gray(struct br_state *s, gclab_obj *o)
{
    if (br_colour(o) == BR_GRAY)
        return;
    br_set_colour(o, BR_GRAY);
    o->gc_refs = o->refcnt;
    o->gc_next = NULL;
    s->stack = o;
    while ((o = s->stack) != NULL) {
        s->stack = o->gc_next;
        o->gc_next = NULL;
        obj_trace(o, br_visit_gray, s);
    }
}

static void br_visit_black(gclab_obj **field, void *ctx)
{
    struct br_state *s = ctx;
    gclab_obj *c = *field;
    if (!br_cyclic(c) || br_colour(c) == BR_BLACK)
        return;
    GCLAB_ASSERT(br_colour(c) != BR_PURPLE);   /* MarkGray grayed every child */
    br_set_colour(c, BR_BLACK);
    c->gc_refs = (intptr_t)s->black;           /* its trial count is no longer needed */
    s->black = c;
}

/* ScanBlack(o): o is reachable from outside; so is everything it reaches,
 * white ones included (Scan may have whitened them before). */
static void br_scan_black(struct br_state *s, gclab_obj *o)
{
    gclab_obj *start = o;
    br_set_colour(o, BR_BLACK);
    o->gc_refs = 0;
    s->black = o;
    while ((o = s->black) != NULL) {
        s->black = (gclab_obj *)o->gc_refs;
        o->gc_refs = 0;
        if (GCLAB_MUTANT(br_mut_scanblack_shallow) && o != start)
            continue;
        obj_trace(o, br_visit_black, s);
    }
}

/* Scan's decision for a gray object, taken when it is first met: a positive
 * trial count means a reference from outside (ScanBlack); else white, and
 * its children are scanned later. A white object that ScanBlack reaches
 * afterwards turns black again, as in the recursive algorithm, so the
 * outcome does not depend on the order. */
static void br_scan_one(struct br_state *s, gclab_obj *o)
{
    if (o->gc_refs > 0) {
        br_scan_black(s, o);
    } else {
        br_set_colour(o, BR_WHITE);
        o->gc_next = s->stack;
        s->stack = o;
    }
}

static void br_visit_scan(gclab_obj **field, void *ctx)
{
    gclab_obj *c = *field;
    if (br_cyclic(c) && br_colour(c) == BR_GRAY)
        br_scan_one(ctx, c);
}

/* Scan(o). Each object is pushed at most once: when it turns white. */
static void br_scan(struct br_state *s, gclab_obj *o)
{
    if (br_colour(o) != BR_GRAY)
        return;
    s->stack = NULL;
    br_scan_one(s, o);
    while ((o = s->stack) != NULL) {
        s->stack = o->gc_next;
        o->gc_next = NULL;
        if (br_colour(o) == BR_WHITE)   /* else ScanBlack reached it since */
            obj_trace(o, br_visit_scan, s);
    }
}

/* MarkRoots. The buffer first becomes a singly linked chain through gc_prev
 * (MarkGray's stack needs gc_next, and may push a root not yet visited);
 * then purple roots are MarkGray'ed and stay, the others (blackened by
 * Increment, or grayed from an earlier root) leave the buffer. Returns the
 * chain; its roots stay BUFFERED until CollectRoots. */
static gclab_obj *br_mark_roots(struct br_state *s)
{
    gclab_obj *chain = s->roots.gc_next == &s->roots ? NULL : s->roots.gc_next;
    for (gclab_obj *o = chain; o; ) {
        gclab_obj *next = o->gc_next == &s->roots ? NULL : o->gc_next;
        GCLAB_ASSERT(o->refcnt > 0 && (o->gcflags & BR_BUFFERED));   /* BR2, BR1 */
        o->gc_next = NULL;
        o->gc_prev = next;
        o = next;
    }
    br_list_init(&s->roots);
    s->nbuffered = 0;
    gclab_obj **link = &chain;
    while (*link) {
        gclab_obj *o = *link;
        if (br_colour(o) == BR_PURPLE) {
            br_mark_gray(s, o);
            link = &o->gc_prev;
        } else {
            *link = o->gc_prev;
            o->gc_prev = NULL;
            o->gcflags &= (uint8_t)~BR_BUFFERED;
        }
    }
    return chain;
}

struct br_gather { struct br_state *s; gclab_obj *garbage; };

static void br_visit_white(gclab_obj **field, void *ctx)
{
    struct br_gather *g = ctx;
    gclab_obj *c = *field;
    if (br_cyclic(c) && br_colour(c) == BR_WHITE && !(c->gcflags & (BR_BUFFERED | BR_LISTED))) {
        c->gcflags |= BR_LISTED;
        br_list_append(c, g->garbage);
    }
}

/* CollectRoots: each root leaves the buffer, and CollectWhite gathers the
 * white objects reachable from it into the garbage list (a buffered white
 * is gathered when its own turn comes). The list is its own work stack:
 * the cursor walks what was appended behind it. */
static void br_collect_roots(struct br_state *s, gclab_obj *chain, gclab_obj *garbage)
{
    struct br_gather g = { s, garbage };
    while (chain) {
        gclab_obj *o = chain;
        chain = o->gc_prev;
        o->gc_prev = NULL;
        o->gcflags &= (uint8_t)~BR_BUFFERED;
        if (br_colour(o) != BR_WHITE || (o->gcflags & BR_LISTED))
            continue;
        o->gcflags |= BR_LISTED;
        br_list_append(o, garbage);
        for (gclab_obj *c = o; c != garbage; c = c->gc_next)
            obj_trace(c, br_visit_white, &g);
    }
}

/* ======================================================================
 * Weakrefs, finalizers, resurrection, clearing (rcgen.c's rules)
 * ====================================================================== */

static bool br_in_garbage(const gclab_obj *o)
{
    return (o->gcflags & BR_LISTED) && br_colour(o) == BR_WHITE;
}

/* CPython 3.11: handle_weakrefs. Every weakref to trash is cleared before any
 * callback runs; a callback runs only if its weakref is not trash itself (a
 * trash weakref's callback could see cleared objects or resurrect trash,
 * bpo-38006) and is not already at zero, queued on the pending stack (a
 * collection started inside a release cascade). */
static void br_handle_weakrefs(gclab_heap *h, struct br_state *s, gclab_obj *garbage)
{
    gclab_obj to_call;
    br_list_init(&to_call);
    for (gclab_obj *o = garbage->gc_next; o != garbage; o = o->gc_next) {
        if (o->kind == GCLAB_K_WEAKREF)
            core_weakref_unlink(o);   /* keeps its callback, which never runs */
        gclab_obj **head = obj_weaklist(o);
        if (!head)
            continue;
        while (*head) {
            gclab_obj *wr = *head;
            core_weakref_clear(h, wr);
            if (!AS(obj_weakref, wr)->callback || wr->refcnt == 0)
                continue;
            if (br_in_garbage(wr)) {
                if (!GCLAB_MUTANT(br_mut_cb_trash))
                    continue;
                br_list_unlink(wr);   /* the planted bug: out of the trash, called back */
                wr->gcflags &= (uint8_t)~(BR_LISTED | BR_COLOUR);
            }
            obj_incref(h, wr);   /* so it cannot vanish before its turn */
            GCLAB_ASSERT(!(wr->gcflags & (BR_BUFFERED | BR_LISTED)));   /* BR3: nothing buffered yet */
            wr->gcflags |= BR_LISTED;
            br_list_append(wr, &to_call);
        }
    }
    while (!br_list_empty(&to_call)) {
        gclab_obj *wr = to_call.gc_next;
        /* weakrefobject.c's handle_callback: wr is the argument, rooted in the call's frame. */
        core_call(h, AS(obj_weakref, wr)->callback, 1, &wr, "weakref callback");
        obj_decref(h, wr);   /* at zero, release takes it out of to_call */
        if (to_call.gc_next == wr)
            br_survives(s, wr);
    }
}

/* CPython 3.11: finalize_garbage. A finalizer may free anything, so take
 * the first object each time and park it in `seen`. */
static void br_finalize(gclab_heap *h, gclab_obj *garbage)
{
    gclab_obj seen;
    br_list_init(&seen);
    while (!br_list_empty(garbage)) {
        gclab_obj *o = garbage->gc_next;
        br_list_move(o, &seen);
        if (obj_has_del(o) && (!(o->gcflags & BR_FINALIZED) || GCLAB_MUTANT(br_mut_fin_twice))) {
            o->gcflags |= BR_FINALIZED;   /* BR6 */
            obj_incref(h, o);
            core_run_finalizer(h, o);
            obj_decref(h, o);             /* at zero (its __del__ dropped the rest), release frees it */
        }
    }
    br_list_merge(&seen, garbage);
}

static void br_visit_subtract(gclab_obj **field, void *ctx)
{
    (void)ctx;
    gclab_obj *c = *field;
    if (br_in_garbage(c)) {
        GCLAB_ASSERT(c->gc_refs > 0);   /* BR4 */
        c->gc_refs--;
    }
}

static void br_visit_rescue(gclab_obj **field, void *survivors)
{
    gclab_obj *c = *field;
    if (br_in_garbage(c)) {
        br_set_colour(c, BR_BLACK);
        br_list_move(c, survivors);
    }
}

/* CPython 3.11: handle_resurrected_objects, as trial deletion restricted to
 * the garbage list: a member still referenced from outside it after the
 * finalizers ran was resurrected, and it survives with everything in the
 * list it reaches. What survives is a possible root again (BR5). */
static void br_recheck(struct br_state *s, gclab_obj *garbage)
{
    gclab_obj survivors;
    br_list_init(&survivors);
    if (!GCLAB_MUTANT(br_mut_free_resurrected)) {
        for (gclab_obj *o = garbage->gc_next; o != garbage; o = o->gc_next)
            o->gc_refs = o->refcnt;
        for (gclab_obj *o = garbage->gc_next; o != garbage; o = o->gc_next)
            obj_trace(o, br_visit_subtract, NULL);
        gclab_obj *next;
        for (gclab_obj *o = garbage->gc_next; o != garbage; o = next) {
            next = o->gc_next;
            if (o->gc_refs > 0) {
                br_set_colour(o, BR_BLACK);
                br_list_move(o, &survivors);
            }
        }
        for (gclab_obj *o = survivors.gc_next; o != &survivors; o = o->gc_next)
            obj_trace(o, br_visit_rescue, &survivors);
    }
    while (!br_list_empty(&survivors))
        br_survives(s, survivors.gc_next);
}

/* CPython 3.11: delete_garbage. Each object is cleared (or, with
 * DEBUG_SAVEALL, kept in gc.garbage); one still there afterwards is alive.
 * Returns the number of objects freed or saved. */
static int64_t br_delete_garbage(gclab_heap *h, struct br_state *s, gclab_obj *garbage)
{
    int64_t n = 0;
    for (gclab_obj *o = garbage->gc_next; o != garbage; o = o->gc_next)
        n++;
    while (!br_list_empty(garbage)) {
        gclab_obj *o = garbage->gc_next;
        GCLAB_ASSERT(o->refcnt > 0);   /* BR2 */
        if (core_debug_flags(h) & GCLAB_DEBUG_SAVEALL) {
            if (core_garbage_append(h, o) != GCLAB_OK)
                gclab_error_clear(h);
        } else {
            obj_incref(h, o);
            rc_release_refs(h, &s->rc, o);   /* tp_clear; what reaches zero is freed */
            obj_decref(h, o);
        }
        if (garbage->gc_next == o)
            br_survives(s, o);
    }
    return n;
}

static int rcbr_verify(gclab_heap *h, int level);

/* Between phases at -p verify=2 (CPython's validate_list): what BR7 says. */
static void br_check_garbage(gclab_obj *garbage)
{
    for (gclab_obj *o = garbage->gc_next; o != garbage; o = o->gc_next)
        GCLAB_ASSERT(o->gc_next->gc_prev == o && br_in_garbage(o) && o->refcnt > 0 &&
                     !(o->gcflags & BR_BUFFERED));   /* BR7, BR2 */
}

/* The collection. Returns the number of objects found to be garbage (and
 * not resurrected); the caller brackets it with the collection events. */
static int64_t br_collect_main(gclab_heap *h, struct br_state *s)
{
    gclab_obj garbage;
    br_list_init(&garbage);
    /* Frees during the collection happen at once, even when it was started
     * from inside a drain (a finalizer that allocated). */
    bool was_draining = rc_drain_suspend(&s->rc);

    s->tracing = true;                        /* BR3 */
    gclab_obj *chain = br_mark_roots(s);
    for (gclab_obj *o = chain; o; o = o->gc_prev)
        br_scan(s, o);
    br_collect_roots(s, chain, &garbage);
    s->tracing = false;
    if (core_verify_level(h) >= 2)
        br_check_garbage(&garbage);

    br_handle_weakrefs(h, s, &garbage);
    br_finalize(h, &garbage);
    br_recheck(s, &garbage);
    int64_t m = br_delete_garbage(h, s, &garbage);

    rc_drain_resume(&s->rc, was_draining);
    if (core_verify_level(h) >= 2 && rcbr_verify(h, 2) != 0)
        GCLAB_ASSERT(!"rcbr heap check failed after a collection");
    return m;
}

static int64_t rcbr_collect(gclab_heap *h, int gen)
{
    core_event_collect_start(h, gen);
    int64_t m = br_collect_main(h, core_es(h));
    core_event_collect_end(h, gen, m, 0);
    return m;
}

/* ======================================================================
 * The table
 * ====================================================================== */

static gclab_obj *rcbr_alloc(gclab_heap *h, size_t bytes, int kind)
{
    (void)kind;
    struct br_state *s = core_es(h);
    if (s->buffer_max && s->nbuffered >= s->buffer_max && core_gc_enabled(h) && !core_collecting(h))
        rcbr_collect(h, 0);
    return core_alloc_object(h, bytes);
}

static int rcbr_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct br_state *s = core_es(h);
    out[0] = s->nbuffered;
    return 1;
}

static int rcbr_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    struct br_state *s = core_es(h);
    out[0] = s->buffer_max;
    return 1;
}

/* gc.set_threshold(n[, a, b]): n is buffer_max; the others (CPython's
 * signature takes three) are accepted and have no meaning here. */
static gclab_status rcbr_set_threshold(gclab_heap *h, int n, const int64_t *v)
{
    struct br_state *s = core_es(h);
    if (n < 1 || n > 3)
        return heap_error(h, GCLAB_ETYPE, "set_threshold expected 1 to 3 arguments, got %d", n);
    if (v[0] < 0 || v[0] > INT32_MAX)
        return heap_error(h, GCLAB_EVALUE, "buffer_max must be an integer from 0 to %d", INT32_MAX);
    s->buffer_max = v[0];
    return GCLAB_OK;
}

/* BR1 and BR2 over the roots buffer. */
static int rcbr_verify(gclab_heap *h, int level)
{
    (void)level;   /* one walk of the lists at every level */
    struct br_state *s = core_es(h);
    int64_t n = 0;
    for (gclab_obj *o = s->roots.gc_next; o != &s->roots; o = o->gc_next) {
        const char *bad = NULL;
        if (o->gc_next->gc_prev != o)
            bad = "broken links";
        else if ((o->gcflags & (BR_BUFFERED | BR_LISTED)) != BR_BUFFERED)
            bad = "in the buffer but not BUFFERED, or LISTED too (BR1)";
        else if (br_colour(o) != BR_PURPLE && br_colour(o) != BR_BLACK)
            bad = "gray or white outside a collection";
        else if (o->refcnt <= 0)
            bad = "buffered with refcount 0 (BR2)";
        else if (!br_cyclic(o))
            bad = "a green object is buffered";
        if (bad) {
            fprintf(stderr, "rcbr verify: buffered object %p kind %d refcnt %ld flags %#x: %s\n",
                    (void *)o, o->kind, (long)o->refcnt, o->gcflags, bad);
            return -1;
        }
        n++;
    }
    if (n != s->nbuffered) {
        fprintf(stderr, "rcbr verify: %lld objects in the buffer, %lld counted (BR1)\n",
                (long long)n, (long long)s->nbuffered);
        return -1;
    }
    return 0;
}

static gclab_status rcbr_init(gclab_heap *h)
{
    struct br_state *s = calloc(1, sizeof *s);
    if (!s)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    br_list_init(&s->roots);
    rc_layer_init(&s->rc, &br_rc_ops);
    bool ok;
    double v = heap_param_double(h, "buffer_max", &ok);
    if (!ok || v != (double)(int64_t)v || v < 0 || v > INT32_MAX) {
        free(s);
        return heap_error(h, GCLAB_EVALUE, "buffer_max must be an integer from 0 to %d", INT32_MAX);
    }
    s->buffer_max = (int64_t)v;
    core_set_es(h, s);
    return GCLAB_OK;
}

static void rcbr_fini(gclab_heap *h)
{
    free(core_es(h));   /* core's allocator releases every object */
    core_set_es(h, NULL);
}

static const struct gclab_param_spec rcbr_params[] = {
    GCLAB_PINT("buffer_max", "10000", 0, 2147483647,
               "possible roots buffered before an allocation collects (0: only gc.collect)"),
    GCLAB_PEND,
};

static const struct gclab_mutant *const rcbr_mutants[] = {
    &br_mut_unbuffered, &br_mut_free_resurrected, &br_mut_scanblack_shallow, &br_mut_markgray_shallow,
    &br_mut_fin_twice, &br_mut_cb_trash, NULL };

const struct gclab_engine gclab_engine_rcbr = {
    .name = "rcbr",
    .summary = "refcounting + Bacon-Rajan synchronous cycle collection (trial deletion from buffered possible roots)",
    .caps = { .refcounts = true, .collects_cycles = true, .finalizers = true,
              .precise = true, .generations = 1, .frees = GCLAB_FREES_PROMPT,
              .weakref_callbacks = GCLAB_WRCB_CPYTHON, .callback_kept = true,
              .debug_saveall = true, .header_words = 6 },
    .params = rcbr_params,
    .mutants = rcbr_mutants,
    .init = rcbr_init,
    .fini = rcbr_fini,
    .alloc = rcbr_alloc,
    .track = rcbr_track,
    .release = rcbr_release,
    .on_incref = rcbr_on_incref,
    .on_decref_live = rcbr_on_decref_live,
    .collect = rcbr_collect,
    .get_count = rcbr_get_count,
    .get_threshold = rcbr_get_threshold,
    .set_threshold = rcbr_set_threshold,
    .verify = rcbr_verify,
};
