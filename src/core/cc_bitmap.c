/* cc_bitmap.c -- validity bitmap range operations.  Whole bytes go at once
 * when both offsets are byte-aligned; otherwise bit by bit (these run inside
 * O(n) inserts and deletes, so the constant is not what dominates). */
#include "cc_bitmap.h"

int64_t cc_bitmap_count(const uint8_t *bm, int64_t start, int64_t n) {
    int64_t count = 0, i = start, end = start + n;
    for (; i < end && (i & 7); i++) count += cc_bitmap_get(bm, i);
    for (; i + 8 <= end; i += 8) count += __builtin_popcount(bm[i >> 3]);
    for (; i < end; i++) count += cc_bitmap_get(bm, i);
    return count;
}

void cc_bitmap_fill(uint8_t *bm, int64_t start, int64_t n, bool v) {
    int64_t i = start, end = start + n;
    for (; i < end && (i & 7); i++) cc_bitmap_set(bm, i, v);
    if (i + 8 <= end) {
        int64_t whole = (end - i) >> 3;
        memset(bm + (i >> 3), v ? 0xff : 0, (size_t)whole);
        i += whole << 3;
    }
    for (; i < end; i++) cc_bitmap_set(bm, i, v);
}

void cc_bitmap_move(uint8_t *dst, int64_t dst_off, const uint8_t *src,
                    int64_t src_off, int64_t n) {
    if (n <= 0) return;
    if (((dst_off | src_off | n) & 7) == 0) {
        memmove(dst + (dst_off >> 3), src + (src_off >> 3), (size_t)(n >> 3));
        return;
    }
    if (dst == src && dst_off > src_off) {
        for (int64_t k = n - 1; k >= 0; k--)
            cc_bitmap_set(dst, dst_off + k, cc_bitmap_get(src, src_off + k));
    } else {
        for (int64_t k = 0; k < n; k++)
            cc_bitmap_set(dst, dst_off + k, cc_bitmap_get(src, src_off + k));
    }
}

int64_t cc_bitmap_copy_bits(uint8_t *dst, const uint8_t *src, int64_t n) {
    memcpy(dst, src, (size_t)cc_bitmap_bytes(n));
    cc_bitmap_fill(dst, n, cc_bitmap_bytes(n) * 8 - n, false);
    return n - cc_bitmap_count(dst, 0, n);
}

cc_status cc_bitmap_new_valid(uint8_t **bm, int64_t capacity, int64_t length) {
    uint8_t *p = NULL;
    CC_RETURN_NOT_OK(cc_bitmap_resize(&p, 0, capacity));
    cc_bitmap_fill(p, 0, length, true);
    *bm = p;
    return CC_OK;
}

cc_status cc_bitmap_resize(uint8_t **bm, int64_t old_bits, int64_t new_bits) {
    size_t old_bytes = (size_t)cc_bitmap_bytes(old_bits);
    size_t new_bytes = (size_t)cc_bitmap_bytes(new_bits);
    uint8_t *p = cc_realloc(*bm, *bm ? (old_bytes ? old_bytes : 1) : 0, new_bytes ? new_bytes : 1);
    if (!p) return CC_ENOMEM;
    if (new_bytes > old_bytes) memset(p + old_bytes, 0, new_bytes - old_bytes);
    *bm = p;
    return CC_OK;
}
