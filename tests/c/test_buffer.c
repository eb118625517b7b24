/* test_buffer.c -- copy-on-write buffers (cc_buffer.c) and the containers
 * that share them:
 *
 *   cc_buffer      own / foreign / ref / unref: an owned block is freed and a
 *                  foreign release runs exactly once, with the last reference
 *   cc_slot_*      share wraps a private block (one allocation); unshare
 *                  takes the block back when the container is its sole owner
 *                  (same pointer, no allocation) and otherwise copies the
 *                  `used` bytes (zero_rest honoured), the other holders
 *                  keeping the old block; drop; share_into; every
 *                  allocation failure leaves the slot unchanged
 *   writes         cc_numarray and cc_strarray sharing their buffers with a
 *                  second array (cc_*_share_into): every write, with each
 *                  of its allocations failing in turn, gives either CC_OK
 *                  and the result the same write gives on a private copy,
 *                  or CC_ENOMEM with the values unchanged (the array may
 *                  have become private: values matter, not pointers); the
 *                  other array keeps its values; both validate; no leaks
 *   adopt          arrays over foreign buffers (a producer's, released by a
 *                  callback): read in place, copied by the first write,
 *                  released once when the adopter and every snapshot are
 *                  gone; cc_strarray_adopt's checks and rebasing
 */
#include "cc_strarray.h"
#include "cc_strset.h"
#include "test_util.h"

/* ---- cc_buffer ------------------------------------------------------------------- */

static int released;     /* foreign releases so far */
static void *released_owner;

static void count_release(void *owner) {
    released++;
    released_owner = owner;
}

/* A foreign release that frees a plain malloc block (a producer's memory,
 * not ours: the allocator must never see it). */
static void free_release(void *owner) {
    released++;
    free(owner);
}

TEST(owned_buffers_free_their_block_with_the_last_reference) {
    int64_t live = test_alloc_live();
    void *block = cc_malloc(32);
    cc_buffer *b = cc_buffer_own(block);
    if (!CHECK(b)) return;
    CHECK_EQ(cc_buffer_refs(b), 1);
    CHECK(cc_buffer_sole_owner(b));
    CHECK_EQ(test_alloc_live(), live + 2); /* the block and the struct */
    cc_buffer_ref(b);
    CHECK_EQ(cc_buffer_refs(b), 2);
    CHECK(!cc_buffer_sole_owner(b));
    cc_buffer_unref(b);
    CHECK_EQ(cc_buffer_refs(b), 1);
    CHECK(cc_buffer_sole_owner(b));
    CHECK_EQ(test_alloc_live(), live + 2);
    cc_buffer_unref(b);
    CHECK_EQ(test_alloc_live(), live);
    cc_buffer_unref(NULL); /* ignored */

    block = cc_malloc(8); /* no struct: the block stays the caller's */
    test_alloc_fail_at(1);
    CHECK(cc_buffer_own(block) == NULL);
    test_alloc_fail_at(0);
    CHECK_EQ(test_alloc_size(block), 8);
    cc_free(block);
    CHECK_EQ(test_alloc_live(), live);
}

TEST(a_foreign_release_runs_once_at_the_last_unref) {
    int64_t live = test_alloc_live();
    int owner;
    released = 0;
    cc_buffer *b = cc_buffer_foreign(count_release, &owner);
    if (!CHECK(b)) return;
    CHECK_EQ(cc_buffer_refs(b), 1);
    CHECK(!cc_buffer_sole_owner(b)); /* not a block we may take back */
    for (int i = 0; i < 5; i++) cc_buffer_ref(b);
    CHECK_EQ(cc_buffer_refs(b), 6);
    for (int i = 0; i < 5; i++) {
        cc_buffer_unref(b);
        CHECK_EQ(released, 0);
    }
    CHECK_EQ(cc_buffer_refs(b), 1);
    cc_buffer_unref(b);
    CHECK_EQ(released, 1);
    CHECK(released_owner == &owner);
    CHECK_EQ(test_alloc_live(), live);

    test_alloc_fail_at(1); /* no struct: release is not called */
    CHECK(cc_buffer_foreign(count_release, &owner) == NULL);
    test_alloc_fail_at(0);
    CHECK_EQ(released, 1);
    CHECK_EQ(test_alloc_live(), live);
}

/* ---- slots ------------------------------------------------------------------------ */

TEST(slot_share_wraps_a_private_block_once) {
    int64_t live = test_alloc_live();
    uint8_t *ptr = NULL;
    cc_buffer *share = NULL, *out = (cc_buffer *)1;
    CHECK_EQ(cc_slot_share(&ptr, &share, 0, &out), CC_OK); /* nothing to share */
    CHECK(!out && !share && !ptr && test_alloc_live() == live);

    ptr = cc_malloc(16);
    memset(ptr, 7, 16);
    uint8_t *p0 = ptr;
    test_alloc_fail_at(1);
    CHECK_EQ(cc_slot_share(&ptr, &share, 16, &out), CC_ENOMEM);
    test_alloc_fail_at(0);
    CHECK(ptr == p0 && !share && !out && test_alloc_live() == live + 1); /* unchanged */

    CHECK_EQ(cc_slot_share(&ptr, &share, 16, &out), CC_OK);
    CHECK(ptr == p0 && share && out == share && cc_buffer_refs(share) == 2);
    CHECK_EQ(test_alloc_live(), live + 2); /* the wrapper */
    cc_buffer *again;
    CHECK_EQ(cc_slot_share(&ptr, &share, 16, &again), CC_OK); /* no second wrapper */
    CHECK(again == share && cc_buffer_refs(share) == 3 && test_alloc_live() == live + 2);
    cc_buffer_unref(again);
    cc_buffer_unref(out);
    CHECK_EQ(cc_buffer_refs(share), 1);
    cc_slot_drop(&ptr, &share);
    CHECK(!ptr && !share && test_alloc_live() == live);

    ptr = cc_malloc(4); /* a private block is freed */
    cc_slot_drop(&ptr, &share);
    CHECK(!ptr && !share && test_alloc_live() == live);
    cc_slot_drop(&ptr, &share); /* nothing: harmless */
}

