/* test_strarray.c -- the string array core against a model (an array of
 * owned byte strings with a null flag): random sequences of every mutator
 * in both layouts, then the failure paths: allocation failures leave the
 * contents unchanged, exports pin the layout, and the int32 -> int64 offset
 * switch (this file is compiled with a small CC_STR_NARROW_MAX). */
#include "cc_strarray.h"
#include "test_alloc.h"

#include <stdlib.h>
#include <string.h>

#define MAXN 3000

typedef struct {
    char *s[MAXN];
    int64_t len[MAXN];
    bool null[MAXN];
    int64_t n;
} model;

static void model_free(model *m) {
    for (int64_t i = 0; i < m->n; i++) free(m->s[i]);
    m->n = 0;
}

static void model_put(model *m, int64_t i, const char *s, int64_t len, bool null) {
    m->s[i] = malloc((size_t)len + 1);
    memcpy(m->s[i], s, (size_t)len);
    m->len[i] = null ? 0 : len;
    m->null[i] = null;
}

/* Same contents (the layout may differ), and the invariants hold. */
static bool same(const cc_strarray *a, const model *m, const char *op) {
    cc_error err = {"", -1};
    if (!CHECK_MSG(cc_strarray_validate(a, &err) == CC_OK, "%s: invariant: %s", op, err.why))
        return false;
    if (!CHECK_MSG(a->length == m->n, "%s: length %" PRId64 " != %" PRId64, op, a->length, m->n))
        return false;
    int64_t nulls = 0;
    for (int64_t i = 0; i < m->n; i++) {
        cc_str x = cc_strarray_get(a, i);
        nulls += m->null[i];
        if (!CHECK_MSG(cc_strarray_is_valid(a, i) == !m->null[i] && x.len == m->len[i] &&
                           (x.len == 0 || memcmp(x.ptr, m->s[i], (size_t)x.len) == 0),
                       "%s: element %" PRId64 " differs", op, i))
            return false;
    }
    return CHECK_MSG(a->null_count == nulls, "%s: null_count", op);
}

static cc_str random_str(test_rng *r, char *buf) {
    int64_t len = rng_range(r, 0, 11);
    for (int64_t k = 0; k < len; k++) buf[k] = (char)('a' + rng_range(r, 0, 2));
    cc_str s = {(const uint8_t *)buf, len};
    return s;
}

