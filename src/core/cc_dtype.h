/* cc_dtype.h -- the element types of numeric arrays and the scalar that moves
 * one value between them.
 *
 * Per-dtype code is written once, as a macro body, and expanded for every row
 * of CC_FOR_EACH_DTYPE; nothing is copied eleven times by hand.
 *
 * A cc_scalar is an exact number in canonical form: every integer that fits
 * int64 is CC_SCALAR_INT, only values above INT64_MAX are CC_SCALAR_UINT, and
 * bools are CC_SCALAR_BOOL (0 or 1).  Stores are checked: a value that does
 * not fit the dtype is CC_EOVERFLOW, a value of the wrong kind CC_ETYPE.
 */
#ifndef CC_DTYPE_H
#define CC_DTYPE_H

#include "cc_common.h"

/*  X(ENUM,    ident,     ctype,    struct-format, kind)
 *
 * The temporal dtypes (after BOOL) are signed integers to the core -- ticks
 * of their unit since the Unix epoch (timestamps), since midnight (times),
 * or a count (durations); days since the epoch for date32 -- so sorting,
 * searching, storing and Arrow's layout need nothing of their own; only the
 * binding boxes them as datetime objects (cc_dtype_info.temporal says how).
 * Their struct-format codes are their storage's, but they come after
 * INT32/INT64, so a buffer's format never selects them. */
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
    X(TIME_NS, time_ns, int64_t, "q", CC_KIND_SIGNED)

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
} cc_scalar_kind;

typedef struct cc_scalar {
    cc_scalar_kind kind;
    union {
        int64_t i;
        uint64_t u;
        double f;
    } v;
} cc_scalar;

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
