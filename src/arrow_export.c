/* arrow_export.c -- Array and StringArray through the Arrow PyCapsule
 * interface: __arrow_c_schema__ and __arrow_c_array__.
 *
 * The buffers are handed over without a copy (bool is the exception: Arrow
 * bit-packs it, so the export owns a packed copy; a StringArray is compacted
 * first if assignments scattered it).  An export counts in the container's
 * export counter like a memoryview, so it cannot resize or move while a
 * consumer holds it, and it keeps a reference to the container.  It also
 * counts in `frozen`: Arrow consumers (pyarrow, pandas, Polars, DuckDB)
 * take what they are given as immutable and cache what they derive from it
 * (null counts, bitmaps, converted copies), so while one holds an export
 * every write to the container -- a value, a null, a sort -- raises
 * BufferError instead of changing data under the consumer.  (Copy-on-write
 * will turn this into snapshots; until then this is the safe rule.)  The
 * release callback may run on any thread: it takes the GIL before touching
 * the container.
 *
 * requested_schema: a format other than our own is honoured when the cast
 * is cheap and lossless -- integers to any integer type that holds every
 * value (checked while copying), integers to a float that holds them
 * exactly (up to 16 bits to float32, 32 bits to float64), float32 to
 * float64, string <-> large_string (offsets converted, bytes shared).  The
 * export then owns the converted buffer; the bitmap (and string bytes) are
 * still shared, so the container stays pinned all the same.  Anything else
 * is refused with ValueError: the consumer is better placed to convert.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "arrow.h"
#include "cc_arrow.h"

/* ---- schema ------------------------------------------------------------------- */

/* Our schemas point only at static strings (or, for the table stream's
 * requests, strings that outlive the call): release just marks it done. */
static void schema_release(struct ArrowSchema *schema) { schema->release = NULL; }

static void schema_capsule_free(PyObject *capsule) {
    struct ArrowSchema *schema = PyCapsule_GetPointer(capsule, "arrow_schema");
    if (!schema) { /* not ours to explain: never raise from a destructor */
        PyErr_Clear();
        return;
    }
    if (schema->release) schema->release(schema);
    PyMem_Free(schema);
}

PyObject *schema_capsule(const char *format, bool nullable) {
    struct ArrowSchema *schema = PyMem_Calloc(1, sizeof *schema);
    if (!schema) return PyErr_NoMemory();
    schema->format = format;
    schema->name = "";
    schema->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
    schema->release = schema_release;
    PyObject *capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (!capsule) PyMem_Free(schema);
    return capsule;
}

PyObject *array_arrow_c_schema(ArrayObject *self, PyObject *unused) {
    (void)unused;
    return schema_capsule(cc_arrow_format(self->arr.dtype), self->arr.nullable);
}

/* ---- array -------------------------------------------------------------------- */

typedef struct {
    PyObject *owner;        /* strong reference; its export counters count us */
    int64_t *exports;       /* those counters: the buffers may not move ... */
    int64_t *frozen;        /* ... nor change */
    const void *buffers[3]; /* validity (or NULL), then the layout's buffers */
    void *owned;            /* a buffer of ours: packed bools, cast values or offsets */
} array_export;

static void array_release(struct ArrowArray *array) {
    if (!array->release) return;
    array_export *ex = array->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    (*ex->exports)--;
    (*ex->frozen)--;
    Py_DECREF(ex->owner);
    cc_free(ex->owned);
    PyMem_Free(ex);
    PyGILState_Release(gil);
    array->release = NULL;
}

static void array_capsule_free(PyObject *capsule) {
    struct ArrowArray *array = PyCapsule_GetPointer(capsule, "arrow_array");
    if (!array) {
        PyErr_Clear();
        return;
    }
    if (array->release) array->release(array);
    PyMem_Free(array);
}

/* The bool values packed into Arrow's bit layout. */
static uint8_t *pack_bools(const cc_numarray *a) {
    uint8_t *bits = cc_malloc((size_t)cc_bitmap_bytes(a->length) + 1);
    if (!bits) return NULL;
    memset(bits, 0, (size_t)cc_bitmap_bytes(a->length) + 1);
    for (int64_t i = 0; i < a->length; i++)
        if (a->data[i]) cc_bitmap_set(bits, i, true);
    return bits;
}