/* One random mutation applied to a and to the model.  Returns the status. */
static cc_status random_op(test_rng *r, cc_strarray *a, model *m, const char **name) {
    char buf[16];
    int op = (int)rng_range(r, 0, 8);
    if (op <= 2 && m->n < MAXN - 10) {
        *name = "append";
        cc_str s = random_str(r, buf);
        bool null = rng_chance(r, 20);
        cc_status st = cc_strarray_append(a, s, null);
        if (st == CC_OK) model_put(m, m->n++, buf, s.len, null);
        return st;
    }
    if (op == 3 && m->n) {
        *name = "set";
        int64_t i = rng_range(r, 0, m->n - 1);
        cc_str s = random_str(r, buf);
        bool null = rng_chance(r, 20);
        cc_status st = cc_strarray_set(a, i, s, null);
        if (st == CC_OK) {
            free(m->s[i]);
            model_put(m, i, buf, s.len, null);
        }
        return st;
    }
    if (op == 4 && m->n) {
        *name = "delete_strided";
        int64_t start = rng_range(r, 0, m->n - 1), step = rng_range(r, 1, 3);
        int64_t most = (m->n - 1 - start) / step + 1, count = rng_range(r, 1, most);
        if (rng_chance(r, 30)) { /* the same slots, walked backwards */
            start += (count - 1) * step;
            step = -step;
        }
        cc_status st = cc_strarray_delete_strided(a, start, step, count);
        if (st != CC_OK) return st;
        int64_t lo = step > 0 ? start : start + (count - 1) * step, s = step > 0 ? step : -step;
        int64_t w = 0;
        for (int64_t k = 0; k < m->n; k++) {
            if (k >= lo && (k - lo) % s == 0 && (k - lo) / s < count) {
                free(m->s[k]);
                continue;
            }
            m->s[w] = m->s[k], m->len[w] = m->len[k], m->null[w] = m->null[k], w++;
        }
        m->n = w;
        return st;
    }
    if (op == 5 && m->n < MAXN - 10) {
        *name = "splice";
        int64_t at = rng_range(r, 0, m->n), del = rng_range(r, 0, m->n - at);
        int64_t k = rng_range(r, 0, 4);
        cc_strarray src;
        cc_strarray_init(&src, true);
        model ms = {.n = 0};
        for (int64_t j = 0; j < k; j++) {
            cc_str s = random_str(r, buf);
            bool null = rng_chance(r, 20);
            test_alloc_fail_at(0);
            if (cc_strarray_append(&src, s, null) == CC_OK) model_put(&ms, ms.n++, buf, s.len, null);
        }
        cc_status st = cc_strarray_splice(a, at, del, &src);
        if (st == CC_OK) {
            model t = *m;
            int64_t w = at;
            for (int64_t j = at; j < at + del; j++) free(t.s[j]);
            for (int64_t j = 0; j < ms.n; j++)
                m->s[w] = ms.s[j], m->len[w] = ms.len[j], m->null[w] = ms.null[j], w++;
            for (int64_t j = at + del; j < t.n; j++)
                m->s[w] = t.s[j], m->len[w] = t.len[j], m->null[w] = t.null[j], w++;
            m->n = w;
        } else {
            model_free(&ms);
        }
        cc_strarray_reset(&src);
        return st;
    }
    if (op == 6) {
        *name = "sort";
        bool reverse = rng_chance(r, 50);
        cc_status st = cc_strarray_sort(a, reverse);
        if (st != CC_OK) return st;
        /* model: stable insertion sort of the valid strings, nulls after */
        model t = *m;
        int64_t w = 0;
        for (int64_t i = 0; i < t.n; i++) {
            if (t.null[i]) continue;
            int64_t j = w;
            while (j > 0) {
                int64_t l = m->len[j - 1] < t.len[i] ? m->len[j - 1] : t.len[i];
                int c = l ? memcmp(m->s[j - 1], t.s[i], (size_t)l) : 0;
                if (!c) c = (m->len[j - 1] > t.len[i]) - (m->len[j - 1] < t.len[i]);
                if (reverse ? c >= 0 : c <= 0) break;
                m->s[j] = m->s[j - 1], m->len[j] = m->len[j - 1], m->null[j] = false, j--;
            }
            m->s[j] = t.s[i], m->len[j] = t.len[i], m->null[j] = false, w++;
        }
        for (int64_t i = 0; i < t.n; i++)
            if (t.null[i]) m->s[w] = t.s[i], m->len[w] = 0, m->null[w] = true, w++;
        return st;
    }
    if (op == 7 && m->n) {
        *name = "reverse";
        cc_status st = cc_strarray_reverse(a);
        if (st != CC_OK) return st;
        for (int64_t i = 0, j = m->n - 1; i < j; i++, j--) {
            char *s = m->s[i];
            int64_t l = m->len[i];
            bool nl = m->null[i];
            m->s[i] = m->s[j], m->len[i] = m->len[j], m->null[i] = m->null[j];
            m->s[j] = s, m->len[j] = l, m->null[j] = nl;
        }
        return st;
    }
    if (op == 8 && m->n && m->n < MAXN / 2) {
        *name = "repeat";
        cc_status st = cc_strarray_repeat(a, 2);
        if (st != CC_OK) return st;
        for (int64_t i = 0; i < m->n; i++)
            model_put(m, m->n + i, m->s[i], m->len[i], m->null[i]);
        m->n *= 2;
        return st;
    }
    *name = "none";
    return CC_OK;
}

TEST(strarray_random_ops_match_the_model) {
    test_rng r;
    rng_seed(&r, test_seed() + 101);
    for (int round = 0; round < 120; round++) {
        cc_strarray a;
        cc_strarray_init(&a, true);
        static model m;
        m.n = 0;
        for (int step = 0; step < 250; step++) {
            const char *name;
            if (!CHECK_EQ(random_op(&r, &a, &m, &name), CC_OK) || !same(&a, &m, name)) {
                round = 1 << 20;
                break;
            }
        }
        cc_strarray_reset(&a);
        model_free(&m);
    }
}

