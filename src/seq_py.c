/* seq_py.c -- the list behaviour every compactcol sequence shares (Array,
 * StringArray, CategoricalArray), written once over a small table of
 * per-type operations (seq_ops): index arguments, the truncated repr,
 * comparison with any sequence, the order for sort(key=...), and a plain
 * iterator.
 *
 * Everything here may run user code (__index__, __eq__, key functions,
 * __repr__), so it re-reads the length through ops->length after every call
 * out and never holds a pointer into the container across one.
 */
#include "binding.h"

int seq_index_arg(PyObject *key, const char *name, Py_ssize_t *out) {
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s indices must be integers or slices, not %s",
                         name, Py_TYPE(key)->tp_name);
        }
        return -1;
    }
    *out = i;
    return 0;
}

bool seq_nargs_ok(const char *type, const char *name, Py_ssize_t nargs, Py_ssize_t lo,
                  Py_ssize_t hi) {
    if (nargs >= lo && nargs <= hi) return true;
    PyErr_Format(PyExc_TypeError, "%s.%s expected %s%zd argument%s, got %zd", type, name,
                 lo == hi ? "" : nargs < lo ? "at least " : "at most ",
                 nargs < lo ? lo : hi, (nargs < lo ? lo : hi) == 1 ? "" : "s", nargs);
    return false;
}

int seq_position_arg(PyObject *obj, Py_ssize_t *out) {
    *out = PyNumber_AsSsize_t(obj, PyExc_OverflowError); /* list.insert / list.pop's rule */
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

int seq_clamped_index(PyObject *obj, Py_ssize_t *out) {
    *out = PyNumber_AsSsize_t(obj, NULL); /* clamps like list.insert / list.index */
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

int seq_normalise(Py_ssize_t *i, Py_ssize_t length, const char *name, const char *what) {
    if (*i < 0) *i += length;
    if (*i >= 0 && *i < length) return 0;
    PyErr_Format(PyExc_IndexError, "%s %s out of range", name, what);
    return -1;
}

/* ---- repr ---------------------------------------------------------------------- */

/* Like NumPy: more than 1000 elements print as the first and last three. */
#define REPR_THRESHOLD 1000
#define REPR_EDGE 3

PyObject *seq_repr(PyObject *self, const seq_ops *ops, const char *head, const char *tail) {
    Py_ssize_t n = ops->length(self);
    bool cut = n > REPR_THRESHOLD;
    Py_ssize_t shown = cut ? 2 * REPR_EDGE + 1 : n;
    PyObject *parts = PyList_New(shown), *joined = NULL, *r = NULL;
    if (!parts) return NULL;
    for (Py_ssize_t k = 0; k < shown; k++) {
        PyObject *item = NULL;
        Py_ssize_t i = cut && k > REPR_EDGE ? n - (shown - k) : k;
        if (cut && k == REPR_EDGE) {
            item = PyUnicode_FromString("...");
        } else if (i < ops->length(self)) {
            PyObject *v = ops->item(self, i);
            item = v ? PyObject_Repr(v) : NULL;
            Py_XDECREF(v);
        } else { /* an element's __repr__ shrank the container */
            item = PyUnicode_FromString("?");
        }
        if (!item) goto done;
        PyList_SET_ITEM(parts, k, item);
    }
    PyObject *sep = PyUnicode_FromString(", ");
    if (!sep) goto done;
    joined = PyUnicode_Join(sep, parts);
    Py_DECREF(sep);
    if (!joined) goto done;
    if (cut)
        r = PyUnicode_FromFormat("%s[%U], length=%zd%s)", head, joined, n, tail);
    else
        r = PyUnicode_FromFormat("%s[%U]%s)", head, joined, tail);
done:
    Py_DECREF(parts);
    Py_XDECREF(joined);
    return r;
}

/* ---- comparison ------------------------------------------------------------------- */

PyObject *seq_bool_for(int op, int cmp) {
    /* cmp: -1, 0, 1, or 2 for unordered (NaN) */
    bool r;
    if (cmp == 2) r = op == Py_NE;
    else switch (op) {
        case Py_LT: r = cmp < 0; break;
        case Py_LE: r = cmp <= 0; break;
        case Py_EQ: r = cmp == 0; break;
        case Py_NE: r = cmp != 0; break;
        case Py_GT: r = cmp > 0; break;
        default: r = cmp >= 0; break;
        }
    return PyBool_FromLong(r);
}

bool seq_comparable(PyObject *other) {
    return !(PyUnicode_Check(other) || PyBytes_Check(other) || PyByteArray_Check(other) ||
             !PySequence_Check(other) || PyObject_HasAttrString(other, "__array_ufunc__"));
}

PyObject *seq_compare(PyObject *self, const seq_ops *ops, PyObject *other, int op) {
    for (Py_ssize_t i = 0;; i++) {
        Py_ssize_t la = ops->length(self), lo = PySequence_Size(other);
        if (lo < 0) return NULL;
        if (i >= la || i >= lo) return seq_bool_for(op, la < lo ? -1 : la > lo);
        PyObject *x = ops->item(self, i);
        PyObject *y = x ? PySequence_GetItem(other, i) : NULL;
        int eq = y ? PyObject_RichCompareBool(x, y, Py_EQ) : -1;
        if (eq == 0) {
            PyObject *r = op == Py_EQ   ? Py_NewRef(Py_False)
                          : op == Py_NE ? Py_NewRef(Py_True)
                                        : PyObject_RichCompare(x, y, op);
            Py_DECREF(x);
            Py_DECREF(y);
            return r;
        }
        Py_XDECREF(x);
        Py_XDECREF(y);
        if (eq < 0) return NULL;
    }
}

Py_ssize_t seq_find_by_eq(PyObject *self, const seq_ops *ops, PyObject *v,
                          Py_ssize_t start, Py_ssize_t stop) {
    for (Py_ssize_t i = start; i < stop && i < ops->length(self); i++) {
        PyObject *el = ops->item(self, i);
        if (!el) return -2;
        int eq = PyObject_RichCompareBool(el, v, Py_EQ);
        Py_DECREF(el);
        if (eq < 0) return -2;
        if (eq) return i;
    }
    return -1;
}

/* ---- sort(key=...) -------------------------------------------------------------- */

static int key_order(PyObject *elements, PyObject *key, int reverse, int64_t **perm_out) {
    Py_ssize_t n = PyList_GET_SIZE(elements);
    PyObject *keys = PyList_New(n), *order = PyList_New(n), *key_of = NULL;
    PyObject *kw = NULL, *sort = NULL, *empty = NULL, *res = NULL;
    int64_t *perm = NULL;
    int r = -1;
    if (!keys || !order) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyObject_CallOneArg(key, PyList_GET_ITEM(elements, i));
        if (!k) goto done;
        PyList_SET_ITEM(keys, i, k);
        PyObject *idx = PyLong_FromSsize_t(i);
        if (!idx) goto done;
        PyList_SET_ITEM(order, i, idx);
    }
    /* list.sort over the indices: stable, and stable in reverse too */
    if (!(key_of = PyObject_GetAttrString(keys, "__getitem__")) ||
        !(kw = Py_BuildValue("{sOsO}", "key", key_of, "reverse", reverse ? Py_True : Py_False)) ||
        !(sort = PyObject_GetAttrString(order, "sort")) || !(empty = PyTuple_New(0)) ||
        !(res = PyObject_Call(sort, empty, kw)))
        goto done;
    if (!(perm = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *perm))) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) perm[i] = PyLong_AsSsize_t(PyList_GET_ITEM(order, i));
    *perm_out = perm;
    perm = NULL;
    r = 0;
