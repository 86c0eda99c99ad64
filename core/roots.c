/* roots.c — the shadow stack of frames and slots, globals, calls, and the
 * root set a tracing engine starts from.
 *
 * Slots of all frames live in one growable array; a frame is a base index
 * and a size. Code that releases references (popping a frame) may run
 * __del__ methods that push frames of their own and so move the array:
 * every access goes through an index, never a saved pointer.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

gclab_status frame_push_n(gclab_heap *h, int nslots)
{
    if (nslots < 0)
        return heap_error(h, GCLAB_EUSAGE, "negative frame size");
    if (h->depth >= h->max_depth)
        return heap_error(h, GCLAB_ERECURSION, "maximum recursion depth exceeded");
    if (h->depth == h->frames_cap) {
        int cap = h->frames_cap ? h->frames_cap * 2 : 64;
        struct frame *f = realloc(h->frames, (size_t)cap * sizeof *f);
        if (!f)
            return heap_error(h, GCLAB_EMEMORY, "out of memory for frames");
        h->frames = f;
        h->frames_cap = cap;
    }
    size_t need = h->nslots_used + (size_t)nslots;
    if (need > h->nslots_cap) {
        size_t cap = h->nslots_cap ? h->nslots_cap : 256;
        while (cap < need)
            cap *= 2;
        gclab_obj **s = realloc(h->slots, cap * sizeof *s);
        if (!s)
            return heap_error(h, GCLAB_EMEMORY, "out of memory for slots");
        h->slots = s;
        h->nslots_cap = cap;
    }
    if (nslots > 0)   /* the very first frame may have no slots, and no slot array yet (NULL) */
        memset(h->slots + h->nslots_used, 0, (size_t)nslots * sizeof *h->slots);
    h->frames[h->depth++] = (struct frame){ h->nslots_used, nslots, NULL };
    h->nslots_used = need;
    frame_top_sync(h);
    return GCLAB_OK;
}

gclab_status gclab_frame_push(gclab_heap *h, int nslots) { return frame_push_n(h, nslots); }

#define MAX_ARGS 16

gclab_status gclab_frame_push_args(gclab_heap *h, int nslots, int nargs, const int *args)
{
    gclab_obj *argv[MAX_ARGS];
    if (nargs < 0 || nargs > MAX_ARGS || nargs > nslots)
        return heap_error(h, GCLAB_EUSAGE, "bad argument count %d for %d slots", nargs, nslots);
    for (int i = 0; i < nargs; i++)
        if (!(argv[i] = slot_get(h, args[i])))
            return h->err_status;
    gclab_status st = frame_push_n(h, nslots);
    if (st != GCLAB_OK)
        return st;
    size_t base = h->frames[h->depth - 1].base;
    for (int i = 0; i < nargs; i++)
        store(h, &h->slots[base + (size_t)i], argv[i]);
    return GCLAB_OK;
}

gclab_status gclab_frame_pop(gclab_heap *h)
{
    if (h->depth == 0)
        return heap_error(h, GCLAB_EUSAGE, "no frame to pop");
    int d = h->depth - 1;
    /* Release top-down; a __del__ run here pushes above this frame and pops
     * again before returning, so frame d stays where it is. */
    if (GCLAB_HOOKS && __builtin_expect(h->hot.barriers, 0)) {   /* deletions reported */
        for (int i = h->frames[d].nslots - 1; i >= 0; i--)
            release_ref(h, unlink_ref_barrier(h, NULL, &h->slots[h->frames[d].base + (size_t)i]));
        release_ref(h, unlink_ref_barrier(h, NULL, &h->frames[d].ret));
    } else {
        for (int i = h->frames[d].nslots - 1; i >= 0; i--) {
            gclab_obj **p = &h->slots[h->frames[d].base + (size_t)i];
            gclab_obj *o = *p;
            *p = NULL;
            release_ref(h, o);
        }
        gclab_obj *ret = h->frames[d].ret;
        h->frames[d].ret = NULL;
        release_ref(h, ret);
    }
    h->nslots_used = h->frames[d].base;
    h->depth = d;
    frame_top_sync(h);
    return GCLAB_OK;
}

