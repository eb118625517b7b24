/* cc_arrow_import.h -- importing foreign Arrow arrays into the core's
 * containers: validation of a producer's structs, and importers that append
 * one array (one chunk of a stream) to a caller's container.
 *
 * Validation runs in nanoarrow's levels:
 *
 *   shape    O(1) per buffer: length/offset/null_count ranges, the number of
 *            buffers and children, non-NULL data buffers, a struct's
 *            children as long as the struct   (cc_arrow_check_shape,
 *            cc_arrow_check_struct, cc_arrow_check_views_shape,
 *            cc_arrow_check_dictionary)
 *   content  O(n): string offsets never decrease and stay in range, the
 *            bytes are UTF-8, string views point inside their buffers,
 *            dictionary indices lie in the dictionary
 *            (cc_arrow_check_views, cc_arrow_check_indices; the offsets and
 *            UTF-8 of 'u'/'U' are checked while copied, in
 *            cc_strarray_append_arrow)
 *
 * What the C data interface does not describe -- the size of each buffer --
 * must be trusted, as every consumer does.
 *
 * Errors: a status plus a cc_error.  CC_EINVAL is malformed input
 * (ValueError in Python), CC_ETYPE a type that does not import (TypeError);
 * both set err->why.  Other statuses (CC_ENOMEM, CC_EOVERFLOW, CC_EBUSY)
 * leave err->why NULL.
 *
 * Appending: an importer checks everything first and then appends the
 * whole array, or nothing -- on failure out holds the values it held
 * (though it may have become nullable).  An array with nulls (a validity
 * bitmap and null_count != 0) makes out nullable: a stream appends chunk
 * after chunk into one container, nullable if any chunk is.
 */
#ifndef CC_ARROW_IMPORT_H
#define CC_ARROW_IMPORT_H

#include "cc_arrow.h"
#include "cc_numarray.h"
#include "cc_strarray.h"

/* ---- reading a foreign array -------------------------------------------------- */

/* True if the array says it has nulls.  Safe on any struct, before the
 * shape checks (fuzzing found a NULL `buffers` read here). */
static inline bool cc_arrow_has_nulls(const struct ArrowArray *a) {
    return a->null_count != 0 && a->buffers && a->n_buffers > 0 && a->buffers[0] != NULL;
}

/* True if element i is valid (no bitmap: all are).  After the shape check. */
static inline bool cc_arrow_valid_at(const struct ArrowArray *a, int64_t i) {
    return a->null_count == 0 || !a->buffers[0] ||
           cc_bitmap_get((const uint8_t *)a->buffers[0], a->offset + i);
}

/* ---- shape: O(1) per buffer ----------------------------------------------------- */

/* A flat array with n_buffers buffers (validity first). */
CC_MUST_CHECK cc_status cc_arrow_check_shape(const struct ArrowArray *a, int64_t n_buffers,
                                             cc_error *err);
/* A string view ('vu') array: validity, views, the data buffers, their sizes. */
CC_MUST_CHECK cc_status cc_arrow_check_views_shape(const struct ArrowArray *a, cc_error *err);
/* A struct schema ('+s') and, unless a is NULL, its array: fields with a
 * format, children that match and are as long as the struct, no null rows
 * (which have no column form). */
CC_MUST_CHECK cc_status cc_arrow_check_struct(const struct ArrowSchema *s,
                                              const struct ArrowArray *a, cc_error *err);
/* A dictionary-encoded schema (s->dictionary set) and array that import as
 * a CategoricalArray: integer indices (*index_dtype) into a dictionary of
 * strings ('u', 'U' or 'vu': *values_format), and the indices' shape. */
CC_MUST_CHECK cc_status cc_arrow_check_dictionary(const struct ArrowSchema *s,
                                                  const struct ArrowArray *a,
                                                  cc_dtype *index_dtype,
                                                  const char **values_format, cc_error *err);

/* ---- content: O(n) ----------------------------------------------------------------- */

/* Every view of a 'vu' / 'vz' array (after its shape check) inside its
 * buffer and, unless binary, every valid string UTF-8; *bytes = the bytes
 * of the valid strings. */
CC_MUST_CHECK cc_status cc_arrow_check_views(const struct ArrowArray *a, bool binary,
                                             int64_t *bytes, cc_error *err);
/* Every valid index of a (integer dtype it, after the shape check) in
 * [0, k). */
CC_MUST_CHECK cc_status cc_arrow_check_indices(cc_dtype it, const struct ArrowArray *a, int64_t k,
                                               cc_error *err);
/* Index i of a checked index array (integer dtype it). */
static inline int64_t cc_arrow_index_at(cc_dtype it, const struct ArrowArray *a, int64_t i) {
    cc_scalar v;
    cc_dtype_load(it, (const uint8_t *)a->buffers[1] + (a->offset + i) * cc_dtype_itemsize(it),
                  &v);
    return v.v.i;
}

/* ---- importers: append a whole array to out ---------------------------------------- */

