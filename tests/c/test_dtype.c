/* test_dtype.c -- the dtype table, checked stores at every edge, loads,
 * exact scalar comparison, and the size helpers of cc_common.h. */
#include "test_util.h"

TEST(dtype_table) {
    static const struct {
        cc_dtype dt;
        const char *name, *format;
        int itemsize;
        cc_kind kind;
    } want[] = {
        {CC_INT8, "int8", "b", 1, CC_KIND_SIGNED},
        {CC_INT16, "int16", "h", 2, CC_KIND_SIGNED},
        {CC_INT32, "int32", "i", 4, CC_KIND_SIGNED},
        {CC_INT64, "int64", "q", 8, CC_KIND_SIGNED},
        {CC_UINT8, "uint8", "B", 1, CC_KIND_UNSIGNED},
        {CC_UINT16, "uint16", "H", 2, CC_KIND_UNSIGNED},
        {CC_UINT32, "uint32", "I", 4, CC_KIND_UNSIGNED},
        {CC_UINT64, "uint64", "Q", 8, CC_KIND_UNSIGNED},
        {CC_FLOAT32, "float32", "f", 4, CC_KIND_FLOAT},
        {CC_FLOAT64, "float64", "d", 8, CC_KIND_FLOAT},
        {CC_BOOL, "bool", "?", 1, CC_KIND_BOOL},
        {CC_TS_S, "datetime64[s]", "q", 8, CC_KIND_SIGNED},
        {CC_TS_MS, "datetime64[ms]", "q", 8, CC_KIND_SIGNED},
        {CC_TS_US, "datetime64[us]", "q", 8, CC_KIND_SIGNED},
        {CC_TS_NS, "datetime64[ns]", "q", 8, CC_KIND_SIGNED},
        {CC_TD_S, "timedelta64[s]", "q", 8, CC_KIND_SIGNED},
        {CC_TD_MS, "timedelta64[ms]", "q", 8, CC_KIND_SIGNED},
        {CC_TD_US, "timedelta64[us]", "q", 8, CC_KIND_SIGNED},
        {CC_TD_NS, "timedelta64[ns]", "q", 8, CC_KIND_SIGNED},
        {CC_DATE32, "date32", "i", 4, CC_KIND_SIGNED},
        {CC_TIME_US, "time64[us]", "q", 8, CC_KIND_SIGNED},
        {CC_TIME_NS, "time64[ns]", "q", 8, CC_KIND_SIGNED},
        {CC_DEC128, "decimal128", "", 16, CC_KIND_DECIMAL},
    };
    CHECK_EQ(sizeof want / sizeof want[0], CC_NUM_DTYPES);
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const cc_dtype_info *info = cc_dtype_get(want[k].dt);
        CHECK(strcmp(info->name, want[k].name) == 0);
        CHECK(strcmp(info->format, want[k].format) == 0);
        CHECK_EQ(info->itemsize, want[k].itemsize);
        CHECK_EQ(info->kind, want[k].kind);
        cc_dtype got = CC_NUM_DTYPES;
        CHECK_ST(cc_dtype_from_name(want[k].name, &got), CC_OK);
        CHECK_EQ(got, want[k].dt);
        CHECK_EQ(cc_dtype_is_temporal(want[k].dt), want[k].dt > CC_BOOL && want[k].dt != CC_DEC128);
        CHECK_EQ(cc_dtype_is_coded(want[k].dt), want[k].dt > CC_BOOL);
        /* a buffer's format names the number type, never a temporal one;
         * a decimal128 has none */
        got = CC_NUM_DTYPES;
        if (want[k].dt == CC_DEC128) {
            CHECK_ST(cc_dtype_from_format(want[k].format, want[k].itemsize, &got), CC_EINVAL);
            continue;
        }
        CHECK_ST(cc_dtype_from_format(want[k].format, want[k].itemsize, &got), CC_OK);
        CHECK_EQ(got, want[k].dt > CC_BOOL ? (want[k].itemsize == 4 ? CC_INT32 : CC_INT64)
                                           : want[k].dt);
        int64_t lo;
        uint64_t hi;
        dt_range(want[k].dt, &lo, &hi);
        if (info->kind != CC_KIND_FLOAT) {
            CHECK_EQ(info->min, lo);
            CHECK(info->max == hi);
        }
    }
    cc_dtype got;
    CHECK_ST(cc_dtype_from_name("int", &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_name("", &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_name("float16", &got), CC_EINVAL);
}

TEST(dtype_from_format) {
    cc_dtype got;
    const bool little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    CHECK_ST(cc_dtype_from_format("=q", 8, &got), CC_OK);
    CHECK_EQ(got, CC_INT64);
    CHECK_ST(cc_dtype_from_format("@d", 8, &got), CC_OK);
    CHECK_EQ(got, CC_FLOAT64);
    CHECK_ST(cc_dtype_from_format(little ? "<i" : ">i", 4, &got), CC_OK);
    CHECK_EQ(got, CC_INT32);
    CHECK_ST(cc_dtype_from_format(little ? ">i" : "<i", 4, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("l", 8, &got), CC_OK);
    CHECK_EQ(got, CC_INT64);
    CHECK_ST(cc_dtype_from_format("l", 4, &got), CC_OK);
    CHECK_EQ(got, CC_INT32);
    CHECK_ST(cc_dtype_from_format("N", 8, &got), CC_OK);
    CHECK_EQ(got, CC_UINT64);
    CHECK_ST(cc_dtype_from_format("c", 1, &got), CC_OK);
    CHECK_EQ(got, CC_UINT8);
    CHECK_ST(cc_dtype_from_format("|?", 1, &got), CC_OK);
    CHECK_EQ(got, CC_BOOL);
    CHECK_ST(cc_dtype_from_format("q", 4, &got), CC_EINVAL); /* itemsize disagrees */
    CHECK_ST(cc_dtype_from_format("", 8, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("=", 8, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("qq", 8, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("2q", 8, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("e", 2, &got), CC_EINVAL);
    CHECK_ST(cc_dtype_from_format("O", 8, &got), CC_EINVAL);
}

TEST(int_width_for) {
    static const struct { int64_t v; cc_dtype w; } cases[] = {
        {0, CC_INT8}, {127, CC_INT8}, {-128, CC_INT8}, {128, CC_INT16},
        {-129, CC_INT16}, {32767, CC_INT16}, {-32768, CC_INT16}, {32768, CC_INT32},
        {-32769, CC_INT32}, {INT32_MAX, CC_INT32}, {INT32_MIN, CC_INT32},
        {(int64_t)INT32_MAX + 1, CC_INT64}, {(int64_t)INT32_MIN - 1, CC_INT64},
        {INT64_MAX, CC_INT64}, {INT64_MIN, CC_INT64},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        CHECK_MSG(cc_dtype_int_width_for(cases[k].v) == cases[k].w, "width of %" PRId64,
                  cases[k].v);
}

/* Stores s into dt expecting `want`; on success loads it back and checks the
 * value is s (integers) or the rounded float. */
static void store_case(cc_dtype dt, cc_scalar s, cc_status want, int line) {
    uint8_t buf[16];
    memset(buf, 0xA5, sizeof buf);
    cc_status got = cc_dtype_store(dt, &s, buf);
    if (got != want) {
        test_fail(__FILE__, line, "store into %s of kind %d value %" PRId64 "/%a: %s, expected %s",
                  dt_name(dt), s.kind, s.v.i, s.v.f, status_name(got), status_name(want));
        return;
    }
    int size = cc_dtype_itemsize(dt);
    if (got != CC_OK) {
        for (int k = 0; k < 16; k++)
            if (buf[k] != 0xA5) {
                test_fail(__FILE__, line, "a failed store into %s wrote byte %d", dt_name(dt), k);
                return;
            }
        return;
    }
    for (int k = size; k < 16; k++)
        if (buf[k] != 0xA5) {
            test_fail(__FILE__, line, "store into %s wrote past its %d bytes", dt_name(dt), size);
            return;
        }
    cc_scalar back;
    cc_dtype_load(dt, buf, &back);
    if (dt_is_float(dt)) {
        double want_f = s.kind == CC_SCALAR_FLOAT ? s.v.f
                        : s.kind == CC_SCALAR_UINT ? (double)s.v.u : (double)s.v.i;
        if (dt == CC_FLOAT32) want_f = (double)(float)want_f;
        CHECK_MSG(back.kind == CC_SCALAR_FLOAT, "load of %s is not a float", dt_name(dt));
        bool same = isnan(want_f) ? isnan(back.v.f)
                                  : back.v.f == want_f && !signbit(back.v.f) == !signbit(want_f);
        CHECK_MSG(same, "line %d: %s stored %a, loaded %a", line, dt_name(dt), want_f, back.v.f);
    } else if (dt == CC_BOOL) {
        CHECK_MSG(back.kind == CC_SCALAR_BOOL && back.v.i == s.v.i, "line %d: bool round trip",
                  line);
    } else {
        CHECK_MSG(back.kind == (s.kind == CC_SCALAR_BOOL ? CC_SCALAR_INT : s.kind) &&
                      back.v.i == s.v.i,
                  "line %d: %s round trip of %" PRId64 " gave kind %d %" PRId64, line,
                  dt_name(dt), s.v.i, back.kind, back.v.i);
    }
}
#define STORE(dt, s, want) store_case((dt), (s), (want), __LINE__)

TEST(store_integer_edges) {
    static const cc_dtype ints[] = {CC_INT8, CC_INT16, CC_INT32, CC_INT64,
                                    CC_UINT8, CC_UINT16, CC_UINT32, CC_UINT64};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        cc_dtype dt = ints[k];
        int64_t lo;
        uint64_t hi;
        dt_range(dt, &lo, &hi);
        STORE(dt, S_INT(lo), CC_OK);
        STORE(dt, S_UINT(hi), CC_OK);
        STORE(dt, S_INT(0), CC_OK);
        STORE(dt, S_INT(1), CC_OK);
        if (lo != INT64_MIN) STORE(dt, S_INT(lo - 1), CC_EOVERFLOW);
        if (hi != UINT64_MAX) STORE(dt, S_UINT(hi + 1), CC_EOVERFLOW);
        STORE(dt, S_UINT(UINT64_MAX), dt == CC_UINT64 ? CC_OK : CC_EOVERFLOW);
        STORE(dt, S_UINT((uint64_t)INT64_MAX + 1),
              dt == CC_UINT64 ? CC_OK : CC_EOVERFLOW);
        STORE(dt, S_INT(INT64_MIN), dt == CC_INT64 ? CC_OK : CC_EOVERFLOW);
        STORE(dt, S_INT(-1), lo < 0 ? CC_OK : CC_EOVERFLOW);
        STORE(dt, S_BOOL(true), CC_OK);
        STORE(dt, S_BOOL(false), CC_OK);
        /* a float is the wrong kind for an int dtype, even 3.0 */
        STORE(dt, S_FLOAT(3.0), CC_ETYPE);
        STORE(dt, S_FLOAT(NAN), CC_ETYPE);
        STORE(dt, S_FLOAT(INFINITY), CC_ETYPE);
        STORE(dt, S_NULL(), CC_ETYPE);
    }
}

TEST(store_bool_edges) {
    STORE(CC_BOOL, S_BOOL(true), CC_OK);
    STORE(CC_BOOL, S_BOOL(false), CC_OK);
    STORE(CC_BOOL, S_INT(0), CC_OK);
    STORE(CC_BOOL, S_INT(1), CC_OK);
    STORE(CC_BOOL, S_INT(2), CC_EOVERFLOW);
    STORE(CC_BOOL, S_INT(-1), CC_EOVERFLOW);
    STORE(CC_BOOL, S_INT(256), CC_EOVERFLOW); /* must not wrap to 0 */
    STORE(CC_BOOL, S_UINT(UINT64_MAX), CC_EOVERFLOW);
    STORE(CC_BOOL, S_FLOAT(1.0), CC_ETYPE);
    STORE(CC_BOOL, S_NULL(), CC_ETYPE);
    uint8_t raw = 7;
    cc_scalar back;
    cc_dtype_load(CC_BOOL, &raw, &back);
    CHECK(back.kind == CC_SCALAR_BOOL && back.v.i == 1);
}

TEST(store_float_edges) {
    for (cc_dtype dt = CC_FLOAT32; dt <= CC_FLOAT64; dt++) {
        STORE(dt, S_FLOAT(0.0), CC_OK);
        STORE(dt, S_FLOAT(-0.0), CC_OK);
        STORE(dt, S_FLOAT(NAN), CC_OK);
        STORE(dt, S_FLOAT(-NAN), CC_OK);
        STORE(dt, S_FLOAT(INFINITY), CC_OK);
        STORE(dt, S_FLOAT(-INFINITY), CC_OK);
        STORE(dt, S_FLOAT(FLT_MAX), CC_OK);
        STORE(dt, S_FLOAT(-FLT_MAX), CC_OK);
        STORE(dt, S_FLOAT(FLT_MIN / 4), CC_OK); /* subnormal */
        STORE(dt, S_FLOAT(1e-300), CC_OK);      /* underflows to 0 in float32: allowed */
        STORE(dt, S_FLOAT(0.1), CC_OK);
        STORE(dt, S_INT(INT64_MAX), CC_OK);
        STORE(dt, S_INT(INT64_MIN), CC_OK);
        STORE(dt, S_UINT(UINT64_MAX), CC_OK);   /* 1.8e19 fits float32 */
        STORE(dt, S_INT((1LL << 53) + 1), CC_OK); /* rounds, as float(int) does */
        STORE(dt, S_BOOL(true), CC_OK);
        STORE(dt, S_NULL(), CC_ETYPE);
        cc_status big = dt == CC_FLOAT32 ? CC_EOVERFLOW : CC_OK;
        STORE(dt, S_FLOAT(DBL_MAX), big);
        STORE(dt, S_FLOAT(-DBL_MAX), big);
        STORE(dt, S_FLOAT(1e39), big);
        STORE(dt, S_FLOAT(-3.5e38), big);
        /* a quarter ulp (2**102) above FLT_MAX rounds back to it: fits, as
         * struct.pack('f') allows; half an ulp rounds (to even) to
         * infinity: does not fit */
        STORE(dt, S_FLOAT((double)FLT_MAX + ldexp(1.0, 102)), CC_OK);
        STORE(dt, S_FLOAT((double)FLT_MAX + ldexp(1.0, 103)), big);
    }
}

TEST(store_random_vs_oracle) {
    test_rng r;
    rng_seed(&r, test_seed());
    for (int iter = 0; iter < 20000; iter++) {
        cc_scalar s;
        switch (rng_range(&r, 0, 4)) {
        case 0: s = S_INT((int64_t)rng_next(&r)); break;
        case 1: s = S_INT(rng_range(&r, -70000, 70000)); break;
        case 2: s = S_UINT(rng_next(&r) | (1ull << 63)); break;
        case 3: s = S_BOOL(rng_chance(&r, 50)); break;
        default: {
            uint64_t bits = rng_next(&r);
            double d;
            memcpy(&d, &bits, 8);
            s = S_FLOAT(d);
        }
        }
        for (int dt = 0; dt < CC_NUM_DTYPES; dt++) {
            if (s.kind == CC_SCALAR_BOOL && dt != CC_BOOL) {
                STORE((cc_dtype)dt, s, CC_OK);
                continue;
            }
            cc_status want = oracle_store_status((cc_dtype)dt, s);
            if (dt == CC_BOOL && s.kind == CC_SCALAR_BOOL) want = CC_OK;
            uint8_t buf[CC_MAX_ITEMSIZE];
            cc_status got = cc_dtype_store((cc_dtype)dt, &s, buf);
            if (!CHECK_MSG(got == want, "store %s kind %d bits %016" PRIx64 ": %s, expected %s",
                           dt_name((cc_dtype)dt), s.kind, s.v.u, status_name(got),
                           status_name(want)))
                return;
        }
    }
}

TEST(load_canonical) {
    uint64_t u = (uint64_t)INT64_MAX;
    cc_scalar s;
    cc_dtype_load(CC_UINT64, &u, &s);
    CHECK(s.kind == CC_SCALAR_INT && s.v.i == INT64_MAX);
    u++;
    cc_dtype_load(CC_UINT64, &u, &s);
    CHECK(s.kind == CC_SCALAR_UINT && s.v.u == (uint64_t)INT64_MAX + 1);
    int8_t m = -128;
    cc_dtype_load(CC_INT8, &m, &s);
    CHECK(s.kind == CC_SCALAR_INT && s.v.i == -128);
    uint32_t x = UINT32_MAX;
    cc_dtype_load(CC_UINT32, &x, &s);
    CHECK(s.kind == CC_SCALAR_INT && s.v.i == UINT32_MAX);
    float f = -0.0f;
    cc_dtype_load(CC_FLOAT32, &f, &s);
    CHECK(s.kind == CC_SCALAR_FLOAT && s.v.f == 0 && signbit(s.v.f));
}

static int cmp(cc_scalar a, cc_scalar b) { return cc_scalar_compare(&a, &b); }

TEST(compare_exact) {
    const double two53 = 9007199254740992.0, two63 = 9223372036854775808.0,
                 two64 = 18446744073709551616.0;
    CHECK_EQ(cmp(S_INT((1LL << 53) + 1), S_FLOAT(two53)), 1);
    CHECK_EQ(cmp(S_FLOAT(two53), S_INT((1LL << 53) + 1)), -1);
    CHECK_EQ(cmp(S_INT(1LL << 53), S_FLOAT(two53)), 0);
    CHECK_EQ(cmp(S_INT(-(1LL << 53) - 1), S_FLOAT(-two53)), -1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX), S_FLOAT(two64)), -1);
    CHECK_EQ(cmp(S_FLOAT(two64), S_UINT(UINT64_MAX)), 1);
    CHECK_EQ(cmp(S_UINT(1ull << 63), S_FLOAT(two63)), 0);
    CHECK_EQ(cmp(S_UINT((1ull << 63) + 1), S_FLOAT(two63)), 1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX - 1023), S_FLOAT(18446744073709549568.0)), 1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX - 2047), S_FLOAT(18446744073709549568.0)), 0);
    CHECK_EQ(cmp(S_INT(INT64_MAX), S_FLOAT(two63)), -1);
    CHECK_EQ(cmp(S_INT(INT64_MIN), S_FLOAT(-two63)), 0);
    CHECK_EQ(cmp(S_INT(INT64_MIN), S_FLOAT(-two63 * 2)), 1);
    CHECK_EQ(cmp(S_INT(INT64_MAX), S_FLOAT(INFINITY)), -1);
    CHECK_EQ(cmp(S_INT(INT64_MIN), S_FLOAT(-INFINITY)), 1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX), S_FLOAT(INFINITY)), -1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX), S_FLOAT(-1.0)), 1);
    CHECK_EQ(cmp(S_INT(0), S_FLOAT(-0.0)), 0);
    CHECK_EQ(cmp(S_FLOAT(-0.0), S_FLOAT(0.0)), 0);
    CHECK_EQ(cmp(S_FLOAT(0.5), S_INT(0)), 1);
    CHECK_EQ(cmp(S_FLOAT(-0.5), S_INT(0)), -1);
    CHECK_EQ(cmp(S_INT(-1), S_FLOAT(-0.5)), -1);
    CHECK_EQ(cmp(S_INT(-1), S_FLOAT(-1.5)), 1);
    CHECK_EQ(cmp(S_INT(3), S_FLOAT(3.0)), 0);
    CHECK_EQ(cmp(S_INT(3), S_FLOAT(3.0000000000000004)), -1);
    /* NaN is unordered with everything, itself included */
    CHECK_EQ(cmp(S_FLOAT(NAN), S_FLOAT(NAN)), 2);
    CHECK_EQ(cmp(S_FLOAT(NAN), S_INT(0)), 2);
    CHECK_EQ(cmp(S_INT(0), S_FLOAT(NAN)), 2);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX), S_FLOAT(NAN)), 2);
    CHECK_EQ(cmp(S_FLOAT(NAN), S_UINT(UINT64_MAX)), 2);
    CHECK_EQ(cmp(S_FLOAT(1.0), S_FLOAT(NAN)), 2);
    /* bools are 0 and 1; UINT is above every INT */
    CHECK_EQ(cmp(S_BOOL(true), S_INT(1)), 0);
    CHECK_EQ(cmp(S_BOOL(true), S_FLOAT(1.0)), 0);
    CHECK_EQ(cmp(S_BOOL(false), S_BOOL(true)), -1);
    CHECK_EQ(cmp(S_UINT(1ull << 63), S_INT(INT64_MAX)), 1);
    CHECK_EQ(cmp(S_INT(INT64_MAX), S_UINT(1ull << 63)), -1);
    CHECK_EQ(cmp(S_UINT(UINT64_MAX), S_UINT(UINT64_MAX - 1)), 1);
    /* nulls equal nulls, unordered against numbers */
    CHECK_EQ(cmp(S_NULL(), S_NULL()), 0);
    CHECK_EQ(cmp(S_NULL(), S_INT(0)), 2);
    CHECK_EQ(cmp(S_FLOAT(0.0), S_NULL()), 2);
}

