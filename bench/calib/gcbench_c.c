/* gcbench_c.c — Boehm's GCBench written directly in C: the calibration that
 * says what gclab's object model costs over the machine.
 *
 * The same program as workloads/gcbench.c (which see), node for node:
 * TreeSize(d) = 2^(d+1) - 1, NumIters(d) = 2 * TreeSize(stretch) / TreeSize(d);
 * a stretch tree built bottom-up, walked and dropped; a long-lived tree built
 * top-down and a long-lived array of array_size doubles (first half 1/i);
 * for d = min_depth, min_depth+2, ..., max_depth, NumIters(d) trees built
 * top-down then NumIters(d) built bottom-up, each walked and dropped; the
 * long-lived tree walked and array[1000] checked. Every tree is walked after
 * it is built, as in gclab's version, and `result` is the same node count.
 * A node is Boehm's C node: two child pointers and two ints (24 bytes).
 *
 * Built twice (Makefile, `make bench`):
 *   build/calib/gcbench-malloc  malloc, and free() of each dropped tree
 *                               (a post-order walk with an explicit stack);
 *   build/calib/gcbench-bdw     -DCALIB_BDW: GC_MALLOC from libgc, nothing
 *                               freed by hand; libgc's collections are timed
 *                               with its collection-event callback.
 * Output: one JSON line in the shape of a `gclab run --json` record (engine
 * "c-malloc" or "c-bdw", workload "gcbench"), so the matrix and the plots
 * read it beside gclab's records. gc_s is libgc's collection time (0 for
 * malloc: its cost is in cpu_s, and free_s says how much of it free() took).
 *
 * Usage: gcbench-malloc|gcbench-bdw [stretch_depth=N] [long_lived_depth=N]
 *        [min_depth=N] [max_depth=N] [array_size=N]   (defaults: gclab's)
 * Exit status: 0, 1 when a check fails, 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#if defined(CALIB_SHAPE_GCLAB) && !defined(CALIB_BDW)
#error "CALIB_SHAPE_GCLAB needs CALIB_BDW"
#endif
#ifdef CALIB_BDW
#include <gc/gc.h>
#ifdef CALIB_SHAPE_GCLAB
#define ENGINE "c-bdw-gclab-shape"
#else
#define ENGINE "c-bdw"
#endif
#define NEW_NODE() ((struct node *)GC_MALLOC(sizeof(struct node)))
#define NEW_ARRAY(n) ((double *)GC_MALLOC_ATOMIC((n) * sizeof(double)))
#else
#define ENGINE "c-malloc"
#define NEW_NODE() ((struct node *)calloc(1, sizeof(struct node)))
#define NEW_ARRAY(n) ((double *)calloc((n), sizeof(double)))
#endif

#ifdef CALIB_SHAPE_GCLAB
/* gclab's shape of a GCBench node, to tell libgc's cost on gclab's object
 * model from gclab's own overheads (bdw.c's top comment has the figures):
 * an 88-byte object (a 48-byte header and an instance's fields; libgc
 * rounds it to 96) scanned conservatively, and a second 64-byte block of
 * four (name, value) attribute pairs, as obj_instance's attrs array. Build:
 *   cc -O2 -DCALIB_BDW -DCALIB_SHAPE_GCLAB bench/calib/gcbench_c.c -lgc
 * (libgc only: drop() does not free the attribute block). */
static char shape_name[16];
struct node { uint64_t hdr[6]; struct node *left, *right; int i, j; void **attrs; void *fields[2]; };
#else
struct node { struct node *left, *right; int i, j; };
#endif

static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die_oom(void)
{
    fprintf(stderr, "gcbench-c: out of memory\n");
    exit(1);
}

static struct node *new_node(struct node *l, struct node *r)
{
    struct node *n = NEW_NODE();
    if (!n)
        die_oom();
    n->left = l;
    n->right = r;
#ifdef CALIB_SHAPE_GCLAB
    if (!(n->attrs = GC_MALLOC(8 * sizeof(void *))))
        die_oom();
    for (int k = 0; k < 8; k += 2)
        n->attrs[k] = shape_name;
    n->attrs[1] = l;
    n->attrs[3] = r;
#endif
    return n;
}

static int64_t tree_size(int d) { return ((int64_t)1 << (d + 1)) - 1; }

/* Recursion depth is the tree depth (at most 24), as in Boehm's program. */
static struct node *make_tree(int d)
{
    if (d <= 0)
        return new_node(NULL, NULL);
    struct node *l = make_tree(d - 1), *r = make_tree(d - 1);
    return new_node(l, r);
}

static void populate(int d, struct node *n)
{
    if (d <= 0)
        return;
    n->left = new_node(NULL, NULL);
    n->right = new_node(NULL, NULL);
#ifdef CALIB_SHAPE_GCLAB
    n->attrs[1] = n->left;
    n->attrs[3] = n->right;
#endif
    populate(d - 1, n->left);
    populate(d - 1, n->right);
}

static int64_t walk(const struct node *n)
{
    return n->left ? 1 + walk(n->left) + walk(n->right) : 1;
}

static uint64_t free_ns;

/* Free a dropped tree (malloc build); libgc's build leaves it to the collector. */
static void drop(struct node *root)
{
#ifdef CALIB_BDW
    (void)root;
#else
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    struct node *stack[64];
    int sp = 0;
    stack[sp++] = root;
    while (sp) {                       /* depth <= 24: at most 2 per level */
        struct node *n = stack[--sp];
        if (n->left) {
            stack[sp++] = n->left;
            stack[sp++] = n->right;
        }
        free(n);
    }
    free_ns += now_ns(CLOCK_MONOTONIC) - t0;
#endif
}

