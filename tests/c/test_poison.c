/* test_poison.c -- proves that the core poisons spare capacity under
 * AddressSanitizer (CC_POISON in cc_common.h / cc_numarray.c).
 *
 *   test_poison regions       after every mutator, the bytes below the length
 *                             are addressable and every byte from the length
 *                             to the capacity is poisoned (checked through
 *                             ASan's shadow, no crash needed)
 *   test_poison death-int64   append 3 int64 values (capacity 4), then write
 *   test_poison death-int8    the 4th slot / byte directly: ASan must abort.
 *
 * meson registers the death modes with should_fail: true, and only when
 * b_sanitize contains address: they pass only if ASan catches the write. */
#include "cc_arrow_export.h"
#include "test_util.h"

#ifdef CC_HAVE_ASAN
#include <sanitizer/asan_interface.h>

/* Shadow check of one array: [0, length) clean, [length, capacity) poisoned. */
static bool poisoned_right_at(const cc_numarray *a, const char *ctx, const char *file, int line) {
    if (!a->data) return true;
    size_t size = (size_t)cc_numarray_itemsize(a);
    size_t used = (size_t)a->length * size, cap = (size_t)a->capacity * size;
    void *bad = used ? __asan_region_is_poisoned(a->data, used) : NULL;
    if (bad)
        return test_fail(file, line, "%s: byte %td below the length (%zu) is poisoned", ctx,
                         (uint8_t *)bad - a->data, used);
    for (size_t k = used; k < cap; k++)
        if (!__asan_address_is_poisoned(a->data + k))
            return test_fail(file, line, "%s: spare byte %zu (length %zu, capacity %zu bytes) "
                             "is not poisoned", ctx, k, used, cap);
    return true;
}
#define POISONED_RIGHT(a, ctx) poisoned_right_at((a), (ctx), __FILE__, __LINE__)

static cc_numarray make(cc_dtype dt, bool adaptive, bool nullable, int n) {
    cc_numarray a;
    cc_numarray_init(&a, dt, adaptive, nullable);
    for (int i = 0; i < n; i++)
        if (!CHECK_ST(push(&a, nullable && i % 3 == 2 ? S_NULL() : S_INT(i % 100)), CC_OK)) break;
    return a;
}

TEST(regions_after_appends) {
    for (int dt = 0; dt < CC_NUM_DTYPES; dt++)
        for (int nl = 0; nl < 2; nl++) {
            cc_numarray a;
            cc_numarray_init(&a, (cc_dtype)dt, false, nl);
            for (int i = 0; i < 40; i++) {
                /* the inline fast path (not nullable, room left) and the slow one */
                if (!CHECK_ST(push(&a, S_INT(i % 2)), CC_OK)) break;
                if (!POISONED_RIGHT(&a, dt_name((cc_dtype)dt))) break;
            }
            /* a refused append must re-poison the slot it tried */
            if (dt != CC_FLOAT64 && dt != CC_FLOAT32) {
                CHECK_ST(push(&a, S_INT(-100000)), oracle_store_status((cc_dtype)dt, S_INT(-100000)));
                POISONED_RIGHT(&a, "refused append");
            }
            cc_numarray_reset(&a);
        }
    cc_numarray ad = make(CC_INT8, true, true, 0);
    for (int i = 0; i < 30; i++) {
        CHECK_ST(push(&ad, S_INT((int64_t)i << (2 * i))), CC_OK); /* widens as it goes */
        POISONED_RIGHT(&ad, "adaptive append");
    }
    cc_numarray_reset(&ad);
}

