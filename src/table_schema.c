/* table_schema.c -- the schema of a Table or Record class, and the conversion
 * of rows and values into typed cells.
 *
 *   Schema  [ ('id', 'int64', -) | ('name', 'str?', None) | ('sym', 'category', -) ]
 *            name     spec        default (NULL: required)
 *
 * A spec is 'int' (adaptive, as Array('int'): the column starts at int8 and
 * widens as its values need, up to int64), an Array dtype name, 'str' or
 * 'category', with a trailing '?' when the field takes None (the Python facade turns annotations such as
 * `int`, `float | None`, `compactcol.Category` into specs).  A nullable
 * field without a default defaults to None.  Defaults are converted once at
 * construction, so a bad default fails when the schema is made.
 *
 * Conversion never stores anything: field_convert checks one value into a
 * cell (type, range, None), row_values pulls one row's values out of
 * whatever shape it came in.  Callers convert a whole row (or a whole
 * extend) first and commit after, so a failure leaves the table as it was.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "table.h"

#include <stdarg.h>

#define NAME "Schema"

/* ---- one value -> one cell ---------------------------------------------------------- */

/* Where field `name` of ctx's row is converted. */
static conv_where field_where(const convert_ctx *ctx, PyObject *name) {
    return (conv_where){ctx->owner, ctx->what, ctx->row, name};
}

int field_raise(PyObject *exc, const convert_ctx *ctx, PyObject *name, const char *fmt, ...) {
    va_list va;
    va_start(va, fmt);
    PyObject *msg = PyUnicode_FromFormatV(fmt, va);
    va_end(va);
    conv_where w = field_where(ctx, name);
    if (msg) raise_at(exc, &w, "%U", msg);
    Py_XDECREF(msg);
    return -1;
}

static int convert_number(const field_info *f, PyObject *v, field_cell *c, const convert_ctx *ctx) {
    cc_kind kind = cc_dtype_get(f->dtype)->kind;
    if (kind == CC_KIND_FLOAT && PyFloat_CheckExact(v)) { /* the common cases, inline */
        c->num.kind = CC_SCALAR_FLOAT;
        c->num.v.f = PyFloat_AS_DOUBLE(v);
        return 0;
    }
    if (kind == CC_KIND_BOOL && PyBool_Check(v)) {
        c->num.kind = CC_SCALAR_BOOL;
        c->num.v.i = v == Py_True;
        return 0;
    }
    num_type t = {f->dtype, false, false, f->tz, f->dec}; /* None was handled by the caller */
    conv_where w = field_where(ctx, f->name);
    if (scalar_from_py(t, v, &c->num, &w) < 0) return -1;
    uint8_t tmp[CC_MAX_ITEMSIZE];
    cc_status st = cc_dtype_store(f->dtype, &c->num, tmp);
    if (st == CC_OK) return 0;
    num_raise(t, st, &w, v);
    return -1;
}

int field_convert(PyObject *schema, Py_ssize_t i, PyObject *v, field_cell *c,
                  const convert_ctx *ctx) {
    const field_info *f = schema_field(schema, i);
    c->buf.heap = NULL; /* not the whole struct: its 256 bytes are scratch */
    c->is_null = false;
    c->code = -1;
    if (v == Py_None) {
        if (!f->nullable)
            return field_raise(PyExc_TypeError, ctx, f->name,
                               "None in a non-nullable %U field (declare it '%U?', or "
                               "X | None in a Record, to store None)", f->spec, f->spec);
        c->is_null = true;
        c->num.kind = CC_SCALAR_NULL;
        c->str = (cc_str){NULL, 0};
        return 0;
    }
    if (f->kind == FIELD_NUM) return convert_number(f, v, c, ctx);
    conv_where w = field_where(ctx, f->name);
    int r = f->kind == FIELD_BYTES ? bytes_from_py(v, &c->buf, &c->str, STR_NULLS_NEVER, &w)
                                   : str_from_py(v, &c->buf, &c->str, STR_NULLS_NEVER, &w);
    if (r == 0) return 0;
    utf8_buf_release(&c->buf);
    return -1;
}

/* ---- one row -> its values ------------------------------------------------------------ */

