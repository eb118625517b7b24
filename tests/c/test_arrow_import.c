/* test_arrow_import.c -- the core's Arrow import (cc_arrow_import.c) fed
 * hand-made, mostly malformed C data interface structs, with no Arrow
 * library: length/offset overflow, null_count lies, wrong buffer counts,
 * NULL buffers, short struct children, decreasing or out-of-range offsets,
 * bad UTF-8, string views pointing outside their buffers, dictionary
 * indices outside the dictionary.  Each malformed input is refused with
 * CC_EINVAL and its reason, and leaves the container as it was; well-formed
 * chunks append one after another into one container; every allocation
 * failure (test_alloc_fail_at) leaves the container's values unchanged and
 * nothing leaked.  Buffers are exactly as large as the structs declare, so
 * any ASan report is the importer's. */
#include "cc_arrow_import.h"
#include "test_alloc.h"

#include <stdlib.h>

/* ---- building structs ---------------------------------------------------------- */

typedef struct {
    struct ArrowArray a;
    const void *buffers[8];
} fake_array;

static void fake(fake_array *f, int64_t length, int64_t offset, int64_t null_count,
                 int64_t n_buffers, const void *b0, const void *b1, const void *b2) {
    memset(f, 0, sizeof *f);
    f->a.length = length;
    f->a.offset = offset;
    f->a.null_count = null_count;
    f->a.n_buffers = n_buffers;
    f->buffers[0] = b0;
    f->buffers[1] = b1;
    f->buffers[2] = b2;
    f->a.buffers = f->buffers;
}

static bool why_is(const cc_error *err, const char *why) {
    return CHECK_MSG(err->why && strcmp(err->why, why) == 0, "why = '%s', expected '%s'",
                     err->why ? err->why : "(null)", why);
}

static bool str_is(const cc_strarray *a, int64_t i, const char *want) {
    cc_str s = cc_strarray_get(a, i);
    return CHECK_MSG(cc_strarray_is_valid(a, i) && s.len == (int64_t)strlen(want) &&
                         memcmp(s.ptr, want, (size_t)s.len) == 0,
                     "element %lld is not '%s'", (long long)i, want);
}

static bool strings_valid(const cc_strarray *a) {
    cc_error err = {"", -1};
    return CHECK_MSG(cc_strarray_validate(a, &err) == CC_OK, "invariant: %s", err.why);
}

static bool numbers_valid(const cc_numarray *a) {
    cc_error err = {"", -1};
    return CHECK_MSG(cc_numarray_validate(a, &err) == CC_OK, "invariant: %s", err.why);
}

/* ---- shape ----------------------------------------------------------------------- */

TEST(shape_refuses_lengths_offsets_and_null_counts_out_of_range) {
    int32_t v[4] = {1, 2, 3, 4};
    struct { int64_t length, offset, null_count; const char *why; } bad[] = {
        {-1, 0, 0, "length or offset out of range"},
        {0, -1, 0, "length or offset out of range"},
        {INT64_MAX, 1, 0, "length or offset out of range"},
        {1, INT64_MAX, 0, "length or offset out of range"},
        {INT64_MIN, 0, 0, "length or offset out of range"},
        {CC_MAX_SIZE, CC_MAX_SIZE, 0, "length or offset out of range"},
        {2, 0, -2, "null_count out of range"},
        {2, 0, 3, "null_count out of range"}, /* a null_count lie */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        fake_array f;
        fake(&f, bad[k].length, bad[k].offset, bad[k].null_count, 2, NULL, v, NULL);
        cc_error err = {0};
        CHECK_EQ(cc_arrow_check_shape(&f.a, 2, &err), CC_EINVAL);
        why_is(&err, bad[k].why);
        cc_numarray out;
        cc_numarray_init(&out, CC_INT32, false, false);
        CHECK_EQ(cc_arrow_append_numbers(&out, &f.a, &err), CC_EINVAL);
        CHECK_EQ(out.length, 0);
        cc_numarray_reset(&out);
    }
}