TEST(slot_unshare_reclaims_as_sole_owner_and_copies_otherwise) {
    int64_t live = test_alloc_live();
    uint8_t *ptr = NULL;
    cc_buffer *share = NULL, *out;
    CHECK_EQ(cc_slot_unshare(&ptr, &share, 0, 0, false), CC_OK); /* no share: no-op */

    ptr = cc_malloc(16);
    for (int i = 0; i < 16; i++) ptr[i] = (uint8_t)(i + 1);
    uint8_t *p0 = ptr;
    if (!CHECK_EQ(cc_slot_share(&ptr, &share, 16, &out), CC_OK)) return;
    cc_buffer_unref(out); /* the snapshot is gone */
    int64_t calls = test_alloc_calls();
    CHECK_EQ(cc_slot_unshare(&ptr, &share, 10, 16, true), CC_OK);
    CHECK(ptr == p0 && !share); /* taken back: same pointer, no copy */
    CHECK_EQ(test_alloc_calls(), calls);
    CHECK_EQ(test_alloc_live(), live + 1);
    for (int i = 0; i < 16; i++) CHECK_EQ(ptr[i], i + 1); /* nothing zeroed */

    for (int zero_rest = 0; zero_rest < 2; zero_rest++) {
        if (!CHECK_EQ(cc_slot_share(&ptr, &share, 16, &out), CC_OK)) return;
        cc_buffer *held = share;
        uint8_t *old = ptr;
        test_alloc_fail_at(1); /* the copy fails: unchanged */
        CHECK_EQ(cc_slot_unshare(&ptr, &share, 10, 24, zero_rest), CC_ENOMEM);
        CHECK(!test_alloc_armed());
        test_alloc_fail_at(0);
        CHECK(ptr == old && share == held && cc_buffer_refs(held) == 2);
        CHECK_EQ(cc_slot_unshare(&ptr, &share, 10, 24, zero_rest), CC_OK);
        CHECK(ptr != old && !share && cc_buffer_refs(out) == 1);
        CHECK_EQ(test_alloc_size(ptr), 24);
        CHECK(memcmp(ptr, old, 10) == 0);
        if (zero_rest)
            for (int i = 10; i < 24; i++) CHECK_EQ(ptr[i], 0);
        for (int i = 0; i < 16; i++) CHECK_EQ(old[i], i + 1); /* the snapshot's */
        old[0] = 99; /* the holder may do as it likes with its block */
        CHECK_EQ(ptr[0], 1);
        old[0] = 1;
        cc_buffer_unref(out); /* the snapshot goes: frees the old block */
        CHECK_EQ(test_alloc_live(), live + 1);
        for (int i = 0; i < 16; i++) ptr[i] = (uint8_t)(i + 1);
    }
    /* a capacity below `used` is raised to it */
    if (!CHECK_EQ(cc_slot_share(&ptr, &share, 24, &out), CC_OK)) return;
    uint8_t *old = ptr;
    CHECK_EQ(cc_slot_unshare(&ptr, &share, 12, 4, false), CC_OK);
    CHECK(ptr != old && cc_buffer_refs(out) == 1);
    CHECK_EQ(test_alloc_size(ptr), 12);
    CHECK(memcmp(ptr, old, 12) == 0);
    cc_buffer_unref(out);
    cc_slot_drop(&ptr, &share);
    CHECK_EQ(test_alloc_live(), live);
}

TEST(slot_unshare_copies_foreign_memory_and_releases_it_once) {
    int64_t live = test_alloc_live();
    uint8_t *foreign = malloc(8);
    memcpy(foreign, "producer", 8);
    released = 0;
    cc_buffer *share = cc_buffer_foreign(free_release, foreign);
    if (!CHECK(share)) return;
    uint8_t *ptr = foreign + 2; /* inside it, as an adopted slice would be */
    /* the only reference, but not a block we may take back */
    CHECK_EQ(cc_slot_unshare(&ptr, &share, 6, 6, false), CC_OK);
    CHECK(!share && ptr != foreign + 2 && memcmp(ptr, "oducer", 6) == 0);
    CHECK_EQ(released, 1);
    cc_slot_drop(&ptr, &share);
    CHECK_EQ(test_alloc_live(), live);
}

TEST(slot_share_into_gives_a_second_holder_the_same_memory) {
    int64_t live = test_alloc_live();
    uint8_t *src = cc_malloc(8), *dst = NULL;
    memcpy(src, "abcdefgh", 8);
    cc_buffer *src_share = NULL, *dst_share = NULL;
    test_alloc_fail_at(1);
    CHECK_EQ(cc_slot_share_into(&src, &src_share, 8, &dst, &dst_share), CC_ENOMEM);
    test_alloc_fail_at(0);
    CHECK(!src_share && !dst && !dst_share);
    CHECK_EQ(cc_slot_share_into(&src, &src_share, 8, &dst, &dst_share), CC_OK);
    CHECK(dst == src && dst_share == src_share && cc_buffer_refs(src_share) == 2);
    /* the first writer copies, the second is then the sole owner */
    uint8_t *orig = src;
    CHECK_EQ(cc_slot_unshare(&src, &src_share, 8, 8, false), CC_OK);
    src[0] = 'X';
    CHECK(src != orig && dst[0] == 'a');
    CHECK_EQ(cc_slot_unshare(&dst, &dst_share, 8, 8, false), CC_OK);
    CHECK(dst == orig && !dst_share);
    cc_slot_drop(&src, &src_share);
    cc_slot_drop(&dst, &dst_share);
    CHECK_EQ(test_alloc_live(), live);
}

/* ---- numarray writes under failing allocations -------------------------------------- */

static bool num_valid_at(const cc_numarray *a, const char *ctx, const char *file, int line) {
    cc_error err = {"", -1};
    if (cc_numarray_validate(a, &err) != CC_OK)
        return test_fail(file, line, "%s: cc_numarray_validate: %s", ctx, err.why);
    return true;
}
#define NUM_VALID(a, ctx) num_valid_at((a), (ctx), __FILE__, __LINE__)

typedef struct num_op {
    const char *name;
    cc_status (*fn)(cc_numarray *a, const cc_numarray *src);
} num_op;

