/* cc_strarray.c -- string array storage; layout and invariants in
 * cc_strarray.h.
 *
 * Strategy: the hot operations keep the compact layout (append, extend and
 * pop at the end, same-length assignment, assignment to the last element).
 * Everything that moves strings around in the middle works on spans: a
 * compact array is converted (O(n)), edited, and -- if it was compact before
 * -- compacted again, which costs what list's O(n) insert/delete costs
 * anyway.  Only assignment leaves an array scattered, because that is where
 * staying scattered buys O(1).
 *
 * Growth: element slots as cc_numarray (n + n/8 + 3 or 6); data bytes as
 * bytes + bytes/8 + 64.  Bulk operations that know their size are exact.
 */
#include "cc_strarray.h"

#include "cc_numarray.h" /* cc_numarray_grown_capacity */

static int64_t grown_bytes(int64_t n) {
    int64_t extra = (n >> 3) + 64;
    return n > CC_MAX_SIZE - extra ? CC_MAX_SIZE : n + extra;
}

static int offset_size(const cc_strarray *a) { return a->wide ? 8 : 4; }

static void set_offset(cc_strarray *a, int64_t i, int64_t v) {
    if (a->wide) ((int64_t *)a->offsets)[i] = v;
    else ((int32_t *)a->offsets)[i] = (int32_t)v;
}

void cc_strarray_init(cc_strarray *a, bool nullable) {
    memset(a, 0, sizeof *a);
    a->nullable = nullable;
}

void cc_strarray_reset(cc_strarray *a) {
    cc_slot_drop(&a->data, &a->data_share);
    cc_slot_drop(&a->offsets, &a->offsets_share);
    cc_slot_drop(&a->validity, &a->validity_share);
    cc_free(a->spans);
    bool binary = a->binary;
    cc_strarray_init(a, a->nullable);
    a->binary = binary;
}

void cc_strarray_move(cc_strarray *dst, cc_strarray *src) {
    bool dst_binary = dst->binary, src_binary = src->binary;
    cc_strarray_reset(dst);
    *dst = *src;
    dst->binary = dst_binary;
    cc_strarray_init(src, dst->nullable);
    src->binary = src_binary;
}

/* ---- sharing ------------------------------------------------------------------ */

static size_t offsets_bytes(const cc_strarray *a, int64_t n) {
    return (size_t)(n + 1) * (size_t)offset_size(a);
}

static cc_status own_slow(cc_strarray *a) {
    CC_RETURN_NOT_OK(cc_slot_unshare(&a->data, &a->data_share, (size_t)a->data_len,
                                     (size_t)a->data_cap, false));
    CC_RETURN_NOT_OK(cc_slot_unshare(&a->offsets, &a->offsets_share,
                                     a->offsets ? offsets_bytes(a, a->length) : 0,
                                     a->offsets ? offsets_bytes(a, a->capacity) : 0, false));
    if (a->validity_share) {
        CC_RETURN_NOT_OK(cc_slot_unshare(&a->validity, &a->validity_share,
                                         (size_t)cc_bitmap_bytes(a->length),
                                         (size_t)cc_bitmap_bytes(a->capacity), true));
        /* an adopted bitmap may have set bits past the length */
        cc_bitmap_fill(a->validity, a->length, cc_bitmap_bytes(a->length) * 8 - a->length,
                       false);
    }
    return CC_OK;
}

cc_status cc_strarray_own(cc_strarray *a) {
    return CC_LIKELY(!cc_strarray_is_shared(a)) ? CC_OK : own_slow(a);
}

cc_status cc_strarray_share(cc_strarray *a, cc_buffer *refs[3]) {
    refs[0] = refs[1] = refs[2] = NULL;
    if (a->exports) return CC_EBUSY;
    if (a->spans) return CC_EINVAL;
    cc_status st = cc_slot_share(&a->validity, &a->validity_share,
                                 (size_t)cc_bitmap_bytes(a->capacity), &refs[0]);
    if (st == CC_OK && a->offsets)
        st = cc_slot_share(&a->offsets, &a->offsets_share, offsets_bytes(a, a->capacity),
                           &refs[1]);
    if (st == CC_OK)
        st = cc_slot_share(&a->data, &a->data_share, (size_t)a->data_cap, &refs[2]);
    if (st != CC_OK)
        for (int k = 0; k < 3; k++) cc_buffer_unref(refs[k]), refs[k] = NULL;
    return st;
}

cc_status cc_strarray_share_into(cc_strarray *a, cc_strarray *out) {
    cc_strarray_reset(out);
    cc_strarray_init(out, a->nullable);
    CC_RETURN_NOT_OK(cc_strarray_compact(a));
    cc_buffer *refs[3];
    CC_RETURN_NOT_OK(cc_strarray_share(a, refs));
    *out = *a;
    out->exports = 0;
    out->validity_share = refs[0], out->offsets_share = refs[1], out->data_share = refs[2];
    return CC_OK;
}

cc_status cc_strarray_make_nullable(cc_strarray *a) {
    if (a->nullable) return CC_OK;
    if (a->capacity) CC_RETURN_NOT_OK(cc_bitmap_new_valid(&a->validity, a->capacity, a->length));
    a->nullable = true;
    return CC_OK;
}

