/* test_verify.c — -p verify=L: core calls the engine's verify after every
 * collection (events.c) and a corrupted heap is caught with the exact
 * message; verify=0 checks nothing; verify=1 and 2 pass on a sound heap on
 * every engine. The corruptions are header words a collection neither reads
 * nor repairs: rcgen's TRACKED bit on a listed object (caught by the list
 * walk at level 1, and before update_refs by the check between phases at
 * level 2), and marksweep's HAS_DEL flag set behind the class's back (the
 * census of level 1 counts one more object to finalize than are listed).
 * Each corrupted heap runs in a child process: a failed check aborts. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "t.h"

static gclab_heap *heap_at(const char *engine, const char *level)
{
    char err[256];
    struct gclab_kv kv[] = { { "verify", level } };
    struct gclab_config cfg = { .nparams = 1, .params = kv };
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h)
        printf("heap %s: %s\n", engine, err);
    return h;
}

static gclab_obj *obj_at(gclab_heap *h, int slot)
{
    uint64_t id = 0;
    gclab_id(h, slot, &id);
    return (gclab_obj *)(uintptr_t)id;
}

enum corruption { C_RCGEN_UNTRACKED, C_MARKSWEEP_HAS_DEL };

/* In the child: a class and an instance in slots 0, 1; corrupt the
 * instance; collect everything. Returns if no check fired. */
static void corrupt_and_collect(const char *engine, const char *level, enum corruption c)
{
    gclab_heap *h = heap_at(engine, level);
    if (!h)
        return;
    gclab_frame_push(h, 2);
    gclab_class_new(h, 0, "C", -1, -1);
    gclab_instance_new(h, 1, 0);
    gclab_obj *o = obj_at(h, 1);
    if (c == C_RCGEN_UNTRACKED)
        o->gcflags &= (uint8_t)~0x01;    /* engines/rcgen.c RG_TRACKED */
    else
        o->flags |= OBJ_F_HAS_DEL;
    int64_t found;
    gclab_gc_collect(h, 2, &found);
    fprintf(stderr, "no check fired\n");
    _exit(0);   /* the corrupted heap is not freed: releasing it may crash */
}

/* Run it in a child; *err gets its stderr with every 0x... address written
 * as P; returns the signal it died of, or 0 on a normal exit. */
static int run_child(const char *engine, const char *level, enum corruption c, char *err, size_t n)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        corrupt_and_collect(engine, level, c);
        _exit(0);
    }
    close(fd[1]);
    char raw[2048];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof raw - 1 && (k = read(fd[0], raw + len, sizeof raw - 1 - len)) > 0)
        len += (size_t)k;
    raw[len] = 0;
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    size_t j = 0;
    for (size_t i = 0; raw[i] && j + 2 < n; i++) {
        if (raw[i] == '0' && raw[i + 1] == 'x' && i > 0 && raw[i - 1] == ' ') {
            /* an address: 0x and hex digits; flags like %#x are short, keep those */
            size_t e = i + 2;
            while (raw[e] && ((raw[e] >= '0' && raw[e] <= '9') || (raw[e] >= 'a' && raw[e] <= 'f')))
                e++;
            if (e - i > 6) {
                err[j++] = 'P';
                i = e - 1;
                continue;
            }
        }
        err[j++] = raw[i];
    }
    err[j] = 0;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void test_verify1_catches_an_untracked_object_in_rcgens_lists(struct t *t)
{
    char err[400];
    T_EQ(t, run_child("rcgen", "1", C_RCGEN_UNTRACKED, err, sizeof err), SIGABRT);
    T_STREQ(t, err, "rcgen verify: generation 2: object P kind 8 refcnt 1 flags 0: in a list but not "
                    "TRACKED (R1)\n"
                    "gclab: verify=1: rcgen heap check failed after a collection of generation 2 "
                    "(collection 1)\n");
}

static void test_verify2_catches_it_between_rcgens_phases(struct t *t)
{
    char err[400];
    T_EQ(t, run_child("rcgen", "2", C_RCGEN_UNTRACKED, err, sizeof err), SIGABRT);
    T_STREQ(t, err, "rcgen verify (before update_refs): object P kind 8 flags 0, want 0x1: in a "
                    "collection list but not TRACKED (R1)\n");
}

static void test_verify1_catches_a_finalizer_count_mismatch_in_marksweep(struct t *t)
{
    char err[400];
    T_EQ(t, run_child("marksweep", "1", C_MARKSWEEP_HAS_DEL, err, sizeof err), SIGABRT);
    T_STREQ(t, err, "marksweep verify: 0 weakrefs and 1 to finalize in the heap, 0 and 0 listed\n"
                    "gclab: verify=1: marksweep heap check failed after a collection of generation 0 "
                    "(collection 1)\n");
}

static void test_verify0_checks_nothing(struct t *t)
{
    char err[400];
    T_EQ(t, run_child("rcgen", "0", C_RCGEN_UNTRACKED, err, sizeof err), 0);
    T_STREQ(t, err, "no check fired\n");
    T_EQ(t, run_child("marksweep", "0", C_MARKSWEEP_HAS_DEL, err, sizeof err), 0);
    T_STREQ(t, err, "no check fired\n");
}

static gclab_status nop(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h, (void)ctx, (void)code;
    return GCLAB_OK;
}

/* A sound heap passes both levels on every engine: cycles, a finalizer, a
 * weakref with a callback, collections of every generation. */
static void test_every_engine_passes_verify_1_and_2(struct t *t)
{
    for (int i = 0; gclab_engine_at(i); i++) {
        const char *name = gclab_engine_at(i)->name;
        for (int level = 1; level <= 2; level++) {
            printf("engine %s verify=%d\n", name, level);
            gclab_heap *h = heap_at(name, level == 1 ? "1" : "2");
            T_CHECK(t, h);
            gclab_name x = gclab_intern(h, "x");
            T_EQ(t, gclab_frame_push(h, 5), GCLAB_OK);
            T_EQ(t, gclab_func_new(h, 4, "f", nop, NULL, 0, 1, 1), GCLAB_OK);
            T_EQ(t, gclab_class_new(h, 0, "C", -1, 4), GCLAB_OK);
            for (int k = 0; k < 50; k++) {
                T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
                T_EQ(t, gclab_instance_new(h, 2, 0), GCLAB_OK);
                T_EQ(t, gclab_attr_set(h, 1, x, 2), GCLAB_OK);
                T_EQ(t, gclab_attr_set(h, 2, x, 1), GCLAB_OK);
                T_EQ(t, gclab_weakref_new(h, 3, 1, 4), GCLAB_OK);
                int64_t found;
                T_EQ(t, gclab_gc_collect(h, k % 3, &found), GCLAB_OK);
            }
            T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
            int64_t found;
            T_EQ(t, gclab_gc_collect(h, 2, &found), GCLAB_OK);
            gclab_heap_free(h);
        }
    }
}

int main(void)
{
    T_RUN(test_verify1_catches_an_untracked_object_in_rcgens_lists);
    T_RUN(test_verify2_catches_it_between_rcgens_phases);
    T_RUN(test_verify1_catches_a_finalizer_count_mismatch_in_marksweep);
    T_RUN(test_verify0_checks_nothing);
    T_RUN(test_every_engine_passes_verify_1_and_2);
    return t_done();
}
