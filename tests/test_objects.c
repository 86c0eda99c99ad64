/* test_objects.c — the object kinds of the mutator API and their errors,
 * on the `rc` engine (so every count below is exact: nothing is collected
 * late). */
#include "gclab.h"
#include "t.h"

static gclab_heap *heap(const char *engine)
{
    char err[256];
    gclab_heap *h = gclab_heap_new(engine, NULL, err, sizeof err);
    if (!h)
        fprintf(stderr, "heap: %s\n", err);
    return h;
}

static struct gclab_stats stats(gclab_heap *h)
{
    struct gclab_stats s;
    gclab_heap_stats(h, &s);
    return s;
}

/* Small ints -5..256 are shared (`a = 256; b = 256; a is b`), 257 is not. */
static void test_small_ints_are_shared_and_large_ints_are_not(struct t *t)
{
    gclab_heap *h = heap("rc");
    bool same;
    gclab_frame_push(h, 4);
    T_EQ(t, gclab_int_new(h, 0, 256), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 1, 256), GCLAB_OK);
    T_EQ(t, gclab_is(h, 0, 1, &same), GCLAB_OK);
    T_CHECK(t, same);
    T_EQ(t, gclab_int_new(h, 2, -5), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 3, -5), GCLAB_OK);
    gclab_is(h, 2, 3, &same);
    T_CHECK(t, same);
    uint64_t before = stats(h).allocs;
    T_EQ(t, gclab_int_new(h, 0, 257), GCLAB_OK);
    T_EQ(t, gclab_int_new(h, 1, 257), GCLAB_OK);
    gclab_is(h, 0, 1, &same);
    T_CHECK(t, !same);
    gclab_equal(h, 0, 1, &same);
    T_CHECK(t, same);
    T_EQ(t, stats(h).allocs - before, 2);   /* only the two 257s were allocated */
    gclab_heap_free(h);
}

/* gclab_int_replace (FOR_RANGE's counter): an int only its slot holds takes
 * the new value in place (same object, nothing allocated or freed); a shared
 * int, a small-int value or an engine without counts gets a new int, as
 * gclab_int_new. */
static void test_int_replace_is_in_place_only_when_unshared(struct t *t)
{
    gclab_heap *h = heap("rc");
    bool same;
    int64_t v;
    uint64_t id0, id1;
    gclab_frame_push(h, 3);
    T_EQ(t, gclab_int_new(h, 0, 1000), GCLAB_OK);
    gclab_id(h, 0, &id0);
    struct gclab_stats before = stats(h);
    T_EQ(t, gclab_int_replace(h, 0, 1001), GCLAB_OK);   /* only slot 0 holds it */
    gclab_id(h, 0, &id1);
    T_EQ(t, id1, id0);
    T_EQ(t, gclab_int_value(h, 0, &v), GCLAB_OK);
    T_EQ(t, v, 1001);
    T_EQ(t, stats(h).allocs - before.allocs, 0);
    T_EQ(t, stats(h).freed - before.freed, 0);
    T_EQ(t, gclab_move(h, 1, 0), GCLAB_OK);             /* now shared: a new int */
    T_EQ(t, gclab_int_replace(h, 0, 1002), GCLAB_OK);
    gclab_is(h, 0, 1, &same);
    T_CHECK(t, !same);
    gclab_int_value(h, 1, &v);
    T_EQ(t, v, 1001);
    gclab_int_value(h, 0, &v);
    T_EQ(t, v, 1002);
    T_EQ(t, stats(h).allocs - before.allocs, 1);
    T_EQ(t, gclab_int_replace(h, 0, 7), GCLAB_OK);      /* small: the cached 7 */
    T_EQ(t, gclab_int_new(h, 2, 7), GCLAB_OK);
    gclab_is(h, 0, 2, &same);
    T_CHECK(t, same);
    T_EQ(t, stats(h).freed - before.freed, 1);          /* the 1002 */
    gclab_heap_free(h);

    h = heap("marksweep");                               /* no counts: always a new int */
    gclab_frame_push(h, 1);
    T_EQ(t, gclab_int_new(h, 0, 1000), GCLAB_OK);
    gclab_id(h, 0, &id0);
    before = stats(h);
    T_EQ(t, gclab_int_replace(h, 0, 1001), GCLAB_OK);
    gclab_id(h, 0, &id1);
    T_CHECK(t, id1 != id0);
    T_EQ(t, stats(h).allocs - before.allocs, 1);
    gclab_heap_free(h);
}

