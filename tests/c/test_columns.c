/* test_columns.c -- cc_columns against references.
 *
 * argsort / sort: random tables of number, string and code columns (few
 * distinct values for ties, NaNs with payloads, -0.0, nulls, full-range
 * 64-bit keys for the (key, row) pair radix, sizes either side of the
 * packing thresholds) sorted by 1-3 keys either way, against a stable
 * insertion sort with the Table.sort comparator written out (numbers
 * ascending or descending, then NaNs, then nulls, in either direction;
 * strings by bytes; codes by rank, out-of-range codes with the nulls).
 *
 * All or nothing: permute and sort with the failing allocator armed at
 * every allocation point in turn, each failure checked to leave every
 * column exactly as it was; shared columns are copied before a write;
 * non-permutations refuse. */
#include "test_util.h"
#include "cc_columns.h"

/* --- a random table ----------------------------------------------------------------------- */

enum { NCOL = 6 };
typedef struct {
    cc_numarray num[NCOL];
    cc_strarray str[NCOL];
    cc_column cols[NCOL];
    int64_t rank[8];
    bool is_code[NCOL];
    int64_t n;
} table;

static const char *WORDS[] = {"", "a", "ab", "b", "\xc3\xa9", "z", "A", "abc"};

static cc_str word(int k) {
    return (cc_str){(const uint8_t *)WORDS[k], (int64_t)strlen(WORDS[k])};
}

static double random_double(test_rng *r) {
    static const double specials[] = {0.0, -0.0, 1.5, -1.5, INFINITY, -INFINITY, 2.0, 1e300};
    if (rng_chance(r, 15)) { /* a NaN with a payload and a sign */
        uint64_t bits = 0x7ff8000000000000ull | (rng_next(r) & 0xffffull);
        if (rng_chance(r, 50)) bits |= 1ull << 63;
        double d;
        memcpy(&d, &bits, 8);
        return d;
    }
    if (rng_chance(r, 50)) return specials[rng_range(r, 0, 7)];
    return (double)rng_range(r, -1000, 1000) / 8.0;
}

/* Column c of kind: 0 int64 few values, 1 float64? , 2 uint64 any, 3 int8,
 * 4 str?, 5 codes (int8, ranks; -1 and 7 sort with the nulls), 6 float32,
 * 7 int64 any, 8 bool?, 9 int32 (wide range). */
static void make_column(table *t, int c, int kind, test_rng *r) {
    int64_t n = t->n;
    t->is_code[c] = kind == 5;
    if (kind == 4) {
        cc_strarray_init(&t->str[c], true);
        for (int64_t i = 0; i < n; i++)
            CHECK_ST(cc_strarray_append(&t->str[c], word((int)rng_range(r, 0, 7)),
                                        rng_chance(r, 15)),
                     CC_OK);
        t->cols[c] = (cc_column){.is_str = true, .str = &t->str[c]};
        return;
    }
    static const cc_dtype dts[] = {CC_INT64, CC_FLOAT64, CC_UINT64, CC_INT8, CC_INT64,
                                   CC_INT8, CC_FLOAT32, CC_INT64, CC_BOOL, CC_INT32};
    bool nullable = kind == 1 || kind == 8;
    cc_numarray *a = &t->num[c];
    cc_numarray_init(a, dts[kind], kind == 5, nullable);
    for (int64_t i = 0; i < n; i++) {
        cc_scalar s;
        if (nullable && rng_chance(r, 15)) s = S_NULL();
        else switch (kind) {
            case 0: s = S_INT(rng_range(r, -3, 3)); break;
            case 1: s = S_FLOAT(random_double(r)); break;
            case 2: {
                uint64_t u = rng_next(r);
                s = u > INT64_MAX ? S_UINT(u) : S_INT((int64_t)u);
                break;
            }
            case 3: s = S_INT(rng_range(r, -128, 127)); break;
            case 5: s = S_INT(rng_range(r, -1, 7)); break;
            case 6: s = S_FLOAT((double)(float)random_double(r)); break;
            case 7: s = S_INT((int64_t)rng_next(r)); break;
            case 8: s = S_BOOL(rng_chance(r, 50)); break;
            default: s = S_INT(rng_range(r, INT32_MIN, INT32_MAX)); break;
            }
        if (kind == 6 && s.kind == CC_SCALAR_FLOAT && isnan(s.v.f)) {
            PUSH_OK(a, S_FLOAT(0.0)); /* then a float32 NaN with a payload */
            uint32_t bits = 0x7fc00000u | ((uint32_t)rng_next(r) & 0xffu);
            memcpy(a->data + (a->length - 1) * 4, &bits, 4);
            continue;
        }
        PUSH_OK(a, s);
    }
    t->cols[c] = (cc_column){.is_str = false, .num = a};
}