#ifdef CALIB_BDW
static uint64_t gc_ns, gc_cpu_ns, gc_start, gc_start_cpu, gc_max_ns, gc_count;
static void on_event(GC_EventType e)
{
    if (e == GC_EVENT_START) {
        gc_start = now_ns(CLOCK_MONOTONIC);
        gc_start_cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
    } else if (e == GC_EVENT_END) {
        uint64_t d = now_ns(CLOCK_MONOTONIC) - gc_start;
        gc_ns += d;
        gc_cpu_ns += now_ns(CLOCK_THREAD_CPUTIME_ID) - gc_start_cpu;
        if (d > gc_max_ns)
            gc_max_ns = d;
        gc_count++;
    }
}
#endif

static int check(const struct node *t, int d, int64_t *total)
{
    int64_t n = walk(t);
    if (n != tree_size(d)) {
        fprintf(stderr, "gcbench-c: a tree of depth %d has %lld nodes\n", d, (long long)n);
        return 0;
    }
    *total += n;
    return 1;
}

int main(int argc, char **argv)
{
    long sd = 16, ld = 14, mind = 4, maxd = 14, asize = 500000;
    struct { const char *k; long *v; } keys[] = {
        { "stretch_depth", &sd }, { "long_lived_depth", &ld }, { "min_depth", &mind },
        { "max_depth", &maxd }, { "array_size", &asize },
    };
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        size_t k;
        for (k = 0; eq && k < sizeof keys / sizeof keys[0]; k++)
            if (strlen(keys[k].k) == (size_t)(eq - argv[i]) && !strncmp(argv[i], keys[k].k, (size_t)(eq - argv[i])))
                break;
        char *end;
        if (!eq || k == sizeof keys / sizeof keys[0] || (*keys[k].v = strtol(eq + 1, &end, 10), *end) ||
            end == eq + 1) {
            fprintf(stderr, "usage: %s [stretch_depth=N] [long_lived_depth=N] [min_depth=N] "
                            "[max_depth=N] [array_size=N]\n", argv[0]);
            return 2;
        }
    }
    if (sd < 1 || sd > 24 || ld < 1 || ld > 24 || mind < 1 || maxd > sd || mind > maxd ||
        asize < 4 || asize > 100000000) {
        fprintf(stderr, "gcbench-c: need 1 <= min_depth <= max_depth <= stretch_depth <= 24, "
                        "1 <= long_lived_depth <= 24, 4 <= array_size <= 100000000\n");
        return 2;
    }
#ifdef CALIB_BDW
    GC_INIT();
    GC_set_on_collection_event(on_event);
#endif
    uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t total = 0;
    int ok = 1;
    struct node *t = make_tree((int)sd);
    ok &= check(t, (int)sd, &total);
    drop(t);

    struct node *longlived = new_node(NULL, NULL);
    populate((int)ld, longlived);
    double *array = NEW_ARRAY((size_t)asize);
    if (!array)
        die_oom();
    size_t half = (size_t)asize / 2, probe = half > 1000 ? 1000 : half - 1;
    for (size_t i = 0; i < half; i++)
        array[i] = 1.0 / (double)i;

    for (int d = (int)mind; d <= maxd; d += 2) {
        int64_t iters = 2 * tree_size((int)sd) / tree_size(d);
        for (int64_t i = 0; i < iters && ok; i++) {
            t = new_node(NULL, NULL);
            populate(d, t);
            ok &= check(t, d, &total);
            drop(t);
        }
        for (int64_t i = 0; i < iters && ok; i++) {
            t = make_tree(d);
            ok &= check(t, d, &total);
            drop(t);
        }
    }
    ok &= check(longlived, (int)ld, &total);
    if (array[probe] != 1.0 / (double)probe) {
        fprintf(stderr, "gcbench-c: array[%zu] is %g\n", probe, array[probe]);
        ok = 0;
    }
    uint64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    if (!ok)
        return 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
#ifdef CALIB_BDW
    double gc_s = (double)gc_ns / 1e9, gc_cpu_s = (double)gc_cpu_ns / 1e9, max_s = (double)gc_max_ns / 1e9;
    uint64_t ncoll = gc_count, peak_heap = GC_get_heap_size();
#else
    double gc_s = 0, gc_cpu_s = 0, max_s = 0;
    uint64_t ncoll = 0, peak_heap = 0;
#endif
    printf("{\"engine\":\"%s\",\"workload\":\"gcbench\",\"params\":{\"stretch_depth\":\"%ld\","
           "\"long_lived_depth\":\"%ld\",\"array_size\":\"%ld\",\"min_depth\":\"%ld\",\"max_depth\":\"%ld\"},"
           "\"result\":%lld,\"allocs\":%lld,\"node_bytes\":%zu,\"wall_s\":%.9f,\"cpu_s\":%.9f,"
           "\"gc_s\":%.9f,\"gc_cpu_s\":%.9f,\"free_s\":%.9f,\"collections\":[%llu],"
           "\"pauses\":{\"count\":%llu,\"total_s\":%.9f,\"max_s\":%.9f},"
           "\"peak_heap_bytes\":%llu,\"peak_rss_bytes\":%lld}\n",
           ENGINE, sd, ld, asize, mind, maxd, (long long)total, (long long)total + 1,
           sizeof(struct node), (double)(w1 - w0) / 1e9, (double)(c1 - c0) / 1e9, gc_s, gc_cpu_s,
           (double)free_ns / 1e9, (unsigned long long)ncoll, (unsigned long long)ncoll, gc_s, max_s,
           (unsigned long long)peak_heap, (long long)ru.ru_maxrss * 1024);
    return 0;
}
