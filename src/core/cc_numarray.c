/* cc_numarray.c -- storage, growth, widening and the splice that every
 * length-changing operation goes through.  Layout and invariants: see
 * cc_numarray.h.
 *
 * Pattern of every mutator: compute the new shape, refuse (CC_EBUSY) if it
 * differs while exported, allocate what it needs (failure leaves the array as
 * it was), then move bytes.  Under AddressSanitizer the spare capacity is
 * poisoned between calls: each mutator unpoisons on entry and re-poisons the
 * slots past the length before it returns.
 */
#include "cc_numarray.h"

int64_t cc_numarray_grown_capacity(int64_t n) {
    int64_t extra = (n >> 3) + (n < 9 ? 3 : 6);
    return n > CC_MAX_SIZE - extra ? CC_MAX_SIZE : n + extra;
}

static size_t bytes_for(const cc_numarray *a, int64_t n) {
    return (size_t)n * (size_t)cc_numarray_itemsize(a);
}

static void poison_spare(const cc_numarray *a) {
    if (a->data)
        CC_POISON(a->data + bytes_for(a, a->length),
                  bytes_for(a, a->capacity - a->length));
}

static void unpoison_all(const cc_numarray *a) {
    if (a->data) CC_UNPOISON(a->data, bytes_for(a, a->capacity));
}

void cc_numarray_init(cc_numarray *a, cc_dtype dtype, bool adaptive,
                      bool nullable) {
    memset(a, 0, sizeof *a);
    a->dtype = dtype;
    a->adaptive = adaptive;
    a->nullable = nullable;
}

void cc_numarray_init_like(cc_numarray *a, const cc_numarray *like) {
    cc_numarray_init(a, like->dtype, like->adaptive, like->nullable);
    memcpy(a->tz, like->tz, sizeof a->tz);
}

cc_status cc_numarray_set_tz(cc_numarray *a, const char *tz) {
    size_t n = tz ? strlen(tz) : 0;
    bool takes_one = cc_dtype_get(a->dtype)->temporal == CC_TEMPORAL_TIMESTAMP ||
                     cc_dtype_is_decimal(a->dtype);
    if (n >= CC_TZ_MAX || (n && !takes_one)) return CC_EINVAL;
    memset(a->tz, 0, sizeof a->tz);
    if (n) memcpy(a->tz, tz, n);
    return CC_OK;
}

void cc_numarray_reset(cc_numarray *a) {
    if (!a->data_share) unpoison_all(a);
    cc_slot_drop(&a->data, &a->data_share);
    cc_slot_drop(&a->validity, &a->validity_share);
    char tz[CC_TZ_MAX];
    memcpy(tz, a->tz, sizeof tz);
    cc_numarray_init(a, a->dtype, a->adaptive, a->nullable);
    memcpy(a->tz, tz, sizeof tz);
}

void cc_numarray_move(cc_numarray *dst, cc_numarray *src) {
    char tz[CC_TZ_MAX];
    memcpy(tz, src->tz[0] ? src->tz : dst->tz, sizeof tz);
    cc_numarray_reset(dst);
    *dst = *src;
    memcpy(dst->tz, tz, sizeof tz);
    cc_numarray_init_like(src, dst);
}

/* ---- sharing ---------------------------------------------------------------- */

static cc_status own_slow(cc_numarray *a) {
    cc_status st = cc_slot_unshare(&a->data, &a->data_share, bytes_for(a, a->length),
                                   bytes_for(a, a->capacity), false);
    if (st == CC_OK && a->validity_share) {
        st = cc_slot_unshare(&a->validity, &a->validity_share,
                             (size_t)cc_bitmap_bytes(a->length),
                             (size_t)cc_bitmap_bytes(a->capacity), true);
        /* an adopted bitmap may have set bits past the length */
        if (st == CC_OK)
            cc_bitmap_fill(a->validity, a->length,
                           cc_bitmap_bytes(a->length) * 8 - a->length, false);
    }
    /* data may be private now even if the bitmap's copy failed: its spare
     * is then ours, poisoned like any private block's */
    if (!a->data_share) poison_spare(a);
    return st;
}