TEST(shape_refuses_wrong_buffer_counts_and_null_buffers) {
    int32_t v[2] = {1, 2};
    fake_array f;
    cc_error err;
    fake(&f, 2, 0, 0, 3, NULL, v, NULL);
    CHECK_EQ(cc_arrow_check_shape(&f.a, 2, &err), CC_EINVAL);
    why_is(&err, "wrong number of buffers for the format");
    fake(&f, 2, 0, 1, 2, NULL, v, NULL);
    f.a.buffers = NULL; /* fuzzing found has_nulls reading a NULL buffers (F1) */
    CHECK(!cc_arrow_has_nulls(&f.a));
    CHECK_EQ(cc_arrow_check_shape(&f.a, 2, &err), CC_EINVAL);
    why_is(&err, "no buffers");
    fake(&f, 2, 0, 0, 2, NULL, NULL, NULL);
    CHECK_EQ(cc_arrow_check_shape(&f.a, 2, &err), CC_EINVAL);
    why_is(&err, "a data buffer is NULL");
    fake(&f, 0, 0, 0, 2, NULL, NULL, NULL); /* empty: NULL data is fine */
    CHECK_EQ(cc_arrow_check_shape(&f.a, 2, &err), CC_OK);
    fake(&f, 2, 0, 0, 3, NULL, v, NULL);
    CHECK_EQ(cc_arrow_check_shape(&f.a, 3, &err), CC_EINVAL);
    why_is(&err, "a data buffer is NULL");
}

TEST(struct_check_refuses_short_children_mismatches_and_null_rows) {
    struct ArrowSchema f0 = {.format = "i", .name = "x"}, *fields[1] = {&f0};
    struct ArrowSchema s = {.format = "+s", .n_children = 1, .children = fields};
    int32_t v[3] = {1, 2, 3};
    fake_array child, parent;
    fake(&child, 3, 0, 0, 2, NULL, v, NULL);
    struct ArrowArray *kids[1] = {&child.a};
    fake(&parent, 2, 1, 0, 1, NULL, NULL, NULL);
    parent.a.n_children = 1;
    parent.a.children = kids;
    cc_error err;
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_OK);
    struct ArrowArray cut;
    cc_arrow_struct_child(&parent.a, 0, &cut);
    CHECK(cut.offset == 1 && cut.length == 2);
    parent.a.length = 3; /* offset 1 + length 3 > the child's 3 */
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "a child array is shorter than the struct");
    parent.a.length = 2;
    child.a.offset = CC_MAX_SIZE; /* the child's offset + the cut overflows */
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "a child array is shorter than the struct");
    child.a.offset = 0;
    kids[0] = NULL;
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "a child array is shorter than the struct");
    kids[0] = &child.a;
    parent.a.n_children = 2;
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "the array's children do not match the schema's");
    parent.a.n_children = 1;
    parent.a.n_buffers = 2;
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "wrong number of buffers for a struct");
    parent.a.n_buffers = 1;
    uint8_t bits = 0x1;
    parent.buffers[0] = &bits;
    parent.a.null_count = 1;
    CHECK_EQ(cc_arrow_check_struct(&s, &parent.a, &err), CC_EINVAL);
    why_is(&err, "a struct array with null rows has no column form");
    f0.format = NULL;
    CHECK_EQ(cc_arrow_check_struct(&s, NULL, &err), CC_EINVAL);
    why_is(&err, "a struct field without a format");
    s.children = NULL;
    CHECK_EQ(cc_arrow_check_struct(&s, NULL, &err), CC_EINVAL);
    why_is(&err, "a struct schema without children");
}

/* ---- numbers -------------------------------------------------------------------- */

