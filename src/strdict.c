/* strdict.c -- compactcol._core.StrDict: a dict from str to values with
 * compact keys (the C half; compactcol/_strdict.py adds the views and the
 * conveniences that are not hot).
 *
 *   keys     cc_strset      UTF-8 arena + uint32 id table; entry ids follow
 *                           insertion order, removed entries are tombstones
 *   values   Array          numeric value_dtype: unboxed, values[id]
 *            StringArray    'str': another UTF-8 arena, values[id]
 *            list           'object': Python references, values[id]
 *
 * A key costs its UTF-8 bytes + 4 (offset) + 4-8 (table slot); an int64
 * value 8.  Deleting leaves a tombstone in the keys (the table forgets it at
 * once) and clears a str/object value; when tombstones outnumber live keys
 * the keys are compacted and the values gathered the same way, so memory
 * follows the live keys.
 *
 * `version` counts key insertions and removals: iterators compare it (and
 * the size) on every step and raise RuntimeError as dict's do.  Keys are
 * only ever read as characters (str_convert.c): a str subclass's
 * __hash__/__eq__ never runs (DI1).  Values are converted before anything
 * changes; the one call out of C after a change is the decref of a replaced
 * 'object' value, made last, when the dict is consistent again.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "strdict.h"

#include <structmember.h>

#define NAME "StrDict"

enum { VALUES_NUMERIC, VALUES_STR, VALUES_OBJECT };

typedef struct {
    PyObject_HEAD
    cc_strset keys;
    PyObject *values; /* Array, StringArray or list, indexed by entry id */
    int kind;
    uint64_t version;
    PyObject *weakreflist;
} StrDictObject;

typedef StrDictObject D;

static cc_numarray *nums(D *d) { return &((ArrayObject *)d->values)->arr; }
static cc_strarray *strs(D *d) { return &((StringArrayObject *)d->values)->arr; }

static PyObject *raise_st(cc_status st, const char *what) { return status_raise(NAME, st, what); }

static PyObject *get_value_dtype_of(D *d);

/* ---- values ------------------------------------------------------------------ */

/* A value converted for storing: checked and unboxed before anything changes. */
typedef struct {
    cc_scalar num;
    cc_str str;
    utf8_buf buf;
    PyObject *obj; /* borrowed */
} prepared;

/* The value dtype's name: StrDict('int8') in messages and repr. */
static const char *value_param(D *d) {
    if (d->kind == VALUES_STR) return "str";
    if (d->kind == VALUES_OBJECT) return "object";
    return array_param(nums(d));
}

/* A numeric value dtype's parameter (a time zone, "precision,scale"), or NULL. */
static const char *value_dtype_param(D *d) {
    return d->kind == VALUES_NUMERIC ? nums(d)->tz : NULL;
}

/* Converts value v for key `key` (only named in messages). */
static int prepare(D *d, PyObject *key, PyObject *v, prepared *p, const char *what) {
    p->buf.heap = NULL;
    p->obj = v;
    conv_where w = {NAME, what, -1, key, value_param(d), "key", value_dtype_param(d)};
    switch (d->kind) {
    case VALUES_NUMERIC:
        return scalar_from_py(num_type_of(nums(d)), v, &p->num, &w);
    case VALUES_STR:
        return str_from_py(v, &p->buf, &p->str, STR_NULLS_NEVER, &w);
    default:
        return 0;
    }
}

static void prepared_release(prepared *p) { utf8_buf_release(&p->buf); }

static PyObject *value_at(D *d, int64_t id) {
    switch (d->kind) {
    case VALUES_NUMERIC: return array_item_box(nums(d), id);
    case VALUES_STR: return strarray_item_box(strs(d), id);
    default: return Py_NewRef(PyList_GET_ITEM(d->values, id));
    }
}

/* values[id] = p.  *old receives a replaced object value, to decref last. */
static cc_status store_value(D *d, int64_t id, const prepared *p, PyObject **old) {
    *old = NULL;
    switch (d->kind) {
    case VALUES_NUMERIC: return cc_numarray_set(nums(d), id, &p->num);
    case VALUES_STR: return cc_strarray_set(strs(d), id, p->str, false);
    default:
        *old = PyList_GET_ITEM(d->values, id);
        PyList_SET_ITEM(d->values, id, Py_NewRef(p->obj));
        return CC_OK;
    }
}

static cc_status append_value(D *d, const prepared *p) {
    switch (d->kind) {
    case VALUES_NUMERIC: return cc_numarray_append(nums(d), &p->num);
    case VALUES_STR: return cc_strarray_append(strs(d), p->str, false);
    default: return PyList_Append(d->values, p->obj) == 0 ? CC_OK : CC_ENOMEM;
    }
}

/* ---- keys -------------------------------------------------------------------- */

/* The live id of key, -1 if absent (a non-str or unencodable key is absent);
 * -2 on error. */
static int64_t find(D *d, PyObject *key) {
    if (!PyUnicode_Check(key)) return -1;
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int64_t id;
    if (str_utf8(key, &buf, &s) == 0) {
        id = cc_strset_find(&d->keys, s);
    } else if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
        PyErr_Clear();
        id = -1;
    } else {
        id = -2;
    }
    utf8_buf_release(&buf);
    return id;
}