static void make_table(table *t, int64_t n, const int *kinds, test_rng *r) {
    memset(t, 0, sizeof *t);
    t->n = n;
    for (int k = 0; k < 7; k++) t->rank[k] = (k * 5) % 7; /* a permutation of 0..6 */
    for (int c = 0; c < NCOL; c++) make_column(t, c, kinds[c], r);
}

static void free_table(table *t) {
    for (int c = 0; c < NCOL; c++) {
        if (t->cols[c].is_str) cc_strarray_reset(&t->str[c]);
        else cc_numarray_reset(&t->num[c]);
    }
}

/* --- the reference comparator ------------------------------------------------------------- */

/* 0 value, 1 NaN, 2 null. */
static int classify(const table *t, int c, int64_t i, cc_scalar *v) {
    if (t->cols[c].is_str) return cc_strarray_is_valid(&t->str[c], i) ? 0 : 2;
    cc_numarray_get(&t->num[c], i, v);
    if (v->kind == CC_SCALAR_NULL) return 2;
    if (t->is_code[c]) {
        if (v->v.i < 0 || v->v.i >= 7) return 2;
        *v = S_INT(t->rank[v->v.i]);
    }
    if (v->kind == CC_SCALAR_FLOAT && isnan(v->v.f)) return 1;
    return 0;
}

static int ref_compare(const table *t, const int *keys, int nkeys, bool reverse, int64_t a,
                       int64_t b) {
    for (int k = 0; k < nkeys; k++) {
        int c = keys[k];
        cc_scalar x, y;
        int ca = classify(t, c, a, &x), cb = classify(t, c, b, &y);
        if (ca || cb) {
            if (ca != cb) return ca < cb ? -1 : 1;
            continue;
        }
        int r;
        if (t->cols[c].is_str) {
            cc_str p = cc_strarray_get(&t->str[c], a), q = cc_strarray_get(&t->str[c], b);
            int64_t m = p.len < q.len ? p.len : q.len;
            r = m ? memcmp(p.ptr, q.ptr, (size_t)m) : 0;
            r = r ? (r < 0 ? -1 : 1) : (p.len > q.len) - (p.len < q.len);
        } else {
            r = oracle_compare(x, y);
        }
        if (r) return reverse ? -r : r;
    }
    return 0;
}