gclab_status gclab_frame_return(gclab_heap *h, int src, int dst)
{
    gclab_obj *v = slot_get(h, src);
    if (!v)
        return h->err_status;
    if (h->depth < 2 || dst < 0 || dst >= h->frames[h->depth - 2].nslots)
        return heap_error(h, GCLAB_EUSAGE, "return slot %d out of range in the caller", dst);
    if (h->refcounts)
        obj_incref(h, v);
    gclab_frame_pop(h);
    store_steal(h, &h->slots[h->frames[h->depth - 1].base + (size_t)dst], v);
    return GCLAB_OK;
}

int gclab_frame_depth(const gclab_heap *h) { return h->depth; }
int gclab_frame_size(const gclab_heap *h) { return h->depth ? h->frames[h->depth - 1].nslots : 0; }

gclab_status gclab_move(gclab_heap *h, int dst, int src)
{
    gclab_obj **d = slot_addr(h, dst);
    gclab_obj *v = slot_get(h, src);
    if (!d || !v)
        return h->err_status;
    store(h, d, v);
    return GCLAB_OK;
}

gclab_status gclab_clear(gclab_heap *h, int slot)
{
    gclab_obj **p = slot_addr(h, slot);
    if (!p)
        return h->err_status;
    if (!*p)
        return heap_error(h, GCLAB_ENAME, "slot %d is empty", slot);
    store(h, p, NULL);
    return GCLAB_OK;
}

/* ---- globals -------------------------------------------------------- */

gclab_status roots_ready(gclab_heap *h)
{
    /* A __del__ run while the roots are dropped must not bring them back
     * (they would outlive the drop and count as leaked). */
    if (h->roots_dropped)
        return heap_error(h, GCLAB_ENAME, "the heap's roots were dropped (globals, gc.garbage, gc.callbacks)");
    if (!h->globals) {
        gclab_obj *d = dict_new(h);
        if (!d)
            return h->err_status;
        store(h, &h->globals, d);
    }
    if (!h->garbage) {
        gclab_obj *l = list_new_obj(h);
        if (!l)
            return h->err_status;
        store(h, &h->garbage, l);
    }
    if (!h->callbacks) {
        gclab_obj *l = list_new_obj(h);
        if (!l)
            return h->err_status;
        store(h, &h->callbacks, l);
    }
    return GCLAB_OK;
}

/* The globals dict, for the global ops: the root, or during a heap
 * script's shutdown (gclab_heap_shutdown) the module dict the final
 * collection is finalizing, which a __del__ still reads as CPython's does. */
static gclab_status globals_ready(gclab_heap *h)
{
    if (h->globals_unrooted)
        return h->globals ? GCLAB_OK
                          : heap_error(h, GCLAB_ENAME, "the heap's roots were dropped (globals, gc.garbage, "
                                                       "gc.callbacks)");
    return roots_ready(h);
}

/* CPython's __main__ dict holds __builtins__ (a module, a container), so it
 * is tracked from start-up and a full collection never untracks it; this
 * immortal empty list stands in for the module (a script cannot name it:
 * the compiler refuses `__builtins__`). */
static obj_list builtins_standin = {
    .hd = { .kind = GCLAB_K_LIST, .flags = OBJ_F_IMMORTAL, .refcnt = OBJ_IMMORTAL_REFCNT,
            .size = sizeof(obj_list) },
};

gclab_status gclab_module_init(gclab_heap *h)
{
    if (roots_ready(h) != GCLAB_OK)
        return h->err_status;
    gclab_obj *k = intern_lookup(h, "__builtins__", 12);
    if (!k)
        return heap_error(h, GCLAB_EMEMORY, "out of memory");
    return dict_set(h, h->globals, k, &builtins_standin.hd);
}

