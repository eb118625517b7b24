/* arrow_import.c -- compactcol.from_arrow: one Arrow array, or a stream of
 * them, from any producer of the Arrow PyCapsule interface, into an Array,
 * a StringArray or a CategoricalArray; a struct array (a record batch), or
 * a stream of them, into (names, columns, rows), which the facade makes a
 * Table.
 *
 *   capsule --> schema, array(s) --> column_sink per column --> container
 *                                    (cc_arrow_append_* per chunk, in the core)
 *
 * The binding unpacks capsules, dispatches on the format, interns a
 * dictionary's words into a StringPool and maps the core's status and
 * cc_error to exceptions; the checks and the copies are the core's
 * (src/core/cc_arrow_import.c).
 *
 * Binary ('z'/'Z', and 'vz' copied) takes the strings' path into a
 * BinaryArray (the core skips the UTF-8 check for it).
 *
 * Zero-copy (the default; copy=True forces the copies): a number or
 * 'u'/'U' ('z'/'Z') string column adopts the producer's buffers (cc_arrow_adopt_*):
 *
 *   capsule's ArrowArray --move--> arrow_holder (PyMem) <-- owner: one
 *   foreign cc_buffer, referenced by every buffer adopted from the array
 *   or its children; its last reference releases the producer's array.
 *
 * What does not adopt is copied as before: bools (bit-packed in Arrow),
 * string views, dictionaries (the codes are remapped into a pool), a null
 * owning bytes, misaligned buffers, and a stream of several chunks, which
 * appends chunk after chunk into one container per column (one copy of
 * every byte; a stream of one chunk adopts it).
 *
 * Ownership: the ArrowArray is moved out of its capsule at once (the
 * capsule's copy gets release = NULL) into a holder, so whatever happens
 * next it is released exactly once: when the owner's last reference goes
 * -- right after the import if nothing adopted, else with the last
 * container (or export of one) sharing its buffers.  That unref runs with
 * the GIL held (a container's dealloc; our Arrow exports' release
 * callbacks take it).  The schema stays the capsule's: we only read it.
 *
 * Validation: everything the C data interface lets a consumer check is
 * checked before a byte is read -- capsule names and release pointers
 * here; the format, n_buffers, non-NULL buffers, length/offset/null_count
 * ranges, and for strings that offsets never decrease and the bytes are
 * UTF-8 in the core (shape first, then content, as nanoarrow).  What it
 * does not describe (the size of each buffer) we must trust, as every
 * consumer does.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "arrow.h"
#include "cc_arrow_import.h"

#define WHAT "compactcol.from_arrow"

/* Calls a producer's release callback with any pending exception set
 * aside: the callback may itself be Python code (ctypes, cffi). */
#define RELEASE_KEEPING_ERROR(x)                        \
    do {                                                \
        PyObject *exc_ = error_take();                  \
        (x)->release(x);                                \
        error_give(exc_);                               \
    } while (0)

/* A producer's array moved out of its capsule or stream, kept until the
 * last buffer adopted from it goes. */
typedef struct {
    struct ArrowArray array;
} arrow_holder;

/* The owner's release (cc_buffer_foreign): with the GIL held, as every
 * unref of a container's buffer is. */
static void holder_release(void *p) {
    arrow_holder *h = p;
    RELEASE_KEEPING_ERROR(&h->array);
    PyMem_Free(h);
}

/* A new owner of *in, moved into a holder (in->release = NULL; *moved:
 * the array now), one reference held by the caller; NULL with MemoryError
 * (the array is then released). */
static cc_buffer *holder_new(struct ArrowArray *in, struct ArrowArray **moved) {
    arrow_holder *h = PyMem_Malloc(sizeof *h);
    if (!h) {
        RELEASE_KEEPING_ERROR(in);
        return PyErr_NoMemory(), NULL;
    }
    h->array = *in;
    in->release = NULL;
    cc_buffer *owner = cc_buffer_foreign(holder_release, h);
    if (!owner) {
        holder_release(h);
        return PyErr_NoMemory(), NULL;
    }
    *moved = &h->array;
    return owner;
}

/* Which field of a struct (record batch) is being imported, for messages;
 * NULL for a plain array.  The message is formatted once, with it. */
typedef struct {
    int64_t index;
    const char *name; /* NULL: unnamed */
} arrow_field;

