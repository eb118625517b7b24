/* strarray.c -- compactcol.StringArray: a list of str stored as UTF-8
 * bytes plus offsets (src/core/cc_strarray.h has the layout, and how
 * `a[i] = s` of a different length stays O(1)).
 *
 * BinaryArray (strarray_binary.c: its type object) is the same object on the same
 * engine with the core's `binary` flag set: every function here serves
 * both, and only the conversion of an item in (value_bytes, needle_bytes)
 * and out (strarray_item_box) looks at the flag.
 *
 * This file: the type, conversion of input, searching, comparisons and the
 * operations seq.c's indexing, slices and list methods run on
 * (strarray_seq_ops).  strarray_buffer.c: the data/offsets views, the
 * vectorised string operations, NumPy and pickling.
 *
 * As everywhere in the binding, bulk input is collected into a scratch
 * cc_strarray first (user code -- a generator's __next__, a key function --
 * runs only then) and committed with one core call, so a failure leaves the
 * array as it was.  Converting a str runs no user code at all: only its
 * characters are read (str_convert.c).
 */
#include "binding.h"
#include "strarray.h"
#include "arrow.h"

#include <structmember.h>

#define NAME "StringArray"

static cc_strarray *arr_of(PyObject *self) { return &((StringArrayObject *)self)->arr; }

/* "StringArray" or "BinaryArray", for messages. */
static const char *name_of(PyObject *self) {
    return arr_of(self)->binary ? "BinaryArray" : NAME;
}
static const seq_ops *ops_of(PyObject *self) {
    return arr_of(self)->binary ? &binarray_seq_ops : &strarray_seq_ops;
}

/* The bytes to store for value v: a str's UTF-8, or a bytes-like object's
 * bytes when binary.  Messages as str_from_py / bytes_from_py. */
static int value_bytes(bool binary, PyObject *v, utf8_buf *buf, cc_str *out, str_nulls nulls,
                       const conv_where *w) {
    return binary ? bytes_from_py(v, buf, out, nulls, w) : str_from_py(v, buf, out, nulls, w);
}

/* ---- elements ----------------------------------------------------------------- */

PyObject *strarray_item_box(const cc_strarray *a, Py_ssize_t i) {
    if (!cc_strarray_is_valid(a, i)) Py_RETURN_NONE;
    return a->binary ? bytes_from_cc(cc_strarray_get(a, i)) : str_from_utf8(cc_strarray_get(a, i));
}

static Py_ssize_t strarray_length(PyObject *self) { return (Py_ssize_t)arr_of(self)->length; }

static PyObject *strarray_item_unchecked(PyObject *self, Py_ssize_t i) {
    return strarray_item_box(arr_of(self), i);
}


/* Upper bound of the UTF-8 size of str v (exact for ASCII). */
static int64_t utf8_bound(PyObject *v) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(v);
    if (PyUnicode_IS_ASCII(v)) return n;
    int kind = PyUnicode_KIND(v);
    return (int64_t)n * (kind == PyUnicode_1BYTE_KIND ? 2 : kind == PyUnicode_2BYTE_KIND ? 3 : 4);
}

/* Appends one Python value to out (a scratch array). */
static int append_value(cc_strarray *out, PyObject *v, utf8_buf *buf, str_nulls nulls,
                        const char *owner, const char *what, Py_ssize_t item) {
    cc_status st;
    if (v == Py_None && out->nullable) {
        st = cc_strarray_append(out, (cc_str){NULL, 0}, true);
    } else {
        cc_str s;
        if (value_bytes(out->binary, v, buf, &s, nulls, &(conv_where){owner, what, item}) < 0)
            return -1;
        st = cc_strarray_append(out, s, false);
    }
    if (st != CC_OK) status_raise(owner, st, what);
    return st == CC_OK ? 0 : -1;
}

int strarray_collect(PyObject *src, str_nulls nulls, cc_strarray *out, const char *owner,
                     const char *what) {
    return strarray_collect_as(src, nulls, false, out, owner, what);
}

