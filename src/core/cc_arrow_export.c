/* cc_arrow_export.c -- the buffers of the core's containers as Arrow C data
 * interface arrays: snapshots that share the container's buffers where the
 * layouts agree, and the few copies where they do not (see
 * cc_arrow_export.h for the layouts).
 *
 * Every buffer the export hands over is held by a reference
 * (cc_arrow_export.holds, cc_buffer.h): a shared buffer of the container,
 * which the container copies before it next writes, so the consumer keeps
 * exactly the values it was given -- or a block made for the export:
 *   bool values   Arrow bit-packs them; we store a byte each
 *   a cast        the consumer asked for another type (lossless only)
 *   offsets       string <-> large_string asked for: int32 <-> int64
 *   validity      of dictionary indices: our nulls are -1 codes
 *   any buffer    of a container a memoryview aliases (exports > 0): the
 *                 view may write it, so the export takes a copy
 * cc_arrow_export_reset drops the references.  Buffers of length 0 that
 * Arrow still wants non-NULL (values, offsets {0}) point at a static zero.
 */
#include "cc_arrow_export.h"

/* Arrow's non-NULL stand-ins for the buffers of an empty container: a
 * values buffer of no elements, and the one offset {0}. */
static const int64_t empty_buffer = 0;
static const int64_t zero_offset = 0;

void cc_arrow_export_reset(cc_arrow_export *ex) {
    for (int k = 0; k < 3; k++) cc_buffer_unref(ex->holds[k]);
    memset(ex, 0, sizeof *ex);
}

/* Buffer k of the export is `block`, made for it (cc_malloc, taken over:
 * freed here on failure). */
static cc_status hold_block(cc_arrow_export *ex, int k, void *block) {
    ex->holds[k] = cc_buffer_own(block);
    if (!ex->holds[k]) {
        cc_free(block);
        return CC_ENOMEM;
    }
    ex->buffers[k] = block;
    return CC_OK;
}

/* Buffer k of the export is the container's buffer at *ptr (cap bytes, the
 * first `used` of them exported): shared, or copied while `aliased`. */
static cc_status hold_buffer(cc_arrow_export *ex, int k, uint8_t **ptr, cc_buffer **share,
                             size_t cap, size_t used, bool aliased) {
    if (!*ptr) return CC_OK;
    if (aliased) {
        void *copy = cc_malloc(used ? used : 1);
        if (!copy) return CC_ENOMEM;
        if (used) memcpy(copy, *ptr, used);
        return hold_block(ex, k, copy);
    }
    CC_RETURN_NOT_OK(cc_slot_share(ptr, share, cap, &ex->holds[k]));
    ex->buffers[k] = *ptr;
    return CC_OK;
}

/* On failure: nothing held, *ex empty. */
static cc_status undo_on_error(cc_arrow_export *ex, cc_status st) {
    if (st != CC_OK) cc_arrow_export_reset(ex);
    return st;
}

void cc_arrow_export_fill(const cc_arrow_export *ex, struct ArrowArray *out) {
    out->length = ex->length;
    out->null_count = ex->null_count;
    out->offset = 0;
    out->n_buffers = ex->n_buffers;
    out->n_children = 0;
    out->buffers = (const void **)ex->buffers;
    out->children = NULL;
    out->dictionary = NULL;
}

void cc_arrow_schema_fill(struct ArrowSchema *out, const char *format, bool nullable) {
    out->format = format;
    out->name = "";
    out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
}

