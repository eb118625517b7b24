/* array_methods.c -- Array as a sequence: the operations seq.c's list
 * methods run on (array_seq_ops: convert values, find, the append fast
 * path), the methods only Array has, and its comparisons.
 *
 * Searches (`in`, index, count, remove) and comparisons between Arrays run on
 * the unboxed values when the needle is a plain number; any other object is
 * compared through Python, one boxed element at a time, re-reading the length
 * every step so that an __eq__ that mutates the array cannot make us read
 * past its end.
 */
#include "binding.h"
#include "array.h"
#include "arrow.h"

#define NAME "Array"

static int is_array(PyObject *obj) {
    return Py_TYPE(obj)->tp_as_buffer &&
           Py_TYPE(obj)->tp_as_buffer->bf_getbuffer == array_getbuffer;
}

static cc_numarray *arr_of(PyObject *self) { return &((ArrayObject *)self)->arr; }

/* ---- the sequence operations (seq.c does the list methods) ------------- */

static Py_ssize_t array_len(PyObject *self) { return (Py_ssize_t)arr_of(self)->length; }

static PyObject *array_item_unchecked(PyObject *self, Py_ssize_t i) {
    return array_item_box(arr_of(self), i);
}

static void *array_store(PyObject *self) { return arr_of(self); }

static int array_collect_into(PyObject *self, PyObject *src, seq_scratch *s, const char *what) {
    if (array_collect(arr_of(self), src, &s->batch.num, what) < 0) return -1;
    s->kind = SEQ_NUM;
    return 0;
}

static int array_convert_one(PyObject *self, PyObject *v, seq_scratch *s, const char *what) {
    return array_to_scalar(arr_of(self), v, &s->one, what, -1);
}

static PyObject *array_raise_st(PyObject *self, cc_status st, const char *what, PyObject *value) {
    return array_raise(arr_of(self), st, what, -1, value);
}

static PyObject *array_slice_of(PyObject *self, Py_ssize_t start, Py_ssize_t step, Py_ssize_t n,
                                const char *what) {
    cc_numarray out;
    cc_numarray_init_like(&out, arr_of(self));
    cc_status st = cc_numarray_gather(arr_of(self), start, step, n, &out);
    if (st != CC_OK) return array_raise(arr_of(self), st, what, -1, NULL);
    PyObject *r = array_wrap(Py_TYPE(self), &out);
    cc_numarray_reset(&out);
    return r;
}

/* copy()'s O(1) path: a new Array sharing self's buffers; NULL without an
 * exception while self is aliased (the caller copies instead). */
static PyObject *array_share(PyObject *self) {
    cc_numarray out;
    cc_numarray_init_like(&out, arr_of(self));
    cc_status st = cc_numarray_share_into(arr_of(self), &out);
    if (st == CC_EBUSY) return NULL;
    PyObject *r = st == CC_OK ? array_wrap(Py_TYPE(self), &out)
                              : array_raise(arr_of(self), st, "copy", -1, NULL);
    cc_numarray_reset(&out);
    return r;
}

/* v as a scalar that compares with self's values exactly: 1, 2 when v
 * equals none of them, 0 when Python's == must decide, -1 on error. */
static int compare_scalar(PyObject *self, PyObject *v, cc_scalar *x) {
    cc_dtype dt = arr_of(self)->dtype;
    if (cc_dtype_is_decimal(dt)) return decimal_for_compare(arr_of(self)->tz, v, x);
    return cc_dtype_is_temporal(dt) ? temporal_for_compare(dt, arr_of(self)->tz, v, x)
                                    : scalar_for_compare(v, x);
}

/* First index in [start, stop) equal to v, -1 if none, -2 on error. */
static Py_ssize_t find_value(PyObject *self, PyObject *v, Py_ssize_t start, Py_ssize_t stop) {
    cc_scalar x;
    int r = compare_scalar(self, v, &x);
    if (r < 0) return -2;
    if (r == 2) return -1;
    if (r == 1) return (Py_ssize_t)cc_numarray_find(arr_of(self), &x, start, stop);
    return seq_find_by_eq(self, &array_seq_ops, v, start, stop);
}