cc_status cc_numarray_own(cc_numarray *a) {
    return CC_LIKELY(!cc_numarray_is_shared(a)) ? CC_OK : own_slow(a);
}

cc_status cc_numarray_share(cc_numarray *a, cc_buffer **data, cc_buffer **validity) {
    *data = *validity = NULL;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_slot_share(&a->data, &a->data_share, bytes_for(a, a->capacity), data));
    cc_status st = cc_slot_share(&a->validity, &a->validity_share,
                                 (size_t)cc_bitmap_bytes(a->capacity), validity);
    if (st != CC_OK) {
        cc_buffer_unref(*data);
        *data = NULL;
    }
    return st;
}

cc_status cc_numarray_share_into(cc_numarray *a, cc_numarray *out) {
    cc_numarray_reset(out);
    cc_numarray_init_like(out, a);
    cc_buffer *data, *validity;
    CC_RETURN_NOT_OK(cc_numarray_share(a, &data, &validity));
    out->data = a->data, out->data_share = data;
    out->validity = a->validity, out->validity_share = validity;
    out->length = a->length, out->capacity = a->capacity, out->null_count = a->null_count;
    return CC_OK;
}

cc_status cc_numarray_make_nullable(cc_numarray *a) {
    if (a->nullable) return CC_OK;
    if (a->capacity) CC_RETURN_NOT_OK(cc_bitmap_new_valid(&a->validity, a->capacity, a->length));
    a->nullable = true;
    return CC_OK;
}

cc_status cc_numarray_adopt(cc_numarray *a, int64_t length, const void *data,
                            cc_buffer *data_share, const uint8_t *validity,
                            cc_buffer *validity_share, int64_t null_count) {
    if (a->capacity || (validity && !a->nullable) || length < 0 || length > CC_MAX_SIZE ||
        null_count < 0 || null_count > length || (null_count && !validity))
        return CC_EINVAL;
    if (length == 0) return CC_OK;
    uint8_t *bits = (uint8_t *)validity;
    if (a->nullable && !validity) { /* a nullable array always has a bitmap */
        bits = cc_malloc((size_t)cc_bitmap_bytes(length));
        if (!bits) return CC_ENOMEM;
        memset(bits, 0, (size_t)cc_bitmap_bytes(length));
        cc_bitmap_fill(bits, 0, length, true);
    }
    a->data = (uint8_t *)data;
    a->data_share = data_share;
    cc_buffer_ref(data_share);
    a->validity = bits;
    if (validity) {
        a->validity_share = validity_share;
        cc_buffer_ref(validity_share);
    }
    a->length = a->capacity = length;
    a->null_count = null_count;
    return CC_OK;
}

/* Reallocates data (and validity) to cap elements of the current dtype.  On
 * failure the contents are intact and the recorded capacity never exceeds
 * what either buffer holds (a data buffer that did grow is simply larger
 * than recorded; a shrink of data whose bitmap could not follow is kept,
 * since a longer bitmap is harmless). */
static cc_status realloc_buffers(cc_numarray *a, int64_t cap) {
    size_t nbytes;
    CC_RETURN_NOT_OK(cc_mul_size(cap, cc_numarray_itemsize(a), &nbytes));
    if (cap == 0) {
        cc_free(a->data);
        cc_free(a->validity);
        a->data = a->validity = NULL;
        a->capacity = 0;
        return CC_OK;
    }
    uint8_t *data = cc_realloc(a->data, a->data ? bytes_for(a, a->capacity) : 0, nbytes);
    if (!data) return CC_ENOMEM;
    a->data = data;
    if (a->nullable && cc_bitmap_resize(&a->validity, a->capacity, cap) != CC_OK) {
        if (cap < a->capacity) { /* data already shrank: record it */
            a->capacity = cap;
            return CC_OK;
        }
        if (a->capacity == 0) { /* undo a first allocation */
            cc_free(a->data);
            a->data = NULL;
        }
        return CC_ENOMEM;
    }
    a->capacity = cap;
    return CC_OK;
}

