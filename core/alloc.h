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

#endif
