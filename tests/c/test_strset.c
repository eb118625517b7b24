/* test_strset.c -- the ordered string set (StrDict's keys, StringPool):
 * dense ids in insertion order, random insert / remove / compact against a
 * naive model (with backward-shift deletion checked by validate after every
 * step), allocation failures that change nothing a caller can see, and the
 * hash pinned (saved tables depend on it). */
#include "cc_strset.h"
#include "test_alloc.h"

#include <stdlib.h>

static cc_str key_of(char *buf, int64_t k) {
    int n = snprintf(buf, 32, "key-%" PRId64, k);
    return (cc_str){(const uint8_t *)buf, n};
}

static bool valid(const cc_strset *s) {
    cc_error err = {"", -1};
    return CHECK_MSG(cc_strset_validate(s, &err) == CC_OK, "invariant: %s", err.why);
}

TEST(strset_as_a_pool_gives_dense_ids_in_first_seen_order) {
    cc_strset s;
    cc_strset_init(&s);
    char buf[32];
    for (int round = 0; round < 2; round++)
        for (int64_t i = 0; i < 5000; i++) {
            int64_t id;
            bool added;
            if (!CHECK_EQ(cc_strset_insert(&s, key_of(buf, i), &id, &added), CC_OK)) return;
            CHECK_EQ(id, i);
            CHECK_EQ(added, round == 0);
        }
    CHECK_EQ(cc_strset_live(&s), 5000);
    CHECK_EQ(cc_strset_find(&s, key_of(buf, 4999)), 4999);
    CHECK_EQ(cc_strset_find(&s, (cc_str){(const uint8_t *)"nope", 4}), -1);
    int64_t id;
    bool added;
    CHECK_EQ(cc_strset_insert(&s, (cc_str){(const uint8_t *)"", 0}, &id, &added), CC_OK);
    CHECK(added && id == 5000);
    CHECK_EQ(cc_strset_find(&s, (cc_str){NULL, 0}), 5000);
    valid(&s);
    cc_strset_reset(&s);
}

TEST(strset_truncate_forgets_the_newest_entries) {
    cc_strset s;
    cc_strset_init(&s);
    char buf[32];
    int64_t id;
    bool added;
    for (int64_t i = 0; i < 3000; i++)
        if (!CHECK_EQ(cc_strset_insert(&s, key_of(buf, i), &id, &added), CC_OK)) return;
    CHECK_EQ(cc_strset_remove(&s, 2500), CC_OK); /* a tombstone inside the cut */
    CHECK_EQ(cc_strset_remove(&s, 10), CC_OK);   /* and one before it */
    CHECK_EQ(cc_strset_truncate(&s, 3001), CC_EINDEX);
    CHECK_EQ(cc_strset_truncate(&s, 2000), CC_OK);
    CHECK(cc_strset_entries(&s) == 2000 && cc_strset_live(&s) == 1999 && valid(&s));
    CHECK_EQ(cc_strset_find(&s, key_of(buf, 1999)), 1999);
    CHECK_EQ(cc_strset_find(&s, key_of(buf, 2000)), -1);
    CHECK_EQ(cc_strset_find(&s, key_of(buf, 10)), -1);
    CHECK_EQ(cc_strset_insert(&s, key_of(buf, 2999), &id, &added), CC_OK);
    CHECK(added && id == 2000 && valid(&s)); /* ids continue densely */
    s.keys.exports = 1;
    CHECK_EQ(cc_strset_truncate(&s, 0), CC_EBUSY);
    /* a pickle's buffers share the arena: compaction must wait, removal not */
    const uint8_t *arena = s.keys.data;
    CHECK_EQ(cc_strset_remove(&s, 5), CC_OK);
    CHECK_EQ(cc_strset_compact(&s, NULL), CC_EBUSY);
    CHECK(s.keys.data == arena && s.removed_count == 2 && valid(&s));
    s.keys.exports = 0;
    CHECK_EQ(cc_strset_compact(&s, NULL), CC_OK);
    CHECK(s.removed_count == 0 && cc_strset_live(&s) == 1999 && valid(&s));
    cc_strset_reset(&s);
}

/* Model: keys by insertion, -1 when removed; ids are positions. */
typedef struct {
    int64_t key[20000];
    int64_t n;
} model;

