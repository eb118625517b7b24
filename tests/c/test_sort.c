/* test_sort.c -- sort against a stable reference (qsort of (value, original
 * index) pairs) for every dtype, and the unboxed searches: find / count with
 * exact needles, first_difference.
 *
 * The reference order is Python's list.sort with pandas' NaN rule: numbers
 * ascending (descending with reverse), equal numbers -- -0.0 and 0.0 among
 * them -- in their original order in both directions, then NaNs in their
 * original order, then nulls.  Results are compared bit for bit, so the
 * signs of zeros and NaN payloads must survive. */
#include "test_util.h"

/* --- building arrays --------------------------------------------------------- */

static double random_float(test_rng *r) {
    static const double specials[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, INFINITY, -INFINITY,
                                      1e-310, -1e-310, 1e300, -1e300, 3.4e38, -3.4e38,
                                      2.5, 2.5, 7.0};
    switch (rng_range(r, 0, 5)) {
    case 0: return specials[rng_range(r, 0, sizeof specials / sizeof specials[0] - 1)];
    case 1: return (double)rng_range(r, -20, 20);
    case 2: return (double)rng_range(r, -1000000, 1000000) / 64.0;
    case 3: {
        uint64_t bits = rng_next(r);
        double d;
        memcpy(&d, &bits, 8);
        return isnan(d) ? 1.25 : d;
    }
    default: return ldexp((double)rng_range(r, -1000, 1000), (int)rng_range(r, -80, 80));
    }
}

/* A NaN with a random payload and sign. */
static void put_nan(test_rng *r, cc_numarray *a, int64_t i) {
    if (a->dtype == CC_FLOAT64) {
        uint64_t bits = 0x7ff8000000000000ull | (rng_next(r) & 0x0007ffffffffffffull);
        if (rng_chance(r, 50)) bits |= 1ull << 63;
        memcpy(a->data + i * 8, &bits, 8);
    } else {
        uint32_t bits = 0x7fc00000u | ((uint32_t)rng_next(r) & 0x003fffffu);
        if (rng_chance(r, 50)) bits |= 1u << 31;
        memcpy(a->data + i * 4, &bits, 4);
    }
}

static int64_t random_int_for(test_rng *r, cc_dtype dt, int range_kind) {
    int64_t lo;
    uint64_t hi;
    dt_range(dt, &lo, &hi);
    if (range_kind == 0) { /* few distinct values: lots of ties */
        int64_t v = rng_range(r, -3, 3);
        return v < lo ? -v : v;
    }
    if (range_kind == 1) { /* near zero, both signs */
        int64_t v = rng_range(r, -300, 300);
        if (v < lo) v = -v;
        if ((uint64_t)v > hi && v > 0) v = (int64_t)hi;
        return v;
    }
    if (hi > (uint64_t)INT64_MAX) return (int64_t)rng_next(r); /* uint64: any bits */
    return rng_range(r, lo, (int64_t)hi);
}

/* Random array of n elements of dt (nullable: ~20% nulls; floats: NaNs). */
static bool random_array(test_rng *r, cc_numarray *a, cc_dtype dt, bool nullable, int64_t n,
                         int range_kind) {
    cc_numarray_init(a, dt, false, nullable);
    for (int64_t i = 0; i < n; i++) {
        cc_scalar s;
        bool nan = false;
        if (nullable && rng_chance(r, 20)) s = S_NULL();
        else if (dt_is_float(dt)) {
            nan = rng_chance(r, 10);
            s = S_FLOAT(range_kind == 0 ? (double)rng_range(r, -2, 2) * (rng_chance(r, 50) ? 1 : -1) * 0.5
                                        : random_float(r));
            if (range_kind == 0 && s.v.f == 0 && rng_chance(r, 50)) s.v.f = -0.0;
            if (dt == CC_FLOAT32 && isinf((float)s.v.f) && !isinf(s.v.f)) s.v.f = 1.0;
        } else if (dt == CC_BOOL) s = S_BOOL(rng_chance(r, 50));
        else if (dt == CC_UINT64) {
            uint64_t u = (uint64_t)random_int_for(r, dt, range_kind);
            s = range_kind == 2 ? S_UINT(u) : S_INT((int64_t)(u & 0x7fffffff));
        } else s = S_INT(random_int_for(r, dt, range_kind));
        if (!CHECK_ST(push(a, s), CC_OK)) return false;
        if (nan) put_nan(r, a, i);
    }
    return true;
}

