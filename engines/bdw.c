/* bdw.c — the Boehm–Demers–Weiser conservative collector (Debian's libgc)
 * behind gclab's engine table: the reference point a user would pick
 * instead of writing a collector. Benchmarks report our engines' time
 * relative to it.
 *
 * What it promises, and where it differs from marksweep
 *   Objects come from libgc, collected by its mark-sweep when libgc decides
 *   (its own heap-growth rule, GC_free_space_divisor) and on gc.collect().
 *   There are no reference counts (caps.refcounts false). The table
 *   stays gclab's: core still counts allocations, frees and live bytes.
 *   DIFFERS, all of which `gclab engines` summarizes:
 *   - Conservative: libgc also scans the C stack, registers and every
 *     library's data (not under ASan: see bdw_global_init) for anything
 *     that looks like a pointer, so a dead object can be kept alive by a
 *     stale word (caps.precise false). The shadow-stack slots, return
 *     registers and core's root objects are pushed exactly
 *     (bdw_push_roots) from every live bdw heap.
 *   - Lazy sweeping: libgc frees a dead object only when its block is
 *     swept, usually at a later allocation. `freed` and live bytes are
 *     counted then (bdw_disclaim). gc.collect() runs GC_gcollect twice,
 *     because each GC_gcollect first finishes sweeping the previous cycle:
 *     after it, every object the first found unreachable is counted. It
 *     returns the number of objects swept meanwhile, not the number found.
 *   - Implicit collections happen inside libgc's allocator, where no
 *     mutator code may run: they are timed by libgc's collection event
 *     callback and reported to core afterwards (core_event_collect_logged),
 *     so gc.callbacks "start" and "stop" both run after such a collection.
 *   - __del__ via GC_register_finalizer_no_order: finalizers of a cycle run
 *     in no particular order (as PEP 442); an object resurrected by __del__
 *     survives and its __del__ never runs again (BDW_FINALIZED). The object
 *     and all it reaches are kept for one more cycle, as in marksweep.
 *   - Weakrefs: the target word of a weakref is hidden from libgc (a bitmap
 *     layout descriptor) and registered as a disappearing link, which libgc
 *     clears before it runs finalizers (marksweep's order). A weakref is
 *     kept alive by its target's weaklist. Callbacks need the target to be
 *     finalizable, so creating a weakref with a callback registers one on
 *     the target; the callback then runs even if the weakref itself is
 *     unreachable (marksweep and CPython skip those).
 *   - Finalizers and callbacks run at the next allocation or gc.collect()
 *     after the collection that found them (finalize-on-demand), never
 *     inside libgc, never nested (core_collecting).
 *   - The heap limit applies to gclab's live bytes, which lag libgc's
 *     (lazy sweeping); heap_bytes and peak heap are libgc's heap size.
 *   - --heap-size S: libgc's heap is expanded to S at init and capped there
 *     (GC_set_max_heap_size), so it collects rather than grow; S also caps
 *     gclab's live bytes as a limit. libgc still paces itself inside the
 *     heap (GC_free_space_divisor, set to 1, its laziest), so it collects
 *     somewhat before the heap is full, where marksweep waits until 7/8 S.
 *     S counts libgc's heap (with its fragmentation), marksweep's S counts
 *     live bytes: the minimum heaps differ by that much.
 *   - One libgc heap per process: every gclab heap on bdw shares it, and a
 *     collection caused by one heap also collects the others' garbage. It
 *     is single-threaded, as gclab is; parallel marking is off (one marker)
 *     so times compare with our single-threaded engines.
 *
 * Why it costs more than libgc in plain C (issue 16; gcbench defaults,
 * thread CPU time in collections, one run, machine loaded)
 *   gclab's bdw 0.257 s in 40 collections; bench/calib/gcbench-bdw (a 24-byte
 *   node, one GC_MALLOC each) 0.022 s in 19: 11x. The same C program with
 *   gclab's node shape (-DCALIB_SHAPE_GCLAB: an 88-byte object scanned
 *   conservatively plus a 64-byte attribute block, two allocations a node)
 *   takes 0.135-0.153 s in 33 collections: 6.5x of the 11x is libgc's cost on
 *   gclab's object model (5x the bytes to scan and sweep, 2x the objects),
 *   the same for every engine (marksweep pays it too). The remaining 1.7x
 *   (7 more collections, 6.4 vs 4.5 ms each) is not attributed yet; what was
 *   ruled out: the roots (core_root_ranges pushes only used slots and the
 *   frames in use), the static data (gclab's is 20 KB). The per-object
 *   disclaim callback (exact death accounting) runs in libgc's lazy reclaim,
 *   i.e. in allocation: it is in cpu_s, not in gc_s (5% of the samples).
 *
 * Header words on this engine
 *   gc_prev   the heap's bdw_state (the object's owner): non-NULL marks a
 *             live object, since libgc clears objects it puts on a free list
 *             (B1); bdw_disclaim reads it to count the death
 *   gcflags   BDW_FINALIZED once __del__ has run (B2)
 *
 * Invariants
 *   B1 an object's gc_prev is its owner's bdw_state from allocation until
 *      libgc sweeps it, then 0; bdw_disclaim counts each death once;
 *   B2 __del__ runs at most once per object;
 *   B3 a bdw_state outlives every object that points to it: it is reused
 *      only when its heap is gone and its live count is 0.
 */