cc_status cc_strarray_adopt(cc_strarray *a, int64_t n, const void *offsets,
                            cc_buffer *offsets_share, bool wide, const uint8_t *data,
                            cc_buffer *data_share, const uint8_t *validity,
                            cc_buffer *validity_share, int64_t null_count, cc_error *err) {
    err->why = NULL;
    if (a->capacity || a->data_cap || (validity && !a->nullable) || n < 0 ||
        n > CC_MAX_SIZE / 16 || null_count < 0 || null_count > n || (null_count && !validity))
        return cc_error_set(err, CC_EINVAL, "cannot adopt these buffers", -1);
    if (n == 0) return CC_OK;
    CC_RETURN_NOT_OK(cc_strarray_check_arrow(offsets, wide, n, data, a->binary, err));
#define OFF(i) (wide ? ((const int64_t *)offsets)[i] : (int64_t)((const int32_t *)offsets)[i])
    int64_t first = OFF(0);
    for (int64_t i = 0; null_count && i < n; i++)
        if (!cc_bitmap_get(validity, i) && OFF(i + 1) != OFF(i))
            return cc_error_set(err, CC_EINVAL, "null %lld has bytes", i);
    uint8_t *own_offsets = NULL, *bits = NULL;
    if (first) { /* rebased: ours start at 0 */
        own_offsets = cc_malloc((size_t)(n + 1) * (wide ? 8u : 4u));
        if (!own_offsets) return CC_ENOMEM;
        for (int64_t i = 0; i <= n; i++) {
            if (wide) ((int64_t *)own_offsets)[i] = OFF(i) - first;
            else ((int32_t *)own_offsets)[i] = (int32_t)(OFF(i) - first);
        }
    }
    if (a->nullable && !validity) { /* a nullable array always has a bitmap */
        bits = cc_malloc((size_t)cc_bitmap_bytes(n));
        if (!bits) {
            cc_free(own_offsets);
            return CC_ENOMEM;
        }
        memset(bits, 0xFF, (size_t)cc_bitmap_bytes(n));
        cc_bitmap_fill(bits, n, cc_bitmap_bytes(n) * 8 - n, false);
    }
    a->data_len = a->data_cap = OFF(n) - first;
#undef OFF
    a->data = (uint8_t *)data + first;
    a->data_share = data_share;
    cc_buffer_ref(data_share);
    if (own_offsets) {
        a->offsets = own_offsets;
    } else {
        a->offsets = (uint8_t *)offsets;
        a->offsets_share = offsets_share;
        cc_buffer_ref(offsets_share);
    }
    if (bits) {
        a->validity = bits;
    } else if (validity) {
        a->validity = (uint8_t *)validity;
        a->validity_share = validity_share;
        cc_buffer_ref(validity_share);
    }
    a->length = a->capacity = n;
    a->null_count = null_count;
    a->wide = wide;
    return CC_OK;
}

/* ---- allocation ------------------------------------------------------------- */

static cc_status ensure_bytes(cc_strarray *a, int64_t needed, bool exact) {
    if (needed <= a->data_cap) return CC_OK;
    if (needed > CC_MAX_SIZE) return CC_ENOMEM;
    int64_t cap = exact ? needed : grown_bytes(needed);
    uint8_t *p = cc_realloc(a->data, (size_t)a->data_cap, (size_t)cap);
    if (!p) return CC_ENOMEM;
    a->data = p;
    a->data_cap = cap;
    return CC_OK;
}

/* Slots (offsets or spans, and validity) for `needed` elements.  The
 * offsets array always has one entry more than the capacity. */
static cc_status ensure_slots(cc_strarray *a, int64_t needed, bool exact) {
    if (needed <= a->capacity && (a->offsets || a->spans)) return CC_OK;
    if (needed > CC_MAX_SIZE / 16) return CC_ENOMEM;
    int64_t cap = needed <= a->capacity ? a->capacity
                  : exact ? needed : cc_numarray_grown_capacity(needed);
    /* The slots first, the bitmap (32x smaller) after: an impossible size
     * fails on the big allocation, before the small one was made; a bitmap
     * that then fails leaves larger slots than recorded, which is harmless. */
    if (a->spans) {
        int64_t *sp = cc_realloc(a->spans, (size_t)a->capacity * 16, (size_t)cap * 16);
        if (!sp) return CC_ENOMEM;
        a->spans = sp;
    } else {
        bool fresh = a->offsets == NULL;
        size_t had = fresh ? 0 : (size_t)(a->capacity + 1) * (size_t)offset_size(a);
        void *off = cc_realloc(a->offsets, had, (size_t)(cap + 1) * (size_t)offset_size(a));
        if (!off) return CC_ENOMEM;
        a->offsets = off;
        if (fresh) set_offset(a, 0, 0);
    }
    if (a->nullable) CC_RETURN_NOT_OK(cc_bitmap_resize(&a->validity, a->capacity, cap));
    a->capacity = cap;
    return CC_OK;
}

/* Compact layout with int64 offsets. */
static cc_status widen_offsets(cc_strarray *a) {
    if (a->wide) return CC_OK;
    if (a->exports) return CC_EBUSY;
    int64_t *off = cc_malloc((size_t)(a->capacity + 1) * 8);
    if (!off) return CC_ENOMEM;
    for (int64_t i = 0; a->offsets && i <= a->length; i++)
        off[i] = ((const int32_t *)(const void *)a->offsets)[i];
    if (!a->offsets) off[0] = 0;
    cc_free(a->offsets);
    a->offsets = (uint8_t *)off;
    a->wide = true;
    return CC_OK;
}

static cc_status own_then_widen_offsets(cc_strarray *a) {
    if (a->wide) return CC_OK;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    return widen_offsets(a);
}

/* Compact -> scattered (spans).  O(n); frees the offsets, so makes the
 * buffers private first (a scattered array is never shared): a caller that
 * skipped cc_strarray_own (an empty slice assignment) must not free shared
 * offsets. */