/* The common case of append -- an exact int or float into a fixed-width
 * array with spare room -- stored without building a scalar.  Returns 1 if
 * stored, 0 to take the general path (which also produces every error). */
static inline int append_fast(cc_numarray *a, PyObject *v) {
    if (a->length >= a->capacity || a->nullable || a->exports || a->data_share) return 0;
    uint8_t *slot = a->data + a->length * cc_numarray_itemsize(a);
    if (PyFloat_CheckExact(v)) {
        if (a->dtype != CC_FLOAT64) return 0;
        double d = PyFloat_AS_DOUBLE(v);
        CC_UNPOISON(slot, 8);
        memcpy(slot, &d, 8);
    } else if (PyLong_CheckExact(v)) {
        int64_t x;
        if (!exact_int_as_i64(v, &x)) return 0;
        switch (a->dtype) {
#define FAST_INT(E, ctype)                                                     \
    case CC_##E: {                                                             \
        ctype c = (ctype)x;                                                    \
        if ((int64_t)c != x) return 0;                                         \
        CC_UNPOISON(slot, sizeof c);                                           \
        memcpy(slot, &c, sizeof c);                                            \
        break;                                                                 \
    }
            FAST_INT(INT8, int8_t)
            FAST_INT(INT16, int16_t)
            FAST_INT(INT32, int32_t)
            FAST_INT(INT64, int64_t)
#undef FAST_INT
        case CC_FLOAT64: {
            if (x > (1LL << 53) || x < -(1LL << 53)) return 0; /* rounding: general path */
            double d = (double)x;
            CC_UNPOISON(slot, 8);
            memcpy(slot, &d, 8);
            break;
        }
        default:
            return 0;
        }
    } else {
        return 0;
    }
    a->length++;
    return 1;
}

static int array_append_fast(PyObject *self, PyObject *v) { return append_fast(arr_of(self), v); }

static Py_ssize_t array_count_fast(PyObject *self, PyObject *v) {
    cc_scalar x;
    int r = compare_scalar(self, v, &x);
    return r < 0 ? -2 : r == 2 ? 0 : r == 1 ? (Py_ssize_t)cc_numarray_count(arr_of(self), &x) : -1;
}

const seq_ops array_seq_ops = {
    .name = NAME,
    .length = array_len,
    .item = array_item_unchecked,
    .kind = SEQ_NUM,
    .store = array_store,
    .column_offset = offsetof(ArrayObject, table_column),
    .collect = array_collect_into,
    .convert_one = array_convert_one,
    .raise = array_raise_st,
    .slice = array_slice_of,
    .find = find_value,
    .count_fast = array_count_fast,
    .append_fast = array_append_fast,
    .share = array_share,
    .copy_what = "copy",
    .iadd_refused_as = "__iadd__",
    .full_repr_not_found = true,
    .convert_first = true, /* the conversion runs __index__ / __float__ */
};

SEQ_DEFINE_METHODS(array, &array_seq_ops)

/* ---- other methods ---------------------------------------------------------- */

static PyObject *array_deepcopy(PyObject *self, PyObject *memo) {
    (void)memo;
    return seq_copy(self, &array_seq_ops);
}

static PyObject *array_reserve(ArrayObject *self, PyObject *arg) {
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, NAME ".reserve: capacity must be >= 0, got %zd", n);
        return NULL;
    }
    cc_status st = cc_numarray_reserve(&self->arr, n);
    if (st != CC_OK) return array_raise(&self->arr, st, "reserve", -1, NULL);
    Py_RETURN_NONE;
}

static PyObject *array_shrink_to_fit(ArrayObject *self, PyObject *unused) {
    (void)unused;
    cc_status st = cc_numarray_shrink_to_fit(&self->arr);
    if (st != CC_OK) return array_raise(&self->arr, st, "shrink_to_fit", -1, NULL);
    Py_RETURN_NONE;
}