#include <gc/gc.h>
#include <gc/gc_disclaim.h>
#include <gc/gc_mark.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"

#define BDW_FINALIZED 0x01

/* Planted bugs the fuzzers must find (core/mutant.h; off in normal builds). */
static const struct gclab_mutant bdw_mut_skip_mark = {
    "skip-mark", "tuples are allocated as an atomic kind, so libgc never scans their items" };
static const struct gclab_mutant bdw_mut_no_clear_wr = {
    "no-clear-wr", "a weakref's disappearing link is not registered with libgc" };
static const struct gclab_mutant bdw_mut_fin_twice = {
    "fin-twice", "__del__ runs twice" };

struct bdw_state {
    gclab_heap *h;              /* NULL once the heap is freed */
    uint64_t live;              /* objects allocated and not yet swept (B3) */
    uint64_t swept;             /* deaths counted, ever */
    uint64_t reported;          /* swept as of the last collection reported */
    uint64_t nallocs;
    struct bdw_state *next;     /* every state ever made (bdw_states) */
};

/* Process-wide: libgc has one heap. */
static bool bdw_ready;
static unsigned bdw_kind_obj, bdw_kind_atomic, bdw_kind_weakref;
static struct bdw_state *bdw_states;
static bool bdw_in_disclaim;
static GC_push_other_roots_proc bdw_old_push;
/* Collections libgc ran on its own, waiting to be reported to core. */
#define BDW_MAX_PENDING 64
static struct { uint64_t start, dur, cpu; } bdw_pending[BDW_MAX_PENDING];
static int bdw_npending;
static uint64_t bdw_event_start, bdw_event_start_cpu;
static bool bdw_explicit;       /* inside bdw_collect: core times it */

/* ================================================================
 * libgc callbacks (run with libgc's lock held: no mutator code, no GC_ calls)
 * ================================================================ */

static void bdw_push_range(void *lo, void *hi, void *ctx)
{
    (void)ctx;
    GC_push_all(lo, hi);
}

/* Push the exact roots of every live heap. */
static void GC_CALLBACK bdw_push_roots(void)
{
    if (bdw_old_push)
        bdw_old_push();
    for (struct bdw_state *s = bdw_states; s; s = s->next)
        if (s->h)
            core_root_ranges(s->h, bdw_push_range, NULL);
}

/* A swept object: count its death in its heap (B1). Storage is libgc's
 * too and may be swept already, so only accounting is done (mem_free is a
 * no-op meanwhile); a dying weakref is not unlinked: its target is dead
 * too or it would still reach it (see the top comment). */