/* A failure about field `name` (NULL: the row as a whole): *field = a new
 * reference to it, for row_values' caller.  Returns -1. */
static int failed_at(PyObject **field, PyObject *name) {
    *field = Py_XNewRef(name);
    return -1;
}

static int missing_field(PyObject *schema, Py_ssize_t i, PyObject **vals, const convert_ctx *ctx,
                         PyObject **field) {
    field_info *f = schema_field(schema, i);
    if (f->dflt) {
        vals[i] = Py_NewRef(f->dflt);
        return 0;
    }
    field_raise(PyExc_TypeError, ctx, f->name, "missing (the field has no default)");
    return failed_at(field, f->name);
}

static void release_values(PyObject **vals, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) Py_CLEAR(vals[i]);
}

/* A key of the mapping that is not a field: TypeError, *field = the key
 * (as an exact str; NULL when it is not a str). */
static int unknown_key(PyObject *schema, PyObject *row, const convert_ctx *ctx, PyObject **field) {
    PyObject *keys = PyMapping_Keys(row);
    if (!keys) return -1;
    PyObject *index = ((SchemaObject *)schema)->index;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        /* as an exact str: no __eq__/__hash__ of the row's key runs here */
        PyObject *exact = PyUnicode_Check(key) ? str_exact(key, ctx->owner, ctx->what) : NULL;
        int known = exact ? PyDict_Contains(index, exact) : PyUnicode_Check(key) ? -1 : 0;
        if (known == 0) {
            PyObject *names = ((SchemaObject *)schema)->names;
            if (ctx->row >= 0)
                PyErr_Format(PyExc_TypeError, "%s.%s: row %zd: unknown field %R (the fields are %R)",
                             ctx->owner, ctx->what, ctx->row, key, names);
            else
                PyErr_Format(PyExc_TypeError, "%s.%s: unknown field %R (the fields are %R)",
                             ctx->owner, ctx->what, key, names);
        }
        if (known <= 0) failed_at(field, exact);
        Py_XDECREF(exact);
        if (known <= 0) {
            Py_DECREF(keys);
            return -1;
        }
    }
    Py_DECREF(keys);
    return 0; /* the size changed under us; nothing unknown now */
}

static int dict_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
                       PyObject **field) {
    Py_ssize_t n = schema_nfields(schema), found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(row, schema_field(schema, i)->name);
        if (v) {
            vals[i] = Py_NewRef(v);
            found++;
        } else if (PyErr_Occurred()) { /* a key's __eq__ */
            return failed_at(field, schema_field(schema, i)->name);
        } else if (missing_field(schema, i, vals, ctx, field) < 0) {
            return -1;
        }
    }
    if (found < PyDict_GET_SIZE(row) && unknown_key(schema, row, ctx, field) < 0) return -1;
    return 0;
}

static int mapping_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
                          PyObject **field) {
    Py_ssize_t n = schema_nfields(schema), found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyObject_GetItem(row, schema_field(schema, i)->name);
        if (v) {
            vals[i] = v;
            found++;
        } else if (!PyErr_ExceptionMatches(PyExc_KeyError)) { /* the row's __getitem__ */
            return failed_at(field, schema_field(schema, i)->name);
        } else {
            PyErr_Clear();
            if (missing_field(schema, i, vals, ctx, field) < 0) return -1;
        }
    }
    Py_ssize_t size = PyObject_Size(row);
    if (size < 0) return -1;
    if (found < size && unknown_key(schema, row, ctx, field) < 0) return -1;
    return 0;
}

