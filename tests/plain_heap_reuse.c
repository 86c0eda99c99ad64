/* plain_heap_reuse.c — a program run on a second heap that the allocator
 * placed at the address of a freed first heap.
 *
 * Regression (fuzz/corpus/diff_target/regress-heap-address-reuse, found by
 * diff_target in a clang -O0 build): ops.c cached the program's interned
 * names per heap *address*, so a new heap at a freed heap's address used the
 * dead heap's names, and writing a global incremented a word inside the new
 * heap's intern table. The cache is now keyed by gclab_heap_id, which is
 * never reused.
 *
 * ASan's allocator never hands a freed heap's address to the next heap, so
 * this test is built without sanitizers (tests/plain_*.c), where glibc
 * reuses it at once, as in the -O0 build that found the bug. */
#include <stdlib.h>
#include <string.h>

#include "gclab.h"
#include "script/script.h"
#include "t.h"

static const char src[] = "g0 = [1, 2]\ng1 = g0\n";

/* Every heap sees the globals the program set, under its own names, also
 * when the allocator put it where an earlier heap was. */
static void test_program_on_a_heap_at_a_freed_heaps_address_uses_its_own_names(struct t *t)
{
    char err[256];
    struct ops_program *p = script_compile(src, strlen(src), "reuse.py", err, sizeof err);
    T_CHECK(t, p != NULL);
    void *seen[20];
    uint64_t last_id = 0;
    int reused = 0;
    for (int round = 0; round < 20; round++) {
        gclab_heap *h = gclab_heap_new("rc", NULL, err, sizeof err);
        T_CHECK(t, h != NULL && gclab_heap_id(h) > last_id);
        last_id = gclab_heap_id(h);
        for (int i = 0; i < round; i++)
            if (seen[i] == (void *)h) {
                reused++;
                break;
            }
        seen[round] = h;
        T_EQ(t, ops_run(h, p, NULL, NULL), GCLAB_OK);
        gclab_frame_push(h, 2);
        T_EQ(t, gclab_global_get(h, 0, gclab_intern(h, "g0")), GCLAB_OK);
        T_EQ(t, gclab_global_get(h, 1, gclab_intern(h, "g1")), GCLAB_OK);
        bool same;
        gclab_is(h, 0, 1, &same);
        T_CHECK(t, same);
        int64_t n;
        gclab_len(h, 0, &n);
        T_EQ(t, n, 2);
        gclab_heap_free(h);
    }
    printf("# heaps placed at an earlier heap's address: %d of 20\n", reused);
    ops_program_free(p);
}

int main(void)
{
    T_RUN(test_program_on_a_heap_at_a_freed_heaps_address_uses_its_own_names);
    return t_done();
}
