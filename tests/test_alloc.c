/* test_alloc.c — unit tests for core/alloc.c: size classes, LIFO reuse, pool
 * and arena recycling, large blocks, exact accounting in both modes, realloc,
 * calloc, ASan poisoning of pooled blocks, marks mode's lazy and sticky
 * sweeps, and a randomized stress run
 * against a shadow model. */
#include "alloc.h"
#include "t.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static uintptr_t pool_base(const void *p)
{
    return (uintptr_t)p & ~(uintptr_t)(ALLOC_POOL_SIZE - 1);
}

static int aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }

static struct alloc_stats stats(alloc_t *a)
{
    struct alloc_stats s;
    alloc_get_stats(a, &s);
    return s;
}

/* Fill and verify a block with a pattern derived from a seed, so a block
 * that was overwritten by some other allocation is detected. */
static void fill(void *p, size_t n, uint32_t seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(seed * 31u + i * 7u + (i >> 8));
}

static int check_fill(const void *p, size_t n, uint32_t seed)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(seed * 31u + i * 7u + (i >> 8))) return 0;
    return 1;
}

/* The hidden header of a malloc'd block, measured rather than assumed. */
static uint64_t big_header(void)
{
    alloc_t *a = alloc_new(ALLOC_MALLOC);
    uint64_t h0 = stats(a).heap_bytes;
    void *p = alloc_malloc(a, 100);
    uint64_t h = stats(a).heap_bytes - h0 - 100;
    alloc_free(a, p, 100);
    alloc_destroy(a);
    return h;
}

static void test_rounded_size(struct t *t)
{
    T_EQ(t, alloc_rounded_size(1), 16);
    T_EQ(t, alloc_rounded_size(16), 16);
    T_EQ(t, alloc_rounded_size(17), 32);
    T_EQ(t, alloc_rounded_size(500), 512);
    T_EQ(t, alloc_rounded_size(512), 512);
    T_EQ(t, alloc_rounded_size(513), 513);
    T_EQ(t, alloc_rounded_size(100000), 100000);
    T_EQ(t, ALLOC_NCLASSES, 32);
}

/* Every request size 1..512: aligned, right class, whole rounded block
 * writable, and counters exact after each step. */
static void test_every_size_class(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    T_CHECK(t, a != NULL);
    T_EQ(t, alloc_mode_of(a), ALLOC_POOL);
    static void *ptr[ALLOC_SMALL_MAX + 1];
    uint64_t sum = 0;
    for (size_t n = 1; n <= ALLOC_SMALL_MAX; n++) {
        void *p = alloc_malloc(a, n);
        T_CHECK(t, p != NULL);
        T_CHECK(t, aligned16(p));
        size_t r = alloc_rounded_size(n);
        T_EQ(t, r, ((n + 15) / 16) * 16);
        fill(p, r, (uint32_t)n);
        ptr[n] = p;
        sum += n;
        struct alloc_stats s = stats(a);
        T_EQ(t, s.allocs, n);
        T_EQ(t, s.live_objects, n);
        T_EQ(t, s.live_bytes, sum);
        T_EQ(t, s.alloc_bytes, sum);
        T_EQ(t, s.peak_live_bytes, sum);
        T_EQ(t, s.freed_bytes, 0);
        T_EQ(t, s.heap_bytes, s.arenas_live * (uint64_t)ALLOC_ARENA_SIZE);
    }
    /* 32 classes x 1 pool each fit in one arena. */
    T_EQ(t, stats(a).arenas_mapped, 1);
    /* Same-class requests in a fresh pool are bumped contiguously, so a
     * block spans exactly its rounded size and no one wrote past it. */
    for (size_t n = 1; n <= ALLOC_SMALL_MAX; n++) {
        T_CHECK(t, check_fill(ptr[n], alloc_rounded_size(n), (uint32_t)n));
        if (n % 16 != 0) {
            size_t gap = (size_t)((char *)ptr[n + 1] - (char *)ptr[n]);
            T_EQ(t, gap, alloc_rounded_size(n));
            T_EQ(t, pool_base(ptr[n]), pool_base(ptr[n + 1]));
        }
    }
    /* 32 classes: 32 distinct pools. */
    for (size_t c = 0; c < ALLOC_NCLASSES; c++)
        for (size_t d = c + 1; d < ALLOC_NCLASSES; d++)
            T_CHECK(t, pool_base(ptr[c * 16 + 1]) != pool_base(ptr[d * 16 + 1]));
    for (size_t n = 1; n <= ALLOC_SMALL_MAX; n++) alloc_free(a, ptr[n], n);
    struct alloc_stats s = stats(a);
    T_EQ(t, s.frees, ALLOC_SMALL_MAX);
    T_EQ(t, s.live_objects, 0);
    T_EQ(t, s.live_bytes, 0);
    T_EQ(t, s.freed_bytes, sum);
    T_EQ(t, s.peak_live_objects, ALLOC_SMALL_MAX);
    T_EQ(t, s.arenas_live, 1); /* the cached empty arena */
    T_EQ(t, s.heap_bytes, ALLOC_ARENA_SIZE);
    alloc_destroy(a);
}

