/* fz.h — what the fuzz targets, the replay binary and `gclab fuzz-print`
 * share: the decoder from bytes to an ops program (fuzz/decode.c) and the
 * checked runner (fuzz/harness.c, with the reference model of fuzz/model.c).
 *
 * The input format (every byte string is a valid input; nothing is rejected):
 *
 *   byte 0   engine: a slot, modulo FZ_ENGINE_SLOTS, of the fixed table in decode.c
 *            (0 nogc, 1 rc, 2 rcgen, 3 marksweep, 4 bdw, 5 rcbr, 6 rcinc, 7 incms,
 *            8 genms; a new engine takes the next slot, so no input changes engine);
 *            GCLAB_FUZZ_ENGINE=NAME overrides it (an unknown NAME is an error, exit 2)
 *   byte 1   bits 0-1 zeal (0: off, 1: zeal=1, 2: zeal=3, 3: zeal=17),
 *            bits 2-3 check every 1, 1, 2 or 8 ops, bits 4-5 the allocator (0-2:
 *            core's pools, the common case; 3: malloc, which lets ASan see every
 *            free), bits 6-7 the number K of knob pairs that follow (0-3);
 *            GCLAB_FUZZ_ZEAL, GCLAB_FUZZ_CHECK_EVERY, GCLAB_FUZZ_ALLOC=pool|malloc override
 *   K pairs  engine knobs: index byte, value byte. index mod FZ_KNOB_SLOTS is the
 *            engine's param spec i (its knobs in declaration order: a knob added at
 *            the end moves no input), FZ_KNOB_VERIFY is core's verify level; value
 *            mod 16 picks the knob's default, one of 0 1 2 3 4 8 16 100 1.25 1.5,
 *            or default /2 /4 /16 x2 x4 (knob_value), clamped into the knob's range;
 *            a WORD knob's value byte picks its default (0) or word (v - 1) mod n
 *            (rcinc rules=3.14.2). A value the engine still rejects is dropped. GCLAB_FUZZ_PARAMS=k=v,k=v adds knobs
 *            that win over the input's.
 *   then     ops of main, until the bytes or FZ_MAX_OPS run out: one byte picks the
 *            opcode (modulo OP_COUNT, so every op is reachable), then one byte per
 *            operand, reduced modulo the operand's valid range (a missing byte
 *            reads as 0), so ops_validate always passes.
 *
 * The decoded program's main has FZ_NSLOTS slots and the string table and
 * helper functions of fz_library (see decode.c): rec(x) calls the native
 * global `fin` (the harness's recorder, used as __del__ and as weakref
 * callback), init(self, x), ident(x), pair(a, b) and cyc().
 */
#ifndef GCLAB_FZ_H
#define GCLAB_FZ_H

#include <stddef.h>
#include <stdint.h>

#include "ops.h"

#define FZ_NSLOTS 12          /* slots of main */
#define FZ_ENGINE_SLOTS 32    /* byte 0 modulo this names an engine (decode.c) */
#define FZ_MAX_KNOBS 3        /* knob pairs after byte 1 */
#define FZ_KNOB_SLOTS 8       /* knob index modulo this: engine param i, or ... */
#define FZ_KNOB_VERIFY 7      /* ... core's verify level (value mod 3) */
#define FZ_MAX_OPS 256        /* ops of main decoded at most */
#define FZ_STEP_BUDGET 2048   /* ops of main executed at most (loops) */
#define FZ_MAX_STR 16384      /* a run stops before s + t would pass it (s = s + s in a loop) */
#define FZ_CHECK_SPREAD 64     /* checks every model-size / FZ_CHECK_SPREAD ops (so after every
                                 op below 2 x this many model objects), and after every full
                                 collection */
#define FZ_OP_BUDGET 32768    /* ops executed at most in all functions: gc.callbacks, __del__ and
                                 weakref callbacks run helpers unbounded by FZ_STEP_BUDGET */

/* Indices into the decoded program's string table. R, W, K name the globals only
 * helpers write (lists the harness makes: resurrected objects, weakrefs made by
 * __del__, what weakref callbacks allocate); ID is the tag of model ids. */
