/* fuzz_arrow_import.c -- libFuzzer harness for the core's Arrow import
 * (src/core/cc_arrow_import.c), in plain C: no interpreter, no pyarrow, so
 * it runs millions of inputs a minute.  .ci/fuzz builds it with
 * -fsanitize=fuzzer,address and runs it next to the atheris harnesses.
 *
 * The input picks a kind (numbers of any dtype, 'u', 'U', 'vu' -- each also
 * as binary 'z', 'Z', 'vz' by a flag bit of the container -- dictionary
 * indices, a struct), a length, offset and null_count (sometimes one of the
 * spec-invalid HOSTILE pairs, which must be refused before a byte is read),
 * n_buffers, NULL buffers, and every buffer byte.  Buffers are exactly as
 * large as the struct declares (and a string data buffer as large as its
 * largest offset, a view's data buffer as its sizes entry says), so any ASan
 * report is the importer's.  Checked: the status is one the contract
 * allows, and a container that took an array (or refused one) still passes
 * its validate, with its length grown by the array's or not at all.
 */
#include "cc_arrow_import.h"

#include <stdio.h>
#include <stdlib.h>

void *cc_malloc(size_t n) { return malloc(n ? n : 1); }
void *cc_malloc_prefault(size_t n) { return cc_malloc(n); }
void *cc_realloc(void *p, size_t old_n, size_t n) {
    (void)old_n;
    return realloc(p, n ? n : 1);
}
void cc_free(void *p) { free(p); }

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint64_t take(input *in, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes && in->n; i++, in->p++, in->n--) v |= (uint64_t)*in->p << (8 * i);
    return v;
}

/* blocks carved for one input, freed at the end */
enum { MAX_BLOCKS = 16 };
typedef struct {
    void *blocks[MAX_BLOCKS];
    int n;
} arena;

/* A block of exactly `size` bytes filled from the input (zero past its end). */
static void *block(arena *ar, input *in, size_t size) {
    if (ar->n == MAX_BLOCKS) abort();
    uint8_t *b = malloc(size ? size : 1);
    if (!b) abort();
    for (size_t i = 0; i < size; i++) b[i] = (uint8_t)take(in, 1);
    ar->blocks[ar->n++] = b;
    return b;
}

static void die(const char *what) {
    fprintf(stderr, "fuzz_arrow_import: %s\n", what);
    abort();
}

static const int64_t HOSTILE[][2] = {
    {-1, 0}, {0, -1}, {INT64_MAX, 1}, {1, INT64_MAX}, {INT64_MIN, 0}, {CC_MAX_SIZE, CC_MAX_SIZE},
};

static bool allowed(cc_status st) {
    return st == CC_OK || st == CC_EINVAL || st == CC_ETYPE || st == CC_ENOMEM ||
           st == CC_EOVERFLOW;
}

/* The shape of a flat array: length, offset, null_count, a validity bitmap.
 * False for a hostile (spec-invalid) shape, whose buffers are left NULL. */
static bool shape(input *in, arena *ar, struct ArrowArray *a, const void **buffers) {
    uint8_t pick = (uint8_t)take(in, 1);
    if (pick < 8) {
        const int64_t *h = HOSTILE[pick % 6];
        a->length = h[0];
        a->offset = h[1];
        a->null_count = (int64_t)take(in, 1) - 2;
        return false;
    }
    a->length = (int64_t)take(in, 1) % 65;
    a->offset = (int64_t)take(in, 1) % 17;
    uint8_t nc = (uint8_t)take(in, 1);
    a->null_count = nc < 64 ? -1 : nc < 128 ? 0 : (int64_t)(nc % (a->length + 3)) - 1;
    if (take(in, 1) & 1) buffers[0] = block(ar, in, (size_t)((a->offset + a->length + 7) / 8));
    return true;
}

static void check_numbers(const cc_numarray *out, int64_t before, cc_status st, int64_t n) {
    cc_error err;
    if (!allowed(st)) die("numbers: unexpected status");
    if (cc_numarray_validate(out, &err) != CC_OK) die(err.why);
    if (out->length != before + (st == CC_OK ? n : 0)) die("numbers: length");
}

