/* table_ops.c -- Table operations over whole columns: take (and through it
 * slicing and filter) and sort.
 *
 * sort(by=...) never boxes a value: cc_columns_sort (core) finds the order
 * with the key columns' own typed sorts -- a radix sort per number or code
 * key (categories by the rank of their strings), a stable merge sort of
 * the UTF-8 bytes (= code point order) per string key, the last key first
 * -- then permutes every column in place, all or nothing.  NaNs, then
 * nulls, go last in either direction, as pandas' na_position='last' and as
 * Array.sort do; reverse keeps equal rows in their order, as list.sort.
 * The only user code sort(by=...) runs is the iteration of `by`, done
 * first; the names are then looked up as exact str (no __eq__ runs) and
 * the length read after that, so nothing can change the table under the
 * comparator.  sort(key=...) goes through Python's list.sort of the keys
 * (seq_sort_by_key), which re-checks the length.  Columns an Arrow
 * consumer holds refuse before any column is permuted.
 */
#include "binding.h"
#include "array.h"
#include "pool.h"
#include "categorical.h"
#include "table.h"

#define NAME "Table"

/* ---- take -------------------------------------------------------------------------------- */

/* A new column object holding rows order[0..n) of column i. */
static PyObject *take_column(TableObject *t, Py_ssize_t i, const int64_t *order, int64_t n) {
    cc_column src = table_cc_column(t, i), out = src;
    cc_numarray num;
    cc_strarray str;
    if (src.is_str) cc_strarray_init(out.str = &str, src.str->nullable);
    else cc_numarray_init_like(out.num = &num, src.num);
    int64_t failed;
    cc_status st = cc_columns_take(&src, 1, order, n, &out, &failed);
    if (st != CC_OK) return status_raise(NAME, st, "take");
    PyObject *res = table_column_wrap(t, i, out);
    if (out.is_str) cc_strarray_reset(out.str); /* empty unless the wrap failed */
    else cc_numarray_reset(out.num);
    return res;
}

PyObject *table_take_columns(TableObject *t, const int64_t *order, int64_t n) {
    Py_ssize_t nf = schema_nfields(t->schema);
    PyObject *cols = PyTuple_New(nf);
    for (Py_ssize_t i = 0; cols && i < nf; i++) {
        PyObject *c = take_column(t, i, order, n);
        if (!c) Py_CLEAR(cols);
        else PyTuple_SET_ITEM(cols, i, c);
    }
    return cols;
}

static PyObject *take_rows(TableObject *t, const int64_t *order, int64_t n) {
    PyObject *cols = table_take_columns(t, order, n);
    PyObject *res = cols ? table_like(t, cols, n) : NULL;
    Py_XDECREF(cols);
    return res;
}

/* Any int sequence, buffer or Array -> int64 values (negatives from the
 * end), checked against the length. */
PyObject *table_take(PyObject *self, PyObject *indices) {
    TableObject *t = (TableObject *)self;
    cc_numarray idx;
    conv_where w = {NAME, "take", -1};
    if (table_ready(t) < 0 || num_collect((num_type){CC_INT64, false, false}, indices, &idx, &w) < 0) return NULL;
    int64_t *v = (int64_t *)(void *)idx.data;
    for (int64_t k = 0; k < idx.length; k++) {
        int64_t i = v[k] < 0 ? v[k] + t->length : v[k];
        if (i < 0 || i >= t->length) {
            PyErr_Format(PyExc_IndexError, NAME ".take: index %lld (item %lld) is out of "
                         "range for %lld rows", (long long)v[k], (long long)k,
                         (long long)t->length);
            cc_numarray_reset(&idx);
            return NULL;
        }
        v[k] = i;
    }
    PyObject *res = take_rows(t, v, idx.length);
    cc_numarray_reset(&idx);
    return res;
}

/* The rows where mask (bools, one per row) is true. */
PyObject *table_filter_mask(PyObject *self, PyObject *mask) {
    TableObject *t = (TableObject *)self;
    cc_numarray m;
    conv_where w = {NAME, "filter", -1};
    if (table_ready(t) < 0 || num_collect((num_type){CC_BOOL, false, false}, mask, &m, &w) < 0) return NULL;
    PyObject *res = NULL;
    if (m.length != t->length) {
        PyErr_Format(PyExc_ValueError, NAME ".filter: the mask has %lld values for %lld rows",
                     (long long)m.length, (long long)t->length);
        goto done;
    }
    int64_t n = 0;
    int64_t *order = PyMem_Malloc((size_t)(m.length ? m.length : 1) * sizeof *order);
    if (!order) {
        PyErr_NoMemory();
        goto done;
    }
    for (int64_t k = 0; k < m.length; k++)
        if (m.data[k]) order[n++] = k;
    res = take_rows(t, order, n);
    PyMem_Free(order);
done:
    cc_numarray_reset(&m);
    return res;
}

/* ---- sort by columns ------------------------------------------------------------------------ */

/* rank[id] = position of pool string id in byte order. */
static int64_t *category_ranks(PyObject *col, int64_t *nranks) {
    cc_strset *set = &((StringPoolObject *)((CategoricalObject *)col)->pool)->set;
    int64_t m = cc_strset_entries(set);
    cc_strarray strings;
    cc_strarray_init(&strings, false);
    int64_t *order = PyMem_Malloc((size_t)(m ? m : 1) * sizeof *order);
    int64_t *rank = PyMem_Malloc((size_t)(m ? m : 1) * sizeof *rank);
    cc_status st = order && rank ? CC_OK : CC_ENOMEM;
    for (int64_t id = 0; st == CC_OK && id < m; id++)
        st = cc_strarray_append(&strings, cc_strset_key(set, id), false);
    if (st == CC_OK) st = cc_strarray_argsort(&strings, false, order);
    cc_strarray_reset(&strings);
    if (st != CC_OK) {
        PyMem_Free(order), PyMem_Free(rank);
        status_raise(NAME, st, "sort");
        return NULL;
    }
    for (int64_t r = 0; r < m; r++) rank[order[r]] = r;
    PyMem_Free(order);
    *nranks = m;
    return rank;
}

