/* seq.c -- the list behaviour every compactcol sequence shares (Array,
 * StringArray, CategoricalArray), written once over a small table of
 * per-type operations (seq_ops).
 *
 *   read side    index arguments, the truncated repr, comparison with any
 *                sequence, the order for sort(key=...), a plain iterator
 *   write side   item and slice assignment and deletion, append, extend,
 *                insert, pop, remove, clear, reverse, sort, copy, + * += *=
 *
 *   Python value --ops->collect / convert_one--> seq_scratch --one core call
 *   (splice, scatter, delete_strided, set, ... on ops->store)--> commit
 *
 * A type supplies only the conversions (and its own fast or special paths);
 * the core calls are made here, by ops->kind, on the container ops->store
 * returns.  Three rules live only here:
 *   - a Table column refuses every length change (length_refused), so a
 *     new mutator cannot forget the Table's "every column has `length` rows";
 *   - all or nothing: values are converted into a scratch first and
 *     committed with one core call; if that call fails (BufferError while
 *     exported, MemoryError) commit() undoes what converting did (a
 *     CategoricalArray's new strings) and raises;
 *   - everything may run user code (__index__, __eq__, key functions,
 *     __repr__, iterators), so the length is re-read through ops->length
 *     after every call out and no pointer into the container is held
 *     across one.
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

/* ---- the core calls, by kind --------------------------------------------------- */

static PyObject *seq_raise(PyObject *self, const seq_ops *ops, cc_status st, const char *what,
                           PyObject *value) {
    return ops->raise ? ops->raise(self, st, what, value) : status_raise(ops->name, st, what);
}

#define NUM(self) ((cc_numarray *)ops->store(self))
#define STR(self) ((cc_strarray *)ops->store(self))
/* One core call on the container, by its kind. */
#define BY_KIND(num_call, str_call) (ops->kind == SEQ_NUM ? (num_call) : (str_call))

static int core_permute(PyObject *self, const seq_ops *ops, const int64_t *perm) {
    cc_status st =
        BY_KIND(cc_numarray_permute(NUM(self), perm), cc_strarray_permute(STR(self), perm));
    if (st != CC_OK) seq_raise(self, ops, st, "sort", NULL);
    return st == CC_OK ? 0 : -1;
}

static cc_status core_delete(PyObject *self, const seq_ops *ops, Py_ssize_t start,
                             Py_ssize_t step, Py_ssize_t n) {
    return BY_KIND(cc_numarray_delete_strided(NUM(self), start, step, n),
                   cc_strarray_delete_strided(STR(self), start, step, n));
}

static cc_status core_splice(PyObject *self, const seq_ops *ops, Py_ssize_t at,
                             Py_ssize_t del, const seq_scratch *s) {
    return BY_KIND(cc_numarray_splice(NUM(self), at, del, &s->batch.num),
                   cc_strarray_splice(STR(self), at, del, &s->batch.str));
}

static cc_str one_str(const seq_scratch *s) {
    return s->one_null ? (cc_str){NULL, 0} : s->one_str;
}

/* The one value as a batch of one, typed like the container. */
static cc_status batch_of_one(PyObject *self, const seq_ops *ops, seq_scratch *s) {
    if (ops->kind == SEQ_NUM) {
        const cc_numarray *a = NUM(self);
        cc_numarray_init(&s->batch.num, a->adaptive ? CC_INT8 : a->dtype, a->adaptive,
                         a->nullable);
        s->kind = SEQ_NUM;
        return cc_numarray_append(&s->batch.num, &s->one);
    }
    cc_strarray_init(&s->batch.str, STR(self)->nullable);
    s->kind = SEQ_STR;
    return cc_strarray_append(&s->batch.str, one_str(s), s->one_null);
}

static cc_status core_clear(PyObject *self, const seq_ops *ops) {
    if (ops->kind == SEQ_NUM) return cc_numarray_delete_strided(NUM(self), 0, 1, NUM(self)->length);
    if (STR(self)->exports) return CC_EBUSY;
    cc_strarray_reset(STR(self)); /* releases the buffers, as list.clear does */
    return CC_OK;
}

