/* binding.h -- what every binding file (the .c files of src/, outside
 * src/core) shares: the module state, the helpers that turn Python values
 * into core values and core statuses into exceptions (errors.c,
 * str_convert.c), the sequence layer (seq.c), buffer views (bufview.c) and
 * the allocator seam (alloc.c).  Each container's layout and functions are
 * in its own header (array.h, strarray.h, pool.h, categorical.h,
 * strdict.h, arrow.h, table.h), so a file's #include lines are its
 * dependencies.
 *
 * Data flows one way: a Python value is converted and validated here, then
 * handed to the core (src/core/), which never calls back into Python.
 */
#ifndef CC_BINDING_H
#define CC_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "cc_numarray.h"
#include "cc_strarray.h"
#include "cc_strset.h"

typedef struct {
    PyTypeObject *ArrayType;
    PyTypeObject *ArrayIterType;
    PyTypeObject *SeqIterType;
    PyTypeObject *BufferViewType;
    PyTypeObject *StringArrayType;
    PyTypeObject *BinaryArrayType;
    PyTypeObject *StringPoolType;
    PyTypeObject *CategoricalArrayType;
    PyTypeObject *StrDictType;
    PyTypeObject *StrDictIterType;
    PyTypeObject *SchemaType;
    PyTypeObject *RecordBaseType;
    PyTypeObject *FieldType;
    PyTypeObject *TableType;
    PyTypeObject *TableIterType;
} module_state;

extern PyModuleDef compactcol_module;

/* The validity bitmap of a container as new bytes (None when not nullable):
 * the `_validity()` of Array and StringArray and their pickles. */
static inline PyObject *validity_as_bytes(bool nullable, const uint8_t *bits, int64_t length) {
    if (!nullable) Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(bits ? (const char *)bits : "",
                                     (Py_ssize_t)cc_bitmap_bytes(length));
}

/* The _core module of one of its types (borrowed), or NULL with TypeError. */
static inline PyObject *module_of_type(PyTypeObject *tp) {
    return PyType_GetModuleByDef(tp, &compactcol_module);
}

static inline module_state *state_of_type(PyTypeObject *tp) {
    PyObject *m = module_of_type(tp);
    return m ? (module_state *)PyModule_GetState(m) : NULL;
}

/* --- errors.c ---------------------------------------------------------- */

/* Where a value is being converted, for messages: passed down to every
 * conversion, which formats its message once (no message is made by
 * rewriting another).  The prefix it gives:
 *   Array('int8').extend: item 3:           owner('param'), item >= 0
 *   StringArray.append:                     owner, item < 0
 *   Table.extend: row 3, field 'price':     a field: items are rows
 *   Trade.__init__: field 'qty':
 *   StrDict('int8').__setitem__: key 'k':   a field labelled "key"
 * Positional initialisers {owner, what, item} work. */
typedef struct {
    const char *owner;  /* "Table", "Array" */
    const char *what;   /* the call: "extend", "__init__" */
    Py_ssize_t item;    /* position in the call's input, or -1 */
    PyObject *field;    /* the field's name or the key (borrowed), or NULL */
    const char *param;  /* the owner's type parameter ("int8": "Array('int8')"), or NULL */
    const char *label;  /* what `field` is: NULL for "field", "key" */
    const char *dtype_param; /* an Array's time zone or "precision,scale", or NULL */
} conv_where;

/* An Array's type parameter: its dtype's name, "int" when adaptive. */
static inline const char *array_param(const cc_numarray *a) {
    return a->adaptive ? "int" : cc_dtype_get(a->dtype)->name;
}
/* Where in Array a's call `what`, at input position item (or -1). */
static inline conv_where array_where(const cc_numarray *a, const char *what, Py_ssize_t item) {
    return (conv_where){"Array", what, item, NULL, array_param(a), NULL, a->tz};
}
/* "Array('int8')" or "Array('int')" for messages; a static buffer is not
 * used, so callers pass room for CC_ARRAY_NAME_MAX bytes. */
#define CC_ARRAY_NAME_MAX (16 + CC_DTYPE_NAME_MAX)
void array_describe(const cc_numarray *a, char *buf);
/* The prefix above as a new str; NULL on error. */
PyObject *where_prefix(const conv_where *w);
/* Raises `exc` with where_prefix(w) + the formatted message (PyUnicode_FromFormat's
 * format); returns -1. */
int raise_at(PyObject *exc, const conv_where *w, const char *fmt, ...);
/* User code raised during a conversion at w: its exception keeps its type
 * and message and gains the note "while converting <where>".  Returns -1. */