static int GC_CALLBACK bdw_disclaim(void *p)
{
    gclab_obj *o = p;
    struct bdw_state *s = (struct bdw_state *)o->gc_prev;
    if (!s)
        return 0;                  /* already free: on a free list */
    o->gc_prev = NULL;
    s->live--;
    s->swept++;
    if (s->h) {
        bdw_in_disclaim = true;
        if (o->kind != GCLAB_K_WEAKREF)
            core_free_storage(s->h, o);
        core_obj_dead(s->h, o);
        bdw_in_disclaim = false;
    }
    return 0;
}

static void GC_CALLBACK bdw_on_event(GC_EventType e)
{
    if (e == GC_EVENT_START) {
        bdw_event_start = gclab_now_ns();
        bdw_event_start_cpu = core_thread_cpu_ns();
    } else if (e == GC_EVENT_END && !bdw_explicit) {
        uint64_t now = gclab_now_ns(), cpu = core_thread_cpu_ns() - bdw_event_start_cpu;
        if (bdw_npending == BDW_MAX_PENDING) {
            bdw_pending[BDW_MAX_PENDING - 1].dur += now - bdw_event_start;
            bdw_pending[BDW_MAX_PENDING - 1].cpu += cpu;
            return;
        }
        bdw_pending[bdw_npending].start = bdw_event_start;
        bdw_pending[bdw_npending].cpu = cpu;
        bdw_pending[bdw_npending].dur = now - bdw_event_start;
        bdw_npending++;
    }
}

/* ================================================================
 * Finalization (run by GC_invoke_finalizers, mutator context)
 * ================================================================ */

/* An unreachable object with __del__ or with weakref callbacks. */
static void GC_CALLBACK bdw_finalize(void *p, void *cd)
{
    gclab_obj *o = p;
    struct bdw_state *s = cd;
    gclab_heap *h = s->h;
    if (!h)
        return;                    /* its heap is gone: nothing to run */
    gclab_obj **head = obj_weaklist(o);
    if (head && *head) {
        /* libgc cleared the targets (disappearing links); point them back
         * so core can unlink each weakref and call its callback. */
        for (gclab_obj *w = *head; w; w = AS(obj_weakref, w)->wr_next)
            AS(obj_weakref, w)->target = o;
        core_clear_weakrefs(h, o, true);
    }
    if (obj_has_del(o) && !(o->gcflags & BDW_FINALIZED)) {
        o->gcflags |= BDW_FINALIZED;   /* B2 */
        core_run_finalizer(h, o);
        if (GCLAB_MUTANT(bdw_mut_fin_twice))
            core_run_finalizer(h, o);
    }
}

/* Run pending finalizers and report collections libgc ran on its own. */
static void bdw_after_gc(gclab_heap *h)
{
    struct bdw_state *s = core_es(h);
    if (core_collecting(h))
        return;
    if (bdw_npending) {
        int n = bdw_npending;
        bdw_npending = 0;
        for (int i = 0; i < n; i++) {
            int64_t found = i == n - 1 ? (int64_t)(s->swept - s->reported) : 0;
            core_event_collect_logged(h, 0, bdw_pending[i].start, bdw_pending[i].dur,
                                      bdw_pending[i].cpu, found, 0);
        }
        s->reported = s->swept;
    }
    if (GC_should_invoke_finalizers()) {
        core_collecting_enter(h);
        GC_invoke_finalizers();
        core_collecting_leave(h);
    }
}

/* ================================================================
 * The table
 * ================================================================ */

