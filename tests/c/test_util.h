/* test_util.h -- helpers shared by the numarray tests: scalar constructors,
 * an independent "does this value fit that dtype" oracle, an exact scalar
 * comparison oracle (long double holds every int64, uint64 and double
 * exactly on x86-64), snapshots for "unchanged" checks, and the sanity check
 * run after every operation (validate + the buffers are as big as the
 * recorded capacity says). */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cc_numarray.h"
#include "test_alloc.h"

#if LDBL_MANT_DIG >= 64
#define HAVE_EXACT_LDBL 1
#endif

/* --- scalars ---------------------------------------------------------------- */

static inline cc_scalar S_INT(int64_t v) {
    cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = v};
    return s;
}
static inline cc_scalar S_UINT(uint64_t v) {
    /* canonical form: only values above INT64_MAX are UINT */
    cc_scalar s;
    if (v > (uint64_t)INT64_MAX) {
        s.kind = CC_SCALAR_UINT;
        s.v.u = v;
    } else {
        s.kind = CC_SCALAR_INT;
        s.v.i = (int64_t)v;
    }
    return s;
}
static inline cc_scalar S_FLOAT(double f) {
    cc_scalar s = {.kind = CC_SCALAR_FLOAT, .v.f = f};
    return s;
}
static inline cc_scalar S_BOOL(bool b) {
    cc_scalar s = {.kind = CC_SCALAR_BOOL, .v.i = b};
    return s;
}
static inline cc_scalar S_NULL(void) {
    cc_scalar s = {.kind = CC_SCALAR_NULL};
    return s;
}

static inline const char *dt_name(cc_dtype dt) { return cc_dtype_get(dt)->name; }

static inline const char *status_name(cc_status st) {
    switch (st) {
    case CC_OK: return "CC_OK";
    case CC_ENOMEM: return "CC_ENOMEM";
    case CC_EOVERFLOW: return "CC_EOVERFLOW";
    case CC_EINVAL: return "CC_EINVAL";
    case CC_EINDEX: return "CC_EINDEX";
    case CC_EBUSY: return "CC_EBUSY";
    case CC_ETYPE: return "CC_ETYPE";
    }
    return "?";
}

