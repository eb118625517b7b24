/* categorical.c -- compactcol.CategoricalArray: a list of str stored as
 * small integer codes into a StringPool.
 *
 *   codes   Array('int')  [ 2 | 0 | 0 | 1 | -1 | 2 ... ]   int8, widening to
 *                                                           int16/32/64 as the
 *                                                           pool grows
 *   pool    StringPool    0 'red'  1 'green'  2 'blue'      shared, append-only
 *
 * A code is a pool id; -1 is None (pandas' convention, so the codes hand
 * over to pandas.Categorical as they are).  `codes` is the live Array, so
 * a user can write any int into it: every read checks the code against the
 * pool and raises IndexError for one that is not there (DI2), never reads
 * out of bounds.  The pool is append-only, so codes that were valid stay
 * valid whoever else shares it (DI4).
 *
 * All-or-nothing: values are collected and checked first (user code runs
 * only then), then interned -- which only adds to the pool -- and the codes
 * committed with one core call (seq.c, over the codes); if the call is
 * refused or that commit fails (BufferError while the codes are exported,
 * MemoryError) the pool forgets the strings this call added (cat_undo,
 * cc_strset_truncate: nothing else ran in between).
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "arrow.h"

#include <structmember.h>

#define NAME "CategoricalArray"

typedef CategoricalObject Cat;

static cc_numarray *codes_of(PyObject *self) {
    return &((ArrayObject *)((Cat *)self)->codes)->arr;
}
static PyObject *pool_of(PyObject *self) { return ((Cat *)self)->pool; }
static cc_strset *set_of(PyObject *self) { return &((StringPoolObject *)pool_of(self))->set; }

static PyObject *raise_st(cc_status st, const char *what) { return status_raise(NAME, st, what); }

static void forget_new_strings(PyObject *self, int64_t pool_before) {
    if (cc_strset_truncate(set_of(self), pool_before) != CC_OK) { /* only grew */ }
}

/* ---- decoding ------------------------------------------------------------------ */

static int64_t code_at(const cc_numarray *codes, Py_ssize_t i) {
    cc_scalar s;
    cc_numarray_get(codes, i, &s);
    return s.v.i; /* adaptive ints are INT scalars */
}

static PyObject *decode(PyObject *self, Py_ssize_t i) {
    int64_t code = code_at(codes_of(self), i);
    if (code == -1) Py_RETURN_NONE;
    int64_t n = cc_strset_entries(set_of(self));
    if (code < 0 || code >= n) {
        PyErr_Format(PyExc_IndexError, NAME "[%zd]: code %lld is not in its pool (ids are 0..%lld)",
                     i, (long long)code, (long long)n - 1);
        return NULL;
    }
    return str_from_utf8(cc_strset_key(set_of(self), code));
}

static Py_ssize_t cat_length(PyObject *self) { return (Py_ssize_t)codes_of(self)->length; }

/* ---- encoding ------------------------------------------------------------------ */

static cc_numarray empty_codes(void) {
    cc_numarray c;
    cc_numarray_init(&c, CC_INT8, true, false);
    return c;
}

/* The codes of every value of src, in *out (adaptive int).  The values are
 * converted and interned a chunk at a time (str_chunks), so the scratch is
 * one chunk of strings and ids, whatever the input's size.
 *
 * The new strings are in the pool, which held *pool_before entries before,
 * so a failure can forget them.  But an iterator's __next__ runs between
 * chunks and may intern strings of its own into the same pool (a shared
 * one), whose ids must stay: when the pool has grown by anything but our
 * chunks, *pool_before is -1 and a failure leaves the new strings (as a
 * failed call may). */
