/* cc_numarray.h -- a growable array of one fixed-width numeric type.
 *
 *   data      [ v0 | v1 | ... | v(length-1) | spare .................. ]
 *              <------------- capacity * itemsize bytes --------------->
 *   validity  [ bit per slot, 1 = valid; bits >= length are 0 ]   (nullable)
 *
 * Invariants (checked by cc_numarray_validate):
 *   0 <= length <= capacity <= CC_MAX_SIZE; data == NULL iff capacity == 0;
 *   validity != NULL iff nullable and capacity > 0; null_count == number of
 *   clear bits below length; an adaptive array's dtype is
 *   one of int8/int16/int32/int64.  Null slots are written as 0, but a
 *   buffer export may overwrite them: nothing relies on their value.
 *
 * Exports: while exports > 0 (a memoryview or NumPy array aliases data:
 * the buffer protocol), every operation that changes the length, the dtype
 * or moves the buffer fails with CC_EBUSY and leaves the array unchanged;
 * in-place writes of the same size are allowed, and the alias sees them.
 *
 * Snapshots (cc_buffer.h): data and validity may be shared -- with an Arrow
 * export, a read-only view, a copy, or adopted from a producer -- and then
 * data_share / validity_share hold a reference.  A shared buffer is never
 * written: every mutator first makes the buffers private
 * (cc_numarray_own: a copy, unless every other holder is gone), so the
 * snapshots keep the values they were given.  An aliased array (exports >
 * 0) is never shared: an Arrow export of it copies instead.  An adopted
 * buffer has capacity == length, and its bitmap may have any bits past the
 * length (Arrow allows them); a private one has them zero.
 *
 * Bounds: every mutator checks its index arguments itself and returns
 * CC_EINDEX (unchanged) when they are out of range; only the getters named
 * "no bounds check" trust the caller.
 *
 * Growth (as CPython's list): growing to hold n elements allocates
 *   n + n/8 + (n < 9 ? 3 : 6)
 * so capacities run 0, 4, 8, 16, 25, 35, 46, 58, 72, 88, ... on appends; bulk
 * operations that know their final size allocate exactly.  Deleting below
 * half the capacity reallocates to the same formula.
 *
 * Failure: every function checks and allocates first and mutates last, so on
 * any error status the array is exactly as it was.
 *
 * Considered and rejected: widening an adaptive array in place, back to
 * front, as Redis' intset upgrades its encoding (realloc to the wider size,
 * then move each value from the end so nothing is overwritten before it is
 * read).  It saves the second buffer during the copy, but a realloc that
 * fails half-way leaves no old buffer to return to, and a widen that fails
 * must leave the array as it was; widening happens at most three times in
 * an array's life, so the new-buffer copy costs little.
 */
#ifndef CC_NUMARRAY_H
#define CC_NUMARRAY_H

#include "cc_bitmap.h"
#include "cc_buffer.h"
#include "cc_dtype.h"

#define CC_TZ_MAX 64 /* bytes of a time zone name, its NUL included */

typedef struct cc_numarray {
    uint8_t *data;
    uint8_t *validity;
    int64_t length;
    int64_t capacity;
    int64_t null_count;
    int64_t exports;           /* buffer-protocol aliases alive */
    cc_buffer *data_share;     /* NULL: data is private (cc_buffer.h) */
    cc_buffer *validity_share; /* NULL: validity is private */
    cc_dtype dtype;
    bool adaptive; /* 'int': widens int8 -> int16 -> int32 -> int64 */
    bool nullable;
    /* The dtype's parameter, as its Arrow format ends: a timestamp's time
     * zone ("UTC", "Europe/Paris", "+05:30"; "" for naive: metadata only,
     * the values are UTC instants), a decimal128's "precision,scale"
     * ("12,2": the values are unscaled).
     * Kept by init_like (so by copies and slices) and by reset; a move keeps
     * the destination's unless the source has one. */
    char tz[CC_TZ_MAX];
} cc_numarray;