/* Copies n adaptive ints from src_dt to dst_dt (equal or wider). */
static void copy_ints(cc_dtype dst_dt, void *dst, cc_dtype src_dt,
                      const void *src, int64_t n) {
    if (n == 0) return; /* dst/src may be NULL */
    if (dst_dt == src_dt) {
        memmove(dst, src, (size_t)n * (size_t)cc_dtype_itemsize(src_dt));
        return;
    }
    cc_scalar s;
    int ds = cc_dtype_itemsize(dst_dt), ss = cc_dtype_itemsize(src_dt);
    for (int64_t k = 0; k < n; k++) {
        cc_dtype_load(src_dt, (const uint8_t *)src + k * ss, &s);
        cc_status st = cc_dtype_store(dst_dt, &s, (uint8_t *)dst + k * ds);
        (void)st; /* widening: always fits */
    }
}

/* Ensures room for `needed` elements stored as dtype dt (dt == a->dtype, or
 * a wider adaptive width).  exact: allocate exactly `needed`, else grow by
 * the formula.  All or nothing. */
static cc_status make_room(cc_numarray *a, int64_t needed, cc_dtype dt,
                           bool exact) {
    if (needed > CC_MAX_SIZE) return CC_ENOMEM;
    if (dt == a->dtype) {
        if (needed <= a->capacity) return CC_OK;
        return realloc_buffers(a, exact ? needed : cc_numarray_grown_capacity(needed));
    }
    int64_t cap = a->capacity;
    if (needed > cap) cap = exact ? needed : cc_numarray_grown_capacity(needed);
    if (cap == 0) { /* an empty array widens without allocating */
        a->dtype = dt;
        return CC_OK;
    }
    size_t nbytes;
    CC_RETURN_NOT_OK(cc_mul_size(cap, cc_dtype_itemsize(dt), &nbytes));
    uint8_t *data = cc_malloc(nbytes ? nbytes : 1);
    if (!data) return CC_ENOMEM;
    if (cap > a->capacity && a->nullable &&
        cc_bitmap_resize(&a->validity, a->capacity, cap) != CC_OK) {
        cc_free(data);
        return CC_ENOMEM;
    }
    copy_ints(dt, data, a->dtype, a->data, a->length);
    cc_free(a->data);
    a->data = data;
    a->dtype = dt;
    a->capacity = cap;
    return CC_OK;
}

cc_status cc_numarray_append_zeros(cc_numarray *a, int64_t n, void **first) {
    int64_t len;
    if (n < 0 || __builtin_add_overflow(a->length, n, &len)) return CC_EINVAL;
    if (n && a->exports) return CC_EBUSY;
    if (n) CC_RETURN_NOT_OK(cc_numarray_own(a));
    CC_RETURN_NOT_OK(make_room(a, len, a->dtype, a->length == 0));
    uint8_t *p = a->data ? a->data + bytes_for(a, a->length) : NULL;
    if (n) {
        CC_UNPOISON(p, bytes_for(a, n));
        memset(p, 0, bytes_for(a, n));
        if (a->nullable) cc_bitmap_fill(a->validity, a->length, n, true);
    }
    a->length = len;
    *first = p;
    return CC_OK;
}

cc_status cc_numarray_take(const cc_numarray *a, const int64_t *idx, int64_t n,
                           cc_numarray *out) {
    if (out->dtype != a->dtype || (a->null_count && !out->nullable)) return CC_EINVAL;
    if (n < 0 || !cc_indices_in_bounds(idx, n, a->length)) return CC_EINDEX;
    int64_t base = out->length;
    void *first;
    CC_RETURN_NOT_OK(cc_numarray_append_zeros(out, n, &first));
    int size = cc_numarray_itemsize(a);
    uint8_t *dst = first;
    for (int64_t k = 0; k < n; k++)
        memcpy(dst + k * size, a->data + idx[k] * size, (size_t)size);
    if (a->null_count) {
        for (int64_t k = 0; k < n; k++) {
            if (cc_bitmap_get(a->validity, idx[k])) continue;
            cc_bitmap_set(out->validity, base + k, false);
            out->null_count++;
        }
    }
    return CC_OK;
}

