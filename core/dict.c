/* dict.c — an insertion-ordered hash table (the layout of CPython 3.6+):
 * an entries array in insertion order and an open-addressing index of
 * entry numbers. Deleting leaves a hole in the entries (key NULL) and a
 * DUMMY in the index; a resize compacts both. Keys are str, int, bool,
 * None, or objects hashed by identity (instances, classes, funcs); lists,
 * dicts and tuples are refused as keys (tuples are hashable in Python but
 * not here, a documented limit).
 */
#include <string.h>

#include "core.h"

#define IX_EMPTY (-1)
#define IX_DUMMY (-2)

bool core_obj_equal(const gclab_obj *x, const gclab_obj *y);

static bool key_hash(gclab_heap *h, gclab_obj *k, uint64_t *out)
{
    switch (k->kind) {
    case GCLAB_K_STR: *out = AS(obj_str, k)->hash; return true;
    case GCLAB_K_INT: *out = (uint64_t)AS(obj_int, k)->v; return true;
    case GCLAB_K_BOOL: *out = k == &gclab_true_obj; return true;
    case GCLAB_K_LIST: case GCLAB_K_DICT: case GCLAB_K_TUPLE: case GCLAB_K_BLOB:
        heap_error(h, GCLAB_ETYPE, "unhashable type: '%s'",
                   k->kind == GCLAB_K_LIST ? "list" : k->kind == GCLAB_K_DICT ? "dict" :
                   k->kind == GCLAB_K_TUPLE ? "tuple" : "blob");
        return false;
    default:
        *out = (uint64_t)(uintptr_t)k >> 4;
        return true;
    }
}

gclab_obj *dict_new(gclab_heap *h)
{
    gclab_obj *o = core_new_object(h, GCLAB_K_DICT, sizeof(obj_dict));
    if (o && h->eng->track)
        h->eng->track(h, o);
    return o;
}

static size_t storage_bytes(size_t cap, size_t nindex)
{
    return cap * sizeof(struct dict_entry) + nindex * sizeof(int32_t);
}

/* Position in the index of key (found) or of the first free place for it. */
static size_t probe(obj_dict *d, gclab_obj *key, uint64_t hash, int32_t *entry)
{
    size_t mask = d->nindex - 1, i = hash & mask, perturb = hash, free_at = SIZE_MAX;
    for (;;) {
        int32_t ix = d->index[i];
        if (ix == IX_EMPTY) {
            *entry = -1;
            return free_at != SIZE_MAX ? free_at : i;
        }
        if (ix == IX_DUMMY) {
            if (free_at == SIZE_MAX)
                free_at = i;
        } else {
            struct dict_entry *e = &d->entries[ix];
            if (e->hash == hash && (e->key == key || core_obj_equal(e->key, key))) {
                *entry = ix;
                return i;
            }
        }
        perturb >>= 5;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

/* Rebuild with room for at least `want` live entries, compacting holes. */
static gclab_status resize(gclab_heap *h, obj_dict *d, size_t want)
{
    size_t nindex = 8;
    while (nindex * 2 / 3 < want)
        nindex *= 2;
    size_t cap = nindex * 2 / 3;
    char *mem = core_mem_alloc(h, &d->hd, storage_bytes(cap, nindex));
    if (!mem)
        return h->err_status;
    struct dict_entry *entries = (struct dict_entry *)mem;
    int32_t *index = (int32_t *)(mem + cap * sizeof(struct dict_entry));
    memset(index, 0xff, nindex * sizeof *index);   /* all IX_EMPTY */
    size_t n = 0;
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key)
            continue;
        entries[n] = d->entries[i];
        size_t j = entries[n].hash & (nindex - 1), perturb = entries[n].hash;
        while (index[j] != IX_EMPTY) {
            perturb >>= 5;
            j = (j * 5 + 1 + perturb) & (nindex - 1);
        }
        index[j] = (int32_t)n++;
    }
    if (d->entries)
        core_mem_free(h, &d->hd, d->entries, storage_bytes(d->cap, d->nindex));
    d->entries = entries;
    d->index = index;
    d->cap = cap;
    d->nindex = nindex;
    d->nentries = n;
    return GCLAB_OK;
}