static void ref_order(const table *t, const int *keys, int nkeys, bool reverse, int64_t *order) {
    for (int64_t i = 0; i < t->n; i++) { /* stable insertion sort */
        int64_t j = i;
        while (j > 0 && ref_compare(t, keys, nkeys, reverse, order[j - 1], i) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static void fill_keys(const table *t, const int *keys, int nkeys, cc_sort_key *out) {
    for (int k = 0; k < nkeys; k++) {
        out[k] = (cc_sort_key){t->cols[keys[k]], NULL, 0};
        if (t->is_code[keys[k]]) out[k].rank = t->rank, out[k].nranks = 7;
    }
}

/* --- comparing tables --------------------------------------------------------------------- */

static bool same_str_at(const cc_strarray *a, const cc_strarray *b, const int64_t *order,
                        const char *ctx, int line) {
    if (a->length != b->length || a->null_count != b->null_count)
        return test_fail(__FILE__, line, "%s: string length/null count differ", ctx);
    for (int64_t i = 0; i < a->length; i++) {
        int64_t j = order ? order[i] : i;
        cc_str x = cc_strarray_get(a, i), y = cc_strarray_get(b, j);
        if (cc_strarray_is_valid(a, i) != cc_strarray_is_valid(b, j) || x.len != y.len ||
            (x.len && memcmp(x.ptr, y.ptr, (size_t)x.len)))
            return test_fail(__FILE__, line, "%s: string %" PRId64 " differs", ctx, i);
    }
    return true;
}

/* Is column c of t equal to column c of ref taken at order (or as is)? */
static bool same_column(const table *t, const table *ref, int c, const int64_t *order,
                        const char *ctx, int line) {
    if (t->cols[c].is_str) return same_str_at(&t->str[c], &ref->str[c], order, ctx, line);
    const cc_numarray *a = &t->num[c], *b = &ref->num[c];
    int size = cc_numarray_itemsize(a);
    if (a->length != b->length || a->null_count != b->null_count)
        return test_fail(__FILE__, line, "%s: column %d length/null count differ", ctx, c);
    for (int64_t i = 0; i < a->length; i++) {
        int64_t j = order ? order[i] : i;
        if (cc_numarray_is_valid(a, i) != cc_numarray_is_valid(b, j) ||
            (cc_numarray_is_valid(a, i) &&
             memcmp(a->data + i * size, b->data + j * size, (size_t)size)))
            return test_fail(__FILE__, line, "%s: column %d row %" PRId64 " differs", ctx, c, i);
    }
    return true;
}

static void clone_table(table *dst, const table *src) {
    *dst = *src;
    for (int c = 0; c < NCOL; c++) {
        if (src->cols[c].is_str) {
            cc_strarray_init(&dst->str[c], true);
            CHECK_ST(cc_strarray_gather(&src->str[c], 0, 1, src->n, &dst->str[c]), CC_OK);
            dst->cols[c] = (cc_column){.is_str = true, .str = &dst->str[c]};
        } else {
            CHECK_ST(clone_array(&dst->num[c], &src->num[c]), CC_OK);
            dst->cols[c] = (cc_column){.is_str = false, .num = &dst->num[c]};
        }
    }
}

static bool same_table(const table *t, const table *ref, const int64_t *order, const char *ctx,
                       int line) {
    for (int c = 0; c < NCOL; c++)
        if (!same_column(t, ref, c, order, ctx, line)) return false;
    return true;
}

/* --- tests -------------------------------------------------------------------------------- */

static void random_kinds(test_rng *r, int *kinds) {
    for (int c = 0; c < NCOL; c++) kinds[c] = (int)rng_range(r, 0, 9);
}

TEST(argsort_and_sort_match_the_reference) {
    test_rng r;
    rng_seed(&r, test_seed());
    static const int64_t sizes[] = {0, 1, 2, 3, 17, 64, 255, 256, 257, 300};
    for (int iter = 0; iter < 400; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        table t, ref;
        make_table(&t, sizes[rng_range(&r, 0, 9)], kinds, &r);
        int nkeys = (int)rng_range(&r, 1, 3), keys[3];
        for (int k = 0; k < nkeys; k++) keys[k] = (int)rng_range(&r, 0, NCOL - 1);
        bool reverse = rng_chance(&r, 50);
        cc_sort_key sk[3];
        fill_keys(&t, keys, nkeys, sk);
        int64_t *want = malloc((size_t)(t.n + 1) * sizeof *want);
        int64_t *got = malloc((size_t)(t.n + 1) * sizeof *got);
        ref_order(&t, keys, nkeys, reverse, want);
        CHECK_ST(cc_columns_argsort(sk, nkeys, reverse, t.n, got), CC_OK);
        for (int64_t i = 0; i < t.n; i++)
            if (!CHECK_MSG(got[i] == want[i], "iter %d: order[%" PRId64 "] %" PRId64 " != %" PRId64
                           " (kinds %d %d %d, keys %d..., reverse %d)", iter, i, got[i], want[i],
                           kinds[keys[0]], nkeys > 1 ? kinds[keys[1]] : -1,
                           nkeys > 2 ? kinds[keys[2]] : -1, nkeys, reverse))
                break;
        clone_table(&ref, &t);
        int64_t failed = 7;
        CHECK_ST(cc_columns_sort(t.cols, NCOL, sk, nkeys, reverse, &failed), CC_OK);
        CHECK_EQ(failed, -1);
        same_table(&t, &ref, want, "sort", __LINE__);
        free(want), free(got);
        free_table(&t), free_table(&ref);
    }
}

TEST(sort_by_one_wide_key_and_big_tables) {
    /* the (key, row) pair radix (64-bit keys), the packed word with the
     * position in whole bytes or not, and the sorted-values shortcut */
    test_rng r;
    rng_seed(&r, test_seed() + 1);
    for (int kind = 0; kind < 10; kind++) {
        if (kind == 4) continue;
        for (int rev = 0; rev < 2; rev++) {
            int kinds[NCOL] = {kind, 4, 1, 7, 5, 3};
            table t, ref;
            make_table(&t, 5000, kinds, &r);
            int keys[1] = {0};
            cc_sort_key sk[1];
            fill_keys(&t, keys, 1, sk);
            int64_t *want = malloc(5000 * sizeof *want);
            ref_order(&t, keys, 1, rev, want);
            clone_table(&ref, &t);
            int64_t failed;
            CHECK_ST(cc_columns_sort(t.cols, NCOL, sk, 1, rev, &failed), CC_OK);
            same_table(&t, &ref, want, "big sort", __LINE__);
            for (int c = 0; c < NCOL; c++)
                if (!t.cols[c].is_str) CHECK_SANE(&t.num[c]);
            free(want);
            free_table(&t), free_table(&ref);
        }
    }
}

TEST(one_column_sorted_by_itself_matches_the_reference) {
    /* the shortcut to the column's own sort (Array.sort / StringArray.sort) */
    test_rng r;
    rng_seed(&r, test_seed() + 4);
    for (int iter = 0; iter < 300; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        table t, ref;
        make_table(&t, rng_range(&r, 0, 200), kinds, &r);
        clone_table(&ref, &t);
        int c = (int)rng_range(&r, 0, NCOL - 1), keys[2] = {c, c};
        int nkeys = (int)rng_range(&r, 1, 2);
        bool reverse = rng_chance(&r, 50);
        cc_sort_key sk[2];
        fill_keys(&t, keys, nkeys, sk);
        int64_t *want = malloc((size_t)(t.n + 1) * sizeof *want), failed;
        ref_order(&t, keys, nkeys, reverse, want);
        CHECK_ST(cc_columns_sort(&t.cols[c], 1, sk, nkeys, reverse, &failed), CC_OK);
        if (!same_column(&t, &ref, c, want, "one column", __LINE__))
            test_fail(__FILE__, __LINE__, "iter %d kind %d reverse %d", iter, kinds[c], reverse);
        free(want);
        free_table(&t), free_table(&ref);
    }
}

TEST(sort_and_permute_are_all_or_nothing_at_every_allocation) {
    test_rng r;
    rng_seed(&r, test_seed() + 2);
    for (int iter = 0; iter < 40; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        kinds[1] = 4; /* at least one string column (its own allocations) */
        table t, ref;
        make_table(&t, rng_range(&r, 2, 300), kinds, &r);
        clone_table(&ref, &t);
        int nkeys = (int)rng_range(&r, 1, 3), keys[3];
        for (int k = 0; k < nkeys; k++) keys[k] = (int)rng_range(&r, 0, NCOL - 1);
        cc_sort_key sk[3];
        fill_keys(&t, keys, nkeys, sk);
        bool reverse = rng_chance(&r, 50);
        int64_t *perm = malloc((size_t)t.n * sizeof *perm);
        ref_order(&t, keys, nkeys, reverse, perm);
        for (int op = 0; op < 2; op++) {
            for (int64_t k = 1;; k++) {
                int64_t failed;
                test_alloc_fail_at(k);
                cc_status st = op ? cc_columns_permute(t.cols, NCOL, perm, &failed)
                                  : cc_columns_sort(t.cols, NCOL, sk, nkeys, reverse, &failed);
                bool fired = !test_alloc_armed();
                test_alloc_fail_at(0);
                if (!fired) { /* past the last allocation: done, and right */
                    CHECK_ST(st, CC_OK);
                    same_table(&t, &ref, perm, "no failure", __LINE__);
                    break;
                }
                if (!CHECK_ST(st, CC_ENOMEM)) break;
                if (!same_table(&t, &ref, NULL, "after a failed allocation", __LINE__)) break;
            }
            free_table(&t);
            clone_table(&t, &ref);
            fill_keys(&t, keys, nkeys, sk);
        }
        free(perm);
        free_table(&t), free_table(&ref);
    }
}

TEST(permute_copies_shared_columns_and_refuses_non_permutations) {
    test_rng r;
    rng_seed(&r, test_seed() + 3);
    int kinds[NCOL] = {0, 4, 1, 7, 5, 3};
    table t, ref;
    make_table(&t, 50, kinds, &r);
    clone_table(&ref, &t);
    int64_t perm[50], failed;
    for (int64_t i = 0; i < 50; i++) perm[i] = 49 - i;
    /* exported (not frozen): allowed, values rewritten where they are */
    t.num[0].exports = 1;
    uint8_t *where = t.num[0].data;
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_OK);
    CHECK(t.num[0].data == where);
    same_table(&t, &ref, perm, "reversed", __LINE__);
    t.num[0].exports = 0;
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_OK); /* back */
    /* a snapshot shares every column: the permutation copies what it
     * writes, the snapshot keeps the old order */
    table snap;
    clone_table(&snap, &ref);
    for (int c = 0; c < NCOL; c++) {
        if (t.cols[c].is_str) {
            cc_strarray_reset(&snap.str[c]);
            CHECK_ST(cc_strarray_share_into(&t.str[c], &snap.str[c]), CC_OK);
        } else {
            cc_numarray_reset(&snap.num[c]);
            CHECK_ST(cc_numarray_share_into(&t.num[c], &snap.num[c]), CC_OK);
        }
    }
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_OK);
    same_table(&t, &ref, perm, "reversed while shared", __LINE__);
    same_table(&snap, &ref, NULL, "the snapshot", __LINE__);
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_OK); /* back */
    free_table(&snap);
    perm[3] = perm[4]; /* a duplicate */
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_EINVAL);
    perm[3] = 50; /* out of bounds */
    CHECK_ST(cc_columns_permute(t.cols, NCOL, perm, &failed), CC_EINDEX);
    same_table(&t, &ref, NULL, "refused", __LINE__);
    free_table(&t), free_table(&ref);
}