/* After a deletion: give memory back when less than half is used. */
static void maybe_shrink(cc_numarray *a) {
    if (a->length >= a->capacity / 2) return;
    int64_t cap = a->length ? cc_numarray_grown_capacity(a->length) : 0;
    if (cap < a->capacity) (void)realloc_buffers(a, cap); /* failure: keep */
}

cc_status cc_numarray_reserve(cc_numarray *a, int64_t n) {
    if (n < 0) return CC_EINVAL;
    if (n <= a->capacity) return CC_OK;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    unpoison_all(a);
    cc_status st = make_room(a, n, a->dtype, true);
    poison_spare(a);
    return st;
}

cc_status cc_numarray_reserve_for_fill(cc_numarray *a, int64_t n) {
    if (a->capacity || n <= 0 || a->exports || cc_numarray_is_shared(a))
        return cc_numarray_reserve(a, n);
    size_t nbytes;
    if (n > CC_MAX_SIZE) return CC_ENOMEM;
    CC_RETURN_NOT_OK(cc_mul_size(n, cc_numarray_itemsize(a), &nbytes));
    uint8_t *data = cc_malloc_prefault(nbytes);
    if (!data) return CC_ENOMEM;
    if (a->nullable && cc_bitmap_resize(&a->validity, 0, n) != CC_OK) {
        cc_free(data);
        return CC_ENOMEM;
    }
    a->data = data;
    a->capacity = n;
    poison_spare(a);
    return CC_OK;
}

cc_status cc_numarray_shrink_to_fit(cc_numarray *a) {
    if (a->capacity == a->length) return CC_OK;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    unpoison_all(a);
    cc_status st = realloc_buffers(a, a->length);
    poison_spare(a);
    return st;
}

cc_status cc_numarray_widen(cc_numarray *a, cc_dtype wider) {
    if (!a->adaptive || !cc_dtype_is_integer(wider) ||
        cc_dtype_itemsize(wider) < cc_numarray_itemsize(a))
        return CC_EINVAL;
    if (wider == a->dtype) return CC_OK;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    unpoison_all(a);
    cc_status st = make_room(a, a->length, wider, true);
    poison_spare(a);
    return st;
}

void cc_numarray_get(const cc_numarray *a, int64_t i, cc_scalar *out) {
    if (a->nullable && !cc_bitmap_get(a->validity, i)) {
        out->kind = CC_SCALAR_NULL;
        return;
    }
    cc_dtype_load(a->dtype, a->data + bytes_for(a, i), out);
}

/* The dtype that can hold s in a: a->dtype, or a wider adaptive width; or an
 * error status for a value that fits nowhere. */
static cc_status dtype_for_value(const cc_numarray *a, const cc_scalar *s,
                                 cc_dtype *out) {
    uint8_t tmp[CC_MAX_ITEMSIZE];
    *out = a->dtype;
    if (s->kind == CC_SCALAR_NULL) return a->nullable ? CC_OK : CC_ETYPE;
    cc_status st = cc_dtype_store(a->dtype, s, tmp);
    if (st == CC_EOVERFLOW && a->adaptive && s->kind == CC_SCALAR_INT) {
        *out = cc_dtype_int_width_for(s->v.i);
        return CC_OK;
    }
    return st;
}

/* Writes s (known to fit a->dtype) at slot i, keeping the bitmap and
 * null_count right.  Slot i must be below length or about to be. */
static void store_slot(cc_numarray *a, int64_t i, const cc_scalar *s,
                       bool was_valid) {
    uint8_t *slot = a->data + bytes_for(a, i);
    if (s->kind == CC_SCALAR_NULL) {
        memset(slot, 0, (size_t)cc_numarray_itemsize(a));
        cc_bitmap_set(a->validity, i, false);
        a->null_count += was_valid;
        return;
    }
    cc_status st = cc_dtype_store(a->dtype, s, slot);
    (void)st; /* checked by dtype_for_value */
    if (a->nullable) {
        cc_bitmap_set(a->validity, i, true);
        a->null_count -= !was_valid;
    }
}

