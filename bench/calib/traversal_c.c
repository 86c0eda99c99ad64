/* traversal_c.c — the `traversal` workload's graph in plain C, marked the way
 * a tracing collector marks it: the mark-rate calibration.
 *
 * The graph of workloads/traversal.c: `lists` lists, list i holding lists
 * 0..i-1 (lists * (lists - 1) / 2 edges), and one list `all` holding every
 * list. A list is a length and a malloc'd array of pointers, as gclab's
 * obj_list is (header aside). Each of `rounds` rounds clears the marks, then
 * marks from `all` with an explicit stack (no recursion), testing each edge's
 * target before pushing it, and checks that all lists + 1 were marked. The
 * time is the marking alone (CLOCK_THREAD_CPUTIME_ID and monotonic), so
 * objects/s and edges/s compare with marksweep's gc_cpu_s on `traversal`
 * (where each collection also sweeps and frees nothing).
 *
 * Output: one JSON line shaped like a `gclab run --json` record (engine
 * "c-mark", workload "traversal"), with objects_marked, edges_traced and the
 * rates. Usage: traversal-c [lists=N] [rounds=N] (defaults 1000, 120).
 * Exit status: 0, 1 when a round marks the wrong count, 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct list { uint8_t mark; size_t len; struct list **items; };

static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long arg(const char *s, const char *key, long dflt, int *bad)
{
    size_t k = strlen(key);
    if (strncmp(s, key, k) || s[k] != '=')
        return dflt;
    char *end;
    long v = strtol(s + k + 1, &end, 10);
    if (*end || end == s + k + 1 || v < 0)
        *bad = 1;
    return v;
}

int main(int argc, char **argv)
{
    long n = 1000, rounds = 120;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        long nn = arg(argv[i], "lists", n, &bad), rr = arg(argv[i], "rounds", rounds, &bad);
        if (bad || (nn == n && rr == rounds && strncmp(argv[i], "lists=", 6) && strncmp(argv[i], "rounds=", 7))) {
            fprintf(stderr, "usage: %s [lists=N] [rounds=N]\n", argv[0]);
            return 2;
        }
        n = nn;
        rounds = rr;
    }
    if (n > 100000) {
        fprintf(stderr, "traversal-c: lists must be at most 100000\n");
        return 2;
    }
    struct list **lists = malloc(((size_t)n + 1) * sizeof *lists);
    if (!lists)
        return 1;
    for (long i = 0; i < n; i++) {
        struct list *l = malloc(sizeof *l);
        if (!l || (i && !(l->items = malloc((size_t)i * sizeof *l->items))))
            return 1;
        l->mark = 0;
        l->len = (size_t)i;
        for (long j = 0; j < i; j++)
            l->items[j] = lists[j];
        lists[i] = l;
    }
    struct list all = { 0, (size_t)n, lists };
    struct list **stack = malloc(((size_t)n + 1) * sizeof *stack);   /* each list pushed once */
    if (!stack)
        return 1;

    uint64_t wall = 0, cpu = 0, max = 0, marked = 0, edges = 0;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < n; i++)
            lists[i]->mark = 0;
        all.mark = 0;
        uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        size_t sp = 0, count = 0;
        all.mark = 1;
        stack[sp++] = &all;
        while (sp) {
            struct list *l = stack[--sp];
            count++;
            for (size_t j = 0; j < l->len; j++) {
                struct list *c = l->items[j];
                if (!c->mark) {
                    c->mark = 1;
                    stack[sp++] = c;
                }
            }
            edges += l->len;
        }
        uint64_t dw = now_ns(CLOCK_MONOTONIC) - w0;
        wall += dw;
        cpu += now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (dw > max)
            max = dw;
        marked += count;
        if (count != (size_t)n + 1) {
            fprintf(stderr, "traversal-c: round %ld marked %zu lists, not %ld\n", r, count, n + 1);
            return 1;
        }
    }
    double cpu_s = (double)cpu / 1e9;
    printf("{\"engine\":\"c-mark\",\"workload\":\"traversal\",\"params\":{\"lists\":\"%ld\",\"rounds\":\"%ld\"},"
           "\"result\":%llu,\"objects_marked\":%llu,\"edges_traced\":%llu,\"wall_s\":%.9f,\"cpu_s\":%.9f,"
           "\"gc_s\":%.9f,\"gc_cpu_s\":%.9f,\"collections\":[%ld],"
           "\"pauses\":{\"count\":%ld,\"total_s\":%.9f,\"max_s\":%.9f},"
           "\"objects_per_s\":%.1f,\"edges_per_s\":%.1f}\n",
           n, rounds, (unsigned long long)(rounds * n * (n - 1) / 2), (unsigned long long)marked,
           (unsigned long long)edges, (double)wall / 1e9, cpu_s, (double)wall / 1e9, cpu_s, rounds, rounds,
           (double)wall / 1e9, (double)max / 1e9, cpu_s > 0 ? (double)marked / cpu_s : 0,
           cpu_s > 0 ? (double)edges / cpu_s : 0);
    return 0;
}