static void test_lifo_reuse(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    void *keep = alloc_malloc(a, 48); /* keeps the pool alive */
    void *x = alloc_malloc(a, 40);
    void *y = alloc_malloc(a, 33);
    T_CHECK(t, x != y);
    alloc_free(a, x, 40);
    alloc_free(a, y, 33);
    void *p1 = alloc_malloc(a, 48);
    void *p2 = alloc_malloc(a, 35);
    T_CHECK(t, p1 == y);
    T_CHECK(t, p2 == x);
    /* Free list empty again: the next block is a fresh bump block. */
    void *p3 = alloc_malloc(a, 48);
    T_CHECK(t, p3 != x && p3 != y && p3 != keep);
    T_EQ(t, pool_base(p3), pool_base(keep));
    alloc_free(a, p1, 48);
    alloc_free(a, p2, 35);
    alloc_free(a, p3, 48);
    alloc_free(a, keep, 48);
    T_EQ(t, stats(a).live_bytes, 0);
    alloc_destroy(a);
}

/* A pool whose last block is freed returns to its arena and can then serve
 * a different class. */
static void test_pool_reused_for_other_class(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    void *p = alloc_malloc(a, 16);
    uintptr_t pool = pool_base(p);
    alloc_free(a, p, 16);
    void *q = alloc_malloc(a, 512);
    T_CHECK(t, q != NULL);
    T_EQ(t, pool_base(q), pool);
    fill(q, 512, 9);
    /* And the old class gets a pool again without mapping a new arena. */
    void *r = alloc_malloc(a, 16);
    T_CHECK(t, pool_base(r) != pool);
    T_CHECK(t, check_fill(q, 512, 9));
    struct alloc_stats s = stats(a);
    T_EQ(t, s.arenas_mapped, 1);
    T_EQ(t, s.heap_bytes, ALLOC_ARENA_SIZE);
    alloc_free(a, q, 512);
    alloc_free(a, r, 16);
    alloc_destroy(a);
}

/* Fill one pool completely, free a block in it: the pool becomes usable
 * again and hands that block back before touching any other pool. */
static void test_full_pool_relinked(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    enum { MAXB = ALLOC_POOL_SIZE / 64 + 2 };
    void *b[MAXB];
    size_t k = 0;
    b[k++] = alloc_malloc(a, 64);
    uintptr_t pool = pool_base(b[0]);
    for (;;) {
        T_CHECK(t, k < MAXB);
        b[k] = alloc_malloc(a, 64);
        if (pool_base(b[k]) != pool) break;
        k++;
    }
    /* b[0..k) fill the first pool; b[k] opened a second one. */
    T_CHECK(t, k >= (ALLOC_POOL_SIZE - 256) / 64);
    void *other = b[k];
    alloc_free(a, b[3], 64);
    /* The relinked pool goes to the front, so its freed block is reused
     * before the second pool's bump space. */
    void *again = alloc_malloc(a, 64);
    T_CHECK(t, again == b[3]);
    for (size_t i = 0; i < k; i++) alloc_free(a, b[i], 64);
    alloc_free(a, other, 64);
    struct alloc_stats s = stats(a);
    T_EQ(t, s.live_objects, 0);
    T_EQ(t, s.arenas_live, 1);
    alloc_destroy(a);
}

/* > 2 MiB of small blocks maps at least 3 arenas; freeing everything
 * returns all but one cached arena to the OS. */
