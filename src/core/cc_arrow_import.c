/* cc_arrow_import.c -- foreign Arrow arrays into the core's containers:
 * the shape checks (O(1) per buffer), the content checks (O(n)) and the
 * importers that append a whole array to a caller's container.  See
 * cc_arrow_import.h for the levels and the error convention.
 *
 *   flat array   buffers[0] validity bitmap (may be NULL), buffers[1] values
 *                or offsets, buffers[2] string bytes; element i of the array
 *                is slot offset + i of each buffer
 *   string view  buffers[1] 16-byte views: int32 length, then the bytes
 *                inline (length <= 12) or int32 prefix, buffer index, offset;
 *                buffers[2 .. n-2] the data buffers, buffers[n-1] their sizes
 *
 * Every importer validates first and appends last (all or nothing).
 */
#include "cc_arrow_import.h"

/* Bounds of offset + length, shared by every array kind. */
static bool span_ok(const struct ArrowArray *a) {
    return a->length >= 0 && a->offset >= 0 && a->length <= CC_MAX_SIZE - a->offset;
}

/* ---- shape ----------------------------------------------------------------------- */

cc_status cc_arrow_check_shape(const struct ArrowArray *a, int64_t n_buffers, cc_error *err) {
    if (!span_ok(a)) return cc_error_set(err, CC_EINVAL, "length or offset out of range", -1);
    if (a->null_count < -1 || a->null_count > a->length)
        return cc_error_set(err, CC_EINVAL, "null_count out of range", -1);
    if (a->n_buffers != n_buffers)
        return cc_error_set(err, CC_EINVAL, "wrong number of buffers for the format", -1);
    if (!a->buffers) return cc_error_set(err, CC_EINVAL, "no buffers", -1);
    for (int64_t b = 1; b < n_buffers; b++)
        if (!a->buffers[b] && a->length > 0)
            return cc_error_set(err, CC_EINVAL, "a data buffer is NULL", -1);
    return CC_OK;
}

cc_status cc_arrow_check_views_shape(const struct ArrowArray *a, cc_error *err) {
    if (a->n_buffers < 3 || !a->buffers)
        return cc_error_set(err, CC_EINVAL, "a string view array needs 3+ buffers", -1);
    int64_t n_data = a->n_buffers - 3;
    if (!span_ok(a) ||
        (a->length && (!a->buffers[1] || (n_data && !a->buffers[a->n_buffers - 1]))))
        return cc_error_set(err, CC_EINVAL, "length, offset or buffers out of range", -1);
    return CC_OK;
}

cc_status cc_arrow_check_struct(const struct ArrowSchema *s, const struct ArrowArray *a,
                                cc_error *err) {
    if (s->n_children < 0 || (s->n_children && !s->children))
        return cc_error_set(err, CC_EINVAL, "a struct schema without children", -1);
    for (int64_t i = 0; i < s->n_children; i++)
        if (!s->children[i] || !s->children[i]->format)
            return cc_error_set(err, CC_EINVAL, "a struct field without a format", -1);
    if (!a) return CC_OK;
    if (!span_ok(a)) return cc_error_set(err, CC_EINVAL, "length or offset out of range", -1);
    if (a->n_buffers != 1 || !a->buffers)
        return cc_error_set(err, CC_EINVAL, "wrong number of buffers for a struct", -1);
    if (a->n_children != s->n_children || (a->n_children && !a->children))
        return cc_error_set(err, CC_EINVAL, "the array's children do not match the schema's", -1);
    for (int64_t i = 0; i < a->n_children; i++) {
        const struct ArrowArray *c = a->children[i];
        if (!c || c->offset < 0 || c->offset > CC_MAX_SIZE - a->offset - a->length ||
            c->length < a->offset + a->length)
            return cc_error_set(err, CC_EINVAL, "a child array is shorter than the struct", -1);
    }
    if (cc_arrow_has_nulls(a))
        return cc_error_set(err, CC_EINVAL, "a struct array with null rows has no column form",
                            -1);
    return CC_OK;
}

static bool is_string_format(const char *f) {
    return strcmp(f, "u") == 0 || strcmp(f, "U") == 0 || strcmp(f, "vu") == 0;
}

