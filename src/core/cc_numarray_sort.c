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
    uint8_t t[CC_MAX_ITEMSIZE];
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

/* Rows w.. become nulls (holding 0), the rows before them valid. */
static void nulls_from(cc_numarray *a, int64_t w) {
    int size = cc_numarray_itemsize(a);
    memset(a->data + w * size, 0, (size_t)((a->length - w) * size));
    cc_bitmap_fill(a->validity, 0, w, true);
    cc_bitmap_fill(a->validity, w, a->length - w, false);
}

/* Moves the valid values to the front in order; the tail becomes nulls. */
static void nulls_to_back(cc_numarray *a) {
    int size = cc_numarray_itemsize(a);
    int64_t w = 0;
    for (int64_t i = 0; i < a->length; i++)
        if (cc_bitmap_get(a->validity, i))
            memmove(a->data + w++ * size, a->data + i * size, (size_t)size);
    nulls_from(a, w);
}

static cc_status sort_order_wide(const cc_numarray *a, bool reverse, int64_t *order, int64_t n,
                                 bool fresh);

/* decimal128: the rows' order (the n valid ones first) is computed before
 * anything moves, so a failure leaves the array as it was; then the valid
 * values are gathered through tmp. */
static cc_status sort_wide(cc_numarray *a, int64_t n, bool reverse, uint8_t *tmp) {
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(a->length, (int64_t)sizeof(int64_t), &bytes));
    int64_t *order = cc_malloc(bytes);
    if (!order) return CC_ENOMEM;
    cc_status st = sort_order_wide(a, reverse, order, a->length, true);
    if (st == CC_OK) {
        const cc_int128 *v = (const cc_int128 *)(const void *)a->data;
        cc_int128 *sorted = (cc_int128 *)(void *)tmp;
        for (int64_t j = 0; j < n; j++) sorted[j] = v[order[j]];
        memcpy(a->data, tmp, (size_t)n * sizeof *v);
        if (a->null_count) nulls_from(a, n);
    }
    cc_free(order);
    return st;
}

cc_status cc_numarray_sort(cc_numarray *a, bool reverse) {
    int64_t n = a->length - a->null_count;
    int size = cc_numarray_itemsize(a);
    if (a->length < 2) return CC_OK;
    CC_RETURN_NOT_OK(cc_numarray_own(a));
    size_t tmp_bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, size, &tmp_bytes));
    tmp_bytes += (size_t)cc_bitmap_bytes(n) + 1;
    uint8_t *tmp = cc_malloc(tmp_bytes);
    if (!tmp) return CC_ENOMEM;
    if (cc_dtype_is_decimal(a->dtype)) {
        cc_status st = sort_wide(a, n, reverse, tmp);
        cc_free(tmp);
        return st;
    }
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

/* ---- sorting an index array by the values (Table.sort) ------------------------------------ */

/* One key per row in unsigned order: integers with the sign bit flipped,
 * floats by their IEEE pattern mapped to unsigned order (-0.0 as 0.0). */