static void test_arena_return(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    enum { N = (5 * ALLOC_ARENA_SIZE / 2) / 256 };
    static void *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = alloc_malloc(a, 256);
        T_CHECK(t, p[i] != NULL);
        fill(p[i], 256, (uint32_t)i);
    }
    struct alloc_stats s = stats(a);
    T_CHECK(t, s.arenas_mapped >= 3);
    T_EQ(t, s.arenas_live, s.arenas_mapped);
    T_EQ(t, s.heap_bytes, s.arenas_live * (uint64_t)ALLOC_ARENA_SIZE);
    T_EQ(t, s.peak_heap_bytes, s.heap_bytes);
    uint64_t mapped = s.arenas_mapped, peak = s.heap_bytes;
    for (size_t i = 0; i < N; i++) {
        T_CHECK(t, check_fill(p[i], 256, (uint32_t)i));
        alloc_free(a, p[i], 256);
    }
    s = stats(a);
    T_CHECK(t, s.arenas_live <= 1);
    T_EQ(t, s.arenas_live, 1); /* one empty arena stays cached */
    T_CHECK(t, s.arenas_unmapped >= 1);
    T_EQ(t, s.arenas_unmapped, mapped - 1);
    T_EQ(t, s.heap_bytes, s.arenas_live * (uint64_t)ALLOC_ARENA_SIZE);
    T_EQ(t, s.peak_heap_bytes, peak);
    T_EQ(t, s.live_bytes, 0);
    /* The cached arena is reused, not a fresh mapping. */
    void *q = alloc_malloc(a, 100);
    s = stats(a);
    T_EQ(t, s.arenas_mapped, mapped);
    T_EQ(t, s.arenas_live, 1);
    alloc_free(a, q, 100);
    alloc_destroy(a);
}

/* New pools come from the fullest arena that has room, so the emptier
 * arenas drain and can be unmapped. Arenas A, B, C; A drained (cached), B
 * keeps two pools, C one. A new class's pool must land in B, not in C (less
 * used) nor in the cached empty A. */
/* A heap that builds and drops as much again as it keeps (binarytrees,
 * gcbench) reuses its empty arenas instead of unmapping and mapping them:
 * empty arenas are kept while they number at most the arenas in use. */
static void test_oscillating_heap_keeps_its_arenas(struct t *t)
{
    enum { N = (4 * ALLOC_ARENA_SIZE) / 64 };
    static void *keep[N], *temp[N];
    struct alloc_stats s;
    alloc_t *a = alloc_new(ALLOC_POOL);
    for (int i = 0; i < N; i++)
        keep[i] = alloc_malloc(a, 64);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++)
            temp[i] = alloc_malloc(a, 64);
        for (int i = 0; i < N; i++)
            alloc_free(a, temp[i], 64);
    }
    alloc_get_stats(a, &s);
    T_EQ(t, s.arenas_unmapped, 0);
    uint64_t mapped = s.arenas_mapped;
    T_CHECK(t, mapped >= 8 && mapped <= 10);   /* 4+ in use, as many again cached */
    for (int i = 0; i < N; i++)
        alloc_free(a, keep[i], 64);
    alloc_get_stats(a, &s);
    T_EQ(t, s.arenas_live, 1);                 /* all freed: one kept */
    T_EQ(t, s.arenas_unmapped, mapped - 1);
    T_EQ(t, s.heap_bytes, ALLOC_ARENA_SIZE);
    alloc_destroy(a);
}

static void test_arena_preference(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    enum { N = 3 * ALLOC_ARENA_SIZE / 512 };
    static void *p[N];
    size_t n = 0, b0 = 0;
    while (stats(a).arenas_mapped < 3) {
        T_CHECK(t, n < N);
        p[n++] = alloc_malloc(a, 512);
        if (!b0 && stats(a).arenas_mapped == 2) b0 = n - 1;
    }
    /* A = p[0, b0), B = p[b0, n-1), C = p[n-1]. A and B are fully carved,
     * so their blocks' pool bases span each arena's whole address range. */
    uintptr_t blo = UINTPTR_MAX, bhi = 0;
    for (size_t i = b0; i < n - 1; i++) {
        uintptr_t pb = pool_base(p[i]);
        if (pb < blo) blo = pb;
        if (pb > bhi) bhi = pb;
    }
    T_EQ(t, bhi - blo, ALLOC_ARENA_SIZE - ALLOC_POOL_SIZE);
    uintptr_t last = pool_base(p[n - 2]), prev = last;
    for (size_t i = n - 2; prev == last; i--) prev = pool_base(p[i]);
    for (size_t i = 0; i < b0; i++) alloc_free(a, p[i], 512);
    for (size_t i = b0; i < n - 1; i++) {
        uintptr_t pb = pool_base(p[i]);
        if (pb != last && pb != prev) { alloc_free(a, p[i], 512); p[i] = NULL; }
    }
    struct alloc_stats s = stats(a);
    T_EQ(t, s.arenas_live, 3);
    T_EQ(t, s.arenas_unmapped, 0);
    void *q = alloc_malloc(a, 16);
    T_CHECK(t, pool_base(q) >= blo && pool_base(q) <= bhi);
    for (size_t i = b0; i < n - 1; i++)
        if (p[i]) alloc_free(a, p[i], 512);
    s = stats(a);
    T_EQ(t, s.arenas_live, 3);     /* B still holds q's pool */
    T_EQ(t, s.arenas_unmapped, 0);
    alloc_free(a, p[n - 1], 512);  /* C empties; A is already cached */
    s = stats(a);
    T_EQ(t, s.arenas_live, 2);
    T_EQ(t, s.arenas_unmapped, 1);
    alloc_free(a, q, 16);
    s = stats(a);
    T_EQ(t, s.arenas_live, 1);
    T_EQ(t, s.arenas_unmapped, 2);
    T_EQ(t, s.heap_bytes, ALLOC_ARENA_SIZE);
    alloc_destroy(a);
}