cc_status cc_numarray_set(cc_numarray *a, int64_t i, const cc_scalar *s) {
    if (i < 0 || i >= a->length) return CC_EINDEX;
    cc_dtype dt;
    CC_RETURN_NOT_OK(dtype_for_value(a, s, &dt));
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    if (dt != a->dtype) CC_RETURN_NOT_OK(cc_numarray_widen(a, dt));
    store_slot(a, i, s, cc_numarray_is_valid(a, i));
    return CC_OK;
}

cc_status cc_numarray_append_slow(cc_numarray *a, const cc_scalar *s) {
    if (a->exports) return CC_EBUSY;
    cc_dtype dt;
    CC_RETURN_NOT_OK(dtype_for_value(a, s, &dt));
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    unpoison_all(a);
    cc_status st = make_room(a, a->length + 1, dt, false);
    if (st == CC_OK) {
        a->length++;
        /* a fresh slot counts as valid until store_slot says otherwise */
        store_slot(a, a->length - 1, s, true);
    }
    poison_spare(a);
    return st;
}

/* Narrowest adaptive width that holds every value of the n src values, or
 * the failing status with err set. */
static cc_status adaptive_width_of(cc_dtype src_dtype, const uint8_t *src,
                                   int64_t n, cc_dtype start, cc_dtype *out,
                                   cc_error *err) {
    int size = cc_dtype_itemsize(src_dtype);
    cc_scalar s;
    int64_t lo = 0, hi = 0;
    for (int64_t k = 0; k < n; k++) {
        cc_dtype_load(src_dtype, src + k * size, &s);
        if (s.kind == CC_SCALAR_FLOAT)
            return cc_error_set(err, CC_ETYPE, "not an integer", k);
        if (s.kind == CC_SCALAR_UINT)
            return cc_error_set(err, CC_EOVERFLOW, "out of range for int64", k);
        if (s.v.i < lo) lo = s.v.i;
        if (s.v.i > hi) hi = s.v.i;
    }
    cc_dtype w = cc_dtype_int_width_for(lo), w2 = cc_dtype_int_width_for(hi);
    if (cc_dtype_itemsize(w2) > cc_dtype_itemsize(w)) w = w2;
    *out = cc_dtype_itemsize(w) > cc_dtype_itemsize(start) ? w : start;
    return CC_OK;
}

cc_status cc_numarray_append_converted(cc_numarray *a, cc_dtype src_dtype,
                                       const void *src, int64_t n,
                                       cc_error *err) {
    cc_error_set(err, CC_OK, NULL, -1);
    if (n == 0) return CC_OK;
    if (a->exports) return CC_EBUSY;
    cc_dtype dt = a->dtype;
    if (a->adaptive)
        CC_RETURN_NOT_OK(adaptive_width_of(src_dtype, src, n, a->dtype, &dt, err));
    int64_t needed;
    CC_RETURN_NOT_OK(cc_add_count(a->length, n, &needed));
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    unpoison_all(a);
    /* the first bulk fill knows its final size: allocate exactly */
    cc_status st = make_room(a, needed, dt, a->length == 0);
    if (st != CC_OK) goto done;
    uint8_t *dst = a->data + bytes_for(a, a->length);
    if (src_dtype == a->dtype && a->dtype == CC_BOOL) {
        /* a foreign bool buffer may hold any non-zero byte for True */
        for (int64_t k = 0; k < n; k++) dst[k] = ((const uint8_t *)src)[k] != 0;
    } else if (src_dtype == a->dtype) {
        memcpy(dst, src, bytes_for(a, n));
    } else {
        int ss = cc_dtype_itemsize(src_dtype), ds = cc_numarray_itemsize(a);
        cc_scalar s;
        for (int64_t k = 0; k < n; k++) {
            cc_dtype_load(src_dtype, (const uint8_t *)src + k * ss, &s);
            st = cc_dtype_store(a->dtype, &s, dst + k * ds);
            if (st != CC_OK) {
                cc_error_set(err, st, st == CC_ETYPE ? "of the wrong kind" : "out of range", k);
                goto done;
            }
        }
    }
    if (a->nullable) cc_bitmap_fill(a->validity, a->length, n, true);
    a->length = needed;
done:
    poison_spare(a);
    return st;
}