gclab_status dict_set(gclab_heap *h, gclab_obj *dob, gclab_obj *key, gclab_obj *val)
{
    obj_dict *d = AS(obj_dict, dob);
    uint64_t hash;
    int32_t ix;
    if (!key_hash(h, key, &hash))
        return h->err_status;
    /* CPython's MAINTAIN_TRACKING: an engine may track a dict only once it
     * holds something that can be part of a cycle. */
    if (h->eng->dict_insert)
        h->eng->dict_insert(h, dob, key, val);
    if (d->nindex) {
        size_t pos = probe(d, key, hash, &ix);
        if (ix >= 0) {
            store_field(h, dob, &d->entries[ix].value, val);
            return GCLAB_OK;
        }
        if (d->nentries < d->cap) {
            struct dict_entry *e = &d->entries[d->nentries];
            e->hash = hash;
            e->key = e->value = NULL;
            d->index[pos] = (int32_t)d->nentries++;
            d->used++;
            store_field(h, dob, &e->key, key);
            store_field(h, dob, &e->value, val);
            return GCLAB_OK;
        }
    }
    gclab_status st = resize(h, d, (d->used + 1) * 3 / 2 + 1);
    if (st != GCLAB_OK)
        return st;
    return dict_set(h, dob, key, val);
}

gclab_obj *dict_lookup(gclab_heap *h, gclab_obj *dob, gclab_obj *key, gclab_status *st)
{
    obj_dict *d = AS(obj_dict, dob);
    uint64_t hash;
    int32_t ix;
    *st = GCLAB_OK;
    if (!key_hash(h, key, &hash)) {
        *st = h->err_status;
        return NULL;
    }
    if (!d->nindex)
        return NULL;
    probe(d, key, hash, &ix);
    return ix >= 0 ? d->entries[ix].value : NULL;
}

gclab_status dict_del(gclab_heap *h, gclab_obj *dob, gclab_obj *key)
{
    obj_dict *d = AS(obj_dict, dob);
    uint64_t hash;
    int32_t ix;
    if (!key_hash(h, key, &hash))
        return h->err_status;
    if (!d->nindex)
        return heap_error(h, GCLAB_EKEY, "key not found");
    size_t pos = probe(d, key, hash, &ix);
    if (ix < 0)
        return heap_error(h, GCLAB_EKEY, "key not found");
    struct dict_entry *e = &d->entries[ix];
    d->index[pos] = IX_DUMMY;
    gclab_obj *k = unlink_ref(h, dob, &e->key);
    gclab_obj *v = unlink_ref(h, dob, &e->value);
    d->used--;
    release_ref(h, k);   /* release after unlinking: __del__ may look at the dict */
    release_ref(h, v);
    return GCLAB_OK;
}

void dict_free_table(gclab_heap *h, gclab_obj *dob)
{
    obj_dict *d = AS(obj_dict, dob);
    if (d->entries)
        core_mem_free(h, dob, d->entries, storage_bytes(d->cap, d->nindex));
    d->entries = NULL;
    d->index = NULL;
    d->used = d->nentries = d->cap = d->nindex = 0;
}

gclab_status gclab_dict_next(gclab_heap *h, int dict, size_t *pos, int kdst, int vdst, bool *more)
{
    gclab_obj *dob = slot_get(h, dict);
    *more = false;
    if (!dob)
        return h->err_status;
    if (dob->kind != GCLAB_K_DICT)
        return heap_error(h, GCLAB_ETYPE, "expected dict, got '%s'", gclab_type_name(h, dict));
    if ((kdst >= 0 && !slot_addr(h, kdst)) || (vdst >= 0 && !slot_addr(h, vdst)))
        return h->err_status;
    obj_dict *d = AS(obj_dict, dob);
    /* Deleted entries keep their place (key NULL); a resize compacts, so a
     * dict changed during the walk may skip or repeat entries, never crash. */
    while (*pos < d->nentries && !d->entries[*pos].key)
        (*pos)++;
    if (*pos >= d->nentries)
        return GCLAB_OK;
    gclab_obj *k = d->entries[*pos].key, *v = d->entries[*pos].value;
    (*pos)++;
    *more = true;
    /* Own both before storing either: the store releases the slot's old
     * value, whose __del__ may change the dict. */
    if (h->refcounts) {
        obj_incref(h, k);
        obj_incref(h, v);
    }
    if (kdst >= 0)
        store_steal(h, slot_addr(h, kdst), k);
    else
        release_ref(h, k);
    if (vdst >= 0)
        store_steal(h, slot_addr(h, vdst), v);
    else
        release_ref(h, v);
    return GCLAB_OK;
}
