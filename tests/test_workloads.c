/* test_workloads.c — every workload at a small size on every registered
 * engine (so engines merged later are covered without a change here), under
 * ASan+UBSan. Each test computes what the workload must report from the
 * workload's definition — a closed formula, or a replay of its seeded model
 * — never from a run:
 *   result          the same on every engine;
 *   leaked          what the CLI reports after dropping every root and a full
 *                   collection: everything allocated plus core's 3 root
 *                   containers on an engine that neither counts nor traces
 *                   (nogc), exactly the cyclic garbage on one that counts
 *                   but does not collect cycles (rc), 0 on one that collects
 *                   cycles precisely (not checked on a conservative one);
 *   finalizers_run  none without finalizers, only the acyclic ones without
 *                   a cycle collector, all of them otherwise.
 * Expectations come from the engine's caps, never from its name.
 */
#include "engine.h"
#include "t.h"
#include "workload.h"

/* What one run reported. */
struct outcome {
    gclab_status st;
    int64_t result, leaked, finalizers;
    char err[256];
};

/* Run workload wl on engine e with params, as `gclab run` does. */
static struct outcome run_one(const char *engine, const char *wl, const struct gclab_kv *params,
                              size_t np, uint64_t seed)
{
    struct outcome o = { 0 };
    char err[256];
    gclab_heap *h = gclab_heap_new(engine, NULL, err, sizeof err);
    if (!h) {
        o.st = GCLAB_EUSAGE;
        snprintf(o.err, sizeof o.err, "%s", err);
        return o;
    }
    struct wl_ctx ctx = { .wl = workload_find(wl), .nparams = np, .params = params, .seed = seed };
    o.st = ctx.wl ? ctx.wl->run(h, &ctx) : GCLAB_EUSAGE;
    if (o.st == GCLAB_OK && !ctx.measured)
        o.st = GCLAB_EUSAGE;
    snprintf(o.err, sizeof o.err, "%s", ctx.wl ? gclab_error(h) : "unknown workload");
    int64_t found;
    gclab_heap_drop_roots(h);
    gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
    struct gclab_stats end;
    gclab_heap_stats(h, &end);
    o.result = ctx.result;
    o.leaked = (int64_t)end.live_objects;
    o.finalizers = (int64_t)(ctx.end.st.finalizers_run - ctx.begin.st.finalizers_run);
    gclab_heap_free(h);
    return o;
}

/* What the definition says: the result, objects allocated by the workload,
 * what rc leaks (cyclic garbage and what it holds), and finalizer calls of
 * acyclic (acyc_fin) and of all (all_fin) finalizable objects. */
struct expect {
    int64_t result, objects, rc_leaked, acyc_fin, all_fin;
};

enum { ROOT_CONTAINERS = 3 };   /* globals dict, gc.garbage, gc.callbacks: made by every heap */

/* Run wl on every engine and compare with x; a mismatch names the engine. */
static void check_all_engines(struct t *t, const char *wl, const struct gclab_kv *params, size_t np,
                              uint64_t seed, struct expect x)
{
    for (int i = 0; gclab_engine_at(i); i++) {
        const struct gclab_engine *e = gclab_engine_at(i);
        struct outcome o = run_one(e->name, wl, params, np, seed);
        char msg[512];
        int64_t leaked = !e->caps.collects_cycles ? (e->caps.refcounts ? x.rc_leaked : ROOT_CONTAINERS + x.objects) : 0;
        int64_t fin = !e->caps.finalizers ? 0 : e->caps.collects_cycles ? x.all_fin : x.acyc_fin;
        if (o.st != GCLAB_OK) {
            snprintf(msg, sizeof msg, "%s on %s failed: %s: %s", wl, e->name, gclab_status_name(o.st), o.err);
        } else if (o.result != x.result) {
            snprintf(msg, sizeof msg, "%s on %s: result %lld, want %lld", wl, e->name, (long long)o.result,
                     (long long)x.result);
        } else if (e->caps.precise && o.leaked != leaked) {
            snprintf(msg, sizeof msg, "%s on %s: leaked %lld, want %lld", wl, e->name, (long long)o.leaked,
                     (long long)leaked);
        } else if (o.finalizers != fin) {
            snprintf(msg, sizeof msg, "%s on %s: finalizers_run %lld, want %lld", wl, e->name,
                     (long long)o.finalizers, (long long)fin);
        } else {
            continue;
        }
        t_fail(t, __FILE__, __LINE__, msg);
        return;
    }
}

#define KV(k, v) { k, v }
#define NP(a) (sizeof(a) / sizeof((a)[0]))

/* Ints above 256 are objects; -5..256 are shared. */
static int64_t int_objects(int64_t v) { return v < -5 || v > 256; }

static int64_t tree_size(int d) { return ((int64_t)1 << (d + 1)) - 1; }