static int sequence_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
                           PyObject **field) {
    Py_ssize_t n = schema_nfields(schema);
    Py_ssize_t got = PySequence_Fast_GET_SIZE(row);
    if (got > n) {
        PyObject *names = ((SchemaObject *)schema)->names;
        if (ctx->row >= 0)
            PyErr_Format(PyExc_TypeError, "%s.%s: row %zd: %zd values for %zd fields %R",
                         ctx->owner, ctx->what, ctx->row, got, n, names);
        else /* append, insert: one row, no number (it said "row -1") */
            PyErr_Format(PyExc_TypeError, "%s.%s: %zd values for %zd fields %R", ctx->owner,
                         ctx->what, got, n, names);
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(row);
    for (Py_ssize_t i = 0; i < got; i++) vals[i] = Py_NewRef(items[i]);
    for (Py_ssize_t i = got; i < n; i++)
        if (missing_field(schema, i, vals, ctx, field) < 0) return -1;
    return 0;
}

static int attribute_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
                            PyObject **field) {
    Py_ssize_t n = schema_nfields(schema);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyObject_GetAttr(row, schema_field(schema, i)->name);
        if (v) {
            vals[i] = v;
        } else if (!PyErr_ExceptionMatches(PyExc_AttributeError)) { /* the row's __getattr__ */
            return failed_at(field, schema_field(schema, i)->name);
        } else {
            PyErr_Clear();
            if (missing_field(schema, i, vals, ctx, field) < 0) return -1;
        }
    }
    return 0;
}

int row_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
               PyObject **field) {
    Py_ssize_t n = schema_nfields(schema);
    *field = NULL;
    for (Py_ssize_t i = 0; i < n; i++) vals[i] = NULL;
    int r;
    if (PyDict_Check(row)) {
        r = dict_values(schema, row, vals, ctx, field);
    } else if (PyTuple_CheckExact(row) || PyList_CheckExact(row)) {
        r = sequence_values(schema, row, vals, ctx, field);
    } else if (PyTuple_Check(row) && !PyObject_HasAttrString(row, "_fields")) {
        r = sequence_values(schema, row, vals, ctx, field);
    } else if (!PyTuple_Check(row) && !PyUnicode_Check(row) &&
               PyObject_HasAttrString((PyObject *)Py_TYPE(row), "keys")) {
        r = mapping_values(schema, row, vals, ctx, field);
    } else {
        r = attribute_values(schema, row, vals, ctx, field); /* Records, dataclasses, namedtuples */
    }
    if (r < 0) release_values(vals, n);
    return r;
}

/* ---- columns ------------------------------------------------------------------------- */

PyObject *column_new(PyTypeObject *any_type_of_module, PyObject *schema, Py_ssize_t i) {
    const field_info *f = schema_field(schema, i);
    if (f->kind == FIELD_NUM) {
        cc_numarray a;
        cc_numarray_init(&a, f->adaptive ? CC_INT8 : f->dtype, f->adaptive, f->nullable);
        if (cc_numarray_set_tz(&a, f->tz) != CC_OK) /* parse_spec checked it */
            return PyErr_Format(PyExc_SystemError, "field %R: bad time zone", f->name);
        return array_wrap(any_type_of_module, &a);
    }
    if (f->kind == FIELD_STR || f->kind == FIELD_BYTES) {
        cc_strarray a;
        cc_strarray_init(&a, f->nullable);
        a.binary = f->kind == FIELD_BYTES; /* a BinaryArray */
        return strarray_wrap(any_type_of_module, &a);
    }
    PyObject *pool = pool_new_empty(any_type_of_module);
    if (!pool) return NULL;
    cc_numarray codes;
    cc_numarray_init(&codes, CC_INT8, true, false);
    PyObject *c = categorical_wrap(any_type_of_module, &codes, pool, f->nullable);
    Py_DECREF(pool);
    return c;
}

/* ---- the Schema type ----------------------------------------------------------------- */