TEST(strarray_allocation_failure_leaves_contents_unchanged) {
    test_rng r;
    rng_seed(&r, test_seed() + 102);
    static model m;
    int64_t failures = 0;
    for (int round = 0; round < 400; round++) {
        cc_strarray a;
        cc_strarray_init(&a, true);
        m.n = 0;
        for (int step = 0; step < 40; step++) {
            const char *name;
            test_alloc_fail_at(rng_range(&r, 1, 4));
            cc_status st = random_op(&r, &a, &m, &name);
            test_alloc_fail_at(0);
            if (!CHECK_MSG(st == CC_OK || st == CC_ENOMEM, "%s: status %d", name, st)) return;
            failures += st == CC_ENOMEM;
            if (!same(&a, &m, name)) return;
        }
        cc_strarray_reset(&a);
        model_free(&m);
    }
    CHECK(failures > 100);
}

TEST(strarray_scattered_assignments_compact_back) {
    cc_strarray a;
    cc_strarray_init(&a, false);
    for (int i = 0; i < 300; i++) { /* at most 3600 bytes: stays narrow */
        cc_str s = {(const uint8_t *)"abcdefgh", 8};
        if (!CHECK_EQ(cc_strarray_append(&a, s, false), CC_OK)) return;
    }
    CHECK(a.spans == NULL && !a.wide);
    test_rng r;
    rng_seed(&r, test_seed() + 103);
    bool was_scattered = false;
    for (int k = 0; k < 20000; k++) { /* every assignment changes a length */
        int64_t i = rng_range(&r, 0, 298), len = (k & 1) ? 12 : 3;
        cc_str s = {(const uint8_t *)"0123456789ab", len};
        if (!CHECK_EQ(cc_strarray_set(&a, i, s, false), CC_OK)) return;
        was_scattered |= a.spans != NULL;
        /* dead bytes never exceed live ones by more than one assignment */
        if (!CHECK(a.dead <= cc_strarray_live_bytes(&a) + 64 + 12)) return;
    }
    CHECK(was_scattered);
    CHECK_EQ(cc_strarray_compact(&a), CC_OK);
    cc_error err = {"", -1};
    CHECK(a.spans == NULL && a.dead == 0 && cc_strarray_validate(&a, &err) == CC_OK);
    cc_strarray_reset(&a);
}

TEST(strarray_exports_pin_the_layout) {
    cc_strarray a, src;
    cc_strarray_init(&a, true);
    cc_strarray_init(&src, true);
    cc_str ab = {(const uint8_t *)"ab", 2}, xy = {(const uint8_t *)"xy", 2},
           longer = {(const uint8_t *)"xyz", 3};
    for (int i = 0; i < 10; i++) CHECK_EQ(cc_strarray_append(&a, ab, false), CC_OK);
    CHECK_EQ(cc_strarray_append(&src, xy, false), CC_OK);
    const uint8_t *data = a.data;
    const void *offsets = a.offsets;
    a.exports = 1;
    CHECK_EQ(cc_strarray_append(&a, ab, false), CC_EBUSY);
    CHECK_EQ(cc_strarray_set(&a, 3, longer, false), CC_EBUSY);
    CHECK_EQ(cc_strarray_set(&a, 9, longer, false), CC_EBUSY); /* even the tail */
    CHECK_EQ(cc_strarray_delete_strided(&a, 0, 1, 1), CC_EBUSY);
    CHECK_EQ(cc_strarray_splice(&a, 0, 0, &src), CC_EBUSY);
    CHECK_EQ(cc_strarray_splice(&a, 2, 1, &src), CC_OK); /* same length: in place */
    CHECK_EQ(cc_strarray_set(&a, 4, xy, false), CC_OK);
    CHECK_EQ(cc_strarray_repeat(&a, 2), CC_EBUSY);
    CHECK_EQ(cc_strarray_sort(&a, false), CC_OK); /* same bytes, same buffers */
    CHECK_EQ(cc_strarray_reverse(&a), CC_OK);
    CHECK(a.data == data && a.offsets == offsets && a.spans == NULL && a.length == 10);
    cc_str first = cc_strarray_get(&a, 0);
    CHECK(first.len == 2 && memcmp(first.ptr, "xy", 2) == 0); /* reversed sort */
    a.exports = 0;
    cc_strarray_reset(&a);
    cc_strarray_reset(&src);
}

