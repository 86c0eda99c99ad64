/* heap.c — a heap's life: creation with an engine and knobs, the allocation
 * path every object takes (zeal, heap limit, accounting), errors, and the
 * gc module's entry points, which dispatch to the engine's table.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Knobs core itself understands, for every engine. */
static const struct gclab_param_spec core_params[] = {
    GCLAB_PINT("zeal", "0", 0, 1e12, "force a full collection every N object allocations (0: off)"),
    GCLAB_PINT("verify", "0", 0, 2, "0 off, 1 cheap heap check after each collection and step, 2 full check (and between phases)"),
    GCLAB_PEND,
};

uint64_t gclab_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- errors ---------------------------------------------------------- */

static gclab_status set_error(gclab_heap *h, gclab_status s, const char *fmt, va_list ap)
{
    vsnprintf(h->err, sizeof h->err, fmt, ap);
    h->err_status = s;
    return s;
}

gclab_status heap_error(gclab_heap *h, gclab_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(h, s, fmt, ap);
    va_end(ap);
    return s;
}

gclab_status gclab_raise(gclab_heap *h, gclab_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(h, s, fmt, ap);
    va_end(ap);
    return s;
}

const char *gclab_error(const gclab_heap *h) { return h->err; }
gclab_status gclab_error_status(const gclab_heap *h) { return h->err_status; }
void gclab_error_clear(gclab_heap *h) { h->err_status = GCLAB_OK; h->err[0] = 0; }

const char *gclab_status_name(gclab_status s)
{
    switch (s) {
    case GCLAB_OK: return "OK";
    case GCLAB_ETYPE: return "TypeError";
    case GCLAB_EINDEX: return "IndexError";
    case GCLAB_EKEY: return "KeyError";
    case GCLAB_EATTR: return "AttributeError";
    case GCLAB_ENAME: return "NameError";
    case GCLAB_EVALUE: return "ValueError";
    case GCLAB_EZERODIV: return "ZeroDivisionError";
    case GCLAB_EOVERFLOW: return "OverflowError";
    case GCLAB_EMEMORY: return "MemoryError";
    case GCLAB_ERECURSION: return "RecursionError";
    case GCLAB_EUNSUPPORTED: return "RuntimeError";
    case GCLAB_EASSERT: return "AssertionError";
    case GCLAB_EUSAGE: return "UsageError";
    }
    return "Error";
}

/* ---- engines and knobs ---------------------------------------------- */

int gclab_engine_count(void)
{
    int n = 0;
    while (gclab_engine_at(n))
        n++;
    return n;
}

bool gclab_engine_info(int i, const char **name, const char **summary)
{
    const struct gclab_engine *e = gclab_engine_at(i);
    if (!e)
        return false;
    *name = e->name;
    *summary = e->summary;
    return true;
}

bool gclab_engine_exists(const char *engine) { return gclab_engine_find(engine) != NULL; }

const char *const *gclab_engine_params(const char *engine)
{
    /* Static table of names per engine, built on first use. */
    static const char *names[32];
    const struct gclab_engine *e = gclab_engine_find(engine);
    if (!e)
        return NULL;
    int n = 0;
    for (const struct gclab_param_spec *p = e->params; p && p->name && n < 31; p++)
        names[n++] = p->name;
    names[n] = NULL;
    return names;
}

static const struct gclab_param_spec *find_spec(const struct gclab_engine *e, const char *key)
{
    for (const struct gclab_param_spec *p = e->params; p && p->name; p++)
        if (strcmp(p->name, key) == 0)
            return p;
    for (const struct gclab_param_spec *p = core_params; p->name; p++)
        if (strcmp(p->name, key) == 0)
            return p;
    return NULL;
}

/* A decimal number as the CLI takes it: [-]digits[.digits][e[+-]digits]
 * (no hex, no inf or nan, no spaces); its value in *out. */
