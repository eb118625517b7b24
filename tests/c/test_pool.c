/* test_pool.c -- the string interner and the core hash: dense ids in order
 * of first appearance, lookups, allocation failures that change nothing a
 * caller can see, and the hash pinned (saved tables depend on it). */
#include "cc_pool.h"
#include "test_alloc.h"
TEST(pool_interns_each_string_once_with_dense_ids) {
    cc_pool p; cc_pool_init(&p);
    char buf[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(buf, sizeof buf, "key-%d", i);
            int64_t id; bool added;
            if (!CHECK_EQ(cc_pool_intern(&p, (cc_str){(const uint8_t *)buf, n}, &id, &added), CC_OK)) return;
            CHECK_EQ(id, i); CHECK_EQ(added, round == 0);
        }
    CHECK_EQ(cc_pool_size(&p), 5000);
    CHECK_EQ(cc_pool_find(&p, (cc_str){(const uint8_t *)"key-4999", 8}), 4999);
    CHECK_EQ(cc_pool_find(&p, (cc_str){(const uint8_t *)"nope", 4}), -1);
    int64_t id; bool added;
    CHECK_EQ(cc_pool_intern(&p, (cc_str){(const uint8_t *)"", 0}, &id, &added), CC_OK);
    CHECK(added && id == 5000 && cc_pool_find(&p, (cc_str){(const uint8_t *)"x", 0}) == 5000);
    const char *why; CHECK(cc_pool_validate(&p, &why) == CC_OK);
    cc_pool_reset(&p);
}
TEST(pool_allocation_failure_changes_nothing_visible) {
    cc_pool p; cc_pool_init(&p);
    char buf[32]; int64_t failures = 0, expect = 0;
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "s%d", i);
        int64_t id; bool added;
        test_alloc_fail_at(1 + i % 3);
        cc_status st = cc_pool_intern(&p, (cc_str){(const uint8_t *)buf, n}, &id, &added);
        test_alloc_fail_at(0);
        if (st == CC_ENOMEM) { failures++; CHECK_EQ(cc_pool_find(&p, (cc_str){(const uint8_t *)buf, n}), -1); }
        else { CHECK_EQ(st, CC_OK); CHECK_EQ(id, expect); expect++; }
        CHECK_EQ(cc_pool_size(&p), expect);
    }
    const char *why; CHECK(failures > 0 && cc_pool_validate(&p, &why) == CC_OK);
    cc_pool_reset(&p);
}
TEST(hash_is_deterministic_and_length_sensitive) {
    CHECK(cc_hash_bytes("a", 1) != cc_hash_bytes("a\0", 2));
    CHECK(cc_hash_bytes("", 0) == cc_hash_bytes("", 0));
    CHECK(cc_hash_bytes("hello world!", 12) == cc_hash_bytes("hello world!", 12));
    /* pinned: pickled tables depend on these values never changing */
    CHECK(cc_hash_bytes("compactcol", 10) == 0xecb7ba3dcfe9c847ull);
    CHECK(cc_hash_bytes("", 0) == cc_hash_bytes(NULL, 0));
}
int main(int argc, char **argv) { return test_main(argc, argv); }