/* 'int64?' -> kind, dtype, nullable.  0, or -1 with ValueError/TypeError. */
static int parse_spec(PyObject *name, PyObject *spec, field_info *f) {
    if (!PyUnicode_Check(spec)) {
        PyErr_Format(PyExc_TypeError, NAME ": field %R: the type must be a str such as "
                     "'int64', 'str?' or 'category', not %s", name, Py_TYPE(spec)->tp_name);
        return -1;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(spec, &len);
    if (!s) return -1;
    char base[32 + CC_TZ_MAX];
    f->tz[0] = '\0';
    f->nullable = len > 0 && s[len - 1] == '?';
    size_t blen = (size_t)(len - f->nullable);
    if (blen >= sizeof base) goto unknown;
    memcpy(base, s, blen);
    base[blen] = '\0';
    f->adaptive = false;
    if (strcmp(base, "str") == 0) {
        f->kind = FIELD_STR;
    } else if (strcmp(base, "bytes") == 0) {
        f->kind = FIELD_BYTES;
    } else if (strcmp(base, "int") == 0) { /* as Array('int'): adaptive */
        f->kind = FIELD_NUM;
        f->dtype = CC_INT64;
        f->adaptive = true;
    } else if (strcmp(base, "category") == 0) {
        f->kind = FIELD_CAT;
    } else {
        int known = dtype_name_parse(base, &f->dtype, f->tz); /* 'int8', 'datetime64[us, UTC]' */
        if (known < 0) return -1;
        if (!known) goto unknown;
        f->kind = FIELD_NUM;
        f->dec = decimal_param_of(f->dtype, f->tz);
    }
    return 0;
unknown:
    PyErr_Format(PyExc_ValueError, NAME ": field %R: unknown type %R (expected 'int' "
                 "(adaptive), an Array dtype name such as 'int64' or 'float32', 'bool', 'str', "
                 "'bytes' or 'category', with a trailing '?' to allow None)", name, spec);
    return -1;
}

/* One (name, spec[, default]) entry into field i. */
static int parse_field(SchemaObject *self, Py_ssize_t i, PyObject *entry) {
    field_info *f = &self->fields[i];
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) < 2 || PyTuple_GET_SIZE(entry) > 3) {
        PyErr_Format(PyExc_TypeError, NAME ": field %zd must be a tuple (name, type) or "
                     "(name, type, default)", i);
        return -1;
    }
    PyObject *name = PyTuple_GET_ITEM(entry, 0);
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, NAME ": field %zd: a field name must be a str, not %s",
                     i, Py_TYPE(name)->tp_name);
        return -1;
    }
    /* an exact str, so no subclass __eq__/__hash__ ever runs on lookups */
    if (!(f->name = PyUnicode_FromObject(name))) return -1;
    PyUnicode_InternInPlace(&f->name);
    f->spec = Py_NewRef(PyTuple_GET_ITEM(entry, 1));
    if (parse_spec(f->name, f->spec, f) < 0) return -1;
    if (PyTuple_GET_SIZE(entry) == 3) f->dflt = Py_NewRef(PyTuple_GET_ITEM(entry, 2));
    else if (f->nullable) f->dflt = Py_NewRef(Py_None);
    int dup = PyDict_Contains(self->index, f->name);
    if (dup) {
        if (dup > 0) PyErr_Format(PyExc_ValueError, NAME ": duplicate field name %R", f->name);
        return -1;
    }
    PyObject *pos = PyLong_FromSsize_t(i);
    int r = pos ? PyDict_SetItem(self->index, f->name, pos) : -1;
    Py_XDECREF(pos);
    if (r == 0) PyTuple_SET_ITEM(self->names, i, Py_NewRef(f->name));
    return r;
}

static int check_defaults(PyObject *self) {
    convert_ctx ctx = {"Schema", "default", -1};
    for (Py_ssize_t i = 0; i < schema_nfields(self); i++) {
        field_info *f = schema_field(self, i);
        if (!f->dflt) continue;
        field_cell c;
        int r = field_convert(self, i, f->dflt, &c, &ctx);
        field_cell_release(&c);
        if (r < 0) return -1;
    }
    return 0;
}

static PyObject *schema_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *fields;
    if (!PyArg_ParseTuple(args, "O:Schema", &fields)) return NULL;
    if (kwds && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, NAME "() takes no keyword arguments");
        return NULL;
    }
    PyObject *seq = PySequence_Tuple(fields);
    if (!seq) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    SchemaObject *self = (SchemaObject *)type->tp_alloc(type, n);
    if (!self) goto fail;
    if (!(self->names = PyTuple_New(n)) || !(self->index = PyDict_New())) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (parse_field(self, i, PyTuple_GET_ITEM(seq, i)) < 0) goto fail;
        field_info *f = &self->fields[i];
        if (f->kind == FIELD_NUM && f->nullable) self->has_nullable_num = true;
    }
    if (check_defaults((PyObject *)self) < 0) goto fail;
    Py_DECREF(seq);
    return (PyObject *)self;
