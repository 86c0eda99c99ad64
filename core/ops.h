/* ops.h — the instruction set every driver of the mutator API shares
 * (heap scripts, fuzzers, reproducers), and its interpreter.
 *
 * A program is an array of functions; function 0 is the module ("main").
 * Each function has its own op array, a parameter count and a frame size.
 * An op is an opcode plus four small integer operands (a, b, c, d) and the
 * source line it came from (0 if none). What each operand names is given
 * by the op's operand kinds in OPS_LIST below:
 *
 *   S  a slot of the current frame, 0 <= s < nslots
 *   O  an optional slot: a slot, or -1 (meaning differs per op: "drop the
 *      result", "no callback", "default")
 *   R  the first of n consecutive slots; the next operand is n (0..16)
 *   N  the count belonging to the R before it
 *   I  an immediate integer (INT's two halves, BOOL's 0/1, BLOB's size)
 *   T  an index into the program's string table (a str literal)
 *   Y  an index into the string table naming a global or an attribute
 *      (must be an identifier)
 *   F  an index into the function table (never 0: main is not a value)
 *   J  a jump target: an op index in the same function, 0 <= j <= nops
 *      (j == nops falls off the end, which returns None)
 *   -  unused (must be 0)
 *
 * ops_validate() checks every operand against its kind, so a fuzzer may
 * build any program and the interpreter will never index out of bounds;
 * every other error (wrong type, empty slot, index out of range, the heap
 * limit) is a gclab status reported with the function, op index and line.
 *
 * Semantics are Python's: each op is one mutator API call (core/gclab.h),
 * or a few for ops that Python spells as one expression. Ops that write a
 * destination slot read all their operands first, so `d` may equal an
 * operand (ADD 3,3,4 is `x = x + y`).
 *
 * Calls. FUNC makes a func object (gclab_func_new) whose native trampoline
 * runs that function's ops in the frame core pushes for the call; ctx is
 * the program and code the function index. CLASS makes a class from two
 * slots holding funcs for __init__ and __del__ (or -1). CALL calls any
 * callable (func, class, weakref). Interpreting a nested call uses C
 * recursion bounded by the heap's frame depth limit (max_depth) and by
 * 2000 nested calls: script recursion, never heap depth. PRINT spells
 * values with core/repr.c (no C recursion, no heap allocation).
 *
 * A program must outlive every heap it ran on: its func objects point to it.
 */
#ifndef GCLAB_OPS_H
#define GCLAB_OPS_H

#include <stdio.h>

#include "gclab.h"
#include "repr.h"

/* X(NAME, operand kinds for a b c d, doc). The doc's Python spelling is what the
 * printer writes (_N is slot N). */