/* d[key] = v: the value is converted first; a new key and its value are
 * added together or not at all. */
static int set_item(D *d, PyObject *key, PyObject *v, const char *what) {
    prepared p;
    utf8_buf kbuf = UTF8_BUF_INIT;
    cc_str k;
    int64_t id;
    bool added;
    PyObject *old = NULL;
    int r = -1;
    if (prepare(d, key, v, &p, what) < 0) goto done;
    if (str_value_utf8(key, &kbuf, &k, NAME, what, -1, STR_NULLS_NEVER) < 0) goto done;
    cc_status st = cc_strset_insert(&d->keys, k, &id, &added);
    if (st == CC_OK && added) {
        st = append_value(d, &p);
        if (st != CC_OK) { /* forget the key again */
            if (cc_strset_truncate(&d->keys, id) != CC_OK) { /* only grew */ }
        } else {
            d->version++;
        }
    } else if (st == CC_OK) {
        st = store_value(d, id, &p, &old);
    }
    if (st == CC_EOVERFLOW && d->kind == VALUES_NUMERIC) {
        conv_where w = {NAME, what, -1, key, value_param(d), "key", value_dtype_param(d)};
        num_raise(num_type_of(nums(d)), st, &w, v);
    } else if (st != CC_OK) {
        raise_st(st, what);
    } else {
        r = 0;
    }
done:
    utf8_buf_release(&kbuf);
    prepared_release(&p);
    Py_XDECREF(old); /* last: its __del__ may use the dict */
    return r;
}

/* The values of entries ids[0..n) as a new values container; NULL with an
 * exception on failure. */
static PyObject *take_values(D *d, const int64_t *ids, int64_t n) {
    if (d->kind == VALUES_OBJECT) {
        PyObject *fresh = PyList_New(n);
        for (int64_t k = 0; fresh && k < n; k++)
            PyList_SET_ITEM(fresh, k, Py_NewRef(PyList_GET_ITEM(d->values, ids[k])));
        return fresh;
    }
    PyObject *fresh = NULL;
    cc_status st;
    if (d->kind == VALUES_NUMERIC) {
        cc_numarray out;
        cc_numarray_init_like(&out, nums(d));
        if ((st = cc_numarray_take(nums(d), ids, n, &out)) == CC_OK)
            fresh = array_wrap(Py_TYPE(d->values), &out);
        cc_numarray_reset(&out);
    } else {
        cc_strarray out;
        cc_strarray_init(&out, false);
        if ((st = cc_strarray_take(strs(d), ids, n, &out)) == CC_OK)
            fresh = strarray_wrap(Py_TYPE(d->values), &out);
        cc_strarray_reset(&out);
    }
    return st == CC_OK ? fresh : raise_st(st, "compact");
}

/* Drops tombstones once they outnumber the live keys: the live entries'
 * values are taken into a new container first, then the keys compact; any
 * failure leaves the tombstones (still a valid dict). */
static void maybe_compact(D *d) {
    cc_strset *ks = &d->keys;
    int64_t live = cc_strset_live(ks), n = cc_strset_entries(ks);
    if (ks->removed_count <= live || ks->removed_count < 32) return;
    if (ks->keys.exports) return; /* pickle buffers share the arena: compact later */
    int64_t *survivors = PyMem_New(int64_t, (size_t)live);
    for (int64_t id = 0, w = 0; survivors && id < n; id++)
        if (cc_strset_is_live(ks, id)) survivors[w++] = id;
    PyObject *fresh = survivors ? take_values(d, survivors, live) : NULL;
    PyMem_Free(survivors);
    if (!fresh || cc_strset_compact(ks, NULL) != CC_OK) {
        PyErr_Clear(); /* compaction is an optimisation: try again at a later removal */
        Py_XDECREF(fresh);
        return;
    }
    Py_SETREF(d->values, fresh);
}

/* Removes live entry id; *old receives an object value to decref last. */
static void remove_entry(D *d, int64_t id, PyObject **old) {
    *old = NULL;
    if (cc_strset_remove(&d->keys, id) != CC_OK) return; /* id is live: cannot fail */
    d->version++;
    if (d->kind == VALUES_OBJECT) {
        *old = PyList_GET_ITEM(d->values, id);
        PyList_SET_ITEM(d->values, id, Py_NewRef(Py_None));
    } else if (d->kind == VALUES_STR) {
        /* give the bytes back; a failure only keeps them until compaction */
        if (cc_strarray_set(strs(d), id, (cc_str){NULL, 0}, false) != CC_OK) { }
    }
    maybe_compact(d);
}

/* KeyError(key) with key kept whole: PyErr_SetObject would unpack a tuple
 * key into the exception's arguments (KeyError((1,)) must not become
 * KeyError(1)), as dict takes care to avoid. */