cc_status cc_arrow_check_dictionary(const struct ArrowSchema *s, const struct ArrowArray *a,
                                    cc_dtype *index_dtype, const char **values_format,
                                    cc_error *err) {
    const char *vf = s->dictionary->format;
    if (!vf) return cc_error_set(err, CC_EINVAL, "the dictionary's schema has no format", -1);
    cc_dtype it;
    if (!cc_arrow_dtype(s->format, &it) || !cc_dtype_is_integer(it))
        return cc_error_set(err, CC_ETYPE, "dictionary indices must be integers", -1);
    if (!a->dictionary || !is_string_format(vf))
        return cc_error_set(err, CC_ETYPE,
                            "only dictionaries of strings import (as CategoricalArray)", -1);
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 2, err));
    *index_dtype = it;
    *values_format = vf;
    return CC_OK;
}

/* ---- content ---------------------------------------------------------------------- */

/* The bytes of view i (after the shape check); false if it points outside
 * its buffer. */
static bool view_at(const struct ArrowArray *a, int64_t i, cc_str *out) {
    const uint8_t *v = (const uint8_t *)a->buffers[1] + (a->offset + i) * 16;
    int32_t len, index, off;
    memcpy(&len, v, 4);
    out->ptr = v + 4;
    out->len = len;
    if (len <= 12) return true; /* inline (a negative length is caught as not UTF-8) */
    int64_t n_data = a->n_buffers - 3;
    const int64_t *sizes = a->buffers[a->n_buffers - 1];
    memcpy(&index, v + 8, 4);
    memcpy(&off, v + 12, 4);
    if (index < 0 || index >= n_data || off < 0 || !a->buffers[2 + index] ||
        (int64_t)off + len > sizes[index])
        return false;
    out->ptr = (const uint8_t *)a->buffers[2 + index] + off;
    return true;
}

cc_status cc_arrow_check_views(const struct ArrowArray *a, bool binary, int64_t *bytes,
                               cc_error *err) {
    int64_t total = 0;
    for (int64_t i = 0; i < a->length; i++) {
        if (!cc_arrow_valid_at(a, i)) continue;
        cc_str s;
        if (!view_at(a, i, &s))
            return cc_error_set(err, CC_EINVAL, "a string view points outside its buffer", -1);
        if (s.len < 0 || (!binary && !cc_utf8_valid(s.ptr, s.len)))
            return cc_error_set(err, CC_EINVAL,
                                binary ? "view %lld has a negative length"
                                       : "string %lld is not valid UTF-8", i);
        total += s.len; /* n * 2**31 < 2**63: no overflow */
    }
    *bytes = total;
    return CC_OK;
}

/* body with `int64_t x` = index i of a (integer dtype it; a uint64 past
 * INT64_MAX becomes negative), in a loop typed once per dtype. */
#define FOR_EACH_INDEX(it, a, body)                                                      \
    do {                                                                                 \
        switch (it) {                                                                    \
        case CC_INT8: INDEX_LOOP(int8_t, a, body); break;                                \
        case CC_INT16: INDEX_LOOP(int16_t, a, body); break;                              \
        case CC_INT32: INDEX_LOOP(int32_t, a, body); break;                              \
        case CC_INT64: INDEX_LOOP(int64_t, a, body); break;                              \
        case CC_UINT8: INDEX_LOOP(uint8_t, a, body); break;                              \
        case CC_UINT16: INDEX_LOOP(uint16_t, a, body); break;                            \
        case CC_UINT32: INDEX_LOOP(uint32_t, a, body); break;                            \
        case CC_UINT64: INDEX_LOOP(uint64_t, a, body); break;                            \
        default: break;                                                                  \
        }                                                                                \
    } while (0)
#define INDEX_LOOP(T, a, body)                                                           \
    do {                                                                                 \
        const T *p_ = (const T *)(a)->buffers[1] + (a)->offset;                          \
        for (int64_t i = 0; i < (a)->length; i++) {                                      \
            int64_t x = (int64_t)p_[i];                                                  \
            body                                                                         \
        }                                                                                \
    } while (0)

static const char *const outside = "index %lld points outside the dictionary";

cc_status cc_arrow_check_indices(cc_dtype it, const struct ArrowArray *a, int64_t k,
                                 cc_error *err) {
    if (!cc_dtype_is_integer(it)) return cc_error_set(err, CC_ETYPE, "dictionary indices must be integers", -1);
    bool nulls = cc_arrow_has_nulls(a);
    if (!nulls) { /* one branch-free (vectorisable) pass; the culprit is looked for only if there is one */
        bool bad = false;
        FOR_EACH_INDEX(it, a, { bad |= (x < 0) | (x >= k); });
        if (!bad) return CC_OK;
    }
    FOR_EACH_INDEX(it, a, {
        if ((x < 0 || x >= k) && (!nulls || cc_arrow_valid_at(a, i)))
            return cc_error_set(err, CC_EINVAL, outside, i);
    });
    return CC_OK;
}

