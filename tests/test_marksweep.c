/* test_marksweep.c — the marksweep engine: marking without C recursion
 * (10-million-node chain and 10-million-wide list, on a 256 KiB thread
 * stack), mark-stack overflow rescans, the heap_factor trigger, the heap
 * limit, weakref callbacks only for reachable weakrefs, resurrection, and
 * lazy sweeping's results against the eager sweep's. */
#include <pthread.h>

#include "engine.h"
#include "t.h"

static gclab_heap *ms_heap(size_t np, const struct gclab_kv *kv, size_t limit)
{
    char err[256];
    struct gclab_config cfg = { .nparams = np, .params = kv, .heap_limit = limit };
    gclab_heap *h = gclab_heap_new("marksweep", &cfg, err, sizeof err);
    if (!h)
        printf("heap: %s\n", err);
    return h;
}

static const struct gclab_engine *marksweep(void) { return gclab_engine_find("marksweep"); }

static struct gclab_stats stats(gclab_heap *h)
{
    struct gclab_stats st;
    gclab_heap_stats(h, &st);
    return st;
}

/* ---- big structures on a small C stack ------------------------------ */

struct big_job { bool wide; size_t mark_stack_max; int64_t n, found, live_after; gclab_status st; };

/* Build n nodes as a chain of 1-tuples (each holding the previous) or as n
 * empty tuples in one list, collect twice (kept, then dropped). */
static void *big_run(void *arg)
{
    struct big_job *j = arg;
    char max[32];
    snprintf(max, sizeof max, "%zu", j->mark_stack_max);
    struct gclab_kv kv[] = { { "mark_stack_max", max }, { "min_heap", "100000000000" } };
    gclab_heap *h = ms_heap(2, kv, 0);
    if (!h)
        return NULL;
    gclab_status st = gclab_frame_push(h, 3);
    if (!st && j->wide)
        st = gclab_list_new(h, 0);
    if (!st && j->wide)
        st = gclab_none(h, 2);
    if (!st && !j->wide)
        st = gclab_none(h, 0);
    for (int64_t i = 0; i < j->n && !st; i++) {
        if (j->wide) {
            int none = 2;                     /* (None,): the empty tuple is one immortal */
            st = gclab_tuple_new(h, 1, 1, &none);
            if (!st)
                st = gclab_list_append(h, 0, 1);
        } else {
            int src = 0;
            st = gclab_tuple_new(h, 0, 1, &src);
        }
    }
    if (!st && j->wide)
        st = gclab_clear(h, 1);               /* the last tuple: only the list holds it */
    int64_t found = -1;
    if (!st)
        st = gclab_gc_collect(h, 0, &found);   /* all alive: nothing found */
    if (!st && found == 0) {
        st = gclab_clear(h, 0);
        if (!st)
            st = gclab_gc_collect(h, 0, &found);
    }
    j->found = found;
    j->live_after = (int64_t)stats(h).live_objects;
    j->st = st;
    gclab_heap_free(h);
    return NULL;
}

/* Run a job on a thread whose whole stack is 256 KiB: C recursion over the
 * structure would overflow it at a few thousand levels. */
static void run_small_stack(struct big_job *j)
{
    pthread_attr_t a;
    pthread_t th;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256 * 1024);
    if (pthread_create(&th, &a, big_run, j) == 0)
        pthread_join(th, NULL);
    pthread_attr_destroy(&a);
}

/* A chain of 10 million tuples is marked (found 0 while rooted) and then
 * found entirely unreachable (10 million) on a 256 KiB stack. */
static void test_ten_million_node_chain_collects_on_a_small_stack(struct t *t)
{
    struct big_job j = { .wide = false, .mark_stack_max = 1u << 20, .n = 10000000 };
    run_small_stack(&j);
    T_EQ(t, j.st, GCLAB_OK);
    T_EQ(t, j.found, 10000000);
    T_EQ(t, j.live_after, 3);   /* globals, gc.garbage, gc.callbacks */
}

/* A list of 10 million 1-tuples overflows the default 2^20-entry mark
 * stack; rescans finish the marking; dropping the list frees all of it. */
static void test_ten_million_wide_list_collects_on_a_small_stack(struct t *t)
{
    struct big_job j = { .wide = true, .mark_stack_max = 1u << 20, .n = 10000000 };
    run_small_stack(&j);
    T_EQ(t, j.st, GCLAB_OK);
    T_EQ(t, j.found, 10000001);
    T_EQ(t, j.live_after, 3);
}

