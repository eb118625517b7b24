/* table_record.c -- compactcol.Record instances and their field descriptors.
 *
 * A Record subclass is a Python class (made by compactcol._record.RecordMeta
 * with __slots__ = ()) that record_setup re-shapes once, before any
 * instance exists:
 *
 *   standalone  [ header | owner = Schema | slot 0 | slot 1 | ... | null mask ]
 *   row view    [ header | owner = Table  | row    | version ]
 *
 * A standalone slot holds the field unboxed (the dtype's bytes, 8-byte
 * aligned) or, for str and category fields, a reference to an exact str
 * (NULL for None).  A view names a row of a table; it reads and writes the
 * table's columns and raises once the table's rows have moved (version).
 * Five int64 fields take 16 + 8 + 40 = 64 bytes.
 *
 * The class is not GC-tracked: no slot can hold an object that refers back
 * (str cannot; a table holds its record class, so a class attribute that
 * holds a row view of a table of that class would make a cycle the GC
 * cannot see -- documented, and harmless but for the leak).
 *
 * Each field is a FieldObject descriptor in the class dict, knowing its
 * schema and position, so attribute access is one pointer compare away from
 * the slot or the column.
 */
#include "binding.h"
#include "array.h"
#include "table.h"

typedef struct {
    PyObject_HEAD
    PyObject *schema;
    Py_ssize_t index;
} FieldObject;

static Py_ssize_t mask_words(PyObject *schema) {
    return ((SchemaObject *)schema)->has_nullable_num ? (schema_nfields(schema) + 63) / 64 : 0;
}

static bool is_standalone(RecordObject *r) { return schema_check(r->owner); }
static void record_dealloc(RecordObject *self);
static bool is_record(PyObject *obj) { return Py_TYPE(obj)->tp_dealloc == (destructor)record_dealloc; }

/* The schema of a record (standalone or a view that is still current):
 * borrowed, or NULL with an exception. */
static PyObject *record_schema(RecordObject *r) {
    if (is_standalone(r)) return r->owner;
    TableObject *t = (TableObject *)r->owner;
    if (table_check_view(t, r->slots[RECORD_VIEW_ROW], (uint64_t)r->slots[RECORD_VIEW_VERSION]) < 0)
        return NULL;
    return t->schema;
}

/* ---- standalone slots ------------------------------------------------------------------ */

static uint64_t *null_mask(RecordObject *r, PyObject *schema) {
    return (uint64_t *)&r->slots[schema_nfields(schema)];
}

/* A slot holding an object (NULL for None): a str or bytes field's, and a
 * decimal's (its 16 bytes do not fit a slot: the Decimal, as the column
 * would give it back). */
static bool slot_holds_object(const field_info *f) {
    return f->kind != FIELD_NUM || cc_dtype_is_decimal(f->dtype);
}

static PyObject *slot_get(RecordObject *r, PyObject *schema, Py_ssize_t i) {
    const field_info *f = schema_field(schema, i);
    if (slot_holds_object(f)) {
        PyObject *o = (PyObject *)(intptr_t)r->slots[i];
        return Py_NewRef(o ? o : Py_None);
    }
    if (f->nullable && (null_mask(r, schema)[i / 64] >> (i % 64) & 1)) Py_RETURN_NONE;
    cc_scalar s;
    cc_dtype_load(f->dtype, &r->slots[i], &s);
    return dtype_box(f->dtype, f->tz, &s);
}

