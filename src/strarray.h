/* strarray.h -- StringArray: its object layout and what its files (strarray.c,
 * strarray_buffer.c, strarray_scan.c) offer the rest of the binding.
 * BinaryArray (strarray_binary.c) is the same object with arr.binary set: its
 * type object reuses the functions below.
 */
#ifndef BINDING_STRARRAY_H
#define BINDING_STRARRAY_H

#include "binding.h"

typedef struct {
    PyObject_HEAD
    cc_strarray arr;
    PyObject *weakreflist;
    bool table_column;
} StringArrayObject;

/* --- strarray.c / strarray_buffer.c / strarray_scan.c ------------------------------------ */

extern PyType_Spec strarray_spec;
extern PyType_Spec binarray_spec;
extern const seq_ops strarray_seq_ops;
extern const seq_ops binarray_seq_ops;
/* Element i (caller checked bounds) as a new str (bytes when a->binary), or None. */
PyObject *strarray_item_box(const cc_strarray *a, Py_ssize_t i);
/* Converts every value of src (a StringArray, list, tuple or any iterable
 * of str, and None if nulls is STR_NULLS_OK) into out, initialised here
 * (nullable iff None is accepted).  Runs user
 * code only to iterate; touches nothing but out.  Errors name
 * "<owner>.<what>" and the item.  0, or -1 with an exception (out reset). */
int strarray_collect(PyObject *src, str_nulls nulls, cc_strarray *out, const char *owner,
                     const char *what);
/* The same for either kind: binary collects bytes-like items into a binary out. */
int strarray_collect_as(PyObject *src, str_nulls nulls, bool binary, cc_strarray *out,
                        const char *owner, const char *what);
/* The strings of src a chunk at a time, for the bulk calls whose scratch
 * must stay bounded (a CategoricalArray or StringPool from a list keeps one
 * chunk of strings, not all of them, next to its result).  src as for
 * strarray_collect; messages name the item's position in src. */
typedef struct {
    PyObject *src;     /* a StringArray, list or tuple, read by position */
    PyObject *it;      /* else an iterator of it */
    Py_ssize_t next;   /* position of the next item */
    str_nulls nulls;
    bool binary;       /* bytes-like items into binary chunks */
    const char *owner, *what;
} str_chunks;
/* 0, or -1 with TypeError (a str or bytes, not iterable). */
int str_chunks_open(str_chunks *c, PyObject *src, str_nulls nulls, const char *owner,
                    const char *what);
int str_chunks_open_as(str_chunks *c, PyObject *src, str_nulls nulls, bool binary,
                       const char *owner, const char *what);
/* out (initialised here, nullable iff None is accepted -- or, from a
 * StringArray with nulls, always) := the next items, at most max of them:
 * their number, 0 once src is exhausted, or -1 with an exception (out
 * reset).  strarray_collect is one chunk of every item. */
Py_ssize_t str_chunks_next(str_chunks *c, Py_ssize_t max, cc_strarray *out);
void str_chunks_close(str_chunks *c);
/* Items per chunk: 32 Ki strings, about a MiB of scratch. */
#define STR_CHUNK_ITEMS ((Py_ssize_t)1 << 15)

/* True for a StringArray (or subclass); binarray_check for a BinaryArray. */
bool strarray_check(PyObject *obj);
bool binarray_check(PyObject *obj);
/* A new StringArray of the module taking over *arr's buffers (a
 * BinaryArray when arr->binary). */
PyObject *strarray_wrap(PyTypeObject *any_type_of_module, cc_strarray *arr);
/* Payload bytes of the Arrow layout, and every byte the buffers hold. */
int64_t strarray_nbytes(const cc_strarray *a);
int64_t strarray_owned_bytes(const cc_strarray *a);
/* What BinaryArray's type object shares with StringArray's (strarray.c). */
PyObject *strarray_new_as(PyTypeObject *type, PyObject *args, PyObject *kwds, bool binary);
void strarray_dealloc(StringArrayObject *self);
PyObject *strarray_richcompare(PyObject *self, PyObject *other, int op);
PyObject *strarray_repr(PyObject *self);
PyObject *strarray_iter(PyObject *self);
PyObject *strarray_sizeof(PyObject *self, PyObject *unused);
PyObject *strarray_debug_info(PyObject *self, PyObject *unused);
PyObject *strarray_deepcopy(PyObject *self, PyObject *memo);
extern PyGetSetDef strarray_getset[], binarray_getset[];
PyObject *binarray_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *strarray_get_data(PyObject *self, void *c);
PyObject *strarray_get_offsets(PyObject *self, void *c);
PyObject *strarray_lengths(PyObject *self, PyObject *unused);
PyObject *strarray_startswith(PyObject *self, PyObject *prefix);
PyObject *strarray_contains_sub(PyObject *self, PyObject *sub);
PyObject *strarray_equals(PyObject *self, PyObject *s);
PyObject *strarray_to_numpy(PyObject *self, PyObject *unused);
PyObject *strarray_reduce_ex(PyObject *self, PyObject *protocol);
/* The buffers of a string arena (compacted first) as regions for bufview:
 * which is STR_REGION_DATA or STR_REGION_OFFSETS. */
enum { STR_REGION_DATA, STR_REGION_OFFSETS };
int strarray_fill_region(cc_strarray *a, int which, buf_region *r);
/* The argument tuple of _pickle.strarray_from_state for the strings a,
 * whose buffers are owner's `region` (out of band from protocol 5). */
PyObject *strarray_state_args(PyObject *owner, region_fn region, cc_strarray *a,
                              PyObject *protocol);
PyObject *strarray_validity(PyObject *self, PyObject *unused);
PyObject *strarray_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

#endif /* BINDING_STRARRAY_H */