/* Writes src's values and validity into a's slots [at, at + src->length);
 * a's dtype is at least as wide as src's. */
static void write_block(cc_numarray *a, int64_t at, const cc_numarray *src) {
    if (src->length == 0) return;
    copy_ints(a->dtype, a->data + bytes_for(a, at), src->dtype, src->data,
              src->length);
    if (!a->nullable) return;
    if (src->nullable)
        cc_bitmap_move(a->validity, at, src->validity, 0, src->length);
    else
        cc_bitmap_fill(a->validity, at, src->length, true);
}

/* The dtype a must have to take src's values (a wider adaptive width or its
 * own), or CC_EINVAL when the caller broke the dtype rule. */
static cc_status dtype_to_hold(const cc_numarray *a, const cc_numarray *src,
                               cc_dtype *out) {
    *out = a->dtype;
    if (src->null_count && !a->nullable) return CC_EINVAL;
    if (src->dtype == a->dtype) return CC_OK;
    if (!a->adaptive || !cc_dtype_is_integer(src->dtype) ||
        cc_dtype_get(src->dtype)->kind != CC_KIND_SIGNED)
        return CC_EINVAL;
    if (cc_dtype_itemsize(src->dtype) > cc_numarray_itemsize(a)) *out = src->dtype;
    return CC_OK;
}

static int64_t nulls_in(const cc_numarray *a, int64_t start, int64_t n) {
    return a->nullable ? n - cc_bitmap_count(a->validity, start, n) : 0;
}

cc_status cc_numarray_splice(cc_numarray *a, int64_t at, int64_t del,
                             const cc_numarray *src) {
    if (!cc_range_in_bounds(at, del, a->length)) return CC_EINDEX;
    cc_dtype dt;
    CC_RETURN_NOT_OK(dtype_to_hold(a, src, &dt));
    int64_t n = src->length, old_len = a->length, new_len;
    CC_RETURN_NOT_OK(cc_add_count(old_len - del, n, &new_len));
    if ((new_len != old_len || dt != a->dtype) && a->exports) return CC_EBUSY;
    if (!del && !n && dt == a->dtype) return CC_OK; /* nothing to write */
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    int64_t deleted_nulls = nulls_in(a, at, del);
    int64_t tail = old_len - at - del;

    unpoison_all(a);
    cc_status st = make_room(a, new_len, dt, false);
    if (st != CC_OK) {
        poison_spare(a);
        return st;
    }
    /* Move the tail first: when growing, it overlaps the block's target. */
    if (tail)
        memmove(a->data + bytes_for(a, at + n), a->data + bytes_for(a, at + del),
                bytes_for(a, tail));
    if (a->nullable) {
        cc_bitmap_move(a->validity, at + n, a->validity, at + del, tail);
        if (new_len < old_len)
            cc_bitmap_fill(a->validity, new_len, old_len - new_len, false);
    }
    write_block(a, at, src);
    a->length = new_len;
    a->null_count += src->null_count - deleted_nulls;
    if (new_len < old_len) maybe_shrink(a);
    poison_spare(a);
    return CC_OK;
}

cc_status cc_numarray_scatter(cc_numarray *a, int64_t start, int64_t step,
                              const cc_numarray *src) {
    if (!cc_strided_in_bounds(start, step, src->length, a->length)) return CC_EINDEX;
    cc_dtype dt;
    CC_RETURN_NOT_OK(dtype_to_hold(a, src, &dt));
    if (src->length) CC_RETURN_NOT_OK(cc_numarray_own(a));
    if (dt != a->dtype) CC_RETURN_NOT_OK(cc_numarray_widen(a, dt));
    cc_scalar s;
    for (int64_t k = 0; k < src->length; k++) {
        int64_t i = start + k * step; /* never one step past the last */
        cc_numarray_get(src, k, &s);
        store_slot(a, i, &s, cc_numarray_is_valid(a, i));
    }
    return CC_OK;
}

