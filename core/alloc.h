/* alloc.h — gclab's small-object allocator (pymalloc style) and its malloc
 * fallback, with exact byte and object accounting.
 *
 * POOL mode: requests of 1..512 bytes are rounded up to a multiple of 16 and
 * served from 16 KiB pools that each hold blocks of one size class; pools are
 * carved from 1 MiB arenas (mmap). A freed block goes on the front of its
 * pool's free list (LIFO reuse); a pool that becomes empty returns to its
 * arena; an arena whose pools are all empty is returned to the OS (munmap),
 * except that one empty arena is kept cached to avoid map/unmap thrash.
 * Requests above 512 bytes go to malloc.
 * MALLOC mode: every request goes to malloc (to measure the pool's effect).
 *
 * Callers pass the size again when freeing (sized free), as CPython's object
 * allocator knows each object's size; this keeps accounting exact without
 * per-block headers.
 */
#ifndef GCLAB_ALLOC_H
#define GCLAB_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* GCLAB_ASAN: defined when built with AddressSanitizer (gcc's or clang's flag). */
#if defined(__SANITIZE_ADDRESS__)
#define GCLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GCLAB_ASAN 1
#endif
#endif

#define ALLOC_SMALL_MAX   512          /* largest request served from pools */
#define ALLOC_ALIGN       16           /* size-class granularity and alignment */
#define ALLOC_NCLASSES    (ALLOC_SMALL_MAX / ALLOC_ALIGN)
#define ALLOC_POOL_SIZE   (16 * 1024)
#define ALLOC_ARENA_SIZE  (1024 * 1024)

enum alloc_mode { ALLOC_POOL, ALLOC_MALLOC };

typedef struct alloc alloc_t;

struct alloc_stats {
    uint64_t allocs;            /* successful alloc_malloc calls */
    uint64_t frees;             /* alloc_free calls */
    uint64_t live_objects;      /* allocs - frees */
    uint64_t peak_live_objects;
    uint64_t live_bytes;        /* sum of requested sizes of live blocks */
    uint64_t peak_live_bytes;
    uint64_t freed_bytes;       /* sum of requested sizes ever freed */
    uint64_t alloc_bytes;       /* sum of requested sizes ever allocated */
    uint64_t heap_bytes;        /* bytes held from the OS: mapped arenas + malloc'd blocks */
    uint64_t peak_heap_bytes;
    uint64_t arenas_mapped;     /* arenas ever mapped */
    uint64_t arenas_unmapped;   /* arenas ever returned to the OS */
    uint64_t arenas_live;       /* arenas currently mapped */
};

/* Create an allocator in the given mode; NULL if out of memory. */
alloc_t *alloc_new(enum alloc_mode mode);
/* Release every arena and every large block still held, then the allocator. */
void alloc_destroy(alloc_t *a);
/* The allocator's mode. */
enum alloc_mode alloc_mode_of(const alloc_t *a);
/* Allocate n (>0) bytes, 16-byte aligned, contents unspecified; NULL when out of memory. */
void *alloc_malloc(alloc_t *a, size_t n);
/* Allocate n (>0) bytes set to zero; NULL when out of memory. */
void *alloc_calloc(alloc_t *a, size_t n);
/* Free p, which alloc_malloc/alloc_calloc/alloc_realloc returned for exactly n bytes. */
void alloc_free(alloc_t *a, void *p, size_t n);
/* Resize p from old_n to new_n bytes (p may be NULL with old_n 0); NULL on failure, p untouched. */
void *alloc_realloc(alloc_t *a, void *p, size_t old_n, size_t new_n);
/* The size class (rounded size) a request of n bytes uses, or n itself above ALLOC_SMALL_MAX. */
size_t alloc_rounded_size(size_t n);
/* Always allow `arenas` (>= 1, default 1) entirely empty arenas to stay mapped, beyond
 * the default of as many as are in use; unmaps any excess now. */
void alloc_set_retain(alloc_t *a, size_t arenas);
/* Copy the allocator's counters into *out. */
void alloc_get_stats(const alloc_t *a, struct alloc_stats *out);
/* Parse "pool" or "malloc"; returns 0 on success, -1 on an unknown name. */
int alloc_mode_parse(const char *s, enum alloc_mode *out);