static cc_status core_repeat(PyObject *self, const seq_ops *ops, Py_ssize_t n) {
    return BY_KIND(cc_numarray_repeat(NUM(self), n), cc_strarray_repeat(STR(self), n));
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

PyObject *seq_save(PyObject *self, PyObject *path) {
    PyObject *mod = PyImport_ImportModule("compactcol._files");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, "save", "OO", self, path);
    Py_DECREF(mod);
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
    if (r == 0)
        r = ops->kind != SEQ_NONE ? core_permute(self, ops, perm) : ops->permute(self, perm);
    PyMem_Free(perm);
    return r == 0 ? Py_NewRef(Py_None) : NULL;
}

/* ---- the write side ------------------------------------------------------------ */

void seq_scratch_release(seq_scratch *s) {
    if (s->kind == SEQ_NUM) cc_numarray_reset(&s->batch.num);
    else if (s->kind == SEQ_STR) cc_strarray_reset(&s->batch.str);
    s->kind = SEQ_NONE;
    if (s->buf.heap) utf8_buf_release(&s->buf);
}

static int64_t batch_length(const seq_scratch *s) {
    return s->kind == SEQ_NUM ? s->batch.num.length : s->kind == SEQ_STR ? s->batch.str.length : 0;
}

/* The one place a Table column refuses a change of its length: the Table
 * keeps every column `length` rows long.  0, or -1 with BufferError. */
static int length_refused(PyObject *self, const seq_ops *ops, const char *what) {
    if (!*(bool *)((char *)self + ops->column_offset)) return 0;
    PyErr_Format(PyExc_BufferError,
                 "%s.%s: this container is a column of a Table, whose rows keep every "
                 "column the same length; change the table (append, extend, insert, del, "
                 "pop) or take a copy of the column", ops->name, what);
    return -1;
}

/* A call refused after converting: forget what converting did. */
static void discard(PyObject *self, const seq_ops *ops, seq_scratch *s) {
    if (ops->undo) ops->undo(self, s);
    seq_scratch_release(s);
}

/* Ends a write with the status of its one core call: on failure undoes what
 * converting did, then raises.  Releases the scratch.  0 or -1. */
static int commit(PyObject *self, const seq_ops *ops, cc_status st, seq_scratch *s,
                  const char *what, PyObject *value) {
    if (st != CC_OK) {
        if (ops->undo) ops->undo(self, s);
        seq_raise(self, ops, st, what, value);
    }
    seq_scratch_release(s);
    return st == CC_OK ? 0 : -1;
}

/* ops->convert_one; on failure releases what it held (a str's bytes). */
static int convert_one(PyObject *self, const seq_ops *ops, PyObject *v, seq_scratch *s,
                       const char *what) {
    if (ops->convert_one(self, v, s, what) == 0) return 0;
    seq_scratch_release(s);
    return -1;
}

static PyObject *none_or_null(int r) { return r < 0 ? NULL : Py_NewRef(Py_None); }

PyObject *seq_item(PyObject *self, const seq_ops *ops, Py_ssize_t i) {
    if (i < 0 || i >= ops->length(self)) {
        PyErr_Format(PyExc_IndexError, "%s index out of range", ops->name);
        return NULL;
    }
    return ops->item(self, i);
}

PyObject *seq_subscript(PyObject *self, const seq_ops *ops, PyObject *key) {
    Py_ssize_t i, start, stop, step;
    if (PySlice_Check(key)) {
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) return NULL;
        Py_ssize_t n = PySlice_AdjustIndices(ops->length(self), &start, &stop, step);
        return ops->slice(self, start, step, n, "__getitem__");
    }
    if (seq_index_arg(key, ops->name, &i) < 0) return NULL;
    if (i < 0) i += ops->length(self);
    return seq_item(self, ops, i);
}

static int del_slice(PyObject *self, const seq_ops *ops, Py_ssize_t start, Py_ssize_t stop,
                     Py_ssize_t step) {
    Py_ssize_t n = PySlice_AdjustIndices(ops->length(self), &start, &stop, step);
    if (n && length_refused(self, ops, "__delitem__") < 0) return -1;
    cc_status st = core_delete(self, ops, start, step, n);
    if (st != CC_OK) seq_raise(self, ops, st, "__delitem__", NULL);
    return st == CC_OK ? 0 : -1;
}

