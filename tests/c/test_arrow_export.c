/* test_arrow_export.c -- the core's Arrow export (cc_arrow_export.c), read
 * back with no Arrow library: which requested formats are lossless casts,
 * which buffers are shared (the container's own pointer, held by a
 * reference to the container's *_share: two references, the container's
 * and the export's) and which are made for the export (packed bools, cast
 * values, offsets of the other width, the validity of dictionary indices:
 * a block held by the export's only reference), an aliased container
 * (exports > 0: every buffer copied, the container not shared), empty
 * containers (static non-NULL stand-ins), nulls, a value that does not fit
 * a requested type, bytes past int32 offsets (a hand-made wide array over
 * foreign buffers, no 2 GiB), stray codes.  Every export is also read back
 * through the core's importer at every offset, as a consumer's slice would
 * read it.  After cc_arrow_export_reset the container is the sole owner
 * again: its next write keeps its pointers.  On every failure, every
 * allocation failure (test_alloc_fail_at) included, the out struct is
 * zeroed, nothing leaks and the container holds the same values at the same
 * pointers.
 *
 * Allocation accounting: sharing a private block wraps it in a cc_buffer
 * (one allocation, the first time); a made block is two (the block and its
 * cc_buffer). */
#include "cc_arrow_export.h"
#include "cc_arrow_import.h"
#include "test_alloc.h"

#include <stdlib.h>

/* The number of buffers of a container held through a share. */
static int64_t num_shares(const cc_numarray *a) {
    return (a->data_share != NULL) + (a->validity_share != NULL);
}
static int64_t str_shares(const cc_strarray *a) {
    return (a->data_share != NULL) + (a->offsets_share != NULL) + (a->validity_share != NULL);
}

/* True if every byte of ex is zero: what a failed export leaves. */
static bool export_zeroed(const cc_arrow_export *ex) {
    static const cc_arrow_export zero;
    return memcmp(ex, &zero, sizeof zero) == 0;
}

/* An export filled with garbage, to see that a failure zeroes it. */
static cc_arrow_export garbage_export(void) {
    cc_arrow_export ex;
    memset(&ex, 0x5a, sizeof ex);
    return ex;
}

/* Buffer k of ex is the container's own pointer p, held by a reference to
 * its share (the container's and the export's: two). */
static bool zero_copy_at(const cc_arrow_export *ex, int k, const void *p, const cc_buffer *share,
                         const char *file, int line) {
    if (ex->buffers[k] != p || !share || ex->holds[k] != share || cc_buffer_refs(share) != 2)
        return test_fail(file, line, "buffer %d: not the container's own pointer held by a "
                         "second reference to its share (refs %lld)", k,
                         share ? (long long)cc_buffer_refs(share) : -1LL);
    return true;
}
#define CHECK_ZERO_COPY(ex, k, p, share) zero_copy_at((ex), (k), (p), (share), __FILE__, __LINE__)

/* Buffer k of ex is a block made for the export (not any of the
 * container's pointers), held by the export's only reference, of `size`
 * bytes (0: not checked). */
static bool made_at(const cc_arrow_export *ex, int k, const void *const theirs[3], size_t size,
                    const char *file, int line) {
    if (!ex->holds[k] || !ex->buffers[k] || cc_buffer_refs(ex->holds[k]) != 1)
        return test_fail(file, line, "buffer %d: not a block held by one reference", k);
    for (int j = 0; j < 3; j++)
        if (theirs[j] && ex->buffers[k] == theirs[j])
            return test_fail(file, line, "buffer %d: the container's own pointer", k);
    if (size && test_alloc_size(ex->buffers[k]) != size)
        return test_fail(file, line, "buffer %d: %zu bytes, expected %zu", k,
                         test_alloc_size(ex->buffers[k]), size);
    return true;
}
#define CHECK_MADE(ex, k, theirs, size) made_at((ex), (k), (theirs), (size), __FILE__, __LINE__)

static const cc_dtype all_dtypes[] = {CC_INT8,   CC_INT16,  CC_INT32,  CC_INT64,
                                      CC_UINT8,  CC_UINT16, CC_UINT32, CC_UINT64,
                                      CC_FLOAT32, CC_FLOAT64, CC_BOOL};
#define N_DTYPES ((int)(sizeof all_dtypes / sizeof all_dtypes[0]))

static bool numbers_valid(const cc_numarray *a) {
    cc_error err = {"", -1};
    return CHECK_MSG(cc_numarray_validate(a, &err) == CC_OK, "invariant: %s", err.why);
}

/* n values 0, 1, 2, ... (bools alternate) of dt; every third a null when
 * nullable. */
static void make_numbers(cc_numarray *a, cc_dtype dt, bool nullable, int64_t n) {
    cc_numarray_init(a, dt, false, nullable);
    for (int64_t i = 0; i < n; i++) {
        cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = dt == CC_BOOL ? i % 2 : i % 100};
        if (dt == CC_FLOAT32 || dt == CC_FLOAT64) s = (cc_scalar){.kind = CC_SCALAR_FLOAT,
                                                                  .v.f = (double)(i % 100) + 0.5};
        if (dt == CC_BOOL) s.kind = CC_SCALAR_BOOL;
        if (nullable && i % 3 == 1) s = (cc_scalar){.kind = CC_SCALAR_NULL};
        if (!CHECK_EQ(cc_numarray_append(a, &s), CC_OK)) return;
    }
}

/* The export as an ArrowArray cut to [off, length) (null_count unknown). */
static struct ArrowArray view_of(const cc_arrow_export *ex, int64_t off) {
    struct ArrowArray v;
    memset(&v, 0, sizeof v);
    cc_arrow_export_fill(ex, &v);
    v.offset = off;
    v.length -= off;
    if (off) v.null_count = ex->null_count ? -1 : 0;
    return v;
}

/* Reads the export of a (as dtype to) back through the importer at every
 * offset and compares each element with a's (converted). */
static bool numbers_read_back(const cc_numarray *a, cc_dtype to, const cc_arrow_export *ex) {
    for (int64_t off = 0; off <= a->length; off += 1 + a->length / 9) {
        struct ArrowArray v = view_of(ex, off);
        cc_numarray back;
        cc_error err = {0};
        cc_numarray_init(&back, to, false, a->nullable);
        if (!CHECK_EQ(cc_arrow_append_numbers(&back, &v, &err), CC_OK)) return false;
        bool ok = CHECK_EQ(back.length, a->length - off);
        for (int64_t i = 0; ok && i < back.length; i++) {
            cc_scalar x, y;
            cc_numarray_get(a, off + i, &x);
            cc_numarray_get(&back, i, &y);
            bool same = x.kind == CC_SCALAR_NULL ? y.kind == CC_SCALAR_NULL
                        : y.kind == CC_SCALAR_FLOAT
                            ? (x.kind == CC_SCALAR_FLOAT ? x.v.f : (double)x.v.i) == y.v.f
                            : x.v.i == y.v.i;
            ok = CHECK_MSG(same, "%s as %s, offset %lld: element %lld differs",
                           cc_dtype_get(a->dtype)->name, cc_dtype_get(to)->name, (long long)off,
                           (long long)i);
        }
        cc_numarray_reset(&back);
        if (!ok) return false;
    }
    return true;
}