int note_at(const conv_where *w);
/* The pending exception is about input position `row` of the call (a
 * Table's extend, append, insert) and field `field` (borrowed; NULL: the
 * row as a whole): it gains the attributes row (int) and field (str or
 * None), so a caller finds the row without reading the message.  Its type
 * and message stay.  Returns -1. */
int error_mark_row(Py_ssize_t row, PyObject *field);

/* A decimal128's precision and scale, parsed from its parameter "p,s"
 * once per call or column rather than for every value; {0, 0}: not parsed
 * (the conversion parses the string itself then). */
typedef struct {
    int precision, scale;
} decimal_param;

/* What a number is converted to: an Array's or a numeric field's type. */
typedef struct {
    cc_dtype dtype;
    bool adaptive; /* Array('int'): widens, so only int64's range limits it */
    bool nullable;
    const char *tz; /* a timestamp's time zone (NULL or "": naive), or a decimal's
                       "p,s"; borrowed */
    decimal_param dec; /* a decimal's tz parsed, or {0, 0} */
} num_type;
static inline num_type num_type_of(const cc_numarray *a) {
    return (num_type){a->dtype, a->adaptive, a->nullable, a->tz};
}
/* Raises the exception for a core status met converting or storing a
 * number of type t at w; `value` is the offending Python value or NULL.
 * Always returns NULL. */
PyObject *num_raise(num_type t, cc_status st, const conv_where *w, PyObject *value);
/* --- dtype_name.c: a dtype's name with its parameter ------------------- */

/* A dtype's name -> *dt and tz (its parameter, CC_TZ_MAX bytes): "int64"
 * (tz ""), "datetime64[us, Europe/Paris]" (the zone), "decimal128(12, 2)"
 * ("12,2").  1; 0 when s names no dtype; -1 with ValueError for an unknown
 * zone or a bad precision or scale. */
int dtype_name_parse(const char *s, cc_dtype *dt, char *tz);
/* The dtype's name with its parameter: the static name when it has none,
 * else written into buf (CC_DTYPE_NAME_MAX bytes).  Inline: errors.c names
 * arrays with it, and the files that parse names raise through errors.c. */
#define CC_DTYPE_NAME_MAX (32 + CC_TZ_MAX)
static inline const char *dtype_name_format(cc_dtype dt, const char *tz, char *buf,
                                            size_t size) {
    const char *name = cc_dtype_get(dt)->name;
    const char *comma = tz ? strchr(tz, ',') : NULL;
    if (!tz || !tz[0] || (cc_dtype_is_decimal(dt) && !comma)) return name;
    if (cc_dtype_is_decimal(dt)) /* "12,2" -> "decimal128(12, 2)", as pyarrow writes it */
        snprintf(buf, size, "%s(%.*s, %s)", name, (int)(comma - tz), tz, comma + 1);
    else /* "datetime64[us]" -> "datetime64[us, UTC]", as pandas writes it */
        snprintf(buf, size, "%.*s, %s]", (int)strlen(name) - 1, name, tz);
    return buf;
}
/* The same as a new str. */
PyObject *dtype_name_object(cc_dtype dt, const char *tz);

/* --- decimal.c: Decimal <-> decimal128's unscaled integers -------------- */

/* "12,2" -> precision 12, scale 2: 0, or -1 (no exception) when it is not
 * a valid pair (precision 1..38, scale 0..precision). */
int decimal_param_parse(const char *param, int *precision, int *scale);
/* param parsed, for a decimal dt whose param is valid; else {0, 0}. */
decimal_param decimal_param_of(cc_dtype dt, const char *param);
/* "decimal128(12, 2)" -> param "12,2" (CC_TZ_MAX bytes): 1, 0 when s is not
 * such a name, -1 with ValueError for a bad precision or scale. */
int decimal_name_parse(const char *s, char *param);
/* v (a Decimal or an int; not a float) as the unscaled scalar of a
 * decimal128 with parameter param (dec: param parsed by the caller, once
 * for many values, or {0, 0} to parse it here): 0, or -1 with TypeError, ValueError (more
 * digits after the point than the scale) or OverflowError (more than the
 * precision) at w.  None is the caller's. */
int decimal_from_py(const char *param, decimal_param dec, PyObject *v, cc_scalar *out,
                    const conv_where *w);
/* For ==: 1 with *out when v (an int or a Decimal) is a value the column
 * can hold; 2 when it is one the column cannot hold (equal to none of its
 * values); 0 when Python's == must decide; -1 on error. */
