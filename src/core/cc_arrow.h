/* cc_arrow.h -- the Arrow C data interface: the ABI-stable structs every
 * implementation declares for itself (https://arrow.apache.org/docs/format/
 * CDataInterface.html), and the format strings of our dtypes.
 *
 * Ownership, in one paragraph: a producer fills a struct and sets
 * `release`; the consumer owns it from then on and calls `release` exactly
 * once (possibly from another thread), after which release is NULL.  A
 * consumer may move the struct (copy it and set the original's release to
 * NULL), so a release callback may only use what the struct points to.
 *
 * Importing a producer's arrays (validation, appending into our
 * containers): cc_arrow_import.h.  Exporting ours (formats, lossless
 * casts, shared and owned buffers, struct shells): cc_arrow_export.h. */
#ifndef CC_ARROW_H
#define CC_ARROW_H

#include "cc_dtype.h"

#include <stdbool.h>
#include <string.h>

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* Arrow format string of a dtype: "c" int8 ... "g" float64, "b" bool
 * (which Arrow bit-packs). */
static inline const char *cc_arrow_format(cc_dtype dt) {
    static const char *const formats[CC_NUM_DTYPES] = {
        [CC_INT8] = "c",  [CC_INT16] = "s",  [CC_INT32] = "i",   [CC_INT64] = "l",
        [CC_UINT8] = "C", [CC_UINT16] = "S", [CC_UINT32] = "I",  [CC_UINT64] = "L",
        [CC_FLOAT32] = "f", [CC_FLOAT64] = "g", [CC_BOOL] = "b",
        /* timestamps without a time zone: nothing after the colon */
        [CC_TS_S] = "tss:", [CC_TS_MS] = "tsm:", [CC_TS_US] = "tsu:", [CC_TS_NS] = "tsn:",
        [CC_TD_S] = "tDs",  [CC_TD_MS] = "tDm",  [CC_TD_US] = "tDu",  [CC_TD_NS] = "tDn",
        [CC_DATE32] = "tdD", [CC_TIME_US] = "ttu", [CC_TIME_NS] = "ttn",
        /* + "precision,scale", the array's parameter */
        [CC_DEC128] = "d:",
    };
    return formats[dt];
}

/* The time zone of a timestamp format ("tsu:UTC" -> "UTC", "tsu:" -> ""),
 * or NULL when f is not a timestamp's. */
static inline const char *cc_arrow_timestamp_zone(const char *f) {
    return f && f[0] == 't' && f[1] == 's' && f[2] && f[3] == ':' ? f + 4 : NULL;
}

/* Length of a decimal128 format's "precision,scale" ("d:12,2" and
 * "d:12,2,128" -> 4, the 4 bytes after "d:"), or 0 when f is not one (a
 * decimal32, 64 or 256 is not).  The numbers are the binding's to check (a
 * negative scale is a valid Arrow format). */
static inline size_t cc_arrow_decimal128_params(const char *f) {
    if (!f || f[0] != 'd' || f[1] != ':') return 0;
    const char *p = f + 2;
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 2 || p[n] != ',') return 0;
    size_t sign = p[n + 1] == '-', m = strspn(p + n + 1 + sign, "0123456789");
    if (m == 0 || m > 2) return 0;
    m += sign;
    const char *rest = p + n + 1 + m;
    return rest[0] == '\0' || strcmp(rest, ",128") == 0 ? n + 1 + m : 0;
}

/* The dtype whose Arrow format is f (a timestamp's with any time zone, a
 * decimal128's with any precision and scale); false if none is. */
static inline bool cc_arrow_dtype(const char *f, cc_dtype *out) {
    if (cc_arrow_decimal128_params(f)) {
        *out = CC_DEC128;
        return true;
    }
    const char *zone = cc_arrow_timestamp_zone(f);
    for (int d = 0; f && d < CC_NUM_DTYPES; d++) {
        if (d == CC_DEC128) continue; /* "d:" alone is not a format */
        const char *own = cc_arrow_format((cc_dtype)d);
        if (zone ? strncmp(f, own, 4) == 0 && own[3] == ':' : strcmp(f, own) == 0) {
            *out = (cc_dtype)d;
            return true;
        }
    }
    return false;
}

#endif /* CC_ARROW_H */