/* Empty array; cannot fail.  adaptive implies dtype CC_INT8..CC_INT64. */
void cc_numarray_init(cc_numarray *a, cc_dtype dtype, bool adaptive,
                      bool nullable);
/* An empty array with the same dtype and flags as like. */
void cc_numarray_init_like(cc_numarray *a, const cc_numarray *like);
/* a's parameter (time zone or "precision,scale") = tz ("" or NULL: none);
 * CC_EINVAL when a is neither a timestamp nor a decimal or the string does
 * not fit CC_TZ_MAX (a unchanged).  The binding checks what it says. */
CC_MUST_CHECK cc_status cc_numarray_set_tz(cc_numarray *a, const char *tz);
/* Frees the buffers; the array is empty with its dtype and flags kept. */
void cc_numarray_reset(cc_numarray *a);
/* dst (reset first) takes src's buffers; src is left empty. */
void cc_numarray_move(cc_numarray *dst, cc_numarray *src);

static inline int cc_numarray_itemsize(const cc_numarray *a) {
    return cc_dtype_itemsize(a->dtype);
}
static inline bool cc_numarray_is_valid(const cc_numarray *a, int64_t i) {
    return !a->nullable || cc_bitmap_get(a->validity, i);
}

/* ---- sharing (cc_buffer.h) ---- */

static inline bool cc_numarray_is_shared(const cc_numarray *a) {
    return a->data_share || a->validity_share;
}
/* Makes data and validity private (copies of what is shared), as every
 * mutator does first; for callers that write the buffers themselves.
 * CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_numarray_own(cc_numarray *a);
/* Makes a nullable (no value changes; every element valid): a new private
 * bitmap.  No-op if it already is.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_numarray_make_nullable(cc_numarray *a);
/* New references to a's data and validity (NULL where a has none) for a
 * snapshot; CC_EBUSY while aliased (exports > 0: copy instead). */
CC_MUST_CHECK cc_status cc_numarray_share(cc_numarray *a, cc_buffer **data,
                                          cc_buffer **validity);
/* out (reset first, then a's dtype and flags) = the same values as a,
 * sharing a's buffers: O(1).  CC_EBUSY while a is aliased. */
CC_MUST_CHECK cc_status cc_numarray_share_into(cc_numarray *a, cc_numarray *out);
/* a (empty) takes length values at data and, if validity is not NULL, the
 * bitmap at validity starting at bit 0 (null_count its clear bits below
 * length), each held by a new reference to its share (never written: the
 * first write copies).  Values must be valid for a's dtype (bools 0 or 1:
 * the caller normalises them).  CC_EINVAL: a not empty, a nullable bitmap
 * on a non-nullable a. */
CC_MUST_CHECK cc_status cc_numarray_adopt(cc_numarray *a, int64_t length, const void *data,
                                          cc_buffer *data_share, const uint8_t *validity,
                                          cc_buffer *validity_share, int64_t null_count);

/* Capacity of at least n elements (exact); CC_EBUSY if it would move. */
CC_MUST_CHECK cc_status cc_numarray_reserve(cc_numarray *a, int64_t n);
/* As reserve, when the caller is about to append all n values (a list's
 * items): an empty array gets a block whose pages are faulted in up front
 * (cc_malloc_prefault).  Otherwise exactly cc_numarray_reserve. */
CC_MUST_CHECK cc_status cc_numarray_reserve_for_fill(cc_numarray *a, int64_t n);
/* Capacity == length. */
CC_MUST_CHECK cc_status cc_numarray_shrink_to_fit(cc_numarray *a);
/* Re-stores an adaptive array at a wider integer dtype. */
CC_MUST_CHECK cc_status cc_numarray_widen(cc_numarray *a, cc_dtype wider);