static bool parse_decimal(const char *s, double *out)
{
    const char *p = s;
    bool digits = false;
    if (!s)
        return false;
    if (*p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, digits = true;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits = true;
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    double v = strtod(s, NULL);
    if (v != v || v - v != 0)   /* nan or an overflow to inf */
        return false;
    *out = v;
    return true;
}

static bool parse_number(const char *s, double *out) { return parse_decimal(s, out); }

void gclab_param_describe(const struct gclab_param_spec *spec, char *buf, size_t n)
{
    if (spec->type == GCLAB_PARAM_WORD)
        snprintf(buf, n, "one of %s", spec->words ? spec->words : "");
    else if (spec->type == GCLAB_PARAM_INT)
        snprintf(buf, n, "an integer in %.0f..%.0f", spec->min, spec->max);
    else
        snprintf(buf, n, "a number in %g..%g", spec->min, spec->max);
}

static bool word_listed(const char *words, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = words; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && n > 0 && strncmp(p, w, n) == 0)
            return true;
        p = bar ? bar + 1 : p + len;
    }
    return false;
}

bool gclab_param_check(const struct gclab_param_spec *spec, const char *value, double *out,
                       char *err, size_t errlen)
{
    char range[160];
    double v = 0;
    const char *why = NULL;
    if (!value)
        value = "";
    gclab_param_describe(spec, range, sizeof range);
    if (spec->type == GCLAB_PARAM_WORD) {
        if (!word_listed(spec->words, value))
            why = *value ? "not a known word" : "empty value";
    } else if (spec->type == GCLAB_PARAM_INT || spec->type == GCLAB_PARAM_REAL) {
        if (!*value)
            why = "empty value";
        else if (!parse_decimal(value, &v))
            why = strspn(value, "0123456789") == strlen(value) ? "out of range" : "not a number";
        else if (spec->type == GCLAB_PARAM_INT && v != (double)(int64_t)v && v > -9.2e18 && v < 9.2e18)
            why = "not an integer";
        else if (v < spec->min || v > spec->max)
            why = "out of range";
    } else {
        why = "parameter without a type (a table in the source is wrong)";
    }
    if (why) {
        snprintf(err, errlen, "parameter %s=%s: %s (%s takes %s)", spec->name, value, why, spec->name, range);
        return false;
    }
    if (out)
        *out = v;
    return true;
}

bool gclab_parse_int(const char *s, double min, double max, uint64_t *out)
{
    double v;
    if (!s || !parse_decimal(s, &v) || v < min || v > max || v < 0 || v >= 1.8e19 ||
        v != (double)(uint64_t)v)
        return false;
    *out = (uint64_t)v;
    return true;
}

const struct gclab_param_spec *gclab_engine_param_at(const char *engine, int i)
{
    const struct gclab_engine *e = gclab_engine_find(engine ? engine : "");
    if (!e || i < 0)
        return NULL;
    for (const struct gclab_param_spec *p = e->params; p && p->name; p++, i--)
        if (i == 0)
            return p;
    for (const struct gclab_param_spec *p = core_params; p->name; p++, i--)
        if (i == 0)
            return p;
    return NULL;
}

bool gclab_param_valid(const char *engine, const char *key, const char *value, char *err, size_t errlen)
{
    const struct gclab_engine *e = gclab_engine_find(engine);
    if (!e) {
        snprintf(err, errlen, "unknown engine '%s'", engine);
        return false;
    }
    const struct gclab_param_spec *spec = find_spec(e, key);
    if (!spec) {
        int n = snprintf(err, errlen, "engine '%s' has no parameter '%s' (it takes:", engine, key);
        for (const struct gclab_param_spec *p = e->params; p && p->name; p++)
            if (n > 0 && (size_t)n < errlen)
                n += snprintf(err + n, errlen - (size_t)n, " %s", p->name);
        for (const struct gclab_param_spec *p = core_params; p->name; p++)
            if (n > 0 && (size_t)n < errlen)
                n += snprintf(err + n, errlen - (size_t)n, " %s", p->name);
        if (n > 0 && (size_t)n < errlen)
            snprintf(err + n, errlen - (size_t)n, ")");
        return false;
    }
    return gclab_param_check(spec, value, NULL, err, errlen);
}

const char *heap_param(gclab_heap *h, const char *name)
{
    for (size_t i = 0; i < h->nparams; i++)
        if (strcmp(h->params[i].key, name) == 0)
            return h->params[i].value;
    const struct gclab_param_spec *p = find_spec(h->eng, name);
    return p ? p->dflt : NULL;
}

double heap_param_double(gclab_heap *h, const char *name, bool *ok)
{
    double v = 0;
    bool good = parse_number(heap_param(h, name), &v);
    if (ok)
        *ok = good;
    return v;
}

