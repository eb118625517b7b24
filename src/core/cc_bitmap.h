/* cc_bitmap.h -- Arrow-layout validity bitmaps: bit i of byte i/8, least
 * significant bit first; a set bit means "valid".  Bits at and past the
 * length are kept zero so a bitmap can be exported or hashed as it is. */
#ifndef CC_BITMAP_H
#define CC_BITMAP_H

#include "cc_common.h"

static inline bool cc_bitmap_get(const uint8_t *bm, int64_t i) {
    return (bm[i >> 3] >> (i & 7)) & 1;
}

static inline void cc_bitmap_set(uint8_t *bm, int64_t i, bool v) {
    uint8_t mask = (uint8_t)(1u << (i & 7));
    if (v) bm[i >> 3] |= mask;
    else bm[i >> 3] &= (uint8_t)~mask;
}

/* Bytes needed for n bits. */
static inline int64_t cc_bitmap_bytes(int64_t n) { return (n + 7) >> 3; }

/* Number of set bits in [start, start + n). */
int64_t cc_bitmap_count(const uint8_t *bm, int64_t start, int64_t n);

/* Sets bits [start, start + n) to v. */
void cc_bitmap_fill(uint8_t *bm, int64_t start, int64_t n, bool v);

/* Reallocates *bm from room for old_bits to room for new_bits; the added
 * bits are 0.  On CC_ENOMEM *bm is as it was. */
CC_MUST_CHECK cc_status cc_bitmap_resize(uint8_t **bm, int64_t old_bits, int64_t new_bits);

/* dst := the first n bits of src (a bitmap from outside: its bits past n
 * are not trusted, and cleared in dst); returns the number of clear bits
 * among the n (the nulls). */
int64_t cc_bitmap_copy_bits(uint8_t *dst, const uint8_t *src, int64_t n);

/* *bm = a new bitmap with room for capacity bits, bits [0, length) set
 * and the rest clear: the bitmap of an array that becomes nullable.
 * On CC_ENOMEM *bm is unchanged. */
CC_MUST_CHECK cc_status cc_bitmap_new_valid(uint8_t **bm, int64_t capacity, int64_t length);

/* Copies n bits from src at src_off to dst at dst_off.  The ranges may
 * overlap (same buffer), as with memmove. */
void cc_bitmap_move(uint8_t *dst, int64_t dst_off, const uint8_t *src,
                    int64_t src_off, int64_t n);

#endif /* CC_BITMAP_H */