static void bdw_global_init(void)
{
    if (bdw_ready)
        return;
    bdw_ready = true;
    /* No GC_THREADS: libgc starts parallel markers only with the first
     * thread created through its wrappers, so marking stays on this thread. */
#ifdef GCLAB_ASAN
    /* Under ASan, scanning shared libraries' data costs 3.4 ms a collection
     * (the sanitizer's own data), 250x a collection of the fuzzers' heaps.
     * gclab keeps no heap pointer there: every root is pushed by
     * bdw_push_roots or lies on the C stack. Release builds keep libgc's
     * default, which also sets its collection pace (root size counts). */
    GC_set_no_dls(1);
#endif
    GC_INIT();
    GC_set_finalize_on_demand(1);
    GC_set_on_collection_event(bdw_on_event);
    bdw_old_push = GC_get_push_other_roots();
    GC_set_push_other_roots(bdw_push_roots);
    bdw_kind_obj = GC_new_kind(GC_new_free_list(), GC_DS_LENGTH, 1, 1);
    bdw_kind_atomic = GC_new_kind(GC_new_free_list(), GC_DS_LENGTH, 0, 1);
    /* Weakrefs: only callback, wr_prev and wr_next are pointers (msb = word 0). */
    GC_word bits = 0;
    size_t words[] = { offsetof(obj_weakref, callback), offsetof(obj_weakref, wr_prev),
                       offsetof(obj_weakref, wr_next) };
    for (size_t i = 0; i < 3; i++)
        bits |= (GC_word)1 << (sizeof(GC_word) * 8 - 1 - words[i] / sizeof(GC_word));
    bdw_kind_weakref = GC_new_kind(GC_new_free_list(), bits | GC_DS_BITMAP, 0, 1);
    GC_register_disclaim_proc((int)bdw_kind_obj, bdw_disclaim, 0);
    GC_register_disclaim_proc((int)bdw_kind_atomic, bdw_disclaim, 0);
    GC_register_disclaim_proc((int)bdw_kind_weakref, bdw_disclaim, 0);
}

static gclab_status bdw_init(gclab_heap *h)
{
    bdw_global_init();
    struct bdw_state *s;
    for (s = bdw_states; s; s = s->next)
        if (!s->h && s->live == 0)
            break;                 /* B3: nothing points to it any more */
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return heap_error(h, GCLAB_EMEMORY, "out of memory");
        s->next = bdw_states;
        bdw_states = s;
    }
    s->h = h;
    s->swept = s->reported = s->nallocs = 0;
    core_set_es(h, s);
    size_t size = core_heap_size(h);
    if (size) {
        /* --heap-size: libgc's whole heap, mapped at once, never grown past
         * (process-wide, like libgc). Divisor 1 is libgc's laziest pace:
         * fewest collections before the heap is full. */
        GC_set_max_heap_size((GC_word)size);
        size_t have = GC_get_heap_size();
        if (have < size)
            (void)GC_expand_hp(size - have);
        GC_set_free_space_divisor(1);
    }
    return GCLAB_OK;
}

static void bdw_fini(gclab_heap *h)
{
    struct bdw_state *s = core_es(h);
    if (s)
        s->h = NULL;               /* its objects die with the next collections */
    core_set_es(h, NULL);
}

static void bdw_sample_heap(gclab_heap *h)
{
    core_note_heap_bytes(h, GC_get_heap_size());
}

/* Zero the C stack below this frame, where libgc's own frames are about to
 * go. Frames popped earlier leave object addresses in slots that the next
 * calls never write (padding, ASan's redzones), and libgc scans that memory
 * conservatively: one stale word there kept a dropped object alive in every
 * explicit collection of an ASan build (test_bdw, test_engines). libgc's
 * allocator scrubs the same way (GC_clear_stack); an explicit collection
 * starts from a clean stack too. gclab itself holds no heap pointer on the
 * C stack across an explicit collection: every root is in a frame slot. */
static __attribute__((noinline)) void bdw_scrub_stack(void)
{
    char buf[16384];
    memset(buf, 0, sizeof buf);
    __asm__ volatile("" : : "r"(buf) : "memory");   /* the stores stay */
}

/* Collect until the previous cycle's garbage is swept too (see the top comment). */
static int64_t bdw_collect(gclab_heap *h, int gen)
{
    struct bdw_state *s = core_es(h);
    (void)gen;
    if (core_collecting(h))
        return 0;
    bdw_after_gc(h);               /* report what libgc did on its own first */
    uint64_t before = s->swept;
    core_event_collect_start(h, 0);
    bdw_explicit = true;
    bdw_scrub_stack();
    GC_gcollect();
    GC_gcollect();
    bdw_explicit = false;
    bdw_sample_heap(h);
    int64_t found = (int64_t)(s->swept - before);
    core_event_collect_end(h, 0, found, 0);
    s->reported = s->swept;
    bdw_after_gc(h);
    return found;
}