TEST(numbers_append_chunk_after_chunk_and_nulls_make_it_nullable) {
    int16_t v1[3] = {7, 8, 9}, v2[4] = {1, 2, 3, 4};
    uint8_t bits = 0x0d; /* 1011: element 1 null */
    fake_array f;
    cc_error err;
    cc_numarray out;
    cc_numarray_init(&out, CC_INT16, false, false);
    fake(&f, 2, 1, 0, 2, NULL, v1, NULL);
    CHECK_EQ(cc_arrow_append_numbers(&out, &f.a, &err), CC_OK);
    CHECK(!out.nullable && out.length == 2);
    fake(&f, 3, 1, 1, 2, &bits, v2, NULL); /* offset 1: bits 1..3 = 0, 1, 1 */
    CHECK_EQ(cc_arrow_append_numbers(&out, &f.a, &err), CC_OK);
    CHECK(out.nullable && out.length == 5 && out.null_count == 1);
    int16_t want[5] = {8, 9, 0, 3, 4};
    CHECK(memcmp(out.data, want, sizeof want) == 0);
    CHECK(cc_numarray_is_valid(&out, 1) && !cc_numarray_is_valid(&out, 2));
    numbers_valid(&out);
    cc_numarray_reset(&out);
    /* bools unpacked from bits */
    uint8_t b = 0x5; /* 101 */
    cc_numarray_init(&out, CC_BOOL, false, false);
    fake(&f, 3, 0, 0, 2, NULL, &b, NULL);
    CHECK_EQ(cc_arrow_append_numbers(&out, &f.a, &err), CC_OK);
    CHECK(out.length == 3 && out.data[0] == 1 && out.data[1] == 0 && out.data[2] == 1);
    cc_numarray_reset(&out);
}

TEST(numbers_under_failing_allocations_change_nothing) {
    int64_t v[100];
    uint8_t bits[13];
    for (int i = 0; i < 100; i++) v[i] = i;
    memset(bits, 0xff, sizeof bits);
    bits[5] = 0; /* 40..47 null */
    for (int64_t k = 1;; k++) {
        cc_numarray out;
        cc_numarray_init(&out, CC_INT64, false, false);
        fake_array f;
        cc_error err;
        fake(&f, 10, 0, 0, 2, NULL, v, NULL);
        if (!CHECK_EQ(cc_arrow_append_numbers(&out, &f.a, &err), CC_OK)) return;
        test_alloc_fail_at(k);
        fake(&f, 100, 0, 8, 2, bits, v, NULL);
        cc_status st = cc_arrow_append_numbers(&out, &f.a, &err);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        if (st != CC_OK) {
            CHECK_EQ(st, CC_ENOMEM);
            CHECK(out.length == 10 && ((int64_t *)out.data)[9] == 9);
        } else {
            CHECK(out.length == 110 && out.null_count == 8);
        }
        numbers_valid(&out);
        cc_numarray_reset(&out);
        if (!fired) break;
    }
}

/* ---- strings -------------------------------------------------------------------- */

TEST(strings_refuse_bad_offsets_and_utf8_leaving_the_container_as_it_was) {
    const char *data = "abcd\xc3\xa9" "ef";
    int32_t ok[4] = {0, 2, 6, 8};
    struct { int32_t off[4]; const char *why; int64_t index; } bad[] = {
        {{-1, 2, 6, 8}, "offsets out of order", -1},
        {{4, 2, 6, 2}, "offsets out of order", -1},
        {{0, 4, 2, 8}, "string %lld has bad offsets or is not valid UTF-8", 1},
        {{0, 2, 5, 8}, "string %lld has bad offsets or is not valid UTF-8", 2},  /* splits "é" */
        {{0, 2, 9, 8}, "offsets out of order", -1}, /* past the last: found in the UTF-8 scan */
    };
    cc_strarray out;
    cc_strarray_init(&out, false);
    cc_error err;
    fake_array f;
    fake(&f, 3, 0, 0, 3, NULL, ok, data);
    CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_OK);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        fake(&f, 3, 0, 0, 3, NULL, bad[k].off, data);
        cc_status st = cc_arrow_append_strings(&out, false, &f.a, &err);
        CHECK_MSG(st == CC_EINVAL, "case %zu: status %d", k, (int)st);
        if (st == CC_EINVAL && bad[k].index >= 0) {
            why_is(&err, bad[k].why);
            CHECK_EQ(err.index, bad[k].index);
        }
        CHECK(out.length == 3 && out.data_len == 8);
    }
    /* one invalid byte */
    const char *latin1 = "ab\xe9";
    int32_t one[2] = {0, 3};
    fake(&f, 1, 0, 0, 3, NULL, one, latin1);
    CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_EINVAL);
    why_is(&err, "string %lld has bad offsets or is not valid UTF-8");
    CHECK_EQ(err.index, 0);
    str_is(&out, 0, "ab");
    str_is(&out, 1, "cd\xc3\xa9");
    strings_valid(&out);
    cc_strarray_reset(&out);
}

