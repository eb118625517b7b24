/* arrow_import.c -- compactcol.from_arrow: one Arrow array, or a stream of
 * them, from any producer of the Arrow PyCapsule interface, into an Array,
 * a StringArray or a CategoricalArray; a struct array (a record batch) into
 * (names, columns), which the facade makes a Table.
 *
 * Ownership: the ArrowArray is moved out of its capsule at once (the
 * capsule's copy gets release = NULL), so whatever happens next we release
 * it exactly once, right after copying its data.  The schema stays the
 * capsule's: we only read it.
 *
 * Validation: everything the C data interface lets a consumer check is
 * checked before a byte is read -- capsule names, release pointers, the
 * format, n_buffers, non-NULL buffers, length/offset/null_count ranges, and
 * for strings that offsets never decrease and the bytes are UTF-8.  What it
 * does not describe (the size of each buffer) we must trust, as every
 * consumer does.  Data is copied: the import is as fast as a checked copy
 * and owns its memory outright.
 */
#include "binding.h"
#include "cc_arrow.h"

#define WHAT "compactcol.from_arrow"

/* Calls a producer's release callback with any pending exception set
 * aside: the callback may itself be Python code (ctypes, cffi). */
#define RELEASE_KEEPING_ERROR(x)                        \
    do {                                                \
        PyObject *t_, *v_, *tb_;                        \
        PyErr_Fetch(&t_, &v_, &tb_);                    \
        (x)->release(x);                                \
        PyErr_Restore(t_, v_, tb_);                     \
    } while (0)

static PyObject *bad(PyObject *exc, const char *why) {
    PyErr_Format(exc, WHAT ": %s", why);
    return NULL;
}

static bool bit_set(const void *bits, int64_t i) {
    return (((const uint8_t *)bits)[i >> 3] >> (i & 7)) & 1;
}

/* True at i if the element is valid (no bitmap: all valid). */
static bool valid_at(const struct ArrowArray *a, int64_t i) {
    return a->null_count == 0 || !a->buffers[0] || bit_set(a->buffers[0], a->offset + i);
}

static bool has_nulls(const struct ArrowArray *a) {
    return a->null_count != 0 && a->buffers[0] != NULL;
}

static const char *check_shape(const struct ArrowArray *a, int64_t n_buffers) {
    if (a->length < 0 || a->offset < 0 || a->length > CC_MAX_SIZE - a->offset)
        return "length or offset out of range";
    if (a->null_count < -1 || a->null_count > a->length) return "null_count out of range";
    if (a->n_buffers != n_buffers) return "wrong number of buffers for the format";
    if (!a->buffers) return "no buffers";
    for (int64_t b = 1; b < n_buffers; b++)
        if (!a->buffers[b] && a->length > 0) return "a data buffer is NULL";
    return NULL;
}

/* ---- numbers ------------------------------------------------------------------- */

static PyObject *import_numbers(PyTypeObject *tp, cc_dtype dt, const struct ArrowArray *a) {
    const char *why = check_shape(a, 2);
    if (why) return bad(PyExc_ValueError, why);
    bool nullable = has_nulls(a);
    cc_numarray out;
    cc_numarray_init(&out, dt, false, nullable);
    int size = cc_dtype_itemsize(dt);
    int64_t unused;
    cc_status st;
    void *p = NULL;
    if (dt == CC_BOOL) { /* Arrow packs bools into bits */
        st = cc_numarray_append_zeros(&out, a->length, &p);
        for (int64_t i = 0; st == CC_OK && i < a->length; i++)
            ((uint8_t *)p)[i] = bit_set(a->buffers[1], a->offset + i);
    } else { /* one memcpy */
        st = cc_numarray_append_converted(&out, dt, (const uint8_t *)a->buffers[1] + a->offset * size,
                                          a->length, &unused);
        p = out.data;
    }
    if (st != CC_OK) {
        cc_numarray_reset(&out);
        return status_raise(WHAT, st, "import");
    }
    for (int64_t i = 0; nullable && i < a->length; i++)
        if (!valid_at(a, i)) {
            cc_bitmap_set(out.validity, i, false);
            memset((uint8_t *)p + i * size, 0, (size_t)size); /* a null holds 0 */
            out.null_count++;
        }
    PyObject *r = array_wrap(tp, &out);
    cc_numarray_reset(&out);
    return r;
}