/* A zeroed block of n bytes (at least one), or NULL. */
static void *zeroed(size_t n) {
    void *p = cc_malloc(n ? n : 1);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

/* ---- numbers ----------------------------------------------------------------------- */

bool cc_arrow_lossless_cast(cc_dtype from, cc_dtype to) {
    if (from == to) return true;
    if (from == CC_BOOL || to == CC_BOOL) return false;
    if (cc_dtype_is_integer(from) && cc_dtype_is_integer(to)) return true; /* values checked */
    if (cc_dtype_is_integer(from) && cc_dtype_get(to)->kind == CC_KIND_FLOAT)
        return 2 * cc_dtype_itemsize(from) <= cc_dtype_itemsize(to);
    return from == CC_FLOAT32 && to == CC_FLOAT64;
}

cc_status cc_arrow_numbers_target(const cc_numarray *a, const char *want, cc_dtype *to) {
    *to = a->dtype;
    if (!want || (cc_arrow_dtype(want, to) && cc_arrow_lossless_cast(a->dtype, *to)))
        return CC_OK;
    *to = a->dtype;
    return CC_EINVAL;
}

/* The bool values packed into Arrow's bit layout, in *out. */
static cc_status pack_bools(const cc_numarray *a, uint8_t **out) {
    uint8_t *bits = zeroed((size_t)cc_bitmap_bytes(a->length) + 1);
    if (!bits) return CC_ENOMEM;
    for (int64_t i = 0; i < a->length; i++)
        if (a->data[i]) cc_bitmap_set(bits, i, true);
    *out = bits;
    return CC_OK;
}

/* a's values as dtype `to`, in *out; CC_EOVERFLOW (err->index) for the
 * first that does not fit. */
static cc_status cast_values(const cc_numarray *a, cc_dtype to, uint8_t **out, cc_error *err) {
    size_t size = (size_t)cc_dtype_itemsize(to), bytes;
    CC_RETURN_NOT_OK(cc_mul_size(a->length, (int64_t)size, &bytes));
    uint8_t *values = cc_malloc(bytes ? bytes : 1);
    if (!values) return CC_ENOMEM;
    for (int64_t i = 0; i < a->length; i++) {
        cc_scalar v;
        cc_dtype_load(a->dtype, a->data + i * cc_numarray_itemsize(a), &v);
        if (!cc_numarray_is_valid(a, i)) /* anything: adopted or written through a view */
            v = (cc_scalar){.kind = CC_SCALAR_INT};
        if (cc_dtype_store(to, &v, values + (size_t)i * size) != CC_OK) {
            cc_free(values);
            return cc_error_set(err, CC_EOVERFLOW, "does not fit the requested type", i);
        }
    }
    *out = values;
    return CC_OK;
}

cc_status cc_arrow_export_numbers(cc_numarray *a, cc_dtype to, cc_arrow_export *out,
                                  cc_error *err) {
    memset(out, 0, sizeof *out);
    if (!cc_arrow_lossless_cast(a->dtype, to))
        return cc_error_set(err, CC_EINVAL, "not a lossless cast", -1);
    *out = (cc_arrow_export){.length = a->length, .null_count = a->null_count, .n_buffers = 2};
    bool aliased = a->exports > 0;
    cc_status st = CC_OK;
    uint8_t *made = NULL;
    if (a->dtype == CC_BOOL) st = pack_bools(a, &made);
    else if (to != a->dtype) st = cast_values(a, to, &made, err);
    if (st == CC_OK && made) st = hold_block(out, 1, made);
    else if (st == CC_OK)
        st = hold_buffer(out, 1, &a->data, &a->data_share,
                         (size_t)a->capacity * (size_t)cc_numarray_itemsize(a),
                         (size_t)a->length * (size_t)cc_numarray_itemsize(a), aliased);
    if (st == CC_OK && a->null_count)
        st = hold_buffer(out, 0, &a->validity, &a->validity_share,
                         (size_t)cc_bitmap_bytes(a->capacity), (size_t)cc_bitmap_bytes(a->length),
                         aliased);
    if (!out->buffers[1]) out->buffers[1] = &empty_buffer;
    return undo_on_error(out, st);
}

/* ---- strings ----------------------------------------------------------------------- */

cc_status cc_arrow_strings_target(const cc_strarray *a, const char *want, bool *wide) {
    *wide = a->wide;
    if (!want) return CC_OK;
    const char *narrow = a->binary ? "z" : "u", *large = a->binary ? "Z" : "U";
    if (strcmp(want, large) == 0 || strcmp(want, narrow) == 0) {
        *wide = want[0] == large[0];
        return CC_OK;
    }
    return CC_EINVAL;
}

/* The offsets of a (compact) in the other width, in *out; CC_EOVERFLOW
 * when its bytes do not fit int32 offsets. */
static cc_status cast_offsets(const cc_strarray *a, bool wide, void **out, cc_error *err) {
    int64_t n = a->length + 1;
    if (!wide && a->length && cc_strarray_offset(a, a->length) > INT32_MAX)
        return cc_error_set(err, CC_EOVERFLOW, "bytes do not fit int32 offsets", -1);
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, wide ? 8 : 4, &bytes));
    void *offsets = cc_malloc(bytes);
    if (!offsets) return CC_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        int64_t o = a->offsets ? cc_strarray_offset(a, i) : 0;
        if (wide) ((int64_t *)offsets)[i] = o;
        else ((int32_t *)offsets)[i] = (int32_t)o;
    }
    *out = offsets;
    return CC_OK;
}