/* Strings from literals are interned: the same object, never counted as heap. */
static void test_interned_strings_are_one_object(struct t *t)
{
    gclab_heap *h = heap("rc");
    bool same;
    gclab_frame_push(h, 3);
    uint64_t before = stats(h).allocs;
    gclab_str_intern(h, 0, "hello");
    gclab_str_intern(h, 1, "hello");
    gclab_is(h, 0, 1, &same);
    T_CHECK(t, same);
    T_EQ(t, stats(h).allocs, before);
    T_EQ(t, gclab_str_new(h, 2, "hello", 5), GCLAB_OK);
    gclab_is(h, 0, 2, &same);
    T_CHECK(t, !same);
    gclab_equal(h, 0, 2, &same);
    T_CHECK(t, same);
    const char *s;
    size_t n;
    T_EQ(t, gclab_str_value(h, 2, &s, &n), GCLAB_OK);
    T_EQ(t, n, 5);
    T_CHECK(t, memcmp(s, "hello", 5) == 0);
    gclab_heap_free(h);
}

/* List operations and their IndexErrors, with Python's messages. */
static void test_list_operations_and_index_errors(struct t *t)
{
    gclab_heap *h = heap("rc");
    int64_t v, n;
    gclab_frame_push(h, 3);
    gclab_list_new(h, 0);
    for (int i = 0; i < 5; i++) {
        gclab_int_new(h, 1, i * 10);
        T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_OK);
    }
    gclab_len(h, 0, &n);
    T_EQ(t, n, 5);
    T_EQ(t, gclab_list_get(h, 2, 0, -1), GCLAB_OK);
    gclab_int_value(h, 2, &v);
    T_EQ(t, v, 40);
    T_EQ(t, gclab_list_get(h, 2, 0, 5), GCLAB_EINDEX);
    T_STREQ(t, gclab_error(h), "list index out of range");
    T_EQ(t, gclab_list_pop(h, 2, 0, 0), GCLAB_OK);
    gclab_int_value(h, 2, &v);
    T_EQ(t, v, 0);
    T_EQ(t, gclab_list_del(h, 0, 1), GCLAB_OK);   /* [10, 20, 30, 40] -> [10, 30, 40] */
    gclab_list_get(h, 2, 0, 1);
    gclab_int_value(h, 2, &v);
    T_EQ(t, v, 30);
    gclab_int_new(h, 1, 99);
    T_EQ(t, gclab_list_set(h, 0, 0, 1), GCLAB_OK);
    gclab_list_get(h, 2, 0, 0);
    gclab_int_value(h, 2, &v);
    T_EQ(t, v, 99);
    T_EQ(t, gclab_list_set(h, 0, 3, 1), GCLAB_EINDEX);
    T_STREQ(t, gclab_error(h), "list assignment index out of range");
    while (gclab_list_pop(h, -1, 0, -1) == GCLAB_OK)
        ;
    T_EQ(t, gclab_error_status(h), GCLAB_EINDEX);
    T_STREQ(t, gclab_error(h), "pop from empty list");
    gclab_heap_free(h);
}

/* Wrong kinds are TypeErrors; empty slots NameErrors; bad slots usage errors. */
static void test_wrong_kinds_empty_and_bad_slots_are_errors(struct t *t)
{
    gclab_heap *h = heap("rc");
    gclab_frame_push(h, 2);
    gclab_int_new(h, 0, 3);
    gclab_int_new(h, 1, 4);
    T_EQ(t, gclab_list_append(h, 0, 1), GCLAB_ETYPE);
    T_STREQ(t, gclab_status_name(gclab_error_status(h)), "TypeError");
    T_EQ(t, gclab_clear(h, 1), GCLAB_OK);
    T_EQ(t, gclab_move(h, 0, 1), GCLAB_ENAME);
    T_EQ(t, gclab_move(h, 0, 2), GCLAB_EUSAGE);
    T_EQ(t, gclab_move(h, -1, 0), GCLAB_EUSAGE);
    T_EQ(t, gclab_weakref_new(h, 1, 0, -1), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "cannot create weak reference to 'int' object");
    gclab_list_new(h, 1);
    T_EQ(t, gclab_len(h, 0, &(int64_t){ 0 }), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "object of type 'int' has no len()");
    T_EQ(t, gclab_frame_pop(h), GCLAB_OK);
    T_EQ(t, gclab_frame_pop(h), GCLAB_EUSAGE);
    gclab_heap_free(h);
}

