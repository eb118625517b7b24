/* table_deferred.c -- columns of an opened file, read at their first use.
 *
 * Table.open maps the file and knows each column's type, nulls and length
 * from the file's metadata in O(1); what it cannot do in O(1) is check
 * or convert the values: a str column's offsets and UTF-8 (an O(n) read of
 * every byte), a bool column's bits (unpacked into a byte per value), a
 * category column's indices.  Done at open, that pass made opening a
 * 10 M-row file 48x slower than a 10 K-row one and paged in 43 % of it.
 * So such a table holds, per field, either its column or what reads it:
 *
 *   columns   ( Array | None      | None             )
 *   deferred  ( None  | (stream,  | (stream, False)  )
 *                         True)
 *
 * where `stream` is an 'arrow_array_stream' capsule of the file's column
 * (the map stays alive through it), the first flag says the field is
 * nullable (the saved spec may say 'str?' for a column without nulls,
 * which Arrow reads as not nullable), and a third the column is an
 * adaptive 'int' (saved at its current width).
 * The first use reads the column with the same import as from_arrow (the
 * same checks, the same zero-copy adoption) and installs it; a column
 * that does not read (a damaged file) leaves its exception in `deferred`,
 * raised again by every later use.
 *
 * Every method that reaches t->columns calls table_ready (or, for one
 * column, table_ready_column) first; table_column() asserts it.  Loading
 * runs no Python code of ours or the user's (the import is C), but an
 * allocation may run a finalizer that touches the table: `loading` makes
 * that a RuntimeError instead of a second read of the same stream.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "categorical.h"
#include "arrow.h"
#include "table.h"

#define NAME "Table"

PyObject *table_deferred_new(PyObject *given, Py_ssize_t nfields) {
    PyObject *t = PySequence_Tuple(given);
    if (!t) return NULL;
    if (PyTuple_GET_SIZE(t) != nfields) {
        PyErr_Format(PyExc_ValueError, NAME ": %zd deferred entries for %zd fields",
                     PyTuple_GET_SIZE(t), nfields);
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nfields; i++) {
        PyObject *e = PyTuple_GET_ITEM(t, i);
        if (e == Py_None) continue;
        if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3 ||
            !PyCapsule_IsValid(PyTuple_GET_ITEM(e, 0), "arrow_array_stream") ||
            !PyBool_Check(PyTuple_GET_ITEM(e, 1)) || !PyBool_Check(PyTuple_GET_ITEM(e, 2))) {
            PyErr_Format(PyExc_TypeError, NAME ": deferred entry %zd must be None or "
                         "(an 'arrow_array_stream' capsule, nullable, adaptive)", i);
            goto fail;
        }
    }
    /* a tuple of our own: load_column replaces its entries */
    PyObject *own = PyTuple_New(nfields);
    if (!own) goto fail;
    for (Py_ssize_t i = 0; i < nfields; i++)
        PyTuple_SET_ITEM(own, i, Py_NewRef(PyTuple_GET_ITEM(t, i)));
    Py_DECREF(t);
    return own;
fail:
    Py_DECREF(t);
    return NULL;
}

Py_ssize_t table_deferred_count(TableObject *t) {
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; t->deferred && i < PyTuple_GET_SIZE(t->deferred); i++)
        n += PyTuple_GET_ITEM(t->deferred, i) != Py_None &&
             !PyExceptionInstance_Check(PyTuple_GET_ITEM(t->deferred, i));
    return n;
}

/* col (just read, not yet anyone else's) given what the saved spec says and
 * Arrow does not: nullable (a new all-valid bitmap; no-op if it is), and
 * for signed ints adaptive (it widens from its saved width when a value
 * needs it).  Table() checks the result against the field afterwards. */