/* --- reference sort ------------------------------------------------------------ */

typedef struct item {
    int64_t index;
    bool valid, nan;
    cc_scalar value;
    uint8_t bits[CC_MAX_ITEMSIZE];
} item;

static bool ref_reverse;

static int item_cmp(const void *pa, const void *pb) {
    const item *a = pa, *b = pb;
    int ra = !a->valid ? 2 : a->nan ? 1 : 0, rb = !b->valid ? 2 : b->nan ? 1 : 0;
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra == 0) {
        int c;
        if (a->value.kind == CC_SCALAR_FLOAT)
            c = a->value.v.f < b->value.v.f ? -1 : a->value.v.f > b->value.v.f ? 1 : 0;
        else if (a->value.kind == CC_SCALAR_UINT || b->value.kind == CC_SCALAR_UINT) {
            uint64_t x = a->value.kind == CC_SCALAR_UINT ? a->value.v.u : (uint64_t)a->value.v.i;
            uint64_t y = b->value.kind == CC_SCALAR_UINT ? b->value.v.u : (uint64_t)b->value.v.i;
            c = x < y ? -1 : x > y ? 1 : 0;
        } else
            c = a->value.v.i < b->value.v.i ? -1 : a->value.v.i > b->value.v.i ? 1 : 0;
        if (c) return ref_reverse ? -c : c;
    }
    return a->index < b->index ? -1 : 1; /* stable, in both directions */
}

/* Sorts a and checks it bit for bit against the reference. */
static bool sort_and_check(cc_numarray *a, bool reverse, const char *ctx) {
    int size = cc_numarray_itemsize(a);
    int64_t n = a->length;
    item *items = malloc((size_t)(n + 1) * sizeof *items);
    for (int64_t i = 0; i < n; i++) {
        items[i].index = i;
        items[i].valid = cc_numarray_is_valid(a, i);
        memset(items[i].bits, 0, sizeof items[i].bits);
        memcpy(items[i].bits, slot_ptr(a, i), (size_t)size);
        cc_numarray_get(a, i, &items[i].value);
        items[i].nan = items[i].valid && items[i].value.kind == CC_SCALAR_FLOAT &&
                       isnan(items[i].value.v.f);
    }
    ref_reverse = reverse;
    qsort(items, (size_t)n, sizeof *items, item_cmp);
    int64_t nulls = a->null_count;
    cc_status st = cc_numarray_sort(a, reverse);
    bool ok = CHECK_MSG(st == CC_OK, "%s: sort returned %s", ctx, status_name(st));
    ok = ok && CHECK_EQ(a->length, n) && CHECK_EQ(a->null_count, nulls);
    for (int64_t i = 0; ok && i < n; i++) {
        bool valid = cc_numarray_is_valid(a, i);
        if (valid != items[i].valid)
            ok = CHECK_MSG(false, "%s: [%" PRId64 "] validity %d, expected %d", ctx, i, valid,
                           items[i].valid);
        else if (valid && memcmp(slot_ptr(a, i), items[i].bits, (size_t)size) != 0) {
            cc_scalar got;
            cc_numarray_get(a, i, &got);
            ok = CHECK_MSG(false, "%s: [%" PRId64 "] = %" PRId64 "/%a, expected %" PRId64 "/%a "
                           "(original index %" PRId64 ")", ctx, i, got.v.i, got.v.f,
                           items[i].value.v.i, items[i].value.v.f, items[i].index);
        }
    }
    free(items);
    return ok && CHECK_SANE(a);
}