int strarray_collect_as(PyObject *src, str_nulls nulls, bool binary, cc_strarray *out,
                        const char *owner, const char *what) {
    /* every item as one chunk */
    cc_strarray_init(out, nulls == STR_NULLS_OK);
    out->binary = binary;
    str_chunks chunks;
    if (str_chunks_open_as(&chunks, src, nulls, binary, owner, what) < 0) return -1;
    Py_ssize_t n = str_chunks_next(&chunks, PY_SSIZE_T_MAX, out);
    str_chunks_close(&chunks);
    if (n < 0) return -1;
    /* an upper bound or the growth of an iterator may have over-allocated */
    if (out->data_cap - out->data_len > out->data_len / 16 + 64 ||
        out->capacity - out->length > out->length / 16 + 8)
        if (cc_strarray_shrink_to_fit(out) != CC_OK) { /* keeps the memory */ }
    return 0;
}

int str_chunks_open(str_chunks *c, PyObject *src, str_nulls nulls, const char *owner,
                    const char *what) {
    return str_chunks_open_as(c, src, nulls, false, owner, what);
}

int str_chunks_open_as(str_chunks *c, PyObject *src, str_nulls nulls, bool binary,
                       const char *owner, const char *what) {
    *c = (str_chunks){.nulls = nulls, .binary = binary, .owner = owner, .what = what};
    if (PyUnicode_Check(src) || PyBytes_Check(src) || PyByteArray_Check(src)) {
        /* a str is an iterable of characters; almost surely a mistake */
        PyErr_Format(PyExc_TypeError, "%s.%s: expected an iterable of %s, got %s",
                     owner, what, binary ? "bytes" : "str", Py_TYPE(src)->tp_name);
        return -1;
    }
    /* the source's own strings are read directly only from the same kind:
     * a StringArray into a BinaryArray goes item by item (and is refused) */
    if ((binary ? binarray_check(src) : strarray_check(src)) || PyList_CheckExact(src) ||
        PyTuple_CheckExact(src)) {
        c->src = Py_NewRef(src);
        return 0;
    }
    c->it = PyObject_GetIter(src);
    return c->it ? 0 : -1;
}

/* A list or tuple's next items (at most max): out sized once from an upper
 * bound of their UTF-8 (no user code runs while str items convert, so the
 * sequence cannot change meanwhile).  0, or -1 with an exception. */
static int reserve_items(const str_chunks *c, Py_ssize_t max, cc_strarray *out) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(c->src) - c->next;
    if (n > max) n = max;
    PyObject **items = PySequence_Fast_ITEMS(c->src) + c->next;
    int64_t bytes = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (c->binary ? PyBytes_Check(items[i]) : PyUnicode_Check(items[i]) && PyUnicode_READY(items[i]) == 0)
            bytes += c->binary ? PyBytes_GET_SIZE(items[i]) : utf8_bound(items[i]);
    PyErr_Clear();
    cc_status st = cc_strarray_reserve(out, n, bytes);
    if (st != CC_OK) status_raise(c->owner, st, c->what);
    return st == CC_OK ? 0 : -1;
}