/* ---- strings -------------------------------------------------------------------- */

static int64_t offset_at(const struct ArrowArray *a, bool wide, int64_t i) {
    return wide ? ((const int64_t *)a->buffers[1])[a->offset + i]
                : ((const int32_t *)a->buffers[1])[a->offset + i];
}

/* Element by element (when a null owns bytes): the same checks. */
static cc_status append_one_by_one(const struct ArrowArray *a, bool wide, cc_strarray *out,
                                   int64_t *bad_at) {
    int64_t first = offset_at(a, wide, 0), last = offset_at(a, wide, a->length);
    *bad_at = -1;
    if (first < 0 || last < first) return CC_EINVAL;
    const uint8_t *data = a->buffers[2];
    cc_status st = cc_strarray_reserve(out, a->length, last - first);
    for (int64_t i = 0; st == CC_OK && i < a->length; i++) {
        int64_t lo = offset_at(a, wide, i), hi = offset_at(a, wide, i + 1);
        bool valid = valid_at(a, i);
        if (lo < first || hi < lo || hi > last || (valid && !cc_utf8_valid(data + lo, hi - lo))) {
            *bad_at = i;
            return CC_EINVAL;
        }
        st = cc_strarray_append(out, (cc_str){data + lo, valid ? hi - lo : 0}, !valid);
    }
    return st;
}

/* The strings of a 'u'/'U' array into out (initialised here). */
static int collect_strings(const struct ArrowArray *a, bool wide, cc_strarray *out) {
    cc_strarray_init(out, has_nulls(a));
    const char *why = check_shape(a, 3);
    if (why) return bad(PyExc_ValueError, why), -1;
    if (a->length == 0) return 0;
    /* Arrow lets a null own bytes; ours are empty, so those take the slow path */
    bool bulk = true;
    for (int64_t i = 0; bulk && has_nulls(a) && i < a->length; i++)
        bulk = valid_at(a, i) || offset_at(a, wide, i) == offset_at(a, wide, i + 1);
    int64_t bad_at;
    cc_status st;
    if (bulk) {
        const uint8_t *off = (const uint8_t *)a->buffers[1] + a->offset * (wide ? 8 : 4);
        st = cc_strarray_append_arrow(out, off, wide, a->length, a->buffers[2], &bad_at);
        for (int64_t i = 0; st == CC_OK && has_nulls(a) && i < a->length; i++)
            if (!valid_at(a, i)) {
                cc_bitmap_set(out->validity, i, false);
                out->null_count++;
            }
    } else {
        st = append_one_by_one(a, wide, out, &bad_at);
    }
    if (st == CC_OK) return 0;
    cc_strarray_reset(out);
    if (st != CC_EINVAL) status_raise(WHAT, st, "import");
    else if (bad_at < 0) bad(PyExc_ValueError, "offsets out of order");
    else PyErr_Format(PyExc_ValueError, WHAT ": string %lld has bad offsets or is not valid "
                      "UTF-8", (long long)bad_at);
    return -1;
}

/* The strings of a 'vu' (string view) array into out: each 16-byte view
 * holds a length and either the bytes inline (<= 12) or a buffer index and
 * offset into the variadic buffers, whose sizes the last buffer lists. */
