/* array_buffer.c -- Array's bytes leaving and entering: the buffer protocol
 * (PEP 3118), tobytes/frombytes, to_numpy and pickling.
 *
 * A buffer export of private data is an alias: it counts in arr.exports;
 * while that is above zero the core refuses to resize, widen or move the
 * data, so a memoryview or NumPy view can never dangle, and writes through
 * a view are ordinary in-place writes.  Data a snapshot shares (an Arrow
 * export, a copy, an adopted producer's buffer: cc_buffer.h) is exported
 * read-only, holding a reference, unless the consumer asks for a writable
 * buffer, which makes the data private first.
 *
 * Pickle state: (dtype name, adaptive, nullable, byte order, length, data,
 * validity).  With protocol 5 the data and the bitmap go as PickleBuffers of
 * read-only snapshots (out of band when the pickler has a buffer_callback;
 * the array is not pinned and copies before its next write).  Loading keeps
 * an immutable, aligned, native-order data buffer, and an immutable bitmap,
 * in place (adopt_data: the first write copies) and copies anything else.
 * _array_from_state checks
 * every field against the others before it allocates anything, so a corrupt
 * or hostile pickle raises ValueError/TypeError and never crashes.
 */
#include "binding.h"
#include "array.h"

int array_getbuffer(PyObject *obj, Py_buffer *view, int flags) {
    ArrayObject *self = (ArrayObject *)obj;
    cc_numarray *a = &self->arr;
    const cc_dtype_info *info = cc_dtype_get(a->dtype);
    /* PEP 3118 has no format for a datetime (NumPy's datetime64 arrays
     * refuse a typed buffer too): only the raw bytes, which to_numpy() views
     * as datetime64 and NumPy's np.asarray reaches through __array__. */
    if (cc_dtype_is_decimal(a->dtype) && (flags & PyBUF_FORMAT)) {
        PyErr_SetString(PyExc_BufferError,
                        "a decimal128 Array has no typed buffer (PEP 3118 has no 128-bit "
                        "decimal format): a.to_numpy() gives Decimal objects, pyarrow.array(a) "
                        "shares it");
        return -1;
    }
    if (info->temporal != CC_TEMPORAL_NONE && (flags & PyBUF_FORMAT)) {
        PyErr_Format(PyExc_BufferError,
                     "Array('%s') has no typed buffer (PEP 3118 has no datetime format): "
                     "np.asarray(a) and a.to_numpy() give NumPy's %s view of it",
                     info->name, info->temporal == CC_TEMPORAL_DATE ? "datetime64[D]" : info->name);
        return -1;
    }
    buf_region r = {.len = (Py_ssize_t)(a->length * info->itemsize),
                    .itemsize = info->itemsize, .format = info->format};
    /* A buffer a snapshot shares: a read-only request gets a read-only view
     * of it (no copy, as pandas' Copy-on-Write hands out read-only arrays);
     * a writable one makes the array's buffers private first (a copy unless
     * every snapshot is gone) and aliases them. */
    bool snapshot = false;
    if (a->data_share && !(flags & PyBUF_WRITABLE) && !cc_buffer_sole_owner(a->data_share)) {
        cc_buffer *validity;
        if (cc_numarray_share(a, &r.hold, &validity) != CC_OK) {
            PyErr_NoMemory();
            return -1;
        }
        cc_buffer_unref(validity);
        snapshot = true;
    } else {
        cc_status st = cc_numarray_own(a);
        if (st != CC_OK) {
            array_raise(a, st, "buffer", -1, NULL);
            return -1;
        }
        r.exports = &a->exports; /* pinned: the core refuses to move the data */
    }
    r.buf = a->data;
    if (bufview_fill(view, &r, flags) < 0) return -1;
    view->obj = Py_NewRef(obj);
    view->readonly = snapshot;
    return 0;
}

void array_releasebuffer(PyObject *obj, Py_buffer *view) {
    (void)obj;
    bufview_release(view);
}

PyObject *array_tobytes(ArrayObject *self, PyObject *unused) {
    (void)unused;
    const cc_numarray *a = &self->arr;
    return PyBytes_FromStringAndSize(a->data ? (const char *)a->data : "",
                                     (Py_ssize_t)(a->length * cc_numarray_itemsize(a)));
}

PyObject *array_validity(ArrayObject *self, PyObject *unused) {
    (void)unused;
    return validity_as_bytes(self->arr.nullable, self->arr.validity, self->arr.length);
}

/* A new Array of `dtype` (time zone tz, "" for none: checked by the
 * caller) holding n values copied from buf (native order). */