Py_ssize_t str_chunks_next(str_chunks *c, Py_ssize_t max, cc_strarray *out) {
    cc_strarray_init(out, c->nulls == STR_NULLS_OK);
    out->binary = c->binary;
    if (c->src && !PyList_CheckExact(c->src) && !PyTuple_CheckExact(c->src)) {
        /* the source's own strings: a slice of them (nothing runs in between
         * that could resize it, but its length is read afresh anyway) */
        const cc_strarray *a = arr_of(c->src);
        Py_ssize_t n = (Py_ssize_t)a->length - c->next;
        if (n > max) n = max;
        if (n <= 0) return 0;
        if (a->null_count && !out->nullable) {
            int64_t at = cc_strarray_find_null(a, c->next, c->next + n);
            if (at >= 0) {
                str_raise_type(c->owner, c->what, (Py_ssize_t)at, Py_None, c->nulls);
                return -1;
            }
        }
        /* gather wants a nullable out for a source with nulls, even when
         * this range (checked above) has none */
        cc_strarray_init(out, out->nullable || a->null_count);
        out->binary = c->binary;
        cc_status st = cc_strarray_gather(a, c->next, 1, n, out);
        if (st != CC_OK) {
            cc_strarray_reset(out);
            status_raise(c->owner, st, c->what);
            return -1;
        }
        c->next += n;
        return n;
    }
    utf8_buf buf = UTF8_BUF_INIT;
    if (c->src && reserve_items(c, max, out) < 0) goto fail;
    Py_ssize_t got = 0;
    for (; got < max; got++) {
        PyObject *v;
        if (c->src) { /* a list or tuple: converting a str runs no user code (a
                       * buffer's may: the list is read afresh at every step) */
            if (c->next >= PySequence_Fast_GET_SIZE(c->src)) break;
            v = Py_NewRef(PySequence_Fast_GET_ITEM(c->src, c->next));
        } else if (!(v = PyIter_Next(c->it))) {
            if (PyErr_Occurred()) goto fail;
            break;
        }
        int r = append_value(out, v, &buf, c->nulls, c->owner, c->what, c->next);
        Py_DECREF(v);
        if (r < 0) goto fail;
        c->next++;
    }
    utf8_buf_release(&buf);
    return got;
fail:
    utf8_buf_release(&buf);
    cc_strarray_reset(out);
    return -1;
}

void str_chunks_close(str_chunks *c) {
    Py_CLEAR(c->src);
    Py_CLEAR(c->it);
}

static PyObject *strarray_subscript(PyObject *self, PyObject *key);

bool strarray_check(PyObject *obj) {
    /* by slot, like Array's check: any module instance, and subclasses */
    PyMappingMethods *m = Py_TYPE(obj)->tp_as_mapping;
    return m && m->mp_subscript == strarray_subscript;
}

PyObject *strarray_wrap(PyTypeObject *any_type_of_module, cc_strarray *arr) {
    module_state *st = state_of_type(any_type_of_module);
    if (!st) return NULL;
    PyTypeObject *tp = arr->binary ? st->BinaryArrayType : st->StringArrayType;
    StringArrayObject *o = (StringArrayObject *)tp->tp_alloc(tp, 0);
    if (!o) return NULL;
    cc_strarray_init(&o->arr, arr->nullable);
    o->arr.binary = arr->binary;
    cc_strarray_move(&o->arr, arr);
    return (PyObject *)o;
}

/* ---- construction --------------------------------------------------------------- */

PyObject *strarray_new_as(PyTypeObject *type, PyObject *args, PyObject *kwds, bool binary) {
    static char *kwlist[] = {"values", "nullable", NULL};
    PyObject *values = NULL;
    int nullable = 0;
    const char *name = binary ? "BinaryArray" : NAME;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, binary ? "|O$p:BinaryArray" : "|O$p:" NAME,
                                     kwlist, &values, &nullable))
        return NULL;
    StringArrayObject *self = (StringArrayObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    cc_strarray_init(&self->arr, nullable);
    self->arr.binary = binary;
    if (values) {
        cc_strarray scratch;
        if (strarray_collect_as(values, str_nulls_for(nullable), binary, &scratch, name,
                                "__init__") < 0) {
            Py_DECREF(self);
            return NULL;
        }
        cc_strarray_move(&self->arr, &scratch);
    }
    return (PyObject *)self;
}

static PyObject *strarray_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    return strarray_new_as(type, args, kwds, false);
}