/* Stores a converted cell into slot i (v: the value it came from). */
static int slot_store(RecordObject *r, PyObject *schema, Py_ssize_t i, PyObject *v,
                      const field_cell *c) {
    const field_info *f = schema_field(schema, i);
    if (slot_holds_object(f)) {
        PyObject *s = NULL;
        if (!c->is_null && f->kind == FIELD_NUM) /* a decimal, at the field's scale */
            s = dtype_box(f->dtype, f->tz, &c->num);
        else if (!c->is_null && f->kind == FIELD_BYTES) /* as bytes, whatever buffer it came in */
            s = PyBytes_CheckExact(v) ? Py_NewRef(v) : bytes_from_cc(c->str);
        else if (!c->is_null)
            s = PyUnicode_CheckExact(v) ? Py_NewRef(v) : PyUnicode_FromObject(v);
        if (!c->is_null && !s) return -1;
        PyObject *old = (PyObject *)(intptr_t)r->slots[i];
        r->slots[i] = (int64_t)(intptr_t)s;
        Py_XDECREF(old);
        return 0;
    }
    if (f->nullable) {
        uint64_t bit = (uint64_t)1 << (i % 64), *m = &null_mask(r, schema)[i / 64];
        *m = c->is_null ? *m | bit : *m & ~bit;
    }
    r->slots[i] = 0;
    if (!c->is_null && cc_dtype_store(f->dtype, &c->num, &r->slots[i]) != CC_OK) {
        PyErr_SetString(PyExc_SystemError, "record: a checked value did not store");
        return -1;
    }
    return 0;
}

static int slot_set(RecordObject *r, PyObject *schema, Py_ssize_t i, PyObject *v,
                    const convert_ctx *ctx) {
    field_cell c;
    int res = field_convert(schema, i, v, &c, ctx);
    if (res == 0) res = slot_store(r, schema, i, v, &c);
    field_cell_release(&c);
    return res;
}

/* ---- field descriptors ------------------------------------------------------------------ */

/* obj as a record this field applies to: a standalone record of the
 * field's schema or a current row view of a table with that schema. */
