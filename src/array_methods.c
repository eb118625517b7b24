/* array_methods.c -- the list methods of Array and its comparisons.
 *
 * Searches (`in`, index, count, remove) and comparisons between Arrays run on
 * the unboxed values when the needle is a plain number; any other object is
 * compared through Python, one boxed element at a time, re-reading the length
 * every step so that an __eq__ that mutates the array cannot make us read
 * past its end.
 */
#include "binding.h"

static int is_array(PyObject *obj) {
    return Py_TYPE(obj)->tp_as_buffer &&
           Py_TYPE(obj)->tp_as_buffer->bf_getbuffer == array_getbuffer;
}

static bool nargs_ok(const char *name, Py_ssize_t nargs, Py_ssize_t lo, Py_ssize_t hi) {
    return seq_nargs_ok("Array", name, nargs, lo, hi);
}

static PyObject *raise_status(ArrayObject *self, cc_status st, const char *what) {
    return array_raise(&self->arr, st, what, -1, NULL);
}

/* First index in [start, stop) equal to v, -1 if none, -2 on error. */
static Py_ssize_t find_value(ArrayObject *self, PyObject *v, Py_ssize_t start,
                             Py_ssize_t stop) {
    cc_scalar x;
    int r = scalar_for_compare(v, &x);
    if (r < 0) return -2;
    if (r == 1) return (Py_ssize_t)cc_numarray_find(&self->arr, &x, start, stop);
    return seq_find_by_eq((PyObject *)self, &array_seq_ops, v, start, stop);
}

int array_contains(PyObject *self, PyObject *v) {
    Py_ssize_t i = find_value((ArrayObject *)self, v, 0, PY_SSIZE_T_MAX);
    return i == -2 ? -1 : i >= 0;
}

/* The common case of append -- an exact int or float into a fixed-width
 * array with spare room -- stored without building a scalar.  Returns 1 if
 * stored, 0 to take the general path (which also produces every error). */
static inline int append_fast(cc_numarray *a, PyObject *v) {
    if (a->length >= a->capacity || a->nullable || a->exports) return 0;
    uint8_t *slot = a->data + a->length * cc_numarray_itemsize(a);
    if (PyFloat_CheckExact(v)) {
        if (a->dtype != CC_FLOAT64) return 0;
        double d = PyFloat_AS_DOUBLE(v);
        CC_UNPOISON(slot, 8);
        memcpy(slot, &d, 8);
    } else if (PyLong_CheckExact(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow) return 0;
        switch (a->dtype) {
#define FAST_INT(E, ctype)                                                     \
    case CC_##E: {                                                             \
        ctype c = (ctype)x;                                                    \
        if ((long long)c != x) return 0;                                       \
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

static PyObject *array_append(ArrayObject *self, PyObject *v) {
    if (column_length_refused(self->table_column, "Array", "append") < 0) return NULL;
    if (append_fast(&self->arr, v)) Py_RETURN_NONE;
    cc_scalar s;
    if (array_to_scalar(&self->arr, v, &s, "append", -1) < 0) return NULL;
    cc_status st = cc_numarray_append(&self->arr, &s);
    if (st != CC_OK) return array_raise(&self->arr, st, "append", -1, v);
    Py_RETURN_NONE;
}

static PyObject *array_extend(ArrayObject *self, PyObject *values) {
    if (array_extend_from(self, values, "extend") < 0) return NULL;
    Py_RETURN_NONE;
}


static PyObject *array_insert(ArrayObject *self, PyObject *const *args,
                              Py_ssize_t nargs) {
    if (column_length_refused(self->table_column, "Array", "insert") < 0) return NULL;
    if (!nargs_ok("insert", nargs, 2, 2)) return NULL;
    Py_ssize_t i;
    cc_scalar s;
    if (seq_position_arg(args[0], &i) < 0) return NULL;
    if (array_to_scalar(&self->arr, args[1], &s, "insert", -1) < 0) return NULL;
    cc_numarray one;
    cc_numarray_init(&one, self->arr.adaptive ? CC_INT8 : self->arr.dtype,
                     self->arr.adaptive, self->arr.nullable);
    cc_status st = cc_numarray_append(&one, &s);
    if (st == CC_OK) {
        Py_ssize_t n = self->arr.length; /* clamped as list.insert does */
        if (i < 0) i = i + n < 0 ? 0 : i + n;
        if (i > n) i = n;
        st = cc_numarray_splice(&self->arr, i, 0, &one);
    }
    cc_numarray_reset(&one);
    if (st != CC_OK) return array_raise(&self->arr, st, "insert", -1, args[1]);
    Py_RETURN_NONE;
}

static PyObject *array_pop(ArrayObject *self, PyObject *const *args,
                           Py_ssize_t nargs) {
    if (column_length_refused(self->table_column, "Array", "pop") < 0) return NULL;
    if (!nargs_ok("pop", nargs, 0, 1)) return NULL;
    Py_ssize_t i = -1;
    if (nargs == 1 && seq_position_arg(args[0], &i) < 0) return NULL;
    Py_ssize_t n = self->arr.length;
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty Array");
        return NULL;
    }
    if (i < 0) i += n;
    if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "pop index out of range");
        return NULL;
    }
    PyObject *v = array_item_box(&self->arr, i);
    if (!v) return NULL;
    cc_status st = cc_numarray_delete_strided(&self->arr, i, 1, 1);
    if (st != CC_OK) {
        Py_DECREF(v);
        return raise_status(self, st, "pop");
    }
    return v;
}

