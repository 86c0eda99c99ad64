/* test_barrier.c — the write barrier (engine.h's barrier_pre/barrier_post):
 * a recorder installed in the heap's hot words sees exactly the stores
 * engine.h says are reported — which owner, which field, the old and the new
 * value, pre before post — on a tracing heap (nogc) and a refcount heap (rc,
 * where the old value is released only after barrier_post). Then the store
 * that once went unreported (a class's attribute dict made on the first class
 * attribute) is checked on incms while marking: the dict survives. */
#include "engine.h"
#include "t.h"

struct ev { char form; gclab_obj *owner, **field, *old, *nw; intptr_t old_refcnt; };
static struct ev evs[64];
static int nev;

static void rec(char form, gclab_obj *owner, gclab_obj **field, gclab_obj *old, gclab_obj *nw)
{
    if (nev < 64)
        evs[nev] = (struct ev){ form, owner, field, old, nw, old ? old->refcnt : 0 };
    nev++;
}
static void rec_pre(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old, gclab_obj *nw)
{
    (void)h;
    if (*field != old)   /* pre runs before the store */
        rec('!', owner, field, old, nw);
    rec('<', owner, field, old, nw);
}
static void rec_post(gclab_heap *h, gclab_obj *owner, gclab_obj **field, gclab_obj *old, gclab_obj *nw)
{
    (void)h;
    if (*field != nw)    /* post runs after it */
        rec('!', owner, field, old, nw);
    rec('>', owner, field, old, nw);
}

static void install(gclab_heap *h)
{
    core_hot_(h)->barrier_pre = rec_pre;
    core_hot_(h)->barrier_post = rec_post;
    core_hot_(h)->barriers = true;
    core_hot_(h)->store_mode = 2;   /* core.h STORE_SLOW */
    nev = 0;
}

static gclab_heap *heap(const char *engine)
{
    char err[256];
    struct gclab_config cfg = { 0 };
    gclab_heap *h = gclab_heap_new(engine, &cfg, err, sizeof err);
    if (!h)
        printf("heap: %s\n", err);
    return h;
}

static gclab_obj *obj_at(gclab_heap *h, int slot)
{
    uint64_t id = 0;
    gclab_id(h, slot, &id);
    return (gclab_obj *)(uintptr_t)id;
}

/* Event i is a pre/post pair's `form` half with these owner, old and new. */
#define T_EV(t, i, f, own, o, n)                                           \
    do {                                                                   \
        T_CHECK(t, (i) < nev);                                             \
        T_EQ(t, evs[i].form, f);                                           \
        T_CHECK(t, evs[i].owner == (own));                                 \
        T_CHECK(t, evs[i].old == (o));                                     \
        T_CHECK(t, evs[i].nw == (n));                                      \
    } while (0)
/* Events i, i+1 are one store reported pre then post, on the same field. */
#define T_STORE(t, i, own, o, n)                                           \
    do {                                                                   \
        T_EV(t, i, '<', own, o, n);                                        \
        T_EV(t, (i) + 1, '>', own, o, n);                                  \
        T_CHECK(t, evs[i].field == evs[(i) + 1].field);                    \
    } while (0)

