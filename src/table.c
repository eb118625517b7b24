/* table.c -- compactcol.Table: a list of records stored as one typed
 * column per field.
 *
 *   schema   ( id: int64 | name: str? | sym: category )
 *   columns  ( Array     | StringArray | CategoricalArray )   each `length` long
 *   rows     views (table, row, version) made on access
 *
 * Invariants: every column holds exactly `length` elements; every column
 * object has table_column set, so its own length-changing methods refuse
 * and only the table changes lengths (table['x'] hands out the column
 * itself, zero-copy).  `version` changes whenever rows move or go (insert,
 * delete, pop, sort, a schema change): a row view taken before raises
 * instead of silently showing another row.  Appending keeps views valid.
 *
 * All-or-nothing: a row is converted completely (user code such as
 * __index__ runs only then) before any column changes; extend converts
 * every row into scratch columns and commits them at the end.  If a
 * column refuses the commit (exported: BufferError; MemoryError) the
 * columns already committed are cut back to their old length.  Category
 * strings interned by a failed call may stay in the pool (no code refers
 * to them), as the spec allows.
 *
 * Reentrancy: converting a row runs user code (a row's __getattr__, a
 * value's __index__, an iterator's __next__), which may do anything to the
 * table, add_column and drop_column included.  So conversions read the
 * schema they captured (a strong reference, never t->schema afresh), and
 * after every call out the caller re-checks what it read before it:
 * `schema_version` (bumped by every change of the columns) and the row
 * position against the current length (table_check_unchanged).  Column
 * names are looked up as exact str (table_column_index), so no user
 * __eq__/__hash__ runs during a lookup.
 */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "table.h"

#include <structmember.h>

#define NAME "Table"

typedef TableObject Table;

static field_kind kind_of(Table *t, Py_ssize_t i) { return schema_field(t->schema, i)->kind; }
static Py_ssize_t nfields(Table *t) { return schema_nfields(t->schema); }
static PyObject *field_name(Table *t, Py_ssize_t i) { return schema_field(t->schema, i)->name; }

static cc_numarray *num_of(PyObject *col) { return &((ArrayObject *)col)->arr; }
static cc_strarray *str_of(PyObject *col) { return &((StringArrayObject *)col)->arr; }

/* ---- what differs by field kind, in one place ------------------------------------------ */

/* The core sees a column as a cc_column (column_cc in table.h); what is left
 * to the binding differs only in the column object: its type, where its
 * "I am a table's column" flag is, how a cell is boxed, how a new column
 * object is made around core values. */
typedef struct {
    size_t type;       /* offsetof the column type in module_state */
    size_t lock;       /* offsetof the column object's table_column flag */
    PyObject *(*box)(PyObject *col, int64_t row);
    PyObject *(*wrap)(PyObject *like, cc_column c); /* a new column of like's kind */
} kind_ops;

static PyObject *num_box(PyObject *col, int64_t row) { return array_item_box(num_of(col), row); }
static PyObject *str_box(PyObject *col, int64_t row) { return strarray_item_box(str_of(col), row); }
static PyObject *num_wrap(PyObject *like, cc_column c) { return array_wrap(Py_TYPE(like), c.num); }
static PyObject *str_wrap(PyObject *like, cc_column c) {
    c.str->binary = str_of(like)->binary; /* a BinaryArray column makes one */
    return strarray_wrap(Py_TYPE(like), c.str);
}
static PyObject *cat_wrap(PyObject *like, cc_column c) {
    /* the new column shares the pool: the categories are not copied */
    CategoricalObject *cat = (CategoricalObject *)like;
    return categorical_wrap(Py_TYPE(like), c.num, cat->pool, cat->nullable);
}

static const kind_ops KINDS[] = {
    [FIELD_NUM] = {offsetof(module_state, ArrayType), offsetof(ArrayObject, table_column), num_box,
                   num_wrap},
    [FIELD_STR] = {offsetof(module_state, StringArrayType),
                   offsetof(StringArrayObject, table_column), str_box, str_wrap},
    [FIELD_CAT] = {offsetof(module_state, CategoricalArrayType),
                   offsetof(CategoricalObject, table_column), categorical_item, cat_wrap},
    [FIELD_BYTES] = {offsetof(module_state, BinaryArrayType),
                     offsetof(StringArrayObject, table_column), str_box, str_wrap},
};

static PyTypeObject *kind_type(module_state *st, field_kind k) {
    return *(PyTypeObject **)((char *)st + KINDS[k].type);
}
static bool *kind_lock(PyObject *col, field_kind k) {
    return (bool *)((char *)col + KINDS[k].lock);
}

/* Whether a column object takes None (a category's codes never hold a null:
 * None is the code -1). */
static bool column_nullable(PyObject *col, field_kind k) {
    if (k == FIELD_CAT) return ((CategoricalObject *)col)->nullable;
    cc_column c = column_cc(k, col);
    return c.is_str ? c.str->nullable : c.num->nullable;
}

/* The codes of a category column are locked with it: they are reachable
 * as `.codes`, and must not change length on their own either. */
static void column_lock(PyObject *col, field_kind k, bool on) {
    *kind_lock(col, k) = on;
    if (k == FIELD_CAT) ((ArrayObject *)((CategoricalObject *)col)->codes)->table_column = on;
}

PyObject *table_column_wrap(TableObject *t, Py_ssize_t i, cc_column c) {
    return KINDS[kind_of(t, i)].wrap(table_column(t, i), c);
}

/* The table's columns as core columns: on the stack for up to 16 fields. */
typedef struct {
    cc_column small[16];
    cc_column *v;
} col_buf;

static cc_column *table_cols(Table *t, col_buf *b) {
    Py_ssize_t n = nfields(t);
    b->v = n <= 16 ? b->small : PyMem_Malloc((size_t)n * sizeof *b->v);
    if (!b->v) PyErr_NoMemory();
    for (Py_ssize_t i = 0; b->v && i < n; i++) b->v[i] = table_cc_column(t, i);
    return b->v;
}

static void col_buf_free(col_buf *b) {
    if (b->v != b->small) PyMem_Free(b->v);
}

