/* arrow_export.c -- Array and StringArray through the Arrow PyCapsule
 * interface: __arrow_c_schema__ and __arrow_c_array__.
 *
 * An export is a snapshot: it shares the container's buffers without a
 * copy (bool is the exception: Arrow bit-packs it, so the export has a
 * packed copy; a StringArray is compacted first if assignments scattered
 * it), holding a reference to each (cc_buffer.h).  Arrow consumers (pyarrow,
 * pandas, Polars, DuckDB) take what they are given as immutable and cache
 * what they derive from it, so the container never writes a shared buffer:
 * its next write -- a value, a null, an append, a sort -- first copies the
 * buffers it touches, and the consumer keeps exactly the values it got.
 * Nothing is pinned and nothing raises BufferError.  (A container that a
 * memoryview aliases exports copies: the view could write the buffer.)
 * The export holds no reference to the container, which may change or go
 * away.  The release callback may run on any thread: it takes the GIL
 * before it drops the references (the last one frees).
 *
 * requested_schema: a format other than our own is honoured when the cast
 * is cheap and lossless -- integers to any integer type that holds every
 * value (checked while copying), integers to a float that holds them
 * exactly (up to 16 bits to float32, 32 bits to float64), float32 to
 * float64, string <-> large_string (offsets converted, bytes shared).  The
 * export then owns the converted buffer; the bitmap (and string bytes) are
 * still shared, so the container stays pinned all the same.  Anything else
 * is refused with ValueError: the consumer is better placed to convert.
 *
 * Which buffers are shared, which are copied and the casts themselves are
 * the core's (cc_arrow_export.c); this file keeps the capsules, the owner
 * reference, the export counters, the GIL-taking release callbacks and the
 * messages.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "arrow.h"
#include "cc_arrow_export.h"

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
    cc_arrow_schema_fill(schema, format, nullable);
    schema->release = schema_release;
    PyObject *capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (!capsule) PyMem_Free(schema);
    return capsule;
}

/* A timestamp with a time zone names it in its format ("tsu:Europe/Paris"):
 * a string of the schema's own, in private_data, freed by its release --
 * which travels with the schema when a table stream moves it into a struct. */
static void zoned_schema_release(struct ArrowSchema *schema) {
    PyMem_RawFree(schema->private_data);
    schema->private_data = NULL;
    schema->release = NULL;
}

/* The schema capsule of array a exported as dtype `as`. */
static PyObject *array_schema_capsule(const cc_numarray *a, cc_dtype as) {
    bool with_param = cc_dtype_get(as)->temporal == CC_TEMPORAL_TIMESTAMP || cc_dtype_is_decimal(as);
    if (!a->tz[0] || !with_param) return schema_capsule(cc_arrow_format(as), a->nullable);
    size_t n = strlen(cc_arrow_format(as)) + strlen(a->tz) + 1;
    char *format = PyMem_RawMalloc(n);
    if (!format) return PyErr_NoMemory();
    snprintf(format, n, "%s%s", cc_arrow_format(as), a->tz); /* "tsu:" + zone, "d:" + "12,2" */
    PyObject *capsule = schema_capsule(format, a->nullable);
    struct ArrowSchema *schema = capsule ? PyCapsule_GetPointer(capsule, "arrow_schema") : NULL;
    if (!schema) {
        PyMem_RawFree(format);
        Py_XDECREF(capsule);
        return NULL;
    }
    schema->private_data = format;
    schema->release = zoned_schema_release;
    return capsule;
}

PyObject *array_arrow_c_schema(ArrayObject *self, PyObject *unused) {
    (void)unused;
    return array_schema_capsule(&self->arr, self->arr.dtype);
}

/* ---- array -------------------------------------------------------------------- */

typedef struct {
    cc_arrow_export ex; /* the buffers, each held by a reference */
} array_export;

/* Drops an export's references with the GIL held (the last one frees with
 * PyMem_Free or releases a producer's memory). */
static void export_reset_with_gil(cc_arrow_export *ex) {
    PyGILState_STATE gil = PyGILState_Ensure();
    cc_arrow_export_reset(ex);
    PyGILState_Release(gil);
}