static cc_status op_set(cc_numarray *a, const cc_numarray *src) {
    cc_scalar s = S_INT(-5);
    return cc_numarray_set(a, 3, &s);
}
static cc_status op_set_null(cc_numarray *a, const cc_numarray *src) {
    cc_scalar s = a->nullable ? S_NULL() : S_INT(0);
    return cc_numarray_set(a, 4, &s);
}
static cc_status op_set_widening(cc_numarray *a, const cc_numarray *src) {
    cc_scalar s = S_INT(100000);
    return cc_numarray_set(a, 2, &s);
}
static cc_status op_append(cc_numarray *a, const cc_numarray *src) { return push(a, S_INT(7)); }
static cc_status op_append_widening(cc_numarray *a, const cc_numarray *src) {
    return push(a, S_INT((int64_t)1 << 40));
}
static cc_status op_append_converted(cc_numarray *a, const cc_numarray *src) {
    const int16_t v[] = {1, -2, 3, 4};
    cc_error err;
    return cc_numarray_append_converted(a, CC_INT16, v, 4, &err);
}
static cc_status op_insert(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_splice(a, 2, 0, src);
}
static cc_status op_splice(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_splice(a, 1, 6, src);
}
static cc_status op_delete(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_delete_strided(a, 1, 3, 5);
}
static cc_status op_delete_most(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_delete_strided(a, 0, 1, a->length - 2); /* shrinks the buffer */
}
static cc_status op_sort(cc_numarray *a, const cc_numarray *src) { return cc_numarray_sort(a, false); }
static cc_status op_sort_reverse(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_sort(a, true);
}
static cc_status op_reverse(cc_numarray *a, const cc_numarray *src) { return cc_numarray_reverse(a); }
static cc_status op_scatter(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_scatter(a, 0, 2, src);
}
static cc_status op_repeat(cc_numarray *a, const cc_numarray *src) { return cc_numarray_repeat(a, 3); }
static cc_status op_repeat_zero(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_repeat(a, 0);
}
static cc_status op_widen(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_widen(a, CC_INT32);
}
static cc_status op_permute(cc_numarray *a, const cc_numarray *src) {
    int64_t perm[64];
    for (int64_t i = 0; i < a->length; i++) perm[i] = (i * 7) % a->length;
    return cc_numarray_permute(a, perm);
}
static cc_status op_reserve(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_reserve(a, a->length + 40);
}
static cc_status op_shrink(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_shrink_to_fit(a);
}
static cc_status op_append_zeros(cc_numarray *a, const cc_numarray *src) {
    void *first;
    return cc_numarray_append_zeros(a, 3, &first);
}
static cc_status op_own(cc_numarray *a, const cc_numarray *src) { return cc_numarray_own(a); }
static cc_status op_gather_into(cc_numarray *a, const cc_numarray *src) {
    return cc_numarray_gather(src, 0, 1, src->length, a);
}
static cc_status op_take_into(cc_numarray *a, const cc_numarray *src) {
    const int64_t idx[] = {3, 0, 3};
    return cc_numarray_take(src, idx, 3, a);
}

static const num_op num_ops[] = {
    {"set", op_set}, {"set null", op_set_null}, {"set widening", op_set_widening},
    {"append", op_append}, {"append widening", op_append_widening},
    {"append_converted", op_append_converted}, {"insert", op_insert}, {"splice", op_splice},
    {"delete", op_delete}, {"delete most", op_delete_most}, {"sort", op_sort},
    {"sort reverse", op_sort_reverse}, {"reverse", op_reverse}, {"scatter", op_scatter},
    {"repeat", op_repeat}, {"repeat 0", op_repeat_zero}, {"widen", op_widen},
    {"permute", op_permute}, {"reserve", op_reserve}, {"shrink_to_fit", op_shrink},
    {"append_zeros", op_append_zeros}, {"own", op_own}, {"gather into", op_gather_into},
    {"take into", op_take_into},
};

/* n values (i * 37) % 101 - 50, every fifth a null when nullable. */
static void make_num(cc_numarray *a, cc_dtype dt, bool adaptive, bool nullable, int64_t n) {
    cc_numarray_init(a, dt, adaptive, nullable);
    for (int64_t i = 0; i < n; i++)
        if (!CHECK_ST(push(a, nullable && i % 5 == 3 ? S_NULL() : S_INT((i * 37) % 101 - 50)),
                      CC_OK))
            return;
}

static void cc_free_release(void *owner) {
    released++;
    cc_free(owner);
}

/* A producer's copy of n bytes at p (a cc_malloc block, so the allocator
 * still sizes it) behind a foreign buffer; NULL share if p is NULL. */
static cc_buffer *producer_copy(const void *p, size_t n, size_t room, uint8_t **out) {
    uint8_t *block = cc_malloc(room ? room : 1);
    memset(block, 0, room ? room : 1);
    if (n) memcpy(block, p, n);
    *out = block;
    return cc_buffer_foreign(cc_free_release, block);
}

/* a = base's values adopted over a producer's copies, the bitmap with its
 * bits past the length set (Arrow allows them). */
static cc_status adopt_num_copy(cc_numarray *a, const cc_numarray *base) {
    cc_numarray_init_like(a, base);
    uint8_t *data, *bits = NULL;
    cc_buffer *db = producer_copy(base->data, (size_t)base->length * (size_t)cc_numarray_itemsize(base),
                                  (size_t)base->length * (size_t)cc_numarray_itemsize(base), &data);
    cc_buffer *vb = NULL;
    if (base->nullable) {
        size_t nb = (size_t)cc_bitmap_bytes(base->length);
        vb = producer_copy(base->validity, nb, nb, &bits);
        cc_bitmap_fill(bits, base->length, (int64_t)nb * 8 - base->length, true);
    }
    cc_status st = cc_numarray_adopt(a, base->length, data, db, bits, vb, base->null_count);
    cc_buffer_unref(db);
    cc_buffer_unref(vb);
    return st;
}