static PyObject *array_from_raw(PyTypeObject *cls, cc_dtype dtype, const char *tz, bool adaptive,
                                bool nullable, const void *buf, int64_t n) {
    cc_numarray tmp;
    cc_error err;
    cc_numarray_init(&tmp, dtype, false, nullable);
    cc_status st = cc_numarray_set_tz(&tmp, tz);
    if (st == CC_OK) st = cc_numarray_append_converted(&tmp, dtype, buf, n, &err);
    if (st != CC_OK) {
        cc_numarray_reset(&tmp);
        return array_raise(&tmp, st, "frombytes", -1, NULL);
    }
    tmp.adaptive = adaptive;
    PyObject *r = array_wrap(cls, &tmp);
    cc_numarray_reset(&tmp);
    return r;
}

PyObject *array_frombytes(PyObject *cls, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "Array.frombytes(dtype, data) takes 2 arguments, got %zd", nargs);
        return NULL;
    }
    cc_dtype dtype;
    bool adaptive;
    char tz[CC_TZ_MAX];
    if (dtype_parse(args[0], &dtype, &adaptive, tz) < 0) return NULL;
    if (adaptive) {
        PyErr_SetString(PyExc_ValueError,
                        "Array.frombytes: raw bytes need a fixed dtype such as "
                        "'int64', not the adaptive 'int'");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[1], &view, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    PyObject *r = NULL;
    int size = cc_dtype_itemsize(dtype);
    if (view.len % size != 0)
        PyErr_Format(PyExc_ValueError,
                     "Array.frombytes: %zd bytes is not a multiple of the %s "
                     "itemsize (%d)", view.len, cc_dtype_get(dtype)->name, size);
    else
        r = array_from_raw((PyTypeObject *)cls, dtype, tz, false, false, view.buf,
                           view.len / size);
    PyBuffer_Release(&view);
    return r;
}

PyObject *array_ticks(PyObject *module, PyObject *arg) {
    module_state *ms = PyModule_GetState(module);
    if (!array_check(arg, ms->ArrayType)) {
        PyErr_SetString(PyExc_TypeError, "_array_ticks: expected an Array");
        return NULL;
    }
    cc_numarray *a = &((ArrayObject *)arg)->arr;
    cc_numarray out;
    cc_numarray_init_like(&out, a);
    cc_status st = cc_numarray_share_into(a, &out);
    if (st == CC_EBUSY) /* aliased by a buffer view: copy */
        st = cc_numarray_gather(a, 0, 1, a->length, &out);
    PyObject *r = NULL;
    if (st == CC_OK) {
        /* the same bytes, read as their storage type */
        out.dtype = cc_dtype_itemsize(a->dtype) == 4 ? CC_INT32 : CC_INT64;
        r = array_wrap(ms->ArrayType, &out);
    } else {
        array_raise(a, st, "to_numpy", -1, NULL);
    }
    cc_numarray_reset(&out);
    return r;
}

/* __array__(dtype=None, copy=None): NumPy's protocol, reached by np.asarray
 * only for the temporal dtypes (a typed buffer is tried first, and they
 * have none): the datetime64 / timedelta64 view of to_numpy(). */
PyObject *array_dunder_array(ArrayObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"dtype", "copy", NULL};
    PyObject *dtype = Py_None, *copy = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:__array__", kwlist, &dtype, &copy))
        return NULL;
    PyObject *glue = PyImport_ImportModule("compactcol._numpy");
    if (!glue) return NULL;
    PyObject *r = PyObject_CallMethod(glue, "array_dunder_array", "OOO", self, dtype, copy);
    Py_DECREF(glue);
    return r;
}

PyObject *array_to_numpy(ArrayObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"na_value", NULL};
    PyObject *na_value = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$O:to_numpy", kwlist, &na_value))
        return NULL;
    PyObject *glue = PyImport_ImportModule("compactcol._numpy");
    if (!glue) return NULL;
    PyObject *r = PyObject_CallMethod(glue, "array_to_numpy", "OO", self, na_value);
    Py_DECREF(glue);
    return r;
}

/* Protocol 5: read-only PickleBuffers of a snapshot of the data and of the
 * bitmap (None when not nullable), taken now: the array copies before its
 * next write, so the buffers keep these values and nothing pins the array.
 * Both NULL without an exception while the array is aliased by a
 * memoryview (it cannot share): the caller copies.  0 or -1. */
