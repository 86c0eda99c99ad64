/* gclab.h — the mutator API: what workloads, fuzzers, heap scripts and the
 * CLI call. It never exposes the collector side (that is core/engine.h).
 *
 * Register style. The mutator never holds a raw object pointer across an
 * operation: every operation names *slots* of the current frame (small
 * integers 0..nslots-1), and results are written into slots. Frames form a
 * shadow stack (gclab_frame_push/pop), so any allocation may run a
 * collection and the collector still finds every root. Globals live in a
 * dict owned by the heap.
 *
 * Objects: None/True/False, int (small ints -5..256 are shared and
 * immortal, as in CPython), str (interned strings are immortal), tuple,
 * list, dict (str or int keys), class, instance (attributes by name), blob
 * (raw bytes), weakref, and func (a native callable, used for finalizers,
 * weakref callbacks and script functions).
 *
 * Errors are values: every operation returns GCLAB_OK or an error status,
 * and gclab_error() holds a message (CPython's wording where there is one).
 * Nothing aborts the process.
 */
#ifndef GCLAB_H
#define GCLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCLAB_VERSION "0.1.0"

typedef struct gclab_heap gclab_heap;
typedef struct gclab_obj gclab_obj;

/* An interned name (attribute or global name). Interned strings are
 * immortal, so, unlike other objects, a name may be held across calls. */
typedef const gclab_obj *gclab_name;

/* Status of every operation; each error maps to a Python exception name. */
typedef enum {
    GCLAB_OK = 0,
    GCLAB_ETYPE,        /* TypeError */
    GCLAB_EINDEX,       /* IndexError */
    GCLAB_EKEY,         /* KeyError */
    GCLAB_EATTR,        /* AttributeError */
    GCLAB_ENAME,        /* NameError: empty slot or unknown global */
    GCLAB_EVALUE,       /* ValueError */
    GCLAB_EZERODIV,     /* ZeroDivisionError */
    GCLAB_EOVERFLOW,    /* OverflowError: ints are 64-bit here */
    GCLAB_EMEMORY,      /* MemoryError: heap limit reached */
    GCLAB_ERECURSION,   /* RecursionError: shadow stack too deep */
    GCLAB_EUNSUPPORTED, /* RuntimeError: the engine cannot honour this request */
    GCLAB_EASSERT,      /* AssertionError */
    GCLAB_EUSAGE,       /* bad slot number or argument from the C caller */
} gclab_status;

enum gclab_kind {
    GCLAB_K_NONE, GCLAB_K_BOOL, GCLAB_K_INT, GCLAB_K_STR, GCLAB_K_TUPLE,
    GCLAB_K_LIST, GCLAB_K_DICT, GCLAB_K_CLASS, GCLAB_K_INSTANCE,
    GCLAB_K_BLOB, GCLAB_K_WEAKREF, GCLAB_K_FUNC,
    GCLAB_K_COUNT,
    GCLAB_K_EMPTY = -1  /* what gclab_kind_of reports for an empty slot */
};

/* Heap configuration. Zero-initialize, then set what you need. */
enum gclab_alloc_mode { GCLAB_ALLOC_POOL = 0, GCLAB_ALLOC_MALLOC = 1 };
struct gclab_kv { const char *key, *value; };

/* ---- parameters (engine knobs, core knobs, workload parameters) ------ */

/* Every parameter has a type and a range, checked before anything runs
 * (gclab_param_check): a value outside them is a usage error (exit 2) whose
 * message names the value and the range. Tables are written with the
 * GCLAB_PINT / GCLAB_PREAL / GCLAB_PWORD macros and end with GCLAB_PEND. */
enum gclab_param_type {
    GCLAB_PARAM_INT = 1,   /* a whole number: 12, 1e6, 2.0 (never 1.5), in min..max */
    GCLAB_PARAM_REAL,      /* a decimal number in min..max */
    GCLAB_PARAM_WORD,      /* one of `words`, separated by '|' ("3.14.0|3.14.2") */
};

struct gclab_param_spec {
    const char *name;
    enum gclab_param_type type;
    const char *dflt;      /* default as text; itself within the range */
    double min, max;       /* INT and REAL: the inclusive range */
    const char *words;     /* WORD: the words it takes */
    const char *help;
};