TEST(shared_numarray_writes_under_failing_allocations) {
    struct { cc_dtype dt; bool adaptive, nullable; } kinds[] = {
        {CC_INT8, true, true}, {CC_INT8, true, false}, {CC_INT64, false, true},
        {CC_INT32, false, false},
    };
    for (size_t kd = 0; kd < sizeof kinds / sizeof kinds[0]; kd++)
        for (size_t o = 0; o < sizeof num_ops / sizeof num_ops[0]; o++)
            for (int writer = 0; writer < 4; writer++) { /* 2, 3: adopted */
                const num_op *op = &num_ops[o];
                int64_t before = test_alloc_live();
                cc_numarray base, src, expect;
                make_num(&base, kinds[kd].dt, kinds[kd].adaptive, kinds[kd].nullable, 23);
                make_num(&src, kinds[kd].dt, kinds[kd].adaptive, kinds[kd].nullable, 4);
                /* the result on a private copy: what a shared one must give */
                CHECK_EQ(clone_array(&expect, &base), CC_OK);
                cc_status want = op->fn(&expect, &src);
                char ctx[96];
                snprintf(ctx, sizeof ctx, "%s on %s%s%s, writer %d", op->name,
                         dt_name(kinds[kd].dt), kinds[kd].adaptive ? " adaptive" : "",
                         kinds[kd].nullable ? " nullable" : "", writer);
                int64_t failures = 0;
                for (int64_t k = 1;; k++) {
                    cc_numarray a, b;
                    cc_numarray_init(&b, CC_INT8, false, false);
                    if (!CHECK_EQ(writer < 2 ? clone_array(&a, &base) : adopt_num_copy(&a, &base),
                                  CC_OK))
                        return;
                    if (!CHECK_EQ(cc_numarray_share_into(&a, &b), CC_OK)) return;
                    if (!CHECK(a.data == b.data && a.data_share && b.data_share)) return;
                    cc_numarray *w = writer & 1 ? &b : &a, *other = writer & 1 ? &a : &b;
                    test_alloc_fail_at(k);
                    cc_status st = op->fn(w, &src);
                    bool fired = !test_alloc_armed();
                    test_alloc_fail_at(0);
                    NUM_VALID(w, ctx);
                    NUM_VALID(other, ctx);
                    CHECK_SANE_CTX(w, ctx);
                    CHECK_SANE_CTX(other, ctx);
                    CHECK_SAME_ARRAYS(other, &base, ctx); /* the snapshot is untouched */
                    if (st == CC_ENOMEM && want != CC_ENOMEM) {
                        failures++;
                        CHECK_MSG(fired, "%s: CC_ENOMEM with no failure injected", ctx);
                        CHECK_SAME_ARRAYS(w, &base, ctx); /* values unchanged */
                    } else {
                        CHECK_MSG(st == want, "%s: %s, expected %s", ctx, status_name(st),
                                  status_name(want));
                        CHECK_SAME_ARRAYS(w, want == CC_OK ? &expect : &base, ctx);
                    }
                    /* the survivor, written again, still works */
                    cc_numarray_reset(w);
                    cc_scalar s = S_INT(1);
                    CHECK_EQ(cc_numarray_set(other, 0, &s), CC_OK);
                    NUM_VALID(other, ctx);
                    cc_numarray_reset(other);
                    if (!fired) break;
                }
                /* every write of a shared array copies first; shrink_to_fit of
                 * an exact-capacity array writes nothing */
                CHECK_MSG(failures > 0 || want != CC_OK || op->fn == op_shrink,
                          "%s: no allocation to fail", ctx);
                cc_numarray_reset(&base);
                cc_numarray_reset(&src);
                cc_numarray_reset(&expect);
                CHECK_EQ(test_alloc_live(), before);
            }
}

/* ---- strarray writes under failing allocations --------------------------------------- */

static bool str_valid_at(const cc_strarray *a, const char *ctx, const char *file, int line) {
    cc_error err = {"", -1};
    if (cc_strarray_validate(a, &err) != CC_OK)
        return test_fail(file, line, "%s: cc_strarray_validate: %s", ctx, err.why);
    return true;
}
#define STR_VALID(a, ctx) str_valid_at((a), (ctx), __FILE__, __LINE__)

/* Same strings, same nulls (the layout may differ). */
static bool str_same_at(const cc_strarray *a, const cc_strarray *b, const char *ctx,
                        const char *file, int line) {
    if (a->length != b->length || a->null_count != b->null_count)
        return test_fail(file, line, "%s: length/null_count (%lld, %lld) != (%lld, %lld)", ctx,
                         (long long)a->length, (long long)a->null_count, (long long)b->length,
                         (long long)b->null_count);
    for (int64_t i = 0; i < a->length; i++) {
        cc_str x = cc_strarray_get(a, i), y = cc_strarray_get(b, i);
        if (cc_strarray_is_valid(a, i) != cc_strarray_is_valid(b, i) || x.len != y.len ||
            (x.len && memcmp(x.ptr, y.ptr, (size_t)x.len) != 0))
            return test_fail(file, line, "%s: element %lld differs", ctx, (long long)i);
    }
    return true;
}
#define STR_SAME(a, b, ctx) str_same_at((a), (b), (ctx), __FILE__, __LINE__)

static cc_str STR(const char *s) {
    cc_str x = {(const uint8_t *)s, (int64_t)strlen(s)};
    return x;
}

typedef struct str_op {
    const char *name;
    cc_status (*fn)(cc_strarray *a, const cc_strarray *src);
} str_op;