cc_status cc_numarray_gather(const cc_numarray *a, int64_t start, int64_t step,
                             int64_t count, cc_numarray *out) {
    int64_t needed;
    CC_RETURN_NOT_OK(cc_add_count(out->length, count, &needed));
    if (out->dtype != a->dtype || out->nullable != a->nullable) return CC_EINVAL;
    if (!cc_strided_in_bounds(start, step, count, a->length)) return CC_EINDEX;
    if (count == 0) return CC_OK; /* nothing to copy (a->data may be NULL) */
    if (out->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(out));
    unpoison_all(out);
    cc_status st = make_room(out, needed, out->dtype, true);
    if (st == CC_OK) {
        int size = cc_numarray_itemsize(a);
        uint8_t *dst = out->data + bytes_for(out, out->length);
        if (step == 1) {
            memcpy(dst, a->data + bytes_for(a, start), bytes_for(a, count));
        } else {
            for (int64_t k = 0; k < count; k++)
                memcpy(dst + k * size, a->data + bytes_for(a, start + k * step),
                       (size_t)size);
        }
        if (a->nullable) {
            for (int64_t k = 0; k < count; k++)
                cc_bitmap_set(out->validity, out->length + k,
                              cc_bitmap_get(a->validity, start + k * step));
            out->null_count += nulls_in(out, out->length, count);
        }
        out->length = needed;
    }
    poison_spare(out);
    return st;
}

cc_status cc_numarray_delete_strided(cc_numarray *a, int64_t start,
                                     int64_t step, int64_t count) {
    if (count <= 0) return CC_OK;
    if (step == 0) return CC_EINVAL;
    if (!cc_strided_in_bounds(start, step, count, a->length)) return CC_EINDEX;
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    if (step < 0) { /* the same set of slots, walked forwards */
        start += (count - 1) * step;
        step = -step;
    }
    int size = cc_numarray_itemsize(a);
    int64_t last = start + (count - 1) * step, w = start;
    unpoison_all(a);
    int64_t deleted_nulls = 0;
    for (int64_t r = start; r < a->length; r++) {
        bool doomed = r <= last && (r - start) % step == 0;
        if (doomed) {
            deleted_nulls += !cc_numarray_is_valid(a, r);
            continue;
        }
        if (r > last && w < r) { /* the rest is one contiguous run */
            memmove(a->data + bytes_for(a, w), a->data + bytes_for(a, r),
                    bytes_for(a, a->length - r));
            if (a->nullable)
                cc_bitmap_move(a->validity, w, a->validity, r, a->length - r);
            w += a->length - r;
            break;
        }
        memmove(a->data + bytes_for(a, w), a->data + bytes_for(a, r), (size_t)size);
        if (a->nullable) cc_bitmap_set(a->validity, w, cc_bitmap_get(a->validity, r));
        w++;
    }
    if (a->nullable) cc_bitmap_fill(a->validity, w, a->length - w, false);
    a->length = w;
    a->null_count -= deleted_nulls;
    maybe_shrink(a);
    poison_spare(a);
    return CC_OK;
}

cc_status cc_numarray_repeat(cc_numarray *a, int64_t n) {
    if (n < 0) n = 0;
    if (n == 1 || a->length == 0) return CC_OK;
    int64_t new_len;
    if (__builtin_mul_overflow(a->length, n, &new_len) || new_len > CC_MAX_SIZE)
        return CC_ENOMEM;
    size_t check;
    CC_RETURN_NOT_OK(cc_mul_size(new_len, cc_numarray_itemsize(a), &check));
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    if (n == 0) {
        if (a->nullable) cc_bitmap_fill(a->validity, 0, a->length, false);
        a->length = a->null_count = 0;
        unpoison_all(a);
        maybe_shrink(a);
        poison_spare(a);
        return CC_OK;
    }
    unpoison_all(a);
    cc_status st = make_room(a, new_len, a->dtype, true);
    if (st == CC_OK) {
        int64_t len = a->length, done = len;
        while (done < new_len) { /* double the filled prefix each round */
            int64_t chunk = done <= new_len - done ? done : new_len - done;
            memcpy(a->data + bytes_for(a, done), a->data, bytes_for(a, chunk));
            if (a->nullable) cc_bitmap_move(a->validity, done, a->validity, 0, chunk);
            done += chunk;
        }
        a->length = new_len;
        a->null_count *= n;
    }
    poison_spare(a);
    return st;
}

