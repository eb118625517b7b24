/* array_convert.c -- Python values <-> core scalars, and array_collect, the
 * one place where input of any shape (an Array, a buffer, a list, an
 * iterator) becomes unboxed values.
 *
 * Every mutator that takes several values collects them into a scratch
 * cc_numarray first and commits with one core call afterwards.  User code
 * (__index__, __float__, __next__) therefore only ever runs while the target
 * array is untouched, and whatever it does to the array, the commit re-checks
 * bounds against the array as it then is: the result is defined and a
 * failure leaves the array as it was.
 */
#include "binding.h"
#include "array.h"

/* int -> canonical scalar.  0 ok, 1 when beyond every dtype (|v| >= 2**64
 * or below -2**63), -1 on error. */
static int long_to_scalar(PyObject *v, cc_scalar *out) {
    if (PyBool_Check(v)) {
        out->kind = CC_SCALAR_BOOL;
        out->v.i = v == Py_True;
        return 0;
    }
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0) {
        if (x == -1 && PyErr_Occurred()) return -1;
        out->kind = CC_SCALAR_INT;
        out->v.i = x;
        return 0;
    }
    if (overflow < 0) return 1;
    unsigned long long u = PyLong_AsUnsignedLongLong(v);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) return -1;
        PyErr_Clear();
        return 1;
    }
    out->kind = CC_SCALAR_UINT;
    out->v.u = u;
    return 0;
}

static bool is_numpy_bool(PyObject *v) {
    const char *name = Py_TYPE(v)->tp_name;
    return strcmp(name, "numpy.bool") == 0 || strcmp(name, "numpy.bool_") == 0;
}

/* An int-like value (anything with __index__ but not a float) as a scalar. */
static int index_to_scalar(num_type t, PyObject *v, cc_scalar *out, const conv_where *w) {
    int r;
    if (PyLong_Check(v)) {
        r = long_to_scalar(v, out);
    } else {
        PyObject *i = PyNumber_Index(v); /* may run __index__ */
        if (!i) return note_at(w);
        r = long_to_scalar(i, out);
        Py_DECREF(i);
    }
    if (r == 1) num_raise(t, CC_EOVERFLOW, w, v);
    return r == 0 ? 0 : -1;
}

static int float_to_scalar(num_type t, PyObject *v, cc_scalar *out, const conv_where *w) {
    double d;
    if (PyFloat_Check(v)) {
        d = PyFloat_AS_DOUBLE(v);
    } else if (PyLong_Check(v)) {
        d = PyLong_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) return -1;
            PyErr_Clear();
            num_raise(t, CC_EOVERFLOW, w, v);
            return -1;
        }
    } else {
        PyNumberMethods *nb = Py_TYPE(v)->tp_as_number;
        if (!nb || (!nb->nb_float && !nb->nb_index)) return num_raise_type(t, w, v);
        d = PyFloat_AsDouble(v); /* may run __float__ */
        if (d == -1.0 && PyErr_Occurred()) return note_at(w);
    }
    out->kind = CC_SCALAR_FLOAT;
    out->v.f = d;
    return 0;
}

int scalar_from_py(num_type t, PyObject *v, cc_scalar *out, const conv_where *w) {
    if (v == Py_None) {
        if (!t.nullable) return num_raise_type(t, w, v);
        out->kind = CC_SCALAR_NULL;
        return 0;
    }
    if (cc_dtype_is_decimal(t.dtype)) return decimal_from_py(t.tz, t.dec, v, out, w);
    if (cc_dtype_is_temporal(t.dtype)) {
        PyObject *ticks;
        int foreign = temporal_foreign_scalar(t.dtype, t.tz, v, &ticks); /* NumPy's, NaT */
        if (foreign < 0) return note_at(w);
        if (!foreign) return temporal_from_py(t.dtype, t.tz, v, out, w);
        int r = ticks == Py_None ? scalar_from_py(t, Py_None, out, w)
                                 : temporal_from_py(t.dtype, t.tz, ticks, out, w);
        Py_DECREF(ticks);
        return r;
    }
    cc_kind kind = cc_dtype_get(t.dtype)->kind;
    if (kind == CC_KIND_FLOAT) return float_to_scalar(t, v, out, w);
    if (kind == CC_KIND_BOOL && is_numpy_bool(v)) {
        int truth = PyObject_IsTrue(v);
        if (truth < 0) return -1;
        out->kind = CC_SCALAR_BOOL;
        out->v.i = truth;
        return 0;
    }
    /* integers, and bool arrays taking bools or ints (the store rejects 2) */
    if (PyLong_Check(v) || (PyIndex_Check(v) && !PyFloat_Check(v)))
        return index_to_scalar(t, v, out, w);
    return num_raise_type(t, w, v);
}