int decimal_for_compare(const char *param, PyObject *v, cc_scalar *out);
/* The unscaled value s as a new Decimal with `scale` digits after the point. */
PyObject *decimal_box(const char *param, const cc_scalar *s);

/* --- temporal.c: datetime objects <-> the temporal dtypes' integers ---- */

/* Imports the datetime C API; 0, or -1 with an exception. */
int temporal_init(void);
/* v (a datetime, date, timedelta or time as dt wants, or an int count of
 * its unit) as a scalar of ticks; 0, or -1 with TypeError / ValueError /
 * OverflowError at w.  tz (NULL or "": naive) is a timestamp column's time
 * zone: it takes aware datetimes only, stored as UTC instants.  None is the
 * caller's. */
int temporal_from_py(cc_dtype dt, const char *tz, PyObject *v, cc_scalar *out,
                     const conv_where *w);
/* NumPy's datetime64 / timedelta64 scalars and pandas' NaT: 1 with *out = a
 * new reference to v's ticks in dt (an int) or None (NaT), 0 when v is
 * none of them, -1 with an exception. */
int temporal_foreign_scalar(cc_dtype dt, const char *tz, PyObject *v, PyObject **out);
/* A NumPy datetime64 / timedelta64 array as a new Array of dt (NaT ->
 * None, refused unless nullable), or None when src is not one. */
PyObject *temporal_from_numpy(cc_dtype dt, const char *tz, bool nullable, PyObject *src);
/* For ==: 1 with *out when v is of dt's Python type (or NumPy's,
 * pandas') and converts without loss, None as a null scalar; 2 when v
 * equals no value of the column (a number, a str, NaT, naive against aware,
 * finer than the unit); 0 when Python's == must decide; -1 on error. */
int temporal_for_compare(cc_dtype dt, const char *tz, PyObject *v, cc_scalar *out);
/* ticks as a new datetime / date / timedelta / time; NULL with ValueError
 * when Python's types cannot hold the value. */
PyObject *temporal_box(cc_dtype dt, const char *tz, int64_t ticks);
/* The tzinfo of a time zone name ("UTC", "+05:30", an IANA name), borrowed
 * from a cache; NULL with ValueError for a name zoneinfo does not know. */
PyObject *temporal_tzinfo(const char *name);
/* An iterator's decoding of a timestamp array, a batch at a time. */
typedef struct temporal_batch temporal_batch;
/* Element i of timestamp array a (in bounds, not null) as a datetime:
 * `box` rewritten in place when given (a datetime no one else holds), else
 * a new one.  *batch (NULL at first) is the iterator's cache; free it with
 * temporal_batch_free. */
PyObject *temporal_batch_box(temporal_batch **batch, const cc_numarray *a, int64_t i,
                             PyObject *box);
void temporal_batch_free(temporal_batch *batch);
/* datetime.datetime, once temporal_init ran: the iterator's recycling test */
extern PyTypeObject *temporal_datetime_type;
/* "datetime.datetime" ... for messages */
static inline const char *temporal_expected(cc_dtype dt) {
    switch (cc_dtype_get(dt)->temporal) {
    case CC_TEMPORAL_TIMESTAMP: return "datetime.datetime";
    case CC_TEMPORAL_DURATION: return "datetime.timedelta";
    case CC_TEMPORAL_DATE: return "datetime.date";
    case CC_TEMPORAL_TIME: return "datetime.time";
    default: return "int";
    }
}

/* Raises TypeError "expected int, got str ('x')" at w; returns -1. */
int num_raise_type(num_type t, const conv_where *w, PyObject *value);
/* Array's adapters of the two: the owner is the Array itself.  `what`
 * names the call ("append"), `item` the position in its input or -1. */
PyObject *array_raise(const cc_numarray *a, cc_status st, const char *what,
                      Py_ssize_t item, PyObject *value);
int array_raise_type(const cc_numarray *a, const char *what, Py_ssize_t item,
                     PyObject *value);

/* The raised exception, taken out of the error indicator (new reference; NULL
 * if none), and put back (stolen): Python 3.12's PyErr_GetRaisedException /
 * PyErr_SetRaisedException, spelt for 3.11 as well. */
static inline PyObject *error_take(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (!type) return NULL;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}
static inline void error_give(PyObject *exc) {
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    if (!exc) PyErr_Restore(NULL, NULL, NULL); /* as 3.12: none pending afterwards */
    else PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc, PyException_GetTraceback(exc));
#endif
}

/* An exact int's value read in place, without a call: true when it fits
 * int64, false for a wider one (the caller's generic path then takes it).
 * 3.12+ through the unstable C API (a "compact" int: one digit or none);
 * 3.11 from its layout (ob_size: sign and digit count), as box_int writes
 * it; two 30-bit digits are read too, which covers every value < 2**60. */