static int collect_string_views(const struct ArrowArray *a, cc_strarray *out) {
    if (a->n_buffers < 3 || !a->buffers) return bad(PyExc_ValueError, "a string view array needs 3+ buffers"), -1;
    int64_t n_data = a->n_buffers - 3;
    const int64_t *sizes = a->buffers[a->n_buffers - 1];
    const uint8_t *views = a->buffers[1];
    if (a->length < 0 || a->offset < 0 || a->length > CC_MAX_SIZE - a->offset ||
        (a->length && (!views || (n_data && !sizes))))
        return bad(PyExc_ValueError, "length, offset or buffers out of range"), -1;
    cc_strarray_init(out, has_nulls(a));
    cc_status st = cc_strarray_reserve(out, a->length, 0);
    for (int64_t i = 0; st == CC_OK && i < a->length; i++) {
        const uint8_t *v = views + (a->offset + i) * 16;
        int32_t len, index, off;
        memcpy(&len, v, 4);
        bool valid = valid_at(a, i);
        cc_str s = {v + 4, len};
        if (valid && len > 12) {
            memcpy(&index, v + 8, 4);
            memcpy(&off, v + 12, 4);
            if (index < 0 || index >= n_data || off < 0 || !a->buffers[2 + index] ||
                (int64_t)off + len > sizes[index]) {
                cc_strarray_reset(out);
                return bad(PyExc_ValueError, "a string view points outside its buffer"), -1;
            }
            s.ptr = (const uint8_t *)a->buffers[2 + index] + off;
        }
        if (valid && (len < 0 || !cc_utf8_valid(s.ptr, len))) {
            cc_strarray_reset(out);
            PyErr_Format(PyExc_ValueError, WHAT ": string %lld is not valid UTF-8", (long long)i);
            return -1;
        }
        st = cc_strarray_append(out, valid ? s : (cc_str){NULL, 0}, !valid);
    }
    if (st != CC_OK) {
        cc_strarray_reset(out);
        status_raise(WHAT, st, "import");
        return -1;
    }
    return 0;
}

/* ---- dictionaries -> CategoricalArray ------------------------------------------------- */

static PyObject *import_dictionary(PyTypeObject *tp, const struct ArrowSchema *s,
                                   const struct ArrowArray *a) {
    cc_dtype it;
    const char *vf = s->dictionary->format;
    if (!vf) return bad(PyExc_ValueError, "the dictionary's schema has no format");
    if (!cc_arrow_dtype(s->format, &it) || cc_dtype_get(it)->kind == CC_KIND_FLOAT ||
        it == CC_BOOL)
        return bad(PyExc_TypeError, "dictionary indices must be integers");
    bool views = strcmp(vf, "vu") == 0;
    if (!a->dictionary || (strcmp(vf, "u") != 0 && strcmp(vf, "U") != 0 && !views))
        return bad(PyExc_TypeError, "only dictionaries of strings import (as CategoricalArray)");
    const char *why = check_shape(a, 2);
    if (why) return bad(PyExc_ValueError, why);
    cc_strarray words;
    if ((views ? collect_string_views(a->dictionary, &words)
               : collect_strings(a->dictionary, vf[0] == 'U', &words)) < 0)
        return NULL;
    module_state *ms = state_of_type(tp);
    PyObject *pool = ms ? pool_new_empty(tp) : NULL, *codes = NULL, *r = NULL;
    int64_t k = words.length, *ids = PyMem_Malloc((size_t)(k ? k : 1) * sizeof *ids);
    cc_numarray idx;
    cc_numarray_init(&idx, CC_INT8, true, false);
    if (!pool || !ids) {
        if (!ids) PyErr_NoMemory();
        goto done;
    }
    /* a null dictionary entry gets id -1: an index pointing at it is a null */
    if (pool_intern_all(pool, &words, false, ids) < 0) goto done;
    int size = cc_dtype_itemsize(it);
    bool nullable = has_nulls(a);
    for (int64_t i = 0; i < a->length; i++) {
        cc_scalar v;
        int64_t code = -1;
        if (valid_at(a, i)) {
            cc_dtype_load(it, (const uint8_t *)a->buffers[1] + (a->offset + i) * size, &v);
            if (v.kind == CC_SCALAR_UINT || v.v.i < 0 || v.v.i >= k) {
                PyErr_Format(PyExc_ValueError, WHAT ": index %lld points outside the dictionary",
                             (long long)i);
                goto done;
            }
            code = ids[v.v.i]; /* repeated dictionary words share one id */
            nullable |= code == -1;
        }
        cc_scalar c = {.kind = CC_SCALAR_INT, .v.i = code};
        cc_status st = cc_numarray_append(&idx, &c);
        if (st != CC_OK) {
            status_raise(WHAT, st, "import");
            goto done;
        }
    }
    codes = array_wrap(tp, &idx);
    if (codes) {
        PyObject *args = Py_BuildValue("(OOO)", pool, codes, nullable ? Py_True : Py_False);
        r = args ? categorical_from_state(PyType_GetModule(tp), &PyTuple_GET_ITEM(args, 0), 3)
                 : NULL;
        Py_XDECREF(args);
    }
done:
    PyMem_Free(ids);
    cc_numarray_reset(&idx);
    cc_strarray_reset(&words);
    Py_XDECREF(pool);
    Py_XDECREF(codes);
    return r;
}

