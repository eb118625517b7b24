/* errors.c -- core statuses to Python exceptions, in one place.  Messages
 * say where, what was expected and what came:
 *   Array('int8').append: 300 is out of range for int8 [-128, 127]
 *   Array('int64').extend: item 3: expected int, got str ('x')
 *   Table.extend: row 1, field 'name': expected str, got int (5)
 * The "where" (the prefix before the message) is a value, conv_where,
 * handed down to the conversion that fails; the message is formatted once,
 * there.  An exception raised by user code (__index__, __float__) keeps its
 * type and text and gains a note naming the same place.  An error about one
 * row of a Table's extend/append/insert, ours or user code's, also carries
 * that row's position in the call's input and the field as attributes
 * (error_mark_row), so no caller has to parse the message for them.
 */
#include "binding.h"

#include <stdarg.h>

void array_describe(const cc_numarray *a, char *buf) {
    char name[CC_DTYPE_NAME_MAX];
    PyOS_snprintf(buf, CC_ARRAY_NAME_MAX, "Array('%s')",
                  a->adaptive ? "int" : dtype_name_format(a->dtype, a->tz, name, sizeof name));
}

/* ---- where a conversion happens ------------------------------------------------ */

/* The owner and call without the trailing ": " ("Table.extend: row 3, field 'x'"). */
static PyObject *where_text(const conv_where *w) {
    char name[CC_DTYPE_NAME_MAX];
    const char *param = w->param;
    cc_dtype dt;
    if (param && w->dtype_param && w->dtype_param[0] && cc_dtype_from_name(param, &dt) == CC_OK)
        param = dtype_name_format(dt, w->dtype_param, name, sizeof name); /* 'decimal128(12, 2)' */
    PyObject *owner = param ? PyUnicode_FromFormat("%s('%s')", w->owner, param)
                            : PyUnicode_FromString(w->owner);
    /* a field's name in full; a key is data, of any length: cut */
    PyObject *field = !w->field ? NULL : w->label ? value_short_repr(w->field)
                                                  : PyObject_Repr(w->field);
    if (!owner || (w->field && !field)) {
        Py_XDECREF(owner);
        Py_XDECREF(field);
        return NULL;
    }
    const char *label = w->label ? w->label : "field";
    PyObject *r;
    if (field && w->item >= 0)
        r = PyUnicode_FromFormat("%U.%s: row %zd, %s %U", owner, w->what, w->item, label, field);
    else if (field)
        r = PyUnicode_FromFormat("%U.%s: %s %U", owner, w->what, label, field);
    else if (w->item >= 0)
        r = PyUnicode_FromFormat("%U.%s: item %zd", owner, w->what, w->item);
    else
        r = PyUnicode_FromFormat("%U.%s", owner, w->what);
    Py_DECREF(owner);
    Py_XDECREF(field);
    return r;
}

PyObject *where_prefix(const conv_where *w) {
    PyObject *text = where_text(w);
    PyObject *r = text ? PyUnicode_FromFormat("%U: ", text) : NULL;
    Py_XDECREF(text);
    return r;
}

int raise_at(PyObject *exc, const conv_where *w, const char *fmt, ...) {
    va_list va;
    va_start(va, fmt);
    PyObject *msg = PyUnicode_FromFormatV(fmt, va);
    va_end(va);
    PyObject *pre = msg ? where_prefix(w) : NULL;
    if (pre) PyErr_Format(exc, "%U%U", pre, msg);
    Py_XDECREF(pre);
    Py_XDECREF(msg);
    return -1;
}

int note_at(const conv_where *w) {
    PyObject *exc = error_take();
    if (!exc) return -1;
    PyObject *text = where_text(w);
    PyObject *note = text ? PyUnicode_FromFormat("while converting %U", text) : NULL;
    PyObject *r = note ? PyObject_CallMethod(exc, "add_note", "O", note) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(note);
    Py_XDECREF(text);
    PyErr_Clear(); /* the note is a courtesy; the original error matters */
    error_give(exc);
    return -1;
}