#define CHECK_ST(expr, want)                                                   \
    __extension__({                                                            \
        cc_status got_ = (expr), want_ = (want);                               \
        got_ == want_ ? true                                                   \
                      : test_fail(__FILE__, __LINE__, "%s: %s, expected %s",   \
                                  #expr, status_name(got_), status_name(want_)); \
    })

/* --- oracles written independently of the core ----------------------------- */

/* Integer range of an integer or bool dtype. */
static inline void dt_range(cc_dtype dt, int64_t *lo, uint64_t *hi) {
    switch (dt) {
    case CC_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case CC_INT16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case CC_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case CC_INT64: *lo = INT64_MIN; *hi = INT64_MAX; break;
    case CC_UINT8: *lo = 0; *hi = UINT8_MAX; break;
    case CC_UINT16: *lo = 0; *hi = UINT16_MAX; break;
    case CC_UINT32: *lo = 0; *hi = UINT32_MAX; break;
    case CC_UINT64: *lo = 0; *hi = UINT64_MAX; break;
    case CC_BOOL: *lo = 0; *hi = 1; break;
    case CC_TS_S: case CC_TS_MS: case CC_TS_US: case CC_TS_NS:
    case CC_TD_S: case CC_TD_MS: case CC_TD_US: case CC_TD_NS:
        *lo = INT64_MIN; *hi = INT64_MAX; break;
    case CC_DATE32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case CC_TIME_US: *lo = 0; *hi = 86400ull * 1000000 - 1; break; /* a time of day */
    case CC_TIME_NS: *lo = 0; *hi = 86400ull * 1000000000 - 1; break;
    case CC_DEC128: *lo = INT64_MIN; *hi = UINT64_MAX; break; /* of what a scalar holds */
    default: *lo = 0; *hi = 0; break;
    }
}

static inline bool dt_is_float(cc_dtype dt) { return dt == CC_FLOAT32 || dt == CC_FLOAT64; }

/* The status a checked store of s into dt must give (no adaptivity). */
static inline cc_status oracle_store_status(cc_dtype dt, cc_scalar s) {
    if (s.kind == CC_SCALAR_NULL) return CC_ETYPE;
    if (dt_is_float(dt)) {
        if (dt == CC_FLOAT32 && s.kind == CC_SCALAR_FLOAT && isfinite(s.v.f) &&
            isinf((float)s.v.f))
            return CC_EOVERFLOW;
        return CC_OK;
    }
    if (s.kind == CC_SCALAR_FLOAT) return CC_ETYPE;
    int64_t lo;
    uint64_t hi;
    dt_range(dt, &lo, &hi);
    if (s.kind == CC_SCALAR_UINT) return s.v.u <= hi ? CC_OK : CC_EOVERFLOW;
    if (s.v.i < lo) return CC_EOVERFLOW;
    if (s.v.i >= 0 && (uint64_t)s.v.i > hi) return CC_EOVERFLOW;
    return CC_OK;
}

/* Narrowest adaptive width for v. */
static inline cc_dtype oracle_width(int64_t v) {
    if (v >= -128 && v <= 127) return CC_INT8;
    if (v >= -32768 && v <= 32767) return CC_INT16;
    if (v >= -2147483648LL && v <= 2147483647LL) return CC_INT32;
    return CC_INT64;
}

static inline cc_dtype wider_int(cc_dtype a, cc_dtype b) {
    return cc_dtype_itemsize(a) >= cc_dtype_itemsize(b) ? a : b;
}

#ifdef HAVE_EXACT_LDBL
/* Exact comparison via long double: -1, 0, 1, or 2 (unordered / null). */
static inline int oracle_compare(cc_scalar a, cc_scalar b) {
    if (a.kind == CC_SCALAR_NULL || b.kind == CC_SCALAR_NULL)
        return a.kind == b.kind ? 0 : 2;
    long double x, y;
    x = a.kind == CC_SCALAR_FLOAT ? (long double)a.v.f
        : a.kind == CC_SCALAR_UINT ? (long double)a.v.u : (long double)a.v.i;
    y = b.kind == CC_SCALAR_FLOAT ? (long double)b.v.f
        : b.kind == CC_SCALAR_UINT ? (long double)b.v.u : (long double)b.v.i;
    if (isnan(x) || isnan(y)) return 2;
    return x < y ? -1 : x > y ? 1 : 0;
}
#endif

/* --- arrays ---------------------------------------------------------------- */

/* Bytes of a slot, to compare bit patterns (so -0.0 and NaN payloads count). */
static inline const uint8_t *slot_ptr(const cc_numarray *a, int64_t i) {
    return a->data + i * cc_numarray_itemsize(a);
}

/* validate() plus: the buffers really are as large as the capacity says. */
static inline bool check_sane_at(const cc_numarray *a, const char *ctx, const char *file,
                                 int line) {
    cc_error err = {"", -1};
    if (cc_numarray_validate(a, &err) != CC_OK)
        return test_fail(file, line, "%s%scc_numarray_validate: %s (dtype %s length %" PRId64
                         " capacity %" PRId64 ")", ctx, *ctx ? ": " : "", err.why, dt_name(a->dtype),
                         a->length, a->capacity);
    if (a->data) {
        size_t need = (size_t)a->capacity * (size_t)cc_numarray_itemsize(a);
        size_t have = test_alloc_size(a->data);
        if (have < need)
            return test_fail(file, line, "%s%sdata block holds %zu bytes but capacity %" PRId64
                             " x %d needs %zu", ctx, *ctx ? ": " : "", have, a->capacity,
                             cc_numarray_itemsize(a), need);
    }
    if (a->validity) {
        size_t need = (size_t)cc_bitmap_bytes(a->capacity);
        size_t have = test_alloc_size(a->validity);
        if (have < need)
            return test_fail(file, line, "%s%svalidity block holds %zu bytes but capacity %" PRId64
                             " needs %zu", ctx, *ctx ? ": " : "", have, a->capacity, need);
    }
    return true;
}
#define CHECK_SANE(a) check_sane_at((a), "", __FILE__, __LINE__)
#define CHECK_SANE_CTX(a, ctx) check_sane_at((a), (ctx), __FILE__, __LINE__)

/* Appends s, which must succeed (test setup). */
static inline cc_status push(cc_numarray *a, cc_scalar s) {
    return cc_numarray_append(a, &s);
}
#define PUSH_OK(a, s) CHECK_ST(push((a), (s)), CC_OK)

/* A copy of everything "unchanged" means: shape, values, validity, counts. */
typedef struct snapshot {
    cc_dtype dtype;
    int64_t length, capacity, null_count, exports;
    uint8_t *bytes;
    bool *valid;
} snapshot;

static inline void snap_take(snapshot *s, const cc_numarray *a) {
    s->dtype = a->dtype;
    s->length = a->length;
    s->capacity = a->capacity;
    s->null_count = a->null_count;
    s->exports = a->exports;
    size_t nb = (size_t)a->length * (size_t)cc_numarray_itemsize(a);
    s->bytes = malloc(nb ? nb : 1);
    if (nb) memcpy(s->bytes, a->data, nb);
    s->valid = malloc((size_t)a->length + 1);
    for (int64_t i = 0; i < a->length; i++) s->valid[i] = cc_numarray_is_valid(a, i);
}

static inline void snap_free(snapshot *s) {
    free(s->bytes);
    free(s->valid);
    s->bytes = NULL;
    s->valid = NULL;
}

/* Is a exactly as snapshotted?  capacity too when with_capacity. */
static inline bool snap_same_at(const snapshot *s, const cc_numarray *a,
                                bool with_capacity, const char *ctx,
                                const char *file, int line) {
    if (a->dtype != s->dtype)
        return test_fail(file, line, "%s: dtype changed %s -> %s", ctx, dt_name(s->dtype),
                         dt_name(a->dtype));
    if (a->length != s->length || a->null_count != s->null_count || a->exports != s->exports)
        return test_fail(file, line, "%s: length/null_count/exports changed "
                         "(%" PRId64 ",%" PRId64 ",%" PRId64 ") -> (%" PRId64 ",%" PRId64
                         ",%" PRId64 ")", ctx, s->length, s->null_count, s->exports,
                         a->length, a->null_count, a->exports);
    if (with_capacity && a->capacity != s->capacity)
        return test_fail(file, line, "%s: capacity changed %" PRId64 " -> %" PRId64, ctx,
                         s->capacity, a->capacity);
    size_t nb = (size_t)a->length * (size_t)cc_numarray_itemsize(a);
    if (nb && memcmp(a->data, s->bytes, nb) != 0)
        return test_fail(file, line, "%s: values changed", ctx);
    for (int64_t i = 0; i < a->length; i++)
        if (cc_numarray_is_valid(a, i) != s->valid[i])
            return test_fail(file, line, "%s: validity of %" PRId64 " changed", ctx, i);
    return true;
}
#define CHECK_UNCHANGED(s, a, ctx) snap_same_at((s), (a), true, (ctx), __FILE__, __LINE__)
#define CHECK_SAME_CONTENT(s, a, ctx) snap_same_at((s), (a), false, (ctx), __FILE__, __LINE__)

/* Two arrays with the same dtype, length, values (bitwise), validity. */
static inline bool same_arrays_at(const cc_numarray *a, const cc_numarray *b,
                                  const char *ctx, const char *file, int line) {
    snapshot s;
    snap_take(&s, b);
    bool ok = snap_same_at(&s, a, false, ctx, file, line);
    snap_free(&s);
    return ok;
}
#define CHECK_SAME_ARRAYS(a, b, ctx) same_arrays_at((a), (b), (ctx), __FILE__, __LINE__)

/* A fresh copy of src with exactly its dtype and flags. */
static inline cc_status clone_array(cc_numarray *dst, const cc_numarray *src) {
    cc_numarray_init_like(dst, src);
    if (src->length == 0) return CC_OK;
    return cc_numarray_gather(src, 0, 1, src->length, dst);
}

#endif /* TEST_UTIL_H */