static void array_release(struct ArrowArray *array) {
    if (!array->release) return;
    array_export *ex = array->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    export_reset_with_gil(&ex->ex);
    PyMem_RawFree(ex);
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

/* An arrow_array capsule over ex->ex (filled by the core); takes ex. */
static PyObject *export_capsule(array_export *ex) {
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    if (!array) {
        cc_arrow_export_reset(&ex->ex);
        PyMem_RawFree(ex);
        return PyErr_NoMemory();
    }
    cc_arrow_export_fill(&ex->ex, array);
    array->release = array_release;
    array->private_data = ex;
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

/* The dtype an Array exports as for a requested format (NULL: its own). */
static int array_cast_target(const cc_numarray *a, const char *want, cc_dtype *out) {
    if (cc_arrow_numbers_target(a, want, out) == CC_OK) return 0;
    char name[CC_ARRAY_NAME_MAX];
    array_describe(a, name);
    PyErr_Format(PyExc_ValueError,
                 "%s.__arrow_c_array__: cannot export as Arrow format '%s'; the array's format "
                 "is '%s' (%s), and only lossless casts are made (integers that fit, integers "
                 "to a float that holds them exactly, float32 to float64)",
                 name, want, cc_arrow_format(a->dtype), cc_dtype_get(a->dtype)->name);
    return -1;
}

/* The arrow_array capsule of self as dtype `to` (its own: no copy). */
static PyObject *array_capsule(ArrayObject *self, cc_dtype to) {
    cc_numarray *a = &self->arr;
    array_export *ex = PyMem_RawCalloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    cc_error err = {0};
    cc_status st = cc_arrow_export_numbers(a, to, &ex->ex, &err);
    if (st != CC_OK) {
        PyMem_RawFree(ex);
        if (st != CC_EOVERFLOW) return PyErr_NoMemory();
        char name[CC_ARRAY_NAME_MAX];
        array_describe(a, name);
        return PyErr_Format(PyExc_ValueError, "%s.__arrow_c_array__: element %lld does not fit "
                            "in %s (requested by the consumer)", name, (long long)err.index,
                            cc_dtype_get(to)->name);
    }
    return export_capsule(ex);
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
    PyObject *schema = array_schema_capsule(&self->arr, to);
    return capsule_pair(schema, schema ? array_capsule(self, to) : NULL);
}

/* ---- StringArray: Arrow string / large_string ------------------------------- */

/* BinaryArray (a->binary) is the same export with Arrow's binary formats. */
static const char *strarray_format(const cc_strarray *a) { return cc_arrow_bytes_format(a); }
static const char *strarray_name(const cc_strarray *a) {
    return a->binary ? "BinaryArray" : "StringArray";
}

PyObject *strarray_arrow_c_schema(PyObject *self, PyObject *unused) {
    (void)unused;
    const cc_strarray *a = &((StringArrayObject *)self)->arr;
    return schema_capsule(strarray_format(a), a->nullable);
}

/* Whether a StringArray exports as `want`: 'u' or 'U' (NULL: its own). */
static int strarray_cast_ok(const cc_strarray *a, const char *want, bool *wide) {
    if (cc_arrow_strings_target(a, want, wide) == CC_OK) return 0;
    PyErr_Format(PyExc_ValueError,
                 "%s.__arrow_c_array__: cannot export as Arrow format '%s'; the "
                 "array's format is '%s', and only %s are made", strarray_name(a),
                 want, strarray_format(a),
                 a->binary ? "binary <-> large_binary" : "string <-> large_string");
    return -1;
}

static PyObject *strarray_capsule(PyObject *self, bool wide) {
    cc_strarray *a = &((StringArrayObject *)self)->arr;
    array_export *ex = PyMem_RawCalloc(1, sizeof *ex);
    if (!ex) return PyErr_NoMemory();
    cc_error err = {0};
    cc_status st = cc_arrow_export_strings(a, wide, &ex->ex, &err);
    if (st != CC_OK) {
        PyMem_RawFree(ex);
        if (st == CC_EOVERFLOW)
            return PyErr_Format(PyExc_ValueError, "%s.__arrow_c_array__: %lld bytes of "
                                "data do not fit Arrow's int32 offsets (%s does)",
                                strarray_name(a), (long long)cc_strarray_offset(a, a->length),
                                a->binary ? "large_binary" : "large_string");
        return st == CC_ENOMEM ? PyErr_NoMemory()
                               : status_raise(strarray_name(a), st, "__arrow_c_array__");
    }
    return export_capsule(ex);
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
    if (st != CC_OK) return status_raise(strarray_name(a), st, "__arrow_c_array__");
    PyObject *schema = schema_capsule(a->binary ? (wide ? "Z" : "z") : (wide ? "U" : "u"),
                                      a->nullable);
    return capsule_pair(schema, schema ? strarray_capsule(self, wide) : NULL);
}

/* ---- CategoricalArray: Arrow dictionary ------------------------------------------
 *
 * The indices are the codes Array's buffer (int8 ... int64, no copy) with a
 * validity bitmap built from the -1 codes; the dictionary is the pool's
 * strings (no copy).  Both are snapshots like any export: a new code, a
 * null or a new string interned in the pool copies the buffer first.  A
 * consumer may move the dictionary child out and release it on its own, so
 * the child's state lives in its own block; both blocks are allocated with
 * PyMem_Raw* because release callbacks may run without the GIL until they
 * take it. */

static void dict_release(struct ArrowArray *array) {
    if (!array->release) return;
    cc_arrow_export *ex = array->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    export_reset_with_gil(ex);
    PyMem_RawFree(ex);
    array->release = NULL;
}

typedef struct {
    cc_arrow_export ex; /* the codes' buffer, and the validity made for it */
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
    export_reset_with_gil(&ex->ex);
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
    return cc_arrow_strings_format(((StringPoolObject *)pool)->set.keys.wide);
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
    cc_arrow_schema_fill(dict, pool_format(c->pool), false);
    dict->release = schema_release;
    schema->dictionary = dict;
    schema->release = cat_schema_release;
    return capsule;
}

static PyObject *categorical_capsule(PyObject *self) {
    CategoricalObject *c = (CategoricalObject *)self;
    cc_numarray *codes = &((ArrayObject *)c->codes)->arr;
    cc_strarray *keys = &((StringPoolObject *)c->pool)->set.keys;
    cc_arrow_export indices, dictionary;
    cc_error err = {0};
    cc_status st = cc_arrow_export_codes(codes, keys, &indices, &dictionary, &err);
    if (st == CC_EINVAL && err.index >= 0) {
        cc_scalar s;
        cc_numarray_get(codes, err.index, &s);
        return PyErr_Format(PyExc_ValueError, "CategoricalArray.__arrow_c_array__: element %lld "
                            "has code %lld, which is not in its pool", (long long)err.index,
                            (long long)s.v.i);
    }
    if (st != CC_OK)
        return st == CC_ENOMEM ? PyErr_NoMemory()
                               : status_raise("CategoricalArray", st, "__arrow_c_array__");
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    cat_export *ex = PyMem_RawCalloc(1, sizeof *ex);
    cc_arrow_export *dx = PyMem_RawCalloc(1, sizeof *dx);
    if (!array || !ex || !dx) {
        cc_arrow_export_reset(&indices);
        cc_arrow_export_reset(&dictionary);
        PyMem_Free(array);
        PyMem_RawFree(ex);
        PyMem_RawFree(dx);
        return PyErr_NoMemory();
    }
    *dx = dictionary;
    cc_arrow_export_fill(dx, &ex->dictionary);
    ex->dictionary.release = dict_release;
    ex->dictionary.private_data = dx;
    ex->ex = indices;
    cc_arrow_export_fill(&ex->ex, array);
    array->dictionary = &ex->dictionary;
    array->release = cat_release;
    array->private_data = ex;
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
    if (Py_IS_TYPE(column, ms->StringArrayType) || Py_IS_TYPE(column, ms->BinaryArrayType)) {
        bool wide;
        return strarray_cast_ok(&((StringArrayObject *)column)->arr, want, &wide);
    }
    return categorical_cast_ok(column, want);
}