TEST(regions_after_each_mutator) {
    cc_error bad;
    cc_scalar s;
    for (int nl = 0; nl < 2; nl++) {
        cc_numarray a = make(CC_INT8, true, nl, 30), src = make(CC_INT8, true, nl, 5);
        CHECK_ST(cc_numarray_splice(&a, 3, 1, &src), CC_OK);
        POISONED_RIGHT(&a, "splice grow");
        CHECK_ST(cc_numarray_splice(&a, 0, 20, &src), CC_OK);
        POISONED_RIGHT(&a, "splice shrink");
        cc_numarray wide = make(CC_INT32, true, nl, 3);
        CHECK_ST(cc_numarray_splice(&a, 1, 1, &wide), CC_OK);
        POISONED_RIGHT(&a, "splice widening");
        cc_numarray_reset(&wide);
        wide = make(CC_INT64, true, nl, 2);
        CHECK_ST(cc_numarray_scatter(&a, 0, 2, &wide), CC_OK);
        POISONED_RIGHT(&a, "scatter widening");
        cc_numarray_reset(&wide);
        s = S_INT(7);
        CHECK_ST(cc_numarray_set(&a, 2, &s), CC_OK);
        POISONED_RIGHT(&a, "set");
        CHECK_ST(cc_numarray_delete_strided(&a, a.length - 1, -2, 4), CC_OK);
        POISONED_RIGHT(&a, "delete_strided");
        CHECK_ST(cc_numarray_repeat(&a, 3), CC_OK);
        POISONED_RIGHT(&a, "repeat");
        CHECK_ST(cc_numarray_reserve(&a, a.length + 50), CC_OK);
        POISONED_RIGHT(&a, "reserve");
        const int16_t v[] = {1, 2, 3};
        CHECK_ST(cc_numarray_append_converted(&a, CC_INT16, v, 3, &bad), CC_OK);
        POISONED_RIGHT(&a, "append_converted");
        CHECK_ST(cc_numarray_sort(&a, true), CC_OK);
        POISONED_RIGHT(&a, "sort");
        int64_t perm[512];
        for (int64_t i = 0; i < a.length; i++) perm[i] = a.length - 1 - i;
        CHECK_ST(cc_numarray_permute(&a, perm), CC_OK);
        POISONED_RIGHT(&a, "permute");
        CHECK_ST(cc_numarray_reverse(&a), CC_OK);
        POISONED_RIGHT(&a, "reverse");
        cc_numarray out;
        cc_numarray_init_like(&out, &a);
        CHECK_ST(cc_numarray_gather(&a, 1, 2, 5, &out), CC_OK);
        POISONED_RIGHT(&out, "gather output");
        POISONED_RIGHT(&a, "gather source");
        cc_numarray_reset(&out);
        CHECK_ST(cc_numarray_widen(&a, CC_INT64), CC_OK);
        POISONED_RIGHT(&a, "widen");
        CHECK_ST(cc_numarray_delete_strided(&a, 0, 1, a.length - 2), CC_OK);
        POISONED_RIGHT(&a, "delete shrinking the buffer");
        CHECK_ST(cc_numarray_shrink_to_fit(&a), CC_OK);
        POISONED_RIGHT(&a, "shrink_to_fit");
        CHECK_ST(cc_numarray_repeat(&a, 0), CC_OK);
        POISONED_RIGHT(&a, "repeat 0");
        cc_numarray_reset(&a);
        cc_numarray_reset(&src);
    }
}

TEST(regions_after_failed_growth) {
    cc_numarray a = make(CC_INT16, false, true, 8);
    for (int k = 1; k <= 3; k++) {
        test_alloc_fail_at(k);
        cc_status st = push(&a, S_INT(1));
        test_alloc_fail_at(0);
        CHECK(st == CC_ENOMEM || st == CC_OK);
        POISONED_RIGHT(&a, "append with a failed allocation");
    }
    cc_numarray_reset(&a);
}

/* ---- with snapshots (cc_buffer.h): a shared block is everyone's to read,
 * so it is unpoisoned while shared; the container's own block, once it
 * copies or takes its block back, is poisoned past the length again ---- */

static cc_status w_set(cc_numarray *a) {
    cc_scalar s = S_INT(5);
    return cc_numarray_set(a, 1, &s);
}
static cc_status w_append(cc_numarray *a) { return push(a, S_INT(3)); }
static cc_status w_insert(cc_numarray *a) {
    cc_numarray src = make(a->dtype, a->adaptive, a->nullable, 3);
    cc_status st = cc_numarray_splice(a, 2, 0, &src);
    cc_numarray_reset(&src);
    return st;
}
static cc_status w_delete(cc_numarray *a) { return cc_numarray_delete_strided(a, 0, 3, 4); }
static cc_status w_sort(cc_numarray *a) { return cc_numarray_sort(a, false); }
static cc_status w_reverse(cc_numarray *a) { return cc_numarray_reverse(a); }
static cc_status w_repeat(cc_numarray *a) { return cc_numarray_repeat(a, 2); }
static cc_status w_widen(cc_numarray *a) { return cc_numarray_widen(a, CC_INT32); }
static cc_status w_own(cc_numarray *a) { return cc_numarray_own(a); }

