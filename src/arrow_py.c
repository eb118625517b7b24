/* arrow_py.c -- Array and StringArray through the Arrow PyCapsule
 * interface: __arrow_c_schema__ and __arrow_c_array__.
 *
 * The buffers are handed over without a copy (bool is the exception: Arrow
 * bit-packs it, so the export owns a packed copy; a StringArray is compacted
 * first if assignments scattered it).  An export counts in the container's
 * export counter like a memoryview, so it cannot resize or move while a
 * consumer holds it, and it keeps a reference to the container.  The
 * release callback may run on any thread: it takes the GIL before touching
 * the container.
 */
#include "binding.h"
#include "cc_arrow.h"

/* ---- schema ------------------------------------------------------------------- */

/* Our schemas point only at static strings: release just marks it done. */
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

static PyObject *schema_capsule(const char *format, bool nullable) {
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
    PyObject *owner;        /* strong reference; its export counter counts us */
    int64_t *exports;       /* that counter */
    const void *buffers[3]; /* validity (or NULL), then the layout's buffers */
    uint8_t *packed;        /* bool arrays: the bit-packed copy we own */
} array_export;

static void array_release(struct ArrowArray *array) {
    if (!array->release) return;
    array_export *ex = array->private_data;
    PyGILState_STATE gil = PyGILState_Ensure();
    (*ex->exports)--;
    Py_DECREF(ex->owner);
    cc_free(ex->packed);
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

/* An arrow_array capsule over ex's buffers (ex->buffers filled, ex->packed
 * set if owned); takes ex, and counts the export on ex->exports. */
static PyObject *export_capsule(array_export *ex, PyObject *owner, int64_t *exports,
                                int64_t length, int64_t null_count, int n_buffers) {
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    if (!array) {
        cc_free(ex->packed);
        PyMem_Free(ex);
        return PyErr_NoMemory();
    }
    ex->owner = Py_NewRef(owner);
    ex->exports = exports;
    array->length = length;
    array->null_count = null_count;
    array->n_buffers = n_buffers;
    array->buffers = ex->buffers;
    array->release = array_release;
    array->private_data = ex;
    (*exports)++; /* given back by array_release */
    PyObject *capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (!capsule) array_release(array), PyMem_Free(array);
    return capsule;
}

static PyObject *array_capsule(ArrayObject *self) {
    static const int64_t empty_buffer = 0;
    const cc_numarray *a = &self->arr;
    array_export *ex = PyMem_Calloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    if (a->dtype == CC_BOOL && !(ex->packed = pack_bools(a))) {
        PyMem_Free(ex);
        return PyErr_NoMemory();
    }
    ex->buffers[0] = a->null_count ? a->validity : NULL;
    ex->buffers[1] = ex->packed ? (const void *)ex->packed
                     : a->data  ? (const void *)a->data
                                : (const void *)&empty_buffer;
    return export_capsule(ex, (PyObject *)self, &self->arr.exports, a->length, a->null_count, 2);
}

/* (schema, array) for __arrow_c_array__; takes the schema reference. */
static PyObject *capsule_pair(PyObject *schema, PyObject *self,
                              PyObject *(*make_array)(PyObject *)) {
    PyObject *array = schema ? make_array(self) : NULL;
    PyObject *r = array ? PyTuple_Pack(2, schema, array) : NULL;
    Py_XDECREF(schema);
    Py_XDECREF(array);
    return r;
}

/* requested_schema: honoured when it asks for what we have; anything else
 * would be a conversion, which the consumer is better placed to do. */
static int check_requested(const cc_numarray *a, PyObject *requested) {
    if (requested == Py_None) return 0;
    struct ArrowSchema *want = PyCapsule_GetPointer(requested, "arrow_schema");
    if (!want) return -1;
    if (want->format && strcmp(want->format, cc_arrow_format(a->dtype)) == 0) return 0;
    char name[CC_ARRAY_NAME_MAX];
    array_describe(a, name);
    PyErr_Format(PyExc_ValueError,
                 "%s.__arrow_c_array__: cannot export as Arrow format '%s' "
                 "without a copy; the array's format is '%s' (%s)",
                 name, want->format ? want->format : "?", cc_arrow_format(a->dtype),
                 cc_dtype_get(a->dtype)->name);
    return -1;
}

PyObject *array_arrow_c_array(ArrayObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested))
        return NULL;
    if (check_requested(&self->arr, requested) < 0) return NULL;
    return capsule_pair(schema_capsule(cc_arrow_format(self->arr.dtype), self->arr.nullable),
                        (PyObject *)self, (PyObject *(*)(PyObject *))array_capsule);
}