static gclab_obj *bdw_alloc(gclab_heap *h, size_t bytes, int kind)
{
    struct bdw_state *s = core_es(h);
    /* Finalizers and reports of collections from earlier allocations: here,
     * before the new object exists, so no collection a finalizer causes can
     * see it half-built. */
    if (bdw_npending || GC_should_invoke_finalizers())
        bdw_after_gc(h);
    if (!core_within_limit(h, bytes)) {
        bdw_collect(h, 0);
        if (!core_within_limit(h, bytes))
            return NULL;
    }
    unsigned k = kind == GCLAB_K_WEAKREF ? bdw_kind_weakref
               : obj_kind_is_container(kind) ? bdw_kind_obj : bdw_kind_atomic;
    if (GCLAB_MUTANT(bdw_mut_skip_mark) && kind == GCLAB_K_TUPLE)
        k = bdw_kind_atomic;
    gclab_obj *o = GC_generic_malloc(bytes, (int)k);
    if (!o)
        return NULL;
    o->gc_prev = (gclab_obj *)s;   /* B1 */
    s->live++;
    if ((++s->nallocs & 1023) == 0)
        bdw_sample_heap(h);
    return o;
}

/* o is built: register what must run when it dies. */
static void bdw_track(gclab_heap *h, gclab_obj *o)
{
    struct bdw_state *s = core_es(h);
    if (obj_has_del(o))
        GC_register_finalizer_no_order(o, bdw_finalize, s, NULL, NULL);
    if (o->kind == GCLAB_K_WEAKREF) {
        obj_weakref *wr = AS(obj_weakref, o);
        if (!GCLAB_MUTANT(bdw_mut_no_clear_wr))
            GC_general_register_disappearing_link((void **)&wr->target, wr->target);
        if (wr->callback && !(wr->target->gcflags & BDW_FINALIZED))
            GC_register_finalizer_no_order(wr->target, bdw_finalize, s, NULL, NULL);
    }
}

static void *bdw_mem_alloc(gclab_heap *h, gclab_obj *owner, size_t n)
{
    (void)h;
    (void)owner;
    return GC_MALLOC(n);
}

static void bdw_mem_free(gclab_heap *h, gclab_obj *owner, void *p, size_t n)
{
    (void)h;
    (void)owner;
    (void)n;
    if (!bdw_in_disclaim)
        GC_FREE(p);                /* replaced storage: nothing points to it */
}

static uint64_t bdw_heap_bytes(gclab_heap *h)
{
    (void)h;
    return GC_get_heap_size();
}

static const struct gclab_param_spec bdw_params[] = { GCLAB_PEND };

static const struct gclab_mutant *const bdw_mutants[] = {
    &bdw_mut_skip_mark, &bdw_mut_no_clear_wr, &bdw_mut_fin_twice, NULL };

const struct gclab_engine gclab_engine_bdw = {
    .name = "bdw",
    .summary = "Boehm-Demers-Weiser libgc: conservative stack, exact slots; lazy sweep (frees "
               "counted late); unordered __del__; weakref callbacks even for dead weakrefs",
    .caps = { .refcounts = false, .collects_cycles = true, .finalizers = true,
              .precise = false, .generations = 1, .frees = GCLAB_FREES_LATE,
              .weakref_callbacks = GCLAB_WRCB_ANY, .header_words = 3 /* gc_prev */ },
    .params = bdw_params,
    .mutants = bdw_mutants,
    .init = bdw_init,
    .fini = bdw_fini,
    .alloc = bdw_alloc,
    .track = bdw_track,
    .mem_alloc = bdw_mem_alloc,
    .mem_free = bdw_mem_free,
    .collect = bdw_collect,
    .heap_bytes = bdw_heap_bytes,
};
