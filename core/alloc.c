/* alloc.c — gclab's small-object allocator, after CPython's obmalloc.c.
 *
 * Why: a collector's cost depends heavily on how the heap under it behaves.
 * Handing every small object to malloc hides that behaviour inside libc; a
 * pymalloc-style allocator makes it explicit, cheap and countable, and the
 * MALLOC mode is the control group.
 *
 * Layout (POOL mode)
 *
 *   arena   1 MiB obtained with mmap, aligned to ALLOC_POOL_SIZE, cut into
 *           64 pools. The arena's bookkeeping (struct arena) lives in malloc'd
 *           memory, not in the arena, so all 64 pools are usable and an arena
 *           counts exactly ALLOC_ARENA_SIZE bytes towards heap_bytes.
 *   pool    16 KiB holding blocks of one size class. Its header (struct pool)
 *           sits at the start of the pool; since pools are 16 KiB aligned the
 *           header of any block is found by masking the block's address.
 *   block   16..512 bytes in steps of 16 (32 classes). A request of n bytes
 *           uses class (n-1)/16. Blocks carry no header: the caller passes n
 *           again on free (sized free), so nothing per block is needed.
 *
 * Each pool hands out blocks from two sources: a LIFO list of freed blocks
 * (threaded through the first word of each free block) and, when that is
 * empty, a bump offset into the never-used tail. The bump offset means a
 * fresh pool costs nothing up front and its untouched pages stay untouched.
 * LIFO reuse keeps the hottest (most recently freed, most likely cached)
 * block in use.
 *
 * Invariants
 *
 *   - A pool is in exactly one of three states:
 *       used  ref > 0 and a block left (free list or bump room): linked in
 *             usable[class], so allocation never searches;
 *       full  no block left: linked nowhere; it is found again by masking
 *             when one of its blocks is freed, and then relinked;
 *       empty ref == 0: on its arena's freepools list, class forgotten, so it
 *             can be reused for any class.
 *   - An arena's nfree counts its empty pools plus its never-carved pools;
 *     the arena sits in bucket by_nfree[nfree]. New pools come from the arena
 *     with the smallest nonzero nfree — the fullest one — as pymalloc's
 *     usable_arenas sorting does: the emptier arenas then drain and can be
 *     returned to the OS instead of every arena staying a little bit used.
 *   - by_nfree[POOLS_PER_ARENA] holds the entirely empty arenas kept
 *     cached: at most as many as there are arenas in use, and at least
 *     `retain` (default 1; alloc_set_retain).
 *   - Requests above ALLOC_SMALL_MAX (and every request in MALLOC mode) go to
 *     malloc with a 16-byte hidden header linking all such blocks, so
 *     alloc_destroy can free whatever the caller leaked.
 *   - Statistics are exact: byte counters count requested sizes; heap_bytes
 *     counts mapped arenas plus malloc'd (requested size + header).
 *
 * Returning arenas. CPython returns an empty arena to the OS at once
 * (keeping one, since bpo-37257). Here the first touch of a fresh page costs
 * about 15 us, and collector workloads oscillate: binarytrees and gcbench
 * build a tree as large as the long-lived one, drop it, and build the next.
 * Returning those arenas and mapping them again cost a third of gcbench's
 * time under rc (20,494 page faults for a 22 MB heap). So an empty arena is
 * unmapped only when the empty arenas would outnumber the ones in use: the
 * heap keeps at most twice its in-use arenas, never more than its earlier
 * peak, and still shrinks when the program's live data shrinks by half.
 *
 * Sanitizers: under ASan, freed blocks, never-used pool space and
 * never-carved pools are poisoned, so a use-after-free of a pooled block is
 * reported just as it would be for malloc (the fuzzers depend on this). The
 * allocator unpoisons a block before reading its free-list link. Headers of
 * carved pools are never poisoned.
 *
 * Bad input from callers (n == 0, freeing NULL) is ignored rather than fatal;
 * a class mismatch on free trips an assert in debug builds only. An alloc_t
 * is not thread-safe: one per thread, or a lock around it.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS under -std=c11 */
#endif

#include "alloc.h"
#include "mutant.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

#ifdef GCLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define POOLS_PER_ARENA (ALLOC_ARENA_SIZE / ALLOC_POOL_SIZE)

_Static_assert(ALLOC_ARENA_SIZE % ALLOC_POOL_SIZE == 0, "arena must hold whole pools");
_Static_assert((ALLOC_POOL_SIZE & (ALLOC_POOL_SIZE - 1)) == 0, "pool size must be a power of two");
_Static_assert(ALLOC_SMALL_MAX % ALLOC_ALIGN == 0, "classes must tile the small range");
_Static_assert(POOLS_PER_ARENA <= 64, "the bucket bitmap has 64 bits");
#if !defined(__GNUC__) && !defined(__clang__)
#error "alloc.c uses __builtin_ctzll (GCC or Clang)"
#endif
_Static_assert(_Alignof(max_align_t) >= ALLOC_ALIGN, "malloc must return 16-byte aligned memory");

