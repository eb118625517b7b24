/* cc_strarray_scan.c -- whole-array string operations that users would
 * otherwise write as a Python loop (lengths, equals, startswith, contains),
 * and the UTF-8 validator for imported bytes.  Each is one pass over the
 * bytes; none allocates. */
#include "cc_strarray.h"

void cc_strarray_lengths(const cc_strarray *a, int64_t *out) {
    for (int64_t i = 0; i < a->length; i++) {
        cc_str s = cc_strarray_get(a, i);
        int64_t n = 0;
        /* every code point has exactly one byte that is not 10xxxxxx */
        for (int64_t k = 0; k < s.len; k++) n += (s.ptr[k] & 0xC0) != 0x80;
        out[i] = n;
    }
}

/* memmem without _GNU_SOURCE: memchr for the first byte, then compare. */
static bool contains_bytes(cc_str hay, cc_str needle) {
    if (needle.len == 0) return true;
    if (needle.len > hay.len) return false;
    const uint8_t *p = hay.ptr, *last = hay.ptr + (hay.len - needle.len);
    while (p <= last) {
        p = memchr(p, needle.ptr[0], (size_t)(last - p + 1));
        if (!p) return false;
        if (memcmp(p, needle.ptr, (size_t)needle.len) == 0) return true;
        p++;
    }
    return false;
}

void cc_strarray_match(const cc_strarray *a, cc_str needle, cc_match how, uint8_t *out) {
    for (int64_t i = 0; i < a->length; i++) {
        cc_str s = cc_strarray_get(a, i);
        bool hit;
        switch (how) {
        case CC_MATCH_EQUALS:
            hit = s.len == needle.len &&
                  (s.len == 0 || memcmp(s.ptr, needle.ptr, (size_t)s.len) == 0);
            break;
        case CC_MATCH_PREFIX:
            hit = s.len >= needle.len &&
                  (needle.len == 0 || memcmp(s.ptr, needle.ptr, (size_t)needle.len) == 0);
            break;
        default:
            hit = contains_bytes(s, needle);
            break;
        }
        out[i] = hit && cc_strarray_is_valid(a, i);
    }
}

/* Valid UTF-8?  *ascii: whether every byte is below 0x80. */
static bool utf8_scan(const uint8_t *p, int64_t n, bool *ascii) {
    int64_t i = 0;
    *ascii = true;
    while (i < n) {
        /* ASCII runs, 16 bytes at a time; a block with a high byte is
         * entered at that byte (on little-endian hosts the lowest set bit
         * is the first byte), so text with a non-ASCII character every
         * few words is not walked byte by byte (the zero-copy import's
         * whole cost is this scan) */
        while (i + 16 <= n) {
            uint64_t w0, w1;
            memcpy(&w0, p + i, 8);
            memcpy(&w1, p + i + 8, 8);
            uint64_t h0 = w0 & 0x8080808080808080ull, h1 = w1 & 0x8080808080808080ull;
            if (h0 | h1) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                i += h0 ? __builtin_ctzll(h0) >> 3 : 8 + (__builtin_ctzll(h1) >> 3);
#endif
                break;
            }
            i += 16;
        }
        if (i >= n) break;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        *ascii = false;
        if ((c & 0xE0) == 0xC0) { /* two bytes (Latin, Greek, Cyrillic...): the common case */
            if (c < 0xC2 || i + 2 > n || (p[i + 1] & 0xC0) != 0x80) return false; /* overlong */
            i += 2;
            continue;
        }
        int len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
        else return false;
        if (i + len > n) return false;
        for (int k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/* Every byte below 0x80?  Branch-free over 32-byte blocks, so the
 * compiler can vectorise it. */
static bool all_ascii(const uint8_t *p, size_t n) {
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, 32);
        acc |= w[0] | w[1] | w[2] | w[3];
    }
    for (; i < n; i++) acc |= p[i];
    return (acc & 0x8080808080808080ull) == 0;
}

bool cc_utf8_valid(const uint8_t *p, int64_t n) {
    bool ascii;
    return utf8_scan(p, n, &ascii);
}

cc_status cc_strarray_check_arrow(const void *offsets, bool wide, int64_t n,
                                  const uint8_t *data, bool binary, cc_error *err) {
    static const char *const bad_string = "string %lld has bad offsets or is not valid UTF-8";
    err->why = NULL;
    if (n <= 0) return n ? cc_error_set(err, CC_EINVAL, "n < 0", -1) : CC_OK;
#define OFF(i) (wide ? ((const int64_t *)offsets)[i] : (int64_t)((const int32_t *)offsets)[i])
    int64_t first = OFF(0), last = OFF(n), prev = first;
    if (first < 0 || last < first) return cc_error_set(err, CC_EINVAL, "offsets out of order", -1);
    bool ascii = true; /* binary: any bytes, so no boundaries to check */
    bool utf8 = binary || utf8_scan(data + first, last - first, &ascii);
    for (int64_t i = 1; i <= n; i++) {
        int64_t hi = OFF(i);
        if (hi < prev || hi > last ||
            (!ascii && prev < last && (data[prev] & 0xC0) == 0x80) ||
            (!utf8 && !cc_utf8_valid(data + prev, hi - prev)))
            return cc_error_set(err, CC_EINVAL, bad_string, i - 1);
        prev = hi;
    }
#undef OFF
    return CC_OK;
}