/* The elements of a as one string "ab|ab|-|..." ('-' for a null), to compare. */
static void flatten(const cc_strarray *a, char *out) {
    for (int64_t i = 0; i < a->length; i++) {
        cc_str s = cc_strarray_get(a, i);
        if (!cc_strarray_is_valid(a, i)) *out++ = '-';
        memcpy(out, s.ptr, (size_t)s.len);
        out += s.len;
        *out++ = '|';
    }
    *out = 0;
}

/* One write of every kind, on a shared array. */
typedef cc_status (*str_write)(cc_strarray *a, const cc_strarray *src);
static cc_status w_set_other_len(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_set(a, 4, (cc_str){(const uint8_t *)"xyz", 3}, false);
}
static cc_status w_set_null(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_set(a, 4, (cc_str){NULL, 0}, true);
}
static cc_status w_set_same_len(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_set(a, 4, (cc_str){(const uint8_t *)"qq", 2}, false);
}
static cc_status w_splice(cc_strarray *a, const cc_strarray *s) { return cc_strarray_splice(a, 2, 1, s); }
static cc_status w_extend(cc_strarray *a, const cc_strarray *s) { return cc_strarray_splice(a, a->length, 0, s); }
static cc_status w_scatter(cc_strarray *a, const cc_strarray *s) { return cc_strarray_scatter(a, 0, 3, s); }
static cc_status w_sort(cc_strarray *a, const cc_strarray *s) { (void)s; return cc_strarray_sort(a, false); }
static cc_status w_reverse(cc_strarray *a, const cc_strarray *s) { (void)s; return cc_strarray_reverse(a); }
static cc_status w_pop(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_delete_strided(a, a->length - 1, 1, 1);
}
static cc_status w_delete_middle(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_delete_strided(a, 1, 2, 3);
}
static cc_status w_append(cc_strarray *a, const cc_strarray *s) {
    (void)s;
    return cc_strarray_append(a, (cc_str){(const uint8_t *)"new", 3}, false);
}
static cc_status w_repeat(cc_strarray *a, const cc_strarray *s) { (void)s; return cc_strarray_repeat(a, 2); }
static cc_status w_clear(cc_strarray *a, const cc_strarray *s) { (void)s; return cc_strarray_repeat(a, 0); }
static cc_status w_shrink(cc_strarray *a, const cc_strarray *s) { (void)s; return cc_strarray_shrink_to_fit(a); }

TEST(strarray_shared_writes_copy_and_the_snapshot_keeps_its_strings) {
    static const struct { const char *name; str_write run; } writes[] = {
        {"set other length", w_set_other_len}, {"set null", w_set_null},
        {"set same length", w_set_same_len}, {"splice", w_splice}, {"extend", w_extend},
        {"scatter", w_scatter}, {"sort", w_sort}, {"reverse", w_reverse}, {"pop", w_pop},
        {"delete middle", w_delete_middle}, {"append", w_append}, {"repeat", w_repeat},
        {"clear", w_clear}, {"shrink", w_shrink},
    };
    cc_str ab = {(const uint8_t *)"ab", 2}, xy = {(const uint8_t *)"xy", 2};
    for (size_t k = 0; k < sizeof writes / sizeof writes[0]; k++) {
        cc_strarray a, ref, src, snap;
        cc_strarray_init(&a, true);
        cc_strarray_init(&ref, true);
        cc_strarray_init(&src, true);
        cc_strarray_init(&snap, true);
        for (int i = 0; i < 10; i++) {
            CHECK_EQ(cc_strarray_append(&a, i % 3 ? ab : xy, i == 5), CC_OK);
            CHECK_EQ(cc_strarray_append(&ref, i % 3 ? ab : xy, i == 5), CC_OK);
        }
        CHECK_EQ(cc_strarray_append(&src, xy, false), CC_OK);
        CHECK_EQ(cc_strarray_append(&src, ab, false), CC_OK);
        char before[512], after[512], want[512], got[512];
        flatten(&a, before);
        CHECK_EQ(cc_strarray_share_into(&a, &snap), CC_OK);
        CHECK(cc_strarray_is_shared(&a) && snap.data == a.data);
        cc_status ref_st = writes[k].run(&ref, &src), st = writes[k].run(&a, &src);
        CHECK_MSG(st == ref_st, "%s: %d shared, %d private", writes[k].name, st, ref_st);
        flatten(&ref, want);
        flatten(&a, got);
        CHECK_MSG(strcmp(want, got) == 0, "%s while shared gave %s, not %s", writes[k].name,
                  got, want);
        flatten(&snap, after);
        CHECK_MSG(strcmp(before, after) == 0, "%s changed the snapshot %s into %s",
                  writes[k].name, before, after);
        cc_error err;
        CHECK_EQ(cc_strarray_validate(&a, &err), CC_OK);
        CHECK_EQ(cc_strarray_validate(&snap, &err), CC_OK);
        cc_strarray_reset(&a), cc_strarray_reset(&ref), cc_strarray_reset(&src);
        cc_strarray_reset(&snap);
    }
}