/* ---- numbers: own format --------------------------------------------------------- */

TEST(numbers_export_their_own_buffers_without_a_copy) {
    for (int d = 0; d < N_DTYPES; d++)
        for (int nullable = 0; nullable < 2; nullable++)
            for (int64_t n = 0; n <= 70; n += 35) {
                cc_dtype dt = all_dtypes[d];
                cc_numarray a;
                make_numbers(&a, dt, nullable, n);
                cc_dtype to;
                CHECK_EQ(cc_arrow_numbers_target(&a, NULL, &to), CC_OK);
                CHECK_EQ(to, dt);
                CHECK_EQ(cc_arrow_numbers_target(&a, cc_arrow_format(dt), &to), CC_OK);
                CHECK_EQ(to, dt);
                cc_arrow_export ex;
                cc_error err = {0};
                int64_t live = test_alloc_live();
                uint8_t *data = a.data, *validity = a.validity;
                const void *theirs[3] = {a.data, a.validity, NULL};
                if (!CHECK_EQ(cc_arrow_export_numbers(&a, to, &ex, &err), CC_OK)) return;
                CHECK(a.data == data && a.validity == validity); /* shared, not moved */
                CHECK_EQ(ex.length, n);
                CHECK_EQ(ex.null_count, a.null_count);
                CHECK_EQ(ex.n_buffers, 2);
                if (a.null_count) CHECK_ZERO_COPY(&ex, 0, a.validity, a.validity_share);
                else CHECK(!ex.buffers[0] && !ex.holds[0] && !a.validity_share);
                CHECK(ex.buffers[1] != NULL);
                int64_t made = 0;
                if (dt == CC_BOOL) { /* bit-packed: a block made for the export */
                    made = 1;
                    CHECK_MADE(&ex, 1, theirs, (size_t)cc_bitmap_bytes(n) + 1);
                    CHECK(!a.data_share);
                } else if (a.data) {
                    CHECK_ZERO_COPY(&ex, 1, a.data, a.data_share);
                } else { /* empty: the static stand-in, held by nothing */
                    CHECK(!ex.holds[1] && !a.data_share);
                }
                CHECK_EQ(test_alloc_live(), live + num_shares(&a) + 2 * made);
                numbers_read_back(&a, to, &ex);
                struct ArrowArray arr = {.release = NULL, .children = (void *)1};
                cc_arrow_export_fill(&ex, &arr);
                CHECK(arr.buffers == (const void **)ex.buffers && arr.offset == 0 &&
                      arr.n_children == 0 && arr.children == NULL && arr.dictionary == NULL);
                cc_arrow_export_reset(&ex);
                CHECK(export_zeroed(&ex));
                cc_arrow_export_reset(&ex); /* twice is harmless */
                /* the container is the sole owner again: its wrappers only */
                if (a.data_share) CHECK_EQ(cc_buffer_refs(a.data_share), 1);
                if (a.validity_share) CHECK_EQ(cc_buffer_refs(a.validity_share), 1);
                CHECK_EQ(test_alloc_live(), live + num_shares(&a));
                if (n) { /* and its next write takes its blocks back: no copy */
                    cc_scalar first;
                    cc_numarray_get(&a, 0, &first);
                    CHECK_EQ(cc_numarray_set(&a, 0, &first), CC_OK);
                    CHECK(a.data == data && a.validity == validity && !cc_numarray_is_shared(&a));
                    CHECK_EQ(test_alloc_live(), live);
                }
                numbers_valid(&a);
                cc_numarray_reset(&a);
            }
}

TEST(bools_pack_into_bits) {
    cc_numarray a;
    make_numbers(&a, CC_BOOL, false, 19);
    cc_arrow_export ex;
    cc_error err = {0};
    if (!CHECK_EQ(cc_arrow_export_numbers(&a, CC_BOOL, &ex, &err), CC_OK)) return;
    const uint8_t *bits = ex.buffers[1];
    CHECK_EQ(bits[0], 0xaa); /* 0 1 0 1 ... from bit 0 */
    CHECK_EQ(bits[1], 0xaa);
    CHECK_EQ(bits[2], 0x02); /* 16 17 18 -> 0 1 0, the rest zero */
    CHECK_EQ(test_alloc_size(ex.buffers[1]), 4);
    CHECK(ex.holds[1] && cc_buffer_refs(ex.holds[1]) == 1 && !a.data_share);
    cc_arrow_export_reset(&ex);
    cc_numarray_reset(&a);
}

/* ---- numbers: requested casts ----------------------------------------------------- */

/* The lossless rule, written out independently. */
static bool oracle_lossless(cc_dtype from, cc_dtype to) {
    if (from == to) return true;
    bool fi = from <= CC_UINT64, ti = to <= CC_UINT64;
    if (from == CC_BOOL || to == CC_BOOL) return false;
    if (fi && ti) return true;
    if (fi && to == CC_FLOAT32) return from == CC_INT8 || from == CC_INT16 ||
                                       from == CC_UINT8 || from == CC_UINT16;
    if (fi && to == CC_FLOAT64) return from != CC_INT64 && from != CC_UINT64;
    return from == CC_FLOAT32 && to == CC_FLOAT64;
}

