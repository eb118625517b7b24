/* cc_numarray_sort.c -- stable in-place sort of the unboxed values.
 *
 * Integers: LSD radix sort, one byte per pass, on keys with the sign bit
 * flipped (so unsigned order is numeric order); a pass whose byte is the
 * same for every key is skipped, so small-range data costs one or two
 * passes.  Equal integers are indistinguishable, so `reverse` simply reverses
 * the sorted run.
 *
 * Floats: the same radix sort on the IEEE bit pattern mapped to unsigned
 * order (negative: all bits flipped; positive: sign bit set).  Python's
 * list.sort is stable and treats -0.0 == 0.0, so the zero run is rewritten
 * afterwards with the zeros' signs in their original order; NaNs (which
 * list.sort cannot order) are moved after every number, in their original
 * order, in both directions -- as pandas does.
 *
 * Nulls go after everything, in both directions.  The one scratch buffer is
 * allocated before anything moves, so a failed sort leaves the array as it
 * was.
 */
#include <math.h>

#include "cc_numarray.h"

#define DEFINE_RADIX(BITS)                                                     \
    static void radix_sort_u##BITS(uint##BITS##_t *keys,                       \
                                   uint##BITS##_t *tmp, int64_t n) {          \
        enum { W = BITS / 8 };                                                 \
        int64_t counts[W][256] = {{0}};                                        \
        for (int64_t i = 0; i < n; i++)                                        \
            for (int d = 0; d < W; d++) counts[d][(keys[i] >> (8 * d)) & 255]++; \
        uint##BITS##_t *src = keys, *dst = tmp;                                \
        for (int d = 0; d < W; d++) {                                          \
            int64_t offset = 0;                                                \
            bool trivial = false;                                              \
            for (int b = 0; b < 256; b++) {                                    \
                int64_t c = counts[d][b];                                      \
                if (c == n) trivial = true;                                    \
                counts[d][b] = offset;                                         \
                offset += c;                                                   \
            }                                                                  \
            if (trivial) continue;                                             \
            for (int64_t i = 0; i < n; i++)                                    \
                dst[counts[d][(src[i] >> (8 * d)) & 255]++] = src[i];          \
            uint##BITS##_t *t = src;                                           \
            src = dst;                                                         \
            dst = t;                                                           \
        }                                                                      \
        if (src != keys) memcpy(keys, src, (size_t)n * W);                     \
    }
DEFINE_RADIX(8)
DEFINE_RADIX(16)
DEFINE_RADIX(32)
DEFINE_RADIX(64)

/* Sorts n integer keys of `size` bytes; `flip` is XORed in and out so signed
 * values sort as unsigned. */