static int snapshot_buffers(ArrayObject *self, PyObject **data, PyObject **validity) {
    cc_numarray *a = &self->arr;
    const cc_dtype_info *info = cc_dtype_get(a->dtype);
    buf_region d = {.buf = a->data, .len = (Py_ssize_t)(a->length * info->itemsize),
                    .itemsize = info->itemsize, .format = info->format};
    cc_buffer *bits;
    cc_status st = cc_numarray_share(a, &d.hold, &bits);
    if (st == CC_EBUSY) return 0;
    if (st != CC_OK) return array_raise(a, st, "__reduce_ex__", -1, NULL), -1;
    *validity = bufview_validity_state(Py_TYPE(self), a->nullable, a->validity, a->length, bits);
    if (!*validity) {
        cc_buffer_unref(d.hold);
        return -1;
    }
    if (!(*data = bufview_snapshot_pickle_buffer(Py_TYPE(self), &d))) {
        Py_CLEAR(*validity);
        return -1;
    }
    return 0;
}

PyObject *array_reduce_ex(ArrayObject *self, PyObject *protocol_obj) {
    long protocol = PyLong_AsLong(protocol_obj);
    if (protocol == -1 && PyErr_Occurred()) return NULL;
    const cc_numarray *a = &self->arr;
    PyObject *mod = PyImport_ImportModule("compactcol._pickle");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, "array_from_state") : NULL;
    Py_XDECREF(mod);
    if (!fn) return NULL;
    PyObject *data = NULL, *validity = NULL;
    if (protocol >= 5 && snapshot_buffers(self, &data, &validity) < 0) {
        Py_DECREF(fn);
        return NULL;
    }
    if (!data) { /* protocol < 5, or aliased: copies */
        data = array_tobytes(self, NULL);
        validity = data ? array_validity(self, NULL) : NULL;
    }
    PyObject *r = NULL;
    if (validity)
        r = Py_BuildValue("O(NOOsLOO)", fn, dtype_name_object(a->dtype, a->tz),
                          a->adaptive ? Py_True : Py_False,
                          a->nullable ? Py_True : Py_False,
                          __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big",
                          (long long)a->length, data, validity);
    Py_DECREF(fn);
    Py_XDECREF(data);
    Py_XDECREF(validity);
    return r;
}

/* ---- unpickling ------------------------------------------------------------ */

static void byteswap(uint8_t *data, int64_t n, int size) {
    for (int64_t i = 0; i < n; i++)
        for (int lo = 0, hi = size - 1; lo < hi; lo++, hi--) {
            uint8_t t = data[i * size + lo];
            data[i * size + lo] = data[i * size + hi];
            data[i * size + hi] = t;
        }
}

/* Applies a pickled validity bitmap: bits past the length are ignored, the
 * values under nulls are zeroed, null_count is recounted. */
static void apply_validity(cc_numarray *a, const uint8_t *bits) {
    int size = cc_numarray_itemsize(a);
    a->null_count = cc_bitmap_copy_bits(a->validity, bits, a->length);
    for (int64_t i = 0; i < a->length; i++)
        if (!cc_bitmap_get(a->validity, i)) memset(a->data + i * size, 0, (size_t)size);
}

static int state_flag(PyObject *v, const char *name, bool *out) {
    if (!PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "Array pickle state: %s must be a bool, got %s",
                     name, Py_TYPE(v)->tp_name);
        return -1;
    }
    *out = v == Py_True;
    return 0;
}

/* The scalar fields of a pickle state, validated against each other. */
typedef struct {
    cc_dtype dtype;
    bool adaptive, nullable, little;
    long long length;
    size_t nbytes; /* length * itemsize, overflow-checked */
    char tz[CC_TZ_MAX]; /* 'datetime64[us, UTC]': the time zone */
} array_state;

static int parse_state(PyObject *const *args, array_state *st) {
    if (!PyUnicode_Check(args[0]) || !PyUnicode_Check(args[3]) || !PyLong_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "Array pickle state: dtype and byteorder must be str, length an int");
        return -1;
    }
    if (state_flag(args[1], "adaptive", &st->adaptive) < 0 ||
        state_flag(args[2], "nullable", &st->nullable) < 0)
        return -1;
    Py_ssize_t name_size;
    const char *name = PyUnicode_AsUTF8AndSize(args[0], &name_size), *order;
    if (!name || !(order = PyUnicode_AsUTF8(args[3]))) return -1; /* one error at a time */
    if ((size_t)name_size != strlen(name)) {
        PyErr_Format(PyExc_ValueError, "Array pickle state: bad dtype %R", args[0]);
        return -1;
    }
    int known = dtype_name_parse(name, &st->dtype, st->tz);
    if (known < 0) return -1;
    if (!known ||
        (st->adaptive && (cc_dtype_get(st->dtype)->kind != CC_KIND_SIGNED ||
                          cc_dtype_is_temporal(st->dtype)))) {
        PyErr_Format(PyExc_ValueError, "Array pickle state: bad dtype %R", args[0]);
        return -1;
    }
    if (strcmp(order, "little") != 0 && strcmp(order, "big") != 0) {
        PyErr_Format(PyExc_ValueError, "Array pickle state: bad byte order %R", args[3]);
        return -1;
    }
    st->little = order[0] == 'l';
    st->length = PyLong_AsLongLong(args[4]);
    if (st->length == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        st->length = -1;
    }
    if (st->length < 0 ||
        cc_mul_size(st->length, cc_dtype_itemsize(st->dtype), &st->nbytes) != CC_OK) {
        PyErr_Format(PyExc_ValueError, "Array pickle state: bad length %R", args[4]);
        return -1;
    }
    return 0;
}

