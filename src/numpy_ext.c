/* numpy_ext.c -- compactcol._numpy_ext: the conversions the buffer protocol
 * cannot do, built against NumPy's C API and imported lazily (only by
 * compactcol/_numpy.py), so `import compactcol` never needs NumPy.
 *
 * One job today: UTF-8 + offsets (+ validity) -> a NumPy 2 StringDType
 * array, packing each string straight from our bytes with NpyString_pack,
 * with no Python str made on the way:
 *
 *     data     "adagrace"          offsets [0, 3, 8]     validity 0b11
 *     result   StringDType array   ['ada', 'grace']
 *
 * Built for the NumPy 2.0 C API (NPY_TARGET_VERSION): on NumPy 1.x the
 * import fails and the facade falls back to an object array.
 *
 * The function takes plain buffers, not a StringArray, so it cannot reach
 * our internals; it checks the offsets against the buffers before reading
 * (monotone, inside `data`), and trusts the bytes to be UTF-8, which a
 * StringArray guarantees.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#define NPY_TARGET_VERSION NPY_2_0_API_VERSION
#include <numpy/arrayobject.h>

#define WHAT "compactcol._numpy_ext.utf8_to_stringdtype"

static int64_t offset_at(const Py_buffer *off, bool wide, Py_ssize_t i) {
    return wide ? ((const int64_t *)off->buf)[i] : ((const int32_t *)off->buf)[i];
}

/* Checks the offsets of n strings against data; -1 with ValueError if bad. */
static int check_offsets(const Py_buffer *off, bool wide, Py_ssize_t n, Py_ssize_t data_len) {
    if (off->len / (wide ? 8 : 4) < n + 1) {
        PyErr_Format(PyExc_ValueError, WHAT ": %zd offsets for %zd strings",
                     off->len / (wide ? 8 : 4), n);
        return -1;
    }
    int64_t prev = offset_at(off, wide, 0);
    if (prev < 0) {
        PyErr_SetString(PyExc_ValueError, WHAT ": the first offset is negative");
        return -1;
    }
    for (Py_ssize_t i = 1; i <= n; i++) {
        int64_t next = offset_at(off, wide, i);
        if (next < prev || next > data_len) {
            PyErr_Format(PyExc_ValueError, WHAT ": offset %zd is out of order or past the data", i);
            return -1;
        }
        prev = next;
    }
    return 0;
}

static bool is_valid(const Py_buffer *validity, Py_ssize_t i) {
    if (!validity->buf) return true;
    return (((const uint8_t *)validity->buf)[i >> 3] >> (i & 7)) & 1;
}

/* Packs the n strings into the fresh StringDType array out; -1 on error. */
static int pack_all(PyArrayObject *out, const Py_buffer *data, const Py_buffer *off, bool wide,
                    const Py_buffer *validity, Py_ssize_t n) {
    PyArray_Descr *descr = PyArray_DESCR(out);
    npy_intp stride = PyArray_STRIDE(out, 0);
    char *dest = PyArray_BYTES(out);
    npy_string_allocator *allocator = NpyString_acquire_allocator((PyArray_StringDTypeObject *)descr);
    Py_ssize_t failed = -1;
    for (Py_ssize_t i = 0; i < n && failed < 0; i++, dest += stride) {
        npy_packed_static_string *cell = (npy_packed_static_string *)dest;
        int rc;
        if (is_valid(validity, i)) {
            int64_t lo = offset_at(off, wide, i), hi = offset_at(off, wide, i + 1);
            rc = NpyString_pack(allocator, cell, (const char *)data->buf + lo, (size_t)(hi - lo));
        } else {
            rc = NpyString_pack_null(allocator, cell);
        }
        if (rc < 0) failed = i;
    }
    /* no Python call while the allocator (a mutex) is held */
    NpyString_release_allocator(allocator);
    if (failed >= 0) {
        PyErr_Format(PyExc_MemoryError, WHAT ": could not pack string %zd", failed);
        return -1;
    }
    return 0;
}