/* GCBench nodes at stretch 7, long-lived 5, depths 2, 4, 6. */
static int64_t gcbench_nodes(void)
{
    int64_t n = tree_size(7) + tree_size(5);
    for (int d = 2; d <= 6; d += 2)
        n += 2 * (2 * tree_size(7) / tree_size(d)) * tree_size(d);
    return n;
}

static const struct gclab_kv gcbench_small[] = {
    KV("stretch_depth", "7"), KV("long_lived_depth", "5"), KV("array_size", "2500"),
    KV("min_depth", "2"), KV("max_depth", "6"),
};

/* Every node is walked once; rc frees all (no cycles). */
static void test_gcbench_counts_every_node_and_leaks_nothing_on_rc(struct t *t)
{
    int64_t n = gcbench_nodes();
    /* 255 + 63 + depth 2: 2*(510/7)*7 = 1008, depth 4: 2*(510/31)*31 = 992, depth 6: 2*(510/127)*127 = 1016 */
    T_EQ(t, n, 255 + 63 + 1008 + 992 + 1016);
    check_all_engines(t, "gcbench", gcbench_small, NP(gcbench_small), 1,
                      (struct expect){ .result = n, .objects = n + 2, .rc_leaked = 0 });
}

/* Same nodes; on rc every node (all in cyclic trees) and class Node leak, the array does not. */
static void test_gcbench_cyclic_leaks_every_node_and_the_class_on_rc(struct t *t)
{
    int64_t n = gcbench_nodes();
    check_all_engines(t, "gcbench_cyclic", gcbench_small, NP(gcbench_small), 1,
                      (struct expect){ .result = n, .objects = n + 2, .rc_leaked = n + 1 });
}

/* A bad shape is a ValueError, not a crash. */
static void test_gcbench_rejects_min_depth_above_max_depth(struct t *t)
{
    const struct gclab_kv p[] = { KV("min_depth", "8"), KV("max_depth", "6") };
    struct outcome o = run_one("nogc", "gcbench", p, NP(p), 1);
    T_EQ(t, o.st, GCLAB_EVALUE);
}

/* binarytrees depth 6: checks 255 + 64*31 + 16*127 + 127. */
static void test_binarytrees_checks_4398_nodes(struct t *t)
{
    const struct gclab_kv p[] = { KV("depth", "6") };
    int64_t n = 255 + 64 * 31 + 16 * 127 + 127;
    check_all_engines(t, "binarytrees", p, NP(p), 1, (struct expect){ .result = n, .objects = n });
}

/* linkedlist 300 x 3: walks sum 1..300 per round; ints 257..300 are objects. */
static void test_linkedlist_sums_every_walk(struct t *t)
{
    const struct gclab_kv p[] = { KV("length", "300"), KV("rounds", "3") };
    check_all_engines(t, "linkedlist", p, NP(p), 1,
                      (struct expect){ .result = 3 * 300 * 301 / 2, .objects = 1 + 3 * (300 + 44) });
}

/* rings 5 x 4 x 3 rounds: rc leaks every node and class Node. */
static void test_rings_leak_exactly_their_nodes_on_rc(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "5"), KV("size", "4"), KV("rounds", "3") };
    check_all_engines(t, "rings", p, NP(p), 1,
                      (struct expect){ .result = 60, .objects = 1 + 3 * (1 + 20), .rc_leaked = 60 + 1 });
}

/* A one-node ring is a node pointing to itself: a cycle too. */
static void test_rings_of_one_node_are_self_cycles(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "3"), KV("size", "1"), KV("rounds", "2") };
    check_all_engines(t, "rings", p, NP(p), 1,
                      (struct expect){ .result = 6, .objects = 1 + 2 * (1 + 3), .rc_leaked = 6 + 1 });
}

/* listrings 7 x 3: 21 lists in rings nobody collects explicitly; rc leaks them all. */
static void test_listrings_leak_every_list_on_rc(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "7"), KV("size", "3") };
    check_all_engines(t, "listrings", p, NP(p), 1,
                      (struct expect){ .result = 21, .objects = 21, .rc_leaked = 21 });
}

/* traversal 30 lists x 2 rounds: 435 edges validated per round. */
static void test_traversal_validates_every_edge(struct t *t)
{
    const struct gclab_kv p[] = { KV("lists", "30"), KV("rounds", "2") };
    check_all_engines(t, "traversal", p, NP(p), 1, (struct expect){ .result = 2 * 435, .objects = 31 });
}

/* churn 1000, one in 7 kept. */
static void test_churn_keeps_one_in_keep_every(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "1000"), KV("keep_every", "7") };
    check_all_engines(t, "churn", p, NP(p), 1, (struct expect){ .result = 143, .objects = 1 + 1000 });
}

