/* str_convert.c -- Python str <-> UTF-8 bytes for the string containers,
 * and bytes-like objects <-> raw bytes for BinaryArray and 'bytes' fields.
 *
 * Only the characters of a str are read: no method of the object runs (not
 * __hash__, __eq__, __str__), so a str subclass is stored as the exact
 * string it holds and cannot reenter us.  ASCII strings are borrowed in
 * place (their storage is already UTF-8); others are encoded into a
 * caller-provided scratch buffer, not through PyUnicode_AsUTF8AndSize,
 * which would cache a UTF-8 copy on the user's object and grow it.
 */
#include "binding.h"

static void raise_surrogate(PyObject *v) {
    /* The codec builds the standard UnicodeEncodeError (with position). */
    PyObject *b = PyUnicode_AsUTF8String(v);
    if (b) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_UnicodeEncodeError, "surrogates not allowed");
    }
}

int str_utf8(PyObject *v, utf8_buf *buf, cc_str *out) {
    if (PyUnicode_READY(v) < 0) return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(v);
    const void *data = PyUnicode_DATA(v);
    if (PyUnicode_IS_ASCII(v)) {
        out->ptr = data;
        out->len = n;
        return 0;
    }
    int kind = PyUnicode_KIND(v);
    size_t max;
    if (n > (PY_SSIZE_T_MAX >> 2)) {
        PyErr_NoMemory();
        return -1;
    }
    max = (size_t)n * (kind == PyUnicode_1BYTE_KIND ? 2 : kind == PyUnicode_2BYTE_KIND ? 3 : 4);
    uint8_t *p = buf->small;
    if (max > sizeof buf->small) {
        PyMem_Free(buf->heap);
        if (!(buf->heap = PyMem_Malloc(max))) {
            PyErr_NoMemory();
            return -1;
        }
        p = buf->heap;
    }
    uint8_t *w = p;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            *w++ = (uint8_t)c;
        } else if (c < 0x800) {
            *w++ = (uint8_t)(0xC0 | (c >> 6));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                raise_surrogate(v);
                return -1;
            }
            *w++ = (uint8_t)(0xE0 | (c >> 12));
            *w++ = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            *w++ = (uint8_t)(0xF0 | (c >> 18));
            *w++ = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            *w++ = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        }
    }
    out->ptr = p;
    out->len = w - p;
    return 0;
}

PyObject *str_from_utf8(cc_str s) {
    /* Stored bytes are valid UTF-8 (we encoded them, or validated them on
     * import), so "strict" never fails on content. */
    return PyUnicode_DecodeUTF8((const char *)s.ptr, (Py_ssize_t)s.len, "strict");
}

/* TypeError "<w>: expected <type>, got T (repr)" for str and bytes alike. */
static int raise_expected(PyObject *value, str_nulls nulls, const conv_where *w,
                          const char *type) {
    if (value == Py_None && nulls == STR_NULLS_OFF)
        return raise_at(PyExc_TypeError, w,
                        "expected %s, got None (create it with nullable=True to store None)",
                        type);
    PyObject *r = value_short_repr(value);
    if (!r) return -1;
    raise_at(PyExc_TypeError, w, "expected %s%s, got %s (%U)", type,
             nulls == STR_NULLS_OK ? " or None" : "", Py_TYPE(value)->tp_name, r);
    Py_DECREF(r);
    return -1;
}

int str_raise_type_at(PyObject *value, str_nulls nulls, const conv_where *w) {
    return raise_expected(value, nulls, w, "str");
}

/* The codec's UnicodeEncodeError (five constructor arguments, so it cannot be
 * re-raised with a new message) takes the place into its `reason`. */
static int surrogate_at(const conv_where *w) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1; /* MemoryError */
    PyObject *exc = error_take();
    PyObject *pre = where_prefix(w);
    PyObject *reason = pre ? PyObject_GetAttrString(exc, "reason") : NULL;
    PyObject *both = reason ? PyUnicode_Concat(pre, reason) : NULL;
    if (!both || PyObject_SetAttrString(exc, "reason", both) < 0) PyErr_Clear();
    Py_XDECREF(both);
    Py_XDECREF(reason);
    Py_XDECREF(pre);
    error_give(exc);
    return -1;
}

int str_from_py(PyObject *v, utf8_buf *buf, cc_str *out, str_nulls nulls,
                const conv_where *w) {
    if (!PyUnicode_Check(v)) return str_raise_type_at(v, nulls, w);
    return str_utf8(v, buf, out) == 0 ? 0 : surrogate_at(w);
}

int str_raise_type(const char *owner, const char *what, Py_ssize_t item,
                   PyObject *value, str_nulls nulls) {
    return str_raise_type_at(value, nulls, &(conv_where){owner, what, item});
}

int str_value_utf8(PyObject *v, utf8_buf *buf, cc_str *out, const char *owner,
                   const char *what, Py_ssize_t item, str_nulls nulls) {
    return str_from_py(v, buf, out, nulls, &(conv_where){owner, what, item});
}

PyObject *str_exact(PyObject *name, const char *owner, const char *what) {
    if (PyUnicode_CheckExact(name)) return Py_NewRef(name);
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "%s.%s: a column name must be a str, not %.100s", owner,
                     what, Py_TYPE(name)->tp_name);
        return NULL;
    }
    return PyUnicode_FromObject(name); /* copies the characters; runs nothing of name's */
}

/* ---- bytes ------------------------------------------------------------------------ */

#define BYTES_EXPECTED "bytes (or a bytes-like object)"

int bytes_from_py(PyObject *v, utf8_buf *buf, cc_str *out, str_nulls nulls,
                  const conv_where *w) {
    if (PyBytes_Check(v)) { /* immutable: borrowed; a subclass runs nothing of its own */
        out->ptr = (const uint8_t *)PyBytes_AS_STRING(v);
        out->len = PyBytes_GET_SIZE(v);
        return 0;
    }
    if (PyUnicode_Check(v) || !PyObject_CheckBuffer(v))
        return raise_expected(v, nulls, w, BYTES_EXPECTED);
    /* any other buffer (bytearray, memoryview, array, ...) may change after
     * we return, so its bytes are copied into buf */
    Py_buffer view;
    if (PyObject_GetBuffer(v, &view, PyBUF_SIMPLE) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_BufferError)) return note_at(w);
        PyErr_Clear(); /* not contiguous */
        return raise_expected(v, nulls, w, "bytes (or a C-contiguous bytes-like object)");
    }
    uint8_t *p = buf->small;
    if ((size_t)view.len > sizeof buf->small) {
        PyMem_Free(buf->heap);
        if (!(buf->heap = PyMem_Malloc((size_t)view.len))) {
            PyBuffer_Release(&view);
            PyErr_NoMemory();
            return -1;
        }
        p = buf->heap;
    }
    if (view.len) memcpy(p, view.buf, (size_t)view.len);
    out->ptr = p;
    out->len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

int bytes_raise_type_at(PyObject *value, str_nulls nulls, const conv_where *w) {
    return raise_expected(value, nulls, w, BYTES_EXPECTED);
}

PyObject *bytes_from_cc(cc_str s) {
    return PyBytes_FromStringAndSize(s.len ? (const char *)s.ptr : "", (Py_ssize_t)s.len);
}