#define GCLAB_PINT(name, dflt, min, max, help) { name, GCLAB_PARAM_INT, dflt, min, max, NULL, help }
#define GCLAB_PREAL(name, dflt, min, max, help) { name, GCLAB_PARAM_REAL, dflt, min, max, NULL, help }
#define GCLAB_PWORD(name, dflt, words, help) { name, GCLAB_PARAM_WORD, dflt, 0, 0, words, help }
#define GCLAB_PEND { NULL, 0, NULL, 0, 0, NULL, NULL }
/* Largest INT maximum (2^53: every integer up to it is exact in a double). */
#define GCLAB_PARAM_INT_MAX 9007199254740992.0

/* Whether value is a valid value of spec: true with its number in *out (WORD: 0),
 * or false with "parameter KEY=VALUE: ... (KEY takes an integer in A..B)" in err. */
bool gclab_param_check(const struct gclab_param_spec *spec, const char *value, double *out,
                       char *err, size_t errlen);
/* "an integer in 1..30", "a number in 1..1e6", "one of 3.14.0|3.14.2": spec's type and range. */
void gclab_param_describe(const struct gclab_param_spec *spec, char *buf, size_t n);
/* Parse a whole number the way an INT parameter does (digits, 1e6, 2.0); false if it is not
 * one or lies outside min..max. For the CLI's byte counts and such. */
bool gclab_parse_int(const char *s, double min, double max, uint64_t *out);
struct gclab_config {
    enum gclab_alloc_mode alloc;   /* small-object pools (default) or plain malloc */
    size_t heap_limit;             /* bytes; 0 = unlimited */
    size_t heap_size;              /* bytes; 0 = none. A fixed heap: a tracing engine collects when
                                      it is full (not at heap_factor x live) and never grows past it;
                                      it is a limit as heap_limit is (the smaller one wins) */
    size_t nparams;                /* engine and core knobs, e.g. threshold0=700, zeal=1 */
    const struct gclab_kv *params;
    size_t max_depth;              /* frames; 0 = default (10000) */
};

/* ---- heaps ---------------------------------------------------------- */

/* Create a heap run by the named engine; NULL with a message in err on an unknown engine or bad param. */
gclab_heap *gclab_heap_new(const char *engine, const struct gclab_config *cfg, char *err, size_t errlen);
/* Destroy the heap and every object in it (no finalizers run). */
void gclab_heap_free(gclab_heap *h);
/* Drop every root (frames, globals, gc.garbage, gc.callbacks) so only unreachable objects remain; they are never recreated. */
void gclab_heap_drop_roots(gclab_heap *h);
/* A heap script's start-up (CPython's __main__ module): the globals dict holds
 * __builtins__, an immortal stand-in, so it is tracked from the start as CPython's. */
gclab_status gclab_module_init(gclab_heap *h);
/* A heap script's shutdown, as CPython 3.11's Py_FinalizeEx: frames go; a full
 * collection runs if gc is enabled (with gc.callbacks); then, as finalize_modules,
 * gc.callbacks go and on refcounting engines that collect cycles the globals dict,
 * which CPython's functions keep in a cycle, is left to a full collection, so
 * a __del__ run there still reads the globals; then every root is dropped. */
void gclab_heap_shutdown(gclab_heap *h);
/* A number naming this heap, never reused in the process (unlike its address). */
uint64_t gclab_heap_id(const gclab_heap *h);
/* The running engine's name. */
const char *gclab_heap_engine(const gclab_heap *h);
/* Number of registered engines. */
int gclab_engine_count(void);
/* Name and one-line summary of engine i (0-based); false past the end. */
bool gclab_engine_info(int i, const char **name, const char **summary);
/* Knob names an engine accepts besides core's (NULL-terminated); NULL for an unknown engine. */
const char *const *gclab_engine_params(const char *engine);
/* Knob i (0-based) of an engine, then core's knobs (zeal, verify); NULL past the end. */
const struct gclab_param_spec *gclab_engine_param_at(const char *engine, int i);
/* Whether the named engine is known; parameter check for CLIs before creating a heap. */
bool gclab_engine_exists(const char *engine);
/* Planted bug i (0-based) of engine (core/mutant.h): its name, and what it does in *what
 * (may be NULL); NULL past the last one or for an unknown engine. */
const char *gclab_engine_mutant(const char *engine, int i, const char **what);
/* Whether this binary was built with -DGCLAB_MUTANTS (GCLAB_MUTANT=engine/name selects one). */
bool gclab_mutants_built(void);
/* Whether key=value is a knob the engine (or core: zeal, verify) accepts; false with a message otherwise. */
bool gclab_param_valid(const char *engine, const char *key, const char *value, char *err, size_t errlen);