/* ---- one array ---------------------------------------------------------------------- */

static PyObject *import_one(PyTypeObject *tp, const struct ArrowSchema *s,
                            const struct ArrowArray *a) {
    cc_dtype dt;
    if (!s->format) return bad(PyExc_ValueError, "the schema has no format");
    if (s->dictionary) return import_dictionary(tp, s, a);
    if (a->n_children != 0 || s->n_children != 0)
        return bad(PyExc_TypeError, "nested types (structs, lists) do not import as one array");
    bool view = strcmp(s->format, "vu") == 0;
    if (strcmp(s->format, "u") == 0 || strcmp(s->format, "U") == 0 || view) {
        cc_strarray out;
        if ((view ? collect_string_views(a, &out) : collect_strings(a, s->format[0] == 'U', &out)) < 0)
            return NULL;
        PyObject *r = strarray_wrap(tp, &out);
        cc_strarray_reset(&out);
        return r;
    }
    if (cc_arrow_dtype(s->format, &dt)) return import_numbers(tp, dt, a);
    PyErr_Format(PyExc_TypeError, WHAT ": Arrow format '%s' is not supported", s->format);
    return NULL;
}

/* ---- structs (record batches) -> (names, columns) ------------------------------------- */

static bool is_struct(const struct ArrowSchema *s) {
    return s->format && strcmp(s->format, "+s") == 0;
}

/* Re-raises the pending error with the field named at its end. */
static void name_the_field(const struct ArrowSchema *child, Py_ssize_t i) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    /* only types whose constructor takes one message (not MemoryError's, kept as it is) */
    if (text && (type == PyExc_ValueError || type == PyExc_TypeError))
        PyErr_Format(type, "%U (field %zd, %s%s%s)", text, i, child->name ? "'" : "",
                     child->name ? child->name : "unnamed", child->name ? "'" : "");
    else
        PyErr_Restore(Py_XNewRef(type), Py_XNewRef(value), Py_XNewRef(tb));
    Py_XDECREF(text);
    Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
}

/* The field names of a struct schema, as a new tuple of str. */
static PyObject *struct_names(const struct ArrowSchema *s) {
    PyObject *names = PyTuple_New(s->n_children);
    for (int64_t i = 0; names && i < s->n_children; i++) {
        const char *name = s->children[i]->name;
        PyObject *n = PyUnicode_DecodeUTF8(name ? name : "", name ? (Py_ssize_t)strlen(name) : 0,
                                           "strict");
        if (!n) Py_CLEAR(names);
        else PyTuple_SET_ITEM(names, i, n);
    }
    return names;
}

static const char *check_struct(const struct ArrowSchema *s, const struct ArrowArray *a) {
    if (s->n_children < 0 || (s->n_children && !s->children))
        return "a struct schema without children";
    for (int64_t i = 0; i < s->n_children; i++)
        if (!s->children[i] || !s->children[i]->format) return "a struct field without a format";
    if (!a) return NULL;
    if (a->length < 0 || a->offset < 0 || a->length > CC_MAX_SIZE - a->offset)
        return "length or offset out of range";
    if (a->n_buffers != 1 || !a->buffers) return "wrong number of buffers for a struct";
    if (a->n_children != s->n_children || (a->n_children && !a->children))
        return "the array's children do not match the schema's";
    for (int64_t i = 0; i < a->n_children; i++)
        if (!a->children[i] || a->children[i]->offset < 0 ||
            a->children[i]->offset > CC_MAX_SIZE - a->offset - a->length ||
            a->children[i]->length < a->offset + a->length)
            return "a child array is shorter than the struct";
    return NULL;
}