/* Whether a function or class is reachable from gc.callbacks or gc.garbage,
 * which outlive CPython's module teardown: its __globals__ (a class's, through
 * its methods) keeps the module dict alive. A breadth-first walk with an
 * explicit queue and a pointer set (no recursion on heap depth). */
struct reach { gclab_obj **q; size_t n, cap; gclab_obj **set; size_t setcap, setn; bool oom; };

static bool reach_add(struct reach *r, gclab_obj *o)
{
    if (obj_is_immortal(o))
        return false;
    if (r->setn * 2 >= r->setcap) {
        size_t cap = r->setcap ? r->setcap * 2 : 64;
        gclab_obj **set = calloc(cap, sizeof *set);
        if (!set) {
            r->oom = true;
            return false;
        }
        for (size_t i = 0; i < r->setcap; i++)
            if (r->set[i]) {
                size_t j = ((uintptr_t)r->set[i] >> 4) & (cap - 1);
                while (set[j])
                    j = (j + 1) & (cap - 1);
                set[j] = r->set[i];
            }
        free(r->set);
        r->set = set;
        r->setcap = cap;
    }
    size_t j = ((uintptr_t)o >> 4) & (r->setcap - 1);
    for (; r->set[j]; j = (j + 1) & (r->setcap - 1))
        if (r->set[j] == o)
            return false;
    r->set[j] = o;
    r->setn++;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        gclab_obj **q = realloc(r->q, cap * sizeof *q);
        if (!q) {
            r->oom = true;
            return false;
        }
        r->q = q;
        r->cap = cap;
    }
    r->q[r->n++] = o;
    return true;
}

static void reach_visit(gclab_obj **field, void *ctx)
{
    if (*field)
        reach_add(ctx, *field);
}

static bool module_kept_by_gc_lists(gclab_heap *h)
{
    struct reach r = { 0 };
    bool found = false;
    if (h->callbacks)
        reach_add(&r, h->callbacks);
    if (h->garbage)
        reach_add(&r, h->garbage);
    for (size_t i = 0; i < r.n && !found; i++) {
        gclab_obj *o = r.q[i];
        if (o->kind == GCLAB_K_FUNC || o->kind == GCLAB_K_CLASS)
            found = true;
        else
            gclab_trace_object(o, reach_visit, &r);
    }
    free(r.q);
    free(r.set);
    return found || r.oom;
}

void gclab_heap_shutdown(gclab_heap *h)
{
    int64_t found;
    while (h->depth > 0)
        gclab_frame_pop(h);
    /* Py_FinalizeEx: a full collection while the module is intact (PyGC_Collect:
     * skipped when gc is disabled, gc.callbacks called), then finalize_modules. */
    if (gclab_gc_isenabled(h))
        gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
    bool kept = h->globals && h->refcounts && h->eng->caps.collects_cycles && module_kept_by_gc_lists(h);
    store(h, &h->callbacks, NULL);
    if (kept) {
        /* CPython never frees this module dict (a function in gc.callbacks or
         * gc.garbage holds it): finalize_modules' collection finds only the
         * other garbage, and the dict and what it holds are left. */
        gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
        h->globals = NULL;
    }
    gclab_obj *k = h->globals ? intern_lookup(h, "__main__", 8) : NULL;
    if (k && h->refcounts && h->eng->caps.collects_cycles && dict_set(h, h->globals, k, h->globals) == GCLAB_OK) {
        /* The dict keeps itself (CPython: through its functions' __globals__);
         * the root's reference goes, the pointer stays for global lookups
         * until the dict is freed (core_free_storage forgets it). */
        gclab_obj *g = h->globals;
        h->globals_unrooted = true;
        obj_decref(h, g);
        gclab_gc_collect(h, GCLAB_MAX_GENS - 1, &found);
    }
    gclab_heap_drop_roots(h);
}