static void check_strings(const cc_strarray *out, int64_t before, cc_status st, int64_t n) {
    cc_error err;
    if (!allowed(st)) die("strings: unexpected status");
    if (cc_strarray_validate(out, &err) != CC_OK) die(err.why);
    if (out->length != before + (st == CC_OK ? n : 0)) die("strings: length");
    for (int64_t i = 0; i < out->length; i++) {
        cc_str s = cc_strarray_get(out, i);
        /* binary ('z', 'Z', 'vz') stores any bytes; strings must be UTF-8 */
        if (!out->binary && !cc_utf8_valid(s.ptr, s.len)) die("strings: a stored string is not UTF-8");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = {data, size};
    arena ar = {.n = 0};
    const void *buffers[8] = {NULL};
    struct ArrowArray a = {0};
    a.buffers = buffers;
    uint8_t kind = (uint8_t)take(&in, 1) % 6;
    bool sane = shape(&in, &ar, &a, buffers);
    uint8_t nb = (uint8_t)take(&in, 1);
    cc_error err;
    cc_status st = CC_OK;
    int64_t slots = sane ? a.offset + a.length : 0;
    if (kind == 0 || kind == 4) { /* numbers, or dictionary indices */
        cc_dtype dt = (cc_dtype)(take(&in, 1) % CC_NUM_DTYPES);
        if (kind == 4 && !cc_dtype_is_integer(dt)) dt = CC_INT16;
        a.n_buffers = nb < 16 ? nb % 4 : 2;
        /* timedelta64[ns] from month_day_nano intervals ('tin', 16 bytes a value) */
        bool intervals = kind == 0 && dt == CC_TD_NS && (nb & 1);
        size_t bytes = dt == CC_BOOL ? (size_t)(slots + 7) / 8
                       : (size_t)slots * (intervals ? 16 : (size_t)cc_dtype_itemsize(dt));
        if (sane && !(nb & 0x80 && nb < 0x90)) buffers[1] = block(&ar, &in, bytes);
        if (kind == 0) {
            cc_numarray out;
            cc_numarray_init(&out, dt, false, take(&in, 1) & 1);
            st = intervals ? cc_arrow_append_intervals(&out, &a, &err)
                           : cc_arrow_append_numbers(&out, &a, &err);
            check_numbers(&out, 0, st, a.length);
            if (st == CC_OK) { /* a second chunk after the first */
                st = intervals ? cc_arrow_append_intervals(&out, &a, &err)
                               : cc_arrow_append_numbers(&out, &a, &err);
                check_numbers(&out, a.length, st, a.length);
            }
            cc_numarray_reset(&out);
        } else if (cc_arrow_check_shape(&a, 2, &err) == CC_OK) {
            int64_t k = (int64_t)take(&in, 1) % 8, ids[8];
            for (int64_t j = 0; j < k; j++) ids[j] = (int64_t)take(&in, 2) - 1;
            bool null_code = false;
            cc_numarray codes;
            cc_numarray_init(&codes, CC_INT8, true, false);
            cc_status checked = cc_arrow_check_indices(dt, &a, k, &err);
            st = cc_arrow_append_codes(&codes, dt, &a, ids, k, &null_code, &err);
            if (checked != st) die("codes: check_indices and append_codes disagree");
            check_numbers(&codes, 0, st, a.length);
            cc_numarray_reset(&codes);
        }
    } else if (kind == 1 || kind == 2) { /* 'u' / 'U' */
        bool wide = kind == 2;
        a.n_buffers = nb < 16 ? nb % 5 : 3;
        int64_t last = 0;
        if (sane && !(nb & 0x80 && nb < 0x90)) {
            size_t entries = (size_t)slots + 1, w = wide ? 8 : 4;
            uint8_t *off = block(&ar, &in, entries * w);
            /* mostly small offsets, so the data buffer covers them */
            for (size_t i = 0; i < entries; i++) {
                int64_t v = (int64_t)(take(&in, 1) % 80) - (take(&in, 1) == 0xff ? 40 : 0);
                if (wide) memcpy(off + 8 * i, &v, 8);
                else memcpy(off + 4 * i, &(int32_t){(int32_t)v}, 4);
                if (v > last) last = v;
            }
            buffers[1] = off;
        }
        if (sane && !(nb & 0x40 && nb < 0x48)) buffers[2] = block(&ar, &in, (size_t)last);
        cc_strarray out;
        uint8_t flags = take(&in, 1);
        cc_strarray_init(&out, flags & 1);
        out.binary = flags & 2; /* 'z' / 'Z': no UTF-8 check */
        st = cc_arrow_append_strings(&out, wide, &a, &err);
        check_strings(&out, 0, st, a.length);
        if (st == CC_OK) {
            st = cc_arrow_append_strings(&out, wide, &a, &err);
            check_strings(&out, a.length, st, a.length);
        }
        cc_strarray_reset(&out);
    } else if (kind == 3) { /* 'vu' */
        int64_t n_data = (int64_t)take(&in, 1) % 3;
        a.n_buffers = nb < 16 ? nb % 7 : 3 + n_data;
        if (a.n_buffers > 7) a.n_buffers = 7;
        n_data = a.n_buffers >= 3 ? a.n_buffers - 3 : 0;
        if (sane) {
            if (!(nb & 0x80 && nb < 0x90)) buffers[1] = block(&ar, &in, (size_t)slots * 16);
            if (a.n_buffers >= 3) {
                int64_t *sizes = block(&ar, &in, (size_t)n_data * 8);
                for (int64_t j = 0; j < n_data; j++) {
                    sizes[j] = (int64_t)take(&in, 1) % 64;
                    buffers[2 + j] = block(&ar, &in, (size_t)sizes[j]);
                }
                buffers[a.n_buffers - 1] = sizes;
            }
        }
        cc_strarray out;
        uint8_t flags = take(&in, 1);
        cc_strarray_init(&out, flags & 1);
        out.binary = flags & 2; /* 'vz' */
        st = cc_arrow_append_string_views(&out, &a, &err);
        check_strings(&out, 0, st, a.length);
        cc_strarray_reset(&out);
    } else { /* a struct of up to 3 int32 children */
        struct ArrowSchema fields[3], *fp[3], s = {.format = "+s"};
        struct ArrowArray kids[3], *kp[3];
        const void *kid_buffers[3][2];
        int64_t n = (int64_t)take(&in, 1) % 4;
        s.n_children = n;
        s.children = fp;
        a.n_buffers = nb < 16 ? nb % 3 : 1;
        a.n_children = (nb & 0x30) == 0x30 ? n + 1 : n;
        a.children = kp;
        for (int64_t i = 0; i < 3; i++) {
            fields[i] = (struct ArrowSchema){.format = "i"};
            fp[i] = &fields[i];
            kp[i] = (take(&in, 1) == 0xff) ? NULL : &kids[i];
            kids[i] = (struct ArrowArray){.n_buffers = 2, .buffers = kid_buffers[i]};
            kids[i].length = (int64_t)take(&in, 1) % 90;
            kids[i].offset = (int64_t)take(&in, 1) % 9;
            kid_buffers[i][0] = NULL;
            kid_buffers[i][1] = block(&ar, &in, (size_t)(kids[i].offset + kids[i].length) * 4);
        }
        if (a.n_children > 3) a.n_children = 3;
        st = cc_arrow_check_struct(&s, &a, &err);
        if (!allowed(st)) die("struct: unexpected status");
        for (int64_t i = 0; st == CC_OK && i < n; i++) {
            struct ArrowArray child;
            cc_arrow_struct_child(&a, i, &child);
            cc_numarray out;
            cc_numarray_init(&out, CC_INT32, false, false);
            cc_status cs = cc_arrow_append_numbers(&out, &child, &err);
            check_numbers(&out, 0, cs, child.length);
            cc_numarray_reset(&out);
        }
    }
    if (kind != 5 && !sane && st == CC_OK && kind != 4) die("a hostile shape was accepted");
    for (int i = 0; i < ar.n; i++) free(ar.blocks[i]);
    return 0;
}
