/* cc_dtype.h -- the element types of numeric arrays and the scalar that moves
 * one value between them.
 *
 * Per-dtype code is written once, as a macro body, and expanded for every row
 * of CC_FOR_EACH_DTYPE; nothing is copied eleven times by hand.
 *
 * A cc_scalar is an exact number in canonical form: every integer that fits
 * int64 is CC_SCALAR_INT, only values above INT64_MAX are CC_SCALAR_UINT, and
 * bools are CC_SCALAR_BOOL (0 or 1), and integers beyond 64 bits (only a
 * decimal128 holds them) CC_SCALAR_WIDE.  Stores are checked: a value that
 * does not fit the dtype is CC_EOVERFLOW, a value of the wrong kind CC_ETYPE.
 */
#ifndef CC_DTYPE_H
#define CC_DTYPE_H

#include "cc_common.h"

/* A 128-bit two's-complement integer: a decimal128's unscaled value (GCC and
 * Clang have it on every 64-bit target).  Aligned to 8 only, as the buffers
 * Arrow and pickles hand us are guaranteed no more than that. */
__extension__ typedef __int128 cc_int128 __attribute__((aligned(8)));

/* A decimal128 holds up to 38 decimal digits. */
#define CC_DECIMAL_MAX_PRECISION 38
/* 10**38 - 1, the largest unscaled value of a decimal128 (38 digits). */
#define CC_DECIMAL128_MAX                                                      \
    ((cc_int128)0x4b3b4ca85a86c47aULL << 64 | (cc_int128)0x098a223fffffffffULL)

/* The widest itemsize: scratch for one element of any dtype. */
#define CC_MAX_ITEMSIZE 16

/*  X(ENUM,    ident,     ctype,    struct-format, kind)
 *
 * The temporal dtypes (after BOOL) are signed integers to the core -- ticks
 * of their unit since the Unix epoch (timestamps), since midnight (times),
 * or a count (durations); days since the epoch for date32 -- so sorting,
 * searching, storing and Arrow's layout need nothing of their own; only the
 * binding boxes them as datetime objects (cc_dtype_info.temporal says how).
 * Their struct-format codes are their storage's, but they come after
 * INT32/INT64, so a buffer's format never selects them.
 *
 * DEC128 is Arrow's decimal128: the unscaled value as a 128-bit integer;
 * precision and scale are the array's metadata (cc_numarray.tz, as a
 * timestamp's zone is), so to the core it is an integer, and only the
 * binding (decimal.c) knows where the point goes.  It has no struct-format
 * code. */
#define CC_FOR_EACH_DTYPE(X)                                                   \
    X(INT8, int8, int8_t, "b", CC_KIND_SIGNED)                                 \
    X(INT16, int16, int16_t, "h", CC_KIND_SIGNED)                              \
    X(INT32, int32, int32_t, "i", CC_KIND_SIGNED)                              \
    X(INT64, int64, int64_t, "q", CC_KIND_SIGNED)                              \
    X(UINT8, uint8, uint8_t, "B", CC_KIND_UNSIGNED)                            \
    X(UINT16, uint16, uint16_t, "H", CC_KIND_UNSIGNED)                         \
    X(UINT32, uint32, uint32_t, "I", CC_KIND_UNSIGNED)                         \
    X(UINT64, uint64, uint64_t, "Q", CC_KIND_UNSIGNED)                         \
    X(FLOAT32, float32, float, "f", CC_KIND_FLOAT)                             \
    X(FLOAT64, float64, double, "d", CC_KIND_FLOAT)                            \
    X(BOOL, bool, uint8_t, "?", CC_KIND_BOOL)                                  \
    X(TS_S, ts_s, int64_t, "q", CC_KIND_SIGNED)                                \
    X(TS_MS, ts_ms, int64_t, "q", CC_KIND_SIGNED)                              \
    X(TS_US, ts_us, int64_t, "q", CC_KIND_SIGNED)                              \
    X(TS_NS, ts_ns, int64_t, "q", CC_KIND_SIGNED)                              \
    X(TD_S, td_s, int64_t, "q", CC_KIND_SIGNED)                                \
    X(TD_MS, td_ms, int64_t, "q", CC_KIND_SIGNED)                              \
    X(TD_US, td_us, int64_t, "q", CC_KIND_SIGNED)                              \
    X(TD_NS, td_ns, int64_t, "q", CC_KIND_SIGNED)                              \
    X(DATE32, date32, int32_t, "i", CC_KIND_SIGNED)                            \
    X(TIME_US, time_us, int64_t, "q", CC_KIND_SIGNED)                          \
    X(TIME_NS, time_ns, int64_t, "q", CC_KIND_SIGNED)                          \
    X(DEC128, decimal128, cc_int128, "", CC_KIND_DECIMAL)

typedef enum cc_dtype {
#define CC_DTYPE_ENUM(E, name, ctype, fmt, KIND) CC_##E,
    CC_FOR_EACH_DTYPE(CC_DTYPE_ENUM)
#undef CC_DTYPE_ENUM
    CC_NUM_DTYPES
} cc_dtype;

typedef enum cc_kind {
    CC_KIND_SIGNED,
    CC_KIND_UNSIGNED,
    CC_KIND_FLOAT,
    CC_KIND_BOOL,
    CC_KIND_DECIMAL, /* a signed 128-bit integer, |v| < 10**38 */
} cc_kind;