gclab_status gclab_global_set(gclab_heap *h, gclab_name name, int src)
{
    gclab_obj *v = slot_get(h, src);
    if (!v || globals_ready(h) != GCLAB_OK)
        return h->err_status;
    return dict_set(h, h->globals, (gclab_obj *)name, v);
}

gclab_status gclab_global_get(gclab_heap *h, int dst, gclab_name name)
{
    gclab_obj **d = slot_addr(h, dst);
    gclab_status st = GCLAB_OK;
    if (!d || globals_ready(h) != GCLAB_OK)
        return h->err_status;
    gclab_obj *v = dict_lookup(h, h->globals, (gclab_obj *)name, &st);
    if (!v)
        return heap_error(h, GCLAB_ENAME, "name '%s' is not defined", AS(obj_str, name)->data);
    store(h, d, v);
    return GCLAB_OK;
}

gclab_status gclab_global_del(gclab_heap *h, gclab_name name)
{
    if (globals_ready(h) != GCLAB_OK)
        return h->err_status;
    if (dict_del(h, h->globals, (gclab_obj *)name) != GCLAB_OK)
        return heap_error(h, GCLAB_ENAME, "name '%s' is not defined", AS(obj_str, name)->data);
    return GCLAB_OK;
}

/* ---- calls ---------------------------------------------------------- */

gclab_status core_call(gclab_heap *h, gclab_obj *f, int nargs, gclab_obj *const *argv,
                       const char *what)
{
    return call_in_frame(h, f, nargs, argv, what, NULL, false);
}

/* borrowed: the frame holds the arguments without counting them while the
 * call runs, as CPython's C-level calls of a finalizer hold theirs on the C
 * stack (slot_tp_finalize): `sys.getrefcount(self)` in `__del__` is 3 there.
 * Only an argument with another reference besides the frame's is borrowed,
 * so the callee can never free it under the frame. */
gclab_status call_in_frame(gclab_heap *h, gclab_obj *f, int nargs, gclab_obj *const *argv,
                           const char *what, bool *ran, bool borrowed)
{
    if (ran)
        *ran = false;
    if (nargs < 0 || nargs > MAX_ARGS)
        return heap_error(h, GCLAB_EUSAGE, "at most %d arguments", MAX_ARGS);
    /* The mutator's own error (if any) survives the call, as CPython's
     * PyErr_Fetch/PyErr_Restore around a finalizer or callback. */
    gclab_status saved = h->err_status;
    char saved_msg[sizeof h->err];
    memcpy(saved_msg, h->err, sizeof saved_msg);
    gclab_status st = frame_push_n(h, nargs + 1);
    if (st == GCLAB_OK) {
        if (ran)
            *ran = true;
        size_t base = h->frames[h->depth - 1].base;
        for (int i = 0; i < nargs; i++)
            store(h, &h->slots[base + (size_t)i], argv[i]);
        store(h, &h->slots[base + (size_t)nargs], f);
        int args[MAX_ARGS] = { 0 };
        bool lent[MAX_ARGS] = { false };
        for (int i = 0; i < nargs; i++) {
            args[i] = i;
            if (borrowed && h->refcounts && argv[i]->refcnt >= 2 && !obj_is_immortal(argv[i])) {
                argv[i]->refcnt--;
                lent[i] = true;
            }
        }
        st = gclab_call(h, -1, nargs, nargs, args);
        base = h->frames[h->depth - 1].base;
        for (int i = 0; i < nargs; i++)
            if (lent[i])
                h->slots[base + (size_t)i]->refcnt++;
        if (st != GCLAB_OK)
            fprintf(stderr, "Exception ignored in %s: %s: %s\n", what,
                    gclab_status_name(h->err_status), h->err);
        gclab_frame_pop(h);
    }
    h->err_status = saved;
    memcpy(h->err, saved_msg, sizeof saved_msg);
    return st;
}