cc_status cc_numarray_reverse(cc_numarray *a) {
    if (a->length < 2) return CC_OK;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    int size = cc_numarray_itemsize(a);
    uint8_t tmp[CC_MAX_ITEMSIZE];
    for (int64_t i = 0, j = a->length - 1; i < j; i++, j--) {
        uint8_t *p = a->data + i * size, *q = a->data + j * size;
        memcpy(tmp, p, (size_t)size);
        memcpy(p, q, (size_t)size);
        memcpy(q, tmp, (size_t)size);
        if (a->nullable) {
            bool bi = cc_bitmap_get(a->validity, i);
            cc_bitmap_set(a->validity, i, cc_bitmap_get(a->validity, j));
            cc_bitmap_set(a->validity, j, bi);
        }
    }
    return CC_OK;
}

cc_status cc_numarray_permute(cc_numarray *a, const int64_t *perm) {
    if (a->length == 0) return CC_OK;
    if (!cc_indices_in_bounds(perm, a->length, a->length)) return CC_EINDEX;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    cc_numarray old;
    cc_numarray_init_like(&old, a);
    cc_status st = cc_numarray_gather(a, 0, 1, a->length, &old);
    if (st != CC_OK) {
        cc_numarray_reset(&old);
        return st;
    }
    int size = cc_numarray_itemsize(a);
    for (int64_t i = 0; i < a->length; i++) {
        memcpy(a->data + i * size, old.data + perm[i] * size, (size_t)size);
        if (a->nullable)
            cc_bitmap_set(a->validity, i, cc_bitmap_get(old.validity, perm[i]));
    }
    cc_numarray_reset(&old);
    return CC_OK;
}

cc_status cc_numarray_validate(const cc_numarray *a, cc_error *err) {
    CC_CHECK_INVARIANT((unsigned)a->dtype < CC_NUM_DTYPES, "dtype out of range");
    CC_CHECK_INVARIANT(a->length >= 0 && a->length <= a->capacity, "length outside [0, capacity]");
    CC_CHECK_INVARIANT(a->capacity <= CC_MAX_SIZE, "capacity above CC_MAX_SIZE");
    CC_CHECK_INVARIANT((a->data == NULL) == (a->capacity == 0), "data NULL iff capacity 0");
    CC_CHECK_INVARIANT(a->exports >= 0, "negative export count");
    CC_CHECK_INVARIANT(!a->exports || !cc_numarray_is_shared(a),
                       "a buffer both aliased (exports) and shared (a snapshot holds it)");
    CC_CHECK_INVARIANT(!a->adaptive || cc_dtype_get(a->dtype)->kind == CC_KIND_SIGNED,
          "adaptive array with a non-signed dtype");
    if (!a->nullable) {
        CC_CHECK_INVARIANT(a->validity == NULL && a->null_count == 0, "bitmap on a non-nullable array");
        return CC_OK;
    }
    CC_CHECK_INVARIANT((a->validity == NULL) == (a->capacity == 0), "validity NULL iff capacity 0");
    if (a->capacity == 0) {
        CC_CHECK_INVARIANT(a->null_count == 0, "null_count on an empty array");
        return CC_OK;
    }
    CC_CHECK_INVARIANT(a->null_count == a->length - cc_bitmap_count(a->validity, 0, a->length),
          "null_count differs from a recount of the bitmap");
    CC_CHECK_INVARIANT(cc_bitmap_count(a->validity, a->length, a->capacity - a->length) == 0,
          "validity bits set past the length");
    /* Null slots are written as 0 by us, but a writable buffer export can
     * put anything there, so no code (and no check) may rely on it. */
    return CC_OK;
}