static PyObject *array_sizeof(ArrayObject *self, PyObject *unused) {
    (void)unused;
    const cc_numarray *a = &self->arr;
    size_t n = (size_t)Py_TYPE(self)->tp_basicsize +
               (size_t)a->capacity * (size_t)cc_numarray_itemsize(a);
    if (a->validity) n += (size_t)cc_bitmap_bytes(a->capacity);
    return PyLong_FromSize_t(n);
}

static PyObject *array_debug_info(ArrayObject *self, PyObject *unused) {
    (void)unused;
    const cc_numarray *a = &self->arr;
    cc_error err;
    if (cc_numarray_validate(a, &err) != CC_OK) {
        PyErr_Format(PyExc_AssertionError, NAME " invariant violated: %s", err.why);
        return NULL;
    }
    return Py_BuildValue("{sLsLsLsLsLsssisOsO}", "length", (long long)a->length,
                         "capacity", (long long)a->capacity, "exports",
                         (long long)a->exports, "snapshots", snapshot_count(a->data_share),
                         "null_count", (long long)a->null_count,
                         "dtype", cc_dtype_get(a->dtype)->name, "itemsize",
                         cc_numarray_itemsize(a), "adaptive",
                         a->adaptive ? Py_True : Py_False, "nullable",
                         a->nullable ? Py_True : Py_False);
}

/* ---- comparisons ------------------------------------------------------------ */

static PyObject *compare_arrays(const cc_numarray *a, const cc_numarray *b, int op) {
    int64_t i = cc_numarray_first_difference(a, b);
    if (i < 0) {
        int64_t la = a->length, lb = b->length;
        return seq_bool_for(op, la < lb ? -1 : la > lb);
    }
    if (op == Py_EQ) Py_RETURN_FALSE;
    if (op == Py_NE) Py_RETURN_TRUE;
    cc_scalar x, y;
    cc_numarray_get(a, i, &x);
    cc_numarray_get(b, i, &y);
    return seq_bool_for(op, cc_scalar_compare(&x, &y));
}

PyObject *array_richcompare(PyObject *self, PyObject *other, int op) {
    ArrayObject *s = (ArrayObject *)self;
    if (is_array(other)) {
        const cc_numarray *b = &((ArrayObject *)other)->arr;
        if (!s->arr.nullable && !b->nullable) return compare_arrays(&s->arr, b, op);
        return seq_compare(self, &array_seq_ops, other, op);
    }
    if (!seq_comparable(other)) Py_RETURN_NOTIMPLEMENTED;
    return seq_compare(self, &array_seq_ops, other, op);
}