#ifdef HAVE_EXACT_LDBL
static cc_scalar random_scalar(test_rng *r) {
    switch (rng_range(r, 0, 6)) {
    case 0: return S_INT((int64_t)rng_next(r));
    case 1: return S_UINT(rng_next(r) | (1ull << 63));
    case 2: return S_BOOL(rng_chance(r, 50));
    case 3: { /* an int next to a power of two, and the float nearest it */
        int e = (int)rng_range(r, 0, 62);
        return S_INT(((int64_t)1 << e) + rng_range(r, -3, 3));
    }
    case 4: {
        int e = (int)rng_range(r, 0, 66);
        double d = ldexp(1.0, e) + (double)rng_range(r, -3, 3);
        return S_FLOAT(rng_chance(r, 50) ? -d : d);
    }
    case 5: {
        static const double specials[] = {0.0, -0.0, 0.5, -0.5, NAN, INFINITY, -INFINITY,
                                          9223372036854775808.0, -9223372036854775808.0,
                                          18446744073709551616.0, 9223372036854774784.0};
        return S_FLOAT(specials[rng_range(r, 0, 10)]);
    }
    default: {
        uint64_t bits = rng_next(r);
        double d;
        memcpy(&d, &bits, 8);
        return S_FLOAT(d);
    }
    }
}