/* The string buffers of a (compact) in ex: the bytes, the offsets unless
 * ex already holds others, the validity if with_validity (a dictionary
 * has none). */
static cc_status hold_strings(cc_arrow_export *ex, cc_strarray *a, bool with_validity) {
    bool aliased = a->exports > 0;
    size_t osize = a->wide ? 8 : 4;
    cc_status st = CC_OK;
    if (!ex->buffers[1])
        st = hold_buffer(ex, 1, &a->offsets, &a->offsets_share, (size_t)(a->capacity + 1) * osize,
                         (size_t)(a->length + 1) * osize, aliased);
    if (st == CC_OK)
        st = hold_buffer(ex, 2, &a->data, &a->data_share, (size_t)a->data_cap,
                         (size_t)a->data_len, aliased);
    if (st == CC_OK && with_validity && a->null_count)
        st = hold_buffer(ex, 0, &a->validity, &a->validity_share,
                         (size_t)cc_bitmap_bytes(a->capacity), (size_t)cc_bitmap_bytes(a->length),
                         aliased);
    if (!ex->buffers[1]) ex->buffers[1] = &zero_offset;
    if (!ex->buffers[2]) ex->buffers[2] = &empty_buffer;
    return st;
}

cc_status cc_arrow_export_strings(cc_strarray *a, bool wide, cc_arrow_export *out,
                                  cc_error *err) {
    memset(out, 0, sizeof *out);
    if (a->spans) return cc_error_set(err, CC_EINVAL, "the strings are not compact", -1);
    *out = (cc_arrow_export){.length = a->length, .null_count = a->null_count, .n_buffers = 3};
    cc_status st = CC_OK;
    if (wide != a->wide) {
        void *offsets = NULL;
        st = cast_offsets(a, wide, &offsets, err);
        if (st == CC_OK) st = hold_block(out, 1, offsets);
    }
    if (st == CC_OK) st = hold_strings(out, a, true);
    return undo_on_error(out, st);
}

/* ---- codes + dictionary ------------------------------------------------------------ */

/* One loop per code width (the compiler cannot hoist the dtype switch of
 * cc_numarray_get out of a loop over another file's function): body runs
 * with `v`, code i as int64_t (an unsigned code past INT64_MAX reads
 * negative, so it is refused like any other stray code). */
#define FOR_EACH_CODE(codes, body)                                                         \
    switch ((codes)->dtype) {                                                              \
    case CC_INT8: FOR_CODES_AS(codes, int8_t, body); break;                                \
    case CC_INT16: FOR_CODES_AS(codes, int16_t, body); break;                              \
    case CC_INT32: FOR_CODES_AS(codes, int32_t, body); break;                              \
    case CC_INT64: FOR_CODES_AS(codes, int64_t, body); break;                              \
    case CC_UINT8: FOR_CODES_AS(codes, uint8_t, body); break;                              \
    case CC_UINT16: FOR_CODES_AS(codes, uint16_t, body); break;                            \
    case CC_UINT32: FOR_CODES_AS(codes, uint32_t, body); break;                            \
    default: FOR_CODES_AS(codes, uint64_t, body); break;                                   \
    }