/* The message of the last error. */
const char *gclab_error(const gclab_heap *h);
/* The status of the last error (GCLAB_OK if none since gclab_error_clear). */
gclab_status gclab_error_status(const gclab_heap *h);
/* Set the heap's error from the mutator's side (a failed check, a bad parameter); returns s. */
gclab_status gclab_raise(gclab_heap *h, gclab_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Forget the last error. */
void gclab_error_clear(gclab_heap *h);
/* The Python exception name for a status ("TypeError", ...). */
const char *gclab_status_name(gclab_status s);

/* ---- frames and slots ----------------------------------------------- */

/* Push a frame of nslots empty slots; GCLAB_ERECURSION past max_depth. */
gclab_status gclab_frame_push(gclab_heap *h, int nslots);
/* Push a frame of nslots slots whose first nargs hold the objects of the caller's slots args[]. */
gclab_status gclab_frame_push_args(gclab_heap *h, int nslots, int nargs, const int *args);
/* Pop the current frame, releasing its slots. */
gclab_status gclab_frame_pop(gclab_heap *h);
/* Pop the current frame, moving its slot src into slot dst of the frame below. */
gclab_status gclab_frame_return(gclab_heap *h, int src, int dst);
/* Depth of the shadow stack (0 = no frame). */
int gclab_frame_depth(const gclab_heap *h);
/* Number of slots in the current frame. */
int gclab_frame_size(const gclab_heap *h);
/* Copy the reference in slot src to slot dst. */
gclab_status gclab_move(gclab_heap *h, int dst, int src);
/* Empty a slot (Python's `del name`); GCLAB_ENAME if already empty. */
gclab_status gclab_clear(gclab_heap *h, int slot);
/* Kind of the object in a slot, or GCLAB_K_EMPTY. */
int gclab_kind_of(gclab_heap *h, int slot);
/* Python's type name of the object in a slot ("int", "list", class name...). */
const char *gclab_type_name(gclab_heap *h, int slot);

/* ---- globals -------------------------------------------------------- */

/* Intern a name; names are immortal, so the result may be kept. NULL on out of memory. */
gclab_name gclab_intern(gclab_heap *h, const char *s);
/* Bind global name to the object in slot src. */
gclab_status gclab_global_set(gclab_heap *h, gclab_name name, int src);
/* Load global name into slot dst; GCLAB_ENAME if unbound. */
gclab_status gclab_global_get(gclab_heap *h, int dst, gclab_name name);
/* Unbind global name; GCLAB_ENAME if unbound. */
gclab_status gclab_global_del(gclab_heap *h, gclab_name name);

/* ---- the interpreter's own objects -------------------------------------
 * What CPython 3.11 keeps where no script can name it (C statics, the thread
 * state, sys.stdout's buffer), held by the heap as roots: traced with the
 * others, dropped with them at shutdown (core/interp.c). Heap scripts use
 * them when stdout is modelled (gclab_set_stdout_mode). */
enum gclab_iroot {
    GCLAB_IROOT_PRINT_KW,        /* print's keyword-name tuple (its _PyArg_Parser) */
    GCLAB_IROOT_TSTATE_DICT,     /* the thread state's dict, holding Py_ReprEnter's list */
    GCLAB_IROOT_STDOUT_PENDING,  /* sys.stdout's pending list (TextIOWrapper.pending_bytes) */
    GCLAB_IROOT_COUNT
};
/* Whether root which holds an object. */
bool gclab_iroot_has(gclab_heap *h, int which);
/* Hold the object in slot src as root which (replacing what it held; after
 * the roots were dropped, nothing is kept). */
gclab_status gclab_iroot_set(gclab_heap *h, int which, int src);
/* Drop root which (its object freed if nothing else holds it). */
void gclab_iroot_clear(gclab_heap *h, int which);
/* Load root which into slot dst; GCLAB_ENAME if it holds nothing. */
gclab_status gclab_iroot_get(gclab_heap *h, int dst, int which);

/* How sys.stdout buffers, as CPython 3.11 sets it up (create_stdio):
 * UNBUFFERED when PYTHONUNBUFFERED is set (write_through), LINE when
 * buffered on a tty (line_buffering), BLOCK otherwise (pipes, files).
 * UNMODELLED (the default): print allocates nothing (ops and fuzz drivers). */
enum gclab_stdout_mode {
    GCLAB_STDOUT_UNMODELLED, GCLAB_STDOUT_UNBUFFERED, GCLAB_STDOUT_LINE, GCLAB_STDOUT_BLOCK
};
void gclab_set_stdout_mode(gclab_heap *h, int mode);
/* The mode set, UNMODELLED on engines without refcounts (there the
 * interpreter's transients would be garbage no driver expects). */
int gclab_stdout_mode(gclab_heap *h);
/* The mode CPython 3.11 would pick for file descriptor fd and this environment. */
int gclab_stdout_mode_for(int fd);

/* ---- creating objects (each writes the new object into slot dst) ---- */

/* None. */
gclab_status gclab_none(gclab_heap *h, int dst);
/* True or False (shared singletons). */
gclab_status gclab_bool(gclab_heap *h, int dst, bool v);
/* An int; -5..256 come from the shared cache. */
gclab_status gclab_int_new(gclab_heap *h, int dst, int64_t v);
/* Slot dst becomes the int v, as gclab_int_new, but when dst holds the only
 * reference to an int it is given the value in place (a loop counter no one
 * else sees: CPython's range iterator counts in a C long). */
gclab_status gclab_int_replace(gclab_heap *h, int dst, int64_t v);
/* A new (not interned) str holding len bytes. */
gclab_status gclab_str_new(gclab_heap *h, int dst, const char *s, size_t len);
/* The interned str for s (what a literal or identifier gives). */
gclab_status gclab_str_intern(gclab_heap *h, int dst, const char *s);
/* The same str from a name gclab_intern gave (no lookup: a literal in a loop). */
gclab_status gclab_name_load(gclab_heap *h, int dst, gclab_name name);
/* A tuple of the objects in n slots (n == 0 gives the empty tuple). */
gclab_status gclab_tuple_new(gclab_heap *h, int dst, int n, const int *srcs);
/* An empty list. */
gclab_status gclab_list_new(gclab_heap *h, int dst);
/* An empty dict. */
gclab_status gclab_dict_new(gclab_heap *h, int dst);
/* A class; init_slot/del_slot hold funcs for __init__/__del__ or are -1. */
gclab_status gclab_class_new(gclab_heap *h, int dst, const char *name, int init_slot, int del_slot);
/* An instance of the class in slot cls, with no attributes (__init__ is not called). */
gclab_status gclab_instance_new(gclab_heap *h, int dst, int cls);
/* A blob of n zero bytes (not traced: holds no references). */
gclab_status gclab_blob_new(gclab_heap *h, int dst, size_t n);
/* A weak reference to the object in target; cb is a slot holding a func (or None) or -1. */
gclab_status gclab_weakref_new(gclab_heap *h, int dst, int target, int cb);

/* A native function: called in a fresh frame of nslots slots (>= nargs) with args in slots 0..nargs-1.
 * It returns a status; gclab_return() sets the call's result (None if never called). */
typedef gclab_status (*gclab_native_fn)(gclab_heap *h, void *ctx, int64_t code);
/* A func object wrapping fn/ctx/code; nargs parameters, nslots local slots; name for messages. */
gclab_status gclab_func_new(gclab_heap *h, int dst, const char *name, gclab_native_fn fn,
                            void *ctx, int64_t code, int nargs, int nslots);
/* Call the func (or class: makes an instance and runs __init__) in slot fn with args; result to dst (-1: drop). */
gclab_status gclab_call(gclab_heap *h, int dst, int fn, int nargs, const int *args);
/* What a call of the object in slot would run: a func's fn, ctx and code, or for a
 * class its __init__'s (with *is_class set; GCLAB_ETYPE when it has none);
 * GCLAB_ETYPE for anything else. Lets an interpreter bind keyword arguments. */
gclab_status gclab_func_code(gclab_heap *h, int slot, gclab_native_fn *fn, void **ctx, int64_t *code,
                             bool *is_class);
/* Inside a native function: set the call's result to the object in slot src. */
gclab_status gclab_return(gclab_heap *h, int src);

/* ---- reading values ------------------------------------------------- */

/* Value of the int (or bool) in slot. */
gclab_status gclab_int_value(gclab_heap *h, int slot, int64_t *out);
/* Bytes of the str in slot; valid until the next allocation. */
gclab_status gclab_str_value(gclab_heap *h, int slot, const char **s, size_t *len);
/* Python truth value of the object in slot. */
gclab_status gclab_truth(gclab_heap *h, int slot, bool *out);
/* `a is b`. */
gclab_status gclab_is(gclab_heap *h, int a, int b, bool *out);
/* `a == b` for ints, strs, None, bools (identity for other kinds). */
gclab_status gclab_equal(gclab_heap *h, int a, int b, bool *out);
/* id(): a number unique among live objects. */
gclab_status gclab_id(gclab_heap *h, int slot, uint64_t *out);
/* len() of a str, tuple, list, dict or blob. */
gclab_status gclab_len(gclab_heap *h, int slot, int64_t *out);

/* ---- containers ----------------------------------------------------- */

/* list.append. */
gclab_status gclab_list_append(gclab_heap *h, int list, int item);
/* dst = list[i] (negative i counts from the end). */
gclab_status gclab_list_get(gclab_heap *h, int dst, int list, int64_t i);
/* list[i] = src. */
gclab_status gclab_list_set(gclab_heap *h, int list, int64_t i, int src);
/* dst = list.pop(i) (dst -1 drops it). */
gclab_status gclab_list_pop(gclab_heap *h, int dst, int list, int64_t i);
/* del list[i]. */
gclab_status gclab_list_del(gclab_heap *h, int list, int64_t i);
/* dst = tuple[i]. */
gclab_status gclab_tuple_get(gclab_heap *h, int dst, int tuple, int64_t i);
/* d[key] = val (key: str or int). */
gclab_status gclab_dict_set(gclab_heap *h, int dict, int key, int val);
/* dst = d[key]; GCLAB_EKEY if absent. */
gclab_status gclab_dict_get(gclab_heap *h, int dst, int dict, int key);
/* dst = d.get(key, default_slot's object). */
gclab_status gclab_dict_get_default(gclab_heap *h, int dst, int dict, int key, int dflt);
/* del d[key]. */
gclab_status gclab_dict_del(gclab_heap *h, int dict, int key);
/* Iterate a dict in insertion order (PyDict_Next): start with *pos = 0; writes the next
 * key and value into kdst/vdst (-1: skip) and sets *more; *more false at the end. */
gclab_status gclab_dict_next(gclab_heap *h, int dict, size_t *pos, int kdst, int vdst, bool *more);
/* dst = c[k] for list, tuple (int k) and dict. */
gclab_status gclab_getitem(gclab_heap *h, int dst, int c, int k);
/* c[k] = v for list and dict. */
gclab_status gclab_setitem(gclab_heap *h, int c, int k, int v);
/* del c[k] for list and dict. */
gclab_status gclab_delitem(gclab_heap *h, int c, int k);
/* Write n bytes into the blob at offset off. */
gclab_status gclab_blob_write(gclab_heap *h, int blob, size_t off, const void *src, size_t n);
/* Read n bytes of the blob at offset off. */
gclab_status gclab_blob_read(gclab_heap *h, int blob, size_t off, void *dst, size_t n);

/* ---- attributes ----------------------------------------------------- */

/* obj.name = src (instances only). */
gclab_status gclab_attr_set(gclab_heap *h, int obj, gclab_name name, int src);
/* dst = obj.name; GCLAB_EATTR if absent. */
gclab_status gclab_attr_get(gclab_heap *h, int dst, int obj, gclab_name name);
/* del obj.name. */
gclab_status gclab_attr_del(gclab_heap *h, int obj, gclab_name name);
/* On a class, the three above read and write its class attributes (a dict the class
 * holds, made on the first). On an instance, get falls back to its class; a func
 * found there is GCLAB_EUNSUPPORTED (CPython would make a bound method). */
/* The callee of obj.name(...) as CPython's LOAD_METHOD finds it: an instance's own
 * attribute, else the class's attribute; *unbound is true when that is a func of
 * the class, to be called with obj as its first argument (no bound method is made). */
gclab_status gclab_method_get(gclab_heap *h, int dst, int obj, gclab_name name, bool *unbound);
/* class C(B): make the class in slot base the base of the class in slot cls
 * (once, before instances are made): attributes and methods are looked up
 * through it, isinstance follows it, and cls takes B's __init__/__del__ when it
 * has none of its own. GCLAB_ETYPE for a non-class or an inheritance cycle. */
gclab_status gclab_class_set_base(gclab_heap *h, int cls, int base);
/* type(obj) for an instance: its class into dst (GCLAB_ETYPE for other kinds: gclab has no type objects). */
gclab_status gclab_class_of(gclab_heap *h, int dst, int obj);
/* type(obj) is cls: obj is an instance whose class is exactly cls (false for other kinds). */
gclab_status gclab_type_is(gclab_heap *h, int obj, int cls, bool *out);
/* isinstance(obj, cls) for a class cls: obj's class is cls or has it as a base. */
gclab_status gclab_isinstance(gclab_heap *h, int obj, int cls, bool *out);

/* ---- weak references ------------------------------------------------ */

/* dst = wr() : the referent, or None once it is cleared. */
gclab_status gclab_weakref_get(gclab_heap *h, int dst, int wr);
/* Whether the weakref in slot wr still holds its callback (false for anything
 * else). A weakref cleared by a refcount death loses it; one cleared by a
 * cycle collector may keep it (CPython's two paths). */
bool gclab_weakref_has_callback(gclab_heap *h, int wr);

/* ---- the gc module -------------------------------------------------- */

struct gclab_gen_stats { int64_t collections, collected, uncollectable; };
#define GCLAB_MAX_GENS 3

/* gc.collect(gen): the number of unreachable objects found (0 on engines without a collector). */
gclab_status gclab_gc_collect(gclab_heap *h, int gen, int64_t *found);
/* gc.enable(). */
void gclab_gc_enable(gclab_heap *h);
/* gc.disable(). */
void gclab_gc_disable(gclab_heap *h);
/* gc.isenabled(). */
bool gclab_gc_isenabled(const gclab_heap *h);
/* gc.get_threshold(): up to 3 values; returns how many the engine has (0 if none). */
int gclab_gc_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
/* gc.set_threshold(...): n values; GCLAB_EUNSUPPORTED on engines without thresholds. */
gclab_status gclab_gc_set_threshold(gclab_heap *h, int n, const int64_t *v);
/* gc.get_count(): returns how many generations the engine counts (0 if none). */
int gclab_gc_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS]);
/* gc.get_stats(): per generation; returns the number of generations (>= 1). */
int gclab_gc_get_stats(gclab_heap *h, struct gclab_gen_stats out[GCLAB_MAX_GENS]);
/* gc.get_objects(gen) into a new list in dst (gen -1: all generations). */
gclab_status gclab_gc_get_objects(gclab_heap *h, int dst, int gen);
/* gc.freeze(), gc.unfreeze(), gc.get_freeze_count(); freeze and unfreeze are
 * GCLAB_EUNSUPPORTED on an engine without them (facts: freeze), the count 0. */