/* Call a func with args already read from the caller's slots. */
static gclab_status call_func(gclab_heap *h, gclab_obj **ret, gclab_obj *f, int nargs, gclab_obj **argv)
{
    obj_func *fn = AS(obj_func, f);
    if (nargs != fn->nargs)
        return heap_error(h, GCLAB_ETYPE, "%s() takes %d positional argument%s but %d %s given",
                          AS(obj_str, fn->name)->data, fn->nargs, fn->nargs == 1 ? "" : "s",
                          nargs, nargs == 1 ? "was" : "were");
    gclab_status st = frame_push_n(h, fn->nslots > nargs ? fn->nslots : nargs);
    if (st != GCLAB_OK)
        return st;
    size_t base = h->frames[h->depth - 1].base;
    for (int i = 0; i < nargs; i++)
        store(h, &h->slots[base + (size_t)i], argv[i]);
    /* The func itself stays alive through the call: it is in the caller's slot. */
    st = fn->fn(h, fn->ctx, fn->code);
    *ret = h->frames[h->depth - 1].ret;
    h->frames[h->depth - 1].ret = NULL;   /* the caller now owns that reference */
    gclab_frame_pop(h);
    return st;
}

gclab_status gclab_call(gclab_heap *h, int dst, int fn, int nargs, const int *args)
{
    gclab_obj *argv[MAX_ARGS + 1];
    gclab_obj *f = slot_get(h, fn), *ret = NULL;
    gclab_status st;
    if (!f)
        return h->err_status;
    if (dst >= 0 && !slot_addr(h, dst))
        return h->err_status;
    if (nargs < 0 || nargs > MAX_ARGS)
        return heap_error(h, GCLAB_EUSAGE, "at most %d arguments", MAX_ARGS);
    for (int i = 0; i < nargs; i++)
        if (!(argv[i + 1] = slot_get(h, args[i])))
            return h->err_status;

    switch (f->kind) {
    case GCLAB_K_FUNC:
        st = call_func(h, &ret, f, nargs, argv + 1);
        break;
    case GCLAB_K_CLASS: {
        /* A new instance, then __init__(self, *args) in a frame holding both. */
        obj_class *c = AS(obj_class, f);
        if (!c->init && nargs)
            return heap_error(h, GCLAB_ETYPE, "%s() takes no arguments", AS(obj_str, c->name)->data);
        if ((st = frame_push_n(h, nargs + 2)) != GCLAB_OK)
            return st;
        size_t base = h->frames[h->depth - 1].base;
        store(h, &h->slots[base + 1], f);
        for (int i = 0; i < nargs; i++)
            store(h, &h->slots[base + 2 + (size_t)i], argv[i + 1]);
        st = gclab_instance_new(h, 0, 1);
        if (st == GCLAB_OK && c->init) {
            gclab_obj *init_ret = NULL;
            for (int i = 0; i <= nargs; i++)
                argv[i] = h->slots[base + (i ? 1 + (size_t)i : 0)];
            st = call_func(h, &init_ret, c->init, nargs + 1, argv);
            if (st == GCLAB_OK && init_ret && init_ret != &gclab_none_obj)
                st = heap_error(h, GCLAB_ETYPE, "__init__() should return None, not '%s'",
                                init_ret->kind == GCLAB_K_INT ? "int" : "object");
            release_ref(h, init_ret);
        }
        if (st == GCLAB_OK) {
            ret = h->slots[base];
            if (h->refcounts)
                obj_incref(h, ret);
        }
        gclab_frame_pop(h);
        break;
    }
    case GCLAB_K_WEAKREF:
        if (nargs)
            return heap_error(h, GCLAB_ETYPE, "weakref() takes no arguments");
        ret = AS(obj_weakref, f)->target ? AS(obj_weakref, f)->target : &gclab_none_obj;
        if (h->refcounts)
            obj_incref(h, ret);
        st = GCLAB_OK;
        break;
    default:
        return heap_error(h, GCLAB_ETYPE, "'%s' object is not callable", gclab_type_name(h, fn));
    }
    if (st != GCLAB_OK) {
        release_ref(h, ret);
        return st;
    }
    if (!ret) {
        ret = &gclab_none_obj;
        if (h->refcounts)
            obj_incref(h, ret);
    }
    if (dst >= 0)
        store_steal(h, &h->slots[h->frames[h->depth - 1].base + (size_t)dst], ret);
    else
        release_ref(h, ret);
    return GCLAB_OK;
}

