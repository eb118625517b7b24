/* table_arrow.c -- Table.__arrow_c_stream__: the table as an Arrow stream
 * of one struct batch, without a copy.
 *
 *   stream ── get_schema ─> struct<id: int64, name: utf8, sym: dictionary<int8, utf8>>
 *          └─ get_next ───> struct array, children = the columns' own exports
 *                           (then end of stream)
 *
 * The children are exactly what each column's __arrow_c_schema__ /
 * __arrow_c_array__ produces (moved out of their capsules), so they share
 * the column buffers and hold the columns' export counters: the table
 * cannot resize (BufferError) until the consumer releases the batch.  The
 * stream keeps the column objects it was made from, so its schema and its
 * batch agree even if the table changes columns in between.  Callbacks may
 * run on any thread: each takes the GIL.
 *
 * requested_schema: a struct with one child per column, each asking for
 * its column's own format or a cast the column's export makes (see
 * arrow_export.c: lossless number casts, string <-> large_string); checked
 * when the stream is made, so a refused request raises ValueError there.
 */
#include "binding.h"
#include "arrow.h"
#include "table.h"
#include "cc_arrow.h"

#include <errno.h>

typedef struct {
    PyObject *columns;  /* tuple of the column objects */
    PyObject *names;    /* tuple of their names */
    PyObject *formats;  /* NULL, or a tuple of the requested formats (bytes) */
    int64_t rows;       /* the table's length: the batch's when it has no columns */
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

typedef struct {
    struct ArrowSchema *children;  /* n structs */
    struct ArrowSchema **pointers; /* n pointers to them */
    char **names;                  /* the children's names (UTF-8 copies) */
    char **formats;                /* requested formats (copies), or NULL */
    int64_t n;
} schema_private;

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

static void struct_schema_release(struct ArrowSchema *schema) {
    if (!schema->release) return;
    schema_private *p = schema->private_data;
    if (python_finalizing()) { /* see python_finalizing */
        schema->release = NULL;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    for (int64_t i = 0; i < p->n; i++) {
        if (p->children[i].release) p->children[i].release(&p->children[i]);
        PyMem_RawFree(p->names[i]);
        PyMem_RawFree(p->formats[i]);
    }
    PyGILState_Release(gil);
    PyMem_RawFree(p->children), PyMem_RawFree(p->pointers), PyMem_RawFree(p->names);
    PyMem_RawFree(p->formats);
    PyMem_RawFree(p);
    schema->release = NULL;
}

static int build_schema(stream_state *s, struct ArrowSchema *out) {
    int64_t n = PyTuple_GET_SIZE(s->columns);
    schema_private *p = PyMem_RawCalloc(1, sizeof *p);
    if (!p) return PyErr_NoMemory(), -1;
    p->children = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->children);
    p->pointers = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->pointers);
    p->names = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->names);
    p->formats = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->formats);
    *out = (struct ArrowSchema){.format = "+s", .name = "", .n_children = n,
                                .children = p->pointers, .release = struct_schema_release,
                                .private_data = p};
    if (!p->children || !p->pointers || !p->names || !p->formats) goto nomem;
    for (int64_t i = 0; i < n; i++) {
        p->n = i + 1; /* release what child i got so far if it fails */
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(s->names, i), &len);
        if (!name) goto fail;
        if (!(p->names[i] = raw_copy(name, (size_t)len))) goto nomem;
        PyObject *cap = PyObject_CallMethod(PyTuple_GET_ITEM(s->columns, i), "__arrow_c_schema__", NULL);
        int r = cap ? move_from_capsule(cap, "arrow_schema", &p->children[i], sizeof p->children[i]) : -1;
        Py_XDECREF(cap);
        if (r < 0) goto fail;
        p->children[i].name = p->names[i];
        const char *want = requested_at(s, i);
        if (want && strcmp(want, p->children[i].format) != 0) { /* a cast: see arrow_export.c */
            if (!(p->formats[i] = raw_copy(want, strlen(want)))) goto nomem;
            p->children[i].format = p->formats[i];
        }
        p->pointers[i] = &p->children[i];
    }
    return 0;
nomem:
    PyErr_NoMemory();
fail:
    struct_schema_release(out);
    return -1;
}

/* ---- the struct batch ------------------------------------------------------------------ */

typedef struct {
    struct ArrowArray *children;
    struct ArrowArray **pointers;
    const void *buffers[1]; /* no validity: every row is there */
    int64_t n;
} array_private;

static void struct_array_release(struct ArrowArray *array) {
    if (!array->release) return;
    array_private *p = array->private_data;
    for (int64_t i = 0; i < p->n; i++) /* each child's release takes the GIL itself */
        if (p->children[i].release) p->children[i].release(&p->children[i]);
    PyMem_RawFree(p->children), PyMem_RawFree(p->pointers), PyMem_RawFree(p);
    array->release = NULL;
}

static int build_batch(stream_state *s, struct ArrowArray *out) {
    int64_t n = PyTuple_GET_SIZE(s->columns), length = -1;
    array_private *p = PyMem_RawCalloc(1, sizeof *p);
    if (!p) return PyErr_NoMemory(), -1;
    p->children = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->children);
    p->pointers = PyMem_RawCalloc((size_t)(n ? n : 1), sizeof *p->pointers);
    *out = (struct ArrowArray){.n_buffers = 1, .n_children = n, .buffers = p->buffers,
                               .children = p->pointers, .release = struct_array_release,
                               .private_data = p};
    if (!p->children || !p->pointers) {
        PyErr_NoMemory();
        goto fail;
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
        int r = PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2
              ? move_from_capsule(PyTuple_GET_ITEM(pair, 1), "arrow_array", &p->children[i],
                                  sizeof p->children[i]) : -1;
        Py_DECREF(pair);
        if (r < 0) goto fail;
        p->n++;
        p->pointers[i] = &p->children[i];
        if (length >= 0 && p->children[i].length != length) {
            PyErr_SetString(PyExc_RuntimeError, "Table.__arrow_c_stream__: the columns no longer "
                            "have one length (a column was dropped and resized)");
            goto fail;
        }
        length = p->children[i].length;
    }
    out->length = length < 0 ? s->rows : length;
    return 0;
fail:
    struct_array_release(out);
    return -1;
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
    PyGILState_STATE gil = PyGILState_Ensure();
    int r = build_batch(s, out) < 0 ? stream_fail(s) : 0;
    PyGILState_Release(gil);
    if (r == 0) s->done = true;
    return r;
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
    if (!want->format || strcmp(want->format, "+s") != 0 || want->n_children != n ||
        (n && !want->children)) {
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
    PyObject *capsule = PyCapsule_New(stream, "arrow_array_stream", stream_capsule_free);
    if (!capsule) stream_release(stream), PyMem_RawFree(stream);
    return capsule;
}