/* Lives at the start of each pool. 48 bytes on LP64, rounded to a multiple
 * of ALLOC_ALIGN so the first block is aligned. */
struct pool {
    void *freeblock;         /* LIFO list of freed blocks, NULL if none */
    struct pool *next;       /* usable[class] list, or arena freepools list */
    struct pool *prev;       /* usable[class] list only */
    struct arena *arena;     /* owner, to return the pool when it empties */
    uint32_t ref;            /* blocks currently handed out */
    uint32_t szidx;          /* size class index */
    uint32_t nextoffset;     /* bump: offset of the first never-used block; marks mode
                              * (no bump): 1 while the pool is on a->dirty */
    uint32_t maxnextoffset;  /* last offset at which a whole block still fits; marks
                              * mode: 1 while on unswept[] (alloc_sweep_lazy) */
};

#define POOL_OVERHEAD ((sizeof(struct pool) + ALLOC_ALIGN - 1) & ~(size_t)(ALLOC_ALIGN - 1))
_Static_assert(POOL_OVERHEAD == ALLOC_POOL_MARKS_OFFSET, "alloc.h's marks offset must match struct pool");
/* In marks mode the bitmaps follow the pool header; the first block after them. */
#define POOL_MARKS_OVERHEAD \
    ((POOL_OVERHEAD + sizeof(struct alloc_pool_marks) + ALLOC_ALIGN - 1) & ~(size_t)(ALLOC_ALIGN - 1))
_Static_assert((ALLOC_POOL_SIZE - POOL_MARKS_OVERHEAD) / ALLOC_ALIGN <= 64 * ALLOC_MARK_WORDS,
               "the bitmaps must cover every block of the smallest class");

struct arena {
    unsigned char *base;     /* ALLOC_POOL_SIZE aligned, ALLOC_ARENA_SIZE long */
    struct pool *freepools;  /* pools that were carved and later emptied */
    unsigned ncarved;        /* pools [0, ncarved) have been touched */
    unsigned nfree;          /* empty + never-carved pools */
    struct arena *next, *prev; /* by_nfree[nfree] bucket */
    struct arena *all_next, *all_prev; /* every mapped arena (pool iteration) */
};

/* Hidden header in front of every malloc'd block. _Alignas keeps it 16 bytes
 * (and the block after it 16-byte aligned) on 32-bit targets too. */
struct big {
    _Alignas(ALLOC_ALIGN) struct big *next;
    uintptr_t prev;          /* struct big *, low bits: BIG_MARK, BIG_OBJ (marks mode) */
    size_t n;                /* requested size (alloc_sweep frees without being told) */
};
#define BIG_MARK  ((uintptr_t)1)
#define BIG_OBJ   ((uintptr_t)2)
#define BIG_FLAGS (BIG_MARK | BIG_OBJ)
static struct big *big_prev(const struct big *h) { return (struct big *)(h->prev & ~BIG_FLAGS); }
static void big_set_prev(struct big *h, struct big *prev)
{
    h->prev = (uintptr_t)prev | (h->prev & BIG_FLAGS);
}


struct alloc {
    enum alloc_mode mode;
    struct pool *usable[ALLOC_NCLASSES];          /* pools with room, per class */
    struct arena *by_nfree[POOLS_PER_ARENA + 1];  /* arenas bucketed by nfree */
    uint64_t nonempty;                            /* bit i-1: by_nfree[i] != NULL */
    uint64_t nempty;                              /* arenas in by_nfree[POOLS_PER_ARENA] */
    uint64_t retain;                              /* empty arenas always allowed */
    struct big *bigs;                             /* every live malloc'd block */
    struct arena *arenas;                         /* every mapped arena (all_next) */
    bool marks;                                   /* marks mode: bitmaps, alloc_sweep */
    bool sweeping;                                /* inside alloc_sweep: no arena trimming */
    size_t overhead;                              /* offset of a pool's first block */
    uint32_t cap[ALLOC_NCLASSES];                 /* marks mode: blocks per pool, per class */
    uint32_t recip[ALLOC_NCLASSES];               /* ceil(2^32 / class size) */
    uintptr_t *aset;                              /* marks mode: base >> 20 of every arena */
    struct pool **dirty;                          /* marks mode: pools allocated from since the */
    size_t ndirty, dirty_cap;                     /*   last sweep (alloc_sweep_sticky_young) */
    bool dirty_lost;                              /* a push failed: every pool may be dirty */
    struct pool *unswept[ALLOC_NCLASSES];         /* marks mode: pools a lazy sweep has not */
    uint64_t nunswept;                            /*   reached yet, per class (next/prev) */
    size_t aset_mask;                             /* open addressing, at most half full */
    struct alloc_stats st;
};

/* Planted bug (core/mutant.h), listed by the engines that use the pools. */
const struct gclab_mutant alloc_mut_size_class = {
    "alloc-size-class", "a request of 16k+1..16k+8 bytes (over 64) gets the class one size smaller" };