TEST(strings_with_nulls_owning_bytes_drop_them_and_check_every_string) {
    const char *data = "xxhello";
    int64_t off[4] = {0, 2, 2, 7}; /* null "xx", "", "hello" */
    uint8_t bits = 0x6;            /* 110 */
    cc_strarray out;
    cc_strarray_init(&out, false);
    cc_error err;
    fake_array f;
    fake(&f, 1, 2, 0, 3, NULL, off, data); /* "hello" alone, offset 2 */
    CHECK_EQ(cc_arrow_append_strings(&out, true, &f.a, &err), CC_OK);
    fake(&f, 3, 0, 1, 3, &bits, off, data);
    CHECK_EQ(cc_arrow_append_strings(&out, true, &f.a, &err), CC_OK);
    CHECK(out.nullable && out.length == 4 && out.null_count == 1);
    str_is(&out, 0, "hello");
    CHECK(!cc_strarray_is_valid(&out, 1) && cc_strarray_get(&out, 1).len == 0);
    str_is(&out, 3, "hello");
    strings_valid(&out);
    /* the slow path refuses an offset outside [first, last] */
    int64_t back[4] = {0, 2, 9, 7};
    fake(&f, 3, 0, 1, 3, &bits, back, data);
    CHECK_EQ(cc_arrow_append_strings(&out, true, &f.a, &err), CC_EINVAL);
    why_is(&err, "string %lld has bad offsets or is not valid UTF-8");
    CHECK_EQ(err.index, 1);
    CHECK_EQ(out.length, 4);
    cc_strarray_reset(&out);
}

TEST(strings_under_failing_allocations_change_nothing) {
    char data[300];
    int32_t off[101];
    uint8_t bits[13];
    for (int i = 0; i < 300; i++) data[i] = (char)('a' + i % 26);
    for (int i = 0; i <= 100; i++) off[i] = 3 * i;
    memset(bits, 0xff, sizeof bits);
    bits[2] = 0xfe; /* 16 null, owning 3 bytes: the slow path */
    for (int slow = 0; slow < 2; slow++)
        for (int64_t k = 1;; k++) {
            cc_strarray out;
            cc_strarray_init(&out, false);
            fake_array f;
            cc_error err;
            fake(&f, 5, 0, 0, 3, NULL, off, data);
            if (!CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_OK)) return;
            test_alloc_fail_at(k);
            fake(&f, 100, 0, slow, 3, slow ? bits : NULL, off, data);
            cc_status st = cc_arrow_append_strings(&out, false, &f.a, &err);
            bool fired = !test_alloc_armed();
            test_alloc_fail_at(0);
            if (st != CC_OK) {
                CHECK_EQ(st, CC_ENOMEM);
                CHECK(out.length == 5 && out.data_len == 15);
                str_is(&out, 4, "mno");
            } else {
                CHECK(out.length == 105 && out.null_count == slow);
            }
            strings_valid(&out);
            cc_strarray_reset(&out);
            if (!fired) break;
        }
}

/* ---- string views ---------------------------------------------------------------- */

static void view(uint8_t *v, int32_t len, const char *inline_or_prefix, int32_t index,
                 int32_t offset) {
    memset(v, 0, 16);
    memcpy(v, &len, 4);
    if (len <= 12) {
        if (len > 0) memcpy(v + 4, inline_or_prefix, (size_t)len);
    } else {
        memcpy(v + 4, inline_or_prefix, 4);
        memcpy(v + 8, &index, 4);
        memcpy(v + 12, &offset, 4);
    }
}