static PyObject *raise_column(Table *t, Py_ssize_t i, cc_status st, const char *what);

/* BufferError naming the first exported column; 0 if none is. */
static int check_resizable(Table *t, const char *what) {
    for (Py_ssize_t i = 0; i < nfields(t); i++) {
        if (cc_column_exports(table_cc_column(t, i))) {
            PyErr_Format(PyExc_BufferError, NAME ".%s: column %R is exported (a memoryview "
                         "or NumPy array aliases it); release it first", what,
                         schema_field(t->schema, i)->name);
            return -1;
        }
    }
    return 0;
}

int table_check_unchanged(Table *t, uint64_t seen, int64_t row, const char *what) {
    if (t->schema_version != seen) {
        PyErr_Format(PyExc_RuntimeError, NAME ".%s: the table's columns changed while its "
                     "values were converted (user code added, dropped or renamed a column)",
                     what);
        return -1;
    }
    if (row >= t->length) {
        PyErr_Format(PyExc_RuntimeError, NAME ".%s: row %lld went away while its values were "
                     "converted (the table has %lld rows now)", what, (long long)row,
                     (long long)t->length);
        return -1;
    }
    return 0;
}

/* The status as an exception naming the column ("Table column 'p'.sort: ...");
 * the name goes by its repr, which any str has (a lone surrogate has no
 * UTF-8 of its own). */
static PyObject *raise_column(Table *t, Py_ssize_t i, cc_status st, const char *what) {
    PyObject *owner = PyUnicode_FromFormat(NAME " column %.80R", schema_field(t->schema, i)->name);
    const char *text = owner ? PyUnicode_AsUTF8(owner) : NULL;
    if (text) status_raise(text, st, what);
    Py_XDECREF(owner);
    return NULL;
}

/* ---- construction ------------------------------------------------------------------- */

/* Takes over `columns` (a tuple of fresh column objects, one per field, all
 * of length rows; None for a deferred one) into a new table of type `type`. */
static PyObject *table_assemble(PyTypeObject *type, PyObject *schema, PyObject *record_class,
                                PyObject *columns, int64_t length) {
    Table *t = (Table *)type->tp_alloc(type, 0);
    if (!t) return NULL;
    t->schema = Py_NewRef(schema);
    t->record_class = Py_NewRef(record_class);
    t->columns = Py_NewRef(columns);
    t->length = length;
    for (Py_ssize_t i = 0; i < nfields(t); i++)
        if (PyTuple_GET_ITEM(columns, i) != Py_None)
            column_lock(table_column(t, i), kind_of(t, i), true);
    return (PyObject *)t;
}

PyObject *table_like(Table *like, PyObject *columns, int64_t length) {
    return table_assemble(Py_TYPE(like), like->schema, like->record_class, columns, length);
}

/* Checks that col is a free column of the right type for field i. */
static int check_column(PyObject *schema, Py_ssize_t i, PyObject *col, module_state *st,
                        int64_t *len) {
    const field_info *f = schema_field(schema, i);
    PyTypeObject *want = kind_type(st, f->kind);
    bool ok = Py_IS_TYPE(col, want), owned = false;
    if (ok) {
        ok = column_nullable(col, f->kind) == f->nullable &&
             (f->kind != FIELD_NUM ||
              (f->adaptive ? num_of(col)->adaptive
                           : num_of(col)->dtype == f->dtype && !num_of(col)->adaptive &&
                                 strcmp(num_of(col)->tz, f->tz) == 0)); /* zone, scale */
        owned = *kind_lock(col, f->kind) ||
                (f->kind == FIELD_CAT &&
                 ((ArrayObject *)((CategoricalObject *)col)->codes)->table_column);
    }
    if (!ok) {
        PyErr_Format(PyExc_TypeError, NAME ": column %R must be a %s for %R, not %R",
                     f->name, want->tp_name, f->spec, col);
        return -1;
    }
    if (owned) {
        PyErr_Format(PyExc_ValueError, NAME ": column %R already belongs to a table", f->name);
        return -1;
    }
    *len = cc_column_length(column_cc(f->kind, col));
    return 0;
}

/* The object holding a column's values: the codes of a category column,
 * else the column itself (two fields must never share one). */
static PyObject *column_storage(PyObject *schema, Py_ssize_t i, PyObject *col) {
    return schema_field(schema, i)->kind == FIELD_CAT ? ((CategoricalObject *)col)->codes : col;
}

/* Column i is not the same object (or codes) as an earlier one: the
 * ownership flags are set only when the table is assembled, so a repeated
 * object would pass check_column twice and then be resized twice a row. */
static int check_distinct(PyObject *schema, PyObject *cols, Py_ssize_t i) {
    PyObject *mine = column_storage(schema, i, PyTuple_GET_ITEM(cols, i));
    for (Py_ssize_t j = 0; j < i; j++)
        if (PyTuple_GET_ITEM(cols, j) != Py_None && /* a deferred column's placeholder */
            column_storage(schema, j, PyTuple_GET_ITEM(cols, j)) == mine) {
            PyErr_Format(PyExc_ValueError, NAME ": columns %R and %R are one object (each "
                         "field needs a column of its own)", schema_field(schema, j)->name,
                         schema_field(schema, i)->name);
            return -1;
        }
    return 0;
}

/* _core.Table(schema, record_class, columns=None, rows=None, deferred=None):
 * the facade passes a Schema, the Record class whose schema it is, and
 * optionally the column objects to adopt (RT1: all of one length) and the
 * number of rows (which a table without columns has too; with columns it
 * must agree).  Table.open passes `deferred` too: per field None, or what
 * reads the column at its first use (table_deferred.c), its column None
 * meanwhile; the rows are then required. */