static int field_target(FieldObject *f, PyObject *obj, RecordObject **out) {
    PyObject *name = schema_field(f->schema, f->index)->name;
    if (!is_record(obj)) {
        PyErr_Format(PyExc_TypeError, "field %R applies to Record instances, not %s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    RecordObject *r = (RecordObject *)obj;
    PyObject *schema = record_schema(r);
    if (!schema) return -1;
    if (schema != f->schema) {
        PyErr_Format(PyExc_TypeError, "field %R belongs to another Record class than %s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    *out = r;
    return 0;
}

static PyObject *field_descr_get(PyObject *self, PyObject *obj, PyObject *type) {
    FieldObject *f = (FieldObject *)self;
    RecordObject *r;
    if (!obj) return Py_NewRef(self);
    if (field_target(f, obj, &r) < 0) return NULL;
    if (r->owner == f->schema) return slot_get(r, f->schema, f->index);
    return table_cell_get((TableObject *)r->owner, f->index, r->slots[RECORD_VIEW_ROW]);
}

static int field_descr_set(PyObject *self, PyObject *obj, PyObject *value) {
    FieldObject *f = (FieldObject *)self;
    RecordObject *r;
    PyObject *name = schema_field(f->schema, f->index)->name;
    if (field_target(f, obj, &r) < 0) return -1;
    if (!value) {
        PyErr_Format(PyExc_AttributeError, "cannot delete field %R of a Record", name);
        return -1;
    }
    if (!is_standalone(r))
        return table_cell_set((TableObject *)r->owner, f->index, r->slots[RECORD_VIEW_ROW], value);
    convert_ctx ctx = {_PyType_Name(Py_TYPE(obj)), "__setattr__", -1};
    return slot_set(r, f->schema, f->index, value, &ctx);
}

static void field_dealloc(FieldObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->schema);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static int field_traverse(FieldObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->schema);
    return 0;
}

static PyObject *field_repr(FieldObject *self) {
    const field_info *fi = schema_field(self->schema, self->index);
    return PyUnicode_FromFormat("<field %U: %U>", fi->name, fi->spec);
}

static PyType_Slot field_slots[] = {
    {Py_tp_descr_get, field_descr_get},
    {Py_tp_descr_set, field_descr_set},
    {Py_tp_dealloc, field_dealloc},
    {Py_tp_traverse, field_traverse},
    {Py_tp_repr, field_repr},
    {Py_tp_doc, "A field of a Record class: reads and writes one typed value."},
    {0, NULL},
};

PyType_Spec field_spec = {
    .name = "compactcol._core.Field",
    .basicsize = sizeof(FieldObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = field_slots,
};

/* ---- construction ------------------------------------------------------------------------ */

PyObject *record_class_schema(PyTypeObject *cls) {
    PyObject *schema = PyObject_GetAttrString((PyObject *)cls, "__compactcol_schema__");
    if (!schema) return NULL;
    Py_DECREF(schema); /* the class dict holds it */
    if (schema_check(schema)) return schema;
    PyErr_Format(PyExc_TypeError, "%s.__compactcol_schema__ is not a Schema", cls->tp_name);
    return NULL;
}

static RecordObject *record_alloc(PyTypeObject *cls, PyObject *owner) {
    RecordObject *r = PyObject_Malloc((size_t)cls->tp_basicsize);
    if (!r) return (RecordObject *)PyErr_NoMemory();
    memset(r, 0, (size_t)cls->tp_basicsize);
    PyObject_Init((PyObject *)r, cls);
    r->owner = Py_NewRef(owner);
    return r;
}

PyObject *record_view_new(PyTypeObject *cls, PyObject *table, int64_t row) {
    RecordObject *r = PyObject_Malloc((size_t)cls->tp_basicsize);
    if (!r) return PyErr_NoMemory();
    PyObject_Init((PyObject *)r, cls);
    r->owner = Py_NewRef(table);
    r->slots[RECORD_VIEW_ROW] = row;
    r->slots[RECORD_VIEW_VERSION] = (int64_t)((TableObject *)table)->version;
    return (PyObject *)r;
}

static void record_dealloc(RecordObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject *owner = self->owner;
    if (owner && is_standalone(self)) {
        for (Py_ssize_t i = 0; i < schema_nfields(owner); i++)
            if (slot_holds_object(schema_field(owner, i)))
                Py_XDECREF((PyObject *)(intptr_t)self->slots[i]);
    }
    Py_XDECREF(owner);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* Gathers Trade(*args, **kwds) into vals (new references, defaults filled). */
static int call_values(PyTypeObject *cls, PyObject *schema, PyObject *args, PyObject *kwds,
                       PyObject **vals) {
    Py_ssize_t n = schema_nfields(schema), nargs = PyTuple_GET_SIZE(args);
    const char *name = _PyType_Name(cls);
    if (nargs > n) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd positional arguments but %zd were given",
                     name, n, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) vals[i] = Py_NewRef(PyTuple_GET_ITEM(args, i));
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (kwds && PyDict_Next(kwds, &pos, &key, &value)) {
        PyObject *exact = str_exact(key, name, "__init__"); /* DI1: no user __eq__ */
        PyObject *at = exact ? PyDict_GetItemWithError(((SchemaObject *)schema)->index, exact)
                             : NULL;
        Py_XDECREF(exact);
        if (!at) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", name, key);
            return -1;
        }
        Py_ssize_t i = PyLong_AsSsize_t(at);
        if (vals[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument %R", name, key);
            return -1;
        }
        vals[i] = Py_NewRef(value);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (vals[i]) continue;
        field_info *f = schema_field(schema, i);
        if (!f->dflt) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument: %R", name, f->name);
            return -1;
        }
        vals[i] = Py_NewRef(f->dflt);
    }
    return 0;
}

static PyObject *record_new(PyTypeObject *cls, PyObject *args, PyObject *kwds) {
    PyObject *schema = record_class_schema(cls);
    if (!schema) return NULL;
    Py_ssize_t n = schema_nfields(schema);
    PyObject **vals = PyMem_Calloc((size_t)(n ? n : 1), sizeof *vals);
    if (!vals) return PyErr_NoMemory();
    RecordObject *r = NULL;
    if (call_values(cls, schema, args, kwds, vals) < 0) goto done;
    if (!(r = record_alloc(cls, schema))) goto done;
    convert_ctx ctx = {_PyType_Name(cls), "__init__", -1};
    for (Py_ssize_t i = 0; i < n; i++) {
        if (slot_set(r, schema, i, vals[i], &ctx) < 0) {
            Py_CLEAR(r);
            break;
        }
    }
done:
    for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(vals[i]);
    PyMem_Free(vals);
    return (PyObject *)r;
}

/* ---- behaviour ---------------------------------------------------------------------------- */

static PyObject *record_get(RecordObject *r, PyObject *schema, Py_ssize_t i) {
    if (is_standalone(r)) return slot_get(r, schema, i);
    return table_cell_get((TableObject *)r->owner, i, r->slots[RECORD_VIEW_ROW]);
}

/* The field values as a new tuple. */
static PyObject *record_values(RecordObject *r) {
    PyObject *schema = record_schema(r);
    if (!schema) return NULL;
    Py_ssize_t n = schema_nfields(schema);
    PyObject *t = PyTuple_New(n);
    for (Py_ssize_t i = 0; t && i < n; i++) {
        PyObject *v = record_get(r, schema, i);
        if (!v) Py_CLEAR(t);
        else PyTuple_SET_ITEM(t, i, v);
    }
    return t;
}

static PyObject *record_as_dict(RecordObject *r, PyObject *unused) {
    PyObject *values = record_values(r);
    if (!values) return NULL;
    PyObject *schema = record_schema(r);
    PyObject *d = PyDict_New();
    for (Py_ssize_t i = 0; d && i < PyTuple_GET_SIZE(values); i++)
        if (PyDict_SetItem(d, schema_field(schema, i)->name, PyTuple_GET_ITEM(values, i)) < 0)
            Py_CLEAR(d);
    Py_DECREF(values);
    return d;
}

static PyObject *record_repr(RecordObject *r) {
    PyObject *values = record_values(r);
    if (!values) return NULL;
    PyObject *schema = record_schema(r);
    PyObject *parts = PyList_New(0), *res = NULL;
    for (Py_ssize_t i = 0; parts && i < PyTuple_GET_SIZE(values); i++) {
        PyObject *s = PyUnicode_FromFormat("%U=%R", schema_field(schema, i)->name,
                                           PyTuple_GET_ITEM(values, i));
        if (!s || PyList_Append(parts, s) < 0) Py_CLEAR(parts);
        Py_XDECREF(s);
    }
    PyObject *sep = parts ? PyUnicode_FromString(", ") : NULL;
    PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
    PyObject *qual = body ? PyType_GetQualName(Py_TYPE(r)) : NULL;
    if (qual) res = PyUnicode_FromFormat("%U(%U)", qual, body);
    Py_XDECREF(qual), Py_XDECREF(body), Py_XDECREF(sep), Py_XDECREF(parts);
    Py_DECREF(values);
    return res;
}

/* As a dataclass: equal to a record of exactly the same class with equal fields. */
static PyObject *record_richcompare(PyObject *self, PyObject *other, int op) {
    if ((op != Py_EQ && op != Py_NE) || Py_TYPE(other) != Py_TYPE(self)) Py_RETURN_NOTIMPLEMENTED;
    PyObject *a = record_values((RecordObject *)self);
    PyObject *b = a ? record_values((RecordObject *)other) : NULL;
    PyObject *res = b ? PyObject_RichCompare(a, b, op) : NULL;
    Py_XDECREF(a), Py_XDECREF(b);
    return res;
}

static Py_ssize_t record_length(PyObject *self) {
    PyObject *schema = record_schema((RecordObject *)self);
    return schema ? schema_nfields(schema) : -1;
}

/* r[i] (position, negative from the end) or r['name']. */
static PyObject *record_subscript(PyObject *self, PyObject *key) {
    RecordObject *r = (RecordObject *)self;
    PyObject *schema = record_schema(r);
    if (!schema) return NULL;
    Py_ssize_t i, n = schema_nfields(schema);
    if (PyUnicode_Check(key)) {
        /* an exact str: the lookup runs no user __eq__ that could change the
         * table between the staleness check above and the read below */
        PyObject *exact = str_exact(key, _PyType_Name(Py_TYPE(self)), "__getitem__");
        PyObject *at = exact ? PyDict_GetItemWithError(((SchemaObject *)schema)->index, exact)
                             : NULL;
        Py_XDECREF(exact);
        if (!at) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_KeyError, "%R (the fields are %R)", key,
                             ((SchemaObject *)schema)->names);
            return NULL;
        }
        i = PyLong_AsSsize_t(at);
    } else if (PySlice_Check(key)) {
        PyObject *values = record_values(r);
        PyObject *res = values ? PyObject_GetItem(values, key) : NULL;
        Py_XDECREF(values);
        return res;
    } else {
        if (seq_index_arg(key, _PyType_Name(Py_TYPE(self)), &i) < 0) return NULL;
        if (seq_normalise(&i, n, _PyType_Name(Py_TYPE(self)), "field index") < 0) return NULL;
    }
    return record_get(r, schema, i);
}

/* r[i] through the sequence protocol, which makes a Record a sequence to C
 * code too (PySequence_Check, reversed(), PySequence_GetItem), as the
 * collections.abc.Sequence it is registered as (compactcol/_record.py). */
static PyObject *record_item(PyObject *self, Py_ssize_t i) {
    RecordObject *r = (RecordObject *)self;
    PyObject *schema = record_schema(r);
    if (!schema) return NULL;
    if (seq_normalise(&i, schema_nfields(schema), _PyType_Name(Py_TYPE(self)), "field index") < 0)
        return NULL;
    return record_get(r, schema, i);
}

static PyObject *record_iter(PyObject *self) {
    PyObject *values = record_values((RecordObject *)self);
    PyObject *it = values ? PyObject_GetIter(values) : NULL;
    Py_XDECREF(values);
    return it;
}

/* Pickles (and copies) as the class called with the values: a view
 * becomes a standalone record, as a dict taken from a list would. */
static PyObject *record_reduce(PyObject *self, PyObject *unused) {
    PyObject *values = record_values((RecordObject *)self);
    if (!values) return NULL;
    return Py_BuildValue("(ON)", (PyObject *)Py_TYPE(self), values);
}

static PyObject *record_sizeof(PyObject *self, PyObject *unused) {
    return PyLong_FromSsize_t(Py_TYPE(self)->tp_basicsize);
}

static PyObject *record_get_is_view(PyObject *self, void *c) {
    return PyBool_FromLong(!is_standalone((RecordObject *)self));
}

static PyMethodDef record_methods[] = {
    {"as_dict", (PyCFunction)record_as_dict, METH_NOARGS,
     "as_dict($self, /)\n--\n\nas_dict() -> dict of field name to value, in field order."},
    {"__reduce__", record_reduce, METH_NOARGS, NULL},
    {"__sizeof__", record_sizeof, METH_NOARGS, NULL},
    {NULL},
};

static PyGetSetDef record_getset[] = {
    {"_is_view", record_get_is_view, NULL, "True for a row view of a Table.", NULL},
    {NULL},
};

static PyType_Slot record_slots[] = {
    {Py_tp_doc, "Base of compactcol.Record: unboxed fields declared by annotations."},
    {Py_tp_new, record_new},
    {Py_tp_dealloc, record_dealloc},
    {Py_tp_repr, record_repr},
    {Py_tp_richcompare, record_richcompare},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, record_iter},
    {Py_tp_methods, record_methods},
    {Py_tp_getset, record_getset},
    {Py_mp_length, record_length},
    {Py_mp_subscript, record_subscript},
    {Py_sq_length, record_length},
    {Py_sq_item, record_item},
    {0, NULL},
};