/* An arrow_array capsule over ex's buffers (ex->buffers filled, ex->owned
 * set if any); takes ex, and counts the export on *exports and *frozen. */
static PyObject *export_capsule(array_export *ex, PyObject *owner, int64_t *exports,
                                int64_t *frozen, int64_t length, int64_t null_count,
                                int n_buffers) {
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    if (!array) {
        cc_free(ex->owned);
        PyMem_Free(ex);
        return PyErr_NoMemory();
    }
    ex->owner = Py_NewRef(owner);
    ex->exports = exports;
    ex->frozen = frozen;
    array->length = length;
    array->null_count = null_count;
    array->n_buffers = n_buffers;
    array->buffers = ex->buffers;
    array->release = array_release;
    array->private_data = ex;
    (*exports)++, (*frozen)++; /* given back by array_release */
    PyObject *capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (!capsule) array_release(array), PyMem_Free(array);
    return capsule;
}

/* ---- requested_schema -------------------------------------------------------------- */

/* The format a requested_schema capsule asks for (NULL for None); -1 if
 * it is not a schema capsule. */
static int requested_format(PyObject *requested, const char **out) {
    *out = NULL;
    if (requested == Py_None) return 0;
    if (!PyCapsule_CheckExact(requested)) {
        PyErr_Format(PyExc_TypeError, "requested_schema must be an 'arrow_schema' PyCapsule "
                     "or None, not %.100s", Py_TYPE(requested)->tp_name);
        return -1;
    }
    struct ArrowSchema *want = PyCapsule_GetPointer(requested, "arrow_schema");
    if (!want) return -1;
    *out = want->format ? want->format : "";
    return 0;
}

static bool lossless_cast(cc_dtype from, cc_dtype to) {
    if (from == to) return true;
    if (from == CC_BOOL || to == CC_BOOL) return false;
    if (cc_dtype_is_integer(from) && cc_dtype_is_integer(to)) return true; /* values checked */
    if (cc_dtype_is_integer(from) && cc_dtype_get(to)->kind == CC_KIND_FLOAT)
        return 2 * cc_dtype_itemsize(from) <= cc_dtype_itemsize(to);
    return from == CC_FLOAT32 && to == CC_FLOAT64;
}

/* The dtype an Array exports as for a requested format (NULL: its own). */
static int array_cast_target(const cc_numarray *a, const char *want, cc_dtype *out) {
    *out = a->dtype;
    if (!want || (cc_arrow_dtype(want, out) && lossless_cast(a->dtype, *out))) return 0;
    char name[CC_ARRAY_NAME_MAX];
    array_describe(a, name);
    PyErr_Format(PyExc_ValueError,
                 "%s.__arrow_c_array__: cannot export as Arrow format '%s'; the array's format "
                 "is '%s' (%s), and only lossless casts are made (integers that fit, integers "
                 "to a float that holds them exactly, float32 to float64)",
                 name, want, cc_arrow_format(a->dtype), cc_dtype_get(a->dtype)->name);
    return -1;
}

/* a's values as dtype `to`, in a new cc_malloc buffer; NULL with
 * ValueError naming the first value that does not fit. */
static void *cast_values(const cc_numarray *a, cc_dtype to) {
    size_t size = (size_t)cc_dtype_itemsize(to), bytes;
    if (__builtin_mul_overflow((size_t)a->length, size, &bytes)) return PyErr_NoMemory();
    uint8_t *out = cc_malloc(bytes ? bytes : 1);
    if (!out) return PyErr_NoMemory();
    for (int64_t i = 0; i < a->length; i++) {
        cc_scalar v;
        cc_dtype_load(a->dtype, a->data + i * cc_numarray_itemsize(a), &v); /* a null holds 0 */
        if (cc_dtype_store(to, &v, out + (size_t)i * size) != CC_OK) {
            cc_free(out);
            char name[CC_ARRAY_NAME_MAX];
            array_describe(a, name);
            PyErr_Format(PyExc_ValueError, "%s.__arrow_c_array__: element %lld does not fit "
                         "in %s (requested by the consumer)", name, (long long)i,
                         cc_dtype_get(to)->name);
            return NULL;
        }
    }
    return out;
}