static cc_status to_scattered(cc_strarray *a) {
    if (a->spans) return CC_OK;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    int64_t cap = a->capacity ? a->capacity : 1;
    if (a->nullable && cap != a->capacity) /* the bitmap follows the capacity */
        CC_RETURN_NOT_OK(cc_bitmap_resize(&a->validity, a->capacity, cap));
    int64_t *sp = cc_malloc((size_t)cap * 16);
    if (!sp) return CC_ENOMEM;
    for (int64_t i = 0; i < a->length; i++) {
        cc_str s = cc_strarray_get(a, i);
        sp[2 * i] = s.ptr - a->data;
        sp[2 * i + 1] = s.len;
    }
    cc_free(a->offsets);
    a->offsets = NULL;
    a->spans = sp;
    a->capacity = cap;
    a->wide = false;
    a->dead = 0;
    return CC_OK;
}

/* ---- building compact arrays from a list of indices ---------------------- */

/* Appends the elements a[order[k]] (k < n; or start + k * step when order
 * is NULL) to out, which is compact. */
static cc_status append_selected(const cc_strarray *a, const int64_t *order,
                                 int64_t start, int64_t step, int64_t n,
                                 cc_strarray *out) {
    if (order ? n < 0 || !cc_indices_in_bounds(order, n, a->length)
              : !cc_strided_in_bounds(start, step, n, a->length))
        return CC_EINDEX;
    int64_t bytes = out->data_len;
    for (int64_t k = 0; k < n; k++) {
        int64_t i = order ? order[k] : start + k * step;
        bytes += cc_strarray_get(a, i).len;
        if (bytes > CC_MAX_SIZE) return CC_ENOMEM;
    }
    int64_t len = out->length + n;
    if (out->exports && n) return CC_EBUSY;
    /* out may share its buffers (a snapshot of it, or adopted): private
     * before they are grown or written */
    if (n) CC_RETURN_NOT_OK(cc_strarray_own(out));
    CC_RETURN_NOT_OK(ensure_bytes(out, bytes, out->length == 0));
    CC_RETURN_NOT_OK(ensure_slots(out, len, out->length == 0));
    if (bytes > CC_STR_NARROW_MAX) CC_RETURN_NOT_OK(widen_offsets(out));
    for (int64_t k = 0; k < n; k++) {
        int64_t i = order ? order[k] : start + k * step;
        cc_str s = cc_strarray_get(a, i);
        int64_t j = out->length + k;
        if (s.len) memcpy(out->data + out->data_len, s.ptr, (size_t)s.len);
        out->data_len += s.len;
        set_offset(out, j + 1, out->data_len);
        if (out->nullable) {
            bool valid = cc_strarray_is_valid(a, i);
            cc_bitmap_set(out->validity, j, valid);
            out->null_count += !valid;
        }
    }
    out->length = len;
    return CC_OK;
}

/* a (which may be exported) = its elements in `order` (a permutation).
 * When exported the result is written into the same buffers, which fit:
 * the same elements, the same bytes. */
/* out (initialised here) = the elements start, start + step, ... or
 * order[0], order[1], ... of a, ready for commit_reorder, which cannot fail. */
static cc_status prepare_reorder(const cc_strarray *a, const int64_t *order, int64_t start,
                                 int64_t step, cc_strarray *out) {
    cc_strarray_init(out, a->nullable);
    cc_status st = append_selected(a, order, start, step, a->length, out);
    if (st == CC_OK && a->exports && (a->spans || a->wide != out->wide))
        st = CC_EBUSY; /* cannot happen while compact and exported */
    if (st != CC_OK) cc_strarray_reset(out);
    return st;
}

static void commit_reorder(cc_strarray *a, cc_strarray *out) {
    if (a->exports) {
        if (out->data_len) memcpy(a->data, out->data, (size_t)out->data_len);
        memcpy(a->offsets, out->offsets, (size_t)(out->length + 1) * (size_t)offset_size(a));
        if (a->nullable) memcpy(a->validity, out->validity, (size_t)cc_bitmap_bytes(out->length));
    } else {
        cc_strarray_move(a, out);
    }
    cc_strarray_reset(out);
}

static cc_status reorder(cc_strarray *a, const int64_t *order, int64_t start,
                         int64_t step) {
    cc_strarray out;
    CC_RETURN_NOT_OK(prepare_reorder(a, order, start, step, &out));
    commit_reorder(a, &out);
    return CC_OK;
}

cc_status cc_strarray_permute_prepare(const cc_strarray *a, const int64_t *order,
                                      cc_strarray *out) {
    cc_strarray_init(out, a->nullable);
    if (!cc_indices_in_bounds(order, a->length, a->length)) return CC_EINDEX;
    return a->length < 2 ? CC_OK : prepare_reorder(a, order, 0, 1, out);
}

void cc_strarray_permute_commit(cc_strarray *a, cc_strarray *prepared) {
    if (a->length < 2) cc_strarray_reset(prepared);
    else commit_reorder(a, prepared);
}

cc_status cc_strarray_permute(cc_strarray *a, const int64_t *order) {
    if (!cc_indices_in_bounds(order, a->length, a->length)) return CC_EINDEX;
    return a->length < 2 ? CC_OK : reorder(a, order, 0, 1);
}