int array_to_scalar(const cc_numarray *a, PyObject *v, cc_scalar *out,
                    const char *what, Py_ssize_t item) {
    conv_where w = array_where(a, what, item);
    return scalar_from_py(num_type_of(a), v, out, &w);
}

/* Does v compare like a plain number (int/float without a custom __eq__)? */
static bool plain_number_type(PyObject *v, PyTypeObject *base) {
    return Py_TYPE(v) == base || Py_TYPE(v)->tp_richcompare == base->tp_richcompare;
}

int scalar_for_compare(PyObject *v, cc_scalar *out) {
    if (v == Py_None) {
        out->kind = CC_SCALAR_NULL;
        return 1;
    }
    if (PyLong_Check(v) && plain_number_type(v, &PyLong_Type)) {
        int r = long_to_scalar(v, out);
        return r < 0 ? -1 : r == 0; /* huge ints: compare through Python */
    }
    if (PyFloat_Check(v) && plain_number_type(v, &PyFloat_Type)) {
        out->kind = CC_SCALAR_FLOAT;
        out->v.f = PyFloat_AS_DOUBLE(v);
        return 1;
    }
    if (strncmp(Py_TYPE(v)->tp_name, "numpy.", 6) == 0) {
        if (is_numpy_bool(v)) {
            int t = PyObject_IsTrue(v);
            if (t < 0) return -1;
            out->kind = CC_SCALAR_BOOL;
            out->v.i = t;
            return 1;
        }
        if (PyIndex_Check(v)) {
            PyObject *i = PyNumber_Index(v);
            if (!i) return -1;
            int r = long_to_scalar(i, out);
            Py_DECREF(i);
            return r < 0 ? -1 : r == 0;
        }
        PyNumberMethods *nb = Py_TYPE(v)->tp_as_number;
        if (nb && nb->nb_float && !PyComplex_Check(v)) {
            double d = PyFloat_AsDouble(v);
            if (d == -1.0 && PyErr_Occurred()) return -1;
            out->kind = CC_SCALAR_FLOAT;
            out->v.f = d;
            return 1;
        }
    }
    return 0;
}

PyObject *scalar_box(const cc_scalar *s) {
    switch (s->kind) {
    case CC_SCALAR_INT: return PyLong_FromLongLong(s->v.i);
    case CC_SCALAR_UINT: return PyLong_FromUnsignedLongLong(s->v.u);
    case CC_SCALAR_FLOAT: return PyFloat_FromDouble(s->v.f);
    case CC_SCALAR_BOOL: return PyBool_FromLong((long)s->v.i);
    default: Py_RETURN_NONE;
    }
}

PyObject *dtype_box(cc_dtype dt, const char *tz, const cc_scalar *s) {
    if (s->kind == CC_SCALAR_NULL) Py_RETURN_NONE;
    if (cc_dtype_is_decimal(dt)) return decimal_box(tz, s);
    if (cc_dtype_is_temporal(dt) && s->kind == CC_SCALAR_INT) return temporal_box(dt, tz, s->v.i);
    return scalar_box(s);
}

PyObject *array_item_box(const cc_numarray *a, Py_ssize_t i) {
    if (a->nullable && !cc_bitmap_get(a->validity, i)) Py_RETURN_NONE;
    if (cc_dtype_is_coded(a->dtype)) {
        cc_scalar s;
        cc_dtype_load(a->dtype, a->data + i * cc_numarray_itemsize(a), &s);
        return dtype_box(a->dtype, a->tz, &s);
    }
    switch (a->dtype) {
#define BOX_CASE(E, name, ctype, fmt, KIND)                                    \
    case CC_##E: {                                                             \
        ctype x = ((const ctype *)(const void *)a->data)[i];                   \
        if (KIND == CC_KIND_FLOAT) return PyFloat_FromDouble((double)x);       \
        if (KIND == CC_KIND_BOOL) return PyBool_FromLong(x != 0);              \
        if (KIND == CC_KIND_UNSIGNED)                                          \
            return PyLong_FromUnsignedLongLong((unsigned long long)x);         \
        return PyLong_FromLongLong((long long)x);                              \
    }
        CC_FOR_EACH_DTYPE(BOX_CASE)
#undef BOX_CASE
    default:
        Py_RETURN_NONE;
    }
}

