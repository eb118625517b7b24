/* strarray_scan.c -- StringArray's vectorised string operations: lengths,
 * startswith, contains and equals over the whole array in one C loop each
 * (the core's cc_strarray_scan.c), answered as an Array of int64 or bool
 * with the strings' nulls.
 *
 * A needle is read as UTF-8 once; one with a lone surrogate cannot be
 * stored, so it matches nothing rather than raising.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"

#define NAME "StringArray"

static cc_strarray *arr_of(PyObject *self) { return &((StringArrayObject *)self)->arr; }

/* A new Array of dtype with one zeroed element per string, nullable with
 * a's nulls if a is; *values points at its data. */
static PyObject *result_like(PyObject *self, cc_dtype dtype, void **values) {
    const cc_strarray *a = arr_of(self);
    cc_numarray out;
    cc_numarray_init(&out, dtype, false, a->nullable);
    cc_status st = cc_numarray_append_zeros(&out, a->length, values);
    if (st != CC_OK) return status_raise(NAME, st, "result");
    for (int64_t i = 0; a->null_count && i < a->length; i++)
        if (!cc_strarray_is_valid(a, i)) {
            cc_bitmap_set(out.validity, i, false);
            out.null_count++;
        }
    PyObject *r = array_wrap(Py_TYPE(self), &out);
    cc_numarray_reset(&out);
    return r;
}

PyObject *strarray_lengths(PyObject *self, PyObject *unused) {
    (void)unused;
    void *values;
    PyObject *r = result_like(self, CC_INT64, &values);
    if (r) cc_strarray_lengths(arr_of(self), values);
    return r;
}

static PyObject *match(PyObject *self, PyObject *needle, cc_match how, const char *what) {
    if (!PyUnicode_Check(needle)) {
        str_raise_type(NAME, what, -1, needle, STR_NULLS_NEVER);
        return NULL;
    }
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    bool encodable = true;
    if (str_utf8(needle, &buf, &s) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return NULL;
        PyErr_Clear(); /* a lone surrogate matches no stored string */
        encodable = false;
    }
    void *values;
    PyObject *r = result_like(self, CC_BOOL, &values);
    if (r && encodable) cc_strarray_match(arr_of(self), s, how, values);
    utf8_buf_release(&buf);
    return r;
}

PyObject *strarray_startswith(PyObject *self, PyObject *prefix) {
    return match(self, prefix, CC_MATCH_PREFIX, "startswith");
}

PyObject *strarray_contains_sub(PyObject *self, PyObject *sub) {
    return match(self, sub, CC_MATCH_CONTAINS, "contains");
}

PyObject *strarray_equals(PyObject *self, PyObject *s) {
    return match(self, s, CC_MATCH_EQUALS, "equals");
}