/* With a mark stack of 2 entries, every push beyond two overflows: a list
 * of 1000 chains of 10 still keeps all 10000 tuples and the graph verifies. */
static void test_tiny_mark_stack_overflows_and_still_marks_everything(struct t *t)
{
    struct gclab_kv kv[] = { { "mark_stack_max", "2" }, { "verify", "2" } };
    gclab_heap *h = ms_heap(2, kv, 0);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    for (int i = 0; i < 1000; i++) {
        T_EQ(t, gclab_none(h, 1), GCLAB_OK);
        int src = 1;
        for (int k = 0; k < 10; k++)
            T_EQ(t, gclab_tuple_new(h, 1, 1, &src), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    }
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    int64_t found;
    uint64_t live = stats(h).live_objects;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 0);
    T_EQ(t, stats(h).live_objects, live);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 10001);
    gclab_heap_free(h);
}

/* ---- lazy sweeping --------------------------------------------------- */

/* The same program under lazy_sweep=0 and 1 (no verify: ms_verify walks the
 * heap, which finishes a lazy sweep at once): 3000 lists with storage,
 * every third one dropped, collected; the survivors grow and new garbage is
 * made while pools are still unswept; counts and collection results agree
 * exactly, and the end state has the same live objects and bytes. */
static void lazy_program(struct t *t, const char *lazy, int64_t out[5])
{
    struct gclab_kv kv[] = { { "lazy_sweep", lazy }, { "min_heap", "100000000000" } };
    gclab_heap *h = ms_heap(2, kv, 0);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 3), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    for (int i = 0; i < 3000; i++) {
        T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
        T_EQ(t, gclab_int_new(h, 2, 1000 + i), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    }
    for (int i = 0; i < 3000; i += 3) {
        T_EQ(t, gclab_none(h, 1), GCLAB_OK);
        T_EQ(t, gclab_list_set(h, 0, i, 1), GCLAB_OK);
    }
    int64_t found = -1;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    out[0] = found;
    struct alloc_stats as;                         /* the allocator lags behind while unswept */
    alloc_get_stats(core_allocator(h), &as);
    out[4] = (int64_t)as.live_objects - (int64_t)stats(h).live_objects;
    for (int i = 1; i < 3000; i += 3) {            /* survivors grow: storage freed into unswept pools */
        T_EQ(t, gclab_list_get(h, 1, 0, i), GCLAB_OK);
        for (int k = 0; k < 6; k++) {
            T_EQ(t, gclab_int_new(h, 2, 5000 + k), GCLAB_OK);
            T_EQ(t, gclab_list_append(h, 1, 2), GCLAB_OK);
        }
    }
    for (int i = 0; i < 500; i++)
        T_EQ(t, gclab_list_new(h, 2), GCLAB_OK);   /* garbage */
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    out[1] = found;
    out[2] = (int64_t)stats(h).live_objects;
    out[3] = (int64_t)stats(h).live_bytes;
    T_EQ(t, marksweep()->verify(h, 2), 0);            /* finishes the sweep, then checks M1, M5 */
    gclab_heap_free(h);
}

static void test_lazy_sweep_gives_the_eager_sweeps_results(struct t *t)
{
    int64_t eager[5], lazy[5];
    lazy_program(t, "0", eager);
    lazy_program(t, "1", lazy);
    T_EQ(t, eager[0], 2000);                       /* 1000 lists and their 1000 ints */
    for (int i = 0; i < 4; i++)
        T_EQ(t, lazy[i], eager[i]);
    /* The allocator counts storage blocks too; eagerly it is exact, lazily the
     * 3000 dead blocks (1000 lists, their item arrays, 1000 ints) are still
     * counted: the sweep was really left to allocation. */
    T_EQ(t, lazy[4], eager[4] + 3000);
}

/* ---- trigger and limit ---------------------------------------------- */

/* min_heap=1 MiB, heap_factor=2: allocating 100000 dropped ints (64-byte
 * blocks, 56 bytes counted) with nothing kept collects exactly when live
 * bytes pass 1 MiB: floor(100000 / (1 MiB / 56 + 1)) times. */