/* True if data can be kept as st's values, in place: immutable (a writable
 * buffer's owner could still change it), native order, aligned for the
 * dtype, bools 0 or 1, zeros under the nulls of bits (as a copy has). */
static bool adoptable(const array_state *st, const Py_buffer *data, const Py_buffer *bits) {
    bool native_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    int size = cc_dtype_itemsize(st->dtype);
    if (st->length == 0 || !bufview_immutable(data->obj) || st->little != native_little ||
        (uintptr_t)data->buf % (uintptr_t)size)
        return false;
    const uint8_t *p = data->buf;
    if (st->dtype == CC_BOOL)
        for (long long i = 0; i < st->length; i++)
            if (p[i] > 1) return false;
    static const uint8_t zero[CC_MAX_ITEMSIZE];
    if (bits)
        for (long long i = 0; i < st->length; i++)
            if (!cc_bitmap_get(bits->buf, i) && memcmp(p + i * size, zero, (size_t)size))
                return false;
    return true;
}

/* Unpickling without a copy: *out = a new Array reading data in place, the
 * view taken over (zeroed) by a foreign cc_buffer -- the out-of-band
 * PickleBuffer or the in-band bytes stays alive until the array's first
 * write copies (cc_buffer.h); the bitmap too when it can never change
 * (bufview_adopt_validity), else it is copied.  1 adopted, 0 not
 * adoptable (the caller copies; views untouched), -1 with an exception. */
static int adopt_data(PyTypeObject *type, const array_state *st, Py_buffer *data,
                      Py_buffer *bits, PyObject **out) {
    if (!adoptable(st, data, bits)) return 0;
    const void *values = data->buf;
    const uint8_t *bitmap = bits ? bits->buf : NULL;
    int64_t nulls = bits ? st->length - cc_bitmap_count(bitmap, 0, st->length) : 0;
    cc_buffer *share = bufview_adopt(data), *bits_share = NULL;
    if (!share || (bits && bufview_adopt_validity(bits, st->length, &bits_share) < 0)) {
        cc_buffer_unref(share);
        return -1;
    }
    cc_numarray a;
    cc_numarray_init(&a, st->dtype, false, st->nullable);
    if (cc_numarray_set_tz(&a, st->tz) != CC_OK) { /* parse_state checked it */
        cc_buffer_unref(share);
        cc_buffer_unref(bits_share);
        return PyErr_Format(PyExc_ValueError, "Array pickle state: bad time zone"), -1;
    }
    cc_status rc = cc_numarray_adopt(&a, st->length, values, share, bits_share ? bitmap : NULL,
                                     bits_share, bits_share ? nulls : 0);
    cc_buffer_unref(share); /* a holds its own references */
    cc_buffer_unref(bits_share);
    if (rc != CC_OK) {
        cc_numarray_reset(&a);
        array_raise(&a, rc, "unpickle", -1, NULL);
        return -1;
    }
    if (bits && !bits_share) { /* a's bitmap is private (all valid): the pickled bits */
        a.null_count = cc_bitmap_copy_bits(a.validity, bitmap, a.length);
    }
    a.adaptive = st->adaptive;
    *out = array_wrap(type, &a);
    cc_numarray_reset(&a);
    return *out ? 1 : -1;
}

/* _array_from_state(dtype, adaptive, nullable, byteorder, length, data, validity):
 * nothing is allocated before the buffer sizes match the claimed length. */