static PyObject *key_error(PyObject *key) {
    PyObject *exc = PyObject_CallOneArg(PyExc_KeyError, key);
    if (exc) {
        PyErr_SetObject(PyExc_KeyError, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* ---- construction ------------------------------------------------------------ */

static PyObject *make_values(PyTypeObject *type, PyObject *value_dtype, int *kind) {
    if (PyUnicode_Check(value_dtype) && PyUnicode_CompareWithASCIIString(value_dtype, "str") == 0) {
        *kind = VALUES_STR;
        cc_strarray a;
        cc_strarray_init(&a, false);
        return strarray_wrap(type, &a);
    }
    if (PyUnicode_Check(value_dtype) && PyUnicode_CompareWithASCIIString(value_dtype, "object") == 0) {
        *kind = VALUES_OBJECT;
        return PyList_New(0);
    }
    cc_dtype dtype;
    bool adaptive;
    char param[CC_TZ_MAX]; /* a time zone, a decimal's "precision,scale" */
    if (dtype_parse(value_dtype, &dtype, &adaptive, param) < 0) return NULL;
    *kind = VALUES_NUMERIC;
    cc_numarray a;
    cc_numarray_init(&a, dtype, adaptive, false);
    if (cc_numarray_set_tz(&a, param) != CC_OK) /* dtype_parse checked it */
        return PyErr_Format(PyExc_ValueError, "StrDict: bad value dtype %R", value_dtype);
    return array_wrap(type, &a);
}

static PyObject *strdict_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    /* value_dtype is the first positional argument; the rest (items,
     * keyword items) are the facade's __init__'s */
    PyObject *value_dtype = NULL;
    if (PyTuple_GET_SIZE(args) > 0) value_dtype = PyTuple_GET_ITEM(args, 0);
    else if (kwds) value_dtype = PyDict_GetItemString(kwds, "value_dtype");
    if (!value_dtype) value_dtype = PyUnicode_InternFromString("int64");
    else Py_INCREF(value_dtype);
    if (!value_dtype) return NULL;
    D *d = (D *)type->tp_alloc(type, 0);
    if (d) {
        cc_strset_init(&d->keys);
        if (!(d->values = make_values(type, value_dtype, &d->kind))) Py_CLEAR(d);
    }
    Py_DECREF(value_dtype);
    return (PyObject *)d;
}

static int strdict_traverse(D *d, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(d));
    Py_VISIT(d->values);
    return 0;
}

static int strdict_clear_refs(D *d) {
    Py_CLEAR(d->values);
    return 0;
}

static void strdict_dealloc(D *d) {
    PyTypeObject *tp = Py_TYPE(d);
    PyObject_GC_UnTrack(d);
    if (d->weakreflist) PyObject_ClearWeakRefs((PyObject *)d);
    cc_strset_reset(&d->keys);
    Py_CLEAR(d->values);
    tp->tp_free(d);
    Py_DECREF(tp);
}

/* ---- the mapping --------------------------------------------------------------- */

static Py_ssize_t strdict_length(D *d) { return (Py_ssize_t)cc_strset_live(&d->keys); }

static PyObject *strdict_subscript(D *d, PyObject *key) {
    int64_t id = find(d, key);
    if (id == -2) return NULL;
    if (id < 0) return key_error(key);
    return value_at(d, id);
}

static int strdict_ass_subscript(D *d, PyObject *key, PyObject *v) {
    if (v) return set_item(d, key, v, "__setitem__");
    int64_t id = find(d, key);
    if (id == -2) return -1;
    if (id < 0) {
        key_error(key);
        return -1;
    }
    PyObject *old;
    remove_entry(d, id, &old);
    Py_XDECREF(old);
    return 0;
}

static int strdict_contains(D *d, PyObject *key) {
    int64_t id = find(d, key);
    return id == -2 ? -1 : id >= 0;
}

static PyObject *strdict_get(D *d, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok(NAME, "get", nargs, 1, 2)) return NULL;
    int64_t id = find(d, args[0]);
    if (id == -2) return NULL;
    if (id < 0) return Py_NewRef(nargs > 1 ? args[1] : Py_None);
    return value_at(d, id);
}

static PyObject *strdict_pop(D *d, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok(NAME, "pop", nargs, 1, 2)) return NULL;
    int64_t id = find(d, args[0]);
    if (id == -2) return NULL;
    if (id < 0) return nargs > 1 ? Py_NewRef(args[1]) : key_error(args[0]);
    PyObject *v = value_at(d, id), *old;
    if (!v) return NULL;
    remove_entry(d, id, &old);
    Py_XDECREF(old);
    return v;
}

static PyObject *strdict_popitem(D *d, PyObject *unused) {
    (void)unused;
    int64_t id = cc_strset_entries(&d->keys) - 1;
    while (id >= 0 && !cc_strset_is_live(&d->keys, id)) id--;
    if (id < 0) {
        PyErr_SetString(PyExc_KeyError, "popitem(): " NAME " is empty");
        return NULL;
    }
    PyObject *k = str_from_utf8(cc_strset_key(&d->keys, id));
    PyObject *v = k ? value_at(d, id) : NULL;
    PyObject *pair = v ? PyTuple_Pack(2, k, v) : NULL, *old = NULL;
    if (pair) remove_entry(d, id, &old);
    Py_XDECREF(k);
    Py_XDECREF(v);
    Py_XDECREF(old);
    return pair;
}

static PyObject *strdict_setdefault(D *d, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok(NAME, "setdefault", nargs, 1, 2)) return NULL;
    PyObject *dflt = nargs > 1 ? args[1] : Py_None;
    int64_t id = find(d, args[0]);
    if (id == -2) return NULL;
    if (id >= 0) return value_at(d, id);
    if (set_item(d, args[0], dflt, "setdefault") < 0) return NULL;
    return strdict_subscript(d, args[0]);
}

