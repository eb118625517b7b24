/* test_bitmap.c -- validity bitmap helpers against a bool-per-bit model:
 * get/set, count and fill over every alignment, and move with overlapping
 * ranges in both directions at odd offsets (the memmove contract). */
#include "test_util.h"

#define NBITS 300
#define NBYTES ((NBITS + 7) / 8)

static void random_bits(test_rng *r, uint8_t *bm, bool *model) {
    for (int i = 0; i < NBYTES; i++) bm[i] = (uint8_t)rng_next(r);
    for (int i = 0; i < NBITS; i++) model[i] = (bm[i >> 3] >> (i & 7)) & 1;
}

static bool same_bits(const uint8_t *bm, const bool *model, const char *what, int64_t a,
                      int64_t b, int64_t n) {
    for (int i = 0; i < NBITS; i++)
        if (cc_bitmap_get(bm, i) != model[i])
            return CHECK_MSG(false, "%s(%" PRId64 ", %" PRId64 ", n=%" PRId64 "): bit %d is %d, "
                             "expected %d", what, a, b, n, i, cc_bitmap_get(bm, i), model[i]);
    return true;
}

TEST(bitmap_get_set_layout) {
    uint8_t bm[2] = {0, 0};
    cc_bitmap_set(bm, 0, true);
    cc_bitmap_set(bm, 9, true);
    CHECK_EQ(bm[0], 0x01); /* least significant bit first, as Arrow */
    CHECK_EQ(bm[1], 0x02);
    CHECK(cc_bitmap_get(bm, 9) && !cc_bitmap_get(bm, 8));
    cc_bitmap_set(bm, 0, false);
    CHECK_EQ(bm[0], 0);
    CHECK_EQ(cc_bitmap_bytes(0), 0);
    CHECK_EQ(cc_bitmap_bytes(1), 1);
    CHECK_EQ(cc_bitmap_bytes(8), 1);
    CHECK_EQ(cc_bitmap_bytes(9), 2);
}

TEST(bitmap_count) {
    test_rng r;
    rng_seed(&r, test_seed() + 10);
    uint8_t bm[NBYTES];
    bool model[NBITS];
    for (int iter = 0; iter < 3000; iter++) {
        random_bits(&r, bm, model);
        int64_t start = rng_range(&r, 0, NBITS), n = rng_range(&r, 0, NBITS - start);
        int64_t want = 0;
        for (int64_t i = start; i < start + n; i++) want += model[i];
        if (!CHECK_MSG(cc_bitmap_count(bm, start, n) == want, "count(%" PRId64 ", %" PRId64 ")",
                       start, n))
            return;
    }
    memset(bm, 0xff, sizeof bm);
    CHECK_EQ(cc_bitmap_count(bm, 0, NBITS), NBITS);
    CHECK_EQ(cc_bitmap_count(bm, 3, 0), 0);
    CHECK_EQ(cc_bitmap_count(NULL, 0, 0), 0);
}

TEST(bitmap_fill) {
    test_rng r;
    rng_seed(&r, test_seed() + 11);
    uint8_t bm[NBYTES];
    bool model[NBITS];
    for (int iter = 0; iter < 3000; iter++) {
        random_bits(&r, bm, model);
        int64_t start = rng_range(&r, 0, NBITS), n = rng_range(&r, 0, NBITS - start);
        if (rng_chance(&r, 30)) n = rng_range(&r, 0, 20 < NBITS - start ? 20 : NBITS - start);
        bool v = rng_chance(&r, 50);
        cc_bitmap_fill(bm, start, n, v);
        for (int64_t i = start; i < start + n; i++) model[i] = v;
        if (!same_bits(bm, model, "fill", start, v, n)) return;
    }
    cc_bitmap_fill(NULL, 5, 0, true); /* n == 0 touches nothing */
}

TEST(bitmap_move) {
    test_rng r;
    rng_seed(&r, test_seed() + 12);
    uint8_t bm[NBYTES], src[NBYTES];
    bool model[NBITS], smodel[NBITS], tmp[NBITS];
    int overlapping_up = 0, overlapping_down = 0, aligned = 0;
    for (int iter = 0; iter < 6000; iter++) {
        random_bits(&r, bm, model);
        int mode = (int)rng_range(&r, 0, 3);
        int64_t n = rng_range(&r, 0, NBITS / 2);
        if (mode == 3) { /* byte-aligned offsets and length: the memmove path */
            n &= ~7;
            int64_t s = rng_range(&r, 0, (NBITS - n) / 8) * 8;
            int64_t d = rng_range(&r, 0, (NBITS - n) / 8) * 8;
            for (int64_t k = 0; k < n; k++) tmp[k] = model[s + k];
            cc_bitmap_move(bm, d, bm, s, n);
            for (int64_t k = 0; k < n; k++) model[d + k] = tmp[k];
            aligned++;
            if (!same_bits(bm, model, "move aligned", d, s, n)) return;
            continue;
        }
        if (mode == 0) { /* separate buffers */
            random_bits(&r, src, smodel);
            int64_t s = rng_range(&r, 0, NBITS - n), d = rng_range(&r, 0, NBITS - n);
            cc_bitmap_move(bm, d, src, s, n);
            for (int64_t k = 0; k < n; k++) model[d + k] = smodel[s + k];
            if (!same_bits(bm, model, "move", d, s, n)) return;
            continue;
        }
        /* same buffer, overlapping, odd offsets: mode 1 moves up, 2 down */
        int64_t shift = rng_range(&r, 1, 13) | 1;
        if (n + shift > NBITS) n = NBITS - shift;
        int64_t lo = rng_range(&r, 0, NBITS - n - shift) | 1;
        if (lo + n + shift > NBITS) lo -= 1;
        int64_t s = mode == 1 ? lo : lo + shift, d = mode == 1 ? lo + shift : lo;
        for (int64_t k = 0; k < n; k++) tmp[k] = model[s + k];
        cc_bitmap_move(bm, d, bm, s, n);
        for (int64_t k = 0; k < n; k++) model[d + k] = tmp[k];
        if (n > shift) *(mode == 1 ? &overlapping_up : &overlapping_down) += 1;
        if (!same_bits(bm, model, mode == 1 ? "move up" : "move down", d, s, n)) return;
    }
    CHECK(overlapping_up > 100 && overlapping_down > 100 && aligned > 100);
    cc_bitmap_move(NULL, 0, NULL, 0, 0);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