static void containers_on(struct t *t, const char *engine)
{
    gclab_heap *h = heap(engine);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    install(h);

    /* slot stores: owner NULL */
    T_EQ(t, gclab_list_new(h, 0), GCLAB_OK);
    gclab_obj *l = obj_at(h, 0);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, NULL, NULL, l);
    T_EQ(t, gclab_int_new(h, 1, 1000), GCLAB_OK);
    gclab_obj *a = obj_at(h, 1);
    T_EQ(t, gclab_int_new(h, 2, 2000), GCLAB_OK);
    gclab_obj *b = obj_at(h, 2);
    T_EQ(t, nev, 6);

    /* list append, set, pop, del: owner the list */
    nev = 0;
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, l, NULL, a);
    T_CHECK(t, evs[0].field == &AS(obj_list, l)->items[0]);
    T_EQ(t, gclab_list_append(h, 0, 2), GCLAB_OK);
    nev = 0;
    T_EQ(t, gclab_list_set(h, 0, 0, 2), GCLAB_OK);   /* l = [b, b] */
    T_EQ(t, nev, 2);
    T_STORE(t, 0, l, a, b);
    if (gclab_has_refcounts(h))
        T_EQ(t, evs[1].old_refcnt, 2);   /* slot 1 and the list: released only after post */
    nev = 0;
    T_EQ(t, gclab_list_pop(h, 3, 0, 0), GCLAB_OK);   /* a deletion, then the slot store */
    T_EQ(t, nev, 4);
    T_STORE(t, 0, l, b, NULL);
    T_STORE(t, 2, NULL, NULL, b);
    nev = 0;
    T_EQ(t, gclab_list_del(h, 0, 0), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, l, b, NULL);

    /* dict set (key, value), overwrite (value), del (key then value) */
    T_EQ(t, gclab_dict_new(h, 3), GCLAB_OK);
    gclab_obj *d = obj_at(h, 3);
    nev = 0;
    T_EQ(t, gclab_dict_set(h, 3, 1, 2), GCLAB_OK);
    T_EQ(t, nev, 4);
    T_STORE(t, 0, d, NULL, a);
    T_STORE(t, 2, d, NULL, b);
    nev = 0;
    T_EQ(t, gclab_dict_set(h, 3, 1, 1), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, d, b, a);
    nev = 0;
    T_EQ(t, gclab_dict_del(h, 3, 1), GCLAB_OK);
    T_EQ(t, nev, 4);
    T_STORE(t, 0, d, a, NULL);
    T_STORE(t, 2, d, a, NULL);

    /* globals: entries of the globals dict (an object, owner non-NULL) */
    gclab_name g = gclab_intern(h, "g");
    nev = 0;
    T_EQ(t, gclab_global_set(h, g, 2), GCLAB_OK);
    T_CHECK(t, nev >= 4);   /* first use: core's root word gets the globals dict (owner NULL) */
    T_EV(t, nev - 2, '<', evs[nev - 2].owner, NULL, b);
    T_CHECK(t, evs[nev - 2].owner != NULL);
    gclab_obj *globals = evs[nev - 2].owner;
    T_EQ(t, globals->kind, GCLAB_K_DICT);
    nev = 0;
    T_EQ(t, gclab_global_del(h, g), GCLAB_OK);
    T_EQ(t, nev, 4);
    T_STORE(t, 0, globals, (gclab_obj *)g, NULL);
    T_STORE(t, 2, globals, b, NULL);

    /* slot clear, and a frame pop: deletions of every non-empty slot, top-down */
    nev = 0;
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, NULL, b, NULL);
    nev = 0;
    T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
    T_EQ(t, nev, 6);
    T_STORE(t, 0, NULL, d, NULL);
    T_STORE(t, 2, NULL, a, NULL);
    T_STORE(t, 4, NULL, l, NULL);
    T_CHECK(t, evs[0].field > evs[2].field && evs[2].field > evs[4].field);
    gclab_heap_free(h);
}

static void test_barrier_containers_and_slots_nogc(struct t *t) { containers_on(t, "nogc"); }
static void test_barrier_containers_and_slots_rc(struct t *t) { containers_on(t, "rc"); }

static gclab_status noop(gclab_heap *h, void *ctx, int64_t code)
{
    (void)h, (void)ctx, (void)code;
    return GCLAB_OK;
}

/* Instances, classes, weakrefs: attribute set/del, the class's attribute
 * dict, and a weakref's callback dropped when its target dies (rc). */