static PyObject *table_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *schema, *record_class, *columns = Py_None, *rows = Py_None, *given_deferred = Py_None;
    if (!PyArg_ParseTuple(args, "OO|OOO:Table", &schema, &record_class, &columns, &rows,
                          &given_deferred))
        return NULL;
    long long given = -1;
    if (rows != Py_None && ((given = PyLong_AsLongLong(rows)) == -1 && PyErr_Occurred()))
        return NULL;
    if (rows != Py_None && (given < 0 || given > CC_MAX_SIZE)) {
        PyErr_Format(PyExc_ValueError, NAME ": %lld rows is not a table length", given);
        return NULL;
    }
    module_state *st = state_of_type(type);
    if (!st) return NULL;
    if (!schema_check(schema) || !PyType_Check(record_class) ||
        !PyType_IsSubtype((PyTypeObject *)record_class, st->RecordBaseType)) {
        PyErr_SetString(PyExc_TypeError, NAME ": expected (Schema, Record class[, columns])");
        return NULL;
    }
    PyObject *class_schema = record_class_schema((PyTypeObject *)record_class);
    if (!class_schema) return NULL;
    if (class_schema != schema) {
        PyErr_SetString(PyExc_TypeError, NAME ": the Record class has another schema");
        return NULL;
    }
    Py_ssize_t n = schema_nfields(schema);
    PyObject *cols = NULL, *res = NULL, *deferred = NULL;
    int64_t length = 0;
    if (given_deferred != Py_None) {
        if (columns == Py_None || rows == Py_None) {
            PyErr_SetString(PyExc_TypeError, NAME ": deferred columns need the columns and rows");
            return NULL;
        }
        if (!(deferred = table_deferred_new(given_deferred, n))) return NULL;
    }
    if (columns == Py_None) {
        if (!(cols = PyTuple_New(n))) return NULL;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *c = column_new(type, schema, i);
            if (!c) goto done;
            PyTuple_SET_ITEM(cols, i, c);
        }
    } else {
        if (!(cols = PySequence_Tuple(columns))) return NULL;
        if (PyTuple_GET_SIZE(cols) != n) {
            PyErr_Format(PyExc_ValueError, NAME ": %zd columns for %zd fields",
                         PyTuple_GET_SIZE(cols), n);
            goto done;
        }
        bool first = true;
        for (Py_ssize_t i = 0; i < n; i++) {
            int64_t len;
            if (deferred && PyTuple_GET_ITEM(deferred, i) != Py_None) {
                if (PyTuple_GET_ITEM(cols, i) != Py_None) {
                    PyErr_Format(PyExc_ValueError, NAME ": deferred column %R must be None",
                                 schema_field(schema, i)->name);
                    goto done;
                }
                continue;
            }
            if (check_column(schema, i, PyTuple_GET_ITEM(cols, i), st, &len) < 0 ||
                check_distinct(schema, cols, i) < 0)
                goto done;
            if (!first && len != length) {
                PyErr_Format(PyExc_ValueError, NAME ": column %R has %lld values but column "
                             "%R has %lld (columns must be of one length)",
                             schema_field(schema, i)->name, (long long)len,
                             schema_field(schema, 0)->name, (long long)length);
                goto done;
            }
            length = len;
            first = false;
        }
        if (first && deferred) length = given; /* every column deferred */
    }
    if (given >= 0 && n == 0) {
        length = given;
    } else if (given >= 0 && given != length) {
        PyErr_Format(PyExc_ValueError, NAME ": %lld rows given, but the columns have %lld",
                     given, (long long)length);
        goto done;
    }
    res = table_assemble(type, schema, record_class, cols, length);
    if (res && deferred) {
        ((Table *)res)->deferred = Py_NewRef(deferred);
        if (table_deferred_count((Table *)res) == 0) Py_CLEAR(((Table *)res)->deferred);
    }
done:
    Py_XDECREF(cols);
    Py_XDECREF(deferred);
    return res;
}

int table_install_column(Table *t, Py_ssize_t i, PyObject *col) {
    module_state *st = state_of_type(Py_TYPE(t));
    int64_t len;
    if (!st || check_column(t->schema, i, col, st, &len) < 0) return -1;
    if (len != t->length) {
        PyErr_Format(PyExc_ValueError, NAME ": column %R has %lld values for %lld rows",
                     schema_field(t->schema, i)->name, (long long)len, (long long)t->length);
        return -1;
    }
    /* a new tuple, not a write into one: nobody else has seen col yet */
    Py_ssize_t n = nfields(t);
    PyObject *cols = PyTuple_New(n);
    if (!cols) return -1;
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(cols, k, Py_NewRef(k == i ? col : PyTuple_GET_ITEM(t->columns, k)));
    column_lock(col, kind_of(t, i), true);
    Py_SETREF(t->columns, cols);
    return 0;
}

static void release_columns(Table *t) {
    if (!t->columns || !t->schema) return;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t->columns); i++)
        if (PyTuple_GET_ITEM(t->columns, i) != Py_None) /* a deferred one was never locked */
            column_lock(table_column(t, i), kind_of(t, i), false);
}

static int table_traverse(Table *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->schema);
    Py_VISIT(self->record_class);
    Py_VISIT(self->columns);
    Py_VISIT(self->deferred);
    return 0;
}

static int table_clear(Table *self) {
    release_columns(self);
    Py_CLEAR(self->deferred);
    Py_CLEAR(self->columns);
    Py_CLEAR(self->record_class);
    Py_CLEAR(self->schema);
    return 0;
}