static inline bool exact_int_as_i64(PyObject *v, int64_t *out) {
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Long_IsCompact((PyLongObject *)v)) {
        *out = (int64_t)PyUnstable_Long_CompactValue((PyLongObject *)v);
        return true;
    }
#elif PY_VERSION_HEX >= 0x030B0000
    Py_ssize_t size = Py_SIZE(v);
    const digit *d = ((PyLongObject *)v)->ob_digit;
    if (size >= -2 && size <= 2) {
        int64_t mag = size == 0 ? 0 : (int64_t)d[0];
        if (size == 2 || size == -2) mag |= (int64_t)d[1] << PyLong_SHIFT;
        *out = size < 0 ? -mag : mag;
        return true;
    }
#endif
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow); /* cannot fail on an int */
    *out = x;
    return overflow == 0;
}

/* True once the interpreter is shutting down.  An Arrow release callback can
 * run then, from a consumer's last reference dropped on some thread; taking
 * the GIL at that point can hang or kill the thread, so the callbacks leave
 * their Python objects and PyMem blocks to the exiting process instead. */
static inline bool python_finalizing(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

/* repr(value) cut to about 40 characters; NULL on error. */
PyObject *value_short_repr(PyObject *value);
/* Raises the exception for a core status of any container:
 * "<owner>.<what>: out of memory".  Always returns NULL. */
PyObject *status_raise(const char *owner, cc_status st, const char *what);

/* --- str_convert.c -------------------------------------------------------- */

/* Scratch room for one string's UTF-8 bytes: on the stack when short.
 * Initialise with UTF8_BUF_INIT; release with utf8_buf_release. */
typedef struct {
    uint8_t small[256];
    uint8_t *heap;
} utf8_buf;
#define UTF8_BUF_INIT {.heap = NULL}
static inline void utf8_buf_release(utf8_buf *b) {
    PyMem_Free(b->heap);
    b->heap = NULL;
}
/* The UTF-8 bytes of str v (any str subclass; only its characters are read,
 * no method of v runs).  *out borrows v's storage (ASCII) or buf, valid
 * until buf is reused or released.  0, or -1 with UnicodeEncodeError (lone
 * surrogate) or MemoryError. */
int str_utf8(PyObject *v, utf8_buf *buf, cc_str *out);
/* Where None stands for the container, for the messages: it never holds
 * None (a pool, dict keys), it could (a StringArray made without
 * nullable=True: the message says so), or it does (None is stored, so
 * "expected str or None"). */
typedef enum { STR_NULLS_NEVER, STR_NULLS_OFF, STR_NULLS_OK } str_nulls;
static inline str_nulls str_nulls_for(bool nullable) {
    return nullable ? STR_NULLS_OK : STR_NULLS_OFF;
}
/* As str_utf8, but first checks that v is a str: TypeError
 * "<where>: expected str, got bytes (b'x')" if not; a lone surrogate's
 * UnicodeEncodeError names w in its reason. */
int str_from_py(PyObject *v, utf8_buf *buf, cc_str *out, str_nulls nulls,
                const conv_where *w);
/* The TypeError above on its own; returns -1. */
int str_raise_type_at(PyObject *value, str_nulls nulls, const conv_where *w);
/* The two for a container named `owner` (no field): `what` names the call,
 * `item` the position in its input or -1. */
int str_value_utf8(PyObject *v, utf8_buf *buf, cc_str *out, const char *owner,
                   const char *what, Py_ssize_t item, str_nulls nulls);
int str_raise_type(const char *owner, const char *what, Py_ssize_t item,
                   PyObject *value, str_nulls nulls);
/* Stored UTF-8 bytes as a new str. */
PyObject *str_from_utf8(cc_str s);
/* The bytes of a bytes-like v for a BinaryArray or a 'bytes' field: a
 * bytes (or subclass) is borrowed, any other C-contiguous buffer
 * (bytearray, memoryview, ...) copied into buf.  A str or a non-buffer:
 * TypeError "<where>: expected bytes (or a bytes-like object), got str
 * ('abc')".  0, or -1 with an exception. */
int bytes_from_py(PyObject *v, utf8_buf *buf, cc_str *out, str_nulls nulls,
                  const conv_where *w);
/* The TypeError above on its own; returns -1. */
int bytes_raise_type_at(PyObject *value, str_nulls nulls, const conv_where *w);
/* Stored bytes as a new bytes object. */
PyObject *bytes_from_cc(cc_str s);
/* A name as an exact str (new reference): a str subclass is copied by its
 * characters without running any of its methods, so a dict lookup with it
 * runs no user __hash__/__eq__ (DI1).  TypeError "<owner>.<what>: a column
 * name must be a str" for anything else. */
PyObject *str_exact(PyObject *name, const char *owner, const char *what);

/* --- seq.c: list behaviour shared by the sequences ------------------- */

/* Which core container holds a sequence's elements: a cc_numarray (Array,
 * and CategoricalArray's codes) or a cc_strarray (StringArray). */
typedef enum { SEQ_NONE, SEQ_NUM, SEQ_STR } seq_kind;

/* One call's converted input, held until the single core call that commits
 * it: a batch (extend, slice assignment; kind says which member) or one
 * value (one / one_str, one_null for None; buf holds one_str's bytes).
 * CategoricalArray records the pool's size before the call interned
 * anything (marked), so a refused or failed call can forget those strings.
 * seq_scratch_init before use; seq_scratch_release frees what it holds. */
typedef struct {
    seq_kind kind;
    union {
        cc_numarray num;
        cc_strarray str;
    } batch;
    cc_scalar one;
    cc_str one_str;
    bool one_null;
    utf8_buf buf;
    bool marked;
    int64_t pool_mark;
} seq_scratch;
static inline void seq_scratch_init(seq_scratch *s) {
    s->kind = SEQ_NONE;
    s->marked = false;
    s->buf.heap = NULL;
}
void seq_scratch_release(seq_scratch *s);

/* What the shared code needs from a sequence type.  The read side (the
 * first four fields, all a read-only sequence sets): item(self, i) is only
 * called with 0 <= i < length(self) and returns a new reference.
 * The write side is written once in seq.c over the core container that
 * store(self) returns (of `kind`); the type only converts values:
 *   collect      every value of src into s->batch (may run user code); 0, or
 *                -1 with an exception and nothing held
 *   convert_one  one value into s->one / s->one_str (may run user code); 0,
 *                or -1 with an exception (the caller releases s)
 *   undo         NULL, or forgets what converting added (the pool's strings)
 *   raise        NULL (status_raise naming `name`), or the type's mapping of
 *                a core status; value is the offending input or NULL
 *   slice        a new sequence of n elements from start by step
 *   find         first i in [start, stop) equal to v, -1 if none, -2 error
 *   count_fast   the count of v if the type can count it itself (a number,
 *                a str), -1 if v must be compared through Python's ==, -2
 *                on error
 *   append_fast  NULL, or a path for the common append: 1 stored, 0 not
 *                taken, -1 with an exception
 *   sort         NULL (the core's sort of store), or the keyless sort
 *   share        NULL, or copy()'s O(1) path: a new sequence sharing self's
 *                buffers (copy-on-write, cc_buffer.h); NULL without an
 *                exception when self cannot share (aliased by a memoryview:
 *                CC_EBUSY), and copy() takes slice's real copy instead
 * A few messages differ by type and stay as they were: copy_what names the
 * call in a failed copy's message, iadd_refused_as the method a refused
 * `+=` names, full_repr_not_found shows repr(x) whole in the ValueError of
 * index and remove (else cut to 40 characters, and "x" in remove's),
 * and convert_first converts a value before checking the index (Array: its
 * conversion runs __index__, which can change the length). */
typedef struct {
    const char *name; /* "StringArray", for messages */
    Py_ssize_t (*length)(PyObject *self);
    PyObject *(*item)(PyObject *self, Py_ssize_t i);
    /* NULL (the core's permute of store, or a sequence that cannot be
     * reordered), or puts element perm[k] at k: 0, or -1 with an exception */
    int (*permute)(PyObject *self, const int64_t *perm);
    /* the write side: SEQ_NONE (zero) for a read-only sequence */
    seq_kind kind;
    void *(*store)(PyObject *self);
    Py_ssize_t column_offset; /* offsetof the object's bool table_column */
    int (*collect)(PyObject *self, PyObject *src, seq_scratch *s, const char *what);
    int (*convert_one)(PyObject *self, PyObject *v, seq_scratch *s, const char *what);
    void (*undo)(PyObject *self, seq_scratch *s);
    PyObject *(*raise)(PyObject *self, cc_status st, const char *what, PyObject *value);
    PyObject *(*slice)(PyObject *self, Py_ssize_t start, Py_ssize_t step, Py_ssize_t n,
                       const char *what);
    Py_ssize_t (*find)(PyObject *self, PyObject *v, Py_ssize_t start, Py_ssize_t stop);
    Py_ssize_t (*count_fast)(PyObject *self, PyObject *v);
    int (*append_fast)(PyObject *self, PyObject *v);
    int (*sort)(PyObject *self, bool reverse);
    PyObject *(*share)(PyObject *self);
    const char *copy_what;
    const char *iadd_refused_as;
    bool full_repr_not_found;
    bool convert_first;
} seq_ops;

/* The list methods, once for every sequence type (list's rules and
 * messages; all or nothing; a Table column refuses any length change,
 * BufferError naming the method).  SEQ_DEFINE_METHODS below binds them to
 * one type's ops as the slot and method functions of that type. */
PyObject *seq_item(PyObject *self, const seq_ops *ops, Py_ssize_t i);
PyObject *seq_subscript(PyObject *self, const seq_ops *ops, PyObject *key);
int seq_ass_subscript(PyObject *self, const seq_ops *ops, PyObject *key, PyObject *value);
int seq_ass_item(PyObject *self, const seq_ops *ops, Py_ssize_t i, PyObject *value);
int seq_contains(PyObject *self, const seq_ops *ops, PyObject *v);
PyObject *seq_append(PyObject *self, const seq_ops *ops, PyObject *v);
/* Collects src and appends it, all or nothing; a Table column refuses,
 * naming `refused_as`.  0, or -1 with an exception. */
int seq_extend_from(PyObject *self, const seq_ops *ops, PyObject *src, const char *what,
                    const char *refused_as);
PyObject *seq_extend(PyObject *self, const seq_ops *ops, PyObject *src);
PyObject *seq_insert(PyObject *self, const seq_ops *ops, PyObject *const *args, Py_ssize_t nargs);
PyObject *seq_pop(PyObject *self, const seq_ops *ops, PyObject *const *args, Py_ssize_t nargs);
PyObject *seq_remove(PyObject *self, const seq_ops *ops, PyObject *v);
PyObject *seq_index(PyObject *self, const seq_ops *ops, PyObject *const *args, Py_ssize_t nargs);
PyObject *seq_count(PyObject *self, const seq_ops *ops, PyObject *v);
/* The elements as a list (item() must run no user code). */
PyObject *seq_tolist(PyObject *self, const seq_ops *ops);
PyObject *seq_clear(PyObject *self, const seq_ops *ops);
PyObject *seq_reverse(PyObject *self, const seq_ops *ops);
PyObject *seq_sort(PyObject *self, const seq_ops *ops, PyObject *args, PyObject *kwds);
PyObject *seq_copy(PyObject *self, const seq_ops *ops);
PyObject *seq_concat(PyObject *self, const seq_ops *ops, PyObject *other);
PyObject *seq_repeat(PyObject *self, const seq_ops *ops, Py_ssize_t n);
PyObject *seq_inplace_concat(PyObject *self, const seq_ops *ops, PyObject *other);
PyObject *seq_inplace_repeat(PyObject *self, const seq_ops *ops, Py_ssize_t n);

/* The slot functions (SEQ_DEFINE_SLOTS) and list methods (SEQ_DEFINE_METHODS)
 * of one sequence type, P_item ... P_copy: each calls the seq_ function
 * above with OPS. */
#define SEQ_DEFINE_SLOTS(P, OPS)                                                           \
    static PyObject *P##_item(PyObject *s, Py_ssize_t i) { return seq_item(s, OPS, i); }   \
    static PyObject *P##_subscript(PyObject *s, PyObject *k) {                             \
        return seq_subscript(s, OPS, k);                                                   \
    }                                                                                      \
    static int P##_ass_subscript(PyObject *s, PyObject *k, PyObject *v) {                  \
        return seq_ass_subscript(s, OPS, k, v);                                            \
    }                                                                                      \
    static int P##_ass_item(PyObject *s, Py_ssize_t i, PyObject *v) {                      \
        return seq_ass_item(s, OPS, i, v);                                                 \
    }                                                                                      \
    static int P##_contains(PyObject *s, PyObject *v) { return seq_contains(s, OPS, v); }  \
    static PyObject *P##_concat(PyObject *s, PyObject *o) { return seq_concat(s, OPS, o); } \
    static PyObject *P##_repeat(PyObject *s, Py_ssize_t n) { return seq_repeat(s, OPS, n); } \
    static PyObject *P##_inplace_concat(PyObject *s, PyObject *o) {                        \
        return seq_inplace_concat(s, OPS, o);                                              \
    }                                                                                      \
    static PyObject *P##_inplace_repeat(PyObject *s, Py_ssize_t n) {                       \
        return seq_inplace_repeat(s, OPS, n);                                              \
    }