TEST(sort_every_dtype_vs_reference) {
    test_rng r;
    rng_seed(&r, test_seed() + 100);
    static const int64_t sizes[] = {0, 1, 2, 3, 7, 16, 33, 100, 257, 1000, 3000};
    for (int dt = 0; dt < CC_NUM_DTYPES; dt++)
        for (int nl = 0; nl < 2; nl++)
            for (int rev = 0; rev < 2; rev++)
                for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
                    for (int range_kind = 0; range_kind < 3; range_kind++) {
                        cc_numarray a;
                        char ctx[128];
                        snprintf(ctx, sizeof ctx, "%s%s n=%" PRId64 " range %d%s",
                                 dt_name((cc_dtype)dt), nl ? " nullable" : "", sizes[si],
                                 range_kind, rev ? " reverse" : "");
                        bool ok = random_array(&r, &a, (cc_dtype)dt, nl, sizes[si], range_kind) &&
                                  sort_and_check(&a, rev, ctx);
                        cc_numarray_reset(&a);
                        if (!ok) return;
                    }
}

TEST(sort_adaptive_widths) {
    test_rng r;
    rng_seed(&r, test_seed() + 101);
    for (int w = CC_INT8; w <= CC_INT64; w++) {
        cc_numarray a;
        cc_numarray_init(&a, (cc_dtype)w, true, true);
        for (int i = 0; i < 500; i++)
            PUSH_OK(&a, rng_chance(&r, 10) ? S_NULL() : S_INT(random_int_for(&r, (cc_dtype)w, 2)));
        sort_and_check(&a, w % 2 == 1, dt_name((cc_dtype)w));
        cc_numarray_reset(&a);
    }
}

TEST(sort_float_specials) {
    for (cc_dtype dt = CC_FLOAT32; dt <= CC_FLOAT64; dt++)
        for (int rev = 0; rev < 2; rev++) {
            cc_numarray a;
            cc_numarray_init(&a, dt, false, true);
            const double vals[] = {0.0, NAN, -0.0, 3.0, -INFINITY, 0.0, NAN, -0.0,
                                   INFINITY, -3.0, 0.0, -0.0};
            for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
                PUSH_OK(&a, S_FLOAT(vals[k]));
                if (k == 4) PUSH_OK(&a, S_NULL());
            }
            /* expected: numbers (zeros in input sign order), NaNs, null */
            CHECK(sort_and_check(&a, rev, rev ? "specials reverse" : "specials"));
            cc_scalar s;
            cc_numarray_get(&a, a.length - 1, &s);
            CHECK(s.kind == CC_SCALAR_NULL);
            cc_numarray_get(&a, a.length - 2, &s);
            CHECK(s.kind == CC_SCALAR_FLOAT && isnan(s.v.f));
            cc_numarray_get(&a, rev ? 0 : a.length - 4, &s);
            CHECK(s.kind == CC_SCALAR_FLOAT && s.v.f == INFINITY);
            /* zero run keeps the input's sign order: +, -, +, -, +, - */
            int64_t z = 0;
            while (z < a.length) {
                cc_numarray_get(&a, z, &s);
                if (s.kind == CC_SCALAR_FLOAT && s.v.f == 0) break;
                z++;
            }
            for (int k = 0; k < 6; k++) {
                cc_numarray_get(&a, z + k, &s);
                CHECK_MSG(s.v.f == 0 && !signbit(s.v.f) == (k % 2 == 0), "zero %d sign", k);
            }
            cc_numarray_reset(&a);
        }
}

TEST(sort_all_nulls_and_tiny) {
    cc_numarray a;
    cc_numarray_init(&a, CC_INT32, false, true);
    for (int i = 0; i < 5; i++) PUSH_OK(&a, S_NULL());
    CHECK(sort_and_check(&a, false, "all nulls"));
    cc_numarray_reset(&a);
    cc_numarray_init(&a, CC_FLOAT64, false, false);
    for (int i = 0; i < 5; i++) PUSH_OK(&a, S_FLOAT(NAN));
    CHECK(sort_and_check(&a, true, "all NaN"));
    cc_numarray_reset(&a);
    cc_numarray_init(&a, CC_UINT8, false, false);
    CHECK_ST(cc_numarray_sort(&a, false), CC_OK); /* empty */
    PUSH_OK(&a, S_INT(3));
    CHECK_ST(cc_numarray_sort(&a, true), CC_OK);
    CHECK_EQ(a.length, 1);
    cc_numarray_reset(&a);
}

/* --- find / count ---------------------------------------------------------------- */