PyType_Spec record_base_spec = {
    .name = "compactcol._core.RecordBase",
    .basicsize = sizeof(RecordObject) + 2 * sizeof(int64_t),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = record_slots,
};

/* ---- record_setup ------------------------------------------------------------------------ */

/* A Python special name (__x__): the class's own machinery (__class__,
 * __eq__, __dict__, __match_args__ ...) lives under such names, so a field
 * called so -- from data: a CSV or Arrow column -- gets no attribute; it is
 * stored and read by name (row['__eq__'], as_dict(), the columns). */
static bool is_special_name(PyObject *name) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(name);
    return n >= 5 && PyUnicode_READ_CHAR(name, 0) == '_' && PyUnicode_READ_CHAR(name, 1) == '_' &&
           PyUnicode_READ_CHAR(name, n - 1) == '_' && PyUnicode_READ_CHAR(name, n - 2) == '_';
}

/* __match_args__: the field names up to the first special one (a
 * positional pattern reads attributes, which special fields are not). */
static PyObject *match_args(PyObject *schema) {
    Py_ssize_t n = 0;
    while (n < schema_nfields(schema) && !is_special_name(schema_field(schema, n)->name)) n++;
    return PyTuple_GetSlice(((SchemaObject *)schema)->names, 0, n);
}