static void table_dealloc(Table *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    table_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* ---- cells ------------------------------------------------------------------------------ */

int table_check_view(TableObject *t, int64_t row, uint64_t version) {
    if (table_ready(t) < 0) return -1;
    if (version != t->version) {
        PyErr_SetString(PyExc_RuntimeError, "this row view is stale: the table's rows moved "
                        "(insert, delete, pop, sort or a column change) since it was taken; "
                        "index the table again");
        return -1;
    }
    if (row >= t->length) {
        PyErr_Format(PyExc_IndexError, "this row view points past the end of the table "
                     "(row %lld of %lld)", (long long)row, (long long)t->length);
        return -1;
    }
    return 0;
}

PyObject *table_cell_get(TableObject *t, Py_ssize_t i, int64_t row) {
    return KINDS[kind_of(t, i)].box(table_column(t, i), row);
}

/* Interns field i's cell if it is a category's: cell->code (-1 for None);
 * categories are interned before anything is stored. */
static int intern_cell(Table *t, Py_ssize_t i, field_cell *c) {
    if (kind_of(t, i) != FIELD_CAT) return 0;
    c->code = -1;
    if (!c->is_null &&
        pool_intern_utf8(((CategoricalObject *)table_column(t, i))->pool, c->str, &c->code) < 0)
        return -1;
    c->num.kind = CC_SCALAR_INT; /* the core stores the code */
    c->num.v.i = c->code;
    return 0;
}

/* Stores a converted (and interned) cell of field i at row. */
static cc_status store_cell(Table *t, Py_ssize_t i, int64_t row, const field_cell *c) {
    cc_cell cell;
    field_cell_cc(c, &cell);
    return cc_column_set(table_cc_column(t, i), row, &cell);
}

int table_cell_set(TableObject *t, Py_ssize_t i, int64_t row, PyObject *v) {
    convert_ctx ctx = {NAME, "__setattr__", row};
    field_cell c;
    uint64_t seen = t->schema_version;
    PyObject *schema = Py_NewRef(t->schema); /* v's __index__ may replace t's */
    int r = field_convert(schema, i, v, &c, &ctx);
    if (r == 0) r = table_check_unchanged(t, seen, row, "__setattr__");
    Py_DECREF(schema);
    if (r == 0) r = intern_cell(t, i, &c);
    if (r == 0) {
        cc_status st = store_cell(t, i, row, &c);
        if (st != CC_OK) r = -1, raise_column(t, i, st, "__setattr__");
    }
    field_cell_release(&c);
    return r;
}

/* ---- converting rows --------------------------------------------------------------------- */

/* Room for one row's values and cells: on the stack for up to 16 fields. */
typedef struct {
    PyObject *small_vals[16];
    field_cell small_cells[16];
    PyObject **vals;
    field_cell *cells;
    Py_ssize_t n, converted;
} row_buf;

static int row_buf_init(row_buf *b, Py_ssize_t n) {
    b->n = n;
    b->converted = 0;
    if (n <= 16) {
        memset(b->small_vals, 0, sizeof b->small_vals); /* cleared even if no row comes */
        b->vals = b->small_vals;
        b->cells = b->small_cells;
        return 0;
    }
    b->vals = PyMem_Calloc((size_t)n, sizeof *b->vals);
    b->cells = PyMem_Calloc((size_t)n, sizeof *b->cells);
    if (b->vals && b->cells) return 0;
    PyMem_Free(b->vals), PyMem_Free(b->cells);
    PyErr_NoMemory();
    return -1;
}

static void row_buf_clear(row_buf *b) {
    for (Py_ssize_t i = 0; i < b->converted; i++) field_cell_release(&b->cells[i]);
    for (Py_ssize_t i = 0; i < b->n; i++) Py_CLEAR(b->vals[i]);
    b->converted = 0;
}

static void row_buf_free(row_buf *b) {
    row_buf_clear(b);
    if (b->vals != b->small_vals) PyMem_Free(b->vals), PyMem_Free(b->cells);
}

/* One row, input position `at` of the call, into b's cells for `schema`
 * (the caller's strong reference: the user code this runs may replace the
 * table's).  0, or -1 with an exception marked with `at` and the field
 * (error_mark_row; b cleared).  The caller re-checks the table afterwards. */
static int convert_row(PyObject *schema, PyObject *row, row_buf *b, const convert_ctx *ctx,
                       Py_ssize_t at) {
    PyObject *field;
    if (row_values(schema, row, b->vals, ctx, &field) < 0) {
        error_mark_row(at, field);
        Py_XDECREF(field);
        return -1;
    }
    for (Py_ssize_t i = 0; i < b->n; i++) {
        if (field_convert(schema, i, b->vals[i], &b->cells[i], ctx) < 0) {
            row_buf_clear(b);
            return error_mark_row(at, schema_field(schema, i)->name);
        }
        b->converted = i + 1;
    }
    return 0;
}

/* Inserts one converted row at `at` (== length: append) in every column,
 * all or nothing. */
static int commit_row(Table *t, row_buf *b, int64_t at, const char *what) {
    Py_ssize_t n = nfields(t);
    if (check_resizable(t, what) < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) /* the call's one row: input position 0 */
        if (intern_cell(t, i, &b->cells[i]) < 0) return error_mark_row(0, field_name(t, i));
    col_buf cb;
    cc_cell small[16], *cells = n <= 16 ? small : PyMem_Malloc((size_t)n * sizeof *cells);
    if (!cells) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) field_cell_cc(&b->cells[i], &cells[i]);
    int r = -1;
    cc_column *cols = table_cols(t, &cb);
    if (cols) {
        int64_t failed;
        cc_status st = cc_columns_insert_row(cols, n, at, cells, &failed);
        col_buf_free(&cb);
        if (st == CC_OK) r = 0;
        else if (failed >= 0) raise_column(t, failed, st, what);
        else status_raise(NAME, st, what);
    }
    if (cells != small) PyMem_Free(cells);
    if (r < 0) return -1;
    t->length++;
    if (at != t->length - 1) t->version++;
    return 0;
}

/* Converts and inserts row at position `at` (clamped after conversion). */
static int insert_row(Table *t, PyObject *row, Py_ssize_t at, bool append, const char *what) {
    row_buf b;
    if (table_ready(t) < 0 || row_buf_init(&b, nfields(t)) < 0) return -1;
    PyObject *schema = Py_NewRef(t->schema);
    uint64_t seen = t->schema_version;
    convert_ctx ctx = {NAME, what, -1};
    int r = convert_row(schema, row, &b, &ctx, 0); /* the call's one row */
    if (r == 0) r = table_check_unchanged(t, seen, -1, what);
    if (r == 0) {
        /* list.insert semantics, against the length after the conversion */
        int64_t pos = append ? t->length : at;
        if (!append) {
            if (pos < 0) pos += t->length;
            if (pos < 0) pos = 0;
            if (pos > t->length) pos = t->length;
        }
        r = commit_row(t, &b, pos, what);
    }
    Py_DECREF(schema);
    row_buf_free(&b);
    return r;
}

