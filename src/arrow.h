/* arrow.h -- the Arrow C data interface in the binding: the exports of Array,
 * StringArray and CategoricalArray (arrow_export.c; a Table's stream is
 * table_arrow.c) and the import of any producer (arrow_import.c, over the
 * core's cc_arrow_import).
 */
#ifndef BINDING_ARROW_H
#define BINDING_ARROW_H

#include "array.h"

/* --- arrow_export.c ---------------------------------------------------------- */

PyObject *array_arrow_c_schema(ArrayObject *self, PyObject *unused);
PyObject *array_arrow_c_array(ArrayObject *self, PyObject *args, PyObject *kwds);
PyObject *strarray_arrow_c_schema(PyObject *self, PyObject *unused);
PyObject *strarray_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds);
PyObject *categorical_arrow_c_schema(PyObject *self, PyObject *unused);
PyObject *categorical_arrow_c_array(PyObject *self, PyObject *args, PyObject *kwds);
/* A new 'arrow_schema' capsule of one field; format is borrowed. */
PyObject *schema_capsule(const char *format, bool nullable);
/* 0 if a Table column (Array, StringArray, CategoricalArray) exports as
 * Arrow format `want` (NULL: its own); -1 with ValueError if not. */
int arrow_column_cast_ok(PyObject *column, const char *want);

/* --- arrow_import.c -------------------------------------------------------- */

PyObject *arrow_import_array(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *arrow_import_stream(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

#endif /* BINDING_ARROW_H */