/* Large blocks: malloc'd, aligned, accounted with their header, and freed
 * by alloc_destroy when still live (LSan reports otherwise). */
static void test_large_blocks(struct t *t)
{
    uint64_t h = big_header();
    T_CHECK(t, h >= sizeof(void *) * 2);
    T_EQ(t, h % 16, 0);
    alloc_t *a = alloc_new(ALLOC_POOL);
    size_t sizes[] = { 513, 528, 1000, 4096, 65536, 1u << 20, 3u << 20 };
    enum { NS = sizeof sizes / sizeof sizes[0] };
    void *p[NS];
    uint64_t bytes = 0, heap = 0;
    for (size_t i = 0; i < NS; i++) {
        p[i] = alloc_malloc(a, sizes[i]);
        T_CHECK(t, p[i] != NULL);
        T_CHECK(t, aligned16(p[i]));
        fill(p[i], sizes[i], (uint32_t)i);
        bytes += sizes[i];
        heap += sizes[i] + h;
        struct alloc_stats s = stats(a);
        T_EQ(t, s.live_bytes, bytes);
        T_EQ(t, s.heap_bytes, heap);
        T_EQ(t, s.peak_heap_bytes, heap);
        T_EQ(t, s.arenas_mapped, 0);
    }
    for (size_t i = 0; i < NS; i++) T_CHECK(t, check_fill(p[i], sizes[i], (uint32_t)i));
    /* Free the odd ones (unlinking from the middle and the ends of the
     * list); destroy must free the rest. */
    for (size_t i = 1; i < NS; i += 2) {
        alloc_free(a, p[i], sizes[i]);
        bytes -= sizes[i];
        heap -= sizes[i] + h;
    }
    alloc_free(a, p[NS - 1], sizes[NS - 1]);
    bytes -= sizes[NS - 1];
    heap -= sizes[NS - 1] + h;
    struct alloc_stats s = stats(a);
    T_EQ(t, s.live_bytes, bytes);
    T_EQ(t, s.heap_bytes, heap);
    T_EQ(t, s.live_objects, 3);
    /* A mix with small blocks: heap = arenas + large. */
    void *small = alloc_malloc(a, 100);
    s = stats(a);
    T_EQ(t, s.heap_bytes, heap + ALLOC_ARENA_SIZE);
    (void)small;
    alloc_destroy(a); /* p[0], p[2], p[4], small still live */
}

/* The same call sequence gives the same byte and object counters in both
 * modes; MALLOC mode never maps an arena. */
static void run_sequence(alloc_t *a)
{
    enum { N = 3000 };
    static void *p[N];
    static size_t sz[N];
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        sz[i] = 1 + (x >> 8) % 1500;
        p[i] = (i % 7 == 3) ? alloc_calloc(a, sz[i]) : alloc_malloc(a, sz[i]);
        if (i % 3 == 0) {
            alloc_free(a, p[i], sz[i]);
            p[i] = NULL;
        } else if (i % 5 == 1) {
            size_t nn = 1 + (x >> 4) % 900;
            p[i] = alloc_realloc(a, p[i], sz[i], nn);
            sz[i] = nn;
        }
    }
    for (size_t i = 0; i < N; i += 2)
        if (p[i]) { alloc_free(a, p[i], sz[i]); p[i] = NULL; }
    /* The rest stays live for alloc_destroy. */
}