/* (names, columns, rows) of a struct schema, column i made by column(ctx,
 * field i, i); an error names the field.  rows is the struct's length, which
 * a struct without fields has too. */
typedef PyObject *(*field_import)(const void *ctx, const struct ArrowSchema *field, int64_t i);

static PyObject *struct_columns(const struct ArrowSchema *s, field_import column,
                                const void *ctx, int64_t rows) {
    PyObject *names = struct_names(s), *columns = names ? PyTuple_New(s->n_children) : NULL;
    for (int64_t i = 0; columns && i < s->n_children; i++) {
        PyObject *col = column(ctx, s->children[i], i);
        if (!col) {
            name_the_field(s->children[i], (Py_ssize_t)i);
            Py_CLEAR(columns);
        } else {
            PyTuple_SET_ITEM(columns, i, col);
        }
    }
    PyObject *r = columns ? Py_BuildValue("(OOL)", names, columns, (long long)rows) : NULL;
    Py_XDECREF(names);
    Py_XDECREF(columns);
    return r;
}

typedef struct {
    PyTypeObject *tp;
    const struct ArrowArray *parent;
} struct_ctx;

/* Child i of a struct array, cut to the struct's offset and length. */
static PyObject *struct_child(const void *ctx, const struct ArrowSchema *field, int64_t i) {
    const struct_ctx *c = ctx;
    struct ArrowArray child = *c->parent->children[i]; /* a view: we release only the parent */
    bool whole = c->parent->offset == 0 && child.length == c->parent->length;
    child.offset += c->parent->offset;
    child.length = c->parent->length;
    if (!whole && child.null_count > 0) child.null_count = -1; /* unknown in the cut */
    return import_one(c->tp, field, &child);
}

/* A struct array as (names, columns).  Null rows have no column form, so a
 * struct with nulls is refused. */
static PyObject *import_struct(PyTypeObject *tp, const struct ArrowSchema *s,
                               const struct ArrowArray *a) {
    const char *why = check_struct(s, a);
    if (why) return bad(PyExc_ValueError, why);
    if (has_nulls(a))
        return bad(PyExc_ValueError, "a struct array with null rows has no column form");
    struct_ctx ctx = {tp, a};
    return struct_columns(s, struct_child, &ctx, a->length);
}

/* One array of any supported type: a container, or (names, columns). */
static PyObject *import_any(PyTypeObject *tp, const struct ArrowSchema *s,
                            const struct ArrowArray *a) {
    return is_struct(s) ? import_struct(tp, s, a) : import_one(tp, s, a);
}

static PyObject *import_empty(PyObject *module, const struct ArrowSchema *s);

static PyObject *empty_field(const void *module, const struct ArrowSchema *field, int64_t i) {
    (void)i;
    if (is_struct(field))
        return bad(PyExc_TypeError, "nested types (structs, lists) do not import as one array");
    return import_empty((PyObject *)module, field);
}

/* The empty container (or (names, columns) of them) for a schema: what an
 * empty stream imports as. */
static PyObject *import_empty(PyObject *module, const struct ArrowSchema *s) {
    module_state *ms = PyModule_GetState(module);
    if (!s->format) return bad(PyExc_ValueError, "the schema has no format");
    if (s->dictionary) return PyObject_CallNoArgs((PyObject *)ms->CategoricalArrayType);
    if (is_struct(s)) {
        const char *why = check_struct(s, NULL);
        return why ? bad(PyExc_ValueError, why) : struct_columns(s, empty_field, module, 0);
    }
    const void *none[3] = {NULL, NULL, NULL};
    /* 3 buffers for strings (validity, offsets, data) and string views
     * (validity, views, no data buffers, their sizes); 2 for numbers */
    bool strings = strcmp(s->format, "u") == 0 || strcmp(s->format, "U") == 0 ||
                   strcmp(s->format, "vu") == 0;
    struct ArrowArray empty = {.n_buffers = strings ? 3 : 2, .buffers = none};
    return import_one(ms->ArrayType, s, &empty);
}