cc_status cc_strarray_shrink_to_fit(cc_strarray *a) {
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    int64_t bytes = a->data_len ? a->data_len : 1, cap = a->length ? a->length : 1;
    if (bytes < a->data_cap) {
        uint8_t *p = cc_realloc(a->data, (size_t)a->data_cap, (size_t)bytes);
        if (!p) return CC_ENOMEM;
        a->data = p;
        a->data_cap = bytes;
    }
    if (cap < a->capacity) {
        /* The bitmap first: once it has shrunk the capacity is `cap`, and a
         * failed realloc below only leaves the slots larger than needed. */
        int64_t had = a->capacity;
        if (a->nullable) CC_RETURN_NOT_OK(cc_bitmap_resize(&a->validity, a->capacity, cap));
        a->capacity = cap;
        size_t slot = a->spans ? 16 : (size_t)offset_size(a);
        size_t size = a->spans ? (size_t)cap * 16 : (size_t)(cap + 1) * slot;
        size_t old = a->spans ? (size_t)had * 16 : (size_t)(had + 1) * slot;
        void *p = cc_realloc(a->spans ? (void *)a->spans : a->offsets, old, size);
        if (!p) return CC_OK;
        if (a->spans) a->spans = p;
        else a->offsets = p;
    }
    return CC_OK;
}

cc_status cc_strarray_compact(cc_strarray *a) {
    if (!a->spans) return CC_OK;
    return reorder(a, NULL, 0, 1);
}

/* Compacts a scattered array once dead bytes outnumber live ones.  A failed
 * compaction only leaves it scattered. */
static void maybe_compact(cc_strarray *a) {
    if (a->spans && a->dead > 64 && a->dead > cc_strarray_live_bytes(a))
        if (cc_strarray_compact(a) != CC_OK) { /* stays scattered: still valid */ }
}

/* After an edit that went through spans: an array that was compact before
 * compacts again (the edit already cost O(n)); a scattered one compacts once
 * dead bytes dominate.  A failed compaction only leaves it scattered. */
static void settle(cc_strarray *a, bool was_compact) {
    if (!was_compact) maybe_compact(a);
    else if (cc_strarray_compact(a) != CC_OK) { /* stays scattered: still valid */ }
}

/* ---- reserve, append, set ---------------------------------------------------- */

cc_status cc_strarray_reserve(cc_strarray *a, int64_t n, int64_t nbytes) {
    if (n < 0 || nbytes < 0) return CC_EINVAL;
    bool narrow_too_small = !a->spans && !a->wide && nbytes > CC_STR_NARROW_MAX;
    if (n <= a->capacity && nbytes <= a->data_cap)
        return narrow_too_small ? own_then_widen_offsets(a) : CC_OK;
    if (n > CC_MAX_SIZE / 16 || nbytes > CC_MAX_SIZE) return CC_ENOMEM;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    /* the larger request first, so an impossible one allocates nothing */
    if (nbytes >= n * 8) CC_RETURN_NOT_OK(ensure_bytes(a, nbytes, true));
    CC_RETURN_NOT_OK(ensure_slots(a, n, true));
    CC_RETURN_NOT_OK(ensure_bytes(a, nbytes, true));
    if (!a->spans && nbytes > CC_STR_NARROW_MAX) CC_RETURN_NOT_OK(widen_offsets(a));
    return CC_OK;
}

/* Writes element i = (bytes at the end of data, validity); the slot is
 * allocated and the bytes reserved.  Scattered or compact. */
static void put_last(cc_strarray *a, int64_t i, cc_str s, bool is_null) {
    int64_t len = is_null ? 0 : s.len;
    if (len) memcpy(a->data + a->data_len, s.ptr, (size_t)len);
    if (a->spans) {
        a->spans[2 * i] = a->data_len;
        a->spans[2 * i + 1] = len;
    }
    a->data_len += len;
    if (!a->spans) set_offset(a, i + 1, a->data_len);
    if (a->nullable) {
        cc_bitmap_set(a->validity, i, !is_null);
        a->null_count += is_null;
    }
}

cc_status cc_strarray_append(cc_strarray *a, cc_str s, bool is_null) {
    if (a->exports) return CC_EBUSY;
    if (is_null && !a->nullable) return CC_ETYPE;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    int64_t len = is_null ? 0 : s.len, bytes;
    CC_RETURN_NOT_OK(cc_add_count(a->data_len, len, &bytes));
    CC_RETURN_NOT_OK(ensure_bytes(a, bytes, false));
    CC_RETURN_NOT_OK(ensure_slots(a, a->length + 1, false));
    if (!a->spans && bytes > CC_STR_NARROW_MAX) CC_RETURN_NOT_OK(widen_offsets(a));
    put_last(a, a->length, s, is_null);
    a->length++;
    return CC_OK;
}

static void update_validity(cc_strarray *a, int64_t i, bool was_valid, bool valid) {
    if (!a->nullable) return;
    cc_bitmap_set(a->validity, i, valid);
    a->null_count += (int64_t)was_valid - (int64_t)valid;
}

/* Compact layout, last element: its bytes become `len` long. */
static cc_status resize_last(cc_strarray *a, int64_t len) {
    int64_t i = a->length - 1, end;
    CC_RETURN_NOT_OK(cc_add_count(cc_strarray_offset(a, i), len, &end));
    CC_RETURN_NOT_OK(ensure_bytes(a, end, false));
    if (end > CC_STR_NARROW_MAX) CC_RETURN_NOT_OK(widen_offsets(a));
    a->data_len = end;
    set_offset(a, i + 1, end);
    return CC_OK;
}

/* Scattered layout: element i gets room for `len` bytes -- its old place
 * when that is big enough, else new bytes at the end of data. */
