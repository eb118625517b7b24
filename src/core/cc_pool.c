/* cc_pool.c -- interning; layout in cc_pool.h. */
#include "cc_pool.h"

void cc_pool_init(cc_pool *p) {
    cc_strarray_init(&p->strings, false);
    p->slots = NULL;
    p->table_size = 0;
}

void cc_pool_reset(cc_pool *p) {
    cc_strarray_reset(&p->strings);
    cc_free(p->slots);
    cc_pool_init(p);
}

static bool same_bytes(cc_str a, cc_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* The slot holding s, or the empty slot where it would go. */
static int64_t probe(const cc_pool *p, cc_str s, uint64_t hash) {
    uint64_t mask = (uint64_t)p->table_size - 1;
    for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t id = p->slots[i];
        if (id == CC_POOL_EMPTY || same_bytes(cc_pool_get(p, id), s)) return (int64_t)i;
    }
}

int64_t cc_pool_find(const cc_pool *p, cc_str s) {
    if (p->table_size == 0) return -1;
    uint32_t id = p->slots[probe(p, s, cc_hash_bytes(s.ptr, (size_t)s.len))];
    return id == CC_POOL_EMPTY ? -1 : (int64_t)id;
}

/* A table of `size` slots (a power of two) holding every id. */
static cc_status rebuild_table(cc_pool *p, int64_t size) {
    if (size > ((int64_t)1 << 40)) return CC_ENOMEM;
    uint32_t *slots = cc_malloc((size_t)size * sizeof *slots);
    if (!slots) return CC_ENOMEM;
    memset(slots, 0xff, (size_t)size * sizeof *slots); /* all CC_POOL_EMPTY */
    uint64_t mask = (uint64_t)size - 1;
    for (int64_t id = 0; id < cc_pool_size(p); id++) {
        cc_str s = cc_pool_get(p, id);
        uint64_t i = cc_hash_bytes(s.ptr, (size_t)s.len) & mask;
        while (slots[i] != CC_POOL_EMPTY) i = (i + 1) & mask;
        slots[i] = (uint32_t)id;
    }
    cc_free(p->slots);
    p->slots = slots;
    p->table_size = size;
    return CC_OK;
}

/* Smallest power-of-two table keeping n ids at most 3/4 full. */
static int64_t table_size_for(int64_t n) {
    int64_t size = 8;
    while (size / 4 * 3 < n) size *= 2;
    return size;
}

cc_status cc_pool_reserve(cc_pool *p, int64_t n, int64_t nbytes) {
    if (n > CC_POOL_MAX_IDS) return CC_EOVERFLOW;
    CC_RETURN_NOT_OK(cc_strarray_reserve(&p->strings, n, nbytes));
    int64_t size = table_size_for(n);
    return size > p->table_size ? rebuild_table(p, size) : CC_OK;
}

cc_status cc_pool_intern(cc_pool *p, cc_str s, int64_t *id, bool *added) {
    uint64_t hash = cc_hash_bytes(s.ptr, (size_t)s.len);
    *added = false;
    if (p->table_size) {
        int64_t slot = probe(p, s, hash);
        if (p->slots[slot] != CC_POOL_EMPTY) {
            *id = p->slots[slot];
            return CC_OK;
        }
    }
    int64_t n = cc_pool_size(p);
    if (n >= CC_POOL_MAX_IDS) return CC_EOVERFLOW;
    int64_t size = table_size_for(n + 1);
    /* Grow the table first: if the append then fails, a larger table with
     * the same ids is harmless. */
    if (size > p->table_size) CC_RETURN_NOT_OK(rebuild_table(p, size));
    CC_RETURN_NOT_OK(cc_strarray_append(&p->strings, s, false));
    p->slots[probe(p, s, hash)] = (uint32_t)n;
    *id = n;
    *added = true;
    return CC_OK;
}

cc_status cc_pool_validate(const cc_pool *p, const char **why) {
    CC_RETURN_NOT_OK(cc_strarray_validate(&p->strings, why));
    int64_t used = 0;
    for (int64_t i = 0; i < p->table_size; i++) {
        uint32_t id = p->slots[i];
        if (id == CC_POOL_EMPTY) continue;
        used++;
        if (id >= cc_pool_size(p) || cc_pool_find(p, cc_pool_get(p, id)) != id) {
            *why = "pool slot holds an id that does not find itself";
            return CC_EINVAL;
        }
    }
    if (used != cc_pool_size(p) || p->strings.spans || p->strings.nullable) {
        *why = "pool table does not index every string exactly once";
        return CC_EINVAL;
    }
    return CC_OK;
}