static void test_collections_follow_the_heap_factor_trigger(struct t *t)
{
    struct gclab_kv kv[] = { { "min_heap", "1048576" }, { "heap_factor", "2" } };
    gclab_heap *h = ms_heap(2, kv, 0);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    uint64_t before = stats(h).collections[0];
    uint64_t live0 = stats(h).live_bytes;
    for (int i = 0; i < 100000; i++)
        T_EQ(t, gclab_int_new(h, 0, 1000 + i), GCLAB_OK);
    /* one int lives (the slot) plus core's roots; each collection leaves
     * live0 + 56 and the next fires when live + 56 > 1 MiB */
    uint64_t per = (1048576 - live0 - 56) / 56 + 1;
    T_EQ(t, stats(h).collections[0] - before, (100000 - 1) / per);
    gclab_heap_free(h);
}

/* --heap-size 1 MiB: the heap_factor rule and min_heap (here 100 GB, which
 * alone would never collect) are off; the engine collects when the heap is
 * full, at 7/8 of it (the storage headroom): 100000 dropped ints collect
 * exactly floor(99999 / per) times, per = (917504 - live0 - 56) / 56 + 1. */
static void test_fixed_heap_size_collects_when_full_whatever_the_factor(struct t *t)
{
    char err[256];
    struct gclab_kv kv[] = { { "min_heap", "100000000000" }, { "heap_factor", "8" } };
    struct gclab_config cfg = { .nparams = 2, .params = kv, .heap_size = 1 << 20 };
    gclab_heap *h = gclab_heap_new("marksweep", &cfg, err, sizeof err);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 1), GCLAB_OK);
    uint64_t before = stats(h).collections[0];
    uint64_t live0 = stats(h).live_bytes;
    for (int i = 0; i < 100000; i++)
        T_EQ(t, gclab_int_new(h, 0, 1000 + i), GCLAB_OK);
    uint64_t per = ((1 << 20) - (1 << 17) - live0 - 56) / 56 + 1;
    T_EQ(t, stats(h).collections[0] - before, (100000 - 1) / per);
    T_CHECK(t, stats(h).peak_live_bytes <= (1 << 20) - (1 << 17));
    gclab_heap_free(h);
}

/* A fixed heap is also a limit: keeping every string ends in MemoryError
 * with the limit's message once 1 MiB of live bytes is reached. */
static void test_fixed_heap_size_is_also_a_limit(struct t *t)
{
    char err[256];
    struct gclab_config cfg = { .heap_size = 1 << 20 };
    gclab_heap *h = gclab_heap_new("marksweep", &cfg, err, sizeof err);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    gclab_status st = GCLAB_OK;
    for (int kept = 0; st == GCLAB_OK && kept < 1000000; kept++) {
        st = gclab_str_new(h, 0, "0123456789abcdef0123456789", 26);
        if (st == GCLAB_OK)
            st = gclab_list_append(h, 1, 0);
    }
    T_EQ(t, st, GCLAB_EMEMORY);
    T_STREQ(t, gclab_error(h), "heap limit reached (1048576 bytes)");
    T_CHECK(t, stats(h).peak_live_bytes <= (1 << 20));
    gclab_heap_free(h);
}

/* A 1 MiB heap limit: a loop keeping nothing never fails (collections make
 * room); keeping everything ends in MemoryError with the limit's message,
 * not a crash, and the heap stays usable after a drop. */
static void test_heap_limit_collects_first_then_raises_memory_error(struct t *t)
{
    gclab_heap *h = ms_heap(0, NULL, 1 << 20);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 2), GCLAB_OK);
    for (int i = 0; i < 100000; i++)
        T_EQ(t, gclab_str_new(h, 0, "0123456789abcdef0123456789", 26), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    gclab_status st = GCLAB_OK;
    int kept = 0;
    while (st == GCLAB_OK && kept < 1000000) {
        st = gclab_str_new(h, 0, "0123456789abcdef0123456789", 26);
        if (st == GCLAB_OK)
            st = gclab_list_append(h, 1, 0);
        kept++;
    }
    T_EQ(t, st, GCLAB_EMEMORY);
    T_STREQ(t, gclab_error(h), "heap limit reached (1048576 bytes)");
    gclab_error_clear(h);
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_str_new(h, 0, "again", 5), GCLAB_OK);
    T_CHECK(t, stats(h).live_bytes <= (1 << 20));
    gclab_heap_free(h);
}

/* ---- weakrefs and finalizers ---------------------------------------- */

static int64_t cb_runs, del_runs;