void strarray_dealloc(StringArrayObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    cc_strarray_reset(&self->arr);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- searching -------------------------------------------------------------------- */

/* A search's needle v as the bytes an element equal to it holds: 1 (in
 * *s, borrowing v or buf), 0 when only Python's == can tell (v of another
 * type), -1 when no element can equal it (a lone surrogate; a str in a
 * BinaryArray or bytes in a StringArray: b'a' != 'a'), -2 on error. */
static int needle_bytes(const cc_strarray *a, PyObject *v, utf8_buf *buf, cc_str *s) {
    if (a->binary) {
        if (PyUnicode_Check(v)) return -1;
        if (!PyBytes_Check(v) && !PyByteArray_Check(v)) return 0; /* bytes == bytearray */
        return bytes_from_py(v, buf, s, STR_NULLS_NEVER, &(conv_where){"BinaryArray", "index", -1}) == 0 ? 1 : -2;
    }
    if (!PyUnicode_Check(v)) return 0;
    if (str_utf8(v, buf, s) == 0) return 1;
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -2;
    PyErr_Clear(); /* a lone surrogate cannot be stored, so is not here */
    return -1;
}

/* First index in [start, stop) equal to v, -1 if none, -2 on error. */
static Py_ssize_t find_value(PyObject *self, PyObject *v, Py_ssize_t start, Py_ssize_t stop) {
    const cc_strarray *a = arr_of(self);
    if (v == Py_None) return (Py_ssize_t)cc_strarray_find_null(a, start, stop);
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int k = needle_bytes(a, v, &buf, &s);
    Py_ssize_t r = k == 1 ? (Py_ssize_t)cc_strarray_find(a, s, start, stop) : k == -1 ? -1 : -2;
    utf8_buf_release(&buf);
    return k == 0 ? seq_find_by_eq(self, ops_of(self), v, start, stop) : r;
}

/* ---- the sequence operations (seq.c does the list methods) ------------------ */

static void *strarray_store(PyObject *self) { return arr_of(self); }

static int strarray_collect_into(PyObject *self, PyObject *src, seq_scratch *s,
                                 const char *what) {
    const cc_strarray *a = arr_of(self);
    if (strarray_collect_as(src, str_nulls_for(a->nullable), a->binary, &s->batch.str,
                            name_of(self), what) < 0)
        return -1;
    s->kind = SEQ_STR;
    return 0;
}

static int strarray_convert_one(PyObject *self, PyObject *v, seq_scratch *s, const char *what) {
    bool nullable = arr_of(self)->nullable;
    s->one_null = v == Py_None && nullable;
    if (s->one_null) return 0;
    return value_bytes(arr_of(self)->binary, v, &s->buf, &s->one_str, str_nulls_for(nullable),
                       &(conv_where){name_of(self), what, -1});
}

static PyObject *strarray_slice_of(PyObject *self, Py_ssize_t start, Py_ssize_t step,
                                   Py_ssize_t n, const char *what) {
    cc_strarray out;
    cc_strarray_init(&out, arr_of(self)->nullable);
    out.binary = arr_of(self)->binary;
    cc_status st = cc_strarray_gather(arr_of(self), start, step, n, &out);
    PyObject *r = st == CC_OK ? strarray_wrap(Py_TYPE(self), &out)
                              : status_raise(name_of(self), st, what);
    cc_strarray_reset(&out);
    return r;
}

/* copy()'s O(1) path: a new StringArray sharing self's buffers; NULL
 * without an exception while aliased, and while scattered: compacting
 * would change self (its layout and capacity) for what is a read, and the
 * real copy costs the same O(n). */
static PyObject *strarray_share(PyObject *self) {
    if (arr_of(self)->spans) return NULL;
    cc_strarray out;
    cc_strarray_init(&out, arr_of(self)->nullable);
    cc_status st = cc_strarray_share_into(arr_of(self), &out);
    if (st == CC_EBUSY) return NULL;
    PyObject *r = st == CC_OK ? strarray_wrap(Py_TYPE(self), &out)
                              : status_raise(name_of(self), st, "copy");
    cc_strarray_reset(&out);
    return r;
}

/* count(v) of None, a str (bytes for a BinaryArray), compared as bytes, in C. */
static Py_ssize_t strarray_count_fast(PyObject *self, PyObject *v) {
    const cc_strarray *a = arr_of(self);
    if (v == Py_None) return (Py_ssize_t)a->null_count;
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int k = needle_bytes(a, v, &buf, &s);
    Py_ssize_t count = k == 1 ? (Py_ssize_t)cc_strarray_count(a, s) : k == -1 ? 0 : k == 0 ? -1 : -2;
    utf8_buf_release(&buf);
    return count;
}

/* append's common case: an exact ASCII str (exact bytes for a
 * BinaryArray), stored as it is. */
static int strarray_append_fast(PyObject *self, PyObject *v) {
    cc_str str;
    if (arr_of(self)->binary) {
        if (!PyBytes_CheckExact(v)) return 0;
        str = (cc_str){(const uint8_t *)PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v)};
    } else {
        if (!PyUnicode_CheckExact(v) || !PyUnicode_IS_ASCII(v)) return 0;
        str = (cc_str){PyUnicode_DATA(v), PyUnicode_GET_LENGTH(v)};
    }
    cc_status st = cc_strarray_append(arr_of(self), str, false);
    if (st != CC_OK) status_raise(name_of(self), st, "append");
    return st == CC_OK ? 1 : -1;
}