static int encode(PyObject *self, PyObject *src, const char *what, cc_numarray *out,
                  int64_t *pool_before) {
    Cat *c = (Cat *)self;
    *out = empty_codes();
    int64_t before = cc_strset_entries(set_of(self));
    str_chunks chunks;
    if (str_chunks_open(&chunks, src, str_nulls_for(c->nullable), NAME, what) < 0) return -1;
    bool forgettable = true;
    int64_t mark = before; /* the pool's size when we last interned */
    int64_t *ids = PyMem_Malloc((size_t)STR_CHUNK_ITEMS * sizeof *ids);
    int r = ids ? 0 : (PyErr_NoMemory(), -1);
    while (r == 0) {
        cc_strarray strings;
        Py_ssize_t n = str_chunks_next(&chunks, STR_CHUNK_ITEMS, &strings);
        forgettable &= cc_strset_entries(set_of(self)) == mark; /* user code ran */
        if (n <= 0) {
            r = n < 0 ? -1 : 0;
            break;
        }
        cc_error err;
        if (pool_intern_all(pool_of(self), &strings, false, ids) < 0) {
            r = -1;
        } else {
            cc_status st = cc_numarray_append_converted(out, CC_INT64, ids, n, &err);
            if (st != CC_OK) r = -1, raise_st(st, what);
        }
        mark = cc_strset_entries(set_of(self));
        cc_strarray_reset(&strings);
    }
    PyMem_Free(ids);
    str_chunks_close(&chunks);
    if (r < 0) {
        if (forgettable) forget_new_strings(self, before);
        cc_numarray_reset(out);
    }
    *pool_before = forgettable ? before : -1;
    return r;
}

static cc_scalar int_scalar(int64_t v) {
    cc_scalar s = {.kind = CC_SCALAR_INT, .v.i = v};
    return s;
}

/* The pool id of str v if present, -1 if absent, -2 on error; *is_str. */
static int64_t find_code(PyObject *self, PyObject *v, bool *comparable) {
    *comparable = true;
    if (v == Py_None) return -1;
    if (!PyUnicode_Check(v)) {
        *comparable = false;
        return 0;
    }
    utf8_buf buf = UTF8_BUF_INIT;
    cc_str s;
    int64_t id;
    if (str_utf8(v, &buf, &s) == 0) {
        id = cc_strset_find(set_of(self), s);
        if (id < 0) id = -3; /* absent: matches no element */
    } else if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
        PyErr_Clear();
        id = -3;
    } else {
        id = -2;
    }
    utf8_buf_release(&buf);
    return id;
}

/* ---- construction ------------------------------------------------------------------- */

PyObject *categorical_item(PyObject *cat, Py_ssize_t i) { return decode(cat, i); }

PyObject *categorical_wrap(PyTypeObject *any_type_of_module, cc_numarray *codes, PyObject *pool,
                           bool nullable) {
    module_state *st = state_of_type(any_type_of_module);
    if (!st) return NULL;
    Cat *c = (Cat *)st->CategoricalArrayType->tp_alloc(st->CategoricalArrayType, 0);
    if (!c) return NULL;
    c->nullable = nullable;
    c->pool = Py_NewRef(pool);
    if (!(c->codes = array_wrap(any_type_of_module, codes))) Py_CLEAR(c);
    return (PyObject *)c;
}

static PyObject *cat_wrap(PyObject *like, cc_numarray *codes, PyObject *pool, bool nullable) {
    return categorical_wrap(Py_TYPE(like), codes, pool, nullable);
}