static gclab_status cb_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h; (void)ctx; (void)code;
    cb_runs++;
    return GCLAB_OK;
}

/* __del__ stores self in the global "saved": resurrection. */
static gclab_status resurrect_fn(gclab_heap *h, void *ctx, int64_t code)
{
    (void)ctx; (void)code;
    del_runs++;
    return gclab_global_set(h, gclab_intern(h, "saved"), 0);
}

/* Two weakrefs with callbacks to one dead instance: the one held in a slot
 * gets its callback, the one that dies with the instance does not; both
 * read None afterwards (the live one) or are gone. */
static void test_callback_runs_only_for_a_reachable_weakref(struct t *t)
{
    gclab_heap *h = ms_heap(0, NULL, 0);
    gclab_name w = gclab_intern(h, "w");
    T_CHECK(t, h);
    cb_runs = 0;
    T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 0, "cb", cb_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 3, 2, 0), GCLAB_OK);    /* kept in slot 3 */
    T_EQ(t, gclab_weakref_new(h, 4, 2, 0), GCLAB_OK);    /* held only by the instance */
    T_EQ(t, gclab_attr_set(h, 2, w, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 4), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    int64_t found;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 2);
    T_EQ(t, cb_runs, 1);
    T_EQ(t, gclab_weakref_get(h, 2, 3), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 2), GCLAB_K_NONE);
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 0);
    T_EQ(t, cb_runs, 1);
    gclab_heap_free(h);
}

/* An instance whose __del__ saves itself survives (with what it holds),
 * its weakref is cleared first, and when dropped again it is freed
 * without a second __del__. */
static void test_resurrected_object_survives_and_is_finalized_once(struct t *t)
{
    gclab_heap *h = ms_heap(0, NULL, 0);
    gclab_name x = gclab_intern(h, "x");
    T_CHECK(t, h);
    del_runs = 0;
    T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 0, "__del__", resurrect_fn, NULL, 0, 1, 1), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 1, "C", -1, 0), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 2, 1), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 3, 4242), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 2, x, 3), GCLAB_OK);
    T_EQ(t, gclab_weakref_new(h, 4, 2, -1), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    int64_t found, v;
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 2);               /* the instance and its int */
    T_EQ(t, del_runs, 1);
    T_EQ(t, gclab_weakref_get(h, 3, 4), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 3), GCLAB_K_NONE);
    T_EQ(t, gclab_global_get(h, 2, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, gclab_attr_get(h, 3, 2, x), GCLAB_OK);
    T_EQ(t, gclab_int_value(h, 3, &v), GCLAB_OK);
    T_EQ(t, v, 4242);
    T_EQ(t, gclab_clear(h, 3), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, gclab_global_del(h, gclab_intern(h, "saved")), GCLAB_OK);
    T_EQ(t, gclab_gc_collect(h, 0, &found), GCLAB_OK);
    T_EQ(t, found, 2);
    T_EQ(t, del_runs, 1);
    gclab_heap_free(h);
}

/* Bad knobs are refused with a message, not a crash. */
static void test_bad_heap_factor_is_refused(struct t *t)
{
    char err[256];
    struct gclab_kv kv[] = { { "heap_factor", "0.5" } };
    struct gclab_config cfg = { .nparams = 1, .params = kv };
    T_CHECK(t, gclab_heap_new("marksweep", &cfg, err, sizeof err) == NULL);
    T_STREQ(t, err, "parameter heap_factor=0.5: out of range (heap_factor takes a number in 1..1e+06)");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    T_RUN(test_lazy_sweep_gives_the_eager_sweeps_results);
    T_RUN(test_ten_million_node_chain_collects_on_a_small_stack);
    T_RUN(test_ten_million_wide_list_collects_on_a_small_stack);
    T_RUN(test_fixed_heap_size_collects_when_full_whatever_the_factor);
    T_RUN(test_fixed_heap_size_is_also_a_limit);
    T_RUN(test_tiny_mark_stack_overflows_and_still_marks_everything);
    T_RUN(test_collections_follow_the_heap_factor_trigger);
    T_RUN(test_heap_limit_collects_first_then_raises_memory_error);
    T_RUN(test_callback_runs_only_for_a_reachable_weakref);
    T_RUN(test_resurrected_object_survives_and_is_finalized_once);
    T_RUN(test_bad_heap_factor_is_refused);
    return t_done();
}
