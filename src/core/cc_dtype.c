/* cc_dtype.c -- the dtype table, checked stores and exact comparisons. */
#include "cc_dtype.h"

#include <float.h>
#include <math.h>

#define RANGE_SIGNED(ctype, lo, hi) (int64_t)(lo), (uint64_t)(hi)
#define RANGE_int8 RANGE_SIGNED(int8_t, INT8_MIN, INT8_MAX)
#define RANGE_int16 RANGE_SIGNED(int16_t, INT16_MIN, INT16_MAX)
#define RANGE_int32 RANGE_SIGNED(int32_t, INT32_MIN, INT32_MAX)
#define RANGE_int64 RANGE_SIGNED(int64_t, INT64_MIN, INT64_MAX)
#define RANGE_uint8 0, UINT8_MAX
#define RANGE_uint16 0, UINT16_MAX
#define RANGE_uint32 0, UINT32_MAX
#define RANGE_uint64 0, UINT64_MAX
#define RANGE_float32 0, 0
#define RANGE_float64 0, 0
#define RANGE_bool 0, 1
#define RANGE_ts_s RANGE_int64
#define RANGE_ts_ms RANGE_int64
#define RANGE_ts_us RANGE_int64
#define RANGE_ts_ns RANGE_int64
#define RANGE_td_s RANGE_int64
#define RANGE_td_ms RANGE_int64
#define RANGE_td_us RANGE_int64
#define RANGE_td_ns RANGE_int64
#define RANGE_date32 RANGE_int32
#define RANGE_time_us 0, (uint64_t)86400 * 1000000 - 1 /* [0, 24 h) */
#define RANGE_time_ns 0, (uint64_t)86400 * 1000000000 - 1
#define RANGE_decimal128 0, 0 /* |v| < 10**38: decimal_fits */

/* name, temporal, ticks per second: NumPy's names where NumPy has the type,
 * Arrow's for date32 and time64 */
#define SPEC_int8 "int8", CC_TEMPORAL_NONE, 0
#define SPEC_int16 "int16", CC_TEMPORAL_NONE, 0
#define SPEC_int32 "int32", CC_TEMPORAL_NONE, 0
#define SPEC_int64 "int64", CC_TEMPORAL_NONE, 0
#define SPEC_uint8 "uint8", CC_TEMPORAL_NONE, 0
#define SPEC_uint16 "uint16", CC_TEMPORAL_NONE, 0
#define SPEC_uint32 "uint32", CC_TEMPORAL_NONE, 0
#define SPEC_uint64 "uint64", CC_TEMPORAL_NONE, 0
#define SPEC_float32 "float32", CC_TEMPORAL_NONE, 0
#define SPEC_float64 "float64", CC_TEMPORAL_NONE, 0
#define SPEC_bool "bool", CC_TEMPORAL_NONE, 0
#define SPEC_ts_s "datetime64[s]", CC_TEMPORAL_TIMESTAMP, 1
#define SPEC_ts_ms "datetime64[ms]", CC_TEMPORAL_TIMESTAMP, 1000
#define SPEC_ts_us "datetime64[us]", CC_TEMPORAL_TIMESTAMP, 1000000
#define SPEC_ts_ns "datetime64[ns]", CC_TEMPORAL_TIMESTAMP, 1000000000
#define SPEC_td_s "timedelta64[s]", CC_TEMPORAL_DURATION, 1
#define SPEC_td_ms "timedelta64[ms]", CC_TEMPORAL_DURATION, 1000
#define SPEC_td_us "timedelta64[us]", CC_TEMPORAL_DURATION, 1000000
#define SPEC_td_ns "timedelta64[ns]", CC_TEMPORAL_DURATION, 1000000000
#define SPEC_date32 "date32", CC_TEMPORAL_DATE, 0
#define SPEC_time_us "time64[us]", CC_TEMPORAL_TIME, 1000000
#define SPEC_time_ns "time64[ns]", CC_TEMPORAL_TIME, 1000000000
#define SPEC_decimal128 "decimal128", CC_TEMPORAL_NONE, 0
#define SPEC_NAME_(name, temporal, per_second) name
#define SPEC_REST_(name, temporal, per_second) temporal, per_second
#define SPEC_NAME(...) SPEC_NAME_(__VA_ARGS__)
#define SPEC_REST(...) SPEC_REST_(__VA_ARGS__)