static PyObject *table_append(PyObject *self, PyObject *row) {
    if (insert_row((Table *)self, row, 0, true, "append") < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *table_insert(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t at;
    if (!seq_nargs_ok(NAME, "insert", nargs, 2, 2) || seq_position_arg(args[0], &at) < 0)
        return NULL;
    if (insert_row((Table *)self, args[1], at, false, "insert") < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- extend: every row into scratch columns, then one commit ----------------------------- */

typedef union {
    cc_numarray num; /* FIELD_NUM; FIELD_CAT: int64 codes, -1 for None */
    cc_strarray str;
} scratch_column;

/* The scratch columns follow the schema extend started with (its own
 * reference), never t->schema, which user code may replace meanwhile;
 * sc[i] views s[i] as a core column. */
static void scratch_init(PyObject *schema, scratch_column *s, cc_column *sc) {
    for (Py_ssize_t i = 0; i < schema_nfields(schema); i++) {
        const field_info *f = schema_field(schema, i);
        sc[i].is_str = f->kind == FIELD_STR || f->kind == FIELD_BYTES;
        if (sc[i].is_str) {
            cc_strarray_init(sc[i].str = &s[i].str, f->nullable);
            sc[i].str->binary = f->kind == FIELD_BYTES;
        }
        else if (f->kind == FIELD_NUM)
            cc_numarray_init(sc[i].num = &s[i].num, f->adaptive ? CC_INT8 : f->dtype,
                             f->adaptive, f->nullable);
        else cc_numarray_init(sc[i].num = &s[i].num, CC_INT64, false, false);
    }
}

static void scratch_reset(PyObject *schema, cc_column *sc) {
    for (Py_ssize_t i = 0; i < schema_nfields(schema); i++) {
        if (sc[i].is_str) cc_strarray_reset(sc[i].str);
        else cc_numarray_reset(sc[i].num);
    }
}

/* Appends the scratch columns' n rows to the table; all or nothing.  The
 * caller checked that the table still has the scratch's schema. */
static int commit_scratch(Table *t, const cc_column *sc, int64_t n, const char *what) {
    if (n == 0) return 0;
    if (check_resizable(t, what) < 0) return -1;
    col_buf cb;
    cc_column *cols = table_cols(t, &cb);
    if (!cols) return -1;
    int64_t old = t->length, failed;
    cc_status st = cc_columns_append(cols, nfields(t), sc, &failed);
    col_buf_free(&cb);
    if (st != CC_OK) {
        if (failed >= 0) raise_column(t, failed, st, what);
        else status_raise(NAME, st, what);
        return -1;
    }
    t->length = old + n;
    return 0;
}

static PyObject *table_extend(PyObject *self, PyObject *rows) {
    Table *t = (Table *)self;
    if (table_ready(t) < 0) return NULL;
    Py_ssize_t hint = PyList_CheckExact(rows) || PyTuple_CheckExact(rows) ? PySequence_Size(rows) : 0;
    PyObject *it = PyObject_GetIter(rows);
    if (!it) return NULL;
    PyObject *schema = Py_NewRef(t->schema);
    uint64_t seen = t->schema_version;
    Py_ssize_t nf = nfields(t);
    scratch_column *s = PyMem_Calloc((size_t)(nf ? nf : 1), sizeof *s);
    cc_column *sc = PyMem_Calloc((size_t)(nf ? nf : 1), sizeof *sc);
    row_buf b;
    int ok = 0;
    if (!s || !sc || row_buf_init(&b, nf) < 0) {
        if (!s || !sc) PyErr_NoMemory();
        PyMem_Free(s), PyMem_Free(sc);
        Py_DECREF(it), Py_DECREF(schema);
        return NULL;
    }
    scratch_init(schema, s, sc);
    for (Py_ssize_t i = 0; hint > 0 && i < nf; i++)
        if (!sc[i].is_str && cc_numarray_reserve(sc[i].num, hint) != CC_OK)
            break;
    convert_ctx ctx = {NAME, "extend", 0};
    PyObject *row;
    while ((row = PyIter_Next(it))) {
        /* the iterator and the row's conversion run user code: re-check
         * before the row's categories are interned into t's columns */
        int r = table_check_unchanged(t, seen, -1, "extend"); /* after __next__ */
        if (r == 0) r = convert_row(schema, row, &b, &ctx, ctx.row);
        Py_DECREF(row);
        if (r == 0) r = table_check_unchanged(t, seen, -1, "extend");
        if (r < 0) goto done;
        for (Py_ssize_t i = 0; i < nf; i++)
            if (intern_cell(t, i, &b.cells[i]) < 0) {
                error_mark_row(ctx.row, field_name(t, i));
                goto done;
            }
        /* into the scratch columns (never exported): no check, no undo */
        cc_status st = CC_OK;
        for (Py_ssize_t i = 0; i < nf && st == CC_OK; i++) {
            const field_cell *c = &b.cells[i];
            st = sc[i].is_str ? cc_strarray_append(sc[i].str, c->str, c->is_null)
                              : cc_numarray_append(sc[i].num, &c->num);
        }
        row_buf_clear(&b);
        if (st != CC_OK) {
            status_raise(NAME, st, "extend");
            goto done;
        }
        ctx.row++;
    }
    if (PyErr_Occurred() || table_check_unchanged(t, seen, -1, "extend") < 0) goto done;
    ok = commit_scratch(t, sc, ctx.row, "extend") == 0;
done:
    row_buf_free(&b);
    scratch_reset(schema, sc);
    PyMem_Free(s), PyMem_Free(sc);
    Py_DECREF(it);
    Py_DECREF(schema);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* ---- deleting ------------------------------------------------------------------------------ */

static int delete_rows(Table *t, int64_t start, int64_t step, int64_t count, const char *what) {
    if (count == 0) return 0;
    if (check_resizable(t, what) < 0) return -1;
    col_buf cb;
    cc_column *cols = table_cols(t, &cb);
    if (!cols) return -1;
    int64_t failed;
    cc_status st = cc_columns_delete(cols, nfields(t), start, step, count, &failed);
    col_buf_free(&cb);
    if (st != CC_OK) { /* checked: in bounds, not exported; or no memory */
        if (failed >= 0) raise_column(t, failed, st, what);
        else status_raise(NAME, st, what);
        return -1;
    }
    t->length -= count;
    t->version++;
    return 0;
}

/* The row's values as a new standalone record. */
static PyObject *row_record(Table *t, int64_t row) {
    PyObject *values = PyTuple_New(nfields(t));
    for (Py_ssize_t i = 0; values && i < nfields(t); i++) {
        PyObject *v = table_cell_get(t, i, row);
        if (!v) Py_CLEAR(values);
        else PyTuple_SET_ITEM(values, i, v);
    }
    if (!values) return NULL;
    PyObject *r = PyObject_CallObject(t->record_class, values);
    Py_DECREF(values);
    return r;
}

static PyObject *table_pop(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Table *t = (Table *)self;
    Py_ssize_t i = -1;
    if (!seq_nargs_ok(NAME, "pop", nargs, 0, 1) || table_ready(t) < 0) return NULL;
    if (nargs && seq_position_arg(args[0], &i) < 0) return NULL;
    if (t->length == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty " NAME);
        return NULL;
    }
    if (seq_normalise(&i, (Py_ssize_t)t->length, NAME, "pop index") < 0) return NULL;
    if (check_resizable(t, "pop") < 0) return NULL;
    uint64_t seen = t->schema_version, rows_seen = t->version;
    int64_t length = t->length;
    PyObject *rec = row_record(t, i);
    if (!rec) return NULL;
    /* the record class's __init__ is user code: pop only the row it saw */
    int r = table_check_unchanged(t, seen, i, "pop");
    if (r == 0 && (t->version != rows_seen || t->length != length)) {
        PyErr_SetString(PyExc_RuntimeError, NAME ".pop: the rows changed while the popped row "
                        "was made");
        r = -1;
    }
    if (r < 0 || delete_rows(t, i, 1, 1, "pop") < 0) Py_CLEAR(rec);
    return rec;
}

static PyObject *table_clear_rows(PyObject *self, PyObject *unused) {
    Table *t = (Table *)self;
    if (table_ready(t) < 0 || delete_rows(t, 0, 1, t->length, "clear") < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- indexing ------------------------------------------------------------------------------- */

static Py_ssize_t table_length(PyObject *self) { return (Py_ssize_t)((Table *)self)->length; }

static PyObject *table_item(PyObject *self, Py_ssize_t i) {
    Table *t = (Table *)self;
    return record_view_new((PyTypeObject *)t->record_class, self, i);
}

Py_ssize_t table_column_index(Table *t, PyObject *name, const char *what) {
    PyObject *exact = str_exact(name, NAME, what);
    if (!exact) return -1;
    /* an exact str against exact str keys: no user code runs in the lookup */
    PyObject *at = PyDict_GetItemWithError(((SchemaObject *)t->schema)->index, exact);
    Py_DECREF(exact);
    if (!at) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_KeyError, "%R is not a column (the columns are %R)", name,
                         ((SchemaObject *)t->schema)->names);
        return -1;
    }
    return PyLong_AsSsize_t(at);
}

/* The column itself (read first if deferred: only this one). */
static PyObject *column_by_name(Table *t, PyObject *name, const char *what) {
    Py_ssize_t i = table_column_index(t, name, what);
    if (i < 0 || table_ready_column(t, i) < 0) return NULL;
    return Py_NewRef(table_column(t, i));
}

static PyObject *table_subscript(PyObject *self, PyObject *key) {
    Table *t = (Table *)self;
    if (PyUnicode_Check(key)) return column_by_name(t, key, "__getitem__");
    if (table_ready(t) < 0) return NULL;
    if (PySlice_Check(key)) {
        Py_ssize_t start, stop, step;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) return NULL;
        Py_ssize_t n = PySlice_AdjustIndices((Py_ssize_t)t->length, &start, &stop, step);
        int64_t *order = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *order);
        if (!order) return PyErr_NoMemory();
        for (Py_ssize_t k = 0; k < n; k++) order[k] = start + k * step;
        PyObject *cols = table_take_columns(t, order, n);
        PyMem_Free(order);
        PyObject *res = cols ? table_like(t, cols, n) : NULL;
        Py_XDECREF(cols);
        return res;
    }
    Py_ssize_t i;
    if (seq_index_arg(key, NAME, &i) < 0) return NULL;
    if (seq_normalise(&i, (Py_ssize_t)t->length, NAME, "index") < 0) return NULL;
    return table_item(self, i);
}

/* t[i] = row: converted first; on a column's failure the columns already
 * written get their old values back. */
static int set_row(Table *t, Py_ssize_t i, PyObject *row) {
    row_buf b;
    if (row_buf_init(&b, nfields(t)) < 0) return -1;
    PyObject *schema = Py_NewRef(t->schema), *old = NULL;
    uint64_t seen = t->schema_version;
    convert_ctx ctx = {NAME, "__setitem__", -1};
    int r = convert_row(schema, row, &b, &ctx, 0); /* the call's one row */
    if (r == 0) r = table_check_unchanged(t, seen, i, "__setitem__");
    if (r == 0 && !(old = PyTuple_New(nfields(t)))) r = -1;
    for (Py_ssize_t k = 0; r == 0 && k < nfields(t); k++) {
        PyObject *v = table_cell_get(t, k, i);
        if (!v) r = -1;
        else PyTuple_SET_ITEM(old, k, v);
    }
    Py_ssize_t k = 0;
    for (; r == 0 && k < nfields(t); k++) {
        cc_status st = CC_OK;
        if (intern_cell(t, k, &b.cells[k]) < 0) r = error_mark_row(0, field_name(t, k));
        else if ((st = store_cell(t, k, i, &b.cells[k])) != CC_OK)
            r = -1, raise_column(t, k, st, "__setitem__");
    }
    if (r < 0 && old) {
        PyObject *exc = error_take();
        for (Py_ssize_t j = 0; j + 1 < k; j++)
            if (table_cell_set(t, j, i, PyTuple_GET_ITEM(old, j)) < 0) PyErr_Clear();
        error_give(exc);
    }
    Py_XDECREF(old);
    Py_DECREF(schema);
    row_buf_free(&b);
    return r;
}

static int table_ass_subscript(PyObject *self, PyObject *key, PyObject *value) {
    Table *t = (Table *)self;
    if (table_ready(t) < 0) return -1;
    if (PySlice_Check(key)) {
        if (value) {
            PyErr_SetString(PyExc_TypeError, NAME ": slice assignment is not supported; "
                            "delete the slice and insert rows");
            return -1;
        }
        Py_ssize_t start, stop, step;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) return -1;
        Py_ssize_t n = PySlice_AdjustIndices((Py_ssize_t)t->length, &start, &stop, step);
        return delete_rows(t, start, step, n, "__delitem__");
    }
    if (PyUnicode_Check(key)) {
        PyErr_SetString(PyExc_TypeError, NAME ": use add_column / drop_column to change columns");
        return -1;
    }
    Py_ssize_t i;
    if (seq_index_arg(key, NAME, &i) < 0) return -1;
    if (seq_normalise(&i, (Py_ssize_t)t->length, NAME, "assignment index") < 0) return -1;
    if (!value) return delete_rows(t, i, 1, 1, "__delitem__");
    return set_row(t, i, value);
}

/* ---- iteration ---------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    Table *table;
    int64_t next, length;
    uint64_t version;
    PyObject *last; /* the view handed out last: reused when nobody else holds it */
} TableIter;

static PyObject *table_iter(PyObject *self) {
    module_state *st = state_of_type(Py_TYPE(self));
    if (!st || table_ready((Table *)self) < 0) return NULL;
    TableIter *it = PyObject_GC_New(TableIter, st->TableIterType);
    if (!it) return NULL;
    Table *t = (Table *)self;
    it->table = (Table *)Py_NewRef(self);
    it->next = 0;
    it->length = t->length;
    it->version = t->version;
    it->last = NULL;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *table_iter_next(TableIter *it) {
    Table *t = it->table;
    if (!t) return NULL;
    if (t->length != it->length || t->version != it->version) {
        PyErr_SetString(PyExc_RuntimeError, NAME " changed size during iteration");
        return NULL;
    }
    if (it->next >= t->length) {
        Py_CLEAR(it->table);
        Py_CLEAR(it->last);
        return NULL;
    }
    int64_t row = it->next++;
    PyObject *last = it->last;
    if (last && Py_REFCNT(last) == 1 && Py_TYPE(last) == (PyTypeObject *)t->record_class) {
        ((RecordObject *)last)->slots[RECORD_VIEW_ROW] = row; /* nobody else sees it */
        return Py_NewRef(last);
    }
    PyObject *view = record_view_new((PyTypeObject *)t->record_class, (PyObject *)t, row);
    if (!view) return NULL;
    Py_XSETREF(it->last, Py_NewRef(view));
    return view;
}

static int table_iter_traverse(TableIter *it, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(it));
    Py_VISIT(it->table);
    return 0;
}

static void table_iter_dealloc(TableIter *it) {
    PyTypeObject *tp = Py_TYPE(it);
    PyObject_GC_UnTrack(it);
    Py_CLEAR(it->table);
    Py_CLEAR(it->last);
    PyObject_GC_Del(it);
    Py_DECREF(tp);
}

static PyObject *table_iter_length_hint(TableIter *it, PyObject *unused) {
    return PyLong_FromLongLong(it->table ? it->length - it->next : 0);
}

static PyMethodDef table_iter_methods[] = {
    {"__length_hint__", (PyCFunction)table_iter_length_hint, METH_NOARGS, NULL},
    {NULL},
};

static PyType_Slot table_iter_slots[] = {
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, table_iter_next},
    {Py_tp_traverse, table_iter_traverse},
    {Py_tp_dealloc, table_iter_dealloc},
    {Py_tp_methods, table_iter_methods},
    {0, NULL},
};