/* ---- importers ---------------------------------------------------------------------- */

/* out made nullable (its values copied once), if a has nulls and out is not. */
static cc_status numbers_nullable_for(cc_numarray *out, const struct ArrowArray *a) {
    if (out->nullable || !cc_arrow_has_nulls(a)) return CC_OK;
    cc_numarray n;
    cc_numarray_init(&n, out->dtype, out->adaptive, true);
    cc_status st = cc_numarray_splice(&n, 0, 0, out);
    if (st == CC_OK) cc_numarray_move(out, &n);
    cc_numarray_reset(&n);
    return st;
}

static cc_status strings_nullable_for(cc_strarray *out, const struct ArrowArray *a) {
    if (out->nullable || !cc_arrow_has_nulls(a)) return CC_OK;
    cc_strarray n;
    cc_strarray_init(&n, true);
    n.binary = out->binary;
    cc_status st = cc_strarray_splice(&n, 0, 0, out);
    if (st == CC_OK) cc_strarray_move(out, &n);
    cc_strarray_reset(&n);
    return st;
}

cc_status cc_arrow_append_numbers(cc_numarray *out, const struct ArrowArray *a, cc_error *err) {
    err->why = NULL;
    cc_dtype dt = out->dtype;
    int size = cc_dtype_itemsize(dt);
    size_t skip;
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 2, err));
    if (out->adaptive) return CC_EINVAL;
    if (dt != CC_BOOL && a->length > 0 && cc_mul_size(a->offset + a->length, size, &skip) != CC_OK)
        return cc_error_set(err, CC_EINVAL, "length or offset out of range", -1);
    CC_RETURN_NOT_OK(numbers_nullable_for(out, a));
    int64_t base = out->length;
    cc_error unused;
    uint8_t *p;
    if (dt == CC_BOOL) { /* Arrow packs bools into bits */
        void *first;
        CC_RETURN_NOT_OK(cc_numarray_append_zeros(out, a->length, &first));
        p = first;
        for (int64_t i = 0; i < a->length; i++)
            p[i] = cc_bitmap_get((const uint8_t *)a->buffers[1], a->offset + i);
    } else { /* one memcpy */
        CC_RETURN_NOT_OK(cc_numarray_append_converted(
            out, dt, (const uint8_t *)a->buffers[1] + a->offset * size, a->length, &unused));
        p = out->data + base * size;
    }
    for (int64_t i = 0; cc_arrow_has_nulls(a) && i < a->length; i++)
        if (!cc_arrow_valid_at(a, i)) {
            cc_bitmap_set(out->validity, base + i, false);
            memset(p + i * size, 0, (size_t)size); /* a null holds 0 */
            out->null_count++;
        }
    return CC_OK;
}

/* One value of a foreign layout (at p) as a scalar for out's dtype: CC_OK,
 * or the status with *why (a message with the item's %lld). */
typedef cc_status (*convert_fn)(const uint8_t *p, const void *how, cc_scalar *out,
                                const char **why);

/* Appends a's values of src_bytes each, converted by convert and stored
 * checked into out (not adaptive); every value is converted and checked
 * before anything is added, so a failure (err names the item) leaves out
 * as it was.  A null holds 0.  range_why: the message for a value the
 * store refuses. */
