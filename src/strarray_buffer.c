/* strarray_buffer.c -- StringArray's bytes leaving and entering: the
 * zero-copy data/offsets views, NumPy and pickling.
 *
 * Views and pickle buffers need the compact (Arrow) layout: the first one
 * compacts a scattered array (O(n)); while any is alive the array stays
 * compact and cannot move (the export counter, as for Array).
 *
 * Pickle state: (nullable, byte order, length, data, offsets, validity);
 * the offsets are int32 or int64, told apart by their byte length.  With
 * protocol 5, data and offsets go as PickleBuffers of read-only snapshots
 * (out of band; nothing pinned: the array copies before its next write),
 * and loading keeps immutable, aligned buffers in place (adopt_buffers).
 * _strarray_from_state checks offsets, UTF-8 and validity before it
 * builds anything: a hostile pickle raises ValueError.
 */
#include "binding.h"
#include "strarray.h"

#define NAME "StringArray"

static cc_strarray *arr_of(PyObject *self) { return &((StringArrayObject *)self)->arr; }

int strarray_fill_region(cc_strarray *a, int which, buf_region *r) {
    static const int64_t zero_offset = 0; /* the offsets [0] of an empty array */
    cc_status st = cc_strarray_compact(a);
    if (st != CC_OK) {
        status_raise(NAME, st, which == STR_REGION_DATA ? "data" : "offsets");
        return -1;
    }
    /* shared with a snapshot: hold it (the array copies before it writes);
     * private: an alias that pins the array */
    cc_buffer *refs[3] = {NULL, NULL, NULL};
    bool snapshot = (a->data_share && !cc_buffer_sole_owner(a->data_share)) ||
                    (a->offsets_share && !cc_buffer_sole_owner(a->offsets_share)) ||
                    (a->validity_share && !cc_buffer_sole_owner(a->validity_share));
    /* every snapshot gone (a dropped copy): take the buffers back, no copy */
    if (!snapshot) st = cc_strarray_own(a);
    else st = cc_strarray_share(a, refs);
    if (st != CC_OK) {
        status_raise(NAME, st, which == STR_REGION_DATA ? "data" : "offsets");
        return -1;
    }
    r->exports = snapshot ? NULL : &a->exports;
    r->hold = refs[which == STR_REGION_DATA ? 2 : 1];
    cc_buffer_unref(refs[0]);
    cc_buffer_unref(refs[which == STR_REGION_DATA ? 1 : 2]);
    if (which == STR_REGION_DATA) {
        r->buf = a->data;
        r->len = (Py_ssize_t)a->data_len;
        r->itemsize = 1;
        r->format = "B";
    } else {
        r->itemsize = a->wide ? 8 : 4;
        r->buf = a->offsets ? a->offsets : (void *)&zero_offset;
        r->len = (Py_ssize_t)(a->length + 1) * r->itemsize;
        r->format = a->wide ? "q" : "i";
    }
    return 0;
}

static int strarray_region(PyObject *owner, int which, buf_region *r) {
    return strarray_fill_region(arr_of(owner), which, r);
}

PyObject *strarray_get_data(PyObject *self, void *c) {
    (void)c;
    return bufview_memoryview(self, strarray_region, STR_REGION_DATA);
}

PyObject *strarray_get_offsets(PyObject *self, void *c) {
    (void)c;
    return bufview_memoryview(self, strarray_region, STR_REGION_OFFSETS);
}

PyObject *strarray_to_numpy(PyObject *self, PyObject *unused) {
    (void)unused;
    PyObject *mod = PyImport_ImportModule("compactcol._numpy");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, "strings_to_numpy", "O", self);
    Py_DECREF(mod);
    return r;
}

/* ---- pickling ------------------------------------------------------------------- */

/* _validity(): the bitmap as bytes, None when not nullable. */
PyObject *strarray_validity(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strarray *a = arr_of(self);
    return validity_as_bytes(a->nullable, a->validity, a->length);
}

/* Protocol 5: read-only PickleBuffers of a snapshot of a's compact data,
 * offsets and bitmap (None when not nullable), taken now: a copies before
 * its next write, so nothing pins it.  All stay NULL without an exception
 * while a is aliased by a memoryview (it cannot share): the caller copies.
 * 0, or -1 with an exception. */
static int snapshot_buffers(PyTypeObject *type, cc_strarray *a, PyObject **data,
                            PyObject **offsets, PyObject **validity) {
    static const int64_t zero_offset = 0; /* the offsets [0] of an empty array */
    cc_buffer *refs[3];
    cc_status st = cc_strarray_compact(a);
    if (st == CC_OK) st = cc_strarray_share(a, refs);
    if (st == CC_EBUSY) return 0;
    if (st != CC_OK) {
        status_raise(NAME, st, "__reduce_ex__");
        return -1;
    }
    if (!(*validity = bufview_validity_state(type, a->nullable, a->validity, a->length,
                                             refs[0]))) {
        cc_buffer_unref(refs[1]);
        cc_buffer_unref(refs[2]);
        return -1;
    }
    Py_ssize_t osize = a->wide ? 8 : 4;
    buf_region d = {a->data, (Py_ssize_t)a->data_len, 1, "B", NULL, refs[2]};
    buf_region o = {a->offsets ? a->offsets : (void *)&zero_offset, (a->length + 1) * osize,
                    osize, a->wide ? "q" : "i", NULL, refs[1]};
    *data = bufview_snapshot_pickle_buffer(type, &d); /* each takes its reference over */
    if (!*data) {
        cc_buffer_unref(o.hold);
        Py_CLEAR(*validity);
        return -1;
    }
    if (!(*offsets = bufview_snapshot_pickle_buffer(type, &o))) {
        Py_CLEAR(*data);
        Py_CLEAR(*validity);
        return -1;
    }
    return 0;
}

