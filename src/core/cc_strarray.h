/* cc_strarray.h -- an array of UTF-8 strings: Arrow's layout when compact,
 * and a scattered layout that makes assignment of a different length O(1).
 *
 * Compact (Arrow `string`, or `large_string` once wide):
 *
 *   offsets [ 0 | o1 | o2 | ... | o_n ]     n + 1 entries, int32 (int64 when wide)
 *   data    [ s0 | s1 | ... | s(n-1) ]      element i is data[o_i, o_(i+1))
 *
 * Scattered (entered by an assignment that changes an element's length):
 *
 *   spans   [ (start, len) | (start, len) | ... ]   int64 pairs, one per element
 *   data    [ live and dead bytes ]                  new bytes go at the end
 *
 * In the compact layout `a[i] = s` with a new length would shift every later
 * byte and offset: O(n) per assignment.  So the first such assignment
 * converts the offsets into spans (one O(n) pass) and from then on an
 * assignment writes the new bytes in place if they fit, else at the end of
 * data, and counts the old bytes as dead.  When the dead bytes outnumber the
 * live ones the array compacts back (O(n + bytes), paid for by at least as
 * many dead bytes of assignments), so N assignments cost O(N) in total.
 * Anything that needs the Arrow layout (the data/offsets views, Arrow export,
 * pickling) compacts first.
 *
 * Offsets are int32 while the data holds at most 2**31 - 1 bytes and switch
 * to int64 (`wide`) when an operation would pass that: Arrow's string and
 * large_string, without a 2 GiB cliff.
 *
 * Invariants (cc_strarray_validate): compact iff spans == NULL; compact:
 * offsets[0] == 0, offsets monotone, offsets[n] == data_len; scattered: every
 * span inside [0, data_len), live + dead == data_len; nulls are empty strings
 * with a clear validity bit; bits >= length are 0.
 *
 * Exports (memoryviews of data or offsets: the buffer protocol's aliases)
 * require the compact layout and pin it: while exports > 0 anything that
 * would move a buffer, change the length or leave the compact layout fails
 * with CC_EBUSY; an assignment of the same byte length is written in place.
 *
 * Snapshots (cc_buffer.h): data, offsets and validity may be shared -- with
 * an Arrow export, a read-only view, a copy, or adopted from a producer --
 * and then their *_share holds a reference.  A shared buffer is never
 * written: every mutator first makes the buffers private (cc_strarray_own),
 * so the snapshots keep their values.  Only a compact array is shared (the
 * spans are always private); an aliased one (exports > 0) never is.  An
 * adopted array has capacity == length and data_cap == data_len.
 *
 * Binary: the same storage holds any bytes (Arrow `binary`/`large_binary`)
 * when `binary` is set; then the Arrow and pickle checks skip UTF-8 (the
 * offsets are still checked).  The flag belongs to the container, not to
 * its contents: init clears it, reset keeps it, move keeps dst's.
 *
 * Bounds: every mutator checks its index arguments itself (CC_EINDEX,
 * unchanged); only the getters named "no bounds check" trust the caller.
 */
#ifndef CC_STRARRAY_H
#define CC_STRARRAY_H

#include "cc_bitmap.h"
#include "cc_buffer.h"

typedef struct cc_strarray {
    uint8_t *data;
    int64_t data_len, data_cap; /* bytes */
    uint8_t *offsets;           /* compact: capacity + 1 int32 (int64 if wide) */
    int64_t *spans;             /* scattered: 2 * capacity entries */
    int64_t length, capacity;   /* elements */
    int64_t dead;               /* scattered: bytes no span refers to */
    uint8_t *validity;          /* nullable: cc_bitmap_bytes(capacity) */
    int64_t null_count;
    int64_t exports;            /* buffer-protocol aliases alive */
    cc_buffer *data_share;      /* NULL: private (cc_buffer.h) */
    cc_buffer *offsets_share;
    cc_buffer *validity_share;
    bool wide;                  /* int64 offsets */
    bool nullable;
    bool binary;                /* any bytes (Arrow binary): no UTF-8 checks */
} cc_strarray;

/* A borrowed view of one string's bytes. */
typedef struct cc_str {
    const uint8_t *ptr;
    int64_t len;
} cc_str;

/* Largest byte count int32 offsets can address.  The C tests build the core
 * with a small value to exercise the switch to int64 without 2 GiB. */
#ifndef CC_STR_NARROW_MAX
#define CC_STR_NARROW_MAX ((int64_t)INT32_MAX)
#endif

void cc_strarray_init(cc_strarray *a, bool nullable);
void cc_strarray_reset(cc_strarray *a);
/* dst (reset first) takes src's buffers; src is left empty (both keep
 * their own `binary`). */
void cc_strarray_move(cc_strarray *dst, cc_strarray *src);

static inline bool cc_strarray_is_valid(const cc_strarray *a, int64_t i) {
    return !a->nullable || cc_bitmap_get(a->validity, i);
}