/* The PyType_Slot entries of those slot functions. */
#define SEQ_SLOTS(P)                                                                       \
    {Py_sq_item, P##_item}, {Py_sq_ass_item, P##_ass_item}, {Py_sq_contains, P##_contains}, \
    {Py_sq_concat, P##_concat}, {Py_sq_repeat, P##_repeat},                                \
    {Py_sq_inplace_concat, P##_inplace_concat},                                            \
    {Py_sq_inplace_repeat, P##_inplace_repeat}, {Py_mp_subscript, P##_subscript},          \
    {Py_mp_ass_subscript, P##_ass_subscript}
#define SEQ_DEFINE_METHODS(P, OPS)                                                         \
    static PyObject *P##_append(PyObject *s, PyObject *v) { return seq_append(s, OPS, v); } \
    static PyObject *P##_extend(PyObject *s, PyObject *v) { return seq_extend(s, OPS, v); } \
    static PyObject *P##_insert(PyObject *s, PyObject *const *a, Py_ssize_t n) {           \
        return seq_insert(s, OPS, a, n);                                                   \
    }                                                                                      \
    static PyObject *P##_pop(PyObject *s, PyObject *const *a, Py_ssize_t n) {              \
        return seq_pop(s, OPS, a, n);                                                      \
    }                                                                                      \
    static PyObject *P##_remove(PyObject *s, PyObject *v) { return seq_remove(s, OPS, v); } \
    static PyObject *P##_index(PyObject *s, PyObject *const *a, Py_ssize_t n) {            \
        return seq_index(s, OPS, a, n);                                                    \
    }                                                                                      \
    static PyObject *P##_count(PyObject *s, PyObject *v) { return seq_count(s, OPS, v); }  \
    static PyObject *P##_tolist(PyObject *s, PyObject *u) { return (void)u, seq_tolist(s, OPS); } \
    static PyObject *P##_clear(PyObject *s, PyObject *u) { return (void)u, seq_clear(s, OPS); } \
    static PyObject *P##_reverse(PyObject *s, PyObject *u) {                               \
        return (void)u, seq_reverse(s, OPS);                                               \
    }                                                                                      \
    static PyObject *P##_sort(PyObject *s, PyObject *a, PyObject *k) {                     \
        return seq_sort(s, OPS, a, k);                                                     \
    }                                                                                      \
    static PyObject *P##_copy(PyObject *s, PyObject *u) { return (void)u, seq_copy(s, OPS); }