PyObject *strarray_state_args(PyObject *owner, region_fn region, cc_strarray *a,
                              PyObject *protocol_obj) {
    long protocol = PyLong_AsLong(protocol_obj);
    if (protocol == -1 && PyErr_Occurred()) return NULL;
    PyObject *data = NULL, *offsets = NULL, *validity = NULL;
    if (protocol >= 5 && snapshot_buffers(Py_TYPE(owner), a, &data, &offsets, &validity) < 0)
        return NULL;
    if (!data) { /* protocol < 5, or aliased: copies */
        data = bufview_bytes(owner, region, STR_REGION_DATA);
        offsets = data ? bufview_bytes(owner, region, STR_REGION_OFFSETS) : NULL;
        validity = offsets ? validity_as_bytes(a->nullable, a->validity, a->length) : NULL;
    }
    PyObject *r = NULL;
    if (validity)
        r = Py_BuildValue("(OsLOOO)", a->nullable ? Py_True : Py_False,
                          __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big",
                          (long long)a->length, data, offsets, validity);
    Py_XDECREF(data);
    Py_XDECREF(offsets);
    Py_XDECREF(validity);
    return r;
}

PyObject *strarray_reduce_ex(PyObject *self, PyObject *protocol_obj) {
    PyObject *mod = PyImport_ImportModule("compactcol._pickle");
    const char *rebuild = arr_of(self)->binary ? "binarray_from_state" : "strarray_from_state";
    PyObject *fn = mod ? PyObject_GetAttrString(mod, rebuild) : NULL;
    Py_XDECREF(mod);
    PyObject *args = fn ? strarray_state_args(self, strarray_region, arr_of(self), protocol_obj)
                        : NULL;
    PyObject *r = args ? PyTuple_Pack(2, fn, args) : NULL;
    Py_XDECREF(fn);
    Py_XDECREF(args);
    return r;
}