static cc_status append_each_converted(cc_numarray *out, const struct ArrowArray *a,
                                       int src_bytes, convert_fn convert, const void *how,
                                       const char *range_why, cc_error *err) {
    err->why = NULL;
    size_t skip;
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 2, err));
    if (out->adaptive) return CC_EINVAL;
    if (a->length > 0 && cc_mul_size(a->offset + a->length, src_bytes, &skip) != CC_OK)
        return cc_error_set(err, CC_EINVAL, "length or offset out of range", -1);
    const uint8_t *src =
        a->length > 0 ? (const uint8_t *)a->buffers[1] + a->offset * src_bytes : NULL;
    uint8_t slot[CC_MAX_ITEMSIZE];
    cc_scalar s;
    const char *why = NULL;
    for (int64_t i = 0; i < a->length; i++) {
        if (!cc_arrow_valid_at(a, i)) continue;
        cc_status st = convert(src + i * src_bytes, how, &s, &why);
        if (st == CC_OK && cc_dtype_store(out->dtype, &s, slot) != CC_OK)
            st = CC_EINVAL, why = range_why;
        if (st != CC_OK) return cc_error_set(err, st, why, i);
    }
    CC_RETURN_NOT_OK(numbers_nullable_for(out, a));
    int64_t base = out->length;
    int size = cc_numarray_itemsize(out);
    void *first;
    CC_RETURN_NOT_OK(cc_numarray_append_zeros(out, a->length, &first));
    for (int64_t i = 0; i < a->length; i++) {
        if (!cc_arrow_valid_at(a, i)) {
            cc_bitmap_set(out->validity, base + i, false);
            out->null_count++;
        } else if (convert(src + i * src_bytes, how, &s, &why) != CC_OK ||
                   cc_dtype_store(out->dtype, &s, (uint8_t *)first + (size_t)i * (size_t)size) !=
                       CC_OK) {
            return CC_EINVAL; /* checked above: not reached */
        }
    }
    return CC_OK;
}

/* month_day_nano (int32 months, int32 days, int64 nanoseconds) as ns. */
static cc_status interval_to_ns(const uint8_t *p, const void *how, cc_scalar *out,
                                const char **why) {
    (void)how;
    int32_t months, days;
    int64_t ns, total;
    memcpy(&months, p, 4), memcpy(&days, p + 4, 4), memcpy(&ns, p + 8, 8);
    if (months) {
        *why = "interval %lld has months, which have no fixed length: only day and "
               "nanosecond intervals import (as timedelta64[ns])";
        return CC_ETYPE;
    }
    if (__builtin_mul_overflow((int64_t)days, (int64_t)86400000000000, &total) ||
        __builtin_add_overflow(total, ns, &total)) {
        *why = "interval %lld is beyond timedelta64[ns]";
        return CC_EINVAL;
    }
    *out = (cc_scalar){.kind = CC_SCALAR_INT, .v.i = total};
    return CC_OK;
}

cc_status cc_arrow_append_intervals(cc_numarray *out, const struct ArrowArray *a, cc_error *err) {
    err->why = NULL;
    if (out->dtype != CC_TD_NS) return CC_EINVAL;
    return append_each_converted(out, a, 16, interval_to_ns, NULL,
                                 "interval %lld is beyond timedelta64[ns]", err);
}

bool cc_arrow_rescaled_format(const char *f, cc_arrow_rescale *how) {
    static const struct {
        const char *format;
        cc_arrow_rescale how;
    } table[] = {
        {"tts", {CC_TIME_US, 4, 1000000, 1}},
        {"ttm", {CC_TIME_US, 4, 1000, 1}},
        {"tdm", {CC_DATE32, 8, 1, 86400000}},
    };
    for (size_t k = 0; f && k < sizeof table / sizeof table[0]; k++)
        if (strcmp(f, table[k].format) == 0) {
            *how = table[k].how;
            return true;
        }
    return false;
}

#define RESCALE_WHY "value %lld is not a whole number of the unit it imports as, or out of its range"

/* An int32 or int64 (how->src_bytes) times mul / div, exactly. */
static cc_status rescale_value(const uint8_t *p, const void *how_, cc_scalar *out,
                               const char **why) {
    const cc_arrow_rescale *how = how_;
    int64_t v, r;
    if (how->src_bytes == 4) {
        int32_t x;
        memcpy(&x, p, 4);
        v = x;
    } else {
        memcpy(&v, p, 8);
    }
    if (v % how->div || __builtin_mul_overflow(v / how->div, how->mul, &r)) {
        *why = RESCALE_WHY;
        return CC_EINVAL;
    }
    *out = (cc_scalar){.kind = CC_SCALAR_INT, .v.i = r};
    return CC_OK;
}

cc_status cc_arrow_append_rescaled(cc_numarray *out, const struct ArrowArray *a,
                                   const cc_arrow_rescale *how, cc_error *err) {
    err->why = NULL;
    if (out->dtype != how->to) return CC_EINVAL;
    return append_each_converted(out, a, how->src_bytes, rescale_value, how, RESCALE_WHY, err);
}