/* The rows a strided deletion keeps, in order; returns their count. */
static int64_t kept_rows(int64_t n, int64_t start, int64_t step, int64_t count, int64_t *kept) {
    int64_t lo = step < 0 ? start + (count - 1) * step : start, s = step < 0 ? -step : step, w = 0;
    for (int64_t r = 0; r < n; r++)
        if (!(count > 0 && r >= lo && (r - lo) % s == 0 && (r - lo) / s < count)) kept[w++] = r;
    return w;
}

/* Are t's rows ref's rows rows[0], rows[1], ... (nrows of them)? */
static bool same_rows(const table *t, const table *ref, const int64_t *rows, int64_t nrows,
                      const char *ctx, int line) {
    for (int c = 0; c < NCOL; c++) {
        if (cc_column_length(t->cols[c]) != nrows)
            return test_fail(__FILE__, line, "%s: column %d has %" PRId64 " rows, not %" PRId64,
                             ctx, c, cc_column_length(t->cols[c]), nrows);
        for (int64_t i = 0; i < nrows; i++) {
            int64_t j = rows[i];
            bool same;
            if (t->cols[c].is_str) {
                cc_str x = cc_strarray_get(&t->str[c], i), y = cc_strarray_get(&ref->str[c], j);
                same = cc_strarray_is_valid(&t->str[c], i) ==
                           cc_strarray_is_valid(&ref->str[c], j) &&
                       x.len == y.len && (!x.len || !memcmp(x.ptr, y.ptr, (size_t)x.len));
            } else {
                const cc_numarray *a = &t->num[c], *b = &ref->num[c];
                int size = cc_numarray_itemsize(a);
                same = a->dtype == b->dtype &&
                       cc_numarray_is_valid(a, i) == cc_numarray_is_valid(b, j) &&
                       (!cc_numarray_is_valid(a, i) ||
                        !memcmp(a->data + i * size, b->data + j * size, (size_t)size));
            }
            if (!same)
                return test_fail(__FILE__, line, "%s: column %d row %" PRId64 " differs", ctx, c,
                                 i);
        }
        if (!t->cols[c].is_str) CHECK_SANE(&t->num[c]);
        else {
            cc_error err;
            CHECK_MSG(cc_strarray_validate(&t->str[c], &err) == CC_OK, "%s", err.why);
        }
    }
    return true;
}

