/* interp.c — the interpreter's own objects and how sys.stdout buffers.
 *
 * CPython 3.11 keeps some objects where no script can name them: print's
 * keyword-name tuple in its argument parser, the thread state's dict that
 * Py_ReprEnter makes on first use, the pending list of sys.stdout's
 * TextIOWrapper. Scripts' gc observations see them (they are counted in
 * gc.get_count() when made, listed by gc.get_objects()), so the heap holds
 * the same objects as roots of its own (h->interp, traced in roots.c).
 *
 * The stdout mode is read as CPython reads it (Python/initconfig.c,
 * Python/pylifecycle.c create_stdio): PYTHONUNBUFFERED set to a non-empty
 * value that is not a non-negative int, or to an int > 0, makes stdout
 * write_through; otherwise it is buffered, and line-buffered on a tty.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>

#include "core.h"


bool gclab_iroot_has(gclab_heap *h, int which)
{
    return which >= 0 && which < GCLAB_IROOT_COUNT && h->interp[which] != NULL;
}

gclab_status gclab_iroot_set(gclab_heap *h, int which, int src)
{
    if (which < 0 || which >= GCLAB_IROOT_COUNT)
        return heap_error(h, GCLAB_EUSAGE, "interpreter root %d: no such root", which);
    gclab_obj *v = slot_get(h, src);
    if (!v)
        return h->err_status;
    /* After gclab_heap_drop_roots (a __del__ printing at the very end) nothing
     * is kept: the object goes with its slot, as everything else then does. */
    if (!h->roots_dropped)
        store(h, &h->interp[which], v);
    return GCLAB_OK;
}

void gclab_iroot_clear(gclab_heap *h, int which)
{
    if (which >= 0 && which < GCLAB_IROOT_COUNT && h->interp[which])
        store(h, &h->interp[which], NULL);
}

gclab_status gclab_iroot_get(gclab_heap *h, int dst, int which)
{
    if (!gclab_iroot_has(h, which))
        return heap_error(h, GCLAB_ENAME, "interpreter root %d holds nothing", which);
    gclab_obj **d = slot_addr(h, dst);
    if (!d)
        return h->err_status;
    store(h, d, h->interp[which]);
    return GCLAB_OK;
}

void gclab_set_stdout_mode(gclab_heap *h, int mode)
{
    h->stdout_mode = mode;
}

int gclab_stdout_mode(gclab_heap *h)
{
    return gclab_has_refcounts(h) ? h->stdout_mode : GCLAB_STDOUT_UNMODELLED;
}

/* CPython 3.11 _Py_get_env_flag: a non-empty value counts as its int value
 * when it is a whole non-negative int, else as 1. */
static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return false;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || errno == ERANGE || n < INT_MIN || n > INT_MAX || n < 0)
        return true;
    return n > 0;
}

int gclab_stdout_mode_for(int fd)
{
    if (env_flag("PYTHONUNBUFFERED"))
        return GCLAB_STDOUT_UNBUFFERED;
    return isatty(fd) ? GCLAB_STDOUT_LINE : GCLAB_STDOUT_BLOCK;
}