static int64_t offset_at(const struct ArrowArray *a, bool wide, int64_t i) {
    return wide ? ((const int64_t *)a->buffers[1])[a->offset + i]
                : ((const int32_t *)a->buffers[1])[a->offset + i];
}

/* Room for n more strings of nbytes more bytes: exact for the first array,
 * then with an eighth to spare, so that a stream of chunks costs amortised
 * O(1) per byte (kept below the int32-offset limit while the data fits). */
static cc_status strings_room(cc_strarray *out, int64_t n, int64_t nbytes) {
    int64_t len, bytes;
    CC_RETURN_NOT_OK(cc_add_count(out->length, n, &len));
    CC_RETURN_NOT_OK(cc_add_count(out->data_len, nbytes, &bytes));
    if (out->length > 0) {
        int64_t more_len = len + (len >> 3), more_bytes = bytes + (bytes >> 3);
        if (!out->wide && bytes <= CC_STR_NARROW_MAX && more_bytes > CC_STR_NARROW_MAX)
            more_bytes = CC_STR_NARROW_MAX;
        if (more_len <= CC_MAX_SIZE / 16 && more_bytes <= CC_MAX_SIZE &&
            (len > out->capacity || bytes > out->data_cap) &&
            cc_strarray_reserve(out, more_len, more_bytes) == CC_OK)
            return CC_OK;
    }
    return cc_strarray_reserve(out, len, bytes);
}

/* Drops the strings past the first `keep` (after a failure mid-append). */
static void strings_truncate(cc_strarray *out, int64_t keep) {
    if (cc_strarray_delete_strided(out, keep, 1, out->length - keep) != CC_OK) {
        /* the tail of a compact array: cannot fail */
    }
}

/* Element by element, when a null owns bytes (ours are empty): the same
 * checks as cc_strarray_append_arrow, all before the first append. */
static cc_status append_one_by_one(cc_strarray *out, bool wide, const struct ArrowArray *a,
                                   cc_error *err) {
    int64_t first = offset_at(a, wide, 0), last = offset_at(a, wide, a->length);
    if (first < 0 || last < first)
        return cc_error_set(err, CC_EINVAL, "offsets out of order", -1);
    const uint8_t *data = a->buffers[2];
    for (int64_t i = 0; i < a->length; i++) {
        int64_t lo = offset_at(a, wide, i), hi = offset_at(a, wide, i + 1);
        if (lo < first || hi < lo || hi > last ||
            (!out->binary && cc_arrow_valid_at(a, i) && !cc_utf8_valid(data + lo, hi - lo)))
            return cc_error_set(err, CC_EINVAL,
                                "string %lld has bad offsets or is not valid UTF-8", i);
    }
    int64_t base = out->length;
    cc_status st = strings_room(out, a->length, last - first);
    for (int64_t i = 0; st == CC_OK && i < a->length; i++) {
        int64_t lo = offset_at(a, wide, i), hi = offset_at(a, wide, i + 1);
        bool valid = cc_arrow_valid_at(a, i);
        st = cc_strarray_append(out, (cc_str){data + lo, valid ? hi - lo : 0}, !valid);
    }
    if (st != CC_OK) strings_truncate(out, base);
    return st;
}

cc_status cc_arrow_append_strings(cc_strarray *out, bool wide, const struct ArrowArray *a,
                                  cc_error *err) {
    err->why = NULL;
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 3, err));
    if (out->spans) return CC_EINVAL;
    CC_RETURN_NOT_OK(strings_nullable_for(out, a));
    if (a->length == 0) return CC_OK;
    bool nulls = cc_arrow_has_nulls(a);
    /* Arrow lets a null own bytes; ours are empty, so those take the slow path */
    bool bulk = true;
    for (int64_t i = 0; bulk && nulls && i < a->length; i++)
        bulk = cc_arrow_valid_at(a, i) || offset_at(a, wide, i) == offset_at(a, wide, i + 1);
    if (!bulk) return append_one_by_one(out, wide, a, err);
    int64_t base = out->length, first = offset_at(a, wide, 0), last = offset_at(a, wide, a->length);
    if (base > 0 && first >= 0 && last >= first)
        CC_RETURN_NOT_OK(strings_room(out, a->length, last - first));
    const uint8_t *off = (const uint8_t *)a->buffers[1] + a->offset * (wide ? 8 : 4);
    CC_RETURN_NOT_OK(cc_strarray_append_arrow(out, off, wide, a->length, a->buffers[2], err));
    for (int64_t i = 0; nulls && i < a->length; i++)
        if (!cc_arrow_valid_at(a, i)) {
            cc_bitmap_set(out->validity, base + i, false);
            out->null_count++;
        }
    return CC_OK;
}

