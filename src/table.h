/* table.h -- what table_schema.c, table_record.c, table.c and table_ops.c
 * share: the schema, the record and table layouts, and the conversion of
 * one Python value into one typed cell.
 *
 *   Schema   fields: (name, kind, dtype, nullable, default) in order
 *   Table    columns: one Array / StringArray / CategoricalArray per field,
 *            all of `length` elements
 *   Record   a row: standalone (its own unboxed slots) or a view (table, row)
 *
 * Its files include it after the headers of the containers they use.
 */
#ifndef BINDING_TABLE_H
#define BINDING_TABLE_H

#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "categorical.h"

#include "cc_columns.h"

/* FIELD_BYTES is FIELD_STR's column (a cc_strarray) holding any bytes: a
 * BinaryArray, whose values convert as bytes-like objects. */
typedef enum { FIELD_NUM, FIELD_STR, FIELD_CAT, FIELD_BYTES } field_kind;

typedef struct {
    PyObject *name;    /* str */
    PyObject *spec;    /* 'int64', 'str?', 'category' ... as given to Table(dict) */
    PyObject *dflt;    /* the default, or NULL when the field is required */
    field_kind kind;
    cc_dtype dtype;    /* FIELD_NUM; int64 for an adaptive field (values are checked
                          against it, and a standalone record stores it) */
    bool adaptive;     /* FIELD_NUM 'int': the column is an adaptive Array('int'),
                          int8 widening to int64 as its values need */
    bool nullable;
    char tz[CC_TZ_MAX]; /* a timestamp field's time zone, "" when naive; a
                           decimal's "precision,scale" */
    decimal_param dec;  /* a decimal field's tz, parsed once, for its values */
} field_info;

typedef struct {
    PyObject_VAR_HEAD  /* ob_size: the number of fields */
    PyObject *names;   /* tuple of the field names, in order */
    PyObject *index;   /* dict: name -> position */
    bool has_nullable_num; /* a standalone record needs a null mask slot */
    field_info fields[1];
} SchemaObject;

static inline Py_ssize_t schema_nfields(PyObject *schema) { return Py_SIZE(schema); }
static inline field_info *schema_field(PyObject *schema, Py_ssize_t i) {
    return &((SchemaObject *)schema)->fields[i];
}

/* One converted value, ready to store.  str borrows the str object's
 * storage (ASCII) or buf: the caller keeps the value alive meanwhile. */
typedef struct {
    cc_scalar num;   /* FIELD_NUM: checked to fit the dtype; CC_SCALAR_NULL for None;
                        FIELD_CAT, once interned: the code, as an int */
    cc_str str;      /* FIELD_STR / FIELD_CAT / FIELD_BYTES */
    bool is_null;
    int64_t code;    /* FIELD_CAT: the pool id, once interned */
    utf8_buf buf;
} field_cell;

/* Where a conversion happens, for messages:
 * "Table.extend: row 3, field 'price': expected float (or int), got str ('x')". */
typedef struct {
    const char *owner; /* "Table", "Trade" */
    const char *what;  /* "extend", "__init__" */
    Py_ssize_t row;    /* position in the call's input, or -1 */
} convert_ctx;

extern PyType_Spec schema_spec;
/* True for a Schema (the type cannot be subclassed). */
bool schema_check(PyObject *obj);
/* Converts v for field i into *cell (initialised here; release with
 * field_cell_release).  May run v's __index__/__float__.  0, or -1 with an
 * exception that names ctx and the field. */
int field_convert(PyObject *schema, Py_ssize_t i, PyObject *v, field_cell *cell,
                  const convert_ctx *ctx);
static inline void field_cell_release(field_cell *c) { utf8_buf_release(&c->buf); }
/* Raises `exc` with "<owner>.<what>: row R, field 'f': <msg>"; returns -1. */
int field_raise(PyObject *exc, const convert_ctx *ctx, PyObject *name, const char *fmt, ...);
/* The values of one row (a Record, dict, mapping, tuple, list, namedtuple,
 * dataclass or any object with the attributes) in schema order, defaults
 * filled in: vals[i] new references.  0, or -1 (nothing held) with *field
 * the name of the field the error is about (a new reference: a missing
 * field, an unknown key, the field whose lookup raised), or NULL when it is
 * about the row as a whole (too many values). */
int row_values(PyObject *schema, PyObject *row, PyObject **vals, const convert_ctx *ctx,
               PyObject **field);
/* A new, empty column object for field i (categories in a new pool). */
PyObject *column_new(PyTypeObject *any_type_of_module, PyObject *schema, Py_ssize_t i);

/* ---- table_record.c ---- */

typedef struct {
    PyObject_HEAD
    PyObject *owner;  /* the Schema (a standalone record) or the Table (a row view) */
    int64_t slots[];  /* standalone: a value per field (+ null mask); view: row, version */
} RecordObject;

#define RECORD_VIEW_ROW 0
#define RECORD_VIEW_VERSION 1

extern PyType_Spec record_base_spec;
extern PyType_Spec field_spec;
/* _core._record_setup(cls, schema): make cls a record class of schema. */
PyObject *record_setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
/* The schema of a record class (borrowed), or NULL with TypeError. */
PyObject *record_class_schema(PyTypeObject *cls);
/* A new row view of table at row (no checks). */
PyObject *record_view_new(PyTypeObject *cls, PyObject *table, int64_t row);