gclab_status gclab_gc_freeze(gclab_heap *h);
gclab_status gclab_gc_unfreeze(gclab_heap *h);
gclab_status gclab_gc_get_freeze_count(gclab_heap *h, int64_t *out);
/* The gc.garbage list into slot dst. */
gclab_status gclab_gc_garbage(gclab_heap *h, int dst);
/* The gc.callbacks list into slot dst; funcs in it are called with (phase str, info dict). */
gclab_status gclab_gc_callbacks(gclab_heap *h, int dst);
/* gc.set_debug flags (GCLAB_DEBUG_SAVEALL keeps unreachable objects in gc.garbage). */
#define GCLAB_DEBUG_STATS       1
#define GCLAB_DEBUG_COLLECTABLE 2
#define GCLAB_DEBUG_UNCOLLECTABLE 4
#define GCLAB_DEBUG_SAVEALL     32
/* GCLAB_EUNSUPPORTED (flags unchanged) for DEBUG_SAVEALL on an engine without it (facts). */
gclab_status gclab_gc_set_debug(gclab_heap *h, int flags);
/* gc.get_debug(): the flags gc.set_debug() set. */
int gclab_gc_get_debug(const gclab_heap *h);
/* gc.is_tracked(obj): whether the engine's collector tracks the object in slot
 * (CPython: a GC object on a generation list; never an int or str); and
 * gc.is_finalized(obj): whether its __del__ has run (PEP 442's flag). Both
 * GCLAB_EUNSUPPORTED on an engine that does not answer them (core/engine.h
 * is_tracked, is_finalized). core/gcapi.c */