cc_status cc_arrow_append_string_views(cc_strarray *out, const struct ArrowArray *a,
                                       cc_error *err) {
    err->why = NULL;
    int64_t bytes;
    CC_RETURN_NOT_OK(cc_arrow_check_views_shape(a, err));
    if (out->spans) return CC_EINVAL;
    CC_RETURN_NOT_OK(cc_arrow_check_views(a, out->binary, &bytes, err));
    CC_RETURN_NOT_OK(strings_nullable_for(out, a));
    int64_t base = out->length;
    cc_status st = strings_room(out, a->length, bytes);
    for (int64_t i = 0; st == CC_OK && i < a->length; i++) {
        bool valid = cc_arrow_valid_at(a, i);
        cc_str s = {NULL, 0};
        if (valid && !view_at(a, i, &s)) st = CC_EINVAL; /* checked above */
        if (st == CC_OK) st = cc_strarray_append(out, s, !valid);
    }
    if (st != CC_OK) strings_truncate(out, base);
    return st;
}

cc_status cc_arrow_append_codes(cc_numarray *out, cc_dtype it, const struct ArrowArray *a,
                                const int64_t *ids, int64_t k, bool *null_code, cc_error *err) {
    err->why = NULL;
    if (!out->adaptive || out->nullable || !cc_dtype_is_integer(it)) return CC_EINVAL;
    if (a->length == 0) return CC_OK;
    size_t size;
    CC_RETURN_NOT_OK(cc_mul_size(a->length, (int64_t)sizeof(int64_t), &size));
    int64_t *codes = cc_malloc(size), lo = 0, hi = 0;
    if (!codes) return CC_ENOMEM;
    /* pass 1: check every index and look its code up (nothing changes yet) */
    bool nulls = cc_arrow_has_nulls(a);
    FOR_EACH_INDEX(it, a, {
        int64_t code = -1;
        if (!nulls || cc_arrow_valid_at(a, i)) {
            if (x < 0 || x >= k) {
                cc_free(codes);
                return cc_error_set(err, CC_EINVAL, outside, i);
            }
            code = ids[x];
            *null_code |= code == -1;
        }
        codes[i] = code;
        lo = code < lo ? code : lo;
        hi = code > hi ? code : hi;
    });
    /* pass 2: store them at the narrowest width that holds them all */
    cc_dtype w = cc_dtype_int_width_for(lo), w2 = cc_dtype_int_width_for(hi);
    if (cc_dtype_itemsize(w2) > cc_dtype_itemsize(w)) w = w2;
    cc_status st = CC_OK;
    void *first;
    if (cc_dtype_itemsize(w) > cc_numarray_itemsize(out)) st = cc_numarray_widen(out, w);
    if (st == CC_OK) st = cc_numarray_append_zeros(out, a->length, &first);
    if (st == CC_OK) {
        switch (out->dtype) {
        case CC_INT8: for (int64_t i = 0; i < a->length; i++) ((int8_t *)first)[i] = (int8_t)codes[i]; break;
        case CC_INT16: for (int64_t i = 0; i < a->length; i++) ((int16_t *)first)[i] = (int16_t)codes[i]; break;
        case CC_INT32: for (int64_t i = 0; i < a->length; i++) ((int32_t *)first)[i] = (int32_t)codes[i]; break;
        default: memcpy(first, codes, size); break;
        }
    }
    cc_free(codes);
    return st;
}

#undef INDEX_LOOP
#undef FOR_EACH_INDEX

/* ---- adopters ---------------------------------------------------------------------- */

/* The validity of a (which has nulls) for an adopter: *bits points at bit
 * `offset` of the producer's bitmap, shared through owner, when that is a
 * byte boundary; otherwise at a shifted copy, *share then a new owned
 * buffer whose reference the caller drops after the adoption.  *nulls =
 * the clear bits counted (a producer's null_count may be -1, or wrong). */