static inline uint64_t float_key(double d) {
    uint64_t u;
    if (d == 0) d = 0.0;
    memcpy(&u, &d, 8);
    return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

/* 0: a number (*key set), 1: NaN, 2: null (or a code outside the ranks). */
static inline __attribute__((always_inline)) int
row_key(cc_dtype dtype, const cc_numarray *a, const int64_t *rank, int64_t nranks, int64_t row,
        uint64_t *key) {
    if (a->nullable && !cc_bitmap_get(a->validity, row)) return 2;
    const uint8_t *p = a->data;
    int64_t i;
    switch (dtype) {
    case CC_INT8: i = ((const int8_t *)p)[row]; break;
    case CC_INT16: i = ((const int16_t *)p)[row]; break;
    case CC_INT32: i = ((const int32_t *)p)[row]; break;
    case CC_INT64: i = ((const int64_t *)p)[row]; break;
    case CC_UINT8: *key = ((const uint8_t *)p)[row]; return 0;
    case CC_UINT16: *key = ((const uint16_t *)p)[row]; return 0;
    case CC_UINT32: *key = ((const uint32_t *)p)[row]; return 0;
    case CC_UINT64: *key = ((const uint64_t *)p)[row]; return 0;
    case CC_BOOL: *key = ((const uint8_t *)p)[row] != 0; return 0;
    case CC_FLOAT32: {
        float f = ((const float *)p)[row];
        if (isnan(f)) return 1;
        *key = float_key((double)f);
        return 0;
    }
    default: {
        double d = ((const double *)p)[row];
        if (isnan(d)) return 1;
        *key = float_key(d);
        return 0;
    }
    }
    if (rank) {
        if (i < 0 || i >= nranks) return 2;
        *key = (uint64_t)rank[i];
        return 0;
    }
    *key = (uint64_t)i ^ ((uint64_t)1 << 63);
    return 0;
}

enum { DIGIT = 11, BUCKETS = 1 << DIGIT, MAX_PASSES = (64 + DIGIT - 1) / DIGIT };
static int digit_passes(int first) { return (64 - first + DIGIT - 1) / DIGIT; }
static inline void count_digits(int64_t (*table)[BUCKETS], uint64_t key, int first, int passes) {
    for (int d = 0; d < passes; d++) table[d][(key >> (first + DIGIT * d)) & (BUCKETS - 1)]++;
}
/* Turns one digit's bucket counts into starting offsets; true when every
 * key falls into one bucket (the pass would move nothing: skip it). */
static bool counts_to_offsets(int64_t *counts, int64_t n) {
    int64_t offset = 0;
    bool trivial = false;
    for (int b = 0; b < BUCKETS; b++) {
        int64_t c = counts[b];
        if (c == n) trivial = true;
        counts[b] = offset;
        offset += c;
    }
    return trivial;
}

/* LSD radix sort of n keys on the bits from `first` up (the bits below are
 * known to be in order already), 11 bits a pass (fewer passes than bytes;
 * 2048 counters a pass still sit in L2); passes whose digit is the same
 * everywhere are skipped.  table holds the digit counts on entry (see
 * count_digits).  Stable.  Returns keys or tmp, whichever holds the result. */
static uint64_t *radix_u64_from(uint64_t *keys, uint64_t *tmp, int64_t n, int first,
                                int64_t (*table)[BUCKETS]) {
    uint64_t *src = keys, *dst = tmp;
    for (int d = 0; d < digit_passes(first); d++) {
        if (counts_to_offsets(table[d], n)) continue;
        int sh = first + DIGIT * d;
        for (int64_t i = 0; i < n; i++) dst[table[d][(src[i] >> sh) & (BUCKETS - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

typedef struct {
    uint64_t key;
    int64_t row;
} keyed_row;

/* The same on (key, row) pairs, for keys too wide to share a word with a
 * position (all 64 bits; table zeroed on entry).  Returns v or tmp,
 * whichever holds the result. */
static keyed_row *radix_pairs(keyed_row *v, keyed_row *tmp, int64_t n, int64_t (*table)[BUCKETS]) {
    for (int64_t i = 0; i < n; i++) count_digits(table, v[i].key, 0, MAX_PASSES);
    keyed_row *src = v, *dst = tmp;
    for (int d = 0; d < MAX_PASSES; d++) {
        if (counts_to_offsets(table[d], n)) continue;
        int sh = DIGIT * d;
        for (int64_t i = 0; i < n; i++)
            dst[table[d][(src[i].key >> sh) & (BUCKETS - 1)]++] = src[i];
        keyed_row *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

/* decimal128: rows stably sorted by 128-bit value as two LSD radix sorts of
 * (64-bit key, row) pairs -- the low words, then the high words with the
 * sign bit flipped; descending: both words inverted.  Valid rows first,
 * then the null rows in their incoming order. */
static cc_status sort_order_wide(const cc_numarray *a, bool reverse, int64_t *order, int64_t n,
                                 bool fresh) {
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, 2 * (int64_t)sizeof(keyed_row), &bytes));
    bytes += sizeof(int64_t[MAX_PASSES][BUCKETS]);
    keyed_row *pairs = cc_malloc(bytes);
    if (!pairs) return CC_ENOMEM;
    keyed_row *tmp = pairs + n;
    int64_t(*table)[BUCKETS] = (int64_t(*)[BUCKETS])(void *)(pairs + 2 * n);
    const cc_int128 *v = (const cc_int128 *)(const void *)a->data;
    const uint64_t flip = reverse ? UINT64_MAX : 0, sign = (uint64_t)1 << 63;
    int64_t m = 0, n_null = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t row = fresh ? i : order[i];
        if (cc_numarray_is_valid(a, row)) pairs[m++] = (keyed_row){(uint64_t)v[row] ^ flip, row};
        else tmp[n_null++].row = row;
    }
    for (int64_t k = 0; k < n_null; k++) order[m + k] = tmp[k].row;
    memset(table, 0, sizeof(int64_t[MAX_PASSES][BUCKETS]));
    keyed_row *by_low = radix_pairs(pairs, tmp, m, table), *other = by_low == pairs ? tmp : pairs;
    for (int64_t j = 0; j < m; j++) {
        int64_t row = by_low[j].row;
        other[j] = (keyed_row){((uint64_t)(v[row] >> 64) ^ sign) ^ flip, row};
    }
    memset(table, 0, sizeof(int64_t[MAX_PASSES][BUCKETS]));
    const keyed_row *sorted = radix_pairs(other, by_low, m, table);
    for (int64_t j = 0; j < m; j++) order[j] = sorted[j].row;
    cc_free(pairs);
    return CC_OK;
}

static int bit_width(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

/* The stable partition of order[0..n) into numbers (their keys into keys,
 * in order, bitwise inverted if reverse) | NaNs | nulls, NaN and null rows
 * collected in nans and nulls meanwhile; *lo / *hi the least and greatest
 * key.  Returns the count of numbers.  One copy per dtype, so the loop does
 * not switch on it. */
typedef struct {
    const cc_numarray *a;
    const int64_t *rank;
    int64_t nranks;
    bool reverse;
    int64_t *order, n;
    uint64_t *keys;
    int64_t *nans, *nulls, n_nan, n_null; /* nulls: stored backwards */
    uint64_t lo, hi;
    bool identity; /* order was 0, 1, 2, ... (in: known to be; out: found to be) */
    int64_t unwritten; /* fresh: order[0..unwritten) not filled in (it is 0, 1, ...) */
} partition_args;

#define DEFINE_PARTITION(E, name, ctype, fmt, KIND)                                           \
    static int64_t partition_##name(partition_args *p) {                                      \
        int64_t m = 0, n_nan = 0, n_null = 0, gap = -1;                                       \
        uint64_t lo = UINT64_MAX, hi = 0, flip = p->reverse ? UINT64_MAX : 0;                 \
        bool fresh = p->identity, identity = true;                                            \
        for (int64_t i = 0; i < p->n; i++) {                                                  \
            int64_t row = fresh ? i : p->order[i];                                            \
            uint64_t key = 0;                                                                 \
            identity &= row == i;                                                             \
            int cls = row_key(CC_##E, p->a, p->rank, p->nranks, row, &key);                   \
            if (CC_LIKELY(cls == 0)) {                                                        \
                key ^= flip;                                                                  \
                lo = key < lo ? key : lo;                                                     \
                hi = key > hi ? key : hi;                                                     \
                p->keys[m] = key;                                                             \
                if (m != i) p->order[m] = row; /* else it is there, or (fresh) is m */        \
                m++;                                                                          \
                continue;                                                                     \
            }                                                                                 \
            if (gap < 0) gap = i;                                                             \
            if (cls == 1) p->nans[n_nan++] = row;                                             \
            else p->nulls[-(n_null++)] = row;                                                 \
        }                                                                                     \
        p->n_nan = n_nan, p->n_null = n_null, p->lo = lo, p->hi = hi, p->identity = identity; \
        p->unwritten = fresh ? (gap < 0 ? m : gap) : 0;                                       \
        return m;                                                                             \
    }
CC_FOR_EACH_DTYPE(DEFINE_PARTITION)
#undef DEFINE_PARTITION

/* values[j] = the integer whose key sits above bit `shift` of sorted[j]. */
static void store_values(cc_dtype dtype, const uint64_t *sorted, int64_t m, int shift, uint64_t lo,
                         uint64_t flip, void *values) {
    const uint64_t sign = (uint64_t)1 << 63;
    switch (dtype) {
#define STORE(E, name, ctype, fmt, KIND)                                                           \
    case CC_##E:                                                                                   \
        for (int64_t j = 0; j < m; j++) {                                                          \
            uint64_t key = ((sorted[j] >> shift) + lo) ^ flip;                                     \
            ((ctype *)values)[j] = (ctype)(KIND == CC_KIND_SIGNED ? (int64_t)(key ^ sign)          \
                                                                  : (int64_t)key);                 \
        }                                                                                          \
        break;
        CC_FOR_EACH_DTYPE(STORE)
#undef STORE
    default: break;
    }
}

cc_status cc_numarray_sort_order(const cc_numarray *a, const int64_t *rank, int64_t nranks,
                                 bool reverse, int64_t *order, int64_t n) {
    return cc_numarray_sort_order_values(a, rank, nranks, reverse, order, n, false, NULL, NULL);
}

cc_status cc_numarray_sort_order_values(const cc_numarray *a, const int64_t *rank,
                                        int64_t nranks, bool reverse, int64_t *order, int64_t n,
                                        bool fresh, void *values, bool *wrote) {
    if (wrote) *wrote = false;
    if (n < 2) {
        if (fresh && n == 1) order[0] = 0;
        return CC_OK;
    }
    if (cc_dtype_is_decimal(a->dtype)) return sort_order_wide(a, reverse, order, n, fresh);
    /* scratch: 2 words a row, the keys in A and the radix passes in B (the
     * NaN rows from B's start, the null rows from its end, meanwhile), then
     * the radix counters */
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, 2 * (int64_t)sizeof(uint64_t), &bytes));
    bytes += sizeof(int64_t[MAX_PASSES][BUCKETS]);
    uint64_t *scratch = cc_malloc(bytes);
    if (!scratch) return CC_ENOMEM;
    uint64_t *A = scratch, *B = scratch + n;
    partition_args p = {a, rank, nranks, reverse, order, n, A, (int64_t *)B,
                        (int64_t *)B + n - 1, 0, 0, 0, 0, fresh};
    int64_t m = 0;
    switch (a->dtype) {
#define CASE(E, name, ctype, fmt, KIND)                                                            \
    case CC_##E: m = partition_##name(&p); break;
        CC_FOR_EACH_DTYPE(CASE)
#undef CASE
    default: break;
    }
    memcpy(order + m, p.nans, (size_t)p.n_nan * sizeof *order);
    for (int64_t k = 0; k < p.n_null; k++) order[m + p.n_nan + k] = p.nulls[-k];
    uint64_t lo = p.lo, hi = p.hi;
    cc_status st = CC_OK;
    int pos_bits = bit_width((uint64_t)(m > 1 ? m - 1 : 0)), key_bits = bit_width(hi - lo);
    bool packed = m > 1 && lo != hi && key_bits + pos_bits <= 64;
    if (!(packed && m == n)) /* else every row is written below */
        for (int64_t j = 0; j < p.unwritten; j++) order[j] = j;
    if (m > 1 && lo != hi) {
        if (packed) {
            /* (key - lo) above the position in one word: sorting the words
             * sorts by key, equal keys by position, i.e. stably.  The
             * position takes whole bytes if it can (they need no pass). */
            int shift = key_bits + (pos_bits + 7) / 8 * 8 <= 64 ? (pos_bits + 7) / 8 * 8 : pos_bits;
            int64_t(*table)[BUCKETS] = (int64_t(*)[BUCKETS])(void *)(scratch + 2 * n);
            int passes = digit_passes(shift);
            memset(table, 0, (size_t)passes * sizeof *table);
            for (int64_t j = 0; j < m; j++) {
                A[j] = ((A[j] - lo) << shift) | (uint64_t)j;
                count_digits(table, A[j], shift, passes);
            }
            const uint64_t *sorted = radix_u64_from(A, B, m, shift, table);
            uint64_t mask = ((uint64_t)1 << shift) - 1;
            if (values && !rank && m == n && cc_dtype_get(a->dtype)->kind != CC_KIND_FLOAT) {
                /* integers: equal keys are equal values, so the sorted keys
                 * are the column's values in the new order */
                store_values(a->dtype, sorted, m, shift, lo, reverse ? UINT64_MAX : 0, values);
                *wrote = true;
            }
            if (p.identity && m == n) { /* every row a number, in row order: position = row */
                for (int64_t j = 0; j < m; j++) order[j] = (int64_t)(sorted[j] & mask);
            } else {
                int64_t *rows = (int64_t *)(sorted == A ? B : A);
                for (int64_t j = 0; j < m; j++) rows[j] = order[sorted[j] & mask];
                memcpy(order, rows, (size_t)m * sizeof *order);
            }
        } else {
            /* (key, row) pairs: A and B hold m of them, and as many again */
            keyed_row *pairs = (keyed_row *)(void *)scratch;
            keyed_row *tmp = cc_malloc((size_t)m * sizeof *tmp); /* m * 16 < bytes */
            if (tmp) {
                /* backwards: pair j overwrites keys 2j and 2j + 1, both read */
                for (int64_t j = m - 1; j >= 0; j--) pairs[j] = (keyed_row){A[j] - lo, order[j]};
                int64_t(*table)[BUCKETS] = (int64_t(*)[BUCKETS])(void *)(scratch + 2 * n);
                memset(table, 0, sizeof(int64_t[MAX_PASSES][BUCKETS]));
                const keyed_row *sorted = radix_pairs(pairs, tmp, m, table);
                for (int64_t j = 0; j < m; j++) order[j] = sorted[j].row;
                if (values && !rank && m == n && cc_dtype_get(a->dtype)->kind != CC_KIND_FLOAT) {
                    uint64_t *keys = (uint64_t *)(void *)(sorted == pairs ? tmp : pairs);
                    for (int64_t j = 0; j < m; j++) keys[j] = sorted[j].key;
                    store_values(a->dtype, keys, m, 0, lo, reverse ? UINT64_MAX : 0, values);
                    *wrote = true;
                }
                cc_free(tmp);
            } else {
                st = CC_ENOMEM;
            }
        }
    }
    cc_free(scratch);
    return st;
}