#define FOR_CODES_AS(codes, T, body)                                                       \
    do {                                                                                   \
        const T *c_ = (const T *)(codes)->data;                                            \
        for (int64_t i = 0; i < (codes)->length; i++) {                                    \
            int64_t v = (int64_t)c_[i];                                                    \
            body                                                                           \
        }                                                                                  \
    } while (0)

/* The number of -1 codes in *nulls; the first code outside [-1, k) in
 * *bad (-1 if none). */
static void scan_codes(const cc_numarray *codes, int64_t k, int64_t *nulls, int64_t *bad) {
    int64_t n = 0, first = -1;
    FOR_EACH_CODE(codes, {
        if (CC_UNLIKELY(v < -1 || v >= k)) {
            first = i;
            break;
        }
        n += v == -1;
    })
    *nulls = n;
    *bad = first;
}

/* Sets bit i of a zeroed bitmap for every code that is not -1. */
static void set_valid_codes(const cc_numarray *codes, uint8_t *bits) {
    FOR_EACH_CODE(codes, {
        if (v != -1) cc_bitmap_set(bits, i, true);
    })
}

cc_status cc_arrow_export_codes(cc_numarray *codes, cc_strarray *keys,
                                cc_arrow_export *indices, cc_arrow_export *dictionary,
                                cc_error *err) {
    memset(indices, 0, sizeof *indices);
    memset(dictionary, 0, sizeof *dictionary);
    if (!cc_dtype_is_integer(codes->dtype) || keys->spans)
        return cc_error_set(err, CC_EINVAL, "codes must be integers, keys compact", -1);
    int64_t k = keys->length, nulls, bad;
    scan_codes(codes, k, &nulls, &bad); /* a stray code must not reach Arrow */
    if (bad >= 0) return cc_error_set(err, CC_EINVAL, "a code is not in the dictionary", bad);
    *indices = (cc_arrow_export){.length = codes->length, .null_count = nulls, .n_buffers = 2};
    cc_status st = CC_OK;
    if (nulls) {
        uint8_t *validity = zeroed((size_t)cc_bitmap_bytes(codes->length) + 1);
        if (!validity) return undo_on_error(indices, CC_ENOMEM); /* zeroed, as promised */
        set_valid_codes(codes, validity);
        st = hold_block(indices, 0, validity);
    }
    if (st == CC_OK)
        st = hold_buffer(indices, 1, &codes->data, &codes->data_share,
                         (size_t)codes->capacity * (size_t)cc_numarray_itemsize(codes),
                         (size_t)codes->length * (size_t)cc_numarray_itemsize(codes),
                         codes->exports > 0);
    if (!indices->buffers[1]) indices->buffers[1] = &empty_buffer;
    if (st == CC_OK) { /* else the dictionary stays zeroed: nothing filled in */
        *dictionary = (cc_arrow_export){.length = k, .n_buffers = 3};
        st = undo_on_error(dictionary, hold_strings(dictionary, keys, false));
    }
    return undo_on_error(indices, st);
}

/* ---- structs ------------------------------------------------------------------------ */

/* n zeroed slots of size bytes each (at least one), in *out. */
static cc_status zeroed_slots(int64_t n, size_t size, void **out) {
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n ? n : 1, (int64_t)size, &bytes));
    return (*out = zeroed(bytes)) ? CC_OK : CC_ENOMEM;
}

cc_status cc_arrow_struct_init(cc_arrow_struct *s, int64_t n_children) {
    memset(s, 0, sizeof *s);
    void *children = NULL, *pointers = NULL;
    if (zeroed_slots(n_children, sizeof *s->children, &children) != CC_OK ||
        zeroed_slots(n_children, sizeof *s->pointers, &pointers) != CC_OK) {
        cc_free(children);
        return CC_ENOMEM;
    }
    s->children = children;
    s->pointers = pointers;
    s->n_children = n_children;
    s->length = -1;
    return CC_OK;
}