TEST(strarray_bounds_are_checked) {
    cc_strarray a, src, out;
    cc_strarray_init(&a, true);
    cc_strarray_init(&src, true);
    cc_strarray_init(&out, true);
    cc_str ab = {(const uint8_t *)"ab", 2}, xy = {(const uint8_t *)"xy", 2};
    for (int i = 0; i < 10; i++) CHECK_EQ(cc_strarray_append(&a, i % 3 ? ab : xy, i == 5), CC_OK);
    CHECK_EQ(cc_strarray_append(&src, xy, false), CC_OK);
    char before[256], after[256];
    flatten(&a, before);
    int64_t order[10], bad_idx[2] = {0, 10};
    for (int i = 0; i < 10; i++) order[i] = 9 - i;
    (void)order;
    /* out-of-bounds arguments: CC_EINDEX, nothing changes */
    CHECK_EQ(cc_strarray_set(&a, 10, xy, false), CC_EINDEX);
    CHECK_EQ(cc_strarray_set(&a, -1, xy, false), CC_EINDEX);
    CHECK_EQ(cc_strarray_splice(&a, 11, 0, &src), CC_EINDEX);
    CHECK_EQ(cc_strarray_splice(&a, 9, 2, &src), CC_EINDEX);
    CHECK_EQ(cc_strarray_scatter(&a, 10, 1, &src), CC_EINDEX);
    CHECK_EQ(cc_strarray_delete_strided(&a, 9, 1, 2), CC_EINDEX);
    CHECK_EQ(cc_strarray_delete_strided(&a, 0, INT64_MAX / 2, 3), CC_EINDEX);
    CHECK_EQ(cc_strarray_gather(&a, 8, 1, 3, &out), CC_EINDEX);
    CHECK_EQ(cc_strarray_take(&a, bad_idx, 2, &out), CC_EINDEX);
    flatten(&a, after);
    CHECK_MSG(strcmp(before, after) == 0, "out-of-bounds calls changed %s into %s", before, after);
    CHECK_EQ(out.length, 0);
    cc_strarray_reset(&a);
    cc_strarray_reset(&src);
    cc_strarray_reset(&out);
}

TEST(strarray_offsets_switch_to_int64_past_the_narrow_limit) {
    /* compiled with CC_STR_NARROW_MAX = 4096 */
    cc_strarray a;
    cc_strarray_init(&a, false);
    char block[100];
    memset(block, 'q', sizeof block);
    cc_str s = {(const uint8_t *)block, 100};
    for (int i = 0; i < 40; i++) CHECK_EQ(cc_strarray_append(&a, s, false), CC_OK);
    CHECK(!a.wide && a.data_len == 4000);
    for (int i = 0; i < 2; i++) CHECK_EQ(cc_strarray_append(&a, s, false), CC_OK);
    CHECK(a.wide && a.data_len == 4200);
    cc_error err = {"", -1};
    CHECK(cc_strarray_validate(&a, &err) == CC_OK);
    CHECK_EQ(cc_strarray_offset(&a, 42), 4200);
    a.exports = 1; /* a pinned narrow array cannot widen */
    cc_strarray b;
    cc_strarray_init(&b, false);
    for (int i = 0; i < 40; i++) CHECK_EQ(cc_strarray_append(&b, s, false), CC_OK);
    b.exports = 1;
    CHECK_EQ(cc_strarray_set(&b, 39, (cc_str){(const uint8_t *)block, 100}, false), CC_OK);
    b.exports = 0;
    a.exports = 0;
    cc_strarray_reset(&a);
    cc_strarray_reset(&b);
}