static cc_status sop_set_same(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_set(a, 1, STR("b1"), false); /* element 1 is 2 bytes */
}
static cc_status sop_set_longer(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_set(a, 2, STR("a string longer than the rest"), false);
}
static cc_status sop_set_shorter(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_set(a, 5, STR("s"), false);
}
static cc_status sop_set_last(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_set(a, a->length - 1, STR("the last one, longer"), false);
}
static cc_status sop_set_null(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_set(a, 6, STR(""), a->nullable);
}
static cc_status sop_append(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_append(a, STR("appended"), false);
}
static cc_status sop_insert(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_splice(a, 3, 0, src);
}
static cc_status sop_splice(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_splice(a, 2, 7, src);
}
static cc_status sop_delete(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_delete_strided(a, 1, 4, 4);
}
static cc_status sop_delete_tail(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_delete_strided(a, a->length - 3, 1, 3);
}
static cc_status sop_sort(cc_strarray *a, const cc_strarray *src) { return cc_strarray_sort(a, false); }
static cc_status sop_reverse(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_reverse(a);
}
static cc_status sop_scatter(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_scatter(a, 1, 3, src);
}
static cc_status sop_repeat(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_repeat(a, 3);
}
static cc_status sop_permute(cc_strarray *a, const cc_strarray *src) {
    int64_t order[64];
    for (int64_t i = 0; i < a->length; i++) order[i] = (i * 5) % a->length;
    return cc_strarray_permute(a, order);
}
static cc_status sop_shrink(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_shrink_to_fit(a);
}
static cc_status sop_reserve(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_reserve(a, a->length + 30, a->data_len + 500);
}
static cc_status sop_append_arrow(cc_strarray *a, const cc_strarray *src) {
    const int32_t offsets[] = {0, 2, 2, 5};
    cc_error err;
    return cc_strarray_append_arrow(a, offsets, false, 3, (const uint8_t *)"xyzzy", &err);
}
static cc_status sop_own(cc_strarray *a, const cc_strarray *src) { return cc_strarray_own(a); }
/* a as the output of a gather or take: appended to */
static cc_status sop_gather_into(cc_strarray *a, const cc_strarray *src) {
    return cc_strarray_gather(src, 0, 1, src->length, a);
}
static cc_status sop_take_into(cc_strarray *a, const cc_strarray *src) {
    const int64_t idx[] = {2, 0, 2, 1};
    return cc_strarray_take(src, idx, 4, a);
}
static cc_status sop_gather_much_into(cc_strarray *a, const cc_strarray *src) {
    /* 90 strings, past a's capacity: its buffers grow (a failure while
     * making them leaves a as it was) */
    cc_strarray many;
    cc_strarray_init(&many, src->nullable);
    cc_status st = CC_OK;
    for (int r = 0; r < 30 && st == CC_OK; r++)
        st = cc_strarray_gather(src, 0, 1, src->length, &many);
    if (st == CC_OK) st = cc_strarray_gather(&many, 0, 1, many.length, a);
    cc_strarray_reset(&many);
    return st;
}

static const str_op str_ops[] = {
    {"set same length", sop_set_same}, {"set longer", sop_set_longer},
    {"set shorter", sop_set_shorter}, {"set last", sop_set_last}, {"set null", sop_set_null},
    {"append", sop_append}, {"insert", sop_insert}, {"splice", sop_splice},
    {"delete", sop_delete}, {"delete tail", sop_delete_tail}, {"sort", sop_sort},
    {"reverse", sop_reverse}, {"scatter", sop_scatter}, {"repeat", sop_repeat},
    {"permute", sop_permute}, {"shrink_to_fit", sop_shrink}, {"reserve", sop_reserve},
    {"append_arrow", sop_append_arrow}, {"own", sop_own}, {"gather into", sop_gather_into},
    {"take into", sop_take_into}, {"gather into, growing", sop_gather_much_into},
};

/* n strings "<letter><i>", every fourth a null when nullable. */
static void make_str(cc_strarray *a, bool nullable, int64_t n) {
    cc_strarray_init(a, nullable);
    for (int64_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%c%lld", (char)('z' - i % 26), (long long)i);
        if (!CHECK_EQ(cc_strarray_append(a, STR(buf), nullable && i % 4 == 3), CC_OK)) return;
    }
}

static cc_status str_clone(cc_strarray *dst, const cc_strarray *src) {
    cc_strarray_init(dst, src->nullable);
    return cc_strarray_gather(src, 0, 1, src->length, dst);
}

/* a = base's strings (compact) adopted over a producer's copies, the
 * offsets starting at `shift` (rebased by the adopt), the bitmap with its
 * bits past the length set. */
static cc_status adopt_str_copy(cc_strarray *a, const cc_strarray *base, int64_t shift) {
    cc_strarray_init(a, base->nullable);
    int64_t n = base->length;
    size_t osize = base->wide ? 8 : 4;
    uint8_t *offsets, *data, *bits = NULL;
    cc_buffer *ob = producer_copy(NULL, 0, (size_t)(n + 1) * osize, &offsets);
    for (int64_t i = 0; i <= n; i++) {
        int64_t o = cc_strarray_offset(base, i) + shift;
        if (base->wide) ((int64_t *)(void *)offsets)[i] = o;
        else ((int32_t *)(void *)offsets)[i] = (int32_t)o;
    }
    cc_buffer *db = producer_copy(NULL, 0, (size_t)(base->data_len + shift), &data);
    memset(data, '#', (size_t)shift);
    if (base->data_len) memcpy(data + shift, base->data, (size_t)base->data_len);
    cc_buffer *vb = NULL;
    if (base->nullable) {
        size_t nb = (size_t)cc_bitmap_bytes(n);
        vb = producer_copy(base->validity, nb, nb, &bits);
        cc_bitmap_fill(bits, n, (int64_t)nb * 8 - n, true);
    }
    cc_error err;
    cc_status st = cc_strarray_adopt(a, n, offsets, ob, base->wide, data, db, bits, vb,
                                     base->null_count, &err);
    cc_buffer_unref(ob);
    cc_buffer_unref(db);
    cc_buffer_unref(vb);
    return st;
}