/* ---- stores on an engine with refcount hooks (core.h) ---------------- */

void store_hooked(gclab_heap *h, gclab_obj **loc, gclab_obj *v)
{
    gclab_obj *old = *loc;
    if (v)
        obj_incref(h, v);
    *loc = v;
    if (old)
        obj_decref(h, old);
}

void release_hooked(gclab_heap *h, gclab_obj *o) { obj_decref(h, o); }

/* ---- lifecycle ------------------------------------------------------ */

gclab_heap *gclab_heap_new(const char *engine, const struct gclab_config *cfg, char *err, size_t errlen)
{
    const struct gclab_engine *e = gclab_engine_find(engine ? engine : "");
    if (!e) {
        int n = snprintf(err, errlen, "unknown engine '%s'; known engines:", engine ? engine : "");
        const char *name, *summary;
        for (int i = 0; gclab_engine_info(i, &name, &summary); i++)
            if (n > 0 && (size_t)n < errlen)
                n += snprintf(err + n, errlen - (size_t)n, " %s", name);
        return NULL;
    }
    return core_heap_new_engine(e, cfg, err, errlen);
}

gclab_heap *core_heap_new_engine(const struct gclab_engine *e, const struct gclab_config *cfg,
                                 char *err, size_t errlen)
{
    static const struct gclab_config dflt;
    if (!cfg)
        cfg = &dflt;
    if (!GCLAB_HOOKS && (e->on_incref || e->on_decref_live || e->barrier_pre || e->barrier_post)) {
        snprintf(err, errlen, "engine %s has hooks; this build (GCLAB_NO_HOOKS) has them compiled out",
                 e->name);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nparams; i++)
        if (!gclab_param_valid(e->name, cfg->params[i].key, cfg->params[i].value, err, errlen))
            return NULL;

    gclab_heap *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    static uint64_t next_id;
    h->id = ++next_id;
    h->eng = e;
    h->refcounts = !e->caps.refcounts ? 0 : (e->on_incref || e->on_decref_live) ? -1 : 1;
    h->hot.release = e->release;
    h->hot.on_incref = e->on_incref;
    h->hot.on_decref_live = e->on_decref_live;
    h->hot.barrier_pre = e->barrier_pre;
    h->hot.barrier_post = e->barrier_post;
    h->hot.barriers = e->barrier_pre || e->barrier_post;
    h->hot.store_mode = h->hot.barriers || h->refcounts < 0 ? STORE_SLOW
                        : h->refcounts                      ? STORE_RC
                                                            : STORE_PLAIN;
    h->hot.gc_enabled = true;
    h->heap_limit = cfg->heap_limit;
    h->heap_size = cfg->heap_size;
    if (cfg->heap_size && (!h->heap_limit || cfg->heap_size < h->heap_limit))
        h->heap_limit = cfg->heap_size;
    h->max_depth = cfg->max_depth ? (int)cfg->max_depth : 10000;
    h->alloc = alloc_new(cfg->alloc == GCLAB_ALLOC_MALLOC ? ALLOC_MALLOC : ALLOC_POOL);
    h->params = calloc(cfg->nparams + 1, sizeof *h->params);
    if (!h->alloc || !h->params) {
        snprintf(err, errlen, "out of memory");
        gclab_heap_free(h);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nparams; i++) {
        h->params[i].key = strdup(cfg->params[i].key);
        h->params[i].value = strdup(cfg->params[i].value);
    }
    h->nparams = cfg->nparams;
    h->zeal = (uint64_t)heap_param_double(h, "zeal", NULL);
    h->verify_level = (int)heap_param_double(h, "verify", NULL);
    immortals_init(h);
    if (e->init(h) != GCLAB_OK) {
        snprintf(err, errlen, "engine %s: %s", e->name, h->err);
        h->eng = NULL;
        gclab_heap_free(h);
        return NULL;
    }
    if (roots_ready(h) != GCLAB_OK) {
        snprintf(err, errlen, "%s", h->err);
        if (h->err_status == GCLAB_EMEMORY && h->heap_limit) {
            /* Too small to start: say how much a start takes, measured on
             * the same engine and knobs without a limit. */
            struct gclab_config free_cfg = *cfg;
            free_cfg.heap_limit = free_cfg.heap_size = 0;
            char e2[64];
            gclab_heap *probe = core_heap_new_engine(e, &free_cfg, e2, sizeof e2);
            if (probe)
                snprintf(err, errlen, "a heap limit of %zu bytes is too small to start: %s needs %llu "
                         "live bytes before the program runs (--heap-limit 0 means no limit)",
                         h->heap_limit, e->name, (unsigned long long)probe->st.live_bytes);
            gclab_heap_free(probe);
        }
        gclab_heap_free(h);
        return NULL;
    }
    return h;
}

