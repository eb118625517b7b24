/* cc_numarray_search.c -- `in`, index(), count() and equality scans on the
 * unboxed values.  The needle is converted once to the array's own C type,
 * and only when that conversion is exact (3.0 finds 3 in an int array; 0.1
 * finds nothing in a float32 array, since no float32 equals 0.1), so the scan
 * is a plain typed loop the compiler vectorises. */
#include <math.h>

#include "cc_numarray.h"

/* x stored exactly in dtype dt, or false when no element can equal x. */
static bool exact_needle(cc_dtype dt, const cc_scalar *x, uint8_t out[CC_MAX_ITEMSIZE]) {
    cc_scalar s = *x, back;
    if (s.kind == CC_SCALAR_FLOAT && cc_dtype_get(dt)->kind != CC_KIND_FLOAT) {
        double f = s.v.f;
        if (!(f >= -9223372036854775808.0 && f < 18446744073709551616.0) ||
            trunc(f) != f)
            return false;
        if (f < 9223372036854775808.0) {
            s.kind = CC_SCALAR_INT;
            s.v.i = (int64_t)f;
        } else {
            s.kind = CC_SCALAR_UINT;
            s.v.u = (uint64_t)f;
        }
    }
    if (cc_dtype_store(dt, &s, out) != CC_OK) return false;
    cc_dtype_load(dt, out, &back);
    return cc_scalar_compare(x, &back) == 0;
}

static int64_t find_null(const cc_numarray *a, int64_t start, int64_t stop) {
    if (!a->nullable) return -1;
    for (int64_t i = start; i < stop; i++)
        if (!cc_bitmap_get(a->validity, i)) return i;
    return -1;
}

/* Hot loops, one pair per C type.  find scans blocks of 32 with a
 * branchless inner loop (which vectorises) and looks inside a block only
 * when it holds a match; count is a plain vectorisable sum.  On x86-64 each
 * is compiled twice, for AVX2 and for the baseline (which has no 64-bit
 * SIMD compare), and the loader picks the one the CPU runs. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && \
    !defined(__SANITIZE_ADDRESS__)
#define CC_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CC_TARGET_CLONES
#endif

#define FIND_BLOCK 32

#define DEFINE_SCANS(E, name, ctype, fmt, KIND)                                \
    CC_TARGET_CLONES static int64_t find_##name(const ctype *p, ctype v,       \
                                                int64_t i, int64_t stop) {     \
        for (; i + FIND_BLOCK <= stop; i += FIND_BLOCK) {                      \
            int hit = 0;                                                       \
            for (int k = 0; k < FIND_BLOCK; k++) hit |= p[i + k] == v;         \
            if (hit) break;                                                    \
        }                                                                      \
        for (; i < stop; i++)                                                  \
            if (p[i] == v) return i;                                           \
        return -1;                                                             \
    }                                                                          \
    CC_TARGET_CLONES static int64_t count_##name(const ctype *p, ctype v,      \
                                                 int64_t n) {                  \
        int64_t count = 0;                                                     \
        for (int64_t i = 0; i < n; i++) count += p[i] == v;                    \
        return count;                                                          \
    }
CC_FOR_EACH_DTYPE(DEFINE_SCANS)
#undef DEFINE_SCANS

/* bool bytes compare by truth, never as bytes: a buffer view may have
 * written any non-zero byte for True (NumPy's rule), and reading it gives
 * True (cc_dtype_load), so the scans must agree with that. */
CC_TARGET_CLONES static int64_t count_truthy(const uint8_t *p, int64_t n) {
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) count += p[i] != 0;
    return count;
}

/* First valid slot in [start, stop) holding the needle (already stored in
 * the array's C type). */