TEST(requested_formats_accept_exactly_the_lossless_casts) {
    for (int f = 0; f < N_DTYPES; f++)
        for (int t = 0; t < N_DTYPES; t++) {
            cc_dtype from = all_dtypes[f], to = all_dtypes[t], got;
            cc_numarray a;
            make_numbers(&a, from, true, 40);
            bool want = oracle_lossless(from, to);
            CHECK_EQ(cc_arrow_lossless_cast(from, to), want);
            CHECK_MSG(cc_arrow_numbers_target(&a, cc_arrow_format(to), &got) ==
                          (want ? CC_OK : CC_EINVAL),
                      "%s -> %s", cc_dtype_get(from)->name, cc_dtype_get(to)->name);
            CHECK_EQ(got, want ? to : from);
            cc_arrow_export ex;
            cc_error err = {0};
            cc_status st = cc_arrow_export_numbers(&a, to, &ex, &err);
            if (!want) {
                CHECK_EQ(st, CC_EINVAL); /* even if asked directly */
            } else if (CHECK_EQ(st, CC_OK)) {
                const void *theirs[3] = {a.data, a.validity, NULL};
                if (to != from && from != CC_BOOL) {
                    CHECK_MADE(&ex, 1, theirs, (size_t)(40 * cc_dtype_itemsize(to)));
                    CHECK(!a.data_share); /* the values were not shared */
                }
                CHECK_ZERO_COPY(&ex, 0, a.validity, a.validity_share); /* the bitmap is */
                numbers_read_back(&a, to, &ex);
                cc_arrow_export_reset(&ex);
            }
            cc_numarray_reset(&a);
        }
    const char *refused[] = {"", "x", "u", "+s", "ll", "L ", "tdm"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        cc_numarray a;
        cc_dtype got;
        cc_numarray_init(&a, CC_INT64, false, false);
        CHECK_EQ(cc_arrow_numbers_target(&a, refused[k], &got), CC_EINVAL);
        CHECK_EQ(got, CC_INT64);
    }
}

TEST(a_value_that_does_not_fit_the_requested_type_is_named) {
    cc_numarray a;
    cc_numarray_init(&a, CC_INT32, false, true);
    int64_t vals[] = {5, -3, 0, 300, 70000};
    for (int i = 0; i < 5; i++) {
        cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = vals[i]};
        if (!CHECK_EQ(cc_numarray_append(&a, &s), CC_OK)) return;
    }
    struct { cc_dtype to; int64_t bad; } cases[] = {
        {CC_INT8, 3}, {CC_UINT8, 1}, {CC_INT16, 4}, {CC_UINT16, 1}, {CC_UINT64, 1},
    };
    int64_t live = test_alloc_live();
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cc_arrow_export ex = garbage_export();
        cc_error err = {0};
        CHECK_EQ(cc_arrow_export_numbers(&a, cases[k].to, &ex, &err), CC_EOVERFLOW);
        CHECK_EQ(err.index, cases[k].bad);
        CHECK(err.why != NULL);
        CHECK(export_zeroed(&ex)); /* nothing to free */
        CHECK(!cc_numarray_is_shared(&a));
        CHECK_EQ(test_alloc_live(), live);
    }
    /* a null holds 0, which fits */
    cc_scalar null = {.kind = CC_SCALAR_NULL};
    CHECK_EQ(cc_numarray_set(&a, 3, &null), CC_OK);
    CHECK_EQ(cc_numarray_set(&a, 4, &null), CC_OK);
    cc_arrow_export ex;
    cc_error err = {0};
    if (CHECK_EQ(cc_arrow_export_numbers(&a, CC_INT8, &ex, &err), CC_OK)) {
        numbers_read_back(&a, CC_INT8, &ex);
        cc_arrow_export_reset(&ex);
    }
    CHECK_EQ(cc_arrow_export_numbers(&a, CC_UINT32, &ex, &err), CC_EOVERFLOW);
    CHECK_EQ(err.index, 1);
    cc_numarray_reset(&a);
}

/* A copy of a's values and bitmap, to check that a failure changed nothing. */
typedef struct num_copy {
    uint8_t *data, *validity; /* a's pointers */
    uint8_t *bytes, *bits;    /* copies of what they held */
    size_t nbytes, nbits;
    int64_t length, null_count;
} num_copy;

static num_copy num_copy_take(const cc_numarray *a) {
    num_copy c = {a->data, a->validity, NULL, NULL,
                  (size_t)a->length * (size_t)cc_numarray_itemsize(a),
                  a->validity ? (size_t)cc_bitmap_bytes(a->length) : 0, a->length, a->null_count};
    c.bytes = malloc(c.nbytes + 1);
    c.bits = malloc(c.nbits + 1);
    if (c.nbytes) memcpy(c.bytes, a->data, c.nbytes);
    if (c.nbits) memcpy(c.bits, a->validity, c.nbits);
    return c;
}

/* a holds the same values at the same pointers. */
static bool num_same_at(const num_copy *c, const cc_numarray *a, const char *file, int line) {
    if (a->data != c->data || a->validity != c->validity || a->length != c->length ||
        a->null_count != c->null_count ||
        (c->nbytes && memcmp(a->data, c->bytes, c->nbytes) != 0) ||
        (c->nbits && memcmp(a->validity, c->bits, c->nbits) != 0))
        return test_fail(file, line, "the container changed");
    return true;
}
#define CHECK_NUM_SAME(c, a) num_same_at((c), (a), __FILE__, __LINE__)

static void num_copy_free(num_copy *c) {
    free(c->bytes);
    free(c->bits);
}

/* Every share a holds is held by a alone (refs 1). */
static bool num_sole_owner(const cc_numarray *a) {
    return (!a->data_share || cc_buffer_refs(a->data_share) == 1) &&
           (!a->validity_share || cc_buffer_refs(a->validity_share) == 1);
}

TEST(numbers_under_failing_allocations_own_nothing) {
    struct { cc_dtype from, to; } cases[] = {
        {CC_BOOL, CC_BOOL}, {CC_INT8, CC_INT64}, {CC_UINT16, CC_FLOAT32},
        {CC_FLOAT32, CC_FLOAT64}, {CC_INT64, CC_INT64}, {CC_INT32, CC_INT32},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int64_t n = 0; n <= 50; n += 50)
            for (int aliased = 0; aliased < 2; aliased++) {
                int64_t before = test_alloc_live();
                cc_numarray a;
                make_numbers(&a, cases[c].from, true, n);
                int64_t live = test_alloc_live();
                num_copy was = num_copy_take(&a);
                a.exports = aliased;
                int64_t failures = 0;
                for (int64_t k = 1;; k++) {
                    /* private again (sole owner: no copy, no allocation), so
                     * every run wraps the blocks afresh */
                    CHECK_EQ(cc_numarray_own(&a), CC_OK);
                    CHECK_EQ(test_alloc_live(), live);
                    cc_arrow_export ex = garbage_export();
                    cc_error err = {0};
                    test_alloc_fail_at(k);
                    cc_status st = cc_arrow_export_numbers(&a, cases[c].to, &ex, &err);
                    bool fired = !test_alloc_armed();
                    test_alloc_fail_at(0);
                    numbers_valid(&a);
                    CHECK_NUM_SAME(&was, &a);
                    if (aliased) CHECK(!cc_numarray_is_shared(&a));
                    if (st != CC_OK) {
                        failures++;
                        CHECK_EQ(st, CC_ENOMEM);
                        CHECK(fired && export_zeroed(&ex));
                        CHECK(num_sole_owner(&a));
                        CHECK_EQ(test_alloc_live(), live + num_shares(&a));
                        continue;
                    }
                    numbers_read_back(&a, cases[c].to, &ex);
                    cc_arrow_export_reset(&ex);
                    CHECK(num_sole_owner(&a));
                    CHECK_EQ(test_alloc_live(), live + num_shares(&a));
                    if (!fired) break;
                }
                CHECK(failures > 0 || (n == 0 && cases[c].from != CC_BOOL));
                a.exports = 0;
                num_copy_free(&was);
                cc_numarray_reset(&a);
                CHECK_EQ(test_alloc_live(), before);
            }
}