static int64_t load_offset(const uint8_t *p, int size, bool swap) {
    uint8_t b[8];
    for (int k = 0; k < size; k++) b[k] = p[swap ? size - 1 - k : k];
    if (size == 4) {
        int32_t v;
        memcpy(&v, b, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, b, 8);
    return v;
}

static PyObject *bad_state_of(bool binary, const char *why, long long i) {
    PyErr_Format(PyExc_ValueError, "%s pickle state: %s (element %lld)",
                 binary ? "BinaryArray" : NAME, why, i);
    return NULL;
}
#define bad_state(why, i) bad_state_of(binary, why, i)

/* Unpickling without a copy: a new StringArray of n strings (already
 * checked) read in place, data and offsets each taken over (zeroed) by a
 * foreign cc_buffer -- the out-of-band PickleBuffer or the in-band bytes
 * stays alive until the array's first write copies (cc_buffer.h); the
 * bitmap too when it can never change (bufview_adopt_validity), else it is
 * copied.  NULL with an exception. */
static PyObject *adopt_buffers(PyTypeObject *type, bool binary, bool nullable, long long n, bool wide,
                               Py_buffer *data, Py_buffer *offsets, Py_buffer *bits) {
    const void *off = offsets->buf, *bytes = data->buf;
    const uint8_t *bitmap = bits ? bits->buf : NULL;
    int64_t nulls = bits ? n - cc_bitmap_count(bitmap, 0, n) : 0;
    cc_buffer *dshare = bufview_adopt(data), *oshare = dshare ? bufview_adopt(offsets) : NULL;
    cc_buffer *vshare = NULL;
    if (!oshare || (bits && bufview_adopt_validity(bits, n, &vshare) < 0)) {
        cc_buffer_unref(dshare);
        cc_buffer_unref(oshare);
        return NULL;
    }
    cc_strarray a;
    cc_error err;
    cc_strarray_init(&a, nullable);
    a.binary = binary;
    cc_status st = cc_strarray_adopt(&a, n, off, oshare, wide, bytes, dshare,
                                     vshare ? bitmap : NULL, vshare, vshare ? nulls : 0, &err);
    cc_buffer_unref(dshare); /* a holds its own references */
    cc_buffer_unref(oshare);
    cc_buffer_unref(vshare);
    if (st == CC_OK && bits && !vshare) { /* a's bitmap is private (all valid): the pickled bits */
        a.null_count = cc_bitmap_copy_bits(a.validity, bitmap, n);
    }
    PyObject *r = st == CC_OK ? strarray_wrap(type, &a) : status_raise(NAME, st, "unpickle");
    cc_strarray_reset(&a);
    return r;
}

/* Checks the buffers against each other and fills out (nullable as given). */
static PyObject *build_from_buffers(PyTypeObject *type, bool binary, bool nullable, bool swap,
                                    long long n, Py_buffer *data, Py_buffer *offsets,
                                    Py_buffer *bits) {
    int size;
    if (offsets->len == (Py_ssize_t)((n + 1) * 4)) size = 4;
    else if (offsets->len == (Py_ssize_t)((n + 1) * 8)) size = 8;
    else return bad_state("offsets size does not match the length", -1);
    const uint8_t *off = offsets->buf, *bytes = data->buf;
    if (load_offset(off, size, swap) != 0) return bad_state("offsets[0] is not 0", 0);
    for (long long i = 0; i < n; i++) {
        int64_t lo = load_offset(off + i * size, size, swap);
        int64_t hi = load_offset(off + (i + 1) * size, size, swap);
        if (hi < lo) return bad_state("offsets decrease", i);
        if (hi > data->len) return bad_state("offset past the end of the data", i);
        if (!binary && !cc_utf8_valid(bytes + lo, hi - lo))
            return bad_state("bytes are not valid UTF-8", i);
        if (bits && !cc_bitmap_get(bits->buf, i) && hi != lo)
            return bad_state("a null element has bytes", i);
    }
    if (load_offset(off + n * size, size, swap) != data->len)
        return bad_state("the last offset is not the data size", n);
    if (n > 0 && !swap && bufview_immutable(data->obj) && bufview_immutable(offsets->obj) &&
        (uintptr_t)off % (uintptr_t)size == 0)
        return adopt_buffers(type, binary, nullable, n, size == 8, data, offsets, bits);
    cc_strarray a;
    cc_strarray_init(&a, nullable);
    a.binary = binary;
    cc_status st = cc_strarray_reserve(&a, n, data->len);
    for (long long i = 0; st == CC_OK && i < n; i++) {
        int64_t lo = load_offset(off + i * size, size, swap);
        int64_t hi = load_offset(off + (i + 1) * size, size, swap);
        st = cc_strarray_append(&a, (cc_str){bytes + lo, hi - lo},
                                bits && !cc_bitmap_get(bits->buf, i));
    }
    PyObject *r = st == CC_OK ? strarray_wrap(type, &a) : status_raise(NAME, st, "unpickle");
    cc_strarray_reset(&a);
    return r;
}

/* _strarray_from_state / _binarray_from_state(nullable, byteorder, length,
 * data, offsets, validity) */
static PyObject *from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                            bool binary) {
    if (nargs != 6) {
        PyErr_Format(PyExc_TypeError, "_%s_from_state takes 6 arguments, got %zd",
                     binary ? "binarray" : "strarray", nargs);
        return NULL;
    }
    if (!PyBool_Check(args[0]) || !PyUnicode_Check(args[1]) || !PyLong_Check(args[2])) {
        PyErr_Format(PyExc_TypeError, "%s pickle state: nullable must be a bool, byteorder "
                     "a str, length an int (got %.50s, %.50s, %.50s)",
                     binary ? "BinaryArray" : NAME, Py_TYPE(args[0])->tp_name,
                     Py_TYPE(args[1])->tp_name, Py_TYPE(args[2])->tp_name);
        return NULL;
    }
    bool nullable = args[0] == Py_True;
    const char *order = PyUnicode_AsUTF8(args[1]);
    if (!order) return NULL;
    if (strcmp(order, "little") != 0 && strcmp(order, "big") != 0)
        return bad_state("bad byte order", -1);
    bool swap = (order[0] == 'l') != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    long long n = PyLong_AsLongLong(args[2]);
    if (n == -1 && PyErr_Occurred()) PyErr_Clear();
    if (n < 0 || n > CC_MAX_SIZE / 16) return bad_state("bad length", -1);
    Py_buffer data = {0}, offsets = {0}, bits = {0};
    PyObject *r = NULL;
    if (PyObject_GetBuffer(args[3], &data, PyBUF_C_CONTIGUOUS) < 0 ||
        PyObject_GetBuffer(args[4], &offsets, PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    if (args[5] != Py_None) {
        if (!nullable) {
            bad_state("validity on a non-nullable array", -1);
            goto done;
        }
        if (PyObject_GetBuffer(args[5], &bits, PyBUF_C_CONTIGUOUS) < 0) goto done;
        if (bits.len != cc_bitmap_bytes(n)) {
            bad_state("validity size does not match the length", -1);
            goto done;
        }
    }
    module_state *ms = PyModule_GetState(module);
    r = build_from_buffers(ms->StringArrayType, binary, nullable, swap, n, &data, &offsets,
                           bits.obj ? &bits : NULL);
done:
    if (data.obj) PyBuffer_Release(&data);
    if (offsets.obj) PyBuffer_Release(&offsets);
    if (bits.obj) PyBuffer_Release(&bits);
    return r;
}

PyObject *strarray_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    return from_state(module, args, nargs, false);
}

PyObject *binarray_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    return from_state(module, args, nargs, true);
}