static int64_t find_typed(const cc_numarray *a, const uint8_t *needle,
                          int64_t start, int64_t stop) {
    if (a->dtype == CC_BOOL) {
        for (int64_t i = start; i < stop; i++)
            if ((a->data[i] != 0) == (needle[0] != 0) && cc_numarray_is_valid(a, i)) return i;
        return -1;
    }
    switch (a->dtype) {
#define FIND_CASE(E, name, ctype, fmt, KIND)                                   \
    case CC_##E: {                                                             \
        ctype v;                                                               \
        memcpy(&v, needle, sizeof v);                                          \
        const ctype *p = (const ctype *)(const void *)a->data;                 \
        for (int64_t i = start; i < stop; i++) {                               \
            i = find_##name(p, v, i, stop);                                    \
            if (i < 0 || cc_numarray_is_valid(a, i)) return i;                 \
        }                                                                      \
        return -1;                                                             \
    }
        CC_FOR_EACH_DTYPE(FIND_CASE)
#undef FIND_CASE
    default:
        return -1;
    }
}

int64_t cc_numarray_find(const cc_numarray *a, const cc_scalar *x,
                         int64_t start, int64_t stop) {
    uint8_t needle[CC_MAX_ITEMSIZE];
    if (stop > a->length) stop = a->length;
    if (start < 0) start = 0;
    if (start >= stop) return -1;
    if (x->kind == CC_SCALAR_NULL) return find_null(a, start, stop);
    if (!exact_needle(a->dtype, x, needle)) return -1;
    return find_typed(a, needle, start, stop);
}

int64_t cc_numarray_count(const cc_numarray *a, const cc_scalar *x) {
    uint8_t needle[CC_MAX_ITEMSIZE];
    if (x->kind == CC_SCALAR_NULL) return a->null_count;
    if (a->length == 0 || !exact_needle(a->dtype, x, needle)) return 0;
    int64_t count = 0;
    if (a->dtype == CC_BOOL) {
        count = count_truthy(a->data, a->length);
        if (!needle[0]) count = a->length - count;
    } else switch (a->dtype) {
#define COUNT_CASE(E, name, ctype, fmt, KIND)                                  \
    case CC_##E: {                                                             \
        ctype v;                                                               \
        memcpy(&v, needle, sizeof v);                                          \
        count = count_##name((const ctype *)(const void *)a->data, v, a->length); \
        break;                                                                 \
    }
        CC_FOR_EACH_DTYPE(COUNT_CASE)
#undef COUNT_CASE
    default:
        break;
    }
    /* take back matches in null slots (whatever a view wrote there), by
     * the same numeric equality the scan used (-0.0 == 0.0) */
    if (a->null_count) {
        int size = cc_numarray_itemsize(a);
        cc_scalar e;
        for (int64_t i = 0; i < a->length; i++) {
            if (cc_bitmap_get(a->validity, i)) continue;
            cc_dtype_load(a->dtype, a->data + i * size, &e);
            count -= cc_scalar_compare(&e, x) == 0;
        }
    }
    return count;
}

int64_t cc_numarray_first_difference(const cc_numarray *a,
                                     const cc_numarray *b) {
    int64_t n = a->length < b->length ? a->length : b->length;
    if (a->dtype == b->dtype && a->dtype == CC_BOOL) {
        for (int64_t i = 0; i < n; i++)
            if ((a->data[i] != 0) != (b->data[i] != 0)) return i;
        return -1;
    }
    if (a->dtype == b->dtype) {
        switch (a->dtype) {
#define DIFF_CASE(E, name, ctype, fmt, KIND)                                   \
    case CC_##E: {                                                             \
        const ctype *p = (const ctype *)(const void *)a->data;                 \
        const ctype *q = (const ctype *)(const void *)b->data;                 \
        for (int64_t i = 0; i < n; i++)                                        \
            if (!(p[i] == q[i])) return i;                                     \
        return -1;                                                             \
    }
            CC_FOR_EACH_DTYPE(DIFF_CASE)
#undef DIFF_CASE
        default:
            break;
        }
    }
    cc_scalar x, y;
    for (int64_t i = 0; i < n; i++) {
        cc_numarray_get(a, i, &x);
        cc_numarray_get(b, i, &y);
        if (cc_scalar_compare(&x, &y) != 0) return i;
    }
    return -1;
}