/* An empty values container of d's kind (and dtype). */
static PyObject *empty_values(D *d) {
    if (d->kind == VALUES_OBJECT) return PyList_New(0);
    if (d->kind == VALUES_STR) {
        cc_strarray a;
        cc_strarray_init(&a, false);
        return strarray_wrap(Py_TYPE(d->values), &a);
    }
    cc_numarray a;
    cc_numarray_init_like(&a, nums(d));
    if (a.adaptive) a.dtype = CC_INT8; /* an empty adaptive array starts narrow */
    return array_wrap(Py_TYPE(d->values), &a);
}

static PyObject *strdict_clear(D *d, PyObject *unused) {
    (void)unused;
    if (d->keys.keys.exports) return raise_st(CC_EBUSY, "clear"); /* pickle buffers */
    PyObject *fresh = empty_values(d);
    if (!fresh) return NULL;
    cc_strset_reset(&d->keys);
    d->version++;
    Py_SETREF(d->values, fresh); /* old object values go last */
    Py_RETURN_NONE;
}

/* A new StrDict of d's type and value dtype, empty. */
static D *empty_like(D *d) {
    PyTypeObject *tp = Py_TYPE(d);
    D *r = (D *)tp->tp_alloc(tp, 0);
    if (!r) return NULL;
    cc_strset_init(&r->keys);
    r->kind = d->kind;
    if (!(r->values = empty_values(d))) Py_CLEAR(r);
    return r;
}

/* ---- bulk: merge, count, increment ------------------------------------------------- */

/* d.update(src) for a staging StrDict src of the same value kind that the
 * facade filled first (so every key and value is already valid).  Room is
 * made before the first change, so nothing after it can fail: all or
 * nothing.  A 'str' dict that overwrites existing values is rebuilt, since
 * overwriting in place could need memory half-way. */
static PyObject *strdict_merge(D *d, PyObject *arg) {
    module_state *ms = state_of_type(Py_TYPE(d));
    if (!ms) return NULL;
    if (!PyObject_TypeCheck(arg, ms->StrDictType)) {
        PyErr_SetString(PyExc_TypeError, NAME "._merge expects a StrDict");
        return NULL;
    }
    D *src = (D *)arg;
    if (src->kind != d->kind) {
        PyErr_SetString(PyExc_TypeError, NAME "._merge: value kinds differ");
        return NULL;
    }
    cc_strset *ks = &d->keys;
    int64_t n_src = cc_strset_entries(&src->keys), added = 0, bytes = 0, overwrites = 0;
    for (int64_t j = 0; j < n_src; j++) {
        if (!cc_strset_is_live(&src->keys, j)) continue;
        cc_str k = cc_strset_key(&src->keys, j);
        if (cc_strset_find(ks, k) < 0) added++, bytes += k.len;
        else overwrites++;
    }
    int64_t n = cc_strset_entries(ks) + added;
    cc_status st = cc_strset_reserve(ks, n, ks->keys.data_len + bytes);
    if (st == CC_OK && d->kind == VALUES_NUMERIC) {
        if (nums(src)->dtype > nums(d)->dtype && nums(d)->adaptive)
            st = cc_numarray_widen(nums(d), nums(src)->dtype);
        if (st == CC_OK) st = cc_numarray_reserve(nums(d), n);
    } else if (st == CC_OK && d->kind == VALUES_STR) {
        int64_t vbytes = strs(d)->data_len + cc_strarray_live_bytes(strs(src));
        if (overwrites) {
            /* rebuild: every live value, new ones replacing old */
            cc_strarray out;
            cc_strarray_init(&out, false);
            st = cc_strarray_reserve(&out, n, vbytes);
            for (int64_t id = 0; st == CC_OK && id < cc_strset_entries(ks); id++) {
                int64_t j = cc_strset_find(&src->keys, cc_strset_key(ks, id));
                cc_str v = j >= 0 && cc_strset_is_live(ks, id) ? cc_strarray_get(strs(src), j)
                                                               : cc_strarray_get(strs(d), id);
                st = cc_strarray_append(&out, v, false);
            }
            PyObject *fresh = st == CC_OK ? strarray_wrap(Py_TYPE(d->values), &out) : NULL;
            cc_strarray_reset(&out);
            if (!fresh) return st == CC_OK ? NULL : raise_st(st, "update");
            cc_strarray *o = &((StringArrayObject *)fresh)->arr;
            if ((st = cc_strarray_reserve(o, n, vbytes)) != CC_OK) {
                Py_DECREF(fresh);
                return raise_st(st, "update");
            }
            Py_SETREF(d->values, fresh);
        } else {
            st = cc_strarray_reserve(strs(d), n, vbytes);
        }
    }
    if (st != CC_OK) return raise_st(st, "update");
    PyObject *olds = NULL; /* replaced object values, decref'd last */
    if (d->kind == VALUES_OBJECT) {
        /* room for the new references: None placeholders, filled below */
        PyObject *pad = PyList_New(added);
        if (!pad || !(olds = PyList_New(overwrites))) {
            Py_XDECREF(pad);
            return NULL;
        }
        for (int64_t k = 0; k < added; k++) PyList_SET_ITEM(pad, k, Py_NewRef(Py_None));
        Py_ssize_t len = PyList_GET_SIZE(d->values);
        int r = PyList_SetSlice(d->values, len, len, pad);
        Py_DECREF(pad);
        if (r < 0) {
            Py_DECREF(olds);
            return NULL;
        }
    }
    /* Commit: room was made above, so nothing below allocates or fails. */
    Py_ssize_t replaced = 0;
    for (int64_t j = 0; j < n_src; j++) {
        if (!cc_strset_is_live(&src->keys, j)) continue;
        int64_t id;
        bool was_added;
        st = cc_strset_insert(ks, cc_strset_key(&src->keys, j), &id, &was_added);
        if (was_added) d->version++;
        switch (d->kind) {
        case VALUES_NUMERIC: {
            cc_scalar s;
            cc_numarray_get(nums(src), j, &s);
            st = was_added ? cc_numarray_append(nums(d), &s) : cc_numarray_set(nums(d), id, &s);
            break;
        }
        case VALUES_STR:
            if (was_added) st = cc_strarray_append(strs(d), cc_strarray_get(strs(src), j), false);
            break; /* overwrites were written by the rebuild */
        default: {
            PyObject *prev = PyList_GET_ITEM(d->values, id);
            PyList_SET_ITEM(d->values, id, Py_NewRef(PyList_GET_ITEM(src->values, j)));
            if (was_added) Py_DECREF(prev); /* a None placeholder */
            else PyList_SET_ITEM(olds, replaced++, prev);
        }
        }
        (void)st;
    }
    Py_XDECREF(olds); /* replaced object values go last */
    Py_RETURN_NONE;
}