/* ---- what tracing collectors need: marks mode ----------------------------
 *
 * alloc_enable_marks turns an allocator that has handed out nothing yet into
 * one a tracing collector can sweep. Each pool then carries three bitmaps
 * after its header, one bit per block (block k at first + k * size):
 *   live  the block is handed out (allocation takes the lowest clear bit,
 *         so a pool fills from its start as with the bump pointer);
 *   obj   the caller called it an object (alloc_set_object): what
 *         alloc_foreach_object visits;
 *   mark  set by alloc_mark during a collection, cleared by alloc_sweep.
 * A block above ALLOC_SMALL_MAX (or any block in MALLOC mode) keeps the
 * same two flags in its hidden header and stays on the allocator's list of
 * malloc'd blocks. alloc_sweep frees every live block that is not marked,
 * without reading or writing the block: a pool's sweep is word-wide bit
 * arithmetic (live &= mark) in its header, and what it frees is found again
 * by allocation through the live bits. In marks mode the byte counters of
 * struct alloc_stats count rounded (size-class) sizes, which is what the
 * sweep knows; callers keep exact requested sizes themselves.
 * The bitmaps take POOL_MARKS_OVERHEAD - POOL_OVERHEAD (384) bytes of each
 * 16 KiB pool (2.3%).
 */
#define ALLOC_MARK_WORDS        16   /* 1024 bits: enough for the 16-byte class */
#define ALLOC_POOL_MARKS_OFFSET 48   /* sizeof(struct pool) rounded, checked in alloc.c */

struct alloc_pool_marks {
    uint32_t first;          /* offset of block 0 in the pool */
    uint32_t recip;          /* ceil(2^32 / block size): index = (off - first) * recip >> 32 */
    uint32_t cap;            /* blocks in the pool */
    uint32_t cursor;         /* no free block in words below this one */
    uint64_t live[ALLOC_MARK_WORDS], obj[ALLOC_MARK_WORDS], mark[ALLOC_MARK_WORDS];
};

/* The bitmaps of the pool holding small block p (O(1): pools are aligned). */
static inline struct alloc_pool_marks *alloc_marks_of(const void *p)
{
    return (struct alloc_pool_marks *)(((uintptr_t)p & ~(uintptr_t)(ALLOC_POOL_SIZE - 1)) +
                                       ALLOC_POOL_MARKS_OFFSET);
}
/* Block number of small block p within its pool (exact: offsets < 2^14, sizes <= 2^9). */
static inline unsigned alloc_block_index(const struct alloc_pool_marks *m, const void *p)
{
    uint64_t off = ((uintptr_t)p & (ALLOC_POOL_SIZE - 1)) - m->first;
    return (unsigned)((off * m->recip) >> 32);
}

/* Whether a block of n bytes lives in a pool (else it is a malloc'd block). */
static inline int alloc_is_pooled(enum alloc_mode mode, size_t n)
{
    return mode == ALLOC_POOL && n <= ALLOC_SMALL_MAX;
}

/* Which addresses are pool blocks, without reading them: in marks mode every
 * arena is 1 MiB aligned and its base >> 20 is in an open-addressing set.
 * A pointer that is not in an arena is a malloc'd block or not the
 * allocator's at all (an immortal object, say). The set is valid until the
 * allocator next maps or unmaps an arena (no allocation during a mark phase). */
struct alloc_arena_set { const uintptr_t *keys; size_t mask; };
static inline size_t alloc_arena_hash(uintptr_t k) { return (size_t)(k ^ (k >> 9)); }
static inline void alloc_arena_set_insert(uintptr_t *keys, size_t mask, uintptr_t k)
{
    size_t i = alloc_arena_hash(k) & mask;
    while (keys[i] && keys[i] != k)
        i = (i + 1) & mask;
    keys[i] = k;
}
static inline int alloc_in_arena(const struct alloc_arena_set *s, const void *p)
{
    uintptr_t k = (uintptr_t)p >> 20;
    for (size_t i = alloc_arena_hash(k) & s->mask; s->keys[i]; i = (i + 1) & s->mask)
        if (s->keys[i] == k)
            return 1;
    return 0;
}
/* The current set; keys NULL (check it) when there is none (not marks mode, or
 * out of memory): then every block must be treated as possibly malloc'd. */
void alloc_get_arena_set(const alloc_t *a, struct alloc_arena_set *out);
/* Set the mark of the pool block p (alloc_in_arena said so); 1 if it was clear. */
static inline int alloc_mark_small(void *p)
{
    struct alloc_pool_marks *m = alloc_marks_of(p);
    unsigned k = alloc_block_index(m, p);
    uint64_t bit = (uint64_t)1 << (k & 63), *w = &m->mark[k >> 6];
    if (*w & bit)
        return 0;
    *w |= bit;
    return 1;
}

/* A tracing collector's marker for one mark phase: the allocator's mode, the
 * arena set, and the key of the arena the last pool block was found in (or 0).
 * alloc_marker_start fills it after the last sweep's rest (no arena is mapped
 * from then until the sweep). */