static int ass_slice(PyObject *self, const seq_ops *ops, PyObject *slice, PyObject *value) {
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(slice, &start, &stop, &step) < 0) return -1;
    if (!value) return del_slice(self, ops, start, stop, step);
    seq_scratch s;
    seq_scratch_init(&s);
    if (ops->collect(self, value, &s, "slice assignment") < 0) return -1;
    /* bounds from the container as it is now, after any user code ran */
    Py_ssize_t n = PySlice_AdjustIndices(ops->length(self), &start, &stop, step);
    int64_t m = batch_length(&s);
    if (step == 1 && m != n && length_refused(self, ops, "slice assignment") < 0) {
        discard(self, ops, &s);
        return -1;
    }
    cc_status st;
    if (step == 1) {
        st = core_splice(self, ops, start, n, &s);
    } else if (m != n) {
        discard(self, ops, &s);
        PyErr_Format(PyExc_ValueError,
                     "attempt to assign sequence of size %lld to extended slice of size %zd",
                     (long long)m, n);
        return -1;
    } else {
        st = BY_KIND(cc_numarray_scatter(NUM(self), start, step, &s.batch.num),
                     cc_strarray_scatter(STR(self), start, step, &s.batch.str));
    }
    return commit(self, ops, st, &s, "slice assignment", NULL);
}

/* self[i] = value or del self[i]; i may be negative. */
static int ass_index(PyObject *self, const seq_ops *ops, Py_ssize_t i, PyObject *value) {
    const char *name = ops->name;
    if (!value) {
        if (seq_normalise(&i, ops->length(self), name, "assignment index") < 0 ||
            length_refused(self, ops, "__delitem__") < 0)
            return -1;
        cc_status st = core_delete(self, ops, i, 1, 1);
        if (st != CC_OK) seq_raise(self, ops, st, "__delitem__", NULL);
        return st == CC_OK ? 0 : -1;
    }
    if (!ops->convert_first && seq_normalise(&i, ops->length(self), name, "assignment index") < 0)
        return -1;
    seq_scratch s;
    seq_scratch_init(&s);
    if (convert_one(self, ops, value, &s, "__setitem__") < 0) return -1;
    /* (again) after the conversion, which may have changed the length */
    if (seq_normalise(&i, ops->length(self), name, "assignment index") < 0) {
        discard(self, ops, &s);
        return -1;
    }
    cc_status st = BY_KIND(cc_numarray_set(NUM(self), i, &s.one),
                           cc_strarray_set(STR(self), i, one_str(&s), s.one_null));
    return commit(self, ops, st, &s, "__setitem__", value);
}

int seq_ass_subscript(PyObject *self, const seq_ops *ops, PyObject *key, PyObject *value) {
    Py_ssize_t i;
    if (PySlice_Check(key)) return ass_slice(self, ops, key, value);
    if (seq_index_arg(key, ops->name, &i) < 0) return -1;
    return ass_index(self, ops, i, value);
}

int seq_ass_item(PyObject *self, const seq_ops *ops, Py_ssize_t i, PyObject *value) {
    /* sq_ass_item gets i already offset by len for negative indices */
    if (i < 0) i -= ops->length(self);
    return ass_index(self, ops, i, value);
}

int seq_contains(PyObject *self, const seq_ops *ops, PyObject *v) {
    Py_ssize_t i = ops->find(self, v, 0, PY_SSIZE_T_MAX);
    return i == -2 ? -1 : i >= 0;
}

/* The general append, apart so that the fast one below does not pay for
 * its stack frame (a seq_scratch is half a kilobyte) on every call. */
static CC_NOINLINE PyObject *append_general(PyObject *self, const seq_ops *ops, PyObject *v) {
    seq_scratch s;
    seq_scratch_init(&s);
    if (convert_one(self, ops, v, &s, "append") < 0) return NULL;
    cc_status st = BY_KIND(cc_numarray_append(NUM(self), &s.one),
                           cc_strarray_append(STR(self), one_str(&s), s.one_null));
    return none_or_null(commit(self, ops, st, &s, "append", v));
}

PyObject *seq_append(PyObject *self, const seq_ops *ops, PyObject *v) {
    if (length_refused(self, ops, "append") < 0) return NULL;
    int r = ops->append_fast ? ops->append_fast(self, v) : 0;
    if (r) return none_or_null(r);
    return append_general(self, ops, v);
}