static int64_t ref_find(const cc_numarray *a, cc_scalar x, int64_t start, int64_t stop) {
    if (start < 0) start = 0;
    if (stop > a->length) stop = a->length;
    for (int64_t i = start; i < stop; i++) {
        cc_scalar e;
        cc_numarray_get(a, i, &e);
        if (oracle_compare(e, x) == 0) return i;
    }
    return -1;
}

static int64_t ref_count(const cc_numarray *a, cc_scalar x) {
    int64_t c = 0;
    for (int64_t i = 0; i < a->length; i++) {
        cc_scalar e;
        cc_numarray_get(a, i, &e);
        c += oracle_compare(e, x) == 0;
    }
    return c;
}

static cc_scalar random_needle(test_rng *r, const cc_numarray *a) {
    if (a->length && rng_chance(r, 40)) { /* an element, in some other kind */
        cc_scalar e;
        cc_numarray_get(a, rng_range(r, 0, a->length - 1), &e);
        if (e.kind == CC_SCALAR_INT && rng_chance(r, 40)) return S_FLOAT((double)e.v.i);
        if (e.kind == CC_SCALAR_BOOL && rng_chance(r, 50)) return S_INT(e.v.i);
        if (e.kind == CC_SCALAR_FLOAT && e.v.f == trunc(e.v.f) && fabs(e.v.f) < 1e18 &&
            rng_chance(r, 40))
            return S_INT((int64_t)e.v.f);
        return e;
    }
    static const double fl[] = {3.0, 0.1, -0.0, 0.5, 1e300, 256.0, -1.0, 9007199254740992.0,
                                18446744073709551616.0, 9223372036854775808.0, -129.0};
    switch (rng_range(r, 0, 7)) {
    case 0: return S_NULL();
    case 1: return S_FLOAT(NAN);
    case 2: return S_FLOAT(fl[rng_range(r, 0, sizeof fl / sizeof fl[0] - 1)]);
    case 3: return S_UINT(UINT64_MAX - (uint64_t)rng_range(r, 0, 1));
    case 4: return S_BOOL(rng_chance(r, 50));
    case 5: return S_INT((1LL << 53) + 1);
    case 6: return S_INT(rng_range(r, -3, 3));
    default: return S_INT((int64_t)rng_next(r));
    }
}

TEST(find_count_vs_reference) {
    test_rng r;
    rng_seed(&r, test_seed() + 200);
    for (int dt = 0; dt < CC_NUM_DTYPES; dt++)
        for (int nl = 0; nl < 2; nl++)
            for (int rep = 0; rep < 20; rep++) {
                cc_numarray a;
                int64_t n = rng_range(&r, 0, rep < 10 ? 20 : 300);
                if (!random_array(&r, &a, (cc_dtype)dt, nl, n, (int)rng_range(&r, 0, 2))) return;
                for (int q = 0; q < 60; q++) {
                    cc_scalar x = random_needle(&r, &a);
                    int64_t start = rng_range(&r, -5, n + 2), stop = rng_range(&r, -2, n + 5);
                    if (rng_chance(&r, 30)) start = 0, stop = INT64_MAX;
                    int64_t got = cc_numarray_find(&a, &x, start, stop);
                    int64_t want = ref_find(&a, x, start, stop);
                    int64_t got_c = cc_numarray_count(&a, &x), want_c = ref_count(&a, x);
                    if (!CHECK_MSG(got == want && got_c == want_c,
                                   "%s%s n=%" PRId64 ": needle kind %d %016" PRIx64
                                   " in [%" PRId64 ", %" PRId64 "): find %" PRId64 " (want %" PRId64
                                   "), count %" PRId64 " (want %" PRId64 ")",
                                   dt_name((cc_dtype)dt), nl ? " nullable" : "", n, x.kind, x.v.u,
                                   start, stop, got, want, got_c, want_c)) {
                        cc_numarray_reset(&a);
                        return;
                    }
                }
                cc_numarray_reset(&a);
            }
}