static size_t class_of(size_t n)
{
    if (GCLAB_MUTANT(alloc_mut_size_class) && n > 64 && (n - 1) % ALLOC_ALIGN < 8)
        return (n - 1) / ALLOC_ALIGN - 1;
    return (n - 1) / ALLOC_ALIGN;
}
static size_t class_size(size_t c) { return (c + 1) * ALLOC_ALIGN; }

static struct pool *pool_of(const void *p)
{
    return (struct pool *)((uintptr_t)p & ~(uintptr_t)(ALLOC_POOL_SIZE - 1));
}

/* ---- accounting ---------------------------------------------------------- */

static void heap_add(alloc_t *a, uint64_t n)
{
    a->st.heap_bytes += n;
    if (a->st.heap_bytes > a->st.peak_heap_bytes)
        a->st.peak_heap_bytes = a->st.heap_bytes;
}

static void note_alloc(alloc_t *a, size_t n)
{
    a->st.allocs++;
    a->st.alloc_bytes += n;
    a->st.live_objects++;
    a->st.live_bytes += n;
    if (a->st.live_objects > a->st.peak_live_objects)
        a->st.peak_live_objects = a->st.live_objects;
    if (a->st.live_bytes > a->st.peak_live_bytes)
        a->st.peak_live_bytes = a->st.live_bytes;
}

static void note_free(alloc_t *a, size_t n)
{
    a->st.frees++;
    a->st.freed_bytes += n;
    a->st.live_objects--;
    a->st.live_bytes -= n;
}

/* ---- arenas -------------------------------------------------------------- */

/* Buckets 1..64 are mirrored in a bitmap so that finding the fullest arena
 * with room is one count-trailing-zeros, not a scan: a workload that keeps
 * emptying and refilling a single pool takes that path on every allocation. */
static uint64_t bucket_bit(unsigned nfree)
{
    return nfree ? (uint64_t)1 << (nfree - 1) : 0;
}

static void bucket_unlink(alloc_t *a, struct arena *ar)
{
    if (ar->prev) ar->prev->next = ar->next;
    else if (!(a->by_nfree[ar->nfree] = ar->next)) a->nonempty &= ~bucket_bit(ar->nfree);
    if (ar->next) ar->next->prev = ar->prev;
    if (ar->nfree == POOLS_PER_ARENA) a->nempty--;
}

static void bucket_link(alloc_t *a, struct arena *ar)
{
    ar->prev = NULL;
    ar->next = a->by_nfree[ar->nfree];
    if (ar->next) ar->next->prev = ar;
    a->by_nfree[ar->nfree] = ar;
    a->nonempty |= bucket_bit(ar->nfree);
    if (ar->nfree == POOLS_PER_ARENA) a->nempty++;
}

/* Marks mode: rebuild the arena set (alloc_in_arena) after an arena was mapped
 * (adding) or unmapped; it doubles when it would be more than half full. An
 * allocation failure leaves the old set, so membership may miss new arenas:
 * alloc_get_arena_set then reports no set and callers take the slow path. */
static void arena_set_rebuild(alloc_t *a, int adding)
{
    size_t n = a->st.arenas_live + (adding ? 1 : 0), cap = a->aset_mask + 1;
    if (!a->aset || n * 2 > cap || !adding) {
        while (n * 2 > cap)
            cap *= 2;
        if (cap < 16)
            cap = 16;
        uintptr_t *t = calloc(cap, sizeof *t);
        if (!t) {
            free(a->aset);
            a->aset = NULL;
            a->aset_mask = 0;
            return;
        }
        free(a->aset);
        a->aset = t;
        a->aset_mask = cap - 1;
        for (struct arena *ar = a->arenas; ar; ar = ar->all_next)
            alloc_arena_set_insert(a->aset, a->aset_mask, (uintptr_t)ar->base >> 20);
    } else {
        alloc_arena_set_insert(a->aset, a->aset_mask, (uintptr_t)a->arenas->base >> 20);
    }
}

/* mmap only guarantees page alignment, so over-map by one pool and trim the
 * ends: what is left is exactly ALLOC_ARENA_SIZE bytes on a pool boundary. */
static struct arena *arena_new(alloc_t *a)
{
    struct arena *ar = malloc(sizeof *ar);
    if (!ar) return NULL;
    /* Marks mode aligns arenas to their size, so alloc_in_arena can key them by address >> 20. */
    size_t align = a->marks ? ALLOC_ARENA_SIZE : ALLOC_POOL_SIZE;
    size_t len = ALLOC_ARENA_SIZE + align;
    void *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        free(ar);
        return NULL;
    }
    uintptr_t r = (uintptr_t)raw;
    uintptr_t base = (r + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = base - r, tail = align - head;
    if (head) munmap(raw, head);
    if (tail) munmap((void *)(base + ALLOC_ARENA_SIZE), tail);

    POISON((void *)base, ALLOC_ARENA_SIZE);  /* pools unpoison as carved */
    ar->base = (unsigned char *)base;
    ar->freepools = NULL;
    ar->ncarved = 0;
    ar->nfree = POOLS_PER_ARENA;
    bucket_link(a, ar);
    ar->all_prev = NULL;
    ar->all_next = a->arenas;
    if (ar->all_next) ar->all_next->all_prev = ar;
    a->arenas = ar;
    a->st.arenas_mapped++;
    if (a->marks)
        arena_set_rebuild(a, 1);
    a->st.arenas_live++;
    heap_add(a, ALLOC_ARENA_SIZE);
    return ar;
}