static cc_status adopt_validity(const struct ArrowArray *a, cc_buffer *owner,
                                const uint8_t **bits, cc_buffer **share, bool *private_copy,
                                int64_t *nulls) {
    const uint8_t *src = a->buffers[0];
    *private_copy = false;
    *nulls = a->length - cc_bitmap_count(src, a->offset, a->length);
    if (a->offset % 8 == 0) {
        *bits = src + a->offset / 8;
        *share = owner;
        return CC_OK;
    }
    size_t nbytes = (size_t)cc_bitmap_bytes(a->length);
    uint8_t *copy = cc_malloc(nbytes);
    if (!copy) return CC_ENOMEM;
    memset(copy, 0, nbytes);
    cc_bitmap_move(copy, 0, src, a->offset, a->length);
    if (!(*share = cc_buffer_own(copy))) {
        cc_free(copy);
        return CC_ENOMEM;
    }
    *bits = copy;
    *private_copy = true;
    return CC_OK;
}

static bool aligned(const void *p, int size) { return (uintptr_t)p % (uintptr_t)size == 0; }

cc_status cc_arrow_adopt_numbers(cc_numarray *out, cc_dtype dtype, const struct ArrowArray *a,
                                 cc_buffer *owner, bool *adopted, cc_error *err) {
    err->why = NULL;
    *adopted = false;
    int size = cc_dtype_itemsize(dtype);
    size_t skip;
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 2, err));
    if (dtype == CC_BOOL || a->length == 0 || !owner || out->capacity) return CC_OK;
    if (cc_mul_size(a->offset + a->length, size, &skip) != CC_OK)
        return cc_error_set(err, CC_EINVAL, "length or offset out of range", -1);
    const uint8_t *values = (const uint8_t *)a->buffers[1] + a->offset * size;
    if (!aligned(values, size)) return CC_OK;
    bool nulls = cc_arrow_has_nulls(a), private_copy = false;
    const uint8_t *bits = NULL;
    cc_buffer *bits_share = NULL;
    int64_t null_count = 0;
    if (nulls)
        CC_RETURN_NOT_OK(adopt_validity(a, owner, &bits, &bits_share, &private_copy, &null_count));
    cc_numarray_reset(out); /* empty, its time zone kept */
    out->dtype = dtype, out->adaptive = false, out->nullable = nulls;
    cc_status st = cc_numarray_adopt(out, a->length, values, owner, bits, bits_share, null_count);
    if (private_copy) cc_buffer_unref(bits_share); /* out holds its own reference */
    *adopted = st == CC_OK;
    return st;
}

cc_status cc_arrow_adopt_strings(cc_strarray *out, bool wide, const struct ArrowArray *a,
                                 cc_buffer *owner, bool *adopted, cc_error *err) {
    err->why = NULL;
    *adopted = false;
    CC_RETURN_NOT_OK(cc_arrow_check_shape(a, 3, err));
    if (a->length == 0 || !owner || out->capacity || out->data_cap) return CC_OK;
    int osize = wide ? 8 : 4;
    const uint8_t *offsets = (const uint8_t *)a->buffers[1] + a->offset * osize;
    if (!aligned(offsets, osize)) return CC_OK;
    bool nulls = cc_arrow_has_nulls(a), private_copy = false;
    /* Arrow lets a null own bytes; ours are empty: such an array is copied */
    for (int64_t i = 0; nulls && i < a->length; i++)
        if (!cc_arrow_valid_at(a, i) && offset_at(a, wide, i) != offset_at(a, wide, i + 1))
            return CC_OK;
    const uint8_t *bits = NULL;
    cc_buffer *bits_share = NULL;
    int64_t null_count = 0;
    if (nulls)
        CC_RETURN_NOT_OK(adopt_validity(a, owner, &bits, &bits_share, &private_copy, &null_count));
    cc_strarray fresh;
    cc_strarray_init(&fresh, nulls);
    fresh.binary = out->binary;
    cc_status st = cc_strarray_adopt(&fresh, a->length, offsets, owner, wide, a->buffers[2],
                                     owner, bits, bits_share, null_count, err);
    if (private_copy) cc_buffer_unref(bits_share); /* fresh holds its own reference */
    if (st == CC_OK) cc_strarray_move(out, &fresh);
    cc_strarray_reset(&fresh);
    *adopted = st == CC_OK;
    return st;
}

void cc_arrow_struct_child(const struct ArrowArray *parent, int64_t i, struct ArrowArray *child) {
    *child = *parent->children[i];
    bool whole = parent->offset == 0 && child->length == parent->length;
    child->offset += parent->offset;
    child->length = parent->length;
    if (!whole && child->null_count > 0) child->null_count = -1; /* unknown in the cut */
}