TEST(find_needle_exactness) {
    cc_numarray ints, f32, f64, u64, nul, b;
    cc_numarray_init(&ints, CC_INT8, false, false);
    for (int i = 0; i < 6; i++) PUSH_OK(&ints, S_INT(i));
    cc_scalar x = S_FLOAT(3.0);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), 3); /* 3.0 finds 3 */
    CHECK_EQ(cc_numarray_count(&ints, &x), 1);
    x = S_FLOAT(3.5);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), -1);
    x = S_FLOAT(-0.0);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), 0);
    x = S_FLOAT(259.0); /* would wrap to 3 in int8 */
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), -1);
    x = S_INT(259);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), -1);
    x = S_BOOL(true);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), 1);
    x = S_FLOAT(NAN);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), -1);
    x = S_NULL();
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 6), -1);
    CHECK_EQ(cc_numarray_count(&ints, &x), 0);
    x = S_INT(4);
    CHECK_EQ(cc_numarray_find(&ints, &x, 5, 6), -1); /* bounds respected */
    CHECK_EQ(cc_numarray_find(&ints, &x, -3, 100), 4);
    CHECK_EQ(cc_numarray_find(&ints, &x, 0, 4), -1);

    cc_numarray_init(&f32, CC_FLOAT32, false, false);
    PUSH_OK(&f32, S_FLOAT(0.1)); /* stored as the float32 nearest 0.1 */
    PUSH_OK(&f32, S_INT(16777216));
    x = S_FLOAT(0.1);
    CHECK_EQ(cc_numarray_find(&f32, &x, 0, 2), -1); /* no float32 equals 0.1 */
    CHECK_EQ(cc_numarray_count(&f32, &x), 0);
    x = S_FLOAT((double)0.1f);
    CHECK_EQ(cc_numarray_find(&f32, &x, 0, 2), 0);
    x = S_INT(16777217); /* rounds to 16777216 in float32, but is not equal */
    CHECK_EQ(cc_numarray_find(&f32, &x, 0, 2), -1);
    x = S_INT(16777216);
    CHECK_EQ(cc_numarray_find(&f32, &x, 0, 2), 1);

    cc_numarray_init(&f64, CC_FLOAT64, false, false);
    PUSH_OK(&f64, S_FLOAT(9007199254740992.0));
    PUSH_OK(&f64, S_FLOAT(NAN));
    PUSH_OK(&f64, S_FLOAT(0.1));
    x = S_INT((1LL << 53) + 1);
    CHECK_EQ(cc_numarray_find(&f64, &x, 0, 3), -1);
    x = S_INT(1LL << 53);
    CHECK_EQ(cc_numarray_find(&f64, &x, 0, 3), 0);
    x = S_FLOAT(NAN);
    CHECK_EQ(cc_numarray_find(&f64, &x, 0, 3), -1); /* NaN never equals */
    CHECK_EQ(cc_numarray_count(&f64, &x), 0);
    x = S_FLOAT(0.1);
    CHECK_EQ(cc_numarray_find(&f64, &x, 0, 3), 2);

    cc_numarray_init(&u64, CC_UINT64, false, false);
    PUSH_OK(&u64, S_UINT(UINT64_MAX));
    PUSH_OK(&u64, S_UINT(1ull << 63));
    x = S_UINT(UINT64_MAX);
    CHECK_EQ(cc_numarray_find(&u64, &x, 0, 2), 0);
    x = S_FLOAT(18446744073709551616.0); /* 2**64 is not UINT64_MAX */
    CHECK_EQ(cc_numarray_find(&u64, &x, 0, 2), -1);
    x = S_FLOAT(9223372036854775808.0);
    CHECK_EQ(cc_numarray_find(&u64, &x, 0, 2), 1);
    x = S_INT(-1);
    CHECK_EQ(cc_numarray_find(&u64, &x, 0, 2), -1);

    cc_numarray_init(&nul, CC_INT32, false, true);
    PUSH_OK(&nul, S_INT(5));
    PUSH_OK(&nul, S_NULL()); /* holds 0 underneath */
    PUSH_OK(&nul, S_INT(0));
    PUSH_OK(&nul, S_NULL());
    x = S_INT(0);
    CHECK_EQ(cc_numarray_find(&nul, &x, 0, 4), 2); /* a null is not 0 */
    CHECK_EQ(cc_numarray_count(&nul, &x), 1);
    x = S_FLOAT(-0.0);
    CHECK_EQ(cc_numarray_count(&nul, &x), 1);
    x = S_BOOL(false);
    CHECK_EQ(cc_numarray_count(&nul, &x), 1);
    x = S_NULL();
    CHECK_EQ(cc_numarray_find(&nul, &x, 0, 4), 1);
    CHECK_EQ(cc_numarray_find(&nul, &x, 2, 4), 3);
    CHECK_EQ(cc_numarray_count(&nul, &x), 2);

    cc_numarray_init(&b, CC_BOOL, false, false);
    PUSH_OK(&b, S_BOOL(false));
    PUSH_OK(&b, S_BOOL(true));
    x = S_FLOAT(1.0);
    CHECK_EQ(cc_numarray_find(&b, &x, 0, 2), 1);
    x = S_INT(2);
    CHECK_EQ(cc_numarray_find(&b, &x, 0, 2), -1);
    CHECK_EQ(cc_numarray_count(&b, &x), 0);

    cc_numarray_reset(&ints);
    cc_numarray_reset(&f32);
    cc_numarray_reset(&f64);
    cc_numarray_reset(&u64);
    cc_numarray_reset(&nul);
    cc_numarray_reset(&b);
}