/* Numbers of Arrow format cc_arrow_format(out->dtype) (bools unpacked from
 * bits); a null holds 0.  out is not adaptive. */
CC_MUST_CHECK cc_status cc_arrow_append_numbers(cc_numarray *out, const struct ArrowArray *a,
                                                cc_error *err);

/* Arrow's month_day_nano intervals (format "tin": 16 bytes a value, int32
 * months, int32 days, int64 nanoseconds; DuckDB's INTERVAL) appended to a
 * timedelta64[ns] array: days * 86400e9 + nanoseconds.  A month has no fixed
 * length, so a valid value with months is CC_ETYPE (err names the item), one
 * beyond int64 nanoseconds CC_EINVAL; all or nothing. */
CC_MUST_CHECK cc_status cc_arrow_append_intervals(cc_numarray *out, const struct ArrowArray *a,
                                                  cc_error *err);

/* Arrow temporal types stored here in another unit, converted exactly:
 * time32[s|ms] ("tts", "ttm") as time64[us], date64 ("tdm", milliseconds)
 * as date32.  Fills *how and returns true when f is one of them. */
typedef struct {
    cc_dtype to;
    int src_bytes;      /* 4: int32 values, 8: int64 */
    int64_t mul, div;   /* to's value = v * mul / div, which must be exact */
} cc_arrow_rescale;
bool cc_arrow_rescaled_format(const char *f, cc_arrow_rescale *how);
/* Appends a's values (format per `how`) to out (of dtype how->to), each
 * converted and checked: a value that is not a whole number of the target
 * unit or out of its range is CC_EINVAL naming the item; all or nothing. */
CC_MUST_CHECK cc_status cc_arrow_append_rescaled(cc_numarray *out, const struct ArrowArray *a,
                                                 const cc_arrow_rescale *how, cc_error *err);
/* Strings of a 'u' (int32 offsets) or 'U' (wide) array -- 'z' / 'Z' when
 * out->binary (then no UTF-8 check); a null's bytes, which Arrow allows,
 * are dropped. */
CC_MUST_CHECK cc_status cc_arrow_append_strings(cc_strarray *out, bool wide,
                                                const struct ArrowArray *a, cc_error *err);
/* Strings of a 'vu' (string view) array; 'vz' (binary view) when out->binary. */
CC_MUST_CHECK cc_status cc_arrow_append_string_views(cc_strarray *out,
                                                     const struct ArrowArray *a, cc_error *err);
/* The codes of a dictionary's index array (integer dtype it): ids[index]
 * for a valid element, -1 for a null, appended to the adaptive,
 * non-nullable codes array out at the narrowest width that holds them.
 * Checks every valid index against the k words of the dictionary first
 * (as cc_arrow_check_indices); *null_code |= some valid index has id -1 (a
 * null word). */
CC_MUST_CHECK cc_status cc_arrow_append_codes(cc_numarray *out, cc_dtype it,
                                              const struct ArrowArray *a, const int64_t *ids,
                                              int64_t k, bool *null_code, cc_error *err);

/* ---- adopters: the container takes the producer's buffers, no copy ---------------- */

/* Zero-copy import (cc_buffer.h): the container's buffers point into the
 * producer's, each held by a reference to owner -- a foreign cc_buffer
 * whose release releases the producer's array (one owner can back every
 * buffer of one array and of its children).  The first write copies.  A
 * validity bitmap is shared when its bit offset is a multiple of 8, else
 * copied (shifted); the null count is always counted, never trusted.
 *
 * *adopted false (out untouched, nothing checked yet): the array does not
 * adopt -- empty, bools (bit-packed in Arrow, bytes here), values or
 * offsets not aligned to their width, a null owning bytes -- and the
 * caller copies it with the matching cc_arrow_append_*.  Otherwise the
 * checks are the appender's (the same statuses and messages), made before
 * anything changes. */

/* Numbers of Arrow format cc_arrow_format(dtype) into out (empty: it is
 * re-initialised with dtype, nullable iff a has nulls). */
CC_MUST_CHECK cc_status cc_arrow_adopt_numbers(cc_numarray *out, cc_dtype dtype,
                                               const struct ArrowArray *a, cc_buffer *owner,
                                               bool *adopted, cc_error *err);
/* Strings of a 'u' (int32 offsets) or 'U' (wide) array into out (empty:
 * re-initialised, nullable iff a has nulls); offsets and UTF-8 checked in
 * O(n + bytes) without a copy (cc_strarray_adopt). */
CC_MUST_CHECK cc_status cc_arrow_adopt_strings(cc_strarray *out, bool wide,
                                               const struct ArrowArray *a, cc_buffer *owner,
                                               bool *adopted, cc_error *err);

/* Child i of a checked struct array as a view cut to the struct's offset
 * and length (its null_count unknown when cut); only the parent is ever
 * released. */
void cc_arrow_struct_child(const struct ArrowArray *parent, int64_t i, struct ArrowArray *child);

#endif /* CC_ARROW_IMPORT_H */