struct alloc_marker {
    enum alloc_mode mode;
    struct alloc_arena_set arenas;
    uintptr_t last_arena;
};
static inline void alloc_marker_start(const alloc_t *a, struct alloc_marker *m)
{
    alloc_get_arena_set(a, &m->arenas);
    m->last_arena = 0;                     /* key 0 is below every mapping */
}
/* Whether p is a pool block, by address alone (its pool's header, not p, is
 * what a caller then reads). Neighbours share arenas: a hit on the last
 * arena skips the hash. */
static inline __attribute__((always_inline)) int alloc_marker_pooled(struct alloc_marker *m, const void *p)
{
    uintptr_t k = (uintptr_t)p >> 20;      /* the arena's key */
    if (k == m->last_arena)
        return 1;
    if (m->arenas.keys && alloc_in_arena(&m->arenas, p)) {
        m->last_arena = k;
        return 1;
    }
    return 0;
}

/* Turn on marks mode; -1 if anything was ever allocated from a (0 on success). */
int alloc_enable_marks(alloc_t *a);
int alloc_has_marks(const alloc_t *a);

/* Malloc'd blocks (n above ALLOC_SMALL_MAX, or MALLOC mode): out of line. */
int alloc_mark_big(void *p);
int alloc_is_marked_big(const void *p);

/* Set the mark of the live block p of n bytes; 1 if it was clear, 0 if already set. */
static inline int alloc_mark(enum alloc_mode mode, void *p, size_t n)
{
    return alloc_is_pooled(mode, n) ? alloc_mark_small(p) : alloc_mark_big(p);
}
static inline int alloc_is_marked(enum alloc_mode mode, const void *p, size_t n)
{
    if (!alloc_is_pooled(mode, n))
        return alloc_is_marked_big(p);
    const struct alloc_pool_marks *m = alloc_marks_of(p);
    unsigned k = alloc_block_index(m, p);
    return (m->mark[k >> 6] >> (k & 63)) & 1;
}
/* Call the live block p of n bytes an object (alloc_foreach_object visits it). */
void alloc_set_object(alloc_t *a, void *p, size_t n);

struct alloc_sweep_stats {
    uint64_t blocks_freed;   /* unmarked live blocks freed */
    uint64_t bytes_freed;    /* their rounded sizes (requested size for malloc'd blocks) */
    uint64_t pools_swept;    /* pools with at least one live block before the sweep */
    uint64_t pools_emptied;  /* of which the sweep emptied (returned to their arena) */
};
/* Free every live block without a mark and clear every mark; *out (may be NULL) gets
 * the counts. Emptied arenas are then trimmed as alloc_set_retain says. */
void alloc_sweep(alloc_t *a, struct alloc_sweep_stats *out);
/* Sticky mark bits (a generational collector's "old" bit, Demers et al. 1990): the same
 * sweep, but the survivors keep their marks, so a block stays marked until
 * alloc_clear_marks. An unmarked live block is then a block allocated since the last
 * sweep (young); a nursery collection marks the young blocks it reaches and sweeps the
 * rest, never tracing or freeing a marked (old) one. */
void alloc_sweep_sticky(alloc_t *a, struct alloc_sweep_stats *out);
/* The same, for a nursery collection: only the pools allocated from since the last sweep
 * (any kind) can hold unmarked blocks, so only those are swept (the allocator keeps
 * their list); malloc'd blocks are all visited. Valid only while every block that was
 * live at the last sweep is still marked (no alloc_clear_marks since). */
void alloc_sweep_sticky_young(alloc_t *a, struct alloc_sweep_stats *out);
/* Lazy sweeping (Hughes 1982; Boehm's reclaim lists): the same result as alloc_sweep, but a
 * pool is swept only when allocation of its size class needs room (or a block of it is
 * freed, or the sweep is finished): this call only queues every pool with live blocks,
 * per class, and sweeps the malloc'd blocks. Until a pool is swept its dead blocks count
 * as live in struct alloc_stats and keep their marks; alloc_foreach_object, alloc_sweep*,
 * alloc_clear_marks and alloc_finish_sweep finish the sweep first. */
void alloc_sweep_lazy(alloc_t *a, struct alloc_sweep_stats *out);
/* Sweep every pool a lazy sweep has not reached yet (a collection starts with this). */
void alloc_finish_sweep(alloc_t *a);
/* Clear every mark (a full collection of a sticky-mark collector starts with this). */
void alloc_clear_marks(alloc_t *a);
/* Call fn on every live block called an object, pools first (arena by arena, pool by
 * pool, in address order within a pool), then malloc'd blocks. fn must not allocate
 * or free from a. */
void alloc_foreach_object(alloc_t *a, void (*fn)(void *block, void *ctx), void *ctx);
/* The allocator's planted bug (core/mutant.h), in the engines' mutant lists. */
struct gclab_mutant;
extern const struct gclab_mutant alloc_mut_size_class;

#endif