int seq_extend_from(PyObject *self, const seq_ops *ops, PyObject *src, const char *what,
                    const char *refused_as) {
    if (length_refused(self, ops, refused_as) < 0) return -1;
    seq_scratch s;
    seq_scratch_init(&s);
    if (ops->collect(self, src, &s, what) < 0) return -1;
    /* an export only refuses a real size change (extending by nothing is
     * allowed, as with array.array), so the check is the splice's */
    cc_status st = core_splice(self, ops, ops->length(self), 0, &s);
    return commit(self, ops, st, &s, what, NULL);
}

PyObject *seq_extend(PyObject *self, const seq_ops *ops, PyObject *src) {
    return none_or_null(seq_extend_from(self, ops, src, "extend", "extend"));
}

PyObject *seq_insert(PyObject *self, const seq_ops *ops, PyObject *const *args,
                     Py_ssize_t nargs) {
    Py_ssize_t i;
    if (length_refused(self, ops, "insert") < 0 ||
        !seq_nargs_ok(ops->name, "insert", nargs, 2, 2) ||
        seq_position_arg(args[0], &i) < 0)
        return NULL;
    seq_scratch s;
    seq_scratch_init(&s);
    if (convert_one(self, ops, args[1], &s, "insert") < 0) return NULL;
    cc_status st = batch_of_one(self, ops, &s);
    if (st == CC_OK) {
        Py_ssize_t n = ops->length(self); /* clamped as list.insert does */
        i = i < 0 ? (i + n < 0 ? 0 : i + n) : (i > n ? n : i);
        st = core_splice(self, ops, i, 0, &s);
    }
    return none_or_null(commit(self, ops, st, &s, "insert", args[1]));
}

PyObject *seq_pop(PyObject *self, const seq_ops *ops, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t i = -1;
    if (length_refused(self, ops, "pop") < 0 || !seq_nargs_ok(ops->name, "pop", nargs, 0, 1) ||
        (nargs && seq_position_arg(args[0], &i) < 0))
        return NULL;
    if (ops->length(self) == 0) {
        PyErr_Format(PyExc_IndexError, "pop from empty %s", ops->name);
        return NULL;
    }
    if (seq_normalise(&i, ops->length(self), "pop", "index") < 0) return NULL;
    PyObject *v = ops->item(self, i);
    if (!v) return NULL;
    cc_status st = core_delete(self, ops, i, 1, 1);
    if (st != CC_OK) {
        Py_DECREF(v);
        return seq_raise(self, ops, st, "pop", NULL);
    }
    return v;
}

PyObject *seq_remove(PyObject *self, const seq_ops *ops, PyObject *v) {
    if (length_refused(self, ops, "remove") < 0) return NULL;
    Py_ssize_t i = ops->find(self, v, 0, PY_SSIZE_T_MAX);
    if (i == -2) return NULL;
    if (i < 0) {
        if (ops->full_repr_not_found)
            return PyErr_Format(PyExc_ValueError, "%s.remove(x): %R is not in %s", ops->name, v,
                                ops->name);
        return PyErr_Format(PyExc_ValueError, "%s.remove(x): x not in %s", ops->name, ops->name);
    }
    /* x.__eq__ may have shrunk the container: like list, remove nothing then */
    if (i >= ops->length(self)) Py_RETURN_NONE;
    cc_status st = core_delete(self, ops, i, 1, 1);
    return st == CC_OK ? Py_NewRef(Py_None) : seq_raise(self, ops, st, "remove", NULL);
}

PyObject *seq_index(PyObject *self, const seq_ops *ops, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t start = 0, stop = PY_SSIZE_T_MAX;
    if (!seq_nargs_ok(ops->name, "index", nargs, 1, 3) ||
        (nargs > 1 && seq_clamped_index(args[1], &start) < 0) ||
        (nargs > 2 && seq_clamped_index(args[2], &stop) < 0))
        return NULL;
    Py_ssize_t n = ops->length(self); /* after __index__ ran */
    if (start < 0 && (start += n) < 0) start = 0;
    if (stop < 0 && (stop += n) < 0) stop = 0;
    Py_ssize_t i = ops->find(self, args[0], start, stop);
    if (i >= 0) return PyLong_FromSsize_t(i);
    if (i == -2) return NULL;
    if (ops->full_repr_not_found)
        return PyErr_Format(PyExc_ValueError, "%R is not in %s", args[0], ops->name);
    PyObject *r = value_short_repr(args[0]);
    if (r) PyErr_Format(PyExc_ValueError, "%U is not in %s", r, ops->name);
    Py_XDECREF(r);
    return NULL;
}