PyType_Spec table_iter_spec = {
    .name = "compactcol._core.TableIterator",
    .basicsize = sizeof(TableIter),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = table_iter_slots,
};

/* ---- columns and introspection -------------------------------------------------------------------- */

/* _replace_columns(schema, record_class, columns): the facade's
 * add_column / drop_column / rename.  Columns that stay are passed again;
 * the ones dropped are handed back to the user unlocked. */
static PyObject *table_replace_columns(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Table *t = (Table *)self;
    if (!seq_nargs_ok(NAME, "_replace_columns", nargs, 3, 3) || table_ready(t) < 0) return NULL;
    PyObject *targs = PyTuple_Pack(3, args[0], args[1], args[2]);
    if (!targs) return NULL;
    release_columns(t); /* so the columns that stay pass check_column */
    PyObject *fresh = table_new(Py_TYPE(self), targs, NULL);
    Py_DECREF(targs);
    if (!fresh) {
        for (Py_ssize_t i = 0; i < nfields(t); i++) column_lock(table_column(t, i), kind_of(t, i), true);
        return NULL;
    }
    Table *f = (Table *)fresh;
    /* the new columns must have the table's rows; only a table with neither
     * columns nor rows takes its length from them */
    if (nfields(f) > 0 && f->length != t->length && (nfields(t) > 0 || t->length > 0)) {
        Py_DECREF(fresh); /* unlocks its columns */
        for (Py_ssize_t i = 0; i < nfields(t); i++) column_lock(table_column(t, i), kind_of(t, i), true);
        PyErr_Format(PyExc_ValueError, NAME ": the new column has %lld values for %lld rows",
                     (long long)f->length, (long long)t->length);
        return NULL;
    }
    /* move f's state into t (f gives up its columns without unlocking); the
     * old objects go only once t is whole again: their deallocation can run
     * user code (a default's __del__) that looks at t */
    PyObject *old[3] = {t->schema, t->record_class, t->columns};
    t->schema = Py_NewRef(f->schema);
    t->record_class = Py_NewRef(f->record_class);
    t->columns = Py_NewRef(f->columns);
    t->schema_version++;
    if (nfields(t) > 0) t->length = f->length; /* dropping every column keeps the rows */
    t->version++;
    Py_CLEAR(f->columns);
    Py_DECREF(fresh);
    for (int k = 0; k < 3; k++) Py_DECREF(old[k]);
    Py_RETURN_NONE;
}