static void test_malloc_mode_accounting(struct t *t)
{
    alloc_t *pa = alloc_new(ALLOC_POOL), *ma = alloc_new(ALLOC_MALLOC);
    T_EQ(t, alloc_mode_of(ma), ALLOC_MALLOC);
    run_sequence(pa);
    run_sequence(ma);
    struct alloc_stats ps = stats(pa), ms = stats(ma);
    T_CHECK(t, ps.live_bytes > 0);
    T_EQ(t, ps.live_bytes, ms.live_bytes);
    T_EQ(t, ps.alloc_bytes, ms.alloc_bytes);
    T_EQ(t, ps.freed_bytes, ms.freed_bytes);
    T_EQ(t, ps.allocs, ms.allocs);
    T_EQ(t, ps.frees, ms.frees);
    T_EQ(t, ps.live_objects, ms.live_objects);
    T_EQ(t, ps.peak_live_bytes, ms.peak_live_bytes);
    T_EQ(t, ps.peak_live_objects, ms.peak_live_objects);
    T_EQ(t, ps.alloc_bytes - ps.freed_bytes, ps.live_bytes);
    T_EQ(t, ps.allocs - ps.frees, ps.live_objects);
    T_EQ(t, ms.arenas_mapped, 0);
    T_EQ(t, ms.heap_bytes, ms.live_bytes + ms.live_objects * big_header());
    T_CHECK(t, ps.arenas_mapped >= 1);
    alloc_destroy(pa);
    alloc_destroy(ma);
}

static void test_realloc_within_class(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    char *p = alloc_malloc(a, 20);
    fill(p, 20, 1);
    char *q = alloc_realloc(a, p, 20, 32);
    T_CHECK(t, q == p);
    T_CHECK(t, check_fill(q, 20, 1));
    struct alloc_stats s = stats(a);
    T_EQ(t, s.live_bytes, 32);
    T_EQ(t, s.alloc_bytes, 52);
    T_EQ(t, s.freed_bytes, 20);
    T_EQ(t, s.live_objects, 1);
    T_EQ(t, s.peak_live_bytes, 32);
    T_EQ(t, s.peak_live_objects, 1);
    q = alloc_realloc(a, q, 32, 17);
    T_CHECK(t, q == p);
    T_CHECK(t, check_fill(q, 17, 1));
    T_EQ(t, stats(a).live_bytes, 17);
    T_EQ(t, stats(a).peak_live_bytes, 32);
    alloc_free(a, q, 17);
    s = stats(a);
    T_EQ(t, s.live_bytes, 0);
    T_EQ(t, s.live_objects, 0);
    T_EQ(t, s.allocs, s.frees);
    alloc_destroy(a);
}

static void realloc_chain(struct t *t, enum alloc_mode mode)
{
    alloc_t *a = alloc_new(mode);
    size_t chain[] = { 20, 100, 600, 5000, 40, 512, 500, 513, 1 };
    enum { NC = sizeof chain / sizeof chain[0] };
    void *p = alloc_realloc(a, NULL, 0, chain[0]);
    T_CHECK(t, p != NULL);
    fill(p, chain[0], 77);
    for (size_t i = 1; i < NC; i++) {
        size_t keep = chain[i] < chain[i - 1] ? chain[i] : chain[i - 1];
        void *q = alloc_realloc(a, p, chain[i - 1], chain[i]);
        T_CHECK(t, q != NULL);
        T_CHECK(t, aligned16(q));
        int same_class = mode == ALLOC_POOL && chain[i] <= ALLOC_SMALL_MAX &&
                         chain[i - 1] <= ALLOC_SMALL_MAX &&
                         alloc_rounded_size(chain[i]) == alloc_rounded_size(chain[i - 1]);
        T_CHECK(t, same_class ? q == p : q != p);
        T_CHECK(t, check_fill(q, keep, 77));
        fill(q, chain[i], 77);
        p = q;
        struct alloc_stats s = stats(a);
        T_EQ(t, s.live_bytes, chain[i]);
        T_EQ(t, s.live_objects, 1);
    }
    alloc_free(a, p, chain[NC - 1]);
    struct alloc_stats s = stats(a);
    T_EQ(t, s.live_bytes, 0);
    T_EQ(t, s.heap_bytes, s.arenas_live * (uint64_t)ALLOC_ARENA_SIZE);
    alloc_destroy(a);
}

static void test_realloc_across_classes(struct t *t)
{
    realloc_chain(t, ALLOC_POOL);
    if (t->failed) return;
    realloc_chain(t, ALLOC_MALLOC);
}

static void test_calloc_zeroes_reused_block(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    void *keep = alloc_malloc(a, 64);
    unsigned char *p = alloc_malloc(a, 64);
    memset(p, 0xAB, 64);
    alloc_free(a, p, 64);
    unsigned char *q = alloc_calloc(a, 60);
    T_CHECK(t, q == p); /* LIFO: the dirty block itself */
    for (size_t i = 0; i < 60; i++) T_EQ(t, q[i], 0);
    alloc_free(a, q, 60);
    alloc_free(a, keep, 64);
    /* A pool recycled from another class is dirty too. */
    unsigned char *r = alloc_malloc(a, 200);
    memset(r, 0xCD, 200);
    alloc_free(a, r, 200);
    unsigned char *z = alloc_calloc(a, 16);
    T_EQ(t, pool_base(z), pool_base(r));
    for (size_t i = 0; i < 16; i++) T_EQ(t, z[i], 0);
    alloc_free(a, z, 16);
    /* Large calloc. */
    unsigned char *big = alloc_calloc(a, 3000);
    for (size_t i = 0; i < 3000; i++) T_EQ(t, big[i], 0);
    alloc_free(a, big, 3000);
    T_EQ(t, stats(a).live_bytes, 0);
    alloc_destroy(a);
}