/* The arrow_array capsule of self as dtype `to` (its own: no copy). */
static PyObject *array_capsule(ArrayObject *self, cc_dtype to) {
    static const int64_t empty_buffer = 0;
    const cc_numarray *a = &self->arr;
    array_export *ex = PyMem_Calloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    if (a->dtype == CC_BOOL && !(ex->owned = pack_bools(a))) {
        PyMem_Free(ex);
        return PyErr_NoMemory();
    }
    if (to != a->dtype && !(ex->owned = cast_values(a, to))) {
        PyMem_Free(ex);
        return NULL;
    }
    ex->buffers[0] = a->null_count ? a->validity : NULL;
    ex->buffers[1] = ex->owned ? (const void *)ex->owned
                     : a->data ? (const void *)a->data
                               : (const void *)&empty_buffer;
    return export_capsule(ex, (PyObject *)self, &self->arr.exports, &self->arr.frozen, a->length,
                          a->null_count, 2);
}

/* (schema, array) for __arrow_c_array__; takes both references. */
static PyObject *capsule_pair(PyObject *schema, PyObject *array) {
    PyObject *r = schema && array ? PyTuple_Pack(2, schema, array) : NULL;
    Py_XDECREF(schema);
    Py_XDECREF(array);
    return r;
}

PyObject *array_arrow_c_array(ArrayObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    const char *want;
    cc_dtype to;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested) ||
        requested_format(requested, &want) < 0 || array_cast_target(&self->arr, want, &to) < 0)
        return NULL;
    PyObject *schema = schema_capsule(cc_arrow_format(to), self->arr.nullable);
    return capsule_pair(schema, schema ? array_capsule(self, to) : NULL);
}

/* ---- StringArray: Arrow string / large_string ------------------------------- */

static const char *strarray_format(const cc_strarray *a) { return a->wide ? "U" : "u"; }

PyObject *strarray_arrow_c_schema(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strarray *a = &((StringArrayObject *)self)->arr;
    return schema_capsule(strarray_format(a), a->nullable);
}

/* Whether a StringArray exports as `want`: 'u' or 'U' (NULL: its own). */
static int strarray_cast_ok(const cc_strarray *a, const char *want, bool *wide) {
    *wide = a->wide;
    if (!want) return 0;
    *wide = strcmp(want, "U") == 0;
    if (!*wide && strcmp(want, "u") != 0) {
        PyErr_Format(PyExc_ValueError,
                     "StringArray.__arrow_c_array__: cannot export as Arrow format '%s'; the "
                     "array's format is '%s', and only string <-> large_string are made",
                     want, strarray_format(a));
        return -1;
    }
    return 0;
}

/* The offsets of a (compact) in the other width, in a new cc_malloc buffer. */
static void *cast_offsets(const cc_strarray *a, bool wide) {
    int64_t n = a->length + 1;
    if (!wide && a->length && cc_strarray_offset(a, a->length) > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "StringArray.__arrow_c_array__: %lld bytes of data do "
                     "not fit Arrow string's int32 offsets (large_string does)",
                     (long long)cc_strarray_offset(a, a->length));
        return NULL;
    }
    void *out = cc_malloc((size_t)n * (wide ? 8 : 4));
    if (!out) return PyErr_NoMemory();
    for (int64_t i = 0; i < n; i++) {
        int64_t o = a->offsets ? cc_strarray_offset(a, i) : 0;
        if (wide) ((int64_t *)out)[i] = o;
        else ((int32_t *)out)[i] = (int32_t)o;
    }
    return out;
}

static PyObject *strarray_capsule(PyObject *self, bool wide) {
    static const int64_t zero_offset = 0, empty_buffer = 0;
    cc_strarray *a = &((StringArrayObject *)self)->arr;
    array_export *ex = PyMem_Calloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    if (wide != a->wide && !(ex->owned = cast_offsets(a, wide))) {
        PyMem_Free(ex);
        return NULL;
    }
    ex->buffers[0] = a->null_count ? a->validity : NULL;
    ex->buffers[1] = ex->owned ? ex->owned : a->offsets ? a->offsets : (const void *)&zero_offset;
    ex->buffers[2] = a->data ? (const void *)a->data : (const void *)&empty_buffer;
    return export_capsule(ex, self, &a->exports, &a->frozen, a->length, a->null_count, 3);
}