gclab_status gclab_gc_is_tracked(gclab_heap *h, int slot, bool *out);
gclab_status gclab_gc_is_finalized(gclab_heap *h, int slot, bool *out);
/* gc.get_referents(*objs) of the n objects in slots first..first+n-1 into a
 * new list in dst, in CPython 3.11's tp_traverse order (list and tuple items
 * from the last, dict values (and keys unless all are strs), an instance's
 * attributes then its class, a weakref's callback; nothing for ints, strs,
 * None, blobs). GCLAB_EUNSUPPORTED for a class or function (CPython's hold
 * __dict__, __mro__, code objects gclab does not have). dst must not be one
 * of the object slots (it is written first). */
gclab_status gclab_gc_get_referents(gclab_heap *h, int dst, int first, int n);
/* gc.get_referrers(*objs): a new list in dst of every object the collector
 * tracks (generations 0, 1, 2 in list order, as CPython 3.11; not the frozen
 * ones) that refers to one of the n objects; the argument tuple in slot
 * argtuple (-1: none) and the result are left out, as CPython's. An engine
 * that tracks nothing: GCLAB_EUNSUPPORTED. dst must not be one of the
 * object slots nor argtuple (it is written first). */
gclab_status gclab_gc_get_referrers(gclab_heap *h, int dst, int first, int n, int argtuple);
/* _testinternalcapi.get_tracked_heap_size(): the objects the collector
 * accounts for (CPython 3.14's heap_size); GCLAB_EUNSUPPORTED on engines without one. */
