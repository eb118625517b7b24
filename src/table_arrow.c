/* table_arrow.c -- Table.__arrow_c_stream__: the table as an Arrow stream
 * of one struct batch, without a copy.
 *
 *   stream ── get_schema ─> struct<id: int64, name: utf8, sym: dictionary<int8, utf8>>
 *          └─ get_next ───> struct array, children = the columns' own exports
 *                           (then end of stream)
 *
 * The children are exactly what each column's __arrow_c_schema__ /
 * __arrow_c_array__ produces (moved out of their capsules), so they share
 * the column buffers as snapshots (cc_buffer.h): the table stays free, and
 * its next write to a column copies that column first.  The batch is made
 * when the stream is, and the formats it was made with are recorded, so
 * the stream is a snapshot of the table at that moment: whatever the table
 * does before the consumer reads (sort, append, widen a column, drop one),
 * get_schema and get_next give the values and types of that moment.
 * Callbacks may run on any thread: each takes the GIL.
 *
 * requested_schema: a struct with one child per column, each asking for
 * its column's own format or a cast the column's export makes (see
 * arrow_export.c: lossless number casts, string <-> large_string); checked
 * when the stream is made, so a refused request raises ValueError there,
 * as does a value that does not fit the requested type.
 *
 * The struct shells (children moved in, names and requested formats
 * copied, the one-length check) are the core's cc_arrow_struct and
 * cc_arrow_struct_schema (cc_arrow_export.c); this file calls the columns'
 * exports, holds the Python objects and takes the GIL.
 */
#include "binding.h"
#include "arrow.h"
#include "table.h"
#include "cc_arrow_export.h"

#include <errno.h>

typedef struct {
    PyObject *columns;  /* tuple of the column objects */
    PyObject *names;    /* tuple of their names */
    PyObject *formats;  /* NULL, or a tuple of the requested formats (bytes) */
    int64_t rows;       /* the table's length: the batch's when it has no columns */
    struct ArrowArray batch; /* made with the stream; released = handed out */
    bool done;          /* the one batch was handed out */
    char *last_error;   /* PyMem_Raw */
} stream_state;

/* The child struct moved out of a capsule (the capsule then frees nothing
 * but its own shell). */
static int move_from_capsule(PyObject *capsule, const char *name, void *out, size_t size) {
    void *p = PyCapsule_GetPointer(capsule, name);
    if (!p) return -1;
    memcpy(out, p, size);
    if (size == sizeof(struct ArrowSchema)) ((struct ArrowSchema *)p)->release = NULL;
    else ((struct ArrowArray *)p)->release = NULL;
    return 0;
}

/* ---- the struct schema ---------------------------------------------------------------- */

/* A PyMem_Raw copy of a NUL-terminated string of len bytes. */
static char *raw_copy(const char *text, size_t len) {
    char *out = PyMem_RawMalloc(len + 1);
    if (out) memcpy(out, text, len + 1);
    return out;
}

/* The format requested for column i, or NULL. */
static const char *requested_at(const stream_state *s, Py_ssize_t i) {
    return s->formats ? PyBytes_AS_STRING(PyTuple_GET_ITEM(s->formats, i)) : NULL;
}

/* The core's shell (cc_malloc'd: freed under the GIL) in a PyMem_Raw block. */
static void struct_schema_release(struct ArrowSchema *schema) {
    if (!schema->release) return;
    cc_arrow_struct_schema *p = schema->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        schema->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    cc_arrow_struct_schema_reset(p); /* the children's releases take the GIL too */
    PyGILState_Release(gil);
    PyMem_RawFree(p);
    schema->release = NULL;
}

static int build_schema(stream_state *s, struct ArrowSchema *out) {
    int64_t n = PyTuple_GET_SIZE(s->columns);
    out->release = NULL;
    cc_arrow_struct_schema *p = PyMem_RawCalloc(1, sizeof *p);
    if (!p || cc_arrow_struct_schema_init(p, n) != CC_OK) {
        PyMem_RawFree(p);
        return PyErr_NoMemory(), -1;
    }
    for (int64_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(s->names, i), &len);
        if (!name) goto fail;
        PyObject *cap = PyObject_CallMethod(PyTuple_GET_ITEM(s->columns, i), "__arrow_c_schema__", NULL);
        struct ArrowSchema child;
        int r = cap ? move_from_capsule(cap, "arrow_schema", &child, sizeof child) : -1;
        Py_XDECREF(cap);
        if (r < 0) goto fail;
        /* a requested cast (see arrow_export.c) replaces the column's format */
        if (cc_arrow_struct_schema_move_child(p, &child, name, (size_t)len, requested_at(s, i)) !=
            CC_OK) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    cc_arrow_struct_schema_fill(p, out);
    out->release = struct_schema_release;
    out->private_data = p;
    return 0;
fail:
    cc_arrow_struct_schema_reset(p);
    PyMem_RawFree(p);
    return -1;
}