/* utf8_to_stringdtype(data, offsets, validity_or_None, length, dtype) -> ndarray.
 * offsets is a buffer of int32 ('i') or int64 ('q'), length + 1 of them;
 * validity an Arrow bitmap of at least ceil(length / 8) bytes; dtype a
 * StringDType instance (with na_object when there are nulls). */
static PyObject *utf8_to_stringdtype(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, WHAT " takes (data, offsets, validity, length, dtype)");
        return NULL;
    }
    Py_buffer data = {0}, off = {0}, validity = {0};
    PyObject *result = NULL;
    Py_ssize_t n = PyLong_AsSsize_t(args[3]);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) return PyErr_Format(PyExc_ValueError, WHAT ": negative length %zd", n);
    if (!PyArray_DescrCheck(args[4]) || ((PyArray_Descr *)args[4])->type_num != NPY_VSTRING)
        return PyErr_Format(PyExc_TypeError, WHAT ": dtype must be a StringDType, not %R", args[4]);
    if (PyObject_GetBuffer(args[0], &data, PyBUF_SIMPLE) < 0) return NULL;
    if (PyObject_GetBuffer(args[1], &off, PyBUF_FORMAT | PyBUF_ND) < 0) goto done;
    /* signed 4- or 8-byte integers, whatever letter the exporter uses */
    char code = off.format && off.format[0] ? off.format[strlen(off.format) - 1] : 'B';
    bool wide = off.itemsize == 8;
    if (!strchr("ilq", code) || (off.itemsize != 4 && !wide) || off.ndim != 1) {
        PyErr_Format(PyExc_TypeError, WHAT ": offsets must be int32 or int64, not '%s'",
                     off.format ? off.format : "B");
        goto done;
    }
    if (check_offsets(&off, wide, n, data.len) < 0) goto done;
    if (args[2] != Py_None) {
        if (PyObject_GetBuffer(args[2], &validity, PyBUF_SIMPLE) < 0) goto done;
        if (validity.len < (n + 7) / 8) {
            PyErr_Format(PyExc_ValueError, WHAT ": a bitmap of %zd bytes for %zd strings",
                         validity.len, n);
            goto done;
        }
    }
    npy_intp dims[1] = {n};
    PyArray_Descr *descr = (PyArray_Descr *)Py_NewRef(args[4]); /* stolen below */
    result = PyArray_Zeros(1, dims, descr, 0);                   /* zeros: empty strings */
    if (result && pack_all((PyArrayObject *)result, &data, &off, wide, &validity, n) < 0)
        Py_CLEAR(result);
done:
    PyBuffer_Release(&data);
    if (off.obj) PyBuffer_Release(&off);
    if (validity.obj) PyBuffer_Release(&validity);
    return result;
}

static PyMethodDef numpy_ext_methods[] = {
    {"utf8_to_stringdtype", (PyCFunction)(void (*)(void))utf8_to_stringdtype, METH_FASTCALL,
     "utf8_to_stringdtype(data, offsets, validity, length, dtype) -> a StringDType ndarray."},
    {NULL, NULL, 0, NULL},
};

static int numpy_ext_exec(PyObject *module) {
    (void)module;
    import_array1(-1); /* sets ImportError on NumPy < 2 */
    return 0;
}

static PyModuleDef_Slot numpy_ext_slots[] = {
    {Py_mod_exec, numpy_ext_exec},
    {0, NULL},
};

static PyModuleDef numpy_ext_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "compactcol._numpy_ext",
    .m_doc = "NumPy C-API conversions of compactcol, imported lazily.",
    .m_size = 0,
    .m_methods = numpy_ext_methods,
    .m_slots = numpy_ext_slots,
};

PyMODINIT_FUNC PyInit__numpy_ext(void); /* the entry point: declared for -Wmissing-prototypes */
PyMODINIT_FUNC PyInit__numpy_ext(void) { return PyModuleDef_Init(&numpy_ext_module); }