/* The two types' tables differ only in the name their messages give. */
#define STRARRAY_SEQ_OPS(TYPE_NAME)                                                      \
    {                                                                                    \
        .name = TYPE_NAME, .length = strarray_length, .item = strarray_item_unchecked,   \
        .kind = SEQ_STR, .store = strarray_store,                                        \
        .column_offset = offsetof(StringArrayObject, table_column),                      \
        .collect = strarray_collect_into, .convert_one = strarray_convert_one,           \
        .slice = strarray_slice_of, .find = find_value, .count_fast = strarray_count_fast, \
        .append_fast = strarray_append_fast, .share = strarray_share,                    \
        .copy_what = "__getitem__", .iadd_refused_as = "extend",                         \
    }
const seq_ops binarray_seq_ops = STRARRAY_SEQ_OPS("BinaryArray");

const seq_ops strarray_seq_ops = {
    .name = NAME,
    .length = strarray_length,
    .item = strarray_item_unchecked,
    .kind = SEQ_STR,
    .store = strarray_store,
    .column_offset = offsetof(StringArrayObject, table_column),
    .collect = strarray_collect_into,
    .convert_one = strarray_convert_one,
    .slice = strarray_slice_of,
    .find = find_value,
    .count_fast = strarray_count_fast,
    .append_fast = strarray_append_fast,
    .share = strarray_share,
    .copy_what = "__getitem__",
    .iadd_refused_as = "extend",
};

SEQ_DEFINE_SLOTS(strarray, &strarray_seq_ops)
SEQ_DEFINE_METHODS(strarray, &strarray_seq_ops)

PyObject *strarray_deepcopy(PyObject *self, PyObject *memo) {
    (void)memo;
    return seq_copy(self, ops_of(self));
}

/* ---- comparison, repr, iteration ------------------------------------------------- */

/* Two StringArrays without nulls compare by bytes: UTF-8 byte order is code
 * point order, which is how str compares. */
static PyObject *compare_arrays(const cc_strarray *a, const cc_strarray *b, int op) {
    int64_t n = a->length < b->length ? a->length : b->length;
    for (int64_t i = 0; i < n; i++) {
        cc_str x = cc_strarray_get(a, i), y = cc_strarray_get(b, i);
        int64_t m = x.len < y.len ? x.len : y.len;
        int c = m ? memcmp(x.ptr, y.ptr, (size_t)m) : 0;
        if (c == 0 && x.len != y.len) c = x.len < y.len ? -1 : 1;
        if (c) return seq_bool_for(op, c < 0 ? -1 : 1);
    }
    return seq_bool_for(op, a->length < b->length ? -1 : a->length > b->length);
}