PyObject *strarray_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    const char *want;
    bool wide;
    cc_strarray *a = &((StringArrayObject *)self)->arr;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested) ||
        requested_format(requested, &want) < 0 || strarray_cast_ok(a, want, &wide) < 0)
        return NULL;
    cc_status st = cc_strarray_compact(a); /* Arrow's layout; no-op if compact */
    if (st != CC_OK) return status_raise("StringArray", st, "__arrow_c_array__");
    PyObject *schema = schema_capsule(wide ? "U" : "u", a->nullable);
    return capsule_pair(schema, schema ? strarray_capsule(self, wide) : NULL);
}

/* ---- CategoricalArray: Arrow dictionary ------------------------------------------
 *
 * The indices are the codes Array's buffer (int8 ... int64, no copy) with a
 * validity bitmap built from the -1 codes; the dictionary is the pool's
 * strings (no copy).  Both are pinned: the codes cannot change (a null or a
 * stray code would reach a bitmap built once, or an index past the
 * dictionary) and the pool cannot intern new strings (BufferError) until
 * the consumer releases the export.  A consumer may move the dictionary
 * child out and release it on its own, so the child's state lives in its
 * own block; both structs are allocated with PyMem_Raw* because release
 * callbacks may run without the GIL until they take it. */

typedef struct {
    const void *buffers[3];
    PyObject *pool;
} dict_export;

static void dict_release(struct ArrowArray *array) {
    if (!array->release) return;
    dict_export *ex = array->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    ((StringPoolObject *)ex->pool)->set.keys.exports--;
    Py_DECREF(ex->pool);
    PyGILState_Release(gil);
    PyMem_RawFree(ex);
    array->release = NULL;
}

typedef struct {
    const void *buffers[2];
    uint8_t *validity;
    PyObject *codes;
    struct ArrowArray dictionary;
} cat_export;

static void cat_release(struct ArrowArray *array) {
    if (!array->release) return;
    cat_export *ex = array->private_data;
    if (ex->dictionary.release) ex->dictionary.release(&ex->dictionary);
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    ((ArrayObject *)ex->codes)->arr.exports--;
    ((ArrayObject *)ex->codes)->arr.frozen--;
    Py_DECREF(ex->codes);
    PyGILState_Release(gil);
    PyMem_RawFree(ex->validity);
    PyMem_RawFree(ex);
    array->release = NULL;
}

static void cat_schema_release(struct ArrowSchema *schema) {
    if (!schema->release) return;
    if (schema->dictionary && schema->dictionary->release)
        schema->dictionary->release(schema->dictionary);
    PyMem_RawFree(schema->dictionary);
    schema->dictionary = NULL;
    schema->release = NULL;
}

static const char *pool_format(PyObject *pool) {
    return ((StringPoolObject *)pool)->set.keys.wide ? "U" : "u";
}

PyObject *categorical_arrow_c_schema(PyObject *self, PyObject *unused) {
    (void)unused;
    CategoricalObject *c = (CategoricalObject *)self;
    const cc_numarray *codes = &((ArrayObject *)c->codes)->arr;
    PyObject *capsule = schema_capsule(cc_arrow_format(codes->dtype), c->nullable);
    if (!capsule) return NULL;
    struct ArrowSchema *schema = PyCapsule_GetPointer(capsule, "arrow_schema");
    struct ArrowSchema *dict = PyMem_RawCalloc(1, sizeof *dict);
    if (!dict) {
        Py_DECREF(capsule);
        return PyErr_NoMemory();
    }
    dict->format = pool_format(c->pool);
    dict->name = "";
    dict->release = schema_release;
    schema->dictionary = dict;
    schema->release = cat_schema_release;
    return capsule;
}