/* --- first_difference ----------------------------------------------------------- */

static int64_t ref_first_difference(const cc_numarray *a, const cc_numarray *b) {
    int64_t n = a->length < b->length ? a->length : b->length;
    for (int64_t i = 0; i < n; i++) {
        cc_scalar x, y;
        cc_numarray_get(a, i, &x);
        cc_numarray_get(b, i, &y);
        if (oracle_compare(x, y) != 0) return i;
    }
    return -1;
}

TEST(first_difference_vs_reference) {
    test_rng r;
    rng_seed(&r, test_seed() + 300);
    for (int iter = 0; iter < 3000; iter++) {
        cc_dtype da = (cc_dtype)rng_range(&r, 0, CC_NUM_DTYPES - 1);
        cc_dtype db = rng_chance(&r, 60) ? da : (cc_dtype)rng_range(&r, 0, CC_NUM_DTYPES - 1);
        int64_t n = rng_range(&r, 0, 40);
        cc_numarray a, b;
        if (!random_array(&r, &a, da, false, n, 0)) return;
        /* b: a's values converted where they fit, then a few changes */
        cc_numarray_init(&b, db, false, false);
        int64_t m = n + rng_range(&r, -3, 3);
        if (m < 0) m = 0;
        for (int64_t i = 0; i < m; i++) {
            cc_scalar s;
            if (i < n && !rng_chance(&r, 5)) cc_numarray_get(&a, i, &s);
            else s = S_INT(rng_range(&r, 0, 1));
            if (cc_numarray_append(&b, &s) != CC_OK) {
                s = S_INT(1);
                if (!CHECK_ST(push(&b, s), CC_OK)) return;
            }
        }
        int64_t got = cc_numarray_first_difference(&a, &b);
        int64_t want = ref_first_difference(&a, &b);
        bool ok = CHECK_MSG(got == want, "%s vs %s: %" PRId64 ", expected %" PRId64, dt_name(da),
                            dt_name(db), got, want);
        ok = ok && CHECK_EQ(cc_numarray_first_difference(&b, &a), want);
        cc_numarray_reset(&a);
        cc_numarray_reset(&b);
        if (!ok) return;
    }
}

TEST(first_difference_cases) {
    cc_numarray a, b;
    cc_numarray_init(&a, CC_FLOAT64, false, false);
    cc_numarray_init(&b, CC_FLOAT64, false, false);
    CHECK_EQ(cc_numarray_first_difference(&a, &b), -1);
    PUSH_OK(&a, S_FLOAT(0.0));
    PUSH_OK(&b, S_FLOAT(-0.0));
    CHECK_EQ(cc_numarray_first_difference(&a, &b), -1); /* -0.0 == 0.0 */
    PUSH_OK(&a, S_FLOAT(NAN));
    PUSH_OK(&b, S_FLOAT(NAN));
    CHECK_EQ(cc_numarray_first_difference(&a, &b), 1); /* NaN != NaN */
    cc_numarray_reset(&b);
    cc_numarray_init(&b, CC_INT64, false, false);
    PUSH_OK(&b, S_INT(0));
    CHECK_EQ(cc_numarray_first_difference(&a, &b), -1); /* shorter: prefix equal */
    PUSH_OK(&b, S_INT(0));
    CHECK_EQ(cc_numarray_first_difference(&a, &b), 1);
    cc_numarray_reset(&a);
    cc_numarray_reset(&b);
    cc_numarray_init(&a, CC_INT64, false, false);
    cc_numarray_init(&b, CC_FLOAT64, false, false);
    PUSH_OK(&a, S_INT((1LL << 53) + 1));
    PUSH_OK(&b, S_FLOAT(9007199254740992.0));
    CHECK_EQ(cc_numarray_first_difference(&a, &b), 0); /* exact, no rounding */
    cc_numarray_reset(&a);
    cc_numarray_reset(&b);
}