gclab_status gclab_gc_tracked_heap_size(gclab_heap *h, int64_t *out);
/* The program is at a point where CPython checks its eval breaker (a loop's
 * backward jump): an engine may run a collection it scheduled earlier. */
void gclab_safepoint(gclab_heap *h);
/* sys.getrefcount(obj) as CPython reports it (the call's own reference included); unsupported without refcounts. */
gclab_status gclab_getrefcount(gclab_heap *h, int slot, int64_t *out);

/* ---- measuring ------------------------------------------------------ */

struct gclab_pause {
    uint64_t start_ns;   /* CLOCK_MONOTONIC at collection start */
    uint64_t dur_ns;
    int gen;             /* generation collected (0 for single-generation engines) */
};

struct gclab_stats {
    uint64_t allocs;            /* objects allocated */
    uint64_t alloc_bytes;       /* bytes of objects and their storage allocated */
    uint64_t freed;             /* objects freed */
    uint64_t freed_bytes;
    uint64_t live_objects;      /* allocs - freed (immortal objects excluded) */
    uint64_t live_bytes;
    uint64_t peak_live_bytes;
    uint64_t heap_bytes;        /* bytes the engine holds from the OS */
    uint64_t peak_heap_bytes;
    uint64_t collections[GCLAB_MAX_GENS];
    uint64_t gc_ns;             /* total time in collections */
    uint64_t gc_cpu_ns;         /* this thread's CPU time in them (robust on a shared machine) */
    uint64_t finalizers_run;
    uint64_t weakrefs_cleared;
};