static PyObject *cat_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"values", "pool", "nullable", NULL};
    PyObject *values = NULL, *pool = Py_None;
    int nullable = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO$p:" NAME, kwlist, &values, &pool,
                                     &nullable))
        return NULL;
    module_state *st = state_of_type(type);
    if (!st) return NULL;
    if (pool != Py_None && !PyObject_TypeCheck(pool, st->StringPoolType)) {
        PyErr_Format(PyExc_TypeError, NAME ": pool must be a StringPool or None, not %s",
                     Py_TYPE(pool)->tp_name);
        return NULL;
    }
    Cat *self = (Cat *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    self->nullable = nullable;
    cc_numarray codes = empty_codes();
    self->pool = pool == Py_None ? pool_new_empty(type) : Py_NewRef(pool);
    if (!self->pool || !(self->codes = array_wrap(type, &codes))) goto fail;
    if (values) {
        int64_t before;
        if (encode((PyObject *)self, values, "__init__", &codes, &before) < 0) goto fail;
        cc_numarray_move(codes_of((PyObject *)self), &codes);
    }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static void cat_dealloc(Cat *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    Py_XDECREF(self->codes);
    Py_XDECREF(self->pool);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- indexing and the list methods (seq.c) ----------------------------------- */

static PyObject *slice_of(PyObject *self, Py_ssize_t start, Py_ssize_t step, Py_ssize_t n,
                          const char *what) {
    cc_numarray out;
    cc_numarray_init_like(&out, codes_of(self));
    cc_status st = cc_numarray_gather(codes_of(self), start, step, n, &out);
    PyObject *r = st == CC_OK ? cat_wrap(self, &out, pool_of(self), ((Cat *)self)->nullable)
                              : raise_st(st, what);
    cc_numarray_reset(&out);
    return r;
}

/* A new CategoricalArray over pool whose codes share self's (O(1),
 * copy-on-write); NULL without an exception while the codes are aliased
 * by a memoryview (CC_EBUSY: the caller gathers a real copy instead). */
static PyObject *share_codes(PyObject *self, PyObject *pool) {
    cc_numarray out;
    cc_numarray_init_like(&out, codes_of(self));
    cc_status st = cc_numarray_share_into(codes_of(self), &out);
    if (st == CC_EBUSY) return NULL;
    PyObject *r = st == CC_OK ? cat_wrap(self, &out, pool, ((Cat *)self)->nullable)
                              : raise_st(st, "copy");
    cc_numarray_reset(&out);
    return r;
}

/* copy()'s O(1) path: the codes shared, the pool shared by reference. */
static PyObject *cat_share(PyObject *self) { return share_codes(self, pool_of(self)); }

/* ---- searching --------------------------------------------------------------------- */

static const seq_ops cat_seq_ops;

static Py_ssize_t find_value(PyObject *self, PyObject *v, Py_ssize_t start, Py_ssize_t stop) {
    bool comparable;
    int64_t id = find_code(self, v, &comparable);
    if (!comparable) return seq_find_by_eq(self, &cat_seq_ops, v, start, stop);
    if (id == -2) return -2;
    if (id == -3) return -1;
    cc_scalar s = int_scalar(id);
    return (Py_ssize_t)cc_numarray_find(codes_of(self), &s, start, stop);
}

/* ---- the sequence operations (seq.c does the list methods) ------------------ */

static void *cat_store(PyObject *self) { return codes_of(self); }

static int cat_collect(PyObject *self, PyObject *src, seq_scratch *s, const char *what) {
    if (encode(self, src, what, &s->batch.num, &s->pool_mark) < 0) return -1;
    s->kind = SEQ_NUM;
    s->marked = s->pool_mark >= 0; /* see encode */
    return 0;
}

/* The code of one value (interning it); -1 for None. */
static int cat_convert_one(PyObject *self, PyObject *v, seq_scratch *s, const char *what) {
    bool nullable = ((Cat *)self)->nullable;
    int64_t code = -1;
    s->pool_mark = cc_strset_entries(set_of(self));
    s->marked = true;
    if (!(v == Py_None && nullable) &&
        (str_value_utf8(v, &s->buf, &s->one_str, NAME, what, -1, str_nulls_for(nullable)) < 0 ||
         pool_intern_utf8(pool_of(self), s->one_str, &code) < 0))
        return -1;
    s->one = int_scalar(code);
    return 0;
}

static Py_ssize_t cat_count_fast(PyObject *self, PyObject *v) {
    bool comparable;
    int64_t id = find_code(self, v, &comparable);
    if (id == -2 || !comparable) return id == -2 ? -2 : -1;
    cc_scalar s = int_scalar(id);
    return id == -3 ? 0 : (Py_ssize_t)cc_numarray_count(codes_of(self), &s);
}

/* A refused or failed call forgets the strings it interned (nothing else
 * ran in between: the pool only grew). */
static void cat_undo(PyObject *self, seq_scratch *s) {
    if (s->marked) forget_new_strings(self, s->pool_mark);
}

/* sort() orders by string, not by code: rank the pool's strings once
 * (O(k log k) for k categories), then a stable counting sort of the codes
 * by rank (O(n + k)); None (and any code not in the pool) last. */
static int sort_by_string(PyObject *self, bool reverse) {
    cc_numarray *codes = codes_of(self);
    const cc_strarray *keys = &set_of(self)->keys;
    int64_t k = keys->length, n = codes->length;
    int64_t *order = PyMem_Malloc((size_t)(k ? k : 1) * sizeof *order);
    int64_t *rank = PyMem_Malloc((size_t)(k ? k : 1) * sizeof *rank);
    int64_t *count = PyMem_Calloc((size_t)(k + 2), sizeof *count);
    int64_t *perm = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *perm);
    int r = -1;
    cc_status st;
    if (!order || !rank || !count || !perm) {
        PyErr_NoMemory();
        goto done;
    }
    if ((st = cc_strarray_argsort(keys, reverse, order)) != CC_OK) goto fail_status;
    for (int64_t j = 0; j < k; j++) rank[order[j]] = j;
    /* element i goes to bucket rank[code], or k for None and stray codes */
#define BUCKET(code) ((code) >= 0 && (code) < k ? rank[(code)] : k)
    for (int64_t i = 0; i < n; i++) count[BUCKET(code_at(codes, i)) + 1]++;
    for (int64_t b = 1; b <= k + 1; b++) count[b] += count[b - 1];
    for (int64_t i = 0; i < n; i++) perm[count[BUCKET(code_at(codes, i))]++] = i;
#undef BUCKET
    if ((st = cc_numarray_permute(codes, perm)) != CC_OK) goto fail_status;
    r = 0;
    goto done;
fail_status:
    raise_st(st, "sort");
done:
    PyMem_Free(order);
    PyMem_Free(rank);
    PyMem_Free(count);
    PyMem_Free(perm);
    return r;
}

static const seq_ops cat_seq_ops = {
    .name = NAME,
    .length = cat_length,
    .item = decode,
    .kind = SEQ_NUM,
    .store = cat_store,
    .column_offset = offsetof(Cat, table_column),
    .collect = cat_collect,
    .convert_one = cat_convert_one,
    .undo = cat_undo,
    .slice = slice_of,
    .find = find_value,
    .count_fast = cat_count_fast,
    .sort = sort_by_string,
    .share = cat_share,
    .copy_what = "__getitem__",
    .iadd_refused_as = "extend",
};

SEQ_DEFINE_SLOTS(cat, &cat_seq_ops)
SEQ_DEFINE_METHODS(cat, &cat_seq_ops)

/* deepcopy copies the pool through the memo, so arrays that shared a pool
 * share the copy; the codes are shared (copy-on-write), as copy() does. */
static PyObject *cat_deepcopy(PyObject *self, PyObject *memo) {
    PyObject *copy_mod = PyImport_ImportModule("copy");
    PyObject *pool = copy_mod ? PyObject_CallMethod(copy_mod, "deepcopy", "OO", pool_of(self), memo)
                              : NULL;
    Py_XDECREF(copy_mod);
    if (!pool) return NULL;
    PyObject *r = share_codes(self, pool);
    if (!r && !PyErr_Occurred()) { /* aliased codes: a real copy */
        cc_numarray out;
        cc_numarray_init_like(&out, codes_of(self));
        cc_status st = cc_numarray_gather(codes_of(self), 0, 1, cat_length(self), &out);
        r = st == CC_OK ? cat_wrap(self, &out, pool, ((Cat *)self)->nullable)
                        : raise_st(st, "__deepcopy__");
        cc_numarray_reset(&out);
    }
    Py_DECREF(pool);
    return r;
}

/* ---- comparison, repr, iteration, properties ---------------------------------------- */

static PyObject *cat_richcompare(PyObject *self, PyObject *other, int op) {
    module_state *st = state_of_type(Py_TYPE(self));
    if (!st) return NULL;
    if ((op == Py_EQ || op == Py_NE) && PyObject_TypeCheck(other, st->CategoricalArrayType) &&
        pool_of(other) == pool_of(self)) {
        /* one pool: equal strings have equal codes */
        const cc_numarray *a = codes_of(self), *b = codes_of(other);
        bool eq = a->length == b->length && cc_numarray_first_difference(a, b) < 0;
        return PyBool_FromLong(eq == (op == Py_EQ));
    }
    if (!seq_comparable(other)) Py_RETURN_NOTIMPLEMENTED;
    return seq_compare(self, &cat_seq_ops, other, op);
}

static PyObject *cat_repr(PyObject *self) {
    return seq_repr(self, &cat_seq_ops, NAME "(", ((Cat *)self)->nullable ? ", nullable=True" : "");
}

static PyObject *cat_iter(PyObject *self) { return seq_iter_new(self, &cat_seq_ops); }

static PyObject *get_pool(PyObject *self, void *c) { return Py_NewRef(pool_of(self)); }
static PyObject *get_codes(PyObject *self, void *c) { return Py_NewRef(((Cat *)self)->codes); }
static PyObject *get_nullable(PyObject *self, void *c) { return PyBool_FromLong(((Cat *)self)->nullable); }

static PyObject *get_categories(PyObject *self, void *c) {
    return PyObject_GetAttrString(pool_of(self), "strings");
}

static PyObject *get_null_count(PyObject *self, void *c) {
    cc_scalar s = int_scalar(-1);
    return PyLong_FromLongLong(cc_numarray_count(codes_of(self), &s));
}

static PyObject *get_nbytes(PyObject *self, void *c) {
    const cc_numarray *codes = codes_of(self);
    return PyLong_FromLongLong(codes->length * cc_numarray_itemsize(codes) +
                               pool_nbytes(pool_of(self)));
}

static PyObject *cat_sizeof(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_numarray *codes = codes_of(self);
    return PyLong_FromLongLong((long long)Py_TYPE(self)->tp_basicsize +
                               codes->capacity * cc_numarray_itemsize(codes));
}

static PyObject *cat_debug_info(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_numarray *codes = codes_of(self);
    cc_error err;
    if (cc_numarray_validate(codes, &err) != CC_OK || !codes->adaptive || codes->nullable) {
        PyErr_Format(PyExc_AssertionError, NAME " invariant violated: %s",
                     codes->adaptive && !codes->nullable ? err.why : "codes must be Array('int')");
        return NULL;
    }
    return Py_BuildValue("{sLsssL}", "length", (long long)codes->length, "code_dtype",
                         cc_dtype_get(codes->dtype)->name, "categories",
                         (long long)cc_strset_entries(set_of(self)));
}

static PyObject *cat_to_pandas(PyObject *self, PyObject *unused) {
    (void)unused;
    PyObject *mod = PyImport_ImportModule("compactcol._pandas");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, "categorical_to_pandas", "O", self);
    Py_DECREF(mod);
    return r;
}