void gclab_heap_free(gclab_heap *h)
{
    if (!h)
        return;
    if (h->eng && h->eng->fini)
        h->eng->fini(h);
    roots_free(h);
    if (h->alloc)
        alloc_destroy(h->alloc);
    immortals_free(h);
    stats_free(h);
    for (size_t i = 0; i < h->nparams; i++) {
        free((void *)h->params[i].key);
        free((void *)h->params[i].value);
    }
    free(h->params);
    free(h);
}

uint64_t gclab_heap_id(const gclab_heap *h) { return h->id; }
const char *gclab_heap_engine(const gclab_heap *h) { return h->eng->name; }
int gclab_generations(const gclab_heap *h) { return h->eng->caps.generations; }
bool gclab_has_refcounts(const gclab_heap *h) { return h->eng->caps.refcounts; }
bool gclab_collects_cycles(const gclab_heap *h) { return h->eng->caps.collects_cycles; }
bool gclab_is_precise(const gclab_heap *h) { return h->eng->caps.precise; }

const struct gclab_engine_caps *gclab_engine_facts(const char *engine)
{
    const struct gclab_engine *e = engine ? gclab_engine_find(engine) : NULL;
    return e ? &e->caps : NULL;
}

const struct gclab_engine_caps *gclab_heap_facts(const gclab_heap *h) { return &h->eng->caps; }

const char *gclab_frees_name(enum gclab_frees f)
{
    switch (f) {
    case GCLAB_FREES_NEVER: return "never";
    case GCLAB_FREES_PROMPT: return "prompt";
    case GCLAB_FREES_LATE: return "late";
    }
    return "?";
}

const char *gclab_weakref_callbacks_name(enum gclab_weakref_callbacks r)
{
    switch (r) {
    case GCLAB_WRCB_NONE: return "none";
    case GCLAB_WRCB_CPYTHON: return "cpython";
    case GCLAB_WRCB_ANY: return "any";
    }
    return "?";
}

/* ---- what engines may ask of the heap (engine.h) --------------------- */

uint64_t core_live_bytes(const gclab_heap *h) { return h->st.live_bytes; }
uint64_t core_live_objects(const gclab_heap *h) { return h->st.live_objects; }
uint64_t core_alloc_bytes(const gclab_heap *h) { return h->st.alloc_bytes; }
size_t core_heap_limit(const gclab_heap *h) { return h->heap_limit; }
size_t core_heap_size(const gclab_heap *h) { return h->heap_size; }
alloc_t *core_allocator(gclab_heap *h) { return h->alloc; }
int core_verify_level(const gclab_heap *h) { return h->verify_level; }
int core_debug_flags(const gclab_heap *h) { return h->debug_flags; }

void core_note_heap_bytes(gclab_heap *h, uint64_t bytes)
{
    if (bytes > h->st.peak_heap_bytes)
        h->st.peak_heap_bytes = bytes;
}

/* ---- the allocation path -------------------------------------------- */

bool core_within_limit(gclab_heap *h, size_t n)
{
    return h->heap_limit == 0 || h->st.live_bytes + n <= h->heap_limit;
}

gclab_obj *core_alloc_object(gclab_heap *h, size_t bytes)
{
    if (!core_within_limit(h, bytes))
        return NULL;
    return alloc_calloc(h->alloc, bytes);
}

void core_free_object_memory(gclab_heap *h, gclab_obj *o)
{
    alloc_free(h->alloc, o, o->size);
}

