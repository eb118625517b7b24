/* errors_py.c -- core statuses to Python exceptions, in one place.  Messages
 * say what was expected and what came:
 *   Array('int8').append: 300 is out of range for int8 [-128, 127]
 *   Array('int64').extend: item 3: expected int, got str ('x')
 */
#include "binding.h"

void array_describe(const cc_numarray *a, char *buf) {
    PyOS_snprintf(buf, CC_ARRAY_NAME_MAX, "Array('%s')",
                  a->adaptive ? "int" : cc_dtype_get(a->dtype)->name);
}

/* "<Array('int8').append: item 3: " */
static void prefix(const cc_numarray *a, const char *what, Py_ssize_t item,
                   char *buf, size_t size) {
    char name[CC_ARRAY_NAME_MAX];
    array_describe(a, name);
    if (item >= 0)
        PyOS_snprintf(buf, size, "%s.%s: item %zd: ", name, what, item);
    else
        PyOS_snprintf(buf, size, "%s.%s: ", name, what);
}

static const char *expected_kind(const cc_numarray *a) {
    switch (cc_dtype_get(a->dtype)->kind) {
    case CC_KIND_FLOAT: return "float (or int)";
    case CC_KIND_BOOL: return "bool (or 0/1)";
    default: return "int";
    }
}

/* repr(value), cut to a readable length; NULL on error. */
PyObject *value_short_repr(PyObject *value) {
    PyObject *r = PyObject_Repr(value);
    if (r && PyUnicode_GET_LENGTH(r) > 40) {
        PyObject *cut = PyUnicode_Substring(r, 0, 37);
        Py_DECREF(r);
        r = cut ? PyUnicode_FromFormat("%U...", cut) : NULL;
        Py_XDECREF(cut);
    }
    return r;
}

int array_raise_type(const cc_numarray *a, const char *what, Py_ssize_t item,
                     PyObject *value) {
    char pre[160];
    prefix(a, what, item, pre, sizeof pre);
    if (value == Py_None) {
        PyErr_Format(PyExc_TypeError,
                     "%sexpected %s, got None (the array is not nullable; "
                     "create it with nullable=True to store None)",
                     pre, expected_kind(a));
        return -1;
    }
    PyObject *r = value_short_repr(value);
    if (!r) return -1;
    PyErr_Format(PyExc_TypeError, "%sexpected %s, got %s (%U)", pre,
                 expected_kind(a), Py_TYPE(value)->tp_name, r);
    Py_DECREF(r);
    return -1;
}

static void raise_overflow(const cc_numarray *a, const char *pre,
                           PyObject *value) {
    const cc_dtype_info *info = cc_dtype_get(a->dtype);
    PyObject *r = value ? value_short_repr(value) : PyUnicode_FromString("the value");
    if (!r) return;
    if (a->adaptive)
        PyErr_Format(PyExc_OverflowError,
                     "%s%U is out of range for 'int' (int64 [-9223372036854775808, "
                     "9223372036854775807] is the widest it grows to)", pre, r);
    else if (info->kind == CC_KIND_FLOAT)
        PyErr_Format(PyExc_OverflowError, "%s%U is out of range for %s", pre, r,
                     info->name);
    else if (info->kind == CC_KIND_SIGNED)
        PyErr_Format(PyExc_OverflowError, "%s%U is out of range for %s [%lld, %llu]",
                     pre, r, info->name, (long long)info->min,
                     (unsigned long long)info->max);
    else
        PyErr_Format(PyExc_OverflowError, "%s%U is out of range for %s [0, %llu]",
                     pre, r, info->name, (unsigned long long)info->max);
    Py_DECREF(r);
}

/* The statuses whose message needs nothing but the prefix. */
static void raise_plain(const char *pre, cc_status st) {
    switch (st) {
    case CC_ENOMEM:
        PyErr_Format(PyExc_MemoryError, "%sout of memory (or an impossible size)", pre);
        break;
    case CC_EOVERFLOW:
        PyErr_Format(PyExc_OverflowError, "%sthe result would be too large", pre);
        break;
    case CC_EBUSY:
        PyErr_Format(PyExc_BufferError,
                     "%scannot resize or move the container while a buffer "
                     "or Arrow export of it is alive (release the memoryview "
                     "or NumPy view first)", pre);
        break;
    case CC_EFROZEN:
        PyErr_Format(PyExc_BufferError,
                     "%scannot change the values while an Arrow export of them is alive "
                     "(a pyarrow array, pandas DataFrame, Polars frame or DuckDB scan holds "
                     "them and takes them as immutable); release it first (del it) or "
                     "work on a copy", pre);
        break;
    case CC_EINDEX:
        PyErr_Format(PyExc_IndexError, "%sindex out of range", pre);
        break;
    default:
        PyErr_Format(PyExc_ValueError, "%sinvalid argument", pre);
        break;
    }
}

PyObject *status_raise(const char *owner, cc_status st, const char *what) {
    char pre[160];
    PyOS_snprintf(pre, sizeof pre, "%s.%s: ", owner, what);
    raise_plain(pre, st);
    return NULL;
}

PyObject *array_raise(const cc_numarray *a, cc_status st, const char *what,
                      Py_ssize_t item, PyObject *value) {
    char pre[160];
    prefix(a, what, item, pre, sizeof pre);
    if (st == CC_EOVERFLOW) raise_overflow(a, pre, value);
    else if (st == CC_ETYPE && value) array_raise_type(a, what, item, value);
    else if (st == CC_ETYPE) PyErr_Format(PyExc_TypeError, "%sexpected %s", pre, expected_kind(a));
    else raise_plain(pre, st);
    return NULL;
}