#define OPS_LIST(X)                                                                 \
    X(NOP,         "----", "nothing")                                               \
    X(NONE,        "S---", "_a = None")                                             \
    X(BOOL,        "SI--", "_a = bool(b)  (b is 0 or 1)")                           \
    X(INT,         "SII-", "_a = int64 from low 32 bits b, high 32 bits c")         \
    X(STR,         "ST--", "_a = the str literal b (interned, like a literal)")     \
    X(TUPLE,       "SRN-", "_a = (_b, ..., _{b+c-1})")                              \
    X(LIST,        "S---", "_a = []")                                               \
    X(DICT,        "S---", "_a = {}")                                               \
    X(BLOB,        "SI--", "_a = a blob of b zero bytes (no Python spelling)")      \
    X(FUNC,        "SF--", "_a = function b (def)")                                 \
    X(CLASS,       "SYOO", "_a = class named b with __init__ _c, __del__ _d")       \
    X(INSTANCE,    "SS--", "_a = object.__new__(_b), no __init__")                  \
    X(WEAKREF,     "SSO-", "_a = weakref.ref(_b[, _c])")                            \
    X(MOVE,        "SS--", "_a = _b")                                               \
    X(CLEAR,       "S---", "del _a (NameError if empty)")                           \
    X(GLOBAL_GET,  "SY--", "_a = global b")                                         \
    X(GLOBAL_SET,  "YS--", "global a = _b")                                         \
    X(GLOBAL_DEL,  "Y---", "del global a")                                          \
    X(GETITEM,     "SSS-", "_a = _b[_c]")                                           \
    X(SETITEM,     "SSS-", "_a[_b] = _c")                                           \
    X(DELITEM,     "SS--", "del _a[_b]")                                            \
    X(APPEND,      "SS--", "_a.append(_b)")                                         \
    X(POP,         "OSO-", "_a = _b.pop([_c]) (a -1 drops the result)")             \
    X(DICT_GET,    "SSSO", "_a = _b.get(_c[, _d])")                                 \
    X(GETATTR,     "SSY-", "_a = _b.c")                                             \
    X(SETATTR,     "SYS-", "_a.b = _c")                                             \
    X(DELATTR,     "SY--", "del _a.b")                                              \
    X(CALL,        "OSRN", "_a = _b(_c, ..., _{c+d-1}) (a -1 drops the result)")    \
    X(RETURN,      "O---", "return _a (a -1: return None)")                         \
    X(ADD,         "SSS-", "_a = _b + _c (ints; strs concatenate)")                 \
    X(SUB,         "SSS-", "_a = _b - _c")                                          \
    X(MUL,         "SSS-", "_a = _b * _c")                                          \
    X(FLOORDIV,    "SSS-", "_a = _b // _c")                                         \
    X(MOD,         "SSS-", "_a = _b % _c")                                          \
    X(NEG,         "SS--", "_a = -_b")                                              \
    X(NOT,         "SS--", "_a = not _b")                                           \
    X(EQ,          "SSS-", "_a = _b == _c")                                         \
    X(NE,          "SSS-", "_a = _b != _c")                                         \
    X(LT,          "SSS-", "_a = _b < _c")                                          \
    X(LE,          "SSS-", "_a = _b <= _c")                                         \
    X(GT,          "SSS-", "_a = _b > _c")                                          \
    X(GE,          "SSS-", "_a = _b >= _c")                                         \
    X(IS,          "SSS-", "_a = _b is _c")                                         \
    X(IS_NOT,      "SSS-", "_a = _b is not _c")                                     \
    X(JUMP,        "J---", "go to a")                                               \
    X(JUMP_IF_FALSE, "SJ--", "if not _a: go to b")                                  \
    X(JUMP_IF_TRUE,  "SJ--", "if _a: go to b")                                      \
    X(FOR_RANGE,   "SSJ-", "for _a in range(_b, _{b+1}, _{b+2}): _b is the next "   \
                           "value and advances by _{b+2}; when done go to c")       \
    X(LEN,         "SS--", "_a = len(_b)")                                          \
    X(ID,          "SS--", "_a = id(_b)")                                           \
    X(REFCOUNT,    "SS--", "_a = sys.getrefcount(_b), with _b counted as the "      \
                           "call's argument (see core/script/README)")              \
    X(PRINT,       "RN--", "print(_a, ..., _{a+b-1})")                              \
    X(ASSERT,      "SOT-", "assert _a[, _b]; c is the source text of the test")     \
    X(GC_COLLECT,  "OO--", "_a = gc.collect([_b]) (a -1 drops, b -1 = 2)")          \
    X(GC_ENABLE,   "----", "gc.enable()")                                           \
    X(GC_DISABLE,  "----", "gc.disable()")                                          \
    X(GC_ISENABLED, "S---", "_a = gc.isenabled()")                                  \
    X(GC_GET_THRESHOLD, "S---", "_a = gc.get_threshold()")                          \
    X(GC_SET_THRESHOLD, "RN--", "gc.set_threshold(_a, ..., _{a+b-1})")              \
    X(GC_GET_COUNT, "S---", "_a = gc.get_count()")                                  \
    X(GC_GET_STATS, "S---", "_a = gc.get_stats()")                                  \
    X(GC_GET_OBJECTS, "SO--", "_a = gc.get_objects([_b])")                          \
    X(GC_GARBAGE,  "S---", "_a = gc.garbage")                                       \
    X(GC_CALLBACKS, "S---", "_a = gc.callbacks")                                    \
    X(GC_FREEZE,   "----", "gc.freeze()")                                           \
    X(GC_UNFREEZE, "----", "gc.unfreeze()")                                         \
    X(GC_GET_FREEZE_COUNT, "S---", "_a = gc.get_freeze_count()")                    \
    X(GC_SET_DEBUG, "S---", "gc.set_debug(_a)")                                     \
    X(CALL_METHOD, "OYRN", "_a = _{c+1}.b(_{c+2}, ..., _{c+d-1}) (d >= 2): CPython's "  \
                           "LOAD_METHOD and CALL; _c holds the callee during the call "  \
                           "and is emptied after it; a func found in the class gets "    \
                           "_{c+1} as self, no bound method is made")              \
    X(IN,          "SSS-", "_a = _b in _c (list, tuple, dict keys, substring of a str)") \
    X(NOT_IN,      "SSS-", "_a = _b not in _c")                                    \
    X(PRINT_EX,    "RNOO", "print(_a, ..., _{a+b-1}, sep=_c, end=_d) (c, d -1: the "     \
                           "defaults ' ' and newline; None too)")                   \
    X(STR_OF,      "SS--", "_a = str(_b)")                                          \
    X(REPR,        "SS--", "_a = repr(_b)")                                         \
    X(HASATTR,     "SSY-", "_a = hasattr(_b, 'c')")                                 \
    X(ISINSTANCE,  "SSS-", "_a = isinstance(_b, _c) (_c a class: _b's class is _c)") \
    X(IS_KIND,     "SSI-", "_a = isinstance(_b, T) for the builtin type of gclab "  \
                           "kind c (int also takes bool, as in Python)")            \
    X(UNPACK,      "SRN-", "_b, ..., _{b+c-1} = _a (a list or tuple of exactly c items)") \
    X(FOR_ITER,    "SSJ-", "for _a in _b: _{b+1} (empty at the loop's entry) is the " \
                           "position, _{b+2} stands for CPython's iterator (a tracked " \
                           "tuple of _b and 20 Nones, past the free lists' sizes, made at the first step); when done go to c " \
                           "and leave both for the CLEARs after the loop")           \
    X(TRACKED_HEAP_SIZE, "S---", "_a = _testinternalcapi.get_tracked_heap_size()") \
    X(SLICE,       "SSS-", "_a = _b[_c:_{c+1}:_{c+2}] (each bound an int or None)")  \
    X(DELSLICE,    "SS--", "del _a[_b:_{b+1}:_{b+2}] (a list)")                   \
    X(TRY,         "J---", "try: an exception raised before the matching TRY_ELSE goes to a "       \
                           "(the first EXCEPT, or a FINALLY), becoming the exception handled")     \
    X(TRY_ELSE,    "J---", "the try block's end: drop its handler and go to a (the else block)")    \
    X(EXCEPT,      "OTJ-", "except NAMES: (b: comma-separated built-in exception names, \"\" for a " \
                           "bare except) if the exception handled is one of them go on, storing "  \
                           "it in _a (-1: no `as`), else go to c")                                 \
    X(EXC_END,     "J---", "an except block's end: the exception handled is done with; go to a")    \
    X(FINALLY,     "----", "the start of a finally block run for an exception (the try's handler)") \
    X(RERAISE,     "----", "raise: the exception handled (innermost, in any frame) raised again")  \
    X(RAISE,       "TO--", "raise a(_b): a names a built-in exception, _b its argument (-1: none)") \
    X(KWNAMES,     "T---", "CPython's KW_NAMES: the next op (a CALL or CALL_METHOD) binds its "  \
                           "arguments to the callee's parameters by name: the last k are "     \
                           "keyword arguments named by the comma-separated string a (\"\": "   \
                           "none, only defaults and *args are filled in)")             \
    X(GC_GET_DEBUG, "S---", "_a = gc.get_debug()")                                  \
    X(GC_IS_TRACKED, "SS--", "_a = gc.is_tracked(_b)")                              \
    X(GC_IS_FINALIZED, "SS--", "_a = gc.is_finalized(_b)")                          \
    X(GC_REFERENTS, "SRN-", "_a = gc.get_referents(_b, ..., _{b+c-1}) (an argument " \
                            "tuple is made for the call, as METH_VARARGS)")          \
    X(GC_REFERRERS, "SRN-", "_a = gc.get_referrers(_b, ..., _{b+c-1}) (likewise; "  \
                            "the tuple is not a referrer)")                            \
    X(TYPE_OF,     "SS--", "_a = type(_b) (an instance's class; gclab has no other type objects)") \
    X(TYPE_IS,     "SSOI", "_a = type(_b) is _c (a class), or with _c -1 type(_b) is T for "     \
                           "the builtin type of gclab kind d (exact: a bool is not an int)")       \
    X(TYPE_NAME,   "SS--", "_a = type(_b).__name__")                                  \
    X(CLASS_BASE,  "SS--", "class _a(_b): the class _a (just made) gets the base _b")