static const struct {
    const char *name;
    cc_status (*fn)(cc_numarray *a);
} writes[] = {{"set", w_set},         {"append", w_append},   {"insert", w_insert},
              {"delete", w_delete},   {"sort", w_sort},       {"reverse", w_reverse},
              {"repeat", w_repeat},   {"widen", w_widen},     {"own", w_own}};

TEST(regions_after_writes_of_a_shared_array) {
    for (size_t w = 0; w < sizeof writes / sizeof writes[0]; w++)
        for (int nl = 0; nl < 2; nl++)
            for (int gone = 0; gone < 2; gone++) {
                /* gone: the snapshot is released first, so the write takes
                 * the block back instead of copying it */
                cc_numarray a = make(CC_INT8, true, nl, 30), b;
                cc_numarray_init(&b, CC_INT8, false, false);
                if (!CHECK_ST(cc_numarray_share_into(&a, &b), CC_OK)) return;
                uint8_t *block = a.data;
                if (gone) cc_numarray_reset(&b);
                CHECK_ST(writes[w].fn(&a), CC_OK);
                CHECK(!cc_numarray_is_shared(&a));
                if (gone && strcmp(writes[w].name, "set") == 0) CHECK(a.data == block);
                POISONED_RIGHT(&a, writes[w].name);
                cc_numarray_reset(&a);
                cc_numarray_reset(&b);
            }
}

TEST(regions_after_failed_shares_and_copies) {
    for (int nl = 0; nl < 2; nl++) {
        /* an export whose wrapping of the blocks fails: still private */
        cc_numarray a = make(CC_INT16, false, nl, 20);
        for (int64_t k = 1;; k++) {
            CHECK_ST(cc_numarray_own(&a), CC_OK); /* sole owner: private again */
            POISONED_RIGHT(&a, "taken back");
            cc_arrow_export ex;
            cc_error err;
            test_alloc_fail_at(k);
            cc_status st = cc_arrow_export_numbers(&a, CC_INT16, &ex, &err);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            if (st == CC_OK) cc_arrow_export_reset(&ex);
            if (!a.data_share) POISONED_RIGHT(&a, "failed export");
            if (!fired) break;
        }
        cc_numarray_reset(&a);
        /* a write whose copy fails half-way (data copied, validity not) */
        for (int64_t k = 1;; k++) {
            cc_numarray c = make(CC_INT16, false, nl, 20), d;
            cc_numarray_init(&d, CC_INT8, false, false);
            if (!CHECK_ST(cc_numarray_share_into(&c, &d), CC_OK)) return;
            test_alloc_fail_at(k);
            cc_status st = w_append(&c);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            CHECK(st == CC_OK || st == CC_ENOMEM);
            if (!c.data_share) POISONED_RIGHT(&c, "failed copy");
            cc_numarray_reset(&c);
            cc_numarray_reset(&d);
            if (!fired) break;
        }
    }
}

static int death(const char *mode) {
    cc_dtype dt = strcmp(mode, "death-int8") == 0 ? CC_INT8 : CC_INT64;
    cc_numarray a = make(dt, false, false, 3);
    if (a.length != 3 || a.capacity != 4) {
        printf("setup: length %" PRId64 ", capacity %" PRId64 " (expected 3, 4)\n", a.length,
               a.capacity);
        return 0; /* exit 0: the should_fail test then reports an unexpected pass */
    }
    printf("%s: writing slot 3 of %s (length 3, capacity 4); ASan must stop this\n", mode,
           dt_name(dt));
    fflush(stdout);
    if (dt == CC_INT8) {
        volatile int8_t *p = (volatile int8_t *)(void *)a.data;
        p[3] = 42;
    } else {
        volatile int64_t *p = (volatile int64_t *)(void *)a.data;
        p[3] = 42;
    }
    printf("NOT CAUGHT: the spare capacity is not poisoned\n");
    cc_numarray_reset(&a);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strncmp(argv[1], "death-", 6) == 0) return death(argv[1]);
    return test_main(argc, argv);
}

#else /* not built with AddressSanitizer */

int main(void) {
    printf("test_poison: not built with AddressSanitizer; nothing to check\n");
    return 77; /* meson: skipped */
}

#endif
