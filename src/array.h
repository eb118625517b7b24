/* array.h -- Array, the numeric container: its object layout and what its files
 * (array.c, array_methods.c, array_buffer.c, array_convert.c) offer the rest
 * of the binding.
 */
#ifndef BINDING_ARRAY_H
#define BINDING_ARRAY_H

#include "binding.h"

typedef struct {
    PyObject_HEAD
    cc_numarray arr;
    PyObject *weakreflist;
    bool table_column; /* a column of a Table (or its codes): length is the table's */
} ArrayObject;

/* --- array_convert.c ------------------------------------------------------ */

/* Python value -> scalar of type t (may run the value's __index__ or
 * __float__).  Range is checked later, by the store.  0, or -1 with a
 * TypeError / OverflowError at w (or the user's exception, noted at w). */
int scalar_from_py(num_type t, PyObject *v, cc_scalar *out, const conv_where *w);
/* The same for array a, the Array being the owner in the messages. */
int array_to_scalar(const cc_numarray *a, PyObject *v, cc_scalar *out,
                    const char *what, Py_ssize_t item);
/* Python value -> scalar for comparisons: exact ints, floats, bools and
 * None (and NumPy's numeric scalars).  1 if converted, 0 if v is some
 * other object (compare it through Python), -1 on error. */
int scalar_for_compare(PyObject *v, cc_scalar *out);
/* The scalar as a new Python object. */
PyObject *scalar_box(const cc_scalar *s);
/* The scalar, a value of dtype dt (time zone tz, NULL or "" for none), as a
 * new Python object (a datetime for the temporal dtypes); NULL with an
 * exception when Python cannot hold it. */
PyObject *dtype_box(cc_dtype dt, const char *tz, const cc_scalar *s);
/* Element i (caller checked bounds) as a new Python object. */
PyObject *array_item_box(const cc_numarray *a, Py_ssize_t i);
/* Converts every value of src (an Array, a buffer, a list, any iterable)
 * into out, initialised here like `like` but starting at the narrowest
 * width if adaptive.  Runs user code; touches nothing but out.  0, or -1
 * with an exception (out is then reset). */
int array_collect(const cc_numarray *like, PyObject *src, cc_numarray *out,
                  const char *what);
/* The same for values of type t, the messages at w (its item set to each
 * value's position). */
int num_collect(num_type t, PyObject *src, cc_numarray *out, const conv_where *w);

/* --- array.c ----------------------------------------------------------- */

extern PyType_Spec array_spec;
extern const seq_ops array_seq_ops;
extern PyType_Spec array_iter_spec;
/* A new, empty Array of the module's type taking over *arr's buffers. */
PyObject *array_wrap(PyTypeObject *any_type_of_module, cc_numarray *arr);
/* Parses a dtype argument (name, NumPy dtype or type, array typecode, int,
 * float, bool) and, into tz (CC_TZ_MAX bytes) unless it is NULL, the time
 * zone of 'datetime64[us, UTC]' (else "").  0, or -1 with ValueError/TypeError
 * (also for a time zone where tz is NULL). */
int dtype_parse(PyObject *obj, cc_dtype *dtype, bool *adaptive, char *tz);
static inline int array_check(PyObject *obj, PyTypeObject *array_type) {
    return PyObject_TypeCheck(obj, array_type);
}

/* --- array_methods.c ------------------------------------------------------ */

extern PyMethodDef array_methods[];
PyObject *array_richcompare(PyObject *self, PyObject *other, int op);

/* --- array_buffer.c ------------------------------------------------------- */

int array_getbuffer(PyObject *self, Py_buffer *view, int flags);
void array_releasebuffer(PyObject *self, Py_buffer *view);
PyObject *array_tobytes(ArrayObject *self, PyObject *unused);
PyObject *array_frombytes(PyObject *cls, PyObject *const *args, Py_ssize_t nargs);
PyObject *array_to_numpy(ArrayObject *self, PyObject *args, PyObject *kwds);
PyObject *array_dunder_array(ArrayObject *self, PyObject *args, PyObject *kwds);
/* _core._array_ticks(a): an int64 (int32 for date32) Array of a's values'
 * storage, sharing a's buffer as a snapshot (copy-on-write), or a copy
 * while a is aliased; how the temporal dtypes reach NumPy. */
PyObject *array_ticks(PyObject *module, PyObject *arg);
PyObject *array_reduce_ex(ArrayObject *self, PyObject *protocol);
PyObject *array_validity(ArrayObject *self, PyObject *unused);
/* _core._array_share_buffer(dtype, obj, keep=None): an Array sharing obj's buffer
 * (zero-copy), or None when it cannot (array_buffer.c). */
PyObject *array_share_buffer(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
/* _core._array_from_state: the pickle reconstructor (validates everything). */
PyObject *array_from_state(PyObject *module, PyObject *const *args,
                           Py_ssize_t nargs);

#endif /* BINDING_ARRAY_H */