/* Raises exc "compactcol.from_arrow: <why>", with " (field 2, 'price')"
 * when inside a struct.  why is a format taking one long long (an index)
 * when index >= 0. */
static PyObject *bad_at(const arrow_field *f, PyObject *exc, const char *why, int64_t index) {
    PyObject *text = index >= 0 ? PyUnicode_FromFormat(why, (long long)index)
                                : PyUnicode_FromString(why);
    if (!text) return NULL;
    if (f)
        PyErr_Format(exc, WHAT ": %U (field %lld, %s%s%s)", text, (long long)f->index,
                     f->name ? "'" : "", f->name ? f->name : "unnamed", f->name ? "'" : "");
    else
        PyErr_Format(exc, WHAT ": %U", text);
    Py_DECREF(text);
    return NULL;
}

static PyObject *bad(PyObject *exc, const char *why) { return bad_at(NULL, exc, why, -1); }

/* Raises the error of a failed core call: ValueError for malformed input
 * (CC_EINVAL), TypeError for a type that does not import (CC_ETYPE), each
 * with the core's reason; any other status as status_raise does. */
static PyObject *raise_core(const arrow_field *f, cc_status st, const cc_error *err) {
    if (!err->why || (st != CC_EINVAL && st != CC_ETYPE)) return status_raise(WHAT, st, "import");
    return bad_at(f, st == CC_ETYPE ? PyExc_TypeError : PyExc_ValueError, err->why, err->index);
}

/* ---- one column: the container every chunk of a stream appends to ------------------ */

typedef enum { SINK_EMPTY, SINK_NUMBERS, SINK_STRINGS, SINK_CATEGORIES } sink_kind;

typedef struct {
    sink_kind kind;  /* set by the first chunk */
    cc_numarray num; /* numbers, or the codes of categories */
    cc_strarray str;
    PyObject *pool;  /* categories: every chunk's dictionary is interned here */
    bool nullable;   /* categories */
} column_sink;

static void sink_init(column_sink *k) {
    k->kind = SINK_EMPTY;
    cc_numarray_init(&k->num, CC_INT8, true, false);
    cc_strarray_init(&k->str, false);
    k->pool = NULL;
    k->nullable = false;
}

static void sink_reset(column_sink *k) {
    cc_numarray_reset(&k->num);
    cc_strarray_reset(&k->str);
    Py_CLEAR(k->pool);
}

/* The container of a sink that took at least one chunk. */
static PyObject *sink_finish(PyTypeObject *tp, column_sink *k) {
    switch (k->kind) {
    case SINK_NUMBERS: return array_wrap(tp, &k->num);
    case SINK_STRINGS: return strarray_wrap(tp, &k->str);
    case SINK_CATEGORIES: return categorical_wrap(tp, &k->num, k->pool, k->nullable);
    case SINK_EMPTY: break;
    }
    PyErr_SetString(PyExc_SystemError, WHAT ": no chunk imported");
    return NULL;
}

/* The pool ids of a chunk's dictionary words.  The first chunk interns
 * every word in dictionary order; a later one only the words its (checked)
 * indices use, in the order they first appear, as extending by that chunk
 * did.  A null word has id -1 (an index pointing at it is a null). */
static int dictionary_ids(column_sink *k, bool first, cc_dtype it, const struct ArrowArray *a,
                          const cc_strarray *words, int64_t *ids) {
    if (first) return pool_intern_all(k->pool, words, false, ids);
    for (int64_t j = 0; j < words->length; j++) ids[j] = -2; /* not interned yet */
    int64_t left = words->length; /* words not met yet: none left, nothing more to do */
    for (int64_t i = 0; left > 0 && i < a->length; i++) {
        if (!cc_arrow_valid_at(a, i)) continue;
        int64_t w = cc_arrow_index_at(it, a, i);
        if (ids[w] != -2) continue;
        left--;
        if (!cc_strarray_is_valid(words, w)) ids[w] = -1;
        else if (pool_intern_utf8(k->pool, cc_strarray_get(words, w), &ids[w]) < 0) return -1;
    }
    return 0;
}

/* True if ids[j] == j: the pool numbered the words as the dictionary does. */
static bool ids_are_positions(const int64_t *ids, int64_t n) {
    for (int64_t j = 0; j < n; j++)
        if (ids[j] != j) return false;
    return true;
}