/* Current counters. */
void gclab_heap_stats(gclab_heap *h, struct gclab_stats *out);
/* A sampler for heap-over-time traces: called with after_gc false every `every`
 * allocations and with after_gc true (gen = the generation) after every collection.
 * It may read counters (gclab_heap_stats) but must not call anything that allocates. */
typedef void (*gclab_sample_fn)(gclab_heap *h, void *ctx, bool after_gc, int gen);
/* Install a sampler (every 0: only after collections); fn NULL removes it. */
void gclab_set_sampler(gclab_heap *h, uint64_t every, gclab_sample_fn fn, void *ctx);

/* Collection events (core/events.c), as Whippet's event listener: every
 * collection's start and end, every step of an incremental one, and the
 * phases an engine raises as it passes them (each engine says which in its
 * top comment; an engine may raise none). gen is the generation collected. */
enum gclab_event {
    GCLAB_EV_COLLECT_START, GCLAB_EV_COLLECT_END,   /* a whole collection (or a cycle of steps) */
    GCLAB_EV_STEP_START, GCLAB_EV_STEP_END,         /* one bounded step (incremental engines) */
    GCLAB_EV_ROOTS_TRACED,      /* phases: the roots are traced (or the refs deduced) */
    GCLAB_EV_HEAP_TRACED,       /* the unreachable set is known */
    GCLAB_EV_WEAKREFS_DONE,     /* weakrefs to the unreachable cleared, callbacks run */
    GCLAB_EV_FINALIZERS_DONE,   /* __del__ of the unreachable run */
    GCLAB_EV_GARBAGE_FREED,     /* the garbage is freed (or swept) */
};
/* The listener runs inside the collection: it may read counters
 * (gclab_heap_stats) but must not call anything that allocates or runs code. */
typedef void (*gclab_event_fn)(gclab_heap *h, void *ctx, enum gclab_event ev, int gen);
/* Install the listener (fn NULL removes it). */
void gclab_set_event_listener(gclab_heap *h, gclab_event_fn fn, void *ctx);
/* "collect_start", "heap_traced"... */
const char *gclab_event_name(enum gclab_event ev);
/* Garbage right now: objects still allocated that no chain of strong
 * references from the roots reaches (unreachable, not yet freed), and their
 * bytes. A walk of the whole reachable heap that allocates only C memory, so
 * a sampler may call it; *scratch (NULL at first) keeps that memory between
 * calls: release it with gclab_walk_free. GCLAB_EMEMORY if C memory runs out. */