static void arena_unmap(alloc_t *a, struct arena *ar)
{
    /* Its pools leave the dirty list (they are empty: nothing to sweep). */
    size_t k = 0;
    for (size_t i = 0; i < a->ndirty; i++)
        if ((unsigned char *)a->dirty[i] - ar->base >= ALLOC_ARENA_SIZE ||
            (unsigned char *)a->dirty[i] < ar->base)
            a->dirty[k++] = a->dirty[i];
    a->ndirty = k;
    /* Clear poison first: the address range may be mapped again later. */
    UNPOISON(ar->base, ALLOC_ARENA_SIZE);
    munmap(ar->base, ALLOC_ARENA_SIZE);
    if (ar->all_prev) ar->all_prev->all_next = ar->all_next;
    else a->arenas = ar->all_next;
    if (ar->all_next) ar->all_next->all_prev = ar->all_prev;
    free(ar);
    if (a->marks)
        arena_set_rebuild(a, 0);
    a->st.arenas_unmapped++;
    a->st.arenas_live--;
    a->st.heap_bytes -= ALLOC_ARENA_SIZE;
}

/* ---- pools ----------------------------------------------------------------- */

static void usable_link(alloc_t *a, struct pool *p)
{
    p->prev = NULL;
    p->next = a->usable[p->szidx];
    if (p->next) p->next->prev = p;
    a->usable[p->szidx] = p;
}

static void usable_unlink(alloc_t *a, struct pool *p)
{
    if (p->prev) p->prev->next = p->next;
    else a->usable[p->szidx] = p->next;
    if (p->next) p->next->prev = p->prev;
}

/* A pool for class c, from the fullest arena that has one free. */
static struct pool *pool_new(alloc_t *a, size_t c)
{
    struct arena *ar;
    if (a->nonempty) ar = a->by_nfree[__builtin_ctzll(a->nonempty) + 1];
    else if (!(ar = arena_new(a))) return NULL;

    struct pool *p;
    if (ar->freepools) {
        p = ar->freepools;
        ar->freepools = p->next;
    } else {
        p = (struct pool *)(ar->base + (size_t)ar->ncarved * ALLOC_POOL_SIZE);
        ar->ncarved++;
        UNPOISON(p, a->overhead);
    }
    bucket_unlink(a, ar);
    ar->nfree--;
    bucket_link(a, ar);

    size_t sz = class_size(c);
    p->freeblock = NULL;
    p->arena = ar;
    p->ref = 0;
    p->szidx = (uint32_t)c;
    p->nextoffset = (uint32_t)a->overhead;
    p->maxnextoffset = (uint32_t)(ALLOC_POOL_SIZE - sz);
    POISON((unsigned char *)p + a->overhead, ALLOC_POOL_SIZE - a->overhead);
    if (a->marks) {
        struct alloc_pool_marks *m = alloc_marks_of(p);
        p->nextoffset = 0;       /* not on the dirty list (a stale entry there is harmless) */
        p->maxnextoffset = 0;    /* not on unswept[] */
        memset(m, 0, sizeof *m);
        m->first = (uint32_t)a->overhead;
        m->recip = a->recip[c];
        m->cap = a->cap[c];
    }

    usable_link(a, p);
    return p;
}

/* Unmap empty arenas beyond max(arenas in use, retain). The whole cache is
 * trimmed, not just the arena that just emptied: the bound falls as use falls. */
static void trim_empty_arenas(alloc_t *a)
{
    for (;;) {
        uint64_t in_use = a->st.arenas_live - a->nempty;
        if (a->nempty <= (in_use > a->retain ? in_use : a->retain))
            break;
        struct arena *victim = a->by_nfree[POOLS_PER_ARENA];
        bucket_unlink(a, victim);
        arena_unmap(a, victim);
    }
}

/* An emptied pool goes back to its arena. If that empties the arena, keep it
 * cached while the empty arenas number at most the arenas in use (and at
 * least `retain`): see "Returning arenas" above. */
static void pool_release(alloc_t *a, struct pool *p)
{
    struct arena *ar = p->arena;
    p->next = ar->freepools;
    ar->freepools = p;
    bucket_unlink(a, ar);
    ar->nfree++;
    bucket_link(a, ar);
    if (ar->nfree == POOLS_PER_ARENA && !a->sweeping)
        trim_empty_arenas(a);
}

