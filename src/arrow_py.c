/* arrow_py.c -- Array through the Arrow PyCapsule interface:
 * __arrow_c_schema__ and __arrow_c_array__.
 *
 * The values and the validity bitmap are handed over without a copy (bool
 * is the exception: Arrow bit-packs it, so the export owns a packed copy).
 * An export counts in arr.exports like a memoryview, so the array cannot
 * resize or move while a consumer holds it, and it keeps a reference to the
 * array.  The release callback may run on any thread: it takes the GIL
 * before touching the array.
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

static PyObject *schema_capsule(const cc_numarray *a) {
    struct ArrowSchema *schema = PyMem_Calloc(1, sizeof *schema);
    if (!schema) return PyErr_NoMemory();
    schema->format = cc_arrow_format(a->dtype);
    schema->name = "";
    schema->flags = a->nullable ? ARROW_FLAG_NULLABLE : 0;
    schema->release = schema_release;
    PyObject *capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (!capsule) PyMem_Free(schema);
    return capsule;
}

PyObject *array_arrow_c_schema(ArrayObject *self, PyObject *unused) {
    (void)unused;
    return schema_capsule(&self->arr);
}

/* ---- array -------------------------------------------------------------------- */

typedef struct {
    ArrayObject *owner;     /* strong reference; its exports count us */
    const void *buffers[2]; /* validity (or NULL), values */
    uint8_t *packed;        /* bool arrays: the bit-packed copy we own */
} array_export;

static void array_release(struct ArrowArray *array) {
    if (!array->release) return;
    array_export *ex = array->private_data;
    PyGILState_STATE gil = PyGILState_Ensure();
    ex->owner->arr.exports--;
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

static PyObject *array_capsule(ArrayObject *self) {
    static const int64_t empty_buffer = 0;
    const cc_numarray *a = &self->arr;
    struct ArrowArray *array = PyMem_Calloc(1, sizeof *array);
    array_export *ex = PyMem_Calloc(1, sizeof *ex);
    if (!array || !ex) goto nomem;
    if (a->dtype == CC_BOOL && !(ex->packed = pack_bools(a))) goto nomem;
    ex->owner = (ArrayObject *)Py_NewRef(self);
    ex->buffers[0] = a->null_count ? a->validity : NULL;
    ex->buffers[1] = ex->packed ? (const void *)ex->packed
                     : a->data  ? (const void *)a->data
                                : (const void *)&empty_buffer;
    array->length = a->length;
    array->null_count = a->null_count;
    array->n_buffers = 2;
    array->buffers = ex->buffers;
    array->release = array_release;
    array->private_data = ex;
    self->arr.exports++; /* released by array_release */
    PyObject *capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (!capsule) array_release(array), PyMem_Free(array);
    return capsule;
nomem:
    PyMem_Free(array);
    PyMem_Free(ex);
    return PyErr_NoMemory();
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
    PyObject *schema = schema_capsule(&self->arr);
    PyObject *array = schema ? array_capsule(self) : NULL;
    PyObject *r = array ? PyTuple_Pack(2, schema, array) : NULL;
    Py_XDECREF(schema);
    Py_XDECREF(array);
    return r;
}