static void test_mode_parse(struct t *t)
{
    enum alloc_mode m = ALLOC_MALLOC;
    T_EQ(t, alloc_mode_parse("pool", &m), 0);
    T_EQ(t, m, ALLOC_POOL);
    T_EQ(t, alloc_mode_parse("malloc", &m), 0);
    T_EQ(t, m, ALLOC_MALLOC);
    m = ALLOC_POOL;
    T_EQ(t, alloc_mode_parse("Pool", &m), -1);
    T_EQ(t, alloc_mode_parse("", &m), -1);
    T_EQ(t, alloc_mode_parse("mallocx", &m), -1);
    T_EQ(t, alloc_mode_parse("poo", &m), -1);
    T_EQ(t, alloc_mode_parse(NULL, &m), -1);
    T_EQ(t, m, ALLOC_POOL); /* untouched on failure */
}

static void test_peaks_and_edge_cases(struct t *t)
{
    alloc_t *a = alloc_new(ALLOC_POOL);
    void *x = alloc_malloc(a, 100), *y = alloc_malloc(a, 200);
    alloc_free(a, x, 100);
    struct alloc_stats s = stats(a);
    T_EQ(t, s.peak_live_bytes, 300);
    T_EQ(t, s.peak_live_objects, 2);
    T_EQ(t, s.live_bytes, 200);
    /* Outside the contract, but harmless and uncounted. */
    T_CHECK(t, alloc_malloc(a, 0) == NULL);
    alloc_free(a, NULL, 16);
    T_CHECK(t, alloc_realloc(a, y, 200, 0) == NULL);
    s = stats(a);
    T_EQ(t, s.allocs, 2);
    T_EQ(t, s.frees, 1);
    T_EQ(t, s.live_bytes, 200);
    alloc_free(a, y, 200);
    alloc_destroy(a);
    alloc_destroy(NULL);
}

/* Under ASan a freed pooled block and never-used pool space are poisoned. */
static void test_asan_poisoning(struct t *t)
{
#ifdef TEST_ASAN
    alloc_t *a = alloc_new(ALLOC_POOL);
    char *keep = alloc_malloc(a, 32);
    char *p = alloc_malloc(a, 32);
    T_CHECK(t, __asan_region_is_poisoned(p, 32) == NULL);
    T_CHECK(t, __asan_address_is_poisoned(p + 32)); /* never used yet */
    /* The next pool of the arena has not been carved yet. */
    T_CHECK(t, __asan_address_is_poisoned((char *)pool_base(p) + ALLOC_POOL_SIZE + 100));
    alloc_free(a, p, 32);
    T_CHECK(t, __asan_address_is_poisoned(p));
    T_CHECK(t, __asan_address_is_poisoned(p + 8));
    T_CHECK(t, __asan_address_is_poisoned(p + 31));
    char *q = alloc_malloc(a, 20);
    T_CHECK(t, q == p);
    T_CHECK(t, __asan_region_is_poisoned(q, 32) == NULL);
    alloc_free(a, q, 20);
    alloc_free(a, keep, 32);
    alloc_destroy(a);
#else
    (void)t;
#endif
}

/* ~200k random ops on sizes 1..2000 against a shadow model: contents via
 * fill patterns, counters exact after every batch, in both modes. */