PyObject *strarray_richcompare(PyObject *self, PyObject *other, int op) {
    bool binary = arr_of(self)->binary;
    if ((binary ? binarray_check(other) : strarray_check(other)) && !arr_of(self)->null_count &&
        !arr_of(other)->null_count)
        return compare_arrays(arr_of(self), arr_of(other), op);
    if (!seq_comparable(other)) Py_RETURN_NOTIMPLEMENTED;
    return seq_compare(self, ops_of(self), other, op);
}

PyObject *strarray_repr(PyObject *self) {
    return seq_repr(self, ops_of(self), arr_of(self)->binary ? "BinaryArray(" : NAME "(",
                    arr_of(self)->nullable ? ", nullable=True" : "");
}

PyObject *strarray_iter(PyObject *self) { return seq_iter_new(self, ops_of(self)); }

/* ---- properties and introspection ------------------------------------------------ */

static PyObject *get_nullable(PyObject *self, void *c) { return PyBool_FromLong(arr_of(self)->nullable); }
static PyObject *get_null_count(PyObject *self, void *c) { return PyLong_FromLongLong(arr_of(self)->null_count); }
static PyObject *get_large(PyObject *self, void *c) { return PyBool_FromLong(arr_of(self)->wide); }

int64_t strarray_nbytes(const cc_strarray *a) {
    /* the payload of the compact (Arrow) layout */
    int64_t off = a->wide || cc_strarray_live_bytes(a) > CC_STR_NARROW_MAX ? 8 : 4;
    return cc_strarray_live_bytes(a) + (a->length + 1) * off +
           (a->nullable ? cc_bitmap_bytes(a->length) : 0);
}

int64_t strarray_owned_bytes(const cc_strarray *a) {
    int64_t slots = a->spans ? a->capacity * 16
                    : a->offsets ? (a->capacity + 1) * (a->wide ? 8 : 4) : 0;
    return a->data_cap + slots + (a->validity ? cc_bitmap_bytes(a->capacity) : 0);
}

static PyObject *get_nbytes(PyObject *self, void *c) {
    return PyLong_FromLongLong(strarray_nbytes(arr_of(self)));
}

PyObject *strarray_sizeof(PyObject *self, PyObject *unused) {
    (void)unused;
    return PyLong_FromLongLong((long long)Py_TYPE(self)->tp_basicsize +
                               strarray_owned_bytes(arr_of(self)));
}

PyObject *strarray_debug_info(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strarray *a = arr_of(self);
    cc_error err;
    if (cc_strarray_validate(a, &err) != CC_OK) {
        PyErr_Format(PyExc_AssertionError, "%s invariant violated: %s", name_of(self), err.why);
        return NULL;
    }
    return Py_BuildValue("{sLsLsLsLsLsLsLsOsOsO}", "length", (long long)a->length,
                         "capacity", (long long)a->capacity, "data_len", (long long)a->data_len,
                         "data_cap", (long long)a->data_cap, "dead", (long long)a->dead,
                         "exports", (long long)a->exports, "snapshots",
                         snapshot_count(a->data_share ? a->data_share : a->offsets_share),
                         "compact",
                         a->spans ? Py_False : Py_True, "large", a->wide ? Py_True : Py_False,
                         "nullable", a->nullable ? Py_True : Py_False);
}