TEST(shared_strarray_writes_under_failing_allocations) {
    for (int nullable = 0; nullable < 2; nullable++)
        for (size_t o = 0; o < sizeof str_ops / sizeof str_ops[0]; o++)
            for (int writer = 0; writer < 6; writer++) { /* 2..5: adopted, 4, 5 rebased */
                const str_op *op = &str_ops[o];
                int64_t before = test_alloc_live();
                cc_strarray base, src, expect;
                make_str(&base, nullable, 19);
                make_str(&src, nullable, 3);
                CHECK_EQ(str_clone(&expect, &base), CC_OK);
                cc_status want = op->fn(&expect, &src);
                char ctx[96];
                snprintf(ctx, sizeof ctx, "%s, nullable %d, writer %d", op->name, nullable,
                         writer);
                int64_t failures = 0;
                for (int64_t k = 1;; k++) {
                    cc_strarray a, b;
                    cc_strarray_init(&b, false);
                    if (!CHECK_EQ(writer < 2 ? str_clone(&a, &base)
                                             : adopt_str_copy(&a, &base, writer < 4 ? 0 : 3),
                                  CC_OK))
                        return;
                    if (!CHECK_EQ(cc_strarray_share_into(&a, &b), CC_OK)) return;
                    if (!CHECK(a.data == b.data && a.offsets == b.offsets && a.data_share &&
                               a.offsets_share && b.offsets_share))
                        return;
                    cc_strarray *w = writer & 1 ? &b : &a, *other = writer & 1 ? &a : &b;
                    test_alloc_fail_at(k);
                    cc_status st = op->fn(w, &src);
                    bool fired = !test_alloc_armed();
                    test_alloc_fail_at(0);
                    STR_VALID(w, ctx);
                    STR_VALID(other, ctx);
                    STR_SAME(other, &base, ctx);
                    if (st == CC_ENOMEM && want != CC_ENOMEM) {
                        failures++;
                        CHECK_MSG(fired, "%s: CC_ENOMEM with no failure injected", ctx);
                        STR_SAME(w, &base, ctx);
                    } else {
                        CHECK_MSG(st == want, "%s: %s, expected %s", ctx, status_name(st),
                                  status_name(want));
                        STR_SAME(w, want == CC_OK ? &expect : &base, ctx);
                    }
                    cc_strarray_reset(w);
                    CHECK_EQ(cc_strarray_set(other, 0, STR("survivor, longer"), false), CC_OK);
                    STR_VALID(other, ctx);
                    cc_strarray_reset(other);
                    if (!fired) break;
                }
                CHECK_MSG(failures > 0 || want != CC_OK, "%s: no allocation to fail", ctx);
                cc_strarray_reset(&base);
                cc_strarray_reset(&src);
                cc_strarray_reset(&expect);
                CHECK_EQ(test_alloc_live(), before);
            }
}

/* ---- adopt ------------------------------------------------------------------------- */

/* A producer's block (plain malloc: never the core's) of n bytes copied
 * from p, and a foreign buffer that frees it. */
static cc_buffer *producer_block(const void *p, size_t n, uint8_t **out) {
    uint8_t *block = malloc(n ? n : 1);
    if (n) memcpy(block, p, n);
    *out = block;
    cc_buffer *b = cc_buffer_foreign(free_release, block);
    if (!b) free(block);
    return b;
}

TEST(numarray_adopts_foreign_buffers_and_copies_on_the_first_write) {
    int64_t live = test_alloc_live();
    const int32_t values[6] = {10, -20, 30, 0, 50, 60};
    const uint8_t bits[1] = {0xF7 | 0xC0}; /* element 3 null; bits 6, 7 past the length set */
    uint8_t *data, *validity;
    released = 0;
    cc_buffer *db = producer_block(values, sizeof values, &data);
    cc_buffer *vb = producer_block(bits, 1, &validity);
    if (!CHECK(db && vb)) return;
    cc_numarray a, snap;
    cc_numarray_init(&a, CC_INT32, false, true);
    cc_numarray_init(&snap, CC_INT8, false, false);
    CHECK_EQ(cc_numarray_adopt(&a, 6, data, db, validity, vb, 1), CC_OK);
    cc_buffer_unref(db); /* the producer's own references: the array holds its own */
    cc_buffer_unref(vb);
    CHECK_EQ(released, 0);
    CHECK(a.data == data && a.validity == validity && a.data_share == db &&
          a.validity_share == vb && a.length == 6 && a.capacity == 6 && a.null_count == 1);
    NUM_VALID(&a, "adopted");
    for (int64_t i = 0; i < 6; i++) {
        cc_scalar s;
        cc_numarray_get(&a, i, &s);
        if (i == 3) CHECK(s.kind == CC_SCALAR_NULL);
        else CHECK(s.kind == CC_SCALAR_INT && s.v.i == values[i]);
    }
    /* a snapshot shares the producer's memory too */
    CHECK_EQ(cc_numarray_share_into(&a, &snap), CC_OK);
    CHECK(snap.data == data && cc_buffer_refs(db) == 2);
    /* the first write copies: the producer's memory is never written */
    cc_scalar s = S_INT(-1);
    CHECK_EQ(cc_numarray_set(&a, 0, &s), CC_OK);
    CHECK(a.data != data && !a.data_share && !a.validity_share && a.validity != validity);
    CHECK_EQ(((int32_t *)data)[0], 10);
    CHECK_EQ(validity[0], bits[0]);
    NUM_VALID(&a, "after the first write"); /* bits past the length cleared */
    CHECK(cc_bitmap_count(a.validity, 6, 2) == 0);
    CHECK_EQ(cc_buffer_refs(db), 1);
    CHECK_EQ(released, 0); /* the snapshot still reads it */
    CHECK_EQ(push(&a, S_INT(70)), CC_OK); /* private: grows as usual */
    cc_numarray_reset(&a);
    CHECK_EQ(released, 0);
    cc_scalar x;
    cc_numarray_get(&snap, 0, &x);
    CHECK(x.kind == CC_SCALAR_INT && x.v.i == 10);
    cc_numarray_reset(&snap);
    CHECK_EQ(released, 2); /* each producer block, once */
    CHECK_EQ(test_alloc_live(), live);
}

