/* cc_strset.c -- ordered string set; layout in cc_strset.h. */
#include "cc_strset.h"

void cc_strset_init(cc_strset *s) {
    cc_strarray_init(&s->keys, false);
    s->removed = NULL;
    s->removed_cap = 0;
    s->removed_count = 0;
    s->slots = NULL;
    s->table_size = 0;
}

void cc_strset_reset(cc_strset *s) {
    cc_strarray_reset(&s->keys);
    cc_free(s->removed);
    cc_free(s->slots);
    cc_strset_init(s);
}

static bool same_bytes(cc_str a, cc_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

static uint64_t hash_of(cc_str key) { return cc_hash_bytes(key.ptr, (size_t)key.len); }

/* The slot holding key, or the empty slot where it would go. */
static int64_t probe(const cc_strset *s, cc_str key, uint64_t hash) {
    uint64_t mask = (uint64_t)s->table_size - 1;
    for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t id = s->slots[i];
        if (id == CC_STRSET_EMPTY || same_bytes(cc_strset_key(s, id), key)) return (int64_t)i;
    }
}

int64_t cc_strset_find(const cc_strset *s, cc_str key) {
    if (s->table_size == 0) return -1;
    uint32_t id = s->slots[probe(s, key, hash_of(key))];
    return id == CC_STRSET_EMPTY ? -1 : (int64_t)id;
}

/* A table of `size` slots (a power of two) holding every live id. */
static cc_status rebuild_table(cc_strset *s, int64_t size) {
    if (size > ((int64_t)1 << 40)) return CC_ENOMEM;
    uint32_t *slots = cc_malloc((size_t)size * sizeof *slots);
    if (!slots) return CC_ENOMEM;
    memset(slots, 0xff, (size_t)size * sizeof *slots); /* all CC_STRSET_EMPTY */
    uint64_t mask = (uint64_t)size - 1;
    for (int64_t id = 0; id < cc_strset_entries(s); id++) {
        if (!cc_strset_is_live(s, id)) continue;
        uint64_t i = hash_of(cc_strset_key(s, id)) & mask;
        while (slots[i] != CC_STRSET_EMPTY) i = (i + 1) & mask;
        slots[i] = (uint32_t)id;
    }
    cc_free(s->slots);
    s->slots = slots;
    s->table_size = size;
    return CC_OK;
}

/* Smallest power-of-two table keeping n live ids at most 3/4 full. */
static int64_t table_size_for(int64_t n) {
    int64_t size = 8;
    while (size / 4 * 3 < n) size *= 2;
    return size;
}

static cc_status ensure_removed_bits(cc_strset *s, int64_t entries);

cc_status cc_strset_reserve(cc_strset *s, int64_t n, int64_t nbytes) {
    if (n > CC_STRSET_MAX_IDS) return CC_EOVERFLOW;
    /* shared keys (an exported dictionary) would copy on the first insert:
     * copy now, so the inserts reserved for cannot fail */
    CC_RETURN_NOT_OK(cc_strarray_own(&s->keys));
    CC_RETURN_NOT_OK(cc_strarray_reserve(&s->keys, n, nbytes));
    if (s->removed) CC_RETURN_NOT_OK(ensure_removed_bits(s, n));
    int64_t size = table_size_for(n);
    return size > s->table_size ? rebuild_table(s, size) : CC_OK;
}

/* Removal bits for `entries` entries. */
static cc_status ensure_removed_bits(cc_strset *s, int64_t entries) {
    if (entries <= s->removed_cap && s->removed) return CC_OK;
    int64_t cap = entries > s->keys.capacity ? entries : s->keys.capacity;
    CC_RETURN_NOT_OK(cc_bitmap_resize(&s->removed, s->removed_cap, cap));
    s->removed_cap = cap;
    return CC_OK;
}

cc_status cc_strset_insert(cc_strset *s, cc_str key, int64_t *id, bool *added) {
    uint64_t hash = hash_of(key);
    *added = false;
    if (s->table_size) {
        uint32_t found = s->slots[probe(s, key, hash)];
        if (found != CC_STRSET_EMPTY) {
            *id = found;
            return CC_OK;
        }
    }
    int64_t n = cc_strset_entries(s);
    if (n >= CC_STRSET_MAX_IDS) return CC_EOVERFLOW;
    /* Allocate everything first; a larger table or bitmap is harmless. */
    int64_t size = table_size_for(cc_strset_live(s) + 1);
    if (size > s->table_size) CC_RETURN_NOT_OK(rebuild_table(s, size));
    if (s->removed) CC_RETURN_NOT_OK(ensure_removed_bits(s, n + 1));
    CC_RETURN_NOT_OK(cc_strarray_append(&s->keys, key, false));
    s->slots[probe(s, key, hash)] = (uint32_t)n;
    *id = n;
    *added = true;
    return CC_OK;
}