static int pool_has_room(const alloc_t *a, const struct pool *p)
{
    if (a->marks)
        return p->ref < alloc_marks_of(p)->cap;
    return p->freeblock != NULL || p->nextoffset <= p->maxnextoffset;
}

/* Marks mode: the lowest free block of a pool with room. Words below the
 * cursor are full (the cursor only moves up past full words, and down on a
 * free), so the first clear bit from there is the lowest free block, and it
 * lies below cap: the bits past cap are never reached. */
static void *marks_alloc(struct pool *p, size_t sz)
{
    struct alloc_pool_marks *m = alloc_marks_of(p);
    unsigned w = m->cursor;
    while (m->live[w] == ~(uint64_t)0)
        w++;
    m->cursor = w;
    unsigned k = w * 64 + (unsigned)__builtin_ctzll(~m->live[w]);
    m->live[w] |= (uint64_t)1 << (k & 63);
    return (unsigned char *)p + m->first + (size_t)k * sz;
}

static void marks_free(struct pool *p, void *b)
{
    struct alloc_pool_marks *m = alloc_marks_of(p);
    unsigned k = alloc_block_index(m, b), w = k >> 6;
    uint64_t bit = (uint64_t)1 << (k & 63);
    assert((m->live[w] & bit) && "alloc_free: block is not allocated");
    m->live[w] &= ~bit;
    m->obj[w] &= ~bit;
    m->mark[w] &= ~bit;
    if (w < m->cursor)
        m->cursor = w;
}

static void sweep_pool(alloc_t *a, struct pool *p, struct alloc_sweep_stats *st, int keep_marks);

static void unswept_unlink(alloc_t *a, struct pool *p)
{
    if (p->prev) p->prev->next = p->next;
    else a->unswept[p->szidx] = p->next;
    if (p->next) p->next->prev = p->prev;
    p->maxnextoffset = 0;
    a->nunswept--;
}

/* Lazy sweeping: sweep unswept pools of class c until one has room. */
static void lazy_sweep_class(alloc_t *a, size_t c)
{
    struct alloc_sweep_stats st = { 0 };
    while (!a->usable[c] && a->unswept[c])
        sweep_pool(a, a->unswept[c], &st, 0);
}

/* Marks mode: p now holds a block allocated since the last sweep. */
static void dirty_push(alloc_t *a, struct pool *p)
{
    if (a->ndirty == a->dirty_cap) {
        size_t cap = a->dirty_cap ? a->dirty_cap * 2 : 256;
        struct pool **nd = realloc(a->dirty, cap * sizeof *nd);
        if (!nd) {
            a->dirty_lost = true;
            return;
        }
        a->dirty = nd;
        a->dirty_cap = cap;
    }
    a->dirty[a->ndirty++] = p;
    p->nextoffset = 1;
}

static void *small_alloc(alloc_t *a, size_t n)
{
    size_t c = class_of(n), sz = class_size(c);
    if (!a->usable[c] && a->unswept[c])
        lazy_sweep_class(a, c);   /* never allocate from an unswept pool */
    struct pool *p = a->usable[c];
    if (!p && !(p = pool_new(a, c)))
        return NULL;

    void *b;
    if (a->marks) {
        b = marks_alloc(p, sz);
        UNPOISON(b, sz);
        if (!p->nextoffset)
            dirty_push(a, p);
    } else if (p->freeblock) {
        b = p->freeblock;
        UNPOISON(b, sz);
        p->freeblock = *(void **)b;
    } else {
        b = (unsigned char *)p + p->nextoffset;
        p->nextoffset += (uint32_t)sz;
        UNPOISON(b, sz);
    }
    p->ref++;
    if (!pool_has_room(a, p))
        usable_unlink(a, p);     /* full: found again by masking on free */
    return b;
}

static void small_free(alloc_t *a, void *b, size_t n)
{
    struct pool *p = pool_of(b);
    assert(p->szidx == class_of(n) && "alloc_free: size does not match the block's class");
    (void)n;
    if (a->marks && p->maxnextoffset) {
        struct alloc_sweep_stats st = { 0 };
        sweep_pool(a, p, &st, 0);     /* sweep on touch (b is marked: it stays live) */
    }
    /* Trust the pool, not n, for the block size: a wrong n then only skews
     * the counters instead of corrupting the free list. */
    size_t sz = class_size(p->szidx);
    int was_full = !pool_has_room(a, p);

    if (a->marks) {
        marks_free(p, b);
    } else {
        *(void **)b = p->freeblock;
        p->freeblock = b;
    }
    POISON(b, sz);
    p->ref--;

    if (p->ref == 0) {
        if (!was_full) usable_unlink(a, p);
        pool_release(a, p);
    } else if (was_full) {
        usable_link(a, p);   /* at the front: this block is the next one used */
    }
}

/* ---- malloc'd blocks ------------------------------------------------------ */

