/* pool.c -- compactcol.StringPool: an append-only string interner.
 *
 * A cc_strset used without removals: each distinct string once in a UTF-8
 * arena (Arrow layout), ids 0..n-1 in insertion order, and an open-addressing
 * table of uint32 ids hashed with the deterministic cc_hash_bytes -- no
 * Python object per string, and nothing that depends on the process (a
 * pickle stores the strings; loading re-hashes them in C).
 *
 * CategoricalArrays hold a reference to their pool and store its ids as
 * codes; since ids never change or disappear, a code that was valid stays
 * valid however the pool is shared (DI4).
 */
#include "binding.h"
#include "strarray.h"
#include "pool.h"

#include <structmember.h>

#define NAME "StringPool"

static cc_strset *set_of(PyObject *self) { return &((StringPoolObject *)self)->set; }

/* ---- elements ------------------------------------------------------------------ */

static Py_ssize_t pool_length(PyObject *self) {
    return (Py_ssize_t)cc_strset_entries(set_of(self));
}

static PyObject *pool_item_unchecked(PyObject *self, Py_ssize_t i) {
    return str_from_utf8(cc_strset_key(set_of(self), i));
}

static const seq_ops pool_seq_ops = {NAME, pool_length, pool_item_unchecked, NULL};

int pool_intern_utf8(PyObject *pool, cc_str s, int64_t *id) {
    bool added;
    cc_status st = cc_strset_insert(set_of(pool), s, id, &added);
    if (st == CC_EOVERFLOW) {
        PyErr_Format(PyExc_OverflowError, NAME ".intern: the pool holds the most ids "
                     "a uint32 can number (%lld)", (long long)CC_STRSET_MAX_IDS);
        return -1;
    }
    if (st != CC_OK) status_raise(NAME, st, "intern");
    return st == CC_OK ? 0 : -1;
}

/* The id of str v, or -1 if absent (a non-str or unencodable v is absent). */
static int64_t find_str(PyObject *self, PyObject *v, int *error) {
    *error = 0;
    if (!PyUnicode_Check(v)) return -1;
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int64_t id = -1;
    if (str_utf8(v, &buf, &s) == 0) id = cc_strset_find(set_of(self), s);
    else if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) PyErr_Clear();
    else *error = 1;
    utf8_buf_release(&buf);
    return id;
}

/* ---- construction ---------------------------------------------------------------- */

/* Interns every string of a scratch array (ids into *ids if not NULL);
 * used by __init__, copies, unpickling and CategoricalArray.  On failure
 * the pool forgets what this call added.  (No reserve up front: input with
 * many repeats would size the table for every value, not every distinct
 * one.) */
int pool_intern_all(PyObject *self, const cc_strarray *strings, bool unique, int64_t *ids) {
    cc_strset *set = set_of(self);
    int64_t before = cc_strset_entries(set), id;
    for (int64_t i = 0; i < strings->length; i++) {
        if (!cc_strarray_is_valid(strings, i)) {
            id = -1; /* a null: code -1, as pandas */
        } else if (pool_intern_utf8(self, cc_strarray_get(strings, i), &id) < 0) {
            goto undo;
        }
        if (ids) ids[i] = id;
        if (unique && id != before + i) {
            PyErr_Format(PyExc_ValueError, NAME " pickle state: string %lld is a duplicate",
                         (long long)i);
            goto undo;
        }
    }
    return 0;
undo:
    if (cc_strset_truncate(set, before) != CC_OK) { /* only grew: cannot fail */ }
    return -1;
}

static PyObject *pool_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"values", NULL};
    PyObject *values = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:" NAME, kwlist, &values)) return NULL;
    StringPoolObject *self = (StringPoolObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    cc_strset_init(&self->set);
    /* a chunk of strings at a time: the scratch stays one chunk (issue 14) */
    str_chunks chunks;
    if (values && str_chunks_open(&chunks, values, STR_NULLS_NEVER, NAME, "__init__") < 0)
        Py_CLEAR(self);
    while (values && self) {
        cc_strarray scratch;
        Py_ssize_t n = str_chunks_next(&chunks, STR_CHUNK_ITEMS, &scratch);
        if (n == 0) break;
        if (n < 0 || pool_intern_all((PyObject *)self, &scratch, false, NULL) < 0) Py_CLEAR(self);
        cc_strarray_reset(&scratch);
    }
    if (values) str_chunks_close(&chunks);
    return (PyObject *)self;
}

PyObject *pool_new_empty(PyTypeObject *any_type_of_module) {
    module_state *st = state_of_type(any_type_of_module);
    if (!st) return NULL;
    StringPoolObject *p = (StringPoolObject *)st->StringPoolType->tp_alloc(st->StringPoolType, 0);
    if (p) cc_strset_init(&p->set);
    return (PyObject *)p;
}