PyObject *array_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7) {
        PyErr_Format(PyExc_TypeError, "_array_from_state takes 7 arguments, got %zd", nargs);
        return NULL;
    }
    array_state st;
    if (parse_state(args, &st) < 0) return NULL;
    Py_buffer data, bits = {0};
    if (PyObject_GetBuffer(args[5], &data, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    PyObject *r = NULL;
    if ((size_t)data.len != st.nbytes) {
        PyErr_Format(PyExc_ValueError,
                     "Array pickle state: %zd data bytes for %lld %s values (need %zu)",
                     data.len, st.length, cc_dtype_get(st.dtype)->name, st.nbytes);
        goto done;
    }
    if (args[6] != Py_None) {
        if (!st.nullable) {
            PyErr_SetString(PyExc_ValueError, "Array pickle state: validity on a non-nullable array");
            goto done;
        }
        if (PyObject_GetBuffer(args[6], &bits, PyBUF_C_CONTIGUOUS) < 0) goto done;
        if (bits.len != cc_bitmap_bytes(st.length)) {
            PyErr_Format(PyExc_ValueError,
                         "Array pickle state: validity has %zd bytes, %lld values need %lld",
                         bits.len, st.length, (long long)cc_bitmap_bytes(st.length));
            goto done;
        }
    }
    module_state *ms = PyModule_GetState(module);
    int adopted = adopt_data(ms->ArrayType, &st, &data, bits.obj ? &bits : NULL, &r);
    if (adopted != 0) goto done; /* adopted, or an exception */
    r = array_from_raw(ms->ArrayType, st.dtype, st.tz, st.adaptive, st.nullable, data.buf,
                       st.length);
    if (r) {
        cc_numarray *a = &((ArrayObject *)r)->arr;
        bool native_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
        if (st.little != native_little) byteswap(a->data, a->length, cc_numarray_itemsize(a));
        if (st.nullable && bits.obj && a->length) apply_validity(a, bits.buf);
    }
done:
    if (data.obj) PyBuffer_Release(&data);
    if (bits.obj) PyBuffer_Release(&bits);
    return r;
}

/* ---- sharing a producer's buffer (Table.from_pandas' zero-copy import) ---- */

/* A Py_buffer (and an object to keep alive with it) held until the last
 * reference to the memory goes. */
typedef struct {
    Py_buffer view;
    PyObject *keep; /* NULL, or e.g. the pandas Series whose values these are */
} buffer_holder;

/* The owner's release (cc_buffer_foreign), with the GIL held as every
 * unref of a container's buffer is. */
static void buffer_holder_release(void *p) {
    buffer_holder *h = p;
    PyBuffer_Release(&h->view);
    Py_XDECREF(h->keep);
    PyMem_Free(h);
}

/* _array_share_buffer(dtype, obj, keep=None): a new Array of dtype (a
 * name; not 'int', not 'bool') sharing obj's memory -- a one-dimensional,
 * C-contiguous, native-order buffer of that dtype, aligned to its width --
 * held through a Py_buffer (and a reference to keep) until the last
 * reference goes; never written (the Array's first write copies).  None
 * when obj is not such a buffer: the caller copies instead.  (keep: a
 * pandas Series holding the values makes pandas' Copy-on-Write copy the
 * DataFrame's block before the DataFrame writes it.) */
PyObject *array_share_buffer(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok("compactcol", "_array_share_buffer", nargs, 2, 3)) return NULL;
    cc_dtype dt, got;
    bool adaptive;
    if (dtype_parse(args[0], &dt, &adaptive, NULL) < 0) return NULL;
    buffer_holder *h = PyMem_Malloc(sizeof *h);
    if (!h) return PyErr_NoMemory();
    if (PyObject_GetBuffer(args[1], &h->view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        PyMem_Free(h);
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    h->keep = nargs > 2 && args[2] != Py_None ? Py_NewRef(args[2]) : NULL;
    int size = cc_dtype_itemsize(dt);
    if (adaptive || dt == CC_BOOL || h->view.ndim != 1 || !h->view.format ||
        cc_dtype_from_format(h->view.format, h->view.itemsize, &got) != CC_OK || got != dt ||
        h->view.len == 0 || (uintptr_t)h->view.buf % (uintptr_t)size != 0) {
        buffer_holder_release(h);
        Py_RETURN_NONE;
    }
    cc_buffer *owner = cc_buffer_foreign(buffer_holder_release, h);
    if (!owner) {
        buffer_holder_release(h);
        return PyErr_NoMemory();
    }
    cc_numarray arr;
    cc_numarray_init(&arr, dt, false, false);
    cc_status st = cc_numarray_adopt(&arr, h->view.len / size, h->view.buf, owner, NULL, NULL, 0);
    cc_buffer_unref(owner); /* arr holds its own reference */
    if (st != CC_OK) return status_raise("compactcol._array_share_buffer", st, "share");
    PyObject *r = array_wrap(((module_state *)PyModule_GetState(module))->ArrayType, &arr);
    cc_numarray_reset(&arr);
    return r;
}