static const struct ArrowSchema *schema_of(PyObject *capsule) {
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_Format(PyExc_TypeError, WHAT ": expected an 'arrow_schema' PyCapsule, got %s",
                     Py_TYPE(capsule)->tp_name);
        return NULL;
    }
    const struct ArrowSchema *s = PyCapsule_GetPointer(capsule, "arrow_schema");
    if (s && !s->release) return bad(PyExc_ValueError, "the schema was already released"), NULL;
    return s;
}

/* _from_arrow_array(schema_capsule, array_capsule) */
PyObject *arrow_import_array(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok("compactcol", "_from_arrow_array", nargs, 2, 2)) return NULL;
    const struct ArrowSchema *s = schema_of(args[0]);
    if (!s) return NULL;
    if (!PyCapsule_CheckExact(args[1]))
        return bad(PyExc_TypeError, "expected an 'arrow_array' PyCapsule");
    struct ArrowArray *in = PyCapsule_GetPointer(args[1], "arrow_array");
    if (!in) return NULL;
    if (!in->release) return bad(PyExc_ValueError, "the array was already consumed or released");
    struct ArrowArray a = *in; /* move: from here on we release it, once */
    in->release = NULL;
    PyObject *r = import_any(((module_state *)PyModule_GetState(module))->ArrayType, s, &a);
    RELEASE_KEEPING_ERROR(&a);
    return r;
}

/* ---- streams ---------------------------------------------------------------------------- */

static PyObject *stream_error(struct ArrowArrayStream *st, int code, const char *step) {
    const char *msg = st->get_last_error ? st->get_last_error(st) : NULL;
    PyErr_Format(PyExc_ValueError, WHAT ": the stream's %s failed (errno %d): %s", step, code,
                 msg ? msg : "no message");
    return NULL;
}

/* _from_arrow_stream(stream_capsule): a list of one container per chunk
 * (one empty container for an empty stream), or of one (names, columns,
 * rows) per chunk for a stream of record batches; the facade concatenates. */
PyObject *arrow_import_stream(PyObject *module, PyObject *capsule) {
    if (!PyCapsule_CheckExact(capsule))
        return bad(PyExc_TypeError, "expected an 'arrow_array_stream' PyCapsule");
    struct ArrowArrayStream *in = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!in) return NULL;
    if (!in->release) return bad(PyExc_ValueError, "the stream was already consumed");
    struct ArrowArrayStream stream = *in; /* move */
    in->release = NULL;
    PyTypeObject *tp = ((module_state *)PyModule_GetState(module))->ArrayType;
    struct ArrowSchema schema = {0};
    PyObject *result = PyList_New(0);
    int code = result ? stream.get_schema(&stream, &schema) : 0;
    if (code != 0) {
        Py_CLEAR(result);
        stream_error(&stream, code, "get_schema");
    }
    while (result) {
        struct ArrowArray chunk = {0};
        if ((code = stream.get_next(&stream, &chunk)) != 0) {
            Py_CLEAR(result);
            stream_error(&stream, code, "get_next");
            break;
        }
        if (!chunk.release) break; /* end of stream */
        PyObject *part = import_any(tp, &schema, &chunk);
        RELEASE_KEEPING_ERROR(&chunk);
        if (!part || PyList_Append(result, part) < 0) Py_CLEAR(result);
        Py_XDECREF(part);
    }
    if (result && PyList_GET_SIZE(result) == 0) { /* empty: one empty container */
        PyObject *part = import_empty(module, &schema);
        if (!part || PyList_Append(result, part) < 0) Py_CLEAR(result);
        Py_XDECREF(part);
    }
    if (schema.release) RELEASE_KEEPING_ERROR(&schema);
    RELEASE_KEEPING_ERROR(&stream);
    return result;
}