TEST(string_views_refuse_views_outside_their_buffers) {
    const char *long1 = "0123456789abcdefghij"; /* 20 bytes */
    int64_t sizes[1] = {20};
    uint8_t views[3][16];
    view(views[0], 5, "short", 0, 0);
    view(views[1], 20, long1, 0, 0);
    view(views[2], 14, long1, 0, 6);
    fake_array f;
    cc_error err;
    fake(&f, 3, 0, 0, 4, NULL, views, long1);
    f.buffers[3] = sizes;
    cc_strarray out;
    cc_strarray_init(&out, false);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_OK);
    str_is(&out, 0, "short");
    str_is(&out, 1, long1);
    str_is(&out, 2, "6789abcdefghij");
    struct { int32_t len, index, offset; } bad[] = {
        {13, 1, 0}, {13, -1, 0}, {13, 0, -1}, {13, 0, 8}, {INT32_MAX, 0, 0},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        view(views[2], bad[k].len, long1, bad[k].index, bad[k].offset);
        CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
        why_is(&err, "a string view points outside its buffer");
        CHECK_EQ(out.length, 3);
    }
    view(views[2], -1, "", 0, 0);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
    why_is(&err, "string %lld is not valid UTF-8");
    CHECK_EQ(err.index, 2);
    view(views[2], 2, "\xc3\x28", 0, 0);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
    /* a null view is not read */
    uint8_t bits = 0x3;
    f.buffers[0] = &bits;
    f.a.null_count = 1;
    view(views[2], 99, long1, 7, 7);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_OK);
    CHECK(out.nullable && out.length == 6 && !cc_strarray_is_valid(&out, 5));
    strings_valid(&out);
    /* shape */
    fake(&f, 1, 0, 0, 2, NULL, views, NULL);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
    why_is(&err, "a string view array needs 3+ buffers");
    fake(&f, 1, 0, 0, 4, NULL, views, long1); /* no sizes buffer */
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
    why_is(&err, "length, offset or buffers out of range");
    fake(&f, 1, INT64_MAX, 0, 3, NULL, views, NULL);
    CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_EINVAL);
    why_is(&err, "length, offset or buffers out of range");
    CHECK_EQ(out.length, 6);
    cc_strarray_reset(&out);
}

TEST(string_views_under_failing_allocations_change_nothing) {
    const char *long1 = "0123456789abcdefghij";
    int64_t sizes[1] = {20};
    uint8_t views[40][16];
    for (int i = 0; i < 40; i++) view(views[i], i % 2 ? 20 : 3, i % 2 ? long1 : "abc", 0, 0);
    for (int64_t k = 1;; k++) {
        cc_strarray out;
        cc_strarray_init(&out, false);
        fake_array f;
        cc_error err;
        fake(&f, 2, 0, 0, 4, NULL, views, long1);
        f.buffers[3] = sizes;
        if (!CHECK_EQ(cc_arrow_append_string_views(&out, &f.a, &err), CC_OK)) return;
        test_alloc_fail_at(k);
        f.a.length = 40;
        cc_status st = cc_arrow_append_string_views(&out, &f.a, &err);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        CHECK(st == CC_OK ? out.length == 42 : st == CC_ENOMEM && out.length == 2);
        strings_valid(&out);
        cc_strarray_reset(&out);
        if (!fired) break;
    }
}

/* ---- dictionaries ---------------------------------------------------------------- */