static bool table_length_is(const table *t, int64_t n, int line) {
    for (int c = 0; c < NCOL; c++)
        if (cc_column_length(t->cols[c]) != n)
            return test_fail(__FILE__, line, "column %d has %" PRId64 " rows, not %" PRId64, c,
                             cc_column_length(t->cols[c]), n);
    return true;
}

TEST(delete_matches_the_reference_and_is_all_or_nothing_at_every_allocation) {
    test_rng r;
    rng_seed(&r, test_seed() + 5);
    for (int iter = 0; iter < 120; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        kinds[2] = 4;
        table t, ref;
        make_table(&t, rng_range(&r, 1, 120), kinds, &r);
        if (rng_chance(&r, 30)) /* a scattered string column */
            CHECK_ST(cc_strarray_set(&t.str[2], 0, word(7), false), CC_OK);
        clone_table(&ref, &t);
        int64_t n = t.n, step = rng_chance(&r, 50) ? 1 : rng_range(&r, -3, 3);
        if (step == 0) step = 2;
        int64_t start = rng_range(&r, 0, n - 1);
        int64_t room = step > 0 ? (n - 1 - start) / step + 1 : start / -step + 1;
        int64_t count = rng_range(&r, 0, room);
        int64_t *kept = malloc((size_t)n * sizeof *kept);
        int64_t nkept = kept_rows(n, start, step, count, kept);
        for (int64_t k = 1;; k++) {
            int64_t failed;
            test_alloc_fail_at(k);
            cc_status st = cc_columns_delete(t.cols, NCOL, start, step, count, &failed);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            if (st == CC_OK) { /* a failed allocation it could do without, or none */
                if (!same_rows(&t, &ref, kept, nkept, "deleted", __LINE__)) break;
                if (!fired) break;
                free_table(&t);
                clone_table(&t, &ref);
                continue;
            }
            if (!CHECK_ST(st, CC_ENOMEM) || !CHECK(fired)) break;
            if (!table_length_is(&t, n, __LINE__) ||
                !same_table(&t, &ref, NULL, "after a failed allocation", __LINE__))
                break;
        }
        free(kept);
        free_table(&t), free_table(&ref);
    }
}