/* Takes live entry id out of the table. */
static void unlink_slot(cc_strset *s, int64_t id) {
    uint64_t mask = (uint64_t)s->table_size - 1;
    uint64_t hole = (uint64_t)probe(s, cc_strset_key(s, id), hash_of(cc_strset_key(s, id)));
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole unless their home slot lies cyclically in (hole, j]. */
    for (uint64_t j = (hole + 1) & mask; s->slots[j] != CC_STRSET_EMPTY; j = (j + 1) & mask) {
        uint64_t home = hash_of(cc_strset_key(s, s->slots[j])) & mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays) continue;
        s->slots[hole] = s->slots[j];
        hole = j;
    }
    s->slots[hole] = CC_STRSET_EMPTY;
}

cc_status cc_strset_remove(cc_strset *s, int64_t id) {
    if (id < 0 || id >= cc_strset_entries(s) || !cc_strset_is_live(s, id)) return CC_EINDEX;
    CC_RETURN_NOT_OK(ensure_removed_bits(s, cc_strset_entries(s)));
    unlink_slot(s, id);
    cc_bitmap_set(s->removed, id, true);
    s->removed_count++;
    return CC_OK;
}

cc_status cc_strset_truncate(cc_strset *s, int64_t n) {
    int64_t entries = cc_strset_entries(s);
    if (n < 0 || n > entries) return CC_EINDEX;
    if (s->keys.exports && n < entries) return CC_EBUSY;
    /* shared keys copy before the tail is dropped: before the table
     * forgets anything, so a failed copy leaves the set as it was */
    if (n < entries) CC_RETURN_NOT_OK(cc_strarray_own(&s->keys));
    for (int64_t id = entries - 1; id >= n; id--) {
        if (!cc_strset_is_live(s, id)) {
            s->removed_count--;
            cc_bitmap_set(s->removed, id, false);
        } else {
            unlink_slot(s, id);
        }
    }
    /* dropping the tail of a compact array frees nothing it needs: cannot fail */
    return cc_strarray_delete_strided(&s->keys, n, 1, entries - n);
}

cc_status cc_strset_compact(cc_strset *s, int64_t *survivors) {
    if (s->keys.exports) return CC_EBUSY; /* the arena is shared: it must not move */
    int64_t live = cc_strset_live(s), w = 0, bytes = 0;
    int64_t *order = cc_malloc((size_t)(live ? live : 1) * sizeof *order);
    if (!order) return CC_ENOMEM;
    for (int64_t id = 0; id < cc_strset_entries(s); id++)
        if (cc_strset_is_live(s, id)) {
            order[w++] = id;
            bytes += cc_strset_key(s, id).len;
        }
    cc_strset next;
    cc_strset_init(&next);
    cc_status st = cc_strarray_reserve(&next.keys, live, bytes);
    for (int64_t k = 0; k < live && st == CC_OK; k++) /* reserved: cannot fail */
        st = cc_strarray_append(&next.keys, cc_strset_key(s, order[k]), false);
    if (st == CC_OK) st = rebuild_table(&next, table_size_for(live));
    if (st == CC_OK) {
        if (survivors && live) memcpy(survivors, order, (size_t)live * sizeof *order);
        cc_strset_reset(s);
        *s = next;
    } else {
        cc_strset_reset(&next);
    }
    cc_free(order);
    return st;
}

cc_status cc_strset_validate(const cc_strset *s, cc_error *err) {
    CC_RETURN_NOT_OK(cc_strarray_validate(&s->keys, err));
    int64_t used = 0, removed = 0;
    for (int64_t i = 0; i < s->table_size; i++) {
        uint32_t id = s->slots[i];
        if (id == CC_STRSET_EMPTY) continue;
        used++;
        if (id >= cc_strset_entries(s) || !cc_strset_is_live(s, id) ||
            cc_strset_find(s, cc_strset_key(s, id)) != id) {
            return cc_error_set(err, CC_EINVAL,
                                "strset slot holds an id that does not find itself", -1);
        }
    }
    for (int64_t id = 0; id < cc_strset_entries(s); id++) removed += !cc_strset_is_live(s, id);
    if (used != cc_strset_live(s) || removed != s->removed_count || s->keys.spans) {
        return cc_error_set(err, CC_EINVAL,
                            "strset table does not index every live entry exactly once", -1);
    }
    return CC_OK;
}