static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void stress(struct t *t, enum alloc_mode mode)
{
    enum { SLOTS = 4096, OPS = 200000, BATCH = 500 };
    static void *p[SLOTS];
    static size_t sz[SLOTS];
    static uint32_t seed[SLOTS];
    memset(p, 0, sizeof p);
    uint64_t hdr = big_header();
    alloc_t *a = alloc_new(mode);
    uint64_t live = 0, nlive = 0, large_heap = 0, allocs = 0, frees = 0;
    rng_state = 0x9E3779B97F4A7C15ull;
    for (uint32_t op = 1; op <= OPS; op++) {
        size_t i = rng() % SLOTS;
        uint32_t r = rng();
        /* Mostly small: sizes skewed towards the pooled range. */
        size_t n = 1 + ((r & 3) ? rng() % 512 : rng() % 2000);
        int big_old = p[i] && (mode == ALLOC_MALLOC || sz[i] > ALLOC_SMALL_MAX);
        int big_new = mode == ALLOC_MALLOC || n > ALLOC_SMALL_MAX;
        if (p[i] && (r >> 8) % 8 == 0) {
            T_CHECK(t, check_fill(p[i], sz[i], seed[i]));
            void *q = alloc_realloc(a, p[i], sz[i], n);
            T_CHECK(t, q != NULL);
            T_CHECK(t, aligned16(q));
            T_CHECK(t, check_fill(q, sz[i] < n ? sz[i] : n, seed[i]));
            live = live - sz[i] + n;
            allocs++, frees++;
            if (big_old) large_heap -= sz[i] + hdr;
            if (big_new) large_heap += n + hdr;
            p[i] = q, sz[i] = n, seed[i] = op;
            fill(q, n, op);
        } else if (p[i]) {
            T_CHECK(t, check_fill(p[i], sz[i], seed[i]));
            alloc_free(a, p[i], sz[i]);
            live -= sz[i], nlive--, frees++;
            if (big_old) large_heap -= sz[i] + hdr;
            p[i] = NULL;
        } else {
            int zero = (r >> 8) % 5 == 0;
            void *q = zero ? alloc_calloc(a, n) : alloc_malloc(a, n);
            T_CHECK(t, q != NULL);
            T_CHECK(t, aligned16(q));
            if (zero)
                for (size_t k = 0; k < n; k++) T_EQ(t, ((unsigned char *)q)[k], 0);
            live += n, nlive++, allocs++;
            if (big_new) large_heap += n + hdr;
            p[i] = q, sz[i] = n, seed[i] = op;
            fill(q, n, op);
        }
        if (op % BATCH == 0) {
            struct alloc_stats s = stats(a);
            T_EQ(t, s.live_bytes, live);
            T_EQ(t, s.live_objects, nlive);
            T_EQ(t, s.allocs, allocs);
            T_EQ(t, s.frees, frees);
            T_EQ(t, s.alloc_bytes - s.freed_bytes, live);
            T_EQ(t, s.heap_bytes, s.arenas_live * (uint64_t)ALLOC_ARENA_SIZE + large_heap);
            T_EQ(t, s.arenas_live, s.arenas_mapped - s.arenas_unmapped);
            T_CHECK(t, s.peak_live_bytes >= s.live_bytes);
            T_CHECK(t, s.peak_heap_bytes >= s.heap_bytes);
        }
    }
    /* Free all but every 16th slot, check the arenas drained, then let
     * alloc_destroy take the rest. */
    for (size_t i = 0; i < SLOTS; i++) {
        if (p[i] && i % 16 != 0) {
            T_CHECK(t, check_fill(p[i], sz[i], seed[i]));
            alloc_free(a, p[i], sz[i]);
            live -= sz[i];
            p[i] = NULL;
        }
    }
    struct alloc_stats s = stats(a);
    T_EQ(t, s.live_bytes, live);
    if (mode == ALLOC_MALLOC) T_EQ(t, s.arenas_mapped, 0);
    else T_CHECK(t, s.arenas_mapped >= 1);
    alloc_destroy(a);
}

/* ---- marks mode: lazy and sticky sweeps ---------------------------------- */

static void count_block(void *block, void *ctx)
{
    (void)block;
    (*(uint64_t *)ctx)++;
}

/* Lazy sweep: nothing is freed by the call (the dead still count as live),
 * allocation of the class sweeps a pool before using it and reuses a dead
 * block, a free into an unswept pool sweeps it first, and the walk over the
 * objects finishes the sweep (the survivors, unmarked again, are exactly the
 * marked ones). */