/* Appends the converted value v (input position item) to out; dec is
 * out's decimal parameter, parsed once by the caller for all its values. */
static int collect_one(cc_numarray *out, PyObject *v, const conv_where *w, Py_ssize_t item,
                       decimal_param dec) {
    conv_where at = *w;
    at.item = item;
    cc_scalar s;
    num_type t = num_type_of(out); /* read each time: an adaptive out widens */
    t.dec = dec;
    if (scalar_from_py(t, v, &s, &at) < 0) return -1;
    cc_status st = cc_numarray_append(out, &s);
    if (st != CC_OK) {
        num_raise(num_type_of(out), st, &at, v);
        return -1;
    }
    return 0;
}

/* Values of another Array (possibly the target itself: only read here). */
static int collect_array(cc_numarray *out, const cc_numarray *src, const conv_where *w) {
    cc_error err;
    if (src->null_count == 0) {
        cc_status st = cc_numarray_append_converted(out, src->dtype, src->data,
                                                    src->length, &err);
        if (st == CC_OK) return 0;
        PyObject *v = err.index >= 0 ? array_item_box(src, err.index) : NULL;
        conv_where at = *w;
        at.item = err.index;
        num_raise(num_type_of(out), st, &at, v);
        Py_XDECREF(v);
        return -1;
    }
    decimal_param dec = decimal_param_of(out->dtype, out->tz);
    for (int64_t i = 0; i < src->length; i++) {
        PyObject *v = array_item_box(src, i);
        if (!v) return -1;
        int r = collect_one(out, v, w, i, dec);
        Py_DECREF(v);
        if (r < 0) return -1;
    }
    return 0;
}

/* A one-dimensional C-contiguous buffer of a known numeric format.
 * 1 done, 0 not such a buffer (iterate instead), -1 error. */
static int collect_buffer(cc_numarray *out, PyObject *src, const conv_where *w) {
    Py_buffer view;
    if (PyObject_GetBuffer(src, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        PyErr_Clear();
        return 0;
    }
    cc_dtype dt;
    int done = 0;
    if (view.ndim == 1 && view.format &&
        cc_dtype_from_format(view.format, view.itemsize, &dt) == CC_OK) {
        cc_error err;
        cc_status st = cc_numarray_append_converted(out, dt, view.buf,
                                                    view.len / view.itemsize, &err);
        done = 1;
        if (st != CC_OK) {
            cc_scalar s;
            PyObject *v = NULL;
            if (err.index >= 0) {
                cc_dtype_load(dt, (const uint8_t *)view.buf + err.index * view.itemsize, &s);
                v = scalar_box(&s);
            }
            conv_where at = *w;
            at.item = err.index;
            num_raise(num_type_of(out), st, &at, v);
            Py_XDECREF(v);
            done = -1;
        }
    }
    PyBuffer_Release(&view);
    return done;
}

static int collect_iterable(cc_numarray *out, PyObject *src, const conv_where *w);

/* A typed buffer's values at memcpy speed, else one by one; 0 or -1. */
static int collect_buffer_or_iterable(cc_numarray *out, PyObject *src, const conv_where *w) {
    int r = PyObject_CheckBuffer(src) ? collect_buffer(out, src, w) : 0;
    return r == 0 ? collect_iterable(out, src, w) : r < 0 ? -1 : 0;
}

static int collect_list_or_tuple(cc_numarray *out, PyObject *src, const conv_where *w) {
    /* The size is re-read every step: a value's __index__ may change it. */
    Py_ssize_t n = PySequence_Fast_GET_SIZE(src);
    cc_status st = cc_numarray_reserve_for_fill(out, n);
    if (st != CC_OK) {
        num_raise(num_type_of(out), st, w, NULL);
        return -1;
    }
    decimal_param dec = decimal_param_of(out->dtype, out->tz);
    /* Exact ints into an integer dtype skip the scalar round trip; they run
     * no Python code, so the list cannot change under them.  Everything else
     * (bools, int subclasses, ints beyond int64, floats) goes by collect_one. */
    bool ints = cc_dtype_is_integer(out->dtype);
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(src); i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(src, i);
        int64_t x;
        if (ints && PyLong_CheckExact(v) && exact_int_as_i64(v, &x)) {
            st = cc_numarray_append_i64(out, x);
            if (CC_LIKELY(st == CC_OK)) continue;
            conv_where at = *w; /* what collect_one says of the same failure */
            at.item = i;
            num_raise(num_type_of(out), st, &at, v);
            return -1;
        }
        Py_INCREF(v);
        int r = collect_one(out, v, w, i, dec);
        Py_DECREF(v);
        if (r < 0) return -1;
    }
    return 0;
}