/* weakcache, replayed on its model: determined lookups and allocations. */
static void test_weakcache_agrees_with_its_model(struct t *t)
{
    enum { KEYS = 300, DROP = 30, STEPS = 3000 };
    const struct gclab_kv p[] = { KV("keys", "300"), KV("drop_percent", "30"), KV("steps", "3000") };
    bool held[KEYS] = { 0 }, cached[KEYS] = { 0 };
    uint64_t rng = 7;
    int64_t result = 0, objects = 3, determined = 0;
    for (int s = 0; s < STEPS; s++) {
        uint64_t r = wl_rand(&rng);
        int64_t k = (int64_t)(r % KEYS), d = (int64_t)((r >> 32) % 100);
        objects += int_objects(k);
        if (cached[k] && held[k]) {
            result += k + 1;
            determined++;
        }
        if (held[k] && d < DROP) {
            held[k] = false;
        } else if (!held[k]) {
            held[k] = cached[k] = true;
            objects += 2;
        }
    }
    T_CHECK(t, determined > 100);   /* the test exercises lookups at all */
    check_all_engines(t, "weakcache", p, NP(p), 7, (struct expect){ .result = result, .objects = objects });
}

/* finalizers 50 rounds of 3 + 2x2 + 1: rc finalizes 200 and leaks the 200 in cycles with F and __del__. */
static void test_finalizers_run_once_each_where_the_engine_can(struct t *t)
{
    const struct gclab_kv p[] = { KV("rounds", "50"), KV("acyclic", "3"), KV("cycles", "2"), KV("resurrect", "1") };
    int64_t result = 0, n = 50 * (3 + 4 + 1);
    for (int64_t m = 0; m < n; m++)
        result += m % 200 + 1;
    check_all_engines(t, "finalizers", p, NP(p), 1,
                      (struct expect){ .result = result, .objects = 2 + n, .rc_leaked = 50 * 4 + 2,
                                       .acyc_fin = 50 * (3 + 1), .all_fin = n });
}

/* Without cycles nothing leaks on rc, and the class and __del__ go too. */
static void test_finalizers_without_cycles_leak_nothing_on_rc(struct t *t)
{
    const struct gclab_kv p[] = { KV("rounds", "20"), KV("acyclic", "2"), KV("cycles", "0"), KV("resurrect", "2") };
    check_all_engines(t, "finalizers", p, NP(p), 1,
                      (struct expect){ .result = 80 * 81 / 2, .objects = 2 + 80, .rc_leaked = 0,
                                       .acyc_fin = 80, .all_fin = 80 });
}

/* recursion 50 deep, churn 2, 3 rounds: 4 objects per frame. */
static void test_recursion_sums_every_level(struct t *t)
{
    const struct gclab_kv p[] = { KV("depth", "50"), KV("churn", "2"), KV("rounds", "3") };
    check_all_engines(t, "recursion", p, NP(p), 1,
                      (struct expect){ .result = 3 * 50 * 51 / 2, .objects = 1 + 3 * 50 * 4 });
}

/* Deeper than the shadow stack allows is a ValueError. */
static void test_recursion_rejects_depth_beyond_the_shadow_stack(struct t *t)
{
    const struct gclab_kv p[] = { KV("depth", "20000") };
    struct outcome o = run_one("nogc", "recursion", p, NP(p), 1);
    T_EQ(t, o.st, GCLAB_EVALUE);
}

/* globalleak 1000, one in 7: the registry holds i + 1000 for i = 0, 7, ..., 994. */
static void test_globalleak_registry_holds_every_seventh(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "1000"), KV("leak_every", "7") };
    int64_t result = 0;
    for (int64_t i = 0; i < 1000; i += 7)
        result += i + 1000;
    check_all_engines(t, "globalleak", p, NP(p), 1, (struct expect){ .result = result, .objects = 1 + 2000 });
}

/* fragment: every tag 1..steps is read back exactly once. */
static void test_fragment_reads_back_every_tag(struct t *t)
{
    const struct gclab_kv p[] = { KV("steps", "2000"), KV("entries", "50"), KV("large_percent", "10"),
                                  KV("small_max", "64"), KV("large_min", "1000"), KV("large_max", "5000") };
    check_all_engines(t, "fragment", p, NP(p), 5, (struct expect){ .result = 2000 * 2001 / 2, .objects = 1 + 2000 });
}

/* lifetimes, replayed: the non-young objects' tags. */
static void test_lifetimes_reads_back_every_survivor(struct t *t)
{
    const struct gclab_kv p[] = { KV("n", "3000"), KV("young_percent", "60"), KV("old_percent", "10"),
                                  KV("window", "50") };
    uint64_t rng = 3;
    int64_t result = 0;
    for (int64_t i = 0; i < 3000; i++)
        if (wl_rand(&rng) % 100 >= 60)
            result += i + 1000;
    check_all_engines(t, "lifetimes", p, NP(p), 3, (struct expect){ .result = result, .objects = 2 + 2 * 3000 });
}