struct gclab_garbage { uint64_t objects, bytes; };
struct gclab_walk;
gclab_status gclab_heap_garbage(gclab_heap *h, struct gclab_walk **scratch, struct gclab_garbage *out);
void gclab_walk_free(struct gclab_walk *w);
/* The pause log: n entries, valid until the next collection. */
const struct gclab_pause *gclab_pauses(const gclab_heap *h, size_t *n);
/* Number of generations the engine reports in `collections`. */
int gclab_generations(const gclab_heap *h);
/* Whether the engine keeps reference counts / collects cycles. */
bool gclab_has_refcounts(const gclab_heap *h);
bool gclab_collects_cycles(const gclab_heap *h);
/* Whether the engine knows every root exactly (false: conservative, may keep garbage). */
bool gclab_is_precise(const gclab_heap *h);

/* ---- what an engine promises: its facts ------------------------------ */
/* Each engine declares these (engines/<name>.c, `.caps`); core, the CLI
 * (`gclab engines --caps`, `--json`), workloads, the fuzz oracle and the
 * conformance tests read them here and derive no expectation from an
 * engine's name. Core enforces the ones it can (freeze, DEBUG_SAVEALL:
 * GCLAB_EUNSUPPORTED where not supported) and test_engines checks each
 * against the engine's behaviour. */

/* When the objects that die are freed (counted in `freed`, gone from `live`). */
enum gclab_frees {
    GCLAB_FREES_NEVER,   /* nothing is ever freed (nogc) */
    GCLAB_FREES_PROMPT,  /* a refcount death frees at once; everything a collection finds
                          * unreachable is freed before gc.collect() of the oldest
                          * generation returns (an incremental engine's own cycles may sweep
                          * lazily: gc.collect() finishes them) */
    GCLAB_FREES_LATE,    /* lazily: gc.collect() may return before some of what it found is
                          * freed; later allocations or collections free it (bdw's lazy sweep) */
};

/* Which weakref callbacks run when targets die. */
enum gclab_weakref_callbacks {
    GCLAB_WRCB_NONE,     /* no target ever dies, no callback runs (nogc) */
    GCLAB_WRCB_CPYTHON,  /* CPython's rule: every weakref to a dying object is cleared before
                          * any finalizer runs, and its callback runs iff the weakref itself
                          * survives (a weakref that is garbage too, or already at refcount
                          * zero, drops its callback uncalled); after a full collection, every
                          * reachable weakref whose target died has had its callback called */
    GCLAB_WRCB_ANY,      /* a cleared weakref's callback may run even when the weakref is
                          * garbage too, and in no fixed order (bdw: libgc's disappearing
                          * links and finalizers know nothing of weakref reachability) */
};

struct gclab_engine_caps {
    bool refcounts;        /* keeps obj->refcnt; an object dies the moment its count reaches zero */
    bool collects_cycles;  /* a dropped cycle is reclaimed by a full collection */
    bool finalizers;       /* __del__ runs (at most once) when an instance dies */
    bool precise;          /* knows every root exactly (false for conservative bdw: garbage
                            * may be kept by a stale word, so `leaked` may be > 0) */
    int generations;       /* elements in `collections`, gc.get_count(), gc.get_stats() */
    bool incremental;      /* collections are cut into increments between mutator work (incms's
                            * steps, rcinc's young + part-of-old increments): survivors of a
                            * collection of g do not all move g -> g + 1 as in CPython 3.11 */
    enum gclab_frees frees;
    enum gclab_weakref_callbacks weakref_callbacks;
    bool callback_kept;    /* a weakref the cycle collector clears still holds its callback while
                            * it runs, and one not called keeps it (CPython's handle_weakrefs);
                            * false: core drops the callback as it clears the weakref (always so
                            * for refcount deaths) */
    bool freeze;           /* gc.freeze()/unfreeze() work; false: GCLAB_EUNSUPPORTED */
    bool debug_saveall;    /* gc.set_debug(DEBUG_SAVEALL) keeps the unreachable objects in
                            * gc.garbage; false: GCLAB_EUNSUPPORTED */
    int header_words;      /* 8-byte words of struct gclab_obj the algorithm uses per object:
                            * core's two (kind/flags/size, storage), plus refcnt, gc_next,
                            * gc_prev, gc_refs as the engine needs them (verify's scratch use
                            * not counted): what a real implementation would carry */
};

/* The facts of the named engine, or NULL if there is none. */
const struct gclab_engine_caps *gclab_engine_facts(const char *engine);
/* The facts of the engine running h. */
const struct gclab_engine_caps *gclab_heap_facts(const gclab_heap *h);
/* Their names as text ("prompt", "cpython"...), for the CLI and records. */
const char *gclab_frees_name(enum gclab_frees f);
const char *gclab_weakref_callbacks_name(enum gclab_weakref_callbacks r);

#endif