/* An index argument (anything with __index__) -> *out; TypeError
 * "<name> indices must be integers or slices, not T".  0 or -1. */
int seq_index_arg(PyObject *key, const char *name, Py_ssize_t *out);
/* Positional argument count check for METH_FASTCALL methods: TypeError
 * "<type>.<name> expected 1 argument, got 2". */
bool seq_nargs_ok(const char *type, const char *name, Py_ssize_t nargs, Py_ssize_t lo,
                  Py_ssize_t hi);
/* An index argument clamped to Py_ssize_t (as list.index takes huge
 * start/stop values).  0 or -1. */
int seq_clamped_index(PyObject *obj, Py_ssize_t *out);
/* The position argument of insert() and pop(): OverflowError beyond
 * Py_ssize_t, as list.insert(2**70, x) and list.pop(2**70) raise.  0 or -1. */
int seq_position_arg(PyObject *obj, Py_ssize_t *out);
/* Negative i counts from the end; IndexError "<name> <what> out of range". */
int seq_normalise(Py_ssize_t *i, Py_ssize_t length, const char *name, const char *what);
/* "<head>[e0, e1, ...]<tail>)" -- more than 1000 elements show the first
 * and last three and ", length=N" before tail. */
PyObject *seq_repr(PyObject *self, const seq_ops *ops, const char *head, const char *tail);
/* The bool for a three-way comparison result (2: unordered, as NaN). */
PyObject *seq_bool_for(int op, int cmp);
/* True if other is a sequence a list would compare with element-wise
 * (not str/bytes, not a NumPy array, which compares element-wise itself). */