TEST(numarray_adopt_refusals_and_a_built_bitmap) {
    int64_t live = test_alloc_live();
    const int64_t values[3] = {1, 2, 3};
    uint8_t *data;
    released = 0;
    cc_buffer *db = producer_block(values, sizeof values, &data);
    if (!CHECK(db)) return;
    cc_numarray a;
    cc_numarray_init(&a, CC_INT64, false, false);
    uint8_t bits = 0x07;
    CHECK_EQ(cc_numarray_adopt(&a, 3, data, db, &bits, db, 0), CC_EINVAL); /* not nullable */
    CHECK(a.length == 0 && !a.data && cc_buffer_refs(db) == 1);
    CHECK_EQ(push(&a, S_INT(9)), CC_OK);
    CHECK_EQ(cc_numarray_adopt(&a, 3, data, db, NULL, NULL, 0), CC_EINVAL); /* not empty */
    CHECK(a.length == 1 && cc_buffer_refs(db) == 1);
    cc_numarray_reset(&a);

    /* nullable without a bitmap: an all-valid one is built (private) */
    cc_numarray_init(&a, CC_INT64, false, true);
    test_alloc_fail_at(1);
    CHECK_EQ(cc_numarray_adopt(&a, 3, data, db, NULL, NULL, 0), CC_ENOMEM);
    test_alloc_fail_at(0);
    CHECK(a.length == 0 && !a.data && !a.data_share && cc_buffer_refs(db) == 1);
    CHECK_EQ(cc_numarray_adopt(&a, 3, data, db, NULL, NULL, 0), CC_OK);
    CHECK(a.validity && !a.validity_share && a.null_count == 0 && a.data == data);
    CHECK_EQ(cc_bitmap_count(a.validity, 0, 3), 3);
    NUM_VALID(&a, "built bitmap");
    cc_buffer_unref(db);
    CHECK_EQ(released, 0);
    cc_scalar null = S_NULL();
    CHECK_EQ(cc_numarray_set(&a, 1, &null), CC_OK); /* copies; the release runs now */
    CHECK_EQ(released, 1);
    CHECK(a.null_count == 1 && a.data != data);
    NUM_VALID(&a, "after the write");
    cc_numarray_reset(&a);
    CHECK_EQ(test_alloc_live(), live);
}

/* Four strings "a", "bc", "", "déf" as int32 or int64 offsets starting at
 * `first` into a producer's bytes. */
static const char adopt_bytes[] = "XYZabc" "d\xc3\xa9" "f";

TEST(strarray_adopts_foreign_buffers_and_rebases_its_offsets) {
    for (int wide = 0; wide < 2; wide++)
        for (int first = 0; first <= 3; first += 3)
            for (int nullable = 0; nullable < 2; nullable++) {
                int64_t live = test_alloc_live();
                int64_t off[5] = {first, first + 1, first + 3, first + 3, first + 7};
                int32_t off32[5];
                for (int i = 0; i < 5; i++) off32[i] = (int32_t)off[i];
                uint8_t *offsets, *data;
                released = 0;
                cc_buffer *ob = producer_block(wide ? (void *)off : (void *)off32,
                                               wide ? sizeof off : sizeof off32, &offsets);
                cc_buffer *db = producer_block(adopt_bytes + (first ? 0 : 3),
                                               first ? 10 : 7, &data);
                if (!CHECK(ob && db)) return;
                cc_strarray a, snap;
                cc_strarray_init(&a, nullable);
                cc_strarray_init(&snap, false);
                cc_error err = {0};
                if (!CHECK_EQ(cc_strarray_adopt(&a, 4, offsets, ob, wide, data, db, NULL, NULL,
                                                0, &err),
                              CC_OK))
                    return;
                cc_buffer_unref(ob);
                cc_buffer_unref(db);
                STR_VALID(&a, "adopted");
                CHECK(a.wide == wide && a.length == 4 && a.data_len == 7 && a.null_count == 0);
                CHECK(a.data == data + first && a.data_share == db);
                CHECK_EQ(cc_strarray_offset(&a, 0), 0);
                if (first) /* rebased into a private copy */
                    CHECK(a.offsets != offsets && !a.offsets_share && released == 1);
                else
                    CHECK(a.offsets == offsets && a.offsets_share == ob && released == 0);
                if (nullable) /* an all-valid bitmap, built */
                    CHECK(a.validity && !a.validity_share &&
                          cc_bitmap_count(a.validity, 0, 4) == 4);
                const char *want[4] = {"a", "bc", "", "d\xc3\xa9" "f"};
                for (int i = 0; i < 4; i++) {
                    cc_str s = cc_strarray_get(&a, i);
                    CHECK(s.len == (int64_t)strlen(want[i]) &&
                          memcmp(s.ptr, want[i], (size_t)s.len) == 0);
                }
                CHECK_EQ(cc_strarray_share_into(&a, &snap), CC_OK);
                CHECK(snap.data == a.data && cc_buffer_refs(db) == 2);
                CHECK_EQ(cc_strarray_set(&a, 1, STR("BC"), false), CC_OK); /* copies */
                CHECK(a.data != data + first && !a.data_share && !a.offsets_share);
                CHECK(memcmp(data + first, "abc", 3) == 0); /* never written */
                STR_VALID(&a, "after the first write");
                cc_strarray_reset(&a);
                CHECK_EQ(released, first ? 1 : 0);
                cc_str s = cc_strarray_get(&snap, 1);
                CHECK(s.len == 2 && memcmp(s.ptr, "bc", 2) == 0);
                cc_strarray_reset(&snap);
                CHECK_EQ(released, 2);
                CHECK_EQ(test_alloc_live(), live);
            }
}