enum ops_code {
#define OPS_ENUM(name, kinds, doc) OP_##name,
    OPS_LIST(OPS_ENUM)
#undef OPS_ENUM
    OP_COUNT
};

#define OPS_MAX_ARGS 16   /* the most arguments a CALL, PRINT or TUPLE takes (core's limit) */
/* The opcodes before this one are what fuzz/decode.c draws from (its corpora keep their
 * meaning when ops are added); later ones are made only by the script compiler. */
#define OPS_FUZZ_COUNT (OP_GC_SET_DEBUG + 1)

struct ops_op {
    uint8_t code;          /* enum ops_code */
    int32_t a, b, c, d;
    int32_t line;          /* source line, 0 if none; debug info */
};

/* A parameter's default value: a constant, made afresh at each call (CPython
 * keeps the object; for these immutable kinds that is the same value). */
struct ops_const {
    int kind;              /* GCLAB_K_NONE, GCLAB_K_BOOL, GCLAB_K_INT or GCLAB_K_STR */
    int64_t v;             /* BOOL 0/1, INT the value, STR an index into the string table */
};

struct ops_func {
    char *name;            /* for messages and the printer */
    int nargs;             /* parameters, in slots 0..nargs-1 */
    /* Parameters as a call after KWNAMES binds them (ops_func_set_params): names
     * (NULL: positional only, as a fuzzer's functions), the last ndefaults
     * parameters before a *args one have defaults, and with varargs the last
     * parameter takes a tuple of the extra positional arguments. Semantic. */
    char **params;
    int ndefaults;
    struct ops_const *defaults;
    bool varargs;
    int nslots;            /* frame size, >= nargs */
    struct ops_op *ops;
    int nops, cap;
    char **slot_names;     /* debug: name of each slot or NULL (may itself be NULL) */
};

