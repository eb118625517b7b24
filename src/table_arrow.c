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
 */
#include "binding.h"
#include "cc_arrow.h"

#include <errno.h>

typedef struct {
    PyObject *columns;  /* tuple of the column objects */
    PyObject *names;    /* tuple of their names */
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
    int64_t n;
} schema_private;

static void struct_schema_release(struct ArrowSchema *schema) {
    if (!schema->release) return;
    schema_private *p = schema->private_data;
    PyGILState_STATE gil = PyGILState_Ensure();
    for (int64_t i = 0; i < p->n; i++) {
        if (p->children[i].release) p->children[i].release(&p->children[i]);
        PyMem_RawFree(p->names[i]);
    }
    PyGILState_Release(gil);
    PyMem_RawFree(p->children), PyMem_RawFree(p->pointers), PyMem_RawFree(p->names);
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
    *out = (struct ArrowSchema){.format = "+s", .name = "", .n_children = n,
                                .children = p->pointers, .release = struct_schema_release,
                                .private_data = p};
    if (!p->children || !p->pointers || !p->names) goto nomem;
    for (int64_t i = 0; i < n; i++) {
        p->n = i + 1; /* release what child i got so far if it fails */
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(s->names, i), &len);
        if (!name) goto fail;
        if (!(p->names[i] = PyMem_RawMalloc((size_t)len + 1))) goto nomem;
        memcpy(p->names[i], name, (size_t)len + 1);
        PyObject *cap = PyObject_CallMethod(PyTuple_GET_ITEM(s->columns, i), "__arrow_c_schema__", NULL);
        int r = cap ? move_from_capsule(cap, "arrow_schema", &p->children[i], sizeof p->children[i]) : -1;
        Py_XDECREF(cap);
        if (r < 0) goto fail;
        p->children[i].name = p->names[i];
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
        PyObject *pair = PyObject_CallMethod(PyTuple_GET_ITEM(s->columns, i), "__arrow_c_array__", NULL);
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
    out->length = length < 0 ? 0 : length;
    return 0;
fail:
    struct_array_release(out);
    return -1;
}

/* ---- the stream ------------------------------------------------------------------------- */

/* Keeps the pending exception's text for get_last_error; returns EINVAL. */
static int stream_fail(stream_state *s) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    PyMem_RawFree(s->last_error);
    s->last_error = NULL;
    if (msg && (s->last_error = PyMem_RawMalloc(strlen(msg) + 1))) strcpy(s->last_error, msg);
    PyErr_Clear();
    Py_XDECREF(text), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    return EINVAL;
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
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_XDECREF(s->columns);
    Py_XDECREF(s->names);
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

PyObject *table_arrow_c_stream(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_stream__", kwlist, &requested))
        return NULL;
    if (requested != Py_None) { /* AR7: a cast is the consumer's job */
        PyErr_SetString(PyExc_NotImplementedError, "Table.__arrow_c_stream__: requested_schema is "
                        "not supported; import the table and cast it there");
        return NULL;
    }
    TableObject *t = (TableObject *)self;
    struct ArrowArrayStream *stream = PyMem_RawCalloc(1, sizeof *stream);
    stream_state *s = PyMem_RawCalloc(1, sizeof *s);
    if (!stream || !s) {
        PyMem_RawFree(stream), PyMem_RawFree(s);
        return PyErr_NoMemory();
    }
    s->columns = Py_NewRef(t->columns);
    s->names = Py_NewRef(((SchemaObject *)t->schema)->names);
    *stream = (struct ArrowArrayStream){stream_get_schema, stream_get_next, stream_get_last_error,
                                        stream_release, s};
    PyObject *capsule = PyCapsule_New(stream, "arrow_array_stream", stream_capsule_free);
    if (!capsule) stream_release(stream), PyMem_RawFree(stream);
    return capsule;
}