/* Element i (no bounds check; caller must) as a scalar; nulls as NULL. */
void cc_numarray_get(const cc_numarray *a, int64_t i, cc_scalar *out);
/* Checked store at i (CC_EINDEX out of bounds); widens an adaptive array. */
CC_MUST_CHECK cc_status cc_numarray_set(cc_numarray *a, int64_t i,
                                        const cc_scalar *s);

/* cc_numarray_append's out-of-line part (growth, widening, nulls, every
 * error); call cc_numarray_append, which tries the inline fast path first. */
CC_MUST_CHECK cc_status cc_numarray_append_slow(cc_numarray *a,
                                                const cc_scalar *s);

/* Appends one checked value; the fast path is inline. */
static inline CC_MUST_CHECK cc_status cc_numarray_append(cc_numarray *a,
                                                         const cc_scalar *s) {
    if (CC_LIKELY(a->length < a->capacity && !a->nullable && !a->exports && !a->data_share)) {
        int size = cc_numarray_itemsize(a);
        uint8_t *slot = a->data + a->length * size;
        CC_UNPOISON(slot, (size_t)size);
        if (CC_LIKELY(cc_dtype_store(a->dtype, s, slot) == CC_OK)) {
            a->length++;
            return CC_OK;
        }
        CC_POISON(slot, (size_t)size);
    }
    return cc_numarray_append_slow(a, s);
}

/* Appends the integer v: the same result and statuses as cc_numarray_append
 * of a CC_SCALAR_INT, with the store of a private non-nullable integer
 * dtype (cc_dtype_is_integer) inline: no scalar, no call per value. */
static inline CC_MUST_CHECK cc_status cc_numarray_append_i64(cc_numarray *a, int64_t v) {
    const cc_dtype_info *info = cc_dtype_get(a->dtype);
    if (CC_LIKELY(a->length < a->capacity && !a->nullable && !a->exports && !a->data_share &&
                  cc_dtype_is_integer(a->dtype) &&
                  (info->kind == CC_KIND_SIGNED ? v >= info->min && v <= (int64_t)info->max
                                                : v >= 0 && (uint64_t)v <= info->max))) {
        uint8_t *slot = a->data + a->length * info->itemsize;
        CC_UNPOISON(slot, (size_t)info->itemsize);
        switch (info->itemsize) {
        case 1: { int8_t x = (int8_t)v; memcpy(slot, &x, 1); break; }
        case 2: { int16_t x = (int16_t)v; memcpy(slot, &x, 2); break; }
        case 4: { int32_t x = (int32_t)v; memcpy(slot, &x, 4); break; }
        default: memcpy(slot, &v, 8); break;
        }
        a->length++;
        return CC_OK;
    }
    cc_scalar s;
    s.kind = CC_SCALAR_INT;
    s.v.i = v;
    return cc_numarray_append(a, &s);
}

/* Appends n values of src_dtype read from src (a packed native-order
 * buffer), each checked for a's dtype.  On failure a is unchanged and
 * err->index is the index into src of the value that did not fit (-1 when
 * no value is to blame: exported, no memory). */
CC_MUST_CHECK cc_status cc_numarray_append_converted(cc_numarray *a,
                                                     cc_dtype src_dtype,
                                                     const void *src, int64_t n,
                                                     cc_error *err);

/* Appends n zeros (valid); *first points at the first of them, for the
 * caller to fill in place (exact capacity when a was empty). */
CC_MUST_CHECK cc_status cc_numarray_append_zeros(cc_numarray *a, int64_t n, void **first);
/* Replaces the del elements at [at, at + del) with all of src.  src must have
 * a's dtype, or (adaptive) a narrower or wider adaptive int dtype; src's nulls
 * need a nullable a.  CC_EINDEX unless 0 <= at <= at + del <= length; src != a. */
CC_MUST_CHECK cc_status cc_numarray_splice(cc_numarray *a, int64_t at,
                                           int64_t del, const cc_numarray *src);
/* Assigns src to the count = src->length slots start, start+step, ...
 * (CC_EINDEX unless all in bounds).  Same dtype rules as splice. */