/* Dicts keep insertion order, replace on equal keys, and raise KeyError. */
static void test_dict_set_get_delete_and_key_errors(struct t *t)
{
    gclab_heap *h = heap("rc");
    int64_t v, n;
    gclab_frame_push(h, 4);
    gclab_dict_new(h, 0);
    for (int i = 0; i < 100; i++) {
        gclab_int_new(h, 1, i);
        gclab_int_new(h, 2, i * i);
        T_EQ(t, gclab_dict_set(h, 0, 1, 2), GCLAB_OK);
    }
    gclab_len(h, 0, &n);
    T_EQ(t, n, 100);
    for (int i = 0; i < 100; i += 2) {
        gclab_int_new(h, 1, i);
        T_EQ(t, gclab_dict_del(h, 0, 1), GCLAB_OK);
    }
    gclab_len(h, 0, &n);
    T_EQ(t, n, 50);
    for (int i = 0; i < 100; i++) {
        gclab_int_new(h, 1, i);
        gclab_status st = gclab_dict_get(h, 2, 0, 1);
        if (i % 2 == 0) {
            T_EQ(t, st, GCLAB_EKEY);
        } else {
            T_EQ(t, st, GCLAB_OK);
            gclab_int_value(h, 2, &v);
            T_EQ(t, v, (int64_t)i * i);
        }
    }
    gclab_str_new(h, 1, "key", 3);      /* a heap str equal to an interned one */
    gclab_int_new(h, 2, 7);
    gclab_dict_set(h, 0, 1, 2);
    gclab_str_intern(h, 1, "key");
    T_EQ(t, gclab_dict_get(h, 3, 0, 1), GCLAB_OK);
    gclab_int_value(h, 3, &v);
    T_EQ(t, v, 7);
    gclab_str_intern(h, 1, "nope");
    T_EQ(t, gclab_dict_get(h, 3, 0, 1), GCLAB_EKEY);
    T_STREQ(t, gclab_error(h), "'nope'");
    gclab_none(h, 2);
    T_EQ(t, gclab_dict_get_default(h, 3, 0, 1, 2), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 3), GCLAB_K_NONE);
    gclab_list_new(h, 1);
    T_EQ(t, gclab_dict_set(h, 0, 1, 2), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "unhashable type: 'list'");
    gclab_heap_free(h);
}

/* Attributes: set, replace, get, delete; a missing one is an AttributeError. */
static void test_instance_attributes(struct t *t)
{
    gclab_heap *h = heap("rc");
    int64_t v;
    gclab_name x = gclab_intern(h, "x"), y = gclab_intern(h, "y");
    gclab_frame_push(h, 4);
    T_EQ(t, gclab_class_new(h, 0, "Point", -1, -1), GCLAB_OK);
    T_EQ(t, gclab_call(h, 1, 0, 0, NULL), GCLAB_OK);
    T_STREQ(t, gclab_type_name(h, 1), "Point");
    gclab_int_new(h, 2, 1);
    T_EQ(t, gclab_attr_set(h, 1, x, 2), GCLAB_OK);
    gclab_int_new(h, 2, 2);
    T_EQ(t, gclab_attr_set(h, 1, y, 2), GCLAB_OK);
    gclab_int_new(h, 2, 3);
    T_EQ(t, gclab_attr_set(h, 1, x, 2), GCLAB_OK);
    gclab_attr_get(h, 3, 1, x);
    gclab_int_value(h, 3, &v);
    T_EQ(t, v, 3);
    T_EQ(t, gclab_attr_del(h, 1, x), GCLAB_OK);
    T_EQ(t, gclab_attr_get(h, 3, 1, x), GCLAB_EATTR);
    T_STREQ(t, gclab_error(h), "'Point' object has no attribute 'x'");
    gclab_attr_get(h, 3, 1, y);
    gclab_int_value(h, 3, &v);
    T_EQ(t, v, 2);
    gclab_heap_free(h);
}