/* d.increment(key, by=1): d[key] = d.get(key, 0) + by, with the range of
 * the value dtype checked (OverflowError, d unchanged). */
static PyObject *strdict_increment(D *d, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"key", "by", NULL};
    PyObject *key, *by = NULL, *one = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:increment", kwlist, &key, &by)) return NULL;
    if (d->kind == VALUES_STR) {
        PyErr_SetString(PyExc_TypeError, NAME "('str').increment: str values cannot be incremented");
        return NULL;
    }
    if (!by && !(by = one = PyLong_FromLong(1))) return NULL;
    int64_t id = find(d, key);
    PyObject *sum = NULL;
    if (id == -2) goto done;
    if (id >= 0) {
        PyObject *old = value_at(d, id);
        sum = old ? PyNumber_Add(old, by) : NULL;
        Py_XDECREF(old);
    } else {
        sum = Py_NewRef(by);
    }
    if (sum && set_item(d, key, sum, "increment") < 0) Py_CLEAR(sum);
done:
    Py_XDECREF(one);
    if (!sum) return NULL;
    Py_DECREF(sum);
    Py_RETURN_NONE;
}

/* _count(iterable): adds one per occurrence of each str to an int64 dict
 * (the C loop behind StrDict.count): no str objects, no boxed counts. */
static PyObject *strdict_count_into(D *d, PyObject *iterable) {
    if (d->kind != VALUES_NUMERIC || nums(d)->dtype != CC_INT64 || nums(d)->adaptive) {
        PyErr_SetString(PyExc_TypeError, NAME "._count needs an int64 dict");
        return NULL;
    }
    PyObject *it = PyObject_GetIter(iterable), *v;
    if (!it) return NULL;
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    cc_scalar one = {.kind = CC_SCALAR_INT, .v.i = 1};
    for (Py_ssize_t i = 0; (v = PyIter_Next(it)); i++) {
        int64_t id;
        bool added;
        int r = str_value_utf8(v, &buf, &s, NAME, "count", i, STR_NULLS_NEVER);
        Py_DECREF(v);
        cc_status st = r < 0 ? CC_OK : cc_strset_insert(&d->keys, s, &id, &added);
        if (r == 0 && st == CC_OK && added) {
            st = cc_numarray_append(nums(d), &one);
            if (st != CC_OK) {
                if (cc_strset_truncate(&d->keys, id) != CC_OK) { }
            } else {
                d->version++;
            }
        } else if (r == 0 && st == CC_OK && (st = cc_numarray_own(nums(d))) == CC_OK) {
            /* written in place: private first (a snapshot may share it) */
            int64_t *slot = (int64_t *)(void *)nums(d)->data + id;
            if (*slot == INT64_MAX) st = CC_EOVERFLOW;
            else ++*slot;
        }
        if (r < 0 || st != CC_OK) {
            if (r == 0) raise_st(st, "count");
            utf8_buf_release(&buf);
            Py_DECREF(it);
            return NULL;
        }
    }
    utf8_buf_release(&buf);
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- iteration --------------------------------------------------------------------- */

enum { ITER_KEYS, ITER_VALUES, ITER_ITEMS };

typedef struct {
    PyObject_HEAD
    D *dict; /* NULL once exhausted */
    int64_t pos, size;
    uint64_t version;
    int what;
} StrDictIterObject;

static PyObject *iter_new(D *d, int what) {
    module_state *st = state_of_type(Py_TYPE(d));
    if (!st) return NULL;
    StrDictIterObject *it = PyObject_GC_New(StrDictIterObject, st->StrDictIterType);
    if (!it) return NULL;
    it->dict = (D *)Py_NewRef(d);
    it->pos = 0;
    it->size = cc_strset_live(&d->keys);
    it->version = d->version;
    it->what = what;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *strdict_iter(D *d) { return iter_new(d, ITER_KEYS); }
static PyObject *strdict_iter_values(D *d, PyObject *unused) { return iter_new(d, ITER_VALUES); }
static PyObject *strdict_iter_items(D *d, PyObject *unused) { return iter_new(d, ITER_ITEMS); }

static PyObject *iter_next(StrDictIterObject *it) {
    D *d = it->dict;
    if (!d) return NULL;
    if (cc_strset_live(&d->keys) != it->size) {
        PyErr_SetString(PyExc_RuntimeError, NAME " changed size during iteration");
        return NULL;
    }
    if (d->version != it->version) {
        PyErr_SetString(PyExc_RuntimeError, NAME " keys changed during iteration");
        return NULL;
    }
    int64_t n = cc_strset_entries(&d->keys);
    while (it->pos < n && !cc_strset_is_live(&d->keys, it->pos)) it->pos++;
    if (it->pos >= n) {
        Py_CLEAR(it->dict);
        return NULL;
    }
    int64_t id = it->pos++;
    if (it->what == ITER_VALUES) return value_at(d, id);
    PyObject *k = str_from_utf8(cc_strset_key(&d->keys, id));
    if (it->what == ITER_KEYS || !k) return k;
    PyObject *v = value_at(d, id);
    PyObject *pair = v ? PyTuple_Pack(2, k, v) : NULL;
    Py_DECREF(k);
    Py_XDECREF(v);
    return pair;
}

static int iter_traverse(StrDictIterObject *it, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(it));
    Py_VISIT(it->dict);
    return 0;
}

static void iter_dealloc(StrDictIterObject *it) {
    PyTypeObject *tp = Py_TYPE(it);
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->dict);
    PyObject_GC_Del(it);
    Py_DECREF(tp);
}