/* decimal128 values beyond 64 bits (the core's two-word radix sort): the
 * in-place sort and sort_order against a stable insertion sort. */
static cc_int128 random_wide(test_rng *r) {
    switch (rng_range(r, 0, 3)) {
    case 0: return rng_range(r, -3, 3); /* ties */
    case 1: return (cc_int128)(int64_t)rng_next(r);
    default: {
        unsigned __int128 bits = (unsigned __int128)rng_next(r) << 64 | rng_next(r);
        cc_int128 w = (cc_int128)(bits % (unsigned __int128)CC_DECIMAL128_MAX);
        return rng_chance(r, 50) ? w : -w;
    }
    }
}

typedef struct {
    bool valid;
    cc_int128 v;
    int64_t row;
} wide_item;

/* a before b in the order cc_numarray_sort gives: values, then nulls */
static bool wide_before(const wide_item *a, const wide_item *b, bool reverse) {
    if (a->valid != b->valid) return a->valid;
    if (!a->valid) return false;
    return reverse ? a->v > b->v : a->v < b->v;
}

TEST(sort_decimal128_wide_values) {
    test_rng r;
    rng_seed(&r, test_seed() + 128);
    for (int rep = 0; rep < 60; rep++) {
        bool nullable = rep % 2, reverse = rep % 4 >= 2;
        int64_t n = rng_range(&r, 0, rep < 30 ? 12 : 300);
        cc_numarray a;
        cc_numarray_init(&a, CC_DEC128, false, nullable);
        wide_item *ref = malloc((size_t)(n + 1) * sizeof *ref);
        int64_t *order = malloc((size_t)(n + 1) * sizeof *order);
        for (int64_t i = 0; i < n; i++) {
            cc_int128 w = random_wide(&r);
            bool valid = !nullable || rng_chance(&r, 80);
            cc_scalar s = !valid ? S_NULL()
                          : w >= INT64_MIN && w <= INT64_MAX ? S_INT((int64_t)w)
                                                             : (cc_scalar){.kind = CC_SCALAR_WIDE, .v.w = w};
            PUSH_OK(&a, s);
            ref[i] = (wide_item){valid, valid ? w : 0, i};
        }
        for (int64_t i = 1; i < n; i++) /* stable insertion sort */
            for (int64_t j = i; j > 0 && wide_before(&ref[j], &ref[j - 1], reverse); j--) {
                wide_item t = ref[j];
                ref[j] = ref[j - 1];
                ref[j - 1] = t;
            }
        for (int64_t i = 0; i < n; i++) order[i] = i;
        CHECK_ST(cc_numarray_sort_order(&a, NULL, 0, reverse, order, n), CC_OK);
        for (int64_t i = 0; i < n; i++)
            if (!CHECK_MSG(order[i] == ref[i].row, "rep %d: order[%" PRId64 "] = %" PRId64
                           ", expected %" PRId64, rep, i, order[i], ref[i].row))
                break;
        CHECK_ST(cc_numarray_sort(&a, reverse), CC_OK);
        const cc_int128 *v = (const cc_int128 *)(const void *)a.data;
        for (int64_t i = 0; i < n; i++)
            if (!CHECK_MSG(cc_numarray_is_valid(&a, i) == ref[i].valid &&
                               (!ref[i].valid || v[i] == ref[i].v),
                           "rep %d: [%" PRId64 "] differs from the reference", rep, i))
                break;
        free(ref);
        free(order);
        cc_numarray_reset(&a);
    }
}

int main(int argc, char **argv) { return test_main(argc, argv); }