static int collect_iterable(cc_numarray *out, PyObject *src, const conv_where *w) {
    PyObject *it = PyObject_GetIter(src);
    if (!it) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            raise_at(PyExc_TypeError, w, "expected an iterable, got %s", Py_TYPE(src)->tp_name);
        }
        return -1;
    }
    /* A length hint only pre-sizes, and only up to 1 Mi elements: a hint
     * that lies (2**62, -1, raising) can cost neither memory nor errors. */
    Py_ssize_t hint = PyObject_LengthHint(src, 0);
    if (hint < 0) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) goto fail;
        PyErr_Clear();
    } else if (cc_numarray_reserve(out, hint < (1 << 20) ? hint : (1 << 20)) != CC_OK) {
        /* only a pre-size: the loop below grows as it needs */
    }
    PyObject *v;
    decimal_param dec = decimal_param_of(out->dtype, out->tz);
    for (Py_ssize_t i = 0; (v = PyIter_Next(it)) != NULL; i++) {
        int r = collect_one(out, v, w, i, dec);
        Py_DECREF(v);
        if (r < 0) goto fail;
    }
    if (PyErr_Occurred()) goto fail;
    Py_DECREF(it);
    return 0;
fail:
    Py_DECREF(it);
    return -1;
}

int num_collect(num_type t, PyObject *src, cc_numarray *out, const conv_where *w) {
    cc_numarray_init(out, t.adaptive ? CC_INT8 : t.dtype, t.adaptive, t.nullable);
    if (cc_numarray_set_tz(out, t.tz) != CC_OK) return raise_at(PyExc_ValueError, w, "bad time zone");
    int r;
    if (PyList_CheckExact(src) || PyTuple_CheckExact(src)) {
        r = collect_list_or_tuple(out, src, w);
    } else if (PyUnicode_Check(src)) {
        r = raise_at(PyExc_TypeError, w, "expected an iterable of numbers, got str");
    } else if (Py_TYPE(src)->tp_as_buffer &&
               Py_TYPE(src)->tp_as_buffer->bf_getbuffer == array_getbuffer) {
        const cc_numarray *a = &((ArrayObject *)src)->arr;
        /* a datetime of another unit or kind, a decimal of another scale, a
         * number into a decimal: converted by what the values mean */
        bool coded = cc_dtype_is_coded(a->dtype) || cc_dtype_is_coded(out->dtype);
        bool same_meaning = a->dtype == out->dtype &&
                            (!cc_dtype_is_decimal(a->dtype) || strcmp(a->tz, out->tz) == 0);
        if (coded && !same_meaning)
            r = collect_iterable(out, src, w);
        else
            r = collect_array(out, a, w);
    } else if (cc_dtype_is_temporal(out->dtype) &&
               strcmp(Py_TYPE(src)->tp_name, "numpy.ndarray") == 0) {
        /* NumPy's datetime64 has no buffer format: converted by NumPy */
        PyObject *arr = temporal_from_numpy(out->dtype, out->tz, out->nullable, src);
        if (!arr) r = note_at(w);
        else if (arr != Py_None) r = collect_array(out, &((ArrayObject *)arr)->arr, w);
        else r = collect_buffer_or_iterable(out, src, w); /* numbers: counts of the unit */
        Py_XDECREF(arr);
    } else {
        r = collect_buffer_or_iterable(out, src, w);
    }
    if (r < 0) cc_numarray_reset(out);
    return r;
}

int array_collect(const cc_numarray *like, PyObject *src, cc_numarray *out,
                  const char *what) {
    conv_where w = array_where(like, what, -1);
    return num_collect(num_type_of(like), src, out, &w);
}