gclab_obj *core_new_object(gclab_heap *h, int kind, size_t bytes)
{
    /* Zeal: a full collection every N allocations, on every engine alike,
     * before the engine's own trigger so both see the same heap. */
    if (h->zeal && ++h->zeal_count >= h->zeal && !h->hot.collecting && h->eng->collect) {
        h->zeal_count = 0;
        h->eng->collect(h, h->eng->caps.generations - 1);
    }
    gclab_obj *o = h->eng->alloc(h, bytes, kind);
    if (!o) {
        /* The limit, or the C allocator itself (malloc or libgc refused). */
        if (h->heap_limit && !core_within_limit(h, bytes))
            heap_error(h, GCLAB_EMEMORY, "heap limit reached (%zu bytes)", h->heap_limit);
        else
            heap_error(h, GCLAB_EMEMORY, "out of memory: the system refused %zu bytes (%llu bytes live)",
                       bytes, (unsigned long long)h->st.live_bytes);
        return NULL;
    }
    o->kind = (uint8_t)kind;
    o->size = (uint32_t)bytes;
    stats_count_alloc(h, bytes, true);
    if (h->sample_every && ++h->sample_count >= h->sample_every) {
        h->sample_count = 0;
        h->sample_fn(h, h->sample_ctx, false, 0);
    }
    return o;
}

void *core_mem_alloc(gclab_heap *h, gclab_obj *owner, size_t n)
{
    void *p;
    if (!core_within_limit(h, n)) {
        heap_error(h, GCLAB_EMEMORY, "heap limit reached (%zu bytes)", h->heap_limit);
        return NULL;
    }
    p = h->eng->mem_alloc ? h->eng->mem_alloc(h, owner, n) : alloc_calloc(h->alloc, n);
    if (!p) {
        heap_error(h, GCLAB_EMEMORY, "out of memory: the system refused %zu bytes (%llu bytes live)", n,
                   (unsigned long long)h->st.live_bytes);
        return NULL;
    }
    owner->storage += n;
    stats_count_alloc(h, n, false);
    return p;
}

void core_mem_free(gclab_heap *h, gclab_obj *owner, void *p, size_t n)
{
    if (!p)
        return;
    owner->storage -= n;
    stats_count_free(h, n, false);
    if (h->eng->mem_free)
        h->eng->mem_free(h, owner, p, n);
    else if (!h->eng->mem_alloc)
        alloc_free(h->alloc, p, n);
}

void core_obj_dead(gclab_heap *h, gclab_obj *o)
{
    stats_count_free(h, o->size, true);
}

void core_count_swept(gclab_heap *h, uint64_t objects, uint64_t bytes)
{
    struct gclab_stats *s = &h->st;
    GCLAB_ASSERT(s->live_objects >= objects && s->live_bytes >= bytes);
    s->freed += objects;
    s->live_objects -= objects;
    s->freed_bytes += bytes;
    s->live_bytes -= bytes;
}

/* ---- the gc module -------------------------------------------------- */

gclab_status gclab_gc_collect(gclab_heap *h, int gen, int64_t *found)
{
    *found = 0;
    if (gen < 0 || gen >= GCLAB_MAX_GENS)
        return heap_error(h, GCLAB_EVALUE, "invalid generation");
    if (!h->eng->collect || h->hot.collecting)
        return GCLAB_OK;
    if (gen >= h->eng->caps.generations)
        gen = h->eng->caps.generations - 1;
    int64_t n = h->eng->collect(h, gen);
    if (n < 0)
        return h->err_status ? h->err_status : heap_error(h, GCLAB_EUNSUPPORTED, "collection failed");
    *found = n;
    return GCLAB_OK;
}

void gclab_gc_enable(gclab_heap *h) { h->hot.gc_enabled = true; }
void gclab_gc_disable(gclab_heap *h) { h->hot.gc_enabled = false; }
bool gclab_gc_isenabled(const gclab_heap *h) { return h->hot.gc_enabled; }
gclab_status gclab_gc_set_debug(gclab_heap *h, int flags)
{
    if ((flags & GCLAB_DEBUG_SAVEALL) && !h->eng->caps.debug_saveall)
        return heap_error(h, GCLAB_EUNSUPPORTED, "gc.set_debug(DEBUG_SAVEALL): engine %s does not "
                          "keep unreachable objects in gc.garbage", h->eng->name);
    h->debug_flags = flags;
    return GCLAB_OK;
}

int gclab_gc_get_threshold(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    return h->eng->get_threshold ? h->eng->get_threshold(h, out) : 0;
}