PyMethodDef array_methods[] = {
    {"append", (PyCFunction)array_append, METH_O,
     "append($self, x, /)\n--\n\nAppend x (amortised O(1)). Raises OverflowError if x does "
     "not fit the dtype (an adaptive 'int' array widens instead)."},
    {"extend", (PyCFunction)array_extend, METH_O,
     "extend($self, values, /)\n--\n\nAppend every value of an iterable, buffer or Array. "
     "All or nothing: if any value fails, the array is unchanged. O(len(values))."},
    {"insert", (PyCFunction)(void (*)(void))array_insert, METH_FASTCALL,
     "insert($self, i, x, /)\n--\n\nInsert x before index i (clamped as list.insert). O(n)."},
    {"pop", (PyCFunction)(void (*)(void))array_pop, METH_FASTCALL,
     "pop($self, i=-1, /)\n--\n\nRemove and return the item at i (default last). "
     "O(1) at the end, O(n) elsewhere."},
    {"remove", (PyCFunction)array_remove, METH_O,
     "remove($self, x, /)\n--\n\nRemove the first item equal to x; ValueError if absent. O(n)."},
    {"index", (PyCFunction)(void (*)(void))array_index, METH_FASTCALL,
     "index($self, x, start=0, stop=sys.maxsize, /)\n--\n\nFirst index of x; ValueError "
     "if absent. O(n), on unboxed values for numeric x."},
    {"count", (PyCFunction)array_count, METH_O,
     "count($self, x, /)\n--\n\nNumber of items equal to x. O(n), on unboxed values."},
    {"clear", (PyCFunction)array_clear, METH_NOARGS,
     "clear($self, /)\n--\n\nRemove all items and release the buffer."},
    {"reverse", (PyCFunction)array_reverse, METH_NOARGS,
     "reverse($self, /)\n--\n\nReverse in place (allowed while exported). O(n)."},
    {"sort", (PyCFunction)(void (*)(void))array_sort, METH_VARARGS | METH_KEYWORDS,
     "sort($self, /, *, key=None, reverse=False)\n--\n\nStable in-place sort. Without a "
     "key it is a radix sort on the unboxed values (O(n)); NaNs, then None, "
     "go last in both directions. With a key it calls key once per item."},
    {"copy", (PyCFunction)array_copy, METH_NOARGS, "copy($self, /)\n--\n\nA shallow copy (same dtype), O(1): it shares the buffer until "
     "either side writes (copy-on-write)."},
    {"__copy__", (PyCFunction)array_copy, METH_NOARGS, NULL},
    {"__deepcopy__", (PyCFunction)array_deepcopy, METH_O, NULL},
    {"reserve", (PyCFunction)array_reserve, METH_O,
     "reserve($self, n, /)\n--\n\nMake room for at least n elements in total, so the next "
     "appends do not reallocate. BufferError if it must move while exported."},
    {"shrink_to_fit", (PyCFunction)array_shrink_to_fit, METH_NOARGS,
     "shrink_to_fit($self, /)\n--\n\nRelease spare capacity (capacity == len)."},
    {"tolist", (PyCFunction)array_tolist, METH_NOARGS,
     "tolist($self, /)\n--\n\nThe values as a list of Python objects."},
    {"__sizeof__", (PyCFunction)array_sizeof, METH_NOARGS,
     "Size in bytes including the owned buffers (for sys.getsizeof)."},
    {"_debug_info", (PyCFunction)array_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {"tobytes", (PyCFunction)array_tobytes, METH_NOARGS,
     "tobytes($self, /)\n--\n\nThe raw values in native byte order (a copy)."},
    {"frombytes", (PyCFunction)(void (*)(void))array_frombytes, METH_FASTCALL | METH_CLASS,
     "frombytes($type, dtype, data, /)\n--\n\nA new Array of dtype from raw native-order "
     "bytes (any buffer); ValueError if len(data) is not a multiple of the itemsize."},
    {"__array__", (PyCFunction)(void (*)(void))array_dunder_array, METH_VARARGS | METH_KEYWORDS,
     "__array__($self, /, dtype=None, copy=None)\n--\n\nNumPy's protocol: np.asarray(a) is "
     "a.to_numpy() (numbers reach NumPy through the buffer protocol first)."},
    {"to_numpy", (PyCFunction)(void (*)(void))array_to_numpy, METH_VARARGS | METH_KEYWORDS,
     "to_numpy($self, /, *, na_value=None)\n--\n\nA NumPy array sharing this buffer (no copy) "
     "when there are no nulls. With nulls: floats become NaN (or na_value), other "
     "dtypes need na_value (ValueError otherwise) and are copied. Imports NumPy."},
    {"save", (PyCFunction)seq_save, METH_O,
     "save($self, path, /)\n--\n\nWrite to path as an uncompressed Arrow IPC file (Feather "
     "v2), read back by compactcol.open(path). O(n). Needs pyarrow."},
    {"__reduce_ex__", (PyCFunction)array_reduce_ex, METH_O,
     "Pickle support: protocol 5 sends the buffer out of band (PickleBuffer)."},
    {"_validity", (PyCFunction)array_validity, METH_NOARGS,
     "The validity bitmap as bytes (Arrow layout, ceil(len/8) bytes), or None."},
    {"__arrow_c_schema__", (PyCFunction)array_arrow_c_schema, METH_NOARGS,
     "__arrow_c_schema__($self, /)\n--\n\nThe Arrow schema of this array, as an "
     "'arrow_schema' PyCapsule (Arrow PyCapsule interface)."},
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))array_arrow_c_array,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_array__($self, /, requested_schema=None)\n--\n\nExport to Arrow without "
     "a copy (bool is bit-packed into a copy): a pair of 'arrow_schema' and "
     "'arrow_array' PyCapsules. The array is locked against resizing until "
     "the consumer releases it."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};