TEST(strset_random_insert_remove_compact_match_the_model) {
    test_rng r;
    rng_seed(&r, test_seed() + 201);
    static model m;
    char buf[32];
    for (int round = 0; round < 20; round++) {
        cc_strset s;
        cc_strset_init(&s);
        m.n = 0;
        for (int step = 0; step < 2000; step++) {
            int64_t k = rng_range(&r, 0, 300), id;
            int op = (int)rng_range(&r, 0, 9);
            int64_t want = -1;
            for (int64_t i = 0; i < m.n; i++)
                if (m.key[i] == k) want = i;
            if (op < 5) {
                bool added;
                if (!CHECK_EQ(cc_strset_insert(&s, key_of(buf, k), &id, &added), CC_OK)) return;
                CHECK_EQ(added, want < 0);
                if (want < 0) m.key[want = m.n++] = k;
                CHECK_EQ(id, want);
            } else if (op < 9) {
                CHECK_EQ(cc_strset_find(&s, key_of(buf, k)), want);
                if (want >= 0) {
                    if (!CHECK_EQ(cc_strset_remove(&s, want), CC_OK)) return;
                    m.key[want] = -1;
                    CHECK_EQ(cc_strset_remove(&s, want), CC_EINDEX);
                }
            } else {
                int64_t survivors[20000], w = 0;
                if (!CHECK_EQ(cc_strset_compact(&s, survivors), CC_OK)) return;
                for (int64_t i = 0; i < m.n; i++)
                    if (m.key[i] >= 0) {
                        CHECK_EQ(survivors[w], i);
                        m.key[w++] = m.key[i];
                    }
                m.n = w;
                CHECK_EQ(s.removed_count, 0);
            }
            if (!valid(&s) || !CHECK_EQ(cc_strset_entries(&s), m.n)) return;
        }
        for (int64_t i = 0; i < m.n; i++) /* the order is insertion order */
            if (m.key[i] >= 0) CHECK_EQ(cc_strset_find(&s, key_of(buf, m.key[i])), i);
        cc_strset_reset(&s);
    }
}

TEST(strset_allocation_failure_changes_nothing_visible) {
    cc_strset s;
    cc_strset_init(&s);
    char buf[32];
    int64_t failures = 0;
    for (int64_t i = 0; i < 3000; i++) {
        int64_t id, entries = cc_strset_entries(&s), live = cc_strset_live(&s);
        bool added;
        test_alloc_fail_at(1 + i % 3);
        cc_status st = cc_strset_insert(&s, key_of(buf, i), &id, &added);
        test_alloc_fail_at(0);
        if (st == CC_ENOMEM) {
            failures++;
            CHECK_EQ(cc_strset_find(&s, key_of(buf, i)), -1);
            CHECK_EQ(cc_strset_entries(&s), entries);
        } else {
            CHECK_EQ(st, CC_OK);
            CHECK_EQ(id, entries); /* the next id, whatever was removed */
        }
        if (i % 7 || cc_strset_live(&s) < 2) continue;
        /* removals and compactions under failure, too */
        int64_t victim = cc_strset_find(&s, key_of(buf, i - 1));
        live = cc_strset_live(&s);
        test_alloc_fail_at(1);
        st = victim >= 0 ? cc_strset_remove(&s, victim) : cc_strset_compact(&s, NULL);
        test_alloc_fail_at(0);
        CHECK(st == CC_OK || st == CC_ENOMEM);
        failures += st == CC_ENOMEM;
        if (st == CC_ENOMEM) {
            CHECK_EQ(cc_strset_live(&s), live);
            if (victim >= 0) CHECK_EQ(cc_strset_find(&s, key_of(buf, i - 1)), victim);
        }
        if (!valid(&s)) return;
    }
    CHECK(failures > 100);
    cc_strset_reset(&s);
}

TEST(hash_is_deterministic_and_length_sensitive) {
    CHECK(cc_hash_bytes("a", 1) != cc_hash_bytes("a\0", 2));
    CHECK(cc_hash_bytes("hello world!", 12) == cc_hash_bytes("hello world!", 12));
    CHECK(cc_hash_bytes("compactcol", 10) == 0xecb7ba3dcfe9c847ull);
    CHECK(cc_hash_bytes("", 0) == cc_hash_bytes(NULL, 0));
}

int main(int argc, char **argv) { return test_main(argc, argv); }