static void radix_sort(void *data, void *tmp, int64_t n, int size, uint64_t flip) {
#define FLIP(BITS)                                                             \
    for (int64_t i = 0; i < n; i++)                                            \
        ((uint##BITS##_t *)data)[i] ^= (uint##BITS##_t)flip;
#define SORT(BITS)                                                             \
    FLIP(BITS);                                                                \
    radix_sort_u##BITS(data, tmp, n);                                          \
    FLIP(BITS);                                                                \
    break;
    switch (size) {
    case 1: SORT(8)
    case 2: SORT(16)
    case 4: SORT(32)
    default: SORT(64)
    }
#undef SORT
#undef FLIP
}

static void reverse_bytes(uint8_t *data, int64_t n, int size) {
    uint8_t t[8];
    for (int64_t i = 0, j = n - 1; i < j; i++, j--) {
        memcpy(t, data + i * size, (size_t)size);
        memcpy(data + i * size, data + j * size, (size_t)size);
        memcpy(data + j * size, t, (size_t)size);
    }
}

/* Float sort over n values; tmp has n values plus cc_bitmap_bytes(n) bytes. */
#define DEFINE_FLOAT_SORT(NAME, FT, BITS)                                      \
    static void NAME(FT *v, uint8_t *tmp, int64_t n, bool reverse) {           \
        typedef uint##BITS##_t U;                                              \
        const U sign = (U)1 << (BITS - 1);                                     \
        FT *nans = (FT *)tmp;                                                  \
        uint8_t *zero_signs = tmp + (size_t)n * sizeof(FT);                    \
        int64_t m = 0, n_nan = 0, n_zero = 0;                                  \
        for (int64_t i = 0; i < n; i++) { /* stable: numbers first */          \
            if (isnan(v[i])) nans[n_nan++] = v[i];                             \
            else {                                                             \
                if (v[i] == 0) cc_bitmap_set(zero_signs, n_zero++, signbit(v[i]) != 0); \
                v[m++] = v[i];                                                 \
            }                                                                  \
        }                                                                      \
        memcpy(v + m, nans, (size_t)n_nan * sizeof(FT));                       \
        U *u = (U *)v;                                                         \
        for (int64_t i = 0; i < m; i++) u[i] = (u[i] & sign) ? ~u[i] : u[i] | sign; \
        radix_sort_u##BITS(u, (U *)tmp, m);                                    \
        for (int64_t i = 0; i < m; i++) u[i] = (u[i] & sign) ? u[i] & ~sign : ~u[i]; \
        if (reverse) reverse_bytes((uint8_t *)v, m, sizeof(FT));               \
        int64_t z = 0;                                                         \
        while (z < m && v[z] != 0) z++;                                        \
        for (int64_t k = 0; k < n_zero; k++)                                   \
            v[z + k] = cc_bitmap_get(zero_signs, k) ? (FT)-0.0 : (FT)0.0;      \
    }
DEFINE_FLOAT_SORT(sort_float64, double, 64)
DEFINE_FLOAT_SORT(sort_float32, float, 32)

/* Moves the valid values to the front in order; the tail becomes nulls. */
static void nulls_to_back(cc_numarray *a) {
    int size = cc_numarray_itemsize(a);
    int64_t w = 0;
    for (int64_t i = 0; i < a->length; i++)
        if (cc_bitmap_get(a->validity, i))
            memmove(a->data + w++ * size, a->data + i * size, (size_t)size);
    memset(a->data + w * size, 0, (size_t)((a->length - w) * size));
    cc_bitmap_fill(a->validity, 0, w, true);
    cc_bitmap_fill(a->validity, w, a->length - w, false);
}

cc_status cc_numarray_sort(cc_numarray *a, bool reverse) {
    int64_t n = a->length - a->null_count;
    int size = cc_numarray_itemsize(a);
    if (a->length < 2) return CC_OK;
    if (a->frozen) return CC_EFROZEN;
    size_t tmp_bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, size, &tmp_bytes));
    tmp_bytes += (size_t)cc_bitmap_bytes(n) + 1;
    uint8_t *tmp = cc_malloc(tmp_bytes);
    if (!tmp) return CC_ENOMEM;
    if (a->null_count) nulls_to_back(a);
    const cc_dtype_info *info = cc_dtype_get(a->dtype);
    switch (info->kind) {
    case CC_KIND_FLOAT:
        if (a->dtype == CC_FLOAT64) sort_float64((double *)a->data, tmp, n, reverse);
        else sort_float32((float *)a->data, tmp, n, reverse);
        break;
    case CC_KIND_BOOL: {
        int64_t ones = 0;
        for (int64_t i = 0; i < n; i++) ones += a->data[i] != 0;
        memset(a->data, reverse ? 1 : 0, (size_t)(reverse ? ones : n - ones));
        memset(a->data + (reverse ? ones : n - ones), reverse ? 0 : 1,
               (size_t)(reverse ? n - ones : ones));
        break;
    }
    default: {
        uint64_t flip = info->kind == CC_KIND_SIGNED ? (uint64_t)1 << (8 * size - 1) : 0;
        radix_sort(a->data, tmp, n, size, flip);
        if (reverse) reverse_bytes(a->data, n, size);
    }
    }
    cc_free(tmp);
    return CC_OK;
}