static void pool_dealloc(StringPoolObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    cc_strset_reset(&self->set);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- the mapping str <-> id -------------------------------------------------------- */

static PyObject *pool_intern(PyObject *self, PyObject *v) {
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int64_t id;
    int r = str_value_utf8(v, &buf, &s, NAME, "intern", -1, STR_NULLS_NEVER);
    if (r == 0) r = pool_intern_utf8(self, s, &id);
    utf8_buf_release(&buf);
    return r < 0 ? NULL : PyLong_FromLongLong(id);
}

static PyObject *pool_id(PyObject *self, PyObject *v) {
    int error;
    int64_t id = find_str(self, v, &error);
    if (error) return NULL;
    if (id < 0) {
        PyErr_SetObject(PyExc_KeyError, v);
        return NULL;
    }
    return PyLong_FromLongLong(id);
}

PyObject *pool_lookup_id(PyObject *self, int64_t id, const char *what) {
    int64_t n = cc_strset_entries(set_of(self));
    if (id < 0 || id >= n) {
        PyErr_Format(PyExc_IndexError, "%s: id %lld is not in the pool (ids are 0..%lld)",
                     what, (long long)id, (long long)n - 1);
        return NULL;
    }
    return str_from_utf8(cc_strset_key(set_of(self), id));
}

static PyObject *pool_subscript(PyObject *self, PyObject *key) {
    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, NAME " ids must be integers, not %s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    Py_ssize_t id = PyNumber_AsSsize_t(key, NULL); /* huge ids saturate: out of range */
    if (id == -1 && PyErr_Occurred()) return NULL;
    if (id == PY_SSIZE_T_MIN) id = -1;
    return pool_lookup_id(self, id, NAME "[id]");
}

static int pool_contains(PyObject *self, PyObject *v) {
    int error;
    int64_t id = find_str(self, v, &error);
    return error ? -1 : id >= 0;
}

static PyObject *pool_iter(PyObject *self) { return seq_iter_new(self, &pool_seq_ops); }

static PyObject *pool_get_strings(PyObject *self, void *c) {
    (void)c;
    const cc_strarray *keys = &set_of(self)->keys;
    cc_strarray out;
    cc_strarray_init(&out, false);
    cc_status st = cc_strarray_gather(keys, 0, 1, keys->length, &out);
    PyObject *r = st == CC_OK ? strarray_wrap(Py_TYPE(self), &out) : status_raise(NAME, st, "strings");
    cc_strarray_reset(&out);
    return r;
}

/* ---- comparison, copies, repr, sizes ------------------------------------------------ */

static PyObject *pool_richcompare(PyObject *self, PyObject *other, int op) {
    module_state *st = state_of_type(Py_TYPE(self));
    if (!st) return NULL;
    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(other, st->StringPoolType))
        Py_RETURN_NOTIMPLEMENTED;
    const cc_strarray *a = &set_of(self)->keys, *b = &set_of(other)->keys;
    bool eq = a->length == b->length && a->data_len == b->data_len;
    for (int64_t i = 0; eq && i < a->length; i++) {
        cc_str x = cc_strarray_get(a, i), y = cc_strarray_get(b, i);
        eq = x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, (size_t)x.len) == 0);
    }
    return PyBool_FromLong(eq == (op == Py_EQ));
}

static PyObject *pool_copy(PyObject *self, PyObject *unused) {
    (void)unused;
    PyObject *r = pool_new_empty(Py_TYPE(self));
    if (r && pool_intern_all(r, &set_of(self)->keys, false, NULL) < 0) Py_CLEAR(r);
    return r;
}

static PyObject *pool_deepcopy(PyObject *self, PyObject *memo) {
    (void)memo;
    return pool_copy(self, NULL);
}

static PyObject *pool_repr(PyObject *self) {
    return seq_repr(self, &pool_seq_ops, NAME "(", "");
}

int64_t pool_nbytes(PyObject *self) {
    const cc_strset *s = set_of(self);
    return strarray_nbytes(&s->keys) + s->table_size * (int64_t)sizeof(uint32_t);
}

static PyObject *pool_get_nbytes(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(pool_nbytes(self));
}

static PyObject *pool_sizeof(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strset *s = set_of(self);
    return PyLong_FromLongLong((long long)Py_TYPE(self)->tp_basicsize +
                               strarray_owned_bytes(&s->keys) +
                               s->table_size * (int64_t)sizeof(uint32_t));
}

static PyObject *pool_debug_info(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strset *s = set_of(self);
    cc_error err;
    if (cc_strset_validate(s, &err) != CC_OK || s->removed_count) {
        PyErr_Format(PyExc_AssertionError, NAME " invariant violated: %s",
                     s->removed_count ? "a pool never removes" : err.why);
        return NULL;
    }
    return Py_BuildValue("{sLsLsLsLsL}", "length", (long long)cc_strset_entries(s),
                         "table_size", (long long)s->table_size, "data_len",
                         (long long)s->keys.data_len, "exports", (long long)s->keys.exports,
                         "snapshots", snapshot_count(s->keys.offsets_share));
}