PyObject *seq_count(PyObject *self, const seq_ops *ops, PyObject *v) {
    Py_ssize_t count = ops->count_fast(self, v);
    if (count >= 0) return PyLong_FromSsize_t(count);
    if (count == -2) return NULL;
    count = 0;
    for (Py_ssize_t i = 0; i < ops->length(self); i++) {
        Py_ssize_t j = seq_find_by_eq(self, ops, v, i, i + 1);
        if (j == -2) return NULL;
        count += j >= 0;
    }
    return PyLong_FromSsize_t(count);
}

PyObject *seq_tolist(PyObject *self, const seq_ops *ops) {
    Py_ssize_t n = ops->length(self);
    PyObject *list = PyList_New(n);
    for (Py_ssize_t i = 0; list && i < n; i++) {
        PyObject *v = ops->item(self, i);
        if (!v) Py_CLEAR(list);
        else PyList_SET_ITEM(list, i, v);
    }
    return list;
}

PyObject *seq_clear(PyObject *self, const seq_ops *ops) {
    if (length_refused(self, ops, "clear") < 0) return NULL;
    cc_status st = core_clear(self, ops);
    return st == CC_OK ? Py_NewRef(Py_None) : seq_raise(self, ops, st, "clear", NULL);
}

PyObject *seq_reverse(PyObject *self, const seq_ops *ops) {
    cc_status st = BY_KIND(cc_numarray_reverse(NUM(self)), cc_strarray_reverse(STR(self)));
    return st == CC_OK ? Py_NewRef(Py_None) : seq_raise(self, ops, st, "reverse", NULL);
}

PyObject *seq_sort(PyObject *self, const seq_ops *ops, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"key", "reverse", NULL};
    PyObject *key = Py_None;
    int reverse = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$Op:sort", kwlist, &key, &reverse))
        return NULL;
    if (key != Py_None) return seq_sort_by_key(self, ops, key, reverse);
    if (ops->sort) return none_or_null(ops->sort(self, reverse));
    cc_status st =
        BY_KIND(cc_numarray_sort(NUM(self), reverse), cc_strarray_sort(STR(self), reverse));
    return st == CC_OK ? Py_NewRef(Py_None) : seq_raise(self, ops, st, "sort", NULL);
}

/* O(1) through the type's share hook (the copy and self share buffers until
 * either writes), else -- no hook, or self aliased -- an O(n) real copy. */
PyObject *seq_copy(PyObject *self, const seq_ops *ops) {
    if (ops->share) {
        PyObject *r = ops->share(self);
        if (r || PyErr_Occurred()) return r;
    }
    return ops->slice(self, 0, 1, ops->length(self), ops->copy_what);
}

PyObject *seq_concat(PyObject *self, const seq_ops *ops, PyObject *other) {
    PyObject *r = seq_copy(self, ops);
    if (r && seq_extend_from(r, ops, other, "__add__", "__add__") < 0) Py_CLEAR(r);
    return r;
}

PyObject *seq_repeat(PyObject *self, const seq_ops *ops, Py_ssize_t n) {
    PyObject *r = seq_copy(self, ops);
    if (!r) return NULL;
    cc_status st = core_repeat(r, ops, n);
    if (st != CC_OK) {
        Py_DECREF(r);
        return seq_raise(self, ops, st, "__mul__", NULL);
    }
    return r;
}

PyObject *seq_inplace_concat(PyObject *self, const seq_ops *ops, PyObject *other) {
    if (seq_extend_from(self, ops, other, "__iadd__", ops->iadd_refused_as) < 0) return NULL;
    return Py_NewRef(self);
}

PyObject *seq_inplace_repeat(PyObject *self, const seq_ops *ops, Py_ssize_t n) {
    if (length_refused(self, ops, "__imul__") < 0) return NULL;
    cc_status st = core_repeat(self, ops, n);
    return st == CC_OK ? Py_NewRef(self) : seq_raise(self, ops, st, "__imul__", NULL);
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