static void *big_alloc(alloc_t *a, size_t n)
{
    if (n > SIZE_MAX - sizeof(struct big))
        return NULL;
    struct big *h = malloc(sizeof *h + n);
    if (!h) return NULL;
    h->prev = 0;
    h->n = n;
    h->next = a->bigs;
    if (h->next) big_set_prev(h->next, h);
    a->bigs = h;
    heap_add(a, sizeof *h + n);
    return h + 1;
}

static void big_free(alloc_t *a, void *p, size_t n)
{
    struct big *h = (struct big *)p - 1, *prev = big_prev(h);
    if (prev) prev->next = h->next;
    else a->bigs = h->next;
    if (h->next) big_set_prev(h->next, prev);
    a->st.heap_bytes -= sizeof *h + n;
    free(h);
}

/* ---- public interface ----------------------------------------------------- */

alloc_t *alloc_new(enum alloc_mode mode)
{
    alloc_t *a = calloc(1, sizeof *a);
    if (a) {
        a->mode = mode;
        a->retain = 1;
        a->overhead = POOL_OVERHEAD;
    }
    return a;
}

void alloc_set_retain(alloc_t *a, size_t arenas)
{
    a->retain = arenas ? arenas : 1;
    trim_empty_arenas(a);
}

void alloc_destroy(alloc_t *a)
{
    if (!a) return;
    a->marks = false;            /* no arena set to keep up while unmapping everything */
    for (struct big *h = a->bigs, *next; h; h = next) {
        next = h->next;
        free(h);
    }
    for (unsigned i = 0; i <= POOLS_PER_ARENA; i++) {
        for (struct arena *ar = a->by_nfree[i], *next; ar; ar = next) {
            next = ar->next;
            arena_unmap(a, ar);
        }
    }
    free(a->aset);
    free(a->dirty);
    free(a);
}

enum alloc_mode alloc_mode_of(const alloc_t *a) { return a->mode; }

static int is_small(const alloc_t *a, size_t n)
{
    return a->mode == ALLOC_POOL && n <= ALLOC_SMALL_MAX;
}

/* Block traffic without accounting; the public calls count. */
static void *raw_alloc(alloc_t *a, size_t n)
{
    return is_small(a, n) ? small_alloc(a, n) : big_alloc(a, n);
}

static void raw_free(alloc_t *a, void *p, size_t n)
{
    if (is_small(a, n)) small_free(a, p, n);
    else big_free(a, p, n);
}

/* The size the byte counters count: the requested one, except for pooled
 * blocks in marks mode, where it is the class size (what alloc_sweep knows). */
static size_t counted(const alloc_t *a, size_t n)
{
    return a->marks && is_small(a, n) ? alloc_rounded_size(n) : n;
}

void *alloc_malloc(alloc_t *a, size_t n)
{
    if (n == 0) return NULL;     /* outside the contract; nothing counted */
    void *p = raw_alloc(a, n);
    if (p) note_alloc(a, counted(a, n));
    return p;
}