done:
    PyMem_Free(perm);
    Py_XDECREF(keys);
    Py_XDECREF(order);
    Py_XDECREF(key_of);
    Py_XDECREF(kw);
    Py_XDECREF(sort);
    Py_XDECREF(empty);
    Py_XDECREF(res);
    return r;
}

PyObject *seq_sort_by_key(PyObject *self, const seq_ops *ops, PyObject *key, int reverse) {
    PyObject *elements = PySequence_List(self);
    int64_t *perm = NULL;
    if (!elements) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(elements);
    int r = key_order(elements, key, reverse, &perm);
    Py_DECREF(elements);
    if (r == 0 && ops->length(self) != n) {
        PyErr_Format(PyExc_ValueError, "%s modified during sort", ops->name);
        r = -1;
    }
    if (r == 0) r = ops->permute(self, perm);
    PyMem_Free(perm);
    return r == 0 ? Py_NewRef(Py_None) : NULL;
}

/* ---- the iterator ------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *seq; /* NULL once exhausted */
    const seq_ops *ops;
    Py_ssize_t index;
} SeqIterObject;

PyObject *seq_iter_new(PyObject *seq, const seq_ops *ops) {
    module_state *st = state_of_type(Py_TYPE(seq));
    if (!st) return NULL;
    SeqIterObject *it = PyObject_GC_New(SeqIterObject, st->SeqIterType);
    if (!it) return NULL;
    it->seq = Py_NewRef(seq);
    it->ops = ops;
    it->index = 0;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *seqiter_next(SeqIterObject *it) {
    if (!it->seq) return NULL;
    if (it->index < it->ops->length(it->seq)) return it->ops->item(it->seq, it->index++);
    Py_CLEAR(it->seq);
    return NULL;
}

static PyObject *seqiter_length_hint(SeqIterObject *it, PyObject *unused) {
    (void)unused;
    Py_ssize_t n = it->seq ? it->ops->length(it->seq) - it->index : 0;
    return PyLong_FromSsize_t(n > 0 ? n : 0);
}

static int seqiter_traverse(SeqIterObject *it, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(it));
    Py_VISIT(it->seq);
    return 0;
}

static void seqiter_dealloc(SeqIterObject *it) {
    PyTypeObject *tp = Py_TYPE(it);
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->seq);
    PyObject_GC_Del(it);
    Py_DECREF(tp);
}

static PyMethodDef seqiter_methods[] = {
    {"__length_hint__", (PyCFunction)seqiter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot seq_iter_slots[] = {
    {Py_tp_dealloc, seqiter_dealloc},
    {Py_tp_traverse, seqiter_traverse},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, seqiter_next},
    {Py_tp_methods, seqiter_methods},
    {0, NULL},
};

PyType_Spec seq_iter_spec = {
    .name = "compactcol._core.SequenceIterator",
    .basicsize = sizeof(SeqIterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = seq_iter_slots,
};