bool seq_comparable(PyObject *other);
/* self <op> other element by element, exactly as list compares lists. */
PyObject *seq_compare(PyObject *self, const seq_ops *ops, PyObject *other, int op);
/* First i in [start, stop) with self[i] == v through Python's ==; -1 if
 * none, -2 on error. */
Py_ssize_t seq_find_by_eq(PyObject *self, const seq_ops *ops, PyObject *v,
                          Py_ssize_t start, Py_ssize_t stop);
/* sort(key=key, reverse=reverse): the key is called once per element, the
 * stable order comes from list.sort over the keys, and the core's permute
 * applies it in place (so it works while exported, as sort() does).  A key
 * function that changed the length raises ValueError, as for list.sort. */
PyObject *seq_sort_by_key(PyObject *self, const seq_ops *ops, PyObject *key, int reverse);
/* save(path): self written to path as an Arrow IPC file, by
 * compactcol._files (pyarrow); None.  The one `save` of the three types. */
PyObject *seq_save(PyObject *self, PyObject *path);
/* A plain iterator over a sequence: self[0], self[1], ... while in range. */
PyObject *seq_iter_new(PyObject *seq, const seq_ops *ops);
extern PyType_Spec seq_iter_spec;

/* The number of snapshots holding a container's buffer besides the
 * container itself (0: private, or the container holds the last reference),
 * for _debug_info. */