static PyObject *table_get_columns(PyObject *self, void *c) {
    return PySequence_List(((SchemaObject *)((Table *)self)->schema)->names);
}
static PyObject *table_get_schema_obj(PyObject *self, void *c) {
    return Py_NewRef(((Table *)self)->schema);
}
static PyObject *table_get_record_class(PyObject *self, void *c) {
    return Py_NewRef(((Table *)self)->record_class);
}
static PyObject *table_get_column_tuple(PyObject *self, void *c) {
    if (table_ready((Table *)self) < 0) return NULL;
    return Py_NewRef(((Table *)self)->columns);
}

static PyObject *table_column_method(PyObject *self, PyObject *name) {
    return column_by_name((Table *)self, name, "column");
}

/* Reads no deferred column: "deferred" counts them, their lengths are the
 * table's. */
static PyObject *table_debug_info(PyObject *self, PyObject *unused) {
    Table *t = (Table *)self;
    PyObject *lengths = PyList_New(nfields(t));
    for (Py_ssize_t i = 0; lengths && i < nfields(t); i++) {
        if (PyTuple_GET_ITEM(t->columns, i) == Py_None) {
            PyObject *v = Py_BuildValue("(LO)", (long long)t->length, Py_False);
            if (!v) Py_CLEAR(lengths);
            else PyList_SET_ITEM(lengths, i, v);
            continue;
        }
        PyObject *col = table_column(t, i);
        bool locked = *kind_lock(col, kind_of(t, i));
        PyObject *v = Py_BuildValue("(LO)", (long long)cc_column_length(table_cc_column(t, i)),
                                    locked ? Py_True : Py_False);
        if (!v) Py_CLEAR(lengths);
        else PyList_SET_ITEM(lengths, i, v);
    }
    if (!lengths) return NULL;
    return Py_BuildValue("{sLsKsNsn}", "length", (long long)t->length, "version",
                         (unsigned long long)t->version, "columns", lengths, "deferred",
                         table_deferred_count(t));
}