/* ---- pickling ---------------------------------------------------------------------- */

/* State: (pool, codes, nullable) -- the pool is an object of its own, so
 * arrays pickled together keep sharing it (pickle's memo). */
static PyObject *cat_reduce_ex(PyObject *self, PyObject *protocol) {
    (void)protocol;
    PyObject *mod = PyImport_ImportModule("compactcol._pickle");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, "categorical_from_state") : NULL;
    Py_XDECREF(mod);
    if (!fn) return NULL;
    PyObject *r = Py_BuildValue("O(OOO)", fn, pool_of(self), ((Cat *)self)->codes,
                                ((Cat *)self)->nullable ? Py_True : Py_False);
    Py_DECREF(fn);
    return r;
}

/* _categorical_from_state(pool, codes, nullable): every code must be a
 * pool id, or -1 if nullable. */
PyObject *categorical_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    module_state *ms = PyModule_GetState(module);
    if (nargs != 3 || !PyObject_TypeCheck(args[0], ms->StringPoolType) ||
        !PyObject_TypeCheck(args[1], ms->ArrayType) || !PyBool_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        NAME " pickle state: expected (StringPool, Array, bool)");
        return NULL;
    }
    cc_numarray *src = &((ArrayObject *)args[1])->arr;
    bool nullable = args[2] == Py_True;
    int64_t k = cc_strset_entries(&((StringPoolObject *)args[0])->set);
    if (!src->adaptive || src->nullable) {
        PyErr_SetString(PyExc_ValueError, NAME " pickle state: codes must be Array('int')");
        return NULL;
    }
    for (int64_t i = 0; i < src->length; i++) {
        int64_t code = code_at(src, i);
        if (code >= k || code < (nullable ? -1 : 0)) {
            PyErr_Format(PyExc_ValueError, NAME " pickle state: code %lld at %lld is not in "
                         "the pool of %lld", (long long)code, (long long)i, (long long)k);
            return NULL;
        }
    }
    /* the codes shared with the unpickled Array (O(1)), copied if aliased */
    cc_numarray codes;
    cc_numarray_init_like(&codes, src);
    cc_status st = cc_numarray_share_into(src, &codes);
    if (st == CC_EBUSY) st = cc_numarray_gather(src, 0, 1, src->length, &codes);
    PyObject *r = st == CC_OK ? cat_wrap(args[1], &codes, args[0], nullable)
                              : raise_st(st, "unpickle");
    cc_numarray_reset(&codes);
    return r;
}