int error_mark_row(Py_ssize_t row, PyObject *field) {
    PyObject *exc = error_take();
    if (!exc) return -1;
    PyObject *r = PyLong_FromSsize_t(row);
    if (!r || PyObject_SetAttrString(exc, "row", r) < 0 ||
        PyObject_SetAttrString(exc, "field", field ? field : Py_None) < 0)
        PyErr_Clear(); /* an exception that refuses attributes: the original matters */
    Py_XDECREF(r);
    error_give(exc);
    return -1;
}

/* ---- numbers ------------------------------------------------------------------------ */

static const char *expected_kind(num_type t) {
    if (cc_dtype_is_temporal(t.dtype)) return temporal_expected(t.dtype);
    if (cc_dtype_is_decimal(t.dtype)) return "Decimal (or int)";
    switch (cc_dtype_get(t.dtype)->kind) {
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

int num_raise_type(num_type t, const conv_where *w, PyObject *value) {
    if (value == Py_None)
        return raise_at(PyExc_TypeError, w,
                        "expected %s, got None (the array is not nullable; "
                        "create it with nullable=True to store None)", expected_kind(t));
    PyObject *r = value_short_repr(value);
    if (!r) return -1;
    raise_at(PyExc_TypeError, w, "expected %s, got %s (%U)", expected_kind(t),
             Py_TYPE(value)->tp_name, r);
    Py_DECREF(r);
    return -1;
}

static void raise_overflow(num_type t, const conv_where *w, PyObject *value) {
    const cc_dtype_info *info = cc_dtype_get(t.dtype);
    PyObject *r = value ? value_short_repr(value) : PyUnicode_FromString("the value");
    if (!r) return;
    if (t.adaptive)
        raise_at(PyExc_OverflowError, w,
                 "%U is out of range for 'int' (int64 [-9223372036854775808, "
                 "9223372036854775807] is the widest it grows to)", r);
    else if (info->kind == CC_KIND_FLOAT)
        raise_at(PyExc_OverflowError, w, "%U is out of range for %s", r, info->name);
    else if (info->kind == CC_KIND_SIGNED)
        raise_at(PyExc_OverflowError, w, "%U is out of range for %s [%lld, %llu]", r,
                 info->name, (long long)info->min, (unsigned long long)info->max);
    else
        raise_at(PyExc_OverflowError, w, "%U is out of range for %s [0, %llu]", r,
                 info->name, (unsigned long long)info->max);
    Py_DECREF(r);
}

/* ---- statuses ----------------------------------------------------------------------- */

/* The statuses whose message needs nothing but the prefix. */
static void raise_plain(const conv_where *w, cc_status st) {
    switch (st) {
    case CC_ENOMEM:
        raise_at(PyExc_MemoryError, w, "out of memory (or an impossible size)");
        break;
    case CC_EOVERFLOW:
        raise_at(PyExc_OverflowError, w, "the result would be too large");
        break;
    case CC_EBUSY:
        raise_at(PyExc_BufferError, w,
                 "cannot resize or move the container while a buffer "
                 "view of it is alive (release the memoryview "
                 "or NumPy view first)");
        break;
    case CC_EINDEX:
        raise_at(PyExc_IndexError, w, "index out of range");
        break;
    default:
        raise_at(PyExc_ValueError, w, "invalid argument");
        break;
    }
}

PyObject *status_raise(const char *owner, cc_status st, const char *what) {
    raise_plain(&(conv_where){owner, what, -1}, st);
    return NULL;
}

PyObject *num_raise(num_type t, cc_status st, const conv_where *w, PyObject *value) {
    if (st == CC_EOVERFLOW) raise_overflow(t, w, value);
    else if (st == CC_ETYPE && value) num_raise_type(t, w, value);
    else if (st == CC_ETYPE) raise_at(PyExc_TypeError, w, "expected %s", expected_kind(t));
    else raise_plain(w, st);
    return NULL;
}

PyObject *array_raise(const cc_numarray *a, cc_status st, const char *what,
                      Py_ssize_t item, PyObject *value) {
    conv_where w = array_where(a, what, item);
    return num_raise(num_type_of(a), st, &w, value);
}

int array_raise_type(const cc_numarray *a, const char *what, Py_ssize_t item,
                     PyObject *value) {
    conv_where w = array_where(a, what, item);
    return num_raise_type(num_type_of(a), &w, value);
}