TEST(dictionary_schema_and_indices_are_checked) {
    struct ArrowSchema words = {.format = "u"}, s = {.format = "c", .dictionary = &words};
    int8_t idx[4] = {0, 2, 1, 2};
    fake_array dict, f;
    fake(&f, 4, 0, 0, 2, NULL, idx, NULL);
    f.a.dictionary = &dict.a;
    cc_dtype it;
    const char *vf;
    cc_error err;
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_OK);
    CHECK(it == CC_INT8 && strcmp(vf, "u") == 0);
    CHECK_EQ(cc_arrow_check_indices(it, &f.a, 3, &err), CC_OK);
    CHECK_EQ(cc_arrow_check_indices(it, &f.a, 2, &err), CC_EINVAL);
    why_is(&err, "index %lld points outside the dictionary");
    CHECK_EQ(err.index, 1);
    idx[3] = -1;
    CHECK_EQ(cc_arrow_check_indices(it, &f.a, 3, &err), CC_EINVAL);
    CHECK_EQ(err.index, 3);
    uint8_t bits = 0x7; /* the bad index is a null: not read */
    f.buffers[0] = &bits;
    f.a.null_count = 1;
    CHECK_EQ(cc_arrow_check_indices(it, &f.a, 3, &err), CC_OK);
    /* codes: ids[index], -1 for a null */
    int64_t ids[3] = {5, -1, 300};
    cc_numarray codes;
    cc_numarray_init(&codes, CC_INT8, true, false);
    bool null_code = false;
    CHECK_EQ(cc_arrow_append_codes(&codes, it, &f.a, ids, 2, &null_code, &err), CC_EINVAL);
    CHECK(codes.length == 0 && err.index == 1); /* 2 is outside a dictionary of 2 */
    CHECK_EQ(cc_arrow_append_codes(&codes, it, &f.a, ids, 3, &null_code, &err), CC_OK);
    CHECK(null_code); /* index 2 -> id -1 */
    cc_scalar v;
    int64_t want[4] = {5, 300, -1, -1};
    CHECK(codes.length == 4 && codes.dtype == CC_INT16);
    for (int i = 0; i < 4; i++) {
        cc_numarray_get(&codes, i, &v);
        CHECK_EQ(v.v.i, want[i]);
    }
    cc_numarray_reset(&codes);
    /* uint64 indices past INT64_MAX */
    uint64_t big[1] = {UINT64_MAX};
    fake(&f, 1, 0, 0, 2, NULL, big, NULL);
    CHECK_EQ(cc_arrow_check_indices(CC_UINT64, &f.a, 3, &err), CC_EINVAL);
    /* schema */
    s.format = "g";
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_ETYPE);
    why_is(&err, "dictionary indices must be integers");
    s.format = "b";
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_ETYPE);
    s.format = "L";
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_ETYPE);
    why_is(&err, "only dictionaries of strings import (as CategoricalArray)"); /* no dictionary */
    f.a.dictionary = &dict.a;
    words.format = "i";
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_ETYPE);
    words.format = NULL;
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_EINVAL);
    why_is(&err, "the dictionary's schema has no format");
    words.format = "vu";
    f.a.n_buffers = 3;
    CHECK_EQ(cc_arrow_check_dictionary(&s, &f.a, &it, &vf, &err), CC_EINVAL);
    why_is(&err, "wrong number of buffers for the format");
}

TEST(codes_under_failing_allocations_change_nothing) {
    int32_t idx[50];
    int64_t ids[50];
    for (int i = 0; i < 50; i++) idx[i] = 49 - i, ids[i] = 1000 + i;
    for (int64_t k = 1;; k++) {
        cc_numarray codes;
        cc_numarray_init(&codes, CC_INT8, true, false);
        fake_array f;
        cc_error err;
        fake(&f, 3, 0, 0, 2, NULL, idx, NULL);
        bool null_code = false;
        if (!CHECK_EQ(cc_arrow_append_codes(&codes, CC_INT32, &f.a, ids, 50, &null_code, &err),
                      CC_OK))
            return;
        test_alloc_fail_at(k);
        f.a.length = 50;
        cc_status st = cc_arrow_append_codes(&codes, CC_INT32, &f.a, ids, 50, &null_code, &err);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        CHECK(st == CC_OK ? codes.length == 53 : st == CC_ENOMEM && codes.length == 3);
        numbers_valid(&codes);
        cc_numarray_reset(&codes);
        if (!fired) break;
    }
}

/* ---- adopters ---------------------------------------------------------------------- */

static int released;
static void count_release(void *owner) { (void)owner, released++; }

TEST(numbers_adopt_values_and_release_the_owner_with_the_last_reference) {
    int64_t values[20];
    for (int i = 0; i < 20; i++) values[i] = i;
    uint8_t bits[3] = {0xFF, 0xEF, 0x0F}; /* element 12 null */
    for (int64_t offset = 0; offset <= 9; offset++) {
        released = 0;
        cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
        cc_numarray out;
        cc_numarray_init(&out, CC_INT64, false, false);
        fake_array f;
        cc_error err;
        bool adopted;
        fake(&f, 20 - offset, offset, -1, 2, bits, values, NULL);
        if (!CHECK_EQ(cc_arrow_adopt_numbers(&out, CC_INT64, &f.a, owner, &adopted, &err), CC_OK))
            return;
        cc_buffer_unref(owner);
        CHECK(adopted && released == 0 && out.data == (uint8_t *)(values + offset));
        CHECK(out.nullable && out.null_count == (offset <= 12) && out.length == 20 - offset);
        CHECK(offset % 8 != 0 || out.validity == bits + offset / 8); /* shared on a byte */
        if (offset <= 12) CHECK(!cc_numarray_is_valid(&out, 12 - offset));
        numbers_valid(&out);
        cc_scalar one = {.kind = CC_SCALAR_INT, .v.i = 100};
        CHECK_EQ(cc_numarray_set(&out, 0, &one), CC_OK); /* copies: the owner goes */
        CHECK(released == 1 && values[offset] == offset);
        numbers_valid(&out);
        cc_numarray_reset(&out);
    }
}