CC_MUST_CHECK cc_status cc_numarray_scatter(cc_numarray *a, int64_t start,
                                            int64_t step, const cc_numarray *src);
/* Appends the count elements start, start+step, ... of a to out (which has
 * a's dtype and flags); CC_EINDEX unless all are in bounds. */
CC_MUST_CHECK cc_status cc_numarray_gather(const cc_numarray *a, int64_t start,
                                           int64_t step, int64_t count,
                                           cc_numarray *out);
/* Appends a[idx[0]], ..., a[idx[n-1]] to out (a's dtype and flags);
 * CC_EINDEX unless every index is in bounds. */
CC_MUST_CHECK cc_status cc_numarray_take(const cc_numarray *a, const int64_t *idx, int64_t n,
                                         cc_numarray *out);
/* Deletes the count elements start, start+step, ... (step may be negative). */
CC_MUST_CHECK cc_status cc_numarray_delete_strided(cc_numarray *a,
                                                   int64_t start, int64_t step,
                                                   int64_t count);
/* a = a repeated n times (n >= 0). */
CC_MUST_CHECK cc_status cc_numarray_repeat(cc_numarray *a, int64_t n);

CC_MUST_CHECK cc_status cc_numarray_reverse(cc_numarray *a);
/* Stable sort by value; NaNs and then nulls last in either direction. */
CC_MUST_CHECK cc_status cc_numarray_sort(cc_numarray *a, bool reverse);
/* a[i] = old a[perm[i]] for a permutation of 0..length-1 (CC_EINDEX if
 * any perm[i] is out of bounds). */
CC_MUST_CHECK cc_status cc_numarray_permute(cc_numarray *a, const int64_t *perm);
/* Stably reorders order[0..n) -- row indices into a, each in bounds -- by
 * a's values, as cc_numarray_sort orders them: numbers ascending
 * (descending if reverse; equal numbers, -0.0 and 0.0 among them, keep
 * their order in both directions), then NaNs, then nulls, each group in its
 * incoming order.  With rank != NULL, a holds codes and code c sorts as
 * rank[c] (a code outside [0, nranks) with the nulls).  Radix: O(n) for
 * any key width.  On CC_ENOMEM order holds the same rows in some order. */
CC_MUST_CHECK cc_status cc_numarray_sort_order(const cc_numarray *a, const int64_t *rank,
                                               int64_t nranks, bool reverse, int64_t *order,
                                               int64_t n);
/* The same; fresh: order is taken to be 0, 1, ..., n-1 on entry (not
 * read, it need not be filled in).  And if values is not NULL and a holds
 * integers (not codes), without nulls and n == length, it may also write
 * a[order[0]], a[order[1]], ... (n values of a's width) to values --
 * straight from the sorted keys, no gather -- and then sets *wrote. */
CC_MUST_CHECK cc_status cc_numarray_sort_order_values(const cc_numarray *a, const int64_t *rank,
                                                      int64_t nranks, bool reverse, int64_t *order,
                                                      int64_t n, bool fresh, void *values,
                                                      bool *wrote);

/* First index in [start, stop) equal to x (numeric equality, nulls match a
 * NULL scalar), or -1. */
int64_t cc_numarray_find(const cc_numarray *a, const cc_scalar *x,
                         int64_t start, int64_t stop);
int64_t cc_numarray_count(const cc_numarray *a, const cc_scalar *x);
/* First index below min(len a, len b) where a[i] != b[i] numerically (NaN is
 * never equal), or -1.  Non-nullable arrays only. */
int64_t cc_numarray_first_difference(const cc_numarray *a,
                                     const cc_numarray *b);

/* Checks the invariants; on failure returns CC_EINVAL with err->why (a
 * static description). */
CC_MUST_CHECK cc_status cc_numarray_validate(const cc_numarray *a, cc_error *err);

/* The growth formula above, for a required length n. */
int64_t cc_numarray_grown_capacity(int64_t n);

#endif /* CC_NUMARRAY_H */