static int shape_column(TableObject *t, PyObject *col, bool nullable, bool adaptive) {
    module_state *ms = state_of_type(Py_TYPE(t));
    if (!ms) return -1;
    cc_status st = CC_OK;
    if (Py_IS_TYPE(col, ms->ArrayType)) {
        cc_numarray *a = &((ArrayObject *)col)->arr;
        if (nullable) st = cc_numarray_make_nullable(a);
        if (adaptive && cc_dtype_get(a->dtype)->kind == CC_KIND_SIGNED) a->adaptive = true;
    } else if (nullable && (Py_IS_TYPE(col, ms->StringArrayType) ||
                            Py_IS_TYPE(col, ms->BinaryArrayType))) {
        st = cc_strarray_make_nullable(&((StringArrayObject *)col)->arr);
    } else if (nullable && Py_IS_TYPE(col, ms->CategoricalArrayType)) {
        ((CategoricalObject *)col)->nullable = true;
    }
    if (st != CC_OK) PyErr_NoMemory();
    return st == CC_OK ? 0 : -1;
}

/* entry i of t->deferred := value (a new tuple: the old one may be
 * iterated by table_load_all's caller). */
static int set_entry(TableObject *t, Py_ssize_t i, PyObject *value) {
    Py_ssize_t n = PyTuple_GET_SIZE(t->deferred);
    PyObject *d = PyTuple_New(n);
    if (!d) return -1;
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(d, k, Py_NewRef(k == i ? value : PyTuple_GET_ITEM(t->deferred, k)));
    Py_SETREF(t->deferred, d);
    bool all_loaded = true;
    for (Py_ssize_t k = 0; k < n; k++) all_loaded &= PyTuple_GET_ITEM(d, k) == Py_None;
    if (all_loaded) Py_CLEAR(t->deferred);
    return 0;
}

/* Reads deferred column i and installs it; its exception is kept. */
static int load_column(TableObject *t, Py_ssize_t i) {
    PyObject *entry = PyTuple_GET_ITEM(t->deferred, i);
    if (PyExceptionInstance_Check(entry)) {
        PyErr_SetObject(PyExceptionInstance_Class(entry), entry);
        return -1;
    }
    if (t->loading) {
        PyErr_Format(PyExc_RuntimeError, NAME ": column %R is being read from its file "
                     "(code run during that read used the table)", schema_field(t->schema, i)->name);
        return -1;
    }
    PyObject *module = module_of_type(Py_TYPE(t));
    if (!module) return -1;
    Py_INCREF(entry);
    t->loading = true;
    PyObject *args[1] = {PyTuple_GET_ITEM(entry, 0)};
    PyObject *col = arrow_import_stream(module, args, 1);
    int r = col ? shape_column(t, col, PyTuple_GET_ITEM(entry, 1) == Py_True,
                               PyTuple_GET_ITEM(entry, 2) == Py_True)
                : -1;
    if (r == 0) r = table_install_column(t, i, col);
    t->loading = false;
    Py_DECREF(entry);
    Py_XDECREF(col);
    if (r == 0) return set_entry(t, i, Py_None);
    /* the stream is spent: keep what went wrong for every later use */
    PyObject *exc = error_take();
    PyObject *note = PyUnicode_FromFormat("while reading column %R of the file the table was "
                                          "opened from", schema_field(t->schema, i)->name);
    if (note) {
        PyObject *res = PyObject_CallMethod(exc, "add_note", "O", note);
        Py_XDECREF(res);
        Py_DECREF(note);
    }
    PyErr_Clear();
    if (set_entry(t, i, exc) < 0) PyErr_Clear();
    error_give(exc);
    return -1;
}

int table_ready_column(TableObject *t, Py_ssize_t i) {
    if (!t->deferred || PyTuple_GET_ITEM(t->deferred, i) == Py_None) return 0;
    return load_column(t, i);
}

int table_load_all(TableObject *t) {
    for (Py_ssize_t i = 0; t->deferred && i < PyTuple_GET_SIZE(t->deferred); i++)
        if (table_ready_column(t, i) < 0) return -1;
    return 0;
}