TEST(an_aliased_container_exports_copies) {
    /* a memoryview may write the container's buffers: the export copies
     * them, and the container is not shared */
    for (int d = 0; d < N_DTYPES; d++) {
        cc_numarray a;
        make_numbers(&a, all_dtypes[d], true, 37);
        a.exports = 1;
        int64_t live = test_alloc_live();
        const void *theirs[3] = {a.data, a.validity, NULL};
        cc_arrow_export ex;
        cc_error err = {0};
        if (!CHECK_EQ(cc_arrow_export_numbers(&a, a.dtype, &ex, &err), CC_OK)) return;
        CHECK(!cc_numarray_is_shared(&a));
        CHECK_MADE(&ex, 0, theirs, (size_t)cc_bitmap_bytes(37));
        CHECK_MADE(&ex, 1, theirs, a.dtype == CC_BOOL ? (size_t)cc_bitmap_bytes(37) + 1
                                                      : (size_t)(37 * cc_numarray_itemsize(&a)));
        CHECK_EQ(test_alloc_live(), live + 4);
        numbers_valid(&a);
        numbers_read_back(&a, a.dtype, &ex);
        /* the view writes: the export keeps the values it was given */
        cc_numarray snap;
        cc_numarray_init_like(&snap, &a);
        CHECK_EQ(cc_numarray_gather(&a, 0, 1, a.length, &snap), CC_OK);
        memset(a.data, 0x01, (size_t)(37 * cc_numarray_itemsize(&a)));
        numbers_read_back(&snap, a.dtype, &ex);
        cc_numarray_reset(&snap);
        cc_arrow_export_reset(&ex);
        CHECK_EQ(test_alloc_live(), live);
        a.exports = 0;
        cc_numarray_reset(&a);
    }
    cc_strarray s;
    cc_strarray_init(&s, true);
    for (int i = 0; i < 9; i++) {
        cc_str w = {(const uint8_t *)"word", 4};
        if (!CHECK_EQ(cc_strarray_append(&s, w, i % 4 == 3), CC_OK)) return;
    }
    s.exports = 1;
    int64_t live = test_alloc_live();
    const void *theirs[3] = {s.validity, s.offsets, s.data};
    for (int wide = 0; wide < 2; wide++) {
        cc_arrow_export ex;
        cc_error err = {0};
        if (!CHECK_EQ(cc_arrow_export_strings(&s, wide, &ex, &err), CC_OK)) return;
        CHECK(!cc_strarray_is_shared(&s));
        CHECK_MADE(&ex, 0, theirs, (size_t)cc_bitmap_bytes(9));
        CHECK_MADE(&ex, 1, theirs, (size_t)(10 * (wide ? 8 : 4)));
        CHECK_MADE(&ex, 2, theirs, (size_t)s.data_len);
        CHECK_EQ(test_alloc_live(), live + 6);
        cc_arrow_export_reset(&ex);
        CHECK_EQ(test_alloc_live(), live);
    }
    s.exports = 0;
    cc_strarray_reset(&s);
}

/* ---- strings ------------------------------------------------------------------------ */

static const char *const words[] = {"", "a", "bc", "déjà", "", "longer than twelve bytes",
                                    "x", "yz"};
#define N_WORDS ((int64_t)(sizeof words / sizeof words[0]))

/* n strings cycling through words, every third a null when nullable. */
static void make_strings(cc_strarray *a, bool nullable, int64_t n) {
    cc_strarray_init(a, nullable);
    for (int64_t i = 0; i < n; i++) {
        const char *w = words[i % N_WORDS];
        cc_str s = {(const uint8_t *)w, (int64_t)strlen(w)};
        if (!CHECK_EQ(cc_strarray_append(a, s, nullable && i % 3 == 1), CC_OK)) return;
    }
}

static bool strings_read_back(const cc_strarray *a, bool wide, const cc_arrow_export *ex) {
    for (int64_t off = 0; off <= a->length; off += 1 + a->length / 7) {
        struct ArrowArray v = view_of(ex, off);
        cc_strarray back;
        cc_error err = {0};
        cc_strarray_init(&back, a->nullable);
        if (!CHECK_EQ(cc_arrow_append_strings(&back, wide, &v, &err), CC_OK)) return false;
        bool ok = CHECK_EQ(back.length, a->length - off);
        for (int64_t i = 0; ok && i < back.length; i++) {
            cc_str x = cc_strarray_get(a, off + i), y = cc_strarray_get(&back, i);
            ok = CHECK_MSG(cc_strarray_is_valid(a, off + i) == cc_strarray_is_valid(&back, i) &&
                               x.len == y.len && memcmp(x.ptr, y.ptr, (size_t)x.len) == 0,
                           "wide %d, offset %lld: element %lld differs", wide, (long long)off,
                           (long long)i);
        }
        cc_strarray_reset(&back);
        if (!ok) return false;
    }
    return true;
}