/* ---- the struct batch ------------------------------------------------------------------ */

static void struct_array_release(struct ArrowArray *array) {
    if (!array->release) return;
    cc_arrow_struct *p = array->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        array->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    cc_arrow_struct_reset(p); /* the children's releases take the GIL too */
    PyGILState_Release(gil);
    PyMem_RawFree(p);
    array->release = NULL;
}

static int build_batch(stream_state *s, struct ArrowArray *out) {
    int64_t n = PyTuple_GET_SIZE(s->columns);
    out->release = NULL;
    cc_arrow_struct *p = PyMem_RawCalloc(1, sizeof *p);
    if (!p || cc_arrow_struct_init(p, n) != CC_OK) {
        PyMem_RawFree(p);
        return PyErr_NoMemory(), -1;
    }
    for (int64_t i = 0; i < n; i++) {
        PyObject *column = PyTuple_GET_ITEM(s->columns, i), *pair;
        const char *want = requested_at(s, i);
        if (want) {
            PyObject *request = schema_capsule(want, false);
            pair = request ? PyObject_CallMethod(column, "__arrow_c_array__", "O", request) : NULL;
            Py_XDECREF(request);
        } else {
            pair = PyObject_CallMethod(column, "__arrow_c_array__", NULL);
        }
        if (!pair) goto fail;
        struct ArrowArray child;
        int r = PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2
              ? move_from_capsule(PyTuple_GET_ITEM(pair, 1), "arrow_array", &child, sizeof child)
              : -1;
        Py_DECREF(pair);
        if (r < 0) goto fail;
        cc_error err;
        if (cc_arrow_struct_move_child(p, &child, &err) != CC_OK) {
            PyErr_SetString(PyExc_RuntimeError, "Table.__arrow_c_stream__: the columns no longer "
                            "have one length (a column was dropped and resized)");
            goto fail;
        }
    }
    cc_arrow_struct_fill(p, s->rows, out);
    out->release = struct_array_release;
    out->private_data = p;
    return 0;
fail:
    cc_arrow_struct_reset(p);
    PyMem_RawFree(p);
    return -1;
}

/* s->formats = every column's own format now, so that get_schema, even
 * called after the table changed a column's width, describes the batch
 * made with the stream. */
static int record_formats(stream_state *s) {
    struct ArrowSchema schema;
    if (build_schema(s, &schema) < 0) return -1;
    PyObject *formats = PyTuple_New((Py_ssize_t)schema.n_children);
    for (int64_t i = 0; formats && i < schema.n_children; i++) {
        PyObject *b = PyBytes_FromString(schema.children[i]->format);
        if (!b) Py_CLEAR(formats);
        else PyTuple_SET_ITEM(formats, (Py_ssize_t)i, b);
    }
    schema.release(&schema);
    s->formats = formats;
    return formats ? 0 : -1;
}

/* ---- the stream ------------------------------------------------------------------------- */

/* Keeps the pending exception's text for get_last_error ("MemoryError"
 * when it has none); returns ENOMEM for a MemoryError, EINVAL otherwise. */
static int stream_fail(stream_state *s) {
    PyObject *exc = error_take();
    int code = exc && PyErr_GivenExceptionMatches(exc, PyExc_MemoryError) ? ENOMEM : EINVAL;
    PyObject *text = exc ? PyObject_Str(exc) : NULL;
    if (text && PyUnicode_GetLength(text) == 0)
        Py_SETREF(text, PyObject_GetAttrString((PyObject *)Py_TYPE(exc), "__name__"));
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    PyMem_RawFree(s->last_error);
    s->last_error = msg ? raw_copy(msg, strlen(msg)) : NULL;
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(exc);
    return code;
}

static int stream_get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
    stream_state *s = stream->private_data;
    PyGILState_STATE gil = PyGILState_Ensure();
    int r = build_schema(s, out) < 0 ? stream_fail(s) : 0;
    PyGILState_Release(gil);
    return r;
}

static int stream_get_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
    stream_state *s = stream->private_data;
    if (s->done) {
        out->release = NULL; /* end of stream */
        return 0;
    }
    *out = s->batch; /* moved out: the consumer releases it */
    s->batch.release = NULL;
    s->done = true;
    return 0;
}

static const char *stream_get_last_error(struct ArrowArrayStream *stream) {
    return ((stream_state *)stream->private_data)->last_error;
}

static void stream_release(struct ArrowArrayStream *stream) {
    if (!stream->release) return;
    stream_state *s = stream->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        stream->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    if (s->batch.release) s->batch.release(&s->batch); /* never read */
    Py_XDECREF(s->columns);
    Py_XDECREF(s->names);
    Py_XDECREF(s->formats);
    PyGILState_Release(gil);
    PyMem_RawFree(s->last_error);
    PyMem_RawFree(s);
    stream->release = NULL;
}

