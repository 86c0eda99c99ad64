/* decode.c — bytes to an ops program (the input format is in fz.h).
 *
 * Every byte string decodes to a program that ops_validate accepts: each
 * operand byte is reduced modulo the operand's valid range, and jump targets
 * are fixed up once the length of main is known. Two ops are decoded as
 * pairs, so the model never has to follow what it cannot know:
 *   GC_GET_OBJECTS a  is followed by  LEN a, a  (the list of every tracked
 *                     object never stays in a slot past the next op);
 *   GC_SET_DEBUG a    is preceded by  INT a, flags  with flags < 8 (never
 *                     DEBUG_SAVEALL, which keeps garbage alive in gc.garbage).
 * CALL always stores its result (a >= 0): a dropped result is the one place
 * a new object would have no slot to be found through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fz.h"

struct rd { const uint8_t *p; size_t n, i; };

static uint8_t rd_u8(struct rd *r) { return r->i < r->n ? r->p[r->i++] : 0; }

static int slot(struct rd *r) { return rd_u8(r) % FZ_NSLOTS; }
static int oslot(struct rd *r) { return (int)(rd_u8(r) % (FZ_NSLOTS + 1)) - 1; }

/* The string table and helper functions every decoded program has. */
static int add_library(struct ops_program *p)
{
    static const struct { const char *s; size_t len; } strs[FZ_S_COUNT] = {
        { "g0", 2 }, { "g1", 2 }, { "g2", 2 }, { "g3", 2 },   /* globals */
        { "a", 1 }, { "b", 1 }, { "c", 1 },                   /* attributes */
        { "fin", 3 },                                         /* the recorder */
        { "C", 1 }, { "D", 1 },                               /* class names */
        { "", 0 }, { "x", 1 }, { "hello", 5 }, { "x\0y", 3 }, /* literals (the last is not interned) */
        { "r", 1 }, { "w", 1 }, { "k", 1 }, { "__id", 4 },     /* helpers' globals, the model-id tag */
    };
    for (int i = 0; i < FZ_S_COUNT; i++)
        if (ops_str_add(p, strs[i].s, strs[i].len) != i)
            return -1;
    p->funcs[0].nslots = FZ_NSLOTS;
    /* rec(x): fin(x) — __del__ and weakref callback; the harness counts its calls */
    if (ops_func_add(p, "rec", 1, 2) != FZ_F_REC || ops_emit(p, FZ_F_REC, OP_GLOBAL_GET, 1, FZ_S_FIN, 0, 0, 0) < 0 ||
        ops_emit(p, FZ_F_REC, OP_CALL, 1, 1, 0, 1, 0) < 0 || ops_emit(p, FZ_F_REC, OP_RETURN, -1, 0, 0, 0, 0) < 0)
        return -1;
    /* init(self, x): self.a = x */
    if (ops_func_add(p, "init", 2, 2) != FZ_F_INIT || ops_emit(p, FZ_F_INIT, OP_SETATTR, 0, FZ_S_A, 1, 0, 0) < 0 ||
        ops_emit(p, FZ_F_INIT, OP_RETURN, -1, 0, 0, 0, 0) < 0)
        return -1;
    /* ident(x): return x */
    if (ops_func_add(p, "ident", 1, 1) != FZ_F_IDENT || ops_emit(p, FZ_F_IDENT, OP_RETURN, 0, 0, 0, 0, 0) < 0)
        return -1;
    /* pair(a, b): return [a, b] — allocates while its arguments are only in its frame */
    if (ops_func_add(p, "pair", 2, 3) != FZ_F_PAIR || ops_emit(p, FZ_F_PAIR, OP_LIST, 2, 0, 0, 0, 0) < 0 ||
        ops_emit(p, FZ_F_PAIR, OP_APPEND, 2, 0, 0, 0, 0) < 0 || ops_emit(p, FZ_F_PAIR, OP_APPEND, 2, 1, 0, 0, 0) < 0 ||
        ops_emit(p, FZ_F_PAIR, OP_RETURN, 2, 0, 0, 0, 0) < 0)
        return -1;
    /* cyc(): l = []; l.append(l); return l */
    if (ops_func_add(p, "cyc", 0, 1) != FZ_F_CYC || ops_emit(p, FZ_F_CYC, OP_LIST, 0, 0, 0, 0, 0) < 0 ||
        ops_emit(p, FZ_F_CYC, OP_APPEND, 0, 0, 0, 0, 0) < 0 || ops_emit(p, FZ_F_CYC, OP_RETURN, 0, 0, 0, 0, 0) < 0)
        return -1;
    /* res(x): x.__id; r.append(x); fin(x) */
#define E(f, code, a, b, c, d) if (ops_emit(p, f, OP_##code, a, b, c, d, 0) < 0) return -1
    if (ops_func_add(p, "res", 1, 3) != FZ_F_RES)
        return -1;
    E(FZ_F_RES, GETATTR, 1, 0, FZ_S_ID, 0);
    E(FZ_F_RES, GLOBAL_GET, 2, FZ_S_R, 0, 0);
    E(FZ_F_RES, APPEND, 2, 0, 0, 0);
    E(FZ_F_RES, GLOBAL_GET, 1, FZ_S_FIN, 0, 0);
    E(FZ_F_RES, CALL, 1, 1, 0, 1);
    E(FZ_F_RES, RETURN, -1, 0, 0, 0);
    /* mkcyc(x): x.__id; l = [x]; x.c = l; fin(x) */
    if (ops_func_add(p, "mkcyc", 1, 3) != FZ_F_MKCYC)
        return -1;
    E(FZ_F_MKCYC, GETATTR, 1, 0, FZ_S_ID, 0);
    E(FZ_F_MKCYC, LIST, 2, 0, 0, 0);
    E(FZ_F_MKCYC, APPEND, 2, 0, 0, 0);
    E(FZ_F_MKCYC, SETATTR, 0, FZ_S_A + 2, 2, 0);
    E(FZ_F_MKCYC, GLOBAL_GET, 1, FZ_S_FIN, 0, 0);
    E(FZ_F_MKCYC, CALL, 1, 1, 0, 1);
    E(FZ_F_MKCYC, RETURN, -1, 0, 0, 0);
    /* mkwr(x): x.__id; w.append(weakref.ref(x, fin)); fin(x) */
    if (ops_func_add(p, "mkwr", 1, 4) != FZ_F_MKWR)
        return -1;
    E(FZ_F_MKWR, GETATTR, 1, 0, FZ_S_ID, 0);
    E(FZ_F_MKWR, GLOBAL_GET, 1, FZ_S_FIN, 0, 0);
    E(FZ_F_MKWR, WEAKREF, 3, 0, 1, 0);
    E(FZ_F_MKWR, GLOBAL_GET, 2, FZ_S_W, 0, 0);
    E(FZ_F_MKWR, APPEND, 2, 3, 0, 0);
    E(FZ_F_MKWR, CALL, 1, 1, 0, 1);
    E(FZ_F_MKWR, RETURN, -1, 0, 0, 0);
    /* cbal(x): x(); k.append([x]); fin(x) */
    if (ops_func_add(p, "cbal", 1, 4) != FZ_F_CBAL)
        return -1;
    E(FZ_F_CBAL, CALL, 1, 0, 0, 0);
    E(FZ_F_CBAL, LIST, 3, 0, 0, 0);
    E(FZ_F_CBAL, APPEND, 3, 0, 0, 0);
    E(FZ_F_CBAL, GLOBAL_GET, 2, FZ_S_K, 0, 0);
    E(FZ_F_CBAL, APPEND, 2, 3, 0, 0);
    E(FZ_F_CBAL, GLOBAL_GET, 1, FZ_S_FIN, 0, 0);
    E(FZ_F_CBAL, CALL, 1, 1, 0, 1);
    E(FZ_F_CBAL, RETURN, -1, 0, 0, 0);
#undef E
    return 0;
}