struct ops_str { char *s; size_t len; };

/* A step hook, for fuzzers that check the heap between ops: called before each
 * op (after == false, st == GCLAB_OK) and after it (after == true, st = the op's
 * status) in every function, except after a RETURN (which leaves the function).
 * The status it returns replaces the op's: GCLAB_OK after a failed op goes on
 * with the next op as if the error were caught; any other status stops the run. */
typedef gclab_status (*ops_step_fn)(void *ctx, gclab_heap *h, int func, int pc, bool after,
                                    gclab_status st);

/* Per-heap state the interpreter keeps while (and after) a program runs. */
struct ops_rt {
    uint64_t heap_id;      /* gclab_heap_id of the heap names were interned for (0: none) */
    gclab_name *names;     /* the string table interned in heap (immortal) */
    int nnames;
    FILE *out;             /* where PRINT writes */
    /* where the last error happened */
    int err_func, err_pc, err_line;
    char err_msg[256];     /* the heap's message when the location was taken */
    bool err_located;
    int depth;             /* interpreted calls in progress (C recursion) */
    struct repr_buf buf;   /* scratch text buffer (str(), formatting) */
    size_t out_pending;    /* bytes sys.stdout holds pending (modelled print, ops.c) */
    bool out_has_text;     /* sys.stdout holds pending text */
    ops_step_fn step;      /* NULL, or the hook (set by the caller, kept across runs) */
    struct ops_exc *exc;   /* try handlers and exceptions being handled, innermost last (ops.c) */
    int nexc, capexc;
    void *step_ctx;
};