/* ---- the type ---------------------------------------------------------------------- */

static PyGetSetDef cat_getset[] = {
    {"pool", get_pool, NULL, "The StringPool the codes index (may be shared).", NULL},
    {"codes", get_codes, NULL,
     "The live Array('int') of codes (pool ids; -1 is None). Zero-copy: writing a code "
     "changes the element; a code not in the pool makes reading it raise IndexError.", NULL},
    {"categories", get_categories, NULL, "The pool's strings in id order (a StringArray copy).", NULL},
    {"nullable", get_nullable, NULL, "True if the array can hold None.", NULL},
    {"null_count", get_null_count, NULL, "Number of None elements.", NULL},
    {"nbytes", get_nbytes, NULL, "Payload bytes: the codes plus the pool's nbytes.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef cat_methods[] = {
    {"append", (PyCFunction)cat_append, METH_O,
     "append($self, s, /)\n--\n\nAppend a str (interned into the pool). Amortised O(1)."},
    {"extend", (PyCFunction)cat_extend, METH_O,
     "extend($self, values, /)\n--\n\nAppend every str of an iterable. All or nothing."},
    {"insert", (PyCFunction)(void (*)(void))cat_insert, METH_FASTCALL,
     "insert($self, i, s, /)\n--\n\nInsert s before index i. O(n)."},
    {"pop", (PyCFunction)(void (*)(void))cat_pop, METH_FASTCALL,
     "pop($self, i=-1, /)\n--\n\nRemove and return the item at i."},
    {"remove", (PyCFunction)cat_remove, METH_O,
     "remove($self, s, /)\n--\n\nRemove the first item equal to s; ValueError if absent."},
    {"index", (PyCFunction)(void (*)(void))cat_index, METH_FASTCALL,
     "index($self, s, start=0, stop=sys.maxsize, /)\n--\n\nFirst index of s (a search of "
     "the codes). ValueError if absent."},
    {"count", (PyCFunction)cat_count, METH_O,
     "count($self, s, /)\n--\n\nNumber of items equal to s (a count of one code)."},
    {"clear", (PyCFunction)cat_clear, METH_NOARGS,
     "clear($self, /)\n--\n\nRemove all items (the pool keeps its strings)."},
    {"reverse", (PyCFunction)cat_reverse, METH_NOARGS, "reverse($self, /)\n--\n\nReverse in place."},
    {"sort", (PyCFunction)(void (*)(void))cat_sort, METH_VARARGS | METH_KEYWORDS,
     "sort($self, /, *, key=None, reverse=False)\n--\n\nStable in-place sort by string "
     "(code point order, not code order; O(n + k log k) for k categories). None last."},
    {"copy", (PyCFunction)cat_copy, METH_NOARGS,
     "copy($self, /)\n--\n\nA copy sharing the same pool, O(1): the codes are shared until "
     "either side writes (copy-on-write)."},
    {"__copy__", (PyCFunction)cat_copy, METH_NOARGS, NULL},
    {"__deepcopy__", (PyCFunction)cat_deepcopy, METH_O, NULL},
    {"tolist", (PyCFunction)cat_tolist, METH_NOARGS, "tolist($self, /)\n--\n\nThe strings as a list."},
    {"__arrow_c_schema__", (PyCFunction)categorical_arrow_c_schema, METH_NOARGS,
     "__arrow_c_schema__($self, /)\n--\n\nThe Arrow schema: dictionary<int8..int64 -> string>."},
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))categorical_arrow_c_array,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_array__($self, /, requested_schema=None)\n--\n\nExport as an Arrow dictionary "
     "array without copying the codes or the pool's strings; both are pinned (no resize, no "
     "new categories) until the consumer releases it."},
    {"to_pandas", (PyCFunction)cat_to_pandas, METH_NOARGS,
     "to_pandas($self, /)\n--\n\nA pandas.Categorical whose codes share this array's memory "
     "when pandas chooses the same code width. Imports pandas."},
    {"save", (PyCFunction)seq_save, METH_O,
     "save($self, path, /)\n--\n\nWrite to path as an uncompressed Arrow IPC file (Feather "
     "v2), read back by compactcol.open(path). O(n). Needs pyarrow."},
    {"__reduce_ex__", (PyCFunction)cat_reduce_ex, METH_O,
     "Pickle support: the pool is pickled as an object, so sharing survives."},
    {"__sizeof__", (PyCFunction)cat_sizeof, METH_NOARGS,
     "Size in bytes including the codes buffer (the pool is a separate object)."},
    {"_debug_info", (PyCFunction)cat_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef cat_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(Cat, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(cat_doc,
"CategoricalArray(values=(), pool=None, *, nullable=False)\n"
"--\n\n"
"A mutable sequence of str stored as small integer codes (int8, widening as\n"
"needed) into a StringPool: about one byte per element for data with few\n"
"distinct values.  Pass the same pool to several arrays to share it.\n\n"
">>> c = CategoricalArray(['red', 'blue', 'red']); c.codes.tolist()\n"
"[0, 1, 0]");

static PyType_Slot cat_slots[] = {
    {Py_tp_doc, (void *)cat_doc},
    {Py_tp_new, cat_new},
    {Py_tp_dealloc, cat_dealloc},
    {Py_tp_repr, cat_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, cat_iter},
    {Py_tp_richcompare, cat_richcompare},
    {Py_tp_getset, cat_getset},
    {Py_tp_members, cat_members},
    {Py_tp_methods, cat_methods},
    {Py_sq_length, cat_length},
    SEQ_SLOTS(cat),
    {Py_mp_length, cat_length},
    {0, NULL},
};

PyType_Spec categorical_spec = {
    .name = "compactcol.CategoricalArray",
    .basicsize = sizeof(Cat),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_SEQUENCE,
    .slots = cat_slots,
};