/* Blobs hold raw bytes, zeroed at birth, with bounds-checked access. */
static void test_blob_bytes_and_bounds(struct t *t)
{
    gclab_heap *h = heap("rc");
    unsigned char buf[8] = { 0 };
    gclab_frame_push(h, 1);
    T_EQ(t, gclab_blob_new(h, 0, 4096), GCLAB_OK);
    T_EQ(t, gclab_blob_read(h, 0, 4088, buf, 8), GCLAB_OK);
    for (int i = 0; i < 8; i++)
        T_EQ(t, buf[i], 0);
    T_EQ(t, gclab_blob_write(h, 0, 100, "abcdefgh", 8), GCLAB_OK);
    T_EQ(t, gclab_blob_read(h, 0, 100, buf, 8), GCLAB_OK);
    T_CHECK(t, memcmp(buf, "abcdefgh", 8) == 0);
    T_EQ(t, gclab_blob_write(h, 0, 4090, "abcdefgh", 8), GCLAB_EINDEX);
    T_EQ(t, gclab_blob_read(h, 0, (size_t)-1, buf, 8), GCLAB_EINDEX);
    gclab_heap_free(h);
}

/* Tuples: fixed contents read back by index; the empty tuple is allowed. */
static void test_tuples(struct t *t)
{
    gclab_heap *h = heap("rc");
    int64_t v, n;
    gclab_frame_push(h, 4);
    gclab_int_new(h, 0, 1);
    gclab_str_intern(h, 1, "two");
    int srcs[2] = { 0, 1 };
    T_EQ(t, gclab_tuple_new(h, 2, 2, srcs), GCLAB_OK);
    T_EQ(t, gclab_tuple_get(h, 3, 2, 0), GCLAB_OK);
    gclab_int_value(h, 3, &v);
    T_EQ(t, v, 1);
    T_EQ(t, gclab_tuple_get(h, 3, 2, 2), GCLAB_EINDEX);
    T_STREQ(t, gclab_error(h), "tuple index out of range");
    T_EQ(t, gclab_tuple_new(h, 3, 0, NULL), GCLAB_OK);
    gclab_len(h, 3, &n);
    T_EQ(t, n, 0);
    gclab_heap_free(h);
}

/* Globals are roots: a value stored only there outlives its frame. */
static void test_globals_keep_objects_alive(struct t *t)
{
    gclab_heap *h = heap("rc");
    gclab_name g = gclab_intern(h, "registry");
    gclab_frame_push(h, 1);
    gclab_list_new(h, 0);
    T_EQ(t, gclab_global_set(h, g, 0), GCLAB_OK);
    uint64_t live = stats(h).live_objects;
    gclab_frame_pop(h);
    T_EQ(t, stats(h).live_objects, live);
    gclab_frame_push(h, 1);
    T_EQ(t, gclab_global_get(h, 0, g), GCLAB_OK);
    T_EQ(t, gclab_kind_of(h, 0), GCLAB_K_LIST);
    T_EQ(t, gclab_global_del(h, g), GCLAB_OK);
    T_EQ(t, gclab_global_get(h, 0, g), GCLAB_ENAME);
    T_STREQ(t, gclab_error(h), "name 'registry' is not defined");
    gclab_clear(h, 0);
    T_EQ(t, stats(h).live_objects, live - 1);
    gclab_heap_free(h);
}