static int install_fields(PyTypeObject *cls, PyObject *schema, module_state *st) {
    for (Py_ssize_t i = 0; i < schema_nfields(schema); i++) {
        if (is_special_name(schema_field(schema, i)->name)) continue;
        FieldObject *f = PyObject_GC_New(FieldObject, st->FieldType);
        if (!f) return -1; /* PyObject_GC_New took the heap type's reference */
        f->schema = Py_NewRef(schema);
        f->index = i;
        PyObject_GC_Track(f);
        int r = PyObject_SetAttr((PyObject *)cls, schema_field(schema, i)->name, (PyObject *)f);
        Py_DECREF(f);
        if (r < 0) return -1;
    }
    return 0;
}

PyObject *record_setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    module_state *st = PyModule_GetState(module);
    if (nargs != 2 || !PyType_Check(args[0]) || !Py_IS_TYPE(args[1], st->SchemaType)) {
        PyErr_SetString(PyExc_TypeError, "_record_setup(cls, schema)");
        return NULL;
    }
    PyTypeObject *cls = (PyTypeObject *)args[0];
    PyObject *schema = args[1];
    if (!PyType_IsSubtype(cls, st->RecordBaseType) || cls == st->RecordBaseType ||
        !(cls->tp_flags & Py_TPFLAGS_HEAPTYPE) || cls->tp_base == NULL) {
        PyErr_SetString(PyExc_TypeError, "_record_setup: cls must be a new Record subclass");
        return NULL;
    }
    if (cls->tp_dictoffset || cls->tp_weaklistoffset || cls->tp_itemsize ||
        cls->tp_basicsize != cls->tp_base->tp_basicsize) {
        PyErr_Format(PyExc_TypeError, "%s: a Record class stores its fields itself; it cannot "
                     "have a __dict__, __weakref__ or __slots__ (every base class needs "
                     "__slots__ = ())", cls->tp_name);
        return NULL;
    }
    Py_ssize_t nslots = schema_nfields(schema) + mask_words(schema);
    if (nslots < 2) nslots = 2; /* room for a view's row and version */
    if (nslots > (PY_SSIZE_T_MAX - (Py_ssize_t)sizeof(RecordObject)) / 8) return PyErr_NoMemory();
    PyObject *args_ = match_args(schema);
    int r = args_ ? PyObject_SetAttrString((PyObject *)cls, "__match_args__", args_) : -1;
    Py_XDECREF(args_);
    if (r < 0 || PyObject_SetAttrString((PyObject *)cls, "__compactcol_schema__", schema) < 0 ||
        install_fields(cls, schema, st) < 0)
        return NULL;
    cls->tp_basicsize = (Py_ssize_t)sizeof(RecordObject) + 8 * nslots;
    cls->tp_flags &= ~Py_TPFLAGS_HAVE_GC;
    cls->tp_dealloc = (destructor)record_dealloc;
    cls->tp_free = PyObject_Free;
    cls->tp_traverse = NULL;
    cls->tp_clear = NULL;
    PyType_Modified(cls);
    Py_RETURN_NONE;
}