/* Offset i of the compact layout (no checks). */
static inline int64_t cc_strarray_offset(const cc_strarray *a, int64_t i) {
    return a->wide ? ((const int64_t *)a->offsets)[i]
                   : ((const int32_t *)a->offsets)[i];
}

/* Element i's bytes (no bounds check; caller must).  Nulls are empty. */
static inline cc_str cc_strarray_get(const cc_strarray *a, int64_t i) {
    cc_str s;
    if (a->spans) {
        s.ptr = a->data + a->spans[2 * i];
        s.len = a->spans[2 * i + 1];
    } else {
        int64_t lo = cc_strarray_offset(a, i);
        s.ptr = a->data + lo;
        s.len = cc_strarray_offset(a, i + 1) - lo;
    }
    return s;
}

/* ---- sharing (cc_buffer.h) ---- */

static inline bool cc_strarray_is_shared(const cc_strarray *a) {
    return a->data_share || a->offsets_share || a->validity_share;
}
/* Makes every buffer private (copies of what is shared), as every mutator
 * does first.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_strarray_own(cc_strarray *a);
/* Makes a nullable (no value changes; every element valid): a new private
 * bitmap.  No-op if it already is.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_strarray_make_nullable(cc_strarray *a);
/* New references to a's validity, offsets and data (NULL where a has
 * none) for a snapshot of the compact layout; CC_EBUSY while aliased
 * (exports > 0: copy instead), CC_EINVAL while scattered (compact first). */
CC_MUST_CHECK cc_status cc_strarray_share(cc_strarray *a, cc_buffer *refs[3]);
/* out (reset first, a's nullability) = the same strings as a, sharing its
 * buffers: O(1) (a is compacted first if scattered).  CC_EBUSY while
 * aliased. */
CC_MUST_CHECK cc_status cc_strarray_share_into(cc_strarray *a, cc_strarray *out);
/* a (empty) takes n strings in Arrow's layout -- offsets[0..n] (int64 if
 * wide, else int32) into data, validity's bits 0..n-1 (NULL: none null;
 * null_count its clear bits) -- each buffer held by a new reference to its
 * share and never written.  Checks as cc_strarray_append_arrow does
 * (O(n + bytes), nothing copied); offsets not starting at 0 are rebased
 * into a private copy (data then points at the first string's bytes).
 * A null must have no bytes (CC_EINVAL, err->index the null) -- the
 * caller copies such an array instead.  a's `wide` follows the offsets. */
CC_MUST_CHECK cc_status cc_strarray_adopt(cc_strarray *a, int64_t n, const void *offsets,
                                          cc_buffer *offsets_share, bool wide,
                                          const uint8_t *data, cc_buffer *data_share,
                                          const uint8_t *validity, cc_buffer *validity_share,
                                          int64_t null_count, cc_error *err);
/* Checks n strings in Arrow's layout as cc_strarray_append_arrow does,
 * without copying them: offsets never decrease from offsets[0] >= 0, and
 * unless binary every string starts on a character boundary and the bytes
 * are UTF-8. */
CC_MUST_CHECK cc_status cc_strarray_check_arrow(const void *offsets, bool wide, int64_t n,
                                                const uint8_t *data, bool binary, cc_error *err);

/* Room for n elements and nbytes bytes in total (exact). */
CC_MUST_CHECK cc_status cc_strarray_reserve(cc_strarray *a, int64_t n,
                                            int64_t nbytes);
/* Appends a string (is_null: a null, s ignored). */
CC_MUST_CHECK cc_status cc_strarray_append(cc_strarray *a, cc_str s, bool is_null);
/* a[i] = s (or null); CC_EINDEX if i is out of bounds. */
CC_MUST_CHECK cc_status cc_strarray_set(cc_strarray *a, int64_t i, cc_str s,
                                        bool is_null);
/* Replaces [at, at + del) with all of src (src != a; CC_EINDEX unless the
 * range is inside the array). */
CC_MUST_CHECK cc_status cc_strarray_splice(cc_strarray *a, int64_t at, int64_t del,
                                           const cc_strarray *src);
/* Appends the count elements start, start + step, ... of a to out (a
 * compact array; CC_EINVAL if a has nulls and out is not nullable). */
CC_MUST_CHECK cc_status cc_strarray_gather(const cc_strarray *a, int64_t start,
                                           int64_t step, int64_t count,
                                           cc_strarray *out);
/* Appends a[idx[0]], ..., a[idx[n-1]] to out (compact; nullable if a has
 * nulls).  CC_EINDEX unless every index is in bounds. */
CC_MUST_CHECK cc_status cc_strarray_take(const cc_strarray *a, const int64_t *idx, int64_t n,
                                         cc_strarray *out);
/* Assigns src's elements to the slots start, start + step, ... */
CC_MUST_CHECK cc_status cc_strarray_scatter(cc_strarray *a, int64_t start,
                                            int64_t step, const cc_strarray *src);
/* Deletes the count elements start, start + step, ... (step may be < 0). */
CC_MUST_CHECK cc_status cc_strarray_delete_strided(cc_strarray *a, int64_t start,
                                                   int64_t step, int64_t count);