/* ---- pickling ------------------------------------------------------------------------ */

static int pool_region(PyObject *owner, int which, buf_region *r) {
    return strarray_fill_region(&((StringPoolObject *)owner)->set.keys, which, r);
}

/* State: the arena's buffers as a StringArray state (out of band from
 * protocol 5, no copy); loading validates them as a StringArray, then
 * interns the strings again in C and refuses duplicates. */
static PyObject *pool_reduce_ex(PyObject *self, PyObject *protocol) {
    PyObject *mod = PyImport_ImportModule("compactcol._pickle");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, "pool_from_buffers") : NULL;
    Py_XDECREF(mod);
    PyObject *args = fn ? strarray_state_args(self, pool_region,
                                              &((StringPoolObject *)self)->set.keys, protocol)
                        : NULL;
    PyObject *r = args ? PyTuple_Pack(2, fn, args) : NULL;
    Py_XDECREF(fn);
    Py_XDECREF(args);
    return r;
}

/* _pool_from_strings(strings): a StringPool of the distinct strings of a
 * StringArray, in order; ValueError on a duplicate or a None. */
PyObject *pool_from_strings(PyObject *module, PyObject *strings) {
    module_state *ms = PyModule_GetState(module);
    if (!PyObject_TypeCheck(strings, ms->StringArrayType)) {
        PyErr_Format(PyExc_TypeError, NAME " pickle state: expected a StringArray, got %s",
                     Py_TYPE(strings)->tp_name);
        return NULL;
    }
    cc_strarray *a = &((StringArrayObject *)strings)->arr;
    if (a->null_count) {
        PyErr_SetString(PyExc_ValueError, NAME " pickle state: a None among the strings");
        return NULL;
    }
    PyObject *r = pool_new_empty(ms->StringPoolType);
    if (r && pool_intern_all(r, a, true, NULL) < 0) Py_CLEAR(r);
    return r;
}

/* ---- the type ----------------------------------------------------------------------- */

static PyGetSetDef pool_getset[] = {
    {"strings", pool_get_strings, NULL,
     "All strings in id order, as a new StringArray (a copy of the arena).", NULL},
    {"nbytes", pool_get_nbytes, NULL,
     "Payload bytes: UTF-8 data + offsets + the hash table of ids.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef pool_methods[] = {
    {"intern", (PyCFunction)pool_intern, METH_O,
     "intern($self, s, /)\n--\n\nThe id of s, adding it (id = len(pool)) if new."},
    {"id", (PyCFunction)pool_id, METH_O,
     "id($self, s, /)\n--\n\nThe id of s; KeyError if s is not in the pool."},
    {"copy", (PyCFunction)pool_copy, METH_NOARGS, "copy($self, /)\n--\n\nAn independent copy."},
    {"__copy__", (PyCFunction)pool_copy, METH_NOARGS, NULL},
    {"__deepcopy__", (PyCFunction)pool_deepcopy, METH_O, NULL},
    {"__reduce_ex__", (PyCFunction)pool_reduce_ex, METH_O, "Pickle support."},
    {"__sizeof__", (PyCFunction)pool_sizeof, METH_NOARGS,
     "Size in bytes including the owned buffers (for sys.getsizeof)."},
    {"_debug_info", (PyCFunction)pool_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef pool_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(StringPoolObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(pool_doc,
"StringPool(values=())\n"
"--\n\n"
"An append-only string interner: each distinct string stored once as UTF-8,\n"
"numbered 0, 1, 2, ... in the order first seen.  pool.intern(s) -> id,\n"
"pool[id] -> s, pool.id(s) -> id (KeyError if absent).  The hash is\n"
"deterministic across processes.\n\n"
">>> p = StringPool(); p.intern('red'), p.intern('blue'), p.intern('red')\n"
"(0, 1, 0)");

static PyType_Slot pool_slots[] = {
    {Py_tp_doc, (void *)pool_doc},
    {Py_tp_new, pool_new},
    {Py_tp_dealloc, pool_dealloc},
    {Py_tp_repr, pool_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, pool_iter},
    {Py_tp_richcompare, pool_richcompare},
    {Py_tp_getset, pool_getset},
    {Py_tp_members, pool_members},
    {Py_tp_methods, pool_methods},
    {Py_sq_length, pool_length},
    {Py_sq_contains, pool_contains},
    {Py_mp_length, pool_length},
    {Py_mp_subscript, pool_subscript},
    {0, NULL},
};

PyType_Spec pool_spec = {
    .name = "compactcol.StringPool",
    .basicsize = sizeof(StringPoolObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = pool_slots,
};