TEST(numbers_that_do_not_adopt_leave_the_container_alone) {
    released = 0;
    cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
    uint8_t raw[8 * 4 + 1] = {0}, bools[1] = {0x5};
    cc_numarray out;
    cc_numarray_init(&out, CC_INT64, false, false);
    fake_array f;
    cc_error err;
    bool adopted = true;
    fake(&f, 4, 0, 0, 2, NULL, raw + 1, NULL); /* misaligned */
    CHECK_EQ(cc_arrow_adopt_numbers(&out, CC_INT64, &f.a, owner, &adopted, &err), CC_OK);
    CHECK(!adopted && out.length == 0);
    fake(&f, 3, 0, 0, 2, NULL, bools, NULL); /* bools are bit-packed */
    CHECK_EQ(cc_arrow_adopt_numbers(&out, CC_BOOL, &f.a, owner, &adopted, &err), CC_OK);
    CHECK(!adopted && out.length == 0);
    fake(&f, -1, 0, 0, 2, NULL, raw, NULL); /* malformed: the appender's reason */
    CHECK_EQ(cc_arrow_adopt_numbers(&out, CC_INT64, &f.a, owner, &adopted, &err), CC_EINVAL);
    why_is(&err, "length or offset out of range");
    cc_buffer_unref(owner);
    CHECK(released == 1);
}

TEST(strings_adopt_checked_bytes_and_rebase_sliced_offsets) {
    const char *data = "ab\xc3\xa9" "cdef";
    int32_t offsets[5] = {0, 2, 4, 4, 8};
    uint8_t bits[1] = {0x0B}; /* element 2 null (no bytes) */
    for (int64_t offset = 0; offset <= 1; offset++) {
        released = 0;
        cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
        cc_strarray out;
        cc_strarray_init(&out, false);
        fake_array f;
        cc_error err;
        bool adopted;
        fake(&f, 4 - offset, offset, 1, 3, bits, offsets, data);
        if (!CHECK_EQ(cc_arrow_adopt_strings(&out, false, &f.a, owner, &adopted, &err), CC_OK))
            return;
        cc_buffer_unref(owner);
        CHECK(adopted && released == 0 && out.nullable && out.null_count == 1);
        CHECK(out.data == (const uint8_t *)data + offsets[offset]);
        CHECK(cc_strarray_offset(&out, 0) == 0 && out.data_len == 8 - offsets[offset]);
        CHECK(!cc_strarray_is_valid(&out, 2 - offset));
        CHECK(cc_strarray_validate(&out, &err) == CC_OK);
        CHECK_EQ(cc_strarray_append(&out, (cc_str){(const uint8_t *)"z", 1}, false), CC_OK);
        CHECK(released == 1 && out.length == 5 - offset);
        cc_strarray_reset(&out);
    }
}