TEST(strings_export_their_own_buffers_or_offsets_of_the_other_width) {
    for (int nullable = 0; nullable < 2; nullable++)
        for (int64_t n = 0; n <= 40; n += 20)
            for (int want = 0; want < 3; want++) {
                cc_strarray a;
                make_strings(&a, nullable, n);
                const char *format = want == 0 ? NULL : want == 1 ? "u" : "U";
                bool wide;
                CHECK_EQ(cc_arrow_strings_target(&a, format, &wide), CC_OK);
                CHECK_EQ(wide, format ? format[0] == 'U' : a.wide);
                CHECK(strcmp(cc_arrow_strings_format(wide), format ? format : "u") == 0);
                int64_t live = test_alloc_live();
                cc_arrow_export ex;
                cc_error err = {0};
                uint8_t *data = a.data, *offsets = a.offsets, *validity = a.validity;
                const void *theirs[3] = {a.validity, a.offsets, a.data};
                if (!CHECK_EQ(cc_arrow_export_strings(&a, wide, &ex, &err), CC_OK)) return;
                CHECK(a.data == data && a.offsets == offsets && a.validity == validity);
                CHECK(ex.length == n && ex.null_count == a.null_count && ex.n_buffers == 3);
                if (a.null_count) CHECK_ZERO_COPY(&ex, 0, a.validity, a.validity_share);
                else CHECK(!ex.buffers[0] && !ex.holds[0] && !a.validity_share);
                CHECK(ex.buffers[1] != NULL && ex.buffers[2] != NULL);
                if (a.data) CHECK_ZERO_COPY(&ex, 2, a.data, a.data_share); /* always shared */
                else CHECK(!ex.holds[2] && !a.data_share);
                int64_t made = 0;
                if (wide == a.wide) {
                    if (a.offsets) {
                        CHECK_ZERO_COPY(&ex, 1, a.offsets, a.offsets_share);
                    } else {
                        CHECK(!ex.holds[1] && !a.offsets_share);
                        CHECK_EQ(*(const int64_t *)ex.buffers[1], 0); /* {0} */
                    }
                } else {
                    made = 1;
                    CHECK_MADE(&ex, 1, theirs, (size_t)(n + 1) * (wide ? 8 : 4));
                    CHECK(!a.offsets_share);
                }
                CHECK_EQ(test_alloc_live(), live + str_shares(&a) + 2 * made);
                strings_read_back(&a, wide, &ex);
                cc_arrow_export_reset(&ex);
                CHECK(export_zeroed(&ex));
                CHECK_EQ(test_alloc_live(), live + str_shares(&a));
                if (n) { /* the sole owner again: the next write keeps the blocks */
                    cc_str first = cc_strarray_get(&a, 0);
                    char copy[64];
                    memcpy(copy, first.ptr, (size_t)first.len);
                    first.ptr = (const uint8_t *)copy;
                    CHECK_EQ(cc_strarray_set(&a, 0, first, false), CC_OK);
                    CHECK(a.data == data && a.offsets == offsets && a.validity == validity);
                    CHECK(!cc_strarray_is_shared(&a));
                    CHECK_EQ(test_alloc_live(), live);
                }
                cc_strarray_reset(&a);
            }
}

TEST(strings_refuse_other_formats_and_scattered_layouts) {
    cc_strarray a;
    make_strings(&a, true, 10);
    const char *refused[] = {"", "l", "vu", "uu", "z", "+s"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        bool wide = true;
        CHECK_EQ(cc_arrow_strings_target(&a, refused[k], &wide), CC_EINVAL);
        CHECK_EQ(wide, a.wide);
    }
    cc_str longer = {(const uint8_t *)"a string longer than any before it", 34};
    if (!CHECK_EQ(cc_strarray_set(&a, 2, longer, false), CC_OK)) return;
    cc_arrow_export ex = garbage_export();
    cc_error err = {0};
    if (CHECK(a.spans)) { /* a set that does not fit in place scatters */
        CHECK_EQ(cc_arrow_export_strings(&a, a.wide, &ex, &err), CC_EINVAL);
        CHECK(export_zeroed(&ex) && !cc_strarray_is_shared(&a));
    }
    if (!CHECK_EQ(cc_strarray_compact(&a), CC_OK)) return;
    if (CHECK_EQ(cc_arrow_export_strings(&a, !a.wide, &ex, &err), CC_OK)) {
        strings_read_back(&a, !a.wide, &ex);
        cc_arrow_export_reset(&ex);
    }
    cc_strarray_reset(&a);
}

static int foreign_released; /* foreign buffers released so far */

static void count_release(void *owner) {
    (void)owner;
    foreign_released++;
}

TEST(bytes_past_int32_offsets_do_not_narrow) {
    /* A hand-made wide array over foreign buffers (a producer's, never
     * freed by us): only its offsets are read (no 2 GiB). */
    int64_t offsets[3] = {0, 5, (int64_t)INT32_MAX + 1};
    uint8_t byte = 'x';
    cc_strarray a;
    cc_strarray_init(&a, false);
    a.offsets = (uint8_t *)offsets;
    a.data = &byte;
    a.length = 2;
    a.wide = true;
    foreign_released = 0;
    a.offsets_share = cc_buffer_foreign(count_release, NULL);
    a.data_share = cc_buffer_foreign(count_release, NULL);
    if (!CHECK(a.offsets_share && a.data_share)) return;
    cc_arrow_export ex = garbage_export();
    cc_error err = {0};
    int64_t live = test_alloc_live();
    CHECK_EQ(cc_arrow_export_strings(&a, false, &ex, &err), CC_EOVERFLOW);
    CHECK(err.why != NULL && export_zeroed(&ex) && test_alloc_live() == live);
    CHECK(cc_buffer_refs(a.offsets_share) == 1 && cc_buffer_refs(a.data_share) == 1);
    if (CHECK_EQ(cc_arrow_export_strings(&a, true, &ex, &err), CC_OK)) {
        CHECK_ZERO_COPY(&ex, 1, offsets, a.offsets_share);
        CHECK_ZERO_COPY(&ex, 2, &byte, a.data_share);
        CHECK_EQ(test_alloc_live(), live);
        cc_arrow_export_reset(&ex);
    }
    offsets[2] = INT32_MAX; /* the last that fits */
    if (CHECK_EQ(cc_arrow_export_strings(&a, false, &ex, &err), CC_OK)) {
        CHECK_EQ(((const int32_t *)ex.buffers[1])[2], INT32_MAX);
        CHECK_ZERO_COPY(&ex, 2, &byte, a.data_share);
        cc_arrow_export_reset(&ex);
    }
    CHECK_EQ(foreign_released, 0);
    CHECK(cc_buffer_refs(a.offsets_share) == 1 && cc_buffer_refs(a.data_share) == 1);
    cc_buffer_unref(a.offsets_share);
    cc_buffer_unref(a.data_share);
    CHECK_EQ(foreign_released, 2);
    CHECK_EQ(test_alloc_live(), live - 2);
}

/* Every share a holds is held by a alone (refs 1). */
static bool str_sole_owner(const cc_strarray *a) {
    return (!a->data_share || cc_buffer_refs(a->data_share) == 1) &&
           (!a->offsets_share || cc_buffer_refs(a->offsets_share) == 1) &&
           (!a->validity_share || cc_buffer_refs(a->validity_share) == 1);
}