void *alloc_calloc(alloc_t *a, size_t n)
{
    /* Always clear: a fresh pool is zero, but a reused block or a pool
     * recycled from another class is not, and tracking which is not worth it. */
    void *p = alloc_malloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

/* Freeing NULL (or with n == 0) is a no-op and is not counted, so that
 * live_objects == allocs - frees always holds. */
void alloc_free(alloc_t *a, void *p, size_t n)
{
    if (!p || n == 0) return;
    raw_free(a, p, n);
    note_free(a, counted(a, n));
}

/* A realloc counts as one alloc of new_n and one free of old_n, whether or
 * not the block moves, and without a transient moment where both are live:
 * the caller only ever sees one object. So both modes (one moves, the other
 * may not) report identical counters, peaks included, for the same calls.
 * heap_bytes does see both blocks while copying, because the OS does.
 * new_n == 0 is outside the contract: NULL, p untouched. */
void *alloc_realloc(alloc_t *a, void *p, size_t old_n, size_t new_n)
{
    if (!p || old_n == 0) return alloc_malloc(a, new_n);
    if (new_n == 0) return NULL;
    void *q = p;
    if (!(is_small(a, old_n) && is_small(a, new_n) && class_of(old_n) == class_of(new_n))) {
        if (!(q = raw_alloc(a, new_n))) return NULL;
        memcpy(q, p, old_n < new_n ? old_n : new_n);
        raw_free(a, p, old_n);
    }
    a->st.allocs++;
    a->st.frees++;
    a->st.alloc_bytes += counted(a, new_n);
    a->st.freed_bytes += counted(a, old_n);
    a->st.live_bytes = a->st.live_bytes - counted(a, old_n) + counted(a, new_n);
    if (a->st.live_bytes > a->st.peak_live_bytes)
        a->st.peak_live_bytes = a->st.live_bytes;
    return q;
}

size_t alloc_rounded_size(size_t n)
{
    if (n > ALLOC_SMALL_MAX) return n;
    return (n + ALLOC_ALIGN - 1) & ~(size_t)(ALLOC_ALIGN - 1);
}

void alloc_get_stats(const alloc_t *a, struct alloc_stats *out) { *out = a->st; }

int alloc_mode_parse(const char *s, enum alloc_mode *out)
{
    if (!s || !out) return -1;
    if (strcmp(s, "pool") == 0) *out = ALLOC_POOL;
    else if (strcmp(s, "malloc") == 0) *out = ALLOC_MALLOC;
    else return -1;
    return 0;
}

/* ---- marks mode (alloc.h: "what tracing collectors need") ------------------ */

int alloc_enable_marks(alloc_t *a)
{
    if (a->marks)
        return 0;
    if (a->st.allocs || a->st.arenas_mapped || a->bigs)
        return -1;
    a->marks = true;
    a->overhead = POOL_MARKS_OVERHEAD;
    for (size_t c = 0; c < ALLOC_NCLASSES; c++) {
        uint64_t sz = class_size(c);
        a->cap[c] = (uint32_t)((ALLOC_POOL_SIZE - POOL_MARKS_OVERHEAD) / sz);
        a->recip[c] = (uint32_t)((((uint64_t)1 << 32) + sz - 1) / sz);
    }
    return 0;
}

int alloc_has_marks(const alloc_t *a) { return a->marks; }

void alloc_get_arena_set(const alloc_t *a, struct alloc_arena_set *out)
{
    out->keys = a->aset;
    out->mask = a->aset_mask;
}

static struct big *big_of(const void *p) { return (struct big *)p - 1; }

int alloc_mark_big(void *p)
{
    struct big *h = big_of(p);
    if (h->prev & BIG_MARK)
        return 0;
    h->prev |= BIG_MARK;
    return 1;
}

int alloc_is_marked_big(const void *p) { return (big_of(p)->prev & BIG_MARK) != 0; }

void alloc_set_object(alloc_t *a, void *p, size_t n)
{
    assert(a->marks);
    if (!is_small(a, n)) {
        big_of(p)->prev |= BIG_OBJ;
        return;
    }
    struct alloc_pool_marks *m = alloc_marks_of(p);
    unsigned k = alloc_block_index(m, p);
    m->obj[k >> 6] |= (uint64_t)1 << (k & 63);
}

/* Sweep one pool with live blocks: keep the marked ones, free the rest by
 * clearing their live bits, then move the pool between usable, full and
 * empty as small_free would have, one block at a time. */
static void sweep_pool(alloc_t *a, struct pool *p, struct alloc_sweep_stats *st, int keep_marks)
{
    struct alloc_pool_marks *m = alloc_marks_of(p);
    size_t sz = class_size(p->szidx);
    unsigned words = (m->cap + 63) / 64;
    /* A pool waiting for a lazy sweep is on unswept[], never on usable[]:
     * take it off and treat it as full (linked nowhere). */
    int was_full = p->ref == m->cap || p->maxnextoffset;
    if (p->maxnextoffset)
        unswept_unlink(a, p);
    uint32_t ref = 0;
    for (unsigned w = 0; w < words; w++) {
        uint64_t keep = m->live[w] & m->mark[w];
#ifdef GCLAB_ASAN
        for (uint64_t dead = m->live[w] & ~keep; dead; dead &= dead - 1) {
            unsigned k = w * 64 + (unsigned)__builtin_ctzll(dead);
            POISON((unsigned char *)p + m->first + (size_t)k * sz, sz);
        }
#endif
        m->live[w] = keep;
        m->obj[w] &= keep;
        m->mark[w] = keep_marks ? keep : 0;
        ref += (uint32_t)__builtin_popcountll(keep);
    }
    uint64_t freed = p->ref - ref;
    st->pools_swept++;
    st->blocks_freed += freed;
    st->bytes_freed += freed * sz;
    a->st.frees += freed;
    a->st.live_objects -= freed;
    a->st.freed_bytes += freed * sz;
    a->st.live_bytes -= freed * sz;
    p->ref = ref;
    m->cursor = 0;
    if (ref == 0) {
        if (!was_full) usable_unlink(a, p);
        pool_release(a, p);
        st->pools_emptied++;
    } else if (was_full && ref < m->cap) {
        usable_link(a, p);
    }
}

void alloc_finish_sweep(alloc_t *a)
{
    struct alloc_sweep_stats st = { 0 };
    for (size_t c = 0; c < ALLOC_NCLASSES && a->nunswept; c++)
        while (a->unswept[c])
            sweep_pool(a, a->unswept[c], &st, 0);
}

/* Free every malloc'd block without a mark; clear the marks of the rest
 * unless keep_marks (sticky marks). */
static void sweep_bigs(alloc_t *a, struct alloc_sweep_stats *st, int keep_marks)
{
    for (struct big *h = a->bigs, *next; h; h = next) {
        next = h->next;
        if (h->prev & BIG_MARK) {
            if (!keep_marks)
                h->prev &= ~BIG_MARK;
            continue;
        }
        st->blocks_freed++;
        st->bytes_freed += h->n;
        note_free(a, h->n);
        big_free(a, h + 1, h->n);
    }
}

static void sweep_all(alloc_t *a, struct alloc_sweep_stats *out, int keep_marks, int young_only)
{
    struct alloc_sweep_stats st = { 0 };
    assert(a->marks);
    alloc_finish_sweep(a);
    a->sweeping = true;           /* pool_release must not unmap the arena we are in */
    if (young_only && !a->dirty_lost) {
        /* Sticky marks: a pool not allocated from since the last sweep has
         * live == mark (every block it kept was marked), nothing to free. */
        for (size_t i = 0; i < a->ndirty; i++)
            if (a->dirty[i]->nextoffset) {
                a->dirty[i]->nextoffset = 0;     /* a duplicate entry is skipped */
                if (a->dirty[i]->ref)
                    sweep_pool(a, a->dirty[i], &st, keep_marks);
            }
    } else {
        for (struct arena *ar = a->arenas; ar; ar = ar->all_next)
            for (unsigned i = 0; i < ar->ncarved; i++) {
                struct pool *p = (struct pool *)(ar->base + (size_t)i * ALLOC_POOL_SIZE);
                if (p->ref)
                    sweep_pool(a, p, &st, keep_marks);
            }
    }
    for (size_t i = 0; i < a->ndirty; i++)
        a->dirty[i]->nextoffset = 0;
    a->ndirty = 0;
    a->dirty_lost = false;
    a->sweeping = false;
    trim_empty_arenas(a);
    sweep_bigs(a, &st, keep_marks);
    if (out)
        *out = st;
}

void alloc_sweep(alloc_t *a, struct alloc_sweep_stats *out) { sweep_all(a, out, 0, 0); }

void alloc_sweep_sticky(alloc_t *a, struct alloc_sweep_stats *out) { sweep_all(a, out, 1, 0); }

void alloc_sweep_sticky_young(alloc_t *a, struct alloc_sweep_stats *out) { sweep_all(a, out, 1, 1); }

void alloc_sweep_lazy(alloc_t *a, struct alloc_sweep_stats *out)
{
    struct alloc_sweep_stats st = { 0 };
    assert(a->marks);
    alloc_finish_sweep(a);
    for (struct arena *ar = a->arenas; ar; ar = ar->all_next)
        for (unsigned i = 0; i < ar->ncarved; i++) {
            struct pool *p = (struct pool *)(ar->base + (size_t)i * ALLOC_POOL_SIZE);
            if (!p->ref)
                continue;
            if (p->ref < alloc_marks_of(p)->cap)
                usable_unlink(a, p);
            p->prev = NULL;
            p->next = a->unswept[p->szidx];
            if (p->next) p->next->prev = p;
            a->unswept[p->szidx] = p;
            p->maxnextoffset = 1;
            a->nunswept++;
            st.pools_swept++;      /* to be swept */
        }
    for (size_t i = 0; i < a->ndirty; i++)
        a->dirty[i]->nextoffset = 0;
    a->ndirty = 0;
    a->dirty_lost = false;
    sweep_bigs(a, &st, 0);
    if (out)
        *out = st;
}

void alloc_clear_marks(alloc_t *a)
{
    assert(a->marks);
    alloc_finish_sweep(a);
    for (struct arena *ar = a->arenas; ar; ar = ar->all_next)
        for (unsigned i = 0; i < ar->ncarved; i++) {
            struct pool *p = (struct pool *)(ar->base + (size_t)i * ALLOC_POOL_SIZE);
            if (p->ref)
                memset(alloc_marks_of(p)->mark, 0, sizeof alloc_marks_of(p)->mark);
        }
    for (struct big *h = a->bigs; h; h = h->next)
        h->prev &= ~BIG_MARK;
}

void alloc_foreach_object(alloc_t *a, void (*fn)(void *block, void *ctx), void *ctx)
{
    assert(a->marks);
    alloc_finish_sweep(a);             /* an unswept pool's unmarked blocks are dead */
    for (struct arena *ar = a->arenas; ar; ar = ar->all_next)
        for (unsigned i = 0; i < ar->ncarved; i++) {
            struct pool *p = (struct pool *)(ar->base + (size_t)i * ALLOC_POOL_SIZE);
            if (!p->ref)
                continue;
            struct alloc_pool_marks *m = alloc_marks_of(p);
            size_t sz = class_size(p->szidx);
            for (unsigned w = 0; w < (m->cap + 63) / 64; w++)
                for (uint64_t b = m->obj[w]; b; b &= b - 1) {
                    unsigned k = w * 64 + (unsigned)__builtin_ctzll(b);
                    fn((unsigned char *)p + m->first + (size_t)k * sz, ctx);
                }
        }
    for (struct big *h = a->bigs; h; h = h->next)
        if (h->prev & BIG_OBJ)
            fn(h + 1, ctx);
}