/* An INT operand pair: mostly small (the shared cache and its edges), sometimes any int64. */
static int64_t int_value(struct rd *r)
{
    uint8_t b = rd_u8(r);
    if (b < 224)
        return (int64_t)b - 16;
    if (b < 240)
        return 248 + (int64_t)(b - 224);
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)rd_u8(r) << (8 * i);
    return (int64_t)u;
}

/* A slot range: first slot and count with first + count <= FZ_NSLOTS, count <= max. */
static void range(struct rd *r, int max, int32_t *first, int32_t *n)
{
    int f = rd_u8(r) % (FZ_NSLOTS + 1);
    int room = FZ_NSLOTS - f < max ? FZ_NSLOTS - f : max;
    *first = f;
    *n = rd_u8(r) % (room + 1);
}

static uint64_t env_uint(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

int fz_decode(const uint8_t *data, size_t size, struct fz_input *in)
{
    static const unsigned zeals[4] = { 0, 1, 3, 17 }, everies[4] = { 1, 1, 2, 8 };
    struct rd r = { data, size, 0 };
    memset(in, 0, sizeof *in);
    in->engine_byte = rd_u8(&r);
    uint8_t knobs = rd_u8(&r);
    in->zeal = zeals[knobs & 3];
    in->check_every = everies[(knobs >> 2) & 3];
    in->pool = ((knobs >> 4) & 3) != 3;
    in->nknobs = knobs >> 6;
    for (int i = 0; i < in->nknobs; i++) {
        in->knobs[i].index = rd_u8(&r);
        in->knobs[i].value = rd_u8(&r);
    }
    in->zeal = (unsigned)env_uint("GCLAB_FUZZ_ZEAL", in->zeal);
    in->check_every = (unsigned)env_uint("GCLAB_FUZZ_CHECK_EVERY", in->check_every);
    if (in->check_every == 0)
        in->check_every = 1;
    const char *alloc = getenv("GCLAB_FUZZ_ALLOC");
    if (alloc && *alloc)
        in->pool = strcmp(alloc, "pool") == 0;

    struct ops_program *p = ops_program_new();
    if (!p || add_library(p) != 0) {
        ops_program_free(p);
        return -1;
    }
    in->prog = p;
#define EMIT(code, a, b, c, d) \
    do { if (ops_emit(p, 0, OP_##code, a, b, c, d, 0) < 0) return -1; } while (0)
    in->header_len = r.i < r.n ? r.i : r.n;
    while (r.i < r.n && p->funcs[0].nops < FZ_MAX_OPS) {
        in->op_at[in->nops++] = r.i;
        int code = rd_u8(&r) % OPS_FUZZ_COUNT;
        const char *k = ops_kinds(code);
        int32_t v[4] = { 0, 0, 0, 0 };
        for (int i = 0; i < 4; i++) {
            switch (k[i]) {
            case 'S': v[i] = slot(&r); break;
            case 'O': v[i] = oslot(&r); break;
            case 'R': range(&r, code == OP_GC_SET_THRESHOLD ? 3 : OPS_MAX_ARGS, &v[i], &v[i + 1]); i++; break;
            case 'I':
                if (code == OP_INT) {
                    int64_t x = int_value(&r);
                    ops_int_operands(x, &v[1], &v[2]);
                    i = 3;
                } else if (code == OP_BOOL) {
                    v[i] = rd_u8(&r) & 1;
                } else {
                    v[i] = rd_u8(&r) % 65;   /* BLOB size */
                }
                break;
            case 'T': v[i] = FZ_S_LIT + rd_u8(&r) % 4; break;
            case 'Y':
                if (code == OP_CLASS) v[i] = FZ_S_CLS + rd_u8(&r) % 2;
                else if (code == OP_GETATTR || code == OP_SETATTR || code == OP_DELATTR) v[i] = FZ_S_A + rd_u8(&r) % 3;
                else v[i] = FZ_S_G0 + rd_u8(&r) % 4;
                break;
            case 'F': v[i] = 1 + rd_u8(&r) % (FZ_F_COUNT - 1); break;
            case 'J': v[i] = rd_u8(&r); break;   /* fixed up below */
            default: break;
            }
        }
        if (code == OP_ASSERT)
            v[2] = FZ_S_LIT + 1;
        if (code == OP_CALL && v[0] < 0)
            v[0] = 0;
        if (code == OP_FOR_RANGE)
            v[1] %= FZ_NSLOTS - 2;
        if (code == OP_GC_SET_THRESHOLD && v[1] == 0) {
            v[1] = 1;
            if (v[0] >= FZ_NSLOTS)
                v[0] = FZ_NSLOTS - 1;
        }
        if (code == OP_GC_SET_DEBUG)
            EMIT(INT, v[0], rd_u8(&r) & 7, 0, 0);
        if (ops_emit(p, 0, code, v[0], v[1], v[2], v[3], 0) < 0)
            return -1;
        if (code == OP_GC_GET_OBJECTS)
            EMIT(LEN, v[0], v[0], 0, 0);
    }
#undef EMIT
    /* Jump targets anywhere in main, the end included: loops are bounded by FZ_STEP_BUDGET. */
    struct ops_func *m = &p->funcs[0];
    for (int pc = 0; pc < m->nops; pc++) {
        struct ops_op *op = &m->ops[pc];
        const char *k = ops_kinds(op->code);
        int32_t *v[4] = { &op->a, &op->b, &op->c, &op->d };
        for (int i = 0; i < 4; i++)
            if (k[i] == 'J')
                *v[i] = (int32_t)((uint32_t)*v[i] % (uint32_t)(m->nops + 1));
    }
    return 0;
}

/* Knob value byte v for knob spec (see fz.h): small values reach the paths a
 * default never does (a mark stack of 2 entries, a generation-0 threshold of
 * 1), scaled ones move the default either way; a number is clamped into the
 * knob's range (so the engine takes it). A WORD knob's value byte picks one of
 * its words (0: the default). */
static void knob_value(const struct gclab_param_spec *spec, uint8_t v, char *buf, size_t len)
{
    static const double fixed[16] = { -1, 0, 1, 2, 3, 4, 8, 16, 100, 1.25, 1.5, -1, -1, -1, -1, -1 };
    static const double scale[16] = { [11] = 0.5, [12] = 0.25, [13] = 1.0 / 16, [14] = 2, [15] = 4 };
    const char *dflt = spec->dflt ? spec->dflt : "";
    int k = v % 16;
    if (k != 0 && spec->type == GCLAB_PARAM_WORD && spec->words) {
        int nwords = 1;
        for (const char *c = spec->words; *c; c++)
            nwords += *c == '|';
        const char *w = spec->words;
        for (int i = (k - 1) % nwords; i > 0; i--)
            w = strchr(w, '|') + 1;
        size_t wl = strcspn(w, "|");
        snprintf(buf, len, "%.*s", (int)(wl < len ? wl : len - 1), w);
        return;
    }
    char *end;
    double d = strtod(dflt, &end);
    bool numeric = *dflt && *end == 0 && spec->type != GCLAB_PARAM_WORD;
    if (k == 0 || !numeric) {
        snprintf(buf, len, "%s", dflt);
        return;
    }
    double x = fixed[k] >= 0 ? fixed[k] : d * scale[k];
    bool integral = spec->type == GCLAB_PARAM_INT ||
                    (spec->type != GCLAB_PARAM_REAL && strchr(dflt, '.') == NULL && strchr(dflt, 'e') == NULL);
    if (integral && x < 1 && x > 0)
        x = 1;
    if (spec->type == GCLAB_PARAM_INT || spec->type == GCLAB_PARAM_REAL) {
        if (x < spec->min)
            x = spec->min;
        if (x > spec->max)
            x = spec->max;
    }
    if (integral)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%g", x);
}

int fz_params(const struct fz_input *in, const char *engine, struct gclab_kv *kv, char buf[][48])
{
    int n = 0;
    /* GCLAB_FUZZ_PARAMS first: heap_param takes the first match, so these win. */
    const char *env = getenv("GCLAB_FUZZ_PARAMS");
    static char envbuf[512];
    if (env && *env) {
        snprintf(envbuf, sizeof envbuf, "%s", env);
        for (char *tok = strtok(envbuf, ","); tok && n < FZ_MAX_PARAMS - FZ_MAX_KNOBS; tok = strtok(NULL, ",")) {
            char *eq = strchr(tok, '=');
            if (!eq) {
                fprintf(stderr, "gclab fuzz: GCLAB_FUZZ_PARAMS: '%s' is not key=value\n", tok);
                exit(2);
            }
            *eq = 0;
            kv[n++] = (struct gclab_kv){ tok, eq + 1 };
        }
    }
    const struct gclab_engine *e = gclab_engine_find(engine);
    int nspec = 0;
    while (e && e->params && e->params[nspec].name)
        nspec++;
    for (int i = 0; i < in->nknobs; i++) {
        int slot = in->knobs[i].index % FZ_KNOB_SLOTS;
        const char *key;
        if (slot == FZ_KNOB_VERIFY) {
            key = "verify";
            snprintf(buf[n], 48, "%d", in->knobs[i].value % 3);
        } else if (slot < nspec) {
            key = e->params[slot].name;
            knob_value(&e->params[slot], in->knobs[i].value, buf[n], 48);
        } else {
            continue;   /* no such knob on this engine */
        }
        kv[n] = (struct gclab_kv){ key, buf[n] };
        n++;
    }
    return n;
}

void fz_input_free(struct fz_input *in)
{
    ops_program_free(in->prog);
    in->prog = NULL;
}

/* Byte 0 names an engine through this table, modulo FZ_ENGINE_SLOTS. An
 * engine keeps its slot forever and a new engine takes the next free one, so
 * adding an engine never changes what a committed input runs on. Names not
 * (or not yet) registered, and slots past the table, are unassigned. */
static const char *const fz_engine_slots[] = {
    "nogc", "rc", "rcgen", "marksweep", "bdw",     /* 0-4 */
    "rcbr", "rcinc", "incms", "genms",             /* 5-8 */
};
#define FZ_NAMED_SLOTS ((int)(sizeof fz_engine_slots / sizeof fz_engine_slots[0]))

/* Every registered engine has a slot: one without would be out of reach of byte 0. */
static void check_slots(void)
{
    const char *name, *summary;
    for (int i = 0; gclab_engine_info(i, &name, &summary); i++) {
        int k = 0;
        while (k < FZ_NAMED_SLOTS && strcmp(fz_engine_slots[k], name) != 0)
            k++;
        if (k == FZ_NAMED_SLOTS) {
            fprintf(stderr, "gclab fuzz: engine %s has no fuzz byte: add it at the end of "
                            "fz_engine_slots in fuzz/decode.c\n", name);
            exit(2);
        }
    }
}

const char *fz_engine_slot(int byte, bool *assigned)
{
    static bool checked;
    if (!checked) {
        check_slots();
        checked = true;
    }
    int slot = (int)((unsigned)byte % FZ_ENGINE_SLOTS);
    if (slot < FZ_NAMED_SLOTS && gclab_engine_exists(fz_engine_slots[slot])) {
        *assigned = true;
        return fz_engine_slots[slot];
    }
    /* Unassigned: the registered engines in slot order, by slot number. Such
     * inputs move when an engine is added; none is committed to a corpus. */
    *assigned = false;
    int nreg = 0;
    for (int k = 0; k < FZ_NAMED_SLOTS; k++)
        nreg += gclab_engine_exists(fz_engine_slots[k]);
    int want = slot % nreg;
    for (int k = 0; k < FZ_NAMED_SLOTS; k++)
        if (gclab_engine_exists(fz_engine_slots[k]) && want-- == 0)
            return fz_engine_slots[k];
    return fz_engine_slots[0];
}

const char *fz_engine_name(const struct fz_input *in)
{
    const char *env = getenv("GCLAB_FUZZ_ENGINE");
    if (env && *env) {
        if (!gclab_engine_exists(env)) {
            fprintf(stderr, "gclab fuzz: GCLAB_FUZZ_ENGINE=%s: no such engine (gclab engines lists them)\n", env);
            exit(2);
        }
        return env;
    }
    bool assigned;
    return fz_engine_slot(in->engine_byte, &assigned);
}