struct ops_program {
    struct ops_func *funcs;    /* funcs[0] is main */
    int nfuncs, funcs_cap;
    struct ops_str *strs;
    int nstrs, strs_cap;
    int *str_index;            /* open-addressing index of strs (-1 empty), so adding is O(1) */
    int str_index_cap;
    struct ops_rt rt;
};

/* Name of an opcode ("ADD"), or NULL past the end. */
const char *ops_name(int code);
/* Operand kinds of an opcode: four characters from "SORNITYFJ-". */
const char *ops_kinds(int code);
/* The frame size f's ops need: its parameters and every slot an operand names. */
int ops_func_slots_needed(const struct ops_func *f);

/* A new program holding only an empty main (nargs 0, nslots 0). NULL on out of memory. */
struct ops_program *ops_program_new(void);
/* Free a program (after every heap it ran on is freed or has dropped its funcs). */
void ops_program_free(struct ops_program *p);
/* Add a function; returns its index, or -1 on out of memory. */
int ops_func_add(struct ops_program *p, const char *name, int nargs, int nslots);
/* Give function fi parameter names (nargs of them), ndefaults defaults for the
 * last parameters before a *args one, and varargs; 0, or -1 on out of memory. */
int ops_func_set_params(struct ops_program *p, int fi, const char *const *names, int ndefaults,
                        const struct ops_const *defaults, bool varargs);
/* Add (or find) a string in the table; returns its index, or -1 on out of memory. */
int ops_str_add(struct ops_program *p, const char *s, size_t len);
/* Append an op to function f; returns its index, or -1 on out of memory. */
int ops_emit(struct ops_program *p, int f, int code, int32_t a, int32_t b, int32_t c, int32_t d,
             int32_t line);
/* Split an int64 into INT's two operands. */
void ops_int_operands(int64_t v, int32_t *lo, int32_t *hi);

/* The index of the built-in exception named name[0..len) that scripts may
 * catch (EXCEPT) and, with *raisable, raise (RAISE); -1 for another name. */
int ops_exc_find(const char *name, size_t len, bool *raisable);

/* Check every operand of every op; 0, or -1 with a message naming function and op. */
int ops_validate(const struct ops_program *p, char *err, size_t errlen);

/* Where a failed run stopped. */
struct ops_error {
    int func, pc, line;       /* function index, op index in it, source line (0 if none) */
};

/* Run main in a new frame on h, printing to out (NULL: stdout); the frame is
 * popped afterwards (globals stay). Validates first (GCLAB_EUSAGE on a bad
 * program). On error returns the status, gclab_error(h) has the message and
 * *where (if not NULL) the location. */
gclab_status ops_run(gclab_heap *h, struct ops_program *p, FILE *out, struct ops_error *where);

/* Whether two programs have the same functions (nargs, nslots) and ops, with
 * string operands compared by content; debug info (names, lines, ASSERT's text) is
 * ignored. On a difference, describes the first one in why. */
bool ops_program_equal(const struct ops_program *x, const struct ops_program *y, char *why,
                       size_t whylen);
/* Print a program as an op listing (one op per line), for debugging. */
void ops_dump(const struct ops_program *p, FILE *f);

#endif