/* Permutes every column by perm (keys == NULL), or sorts the rows by keys:
 * all or nothing, in place (allowed while exported; a column an Arrow
 * snapshot shares is copied first). */
static int reorder_rows(TableObject *t, const int64_t *perm, const cc_sort_key *keys,
                        Py_ssize_t nkeys, bool reverse) {
    Py_ssize_t nf = schema_nfields(t->schema);
    cc_column *cols = PyMem_Malloc((size_t)(nf ? nf : 1) * sizeof *cols);
    if (!cols) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < nf; i++) cols[i] = table_cc_column(t, i);
    int64_t failed;
    cc_status st = keys ? cc_columns_sort(cols, nf, keys, nkeys, reverse, &failed)
                        : cc_columns_permute(cols, nf, perm, &failed);
    PyMem_Free(cols);
    if (st != CC_OK) {
        status_raise(NAME, st, "sort");
        return -1;
    }
    t->version++;
    return 0;
}

static int permute_rows(TableObject *t, const int64_t *perm) {
    return reorder_rows(t, perm, NULL, 0, false);
}

static int sort_columns(TableObject *t, const cc_sort_key *keys, Py_ssize_t nkeys, bool reverse) {
    return reorder_rows(t, NULL, keys, nkeys, reverse);
}

/* by: None (every column, left to right), a name, or a list of names
 * (iterating it runs user code: done before anything else is read). */
static PyObject *key_names(TableObject *t, PyObject *by) {
    if (by == Py_None) return PySequence_List(((SchemaObject *)t->schema)->names);
    if (PyUnicode_Check(by)) return Py_BuildValue("[O]", by);
    return PySequence_List(by);
}

static int sort_by_columns(TableObject *t, PyObject *by, bool reverse) {
    PyObject *names = key_names(t, by);
    if (!names) return -1;
    Py_ssize_t nkeys = PyList_GET_SIZE(names);
    cc_sort_key *keys = PyMem_Calloc((size_t)(nkeys ? nkeys : 1), sizeof *keys);
    Py_ssize_t *pos = PyMem_Calloc((size_t)(nkeys ? nkeys : 1), sizeof *pos);
    int r = -1;
    Py_ssize_t made = 0;
    if (!keys || !pos) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < nkeys; k++)
        if ((pos[k] = table_column_index(t, PyList_GET_ITEM(names, k), "sort")) < 0) goto done;
    /* no user code runs from here on */
    for (; made < nkeys; made++) {
        Py_ssize_t i = pos[made];
        keys[made].col = table_cc_column(t, i);
        if (schema_field(t->schema, i)->kind == FIELD_CAT &&
            !(keys[made].rank = category_ranks(table_column(t, i), &keys[made].nranks)))
            goto done;
    }
    r = sort_columns(t, keys, nkeys, reverse);
done:
    for (Py_ssize_t k = 0; keys && k < made; k++) PyMem_Free((void *)keys[k].rank);
    PyMem_Free(keys), PyMem_Free(pos);
    Py_DECREF(names);
    return r;
}

/* ---- sort(key=...) through Python ---------------------------------------------------------- */

static Py_ssize_t rows_length(PyObject *self) { return (Py_ssize_t)((TableObject *)self)->length; }
static PyObject *rows_item(PyObject *self, Py_ssize_t i) {
    TableObject *t = (TableObject *)self;
    return record_view_new((PyTypeObject *)t->record_class, self, i);
}
static int rows_permute(PyObject *self, const int64_t *perm) {
    return permute_rows((TableObject *)self, perm);
}
static const seq_ops table_rows_ops = {NAME, rows_length, rows_item, rows_permute};

PyObject *table_sort(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"by", "reverse", "key"};
    PyObject *vals[3] = {Py_None, Py_False, Py_None};
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, NAME ".sort takes at most one positional argument (by)");
        return NULL;
    }
    if (nargs == 1) vals[0] = args[0];
    for (Py_ssize_t k = 0; kwnames && k < PyTuple_GET_SIZE(kwnames); k++) {
        PyObject *kw = PyTuple_GET_ITEM(kwnames, k);
        int found = 0;
        for (int j = 0; j < 3 && !found; j++)
            if (PyUnicode_CompareWithASCIIString(kw, names[j]) == 0) vals[j] = args[nargs + k], found = 1;
        if (!found) {
            PyErr_Format(PyExc_TypeError, NAME ".sort() got an unexpected keyword argument %R", kw);
            return NULL;
        }
    }
    int reverse = PyObject_IsTrue(vals[1]);
    if (reverse < 0 || table_ready((TableObject *)self) < 0) return NULL;
    if (vals[2] != Py_None) {
        if (vals[0] != Py_None) {
            PyErr_SetString(PyExc_TypeError, NAME ".sort: give by= or key=, not both");
            return NULL;
        }
        return seq_sort_by_key(self, &table_rows_ops, vals[2], reverse);
    }
    if (sort_by_columns((TableObject *)self, vals[0], reverse) < 0) return NULL;
    Py_RETURN_NONE;
}