static cc_str S(const char *s) { return (cc_str){(const uint8_t *)s, (int64_t)strlen(s)}; }

TEST(strarray_permute_and_shrink_to_fit) {
    cc_strarray a;
    cc_strarray_init(&a, true);
    const char *words[] = {"zero", "", "two", "three"};
    for (int i = 0; i < 4; i++) CHECK_EQ(cc_strarray_append(&a, S(words[i]), i == 1), CC_OK);
    int64_t order[] = {3, 1, 0, 2}, bad[] = {0, 4, 1, 2};
    CHECK_EQ(cc_strarray_permute(&a, bad), CC_EINDEX);
    a.exports = 1; /* same bytes: allowed while exported, in the same buffers */
    const uint8_t *data = a.data;
    CHECK_EQ(cc_strarray_permute(&a, order), CC_OK);
    a.exports = 0;
    cc_str s = cc_strarray_get(&a, 0);
    CHECK(a.data == data && a.null_count == 1 && !cc_strarray_is_valid(&a, 1));
    CHECK(s.len == 5 && memcmp(s.ptr, "three", 5) == 0);
    CHECK_EQ(cc_strarray_reserve(&a, 1000, 5000), CC_OK);
    CHECK_EQ(cc_strarray_shrink_to_fit(&a), CC_OK);
    cc_error err = {"", -1};
    CHECK(a.capacity == 4 && a.data_cap == 12 && cc_strarray_validate(&a, &err) == CC_OK);
    CHECK(test_alloc_size(a.data) >= (size_t)a.data_cap);
    a.exports = 1;
    CHECK_EQ(cc_strarray_shrink_to_fit(&a), CC_EBUSY);
    a.exports = 0;
    cc_strarray_reset(&a);
}

TEST(strarray_scans_match_a_byte_oracle) {
    cc_strarray a;
    cc_strarray_init(&a, true);
    /* "é" is 2 bytes, "中" 3, U+1F600 4: lengths count code points */
    const char *words[] = {"abc", "", "\xc3\xa9t\xc3\xa9", "\xe4\xb8\xad" "ab", "\xf0\x9f\x98\x80", "ab"};
    for (int i = 0; i < 6; i++) CHECK_EQ(cc_strarray_append(&a, S(words[i]), false), CC_OK);
    CHECK_EQ(cc_strarray_append(&a, S(""), true), CC_OK); /* a null */
    CHECK_EQ(cc_strarray_set(&a, 0, S("abcd"), false), CC_OK); /* scattered now */
    int64_t len[7], want_len[] = {4, 0, 3, 3, 1, 2, 0};
    cc_strarray_lengths(&a, len);
    for (int i = 0; i < 7; i++) CHECK_EQ(len[i], want_len[i]);
    uint8_t hit[7];
    uint8_t prefix_ab[] = {1, 0, 0, 0, 0, 1, 0}, contains_ab[] = {1, 0, 0, 1, 0, 1, 0},
            equals_ab[] = {0, 0, 0, 0, 0, 1, 0}, prefix_empty[] = {1, 1, 1, 1, 1, 1, 0};
    cc_strarray_match(&a, S("ab"), CC_MATCH_PREFIX, hit);
    CHECK(memcmp(hit, prefix_ab, 7) == 0);
    cc_strarray_match(&a, S("ab"), CC_MATCH_CONTAINS, hit);
    CHECK(memcmp(hit, contains_ab, 7) == 0);
    cc_strarray_match(&a, S("ab"), CC_MATCH_EQUALS, hit);
    CHECK(memcmp(hit, equals_ab, 7) == 0);
    cc_strarray_match(&a, S(""), CC_MATCH_PREFIX, hit);
    CHECK(memcmp(hit, prefix_empty, 7) == 0);
    cc_strarray_reset(&a);
}