gclab_status gclab_gc_set_threshold(gclab_heap *h, int n, const int64_t *v)
{
    if (!h->eng->set_threshold)
        return heap_error(h, GCLAB_EUNSUPPORTED, "engine %s has no thresholds", h->eng->name);
    return h->eng->set_threshold(h, n, v);
}

int gclab_gc_get_count(gclab_heap *h, int64_t out[GCLAB_MAX_GENS])
{
    return h->eng->get_count ? h->eng->get_count(h, out) : 0;
}

int gclab_gc_get_stats(gclab_heap *h, struct gclab_gen_stats out[GCLAB_MAX_GENS])
{
    int n = h->eng->caps.generations;
    memcpy(out, h->gen_stats, sizeof h->gen_stats);
    return n;
}

struct objects_ctx { gclab_heap *h; gclab_obj *list; gclab_status st; };

static void objects_add(gclab_obj *o, void *vctx)
{
    struct objects_ctx *c = vctx;
    if (o != c->list && c->st == GCLAB_OK)
        c->st = list_append_obj(c->h, c->list, o);
}

gclab_status gclab_gc_get_objects(gclab_heap *h, int dst, int gen)
{
    gclab_obj **d = slot_addr(h, dst);
    if (!d)
        return h->err_status;
    if (gen < -1 || gen >= GCLAB_MAX_GENS)
        return heap_error(h, GCLAB_EVALUE, "generation parameter must be less than the number of available generations (%d)", GCLAB_MAX_GENS);
    if (!h->eng->foreach_tracked)
        return heap_error(h, GCLAB_EUNSUPPORTED, "engine %s tracks no objects", h->eng->name);
    gclab_obj *l = list_new_obj(h);
    if (!l)
        return h->err_status;
    store(h, d, l);
    struct objects_ctx c = { h, l, GCLAB_OK };
    h->eng->foreach_tracked(h, gen, objects_add, &c);
    return c.st;
}

static gclab_status freeze_to(gclab_heap *h, int on)
{
    if (!h->eng->caps.freeze || !h->eng->freeze)
        return heap_error(h, GCLAB_EUNSUPPORTED, "gc.%s(): engine %s has no permanent generation",
                          on ? "freeze" : "unfreeze", h->eng->name);
    return h->eng->freeze(h, on);
}

gclab_status gclab_gc_freeze(gclab_heap *h) { return freeze_to(h, 1); }
gclab_status gclab_gc_unfreeze(gclab_heap *h) { return freeze_to(h, 0); }

gclab_status gclab_gc_get_freeze_count(gclab_heap *h, int64_t *out)
{
    *out = h->eng->freeze_count ? h->eng->freeze_count(h) : 0;
    return GCLAB_OK;
}

gclab_status gclab_gc_tracked_heap_size(gclab_heap *h, int64_t *out)
{
    if (!h->eng->tracked_heap_size)
        return heap_error(h, GCLAB_EUNSUPPORTED, "engine %s keeps no tracked heap size", h->eng->name);
    *out = h->eng->tracked_heap_size(h);
    return GCLAB_OK;
}

void gclab_safepoint(gclab_heap *h)
{
    if (h->eng->safepoint && !h->hot.collecting)
        h->eng->safepoint(h);
}

/* Load one of core's root lists (gc.garbage, gc.callbacks) into slot dst. */
static gclab_status load_root(gclab_heap *h, int dst, gclab_obj *const *root)
{
    gclab_obj **d = slot_addr(h, dst);
    if (!d || roots_ready(h) != GCLAB_OK)
        return h->err_status;
    store(h, d, *root);
    return GCLAB_OK;
}

gclab_status gclab_gc_garbage(gclab_heap *h, int dst) { return load_root(h, dst, &h->garbage); }
gclab_status gclab_gc_callbacks(gclab_heap *h, int dst) { return load_root(h, dst, &h->callbacks); }

gclab_status gclab_getrefcount(gclab_heap *h, int slot, int64_t *out)
{
    gclab_obj *o = slot_get(h, slot);
    if (!o)
        return h->err_status;
    if (!h->refcounts)
        return heap_error(h, GCLAB_EUNSUPPORTED, "sys.getrefcount: engine %s has no refcounts", h->eng->name);
    /* CPython counts the argument's own reference on the call stack. */
    *out = (int64_t)o->refcnt + 1;
    return GCLAB_OK;
}