TEST(delete_refuses_exported_columns_and_bad_ranges) {
    test_rng r;
    rng_seed(&r, test_seed() + 6);
    int kinds[NCOL] = {0, 4, 1, 7, 5, 3};
    table t, ref;
    make_table(&t, 30, kinds, &r);
    clone_table(&ref, &t);
    int64_t failed;
    for (int c = 0; c < NCOL; c++) {
        int64_t *exports = t.cols[c].is_str ? &t.str[c].exports : &t.num[c].exports;
        (*exports)++;
        CHECK_EQ(cc_columns_first_exported(t.cols, NCOL), c);
        CHECK_ST(cc_columns_delete(t.cols, NCOL, 3, 2, 5, &failed), CC_EBUSY);
        CHECK_EQ(failed, c);
        (*exports)--;
    }
    CHECK_EQ(cc_columns_first_exported(t.cols, NCOL), -1);
    CHECK_ST(cc_columns_delete(t.cols, NCOL, 25, 2, 4, &failed), CC_EINDEX);
    CHECK_ST(cc_columns_delete(t.cols, NCOL, 25, 0, 4, &failed), CC_EINVAL);
    CHECK_ST(cc_columns_delete(t.cols, NCOL, 25, 1, 0, &failed), CC_OK);
    same_table(&t, &ref, NULL, "refused", __LINE__);
    free_table(&t), free_table(&ref);
}

TEST(take_matches_the_reference_and_leaves_nothing_behind_on_failure) {
    test_rng r;
    rng_seed(&r, test_seed() + 7);
    for (int iter = 0; iter < 60; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        table t, out;
        make_table(&t, rng_range(&r, 1, 100), kinds, &r);
        int64_t n = rng_range(&r, 0, 150), *idx = malloc((size_t)(n + 1) * sizeof *idx);
        for (int64_t k = 0; k < n; k++) idx[k] = rng_range(&r, 0, t.n - 1);
        for (int64_t k = 1;; k++) {
            out = t; /* columns like t's, fresh and empty */
            for (int c = 0; c < NCOL; c++) {
                if (t.cols[c].is_str) {
                    cc_strarray_init(&out.str[c], t.str[c].nullable);
                    out.cols[c] = (cc_column){.is_str = true, .str = &out.str[c]};
                } else {
                    cc_numarray_init_like(&out.num[c], &t.num[c]);
                    out.cols[c] = (cc_column){.is_str = false, .num = &out.num[c]};
                }
            }
            int64_t failed;
            test_alloc_fail_at(k);
            cc_status st = cc_columns_take(t.cols, NCOL, idx, n, out.cols, &failed);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            if (!fired) {
                CHECK_ST(st, CC_OK);
                same_rows(&out, &t, idx, n, "taken", __LINE__);
                free_table(&out);
                break;
            }
            CHECK_ST(st, CC_ENOMEM);
            CHECK(failed >= 0 && failed < NCOL);
            table_length_is(&out, 0, __LINE__);
            free_table(&out);
        }
        free(idx);
        free_table(&t);
    }
}

/* A random cell for column c of t: another row's value (or a word). */
static cc_cell random_cell(const table *t, int c, test_rng *r) {
    cc_cell cell = {.is_null = false};
    int64_t j = t->n ? rng_range(r, 0, t->n - 1) : -1;
    if (t->cols[c].is_str) {
        cell.str = word((int)rng_range(r, 0, 7));
        cell.is_null = t->str[c].nullable && rng_chance(r, 20);
    } else if (j >= 0) {
        cc_numarray_get(&t->num[c], j, &cell.num);
    } else {
        cell.num = S_INT(0);
    }
    return cell;
}