TEST(binary_skips_utf8_but_not_the_offsets_and_the_flag_survives) {
    const char *data = "ab\xe9\xff\xc3";  /* not UTF-8, and "\xc3" cut in the middle */
    int32_t ok[4] = {0, 2, 3, 5}, bad[4] = {0, 3, 2, 5};
    cc_strarray out;
    cc_strarray_init(&out, false);
    out.binary = true;
    cc_error err;
    fake_array f;
    fake(&f, 3, 0, 0, 3, NULL, ok, data);
    CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_OK);
    str_is(&out, 1, "\xe9");
    fake(&f, 3, 0, 0, 3, NULL, bad, data);
    CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_EINVAL);
    CHECK(out.length == 3 && out.binary);
    /* a null in the new chunk makes it nullable through a copy: still binary */
    uint8_t bits[1] = {0x05};
    fake(&f, 3, 0, 1, 3, bits, ok, data);
    CHECK_EQ(cc_arrow_append_strings(&out, false, &f.a, &err), CC_OK);
    CHECK(out.nullable && out.binary && out.length == 6);
    cc_strarray_reset(&out);
    CHECK(out.binary);  /* reset keeps it: the flag is the container's */
    /* the same bytes adopted (no copy) into a binary array, refused as strings */
    cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
    bool adopted;
    fake(&f, 3, 0, 0, 3, NULL, ok, data);
    CHECK_EQ(cc_arrow_adopt_strings(&out, false, &f.a, owner, &adopted, &err), CC_OK);
    CHECK(adopted && out.binary && out.data == (const uint8_t *)data);
    cc_strarray strs;
    cc_strarray_init(&strs, false);
    CHECK_EQ(cc_arrow_adopt_strings(&strs, false, &f.a, owner, &adopted, &err), CC_EINVAL);
    CHECK(!adopted && strs.length == 0);
    cc_buffer_unref(owner);
    cc_strarray_reset(&out);
    cc_strarray_reset(&strs);
}

TEST(strings_that_do_not_adopt_or_are_malformed_change_nothing) {
    released = 0;
    cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
    cc_strarray out;
    cc_strarray_init(&out, false);
    fake_array f;
    cc_error err;
    bool adopted = true;
    int32_t with_bytes[3] = {0, 1, 2}, bad[3] = {0, 1, 3};
    uint8_t bits[1] = {0x1};
    fake(&f, 2, 0, 1, 3, bits, with_bytes, "ab"); /* a null owning bytes: copy instead */
    CHECK_EQ(cc_arrow_adopt_strings(&out, false, &f.a, owner, &adopted, &err), CC_OK);
    CHECK(!adopted && out.length == 0);
    fake(&f, 2, 0, 0, 3, NULL, bad, "a\xff\xfe");
    CHECK_EQ(cc_arrow_adopt_strings(&out, false, &f.a, owner, &adopted, &err), CC_EINVAL);
    CHECK(!adopted && out.length == 0 && err.index == 1);
    uint8_t all_valid[1] = {0x3};
    fake(&f, 1, 1, -1, 3, all_valid, bad, "a\xff\xfe"); /* a shifted bitmap copy is freed too */
    CHECK_EQ(cc_arrow_adopt_strings(&out, false, &f.a, owner, &adopted, &err), CC_EINVAL);
    cc_buffer_unref(owner);
    CHECK(released == 1);
}

TEST(adopters_under_failing_allocations_change_nothing) {
    int64_t values[16] = {0};
    int32_t offsets[4] = {1, 2, 2, 4}; /* rebased; element 1 (null) has no bytes */
    uint8_t bits[2] = {0xFD, 0xFF};
    for (int64_t k = 1;; k++) {
        released = 0;
        cc_buffer *owner = cc_buffer_foreign(count_release, NULL);
        cc_numarray num;
        cc_strarray str;
        cc_numarray_init(&num, CC_INT64, false, false);
        cc_strarray_init(&str, false);
        fake_array f, g;
        cc_error err;
        bool a1, a2;
        fake(&f, 15, 1, 1, 2, bits, values, NULL);
        fake(&g, 3, 0, 1, 3, bits, offsets, "abcd");
        test_alloc_fail_at(k);
        cc_status s1 = cc_arrow_adopt_numbers(&num, CC_INT64, &f.a, owner, &a1, &err);
        cc_status s2 = cc_arrow_adopt_strings(&str, false, &g.a, owner, &a2, &err);
        bool fired = !test_alloc_armed();
        test_alloc_fail_at(0);
        CHECK(s1 == CC_OK ? a1 && num.length == 15 : s1 == CC_ENOMEM && num.length == 0);
        CHECK(s2 == CC_OK ? a2 && str.length == 3 : s2 == CC_ENOMEM && str.length == 0);
        cc_buffer_unref(owner);
        cc_numarray_reset(&num);
        cc_strarray_reset(&str);
        CHECK(released == 1);
        if (!fired) break;
    }
}

int main(int argc, char **argv) { return test_main(argc, argv); }