/* ---- table.c ---- */

typedef struct {
    PyObject_HEAD
    PyObject *schema;       /* SchemaObject */
    PyObject *record_class; /* rows are views of this Record subclass */
    PyObject *columns;      /* tuple: one column object per field */
    int64_t length;
    uint64_t version;       /* bumped whenever rows move or go: stale views raise */
    uint64_t schema_version; /* bumped whenever the schema or the columns change */
    PyObject *weakreflist;
    PyObject *deferred;     /* NULL, or per field: None (loaded) or what loads the
                               column, which is None in `columns` until then
                               (table_deferred.c) */
    bool loading;           /* a deferred column is being read */
} TableObject;

extern PyType_Spec table_spec;
extern PyType_Spec table_iter_spec;
static inline PyObject *table_column(TableObject *t, Py_ssize_t i) {
    /* a deferred column is loaded first (table_ready / table_ready_column) */
    assert(PyTuple_GET_ITEM(t->columns, i) != Py_None);
    return PyTuple_GET_ITEM(t->columns, i);
}
/* The one place a column object becomes a core column: numbers and
 * category codes as a cc_numarray, strings as a cc_strarray. */
static inline cc_column column_cc(field_kind kind, PyObject *col) {
    cc_column c;
    c.is_str = kind == FIELD_STR || kind == FIELD_BYTES;
    if (c.is_str) c.str = &((StringArrayObject *)col)->arr;
    else if (kind == FIELD_CAT) c.num = &((ArrayObject *)((CategoricalObject *)col)->codes)->arr;
    else c.num = &((ArrayObject *)col)->arr;
    return c;
}
static inline cc_column table_cc_column(TableObject *t, Py_ssize_t i) {
    return column_cc(schema_field(t->schema, i)->kind, table_column(t, i));
}
/* ... and a converted (and, for a category, interned: num holds the code)
 * cell a core cell. */
static inline void field_cell_cc(const field_cell *c, cc_cell *out) {
    out->num = c->num;
    out->str = c->str;
    out->is_null = c->is_null;
}
/* A new column object for field i of t holding c's values (taken over;
 * a category column shares t's pool). */
PyObject *table_column_wrap(TableObject *t, Py_ssize_t i, cc_column c);

/* Field i of row (a view's table; bounds and staleness checked by the
 * caller) as a new Python object. */
PyObject *table_cell_get(TableObject *t, Py_ssize_t i, int64_t row);
/* Writes v into field i of row (converted and checked first). */
int table_cell_set(TableObject *t, Py_ssize_t i, int64_t row, PyObject *v);
/* 0 if the view (row, version) still names a row of t, else -1 with
 * RuntimeError/IndexError. */
int table_check_view(TableObject *t, int64_t row, uint64_t version);

/* After a call out to Python code: RuntimeError "<Table>.<what>: the
 * table's columns changed while ..." unless t's schema_version is still
 * `seen` (and, if row >= 0, row is still a row of t).  0 or -1. */
int table_check_unchanged(TableObject *t, uint64_t seen, int64_t row, const char *what);
/* Position of column `name` (any str; converted to an exact str first, so
 * no user code runs); -1 with KeyError/TypeError naming `what`. */
Py_ssize_t table_column_index(TableObject *t, PyObject *name, const char *what);

/* A new table of like's type, schema and record class adopting columns. */
PyObject *table_like(TableObject *like, PyObject *columns, int64_t length);

/* Puts col, a column object freshly read for deferred field i, in place of
 * its placeholder (checked as Table() checks a column: type, dtype,
 * nullability, not in another table, and t's length).  0 or -1. */
int table_install_column(TableObject *t, Py_ssize_t i, PyObject *col);

/* ---- table_deferred.c ---- */

/* A table opened from a file reads a column only when it is first used:
 * every method that reaches the columns calls table_ready first (all of
 * them), t.column(name) / t[name] table_ready_column (that one).  0, or -1
 * with the exception of the column that failed to read. */
int table_load_all(TableObject *t);
int table_ready_column(TableObject *t, Py_ssize_t i);
static inline int table_ready(TableObject *t) { return t->deferred ? table_load_all(t) : 0; }
/* The deferred entries given to Table(): a new tuple, or NULL with an
 * exception.  Each is None or (an 'arrow_array_stream' capsule, nullable). */
PyObject *table_deferred_new(PyObject *given, Py_ssize_t nfields);
/* The number of fields still to be read. */
Py_ssize_t table_deferred_count(TableObject *t);

/* ---- table_ops.c ---- */

/* New columns holding rows order[0], order[1], ... of t (a tuple). */
PyObject *table_take_columns(TableObject *t, const int64_t *order, int64_t n);
PyObject *table_sort(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
PyObject *table_take(PyObject *self, PyObject *indices);
PyObject *table_filter_mask(PyObject *self, PyObject *mask);

/* ---- table_arrow.c ---- */

PyObject *table_arrow_c_stream(PyObject *self, PyObject *args, PyObject *kwds);
PyObject *table_arrow_c_schema(PyObject *self, PyObject *unused);


#endif /* BINDING_TABLE_H */