/* A dictionary-encoded chunk into a CategoricalArray sink: its words
 * (checked strings) into the pool, its indices (checked) as codes --
 * adopted as they are (owner, not NULL, holds the array) when they are the
 * codes already: the first chunk, no nulls (ours are -1 codes), signed
 * indices as narrow as the codes would be (pyarrow's default int32 for 50
 * words is copied into int8 codes: 1 byte a row beats sharing 4), words
 * the pool numbered in dictionary order. */
static int sink_append_dictionary(PyTypeObject *tp, column_sink *k, const struct ArrowSchema *s,
                                  const struct ArrowArray *a, const arrow_field *f,
                                  cc_buffer *owner) {
    cc_dtype it;
    const char *vf;
    cc_error err;
    cc_status st = cc_arrow_check_dictionary(s, a, &it, &vf, &err);
    if (st != CC_OK) return raise_core(f, st, &err), -1;
    cc_strarray words;
    cc_strarray_init(&words, false);
    st = strcmp(vf, "vu") == 0 ? cc_arrow_append_string_views(&words, a->dictionary, &err)
                               : cc_arrow_append_strings(&words, vf[0] == 'U', a->dictionary, &err);
    if (st != CC_OK) {
        cc_strarray_reset(&words);
        return raise_core(f, st, &err), -1;
    }
    bool first = k->kind == SINK_EMPTY, nulls = false;
    int r = -1;
    int64_t *ids = PyMem_Malloc((size_t)(words.length ? words.length : 1) * sizeof *ids);
    if (!ids) {
        PyErr_NoMemory();
        goto done;
    }
    if (first) {
        if (!(k->pool = pool_new_empty(tp))) goto done;
        cc_numarray_init(&k->num, CC_INT8, true, false);
        k->kind = SINK_CATEGORIES;
    }
    /* a later chunk reads its indices to intern the words: check them first */
    if (!first && (st = cc_arrow_check_indices(it, a, words.length, &err)) != CC_OK) {
        raise_core(f, st, &err);
        goto done;
    }
    if (dictionary_ids(k, first, it, a, &words, ids) < 0) goto done;
    if (first && owner && !cc_arrow_has_nulls(a) &&
        it == cc_dtype_int_width_for(words.length ? words.length - 1 : 0) &&
        ids_are_positions(ids, words.length)) {
        bool adopted = false;
        if ((st = cc_arrow_check_indices(it, a, words.length, &err)) != CC_OK ||
            (st = cc_arrow_adopt_numbers(&k->num, it, a, owner, &adopted, &err)) != CC_OK) {
            raise_core(f, st, &err);
            goto done;
        }
        if (adopted) {
            k->num.adaptive = true; /* codes are an Array('int') */
            r = 0;
            goto done;
        }
    }
    if ((st = cc_arrow_append_codes(&k->num, it, a, ids, words.length, &nulls, &err)) != CC_OK) {
        raise_core(f, st, &err);
        goto done;
    }
    k->nullable |= nulls || cc_arrow_has_nulls(a);
    r = 0;
done:
    PyMem_Free(ids);
    cc_strarray_reset(&words);
    return r;
}

/* True for the formats of a cc_strarray: strings 'u' 'U' 'vu' (a
 * StringArray) and binary 'z' 'Z' 'vz' (a BinaryArray, *binary), views
 * (*view: copied) or with int64 offsets (*wide). */
static bool is_bytes_format(const char *fmt, bool *binary, bool *view, bool *wide) {
    *binary = strcmp(fmt, "z") == 0 || strcmp(fmt, "Z") == 0 || strcmp(fmt, "vz") == 0;
    *view = strcmp(fmt, "vu") == 0 || strcmp(fmt, "vz") == 0;
    *wide = strcmp(fmt, "U") == 0 || strcmp(fmt, "Z") == 0;
    return *binary || *view || *wide || strcmp(fmt, "u") == 0;
}

/* One (non-struct) array appended to k; f: the field it is, or NULL.
 * owner (NULL: copy): the array's holder, for an empty sink to adopt the
 * array's buffers rather than copy them. */