/* ref with the cells appended (through the single-array operations). */
static void append_cells(table *ref, const cc_cell *cells) {
    for (int c = 0; c < NCOL; c++) {
        if (ref->cols[c].is_str)
            CHECK_ST(cc_strarray_append(&ref->str[c], cells[c].str, cells[c].is_null), CC_OK);
        else
            CHECK_ST(cc_numarray_append(&ref->num[c], &cells[c].num), CC_OK);
    }
    ref->n++;
}

TEST(insert_and_append_row_are_all_or_nothing_at_every_allocation) {
    test_rng r;
    rng_seed(&r, test_seed() + 8);
    for (int iter = 0; iter < 150; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        kinds[3] = 4;
        table t, ref, want;
        make_table(&t, rng_range(&r, 0, 60), kinds, &r);
        if (t.n && rng_chance(&r, 30)) /* a scattered string column */
            CHECK_ST(cc_strarray_set(&t.str[3], 0, word(7), false), CC_OK);
        clone_table(&ref, &t);
        cc_cell cells[NCOL];
        for (int c = 0; c < NCOL; c++) cells[c] = random_cell(&t, c, &r);
        int64_t n = t.n, at = rng_chance(&r, 40) ? n : rng_range(&r, 0, n);
        clone_table(&want, &ref);
        append_cells(&want, cells);
        int64_t *rows = malloc((size_t)(n + 1) * sizeof *rows);
        for (int64_t i = 0; i <= n; i++) rows[i] = i < at ? i : i == at ? n : i - 1;
        for (int64_t k = 1;; k++) {
            int64_t failed;
            test_alloc_fail_at(k);
            cc_status st = rng_chance(&r, 50) && at == n
                               ? cc_columns_append_row(t.cols, NCOL, cells, &failed)
                               : cc_columns_insert_row(t.cols, NCOL, at, cells, &failed);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            if (st == CC_OK) {
                if (!same_rows(&t, &want, rows, n + 1, "inserted", __LINE__)) break;
                if (!fired) break;
                free_table(&t);
                clone_table(&t, &ref);
                continue;
            }
            if (!CHECK_ST(st, CC_ENOMEM) || !CHECK(fired)) break;
            if (!table_length_is(&t, n, __LINE__) ||
                !same_table(&t, &ref, NULL, "after a failed allocation", __LINE__))
                break;
        }
        /* refusals: a value that does not fit, an exported column */
        int64_t failed;
        for (int c = 0; c < NCOL; c++) {
            if (t.cols[c].is_str || t.num[c].dtype != CC_INT8 || t.num[c].adaptive) continue;
            free_table(&t);
            clone_table(&t, &ref);
            cc_cell bad[NCOL];
            memcpy(bad, cells, sizeof bad);
            bad[c].num = S_INT(1000);
            CHECK_ST(cc_columns_insert_row(t.cols, NCOL, at, bad, &failed), CC_EOVERFLOW);
            CHECK_EQ(failed, c);
            same_table(&t, &ref, NULL, "refused value", __LINE__);
        }
        free(rows);
        free_table(&t), free_table(&ref), free_table(&want);
    }
}

TEST(append_of_scratch_columns_is_all_or_nothing_at_every_allocation) {
    test_rng r;
    rng_seed(&r, test_seed() + 9);
    for (int iter = 0; iter < 100; iter++) {
        int kinds[NCOL];
        random_kinds(&r, kinds);
        kinds[0] = 4;
        table t, ref, scratch, want;
        make_table(&t, rng_chance(&r, 30) ? 0 : rng_range(&r, 1, 60), kinds, &r);
        make_table(&scratch, rng_range(&r, 0, 60), kinds, &r);
        clone_table(&ref, &t);
        int64_t n = t.n, m = scratch.n;
        clone_table(&want, &ref);
        int64_t *rows = malloc((size_t)(n + m + 1) * sizeof *rows);
        for (int64_t i = 0; i < n + m; i++) rows[i] = i;
        for (int c = 0; c < NCOL; c++) { /* want = ref + scratch */
            if (want.cols[c].is_str)
                CHECK_ST(cc_strarray_gather(&scratch.str[c], 0, 1, m, &want.str[c]), CC_OK);
            else
                CHECK_ST(cc_numarray_gather(&scratch.num[c], 0, 1, m, &want.num[c]), CC_OK);
        }
        for (int64_t k = 1;; k++) {
            table s;
            clone_table(&s, &scratch);
            int64_t failed;
            test_alloc_fail_at(k);
            cc_status st = cc_columns_append(t.cols, NCOL, s.cols, &failed);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            free_table(&s);
            if (st == CC_OK) {
                if (!same_rows(&t, &want, rows, n + m, "appended", __LINE__)) break;
                if (!fired) break;
                free_table(&t);
                clone_table(&t, &ref);
                continue;
            }
            if (!CHECK_ST(st, CC_ENOMEM) || !CHECK(fired)) break;
            if (!table_length_is(&t, n, __LINE__) ||
                !same_table(&t, &ref, NULL, "after a failed allocation", __LINE__))
                break;
        }
        free(rows);
        free_table(&t), free_table(&ref), free_table(&scratch), free_table(&want);
    }
}