TEST(strings_under_failing_allocations_own_nothing) {
    for (int64_t n = 0; n <= 30; n += 30)
        for (int aliased = 0; aliased < 2; aliased++) {
            int64_t before = test_alloc_live();
            cc_strarray a;
            make_strings(&a, true, n);
            cc_strarray was;
            cc_strarray_init(&was, true);
            CHECK_EQ(cc_strarray_gather(&a, 0, 1, n, &was), CC_OK); /* the values */
            a.exports = aliased;
            for (int target = 0; target < 2; target++) {
                bool wide = target ? !a.wide : a.wide;
                CHECK_EQ(cc_strarray_own(&a), CC_OK);
                int64_t live = test_alloc_live();
                for (int64_t k = 1;; k++) {
                    /* private again (no copy), so every run wraps afresh */
                    CHECK_EQ(cc_strarray_own(&a), CC_OK);
                    CHECK_EQ(test_alloc_live(), live);
                    uint8_t *data = a.data, *offsets = a.offsets, *validity = a.validity;
                    cc_arrow_export ex = garbage_export();
                    cc_error err = {0};
                    test_alloc_fail_at(k);
                    cc_status st = cc_arrow_export_strings(&a, wide, &ex, &err);
                    bool fired = !test_alloc_armed();
                    test_alloc_fail_at(0);
                    CHECK(a.data == data && a.offsets == offsets && a.validity == validity);
                    CHECK(a.length == n && a.null_count == was.null_count &&
                          a.data_len == was.data_len);
                    CHECK(!a.data_len || memcmp(a.data, was.data, (size_t)a.data_len) == 0);
                    for (int64_t i = 0; i < n; i++)
                        CHECK(cc_strarray_is_valid(&a, i) == cc_strarray_is_valid(&was, i) &&
                              cc_strarray_offset(&a, i + 1) == cc_strarray_offset(&was, i + 1));
                    cc_error verr = {0};
                    CHECK(cc_strarray_validate(&a, &verr) == CC_OK);
                    if (aliased) CHECK(!cc_strarray_is_shared(&a));
                    CHECK(str_sole_owner(&a) || st == CC_OK);
                    if (st != CC_OK) {
                        CHECK_EQ(st, CC_ENOMEM);
                        CHECK(fired && export_zeroed(&ex));
                        CHECK_EQ(test_alloc_live(), live + str_shares(&a));
                        continue;
                    }
                    strings_read_back(&a, wide, &ex);
                    cc_arrow_export_reset(&ex);
                    CHECK(str_sole_owner(&a));
                    CHECK_EQ(test_alloc_live(), live + str_shares(&a));
                    if (!fired) break;
                }
            }
            a.exports = 0;
            cc_strarray_reset(&a);
            cc_strarray_reset(&was);
            CHECK_EQ(test_alloc_live(), before);
        }
}

/* ---- codes + dictionary -------------------------------------------------------------- */

/* codes of dtype dt: n codes cycling through [-1, k) (no -1 unless nulls). */
static void make_codes(cc_numarray *c, cc_dtype dt, int64_t n, int64_t k, bool nulls) {
    cc_numarray_init(c, dt, false, false);
    for (int64_t i = 0; i < n; i++) {
        cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = nulls && i % 4 == 2 ? -1 : i % (k ? k : 1)};
        if (!k && !nulls) return;
        if (!k) s.v.i = -1;
        if (!CHECK_EQ(cc_numarray_append(c, &s), CC_OK)) return;
    }
}

static bool codes_read_back(const cc_numarray *codes, const cc_arrow_export *ix,
                            const cc_arrow_export *dx, int64_t k) {
    for (int64_t off = 0; off <= codes->length; off += 1 + codes->length / 5) {
        struct ArrowArray v = view_of(ix, off);
        cc_error err = {0};
        if (!CHECK_EQ(cc_arrow_check_indices(codes->dtype, &v, k, &err), CC_OK)) return false;
        for (int64_t i = 0; i < v.length; i++) {
            cc_scalar s;
            cc_numarray_get(codes, off + i, &s);
            bool valid = cc_arrow_valid_at(&v, i);
            if (!CHECK_MSG(valid == (s.v.i != -1) &&
                               (!valid || cc_arrow_index_at(codes->dtype, &v, i) == s.v.i),
                           "offset %lld: index %lld differs", (long long)off, (long long)i))
                return false;
        }
    }
    struct ArrowArray d;
    memset(&d, 0, sizeof d);
    cc_arrow_export_fill(dx, &d);
    return CHECK(d.length == k && d.null_count == 0 && d.n_buffers == 3 && !d.buffers[0] &&
                 d.buffers[1] && d.buffers[2]);
}

TEST(codes_export_with_a_validity_built_from_minus_one) {
    cc_dtype dts[] = {CC_INT8, CC_INT16, CC_INT32, CC_INT64};
    for (int d = 0; d < 4; d++)
        for (int nulls = 0; nulls < 2; nulls++)
            for (int64_t n = 0; n <= 45; n += 15)
                for (int64_t k = 0; k <= 5; k += 5) {
                    if (!k && n && !nulls) continue; /* no word to point at */
                    cc_strarray keys;
                    make_strings(&keys, false, k);
                    cc_numarray codes;
                    make_codes(&codes, dts[d], n, k, nulls);
                    int64_t live = test_alloc_live(), expect_nulls = 0;
                    for (int64_t i = 0; i < n; i++) {
                        cc_scalar s;
                        cc_numarray_get(&codes, i, &s);
                        expect_nulls += s.v.i == -1;
                    }
                    cc_arrow_export ix, dx;
                    cc_error err = {0};
                    if (!CHECK_EQ(cc_arrow_export_codes(&codes, &keys, &ix, &dx, &err), CC_OK))
                        return;
                    CHECK(ix.length == n && ix.null_count == expect_nulls && ix.n_buffers == 2);
                    CHECK(ix.buffers[1] != NULL);
                    if (codes.data) CHECK_ZERO_COPY(&ix, 1, codes.data, codes.data_share);
                    else CHECK(!ix.holds[1] && !codes.data_share);
                    const void *theirs[3] = {codes.data, keys.offsets, keys.data};
                    if (expect_nulls) /* built from the -1 codes */
                        CHECK_MADE(&ix, 0, theirs, (size_t)cc_bitmap_bytes(n) + 1);
                    else CHECK(!ix.buffers[0] && !ix.holds[0]);
                    CHECK(!dx.buffers[0] && !dx.holds[0]);
                    if (keys.offsets) CHECK_ZERO_COPY(&dx, 1, keys.offsets, keys.offsets_share);
                    else CHECK(!dx.holds[1] && !keys.offsets_share);
                    if (keys.data) CHECK_ZERO_COPY(&dx, 2, keys.data, keys.data_share);
                    else CHECK(!dx.holds[2] && !keys.data_share);
                    CHECK_EQ(test_alloc_live(), live + num_shares(&codes) + str_shares(&keys) +
                                                    2 * (expect_nulls != 0));
                    codes_read_back(&codes, &ix, &dx, k);
                    cc_arrow_export_reset(&ix);
                    cc_arrow_export_reset(&dx);
                    CHECK_EQ(test_alloc_live(), live + num_shares(&codes) + str_shares(&keys));
                    CHECK(num_sole_owner(&codes) && str_sole_owner(&keys));
                    cc_numarray_reset(&codes);
                    cc_strarray_reset(&keys);
                }
}