static cc_status respan(cc_strarray *a, int64_t i, int64_t len, uint8_t **dst) {
    int64_t *span = &a->spans[2 * i];
    if (len > span[1]) {
        int64_t end;
        CC_RETURN_NOT_OK(cc_add_count(a->data_len, len, &end));
        CC_RETURN_NOT_OK(ensure_bytes(a, end, false));
        a->dead += span[1];
        span[0] = a->data_len;
        a->data_len = end;
    } else {
        a->dead += span[1] - len;
    }
    span[1] = len;
    *dst = a->data + span[0];
    return CC_OK;
}

cc_status cc_strarray_set(cc_strarray *a, int64_t i, cc_str s, bool is_null) {
    if (i < 0 || i >= a->length) return CC_EINDEX;
    if (is_null && !a->nullable) return CC_ETYPE;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    int64_t len = is_null ? 0 : s.len;
    cc_str old = cc_strarray_get(a, i);
    bool was_valid = cc_strarray_is_valid(a, i);
    uint8_t *dst = (uint8_t *)old.ptr;
    if (len != old.len) {
        if (a->exports) return CC_EBUSY;
        if (!a->spans && i == a->length - 1) {
            CC_RETURN_NOT_OK(resize_last(a, len));
            dst = a->data + cc_strarray_offset(a, i);
        } else {
            CC_RETURN_NOT_OK(to_scattered(a));
            CC_RETURN_NOT_OK(respan(a, i, len, &dst));
        }
    }
    if (len) memmove(dst, s.ptr, (size_t)len);
    update_validity(a, i, was_valid, !is_null);
    maybe_compact(a);
    return CC_OK;
}

/* ---- bulk edits ------------------------------------------------------------- */

/* Appends src[k0, k0 + n) to a; bytes and slots are already reserved. */
static void append_from(cc_strarray *a, const cc_strarray *src, int64_t k0, int64_t n) {
    for (int64_t k = k0; k < k0 + n; k++) {
        put_last(a, a->length, cc_strarray_get(src, k), !cc_strarray_is_valid(src, k));
        a->length++;
    }
}

/* Same-length rewrite of [at, at + n) from src: the only edit an exported
 * array takes.  CC_EBUSY (and nothing written) unless every length matches. */
static cc_status overwrite_in_place(cc_strarray *a, int64_t at, int64_t step,
                                   const cc_strarray *src) {
    for (int64_t k = 0; k < src->length; k++)
        if (cc_strarray_get(a, at + k * step).len != cc_strarray_get(src, k).len)
            return CC_EBUSY;
    for (int64_t k = 0; k < src->length; k++) {
        int64_t i = at + k * step;
        cc_str s = cc_strarray_get(src, k);
        bool was_valid = cc_strarray_is_valid(a, i);
        if (s.len) memmove((uint8_t *)cc_strarray_get(a, i).ptr, s.ptr, (size_t)s.len);
        update_validity(a, i, was_valid, cc_strarray_is_valid(src, k));
    }
    return CC_OK;
}

static int64_t nulls_in(const cc_strarray *a, int64_t start, int64_t n) {
    return a->nullable ? n - cc_bitmap_count(a->validity, start, n) : 0;
}

/* Compact layout: drop everything from element `at` on. */
static void truncate_compact(cc_strarray *a, int64_t at) {
    a->null_count -= nulls_in(a, at, a->length - at);
    if (a->nullable) cc_bitmap_fill(a->validity, at, a->length - at, false);
    a->data_len = cc_strarray_offset(a, at);
    a->length = at;
}

cc_status cc_strarray_splice(cc_strarray *a, int64_t at, int64_t del,
                             const cc_strarray *src) {
    if (!cc_range_in_bounds(at, del, a->length)) return CC_EINDEX;
    if (src->null_count && !a->nullable) return CC_EINVAL;
    int64_t n = src->length, new_len, bytes;
    if (a->exports) return n == del ? overwrite_in_place(a, at, 1, src) : CC_EBUSY;
    if (n || del) CC_RETURN_NOT_OK(cc_strarray_own(a));
    CC_RETURN_NOT_OK(cc_add_count(a->length - del, n, &new_len));
    bool was_compact = !a->spans;
    if (at + del == a->length && was_compact) { /* extend / tail: stays compact */
        CC_RETURN_NOT_OK(ensure_slots(a, new_len, false)); /* first: offsets exist */
        CC_RETURN_NOT_OK(cc_add_count(cc_strarray_offset(a, at), cc_strarray_live_bytes(src), &bytes));
        CC_RETURN_NOT_OK(ensure_bytes(a, bytes, false));
        if (bytes > CC_STR_NARROW_MAX) CC_RETURN_NOT_OK(widen_offsets(a));
        truncate_compact(a, at);
        append_from(a, src, 0, n);
        return CC_OK;
    }
    CC_RETURN_NOT_OK(to_scattered(a));
    CC_RETURN_NOT_OK(cc_add_count(a->data_len, cc_strarray_live_bytes(src), &bytes));
    CC_RETURN_NOT_OK(ensure_bytes(a, bytes, false));
    CC_RETURN_NOT_OK(ensure_slots(a, new_len, false));
    int64_t dead = 0, tail = a->length - at - del;
    for (int64_t i = at; i < at + del; i++) dead += a->spans[2 * i + 1];
    a->null_count -= nulls_in(a, at, del);
    memmove(a->spans + 2 * (at + n), a->spans + 2 * (at + del), (size_t)tail * 16);
    if (a->nullable) {
        cc_bitmap_move(a->validity, at + n, a->validity, at + del, tail);
        if (new_len < a->length) cc_bitmap_fill(a->validity, new_len, a->length - new_len, false);
    }
    a->dead += dead;
    a->length = at; /* put_last writes at a->length: aim it at the gap */
    append_from(a, src, 0, n);
    a->length = new_len;
    settle(a, was_compact);
    return CC_OK;
}