cc_status cc_arrow_struct_move_child(cc_arrow_struct *s, struct ArrowArray *child,
                                     cc_error *err) {
    if (s->n == s->n_children) {
        if (child->release) child->release(child);
        return cc_error_set(err, CC_EINDEX, "every child is in", -1);
    }
    struct ArrowArray *slot = &s->children[s->n];
    *slot = *child;
    child->release = NULL;
    s->pointers[s->n++] = slot;
    if (s->length >= 0 && slot->length != s->length)
        return cc_error_set(err, CC_EINVAL, "the children differ in length", s->n - 1);
    s->length = slot->length;
    return CC_OK;
}

void cc_arrow_struct_fill(const cc_arrow_struct *s, int64_t rows, struct ArrowArray *out) {
    *out = (struct ArrowArray){.length = s->length < 0 ? rows : s->length, .n_buffers = 1,
                               .n_children = s->n, .buffers = (const void **)s->buffers,
                               .children = s->pointers};
}

void cc_arrow_struct_reset(cc_arrow_struct *s) {
    for (int64_t i = 0; i < s->n; i++)
        if (s->children[i].release) s->children[i].release(&s->children[i]);
    cc_free(s->children);
    cc_free(s->pointers);
    memset(s, 0, sizeof *s);
}

cc_status cc_arrow_struct_schema_init(cc_arrow_struct_schema *s, int64_t n_children) {
    memset(s, 0, sizeof *s);
    void *children = NULL, *pointers = NULL, *copies = NULL;
    if (zeroed_slots(n_children, sizeof *s->children, &children) != CC_OK ||
        zeroed_slots(n_children, sizeof *s->pointers, &pointers) != CC_OK ||
        zeroed_slots(n_children, 2 * sizeof *s->copies, &copies) != CC_OK) {
        cc_free(children);
        cc_free(pointers);
        return CC_ENOMEM;
    }
    s->children = children;
    s->pointers = pointers;
    s->copies = copies;
    s->n_children = n_children;
    return CC_OK;
}

/* A cc_malloc copy of the len bytes of text, NUL-terminated; NULL if none. */
static char *copy_text(const char *text, size_t len) {
    char *out = len < SIZE_MAX ? cc_malloc(len + 1) : NULL;
    if (out) {
        memcpy(out, text, len);
        out[len] = '\0';
    }
    return out;
}

cc_status cc_arrow_struct_schema_move_child(cc_arrow_struct_schema *s, struct ArrowSchema *child,
                                            const char *name, size_t name_len,
                                            const char *format) {
    if (s->n == s->n_children) {
        if (child->release) child->release(child);
        return CC_EINDEX;
    }
    int64_t i = s->n++;
    struct ArrowSchema *slot = &s->children[i];
    *slot = *child;
    child->release = NULL;
    if (!(s->copies[2 * i] = copy_text(name, name_len))) return CC_ENOMEM;
    slot->name = s->copies[2 * i];
    if (format && (!slot->format || strcmp(format, slot->format) != 0)) {
        if (!(s->copies[2 * i + 1] = copy_text(format, strlen(format)))) return CC_ENOMEM;
        slot->format = s->copies[2 * i + 1];
    }
    s->pointers[i] = slot;
    return CC_OK;
}

void cc_arrow_struct_schema_fill(const cc_arrow_struct_schema *s, struct ArrowSchema *out) {
    *out = (struct ArrowSchema){.format = "+s", .name = "", .n_children = s->n,
                                .children = s->pointers};
}

void cc_arrow_struct_schema_reset(cc_arrow_struct_schema *s) {
    for (int64_t i = 0; i < s->n; i++) {
        if (s->children[i].release) s->children[i].release(&s->children[i]);
        cc_free(s->copies[2 * i]);
        cc_free(s->copies[2 * i + 1]);
    }
    cc_free(s->children);
    cc_free(s->pointers);
    cc_free(s->copies);
    memset(s, 0, sizeof *s);
}

bool cc_arrow_struct_request_ok(const struct ArrowSchema *want, int64_t n) {
    return want->format && strcmp(want->format, "+s") == 0 && want->n_children == n &&
           (n == 0 || want->children);
}