static PyObject *array_index(ArrayObject *self, PyObject *const *args,
                             Py_ssize_t nargs) {
    if (!nargs_ok("index", nargs, 1, 3)) return NULL;
    Py_ssize_t start = 0, stop = PY_SSIZE_T_MAX;
    if (nargs > 1 && seq_clamped_index(args[1], &start) < 0) return NULL;
    if (nargs > 2 && seq_clamped_index(args[2], &stop) < 0) return NULL;
    Py_ssize_t n = self->arr.length; /* after __index__ ran */
    if (start < 0 && (start += n) < 0) start = 0;
    if (stop < 0 && (stop += n) < 0) stop = 0;
    Py_ssize_t i = find_value(self, args[0], start, stop);
    if (i == -2) return NULL;
    if (i == -1) {
        PyErr_Format(PyExc_ValueError, "%R is not in Array", args[0]);
        return NULL;
    }
    return PyLong_FromSsize_t(i);
}

static PyObject *array_count(ArrayObject *self, PyObject *v) {
    cc_scalar x;
    int r = scalar_for_compare(v, &x);
    if (r < 0) return NULL;
    if (r == 1) return PyLong_FromLongLong(cc_numarray_count(&self->arr, &x));
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < self->arr.length; i++) {
        PyObject *el = array_item_box(&self->arr, i);
        if (!el) return NULL;
        int eq = PyObject_RichCompareBool(el, v, Py_EQ);
        Py_DECREF(el);
        if (eq < 0) return NULL;
        count += eq;
    }
    return PyLong_FromSsize_t(count);
}

static PyObject *array_remove(ArrayObject *self, PyObject *v) {
    if (column_length_refused(self->table_column, "Array", "remove") < 0) return NULL;
    Py_ssize_t i = find_value(self, v, 0, PY_SSIZE_T_MAX);
    if (i == -2) return NULL;
    if (i == -1) {
        PyErr_Format(PyExc_ValueError, "Array.remove(x): %R is not in Array", v);
        return NULL;
    }
    /* x.__eq__ may have shrunk the array: like list, remove nothing then */
    if (i >= self->arr.length) Py_RETURN_NONE;
    cc_status st = cc_numarray_delete_strided(&self->arr, i, 1, 1);
    if (st != CC_OK) return raise_status(self, st, "remove");
    Py_RETURN_NONE;
}

static PyObject *array_clear(ArrayObject *self, PyObject *unused) {
    if (column_length_refused(self->table_column, "Array", "clear") < 0) return NULL;
    (void)unused;
    cc_status st = cc_numarray_delete_strided(&self->arr, 0, 1, self->arr.length);
    if (st != CC_OK) return raise_status(self, st, "clear");
    Py_RETURN_NONE;
}

static PyObject *array_reverse(ArrayObject *self, PyObject *unused) {
    (void)unused;
    cc_status st = cc_numarray_reverse(&self->arr);
    if (st != CC_OK) return raise_status(self, st, "reverse");
    Py_RETURN_NONE;
}

static PyObject *array_sort(ArrayObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"key", "reverse", NULL};
    PyObject *key = Py_None;
    int reverse = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$Op:sort", kwlist, &key, &reverse))
        return NULL;
    if (key != Py_None) return seq_sort_by_key((PyObject *)self, &array_seq_ops, key, reverse);
    cc_status st = cc_numarray_sort(&self->arr, reverse);
    if (st != CC_OK) return raise_status(self, st, "sort");
    Py_RETURN_NONE;
}

static PyObject *array_copy(ArrayObject *self, PyObject *unused) {
    (void)unused;
    return array_copy_of(self);
}

static PyObject *array_deepcopy(ArrayObject *self, PyObject *memo) {
    (void)memo;
    return array_copy_of(self);
}

static PyObject *array_reserve(ArrayObject *self, PyObject *arg) {
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "Array.reserve: capacity must be >= 0, got %zd", n);
        return NULL;
    }
    cc_status st = cc_numarray_reserve(&self->arr, n);
    if (st != CC_OK) return raise_status(self, st, "reserve");
    Py_RETURN_NONE;
}

static PyObject *array_shrink_to_fit(ArrayObject *self, PyObject *unused) {
    (void)unused;
    cc_status st = cc_numarray_shrink_to_fit(&self->arr);
    if (st != CC_OK) return raise_status(self, st, "shrink_to_fit");
    Py_RETURN_NONE;
}

static PyObject *array_tolist(ArrayObject *self, PyObject *unused) {
    (void)unused;
    PyObject *list = PyList_New((Py_ssize_t)self->arr.length);
    if (!list) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *v = array_item_box(&self->arr, i);
        if (!v) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, v);
    }
    return list;
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
        PyErr_Format(PyExc_AssertionError, "Array invariant violated: %s", err.why);
        return NULL;
    }
    return Py_BuildValue("{sLsLsLsLsssisOsO}", "length", (long long)a->length,
                         "capacity", (long long)a->capacity, "exports",
                         (long long)a->exports, "null_count", (long long)a->null_count,
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
    {"copy", (PyCFunction)array_copy, METH_NOARGS, "copy($self, /)\n--\n\nA shallow copy (same dtype)."},
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
    {"to_numpy", (PyCFunction)(void (*)(void))array_to_numpy, METH_VARARGS | METH_KEYWORDS,
     "to_numpy($self, /, *, na_value=None)\n--\n\nA NumPy array sharing this buffer (no copy) "
     "when there are no nulls. With nulls: floats become NaN (or na_value), other "
     "dtypes need na_value (ValueError otherwise) and are copied. Imports NumPy."},
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