gclab_status gclab_func_code(gclab_heap *h, int slot, gclab_native_fn *fn, void **ctx, int64_t *code,
                             bool *is_class)
{
    gclab_obj *f = slot_get(h, slot);
    if (!f)
        return h->err_status;
    *is_class = f->kind == GCLAB_K_CLASS;
    if (*is_class)
        f = AS(obj_class, f)->init;
    if (!f || f->kind != GCLAB_K_FUNC)
        return GCLAB_ETYPE;   /* no message: the caller decides what this means */
    *fn = AS(obj_func, f)->fn;
    *ctx = AS(obj_func, f)->ctx;
    *code = AS(obj_func, f)->code;
    return GCLAB_OK;
}

gclab_status gclab_return(gclab_heap *h, int src)
{
    gclab_obj *v = slot_get(h, src);
    if (!v)
        return h->err_status;
    store(h, &h->frames[h->depth - 1].ret, v);
    return GCLAB_OK;
}

/* ---- the root set --------------------------------------------------- */

void gclab_trace_roots(gclab_heap *h, gclab_visit_fn fn, void *ctx)
{
    for (size_t i = 0; i < h->nslots_used; i++)
        if (h->slots[i])
            fn(&h->slots[i], ctx);
    for (int d = 0; d < h->depth; d++)
        if (h->frames[d].ret)
            fn(&h->frames[d].ret, ctx);
    if (h->globals && !h->globals_unrooted)
        fn(&h->globals, ctx);
    if (h->garbage)
        fn(&h->garbage, ctx);
    if (h->callbacks)
        fn(&h->callbacks, ctx);
    for (int i = 0; i < GCLAB_IROOT_COUNT; i++)
        if (h->interp[i])
            fn(&h->interp[i], ctx);
}

void core_root_ranges(gclab_heap *h, void (*fn)(void *lo, void *hi, void *ctx), void *ctx)
{
    if (h->slots && h->nslots_used)
        fn(h->slots, h->slots + h->nslots_used, ctx);
    if (h->frames && h->depth)
        fn(h->frames, h->frames + h->depth, ctx);   /* the return registers, among other words */
    if (!h->globals_unrooted)
        fn(&h->globals, &h->globals + 1, ctx);
    fn(&h->garbage, &h->garbage + 1, ctx);
    fn(&h->callbacks, &h->callbacks + 1, ctx);
    fn(h->interp, h->interp + GCLAB_IROOT_COUNT, ctx);
}

gclab_status core_garbage_append(gclab_heap *h, gclab_obj *o)
{
    if (!h->garbage)
        return heap_error(h, GCLAB_ENAME, "gc.garbage is gone (the roots were dropped)");
    return list_append_obj(h, h->garbage, o);
}

void gclab_heap_drop_roots(gclab_heap *h)
{
    h->roots_dropped = true;
    while (h->depth > 0)
        gclab_frame_pop(h);
    if (h->globals_unrooted)
        h->globals = NULL;   /* not a counted reference any more (gclab_heap_shutdown) */
    else
        store(h, &h->globals, NULL);
    store(h, &h->garbage, NULL);
    store(h, &h->callbacks, NULL);
    for (int i = 0; i < GCLAB_IROOT_COUNT; i++)
        store(h, &h->interp[i], NULL);
}

void roots_free(gclab_heap *h)
{
    free(h->slots);
    free(h->frames);
    h->slots = NULL;
    h->frames = NULL;
    h->top_slots = NULL;
    h->top_nslots = 0;
}