static PyObject *iter_length_hint(StrDictIterObject *it, PyObject *unused) {
    (void)unused;
    return PyLong_FromLongLong(it->dict ? cc_strset_live(&it->dict->keys) : 0);
}

static PyMethodDef iter_methods[] = {
    {"__length_hint__", (PyCFunction)iter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot iter_slots[] = {
    {Py_tp_dealloc, iter_dealloc},
    {Py_tp_traverse, iter_traverse},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, iter_next},
    {Py_tp_methods, iter_methods},
    {0, NULL},
};

PyType_Spec strdict_iter_spec = {
    .name = "compactcol._core.StrDictIterator",
    .basicsize = sizeof(StrDictIterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = iter_slots,
};

/* ---- copies, pickling, sizes ---------------------------------------------------------- */

static PyObject *strdict_copy(D *d, PyObject *unused) {
    (void)unused;
    D *r = empty_like(d);
    PyObject *done = r ? strdict_merge(r, (PyObject *)d) : NULL;
    if (!done) Py_CLEAR(r);
    Py_XDECREF(done);
    return (PyObject *)r;
}

/* The live keys as a StringArray and the live values as a container of the
 * values' kind, both in order (the pickle state). */
static PyObject *strdict_state(D *d, PyObject *unused) {
    (void)unused;
    D *c = (D *)strdict_copy(d, NULL); /* a copy has no tombstones */
    if (!c) return NULL;
    cc_strarray keys;
    cc_strarray_init(&keys, false);
    cc_status st = cc_strarray_gather(&c->keys.keys, 0, 1, c->keys.keys.length, &keys);
    PyObject *k = st == CC_OK ? strarray_wrap(Py_TYPE(d), &keys) : raise_st(st, "pickle");
    cc_strarray_reset(&keys);
    PyObject *r = k ? PyTuple_Pack(2, k, c->values) : NULL;
    Py_XDECREF(k);
    Py_DECREF(c);
    return r;
}

/* _load(keys, values): fills an empty StrDict from a pickle state; keys a
 * StringArray of distinct strings, values a container of the right kind
 * (TypeError otherwise) and length (ValueError otherwise). */
static PyObject *strdict_load(D *d, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok(NAME, "_load", nargs, 2, 2)) return NULL;
    PyObject *keys = args[0], *values = args[1];
    bool kind_ok = d->kind == VALUES_OBJECT ? PyList_CheckExact(values)
                   : d->kind == VALUES_STR  ? strarray_check(values)
                                            : Py_TYPE(values) == Py_TYPE(d->values);
    if (!strarray_check(keys) || !kind_ok) {
        PyErr_Format(PyExc_TypeError, NAME " pickle state: expected keys as a StringArray and "
                     "values as a %s, got %.50s and %.50s",
                     d->kind == VALUES_OBJECT ? "list" : d->kind == VALUES_STR ? "StringArray"
                                                                                : "Array",
                     Py_TYPE(keys)->tp_name, Py_TYPE(values)->tp_name);
        return NULL;
    }
    if (cc_strset_entries(&d->keys) || PyObject_Length(keys) != PyObject_Length(values)) {
        PyErr_SetString(PyExc_ValueError, NAME " pickle state: keys and values do not match");
        return NULL;
    }
    const cc_strarray *ka = &((StringArrayObject *)keys)->arr;
    if (ka->null_count || (d->kind == VALUES_STR && ((StringArrayObject *)values)->arr.null_count)) {
        PyErr_SetString(PyExc_ValueError, NAME " pickle state: a None key or value");
        return NULL;
    }
    if (d->kind == VALUES_NUMERIC) {
        const cc_numarray *v = &((ArrayObject *)values)->arr;
        if (v->nullable || v->adaptive != nums(d)->adaptive ||
            (!v->adaptive && v->dtype != nums(d)->dtype)) {
            PyErr_SetString(PyExc_ValueError, NAME " pickle state: values of another dtype");
            return NULL;
        }
    }
    /* our own copy of the values: a hostile state could share one object */
    PyObject *own = PySequence_GetSlice(values, 0, PY_SSIZE_T_MAX);
    if (!own) return NULL;
    for (int64_t i = 0; i < ka->length; i++) {
        int64_t id;
        bool added;
        cc_status st = cc_strset_insert(&d->keys, cc_strarray_get(ka, i), &id, &added);
        if (st != CC_OK || !added) {
            cc_strset_reset(&d->keys);
            Py_DECREF(own);
            if (st != CC_OK) return raise_st(st, "unpickle");
            PyErr_Format(PyExc_ValueError, NAME " pickle state: key %lld is a duplicate",
                         (long long)i);
            return NULL;
        }
    }
    Py_SETREF(d->values, own);
    d->version++;
    Py_RETURN_NONE;
}

static PyObject *get_value_dtype(D *d, void *c) {
    (void)c;
    return get_value_dtype_of(d);
}

static PyObject *get_value_dtype_of(D *d) {
    if (d->kind == VALUES_NUMERIC && !nums(d)->adaptive) /* 'decimal128(12, 2)' in full */
        return dtype_name_object(nums(d)->dtype, nums(d)->tz);
    return PyUnicode_FromString(value_param(d));
}

static int keys_region(PyObject *owner, int which, buf_region *r) {
    return strarray_fill_region(&((D *)owner)->keys.keys, which, r);
}

/* Without tombstones the key arena is the state as it is (its buffers out
 * of band from protocol 5, read-only views that pin it), and so are the
 * values: an Array's or StringArray's own pickle state (its buffers as
 * read-only views), a list of the object values.  The live values
 * container itself never reaches Python code, which could resize it out of
 * step with the keys.  With tombstones a compacted copy is pickled. */
static PyObject *strdict_reduce_ex(D *d, PyObject *protocol) {
    PyObject *mod = PyImport_ImportModule("compactcol._pickle");
    bool in_place = d->keys.removed_count == 0 &&
                    PyObject_Length(d->values) == cc_strset_entries(&d->keys);
    PyObject *fn = mod ? PyObject_GetAttrString(mod, in_place ? "strdict_from_buffers"
                                                              : "strdict_from_state")
                       : NULL;
    Py_XDECREF(mod);
    if (in_place) {
        PyObject *keys = fn ? strarray_state_args((PyObject *)d, keys_region, &d->keys.keys,
                                                  protocol) : NULL;
        PyObject *dtype = keys ? get_value_dtype(d, NULL) : NULL;
        PyObject *values = !dtype ? NULL
                         : d->kind == VALUES_OBJECT ? PyList_GetSlice(d->values, 0, PY_SSIZE_T_MAX)
                         : PyObject_CallMethod(d->values, "__reduce_ex__", "O", protocol);
        PyObject *r = values ? Py_BuildValue("O(OOOO)", fn, (PyObject *)Py_TYPE(d), dtype, keys,
                                             values) : NULL;
        Py_XDECREF(fn);
        Py_XDECREF(keys);
        Py_XDECREF(dtype);
        Py_XDECREF(values);
        return r;
    }
    PyObject *state = fn ? strdict_state(d, NULL) : NULL;
    PyObject *dtype = state ? get_value_dtype(d, NULL) : NULL;
    PyObject *r = dtype ? Py_BuildValue("O(OOOO)", fn, (PyObject *)Py_TYPE(d), dtype,
                                        PyTuple_GET_ITEM(state, 0), PyTuple_GET_ITEM(state, 1))
                        : NULL;
    Py_XDECREF(fn);
    Py_XDECREF(state);
    Py_XDECREF(dtype);
    return r;
}

static int64_t values_payload(D *d) {
    switch (d->kind) {
    case VALUES_NUMERIC: return nums(d)->length * cc_numarray_itemsize(nums(d));
    case VALUES_STR: return strarray_nbytes(strs(d));
    default: return (int64_t)PyList_GET_SIZE(d->values) * (int64_t)sizeof(PyObject *);
    }
}

static int64_t keys_bytes(const cc_strset *k) {
    return k->table_size * (int64_t)sizeof(uint32_t) +
           (k->removed ? cc_bitmap_bytes(k->removed_cap) : 0);
}

static PyObject *get_nbytes(D *d, void *c) {
    (void)c;
    return PyLong_FromLongLong(strarray_nbytes(&d->keys.keys) + keys_bytes(&d->keys) +
                               values_payload(d));
}

static PyObject *strdict_sizeof(D *d, PyObject *unused) {
    (void)unused;
    int64_t values;
    switch (d->kind) {
    case VALUES_NUMERIC: values = nums(d)->capacity * cc_numarray_itemsize(nums(d)); break;
    case VALUES_STR: values = strarray_owned_bytes(strs(d)); break;
    default: values = (int64_t)((PyListObject *)d->values)->allocated * (int64_t)sizeof(PyObject *);
    }
    return PyLong_FromLongLong((long long)Py_TYPE(d)->tp_basicsize +
                               strarray_owned_bytes(&d->keys.keys) + keys_bytes(&d->keys) + values);
}

static PyObject *strdict_debug_info(D *d, PyObject *unused) {
    (void)unused;
    cc_error err;
    if (cc_strset_validate(&d->keys, &err) != CC_OK) {
        PyErr_Format(PyExc_AssertionError, NAME " invariant violated: %s", err.why);
        return NULL;
    }
    if (PyObject_Length(d->values) != cc_strset_entries(&d->keys)) {
        PyErr_SetString(PyExc_AssertionError, NAME " invariant violated: one value per entry");
        return NULL;
    }
    return Py_BuildValue("{sLsLsLsL}", "length", (long long)cc_strset_live(&d->keys),
                         "entries", (long long)cc_strset_entries(&d->keys), "tombstones",
                         (long long)d->keys.removed_count, "table_size",
                         (long long)d->keys.table_size);
}

/* ---- the type ------------------------------------------------------------------------ */

static PyGetSetDef strdict_getset[] = {
    {"value_dtype", (getter)get_value_dtype, NULL,
     "The value type: an Array dtype name, 'str' or 'object'.", NULL},
    {"nbytes", (getter)get_nbytes, NULL,
     "Payload bytes: keys (UTF-8 + offsets + table) and values.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef strdict_methods[] = {
    {"get", (PyCFunction)(void (*)(void))strdict_get, METH_FASTCALL,
     "get($self, key, default=None, /)\n--\n\nd[key] if key is in d, else default."},
    {"pop", (PyCFunction)(void (*)(void))strdict_pop, METH_FASTCALL,
     /* Argument Clinic's form for a default that is no value:
        pydoc shows it, inspect.signature cannot evaluate it */
     "pop($self, key, default=<unrepresentable>, /)\n--\n\npop(key[, default]): remove key and "
     "return its value, or default if given (KeyError without one)."},
    {"popitem", (PyCFunction)strdict_popitem, METH_NOARGS,
     "popitem($self, /)\n--\n\nRemove and return the last (key, value) pair (LIFO)."},
    {"setdefault", (PyCFunction)(void (*)(void))strdict_setdefault, METH_FASTCALL,
     "setdefault($self, key, default=None, /)\n--\n\nd[key], inserting default first if absent."},
    {"clear", (PyCFunction)strdict_clear, METH_NOARGS, "clear($self, /)\n--\n\nRemove every key."},
    {"copy", (PyCFunction)strdict_copy, METH_NOARGS, "copy($self, /)\n--\n\nA shallow copy."},
    {"__copy__", (PyCFunction)strdict_copy, METH_NOARGS, NULL},
    {"increment", (PyCFunction)(void (*)(void))strdict_increment, METH_VARARGS | METH_KEYWORDS,
     "increment($self, /, key, by=1)\n--\n\nd[key] = d.get(key, 0) + by, range-checked."},
    {"_merge", (PyCFunction)strdict_merge, METH_O, "update() from a staging StrDict (all or nothing)."},
    {"_count", (PyCFunction)strdict_count_into, METH_O, "Count the strs of an iterable into d."},
    {"_iter_values", (PyCFunction)strdict_iter_values, METH_NOARGS, NULL},
    {"_iter_items", (PyCFunction)strdict_iter_items, METH_NOARGS, NULL},
    {"_load", (PyCFunction)(void (*)(void))strdict_load, METH_FASTCALL,
     "Fill an empty StrDict from a pickle state (validated)."},
    {"__reduce_ex__", (PyCFunction)strdict_reduce_ex, METH_O, "Pickle support."},
    {"__sizeof__", (PyCFunction)strdict_sizeof, METH_NOARGS,
     "Size in bytes including the owned buffers (for sys.getsizeof)."},
    {"_debug_info", (PyCFunction)strdict_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef strdict_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(D, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot strdict_slots[] = {
    {Py_tp_doc, "The C half of compactcol.StrDict (use that class)."},
    {Py_tp_new, strdict_new},
    {Py_tp_dealloc, strdict_dealloc},
    {Py_tp_traverse, strdict_traverse},
    {Py_tp_clear, strdict_clear_refs},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, strdict_iter},
    {Py_tp_getset, strdict_getset},
    {Py_tp_members, strdict_members},
    {Py_tp_methods, strdict_methods},
    {Py_sq_contains, strdict_contains},
    {Py_mp_length, strdict_length},
    {Py_mp_subscript, strdict_subscript},
    {Py_mp_ass_subscript, strdict_ass_subscript},
    {0, NULL},
};

PyType_Spec strdict_spec = {
    .name = "compactcol._core.StrDict",
    .basicsize = sizeof(D),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = strdict_slots,
};