/* Raises ValueError "<why> in Arrow format '<format>'" for field f. */
static int bad_format(const arrow_field *f, const char *why, const char *format) {
    PyObject *text = PyUnicode_FromFormat("%s in Arrow format '%s'", why, format);
    if (text) bad_at(f, PyExc_ValueError, PyUnicode_AsUTF8(text), -1);
    Py_XDECREF(text);
    return -1;
}

/* A timestamp format's time zone ("tsu:Europe/Paris") onto num. */
static int import_zone(cc_numarray *num, const char *format, const arrow_field *f) {
    const char *zone = cc_arrow_timestamp_zone(format);
    if (!zone || !zone[0]) return 0;
    if (cc_numarray_set_tz(num, zone) == CC_OK && temporal_tzinfo(zone)) return 0;
    PyErr_Clear();
    return bad_format(f, "unknown or too long time zone", format);
}

/* A decimal128 format's precision and scale ("d:12,2") onto num; a scale
 * below 0 or above the precision is refused (Decimal objects could hold it,
 * but the columns here do not). */
static int import_decimal_params(cc_numarray *num, const char *format, const arrow_field *f) {
    char param[CC_TZ_MAX];
    int precision, scale;
    snprintf(param, sizeof param, "%.*s", (int)cc_arrow_decimal128_params(format), format + 2);
    if (decimal_param_parse(param, &precision, &scale) != 0 ||
        cc_numarray_set_tz(num, param) != CC_OK)
        return bad_format(f, "a decimal128's precision must be 1..38 and its scale 0..precision",
                          format);
    return 0;
}

static int sink_append(PyTypeObject *tp, column_sink *k, const struct ArrowSchema *s,
                       const struct ArrowArray *a, const arrow_field *f, cc_buffer *owner) {
    cc_dtype dt;
    cc_error err;
    cc_status st;
    if (!s->format) return bad_at(f, PyExc_ValueError, "the schema has no format", -1), -1;
    if (s->dictionary) return sink_append_dictionary(tp, k, s, a, f, owner);
    if (a->n_children != 0 || s->n_children != 0)
        return bad_at(f, PyExc_TypeError, "nested types (structs, lists) do not import as one array",
                      -1), -1;
    bool binary, view, wide;
    cc_arrow_rescale rescale;
    if (is_bytes_format(s->format, &binary, &view, &wide)) {
        bool adopted = false;
        if (k->kind == SINK_STRINGS && k->str.binary != binary)
            return bad_at(f, PyExc_TypeError, "chunks of string and binary type do not import "
                          "as one array", -1), -1;
        if (k->kind == SINK_EMPTY) {
            cc_strarray_init(&k->str, false);
            k->str.binary = binary;
            k->kind = SINK_STRINGS;
            if (owner && !view &&
                (st = cc_arrow_adopt_strings(&k->str, wide, a, owner, &adopted, &err)) != CC_OK)
                return raise_core(f, st, &err), -1;
        }
        if (adopted) st = CC_OK;
        else st = view ? cc_arrow_append_string_views(&k->str, a, &err)
                       : cc_arrow_append_strings(&k->str, wide, a, &err);
    } else if (cc_arrow_rescaled_format(s->format, &rescale)) { /* time32, date64 */
        if (k->kind == SINK_EMPTY) {
            cc_numarray_init(&k->num, rescale.to, false, false);
            k->kind = SINK_NUMBERS;
        }
        st = cc_arrow_append_rescaled(&k->num, a, &rescale, &err);
    } else if (strcmp(s->format, "tin") == 0) { /* intervals as nanosecond durations */
        if (k->kind == SINK_EMPTY) {
            cc_numarray_init(&k->num, CC_TD_NS, false, false);
            k->kind = SINK_NUMBERS;
        }
        st = cc_arrow_append_intervals(&k->num, a, &err);
    } else if (cc_arrow_dtype(s->format, &dt)) {
        bool adopted = false;
        if (k->kind == SINK_EMPTY) {
            cc_numarray_init(&k->num, dt, false, false);
            if (dt == CC_DEC128) {
                if (import_decimal_params(&k->num, s->format, f) < 0) return -1;
            } else if (import_zone(&k->num, s->format, f) < 0) {
                return -1;
            }
            k->kind = SINK_NUMBERS;
            if (owner && (st = cc_arrow_adopt_numbers(&k->num, dt, a, owner, &adopted, &err)) !=
                             CC_OK)
                return raise_core(f, st, &err), -1;
        }
        st = adopted ? CC_OK : cc_arrow_append_numbers(&k->num, a, &err);
    } else {
        PyObject *why = PyUnicode_FromFormat("Arrow format '%s' is not supported", s->format);
        if (why) bad_at(f, PyExc_TypeError, PyUnicode_AsUTF8(why), -1);
        Py_XDECREF(why);
        return -1;
    }
    return st == CC_OK ? 0 : (raise_core(f, st, &err), -1);
}