cc_status cc_strarray_take(const cc_strarray *a, const int64_t *idx, int64_t n,
                           cc_strarray *out) {
    if ((a->null_count && !out->nullable) || out->spans) return CC_EINVAL;
    return append_selected(a, idx, 0, 0, n, out);
}

cc_status cc_strarray_gather(const cc_strarray *a, int64_t start, int64_t step,
                             int64_t count, cc_strarray *out) {
    /* nulls only into a nullable out; anything else converts as it goes */
    if ((a->null_count && !out->nullable) || out->spans) return CC_EINVAL;
    return append_selected(a, NULL, start, step, count, out);
}

cc_status cc_strarray_scatter(cc_strarray *a, int64_t start, int64_t step,
                              const cc_strarray *src) {
    if (!cc_strided_in_bounds(start, step, src->length, a->length)) return CC_EINDEX;
    if (src->null_count && !a->nullable) return CC_EINVAL;
    if (a->exports) return overwrite_in_place(a, start, step, src);
    if (src->length) CC_RETURN_NOT_OK(cc_strarray_own(a));
    int64_t bytes;
    CC_RETURN_NOT_OK(to_scattered(a));
    CC_RETURN_NOT_OK(cc_add_count(a->data_len, cc_strarray_live_bytes(src), &bytes));
    CC_RETURN_NOT_OK(ensure_bytes(a, bytes, false)); /* respan cannot fail now */
    for (int64_t k = 0; k < src->length; k++) {
        int64_t i = start + k * step;
        cc_str s = cc_strarray_get(src, k);
        bool was_valid = cc_strarray_is_valid(a, i);
        uint8_t *dst;
        if (respan(a, i, s.len, &dst) != CC_OK) return CC_ENOMEM; /* unreachable */
        if (s.len) memcpy(dst, s.ptr, (size_t)s.len);
        update_validity(a, i, was_valid, cc_strarray_is_valid(src, k));
    }
    maybe_compact(a);
    return CC_OK;
}

/* The checks of a strided delete of count > 0 rows, and its rows as an
 * ascending run (*start the lowest, *step > 0). */
static cc_status check_delete(const cc_strarray *a, int64_t *start, int64_t *step,
                              int64_t count) {
    if (*step == 0) return CC_EINVAL;
    if (!cc_strided_in_bounds(*start, *step, count, a->length)) return CC_EINDEX;
    if (a->exports) return CC_EBUSY;
    if (*step < 0) {
        *start += (count - 1) * *step;
        *step = -*step;
    }
    return CC_OK;
}

cc_status cc_strarray_delete_strided(cc_strarray *a, int64_t start, int64_t step,
                                     int64_t count) {
    if (count <= 0) return CC_OK;
    CC_RETURN_NOT_OK(check_delete(a, &start, &step, count));
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    bool was_compact = !a->spans;
    if (was_compact && (step == 1 || count == 1) && start + count == a->length) {
        truncate_compact(a, start); /* pop / del a[k:] */
        return CC_OK;
    }
    CC_RETURN_NOT_OK(to_scattered(a));
    int64_t last = start + (count - 1) * step, w = start;
    for (int64_t r = start; r < a->length; r++) {
        if (r <= last && (r - start) % step == 0) {
            a->dead += a->spans[2 * r + 1];
            a->null_count -= !cc_strarray_is_valid(a, r);
            continue;
        }
        a->spans[2 * w] = a->spans[2 * r];
        a->spans[2 * w + 1] = a->spans[2 * r + 1];
        if (a->nullable) cc_bitmap_set(a->validity, w, cc_bitmap_get(a->validity, r));
        w++;
    }
    if (a->nullable) cc_bitmap_fill(a->validity, w, a->length - w, false);
    a->length = w;
    settle(a, was_compact);
    return CC_OK;
}

cc_status cc_strarray_delete_prepare(const cc_strarray *a, int64_t start, int64_t step,
                                     int64_t count, cc_strarray *out) {
    cc_strarray_init(out, a->nullable);
    if (count <= 0) return CC_OK;
    CC_RETURN_NOT_OK(check_delete(a, &start, &step, count));
    if (a->spans || ((step == 1 || count == 1) && start + count == a->length))
        return CC_OK; /* scattered, or a tail: the deletion allocates nothing */
    /* compact: the kept elements, compact, in out (what deleting through
     * spans and compacting again would leave) */
    size_t bytes;
    int64_t kept = a->length - count, w = 0;
    CC_RETURN_NOT_OK(cc_mul_size(kept ? kept : 1, (int64_t)sizeof(int64_t), &bytes));
    int64_t *idx = cc_malloc(bytes);
    if (!idx) return CC_ENOMEM;
    int64_t last = start + (count - 1) * step;
    for (int64_t r = 0; r < a->length; r++)
        if (!(r >= start && r <= last && (r - start) % step == 0)) idx[w++] = r;
    cc_status st = cc_strarray_reserve(out, kept, cc_strarray_live_bytes(a));
    if (st == CC_OK) st = cc_strarray_take(a, idx, kept, out);
    cc_free(idx);
    if (st != CC_OK) cc_strarray_reset(out);
    else if (kept == 0) { /* nothing kept: out holds no buffers, a marker is needed */
        cc_strarray_reset(out);
        return CC_OK;
    }
    return st;
}