static PyMethodDef table_methods[] = {
    {"append", table_append, METH_O,
     "append($self, row, /)\n--\n\nappend(row): add a row at the end (a Record, dict, tuple, dataclass, namedtuple or "
     "any object with the fields as attributes).  Amortised O(fields)."},
    {"extend", table_extend, METH_O,
     "extend($self, rows, /)\n--\n\nextend(rows): append every row; all or nothing (a bad row changes nothing; "
     "its error's .row is its position in rows, .field the field or None).  O(n)."},
    {"insert", (PyCFunction)(void (*)(void))table_insert, METH_FASTCALL,
     "insert($self, i, row, /)\n--\n\ninsert(i, row): insert a row before position i, as list.insert.  O(n)."},
    {"pop", (PyCFunction)(void (*)(void))table_pop, METH_FASTCALL,
     "pop($self, i=-1, /)\n--\n\npop(i=-1) -> Record: remove row i and return it as a standalone record."},
    {"clear", table_clear_rows, METH_NOARGS, "clear($self, /)\n--\n\nclear(): remove every row."},
    {"column", table_column_method, METH_O,
     "column($self, name, /)\n--\n\ncolumn(name): the column container itself (zero-copy); same as table[name]."},
    {"sort", (PyCFunction)(void (*)(void))table_sort, METH_FASTCALL | METH_KEYWORDS,
     "sort($self, /, by=None, *, reverse=False, key=None)\n--\n\nsort(by=None, reverse=False, key=None): stable in-place sort by one column or a list "
     "of columns (in C; nulls and NaNs last; categories by their strings), or by key(row)."},
    {"take", table_take, METH_O, "take($self, indices, /)\n--\n\ntake(indices) -> Table of the rows at indices."},
    {"_filter_mask", table_filter_mask, METH_O, "Rows where mask is true, as a new Table."},
    {"_replace_columns", (PyCFunction)(void (*)(void))table_replace_columns, METH_FASTCALL,
     "Swap in a new schema, record class and columns (add/drop/rename)."},
    {"_debug_info", table_debug_info, METH_NOARGS, "Invariant check data: lengths, version."},
    {"__arrow_c_stream__", (PyCFunction)(void (*)(void))table_arrow_c_stream,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_stream__($self, /, requested_schema=None)\n--\n\nThe table as an Arrow stream of one struct batch (PyCapsule), zero-copy; the "
     "columns cannot resize until the consumer releases it."},
    {"__arrow_c_schema__", table_arrow_c_schema, METH_NOARGS,
     "__arrow_c_schema__($self, /)\n--\n\nThe table's Arrow struct schema (PyCapsule)."},
    {NULL},
};

static PyGetSetDef table_getset[] = {
    {"columns", table_get_columns, NULL, "The column names, in order.", NULL},
    {"_schema", table_get_schema_obj, NULL, "The Schema object.", NULL},
    {"record_class", table_get_record_class, NULL, "The Record class rows are instances of.", NULL},
    {"_columns", table_get_column_tuple, NULL, "The column containers, in order.", NULL},
    {NULL},
};

static PyMemberDef table_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(Table, weakreflist), READONLY},
    {NULL},
};

static PyType_Slot table_slots[] = {
    {Py_tp_doc, "The C part of compactcol.Table (use compactcol.Table)."},
    {Py_tp_new, table_new},
    {Py_tp_dealloc, table_dealloc},
    {Py_tp_traverse, table_traverse},
    {Py_tp_clear, table_clear},
    {Py_tp_iter, table_iter},
    {Py_tp_methods, table_methods},
    {Py_tp_getset, table_getset},
    {Py_tp_members, table_members},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_mp_length, table_length},
    {Py_mp_subscript, table_subscript},
    {Py_mp_ass_subscript, table_ass_subscript},
    {Py_sq_length, table_length},
    {0, NULL},
};

PyType_Spec table_spec = {
    .name = "compactcol._core.Table",
    .basicsize = sizeof(Table),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = table_slots,
};