static void test_lazy_sweep_frees_on_demand(struct t *t)
{
    enum { N = 2000 };
    alloc_t *a = alloc_new(ALLOC_POOL);
    T_EQ(t, alloc_enable_marks(a), 0);
    void *p[N], *q[N];
    for (int i = 0; i < N; i++) {
        p[i] = alloc_malloc(a, 32);
        q[i] = alloc_malloc(a, 64);
        alloc_set_object(a, p[i], 32);
        alloc_set_object(a, q[i], 64);
        if (i % 2 == 0)
            alloc_mark_small(p[i]);      /* half of the 32-byte blocks survive */
        alloc_mark_small(q[i]);          /* every 64-byte block survives */
    }
    struct alloc_sweep_stats st;
    alloc_sweep_lazy(a, &st);
    T_EQ(t, st.blocks_freed, 0);
    T_EQ(t, stats(a).live_objects, 2 * N);          /* not swept yet */
    T_CHECK(t, alloc_is_marked(ALLOC_POOL, p[0], 32));
    /* A new 32-byte block is one of the dead ones (p[1] is the lowest dead one
     * of the first pool swept); the survivors stay. */
    void *b = alloc_malloc(a, 32);
    int dead = 0;
    for (int i = 1; i < N; i += 2)
        dead += b == p[i];
    T_EQ(t, dead, 1);
    T_CHECK(t, !alloc_is_marked(ALLOC_POOL, b, 32));
    /* A free into an unswept 64-byte pool: swept first, the block then freed. */
    alloc_free(a, q[5], 64);
    uint64_t n = 0;
    alloc_foreach_object(a, count_block, &n);
    T_EQ(t, n, N / 2 + N - 1);                      /* b is no object */
    T_EQ(t, stats(a).live_objects, N / 2 + N - 1 + 1);
    for (int i = 0; i < N; i += 2)
        T_CHECK(t, !alloc_is_marked(ALLOC_POOL, p[i], 32));
    alloc_destroy(a);
}

/* Sticky marks: the survivors of alloc_sweep_sticky stay marked (old); a
 * young sweep frees the unmarked blocks allocated since, only those, also in
 * a pool that holds old blocks; alloc_clear_marks makes everything white. */
static void test_sticky_sweep_keeps_marks_and_young_sweep_frees_only_new_blocks(struct t *t)
{
    enum { N = 3000 };
    alloc_t *a = alloc_new(ALLOC_POOL);
    T_EQ(t, alloc_enable_marks(a), 0);
    void *old[N], *young[N];
    for (int i = 0; i < N; i++) {
        old[i] = alloc_malloc(a, 48);
        alloc_set_object(a, old[i], 48);
        if (i % 3)
            alloc_mark_small(old[i]);
    }
    struct alloc_sweep_stats st;
    alloc_sweep_sticky(a, &st);
    T_EQ(t, st.blocks_freed, N / 3);
    T_EQ(t, stats(a).live_objects, N - N / 3);
    for (int i = 1; i < N; i += 3)
        T_CHECK(t, alloc_is_marked(ALLOC_POOL, old[i], 48));
    for (int i = 0; i < N; i++) {
        young[i] = alloc_malloc(a, 48);    /* the freed blocks first, then fresh pools */
        alloc_set_object(a, young[i], 48);
        if (i % 2)
            alloc_mark_small(young[i]);
    }
    alloc_sweep_sticky_young(a, &st);
    T_EQ(t, st.blocks_freed, N / 2);
    T_EQ(t, stats(a).live_objects, N - N / 3 + N / 2);
    uint64_t n = 0;
    alloc_foreach_object(a, count_block, &n);
    T_EQ(t, n, N - N / 3 + N / 2);
    /* nothing allocated since: a young sweep has no pool to look at */
    alloc_sweep_sticky_young(a, &st);
    T_EQ(t, st.blocks_freed, 0);
    T_EQ(t, st.pools_swept, 0);
    alloc_clear_marks(a);
    T_CHECK(t, !alloc_is_marked(ALLOC_POOL, old[1], 48));
    alloc_sweep(a, &st);
    T_EQ(t, stats(a).live_objects, 0);
    alloc_destroy(a);
}

static void test_stress_pool(struct t *t) { stress(t, ALLOC_POOL); }
static void test_stress_malloc(struct t *t) { stress(t, ALLOC_MALLOC); }

int main(void)
{
    T_RUN(test_rounded_size);
    T_RUN(test_every_size_class);
    T_RUN(test_lifo_reuse);
    T_RUN(test_pool_reused_for_other_class);
    T_RUN(test_full_pool_relinked);
    T_RUN(test_arena_return);
    T_RUN(test_oscillating_heap_keeps_its_arenas);
    T_RUN(test_arena_preference);
    T_RUN(test_large_blocks);
    T_RUN(test_malloc_mode_accounting);
    T_RUN(test_realloc_within_class);
    T_RUN(test_realloc_across_classes);
    T_RUN(test_calloc_zeroes_reused_block);
    T_RUN(test_mode_parse);
    T_RUN(test_peaks_and_edge_cases);
    T_RUN(test_asan_poisoning);
    T_RUN(test_lazy_sweep_frees_on_demand);
    T_RUN(test_sticky_sweep_keeps_marks_and_young_sweep_frees_only_new_blocks);
    T_RUN(test_stress_pool);
    T_RUN(test_stress_malloc);
    return t_done();
}