void cc_strarray_delete_commit(cc_strarray *a, int64_t start, int64_t step, int64_t count,
                               cc_strarray *prepared) {
    if (prepared->length || prepared->capacity) {
        cc_strarray_move(a, prepared);
    } else if (cc_strarray_delete_strided(a, start, step, count) != CC_OK) {
        /* prepared said it allocates nothing: cannot fail */
    }
    cc_strarray_reset(prepared);
}

static void reverse_range(uint8_t *p, int64_t lo, int64_t hi) { /* [lo, hi) */
    for (hi--; lo < hi; lo++, hi--) {
        uint8_t t = p[lo];
        p[lo] = p[hi];
        p[hi] = t;
    }
}

void cc_strarray_rotate_last_to(cc_strarray *a, int64_t at) {
    int64_t n = a->length;
    /* shared: not reached (the append before it made a private) */
    if (at < 0 || at >= n - 1 || a->exports || cc_strarray_is_shared(a)) return;
    if (a->spans) {
        int64_t start = a->spans[2 * (n - 1)], len = a->spans[2 * (n - 1) + 1];
        memmove(a->spans + 2 * (at + 1), a->spans + 2 * at,
                (size_t)(n - 1 - at) * 2 * sizeof *a->spans);
        a->spans[2 * at] = start, a->spans[2 * at + 1] = len;
    } else {
        /* the bytes: [at's .. last's) [last's) -> [last's) [at's .. ), by three reversals */
        int64_t lo = cc_strarray_offset(a, at), mid = cc_strarray_offset(a, n - 1);
        int64_t len = a->data_len - mid;
        uint8_t small[256];
        if (len <= (int64_t)sizeof small) { /* a short last string: through the stack */
            if (len) memcpy(small, a->data + mid, (size_t)len);
            if (mid > lo) memmove(a->data + lo + len, a->data + lo, (size_t)(mid - lo));
            if (len) memcpy(a->data + lo, small, (size_t)len);
        } else {
            reverse_range(a->data, lo, mid);
            reverse_range(a->data, mid, a->data_len);
            reverse_range(a->data, lo, a->data_len);
        }
        if (a->wide) {
            int64_t *off = (int64_t *)(void *)a->offsets;
            memmove(off + at + 2, off + at + 1, (size_t)(n - 2 - at) * sizeof *off);
            off[at + 1] = off[at] + len;
            for (int64_t k = at + 2; k < n; k++) off[k] += len;
        } else {
            int32_t *off = (int32_t *)(void *)a->offsets;
            memmove(off + at + 2, off + at + 1, (size_t)(n - 2 - at) * sizeof *off);
            off[at + 1] = off[at] + (int32_t)len;
            for (int64_t k = at + 2; k < n; k++) off[k] += (int32_t)len;
        }
    }
    if (a->nullable) {
        bool last = cc_bitmap_get(a->validity, n - 1);
        for (int64_t k = n - 1; k > at; k--)
            cc_bitmap_set(a->validity, k, cc_bitmap_get(a->validity, k - 1));
        cc_bitmap_set(a->validity, at, last);
    }
}

cc_status cc_strarray_repeat(cc_strarray *a, int64_t n) {
    if (n <= 0) return cc_strarray_delete_strided(a, 0, 1, a->length);
    if (n == 1 || a->length == 0) return CC_OK;
    int64_t len, bytes;
    if (__builtin_mul_overflow(a->length, n, &len) || len > CC_MAX_SIZE / 16 ||
        __builtin_mul_overflow(cc_strarray_live_bytes(a), n, &bytes) || bytes > CC_MAX_SIZE)
        return CC_ENOMEM;
    if (a->exports) return CC_EBUSY;
    /* Built in fresh buffers and swapped in: if any allocation fails, a has
     * not grown (an 8 GB data buffer must not stay behind when the offsets
     * for it cannot be had). */
    cc_strarray out;
    cc_strarray_init(&out, a->nullable);
    cc_status st = cc_strarray_reserve(&out, len, bytes);
    for (int64_t r = 0; r < n && st == CC_OK; r++)
        st = append_selected(a, NULL, 0, 1, a->length, &out);
    if (st == CC_OK) cc_strarray_move(a, &out);
    cc_strarray_reset(&out);
    return st;
}

cc_status cc_strarray_reverse(cc_strarray *a) {
    if (a->length < 2) return CC_OK;
    return reorder(a, NULL, a->length - 1, -1);
}

/* ---- sort ---------------------------------------------------------------------- */

static int compare_str(cc_str x, cc_str y) {
    int64_t n = x.len < y.len ? x.len : y.len;
    int c = n ? memcmp(x.ptr, y.ptr, (size_t)n) : 0;
    if (c) return c;
    return (x.len > y.len) - (x.len < y.len);
}

/* Stable merge sort of idx[0, n) by the strings; tmp has n entries. */
static void merge_sort(const cc_strarray *a, int64_t *idx, int64_t *tmp, int64_t n,
                       int sign) {
    for (int64_t width = 1; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                /* take the right one only if strictly smaller: stable */
                int c = sign * compare_str(cc_strarray_get(a, idx[j]), cc_strarray_get(a, idx[i]));
                tmp[k++] = c < 0 ? idx[j++] : idx[i++];
            }
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof *idx);
    }
}