static inline long long snapshot_count(const cc_buffer *share) {
    return share ? (long long)cc_buffer_refs(share) - 1 : 0;
}

/* --- bufview.c: read-only views of a container's buffers --------------- */

typedef struct {
    void *buf; /* may be NULL when len == 0 */
    Py_ssize_t len, itemsize;
    const char *format;
    int64_t *exports; /* the owner's counter (an alias), or NULL ... */
    cc_buffer *hold;  /* ... a reference to a shared buffer (a snapshot) */
} buf_region;
/* Region number `which` of owner, ready to export (e.g. compacted first).
 * 0, or -1 with an exception. */
typedef int (*region_fn)(PyObject *owner, int which, buf_region *out);
extern PyType_Spec bufview_spec;
/* A read-only memoryview of the region; counts as an export while alive. */
PyObject *bufview_memoryview(PyObject *owner, region_fn region, int which);
/* A pickle.PickleBuffer of the region (protocol 5, out of band). */
PyObject *bufview_pickle_buffer(PyObject *owner, region_fn region, int which);
/* A pickle.PickleBuffer (read-only) of a snapshot taken now: r's bytes,
 * kept alive by r->hold (a reference, taken over, also on failure; NULL
 * for an empty region).  The container it came from is neither held nor
 * pinned: it copies before its next write (cc_buffer.h). */
PyObject *bufview_snapshot_pickle_buffer(PyTypeObject *module_type, const buf_region *r);
/* The validity bitmap of n values for a pickle state: None when not
 * nullable; with `snapshot` (a reference to the shared bitmap, taken over;
 * protocol 5) a read-only PickleBuffer of it, out of band like the data;
 * else (snapshot NULL) a bytes copy. */
PyObject *bufview_validity_state(PyTypeObject *module_type, bool nullable, uint8_t *bits,
                                 int64_t n, cc_buffer *snapshot);
/* A pickled bitmap of n values kept in place: *share = a foreign cc_buffer
 * taking over *bits when its bytes can never change and hold no bit past
 * n (as a container's bitmap never does); else *share = NULL (the caller
 * copies, *bits untouched).  0, or -1 with MemoryError. */
int bufview_adopt_validity(Py_buffer *bits, int64_t n, cc_buffer **share);
/* A new foreign cc_buffer taking over *view (zeroed on success): the last
 * reference releases it with PyBuffer_Release, under the GIL.  NULL with
 * MemoryError (view is then still the caller's). */
cc_buffer *bufview_adopt(Py_buffer *view);
/* True if the bytes behind obj can never change, so a container may keep
 * them in place: a bytes object or a held snapshot, maybe behind
 * memoryviews and PickleBuffers (pickle's READONLY_BUFFER makes a
 * bytearray look read-only: its owner can still write it). */
bool bufview_immutable(PyObject *obj);
/* A bytes copy of the region (pickle protocols < 5). */
PyObject *bufview_bytes(PyObject *owner, region_fn region, int which);
/* Fills the rest of a 1-D view of r for a getbuffer: buf, len, format,
 * shape, stride and what the release must undo (view->internal: the
 * alias's export count, or the snapshot's reference, taken over from r).
 * view->obj and readonly are the caller's.  0, or -1 with MemoryError. */
int bufview_fill(Py_buffer *view, buf_region *r, int flags);
/* Undoes bufview_fill at release. */
void bufview_release(Py_buffer *view);

/* --- alloc.c ----------------------------------------------------------- */

PyObject *debug_fail_alloc(PyObject *module, PyObject *arg);
PyObject *debug_alloc_stats(PyObject *module, PyObject *unused);
PyObject *debug_map_min(PyObject *module, PyObject *arg);

#endif /* CC_BINDING_H */