/* What a temporal dtype's integers count. */
typedef enum cc_temporal {
    CC_TEMPORAL_NONE,      /* a number                                 */
    CC_TEMPORAL_TIMESTAMP, /* ticks since 1970-01-01T00:00:00          */
    CC_TEMPORAL_DURATION,  /* ticks                                    */
    CC_TEMPORAL_DATE,      /* days since 1970-01-01                    */
    CC_TEMPORAL_TIME,      /* ticks since midnight, [0, one day)        */
} cc_temporal;

typedef struct cc_dtype_info {
    const char *name;   /* "int64", "datetime64[us]"                 */
    const char *format; /* struct-module format code, "q"            */
    int itemsize;       /* bytes per element                         */
    cc_kind kind;
    int64_t min;        /* integer range (signed kinds and bool)     */
    uint64_t max;
    cc_temporal temporal;
    int64_t per_second; /* ticks per second of a temporal unit (0: days) */
} cc_dtype_info;

extern const cc_dtype_info cc_dtype_table[CC_NUM_DTYPES];

static inline const cc_dtype_info *cc_dtype_get(cc_dtype dt) {
    return &cc_dtype_table[dt];
}
static inline int cc_dtype_itemsize(cc_dtype dt) {
    return cc_dtype_table[dt].itemsize;
}
static inline bool cc_dtype_is_temporal(cc_dtype dt) {
    return cc_dtype_table[dt].temporal != CC_TEMPORAL_NONE;
}
static inline bool cc_dtype_is_decimal(cc_dtype dt) { return dt == CC_DEC128; }
/* A dtype whose integers stand for something else (a time, a scaled
 * decimal): boxed by the binding, never converted by numeric value. */
static inline bool cc_dtype_is_coded(cc_dtype dt) {
    return cc_dtype_is_decimal(dt) || cc_dtype_is_temporal(dt);
}
/* An integer number type (temporal ones are stored as integers, but are not). */
static inline bool cc_dtype_is_integer(cc_dtype dt) {
    cc_kind k = cc_dtype_table[dt].kind;
    return (k == CC_KIND_SIGNED || k == CC_KIND_UNSIGNED) && !cc_dtype_is_temporal(dt);
}

typedef enum cc_scalar_kind {
    CC_SCALAR_INT,   /* v.i, any int64                        */
    CC_SCALAR_UINT,  /* v.u, only values > INT64_MAX           */
    CC_SCALAR_FLOAT, /* v.f                                    */
    CC_SCALAR_BOOL,  /* v.i, 0 or 1                            */
    CC_SCALAR_NULL,  /* a null slot of a nullable array        */
    CC_SCALAR_WIDE,  /* v.w, only values beyond int64 and uint64 */
} cc_scalar_kind;

typedef struct cc_scalar {
    cc_scalar_kind kind;
    union {
        int64_t i;
        uint64_t u;
        double f;
        cc_int128 w;
    } v;
} cc_scalar;

/* The canonical scalar of a 128-bit integer: INT when it fits int64, else WIDE. */
static inline cc_scalar cc_scalar_from_wide(cc_int128 w) {
    cc_scalar s;
    if (w >= INT64_MIN && w <= INT64_MAX) {
        s.kind = CC_SCALAR_INT;
        s.v.i = (int64_t)w;
    } else {
        s.kind = CC_SCALAR_WIDE;
        s.v.w = w;
    }
    return s;
}
/* An INT, UINT, BOOL or WIDE scalar's value as 128 bits. */
static inline cc_int128 cc_scalar_wide_value(const cc_scalar *s) {
    return s->kind == CC_SCALAR_WIDE ? s->v.w
         : s->kind == CC_SCALAR_UINT ? (cc_int128)s->v.u
                                     : (cc_int128)s->v.i;
}

/* Name ("int64") to dtype; CC_EINVAL when unknown. */
CC_MUST_CHECK cc_status cc_dtype_from_name(const char *name, cc_dtype *out);

/* A PEP 3118 format string of one native-order scalar ("q", "<i8" is not a
 * struct format; "=q", "@l", "<d" on little-endian hosts are) to a dtype.
 * itemsize disambiguates the platform-sized codes 'l', 'L', 'n', 'N'. */
CC_MUST_CHECK cc_status cc_dtype_from_format(const char *format,
                                             int64_t itemsize, cc_dtype *out);

/* Narrowest signed adaptive width (int8..int64) that holds v. */
cc_dtype cc_dtype_int_width_for(int64_t v);

/* Checked store of s into *dst (itemsize bytes of dtype dt). */
CC_MUST_CHECK cc_status cc_dtype_store(cc_dtype dt, const cc_scalar *s,
                                       void *dst);

/* The value at src as a canonical scalar. */
void cc_dtype_load(cc_dtype dt, const void *src, cc_scalar *out);

/* Exact numeric comparison with Python's semantics for int/float/bool
 * (2**53 + 1 != 2.0**53; True == 1).  Returns -1, 0 or 1, or 2 when the two
 * are unordered (a NaN is involved).  Nulls compare equal to nulls and are
 * unordered against numbers. */
int cc_scalar_compare(const cc_scalar *a, const cc_scalar *b);

#endif /* CC_DTYPE_H */
