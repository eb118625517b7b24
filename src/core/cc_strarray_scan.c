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

bool cc_utf8_valid(const uint8_t *p, int64_t n) {
    int64_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
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