enum { FZ_S_G0 = 0, FZ_S_A = 4, FZ_S_FIN = 7, FZ_S_CLS = 8, FZ_S_LIT = 10, FZ_S_R = 14, FZ_S_W, FZ_S_K, FZ_S_ID,
       FZ_S_COUNT };
/* Indices of the helper functions. The last four act only on what they are
 * meant for, then call fin(x) last (so the harness sees them, in order):
 *   res(x)    x.__id (a tagged instance, or fail); r.append(x); fin(x)   — a resurrecting __del__
 *   mkcyc(x)  x.__id; l = [x]; x.c = l; fin(x)                         — a cycle-making __del__
 *   mkwr(x)   x.__id; w.append(weakref.ref(x, fin)); fin(x)            — a __del__ that makes a weakref
 *   cbal(x)   x() (a weakref, or fail); k.append([x]); fin(x)          — a callback that allocates */
enum { FZ_F_REC = 1, FZ_F_INIT, FZ_F_IDENT, FZ_F_PAIR, FZ_F_CYC, FZ_F_RES, FZ_F_MKCYC, FZ_F_MKWR, FZ_F_CBAL,
       FZ_F_COUNT };

struct fz_input {
    int engine_byte;          /* byte 0 */
    unsigned zeal;            /* 0 = off */
    unsigned check_every;     /* >= 1 */
    bool pool;                /* core's pool allocator rather than malloc */
    int nknobs;
    struct { uint8_t index, value; } knobs[FZ_MAX_KNOBS];
    struct ops_program *prog; /* owned */
    /* where each op of main starts in the bytes (for the structure-aware mutator) */
    size_t header_len;        /* bytes before the first op */
    int nops;
    size_t op_at[FZ_MAX_OPS];
};

/* Decode bytes into in (never fails but on out of memory: -1). Environment overrides applied. */
int fz_decode(const uint8_t *data, size_t size, struct fz_input *in);
/* Free what fz_decode allocated. */
void fz_input_free(struct fz_input *in);
/* The knobs in->knobs ask of engine (and GCLAB_FUZZ_PARAMS) as key=value pairs, at most
 * FZ_MAX_PARAMS, in kv (values in buf); returns how many. Knobs the engine rejects are
 * not dropped here: the harness drops them when it makes the heap (fz_heap). */
#define FZ_MAX_PARAMS 16
struct gclab_kv;
int fz_params(const struct fz_input *in, const char *engine, struct gclab_kv *kv, char buf[][48]);
/* The engine name for this input: GCLAB_FUZZ_ENGINE (exit 2 if unknown), or byte 0's slot. */
const char *fz_engine_name(const struct fz_input *in);
/* The engine byte 0 = byte names; *assigned false if its slot names no registered engine
 * (then a registered one stands in, and may change when engines are added). */
const char *fz_engine_slot(int byte, bool *assigned);

/* The structure-aware mutator (mutate.c): data's size bytes mutated in place, at most max;
 * returns the new size. GCLAB_FUZZ_MUTATOR=bytes leaves it to libFuzzer's LLVMFuzzerMutate. */
size_t fz_mutate(uint8_t *data, size_t size, size_t max, unsigned seed);

/* Run the input on the named engine with the reference model alongside,
 * checking the invariants after every check_every ops and at the end. A violated
 * invariant prints "gclab fuzz: ..." naming the op and aborts. out receives PRINT's
 * output (NULL: discarded). Returns 0; 1 if the run used up FZ_OP_BUDGET (it stops
 * there and the checks are skipped: the model cannot follow an op cut short
 * inside a helper); -1 if the heap could not be made. */
int fz_run_checked(const struct fz_input *in, const char *engine, FILE *out);

/* What one engine observed running a program, for the differential target. */
struct fz_observed {
    char *out;            /* PRINT's output */
    size_t outlen;
    char *trace;          /* per executed main op: pc, status, and the value written, one line each */
    size_t tracelen;
    bool exhausted;       /* the run used up FZ_OP_BUDGET: where it stopped is engine-dependent */
};
/* Run the program unchecked on engine (with in's knobs), recording what is observable. */
int fz_run_observed(const struct fz_input *in, const char *engine, struct fz_observed *obs);
void fz_observed_free(struct fz_observed *obs);

#endif