/* sustained 1 MiB = 4096 entries, 3000 steps: tags 1..7096; tags 1..256 are shared ints. */
static void test_sustained_reads_back_every_tag(struct t *t)
{
    const struct gclab_kv p[] = { KV("live_mb", "1"), KV("steps", "3000") };
    int64_t n = 4096 + 3000;
    check_all_engines(t, "sustained", p, NP(p), 9,
                      (struct expect){ .result = n * (n + 1) / 2, .objects = 1 + 3 * n - 256 });
}

/* requestcycles 30 requests of 2 KiB, 4 headers: rc leaks every request
 * (2 instances, the headers list, the body, 4 tuples) and both classes. */
static void test_requestcycles_leak_every_request_on_rc(struct t *t)
{
    const struct gclab_kv p[] = { KV("requests", "30"), KV("payload_kb", "2"), KV("span", "4") };
    check_all_engines(t, "requestcycles", p, NP(p), 1,
                      (struct expect){ .result = 30 * 29 / 2, .objects = 30 * 8 + 2, .rc_leaked = 30 * 8 + 2 });
}

/* tempclasses 25 rounds of 3 fields, 2 kept: 23 states checked (indexes 1+2+3
 * each); rc leaks all 25 states (class, its dict, meta, list, proto, fields)
 * and 2 classes. */
static void test_tempclasses_check_every_dropped_state(struct t *t)
{
    const struct gclab_kv p[] = { KV("rounds", "25"), KV("fields", "3"), KV("keep", "2") };
    check_all_engines(t, "tempclasses", p, NP(p), 1,
                      (struct expect){ .result = 23 * 6, .objects = 25 * 8 + 2 + 1, .rc_leaked = 25 * 8 + 2 });
}

/* fastcycles 33 lists of 4 nodes in batches of 5 (30 walked), a 7-node long
 * list: rc leaks every node and the class. */
static void test_fastcycles_walk_every_full_batch(struct t *t)
{
    const struct gclab_kv p[] = { KV("iterations", "33"), KV("depth", "3"), KV("long_depth", "6"), KV("batch", "5") };
    check_all_engines(t, "fastcycles", p, NP(p), 1,
                      (struct expect){ .result = 30 * 4, .objects = 7 + 33 * 4 + 1 + 1, .rc_leaked = 7 + 33 * 4 + 1 });
}

/* Every workload in the table is registered. */
static void test_every_workload_is_registered(struct t *t)
{
    static const char *names[] = { "gcbench", "gcbench_cyclic", "binarytrees", "linkedlist", "rings",
                                   "traversal", "churn", "weakcache", "finalizers", "recursion",
                                   "globalleak", "fragment", "lifetimes", "sustained", "listrings",
                                   "requestcycles", "tempclasses", "fastcycles" };
    int n = 0;
    while (workload_at(n))
        n++;
    T_EQ(t, n, NP(names));
    for (size_t i = 0; i < NP(names); i++)
        T_STREQ(t, workload_at((int)i)->name, names[i]);
}

int main(void)
{
    T_RUN(test_every_workload_is_registered);
    T_RUN(test_gcbench_counts_every_node_and_leaks_nothing_on_rc);
    T_RUN(test_gcbench_cyclic_leaks_every_node_and_the_class_on_rc);
    T_RUN(test_gcbench_rejects_min_depth_above_max_depth);
    T_RUN(test_binarytrees_checks_4398_nodes);
    T_RUN(test_linkedlist_sums_every_walk);
    T_RUN(test_rings_leak_exactly_their_nodes_on_rc);
    T_RUN(test_rings_of_one_node_are_self_cycles);
    T_RUN(test_listrings_leak_every_list_on_rc);
    T_RUN(test_traversal_validates_every_edge);
    T_RUN(test_churn_keeps_one_in_keep_every);
    T_RUN(test_weakcache_agrees_with_its_model);
    T_RUN(test_finalizers_run_once_each_where_the_engine_can);
    T_RUN(test_finalizers_without_cycles_leak_nothing_on_rc);
    T_RUN(test_recursion_sums_every_level);
    T_RUN(test_recursion_rejects_depth_beyond_the_shadow_stack);
    T_RUN(test_globalleak_registry_holds_every_seventh);
    T_RUN(test_fragment_reads_back_every_tag);
    T_RUN(test_lifetimes_reads_back_every_survivor);
    T_RUN(test_sustained_reads_back_every_tag);
    T_RUN(test_requestcycles_leak_every_request_on_rc);
    T_RUN(test_tempclasses_check_every_dropped_state);
    T_RUN(test_fastcycles_walk_every_full_batch);
    return t_done();
}