static void test_barrier_instances_classes_weakrefs(struct t *t)
{
    gclab_heap *h = heap("rc");
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 6), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_instance_new(h, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 2, 1000), GCLAB_OK);
    T_EQ(t, gclab_func_new(h, 3, "cb", noop, NULL, 0, 1, 1), GCLAB_OK);
    gclab_obj *c = obj_at(h, 0), *in = obj_at(h, 1), *v = obj_at(h, 2), *f = obj_at(h, 3);
    install(h);
    gclab_name x = gclab_intern(h, "x");
    T_EQ(t, gclab_attr_set(h, 1, x, 2), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, in, NULL, v);
    nev = 0;
    T_EQ(t, gclab_attr_del(h, 1, x), GCLAB_OK);
    T_EQ(t, nev, 2);
    T_STORE(t, 0, in, v, NULL);

    /* the first class attribute: the new dict stored into the class, then the entry */
    nev = 0;
    T_EQ(t, gclab_attr_set(h, 0, x, 2), GCLAB_OK);
    T_EQ(t, nev, 6);
    T_EV(t, 0, '<', c, NULL, evs[0].nw);
    T_CHECK(t, evs[0].nw && evs[0].nw->kind == GCLAB_K_DICT);
    T_CHECK(t, evs[0].field == &AS(obj_class, c)->dict);
    gclab_obj *cd = evs[0].nw;
    T_STORE(t, 0, c, NULL, cd);
    T_STORE(t, 2, cd, NULL, (gclab_obj *)x);
    T_STORE(t, 4, cd, NULL, v);

    /* a weakref with a callback; its target dies: the callback is a deletion */
    T_EQ(t, gclab_weakref_new(h, 4, 1, 3), GCLAB_OK);
    gclab_obj *w = obj_at(h, 4);
    nev = 0;
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);   /* the instance dies (rc) */
    int i = 0;
    while (i < nev && !(evs[i].owner == w))
        i++;
    T_CHECK(t, i + 1 < nev);
    T_STORE(t, i, w, f, NULL);
    T_CHECK(t, evs[i].field == &AS(obj_weakref, w)->callback);
    for (int k = 0; k < nev; k++)
        T_CHECK(t, evs[k].form != '!');
    gclab_heap_free(h);
}

/* Test access to the engine's phase (engines/incms.c). */
bool incms_run_until(gclab_heap *h, const char *phase);
const char *incms_colour(gclab_heap *h, gclab_obj *o);

/* A class blackened during marking gets its attribute dict (a new, white
 * object) on its first class attribute: the store of the dict into the class
 * is a field store the barrier sees, so the dict survives the cycle (it was
 * once stored unreported, and freed by the sweep). */
static void test_barrier_class_dict_survives_incms_marking(struct t *t)
{
    char err[256];
    struct gclab_kv kv[] = { { "min_heap", "100000000000" }, { "verify", "2" } };
    struct gclab_config cfg = { .nparams = 2, .params = kv };
    gclab_heap *h = gclab_heap_new("incms", &cfg, err, sizeof err);
    T_CHECK(t, h);
    T_EQ(t, gclab_frame_push(h, 4), GCLAB_OK);
    T_EQ(t, gclab_class_new(h, 0, "C", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_list_new(h, 1), GCLAB_OK);
    T_EQ(t, gclab_list_append(h, 1, 0), GCLAB_OK);   /* the list holds the class */
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "propagate"));
    T_CHECK(t, incms_run_until(h, "atomic"));        /* everything black, barrier on */
    T_EQ(t, gclab_list_get(h, 0, 1, 0), GCLAB_OK);
    T_STREQ(t, incms_colour(h, obj_at(h, 0)), "black");
    T_EQ(t, gclab_int_new(h, 2, 1000), GCLAB_OK);
    T_EQ(t, gclab_attr_set(h, 0, gclab_intern(h, "x"), 2), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 0), GCLAB_OK);
    T_EQ(t, gclab_clear(h, 2), GCLAB_OK);
    T_CHECK(t, incms_run_until(h, "pause"));         /* atomic, sweep: the cycle ends */
    T_EQ(t, gclab_list_get(h, 0, 1, 0), GCLAB_OK);
    T_EQ(t, gclab_attr_get(h, 3, 0, gclab_intern(h, "x")), GCLAB_OK);
    int64_t iv = 0;
    T_EQ(t, gclab_int_value(h, 3, &iv), GCLAB_OK);
    T_EQ(t, iv, 1000);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_barrier_containers_and_slots_nogc);
    T_RUN(test_barrier_containers_and_slots_rc);
    T_RUN(test_barrier_instances_classes_weakrefs);
    T_RUN(test_barrier_class_dict_survives_incms_marking);
    return t_done();
}