cc_status cc_strarray_append_arrow(cc_strarray *a, const void *offsets, bool wide, int64_t n,
                                   const uint8_t *data, cc_error *err) {
    static const char *const bad_string = "string %lld has bad offsets or is not valid UTF-8";
    err->why = NULL;
    if (a->spans || n < 0) return cc_error_set(err, CC_EINVAL, "not a compact array, or n < 0", -1);
    if (n == 0) return CC_OK;
#define OFF(i) (wide ? ((const int64_t *)offsets)[i] : (int64_t)((const int32_t *)offsets)[i])
    int64_t first = OFF(0), last = OFF(n), len, bytes;
    if (first < 0 || last < first) return cc_error_set(err, CC_EINVAL, "offsets out of order", -1);
    CC_RETURN_NOT_OK(cc_add_count(a->length, n, &len));
    CC_RETURN_NOT_OK(cc_add_count(a->data_len, last - first, &bytes));
    CC_RETURN_NOT_OK(cc_strarray_reserve(a, len, bytes));
    if (a->exports) return CC_EBUSY;
    CC_RETURN_NOT_OK(cc_strarray_own(a));
    /* Copy the bytes block by block and check each block for ASCII while
     * it is still in cache; only non-ASCII data takes the full UTF-8 scan
     * (the bytes past data_len are spare capacity until the length is
     * committed). */
    enum { BLOCK = 64 * 1024 };
    uint8_t *copy = a->data + a->data_len;
    size_t total = (size_t)(last - first);
    bool ascii = true;
    for (size_t at = 0; at < total; at += BLOCK) {
        size_t k = total - at < BLOCK ? total - at : BLOCK;
        memcpy(copy + at, data + first + at, k);
        if (!a->binary) ascii = ascii && all_ascii(copy + at, k); /* binary: not checked */
    }
    if (!ascii && !utf8_scan(copy, last - first, &ascii)) {
        /* find the culprit in our copy; the offsets are not checked yet, so
         * one outside [first, last] or going back is the culprit itself
         * (fuzzing found this scan reading before the producer's buffer) */
        for (int64_t i = 0, lo = first; i < n; i++) {
            int64_t hi = OFF(i + 1);
            if (hi < lo || hi > last || !cc_utf8_valid(copy + (lo - first), hi - lo))
                return cc_error_set(err, CC_EINVAL, bad_string, i);
            lo = hi;
        }
        return cc_error_set(err, CC_EINVAL, "offsets out of order", -1); /* not reached */
    }
    /* One pass over the offsets: check them and write ours.  Each string
     * must start on a character boundary -- always true for ASCII. */
    int64_t base = a->data_len - first, prev = first;
#define CHECK_AT(hi, i)                                                                  \
    if ((hi) < prev || (hi) > last ||                                                    \
        (!ascii && prev < last && (copy[prev - first] & 0xC0) == 0x80)) {                \
        return cc_error_set(err, CC_EINVAL, bad_string, (i) - 1);                        \
    }
    bool checked = false;
    if (!wide && !a->wide && ascii) {
        /* the common case: branch-free (monotone offsets end at `last`, so
         * none can pass it); a bad offset is found by the checked loop */
        const int32_t *src = offsets;
        int32_t *dst = (int32_t *)a->offsets + a->length;
        int32_t before = (int32_t)first;
        bool decreasing = false;
        for (int64_t i = 1; i <= n; i++) {
            int32_t hi = src[i];
            decreasing |= hi < before;
            dst[i] = (int32_t)(hi + base); /* in int64: a bad offset must not overflow */
            before = hi;
        }
        checked = !decreasing;
    }
    for (int64_t i = 1; !checked && i <= n; i++) {
        int64_t hi = OFF(i);
        CHECK_AT(hi, i);
        if (a->wide) ((int64_t *)a->offsets)[a->length + i] = hi + base;
        else ((int32_t *)a->offsets)[a->length + i] = (int32_t)(hi + base);
        prev = hi;
    }
#undef CHECK_AT
#undef OFF
    if (a->nullable) cc_bitmap_fill(a->validity, a->length, n, true);
    a->length = len;
    a->data_len = bytes;
    return CC_OK;
}