/* cc_strarray_delete_strided in two steps, for an all-or-nothing deletion
 * across several arrays: prepare makes every check and allocation (a
 * compact array losing rows in the middle gets its kept elements, compact,
 * in *out; otherwise out stays empty: the deletion allocates nothing);
 * commit cannot fail.  Nothing may change a in between. */
CC_MUST_CHECK cc_status cc_strarray_delete_prepare(const cc_strarray *a, int64_t start,
                                                   int64_t step, int64_t count, cc_strarray *out);
void cc_strarray_delete_commit(cc_strarray *a, int64_t start, int64_t step, int64_t count,
                               cc_strarray *prepared);
/* Moves the last element to position at (0 <= at < length), the ones from
 * at on moving up one: in place, allocating nothing (an insertion made of
 * an append that may fail and this, which cannot).  No-op while exported
 * or out of range. */
void cc_strarray_rotate_last_to(cc_strarray *a, int64_t at);
/* a = a repeated n times. */
CC_MUST_CHECK cc_status cc_strarray_repeat(cc_strarray *a, int64_t n);
CC_MUST_CHECK cc_status cc_strarray_reverse(cc_strarray *a);
/* order[k] = the index of the k-th element in sorted order (stable, by
 * bytes, nulls last); order has room for a->length entries. */
CC_MUST_CHECK cc_status cc_strarray_argsort(const cc_strarray *a, bool reverse, int64_t *order);
/* Stably reorders order[0..n) -- indices into a, each in bounds -- by the
 * strings' bytes (descending if reverse, equal strings keeping their
 * order), nulls last in their incoming order.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_strarray_sort_order(const cc_strarray *a, bool reverse, int64_t *order,
                                               int64_t n);
/* Stable sort by bytes (= code points for UTF-8); nulls last. */
CC_MUST_CHECK cc_status cc_strarray_sort(cc_strarray *a, bool reverse);
/* a = a[order[0]], a[order[1]], ... for a permutation of 0..length-1;
 * allowed while exported (same bytes, rewritten in place). */
CC_MUST_CHECK cc_status cc_strarray_permute(cc_strarray *a, const int64_t *order);
/* cc_strarray_permute in two steps, for an all-or-nothing permutation of
 * several arrays: prepare builds the permuted elements in *out (every
 * check and allocation; on error out is empty and a untouched), commit
 * installs them in a and empties out -- it cannot fail.  Nothing may
 * change a in between. */
CC_MUST_CHECK cc_status cc_strarray_permute_prepare(const cc_strarray *a, const int64_t *order,
                                                    cc_strarray *out);
void cc_strarray_permute_commit(cc_strarray *a, cc_strarray *prepared);
/* Releases spare element slots and data bytes (not while exported). */
CC_MUST_CHECK cc_status cc_strarray_shrink_to_fit(cc_strarray *a);
/* Back to the compact (Arrow) layout; no-op when already compact. */
CC_MUST_CHECK cc_status cc_strarray_compact(cc_strarray *a);

/* First index in [start, stop) whose bytes equal s, or -1 (nulls never). */
int64_t cc_strarray_find(const cc_strarray *a, cc_str s, int64_t start, int64_t stop);
int64_t cc_strarray_find_null(const cc_strarray *a, int64_t start, int64_t stop);
int64_t cc_strarray_count(const cc_strarray *a, cc_str s);

/* Live bytes (the data a compact copy would hold). */
static inline int64_t cc_strarray_live_bytes(const cc_strarray *a) {
    return a->data_len - a->dead;
}

/* ---- cc_strarray_scan.c: whole-array string operations ---- */

/* out[i] = number of code points of element i (0 for nulls). */
void cc_strarray_lengths(const cc_strarray *a, int64_t *out);

typedef enum { CC_MATCH_EQUALS, CC_MATCH_PREFIX, CC_MATCH_CONTAINS } cc_match;
/* out[i] = 1 if element i equals / starts with / contains needle, else 0
 * (0 for nulls). */
void cc_strarray_match(const cc_strarray *a, cc_str needle, cc_match how, uint8_t *out);
/* Appends n strings given in Arrow's layout -- offsets[0..n] (int32, or
 * int64 if wide) into data -- checking that the offsets never decrease,
 * and unless a->binary that every string starts on a character boundary
 * and the bytes are UTF-8
 * (CC_EINVAL with err->why, and err->index = the element or -1; a
 * unchanged).  a must be compact; the new elements are valid (not null).
 * One memcpy of the bytes. */
CC_MUST_CHECK cc_status cc_strarray_append_arrow(cc_strarray *a, const void *offsets, bool wide,
                                                 int64_t n, const uint8_t *data, cc_error *err);
/* Non-zero if the n bytes at p are valid UTF-8 (no surrogates, no
 * overlong forms, nothing past U+10FFFF). */
bool cc_utf8_valid(const uint8_t *p, int64_t n);

/* Checks the invariants; on failure returns CC_EINVAL with err->why. */
CC_MUST_CHECK cc_status cc_strarray_validate(const cc_strarray *a, cc_error *err);

#endif /* CC_STRARRAY_H */