PyGetSetDef strarray_getset[] = {
    {"nullable", get_nullable, NULL, "True if the array can hold None.", NULL},
    {"null_count", get_null_count, NULL, "Number of None elements.", NULL},
    {"large", get_large, NULL,
     "True once the offsets are int64 (Arrow large_string): the data passed 2**31-1 bytes.", NULL},
    {"nbytes", get_nbytes, NULL,
     "Payload bytes in the Arrow layout: UTF-8 data + offsets + validity bitmap.", NULL},
    {"data", strarray_get_data, NULL,
     "The UTF-8 bytes of all strings, back to back: a read-only memoryview (no copy). "
     "Compacts the layout first if edits scattered it. While the view is alive the "
     "array cannot be resized (BufferError).", NULL},
    {"offsets", strarray_get_offsets, NULL,
     "Element i is data[offsets[i]:offsets[i+1]]: a read-only memoryview of int32 "
     "(int64 when large), len(a) + 1 entries, no copy.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* BinaryArray's: the same getters, documented for bytes. */
PyGetSetDef binarray_getset[] = {
    {"nullable", get_nullable, NULL, "True if the array can hold None.", NULL},
    {"null_count", get_null_count, NULL, "Number of None elements.", NULL},
    {"large", get_large, NULL,
     "True once the offsets are int64 (Arrow large_binary): the data passed 2**31-1 bytes.", NULL},
    {"nbytes", get_nbytes, NULL, "Payload bytes in the Arrow layout: data + offsets + validity "
     "bitmap.", NULL},
    {"data", strarray_get_data, NULL,
     "All values' bytes, back to back: a read-only memoryview (no copy). Compacts the "
     "layout first if edits scattered it. While the view is alive the array cannot be "
     "resized (BufferError).", NULL},
    {"offsets", strarray_get_offsets, NULL,
     "Element i is data[offsets[i]:offsets[i+1]]: a read-only memoryview of int32 "
     "(int64 when large), len(a) + 1 entries, no copy.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef strarray_methods[] = {
    {"append", (PyCFunction)strarray_append, METH_O,
     "append($self, s, /)\n--\n\nAppend a str (or None if nullable). Amortised O(1)."},
    {"extend", (PyCFunction)strarray_extend, METH_O,
     "extend($self, values, /)\n--\n\nAppend every str of an iterable. All or nothing."},
    {"insert", (PyCFunction)(void (*)(void))strarray_insert, METH_FASTCALL,
     "insert($self, i, s, /)\n--\n\nInsert s before index i (clamped as list.insert). O(n)."},
    {"pop", (PyCFunction)(void (*)(void))strarray_pop, METH_FASTCALL,
     "pop($self, i=-1, /)\n--\n\nRemove and return the item at i. O(1) at the end."},
    {"remove", (PyCFunction)strarray_remove, METH_O,
     "remove($self, s, /)\n--\n\nRemove the first item equal to s; ValueError if absent."},
    {"index", (PyCFunction)(void (*)(void))strarray_index, METH_FASTCALL,
     "index($self, s, start=0, stop=sys.maxsize, /)\n--\n\nFirst index of s; ValueError if absent."},
    {"count", (PyCFunction)strarray_count, METH_O,
     "count($self, s, /)\n--\n\nNumber of items equal to s (compared as bytes, in C)."},
    {"clear", (PyCFunction)strarray_clear, METH_NOARGS,
     "clear($self, /)\n--\n\nRemove all items and release the buffers."},
    {"reverse", (PyCFunction)strarray_reverse, METH_NOARGS,
     "reverse($self, /)\n--\n\nReverse in place. O(n + bytes)."},
    {"sort", (PyCFunction)(void (*)(void))strarray_sort, METH_VARARGS | METH_KEYWORDS,
     "sort($self, /, *, key=None, reverse=False)\n--\n\nStable in-place sort. Without a key "
     "by code point (UTF-8 byte order, in C); None goes last in both directions."},
    {"copy", (PyCFunction)strarray_copy, METH_NOARGS, "copy($self, /)\n--\n\nA shallow copy, O(1): it shares the buffers until either side "
     "writes (copy-on-write)."},
    {"__copy__", (PyCFunction)strarray_copy, METH_NOARGS, NULL},
    {"__deepcopy__", (PyCFunction)strarray_deepcopy, METH_O, NULL},
    {"tolist", (PyCFunction)strarray_tolist, METH_NOARGS,
     "tolist($self, /)\n--\n\nThe strings as a list."},
    {"lengths", (PyCFunction)strarray_lengths, METH_NOARGS,
     "lengths($self, /)\n--\n\nThe length of each string in code points, as Array('int64') "
     "(nullable, with None for None, if the array is)."},
    {"startswith", (PyCFunction)strarray_startswith, METH_O,
     "startswith($self, prefix, /)\n--\n\nArray('bool'): which strings start with prefix."},
    {"contains", (PyCFunction)strarray_contains_sub, METH_O,
     "contains($self, sub, /)\n--\n\nArray('bool'): which strings contain sub."},
    {"equals", (PyCFunction)strarray_equals, METH_O,
     "equals($self, s, /)\n--\n\nArray('bool'): which strings equal s."},
    {"to_numpy", (PyCFunction)strarray_to_numpy, METH_NOARGS,
     "to_numpy($self, /)\n--\n\nA NumPy array of dtype StringDType (NumPy 2; na_object=None "
     "if nullable), or an object array on NumPy 1.x. A copy. Imports NumPy."},
    {"__arrow_c_schema__", (PyCFunction)strarray_arrow_c_schema, METH_NOARGS,
     "__arrow_c_schema__($self, /)\n--\n\nThe Arrow schema ('u' string, or 'U' large_string), "
     "as an 'arrow_schema' PyCapsule."},
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))strarray_arrow_c_array,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_array__($self, /, requested_schema=None)\n--\n\nExport to Arrow without a "
     "copy (compacting first if assignments scattered the layout). The array is locked "
     "against resizing until the consumer releases it."},
    {"save", (PyCFunction)seq_save, METH_O,
     "save($self, path, /)\n--\n\nWrite to path as an uncompressed Arrow IPC file (Feather "
     "v2), read back by compactcol.open(path). O(n). Needs pyarrow."},
    {"__reduce_ex__", (PyCFunction)strarray_reduce_ex, METH_O,
     "Pickle support: protocol 5 sends the buffers out of band (PickleBuffer)."},
    {"__sizeof__", (PyCFunction)strarray_sizeof, METH_NOARGS,
     "Size in bytes including the owned buffers (for sys.getsizeof)."},
    {"_validity", (PyCFunction)strarray_validity, METH_NOARGS,
     "_validity($self, /)\n--\n\nThe validity bitmap as bytes (Arrow layout), None when "
     "not nullable."},
    {"_debug_info", (PyCFunction)strarray_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef strarray_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(StringArrayObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(strarray_doc,
"StringArray(values=(), *, nullable=False)\n"
"--\n\n"
"A mutable sequence of str stored as UTF-8 bytes plus offsets (Arrow's\n"
"string layout): about len(s) + 4 bytes per string instead of ~50 + len(s)\n"
"for a list of str.  Behaves like a list of str; with nullable=True it can\n"
"hold None.  a[i] = s of any length, append and pop are amortised O(1).\n\n"
">>> a = StringArray(['spam', 'eggs']); a.append('ham'); a.lengths().tolist()\n"
"[4, 4, 3]");

static PyType_Slot strarray_slots[] = {
    {Py_tp_doc, (void *)strarray_doc},
    {Py_tp_new, strarray_new},
    {Py_tp_dealloc, strarray_dealloc},
    {Py_tp_repr, strarray_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, strarray_iter},
    {Py_tp_richcompare, strarray_richcompare},
    {Py_tp_getset, strarray_getset},
    {Py_tp_members, strarray_members},
    {Py_tp_methods, strarray_methods},
    {Py_sq_length, strarray_length},
    SEQ_SLOTS(strarray),
    {Py_mp_length, strarray_length},
    {0, NULL},
};

PyType_Spec strarray_spec = {
    .name = "compactcol.StringArray",
    .basicsize = sizeof(StringArrayObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_SEQUENCE,
    .slots = strarray_slots,
};