TEST(rotate_last_string_into_place_short_and_long) {
    /* the short last string goes through the stack, a long one by reversals */
    test_rng r;
    rng_seed(&r, test_seed() + 10);
    static uint8_t buf[600];
    for (int iter = 0; iter < 200; iter++) {
        cc_strarray a, ref;
        cc_strarray_init(&a, true);
        cc_strarray_init(&ref, true);
        int64_t n = rng_range(&r, 2, 30);
        for (int64_t i = 0; i < n; i++) {
            int64_t len = rng_chance(&r, 30) ? rng_range(&r, 250, 600) : rng_range(&r, 0, 5);
            for (int64_t k = 0; k < len; k++) buf[k] = (uint8_t)('a' + rng_range(&r, 0, 25));
            bool null = rng_chance(&r, 10);
            CHECK_ST(cc_strarray_append(&a, (cc_str){buf, null ? 0 : len}, null), CC_OK);
        }
        if (rng_chance(&r, 30)) CHECK_ST(cc_strarray_set(&a, 0, (cc_str){buf, 3}, false), CC_OK);
        CHECK_ST(cc_strarray_gather(&a, 0, 1, n, &ref), CC_OK);
        int64_t at = rng_range(&r, 0, n - 2);
        cc_strarray_rotate_last_to(&a, at);
        for (int64_t i = 0; i < n; i++) {
            int64_t j = i < at ? i : i == at ? n - 1 : i - 1;
            cc_str x = cc_strarray_get(&a, i), y = cc_strarray_get(&ref, j);
            if (!CHECK(x.len == y.len && (!x.len || !memcmp(x.ptr, y.ptr, (size_t)x.len)) &&
                       cc_strarray_is_valid(&a, i) == cc_strarray_is_valid(&ref, j)))
                break;
        }
        cc_error err;
        CHECK_MSG(cc_strarray_validate(&a, &err) == CC_OK, "%s", err.why);
        cc_strarray_reset(&a), cc_strarray_reset(&ref);
    }
}

/* An adaptive, nullable number column (a Table's 'int?' field) takes a
 * scratch column that widened further than it: the values and the nulls
 * arrive (a conversion of the raw values would lose the nulls), at the
 * scratch's width; into a non-empty column as into an empty one. */
TEST(append_of_a_wider_adaptive_scratch_keeps_the_nulls) {
    for (int filled = 0; filled < 2; filled++) {
        cc_numarray col, scratch;
        cc_numarray_init(&col, CC_INT8, true, true);
        cc_numarray_init(&scratch, CC_INT8, true, true);
        cc_scalar five = S_INT(5);
        if (filled) CHECK_ST(cc_numarray_append(&col, &five), CC_OK);
        for (int64_t i = 0; i < 40; i++) {
            cc_scalar v = i % 4 == 1 ? S_NULL() : S_INT(i * 1000);
            CHECK_ST(cc_numarray_append(&scratch, &v), CC_OK);
        }
        CHECK(scratch.dtype == CC_INT32 && col.dtype == CC_INT8);
        cc_column c = {.is_str = false, .num = &col}, s = {.is_str = false, .num = &scratch};
        int64_t failed;
        CHECK_ST(cc_columns_append(&c, 1, &s, &failed), CC_OK);
        CHECK(col.length == 40 + filled && col.dtype == CC_INT32 && col.null_count == 10);
        for (int64_t i = 0; i < 40; i++) {
            cc_scalar v;
            cc_numarray_get(&col, i + filled, &v);
            if (i % 4 == 1) CHECK(v.kind == CC_SCALAR_NULL);
            else CHECK(v.kind != CC_SCALAR_NULL && v.v.i == i * 1000);
        }
        cc_numarray_reset(&col), cc_numarray_reset(&scratch);
    }
}

int main(int argc, char **argv) { return test_main(argc, argv); }