/* ---- StringArray: Arrow string / large_string ------------------------------- */

static const char *strarray_format(const cc_strarray *a) { return a->wide ? "U" : "u"; }

PyObject *strarray_arrow_c_schema(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strarray *a = &((StringArrayObject *)self)->arr;
    return schema_capsule(strarray_format(a), a->nullable);
}

static PyObject *strarray_capsule(PyObject *self) {
    static const int64_t zero_offset = 0, empty_buffer = 0;
    cc_strarray *a = &((StringArrayObject *)self)->arr;
    array_export *ex = PyMem_Calloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    ex->buffers[0] = a->null_count ? a->validity : NULL;
    ex->buffers[1] = a->offsets ? a->offsets : (const void *)&zero_offset;
    ex->buffers[2] = a->data ? (const void *)a->data : (const void *)&empty_buffer;
    return export_capsule(ex, self, &a->exports, a->length, a->null_count, 3);
}

PyObject *strarray_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested))
        return NULL;
    cc_strarray *a = &((StringArrayObject *)self)->arr;
    cc_status st = cc_strarray_compact(a); /* Arrow's layout; no-op if compact */
    if (st != CC_OK) return status_raise("StringArray", st, "__arrow_c_array__");
    if (requested != Py_None) {
        struct ArrowSchema *want = PyCapsule_GetPointer(requested, "arrow_schema");
        if (!want) return NULL;
        if (!want->format || strcmp(want->format, strarray_format(a)) != 0) {
            PyErr_Format(PyExc_ValueError,
                         "StringArray.__arrow_c_array__: cannot export as Arrow format "
                         "'%s' without a copy; the array's format is '%s'",
                         want->format ? want->format : "?", strarray_format(a));
            return NULL;
        }
    }
    return capsule_pair(schema_capsule(strarray_format(a), a->nullable), self, strarray_capsule);
}

/* ---- CategoricalArray: Arrow dictionary ------------------------------------------
 *
 * The indices are the codes Array's buffer (int8 ... int64, no copy) with a
 * validity bitmap built from the -1 codes; the dictionary is the pool's
 * strings (no copy).  Both are pinned: the codes cannot resize and the pool
 * cannot intern new strings (BufferError) until the consumer releases the
 * export.  A consumer may move the dictionary child out and release it on
 * its own, so the child's state lives in its own block; both structs are
 * allocated with PyMem_Raw* because release callbacks may run without the
 * GIL until they take it. */

typedef struct {
    const void *buffers[3];
    PyObject *pool;
} dict_export;

static void dict_release(struct ArrowArray *array) {
    if (!array->release) return;
    dict_export *ex = array->private_data;
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
    PyGILState_STATE gil = PyGILState_Ensure();
    ((ArrayObject *)ex->codes)->arr.exports--;
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
    codes->exports++;
    *array = (struct ArrowArray){.length = codes->length, .null_count = nulls, .n_buffers = 2,
                                 .buffers = ex->buffers, .dictionary = &ex->dictionary,
                                 .release = cat_release, .private_data = ex};
    PyObject *capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (!capsule) cat_release(array), PyMem_Free(array);
    return capsule;
}

PyObject *categorical_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_array__", kwlist, &requested))
        return NULL;
    if (requested != Py_None) {
        PyErr_SetString(PyExc_ValueError, "CategoricalArray.__arrow_c_array__: exports as "
                        "its own dictionary type only (requested_schema is not supported)");
        return NULL;
    }
    return capsule_pair(categorical_arrow_c_schema(self, NULL), self, categorical_capsule);
}
