/* cc_pool.h -- a string interner: each distinct string stored once, with a
 * dense id (0, 1, 2, ... in order of first appearance).
 *
 *   strings  cc_strarray, compact, append-only: id i is strings[i]
 *   slots    [ id | EMPTY | id | id | EMPTY | ... ]   power-of-two table of
 *            uint32 ids, linear probing from hash & mask
 *
 * The table holds ids, not pointers or hashes: 4 bytes a slot, at most 3/4
 * full, so with the offsets a string costs its UTF-8 bytes plus about
 * 4 + 4 / load bytes.  A probe compares lengths, then bytes; growing
 * re-hashes from the stored bytes (cc_hash_bytes is cheap and deterministic).
 * Ids are uint32: a pool holds at most 2**32 - 2 strings (CC_EOVERFLOW past).
 */
#ifndef CC_POOL_H
#define CC_POOL_H

#include "cc_hash.h"
#include "cc_strarray.h"

#define CC_POOL_EMPTY UINT32_MAX
#define CC_POOL_MAX_IDS ((int64_t)UINT32_MAX - 1)

typedef struct cc_pool {
    cc_strarray strings;
    uint32_t *slots;
    int64_t table_size; /* 0 or a power of two */
} cc_pool;

void cc_pool_init(cc_pool *p);
void cc_pool_reset(cc_pool *p);

static inline int64_t cc_pool_size(const cc_pool *p) { return p->strings.length; }
static inline cc_str cc_pool_get(const cc_pool *p, int64_t id) {
    return cc_strarray_get(&p->strings, id);
}

/* Id of s, or -1 if absent. */
int64_t cc_pool_find(const cc_pool *p, cc_str s);
/* Id of s, adding it if absent (*added says which).  s must not point into
 * the pool's own bytes. */
CC_MUST_CHECK cc_status cc_pool_intern(cc_pool *p, cc_str s, int64_t *id, bool *added);
/* Room for n strings and nbytes bytes without growing. */
CC_MUST_CHECK cc_status cc_pool_reserve(cc_pool *p, int64_t n, int64_t nbytes);

CC_MUST_CHECK cc_status cc_pool_validate(const cc_pool *p, const char **why);

#endif /* CC_POOL_H */