TEST(strarray_adopt_refuses_bad_input_unchanged) {
    int64_t live = test_alloc_live();
    released = 0;
    uint8_t bytes[] = "abc\xff" "de";
    int32_t bad_order[4] = {0, 2, 1, 3};
    int32_t bad_utf8[4] = {0, 1, 3, 6};
    int32_t mid_char[3] = {0, 1, 2}; /* "\xc3\xa9" cut in the middle */
    int32_t with_null[4] = {0, 1, 3, 3};
    cc_buffer *fb = cc_buffer_foreign(count_release, NULL);
    if (!CHECK(fb)) return;
    struct {
        const int32_t *offsets;
        const uint8_t *data;
        int64_t n, index;
        bool nulls;
    } cases[] = {
        {bad_order, bytes, 3, 1, false},
        {bad_utf8, bytes, 3, 2, false},
        {mid_char, (const uint8_t *)"\xc3\xa9", 2, 1, false},
        {with_null, bytes, 3, 1, true}, /* element 1 null, with "bc" */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_strarray a;
        cc_strarray_init(&a, true);
        uint8_t validity = 0x05; /* element 1 null */
        cc_error err = {0};
        CHECK_EQ(cc_strarray_adopt(&a, cases[c].n, cases[c].offsets, fb, false, cases[c].data,
                                   fb, cases[c].nulls ? &validity : NULL, fb,
                                   cases[c].nulls ? 1 : 0, &err),
                 CC_EINVAL);
        CHECK_MSG(err.index == cases[c].index && err.why, "case %zu: index %lld", c,
                  (long long)err.index);
        CHECK(a.length == 0 && !a.data && !a.offsets && !a.validity && !cc_strarray_is_shared(&a));
        CHECK_EQ(cc_buffer_refs(fb), 1);
        cc_strarray_reset(&a);
    }
    /* not empty; a bitmap on a non-nullable array */
    cc_strarray a;
    cc_strarray_init(&a, false);
    int32_t ok[2] = {0, 1};
    uint8_t all = 0x01;
    cc_error err = {0};
    CHECK_EQ(cc_strarray_adopt(&a, 1, ok, fb, false, bytes, fb, &all, fb, 0, &err), CC_EINVAL);
    CHECK_EQ(cc_strarray_append(&a, STR("x"), false), CC_OK);
    CHECK_EQ(cc_strarray_adopt(&a, 1, ok, fb, false, bytes, fb, NULL, NULL, 0, &err), CC_EINVAL);
    CHECK(a.length == 1 && cc_buffer_refs(fb) == 1);
    cc_strarray_reset(&a);
    /* every allocation of a rebased, nullable adopt failing in turn */
    int32_t shifted[3] = {1, 2, 3};
    for (int64_t k = 1;; k++) {
        cc_strarray_init(&a, true);
        test_alloc_fail_at(k);
        cc_status st = cc_strarray_adopt(&a, 2, shifted, fb, false, bytes, fb, NULL, NULL, 0, &err);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        if (st != CC_OK) {
            CHECK(st == CC_ENOMEM && fired);
            CHECK(a.length == 0 && !a.data && !a.offsets && !a.validity);
            CHECK_EQ(cc_buffer_refs(fb), 1);
            CHECK_EQ(test_alloc_live(), live + 1);
            continue;
        }
        STR_VALID(&a, "rebased");
        cc_str s = cc_strarray_get(&a, 1);
        CHECK(s.len == 1 && s.ptr[0] == 'c' && a.data == bytes + 1);
        CHECK(a.validity && cc_bitmap_count(a.validity, 0, 2) == 2);
        CHECK_EQ(cc_buffer_refs(fb), 2);
        cc_strarray_reset(&a);
        if (!fired) break;
    }
    CHECK_EQ(released, 0);
    cc_buffer_unref(fb);
    CHECK_EQ(released, 1);
    CHECK_EQ(test_alloc_live(), live);
}

/* ---- a string set whose keys are shared (an exported dictionary) ------------------- */

static bool set_valid_at(const cc_strset *s, const char *ctx, const char *file, int line) {
    cc_error err = {"", -1};
    if (cc_strset_validate(s, &err) != CC_OK)
        return test_fail(file, line, "%s: cc_strset_validate: %s", ctx, err.why);
    return true;
}
#define SET_VALID(s, ctx) set_valid_at((s), (ctx), __FILE__, __LINE__)

static void make_set(cc_strset *s, int64_t n) {
    cc_strset_init(s);
    for (int64_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "key %lld", (long long)i);
        int64_t id;
        bool added;
        if (!CHECK_EQ(cc_strset_insert(s, STR(buf), &id, &added), CC_OK)) return;
    }
}

TEST(a_set_with_shared_keys_truncates_all_or_nothing) {
    int64_t before = test_alloc_live();
    for (int64_t k = 1;; k++) {
        cc_strset s;
        make_set(&s, 12);
        cc_strarray snap;
        cc_strarray_init(&snap, false);
        if (!CHECK_EQ(cc_strarray_share_into(&s.keys, &snap), CC_OK)) return;
        test_alloc_fail_at(k);
        cc_status st = cc_strset_truncate(&s, 5);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        SET_VALID(&s, "truncate");
        CHECK(st == CC_OK || (st == CC_ENOMEM && fired));
        CHECK_EQ(cc_strset_entries(&s), st == CC_OK ? 5 : 12);
        CHECK_EQ(cc_strset_find(&s, STR("key 7")), st == CC_OK ? -1 : 7);
        CHECK_EQ(cc_strset_find(&s, STR("key 4")), 4);
        CHECK_EQ(snap.length, 12);
        STR_VALID(&snap, "the snapshot");
        cc_strset_reset(&s);
        cc_strarray_reset(&snap);
        if (!fired) break;
    }
    CHECK_EQ(test_alloc_live(), before);
}

TEST(a_set_with_shared_keys_inserts_without_failing_after_reserve) {
    /* reserve's promise: the inserts it made room for cannot fail */
    int64_t before = test_alloc_live();
    for (int64_t k = 1;; k++) {
        cc_strset s;
        make_set(&s, 6);
        cc_strarray snap;
        cc_strarray_init(&snap, false);
        if (!CHECK_EQ(cc_strarray_share_into(&s.keys, &snap), CC_OK)) return;
        test_alloc_fail_at(k);
        cc_status st = cc_strset_reserve(&s, 8, s.keys.data_len + 16);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        SET_VALID(&s, "reserve");
        if (st == CC_OK) {
            int64_t live = test_alloc_live(), calls = test_alloc_calls(), id;
            bool added;
            CHECK_EQ(cc_strset_insert(&s, STR("new 1"), &id, &added), CC_OK);
            CHECK_EQ(cc_strset_insert(&s, STR("new 2"), &id, &added), CC_OK);
            CHECK_MSG(test_alloc_calls() == calls && test_alloc_live() == live,
                      "inserts after reserve allocated");
            CHECK_EQ(id, 7);
        } else {
            CHECK(st == CC_ENOMEM && fired);
        }
        SET_VALID(&s, "inserts");
        CHECK_EQ(snap.length, 6);
        STR_VALID(&snap, "the snapshot");
        cc_strset_reset(&s);
        cc_strarray_reset(&snap);
        if (!fired) break;
    }
    CHECK_EQ(test_alloc_live(), before);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