TEST(stray_codes_are_refused_with_the_first_named) {
    cc_strarray keys;
    make_strings(&keys, false, 3);
    int64_t cases[][2] = {{-2, 4}, {3, 4}, {100, 6}, {-128, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_numarray codes;
        make_codes(&codes, CC_INT8, 8, 3, true);
        cc_scalar bad = {.kind = CC_SCALAR_INT, .v.i = cases[c][0]};
        if (!CHECK_EQ(cc_numarray_set(&codes, cases[c][1], &bad), CC_OK)) return;
        CHECK_EQ(cc_numarray_set(&codes, 7, &bad), CC_OK); /* a later one too */
        cc_arrow_export ix = garbage_export(), dx = garbage_export();
        cc_error err = {0};
        int64_t live = test_alloc_live();
        CHECK_EQ(cc_arrow_export_codes(&codes, &keys, &ix, &dx, &err), CC_EINVAL);
        CHECK_EQ(err.index, cases[c][1]);
        CHECK(export_zeroed(&ix) && export_zeroed(&dx) && test_alloc_live() == live);
        CHECK(!cc_numarray_is_shared(&codes) && !cc_strarray_is_shared(&keys));
        cc_numarray_reset(&codes);
    }
    cc_strarray_reset(&keys);
}

TEST(codes_of_every_width_with_one_null_or_a_huge_unsigned_code) {
    cc_strarray keys;
    make_strings(&keys, false, 3);
    for (int d = 0; d < 8; d++) { /* the core scans each integer width in its own loop */
        cc_dtype dt = all_dtypes[d];
        bool is_signed = d < 4;
        cc_numarray codes;
        cc_numarray_init(&codes, dt, false, false);
        for (int64_t i = 0; i < 20; i++) {
            cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = is_signed && i == 13 ? -1 : i % 3};
            if (!CHECK_EQ(cc_numarray_append(&codes, &s), CC_OK)) return;
        }
        cc_arrow_export ix, dx;
        cc_error err = {0};
        if (CHECK_EQ(cc_arrow_export_codes(&codes, &keys, &ix, &dx, &err), CC_OK)) {
            CHECK_EQ(ix.null_count, is_signed ? 1 : 0);
            codes_read_back(&codes, &ix, &dx, 3);
            cc_arrow_export_reset(&ix);
            cc_arrow_export_reset(&dx); /* it holds the keys' buffers */
        }
        cc_scalar big = {.kind = CC_SCALAR_UINT, .v.u = (uint64_t)INT64_MAX + 2};
        cc_scalar three = {.kind = CC_SCALAR_INT, .v.i = 3};
        CHECK_EQ(cc_numarray_set(&codes, 17, dt == CC_UINT64 ? &big : &three), CC_OK);
        CHECK_EQ(cc_arrow_export_codes(&codes, &keys, &ix, &dx, &err), CC_EINVAL);
        CHECK_EQ(err.index, 17);
        cc_numarray_reset(&codes);
    }
    cc_strarray_reset(&keys);
}

TEST(codes_under_failing_allocations_own_nothing) {
    cc_strarray keys;
    make_strings(&keys, false, 4);
    for (int nulls = 0; nulls < 2; nulls++) {
        cc_numarray codes;
        make_codes(&codes, CC_INT16, 33, 4, nulls);
        CHECK_EQ(cc_strarray_own(&keys), CC_OK); /* shared by the last run */
        int64_t live = test_alloc_live();
        num_copy was = num_copy_take(&codes);
        for (int64_t k = 1;; k++) {
            /* both private again (no copy), so every run wraps afresh */
            CHECK_EQ(cc_numarray_own(&codes), CC_OK);
            CHECK_EQ(cc_strarray_own(&keys), CC_OK);
            CHECK_EQ(test_alloc_live(), live);
            uint8_t *koff = keys.offsets, *kdata = keys.data;
            cc_arrow_export ix = garbage_export(), dx = garbage_export();
            cc_error err = {0};
            test_alloc_fail_at(k);
            cc_status st = cc_arrow_export_codes(&codes, &keys, &ix, &dx, &err);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            numbers_valid(&codes);
            CHECK_NUM_SAME(&was, &codes);
            CHECK(keys.offsets == koff && keys.data == kdata && keys.length == 4);
            if (st != CC_OK) {
                CHECK_EQ(st, CC_ENOMEM);
                CHECK(fired && export_zeroed(&ix) && export_zeroed(&dx));
                CHECK(num_sole_owner(&codes) && str_sole_owner(&keys));
                CHECK_EQ(test_alloc_live(), live + num_shares(&codes) + str_shares(&keys));
                continue;
            }
            codes_read_back(&codes, &ix, &dx, 4);
            cc_arrow_export_reset(&ix);
            cc_arrow_export_reset(&dx);
            CHECK_EQ(test_alloc_live(), live + num_shares(&codes) + str_shares(&keys));
            if (!fired) break;
        }
        num_copy_free(&was);
        cc_numarray_reset(&codes);
    }
    cc_strarray_reset(&keys);
}

TEST(schemas_fill_format_name_and_flags) {
    struct ArrowSchema s;
    memset(&s, 0, sizeof s);
    s.metadata = "kept";
    cc_arrow_schema_fill(&s, "l", true);
    CHECK(strcmp(s.format, "l") == 0 && strcmp(s.name, "") == 0);
    CHECK_EQ(s.flags, ARROW_FLAG_NULLABLE);
    CHECK(strcmp(s.metadata, "kept") == 0 && !s.release);
    cc_arrow_schema_fill(&s, "U", false);
    CHECK(strcmp(s.format, "U") == 0 && s.flags == 0);
}

/* ---- structs ---------------------------------------------------------------------------- */

static int released; /* children released so far, by the callbacks below */

static void child_release(struct ArrowArray *a) {
    released++;
    a->release = NULL;
}

static void child_schema_release(struct ArrowSchema *s) {
    released++;
    s->release = NULL;
}

