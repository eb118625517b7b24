/* cc_strset.h -- an insertion-ordered set of strings with dense entry ids:
 * the key side of StrDict and, used without removals, the StringPool.
 *
 *   keys     cc_strarray, compact, append-only: entry i is keys[i]
 *   removed  bitmap, one bit per entry (NULL until the first removal)
 *   slots    [ id | EMPTY | id | id | EMPTY | ... ]   power-of-two table of
 *            the *live* entry ids, linear probing from hash & mask
 *
 * Ids are the positions of entries, so they are stable and follow insertion
 * order; a removed entry leaves a tombstone in `keys` (and `removed`) but is
 * taken out of the table at once, with backward-shift deletion, so lookups
 * never wade through tombstones.  cc_strset_compact drops the tombstones and
 * renumbers the entries (reporting the survivors so a caller can move its
 * values the same way); StrDict calls it when tombstones outnumber live
 * entries, so memory follows the live keys.  A pool never removes, so its
 * ids stay 0..n-1 forever.
 *
 * The table holds 4-byte ids, no hashes: at most 3/4 full, so an entry costs
 * its UTF-8 bytes + about 4 (offset) + 4/load (slots).  A probe compares
 * lengths, then bytes; growing re-hashes from the stored bytes.  Ids are
 * uint32: at most 2**32 - 2 entries (CC_EOVERFLOW past).
 *
 * Considered and rejected: storing each entry's hash beside its id (as
 * CPython's dict does), which makes growing cheaper and lets a probe skip
 * most byte compares.  It costs 4-8 more bytes an entry, forever, in a
 * structure whose point is to cost little more than the UTF-8; keys are
 * short, so comparing the length first already rejects most probes, and
 * growing happens log(n) times.
 */
#ifndef CC_STRSET_H
#define CC_STRSET_H

#include "cc_hash.h"
#include "cc_strarray.h"

#define CC_STRSET_EMPTY UINT32_MAX
#define CC_STRSET_MAX_IDS ((int64_t)UINT32_MAX - 1)

typedef struct cc_strset {
    cc_strarray keys;
    uint8_t *removed;
    int64_t removed_cap; /* bits the removed bitmap holds */
    int64_t removed_count;
    uint32_t *slots;
    int64_t table_size; /* 0 or a power of two */
} cc_strset;

void cc_strset_init(cc_strset *s);
void cc_strset_reset(cc_strset *s);

/* Entries ever added since the last compaction (live and removed). */
static inline int64_t cc_strset_entries(const cc_strset *s) { return s->keys.length; }
static inline int64_t cc_strset_live(const cc_strset *s) {
    return s->keys.length - s->removed_count;
}
static inline bool cc_strset_is_live(const cc_strset *s, int64_t id) {
    return !s->removed || !cc_bitmap_get(s->removed, id);
}
static inline cc_str cc_strset_key(const cc_strset *s, int64_t id) {
    return cc_strarray_get(&s->keys, id);
}

/* Live id of key, or -1. */
int64_t cc_strset_find(const cc_strset *s, cc_str key);
/* Live id of key, adding a new entry if absent (*added says which).  key
 * must not point into the set's own bytes. */
CC_MUST_CHECK cc_status cc_strset_insert(cc_strset *s, cc_str key, int64_t *id,
                                         bool *added);
/* Removes live entry id (tombstone; the table forgets it at once). */
CC_MUST_CHECK cc_status cc_strset_remove(cc_strset *s, int64_t id);
/* Forgets every entry with id >= n (the undo of inserts that must not
 * stay, e.g. after a later step of an all-or-nothing call failed). */
CC_MUST_CHECK cc_status cc_strset_truncate(cc_strset *s, int64_t n);
/* Drops tombstones: live entries keep their order and get ids 0..live-1.
 * If survivors is not NULL it receives the old id of each (live entries). */
CC_MUST_CHECK cc_status cc_strset_compact(cc_strset *s, int64_t *survivors);
/* Room for n entries and nbytes key bytes: inserts up to that many
 * entries then allocate nothing and cannot fail. */
CC_MUST_CHECK cc_status cc_strset_reserve(cc_strset *s, int64_t n, int64_t nbytes);

/* Checks the invariants; on failure returns CC_EINVAL with err->why. */
CC_MUST_CHECK cc_status cc_strset_validate(const cc_strset *s, cc_error *err);

#endif /* CC_STRSET_H */