static void stream_capsule_free(PyObject *capsule) {
    struct ArrowArrayStream *stream = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!stream) {
        PyErr_Clear();
        return;
    }
    if (stream->release) stream->release(stream);
    PyMem_RawFree(stream);
}

static void schema_capsule_free(PyObject *capsule) {
    struct ArrowSchema *schema = PyCapsule_GetPointer(capsule, "arrow_schema");
    if (!schema) {
        PyErr_Clear();
        return;
    }
    if (schema->release) schema->release(schema);
    PyMem_RawFree(schema);
}

/* Table.__arrow_c_schema__: the struct schema of the stream. */
PyObject *table_arrow_c_schema(PyObject *self, PyObject *unused) {
    TableObject *t = (TableObject *)self;
    if (table_ready(t) < 0) return NULL;
    stream_state s = {.columns = t->columns, .names = ((SchemaObject *)t->schema)->names};
    struct ArrowSchema *schema = PyMem_RawCalloc(1, sizeof *schema);
    if (!schema) return PyErr_NoMemory();
    if (build_schema(&s, schema) < 0) {
        PyMem_RawFree(schema);
        return NULL;
    }
    PyObject *capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (!capsule) schema->release(schema), PyMem_RawFree(schema);
    return capsule;
}

/* The formats a requested struct schema asks of each column, checked
 * (AR7: ValueError for a cast the column does not make); new tuple of bytes. */
static PyObject *requested_formats(TableObject *t, PyObject *requested) {
    if (!PyCapsule_CheckExact(requested)) {
        PyErr_Format(PyExc_TypeError, "Table.__arrow_c_stream__: requested_schema must be an "
                     "'arrow_schema' PyCapsule or None, not %.100s", Py_TYPE(requested)->tp_name);
        return NULL;
    }
    const struct ArrowSchema *want = PyCapsule_GetPointer(requested, "arrow_schema");
    if (!want) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(t->columns);
    if (!cc_arrow_struct_request_ok(want, n)) {
        PyErr_Format(PyExc_ValueError, "Table.__arrow_c_stream__: the requested schema must be "
                     "a struct of %zd fields, one per column, not '%s'", n,
                     want->format ? want->format : "?");
        return NULL;
    }
    PyObject *formats = PyTuple_New(n);
    for (Py_ssize_t i = 0; formats && i < n; i++) {
        const struct ArrowSchema *child = want->children[i];
        const char *f = child && child->format ? child->format : "";
        PyObject *b = NULL;
        if (arrow_column_cast_ok(PyTuple_GET_ITEM(t->columns, i), f) == 0) {
            b = PyBytes_FromString(f);
        } else { /* the column's reason, with the column named */
            PyObject *exc = error_take();
            PyErr_Format(PyExc_ValueError, "Table.__arrow_c_stream__: column %R: %S",
                         PyTuple_GET_ITEM(((SchemaObject *)t->schema)->names, i),
                         exc ? exc : Py_None);
            Py_XDECREF(exc);
        }
        if (!b) Py_CLEAR(formats);
        else PyTuple_SET_ITEM(formats, i, b);
    }
    return formats;
}

PyObject *table_arrow_c_stream(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_stream__", kwlist, &requested))
        return NULL;
    TableObject *t = (TableObject *)self;
    PyObject *formats = NULL;
    if (table_ready(t) < 0) return NULL;
    if (requested != Py_None && !(formats = requested_formats(t, requested))) return NULL;
    struct ArrowArrayStream *stream = PyMem_RawCalloc(1, sizeof *stream);
    stream_state *s = PyMem_RawCalloc(1, sizeof *s);
    if (!stream || !s) {
        PyMem_RawFree(stream), PyMem_RawFree(s);
        Py_XDECREF(formats);
        return PyErr_NoMemory();
    }
    s->columns = Py_NewRef(t->columns);
    s->names = Py_NewRef(((SchemaObject *)t->schema)->names);
    s->formats = formats;
    s->rows = t->length;
    *stream = (struct ArrowArrayStream){stream_get_schema, stream_get_next, stream_get_last_error,
                                        stream_release, s};
    /* the snapshot: the batch now, and the formats it has */
    if (build_batch(s, &s->batch) < 0 || (!s->formats && record_formats(s) < 0)) {
        stream_release(stream);
        PyMem_RawFree(stream);
        return NULL;
    }
    PyObject *capsule = PyCapsule_New(stream, "arrow_array_stream", stream_capsule_free);
    if (!capsule) stream_release(stream), PyMem_RawFree(stream);
    return capsule;
}