TEST(strarray_empty_copy_then_insert_keeps_a_bitmap) {
    /* regression: an empty gather leaves capacity 0 with offsets; going
     * scattered then bumped the capacity to 1 without a validity bitmap */
    cc_strarray a, empty, one;
    cc_strarray_init(&a, true);
    cc_strarray_init(&empty, true);
    cc_strarray_init(&one, true);
    CHECK_EQ(cc_strarray_append(&a, S("x"), false), CC_OK);
    CHECK_EQ(cc_strarray_append(&one, S(""), true), CC_OK);
    CHECK_EQ(cc_strarray_gather(&a, 0, 1, 0, &empty), CC_OK);
    CHECK_EQ(cc_strarray_splice(&empty, 0, 0, &one), CC_OK);
    CHECK_EQ(cc_strarray_splice(&empty, 0, 0, &a), CC_OK);
    cc_error err = {"", -1};
    CHECK(empty.length == 2 && empty.null_count == 1 && cc_strarray_validate(&empty, &err) == CC_OK);
    cc_strarray_reset(&a);
    cc_strarray_reset(&empty);
    cc_strarray_reset(&one);
}

TEST(strarray_append_arrow_checks_then_copies) {
    cc_strarray a;
    cc_strarray_init(&a, true);
    CHECK_EQ(cc_strarray_append(&a, S("pre"), false), CC_OK);
    const uint8_t *data = (const uint8_t *)"xxab\xc3\xa9" "cd";
    int32_t ok[] = {2, 4, 6, 8}; /* "ab", "é", "cd" after a 2-byte lead-in */
    int64_t wide_ok[] = {2, 4, 6, 8};
    cc_error err;
    int32_t back[] = {2, 6, 4, 8}, split[] = {2, 5, 6, 8}; /* decreasing; inside "é" */
    CHECK_EQ(cc_strarray_append_arrow(&a, back, false, 3, data, &err), CC_EINVAL);
    CHECK_EQ(err.index, 1);
    CHECK_EQ(cc_strarray_append_arrow(&a, split, false, 3, data, &err), CC_EINVAL);
    CHECK_EQ(err.index, 1);
    CHECK(a.length == 1 && a.data_len == 3);
    CHECK_EQ(cc_strarray_append_arrow(&a, ok, false, 3, data, &err), CC_OK);
    CHECK_EQ(cc_strarray_append_arrow(&a, wide_ok, true, 3, data, &err), CC_OK);
    cc_str e = cc_strarray_get(&a, 5);
    CHECK(a.length == 7 && e.len == 2 && memcmp(e.ptr, "\xc3\xa9", 2) == 0);
    CHECK(cc_strarray_validate(&a, &err) == CC_OK && cc_strarray_is_valid(&a, 6));
    /* a bad byte after a long ASCII run (the 16-byte fast path) */
    char text[41];
    memset(text, 'q', 40);
    text[40] = 0;
    text[35] = (char)0xff;
    int32_t whole[] = {0, 40};
    CHECK_EQ(cc_strarray_append_arrow(&a, whole, false, 1, (const uint8_t *)text, &err), CC_EINVAL);
    CHECK(err.index == 0 && a.length == 7);
    CHECK_EQ(cc_strarray_set(&a, 1, S("longer than before"), false), CC_OK); /* scattered */
    CHECK_EQ(cc_strarray_append_arrow(&a, ok, false, 3, data, &err), CC_EINVAL);
    cc_strarray_reset(&a);
}

TEST(utf8_validator_rejects_what_python_would_not_decode) {
    CHECK(cc_utf8_valid((const uint8_t *)"", 0));
    CHECK(cc_utf8_valid((const uint8_t *)"a\0b", 3));
    CHECK(cc_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
    CHECK(cc_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
    CHECK(!cc_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
    CHECK(!cc_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!cc_utf8_valid((const uint8_t *)"\xc0\xaf", 2));         /* overlong */
    CHECK(!cc_utf8_valid((const uint8_t *)"\xe4\xb8", 2));         /* truncated */
    CHECK(!cc_utf8_valid((const uint8_t *)"\x80", 1));             /* lone continuation */
    CHECK(!cc_utf8_valid((const uint8_t *)"\xff", 1));
}

int main(int argc, char **argv) { return test_main(argc, argv); }