/* A heap limit turns allocation into MemoryError, not a crash. */
static void test_heap_limit_is_a_memory_error(struct t *t)
{
    char err[256];
    struct gclab_config cfg = { .heap_limit = 100000 };
    gclab_heap *h = gclab_heap_new("nogc", &cfg, err, sizeof err);
    T_CHECK(t, h != NULL);
    gclab_frame_push(h, 2);
    gclab_list_new(h, 0);
    gclab_status st = GCLAB_OK;
    int i;
    for (i = 0; i < 100000 && st == GCLAB_OK; i++) {
        st = gclab_list_new(h, 1);
        if (st == GCLAB_OK)
            st = gclab_list_append(h, 0, 1);
    }
    T_EQ(t, st, GCLAB_EMEMORY);
    T_STREQ(t, gclab_status_name(st), "MemoryError");
    T_CHECK(t, stats(h).live_bytes <= 100000);
    gclab_heap_free(h);
}

/* Unknown engines and knobs are refused with the list of what is known. */
static void test_unknown_engine_and_param_are_refused(struct t *t)
{
    char err[256];
    T_CHECK(t, gclab_heap_new("nosuch", NULL, err, sizeof err) == NULL);
    T_CHECK(t, strstr(err, "unknown engine 'nosuch'") != NULL);
    T_CHECK(t, strstr(err, "nogc") != NULL && strstr(err, "rc") != NULL);
    struct gclab_kv kv = { "bogus", "1" };
    struct gclab_config cfg = { .nparams = 1, .params = &kv };
    T_CHECK(t, gclab_heap_new("rc", &cfg, err, sizeof err) == NULL);
    T_CHECK(t, strstr(err, "no parameter 'bogus'") != NULL);
}

/* Native functions get args in slots 0.. and return through gclab_return. */
static gclab_status add_one(gclab_heap *h, void *ctx, int64_t code)
{
    int64_t v;
    (void)ctx;
    gclab_status st = gclab_int_value(h, 0, &v);
    if (st != GCLAB_OK)
        return st;
    gclab_int_new(h, 1, v + code);
    return gclab_return(h, 1);
}

static void test_native_calls_pass_args_and_return_values(struct t *t)
{
    gclab_heap *h = heap("rc");
    int64_t v;
    gclab_frame_push(h, 3);
    T_EQ(t, gclab_func_new(h, 0, "add", add_one, NULL, 1000, 1, 2), GCLAB_OK);
    gclab_int_new(h, 1, 234);
    int arg = 1;
    T_EQ(t, gclab_call(h, 2, 0, 1, &arg), GCLAB_OK);
    gclab_int_value(h, 2, &v);
    T_EQ(t, v, 1234);
    T_EQ(t, gclab_call(h, 2, 0, 0, NULL), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "add() takes 1 positional argument but 0 were given");
    T_EQ(t, gclab_call(h, 2, 1, 0, NULL), GCLAB_ETYPE);
    T_STREQ(t, gclab_error(h), "'int' object is not callable");
    T_EQ(t, gclab_frame_depth(h), 1);
    gclab_heap_free(h);
}

/* Frame depth is bounded: runaway recursion is a RecursionError. */
static void test_frame_depth_limit_is_a_recursion_error(struct t *t)
{
    char err[256];
    struct gclab_config cfg = { .max_depth = 100 };
    gclab_heap *h = gclab_heap_new("rc", &cfg, err, sizeof err);
    int i;
    for (i = 0; i < 200; i++)
        if (gclab_frame_push(h, 1) != GCLAB_OK)
            break;
    T_EQ(t, i, 100);
    T_EQ(t, gclab_error_status(h), GCLAB_ERECURSION);
    gclab_heap_free(h);
}

int main(void)
{
    T_RUN(test_small_ints_are_shared_and_large_ints_are_not);
    T_RUN(test_int_replace_is_in_place_only_when_unshared);
    T_RUN(test_interned_strings_are_one_object);
    T_RUN(test_list_operations_and_index_errors);
    T_RUN(test_wrong_kinds_empty_and_bad_slots_are_errors);
    T_RUN(test_dict_set_get_delete_and_key_errors);
    T_RUN(test_instance_attributes);
    T_RUN(test_blob_bytes_and_bounds);
    T_RUN(test_tuples);
    T_RUN(test_globals_keep_objects_alive);
    T_RUN(test_heap_limit_is_a_memory_error);
    T_RUN(test_unknown_engine_and_param_are_refused);
    T_RUN(test_native_calls_pass_args_and_return_values);
    T_RUN(test_frame_depth_limit_is_a_recursion_error);
    return t_done();
}