/* ---- one array ---------------------------------------------------------------------- */

static PyObject *import_one(PyTypeObject *tp, const struct ArrowSchema *s,
                            const struct ArrowArray *a, const arrow_field *f, cc_buffer *owner) {
    column_sink k;
    sink_init(&k);
    PyObject *r = sink_append(tp, &k, s, a, f, owner) < 0 ? NULL : sink_finish(tp, &k);
    sink_reset(&k);
    return r;
}

/* ---- structs (record batches) -> (names, columns) ------------------------------------- */

static bool is_struct(const struct ArrowSchema *s) {
    return s->format && strcmp(s->format, "+s") == 0;
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

/* (names, columns, rows) of a struct schema, column i made by column(ctx,
 * field i, i), whose errors name the field.  rows is the struct's length, which
 * a struct without fields has too. */
typedef PyObject *(*field_import)(const void *ctx, const struct ArrowSchema *field, int64_t i);

static PyObject *struct_columns(const struct ArrowSchema *s, field_import column,
                                const void *ctx, int64_t rows) {
    PyObject *names = struct_names(s), *columns = names ? PyTuple_New(s->n_children) : NULL;
    for (int64_t i = 0; columns && i < s->n_children; i++) {
        PyObject *col = column(ctx, s->children[i], i);
        if (!col) {
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

/* A table being imported: one column sink per field of the struct, and
 * the rows so far (a Python int: a struct without fields has rows too). */
typedef struct {
    PyObject *names; /* NULL until the first chunk */
    int64_t n;
    column_sink *columns;
    PyObject *rows;
} table_sink;

static void table_init(table_sink *t) {
    t->names = t->rows = NULL;
    t->n = 0;
    t->columns = NULL;
}

static void table_reset(table_sink *t) {
    for (int64_t i = 0; i < t->n; i++) sink_reset(&t->columns[i]);
    PyMem_Free(t->columns);
    Py_CLEAR(t->names);
    Py_CLEAR(t->rows);
    table_init(t);
}

/* A struct array (a record batch) appended to t, field by field; an error
 * names the field.  Null rows have no column form: refused.  owner (NULL:
 * copy): the struct's holder, which the columns may adopt from. */
static int table_append(PyTypeObject *tp, table_sink *t, const struct ArrowSchema *s,
                        const struct ArrowArray *a, cc_buffer *owner) {
    cc_error err;
    cc_status st = cc_arrow_check_struct(s, a, &err);
    if (st != CC_OK) return raise_core(NULL, st, &err), -1;
    if (!t->names) {
        if (!(t->names = struct_names(s)) || !(t->rows = PyLong_FromLong(0))) return -1;
        t->columns = PyMem_Calloc((size_t)(s->n_children ? s->n_children : 1), sizeof *t->columns);
        if (!t->columns) return PyErr_NoMemory(), -1;
        for (; t->n < s->n_children; t->n++) sink_init(&t->columns[t->n]);
    }
    for (int64_t i = 0; i < t->n; i++) {
        struct ArrowArray child; /* a view: we release only the parent */
        cc_arrow_struct_child(a, i, &child);
        arrow_field f = {i, s->children[i]->name};
        if (sink_append(tp, &t->columns[i], s->children[i], &child, &f, owner) < 0) return -1;
    }
    PyObject *length = PyLong_FromLongLong((long long)a->length);
    PyObject *rows = length ? PyNumber_Add(t->rows, length) : NULL;
    Py_XDECREF(length);
    if (!rows) return -1;
    Py_SETREF(t->rows, rows);
    return 0;
}

/* (names, columns, rows) of a table that took at least one chunk. */
static PyObject *table_finish(PyTypeObject *tp, table_sink *t) {
    PyObject *columns = PyTuple_New(t->n);
    for (int64_t i = 0; columns && i < t->n; i++) {
        PyObject *col = sink_finish(tp, &t->columns[i]);
        if (!col) Py_CLEAR(columns);
        else PyTuple_SET_ITEM(columns, i, col);
    }
    PyObject *r = columns ? PyTuple_Pack(3, t->names, columns, t->rows) : NULL;
    Py_XDECREF(columns);
    return r;
}

/* One array of any supported type: a container, or (names, columns, rows). */
static PyObject *import_any(PyTypeObject *tp, const struct ArrowSchema *s,
                            const struct ArrowArray *a, cc_buffer *owner) {
    if (!is_struct(s)) return import_one(tp, s, a, NULL, owner);
    table_sink t;
    table_init(&t);
    PyObject *r = table_append(tp, &t, s, a, owner) < 0 ? NULL : table_finish(tp, &t);
    table_reset(&t);
    return r;
}

static PyObject *import_empty(PyObject *module, const struct ArrowSchema *s,
                              const arrow_field *f);

static PyObject *empty_field(const void *module, const struct ArrowSchema *field, int64_t i) {
    arrow_field f = {i, field->name};
    if (is_struct(field))
        return bad_at(&f, PyExc_TypeError, "nested types (structs, lists) do not import as one array",
                      -1);
    return import_empty((PyObject *)module, field, &f);
}

/* The empty container (or (names, columns) of them) for a schema: what an
 * empty stream imports as.  f: the field it is, or NULL. */
static PyObject *import_empty(PyObject *module, const struct ArrowSchema *s,
                              const arrow_field *f) {
    module_state *ms = PyModule_GetState(module);
    if (!s->format) return bad_at(f, PyExc_ValueError, "the schema has no format", -1);
    if (s->dictionary) return PyObject_CallNoArgs((PyObject *)ms->CategoricalArrayType);
    if (is_struct(s)) {
        cc_error err;
        cc_status st = cc_arrow_check_struct(s, NULL, &err);
        return st != CC_OK ? raise_core(f, st, &err) : struct_columns(s, empty_field, module, 0);
    }
    const void *none[3] = {NULL, NULL, NULL};
    /* 3 buffers for strings (validity, offsets, data) and string views
     * (validity, views, no data buffers, their sizes); 2 for numbers */
    bool binary, view, wide, strings = is_bytes_format(s->format, &binary, &view, &wide);
    struct ArrowArray empty = {.n_buffers = strings ? 3 : 2, .buffers = none};
    return import_one(ms->ArrayType, s, &empty, f, NULL);
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

/* The copy argument of _from_arrow_array / _from_arrow_stream: 0 or 1, -1
 * with an exception. */
static int copy_arg(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t at) {
    return nargs > at ? PyObject_IsTrue(args[at]) : 0;
}

/* _from_arrow_array(schema_capsule, array_capsule, copy=False) */
PyObject *arrow_import_array(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok("compactcol", "_from_arrow_array", nargs, 2, 3)) return NULL;
    const struct ArrowSchema *s = schema_of(args[0]);
    if (!s) return NULL;
    int copy = copy_arg(args, nargs, 2);
    if (copy < 0) return NULL;
    if (!PyCapsule_CheckExact(args[1]))
        return bad(PyExc_TypeError, "expected an 'arrow_array' PyCapsule");
    struct ArrowArray *in = PyCapsule_GetPointer(args[1], "arrow_array");
    if (!in) return NULL;
    if (!in->release) return bad(PyExc_ValueError, "the array was already consumed or released");
    PyTypeObject *tp = ((module_state *)PyModule_GetState(module))->ArrayType;
    if (copy) {
        struct ArrowArray a = *in; /* move: from here on we release it, once */
        in->release = NULL;
        PyObject *r = import_any(tp, s, &a, NULL);
        RELEASE_KEEPING_ERROR(&a);
        return r;
    }
    struct ArrowArray *a;
    cc_buffer *owner = holder_new(in, &a); /* move: released with owner's last reference */
    if (!owner) return NULL;
    PyObject *r = import_any(tp, s, a, owner);
    cc_buffer_unref(owner); /* released here unless a container adopted a buffer */
    return r;
}

/* ---- streams ---------------------------------------------------------------------------- */

static PyObject *stream_error(struct ArrowArrayStream *st, int code, const char *step) {
    const char *msg = st->get_last_error ? st->get_last_error(st) : NULL;
    PyErr_Format(PyExc_ValueError, WHAT ": the stream's %s failed (errno %d): %s", step, code,
                 msg ? msg : "no message");
    return NULL;
}

/* One chunk appended to the stream's table or column; owner (NULL: copy)
 * as sink_append's. */
static int stream_append(PyTypeObject *tp, bool is_table, table_sink *table, column_sink *column,
                         const struct ArrowSchema *schema, const struct ArrowArray *chunk,
                         cc_buffer *owner) {
    return is_table ? table_append(tp, table, schema, chunk, owner)
                    : sink_append(tp, column, schema, chunk, NULL, owner);
}

/* The first chunk, held back until the stream shows whether it is the only
 * one (then it is adopted, owned by a holder); 0 or -1. */
static int stream_adopt_single(PyTypeObject *tp, bool is_table, table_sink *table,
                               column_sink *column, const struct ArrowSchema *schema,
                               struct ArrowArray *first) {
    struct ArrowArray *a;
    cc_buffer *owner = holder_new(first, &a);
    if (!owner) return -1;
    int r = stream_append(tp, is_table, table, column, schema, a, owner);
    cc_buffer_unref(owner); /* released here unless a container adopted a buffer */
    return r;
}

/* _from_arrow_stream(stream_capsule, copy=False): the container every chunk
 * was appended to, or (names, columns, rows) for a stream of record batches
 * (an empty stream: the empty container, or columns, of its schema).  A
 * stream of one chunk adopts its buffers unless copy; several are copied. */
PyObject *arrow_import_stream(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!seq_nargs_ok("compactcol", "_from_arrow_stream", nargs, 1, 2)) return NULL;
    PyObject *capsule = args[0];
    int copy = copy_arg(args, nargs, 1);
    if (copy < 0) return NULL;
    if (!PyCapsule_CheckExact(capsule))
        return bad(PyExc_TypeError, "expected an 'arrow_array_stream' PyCapsule");
    struct ArrowArrayStream *in = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!in) return NULL;
    if (!in->release) return bad(PyExc_ValueError, "the stream was already consumed");
    struct ArrowArrayStream stream = *in; /* move */
    in->release = NULL;
    PyTypeObject *tp = ((module_state *)PyModule_GetState(module))->ArrayType;
    struct ArrowSchema schema = {0};
    struct ArrowArray first = {0}; /* held back: see stream_adopt_single */
    column_sink column;
    table_sink table;
    sink_init(&column);
    table_init(&table);
    bool ok = true;
    int64_t chunks = 0;
    int code = stream.get_schema(&stream, &schema);
    if (code != 0) {
        ok = false;
        stream_error(&stream, code, "get_schema");
    }
    bool is_table = ok && is_struct(&schema);
    while (ok) {
        struct ArrowArray chunk = {0};
        if ((code = stream.get_next(&stream, &chunk)) != 0) {
            ok = false;
            stream_error(&stream, code, "get_next");
            break;
        }
        if (!chunk.release) break; /* end of stream */
        if (++chunks == 1 && !copy) {
            first = chunk; /* move */
            continue;
        }
        if (first.release) { /* a second chunk: copy both */
            ok = stream_append(tp, is_table, &table, &column, &schema, &first, NULL) == 0;
            RELEASE_KEEPING_ERROR(&first);
        }
        if (ok) ok = stream_append(tp, is_table, &table, &column, &schema, &chunk, NULL) == 0;
        RELEASE_KEEPING_ERROR(&chunk);
    }
    if (ok && first.release)
        ok = stream_adopt_single(tp, is_table, &table, &column, &schema, &first) == 0;
    if (first.release) RELEASE_KEEPING_ERROR(&first); /* an error came first */
    PyObject *result = NULL;
    if (ok) {
        result = !chunks ? import_empty(module, &schema, NULL) /* empty: the empty container */
                 : is_table ? table_finish(tp, &table)
                            : sink_finish(tp, &column);
    }
    sink_reset(&column);
    table_reset(&table);
    if (schema.release) RELEASE_KEEPING_ERROR(&schema);
    RELEASE_KEEPING_ERROR(&stream);
    return result;
}