fail:
    Py_DECREF(seq);
    Py_XDECREF(self);
    return NULL;
}

static void schema_dealloc(SchemaObject *self);
bool schema_check(PyObject *obj) { return Py_TYPE(obj)->tp_dealloc == (destructor)schema_dealloc; }

static int schema_traverse(SchemaObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    for (Py_ssize_t i = 0; i < Py_SIZE(self); i++) Py_VISIT(self->fields[i].dflt);
    return 0;
}

static int schema_clear(SchemaObject *self) {
    for (Py_ssize_t i = 0; i < Py_SIZE(self); i++) {
        Py_CLEAR(self->fields[i].name);
        Py_CLEAR(self->fields[i].spec);
        Py_CLEAR(self->fields[i].dflt);
    }
    Py_CLEAR(self->names);
    Py_CLEAR(self->index);
    return 0;
}

static void schema_dealloc(SchemaObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    schema_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* fields: a tuple of (name, spec) or (name, spec, default), as given. */
static PyObject *schema_get_fields(SchemaObject *self, void *c) {
    PyObject *out = PyTuple_New(Py_SIZE(self));
    for (Py_ssize_t i = 0; out && i < Py_SIZE(self); i++) {
        field_info *f = &self->fields[i];
        PyObject *t = f->dflt ? PyTuple_Pack(3, f->name, f->spec, f->dflt)
                              : PyTuple_Pack(2, f->name, f->spec);
        if (!t) Py_CLEAR(out);
        else PyTuple_SET_ITEM(out, i, t);
    }
    return out;
}

static PyObject *schema_get_names(SchemaObject *self, void *c) { return Py_NewRef(self->names); }

static PyObject *schema_reduce(SchemaObject *self, PyObject *unused) {
    PyObject *fields = schema_get_fields(self, NULL);
    if (!fields) return NULL;
    PyObject *r = Py_BuildValue("O(N)", (PyObject *)Py_TYPE(self), fields);
    return r;
}

static PyObject *schema_richcompare(PyObject *self, PyObject *other, int op) {
    if ((op != Py_EQ && op != Py_NE) || Py_TYPE(other) != Py_TYPE(self)) Py_RETURN_NOTIMPLEMENTED;
    PyObject *a = schema_get_fields((SchemaObject *)self, NULL);
    PyObject *b = a ? schema_get_fields((SchemaObject *)other, NULL) : NULL;
    PyObject *r = b ? PyObject_RichCompare(a, b, op) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

static PyObject *schema_repr(SchemaObject *self) {
    PyObject *fields = schema_get_fields(self, NULL);
    if (!fields) return NULL;
    PyObject *r = PyUnicode_FromFormat(NAME "(%R)", fields);
    Py_DECREF(fields);
    return r;
}

static PyGetSetDef schema_getset[] = {
    {"fields", (getter)schema_get_fields, NULL, "The fields: (name, type[, default]) tuples.", NULL},
    {"names", (getter)schema_get_names, NULL, "The field names, in order.", NULL},
    {NULL},
};

static PyMethodDef schema_methods[] = {
    {"__reduce__", (PyCFunction)schema_reduce, METH_NOARGS, NULL},
    {NULL},
};

static PyType_Slot schema_slots[] = {
    {Py_tp_doc, "Schema(fields): the typed fields of a Table or Record class.\n\n"
                "fields is a sequence of (name, type) or (name, type, default) where type "
                "is an Array dtype name, 'str' or 'category', with '?' for nullable."},
    {Py_tp_new, schema_new},
    {Py_tp_dealloc, schema_dealloc},
    {Py_tp_traverse, schema_traverse},
    {Py_tp_clear, schema_clear},
    {Py_tp_getset, schema_getset},
    {Py_tp_methods, schema_methods},
    {Py_tp_richcompare, schema_richcompare},
    {Py_tp_repr, schema_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {0, NULL},
};

PyType_Spec schema_spec = {
    .name = "compactcol._core.Schema",
    .basicsize = offsetof(SchemaObject, fields),
    .itemsize = sizeof(field_info),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = schema_slots,
};