TEST(compare_random_vs_long_double) {
    test_rng r;
    rng_seed(&r, test_seed() + 1);
    for (int iter = 0; iter < 200000; iter++) {
        cc_scalar a = random_scalar(&r), b = random_scalar(&r);
        int got = cmp(a, b), want = oracle_compare(a, b);
        if (!CHECK_MSG(got == want, "compare(kind %d %016" PRIx64 ", kind %d %016" PRIx64
                       ") = %d, expected %d", a.kind, a.v.u, b.kind, b.v.u, got, want))
            return;
        int back = cmp(b, a);
        CHECK(back == (got == 2 ? 2 : -got));
    }
}
#endif

TEST(size_helpers) {
    size_t out = 12345;
    CHECK_ST(cc_mul_size(0, 8, &out), CC_OK);
    CHECK_EQ(out, 0);
    CHECK_ST(cc_mul_size(1000, 8, &out), CC_OK);
    CHECK_EQ(out, 8000);
    CHECK_ST(cc_mul_size(CC_MAX_SIZE / 8, 8, &out), CC_OK);
    CHECK_EQ(out, CC_MAX_SIZE);
    out = 7;
    CHECK_ST(cc_mul_size(CC_MAX_SIZE / 8 + 1, 8, &out), CC_ENOMEM);
    CHECK_EQ(out, 7); /* untouched on failure */
    CHECK_ST(cc_mul_size(INT64_MAX, 2, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size(INT64_MAX / 2 + 1, 2, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size((int64_t)1 << 32, (int64_t)1 << 32, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size(-1, 8, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size(8, -1, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size(INT64_MIN, -1, &out), CC_ENOMEM);
    CHECK_ST(cc_mul_size(CC_MAX_SIZE, 1, &out), CC_OK);
    CHECK_ST(cc_mul_size(CC_MAX_SIZE + 1, 1, &out), CC_ENOMEM);

    int64_t sum = 99;
    CHECK_ST(cc_add_count(1, 2, &sum), CC_OK);
    CHECK_EQ(sum, 3);
    CHECK_ST(cc_add_count(CC_MAX_SIZE - 1, 1, &sum), CC_OK);
    CHECK_EQ(sum, CC_MAX_SIZE);
    sum = 99;
    CHECK_ST(cc_add_count(CC_MAX_SIZE, 1, &sum), CC_EOVERFLOW);
    CHECK_EQ(sum, 99);
    CHECK_ST(cc_add_count(INT64_MAX, 1, &sum), CC_EOVERFLOW);
    CHECK_ST(cc_add_count(INT64_MAX, INT64_MAX, &sum), CC_EOVERFLOW);
    CHECK_ST(cc_add_count(0, -1, &sum), CC_EOVERFLOW);
    CHECK_ST(cc_add_count(INT64_MIN, -1, &sum), CC_EOVERFLOW);
    CHECK_ST(cc_add_count(5, -5, &sum), CC_OK);
    CHECK_EQ(sum, 0);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