const cc_dtype_info cc_dtype_table[CC_NUM_DTYPES] = {
#define CC_DTYPE_ROW(E, name, ctype, fmt, KIND)                                \
    [CC_##E] = {SPEC_NAME(SPEC_##name), fmt, (int)sizeof(ctype), KIND, RANGE_##name, \
                SPEC_REST(SPEC_##name)},
    CC_FOR_EACH_DTYPE(CC_DTYPE_ROW)
#undef CC_DTYPE_ROW
};

cc_status cc_dtype_from_name(const char *name, cc_dtype *out) {
    for (int i = 0; i < CC_NUM_DTYPES; i++) {
        if (strcmp(cc_dtype_table[i].name, name) == 0) {
            *out = (cc_dtype)i;
            return CC_OK;
        }
    }
    return CC_EINVAL;
}

cc_status cc_dtype_from_format(const char *format, int64_t itemsize,
                               cc_dtype *out) {
    /* '@' and '=' are native order; '<' / '>' are native only on hosts of
     * that order; '|' means "not applicable" (single bytes). */
    const char c0 = format[0];
    const bool little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    if (c0 == '@' || c0 == '=' || c0 == '|' || (c0 == '<' && little) ||
        (c0 == '>' && !little))
        format++;
    if (format[0] == '\0' || format[1] != '\0') return CC_EINVAL;
    char code = format[0];
    /* Platform-sized codes map by the size the exporter reports. */
    if (code == 'l' || code == 'n') code = itemsize == 8 ? 'q' : 'i';
    if (code == 'L' || code == 'N') code = itemsize == 8 ? 'Q' : 'I';
    if (code == 'c') code = 'B';
    for (int i = 0; i < CC_NUM_DTYPES; i++) {
        if (cc_dtype_table[i].format[0] == code &&
            cc_dtype_table[i].itemsize == itemsize) {
            *out = (cc_dtype)i;
            return CC_OK;
        }
    }
    return CC_EINVAL;
}

cc_dtype cc_dtype_int_width_for(int64_t v) {
    if (v >= INT8_MIN && v <= INT8_MAX) return CC_INT8;
    if (v >= INT16_MIN && v <= INT16_MAX) return CC_INT16;
    if (v >= INT32_MIN && v <= INT32_MAX) return CC_INT32;
    return CC_INT64;
}

static cc_status store_integer(cc_dtype dt, const cc_scalar *s, void *dst) {
    const cc_dtype_info *info = &cc_dtype_table[dt];
    if (s->kind == CC_SCALAR_FLOAT || s->kind == CC_SCALAR_NULL) return CC_ETYPE;
    if (s->kind == CC_SCALAR_UINT) {
        if (dt != CC_UINT64) return CC_EOVERFLOW;
        memcpy(dst, &s->v.u, 8);
        return CC_OK;
    }
    int64_t v = s->v.i;
    if (info->kind == CC_KIND_SIGNED) {
        if (v < info->min || v > (int64_t)info->max) return CC_EOVERFLOW;
    } else if (v < 0 || (uint64_t)v > info->max) {
        return CC_EOVERFLOW;
    }
    switch (info->itemsize) {
    case 1: { int8_t x = (int8_t)v; memcpy(dst, &x, 1); break; }
    case 2: { int16_t x = (int16_t)v; memcpy(dst, &x, 2); break; }
    case 4: { int32_t x = (int32_t)v; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &v, 8); break;
    }
    return CC_OK;
}


static cc_status store_decimal(const cc_scalar *s, void *dst) {
    if (s->kind == CC_SCALAR_FLOAT || s->kind == CC_SCALAR_NULL) return CC_ETYPE;
    cc_int128 v = cc_scalar_wide_value(s); /* a bool too, as for every integer dtype */
    if (v > CC_DECIMAL128_MAX || v < -CC_DECIMAL128_MAX) return CC_EOVERFLOW;
    memcpy(dst, &v, sizeof v);
    return CC_OK;
}

cc_status cc_dtype_store(cc_dtype dt, const cc_scalar *s, void *dst) {
    switch (cc_dtype_table[dt].kind) {
    case CC_KIND_DECIMAL:
        return store_decimal(s, dst);
    case CC_KIND_SIGNED:
    case CC_KIND_UNSIGNED:
        return store_integer(dt, s, dst);
    case CC_KIND_BOOL: {
        if (s->kind == CC_SCALAR_FLOAT || s->kind == CC_SCALAR_NULL)
            return CC_ETYPE;
        if (s->kind == CC_SCALAR_UINT || s->v.i < 0 || s->v.i > 1)
            return CC_EOVERFLOW;
        *(uint8_t *)dst = (uint8_t)s->v.i;
        return CC_OK;
    }
    case CC_KIND_FLOAT: {
        double d;
        switch (s->kind) {
        case CC_SCALAR_FLOAT: d = s->v.f; break;
        case CC_SCALAR_UINT: d = (double)s->v.u; break;
        case CC_SCALAR_NULL: return CC_ETYPE;
        default: d = (double)s->v.i; break;
        }
        if (dt == CC_FLOAT32) {
            float f = (float)d;
            /* A finite double that rounds to infinity does not fit; NaN
             * and infinities are stored as they are. */
            if (isinf(f) && !isinf(d)) return CC_EOVERFLOW;
            memcpy(dst, &f, 4);
        } else {
            memcpy(dst, &d, 8);
        }
        return CC_OK;
    }
    }
    return CC_EINVAL;
}

/* Out of line so the per-dtype expansion below has no always-false compare. */
static bool above_int64(uint64_t u) { return u > (uint64_t)INT64_MAX; }


void cc_dtype_load(cc_dtype dt, const void *src, cc_scalar *out) {
    switch (dt) {
#define LOAD_CASE(E, name, ctype, fmt, KIND)                                   \
    case CC_##E: {                                                             \
        ctype x;                                                               \
        memcpy(&x, src, sizeof x);                                             \
        if (KIND == CC_KIND_FLOAT) {                                           \
            out->kind = CC_SCALAR_FLOAT;                                       \
            out->v.f = (double)x;                                              \
        } else if (KIND == CC_KIND_BOOL) {                                     \
            out->kind = CC_SCALAR_BOOL;                                        \
            out->v.i = x != 0;                                                 \
        } else if (KIND == CC_KIND_DECIMAL) {                                  \
            *out = cc_scalar_from_wide((cc_int128)x);                          \
        } else if (CC_##E == CC_UINT64 && above_int64((uint64_t)x)) {           \
            out->kind = CC_SCALAR_UINT;                                        \
            out->v.u = (uint64_t)x;                                            \
        } else {                                                               \
            out->kind = CC_SCALAR_INT;                                         \
            out->v.i = (int64_t)x;                                             \
        }                                                                      \
        return;                                                                \
    }
        CC_FOR_EACH_DTYPE(LOAD_CASE)
#undef LOAD_CASE
    default:
        out->kind = CC_SCALAR_NULL;
    }
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

/* int64 against a double, exactly: no rounding of either side. */
static int compare_int_float(int64_t i, double d) {
    if (isnan(d)) return 2;
    if (d >= 9223372036854775808.0) return -1;  /* 2**63 */
    if (d < -9223372036854775808.0) return 1;
    double t = trunc(d);
    int64_t ti = (int64_t)t;
    if (i != ti) return CMP(i, ti);
    return CMP(0.0, d - t);
}

static int compare_uint_float(uint64_t u, double d) {
    if (isnan(d)) return 2;
    if (d >= 18446744073709551616.0) return -1; /* 2**64 */
    if (d < 0) return 1;
    double t = trunc(d);
    uint64_t tu = (uint64_t)t;
    if (u != tu) return CMP(u, tu);
    return CMP(0.0, d - t);
}

/* A 128-bit integer against a double, exactly. */
static int compare_wide_float(cc_int128 w, double d) {
    if (isnan(d)) return 2;
    if (d >= 0x1p127) return -1;
    if (d < -0x1p127) return 1;
    double t = trunc(d);
    cc_int128 tw = (cc_int128)t;
    if (w != tw) return CMP(w, tw);
    return CMP(0.0, d - t);
}

int cc_scalar_compare(const cc_scalar *a, const cc_scalar *b) {
    if (a->kind == CC_SCALAR_NULL || b->kind == CC_SCALAR_NULL)
        return a->kind == b->kind ? 0 : 2;
    /* Bools are ints with values 0 and 1. */
    cc_scalar_kind ka = a->kind == CC_SCALAR_BOOL ? CC_SCALAR_INT : a->kind;
    cc_scalar_kind kb = b->kind == CC_SCALAR_BOOL ? CC_SCALAR_INT : b->kind;
    if (ka == CC_SCALAR_WIDE || kb == CC_SCALAR_WIDE) {
        if (ka == CC_SCALAR_FLOAT) {
            int r = compare_wide_float(b->v.w, a->v.f);
            return r == 2 ? 2 : -r;
        }
        if (kb == CC_SCALAR_FLOAT) return compare_wide_float(a->v.w, b->v.f);
        cc_int128 x = cc_scalar_wide_value(a), y = cc_scalar_wide_value(b);
        return CMP(x, y);
    }
    if (ka == CC_SCALAR_FLOAT && kb == CC_SCALAR_FLOAT) {
        if (isnan(a->v.f) || isnan(b->v.f)) return 2;
        return CMP(a->v.f, b->v.f);
    }
    if (ka == CC_SCALAR_FLOAT) {
        int r = kb == CC_SCALAR_INT ? compare_int_float(b->v.i, a->v.f)
                                    : compare_uint_float(b->v.u, a->v.f);
        return r == 2 ? 2 : -r;
    }
    if (kb == CC_SCALAR_FLOAT)
        return ka == CC_SCALAR_INT ? compare_int_float(a->v.i, b->v.f)
                                   : compare_uint_float(a->v.u, b->v.f);
    if (ka == CC_SCALAR_INT && kb == CC_SCALAR_INT) return CMP(a->v.i, b->v.i);
    if (ka == CC_SCALAR_UINT && kb == CC_SCALAR_UINT) return CMP(a->v.u, b->v.u);
    /* canonical form: every UINT is above every INT */
    return ka == CC_SCALAR_UINT ? 1 : -1;
}