cc_status cc_strarray_sort_order(const cc_strarray *a, bool reverse, int64_t *order, int64_t n) {
    if (n < 2) return CC_OK;
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, (int64_t)sizeof(int64_t), &bytes));
    int64_t *tmp = cc_malloc(bytes);
    if (!tmp) return CC_ENOMEM;
    int64_t valid = 0, nulls = 0;
    for (int64_t i = 0; i < n; i++) /* valid elements first, then nulls, in order */
        if (cc_strarray_is_valid(a, order[i])) order[valid++] = order[i];
        else tmp[nulls++] = order[i];
    memcpy(order + valid, tmp, (size_t)nulls * sizeof *order);
    merge_sort(a, order, tmp, valid, reverse ? -1 : 1);
    cc_free(tmp);
    return CC_OK;
}

cc_status cc_strarray_argsort(const cc_strarray *a, bool reverse, int64_t *order) {
    for (int64_t i = 0; i < a->length; i++) order[i] = i;
    return cc_strarray_sort_order(a, reverse, order, a->length);
}

cc_status cc_strarray_sort(cc_strarray *a, bool reverse) {
    int64_t n = a->length;
    if (n < 2) return CC_OK;
    int64_t *idx = cc_malloc((size_t)n * sizeof *idx);
    if (!idx) return CC_ENOMEM;
    cc_status st = cc_strarray_argsort(a, reverse, idx);
    if (st == CC_OK) st = reorder(a, idx, 0, 1);
    cc_free(idx);
    return st;
}

/* ---- search ------------------------------------------------------------------- */

static bool equals_at(const cc_strarray *a, int64_t i, cc_str s) {
    cc_str x = cc_strarray_get(a, i);
    return x.len == s.len && (s.len == 0 || memcmp(x.ptr, s.ptr, (size_t)s.len) == 0) &&
           cc_strarray_is_valid(a, i);
}

int64_t cc_strarray_find(const cc_strarray *a, cc_str s, int64_t start, int64_t stop) {
    if (stop > a->length) stop = a->length;
    for (int64_t i = start < 0 ? 0 : start; i < stop; i++)
        if (equals_at(a, i, s)) return i;
    return -1;
}

int64_t cc_strarray_find_null(const cc_strarray *a, int64_t start, int64_t stop) {
    if (!a->nullable) return -1;
    if (stop > a->length) stop = a->length;
    for (int64_t i = start < 0 ? 0 : start; i < stop; i++)
        if (!cc_bitmap_get(a->validity, i)) return i;
    return -1;
}

int64_t cc_strarray_count(const cc_strarray *a, cc_str s) {
    int64_t count = 0;
    for (int64_t i = 0; i < a->length; i++) count += equals_at(a, i, s);
    return count;
}

/* ---- invariants ---------------------------------------------------------------- */

cc_status cc_strarray_validate(const cc_strarray *a, cc_error *err) {
    CC_CHECK_INVARIANT(a->length >= 0 && a->length <= a->capacity, "length outside [0, capacity]");
    CC_CHECK_INVARIANT(a->data_len >= 0 && a->data_len <= a->data_cap, "data_len outside [0, data_cap]");
    CC_CHECK_INVARIANT(!(a->offsets && a->spans), "both offsets and spans");
    CC_CHECK_INVARIANT(a->exports >= 0 && (a->exports == 0 || !a->spans), "exported while scattered");
    CC_CHECK_INVARIANT(!a->exports || !cc_strarray_is_shared(a),
                       "a buffer both aliased (exports) and shared (a snapshot holds it)");
    CC_CHECK_INVARIANT(!a->spans || !cc_strarray_is_shared(a), "shared while scattered");
    int64_t live = 0;
    if (a->spans) {
        for (int64_t i = 0; i < a->length; i++) {
            int64_t start = a->spans[2 * i], len = a->spans[2 * i + 1];
            CC_CHECK_INVARIANT(start >= 0 && len >= 0 && start + len <= a->data_len, "span outside data");
            live += len;
        }
        CC_CHECK_INVARIANT(live + a->dead == a->data_len, "live + dead bytes != data_len");
    } else {
        CC_CHECK_INVARIANT(a->dead == 0, "dead bytes in the compact layout");
        CC_CHECK_INVARIANT(a->length == 0 || a->offsets, "no offsets");
        if (a->offsets) {
            CC_CHECK_INVARIANT(cc_strarray_offset(a, 0) == 0, "offsets[0] != 0");
            for (int64_t i = 0; i < a->length; i++)
                CC_CHECK_INVARIANT(cc_strarray_offset(a, i) <= cc_strarray_offset(a, i + 1), "offsets not monotone");
            CC_CHECK_INVARIANT(cc_strarray_offset(a, a->length) == a->data_len, "offsets[n] != data_len");
        }
        CC_CHECK_INVARIANT(a->wide || a->data_len <= CC_STR_NARROW_MAX, "int32 offsets past 2**31 - 1 bytes");
    }
    if (!a->nullable) {
        CC_CHECK_INVARIANT(a->null_count == 0 && !a->validity, "bitmap on a non-nullable array");
        return CC_OK;
    }
    if (a->capacity == 0) return CC_OK;
    CC_CHECK_INVARIANT(a->null_count == a->length - cc_bitmap_count(a->validity, 0, a->length),
          "null_count differs from a recount");
    CC_CHECK_INVARIANT(cc_bitmap_count(a->validity, a->length, a->capacity - a->length) == 0,
          "validity bits set past the length");
    for (int64_t i = 0; i < a->length; i++)
        CC_CHECK_INVARIANT(cc_bitmap_get(a->validity, i) || cc_strarray_get(a, i).len == 0,
              "a null element holds bytes");
    return CC_OK;
}