static struct ArrowArray child_of_length(int64_t length) {
    struct ArrowArray c;
    memset(&c, 0, sizeof c);
    c.length = length;
    c.release = child_release;
    return c;
}

TEST(a_struct_takes_its_children_and_releases_them_once) {
    for (int64_t n = 0; n <= 3; n++) {
        cc_arrow_struct st;
        int64_t live = test_alloc_live();
        if (!CHECK_EQ(cc_arrow_struct_init(&st, n), CC_OK)) return;
        released = 0;
        for (int64_t i = 0; i < n; i++) {
            struct ArrowArray c = child_of_length(7);
            cc_error err = {0};
            CHECK_EQ(cc_arrow_struct_move_child(&st, &c, &err), CC_OK);
            CHECK(c.release == NULL); /* moved */
        }
        struct ArrowArray c = child_of_length(7), out;
        cc_error err = {0};
        CHECK_EQ(cc_arrow_struct_move_child(&st, &c, &err), CC_EINDEX); /* no slot: released */
        CHECK(released == 1 && !c.release);
        cc_arrow_struct_fill(&st, 42, &out);
        CHECK_EQ(out.length, n ? 7 : 42); /* no children: the table's rows */
        CHECK(out.n_buffers == 1 && out.buffers[0] == NULL && out.n_children == n);
        for (int64_t i = 0; i < n; i++) CHECK(out.children[i]->length == 7);
        CHECK(out.release == NULL && out.dictionary == NULL && out.offset == 0);
        cc_arrow_struct_reset(&st);
        CHECK_EQ(released, n + 1);
        CHECK_EQ(test_alloc_live(), live);
    }
}

TEST(a_struct_refuses_children_of_another_length) {
    cc_arrow_struct st;
    if (!CHECK_EQ(cc_arrow_struct_init(&st, 3), CC_OK)) return;
    released = 0;
    struct ArrowArray a = child_of_length(5), b = child_of_length(6);
    cc_error err = {0};
    CHECK_EQ(cc_arrow_struct_move_child(&st, &a, &err), CC_OK);
    CHECK_EQ(cc_arrow_struct_move_child(&st, &b, &err), CC_EINVAL);
    CHECK(err.why != NULL && err.index == 1 && !b.release && released == 0);
    cc_arrow_struct_reset(&st); /* both released: the struct took b too */
    CHECK_EQ(released, 2);
}

TEST(struct_schemas_copy_names_and_requested_formats) {
    cc_arrow_struct_schema ss;
    int64_t live = test_alloc_live();
    if (!CHECK_EQ(cc_arrow_struct_schema_init(&ss, 3), CC_OK)) return;
    released = 0;
    const char *formats[] = {"c", "u", "s"}, *requests[] = {NULL, "U", "s"};
    char name[] = "id\0xx";
    for (int i = 0; i < 3; i++) {
        struct ArrowSchema c;
        memset(&c, 0, sizeof c);
        cc_arrow_schema_fill(&c, formats[i], i == 1);
        c.release = child_schema_release;
        name[1] = (char)('a' + i);
        CHECK_EQ(cc_arrow_struct_schema_move_child(&ss, &c, name, 2, requests[i]), CC_OK);
        CHECK(!c.release);
    }
    struct ArrowSchema out;
    cc_arrow_struct_schema_fill(&ss, &out);
    CHECK(strcmp(out.format, "+s") == 0 && strcmp(out.name, "") == 0 && out.n_children == 3);
    CHECK(strcmp(out.children[0]->name, "ia") == 0 && strcmp(out.children[2]->name, "ic") == 0);
    CHECK(strcmp(out.children[0]->format, "c") == 0);
    CHECK(strcmp(out.children[1]->format, "U") == 0 && out.children[1]->format != requests[1]);
    CHECK(out.children[2]->format == formats[2]); /* its own: not copied */
    CHECK_EQ(out.children[1]->flags, ARROW_FLAG_NULLABLE);
    CHECK(!out.release);
    name[1] = 'z'; /* copies, not borrowed */
    CHECK(strcmp(out.children[0]->name, "ia") == 0);
    cc_arrow_struct_schema_reset(&ss);
    CHECK_EQ(released, 3);
    CHECK_EQ(test_alloc_live(), live);
}

TEST(structs_under_failing_allocations_release_everything) {
    for (int64_t k = 1;; k++) { /* the batch */
        released = 0;
        int64_t live = test_alloc_live();
        cc_arrow_struct st;
        test_alloc_fail_at(k);
        cc_status s = cc_arrow_struct_init(&st, 2);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        if (s != CC_OK) {
            CHECK(s == CC_ENOMEM && fired && test_alloc_live() == live);
            continue;
        }
        cc_arrow_struct_reset(&st);
        CHECK_EQ(test_alloc_live(), live);
        if (!fired) break;
    }
    for (int64_t k = 1;; k++) { /* the schema: every failure releases what was moved in */
        released = 0;
        int64_t live = test_alloc_live();
        cc_arrow_struct_schema ss;
        bool fired = false;
        test_alloc_fail_at(k);
        cc_status s = cc_arrow_struct_schema_init(&ss, 2);
        for (int i = 0; s == CC_OK && i < 2; i++) {
            struct ArrowSchema c;
            memset(&c, 0, sizeof c);
            cc_arrow_schema_fill(&c, "l", false);
            c.release = child_schema_release;
            s = cc_arrow_struct_schema_move_child(&ss, &c, "name", 4, i ? "c" : NULL);
            CHECK(!c.release); /* taken even on failure */
        }
        fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        if (s != CC_OK) CHECK(s == CC_ENOMEM && fired);
        if (ss.children || s == CC_OK) cc_arrow_struct_schema_reset(&ss);
        CHECK_EQ(test_alloc_live(), live);
        if (s == CC_OK) CHECK_EQ(released, 2);
        if (!fired) break;
    }
}

TEST(requested_struct_schemas_need_one_field_per_column) {
    struct ArrowSchema a, b, *kids[] = {&a, &b};
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    struct ArrowSchema want = {.format = "+s", .n_children = 2, .children = kids};
    CHECK(cc_arrow_struct_request_ok(&want, 2));
    CHECK(!cc_arrow_struct_request_ok(&want, 3));
    want.format = "+l";
    CHECK(!cc_arrow_struct_request_ok(&want, 2));
    want.format = NULL;
    CHECK(!cc_arrow_struct_request_ok(&want, 2));
    want.format = "+s";
    want.children = NULL;
    CHECK(!cc_arrow_struct_request_ok(&want, 2));
    want.n_children = 0;
    CHECK(cc_arrow_struct_request_ok(&want, 0));
}

int main(int argc, char **argv) { return test_main(argc, argv); }