static PyObject *categorical_capsule(PyObject *self) {
    static const int64_t zero_offset = 0, empty_buffer = 0;
    CategoricalObject *c = (CategoricalObject *)self;
    cc_numarray *codes = &((ArrayObject *)c->codes)->arr;
    cc_strarray *keys = &((StringPoolObject *)c->pool)->set.keys;
    int64_t k = keys->length, nulls = 0;
    for (int64_t i = 0; i < codes->length; i++) { /* a stray code must not reach Arrow */
        cc_scalar s;
        cc_numarray_get(codes, i, &s);
        if (s.v.i < -1 || s.v.i >= k) {
            PyErr_Format(PyExc_ValueError, "CategoricalArray.__arrow_c_array__: element %lld has "
                         "code %lld, which is not in its pool", (long long)i, (long long)s.v.i);
            return NULL;
        }
        nulls += s.v.i == -1;
    }
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    cat_export *ex = PyMem_RawCalloc(1, sizeof *ex);
    dict_export *dx = PyMem_RawCalloc(1, sizeof *dx);
    if (!array || !ex || !dx || (nulls && !(ex->validity = PyMem_RawCalloc(
                                                 (size_t)cc_bitmap_bytes(codes->length) + 1, 1)))) {
        PyMem_Free(array);
        if (ex) PyMem_RawFree(ex->validity);
        PyMem_RawFree(ex);
        PyMem_RawFree(dx);
        return PyErr_NoMemory();
    }
    for (int64_t i = 0; nulls && i < codes->length; i++) {
        cc_scalar s;
        cc_numarray_get(codes, i, &s);
        if (s.v.i != -1) cc_bitmap_set(ex->validity, i, true);
    }
    dx->pool = Py_NewRef(c->pool);
    dx->buffers[0] = NULL;
    dx->buffers[1] = keys->offsets ? keys->offsets : (const void *)&zero_offset;
    dx->buffers[2] = keys->data ? (const void *)keys->data : (const void *)&empty_buffer;
    keys->exports++;
    ex->dictionary = (struct ArrowArray){.length = k, .n_buffers = 3, .buffers = dx->buffers,
                                         .release = dict_release, .private_data = dx};
    ex->codes = Py_NewRef(c->codes);
    ex->buffers[0] = ex->validity;
    ex->buffers[1] = codes->data ? (const void *)codes->data : (const void *)&empty_buffer;
    codes->exports++, codes->frozen++; /* pinned and read-only until cat_release */
    *array = (struct ArrowArray){.length = codes->length, .null_count = nulls, .n_buffers = 2,
                                 .buffers = ex->buffers, .dictionary = &ex->dictionary,
                                 .release = cat_release, .private_data = ex};
    PyObject *capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (!capsule) cat_release(array), PyMem_Free(array);
    return capsule;
}

/* A CategoricalArray exports as its own dictionary type only (indices as
 * wide as its codes): a different index type would be a copy of the codes
 * for nothing the consumer cannot do itself. */
static int categorical_cast_ok(PyObject *self, const char *want) {
    const cc_numarray *codes = &((ArrayObject *)((CategoricalObject *)self)->codes)->arr;
    const char *own = cc_arrow_format(codes->dtype);
    if (!want || strcmp(want, own) == 0) return 0;
    PyErr_Format(PyExc_ValueError, "CategoricalArray.__arrow_c_array__: cannot export with "
                 "Arrow index format '%s'; its codes are '%s' (%s)", want, own,
                 cc_dtype_get(codes->dtype)->name);
    return -1;
}

PyObject *categorical_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested))
        return NULL;
    const char *want;
    if (requested_format(requested, &want) < 0 || categorical_cast_ok(self, want) < 0)
        return NULL;
    PyObject *schema = categorical_arrow_c_schema(self, NULL);
    return capsule_pair(schema, schema ? categorical_capsule(self) : NULL);
}

/* ---- Table columns ------------------------------------------------------------------ */

int arrow_column_cast_ok(PyObject *column, const char *want) {
    module_state *ms = state_of_type(Py_TYPE(column));
    if (!ms) return -1;
    if (Py_IS_TYPE(column, ms->ArrayType)) {
        cc_dtype to;
        return array_cast_target(&((ArrayObject *)column)->arr, want, &to);
    }
    if (Py_IS_TYPE(column, ms->StringArrayType)) {
        bool wide;
        return strarray_cast_ok(&((StringArrayObject *)column)->arr, want, &wide);
    }
    return categorical_cast_ok(column, want);
}
